/*
 * case.h - the case lifecycle: every change of kind, stage, status, deadline
 * or outcome goes through this module, which checks the transition, writes an
 * event row (who, when, what, before -> after) and logs it.
 */
#ifndef COMPLAINTSD_CASE_H
#define COMPLAINTSD_CASE_H

#include <time.h>

#include "automail.h"
#include "kinds.h"
#include "message.h"
#include "store.h"

struct config;
struct calendar;
struct rules;

/*
 * Open a new case for m: classify the sender's own text, take the constituent
 * from a councillor's forward, compute the effective date received and the
 * first deadlines.  quoted_ref names a case whose reference the sender quoted
 * without being a party to it (linked in both cases' events), or NULL.
 */
int case_open(struct store *st, const struct config *cfg, const struct calendar *cal,
	      const struct rules *rules, const struct message *m, enum sender_role role,
	      time_t received_at, time_t now, const char *quoted_ref, struct case_row **ret);

/* A further message on an existing case. */
int case_message_received(struct store *st, const struct config *cfg, const struct calendar *cal,
			  const struct rules *rules, struct case_row *c, const struct message *m,
			  enum sender_role role, enum automail_kind automail, const char *threaded_by,
			  time_t now);

/* Add an event to c and log it with the case's fields. */
int case_event(struct store *st, const struct case_row *c, time_t now, const char *actor,
	       const char *type, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

#endif
