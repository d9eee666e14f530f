/*
 * test_calendar.c - working days, deadlines, the date received and the
 * shipped holiday list.
 *
 * Every expected date in the tables below was worked out from a printed
 * calendar of the month in question and the official bank-holiday list; none
 * comes from the code under test.
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
#include "util.h"

#define SHIPPED SRCDIR "/data/holidays-england-and-wales.txt"

static struct cal_date
D(const char *s) {
	struct cal_date d = {0, 0, 0};

	if (cal_date_parse(s, &d) < 0)
		fail_msg("bad date in test table: %s", s);
	return d;
}

static void
assert_date_is(struct cal_date got, const char *want, const char *what)
{
	char buf[CAL_DATE_STRLEN];

	assert_int_equal(cal_date_format(got, buf), 0);
	if (!streq(buf, want))
		fail_msg("%s: got %s, want %s", what, buf, want);
}

static struct calendar *
shipped_calendar(void)
{
	_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
	struct calendar *cal = calendar_new();

	assert_int_equal(calendar_load_holidays(cal, SHIPPED, &errs), 0);
	assert_int_equal(errs.n, 0);
	return cal;
}

/* ------------------------------------------------------------ dates */

static void
test_date_parse(void **state)
{
	static const struct {
		const char *s;
		int r, y, m, d;
	} t[] = {
	    {"2026-02-28", 0, 2026, 2, 28},
	    {"2028-02-29", 0, 2028, 2, 29},
	    {"2000-02-29", 0, 2000, 2, 29},
	    {"2026-12-31", 0, 2026, 12, 31},
	    {"0001-01-01", 0, 1, 1, 1},
	    {"9999-12-31", 0, 9999, 12, 31},
	    {"2026-04-30", 0, 2026, 4, 30},
	    {"2026-02-29", -EINVAL, 0, 0, 0},
	    {"1900-02-29", -EINVAL, 0, 0, 0},
	    {"2100-02-29", -EINVAL, 0, 0, 0},
	    {"2026-13-01", -EINVAL, 0, 0, 0},
	    {"2026-00-10", -EINVAL, 0, 0, 0},
	    {"2026-01-00", -EINVAL, 0, 0, 0},
	    {"2026-04-31", -EINVAL, 0, 0, 0},
	    {"2026-06-31", -EINVAL, 0, 0, 0},
	    {"2026-01-32", -EINVAL, 0, 0, 0},
	    {"", -EINVAL, 0, 0, 0},
	    {"garbage", -EINVAL, 0, 0, 0},
	    {"2026-1-01", -EINVAL, 0, 0, 0},
	    {"2026/01/01", -EINVAL, 0, 0, 0},
	    {"2026-01-01 ", -EINVAL, 0, 0, 0},
	    {" 2026-01-01", -EINVAL, 0, 0, 0},
	    {"2026-01-1", -EINVAL, 0, 0, 0},
	    {"20260101", -EINVAL, 0, 0, 0},
	    {"2026-01-01T09:00", -EINVAL, 0, 0, 0},
	    {"+026-01-01", -EINVAL, 0, 0, 0},
	    {"0000-01-01", -EINVAL, 0, 0, 0},
	    {"2026-0a-01", -EINVAL, 0, 0, 0},
	    {"2026--1-01", -EINVAL, 0, 0, 0},
	    {"26-01-01", -EINVAL, 0, 0, 0},
	    {"2026-01-01\n", -EINVAL, 0, 0, 0},
	    {"-2026-01-01", -EINVAL, 0, 0, 0},
	};

	for (size_t i = 0; i < ELEMENTSOF(t); i++) {
		struct cal_date d = {-1, -1, -1};
		int r = cal_date_parse(t[i].s, &d);

		if (r != t[i].r)
			fail_msg("parse \"%s\": got %d, want %d", t[i].s, r, t[i].r);
		if (r == 0) {
			assert_int_equal(d.year, t[i].y);
			assert_int_equal(d.month, t[i].m);
			assert_int_equal(d.day, t[i].d);
		} else
			assert_int_equal(d.year, -1); /* untouched on error */
	}
	assert_int_equal(cal_date_parse(NULL, &(struct cal_date){0}), -EINVAL);
}

static void
test_date_format(void **state)
{
	static const struct {
		const char *date, *longform;
		int weekday;
	} t[] = {
	    {"2026-12-07", "Monday 7 December 2026", 0},
	    {"2026-01-01", "Thursday 1 January 2026", 3},
	    {"2028-02-29", "Tuesday 29 February 2028", 1},
	    {"2026-03-29", "Sunday 29 March 2026", 6},
	    {"2026-10-25", "Sunday 25 October 2026", 6},
	    {"2000-01-01", "Saturday 1 January 2000", 5},
	    {"1970-01-01", "Thursday 1 January 1970", 3},
	    {"2022-09-19", "Monday 19 September 2022", 0},
	    {"2024-02-29", "Thursday 29 February 2024", 3},
	    {"2030-12-31", "Tuesday 31 December 2030", 1},
	    {"2026-06-05", "Friday 5 June 2026", 4},
	    {"2026-11-18", "Wednesday 18 November 2026", 2},
	};
	char buf[CAL_DATE_STRLEN];

	for (size_t i = 0; i < ELEMENTSOF(t); i++) {
		_cleanup_free_ char *s = cal_date_format_long(D(t[i].date));

		assert_string_equal(s, t[i].longform);
		assert_int_equal(cal_date_weekday(D(t[i].date)), t[i].weekday);
		assert_int_equal(cal_date_format(D(t[i].date), buf), 0);
		assert_string_equal(buf, t[i].date);
	}
	assert_int_equal(cal_date_format((struct cal_date){10000, 1, 1}, buf), -ERANGE);
	assert_string_equal(buf, "");
	assert_int_equal(cal_date_format((struct cal_date){2026, 2, 29}, buf), -ERANGE);
	{
		_cleanup_free_ char *s = cal_date_format_long((struct cal_date){2026, 13, 1});
		assert_string_equal(s, "");
	}
}

