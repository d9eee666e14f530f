/*
 * store_case.c - reading cases (part of the store adapter; see store.h):
 * one case, the listings, the deadline scan, a case's messages and events,
 * and the retention purge.  Every query goes through store_rows()
 * (daemon/store_rows.c), the one row loop.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "buf.h"
#include "store.h"
#include "util.h"

#define CASE_COLUMNS                                                                               \
	"id, ref, kind, stage, status, scheme, route, subject, subject_key, complainant_name, "   \
	"complainant_email, rep_email, rep_role, rep_consent, officer, received_at, "            \
	"received_date, ack_due, acknowledged_at, response_due, responded_at, extension_days, "  \
	"outcome, flags, escalated_at, first_and_final, s1_acknowledged_at, s1_response_due, "     \
	"s1_responded_at, s1_extension_days, s1_outcome, created_at, updated_at"

static struct case_row *
case_from_row(sqlite3_stmt *st)
{
	struct case_row *c = xcalloc(1, sizeof(*c));

	c->id = sqlite3_column_int64(st, 0);
	c->ref = store_col_str(st, 1);
	c->kind = store_col_str(st, 2);
	c->stage = sqlite3_column_int(st, 3);
	c->status = store_col_str(st, 4);
	c->scheme = store_col_str(st, 5);
	c->route = store_col_str(st, 6);
	c->subject = store_col_str(st, 7);
	c->subject_key = store_col_str(st, 8);
	c->complainant_name = store_col_str(st, 9);
	c->complainant_email = store_col_str(st, 10);
	c->rep_email = store_col_str(st, 11);
	c->rep_role = store_col_str(st, 12);
	c->rep_consent = store_col_str(st, 13);
	c->officer = store_col_str(st, 14);
	c->received_at = sqlite3_column_int64(st, 15);
	c->received_date = store_col_str(st, 16);
	c->ack_due = store_col_str(st, 17);
	c->acknowledged_at = sqlite3_column_int64(st, 18);
	c->response_due = store_col_str(st, 19);
	c->responded_at = sqlite3_column_int64(st, 20);
	c->extension_days = sqlite3_column_int(st, 21);
	c->outcome = store_col_str(st, 22);
	c->flags = store_col_str(st, 23);
	c->escalated_at = sqlite3_column_int64(st, 24);
	c->first_and_final = sqlite3_column_int(st, 25) != 0;
	c->s1_acknowledged_at = sqlite3_column_int64(st, 26);
	c->s1_response_due = store_col_str(st, 27);
	c->s1_responded_at = sqlite3_column_int64(st, 28);
	c->s1_extension_days = sqlite3_column_int(st, 29);
	c->s1_outcome = store_col_str(st, 30);
	c->created_at = sqlite3_column_int64(st, 31);
	c->updated_at = sqlite3_column_int64(st, 32);
	return c;
}

void
case_row_free(struct case_row *c)
{
	if (c == NULL)
		return;
	free(c->ref);
	free(c->kind);
	free(c->status);
	free(c->scheme);
	free(c->route);
	free(c->subject);
	free(c->subject_key);
	free(c->complainant_name);
	free(c->complainant_email);
	free(c->rep_email);
	free(c->rep_role);
	free(c->rep_consent);
	free(c->officer);
	free(c->received_date);
	free(c->ack_due);
	free(c->response_due);
	free(c->outcome);
	free(c->flags);
	free(c->s1_response_due);
	free(c->s1_outcome);
	free(c->area);
	free(c);
}

static int
case_one(sqlite3_stmt *st, void *userdata)
{
	struct case_row **ret = userdata;

	*ret = case_from_row(st);
	return 0;
}

int
store_case_get(struct store *s, int64_t id, struct case_row **ret)
{
	int r = store_rows(s, "case_get", "SELECT " CASE_COLUMNS " FROM cases WHERE id = ?1", case_one,
			   ret, "i", id);

	return r < 0 ? r : r == 0 ? -ENOENT : 0;
}

int
store_case_get_ref(struct store *s, const char *ref, struct case_row **ret)
{
	int r = store_rows(s, "case_get", "SELECT " CASE_COLUMNS " FROM cases WHERE ref = ?1", case_one,
			   ret, "s", ref ? ref : "");

	return r < 0 ? r : r == 0 ? -ENOENT : 0;
}

/* A store_case_cb called with each row as a case; the walk returns what it last returned. */
struct case_walk {
	store_case_cb cb;
	void *userdata;
	int last;
	bool collect; /* store_purge(): keep the ids of the cases seen */
	int64_t *ids;
	size_t n;
};

