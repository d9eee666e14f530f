/*
 * test_report.c - the annual report: a known register of cases, events and
 * sent mail goes in through the real store; every figure the committee sees
 * is checked against a value worked out by hand, the CSV and JSON renderings
 * against golden files, and the HTML page for being self-contained,
 * balanced and escaped.
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
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "calendar.h"
#include "report.h"
#include "report_fixture.h"
#include "store.h"
#include "util.h"

static const char *const PERIOD_FROM = "2025-04-01", *const PERIOD_TO = "2026-03-31";

/*
 * The register.  Period 2025-04-01..2026-03-31, Europe/London, bank holidays
 * of England and Wales.  Working days are counted after the acknowledgement
 * date up to and including the response date.
 */
enum { C1, C2, C3, C4, C5, C6, C7, C8, C9, C10, C11, S1, S2, M1, O1, O2, O3, O4, N_CASES };
static const struct case_spec register_[N_CASES] = {
    /* on time; 2025-06-02 -> 06-20: 4 + 5 + 5 = 14 working days */
    [C1] = {"complaint", .received = "2025-06-02", .ack = "2025-06-02 10:00",
            .ack_due = "2025-06-09", .resp = "2025-06-20 14:00", .resp_due = "2025-06-30",
            .outcome = "upheld"},
    /* extended by 10, answered on the extended date; 07-01 -> 07-29: 3+5+5+5+2 = 20 */
    [C2] = {"complaint", .received = "2025-07-01", .ack = "2025-07-01 09:30",
            .ack_due = "2025-07-08", .resp = "2025-07-29 16:00", .resp_due = "2025-07-29",
            .ext = 10, .outcome = "partly-upheld"},
    /* housing; acknowledged late; 08-29 -> 09-10: 5 + 3 = 8 */
    [C3] = {"complaint", .scheme = "housing", .received = "2025-08-20", .ack = "2025-08-29 11:00",
            .ack_due = "2025-08-27", .resp = "2025-09-10 12:00", .resp_due = "2025-09-12",
            .outcome = "not-upheld"},
    /* answered late over Christmas; 2025-12-19 -> 2026-01-09: 3 + 3 + 1 + 5 = 12
     * (25, 26 December and 1 January are bank holidays) */
    [C4] = {"complaint", .received = "2025-12-19", .ack = "2025-12-19 15:00",
            .ack_due = "2025-12-30", .resp = "2026-01-09 10:00", .resp_due = "2026-01-07",
            .outcome = "resolved"},
    /* escalated: stage 1 05-12 -> 05-23: 4 + 5 = 9, acknowledged by 05-19 (received + 5);
     * stage 2 late, 06-04 -> 07-15: 2+5+5+5+5+5+2 = 29 */
    [C5] = {"complaint", .received = "2025-05-12", .s1_ack = "2025-05-12 10:00",
            .s1_resp = "2025-05-23 10:00", .s1_resp_due = "2025-06-09", .s1_outcome = "not-upheld",
            .escalated = "2025-06-02 09:00", .ack = "2025-06-04 10:00", .ack_due = "2025-06-12",
            .resp = "2025-07-15 11:00", .resp_due = "2025-07-14", .outcome = "upheld",
            .status = "responded"},
    /* escalated, stage 2 extended and still open; stage 1 09-01 -> 09-12: 4 + 5 = 9 */
    [C6] = {"complaint", .received = "2025-09-01", .s1_ack = "2025-09-01 10:00",
            .s1_resp = "2025-09-12 10:00", .s1_resp_due = "2025-09-15", .s1_outcome = "not-upheld",
            .escalated = "2025-10-01 10:00", .ack = "2025-10-03 10:00", .ack_due = "2025-10-08",
            .resp_due = "2025-12-01", .ext = 10},
    /* received on the last day but one, acknowledged, not answered yet */
    [C7] = {"complaint", .received = "2026-03-30", .ack = "2026-03-30 10:00",
            .ack_due = "2026-04-07"},
    /* received before the period, answered in it; 03-28 -> 04-10: 1 + 4 + 4 = 9 */
    [C8] = {"complaint", .received = "2025-03-28", .ack = "2025-03-28 10:00",
            .ack_due = "2025-04-04", .resp = "2025-04-10 10:00", .resp_due = "2025-04-25",
            .outcome = "withdrawn", .status = "closed"},
    /* excluded from the procedure (the "status" event below) */
    [C9] = {"complaint", .received = "2025-11-03", .status = "excluded"},
    /* first and final; 02-02 -> 02-16: 4 + 5 + 1 = 10 */
    [C10] = {"complaint", .received = "2026-02-02", .ack = "2026-02-02 10:00",
             .ack_due = "2026-02-09", .resp = "2026-02-16 10:00", .resp_due = "2026-03-02",
             .outcome = "upheld", .faf = true},
    /* after the period */
    [C11] = {"complaint", .received = "2026-04-02", .ack = "2026-04-02 10:00",
             .ack_due = "2026-04-10"},
    [S1] = {"service_request", .received = "2025-06-10"},
    [S2] = {"service_request", .received = "2025-10-10"},
    [M1] = {"member_enquiry", .received = "2025-07-07"},
    [O1] = {"other_process", .route = "insurance", .received = "2025-08-01"},
    [O2] = {"other_process", .route = "insurance", .received = "2025-09-09"},
    [O3] = {"other_process", .route = "planning-appeal", .received = "2026-01-20"},
    [O4] = {"other_process", .received = "2026-03-31"},
};

