/*
 * test_digest.c - the weekly digest's list (order, working days late,
 * grouping, the day it is due, the text and HTML it writes) and the order
 * a case's mail is read in (store_case_messages_full()).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "buf.h"
#include "calendar.h"
#include "digest_list.h"
#include "store.h"
#include "util.h"

/* Monday 7 December 2026; Christmas and Boxing Day (substitute Monday 28th) are holidays. */
static const struct cal_date TODAY = {2026, 12, 7};
static const char HOLIDAYS[] = "2026-12-25 Christmas Day\n2026-12-28 Boxing Day (substitute day)\n"
			       "2027-01-01 New Year's Day\n2026-08-31 Summer bank holiday\n";

static struct calendar *
test_calendar(void)
{
	struct calendar *cal = calendar_new();
	struct errlist errs = ERRLIST_INIT;

	assert_int_equal(calendar_parse_holidays(cal, HOLIDAYS, sizeof(HOLIDAYS) - 1, "h", &errs), 0);
	errlist_free(&errs);
	return cal;
}

#define CASE(r, ack, acked, resp)                                                                  \
	{.ref = r, .subject = "Subject of " r, .complainant_name = "Jane Resident",                \
	 .complainant_email = "jane@example.net", .kind = "complaint", .stage = 1, .ack_due = ack, \
	 .acknowledged = acked, .response_due = resp, .officer = "", .team = "waste@council.example"}

static const struct digest_case cases[] = {
	CASE("CMP-2026-000001", "2026-11-20", true, "2026-12-18"),  /* due in 9 working days */
	CASE("CMP-2026-000002", "2026-11-20", true, "2026-12-04"),  /* Friday: 1 day late */
	CASE("CMP-2026-000003", "2026-11-20", true, "2026-12-09"),  /* in 2 */
	CASE("CMP-2026-000004", "2026-11-20", true, "2026-11-30"),  /* a week late: 5 */
	CASE("CMP-2026-000005", "", false, ""),                     /* no date */
	CASE("CMP-2026-000006", "2026-12-01", false, ""),           /* ack not sent: 4 late */
	CASE("CMP-2026-000007", "2026-12-10", false, "2026-12-14"), /* ack first: in 3 */
	CASE("CMP-2026-000008", "2026-11-20", true, "2026-12-07"),  /* due today */
	CASE("CMP-2026-000009", "2026-11-20", true, "2026-12-14"),  /* in 5: still "soon" */
	CASE("CMP-2026-000010", "2026-11-20", true, "not a date"),  /* unreadable: no date */
};

static const struct {
	const char *ref;
	enum digest_group group;
	const char *due_what;
	long late, left;
} expected[] = {
	{"CMP-2026-000004", DIGEST_OVERDUE, "response", 5, 0},
	{"CMP-2026-000006", DIGEST_OVERDUE, "acknowledgement", 4, 0},
	{"CMP-2026-000002", DIGEST_OVERDUE, "response", 1, 0},
	{"CMP-2026-000008", DIGEST_DUE_SOON, "response", 0, 0},
	{"CMP-2026-000003", DIGEST_DUE_SOON, "response", 0, 2},
	{"CMP-2026-000007", DIGEST_DUE_SOON, "acknowledgement", 0, 3},
	{"CMP-2026-000009", DIGEST_DUE_SOON, "response", 0, 5},
	{"CMP-2026-000001", DIGEST_OTHER, "response", 0, 9},
	{"CMP-2026-000005", DIGEST_OTHER, "", 0, 0},
	{"CMP-2026-000010", DIGEST_OTHER, "", 0, 0},
};

static void
test_order_and_working_days(void **state)
{
	struct calendar *cal = test_calendar();
	_cleanup_free_ struct digest_entry *e = NULL;
	size_t n[_DIGEST_GROUP_MAX];

	(void)state;
	digest_build(cal, TODAY, 5, cases, ELEMENTSOF(cases), &e);
	for (size_t i = 0; i < ELEMENTSOF(expected); i++) {
		assert_string_equal(e[i].c->ref, expected[i].ref);
		assert_int_equal(e[i].group, expected[i].group);
		assert_string_equal(e[i].due_what, expected[i].due_what);
		if (e[i].group == DIGEST_OVERDUE)
			assert_int_equal(e[i].days_late, expected[i].late);
		else if (e[i].has_due)
			assert_int_equal(e[i].days_left, expected[i].left);
		else
			assert_false(e[i].has_due);
	}
	digest_count(e, ELEMENTSOF(cases), n);
	assert_int_equal(n[DIGEST_OVERDUE], 3);
	assert_int_equal(n[DIGEST_DUE_SOON], 4);
	assert_int_equal(n[DIGEST_OTHER], 3);
	calendar_free(cal);
}

