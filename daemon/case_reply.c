/*
 * case_reply.c - the mail the case machine queues: to the complainant or
 * representative, to the responsible officer, acknowledgements, first
 * replies, relays of an officer's text and the stage footer that follows a
 * direct response.  The decisions are made in case.c and case_command.c.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "calendar.h"
#include "case.h"
#include "case_address.h"
#include "command.h"
#include "conf.h"
#include "footer.h"
#include "log.h"
#include "notify.h"
#include "outbox.h"
#include "rules.h"
#include "store_officers.h"
#include "threadkey.h"
#include "util.h"

#include "case_impl.h"

/* Queue a templated mail to the complainant (or representative). */
int
case_queue_to_complainant(const struct case_ctx *cx, const struct case_row *c,
                          enum template_id tmpl, const char *purpose, const char *key,
                          const struct message *answered, const struct template_vars *vars,
                          enum outbox_queued *ret)
{
	const char *name = NULL, *to = case_correspondent(c, &name);
	struct case_address ca;
	struct outbox_mail m = {
		.c = c,
		.tmpl = tmpl,
		.purpose = purpose,
		.key = key,
		.to_addr = to,
		.automatic = true,
		.thread_subject = true,
	};
	enum outbox_queued q;
	int r;

	if (vars != NULL)
		m.vars = *vars;
	/* greet whoever receives it by name, never by address */
	case_address_init(cx, c, answered, &ca);
	m.to_name = isempty(c->rep_email) ? case_address_usable_name(name) : ca.rep_name;
	if (m.vars.value[TV_ADDRESSEE_NAME] == NULL)
		m.vars.value[TV_ADDRESSEE_NAME] = ca.addressee;
	if (m.vars.value[TV_REPRESENTATIVE_NAME] == NULL)
		m.vars.value[TV_REPRESENTATIVE_NAME] = ca.rep_name;
	if (m.vars.value[TV_ON_BEHALF_OF] == NULL)
		m.vars.value[TV_ON_BEHALF_OF] = ca.on_behalf_of;
	if (answered != NULL && !isempty(answered->message_id)) {
		m.in_reply_to = answered->message_id;
		m.references = (const char *const *)answered->references;
		m.n_references = answered->n_references;
	}
	r = outbox_queue(cx, &m, &q);
	case_address_done(&ca);
	if (r == 0 && q == OUTBOX_NO_ADDRESS)
		r = case_event(cx, c, "complaintsd", "no_address",
			       "%s not sent: no usable address for the complainant", purpose);
	if (ret != NULL)
		*ret = q;
	return r;
}

/* Queue a mail to the responsible officer (or the complaints mailbox). */
int
case_queue_to_officer(const struct case_ctx *cx, const struct case_row *c, enum template_id tmpl,
                      const char *purpose, const char *key, const char *to,
                      const struct template_vars *vars)
{
	_cleanup_free_ char *responsible = isempty(to) && c != NULL
						   ? notify_responsible_address(cx, c) : NULL;
	struct outbox_mail m = {
		.c = c,
		.tmpl = tmpl,
		.purpose = purpose,
		.key = key,
		.to_addr = !isempty(to) ? to
			   : responsible != NULL ? responsible
						 : config_alerts_address(cx->cfg),
		.automatic = true,
	};
	enum outbox_queued q;

	if (vars != NULL)
		m.vars = *vars;
	return outbox_queue(cx, &m, &q);
}

/*
 * The acknowledgement for the current stage.  Under the LGSCO scheme the
 * automatic mail is the Code's acknowledgement and starts the response
 * clock; for housing cases (Housing Ombudsman Code) it is a receipt and an
 * officer's #acknowledge starts the clock.
 */
