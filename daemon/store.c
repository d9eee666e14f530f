/*
 * store.c - SQLite persistence for cases, messages, events and the IMAP position:
 * opening the database, errors, transactions and the single-row writes and
 * look-ups.  Reading cases is in store_case.c, the outbox's rows in
 * store_outbox.c, both through store_rows() (store_rows.c).
 *
 * Schema changes are numbered migrations (store_schema.c) applied in one
 * transaction each, recorded in PRAGMA user_version.  Statements are prepared once
 * (SQLITE_PREPARE_PERSISTENT) and reset after every use so no read
 * transaction stays open and the WAL can be checkpointed.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "buf.h"
#include "store.h"
#include "store_checkpoint.h"
#include "store_schema.h"
#include "util.h"


enum stmt_id {
	ST_MAILBOX_GET,
	ST_MAILBOX_SET,
	ST_MSG_FIND_UID,
	ST_MSG_FIND_DIGEST,
	ST_MSG_SET_UID,
	ST_MSG_INSERT,
	ST_CASE_BY_MSGID,
	ST_CASE_BY_OUTBOX_MSGID,
	ST_CASE_BY_SUBJECT,
	ST_NEXT_REF,
	ST_NEXT_REF_BUMP,
	ST_NEXT_REF_READ,
	ST_CASE_INSERT,
	ST_CASE_UPDATE,
	ST_EVENT_ADD,
	ST_OUTBOX_INSERT,
	ST_OUTBOX_UPDATE,
	ST_OUTBOX_COUNT_AUTO,
	ST_OUTBOX_FIND,
	ST_OUTBOX_COUNT_PURPOSE,
	ST_CASE_FIRST_MSGID,
	ST_CASE_BREACH_DONE,
	ST_CASE_REMINDER_DONE,
	_ST_MAX,
};

static const char *const stmt_sql[_ST_MAX] = {
	[ST_MAILBOX_GET] = "SELECT uidvalidity, last_uid FROM mailbox_state WHERE mailbox = ?1",
	[ST_MAILBOX_SET] = "INSERT INTO mailbox_state (mailbox, uidvalidity, last_uid) VALUES (?1, ?2, ?3) "
			   "ON CONFLICT(mailbox) DO UPDATE SET uidvalidity = ?2, last_uid = ?3",
	[ST_MSG_FIND_UID] = "SELECT state FROM messages WHERE mailbox = ?1 AND uidvalidity = ?2 AND uid = ?3",
	[ST_MSG_FIND_DIGEST] = "SELECT id FROM messages WHERE message_id = ?1 AND digest = ?2 "
			       "AND direction = 'in' LIMIT 1",
	[ST_MSG_SET_UID] = "UPDATE messages SET mailbox = ?2, uidvalidity = ?3, uid = ?4 WHERE id = ?1",
	[ST_MSG_INSERT] =
		"INSERT INTO messages (case_id, direction, role, message_id, digest, mailbox, "
		"uidvalidity, uid, from_email, from_name, subject, received_at, automatic, state, "
		"reason, body, raw) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
		"?14, ?15, ?16, ?17)",
	[ST_CASE_BY_MSGID] = "SELECT case_id FROM messages WHERE message_id = ?1 AND case_id IS NOT NULL "
			     "ORDER BY id LIMIT 1",
	[ST_CASE_BY_OUTBOX_MSGID] = "SELECT case_id FROM outbox WHERE message_id = ?1 AND case_id IS NOT NULL",
	/* the newest is picked by store_case_by_subject(): no sort for the usual none or one */
	[ST_CASE_BY_SUBJECT] = "SELECT id, updated_at FROM cases WHERE complainant_email = ?1 "
			       "AND subject_key = ?2 AND subject_key != '' AND status != 'closed' "
			       "AND updated_at >= ?3",
	[ST_NEXT_REF] = "INSERT INTO ref_seq (year, last) VALUES (?1, 1) "
			"ON CONFLICT(year) DO UPDATE SET last = last + 1 RETURNING last",
	/* the same in two steps, inside a transaction: RETURNING costs a temporary table */
	[ST_NEXT_REF_BUMP] = "INSERT INTO ref_seq (year, last) VALUES (?1, 1) "
			     "ON CONFLICT(year) DO UPDATE SET last = last + 1",
	[ST_NEXT_REF_READ] = "SELECT last FROM ref_seq WHERE year = ?1",
	[ST_CASE_INSERT] =
		"INSERT INTO cases (ref, kind, stage, status, scheme, route, subject, subject_key, "
		"complainant_name, complainant_email, rep_email, rep_role, rep_consent, officer, "
		"received_at, received_date, ack_due, acknowledged_at, response_due, responded_at, "
		"extension_days, outcome, flags, escalated_at, first_and_final, s1_acknowledged_at, "
		"s1_response_due, s1_responded_at, s1_extension_days, s1_outcome, created_at, updated_at, "
		"area) "
		"VALUES (?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, "
		"?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34)",
	[ST_CASE_UPDATE] =
		"UPDATE cases SET ref = ?2, kind = ?3, stage = ?4, status = ?5, scheme = ?6, "
		"route = ?7, subject = ?8, subject_key = ?9, complainant_name = ?10, "
		"complainant_email = ?11, rep_email = ?12, rep_role = ?13, rep_consent = ?14, "
		"officer = ?15, received_at = ?16, received_date = ?17, ack_due = ?18, "
		"acknowledged_at = ?19, response_due = ?20, responded_at = ?21, extension_days = ?22, "
		"outcome = ?23, flags = ?24, escalated_at = ?25, first_and_final = ?26, "
		"s1_acknowledged_at = ?27, s1_response_due = ?28, s1_responded_at = ?29, "
		"s1_extension_days = ?30, s1_outcome = ?31, created_at = ?32, updated_at = ?33 WHERE id = ?1",
	[ST_EVENT_ADD] = "INSERT INTO events (case_id, at, actor, type, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
	[ST_OUTBOX_INSERT] =
		"INSERT INTO outbox (case_id, purpose, message_id, in_reply_to, rcpt, data, state, "
		"attempts, next_attempt, last_error, created_at, sent_at, orig_id, orig_at) VALUES (?1, "
		"?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) ON CONFLICT(message_id) DO NOTHING",
	[ST_OUTBOX_UPDATE] = "UPDATE outbox SET state = ?2, attempts = ?3, next_attempt = ?4, "
			     "last_error = ?5, sent_at = ?6 WHERE id = ?1",
	[ST_OUTBOX_COUNT_AUTO] = "SELECT count(*) FROM outbox WHERE rcpt = ?1 AND created_at >= ?2 "
				 "AND purpose NOT IN ('relay', 'acknowledge') AND purpose NOT LIKE 'notify-%' "
				 "AND state != 'suppressed'",
	[ST_OUTBOX_FIND] = "SELECT id, coalesce(case_id, 0) FROM outbox WHERE message_id = ?1",
	[ST_OUTBOX_COUNT_PURPOSE] = "SELECT count(*) FROM outbox WHERE case_id = ?1 AND purpose = ?2",
	[ST_CASE_FIRST_MSGID] = "SELECT message_id FROM messages WHERE case_id = ?1 AND direction = 'in' "
				"AND message_id != '' ORDER BY id LIMIT 1",
	[ST_CASE_BREACH_DONE] = "UPDATE cases SET breach_done = ?2 WHERE id = ?1",
	[ST_CASE_REMINDER_DONE] = "UPDATE cases SET reminder_done = ?2 WHERE id = ?1",
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *stmt[_ST_MAX];
	char *error;
	char *dir; /* the directory holding the database, to explain I/O errors */
	struct stmt_cache *cache; /* store_rows()'s statements */
	struct store_ckpt *ckpt;  /* store_checkpoint_background()'s thread, or NULL */
};

