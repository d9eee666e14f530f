/*
 * recover.h - the store rebuilt from the mailbox after a restore (SPEC
 * section 8), at every start and by `complaintsctl recover [--dry-run]`.
 *
 * Mail in the processed and quarantine folders that the store does not
 * know, and the daemon's own mail in the Sent folder that it does not know
 * (sentcopy.h), is taken up again in the order it was received, through
 * intake like new mail: a case opened again keeps the reference its
 * acknowledgement gave it, the date received is the original one, and its
 * classification and events follow as before.  A reply the rebuilt case
 * queues that is found in the Sent folder is recorded as sent (with the
 * exact source found there) and never sent again; one not found stays
 * queued and is sent.  Each step is an event `recovered` on the case and a
 * journal line.  The whole recovery is one transaction: killed half-way, it
 * is done again whole at the next start.
 *
 * Cheap when there is nothing to recover: the store keeps per folder the
 * UIDVALIDITY and the UID up to which it holds the folder's mail
 * (recover_state, kept up to date while running by recover_note_folders()),
 * so an up-to-date start asks one STATUS per folder.  A folder whose
 * UIDVALIDITY changed (the mailbox restored from its own backup, the store
 * ahead) is read whole once and every message recognised.
 */
#ifndef COMPLAINTSD_RECOVER_H
#define COMPLAINTSD_RECOVER_H

#include <stdbool.h>
#include <stddef.h>

#include "imap.h"

struct intake;

struct recover_opts {
	bool dry_run;    /* do everything, say it, then roll it all back */
	bool requested;  /* complaintsctl recover: folders are read even in a fresh store */
	void (*tick)(void *userdata);                      /* or NULL: keep a watchdog fed */
	void (*say)(const char *line, void *userdata);     /* or NULL: each step, for a person */
	void *userdata;
};

struct recover_report {
	size_t folders_checked;  /* STATUS asked */
	size_t folders_read;     /* folders with mail past the known position */
	size_t messages_read;    /* fetched and compared */
	size_t taken_up;         /* messages run through intake again */
	size_t quarantined;      /* of those, recorded as quarantined */
	size_t cases_reopened;   /* cases opened again with their old reference */
	size_t replies_found;    /* our mail found in the Sent folder, recorded as sent */
	size_t replies_resent;   /* replies rebuilt but not found: left queued, to be sent */
	size_t replies_held;     /* replies rebuilt and held (the daily limit), as before */
};

/*
 * Run recovery on a connected session; INBOX is selected again afterwards.
 * Returns IMAP_OK, or the IMAP result that stopped it (nothing kept); a
 * store failure is IMAP_OK with *ret_store_error set (nothing kept).
 */
enum imap_result recover_run(struct intake *in, struct imap *im, const struct recover_opts *o,
			     struct recover_report *rep, int *ret_store_error);

/* One journal line of what a recovery did (debug level when it did nothing). */
void recover_log_summary(const struct recover_report *rep);

/*
 * After a round that moved mail to the processed or quarantine folder or
 * appended copies to the Sent folder: the store now holds everything up to
 * each folder's UIDNEXT (one STATUS each).
 */
enum imap_result recover_note_folders(struct intake *in, struct imap *im, int *ret_store_error);

#endif
