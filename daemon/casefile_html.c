/*
 * casefile_html.c - index.html of the case file: the case, who handled it,
 * each deadline and whether it was met, then the chronology: every message
 * in and out in the order `show` lists them (date, from, to, subject, the
 * full text with the quoted part marked, attachments linked with their
 * SHA-256) and every event, interleaved by time.  One self-contained page
 * for A4: inline CSS, no scripts, links only to the files beside it, and
 * everything that came from mail or the store escaped.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calendar.h"
#include "casefile.h"
#include "conf.h"
#include "context.h"
#include "ctl_html.h"
#include "quote.h"
#include "report_impl.h"
#include "util.h"

/*
 * A message is its header (div.head: number, date, from, to, subject,
 * source), its text (div.body) and its attachments (div.att), in that order
 * in the page.  On screen a column flexbox shows the attachments under the
 * header, in the header's colour.  Printed on A4 they stay after the text,
 * in plain block flow (Chromium leaves an empty box on a page when a flex
 * container's first item has to move to the next), so that the header keeps
 * to the first lines of the text: only the header's lines and each
 * attachment's two lines refuse to split, a text (which may run over many
 * pages) keeps at least three lines on each side of a break, and headings
 * keep to what follows them.  Long words (addresses, URLs, base64 runs) wrap
 * anywhere rather than run past the right margin, which would also make the
 * browser shrink every page to fit the widest.
 */
static const char css[] =
    "table.case th { width: 30%; background: #f0f0f0; }\n"
    "table.case td { overflow-wrap: anywhere; }\n"
    "table.case, table.deadlines { margin-bottom: .8em; }\n"
    "td.met { background: #e3f1e3; } td.missed { background: #f8dede; font-weight: bold; }\n"
    "td.open { background: #fff6d8; }\n"
    "div.msg { border: 1px solid #888; margin: .9em 0; display: flex; flex-direction: column; }\n"
    "div.msg > div.head, div.msg > div.att { background: #eef1f6; padding: 3pt 5pt;"
    " border-bottom: 1px solid #888; overflow-wrap: anywhere; }\n"
    "div.msg > div.head.has-att { padding-bottom: 0; border-bottom: 0; }\n"
    "div.msg > div.att { order: 1; padding-top: 0; display: flow-root; }\n"
    "div.att > p.label { display: none; }\n"
    "div.msg > div.body { order: 2; padding: 3pt 5pt; }\n"
    "div.msg.out > div.head, div.msg.out > div.att { background: #f3efe6; }\n"
    "div.head p { margin: 0; } div.head .n { font-weight: bold; }\n"
    "pre { font: 9.5pt/1.35 \"DejaVu Sans Mono\", \"Liberation Mono\", monospace;"
    " white-space: pre-wrap; overflow-wrap: anywhere; margin: .2em 0; }\n"
    "div.quoted { border-left: 3pt solid #aaa; padding-left: 5pt; color: #444; margin-top: .4em; }\n"
    "div.quoted p.label { margin: 0; font-size: 8.5pt; font-style: italic; }\n"
    "ul.att { margin: .3em 0; padding-left: 1.2em; font-size: 9pt; }\n"
    "code.sha { font-size: 7.5pt; overflow-wrap: anywhere; }\n"
    "p.event { margin: .35em 0; padding: 2pt 5pt; border-left: 3pt solid #6a7fa0;"
    " background: #f7f7f7; font-size: 9.5pt; overflow-wrap: anywhere; }\n"
    "@media print {\n"
    "div.msg { display: block; }\n"
    "div.msg > div.head.has-att { padding-bottom: 3pt; border-bottom: 1px solid #888; }\n"
    "div.msg > div.att { padding-top: 3pt; border-top: 1px solid #888; border-bottom: 0; }\n"
    "div.att > p.label { display: block; margin: 0; font-size: 8.5pt; font-style: italic; }\n"
    "h1, h2, p.label { break-after: avoid; }\n"
    "div.head > p, ul.att > li, p.event { break-inside: avoid; }\n"
    "div.head > p { break-after: avoid; }\n"
    "pre { orphans: 3; widows: 3; }\n"
    "footer { break-before: avoid; }\n"
    "}\n";

