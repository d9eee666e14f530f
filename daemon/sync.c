/*
 * sync.c - one pass over the complaints mailbox (see sync.h).
 *
 * A pass of several batches overlaps the network with the work: while batch
 * N is parsed, classified, committed and moved on this connection, a second
 * connection (prefetch.c) fetches batch N+1.  If that connection fails, the
 * pass goes on fetching on this one.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "conf.h"
#include "intake.h"
#include "log.h"
#include "prefetch.h"
#include "store.h"
#include "sync.h"
#include "util.h"

struct uidlist {
	uint32_t *v;
	size_t n;
};

static void
uidlist_add(struct uidlist *l, uint32_t uid)
{
	l->v = xreallocarray(l->v, l->n + 1, sizeof(uint32_t));
	l->v[l->n++] = uid;
}

/* Run one message through intake in its own transaction (the slow path). */
static int
intake_one(struct intake *in, const struct intake_source *src, enum intake_disposition *ret)
{
	int r = store_begin(in->store);

	if (r < 0)
		return r;
	r = intake_message(in, src, time(NULL), ret);
	if (r == 0)
		r = store_commit(in->store);
	if (r < 0)
		store_rollback(in->store);
	return r;
}

/*
 * Commit a fetched batch.  The fast path is one transaction for the batch;
 * if it fails, each message is retried alone, and one that still fails is
 * recorded as quarantined so a single bad message cannot block the mailbox.
 * Returns 0 or the store error that makes going on pointless (disk full...).
 */
static int
commit_batch(struct intake *in, const char *mailbox, uint32_t uidvalidity,
	     struct imap_message *msgs, size_t n, struct uidlist *processed,
	     struct uidlist *quarantined)
{
	enum intake_disposition *disp = xcalloc(n ? n : 1, sizeof(*disp));
	uint32_t max_uid = 0;
	int r;

	r = store_begin(in->store);
	for (size_t i = 0; r == 0 && i < n; i++) {
		struct intake_source src = {mailbox, uidvalidity, msgs[i].uid, msgs[i].internaldate,
					    msgs[i].data, msgs[i].len, msgs[i].size, NULL, NULL};

		r = intake_message(in, &src, time(NULL), &disp[i]);
		if (msgs[i].uid > max_uid)
			max_uid = msgs[i].uid;
	}
	if (r == 0)
		r = store_mailbox_set(in->store, mailbox, uidvalidity, max_uid);
	if (r == 0)
		r = store_commit(in->store);
	if (r < 0) {
		store_rollback(in->store);
		log_warning("Batch of %zu messages could not be committed (%s); retrying one by one",
			    n, store_last_error(in->store));
		for (size_t i = 0; i < n; i++) {
			struct intake_source src = {mailbox, uidvalidity, msgs[i].uid,
						    msgs[i].internaldate, msgs[i].data, msgs[i].len,
						    msgs[i].size, NULL, NULL};

			r = intake_one(in, &src, &disp[i]);
			if (r == -ENOSPC || r == -EIO || r == -EACCES || r == -EBUSY) {
				log_error("Database write failed: %s; messages stay in the mailbox and will be tried again",
					  store_last_error(in->store));
				free(disp);
				return r;
			}
			if (r < 0) {
				/* Record it bare, as quarantined, so it is not lost or retried forever. */
				_cleanup_free_ char *why = xasprintf("store_error: %s",
								     store_last_error(in->store));
				struct intake_source bare = src;

				bare.quarantine_reason = why;
				log_error("Message UID %u could not be recorded (%s); quarantining it",
					  msgs[i].uid, why);
				r = intake_one(in, &bare, &disp[i]);
				if (r < 0) {
					free(disp);
					return r;
				}
				disp[i] = INTAKE_QUARANTINED;
			}
		}
	}
	for (size_t i = 0; i < n; i++)
		uidlist_add(disp[i] == INTAKE_QUARANTINED ? quarantined : processed, msgs[i].uid);
	free(disp);
	return 0;
}

enum imap_result
sync_mailbox(struct intake *in, struct imap *im, int *ret_store_error, struct sync_stats *stats,
	     sync_progress_fn progress, void *userdata)
{
	const struct config *cfg = in->cfg;
	const char *mailbox = imap_mailbox(im);
	uint32_t uidvalidity = 0, uidnext = 0, exists = 0, old_validity = 0, old_last = 0;
	_cleanup_free_ uint32_t *uids = NULL;
	size_t n_uids = 0, batch = (size_t)cfg->imap_batch_size;
	struct prefetch *ahead = NULL;
	enum imap_result ir;
	int r;

	*ret_store_error = 0;
	ir = imap_ensure_folder(im, cfg->imap_processed_folder);
	if (ir == IMAP_OK)
		ir = imap_ensure_folder(im, cfg->imap_quarantine_folder);
	if (ir == IMAP_OK)
		ir = imap_select(im, mailbox, &uidvalidity, &uidnext, &exists);
	if (ir != IMAP_OK)
		return ir;

	r = store_mailbox_get(in->store, mailbox, &old_validity, &old_last);
	if (r == 0 && old_validity != uidvalidity)
		log_notice("UIDVALIDITY of %s changed from %u to %u; rescanning, copies of recorded messages are recognised and not processed again",
			   mailbox, old_validity, uidvalidity);

	/* Everything still in the mailbox is either new or recorded-but-not-moved. */
	ir = imap_search_after(im, 0, &uids, &n_uids);
	if (ir != IMAP_OK)
		return ir;
	stats->seen += n_uids;
	stats->last_poll = time(NULL);

	/* A backlog of several batches: the next ones are fetched while this one is worked on. */
	if (n_uids > batch)
		ahead = prefetch_start(im, mailbox, uidvalidity, uids + batch, n_uids - batch, batch,
				       in->limits.max_size);

	for (size_t off = 0; off < n_uids; off += batch) {
		size_t n = n_uids - off < batch ? n_uids - off : batch;
		struct imap_message *msgs = NULL;
		struct uidlist processed = {0}, quarantined = {0};
		size_t n_msgs = 0;
		bool fetched = false;

		if (off > 0 && ahead != NULL) {
			const char *why;

			ir = prefetch_next(ahead, &msgs, &n_msgs, &why);
			fetched = ir == IMAP_OK;
			if (!fetched) {
				log_warning("Fetching ahead on a second connection stopped (%s: %s); going on with one connection",
					    imap_result_to_string(ir), why);
				prefetch_free(ahead);
				ahead = NULL;
			}
		}
		if (!fetched)
			ir = imap_fetch(im, uids + off, n, in->limits.max_size, &msgs, &n_msgs);
		if (ir != IMAP_OK)
			break;
		r = commit_batch(in, mailbox, uidvalidity, msgs, n_msgs, &processed, &quarantined);
		imap_messages_free(msgs, n_msgs);
		if (r < 0) {
			*ret_store_error = r;
			free(processed.v);
			free(quarantined.v);
			ir = IMAP_OK;
			break;
		}
		/* Only now, with the commit on disk, may the server forget them. */
		ir = processed.n ? imap_move(im, processed.v, processed.n, cfg->imap_processed_folder)
				 : IMAP_OK;
		if (ir == IMAP_OK && quarantined.n)
			ir = imap_move(im, quarantined.v, quarantined.n, cfg->imap_quarantine_folder);
		stats->processed += processed.n;
		stats->quarantined += quarantined.n;
		free(processed.v);
		free(quarantined.v);
		if (ir != IMAP_OK)
			break;
		if (progress != NULL && !progress(off + n, n_uids, userdata))
			break;
	}
	prefetch_free(ahead);
	return ir;
}
