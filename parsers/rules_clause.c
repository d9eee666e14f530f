/*
 * rules_clause.c - the text a rule is matched against, cut into clauses.
 *
 * Each clause is normalised (case, punctuation, spacing) and matched as if
 * alone (rxset_scan_clauses()), so a match never spans two clauses and a
 * negation cancels only its own clause (parsers/rules.c).  The clauses are
 * kept in one string, one a line.
 */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "rules_clause.h"
#include "util.h"

void
clauses_free(struct clauses *c)
{
	buf_free(&c->text);
	free(c->start);
	free(c->len);
}

/* The clause text[0, len) without surrounding white space, unless that leaves nothing. */
static void
clause_push(struct clauses *c, const char *text, size_t len)
{
	text = strstrip_span(text, &len);
	if (len == 0)
		return;
	if (c->n == c->alloc) {
		c->alloc = c->alloc ? 2 * c->alloc : 16;
		c->start = xreallocarray(c->start, c->alloc, sizeof(size_t));
		c->len = xreallocarray(c->len, c->alloc, sizeof(size_t));
	}
	c->start[c->n] = c->text.len;
	c->len[c->n++] = len;
	(void)buf_append(&c->text, text, len);
	(void)buf_putc(&c->text, '\n');
}

/*
 * Typographic quotes, dashes and no-break spaces to their ASCII forms.
 * Bytes that need nothing done are copied in runs.  in is NUL-terminated at
 * or after len.
 */
static void
normalise_text(const char *in, size_t len, struct buf *out)
{
	(void)buf_reserve(out, len);
	for (size_t i = 0; i < len; i++) {
		const unsigned char *u = (const unsigned char *)in + i;
		/* in is NUL-terminated at or after len */
		size_t run = strcspn((const char *)u, "\r\t\xc2\xe2");

		if (run > len - i)
			run = len - i;
		if (run > 0) {
			(void)buf_append(out, u, run);
			i += run - 1;
			continue;
		}
		if (u[0] == '\r')
			continue;
		if (u[0] == '\t') {
			(void)buf_putc(out, ' ');
		} else if (u[0] == 0xc2 && i + 1 < len && u[1] == 0xa0) {
			(void)buf_putc(out, ' ');
			i++;
		} else if (u[0] == 0xe2 && i + 2 < len && u[1] == 0x80 &&
		           (u[2] == 0x98 || u[2] == 0x99 || u[2] == 0xb2)) {
			(void)buf_putc(out, '\'');
			i += 2;
		} else if (u[0] == 0xe2 && i + 2 < len && u[1] == 0x80 &&
		           (u[2] == 0x9c || u[2] == 0x9d)) {
			(void)buf_putc(out, '"');
			i += 2;
		} else if (u[0] == 0xe2 && i + 2 < len && u[1] == 0x80 &&
		           (u[2] == 0x93 || u[2] == 0x94)) {
			(void)buf_putc(out, '-');
			i += 2;
		} else {
			(void)buf_putc(out, (char)u[0]);
		}
	}
}

static bool
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* s starts with lower-case word w (n bytes), in any case, and no letter follows. */
static inline bool
word_is(const char *s, const char *w, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if ((char)(s[i] | 0x20) != w[i] || !is_alpha(s[i]))
			return false;
	return !is_alpha(s[n]);
}

/* A word at s that starts a new clause ("but", "however", "although"). */
static bool
clause_word_at(const char *s)
{
	/* most words start with none of these letters */
	switch (s[0] | 0x20) {
	case 'b':
		return word_is(s, "but", 3);
	case 'h':
		return word_is(s, "however", 7);
	case 'a':
		return word_is(s, "although", 8);
	case 't':
		return word_is(s, "though", 6);
	case 'w':
		return word_is(s, "whereas", 7);
	default:
		return false;
	}
}

/* The bytes split_paragraph() stops at. */
static bool
splits(unsigned char c)
{
	return c == ' ' || c == '.' || c == '!' || c == '?' || c == ';' || c == '\0';
}

/*
 * Cut a paragraph (lines already joined by spaces) into clauses at sentence
 * ends and before contrasting conjunctions.  A clause is a stretch of the
 * paragraph: the space before a conjunction belongs to neither side.
 */
static void
split_paragraph(const char *p, struct clauses *out)
{
	size_t start = 0, i = 0;

	for (;; i++) {
		char c;

		while (!splits((unsigned char)p[i]))
			i++;
		c = p[i];
		if (c == '\0')
			break;
		if (c == ' ') {
			if (i > 0 && clause_word_at(p + i + 1)) {
				clause_push(out, p + start, i - start);
				start = i + 1;
			}
			continue;
		}
		if (p[i + 1] == ' ' || !p[i + 1]) {
			clause_push(out, p + start, i + 1 - start);
			start = i + 1;
		}
	}
	clause_push(out, p + start, i - start);
}

static bool
line_ends_sentence(const char *s, size_t len)
{
	while (len > 0 && s[len - 1] == ' ')
		len--;
	return len > 0 && strchr(".!?:;", s[len - 1]) != NULL;
}

/* Cut text into clauses; lines wrapped by the mail client are joined first. */
void
clauses_add_text(const char *text, struct clauses *out)
{
	_cleanup_buf_ struct buf norm = BUF_INIT, para = BUF_INIT;
	size_t len = strlen(text);
	const char *p;

	if (len > RULES_TEXT_MAX)
		len = RULES_TEXT_MAX;
	normalise_text(text, len, &norm);
	p = buf_str(&norm);
	for (;;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		const char *next = nl ? nl + 1 : NULL;
		size_t lead = 0;

		while (lead < n && p[lead] == ' ')
			lead++;
		if (lead == n) {
			/* A blank line ends the paragraph. */
			if (para.len > 0)
				split_paragraph(buf_str(&para), out);
			buf_reset(&para);
		} else {
			bool short_line = n < 60;
			bool next_starts = next && (*next >= 'A' && *next <= 'Z');

			if (para.len > 0)
				(void)buf_putc(&para, ' ');
			(void)buf_append(&para, p + lead, n - lead);
			/* One sentence per line, not a wrapped one: end the paragraph. */
			if (line_ends_sentence(p, n) || (short_line && next_starts)) {
				split_paragraph(buf_str(&para), out);
				buf_reset(&para);
			}
		}
		if (nl == NULL)
			break;
		p = next;
	}
	if (para.len > 0)
		split_paragraph(buf_str(&para), out);
}
