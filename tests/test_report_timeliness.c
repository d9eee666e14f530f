/*
 * test_report_timeliness.c - the report's timeliness as a scrutiny committee
 * reads it.  A quarter with acknowledgements and responses on time, late,
 * extended in time, extended too late and never sent, at both stages and
 * under both schemes; every share, count and average is checked against the
 * numbers worked out by hand below, for each scheme and for both together,
 * at the period's end and as at a day inside the period.
 *
 * The period is 2026-02-01..2026-03-31 (Europe/London).  No bank holiday
 * falls in it; Good Friday and Easter Monday are 3 and 6 April 2026.
 * Mondays: 2, 9, 16, 23 February; 2, 9, 16, 23, 30 March.  "wd(a, b)" is the
 * number of working days after a up to and including b.  Timescales: stage 1
 * acknowledgement 5, response 10; stage 2 acknowledgement 5, response 20.
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

#include "report.h"
#include "report_fixture.h"
#include "util.h"

static const char *const FROM = "2026-02-01", *const TO = "2026-03-31";

enum {
	L1,
	L2,
	L3,
	L4,
	L5,
	L6,
	L7,
	L9,
	L10,
	L11,
	L12,
	L13, /* LGSCO */
	H1,
	H2,
	H3,
	H4,
	H5,
	H6,
	H7,
	H8, /* Housing Ombudsman */
	N_CASES
};

#define HO .scheme = "housing"

