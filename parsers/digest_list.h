/*
 * digest_list.h - the weekly digest's list of open cases (SPEC section 7), built and
 * written without I/O.
 *
 * digest_build() takes the open cases as the store holds them and the day
 * of the digest, and sorts them the way a team leader reads them: overdue
 * first (most working days late first), then those due within days_ahead
 * working days (soonest first), then the rest (by date due, cases without
 * a date last).  A case's next date due is the earliest deadline it still
 * has to meet: the acknowledgement while it is not acknowledged, and the
 * response; a date before the day of the digest is overdue, as for
 * `complaintsctl list --overdue`, by the working days between the two
 * (calendar_working_days_between(), as `report` counts late steps).
 *
 * digest_text_cases() and digest_html_table() write the list for the plain
 * text part (one short block per case: Outlook shows plain text in a
 * proportional font, so nothing relies on columns) and the HTML part (one
 * table with inline styles: no scripts, no style sheet, nothing remote).
 * digest_html_document() wraps the rendered template around the table.
 * Everything from a case is escaped for HTML; every value is cut to a
 * bounded length.  Pure: the day is a parameter.
 */
#ifndef COMPLAINTSD_DIGEST_LIST_H
#define COMPLAINTSD_DIGEST_LIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "calendar.h"

/* One open case as the store gives it.  Strings are not owned; "" when unset. */
struct digest_case {
	const char *ref;
	const char *subject;
	const char *complainant_name;
	const char *complainant_email;
	const char *kind;     /* "complaint", "service_request", ... */
	int stage;            /* 1 or 2 */
	const char *ack_due;  /* YYYY-MM-DD */
	bool acknowledged;
	const char *response_due;
	const char *officer;  /* assigned officer's address */
	const char *team;     /* the [routing] team address of its route or area, "" when none */
	const char *team_name; /* its [routing] key ("waste", "default"), "" when none */
};

enum digest_group {
	DIGEST_OVERDUE,
	DIGEST_DUE_SOON,
	DIGEST_OTHER,
	_DIGEST_GROUP_MAX,
};

struct digest_entry {
	const struct digest_case *c;
	enum digest_group group;
	bool has_due;
	struct cal_date due;  /* the next date due, when has_due */
	const char *due_what; /* "acknowledgement" or "response"; "" without a date */
	long days_late;       /* DIGEST_OVERDUE: working days past the date (>= 1) */
	long days_left;       /* otherwise: working days until the date (0: due today) */
};

/* Cases a digest lists at most; the rest are counted, not listed. */
#define DIGEST_MAX_CASES 2000

/*
 * Sort cases[0..n) for the digest of `today` into *ret (malloc'ed, entries
 * pointing into cases).  days_ahead: working days counted as "due soon".
 * A case whose dates do not parse is listed in the rest without a date.
 */
void digest_build(const struct calendar *cal, struct cal_date today, int days_ahead,
		  const struct digest_case *cases, size_t n, struct digest_entry **ret);

/* How many entries are in each group. */
void digest_count(const struct digest_entry *e, size_t n, size_t ret_counts[_DIGEST_GROUP_MAX]);

/*
 * The day the digest of the week holding `today` is due: the configured
 * weekday (0 = Monday .. 6 = Sunday) of that week, or the first working day
 * after it when it is not a working day (a bank holiday Monday).
 */
struct cal_date digest_due_day(const struct calendar *cal, int weekday, struct cal_date today);

/*
 * Is the scheduled digest due at local date `today`, local time `minutes`
 * after midnight?  On its due day (digest_due_day()) from the opening of
 * working hours to the end of the day.
 */
bool digest_due_now(const struct calendar *cal, int weekday, struct cal_date today, int minutes);

/* "monday".."sunday" (any case) to 0..6; -1 otherwise. */
int digest_weekday_from_name(const char *name);
/* 0..6 to "Monday".."Sunday"; "" otherwise. */
const char *digest_weekday_name(int weekday);

/* What the list shows besides the cases. */
struct digest_view {
	const struct digest_entry *e;
	size_t n;
	int days_ahead;
	bool show_team;       /* the council-wide digest names each case's team */
	const char *no_officer; /* what "officer" says when none is assigned */
};

/* "5 open cases, 2 overdue". Malloc'ed. */
char *digest_summary(const struct digest_view *v);
/* The plain-text list ({{digest_cases}} in the template). Malloc'ed. */
char *digest_text_cases(const struct digest_view *v);
/* The HTML table, inline styles only. Malloc'ed. */
char *digest_html_table(const struct digest_view *v);

/*
 * The HTML part: body is the rendered template with `marker` where the
 * table goes; its other text becomes escaped paragraphs (blank lines
 * between them, line breaks kept).  title is the document's title.
 * Malloc'ed.
 */
char *digest_html_document(const char *title, const char *body, const char *marker,
			   const char *table);

/* s escaped for HTML text and attribute values, appended to out. */
struct buf;
void digest_html_escape(struct buf *out, const char *s);

#endif
