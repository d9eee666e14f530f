/*
 * sender_auth.h - who really sent a message, per the council's own mail
 * server (parsers/authres.h), and what follows from it.
 *
 * Officers: with officer_auth_required (the default) an officer address
 * counts only with dmarc=pass, dkim=pass for its domain, or auth=pass in the
 * trusted host's topmost Authentication-Results, or, with [people]
 * exchange_tenant_id, when Exchange Online's organization headers show it
 * internal to that tenant (parsers/exorg.h).  Mail that fails is recorded
 * (as a resident's would be, on the case it names or without one), nothing
 * of it is sent or applied, the journal gets a catalogued security event,
 * and the alerts address is told once per case and day.
 *
 * Residents: a correspondent whose mail is authenticated (DMARC, DKIM, SPF
 * for the From domain, or SMTP AUTH) is recorded on the case once, as a
 * "sender_authenticated" event; from then on the automatic-reply limit
 * (daemon/autoreply.h) never holds back mail to them on that case.
 */
#ifndef COMPLAINTSD_SENDER_AUTH_H
#define COMPLAINTSD_SENDER_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "authres.h"

struct case_ctx;
struct case_row;
struct config;
struct message;

/* What the trusted server says about m's From domain (raw: the message as received). */
void sender_auth_evaluate(const struct config *cfg, const char *raw, size_t len,
			  const struct message *m, struct authres_verdict *ret);

/* cx->authenticated_sender is set: record it on case c (once per case and address). */
int sender_auth_note(const struct case_ctx *cx, const struct case_row *c,
		     const struct authres_verdict *v);

/*
 * m came from an officer address and failed authentication; the caller has
 * recorded it (on case c, or without a case when c is NULL).  Logs the
 * security event, adds the case event and alerts (once per case and day).
 */
int sender_auth_officer_rejected(const struct case_ctx *cx, const struct case_row *c,
				 const struct message *m, const struct authres_verdict *v);

#endif
