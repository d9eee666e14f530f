/*
 * test_store.c - the SQLite store: schema, references, dedup keys, threading
 * look-ups, and that a reopened database keeps everything.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "buf.h"
#include "compose.h"
#include "store.h"
#include "util.h"

static char dbdir[] = "/tmp/complaintsd-test-store-XXXXXX";
static char *dbpath;

static int
setup(void **state)
{
	struct store *s = NULL;
	char *err = NULL;

	strcpy(dbdir, "/tmp/complaintsd-test-store-XXXXXX");
	assert_non_null(mkdtemp(dbdir));
	dbpath = xasprintf("%s/complaints.db", dbdir);
	assert_int_equal(store_open(dbpath, &s, &err), 0);
	*state = s;
	return 0;
}

static int
teardown(void **state)
{
	_cleanup_free_ char *wal = xasprintf("%s-wal", dbpath), *shm = xasprintf("%s-shm", dbpath);

	store_free(*state);
	unlink(dbpath);
	unlink(wal);
	unlink(shm);
	rmdir(dbdir);
	free(dbpath);
	return 0;
}

/* A case as the intake opens one, inserted with its service area unless area is NULL. */
static struct case_row *
new_case_in(struct store *s, const char *email, const char *key, const char *area)
{
	struct case_row *c = xcalloc(1, sizeof(*c));

	assert_int_equal(store_next_ref(s, "CMP", 2026, &c->ref), 0);
	c->kind = xstrdup("complaint");
	c->stage = 1;
	c->status = xstrdup("open");
	c->scheme = xstrdup("lgsco");
	c->route = xstrdup("");
	c->subject = xstrdup("Missed bins");
	c->subject_key = xstrdup(key);
	c->complainant_name = xstrdup("Jane Resident");
	c->complainant_email = xstrdup(email);
	c->rep_email = xstrdup("");
	c->rep_role = xstrdup("");
	c->rep_consent = xstrdup("");
	c->officer = xstrdup("");
	c->received_at = 1790000000;
	c->received_date = xstrdup("2026-09-21");
	c->ack_due = xstrdup("2026-09-28");
	c->response_due = xstrdup("");
	c->outcome = xstrdup("");
	c->flags = xstrdup("late adjustments");
	c->s1_response_due = xstrdup("");
	c->s1_outcome = xstrdup("");
	c->created_at = c->updated_at = 1790000000;
	if (area != NULL)
		assert_int_equal(store_case_insert_area(s, c, area), 0);
	else
		assert_int_equal(store_case_insert(s, c), 0);
	assert_true(c->id > 0);
	return c;
}

static struct case_row *
new_case(struct store *s, const char *email, const char *key)
{
	return new_case_in(s, email, key, NULL);
}

static void
test_references_are_sequential_per_year(void **state)
{
	struct store *s = *state;
	char *a, *b, *c;

	assert_int_equal(store_next_ref(s, "CMP", 2026, &a), 0);
	assert_int_equal(store_next_ref(s, "CMP", 2026, &b), 0);
	assert_int_equal(store_next_ref(s, "CMP", 2027, &c), 0);
	assert_string_equal(a, "CMP-2026-000001");
	assert_string_equal(b, "CMP-2026-000002");
	assert_string_equal(c, "CMP-2027-000001");
	free(a);
	free(b);
	free(c);
}

/* The same numbers inside a transaction (the intake's batch), and none used by one rolled back. */
static void
test_references_in_a_transaction(void **state)
{
	struct store *s = *state;
	char *a, *b, *c, *d, *e;

	assert_int_equal(store_next_ref(s, "CMP", 2026, &a), 0);
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_next_ref(s, "CMP", 2026, &b), 0);
	assert_int_equal(store_next_ref(s, "CMP", 2028, &c), 0);
	assert_int_equal(store_next_ref(s, "CMP", 2026, &d), 0);
	store_rollback(s);
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_next_ref(s, "CMP", 2026, &e), 0);
	assert_int_equal(store_commit(s), 0);
	assert_string_equal(a, "CMP-2026-000001");
	assert_string_equal(b, "CMP-2026-000002");
	assert_string_equal(c, "CMP-2028-000001");
	assert_string_equal(d, "CMP-2026-000003");
	assert_string_equal(e, "CMP-2026-000002");
	free(a);
	free(b);
	free(c);
	free(d);
	free(e);
	assert_int_equal(store_next_ref(s, "CMP", 2026, &a), 0);
	assert_string_equal(a, "CMP-2026-000003");
	free(a);
}

