/*
 * selfassess_render.c - the self-assessment as text, CSV (RFC 4180), JSON
 * and one printable HTML page (A4).  Every rendering shows the same rows in
 * the Code's order; the HTML escapes everything and loads nothing.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ctl_html.h"
#include "json.h"
#include "report_impl.h"
#include "selfassess.h"
#include "util.h"

static char *
title_of(const struct selfassess *sa)
{
	_cleanup_free_ char *period = report_period_long(&sa->rep->p);

	return xasprintf("%s: self-assessment against the %s, %s", report_council_name(sa->rep),
	                 sa->pv->code, period);
}

static void
put_refs(struct buf *out, const struct selfassess_row *r, const char *sep)
{
	for (size_t i = 0; i < r->n_refs; i++)
		(void)buf_printf(out, "%s%s", i ? sep : "", r->refs[i]);
}

/* ---- text */

static void
put_wrapped(struct buf *out, const char *label, const char *s)
{
	size_t col, indent = 15;

	(void)buf_printf(out, "  %-12s ", label);
	col = indent;
	while (*(s += strspn(s, " ")) != '\0') {
		size_t w = strcspn(s, " ");

		if (col > indent && col + 1 + w > 78) {
			(void)buf_printf(out, "\n%*s", (int)indent, "");
			col = indent;
		} else if (col > indent) {
			(void)buf_putc(out, ' ');
			col++;
		}
		(void)buf_append(out, s, w);
		col += w;
		s += w;
	}
	(void)buf_putc(out, '\n');
}

void
selfassess_render_text(const struct selfassess *sa, struct buf *out)
{
	_cleanup_free_ char *title = title_of(sa);
	const char *scheme = report_scheme_title(&sa->rep->p);
	size_t counts[3] = {0, 0, 0};

	(void)buf_printf(out, "%s\n", title);
	if (scheme != NULL)
		(void)buf_printf(out, "(%s)\n", scheme);
	for (size_t i = 0; i < sa->n_rows; i++)
		counts[sa->rows[i].assessment]++;
	(void)buf_printf(out, "%zu provisions: %zu meet, %zu do not meet, %zu for the council to complete\n",
	                 sa->n_rows, counts[SA_MEETS], counts[SA_DOES_NOT_MEET], counts[SA_COUNCIL]);
	for (size_t i = 0; i < sa->n_rows; i++) {
		const struct selfassess_row *r = &sa->rows[i];
		_cleanup_buf_ struct buf refs = BUF_INIT;

		(void)buf_printf(out, "\n%s  %s\n", r->p->section, selfassess_assessment_names[r->assessment]);
		put_wrapped(out, "Requirement:", r->p->requirement);
		if (*r->evidence)
			put_wrapped(out, "Evidence:", r->evidence);
		if (r->n_refs > 0) {
			put_refs(&refs, r, ", ");
			put_wrapped(out, "References:", buf_str(&refs));
		}
		(void)buf_puts(out, "  Commentary:\n");
	}
	(void)buf_puts(out, "\nSources of the provisions' numbering and wording:\n");
	for (size_t i = 0; i < sa->n_rows; i++)
		if (i == 0 || !streq(sa->rows[i].p->source_url, sa->rows[i - 1].p->source_url))
			(void)buf_printf(out, "  [%s] %s\n", sa->rows[i].p->source_name,
			                 sa->rows[i].p->source_url);
}

/* ---- CSV, RFC 4180: CRLF line ends, fields quoted when they need it */

static void
csv_field(struct buf *out, const char *s, bool last)
{
	if (strpbrk(s, ",\"\r\n") != NULL) {
		(void)buf_putc(out, '"');
		for (; *s; s++) {
			if (*s == '"')
				(void)buf_putc(out, '"');
			(void)buf_putc(out, *s);
		}
		(void)buf_putc(out, '"');
	} else
		(void)buf_puts(out, s);
	(void)buf_puts(out, last ? "\r\n" : ",");
}

