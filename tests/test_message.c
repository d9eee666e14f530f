/*
 * test_message.c - the normalised message parser: golden corpus, limits,
 * dates and the guarantees on header-derived strings.
 *
 * Every tests/corpus/mail/NAME.eml is parsed and message_dump() compared with
 * NAME.expected ("result: CODE" there for messages that must be refused).
 * UPDATE_GOLDEN=1 rewrites the expected files; review them before keeping.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <setjmp.h>
#include <cmocka.h>

#include "buf.h"
#include "charset.h"
#include "html.h"
#include "message.h"
#include "util.h"

#define CORPUS SRCDIR "/tests/corpus/mail"

static char *
slurp(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "rb");
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;

	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		assert_int_equal(buf_append(&b, chunk, n), 0);
	fclose(f);
	*ret_len = b.len;
	return buf_steal(&b);
}

static char *
render(const char *raw, size_t len)
{
	_cleanup_message_ struct message *m = NULL;
	_cleanup_free_ char *reason = NULL;
	enum msg_result r = message_parse(raw, len, NULL, &m, &reason);

	if (r != MSG_OK)
		return xasprintf("result: %s\n", msg_result_to_string(r));
	return message_dump(m);
}

/* Print the first differing line of two renderings. */
static void
show_diff(const char *name, const char *want, const char *got)
{
	int line = 1;

	while (*want && *want == *got) {
		if (*want == '\n')
			line++;
		want++, got++;
	}
	while (line > 1 && want[-1] != '\n')
		want--, got--;
	fprintf(stderr, "%s.expected line %d differs:\n-%.*s\n+%.*s\n", name, line,
	        (int)strcspn(want, "\n"), want, (int)strcspn(got, "\n"), got);
}

static void
test_corpus(void **state)
{
	DIR *d = opendir(CORPUS);
	struct dirent *de;
	int n = 0, failed = 0;
	bool update = getenv("UPDATE_GOLDEN") && streq(getenv("UPDATE_GOLDEN"), "1");

	(void)state;
	assert_non_null(d);
	while ((de = readdir(d))) {
		size_t nl = strlen(de->d_name), len, elen;
		_cleanup_free_ char *path = NULL, *exp_path = NULL, *raw = NULL, *want = NULL,
		                    *got = NULL, *base = NULL;

		if (nl < 5 || !streq(de->d_name + nl - 4, ".eml"))
			continue;
		base = xstrndup(de->d_name, nl - 4);
		path = xasprintf("%s/%s", CORPUS, de->d_name);
		exp_path = xasprintf("%s/%s.expected", CORPUS, base);
		raw = slurp(path, &len);
		assert_non_null(raw);
		got = render(raw, len);
		n++;
		if (update) {
			FILE *f = fopen(exp_path, "w");

			assert_non_null(f);
			fputs(got, f);
			assert_int_equal(fclose(f), 0);
			continue;
		}
		want = slurp(exp_path, &elen);
		if (!want) {
			fprintf(stderr, "%s: no expected file\n", exp_path);
			failed++;
		} else if (!streq(want, got)) {
			show_diff(base, want, got);
			failed++;
		}
	}
	closedir(d);
	assert_true(n >= 40);
	assert_int_equal(failed, 0);
}

/* Generated inputs that must be refused with a given code, quickly. */
static char *
nested_multiparts(unsigned depth, size_t *ret_len)
{
	struct buf b = BUF_INIT;

	(void)buf_puts(&b, "From: a@example.net\r\nSubject: bomb\r\nMIME-Version: 1.0\r\n");
	for (unsigned i = 0; i < depth; i++)
		(void)buf_printf(
		    &b, "Content-Type: multipart/mixed; boundary=\"b%u\"\r\n\r\n--b%u\r\n", i, i);
	(void)buf_puts(&b, "Content-Type: text/plain\r\n\r\nx\r\n");
	*ret_len = b.len;
	return buf_steal(&b);
}

static char *
many_parts(unsigned n, size_t *ret_len)
{
	struct buf b = BUF_INIT;

	(void)buf_puts(&b, "From: a@example.net\nSubject: parts\nMIME-Version: 1.0\n"
	                   "Content-Type: multipart/mixed; boundary=\"p\"\n\n");
	for (unsigned i = 0; i < n; i++)
		(void)buf_puts(&b, "--p\nContent-Type: text/plain\n\nx\n");
	(void)buf_puts(&b, "--p--\n");
	*ret_len = b.len;
	return buf_steal(&b);
}

