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
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "intake.h"
#include "log.h"
#include "prefetch.h"
#include "store.h"
#include "sync.h"
#include "util.h"

static double
mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

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

/* Add the UIDs of from to l, and empty from. */
static void
uidlist_take(struct uidlist *l, struct uidlist *from)
{
	if (l->n == 0) {
		free(l->v);
		*l = *from;
	} else if (from->n > 0) {
		l->v = xreallocarray(l->v, l->n + from->n, sizeof(uint32_t));
		memcpy(l->v + l->n, from->v, from->n * sizeof(uint32_t));
		l->n += from->n;
		free(from->v);
	} else
		free(from->v);
	*from = (struct uidlist){0};
}

/*
 * The MOVEs of committed batches run on a thread of their own while the next
 * batch is recorded and committed, so the server's work on them costs no
 * time here.  Until mover_wait() the connection is the mover's alone: the
 * next batch comes from the fetch thread's connection, and a fetch on this
 * one waits for the move first.  One move at a time, in batch order; the
 * batches committed while one is in flight wait in next_* and go together
 * in the following move (mover_add()).
 */
struct mover {
	pthread_t thread;
	bool busy;    /* a batch handed over and not yet waited for */
	bool running; /* ... on the thread, to be joined */
	atomic_bool done; /* the thread has finished: joining it will not wait */
	struct imap *im;
	const char *processed_folder, *quarantine_folder;
	struct uidlist processed, quarantined;
	struct uidlist next_processed, next_quarantined; /* committed, for the next move */
	enum imap_result result;
};

static void *
mover_main(void *arg)
{
	struct mover *mv = arg;

	mv->result = mv->processed.n ? imap_move(mv->im, mv->processed.v, mv->processed.n,
						 mv->processed_folder)
				     : IMAP_OK;
	if (mv->result == IMAP_OK && mv->quarantined.n)
		mv->result = imap_move(mv->im, mv->quarantined.v, mv->quarantined.n,
				       mv->quarantine_folder);
	atomic_store(&mv->done, true);
	return NULL;
}

/* Wait for the move in flight, if any; count what it moved. */
static enum imap_result
mover_wait(struct mover *mv, struct sync_stats *stats)
{
	if (!mv->busy)
		return IMAP_OK;
	if (mv->running)
		pthread_join(mv->thread, NULL);
	mv->busy = mv->running = false;
	stats->processed += mv->processed.n;
	stats->quarantined += mv->quarantined.n;
	free(mv->processed.v);
	free(mv->quarantined.v);
	mv->processed = mv->quarantined = (struct uidlist){0};
	return mv->result;
}

/* Start moving a committed batch (the lists become the mover's); inline if no thread. */
static void
mover_start(struct mover *mv, struct uidlist processed, struct uidlist quarantined)
{
	mv->processed = processed;
	mv->quarantined = quarantined;
	mv->result = IMAP_OK;
	mv->busy = true;
	atomic_store(&mv->done, false);
	if (pthread_create(&mv->thread, NULL, mover_main, mv) != 0)
		(void)mover_main(mv);
	else
		mv->running = true;
}

/* Start moving every batch waiting in next_* (the lists become the mover's). */
static void
mover_start_next(struct mover *mv)
{
	mover_start(mv, mv->next_processed, mv->next_quarantined);
	mv->next_processed = mv->next_quarantined = (struct uidlist){0};
}

/* Forget the batches waiting in next_*: recorded, they stay in the mailbox for the next pass. */
static void
mover_drop_next(struct mover *mv)
{
	free(mv->next_processed.v);
	free(mv->next_quarantined.v);
	mv->next_processed = mv->next_quarantined = (struct uidlist){0};
}

/*
 * A committed batch to move (the lists become the mover's).  It starts now
 * when no move is in flight; otherwise it waits, with any other batch
 * committed meanwhile, for the end of the move in flight, and they then go
 * in one MOVE: the server syncs its folders once for all of them, and this
 * thread goes on recording instead of waiting.  The result of a move that
 * has ended (an error stops the pass), else IMAP_OK.
 */
static enum imap_result
mover_add(struct mover *mv, struct uidlist processed, struct uidlist quarantined,
	  struct sync_stats *stats)
{
	enum imap_result ir;

	uidlist_take(&mv->next_processed, &processed);
	uidlist_take(&mv->next_quarantined, &quarantined);
	if (mv->busy && !atomic_load(&mv->done))
		return IMAP_OK;
	ir = mover_wait(mv, stats);
	if (ir != IMAP_OK) {
		mover_drop_next(mv);
		return ir;
	}
	mover_start_next(mv);
	return IMAP_OK;
}

/* Every batch handed over moved (or the first error), the connection free again. */
static enum imap_result
mover_flush(struct mover *mv, struct sync_stats *stats)
{
	enum imap_result ir = mover_wait(mv, stats);

	if (ir == IMAP_OK && (mv->next_processed.n > 0 || mv->next_quarantined.n > 0)) {
		mover_start_next(mv);
		ir = mover_wait(mv, stats);
	}
	mover_drop_next(mv); /* anything left after an error */
	return ir;
}

