/*
 * report.c - the annual complaints performance and service improvement
 * report: figures from the store's rows, and four renderings of them.
 *
 * Guarantees: every rendering shows exactly the figures of struct report, in
 * the same order; the HTML page is one self-contained file (inline CSS and
 * SVG, no scripts, no external references) in which every text that came from
 * the database is escaped.  How each figure is computed is documented in
 * report.h.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "context.h"
#include "json.h"
#include "report.h"
#include "store.h"
#include "util.h"

#define EXIT_USAGE 2

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

static const struct {
	const char *key, *title, *caption;
} sections[] = {
    {"received", "Received", "Cases received in the period, by kind"},
    {"stage1", "Stage 1", "Stage 1 complaints: volumes, outcomes and timeliness"},
    {"stage2", "Stage 2", "Stage 2 complaints: escalations, outcomes and timeliness"},
    {"areas", "Complaints by service area",
     "Complaints received in the period, by the service area the rules found"},
    {"improvements", "Service improvements by area", "Service improvements recorded, by area"},
    {"signposting", "Signposting to the Ombudsman",
     "Mails sent with the Ombudsman's details, by kind"},
    {"delivery", "Delivery", "Mail to complainants that could not be delivered"},
    {"routes", "Other processes by route",
     "Contacts handled under another process (not the complaints procedure)"},
};

/* ---- period and options */

int
report_parse_period(const char *from, const char *to, struct cal_date *ret_from,
                    struct cal_date *ret_to, char **ret_error)
{
	if (from == NULL || to == NULL) {
		*ret_error = xstrdup("both --from and --to are required (YYYY-MM-DD)");
		return -EINVAL;
	}
	if (cal_date_parse(from, ret_from) < 0) {
		*ret_error = xasprintf("--from \"%s\" is not a date (YYYY-MM-DD)", from);
		return -EINVAL;
	}
	if (cal_date_parse(to, ret_to) < 0) {
		*ret_error = xasprintf("--to \"%s\" is not a date (YYYY-MM-DD)", to);
		return -EINVAL;
	}
	if (cal_date_compare(*ret_from, *ret_to) > 0) {
		*ret_error = xasprintf("--from %s is after --to %s", from, to);
		return -EINVAL;
	}
	return 0;
}

int
report_format_from_string(const char *s, enum report_format *ret)
{
	static const char *const names[] = {"text", "csv", "json", "html"};

	for (size_t i = 0; i < ELEMENTSOF(names); i++)
		if (streq(s, names[i])) {
			*ret = (enum report_format)i;
			return 0;
		}
	return -EINVAL;
}

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
static bool
local_date(time_t t, struct cal_date *ret)
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

	return local_date(t, &d) && in_period(p, d);
}

/* Was the instant t on or before the date due (YYYY-MM-DD)?  False when due is unset. */
static bool
on_time(time_t t, const char *due)
{
	struct cal_date d, dd;

	return local_date(t, &d) && cal_date_parse(due, &dd) == 0 && cal_date_compare(d, dd) <= 0;
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
		    local_date(v->resp, &end)) {
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
	struct name_count *routes = NULL, *areas = NULL, *c_areas = NULL;
	size_t n_c_areas = 0;
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
			if (complaint)
				tally(&c_areas, &n_c_areas, isempty(c->area) ? "unspecified" : c->area);
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

		if (!local_date(e->at, &ed) || !in_period(p, ed))
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

	free(s1.extended);
	free(s2.extended);
	free(faf);
	*ret = r;
	return 0;
}

int
report_compute(struct store *s, const struct calendar *cal, const struct report_params *p,
               struct report *ret, char **ret_error)
{
	struct report_data d = {0};
	char from[CAL_DATE_STRLEN], to[CAL_DATE_STRLEN];
	/* a day either side covers every timezone's local dates */
	time_t lo = (time_t)cal_date_to_days(p->from) * 86400 - 86400;
	time_t hi = (time_t)cal_date_to_days(p->to) * 86400 + 2 * 86400;
	int r;

