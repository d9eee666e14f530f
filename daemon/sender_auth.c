/*
 * sender_auth.c - officers proven by the council's mail server (or, on
 * Microsoft 365, by Exchange Online's organization headers); residents
 * recognised as authenticated; forged officer mail recorded and reported.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "case_ctx.h"
#include "conf.h"
#include "exorg.h"
#include "log.h"
#include "message.h"
#include "outbox.h"
#include "sender_auth.h"
#include "store_autoreply.h"
#include "util.h"

void
sender_auth_evaluate(const struct config *cfg, const char *raw, size_t len,
		     const struct message *m, struct authres_verdict *ret)
{
	const char *at = strrchr(m->from.email, '@');

	authres_evaluate(raw, len, cfg->trusted_authserv_id, at ? at + 1 : "", ret);
	if (!isempty(cfg->exchange_tenant_id)) {
		struct exorg_verdict x;
		size_t n = strlen(ret->summary);

		exorg_evaluate(raw, len, cfg->exchange_tenant_id, &x);
		ret->exchange_internal = x.internal;
		if (isempty(cfg->trusted_authserv_id))
			n = 0; /* "no trusted_authserv_id configured" says nothing here */
		snprintf(ret->summary + n, sizeof(ret->summary) - n, "%s%s", n ? "; " : "",
			 x.summary);
	}
}

int
sender_auth_note(const struct case_ctx *cx, const struct case_row *c,
		 const struct authres_verdict *v)
{
	bool known = false;
	int r;

	if (c == NULL || cx->authenticated_sender == NULL)
		return 0;
	r = store_event_has(cx->store, c->id, "sender_authenticated", cx->authenticated_sender,
			    &known);
	if (r < 0 || known)
		return r;
	return case_event(cx, c, cx->authenticated_sender, "sender_authenticated", "%s: %s",
			  cx->authenticated_sender, v->summary);
}

/* FNV-1a, to key the once-a-day alert about mail with no case by its sender. */
static unsigned
hash32(const char *s)
{
	unsigned h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

int
sender_auth_officer_rejected(const struct case_ctx *cx, const struct case_row *c,
			     const struct message *m, const struct authres_verdict *v)
{
	const char *from = m->from.email;
	_cleanup_free_ char *body = NULL, *subject = NULL, *key = NULL;
	char today[16] = "";
	struct tm tm;
	enum outbox_queued q;
	int r;

	log_fields(LOG_WARNING,
		   &(struct log_fields){.catalog_id = MSGID_SPOOF_SUSPECTED,
					.case_ref = c ? c->ref : NULL, .event = "officer_unverified",
					.mail_message_id = m->message_id, .mail_from = from,
					.auth_results = v->summary},
		   "Mail claiming to be from officer %s failed authentication (%s)%s%s: recorded, "
		   "not relayed, no commands applied; the alerts address is told",
		   from, v->summary, c ? " on case " : " with no case", c ? c->ref : "");
	if (c != NULL) {
		r = case_event(cx, c, "complaintsd", "officer_unverified",
			       "mail claiming to be from %s failed authentication (%s): recorded, "
			       "not relayed, commands not applied",
			       from, v->summary);
		if (r < 0)
			return r;
	}
	if (localtime_r(&cx->now, &tm) != NULL)
		strftime(today, sizeof(today), "%Y-%m-%d", &tm);
	key = c ? xstrdup(today) : xasprintf("%s-%08x", today, hash32(from));
	subject = c ? xasprintf("[%s] Not relayed: mail claiming to be from %s failed authentication",
				c->ref, from)
		    : xasprintf("Not relayed: mail claiming to be from %s failed authentication", from);
	body = xasprintf(
	    "Mail claiming to be from %s failed authentication: not relayed.\n\n"
	    "Case: %s\n"
	    "Subject: %s\n"
	    "Message-ID: %s\n"
	    "What the council's mail server found:\n  %s\n\n"
	    "Nothing of it was sent to anyone and its commands were not\n"
	    "applied. It is recorded %s for you to read.\n\n"
	    "If the officer really sent it, ask them to send it again from\n"
	    "their council mailbox, which the council's mail server vouches\n"
	    "for. If they did not, someone is trying to write to a resident\n"
	    "in the council's name: tell your IT security team. Further such\n"
	    "mail %s today is recorded without another alert.\n",
	    from, c ? c->ref : "none (it names no case)", m->subject, m->message_id, v->summary,
	    c ? "on the case (complaintsctl show)" : "without a case",
	    c ? "on this case" : "from this address");
	struct outbox_mail om = {
		.c = c,
		.tmpl = OUTBOX_NO_TEMPLATE,
		.purpose = "officer-unverified",
		.key = key,
		.to_addr = config_alerts_address(cx->cfg),
		.subject = subject,
		.body_prefix = body,
		.automatic = true,
	};
	return outbox_queue(cx, &om, &q);
}
