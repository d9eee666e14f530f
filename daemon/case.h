/*
 * case.h - the case lifecycle under the Complaint Handling Code.
 *
 * Every change of kind, stage, status, deadline or outcome goes through this
 * module: it checks the transition, writes an event row (who, when, what,
 * before -> after), logs it with the case's journal fields, and queues the
 * mail the Code calls for in the same transaction.  Nothing here talks to the
 * network; "now" is a parameter.
 */
#ifndef COMPLAINTSD_CASE_H
#define COMPLAINTSD_CASE_H

#include <time.h>

#include "automail.h"
#include "case_ctx.h"
#include "kinds.h"
#include "message.h"
#include "store.h"

/*
 * Open a new case for m: classify the sender's own text, take the constituent
 * from a councillor's forward, compute the effective date received and the
 * first deadlines, and queue the first reply.  quoted_ref names a case whose
 * reference the sender quoted without being a party to it (linked in both
 * cases' events), or NULL.
 */
int case_open(const struct case_ctx *cx, const struct message *m, enum sender_role role,
	      time_t received_at, const char *quoted_ref, struct case_row **ret);

/* case_open() with the kind decided by an officer (kind >= 0: an enum case_kind). */
int case_open_kind(const struct case_ctx *cx, const struct message *m, enum sender_role role,
		   time_t received_at, const char *quoted_ref, int kind, struct case_row **ret);

/* A further message on an existing case: replies, escalation, officers' commands, bounces. */
int case_message_received(const struct case_ctx *cx, struct case_row *c, const struct message *m,
			  enum sender_role role, enum automail_kind automail,
			  const char *threaded_by);

/*
 * Mail found in the Sent folder that belongs to c (sent_at: when the server
 * stored it, 0 if unknown).  Sent to the complainant or representative, it
 * is the officer's response, sent directly: its commands apply, the clock
 * stops, and a missing stage footer follows as a separate mail.  Nothing in
 * it is ever relayed.
 */
int case_sent_mail(const struct case_ctx *cx, struct case_row *c, const struct message *m,
		   time_t sent_at);

/*
 * Mail from the complaints address itself that reached INBOX on case c, its
 * sender vouched for by the council's mail server: our own mail come back is
 * ignored; an officer's "Send As" mail to the complainant is their response,
 * as from the Sent folder (counted once if both copies are read).
 */
int case_council_mail(const struct case_ctx *cx, struct case_row *c, const struct message *m);

/*
 * Apply one officer command line ("#extend 5 waiting for a site visit") to c,
 * as from an officer's mail but without relayed text: for complaintsctl.  On a
 * refusal or a parse error, returns -EINVAL with *ret_error explaining it.
 */
int case_officer_command(const struct case_ctx *cx, struct case_row *c, const char *line,
			 const char *actor, char **ret_error);

/* Deadlines: reminders before, notices on a breach (once per stage and deadline). */
int case_check_deadlines(const struct case_ctx *cx, size_t *ret_reminders, size_t *ret_breaches);

/* A mail we sent failed for good (5xx or a bounce): record it on its case and alert. */
int case_delivery_failed(const struct case_ctx *cx, int64_t case_id, const char *rcpt,
			 const char *purpose, const char *reason);

#endif