	if (cal_date_format(p->from, from) < 0 || cal_date_format(p->to, to) < 0) {
		*ret_error = xstrdup("the period is outside the calendar's range");
		return -EINVAL;
	}
	r = store_report_load(s, from, to, lo, hi, &d, ret_error);
	if (r < 0)
		return r;
	r = report_build(&d, cal, p, ret);
	report_data_done(&d);
	return r;
}

void
report_done(struct report *r)
{
	for (size_t i = 0; i < r->n_figures; i++) {
		free(r->figures[i].section);
		free(r->figures[i].measure);
		free(r->figures[i].label);
	}
	for (size_t i = 0; i < r->n_improvements; i++) {
		free(r->improvements[i].date);
		free(r->improvements[i].ref);
		free(r->improvements[i].area);
		free(r->improvements[i].text);
	}
	free(r->figures);
	free(r->improvements);
	*r = (struct report){0};
}

const struct report_figure *
report_find(const struct report *r, const char *section, const char *measure)
{
	for (size_t i = 0; i < r->n_figures; i++)
		if (streq(r->figures[i].section, section) && streq(r->figures[i].measure, measure))
			return &r->figures[i];
	return NULL;
}

/* ---- rendering helpers */

static bool
has_value(const struct report_figure *f)
{
	return f->type == REPORT_COUNT || f->den > 0;
}

static double
value_of(const struct report_figure *f)
{
	if (f->type == REPORT_COUNT)
		return (double)f->num;
	if (f->den <= 0)
		return 0.0;
	return (f->type == REPORT_PERCENT ? 100.0 : 1.0) * (double)f->num / (double)f->den;
}

/* The value as a bare number: "12", "75.0", or "" when there is none. */
static void
put_value(struct buf *out, const struct report_figure *f)
{
	if (f->type == REPORT_COUNT)
		buf_printf(out, "%lld", (long long)f->num);
	else if (f->den > 0)
		buf_printf(out, "%.1f", value_of(f));
}

/* The value for people: "12", "75.0% (3 of 4)", "8.5 (over 4)", "n/a". */
static void
put_value_long(struct buf *out, const struct report_figure *f)
{
	if (!has_value(f))
		buf_puts(out, "n/a");
	else if (f->type == REPORT_PERCENT)
		buf_printf(out, "%.1f%% (%lld of %lld)", value_of(f), (long long)f->num,
		           (long long)f->den);
	else if (f->type == REPORT_AVERAGE)
		buf_printf(out, "%.1f (over %lld)", value_of(f), (long long)f->den);
	else
		put_value(out, f);
}

static char *
period_long(const struct report_params *p)
{
	_cleanup_free_ char *a = cal_date_format_long(p->from), *b = cal_date_format_long(p->to);

	return xasprintf("%s to %s", a, b);
}

static const char *
council_name(const struct report *r)
{
	return isempty(r->p.council) ? "The council" : r->p.council;
}

static const char *const notes[] = {
    "Received figures count cases by their effective date received (mail after working hours "
    "counts from the next working day).",
    "Responses, acknowledgements, escalations, extensions and missed deadlines count by the "
    "date they happened, in the council's timezone.",
    "Within timescale means on or before the due date, including any extension agreed.",
    "Working days exclude weekends and bank holidays; they are counted from the day the "
    "complaint was acknowledged to the day of the response.",
    "Outcomes are those of the complaints received (stage 1) or escalated (stage 2) in the "
    "period; \"none recorded yet\" means no outcome was recorded.",
    "First and final responses stay in the stage 1 figures. Signposting counts mails sent "
    "that carry the Ombudsman's details.",
};

/* ---- text */