static void
test_case_roundtrip_and_update(void **state)
{
	struct store *s = *state;
	_cleanup_case_row_ struct case_row *c = new_case(s, "jane@example.net", "missed bins");
	_cleanup_case_row_ struct case_row *got = NULL, *again = NULL;

	assert_int_equal(store_case_get_ref(s, c->ref, &got), 0);
	assert_int_equal(got->id, c->id);
	assert_string_equal(got->flags, "late adjustments");
	assert_string_equal(got->ack_due, "2026-09-28");
	free(got->status);
	got->status = xstrdup("responded");
	got->responded_at = 1790500000;
	assert_int_equal(store_case_update(s, got), 0);
	assert_int_equal(store_case_get(s, c->id, &again), 0);
	assert_string_equal(again->status, "responded");
	assert_int_equal(again->responded_at, 1790500000);
}

/* Every column of two case rows the same. */
static void
assert_case_equal(const struct case_row *a, const struct case_row *b)
{
	assert_int_equal(a->id, b->id);
	assert_string_equal(a->ref, b->ref);
	assert_string_equal(a->kind, b->kind);
	assert_int_equal(a->stage, b->stage);
	assert_string_equal(a->status, b->status);
	assert_string_equal(a->scheme, b->scheme);
	assert_string_equal(a->route, b->route);
	assert_string_equal(a->subject, b->subject);
	assert_string_equal(a->subject_key, b->subject_key);
	assert_string_equal(a->complainant_name, b->complainant_name);
	assert_string_equal(a->complainant_email, b->complainant_email);
	assert_string_equal(a->rep_email, b->rep_email);
	assert_string_equal(a->rep_role, b->rep_role);
	assert_string_equal(a->rep_consent, b->rep_consent);
	assert_string_equal(a->officer, b->officer);
	assert_int_equal(a->received_at, b->received_at);
	assert_string_equal(a->received_date, b->received_date);
	assert_string_equal(a->ack_due, b->ack_due);
	assert_int_equal(a->acknowledged_at, b->acknowledged_at);
	assert_string_equal(a->response_due, b->response_due);
	assert_int_equal(a->responded_at, b->responded_at);
	assert_int_equal(a->extension_days, b->extension_days);
	assert_string_equal(a->outcome, b->outcome);
	assert_string_equal(a->flags, b->flags);
	assert_int_equal(a->escalated_at, b->escalated_at);
	assert_int_equal(a->first_and_final, b->first_and_final);
	assert_int_equal(a->s1_acknowledged_at, b->s1_acknowledged_at);
	assert_string_equal(a->s1_response_due, b->s1_response_due);
	assert_int_equal(a->s1_responded_at, b->s1_responded_at);
	assert_int_equal(a->s1_extension_days, b->s1_extension_days);
	assert_string_equal(a->s1_outcome, b->s1_outcome);
	assert_int_equal(a->created_at, b->created_at);
	assert_int_equal(a->updated_at, b->updated_at);
}

static void
set_text(char **field, const char *v)
{
	free(*field);
	*field = xstrdup(v);
}