static void
test_date_arithmetic(void **state)
{
	static const struct {
		const char *from;
		int n;
		const char *want;
	} t[] = {
	    {"2026-12-31", 1, "2027-01-01"},   {"2028-02-28", 1, "2028-02-29"},
	    {"2027-02-28", 1, "2027-03-01"},   {"2026-01-01", -1, "2025-12-31"},
	    {"2026-03-01", -1, "2026-02-28"},  {"2026-01-01", 365, "2027-01-01"},
	    {"2028-01-01", 366, "2029-01-01"}, {"1970-01-01", -1, "1969-12-31"},
	    {"2000-02-28", 1, "2000-02-29"},   {"1900-02-28", 1, "1900-03-01"},
	    {"2026-03-29", 0, "2026-03-29"},   {"0001-01-01", 0, "0001-01-01"},
	};

	for (size_t i = 0; i < ELEMENTSOF(t); i++)
		assert_date_is(cal_date_add_days(D(t[i].from), t[i].n), t[i].want, t[i].from);

	assert_true(cal_date_compare(D("2026-01-01"), D("2026-01-02")) < 0);
	assert_true(cal_date_compare(D("2026-02-01"), D("2026-01-31")) > 0);
	assert_true(cal_date_compare(D("2025-12-31"), D("2026-01-01")) < 0);
	assert_int_equal(cal_date_compare(D("2026-05-04"), D("2026-05-04")), 0);
	assert_int_equal(cal_date_to_days(D("1970-01-01")), 0);
	assert_int_equal(cal_date_to_days(D("2026-01-01")) - cal_date_to_days(D("2025-01-01")),
	                 365);
}

/* ------------------------------------------------------------ working days */

