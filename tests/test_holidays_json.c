/*
 * test_holidays_json.c - reading the bank-holidays JSON feed and writing the
 * calendar's holiday file from it.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <setjmp.h>
#include <cmocka.h>

#include "calendar.h"
#include "holidays_json.h"
#include "util.h"

#define FIXTURE SRCDIR "/tests/fixtures/bank-holidays.json"
#define SHIPPED SRCDIR "/data/holidays-england-and-wales.txt"

static char *
read_fixture(size_t *ret_len)
{
	FILE *f = fopen(FIXTURE, "re");
	char *data = xmalloc(1024 * 1024);
	size_t n;

	assert_non_null(f);
	n = fread(data, 1, 1024 * 1024, f);
	assert_true(n > 0 && n < 1024 * 1024);
	fclose(f);
	*ret_len = n;
	return data;
}

static struct cal_date
D(const char *s) {
	struct cal_date d = {0, 0, 0};

	if (cal_date_parse(s, &d) < 0)
		fail_msg("bad date in test table: %s", s);
	return d;
}

static void
test_fixture_divisions(void **state)
{
	static const struct {
		const char *division;
		size_t n;
		const char *first_title, *date_10, *title_10, *last_date, *last_notes;
	} t[] = {
	    {"england-and-wales", 24, "New Year\xe2\x80\x99s Day", "2026-04-06", "Easter Monday",
	     "2027-12-28", "Substitute day"},
	    {"scotland", 27, "New Year\xe2\x80\x99s Day", "2026-01-02", "2nd January", "2027-12-28",
	     "Substitute day"},
	    {"northern-ireland", 30, "New Year\xe2\x80\x99s Day", "2026-01-01",
	     "New Year\xe2\x80\x99s Day", "2027-12-28", "Substitute day"},
	};
	size_t len;
	_cleanup_free_ char *data = read_fixture(&len);

	for (size_t i = 0; i < ELEMENTSOF(t); i++) {
		_cleanup_holiday_events_ struct holiday_events ev = HOLIDAY_EVENTS_INIT;
		_cleanup_free_ char *err = NULL;
		char buf[CAL_DATE_STRLEN];

		assert_int_equal(holidays_json_parse(data, len, t[i].division, &ev, &err), 0);
		assert_null(err);
		assert_int_equal(ev.n, t[i].n);
		assert_string_equal(ev.v[0].title, t[i].first_title);
		assert_int_equal(cal_date_format(ev.v[10].date, buf), 0);
		assert_string_equal(buf, t[i].date_10);
		assert_string_equal(ev.v[10].title, t[i].title_10);
		assert_int_equal(cal_date_format(ev.v[ev.n - 1].date, buf), 0);
		assert_string_equal(buf, t[i].last_date);
		assert_string_equal(ev.v[ev.n - 1].notes, t[i].last_notes);
	}
	{
		_cleanup_holiday_events_ struct holiday_events ev = HOLIDAY_EVENTS_INIT;
		_cleanup_free_ char *err = NULL;

		assert_int_equal(holidays_json_parse(data, len, "scotland", &ev, &err), 0);
		/* written as \u2019 in the fixture */
		assert_string_equal(ev.v[6].title, "St Andrew\xe2\x80\x99s Day");
		assert_string_equal(ev.v[6].notes, "Substitute day");
	}
	{
		_cleanup_holiday_events_ struct holiday_events ev = HOLIDAY_EVENTS_INIT;
		_cleanup_free_ char *err = NULL;

		assert_int_equal(holidays_json_parse(data, len, "wales", &ev, &err), -EINVAL);
		assert_string_equal(err, "no division \"wales\" (found: \"england-and-wales\", "
		                         "\"scotland\", \"northern-ireland\")");
		assert_int_equal(ev.n, 0);
	}
}

