/*
 * case.c - the case lifecycle: opening, replies, escalation, officers'
 * commands, deadlines.  See case.h.
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
#include "quote.h"
#include "rules.h"
#include "store_officers.h"
#include "store_recover.h"
#include "threadkey.h"
#include "util.h"

static int
case_event_va(const struct case_ctx *cx, const struct case_row *c, int priority,
	      const char *catalog_id, const char *actor, const char *type, const char *fmt,
	      va_list ap)
{
	_cleanup_free_ char *detail = xvasprintf(fmt, ap);

	log_fields(priority,
		   &(struct log_fields){.catalog_id = catalog_id, .case_ref = c->ref, .event = type,
					.stage = c->stage},
		   "%s: %s: %s", c->ref, type, detail);
	return store_event_add(cx->store, c->id, cx->now, actor, type, detail);
}

int
case_event(const struct case_ctx *cx, const struct case_row *c, const char *actor,
	   const char *type, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = case_event_va(cx, c, LOG_INFO, NULL, actor, type, fmt, ap);
	va_end(ap);
	return r;
}

/* A key event: logged with its catalogued MESSAGE_ID (systemd/complaintsd.catalog). */
static int __attribute__((format(printf, 6, 7)))
case_event_key(const struct case_ctx *cx, const struct case_row *c, int priority,
	       const char *catalog_id, const char *type, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = case_event_va(cx, c, priority, catalog_id, "complaintsd", type, fmt, ap);
	va_end(ap);
	return r;
}

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
static int
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
static char *
due_after(const struct case_ctx *cx, const char *from, int n)
{
	struct cal_date d;
	char buf[CAL_DATE_STRLEN];

	if (cal_date_parse(from, &d) < 0 ||
	    cal_date_format(calendar_add_working_days(cx->cal, d, n), buf) < 0)
		return xstrdup("");
	return xstrdup(buf);
}

/* The effective date (working hours, holidays) of an instant, as YYYY-MM-DD. */
static char *
effective_date(const struct case_ctx *cx, time_t t)
{
	struct cal_date d;
	char buf[CAL_DATE_STRLEN];

	if (calendar_received_date(cx->cal, t, &d) < 0 || cal_date_format(d, buf) < 0)
		return xstrdup("");
	return xstrdup(buf);
}

/* The effective date a reply's clocks start from: its date received (see case_ctx). */
static char *
trigger_date(const struct case_ctx *cx)
{
	return effective_date(cx, cx->received_at > 0 ? cx->received_at : cx->now);
}

static void
replace(char **field, char *value)
{
	free(*field);
	*field = value;
}

static void
flag_set(struct case_row *c, const char *flag, bool on)
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
	replace(&c->flags, buf_steal(&b));
}