/* A read-only or full file system under the database, said plainly; NULL when neither. */
static const char *
store_fs_problem(const struct store *s)
{
	struct statvfs vfs;

	if (s->dir == NULL || statvfs(s->dir, &vfs) < 0)
		return NULL;
	if (vfs.f_flag & ST_RDONLY)
		return "the file system holding the database is read-only";
	/* f_files is 0 where there is no inode limit (btrfs): only blocks count there */
	if (vfs.f_bavail == 0 || (vfs.f_files > 0 && vfs.f_favail == 0))
		return "no space left on the disk holding the database";
	return NULL;
}

/*
 * What an administrator should read for an SQLite failure, or NULL when
 * SQLite's own words will do.  SQLite reports a full or read-only file
 * system in several ways (SQLITE_FULL, or an I/O error when its WAL index
 * cannot be created), so for those the file system itself is asked.
 */
static const char *
store_explain(const struct store *s, int rc)
{
	const char *fs;

	switch (rc & 0xff) {
	case SQLITE_FULL:
		return "no space left on the disk holding the database";
	case SQLITE_READONLY:
		fs = store_fs_problem(s);
		return fs ? fs : "the database is read-only: check the permissions of the file and its directory";
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return "no permission to use the database file";
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return "the database is locked by another process";
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return "the database file is damaged or not a complaintsd database";
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
		fs = store_fs_problem(s);
		if (fs)
			return fs;
		return (rc & 0xff) == SQLITE_CANTOPEN ? "the database file cannot be opened"
						      : "the database file cannot be read or written";
	default:
		return NULL;
	}
}

