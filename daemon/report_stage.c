/*
 * report_stage.c - the figures of one stage of the procedure: outcomes,
 * timeliness of acknowledgements and responses, averages, extensions and how
 * often complainants went further.
 *
 * Which dates and instants belong to which stage is decided in one place,
 * report_stage_view(): a case at stage 2 keeps its stage 1 in the s1_*
 * columns.  A different way of recording a stage (a first-and-final response
 * recorded at stage 2, say) changes that function only.  Timeliness itself is
 * report_steps.c.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_impl.h"
#include "util.h"

const char *const report_outcomes[] = {
    "upheld", "partly-upheld", "not-upheld", "resolved", "withdrawn",
};
static const char *const outcome_labels[] = {
    "Upheld", "Partly upheld", "Not upheld", "Resolved", "Withdrawn",
};

size_t
report_outcome_index(const char *o)
{
	if (isempty(o))
		return REPORT_OUTCOME_NONE;
	for (size_t i = 0; i < REPORT_N_OUTCOMES; i++)
		if (streq(o, report_outcomes[i]))
			return i;
	return REPORT_OUTCOME_OTHER;
}

bool
report_stage_view(const struct report_params *p, const struct calendar *cal,
                  const struct report_case *c, int stage, time_t case_end,
                  struct report_stage_view *v)
{
	bool escalated = c->stage == 2 && c->escalated_at > 0;
	struct cal_date rd;

	*v = (struct report_stage_view){.stage = stage, .ended = case_end};
	if (stage == 2 && !escalated)
		return false;
	if (stage == 1 && escalated) {
		/* stage 1 as it was; the live acknowledgement date is stage 2's now */
		if (cal_date_parse(c->received_date, &rd) < 0 ||
		    cal_date_format(calendar_add_working_days(cal, rd, p->stage1_ack_days),
		                    v->ack_due_buf) < 0)
			v->ack_due_buf[0] = '\0';
		v->ack = c->s1_acknowledged_at;
		v->resp = c->s1_responded_at;
		v->ack_due = v->ack_due_buf;
		v->resp_due = c->s1_response_due;
		v->outcome = c->s1_outcome;
		v->ext = c->s1_extension_days;
		if (v->ended == 0 || c->escalated_at < v->ended)
			v->ended = c->escalated_at;
		return true;
	}
	v->ack = c->acknowledged_at;
	v->resp = c->responded_at;
	v->ack_due = c->ack_due;
	v->resp_due = c->response_due;
	v->outcome = c->outcome;
	v->ext = c->extension_days;
	return true;
}

static bool
instant_in_period(const struct report_params *p, time_t t)
{
	struct cal_date d;

	return report_local_date(t, &d) && cal_date_compare(d, p->from) >= 0 &&
	       cal_date_compare(d, p->to) <= 0;
}

static bool
instant_by(time_t t, struct cal_date by)
{
	struct cal_date d;

	return report_local_date(t, &d) && cal_date_compare(d, by) <= 0;
}

void
report_stage_steps(const struct report_params *p, const struct calendar *cal,
                   const struct report_case *c, const struct report_stage_view *v,
                   const struct report_event *const *ev, size_t n_ev, struct report_step *ret_ack,
                   struct report_step *ret_resp)
{
	int resp_days = v->stage == 1 ? p->stage1_response_days : p->stage2_response_days;
	struct cal_date ack_due = {0}, resp_due;
	struct report_step ack = {.ref = c->ref,
	                          .stage = v->stage,
	                          .done = v->ack,
	                          .ended = v->ended,
	                          .events = ev,
	                          .n_events = n_ev};
	struct report_step resp = ack;

	ack.has_due = cal_date_parse(v->ack_due, &ack_due) == 0;
	ack.due = ack_due;

	resp.response = true;
	resp.done = v->resp;
	if (cal_date_parse(v->resp_due, &resp_due) == 0) {
		/* measured from the date before any extension; report_steps.c applies
		 * those granted in time */
		resp.due = calendar_add_working_days(cal, resp_due, -v->ext);
		resp.has_due = true;
	} else if (v->ack == 0 && ack.has_due) {
		/* never acknowledged: due as if acknowledged on the last day allowed */
		resp.due = calendar_add_working_days(cal, ack_due, resp_days);
		resp.has_due = true;
	}
	if (v->ack == 0 || calendar_received_date(cal, v->ack, &resp.start) < 0)
		resp.start = ack_due;
	*ret_ack = ack;
	*ret_resp = resp;
}

