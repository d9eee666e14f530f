/*
 * store_message.c - lookups on the messages table outside the intake path
 * (part of the store adapter).
 */
#include "config.h"

#include <errno.h>

#include <sqlite3.h>

#include "store.h"
#include "util.h"

int
store_case_sender_name(struct store *s, int64_t case_id, const char *email, char **ret)
{
	sqlite3 *db = store_sqlite(s);
	sqlite3_stmt *st = NULL;
	int rc, r = -ENOENT;

	*ret = NULL;
	rc = sqlite3_prepare_v2(db,
				"SELECT from_name FROM messages WHERE case_id = ?1 AND direction = 'in' "
				"AND from_email = ?2 COLLATE NOCASE AND from_name != '' "
				"ORDER BY id DESC LIMIT 1",
				-1, &st, NULL);
	if (rc != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(st, 1, case_id);
	sqlite3_bind_text(st, 2, email, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*ret = xstrdup((const char *)sqlite3_column_text(st, 0));
		r = 0;
	} else if (rc != SQLITE_DONE)
		r = -EIO;
	sqlite3_finalize(st);
	return r;
}