static int
store_fail(struct store *s, int rc, const char *what)
{
	const char *why = store_explain(s, rc);

	free(s->error);
	if (why)
		s->error = xasprintf("%s (%s: %s, code %d)", why, what, sqlite3_errmsg(s->db), rc);
	else
		s->error = xasprintf("%s: %s (code %d)", what, sqlite3_errmsg(s->db), rc);
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_IOERR:
		return -EIO;
	case SQLITE_READONLY:
	case SQLITE_PERM:
		return -EACCES;
	case SQLITE_CONSTRAINT:
		return -EEXIST;
	default:
		return -EIO;
	}
}

int
store_failed(struct store *s, int rc, const char *what)
{
	return store_fail(s, rc, what);
}

const char *
store_last_error(const struct store *s)
{
	return s->error ? s->error : "no error";
}

static int
store_exec(struct store *s, const char *sql)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : store_fail(s, rc, sql);
}

/* A prepared statement, reset and unbound, ready for binding. */
static sqlite3_stmt *
store_stmt(struct store *s, enum stmt_id id)
{
	if (s->stmt[id] == NULL) {
		int rc = sqlite3_prepare_v3(s->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
					    &s->stmt[id], NULL);
		if (rc != SQLITE_OK) {
			(void)store_fail(s, rc, "prepare");
			return NULL;
		}
	}
	return s->stmt[id];
}

static void
stmt_done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

static int
store_migrate(struct store *s)
{
	sqlite3_stmt *st;
	int version, r;

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, sqlite3_errcode(s->db), "PRAGMA user_version");
	version = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	if (version > (int)store_n_migrations) {
		free(s->error);
		s->error = xasprintf("database schema version %d is newer than this program (%zu)",
				     version, store_n_migrations);
		return -EPROTO;
	}
	for (int v = version; v < (int)store_n_migrations; v++) {
		char set[64];

		r = store_exec(s, "BEGIN IMMEDIATE");
		if (r < 0)
			return r;
		r = store_exec(s, store_migrations[v]);
		if (r == 0) {
			int n = snprintf(set, sizeof(set), "PRAGMA user_version = %d", v + 1);

			r = (n > 0 && (size_t)n < sizeof(set)) ? store_exec(s, set) : -EINVAL;
		}
		if (r == 0)
			r = store_exec(s, "COMMIT");
		if (r < 0) {
			(void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			return r;
		}
	}
	return 0;
}

/*
 * Every INSERT into messages or outbox fires a trigger (mail_order), so
 * SQLite keeps a statement journal for it; past SQLITE_STMTJRNL_SPILL (64 KiB)
 * that journal goes to a temporary file.  A batch of 100 messages wrote about
 * five times its own size into such files (measured with strace on bench's
 * backlog: 160 MB for 3,000 messages); at 128 KiB they are 7 MB.  Not more:
 * SQLite 3.40 answers SQLITE_FULL when a journal kept in memory up to 256 KiB
 * or more has to spill (a large mail marked sent; tests/test_store.c).  It
 * must be set before SQLite initialises, so before the first open; a later
 * call is refused and changes nothing.
 */