void
report_stage_account(const struct report_params *p, const struct calendar *cal,
                     const struct report_case *c, const struct report_stage_view *v,
                     const struct report_event *const *ev, size_t n_ev, struct report_stage_acc *a)
{
	struct cal_date cutoff = report_cutoff(p);
	struct report_step ack, resp;

	report_stage_steps(p, cal, c, v, ev, n_ev, &ack, &resp);
	report_step_account(p, cal, &ack, &a->ack);
	report_step_account(p, cal, &resp, &a->resp);

	if (instant_in_period(p, v->ack))
		a->acked++;
	if (!instant_in_period(p, v->resp))
		return;
	a->responded++;
	if (v->ack > 0) {
		struct cal_date start, end;

		if (calendar_received_date(cal, v->ack, &start) == 0 &&
		    report_local_date(v->resp, &end)) {
			long n = calendar_working_days_between(cal, start, end);

			a->days_sum += n > 0 ? n : 0;
			a->days_n++;
		}
	}
	/* went further: stage 1 to stage 2, stage 2 to the Ombudsman */
	if (v->stage == 1) {
		if (c->first_and_final)
			return;
		a->further_den++;
		if (c->escalated_at > 0 && instant_by(c->escalated_at, cutoff))
			a->further_num++;
		return;
	}
	a->further_den++;
	for (size_t i = 0; i < n_ev; i++)
		if (streq(ev[i]->type, "ombudsman_asked") && ev[i]->at >= v->resp &&
		    instant_by(ev[i]->at, cutoff)) {
			a->further_num++;
			break;
		}
}

void
report_stage_acc_done(struct report_stage_acc *a)
{
	report_step_acc_done(&a->ack);
	report_step_acc_done(&a->resp);
	free(a->extended);
	*a = (struct report_stage_acc){0};
}

static void
set_method(struct report_figure *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&f->method, fmt, ap) < 0)
		abort();
	va_end(ap);
}

static void
set_refs(struct report_figure *f, const struct report_refs *refs)
{
	f->has_refs = true;
	f->refs = xcalloc(refs->n ? refs->n : 1, sizeof(*f->refs));
	for (size_t i = 0; i < refs->n; i++)
		f->refs[i] = xstrdup(refs->v[i]);
	f->n_refs = refs->n;
}

/* The keys and labels of one step's figures. */
static const struct step_words {
	const char *step, *k_pct, *k_in, *k_late, *k_out, *k_old;
	const char *l_pct, *l_in, *l_late, *l_out, *l_old;
	const char *steps, *extension;
} step_words[2] = {
    {"acknowledgement", "acknowledged_in_time_pct", "acknowledged_in_time", "acknowledged_late",
     "acknowledgements_outstanding", "acknowledgement_oldest_days",
     "Share acknowledged within timescale", "Acknowledged within timescale",
     "Deadlines missed: acknowledgement", "Acknowledgements still outstanding past the date",
     "Oldest acknowledgement outstanding (working days late)", "acknowledgements", ""},
    {"response", "responded_in_time_pct", "responded_in_time", "responded_late",
     "responses_outstanding", "response_oldest_days", "Share responded within timescale",
     "Responded within timescale", "Deadlines missed: response",
     "Responses still outstanding past the date", "Oldest response outstanding (working days late)",
     "responses", " (an extension moves the date only if granted before it passed)"},
};

/* Share, in time, missed, outstanding and oldest for one step of a stage. */
static void
step_figures(struct report *r, const char *sec, const struct report_step_acc *a, bool response,
             const char *by)
{
	const struct step_words *w = &step_words[response];
	struct report_figure *f;

	f = report_add_figure(r, sec, w->k_pct, w->l_pct, REPORT_PERCENT, a->in_time, a->due);
	set_method(f,
	           "Every %s due in the period, sent or not; late when sent after the date or "
	           "not sent by %s%s.",
	           w->step, by, w->extension);
	f = report_add_figure(r, sec, w->k_in, w->l_in, REPORT_COUNT, a->in_time, 1);
	set_method(f, "Of the %lld %s due in the period, those sent on or before the date.",
	           (long long)a->due, w->steps);
	f = report_add_figure(r, sec, w->k_late, w->l_late, REPORT_COUNT, a->late, 1);
	set_method(f,
	           "Of the %lld due, sent late or not sent by %s; the JSON form lists the cases.",
	           (long long)a->due, by);
	set_refs(f, &a->late_refs);
	f = report_add_figure(r, sec, w->k_out, w->l_out, REPORT_COUNT, a->outstanding, 1);
	set_method(f, "Of the late ones, those still not sent on %s (the stage not ended).", by);
	set_refs(f, &a->outstanding_refs);
	f = report_add_figure(r, sec, w->k_old, w->l_old, REPORT_COUNT, a->oldest, 1);
	set_method(f, "Working days from the date due to %s; 0 when none is outstanding.", by);
}