static void
put_time(struct buf *out, time_t t)
{
	struct tm tm;
	char s[64];

	if (t == 0) {
		buf_puts(out, "-");
		return;
	}
	localtime_r(&t, &tm);
	if (strftime(s, sizeof(s), "%a %-d %b %Y %H:%M %Z", &tm) == 0)
		strcpy(s, "?");
	ctl_html_escape(out, s);
}

static void
row(struct buf *out, const char *label, const char *value)
{
	buf_puts(out, "<tr><th>");
	ctl_html_escape(out, label);
	buf_puts(out, "</th><td>");
	ctl_html_escape(out, isempty(value) ? "-" : value);
	buf_puts(out, "</td></tr>\n");
}

/* ---- deadlines
 *
 * Each acknowledgement and response is judged by the annual report's own
 * rule (report_step_judge(), report_steps.c) on the report's view of the
 * case's stages, as it stands today: an extension moves a response's date
 * only when it was granted before that date passed, so the case file and
 * `complaintsctl report` never disagree on whether a deadline was met.
 */

/* The case as the report's rows have it (strings borrowed). */
static void
as_report_case(const struct case_row *c, struct report_case *ret)
{
	*ret = (struct report_case){
	    .id = c->id,
	    .ref = c->ref,
	    .kind = c->kind,
	    .status = c->status,
	    .scheme = c->scheme,
	    .route = c->route,
	    .stage = c->stage,
	    .received_date = c->received_date,
	    .ack_due = c->ack_due,
	    .response_due = c->response_due,
	    .outcome = c->outcome,
	    .acknowledged_at = c->acknowledged_at,
	    .responded_at = c->responded_at,
	    .escalated_at = c->escalated_at,
	    .extension_days = c->extension_days,
	    .first_and_final = c->first_and_final,
	    .s1_acknowledged_at = c->s1_acknowledged_at,
	    .s1_responded_at = c->s1_responded_at,
	    .s1_response_due = c->s1_response_due,
	    .s1_outcome = c->s1_outcome,
	    .s1_extension_days = c->s1_extension_days,
	};
}

static void
put_days(struct buf *out, const char *before, long n, const char *after)
{
	(void)buf_printf(out, "%s%ld working day%s%s", before, n, n == 1 ? "" : "s", after);
}

static void
put_step(struct buf *out, const struct report_params *p, const struct calendar *cal,
         const char *what, const struct report_step *s)
{
	char due[CAL_DATE_STRLEN] = "-", orig[CAL_DATE_STRLEN] = "-";
	struct report_step_verdict v;

	if (!report_step_judge(p, cal, s, &v))
		return;
	(void)cal_date_format(v.due, due);
	(void)cal_date_format(s->due, orig);
	buf_puts(out, "<tr><td>");
	ctl_html_escape(out, what);
	buf_puts(out, "</td><td>");
	ctl_html_escape(out, due);
	if (cal_date_compare(v.due, s->due) != 0) {
		buf_puts(out, " (extended from ");
		ctl_html_escape(out, orig);
		buf_puts(out, ")");
	}
	buf_puts(out, "</td><td>");
	put_time(out, s->done);
	buf_puts(out, "</td>");
	switch (v.state) {
	case REPORT_STEP_IN_TIME:
		buf_puts(out, "<td class=\"met\">met");
		break;
	case REPORT_STEP_LATE:
		buf_puts(out, "<td class=\"missed\">missed");
		if (v.days_late > 0)
			put_days(out, " by ", v.days_late, "");
		else
			buf_puts(out, ": done after the date");
		break;
	case REPORT_STEP_ENDED_LATE:
		put_days(out, "<td class=\"missed\">missed: not done; the stage ended ", v.days_late,
		         " after the date");
		break;
	case REPORT_STEP_OUTSTANDING:
		put_days(out, "<td class=\"missed\">missed: not done, ", v.days_late, " late");
		break;
	case REPORT_STEP_NOT_NEEDED:
		buf_puts(out, "<td>not needed: the stage ended first");
		break;
	default:
		buf_puts(out, "<td class=\"open\">not yet due");
		break;
	}
	if (v.ext_too_late)
		buf_puts(out, " (an extension granted after the date had passed does not move it)");
	buf_puts(out, "</td></tr>\n");
}

