/*
 * fuzz_e2e.c - libFuzzer target for the whole intake: raw bytes in,
 * intake_message() on a real store with the shipped rules (data/rules.conf)
 * and templates, the case machine and the outbox queue behind it, as the
 * daemon runs them.
 *
 * An input is up to E2E_MAX_MESSAGES messages separated by the four bytes
 * "\n\0\0\n" (so one input can open a case and then answer on it); a message
 * whose first byte is \1 comes from the Sent folder ([imap] sent_folder), the
 * others from INBOX.  Each input starts from an empty store: the messages are
 * ingested in one transaction as daemon/sync.c commits a batch (and, should
 * it fail, one by one, a message that still fails recorded bare as
 * quarantined), each received three hours after the one before from a fixed
 * Monday morning; then the deadline scan runs forty days later.
 *
 * Promises checked (a broken one aborts):
 *  - nothing is lost or recorded twice: every INBOX message has its row by
 *    its UID, unless a later message of the input is its copy (the row then
 *    follows the copy's UID); no copy (same Message-ID and body) is
 *    recorded again; a message is on at most one case, which exists;
 *  - every mail in the outbox is a well-formed header block (field names of
 *    printable ASCII, CRLF line ends, no bare CR or LF, no NUL, folded lines
 *    only after a field, an empty line before the body) with exactly one To:
 *    naming its recipient, one From:, one Date: and one Message-ID:;
 *  - no automatic mail (Auto-Submitted) is queued or held for an address the
 *    automatic-mail rules never answer (automail_never_answer());
 *  - and, under libFuzzer's LeakSanitizer, nothing leaks.
 *
 * Setup happens once per process (LLVMFuzzerInitialize, or the first input
 * when replayed by tests/test_fuzz_regress): a configuration and a store in
 * $COMPLAINTSD_FUZZ_E2E_DIR (scripts/fuzz keeps it in build-fuzz/state/, so the
 * compiled rules cache beside the database is made once for every process)
 * or else in a temporary directory removed at exit.  Between inputs every
 * table is emptied; the store runs with synchronous=OFF (nothing here
 * survives a crash on purpose), the only difference from the daemon's.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <unistd.h>

#include "automail.h"
#include "case.h"
#include "conf.h"
#include "context.h"
#include "errlist.h"
#include "intake.h"
#include "log.h"
#include "store.h"
#include "util.h"

#ifndef SRCDIR
#define SRCDIR "."
#endif

#define E2E_MAX_MESSAGES 4
#define E2E_T0 ((time_t)1772445600) /* Monday 2 March 2026, 10:00 UTC */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static struct context e2e_ctx;
static struct intake e2e_in;
static char *e2e_dir, *e2e_db;
static bool e2e_dir_temporary;

static void
e2e_fail(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_e2e: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	abort();
}

static void
e2e_exec(const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(store_sqlite(e2e_ctx.store), sql, NULL, NULL, &err) != SQLITE_OK)
		e2e_fail(sql, err);
}

/* Remove dir and the files in it (the configuration, the rules cache). */
static void
e2e_remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	while (d != NULL && (de = readdir(d)) != NULL) {
		_cleanup_free_ char *p = NULL;

		if (streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		p = xasprintf("%s/%s", dir, de->d_name);
		(void)unlink(p);
	}
	if (d != NULL)
		closedir(d);
	(void)rmdir(dir);
}

static void
e2e_cleanup(void)
{
	context_done(&e2e_ctx);
	if (e2e_db != NULL) {
		const char *ext[] = {"", "-wal", "-shm", "-journal"};

		for (size_t i = 0; i < ELEMENTSOF(ext); i++) {
			_cleanup_free_ char *p = xasprintf("%s%s", e2e_db, ext[i]);

			(void)unlink(p);
		}
	}
	if (e2e_dir_temporary)
		e2e_remove_dir(e2e_dir);
	free(e2e_db);
	free(e2e_dir);
}

static void
e2e_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0)
		e2e_fail("cannot write", path);
}