static void
store_configure_once(void)
{
	(void)sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, 128 << 10);
	/*
	 * No count of SQLite's memory (nothing reads sqlite3_memory_used() or
	 * sets a heap limit): with it, every allocation SQLite makes takes and
	 * releases a global mutex, about 1% of the intake's instructions.
	 */
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int
store_open(const char *path, struct store **ret, char **ret_error)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	struct store *s = xcalloc(1, sizeof(*s));
	const char *slash = strrchr(path, '/');
	int rc, r;

	s->dir = slash == NULL ? xstrdup(".") : slash == path ? xstrdup("/")
		 : xstrndup(path, (size_t)(slash - path));
	pthread_once(&once, store_configure_once);
	/*
	 * A store is used only by the thread that opened it (the fetch and the
	 * IMAP moves run beside it without touching it), so its connection
	 * goes without SQLite's own mutex, taken and released on every call.
	 */
	rc = sqlite3_open_v2(path, &s->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		const char *why = store_explain(s, rc);

		*ret_error = xasprintf("%s: cannot open the database: %s%s%s%s", path,
				       why ? why : "", why ? " (" : "",
				       s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc),
				       why ? ")" : "");
		store_free(s);
		return -EIO;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, 5000);
	r = store_exec(s, "PRAGMA journal_mode = WAL");
	if (r == 0)
		r = store_exec(s, "PRAGMA synchronous = FULL");
	if (r == 0)
		r = store_exec(s, "PRAGMA foreign_keys = ON");
	if (r == 0)
		r = store_migrate(s);
	if (r < 0) {
		*ret_error = xasprintf("%s: %s", path, store_last_error(s));
		store_free(s);
		return r;
	}
	*ret = s;
	return 0;
}

void
store_free(struct store *s)
{
	if (s == NULL)
		return;
	store_ckpt_stop(s->db, s->ckpt);
	for (size_t i = 0; i < _ST_MAX; i++)
		sqlite3_finalize(s->stmt[i]);
	store_stmt_cache_free(s->cache);
	sqlite3_close(s->db);
	free(s->error);
	free(s->dir);
	free(s);
}

int
store_checkpoint_background(struct store *s)
{
	const char *path = sqlite3_db_filename(s->db, "main");

	if (s->ckpt != NULL)
		return 0;
	if (isempty(path))
		return -EINVAL;
	return store_ckpt_start(s->db, path, &s->ckpt);
}

unsigned long
store_checkpoint_runs(struct store *s)
{
	return store_ckpt_runs(s->ckpt);
}

int
store_begin(struct store *s)
{
	return store_exec(s, "BEGIN IMMEDIATE");
}

int
store_commit(struct store *s)
{
	return store_exec(s, "COMMIT");
}

