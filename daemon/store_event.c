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
	sqlite3_stmt *st = NULL;
	_cleanup_free_ char *key = xasprintf("%s:", prefix);
	/* an exact prefix: LIKE would read '_' and '%' in an address as wildcards */
	int rc = sqlite3_prepare_v2(store_sqlite(s),
				    "SELECT 1 FROM events WHERE case_id = ?1 AND type = ?2 "
				    "AND substr(detail, 1, length(?3)) = ?3 LIMIT 1",
				    -1, &st, NULL);

	*ret = false;
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, case_id);
		sqlite3_bind_text(st, 2, type, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, key, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		*ret = rc == SQLITE_ROW;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -EIO;
}
