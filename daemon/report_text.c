/*
 * report_text.c - the annual report as text, CSV and JSON, and the value
 * formats every rendering shares.  Every rendering shows exactly the figures
 * of struct report, in the same order.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "json.h"
#include "report.h"
#include "report_impl.h"
#include "util.h"

const struct report_section report_sections[] = {
    {"received", "Received", "Cases received in the period, by kind"},
    {"stage1", "Stage 1", "Stage 1 complaints: volumes, outcomes and timeliness"},
    {"stage2", "Stage 2", "Stage 2 complaints: escalations, outcomes and timeliness"},
    {"exclusions", "Exclusions by reason",
     "Cases excluded from the procedure in the period, by the reason given"},
    {"improvements", "Service improvements by area", "Service improvements recorded, by area"},
    {"signposting", "Signposting to the Ombudsman",
     "Mails sent with the Ombudsman's details, by kind"},
    {"delivery", "Delivery", "Mail to complainants that could not be delivered"},
    {"routes", "Other processes by route",
     "Contacts handled under another process (not the complaints procedure)"},
};

const size_t report_n_sections = ELEMENTSOF(report_sections);

/* ---- rendering helpers */

bool
report_has_value(const struct report_figure *f)
{
	return f->type == REPORT_COUNT || f->den > 0;
}

double
report_value_of(const struct report_figure *f)
{
	if (f->type == REPORT_COUNT)
		return (double)f->num;
	if (f->den <= 0)
		return 0.0;
	return (f->type == REPORT_PERCENT ? 100.0 : 1.0) * (double)f->num / (double)f->den;
}

/* The value as a bare number: "12", "75.0", or "" when there is none. */
void
report_put_value(struct buf *out, const struct report_figure *f)
{
	if (f->type == REPORT_COUNT)
		buf_printf(out, "%lld", (long long)f->num);
	else if (f->den > 0)
		buf_printf(out, "%.1f", report_value_of(f));
}

/* The value for people: "12", "75.0% (3 of 4)", "8.5 (over 4 responses)", "n/a". */
void
report_put_value_long(struct buf *out, const struct report_figure *f)
{
	if (!report_has_value(f))
		buf_puts(out, "n/a");
	else if (f->type == REPORT_PERCENT)
		buf_printf(out, "%.1f%% (%lld of %lld)", report_value_of(f), (long long)f->num,
		           (long long)f->den);
	else if (f->type == REPORT_AVERAGE)
		buf_printf(out, "%.1f (over %lld%s%s%s)", report_value_of(f), (long long)f->den,
		           f->unit ? " " : "", f->unit ? f->unit : "",
		           f->unit && f->den != 1 ? "s" : "");
	else
		report_put_value(out, f);
}

char *
report_period_long(const struct report_params *p)
{
	_cleanup_free_ char *a = cal_date_format_long(p->from), *b = cal_date_format_long(p->to);

	return xasprintf("%s to %s", a, b);
}

const char *
report_scheme_title(const struct report_params *p)
{
	if (isempty(p->scheme))
		return NULL;
	return streq(p->scheme, "housing") ? "Housing Ombudsman scheme cases only"
	                                   : "Local Government and Social Care Ombudsman scheme "
	                                     "cases only";
}

const char *
report_council_name(const struct report *r)
{
	return isempty(r->p.council) ? "The council" : r->p.council;
}

const char *const report_notes[] = {
    "Received figures count cases by their effective date received (mail after working hours "
    "counts from the next working day).",
    "Acknowledgements and responses sent, escalations, extensions and exclusions count by the "
    "date they happened, in the council's timezone.",
    "Timeliness counts every acknowledgement and response due in the period, done or not: "
    "done after the date, or not done by the report's end (or today, if earlier), is late; "
    "a step whose date has not passed yet is left out.",
    "An extension moves the date only when it was granted on or before the date then in "
    "force. A response never acknowledged is due as if acknowledged on the last day allowed.",
    "A step not done when its stage ended (escalation, exclusion, closing) counts as late "
    "only if the stage ended after its date.",
    "Working days exclude weekends and bank holidays; they are counted from the day the "
    "complaint was acknowledged to the day of the response.",
    "Outcomes are those of the complaints received (stage 1) or escalated (stage 2) in the "
    "period; \"none recorded yet\" means no outcome was recorded.",
    "First and final responses stay in the stage 1 figures. Signposting counts mails sent "
    "that carry the Ombudsman's details.",
};

const size_t report_n_notes = ELEMENTSOF(report_notes);