static void
render_text(const struct report *r, struct buf *out)
{
	_cleanup_free_ char *period = period_long(&r->p);
	const char *cur = NULL;

	buf_printf(out, "Complaints performance and service improvement report\n%s\n%s\n",
	           council_name(r), period);
	for (size_t i = 0; i < r->n_figures; i++) {
		const struct report_figure *f = &r->figures[i];
		_cleanup_buf_ struct buf v = BUF_INIT;

		if (cur == NULL || !streq(cur, f->section)) {
			const char *title = f->section;

			for (size_t k = 0; k < ELEMENTSOF(sections); k++)
				if (streq(sections[k].key, f->section))
					title = sections[k].title;
			buf_printf(out, "\n%s\n", title);
			for (size_t k = strlen(title); k > 0; k--)
				buf_putc(out, '-');
			buf_putc(out, '\n');
			cur = f->section;
		}
		put_value_long(&v, f);
		buf_printf(out, "  %-56s %s\n", f->label, buf_str(&v));
	}
	if (r->n_improvements > 0) {
		buf_puts(out, "\nService improvements\n--------------------\n");
		for (size_t i = 0; i < r->n_improvements; i++) {
			const struct report_improvement *im = &r->improvements[i];

			buf_printf(out, "  %s  %s  %s: %s\n", im->date, im->ref, im->area,
			           im->text);
		}
	}
	buf_puts(out, "\nNotes\n-----\n");
	for (size_t i = 0; i < ELEMENTSOF(notes); i++)
		buf_printf(out, "  %zu. %s\n", i + 1, notes[i]);
}

/* ---- csv */

static void
csv_field(struct buf *out, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		buf_puts(out, s);
		return;
	}
	buf_putc(out, '"');
	for (; *s; s++) {
		if (*s == '"')
			buf_putc(out, '"');
		buf_putc(out, *s);
	}
	buf_putc(out, '"');
}

static void
render_csv(const struct report *r, struct buf *out)
{
	buf_puts(out, "section,measure,value\r\n");
	for (size_t i = 0; i < r->n_figures; i++) {
		csv_field(out, r->figures[i].section);
		buf_putc(out, ',');
		csv_field(out, r->figures[i].measure);
		buf_putc(out, ',');
		put_value(out, &r->figures[i]);
		buf_puts(out, "\r\n");
	}
}

/* ---- json */

static void
render_json(const struct report *r, struct buf *out)
{
	char from[CAL_DATE_STRLEN], to[CAL_DATE_STRLEN];
	const char *cur = NULL;

	if (cal_date_format(r->p.from, from) < 0 || cal_date_format(r->p.to, to) < 0)
		from[0] = to[0] = '\0';
	buf_puts(out, "{\n  \"council\": ");
	json_escape(out, council_name(r));
	buf_printf(out, ",\n  \"from\": \"%s\",\n  \"to\": \"%s\",\n  \"figures\": {", from, to);
	for (size_t i = 0; i < r->n_figures; i++) {
		const struct report_figure *f = &r->figures[i];

		if (cur == NULL || !streq(cur, f->section)) {
			buf_puts(out, cur == NULL ? "\n    " : "\n    },\n    ");
			json_escape(out, f->section);
			buf_puts(out, ": {");
			cur = f->section;
		} else
			buf_putc(out, ',');
		buf_puts(out, "\n      ");
		json_escape(out, f->measure);
		buf_puts(out, ": ");
		if (has_value(f))
			put_value(out, f);
		else
			buf_puts(out, "null");
	}
	buf_puts(out, cur == NULL ? "},\n" : "\n    }\n  },\n");
	buf_puts(out, "  \"improvements\": [");
	for (size_t i = 0; i < r->n_improvements; i++) {
		const struct report_improvement *im = &r->improvements[i];

		buf_puts(out, i == 0 ? "\n    {\"area\": " : ",\n    {\"area\": ");
		json_escape(out, im->area);
		buf_puts(out, ", \"date\": ");
		json_escape(out, im->date);
		buf_puts(out, ", \"ref\": ");
		json_escape(out, im->ref);
		buf_puts(out, ", \"text\": ");
		json_escape(out, im->text);
		buf_putc(out, '}');
	}
	buf_puts(out, r->n_improvements > 0 ? "\n  ]\n}\n" : "]\n}\n");
}

/* ---- html */

static void
html_escape(struct buf *out, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '&':
			buf_puts(out, "&amp;");
			break;
		case '<':
			buf_puts(out, "&lt;");
			break;
		case '>':
			buf_puts(out, "&gt;");
			break;
		case '"':
			buf_puts(out, "&quot;");
			break;
		case '\'':
			buf_puts(out, "&#39;");
			break;
		default:
			buf_putc(out, *s);
		}
}

