/*
 * holidays_json.h - read the published UK bank-holidays JSON and turn one
 * division of it into a holiday file for the calendar.
 *
 * The input looks like
 *   {"england-and-wales":{"division":"england-and-wales","events":[
 *     {"title":"New Year’s Day","date":"2026-01-01","notes":"","bunting":true}, ...]},
 *    "scotland":{...},"northern-ireland":{...}}
 * It is parsed by a small strict JSON reader with hard limits (input size,
 * nesting depth, string length, number of values); anything malformed or
 * over a limit is refused with an error naming line and column.  Strings are
 * returned as UTF-8 (escapes such as \u00e2 and surrogate pairs decoded).
 * Pure code: bytes in, structs out.
 */
#ifndef COMPLAINTSD_HOLIDAYS_JSON_H
#define COMPLAINTSD_HOLIDAYS_JSON_H

#include <stddef.h>

#include "buf.h"
#include "calendar.h"

#define HOLIDAYS_JSON_MAX_INPUT (4 * 1024 * 1024)
#define HOLIDAYS_JSON_MAX_DEPTH 16
#define HOLIDAYS_JSON_MAX_STRING 1024
#define HOLIDAYS_JSON_MAX_VALUES 200000
#define HOLIDAYS_JSON_MAX_MEMBERS 1000 /* per object */

struct holiday_event {
	struct cal_date date;
	char *title;
	char *notes; /* "" when none, e.g. "Substitute day" */
};

struct holiday_events {
	struct holiday_event *v;
	size_t n;
};

#define HOLIDAY_EVENTS_INIT                                                                        \
	{                                                                                          \
		NULL, 0                                                                            \
	}

/*
 * Parse len bytes of JSON and return the events of division (for example
 * "england-and-wales") in file order.  Returns 0, -EINVAL for malformed
 * input or a missing division (with *ret_error set to a malloc'ed message),
 * or -E2BIG when a limit is passed (also with a message).
 */
int holidays_json_parse(const char *data, size_t len, const char *division,
                        struct holiday_events *ret, char **ret_error);
void holiday_events_free(struct holiday_events *e);

static inline void
holiday_events_freep(struct holiday_events *e)
{
	holiday_events_free(e);
}
#define _cleanup_holiday_events_ __attribute__((cleanup(holiday_events_freep)))

/*
 * Append a holiday file (see calendar_load_holidays) listing the events
 * sorted by date, with a header comment naming the division.  A title with a
 * note reads "Title (note)".  Returns 0, -EEXIST if two events share a date,
 * -EINVAL if a title is empty or a line would be too long for the loader,
 * or -E2BIG when out's cap is reached.
 */
int holidays_write_file(const struct holiday_events *e, const char *division, struct buf *out);

#endif
