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

/* store_rows() with ?1 the id; 0 or a negative errno. */
static int
each_row(struct store *s, const char *sql, int64_t id, store_row_fn row, void *userdata)
{
	int r = store_rows(s, "officers' query", sql, row, userdata, "i", id);

	return r < 0 ? r : 0;
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
	r = each_row(s, "SELECT area FROM cases WHERE id = ?1", case_id, area_row, ret);
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
			"UNION ALL SELECT data, 'out', created_at, id, 1 FROM outbox_mail "
			"WHERE case_id = ?1 AND state IN ('queued', 'sent') "
			"AND purpose NOT LIKE 'notify-%' "
			"ORDER BY 3, 5, 4",
			case_id, raw_row, &w);
}
