/*
 * calendar.h - the working-day calendar of the Complaint Handling Code.
 *
 * A working day is Monday to Friday except the bank holidays (and council
 * closure days) loaded into the calendar.  Deadlines are "the effective date
 * plus N working days", the effective day itself being day 0.  Mail that
 * arrives outside working hours or on a non-working day counts as received on
 * the next working day.
 *
 * Pure code: the current time is always a parameter.  The one exception to
 * "no environment" is the local-time conversion in calendar_received_date(),
 * which uses localtime_r(): the daemon sets the council's timezone once at
 * start-up with setenv("TZ", tz, 1); tzset(); before using a calendar.
 * calendar_load_holidays() is the only function that reads a file.
 */
#ifndef COMPLAINTSD_CALENDAR_H
#define COMPLAINTSD_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "errlist.h"

/* A civil date in the proleptic Gregorian calendar, years 1 to 9999. */
struct cal_date {
	int year, month, day;
};

/* Room for "YYYY-MM-DD" and its NUL. */
#define CAL_DATE_STRLEN 11
/* The longest line a holiday file may have, in bytes. */
#define CAL_HOLIDAY_LINE_MAX 512

/* Parse exactly "YYYY-MM-DD" naming a day that exists; -EINVAL otherwise. */
int cal_date_parse(const char *s, struct cal_date *ret);
/* Does d name a real day between 0001-01-01 and 9999-12-31? */
bool cal_date_valid(struct cal_date d);
int cal_days_in_month(int year, int month);
/*
 * Write "YYYY-MM-DD" into buf (at least CAL_DATE_STRLEN bytes).  Returns 0, or
 * -ERANGE (and writes "") for a date outside the valid range.
 */
int cal_date_format(struct cal_date d, char *buf);
/* "Monday 7 December 2026", malloc'ed; "" for an invalid date. */
char *cal_date_format_long(struct cal_date d);
/* <0, 0, >0 as a is before, the same day as, or after b. */
int cal_date_compare(struct cal_date a, struct cal_date b);
/* d moved by n calendar days (n may be negative). */
struct cal_date cal_date_add_days(struct cal_date d, int n);
/* 0 = Monday .. 6 = Sunday. */
int cal_date_weekday(struct cal_date d);
/* Days since 1970-01-01 (negative before). */
long cal_date_to_days(struct cal_date d);
struct cal_date cal_date_from_days(long days);

struct calendar;

/* An empty calendar: no holidays, 09:00-17:00, Europe/London. */
struct calendar *calendar_new(void);
void calendar_free(struct calendar *cal);

/*
 * Add the holidays of a file: one "YYYY-MM-DD  Name" per line, '#' comments
 * and blank lines ignored.  May be called several times (the shipped list,
 * then the council's own closure days); a date already known from an earlier
 * file is kept once.  Every problem is appended to errs as "path:line: what";
 * if there is any, nothing from the file is added and -EINVAL is returned.
 * An unreadable file gives a negative errno and one error.
 */
int calendar_load_holidays(struct calendar *cal, const char *path, struct errlist *errs);
/* The same for text already in memory; name is used in error messages. */
int calendar_parse_holidays(struct calendar *cal, const char *text, size_t len, const char *name,
                            struct errlist *errs);
size_t calendar_holiday_count(const struct calendar *cal);
/* The name of the holiday on d, or NULL if d is not one. */
const char *calendar_holiday_name(const struct calendar *cal, struct cal_date d);

/* Set working hours from "HH:MM-HH:MM" (close may be 24:00); -EINVAL unless open < close. */
int calendar_set_working_hours(struct calendar *cal, const char *spec);
/* Opening and closing time in minutes since midnight. */
void calendar_get_working_hours(const struct calendar *cal, int *ret_open, int *ret_close);
/* Record the council's timezone name (for display; see the note at the top). */
int calendar_set_timezone(struct calendar *cal, const char *tz);
const char *calendar_timezone(const struct calendar *cal);

bool calendar_is_working_day(const struct calendar *cal, struct cal_date d);
/*
 * The date n working days after d (before d when n < 0), d itself being day 0:
 * Friday + 1 is the next Monday.  n = 0 returns d unchanged.
 */
struct cal_date calendar_add_working_days(const struct calendar *cal, struct cal_date d, int n);
/*
 * The number of working days after from up to and including to; negative
 * when to is before from.  For a working day d, between(d, add(d, n)) == n.
 */
long calendar_working_days_between(const struct calendar *cal, struct cal_date from,
                                   struct cal_date to);
/*
 * The effective date received of a message that reached the council's server
 * at the UTC instant t: the local date if that is a working day and the local
 * time is before closing, otherwise the next working day.
 */
int calendar_received_date(const struct calendar *cal, time_t t, struct cal_date *ret);

#endif
