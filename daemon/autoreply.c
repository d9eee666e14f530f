/*
 * autoreply.c - the automatic-reply limit: send, hold back, or never send.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "automail.h"
#include "autoreply.h"
#include "calendar.h"
#include "case_ctx.h"
#include "conf.h"
#include "log.h"
#include "store_autoreply.h"
#include "util.h"

static bool
is_ack_purpose(const char *purpose)
{
	return startswith(purpose, "ack-stage") || startswith(purpose, "receipt-stage");
}

/* Mail for the council's own people: never counted, never held. */
static bool
to_council_side(const struct case_ctx *cx, const struct outbox_mail *m)
{
	const struct config *cfg = cx->cfg;
	const char *rcpt = m->to_addr;

	return m->notification || startswith(m->purpose, "notify-") ||
	       startswith(m->purpose, "officer-") || streq(m->purpose, "command-error") ||
	       streq(m->purpose, "delivery-failed") ||
	       ascii_strcaseeq(rcpt, cfg->complaints_address) ||
	       ascii_strcaseeq(rcpt, config_alerts_address(cfg)) ||
	       (m->c != NULL && ascii_strcaseeq(rcpt, m->c->officer)) ||
	       config_address_in(rcpt, cfg->officer_addresses, cfg->n_officer_addresses,
				 cfg->officer_domains, cfg->n_officer_domains);
}

/* Was mail from addr authenticated on case c before (a "sender_authenticated" event)? */
static int
sender_auth_known(const struct case_ctx *cx, const struct case_row *c, const char *addr,
		  bool *ret)
{
	return store_event_has(cx->store, c->id, "sender_authenticated", addr, ret);
}

int
autoreply_decide(const struct case_ctx *cx, const struct outbox_mail *m, enum outbox_queued *ret,
		 char **ret_reason)
{
	const int limit = cx->cfg->max_auto_replies_per_day;
	int64_t count = 0, acks = 0;
	bool known = false;
	int r;

	*ret = OUTBOX_QUEUED;
	*ret_reason = NULL;
	if (!m->automatic || to_council_side(cx, m))
		return 0;
	if (automail_never_answer(m->to_addr)) {
		*ret = OUTBOX_SUPPRESSED;
		*ret_reason = xstrdup("never answered: a no-reply, list or mail system address");
		return 0;
	}
	if (cx->authenticated_sender != NULL && ascii_strcaseeq(m->to_addr, cx->authenticated_sender))
		return 0;
	if (m->c != NULL) {
		r = sender_auth_known(cx, m->c, m->to_addr, &known);
		if (r < 0 || known)
			return r;
	}
	r = store_outbox_count_limited(cx->store, m->to_addr, cx->now - 86400, &count, &acks);
	if (r < 0)
		return r;
	if (count < limit || (is_ack_purpose(m->purpose) && acks == 0))
		return 0;
	*ret = OUTBOX_HELD;
	*ret_reason = xasprintf("held back: %lld automatic mails to this address in 24 hours "
				"(max_auto_replies_per_day = %d) and its mail is not authenticated",
				(long long)count, limit);
	return 0;
}

int
autoreply_recorded(const struct case_ctx *cx, const struct outbox_mail *m,
		   enum outbox_queued what, int64_t id, const char *reason)
{
	_cleanup_free_ char *detail = NULL;
	const char *ref = m->c ? m->c->ref : "no case";

	if (what == OUTBOX_HELD)
		detail = xasprintf("%s to %s (mail %lld) %s; an officer can send it with "
				   "complaintsctl outbox release %lld",
				   m->purpose, m->to_addr, (long long)id, reason, (long long)id);
	else
		detail = xasprintf("%s to %s (mail %lld) not sent: %s", m->purpose, m->to_addr,
				   (long long)id, reason);
	log_fields(what == OUTBOX_HELD ? LOG_WARNING : LOG_NOTICE,
		   &(struct log_fields){.catalog_id = what == OUTBOX_HELD ? MSGID_REPLY_HELD : NULL,
					.case_ref = m->c ? m->c->ref : NULL,
					.event = what == OUTBOX_HELD ? "reply_held" : "reply_suppressed",
					.stage = m->c ? m->c->stage : 0},
		   "%s: %s", ref, detail);
	if (m->c == NULL)
		return 0;
	return store_event_add(cx->store, m->c->id, cx->now, "complaintsd",
			       what == OUTBOX_HELD ? "reply_held" : "reply_suppressed", detail);
}

/* Held row id, as store_outbox_list shows it. */
struct held {
	int64_t id, case_id;
	time_t created_at;
	char *purpose, *rcpt;
};

static int
find_held(const struct outbox_row *o, void *userdata)
{
	struct held *h = userdata;

	if (o->id != h->id)
		return 0;
	h->case_id = o->case_id;
	h->created_at = o->created_at;
	h->purpose = xstrdup(o->purpose);
	h->rcpt = xstrdup(o->rcpt);
	return 0;
}

/* A released acknowledgement acknowledges the case, with the date the mail promised. */
static int
release_on_case(const struct case_ctx *cx, const struct held *h, const char *actor)
{
	_cleanup_case_row_ struct case_row *c = NULL;
	int r = store_case_get(cx->store, h->case_id, &c);
	bool ack = startswith(h->purpose, "ack-stage") && c != NULL &&
		   c->stage == (streq(h->purpose, "ack-stage2") ? 2 : 1) && c->acknowledged_at == 0;

	if (r < 0)
		return r;
	if (ack) {
		int days = c->stage == 1 ? cx->cfg->ts.stage1_response_days
					 : cx->cfg->ts.stage2_response_days;
		struct cal_date d;
		char buf[CAL_DATE_STRLEN];

		r = calendar_received_date(cx->cal, h->created_at, &d);
		if (r == 0)
			r = cal_date_format(calendar_add_working_days(cx->cal, d, days), buf);
		if (r < 0)
			return r;
		c->acknowledged_at = cx->now;
		free(c->response_due);
		c->response_due = xstrdup(buf);
		c->updated_at = cx->now;
		r = store_case_update(cx->store, c);
		if (r < 0)
			return r;
	}
	r = case_event(cx, c, actor, "reply_released", "%s to %s (mail %lld) released%s%s",
		       h->purpose, h->rcpt, (long long)h->id,
		       ack ? "; acknowledged now, response due " : "", ack ? c->response_due : "");
	return r;
}

int
autoreply_release(const struct case_ctx *cx, int64_t id, const char *actor)
{
	struct held h = {.id = id};
	int r = store_begin(cx->store);

	if (r < 0)
		return r;
	r = store_outbox_list(cx->store, "held", find_held, &h);
	if (r == 0)
		r = h.purpose == NULL ? -ENOENT
				      : store_outbox_move(cx->store, id, "held", "queued", cx->now);
	if (r == 0 && h.case_id > 0)
		r = release_on_case(cx, &h, actor);
	if (r == 0)
		r = store_commit(cx->store);
	if (r < 0)
		store_rollback(cx->store);
	free(h.purpose);
	free(h.rcpt);
	return r;
}
