/*
 * case_command.c - officers' commands on a case (#extend, #outcome, #close,
 * #upgrade, #reclassify...), from an officer's mail or complaintsctl: each
 * checked against the case before any is applied.
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

static int
record_response(const struct case_ctx *cx, struct case_row *c, const char *actor, bool relayed)
{
	int r;

	c->responded_at = cx->now;
	r = case_set_status(cx, c, STATUS_RESPONDED, actor,
			    c->stage == 2 || c->first_and_final ? "final response" : "stage 1 response");
	if (r < 0)
		return r;
	return case_event_key(cx, c, LOG_INFO, MSGID_RESPONSE_SENT, "responded",
			      "stage %d response by %s %s", c->stage, actor,
			      relayed ? "relayed to the complainant"
				      : "sent to the complainant directly by the officer");
}

/* The officer wrote to the complainant directly: the response counts, the footer follows. */
static int
direct_response(const struct case_ctx *cx, struct case_row *c, const struct message *m,
		const char *actor)
{
	bool answered_before = streq(c->status, "responded");
	int r = record_response(cx, c, actor, false);

	/* a later mail at the same stage: the footer went with the first response */
	if (r < 0 || answered_before)
		return r;
	return case_footer_followup(cx, c, m, actor);
}

static int
apply_extend(const struct case_ctx *cx, struct case_row *c, const struct officer_cmd *cmd,
	     const char *actor, const struct message *m)
{
	int max = c->stage == 1 ? cx->cfg->ts.stage1_extension_days
				: cx->cfg->ts.stage2_extension_days;
	struct template_vars v = {0};
	enum outbox_queued q;
	_cleanup_free_ char *key = NULL;
	int r;

	c->extension_days += cmd->days;
	case_field_replace(&c->response_due, case_due_after(cx, c->response_due, cmd->days));
	r = case_event(cx, c, actor, "extended", "stage %d extended by %d working days to %s: %s",
		       c->stage, cmd->days, c->response_due, cmd->arg);
	if (r < 0)
		return r;
	(void)max;
	v.value[TV_REASON] = cmd->arg;
	key = xasprintf("s%d-%s", c->stage, c->response_due);
	return case_queue_to_complainant(cx, c, TEMPLATE_EXTENSION, "extension", key, m, &v, &q);
}

/* Check a command against the case before anything is applied; NULL when fine. */
static char *
command_refusal(const struct case_ctx *cx, const struct case_row *c, const struct officer_cmd *cmd)
{
	int max;

	if (streq(c->status, "closed") && cmd->type != CMD_NOTE && cmd->type != CMD_INTERNAL &&
	    cmd->type != CMD_IMPROVEMENT && cmd->type != CMD_OUTCOME)
		return xasprintf("line %u: #%s: case %s is closed", cmd->line,
				 officer_cmd_name(cmd->type), c->ref);
	switch (cmd->type) {
	case CMD_EXTEND:
		max = c->stage == 1 ? cx->cfg->ts.stage1_extension_days
				    : cx->cfg->ts.stage2_extension_days;
		if (isempty(c->response_due))
			return xasprintf("line %u: #extend: case %s has no response date to extend yet",
					 cmd->line, c->ref);
		if (c->extension_days + cmd->days > max)
			return xasprintf("line %u: #extend %d refused: stage %d may be extended by at most %d working days in all, and %d are already used",
					 cmd->line, cmd->days, c->stage, max, c->extension_days);
		return NULL;
	case CMD_STAGE2:
	case CMD_FINAL:
		if (c->stage == 2)
			return xasprintf("line %u: #%s: case %s is already at stage 2", cmd->line,
					 officer_cmd_name(cmd->type), c->ref);
		if (cmd->type == CMD_FINAL && streq(c->status, "responded"))
			return xasprintf("line %u: #final: stage 1 of %s was already answered; use #stage2 to escalate it",
					 cmd->line, c->ref);
		return NULL;
	case CMD_ACKNOWLEDGE:
		if (c->acknowledged_at != 0)
			return xasprintf("line %u: #acknowledge: stage %d of %s is already acknowledged",
					 cmd->line, c->stage, c->ref);
		return NULL;
	default:
		return NULL;
	}
}