static const struct {
	const char *from;
	int n;
	const char *want;
} add_cases[] = {
    /* ordinary weeks */
    {"2026-01-09", 1, "2026-01-12"}, /* Friday + 1 = Monday */
    {"2026-01-12", 0, "2026-01-12"},
    {"2026-01-12", 1, "2026-01-13"},
    {"2026-01-12", 5, "2026-01-19"},
    {"2026-01-12", 10, "2026-01-26"},
    {"2026-01-12", 20, "2026-02-09"},
    {"2026-01-14", 5, "2026-01-21"},
    {"2026-01-16", 5, "2026-01-23"},
    {"2026-01-12", -1, "2026-01-09"},
    {"2026-01-19", -5, "2026-01-12"},
    {"2026-01-10", 1, "2026-01-12"}, /* from a Saturday */
    {"2026-01-11", 1, "2026-01-12"}, /* from a Sunday */
    {"2026-01-10", 0, "2026-01-10"},
    {"2026-01-11", -1, "2026-01-09"},
    /* VE day 2020 moved the early May holiday to Friday 8 May */
    {"2020-05-08", 1, "2020-05-11"},
    {"2020-05-07", 1, "2020-05-11"},
    {"2020-05-04", 1, "2020-05-05"}, /* first Monday of May 2020 was a working day */
    {"2020-05-04", 5, "2020-05-12"},
    {"2020-05-11", -1, "2020-05-07"},
    /* Platinum Jubilee: spring holiday moved to Thursday 2 June, plus Friday 3 June 2022 */
    {"2022-06-02", 1, "2022-06-06"},
    {"2022-06-03", 1, "2022-06-06"},
    {"2022-06-01", 1, "2022-06-06"},
    {"2022-05-27", 1, "2022-05-30"}, /* last Monday of May 2022 was a working day */
    {"2022-05-30", 5, "2022-06-08"},
    {"2022-05-27", 10, "2022-06-14"},
    {"2022-06-06", -1, "2022-06-01"},
    /* State Funeral, Monday 19 September 2022 */
    {"2022-09-19", 1, "2022-09-20"},
    {"2022-09-16", 1, "2022-09-20"},
    {"2022-09-15", 5, "2022-09-23"},
    {"2022-09-20", -1, "2022-09-16"},
    /* Coronation, Monday 8 May 2023, a week after the early May holiday */
    {"2023-05-08", 1, "2023-05-09"},
    {"2023-05-01", 1, "2023-05-02"},
    {"2023-05-05", 1, "2023-05-09"},
    {"2023-04-28", 5, "2023-05-09"},
    {"2023-04-28", 10, "2023-05-16"},
    {"2023-05-09", -5, "2023-04-28"},
    /* Christmas 2021 on a Saturday: substitutes 27 and 28 December, New Year 3 January */
    {"2021-12-27", 1, "2021-12-29"},
    {"2021-12-28", 1, "2021-12-29"},
    {"2021-12-24", 1, "2021-12-29"},
    {"2021-12-24", 5, "2022-01-05"},
    {"2021-12-23", 10, "2022-01-11"},
    {"2022-01-03", 1, "2022-01-04"},
    {"2021-12-31", 1, "2022-01-04"},
    {"2022-01-04", -1, "2021-12-31"},
    /* Christmas 2022 on a Sunday: 26 December and substitute 27 December; New Year 2 January */
    {"2022-12-26", 1, "2022-12-28"},
    {"2022-12-27", 1, "2022-12-28"},
    {"2022-12-23", 1, "2022-12-28"},
    {"2022-12-23", 5, "2023-01-04"},
    {"2023-01-02", 1, "2023-01-03"},
    {"2022-12-30", 1, "2023-01-03"},
    {"2022-12-28", -1, "2022-12-23"},
    /* 2020: Christmas Friday, Boxing Day substitute Monday 28, New Year Friday */
    {"2020-12-24", 1, "2020-12-29"},
    {"2020-12-24", 5, "2021-01-05"},
    {"2020-12-25", 1, "2020-12-29"},
    {"2020-12-28", 1, "2020-12-29"},
    {"2020-12-31", 1, "2021-01-04"},
    {"2021-01-01", 1, "2021-01-04"},
    {"2020-12-18", 10, "2021-01-06"},
    {"2021-01-04", -1, "2020-12-31"},
    {"2020-12-29", -1, "2020-12-24"},
    /* 2025/2026: Christmas Thursday and Friday, New Year Thursday */
    {"2025-12-24", 1, "2025-12-29"},
    {"2025-12-24", 5, "2026-01-05"},
    {"2025-12-31", 1, "2026-01-02"},
    {"2026-01-01", 1, "2026-01-02"},
    {"2026-01-02", -1, "2025-12-31"},
    {"2026-01-05", -5, "2025-12-24"},
    /* 2026/2027: Christmas Friday, Boxing Day substitute Monday 28, New Year Friday */
    {"2026-12-25", 1, "2026-12-29"},
    {"2026-12-28", 1, "2026-12-29"},
    {"2026-12-24", 1, "2026-12-29"},
    {"2026-12-24", 5, "2027-01-05"},
    {"2026-12-18", 10, "2027-01-06"},
    {"2026-12-21", 20, "2027-01-21"},
    {"2026-12-31", 1, "2027-01-04"},
    {"2027-01-01", 1, "2027-01-04"},
    {"2026-12-29", -1, "2026-12-24"},
    {"2027-01-05", -5, "2026-12-24"},
    /* 2027/2028: Christmas Saturday, substitutes 27 and 28 December, New Year 3 January */
    {"2027-12-27", 1, "2027-12-29"},
    {"2027-12-28", 1, "2027-12-29"},
    {"2027-12-24", 1, "2027-12-29"},
    {"2027-12-24", 5, "2028-01-05"},
    {"2028-01-03", 1, "2028-01-04"},
    {"2027-12-31", 1, "2028-01-04"},
    {"2027-12-31", 5, "2028-01-10"},
    {"2027-12-23", 10, "2028-01-11"},
    {"2028-01-04", -1, "2027-12-31"},
    /* Easter 2025: Good Friday 18 April, Easter Monday 21 April */
    {"2025-04-17", 1, "2025-04-22"},
    {"2025-04-18", 1, "2025-04-22"},
    {"2025-04-21", 1, "2025-04-22"},
    {"2025-04-14", 5, "2025-04-23"},
    {"2025-04-22", -1, "2025-04-17"},
    {"2025-04-11", 10, "2025-04-29"},
    /* Easter 2026: Good Friday 3 April, Easter Monday 6 April */
    {"2026-04-02", 1, "2026-04-07"},
    {"2026-04-03", 1, "2026-04-07"},
    {"2026-04-06", 1, "2026-04-07"},
    {"2026-03-30", 5, "2026-04-08"},
    {"2026-03-27", 10, "2026-04-14"},
    {"2026-04-07", -1, "2026-04-02"},
    /* Easter 2027: Good Friday 26 March, Easter Monday 29 March */
    {"2027-03-25", 1, "2027-03-30"},
    {"2027-03-26", 1, "2027-03-30"},
    {"2027-03-29", 1, "2027-03-30"},
    {"2027-03-22", 5, "2027-03-31"},
    {"2027-03-19", 10, "2027-04-06"},
    {"2027-03-30", -1, "2027-03-25"},
    /* the other 2026 holidays */
    {"2026-05-01", 1, "2026-05-05"},
    {"2026-05-04", 1, "2026-05-05"},
    {"2026-05-22", 1, "2026-05-26"},
    {"2026-05-25", 1, "2026-05-26"},
    {"2026-08-28", 1, "2026-09-01"},
    {"2026-08-31", 1, "2026-09-01"},
    {"2026-05-18", 10, "2026-06-02"},
    /* month and year ends */
    {"2026-01-30", 1, "2026-02-02"},
    {"2026-02-27", 1, "2026-03-02"},
    {"2026-03-31", 1, "2026-04-01"},
    {"2026-04-30", 1, "2026-05-01"},
    {"2026-06-30", 5, "2026-07-07"},
    {"2026-09-30", 10, "2026-10-14"},
    {"2026-10-30", 1, "2026-11-02"},
    {"2026-11-30", 20, "2026-12-30"},
    {"2025-12-31", 0, "2025-12-31"},
    /* leap day */
    {"2028-02-28", 1, "2028-02-29"},
    {"2028-02-29", 1, "2028-03-01"},
    {"2028-02-25", 5, "2028-03-03"},
    {"2028-03-01", -2, "2028-02-28"},
    {"2028-02-29", 0, "2028-02-29"},
    {"2024-02-28", 1, "2024-02-29"},
    {"2026-02-27", 0, "2026-02-27"},
};

