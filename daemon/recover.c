/*
 * recover.c - find the mail the store does not know (see recover.h); what
 * is found is taken up again by recover_apply.c.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "intake.h"
#include "log.h"
#include "message.h"
#include "recover_impl.h"
#include "sentcopy.h"
#include "store.h"
#include "store_recover.h"
#include "threadkey.h"
#include "util.h"

struct folder_scan {
	const char *name;
	enum recover_kind kind; /* RK_INBOUND, RK_QUARANTINE or RK_OWN (the Sent folder) */
	uint32_t uidvalidity, uidnext;
	bool exists, read;
	/* the watched Sent folder: officers' mail past the watcher's position is taken up too */
	bool watched;
	uint32_t watch_validity, watch_last;
	bool watch_known;
};

void
recover_say(struct recover_run *rr, const char *case_ref, const char *mail_id, const char *fmt,
	    ...)
{
	_cleanup_free_ char *line = NULL;
	va_list ap;

	va_start(ap, fmt);
	line = xvasprintf(fmt, ap);
	va_end(ap);
	if (!rr->o->dry_run)
		log_fields(LOG_NOTICE,
			   &(struct log_fields){.case_ref = case_ref, .event = "recovered",
						.mail_message_id = mail_id},
			   "Recovery: %s", line);
	if (rr->o->say != NULL)
		rr->o->say(line, rr->o->userdata);
}

