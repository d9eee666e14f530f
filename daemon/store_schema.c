/*
 * store_schema.c - the store's schema as numbered migrations.
 *
 * Migration N (1-based) is store_migrations[N - 1]; store_migrate() in
 * store.c applies those past PRAGMA user_version, one transaction each.
 * A migration is never edited once it has shipped: a change is a new one.
 */
#include "config.h"

#include <stddef.h>

#include "store_schema.h"
#include "util.h"

const char *const store_migrations[] = {
	/* 1: the first schema */
	"CREATE TABLE mailbox_state ("
	"  mailbox TEXT PRIMARY KEY,"
	"  uidvalidity INTEGER NOT NULL,"
	"  last_uid INTEGER NOT NULL);"
	"CREATE TABLE ref_seq (year INTEGER PRIMARY KEY, last INTEGER NOT NULL);"
	"CREATE TABLE cases ("
	"  id INTEGER PRIMARY KEY,"
	"  ref TEXT NOT NULL UNIQUE,"
	"  kind TEXT NOT NULL,"
	"  stage INTEGER NOT NULL DEFAULT 1 CHECK (stage IN (1, 2)),"
	"  status TEXT NOT NULL DEFAULT 'open',"
	"  scheme TEXT NOT NULL DEFAULT 'lgsco',"
	"  route TEXT NOT NULL DEFAULT '',"
	"  subject TEXT NOT NULL DEFAULT '',"
	"  subject_key TEXT NOT NULL DEFAULT '',"
	"  complainant_name TEXT NOT NULL DEFAULT '',"
	"  complainant_email TEXT NOT NULL DEFAULT '',"
	"  rep_email TEXT NOT NULL DEFAULT '',"
	"  rep_role TEXT NOT NULL DEFAULT '',"
	"  rep_consent TEXT NOT NULL DEFAULT '',"
	"  officer TEXT NOT NULL DEFAULT '',"
	"  received_at INTEGER NOT NULL,"
	"  received_date TEXT NOT NULL,"
	"  ack_due TEXT NOT NULL DEFAULT '',"
	"  acknowledged_at INTEGER NOT NULL DEFAULT 0,"
	"  response_due TEXT NOT NULL DEFAULT '',"
	"  responded_at INTEGER NOT NULL DEFAULT 0,"
	"  extension_days INTEGER NOT NULL DEFAULT 0,"
	"  outcome TEXT NOT NULL DEFAULT '',"
	"  flags TEXT NOT NULL DEFAULT '',"
	"  escalated_at INTEGER NOT NULL DEFAULT 0,"
	"  first_and_final INTEGER NOT NULL DEFAULT 0,"
	"  s1_acknowledged_at INTEGER NOT NULL DEFAULT 0,"
	"  s1_response_due TEXT NOT NULL DEFAULT '',"
	"  s1_responded_at INTEGER NOT NULL DEFAULT 0,"
	"  s1_extension_days INTEGER NOT NULL DEFAULT 0,"
	"  s1_outcome TEXT NOT NULL DEFAULT '',"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL);"
	"CREATE INDEX cases_thread ON cases(complainant_email, subject_key);"
	"CREATE INDEX cases_ack_due ON cases(ack_due) WHERE status = 'open';"
	"CREATE INDEX cases_response_due ON cases(response_due) WHERE status = 'open';"
	"CREATE TABLE messages ("
	"  id INTEGER PRIMARY KEY,"
	"  case_id INTEGER REFERENCES cases(id),"
	"  direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),"
	"  role TEXT NOT NULL,"
	"  message_id TEXT NOT NULL,"
	"  digest TEXT NOT NULL,"
	"  mailbox TEXT,"
	"  uidvalidity INTEGER,"
	"  uid INTEGER,"
	"  from_email TEXT NOT NULL DEFAULT '',"
	"  from_name TEXT NOT NULL DEFAULT '',"
	"  subject TEXT NOT NULL DEFAULT '',"
	"  received_at INTEGER NOT NULL,"
	"  automatic TEXT NOT NULL DEFAULT '',"
	"  state TEXT NOT NULL,"
	"  reason TEXT NOT NULL DEFAULT '',"
	"  body TEXT NOT NULL DEFAULT '',"
	"  raw BLOB NOT NULL);"
	"CREATE UNIQUE INDEX messages_uid ON messages(mailbox, uidvalidity, uid) WHERE uid IS NOT NULL;"
	"CREATE INDEX messages_message_id ON messages(message_id);"
	"CREATE INDEX messages_case ON messages(case_id);"
	"CREATE TABLE events ("
	"  id INTEGER PRIMARY KEY,"
	"  case_id INTEGER NOT NULL REFERENCES cases(id),"
	"  at INTEGER NOT NULL,"
	"  actor TEXT NOT NULL DEFAULT '',"
	"  type TEXT NOT NULL,"
	"  detail TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX events_case ON events(case_id);"
	"CREATE INDEX events_type ON events(type, at);"
	"CREATE TABLE outbox ("
	"  id INTEGER PRIMARY KEY,"
	"  case_id INTEGER REFERENCES cases(id),"
	"  purpose TEXT NOT NULL,"
	"  message_id TEXT NOT NULL UNIQUE,"
	"  in_reply_to TEXT NOT NULL DEFAULT '',"
	"  rcpt TEXT NOT NULL,"
	"  data BLOB NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'queued',"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_attempt INTEGER NOT NULL DEFAULT 0,"
	"  last_error TEXT NOT NULL DEFAULT '',"
	"  created_at INTEGER NOT NULL,"
	"  sent_at INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX outbox_due ON outbox(next_attempt) WHERE state = 'queued';"
	"CREATE INDEX outbox_case ON outbox(case_id);",
	/* 2: the per-address auto-reply count (every new case) without scanning the outbox */
	"CREATE INDEX outbox_rcpt ON outbox(rcpt, created_at);",
	/*
	 * 3: what the deadline scan has already done about a case's current
	 * deadline (store_case_deadline_done's keys), so each round
	 * reads only the cases with something new to do; the due-date indexes
	 * carry it, so the others are skipped without reading their rows.
	 */
	"ALTER TABLE cases ADD COLUMN breach_done TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE cases ADD COLUMN reminder_done TEXT NOT NULL DEFAULT '';"
	"DROP INDEX cases_ack_due;"
	"DROP INDEX cases_response_due;"
	"CREATE INDEX cases_ack_due ON cases(acknowledged_at, ack_due, response_due, stage, "
	"breach_done) "
	"WHERE status = 'open';"
	"CREATE INDEX cases_response_due ON cases(response_due, stage, breach_done, reminder_done) "
	"WHERE status = 'open';",
	/* 4: the acknowledgement reminder (store_case_ack_due_soon) reads reminder_done too */
	"DROP INDEX cases_ack_due;"
	"CREATE INDEX cases_ack_due ON cases(acknowledged_at, ack_due, response_due, stage, "
	"breach_done, reminder_done) WHERE status = 'open';",
	/* 5: the service area of a case (rules "area NAME:"), daemon/store_officers.c */
	"ALTER TABLE cases ADD COLUMN area TEXT NOT NULL DEFAULT '';",
	/*
	 * 6: the weekly digest (daemon/store_digest.c): the scheduled runs,
	 * one a week, and each mail sent; and the order every message and
	 * mail of ours was recorded in (store_case_messages_full()), which
	 * the clocks of two servers cannot give.  Mail recorded before is
	 * numbered by its time.
	 */
	"CREATE TABLE digest_runs ("
	"  day TEXT PRIMARY KEY,"
	"  at INTEGER NOT NULL,"
	"  mails INTEGER NOT NULL);"
	"CREATE TABLE digest_mails ("
	"  id INTEGER PRIMARY KEY,"
	"  day TEXT NOT NULL,"
	"  rcpt TEXT NOT NULL,"
	"  scheduled INTEGER NOT NULL,"
	"  cases INTEGER NOT NULL,"
	"  overdue INTEGER NOT NULL,"
	"  message_id TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL);"
	"CREATE INDEX digest_mails_day ON digest_mails(day, rcpt);"
	"CREATE TABLE mail_order ("
	"  seq INTEGER PRIMARY KEY,"
	"  kind INTEGER NOT NULL CHECK (kind IN (0, 1))," /* 0 messages, 1 outbox */
	"  row_id INTEGER NOT NULL,"
	"  UNIQUE (kind, row_id));"
	"INSERT INTO mail_order (kind, row_id) SELECT kind, id FROM ("
	"  SELECT 0 AS kind, id, received_at AS t FROM messages"
	"  UNION ALL SELECT 1, id, created_at FROM outbox) ORDER BY t, kind, id;"
	"CREATE TRIGGER mail_order_message AFTER INSERT ON messages BEGIN"
	"  INSERT OR REPLACE INTO mail_order (kind, row_id) VALUES (0, NEW.id); END;"
	"CREATE TRIGGER mail_order_outbox AFTER INSERT ON outbox BEGIN"
	"  INSERT OR REPLACE INTO mail_order (kind, row_id) VALUES (1, NEW.id); END;",
	/*
	 * 7: recovery from the mailbox (daemon/store_recover.c): per folder the
	 * UIDVALIDITY and the highest UID whose mail the store is known to hold,
	 * so a start with an up-to-date store asks one STATUS per folder; and
	 * the copies of sent mail still to append to the Sent folder
	 * ([imap] save_sent), queued by the trigger as a mail becomes sent.
	 */
	"CREATE TABLE recover_state ("
	"  folder TEXT PRIMARY KEY,"
	"  uidvalidity INTEGER NOT NULL,"
	"  last_uid INTEGER NOT NULL);"
	"CREATE TABLE sent_copy ("
	"  outbox_id INTEGER PRIMARY KEY REFERENCES outbox(id) ON DELETE CASCADE,"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_attempt INTEGER NOT NULL DEFAULT 0,"
	"  last_error TEXT NOT NULL DEFAULT '');"
	"CREATE TRIGGER outbox_sent_copy AFTER UPDATE OF state ON outbox "
	"WHEN NEW.state = 'sent' AND OLD.state IS NOT 'sent' BEGIN "
	"  INSERT OR IGNORE INTO sent_copy (outbox_id, next_attempt) VALUES (NEW.id, NEW.sent_at);"
	"END;",
	/*
	 * 8: counting failed and held mail (the daemon's status, every round)
	 * without reading every outbox row: state comes after the mail's data
	 * in the row, so a scan reads every stored mail.  Partial indexes hold
	 * only the few rows in those states.
	 */
	"CREATE INDEX outbox_failed ON outbox(id) WHERE state = 'failed';"
	"CREATE INDEX outbox_held ON outbox(id) WHERE state = 'held';",
	/*
	 * 9: a notification attaching the message that caused it keeps a
	 * reference to that message's stored raw source (orig_id, and where in
	 * the mail it goes, orig_at) instead of a second copy: about 8 KiB
	 * less to write for a typical new case.  The attached part is the
	 * source's lines with CRLF ends (compose_parts.c, rfc822_lines), which
	 * the view rebuilds: every CR there is before an LF, so CRLF -> LF ->
	 * CRLF gives those lines, and a last line without an end gets CRLF.
	 * Every read of a mail's bytes goes through outbox_mail, whose data is
	 * always the whole mail, byte for byte as composed.
	 */
	"ALTER TABLE outbox ADD COLUMN orig_id INTEGER REFERENCES messages(id);"
	"ALTER TABLE outbox ADD COLUMN orig_at INTEGER NOT NULL DEFAULT 0;"
	"CREATE VIEW outbox_mail AS SELECT id, case_id, purpose, message_id, in_reply_to, rcpt, "
	"  CASE WHEN orig_id IS NULL THEN data ELSE CAST("
	"    substr(data, 1, orig_at) || "
	"    coalesce((SELECT CASE WHEN length(m.raw) = 0 THEN '' ELSE "
	"      replace(replace(CAST(m.raw AS TEXT), char(13, 10), char(10)), char(10), char(13, 10)) "
	"      || CASE WHEN substr(m.raw, -1) = x'0a' THEN '' ELSE char(13, 10) END END "
	"      FROM messages m WHERE m.id = orig_id), '') || "
	"    substr(data, orig_at + 1) AS BLOB) END AS data, "
	"  state, attempts, next_attempt, last_error, created_at, sent_at, orig_id "
	"FROM outbox;",
};

const size_t store_n_migrations = ELEMENTSOF(store_migrations);
