/*
 * report_steps.c - timeliness as a scrutiny committee reads it: every
 * acknowledgement and response that was due in the period counts, done or
 * not.
 *
 * A step (one stage's acknowledgement or response of one case) is due on a
 * date.  A response's date moves with an extension only when the extension
 * was granted on or before the date then in force ("extended" events say when
 * and to which date); an extension granted after the date had passed leaves
 * it where it was.  A response whose stage was never acknowledged is due as
 * if acknowledged on the last day allowed.  The report looks at each step as
 * it stood at the cutoff: the end of the period, or today if earlier.
 *
 *   done on or before the date              in time
 *   done after the date                     late
 *   not done, the stage ended (escalation,  not counted when it ended on or
 *     exclusion, closing) without it        before the date, late after it
 *   not done, the date passed at the cutoff late, and still outstanding
 *   not done, the date not yet passed       not counted (still in time)
 *
 * A date on the cutoff day has passed when the report is run after that day.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_impl.h"
#include "util.h"

struct cal_date
report_cutoff(const struct report_params *p)
{
	if (cal_date_valid(p->today) && cal_date_compare(p->today, p->to) < 0)
		return p->today;
	return p->to;
}

/* Had the date due passed at the cutoff?  A date on the cutoff day itself has
 * passed only when that day is over (a report run after the period's end). */
static bool
date_passed(const struct report_params *p, struct cal_date due)
{
	struct cal_date cutoff = report_cutoff(p);
	int c = cal_date_compare(due, cutoff);

	return c < 0 ||
	       (c == 0 && (!cal_date_valid(p->today) || cal_date_compare(p->today, cutoff) > 0));
}

void
report_refs_add(struct report_refs *r, const char *ref)
{
	for (size_t i = 0; i < r->n; i++)
		if (streq(r->v[i], ref))
			return;
	r->v = xreallocarray(r->v, r->n + 1, sizeof(*r->v));
	r->v[r->n++] = xstrdup(ref);
}

void
report_refs_done(struct report_refs *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i]);
	free(r->v);
	*r = (struct report_refs){0};
}

static int
cmp_event_by_case(const void *a, const void *b)
{
	const struct report_event *x = *(const struct report_event *const *)a,
	                          *y = *(const struct report_event *const *)b;

	if (x->case_id != y->case_id)
		return x->case_id < y->case_id ? -1 : 1;
	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return x < y ? -1 : x > y; /* the store's order */
}

void
report_index_events(const struct report_data *d, struct report_event_index *ret)
{
	ret->v = xcalloc(d->n_events ? d->n_events : 1, sizeof(*ret->v));
	for (size_t i = 0; i < d->n_events; i++)
		ret->v[i] = &d->events[i];
	ret->n = d->n_events;
	if (ret->n > 0)
		qsort(ret->v, ret->n, sizeof(*ret->v), cmp_event_by_case);
}

const struct report_event *const *
report_case_events(const struct report_event_index *x, int64_t case_id, size_t *ret_n)
{
	size_t lo = 0, hi = x->n, end;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (x->v[mid]->case_id < case_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < x->n && x->v[end]->case_id == case_id; end++)
		;
	*ret_n = end - lo;
	return (const struct report_event *const *)x->v + lo;
}

/* The date in force for a response after the extensions granted in time. */
static struct cal_date
effective_due(const struct report_step *s, struct cal_date due, struct cal_date cutoff,
              bool *ret_too_late)
{
	*ret_too_late = false;
	for (size_t i = 0; i < s->n_events; i++) {
		const struct report_event *e = s->events[i];
		struct cal_date granted, to;
		char date[CAL_DATE_STRLEN];
		int stage, days;

		if (!streq(e->type, "extended") ||
		    sscanf(e->detail, "stage %d extended by %d working days to %10[0-9-]", &stage,
		           &days, date) != 3 ||
		    stage != s->stage || cal_date_parse(date, &to) < 0 ||
		    !report_local_date(e->at, &granted) || cal_date_compare(granted, cutoff) > 0)
			continue;
		if (cal_date_compare(granted, due) <= 0)
			due = to;
		else
			*ret_too_late = true;
	}
	return due;
}

bool
report_step_judge(const struct report_params *p, const struct calendar *cal,
                  const struct report_step *s, struct report_step_verdict *ret)
{
	struct cal_date cutoff = report_cutoff(p), done, ended;
	bool is_done, is_ended, too_late = false;

	*ret = (struct report_step_verdict){0};
	if (!s->has_due)
		return false;
	ret->due = s->response ? effective_due(s, s->due, cutoff, &too_late) : s->due;
	ret->ext_too_late = too_late;
	/* the step as it stood at the cutoff */
	is_done = report_local_date(s->done, &done) && cal_date_compare(done, cutoff) <= 0;
	is_ended =
	    !is_done && report_local_date(s->ended, &ended) && cal_date_compare(ended, cutoff) <= 0;
	if (is_done) {
		ret->days_late = calendar_working_days_between(cal, ret->due, done);
		ret->state = cal_date_compare(done, ret->due) <= 0 ? REPORT_STEP_IN_TIME
		                                                   : REPORT_STEP_LATE;
	} else if (is_ended) {
		ret->days_late = calendar_working_days_between(cal, ret->due, ended);
		ret->state = cal_date_compare(ended, ret->due) <= 0 ? REPORT_STEP_NOT_NEEDED
		                                                    : REPORT_STEP_ENDED_LATE;
	} else if (date_passed(p, ret->due)) {
		ret->days_late = calendar_working_days_between(cal, ret->due, cutoff);
		ret->state = REPORT_STEP_OUTSTANDING;
	} else
		ret->state = REPORT_STEP_NOT_DUE;
	if (ret->days_late < 0)
		ret->days_late = 0;
	return true;
}

void
report_step_account(const struct report_params *p, const struct calendar *cal,
                    const struct report_step *s, struct report_step_acc *a)
{
	struct cal_date cutoff = report_cutoff(p);
	struct report_step_verdict v;

	if (!report_step_judge(p, cal, s, &v))
		return;
	if (cal_date_compare(v.due, p->from) < 0 || cal_date_compare(v.due, p->to) > 0)
		return;
	if (v.state == REPORT_STEP_NOT_DUE || v.state == REPORT_STEP_NOT_NEEDED)
		return; /* the stage ended before the date, or the date has not passed yet */

	a->due++;
	if (s->response && v.ext_too_late) {
		a->ext_too_late++;
		report_refs_add(&a->ext_too_late_refs, s->ref);
	}
	if (v.state == REPORT_STEP_IN_TIME) {
		a->in_time++;
		return;
	}
	a->late++;
	report_refs_add(&a->late_refs, s->ref);
	if (v.state == REPORT_STEP_OUTSTANDING) {
		a->outstanding++;
		report_refs_add(&a->outstanding_refs, s->ref);
		if (v.days_late > a->oldest)
			a->oldest = v.days_late;
		if (s->response && cal_date_valid(s->start)) {
			long so_far = calendar_working_days_between(cal, s->start, cutoff);

			a->overdue_days_sum += so_far > 0 ? so_far : 0;
			a->overdue_n++;
		}
	}
}

void
report_step_acc_done(struct report_step_acc *a)
{
	report_refs_done(&a->late_refs);
	report_refs_done(&a->outstanding_refs);
	report_refs_done(&a->ext_too_late_refs);
	*a = (struct report_step_acc){0};
}
