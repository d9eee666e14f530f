/*
 * report.h - the annual complaints performance and service improvement report
 * (`complaintsctl report`).
 *
 * The store supplies raw rows (daemon/store_report.c); this module turns them
 * into a flat list of figures and renders that list as text, CSV, JSON or one
 * self-contained HTML page.  Every figure is a count, a percentage (numerator
 * and denominator kept) or an average (sum and count kept), so each rendering
 * shows the same numbers.  Nothing here reads the clock: the period and the
 * "generated" date are parameters.
 *
 * How each figure is computed.  The period is FROM..TO, both days included.
 * "Date of" an instant is its calendar date in the council's timezone.
 *
 *   received.*          cases whose effective received date (cases.received_date)
 *                       is in the period, by kind; complaints also by scheme.
 *   stage1.received     complaints (kind "complaint") received in the period.
 *   stage1.excluded     of those, the ones excluded from the procedure.
 *   stage1.outcome_*    of those, the stage 1 outcome: the outcome recorded
 *                       while at stage 1 (kept in s1_outcome when escalated);
 *                       "none" when no outcome was recorded (yet).
 *   stage1.acknowledged, .responded  acknowledgements and responses sent
 *                       (dated) in the period.
 *   Timeliness (report_steps.c), for each stage's acknowledgement and response:
 *                       every step DUE in the period counts, done or not, as it
 *                       stood at the cutoff (the period's end, or today if
 *                       earlier).  Done on or before the date: in time; done
 *                       after it, or not done by the cutoff: late
 *                       (*_late, with the references); not done and the stage
 *                       not ended: also outstanding (*_outstanding, references;
 *                       *_oldest_days: working days past the date of the oldest).
 *                       A step whose date has not passed at the cutoff, or whose
 *                       stage ended (escalation, exclusion, closing) on or before
 *                       its date without it, is left out.  An extension
 *                       ("extended" event) moves a response's date only when
 *                       granted on or before the date then in force
 *                       (extended_too_late counts the others).  A response
 *                       never acknowledged is due as if acknowledged on the last
 *                       day allowed.  An acknowledgement is done when
 *                       acknowledged_at is set, whatever mail was queued.
 *                       Stage 1 of a case since escalated: the
 *                       acknowledgement was due on received date + the
 *                       configured stage 1 days; the s1_* columns hold the rest.
 *   *.avg_working_days  over the responses sent in the period that had an
 *                       acknowledgement: working days from the effective date of
 *                       the acknowledgement (day 0, as the deadlines count) to
 *                       the date of the response, averaged ("over N responses").
 *   *.avg_working_days_overdue  over the responses outstanding: working days
 *                       from the acknowledgement (or its date due) to the cutoff.
 *   *.extended          distinct cases with an extension granted in the period.
 *   stage1.escalated_pct  of the stage 1 responses sent in the period (first
 *                       and final ones left out), those escalated by the cutoff.
 *   stage2.escalated    complaints escalated to stage 2 on a date in the period.
 *   stage2.first_and_final  distinct cases marked for a first and final
 *                       response in the period (they stay in stage 1 figures).
 *   stage2.outcome_*    of the cases escalated in the period, the stage 2 outcome.
 *   stage2.ombudsman_asked_pct  of the stage 2 responses sent in the period,
 *                       those after which the complainant asked to go further
 *                       ("ombudsman_asked" event) by the cutoff.
 *   exclusions.*        cases excluded in the period ("status" events to
 *                       excluded), in all and by the reason given.
 *   areas.*             complaints received in the period, by the service area
 *                       the rules found (cases.area; "unspecified" when none).
 *   improvements.*      "improvement" events dated in the period, by area.
 *   signposting.*       mails sent (outbox state "sent") created in the period
 *                       whose text carries the Ombudsman's details: exclusion,
 *                       extension, deadline-missed, other-process, and the final
 *                       response (a relay on a complaint at stage 2 or marked
 *                       first and final).
 *   delivery.failed     "delivery_failed" events dated in the period.
 *   routes.*            other-process cases received in the period, by route.
 *
 * With --scheme (params.scheme) only that scheme's cases, and the events and
 * mails of those cases, count.  A percentage with a zero denominator and an
 * average over nothing are shown as "n/a" (null in JSON, empty in CSV).  The
 * JSON form adds "as_at" (the cutoff date), "scheme" (or null), "references"
 * (the cases behind each late, outstanding or too-late count) and "methods"
 * (the one-line method of each timeliness figure, as shown under it in the
 * text and HTML forms).
 */
#ifndef COMPLAINTSD_REPORT_H
#define COMPLAINTSD_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "calendar.h"

struct context;
struct store;

/* ---- raw rows, filled by store_report_load() (daemon/store_report.c) */

