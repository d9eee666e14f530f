/*
 * test_provisions.c - the provisions files of the Codes: the shipped ones
 * parse, in the Codes' order, each with its source; broken files are refused
 * with every problem named by file and line; limits hold.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "provisions.h"
#include "util.h"

static char *
read_data(const char *name, size_t *len)
{
	_cleanup_free_ char *path = xasprintf("%s/data/%s", SRCDIR, name);
	FILE *fp = fopen(path, "rb");
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;

	assert_non_null(fp);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		assert_int_equal(buf_append(&b, chunk, n), 0);
	fclose(fp);
	*len = b.len;
	return buf_steal(&b);
}

static void
check_shipped(const char *name, const char *code_word, size_t at_least)
{
	_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
	size_t len;
	_cleanup_free_ char *text = read_data(name, &len);
	struct provisions pv;

	if (provisions_parse(text, len, name, &pv, &errs) != 0) {
		for (size_t i = 0; i < errs.n; i++)
			print_error("%s\n", errs.v[i]);
		fail_msg("%s does not parse", name);
	}
	assert_non_null(strstr(pv.code, code_word));
	assert_true(pv.n >= at_least);
	for (size_t i = 0; i < pv.n; i++) {
		assert_true(startswith(pv.v[i].source_url, "https://"));
		assert_true(strlen(pv.v[i].requirement) > 20);
		assert_true(pv.v[i].major >= 1 && pv.v[i].major <= 9);
		if (i > 0)
			assert_true(pv.v[i].major > pv.v[i - 1].major ||
			            (pv.v[i].major == pv.v[i - 1].major && pv.v[i].minor > pv.v[i - 1].minor));
	}
	/* every section with provisions has its heading, for the HTML form */
	for (size_t i = 0; i < pv.n; i++)
		assert_non_null(pv.titles[pv.v[i].major]);
	/* the stage 1 timescales are evidenced by the cases in both Codes */
	assert_non_null(provisions_find(&pv, "6.2"));
	assert_int_equal(provisions_find(&pv, "6.2")->evidence, PROV_ACK1);
	assert_int_equal(provisions_find(&pv, "6.3")->evidence, PROV_RESP1);
	assert_null(provisions_find(&pv, "0.1"));
	provisions_done(&pv);
}

static void
test_shipped(void **state)
{
	(void)state;
	check_shipped("provisions-lgsco.conf", "Local Government", 40);
	check_shipped("provisions-housing.conf", "Housing Ombudsman", 15);
}

/* The two Codes head their sections in their own words. */
static void
test_shipped_titles(void **state)
{
	_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
	size_t len;
	_cleanup_free_ char *lgsco = read_data("provisions-lgsco.conf", &len);
	struct provisions pv;

	(void)state;
	assert_int_equal(provisions_parse(lgsco, len, "lgsco", &pv, &errs), 0);
	assert_string_equal(pv.titles[1], "Definition of a service request and complaint");
	assert_string_equal(pv.titles[4], "Complaint handling resources");
	assert_string_equal(pv.titles[8], "Performance reporting and self-assessment");
	provisions_done(&pv);

	_cleanup_free_ char *housing = read_data("provisions-housing.conf", &len);
	assert_int_equal(provisions_parse(housing, len, "housing", &pv, &errs), 0);
	assert_string_equal(pv.titles[1], "Definition of a complaint");
	assert_string_equal(pv.titles[4], "Complaint handling staff");
	assert_string_equal(pv.titles[8], "Self-assessment, reporting and compliance");
	provisions_done(&pv);
}

static const char good[] = "# a comment\n"
                           "code: A Code\n"
                           "source s1: https://example.org/code\n"
                           "\n"
                           "section 1: Definition of a complaint\n"
                           "1.2 [s1] council: Define a complaint.\n"
                           "6.2 [s1] ack1: Acknowledge within five working days.\n"
                           "6.10 [s1] ack2: Acknowledge stage 2 within five working days.\n";

static void
test_good(void **state)
{
	_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
	struct provisions pv;

	(void)state;
	assert_int_equal(provisions_parse(good, strlen(good), "x.conf", &pv, &errs), 0);
	assert_int_equal(errs.n, 0);
	assert_string_equal(pv.code, "A Code");
	assert_int_equal(pv.n, 3);
	assert_string_equal(pv.v[0].section, "1.2");
	assert_string_equal(pv.v[0].requirement, "Define a complaint.");
	assert_string_equal(pv.v[1].source_url, "https://example.org/code");
	assert_int_equal(pv.v[1].line, 7);
	assert_string_equal(pv.titles[1], "Definition of a complaint");
	assert_null(pv.titles[6]);
	/* 6.10 comes after 6.2: numbers, not strings, are compared */
	assert_int_equal(pv.v[2].major, 6);
	assert_int_equal(pv.v[2].minor, 10);
	assert_int_equal(pv.v[2].evidence, PROV_ACK2);
	provisions_done(&pv);
}

/* text must be refused, with an error "x.conf:LINE: ...WANT..." */
static void
refused(const char *text, size_t len, unsigned line, const char *want)
{
	_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
	_cleanup_free_ char *prefix = line ? xasprintf("x.conf:%u: ", line) : xstrdup("x.conf: ");
	struct provisions pv;
	bool found = false;

	assert_int_equal(provisions_parse(text, len, "x.conf", &pv, &errs), -EINVAL);
	assert_null(pv.v);
	assert_null(pv.code);
	for (size_t i = 0; i < errs.n; i++)
		if (startswith(errs.v[i], prefix) && strstr(errs.v[i], want))
			found = true;
	if (!found) {
		for (size_t i = 0; i < errs.n; i++)
			print_error("got: %s\n", errs.v[i]);
		fail_msg("expected \"%s...%s\"", prefix, want);
	}
}