static int
case_walk_row(sqlite3_stmt *st, void *userdata)
{
	struct case_walk *w = userdata;
	struct case_row *c = case_from_row(st);

	w->last = w->cb(c, w->userdata);
	if (w->collect) {
		w->ids = xreallocarray(w->ids, w->n + 1, sizeof(*w->ids));
		w->ids[w->n++] = c->id;
	}
	case_row_free(c);
	return w->last < 0 ? w->last : 0;
}

int
store_case_list(struct store *s, const struct case_filter *f, store_case_cb cb, void *userdata)
{
	_cleanup_buf_ struct buf sql = BUF_INIT;
	struct case_walk w = {.cb = cb, .userdata = userdata};
	int r;

	/*
	 * Only the filters given, so SQLite can plan each listing on its own:
	 * --overdue starts from the partial due-date indexes, whatever the
	 * number of closed cases.  Each filter has its own parameter number;
	 * the ones not in the query are bound to nothing.
	 */
	(void)buf_puts(&sql, "SELECT " CASE_COLUMNS " FROM cases WHERE 1");
	if (f->stage)
		(void)buf_puts(&sql, " AND stage = ?1");
	if (f->kind)
		(void)buf_puts(&sql, " AND kind = ?2");
	if (f->status)
		(void)buf_puts(&sql, " AND status = ?3");
	if (f->officer)
		(void)buf_puts(&sql, " AND officer = ?4");
	if (f->overdue_on)
		(void)buf_puts(&sql,
			       " AND id IN (SELECT id FROM cases WHERE status = 'open' AND "
			       "acknowledged_at = 0 AND ack_due != '' AND ack_due < ?5 "
			       "UNION SELECT id FROM cases WHERE status = 'open' AND "
			       "response_due != '' AND response_due < ?5)");
	(void)buf_puts(&sql, " ORDER BY id");

	r = store_rows(s, "case_list", buf_str(&sql), case_walk_row, &w, "issss", (int64_t)f->stage,
		       f->kind, f->status, f->officer, f->overdue_on);
	return r < 0 ? r : w.last;
}

struct message_walk {
	store_message_cb cb;
	void *userdata;
	int last;
};

static int
message_walk_row(sqlite3_stmt *st, void *userdata)
{
	struct message_walk *w = userdata;
	struct message_summary m = {
		.message_id = (const char *)sqlite3_column_text(st, 0),
		.direction = (const char *)sqlite3_column_text(st, 1),
		.role = (const char *)sqlite3_column_text(st, 2),
		.from = (const char *)sqlite3_column_text(st, 3),
		.date = sqlite3_column_int64(st, 4),
		.subject = (const char *)sqlite3_column_text(st, 5),
		.automatic = (const char *)sqlite3_column_text(st, 6),
		.state = (const char *)sqlite3_column_text(st, 7),
	};

	w->last = w->cb(&m, w->userdata);
	return w->last < 0 ? w->last : 0;
}

int
store_case_messages(struct store *s, int64_t case_id, store_message_cb cb, void *userdata)
{
	struct message_walk w = {.cb = cb, .userdata = userdata};
	int r = store_rows(s, "case_messages",
			   "SELECT message_id, direction, role, from_email, received_at, subject, "
			   "automatic, state FROM messages WHERE case_id = ?1 "
			   "UNION ALL SELECT message_id, 'out', 'council', rcpt, created_at, purpose, '', "
			   "state FROM outbox WHERE case_id = ?1 ORDER BY 5, 2, 1",
			   message_walk_row, &w, "i", case_id);

	return r < 0 ? r : w.last;
}

struct event_walk {
	store_event_cb cb;
	void *userdata;
	int last;
};

static int
event_walk_row(sqlite3_stmt *st, void *userdata)
{
	struct event_walk *w = userdata;
	struct event_summary e = {
		.at = sqlite3_column_int64(st, 0),
		.actor = (const char *)sqlite3_column_text(st, 1),
		.type = (const char *)sqlite3_column_text(st, 2),
		.detail = (const char *)sqlite3_column_text(st, 3),
	};

	w->last = w->cb(&e, w->userdata);
	return w->last < 0 ? w->last : 0;
}