static const char html_style[] =
    "body{font-family:\"Segoe UI\",Arial,Helvetica,sans-serif;color:#1b1b1b;background:#fff;"
    "margin:0;line-height:1.45}\n"
    "main{max-width:60rem;margin:0 auto;padding:1.5rem 2rem 3rem}\n"
    "header{border-bottom:4px solid #1d4f91;margin-bottom:1.5rem;padding-bottom:.75rem}\n"
    "h1{font-size:1.7rem;margin:.2rem 0;color:#1d4f91}\n"
    "h2{font-size:1.3rem;margin:2rem 0 .6rem;border-bottom:1px solid #c8d3e1;"
    "padding-bottom:.2rem}\n"
    ".council{font-size:1.1rem;font-weight:600;margin:0}\n"
    ".period{margin:.2rem 0 0;color:#444}\n"
    ".cards{display:flex;flex-wrap:wrap;gap:.8rem;margin:0;padding:0;list-style:none}\n"
    ".cards li{flex:1 1 8rem;border:1px solid #c8d3e1;border-radius:6px;padding:.7rem .9rem;"
    "background:#f4f7fb}\n"
    ".cards .n{display:block;font-size:1.8rem;font-weight:700;color:#1d4f91}\n"
    "table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}\n"
    "caption{text-align:left;font-weight:600;padding:.3rem 0;color:#333}\n"
    "th,td{border-bottom:1px solid #dde3ea;padding:.35rem .5rem;text-align:left;"
    "vertical-align:top}\n"
    "td.v,th.v{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}\n"
    "tbody th{font-weight:normal}\n"
    "thead th{background:#eef2f7}\n"
    "figure{margin:1rem 0}\n"
    "figcaption{font-weight:600;margin-bottom:.3rem}\n"
    "svg{max-width:100%;height:auto}\n"
    ".notes{font-size:.9rem;color:#333;border-top:1px solid #c8d3e1;margin-top:2rem}\n"
    "@media print{main{max-width:none;padding:0}section,figure,table{break-inside:avoid}"
    ".cards li{background:none}}\n";

struct bar {
	const char *label; /* "" to continue the previous label's group */
	double value, max;
	const char *text; /* shown after the bar */
	int series;       /* colour */
};

static const char *const series_colour[] = {"#1d4f91", "#d9822b", "#2e7d32", "#c8d3e1"};

/* A horizontal bar chart with a title and a text description for screen readers. */
static void
svg_bars(struct buf *out, const char *id, const char *title, const char *desc,
         const struct bar *bars, size_t n, const char *const *legend, size_t n_legend)
{
	const int width = 800, label_w = 230, bar_w = 400, row_h = 26; /* 170 for the text after a bar */
	int top = n_legend > 0 ? 34 : 8;
	int height = top + (int)n * row_h + 10;

	buf_printf(out,
	           "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"%d\" "
	           "height=\"%d\" viewBox=\"0 0 %d %d\" aria-labelledby=\"%s-t %s-d\">\n",
	           width, height, width, height, id, id);
	buf_printf(out, "<title id=\"%s-t\">", id);
	html_escape(out, title);
	buf_printf(out, "</title>\n<desc id=\"%s-d\">", id);
	html_escape(out, desc);
	buf_puts(out, "</desc>\n");
	for (size_t i = 0; i < n_legend; i++) {
		int x = label_w + (int)i * 150;

		buf_printf(out,
		           "<rect x=\"%d\" y=\"8\" width=\"14\" height=\"14\" fill=\"%s\"></rect>"
		           "<text x=\"%d\" y=\"20\" font-size=\"13\">",
		           x, series_colour[i % ELEMENTSOF(series_colour)], x + 20);
		html_escape(out, legend[i]);
		buf_puts(out, "</text>\n");
	}
	for (size_t i = 0; i < n; i++) {
		const struct bar *b = &bars[i];
		int y = top + (int)i * row_h;
		int w = b->max > 0 ? (int)(b->value / b->max * bar_w + 0.5) : 0;

		if (w < 0)
			w = 0;
		if (w > bar_w)
			w = bar_w;
		if (!isempty(b->label)) {
			buf_printf(out,
			           "<text x=\"%d\" y=\"%d\" font-size=\"13\" text-anchor=\"end\">",
			           label_w - 10, y + 16);
			html_escape(out, b->label);
			buf_puts(out, "</text>\n");
		}
		buf_printf(
		    out,
		    "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"18\" fill=\"#eef2f7\"></rect>"
		    "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"18\" fill=\"%s\"></rect>"
		    "<text x=\"%d\" y=\"%d\" font-size=\"13\">",
		    label_w, y + 3, bar_w, label_w, y + 3, w,
		    series_colour[b->series % (int)ELEMENTSOF(series_colour)], label_w + bar_w + 8,
		    y + 16);
		html_escape(out, b->text);
		buf_puts(out, "</text>\n");
	}
	buf_puts(out, "</svg>\n");
}

