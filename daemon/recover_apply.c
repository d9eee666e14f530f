/*
 * recover_apply.c - take up again, in order, the mail recover.c found (see
 * recover.h): received mail through intake as new mail, our own mail found
 * in the Sent folder recorded as sent.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "intake.h"
#include "log.h"
#include "message.h"
#include "recover_impl.h"
#include "store.h"
#include "store_recover.h"
#include "util.h"

/* A step on case_id (0: none): an event `recovered` on the case and a journal line. */
static int __attribute__((format(printf, 4, 5)))
step(struct recover_run *rr, int64_t case_id, const char *mail_id, const char *fmt, ...)
{
	_cleanup_case_row_ struct case_row *c = NULL;
	_cleanup_free_ char *line = NULL;
	va_list ap;
	int r = 0;

	va_start(ap, fmt);
	line = xvasprintf(fmt, ap);
	va_end(ap);
	if (case_id > 0) {
		r = store_case_get(rr->in->store, case_id, &c);
		if (r == 0)
			r = store_event_add(rr->in->store, case_id, time(NULL), "complaintsd",
					    "recovered", line);
		if (r < 0)
			return r;
	}
	if (c != NULL)
		recover_say(rr, c->ref, mail_id, "%s: %s", c->ref, line);
	else
		recover_say(rr, NULL, mail_id, "%s", line);
	return 0;
}