static const struct event_spec events_[] = {
    {C2, "2025-07-10 10:00", "extended",
     "stage 1 extended by 5 working days to 2025-07-22: awaiting the contractor's report"},
    {C2, "2025-07-18 10:00", "extended",
     "stage 1 extended by 5 working days to 2025-07-29: site visit"},
    {C6, "2025-10-20 10:00", "extended",
     "stage 2 extended by 10 working days to 2025-12-01: independent survey"},
    {C3, "2025-08-28 09:00", "deadline_breached",
     "stage 1 acknowledgement due 2025-08-27 missed; the officer is alerted"},
    {C4, "2026-01-08 09:00", "deadline_breached",
     "stage 1 response due 2026-01-07 missed; the complainant is told"},
    {C5, "2025-07-15 08:00", "deadline_breached",
     "stage 2 response due 2025-07-14 missed; the complainant is told"},
    /* outside the period: not counted */
    {C11, "2026-04-10 09:00", "deadline_breached", "stage 1 response due 2026-04-09 missed"},
    {C10, "2026-02-10 10:00", "first_and_final", "the next response is final"},
    {C9, "2025-11-04 09:00", "status", "open -> excluded: the matter is before a court"},
    /* 00:30 BST on 1 April 2025 is still 31 March in UTC: in the period */
    {C2, "2025-04-01 00:30", "delivery_failed", "mail to jane@example.net failed"},
    /* 00:30 BST on 1 April 2026 is 31 March in UTC: after the period */
    {C7, "2026-04-01 00:30", "delivery_failed", "mail to jane@example.net failed"},
    {C1, "2025-06-20 15:00", "improvement", "Waste: Crews photograph missed bins before leaving"},
    {C4, "2026-01-12 10:00", "improvement",
     "Waste: Holiday collection calendar sent to every household"},
    {C7, "2026-03-31 16:00", "improvement", "Waste: Bin lorry routes published"},
    {C5, "2025-07-16 10:00", "improvement",
     "Housing: Repair appointments confirmed by text the day before"},
    {C10, "2026-02-17 10:00", "improvement",
     "Housing: Officers saw <script>alert(1)</script> & \"quotes\" in the portal"},
    {C8, "2025-03-01 10:00", "improvement", "Waste: before the period"},
    /* other events are not figures */
    {C1, "2025-06-02 10:00", "acknowledged", "stage 1 acknowledgement queued"},
};

