/*
 * report_impl.h - what the pieces of the annual report share (not for other
 * modules; the interface is report.h).
 *
 *   report.c         period and options, loading and building, `complaintsctl report`
 *   report_build.c   the figures from the store's rows
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

/* ---- values, as every rendering writes them */
bool report_has_value(const struct report_figure *f);
double report_value_of(const struct report_figure *f);
/* The value as a bare number: "12", "75.0", or "" when there is none. */
void report_put_value(struct buf *out, const struct report_figure *f);
/* The value for people: "12", "75.0% (3 of 4)", "8.5 (over 4)", "n/a". */
void report_put_value_long(struct buf *out, const struct report_figure *f);
/* "Tuesday 1 April 2025 to Tuesday 31 March 2026", malloc'ed. */
char *report_period_long(const struct report_params *p);
const char *report_council_name(const struct report *r);

void report_render_text(const struct report *r, struct buf *out);
void report_render_csv(const struct report *r, struct buf *out);
void report_render_json(const struct report *r, struct buf *out);
void report_render_html(const struct report *r, struct buf *out);

#endif