void
store_rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		(void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/*
 * v bound in place, without a copy (SQLITE_STATIC): every statement here is
 * stepped, reset and unbound (stmt_done) before the function that bound it
 * returns, so v stays as it is for as long as SQLite may read it.
 */
static void
bind_text(sqlite3_stmt *st, int i, const char *v)
{
	sqlite3_bind_text(st, i, v ? v : "", -1, SQLITE_STATIC);
}

/* Step a statement that returns no rows. */
static int
step_done(struct store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	stmt_done(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, rc, what);
}

/* Step a statement expected to return at most one integer. -ENOENT when none. */
static int
step_int64(struct store *s, sqlite3_stmt *st, const char *what, int64_t *ret)
{
	int rc = sqlite3_step(st), r = 0;

	if (rc == SQLITE_ROW)
		*ret = sqlite3_column_int64(st, 0);
	else if (rc == SQLITE_DONE)
		r = -ENOENT;
	else
		r = store_fail(s, rc, what);
	stmt_done(st);
	return r;
}

/* Step a statement expected to return at most one row of two integers. -ENOENT when none. */
static int
step_two_int64(struct store *s, sqlite3_stmt *st, const char *what, int64_t *ret_a, int64_t *ret_b)
{
	int rc = sqlite3_step(st), r = 0;

	if (rc == SQLITE_ROW) {
		*ret_a = sqlite3_column_int64(st, 0);
		*ret_b = sqlite3_column_int64(st, 1);
	} else
		r = rc == SQLITE_DONE ? -ENOENT : store_fail(s, rc, what);
	stmt_done(st);
	return r;
}

/* Step a statement expected to return at most one text (malloc'ed). -ENOENT when none. */
static int
step_str(struct store *s, sqlite3_stmt *st, const char *what, char **ret)
{
	int rc = sqlite3_step(st), r = 0;

	if (rc == SQLITE_ROW)
		*ret = store_col_str(st, 0);
	else
		r = rc == SQLITE_DONE ? -ENOENT : store_fail(s, rc, what);
	stmt_done(st);
	return r;
}

int
store_mailbox_get(struct store *s, const char *mailbox, uint32_t *ret_uidvalidity,
		  uint32_t *ret_last_uid)
{
	sqlite3_stmt *st = store_stmt(s, ST_MAILBOX_GET);
	int64_t uidvalidity, last_uid;
	int r;

	if (st == NULL)
		return -EIO;
	bind_text(st, 1, mailbox);
	r = step_two_int64(s, st, "mailbox_get", &uidvalidity, &last_uid);
	if (r == 0) {
		*ret_uidvalidity = (uint32_t)uidvalidity;
		*ret_last_uid = (uint32_t)last_uid;
	}
	return r;
}

int
store_mailbox_set(struct store *s, const char *mailbox, uint32_t uidvalidity, uint32_t last_uid)
{
	sqlite3_stmt *st = store_stmt(s, ST_MAILBOX_SET);

	if (st == NULL)
		return -EIO;
	bind_text(st, 1, mailbox);
	sqlite3_bind_int64(st, 2, uidvalidity);
	sqlite3_bind_int64(st, 3, last_uid);
	return step_done(s, st, "mailbox_set");
}

int
store_message_find_uid(struct store *s, const char *mailbox, uint32_t uidvalidity, uint32_t uid,
		       char **ret_state)
{
	sqlite3_stmt *st = store_stmt(s, ST_MSG_FIND_UID);

	if (st == NULL)
		return -EIO;
	bind_text(st, 1, mailbox);
	sqlite3_bind_int64(st, 2, uidvalidity);
	sqlite3_bind_int64(st, 3, uid);
	return step_str(s, st, "message_find_uid", ret_state);
}

int
store_message_find_digest(struct store *s, const char *message_id, const char *digest,
			  int64_t *ret_id)
{
	sqlite3_stmt *st = store_stmt(s, ST_MSG_FIND_DIGEST);

	if (st == NULL)
		return -EIO;
	bind_text(st, 1, message_id);
	bind_text(st, 2, digest);
	return step_int64(s, st, "message_find_digest", ret_id);
}

int
store_message_set_uid(struct store *s, int64_t id, const char *mailbox, uint32_t uidvalidity,
		      uint32_t uid)
{
	sqlite3_stmt *st = store_stmt(s, ST_MSG_SET_UID);

	if (st == NULL)
		return -EIO;
	sqlite3_bind_int64(st, 1, id);
	bind_text(st, 2, mailbox);
	sqlite3_bind_int64(st, 3, uidvalidity);
	sqlite3_bind_int64(st, 4, uid);
	return step_done(s, st, "message_set_uid");
}

int
store_message_insert(struct store *s, const struct message_row *m, int64_t *ret_id)
{
	sqlite3_stmt *st = store_stmt(s, ST_MSG_INSERT);
	int r;

	if (st == NULL)
		return -EIO;
	if (m->case_id > 0)
		sqlite3_bind_int64(st, 1, m->case_id);
	else
		sqlite3_bind_null(st, 1);
	bind_text(st, 2, m->direction);
	bind_text(st, 3, m->role);
	bind_text(st, 4, m->message_id);
	bind_text(st, 5, m->digest);
	if (m->uid > 0) {
		bind_text(st, 6, m->mailbox);
		sqlite3_bind_int64(st, 7, m->uidvalidity);
		sqlite3_bind_int64(st, 8, m->uid);
	} else {
		sqlite3_bind_null(st, 6);
		sqlite3_bind_null(st, 7);
		sqlite3_bind_null(st, 8);
	}
	bind_text(st, 9, m->from_email);
	bind_text(st, 10, m->from_name);
	bind_text(st, 11, m->subject);
	sqlite3_bind_int64(st, 12, m->received_at);
	bind_text(st, 13, m->automatic);
	bind_text(st, 14, m->state);
	bind_text(st, 15, m->reason);
	bind_text(st, 16, m->body);
	sqlite3_bind_blob64(st, 17, m->raw ? m->raw : "", m->raw_len, SQLITE_STATIC);
	r = step_done(s, st, "message_insert");
	if (r == 0 && ret_id != NULL)
		*ret_id = sqlite3_last_insert_rowid(s->db);
	return r;
}

int
store_case_by_message_id(struct store *s, const char *message_id, int64_t *ret_case_id)
{
	sqlite3_stmt *st;
	int r;

	if (isempty(message_id))
		return -ENOENT;
	st = store_stmt(s, ST_CASE_BY_MSGID);
	if (st == NULL)
		return -EIO;
	bind_text(st, 1, message_id);
	r = step_int64(s, st, "case_by_message_id", ret_case_id);
	if (r != -ENOENT)
		return r;
	st = store_stmt(s, ST_CASE_BY_OUTBOX_MSGID);
	if (st == NULL)
		return -EIO;
	bind_text(st, 1, message_id);
	return step_int64(s, st, "case_by_outbox_message_id", ret_case_id);
}

int
store_case_by_subject(struct store *s, const char *email, const char *subject_key, time_t since,
		      int64_t *ret_case_id)
{
	int64_t best_id = 0, best_t = 0;
	bool found = false;
	sqlite3_stmt *st;
	int rc;

	if (isempty(email) || isempty(subject_key))
		return -ENOENT;
	st = store_stmt(s, ST_CASE_BY_SUBJECT);
	if (st == NULL)
		return -EIO;
	bind_text(st, 1, email);
	bind_text(st, 2, subject_key);
	sqlite3_bind_int64(st, 3, since);
	/*
	 * The last updated; of those updated in the same second the oldest
	 * (lowest id), as "ORDER BY updated_at DESC LIMIT 1" over the thread
	 * index gave, without a temporary B-tree to sort into for every message.
	 */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0), t = sqlite3_column_int64(st, 1);

		if (!found || t > best_t || (t == best_t && id < best_id)) {
			best_id = id;
			best_t = t;
			found = true;
		}
	}
	stmt_done(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, rc, "case_by_subject");
	if (!found)
		return -ENOENT;
	*ret_case_id = best_id;
	return 0;
}

