/*
 * store_rows.c - the one row loop of the store adapter's per-table files.
 *
 * store_rows() prepares a query once per store (statements are kept in a
 * small cache keyed by their SQL text and reused, as store.c does for its
 * own), binds the arguments, steps through the rows and resets.  The files
 * store_<table>.c supply only SQL, parameters and what to do with a row.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include <sqlite3.h>

#include "store.h"
#include "util.h"

/*
 * More distinct queries than this and the oldest are finalised and prepared
 * again.  Room for every query of the store_*.c files (store_recover.c adds
 * about fifteen) with a margin: a walk's callback (the deadline check, the
 * listings, recovery's report) runs other queries while the walk's own
 * statement is still stepping, and must not push it out.
 */
#define STMT_CACHE_SIZE 96

struct stmt_cache {
	struct {
		char *sql;
		sqlite3_stmt *st;
	} e[STMT_CACHE_SIZE];
	size_t next; /* the slot the next new statement takes */
};

void
store_stmt_cache_free(struct stmt_cache *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < STMT_CACHE_SIZE; i++) {
		sqlite3_finalize(c->e[i].st);
		free(c->e[i].sql);
	}
	free(c);
}

/* sql prepared (from the cache when it was prepared before), reset and unbound. */
static int
stmt_get(struct store *s, const char *sql, sqlite3_stmt **ret)
{
	struct stmt_cache **cp = store_stmt_cache(s), *c;
	size_t i;
	int rc;

	if (*cp == NULL)
		*cp = xcalloc(1, sizeof(**cp));
	c = *cp;
	for (i = 0; i < STMT_CACHE_SIZE; i++)
		if (c->e[i].sql != NULL && streq(c->e[i].sql, sql)) {
			*ret = c->e[i].st;
			return SQLITE_OK;
		}
	i = c->next;
	c->next = (c->next + 1) % STMT_CACHE_SIZE;
	sqlite3_finalize(c->e[i].st);
	free(c->e[i].sql);
	c->e[i].st = NULL;
	c->e[i].sql = NULL;
	rc = sqlite3_prepare_v3(store_sqlite(s), sql, -1, SQLITE_PREPARE_PERSISTENT, &c->e[i].st,
				NULL);
	if (rc != SQLITE_OK)
		return rc;
	c->e[i].sql = xstrdup(sql);
	*ret = c->e[i].st;
	return SQLITE_OK;
}

int
store_rows(struct store *s, const char *what, const char *sql, store_row_fn row, void *userdata,
	   const char *types, ...)
{
	sqlite3_stmt *st = NULL;
	va_list ap;
	int rc, r = 0, n = 0;

	rc = stmt_get(s, sql, &st);
	if (rc != SQLITE_OK)
		return store_failed(s, rc, what);
	va_start(ap, types);
	for (int i = 0; types[i]; i++) {
		if (types[i] == 'i')
			sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
		else
			sqlite3_bind_text(st, i + 1, va_arg(ap, const char *), -1, SQLITE_STATIC);
	}
	va_end(ap);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		n++;
		if (row != NULL && (r = row(st, userdata)) < 0)
			break;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = store_failed(s, rc, what);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return r < 0 ? r : n;
}

char *
store_col_str(struct sqlite3_stmt *st, int i)
{
	const unsigned char *v = sqlite3_column_text(st, i);

	return xstrdup(v ? (const char *)v : "");
}
