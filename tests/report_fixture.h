/*
 * report_fixture.h - a register of cases, events and sent mail in a real
 * store, for the report's tests.
 */
#ifndef COMPLAINTSD_TEST_REPORT_FIXTURE_H
#define COMPLAINTSD_TEST_REPORT_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "calendar.h"
#include "report.h"
#include "store.h"

struct fixture {
	char dir[64];
	char *path;
	struct store *store;
	struct calendar *cal;
	struct report rep;
};

/* One case as the daemon leaves it; NULL strings become "". */
struct case_spec {
	const char *kind, *scheme, *route, *status, *received;
	const char *ack, *ack_due, *resp, *resp_due, *outcome;
	int ext;
	bool faf;
	/* a case at stage 2: when it went, and stage 1 as it was */
	const char *escalated, *s1_ack, *s1_resp, *s1_resp_due, *s1_outcome;
};

struct event_spec {
	int c;
	const char *at, *type, *detail;
};
struct mail_spec {
	int c;
	const char *purpose, *state, *at;
};
/* A local time in Europe/London ("YYYY-MM-DD HH:MM") as a UTC instant; 0 for NULL. */
time_t at(const char *s);
/* A store in a new directory and the bank holidays of England and Wales. */
struct fixture *open_fixture(void);
/* Cases (references CMP-2025-000001 on, in order), their events and mails. */
void load(struct fixture *f, const struct case_spec *cases, size_t n_cases,
          const struct event_spec *events, size_t n_events, const struct mail_spec *mails,
          size_t n_mails);
int teardown(void **state);
/* The report for from..to of one scheme (NULL: all) as at today (NULL: the period's end). */
void compute_as(struct fixture *f, const char *from, const char *to, const char *scheme,
                const char *today);
/* One figure against its expected value; says which and counts a mismatch in *bad. */
void check_figure(const struct report_figure *fig, const char *section, const char *measure,
                  int64_t num, int64_t den, int *bad);
/* The rendering against tests/golden/report/NAME (this run's output in /tmp on a difference). */
void check_golden(const struct report *r, enum report_format fmt, const char *name);

#endif