/*
 * In a transaction (the intake's batch, complaintsctl's commands) nothing
 * else can write between the increment and the read, so they are two plain
 * statements; outside one, a single UPSERT ... RETURNING keeps them atomic.
 */
int
store_next_ref(struct store *s, const char *prefix, int year, char **ret_ref)
{
	bool in_tx = !sqlite3_get_autocommit(s->db);
	sqlite3_stmt *st = store_stmt(s, in_tx ? ST_NEXT_REF_BUMP : ST_NEXT_REF);
	int64_t seq;
	int r;

	if (st == NULL)
		return -EIO;
	sqlite3_bind_int(st, 1, year);
	if (in_tx) {
		r = step_done(s, st, "next_ref");
		if (r < 0)
			return r;
		st = store_stmt(s, ST_NEXT_REF_READ);
		if (st == NULL)
			return -EIO;
		sqlite3_bind_int(st, 1, year);
	}
	r = step_int64(s, st, "next_ref", &seq);
	if (r < 0)
		return r == -ENOENT ? -EIO : r;
	*ret_ref = xasprintf("%s-%04d-%06lld", prefix, year, (long long)seq);
	return 0;
}

static void
bind_case(sqlite3_stmt *st, const struct case_row *c)
{
	sqlite3_bind_int64(st, 1, c->id);
	bind_text(st, 2, c->ref);
	bind_text(st, 3, c->kind);
	sqlite3_bind_int(st, 4, c->stage);
	bind_text(st, 5, c->status);
	bind_text(st, 6, c->scheme);
	bind_text(st, 7, c->route);
	bind_text(st, 8, c->subject);
	bind_text(st, 9, c->subject_key);
	bind_text(st, 10, c->complainant_name);
	bind_text(st, 11, c->complainant_email);
	bind_text(st, 12, c->rep_email);
	bind_text(st, 13, c->rep_role);
	bind_text(st, 14, c->rep_consent);
	bind_text(st, 15, c->officer);
	sqlite3_bind_int64(st, 16, c->received_at);
	bind_text(st, 17, c->received_date);
	bind_text(st, 18, c->ack_due);
	sqlite3_bind_int64(st, 19, c->acknowledged_at);
	bind_text(st, 20, c->response_due);
	sqlite3_bind_int64(st, 21, c->responded_at);
	sqlite3_bind_int(st, 22, c->extension_days);
	bind_text(st, 23, c->outcome);
	bind_text(st, 24, c->flags);
	sqlite3_bind_int64(st, 25, c->escalated_at);
	sqlite3_bind_int(st, 26, c->first_and_final);
	sqlite3_bind_int64(st, 27, c->s1_acknowledged_at);
	bind_text(st, 28, c->s1_response_due);
	sqlite3_bind_int64(st, 29, c->s1_responded_at);
	sqlite3_bind_int(st, 30, c->s1_extension_days);
	bind_text(st, 31, c->s1_outcome);
	sqlite3_bind_int64(st, 32, c->created_at);
	sqlite3_bind_int64(st, 33, c->updated_at);
}