/*
 * A service request, member enquiry or other-process case becomes a
 * complaint: the person asked (a reply matching an "upgrade:" rule, or
 * dissatisfaction with how it was handled) or an officer said so
 * (#complaint).  The complaint counts as received with the mail that asked
 * for it, so the stage 1 clocks run from that mail's date received, and the
 * acknowledgement goes out.  Every upgrade goes through here: whatever else
 * an upgrade must do (telling the responsible officer) belongs here too.
 */
int
case_upgrade_to_complaint(const struct case_ctx *cx, struct case_row *c, const char *actor,
			  const char *why, const struct message *m)
{
	_cleanup_free_ char *old = xstrdup(c->kind), *from = case_trigger_date(cx);
	int r;

	if (streq(c->kind, "complaint"))
		return 0;
	case_field_replace(&c->kind, xstrdup("complaint"));
	c->received_at = cx->received_at > 0 ? cx->received_at : cx->now;
	case_field_replace(&c->received_date, xstrdup(from));
	case_field_replace(&c->ack_due, case_due_after(cx, from, cx->cfg->ts.stage1_ack_days));
	/* a councillor or MP complains for someone: their consent is needed */
	if (!isempty(c->rep_email) && !streq(c->rep_consent, "received"))
		case_flag_set(c, FLAG_CONSENT_NEEDED, true);
	r = case_event(cx, c, actor, "reclassified",
		       "%s -> complaint (%s); received %s, acknowledgement due %s", old, why,
		       c->received_date, c->ack_due);
	if (r == 0)
		r = case_acknowledge(cx, c, m);
	return r;
}

static int
reclassify(const struct case_ctx *cx, struct case_row *c, enum case_kind to, const char *actor,
	   const struct message *m)
{
	_cleanup_free_ char *old = xstrdup(c->kind);
	enum outbox_queued q;
	int r;

	if (to == KIND_COMPLAINT)
		return case_upgrade_to_complaint(cx, c, actor, "an officer reclassified it", m);
	if (streq(c->kind, case_kind_to_string(to)))
		return 0;
	case_field_replace(&c->kind, xstrdup(case_kind_to_string(to)));
	r = case_event(cx, c, actor, "reclassified", "%s -> %s", old, c->kind);
	if (r < 0)
		return r;
	case_field_replace(&c->ack_due, xstrdup(""));
	case_field_replace(&c->response_due, xstrdup(""));
	c->acknowledged_at = 0;
	return case_queue_to_complainant(cx, c, TEMPLATE_SERVICE_REQUEST, "service-request",
	                                 "reclassified", m, NULL, &q);
}

/*
 * #final: the next response is the council's first and final one, so the
 * case goes to stage 2 now (stage 1 kept for the record, as on escalation)
 * with the stage 2 response time from the acknowledgement.  The response
 * then carries the stage 2 footer, later dissatisfaction is pointed to the
 * Ombudsman, and the annual report counts a stage 2 (final) response.
 */
static int
first_and_final(const struct case_ctx *cx, struct case_row *c, const char *actor)
{
	case_keep_stage1(c);
	case_field_replace(&c->s1_outcome,
	                   xstrdup("")); /* the outcome belongs to the final response */
	c->stage = 2;
	c->first_and_final = true;
	c->escalated_at = cx->received_at > 0 ? cx->received_at : cx->now;
	c->extension_days = 0;
	if (c->acknowledged_at != 0) {
		_cleanup_free_ char *acked = case_effective_date(cx, c->acknowledged_at);

		case_field_replace(&c->response_due,
		                   case_due_after(cx, acked, cx->cfg->ts.stage2_response_days));
	}
	return case_event(cx, c, actor, "first_and_final",
			  "stage 1 -> stage 2: the next response is the council's first and final response; response due %s",
			  isempty(c->response_due) ? "from the acknowledgement" : c->response_due);
}

