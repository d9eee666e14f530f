/*
 * intake.c - one inbound message: record, parse, classify, thread, apply.
 *
 * Order matters and is the guarantee "drop nothing": the message is recorded
 * with its raw source in the same transaction as everything it causes, a
 * message that cannot be parsed is recorded as quarantined, and a message
 * already recorded (same mailbox/UIDVALIDITY/UID, or same Message-ID and body)
 * is recognised and not processed twice.
 */
#include "config.h"

#include <errno.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <string.h>

#include "automail.h"
#include "calendar.h"
#include "case.h"
#include "conf.h"
#include "forwarded.h"
#include "hdrscan.h"
#include "intake.h"
#include "kinds.h"
#include "log.h"
#include "quote.h"
#include "rules.h"
#include "sender_auth.h"
#include "store.h"
#include "threadkey.h"
#include "util.h"

/* Hex SHA-256 of the body (after the header section), or of everything when
 * whole is set: the "same message" test that survives a UIDVALIDITY change
 * and a second delivery with other Received: lines. */
static void
digest_message(const char *raw, size_t len, bool whole, char ret[static 65])
{
	unsigned char md[32];
	const char *body = raw;
	size_t blen = len;

	if (!whole)
		for (const char *nl = memchr(raw, '\n', len); nl != NULL && nl + 1 < raw + len;
		     nl = memchr(nl + 1, '\n', len - (size_t)(nl + 1 - raw))) {
			if (nl[1] == '\n') {
				body = nl + 2;
				break;
			}
			if (nl[1] == '\r' && nl + 2 < raw + len && nl[2] == '\n') {
				body = nl + 3;
				break;
			}
		}
	blen = len - (size_t)(body - raw);
	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, body, blen, md) < 0)
		memset(md, 0, sizeof(md));
	for (size_t i = 0; i < sizeof(md); i++) {
		static const char hex[] = "0123456789abcdef";

		ret[2 * i] = hex[md[i] >> 4];
		ret[2 * i + 1] = hex[md[i] & 15];
	}
	ret[64] = '\0';
}

/*
 * *ret_unverified: the mail claims an officer's address but the council's
 * mail server did not vouch for it (daemon/sender_auth.h).
 */
static enum sender_role
sender_role(const struct intake *in, const struct message *m, enum automail_kind automail,
	    const struct authres_verdict *auth, bool *ret_unverified)
{
	const struct config *c = in->cfg;
	const char *from = m->from.email;

	if (automail != AUTOMAIL_NONE)
		return ROLE_AUTOMATIC;
	if (ascii_strcaseeq(from, c->complaints_address))
		return ROLE_COUNCIL;
	if (config_address_in(from, c->councillor_addresses, c->n_councillor_addresses,
			      c->councillor_domains, c->n_councillor_domains))
		return ROLE_COUNCILLOR;
	if (config_address_in(from, c->officer_addresses, c->n_officer_addresses, c->officer_domains,
			      c->n_officer_domains)) {
		if (!c->officer_auth_required || authres_officer_proven(auth))
			return ROLE_OFFICER;
		*ret_unverified = true;
	}
	return ROLE_RESIDENT;
}

/* Is addr one of the parties of case c (complainant or representative)? */
static bool
is_party(const struct case_row *c, const char *addr)
{
	return ascii_strcaseeq(c->complainant_email, addr) || ascii_strcaseeq(c->rep_email, addr);
}

enum thread_how { THREAD_NONE, THREAD_REF, THREAD_HEADERS, THREAD_SUBJECT };

static const char *
thread_how_to_string(enum thread_how h)
{
	switch (h) {
	case THREAD_REF:
		return "reference";
	case THREAD_HEADERS:
		return "references";
	case THREAD_SUBJECT:
		return "subject";
	default:
		return "none";
	}
}

/*
 * Which case does m belong to?  In order: the case reference in the subject
 * (only for a party to the case or an officer: anyone else quoting a
 * reference gets a new case, linked through *ret_quoted_ref), then
 * In-Reply-To and References against every Message-ID received or sent on a
 * case, then the same complainant with the same normalised subject recently.
 */
static int
thread_find(struct intake *in, const struct message *m, enum sender_role role, time_t now,
	    struct case_row **ret, enum thread_how *ret_how, char **ret_quoted_ref)
{
	char ref[32];
	int64_t case_id = 0;
	int r;

