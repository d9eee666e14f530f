/*
 * outbox.c - queue replies with the case change; deliver them later.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "autoreply.h"
#include "buf.h"
#include "calendar.h"
#include "case_ctx.h"
#include "compose.h"
#include "conf.h"
#include "log.h"
#include "outbox.h"
#include "smtp.h"
#include "store.h"
#include "store_autoreply.h"
#include "threadkey.h"
#include "util.h"

/* "2026-12-07" -> "Monday 7 December 2026"; "" stays "". */
static char *
long_date(const char *ymd)
{
	struct cal_date d;

	if (isempty(ymd) || cal_date_parse(ymd, &d) < 0)
		return xstrdup("");
	return cal_date_format_long(d);
}

static const char *
domain_of(const char *addr)
{
	const char *at = strrchr(addr, '@');

	return at ? at + 1 : addr;
}

/* The subject without any "[CMP-2026-000123]" tags, so ours is the only one. */
static char *
subject_without_refs(const char *subject, const char *prefix)
{
	_cleanup_buf_ struct buf b = BUF_INIT;

	for (const char *p = subject; *p;) {
		const char *close = *p == '[' ? strchr(p, ']') : NULL;

		if (close != NULL) {
			_cleanup_free_ char *tag = xstrndup(p, (size_t)(close - p + 1));
			char ref[THREADKEY_REF_MAX];

			if (threadkey_find_ref(tag, prefix, ref)) {
				p = close + 1;
				p += strspn(p, " ");
				continue;
			}
		}
		(void)buf_putc(&b, *p++);
	}
	return strstrip(buf_steal(&b));
}

/*
 * Values every template may use, taken from the case and the configuration.
 * The ones that cost work to make (dates in words) only when a template of
 * this mail uses them (bits of need, by template_uses_mask()).
 */
static void
fill_common_vars(const struct case_ctx *cx, const struct case_row *c, struct template_vars *v,
		 unsigned long long need, char **owned, size_t *n_owned)
{
	const struct config *cfg = cx->cfg;
	const struct config_ombudsman *o = &cfg->lgsco;

#define SET(var, val)                                                                              \
	do {                                                                                       \
		if (v->value[var] == NULL)                                                         \
			v->value[var] = (val);                                                     \
	} while (0)
#define SET_OWNED(var, val)                                                                        \
	do {                                                                                       \
		if (v->value[var] == NULL && (need & (1ULL << (var)))) {                          \
			owned[*n_owned] = (val);                                                   \
			v->value[var] = owned[(*n_owned)++];                                       \
		}                                                                                  \
	} while (0)

	SET(TV_COUNCIL_NAME, cfg->council_name);
	SET(TV_COMPLAINTS_ADDRESS, cfg->complaints_address);
	SET(TV_COMPLAINTS_URL, cfg->complaints_url);
	if (c != NULL) {
		if (streq(c->scheme, "housing"))
			o = &cfg->housing;
		SET(TV_REFERENCE, c->ref);
		SET(TV_COMPLAINANT_NAME, *c->complainant_name ? c->complainant_name : "Sir or Madam");
		/* callers writing to the person set these (case_address.c); never an address */
		SET(TV_REPRESENTATIVE_NAME, "");
		SET(TV_ADDRESSEE_NAME, *c->complainant_name ? c->complainant_name : "Sir or Madam");
		SET(TV_ON_BEHALF_OF, "");
		SET(TV_SUBJECT, *c->subject ? c->subject : "your message");
		SET_OWNED(TV_RECEIVED_DATE, long_date(c->received_date));
		SET_OWNED(TV_ACK_DUE, long_date(c->ack_due));
		SET_OWNED(TV_RESPONSE_DUE, long_date(c->response_due));
		SET_OWNED(TV_STAGE, xasprintf("%d", c->stage));
		SET(TV_OFFICER, *c->officer ? c->officer : cfg->complaints_address);
		SET(TV_ROUTE, *c->route ? c->route : "");
	}
	SET(TV_OMBUDSMAN_NAME, o->name);
	SET(TV_OMBUDSMAN_URL, o->url);
	SET(TV_OMBUDSMAN_PHONE, o->phone);
#undef SET
#undef SET_OWNED
}