/* #scheme: which Ombudsman later mail names; nothing is sent because of it. */
static int
set_scheme(const struct case_ctx *cx, struct case_row *c, const char *scheme, const char *actor)
{
	_cleanup_free_ char *old = xstrdup(c->scheme);

	if (streq(old, scheme))
		return case_event(cx, c, actor, "scheme", "already %s", scheme);
	case_field_replace(&c->scheme, xstrdup(scheme));
	case_flag_set(c, FLAG_HOUSING, streq(scheme, "housing"));
	return case_event(cx, c, actor, "scheme",
			  "%s -> %s: later mail names the %s; nothing sent now", old, scheme,
			  streq(scheme, "housing") ? "Housing Ombudsman" : "LGSCO");
}

static int
apply_command(const struct case_ctx *cx, struct case_row *c, const struct officer_cmd *cmd,
	      const char *actor, const struct message *m, bool *ret_final)
{
	struct template_vars v = {0};
	enum outbox_queued q;
	int r;

	switch (cmd->type) {
	case CMD_COMPLAINT:
		return reclassify(cx, c, KIND_COMPLAINT, actor, m);
	case CMD_SERVICE_REQUEST:
		return reclassify(cx, c, KIND_SERVICE_REQUEST, actor, m);
	case CMD_EXTEND:
		return apply_extend(cx, c, cmd, actor, m);
	case CMD_OUTCOME:
		case_field_replace(&c->outcome, xstrdup(cmd->arg));
		return case_event(cx, c, actor, "outcome", "stage %d outcome: %s", c->stage, cmd->arg);
	case CMD_STAGE2:
		return case_escalate(cx, c, actor, "an officer escalated it", m);
	case CMD_FINAL:
		*ret_final = true;
		return first_and_final(cx, c, actor);
	case CMD_SCHEME:
		return set_scheme(cx, c, cmd->arg, actor);
	case CMD_EXCLUDE:
		r = case_set_status(cx, c, STATUS_EXCLUDED, actor, cmd->arg);
		if (r < 0)
			return r;
		v.value[TV_REASON] = cmd->arg;
		return case_queue_to_complainant(cx, c, TEMPLATE_EXCLUSION, "exclusion", "1", m, &v,
		                                 &q);
	case CMD_CONSENT:
		case_field_replace(&c->rep_consent, xstrdup("received"));
		case_flag_set(c, "consent_needed", false);
		return case_event(cx, c, actor, "consent", "representative's consent received");
	case CMD_ASSIGN:
		case_field_replace(&c->officer, xstrdup(cmd->arg));
		r = case_event(cx, c, actor, "assigned", "responsible officer: %s", cmd->arg);
		return r < 0 ? r : notify_assigned(cx, c);
	case CMD_IMPROVEMENT:
		return case_event(cx, c, actor, "improvement", "%s: %s", cmd->arg, cmd->text);
	case CMD_ACKNOWLEDGE: {
		_cleanup_free_ char *today = case_trigger_date(cx);
		int days = c->stage == 1 ? cx->cfg->ts.stage1_response_days
					 : cx->cfg->ts.stage2_response_days;

		c->acknowledged_at = cx->received_at > 0 ? cx->received_at : cx->now;
		case_field_replace(&c->response_due, case_due_after(cx, today, days));
		r = case_relay(cx, c, m, cmd->arg, true);
		if (r == 0)
			r = case_event(cx, c, actor, "acknowledged",
				       "stage %d acknowledged by the officer; response due %s", c->stage,
				       c->response_due);
		return r;
	}
	case CMD_NOTE:
		return case_event(cx, c, actor, "note", "%s", cmd->arg);
	case CMD_INTERNAL:
		return 0;
	case CMD_CLOSE:
		return case_set_status(cx, c, STATUS_CLOSED, actor, "closed by an officer");
	default:
		return -EINVAL;
	}
}