static void
test_add_working_days(void **state)
{
	struct calendar *cal = shipped_calendar();

	for (size_t i = 0; i < ELEMENTSOF(add_cases); i++) {
		char what[64];
		int r = snprintf(what, sizeof(what), "%s %+d", add_cases[i].from, add_cases[i].n);

		assert_true(r > 0 && (size_t)r < sizeof(what));
		assert_date_is(calendar_add_working_days(cal, D(add_cases[i].from), add_cases[i].n),
		               add_cases[i].want, what);
	}
	calendar_free(cal);
}

static void
test_is_working_day(void **state)
{
	static const struct {
		const char *date;
		bool working;
	} t[] = {
	    {"2026-01-01", false}, {"2026-01-02", true},  {"2026-01-03", false},
	    {"2026-01-04", false}, {"2026-01-05", true},  {"2026-04-03", false},
	    {"2026-04-06", false}, {"2026-04-07", true},  {"2026-05-04", false},
	    {"2026-05-25", false}, {"2026-08-31", false}, {"2026-12-24", true},
	    {"2026-12-25", false}, {"2026-12-28", false}, {"2026-12-29", true},
	    {"2020-05-04", true},  {"2020-05-08", false}, {"2022-05-30", true},
	    {"2022-06-02", false}, {"2022-06-03", false}, {"2022-09-19", false},
	    {"2023-05-08", false}, {"2021-12-27", false}, {"2021-12-28", false},
	    {"2022-12-27", false}, {"2027-12-27", false}, {"2027-12-28", false},
	    {"2028-01-03", false}, {"2028-02-29", true},  {"2026-03-29", false},
	};
	struct calendar *cal = shipped_calendar();
	struct calendar *bare = calendar_new();

	for (size_t i = 0; i < ELEMENTSOF(t); i++) {
		if (calendar_is_working_day(cal, D(t[i].date)) != t[i].working)
			fail_msg("%s: working day should be %d", t[i].date, t[i].working);
		/* Without holidays only the weekday matters. */
		assert_int_equal(calendar_is_working_day(bare, D(t[i].date)),
		                 cal_date_weekday(D(t[i].date)) < 5);
	}
	assert_string_equal(calendar_holiday_name(cal, D("2022-09-19")),
	                    "Bank holiday for the State Funeral of Queen Elizabeth II");
	assert_string_equal(calendar_holiday_name(cal, D("2026-12-28")),
	                    "Boxing Day (substitute day)");
	assert_null(calendar_holiday_name(cal, D("2026-12-29")));
	calendar_free(bare);
	calendar_free(cal);
}

static void
test_working_days_between(void **state)
{
	static const struct {
		const char *from, *to;
		long n;
	} t[] = {
	    {"2026-01-12", "2026-01-12", 0},    {"2026-01-12", "2026-01-13", 1},
	    {"2026-01-09", "2026-01-12", 1},    {"2026-01-09", "2026-01-10", 0},
	    {"2026-01-10", "2026-01-12", 1},    {"2026-01-10", "2026-01-11", 0},
	    {"2026-01-12", "2026-01-19", 5},    {"2026-01-12", "2026-02-09", 20},
	    {"2026-12-24", "2027-01-05", 5},    {"2026-12-24", "2026-12-29", 1},
	    {"2026-12-24", "2026-12-28", 0},    {"2026-12-25", "2026-12-29", 1},
	    {"2026-12-21", "2027-01-21", 20},   {"2026-03-27", "2026-04-14", 10},
	    {"2026-01-13", "2026-01-12", -1},   {"2027-01-05", "2026-12-24", -5},
	    {"2022-05-27", "2022-06-08", 6},    {"2023-04-28", "2023-05-16", 10},
	    {"2021-12-23", "2022-01-11", 10},   {"2025-12-31", "2026-12-31", 253},
	    {"2026-12-31", "2027-12-31", 253},  {"2021-12-31", "2022-12-31", 250},
	    {"2019-12-31", "2020-12-31", 254},  {"2027-12-31", "2028-12-31", 252},
	    {"2026-12-31", "2025-12-31", -253}, {"2020-12-24", "2021-01-05", 5},
	};
	struct calendar *cal = shipped_calendar();

	for (size_t i = 0; i < ELEMENTSOF(t); i++) {
		long n = calendar_working_days_between(cal, D(t[i].from), D(t[i].to));

		if (n != t[i].n)
			fail_msg("between %s and %s: got %ld, want %ld", t[i].from, t[i].to, n,
			         t[i].n);
	}
	calendar_free(cal);
}

