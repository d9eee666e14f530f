/*
 * store_recover.c - the store's side of recovery from the mailbox and of
 * the Sent-folder copies (part of the store adapter; see store_recover.h).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store.h"
#include "store_recover.h"
#include "util.h"

#define WHAT "recovery query"

static int
two_ints(sqlite3_stmt *st, void *userdata)
{
	int64_t *v = userdata;

	v[0] = sqlite3_column_int64(st, 0);
	v[1] = sqlite3_column_int64(st, 1);
	return 0;
}

int
store_recover_state_get(struct store *s, const char *folder, uint32_t *ret_uidvalidity,
			uint32_t *ret_last_uid)
{
	int64_t v[2] = {0, 0};
	int r = store_rows(s, WHAT, "SELECT uidvalidity, last_uid FROM recover_state WHERE folder = ?1",
			   two_ints, v, "s", folder);

	if (r < 0)
		return r;
	if (r == 0)
		return -ENOENT;
	*ret_uidvalidity = (uint32_t)v[0];
	*ret_last_uid = (uint32_t)v[1];
	return 0;
}

int
store_recover_state_set(struct store *s, const char *folder, uint32_t uidvalidity,
			uint32_t last_uid)
{
	int r = store_rows(s, WHAT,
			   "INSERT INTO recover_state (folder, uidvalidity, last_uid) VALUES (?1, ?2, ?3) "
			   "ON CONFLICT(folder) DO UPDATE SET uidvalidity = ?2, last_uid = ?3",
			   NULL, NULL, "sii", folder, (int64_t)uidvalidity, (int64_t)last_uid);

	return r < 0 ? r : 0;
}

static int
one_int(sqlite3_stmt *st, void *userdata)
{
	*(int64_t *)userdata = sqlite3_column_int64(st, 0);
	return 0;
}

int
store_recover_is_empty(struct store *s, int *ret_empty)
{
	int64_t n = 0;
	int r = store_rows(s, WHAT,
			   "SELECT (SELECT count(*) FROM (SELECT 1 FROM messages LIMIT 1)) + "
			   "(SELECT count(*) FROM (SELECT 1 FROM outbox LIMIT 1))",
			   one_int, &n, "");

	*ret_empty = n == 0;
	return r < 0 ? r : 0;
}

struct outbox_get {
	int64_t id, case_id;
	char *state;
};

static int
outbox_get_row(sqlite3_stmt *st, void *userdata)
{
	struct outbox_get *g = userdata;
	const unsigned char *t = sqlite3_column_text(st, 2);

	g->id = sqlite3_column_int64(st, 0);
	g->case_id = sqlite3_column_int64(st, 1);
	free(g->state);
	g->state = xstrdup(t ? (const char *)t : "");
	return 0;
}

int
store_recover_outbox_get(struct store *s, const char *message_id, int64_t *ret_id,
			 int64_t *ret_case_id, char **ret_state)
{
	struct outbox_get g = {0};
	int r = store_rows(s, WHAT,
			   "SELECT id, coalesce(case_id, 0), state FROM outbox WHERE message_id = ?1",
			   outbox_get_row, &g, "s", message_id);

	if (r <= 0) {
		free(g.state);
		return r < 0 ? r : -ENOENT;
	}
	*ret_id = g.id;
	*ret_case_id = g.case_id;
	if (ret_state != NULL)
		*ret_state = g.state;
	else
		free(g.state);
	return 0;
}

/* One statement with a blob: prepared here, as store_rows() binds text and integers only. */
static int
exec_with_blob(struct store *s, const char *sql, int64_t id, const char *data, size_t len,
	       int64_t t)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(store_sqlite(s), sql, -1, &st, NULL);

	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_blob64(st, 2, data, len, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, t);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_failed(s, rc, WHAT);
}