static void
put_deadlines(struct buf *out, const struct casefile *cf)
{
	const struct case_row *c = cf->c;
	const struct calendar *cal = cf->ctx->cal;
	static const char *const what[2][2] = {
	    {"Stage 1 acknowledgement", "Stage 1 response"},
	    {"Stage 2 acknowledgement", "Stage 2 response (final)"},
	};
	struct report_params p = {0};
	struct report_case rc;
	struct report_event *events = xcalloc(cf->n_events ? cf->n_events : 1, sizeof(*events));
	struct report_data d = {.events = events, .n_events = cf->n_events};
	struct report_event_index idx;
	const struct report_event *const *ev;
	struct report_step steps[2][2];
	bool has[2] = {false, false}, any = false;
	char today[CAL_DATE_STRLEN];
	size_t n_ev;
	time_t end;

	/* the report's parameters, its period ending today */
	report_params_configure(&p, cf->ctx->cfg, today);
	p.from = p.to = cal_date_valid(p.today) ? p.today : (struct cal_date){9999, 12, 31};
	as_report_case(c, &rc);
	for (size_t i = 0; i < cf->n_events; i++)
		events[i] = (struct report_event){.case_id = c->id,
		                                  .ref = c->ref,
		                                  .type = cf->events[i].type,
		                                  .detail = cf->events[i].detail,
		                                  .scheme = c->scheme,
		                                  .at = cf->events[i].at};
	report_index_events(&d, &idx);
	ev = report_case_events(&idx, c->id, &n_ev);
	end = report_case_end(&rc, ev, n_ev);
	for (int st = 1; st <= 2; st++) {
		struct report_stage_view v;

		if (!report_stage_view(&p, cal, &rc, st, end, &v))
			continue;
		report_stage_steps(&p, cal, &rc, &v, ev, n_ev, &steps[st - 1][0], &steps[st - 1][1]);
		has[st - 1] = true;
		any = any || steps[st - 1][0].has_due || steps[st - 1][1].has_due;
	}

	buf_puts(out, "<h2>Deadlines</h2>\n");
	if (!any) {
		buf_puts(out, "<p>No deadlines under the complaints procedure (");
		ctl_html_escape(out, c->kind);
		buf_puts(out, ").</p>\n");
	} else {
		buf_puts(out, "<table class=\"deadlines\"><thead><tr><th>Step</th><th>Due</th>"
		              "<th>Done</th><th>Met?</th></tr></thead>\n<tbody>\n");
		for (int st = 0; st < 2; st++)
			for (int k = 0; has[st] && k < 2; k++)
				put_step(out, &p, cal, what[st][k], &steps[st][k]);
		buf_puts(out, "</tbody></table>\n");
		buf_puts(out, "<p>Judged as the annual report (<code>complaintsctl report</code>) "
		              "judges them: an extension moves a response's date only when it was "
		              "granted before that date had passed.");
		if (c->extension_days > 0)
			(void)buf_printf(out, " The current stage was extended by %d working days (see "
			                      "the events).",
			                 c->extension_days);
		buf_puts(out, "</p>\n");
	}
	free(idx.v);
	free(events);
}

/* ---- who handled it */

static void
add_name(char ***v, size_t *n, const char *s)
{
	if (isempty(s))
		return;
	for (size_t i = 0; i < *n; i++)
		if (streq((*v)[i], s))
			return;
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = xstrdup(s);
}

static void
put_names(struct buf *out, const char *label, char **v, size_t n)
{
	buf_puts(out, "<tr><th>");
	ctl_html_escape(out, label);
	buf_puts(out, "</th><td>");
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_puts(out, "<br>");
		ctl_html_escape(out, v[i]);
		free(v[i]);
	}
	if (n == 0)
		buf_puts(out, "-");
	free(v);
	buf_puts(out, "</td></tr>\n");
}