static const struct mail_spec mails_[] = {
    {C9, "exclusion", "sent", "2025-11-04 10:00"},
    {C2, "extension", "sent", "2025-07-10 10:05"},
    {C2, "extension", "failed", "2025-07-18 10:05"}, /* not sent */
    {C6, "extension", "sent", "2025-10-20 10:05"},
    {C4, "deadline-missed", "sent", "2026-01-08 09:05"},
    {C8, "deadline-missed", "sent", "2025-03-20 09:05"}, /* before the period */
    {O1, "other-process", "sent", "2025-08-01 12:00"},
    {C5, "relay", "sent", "2025-05-23 10:00"},  /* stage 1 response: no signposting */
    {C5, "relay", "sent", "2025-07-15 11:00"},  /* final response */
    {C10, "relay", "sent", "2026-02-16 10:00"}, /* first and final */
    {C1, "relay", "sent", "2025-06-20 14:00"},  /* stage 1 response */
    {C1, "ack-stage1", "sent", "2025-06-02 10:00"},
};

static int
setup(void **state)
{
	struct fixture *f = open_fixture();

	load(f, register_, N_CASES, events_, ELEMENTSOF(events_), mails_, ELEMENTSOF(mails_));
	*state = f;
	return 0;
}

static void
compute(struct fixture *f, const char *from, const char *to)
{
	compute_as(f, from, to, NULL, NULL);
}