static char *
huge_headers(size_t bytes, size_t *ret_len)
{
	struct buf b = BUF_INIT;

	(void)buf_puts(&b, "From: a@example.net\n");
	while (b.len < bytes)
		(void)buf_puts(
		    &b, "X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n");
	(void)buf_puts(&b, "Subject: big\n\nbody\n");
	*ret_len = b.len;
	return buf_steal(&b);
}

static void
test_limits(void **state)
{
	static const struct {
		const char *what;
		unsigned depth, parts;
		size_t hdr;
		struct msg_limits lim;
		enum msg_result want;
	} cases[] = {
	    {"10,000 nested multiparts", 10000, 0, 0, MSG_LIMITS_DEFAULT, MSG_TOO_DEEP},
	    {"33 nested multiparts", 33, 0, 0, MSG_LIMITS_DEFAULT, MSG_TOO_DEEP},
	    {"30 nested multiparts", 30, 0, 0, MSG_LIMITS_DEFAULT, MSG_OK},
	    {"5 nested, limit 3", 5, 0, 0, {1 << 20, 3, 100, 1 << 20, false}, MSG_TOO_DEEP},
	    {"5,000 parts", 0, 5000, 0, MSG_LIMITS_DEFAULT, MSG_TOO_MANY_PARTS},
	    {"999 parts", 0, 998, 0, MSG_LIMITS_DEFAULT, MSG_OK},
	    {"20 parts, limit 10", 0, 20, 0, {1 << 20, 32, 10, 1 << 20, false}, MSG_TOO_MANY_PARTS},
	    {"2 MB of headers", 0, 0, 2u << 20, MSG_LIMITS_DEFAULT, MSG_HEADERS_TOO_BIG},
	    {"100 kB of headers", 0, 0, 100u << 10, MSG_LIMITS_DEFAULT, MSG_OK},
	    {"message over max_size", 0, 0, 5000, {4096, 32, 1000, 1 << 20, false}, MSG_TOO_BIG},
	};

	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_free_ char *raw = NULL, *reason = NULL;
		_cleanup_message_ struct message *m = NULL;
		size_t len;
		enum msg_result r;

		if (cases[i].depth)
			raw = nested_multiparts(cases[i].depth, &len);
		else if (cases[i].parts)
			raw = many_parts(cases[i].parts, &len);
		else
			raw = huge_headers(cases[i].hdr, &len);
		r = message_parse(raw, len, &cases[i].lim, &m, &reason);
		if (r != cases[i].want)
			fail_msg("%s: got %s (%s), want %s", cases[i].what, msg_result_to_string(r),
			         reason ? reason : "", msg_result_to_string(cases[i].want));
		if (r == MSG_OK) {
			assert_non_null(m);
			assert_null(reason);
		} else {
			assert_null(m);
			assert_non_null(reason);
			assert_true(strlen(reason) > 0);
		}
	}
}

static void
test_dates(void **state)
{
	static const struct {
		const char *in;
		time_t want; /* -1: must be rejected */
	} cases[] = {
	    {"Tue, 3 Mar 2026 10:14:55 +0000", 1772532895},
	    {"3 Mar 2026 10:14:55 +0000", 1772532895},
	    {"Tue, 03 Mar 2026 11:14:55 +0100", 1772532895},
	    {"Tue, 3 Mar 2026 05:14:55 EST", 1772532895},
	    {"Tue, 3 Mar 2026 06:14:55 EDT", 1772532895},
	    {"Tue, 3 Mar 2026 10:14:55 GMT", 1772532895},
	    {"Tue, 3 Mar 2026 10:14:55 UT", 1772532895},
	    {"Tue, 3 Mar 2026 02:14:55 PST (Pacific)", 1772532895},
	    {"Tue,  3 Mar 2026 10:14 +0000", 1772532840},
	    {"(comment) Tue, 3 Mar 26 10:14:55 +0000 (GMT)", 1772532895},
	    {"Thu, 1 Jan 1970 00:00:00 +0000", 0},
	    {"not a date", -1},
	    {"Tue, 3 Foo 2026 10:14:55 +0000", -1},
	    {"Tue, 32 Mar 2026 10:14:55 +0000", -1},
	    {"Tue, 3 Mar 2026 25:14:55 +0000", -1},
	    {"", -1},
	};

	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		time_t t = 12345;
		int r = mail_date_parse(cases[i].in, &t);

		if (cases[i].want == -1) {
			if (r != -EINVAL)
				fail_msg("\"%s\" accepted as %lld", cases[i].in, (long long)t);
		} else if (r != 0 || t != cases[i].want)
			fail_msg("\"%s\": r=%d t=%lld want %lld", cases[i].in, r, (long long)t,
			         (long long)cases[i].want);
	}
}

