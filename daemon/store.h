/*
 * store.h - the SQLite adapter (the only file that includes sqlite3.h).
 *
 * Everything that must survive a crash lives here: cases, every message with
 * its raw source, events, the outbox, and the IMAP position.  The database is
 * in WAL mode with synchronous=FULL, because a commit is followed by a
 * destructive action on the server (MOVE out of INBOX).  Writers bracket their
 * work in store_begin()/store_commit() (BEGIN IMMEDIATE); on any error they
 * call store_rollback() and nothing of the message is kept, so it is simply
 * processed again next time.  Times are UTC seconds; dates are YYYY-MM-DD in
 * the council's timezone.  Strings returned in structs are owned by the struct
 * and freed by its _free function.
 */
#ifndef COMPLAINTSD_STORE_H
#define COMPLAINTSD_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct store;

/* One case as stored.  Dates "" when not set; times 0 when not set. */
struct case_row {
	int64_t id;
	char *ref;
	char *kind;   /* case_kind_to_string() */
	int stage;    /* 1 or 2 */
	char *status; /* case_status_to_string() */
	char *scheme; /* case_scheme_to_string() */
	char *route;  /* other-process route, "" otherwise */
	char *subject;
	char *subject_key; /* threadkey_normalise_subject() */
	char *complainant_name;
	char *complainant_email;
	char *rep_email; /* "" when there is no representative */
	char *rep_role;  /* "councillor", "mp", "representative" */
	char *rep_consent; /* "unknown", "received", "stated" */
	char *officer;     /* assigned officer address, "" when none */
	time_t received_at;
	char *received_date;
	char *ack_due;
	time_t acknowledged_at;
	char *response_due;
	time_t responded_at;
	int extension_days;
	char *outcome;
	char *flags; /* space-separated */
	time_t escalated_at;
	bool first_and_final;
	/* stage 1 as it was when the case went to stage 2 (annual report) */
	time_t s1_acknowledged_at;
	char *s1_response_due;
	time_t s1_responded_at;
	int s1_extension_days;
	char *s1_outcome;
	time_t created_at;
	time_t updated_at;
	/*
	 * Not written by store_case_insert/update: the service area as the
	 * case was inserted with it (store_case_insert_area), set on the row
	 * the intake has just opened so that its replies and notifications
	 * need not read it back; NULL on rows read from the store (ask
	 * store_case_get_area).
	 */
	char *area;
};

struct message_row {
	int64_t id;
	int64_t case_id; /* 0: unattached */
	const char *direction; /* "in" or "out" */
	const char *role;      /* sender_role_to_string() */
	const char *message_id;
	const char *digest;
	const char *mailbox;
	uint32_t uidvalidity;
	uint32_t uid; /* 0: not from IMAP */
	const char *from_email;
	const char *from_name;
	const char *subject;
	time_t received_at;
	const char *automatic; /* automail kind, "" for a person */
	const char *state;     /* "processed" or "quarantined" */
	const char *reason;    /* quarantine reason, "" otherwise */
	const char *body;
	const void *raw;
	size_t raw_len;
};

int store_open(const char *path, struct store **ret, char **ret_error);
void store_free(struct store *s);
const char *store_last_error(const struct store *s);

int store_begin(struct store *s);
int store_commit(struct store *s);
void store_rollback(struct store *s);

/* IMAP position.  -ENOENT when the mailbox was never seen. */
int store_mailbox_get(struct store *s, const char *mailbox, uint32_t *ret_uidvalidity,
		      uint32_t *ret_last_uid);
int store_mailbox_set(struct store *s, const char *mailbox, uint32_t uidvalidity,
		      uint32_t last_uid);

/* A message already stored from this mailbox/UIDVALIDITY/UID?  Its state, or -ENOENT. */
int store_message_find_uid(struct store *s, const char *mailbox, uint32_t uidvalidity,
			   uint32_t uid, char **ret_state);