static void
html_table(struct buf *out, const struct report *r, const char *section, const char *caption)
{
	bool any = false;

	for (size_t i = 0; i < r->n_figures; i++) {
		const struct report_figure *f = &r->figures[i];
		_cleanup_buf_ struct buf v = BUF_INIT;

		if (!streq(f->section, section))
			continue;
		if (!any) {
			buf_puts(out, "<table>\n<caption>");
			html_escape(out, caption);
			buf_puts(
			    out,
			    "</caption>\n<thead><tr><th scope=\"col\">Measure</th>"
			    "<th scope=\"col\" class=\"v\">Value</th></tr></thead>\n<tbody>\n");
			any = true;
		}
		put_value_long(&v, f);
		buf_puts(out, "<tr><th scope=\"row\">");
		html_escape(out, f->label);
		buf_puts(out, "</th><td class=\"v\">");
		html_escape(out, buf_str(&v));
		buf_puts(out, "</td></tr>\n");
	}
	if (any)
		buf_puts(out, "</tbody>\n</table>\n");
	else {
		buf_puts(out, "<p>None in this period.</p>\n");
	}
}

static int64_t
fig_num(const struct report *r, const char *section, const char *measure)
{
	const struct report_figure *f = report_find(r, section, measure);

	return f ? f->num : 0;
}

static void
html_outcome_chart(struct buf *out, const struct report *r)
{
	static const char *const legend[] = {"Stage 1", "Stage 2"};
	static const char *const keys[] = {"outcome_upheld",     "outcome_partly_upheld",
	                                   "outcome_not_upheld", "outcome_resolved",
	                                   "outcome_withdrawn",  "outcome_none"};
	static const char *const labels[] = {"Upheld",   "Partly upheld", "Not upheld",
	                                     "Resolved", "Withdrawn",     "None recorded yet"};
	struct bar bars[2 * ELEMENTSOF(keys)];
	char text[2 * ELEMENTSOF(keys)][24];
	_cleanup_buf_ struct buf desc = BUF_INIT;
	double max = 0;

	for (size_t i = 0; i < ELEMENTSOF(keys); i++)
		for (int s = 0; s < 2; s++) {
			int64_t v = fig_num(r, s == 0 ? "stage1" : "stage2", keys[i]);

			if ((double)v > max)
				max = (double)v;
		}
	buf_puts(&desc, "Outcomes:");
	for (size_t i = 0; i < ELEMENTSOF(keys); i++)
		for (int s = 0; s < 2; s++) {
			size_t k = 2 * i + (size_t)s;
			int64_t v = fig_num(r, s == 0 ? "stage1" : "stage2", keys[i]);

			if (snprintf(text[k], sizeof(text[k]), "%lld", (long long)v) >=
			    (int)sizeof(text[k]))
				text[k][0] = '\0';
			bars[k] = (struct bar){s == 0 ? labels[i] : "", (double)v, max, text[k], s};
			buf_printf(&desc, " %s stage %d: %lld%s", labels[i], s + 1, (long long)v,
			           k + 1 < ELEMENTSOF(bars) ? ";" : ".");
		}
	buf_puts(out, "<figure>\n<figcaption>Outcomes by stage</figcaption>\n");
	svg_bars(out, "chart-outcomes", "Outcomes of complaints by stage", buf_str(&desc), bars,
	         ELEMENTSOF(bars), legend, 2);
	buf_puts(out, "</figure>\n");
}