/* Expected: count, or numerator/denominator for percentages and averages. */
static const struct {
	const char *section, *measure;
	int64_t num, den;
} expected[] = {
    /* received by effective date: C1-C7, C9, C10 (C8 before, C11 after) */
    {"received", "total", 16, 1}, /* 9 complaints + 2 + 1 + 4 */
    {"received", "complaint", 9, 1},
    {"received", "service_request", 2, 1},
    {"received", "member_enquiry", 1, 1},
    {"received", "other_process", 4, 1},
    {"stage1", "received", 9, 1},
    {"stage1", "lgsco", 8, 1},
    {"stage1", "housing", 1, 1},  /* C3 */
    {"stage1", "excluded", 1, 1}, /* C9 */
    /* stage 1 outcomes of the 9: C1, C10 upheld; C2 partly; C3, C5, C6 not; C4 resolved;
     * C7, C9 none (C8's withdrawn was received before the period) */
    {"stage1", "outcome_upheld", 2, 1},
    {"stage1", "outcome_partly_upheld", 1, 1},
    {"stage1", "outcome_not_upheld", 3, 1},
    {"stage1", "outcome_resolved", 1, 1},
    {"stage1", "outcome_withdrawn", 0, 1},
    {"stage1", "outcome_none", 2, 1},
    /* acknowledgements sent in the period: C1-C7, C10 */
    {"stage1", "acknowledged", 8, 1},
    /* acknowledgements due in the period (cutoff 2026-03-31, the period's end): C1-C6,
     * C8 (due 2025-04-04), C10 = 8 (C7's is due 2026-04-07); late: C3 (08-29, due 08-27) */
    {"stage1", "acknowledged_in_time", 7, 1},
    {"stage1", "acknowledged_in_time_pct", 7, 8},
    {"stage1", "acknowledged_late", 1, 1},
    {"stage1", "acknowledgements_outstanding", 0, 1},
    {"stage1", "acknowledgement_oldest_days", 0, 1},
    /* responses sent in the period: C1-C6, C8, C10 = 8 */
    {"stage1", "responded", 8, 1},
    /* responses due in the period: the same 8 (C2's two extensions were granted before
     * each date: 07-15 -> 07-22 on 07-10, -> 07-29 on 07-18); late: C4 */
    {"stage1", "responded_in_time", 7, 1},
    {"stage1", "responded_in_time_pct", 7, 8},
    {"stage1", "responded_late", 1, 1},
    {"stage1", "responses_outstanding", 0, 1},
    {"stage1", "response_oldest_days", 0, 1},
    /* 14 + 20 + 8 + 12 + 9 + 9 + 9 + 10 = 91 over 8 = 11.4 */
    {"stage1", "avg_working_days", 91, 8},
    {"stage1", "avg_working_days_overdue", 0, 0},
    {"stage1", "extended", 1, 1}, /* C2, twice */
    {"stage1", "extended_too_late", 0, 1},
    /* stage 1 responses in the period but C10 (first and final): 7; C5, C6 went on */
    {"stage1", "escalated_pct", 2, 7},
    {"stage2", "escalated", 2, 1},       /* C5, C6 */
    {"stage2", "first_and_final", 1, 1}, /* C10 */
    {"stage2", "outcome_upheld", 1, 1},  /* C5 */
    {"stage2", "outcome_none", 1, 1},    /* C6 */
    {"stage2", "outcome_not_upheld", 0, 1},
    {"stage2", "acknowledged", 2, 1},
    {"stage2", "acknowledged_in_time", 2, 1},
    {"stage2", "acknowledged_in_time_pct", 2, 2},
    {"stage2", "acknowledged_late", 0, 1},
    {"stage2", "responded", 1, 1}, /* C5, a day late */
    /* due: C5 (07-14, answered 07-15) and C6 (2025-12-01 after an extension granted on
     * 10-20, before the date 11-17; never answered): both late, C6 outstanding since
     * 2025-12-01: 20 working days in December after the 1st (25, 26 are holidays) + 21
     * in January (1st a holiday) + 20 in February + 22 in March = 83 */
    {"stage2", "responded_in_time", 0, 1},
    {"stage2", "responded_in_time_pct", 0, 2},
    {"stage2", "responded_late", 2, 1},
    {"stage2", "responses_outstanding", 1, 1},
    {"stage2", "response_oldest_days", 83, 1},
    {"stage2", "avg_working_days", 29, 1},
    /* C6 acknowledged on 2025-10-03: 20 (October) + 20 (November) + 21 + 21 + 20 + 22 */
    {"stage2", "avg_working_days_overdue", 124, 1},
    {"stage2", "extended", 1, 1}, /* C6 */
    {"stage2", "extended_too_late", 0, 1},
    {"stage2", "ombudsman_asked_pct", 0, 1},
    {"exclusions", "total", 1, 1}, /* C9 */
    {"exclusions", "the matter is before a court", 1, 1},
    {"improvements", "total", 5, 1},
    {"improvements", "Housing", 2, 1},
    {"improvements", "Waste", 3, 1},
    /* exclusion C9; extensions C2, C6 (the failed one is not sent); deadline-missed C4;
     * other-process O1; final responses C5 (after escalation) and C10: 1+2+1+1+2 = 7 */
    {"signposting", "total", 7, 1},
    {"signposting", "exclusion", 1, 1},
    {"signposting", "extension", 2, 1},
    {"signposting", "deadline_missed", 1, 1},
    {"signposting", "other_process", 1, 1},
    {"signposting", "final_response", 2, 1},
    {"delivery", "failed", 1, 1},
    {"routes", "insurance", 2, 1},
    {"routes", "planning-appeal", 1, 1},
    {"routes", "unspecified", 1, 1},
};

static void
test_every_figure(void **state)
{
	struct fixture *f = *state;
	int bad = 0;

	compute(f, PERIOD_FROM, PERIOD_TO);
	for (size_t i = 0; i < ELEMENTSOF(expected); i++) {
		const struct report_figure *fig =
		    report_find(&f->rep, expected[i].section, expected[i].measure);

		check_figure(fig, expected[i].section, expected[i].measure, expected[i].num,
		             expected[i].den, &bad);
	}
	assert_int_equal(bad, 0);
	/* the improvement texts, sorted by area then date */
	assert_int_equal(f->rep.n_improvements, 5);
	assert_string_equal(f->rep.improvements[0].area, "Housing");
	assert_string_equal(f->rep.improvements[0].date, "2025-07-16");
	assert_string_equal(f->rep.improvements[2].area, "Waste");
	assert_string_equal(f->rep.improvements[2].text,
	                    "Crews photograph missed bins before leaving");
	assert_string_equal(f->rep.improvements[4].date, "2026-03-31");
}