int
store_recover_outbox_sent(struct store *s, int64_t id, const char *data, size_t len,
			  time_t sent_at)
{
	int r = exec_with_blob(s,
			       "UPDATE outbox SET state = 'sent', data = ?2, orig_id = NULL, orig_at = 0, "
			       "sent_at = ?3, last_error = '' WHERE id = ?1",
			       id, data, len, (int64_t)sent_at);

	/* it is in the Sent folder already: the trigger's copy is not wanted */
	if (r == 0)
		r = store_rows(s, WHAT, "DELETE FROM sent_copy WHERE outbox_id = ?1", NULL, NULL, "i",
			       id);
	return r < 0 ? r : 0;
}

int
store_recover_outbox_insert_sent(struct store *s, int64_t case_id, const char *purpose,
				 const char *message_id, const char *in_reply_to,
				 const char *rcpt, const char *data, size_t len, time_t sent_at)
{
	struct outbox_row row = {
		.case_id = case_id,
		.purpose = (char *)purpose,
		.message_id = (char *)message_id,
		.in_reply_to = (char *)(in_reply_to ? in_reply_to : ""),
		.rcpt = (char *)rcpt,
		.data = (char *)data,
		.len = len,
		.state = (char *)"sent",
		.last_error = (char *)"recovered from the Sent folder",
		.next_attempt = sent_at,
		.created_at = sent_at,
		.sent_at = sent_at,
	};

	return store_outbox_insert(s, &row);
}

int
store_recover_outbox_max_id(struct store *s, int64_t *ret)
{
	int r;

	*ret = 0;
	r = store_rows(s, WHAT, "SELECT coalesce(max(id), 0) FROM outbox", one_int, ret, "");
	return r < 0 ? r : 0;
}

struct pending_walk {
	int (*cb)(const struct recover_queued *q, void *userdata);
	void *userdata;
};

static const char *
col(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? (const char *)t : "";
}

static int
pending_row(sqlite3_stmt *st, void *userdata)
{
	struct pending_walk *w = userdata;
	struct recover_queued q = {
		.id = sqlite3_column_int64(st, 0),
		.case_id = sqlite3_column_int64(st, 1),
		.purpose = col(st, 2),
		.rcpt = col(st, 3),
		.message_id = col(st, 4),
		.state = col(st, 5),
	};

	return w->cb(&q, w->userdata);
}

int
store_recover_outbox_pending(struct store *s, int64_t after_id,
			     int (*cb)(const struct recover_queued *q, void *userdata),
			     void *userdata)
{
	struct pending_walk w = {cb, userdata};
	int r = store_rows(s, WHAT,
			   "SELECT id, coalesce(case_id, 0), purpose, rcpt, message_id, state "
			   "FROM outbox WHERE id > ?1 AND state IN ('queued', 'held') ORDER BY id",
			   pending_row, &w, "i", (int64_t)after_id);

	return r < 0 ? r : 0;
}

int
store_recover_message_case(struct store *s, const char *mailbox, uint32_t uidvalidity,
			   uint32_t uid, int64_t *ret_case_id)
{
	int64_t v[2] = {0, 0};
	int r = store_rows(s, WHAT,
			   "SELECT coalesce(case_id, 0), id FROM messages "
			   "WHERE mailbox = ?1 AND uidvalidity = ?2 AND uid = ?3",
			   two_ints, v, "sii", mailbox, (int64_t)uidvalidity, (int64_t)uid);

	if (r < 0)
		return r;
	if (r == 0)
		return -ENOENT;
	*ret_case_id = v[0];
	return 0;
}