/* An officer's mail on a case: commands, then the relayed response. */
int
case_officer_mail(const struct case_ctx *cx, struct case_row *c, const struct message *m)
{
	_cleanup_free_ char *own = case_own_text(cx, m);
	_cleanup_(officer_cmds_freep) struct officer_cmds cmds = OFFICER_CMDS_INIT;
	_cleanup_message_ struct message *files = NULL;
	bool final = false, internal, relayed_ack = false;
	const char *actor = m->from.email;
	int r;

	r = officer_cmds_parse(own, &cmds);
	if (r < 0)
		return r;
	if (cmds.n_errors > 0) {
		_cleanup_free_ char *errors = officer_cmds_format_errors(&cmds);

		return case_command_error(cx, c, m, errors);
	}
	{
		_cleanup_buf_ struct buf refusals = BUF_INIT;

		for (size_t i = 0; i < cmds.n_cmds; i++) {
			_cleanup_free_ char *why = command_refusal(cx, c, &cmds.cmds[i]);

			if (why != NULL)
				(void)buf_printf(&refusals, "%s\n", why);
		}
		if (refusals.len > 0)
			return case_command_error(cx, c, m, buf_str(&refusals));
	}
	internal = cmds.internal;
	if (!internal && m->n_attachments > 0 && !case_already_sent_directly(c, m)) {
		_cleanup_free_ char *why = case_relay_files_refusal(cx, m);

		if (why != NULL)
			return case_relay_refused(cx, c, m, why);
		/* the files themselves: the mail again, this time with its attachments' bytes */
		if (case_message_with_files(cx, &files) < 0)
			return case_relay_refused(
			    cx, c, m, "- the attachments could not be read from the mail.\n");
		m = files;
	}
	for (size_t i = 0; i < cmds.n_cmds; i++) {
		r = apply_command(cx, c, &cmds.cmds[i], actor, m, &final);
		if (r < 0)
			return r;
		if (cmds.cmds[i].type == CMD_ACKNOWLEDGE)
			relayed_ack = true;
	}
	if (internal || isempty(cmds.relay_text) || relayed_ack ||
	    streq(c->status, "excluded") || streq(c->status, "closed"))
		return case_event(cx, c, actor, "officer_message",
				  "%s; nothing relayed", internal ? "internal" : "commands only");
	if (!streq(c->kind, "complaint")) {
		/* a service request or enquiry: the answer goes through, no stage footer */
		if (case_already_sent_directly(c, m))
			return case_event(cx, c, actor, "officer_message", "sent directly by the officer");
		r = case_relay(cx, c, m, cmds.relay_text, false);
		return r < 0 ? r : case_event(cx, c, actor, "officer_message", "relayed");
	}
	if (case_already_sent_directly(c, m))
		return direct_response(cx, c, m, actor);
	r = case_relay(cx, c, m, cmds.relay_text, false);
	if (r == 0)
		r = record_response(cx, c, actor, true);
	return r;
}

int
case_officer_command(const struct case_ctx *cx, struct case_row *c, const char *line,
		     const char *actor, char **ret_error)
{
	_cleanup_(officer_cmds_freep) struct officer_cmds cmds = OFFICER_CMDS_INIT;
	bool final = false;
	int r;

	*ret_error = NULL;
	r = officer_cmds_parse(line, &cmds);
	if (r < 0)
		return r;
	if (cmds.n_errors > 0) {
		*ret_error = officer_cmds_format_errors(&cmds);
		return -EINVAL;
	}
	if (cmds.n_cmds != 1) {
		*ret_error = xasprintf("expected one command, got %zu", cmds.n_cmds);
		return -EINVAL;
	}
	*ret_error = command_refusal(cx, c, &cmds.cmds[0]);
	if (*ret_error != NULL)
		return -EINVAL;
	c->updated_at = cx->now;
	r = apply_command(cx, c, &cmds.cmds[0], actor, NULL, &final);
	if (r == 0)
		r = store_case_update(cx->store, c);
	return r;
}