static char *
case_area(struct store *s, int64_t id)
{
	sqlite3_stmt *st;
	char *area;

	assert_int_equal(sqlite3_prepare_v2(store_sqlite(s), "SELECT area FROM cases WHERE id = ?1", -1,
					    &st, NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, id);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	area = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return area;
}

/* A case inserted with its service area has it in its row from the start. */
static void
test_case_insert_with_area(void **state)
{
	struct store *s = *state;
	_cleanup_case_row_ struct case_row *plain = new_case(s, "jane@example.net", "missed bins");
	_cleanup_case_row_ struct case_row *c = new_case_in(s, "jo@example.org", "pothole", "highways");
	_cleanup_case_row_ struct case_row *got = NULL;
	_cleanup_free_ char *a = NULL, *b = NULL;

	assert_true(c->id > plain->id);
	a = case_area(s, c->id);
	b = case_area(s, plain->id);
	assert_string_equal(a, "highways");
	assert_string_equal(b, "");
	assert_int_equal(store_case_get(s, c->id, &got), 0);
	assert_case_equal(got, c);
}

static int
collect_ref(const struct case_row *c, void *userdata)
{
	struct buf *b = userdata;

	(void)buf_printf(b, "%s%s", b->len ? " " : "", c->ref);
	return 0;
}

/* The refs store_case_due hands the deadline scan for that today and horizon. */
static char *
due_refs(struct store *s, const char *today, const char *horizon)
{
	struct buf b = BUF_INIT;

	assert_int_equal(store_case_due(s, today, horizon, collect_ref, &b), 0);
	return buf_steal(&b);
}

/*
 * The deadline scan is handed only cases with something new to do: a missed
 * acknowledgement once dealt with is not read again, a reminder once sent is
 * not, a breach after the reminder is, and a new deadline (an extension) is.
 */
static void
test_deadline_scan_reads_only_new_work(void **state)
{
	struct store *s = *state;
	_cleanup_case_row_ struct case_row *a = new_case(s, "ann@example.net", "damp");
	_cleanup_case_row_ struct case_row *b = new_case(s, "bob@example.net", "bins");
	_cleanup_case_row_ struct case_row *closed = new_case(s, "cy@example.net", "noise");
	char *got;

	/* a: acknowledgement due 2026-09-28, never sent; b: response due 2026-10-05 */
	free(b->response_due);
	b->response_due = xstrdup("2026-10-05");
	b->acknowledged_at = 1790100000;
	assert_int_equal(store_case_update(s, b), 0);
	free(closed->status);
	closed->status = xstrdup("closed");
	assert_int_equal(store_case_update(s, closed), 0);

	got = due_refs(s, "2026-09-25", "2026-10-01");
	assert_string_equal(got, ""); /* nothing missed, nothing within reach */
	free(got);
	got = due_refs(s, "2026-10-01", "2026-10-06");
	assert_string_equal(got, "CMP-2026-000001 CMP-2026-000002"); /* a missed, b soon due */
	free(got);

	assert_int_equal(store_case_deadline_done(s, a->id, DEALT_ACK_BREACH, 1, "2026-09-28"), 0);
	assert_int_equal(store_case_deadline_done(s, b->id, DEALT_REMINDER, 1, "2026-10-05"), 0);
	got = due_refs(s, "2026-10-01", "2026-10-06");
	assert_string_equal(got, "");
	free(got);

	got = due_refs(s, "2026-10-06", "2026-10-09"); /* b's response now missed */
	assert_string_equal(got, "CMP-2026-000002");
	free(got);
	assert_int_equal(store_case_deadline_done(s, b->id, DEALT_RESPONSE_BREACH, 1, "2026-10-05"), 0);
	got = due_refs(s, "2026-10-06", "2026-10-09");
	assert_string_equal(got, "");
	free(got);

	free(b->response_due);
	b->response_due = xstrdup("2026-10-08"); /* extended */
	assert_int_equal(store_case_update(s, b), 0);
	got = due_refs(s, "2026-10-06", "2026-10-09");
	assert_string_equal(got, "CMP-2026-000002");
	free(got);
}

static void
test_unknown_ref_is_enoent(void **state)
{
	struct case_row *c = NULL;

	assert_int_equal(store_case_get_ref(*state, "CMP-2026-999999", &c), -ENOENT);
	assert_null(c);
}

static void
test_message_keys(void **state)
{
	struct store *s = *state;
	_cleanup_case_row_ struct case_row *c = new_case(s, "jane@example.net", "missed bins");
	_cleanup_free_ char *st = NULL;
	int64_t id = 0, case_id = 0;
	struct message_row m = {
		.case_id = c->id, .direction = "in", .role = "resident",
		.message_id = "abc@mail.example.net", .digest = "d1", .mailbox = "INBOX",
		.uidvalidity = 3857529045u, .uid = 7, .from_email = "jane@example.net",
		.subject = "Missed bins", .received_at = 1790000000, .state = "processed",
		.raw = "raw\0bytes", .raw_len = 9,
	};

	assert_int_equal(store_message_insert(s, &m, &id), 0);
	/* UIDVALIDITY above INT32_MAX survives */
	assert_int_equal(store_message_find_uid(s, "INBOX", 3857529045u, 7, &st), 0);
	assert_string_equal(st, "processed");
	assert_int_equal(store_message_find_uid(s, "INBOX", 1, 7, &st), -ENOENT);
	/* same Message-ID and digest: a duplicate; same Message-ID, other body: not */
	assert_int_equal(store_message_find_digest(s, "abc@mail.example.net", "d1", &id), 0);
	assert_int_equal(store_message_find_digest(s, "abc@mail.example.net", "d2", &id), -ENOENT);
	/* the same UID cannot be recorded twice */
	assert_int_equal(store_message_insert(s, &m, NULL), -EEXIST);
	/* threading by Message-ID */
	assert_int_equal(store_case_by_message_id(s, "abc@mail.example.net", &case_id), 0);
	assert_int_equal(case_id, c->id);
	assert_int_equal(store_case_by_message_id(s, "other@example.net", &case_id), -ENOENT);
	assert_int_equal(store_case_by_message_id(s, "", &case_id), -ENOENT);
}

static void
test_subject_fallback_window(void **state)
{
	struct store *s = *state;
	_cleanup_case_row_ struct case_row *c = new_case(s, "sam@example.org", "pothole on high street");
	int64_t id;

	assert_int_equal(store_case_by_subject(s, "sam@example.org", "pothole on high street",
					       1790000000 - 86400, &id), 0);
	assert_int_equal(id, c->id);
	/* outside the window, other sender, empty key: no match */
	assert_int_equal(store_case_by_subject(s, "sam@example.org", "pothole on high street",
					       1790000001, &id), -ENOENT);
	assert_int_equal(store_case_by_subject(s, "other@example.org", "pothole on high street",
					       0, &id), -ENOENT);
	assert_int_equal(store_case_by_subject(s, "sam@example.org", "", 0, &id), -ENOENT);
}

/* Of several open cases with the key, the last updated; of those updated together, the first. */
static void
test_subject_fallback_newest_first(void **state)
{
	struct store *s = *state;
	_cleanup_case_row_ struct case_row *a = new_case(s, "sam@example.org", "pothole");
	_cleanup_case_row_ struct case_row *b = new_case(s, "sam@example.org", "pothole");
	_cleanup_case_row_ struct case_row *c = new_case(s, "sam@example.org", "pothole");
	_cleanup_case_row_ struct case_row *closed = new_case(s, "sam@example.org", "pothole");
	int64_t id;

	b->updated_at = 1790000500;
	assert_int_equal(store_case_update(s, b), 0);
	set_text(&closed->status, "closed");
	closed->updated_at = 1790000900;
	assert_int_equal(store_case_update(s, closed), 0);
	assert_int_equal(store_case_by_subject(s, "sam@example.org", "pothole", 0, &id), 0);
	assert_int_equal(id, b->id);
	/* a and c were last updated in the same second, later than b: a, the older case */
	a->updated_at = c->updated_at = 1790000600;
	assert_int_equal(store_case_update(s, c), 0);
	assert_int_equal(store_case_update(s, a), 0);
	assert_int_equal(store_case_by_subject(s, "sam@example.org", "pothole", 0, &id), 0);
	assert_int_equal(id, a->id);
	c->updated_at = 1790000601;
	assert_int_equal(store_case_update(s, c), 0);
	assert_int_equal(store_case_by_subject(s, "sam@example.org", "pothole", 0, &id), 0);
	assert_int_equal(id, c->id);
	/* the window starts after the newest: none */
	assert_int_equal(store_case_by_subject(s, "sam@example.org", "pothole", 1790000602, &id),
			 -ENOENT);
}

static void
test_rollback_discards_and_reopen_keeps(void **state)
{
	struct store *s = *state;
	int64_t n = -1;
	char *err = NULL;
	uint32_t v, last;

	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_mailbox_set(s, "INBOX", 42, 10), 0);
	store_rollback(s);
	assert_int_equal(store_mailbox_get(s, "INBOX", &v, &last), -ENOENT);
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_mailbox_set(s, "INBOX", 42, 10), 0);
	assert_int_equal(store_commit(s), 0);
	_cleanup_case_row_ struct case_row *c = new_case(s, "a@example.net", "x");
	store_free(s);
	assert_int_equal(store_open(dbpath, &s, &err), 0);
	*state = s;
	assert_int_equal(store_mailbox_get(s, "INBOX", &v, &last), 0);
	assert_int_equal(v, 42);
	assert_int_equal(last, 10);
	assert_int_equal(store_count(s, "cases", &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_count(s, "no-such-count", &n), -EINVAL);
}