void
report_stage_figures(struct report *r, const char *sec, int stage, const struct report_stage_acc *a)
{
	_cleanup_free_ char *by = cal_date_format_long(report_cutoff(&r->p));
	struct report_figure *f;
	char label[128];

	for (size_t i = 0; i < REPORT_N_OUTCOMES + 2; i++) {
		_cleanup_free_ char *key = NULL;

		if (i == REPORT_OUTCOME_OTHER && a->outcome[i] == 0)
			continue;
		key = xasprintf("outcome_%s", i == REPORT_OUTCOME_NONE    ? "none"
		                              : i == REPORT_OUTCOME_OTHER ? "other"
		                                                          : report_outcomes[i]);
		for (char *k = key; *k; k++)
			if (*k == '-')
				*k = '_';
		if (snprintf(label, sizeof(label), "Outcome: %s",
		             i == REPORT_OUTCOME_NONE    ? "none recorded yet"
		             : i == REPORT_OUTCOME_OTHER ? "other"
		                                         : outcome_labels[i]) >= (int)sizeof(label))
			label[0] = '\0';
		report_add_figure(r, sec, key, label, REPORT_COUNT, a->outcome[i], 1);
	}
	report_add_figure(r, sec, "acknowledged", "Acknowledgements sent in the period",
	                  REPORT_COUNT, a->acked, 1);
	step_figures(r, sec, &a->ack, false, by);
	report_add_figure(r, sec, "responded",
	                  stage == 1 ? "Stage 1 responses sent in the period"
	                             : "Stage 2 responses sent in the period",
	                  REPORT_COUNT, a->responded, 1);
	step_figures(r, sec, &a->resp, true, by);
	f = report_add_figure(r, sec, "avg_working_days",
	                      "Average working days to respond after acknowledgement",
	                      REPORT_AVERAGE, a->days_sum, a->days_n);
	f->unit = xstrdup("response");
	set_method(f, "Responses sent in the period: working days from the acknowledgement to the "
	              "response.");
	f = report_add_figure(r, sec, "avg_working_days_overdue",
	                      "Average working days so far, overdue responses", REPORT_AVERAGE,
	                      a->resp.overdue_days_sum, a->resp.overdue_n);
	f->unit = xstrdup("case");
	set_method(f,
	           "Responses still outstanding past the date: working days from the "
	           "acknowledgement (or the date it was due) to %s.",
	           by);
	report_add_figure(r, sec, "extended", "Cases given an extension", REPORT_COUNT,
	                  (int64_t)a->n_extended, 1);
	f = report_add_figure(r, sec, "extended_too_late",
	                      "Extensions granted after the date had passed", REPORT_COUNT,
	                      a->resp.ext_too_late, 1);
	set_method(f, "Responses due in the period extended only after their date: measured "
	              "against the date before the extension.");
	set_refs(f, &a->resp.ext_too_late_refs);
	if (stage == 1) {
		f = report_add_figure(r, sec, "escalated_pct",
		                      "Share of stage 1 responses escalated to stage 2",
		                      REPORT_PERCENT, a->further_num, a->further_den);
		set_method(f,
		           "Stage 1 responses sent in the period (first and final ones left out) "
		           "whose complaint went to stage 2 by %s.",
		           by);
	} else {
		f = report_add_figure(r, sec, "ombudsman_asked_pct",
		                      "Share of stage 2 responses taken further", REPORT_PERCENT,
		                      a->further_num, a->further_den);
		set_method(f,
		           "Stage 2 responses sent in the period after which the complainant asked "
		           "to take it further (to the Ombudsman) by %s.",
		           by);
	}
}