/* The file written from the feed loads, and agrees with the shipped list for 2025-2027. */
static void
test_written_file_matches_shipped_list(void **state)
{
	_cleanup_holiday_events_ struct holiday_events ev = HOLIDAY_EVENTS_INIT;
	_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
	_cleanup_buf_ struct buf out = BUF_INIT;
	_cleanup_free_ char *err = NULL;
	size_t len;
	_cleanup_free_ char *data = read_fixture(&len);
	struct calendar *fed = calendar_new(), *shipped = calendar_new();
	size_t n = 0;

	assert_int_equal(holidays_json_parse(data, len, "england-and-wales", &ev, &err), 0);
	assert_int_equal(holidays_write_file(&ev, "england-and-wales", &out), 0);
	assert_non_null(strstr(buf_str(&out), "\n# 2025\n2025-01-01  New Year\xe2\x80\x99s Day\n"
	                                      "2025-04-18  Good Friday\n"));
	assert_non_null(strstr(buf_str(&out), "\n2026-12-28  Boxing Day (Substitute day)\n"));
	assert_int_equal(calendar_parse_holidays(fed, out.data, out.len, "fed", &errs), 0);
	assert_int_equal(errs.n, 0);
	assert_int_equal(calendar_holiday_count(fed), 24);
	assert_int_equal(calendar_load_holidays(shipped, SHIPPED, &errs), 0);
	for (struct cal_date d = D("2025-01-01"); d.year <= 2027; d = cal_date_add_days(d, 1)) {
		bool a = calendar_holiday_name(fed, d) != NULL;
		bool b = calendar_holiday_name(shipped, d) != NULL;

		if (a != b)
			fail_msg("%d-%02d-%02d: feed %d, shipped list %d", d.year, d.month, d.day,
			         a, b);
		n += a;
	}
	assert_int_equal(n, 24);
	calendar_free(fed);
	calendar_free(shipped);
}

static void
test_string_escapes(void **state)
{
	static const struct {
		const char *json_title, *want;
	} t[] = {
	    {"plain", "plain"},
	    {"\\u00e2", "\xc3\xa2"},
	    {"caf\\u00E9", "caf\xc3\xa9"},
	    {"New Year\\u2019s Day", "New Year\xe2\x80\x99s Day"},
	    {"\\ud83c\\udf89 party", "\xf0\x9f\x8e\x89 party"},
	    {"a\\\"b\\\\c\\/d", "a\"b\\c/d"},
	    {"tab\\there\\nnew", "tab\there\nnew"},
	    {"\\b\\f\\r", "\b\f\r"},
	    {"\xe2\x80\x99 raw", "\xe2\x80\x99 raw"},
	    {"\xf0\x9f\x8e\x89", "\xf0\x9f\x8e\x89"},
	    {"\\u007f\\u0001", "\x7f\x01"},
	};

	for (size_t i = 0; i < ELEMENTSOF(t); i++) {
		_cleanup_holiday_events_ struct holiday_events ev = HOLIDAY_EVENTS_INIT;
		_cleanup_free_ char
		    *err = NULL,
		    *json = xasprintf(
		        "{\"d\":{\"events\":[{\"title\":\"%s\",\"date\":\"2026-01-01\"}]}}",
		        t[i].json_title);
		int r = holidays_json_parse(json, strlen(json), "d", &ev, &err);

		if (r != 0)
			fail_msg("%s: %d %s", json, r, err);
		assert_int_equal(ev.n, 1);
		assert_string_equal(ev.v[0].title, t[i].want);
		assert_string_equal(ev.v[0].notes, "");
	}
}