/*
 * A mail of 13 MB (a notification carrying a large original) marked sent in
 * a transaction: the row is rewritten whole and its statement journal is
 * large.  SQLite 3.40 answered SQLITE_FULL to that when statement journals
 * were kept in memory up to 256 KiB or more before spilling (store.c).
 */
static void
test_outbox_large_mail_marked_sent(void **state)
{
	struct store *s = *state;
	_cleanup_case_row_ struct case_row *c = new_case(s, "jane@example.net", "bins");
	size_t len = 13u << 20;
	_cleanup_free_ char *data = xmalloc(len);
	struct outbox_row o = {
		.case_id = c->id, .purpose = "notify-new-case",
		.message_id = "cmp-2026-000001.notify.1@council.example",
		.rcpt = "complaints-team@council.example", .next_attempt = 100, .created_at = 100,
	};
	struct outbox_row *due = NULL;
	size_t n_due = 0;

	memset(data, 'x', len);
	memcpy(data, "Subject: x\r\n\r\n", 14);
	o.data = data;
	o.len = len;
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_outbox_insert(s, &o), 0);
	assert_int_equal(store_commit(s), 0);
	assert_int_equal(store_outbox_due(s, 100, 10, &due, &n_due), 0);
	assert_int_equal(n_due, 1);
	free(due[0].state);
	due[0].state = xstrdup("sent");
	due[0].sent_at = 101;
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_outbox_update(s, &due[0]), 0);
	assert_int_equal(store_commit(s), 0);
	outbox_rows_free(due, n_due);
	assert_int_equal(store_outbox_due(s, 1000, 10, &due, &n_due), 0);
	assert_int_equal(n_due, 0);
	outbox_rows_free(due, n_due);
}

