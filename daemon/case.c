/*
 * case.c - opening cases and recording what happens to them.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "calendar.h"
#include "case.h"
#include "conf.h"
#include "log.h"
#include "quote.h"
#include "rules.h"
#include "threadkey.h"
#include "util.h"

int
case_event(struct store *st, const struct case_row *c, time_t now, const char *actor,
	   const char *type, const char *fmt, ...)
{
	_cleanup_free_ char *detail = NULL;
	va_list ap;

	va_start(ap, fmt);
	detail = xvasprintf(fmt, ap);
	va_end(ap);
	log_fields(LOG_INFO,
		   &(struct log_fields){.case_ref = c->ref, .event = type, .stage = c->stage},
		   "%s: %s: %s", c->ref, type, detail);
	return store_event_add(st, c->id, now, actor, type, detail);
}

/* The date n working days after d, as YYYY-MM-DD. */
static char *
due_date(const struct calendar *cal, const char *from, int n)
{
	struct cal_date d, due;
	char buf[16];

	if (cal_date_parse(from, &d) < 0)
		return xstrdup("");
	due = calendar_add_working_days(cal, d, n);
	cal_date_format(due, buf);
	return xstrdup(buf);
}

static void
flags_add(struct buf *b, const char *flag)
{
	if (b->len > 0)
		(void)buf_putc(b, ' ');
	(void)buf_puts(b, flag);
}

int
case_open(struct store *st, const struct config *cfg, const struct calendar *cal,
	  const struct rules *rules, const struct message *m, enum sender_role role,
	  time_t received_at, time_t now, const char *quoted_ref, struct case_row **ret)
{
	_cleanup_case_row_ struct case_row *c = xcalloc(1, sizeof(*c));
	_cleanup_free_ char *own = quote_strip(m->body), *detail = NULL;
	_cleanup_buf_ struct buf flags = BUF_INIT;
	struct classification cl = {0};
	const struct msg_forward *fwd = NULL;
	struct cal_date rd;
	char datebuf[16];
	int r;

	cl.kind = KIND_COMPLAINT;
	cl.scheme = SCHEME_LGSCO;
	if (rules != NULL) {
		r = rules_classify(rules, m->subject, own, role, &cl);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < cl.n_flags; i++)
		flags_add(&flags, cl.flags[i]);

	r = calendar_received_date(cal, received_at, &rd);
	if (r < 0) {
		classification_free(&cl);
		return r;
	}
	cal_date_format(rd, datebuf);

	c->kind = xstrdup(case_kind_to_string(cl.kind));
	c->stage = 1;
	c->status = xstrdup(case_status_to_string(STATUS_OPEN));
	c->scheme = xstrdup(case_scheme_to_string(cl.scheme));
	c->route = xstrdup(cl.route ? cl.route : "");
	c->subject = xstrdup(m->subject);
	c->subject_key = threadkey_normalise_subject(m->subject);
	c->received_at = received_at;
	c->received_date = xstrdup(datebuf);
	c->officer = xstrdup("");
	c->outcome = xstrdup("");
	c->created_at = c->updated_at = now;
	classification_free(&cl);

	if (role == ROLE_COUNCILLOR) {
		/* The constituent is the complainant; the member represents them. */
		for (size_t i = 0; i < m->n_forwards; i++)
			if (!isempty(m->forwards[i].from.email) &&
			    !ascii_strcaseeq(m->forwards[i].from.email, m->from.email)) {
				fwd = &m->forwards[i];
				break;
			}
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
	if (streq(c->kind, "complaint"))
		c->ack_due = due_date(cal, c->received_date, cfg->ts.stage1_ack_days);
	else
		c->ack_due = xstrdup("");
	c->response_due = xstrdup("");
	c->flags = buf_steal(&flags);

	r = store_next_ref(st, cfg->reference_prefix, rd.year, &c->ref);
	if (r < 0)
		return r;
	r = store_case_insert(st, c);
	if (r < 0)
		return r;

	log_fields(LOG_INFO,
		   &(struct log_fields){.catalog_id = MSGID_CASE_OPENED, .case_ref = c->ref,
					.event = "opened", .stage = 1, .mail_message_id = m->message_id},
		   "Case %s opened: %s from %s, received %s%s%s", c->ref, c->kind,
		   sender_role_to_string(role), c->received_date, *c->flags ? ", flags " : "",
		   c->flags);
	detail = xasprintf("kind=%s received=%s%s%s", c->kind, c->received_date,
			   *c->flags ? " flags=" : "", c->flags);
	r = store_event_add(st, c->id, now, m->from.email, "opened", detail);
	if (r < 0)
		return r;
	if (!isempty(c->rep_email)) {
		r = case_event(st, c, now, m->from.email, "representative",
			       "%s %s writes for %s; consent unknown until an officer records it",
			       c->rep_role, c->rep_email,
			       isempty(c->complainant_email) ? "a constituent" : c->complainant_email);
		if (r < 0)
			return r;
	}
	if (quoted_ref != NULL) {
		_cleanup_case_row_ struct case_row *other = NULL;

		r = case_event(st, c, now, m->from.email, "linked",
			       "quotes reference %s but is not a party to that case", quoted_ref);
		if (r < 0)
			return r;
		if (store_case_get_ref(st, quoted_ref, &other) == 0) {
			r = case_event(st, other, now, m->from.email, "linked",
				       "%s quoted this reference; opened as %s", m->from.email, c->ref);
			if (r < 0)
				return r;
		}
	}
	*ret = TAKE_PTR(c);
	return 0;
}

int
case_message_received(struct store *st, const struct config *cfg, const struct calendar *cal,
		      const struct rules *rules, struct case_row *c, const struct message *m,
		      enum sender_role role, enum automail_kind automail, const char *threaded_by,
		      time_t now)
{
	int r;

	c->updated_at = now;
	r = store_case_update(st, c);
	if (r < 0)
		return r;
	if (automail != AUTOMAIL_NONE)
		return case_event(st, c, now, m->from.email, "automatic",
				  "%s received (%s); not answered", automail_kind_to_string(automail),
				  isempty(m->subject) ? "no subject" : m->subject);
	return case_event(st, c, now, m->from.email, "message", "from %s (%s), matched by %s",
			  isempty(m->from.email) ? "unknown sender" : m->from.email,
			  sender_role_to_string(role), threaded_by);
}