/* Late across Christmas: the holidays are not working days. */
static void
test_late_over_holidays(void **state)
{
	struct calendar *cal = test_calendar();
	static const struct digest_case c[] = {CASE("CMP-2026-000020", "", true, "2026-12-24")};
	_cleanup_free_ struct digest_entry *e = NULL;

	(void)state;
	/* Thursday 24th due; Tuesday 29th: Fri 25 and Mon 28 are holidays, so 1 day late */
	digest_build(cal, (struct cal_date){2026, 12, 29}, 5, c, 1, &e);
	assert_int_equal(e[0].group, DIGEST_OVERDUE);
	assert_int_equal(e[0].days_late, 1);
	free(e);
	e = NULL;
	/* and on Saturday 5 December, a Friday date is still late (by one day at least) */
	digest_build(cal, (struct cal_date){2026, 12, 5}, 5, &cases[1], 1, &e);
	assert_int_equal(e[0].group, DIGEST_OVERDUE);
	assert_int_equal(e[0].days_late, 1);
	/* days_ahead 0: only what is due today is "soon" */
	free(e);
	e = NULL;
	digest_build(cal, TODAY, 0, &cases[2], 1, &e);
	assert_int_equal(e[0].group, DIGEST_OTHER);
	calendar_free(cal);
}

static void
test_due_day(void **state)
{
	struct calendar *cal = test_calendar();
	struct cal_date d;

	(void)state;
	assert_int_equal(digest_weekday_from_name("Monday"), 0);
	assert_int_equal(digest_weekday_from_name("friday"), 4);
	assert_int_equal(digest_weekday_from_name("mon"), -1);
	assert_int_equal(digest_weekday_from_name(""), -1);
	/* any day of the week of 7 December: its Monday */
	d = digest_due_day(cal, 0, (struct cal_date){2026, 12, 10});
	assert_int_equal(cal_date_compare(d, TODAY), 0);
	/* bank holiday Monday 31 August: Tuesday 1 September */
	d = digest_due_day(cal, 0, (struct cal_date){2026, 9, 1});
	assert_int_equal(cal_date_compare(d, (struct cal_date){2026, 9, 1}), 0);
	/* Friday 25 December, then Monday 28th: Tuesday 29th */
	d = digest_due_day(cal, 4, (struct cal_date){2026, 12, 29});
	assert_int_equal(cal_date_compare(d, (struct cal_date){2026, 12, 29}), 0);

	assert_false(digest_due_now(cal, 0, TODAY, 8 * 60 + 59)); /* before opening */
	assert_true(digest_due_now(cal, 0, TODAY, 9 * 60));
	assert_true(digest_due_now(cal, 0, TODAY, 20 * 60));      /* first run later that day */
	assert_false(digest_due_now(cal, 0, (struct cal_date){2026, 12, 8}, 9 * 60)); /* Tuesday */
	assert_false(digest_due_now(cal, 0, (struct cal_date){2026, 8, 31}, 10 * 60)); /* holiday */
	assert_true(digest_due_now(cal, 0, (struct cal_date){2026, 9, 1}, 10 * 60));
	assert_false(digest_due_now(cal, -1, TODAY, 10 * 60));     /* off */
	calendar_free(cal);
}

/* strstr(hay, a) comes before strstr(hay, b), both present */
static bool
before(const char *hay, const char *a, const char *b)
{
	const char *pa = strstr(hay, a), *pb = strstr(hay, b);

	return pa != NULL && pb != NULL && pa < pb;
}