/*
 * A notification attaching the stored message keeps only a reference to it
 * (schema 9): every read gives back the mail exactly as composed, whatever
 * the source's line ends, and the row holds the mail without the source.
 */
static void
test_outbox_original_by_reference(void **state)
{
	static const struct {
		const char *raw;
		size_t len;
	} sources[] = {
#define S(x) {x, sizeof(x) - 1}
		S("From: jane@example.net\r\nSubject: Bins\r\n\r\nMissed again.\r\n"),
		S("From: jane@example.net\nSubject: Bins\n\nLF only, as a file holds it.\n"),
		S("From: jane@example.net\r\nSubject: Bins\r\n\r\nno line end at the end"),
		S("From: jane@example.net\nSubject: mixed\r\n\r\nsome\nlines\r\nmixed\n\n"),
		S("From: =?UTF-8?Q?Si=C3=A2n?= <sian@example.net>\r\n\r\nCaf\xc3\xa9 \xff\xfe not UTF-8\r\n"),
		S("\n"),
		S("x"),
#undef S
	};
	struct store *s = *state;
	_cleanup_case_row_ struct case_row *c = new_case(s, "jane@example.net", "bins");

	for (size_t i = 0; i < ELEMENTSOF(sources); i++) {
		_cleanup_free_ char *mid = xasprintf("cmp-2026-000001.notify-new-case.%zu@council.example", i);
		_cleanup_free_ char *msgid = xasprintf("<%s>", mid), *srcid = xasprintf("src%zu@example.net", i);
		_cleanup_free_ char *whole = NULL, *cut = NULL;
		struct compose_part part = {NULL, "message/rfc822", sources[i].raw, sources[i].len};
		struct compose_span span = {0, 0};
		struct compose_in in = {
			.from_addr = "complaints@council.example", .to_addr = "team@council.example",
			.subject = "New complaint", .message_id = msgid, .date = 1790000000,
			.body = "A new case.\n", .parts = &part, .n_parts = 1, .spans = &span,
		};
		struct message_row m = {
			.case_id = c->id, .direction = "in", .role = "resident", .message_id = srcid,
			.digest = "d", .from_email = "jane@example.net", .received_at = 1790000000,
			.state = "processed", .raw = sources[i].raw, .raw_len = sources[i].len,
		};
		struct outbox_row o = {
			.case_id = c->id, .purpose = "notify-new-case", .message_id = mid,
			.rcpt = "team@council.example", .next_attempt = 100, .created_at = 100,
		};
		struct outbox_row *rows = NULL;
		size_t n = 0, len;
		sqlite3_stmt *st;

		assert_int_equal(compose_message(&in, &whole), 0);
		len = strlen(whole);
		/* the source's lines with CRLF ends, inside the mail */
		assert_true(span.len >= sources[i].len && span.at + span.len < len);
		cut = xmalloc(len - span.len + 1);
		memcpy(cut, whole, span.at);
		memcpy(cut + span.at, whole + span.at + span.len, len - span.at - span.len + 1);
		assert_int_equal(store_begin(s), 0);
		assert_int_equal(store_message_insert(s, &m, &o.orig_id), 0);
		o.data = cut;
		o.len = len - span.len;
		o.orig_at = span.at;
		assert_int_equal(store_outbox_insert(s, &o), 0);
		assert_int_equal(store_commit(s), 0);

		assert_int_equal(store_outbox_due(s, 100, 100, &rows, &n), 0);
		assert_int_equal(n, i + 1);
		assert_string_equal(rows[i].message_id, mid);
		assert_int_equal(rows[i].len, len);
		assert_memory_equal(rows[i].data, whole, len);
		outbox_rows_free(rows, n);
		/* what the table holds: the mail without its attached source */
		assert_int_equal(sqlite3_prepare_v2(store_sqlite(s),
						    "SELECT length(data) FROM outbox WHERE message_id = ?1",
						    -1, &st, NULL), SQLITE_OK);
		sqlite3_bind_text(st, 1, mid, -1, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int64(st, 0), (int64_t)(len - span.len));
		sqlite3_finalize(st);
	}
}

