/*
 * notify.h - telling officers: every case reaches a person with its content.
 *
 * Each function queues one notification (in the caller's transaction) to the
 * case's responsible address (routing_responsible(): the assigned officer,
 * the team of its route or area, [routing] default, else [people]
 * alerts_address), from and Reply-To the complaints address, threaded on the
 * case, Auto-Submitted: auto-generated, and never counted against or held by
 * the automatic-reply limit.  The message notified is attached whole
 * (message/rfc822), so its attachments travel with it; a plain reply to a
 * notification comes back to the complaints address and is the officer's
 * mail on the case.  Each records a "notified" event.
 *
 * These are the only places notifications are made: a new step that must
 * tell the officers (an upgrade to a complaint...) calls one of them.
 */
#ifndef COMPLAINTSD_NOTIFY_H
#define COMPLAINTSD_NOTIFY_H

#include "case_ctx.h"

struct config;
struct message;

/*
 * A new case, any kind (template officer-new-case), queued after the first
 * reply so its dates are the ones the resident was given.  cx->raw is
 * attached.  reason is the one-line reason for the classification (may be
 * NULL).
 */
int notify_new_case(const struct case_ctx *cx, const struct case_row *c, const struct message *m,
		    const char *reason);

/*
 * How a reply to the resident names who their matter is passed to ("our
 * waste team", [routing] NAME.name when set): the same routing as the
 * notifications, so it is true once notify_new_case() has queued.  Malloc'ed.
 */
char *notify_team_words(const struct case_ctx *cx, const struct case_row *c);

/* Later mail from the complainant or representative (officer-new-message). */
int notify_resident_mail(const struct case_ctx *cx, const struct case_row *c,
			 const struct message *m);

/* The case went to stage 2 on the complainant's mail m (officer-escalation). */
int notify_escalation(const struct case_ctx *cx, const struct case_row *c,
		      const struct message *m);

/* The case was assigned to c->officer: the summary and every message so far (officer-assigned). */
int notify_assigned(const struct case_ctx *cx, const struct case_row *c);

/*
 * The case's responsible address for any mail to officers (reminders,
 * alerts): the assigned officer, the team of its route or area, [routing]
 * default, [people] alerts_address.  Malloc'ed; NULL on a store error.
 */
char *notify_responsible_address(const struct case_ctx *cx, const struct case_row *c);

/* "service_request" -> "service request": a case kind in plain words (static). */
const char *notify_kind_words(const char *kind);

/* The route's destination as the resident reads it, with its [routing] contact. Malloc'ed. */
char *notify_route_contact(const struct config *cfg, const char *route, const char *route_to);

#endif