/* The footer template's body below *body (a footer's own subject is not used). */
static int
append_footer(const struct case_ctx *cx, struct outbox_mail *m, char **body)
{
	const struct template *ft = template_get(cx->templates, m->footer);
	_cleanup_free_ char *fsubject = NULL, *fbody = NULL;
	int r;

	if (ft == NULL)
		return -ENOENT;
	r = template_render(ft, &m->vars, &fsubject, &fbody);
	if (r == 0) {
		size_t n = strlen(*body);
		char *both;

		while (n > 0 && (*body)[n - 1] == '\n')
			n--;
		both = xasprintf("%.*s\n\n%s", (int)n, *body, fbody);

		free(*body);
		*body = both;
	}
	return r;
}

int
outbox_queue(const struct case_ctx *cx, struct outbox_mail *m, enum outbox_queued *ret)
{
	const struct config *cfg = cx->cfg;
	const struct template *t =
		m->tmpl == OUTBOX_NO_TEMPLATE ? NULL : template_get(cx->templates, m->tmpl);
	_cleanup_free_ char *subject = NULL, *body = NULL, *full_body = NULL, *msgid = NULL,
			    *first_msgid = NULL, *data = NULL, *key = NULL;
	char *reason = NULL;
	char *owned[8] = {0};
	size_t n_owned = 0;
	int64_t seq = 0;
	const char *in_reply_to = m->in_reply_to;
	const char *const *refs = m->references;
	size_t n_refs = m->n_references;
	struct outbox_row row = {0};
	struct compose_span span[1] = {{0, 0}};
	int r;

	if (isempty(m->to_addr) || !compose_address_ok(m->to_addr)) {
		*ret = OUTBOX_NO_ADDRESS;
		return 0;
	}
	if (m->tmpl == OUTBOX_NO_TEMPLATE) {
		/* the officer's own words and nothing else */
		if ((m->c == NULL && m->subject == NULL) || m->body_prefix == NULL)
			return -EINVAL;
		subject = m->subject ? xstrdup(m->subject)
				     : xasprintf("[%s] %s", m->c->ref, m->c->subject);
		body = xstrdup("");
	} else {
		if (t == NULL)
			return -ENOENT;
		unsigned long long need = template_uses_mask(t);

		if (m->with_footer) {
			const struct template *ft = template_get(cx->templates, m->footer);

			need = ft != NULL ? need | template_uses_mask(ft) : ~0ULL;
		}
		fill_common_vars(cx, m->c, &m->vars, need, owned, &n_owned);
		r = template_render(t, &m->vars, &subject, &body);
		if (r == 0 && m->with_footer)
			r = append_footer(cx, m, &body);
		for (size_t i = 0; i < n_owned; i++)
			free(owned[i]);
		if (r < 0)
			return r;
	}

	/* Stable Message-ID: a re-run after a crash produces the same one. */
	if (m->key != NULL)
		key = xstrdup(m->key);
	else if (m->c != NULL) {
		r = store_outbox_count_purpose(cx->store, m->c->id, m->purpose, &seq);
		if (r < 0)
			return r;
		key = xasprintf("%lld", (long long)seq + 1);
	} else
		key = xasprintf("%lld", (long long)cx->now);
	{
		_cleanup_free_ char *purpose_key = xasprintf("%s.%s", m->purpose, key);

		msgid = compose_message_id(m->c ? m->c->ref : "council", purpose_key, 1,
					   domain_of(cfg->complaints_address));
	}
	if (in_reply_to == NULL && m->c != NULL &&
	    store_case_first_message_id(cx->store, m->c->id, &first_msgid) == 0) {
		in_reply_to = first_msgid;
		refs = (const char *const *)&first_msgid;
		n_refs = 1;
	}

	if (m->thread_subject && m->c != NULL && !isempty(m->c->subject)) {
		_cleanup_free_ char *plain = subject_without_refs(m->c->subject, cfg->reference_prefix);

		free(subject);
		subject = xasprintf("[%s] %s", m->c->ref, plain);
	}
	/* the officer's words above the template's, or the template's alone (not copied) */
	if (m->body_prefix != NULL)
		full_body = *body ? xasprintf("%s\n\n%s", m->body_prefix, body)
				  : xasprintf("%s\n", m->body_prefix);
	struct compose_in in = {
		.from_addr = cfg->complaints_address,
		.from_name = *cfg->complaints_display_name ? cfg->complaints_display_name
							  : cfg->council_name,
		.to_addr = m->to_addr,
		.to_name = m->to_name,
		.subject = subject,
		.in_reply_to = in_reply_to,
		.references = refs,
		.n_references = n_refs,
		.message_id = msgid,
		.date = cx->now,
		.auto_submitted = m->automatic && !m->notification,
		.auto_generated = m->notification,
		.body = full_body != NULL ? full_body : body,
		.parts = m->parts,
		.n_parts = m->n_parts,
		.spans = m->raw_row > 0 && m->n_parts == 1 ? span : NULL,
	};
	r = compose_message(&in, &data);
	if (r < 0)
		return r;
	row.len = strlen(data);
	if (span[0].len > 0) {
		/* the stored source's bytes stay in its messages row; the view puts them back */
		memmove(data + span[0].at, data + span[0].at + span[0].len,
			row.len - span[0].at - span[0].len + 1);
		row.len -= span[0].len;
		row.orig_id = m->raw_row;
		row.orig_at = span[0].at;
	}

	row.case_id = m->c ? m->c->id : 0;
	row.purpose = (char *)m->purpose;
	row.message_id = msgid[0] == '<' ? xstrndup(msgid + 1, strlen(msgid) - 2) : xstrdup(msgid);
	row.in_reply_to = (char *)(in_reply_to ? in_reply_to : "");
	row.rcpt = (char *)m->to_addr;
	row.data = data;
	row.state = (char *)"queued";
	row.next_attempt = cx->now;
	row.last_error = (char *)"";
	row.created_at = cx->now;

	r = autoreply_decide(cx, m, ret, &reason);
	if (r < 0)
		goto out;
	if (*ret != OUTBOX_QUEUED) {
		row.state = (char *)(*ret == OUTBOX_HELD ? "held" : "suppressed");
		row.last_error = reason;
	}
	r = store_outbox_insert(cx->store, &row);
	if (r == -EEXIST) {
		*ret = OUTBOX_DUPLICATE;
		r = 0;
	} else if (r == 0 && *ret != OUTBOX_QUEUED)
		r = autoreply_recorded(cx, m, *ret, store_outbox_last_id(cx->store), reason);
out:
	free(reason);
	free(row.message_id);
	return r;
}