int
store_case_insert(struct store *s, struct case_row *c)
{
	return store_case_insert_area(s, c, NULL);
}

/* The area in the same row as the rest of the case. */
int
store_case_insert_area(struct store *s, struct case_row *c, const char *area)
{
	sqlite3_stmt *st = store_stmt(s, ST_CASE_INSERT);
	int r;

	if (st == NULL)
		return -EIO;
	bind_case(st, c);
	bind_text(st, 34, area);
	r = step_done(s, st, "case_insert");
	if (r == 0)
		c->id = sqlite3_last_insert_rowid(s->db);
	return r;
}

int
store_case_update(struct store *s, const struct case_row *c)
{
	sqlite3_stmt *st = store_stmt(s, ST_CASE_UPDATE);

	if (st == NULL)
		return -EIO;
	bind_case(st, c);
	return step_done(s, st, "case_update");
}

int
store_event_add(struct store *s, int64_t case_id, time_t at, const char *actor, const char *type,
		const char *detail)
{
	sqlite3_stmt *st = store_stmt(s, ST_EVENT_ADD);

	if (st == NULL)
		return -EIO;
	sqlite3_bind_int64(st, 1, case_id);
	sqlite3_bind_int64(st, 2, at);
	bind_text(st, 3, actor);
	bind_text(st, 4, type);
	bind_text(st, 5, detail);
	return step_done(s, st, "event_add");
}

int
store_count(struct store *s, const char *what, int64_t *ret)
{
	static const struct {
		const char *name, *sql;
	} counts[] = {
		{"cases", "SELECT count(*) FROM cases"},
		{"open", "SELECT count(*) FROM cases WHERE status = 'open'"},
		{"overdue", "SELECT count(*) FROM cases WHERE status = 'open' AND "
			    "((response_due != '' AND response_due < date('now', 'localtime')) OR "
			    "(ack_due != '' AND acknowledged_at = 0 AND ack_due < date('now', 'localtime')))"},
		{"messages", "SELECT count(*) FROM messages"},
		{"quarantined", "SELECT count(*) FROM messages WHERE state = 'quarantined'"},
		{"unattached", "SELECT count(*) FROM messages WHERE case_id IS NULL"},
		{"outbox_queued", "SELECT count(*) FROM outbox WHERE state = 'queued'"},
		{"outbox_failed", "SELECT count(*) FROM outbox WHERE state = 'failed'"},
	};
	sqlite3_stmt *st;
	int r;

	for (size_t i = 0; i < ELEMENTSOF(counts); i++) {
		if (!streq(counts[i].name, what))
			continue;
		if (sqlite3_prepare_v2(s->db, counts[i].sql, -1, &st, NULL) != SQLITE_OK)
			return store_fail(s, sqlite3_errcode(s->db), "count");
		r = step_int64(s, st, "count", ret);
		sqlite3_finalize(st);
		return r;
	}
	return -EINVAL;
}