static const struct case_spec cases[N_CASES] = {
    /* stage 1 acknowledged 02-02 (due 02-09), answered 02-12 (due 02-16): both in time;
     * wd(02-02, 02-12) = 8 */
    [L1] = {"complaint", .received = "2026-02-02", .ack = "2026-02-02 10:00",
            .ack_due = "2026-02-09", .resp = "2026-02-12 10:00", .resp_due = "2026-02-16",
            .outcome = "upheld"},
    /* stage 1 acknowledged 02-09 (due received + 5 = 02-16), answered late 02-25 (due
     * 02-23), wd = 12; escalated 03-03; stage 2 acknowledged 03-04 (due 03-10), response due
     * 04-01, after the period */
    [L2] = {"complaint", .received = "2026-02-09", .s1_ack = "2026-02-09 10:00",
            .s1_resp = "2026-02-25 10:00", .s1_resp_due = "2026-02-23", .s1_outcome = "not-upheld",
            .escalated = "2026-03-03 10:00", .ack = "2026-03-04 10:00", .ack_due = "2026-03-10",
            .resp_due = "2026-04-01"},
    /* extended in time: due 03-02, extended on 02-26 by 5 to 03-09, answered 03-06: in time;
     * wd(02-16, 03-06) = 14 */
    [L3] = {"complaint", .received = "2026-02-16", .ack = "2026-02-16 10:00",
            .ack_due = "2026-02-23", .resp = "2026-03-06 10:00", .resp_due = "2026-03-09", .ext = 5,
            .outcome = "partly-upheld"},
    /* extended too late: due 02-16, extended on 02-18 by 5 to 02-23, answered 02-20: late
     * against 02-16 (the stored date would call it in time); wd(02-02, 02-20) = 14 */
    [L4] = {"complaint", .received = "2026-02-02", .ack = "2026-02-02 10:00",
            .ack_due = "2026-02-09", .resp = "2026-02-20 10:00", .resp_due = "2026-02-23", .ext = 5,
            .outcome = "resolved"},
    /* never answered: response due 03-16, outstanding wd(03-16, 03-31) = 11 working days
     * past the date; so far wd(03-02, 03-31) = 21 since the acknowledgement */
    [L5] = {"complaint", .received = "2026-03-02", .ack = "2026-03-02 10:00",
            .ack_due = "2026-03-09", .resp_due = "2026-03-16"},
    /* acknowledged late 03-04 (due 03-02); response due 03-04 + 10 = 03-18, answered that
     * day: in time; wd = 10 */
    [L6] = {"complaint", .received = "2026-02-23", .ack = "2026-03-04 10:00",
            .ack_due = "2026-03-02", .resp = "2026-03-18 10:00", .resp_due = "2026-03-18",
            .outcome = "upheld"},
    /* acknowledged 03-25, due 04-01: nothing due in the period */
    [L7] = {"complaint", .received = "2026-03-25", .ack = "2026-03-25 10:00",
            .ack_due = "2026-04-01", .resp_due = "2026-04-08"},
    /* stage 1 in January; stage 2 acknowledged 02-03 (due 02-09), answered 03-03 (due 03-03):
     * in time, wd(02-03, 03-03) = 20 */
    [L9] = {"complaint", .received = "2026-01-05", .s1_ack = "2026-01-05 10:00",
            .s1_resp = "2026-01-16 10:00", .s1_resp_due = "2026-01-19", .s1_outcome = "not-upheld",
            .escalated = "2026-02-02 09:00", .ack = "2026-02-03 10:00", .ack_due = "2026-02-09",
            .resp = "2026-03-03 10:00", .resp_due = "2026-03-03", .outcome = "upheld",
            .status = "responded"},
    /* stage 2 acknowledged 02-10 (due 02-16), response due 03-10, extended on 03-05 by 10
     * to 03-24 (in time), never answered: outstanding wd(03-24, 03-31) = 5 past the date;
     * so far wd(02-10, 03-31) = 35 */
    [L10] = {"complaint", .received = "2026-01-12", .s1_ack = "2026-01-12 10:00",
             .s1_resp = "2026-01-23 10:00", .s1_resp_due = "2026-01-26", .s1_outcome = "not-upheld",
             .escalated = "2026-02-09 09:00", .ack = "2026-02-10 10:00", .ack_due = "2026-02-16",
             .resp_due = "2026-03-24", .ext = 10},
    /* stage 1 response due 02-02 (in the period), answered 01-30: in time; escalated 03-02,
     * the stage 2 acknowledgement (due 03-09) never sent: outstanding wd(03-09, 03-31) = 16;
     * its response is due as if acknowledged 03-09: 04-08, after the period */
    [L11] = {"complaint", .received = "2026-01-19", .s1_ack = "2026-01-19 10:00",
             .s1_resp = "2026-01-30 10:00", .s1_resp_due = "2026-02-02", .s1_outcome = "not-upheld",
             .escalated = "2026-03-02 10:00", .ack_due = "2026-03-09"},
    /* stage 2 acknowledged 01-27 (due 02-02, in the period: in time), answered 02-27 (due
     * 02-24): late, wd(01-27, 02-27) = 23; the complainant then asked to go further */
    [L12] = {"complaint", .received = "2026-01-05", .s1_ack = "2026-01-05 10:00",
             .s1_resp = "2026-01-15 10:00", .s1_resp_due = "2026-01-19", .s1_outcome = "not-upheld",
             .escalated = "2026-01-26 10:00", .ack = "2026-01-27 10:00", .ack_due = "2026-02-02",
             .resp = "2026-02-27 10:00", .resp_due = "2026-02-24", .status = "responded"},
    /* stage 1 response due 02-16 never sent; escalated 02-20, after the date: late, not
     * outstanding.  Stage 2 acknowledged 02-24 (due 02-27), answered 03-20 (due 03-24):
     * in time, wd(02-24, 03-20) = 18 */
    [L13] = {"complaint", .received = "2026-02-02", .s1_ack = "2026-02-02 10:00",
             .s1_resp_due = "2026-02-16", .escalated = "2026-02-20 10:00",
             .ack = "2026-02-24 10:00", .ack_due = "2026-02-27", .resp = "2026-03-20 10:00",
             .resp_due = "2026-03-24", .outcome = "upheld", .status = "responded"},

    /* housing: the acknowledgement is the officer's.  Acknowledged 02-04 (due 02-09),
     * answered 02-17 (due 02-18): in time, wd(02-04, 02-17) = 9 */
    [H1] = {"complaint", HO, .received = "2026-02-02", .ack = "2026-02-04 10:00",
            .ack_due = "2026-02-09", .resp = "2026-02-17 10:00", .resp_due = "2026-02-18",
            .outcome = "upheld"},
    /* never acknowledged (due 02-23): outstanding wd(02-23, 03-31) = 26; the response is due
     * as if acknowledged 02-23: 03-09, outstanding wd(03-09, 03-31) = 16; so far
     * wd(02-23, 03-31) = 26 */
    [H2] = {"complaint", HO, .received = "2026-02-16", .ack_due = "2026-02-23"},
    /* acknowledged late 02-11 (due 02-09); response due 02-25, extended on 02-27 (too late)
     * by 5 to 03-04, answered 03-03: late; wd(02-11, 03-03) = 14 */
    [H3] = {"complaint", HO, .received = "2026-02-02", .ack = "2026-02-11 10:00",
            .ack_due = "2026-02-09", .resp = "2026-03-03 10:00", .resp_due = "2026-03-04", .ext = 5,
            .outcome = "not-upheld"},
    /* acknowledged 02-10 (due 02-16); response due 02-24, extended on 02-20 by 5 to 03-03,
     * answered 03-02: in time; wd(02-10, 03-02) = 14 */
    [H4] = {"complaint", HO, .received = "2026-02-09", .ack = "2026-02-10 10:00",
            .ack_due = "2026-02-16", .resp = "2026-03-02 10:00", .resp_due = "2026-03-03", .ext = 5,
            .outcome = "partly-upheld"},
    /* excluded 03-04, before its acknowledgement was due (03-09): nothing counted */
    [H5] = {"complaint", HO, .received = "2026-03-02", .ack_due = "2026-03-09",
            .status = "excluded"},
    /* excluded 02-12 without an acknowledgement due 02-09: late, not outstanding; its
     * response (due 02-23) was not due when it was excluded */
    [H6] = {"complaint", HO, .received = "2026-02-02", .ack_due = "2026-02-09",
            .status = "excluded"},
    /* stage 2 acknowledged 02-05 (due 02-09), answered 03-12 (due 03-05): late,
     * wd(02-05, 03-12) = 25 */
    [H7] = {"complaint", HO, .received = "2026-01-05", .s1_ack = "2026-01-06 10:00",
            .s1_resp = "2026-01-19 10:00", .s1_resp_due = "2026-01-20", .s1_outcome = "not-upheld",
            .escalated = "2026-02-02 09:00", .ack = "2026-02-05 10:00", .ack_due = "2026-02-09",
            .resp = "2026-03-12 10:00", .resp_due = "2026-03-05", .outcome = "not-upheld",
            .status = "responded"},
    /* stage 2 acknowledged 02-20 (due 02-23), response due 03-20, extended on 03-23 (too
     * late) by 10 to 04-07, never answered: outstanding against 03-20, wd(03-20, 03-31) = 7;
     * so far wd(02-20, 03-31) = 27 */
    [H8] = {"complaint", HO, .received = "2026-01-12", .s1_ack = "2026-01-13 10:00",
            .s1_resp = "2026-01-26 10:00", .s1_resp_due = "2026-01-27", .s1_outcome = "not-upheld",
            .escalated = "2026-02-16 10:00", .ack = "2026-02-20 10:00", .ack_due = "2026-02-23",
            .resp_due = "2026-04-07", .ext = 10},
};