static void
e2e_setup(void)
{
	_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
	_cleanup_free_ char *conf = NULL, *pw = NULL, *text = NULL, *error = NULL;
	const char *dir = getenv("COMPLAINTSD_FUZZ_E2E_DIR");

	if (dir != NULL && *dir != '\0') {
		e2e_dir = xstrdup(dir);
	} else {
		char tmpl[] = "/tmp/complaintsd-fuzz-e2e.XXXXXX";

		if (mkdtemp(tmpl) == NULL)
			e2e_fail("mkdtemp", strerror(errno));
		e2e_dir = xstrdup(tmpl);
		e2e_dir_temporary = true;
	}
	/* one database per process: several fuzzers may share the directory */
	e2e_db = xasprintf("%s/e2e-%ld.db", e2e_dir, (long)getpid());
	pw = xasprintf("%s/password", e2e_dir);
	e2e_write(pw, "secret\n");
	/* the integration tests' council (tests/integration/lib.sh), with a Sent folder */
	text = xasprintf(
	    "[council]\n"
	    "name = Example Borough Council\n"
	    "complaints_address = complaints@council.example\n"
	    "complaints_url = https://www.council.example/complaints\n"
	    "reference_prefix = CMP\n"
	    "holidays_file = %s/data/holidays-england-and-wales.txt\n"
	    "\n[people]\n"
	    "officer_domains = council.example\n"
	    "councillor_addresses = cllr.m.lowe@council.example\n"
	    "alerts_address = complaints-team@council.example\n"
	    "trusted_authserv_id = mx.council.example\n"
	    "\n[imap]\n"
	    "url = imaps://localhost:993/INBOX\n"
	    "username = complaints@council.example\n"
	    "password_file = %s\n"
	    "sent_folder = Sent Items\n"
	    "\n[smtp]\n"
	    "url = smtp://localhost:25\n"
	    "starttls = no\n"
	    "username =\n"
	    "\n[store]\n"
	    "database = %s\n"
	    "\n[routing]\n"
	    "waste = waste-team@council.example\n"
	    "noise = noise-team@council.example\n"
	    "noise.url = https://www.council.example/noise\n"
	    "noise.phone = 01234 567890\n"
	    "default = complaints-team@council.example\n"
	    "\n[replies]\n"
	    "rules_file = %s/data/rules.conf\n"
	    "templates_dir = %s/templates\n",
	    SRCDIR, pw, e2e_db, SRCDIR, SRCDIR);
	conf = xasprintf("%s/complaintsd.conf", e2e_dir);
	e2e_write(conf, text);

	log_open("fuzz_e2e", LOG_TARGET_STDERR);
	if (context_load(&e2e_ctx, conf, &errs) < 0) {
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.v[i]);
		e2e_fail("the configuration does not load", conf);
	}
	/* quiet: the daemon's log of every message would cost more than the intake */
	log_set_level(LOG_CRIT);
	(void)unlink(e2e_db);
	if (context_open_store(&e2e_ctx, &error) < 0)
		e2e_fail("cannot open the store", error);
	e2e_exec("PRAGMA synchronous = OFF");
	e2e_in = (struct intake){
	    .cfg = e2e_ctx.cfg,
	    .store = e2e_ctx.store,
	    .cal = e2e_ctx.cal,
	    .rules = e2e_ctx.rules,
	    .templates = e2e_ctx.templates,
	    .limits = {(size_t)e2e_ctx.cfg->max_message_bytes, (unsigned)e2e_ctx.cfg->max_mime_depth,
		       (unsigned)e2e_ctx.cfg->max_mime_parts, (size_t)e2e_ctx.cfg->max_header_bytes},
	};
	atexit(e2e_cleanup);
}

