/*
 * sync.h - bring the store up to date with the complaints mailbox.
 *
 * One pass: SELECT the mailbox, list every message still in it, fetch them in
 * batches, run each through intake inside one transaction per batch, commit,
 * and only then move each message to the processed or quarantine folder.  A
 * crash anywhere loses nothing: uncommitted messages are still in INBOX, and
 * committed-but-not-moved ones are recognised by UID and just moved.  With
 * more than one batch, the next batch is fetched on a second connection
 * while the current one is worked on, and the moves of a committed batch
 * (on this connection, from a thread of their own) overlap the next batch.
 */
#ifndef COMPLAINTSD_SYNC_H
#define COMPLAINTSD_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "imap.h"

struct intake;

struct sync_stats {
	size_t seen;        /* messages found in the mailbox */
	size_t processed;   /* moved to the processed folder */
	size_t quarantined; /* moved to the quarantine folder */
	time_t last_poll;
};

/* Called after each committed batch (its move may still be under way); returning
 * false ends the pass there, once every committed batch has been moved. */
typedef bool (*sync_progress_fn)(size_t done, size_t total, void *userdata);

/*
 * Returns IMAP_OK, or the IMAP result that stopped the pass.  A store failure
 * is reported as IMAP_OK with *ret_store_error set (negative errno): nothing
 * was moved, and the caller retries later.  A pass ended early by the
 * progress function returns IMAP_OK: what was committed has been moved.
 */
enum imap_result sync_mailbox(struct intake *in, struct imap *im, int *ret_store_error,
			      struct sync_stats *stats, sync_progress_fn progress, void *userdata);

#endif
