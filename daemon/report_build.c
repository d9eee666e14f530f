/*
 * report_build.c - the annual report's figures, computed from the store's rows
 * (how each is computed is documented in report.h).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "report.h"
#include "report_impl.h"
#include "util.h"

static const char *const outcomes[] = {
    "upheld", "partly-upheld", "not-upheld", "resolved", "withdrawn",
};
static const char *const outcome_labels[] = {
    "Upheld", "Partly upheld", "Not upheld", "Resolved", "Withdrawn",
};
#define N_OUTCOMES ELEMENTSOF(outcomes)
/* index of "no outcome recorded" and "something else" in the counters */
#define OUTCOME_NONE N_OUTCOMES
#define OUTCOME_OTHER (N_OUTCOMES + 1)

/* ---- building the figures */

static void
add_figure(struct report *r, const char *section, const char *measure, const char *label,
           enum report_value_type type, int64_t num, int64_t den)
{
	r->figures = xreallocarray(r->figures, r->n_figures + 1, sizeof(*r->figures));
	r->figures[r->n_figures++] = (struct report_figure){
	    .section = xstrdup(section),
	    .measure = xstrdup(measure),
	    .label = xstrdup(label),
	    .type = type,
	    .num = num,
	    .den = den,
	};
}

static void
count(struct report *r, const char *section, const char *measure, const char *label, int64_t n)
{
	add_figure(r, section, measure, label, REPORT_COUNT, n, 1);
}

