/*
 * sentwatch.c - read new mail in the Sent folder (see sentwatch.h).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "conf.h"
#include "intake.h"
#include "log.h"
#include "sentwatch.h"
#include "store.h"
#include "util.h"

/* Say once which folders exist when the configured one does not. */
static void
say_missing(struct imap *im, const char *folder, struct sentwatch *sw)
{
	_cleanup_buf_ struct buf names = BUF_INIT;
	char **v = NULL;
	size_t n = 0;

	if (sw->missing_said)
		return;
	sw->missing_said = true;
	if (imap_list_folders(im, &v, &n) == IMAP_OK)
		for (size_t i = 0; i < n; i++)
			(void)buf_printf(&names, "%s\"%s\"", i ? ", " : "", v[i]);
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	log_error("[imap] sent_folder \"%s\" does not exist on the server (%s); responses sent directly from the mailbox are not seen until it names one of the folders there: %s",
		  folder, imap_last_error(im), names.len ? buf_str(&names) : "(none listed)");
}

/* One batch in one transaction: 0, or the store's error (nothing of it kept). */
static int
commit_batch(struct intake *in, const char *folder, uint32_t uidvalidity,
	     const struct imap_message *msgs, size_t n, uint32_t last_uid)
{
	int r = store_begin(in->store);

	for (size_t i = 0; r == 0 && i < n; i++) {
		struct intake_source src = {
			.mailbox = folder, .uidvalidity = uidvalidity, .uid = msgs[i].uid,
			.internaldate = msgs[i].internaldate, .raw = msgs[i].data,
			.len = msgs[i].len, .size = msgs[i].size,
		};
		enum intake_disposition disp;

		if (msgs[i].data == NULL) {
			log_warning("Sent-folder message UID %u is too big to read (%zu bytes); skipped",
				    msgs[i].uid, msgs[i].size);
			continue;
		}
		r = intake_message(in, &src, time(NULL), &disp);
	}
	if (r == 0)
		r = store_mailbox_set(in->store, folder, uidvalidity, last_uid);
	if (r == 0)
		r = store_commit(in->store);
	if (r < 0)
		store_rollback(in->store);
	return r;
}

enum imap_result
sentwatch_check(struct intake *in, struct imap *im, struct sentwatch *sw, int *ret_store_error)
{
	const struct config *cfg = in->cfg;
	const char *folder = cfg->imap_sent_folder;
	uint32_t validity = 0, uidnext = 0, old_validity = 0, old_last = 0, exists = 0;
	_cleanup_free_ uint32_t *uids = NULL;
	size_t n_uids = 0;
	enum imap_result ir;
	int r;

	*ret_store_error = 0;
	if (isempty(folder))
		return IMAP_OK;
	ir = imap_status(im, folder, &validity, &uidnext);
	if (ir == IMAP_NAME_BAD) {
		if (!sw->missing_said)
			log_error("[imap] sent_folder: %s; responses sent directly from the mailbox are not seen until it is fixed",
				  imap_last_error(im));
		sw->missing_said = true;
		return IMAP_OK;
	}
	if (ir == IMAP_BOX_BAD) {
		say_missing(im, folder, sw);
		return IMAP_OK;
	}
	if (ir != IMAP_OK)
		return ir;
	if (sw->missing_said)
		log_info("[imap] sent_folder \"%s\" exists now; watching it", folder);
	sw->missing_said = false;

	r = store_mailbox_get(in->store, folder, &old_validity, &old_last);
	if (r == -ENOENT) {
		/* first sight: what was sent before watching began is history, not news */
		r = store_mailbox_set(in->store, folder, validity, uidnext > 0 ? uidnext - 1 : 0);
		if (r == 0)
			log_info("Watching the Sent folder \"%s\" for responses sent directly, from UID %u on",
				 folder, uidnext);
		*ret_store_error = r;
		return IMAP_OK;
	}
	if (r < 0) {
		*ret_store_error = r;
		return IMAP_OK;
	}
	if (validity == old_validity && validity != 0 && uidnext > 0 && uidnext - 1 <= old_last)
		return IMAP_OK; /* nothing new */
	if (validity != old_validity) {
		log_notice("UIDVALIDITY of %s changed from %u to %u; rereading it, mail already recorded is recognised",
			   folder, old_validity, validity);
		old_last = 0;
	}

	ir = imap_examine(im, folder, &validity, &uidnext, &exists);
	if (ir == IMAP_OK)
		ir = imap_search_after(im, old_last, &uids, &n_uids);
	for (size_t off = 0; ir == IMAP_OK && off < n_uids; off += (size_t)cfg->imap_batch_size) {
		size_t n = n_uids - off < (size_t)cfg->imap_batch_size ? n_uids - off
								     : (size_t)cfg->imap_batch_size;
		struct imap_message *msgs = NULL;
		size_t n_msgs = 0;

		ir = imap_fetch(im, uids + off, n, in->limits.max_size, &msgs, &n_msgs);
		if (ir == IMAP_MSG_BAD) {
			/* read-only: the mail stays in the folder, only our position moves on */
			log_warning("Sent folder: the server refused to fetch UIDs %u-%u (%s); skipped",
				    uids[off], uids[off + n - 1], imap_last_error(im));
			ir = IMAP_OK;
			r = store_mailbox_set(in->store, folder, validity, uids[off + n - 1]);
			if (r < 0) {
				*ret_store_error = r;
				break;
			}
			continue;
		}
		if (ir != IMAP_OK)
			break;
		r = commit_batch(in, folder, validity, msgs, n_msgs, uids[off + n - 1]);
		imap_messages_free(msgs, n_msgs);
		if (r < 0) {
			*ret_store_error = r;
			break;
		}
		sw->seen += n_msgs;
	}
	if (ir == IMAP_OK && n_uids == 0 && validity != old_validity)
		*ret_store_error = store_mailbox_set(in->store, folder, validity, 0);
	/* back to INBOX, where IDLE waits */
	if (ir == IMAP_OK || ir == IMAP_MSG_BAD || ir == IMAP_BOX_BAD) {
		enum imap_result back = imap_select(im, imap_mailbox(im), NULL, NULL, NULL);

		if (back != IMAP_OK || ir == IMAP_OK)
			ir = back;
	}
	return ir;
}
