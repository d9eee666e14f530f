/*
 * sentcopy.h - the daemon's own mail kept in the mailbox ([imap] save_sent).
 *
 * Each mail the SMTP server accepted is appended, byte for byte as it was
 * sent (the outbox's stored source, with its own Message-ID), to the Sent
 * folder: sent_folder, or "Sent" when that is empty.  Officers see there
 * what the system sent, and recovery (daemon/recover.c) finds there what
 * was sent after the store's backup.  The copy to make is queued in the
 * store as the mail becomes sent (daemon/store_recover.h); appending is
 * a later step of the round, so a failed APPEND is retried with a backoff
 * and never holds up delivery.  The Sent-folder watcher knows these copies
 * as the daemon's own by their Message-ID in the outbox.
 */
#ifndef COMPLAINTSD_SENTCOPY_H
#define COMPLAINTSD_SENTCOPY_H

#include <stdbool.h>
#include <stddef.h>

#include "imap.h"

struct config;
struct store;

/*
 * Is save_sent in effect?  auto is no where the server keeps a copy of
 * submitted mail itself (Microsoft 365, Google: [oauth2] provider microsoft
 * or google, or the configured IMAP or SMTP host name) and yes elsewhere.
 * *ret_why (or NULL) says why.
 */
bool sentcopy_enabled(const struct config *cfg, const char **ret_why);

/* The folder our copies go to and recovery reads: sent_folder, or "Sent". */
const char *sentcopy_folder(const struct config *cfg);

/* Is host one of the providers whose SMTP submission keeps a copy itself? (pure) */
bool sentcopy_host_saves_itself(const char *host);

struct sentcopy {
	bool folder_ready; /* the folder was found or created in this session */
	size_t appended;   /* copies appended since start */
	size_t failed;     /* attempts failed since start */
};

/*
 * Append the copies due.  Returns IMAP_OK (failures of single copies are
 * retried later), or the IMAP result that ended the session; a store
 * failure is IMAP_OK with *ret_store_error set.
 */
enum imap_result sentcopy_append_due(const struct config *cfg, struct store *store,
				     struct imap *im, struct sentcopy *sc, int *ret_store_error);

#endif
