/*
 * store_autoreply.h - the store queries behind the automatic-reply policy
 * (daemon/autoreply.c) and sender authentication (daemon/sender_auth.c):
 * daemon/store_outbox.c and daemon/store_event.c, part of the store adapter.
 */
#ifndef COMPLAINTSD_STORE_AUTOREPLY_H
#define COMPLAINTSD_STORE_AUTOREPLY_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "store.h"

/* The id of the outbox row inserted last on this connection. */
int64_t store_outbox_last_id(struct store *s);

/*
 * Automatic mails to rcpt since `since` that count against the daily limit
 * (queued, sent or failed; not relays, held or suppressed ones), and how
 * many of those were acknowledgements or receipts.
 */
int store_outbox_count_limited(struct store *s, const char *rcpt, time_t since, int64_t *ret,
			       int64_t *ret_acks);

/* Mail held back, waiting for an officer (for the status line). */
int store_outbox_count_held(struct store *s, int64_t *ret);

/* Move mail id from state `from` to `to`, due at next_attempt; -ENOENT when not in `from`. */
int store_outbox_move(struct store *s, int64_t id, const char *from, const char *to,
		      time_t next_attempt);

/* Does case_id have an event of this type whose detail starts with "PREFIX:"? */
int store_event_has(struct store *s, int64_t case_id, const char *type, const char *prefix,
		    bool *ret);

#endif