static const struct event_spec events[] = {
    {L3, "2026-02-26 10:00", "extended",
     "stage 1 extended by 5 working days to 2026-03-09: awaiting a structural survey"},
    {L4, "2026-02-18 10:00", "extended",
     "stage 1 extended by 5 working days to 2026-02-23: the contractor has not replied"},
    {H3, "2026-02-27 10:00", "extended",
     "stage 1 extended by 5 working days to 2026-03-04: the repairs log is incomplete"},
    {H4, "2026-02-20 10:00", "extended",
     "stage 1 extended by 5 working days to 2026-03-03: a site visit is booked"},
    {L10, "2026-03-05 10:00", "extended",
     "stage 2 extended by 10 working days to 2026-03-24: an independent review of the file"},
    {H8, "2026-03-23 10:00", "extended",
     "stage 2 extended by 10 working days to 2026-04-07: waiting for the surveyor"},
    {H5, "2026-03-04 10:00", "status", "open -> excluded: the matter is before a court"},
    {H6, "2026-02-12 10:00", "status",
     "open -> excluded: the issue is more than twelve months old"},
    {L12, "2026-03-05 10:00", "ombudsman_asked", "asks to take it further after stage 2"},
};

static struct fixture *
setup_period(void)
{
	struct fixture *f = open_fixture();

	load(f, cases, N_CASES, events, ELEMENTSOF(events), NULL, 0);
	return f;
}

