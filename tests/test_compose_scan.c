/*
 * test_compose_scan.c - the composer's scans that go sixteen bytes at a
 * time (parsers/bytescan.h): they find what a byte-by-byte loop finds, at
 * every offset in and across the blocks, and the mail composed with them
 * repairs the body and marks an attached message as a byte-by-byte pass
 * would.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <setjmp.h>
#include <cmocka.h>

#include "bytescan.h"
#include "compose.h"
#include "util.h"

static size_t
ref_ascii_no_cr(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len && s[i] < 0x80 && s[i] != '\r')
		i++;
	return i;
}

static size_t
ref_qp_direct(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len && (s[i] == '\t' || (s[i] >= 0x20 && s[i] <= 0x7e && s[i] != '=')))
		i++;
	return i;
}

static bool
ref_has_8bit(const unsigned char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] >= 0x80)
			return true;
	return false;
}

/* Each scan against its byte-by-byte loop: every length to 160, one odd byte at every offset. */
static void
test_scans_match_loops(void **state)
{
	/* bytes each scan stops at, and some it must not */
	static const unsigned char odd[] = {'\r', '\n', '\t', '=', 0x00, 0x01, 0x1f, 0x20,
					    0x7e, 0x7f, 0x80, 0xc3, 0xff};
	unsigned char buf[176];

	(void)state;
	for (size_t len = 0; len <= 160; len++)
		for (size_t at = 0; at <= len; at++)
			for (size_t k = 0; k < ELEMENTSOF(odd); k++) {
				/* start anywhere in a block: the loads are unaligned */
				unsigned char *s = buf + (len + at) % 16;

				memset(s, 'a', len);
				if (at < len)
					s[at] = odd[k];
				assert_int_equal(bytescan_ascii_no_cr(s, len), ref_ascii_no_cr(s, len));
				assert_int_equal(bytescan_qp_direct(s, len), ref_qp_direct(s, len));
				assert_int_equal(bytescan_has_8bit(s, len), ref_has_8bit(s, len));
			}
}

static void
base_in(struct compose_in *in, const char *body)
{
	*in = (struct compose_in){
	    .from_addr = "complaints@council.example",
	    .from_name = "Example Borough Council",
	    .to_addr = "jane.resident@example.net",
	    .subject = "Your complaint [CMP-2026-000123]",
	    .message_id = "<cmp-2026-000123.ack-stage1.1@council.example>",
	    .date = (time_t)1796652309,
	    .body = body,
	};
}

static char *
compose_ok(const char *body)
{
	struct compose_in in;
	char *out = NULL;

	base_in(&in, body);
	assert_int_equal(compose_message(&in, &out), 0);
	return out;
}

static char *
attach_one(const char *orig, size_t len)
{
	struct compose_in in;
	struct compose_part part = {NULL, "message/rfc822", orig, len};
	char *out = NULL;

	base_in(&in, "See the attached message.\n");
	in.parts = &part;
	in.n_parts = 1;
	assert_int_equal(compose_message(&in, &out), 0);
	return out;
}

/* A CR, an invalid byte, an "=" or a byte above 0x7f wherever it falls in the mail. */
static void
test_mail_at_every_offset(void **state)
{
	(void)state;
	for (int k = 0; k < 60; k++) {
		char lf[100], crlf[100], bad[100], eq[100], orig[200];
		_cleanup_free_ char *a = NULL, *b = NULL, *c = NULL, *d = NULL, *o7 = NULL,
				    *o8 = NULL, *olf = NULL, *ocrlf = NULL, *want = NULL;

		memset(lf, 'a', (size_t)k);
		memcpy(lf + k, "\nend", 5);
		memset(crlf, 'a', (size_t)k);
		memcpy(crlf + k, "\r\nend", 6);
		memset(bad, 'a', (size_t)k);
		memcpy(bad + k, "\xff end", 6);
		memset(eq, 'a', (size_t)k);
		memcpy(eq + k, "=end", 5);
		a = compose_ok(lf);
		b = compose_ok(crlf);
		/* CRLF becomes LF wherever it is: the same mail */
		assert_string_equal(a, b);
		c = compose_ok(bad);
		/* the invalid byte becomes U+FFFD, and nothing before it changes */
		want = xasprintf("\r\n\r\n%.*s=EF=BF=BD end\r\n", k, bad);
		assert_non_null(strstr(c, want));
		d = compose_ok(eq);
		assert_non_null(strstr(d, "=3Dend\r\n"));

		/* the attached message: 8bit for one byte above 0x7f at offset k, else 7bit */
		memset(orig, 'x', sizeof(orig));
		memcpy(orig, "Subject: x\n\n", 12);
		orig[sizeof(orig) - 1] = '\n';
		o7 = attach_one(orig, sizeof(orig));
		orig[12 + k] = (char)0xe9;
		o8 = attach_one(orig, sizeof(orig));
		assert_non_null(strstr(o7, "Content-Transfer-Encoding: 7bit\r\n"));
		assert_non_null(strstr(o8, "Content-Transfer-Encoding: 8bit\r\n"));

		/* and with LF or CRLF line ends, at any line length, the same part */
		memcpy(orig, "Subject: x\n\n", 12);
		memset(orig + 12, 'y', (size_t)k);
		memcpy(orig + 12 + k, "\nz\n", 3);
		olf = attach_one(orig, 12 + (size_t)k + 3);
		memcpy(orig, "Subject: x\r\n\r\n", 14);
		memset(orig + 14, 'y', (size_t)k);
		memcpy(orig + 14 + k, "\r\nz\r\n", 5);
		ocrlf = attach_one(orig, 14 + (size_t)k + 5);
		assert_string_equal(olf, ocrlf);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scans_match_loops),
	    cmocka_unit_test(test_mail_at_every_offset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
