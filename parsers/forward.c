/*
 * forward.c - inline forwarded-message blocks in a text body.
 *
 * Works line by line on the already normalised UTF-8 body (LF line ends).
 * A block is a marker line, a header block (From/Date/Sent/Subject/To/Cc,
 * possibly decorated with '*' by an HTML conversion) and the text after it
 * up to the next marker.  Every returned string is valid UTF-8 on one line
 * except the body.
 */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "charset.h"
#include "forward.h"
#include "util.h"

void
forward_lower_domain(char *email)
{
	char *at = strrchr(email, '@');

	if (at)
		ascii_strlower(at);
}

void
forward_parse_address(const char *s, struct msg_address *ret)
{
	_cleanup_free_ char *t = text_clean_line(s);
	char *lt, *gt, *name;

	lt = strrchr(t, '<');
	if (!lt)
		lt = strstr(t, "[mailto:");
	gt = lt ? strchr(lt, *lt == '<' ? '>' : ']') : NULL;
	if (lt && gt) {
		char *addr = lt + (*lt == '<' ? 1 : 8);

		*gt = '\0';
		*lt = '\0';
		if (startswith_nocase(addr, "mailto:"))
			addr += 7;
		ret->email = xstrdup(strstrip(addr));
		name = strstrip(t);
	} else if (strchr(t, '@') && !strchr(strstrip(t), ' ')) {
		ret->email = xstrdup(strstrip(t));
		t[0] = '\0';
		name = t;
	} else {
		ret->email = xstrdup("");
		name = strstrip(t);
	}
	size_t n = strlen(name);
	if (n >= 2 && name[0] == '"' && name[n - 1] == '"') {
		name[n - 1] = '\0';
		name++;
	}
	ret->name = xstrdup(strstrip(name));
	forward_lower_domain(ret->email);
}

enum marker { MARK_NONE, MARK_RULER, MARK_OUTLOOK_HEADERS };

/* Strip '*', '>' decoration and blanks from the front of a header-ish line. */
static const char *
undecorate(const char *l)
{
	while (*l == ' ' || *l == '\t' || *l == '*')
		l++;
	return l;
}

static enum marker
marker_at(const char *l, size_t n, bool outlook, const char *next)
{
	_cleanup_free_ char *line = xstrndup(l, n);
	char *s = strstrip(line);

	if (startswith_nocase(s, "begin forwarded message"))
		return MARK_RULER;
	if (s[0] == '-' && (ascii_strcasestr(s, "forwarded message") ||
	                    ascii_strcasestr(s, "weitergeleitete nachricht")))
		return MARK_RULER;
	if (outlook && s[0] == '-' && ascii_strcasestr(s, "original message"))
		return MARK_RULER;
	if (outlook && startswith_nocase(undecorate(s), "from:") && next &&
	    startswith_nocase(undecorate(next), "sent:"))
		return MARK_OUTLOOK_HEADERS;
	return MARK_NONE;
}

static const char *
next_line(const char *p)
{
	const char *e = strchr(p, '\n');

	return e ? e + 1 : NULL;
}

/* Value of "Name: value" when l (up to n) starts with name, else NULL; malloc'ed. */
static char *
header_value(const char *l, size_t n, const char *name)
{
	_cleanup_free_ char *line = xstrndup(l, n);
	const char *v = startswith_nocase(undecorate(line), name);

	if (!v)
		return NULL;
	while (*v == '*' || *v == ' ' || *v == '\t')
		v++;
	return text_clean_line(v);
}

void
forward_find_inline(const char *body, bool outlook_forward, struct msg_forward **fwds, size_t *n)
{
	const char *p = body;

	while (p && *p) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		const char *nl = next_line(p);
		enum marker m = marker_at(p, len, outlook_forward, nl);
		struct msg_forward f = {.inline_block = true};
		struct buf text = BUF_INIT;
		bool in_headers = true, any = false;
		char *last = NULL; /* the field a continuation line extends */

		if (m == MARK_NONE) {
			p = nl;
			continue;
		}
		if (m == MARK_RULER)
			p = nl;
		/* Header block: skip blank lines before it, stop at the first blank after it. */
		while (p && *p && in_headers) {
			const char *le = strchr(p, '\n');
			size_t ll = le ? (size_t)(le - p) : strlen(p);
			char *v;
			bool blank = strspn(p, " \t") >= ll;

			if (blank) {
				if (any)
					in_headers = false;
				p = next_line(p);
				continue;
			}
			if ((v = header_value(p, ll, "from:"))) {
				free(f.from.name);
				free(f.from.email);
				forward_parse_address(v, &f.from);
				free(v);
				last = NULL;
			} else if ((v = header_value(p, ll, "subject:"))) {
				free(f.subject);
				f.subject = v;
				last = NULL;
			} else if ((v = header_value(p, ll, "date:")) ||
			           (v = header_value(p, ll, "sent:"))) {
				free(f.date);
				f.date = v;
				last = NULL;
			} else if ((v = header_value(p, ll, "to:")) ||
			           (v = header_value(p, ll, "cc:")) ||
			           (v = header_value(p, ll, "reply-to:")) ||
			           (v = header_value(p, ll, "bcc:"))) {
				free(v);
				last = NULL;
			} else if (any && (p[0] == ' ' || p[0] == '\t')) {
				(void)last; /* folded continuation of a field we do not keep */
			} else if (any) {
				in_headers = false;
				continue; /* text starts without a blank line */
			} else {
				break; /* marker without a header block */
			}
			any = true;
			p = next_line(p);
		}
		/* Body up to the next marker. */
		while (p && *p) {
			const char *le = strchr(p, '\n');
			size_t ll = le ? (size_t)(le - p) : strlen(p);

			if (marker_at(p, ll, outlook_forward, next_line(p)) != MARK_NONE)
				break;
			(void)buf_append(&text, p, ll);
			(void)buf_putc(&text, '\n');
			p = next_line(p);
		}
		if (!any) {
			buf_free(&text);
			free(f.from.name);
			free(f.from.email);
			free(f.subject);
			free(f.date);
			continue;
		}
		f.body = text_clean_body(buf_str(&text));
		buf_free(&text);
		if (!f.from.name)
			f.from.name = xstrdup(""), f.from.email = xstrdup("");
		if (!f.subject)
			f.subject = xstrdup("");
		if (!f.date)
			f.date = xstrdup("");
		*fwds = xreallocarray(*fwds, *n + 1, sizeof(**fwds));
		(*fwds)[(*n)++] = f;
	}
}