static int
setup(void **state)
{
	*state = setup_period();
	return 0;
}

struct ratio {
	int64_t num, den;
};
#define N(x)                                                                                       \
	{                                                                                          \
		x, 1                                                                               \
	}

/* Expected, for the LGSCO cases, the housing cases, and both (the report of every scheme). */
static const struct {
	const char *section, *measure;
	struct ratio lgsco, housing, all;
} expected[] = {
    /* received in the period: L1-L7, L13 | H1-H6 */
    {"stage1", "received", N(8), N(6), N(14)},
    {"stage1", "lgsco", N(8), N(0), N(8)},
    {"stage1", "housing", N(0), N(6), N(6)},
    {"stage1", "excluded", N(0), N(2), N(2)}, /* H5, H6 */
    /* outcomes of those: upheld L1, L6 | H1; partly L3 | H4; not upheld L2 | H3;
     * resolved L4; none L5, L7, L13 | H2, H5, H6 */
    {"stage1", "outcome_upheld", N(2), N(1), N(3)},
    {"stage1", "outcome_partly_upheld", N(1), N(1), N(2)},
    {"stage1", "outcome_not_upheld", N(1), N(1), N(2)},
    {"stage1", "outcome_resolved", N(1), N(0), N(1)},
    {"stage1", "outcome_withdrawn", N(0), N(0), N(0)},
    {"stage1", "outcome_none", N(3), N(3), N(6)},
    /* sent in the period: L1-L7, L13 | H1, H3, H4 */
    {"stage1", "acknowledged", N(8), N(3), N(11)},
    /* due in the period: L1, L2, L3, L4, L5, L6, L13 (L7's is due 04-01; L9-L12 in
     * January) | H1, H2, H3, H4, H6 (H5 excluded before its date).  Late: L6 | H2, H3, H6 */
    {"stage1", "acknowledged_in_time_pct", {6, 7}, {2, 5}, {8, 12}},
    {"stage1", "acknowledged_in_time", N(6), N(2), N(8)},
    {"stage1", "acknowledged_late", N(1), N(3), N(4)},
    {"stage1", "acknowledgements_outstanding", N(0), N(1), N(1)}, /* H2 */
    {"stage1", "acknowledgement_oldest_days", N(0), N(26), N(26)},
    /* sent in the period: L1, L2, L3, L4, L6 | H1, H3, H4 */
    {"stage1", "responded", N(5), N(3), N(8)},
    /* due in the period: L1, L2, L3, L4, L5, L6, L11, L13 | H1, H2, H3, H4.  In time: L1,
     * L3, L6, L11 | H1, H4.  Late: L2, L4 (extended too late), L5 (never), L13 (never,
     * escalated after the date) | H2 (never), H3 (extended too late) */
    {"stage1", "responded_in_time_pct", {4, 8}, {2, 4}, {6, 12}},
    {"stage1", "responded_in_time", N(4), N(2), N(6)},
    {"stage1", "responded_late", N(4), N(2), N(6)},
    {"stage1", "responses_outstanding", N(1), N(1), N(2)}, /* L5 | H2 */
    {"stage1", "response_oldest_days", N(11), N(16), N(16)},
    /* L1 8 + L2 12 + L3 14 + L4 14 + L6 10 = 58 | H1 9 + H3 14 + H4 14 = 37 */
    {"stage1", "avg_working_days", {58, 5}, {37, 3}, {95, 8}},
    /* L5 21 | H2 26 */
    {"stage1", "avg_working_days_overdue", {21, 1}, {26, 1}, {47, 2}},
    {"stage1", "extended", N(2), N(2), N(4)},          /* L3, L4 | H3, H4 */
    {"stage1", "extended_too_late", N(1), N(1), N(2)}, /* L4 | H3 */
    /* of the stage 1 responses sent in the period, L2 went to stage 2 */
    {"stage1", "escalated_pct", {1, 5}, {0, 3}, {1, 8}},

    /* escalated in the period: L2, L9, L10, L11, L13 | H7, H8 (L12 in January) */
    {"stage2", "escalated", N(5), N(2), N(7)},
    {"stage2", "first_and_final", N(0), N(0), N(0)},
    {"stage2", "outcome_upheld", N(2), N(0), N(2)},     /* L9, L13 */
    {"stage2", "outcome_not_upheld", N(0), N(1), N(1)}, /* H7 */
    {"stage2", "outcome_none", N(3), N(1), N(4)},       /* L2, L10, L11 | H8 */
    /* sent in the period: L2, L9, L10, L13 | H7, H8 */
    {"stage2", "acknowledged", N(4), N(2), N(6)},
    /* due in the period: L2, L9, L10, L11, L12, L13 | H7, H8; late: L11 (never) */
    {"stage2", "acknowledged_in_time_pct", {5, 6}, {2, 2}, {7, 8}},
    {"stage2", "acknowledged_in_time", N(5), N(2), N(7)},
    {"stage2", "acknowledged_late", N(1), N(0), N(1)},
    {"stage2", "acknowledgements_outstanding", N(1), N(0), N(1)},
    {"stage2", "acknowledgement_oldest_days", N(16), N(0), N(16)},
    /* sent in the period: L9, L12, L13 | H7 */
    {"stage2", "responded", N(3), N(1), N(4)},
    /* due in the period: L9, L10, L12, L13 | H7, H8 (L2's and L11's are due in April).
     * In time: L9, L13.  Late: L10 (never, after an extension in time), L12 | H7, H8
     * (never, extension too late) */
    {"stage2", "responded_in_time_pct", {2, 4}, {0, 2}, {2, 6}},
    {"stage2", "responded_in_time", N(2), N(0), N(2)},
    {"stage2", "responded_late", N(2), N(2), N(4)},
    {"stage2", "responses_outstanding", N(1), N(1), N(2)}, /* L10 | H8 */
    {"stage2", "response_oldest_days", N(5), N(7), N(7)},
    /* L9 20 + L12 23 + L13 18 = 61 | H7 25 */
    {"stage2", "avg_working_days", {61, 3}, {25, 1}, {86, 4}},
    /* L10 35 | H8 27 */
    {"stage2", "avg_working_days_overdue", {35, 1}, {27, 1}, {62, 2}},
    {"stage2", "extended", N(1), N(1), N(2)},          /* L10 | H8 */
    {"stage2", "extended_too_late", N(0), N(1), N(1)}, /* H8 */
    /* of the stage 2 responses sent in the period, L12's complainant went further */
    {"stage2", "ombudsman_asked_pct", {1, 3}, {0, 1}, {1, 4}},

    {"exclusions", "total", N(0), N(2), N(2)},
    {"exclusions", "the matter is before a court", N(0), N(1), N(1)},
    {"exclusions", "the issue is more than twelve months old", N(0), N(1), N(1)},
};

