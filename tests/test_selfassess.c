/*
 * test_selfassess.c - the self-assessment against the Code as a complaints
 * manager reads it: every figure it quotes is the annual report's for the
 * same period and scheme on the same store; the late cases are named; the
 * assessment follows the cases and the configuration; every row is a
 * provision of the data file, in its order; the four renderings agree.
 *
 * Period 2026-02-01..2026-03-31 (Europe/London), stage 1 timescales 5 + 10.
 *   CMP-2025-000001  LGSCO, acknowledged and answered in time
 *   CMP-2025-000002  LGSCO, acknowledged late (due 02-16, sent 02-18), answered in time
 *   CMP-2025-000003  LGSCO, answered 02-20 against 02-16; extended on 02-18, too late
 *   CMP-2025-000004  Housing, in time
 *   CMP-2025-000005  LGSCO service request
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "provisions.h"
#include "report.h"
#include "report_fixture.h"
#include "selfassess.h"
#include "util.h"

static const char *const FROM = "2026-02-01", *const TO = "2026-03-31";

static const struct case_spec cases[] = {
    {"complaint", .received = "2026-02-02", .ack = "2026-02-02 10:00", .ack_due = "2026-02-09",
     .resp = "2026-02-12 10:00", .resp_due = "2026-02-16", .outcome = "upheld"},
    {"complaint", .received = "2026-02-09", .ack = "2026-02-18 10:00", .ack_due = "2026-02-16",
     .resp = "2026-02-20 10:00", .resp_due = "2026-03-04", .outcome = "not-upheld"},
    {"complaint", .received = "2026-02-02", .ack = "2026-02-02 10:00", .ack_due = "2026-02-09",
     .resp = "2026-02-20 10:00", .resp_due = "2026-02-23", .ext = 5, .outcome = "resolved"},
    {"complaint", .scheme = "housing", .received = "2026-02-03", .ack = "2026-02-03 10:00",
     .ack_due = "2026-02-10", .resp = "2026-02-10 10:00", .resp_due = "2026-02-17",
     .outcome = "upheld"},
    {"service_request", .received = "2026-02-05"},
};
static const struct event_spec events[] = {
    {2, "2026-02-18 10:00", "extended",
     "stage 1 extended by 5 working days to 2026-02-23: the contractor has not replied"},
};
static const struct mail_spec mails[] = {
    {2, "extension", "sent", "2026-02-18 10:05"},
};

static const struct selfassess_config code_config = {
    .ack = {5, 5}, .response = {10, 20}, .extension = {10, 20}, .late_months = 12,
    .routing_default = "complaints-team@council.example",
    .alerts_address = "complaints-team@council.example",
};

static int
setup(void **state)
{
	struct fixture *f = open_fixture();

	load(f, cases, ELEMENTSOF(cases), events, ELEMENTSOF(events), mails, ELEMENTSOF(mails));
	*state = f;
	return 0;
}

static void
load_provisions(const char *scheme, struct provisions *pv)
{
	_cleanup_free_ char *path = xasprintf("%s/data/provisions-%s.conf", SRCDIR, scheme);
	_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
	_cleanup_buf_ struct buf b = BUF_INIT;
	FILE *fp = fopen(path, "rb");
	char chunk[4096];
	size_t n;

	assert_non_null(fp);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		assert_int_equal(buf_append(&b, chunk, n), 0);
	fclose(fp);
	assert_int_equal(provisions_parse(buf_str(&b), b.len, path, pv, &errs), 0);
}

static const struct selfassess_row *
row_of(const struct selfassess *sa, const char *section)
{
	for (size_t i = 0; i < sa->n_rows; i++)
		if (streq(sa->rows[i].p->section, section))
			return &sa->rows[i];
	fail_msg("no row %s", section);
	return NULL;
}

static int64_t
fig(const struct selfassess_row *r, const char *key, int64_t *den)
{
	for (size_t i = 0; i < r->n_figures; i++)
		if (streq(r->figures[i].key, key)) {
			if (den)
				*den = r->figures[i].den;
			return r->figures[i].num;
		}
	fail_msg("row %s quotes no %s", r->p->section, key);
	return -1;
}

/* Every figure of every row is the report's figure of that key, numerator and denominator. */
static void
check_against_report(const struct selfassess *sa, const struct report *rep)
{
	size_t quoted = 0;

	for (size_t i = 0; i < sa->n_rows; i++)
		for (size_t k = 0; k < sa->rows[i].n_figures; k++) {
			const struct selfassess_figure *x = &sa->rows[i].figures[k];
			_cleanup_free_ char *sec = xstrndup(x->key, strcspn(x->key, "."));
			const struct report_figure *f = report_find(rep, sec, x->key + strlen(sec) + 1);

			assert_non_null(f);
			assert_int_equal(x->num, f->num);
			if (f->type != REPORT_COUNT)
				assert_int_equal(x->den, f->den);
			quoted++;
		}
	assert_true(quoted >= 10);
}