static void
utc(time_t t, char buf[static 32])
{
	struct tm tm;

	if (t <= 0 || gmtime_r(&t, &tm) == NULL)
		snprintf(buf, 32, "date unknown");
	else
		strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The reference our own mail gave the case of the message with this Message-ID, or NULL. */
static const char *
ref_hint(const struct recover_run *rr, const char *message_id)
{
	if (isempty(message_id))
		return NULL;
	for (size_t i = 0; i < rr->n_items; i++) {
		const struct recover_item *o = &rr->items[i];

		if (o->kind != RK_OWN || o->ref == NULL)
			continue;
		if (streq(o->in_reply_to, message_id))
			return o->ref;
		for (size_t j = 0; j < o->n_references; j++)
			if (streq(o->references[j], message_id))
				return o->ref;
	}
	return NULL;
}

static bool
case_exists(struct store *s, const char *ref)
{
	_cleanup_case_row_ struct case_row *c = NULL;

	return ref != NULL && store_case_get_ref(s, ref, &c) == 0;
}

static int
apply_received(struct recover_run *rr, struct recover_item *it)
{
	struct intake *in = rr->in;
	const char *hint = it->kind == RK_SENT ? NULL : ref_hint(rr, it->message_id);
	struct intake_source src = {.mailbox = it->folder, .uidvalidity = it->uidvalidity,
				    .uid = it->uid, .internaldate = it->date, .raw = it->raw,
				    .len = it->len, .size = it->size, .recover_ref = hint};
	_cleanup_message_ struct message *m = NULL;
	_cleanup_free_ char *reason = NULL;
	enum intake_disposition disp;
	bool had = case_exists(in->store, hint);
	int64_t case_id = 0;
	char when[32];
	int r;

	/* mail in the quarantine folder stays quarantined, whatever made it so */
	if (it->quarantine_reason != NULL)
		src.quarantine_reason = it->quarantine_reason;
	else if (it->kind == RK_QUARANTINE && it->raw != NULL &&
		 message_parse(it->raw, it->len, &in->limits, &m, &reason) == MSG_OK)
		src.quarantine_reason = "recovered from the quarantine folder (the first reason is not recorded)";
	r = intake_message(in, &src, it->date > 0 ? it->date : time(NULL), &disp);
	if (r < 0)
		return r;
	rr->rep->taken_up++;
	if (disp == INTAKE_QUARANTINED)
		rr->rep->quarantined++;
	if (hint != NULL && !had && case_exists(in->store, hint))
		rr->rep->cases_reopened++;
	r = store_recover_message_case(in->store, it->folder, it->uidvalidity, it->uid, &case_id);
	if (r < 0 && r != -ENOENT)
		return r;
	utc(it->date, when);
	return step(rr, case_id, it->message_id,
		    "%s <%s> (%s UID %u, received %s) taken up again from the mailbox%s",
		    disp == INTAKE_QUARANTINED ? "quarantined message"
		    : it->kind == RK_SENT      ? "sent mail"
					       : "message",
		    it->message_id, it->folder, it->uid, when,
		    case_id > 0 ? "" : disp == INTAKE_QUARANTINED ? "" : ", recorded without a case");
}

static int
apply_own(struct recover_run *rr, struct recover_item *it)
{
	struct store *store = rr->in->store;
	_cleanup_free_ char *state = NULL, *purpose = NULL;
	int64_t id = 0, case_id = 0;
	char when[32];
	int r;

	utc(it->date, when);
	if (it->raw == NULL)
		return step(rr, 0, it->message_id,
			    "our mail <%s> in %s UID %u is too big to read; not recorded",
			    it->message_id, it->folder, it->uid);
	r = store_recover_outbox_get(store, it->message_id, &id, &case_id, &state);
	if (r == 0) {
		if (!streq(state, "queued") && !streq(state, "held"))
			return 0;
		r = store_recover_outbox_sent(store, id, it->raw, it->len, it->date);
		if (r < 0)
			return r;
		rr->rep->replies_found++;
		return step(rr, case_id, it->message_id,
			    "mail <%s> to %s found in the Sent folder (sent %s); recorded as sent, not sent again",
			    it->message_id, it->rcpt, when);
	}
	if (r != -ENOENT)
		return r;
	/* sent, but nothing rebuilt queues it (a reminder, a command's mail): recorded as found */
	if (it->ref != NULL) {
		_cleanup_case_row_ struct case_row *c = NULL;

		r = store_case_get_ref(store, it->ref, &c);
		if (r < 0 && r != -ENOENT)
			return r;
		case_id = c ? c->id : 0;
	}
	purpose = recover_purpose_of_message_id(it->message_id);
	r = store_recover_outbox_insert_sent(store, case_id, purpose, it->message_id,
					     it->in_reply_to, it->rcpt, it->raw, it->len,
					     it->date > 0 ? it->date : time(NULL));
	if (r == -EEXIST)
		return 0;
	if (r < 0)
		return r;
	rr->rep->replies_found++;
	return step(rr, case_id, it->message_id,
		    "mail <%s> (%s) to %s found in the Sent folder (sent %s); recorded as sent",
		    it->message_id, purpose, it->rcpt, when);
}

static int
pending(const struct recover_queued *q, void *userdata)
{
	struct recover_run *rr = userdata;

	if (streq(q->state, "held")) {
		rr->rep->replies_held++;
		return step(rr, q->case_id, q->message_id,
			    "%s to %s was held back (the daily limit), as before; it waits for an officer",
			    q->purpose, q->rcpt);
	}
	rr->rep->replies_resent++;
	return step(rr, q->case_id, q->message_id,
		    "%s to %s <%s> is not in the Sent folder; it is sent now", q->purpose, q->rcpt,
		    q->message_id);
}

static int
savepoint(struct store *s, const char *sql)
{
	int r = store_rows(s, "recovery savepoint", sql, NULL, NULL, "");

	return r < 0 ? r : 0;
}

/* Errors of the database itself, after which going on is pointless (as in sync.c). */
static bool
fatal(int r)
{
	return r == -ENOSPC || r == -EIO || r == -EACCES || r == -EBUSY;
}

/*
 * One item inside its own savepoint.  One that fails for its own sake is
 * undone alone: received mail is then recorded bare as quarantined (as the
 * sync does), our own mail is left out with an error; neither stops the rest.
 */
static int
apply_one(struct recover_run *rr, struct recover_item *it)
{
	struct store *s = rr->in->store;
	int r = savepoint(s, "SAVEPOINT recover_item");

	if (r == 0)
		r = it->kind == RK_OWN ? apply_own(rr, it) : apply_received(rr, it);
	if (r < 0 && !fatal(r)) {
		_cleanup_free_ char *why = xasprintf("store_error: %s", store_last_error(s));

		r = savepoint(s, "ROLLBACK TO recover_item");
		if (r == 0 && it->kind == RK_OWN)
			log_error("Recovery: our mail <%s> in %s UID %u could not be recorded (%s); left out",
				  it->message_id, it->folder, it->uid, why);
		else if (r == 0) {
			log_error("Recovery: %s UID %u could not be taken up (%s); recording it as quarantined",
				  it->folder, it->uid, why);
			it->quarantine_reason = xstrdup(why);
			r = apply_received(rr, it);
		}
	}
	if (r == 0)
		r = savepoint(s, "RELEASE recover_item");
	return r;
}

int
recover_apply(struct recover_run *rr)
{
	int64_t before = 0;
	int r = store_recover_outbox_max_id(rr->in->store, &before);

	for (size_t i = 0; r == 0 && i < rr->n_items; i++) {
		if (rr->o->tick != NULL && i % 50 == 0)
			rr->o->tick(rr->o->userdata);
		r = apply_one(rr, &rr->items[i]);
	}
	if (r == 0)
		r = store_recover_outbox_pending(rr->in->store, before, pending, rr);
	return r;
}