int
case_acknowledge(const struct case_ctx *cx, struct case_row *c, const struct message *answered)
{
	const char *purpose = c->stage == 1 ? "ack-stage1" : "ack-stage2";
	enum template_id tmpl = c->stage == 1 ? TEMPLATE_ACK_STAGE1 : TEMPLATE_ACK_STAGE2;
	int days = c->stage == 1 ? cx->cfg->ts.stage1_response_days : cx->cfg->ts.stage2_response_days;
	enum outbox_queued q;
	int r;

	if (case_is_housing_officer_ack(cx, c))
		return case_queue_to_complainant(
		    cx, c, TEMPLATE_RECEIPT_HOUSING,
		    c->stage == 1 ? "receipt-stage1" : "receipt-stage2", "1", answered, NULL, &q);

	/* the response date goes into the acknowledgement, so set it first */
	_cleanup_free_ char *today = case_trigger_date(cx);
	case_field_replace(&c->response_due, case_due_after(cx, today, days));
	c->acknowledged_at = cx->now;
	r = case_queue_to_complainant(cx, c, tmpl, purpose, "1", answered, NULL, &q);
	if (r < 0)
		return r;
	if (q == OUTBOX_DUPLICATE)
		return 0;
	if (q == OUTBOX_HELD || q == OUTBOX_SUPPRESSED) {
		/* not sent, so not acknowledged: releasing a held one acknowledges (autoreply.c) */
		c->acknowledged_at = 0;
		case_field_replace(&c->response_due, xstrdup(""));
	}
	return case_event_key(cx, c, LOG_INFO, MSGID_ACKNOWLEDGED, "acknowledged",
			      "stage %d acknowledgement %s; response due %s", c->stage,
			      q == OUTBOX_QUEUED ? "queued"
			      : q == OUTBOX_HELD ? "held back (see above)"
						 : "not sent (see above)",
			      *c->response_due ? c->response_due : "once acknowledged");
}

/* The first reply for a new case, by kind. */
int
case_first_reply(const struct case_ctx *cx, struct case_row *c, const struct message *m,
                 const char *route_to, const char *team)
{
	enum case_kind kind = (enum case_kind)case_kind_from_string(c->kind);
	struct template_vars v = {.value[TV_TEAM] = team};
	_cleanup_free_ char *route = NULL;
	enum outbox_queued q;

	switch (kind) {
	case KIND_COMPLAINT:
		return case_acknowledge(cx, c, m);
	case KIND_SERVICE_REQUEST:
		return case_queue_to_complainant(cx, c, TEMPLATE_SERVICE_REQUEST, "service-request",
		                                 "1", m, &v, &q);
	case KIND_MEMBER_ENQUIRY:
		return case_queue_to_complainant(cx, c, TEMPLATE_MEMBER_ENQUIRY, "member-enquiry",
		                                 "1", m, &v, &q);
	case KIND_OTHER_PROCESS:
		route = notify_route_contact(cx->cfg, c->route, route_to);
		v.value[TV_ROUTE] = route;
		return case_queue_to_complainant(cx, c, TEMPLATE_OTHER_PROCESS, "other-process",
		                                 "1", m, &v, &q);
	default:
		return 0;
	}
}

/* Someone complains for another person (not a councillor or MP): ask for that person's consent. */
int
case_ask_consent(const struct case_ctx *cx, const struct case_row *c, const struct message *m)
{
	enum outbox_queued q;

	if (!streq(c->kind, "complaint") || !isempty(c->rep_email) ||
	    !case_flag_is_set(c, FLAG_CONSENT_NEEDED))
		return 0;
	return case_queue_to_complainant(cx, c, TEMPLATE_CONSENT_REQUEST, "consent-request", "1", m,
	                                 NULL, &q);
}

/*
 * The footer under a response at c's stage: the Ombudsman's details for a
 * final response, else how to case_escalate (with the date to ask by only when
 * an escalation window is configured).  *ret_esc_by is malloc'ed.
 */
static enum template_id
stage_footer(const struct case_ctx *cx, const struct case_row *c, char **ret_esc_by)
{
	struct cal_date d;

	if (c->stage == 2 || c->first_and_final) {
		*ret_esc_by = xstrdup("");
		return TEMPLATE_FOOTER_STAGE2;
	}
	if (cx->cfg->ts.escalation_window_days <= 0) {
		*ret_esc_by = xstrdup(""); /* no window: footer-stage1 names no date */
		return TEMPLATE_FOOTER_STAGE1;
	}
	_cleanup_free_ char *today = case_effective_date(cx, cx->now);

	*ret_esc_by = case_due_after(cx, today, cx->cfg->ts.escalation_window_days);
	if (cal_date_parse(*ret_esc_by, &d) == 0)
		case_field_replace(ret_esc_by, cal_date_format_long(d));
	return TEMPLATE_FOOTER_STAGE1_WINDOW;
}