char *
recover_ref_of_message_id(const char *message_id, const char *prefix)
{
	const char *at = message_id ? strchr(message_id, '@') : NULL;
	const char *dot = message_id ? strchr(message_id, '.') : NULL;
	_cleanup_free_ char *local = NULL;
	char ref[THREADKEY_REF_MAX];

	if (dot == NULL || dot == message_id || (at != NULL && dot > at))
		return NULL;
	local = xstrndup(message_id, (size_t)(dot - message_id));
	for (char *p = local; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	if (!threadkey_find_ref(local, prefix, ref))
		return NULL;
	return xstrdup(ref);
}

char *
recover_purpose_of_message_id(const char *message_id)
{
	const char *at = message_id ? strchr(message_id, '@') : NULL;
	const char *dot = message_id ? strchr(message_id, '.') : NULL, *end;
	char *p, *cut;

	if (dot == NULL || (at != NULL && dot > at))
		return xstrdup("recovered");
	end = strchr(dot + 1, '.');
	if (end == NULL)
		end = dot + 1 + strcspn(dot + 1, "@");
	p = xstrndup(dot + 1, (size_t)(end - dot - 1));
	/*
	 * compose_message_id() wrote "PURPOSE.KEY" with the dot as '-': the key
	 * is a sequence number, a deadline key ("s1-2026-12-10", "s2-ack-...")
	 * or a date.  What is left is the purpose.
	 */
	if ((cut = strstr(p, "-s1-")) != NULL || (cut = strstr(p, "-s2-")) != NULL)
		*cut = '\0';
	else if ((cut = strrchr(p, '-')) != NULL && cut[1] != '\0' &&
		 strspn(cut + 1, "0123456789") == strlen(cut + 1))
		*cut = '\0';
	return p;
}

static void
item_free(struct recover_item *it)
{
	free(it->raw);
	free(it->message_id);
	free(it->in_reply_to);
	for (size_t i = 0; i < it->n_references; i++)
		free(it->references[i]);
	free(it->references);
	free(it->ref);
	free(it->rcpt);
	free(it->quarantine_reason);
}

/* Is m our own mail: from the complaints address, with a Message-ID we made? */
static bool
is_own(const struct config *cfg, const struct message *m)
{
	const char *at = strrchr(cfg->complaints_address, '@');
	const char *mat = strrchr(m->message_id, '@');

	return at != NULL && mat != NULL && ascii_strcaseeq(m->from.email, cfg->complaints_address) &&
	       ascii_strcaseeq(mat + 1, at + 1) && strchr(m->message_id, '.') != NULL &&
	       strchr(m->message_id, '.') < mat;
}

static struct recover_item *
add_item(struct recover_run *rr, const struct folder_scan *f, enum recover_kind kind,
	 struct imap_message *msg)
{
	struct recover_item *it;

	rr->items = xreallocarray(rr->items, rr->n_items + 1, sizeof(*rr->items));
	it = &rr->items[rr->n_items++];
	*it = (struct recover_item){.kind = kind, .folder = f->name, .uidvalidity = f->uidvalidity,
				    .uid = msg->uid, .date = msg->internaldate, .raw = msg->data,
				    .len = msg->len, .size = msg->size};
	msg->data = NULL; /* the item owns it now */
	return it;
}

/* One fetched message of folder f: kept as an item when the store does not know it. */
static int
consider(struct recover_run *rr, const struct folder_scan *f, struct imap_message *msg)
{
	struct intake *in = rr->in;
	struct intake_source src = {.mailbox = f->name, .uidvalidity = f->uidvalidity,
				    .uid = msg->uid, .internaldate = msg->internaldate,
				    .raw = msg->data, .len = msg->len, .size = msg->size};
	_cleanup_message_ struct message *m = NULL;
	_cleanup_free_ char *reason = NULL, *state = NULL;
	struct recover_item *it;
	int64_t id, case_id;
	bool known = false;
	int r;

	rr->rep->messages_read++;
	if (f->kind != RK_OWN) {
		r = intake_known(in, &src, &known);
		if (r < 0 || known)
			return r;
		it = add_item(rr, f, f->kind, msg);
		if (it->raw != NULL &&
		    message_parse(it->raw, it->len, &in->limits, &m, &reason) == MSG_OK)
			it->message_id = xstrdup(m->message_id);
		else
			it->message_id = xstrdup("");
		return 0;
	}

	/* the Sent folder: our own mail, and (watched) officers' mail the watcher has not read */
	if (msg->data == NULL ||
	    message_parse(msg->data, msg->len, &in->limits, &m, &reason) != MSG_OK)
		return 0;
	if (is_own(in->cfg, m)) {
		r = store_recover_outbox_get(in->store, m->message_id, &id, &case_id, &state);
		if (r == 0 && !streq(state, "queued") && !streq(state, "held"))
			return 0; /* recorded as sent (or failed after, by a bounce) */
		if (r < 0 && r != -ENOENT)
			return r;
		it = add_item(rr, f, RK_OWN, msg);
		it->message_id = xstrdup(m->message_id);
		it->in_reply_to = xstrdup(m->in_reply_to);
		it->n_references = m->n_references;
		it->references = xcalloc(m->n_references ? m->n_references : 1, sizeof(char *));
		for (size_t i = 0; i < m->n_references; i++)
			it->references[i] = xstrdup(m->references[i]);
		it->ref = recover_ref_of_message_id(m->message_id, in->cfg->reference_prefix);
		it->rcpt = xstrdup(m->n_to ? m->to[0].email : "");
		return 0;
	}
	if (!f->watched || !f->watch_known ||
	    (f->watch_validity == f->uidvalidity && msg->uid <= f->watch_last))
		return 0; /* before watching began, or already the watcher's */
	r = store_message_find_uid(in->store, f->name, f->uidvalidity, msg->uid, &state);
	if (r == 0)
		return 0;
	if (r != -ENOENT)
		return r;
	r = intake_known(in, &src, &known);
	if (r < 0 || known)
		return r;
	it = add_item(rr, f, RK_SENT, msg);
	it->message_id = xstrdup(m->message_id);
	return 0;
}

/*
 * Fetch a batch; when the server refuses it (a message it cannot read), one
 * by one, leaving out the ones refused: a message that can never be fetched
 * must not stop every start (it stays in the folder for an officer).
 */
static enum imap_result
fetch_batch(struct imap *im, const char *folder, const uint32_t *uids, size_t n, size_t max_size,
	    struct imap_message **ret, size_t *ret_n)
{
	enum imap_result ir = imap_fetch(im, uids, n, max_size, ret, ret_n);
	struct imap_message *all = NULL;
	size_t n_all = 0;

	if (ir != IMAP_MSG_BAD)
		return ir;
	for (size_t i = 0; i < n; i++) {
		struct imap_message *one = NULL;
		size_t n_one = 0;

		ir = imap_fetch(im, uids + i, 1, max_size, &one, &n_one);
		if (ir == IMAP_MSG_BAD) {
			log_warning("Recovery: the server refused to fetch %s UID %u (%s); it is left out",
				    folder, uids[i], imap_last_error(im));
			continue;
		}
		if (ir != IMAP_OK) {
			imap_messages_free(all, n_all);
			return ir;
		}
		if (n_one > 0) {
			all = xreallocarray(all, n_all + n_one, sizeof(*all));
			memcpy(all + n_all, one, n_one * sizeof(*one));
			n_all += n_one;
		}
		free(one); /* its messages now belong to all */
	}
	*ret = all;
	*ret_n = n_all;
	return IMAP_OK;
}

/* Read folder f past from_uid and keep what the store does not know. */
static enum imap_result
scan_folder(struct recover_run *rr, struct imap *im, struct folder_scan *f, uint32_t from_uid,
	    int *ret_store_error)
{
	const struct config *cfg = rr->in->cfg;
	_cleanup_free_ uint32_t *uids = NULL;
	size_t n_uids = 0, batch = (size_t)cfg->imap_batch_size;
	uint32_t validity = 0, uidnext = 0, exists = 0;
	enum imap_result ir;

	ir = imap_examine(im, f->name, &validity, &uidnext, &exists);
	if (ir == IMAP_OK && validity != f->uidvalidity) {
		f->uidvalidity = validity; /* changed between STATUS and EXAMINE: read it all */
		from_uid = 0;
	}
	if (ir == IMAP_OK)
		ir = imap_search_after(im, from_uid, &uids, &n_uids);
	for (size_t off = 0; ir == IMAP_OK && off < n_uids; off += batch) {
		size_t n = n_uids - off < batch ? n_uids - off : batch;
		struct imap_message *msgs = NULL;
		size_t n_msgs = 0;

		if (rr->o->tick != NULL)
			rr->o->tick(rr->o->userdata);
		ir = fetch_batch(im, f->name, uids + off, n, rr->in->limits.max_size, &msgs, &n_msgs);
		for (size_t i = 0; ir == IMAP_OK && i < n_msgs; i++) {
			int r = consider(rr, f, &msgs[i]);

			if (r < 0) {
				*ret_store_error = r;
				break;
			}
		}
		imap_messages_free(msgs, n_msgs);
		if (*ret_store_error < 0)
			break;
	}
	if (uidnext > f->uidnext)
		f->uidnext = uidnext;
	return ir;
}

/* Oldest first; at the same second, mail received before mail sent; then folder and UID. */
static int
item_cmp(const void *a, const void *b)
{
	const struct recover_item *x = a, *y = b;
	bool xs = x->kind == RK_OWN, ys = y->kind == RK_OWN;

	if (x->date != y->date)
		return x->date < y->date ? -1 : 1;
	if (xs != ys)
		return xs ? 1 : -1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->uid != y->uid)
		return x->uid < y->uid ? -1 : 1;
	return 0;
}

