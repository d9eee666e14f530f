/*
 * calendar.c - working days, deadlines and the effective date received.
 *
 * Dates are handled as day numbers (days since 1970-01-01), which makes
 * adding days and finding the weekday plain arithmetic.  Holidays are kept
 * sorted by day number and unique, so a lookup is a binary search and
 * counting working days over any span costs O(log n) plus the holidays in it.
 * Loading a holiday file is all or nothing: a file with any error adds no
 * date, and every error is reported with its line number.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "utf8.h"
#include "util.h"

/* Holiday files are small; anything bigger is not a holiday list. */
#define HOLIDAY_FILE_MAX (1024 * 1024)

struct holiday {
	long day;
	char *name;
};

struct calendar {
	struct holiday *holidays; /* sorted by day, unique */
	size_t n_holidays;
	int open_min, close_min; /* minutes since local midnight */
	char *timezone;
};

static const char *const weekday_names[7] = {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
};

static const char *const month_names[12] = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December",
};

static bool
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int
cal_days_in_month(int year, int month)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (month < 1 || month > 12)
		return 0;
	if (month == 2 && is_leap(year))
		return 29;
	return days[month - 1];
}

bool
cal_date_valid(struct cal_date d)
{
	return d.year >= 1 && d.year <= 9999 && d.month >= 1 && d.month <= 12 && d.day >= 1 &&
	       d.day <= cal_days_in_month(d.year, d.month);
}

