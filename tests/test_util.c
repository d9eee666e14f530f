/*
 * test_util.c - growable buffers and string helpers.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "buf.h"
#include "util.h"

static void
test_buf_cap_refuses_without_truncating(void **state)
{
	_cleanup_buf_ struct buf b;

	buf_init(&b, 8);
	assert_int_equal(buf_puts(&b, "hello"), 0);
	assert_int_equal(buf_puts(&b, "world"), -E2BIG);
	assert_string_equal(buf_str(&b), "hello");
	assert_int_equal(buf_printf(&b, "%d", 123), 0);
	assert_string_equal(buf_str(&b), "hello123");
	assert_int_equal(buf_putc(&b, 'x'), -E2BIG);
	assert_int_equal(b.len, 8);
}

static void
test_buf_put_html_escapes_and_drops_controls(void **state)
{
	_cleanup_buf_ struct buf b = BUF_INIT;
	static const char in[] = "<a href=\"x\">Tom & Jerry's</a>\x1b[2J\r\n\tend\x7f";

	(void)state;
	assert_int_equal(buf_put_html(&b, in, sizeof(in) - 1), 0);
	assert_string_equal(buf_str(&b),
			    "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;[2J\n\tend");
	/* n bytes, not up to a NUL: a NUL inside is dropped like other controls */
	buf_reset(&b);
	assert_int_equal(buf_put_html(&b, "a\0b", 3), 0);
	assert_string_equal(buf_str(&b), "ab");
}

static void
test_buf_grows_and_steals(void **state)
{
	struct buf b = BUF_INIT;
	char *s;

	assert_string_equal(buf_str(&b), "");
	for (int i = 0; i < 1000; i++)
		assert_int_equal(buf_printf(&b, "%04d", i), 0);
	assert_int_equal(b.len, 4000);
	assert_memory_equal(b.data + 3996, "0999", 4);
	s = buf_steal(&b);
	assert_null(b.data);
	assert_int_equal(strlen(s), 4000);
	free(s);
	s = buf_steal(&b);
	assert_string_equal(s, "");
	free(s);
}

static void
test_ascii_helpers(void **state)
{
	char s[] = "  \tMixed Case\r\n";

	assert_true(ascii_strcaseeq("Auto-Submitted", "auto-submitted"));
	assert_false(ascii_strcaseeq("abc", "abd"));
	assert_string_equal(ascii_strcasestr("Re: [cmp-2026-000001] x", "CMP-"), "cmp-2026-000001] x");
	assert_null(ascii_strcasestr("abc", "abcd"));
	assert_string_equal(startswith_nocase("RE: hello", "re:"), " hello");
	assert_null(startswith("RE: hello", "re:"));
	assert_string_equal(strstrip(s), "Mixed Case");
	assert_string_equal(ascii_strlower(s), "mixed case");
	{
		char blank[] = " \r\n\t ", inner[] = "a \n b";
		const char *t = " \tone two\r\n and more";
		size_t n = 12; /* " \tone two\r\n" */

		assert_string_equal(strstrip(blank), "");
		assert_string_equal(strstrip(inner), "a \n b");
		t = strstrip_span(t, &n);
		assert_int_equal(n, 7);
		assert_memory_equal(t, "one two", 7);
		n = 3;
		(void)strstrip_span(" \n ", &n);
		assert_int_equal(n, 0);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_cap_refuses_without_truncating),
		cmocka_unit_test(test_buf_grows_and_steals),
		cmocka_unit_test(test_buf_put_html_escapes_and_drops_controls),
		cmocka_unit_test(test_ascii_helpers),
	};

	return cmocka_run_group_tests_name("util", tests, NULL, NULL) ? 1 : 0;
}