static void
html_timescale_chart(struct buf *out, const struct report *r)
{
	static const struct {
		const char *section, *measure, *label;
	} rows[] = {
	    {"stage1", "acknowledged_in_time_pct", "Stage 1 acknowledged"},
	    {"stage1", "responded_in_time_pct", "Stage 1 responded"},
	    {"stage2", "acknowledged_in_time_pct", "Stage 2 acknowledged"},
	    {"stage2", "responded_in_time_pct", "Stage 2 responded"},
	};
	static const char *const legend[] = {"Stage 1", "Stage 2"};
	struct bar bars[ELEMENTSOF(rows)];
	char text[ELEMENTSOF(rows)][48];
	_cleanup_buf_ struct buf desc = BUF_INIT;

	buf_puts(&desc, "Share within timescale:");
	for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
		const struct report_figure *f = report_find(r, rows[i].section, rows[i].measure);
		int n;

		if (f != NULL && has_value(f))
			n = snprintf(text[i], sizeof(text[i]), "%.1f%% (%lld of %lld)", value_of(f),
			             (long long)f->num, (long long)f->den);
		else
			n = snprintf(text[i], sizeof(text[i]), "n/a (none in period)");
		if (n < 0 || n >= (int)sizeof(text[i]))
			text[i][0] = '\0';
		bars[i] =
		    (struct bar){rows[i].label, f ? value_of(f) : 0, 100.0, text[i], i < 2 ? 0 : 1};
		buf_printf(&desc, " %s within timescale: %s%s", rows[i].label, text[i],
		           i + 1 < ELEMENTSOF(rows) ? ";" : ".");
	}
	buf_puts(out, "<figure>\n<figcaption>Within timescale (0 to 100%)</figcaption>\n");
	svg_bars(out, "chart-timescale", "Share of acknowledgements and responses within timescale",
	         buf_str(&desc), bars, ELEMENTSOF(rows), legend, 2);
	buf_puts(out, "</figure>\n");
}

static void
html_improvement_chart(struct buf *out, const struct report *r)
{
	struct bar *bars = NULL;
	char **texts = NULL;
	size_t n = 0;
	double max = 0;
	_cleanup_buf_ struct buf desc = BUF_INIT;

	for (size_t i = 0; i < r->n_figures; i++) {
		const struct report_figure *f = &r->figures[i];

		if (streq(f->section, "improvements") && !streq(f->measure, "total") &&
		    (double)f->num > max)
			max = (double)f->num;
	}
	buf_puts(&desc, "Service improvements by area:");
	for (size_t i = 0; i < r->n_figures; i++) {
		const struct report_figure *f = &r->figures[i];

		if (!streq(f->section, "improvements") || streq(f->measure, "total"))
			continue;
		bars = xreallocarray(bars, n + 1, sizeof(*bars));
		texts = xreallocarray(texts, n + 1, sizeof(*texts));
		texts[n] = xasprintf("%lld", (long long)f->num);
		bars[n] = (struct bar){f->label, (double)f->num, max, texts[n], 2};
		buf_printf(&desc, " %s: %lld;", f->label, (long long)f->num);
		n++;
	}
	if (n > 0) {
		buf_puts(out, "<figure>\n<figcaption>Service improvements by area</figcaption>\n");
		svg_bars(out, "chart-improvements", "Service improvements by area", buf_str(&desc),
		         bars, n, NULL, 0);
		buf_puts(out, "</figure>\n");
	}
	for (size_t i = 0; i < n; i++)
		free(texts[i]);
	free(texts);
	free(bars);
}

static void
html_card(struct buf *out, const struct report *r, const char *section, const char *measure,
          const char *what)
{
	const struct report_figure *f = report_find(r, section, measure);
	_cleanup_buf_ struct buf v = BUF_INIT;

	if (f == NULL)
		return;
	if (!has_value(f))
		buf_puts(&v, "n/a");
	else if (f->type == REPORT_PERCENT)
		buf_printf(&v, "%.1f%%", value_of(f));
	else
		put_value(&v, f);
	buf_puts(out, "<li><span class=\"n\">");
	html_escape(out, buf_str(&v));
	buf_puts(out, "</span>");
	html_escape(out, what);
	buf_puts(out, "</li>\n");
}