struct report_case {
	int64_t id;
	char *ref, *kind, *status, *scheme, *route;
	char *area; /* the service area of the rules ("area NAME:"), "" when none */
	int stage;
	char *received_date, *ack_due, *response_due, *outcome;
	time_t acknowledged_at, responded_at, escalated_at;
	int extension_days;
	bool first_and_final;
	time_t s1_acknowledged_at, s1_responded_at;
	char *s1_response_due, *s1_outcome;
	int s1_extension_days;
};

struct report_event {
	int64_t case_id;
	char *ref, *type, *detail, *scheme;
	time_t at;
};

struct report_mail {
	char *purpose, *kind, *scheme;
	time_t created_at, escalated_at;
	bool first_and_final;
};

struct report_data {
	struct report_case *cases;
	size_t n_cases;
	struct report_event *events;
	size_t n_events;
	struct report_mail *mails;
	size_t n_mails;
};

/*
 * Rows that may count for the period: cases received from..to (YYYY-MM-DD) or
 * with an acknowledgement, response or escalation between lo and hi (UTC);
 * report events and sent signposting mails between lo and hi.  The caller
 * filters exactly by local date.  0, or a negative errno and a message.
 */
int store_report_load(struct store *s, const char *from, const char *to, time_t lo, time_t hi,
                      struct report_data *ret, char **ret_error);
void report_data_done(struct report_data *d);

/* ---- the figures */

enum report_value_type {
	REPORT_COUNT,   /* num */
	REPORT_PERCENT, /* 100 * num / den */
	REPORT_AVERAGE, /* num / den */
};

struct report_figure {
	char *section; /* "received", "stage1", ... */
	char *measure; /* stable key within the section */
	char *label;   /* for people */
	enum report_value_type type;
	int64_t num, den;
	char *unit;   /* what an average is over, singular ("response"), or NULL */
	char *method; /* one line saying how it is computed, or NULL */
	/* the case references behind a count of late or outstanding steps */
	bool has_refs;
	char **refs;
	size_t n_refs;
};

struct report_improvement {
	char *date; /* YYYY-MM-DD */
	char *ref;
	char *area;
	char *text;
};

struct report_params {
	struct cal_date from, to;
	const char *council;   /* council name for titles */
	const char *generated; /* YYYY-MM-DD shown in the HTML footer, may be NULL */
	const char *scheme;    /* "lgsco" or "housing" for that scheme's cases only; NULL: all */
	struct cal_date today; /* steps not done by today are late; {0}: the period's end */
	int stage1_ack_days;   /* configured working days to acknowledge at stage 1 */
	int stage1_response_days, stage2_response_days; /* after the acknowledgement */
	const char *lgsco_name, *lgsco_url, *housing_name, *housing_url;
};

struct report {
	struct report_params p; /* strings borrowed from the caller */
	struct report_figure *figures;
	size_t n_figures;
	struct report_improvement *improvements;
	size_t n_improvements;
};

enum report_format { REPORT_TEXT, REPORT_CSV, REPORT_JSON, REPORT_HTML };

/* Parse "YYYY-MM-DD" for --from/--to; -EINVAL with a message when bad or from > to. */
int report_parse_period(const char *from, const char *to, struct cal_date *ret_from,
                        struct cal_date *ret_to, char **ret_error);
int report_format_from_string(const char *s, enum report_format *ret);

/* Compute the figures from raw rows (pure apart from localtime_r for "date of"). */
int report_build(const struct report_data *d, const struct calendar *cal,
                 const struct report_params *p, struct report *ret);
/* Load from the store and build; 0, or a negative errno and a message. */
int report_compute(struct store *s, const struct calendar *cal, const struct report_params *p,
                   struct report *ret, char **ret_error);
void report_done(struct report *r);

/* A figure by section and measure, or NULL. */
const struct report_figure *report_find(const struct report *r, const char *section,
                                        const char *measure);

int report_render(const struct report *r, enum report_format f, struct buf *out);

/* ---- what `complaintsctl report` and `self-assessment` share (report.c) */

struct config;

/* --from, --to, --scheme, --format, --output and --help, each verb's own. */
struct report_options {
	const char *from, *to, *scheme, *output; /* NULL when not given */
	enum report_format format;               /* REPORT_TEXT unless given */
	bool help;
};
/* Parse argv (argv[0] is the verb, named in every message); 0, or 2 (a usage
 * error, said on stderr).  The scheme is the caller's to check. */
int report_options_parse(const char *verb, int argc, char **argv, struct report_options *ret);
/* The council's name, the configured timescales and the Ombudsmen's names into
 * p, and today (read from the clock) into today[] and p->generated, p->today;
 * the period and the scheme are left to the caller. */
void report_params_configure(struct report_params *p, const struct config *cfg,
                             char today[static CAL_DATE_STRLEN]);

/* `complaintsctl report ...`; argv[0] is "report".  Returns an exit code. */
int report_main(struct context *ctx, int argc, char **argv);

#endif
