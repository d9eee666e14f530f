/*
 * store_outbox.c - outbox queries for the automatic-reply policy (part of
 * the store adapter; see store_autoreply.h).
 */
#include "config.h"

#include <errno.h>
#include <sqlite3.h>

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