time_t
outbox_backoff(int attempts)
{
	time_t t = 60;

	for (int i = 1; i < attempts && t < 3600; i++)
		t *= 2;
	return t > 3600 ? 3600 : t;
}

/* Record one delivery attempt's outcome in its own transaction. */
static int
record_attempt(const struct case_ctx *cx, struct outbox_row *o, enum smtp_result res, long code,
	       const char *error, outbox_failed_fn failed)
{
	int r = store_begin(cx->store);

	if (r < 0)
		return r;
	free(o->last_error);
	o->last_error = xstrdup(error ? error : "");
	free(o->state);
	switch (res) {
	case SMTP_OK:
		o->state = xstrdup("sent");
		o->sent_at = cx->now;
		break;
	case SMTP_TEMPFAIL:
		o->attempts++;
		if (cx->now - o->created_at > OUTBOX_MAX_AGE) {
			o->state = xstrdup("failed");
		} else {
			o->state = xstrdup("queued");
			o->next_attempt = cx->now + outbox_backoff(o->attempts);
		}
		break;
	case SMTP_PERMFAIL:
		o->attempts++;
		o->state = xstrdup("failed");
		break;
	case SMTP_CONFIG:
		o->state = xstrdup("queued");
		break;
	}
	r = store_outbox_update(cx->store, o);
	if (r == 0 && streq(o->state, "failed") && o->case_id > 0 && failed != NULL)
		r = failed(cx, o);
	if (r == 0 && streq(o->state, "failed") && o->case_id == 0)
		log_fields(LOG_WARNING,
			   &(struct log_fields){.catalog_id = MSGID_DELIVERY_FAILED,
						.event = "delivery_failed"},
			   "Mail to %s (%s) could not be delivered: %s", o->rcpt, o->purpose,
			   o->last_error);
	if (r == 0)
		r = store_commit(cx->store);
	if (r < 0)
		store_rollback(cx->store);
	(void)code;
	return r;
}

