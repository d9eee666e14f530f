/*
 * notify.c - notifications to officers.  See notify.h.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "compose.h"
#include "conf.h"
#include "log.h"
#include "message.h"
#include "notify.h"
#include "outbox.h"
#include "routing.h"
#include "store_officers.h"
#include "util.h"

const char *
notify_kind_words(const char *kind)
{
	if (streq(kind, "complaint"))
		return "complaint";
	if (streq(kind, "service_request"))
		return "service request";
	if (streq(kind, "member_enquiry"))
		return "member enquiry";
	if (streq(kind, "other_process"))
		return "other process";
	return kind;
}

/* "housing_repairs" -> "housing repairs" */
static char *
name_words(const char *name)
{
	char *s = xstrdup(name);

	for (char *p = s; *p; p++)
		if (*p == '_' || *p == '-')
			*p = ' ';
	return s;
}

/* Values owned by one notification. */
struct notice {
	struct template_vars v;
	char *owned[12];
	size_t n_owned;
	char *area; /* the case's service area as summary_vars read it, for the routing */
};

static const char *
own(struct notice *n, char *s)
{
	if (n->n_owned >= ELEMENTSOF(n->owned))
		abort();
	n->owned[n->n_owned++] = s;
	return s;
}

static void
notice_done(struct notice *n)
{
	for (size_t i = 0; i < n->n_owned; i++)
		free(n->owned[i]);
	free(n->area);
}

/* The case's service area: as the intake has just stored it when c carries it, else the store's. */
static int
case_area(const struct case_ctx *cx, const struct case_row *c, char **ret)
{
	if (c->area != NULL) {
		*ret = xstrdup(c->area);
		return 0;
	}
	return store_case_get_area(cx->store, c->id, ret);
}

/* The summary every notification may show. */
static void
summary_vars(const struct case_ctx *cx, const struct case_row *c, const struct message *m,
	     struct notice *n)
{
	const struct config *cfg = cx->cfg;
	_cleanup_free_ char *area = NULL;
	struct template_vars *v = &n->v;

	v->value[TV_KIND] = notify_kind_words(c->kind);
	v->value[TV_SCHEME] = streq(c->scheme, "housing") ? cfg->housing.name : cfg->lgsco.name;
	if (case_area(cx, c, &area) == 0) {
		v->value[TV_AREA] = isempty(area) ? "none found by the rules"
						  : own(n, name_words(area));
		n->area = TAKE_PTR(area);
	} else
		v->value[TV_AREA] = "none found by the rules";
	if (!isempty(c->flags)) {
		struct buf fb = BUF_INIT;

		for (const char *p = c->flags; *p;) {
			size_t len = strcspn(p, " ");

			if (len > 0) {
				if (fb.len > 0)
					(void)buf_puts(&fb, ", ");
				(void)buf_append(&fb, p, len);
			}
			p += len + strspn(p + len, " ");
		}
		v->value[TV_FLAGS] = own(n, buf_steal(&fb));
	} else
		v->value[TV_FLAGS] = "none";
	v->value[TV_COMPLAINANT_NAME] =
		own(n, isempty(c->complainant_name)
			       ? xstrdup(isempty(c->complainant_email) ? "unknown" : c->complainant_email)
			       : xasprintf("%s <%s>", c->complainant_name,
					   isempty(c->complainant_email) ? "no address"
									 : c->complainant_email));
	if (!isempty(c->rep_email)) {
		v->value[TV_REPRESENTATIVE_NAME] = own(n, xasprintf("%s (%s)", c->rep_email, c->rep_role));
		v->value[TV_CONSENT] = c->rep_consent;
	} else {
		v->value[TV_REPRESENTATIVE_NAME] = "none";
		v->value[TV_CONSENT] = "not applicable";
	}
	if (isempty(c->ack_due))
		v->value[TV_ACK_DUE] = c->acknowledged_at ? "already sent" : "not applicable";
	else if (c->acknowledged_at != 0)
		v->value[TV_ACK_DUE] = "already sent";
	if (isempty(c->response_due))
		v->value[TV_RESPONSE_DUE] =
			streq(c->kind, "complaint")
				? "not set yet: the clock starts with the acknowledgement"
				: "no Code deadline (not a complaint)";
	v->value[TV_CLASSIFICATION] = "set by an officer";
	if (m != NULL) {
		_cleanup_free_ char *text = case_own_text(cx, m);

		v->value[TV_SENDER] = own(n, isempty(m->from.name)
						     ? xstrdup(m->from.email)
						     : xasprintf("%s <%s>", m->from.name, m->from.email));
		strstrip(text);
		v->value[TV_TEXT] = own(n, isempty(text) ? xstrdup("(no text of their own: see the attached message)")
							 : TAKE_PTR(text));
	}
}

