/*
 * store_recover.h - what recovery from the mailbox and the Sent-folder
 * copies keep in the store (part of the store adapter, daemon/store_recover.c).
 *
 * recover_state: per folder (processed, quarantine, Sent) the UIDVALIDITY
 * and the highest UID up to which the store is known to hold the folder's
 * mail, so a start with an up-to-date store needs one STATUS per folder.
 * sent_copy: mail accepted by the SMTP server whose copy is still to be
 * appended to the Sent folder ([imap] save_sent); a trigger adds a row as a
 * mail becomes sent, so delivery itself needs no change.
 */
#ifndef COMPLAINTSD_STORE_RECOVER_H
#define COMPLAINTSD_STORE_RECOVER_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct store;

/* -ENOENT when the folder has no row yet. */
int store_recover_state_get(struct store *s, const char *folder, uint32_t *ret_uidvalidity,
			    uint32_t *ret_last_uid);
int store_recover_state_set(struct store *s, const char *folder, uint32_t uidvalidity,
			    uint32_t last_uid);
/* Does the store hold any message or mail at all (a fresh store does not)? */
int store_recover_is_empty(struct store *s, int *ret_empty);

/* A mail of ours by Message-ID (without <>): its id, case and state; -ENOENT if unknown. */
int store_recover_outbox_get(struct store *s, const char *message_id, int64_t *ret_id,
			     int64_t *ret_case_id, char **ret_state);
/*
 * Record outbox row id as sent at sent_at with data as the exact source that
 * was sent (its copy in the Sent folder); its copy is not appended again.
 */
int store_recover_outbox_sent(struct store *s, int64_t id, const char *data, size_t len,
			      time_t sent_at);
/* Insert a sent mail of ours that the store did not have (found in the Sent folder). */
int store_recover_outbox_insert_sent(struct store *s, int64_t case_id, const char *purpose,
				     const char *message_id, const char *in_reply_to,
				     const char *rcpt, const char *data, size_t len,
				     time_t sent_at);
/* The highest outbox id (0 when empty). */
int store_recover_outbox_max_id(struct store *s, int64_t *ret);
struct recover_queued {
	int64_t id, case_id;
	const char *purpose, *rcpt, *message_id, *state;
};
/* Rows past after_id still queued or held (a reply not found in the Sent folder). */
int store_recover_outbox_pending(struct store *s, int64_t after_id,
				 int (*cb)(const struct recover_queued *q, void *userdata),
				 void *userdata);

/* The case of the message stored from mailbox/uidvalidity/uid (0: none); -ENOENT if not stored. */
int store_recover_message_case(struct store *s, const char *mailbox, uint32_t uidvalidity,
			       uint32_t uid, int64_t *ret_case_id);
/*
 * A case opened again by recovery takes reference ref (PREFIX-YEAR-NNNNNN)
 * unless a case has it already (-ENOENT: allocate a new one); references
 * allocated later come after it.
 */
int store_recover_take_ref(struct store *s, const char *ref, char **ret_ref);

/* Copies to append to the Sent folder, due at now, oldest first. */
struct sent_copy_row {
	int64_t outbox_id;
	int attempts;
	char *message_id;
	char *data;
	size_t len;
	time_t sent_at;
};
int store_sent_copy_due(struct store *s, time_t now, size_t limit, struct sent_copy_row **ret,
			size_t *ret_n);
void sent_copy_rows_free(struct sent_copy_row *rows, size_t n);
int store_sent_copy_done(struct store *s, int64_t outbox_id);
int store_sent_copy_retry(struct store *s, int64_t outbox_id, int attempts, time_t next_attempt,
			  const char *error);
/* save_sent is off: forget the copies waiting (they are not wanted). */
int store_sent_copy_clear(struct store *s);
int store_sent_copy_count(struct store *s, int64_t *ret);

/*
 * Copy the open database to dest_path (a new file) with SQLite's online
 * backup, switch the copy to a plain rollback journal (one self-contained
 * file) and check it with PRAGMA integrity_check (daemon/store_backup.c).
 * 0 with *ret_what ("N cases, M messages" of the copy), or a negative errno
 * with *ret_error saying why; both malloc'ed.
 */
int store_backup(struct store *s, const char *dest_path, char **ret_what, char **ret_error);

#endif
