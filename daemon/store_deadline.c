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

struct id_list {
	int64_t *ids;
	size_t n;
};

/* Collect each row's id (column 0). */
static int
id_row(sqlite3_stmt *st, void *userdata)
{
	struct id_list *a = userdata;

	a->ids = xreallocarray(a->ids, a->n + 1, sizeof(*a->ids));
	a->ids[a->n++] = sqlite3_column_int64(st, 0);
	return 0;
}

int
store_case_ack_due_soon(struct store *s, const char *today, const char *horizon,
			store_case_cb cb, void *userdata)
{
	struct id_list a = {NULL, 0};
	int r;

	/* ids first: the callback updates the rows this reads */
	r = store_rows(s, "ack_due_soon",
		       "SELECT id FROM cases WHERE status = 'open' AND acknowledged_at = 0 AND "
		       "ack_due >= ?1 AND ack_due <= ?2 AND response_due = '' AND "
		       "reminder_done != stage || ':' || ack_due || ':ack' ORDER BY id",
		       id_row, &a, "ss", today, horizon);
	if (r < 0) {
		log_error("Deadline scan: acknowledgement query failed: %s", store_last_error(s));
		free(a.ids);
		return -EIO;
	}
	r = 0;
	for (size_t i = 0; r == 0 && i < a.n; i++) {
		struct case_row c = {.id = a.ids[i]};

		r = cb(&c, userdata);
	}
	free(a.ids);
	return r;
}