/* On the fetch thread (prefetch.c): what intake_message() needs of the bytes alone. */
static void *
prepare_one(const struct imap_message *msg, void *userdata)
{
	const struct intake *in = userdata;

	return msg->data ? intake_prepare(&in->limits, in->rules, msg->data, msg->len) : NULL;
}

static void
release_one(void *prepared)
{
	intake_prep_free(prepared);
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
	     struct imap_message *msgs, void *const *prepared, size_t n,
	     struct uidlist *processed, struct uidlist *quarantined, double *commit_s)
{
	enum intake_disposition *disp = xcalloc(n ? n : 1, sizeof(*disp));
	uint32_t max_uid = 0;
	int r;

	r = store_begin(in->store);
	for (size_t i = 0; r == 0 && i < n; i++) {
		struct intake_source src = {.mailbox = mailbox, .uidvalidity = uidvalidity,
					    .uid = msgs[i].uid, .internaldate = msgs[i].internaldate,
					    .raw = msgs[i].data, .len = msgs[i].len,
					    .size = msgs[i].size,
					    .prep = prepared ? prepared[i] : NULL};

		r = intake_message(in, &src, time(NULL), &disp[i]);
		if (msgs[i].uid > max_uid)
			max_uid = msgs[i].uid;
	}
	if (r == 0)
		r = store_mailbox_set(in->store, mailbox, uidvalidity, max_uid);
	if (r == 0) {
		double t = mono_s();

		r = store_commit(in->store);
		*commit_s += mono_s() - t;
	}
	if (r < 0) {
		store_rollback(in->store);
		log_warning("Batch of %zu messages could not be committed (%s); retrying one by one",
			    n, store_last_error(in->store));
		for (size_t i = 0; i < n; i++) {
			struct intake_source src = {.mailbox = mailbox, .uidvalidity = uidvalidity,
						    .uid = msgs[i].uid,
						    .internaldate = msgs[i].internaldate,
						    .raw = msgs[i].data, .len = msgs[i].len,
						    .size = msgs[i].size,
						    .prep = prepared ? prepared[i] : NULL};

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
	struct mover mv = {.im = im, .processed_folder = cfg->imap_processed_folder,
			   .quarantine_folder = cfg->imap_quarantine_folder};
	double t0, t1, t_fetch = 0, t_work = 0, t_commit = 0, t_move = 0;
	enum imap_result ir, mr;
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

	/*
	 * A backlog of several batches: the next ones are fetched, parsed and
	 * digested on the second connection's thread while this one is worked on.
	 */
	if (n_uids > batch)
		ahead = prefetch_start(im, mailbox, uidvalidity, uids + batch, n_uids - batch, batch,
				       in->limits.max_size, prepare_one, release_one, in);

	t0 = mono_s();
	for (size_t off = 0; off < n_uids; off += batch) {
		size_t n = n_uids - off < batch ? n_uids - off : batch;
		struct imap_message *msgs = NULL;
		void **prepared = NULL;
		struct uidlist processed = {0}, quarantined = {0};
		size_t n_msgs = 0;
		bool fetched = false;

		if (off > 0 && ahead != NULL) {
			const char *why;

			ir = prefetch_next(ahead, &msgs, &prepared, &n_msgs, &why);
			fetched = ir == IMAP_OK;
			if (!fetched) {
				log_warning("Fetching ahead on a second connection stopped (%s: %s); going on with one connection",
					    imap_result_to_string(ir), why);
				prefetch_free(ahead);
				ahead = NULL;
			}
		}
		if (!fetched) {
			ir = mover_flush(&mv, stats);
			if (ir == IMAP_OK)
				ir = imap_fetch(im, uids + off, n, in->limits.max_size, &msgs,
						&n_msgs);
		}
		t1 = mono_s();
		t_fetch += t1 - t0;
		if (ir != IMAP_OK)
			break;
		r = commit_batch(in, mailbox, uidvalidity, msgs, prepared, n_msgs, &processed,
				 &quarantined, &t_commit);
		if (prepared != NULL)
			for (size_t i = 0; i < n_msgs; i++)
				intake_prep_free(prepared[i]);
		free(prepared);
		imap_messages_free(msgs, n_msgs);
		t0 = mono_s();
		t_work += t0 - t1;
		if (r < 0) {
			*ret_store_error = r;
			free(processed.v);
			free(quarantined.v);
			ir = IMAP_OK;
			break;
		}
		/* Only now, with the commit on disk, may the server forget them. */
		ir = mover_add(&mv, processed, quarantined, stats);
		t1 = mono_s();
		t_move += t1 - t0;
		t0 = t1;
		if (ir != IMAP_OK)
			break;
		if (progress != NULL && !progress(off + n, n_uids, userdata))
			break;
	}
	t0 = mono_s();
	mr = mover_flush(&mv, stats);
	t_move += mono_s() - t0;
	if (ir == IMAP_OK && *ret_store_error == 0)
		ir = mr;
	prefetch_free(ahead);
	if (n_uids > batch)
		log_info("Backlog of %zu messages: %.2f s fetching (waiting for the server), %.2f s recording, %.2f s committing, %.2f s waiting for moves",
			 n_uids, t_fetch, t_work - t_commit, t_commit, t_move);
	return ir;
}
