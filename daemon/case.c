/*
 * case.c - the case lifecycle: opening, transitions, escalation, residents'
 * and officers' mail on a case, bounces, deadlines.  See case.h.  Officers'
 * commands are in case_command.c, the mail queued in case_reply.c, events
 * in case_event.c (what they share: case_impl.h).
 *
 * Status transitions (any other is refused and logged as a bug):
 *
 *   open --response--> responded --escalation--> open (stage 2) --> responded
 *   open|responded --#exclude--> excluded
 *   any --#close--> closed
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
#include "store_recover.h"
#include "threadkey.h"
#include "util.h"

#include "case_impl.h"

static bool
transition_allowed(enum case_status from, enum case_status to)
{
	switch (to) {
	case STATUS_OPEN:
		return from == STATUS_OPEN || from == STATUS_RESPONDED;
	case STATUS_RESPONDED:
		return from == STATUS_OPEN || from == STATUS_RESPONDED;
	case STATUS_EXCLUDED:
		return from == STATUS_OPEN || from == STATUS_RESPONDED;
	case STATUS_CLOSED:
		return true;
	default:
		return false;
	}
}

/* The one place a case's status changes. */
int
case_set_status(const struct case_ctx *cx, struct case_row *c, enum case_status to,
		const char *actor, const char *why)
{
	int from = case_status_from_string(c->status);

	if (from < 0 || !transition_allowed((enum case_status)from, to)) {
		log_error("%s: refused status change %s -> %s (%s)", c->ref, c->status,
			  case_status_to_string(to), why);
		return -EINVAL;
	}
	if (from == (int)to)
		return 0;
	_cleanup_free_ char *old = c->status;
	c->status = xstrdup(case_status_to_string(to));
	return case_event(cx, c, actor, "status", "%s -> %s: %s", old, c->status, why);
}

/* The date n working days after d ("YYYY-MM-DD"), as YYYY-MM-DD. */
char *
case_due_after(const struct case_ctx *cx, const char *from, int n)
{
	struct cal_date d;
	char buf[CAL_DATE_STRLEN];

	if (cal_date_parse(from, &d) < 0 ||
	    cal_date_format(calendar_add_working_days(cx->cal, d, n), buf) < 0)
		return xstrdup("");
	return xstrdup(buf);
}

/* The effective date (working hours, holidays) of an instant, as YYYY-MM-DD. */
char *
case_effective_date(const struct case_ctx *cx, time_t t)
{
	struct cal_date d;
	char buf[CAL_DATE_STRLEN];

	if (calendar_received_date(cx->cal, t, &d) < 0 || cal_date_format(d, buf) < 0)
		return xstrdup("");
	return xstrdup(buf);
}

/* The effective date a reply's clocks start from: its date received (see case_ctx). */
char *
case_trigger_date(const struct case_ctx *cx)
{
	return case_effective_date(cx, cx->received_at > 0 ? cx->received_at : cx->now);
}

void
case_field_replace(char **field, char *value)
{
	free(*field);
	*field = value;
}

void
case_flag_set(struct case_row *c, const char *flag, bool on)
{
	_cleanup_buf_ struct buf b = BUF_INIT;
	const char *p = c->flags;

	while (*p) {
		size_t n = strcspn(p, " ");

		if (n > 0 && !(n == strlen(flag) && strncmp(p, flag, n) == 0)) {
			if (b.len)
				(void)buf_putc(&b, ' ');
			(void)buf_append(&b, p, n);
		}
		p += n + strspn(p + n, " ");
	}
	if (on) {
		if (b.len)
			(void)buf_putc(&b, ' ');
		(void)buf_puts(&b, flag);
	}
	case_field_replace(&c->flags, buf_steal(&b));
}

