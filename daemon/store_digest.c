/*
 * store_digest.c - the weekly digest's queries (part of the store adapter;
 * see store_digest.h).  The tables are migration 6 of store_schema.c.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <sqlite3.h>

#include "store.h"
#include "store_digest.h"
#include "util.h"

static const char *
text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? (const char *)t : "";
}

struct walk {
	store_digest_case_cb cb;
	void *userdata;
};

static int
case_row(sqlite3_stmt *st, void *userdata)
{
	struct walk *w = userdata;
	struct digest_case_row c = {
		.ref = text(st, 0),
		.kind = text(st, 1),
		.subject = text(st, 2),
		.complainant_name = text(st, 3),
		.complainant_email = text(st, 4),
		.stage = sqlite3_column_int(st, 5),
		.ack_due = text(st, 6),
		.acknowledged_at = (time_t)sqlite3_column_int64(st, 7),
		.response_due = text(st, 8),
		.officer = text(st, 9),
		.route = text(st, 10),
		.area = text(st, 11),
	};

	return w->cb(&c, w->userdata);
}

int
store_digest_open_cases(struct store *s, store_digest_case_cb cb, void *userdata)
{
	struct walk w = {cb, userdata};
	int r = store_rows(s, "digest_open_cases",
			   "SELECT ref, kind, subject, complainant_name, complainant_email, stage, "
			   "ack_due, acknowledged_at, response_due, officer, route, area "
			   "FROM cases WHERE status = 'open' ORDER BY id",
			   case_row, &w, "");

	return r < 0 ? r : 0;
}

int
store_digest_run_done(struct store *s, const char *day, bool *ret)
{
	int r = store_rows(s, "digest_run_done", "SELECT 1 FROM digest_runs WHERE day = ?1", NULL,
			   NULL, "s", day);

	if (r < 0)
		return r;
	*ret = r > 0;
	return 0;
}

int
store_digest_run_record(struct store *s, const char *day, time_t at, int64_t mails)
{
	int r = store_rows(s, "digest_run_record",
			   "INSERT INTO digest_runs (day, at, mails) VALUES (?1, ?2, ?3)", NULL, NULL,
			   "sii", day, (int64_t)at, mails);

	return r < 0 ? r : 0;
}

int
store_digest_mail_record(struct store *s, const char *day, const char *rcpt, bool scheduled,
			 int64_t cases, int64_t overdue, const char *message_id, time_t at)
{
	int r = store_rows(s, "digest_mail_record",
			   "INSERT INTO digest_mails (day, rcpt, scheduled, cases, overdue, message_id, "
			   "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
			   NULL, NULL, "ssiiisi", day, rcpt, (int64_t)scheduled, cases, overdue,
			   message_id, (int64_t)at);

	return r < 0 ? r : 0;
}

static int
one_int(sqlite3_stmt *st, void *userdata)
{
	*(int64_t *)userdata = sqlite3_column_int64(st, 0);
	return 0;
}

int
store_digest_mail_count(struct store *s, const char *day, int64_t *ret)
{
	int r;

	*ret = 0;
	r = store_rows(s, "digest_mail_count", "SELECT count(*) FROM digest_mails WHERE day = ?1",
		       one_int, ret, "s", day);
	return r < 0 ? r : 0;
}