static void
test_text_and_html(void **state)
{
	struct calendar *cal = test_calendar();
	static struct digest_case hostile[] = {
		{.ref = "CMP-2026-000030", .subject = "<script>alert(1)</script> & \"bins\"\r\nBcc: x",
		 .complainant_name = "Ann <b>O'Brien</b>", .complainant_email = "ann@example.org",
		 .kind = "service_request", .stage = 1, .ack_due = "", .response_due = "",
		 .officer = "olivia@council.example", .team = ""},
	};
	_cleanup_free_ struct digest_entry *e = NULL, *h = NULL;
	_cleanup_free_ char *text = NULL, *table = NULL, *summary = NULL, *doc = NULL;
	_cleanup_free_ char *htext = NULL, *htable = NULL;
	struct digest_view v = {.n = ELEMENTSOF(cases), .days_ahead = 5, .no_officer = "not assigned"};

	(void)state;
	digest_build(cal, TODAY, 5, cases, ELEMENTSOF(cases), &e);
	v.e = e;
	summary = digest_summary(&v);
	assert_string_equal(summary, "10 open cases, 3 overdue");
	text = digest_text_cases(&v);
	assert_true(before(text, "Overdue: 3", "Due within 5 working days: 4"));
	assert_true(before(text, "Due within 5 working days: 4", "Other open cases: 3"));
	assert_true(before(text, "CMP-2026-000004", "CMP-2026-000002"));
	assert_non_null(strstr(text, "CMP-2026-000004: Subject of CMP-2026-000004\n"
				     "Complainant: Jane Resident (jane@example.net)\n"
				     "Stage 1, response due Monday 30 November 2026 (5 working days late)\n"
				     "Officer: not assigned\n"));
	assert_non_null(strstr(text, "acknowledgement due Tuesday 1 December 2026 (4 working days late)"));
	assert_non_null(strstr(text, "response due Monday 7 December 2026 (due today)"));
	assert_non_null(strstr(text, "Stage 1, no date due"));
	assert_null(strstr(text, "Team:")); /* a team's own digest does not name the team */
	/* no column padding: no run of two spaces anywhere */
	assert_null(strstr(text, "  "));

	table = digest_html_table(&v);
	assert_true(before(table, "Overdue (3)", "Due within 5 working days (4)"));
	assert_null(strstr(table, ">Team<"));
	assert_non_null(strstr(table, "5 working days late"));
	/* Outlook's reading pane is narrow: the stage shares the date's column, as in the
	 * text part, and an address may wrap at its dots and before its "@" */
	assert_null(strstr(table, ">Stage<"));
	assert_non_null(strstr(table, "Stage 1, response due<br>Monday 30 November 2026<br>"));
	assert_non_null(strstr(table, "jane<wbr>@example.<wbr>net"));
	assert_null(strstr(table, "white-space:nowrap;color:")); /* "5 working days late" may wrap */

	/* what a resident wrote is escaped, and stays on one line */
	digest_build(cal, TODAY, 5, hostile, 1, &h);
	v = (struct digest_view){.e = h, .n = 1, .days_ahead = 5, .show_team = true,
				 .no_officer = "not assigned"};
	htext = digest_text_cases(&v);
	assert_non_null(strstr(htext, "Service request, no date due"));
	assert_non_null(strstr(htext, "Team: no team ([routing])"));
	assert_null(strstr(htext, "\r"));
	assert_null(strstr(htext, "\nBcc:"));
	htable = digest_html_table(&v);
	assert_null(strstr(htable, "<script"));
	assert_null(strstr(htable, "<b>"));
	assert_non_null(strstr(htable, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;bins&quot;"));
	assert_non_null(strstr(htable, "Ann &lt;b&gt;O&#39;Brien&lt;/b&gt;"));
	assert_non_null(strstr(htable, ">Team<"));
	assert_non_null(strstr(htable, "Service request<br>"));
	assert_non_null(strstr(htable, "olivia<wbr>@council.<wbr>example"));
	/* a subject's long word breaks inside the case column rather than widening it */
	assert_non_null(strstr(htable, "overflow-wrap:anywhere;"));

	doc = digest_html_document("Open cases <for> you", "Hello,\n\nLine one\nline two\n\n@@T@@\n\nBye & all\n",
				   "@@T@@", "<table></table>\n");
	assert_non_null(strstr(doc, "<title>Open cases &lt;for&gt; you</title>"));
	assert_true(before(doc, "<p style=", "Hello,"));
	assert_non_null(strstr(doc, "Line one<br>\nline two</p>"));
	assert_true(before(doc, "line two", "<table></table>"));
	assert_true(before(doc, "<table></table>", "Bye &amp; all"));
	assert_null(strstr(doc, "@@T@@"));
	assert_null(strstr(doc, "<script"));
	assert_null(strstr(doc, "http"));
	calendar_free(cal);
}

/* A long subject is cut on a character boundary, never mid-UTF-8. */
static void
test_long_fields(void **state)
{
	struct calendar *cal = test_calendar();
	_cleanup_buf_ struct buf subject = BUF_INIT;
	struct digest_case c[] = {CASE("CMP-2026-000040", "", true, "")};
	_cleanup_free_ struct digest_entry *e = NULL;
	_cleanup_free_ char *text = NULL;

	(void)state;
	for (int i = 0; i < 500; i++)
		buf_puts(&subject, "\xc3\xa9"); /* é */
	c[0].subject = buf_str(&subject);
	digest_build(cal, TODAY, 5, c, 1, &e);
	text = digest_text_cases(&(struct digest_view){.e = e, .n = 1, .days_ahead = 5,
						       .no_officer = "-"});
	assert_non_null(strstr(text, "\xc3\xa9..."));
	assert_true(strlen(text) < 400);
	calendar_free(cal);
}

/* ---- the order of a case's mail */

static char dbdir[] = "/tmp/complaintsd-test-digest-XXXXXX";

static int64_t
add_message(struct store *s, int64_t case_id, const char *msgid, const char *from, time_t at)
{
	int64_t id = 0;
	struct message_row m = {
		.case_id = case_id, .direction = "in", .role = "resident", .message_id = msgid,
		.digest = msgid, .mailbox = "INBOX", .from_email = from, .from_name = "",
		.subject = msgid, .received_at = at, .automatic = "", .state = "processed",
		.reason = "", .body = "", .raw = "x", .raw_len = 1,
	};

	assert_int_equal(store_message_insert(s, &m, &id), 0);
	return id;
}

static void
add_outbox(struct store *s, int64_t case_id, const char *msgid, time_t at)
{
	struct outbox_row o = {
		.case_id = case_id, .purpose = (char *)msgid, .message_id = (char *)msgid,
		.in_reply_to = (char *)"", .rcpt = (char *)"jane@example.net", .data = (char *)"x",
		.len = 1, .state = (char *)"sent", .last_error = (char *)"", .created_at = at,
	};

	assert_int_equal(store_outbox_insert(s, &o), 0);
}

static int
collect_ids(const struct stored_message *m, void *userdata)
{
	struct buf *b = userdata;

	buf_printf(b, "%s%s", b->len ? " " : "", m->message_id);
	return 0;
}

static void
test_case_mail_order(void **state)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_buf_ struct buf got = BUF_INIT;
	struct store *s = NULL;
	char *err = NULL;
	struct case_row c = {0};
	const time_t t = 1796640000; /* one second for almost everything */

	(void)state;
	strcpy(dbdir, "/tmp/complaintsd-test-digest-XXXXXX");
	assert_non_null(mkdtemp(dbdir));
	path = xasprintf("%s/complaints.db", dbdir);
	assert_int_equal(store_open(path, &s, &err), 0);
	assert_int_equal(store_next_ref(s, "CMP", 2026, &c.ref), 0);
	c.kind = c.status = c.scheme = c.route = c.subject = c.subject_key = (char *)"";
	c.complainant_name = c.complainant_email = c.rep_email = c.rep_role = (char *)"";
	c.rep_consent = c.officer = c.received_date = c.ack_due = c.response_due = (char *)"";
	c.outcome = c.flags = c.s1_response_due = c.s1_outcome = (char *)"";
	c.kind = (char *)"complaint";
	c.status = (char *)"open";
	c.stage = 1;
	c.received_at = c.created_at = c.updated_at = t;
	assert_int_equal(store_case_insert(s, &c), 0);

	/* a new case: its replies are queued before its first message is written */
	add_outbox(s, c.id, "a-ack", t - 5); /* this machine's clock a little behind */
	add_outbox(s, c.id, "b-notify", t - 5);
	add_message(s, c.id, "z-first", "jane@example.net", t - 3);
	/* the escalation, then a forged officer's mail in the same second ("a" < "z") */
	add_message(s, c.id, "z-escalation", "jane@example.net", t);
	add_outbox(s, c.id, "c-ack2", t);
	add_message(s, c.id, "a-forged", "olivia@council.example", t);
	add_outbox(s, c.id, "d-warning", t);
	/* a breach notice a day later, and her reply after it */
	add_outbox(s, c.id, "e-breach", t + 86400);
	add_message(s, c.id, "f-reply", "jane@example.net", t + 86400);

	assert_int_equal(store_case_messages_full(s, c.id, collect_ids, &got), 0);
	assert_string_equal(buf_str(&got), "z-first a-ack b-notify z-escalation c-ack2 a-forged "
					   "d-warning e-breach f-reply");

	free(c.ref);
	store_free(s);
	{
		_cleanup_free_ char *wal = xasprintf("%s-wal", path), *shm = xasprintf("%s-shm", path);

		unlink(path);
		unlink(wal);
		unlink(shm);
		rmdir(dbdir);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_and_working_days),
		cmocka_unit_test(test_late_over_holidays),
		cmocka_unit_test(test_due_day),
		cmocka_unit_test(test_text_and_html),
		cmocka_unit_test(test_long_fields),
		cmocka_unit_test(test_case_mail_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
