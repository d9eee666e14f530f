/*
 * test_safename.c - attachment names from mail made safe to write in the
 * case file: no path, nothing hidden, no control or shell characters,
 * bounded, never empty, and two of the same name kept apart.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "safename.h"
#include "util.h"

static void
same(const char *in, size_t max, const char *want)
{
	_cleanup_free_ char *got = safename_make(in, max);

	if (!streq(got, want))
		fail_msg("safename_make(\"%s\", %zu) = \"%s\", expected \"%s\"", in ? in : "(null)", max,
		         got, want);
}

static void
test_make(void **state)
{
	(void)state;
	same("photo.jpg", 96, "photo.jpg");
	same("Response letter.pdf", 96, "Response_letter.pdf");
	same("../../etc/passwd", 96, "passwd");
	same("..\\..\\Windows\\evil.exe", 96, "evil.exe");
	same(".hidden", 96, "hidden");
	same("...", 96, "attachment");
	same("", 96, "attachment");
	same(NULL, 96, "attachment");
	same("-rf.txt", 96, "rf.txt");
	same("a\r\nb\tc\x01.txt", 96, "a_b_c_.txt");
	same("Küche $(rm -rf ~) `x`.jpg", 96, "K_che_rm_-rf_x_.jpg");
	same("name.", 96, "name");
	same("café.jpg", 96, "caf_.jpg");
	/* long names keep their extension within the limit */
	same("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.pdf", 20, "aaaaaaaaaaaaaaaa.pdf");
	same("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 20, "aaaaaaaaaaaaaaaaaaaa");
	/* a limit below the minimum is raised to it */
	same("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 3, "aaaaaaaaaaaaaaaa");
}

static void
test_every_byte(void **state)
{
	char name[3] = {'x', 0, 0};

	(void)state;
	for (int c = 1; c < 256; c++) {
		_cleanup_free_ char *got = NULL;

		name[1] = (char)c;
		got = safename_make(name, 96);
		for (const char *p = got; *p; p++)
			assert_true((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			            (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' || *p == '_' ||
			            *p == '+');
		assert_true(got[0] != '.' && got[0] != '-' && got[0] != '\0');
	}
}

static void
test_unique(void **state)
{
	char *used[] = {(char *)"01-photo.jpg", (char *)"01-PHOTO-2.jpg", (char *)"02-letter"};
	_cleanup_free_ char *a = safename_unique("01-photo.jpg", used, 3, 96);
	_cleanup_free_ char *b = safename_unique("02-letter", used, 3, 96);
	_cleanup_free_ char *c = safename_unique("03-new.pdf", used, 3, 96);
	_cleanup_free_ char *d = safename_unique("01-photo.jpg", used, 3, 16);

	(void)state;
	/* -2 is taken (case aside), so -3 */
	assert_string_equal(a, "01-photo-3.jpg");
	assert_string_equal(b, "02-letter-2");
	assert_string_equal(c, "03-new.pdf");
	assert_true(strlen(d) <= 16);
	assert_false(streq(d, "01-photo.jpg"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_make),
	    cmocka_unit_test(test_every_byte),
	    cmocka_unit_test(test_unique),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
