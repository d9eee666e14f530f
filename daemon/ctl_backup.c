/*
 * ctl_backup.c - `complaintsctl backup`: a consistent copy of the database
 * while the daemon runs (SPEC section 8).
 *
 *   complaintsctl backup [--force] FILE
 *   complaintsctl backup --dir DIR [--keep N]
 *
 * The copy is written to a temporary file beside FILE (mode 0600), checked
 * with PRAGMA integrity_check, synced, and only then given its name, so a
 * FILE that exists is always a whole, checked backup.  An existing FILE is
 * kept unless --force says to replace it, and never when it is not a
 * regular file or is the database itself.  --dir names the file by the time
 * (complaints-YYYYMMDDTHHMMSSZ.db) and keeps the newest N (default 14) of
 * those in DIR: what the nightly timer runs (systemd/complaintsd-backup.timer).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "context.h"
#include "ctl.h"
#include "store.h"
#include "store_recover.h"
#include "util.h"

#define KEEP_DEFAULT 14
#define NAME_PREFIX "complaints-"
#define NAME_SUFFIX ".db"

static int
fsync_path(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC), r = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		r = -errno;
	close(fd);
	return r;
}

/* May path be written?  0, or an exit code after saying why. */
static int
check_target(const char *path, const char *database, bool force)
{
	struct stat st, db;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		fprintf(stderr, "complaintsctl backup: %s: %s\n", path, strerror(errno));
		return EXIT_FAILURE;
	}
	if (!S_ISREG(st.st_mode)) {
		fprintf(stderr, "complaintsctl backup: %s exists and is not a regular file; not replaced\n",
			path);
		return EXIT_FAILURE;
	}
	if (stat(database, &db) == 0 && db.st_dev == st.st_dev && db.st_ino == st.st_ino) {
		fprintf(stderr, "complaintsctl backup: %s is the database itself; a backup goes to another file\n",
			path);
		return EXIT_FAILURE;
	}
	if (!force) {
		fprintf(stderr, "complaintsctl backup: %s exists; give --force to replace it, or another name\n",
			path);
		return EXIT_FAILURE;
	}
	return 0;
}

static int
write_backup(struct context *ctx, const char *path, bool force)
{
	_cleanup_free_ char *copy = xstrdup(path), *tmp = NULL, *error = NULL, *what = NULL;
	const char *dir = dirname(copy);
	struct stat st;
	int fd, r;

	r = check_target(path, ctx->cfg->database, force);
	if (r != 0)
		return r;
	tmp = xasprintf("%s/.complaints-backup.XXXXXX", dir);
	fd = mkstemp(tmp);
	if (fd < 0) {
		fprintf(stderr, "complaintsctl backup: cannot create a file in %s: %s\n", dir,
			strerror(errno));
		return EXIT_FAILURE;
	}
	(void)fchmod(fd, 0600);
	close(fd);
	r = store_backup(ctx->store, tmp, &what, &error);
	if (r == 0)
		r = fsync_path(tmp, O_RDONLY);
	if (r == 0) {
		/* without --force, link() fails if FILE appeared meanwhile: nothing is replaced */
		if (force)
			r = rename(tmp, path) < 0 ? -errno : 0;
		else {
			r = link(tmp, path) < 0 ? -errno : 0;
			if (r == 0)
				(void)unlink(tmp);
		}
	}
	if (r < 0) {
		fprintf(stderr, "complaintsctl backup: %s: %s; no backup written\n", path,
			error ? error : strerror(-r));
		(void)unlink(tmp);
		return EXIT_FAILURE;
	}
	(void)fsync_path(dir, O_RDONLY | O_DIRECTORY);
	printf("%s: backup of %s written and checked (integrity ok; %s, %lld bytes)\n", path,
	       ctx->cfg->database, what, stat(path, &st) == 0 ? (long long)st.st_size : 0LL);
	return EXIT_SUCCESS;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Remove all but the newest keep backups named by --dir in dir. */
static void
prune(const char *dir, unsigned long keep)
{
	DIR *d = opendir(dir);
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);

		if (startswith(e->d_name, NAME_PREFIX) && len > strlen(NAME_SUFFIX) &&
		    streq(e->d_name + len - strlen(NAME_SUFFIX), NAME_SUFFIX)) {
			names = xreallocarray(names, n + 1, sizeof(*names));
			names[n++] = xstrdup(e->d_name);
		}
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n; i++) {
		if (i + keep < n) {
			_cleanup_free_ char *p = xasprintf("%s/%s", dir, names[i]);

			if (unlink(p) == 0)
				printf("%s: removed (keeping the newest %lu)\n", p, keep);
			else
				fprintf(stderr, "complaintsctl backup: cannot remove %s: %s\n", p,
					strerror(errno));
		}
		free(names[i]);
	}
	free(names);
}

int
ctl_backup(struct context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{"force", no_argument, NULL, 'f'},
		{"dir", required_argument, NULL, 'd'},
		{"keep", required_argument, NULL, 'k'},
		{},
	};
	const char *dir = NULL;
	unsigned long keep = KEEP_DEFAULT;
	bool force = false;
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		char *end;

		switch (c) {
		case 'f':
			force = true;
			break;
		case 'd':
			dir = optarg;
			break;
		case 'k':
			keep = strtoul(optarg, &end, 10);
			if (*end != '\0' || keep < 1 || keep > 10000) {
				fprintf(stderr, "complaintsctl backup: --keep takes a number from 1 to 10000\n");
				return CTL_EXIT_USAGE;
			}
			break;
		default:
			return CTL_EXIT_USAGE;
		}
	}
	if ((dir == NULL) == (optind >= argc) || optind + (dir == NULL) < argc) {
		fprintf(stderr, "Usage: complaintsctl backup [--force] FILE\n"
				"       complaintsctl backup --dir DIR [--keep N]\n");
		return CTL_EXIT_USAGE;
	}
	if (dir == NULL)
		return write_backup(ctx, argv[optind], force);

	{
		_cleanup_free_ char *path = NULL;
		char stamp[32];
		time_t now = time(NULL);
		struct tm tm;

		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			fprintf(stderr, "complaintsctl backup: cannot create %s: %s\n", dir,
				strerror(errno));
			return EXIT_FAILURE;
		}
		gmtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
		path = xasprintf("%s/" NAME_PREFIX "%s" NAME_SUFFIX, dir, stamp);
		r = write_backup(ctx, path, false);
		if (r == EXIT_SUCCESS)
			prune(dir, keep);
		return r;
	}
}