/* between() and add() agree for every working day of the shipped years. */
static void
test_between_inverts_add(void **state)
{
	struct calendar *cal = shipped_calendar();
	long first = cal_date_to_days(D("2018-01-01")), last = cal_date_to_days(D("2030-12-31"));
	size_t checked = 0;

	for (long day = first; day <= last; day++) {
		struct cal_date d = cal_date_from_days(day);

		if (!calendar_is_working_day(cal, d))
			continue;
		for (int n = -25; n <= 25; n++) {
			struct cal_date e = calendar_add_working_days(cal, d, n);

			assert_true(calendar_is_working_day(cal, e) || n == 0);
			assert_int_equal(calendar_working_days_between(cal, d, e), n);
			checked++;
		}
	}
	assert_true(checked > 3000 * 51);
	calendar_free(cal);
}

/* ------------------------------------------------------------ date received */

static time_t
utc(const char *s)
{
	struct tm tm = {0};
	const char *end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);

	if (end == NULL || *end != '\0')
		fail_msg("bad time in test table: %s", s);
	return timegm(&tm);
}

static void
test_received_date(void **state)
{
	static const struct {
		const char *hours, *at, *want;
	} t[] = {
	    /* winter (GMT): local time is UTC; Wednesday 14 January 2026 */
	    {NULL, "2026-01-14T16:59:00Z", "2026-01-14"},
	    {NULL, "2026-01-14T16:59:59Z", "2026-01-14"},
	    {NULL, "2026-01-14T17:00:00Z", "2026-01-15"},
	    {NULL, "2026-01-14T17:01:00Z", "2026-01-15"},
	    {NULL, "2026-01-14T08:59:00Z", "2026-01-14"},
	    {NULL, "2026-01-14T09:00:00Z", "2026-01-14"},
	    {NULL, "2026-01-14T00:00:00Z", "2026-01-14"},
	    {NULL, "2026-01-14T23:59:59Z", "2026-01-15"},
	    /* summer (BST = UTC+1): Wednesday 15 July 2026, 17:00 BST is 16:00Z */
	    {NULL, "2026-07-15T15:59:00Z", "2026-07-15"},
	    {NULL, "2026-07-15T16:00:00Z", "2026-07-16"},
	    {NULL, "2026-07-15T16:01:00Z", "2026-07-16"},
	    {NULL, "2026-07-15T07:59:00Z", "2026-07-15"},
	    {NULL, "2026-07-15T16:30:00Z", "2026-07-16"},
	    {NULL, "2026-07-13T00:30:00Z", "2026-07-13"}, /* 01:30 BST on a Monday */
	    {NULL, "2026-07-12T23:30:00Z", "2026-07-13"}, /* 00:30 BST on the Monday */
	    /* Friday after hours and weekends go to Monday */
	    {NULL, "2026-07-17T16:30:00Z", "2026-07-20"},
	    {NULL, "2026-07-17T15:30:00Z", "2026-07-17"},
	    {NULL, "2026-01-16T17:30:00Z", "2026-01-19"},
	    {NULL, "2026-07-18T10:00:00Z", "2026-07-20"},
	    {NULL, "2026-07-19T12:00:00Z", "2026-07-20"},
	    {NULL, "2026-01-17T10:00:00Z", "2026-01-19"},
	    {NULL, "2026-01-18T23:59:00Z", "2026-01-19"},
	    /* clocks go forward on Sunday 29 March 2026 at 01:00Z */
	    {NULL, "2026-03-27T16:59:00Z", "2026-03-27"}, /* Friday, still GMT */
	    {NULL, "2026-03-27T17:00:00Z", "2026-03-30"},
	    {NULL, "2026-03-29T00:59:00Z", "2026-03-30"},
	    {NULL, "2026-03-29T01:00:00Z", "2026-03-30"},
	    {NULL, "2026-03-29T23:30:00Z", "2026-03-30"}, /* 00:30 BST on the Monday */
	    {NULL, "2026-03-30T07:59:00Z", "2026-03-30"},
	    {NULL, "2026-03-30T15:59:00Z", "2026-03-30"},
	    {NULL, "2026-03-30T16:00:00Z", "2026-03-31"}, /* 17:00 BST */
	    /* clocks go back on Sunday 25 October 2026 at 01:00Z */
	    {NULL, "2026-10-23T15:59:00Z", "2026-10-23"}, /* Friday, still BST */
	    {NULL, "2026-10-23T16:00:00Z", "2026-10-26"},
	    {NULL, "2026-10-25T00:30:00Z", "2026-10-26"},
	    {NULL, "2026-10-25T01:30:00Z", "2026-10-26"},
	    {NULL, "2026-10-26T16:00:00Z", "2026-10-26"}, /* 16:00 GMT */
	    {NULL, "2026-10-26T16:59:00Z", "2026-10-26"},
	    {NULL, "2026-10-26T17:00:00Z", "2026-10-27"},
	    /* holidays */
	    {NULL, "2026-12-24T16:59:00Z", "2026-12-24"},
	    {NULL, "2026-12-24T17:00:00Z", "2026-12-29"}, /* Christmas Eve after hours */
	    {NULL, "2025-12-24T17:30:00Z", "2025-12-29"},
	    {NULL, "2027-12-24T17:00:00Z", "2027-12-29"},
	    {NULL, "2020-12-24T18:00:00Z", "2020-12-29"},
	    {NULL, "2026-12-25T10:00:00Z", "2026-12-29"},
	    {NULL, "2026-12-31T16:59:00Z", "2026-12-31"},
	    {NULL, "2026-12-31T17:00:00Z", "2027-01-04"},
	    {NULL, "2027-12-31T17:00:00Z", "2028-01-04"},
	    {NULL, "2026-04-02T15:59:00Z", "2026-04-02"}, /* Maundy Thursday, BST */
	    {NULL, "2026-04-02T16:00:00Z", "2026-04-07"},
	    {NULL, "2026-04-03T10:00:00Z", "2026-04-07"},
	    {NULL, "2026-04-06T10:00:00Z", "2026-04-07"},
	    {NULL, "2026-05-04T10:00:00Z", "2026-05-05"},
	    {NULL, "2026-08-31T10:00:00Z", "2026-09-01"},
	    {NULL, "2022-09-19T10:00:00Z", "2022-09-20"},
	    {NULL, "2023-05-08T08:00:00Z", "2023-05-09"},
	    /* other working hours */
	    {"08:30-16:30", "2026-01-14T16:29:00Z", "2026-01-14"},
	    {"08:30-16:30", "2026-01-14T16:30:00Z", "2026-01-15"},
	    {"08:30-16:30", "2026-07-15T15:29:00Z", "2026-07-15"},
	    {"08:30-16:30", "2026-07-15T15:30:00Z", "2026-07-16"},
	    {"00:00-24:00", "2026-01-14T23:59:00Z", "2026-01-14"},
	    {"00:00-24:00", "2026-01-17T12:00:00Z", "2026-01-19"},
	};
	struct calendar *cal = shipped_calendar();

	for (size_t i = 0; i < ELEMENTSOF(t); i++) {
		struct cal_date d;

		assert_int_equal(
		    calendar_set_working_hours(cal, t[i].hours ? t[i].hours : "09:00-17:00"), 0);
		assert_int_equal(calendar_received_date(cal, utc(t[i].at), &d), 0);
		assert_date_is(d, t[i].want, t[i].at);
	}
	calendar_free(cal);
}