/* ---- text */

void
report_render_text(const struct report *r, struct buf *out)
{
	_cleanup_free_ char *period = report_period_long(&r->p);
	const char *cur = NULL;

	_cleanup_free_ char *as_at = cal_date_format_long(report_cutoff(&r->p));
	const char *scheme = report_scheme_title(&r->p);

	buf_printf(out, "Complaints performance and service improvement report\n%s\n%s\n",
	           report_council_name(r), period);
	if (scheme != NULL)
		buf_printf(out, "%s\n", scheme);
	buf_printf(out, "Open cases as at %s\n", as_at);
	for (size_t i = 0; i < r->n_figures; i++) {
		const struct report_figure *f = &r->figures[i];
		_cleanup_buf_ struct buf v = BUF_INIT;

		if (cur == NULL || !streq(cur, f->section)) {
			const char *title = f->section;

			for (size_t k = 0; k < report_n_sections; k++)
				if (streq(report_sections[k].key, f->section))
					title = report_sections[k].title;
			buf_printf(out, "\n%s\n", title);
			for (size_t k = strlen(title); k > 0; k--)
				buf_putc(out, '-');
			buf_putc(out, '\n');
			cur = f->section;
		}
		report_put_value_long(&v, f);
		buf_printf(out, "  %-56s %s\n", f->label, buf_str(&v));
		if (f->method != NULL)
			buf_printf(out, "      %s\n", f->method);
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
	for (size_t i = 0; i < report_n_notes; i++)
		buf_printf(out, "  %zu. %s\n", i + 1, report_notes[i]);
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

void
report_render_csv(const struct report *r, struct buf *out)
{
	buf_puts(out, "section,measure,value\r\n");
	for (size_t i = 0; i < r->n_figures; i++) {
		csv_field(out, r->figures[i].section);
		buf_putc(out, ',');
		csv_field(out, r->figures[i].measure);
		buf_putc(out, ',');
		report_put_value(out, &r->figures[i]);
		buf_puts(out, "\r\n");
	}
}

/* ---- json */

/* What one JSON object keyed by section and measure holds for a figure. */
enum json_what { JSON_VALUE, JSON_REFS, JSON_METHOD };

static bool
json_has(const struct report_figure *f, enum json_what w)
{
	return w == JSON_VALUE || (w == JSON_REFS ? f->has_refs : f->method != NULL);
}

/* "name": {"section": {"measure": ..., ...}, ...}, */
static void
json_by_section(const struct report *r, struct buf *out, const char *name, enum json_what w)
{
	const char *cur = NULL;

	buf_printf(out, "  \"%s\": {", name);
	for (size_t i = 0; i < r->n_figures; i++) {
		const struct report_figure *f = &r->figures[i];

		if (!json_has(f, w))
			continue;
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
		if (w == JSON_METHOD)
			json_escape(out, f->method);
		else if (w == JSON_REFS) {
			buf_putc(out, '[');
			for (size_t k = 0; k < f->n_refs; k++) {
				if (k > 0)
					buf_puts(out, ", ");
				json_escape(out, f->refs[k]);
			}
			buf_putc(out, ']');
		} else if (report_has_value(f))
			report_put_value(out, f);
		else
			buf_puts(out, "null");
	}
	buf_puts(out, cur == NULL ? "},\n" : "\n    }\n  },\n");
}

void
report_render_json(const struct report *r, struct buf *out)
{
	char from[CAL_DATE_STRLEN], to[CAL_DATE_STRLEN], cutoff[CAL_DATE_STRLEN];

	if (cal_date_format(r->p.from, from) < 0 || cal_date_format(r->p.to, to) < 0 ||
	    cal_date_format(report_cutoff(&r->p), cutoff) < 0)
		from[0] = to[0] = cutoff[0] = '\0';
	buf_puts(out, "{\n  \"council\": ");
	json_escape(out, report_council_name(r));
	buf_printf(out, ",\n  \"from\": \"%s\",\n  \"to\": \"%s\",\n  \"as_at\": \"%s\",\n", from,
	           to, cutoff);
	buf_puts(out, "  \"scheme\": ");
	if (isempty(r->p.scheme))
		buf_puts(out, "null");
	else
		json_escape(out, r->p.scheme);
	buf_puts(out, ",\n");
	json_by_section(r, out, "figures", JSON_VALUE);
	json_by_section(r, out, "references", JSON_REFS);
	json_by_section(r, out, "methods", JSON_METHOD);
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
