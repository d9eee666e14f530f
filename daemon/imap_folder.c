/*
 * imap_folder.c - questions about folders other than the selected one
 * (part of the IMAP adapter): STATUS, to see whether a watched folder has
 * new mail without selecting it, and LIST, to say which folders exist when
 * a configured one does not.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imap_internal.h"
#include "util.h"

enum imap_result
imap_status(struct imap *im, const char *mailbox, uint32_t *ret_uidvalidity,
	    uint32_t *ret_uidnext)
{
	_cleanup_free_ char *wire = NULL, *what = NULL;
	struct mailimap_status_att_list *atts;
	struct mailimap_mailbox_data_status *st = NULL;
	enum imap_result res;
	clistiter *it;
	int r;

	*ret_uidvalidity = *ret_uidnext = 0;
	if ((res = imap_check_connected(im)) != IMAP_OK)
		return res;
	if (!(wire = imap_encode_name(im, mailbox)))
		return IMAP_NAME_BAD;
	atts = mailimap_status_att_list_new_empty();
	if (atts == NULL || mailimap_status_att_list_add(atts, MAILIMAP_STATUS_ATT_UIDVALIDITY) != 0 ||
	    mailimap_status_att_list_add(atts, MAILIMAP_STATUS_ATT_UIDNEXT) != 0)
		abort(); /* out of memory */
	r = mailimap_status(imap_session(im), wire, atts, &st);
	mailimap_status_att_list_free(atts);
	if (r != MAILIMAP_NO_ERROR) {
		what = xasprintf("STATUS %s", mailbox);
		return imap_failed(im, r, what);
	}
	for (it = st && st->st_info_list ? clist_begin(st->st_info_list) : NULL; it;
	     it = clist_next(it)) {
		struct mailimap_status_info *si = clist_content(it);

		if (si->st_att == MAILIMAP_STATUS_ATT_UIDVALIDITY)
			*ret_uidvalidity = si->st_value;
		else if (si->st_att == MAILIMAP_STATUS_ATT_UIDNEXT)
			*ret_uidnext = si->st_value;
	}
	if (st != NULL)
		mailimap_mailbox_data_status_free(st);
	return IMAP_OK;
}

enum imap_result
imap_list_folders(struct imap *im, char ***ret_names, size_t *ret_n)
{
	enum imap_result res;
	clist *list = NULL;
	char **names = NULL;
	size_t n = 0;
	int r;

	*ret_names = NULL;
	*ret_n = 0;
	if ((res = imap_check_connected(im)) != IMAP_OK)
		return res;
	r = mailimap_list(imap_session(im), "", "*", &list);
	/* libetpan hands the list out before looking at the tagged status */
	if (list != NULL) {
		for (clistiter *it = clist_begin(list); it; it = clist_next(it)) {
			struct mailimap_mailbox_list *mb = clist_content(it);

			if (mb == NULL || mb->mb_name == NULL)
				continue;
			names = xreallocarray(names, n + 1, sizeof(*names));
			names[n++] = imap_folder_from_wire(mb->mb_name, imap_separator(im));
		}
		mailimap_list_result_free(list);
	}
	if (r != MAILIMAP_NO_ERROR) {
		for (size_t i = 0; i < n; i++)
			free(names[i]);
		free(names);
		return imap_failed(im, r, "LIST");
	}
	*ret_names = names;
	*ret_n = n;
	return IMAP_OK;
}