static bool
flag_is_set(const struct case_row *c, const char *flag)
{
	size_t n = strlen(flag);

	for (const char *p = c->flags; (p = strstr(p, flag)) != NULL; p += n)
		if ((p == c->flags || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
			return true;
	return false;
}

/* Who our mail about the case goes to: the representative where there is one. */
static const char *
case_correspondent(const struct case_row *c, const char **ret_name)
{
	if (!isempty(c->rep_email)) {
		*ret_name = NULL;
		return c->rep_email;
	}
	*ret_name = c->complainant_name;
	return c->complainant_email;
}

static bool
is_housing_officer_ack(const struct case_ctx *cx, const struct case_row *c)
{
	return streq(c->scheme, "housing") && streq(cx->cfg->housing_acknowledgement, "officer");
}

/* Queue a templated mail to the complainant (or representative). */
static int
queue_to_complainant(const struct case_ctx *cx, const struct case_row *c, enum template_id tmpl,
		     const char *purpose, const char *key, const struct message *answered,
		     const struct template_vars *vars, enum outbox_queued *ret)
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
static int
queue_to_officer(const struct case_ctx *cx, const struct case_row *c, enum template_id tmpl,
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
static int
acknowledge(const struct case_ctx *cx, struct case_row *c, const struct message *answered)
{
	const char *purpose = c->stage == 1 ? "ack-stage1" : "ack-stage2";
	enum template_id tmpl = c->stage == 1 ? TEMPLATE_ACK_STAGE1 : TEMPLATE_ACK_STAGE2;
	int days = c->stage == 1 ? cx->cfg->ts.stage1_response_days : cx->cfg->ts.stage2_response_days;
	enum outbox_queued q;
	int r;

	if (is_housing_officer_ack(cx, c))
		return queue_to_complainant(cx, c, TEMPLATE_RECEIPT_HOUSING,
					    c->stage == 1 ? "receipt-stage1" : "receipt-stage2", "1",
					    answered, NULL, &q);

	/* the response date goes into the acknowledgement, so set it first */
	_cleanup_free_ char *today = trigger_date(cx);
	replace(&c->response_due, due_after(cx, today, days));
	c->acknowledged_at = cx->now;
	r = queue_to_complainant(cx, c, tmpl, purpose, "1", answered, NULL, &q);
	if (r < 0)
		return r;
	if (q == OUTBOX_DUPLICATE)
		return 0;
	if (q == OUTBOX_HELD || q == OUTBOX_SUPPRESSED) {
		/* not sent, so not acknowledged: releasing a held one acknowledges (autoreply.c) */
		c->acknowledged_at = 0;
		replace(&c->response_due, xstrdup(""));
	}
	return case_event_key(cx, c, LOG_INFO, MSGID_ACKNOWLEDGED, "acknowledged",
			      "stage %d acknowledgement %s; response due %s", c->stage,
			      q == OUTBOX_QUEUED ? "queued"
			      : q == OUTBOX_HELD ? "held back (see above)"
						 : "not sent (see above)",
			      *c->response_due ? c->response_due : "once acknowledged");
}

/* The first reply for a new case, by kind. */
static int
first_reply(const struct case_ctx *cx, struct case_row *c, const struct message *m,
	    const char *route_to, const char *team)
{
	enum case_kind kind = (enum case_kind)case_kind_from_string(c->kind);
	struct template_vars v = {.value[TV_TEAM] = team};
	_cleanup_free_ char *route = NULL;
	enum outbox_queued q;

	switch (kind) {
	case KIND_COMPLAINT:
		return acknowledge(cx, c, m);
	case KIND_SERVICE_REQUEST:
		return queue_to_complainant(cx, c, TEMPLATE_SERVICE_REQUEST, "service-request", "1",
					    m, &v, &q);
	case KIND_MEMBER_ENQUIRY:
		return queue_to_complainant(cx, c, TEMPLATE_MEMBER_ENQUIRY, "member-enquiry", "1", m,
					    &v, &q);
	case KIND_OTHER_PROCESS:
		route = notify_route_contact(cx->cfg, c->route, route_to);
		v.value[TV_ROUTE] = route;
		return queue_to_complainant(cx, c, TEMPLATE_OTHER_PROCESS, "other-process", "1", m,
					    &v, &q);
	default:
		return 0;
	}
}

/* Someone complains for another person (not a councillor or MP): ask for that person's consent. */
static int
ask_consent(const struct case_ctx *cx, const struct case_row *c, const struct message *m)
{
	enum outbox_queued q;

	if (!streq(c->kind, "complaint") || !isempty(c->rep_email) ||
	    !flag_is_set(c, FLAG_CONSENT_NEEDED))
		return 0;
	return queue_to_complainant(cx, c, TEMPLATE_CONSENT_REQUEST, "consent-request", "1", m,
				    NULL, &q);
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
	_cleanup_free_ char *own = quote_strip(m->body), *route_to = NULL, *area = NULL,
			    *reason = NULL, *team = NULL;
	_cleanup_buf_ struct buf flags = BUF_INIT;
	struct classification cl = {.kind = KIND_COMPLAINT, .scheme = SCHEME_LGSCO};
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

		r = rules_classify(cx->rules, m->subject, text ? text : own, role, &cl);
		if (r < 0)
			return r;
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
			     ? due_after(cx, c->received_date, cfg->ts.stage1_ack_days)
			     : xstrdup("");

	/* a case taken up again from the mailbox keeps the reference its mail was given */
	r = cx->recover_ref ? store_recover_take_ref(cx->store, cx->recover_ref, &c->ref) : -ENOENT;
	if (r == -ENOENT)
		r = store_next_ref(cx->store, cfg->reference_prefix, rd.year, &c->ref);
	if (r == 0)
		r = store_case_insert(cx->store, c);
	if (r == 0 && area != NULL)
		r = store_case_set_area(cx->store, c->id, area);
	if (r < 0)
		return r;

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
		r = first_reply(cx, c, m, route_to, team ? team : "our complaints team");
	}
	if (r == 0)
		r = notify_new_case(cx, c, m, reason);
	if (r == 0)
		r = ask_consent(cx, c, m);
	if (r == 0)
		r = store_case_update(cx->store, c);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(c);
	return 0;
}

/* Stage 1 as it was when the case moved to stage 2, for the record (annual report). */
static void
keep_stage1(struct case_row *c)
{
	c->s1_acknowledged_at = c->acknowledged_at;
	replace(&c->s1_response_due, xstrdup(c->response_due));
	c->s1_responded_at = c->responded_at;
	c->s1_extension_days = c->extension_days;
	replace(&c->s1_outcome, xstrdup(c->outcome));
}

/* Stage 1 -> stage 2: keep stage 1 for the record, start the stage 2 clocks. */
static int
escalate(const struct case_ctx *cx, struct case_row *c, const char *actor, const char *why,
	 const struct message *answered)
{
	_cleanup_free_ char *today = trigger_date(cx);
	int r;

	if (c->stage != 1)
		return 0;
	keep_stage1(c);
	c->stage = 2;
	c->escalated_at = cx->now;
	c->acknowledged_at = 0;
	c->responded_at = 0;
	c->extension_days = 0;
	replace(&c->outcome, xstrdup(""));
	replace(&c->ack_due, due_after(cx, today, cx->cfg->ts.stage2_ack_days));
	replace(&c->response_due, xstrdup(""));
	r = case_set_status(cx, c, STATUS_OPEN, actor, "escalated to stage 2");
	if (r < 0)
		return r;
	r = case_event_key(cx, c, LOG_INFO, MSGID_ESCALATED, "escalated",
			   "stage 1 -> stage 2 (%s); acknowledgement due %s", why, c->ack_due);
	if (r == 0)
		r = acknowledge(cx, c, answered);
	return r;
}

/*
 * The footer under a response at c's stage: the Ombudsman's details for a
 * final response, else how to escalate (with the date to ask by only when
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
	_cleanup_free_ char *today = effective_date(cx, cx->now);

	*ret_esc_by = due_after(cx, today, cx->cfg->ts.escalation_window_days);
	if (cal_date_parse(*ret_esc_by, &d) == 0)
		replace(ret_esc_by, cal_date_format_long(d));
	return TEMPLATE_FOOTER_STAGE1_WINDOW;
}

/* The officer's text reaches the complainant: the stage's response (or an acknowledgement). */
static int
relay(const struct case_ctx *cx, struct case_row *c, const struct message *m, const char *text,
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

	/* the officer's files go with their words (checked by relay_files_refusal()) */
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
static bool
already_sent_directly(const struct case_row *c, const struct message *m)
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

/*
 * Can the officer's attachments go to the resident whole?  NULL when they
 * can (or there are none), else why not, one reason a line.
 */
static char *
relay_files_refusal(const struct case_ctx *cx, const struct message *m)
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
static int
message_with_files(const struct case_ctx *cx, struct message **ret)
{
	const struct config *cfg = cx->cfg;
	struct msg_limits lim = {(size_t)cfg->max_message_bytes, (unsigned)cfg->max_mime_depth,
				 (unsigned)cfg->max_mime_parts, (size_t)cfg->max_header_bytes, true};

	if (cx->raw == NULL)
		return -ENODATA;
	return message_parse(cx->raw, cx->raw_len, &lim, ret, NULL) == MSG_OK ? 0 : -EBADMSG;
}

/* The officer's mail cannot be relayed whole: nothing is applied, the officer is told why. */
static int
relay_refused(const struct case_ctx *cx, const struct case_row *c, const struct message *m,
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
static int
footer_followup(const struct case_ctx *cx, struct case_row *c, const struct message *m,
		const char *actor)
{
	bool final = c->stage == 2 || c->first_and_final;
	const struct config_ombudsman *o = streq(c->scheme, "housing") ? &cx->cfg->housing
								      : &cx->cfg->lgsco;
	_cleanup_free_ char *own = quote_strip(m->body), *esc_by = NULL, *key = NULL;
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
	return footer_followup(cx, c, m, actor);
}

/* Tell the officer what was wrong with their commands; nothing else happens. */
static int
command_error(const struct case_ctx *cx, const struct case_row *c, const struct message *m,
	      const char *errors)
{
	struct template_vars v = {0};
	int r;

	v.value[TV_ERRORS] = errors;
	/* mail sent as the complaints address itself: tell the responsible officer instead */
	r = queue_to_officer(cx, c, TEMPLATE_COMMAND_ERROR, "command-error", NULL,
			     ascii_strcaseeq(m->from.email, cx->cfg->complaints_address)
				     ? NULL
				     : m->from.email,
			     &v);
	if (r == 0 && c != NULL)
		r = case_event(cx, c, m->from.email, "command_error", "%s", errors);
	return r;
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
	replace(&c->response_due, due_after(cx, c->response_due, cmd->days));
	r = case_event(cx, c, actor, "extended", "stage %d extended by %d working days to %s: %s",
		       c->stage, cmd->days, c->response_due, cmd->arg);
	if (r < 0)
		return r;
	(void)max;
	v.value[TV_REASON] = cmd->arg;
	key = xasprintf("s%d-%s", c->stage, c->response_due);
	return queue_to_complainant(cx, c, TEMPLATE_EXTENSION, "extension", key, m, &v, &q);
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
static int
case_upgrade_to_complaint(const struct case_ctx *cx, struct case_row *c, const char *actor,
			  const char *why, const struct message *m)
{
	_cleanup_free_ char *old = xstrdup(c->kind), *from = trigger_date(cx);
	int r;

	if (streq(c->kind, "complaint"))
		return 0;
	replace(&c->kind, xstrdup("complaint"));
	c->received_at = cx->received_at > 0 ? cx->received_at : cx->now;
	replace(&c->received_date, xstrdup(from));
	replace(&c->ack_due, due_after(cx, from, cx->cfg->ts.stage1_ack_days));
	/* a councillor or MP complains for someone: their consent is needed */
	if (!isempty(c->rep_email) && !streq(c->rep_consent, "received"))
		flag_set(c, FLAG_CONSENT_NEEDED, true);
	r = case_event(cx, c, actor, "reclassified",
		       "%s -> complaint (%s); received %s, acknowledgement due %s", old, why,
		       c->received_date, c->ack_due);
	if (r == 0)
		r = acknowledge(cx, c, m);
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
	replace(&c->kind, xstrdup(case_kind_to_string(to)));
	r = case_event(cx, c, actor, "reclassified", "%s -> %s", old, c->kind);
	if (r < 0)
		return r;
	replace(&c->ack_due, xstrdup(""));
	replace(&c->response_due, xstrdup(""));
	c->acknowledged_at = 0;
	return queue_to_complainant(cx, c, TEMPLATE_SERVICE_REQUEST, "service-request",
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
	keep_stage1(c);
	replace(&c->s1_outcome, xstrdup("")); /* the outcome belongs to the final response */
	c->stage = 2;
	c->first_and_final = true;
	c->escalated_at = cx->received_at > 0 ? cx->received_at : cx->now;
	c->extension_days = 0;
	if (c->acknowledged_at != 0) {
		_cleanup_free_ char *acked = effective_date(cx, c->acknowledged_at);

		replace(&c->response_due, due_after(cx, acked, cx->cfg->ts.stage2_response_days));
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
	replace(&c->scheme, xstrdup(scheme));
	flag_set(c, FLAG_HOUSING, streq(scheme, "housing"));
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
		replace(&c->outcome, xstrdup(cmd->arg));
		return case_event(cx, c, actor, "outcome", "stage %d outcome: %s", c->stage, cmd->arg);
	case CMD_STAGE2:
		return escalate(cx, c, actor, "an officer escalated it", m);
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
		return queue_to_complainant(cx, c, TEMPLATE_EXCLUSION, "exclusion", "1", m, &v, &q);
	case CMD_CONSENT:
		replace(&c->rep_consent, xstrdup("received"));
		flag_set(c, "consent_needed", false);
		return case_event(cx, c, actor, "consent", "representative's consent received");
	case CMD_ASSIGN:
		replace(&c->officer, xstrdup(cmd->arg));
		r = case_event(cx, c, actor, "assigned", "responsible officer: %s", cmd->arg);
		return r < 0 ? r : notify_assigned(cx, c);
	case CMD_IMPROVEMENT:
		return case_event(cx, c, actor, "improvement", "%s: %s", cmd->arg, cmd->text);
	case CMD_ACKNOWLEDGE: {
		_cleanup_free_ char *today = trigger_date(cx);
		int days = c->stage == 1 ? cx->cfg->ts.stage1_response_days
					 : cx->cfg->ts.stage2_response_days;

		c->acknowledged_at = cx->received_at > 0 ? cx->received_at : cx->now;
		replace(&c->response_due, due_after(cx, today, days));
		r = relay(cx, c, m, cmd->arg, true);
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
static int
officer_mail(const struct case_ctx *cx, struct case_row *c, const struct message *m)
{
	_cleanup_free_ char *own = quote_strip(m->body);
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

		return command_error(cx, c, m, errors);
	}
	{
		_cleanup_buf_ struct buf refusals = BUF_INIT;

		for (size_t i = 0; i < cmds.n_cmds; i++) {
			_cleanup_free_ char *why = command_refusal(cx, c, &cmds.cmds[i]);

			if (why != NULL)
				(void)buf_printf(&refusals, "%s\n", why);
		}
		if (refusals.len > 0)
			return command_error(cx, c, m, buf_str(&refusals));
	}
	internal = cmds.internal;
	if (!internal && m->n_attachments > 0 && !already_sent_directly(c, m)) {
		_cleanup_free_ char *why = relay_files_refusal(cx, m);

		if (why != NULL)
			return relay_refused(cx, c, m, why);
		/* the files themselves: the mail again, this time with its attachments' bytes */
		if (message_with_files(cx, &files) < 0)
			return relay_refused(cx, c, m, "- the attachments could not be read from the mail.\n");
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
		if (already_sent_directly(c, m))
			return case_event(cx, c, actor, "officer_message", "sent directly by the officer");
		r = relay(cx, c, m, cmds.relay_text, false);
		return r < 0 ? r : case_event(cx, c, actor, "officer_message", "relayed");
	}
	if (already_sent_directly(c, m))
		return direct_response(cx, c, m, actor);
	r = relay(cx, c, m, cmds.relay_text, false);
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

/* A complainant's (or representative's) reply: perhaps a request to go to stage 2. */
static int
resident_mail_apply(const struct case_ctx *cx, struct case_row *c, const struct message *m,
	      const char *threaded_by, const char **ret_upgrade_why)
{
	_cleanup_free_ char *own = quote_strip(m->body);
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
		r = queue_to_complainant(cx, c, TEMPLATE_PROCEDURE_COMPLETE, "procedure-complete",
					 NULL, m, NULL, &q);
		return r < 0 ? r
			     : case_event(cx, c, m->from.email, "ombudsman_asked",
					  "asks to take it further after the final response: told the procedure is complete, with the Ombudsman's details");
	}
	if (!streq(c->status, "responded"))
		return case_event(cx, c, m->from.email, "escalation_early",
				  "asks to take it further before the stage 1 response; recorded, the stage 1 clock keeps running");
	if (cx->cfg->ts.escalation_window_days > 0 && c->responded_at > 0) {
		_cleanup_free_ char *answered = effective_date(cx, c->responded_at);
		_cleanup_free_ char *limit = due_after(cx, answered, cx->cfg->ts.escalation_window_days);
		_cleanup_free_ char *today = effective_date(cx, cx->now);

		if (strcmp(today, limit) > 0) {
			flag_set(c, "escalation_late", true);
			return case_event(cx, c, m->from.email, "escalation_late",
					  "asks for stage 2 after the window (ended %s): an officer decides (#stage2)",
					  limit);
		}
	}
	return escalate(cx, c, m->from.email, "the complainant asked to take it further", m);
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

	if (!already_sent_directly(c, m))
		return case_event(cx, c, m->from.email, "sent_mail",
				  "mail sent from the complaints mailbox, not to the complainant; recorded");
	if (sent_at != 0 && sent_at < stage_began)
		return case_event(cx, c, m->from.email, "sent_mail",
				  "mail sent from the complaints mailbox before stage %d began; recorded",
				  c->stage);
	r = officer_mail(cx, c, m);
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
	if (r == -ENOENT && already_sent_directly(c, m))
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
		r = officer_mail(cx, c, m);
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
	return queue_to_officer(cx, c, TEMPLATE_DELIVERY_FAILED, "delivery-failed", NULL, NULL, &v);
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
			r = queue_to_complainant(cx, c,
						 ack ? TEMPLATE_ACK_MISSED : TEMPLATE_DEADLINE_MISSED,
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
