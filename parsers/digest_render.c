/*
 * digest_render.c - the weekly digest's list of cases as plain text and as
 * an HTML table.  See digest_list.h.
 *
 * The text part is read in Outlook's proportional font: each case is a
 * short block of labelled lines, never columns padded with spaces.  The
 * HTML part is one table with inline styles (mail clients drop style
 * sheets), no scripts, no images, nothing fetched.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "compose.h"
#include "digest_list.h"
#include "util.h"

/* What one value may take of a digest line, in bytes (subjects, names). */
#define DIGEST_FIELD_MAX 200

static const char *const group_titles[_DIGEST_GROUP_MAX] = {
	[DIGEST_OVERDUE] = "Overdue",
	[DIGEST_DUE_SOON] = "Due within",
	[DIGEST_OTHER] = "Other open cases",
};

/* One line of text from a case's field: controls to spaces, UTF-8 repaired, cut at max bytes. */
static char *
field(const char *s, const char *if_empty)
{
	char *c = compose_clean_text(s ? s : "");
	size_t n = strlen(c);

	if (n > DIGEST_FIELD_MAX) {
		n = DIGEST_FIELD_MAX;
		while (n > 0 && ((unsigned char)c[n] & 0xC0) == 0x80)
			n--;
		c[n] = '\0';
		char *cut = xasprintf("%s...", c);

		free(c);
		c = cut;
	}
	if (*c == '\0' && if_empty != NULL) {
		free(c);
		c = xstrdup(if_empty);
	}
	return c;
}

static char *
group_title(enum digest_group g, int days_ahead)
{
	if (g == DIGEST_DUE_SOON)
		return xasprintf("%s %d working day%s", group_titles[g], days_ahead,
				 days_ahead == 1 ? "" : "s");
	return xstrdup(group_titles[g]);
}

/* "Stage 1", or the kind of case in words for what is not a complaint. */
static char *
stage_words(const struct digest_case *c)
{
	if (isempty(c->kind) || streq(c->kind, "complaint"))
		return xasprintf("Stage %d", c->stage);
	if (streq(c->kind, "service_request"))
		return xstrdup("Service request");
	if (streq(c->kind, "member_enquiry"))
		return xstrdup("Member enquiry");
	if (streq(c->kind, "other_process"))
		return xstrdup("Other process");
	return field(c->kind, "");
}

static char *
complainant(const struct digest_case *c)
{
	_cleanup_free_ char *name = field(c->complainant_name, NULL);
	_cleanup_free_ char *email = field(c->complainant_email, NULL);

	if (*name && *email)
		return xasprintf("%s (%s)", name, email);
	return xstrdup(*name ? name : *email ? email : "not known");
}

/* "waste (waste-team@council.example)", "no team ([routing])" */
static char *
team_words(const struct digest_case *c)
{
	_cleanup_free_ char *name = field(c->team_name, NULL);
	_cleanup_free_ char *addr = field(c->team, NULL);

	if (*addr == '\0')
		return xstrdup("no team ([routing])");
	return *name ? xasprintf("%s (%s)", name, addr) : xstrdup(addr);
}

/* "Monday 7 December 2026", or "no date set". */
static char *
due_date(const struct digest_entry *e)
{
	return e->has_due ? cal_date_format_long(e->due) : xstrdup("no date set");
}

/* "4 working days late", "due today", "in 2 working days", "" */
static char *
due_note(const struct digest_entry *e)
{
	if (!e->has_due)
		return xstrdup("");
	if (e->group == DIGEST_OVERDUE)
		return xasprintf("%ld working day%s late", e->days_late, e->days_late == 1 ? "" : "s");
	if (e->days_left == 0)
		return xstrdup("due today");
	return xasprintf("in %ld working day%s", e->days_left, e->days_left == 1 ? "" : "s");
}

char *
digest_summary(const struct digest_view *v)
{
	size_t n[_DIGEST_GROUP_MAX];

	digest_count(v->e, v->n, n);
	return xasprintf("%zu open case%s, %zu overdue", v->n, v->n == 1 ? "" : "s",
			 n[DIGEST_OVERDUE]);
}

char *
digest_text_cases(const struct digest_view *v)
{
	_cleanup_buf_ struct buf b = BUF_INIT;
	size_t n[_DIGEST_GROUP_MAX];
	size_t i = 0;

	digest_count(v->e, v->n, n);
	for (int g = 0; g < _DIGEST_GROUP_MAX; g++) {
		_cleanup_free_ char *title = NULL;

		if (n[g] == 0)
			continue;
		title = group_title(g, v->days_ahead);
		if (b.len > 0)
			buf_puts(&b, "\n");
		buf_printf(&b, "%s: %zu\n", title, n[g]);
		for (; i < v->n && (int)v->e[i].group == g; i++) {
			const struct digest_entry *e = &v->e[i];
			_cleanup_free_ char *ref = field(e->c->ref, "");
			_cleanup_free_ char *subject = field(e->c->subject, "(no subject)");
			_cleanup_free_ char *who = complainant(e->c);
			_cleanup_free_ char *stage = stage_words(e->c);
			_cleanup_free_ char *date = due_date(e);
			_cleanup_free_ char *note = due_note(e);
			_cleanup_free_ char *officer = field(e->c->officer, v->no_officer);

			buf_printf(&b, "\n%s: %s\n", ref, subject);
			buf_printf(&b, "Complainant: %s\n", who);
			if (e->has_due)
				buf_printf(&b, "%s, %s due %s (%s)\n", stage, e->due_what, date, note);
			else
				buf_printf(&b, "%s, no date due\n", stage);
			buf_printf(&b, "Officer: %s\n", officer);
			if (v->show_team) {
				_cleanup_free_ char *team = team_words(e->c);

				buf_printf(&b, "Team: %s\n", team);
			}
		}
	}
	if (v->n == 0)
		buf_puts(&b, "No open cases.\n");
	return buf_steal(&b);
}

