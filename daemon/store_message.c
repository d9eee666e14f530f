/*
 * store_message.c - reading stored messages whole (part of the store
 * adapter): the case file that complaintsctl shows and exports, mail
 * recorded without a case, the Sent folder's duplicates, and the name a
 * sender gave on a case.
 *
 * Every query here goes through store_rows() (daemon/store_rows.c), the one
 * row loop of the store's per-table files; each caller supplies only the
 * SQL, its parameters and what to do with a row.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include <sqlite3.h>

#include "store.h"
#include "util.h"

static const char *
text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? (const char *)t : "";
}

/* The columns every message query selects, in this order. */
#define MESSAGE_COLUMNS                                                                            \
	"0, id, coalesce(case_id, 0), message_id, direction, role, from_email, subject, "          \
	"received_at, automatic, state, reason, body, raw"

struct walk {
	store_stored_message_cb cb;
	void *userdata;
};

static int
message_row(sqlite3_stmt *st, void *userdata)
{
	struct walk *w = userdata;
	struct stored_message m = {
		.outbox = sqlite3_column_int(st, 0) != 0,
		.id = sqlite3_column_int64(st, 1),
		.case_id = sqlite3_column_int64(st, 2),
		.message_id = text(st, 3),
		.direction = text(st, 4),
		.role = text(st, 5),
		.from = text(st, 6),
		.subject = text(st, 7),
		.date = sqlite3_column_int64(st, 8),
		.automatic = text(st, 9),
		.state = text(st, 10),
		.reason = text(st, 11),
		.body = text(st, 12),
		.raw = sqlite3_column_blob(st, 13),
		.raw_len = (size_t)sqlite3_column_bytes(st, 13),
	};

	if (m.raw == NULL)
		m.raw = "";
	return w->cb(&m, w->userdata);
}

/*
 * The order things happened in, which neither clock gives alone: a
 * message's time is when the council's server received it, a mail of ours
 * is dated by this machine, and both are kept to the second.  mail_order
 * numbers every row as it was recorded (migration 6); a mail of ours
 * follows the message recorded last before it on the case (the one whose
 * processing queued it: for a new case, queued before its first message
 * is written, that first message), never earlier than that message's time.
 * Sorted by time, then by that anchor, the message before the mail it
 * caused, then by when each was recorded.
 */
#define CASE_MAIL_IN_ORDER                                                                         \
	"WITH ins AS (SELECT m.id, m.received_at AS t, coalesce(o.seq, 0) AS seq FROM messages m "  \
	"  LEFT JOIN mail_order o ON o.kind = 0 AND o.row_id = m.id WHERE m.case_id = ?1), "        \
	"outs AS (SELECT x.id, x.created_at AS t, coalesce(o.seq, 0) AS seq FROM outbox x "         \
	"  LEFT JOIN mail_order o ON o.kind = 1 AND o.row_id = x.id WHERE x.case_id = ?1), "        \
	"anch AS (SELECT outs.id, outs.t, outs.seq, coalesce("                                       \
	"  (SELECT max(ins.seq) FROM ins WHERE ins.seq < outs.seq), "                                \
	"  (SELECT min(ins.seq) FROM ins)) AS aseq FROM outs) "                                      \
	"SELECT 0, m.id, coalesce(m.case_id, 0), m.message_id, m.direction, m.role, m.from_email, "  \
	"  m.subject, m.received_at, m.automatic, m.state, m.reason, m.body, m.raw, "                \
	"  ins.t, ins.seq, 0, ins.seq FROM ins JOIN messages m ON m.id = ins.id "                    \
	"UNION ALL SELECT 1, x.id, coalesce(x.case_id, 0), x.message_id, 'out', 'council', x.rcpt, " \
	"  x.purpose, x.created_at, '', x.state, x.last_error, '', x.data, "                         \
	"  max(anch.t, coalesce((SELECT ins.t FROM ins WHERE ins.seq = anch.aseq), anch.t)), "       \
	"  coalesce(anch.aseq, 0), 1, anch.seq FROM anch JOIN outbox_mail x ON x.id = anch.id "      \
	"ORDER BY 15, 16, 17, 18"

int
store_case_messages_full(struct store *s, int64_t case_id, store_stored_message_cb cb,
			 void *userdata)
{
	struct walk w = {cb, userdata};
	int r = store_rows(s, "case_messages_full", CASE_MAIL_IN_ORDER, message_row, &w, "i",
			   case_id);

	return r < 0 ? r : 0;
}

int
store_unattached(struct store *s, store_stored_message_cb cb, void *userdata)
{
	struct walk w = {cb, userdata};
	int r = store_rows(s, "unattached",
			   "SELECT " MESSAGE_COLUMNS " FROM messages WHERE case_id IS NULL ORDER BY id",
			   message_row, &w, "");

	return r < 0 ? r : 0;
}

int
store_message_get(struct store *s, int64_t id, store_stored_message_cb cb, void *userdata)
{
	struct walk w = {cb, userdata};
	int r = store_rows(s, "message_get", "SELECT " MESSAGE_COLUMNS " FROM messages WHERE id = ?1",
			   message_row, &w, "i", id);

	return r < 0 ? r : r == 0 ? -ENOENT : 0;
}

int
store_message_attach(struct store *s, int64_t id, int64_t case_id)
{
	int r = store_rows(s, "message_attach",
			   "UPDATE messages SET case_id = ?2 WHERE id = ?1 AND case_id IS NULL "
			   "RETURNING id",
			   NULL, NULL, "ii", id, case_id);

	return r < 0 ? r : r == 0 ? -ENOENT : 0;
}

static int
first_id(sqlite3_stmt *st, void *userdata)
{
	*(int64_t *)userdata = sqlite3_column_int64(st, 0);
	return 0;
}

int
store_message_find_copy(struct store *s, const char *message_id, const char *digest,
			const char *direction, int64_t *ret_id)
{
	int r = store_rows(s, "message_find_copy",
			   "SELECT id FROM messages WHERE message_id = ?1 "
			   "AND (?1 != '' OR digest = ?2) AND state = 'processed' "
			   "AND (?3 IS NULL OR direction = ?3) LIMIT 1",
			   first_id, ret_id, "sss", message_id, digest, direction);

	return r < 0 ? r : r == 0 ? -ENOENT : 0;
}

static int
first_text(sqlite3_stmt *st, void *userdata)
{
	*(char **)userdata = xstrdup(text(st, 0));
	return 0;
}

int
store_case_sender_name(struct store *s, int64_t case_id, const char *email, char **ret)
{
	int r;

	*ret = NULL;
	r = store_rows(s, "case_sender_name",
		       "SELECT from_name FROM messages WHERE case_id = ?1 AND direction = 'in' "
		       "AND from_email = ?2 COLLATE NOCASE AND from_name != '' "
		       "ORDER BY id DESC LIMIT 1",
		       first_text, ret, "is", case_id, email);
	return r < 0 ? r : r == 0 ? -ENOENT : 0;
}