int
store_case_events(struct store *s, int64_t case_id, store_event_cb cb, void *userdata)
{
	struct event_walk w = {.cb = cb, .userdata = userdata};
	int r = store_rows(s, "case_events",
			   "SELECT at, actor, type, detail FROM events WHERE case_id = ?1 ORDER BY id",
			   event_walk_row, &w, "i", case_id);

	return r < 0 ? r : w.last;
}

int
store_case_due(struct store *s, const char *today, const char *horizon, store_case_cb cb,
	       void *userdata)
{
	struct case_walk w = {.cb = cb, .userdata = userdata};
	int r;

	/*
	 * Two range scans on the partial due-date indexes, which also hold
	 * what was done (breach_done, reminder_done): cost follows what is due
	 * and not yet dealt with, not the number of cases.  The UNION is
	 * materialised before the first row comes back, so the callback may
	 * update the rows (store_case_deadline_done) while this runs.
	 */
	r = store_rows(s, "case_due",
		       "SELECT " CASE_COLUMNS " FROM cases WHERE status = 'open' AND "
		       "response_due != '' AND response_due <= ?1 AND "
		       "breach_done != stage || ':' || response_due || ':response' AND "
		       "(response_due < ?2 OR reminder_done != stage || ':' || response_due) "
		       "UNION SELECT " CASE_COLUMNS " FROM cases WHERE status = 'open' AND "
		       "ack_due != '' AND ack_due < ?2 AND acknowledged_at = 0 AND response_due = '' AND "
		       "breach_done != stage || ':' || ack_due || ':ack' ORDER BY 1",
		       case_walk_row, &w, "ss", horizon ? horizon : "", today ? today : "");
	return r < 0 ? r : w.last;
}

int
store_purge(struct store *s, time_t before, bool apply, time_t now, store_case_cb cb,
	    void (*progress)(size_t done, size_t total, void *userdata), void *userdata)
{
	static const char *const scrub[] = {
		"UPDATE cases SET complainant_name = '', complainant_email = '', rep_email = '', "
		"subject = '(removed under the retention policy)', subject_key = '', officer = '' "
		"WHERE id = ?1",
		"UPDATE messages SET from_email = '', from_name = '', subject = '', body = '', "
		"raw = x'' WHERE case_id = ?1",
		"UPDATE outbox SET rcpt = '', data = x'', orig_id = NULL, orig_at = 0, in_reply_to = '' "
		"WHERE case_id = ?1",
		/* keep what the annual report reads; drop free text that may name people */
		"UPDATE events SET actor = '', detail = '' WHERE case_id = ?1 AND type NOT IN "
		"('outcome', 'improvement', 'extended', 'reclassified', 'status', 'acknowledged', "
		"'escalated', 'responded', 'deadline_breached', 'first_and_final')",
		"INSERT INTO events (case_id, at, actor, type, detail) VALUES (?1, ?2, 'complaintsctl', "
		"'purged', 'personal data removed under the retention policy')",
	};
	struct case_walk w = {.cb = cb, .userdata = userdata, .collect = true};
	int r;

	r = store_rows(s, "purge",
		       "SELECT " CASE_COLUMNS " FROM cases WHERE status IN ('closed', 'excluded') "
		       "AND updated_at < ?1 AND complainant_email || rep_email || subject_key != '' "
		       "ORDER BY id",
		       case_walk_row, &w, "i", (int64_t)before);
	r = r < 0 ? r : w.last;
	if (r < 0 || !apply || w.n == 0) {
		free(w.ids);
		return r;
	}
	r = store_begin(s);
	for (size_t i = 0; r == 0 && i < w.n; i++) {
		for (size_t k = 0; r == 0 && k < ELEMENTSOF(scrub); k++) {
			r = k == ELEMENTSOF(scrub) - 1
				    ? store_rows(s, "purge", scrub[k], NULL, NULL, "ii", w.ids[i], (int64_t)now)
				    : store_rows(s, "purge", scrub[k], NULL, NULL, "i", w.ids[i]);
			r = r < 0 ? r : 0;
		}
		if (progress != NULL)
			progress(i + 1, w.n, userdata);
	}
	if (r == 0)
		r = store_commit(s);
	if (r < 0)
		store_rollback(s);
	free(w.ids);
	return r;
}