static void
check_all(struct fixture *f, const char *scheme)
{
	int bad = 0;

	for (size_t i = 0; i < ELEMENTSOF(expected); i++) {
		struct ratio want = scheme == NULL             ? expected[i].all
		                    : streq(scheme, "housing") ? expected[i].housing
		                                               : expected[i].lgsco;
		const struct report_figure *fig =
		    report_find(&f->rep, expected[i].section, expected[i].measure);

		/* an exclusion reason with no case is not listed */
		if (fig == NULL && want.num == 0 && streq(expected[i].section, "exclusions") &&
		    !streq(expected[i].measure, "total"))
			continue;
		check_figure(fig, expected[i].section, expected[i].measure, want.num, want.den,
		             &bad);
	}
	if (bad > 0)
		fail_msg("%d figure(s) differ for %s", bad, scheme ? scheme : "every scheme");
}

static void
test_lgsco(void **state)
{
	struct fixture *f = *state;

	compute_as(f, FROM, TO, "lgsco", "2026-04-15");
	check_all(f, "lgsco");
}

static void
test_housing(void **state)
{
	struct fixture *f = *state;

	compute_as(f, FROM, TO, "housing", "2026-04-15");
	check_all(f, "housing");
}

/* "CMP-2025-00000N" of a case: references follow the order of cases[]. */
static char *
ref(int c)
{
	return xasprintf("CMP-2025-%06d", c + 1);
}

