/*
 * digest_build.c - which open cases are overdue, due soon or neither, in
 * the order the weekly digest lists them, and when the digest is due.
 * See digest_list.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "digest_list.h"
#include "util.h"

static const char *const weekday_names[7] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
					     "Friday", "Saturday", "Sunday"};

int
digest_weekday_from_name(const char *name)
{
	if (name == NULL)
		return -1;
	for (int i = 0; i < 7; i++)
		if (ascii_strcaseeq(name, weekday_names[i]))
			return i;
	return -1;
}

const char *
digest_weekday_name(int weekday)
{
	return weekday >= 0 && weekday < 7 ? weekday_names[weekday] : "";
}

struct cal_date
digest_due_day(const struct calendar *cal, int weekday, struct cal_date today)
{
	struct cal_date d = cal_date_add_days(today, -((cal_date_weekday(today) - weekday + 7) % 7));

	/* a holiday moves it to the next working day (two weeks of closures at most) */
	for (int i = 0; i < 14 && !calendar_is_working_day(cal, d); i++)
		d = cal_date_add_days(d, 1);
	return d;
}

bool
digest_due_now(const struct calendar *cal, int weekday, struct cal_date today, int minutes)
{
	int open, close;

	if (weekday < 0 || weekday > 6)
		return false;
	calendar_get_working_hours(cal, &open, &close);
	return cal_date_compare(digest_due_day(cal, weekday, today), today) == 0 && minutes >= open;
}

/* The earliest deadline the case still has to meet. */
static void
next_due(const struct digest_case *c, struct digest_entry *e)
{
	struct cal_date d;

	e->has_due = false;
	e->due_what = "";
	if (!c->acknowledged && !isempty(c->ack_due) && cal_date_parse(c->ack_due, &d) == 0) {
		e->has_due = true;
		e->due = d;
		e->due_what = "acknowledgement";
	}
	if (!isempty(c->response_due) && cal_date_parse(c->response_due, &d) == 0 &&
	    (!e->has_due || cal_date_compare(d, e->due) < 0)) {
		e->has_due = true;
		e->due = d;
		e->due_what = "response";
	}
}

static int
entry_cmp(const void *pa, const void *pb)
{
	const struct digest_entry *a = pa, *b = pb;
	int r;

	if (a->group != b->group)
		return a->group < b->group ? -1 : 1;
	if (a->has_due != b->has_due)
		return a->has_due ? -1 : 1;
	/* the earliest date first: in the overdue group, the one most days late */
	if (a->has_due && (r = cal_date_compare(a->due, b->due)) != 0)
		return r;
	return strcmp(a->c->ref, b->c->ref);
}

void
digest_build(const struct calendar *cal, struct cal_date today, int days_ahead,
	     const struct digest_case *cases, size_t n, struct digest_entry **ret)
{
	struct digest_entry *e = xcalloc(n ? n : 1, sizeof(*e));

	for (size_t i = 0; i < n; i++) {
		e[i].c = &cases[i];
		next_due(&cases[i], &e[i]);
		if (!e[i].has_due) {
			e[i].group = DIGEST_OTHER;
		} else if (cal_date_compare(e[i].due, today) < 0) {
			long late = calendar_working_days_between(cal, e[i].due, today);

			e[i].group = DIGEST_OVERDUE;
			/* a date that passed is late by a day at least (a digest on a Saturday) */
			e[i].days_late = late > 0 ? late : 1;
		} else {
			e[i].days_left = calendar_working_days_between(cal, today, e[i].due);
			e[i].group = e[i].days_left <= days_ahead ? DIGEST_DUE_SOON : DIGEST_OTHER;
		}
	}
	qsort(e, n, sizeof(*e), entry_cmp);
	*ret = e;
}

void
digest_count(const struct digest_entry *e, size_t n, size_t ret_counts[_DIGEST_GROUP_MAX])
{
	for (int g = 0; g < _DIGEST_GROUP_MAX; g++)
		ret_counts[g] = 0;
	for (size_t i = 0; i < n; i++)
		ret_counts[e[i].group]++;
}