void
selfassess_render_csv(const struct selfassess *sa, struct buf *out)
{
	(void)buf_puts(out, "section,requirement,evidence,assessment,references,commentary,source\r\n");
	for (size_t i = 0; i < sa->n_rows; i++) {
		const struct selfassess_row *r = &sa->rows[i];
		_cleanup_buf_ struct buf refs = BUF_INIT;

		put_refs(&refs, r, " ");
		csv_field(out, r->p->section, false);
		csv_field(out, r->p->requirement, false);
		csv_field(out, r->evidence, false);
		csv_field(out, selfassess_assessment_names[r->assessment], false);
		csv_field(out, buf_str(&refs), false);
		csv_field(out, "", false);
		csv_field(out, r->p->source_url, true);
	}
}

/* ---- JSON: an array of rows */

void
selfassess_render_json(const struct selfassess *sa, struct buf *out)
{
	struct json j;

	json_init(&j, out);
	json_array_begin(&j, NULL);
	for (size_t i = 0; i < sa->n_rows; i++) {
		const struct selfassess_row *r = &sa->rows[i];

		json_object_begin(&j, NULL);
		json_string(&j, "section", r->p->section);
		json_string(&j, "requirement", r->p->requirement);
		json_string(&j, "evidence", r->evidence);
		json_string(&j, "assessment", selfassess_assessment_names[r->assessment]);
		json_array_begin(&j, "references");
		for (size_t k = 0; k < r->n_refs; k++)
			json_string(&j, NULL, r->refs[k]);
		json_array_end(&j);
		json_string(&j, "commentary", "");
		json_string(&j, "source", r->p->source_url);
		json_array_begin(&j, "figures");
		for (size_t k = 0; k < r->n_figures; k++) {
			json_object_begin(&j, NULL);
			json_string(&j, "key", r->figures[k].key);
			json_int(&j, "num", r->figures[k].num);
			if (r->figures[k].den > 0 || strstr(r->figures[k].key, "_pct") != NULL)
				json_int(&j, "den", r->figures[k].den);
			json_object_end(&j);
		}
		json_array_end(&j);
		json_object_end(&j);
	}
	json_array_end(&j);
	(void)buf_putc(out, '\n');
}

/* ---- HTML */

static const char html_css[] =
    "table.sa { table-layout: fixed; }\n"
    "table.sa th { font-size: 9pt; overflow-wrap: normal; }\n"
    "col.sec { width: 11%; } col.req { width: 30%; } col.ev { width: 30%; }\n"
    "col.as { width: 14%; } col.com { width: 15%; }\n"
    "td.sec { font-weight: bold; white-space: nowrap; }\n"
    "td.meets { background: #e3f1e3; } td.not { background: #f8dede; font-weight: bold; }\n"
    "td.council { background: #f2f2f2; }\n"
    "td.com { min-height: 3em; }\n"
    "p.refs { margin: .3em 0 0; font-size: 9pt; }\n"
    "p.src { margin: .3em 0 0; font-size: 8pt; color: #555; }\n"
    "tr.section th { background: #d6dde8; }\n"
    /* a section's heading is not left alone at the foot of a page */
    "tr.section { break-after: avoid; page-break-after: avoid; }\n";

