/*
 * store_event.c - event queries for sender authentication (part of the
 * store adapter; see store_autoreply.h).
 */
#include "config.h"

#include <errno.h>
#include <sqlite3.h>
#include <string.h>

#include "store_autoreply.h"
#include "util.h"

int
store_event_has(struct store *s, int64_t case_id, const char *type, const char *prefix, bool *ret)
{
	_cleanup_free_ char *key = xasprintf("%s:", prefix);
	/* an exact prefix: LIKE would read '_' and '%' in an address as wildcards */
	int r = store_rows(s, "event_has",
			   "SELECT 1 FROM events WHERE case_id = ?1 AND type = ?2 "
			   "AND substr(detail, 1, length(?3)) = ?3 LIMIT 1",
			   NULL, NULL, "iss", case_id, type, key);

	*ret = r > 0;
	return r < 0 ? r : 0;
}