static void
test_working_hours(void **state)
{
	static const struct {
		const char *spec;
		int r, open, close;
	} t[] = {
	    {"09:00-17:00", 0, 540, 1020},
	    {"08:30-16:30", 0, 510, 990},
	    {"00:00-24:00", 0, 0, 1440},
	    {"07:05-19:45", 0, 425, 1185},
	    {"17:00-09:00", -EINVAL, 0, 0},
	    {"09:00-09:00", -EINVAL, 0, 0},
	    {"9:00-17:00", -EINVAL, 0, 0},
	    {"09:00 - 17:00", -EINVAL, 0, 0},
	    {"09:60-17:00", -EINVAL, 0, 0},
	    {"24:00-24:00", -EINVAL, 0, 0},
	    {"09:00-24:01", -EINVAL, 0, 0},
	    {"25:00-26:00", -EINVAL, 0, 0},
	    {"", -EINVAL, 0, 0},
	    {"09:00", -EINVAL, 0, 0},
	    {"09:00-17:00x", -EINVAL, 0, 0},
	    {"ab:cd-ef:gh", -EINVAL, 0, 0},
	    {"09.00-17.00", -EINVAL, 0, 0},
	    {"09:00_17:00", -EINVAL, 0, 0},
	};
	struct calendar *cal = calendar_new();
	int open, close;

	calendar_get_working_hours(cal, &open, &close);
	assert_int_equal(open, 9 * 60);
	assert_int_equal(close, 17 * 60);
	assert_string_equal(calendar_timezone(cal), "Europe/London");
	for (size_t i = 0; i < ELEMENTSOF(t); i++) {
		int r;

		assert_int_equal(calendar_set_working_hours(cal, "10:00-11:00"), 0);
		r = calendar_set_working_hours(cal, t[i].spec);
		if (r != t[i].r)
			fail_msg("working hours \"%s\": got %d, want %d", t[i].spec, r, t[i].r);
		calendar_get_working_hours(cal, &open, &close);
		assert_int_equal(open, r == 0 ? t[i].open : 600); /* unchanged on error */
		assert_int_equal(close, r == 0 ? t[i].close : 660);
	}
	assert_int_equal(calendar_set_working_hours(cal, NULL), -EINVAL);
	assert_int_equal(calendar_set_timezone(cal, "Europe/Dublin"), 0);
	assert_string_equal(calendar_timezone(cal), "Europe/Dublin");
	assert_int_equal(calendar_set_timezone(cal, ""), -EINVAL);
	assert_int_equal(calendar_set_timezone(cal, "Europe/ London"), -EINVAL);
	assert_string_equal(calendar_timezone(cal), "Europe/Dublin");
	calendar_free(cal);
}

/* ------------------------------------------------------------ holiday files */