/* Empty every table (the schema and its version stay). */
static void
e2e_reset(void)
{
	sqlite3 *db = store_sqlite(e2e_ctx.store);
	sqlite3_stmt *st;
	char **names = NULL;
	size_t n = 0;

	if (sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'table'", -1, &st,
			       NULL) != SQLITE_OK)
		e2e_fail("listing the tables", sqlite3_errmsg(db));
	while (sqlite3_step(st) == SQLITE_ROW) {
		names = xreallocarray(names, n + 1, sizeof(*names));
		names[n++] = xstrdup((const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	e2e_exec("PRAGMA foreign_keys = OFF");
	e2e_exec("BEGIN");
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *sql = xasprintf("DELETE FROM \"%s\"", names[i]);

		e2e_exec(sql);
		free(names[i]);
	}
	free(names);
	e2e_exec("COMMIT");
	e2e_exec("PRAGMA foreign_keys = ON");
}

static int64_t
e2e_count(const char *sql)
{
	sqlite3 *db = store_sqlite(e2e_ctx.store);
	sqlite3_stmt *st;
	int64_t v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		e2e_fail(sql, sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

struct e2e_fields {
	unsigned to, from, date, msgid;
	bool automatic;
	const char *error;
};

/* One whole field (folded lines included, CRLFs kept): name, then value. */
static void
e2e_field(struct e2e_fields *f, const char *name, size_t name_len, const char *value,
	  size_t value_len, const char *rcpt)
{
	_cleanup_free_ char *v = xstrndup(value, value_len);

#define E2E_IS(n) (name_len == strlen(n) && ascii_strncaseeq(name, n, name_len))
	if (E2E_IS("To")) {
		f->to++;
		if (strcasestr(v, rcpt) == NULL && f->error == NULL)
			f->error = "To: does not name the outbox row's recipient";
	} else if (E2E_IS("From")) {
		f->from++;
	} else if (E2E_IS("Date")) {
		f->date++;
	} else if (E2E_IS("Message-ID")) {
		f->msgid++;
	} else if (E2E_IS("Auto-Submitted")) {
		const char *t = v + strspn(v, " \t");

		f->automatic = !(ascii_strncaseeq(t, "no", 2) && (t[2] == '\0' || t[2] == '\r'));
	}
#undef E2E_IS
}

/*
 * Check one queued mail's header block; returns NULL or what is wrong.  Sets
 * *ret_automatic when it carries Auto-Submitted other than "no".
 */
static const char *
e2e_check_header(const char *data, size_t len, const char *rcpt, bool *ret_automatic)
{
	const char *p = data, *end = data + len;
	const char *name = NULL, *colon = NULL;
	struct e2e_fields f = {0};

	*ret_automatic = false;
	for (;;) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *line_end;

		if (eol == NULL)
			return "the header block does not end";
		if (eol == p || eol[-1] != '\r')
			return "a bare LF in the header";
		line_end = eol - 1;
		if (memchr(p, '\r', (size_t)(line_end - p)) != NULL)
			return "a bare CR in the header";
		if (memchr(p, '\0', (size_t)(line_end - p)) != NULL)
			return "a NUL in the header";
		if (*p == ' ' || *p == '\t') {
			if (name == NULL)
				return "a folded line before any field";
			if (strspn(p, " \t") == (size_t)(line_end - p))
				return "a folded line of white space only";
		} else {
			const char *q = p;

			/* the field before this line is complete */
			if (name != NULL)
				e2e_field(&f, name, (size_t)(colon - name), colon + 1,
					  (size_t)(p - colon - 1), rcpt);
			name = NULL;
			if (line_end == p)
				break; /* the empty line before the body */
			while (q < line_end && *q > 32 && *q < 127 && *q != ':')
				q++;
			if (q == p || q == line_end || *q != ':')
				return "a header line that is not a field";
			name = p;
			colon = q;
		}
		p = eol + 1;
	}
	*ret_automatic = f.automatic;
	if (f.error != NULL)
		return f.error;
	if (f.to != 1)
		return "not exactly one To:";
	if (f.from != 1 || f.date != 1 || f.msgid != 1)
		return "not exactly one From:, Date: and Message-ID:";
	return NULL;
}

/* Does the store hold a row for this mailbox's UID? */
static bool
e2e_recorded(const struct intake_source *src)
{
	_cleanup_free_ char *sql = xasprintf(
	    "SELECT count(*) FROM messages WHERE mailbox = '%s' AND uidvalidity = %u AND uid = %u",
	    src->mailbox, src->uidvalidity, src->uid);

	return e2e_count(sql) > 0;
}

static void
e2e_check(const struct intake_source *src, size_t n_messages)
{
	sqlite3 *db = store_sqlite(e2e_ctx.store);
	sqlite3_stmt *st;
	_cleanup_free_ char *sql = NULL;

	/*
	 * Nothing lost: every INBOX message has its row, unless a later one of
	 * the input is its copy (the row then follows the latest copy's UID, so
	 * that it is moved on; a copy in the Sent folder is one by its Message-ID,
	 * as the server adds headers to the copy it delivers).  The Sent folder's
	 * copies of our own mail are not recorded again.
	 */
	for (size_t i = 0; i < n_messages; i++) {
		bool later = false;

		if (!streq(src[i].mailbox, "INBOX") || e2e_recorded(&src[i]))
			continue;
		for (size_t j = i + 1; j < n_messages; j++)
			later = later || e2e_recorded(&src[j]);
		if (!later)
			e2e_fail("a message of INBOX is not recorded", NULL);
	}
	/* nothing recorded twice: one row per message at most, a copy not again */
	sql = xasprintf("SELECT count(*) <= %zu FROM messages WHERE uid IS NOT NULL", n_messages);
	if (e2e_count(sql) != 1)
		e2e_fail("more rows than messages", NULL);
	if (e2e_count("SELECT count(*) FROM (SELECT 1 FROM messages WHERE direction = 'in' AND "
		      "message_id != '' GROUP BY message_id, digest HAVING count(*) > 1)") != 0)
		e2e_fail("a copy of a message was recorded again", NULL);
	/* on at most one case, which exists */
	if (e2e_count("SELECT count(*) FROM messages m LEFT JOIN cases c ON c.id = m.case_id "
		      "WHERE m.case_id IS NOT NULL AND c.id IS NULL") != 0)
		e2e_fail("a message is on a case that does not exist", NULL);
	if (e2e_count("SELECT count(*) FROM outbox o LEFT JOIN cases c ON c.id = o.case_id "
		      "WHERE o.case_id IS NOT NULL AND o.case_id != 0 AND c.id IS NULL") != 0)
		e2e_fail("a queued mail is on a case that does not exist", NULL);

	if (sqlite3_prepare_v2(db, "SELECT rcpt, data, state, purpose FROM outbox_mail", -1, &st, NULL) !=
	    SQLITE_OK)
		e2e_fail("reading the outbox", sqlite3_errmsg(db));
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *rcpt = (const char *)sqlite3_column_text(st, 0);
		const char *data = sqlite3_column_blob(st, 1);
		size_t len = (size_t)sqlite3_column_bytes(st, 1);
		const char *state = (const char *)sqlite3_column_text(st, 2);
		const char *purpose = (const char *)sqlite3_column_text(st, 3);
		bool automatic;
		const char *why;

		if (rcpt == NULL || *rcpt == '\0')
			e2e_fail("a queued mail without a recipient", purpose);
		why = e2e_check_header(data ? data : "", data ? len : 0, rcpt, &automatic);
		if (why != NULL) {
			fprintf(stderr, "fuzz_e2e: %s mail to %s (%s):\n%.*s\n", purpose, rcpt, state,
				(int)(len > 4000 ? 4000 : len), data ? data : "");
			e2e_fail(why, purpose);
		}
		if (automatic && (streq(state, "queued") || streq(state, "held")) &&
		    automail_never_answer(rcpt)) {
			fprintf(stderr, "fuzz_e2e: %s mail %s for %s\n", purpose, state, rcpt);
			e2e_fail("automatic mail to an address never answered", rcpt);
		}
	}
	sqlite3_finalize(st);
}

/* With $COMPLAINTSD_FUZZ_E2E_SHOW set: what the input made, on stderr (to read a finding). */
static void
e2e_show(void)
{
	static const char *const q[] = {
	    "SELECT 'message', id, coalesce(case_id, '-'), direction, role, state, "
	    "coalesce(mailbox, '-'), coalesce(uid, '-'), from_email, subject FROM messages",
	    "SELECT 'case', id, ref, kind, stage, status, complainant_email, '', '', '' FROM cases",
	    "SELECT 'outbox', id, coalesce(case_id, '-'), purpose, state, rcpt, '', '', '', '' FROM outbox",
	};
	sqlite3 *db = store_sqlite(e2e_ctx.store);

	if (getenv("COMPLAINTSD_FUZZ_E2E_SHOW") == NULL)
		return;
	for (size_t i = 0; i < ELEMENTSOF(q); i++) {
		sqlite3_stmt *st;

		if (sqlite3_prepare_v2(db, q[i], -1, &st, NULL) != SQLITE_OK)
			e2e_fail(q[i], sqlite3_errmsg(db));
		while (sqlite3_step(st) == SQLITE_ROW) {
			for (int c = 0; c < sqlite3_column_count(st); c++)
				fprintf(stderr, "%s%s", c ? " | " : "",
					(const char *)sqlite3_column_text(st, c));
			fputc('\n', stderr);
		}
		sqlite3_finalize(st);
	}
}

/* Ingest msgs as one batch, as daemon/sync.c's commit_batch does. */
static void
e2e_ingest(const struct intake_source *src, size_t n)
{
	enum intake_disposition disp;
	int r = store_begin(e2e_ctx.store);

	for (size_t i = 0; r == 0 && i < n; i++)
		r = intake_message(&e2e_in, &src[i], src[i].internaldate, &disp);
	for (size_t i = 0; r == 0 && i < n; i++)
		r = store_mailbox_set(e2e_ctx.store, src[i].mailbox, src[i].uidvalidity, src[i].uid);
	if (r == 0)
		r = store_commit(e2e_ctx.store);
	if (r == 0)
		return;
	store_rollback(e2e_ctx.store);
	for (size_t i = 0; i < n; i++) {
		struct intake_source bare = src[i];
		_cleanup_free_ char *why = NULL;

		r = store_begin(e2e_ctx.store);
		if (r == 0)
			r = intake_message(&e2e_in, &src[i], src[i].internaldate, &disp);
		if (r == 0)
			r = store_commit(e2e_ctx.store);
		if (r == 0)
			continue;
		store_rollback(e2e_ctx.store);
		why = xasprintf("store_error: %s", store_last_error(e2e_ctx.store));
		bare.quarantine_reason = why;
		r = store_begin(e2e_ctx.store);
		if (r == 0)
			r = intake_message(&e2e_in, &bare, src[i].internaldate, &disp);
		if (r == 0)
			r = store_commit(e2e_ctx.store);
		if (r < 0)
			e2e_fail("a message could not even be quarantined", store_last_error(e2e_ctx.store));
	}
}

/* libFuzzer calls this before its clock starts: the rules may take seconds to compile. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (e2e_ctx.store == NULL)
		e2e_setup();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char sep[] = "\n\0\0\n";
	struct intake_source src[E2E_MAX_MESSAGES];
	const char *p = (const char *)data, *end = p + size;
	size_t n = 0;

	if (e2e_ctx.store == NULL)
		e2e_setup();
	while (n < E2E_MAX_MESSAGES) {
		const char *next = memmem(p, (size_t)(end - p), sep, 4);
		const char *stop = next && n + 1 < E2E_MAX_MESSAGES ? next : end;
		bool sent = stop > p && *p == '\1';
		time_t t = E2E_T0 + (time_t)n * 3 * 3600;

		if (sent)
			p++;
		src[n] = (struct intake_source){
		    .mailbox = sent ? "Sent Items" : "INBOX",
		    .uidvalidity = 1,
		    .uid = (uint32_t)n + 1,
		    .internaldate = t,
		    .raw = p,
		    .len = (size_t)(stop - p),
		    .size = (size_t)(stop - p),
		};
		n++;
		if (stop == end)
			break;
		p = stop + 4;
	}
	e2e_ingest(src, n);
	{
		struct case_ctx cx = {.store = e2e_ctx.store, .cfg = e2e_ctx.cfg, .cal = e2e_ctx.cal,
				      .rules = e2e_ctx.rules, .templates = e2e_ctx.templates,
				      .now = E2E_T0 + 40 * 86400};
		size_t reminders = 0, breaches = 0;

		if (case_check_deadlines(&cx, &reminders, &breaches) < 0)
			e2e_fail("the deadline scan failed", store_last_error(e2e_ctx.store));
	}
	e2e_show();
	e2e_check(src, n);
	e2e_reset();
	return 0;
}
