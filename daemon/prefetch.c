/*
 * prefetch.c - a fetch thread with its own IMAP connection and a bounded
 * queue of fetched batches (see prefetch.h).
 *
 * Ownership: the thread alone uses its struct imap; everything else in
 * struct prefetch below "under lock" is shared and only touched with the
 * mutex held.  To end a FETCH or LOGOUT that is waiting on the network, the
 * other side shuts down a dup of the thread's socket (never closing it: the
 * thread closes the dup itself, under the lock, so the number cannot be
 * reused by another descriptor in between).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "prefetch.h"
#include "util.h"

struct batch {
	struct imap_message *msgs;
	void **prepared; /* NULL without a prepare function */
	size_t n;
};

struct prefetch {
	pthread_t thread;
	struct imap *im; /* the thread's own connection */
	char *mailbox;
	uint32_t uidvalidity;
	uint32_t *uids;
	size_t n, batch_size, max_size;
	prefetch_prepare_fn prepare;
	prefetch_release_fn release;
	void *userdata;

	pthread_mutex_t lock;
	pthread_cond_t cond; /* broadcast on every change below */
	/* under lock */
	struct batch q[PREFETCH_DEPTH];
	size_t head, count;
	bool stop;             /* asked to stop */
	bool finished;         /* nothing more will be queued */
	enum imap_result failed; /* why it finished early, IMAP_OK if it did not */
	char *error;
	int fd;                /* a dup of the thread's socket, -1 when none */
};

/* Publish (or with fd -1, withdraw and close) the dup of the thread's socket. */
static void
set_fd(struct prefetch *p, int fd)
{
	pthread_mutex_lock(&p->lock);
	if (p->fd >= 0)
		close(p->fd);
	p->fd = fd;
	if (fd >= 0 && p->stop)
		(void)shutdown(fd, SHUT_RDWR);
	pthread_mutex_unlock(&p->lock);
}

static void *
prefetch_main(void *arg)
{
	struct prefetch *p = arg;
	_cleanup_free_ char *error = NULL;
	uint32_t uidvalidity = 0;
	enum imap_result r;

	r = imap_connect(p->im);
	if (r == IMAP_OK) {
		set_fd(p, fcntl(imap_fd(p->im), F_DUPFD_CLOEXEC, 0));
		r = imap_select(p->im, p->mailbox, &uidvalidity, NULL, NULL);
	}
	if (r == IMAP_OK && uidvalidity != p->uidvalidity) {
		r = IMAP_BOX_BAD;
		error = xasprintf("UIDVALIDITY of %s changed from %u to %u during the pass",
				  p->mailbox, p->uidvalidity, uidvalidity);
	}
	for (size_t off = 0; r == IMAP_OK && off < p->n; off += p->batch_size) {
		size_t n = p->n - off < p->batch_size ? p->n - off : p->batch_size;
		struct imap_message *msgs = NULL;
		void **prepared = NULL;
		size_t nm = 0;
		bool stop;

		pthread_mutex_lock(&p->lock);
		while (!p->stop && p->count == PREFETCH_DEPTH)
			pthread_cond_wait(&p->cond, &p->lock);
		stop = p->stop;
		pthread_mutex_unlock(&p->lock);
		if (stop)
			break;
		r = imap_fetch(p->im, p->uids + off, n, p->max_size, &msgs, &nm);
		if (r != IMAP_OK)
			break;
		if (p->prepare != NULL) {
			prepared = xcalloc(nm ? nm : 1, sizeof(*prepared));
			for (size_t i = 0; i < nm; i++)
				prepared[i] = p->prepare(&msgs[i], p->userdata);
		}
		pthread_mutex_lock(&p->lock);
		p->q[(p->head + p->count) % PREFETCH_DEPTH] = (struct batch){msgs, prepared, nm};
		p->count++;
		pthread_cond_broadcast(&p->cond);
		pthread_mutex_unlock(&p->lock);
	}

	pthread_mutex_lock(&p->lock);
	p->failed = r;
	if (r != IMAP_OK)
		p->error = error ? TAKE_PTR(error) : xstrdup(imap_last_error(p->im));
	p->finished = true;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);

	/* LOGOUT (bounded; ended at once by prefetch_free()), then no more socket to shut. */
	imap_disconnect(p->im);
	set_fd(p, -1);
	return NULL;
}

struct prefetch *
prefetch_start(const struct imap *model, const char *mailbox, uint32_t uidvalidity,
	       const uint32_t *uids, size_t n, size_t batch_size, size_t max_size,
	       prefetch_prepare_fn prepare, prefetch_release_fn release, void *userdata)
{
	struct prefetch *p = xcalloc(1, sizeof(*p));

	p->im = imap_new_like(model);
	p->mailbox = xstrdup(mailbox);
	p->uidvalidity = uidvalidity;
	p->uids = xreallocarray(NULL, n ? n : 1, sizeof(*p->uids));
	if (n > 0)
		memcpy(p->uids, uids, n * sizeof(*p->uids));
	p->n = n;
	p->batch_size = batch_size ? batch_size : 1;
	p->max_size = max_size;
	p->prepare = prepare;
	p->release = release;
	p->userdata = userdata;
	p->fd = -1;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	if (pthread_create(&p->thread, NULL, prefetch_main, p) != 0) {
		pthread_mutex_destroy(&p->lock);
		pthread_cond_destroy(&p->cond);
		imap_free(p->im);
		free(p->mailbox);
		free(p->uids);
		free(p);
		return NULL;
	}
	return p;
}

enum imap_result
prefetch_next(struct prefetch *p, struct imap_message **ret_msgs, void ***ret_prepared,
	      size_t *ret_n, const char **ret_error)
{
	enum imap_result r;

	*ret_msgs = NULL;
	*ret_prepared = NULL;
	*ret_n = 0;
	*ret_error = "";
	pthread_mutex_lock(&p->lock);
	while (p->count == 0 && !p->finished)
		pthread_cond_wait(&p->cond, &p->lock);
	if (p->count > 0) {
		*ret_msgs = p->q[p->head].msgs;
		*ret_prepared = p->q[p->head].prepared;
		*ret_n = p->q[p->head].n;
		p->q[p->head] = (struct batch){NULL, NULL, 0};
		p->head = (p->head + 1) % PREFETCH_DEPTH;
		p->count--;
		pthread_cond_broadcast(&p->cond);
		pthread_mutex_unlock(&p->lock);
		return IMAP_OK;
	}
	r = p->failed;
	if (r == IMAP_OK) {
		/* More asked for than was given to fetch: a caller's mistake, never data. */
		r = IMAP_SERVER_BAD;
		if (!p->error)
			p->error = xstrdup("no more batches to fetch ahead");
	}
	*ret_error = p->error;
	pthread_mutex_unlock(&p->lock);
	return r;
}

void
prefetch_free(struct prefetch *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	if (p->fd >= 0)
		(void)shutdown(p->fd, SHUT_RDWR);
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);

	for (size_t i = 0; i < p->count; i++) {
		struct batch *b = &p->q[(p->head + i) % PREFETCH_DEPTH];

		if (b->prepared != NULL)
			for (size_t j = 0; j < b->n; j++)
				p->release(b->prepared[j]);
		free(b->prepared);
		imap_messages_free(b->msgs, b->n);
	}
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->cond);
	imap_free(p->im);
	free(p->mailbox);
	free(p->uids);
	free(p->error);
	free(p);
}
