/*
 * store_backup.c - a consistent copy of the open database (part of the
 * store adapter): SQLite's online backup API, which copies the pages as of
 * one read transaction while the daemon goes on writing, then an integrity
 * check of the copy.  Used by `complaintsctl backup` (daemon/ctl_backup.c).
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <sqlite3.h>

#include "store.h"
#include "store_recover.h"
#include "util.h"

static int
fail(sqlite3 *db, int rc, const char *what, char **ret_error)
{
	*ret_error = xasprintf("%s: %s", what, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
	return rc == SQLITE_FULL ? -ENOSPC : rc == SQLITE_READONLY || rc == SQLITE_CANTOPEN ? -EACCES
									      : -EIO;
}

static int
check_row(void *userdata, int n, char **values, char **names)
{
	char **ret = userdata;

	(void)names;
	if (n > 0 && values[0] != NULL && *ret == NULL)
		*ret = xstrdup(values[0]);
	return 0;
}

int
store_backup(struct store *s, const char *dest_path, char **ret_what, char **ret_error)
{
	sqlite3 *dest = NULL;
	sqlite3_backup *b;
	char *check = NULL, *counts = NULL, *err = NULL;
	int rc, r = 0;

	*ret_error = NULL;
	*ret_what = NULL;
	rc = sqlite3_open_v2(dest_path, &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		r = fail(dest, rc, "cannot open the backup file", ret_error);
		sqlite3_close(dest);
		return r;
	}
	b = sqlite3_backup_init(dest, "main", store_sqlite(s), "main");
	if (b == NULL) {
		r = fail(dest, sqlite3_errcode(dest), "cannot start the backup", ret_error);
		sqlite3_close(dest);
		return r;
	}
	/*
	 * All pages in one step: one read transaction, so the copy is the
	 * database as of one commit; in WAL mode the daemon's writers go on
	 * meanwhile (a step of some pages would start again after each of them).
	 */
	do {
		rc = sqlite3_backup_step(b, -1);
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			sqlite3_sleep(50);
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		r = fail(dest, rc, "the backup failed", ret_error);
		sqlite3_close(dest);
		return r;
	}
	/* a file of its own: no -wal beside it to lose on the way to the backup medium */
	rc = sqlite3_exec(dest, "PRAGMA journal_mode = DELETE", NULL, NULL, &err);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(dest, "PRAGMA integrity_check", check_row, &check, &err);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(dest, "SELECT (SELECT count(*) FROM cases) || ' cases, ' || "
					"(SELECT count(*) FROM messages) || ' messages'",
				  check_row, &counts, &err);
	if (rc != SQLITE_OK)
		r = fail(dest, rc, "the backup could not be checked", ret_error);
	else if (check == NULL || !streq(check, "ok")) {
		*ret_error = xasprintf("the backup failed its integrity check: %s",
				       check ? check : "no answer");
		r = -EIO;
	}
	sqlite3_free(err);
	free(check);
	if (r == 0)
		*ret_what = counts;
	else
		free(counts);
	rc = sqlite3_close(dest);
	if (r == 0 && rc != SQLITE_OK) {
		*ret_error = xasprintf("cannot close the backup file: %s", sqlite3_errstr(rc));
		r = -EIO;
	}
	return r;
}