/* A message with the same Message-ID and body digest?  Its id, or -ENOENT. */
int store_message_find_digest(struct store *s, const char *message_id, const char *digest,
			      int64_t *ret_id);
/* Record that a known message was seen again under a new UID (UIDVALIDITY change). */
int store_message_set_uid(struct store *s, int64_t id, const char *mailbox, uint32_t uidvalidity,
			  uint32_t uid);
int store_message_insert(struct store *s, const struct message_row *m, int64_t *ret_id);

/* The case a Message-ID (received or sent) belongs to, or -ENOENT. */
int store_case_by_message_id(struct store *s, const char *message_id, int64_t *ret_case_id);
/* The newest open case from this address with this subject key since `since`, or -ENOENT. */
int store_case_by_subject(struct store *s, const char *email, const char *subject_key,
			  time_t since, int64_t *ret_case_id);

/* Allocate the next reference for a year: PREFIX-YEAR-NNNNNN. */
int store_next_ref(struct store *s, const char *prefix, int year, char **ret_ref);
int store_case_insert(struct store *s, struct case_row *c); /* sets c->id */
/* The same, with the case's service area ("" when NULL; store_case_get_area() reads it). */
int store_case_insert_area(struct store *s, struct case_row *c, const char *area);
int store_case_update(struct store *s, const struct case_row *c);
int store_case_get(struct store *s, int64_t id, struct case_row **ret);
int store_case_get_ref(struct store *s, const char *ref, struct case_row **ret);
void case_row_free(struct case_row *c);

int store_event_add(struct store *s, int64_t case_id, time_t at, const char *actor,
		    const char *type, const char *detail);

typedef int (*store_case_cb)(const struct case_row *c, void *userdata);

/* Outgoing mail, queued in the same transaction as the case change that caused it. */
struct outbox_row {
	int64_t id;
	int64_t case_id;     /* 0: not about a case (e.g. an officer's command error) */
	char *purpose;       /* "ack-stage1", "relay", "officer-reminder", ... */
	char *message_id;    /* stable, without <>: a re-run produces the same one */
	char *in_reply_to;
	char *rcpt;
	char *data;          /* the complete message, CRLF line endings */
	size_t len;
	/*
	 * On insert only: nonzero when the mail attaches the raw source of this
	 * messages row as a message/rfc822 part (its lines with CRLF ends) at
	 * byte orig_at, and data is the mail without those bytes.  The row keeps
	 * the reference instead of a second copy; every read (the outbox_mail
	 * view) gives the whole mail back.  Rows read are always whole (0).
	 */
	int64_t orig_id;
	size_t orig_at;
	char *state;         /* "queued", "held", "sent", "failed", "suppressed" */
	int attempts;
	time_t next_attempt;
	char *last_error;
	time_t created_at;
	time_t sent_at;
};

/* Insert unless a row with the same message_id exists: 0 inserted, -EEXIST already there. */
int store_outbox_insert(struct store *s, const struct outbox_row *o);
/* Queued rows due at now, oldest first, at most limit.  Free with outbox_rows_free(). */
int store_outbox_due(struct store *s, time_t now, size_t limit, struct outbox_row **ret,
		     size_t *ret_n);
int store_outbox_update(struct store *s, const struct outbox_row *o);
void outbox_rows_free(struct outbox_row *rows, size_t n);
/* Automatic mails (not relays) queued or sent to rcpt since `since`. */
int store_outbox_count_auto(struct store *s, const char *rcpt, time_t since, int64_t *ret);
/* The case and purpose of a mail we sent, by its Message-ID; -ENOENT if not ours. */
int store_outbox_find(struct store *s, const char *message_id, int64_t *ret_id,
		      int64_t *ret_case_id);
/* Mark a sent mail as failed after all (a bounce came back). */
int store_outbox_bounced(struct store *s, int64_t id, const char *reason);
/* Put a failed mail back in the queue, due now.  -ENOENT when id is not a failed mail. */
int store_outbox_requeue(struct store *s, int64_t id, time_t now);
typedef int (*store_outbox_cb)(const struct outbox_row *o, void *userdata);
/* Rows in a state ("queued", "failed"...; NULL for all), newest first. */
int store_outbox_list(struct store *s, const char *state, store_outbox_cb cb, void *userdata);