/* A shorter period moves figures between "received" and "responded". */
static void
test_period_boundaries(void **state)
{
	struct fixture *f = *state;

	/* 2025-05-01..2025-06-30: received C5, C1 (and S1); stage 1 responses C5 (05-23) and
	 * C1 (06-20); escalation C5 (06-02) */
	compute(f, "2025-05-01", "2025-06-30");
	assert_int_equal(report_find(&f->rep, "received", "total")->num, 3);
	assert_int_equal(report_find(&f->rep, "stage1", "received")->num, 2);
	assert_int_equal(report_find(&f->rep, "stage1", "responded")->num, 2);
	/* (9 + 14) / 2 */
	assert_int_equal(report_find(&f->rep, "stage1", "avg_working_days")->num, 23);
	assert_int_equal(report_find(&f->rep, "stage1", "avg_working_days")->den, 2);
	assert_int_equal(report_find(&f->rep, "stage2", "escalated")->num, 1);
	assert_int_equal(report_find(&f->rep, "stage2", "responded")->num, 0);
	assert_int_equal(report_find(&f->rep, "delivery", "failed")->num, 0);
	/* one day: 1 April 2026, the day after the period above ends */
	compute(f, "2026-04-01", "2026-04-01");
	assert_int_equal(report_find(&f->rep, "delivery", "failed")->num, 1);
	assert_int_equal(report_find(&f->rep, "stage1", "received")->num, 0);
	assert_int_equal(report_find(&f->rep, "stage1", "responded_in_time_pct")->den, 0);
}

static void
test_csv_and_json_golden(void **state)
{
	struct fixture *f = *state;

	compute(f, PERIOD_FROM, PERIOD_TO);
	check_golden(&f->rep, REPORT_CSV, "annual.csv");
	check_golden(&f->rep, REPORT_JSON, "annual.json");
	check_golden(&f->rep, REPORT_TEXT, "annual.txt");
}

static bool
is_void_element(const char *name, size_t len)
{
	static const char *const v[] = {"meta", "br", "hr", "img", "link", "input", "wbr"};

	for (size_t i = 0; i < ELEMENTSOF(v); i++)
		if (strlen(v[i]) == len && strncmp(name, v[i], len) == 0)
			return true;
	return false;
}

/* Every element opened is closed, in order; attributes hold no external references. */
static void
check_html_structure(const char *html)
{
	const char *stack[256];
	size_t stack_len[256], depth = 0;

	for (const char *p = strchr(html, '<'); p != NULL; p = strchr(p + 1, '<')) {
		const char *end = strchr(p, '>'), *name;
		size_t len;
		bool closing = p[1] == '/';

		assert_non_null(end);
		if (p[1] == '!')
			continue;
		name = p + (closing ? 2 : 1);
		len = strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789");
		assert_true(len > 0);
		/* src= and href= never point outside the file */
		for (const char *a = p; a < end; a++)
			if (strncmp(a, "src=", 4) == 0 || strncmp(a, "href=", 5) == 0)
				fail_msg("external reference in %.*s", (int)(end - p + 1), p);
		if (closing) {
			assert_true(depth > 0);
			depth--;
			if (stack_len[depth] != len || strncmp(stack[depth], name, len) != 0)
				fail_msg("</%.*s> closes <%.*s>", (int)len, name,
				         (int)stack_len[depth], stack[depth]);
		} else if (!is_void_element(name, len) && end[-1] != '/') {
			assert_true(depth < ELEMENTSOF(stack));
			stack[depth] = name;
			stack_len[depth++] = len;
		}
	}
	assert_int_equal(depth, 0);
}

