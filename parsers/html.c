/*
 * html.c - HTML mail body to plain text.
 *
 * A single pass over the input: tags are recognised and dropped (a few turn
 * into line breaks), text white space is collapsed as a browser would, and
 * named and numeric character references are decoded.  A final pass trims
 * every line and keeps at most one blank line in a row.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "charset.h"
#include "html.h"
#include "util.h"

static const struct {
	const char *name;
	const char *utf8;
} entities[] = {
    {"amp", "&"},    {"lt", "<"},     {"gt", ">"},     {"quot", "\""},  {"apos", "'"},
    {"nbsp", " "},   {"pound", "£"},  {"euro", "€"},   {"copy", "©"},   {"reg", "®"},
    {"trade", "™"},  {"ndash", "–"},  {"mdash", "—"},  {"hellip", "…"}, {"lsquo", "‘"},
    {"rsquo", "’"},  {"ldquo", "“"},  {"rdquo", "”"},  {"bull", "•"},   {"middot", "·"},
    {"deg", "°"},    {"sect", "§"},   {"eacute", "é"}, {"egrave", "è"}, {"agrave", "à"},
    {"aacute", "á"}, {"ccedil", "ç"}, {"ouml", "ö"},   {"uuml", "ü"},   {"auml", "ä"},
    {"szlig", "ß"},  {"Ouml", "Ö"},   {"Uuml", "Ü"},   {"Auml", "Ä"},   {"iacute", "í"},
    {"oacute", "ó"}, {"uacute", "ú"}, {"ntilde", "ñ"}, {"times", "×"},  {"frac12", "½"},
    {"shy", ""},     {"zwnj", ""},    {"zwj", ""},     {"ensp", " "},   {"emsp", " "},
    {"thinsp", " "}, {"laquo", "«"},  {"raquo", "»"},
};

static bool
tag_is(const char *tag, const char *const *list)
{
	for (; *list; list++)
		if (streq(tag, *list))
			return true;
	return false;
}

/* Decode the reference at p ('&'); appends to b and returns the bytes consumed. */
static size_t
decode_entity(struct buf *b, const char *p)
{
	char tmp[4];
	size_t i = 1;

	if (p[1] == '#') {
		unsigned long cp = 0;
		bool hex = p[2] == 'x' || p[2] == 'X';
		size_t digits = 0;

		i = hex ? 3 : 2;
		for (;; i++) {
			char c = p[i];
			int d;

			if (c >= '0' && c <= '9')
				d = c - '0';
			else if (hex && c >= 'a' && c <= 'f')
				d = c - 'a' + 10;
			else if (hex && c >= 'A' && c <= 'F')
				d = c - 'A' + 10;
			else
				break;
			if (cp <= 0x10ffff)
				cp = cp * (hex ? 16 : 10) + (unsigned long)d;
			digits++;
		}
		if (digits == 0) {
			(void)buf_putc(b, '&');
			return 1;
		}
		if (p[i] == ';')
			i++;
		if (cp == 0xa0)
			cp = ' ';
		(void)buf_append(b, tmp, utf8_encode(cp, tmp));
		return i;
	}
	while (i < 12 && ((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') ||
	                  (p[i] >= '0' && p[i] <= '9')))
		i++;
	for (size_t e = 0; e < ELEMENTSOF(entities); e++) {
		size_t n = strlen(entities[e].name);

		if (n == i - 1 && strncmp(p + 1, entities[e].name, n) == 0) {
			(void)buf_puts(b, entities[e].utf8);
			return p[i] == ';' ? i + 1 : i;
		}
	}
	(void)buf_putc(b, '&');
	return 1;
}

/* Trim each line, drop runs of more than one blank line. */
static char *
tidy_lines(const char *s)
{
	struct buf b = BUF_INIT;
	int blank = 1; /* treat the start as after a blank line */

	while (*s) {
		const char *e = strchr(s, '\n');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		const char *a = s, *z = s + n;

		while (a < z && (*a == ' ' || *a == '\t'))
			a++;
		while (z > a && (z[-1] == ' ' || z[-1] == '\t'))
			z--;
		if (a == z) {
			if (!blank)
				(void)buf_putc(&b, '\n');
			blank++;
		} else {
			(void)buf_append(&b, a, (size_t)(z - a));
			(void)buf_putc(&b, '\n');
			blank = 0;
		}
		s += n;
		if (*s == '\n')
			s++;
	}
	while (b.len > 0 && b.data[b.len - 1] == '\n')
		b.data[--b.len] = '\0';
	return buf_steal(&b);
}

char *
html_to_text(const char *html)
{
	static const char *const skip[] = {"script", "style", "head", "title", NULL};
	static const char *const para[] = {"p",      "/p",         "h1",          "h2",  "h3",
	                                   "h4",     "h5",         "h6",          "/h1", "/h2",
	                                   "/h3",    "/h4",        "/h5",         "/h6", "table",
	                                   "/table", "blockquote", "/blockquote", "hr",  NULL};
	static const char *const line[] = {"br", "div", "/div",    "tr",       "/tr", "/li",
	                                   "ul", "/ul", "ol",      "/ol",      "pre", "/pre",
	                                   "dt", "dd",  "address", "/address", NULL};
	_cleanup_buf_ struct buf b = BUF_INIT;
	const char *p = html;
	bool space = false;
	int pre = 0;

	while (*p) {
		if (*p == '<' && (p[1] == '!' || p[1] == '/' || p[1] == '?' ||
		                  (p[1] >= 'a' && p[1] <= 'z') || (p[1] >= 'A' && p[1] <= 'Z'))) {
			char tag[16];
			size_t t = 0;
			const char *q = p + 1;
			char quote = 0;

			if (strncmp(p, "<!--", 4) == 0) {
				const char *e = strstr(p + 4, "-->");

				p = e ? e + 3 : p + strlen(p);
				continue;
			}
			if (*q == '/')
				tag[t++] = *q++;
			while (t < sizeof(tag) - 1 &&
			       ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
			        (*q >= '0' && *q <= '9')))
				tag[t++] = (char)(*q >= 'A' && *q <= 'Z' ? *q + 32 : *q), q++;
			tag[t] = '\0';
			for (; *q && (quote || *q != '>'); q++) {
				if (quote && *q == quote)
					quote = 0;
				else if (!quote && (*q == '"' || *q == '\'') && q[-1] == '=')
					quote = *q;
			}
			p = *q ? q + 1 : q;
			if (tag_is(tag, skip)) {
				/* Skip to the matching end tag. */
				_cleanup_free_ char *end = xasprintf("</%s", tag);
				const char *e = ascii_strcasestr(p, end);

				if (!e) {
					p += strlen(p);
					continue;
				}
				e = strchr(e, '>');
				p = e ? e + 1 : p + strlen(p);
				continue;
			}
			if (streq(tag, "pre"))
				pre++;
			else if (streq(tag, "/pre") && pre > 0)
				pre--;
			bool at_start = b.len == 0 || b.data[b.len - 1] == '\n';

			if (tag_is(tag, para))
				(void)buf_puts(&b, "\n\n");
			else if (streq(tag, "br"))
				(void)buf_putc(&b, '\n');
			else if (tag_is(tag, line) && !at_start)
				(void)buf_putc(&b, '\n');
			else if (streq(tag, "li"))
				(void)buf_puts(&b, at_start ? "- " : "\n- ");
			else if (streq(tag, "td") || streq(tag, "th"))
				space = true;
			if (b.len > 0 && b.data[b.len - 1] == '\n')
				space = false;
			continue;
		}
		if (!pre && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) {
			space = true;
			p++;
			continue;
		}
		if (space && b.len > 0 && b.data[b.len - 1] != '\n')
			(void)buf_putc(&b, ' ');
		space = false;
		if (*p == '&')
			p += decode_entity(&b, p);
		else
			(void)buf_putc(&b, *p++);
	}
	return tidy_lines(buf_str(&b));
}
