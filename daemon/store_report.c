/*
 * store_report.c - the queries behind the annual report (part of the store
 * adapter).
 *
 * Read-only: three SELECTs gather the cases, events and sent mails that may
 * fall in the report's period (or decide a due date in it).  The bounds are generous (UTC instants
 * a day either side); report.c decides exactly by the council's local date.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "report.h"
#include "store.h"
#include "util.h"

/* also the cases with a step due in the period: a due date on or after its start
 * (a due date moved by an extension is never earlier than the step's own date) */
static const char sql_cases[] =
    "SELECT id, ref, kind, stage, status, scheme, route, received_date, ack_due, "
    "acknowledged_at, response_due, responded_at, extension_days, outcome, escalated_at, "
    "first_and_final, s1_acknowledged_at, s1_response_due, s1_responded_at, "
    "s1_extension_days, s1_outcome, area FROM cases "
    "WHERE received_date BETWEEN ?1 AND ?2 "
    "OR acknowledged_at BETWEEN ?3 AND ?4 OR responded_at BETWEEN ?3 AND ?4 "
    "OR escalated_at BETWEEN ?3 AND ?4 OR s1_acknowledged_at BETWEEN ?3 AND ?4 "
    "OR s1_responded_at BETWEEN ?3 AND ?4 "
    "OR (received_date <= ?2 AND (received_date >= date(?1, '-40 days') OR ack_due >= ?1 "
    "OR response_due >= ?1 OR s1_response_due >= ?1)) ORDER BY id";

/* Extensions, exclusions and closings, and requests to go further are read from
 * up to 400 days before the period: they decide the due dates and the ends of
 * stages of steps due in it (due dates fall weeks, not years, after them). */
static const char sql_events[] =
    "SELECT e.case_id, c.ref, e.at, e.type, e.detail, c.scheme FROM events e "
    "JOIN cases c ON c.id = e.case_id "
    "WHERE (e.type IN ('delivery_failed', 'improvement', 'first_and_final') "
    "AND e.at BETWEEN ?3 AND ?4) "
    "OR ((e.type IN ('extended', 'ombudsman_asked') OR (e.type = 'status' AND "
    "(e.detail LIKE '%-> excluded%' OR e.detail LIKE '%-> closed%'))) "
    "AND e.at BETWEEN ?3 - 400 * 86400 AND ?4) "
    "ORDER BY e.at, e.id";

static const char sql_mails[] =
    "SELECT o.purpose, COALESCE(c.kind, ''), o.created_at, COALESCE(c.escalated_at, 0), "
    "COALESCE(c.first_and_final, 0), COALESCE(c.scheme, '') FROM outbox o LEFT JOIN cases c ON "
    "c.id = o.case_id "
    "WHERE o.state = 'sent' AND o.created_at BETWEEN ?3 AND ?4 AND o.purpose IN "
    "('exclusion', 'extension', 'deadline-missed', 'other-process', 'relay') "
    "ORDER BY o.id";

static void
read_case(sqlite3_stmt *st, void *row)
{
	struct report_case *c = row;

	c->id = sqlite3_column_int64(st, 0);
	c->ref = store_col_str(st, 1);
	c->kind = store_col_str(st, 2);
	c->stage = sqlite3_column_int(st, 3);
	c->status = store_col_str(st, 4);
	c->scheme = store_col_str(st, 5);
	c->route = store_col_str(st, 6);
	c->area = store_col_str(st, 21);
	c->received_date = store_col_str(st, 7);
	c->ack_due = store_col_str(st, 8);
	c->acknowledged_at = sqlite3_column_int64(st, 9);
	c->response_due = store_col_str(st, 10);
	c->responded_at = sqlite3_column_int64(st, 11);
	c->extension_days = sqlite3_column_int(st, 12);
	c->outcome = store_col_str(st, 13);
	c->escalated_at = sqlite3_column_int64(st, 14);
	c->first_and_final = sqlite3_column_int(st, 15) != 0;
	c->s1_acknowledged_at = sqlite3_column_int64(st, 16);
	c->s1_response_due = store_col_str(st, 17);
	c->s1_responded_at = sqlite3_column_int64(st, 18);
	c->s1_extension_days = sqlite3_column_int(st, 19);
	c->s1_outcome = store_col_str(st, 20);
}