	*ret = NULL;
	*ret_how = THREAD_NONE;
	if (threadkey_find_ref(m->subject, in->cfg->reference_prefix, ref)) {
		struct case_row *c = NULL;

		r = store_case_get_ref(in->store, ref, &c);
		if (r < 0 && r != -ENOENT)
			return r;
		if (c != NULL) {
			if (role == ROLE_OFFICER || role == ROLE_AUTOMATIC || role == ROLE_COUNCIL ||
			    is_party(c, m->from.email)) {
				*ret = c;
				*ret_how = THREAD_REF;
				return 0;
			}
			*ret_quoted_ref = xstrdup(ref);
			case_row_free(c);
			return 0;
		}
	}

	/* a bounce names the Message-ID of our mail in its returned headers */
	r = -ENOENT;
	if (role == ROLE_AUTOMATIC && !isempty(m->dsn_original_message_id))
		r = store_case_by_message_id(in->store, m->dsn_original_message_id, &case_id);
	if (r == -ENOENT)
		r = store_case_by_message_id(in->store, m->in_reply_to, &case_id);
	for (size_t i = m->n_references; r == -ENOENT && i > 0; i--)
		r = store_case_by_message_id(in->store, m->references[i - 1], &case_id);
	if (r < 0 && r != -ENOENT)
		return r;
	if (r == 0) {
		*ret_how = THREAD_HEADERS;
		return store_case_get(in->store, case_id, ret);
	}

	if (role == ROLE_RESIDENT && in->cfg->thread_window_days > 0) {
		_cleanup_free_ char *key = threadkey_normalise_subject(m->subject);

		r = store_case_by_subject(in->store, m->from.email, key,
					  now - (time_t)in->cfg->thread_window_days * 86400, &case_id);
		if (r < 0 && r != -ENOENT)
			return r;
		if (r == 0) {
			*ret_how = THREAD_SUBJECT;
			return store_case_get(in->store, case_id, ret);
		}
	}
	return 0;
}

static int
record_message_row(struct intake *in, const struct intake_source *src, const struct message *m,
		   int64_t case_id, enum sender_role role, const char *automatic,
		   const char *digest, time_t received_at, int64_t *ret_row)
{
	struct message_row row = {
		.case_id = case_id,
		.direction = intake_from_sent_folder(in, src) ? "out" : "in",
		.role = sender_role_to_string(role),
		.message_id = m->message_id,
		.digest = digest,
		.mailbox = src->mailbox,
		.uidvalidity = src->uidvalidity,
		.uid = src->uid,
		.from_email = m->from.email,
		.from_name = m->from.name,
		.subject = m->subject,
		.received_at = received_at,
		.automatic = automatic,
		.state = "processed",
		.reason = "",
		.body = m->body,
		.raw = src->raw,
		.raw_len = src->len,
	};

	return store_message_insert(in->store, &row, ret_row);
}

static int
record_message(struct intake *in, const struct intake_source *src, const struct message *m,
	       int64_t case_id, enum sender_role role, const char *automatic, const char *digest,
	       time_t received_at)
{
	return record_message_row(in, src, m, case_id, role, automatic, digest, received_at, NULL);
}

/* The message opening a case, recorded from inside case_open() (case_ctx.record_opening). */
struct opening {
	struct intake *in;
	const struct intake_source *src;
	const struct message *m;
	enum sender_role role;
	const char *digest;
	time_t received_at;
	bool recorded;
};

static int64_t
record_opening(const struct case_ctx *cx, const struct case_row *c)
{
	struct opening *o = cx->record_arg;
	int64_t row = 0;
	int r = record_message_row(o->in, o->src, o->m, c->id, o->role, "", o->digest,
				   o->received_at, &row);

	if (r < 0)
		return r;
	o->recorded = true;
	return row;
}

/*
 * A copy of message row dup_id (message_id NULL: a quarantined one): said in
 * the log, and the row now points at this copy's UID so it is moved on.
 */
static int
known_copy(struct intake *in, const struct intake_source *src, int64_t dup_id,
	   const char *message_id)
{
	log_fields(LOG_INFO,
		   &(struct log_fields){.event = "duplicate", .mail_message_id = message_id,
					.imap_uid = src->uid},
		   message_id ? "Message UID %u is a copy of one already recorded; not processed again"
			      : "Message UID %u is a copy of one already quarantined; not recorded again",
		   src->uid);
	return src->uid ? store_message_set_uid(in->store, dup_id, src->mailbox, src->uidvalidity,
						src->uid)
			: 0;
}