static void
test_malformed(void **state)
{
	static const struct {
		const char *json;
		int r;
		const char *error;
	} t[] = {
	    {"", -EINVAL, "line 1, column 1: unexpected end of input"},
	    {"   \n", -EINVAL, "line 2, column 1: unexpected end of input"},
	    {"{", -EINVAL, "line 1, column 2: expected a string key"},
	    {"{\"a\":1,}", -EINVAL, "line 1, column 8: expected a string key"},
	    {"[1,2]", -EINVAL, "line 1, column 1: expected an object of divisions"},
	    {"{\n  \"a\": 01}", -EINVAL, "line 2, column 9: leading zero in number"},
	    {"{\"a\":\"\\ud800\"}", -EINVAL, "high surrogate not followed by a low surrogate"},
	    {"{\"a\":\"\\ud800\\u0041\"}", -EINVAL,
	     "high surrogate not followed by a low surrogate"},
	    {"{\"a\":\"\\udc00\"}", -EINVAL, "lone low surrogate in \\u escape"},
	    {"{\"a\":\"\\u12\"}", -EINVAL, "\\u needs four hex digits"},
	    {"{\"a\":\"\\u12g4\"}", -EINVAL, "\\u needs four hex digits"},
	    {"{\"a\":\"x\\qy\"}", -EINVAL, "unknown escape in string"},
	    {"{\"a\":\"raw\x01\"}", -EINVAL, "control character in string"},
	    {"{\"a\":\"new\nline\"}", -EINVAL, "control character in string"},
	    {"{\"a\":\"\xff\"}", -EINVAL, "invalid UTF-8 in string"},
	    {"{\"a\":\"\xc0\xaf\"}", -EINVAL, "invalid UTF-8 in string"},
	    {"{\"a\":\"\xed\xa0\x80\"}", -EINVAL, "invalid UTF-8 in string"},
	    {"{\"a\":\"\xe2\x80\"}", -EINVAL, "invalid UTF-8 in string"},
	    {"{\"a\":1} x", -EINVAL, "line 1, column 9: trailing characters after the JSON value"},
	    {"{\"a\":1}{}", -EINVAL, "trailing characters after the JSON value"},
	    {"{\"a\":tru}", -EINVAL, "unexpected character"},
	    {"{\"a\":nul}", -EINVAL, "unexpected character"},
	    {"{\"a\":'x'}", -EINVAL, "unexpected character"},
	    {"{\"a\":1,\"a\":2}", -EINVAL, "duplicate key in object"},
	    {"{\"a\" 1}", -EINVAL, "expected ':' after key"},
	    {"{a:1}", -EINVAL, "expected a string key"},
	    {"{\"a\":[1 2]}", -EINVAL, "expected ',' or ']'"},
	    {"{\"a\":1 \"b\":2}", -EINVAL, "expected ',' or '}'"},
	    {"{\"a\":[1,2}", -EINVAL, "expected ',' or ']'"},
	    {"{\"a\":[1,2", -EINVAL, "unterminated array"},
	    {"{\"a\":1", -EINVAL, "unterminated object"},
	    {"{\"a\":\"\\u0000\"}", -EINVAL, "\\u0000 is not allowed in strings"},
	    {"{\"a\":-}", -EINVAL, "invalid number"},
	    {"{\"a\":1.}", -EINVAL, "invalid number"},
	    {"{\"a\":1e}", -EINVAL, "invalid number"},
	    {"{\"a\":+1}", -EINVAL, "unexpected character"},
	    {"{\"a\":\"open", -EINVAL, "unterminated string"},
	    {"{\"a\":\"open\\", -EINVAL, "unterminated string"},
	    /* structure of the feed */
	    {"{\"scotland\":{\"events\":[]}}", -EINVAL,
	     "no division \"england-and-wales\" (found: \"scotland\")"},
	    {"{}", -EINVAL, "no division \"england-and-wales\" (found: none)"},
	    {"{\"england-and-wales\":[]}", -EINVAL, "line 1, column 22: division is not an object"},
	    {"{\"england-and-wales\":{\"events\":{}}}", -EINVAL,
	     "division has no \"events\" array"},
	    {"{\"england-and-wales\":{\"events\":[1]}}", -EINVAL,
	     "line 1, column 33: event is not an object"},
	    {"{\"england-and-wales\":{\"events\":[{\"date\":\"2026-01-01\"}]}}", -EINVAL,
	     "event has no \"title\" string"},
	    {"{\"england-and-wales\":{\"events\":[{\"title\":\"x\"}]}}", -EINVAL,
	     "event has no \"date\" string"},
	    {"{\"england-and-wales\":{\"events\":[{\"title\":\"x\",\"date\":20260101}]}}", -EINVAL,
	     "event has no \"date\" string"},
	    {"{\"england-and-wales\":{\"events\":[{\"title\":\"x\",\"date\":\"2026-02-29\"}]}}",
	     -EINVAL, "\"date\" is not a day in the form YYYY-MM-DD"},
	    {"{\"england-and-wales\":{\"events\":[{\"title\":\"x\",\"date\":\"2026-01-01\","
	     "\"notes\":5}]}}",
	     -EINVAL, "\"notes\" is not a string"},
	};

	for (size_t i = 0; i < ELEMENTSOF(t); i++) {
		_cleanup_holiday_events_ struct holiday_events ev = HOLIDAY_EVENTS_INIT;
		_cleanup_free_ char *err = NULL;
		int r = holidays_json_parse(t[i].json, strlen(t[i].json), "england-and-wales", &ev,
		                            &err);

		if (r != t[i].r || err == NULL || strstr(err, t[i].error) == NULL)
			fail_msg("%s: got %d \"%s\", want %d \"%s\"", t[i].json, r, err ? err : "",
			         t[i].r, t[i].error);
		assert_int_equal(ev.n, 0);
		assert_null(ev.v);
	}
}