static int
queue_notice(const struct case_ctx *cx, const struct case_row *c, enum template_id tmpl,
	     const char *purpose, const struct message *m, struct notice *n,
	     const struct compose_part *parts, size_t n_parts, struct routing_target *ret_to,
	     enum outbox_queued *ret_q)
{
	_cleanup_free_ char *area = NULL;
	struct routing_target to;
	struct outbox_mail om = {
		.c = c,
		.tmpl = tmpl,
		.purpose = purpose,
		.automatic = false,
		.notification = true,
		.parts = parts,
		.n_parts = n_parts,
		/* the message being handled, attached as it is stored */
		.raw_row = n_parts == 1 && cx->raw != NULL && parts[0].data == cx->raw &&
				   parts[0].len == cx->raw_len ? cx->raw_row : 0,
		.vars = n->v,
	};
	int r;

	/* read once with the summary, when it could be */
	if (n->area != NULL)
		area = xstrdup(n->area);
	else {
		r = case_area(cx, c, &area);
		if (r < 0)
			return r;
	}
	to = routing_responsible(cx->cfg, c->officer, c->route, area);
	om.to_addr = to.address;
	if (m != NULL && !isempty(m->message_id)) {
		om.in_reply_to = m->message_id;
		om.references = (const char *const *)m->references;
		om.n_references = m->n_references;
	}
	r = outbox_queue(cx, &om, ret_q);
	if (r < 0)
		return r;
	if (ret_to != NULL)
		*ret_to = to;
	if (*ret_q != OUTBOX_QUEUED)
		return case_event(cx, c, "complaintsd", "not_notified",
				  "%s for %s not queued: %s", purpose, to.address,
				  *ret_q == OUTBOX_NO_ADDRESS ? "not a usable address" : "sent before");
	return case_event(cx, c, "complaintsd", "notified", "%s sent to %s (%s%s)", purpose,
			  to.address, to.source,
			  n_parts == 1 ? ", the message attached"
			  : n_parts > 1 ? ", every message attached"
					: "");
}

/* How a resident's reply names who their matter went to. */
static char *
team_words(const struct config *cfg, const struct case_row *c, const struct routing_target *to,
	   const char *area)
{
	const struct routing_entry *e = NULL;

	if (streq(to->source, "route"))
		e = routing_find(cfg, c->route);
	else if (streq(to->source, "area"))
		e = routing_find(cfg, area);
	if (e != NULL && !isempty(e->label))
		return xstrdup(e->label);
	if (streq(to->source, "route"))
		return xstrdup("the council team that deals with it");
	if (streq(to->source, "area")) {
		_cleanup_free_ char *w = name_words(area);

		return xasprintf("our %s team", w);
	}
	return xstrdup("our complaints team");
}

char *
notify_team_words(const struct case_ctx *cx, const struct case_row *c)
{
	_cleanup_free_ char *area = NULL;
	struct routing_target to;

	if (case_area(cx, c, &area) < 0)
		return NULL;
	to = routing_responsible(cx->cfg, c->officer, c->route, area);
	return team_words(cx->cfg, c, &to, area);
}