static void
render_html(const struct report *r, struct buf *out)
{
	_cleanup_free_ char *period = period_long(&r->p);

	buf_puts(out, "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n"
	              "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	              "<title>");
	html_escape(out, council_name(r));
	buf_puts(out, ": complaints performance and service improvement report, ");
	html_escape(out, period);
	buf_printf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n<header>\n",
	           html_style);
	buf_puts(out, "<p class=\"council\">");
	html_escape(out, council_name(r));
	buf_puts(out, "</p>\n<h1>Complaints performance and service improvement report</h1>\n"
	              "<p class=\"period\">");
	html_escape(out, period);
	buf_puts(out, "</p>\n</header>\n");

	buf_puts(out, "<section aria-labelledby=\"h-summary\">\n<h2 id=\"h-summary\">Summary</h2>\n"
	              "<ul class=\"cards\">\n");
	html_card(out, r, "stage1", "received", "complaints received at stage 1");
	html_card(out, r, "stage1", "responded_in_time_pct", "stage 1 responses within timescale");
	html_card(out, r, "stage2", "escalated", "escalated to stage 2");
	html_card(out, r, "stage2", "responded_in_time_pct", "stage 2 responses within timescale");
	html_card(out, r, "improvements", "total", "service improvements");
	buf_puts(out, "</ul>\n</section>\n");

	buf_puts(out,
	         "<section aria-labelledby=\"h-charts\">\n<h2 id=\"h-charts\">At a glance</h2>\n");
	html_outcome_chart(out, r);
	html_timescale_chart(out, r);
	html_improvement_chart(out, r);
	buf_puts(out, "</section>\n");

	for (size_t k = 0; k < ELEMENTSOF(sections); k++) {
		buf_printf(out, "<section aria-labelledby=\"h-%s\">\n<h2 id=\"h-%s\">",
		           sections[k].key, sections[k].key);
		html_escape(out, sections[k].title);
		buf_puts(out, "</h2>\n");
		html_table(out, r, sections[k].key, sections[k].caption);
		if (streq(sections[k].key, "improvements") && r->n_improvements > 0) {
			buf_puts(out,
			         "<table>\n<caption>Service improvements recorded</caption>\n"
			         "<thead><tr><th scope=\"col\">Area</th><th scope=\"col\">Date</th>"
			         "<th scope=\"col\">Case</th><th scope=\"col\">Improvement</th>"
			         "</tr></thead>\n<tbody>\n");
			for (size_t i = 0; i < r->n_improvements; i++) {
				const struct report_improvement *im = &r->improvements[i];

				buf_puts(out, "<tr><td>");
				html_escape(out, im->area);
				buf_puts(out, "</td><td>");
				html_escape(out, im->date);
				buf_puts(out, "</td><td>");
				html_escape(out, im->ref);
				buf_puts(out, "</td><td>");
				html_escape(out, im->text);
				buf_puts(out, "</td></tr>\n");
			}
			buf_puts(out, "</tbody>\n</table>\n");
		}
		buf_puts(out, "</section>\n");
	}

	buf_puts(out, "<section class=\"notes\" aria-labelledby=\"h-notes\">\n"
	              "<h2 id=\"h-notes\">How the figures are computed</h2>\n<ol>\n");
	for (size_t i = 0; i < ELEMENTSOF(notes); i++) {
		buf_puts(out, "<li>");
		html_escape(out, notes[i]);
		buf_puts(out, "</li>\n");
	}
	buf_puts(out, "</ol>\n<p>Complainants who remain dissatisfied can contact the ");
	html_escape(out, isempty(r->p.lgsco_name) ? "Local Government and Social Care Ombudsman"
	                                          : r->p.lgsco_name);
	if (!isempty(r->p.lgsco_url)) {
		buf_puts(out, " (");
		html_escape(out, r->p.lgsco_url);
		buf_puts(out, ")");
	}
	buf_puts(out, " or, for housing complaints, the ");
	html_escape(out,
	            isempty(r->p.housing_name) ? "Housing Ombudsman Service" : r->p.housing_name);
	if (!isempty(r->p.housing_url)) {
		buf_puts(out, " (");
		html_escape(out, r->p.housing_url);
		buf_puts(out, ")");
	}
	buf_puts(out, ".</p>\n");
	if (!isempty(r->p.generated)) {
		buf_puts(out, "<p>Produced on ");
		html_escape(out, r->p.generated);
		buf_puts(out, " from the complaints register.</p>\n");
	}
	buf_puts(out, "</section>\n</main>\n</body>\n</html>\n");
}