static void
test_holiday_file_errors(void **state)
{
	static const char text[] = "# closures\n"
	                           "2026-01-01  New Year's Day\n"
	                           "2026-02-30  Not a day\n"
	                           "notadate here\n"
	                           "2026-05-04\n"
	                           "2026-01-01  Again\n"
	                           "   \n"
	                           "2026-13-01 Thirteenth month\n"
	                           "  2026-12-24\tChristmas Eve closure  \n"
	                           "2026-12-29  bad \x01 control\n"
	                           "2026-12-30  Ok\n"
	                           "2026-12-24  Twice again";
	static const char *const want[] = {
	    "closures.txt:3: \"2026-02-30\" is not a date that exists (expected YYYY-MM-DD)",
	    "closures.txt:4: \"notadate\" is not a date (expected YYYY-MM-DD)",
	    "closures.txt:5: 2026-05-04 has no name (expected \"YYYY-MM-DD  Name\")",
	    "closures.txt:8: \"2026-13-01\" is not a date that exists (expected YYYY-MM-DD)",
	    "closures.txt:10: contains control characters or invalid UTF-8",
	    "closures.txt:6: 2026-01-01 is listed twice (first on line 2)",
	    "closures.txt:12: 2026-12-24 is listed twice (first on line 9)",
	};
	_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
	struct calendar *cal = calendar_new();

	assert_int_equal(
	    calendar_parse_holidays(cal, text, sizeof(text) - 1, "closures.txt", &errs), -EINVAL);
	assert_int_equal(errs.n, ELEMENTSOF(want));
	for (size_t i = 0; i < errs.n; i++)
		assert_string_equal(errs.v[i], want[i]);
	/* All or nothing: the good lines were not added either. */
	assert_int_equal(calendar_holiday_count(cal), 0);
	assert_true(calendar_is_working_day(cal, D("2026-12-30")));
	calendar_free(cal);
}

static void
test_holiday_file_more_errors(void **state)
{
	_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
	_cleanup_free_ char *longline = NULL;
	struct calendar *cal = calendar_new();
	char name[600];

	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	longline =
	    xasprintf("2026-06-01  %s\n\xff\xfe 2026\n2026-06-02  Caf\xc3\xa9 closed\n", name);
	assert_int_equal(calendar_parse_holidays(cal, longline, strlen(longline), "c", &errs),
	                 -EINVAL);
	assert_int_equal(errs.n, 2);
	assert_string_equal(errs.v[0], "c:1: line is longer than 512 bytes");
	assert_string_equal(errs.v[1], "c:2: contains control characters or invalid UTF-8");
	errlist_free(&errs);

	assert_int_equal(calendar_load_holidays(cal, SRCDIR "/data/no-such-file.txt", &errs),
	                 -ENOENT);
	assert_int_equal(errs.n, 1);
	assert_non_null(strstr(errs.v[0], "no-such-file.txt: cannot open holiday file: "));
	assert_int_equal(calendar_holiday_count(cal), 0);
	calendar_free(cal);
}

static void
test_holiday_files_combine(void **state)
{
	static const char closures[] = "# council closure days\r\n"
	                               "2026-12-24  Christmas Eve closure\r\n"
	                               "2026-12-25  Christmas (already a bank holiday)\r\n"
	                               "2026-12-29\tCaf\xc3\xa9 closed for stocktaking\r\n";
	_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
	struct calendar *cal = shipped_calendar();
	size_t shipped = calendar_holiday_count(cal);

	assert_int_equal(shipped, 13 * 8 + 3);
	assert_int_equal(
	    calendar_parse_holidays(cal, closures, sizeof(closures) - 1, "closures", &errs), 0);
	assert_int_equal(errs.n, 0);
	assert_int_equal(calendar_holiday_count(cal), shipped + 2);
	assert_string_equal(calendar_holiday_name(cal, D("2026-12-25")), "Christmas Day");
	assert_string_equal(calendar_holiday_name(cal, D("2026-12-24")), "Christmas Eve closure");
	assert_string_equal(calendar_holiday_name(cal, D("2026-12-29")),
	                    "Caf\xc3\xa9 closed for stocktaking");
	/* 23 December 2026 + 1 now skips 24, 25, 28 and 29 December. */
	assert_date_is(calendar_add_working_days(cal, D("2026-12-23"), 1), "2026-12-30",
	               "closures");
	assert_date_is(calendar_add_working_days(cal, D("2026-12-23"), 3), "2027-01-04",
	               "closures");
	/* Loading the shipped list again changes nothing. */
	assert_int_equal(calendar_load_holidays(cal, SHIPPED, &errs), 0);
	assert_int_equal(calendar_holiday_count(cal), shipped + 2);
	calendar_free(cal);
}

/* ------------------------------------------------------------ the shipped list */

/* Easter Sunday by the anonymous Gregorian algorithm (Meeus/Jones/Butcher). */
static struct cal_date
easter(int y)
{
	int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4, f = (b + 8) / 25;
	int g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30, i = c / 4, k = c % 4;
	int l = (32 + 2 * e + 2 * i - h - k) % 7, m = (a + 11 * h + 22 * l) / 451;

	return (struct cal_date){y, (h + l - 7 * m + 114) / 31, (h + l - 7 * m + 114) % 31 + 1};
}