static int
quarantine(struct intake *in, const struct intake_source *src, const char *reason, time_t now)
{
	char digest[65] = "";
	struct message_row row = {
		.direction = "in",
		.role = "unknown",
		.message_id = "",
		.digest = digest,
		.mailbox = src->mailbox,
		.uidvalidity = src->uidvalidity,
		.uid = src->uid,
		.received_at = src->internaldate ? src->internaldate : now,
		.state = "quarantined",
		.reason = reason,
		.raw = src->raw,
		.raw_len = src->raw ? src->len : 0,
	};
	int64_t dup_id;
	int r;

	/*
	 * A quarantined message has no trustworthy Message-ID: it is known by
	 * the digest of its raw text, or, when it was too big to fetch, by its
	 * size and arrival time.  The same copy again (the mailbox recreated
	 * under a new UIDVALIDITY) is recognised, not recorded twice.
	 */
	if (src->raw != NULL)
		digest_message(src->raw, src->len, true, digest);
	else
		snprintf(digest, sizeof(digest), "unfetched:%zu:%lld", src->size,
			 (long long)src->internaldate);
	r = store_message_find_digest(in->store, "", digest, &dup_id);
	if (r == 0)
		return known_copy(in, src, dup_id, NULL);
	if (r != -ENOENT)
		return r;
	r = store_message_insert(in->store, &row, NULL);
	if (r < 0)
		return r;
	log_fields(LOG_ERR,
		   &(struct log_fields){.catalog_id = MSGID_QUARANTINED, .event = "quarantined",
					.imap_uid = src->uid},
		   "Message UID %u quarantined: %s; it stays in the %s folder for an officer to read",
		   src->uid, reason,
		   intake_from_sent_folder(in, src) ? src->mailbox : in->cfg->imap_quarantine_folder);
	return 0;
}

struct intake_prep *
intake_prepare(const struct msg_limits *limits, const struct rules *rules, const char *raw,
	       size_t len)
{
	struct intake_prep *p = xcalloc(1, sizeof(*p));

	p->pr = message_parse(raw, len, limits, &p->m, &p->reason);
	if (p->pr != MSG_OK)
		return p;
	digest_message(raw, len, isempty(p->m->message_id), p->digest);
	p->own = quote_strip(p->m->body);
	/* most new cases are a resident's mail: classified here, on the fetch thread */
	if (rules != NULL)
		p->classified = rules_classify(rules, p->m->subject, p->own, ROLE_RESIDENT,
					       &p->cl) == 0;
	return p;
}

void
intake_prep_free(struct intake_prep *p)
{
	if (p == NULL)
		return;
	message_free(p->m);
	free(p->reason);
	free(p->own);
	if (p->classified)
		classification_free(&p->cl);
	free(p);
}

static void
intake_prep_freep(struct intake_prep **p)
{
	intake_prep_free(*p);
}

bool
intake_from_sent_folder(const struct intake *in, const struct intake_source *src)
{
	return !isempty(in->cfg->imap_sent_folder) && src->mailbox != NULL &&
	       streq(src->mailbox, in->cfg->imap_sent_folder);
}

/*
 * Mail the council sent (the Sent folder, read-only).  Our own mail saved
 * there by the server is known by its Message-ID and left alone; mail on a
 * case is recorded as outgoing and handed to the case (a response sent
 * directly); anything else is recorded without a case.  Never answered,
 * never a new case.
 */
static int
sent_message(struct intake *in, const struct intake_source *src, const struct message *m,
	     const char *digest, time_t now)
{
	_cleanup_case_row_ struct case_row *c = NULL;
	_cleanup_free_ char *quoted_ref = NULL;
	struct case_ctx cx = {.store = in->store, .cfg = in->cfg, .cal = in->cal, .rules = in->rules,
			      .templates = in->templates, .now = now, .received_at = src->internaldate,
			      .raw = src->raw, .raw_len = src->len};
	enum thread_how how;
	int64_t id, case_id;
	int r;

	r = isempty(m->message_id) ? -ENOENT
				   : store_outbox_find(in->store, m->message_id, &id, &case_id);
	if (r == 0) {
		log_fields(LOG_INFO,
			   &(struct log_fields){.event = "own_mail", .mail_message_id = m->message_id,
						.imap_uid = src->uid},
			   "Sent-folder message UID %u is our own mail; already recorded", src->uid);
		return 0;
	}
	if (r != -ENOENT)
		return r;
	r = store_message_find_copy(in->store, m->message_id, digest, NULL, &id);
	if (r == 0)
		return known_copy(in, src, id, m->message_id);
	if (r != -ENOENT)
		return r;
	r = thread_find(in, m, ROLE_OFFICER, now, &c, &how, &quoted_ref);
	if (r == 0)
		r = record_message(in, src, m, c ? c->id : 0, ROLE_OFFICER, "", digest,
				   src->internaldate ? src->internaldate : now);
	if (r < 0)
		return r;
	if (c == NULL) {
		log_fields(LOG_NOTICE,
			   &(struct log_fields){.event = "unattached", .mail_message_id = m->message_id,
						.imap_uid = src->uid},
			   "Sent mail to %s matches no case; recorded without a case",
			   m->n_to ? m->to[0].email : "(nobody)");
		return 0;
	}
	return case_sent_mail(&cx, c, m, src->internaldate);
}

