/*
 * report_fixture.c - a register of cases, events and sent mail in a real
 * store, for the report's tests.
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
#include <time.h>
#include <unistd.h>

#include "errlist.h"
#include "report_fixture.h"
#include "util.h"

/* A local time in Europe/London ("YYYY-MM-DD HH:MM") as a UTC instant. */
time_t
at(const char *s)
{
	struct tm tm = {0};
	char *end;

	if (s == NULL)
		return 0;
	end = strptime(s, "%Y-%m-%d %H:%M", &tm);
	assert_non_null(end);
	assert_int_equal(*end, '\0');
	tm.tm_isdst = -1;
	return mktime(&tm);
}

static int64_t
add_case(struct store *s, const struct case_spec *sp)
{
	struct case_row c = {0};
	_cleanup_free_ char *received_at = xasprintf("%s 10:00", sp->received);
	int64_t id;

	assert_int_equal(store_next_ref(s, "CMP", 2025, &c.ref), 0);
	c.kind = (char *)sp->kind;
	c.stage = sp->escalated ? 2 : 1;
	c.status = (char *)(sp->status ? sp->status : "open");
	c.scheme = (char *)(sp->scheme ? sp->scheme : "lgsco");
	c.route = (char *)(sp->route ? sp->route : "");
	c.subject = c.subject_key = (char *)"Missed bins";
	c.complainant_name = (char *)"Jane Resident";
	c.complainant_email = (char *)"jane@example.net";
	c.rep_email = c.rep_role = c.rep_consent = c.officer = (char *)"";
	c.received_date = (char *)sp->received;
	c.received_at = at(received_at);
	c.ack_due = (char *)(sp->ack_due ? sp->ack_due : "");
	c.acknowledged_at = at(sp->ack);
	c.response_due = (char *)(sp->resp_due ? sp->resp_due : "");
	c.responded_at = at(sp->resp);
	c.extension_days = sp->ext;
	c.outcome = (char *)(sp->outcome ? sp->outcome : "");
	c.flags = (char *)"";
	c.first_and_final = sp->faf;
	c.escalated_at = at(sp->escalated);
	c.s1_acknowledged_at = at(sp->s1_ack);
	c.s1_responded_at = at(sp->s1_resp);
	c.s1_response_due = (char *)(sp->s1_resp_due ? sp->s1_resp_due : "");
	c.s1_outcome = (char *)(sp->s1_outcome ? sp->s1_outcome : "");
	c.created_at = c.updated_at = c.received_at;
	assert_int_equal(store_case_insert_area(s, &c, sp->area), 0);
	id = c.id;
	free(c.ref);
	return id;
}

struct fixture *
open_fixture(void)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
	_cleanup_free_ char *hol = xasprintf("%s/data/holidays-england-and-wales.txt", SRCDIR);
	char *err = NULL;

	setenv("TZ", "Europe/London", 1);
	tzset();
	strcpy(f->dir, "/tmp/complaintsd-test-report-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->path = xasprintf("%s/complaints.db", f->dir);
	assert_int_equal(store_open(f->path, &f->store, &err), 0);
	f->cal = calendar_new();
	assert_int_equal(calendar_load_holidays(f->cal, hol, &errs), 0);
	return f;
}

/* Cases, their events and mails into the store, in one transaction. */
void
load(struct fixture *f, const struct case_spec *cases, size_t n_cases,
     const struct event_spec *events, size_t n_events, const struct mail_spec *mails,
     size_t n_mails)
{
	int64_t *ids = xcalloc(n_cases, sizeof(*ids));

	assert_int_equal(store_begin(f->store), 0);
	for (size_t i = 0; i < n_cases; i++)
		ids[i] = add_case(f->store, &cases[i]);
	for (size_t i = 0; i < n_events; i++)
		assert_int_equal(store_event_add(f->store, ids[events[i].c], at(events[i].at),
		                                 "officer@council.example", events[i].type,
		                                 events[i].detail),
		                 0);
	for (size_t i = 0; i < n_mails; i++) {
		_cleanup_free_ char *mid = xasprintf("m%zu@council.example", i);
		struct outbox_row o = {
		    .case_id = ids[mails[i].c],
		    .purpose = (char *)mails[i].purpose,
		    .message_id = mid,
		    .in_reply_to = (char *)"",
		    .rcpt = (char *)"jane@example.net",
		    .data = (char *)"x",
		    .len = 1,
		    .state = (char *)mails[i].state,
		    .last_error = (char *)"",
		    .created_at = at(mails[i].at),
		};
		assert_int_equal(store_outbox_insert(f->store, &o), 0);
	}
	assert_int_equal(store_commit(f->store), 0);
	free(ids);
}

int
teardown(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *wal = xasprintf("%s-wal", f->path),
	                    *shm = xasprintf("%s-shm", f->path);

	report_done(&f->rep);
	store_free(f->store);
	calendar_free(f->cal);
	unlink(f->path);
	unlink(wal);
	unlink(shm);
	rmdir(f->dir);
	free(f->path);
	free(f);
	return 0;
}

void
compute_as(struct fixture *f, const char *from, const char *to, const char *scheme,
           const char *today)
{
	struct report_params p = {
	    .scheme = scheme,
	    .council = "Exampleton Borough Council",
	    .generated = "2026-04-15",
	    .stage1_ack_days = 5,
	    .stage1_response_days = 10,
	    .stage2_response_days = 20,
	    .lgsco_name = "Local Government and Social Care Ombudsman",
	    .lgsco_url = "https://www.lgo.org.uk",
	    .housing_name = "Housing Ombudsman Service",
	    .housing_url = "https://www.housing-ombudsman.org.uk",
	};
	_cleanup_free_ char *err = NULL;

	assert_int_equal(report_parse_period(from, to, &p.from, &p.to, &err), 0);
	if (today != NULL)
		assert_int_equal(cal_date_parse(today, &p.today), 0);
	report_done(&f->rep);
	assert_int_equal(report_compute(f->store, f->cal, &p, &f->rep, &err), 0);
}

void
check_figure(const struct report_figure *fig, const char *section, const char *measure, int64_t num,
             int64_t den, int *bad)
{
	if (fig == NULL) {
		print_error("no figure %s.%s\n", section, measure);
		(*bad)++;
	} else if (fig->num != num || fig->den != den) {
		print_error("%s.%s: %lld/%lld, expected %lld/%lld\n", section, measure,
		            (long long)fig->num, (long long)fig->den, (long long)num,
		            (long long)den);
		(*bad)++;
	}
}

static char *
read_golden(const char *name)
{
	_cleanup_free_ char *path = xasprintf("%s/tests/golden/report/%s", SRCDIR, name);
	FILE *fp = fopen(path, "rb");
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;

	if (fp == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		assert_int_equal(buf_append(&b, chunk, n), 0);
	fclose(fp);
	return buf_steal(&b);
}

void
check_golden(const struct report *r, enum report_format fmt, const char *name)
{
	_cleanup_buf_ struct buf out = BUF_INIT;
	_cleanup_free_ char *want = read_golden(name);

	assert_int_equal(report_render(r, fmt, &out), 0);
	if (want == NULL || !streq(buf_str(&out), want)) {
		_cleanup_free_ char *path = xasprintf("/tmp/test_report.%s", name);
		FILE *fp = fopen(path, "wb");

		if (fp != NULL) {
			fputs(buf_str(&out), fp);
			fclose(fp);
		}
		fail_msg("%s differs from the golden file (this run's output: %s)", name, path);
	}
}