/*
 * Officers' mail in the watched Sent folder past the watcher's position is
 * the watcher's (sentwatch.c) as new mail, unless it falls among what was
 * lost: only what is no newer than the newest lost message or mail of ours
 * is taken up here, in its place in the order.
 */
static void
drop_new_sent_mail(struct recover_run *rr)
{
	time_t newest = 0;
	size_t n = 0;

	for (size_t i = 0; i < rr->n_items; i++)
		if (rr->items[i].kind != RK_SENT && rr->items[i].date > newest)
			newest = rr->items[i].date;
	for (size_t i = 0; i < rr->n_items; i++) {
		if (rr->items[i].kind == RK_SENT && (newest == 0 || rr->items[i].date > newest)) {
			item_free(&rr->items[i]);
			continue;
		}
		rr->items[n++] = rr->items[i];
	}
	rr->n_items = n;
}

/* Which folders, and from which UID each is to be read (UINT32_MAX: not at all). */
static enum imap_result
plan_folder(struct recover_run *rr, struct imap *im, struct folder_scan *f, bool fresh,
	    uint32_t *ret_from, int *ret_store_error)
{
	struct store *store = rr->in->store;
	uint32_t validity = 0, last = 0;
	enum imap_result ir;
	int r;

	*ret_from = UINT32_MAX;
	rr->rep->folders_checked++;
	ir = imap_status(im, f->name, &f->uidvalidity, &f->uidnext);
	if (ir == IMAP_BOX_BAD)
		return IMAP_OK; /* no such folder: nothing to recover from it */
	if (ir != IMAP_OK)
		return ir;
	f->exists = true;
	r = store_recover_state_get(store, f->name, &validity, &last);
	if (r == -ENOENT && fresh && !rr->o->requested) {
		/* a new store: what the folder holds is history (complaintsctl recover takes it up) */
		if (f->uidnext > 1)
			log_info("Recovery: a new database; the mail already in \"%s\" (up to UID %u) is left as it is (complaintsctl recover takes it up)",
				 f->name, f->uidnext - 1);
		return IMAP_OK;
	}
	if (r < 0 && r != -ENOENT) {
		*ret_store_error = r;
		return IMAP_OK;
	}
	if (r == 0 && validity == f->uidvalidity && f->uidvalidity != 0 &&
	    (f->uidnext == 0 || f->uidnext - 1 <= last))
		return IMAP_OK; /* the store holds everything the folder has */
	if (r == 0 && validity != f->uidvalidity) {
		log_notice("Recovery: UIDVALIDITY of \"%s\" changed from %u to %u; reading it whole once, mail already recorded is recognised",
			   f->name, validity, f->uidvalidity);
		last = 0;
	}
	*ret_from = r == 0 ? last : 0;
	return IMAP_OK;
}

static int
finish(struct recover_run *rr, struct folder_scan *folders, size_t n)
{
	int r = 0;

	for (size_t i = 0; r == 0 && i < n; i++)
		if (folders[i].read && folders[i].uidvalidity != 0)
			r = store_recover_state_set(rr->in->store, folders[i].name,
						    folders[i].uidvalidity,
						    folders[i].uidnext ? folders[i].uidnext - 1 : 0);
	return r;
}