int
intake_known(struct intake *in, const struct intake_source *src, bool *ret_known)
{
	_cleanup_message_ struct message *m = NULL;
	_cleanup_free_ char *reason = NULL;
	char digest[65], whole[65];
	int64_t id;
	int r = -ENOENT;

	*ret_known = false;
	if (src->raw == NULL) {
		snprintf(whole, sizeof(whole), "unfetched:%zu:%lld", src->size,
			 (long long)src->internaldate);
		r = store_message_find_digest(in->store, "", whole, &id);
	} else {
		digest_message(src->raw, src->len, true, whole);
		if (message_parse(src->raw, src->len, &in->limits, &m, &reason) == MSG_OK) {
			digest_message(src->raw, src->len, isempty(m->message_id), digest);
			r = intake_from_sent_folder(in, src)
				    ? store_message_find_copy(in->store, m->message_id, digest, NULL,
							      &id)
				    : store_message_find_digest(in->store, m->message_id, digest,
								&id);
		}
		if (r == -ENOENT)
			r = store_message_find_digest(in->store, "", whole, &id);
	}
	if (r == 0)
		*ret_known = true;
	return r == -ENOENT ? 0 : r;
}

int
intake_message(struct intake *in, const struct intake_source *src, time_t now,
	       enum intake_disposition *ret)
{
	_cleanup_(intake_prep_freep) struct intake_prep *mine = NULL;
	_cleanup_free_ char *state = NULL, *quoted_ref = NULL;
	_cleanup_case_row_ struct case_row *c = NULL;
	struct case_ctx cx = {.store = in->store, .cfg = in->cfg, .cal = in->cal, .rules = in->rules,
			      .templates = in->templates, .now = now, .raw = src->raw,
			      .raw_len = src->len, .recover_ref = src->recover_ref};
	const struct intake_prep *prep = src->prep;
	enum automail_kind automail;
	struct authres_verdict auth;
	bool unverified = false;
	enum sender_role role;
	enum thread_how how;
	const struct message *m;
	const char *digest;
	time_t received_at;
	int64_t dup_id;
	int r;

	/* Seen this very UID before (a crash between commit and MOVE)? */
	if (src->uid != 0) {
		r = store_message_find_uid(in->store, src->mailbox, src->uidvalidity, src->uid, &state);
		if (r == 0) {
			*ret = streq(state, "quarantined") ? INTAKE_QUARANTINED : INTAKE_PROCESSED;
			log_info("Message UID %u was already recorded; moving it on", src->uid);
			return 0;
		}
		if (r != -ENOENT)
			return r;
	}

	if (src->quarantine_reason != NULL) {
		*ret = INTAKE_QUARANTINED;
		return quarantine(in, src, src->quarantine_reason, now);
	}
	if (src->raw == NULL) {
		_cleanup_free_ char *why = xasprintf("too_big: %zu bytes, the limit is %zu",
						     src->size, in->limits.max_size);
		*ret = INTAKE_QUARANTINED;
		return quarantine(in, src, why, now);
	}