void
digest_html_escape(struct buf *out, const char *s)
{
	(void)buf_put_html(out, s, strlen(s));
}

#define FONT "font-family:Calibri,Arial,Helvetica,sans-serif;font-size:14px;"
/* Narrow padding and break points everywhere: Outlook's reading pane is about 700 px wide. */
#define CELL "padding:5px 6px;border-bottom:1px solid #d0d7de;vertical-align:top;text-align:left;"
/* a subject's long word (a URL) may break anywhere rather than widen the table; addresses
 * break at their dots and "@" instead (address_html) */
#define BREAK "overflow-wrap:anywhere;word-break:break-word;"

static void
td(struct buf *b, const char *style, const char *text)
{
	buf_printf(b, "<td style=\"" CELL "%s\">", style);
	digest_html_escape(b, text);
	buf_puts(b, "</td>");
}

/* The colour of each group's heading row, and of the dates in it. */
static const char *const group_bg[_DIGEST_GROUP_MAX] = {"#fbe3e3", "#fff4d6", "#eef1f4"};
static const char *const group_fg[_DIGEST_GROUP_MAX] = {"#8a1414", "#6b4a00", "#24292f"};

#define GREY "color:#57606a;"

/*
 * An address, escaped, allowed to break before its "@" and after each ".",
 * "-", "_" and "+" (where a reader expects it to), so that a long one wraps
 * in a narrow reading pane instead of widening the table.
 */
static void
address_html(struct buf *b, const char *addr)
{
	for (const char *p = addr; *p; p++) {
		char one[2] = {*p, '\0'};

		if (*p == '@' && p != addr)
			buf_puts(b, "<wbr>");
		digest_html_escape(b, one);
		if (strchr(".-_+", *p) != NULL && p[1] != '\0' && p[1] != '@')
			buf_puts(b, "<wbr>");
	}
}

/* The reference above the subject: one column for both keeps the table narrow. */
static void
case_cell(struct buf *b, const struct digest_case *c)
{
	_cleanup_free_ char *ref = field(c->ref, "");
	_cleanup_free_ char *subject = field(c->subject, "(no subject)");

	buf_puts(b, "<td style=\"" CELL BREAK "\"><strong style=\"white-space:nowrap;\">");
	digest_html_escape(b, ref);
	buf_puts(b, "</strong><br>");
	digest_html_escape(b, subject);
	buf_puts(b, "</td>");
}

/* The name above the address. */
static void
complainant_cell(struct buf *b, const struct digest_case *c)
{
	_cleanup_free_ char *name = field(c->complainant_name, NULL);
	_cleanup_free_ char *email = field(c->complainant_email, NULL);

	buf_puts(b, "<td style=\"" CELL "\">");
	digest_html_escape(b, *name ? name : *email ? "" : "not known");
	if (*name && *email)
		buf_puts(b, "<br>");
	if (*email) {
		buf_puts(b, "<span style=\"" GREY "\">");
		address_html(b, email);
		buf_puts(b, "</span>");
	}
	buf_puts(b, "</td>");
}

/*
 * The stage, what is due, when, and how late or how soon, as the text part
 * says it ("Stage 1, response due"): one column for the stage and the date
 * keeps the table inside a reading pane.
 */
static void
due_cell(struct buf *b, const struct digest_entry *e, const char *width)
{
	_cleanup_free_ char *stage = stage_words(e->c);
	_cleanup_free_ char *date = due_date(e);
	_cleanup_free_ char *note = due_note(e);

	buf_printf(b, "<td width=\"%s\" style=\"" CELL "\">", width);
	digest_html_escape(b, stage);
	if (e->has_due) {
		buf_printf(b, ", %s due<br>", e->due_what);
		digest_html_escape(b, date);
		buf_printf(b, "<br><span style=\"color:%s;%s\">", group_fg[e->group],
			   e->group == DIGEST_OVERDUE ? "font-weight:bold;" : "");
		digest_html_escape(b, note);
		buf_puts(b, "</span>");
	} else
		buf_puts(b, "<br><span style=\"" GREY "\">No date set</span>");
	buf_puts(b, "</td>");
}

static void
officer_cell(struct buf *b, const struct digest_case *c, const char *no_officer)
{
	_cleanup_free_ char *officer = field(c->officer, NULL);

	if (*officer == '\0') {
		td(b, GREY, no_officer ? no_officer : "");
		return;
	}
	buf_puts(b, "<td style=\"" CELL "\">");
	address_html(b, officer);
	buf_puts(b, "</td>");
}

