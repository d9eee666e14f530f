/*
 * store_outbox.c - outbox queries (part of the store adapter): for the
 * automatic-reply policy (see store_autoreply.h), and the rows the delivery
 * reads, lists, requeues and marks bounced (see store.h).
 */
#include "config.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "store_autoreply.h"
#include "util.h"

int64_t
store_outbox_last_id(struct store *s)
{
	return sqlite3_last_insert_rowid(store_sqlite(s));
}

/* Acknowledgement purposes: "the first acknowledgement always" goes. */
#define ACK_PURPOSES "('ack-stage1', 'ack-stage2', 'receipt-stage1', 'receipt-stage2')"

static int
two_counts(sqlite3_stmt *st, void *userdata)
{
	int64_t *v = userdata;

	v[0] = sqlite3_column_int64(st, 0);
	v[1] = sqlite3_column_int64(st, 1);
	return 0;
}

int
store_outbox_count_limited(struct store *s, const char *rcpt, time_t since, int64_t *ret,
			   int64_t *ret_acks)
{
	int64_t v[2] = {0, 0};
	int r = store_rows(s, "outbox_count_limited",
			   "SELECT count(*), coalesce(sum(purpose IN " ACK_PURPOSES "), 0) "
			   "FROM outbox WHERE rcpt = ?1 AND created_at >= ?2 "
			   "AND purpose NOT IN ('relay', 'acknowledge', 'footer-followup', 'digest') "
			   "AND purpose NOT LIKE 'notify-%' "
			   "AND state NOT IN ('suppressed', 'held')",
			   two_counts, v, "si", rcpt, (int64_t)since);

	*ret = v[0];
	*ret_acks = v[1];
	return r < 0 ? r : 0;
}

int
store_outbox_count_held(struct store *s, int64_t *ret)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(store_sqlite(s), "SELECT count(*) FROM outbox WHERE state = 'held'",
				    -1, &st, NULL);

	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		*ret = sqlite3_column_int64(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? 0 : -EIO;
}

int
store_outbox_move(struct store *s, int64_t id, const char *from, const char *to,
		  time_t next_attempt)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(store_sqlite(s),
				    "UPDATE outbox SET state = ?3, next_attempt = ?4, last_error = '' "
				    "WHERE id = ?1 AND state = ?2",
				    -1, &st, NULL);

	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, from, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, to, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, next_attempt);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return -EIO;
	return sqlite3_changes(store_sqlite(s)) > 0 ? 0 : -ENOENT;
}

#define OUTBOX_COLUMNS                                                                             \
	"id, coalesce(case_id, 0), purpose, message_id, in_reply_to, rcpt, data, state, attempts, " \
	"next_attempt, last_error, created_at, sent_at"

static void
outbox_from_row(sqlite3_stmt *st, struct outbox_row *o)
{
	o->id = sqlite3_column_int64(st, 0);
	o->case_id = sqlite3_column_int64(st, 1);
	o->purpose = store_col_str(st, 2);
	o->message_id = store_col_str(st, 3);
	o->in_reply_to = store_col_str(st, 4);
	o->rcpt = store_col_str(st, 5);
	o->len = (size_t)sqlite3_column_bytes(st, 6);
	o->data = xmalloc(o->len + 1);
	if (o->len > 0)
		memcpy(o->data, sqlite3_column_blob(st, 6), o->len);
	o->data[o->len] = '\0';
	o->state = store_col_str(st, 7);
	o->attempts = sqlite3_column_int(st, 8);
	o->next_attempt = sqlite3_column_int64(st, 9);
	o->last_error = store_col_str(st, 10);
	o->created_at = sqlite3_column_int64(st, 11);
	o->sent_at = sqlite3_column_int64(st, 12);
}

static void
outbox_row_clear(struct outbox_row *o)
{
	free(o->purpose);
	free(o->message_id);
	free(o->in_reply_to);
	free(o->rcpt);
	free(o->data);
	free(o->state);
	free(o->last_error);
}

void
outbox_rows_free(struct outbox_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		outbox_row_clear(&rows[i]);
	free(rows);
}

/* store_outbox_due()'s rows, read into a growing array. */
struct outbox_rows {
	struct outbox_row *rows;
	size_t n;
};

static int
outbox_rows_add(sqlite3_stmt *st, void *userdata)
{
	struct outbox_rows *a = userdata;

	a->rows = xreallocarray(a->rows, a->n + 1, sizeof(*a->rows));
	outbox_from_row(st, &a->rows[a->n++]);
	return 0;
}

int
store_outbox_due(struct store *s, time_t now, size_t limit, struct outbox_row **ret, size_t *ret_n)
{
	struct outbox_rows a = {NULL, 0};
	int r = store_rows(s, "outbox_due",
			   "SELECT " OUTBOX_COLUMNS " FROM outbox_mail WHERE state = 'queued' "
			   "AND next_attempt <= ?1 ORDER BY next_attempt, id LIMIT ?2",
			   outbox_rows_add, &a, "ii", (int64_t)now, (int64_t)limit);

	if (r < 0) {
		outbox_rows_free(a.rows, a.n);
		return r;
	}
	*ret = a.rows;
	*ret_n = a.n;
	return 0;
}

struct outbox_walk {
	store_outbox_cb cb;
	void *userdata;
	int last;
};

static int
outbox_walk_row(sqlite3_stmt *st, void *userdata)
{
	struct outbox_walk *w = userdata;
	struct outbox_row o;

	outbox_from_row(st, &o);
	w->last = w->cb(&o, w->userdata);
	outbox_row_clear(&o);
	return w->last < 0 ? w->last : 0;
}

int
store_outbox_list(struct store *s, const char *state, store_outbox_cb cb, void *userdata)
{
	struct outbox_walk w = {.cb = cb, .userdata = userdata};
	int r = store_rows(s, "outbox_list",
			   "SELECT " OUTBOX_COLUMNS " FROM outbox_mail WHERE ?1 IS NULL OR state = ?1 "
			   "ORDER BY id DESC",
			   outbox_walk_row, &w, "s", state);

	return r < 0 ? r : w.last;
}

int
store_outbox_requeue(struct store *s, int64_t id, time_t now)
{
	int r = store_rows(s, "outbox_requeue",
			   "UPDATE outbox SET state = 'queued', next_attempt = ?2, created_at = ?2, "
			   "last_error = 'retry requested: ' || last_error WHERE id = ?1 AND state = 'failed'",
			   NULL, NULL, "ii", id, (int64_t)now);

	if (r < 0)
		return r;
	return sqlite3_changes(store_sqlite(s)) > 0 ? 0 : -ENOENT;
}

int
store_outbox_bounced(struct store *s, int64_t id, const char *reason)
{
	int r = store_rows(s, "outbox_bounced",
			   "UPDATE outbox SET state = 'failed', last_error = ?2 WHERE id = ?1", NULL,
			   NULL, "is", id, reason ? reason : "");

	return r < 0 ? r : 0;
}