static void
test_html_self_contained_and_escaped(void **state)
{
	struct fixture *f = *state;
	_cleanup_buf_ struct buf out = BUF_INIT;
	const char *html;
	FILE *fp;

	compute(f, PERIOD_FROM, PERIOD_TO);
	assert_int_equal(report_render(&f->rep, REPORT_HTML, &out), 0);
	html = buf_str(&out);
	/* keep a copy for looking at */
	fp = fopen("/tmp/test_report.html", "wb");
	if (fp != NULL) {
		fputs(html, fp);
		fclose(fp);
	}
	check_html_structure(html);
	assert_non_null(strstr(html, "<svg"));
	assert_non_null(strstr(html, "<title>Exampleton Borough Council: complaints performance"));
	assert_non_null(strstr(html, "1 April 2025 to Tuesday 31 March 2026"));
	/* every chart has a text alternative */
	assert_non_null(strstr(html, "<desc id=\"chart-outcomes-d\">"));
	assert_non_null(strstr(html, "<desc id=\"chart-timescale-d\">"));
	assert_non_null(strstr(html, "<desc id=\"chart-improvements-d\">"));
	assert_non_null(strstr(html, "<caption>"));
	/* the improvement text is escaped, nothing runs */
	assert_null(strstr(html, "<script"));
	assert_non_null(strstr(html, "Officers saw &lt;script&gt;alert(1)&lt;/script&gt; &amp; "
	                             "&quot;quotes&quot; in the portal"));
	/* the Ombudsman's address appears as text */
	assert_non_null(strstr(html, "(https://www.lgo.org.uk)"));
	assert_null(strstr(html, "<link"));
	assert_null(strstr(html, "@import"));
}

static void
test_period_parsing(void **state)
{
	static const struct {
		const char *from, *to;
		int r;
		const char *msg;
	} t[] = {
	    {"2025-04-01", "2026-03-31", 0, NULL},
	    {"2025-04-01", "2025-04-01", 0, NULL},
	    {"2026-04-01", "2025-03-31", -EINVAL, "--from 2026-04-01 is after --to 2025-03-31"},
	    {"2025-02-29", "2025-03-31", -EINVAL, "--from \"2025-02-29\" is not a date"},
	    {"2025-04-01", "31/03/2026", -EINVAL, "--to \"31/03/2026\" is not a date"},
	    {NULL, "2026-03-31", -EINVAL, "both --from and --to are required"},
	};

	for (size_t i = 0; i < ELEMENTSOF(t); i++) {
		struct cal_date a, b;
		_cleanup_free_ char *err = NULL;

		assert_int_equal(report_parse_period(t[i].from, t[i].to, &a, &b, &err), t[i].r);
		if (t[i].msg != NULL) {
			assert_non_null(err);
			if (strstr(err, t[i].msg) == NULL)
				fail_msg("\"%s\" does not say \"%s\"", err, t[i].msg);
		} else
			assert_null(err);
	}
	{
		enum report_format fmt;

		assert_int_equal(report_format_from_string("html", &fmt), 0);
		assert_int_equal(fmt, REPORT_HTML);
		assert_int_equal(report_format_from_string("pdf", &fmt), -EINVAL);
	}
}

/* With nothing in the period, shares and averages are "n/a", not 0% or a division by zero. */
static void
test_empty_period(void **state)
{
	struct fixture *f = *state;
	_cleanup_buf_ struct buf json = BUF_INIT, text = BUF_INIT, csv = BUF_INIT;

	compute(f, "2030-01-01", "2030-12-31");
	assert_int_equal(report_render(&f->rep, REPORT_JSON, &json), 0);
	assert_non_null(strstr(buf_str(&json), "\"responded_in_time_pct\": null"));
	assert_non_null(strstr(buf_str(&json), "\"avg_working_days\": null"));
	assert_non_null(strstr(buf_str(&json), "\"improvements\": []"));
	assert_int_equal(report_render(&f->rep, REPORT_TEXT, &text), 0);
	assert_non_null(strstr(buf_str(&text), "n/a"));
	assert_int_equal(report_render(&f->rep, REPORT_CSV, &csv), 0);
	assert_non_null(strstr(buf_str(&csv), "stage1,avg_working_days,\r\n"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_every_figure, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_period_boundaries, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_csv_and_json_golden, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_html_self_contained_and_escaped, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_empty_period, setup, teardown),
	    cmocka_unit_test(test_period_parsing),
	};
	int rc = cmocka_run_group_tests_name("report", tests, NULL, NULL);

	return rc ? 1 : 0;
}