/* How many mails with this purpose a case has had (for stable Message-ID sequence numbers). */
int store_outbox_count_purpose(struct store *s, int64_t case_id, const char *purpose, int64_t *ret);
/* The first Message-ID received on a case (what our unsolicited mail refers to). */
int store_case_first_message_id(struct store *s, int64_t case_id, char **ret);

/*
 * Open cases with a deadline on or before horizon (YYYY-MM-DD) still to
 * meet, leaving out those whose breach (a deadline before today) or
 * reminder was already dealt with (store_case_deadline_done).
 */
int store_case_due(struct store *s, const char *today, const char *horizon, store_case_cb cb,
		   void *userdata);
/* What the deadline scan has dealt with for a case's deadline due at a stage. */
enum deadline_dealt {
	DEALT_ACK_BREACH,      /* the missed acknowledgement */
	DEALT_RESPONSE_BREACH, /* the missed response */
	DEALT_REMINDER,        /* the reminder before the response is due */
	DEALT_ACK_REMINDER,    /* the reminder before an officer's acknowledgement is due */
};
int store_case_deadline_done(struct store *s, int64_t id, enum deadline_dealt what, int stage,
			     const char *due);

/*
 * Open cases whose acknowledgement (an officer's step) is due between today
 * and horizon and whose reminder was not yet dealt with (daemon/store_deadline.c).
 * cb gets a row with only the id set.
 */
int store_case_ack_due_soon(struct store *s, const char *today, const char *horizon,
			    store_case_cb cb, void *userdata);

/*
 * The display name on the latest mail from email on a case (daemon/store_message.c);
 * -ENOENT when there is none.  *ret is malloc'ed.
 */
int store_case_sender_name(struct store *s, int64_t case_id, const char *email, char **ret);

/* Listing for complaintsctl. */
struct case_filter {
	int stage;        /* 0: any */
	const char *kind; /* NULL: any */
	const char *status;
	const char *officer;
	const char *overdue_on; /* YYYY-MM-DD: only cases whose open deadline is before it */
};
int store_case_list(struct store *s, const struct case_filter *f, store_case_cb cb, void *userdata);

struct message_summary {
	const char *message_id;
	const char *direction;
	const char *role;
	const char *from;
	time_t date;
	const char *subject;
	const char *automatic;
	const char *state;
};
typedef int (*store_message_cb)(const struct message_summary *m, void *userdata);
int store_case_messages(struct store *s, int64_t case_id, store_message_cb cb, void *userdata);

struct event_summary {
	time_t at;
	const char *actor;
	const char *type;
	const char *detail;
};
typedef int (*store_event_cb)(const struct event_summary *e, void *userdata);
int store_case_events(struct store *s, int64_t case_id, store_event_cb cb, void *userdata);

/*
 * Retention: closed or excluded cases last changed before `before`.  With
 * apply, their personal data is removed (names, addresses, subjects, message
 * text and raw sources, outgoing mail, free-text event details) while the
 * facts the annual report counts (kind, stage, dates, outcome, extensions,
 * improvements) stay.  The callback sees each case first; progress (or
 * NULL) is called as each is anonymised, all in one transaction.
 */
int store_purge(struct store *s, time_t before, bool apply, time_t now, store_case_cb cb,
		void (*progress)(size_t done, size_t total, void *userdata), void *userdata);

/*
 * The daemon's store: the WAL is copied back into the database (a PASSIVE
 * checkpoint) by a thread with its own connection, told after each commit
 * that passes SQLite's mark of 1,000 pages, instead of inside that commit
 * (daemon/store_checkpoint.c).  The writer still checkpoints itself past
 * 16,000 pages, so the WAL stays bounded if the thread cannot keep up.
 * 0, or a negative errno with SQLite's own checkpoint left as it was.
 * store_free() stops the thread.
 */