/* Floor division, for day arithmetic before the epoch. */
static long
floor_div(long a, long b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static long
floor_mod(long a, long b)
{
	return a - floor_div(a, b) * b;
}

/* Days since 1970-01-01 of a civil date (H. Hinnant's days_from_civil). */
long
cal_date_to_days(struct cal_date d)
{
	long y = (long)d.year - (d.month <= 2);
	long era = floor_div(y, 400);
	long yoe = y - era * 400;
	long mp = d.month > 2 ? d.month - 3 : d.month + 9;
	long doy = (153 * mp + 2) / 5 + d.day - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

struct cal_date
cal_date_from_days(long days)
{
	long z = days + 719468;
	long era = floor_div(z, 146097);
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	long day = doy - (153 * mp + 2) / 5 + 1;
	long month = mp < 10 ? mp + 3 : mp - 9;
	long year = yoe + era * 400 + (month <= 2);

	return (struct cal_date){(int)year, (int)month, (int)day};
}

int
cal_date_parse(const char *s, struct cal_date *ret)
{
	struct cal_date d;

	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -EINVAL;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -EINVAL;
	d.year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	d.month = (s[5] - '0') * 10 + (s[6] - '0');
	d.day = (s[8] - '0') * 10 + (s[9] - '0');
	if (!cal_date_valid(d))
		return -EINVAL;
	*ret = d;
	return 0;
}

int
cal_date_format(struct cal_date d, char *buf)
{
	int r;

	if (!cal_date_valid(d)) {
		buf[0] = '\0';
		return -ERANGE;
	}
	r = snprintf(buf, CAL_DATE_STRLEN, "%04d-%02d-%02d", d.year, d.month, d.day);
	if (r < 0 || r >= CAL_DATE_STRLEN) {
		buf[0] = '\0';
		return -ERANGE;
	}
	return 0;
}

char *
cal_date_format_long(struct cal_date d)
{
	if (!cal_date_valid(d))
		return xstrdup("");
	return xasprintf("%s %d %s %d", weekday_names[cal_date_weekday(d)], d.day,
	                 month_names[d.month - 1], d.year);
}

int
cal_date_compare(struct cal_date a, struct cal_date b)
{
	if (a.year != b.year)
		return a.year < b.year ? -1 : 1;
	if (a.month != b.month)
		return a.month < b.month ? -1 : 1;
	if (a.day != b.day)
		return a.day < b.day ? -1 : 1;
	return 0;
}

struct cal_date
cal_date_add_days(struct cal_date d, int n)
{
	return cal_date_from_days(cal_date_to_days(d) + n);
}

/* 1970-01-01 was a Thursday (3 when Monday is 0). */
static int
weekday_of_days(long days)
{
	return (int)floor_mod(days + 3, 7);
}

int
cal_date_weekday(struct cal_date d)
{
	return weekday_of_days(cal_date_to_days(d));
}

struct calendar *
calendar_new(void)
{
	struct calendar *cal = xcalloc(1, sizeof(*cal));

	cal->open_min = 9 * 60;
	cal->close_min = 17 * 60;
	cal->timezone = xstrdup("Europe/London");
	return cal;
}

void
calendar_free(struct calendar *cal)
{
	if (cal == NULL)
		return;
	for (size_t i = 0; i < cal->n_holidays; i++)
		free(cal->holidays[i].name);
	free(cal->holidays);
	free(cal->timezone);
	free(cal);
}

/* Index of the first holiday on or after day (n_holidays if none). */
static size_t
holiday_lower_bound(const struct calendar *cal, long day)
{
	size_t lo = 0, hi = cal->n_holidays;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cal->holidays[mid].day < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static const struct holiday *
holiday_find(const struct calendar *cal, long day)
{
	size_t i = holiday_lower_bound(cal, day);

	if (i < cal->n_holidays && cal->holidays[i].day == day)
		return &cal->holidays[i];
	return NULL;
}

size_t
calendar_holiday_count(const struct calendar *cal)
{
	return cal->n_holidays;
}

const char *
calendar_holiday_name(const struct calendar *cal, struct cal_date d)
{
	const struct holiday *h = holiday_find(cal, cal_date_to_days(d));

	return h ? h->name : NULL;
}

/* A holiday line as read, before it joins the calendar. */
struct pending {
	long day;
	unsigned line;
	char *name;
};

static int
pending_cmp(const void *a, const void *b)
{
	const struct pending *x = a, *y = b;

	if (x->day != y->day)
		return x->day < y->day ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

static int
holiday_cmp(const void *a, const void *b)
{
	const struct holiday *x = a, *y = b;

	return x->day < y->day ? -1 : x->day > y->day;
}

/* Is s (len bytes) well-formed UTF-8 without control characters? */
static bool
text_ok(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint32_t cp;
		size_t n = utf8_decode(s + i, len - i, &cp);

		if (n == 0 || (cp < 0x20 && cp != '\t') || cp == 0x7f)
			return false;
		i += n;
	}
	return true;
}

static void
pending_free(struct pending *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

/* Parse one non-blank, non-comment line; returns false after adding an error. */
static bool
parse_holiday_line(const char *line, size_t len, const char *name, unsigned lineno,
                   struct pending *ret, struct errlist *errs)
{
	char date[CAL_DATE_STRLEN];
	struct cal_date d;
	size_t i = 0, start;

	while (i < len && line[i] != ' ' && line[i] != '\t')
		i++;
	if (i != 10) {
		errlist_add(errs, "%s:%u: \"%.*s\" is not a date (expected YYYY-MM-DD)", name,
		            lineno, (int)(i > 40 ? 40 : i), line);
		return false;
	}
	memcpy(date, line, 10);
	date[10] = '\0';
	if (cal_date_parse(date, &d) < 0) {
		errlist_add(errs, "%s:%u: \"%s\" is not a date that exists (expected YYYY-MM-DD)",
		            name, lineno, date);
		return false;
	}
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	start = i;
	while (len > start && (line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	if (start >= len) {
		errlist_add(errs, "%s:%u: %s has no name (expected \"YYYY-MM-DD  Name\")", name,
		            lineno, date);
		return false;
	}
	ret->day = cal_date_to_days(d);
	ret->line = lineno;
	ret->name = xstrndup(line + start, len - start);
	return true;
}

int
calendar_parse_holidays(struct calendar *cal, const char *text, size_t len, const char *name,
                        struct errlist *errs)
{
	struct pending *v = NULL;
	size_t n = 0, n_errors = errs->n, n_new = 0;
	unsigned lineno = 0;
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		size_t ll;
		struct pending e;

		lineno++;
		/* Trim leading blanks and a trailing CR, then classify. */
		while (p < eol && (*p == ' ' || *p == '\t'))
			p++;
		ll = (size_t)(eol - p);
		if (ll > 0 && p[ll - 1] == '\r')
			ll--;
		if (ll > CAL_HOLIDAY_LINE_MAX)
			errlist_add(errs, "%s:%u: line is longer than %d bytes", name, lineno,
			            CAL_HOLIDAY_LINE_MAX);
		else if (ll == 0 || p[0] == '#')
			;
		else if (memchr(p, '\0', ll) != NULL || !text_ok(p, ll))
			errlist_add(errs, "%s:%u: contains control characters or invalid UTF-8",
			            name, lineno);
		else if (parse_holiday_line(p, ll, name, lineno, &e, errs)) {
			v = xreallocarray(v, n + 1, sizeof(*v));
			v[n++] = e;
		}
		p = nl ? nl + 1 : end;
	}

	if (n > 1)
		qsort(v, n, sizeof(*v), pending_cmp);
	for (size_t i = 1; i < n; i++)
		if (v[i].day == v[i - 1].day) {
			char date[CAL_DATE_STRLEN];

			(void)cal_date_format(cal_date_from_days(v[i].day), date);
			errlist_add(errs, "%s:%u: %s is listed twice (first on line %u)", name,
			            v[i].line, date, v[i - 1].line);
		}
	if (errs->n > n_errors) {
		pending_free(v, n);
		return -EINVAL;
	}

	/* Merge: a date already known from an earlier file keeps its first name. */
	cal->holidays = xreallocarray(cal->holidays, cal->n_holidays + n, sizeof(*cal->holidays));
	for (size_t i = 0; i < n; i++) {
		if (holiday_find(cal, v[i].day) != NULL) {
			free(v[i].name);
			continue;
		}
		cal->holidays[cal->n_holidays + n_new++] = (struct holiday){v[i].day, v[i].name};
	}
	free(v);
	cal->n_holidays += n_new;
	if (n_new > 0)
		qsort(cal->holidays, cal->n_holidays, sizeof(*cal->holidays), holiday_cmp);
	return 0;
}

int
calendar_load_holidays(struct calendar *cal, const char *path, struct errlist *errs)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0, alloc = 0;
	FILE *f;
	int r;

	f = fopen(path, "re");
	if (f == NULL) {
		r = -errno;
		errlist_add(errs, "%s: cannot open holiday file: %s", path, strerror(-r));
		return r;
	}
	for (;;) {
		size_t got;

		if (len == alloc) {
			alloc = alloc ? alloc * 2 : 16384;
			text = xrealloc(text, alloc);
		}
		got = fread(text + len, 1, alloc - len, f);
		len += got;
		if (len > HOLIDAY_FILE_MAX) {
			fclose(f);
			errlist_add(errs, "%s: holiday file is larger than %d bytes", path,
			            HOLIDAY_FILE_MAX);
			return -EFBIG;
		}
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		fclose(f);
		errlist_add(errs, "%s: cannot read holiday file", path);
		return -EIO;
	}
	fclose(f);
	return calendar_parse_holidays(cal, text ? text : "", len, path, errs);
}

/* Parse strict "HH:MM"; 24:00 only when allow_24. Returns minutes or -1. */
static int
parse_hhmm(const char *s, bool allow_24)
{
	int h, m;

	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' || s[2] != ':' || s[3] < '0' ||
	    s[3] > '9' || s[4] < '0' || s[4] > '9')
		return -1;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	if (m > 59)
		return -1;
	if (h > 23 && !(allow_24 && h == 24 && m == 0))
		return -1;
	return h * 60 + m;
}

int
calendar_set_working_hours(struct calendar *cal, const char *spec)
{
	int open, close;

	if (spec == NULL || strlen(spec) != 11 || spec[5] != '-')
		return -EINVAL;
	open = parse_hhmm(spec, false);
	close = parse_hhmm(spec + 6, true);
	if (open < 0 || close < 0 || open >= close)
		return -EINVAL;
	cal->open_min = open;
	cal->close_min = close;
	return 0;
}

void
calendar_get_working_hours(const struct calendar *cal, int *ret_open, int *ret_close)
{
	*ret_open = cal->open_min;
	*ret_close = cal->close_min;
}

int
calendar_set_timezone(struct calendar *cal, const char *tz)
{
	if (isempty(tz) || strlen(tz) > 255)
		return -EINVAL;
	for (const char *p = tz; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
			return -EINVAL;
	free(cal->timezone);
	cal->timezone = xstrdup(tz);
	return 0;
}

const char *
calendar_timezone(const struct calendar *cal)
{
	return cal->timezone;
}

static bool
working_day_number(const struct calendar *cal, long day)
{
	return weekday_of_days(day) < 5 && holiday_find(cal, day) == NULL;
}

bool
calendar_is_working_day(const struct calendar *cal, struct cal_date d)
{
	return working_day_number(cal, cal_date_to_days(d));
}

struct cal_date
calendar_add_working_days(const struct calendar *cal, struct cal_date d, int n)
{
	long day = cal_date_to_days(d);
	int step = n < 0 ? -1 : 1;

	/* Every week has five weekdays and holidays are finite, so this ends. */
	while (n != 0) {
		day += step;
		if (working_day_number(cal, day))
			n -= step;
	}
	return cal_date_from_days(day);
}

/* Weekdays among the days up to and including day, counted from a fixed Monday. */
static long
weekdays_upto(long day)
{
	long k = day - 4; /* 1970-01-05 was a Monday */
	long r = floor_mod(k, 7);

	return 5 * floor_div(k, 7) + (r < 5 ? r + 1 : 5);
}

long
calendar_working_days_between(const struct calendar *cal, struct cal_date from, struct cal_date to)
{
	long a = cal_date_to_days(from), b = cal_date_to_days(to), n;

	if (b < a)
		return -calendar_working_days_between(cal, to, from);
	n = weekdays_upto(b) - weekdays_upto(a);
	for (size_t i = holiday_lower_bound(cal, a + 1);
	     i < cal->n_holidays && cal->holidays[i].day <= b; i++)
		if (weekday_of_days(cal->holidays[i].day) < 5)
			n--;
	return n;
}

int
calendar_received_date(const struct calendar *cal, time_t t, struct cal_date *ret)
{
	struct tm tm;
	struct cal_date d;

	if (localtime_r(&t, &tm) == NULL)
		return -EOVERFLOW;
	d = (struct cal_date){tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
	if (!cal_date_valid(d))
		return -EOVERFLOW;
	if (!calendar_is_working_day(cal, d) || tm.tm_hour * 60 + tm.tm_min >= cal->close_min)
		d = calendar_add_working_days(cal, d, 1);
	*ret = d;
	return 0;
}