void
selfassess_render_html(const struct selfassess *sa, const char *generated, struct buf *out)
{
	_cleanup_free_ char *title = title_of(sa), *period = report_period_long(&sa->rep->p);
	const char *scheme = report_scheme_title(&sa->rep->p);
	size_t counts[3] = {0, 0, 0};
	int last_major = 0;

	ctl_html_head(out, title, html_css);
	(void)buf_puts(out, "<h1>");
	ctl_html_escape(out, report_council_name(sa->rep));
	(void)buf_puts(out, "</h1>\n<p class=\"meta\">Self-assessment against the ");
	ctl_html_escape(out, sa->pv->code);
	(void)buf_puts(out, "</p>\n<p class=\"meta\">Period: ");
	ctl_html_escape(out, period);
	if (scheme != NULL) {
		(void)buf_puts(out, " (");
		ctl_html_escape(out, scheme);
		(void)buf_puts(out, ")");
	}
	(void)buf_puts(out, "</p>\n");
	for (size_t i = 0; i < sa->n_rows; i++)
		counts[sa->rows[i].assessment]++;
	(void)buf_printf(out,
	                 "<p class=\"meta\">%zu provisions: %zu meet, %zu do not meet, %zu for the "
	                 "council to complete.</p>\n",
	                 sa->n_rows, counts[SA_MEETS], counts[SA_DOES_NOT_MEET], counts[SA_COUNCIL]);
	(void)buf_puts(out, "<table class=\"sa\">\n<colgroup><col class=\"sec\"><col class=\"req\"><col class=\"ev\">"
	                    "<col class=\"as\"><col class=\"com\"></colgroup>\n"
	                    "<thead><tr><th>Provision</th><th>Requirement (in brief)</th><th>Evidence</th>"
	                    "<th>Assessment</th><th>Commentary</th></tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < sa->n_rows; i++) {
		const struct selfassess_row *r = &sa->rows[i];
		static const char *const cls[3] = {"meets", "not", "council"};

		if (r->p->major != last_major) {
			last_major = r->p->major;
			(void)buf_puts(out, "<tr class=\"section\"><th colspan=\"5\">");
			/* the Code's own title for the section, from the provisions file */
			if (sa->pv->titles[r->p->major] != NULL) {
				(void)buf_printf(out, "%d. ", r->p->major);
				ctl_html_escape(out, sa->pv->titles[r->p->major]);
			} else
				(void)buf_printf(out, "Section %d", r->p->major);
			(void)buf_puts(out, "</th></tr>\n");
		}
		(void)buf_puts(out, "<tr><td class=\"sec\">");
		ctl_html_escape(out, r->p->section);
		(void)buf_puts(out, "</td><td>");
		ctl_html_escape(out, r->p->requirement);
		(void)buf_puts(out, "<p class=\"src\">Source: ");
		ctl_html_escape(out, r->p->source_name);
		(void)buf_puts(out, "</p></td><td>");
		ctl_html_escape(out, r->evidence);
		if (r->n_refs > 0) {
			_cleanup_buf_ struct buf refs = BUF_INIT;

			put_refs(&refs, r, ", ");
			(void)buf_puts(out, "<p class=\"refs\">Cases: ");
			ctl_html_escape(out, buf_str(&refs));
			(void)buf_puts(out, "</p>");
		}
		(void)buf_printf(out, "</td><td class=\"%s\">%s</td><td class=\"com\"></td></tr>\n",
		                 cls[r->assessment], selfassess_assessment_names[r->assessment]);
	}
	(void)buf_puts(out, "</tbody>\n</table>\n<footer>\n<p>Evidence is computed as the annual "
	                    "complaints performance report computes it (complaintsctl report, same "
	                    "period and scheme). Sources of the provisions' numbering and wording:</p>\n<ul>\n");
	for (size_t i = 0; i < sa->n_rows; i++)
		if (i == 0 || !streq(sa->rows[i].p->source_url, sa->rows[i - 1].p->source_url)) {
			(void)buf_puts(out, "<li>[");
			ctl_html_escape(out, sa->rows[i].p->source_name);
			(void)buf_puts(out, "] ");
			ctl_html_escape(out, sa->rows[i].p->source_url);
			(void)buf_puts(out, "</li>\n");
		}
	(void)buf_puts(out, "</ul>\n");
	if (generated != NULL) {
		(void)buf_puts(out, "<p>Generated ");
		ctl_html_escape(out, generated);
		(void)buf_puts(out, ".</p>\n");
	}
	(void)buf_puts(out, "</footer>\n");
	ctl_html_tail(out);
}
