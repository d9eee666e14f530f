/*
 * test_mbox.c - the mboxrd writer: separator line, From-quoting at any
 * depth, line ends, and the blank line between messages.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "mbox.h"
#include "util.h"

static const struct {
	const char *name;
	const char *sender;
	const char *raw;
	const char *expected;
} cases[] = {
    {"plain message", "jane@example.net", "Subject: a\n\nhello\n",
     "From jane@example.net Tue Dec  1 19:24:18 2026\nSubject: a\n\nhello\n\n"},
    {"CRLF becomes LF, last line without an end gets one", "a@example.org",
     "Subject: a\r\n\r\nhello\r\nbye", "From a@example.org Tue Dec  1 19:24:18 2026\n"
					  "Subject: a\n\nhello\nbye\n\n"},
    {"From lines quoted at every depth", "a@example.org",
     "Subject: a\n\nFrom here\n>From there\n>>From everywhere\nFromage\n From\n",
     "From a@example.org Tue Dec  1 19:24:18 2026\nSubject: a\n\n>From here\n>>From there\n"
     ">>>From everywhere\nFromage\n From\n\n"},
    {"no sender", "", "Subject: a\n\nx\n", "From MAILER-DAEMON Tue Dec  1 19:24:18 2026\n"
					       "Subject: a\n\nx\n\n"},
    {"a sender with a space cannot break the separator", "a b@example.org", "X: y\n\nz\n",
     "From MAILER-DAEMON Tue Dec  1 19:24:18 2026\nX: y\n\nz\n\n"},
};

static void
test_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_buf_ struct buf out = BUF_INIT;

		assert_int_equal(mbox_append(&out, cases[i].sender, 1796153058, cases[i].raw,
					     strlen(cases[i].raw)),
				 0);
		if (!streq(buf_str(&out), cases[i].expected))
			fail_msg("%s: got\n%s", cases[i].name, buf_str(&out));
	}
}

static void
test_two_messages_and_nul(void **state)
{
	static const char raw[] = "X: 1\n\na\0b\n";
	_cleanup_buf_ struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(mbox_append(&out, "a@example.org", 0, raw, sizeof(raw) - 1), 0);
	assert_int_equal(mbox_append(&out, "b@example.org", 0, "Y: 2\n\nc\n", 8), 0);
	assert_int_equal(out.len, strlen("From a@example.org Thu Jan  1 00:00:00 1970\nX: 1\n\na") +
					  1 + strlen("b\n\n") +
					  strlen("From b@example.org Thu Jan  1 00:00:00 1970\nY: 2\n\nc\n\n"));
	assert_memory_equal(out.data + out.len - 9, "Y: 2\n\nc\n\n", 9);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cases),
	    cmocka_unit_test(test_two_messages_and_nul),
	};

	return cmocka_run_group_tests_name("mbox", tests, NULL, NULL) ? 1 : 0;
}