static void
test_easter_algorithm(void **state)
{
	/* Easter Sundays as printed in church calendars. */
	static const char *const sundays[] = {
	    "2018-04-01", "2019-04-21", "2020-04-12", "2021-04-04", "2022-04-17",
	    "2023-04-09", "2024-03-31", "2025-04-20", "2026-04-05", "2027-03-28",
	    "2028-04-16", "2029-04-01", "2030-04-21",
	};

	for (int y = 2018; y <= 2030; y++) {
		assert_date_is(easter(y), sundays[y - 2018], "easter");
		assert_int_equal(cal_date_weekday(easter(y)), 6);
	}
}

static struct cal_date
nth_monday(int y, int m, bool last)
{
	struct cal_date d = {y, m, last ? cal_days_in_month(y, m) : 1};

	while (cal_date_weekday(d) != 0)
		d = cal_date_add_days(d, last ? -1 : 1);
	return d;
}

/* The holidays of year y by the standing rules, with the known one-off changes. */
static size_t
expected_holidays(int y, struct cal_date *v)
{
	struct cal_date ny = {y, 1, 1}, xmas = {y, 12, 25};
	size_t n = 0;
	int w;

	w = cal_date_weekday(ny);
	v[n++] = w == 5 ? (struct cal_date){y, 1, 3} : w == 6 ? (struct cal_date){y, 1, 2} : ny;
	v[n++] = cal_date_add_days(easter(y), -2);
	v[n++] = cal_date_add_days(easter(y), 1);
	v[n++] = y == 2020 ? (struct cal_date){2020, 5, 8} : nth_monday(y, 5, false);
	v[n++] = y == 2022 ? (struct cal_date){2022, 6, 2} : nth_monday(y, 5, true);
	v[n++] = nth_monday(y, 8, true);
	w = cal_date_weekday(xmas);
	if (w == 5) { /* Saturday: both substitutes, Monday and Tuesday */
		v[n++] = (struct cal_date){y, 12, 27};
		v[n++] = (struct cal_date){y, 12, 28};
	} else if (w == 6) { /* Sunday: Boxing Day Monday, Christmas substitute Tuesday */
		v[n++] = (struct cal_date){y, 12, 26};
		v[n++] = (struct cal_date){y, 12, 27};
	} else {
		v[n++] = xmas;
		v[n++] = w == 4 ? (struct cal_date){y, 12, 28} : (struct cal_date){y, 12, 26};
	}
	if (y == 2022) {
		v[n++] = (struct cal_date){2022, 6, 3};
		v[n++] = (struct cal_date){2022, 9, 19};
	}
	if (y == 2023)
		v[n++] = (struct cal_date){2023, 5, 8};
	return n;
}

static void
test_shipped_list_follows_the_rules(void **state)
{
	struct calendar *cal = shipped_calendar();
	size_t total = 0;

	for (int y = 2018; y <= 2030; y++) {
		struct cal_date want[16];
		size_t n_want = expected_holidays(y, want), n_file = 0;
		size_t n_year = y == 2022 ? 10 : y == 2023 ? 9 : 8;

		assert_int_equal(n_want, n_year);
		for (struct cal_date d = {y, 1, 1}; d.year == y; d = cal_date_add_days(d, 1)) {
			const char *name = calendar_holiday_name(cal, d);
			bool expected = false;

			for (size_t i = 0; i < n_want; i++)
				expected |= cal_date_compare(want[i], d) == 0;
			if ((name != NULL) != expected) {
				char buf[CAL_DATE_STRLEN];

				(void)cal_date_format(d, buf);
				fail_msg("%s: %s in the file, %s by the rules", buf,
				         name ? "listed" : "not listed",
				         expected ? "a holiday" : "not a holiday");
			}
			if (name == NULL)
				continue;
			assert_true(cal_date_weekday(d) < 5);
			assert_true(strlen(name) > 3);
			n_file++;
		}
		assert_int_equal(n_file, n_year);
		total += n_file;
	}
	assert_int_equal(total, calendar_holiday_count(cal));
	assert_non_null(strstr(calendar_holiday_name(cal, D("2023-05-08")), "coronation"));
	assert_non_null(strstr(calendar_holiday_name(cal, D("2022-06-03")), "Jubilee"));
	assert_non_null(strstr(calendar_holiday_name(cal, D("2020-05-08")), "VE day"));
	calendar_free(cal);
}

static int
setup_tz(void **state)
{
	setenv("TZ", "Europe/London", 1);
	tzset();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_date_parse),
	    cmocka_unit_test(test_date_format),
	    cmocka_unit_test(test_date_arithmetic),
	    cmocka_unit_test(test_add_working_days),
	    cmocka_unit_test(test_is_working_day),
	    cmocka_unit_test(test_working_days_between),
	    cmocka_unit_test(test_between_inverts_add),
	    cmocka_unit_test(test_received_date),
	    cmocka_unit_test(test_working_hours),
	    cmocka_unit_test(test_holiday_file_errors),
	    cmocka_unit_test(test_holiday_file_more_errors),
	    cmocka_unit_test(test_holiday_files_combine),
	    cmocka_unit_test(test_easter_algorithm),
	    cmocka_unit_test(test_shipped_list_follows_the_rules),
	};

	return cmocka_run_group_tests_name("calendar", tests, setup_tz, NULL) ? 1 : 0;
}