int store_checkpoint_background(struct store *s);
/* How many checkpoints that thread has completed (0 without one). */
unsigned long store_checkpoint_runs(struct store *s);

/* The database handle, for the report queries (daemon/store_report.c). */
struct sqlite3 *store_sqlite(struct store *s);
/* Record an SQLite failure (rc) of `what` as the last error; the negative errno for it. */
int store_failed(struct store *s, int rc, const char *what);

/*
 * The one row loop for the per-table files (daemon/store_rows.c): run sql
 * with ?1, ?2... bound from the arguments after `types` ('i' an int64_t, 's'
 * a string), calling row for each result row; a negative return from row
 * stops the walk and is returned.  The statement is prepared once per store
 * and kept.  Returns the number of rows seen (>= 0) or a negative errno with
 * the store's error set (`what` names the query in it).
 */
struct sqlite3_stmt;
typedef int (*store_row_fn)(struct sqlite3_stmt *st, void *userdata);
int store_rows(struct store *s, const char *what, const char *sql, store_row_fn row,
	       void *userdata, const char *types, ...);
/* Column i of a row as a malloc'ed string ("" for NULL). */
char *store_col_str(struct sqlite3_stmt *st, int i);
/* The statements store_rows() keeps (owned by the store, freed with it). */
struct stmt_cache;
struct stmt_cache **store_stmt_cache(struct store *s);
void store_stmt_cache_free(struct stmt_cache *c);

/*
 * Messages with their text and raw source (daemon/store_message.c): what
 * complaintsctl shows, prints and exports.  A row is either a message we
 * received (or found in the Sent folder) or a mail we sent (the outbox).
 * Strings are valid during the callback only.
 */
struct stored_message {
	int64_t id;             /* row id in messages, or in the outbox when outbox is set */
	bool outbox;            /* a mail the daemon sent (or queued) */
	int64_t case_id;        /* 0: unattached */
	const char *message_id;
	const char *direction;  /* "in" or "out" */
	const char *role;
	const char *from;       /* sender (inbound), recipient (outbox rows) */
	const char *subject;    /* as received; the purpose for outbox rows */
	time_t date;
	const char *automatic;
	const char *state;
	const char *reason;
	const char *body;       /* the stored text (inbound); "" for outbox rows */
	const char *raw;        /* the exact source as stored (CRLF for outbox rows) */
	size_t raw_len;
};
typedef int (*store_stored_message_cb)(const struct stored_message *m, void *userdata);
/*
 * Every message of a case in the order it was received and sent, as `show`
 * numbers them: a mail of ours after the message that caused it.
 */
int store_case_messages_full(struct store *s, int64_t case_id, store_stored_message_cb cb,
			     void *userdata);
/* Messages recorded without a case, oldest first. */
int store_unattached(struct store *s, store_stored_message_cb cb, void *userdata);
/* One received message by its id; -ENOENT when there is none. */
int store_message_get(struct store *s, int64_t id, store_stored_message_cb cb, void *userdata);
/* Attach an unattached message to a case; -ENOENT when id is not an unattached message. */
int store_message_attach(struct store *s, int64_t id, int64_t case_id);
/*
 * Mail the council sent, already recorded (the same Message-ID, or without
 * one the same digest; direction "in", "out" or NULL for either): a copy in
 * the Sent folder of a "Send As" mail that also reached INBOX, or the
 * reverse.  Its id, or -ENOENT.
 */
int store_message_find_copy(struct store *s, const char *message_id, const char *digest,
			    const char *direction, int64_t *ret_id);

/* Counts for status lines and tests. */
int store_count(struct store *s, const char *what, int64_t *ret);

static inline void
case_row_freep(struct case_row **c)
{
	case_row_free(*c);
}
#define _cleanup_case_row_ __attribute__((cleanup(case_row_freep)))

#endif