/* Wait up to 60 s for the checkpoint thread to complete more than `after` checkpoints. */
static unsigned long
wait_checkpoint(struct store *s, unsigned long after)
{
	for (int i = 0; i < 6000 && store_checkpoint_runs(s) <= after; i++)
		usleep(10000);
	return store_checkpoint_runs(s);
}

static void
test_checkpoint_thread(void **state)
{
	struct store *s = *state;
	_cleanup_case_row_ struct case_row *c = new_case(s, "jane@example.net", "bins");
	_cleanup_free_ char *wal = xasprintf("%s-wal", dbpath);
	size_t len = 5u << 20; /* 1,280 pages a commit, past SQLite's mark of 1,000 */
	_cleanup_free_ char *data = xmalloc(len);
	struct stat st;
	char *err = NULL;

	assert_int_equal(store_checkpoint_background(s), 0);
	assert_int_equal(store_checkpoint_runs(s), 0);
	for (int i = 0; i < 6; i++) {
		_cleanup_free_ char *mid = xasprintf("cmp-2026-000001.notify.%d@council.example", i);
		struct outbox_row o = {
			.case_id = c->id, .purpose = "notify-new-case", .message_id = mid,
			.rcpt = "complaints-team@council.example", .data = data, .len = len,
			.next_attempt = 100, .created_at = 100,
		};
		unsigned long before = store_checkpoint_runs(s);

		memset(data, 'a' + i, len);
		assert_int_equal(store_begin(s), 0);
		assert_int_equal(store_outbox_insert(s, &o), 0);
		assert_int_equal(store_commit(s), 0);
		/* each commit past the mark is checkpointed by the thread, not by the commit */
		assert_true(wait_checkpoint(s, before) > before);
	}
	/* checkpointed, the WAL is written again from its start: it holds about one commit, not six */
	assert_int_equal(stat(wal, &st), 0);
	assert_true(st.st_size < 3 * (off_t)len);
	store_free(s);
	*state = NULL;
	assert_int_equal(store_open(dbpath, &s, &err), 0);
	*state = s;
	for (int i = 0; i < 6; i++) {
		_cleanup_free_ char *mid = xasprintf("cmp-2026-000001.notify.%d@council.example", i);
		struct outbox_row *rows = NULL;
		size_t n = 0;

		assert_int_equal(store_outbox_due(s, 100, 10, &rows, &n), 0);
		assert_int_equal(n, 6);
		assert_string_equal(rows[i].message_id, mid);
		assert_int_equal(rows[i].len, len);
		assert_true(rows[i].data[0] == 'a' + i && rows[i].data[len - 1] == 'a' + i);
		outbox_rows_free(rows, n);
	}
}

