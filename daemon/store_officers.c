/*
 * store_officers.c - a case's area and its messages' sources (part of the
 * store adapter).  See store_officers.h.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <sqlite3.h>

#include "log.h"
#include "store.h"
#include "store_officers.h"
#include "util.h"

typedef int (*row_fn)(sqlite3_stmt *st, void *userdata);

/*
 * The one row loop of this file: prepare sql, bind ?1 to id and ?2 to text
 * (when not NULL), call row for each row (a negative return stops it).
 */
static int
each_row(struct store *s, const char *sql, int64_t id, const char *text, row_fn row,
	 void *userdata)
{
	sqlite3 *db = store_sqlite(s);
	sqlite3_stmt *st = NULL;
	int rc, r = 0;

	rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK) {
		log_error("Database query failed: %s", sqlite3_errmsg(db));
		return -EIO;
	}
	sqlite3_bind_int64(st, 1, id);
	if (text != NULL)
		sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (row != NULL && (r = row(st, userdata)) < 0)
			break;
	if (r == 0 && rc != SQLITE_DONE) {
		log_error("Database query failed: %s", sqlite3_errmsg(db));
		r = rc == SQLITE_FULL ? -ENOSPC : -EIO;
	}
	sqlite3_finalize(st);
	return r;
}

int
store_case_set_area(struct store *s, int64_t case_id, const char *area)
{
	return each_row(s, "UPDATE cases SET area = ?2 WHERE id = ?1", case_id, area ? area : "",
			NULL, NULL);
}

static int
area_row(sqlite3_stmt *st, void *userdata)
{
	char **ret = userdata;
	const unsigned char *t = sqlite3_column_text(st, 0);

	free(*ret);
	*ret = xstrdup(t ? (const char *)t : "");
	return 0;
}

int
store_case_get_area(struct store *s, int64_t case_id, char **ret)
{
	int r;

	*ret = NULL;
	r = each_row(s, "SELECT area FROM cases WHERE id = ?1", case_id, NULL, area_row, ret);
	if (r == 0 && *ret == NULL)
		*ret = xstrdup("");
	return r;
}

struct raw_walk {
	store_raw_cb cb;
	void *userdata;
};

static int
raw_row(sqlite3_stmt *st, void *userdata)
{
	struct raw_walk *w = userdata;
	const char *raw = sqlite3_column_blob(st, 0);
	size_t len = (size_t)sqlite3_column_bytes(st, 0);

	return w->cb(raw ? raw : "", len, (const char *)sqlite3_column_text(st, 1),
		     (time_t)sqlite3_column_int64(st, 2), w->userdata);
}

int
store_case_raw_messages(struct store *s, int64_t case_id, store_raw_cb cb, void *userdata)
{
	struct raw_walk w = {cb, userdata};

	return each_row(s,
			"SELECT raw, 'in', received_at, id, 0 FROM messages "
			"WHERE case_id = ?1 AND state = 'processed' "
			"UNION ALL SELECT data, 'out', created_at, id, 1 FROM outbox "
			"WHERE case_id = ?1 AND state IN ('queued', 'sent') "
			"AND purpose NOT LIKE 'notify-%' "
			"ORDER BY 3, 5, 4",
			case_id, NULL, raw_row, &w);
}
