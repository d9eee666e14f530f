/*
 * store_deadline.c - the deadline scan's second query (part of the store
 * adapter): acknowledgements due soon that an officer must still send.
 *
 * Under the Housing Ombudsman's Code the acknowledgement is an officer's
 * step, so the officer is reminded before ack_due as before response_due.
 * Like store_case_due(), the scan reads the partial index on unacknowledged
 * open cases and skips the cases whose reminder for this date was already
 * dealt with (reminder_done, see store_case_deadline_done()).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include <sqlite3.h>

#include "log.h"
#include "store.h"
#include "util.h"

int
store_case_ack_due_soon(struct store *s, const char *today, const char *horizon,
			store_case_cb cb, void *userdata)
{
	sqlite3 *db = store_sqlite(s);
	sqlite3_stmt *st = NULL;
	_cleanup_free_ int64_t *ids = NULL;
	size_t n = 0;
	int rc, r = 0;

	rc = sqlite3_prepare_v2(db,
				"SELECT id FROM cases WHERE status = 'open' AND acknowledged_at = 0 AND "
				"ack_due >= ?1 AND ack_due <= ?2 AND response_due = '' AND "
				"reminder_done != stage || ':' || ack_due || ':ack' ORDER BY id",
				-1, &st, NULL);
	if (rc != SQLITE_OK) {
		log_error("Deadline scan: cannot prepare the acknowledgement query: %s",
			  sqlite3_errmsg(db));
		return -EIO;
	}
	sqlite3_bind_text(st, 1, today, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, horizon, -1, SQLITE_TRANSIENT);
	/* ids first: the callback updates the rows this reads */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ids = xreallocarray(ids, n + 1, sizeof(*ids));
		ids[n++] = sqlite3_column_int64(st, 0);
	}
	if (rc != SQLITE_DONE) {
		log_error("Deadline scan: acknowledgement query failed: %s", sqlite3_errmsg(db));
		r = -EIO;
	}
	sqlite3_finalize(st);
	for (size_t i = 0; r == 0 && i < n; i++) {
		struct case_row c = {.id = ids[i]};

		r = cb(&c, userdata);
	}
	return r;
}