int
store_recover_take_ref(struct store *s, const char *ref, char **ret_ref)
{
	struct case_row *c = NULL;
	const char *dash2, *dash1 = strrchr(ref, '-');
	long long year, seq;
	char *end;
	int r;

	if (dash1 == NULL || dash1 == ref)
		return -ENOENT;
	for (dash2 = dash1 - 1; dash2 > ref && *dash2 != '-'; dash2--)
		;
	if (*dash2 != '-')
		return -ENOENT;
	year = strtoll(dash2 + 1, &end, 10);
	if (end != dash1 || year < 1970 || year > 9999)
		return -ENOENT;
	seq = strtoll(dash1 + 1, &end, 10);
	if (*end != '\0' || seq <= 0)
		return -ENOENT;
	r = store_case_get_ref(s, ref, &c);
	case_row_free(c);
	if (r == 0)
		return -ENOENT; /* taken: the case gets a new reference */
	if (r != -ENOENT)
		return r;
	r = store_rows(s, WHAT,
		       "INSERT INTO ref_seq (year, last) VALUES (?1, ?2) "
		       "ON CONFLICT(year) DO UPDATE SET last = max(last, ?2)",
		       NULL, NULL, "ii", (int64_t)year, (int64_t)seq);
	if (r < 0)
		return r;
	*ret_ref = xstrdup(ref);
	return 0;
}

struct copy_walk {
	struct sent_copy_row *v;
	size_t n;
};

static int
copy_row(sqlite3_stmt *st, void *userdata)
{
	struct copy_walk *w = userdata;
	struct sent_copy_row *c;
	const void *data = sqlite3_column_blob(st, 3);
	size_t len = (size_t)sqlite3_column_bytes(st, 3);

	w->v = xreallocarray(w->v, w->n + 1, sizeof(*w->v));
	c = &w->v[w->n++];
	c->outbox_id = sqlite3_column_int64(st, 0);
	c->attempts = sqlite3_column_int(st, 1);
	c->message_id = xstrdup(col(st, 2));
	c->data = xmalloc(len + 1);
	if (len)
		memcpy(c->data, data, len);
	c->data[len] = '\0';
	c->len = len;
	c->sent_at = (time_t)sqlite3_column_int64(st, 4);
	return 0;
}

int
store_sent_copy_due(struct store *s, time_t now, size_t limit, struct sent_copy_row **ret,
		    size_t *ret_n)
{
	struct copy_walk w = {0};
	int r = store_rows(s, WHAT,
			   "SELECT c.outbox_id, c.attempts, o.message_id, o.data, o.sent_at "
			   "FROM sent_copy c JOIN outbox_mail o ON o.id = c.outbox_id "
			   "WHERE c.next_attempt <= ?1 ORDER BY o.sent_at, o.id LIMIT ?2",
			   copy_row, &w, "ii", (int64_t)now, (int64_t)limit);

	if (r < 0) {
		sent_copy_rows_free(w.v, w.n);
		return r;
	}
	*ret = w.v;
	*ret_n = w.n;
	return 0;
}

void
sent_copy_rows_free(struct sent_copy_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(rows[i].message_id);
		free(rows[i].data);
	}
	free(rows);
}

int
store_sent_copy_done(struct store *s, int64_t outbox_id)
{
	int r = store_rows(s, WHAT, "DELETE FROM sent_copy WHERE outbox_id = ?1", NULL, NULL, "i",
			   outbox_id);

	return r < 0 ? r : 0;
}

int
store_sent_copy_retry(struct store *s, int64_t outbox_id, int attempts, time_t next_attempt,
		      const char *error)
{
	int r = store_rows(s, WHAT,
			   "UPDATE sent_copy SET attempts = ?2, next_attempt = ?3, last_error = ?4 "
			   "WHERE outbox_id = ?1",
			   NULL, NULL, "iiis", outbox_id, (int64_t)attempts, (int64_t)next_attempt,
			   error ? error : "");

	return r < 0 ? r : 0;
}

int
store_sent_copy_clear(struct store *s)
{
	int r = store_rows(s, WHAT, "DELETE FROM sent_copy", NULL, NULL, "");

	return r < 0 ? r : 0;
}

int
store_sent_copy_count(struct store *s, int64_t *ret)
{
	int r;

	*ret = 0;
	r = store_rows(s, WHAT, "SELECT count(*) FROM sent_copy", one_int, ret, "");
	return r < 0 ? r : 0;
}
