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

#include "compose.h"
#include "template.h"

struct case_ctx;
struct case_row;
struct smtp;

/* tmpl value for a relay of an officer's text with no template around it */
#define OUTBOX_NO_TEMPLATE _TEMPLATE_MAX

struct outbox_mail {
	const struct case_row *c; /* the case (for reference, names, dates), or NULL */
	enum template_id tmpl;
	const char *purpose;      /* stored purpose: "ack-stage1", "relay", ... */
	const char *key;          /* makes the Message-ID unique; NULL: the next sequence number */
	const char *to_addr;
	const char *to_name;
	const char *subject;      /* OUTBOX_NO_TEMPLATE: the subject (NULL: "[REF] " + the case's) */
	const char *body_prefix;  /* text placed before the template's body (a relayed reply) */
	const char *in_reply_to;  /* the message answered, or NULL for the case's first message */
	const char *const *references;
	size_t n_references;
	bool automatic;           /* Auto-Submitted: auto-replied; may be held (daemon/autoreply.h) */
	bool notification;        /* to officers (purpose "notify-..."): Auto-Submitted:
				   * auto-generated; never an automatic reply to a resident,
				   * never counted against or held by the limit */
	const struct compose_part *parts; /* attachments after the text (files, messages) */
	size_t n_parts;
	bool thread_subject;      /* "[REF] " + the case's subject, so the person's mail client
				   * keeps the conversation together (the template's Subject
				   * line is used when the case has none) */
	struct template_vars vars; /* extra values; common ones are filled from the case */
	bool with_footer;         /* the body of template `footer` follows the template's body */
	enum template_id footer;
};

enum outbox_queued {
	OUTBOX_QUEUED,
	OUTBOX_DUPLICATE,  /* the same mail was queued before: nothing done */
	OUTBOX_SUPPRESSED, /* to an address never answered (no-reply...): recorded, not sent */
	OUTBOX_HELD,       /* over the daily limit for a sender not authenticated: recorded,
			    * waiting for an officer (complaintsctl outbox release) */
	OUTBOX_NO_ADDRESS, /* nobody to send it to */
};

int outbox_queue(const struct case_ctx *cx, struct outbox_mail *m, enum outbox_queued *ret);

struct outbox_stats {
	size_t sent, deferred, failed;
};

/*
 * Deliver everything due now; tick (or NULL) is called before each mail, so
 * the caller can keep its watchdog fed.  Returns 0 (temporary failures are
 * queued for a later attempt), -EPROTO when the SMTP server refuses us
 * (authentication, TLS: a configuration problem that stops delivery as a
 * whole), or the store's -errno when an outcome cannot be recorded.  Mail
 * not yet tried stays queued either way.
 */
int outbox_deliver(const struct case_ctx *cx, struct smtp *smtp, struct outbox_stats *stats,
		   void (*tick)(void *userdata), void *userdata);

/* Seconds to wait after the n-th failed attempt (pure, clamped: 1 min .. 1 h). */
time_t outbox_backoff(int attempts);

/* How long a temporary failure is retried before it becomes permanent. */
#define OUTBOX_MAX_AGE (5 * 24 * 3600)

/* Replies read from the database at a time; a round delivers every batch due. */
#define OUTBOX_BATCH 200

#endif