/* The references behind a count, as the JSON form lists them. */
static void
check_refs(const struct report *r, const char *section, const char *measure, const int *want,
           size_t n)
{
	const struct report_figure *fig = report_find(r, section, measure);

	assert_non_null(fig);
	assert_true(fig->has_refs);
	if (fig->n_refs != n)
		fail_msg("%s.%s lists %zu cases, expected %zu", section, measure, fig->n_refs, n);
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *want_ref = ref(want[i]);
		bool found = false;

		for (size_t k = 0; k < fig->n_refs; k++)
			found = found || streq(fig->refs[k], want_ref);
		if (!found)
			fail_msg("%s.%s does not list %s", section, measure, want_ref);
	}
}

static void
test_every_scheme(void **state)
{
	struct fixture *f = *state;

	compute_as(f, FROM, TO, NULL, "2026-04-15");
	check_all(f, NULL);
	check_refs(&f->rep, "stage1", "acknowledged_late", (const int[]){L6, H2, H3, H6}, 4);
	check_refs(&f->rep, "stage1", "acknowledgements_outstanding", (const int[]){H2}, 1);
	check_refs(&f->rep, "stage1", "responded_late", (const int[]){L2, L4, L5, L13, H2, H3}, 6);
	check_refs(&f->rep, "stage1", "responses_outstanding", (const int[]){L5, H2}, 2);
	check_refs(&f->rep, "stage1", "extended_too_late", (const int[]){L4, H3}, 2);
	check_refs(&f->rep, "stage2", "acknowledged_late", (const int[]){L11}, 1);
	check_refs(&f->rep, "stage2", "responded_late", (const int[]){L10, L12, H7, H8}, 4);
	check_refs(&f->rep, "stage2", "responses_outstanding", (const int[]){L10, H8}, 2);
	check_refs(&f->rep, "stage2", "extended_too_late", (const int[]){H8}, 1);
	/* the text the committee reads, and the JSON behind it */
	check_golden(&f->rep, REPORT_TEXT, "timeliness.txt");
	check_golden(&f->rep, REPORT_JSON, "timeliness.json");
}

/*
 * As at Friday 13 March 2026, inside the period: steps whose date has not
 * passed by then are left out, and what was done later is not done yet.
 */
static void
test_as_at_a_day_in_the_period(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *section, *measure;
		struct ratio want;
	} t[] = {
	    /* acknowledgements: as at the end; H2 is wd(02-23, 03-13) = 14 days past */
	    {"stage1", "acknowledged_in_time_pct", {8, 12}},
	    {"stage1", "acknowledgements_outstanding", N(1)},
	    {"stage1", "acknowledgement_oldest_days", N(14)},
	    /* responses: L5 (due 03-16) and L6 (due 03-18) are not due yet: 10 due, in time L1,
	     * L3, L11, H1, H4; late L2, L4, L13, H2, H3; H2 outstanding wd(03-09, 03-13) = 4 */
	    {"stage1", "responded_in_time_pct", {5, 10}},
	    {"stage1", "responded_late", N(5)},
	    {"stage1", "responses_outstanding", N(1)},
	    {"stage1", "response_oldest_days", N(4)},
	    /* H2: wd(02-23, 03-13) = 14 so far */
	    {"stage1", "avg_working_days_overdue", {14, 1}},
	    /* stage 2: L11's acknowledgement (due 03-09) outstanding wd(03-09, 03-13) = 4 */
	    {"stage2", "acknowledged_in_time_pct", {7, 8}},
	    {"stage2", "acknowledgement_oldest_days", N(4)},
	    /* responses due by then: L9 (in time), L12, H7 (late); L10 was extended to 03-24,
	     * L13 is due 03-24, H8 03-20 (its extension not granted yet): not due yet */
	    {"stage2", "responded_in_time_pct", {1, 3}},
	    {"stage2", "responses_outstanding", N(0)},
	    {"stage2", "extended_too_late", N(0)},
	};
	int bad = 0;

	compute_as(f, FROM, TO, NULL, "2026-03-13");
	for (size_t i = 0; i < ELEMENTSOF(t); i++)
		check_figure(report_find(&f->rep, t[i].section, t[i].measure), t[i].section,
		             t[i].measure, t[i].want.num, t[i].want.den, &bad);
	assert_int_equal(bad, 0);
}

