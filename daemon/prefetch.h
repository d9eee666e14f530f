/*
 * prefetch.h - fetch the next batches of a pass while the current one is
 * parsed, classified and committed.
 *
 * A thread with its own IMAP connection (imap_new_like()) selects the same
 * mailbox and fetches the given UIDs batch by batch into a bounded queue
 * (PREFETCH_DEPTH batches ahead).  It only reads (UID FETCH BODY.PEEK[]):
 * messages are moved by the caller's own connection after its commit, so
 * "a message leaves the mailbox only after its commit" is unchanged, and a
 * MOVE never waits behind a FETCH.  The thread never logs and never touches
 * the store; what went wrong is handed back with the batch it stopped at.
 *
 * The caller may also have work that needs only a message's bytes done on
 * the thread, after each fetch (sync.c: the parse, digest and quote strip of
 * intake_prepare()), so the second CPU does it while the caller commits.
 */
#ifndef COMPLAINTSD_PREFETCH_H
#define COMPLAINTSD_PREFETCH_H

#include <stddef.h>
#include <stdint.h>

#include "imap.h"

#define PREFETCH_DEPTH 2

struct prefetch;

/* Run on the fetch thread for each message fetched; must be thread-safe. */
typedef void *(*prefetch_prepare_fn)(const struct imap_message *msg, void *userdata);
/* Frees what prepare returned (also called for batches never taken). */
typedef void (*prefetch_release_fn)(void *prepared);

/*
 * Start fetching uids[0..n) in batches of batch_size (the caller's batches,
 * in order), from mailbox as selected with uidvalidity (a different
 * UIDVALIDITY on the second connection stops it with IMAP_BOX_BAD).  model
 * gives the connection settings; it is not used by the thread.  NULL when no
 * thread could be started (the caller fetches for itself).  prepare may be
 * NULL; userdata must stay valid until prefetch_free().
 */
struct prefetch *prefetch_start(const struct imap *model, const char *mailbox,
				uint32_t uidvalidity, const uint32_t *uids, size_t n,
				size_t batch_size, size_t max_size, prefetch_prepare_fn prepare,
				prefetch_release_fn release, void *userdata);

/*
 * The next batch, waiting for it if need be: IMAP_OK with the messages
 * (free with imap_messages_free()) and, when prepare was given, what it
 * returned for each (*ret_prepared[i]; free each with release and the array
 * with free()), or the result that stopped the thread,
 * with its text in *ret_error (valid until prefetch_free()).  After an
 * error nothing more comes: the caller goes on with its own connection from
 * that batch.
 */
enum imap_result prefetch_next(struct prefetch *p, struct imap_message **ret_msgs,
			       void ***ret_prepared, size_t *ret_n, const char **ret_error);

/* Stop the thread (ending a fetch in progress at once), join it, free what it fetched. */
void prefetch_free(struct prefetch *p);

#endif