/* Build "{\"a\":" + n times open + "1" + n times close + "}" style inputs. */
static char *
nested(int depth)
{
	struct buf b = BUF_INIT;

	(void)buf_puts(&b, "{\"england-and-wales\":{\"events\":[],\"x\":");
	for (int i = 0; i < depth; i++)
		(void)buf_putc(&b, '[');
	for (int i = 0; i < depth; i++)
		(void)buf_putc(&b, ']');
	(void)buf_puts(&b, "}}");
	return buf_steal(&b);
}

static void
test_limits(void **state)
{
	static const struct {
		int depth, r;
	} depths[] = {{14, 0}, {15, -E2BIG}, {1000, -E2BIG}};
	_cleanup_holiday_events_ struct holiday_events ev = HOLIDAY_EVENTS_INIT;
	struct buf b = BUF_INIT;
	char *err = NULL, *s;

	/* two levels of objects, so 14 arrays make depth 16 */
	for (size_t i = 0; i < ELEMENTSOF(depths); i++) {
		s = nested(depths[i].depth);
		assert_int_equal(holidays_json_parse(s, strlen(s), "england-and-wales", &ev, &err),
		                 depths[i].r);
		if (depths[i].r)
			assert_non_null(strstr(err, "nested too deeply"));
		else
			assert_null(err);
		free(err);
		free(s);
		holiday_events_free(&ev);
	}

	/* a string of exactly the limit is fine, one byte more is not */
	for (int extra = 0; extra <= 1; extra++) {
		(void)buf_puts(
		    &b,
		    "{\"england-and-wales\":{\"events\":[{\"date\":\"2026-01-01\",\"title\":\"");
		for (int i = 0; i < HOLIDAYS_JSON_MAX_STRING + extra; i++)
			(void)buf_putc(&b, 'x');
		(void)buf_puts(&b, "\"}]}}");
		assert_int_equal(holidays_json_parse(b.data, b.len, "england-and-wales", &ev, &err),
		                 extra ? -E2BIG : 0);
		if (extra)
			assert_non_null(strstr(err, "string too long"));
		else
			assert_int_equal(strlen(ev.v[0].title), HOLIDAYS_JSON_MAX_STRING);
		free(err);
		err = NULL;
		holiday_events_free(&ev);
		buf_reset(&b);
	}

	/* too many members in one object */
	(void)buf_puts(&b, "{\"england-and-wales\":{\"events\":[]}");
	for (int i = 0; i < HOLIDAYS_JSON_MAX_MEMBERS; i++)
		(void)buf_printf(&b, ",\"k%d\":%d", i, i);
	(void)buf_puts(&b, "}");
	assert_int_equal(holidays_json_parse(b.data, b.len, "england-and-wales", &ev, &err),
	                 -E2BIG);
	assert_non_null(strstr(err, "too many members in one object"));
	free(err);
	buf_reset(&b);

	/* too many values */
	(void)buf_puts(&b, "{\"england-and-wales\":{\"events\":[]},\"x\":[");
	for (int i = 0; i < HOLIDAYS_JSON_MAX_VALUES; i++)
		(void)buf_puts(&b, "0,");
	(void)buf_puts(&b, "0]}");
	assert_int_equal(holidays_json_parse(b.data, b.len, "england-and-wales", &ev, &err),
	                 -E2BIG);
	assert_non_null(strstr(err, "too many values"));
	free(err);
	buf_reset(&b);

	/* input size */
	s = xmalloc(HOLIDAYS_JSON_MAX_INPUT + 1);
	memset(s, ' ', HOLIDAYS_JSON_MAX_INPUT + 1);
	memcpy(s, "{}", 2);
	assert_int_equal(holidays_json_parse(s, HOLIDAYS_JSON_MAX_INPUT + 1, "x", &ev, &err),
	                 -E2BIG);
	assert_non_null(strstr(err, "larger than"));
	free(err);
	assert_int_equal(holidays_json_parse(s, HOLIDAYS_JSON_MAX_INPUT, "x", &ev, &err), -EINVAL);
	assert_string_equal(err, "no division \"x\" (found: none)");
	free(err);
	free(s);
	buf_free(&b);
}