enum imap_result
recover_run(struct intake *in, struct imap *im, const struct recover_opts *o,
	    struct recover_report *rep, int *ret_store_error)
{
	const struct config *cfg = in->cfg;
	struct folder_scan folders[3] = {
		{.name = cfg->imap_processed_folder, .kind = RK_INBOUND},
		{.name = cfg->imap_quarantine_folder, .kind = RK_QUARANTINE},
		{.name = sentcopy_folder(cfg), .kind = RK_OWN},
	};
	struct recover_run rr = {.in = in, .o = o, .rep = rep};
	enum imap_result ir = IMAP_OK;
	bool any = false;
	int fresh = 0, r;

	*ret_store_error = 0;
	*rep = (struct recover_report){0};
	r = store_recover_is_empty(in->store, &fresh);
	if (r < 0) {
		*ret_store_error = r;
		return IMAP_OK;
	}
	if (!isempty(cfg->imap_sent_folder)) {
		folders[2].watched = true;
		folders[2].watch_known = store_mailbox_get(in->store, folders[2].name,
							   &folders[2].watch_validity,
							   &folders[2].watch_last) == 0;
	}
	for (size_t i = 0; ir == IMAP_OK && *ret_store_error == 0 && i < ELEMENTSOF(folders); i++) {
		uint32_t from;

		if (i == 2 && (streq(folders[2].name, folders[0].name) ||
			       streq(folders[2].name, folders[1].name)))
			continue;
		ir = plan_folder(&rr, im, &folders[i], fresh, &from, ret_store_error);
		if (ir != IMAP_OK || *ret_store_error < 0 || from == UINT32_MAX)
			continue;
		rep->folders_read++;
		folders[i].read = true;
		any = true;
		ir = scan_folder(&rr, im, &folders[i], from, ret_store_error);
	}
	if (any && (ir == IMAP_OK || ir == IMAP_BOX_BAD || ir == IMAP_MSG_BAD)) {
		enum imap_result back = imap_select(im, imap_mailbox(im), NULL, NULL, NULL);

		if (back != IMAP_OK || ir == IMAP_OK)
			ir = back;
	}
	if (ir == IMAP_OK && *ret_store_error == 0 && any) {
		drop_new_sent_mail(&rr);
		if (rr.n_items > 1)
			qsort(rr.items, rr.n_items, sizeof(*rr.items), item_cmp);
		r = store_begin(in->store);
		if (r == 0)
			r = recover_apply(&rr);
		if (r == 0)
			r = finish(&rr, folders, ELEMENTSOF(folders));
		if (r == 0 && !o->dry_run)
			r = store_commit(in->store);
		if (r < 0 || o->dry_run)
			store_rollback(in->store);
		*ret_store_error = r;
	}
	for (size_t i = 0; i < rr.n_items; i++)
		item_free(&rr.items[i]);
	free(rr.items);
	return ir;
}

enum imap_result
recover_note_folders(struct intake *in, struct imap *im, int *ret_store_error)
{
	const struct config *cfg = in->cfg;
	const char *names[3] = {cfg->imap_processed_folder, cfg->imap_quarantine_folder,
				sentcopy_folder(cfg)};
	int r = 0;

	*ret_store_error = 0;
	for (size_t i = 0; i < ELEMENTSOF(names); i++) {
		uint32_t validity = 0, uidnext = 0;
		enum imap_result ir = imap_status(im, names[i], &validity, &uidnext);

		if (ir == IMAP_BOX_BAD)
			continue;
		if (ir != IMAP_OK)
			return ir;
		if (validity != 0 && uidnext > 0)
			r = store_recover_state_set(in->store, names[i], validity, uidnext - 1);
		if (r < 0) {
			*ret_store_error = r;
			break;
		}
	}
	return IMAP_OK;
}

void
recover_log_summary(const struct recover_report *rep)
{
	if (rep->taken_up == 0 && rep->replies_found == 0 && rep->replies_resent == 0) {
		log_debug("Recovery: the database holds everything in the mailbox's folders (%zu checked, %zu read, %zu messages compared)",
			  rep->folders_checked, rep->folders_read, rep->messages_read);
		return;
	}
	log_fields(LOG_NOTICE, &(struct log_fields){.event = "recovered"},
		   "Recovery: %zu message%s taken up again from the mailbox (%zu quarantined), %zu case%s opened again with their references, %zu sent mail%s found and recorded, %zu repl%s not found and sent now, %zu held",
		   rep->taken_up, rep->taken_up == 1 ? "" : "s", rep->quarantined, rep->cases_reopened,
		   rep->cases_reopened == 1 ? "" : "s", rep->replies_found,
		   rep->replies_found == 1 ? "" : "s", rep->replies_resent,
		   rep->replies_resent == 1 ? "y" : "ies", rep->replies_held);
}