bool
case_flag_is_set(const struct case_row *c, const char *flag)
{
	size_t n = strlen(flag);

	for (const char *p = c->flags; (p = strstr(p, flag)) != NULL; p += n)
		if ((p == c->flags || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
			return true;
	return false;
}

/* Who our mail about the case goes to: the representative where there is one. */
const char *
case_correspondent(const struct case_row *c, const char **ret_name)
{
	if (!isempty(c->rep_email)) {
		*ret_name = NULL;
		return c->rep_email;
	}
	*ret_name = c->complainant_name;
	return c->complainant_email;
}

bool
case_is_housing_officer_ack(const struct case_ctx *cx, const struct case_row *c)
{
	return streq(c->scheme, "housing") && streq(cx->cfg->housing_acknowledgement, "officer");
}

static int
month_number(const char *word, size_t len)
{
	static const char *const months[] = {"january", "february", "march", "april",
					     "may", "june", "july", "august",
					     "september", "october", "november", "december"};

	for (int i = 0; i < 12; i++)
		if (len >= 3 && (len == strlen(months[i]) || len == 3) &&
		    ascii_strncaseeq(word, months[i], len))
			return i + 1;
	return 0;
}

/*
 * Does the sender date the problem more than late_complaint_months before it
 * was received ("since March 2024", "back in 2023", "in June 2022")?  A year
 * alone counts as its December, so only what is certainly old is flagged: a
 * late complaint is flagged for an officer's decision, never rejected.
 */
static bool
dated_late(const char *text, const struct cal_date *received, int late_months)
{
	static const char *const leads[] = {"since", "in", "from", "during", "back in", "started in"};
	const char *p = text;

	while ((p = strpbrk(p, "12")) != NULL) {
		int year, month = 12;
		const char *w, *q = p;

		if (!(p[0] == '1' && p[1] == '9') && !(p[0] == '2' && p[1] == '0'))
			goto next;
		if (strspn(p, "0123456789") != 4 || (p > text && (isalnum((unsigned char)p[-1]))))
			goto next;
		year = atoi(p);
		/* the word before: a month name, or a lead-in word */
		for (q = p; q > text && q[-1] == ' '; q--)
			;
		for (w = q; w > text && isalpha((unsigned char)w[-1]); w--)
			;
		if (q > w && month_number(w, (size_t)(q - w)) > 0) {
			month = month_number(w, (size_t)(q - w));
			for (q = w; q > text && q[-1] == ' '; q--)
				;
			for (w = q; w > text && isalpha((unsigned char)w[-1]); w--)
				;
		}
		for (size_t i = 0; i < ELEMENTSOF(leads); i++) {
			size_t n = strlen(leads[i]);
			const char *start = q - n;

			if (q - text >= (ptrdiff_t)n && ascii_strncaseeq(start, leads[i], n) &&
			    (start == text || !isalpha((unsigned char)start[-1])) &&
			    (received->year - year) * 12 + (received->month - month) > late_months)
				return true;
		}
next:
		p++;
	}
	return false;
}

int
case_open(const struct case_ctx *cx, const struct message *m, enum sender_role role,
	  time_t received_at, const char *quoted_ref, struct case_row **ret)
{
	return case_open_kind(cx, m, role, received_at, quoted_ref, -1, ret);
}

int
case_open_kind(const struct case_ctx *cx, const struct message *m, enum sender_role role,
	       time_t received_at, const char *quoted_ref, int kind, struct case_row **ret)
{
	const struct config *cfg = cx->cfg;
	_cleanup_case_row_ struct case_row *c = xcalloc(1, sizeof(*c));
	_cleanup_free_ char *own = case_own_text(cx, m), *route_to = NULL, *area = NULL,
			    *reason = NULL, *team = NULL;
	_cleanup_buf_ struct buf flags = BUF_INIT;
	struct classification cl = {.kind = KIND_COMPLAINT, .scheme = SCHEME_LGSCO};
	struct case_ctx opened;
	const struct msg_forward *fwd = NULL;
	struct cal_date rd;
	char datebuf[CAL_DATE_STRLEN];
	int r;

	if (role == ROLE_COUNCILLOR)
		for (size_t i = 0; i < m->n_forwards; i++)
			if (!isempty(m->forwards[i].from.email) &&
			    !ascii_strcaseeq(m->forwards[i].from.email, m->from.email)) {
				fwd = &m->forwards[i];
				break;
			}
	if (cx->rules != NULL) {
		/* a councillor's forward: the constituent's words count too */
		_cleanup_free_ char *text = fwd ? xasprintf("%s\n\n%s", own, fwd->body) : NULL;

		if (text == NULL && role == ROLE_RESIDENT && cx->resident_classified != NULL &&
		    cx->own_for == m)
			classification_copy(cx->resident_classified, &cl);
		else {
			r = rules_classify(cx->rules, m->subject, text ? text : own, role, &cl);
			if (r < 0)
				return r;
		}
	} else if (role == ROLE_COUNCILLOR)
		cl.kind = KIND_MEMBER_ENQUIRY;
	for (size_t i = 0; i < cl.n_flags; i++) {
		if (flags.len)
			(void)buf_putc(&flags, ' ');
		(void)buf_puts(&flags, cl.flags[i]);
	}
	route_to = cl.route_to ? xstrdup(cl.route_to) : NULL;
	area = cl.area ? xstrdup(cl.area) : NULL;
	if (kind >= 0 && (enum case_kind)kind != cl.kind) {
		/* an officer said what it is */
		cl.kind = (enum case_kind)kind;
		free(route_to);
		route_to = NULL;
		free(cl.route);
		cl.route = NULL;
		reason = xstrdup("an officer forwarded it with a command saying what it is");
	} else
		reason = cl.reason ? xstrdup(cl.reason) : NULL;

	r = calendar_received_date(cx->cal, received_at, &rd);
	if (r == 0)
		r = cal_date_format(rd, datebuf);
	if (r < 0) {
		classification_free(&cl);
		return r;
	}

	if (!classification_has_flag(&cl, FLAG_LATE) &&
	    dated_late(fwd ? fwd->body : own, &rd, cx->cfg->ts.late_complaint_months)) {
		if (flags.len)
			(void)buf_putc(&flags, ' ');
		(void)buf_puts(&flags, FLAG_LATE);
	}
	c->kind = xstrdup(case_kind_to_string(cl.kind));
	c->stage = 1;
	c->status = xstrdup(case_status_to_string(STATUS_OPEN));
	c->scheme = xstrdup(case_scheme_to_string(cl.scheme));
	c->route = xstrdup(cl.route ? cl.route : "");
	classification_free(&cl);
	c->subject = xstrdup(m->subject);
	c->subject_key = threadkey_normalise_subject(m->subject);
	c->received_at = received_at;
	c->received_date = xstrdup(datebuf);
	c->officer = xstrdup("");
	c->outcome = xstrdup("");
	c->s1_response_due = xstrdup("");
	c->s1_outcome = xstrdup("");
	c->response_due = xstrdup("");
	c->created_at = c->updated_at = cx->now;
	if (role == ROLE_COUNCILLOR) {
		/* The constituent is the complainant; the member represents them. */
		c->complainant_name = xstrdup(fwd ? fwd->from.name : "");
		c->complainant_email = xstrdup(fwd ? fwd->from.email : "");
		c->rep_email = xstrdup(m->from.email);
		c->rep_role = xstrdup(ascii_strcasestr(m->from.email, "parliament.uk") ? "mp"
											: "councillor");
		c->rep_consent = xstrdup("unknown");
	} else {
		c->complainant_name = xstrdup(m->from.name);
		c->complainant_email = xstrdup(m->from.email);
		c->rep_email = xstrdup("");
		c->rep_role = xstrdup("");
		c->rep_consent = xstrdup("");
	}
	c->flags = buf_steal(&flags);
	c->ack_due = streq(c->kind, "complaint")
	                 ? case_due_after(cx, c->received_date, cfg->ts.stage1_ack_days)
	                 : xstrdup("");

	/* a case taken up again from the mailbox keeps the reference its mail was given */
	r = cx->recover_ref ? store_recover_take_ref(cx->store, cx->recover_ref, &c->ref) : -ENOENT;
	if (r == -ENOENT)
		r = store_next_ref(cx->store, cfg->reference_prefix, rd.year, &c->ref);
	if (r == 0)
		r = store_case_insert_area(cx->store, c, area);
	if (r < 0)
		return r;
	c->area = xstrdup(area ? area : ""); /* as stored: the replies below read it */
	if (cx->record_opening != NULL) {
		/* the message first, so the notification below can refer to its stored source */
		int64_t row = cx->record_opening(cx, c);

		if (row < 0)
			return (int)row;
		opened = *cx;
		opened.raw_row = row;
		opened.record_opening = NULL;
		cx = &opened;
	}

	r = case_event_key(cx, c, LOG_INFO, MSGID_CASE_OPENED, "opened",
			   "%s from %s %s%s%s, received %s%s%s", c->kind, sender_role_to_string(role),
			   m->from.email, *c->route ? ", route " : "", c->route, c->received_date,
			   *c->flags ? ", flags " : "", c->flags);
	if (r == 0 && !isempty(c->rep_email))
		r = case_event(cx, c, m->from.email, "representative",
			       "%s %s writes for %s; consent unknown until an officer records it",
			       c->rep_role, c->rep_email,
			       isempty(c->complainant_email) ? "a constituent" : c->complainant_email);
	if (r == 0 && quoted_ref != NULL) {
		_cleanup_case_row_ struct case_row *other = NULL;

		r = case_event(cx, c, m->from.email, "linked",
			       "quotes reference %s but is not a party to that case", quoted_ref);
		if (r == 0 && store_case_get_ref(cx->store, quoted_ref, &other) == 0)
			r = case_event(cx, other, m->from.email, "linked",
				       "%s quoted this reference; opened as %s", m->from.email, c->ref);
	}
	if (r == 0) {
		team = notify_team_words(cx, c);
		r = case_first_reply(cx, c, m, route_to, team ? team : "our complaints team");
	}
	if (r == 0)
		r = notify_new_case(cx, c, m, reason);
	if (r == 0)
		r = case_ask_consent(cx, c, m);
	if (r == 0)
		r = store_case_update(cx->store, c);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(c);
	return 0;
}

/* Stage 1 as it was when the case moved to stage 2, for the record (annual report). */
void
case_keep_stage1(struct case_row *c)
{
	c->s1_acknowledged_at = c->acknowledged_at;
	case_field_replace(&c->s1_response_due, xstrdup(c->response_due));
	c->s1_responded_at = c->responded_at;
	c->s1_extension_days = c->extension_days;
	case_field_replace(&c->s1_outcome, xstrdup(c->outcome));
}

/* Stage 1 -> stage 2: keep stage 1 for the record, start the stage 2 clocks. */
int
case_escalate(const struct case_ctx *cx, struct case_row *c, const char *actor, const char *why,
              const struct message *answered)
{
	_cleanup_free_ char *today = case_trigger_date(cx);
	int r;

	if (c->stage != 1)
		return 0;
	case_keep_stage1(c);
	c->stage = 2;
	c->escalated_at = cx->now;
	c->acknowledged_at = 0;
	c->responded_at = 0;
	c->extension_days = 0;
	case_field_replace(&c->outcome, xstrdup(""));
	case_field_replace(&c->ack_due, case_due_after(cx, today, cx->cfg->ts.stage2_ack_days));
	case_field_replace(&c->response_due, xstrdup(""));
	r = case_set_status(cx, c, STATUS_OPEN, actor, "escalated to stage 2");
	if (r < 0)
		return r;
	r = case_event_key(cx, c, LOG_INFO, MSGID_ESCALATED, "escalated",
			   "stage 1 -> stage 2 (%s); acknowledgement due %s", why, c->ack_due);
	if (r == 0)
		r = case_acknowledge(cx, c, answered);
	return r;
}

/* A complainant's (or representative's) reply: perhaps a request to go to stage 2. */
static int
resident_mail_apply(const struct case_ctx *cx, struct case_row *c, const struct message *m,
	      const char *threaded_by, const char **ret_upgrade_why)
{
	_cleanup_free_ char *own = case_own_text(cx, m);
	bool wants = cx->rules != NULL && rules_wants_escalation(cx->rules, own);
	enum outbox_queued q;
	int r;

	r = case_event(cx, c, m->from.email, "message", "from %s, matched by %s", m->from.email,
		       threaded_by);
	if (r < 0)
		return r;
	if (!streq(c->kind, "complaint")) {
		if (!streq(c->status, "open") && !streq(c->status, "responded"))
			return 0;
		if (cx->rules != NULL && rules_wants_upgrade(cx->rules, own))
			*ret_upgrade_why = "the person asked for a complaint";
		else if (wants) /* unhappy with a service request: the complaint route */
			*ret_upgrade_why = "the person is dissatisfied";
		else
			return 0;
		return case_upgrade_to_complaint(cx, c, m->from.email, *ret_upgrade_why, m);
	}
	if (!wants)
		return 0;
	if (c->stage == 2 && !streq(c->status, "responded") && !streq(c->status, "closed"))
		return case_event(cx, c, m->from.email, "ombudsman_asked",
				  "asks to take it further during stage 2: recorded; the final response signposts the Ombudsman");
	if (c->stage == 2) {
		/* the procedure is over (a stage 2 or first-and-final response): the Ombudsman */
		r = case_queue_to_complainant(cx, c, TEMPLATE_PROCEDURE_COMPLETE,
		                              "procedure-complete", NULL, m, NULL, &q);
		return r < 0 ? r
			     : case_event(cx, c, m->from.email, "ombudsman_asked",
					  "asks to take it further after the final response: told the procedure is complete, with the Ombudsman's details");
	}
	if (!streq(c->status, "responded"))
		return case_event(cx, c, m->from.email, "escalation_early",
				  "asks to take it further before the stage 1 response; recorded, the stage 1 clock keeps running");
	if (cx->cfg->ts.escalation_window_days > 0 && c->responded_at > 0) {
		_cleanup_free_ char *answered = case_effective_date(cx, c->responded_at);
		_cleanup_free_ char *limit =
		    case_due_after(cx, answered, cx->cfg->ts.escalation_window_days);
		_cleanup_free_ char *today = case_effective_date(cx, cx->now);

		if (strcmp(today, limit) > 0) {
			case_flag_set(c, "escalation_late", true);
			return case_event(cx, c, m->from.email, "escalation_late",
					  "asks for stage 2 after the window (ended %s): an officer decides (#stage2)",
					  limit);
		}
	}
	return case_escalate(cx, c, m->from.email, "the complainant asked to take it further", m);
}

/*
 * Apply a resident's mail, then tell the officers what happened: an
 * escalation, a matter that has just become a complaint (a new complaint for
 * the team, with the Code's clocks running from this mail), or a new message.
 */
static int
resident_mail(const struct case_ctx *cx, struct case_row *c, const struct message *m,
	      const char *threaded_by)
{
	int stage = c->stage;
	_cleanup_free_ char *kind = xstrdup(c->kind);
	const char *upgrade_why = NULL;
	int r = resident_mail_apply(cx, c, m, threaded_by, &upgrade_why);

	if (r < 0)
		return r;
	if (c->stage != stage)
		return notify_escalation(cx, c, m);
	if (upgrade_why != NULL && !streq(c->kind, kind)) {
		_cleanup_free_ char *reason =
		    xasprintf("until now a %s; their reply made it a complaint (%s)",
			      notify_kind_words(kind), upgrade_why);

		return notify_new_case(cx, c, m, reason);
	}
	return notify_resident_mail(cx, c, m);
}

/* A bounce of our mail: the complainant did not get it. */
static int
bounce(const struct case_ctx *cx, struct case_row *c, const struct message *m)
{
	int64_t id, case_id;
	int r;
	_cleanup_free_ char *reason = xasprintf("bounced%s%s%s%s", *m->dsn_status ? ": status " : "",
						 m->dsn_status, *m->dsn_action ? ", " : "",
						 m->dsn_action);

	if (isempty(m->dsn_original_message_id) ||
	    store_outbox_find(cx->store, m->dsn_original_message_id, &id, &case_id) < 0)
		return case_event(cx, c, "complaintsd", "automatic",
				  "delivery report received; it names no mail of ours");
	if (!isempty(m->dsn_action) && !ascii_strcaseeq(m->dsn_action, "failed"))
		return case_event(cx, c, "complaintsd", "delivery_delayed", "%s for %s", reason,
				  *m->dsn_recipient ? m->dsn_recipient : "the recipient");
	r = store_outbox_bounced(cx->store, id, reason);
	if (r < 0)
		return r;
	return case_delivery_failed(cx, c->id, *m->dsn_recipient ? m->dsn_recipient : "the recipient",
				    "mail", reason);
}

/*
 * Mail sent as the complaints mailbox (found in its Sent folder, or a copy
 * of a "Send As" mail that reached INBOX): to the complainant it is the
 * officer's response, sent directly; otherwise it is only recorded.
 */
static int
sent_mail(const struct case_ctx *cx, struct case_row *c, const struct message *m, time_t sent_at)
{
	/* the current stage began when the case was received or escalated */
	time_t stage_began = c->stage == 2 && c->escalated_at ? c->escalated_at : c->received_at;
	time_t before = c->responded_at;
	int r;

	if (!case_already_sent_directly(c, m))
		return case_event(cx, c, m->from.email, "sent_mail",
				  "mail sent from the complaints mailbox, not to the complainant; recorded");
	if (sent_at != 0 && sent_at < stage_began)
		return case_event(cx, c, m->from.email, "sent_mail",
				  "mail sent from the complaints mailbox before stage %d began; recorded",
				  c->stage);
	r = case_officer_mail(cx, c, m);
	/* the response counts from when it was sent, not from when we read it */
	if (r == 0 && c->responded_at != before && sent_at > 0 && sent_at < c->responded_at)
		c->responded_at = sent_at;
	return r;
}

/* Mail from the complaints address itself: our own come back, or an officer's "Send As". */
static int
council_mail(const struct case_ctx *cx, struct case_row *c, const struct message *m,
	     time_t sent_at)
{
	int64_t id, case_id;
	int r = isempty(m->message_id) ? -ENOENT
				       : store_outbox_find(cx->store, m->message_id, &id, &case_id);

	if (r == -ENOENT && !isempty(m->message_id))
		/* read from the Sent folder already */
		r = store_message_find_copy(cx->store, m->message_id, "", "out", &id);
	if (r < 0 && r != -ENOENT)
		return r;
	if (r == -ENOENT && case_already_sent_directly(c, m))
		return sent_mail(cx, c, m, sent_at);
	return case_event(cx, c, m->from.email, "own_mail", "a copy of our own mail; ignored");
}

int
case_message_received(const struct case_ctx *cx, struct case_row *c, const struct message *m,
		      enum sender_role role, enum automail_kind automail, const char *threaded_by)
{
	int64_t ours, ours_case;
	int r;

	c->updated_at = cx->now;
	/* one of our own mails come back (a team's redirect keeps its Message-ID): never answered */
	if (role != ROLE_AUTOMATIC && !isempty(m->message_id) &&
	    store_outbox_find(cx->store, m->message_id, &ours, &ours_case) == 0)
		role = ROLE_COUNCIL;
	switch (role) {
	case ROLE_AUTOMATIC:
		r = automail == AUTOMAIL_DSN
			    ? bounce(cx, c, m)
			    : case_event(cx, c, m->from.email, "automatic", "%s received; not answered",
					 automail_kind_to_string(automail));
		break;
	case ROLE_OFFICER:
		r = case_officer_mail(cx, c, m);
		break;
	case ROLE_COUNCIL:
		r = case_event(cx, c, m->from.email, "own_mail", "a copy of our own mail; ignored");
		break;
	default:
		r = resident_mail(cx, c, m, threaded_by);
		break;
	}
	if (r == 0)
		r = store_case_update(cx->store, c);
	return r;
}

int
case_council_mail(const struct case_ctx *cx, struct case_row *c, const struct message *m)
{
	int r;

	c->updated_at = cx->now;
	r = council_mail(cx, c, m, 0);
	if (r == 0)
		r = store_case_update(cx->store, c);
	return r;
}

int
case_sent_mail(const struct case_ctx *cx, struct case_row *c, const struct message *m,
	       time_t sent_at)
{
	int r;

	c->updated_at = cx->now;
	r = sent_mail(cx, c, m, sent_at);
	if (r == 0)
		r = store_case_update(cx->store, c);
	return r;
}

int
case_delivery_failed(const struct case_ctx *cx, int64_t case_id, const char *rcpt,
		     const char *purpose, const char *reason)
{
	_cleanup_case_row_ struct case_row *c = NULL;
	struct template_vars v = {0};
	int r = store_case_get(cx->store, case_id, &c);

	if (r < 0)
		return r;
	r = case_event_key(cx, c, LOG_WARNING, MSGID_DELIVERY_FAILED, "delivery_failed",
			   "our %s to %s was not delivered (%s); an officer must reach them another way",
			   purpose, rcpt, reason);
	if (r < 0)
		return r;
	/* no alert about a failed alert or notification: that would loop */
	if (ascii_strcaseeq(rcpt, cx->cfg->complaints_address) ||
	    ascii_strcaseeq(rcpt, config_alerts_address(cx->cfg)) || ascii_strcaseeq(rcpt, c->officer) ||
	    startswith(purpose, "notify-") || startswith(purpose, "officer-"))
		return 0;
	{
		_cleanup_free_ char *responsible = notify_responsible_address(cx, c);

		if (responsible != NULL && ascii_strcaseeq(rcpt, responsible))
			return 0;
	}
	v.value[TV_RECIPIENT] = rcpt;
	v.value[TV_REASON] = reason;
	return case_queue_to_officer(cx, c, TEMPLATE_DELIVERY_FAILED, "delivery-failed", NULL, NULL,
	                             &v);
}

struct deadline_scan {
	const struct case_ctx *cx;
	char today[CAL_DATE_STRLEN];
	size_t reminders, breaches;
	int error;
};

static int
check_one(const struct case_row *cr, void *userdata)
{
	struct deadline_scan *ds = userdata;
	const struct case_ctx *cx = ds->cx;
	_cleanup_case_row_ struct case_row *c = NULL;
	_cleanup_free_ char *key = NULL, *remind_on = NULL, *days_left = NULL, *deadline = NULL;
	enum deadline_dealt dealt = DEALT_REMINDER;
	bool dealing = false; /* a notice was considered: record it as dealt with */
	struct template_vars v = {0};
	enum outbox_queued q;
	struct outbox_mail om = {0};
	_cleanup_free_ char *officer_to = NULL;
	const char *due;
	bool ack = false;
	int r;

	r = store_case_get(cx->store, cr->id, &c);
	if (r < 0)
		goto fail;
	officer_to = notify_responsible_address(cx, c);
	if (officer_to == NULL) {
		r = -EIO;
		goto fail;
	}
	if (!isempty(c->response_due))
		due = c->response_due;
	else if (!isempty(c->ack_due) && c->acknowledged_at == 0) {
		due = c->ack_due;
		ack = true;
	} else
		return 0;

	if (strcmp(ds->today, due) > 0) {
		/* breached: once per stage and deadline, enforced by the Message-ID */
		struct cal_date d;

		key = xasprintf("s%d-%s-%s", c->stage, ack ? "ack" : "response", due);
		dealt = ack ? DEALT_ACK_BREACH : DEALT_RESPONSE_BREACH;
		dealing = true;
		if (cal_date_parse(due, &d) == 0)
			deadline = cal_date_format_long(d);
		v.value[TV_DEADLINE] = deadline ? deadline : due;
		om = (struct outbox_mail){
			.c = c, .tmpl = ack ? TEMPLATE_OFFICER_ACK_BREACH : TEMPLATE_OFFICER_BREACH,
			.purpose = "officer-breach",
			.key = key,
			.to_addr = officer_to,
			.automatic = true, .vars = v,
		};
		r = outbox_queue(cx, &om, &q);
		if (r < 0 || q == OUTBOX_DUPLICATE)
			goto done;
		ds->breaches++;
		r = case_event_key(cx, c, LOG_WARNING, MSGID_DEADLINE_BREACHED, "deadline_breached",
				   "stage %d %s due %s missed; %s", c->stage,
				   ack ? "acknowledgement" : "response", due,
				   "the complainant is told, with the Ombudsman's details, and the officer alerted");
		if (r == 0)
			r = case_queue_to_complainant(
			    cx, c, ack ? TEMPLATE_ACK_MISSED : TEMPLATE_DEADLINE_MISSED,
			    ack ? "ack-missed" : "deadline-missed", key, NULL, &v, &q);
		goto done;
	}
	if (cx->cfg->ts.reminder_days_before <= 0)
		return 0;
	/* a reminder reminder_days_before working days ahead of the response date */
	{
		struct cal_date d;
		char buf[CAL_DATE_STRLEN];

		if (cal_date_parse(due, &d) < 0)
			return 0;
		cal_date_format(calendar_add_working_days(cx->cal, d, -cx->cfg->ts.reminder_days_before),
				buf);
		remind_on = xstrdup(buf);
		if (strcmp(ds->today, remind_on) < 0)
			return 0;
		{
			struct cal_date t;

			if (cal_date_parse(ds->today, &t) < 0)
				return 0;
			days_left = xasprintf("%ld", calendar_working_days_between(cx->cal, t, d));
		}
	}
	/* before an acknowledgement the officer must send (housing), as before a response */
	key = ack ? xasprintf("s%d-ack-%s", c->stage, due) : xasprintf("s%d-%s", c->stage, due);
	dealt = ack ? DEALT_ACK_REMINDER : DEALT_REMINDER;
	dealing = true;
	v.value[TV_DAYS_LEFT] = days_left;
	om = (struct outbox_mail){
		.c = c, .tmpl = ack ? TEMPLATE_OFFICER_ACK_REMINDER : TEMPLATE_OFFICER_REMINDER,
		.purpose = "officer-reminder", .key = key,
		.to_addr = officer_to,
		.automatic = true, .vars = v,
	};
	r = outbox_queue(cx, &om, &q);
	if (r == 0 && q == OUTBOX_QUEUED) {
		ds->reminders++;
		r = case_event(cx, c, "complaintsd", "reminder",
			       "officer reminded: stage %d %s due %s", c->stage,
			       ack ? "acknowledgement" : "response", due);
	}
done:
	if (r == 0 && dealing)
		r = store_case_deadline_done(cx->store, c->id, dealt, c->stage, due);
	if (r == 0)
		return 0;
fail:
	ds->error = r;
	return r;
}

int
case_check_deadlines(const struct case_ctx *cx, size_t *ret_reminders, size_t *ret_breaches)
{
	struct deadline_scan ds = {.cx = cx};
	char horizon[CAL_DATE_STRLEN];
	struct cal_date today;
	int r;

	/* "today" is the council's calendar date, not the effective date */
	{
		struct tm tm;

		if (localtime_r(&cx->now, &tm) == NULL)
			return -EINVAL;
		today = (struct cal_date){tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
	}
	cal_date_format(today, ds.today);
	cal_date_format(calendar_add_working_days(cx->cal, today, cx->cfg->ts.reminder_days_before + 1),
			horizon);
	r = store_begin(cx->store);
	if (r < 0)
		return r;
	r = store_case_due(cx->store, ds.today, horizon, check_one, &ds);
	if (r == 0)
		r = store_case_ack_due_soon(cx->store, ds.today, horizon, check_one, &ds);
	if (r == 0)
		r = store_commit(cx->store);
	if (r < 0)
		store_rollback(cx->store);
	*ret_reminders = ds.reminders;
	*ret_breaches = ds.breaches;
	return r;
}
