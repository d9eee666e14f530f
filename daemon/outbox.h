/*
 * outbox.h - queueing replies (inside the case transaction) and delivering
 * them over SMTP with retry and backoff.
 *
 * A queued mail is rendered from a template, composed as a complete RFC 5322
 * message and stored; its Message-ID is derived from the case reference,
 * the purpose and a key, so queueing the same mail twice (a re-run after a
 * crash, a second breach check) is refused by the store and sends nothing.
 * Whether automatic mail goes, is held back (over max_auto_replies_per_day
 * for a sender not authenticated) or is never sent (no-reply addresses) is
 * decided by daemon/autoreply.c; held and suppressed mail is recorded with
 * the reason, an event on the case and a warning in the journal.
 */
#ifndef COMPLAINTSD_OUTBOX_H
#define COMPLAINTSD_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "outbox_mail.h"

struct case_ctx;
struct case_row;
struct outbox_row;
struct smtp;


int outbox_queue(const struct case_ctx *cx, struct outbox_mail *m, enum outbox_queued *ret);

struct outbox_stats {
	size_t sent, deferred, failed;
};

/*
 * A mail of case o->case_id failed for good (5xx, or retried past
 * OUTBOX_MAX_AGE): the caller's answer to it, inside the transaction that
 * records the failure (a negative errno rolls both back).  The outbox only
 * reports it; whoever drives delivery tells the case (case_delivery_failed).
 */
typedef int (*outbox_failed_fn)(const struct case_ctx *cx, const struct outbox_row *o);

/*
 * Deliver everything due now; failed (or NULL) is told of each mail on a
 * case that failed for good; tick (or NULL) is called before each mail, so
 * the caller can keep its watchdog fed.  Returns 0 (temporary failures are
 * queued for a later attempt), -EPROTO when the SMTP server refuses us
 * (authentication, TLS: a configuration problem that stops delivery as a
 * whole), or the store's -errno when an outcome cannot be recorded.  Mail
 * not yet tried stays queued either way.
 */
int outbox_deliver(const struct case_ctx *cx, struct smtp *smtp, struct outbox_stats *stats,
		   outbox_failed_fn failed, void (*tick)(void *userdata), void *userdata);

/* Seconds to wait after the n-th failed attempt (pure, clamped: 1 min .. 1 h). */
time_t outbox_backoff(int attempts);

/* How long a temporary failure is retried before it becomes permanent. */
#define OUTBOX_MAX_AGE (5 * 24 * 3600)

/* Replies read from the database at a time; a round delivers every batch due. */
#define OUTBOX_BATCH 200

#endif