	if (prep == NULL)
		prep = mine = intake_prepare(&in->limits, NULL, src->raw, src->len);
	if (prep->pr != MSG_OK) {
		_cleanup_free_ char *why = xasprintf("%s: %s", msg_result_to_string(prep->pr),
						     prep->reason ? prep->reason : "cannot be parsed");
		*ret = INTAKE_QUARANTINED;
		return quarantine(in, src, why, now);
	}
	m = prep->m;
	digest = prep->digest;
	*ret = INTAKE_PROCESSED;
	if (intake_from_sent_folder(in, src))
		return sent_message(in, src, m, digest, now);
	r = store_message_find_digest(in->store, m->message_id, digest, &dup_id);
	if (r == 0) {
		/* The same message again, e.g. after the mailbox was recreated. */
		*ret = INTAKE_PROCESSED;
		return known_copy(in, src, dup_id, m->message_id);
	}
	if (r != -ENOENT)
		return r;

	received_at = src->internaldate ? src->internaldate
		      : m->newest_received ? m->newest_received
					   : now;
	automail = automail_classify(m);
	if (automail == AUTOMAIL_NONE &&
	    hdrscan_has(src->raw, src->len, in->limits.max_header_bytes, "List-Unsubscribe"))
		automail = AUTOMAIL_LIST;
	sender_auth_evaluate(in->cfg, src->raw, src->len, m, &auth);
	role = sender_role(in, m, automail, &auth, &unverified);
	if ((role == ROLE_RESIDENT || role == ROLE_COUNCILLOR) && !unverified &&
	    authres_sender_authenticated(&auth))
		cx.authenticated_sender = m->from.email;
	*ret = INTAKE_PROCESSED;

	/* a forged officer's mail is filed where an officer's would be, and goes no further */
	r = thread_find(in, m, unverified ? ROLE_OFFICER : role, now, &c, &how, &quoted_ref);
	if (r < 0)
		return r;
	if (unverified) {
		r = record_message(in, src, m, c ? c->id : 0, role, "", digest, received_at);
		return r < 0 ? r : sender_auth_officer_rejected(&cx, c, m, &auth);
	}
	if (c != NULL || (role != ROLE_AUTOMATIC && role != ROLE_COUNCIL)) {
		/* the sender's own text, which the case, the rules and the notice all read */
		cx.own_for = m;
		cx.own_text = prep->own;
		cx.resident_classified = prep->classified ? &prep->cl : NULL;
	}

	if (c != NULL) {
		cx.received_at = received_at;
		r = record_message_row(in, src, m, c->id, role,
				       automail == AUTOMAIL_NONE ? "" : automail_kind_to_string(automail),
				       digest, received_at, &cx.raw_row);
		if (r < 0)
			return r;
		/* "Send As" the complaints address counts only when our mail server vouches for it */
		if (role == ROLE_COUNCIL &&
		    (!in->cfg->officer_auth_required || authres_officer_proven(&auth)))
			r = case_council_mail(&cx, c, m);
		else
			r = case_message_received(&cx, c, m, role, automail,
						  thread_how_to_string(how));
		return r < 0 ? r : sender_auth_note(&cx, c, &auth);
	}

	if (role == ROLE_OFFICER) {
		/* an officer forwarding a resident's mail with #complaint or #service-request */
		r = forwarded_open(&cx, m, received_at, &c);
		if (r == 0)
			return record_message(in, src, m, c->id, role, "", digest, received_at);
		if (r != -ENOENT)
			return r;
	}
	if (role == ROLE_AUTOMATIC || role == ROLE_COUNCIL || role == ROLE_OFFICER) {
		/* Never a new complaint: recorded, unattached, for an officer to see. */
		r = record_message(in, src, m, 0, role,
				   automail == AUTOMAIL_NONE ? "" : automail_kind_to_string(automail),
				   digest, received_at);
		if (r < 0)
			return r;
		log_fields(role == ROLE_OFFICER ? LOG_WARNING : LOG_NOTICE,
			   &(struct log_fields){.event = "unattached", .mail_message_id = m->message_id,
						.imap_uid = src->uid},
			   "%s mail from %s matches no case; recorded without a case and not answered",
			   role == ROLE_AUTOMATIC ? "Automatic" : role == ROLE_OFFICER ? "Officer" : "Own",
			   isempty(m->from.email) ? "(no sender)" : m->from.email);
		return 0;
	}

	struct opening o = {in, src, m, role, digest, received_at, false};

	cx.record_opening = record_opening;
	cx.record_arg = &o;
	r = case_open(&cx, m, role, received_at, quoted_ref, &c);
	cx.record_opening = NULL;
	if (r < 0)
		return r;
	if (!o.recorded)
		r = record_message(in, src, m, c->id, role, "", digest, received_at);
	return r < 0 ? r : sender_auth_note(&cx, c, &auth);
}
