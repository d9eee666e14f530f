/*
 * imap_append.c - APPEND a message to a folder (part of the IMAP adapter):
 * the copy of each mail the daemon sent, kept in the Sent folder
 * ([imap] save_sent, daemon/sentcopy.c).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imap_internal.h"
#include "util.h"

enum imap_result
imap_append(struct imap *im, const char *folder, const char *data, size_t len, time_t date,
	    bool seen, uint32_t *ret_uid)
{
	_cleanup_free_ char *wire = NULL, *what = NULL;
	struct mailimap_flag_list *flags = NULL;
	struct mailimap_date_time *dt = NULL;
	uint32_t validity = 0, uid = 0;
	enum imap_result res;
	struct tm tm;
	int r;

	if (ret_uid != NULL)
		*ret_uid = 0;
	if ((res = imap_check_connected(im)) != IMAP_OK)
		return res;
	if (!(wire = imap_encode_name(im, folder)))
		return IMAP_BOX_BAD;
	if (seen) {
		flags = mailimap_flag_list_new_empty();
		if (flags == NULL || mailimap_flag_list_add(flags, mailimap_flag_new_seen()) != 0)
			abort(); /* out of memory */
	}
	if (date > 0 && gmtime_r(&date, &tm) != NULL)
		dt = mailimap_date_time_new(tm.tm_mday, tm.tm_mon + 1, tm.tm_year + 1900, tm.tm_hour,
					    tm.tm_min, tm.tm_sec, 0);
	if (mailimap_has_uidplus(imap_session(im)))
		r = mailimap_uidplus_append(imap_session(im), wire, flags, dt, data, len, &validity,
					    &uid);
	else
		r = mailimap_append(imap_session(im), wire, flags, dt, data, len);
	if (flags != NULL)
		mailimap_flag_list_free(flags);
	if (dt != NULL)
		mailimap_date_time_free(dt);
	if (r != MAILIMAP_NO_ERROR) {
		what = xasprintf("APPEND %s", folder);
		return imap_failed(im, r, what);
	}
	if (ret_uid != NULL)
		*ret_uid = uid;
	return IMAP_OK;
}