/* The officer's text reaches the complainant: the stage's response (or an acknowledgement). */
int
case_relay(const struct case_ctx *cx, struct case_row *c, const struct message *m, const char *text,
           bool is_acknowledgement)
{
	const char *name = NULL, *to = case_correspondent(c, &name);
	/* the stage footers belong under a complaint response only */
	bool footer = !is_acknowledgement && streq(c->kind, "complaint");
	_cleanup_free_ char *esc_by = NULL;
	enum template_id footer_tmpl = stage_footer(cx, c, &esc_by);
	struct outbox_mail om = {
		.c = c,
		.tmpl = footer ? footer_tmpl : OUTBOX_NO_TEMPLATE,
		.purpose = is_acknowledgement ? "acknowledge" : "relay",
		.to_addr = to,
		.to_name = case_address_usable_name(name),
		.body_prefix = text,
		.automatic = false,
		.thread_subject = true,
	};
	_cleanup_free_ struct compose_part *parts = NULL;
	enum outbox_queued q;
	int r;

	/* the officer's files go with their words (checked by case_relay_files_refusal()) */
	if (m != NULL && m->n_attachments > 0) {
		parts = xcalloc(m->n_attachments, sizeof(*parts));
		for (size_t i = 0; i < m->n_attachments; i++)
			parts[i] = (struct compose_part){m->attachments[i].filename,
							 m->attachments[i].content_type,
							 m->attachments[i].data, m->attachments[i].size};
		om.parts = parts;
		om.n_parts = m->n_attachments;
	}
	om.vars.value[TV_ESCALATION_BY] = esc_by;
	r = outbox_queue(cx, &om, &q);
	if (r < 0)
		return r;
	if (q == OUTBOX_NO_ADDRESS)
		return case_event(cx, c, m ? m->from.email : "complaintsctl", "no_address",
				  "officer's text not relayed: no usable address for the complainant");
	return 0;
}

/* Was the complainant (or representative) already among the officer's recipients? */
bool
case_already_sent_directly(const struct case_row *c, const struct message *m)
{
	const char *to_name, *to = case_correspondent(c, &to_name);

	for (size_t i = 0; i < m->n_to; i++)
		if (ascii_strcaseeq(m->to[i].email, to))
			return true;
	for (size_t i = 0; i < m->n_cc; i++)
		if (ascii_strcaseeq(m->cc[i].email, to))
			return true;
	return false;
}

/*
 * Can the officer's attachments go to the resident whole?  NULL when they
 * can (or there are none), else why not, one reason a line.
 */
char *
case_relay_files_refusal(const struct case_ctx *cx, const struct message *m)
{
	_cleanup_buf_ struct buf why = BUF_INIT;
	long max = cx->cfg->max_relay_attachment_bytes;
	size_t total = 0;

	for (size_t i = 0; i < m->n_attachments; i++) {
		const struct msg_attachment *a = &m->attachments[i];

		total += a->size;
		if (compose_part_executable(a->filename, a->content_type))
			(void)buf_printf(&why, "- \"%s\" (%s) is a program, and programs are never sent to residents.\n",
					 isempty(a->filename) ? "unnamed" : a->filename, a->content_type);
	}
	if (m->n_attachments > 0 && (long long)total > (long long)max)
		(void)buf_printf(&why, "- the attachments come to %zu bytes; the limit for a response is %ld bytes ([limits] max_relay_attachment_bytes).\n",
				 total, max);
	return why.len > 0 ? buf_steal(&why) : NULL;
}