/* Try each row once; stop at the first failure to record an outcome. */
static int
deliver_batch(const struct case_ctx *cx, struct smtp *smtp, struct outbox_row *rows, size_t n,
	      struct outbox_stats *stats, outbox_failed_fn failed, void (*tick)(void *userdata),
	      void *userdata)
{
	for (size_t i = 0; i < n; i++) {
		struct outbox_row *o = &rows[i];
		_cleanup_free_ char *error = NULL;
		long code = 0;
		enum smtp_result res;
		int r;

		if (tick != NULL)
			tick(userdata);
		res = smtp_send(smtp, cx->cfg->complaints_address, o->rcpt, o->data, o->len, &code,
				&error);
		if (res == SMTP_CONFIG) {
			log_error("SMTP refused us (%s): %s; all mail stays queued until [smtp] is fixed",
				  smtp_result_to_string(res), error ? error : "no detail");
			return -EPROTO;
		}
		r = record_attempt(cx, o, res, code, error, failed);
		if (r < 0) {
			if (res == SMTP_OK)
				log_fields(LOG_ERR,
					   &(struct log_fields){.event = "mail_unrecorded",
								.mail_message_id = o->message_id},
					   "%s to %s was accepted by the SMTP server but cannot be recorded as sent: %s; "
					   "it will be sent again, with the same Message-ID, once the database can be written",
					   o->purpose, o->rcpt, store_last_error(cx->store));
			return r;
		}
		if (res == SMTP_OK) {
			stats->sent++;
			log_fields(LOG_INFO,
				   &(struct log_fields){.event = "mail_sent", .mail_message_id = o->message_id},
				   "Sent %s to %s", o->purpose, o->rcpt);
		} else if (streq(o->state, "queued")) {
			stats->deferred++;
			log_warning("Mail to %s deferred (%s); next attempt in %lld seconds",
				    o->rcpt, error ? error : "temporary failure",
				    (long long)(o->next_attempt - cx->now));
		} else
			stats->failed++;
	}
	return 0;
}

int
outbox_deliver(const struct case_ctx *cx, struct smtp *smtp, struct outbox_stats *stats,
	       outbox_failed_fn failed, void (*tick)(void *userdata), void *userdata)
{
	size_t n;
	int r;

	/*
	 * Batches until nothing is due, so a backlog goes out in one round, and
	 * so does mail queued while delivering (the alert about a permanent
	 * failure).  A row tried is sent, failed, or queued for later, and is
	 * not due again in this round, so this ends.
	 */
	do {
		struct outbox_row *rows = NULL;

		n = 0;
		r = store_outbox_due(cx->store, cx->now, OUTBOX_BATCH, &rows, &n);
		if (r < 0)
			return r;
		r = deliver_batch(cx, smtp, rows, n, stats, failed, tick, userdata);
		outbox_rows_free(rows, n);
	} while (r == 0 && n > 0);
	return r;
}