static void
test_write_file(void **state)
{
	static const char header[] =
	    "# Bank holidays: england-and-wales.\n"
	    "#\n"
	    "# Generated from the published UK bank-holidays JSON.  One holiday per\n"
	    "# line: the date (YYYY-MM-DD), white space, then its name.  Lines starting\n"
	    "# with '#' and blank lines are ignored.\n";
	struct holiday_event v[] = {
	    {{2027, 1, 1}, (char *)"New Year\xe2\x80\x99s Day", (char *)""},
	    {{2026, 12, 28}, (char *)"Boxing Day", (char *)"Substitute day"},
	    {{2026, 12, 25}, (char *)" Christmas\nDay ", (char *)"  "},
	};
	struct holiday_events ev = {v, ELEMENTSOF(v)};
	_cleanup_buf_ struct buf out = BUF_INIT;
	_cleanup_free_ char *want = xasprintf("%s\n# 2026\n2026-12-25  Christmas Day\n"
	                                      "2026-12-28  Boxing Day (Substitute day)\n"
	                                      "\n# 2027\n2027-01-01  New Year\xe2\x80\x99s Day\n",
	                                      header);
	_cleanup_free_ char *longname = xmalloc(600);
	struct buf small;

	assert_int_equal(holidays_write_file(&ev, "england-and-wales", &out), 0);
	assert_string_equal(buf_str(&out), want);
	/* the input order is left alone */
	assert_int_equal(v[0].date.year, 2027);

	buf_reset(&out);
	assert_int_equal(
	    holidays_write_file(&(struct holiday_events){v, 0}, "england-and-wales", &out), 0);
	assert_string_equal(buf_str(&out), header);

	buf_init(&small, 10);
	assert_int_equal(holidays_write_file(&ev, "england-and-wales", &small), -E2BIG);
	assert_int_equal(small.len, 0);
	buf_free(&small);

	v[2].date = v[1].date;
	assert_int_equal(holidays_write_file(&ev, "x", &out), -EEXIST);
	v[2].date = (struct cal_date){2026, 12, 25};
	v[2].title = (char *)" \n\t ";
	assert_int_equal(holidays_write_file(&ev, "x", &out), -EINVAL);
	memset(longname, 'x', 599);
	longname[599] = '\0';
	v[2].title = longname;
	assert_int_equal(holidays_write_file(&ev, "x", &out), -EINVAL);
	v[2].title = (char *)"Christmas Day";
	v[2].date = (struct cal_date){2026, 2, 30};
	assert_int_equal(holidays_write_file(&ev, "x", &out), -EINVAL);
	/* failed writes leave out as it was */
	assert_string_equal(buf_str(&out), header);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fixture_divisions),
	    cmocka_unit_test(test_written_file_matches_shipped_list),
	    cmocka_unit_test(test_string_escapes),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_write_file),
	};

	return cmocka_run_group_tests_name("holidays_json", tests, NULL, NULL) ? 1 : 0;
}