/* The mail being handled parsed again with its attachments' bytes (parsing only measures them). */
int
case_message_with_files(const struct case_ctx *cx, struct message **ret)
{
	const struct config *cfg = cx->cfg;
	struct msg_limits lim = {(size_t)cfg->max_message_bytes, (unsigned)cfg->max_mime_depth,
				 (unsigned)cfg->max_mime_parts, (size_t)cfg->max_header_bytes, true};

	if (cx->raw == NULL)
		return -ENODATA;
	return message_parse(cx->raw, cx->raw_len, &lim, ret, NULL) == MSG_OK ? 0 : -EBADMSG;
}

/* The officer's mail cannot be relayed whole: nothing is applied, the officer is told why. */
int
case_relay_refused(const struct case_ctx *cx, const struct case_row *c, const struct message *m,
                   const char *why)
{
	struct outbox_mail om = {
		.c = c,
		.tmpl = TEMPLATE_RELAY_REFUSED,
		.purpose = "notify-relay-refused",
		.to_addr = m->from.email,
		.notification = true,
		.in_reply_to = m->message_id,
		.references = (const char *const *)m->references,
		.n_references = m->n_references,
		.vars.value[TV_REASON] = why,
	};
	enum outbox_queued q;
	int r = outbox_queue(cx, &om, &q);

	if (r == 0)
		r = case_event(cx, c, m->from.email, "relay_refused",
			       "the officer's mail was not relayed nor recorded as a response: %s", why);
	return r;
}

/*
 * The footer the resident did not get: the officer answered directly (from
 * the shared mailbox, or copying the resident in) without the stage's "how
 * to escalate" or the Ombudsman's details, so they follow as a short note
 * on the same thread.  Once per stage footer.
 */
int
case_footer_followup(const struct case_ctx *cx, struct case_row *c, const struct message *m,
                     const char *actor)
{
	bool final = c->stage == 2 || c->first_and_final;
	const struct config_ombudsman *o = streq(c->scheme, "housing") ? &cx->cfg->housing
								      : &cx->cfg->lgsco;
	_cleanup_free_ char *own = case_own_text(cx, m), *esc_by = NULL, *key = NULL;
	const char *name = NULL, *to = case_correspondent(c, &name);
	struct outbox_mail om = {
		.c = c,
		.tmpl = TEMPLATE_FOOTER_FOLLOWUP,
		.purpose = "footer-followup",
		.to_addr = to,
		.to_name = case_address_usable_name(name),
		.thread_subject = true,
		.with_footer = true,
		.footer = stage_footer(cx, c, &esc_by),
	};
	enum outbox_queued q;
	int r;

	if (footer_present(own, final, o->url, o->phone))
		return case_event(cx, c, actor, "footer_present",
				  "the officer's mail carries the %s; no follow-up needed",
				  final ? "Ombudsman's details" : "stage 2 route");
	om.vars.value[TV_ESCALATION_BY] = esc_by;
	if (!isempty(m->message_id)) {
		om.in_reply_to = m->message_id;
		om.references = (const char *const *)m->references;
		om.n_references = m->n_references;
	}
	key = xasprintf("s%d-%s", c->stage, final ? "final" : "stage1");
	om.key = key;
	r = outbox_queue(cx, &om, &q);
	if (r < 0 || q == OUTBOX_DUPLICATE)
		return r;
	if (q == OUTBOX_NO_ADDRESS)
		return case_event(cx, c, actor, "no_address",
				  "footer follow-up not sent: no usable address for the complainant");
	return case_event(cx, c, actor, "footer_followup",
			  "the officer's mail lacks the %s; sent to the complainant as a follow-up",
			  final ? "Ombudsman's details" : "stage 2 route");
}

/* Tell the officer what was wrong with their commands; nothing else happens. */
int
case_command_error(const struct case_ctx *cx, const struct case_row *c, const struct message *m,
                   const char *errors)
{
	struct template_vars v = {0};
	int r;

	v.value[TV_ERRORS] = errors;
	/* mail sent as the complaints address itself: tell the responsible officer instead */
	r = case_queue_to_officer(
	    cx, c, TEMPLATE_COMMAND_ERROR, "command-error", NULL,
	    ascii_strcaseeq(m->from.email, cx->cfg->complaints_address) ? NULL : m->from.email, &v);
	if (r == 0 && c != NULL)
		r = case_event(cx, c, m->from.email, "command_error", "%s", errors);
	return r;
}