int
store_outbox_insert(struct store *s, const struct outbox_row *o)
{
	sqlite3_stmt *st = store_stmt(s, ST_OUTBOX_INSERT);
	int r;

	if (st == NULL)
		return -EIO;
	/*
	 * Bound without a copy (SQLITE_STATIC): o outlives the statement's
	 * use of them, as step_done() resets and unbinds before returning.
	 * The mail itself is copied once, into the row.
	 */
	if (o->case_id > 0)
		sqlite3_bind_int64(st, 1, o->case_id);
	else
		sqlite3_bind_null(st, 1);
	bind_text(st, 2, o->purpose);
	bind_text(st, 3, o->message_id);
	bind_text(st, 4, o->in_reply_to);
	bind_text(st, 5, o->rcpt);
	sqlite3_bind_blob64(st, 6, o->data ? o->data : "", o->len, SQLITE_STATIC);
	bind_text(st, 7, o->state ? o->state : "queued");
	sqlite3_bind_int(st, 8, o->attempts);
	sqlite3_bind_int64(st, 9, o->next_attempt);
	bind_text(st, 10, o->last_error);
	sqlite3_bind_int64(st, 11, o->created_at);
	sqlite3_bind_int64(st, 12, o->sent_at);
	if (o->orig_id > 0) {
		sqlite3_bind_int64(st, 13, o->orig_id);
		sqlite3_bind_int64(st, 14, (int64_t)o->orig_at);
	} else {
		sqlite3_bind_null(st, 13);
		sqlite3_bind_int64(st, 14, 0);
	}
	r = step_done(s, st, "outbox_insert");
	if (r == 0 && sqlite3_changes(s->db) == 0)
		return -EEXIST;
	return r;
}

int
store_outbox_update(struct store *s, const struct outbox_row *o)
{
	sqlite3_stmt *st = store_stmt(s, ST_OUTBOX_UPDATE);

	if (st == NULL)
		return -EIO;
	sqlite3_bind_int64(st, 1, o->id);
	bind_text(st, 2, o->state);
	sqlite3_bind_int(st, 3, o->attempts);
	sqlite3_bind_int64(st, 4, o->next_attempt);
	bind_text(st, 5, o->last_error);
	sqlite3_bind_int64(st, 6, o->sent_at);
	return step_done(s, st, "outbox_update");
}

int
store_outbox_count_auto(struct store *s, const char *rcpt, time_t since, int64_t *ret)
{
	sqlite3_stmt *st = store_stmt(s, ST_OUTBOX_COUNT_AUTO);

	if (st == NULL)
		return -EIO;
	bind_text(st, 1, rcpt);
	sqlite3_bind_int64(st, 2, since);
	return step_int64(s, st, "outbox_count_auto", ret);
}

int
store_outbox_find(struct store *s, const char *message_id, int64_t *ret_id, int64_t *ret_case_id)
{
	sqlite3_stmt *st = store_stmt(s, ST_OUTBOX_FIND);

	if (st == NULL)
		return -EIO;
	bind_text(st, 1, message_id);
	return step_two_int64(s, st, "outbox_find", ret_id, ret_case_id);
}

int
store_outbox_count_purpose(struct store *s, int64_t case_id, const char *purpose, int64_t *ret)
{
	sqlite3_stmt *st = store_stmt(s, ST_OUTBOX_COUNT_PURPOSE);

	if (st == NULL)
		return -EIO;
	sqlite3_bind_int64(st, 1, case_id);
	bind_text(st, 2, purpose);
	return step_int64(s, st, "outbox_count_purpose", ret);
}

int
store_case_first_message_id(struct store *s, int64_t case_id, char **ret)
{
	sqlite3_stmt *st = store_stmt(s, ST_CASE_FIRST_MSGID);

	if (st == NULL)
		return -EIO;
	sqlite3_bind_int64(st, 1, case_id);
	return step_str(s, st, "case_first_message_id", ret);
}

/* The keys are the ones store_case_due's query builds from the case's columns. */
int
store_case_deadline_done(struct store *s, int64_t id, enum deadline_dealt what, int stage,
			 const char *due)
{
	bool reminder = what == DEALT_REMINDER || what == DEALT_ACK_REMINDER;
	sqlite3_stmt *st = store_stmt(s, reminder ? ST_CASE_REMINDER_DONE : ST_CASE_BREACH_DONE);
	_cleanup_free_ char *key = what == DEALT_REMINDER ? xasprintf("%d:%s", stage, due)
				   : xasprintf("%d:%s:%s", stage, due,
					       what == DEALT_RESPONSE_BREACH ? "response" : "ack");

	if (st == NULL)
		return -EIO;
	sqlite3_bind_int64(st, 1, id);
	bind_text(st, 2, key);
	return step_done(s, st, "case_deadline_done");
}

struct sqlite3 *
store_sqlite(struct store *s)
{
	return s->db;
}

struct stmt_cache **
store_stmt_cache(struct store *s)
{
	return &s->cache;
}
