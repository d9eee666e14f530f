/*
 * case_ctx.h - what a change to a case works with (the store, the
 * configuration, the calendar, the rules, the templates, "now", the mail
 * being handled), and the one way any module records an event on a case
 * (daemon/case_event.c).  A plain type and a store write, below the case
 * machine (case.h), the notifications, sender authentication, the outbox and
 * the reply limit, so each of them can take a context without depending on
 * the module above it.
 */
#ifndef COMPLAINTSD_CASE_CTX_H
#define COMPLAINTSD_CASE_CTX_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "store.h"

struct config;
struct message;
struct calendar;
struct rules;
struct template_set;

/* What a case change works with.  Initialise by field name: fields are added. */
struct case_ctx {
	struct store *store;
	const struct config *cfg;
	const struct calendar *cal;
	const struct rules *rules; /* NULL: every new case is a complaint */
	const struct template_set *templates;
	time_t now;
	/* the From address of the mail being processed when the council's mail
	 * server authenticated it (daemon/sender_auth.h), else NULL */
	const char *authenticated_sender;
	/*
	 * When the mail being handled was received (0: now).  Clocks that a reply
	 * starts (escalation, upgrade, #acknowledge) run from its date received,
	 * so a backlog does not move deadlines.
	 */
	time_t received_at;
	const char *raw; /* the raw source of the message being handled, or NULL */
	size_t raw_len;
	/* the row of messages holding raw once it is recorded (0: not yet, or never) */
	int64_t raw_row;
	/*
	 * Records the message opening a case as soon as the case has its row,
	 * before anything is queued about it (case_open()), so the
	 * notification attaching it refers to its stored source (raw_row)
	 * instead of keeping a second copy; returns the row or a negative
	 * errno.  NULL: the caller records it after case_open().
	 */
	int64_t (*record_opening)(const struct case_ctx *cx, const struct case_row *c);
	void *record_arg; /* for record_opening */
	/*
	 * quote_strip() of own_for->body, worked out once by the driver for the
	 * message being handled (NULL: not worked out); see case_own_text().
	 */
	const struct message *own_for;
	const char *own_text;
	/* recovery (daemon/recover.c): the reference a case opened now had before, or NULL */
	const char *recover_ref;
	/*
	 * rules_classify() of own_for's subject and own_text as a resident's
	 * mail, worked out ahead by the driver (NULL: not worked out); used when
	 * a resident's mail opens a case.
	 */
	const struct classification *resident_classified;
};

/*
 * The sender's own text of m (quote_strip(m->body)), malloc'ed: a copy of
 * cx->own_text when it was worked out for m, else stripped now.
 */
char *case_own_text(const struct case_ctx *cx, const struct message *m);

/* Add an event to c and log it with the case's fields. */
int case_event(const struct case_ctx *cx, const struct case_row *c, const char *actor,
	       const char *type, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* A key event (actor complaintsd): logged at priority with its catalogued MESSAGE_ID. */
int case_event_key(const struct case_ctx *cx, const struct case_row *c, int priority,
		   const char *catalog_id, const char *type, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

#endif
