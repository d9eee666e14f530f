/*
 * imap_move.c - what changes the mailbox or waits on it: MOVE (or COPY,
 * \Deleted and UID EXPUNGE), NOOP and IDLE.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "imap_impl.h"
#include "util.h"

#define IMAP_IDLE_MAX_MS (25 * 60 * 1000)

/* ------------------------------------------------------------ move */

enum imap_result
imap_move(struct imap *im, const uint32_t *uids, size_t n, const char *folder)
{
	_cleanup_free_ char *wire = NULL;
	struct mailimap_store_att_flags *att;
	struct mailimap_flag_list *fl;
	struct mailimap_set *set;
	enum imap_result res;
	int r;

	if ((res = need_selected(im)) != IMAP_OK)
		return res;
	if (!(wire = mailbox_encode(im, folder)))
		return IMAP_NAME_BAD;
	if (!(set = uid_set_new(uids, n)))
		return IMAP_OK;
	if (im->has_move) {
		r = mailimap_uid_move(im->s, set, wire);
		mailimap_set_free(set);
		if (r != MAILIMAP_NO_ERROR)
			return command_failed(im, r, IMAP_BOX_BAD, "UID MOVE");
		return IMAP_OK;
	}
	r = mailimap_uid_copy(im->s, set, wire);
	if (r != MAILIMAP_NO_ERROR) {
		mailimap_set_free(set);
		return command_failed(im, r, IMAP_BOX_BAD, "UID COPY");
	}
	fl = mailimap_flag_list_new_empty();
	mailimap_flag_list_add(fl, mailimap_flag_new_deleted());
	att = mailimap_store_att_flags_new_add_flags_silent(fl);
	r = mailimap_uid_store(im->s, set, att);
	mailimap_store_att_flags_free(att);
	if (r != MAILIMAP_NO_ERROR) {
		mailimap_set_free(set);
		return command_failed(im, r, IMAP_BOX_BAD, "UID STORE +FLAGS (\\Deleted)");
	}
	if (!im->has_uidplus) {
		mailimap_set_free(set);
		set_error(im,
		          "server lacks UIDPLUS: messages copied to %s and flagged \\Deleted "
		          "but left in place",
		          folder);
		return IMAP_OK;
	}
	r = mailimap_uid_expunge(im->s, set);
	mailimap_set_free(set);
	if (r != MAILIMAP_NO_ERROR)
		return command_failed(im, r, IMAP_BOX_BAD, "UID EXPUNGE");
	return IMAP_OK;
}

/* ------------------------------------------------------------ idle, noop */

enum imap_result
imap_noop(struct imap *im)
{
	enum imap_result res;
	int r;

	if ((res = need_connected(im)) != IMAP_OK)
		return res;
	r = mailimap_noop(im->s);
	if (r != MAILIMAP_NO_ERROR)
		return command_failed(im, r, IMAP_SERVER_BAD, "NOOP");
	return IMAP_OK;
}

/* Wait for wake_fd (or the timeout), then NOOP: for servers without IDLE. */
static enum imap_result
idle_by_noop(struct imap *im, int timeout_ms, int wake_fd, bool *ret_changed)
{
	struct pollfd pfd = {.fd = wake_fd, .events = POLLIN};
	struct mailimap_selection_info *si;
	enum imap_result res;

	(void)poll(&pfd, wake_fd >= 0 ? 1 : 0, timeout_ms);
	if ((res = imap_noop(im)) != IMAP_OK)
		return res;
	si = im->s->imap_selection_info;
	*ret_changed = si && si->sel_has_exists;
	return IMAP_OK;
}

enum imap_result
imap_idle(struct imap *im, int timeout_ms, int wake_fd, bool *ret_changed)
{
	struct mailimap_selection_info *si;
	struct pollfd pfd[2];
	enum imap_result res;
	uint32_t before;
	int r, fd;

	*ret_changed = false;
	if ((res = need_selected(im)) != IMAP_OK)
		return res;
	si = im->s->imap_selection_info;
	/* Mail announced during an earlier command: report it without waiting. */
	if (si->sel_has_exists) {
		*ret_changed = true;
		return IMAP_OK;
	}
	if (timeout_ms < 0 || timeout_ms > IMAP_IDLE_MAX_MS)
		timeout_ms = IMAP_IDLE_MAX_MS;
	if (!im->has_idle)
		return idle_by_noop(im, timeout_ms, wake_fd, ret_changed);

	before = si->sel_exists;
	r = mailimap_idle(im->s);
	if (r != MAILIMAP_NO_ERROR)
		return command_failed(im, r, IMAP_SERVER_BAD, "IDLE");

	/* Data read together with the "+" continuation would never wake poll(). */
	if (im->s->imap_stream->read_buffer_len == 0) {
		fd = mailimap_idle_get_fd(im->s);
		pfd[0] = (struct pollfd){.fd = fd, .events = POLLIN};
		pfd[1] = (struct pollfd){.fd = wake_fd, .events = POLLIN};
		/* EINTR simply ends the wait early; the caller loops. */
		(void)poll(pfd, wake_fd >= 0 ? 2 : 1, timeout_ms);
	}

	r = mailimap_idle_done(im->s);
	if (r != MAILIMAP_NO_ERROR)
		return command_failed(im, r, IMAP_SERVER_BAD, "IDLE DONE");
	si = im->s->imap_selection_info;
	if (!si) {
		set_error(im, "mailbox deselected during IDLE");
		return IMAP_BOX_BAD;
	}
	*ret_changed = si->sel_has_exists || si->sel_exists > before;
	return IMAP_OK;
}