#define HEAD "code: A Code\nsource s1: https://example.org/code\n"

static void
test_errors(void **state)
{
	static const struct {
		const char *text;
		unsigned line;
		const char *want;
	} cases[] = {
	    {HEAD "6.2 [s1] speed: Acknowledge.\n", 3, "unknown evidence \"speed\""},
	    {HEAD "6.2 [s2] ack1: Acknowledge.\n", 3, "source \"s2\" is not defined"},
	    {HEAD "6.2 ack1: Acknowledge.\n", 3, "the source is missing"},
	    {HEAD "6.2 [s1] ack1 Acknowledge.\n", 3, "expected \"EVIDENCE: REQUIREMENT\""},
	    {HEAD "6.2 [s1] ack1:\n", 3, "the requirement is empty"},
	    {HEAD "6.3 [s1] ack1: A.\n6.2 [s1] ack1: B.\n", 4, "6.2 comes after 6.3 (line 3)"},
	    {HEAD "6.2 [s1] ack1: A.\n6.2 [s1] ack1: B.\n", 4, "each once"},
	    {HEAD "06.2 [s1] ack1: A.\n", 3, "SECTION like 6.2"},
	    {HEAD "6. [s1] ack1: A.\n", 3, "SECTION like 6.2"},
	    {HEAD "100.1 [s1] ack1: A.\n", 3, "SECTION like 6.2"},
	    {HEAD "6.2[s1] ack1: A.\n", 3, "SECTION like 6.2"},
	    {"source s1: https://example.org/\n1.1 [s1] council: A.\n", 1, "the Code is not named"},
	    {HEAD "code: Another\n1.1 [s1] council: A.\n", 3, "named twice"},
	    {"source s1: https://example.org/\n1.1 [s1] council: A.\ncode: Late\n", 3,
	     "before the provisions"},
	    {HEAD "source s1: https://example.org/other\n", 3, "defined twice"},
	    {HEAD "source s2: ftp://example.org/\n", 3, "not an http(s) address"},
	    {HEAD "source s2: https://example.org/a b\n", 3, "not an http(s) address"},
	    {HEAD "source bad/name: https://example.org/\n", 3, "is not a name"},
	    {HEAD "1.1 [s1] council: A \x01 B.\n", 3, "control character"},
	    {HEAD, 2, "no provisions"},
	    {HEAD "section 6 Complaints stages\n6.2 [s1] ack1: A.\n", 3, "\"section N: TITLE\""},
	    {HEAD "section 0: Nothing\n6.2 [s1] ack1: A.\n", 3, "the number is 1 to 99"},
	    {HEAD "section 06: Stages\n6.2 [s1] ack1: A.\n", 3, "the number is 1 to 99"},
	    {HEAD "section 100: Stages\n6.2 [s1] ack1: A.\n", 3, "the number is 1 to 99"},
	    {HEAD "section 6x: Stages\n6.2 [s1] ack1: A.\n", 3, "the number is 1 to 99"},
	    {HEAD "section 6:  \n6.2 [s1] ack1: A.\n", 3, "section 6: the title is empty"},
	    {HEAD "section 6: A\nsection 6: B\n6.2 [s1] ack1: A.\n", 4, "section 6 is titled twice"},
	    {HEAD "6.2 [s1] ack1: A.\nsection 6: Stages\n", 4,
	     "section 6: the title must come before the section's provisions (line 3 has 6.2)"},
	    {HEAD "6.2 [s1] ack1: A.\nsection 5: Process\n", 4, "must come before"},
	};
	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++)
		refused(cases[i].text, strlen(cases[i].text), cases[i].line, cases[i].want);
}

static void
test_limits(void **state)
{
	_cleanup_buf_ struct buf b = BUF_INIT;
	_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
	struct provisions pv;

	(void)state;
	/* a line too long */
	assert_int_equal(buf_puts(&b, HEAD "1.1 [s1] council: "), 0);
	for (int i = 0; i < PROVISIONS_MAX_LINE; i++)
		assert_int_equal(buf_putc(&b, 'a'), 0);
	assert_int_equal(buf_puts(&b, "\n"), 0);
	refused(buf_str(&b), b.len, 3, "line longer than");

	/* too many provisions */
	buf_reset(&b);
	assert_int_equal(buf_puts(&b, HEAD), 0);
	for (int s = 1; s <= 9; s++)
		for (int p = 1; p <= 60; p++)
			assert_int_equal(buf_printf(&b, "%d.%d [s1] council: A.\n", s, p), 0);
	refused(buf_str(&b), b.len, 3 + PROVISIONS_MAX_ITEMS + 1, "more than 400 provisions");

	/* too big, not UTF-8, a NUL byte */
	buf_reset(&b);
	while (b.len <= PROVISIONS_MAX_BYTES)
		assert_int_equal(buf_puts(&b, "# padding padding padding padding\n"), 0);
	refused(buf_str(&b), b.len, 0, "larger than");
	static const char latin1[] = HEAD "1.1 [s1] council: caf\xe9.\n";
	static const char nul[] = HEAD "1.1 [s1] council: A\0B.\n";
	refused(latin1, sizeof(latin1) - 1, 0, "not UTF-8");
	refused(nul, sizeof(nul) - 1, 0, "not UTF-8");

	/* every problem of a file is reported, not only the first */
	static const char several[] = HEAD "1.1 [s9] council: A.\n1.2 [s1] nope: B.\n1.3 [s1] ack1:\n";
	assert_int_equal(provisions_parse(several, strlen(several), "x.conf", &pv, &errs), -EINVAL);
	assert_int_equal(errs.n, 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_shipped),
	    cmocka_unit_test(test_shipped_titles),
	    cmocka_unit_test(test_good),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