/* One notice about mail m (attached whole when attach and there is a raw source). */
static int
notify_about(const struct case_ctx *cx, const struct case_row *c, const struct message *m,
	     enum template_id tmpl, const char *purpose, const char *reason, bool attach)
{
	struct notice n = {0};
	struct compose_part part = {NULL, "message/rfc822", cx->raw, cx->raw_len};
	enum outbox_queued q;
	int r;

	summary_vars(cx, c, m, &n);
	if (!isempty(reason))
		n.v.value[TV_CLASSIFICATION] = reason;
	r = queue_notice(cx, c, tmpl, purpose, m, &n, &part, attach && cx->raw != NULL ? 1 : 0,
			 NULL, &q);
	notice_done(&n);
	return r;
}

int
notify_new_case(const struct case_ctx *cx, const struct case_row *c, const struct message *m,
		const char *reason)
{
	return notify_about(cx, c, m, TEMPLATE_OFFICER_NEW_CASE, "notify-new-case", reason, true);
}

int
notify_resident_mail(const struct case_ctx *cx, const struct case_row *c, const struct message *m)
{
	return notify_about(cx, c, m, TEMPLATE_OFFICER_NEW_MESSAGE, "notify-message", NULL, true);
}

int
notify_escalation(const struct case_ctx *cx, const struct case_row *c, const struct message *m)
{
	return notify_about(cx, c, m, TEMPLATE_OFFICER_ESCALATION, "notify-escalation", NULL,
			    m != NULL);
}

struct collected {
	struct compose_part *parts;
	size_t n;
};

static int
collect_raw(const char *raw, size_t len, const char *direction, time_t at, void *userdata)
{
	struct collected *col = userdata;
	char *copy = xmalloc(len + 1);

	memcpy(copy, raw, len);
	copy[len] = '\0';
	col->parts = xreallocarray(col->parts, col->n + 1, sizeof(*col->parts));
	col->parts[col->n++] = (struct compose_part){NULL, "message/rfc822", copy, len};
	(void)direction;
	(void)at;
	return 0;
}

int
notify_assigned(const struct case_ctx *cx, const struct case_row *c)
{
	struct notice n = {0};
	struct collected col = {NULL, 0};
	enum outbox_queued q;
	int r;

	r = store_case_raw_messages(cx->store, c->id, collect_raw, &col);
	if (r == 0) {
		summary_vars(cx, c, NULL, &n);
		n.v.value[TV_MESSAGES] = own(&n, xasprintf("%zu", col.n));
		r = queue_notice(cx, c, TEMPLATE_OFFICER_ASSIGNED, "notify-assigned", NULL, &n,
				 col.parts, col.n, NULL, &q);
		notice_done(&n);
	}
	for (size_t i = 0; i < col.n; i++)
		free((char *)col.parts[i].data);
	free(col.parts);
	return r;
}

char *
notify_route_contact(const struct config *cfg, const char *route, const char *route_to)
{
	const struct routing_entry *e = routing_find(cfg, route);
	_cleanup_buf_ struct buf b = BUF_INIT;

	(void)buf_puts(&b, !isempty(route_to) ? route_to : route);
	if (e == NULL)
		return buf_steal(&b);
	if (!isempty(e->address) || !isempty(e->url) || !isempty(e->phone))
		(void)buf_puts(&b, "\n");
	if (!isempty(e->address))
		(void)buf_printf(&b, "\n  Email: %s", e->address);
	if (!isempty(e->url))
		(void)buf_printf(&b, "\n  Website: %s", e->url);
	if (!isempty(e->phone))
		(void)buf_printf(&b, "\n  Telephone: %s", e->phone);
	return buf_steal(&b);
}

char *
notify_responsible_address(const struct case_ctx *cx, const struct case_row *c)
{
	_cleanup_free_ char *area = NULL;

	if (case_area(cx, c, &area) < 0)
		return NULL;
	return xstrdup(routing_responsible(cx->cfg, c->officer, c->route, area).address);
}