static void
put_handlers(struct buf *out, const struct casefile *cf)
{
	const struct case_row *c = cf->c;
	char **officers = NULL, **actors = NULL, **teams = NULL;
	size_t n_officers = 0, n_actors = 0, n_teams = 0;

	for (size_t i = 0; i < cf->n_msgs; i++)
		if (!cf->msgs[i].out && streq(cf->msgs[i].role, "officer"))
			add_name(&officers, &n_officers, cf->msgs[i].from);
		else if (cf->msgs[i].out && !streq(cf->msgs[i].to, c->complainant_email) &&
		         !streq(cf->msgs[i].to, c->rep_email))
			add_name(&teams, &n_teams, cf->msgs[i].to);
	for (size_t i = 0; i < cf->n_events; i++)
		if (!streq(cf->events[i].actor, "complaintsd"))
			add_name(&actors, &n_actors, cf->events[i].actor);
	buf_puts(out, "<h2>Who handled the case</h2>\n<table class=\"case\">\n");
	row(out, "Officer assigned", c->officer);
	put_names(out, "Officers and teams sent the case", teams, n_teams);
	put_names(out, "Officers who wrote on it", officers, n_officers);
	put_names(out, "Events recorded by (besides complaintsd)", actors, n_actors);
	buf_puts(out, "</table>\n");
}

/* ---- chronology */

static void
put_text(struct buf *out, const char *text)
{
	size_t off = 0;
	_cleanup_free_ char *own = quote_strip_ex(text, &off);

	buf_puts(out, "<pre>");
	ctl_html_escape_n(out, text, off);
	buf_puts(out, "</pre>\n");
	if (text[off] != '\0') {
		buf_puts(out, "<div class=\"quoted\"><p class=\"label\">Quoted, forwarded or signature "
		              "text:</p><pre>");
		ctl_html_escape(out, text + off);
		buf_puts(out, "</pre></div>\n");
	}
}

/* After the text in the page, shown under the header on screen (see css[]);
 * the label only in print, where a page may part them from the header. */
static void
put_attachments(struct buf *out, const struct cf_message *m)
{
	if (m->n_att == 0)
		return;
	(void)buf_printf(out, "<div class=\"att\">\n<p class=\"label\">Attachments to message %zu:</p>\n"
	                      "<ul class=\"att\">\n",
	                 m->n);
	for (size_t i = 0; i < m->n_att; i++) {
		const struct cf_attachment *a = &m->att[i];

		buf_puts(out, "<li><a href=\"attachments/");
		ctl_html_escape(out, a->file);
		buf_puts(out, "\">");
		ctl_html_escape(out, a->file);
		buf_puts(out, "</a>");
		if (!isempty(a->name) && !strstr(a->file, a->name)) {
			buf_puts(out, " (named &ldquo;");
			ctl_html_escape(out, a->name);
			buf_puts(out, "&rdquo;)");
		}
		buf_puts(out, ", ");
		ctl_html_escape(out, a->type);
		(void)buf_printf(out, ", %zu bytes<br><code class=\"sha\">SHA-256 %s</code></li>\n",
		                 a->size, a->sha256);
	}
	buf_puts(out, "</ul>\n</div>\n");
}

static void
put_message(struct buf *out, const struct cf_message *m)
{
	(void)buf_printf(out, "<div class=\"msg %s\" id=\"m%zu\">\n<div class=\"head%s\">\n<p><span "
	                      "class=\"n\">Message %zu</span>, ",
	                 m->out ? "out" : "in", m->n, m->n_att > 0 ? " has-att" : "", m->n);
	if (m->out)
		buf_puts(out, "sent by the council");
	else {
		buf_puts(out, "received from the ");
		ctl_html_escape(out, m->role);
	}
	if (!isempty(m->automatic)) {
		buf_puts(out, " (automatic: ");
		ctl_html_escape(out, m->automatic);
		buf_puts(out, ")");
	}
	if (!streq(m->state, "processed") && !streq(m->state, "sent")) {
		buf_puts(out, " [");
		ctl_html_escape(out, m->state);
		buf_puts(out, "]");
	}
	buf_puts(out, ": ");
	put_time(out, m->date);
	buf_puts(out, "</p>\n<p>From: ");
	ctl_html_escape(out, m->from);
	buf_puts(out, "</p>\n<p>To: ");
	ctl_html_escape(out, isempty(m->to) ? "-" : m->to);
	buf_puts(out, "</p>\n<p>Subject: ");
	ctl_html_escape(out, m->subject);
	buf_puts(out, "</p>\n<p>Source: ");
	if (m->eml != NULL) {
		buf_puts(out, "<a href=\"messages/");
		ctl_html_escape(out, m->eml);
		buf_puts(out, "\">messages/");
		ctl_html_escape(out, m->eml);
		buf_puts(out, "</a> <code class=\"sha\">SHA-256 ");
		buf_puts(out, m->eml_sha256);
		buf_puts(out, "</code>");
	} else
		buf_puts(out, "not kept (too big to fetch when it arrived)");
	buf_puts(out, "</p>\n</div>\n<div class=\"body\">\n");
	put_text(out, m->text);
	buf_puts(out, "</div>\n");
	put_attachments(out, m);
	buf_puts(out, "</div>\n");
}