int
report_render(const struct report *r, enum report_format f, struct buf *out)
{
	switch (f) {
	case REPORT_TEXT:
		render_text(r, out);
		break;
	case REPORT_CSV:
		render_csv(r, out);
		break;
	case REPORT_JSON:
		render_json(r, out);
		break;
	case REPORT_HTML:
		render_html(r, out);
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

/* ---- complaintsctl report */

/* Write data to path through a temporary file and rename. */
static int
write_output(const char *path, const char *data, size_t len)
{
	_cleanup_free_ char *tmp = xasprintf("%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	int r = 0;

	if (f == NULL)
		return -errno;
	if (fwrite(data, 1, len, f) != len)
		r = -EIO;
	if (fclose(f) != 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}

int
report_main(struct context *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"from", required_argument, NULL, 'f'},   {"to", required_argument, NULL, 't'},
	    {"format", required_argument, NULL, 'F'}, {"output", required_argument, NULL, 'o'},
	    {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
	};
	const char *from = NULL, *to = NULL, *output = NULL;
	enum report_format fmt = REPORT_TEXT;
	_cleanup_free_ char *error = NULL;
	_cleanup_buf_ struct buf out = BUF_INIT;
	struct report_params p = {0};
	struct report rep = {0};
	char today[CAL_DATE_STRLEN];
	struct cal_date td;
	int c, r;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1)
		switch (c) {
		case 'f':
			from = optarg;
			break;
		case 't':
			to = optarg;
			break;
		case 'F':
			if (report_format_from_string(optarg, &fmt) < 0) {
				fprintf(stderr,
				        "complaintsctl report: unknown format \"%s\" "
				        "(text, csv, json or html)\n",
				        optarg);
				return EXIT_USAGE;
			}
			break;
		case 'o':
			output = optarg;
			break;
		case 'h':
			printf("Usage: complaintsctl report --from YYYY-MM-DD --to YYYY-MM-DD "
			       "[--format text|csv|json|html] [--output FILE]\n");
			return EXIT_SUCCESS;
		default:
			fprintf(stderr,
			        "complaintsctl report: unknown or incomplete option \"%s\"\n",
			        argv[optind - 1]);
			return EXIT_USAGE;
		}
	if (optind < argc) {
		fprintf(stderr, "complaintsctl report: unexpected argument \"%s\"\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (report_parse_period(from, to, &p.from, &p.to, &error) < 0) {
		fprintf(stderr, "complaintsctl report: %s\n", error);
		return EXIT_USAGE;
	}
	p.council = ctx->cfg->council_name;
	p.stage1_ack_days = ctx->cfg->ts.stage1_ack_days;
	p.lgsco_name = ctx->cfg->lgsco.name;
	p.lgsco_url = ctx->cfg->lgsco.url;
	p.housing_name = ctx->cfg->housing.name;
	p.housing_url = ctx->cfg->housing.url;
	if (local_date(time(NULL), &td) && cal_date_format(td, today) == 0)
		p.generated = today;

	r = report_compute(ctx->store, ctx->cal, &p, &rep, &error);
	if (r < 0) {
		fprintf(stderr, "complaintsctl report: %s\n", error ? error : strerror(-r));
		return EXIT_FAILURE;
	}
	r = report_render(&rep, fmt, &out);
	report_done(&rep);
	if (r < 0) {
		fprintf(stderr, "complaintsctl report: cannot render: %s\n", strerror(-r));
		return EXIT_FAILURE;
	}
	if (output != NULL) {
		r = write_output(output, buf_str(&out), out.len);
		if (r < 0) {
			fprintf(stderr, "complaintsctl report: cannot write %s: %s\n", output,
			        strerror(-r));
			return EXIT_FAILURE;
		}
		return EXIT_SUCCESS;
	}
	if (fwrite(buf_str(&out), 1, out.len, stdout) != out.len || fflush(stdout) != 0) {
		fprintf(stderr, "complaintsctl report: cannot write the report\n");
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
