/*
 * imap_probe.c - drive the IMAP adapter from the command line, for the
 * integration tests.
 *
 *   imap_probe URL USER PASSWORD_FILE [OPTIONS] COMMAND [ARGS]
 *
 * Options: --ca FILE (private CA), --no-verify (skip certificate checks),
 * --plain (imap:// without STARTTLS), --timeout SECONDS.
 *
 * Commands (each connects, selects the URL's mailbox where needed and prints
 * one result per line):
 *   login              "ok idle=N move=N"
 *   list               "uidvalidity V uidnext N exists E", then "uid U" lines
 *   fetch-all [MAX]    "msg UID SIZE LEN INTERNALDATE" (LEN -1: skipped for size)
 *   move-all FOLDER    "moved N" (creates FOLDER first)
 *   ensure FOLDER      "ok"
 *   idle SECONDS       "idling" once waiting, then "new-mail MS" or "timeout"
 *
 * Exit status: 0 success, 2 usage, 3 idle timed out, 10 + enum imap_result
 * on an adapter error (13 server, 14 auth, 15 TLS), with the error on stderr.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "imap.h"
#include "util.h"

#define BATCH 100

static const char *prog = "imap_probe";

static void
usage(void)
{
	fprintf(stderr,
	        "usage: %s URL USER PASSWORD_FILE [--ca FILE] [--no-verify] [--plain] "
	        "[--timeout S] login|list|fetch-all [MAX]|move-all FOLDER|ensure FOLDER|"
	        "idle SECONDS\n",
	        prog);
	exit(2);
}

static int
fail(struct imap *im, enum imap_result r, const char *what)
{
	fprintf(stderr, "%s: %s: %s: %s\n", prog, what, imap_result_to_string(r),
	        imap_last_error(im));
	return 10 + (int)r;
}

/* The first line of the file, without its line end. */
static char *
read_password(const char *path)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f = fopen(path, "re");

	if (!f) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		exit(2);
	}
	n = getline(&line, &cap, f);
	fclose(f);
	if (n < 0) {
		free(line);
		return xstrdup("");
	}
	line[strcspn(line, "\r\n")] = '\0';
	return line;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
select_box(struct imap *im, uint32_t *ret_exists)
{
	uint32_t uidvalidity = 0, uidnext = 0, exists = 0;
	enum imap_result r = imap_select(im, imap_mailbox(im), &uidvalidity, &uidnext, &exists);

	if (r != IMAP_OK)
		return fail(im, r, "select");
	if (ret_exists)
		*ret_exists = exists;
	else
		printf("uidvalidity %u uidnext %u exists %u\n", uidvalidity, uidnext, exists);
	return 0;
}

static int
cmd_list(struct imap *im)
{
	_cleanup_free_ uint32_t *uids = NULL;
	enum imap_result r;
	size_t n = 0;
	int rc;

	if ((rc = select_box(im, NULL)))
		return rc;
	if ((r = imap_search_after(im, 0, &uids, &n)) != IMAP_OK)
		return fail(im, r, "search");
	for (size_t i = 0; i < n; i++)
		printf("uid %u\n", uids[i]);
	return 0;
}

static int
cmd_fetch_all(struct imap *im, size_t max_size)
{
	_cleanup_free_ uint32_t *uids = NULL;
	enum imap_result r;
	size_t n = 0;
	int rc;

	if ((rc = select_box(im, (uint32_t[]){0})))
		return rc;
	if ((r = imap_search_after(im, 0, &uids, &n)) != IMAP_OK)
		return fail(im, r, "search");
	for (size_t i = 0; i < n; i += BATCH) {
		struct imap_message *msgs = NULL;
		size_t nm = 0;

		r = imap_fetch(im, uids + i, n - i < BATCH ? n - i : BATCH, max_size, &msgs, &nm);
		if (r != IMAP_OK)
			return fail(im, r, "fetch");
		for (size_t j = 0; j < nm; j++)
			printf("msg %u %zu %lld %lld\n", msgs[j].uid, msgs[j].size,
			       msgs[j].data ? (long long)msgs[j].len : -1LL,
			       (long long)msgs[j].internaldate);
		imap_messages_free(msgs, nm);
	}
	return 0;
}

