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

/* ---- building the figures */

struct report_figure *
report_add_figure(struct report *r, const char *section, const char *measure, const char *label,
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
	return &r->figures[r->n_figures - 1];
}

static void
count(struct report *r, const char *section, const char *measure, const char *label, int64_t n)
{
	report_add_figure(r, section, measure, label, REPORT_COUNT, n, 1);
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

static void
add_id(int64_t **ids, size_t *n, int64_t id)
{
	for (size_t i = 0; i < *n; i++)
		if ((*ids)[i] == id)
			return;
	*ids = xreallocarray(*ids, *n + 1, sizeof(**ids));
	(*ids)[(*n)++] = id;
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

static bool
scheme_ok(const struct report_params *p, const char *scheme)
{
	return isempty(p->scheme) || streq(p->scheme, scheme);
}

time_t
report_case_end(const struct report_case *c, const struct report_event *const *ev, size_t n)
{
	time_t end = 0;

	if (!streq(c->status, "excluded") && !streq(c->status, "closed"))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (streq(ev[i]->type, "status") &&
		    (strstr(ev[i]->detail, "-> excluded") || strstr(ev[i]->detail, "-> closed")))
			end = ev[i]->at;
	return end;
}

/* The reason of a "status" event that excluded a case, or NULL. */
static const char *
exclusion_reason(const struct report_event *e)
{
	const char *p;

	if (!streq(e->type, "status") || (p = strstr(e->detail, "-> excluded")) == NULL)
		return NULL;
	p += strlen("-> excluded");
	if (p[0] == ':' && p[1] == ' ')
		p += 2;
	return isempty(p) ? "unspecified" : p;
}

int
report_build(const struct report_data *d, const struct calendar *cal, const struct report_params *p,
             struct report *ret)
{
	struct report r = {.p = *p};
	struct report_stage_acc s1 = {0}, s2 = {0};
	struct report_event_index idx;
	int64_t recv_kind[4] = {0}, recv_total = 0, s1_received = 0, s1_excluded = 0;
	int64_t scheme_lgsco = 0, scheme_housing = 0, escalated = 0, excluded = 0;
	int64_t failed = 0, sign[5] = {0};
	int64_t *faf = NULL;
	size_t n_faf = 0, n_routes = 0, n_areas = 0, n_reasons = 0;
	struct name_count *routes = NULL, *areas = NULL, *reasons = NULL, *c_areas = NULL;
	size_t n_c_areas = 0;
	static const char *const kinds[] = {"complaint", "service_request", "member_enquiry",
	                                    "other_process"};
	static const char *const sign_purpose[] = {"exclusion", "extension", "deadline-missed",
	                                           "other-process", "relay"};

	report_index_events(d, &idx);
	for (size_t i = 0; i < d->n_cases; i++) {
		const struct report_case *c = &d->cases[i];
		struct cal_date rd;
		bool received = cal_date_parse(c->received_date, &rd) == 0 && in_period(p, rd);
		const struct report_event *const *ev;
		size_t n_ev;
		struct report_stage_view v;
		time_t end;

		if (!scheme_ok(p, c->scheme))
			continue;
		if (received) {
			recv_total++;
			for (size_t k = 0; k < ELEMENTSOF(kinds); k++)
				if (streq(c->kind, kinds[k]))
					recv_kind[k]++;
			if (streq(c->kind, "other_process"))
				tally(&routes, &n_routes,
				      isempty(c->route) ? "unspecified" : c->route);
			if (streq(c->kind, "complaint"))
				tally(&c_areas, &n_c_areas, isempty(c->area) ? "unspecified" : c->area);
		}
		if (!streq(c->kind, "complaint"))
			continue;

		ev = report_case_events(&idx, c->id, &n_ev);
		end = report_case_end(c, ev, n_ev);
		report_stage_view(p, cal, c, 1, end, &v);
		if (received) {
			s1_received++;
			if (streq(c->status, "excluded"))
				s1_excluded++;
			if (streq(c->scheme, "housing"))
				scheme_housing++;
			else
				scheme_lgsco++;
			s1.outcome[report_outcome_index(v.outcome)]++;
		}
		report_stage_account(p, cal, c, &v, ev, n_ev, &s1);
		if (report_stage_view(p, cal, c, 2, end, &v)) {
			if (instant_in_period(p, c->escalated_at)) {
				/* a first-and-final case is at stage 2 without being escalated */
				escalated += !c->first_and_final;
				s2.outcome[report_outcome_index(v.outcome)]++;
			}
			report_stage_account(p, cal, c, &v, ev, n_ev, &s2);
		}
	}

	for (size_t i = 0; i < d->n_events; i++) {
		const struct report_event *e = &d->events[i];
		struct cal_date ed;
		char date[CAL_DATE_STRLEN];
		const char *reason;
		int stage = 0;

		if (!scheme_ok(p, e->scheme) || !report_local_date(e->at, &ed) || !in_period(p, ed))
			continue;
		if (sscanf(e->detail, "stage %d", &stage) != 1)
			stage = 0;
		if (streq(e->type, "extended")) {
			if (stage == 1)
				add_id(&s1.extended, &s1.n_extended, e->case_id);
			else if (stage == 2)
				add_id(&s2.extended, &s2.n_extended, e->case_id);
		} else if ((reason = exclusion_reason(e)) != NULL) {
			excluded++;
			tally(&reasons, &n_reasons, reason);
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

		if (!scheme_ok(p, m->scheme) || !instant_in_period(p, m->created_at))
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
	report_stage_figures(&r, "stage1", 1, &s1);

	count(&r, "stage2", "escalated", "Complaints escalated to stage 2", escalated);
	count(&r, "stage2", "first_and_final", "First and final responses (stage 1 skipped)",
	      (int64_t)n_faf);
	report_stage_figures(&r, "stage2", 2, &s2);

	count(&r, "exclusions", "total", "Cases excluded from the procedure", excluded);
	tally_figures(&r, "exclusions", reasons, n_reasons);

	tally_figures(&r, "areas", c_areas, n_c_areas);
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

	report_stage_acc_done(&s1);
	report_stage_acc_done(&s2);
	free(faf);
	free(idx.v);
	*ret = r;
	return 0;
}
