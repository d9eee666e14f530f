/*
 * store_checkpoint.h - the WAL checkpointer's thread (store_checkpoint.c),
 * for store.c: store_checkpoint_background() and store_free() use it.
 */
#pragma once

struct sqlite3;
struct store_ckpt;

/* A thread with its own connection to path checkpointing writer's WAL; 0 or a negative errno. */
int store_ckpt_start(struct sqlite3 *writer, const char *path, struct store_ckpt **ret);
/* Checkpoints the thread has completed. */
unsigned long store_ckpt_runs(struct store_ckpt *c);
/* Stop and join the thread (c may be NULL); writer checkpoints for itself again. */
void store_ckpt_stop(struct sqlite3 *writer, struct store_ckpt *c);