static void
read_event(sqlite3_stmt *st, void *row)
{
	struct report_event *e = row;

	e->case_id = sqlite3_column_int64(st, 0);
	e->ref = store_col_str(st, 1);
	e->at = sqlite3_column_int64(st, 2);
	e->type = store_col_str(st, 3);
	e->detail = store_col_str(st, 4);
	e->scheme = store_col_str(st, 5);
}

static void
read_mail(sqlite3_stmt *st, void *row)
{
	struct report_mail *m = row;

	m->purpose = store_col_str(st, 0);
	m->kind = store_col_str(st, 1);
	m->created_at = sqlite3_column_int64(st, 2);
	m->escalated_at = sqlite3_column_int64(st, 3);
	m->first_and_final = sqlite3_column_int(st, 4) != 0;
	m->scheme = store_col_str(st, 5);
}

/* Run one query and append each row (of size `size`) to *array through `read`. */
static int
query(struct store *s, const char *sql, const char *from, const char *to, time_t lo, time_t hi,
      void **array, size_t *n, size_t size, void (*read)(sqlite3_stmt *, void *), char **ret_error)
{
	sqlite3 *db = store_sqlite(s);
	sqlite3_stmt *st = NULL;
	size_t alloc = 0;
	int rc;

	rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK) {
		*ret_error = xasprintf("report query: %s", sqlite3_errmsg(db));
		return -EIO;
	}
	/* every query numbers its parameters ?1..?4, even those it does not use */
	sqlite3_bind_text(st, 1, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, to, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, lo);
	sqlite3_bind_int64(st, 4, hi);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == alloc) {
			alloc = alloc ? alloc * 2 : 16;
			*array = xreallocarray(*array, alloc, size);
		}
		void *row = (char *)*array + *n * size;
		memset(row, 0, size);
		read(st, row);
		(*n)++;
	}
	if (rc != SQLITE_DONE)
		*ret_error = xasprintf("report query: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -EIO;
}

int
store_report_load(struct store *s, const char *from, const char *to, time_t lo, time_t hi,
                  struct report_data *ret, char **ret_error)
{
	struct report_data d = {0};
	int r;

	r = query(s, sql_cases, from, to, lo, hi, (void **)&d.cases, &d.n_cases, sizeof(*d.cases),
	          read_case, ret_error);
	if (r == 0)
		r = query(s, sql_events, from, to, lo, hi, (void **)&d.events, &d.n_events,
		          sizeof(*d.events), read_event, ret_error);
	if (r == 0)
		r = query(s, sql_mails, from, to, lo, hi, (void **)&d.mails, &d.n_mails,
		          sizeof(*d.mails), read_mail, ret_error);
	if (r < 0) {
		report_data_done(&d);
		return r;
	}
	*ret = d;
	return 0;
}

void
report_data_done(struct report_data *d)
{
	for (size_t i = 0; i < d->n_cases; i++) {
		struct report_case *c = &d->cases[i];

		free(c->ref);
		free(c->kind);
		free(c->status);
		free(c->scheme);
		free(c->route);
		free(c->area);
		free(c->received_date);
		free(c->ack_due);
		free(c->response_due);
		free(c->outcome);
		free(c->s1_response_due);
		free(c->s1_outcome);
	}
	for (size_t i = 0; i < d->n_events; i++) {
		free(d->events[i].ref);
		free(d->events[i].type);
		free(d->events[i].detail);
		free(d->events[i].scheme);
	}
	for (size_t i = 0; i < d->n_mails; i++) {
		free(d->mails[i].purpose);
		free(d->mails[i].kind);
		free(d->mails[i].scheme);
	}
	free(d->cases);
	free(d->events);
	free(d->mails);
	*d = (struct report_data){0};
}
