/*
 * report_impl.h - what the pieces of the annual report share (not for other
 * modules; the interface is report.h).
 *
 *   report.c         period and options, loading and building, `complaintsctl report`
 *   report_build.c   the figures from the store's rows
 *   report_stage.c   one stage's figures (outcomes, timeliness, averages, going further)
 *   report_steps.c   timeliness: which acknowledgements and responses were due, and late
 *   report_text.c    text, CSV and JSON renderings, and what every rendering shares
 *   report_html.c    the HTML page with its SVG charts
 */
#ifndef COMPLAINTSD_REPORT_IMPL_H
#define COMPLAINTSD_REPORT_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "calendar.h"
#include "report.h"

/* The sections in the order every rendering shows them. */
struct report_section {
	const char *key, *title, *caption;
};
extern const struct report_section report_sections[];
extern const size_t report_n_sections;

/* The notes under the report ("how the figures are computed"). */
extern const char *const report_notes[];
extern const size_t report_n_notes;

/* The calendar date of an instant in the council's timezone (TZ); false for 0. */
bool report_local_date(time_t t, struct cal_date *ret);

/* ---- timeliness (report_steps.c) */

struct report_refs {
	char **v;
	size_t n;
};
void report_refs_add(struct report_refs *r, const char *ref); /* once each */
void report_refs_done(struct report_refs *r);

/* The events of each case, in order, found by case id. */
struct report_event_index {
	const struct report_event **v;
	size_t n;
};
void report_index_events(const struct report_data *d, struct report_event_index *ret);
const struct report_event *const *report_case_events(const struct report_event_index *x,
                                                     int64_t case_id, size_t *ret_n);

/* The day the report looks at open cases: the period's end, or today if earlier. */
struct cal_date report_cutoff(const struct report_params *p);

/* One stage's acknowledgement or response of one case. */
struct report_step {
	const char *ref;
	int stage;
	bool response;
	bool has_due;
	struct cal_date due; /* before any extension */
	time_t done;         /* 0: not done */
	time_t ended;        /* the stage ended without it (escalated, excluded, closed); 0: not */
	struct cal_date start; /* a response's clock start: the acknowledgement, or its date due */
	const struct report_event *const *events; /* the case's, for its extensions */
	size_t n_events;
};

/* How a step stood at the cutoff (report_steps.c says when each applies). */
enum report_step_state {
	REPORT_STEP_NOT_DUE,     /* not done, its date not passed yet: not counted */
	REPORT_STEP_NOT_NEEDED,  /* not done, the stage ended on or before the date: not counted */
	REPORT_STEP_IN_TIME,     /* done on or before the date */
	REPORT_STEP_LATE,        /* done after the date */
	REPORT_STEP_ENDED_LATE,  /* not done, the stage ended after the date: late */
	REPORT_STEP_OUTSTANDING, /* not done, the date passed, the stage not ended: late */
};

struct report_step_verdict {
	enum report_step_state state;
	struct cal_date due; /* the date in force: moved only by extensions granted in time */
	bool ext_too_late;   /* an extension was granted after the date had passed */
	long days_late;      /* working days past the date when done, ended or at the cutoff */
};

/* The one judgement of a step that the report counts and the case file shows;
 * false (and nothing judged) when the step has no date due. */
bool report_step_judge(const struct report_params *p, const struct calendar *cal,
                       const struct report_step *s, struct report_step_verdict *ret);

struct report_step_acc {
	int64_t due, in_time, late, outstanding;
	long oldest; /* working days past the date, of the oldest outstanding */
	int64_t overdue_days_sum, overdue_n; /* responses outstanding: working days so far */
	int64_t ext_too_late;                /* extensions granted after the date had passed */
	struct report_refs late_refs, outstanding_refs, ext_too_late_refs;
};
void report_step_account(const struct report_params *p, const struct calendar *cal,
                         const struct report_step *s, struct report_step_acc *a);
void report_step_acc_done(struct report_step_acc *a);

/* ---- one stage (report_stage.c) */

extern const char *const report_outcomes[];
#define REPORT_N_OUTCOMES ((size_t)5)
/* indexes of "no outcome recorded" and "something else" in the counters */
#define REPORT_OUTCOME_NONE REPORT_N_OUTCOMES
#define REPORT_OUTCOME_OTHER (REPORT_N_OUTCOMES + 1)
size_t report_outcome_index(const char *o);

/* One stage of one case, as the report needs it. */
struct report_stage_view {
	int stage;
	time_t ack, resp;
	const char *ack_due, *resp_due, *outcome;
	int ext;      /* working days of extension included in resp_due */
	time_t ended; /* the stage ended (escalated, excluded, closed); 0: not */
	char ack_due_buf[CAL_DATE_STRLEN];
};

struct report_stage_acc {
	int64_t outcome[REPORT_N_OUTCOMES + 2];
	int64_t acked, responded; /* sent in the period */
	struct report_step_acc ack, resp;
	int64_t days_sum, days_n;
	int64_t further_num, further_den; /* responses after which the complainant went further */
	int64_t *extended;                /* distinct case ids */
	size_t n_extended;
};

/* The view of stage 1 or 2 of a case (false: the case has no such stage).
 * case_end is when the case was excluded or closed (0: not). */
bool report_stage_view(const struct report_params *p, const struct calendar *cal,
                       const struct report_case *c, int stage, time_t case_end,
                       struct report_stage_view *v);
/* The acknowledgement and response of that stage, as the report judges them
 * (ev: the case's events in order, kept by the steps for their extensions). */
void report_stage_steps(const struct report_params *p, const struct calendar *cal,
                        const struct report_case *c, const struct report_stage_view *v,
                        const struct report_event *const *ev, size_t n_ev,
                        struct report_step *ret_ack, struct report_step *ret_resp);
/* When the case was excluded or closed, if it is now (0: not); ev: its events. */
time_t report_case_end(const struct report_case *c, const struct report_event *const *ev,
                       size_t n_ev);
/* Timeliness, averages and going further of one stage of one case;
 * ev are the case's events in order. */
void report_stage_account(const struct report_params *p, const struct calendar *cal,
                          const struct report_case *c, const struct report_stage_view *v,
                          const struct report_event *const *ev, size_t n_ev,
                          struct report_stage_acc *a);
void report_stage_figures(struct report *r, const char *sec, int stage,
                          const struct report_stage_acc *a);
void report_stage_acc_done(struct report_stage_acc *a);

/* Append a figure; the pointer is valid until the next one is added. */
struct report_figure *report_add_figure(struct report *r, const char *section, const char *measure,
                                        const char *label, enum report_value_type type, int64_t num,
                                        int64_t den);

/* ---- values, as every rendering writes them */
bool report_has_value(const struct report_figure *f);
double report_value_of(const struct report_figure *f);
/* The value as a bare number: "12", "75.0", or "" when there is none. */
void report_put_value(struct buf *out, const struct report_figure *f);
/* The value for people: "12", "75.0% (3 of 4)", "8.5 (over 4 responses)", "n/a". */
void report_put_value_long(struct buf *out, const struct report_figure *f);
/* "Tuesday 1 April 2025 to Tuesday 31 March 2026", malloc'ed. */
char *report_period_long(const struct report_params *p);
const char *report_council_name(const struct report *r);
/* "Housing Ombudsman scheme cases only", or NULL for a report of every scheme. */
const char *report_scheme_title(const struct report_params *p);

void report_render_text(const struct report *r, struct buf *out);
void report_render_csv(const struct report *r, struct buf *out);
void report_render_json(const struct report *r, struct buf *out);
void report_render_html(const struct report *r, struct buf *out);

#endif