static void
check_rows_are_provisions(const struct selfassess *sa, const struct provisions *pv)
{
	assert_int_equal(sa->n_rows, pv->n);
	for (size_t i = 0; i < sa->n_rows; i++) {
		assert_ptr_equal(provisions_find(pv, sa->rows[i].p->section), &pv->v[i]);
		assert_string_equal(sa->rows[i].p->section, pv->v[i].section);
	}
}

static void
test_lgsco(void **state)
{
	struct fixture *f = *state;
	struct provisions pv;
	struct selfassess sa;
	const struct selfassess_row *r;
	int64_t den = 0;

	compute_as(f, FROM, TO, "lgsco", NULL);
	load_provisions("lgsco", &pv);
	selfassess_build(&pv, &f->rep, &code_config, &sa);
	check_rows_are_provisions(&sa, &pv);
	check_against_report(&sa, &f->rep);

	/* 6.2: 2 of 3 acknowledged in time, the late one named */
	r = row_of(&sa, "6.2");
	assert_int_equal(fig(r, "stage1.acknowledged_in_time_pct", &den), 2);
	assert_int_equal(den, 3);
	assert_int_equal(r->n_refs, 1);
	assert_string_equal(r->refs[0], "CMP-2025-000002");
	assert_int_equal(r->assessment, SA_DOES_NOT_MEET);
	assert_non_null(strstr(r->evidence, "2 of 3 due in the period"));
	assert_non_null(strstr(r->evidence, "Configured: 5 working days"));
	/* 6.3: the response extended too late counts against its first date */
	r = row_of(&sa, "6.3");
	assert_int_equal(fig(r, "stage1.responded_in_time_pct", &den), 2);
	assert_int_equal(den, 3);
	assert_string_equal(r->refs[0], "CMP-2025-000003");
	/* 6.4: one extension, granted after the date */
	r = row_of(&sa, "6.4");
	assert_int_equal(fig(r, "stage1.extended", NULL), 1);
	assert_int_equal(fig(r, "stage1.extended_too_late", NULL), 1);
	assert_int_equal(r->assessment, SA_DOES_NOT_MEET);
	/* 6.5: the extension notice went, with the Ombudsman's details */
	r = row_of(&sa, "6.5");
	assert_int_equal(fig(r, "signposting.extension", NULL), 1);
	assert_int_equal(r->assessment, SA_MEETS);
	/* 1.8: the service request is recorded apart */
	r = row_of(&sa, "1.8");
	assert_int_equal(fig(r, "received.service_request", NULL), 1);
	assert_int_equal(r->assessment, SA_COUNCIL);
	/* what software cannot know is left to the council, with no evidence */
	r = row_of(&sa, "3.1");
	assert_int_equal(r->assessment, SA_COUNCIL);
	assert_string_equal(r->evidence, "");
	r = row_of(&sa, "2.2");
	assert_int_equal(r->assessment, SA_MEETS);
	/* 4.1: who is responsible for complaint handling, from the routing */
	r = row_of(&sa, "4.1");
	assert_int_equal(r->assessment, SA_COUNCIL);
	assert_non_null(strstr(r->evidence, "complaints-team@council.example ([routing] default)"));
	selfassess_done(&sa);

	/* a configuration longer than the Code does not meet it, whatever the cases */
	{
		struct selfassess_config longer = code_config;

		longer.response[0] = 15;
		longer.late_months = 6;
		selfassess_build(&pv, &f->rep, &longer, &sa);
		r = row_of(&sa, "6.3");
		assert_int_equal(r->assessment, SA_DOES_NOT_MEET);
		assert_non_null(strstr(r->evidence, "Configured: 15 working days"));
		assert_int_equal(row_of(&sa, "2.2")->assessment, SA_DOES_NOT_MEET);
		selfassess_done(&sa);
	}
	provisions_done(&pv);
}