static void
test_refuses_newer_schema(void **state)
{
	struct store *s2 = NULL;
	sqlite3 *db = NULL;
	char *err = NULL;

	/* pretend a future version wrote the file */
	store_free(*state);
	*state = NULL;
	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_true(store_open(dbpath, &s2, &err) < 0);
	assert_null(s2);
	assert_non_null(strstr(err, "newer than this program"));
	free(err);
	err = NULL;
	/* a directory is not a database: a clear error, not a crash */
	assert_true(store_open(dbdir, &s2, &err) < 0);
	assert_non_null(strstr(err, dbdir));
	free(err);
}

static void
test_outbox_once_per_message_id(void **state)
{
	struct store *s = *state;
	_cleanup_case_row_ struct case_row *c = new_case(s, "jane@example.net", "bins");
	struct outbox_row o = {
		.case_id = c->id, .purpose = "ack-stage1", .message_id = "cmp-2026-000001.ack-stage1.1@council.example",
		.rcpt = "jane@example.net", .data = "Subject: x\r\n\r\nhello\r\n", .len = 22,
		.next_attempt = 100, .created_at = 100,
	};
	struct outbox_row relay = o, *due = NULL;
	int64_t n = 0, id = 0, case_id = 0;
	size_t n_due = 0;

	assert_int_equal(store_outbox_insert(s, &o), 0);
	/* the same acknowledgement again (a re-run after a crash): refused */
	assert_int_equal(store_outbox_insert(s, &o), -EEXIST);
	relay.purpose = "relay";
	relay.message_id = "cmp-2026-000001.relay.1@council.example";
	relay.next_attempt = 50;
	assert_int_equal(store_outbox_insert(s, &relay), 0);
	/* relays are not automatic mail and do not count against the daily limit */
	assert_int_equal(store_outbox_count_auto(s, "jane@example.net", 0, &n), 0);
	assert_int_equal(n, 1);
	/* due: oldest next_attempt first, not before its time */
	assert_int_equal(store_outbox_due(s, 60, 10, &due, &n_due), 0);
	assert_int_equal(n_due, 1);
	assert_string_equal(due[0].purpose, "relay");
	outbox_rows_free(due, n_due);
	assert_int_equal(store_outbox_due(s, 100, 10, &due, &n_due), 0);
	assert_int_equal(n_due, 2);
	assert_int_equal(due[1].len, 22);
	assert_memory_equal(due[1].data, o.data, 22);
	free(due[0].state);
	due[0].state = xstrdup("sent");
	due[0].sent_at = 101;
	assert_int_equal(store_outbox_update(s, &due[0]), 0);
	outbox_rows_free(due, n_due);
	assert_int_equal(store_outbox_due(s, 1000, 10, &due, &n_due), 0);
	assert_int_equal(n_due, 1);
	outbox_rows_free(due, n_due);
	/* a bounce names our Message-ID: found, with its case */
	assert_int_equal(store_outbox_find(s, o.message_id, &id, &case_id), 0);
	assert_int_equal(case_id, c->id);
	assert_int_equal(store_outbox_find(s, "not-ours@example.net", &id, &case_id), -ENOENT);
	/* and threading finds the case from a reply to our mail */
	assert_int_equal(store_case_by_message_id(s, relay.message_id, &case_id), 0);
	assert_int_equal(case_id, c->id);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_references_are_sequential_per_year, setup, teardown),
		cmocka_unit_test_setup_teardown(test_references_in_a_transaction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_case_roundtrip_and_update, setup, teardown),
		cmocka_unit_test_setup_teardown(test_case_insert_with_area, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_ref_is_enoent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deadline_scan_reads_only_new_work, setup, teardown),
		cmocka_unit_test_setup_teardown(test_message_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_subject_fallback_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_subject_fallback_newest_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollback_discards_and_reopen_keeps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outbox_once_per_message_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outbox_large_mail_marked_sent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outbox_original_by_reference, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checkpoint_thread, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuses_newer_schema, setup, teardown),
	};

	return cmocka_run_group_tests_name("store", tests, NULL, NULL) ? 1 : 0;
}