/* Every header-derived string is one line of valid UTF-8, whatever the input. */
static void
test_header_strings_are_safe(void **state)
{
	static const char *const inputs[] = {
	    "From: =?UTF-8?Q?Eve=0D=0ABcc:_x@example.net?= <eve@example.net>\n"
	    "Subject: =?UTF-8?Q?a=0D=0Ab=00c=07d?=\n\nx\n",
	    "From: \xff\xfe <bad@example.net>\nSubject: \xc3\x28 \xe2\x82\n\nx\n",
	    "From: x@example.net\nSubject: =?x-bogus?Q?=FF=FE?=\n\nx\n",
	    "From: x@example.net\nSubject: tab\there\x1b[31m red\n\nx\n",
	};

	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(inputs); i++) {
		_cleanup_message_ struct message *m = NULL;
		const char *fields[3];

		assert_int_equal(message_parse(inputs[i], strlen(inputs[i]), NULL, &m, NULL),
		                 MSG_OK);
		fields[0] = m->subject;
		fields[1] = m->from.name;
		fields[2] = m->from.email;
		for (size_t f = 0; f < ELEMENTSOF(fields); f++) {
			assert_true(utf8_valid(fields[f], strlen(fields[f])));
			for (const char *p = fields[f]; *p; p++)
				if ((unsigned char)*p < 0x20 || *p == 0x7f)
					fail_msg("input %zu field %zu has control 0x%02x: %s", i, f,
					         *p, fields[f]);
		}
	}
}

static void
test_charsets(void **state)
{
	static const struct {
		const char *charset;
		const char *in;
		const char *want;
		bool note;
	} cases[] = {
	    {"utf-8", "caf\xc3\xa9", "café", false},
	    {"UTF-8", "bad \xff end", "bad \xef\xbf\xbd end", false},
	    {"utf-8", "cut \xe2\x82", "cut \xef\xbf\xbd", false},
	    {"us-ascii", "caf\xc3\xa9", "café", false},
	    {NULL, "caf\xc3\xa9", "café", false},
	    {"us-ascii", "caf\xe9", "café", true},
	    {"iso-8859-1", "\x80 caf\xe9", "€ café", false},
	    {"\"windows-1252\"", "it\x92s", "it’s", false},
	    {"iso-8859-15", "\xa4", "€", false},
	    {"koi8-r", "\xf0\xd2\xc9\xd7\xc5\xd4", "Привет", false},
	    {"x-unknown", "caf\xe9", "café", true},
	    {"bogus charset\r\nX: y", "abc", "abc", true},
	};

	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		char *note = NULL;
		_cleanup_free_ char *got =
		    charset_to_utf8(cases[i].charset, cases[i].in, strlen(cases[i].in), &note);

		if (!streq(got, cases[i].want) || (note != NULL) != cases[i].note)
			fail_msg("case %zu (%s): got \"%s\" note \"%s\"", i,
			         cases[i].charset ? cases[i].charset : "none", got,
			         note ? note : "");
		if (note) {
			assert_null(strchr(note, '\n'));
			assert_true(utf8_valid(note, strlen(note)));
		}
		free(note);
	}
}

static void
test_html(void **state)
{
	static const struct {
		const char *in;
		const char *want;
	} cases[] = {
	    {"<p>One</p><p>Two</p>", "One\n\nTwo"},
	    {"a<br>b<br/><br>c", "a\nb\n\nc"},
	    {"<div>x</div><div>y</div>", "x\ny"},
	    {"<ul><li>a</li><li>b</li></ul>", "- a\n- b"},
	    {"<head><title>T</title><style>p{}</style></head>body", "body"},
	    {"x<script>alert('<b>')</script>y", "xy"},
	    {"&lt;&gt;&amp;&quot;&#39;&#x20AC;&#8364;&pound;&bogus;", "<>&\"'€€£&bogus;"},
	    {"&#0;&#xD800;&#1114112;", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
	    {"  lots   of\n\n  space  ", "lots of space"},
	    {"<p>a</p>\n\n\n<p></p><p></p><p>b</p>", "a\n\nb"},
	    {"<a href=\"x>y\">link</a> <!-- c -->", "link"},
	    {"<tr><td>k:</td><td>v</td></tr>", "k: v"},
	    {"unterminated <script> x", "unterminated"},
	};

	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_free_ char *got = html_to_text(cases[i].in);

		if (!streq(got, cases[i].want))
			fail_msg("html case %zu: got \"%s\" want \"%s\"", i, got, cases[i].want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_corpus),   cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_dates),    cmocka_unit_test(test_header_strings_are_safe),
	    cmocka_unit_test(test_charsets), cmocka_unit_test(test_html),
	};
	int rc = cmocka_run_group_tests_name("message", tests, NULL, NULL);

	return rc ? 1 : 0;
}