static void
put_event(struct buf *out, const struct cf_event *e)
{
	buf_puts(out, "<p class=\"event\">");
	put_time(out, e->at);
	buf_puts(out, " &mdash; <strong>");
	ctl_html_escape(out, e->type);
	buf_puts(out, "</strong>: ");
	ctl_html_escape(out, e->detail);
	if (!isempty(e->actor)) {
		buf_puts(out, " <em>(by ");
		ctl_html_escape(out, e->actor);
		buf_puts(out, ")</em>");
	}
	buf_puts(out, "</p>\n");
}

void
casefile_render_html(const struct casefile *cf, struct buf *out)
{
	const struct case_row *c = cf->c;
	_cleanup_free_ char *title = xasprintf("Case file %s", c->ref);
	_cleanup_free_ char *complainant = NULL, *rep = NULL, *stage = NULL;
	size_t i = 0, k = 0, n_att = 0;

	ctl_html_head(out, title, css);
	buf_puts(out, "<h1>");
	ctl_html_escape(out, title);
	buf_puts(out, "</h1>\n<p class=\"meta\">");
	ctl_html_escape(out, cf->ctx->cfg->council_name);
	buf_puts(out, "</p>\n<table class=\"case\">\n");
	row(out, "Subject", c->subject);
	complainant = isempty(c->complainant_name)
	                  ? xstrdup(c->complainant_email)
	                  : xasprintf("%s <%s>", c->complainant_name, c->complainant_email);
	row(out, "Complainant", complainant);
	if (!isempty(c->rep_email)) {
		rep = xasprintf("%s (%s; consent %s)", c->rep_email, c->rep_role, c->rep_consent);
		row(out, "Representative", rep);
	}
	row(out, "Kind", c->kind);
	row(out, "Scheme", streq(c->scheme, "housing") ? cf->ctx->cfg->housing.name
	                                               : cf->ctx->cfg->lgsco.name);
	stage = xasprintf("%d%s", c->stage, c->first_and_final ? " (first and final response)" : "");
	row(out, "Stage", stage);
	row(out, "Status", c->status);
	row(out, "Outcome", c->outcome);
	row(out, "Date received (effective)", c->received_date);
	row(out, "Flags", c->flags);
	buf_puts(out, "</table>\n");
	put_handlers(out, cf);
	put_deadlines(out, cf);

	buf_puts(out, "<h2>Chronology</h2>\n<p>Every message in and out in the order it was recorded, "
	              "and every event on the case. Each message's stored source is in messages/, "
	              "byte for byte; its attachments are in attachments/.</p>\n");
	/* messages keep their own order; an event goes before the first message after it */
	while (i < cf->n_msgs || k < cf->n_events) {
		if (k < cf->n_events && (i == cf->n_msgs || cf->events[k].at < cf->msgs[i].date))
			put_event(out, &cf->events[k++]);
		else {
			n_att += cf->msgs[i].n_att;
			put_message(out, &cf->msgs[i++]);
		}
	}
	(void)buf_printf(out, "<footer><p>%zu message%s, %zu attachment%s, %zu event%s.", cf->n_msgs,
	                 cf->n_msgs == 1 ? "" : "s", n_att, n_att == 1 ? "" : "s", cf->n_events,
	                 cf->n_events == 1 ? "" : "s");
	if (!isempty(cf->generated)) {
		buf_puts(out, " Written ");
		ctl_html_escape(out, cf->generated);
		buf_puts(out, " by complaintsctl casefile.");
	}
	buf_puts(out, "</p></footer>\n");
	ctl_html_tail(out);
}