static int
cmd_move_all(struct imap *im, const char *folder)
{
	_cleanup_free_ uint32_t *uids = NULL;
	enum imap_result r;
	size_t n = 0;
	int rc;

	if ((r = imap_ensure_folder(im, folder)) != IMAP_OK)
		return fail(im, r, "ensure folder");
	if ((rc = select_box(im, (uint32_t[]){0})))
		return rc;
	if ((r = imap_search_after(im, 0, &uids, &n)) != IMAP_OK)
		return fail(im, r, "search");
	for (size_t i = 0; i < n; i += BATCH) {
		r = imap_move(im, uids + i, n - i < BATCH ? n - i : BATCH, folder);
		if (r != IMAP_OK)
			return fail(im, r, "move");
	}
	if (!isempty(imap_last_error(im)))
		fprintf(stderr, "%s: note: %s\n", prog, imap_last_error(im));
	printf("moved %zu\n", n);
	return 0;
}

static int
cmd_idle(struct imap *im, int seconds)
{
	_cleanup_free_ uint32_t *uids = NULL;
	long long start, deadline;
	enum imap_result r;
	size_t n = 0;
	int rc;

	if ((rc = select_box(im, (uint32_t[]){0})))
		return rc;
	if ((r = imap_search_after(im, 0, &uids, &n)) != IMAP_OK)
		return fail(im, r, "search");
	printf("idling idle=%d\n", imap_has_idle(im));
	fflush(stdout);
	start = now_ms();
	deadline = start + (long long)seconds * 1000;
	for (;;) {
		long long left = deadline - now_ms();
		bool changed = false;

		if (left <= 0)
			break;
		r = imap_idle(im, (int)left, -1, &changed);
		if (r != IMAP_OK)
			return fail(im, r, "idle");
		if (changed) {
			printf("new-mail %lld\n", now_ms() - start);
			return 0;
		}
	}
	printf("timeout\n");
	return 3;
}

int
main(int argc, char **argv)
{
	struct imap_config cfg = {.tls_verify = true, .starttls = true};
	_cleanup_free_ char *password = NULL;
	struct imap *im;
	enum imap_result r;
	char *err = NULL;
	int i, rc = 2;

	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 5)
		usage();
	cfg.url = argv[1];
	cfg.username = argv[2];
	password = read_password(argv[3]);
	cfg.password = password;
	for (i = 4; i < argc && startswith(argv[i], "--"); i++) {
		if (streq(argv[i], "--ca") && i + 1 < argc)
			cfg.ca_file = argv[++i];
		else if (streq(argv[i], "--no-verify"))
			cfg.tls_verify = false;
		else if (streq(argv[i], "--plain"))
			cfg.starttls = false;
		else if (streq(argv[i], "--timeout") && i + 1 < argc)
			cfg.timeout = (unsigned)atoi(argv[++i]);
		else
			usage();
	}
	if (i >= argc)
		usage();

	im = imap_new(&cfg, &err);
	if (!im) {
		fprintf(stderr, "%s: %s\n", prog, err);
		free(err);
		return 2;
	}
	if ((r = imap_connect(im)) != IMAP_OK) {
		rc = fail(im, r, "connect");
		imap_free(im);
		return rc;
	}
	if (streq(argv[i], "login")) {
		printf("ok idle=%d move=%d\n", imap_has_idle(im), imap_has_move(im));
		rc = 0;
	} else if (streq(argv[i], "list"))
		rc = cmd_list(im);
	else if (streq(argv[i], "fetch-all"))
		rc = cmd_fetch_all(im, i + 1 < argc ? strtoull(argv[i + 1], NULL, 10) : 25u << 20);
	else if (streq(argv[i], "move-all") && i + 1 < argc)
		rc = cmd_move_all(im, argv[i + 1]);
	else if (streq(argv[i], "ensure") && i + 1 < argc) {
		r = imap_ensure_folder(im, argv[i + 1]);
		rc = r == IMAP_OK ? (printf("ok\n"), 0) : fail(im, r, "ensure folder");
	} else if (streq(argv[i], "idle") && i + 1 < argc)
		rc = cmd_idle(im, atoi(argv[i + 1]));
	else {
		imap_free(im);
		usage();
	}
	imap_free(im);
	return rc;
}