/* The team's [routing] name above its address. */
static void
team_cell(struct buf *b, const struct digest_case *c)
{
	_cleanup_free_ char *name = field(c->team_name, NULL);
	_cleanup_free_ char *addr = field(c->team, NULL);

	if (*addr == '\0') {
		td(b, GREY, "no team");
		return;
	}
	for (char *p = name; *p; p++)
		if (*p == '_')
			*p = ' ';
	buf_puts(b, "<td style=\"" CELL "\">");
	if (*name) {
		digest_html_escape(b, name);
		buf_puts(b, "<br>");
	}
	buf_puts(b, "<span style=\"" GREY "font-size:12px;\">");
	address_html(b, addr);
	buf_puts(b, "</span></td>");
}

char *
digest_html_table(const struct digest_view *v)
{
	_cleanup_buf_ struct buf b = BUF_INIT;
	static const char *const heads[] = {"Case", "Complainant", "Next date due",
					    "Officer", "Team"};
	size_t ncols = v->show_team ? 5 : 4;
	/* the date column's share: its longest line ("Acknowledgement due", a long date) */
	const char *due_width = v->show_team ? "27%" : "32%";
	size_t n[_DIGEST_GROUP_MAX];
	size_t i = 0;

	if (v->n == 0)
		return xstrdup("<p style=\"" FONT "\">No open cases.</p>\n");
	digest_count(v->e, v->n, n);
	buf_puts(&b, "<table cellpadding=\"0\" cellspacing=\"0\" border=\"0\" width=\"100%\" "
		     "style=\"border-collapse:collapse;" FONT "color:#24292f;\">\n<tr>");
	for (size_t k = 0; k < ncols; k++)
		buf_printf(&b, "<th bgcolor=\"#24292f\" style=\"" CELL "background:#24292f;"
			       "color:#ffffff;font-weight:bold;border-bottom:0;white-space:nowrap;\">%s</th>",
			   heads[k]);
	buf_puts(&b, "</tr>\n");
	for (int g = 0; g < _DIGEST_GROUP_MAX; g++) {
		_cleanup_free_ char *title = NULL;

		if (n[g] == 0)
			continue;
		title = group_title(g, v->days_ahead);
		buf_printf(&b, "<tr><td colspan=\"%zu\" bgcolor=\"%s\" style=\"" CELL
			       "background:%s;color:%s;font-weight:bold;\">",
			   ncols, group_bg[g], group_bg[g], group_fg[g]);
		digest_html_escape(&b, title);
		buf_printf(&b, " (%zu)</td></tr>\n", n[g]);
		for (; i < v->n && (int)v->e[i].group == g; i++) {
			const struct digest_entry *e = &v->e[i];

			buf_puts(&b, "<tr>");
			case_cell(&b, e->c);
			complainant_cell(&b, e->c);
			due_cell(&b, e, due_width);
			officer_cell(&b, e->c, v->no_officer);
			if (v->show_team)
				team_cell(&b, e->c);
			buf_puts(&b, "</tr>\n");
		}
	}
	buf_puts(&b, "</table>\n");
	return buf_steal(&b);
}

/* Text as paragraphs: blank lines between them, line breaks kept, all escaped. */
static void
paragraphs(struct buf *b, const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t start, end;

		while (i < len && (s[i] == '\n' || s[i] == ' '))
			i++;
		if (i >= len)
			break;
		start = i;
		/* the paragraph ends at a blank line */
		while (i < len && !(s[i] == '\n' && (i + 1 >= len || s[i + 1] == '\n')))
			i++;
		end = i;
		buf_puts(b, "<p style=\"" FONT "margin:0 0 12px 0;line-height:1.4;\">");
		for (size_t k = start; k < end; k++) {
			char one[2] = {s[k], '\0'};

			if (s[k] == '\n')
				buf_puts(b, "<br>\n");
			else
				digest_html_escape(b, one);
		}
		buf_puts(b, "</p>\n");
	}
}

char *
digest_html_document(const char *title, const char *body, const char *marker, const char *table)
{
	_cleanup_buf_ struct buf b = BUF_INIT;
	size_t mlen = strlen(marker);
	const char *p = body;

	buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n"
		     "<meta name=\"viewport\" content=\"width=device-width\">\n<title>");
	digest_html_escape(&b, title);
	buf_puts(&b, "</title>\n</head>\n<body style=\"margin:0;padding:16px;background:#ffffff;"
		     "color:#24292f;" FONT "\">\n");
	for (;;) {
		const char *m = mlen ? strstr(p, marker) : NULL;

		if (m == NULL) {
			paragraphs(&b, p, strlen(p));
			break;
		}
		paragraphs(&b, p, (size_t)(m - p));
		buf_puts(&b, table);
		buf_puts(&b, "<p style=\"margin:0 0 12px 0;\"></p>\n");
		p = m + mlen;
	}
	buf_puts(&b, "</body>\n</html>\n");
	return buf_steal(&b);
}
