/*
 * store_checkpoint.c - the WAL copied back into the database on a thread of
 * its own.  See store_checkpoint_background() in store.h.
 *
 * SQLite's own automatic checkpoint runs inside the COMMIT that takes the
 * WAL past 1,000 pages: the committing thread copies every page written
 * since the last checkpoint into the database file and waits for its
 * fsync.  In the intake that was about a third of every batch's commit
 * (bench/run).  Here the connection that writes only tells a second
 * connection, owned by this thread, that the WAL is past the mark; the
 * thread runs a PASSIVE checkpoint, which never blocks the writer and is
 * safe to interrupt at any point (an unfinished checkpoint is done again
 * from the WAL, which stays authoritative until a checkpoint completes).
 *
 * Should the thread fall far behind (a reader holding an old snapshot
 * keeps a checkpoint from finishing, or the disk is slow), the writer
 * checkpoints itself once the WAL passes CKPT_INLINE pages, as SQLite
 * would, so the WAL stays bounded whatever happens to the thread.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "store_checkpoint.h"
#include "util.h"

/* SQLite's own mark (SQLITE_DEFAULT_WAL_AUTOCHECKPOINT) */
#define CKPT_PAGES 1000
/* the writer's fallback: about 64 MB of WAL at 4 KiB pages */
#define CKPT_INLINE 16000

struct store_ckpt {
	sqlite3 *db; /* this thread's own connection */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool want, stop;
	unsigned long runs; /* checkpoints done by the thread, for the tests */
};

static void *
ckpt_main(void *arg)
{
	struct store_ckpt *c = arg;

	pthread_mutex_lock(&c->lock);
	for (;;) {
		bool ok;

		while (!c->want && !c->stop)
			pthread_cond_wait(&c->cond, &c->lock);
		if (c->stop)
			break;
		c->want = false;
		pthread_mutex_unlock(&c->lock);
		/* an error (I/O, or another checkpoint running) is tried again at the next mark */
		ok = sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL) ==
		     SQLITE_OK;
		pthread_mutex_lock(&c->lock);
		if (ok)
			c->runs++;
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

/* After every commit of the writing connection, with the pages now in the WAL. */
static int
ckpt_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
	struct store_ckpt *c = arg;

	if (pages >= CKPT_INLINE) {
		(void)sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		return SQLITE_OK;
	}
	if (pages >= CKPT_PAGES) {
		pthread_mutex_lock(&c->lock);
		c->want = true;
		pthread_cond_signal(&c->cond);
		pthread_mutex_unlock(&c->lock);
	}
	return SQLITE_OK;
}

int
store_ckpt_start(sqlite3 *writer, const char *path, struct store_ckpt **ret)
{
	struct store_ckpt *c = xcalloc(1, sizeof(*c));
	int rc;

	rc = sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(c->db, "PRAGMA synchronous = FULL", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		sqlite3_close(c->db);
		free(c);
		return -EIO;
	}
	sqlite3_busy_timeout(c->db, 5000);
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->cond, NULL);
	if (pthread_create(&c->thread, NULL, ckpt_main, c) != 0) {
		pthread_cond_destroy(&c->cond);
		pthread_mutex_destroy(&c->lock);
		sqlite3_close(c->db);
		free(c);
		return -EAGAIN;
	}
	/* replaces SQLite's automatic checkpoint, which is itself a WAL hook */
	sqlite3_wal_hook(writer, ckpt_hook, c);
	*ret = c;
	return 0;
}

unsigned long
store_ckpt_runs(struct store_ckpt *c)
{
	unsigned long n;

	if (c == NULL)
		return 0;
	pthread_mutex_lock(&c->lock);
	n = c->runs;
	pthread_mutex_unlock(&c->lock);
	return n;
}

void
store_ckpt_stop(sqlite3 *writer, struct store_ckpt *c)
{
	if (c == NULL)
		return;
	/* back to SQLite's own checkpoint for whatever the writer still commits */
	sqlite3_wal_autocheckpoint(writer, CKPT_PAGES);
	pthread_mutex_lock(&c->lock);
	c->stop = true;
	pthread_cond_signal(&c->cond);
	pthread_mutex_unlock(&c->lock);
	pthread_join(c->thread, NULL);
	pthread_cond_destroy(&c->cond);
	pthread_mutex_destroy(&c->lock);
	sqlite3_close(c->db);
	free(c);
}