/* The calendar date of an instant in the council's timezone (TZ). */
bool
report_local_date(time_t t, struct cal_date *ret)
{
	struct tm tm;

	if (t <= 0 || localtime_r(&t, &tm) == NULL)
		return false;
	*ret = (struct cal_date){tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
	return true;
}

static bool
in_period(const struct report_params *p, struct cal_date d)
{
	return cal_date_compare(d, p->from) >= 0 && cal_date_compare(d, p->to) <= 0;
}

static bool
instant_in_period(const struct report_params *p, time_t t)
{
	struct cal_date d;

	return report_local_date(t, &d) && in_period(p, d);
}

/* Was the instant t on or before the date due (YYYY-MM-DD)?  False when due is unset. */
static bool
on_time(time_t t, const char *due)
{
	struct cal_date d, dd;

	return report_local_date(t, &d) && cal_date_parse(due, &dd) == 0 &&
	       cal_date_compare(d, dd) <= 0;
}

static size_t
outcome_index(const char *o)
{
	if (isempty(o))
		return OUTCOME_NONE;
	for (size_t i = 0; i < N_OUTCOMES; i++)
		if (streq(o, outcomes[i]))
			return i;
	return OUTCOME_OTHER;
}

/* One stage of one case, as the report needs it. */
struct stage_view {
	time_t ack, resp;
	const char *ack_due, *resp_due, *outcome;
};

struct stage_acc {
	int64_t outcome[N_OUTCOMES + 2];
	int64_t acked, acked_in_time, responded, responded_in_time;
	int64_t days_sum, days_n, breaches;
	int64_t *extended; /* distinct case ids */
	size_t n_extended;
};

static void
account_stage(const struct report_params *p, const struct calendar *cal, const struct stage_view *v,
              struct stage_acc *a)
{
	if (instant_in_period(p, v->ack)) {
		a->acked++;
		if (on_time(v->ack, v->ack_due))
			a->acked_in_time++;
	}
	if (instant_in_period(p, v->resp)) {
		struct cal_date start, end;

		a->responded++;
		if (on_time(v->resp, v->resp_due))
			a->responded_in_time++;
		if (v->ack > 0 && calendar_received_date(cal, v->ack, &start) == 0 &&
		    report_local_date(v->resp, &end)) {
			long n = calendar_working_days_between(cal, start, end);

			a->days_sum += n > 0 ? n : 0;
			a->days_n++;
		}
	}
}

static void
add_id(int64_t **ids, size_t *n, int64_t id)
{
	for (size_t i = 0; i < *n; i++)
		if ((*ids)[i] == id)
			return;
	*ids = xreallocarray(*ids, *n + 1, sizeof(**ids));
	(*ids)[(*n)++] = id;
}

static void
stage_figures(struct report *r, const char *sec, int stage, const struct stage_acc *a)
{
	char label[128];

	for (size_t i = 0; i < N_OUTCOMES + 2; i++) {
		_cleanup_free_ char *key = NULL;

		if (i == OUTCOME_OTHER && a->outcome[i] == 0)
			continue;
		key = xasprintf("outcome_%s", i == OUTCOME_NONE    ? "none"
		                              : i == OUTCOME_OTHER ? "other"
		                                                   : outcomes[i]);
		for (char *k = key; *k; k++)
			if (*k == '-')
				*k = '_';
		if (snprintf(label, sizeof(label), "Outcome: %s",
		             i == OUTCOME_NONE    ? "none recorded yet"
		             : i == OUTCOME_OTHER ? "other"
		                                  : outcome_labels[i]) >= (int)sizeof(label))
			label[0] = '\0';
		count(r, sec, key, label, a->outcome[i]);
	}
	count(r, sec, "acknowledged", "Acknowledgements sent", a->acked);
	count(r, sec, "acknowledged_in_time", "Acknowledged within timescale", a->acked_in_time);
	add_figure(r, sec, "acknowledged_in_time_pct", "Share acknowledged within timescale",
	           REPORT_PERCENT, a->acked_in_time, a->acked);
	count(r, sec, "responded", stage == 1 ? "Stage 1 responses sent" : "Stage 2 responses sent",
	      a->responded);
	count(r, sec, "responded_in_time", "Responded within timescale (incl. extensions)",
	      a->responded_in_time);
	add_figure(r, sec, "responded_in_time_pct", "Share responded within timescale",
	           REPORT_PERCENT, a->responded_in_time, a->responded);
	add_figure(r, sec, "avg_working_days",
	           "Average working days to respond after acknowledgement", REPORT_AVERAGE,
	           a->days_sum, a->days_n);
	count(r, sec, "extended", "Cases given an extension", (int64_t)a->n_extended);
	count(r, sec, "breaches", "Deadlines missed", a->breaches);
}

static int
cmp_improvement(const void *a, const void *b)
{
	const struct report_improvement *x = a, *y = b;
	int c = strcasecmp(x->area, y->area);

	if (c == 0)
		c = strcmp(x->area, y->area);
	if (c == 0)
		c = strcmp(x->date, y->date);
	if (c == 0)
		c = strcmp(x->ref, y->ref);
	return c == 0 ? strcmp(x->text, y->text) : c;
}

struct name_count {
	char *name;
	int64_t n;
};

static void
tally(struct name_count **v, size_t *n, const char *name)
{
	for (size_t i = 0; i < *n; i++)
		if (streq((*v)[i].name, name)) {
			(*v)[i].n++;
			return;
		}
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = (struct name_count){xstrdup(name), 1};
}

static int
cmp_name_count(const void *a, const void *b)
{
	const struct name_count *x = a, *y = b;
	int c = strcasecmp(x->name, y->name);

	return c ? c : strcmp(x->name, y->name);
}

/* Sorted "section.name" counts, freeing the tally. */
static void
tally_figures(struct report *r, const char *sec, struct name_count *v, size_t n)
{
	if (n > 0)
		qsort(v, n, sizeof(*v), cmp_name_count);
	for (size_t i = 0; i < n; i++) {
		count(r, sec, v[i].name, v[i].name, v[i].n);
		free(v[i].name);
	}
	free(v);
}

int
report_build(const struct report_data *d, const struct calendar *cal, const struct report_params *p,
             struct report *ret)
{
	struct report r = {.p = *p};
	struct stage_acc s1 = {0}, s2 = {0};
	int64_t recv_kind[4] = {0}, recv_total = 0, s1_received = 0, s1_excluded = 0;
	int64_t scheme_lgsco = 0, scheme_housing = 0, escalated = 0, breaches_other = 0;
	int64_t failed = 0, sign[5] = {0};
	int64_t *faf = NULL;
	size_t n_faf = 0, n_routes = 0, n_areas = 0;
	struct name_count *routes = NULL, *areas = NULL;
	static const char *const kinds[] = {"complaint", "service_request", "member_enquiry",
	                                    "other_process"};
	static const char *const sign_purpose[] = {"exclusion", "extension", "deadline-missed",
	                                           "other-process", "relay"};

	for (size_t i = 0; i < d->n_cases; i++) {
		const struct report_case *c = &d->cases[i];
		bool complaint = streq(c->kind, "complaint");
		bool escalated_case = c->stage == 2 && c->escalated_at > 0;
		struct cal_date rd;
		bool received = cal_date_parse(c->received_date, &rd) == 0 && in_period(p, rd);
		char ack_due1[CAL_DATE_STRLEN] = "";
		struct stage_view v1;

		if (received) {
			recv_total++;
			for (size_t k = 0; k < ELEMENTSOF(kinds); k++)
				if (streq(c->kind, kinds[k]))
					recv_kind[k]++;
			if (streq(c->kind, "other_process"))
				tally(&routes, &n_routes,
				      isempty(c->route) ? "unspecified" : c->route);
		}
		if (!complaint)
			continue;

		if (escalated_case) {
			/* the live acknowledgement due date is stage 2's now */
			if (cal_date_format(calendar_add_working_days(cal, rd, p->stage1_ack_days),
			                    ack_due1) < 0)
				ack_due1[0] = '\0';
			v1 = (struct stage_view){c->s1_acknowledged_at, c->s1_responded_at,
			                         ack_due1, c->s1_response_due, c->s1_outcome};
		} else
			v1 = (struct stage_view){c->acknowledged_at, c->responded_at, c->ack_due,
			                         c->response_due, c->outcome};
		if (received) {
			s1_received++;
			if (streq(c->status, "excluded"))
				s1_excluded++;
			if (streq(c->scheme, "housing"))
				scheme_housing++;
			else
				scheme_lgsco++;
			s1.outcome[outcome_index(v1.outcome)]++;
		}
		account_stage(p, cal, &v1, &s1);
		if (escalated_case) {
			struct stage_view v2 = {c->acknowledged_at, c->responded_at, c->ack_due,
			                        c->response_due, c->outcome};

			if (instant_in_period(p, c->escalated_at)) {
				escalated++;
				s2.outcome[outcome_index(v2.outcome)]++;
			}
			account_stage(p, cal, &v2, &s2);
		}
	}

	for (size_t i = 0; i < d->n_events; i++) {
		const struct report_event *e = &d->events[i];
		struct cal_date ed;
		char date[CAL_DATE_STRLEN];
		int stage = 0;

		if (!report_local_date(e->at, &ed) || !in_period(p, ed))
			continue;
		if (sscanf(e->detail, "stage %d", &stage) != 1)
			stage = 0;
		if (streq(e->type, "extended")) {
			if (stage == 1)
				add_id(&s1.extended, &s1.n_extended, e->case_id);
			else if (stage == 2)
				add_id(&s2.extended, &s2.n_extended, e->case_id);
		} else if (streq(e->type, "deadline_breached")) {
			if (stage == 1)
				s1.breaches++;
			else if (stage == 2)
				s2.breaches++;
			else
				breaches_other++;
		} else if (streq(e->type, "delivery_failed"))
			failed++;
		else if (streq(e->type, "first_and_final"))
			add_id(&faf, &n_faf, e->case_id);
		else if (streq(e->type, "improvement")) {
			const char *sep = strstr(e->detail, ": ");
			struct report_improvement *im;

			if (cal_date_format(ed, date) < 0)
				date[0] = '\0';
			r.improvements = xreallocarray(r.improvements, r.n_improvements + 1,
			                               sizeof(*r.improvements));
			im = &r.improvements[r.n_improvements++];
			im->date = xstrdup(date);
			im->ref = xstrdup(e->ref);
			if (sep != NULL && sep > e->detail) {
				im->area = strndup(e->detail, (size_t)(sep - e->detail));
				if (im->area == NULL)
					abort();
				im->text = xstrdup(sep + 2);
			} else {
				im->area = xstrdup("unspecified");
				im->text = xstrdup(e->detail);
			}
		}
	}
	if (r.n_improvements > 0)
		qsort(r.improvements, r.n_improvements, sizeof(*r.improvements), cmp_improvement);
	for (size_t i = 0; i < r.n_improvements; i++)
		tally(&areas, &n_areas, r.improvements[i].area);

	for (size_t i = 0; i < d->n_mails; i++) {
		const struct report_mail *m = &d->mails[i];

		if (!instant_in_period(p, m->created_at))
			continue;
		for (size_t k = 0; k < ELEMENTSOF(sign_purpose); k++)
			if (streq(m->purpose, sign_purpose[k])) {
				/* a relay signposts only as the final response on a complaint */
				if (k == 4 &&
				    !(streq(m->kind, "complaint") &&
				      (m->first_and_final ||
				       (m->escalated_at > 0 && m->created_at >= m->escalated_at))))
					break;
				sign[k]++;
			}
	}

	count(&r, "received", "total", "All contacts received", recv_total);
	count(&r, "received", "complaint", "Complaints", recv_kind[0]);
	count(&r, "received", "service_request", "Service requests", recv_kind[1]);
	count(&r, "received", "member_enquiry", "Member (councillor/MP) enquiries", recv_kind[2]);
	count(&r, "received", "other_process", "Handled under another process", recv_kind[3]);

	count(&r, "stage1", "received", "Complaints received at stage 1", s1_received);
	count(&r, "stage1", "lgsco", "of which under the LGSCO scheme", scheme_lgsco);
	count(&r, "stage1", "housing", "of which under the Housing Ombudsman scheme",
	      scheme_housing);
	count(&r, "stage1", "excluded", "of which excluded from the procedure", s1_excluded);
	stage_figures(&r, "stage1", 1, &s1);

	count(&r, "stage2", "escalated", "Complaints escalated to stage 2", escalated);
	count(&r, "stage2", "first_and_final", "First and final responses (stage 1 skipped)",
	      (int64_t)n_faf);
	stage_figures(&r, "stage2", 2, &s2);
	if (breaches_other > 0)
		count(&r, "stage2", "breaches_unknown_stage",
		      "Deadlines missed (stage not recorded)", breaches_other);

	count(&r, "improvements", "total", "Service improvements recorded",
	      (int64_t)r.n_improvements);
	tally_figures(&r, "improvements", areas, n_areas);

	count(&r, "signposting", "total", "Mails with the Ombudsman's details sent",
	      sign[0] + sign[1] + sign[2] + sign[3] + sign[4]);
	count(&r, "signposting", "exclusion", "Exclusion notices", sign[0]);
	count(&r, "signposting", "extension", "Extension notices", sign[1]);
	count(&r, "signposting", "deadline_missed", "Missed-deadline notices", sign[2]);
	count(&r, "signposting", "other_process", "Other-process notices", sign[3]);
	count(&r, "signposting", "final_response", "Final responses", sign[4]);

	count(&r, "delivery", "failed", "Mails that could not be delivered", failed);
	tally_figures(&r, "routes", routes, n_routes);

	free(s1.extended);
	free(s2.extended);
	free(faf);
	*ret = r;
	return 0;
}
