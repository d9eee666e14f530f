/*
 * report_html.c - the annual report as one self-contained HTML page: inline
 * CSS and SVG charts, no scripts, no external references; every text that
 * came from the database is escaped.
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

/* ---- html */

static void
html_escape(struct buf *out, const char *s)
{
	(void)buf_put_html(out, s, strlen(s));
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
    ".m{display:block;font-size:.85rem;color:#555}\n"
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
	const int width = 800, label_w = 230, bar_w = 400,
	          row_h = 26; /* 170 for the text after a bar */
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
		report_put_value_long(&v, f);
		buf_puts(out, "<tr><th scope=\"row\">");
		html_escape(out, f->label);
		if (f->method != NULL) {
			buf_puts(out, "<span class=\"m\">");
			html_escape(out, f->method);
			buf_puts(out, "</span>");
		}
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

		if (f != NULL && report_has_value(f))
			n = snprintf(text[i], sizeof(text[i]), "%.1f%% (%lld of %lld)",
			             report_value_of(f), (long long)f->num, (long long)f->den);
		else
			n = snprintf(text[i], sizeof(text[i]), "n/a (none in period)");
		if (n < 0 || n >= (int)sizeof(text[i]))
			text[i][0] = '\0';
		bars[i] = (struct bar){rows[i].label, f ? report_value_of(f) : 0, 100.0, text[i],
		                       i < 2 ? 0 : 1};
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
	if (!report_has_value(f))
		buf_puts(&v, "n/a");
	else if (f->type == REPORT_PERCENT)
		buf_printf(&v, "%.1f%%", report_value_of(f));
	else
		report_put_value(&v, f);
	buf_puts(out, "<li><span class=\"n\">");
	html_escape(out, buf_str(&v));
	buf_puts(out, "</span>");
	html_escape(out, what);
	if (f->type == REPORT_PERCENT)
		buf_printf(out, " (%lld of %lld)", (long long)f->num, (long long)f->den);
	if (f->method != NULL) {
		buf_puts(out, "<span class=\"m\">");
		html_escape(out, f->method);
		buf_puts(out, "</span>");
	}
	buf_puts(out, "</li>\n");
}

void
report_render_html(const struct report *r, struct buf *out)
{
	_cleanup_free_ char *period = report_period_long(&r->p);
	_cleanup_free_ char *as_at = cal_date_format_long(report_cutoff(&r->p));

	buf_puts(out, "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n"
	              "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	              "<title>");
	html_escape(out, report_council_name(r));
	buf_puts(out, ": complaints performance and service improvement report, ");
	html_escape(out, period);
	buf_printf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n<header>\n",
	           html_style);
	buf_puts(out, "<p class=\"council\">");
	html_escape(out, report_council_name(r));
	buf_puts(out, "</p>\n<h1>Complaints performance and service improvement report</h1>\n"
	              "<p class=\"period\">");
	html_escape(out, period);
	if (report_scheme_title(&r->p) != NULL) {
		buf_puts(out, "</p>\n<p class=\"period\">");
		html_escape(out, report_scheme_title(&r->p));
	}
	buf_puts(out, "</p>\n<p class=\"period\">Open cases as at ");
	html_escape(out, as_at);
	buf_puts(out, "</p>\n</header>\n");

	buf_puts(out, "<section aria-labelledby=\"h-summary\">\n<h2 id=\"h-summary\">Summary</h2>\n"
	              "<ul class=\"cards\">\n");
	html_card(out, r, "stage1", "received", "complaints received at stage 1");
	html_card(out, r, "stage1", "acknowledged_in_time_pct",
	          "stage 1 acknowledgements within timescale");
	html_card(out, r, "stage1", "responded_in_time_pct", "stage 1 responses within timescale");
	html_card(out, r, "stage2", "escalated", "escalated to stage 2");
	html_card(out, r, "stage2", "responded_in_time_pct", "stage 2 responses within timescale");
	html_card(out, r, "stage1", "responses_outstanding",
	          "stage 1 responses outstanding past the date");
	html_card(out, r, "improvements", "total", "service improvements");
	buf_puts(out, "</ul>\n</section>\n");

	buf_puts(out,
	         "<section aria-labelledby=\"h-charts\">\n<h2 id=\"h-charts\">At a glance</h2>\n");
	html_outcome_chart(out, r);
	html_timescale_chart(out, r);
	html_improvement_chart(out, r);
	buf_puts(out, "</section>\n");

	for (size_t k = 0; k < report_n_sections; k++) {
		buf_printf(out, "<section aria-labelledby=\"h-%s\">\n<h2 id=\"h-%s\">",
		           report_sections[k].key, report_sections[k].key);
		html_escape(out, report_sections[k].title);
		buf_puts(out, "</h2>\n");
		html_table(out, r, report_sections[k].key, report_sections[k].caption);
		if (streq(report_sections[k].key, "improvements") && r->n_improvements > 0) {
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
	for (size_t i = 0; i < report_n_notes; i++) {
		buf_puts(out, "<li>");
		html_escape(out, report_notes[i]);
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