static void
test_housing(void **state)
{
	struct fixture *f = *state;
	struct provisions pv;
	struct selfassess sa;
	const struct selfassess_row *r;
	int64_t den = 0;

	compute_as(f, FROM, TO, "housing", NULL);
	load_provisions("housing", &pv);
	selfassess_build(&pv, &f->rep, &code_config, &sa);
	check_rows_are_provisions(&sa, &pv);
	check_against_report(&sa, &f->rep);
	r = row_of(&sa, "6.2");
	assert_int_equal(fig(r, "stage1.acknowledged_in_time_pct", &den), 1);
	assert_int_equal(den, 1);
	assert_int_equal(r->n_refs, 0);
	assert_int_equal(r->assessment, SA_MEETS);
	/* nothing escalated: stage 2 has nothing due, and the configuration decides */
	r = row_of(&sa, "6.11");
	assert_non_null(strstr(r->evidence, "No stage 2 acknowledgement fell due"));
	assert_int_equal(r->assessment, SA_MEETS);
	selfassess_done(&sa);
	provisions_done(&pv);
}

/* RFC 4180 records of a CSV text: count them, honouring quotes; every line ends CRLF. */
static size_t
csv_records(const char *s, size_t *fields_first)
{
	size_t records = 0, fields = 1;
	bool quoted = false;

	for (; *s; s++) {
		if (*s == '"')
			quoted = !quoted;
		else if (!quoted && *s == ',')
			fields++;
		else if (!quoted && *s == '\n') {
			assert_true(s[-1] == '\r');
			if (records == 0)
				*fields_first = fields;
			else
				assert_int_equal(fields, *fields_first);
			records++;
			fields = 1;
		}
	}
	assert_false(quoted);
	return records;
}

static void
test_renderings(void **state)
{
	struct fixture *f = *state;
	_cleanup_buf_ struct buf text = BUF_INIT, csv = BUF_INIT, json = BUF_INIT, html = BUF_INIT;
	struct provisions pv;
	struct selfassess sa;
	size_t fields = 0;

	compute_as(f, FROM, TO, "lgsco", NULL);
	load_provisions("lgsco", &pv);
	selfassess_build(&pv, &f->rep, &code_config, &sa);
	selfassess_render_text(&sa, &text);
	selfassess_render_csv(&sa, &csv);
	selfassess_render_json(&sa, &json);
	selfassess_render_html(&sa, "2026-04-15", &html);

	assert_non_null(strstr(buf_str(&text), "Exampleton Borough Council"));
	assert_non_null(strstr(buf_str(&text), "\n6.2  does not meet\n"));
	assert_non_null(strstr(buf_str(&text), "CMP-2025-000002"));

	assert_int_equal(csv_records(buf_str(&csv), &fields), pv.n + 1);
	assert_int_equal(fields, 7);
	assert_true(startswith(buf_str(&csv), "section,requirement,evidence,assessment,references,"));

	assert_true(startswith(buf_str(&json), "[{\"section\":\"1.1\""));
	assert_non_null(strstr(buf_str(&json), "\"section\":\"6.2\""));
	assert_non_null(strstr(buf_str(&json), "\"assessment\":\"does not meet\",\"references\":[\"CMP-2025-000002\"]"));

	assert_non_null(strstr(buf_str(&html), "size: A4"));
	/* the LGSCO Code's own heading of section 4, not the Housing Code's */
	assert_non_null(strstr(buf_str(&html), "<th colspan=\"5\">4. Complaint handling resources</th>"));
	assert_null(strstr(buf_str(&html), "Complaint handling staff"));
	assert_non_null(strstr(buf_str(&html), "<h1>Exampleton Borough Council</h1>"));
	assert_non_null(strstr(buf_str(&html), "Sunday 1 February 2026 to Tuesday 31 March 2026"));
	assert_null(strstr(buf_str(&html), "<script"));
	assert_null(strstr(buf_str(&html), "src="));
	selfassess_done(&sa);
	provisions_done(&pv);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lgsco),
	    cmocka_unit_test(test_housing),
	    cmocka_unit_test(test_renderings),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