/* The summary cards at the top of the HTML page carry the honest shares and their method. */
static void
test_html_cards(void **state)
{
	struct fixture *f = *state;
	_cleanup_buf_ struct buf out = BUF_INIT;
	const char *html, *cards, *end;

	compute_as(f, FROM, TO, NULL, "2026-04-15");
	assert_int_equal(report_render(&f->rep, REPORT_HTML, &out), 0);
	html = buf_str(&out);
	cards = strstr(html, "<ul class=\"cards\">");
	assert_non_null(cards);
	end = strstr(cards, "</ul>");
	assert_non_null(end);
	/* stage 1 responses: 6 of 12, not 6 of 8 (those sent) */
	assert_non_null(strstr(cards, "50.0%</span>stage 1 responses within timescale (6 of 12)"));
	assert_true(strstr(cards, "(6 of 12)") < end);
	assert_non_null(strstr(cards, "<span class=\"m\">Every response due in the period"));
	/* and a method under every timeliness figure in the tables */
	assert_non_null(strstr(html, "Deadlines missed: response<span class=\"m\">"));
}

/*
 * A response due on the last day of the period: not yet late on that day, late
 * once the day is over, whether it was never sent or sent the day after.
 */
static void
test_due_on_the_last_day(void **state)
{
	static const struct case_spec last[] = {
	    /* acknowledged 03-17 (due 03-24), response due 03-31, never sent */
	    {"complaint", .received = "2026-03-17", .ack = "2026-03-17 10:00",
	     .ack_due = "2026-03-24", .resp_due = "2026-03-31"},
	    /* the same, sent on 1 April */
	    {"complaint", .received = "2026-03-17", .ack = "2026-03-17 10:00",
	     .ack_due = "2026-03-24", .resp = "2026-04-01 10:00", .resp_due = "2026-03-31"},
	};
	struct fixture *f = open_fixture();
	const struct report_figure *fig;

	(void)state;
	load(f, last, ELEMENTSOF(last), NULL, 0, NULL, 0);
	compute_as(f, FROM, TO, NULL, "2026-03-31");
	fig = report_find(&f->rep, "stage1", "responded_in_time_pct");
	assert_int_equal(fig->den, 0);
	compute_as(f, FROM, TO, NULL, "2026-04-01");
	fig = report_find(&f->rep, "stage1", "responded_in_time_pct");
	assert_int_equal(fig->num, 0);
	assert_int_equal(fig->den, 2);
	/* as it stood at the period's end, neither had been sent */
	assert_int_equal(report_find(&f->rep, "stage1", "responses_outstanding")->num, 2);
	assert_int_equal(report_find(&f->rep, "stage1", "response_oldest_days")->num, 0);
	{
		void *fs = f;

		teardown(&fs);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_lgsco, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_housing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_every_scheme, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_as_at_a_day_in_the_period, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_html_cards, setup, teardown),
	    cmocka_unit_test(test_due_on_the_last_day),
	};

	return cmocka_run_group_tests_name("report_timeliness", tests, NULL, NULL) ? 1 : 0;
}
