/*
 * threadkey.c - case references, normalised subjects and Message-IDs.
 *
 * Guarantees: no read past the terminating NUL whatever the bytes (partial
 * UTF-8 sequences included), linear time in the input, and results that only
 * depend on the input (no locale: ASCII case folding only).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>

#include "buf.h"
#include "threadkey.h"
#include "util.h"

#define MSGID_MAX 998
#define SUBJECT_MAX 2000

static bool
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_alnum(char c)
{
	return is_alpha(c) || is_digit(c);
}

/* Bytes of white space at p (ASCII blank, CR, LF, no-break space), or 0. */
static size_t
space_len(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;

	if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		return 1;
	if (u[0] == 0xc2 && u[1] == 0xa0)
		return 2;
	return 0;
}

/* Bytes of one reference separator at p: white space, '-', '_' or a Unicode dash; or 0. */
static size_t
sep_len(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;

	if (*p == '-' || *p == '_')
		return 1;
	/* U+2010..U+2015 hyphens and dashes, U+2212 minus sign */
	if (u[0] == 0xe2 && u[1] == 0x80 && u[2] >= 0x90 && u[2] <= 0x95)
		return 3;
	if (u[0] == 0xe2 && u[1] == 0x88 && u[2] == 0x92)
		return 3;
	return space_len(p);
}

/* Skip 1-3 separators; NULL when there are none or more. */
static const char *
skip_seps(const char *p)
{
	size_t l;
	int n = 0;

	while ((l = sep_len(p)) > 0) {
		p += l;
		if (++n > 3)
			return NULL;
	}
	return n > 0 ? p : NULL;
}

/*
 * Match "YYYY<sep>N..." at p (just after a prefix).  On success sets the
 * year and sequence and returns the end of the match; NULL otherwise.
 */
static const char *
match_numbers(const char *p, int *ret_year, long *ret_seq)
{
	int year = 0;
	long seq = 0;
	size_t n;

	p = skip_seps(p);
	if (p == NULL)
		return NULL;
	for (n = 0; is_digit(p[n]); n++)
		if (n < 4)
			year = year * 10 + (p[n] - '0');
	if (n != 4 || year < 2000 || year > 2099)
		return NULL;
	p = skip_seps(p + 4);
	if (p == NULL)
		return NULL;
	for (n = 0; is_digit(p[n]); n++)
		if (n < 6)
			seq = seq * 10 + (p[n] - '0');
	if (n == 0 || n > 6 || seq == 0 || is_alpha(p[n]))
		return NULL;
	*ret_year = year;
	*ret_seq = seq;
	return p + n;
}

bool
threadkey_prefix_valid(const char *prefix)
{
	size_t n = 0;

	if (prefix == NULL || !is_alpha(prefix[0]))
		return false;
	for (; prefix[n] != '\0'; n++)
		if (!is_alnum(prefix[n]) || n >= THREADKEY_PREFIX_MAX)
			return false;
	return true;
}

char *
threadkey_format_ref(const char *prefix, int year, long seq)
{
	if (!threadkey_prefix_valid(prefix) || year < 2000 || year > 2099 || seq < 1 ||
	    seq > 999999)
		return NULL;
	return xasprintf("%s-%04d-%06ld", prefix, year, seq);
}

bool
threadkey_find_ref(const char *subject, const char *prefix, char ret[static THREADKEY_REF_MAX])
{
	size_t plen;

	ret[0] = '\0';
	if (subject == NULL || !threadkey_prefix_valid(prefix))
		return false;
	plen = strlen(prefix);
	for (const char *p = subject; *p != '\0'; p++) {
		int year, r;
		long seq;

		if (!ascii_strncaseeq(p, prefix, plen) || (p > subject && is_alnum(p[-1])))
			continue;
		if (match_numbers(p + plen, &year, &seq) == NULL)
			continue;
		r = snprintf(ret, THREADKEY_REF_MAX, "%s-%04d-%06ld", prefix, year, seq);
		if (r < 0 || r >= THREADKEY_REF_MAX) {
			ret[0] = '\0';
			return false;
		}
		return true;
	}
	return false;
}

/* ---- subjects */

/* Reply and forward markers, compared ASCII case-insensitively, before ':'. */
static const char *const reply_words[] = {
	"re", "fwd", "fw", "aw", "wg", "sv", "vs", "antw", "antwort", "doorst", "rv", "tr", "r",
	"r\xc3\xa9" "f", "R\xc3\x89" "F", "ref", "odp", "pd", "enc", "res", "vb", "vl", "ynt", "rif",
	"sv\xc3\xa1" "r", "yn", "trs", "fs",
};

/* Subjects that say nothing about the matter and so must never thread. */
static const char *const generic_subjects[] = {
	"complaint", "complaints", "a complaint", "formal complaint", "new complaint",
	"my complaint", "complaint form", "official complaint", "enquiry", "enquiries",
	"general enquiry", "inquiry", "help", "help needed", "question", "query", "feedback",
	"no subject", "untitled", "none", "hello", "hi", "urgent", "request", "information",
	"info", "fyi", "test", "contact", "contact us", "email", "message", "issue", "problem",
	"council", "stage 2", "escalation", "reply", "response", "follow up", "follow-up",
};

/* If a reply/forward marker ("Re:", "RE :", "Re[2]:", "AW:") starts at p, return its end. */
static const char *
skip_reply_marker(const char *p)
{
	for (size_t i = 0; i < ELEMENTSOF(reply_words); i++) {
		const char *q = startswith_nocase(p, reply_words[i]);

		if (q == NULL)
			continue;
		/* a counter: Re[2]: Re(2): Re^2: */
		if (*q == '[' || *q == '(' || *q == '^') {
			char close = *q == '[' ? ']' : *q == '(' ? ')' : '\0';
			const char *d = q + 1;

			while (is_digit(*d))
				d++;
			if (d == q + 1 || d - q > 5)
				continue;
			if (close != '\0' && *d++ != close)
				continue;
			q = d;
		}
		while (space_len(q) > 0)
			q += space_len(q);
		if (*q == ':')
			return q + 1;
		if (startswith(q, "\xef\xbc\x9a")) /* fullwidth colon */
			return q + 3;
	}
	return NULL;
}

/* If a bracketed tag ("[EXTERNAL]", "[council-list]") starts at p, return its end. */
static const char *
skip_tag(const char *p)
{
	if (*p != '[')
		return NULL;
	for (size_t i = 1; i < 64 && p[i] != '\0'; i++) {
		if (p[i] == '[')
			return NULL;
		if (p[i] == ']')
			return i > 1 ? p + i + 1 : NULL;
	}
	return NULL;
}

/* If a bracketed reference of any prefix ("[ HSG-2026-12 ]") starts at p, return its end. */
static const char *
skip_ref_tag(const char *p)
{
	const char *q;
	size_t l, n = 0;
	int year;
	long seq;

	if (*p != '[')
		return NULL;
	q = p + 1;
	while ((l = space_len(q)) > 0)
		q += l;
	while (is_alpha(q[n]))
		n++;
	if (n == 0 || n > THREADKEY_PREFIX_MAX)
		return NULL;
	q = match_numbers(q + n, &year, &seq);
	if (q == NULL)
		return NULL;
	while ((l = space_len(q)) > 0)
		q += l;
	return *q == ']' ? q + 1 : NULL;
}

static bool
is_trim_char(char c)
{
	return c == ' ' || (c > ' ' && c < 0x7f && !is_alnum(c));
}

/* One pass of the normalisation; threadkey_normalise_subject() repeats it to a fixed point. */
static char *
normalise_once(const char *subject)
{
	_cleanup_buf_ struct buf b = BUF_INIT;
	_cleanup_free_ char *clean = NULL;
	const char *p;
	bool space = false, changed = true;
	size_t start, end, n = 0;

	/* Control characters and references out first, so they cannot hide a prefix. */
	clean = xmalloc(strlen(subject) + 1);
	for (p = subject; *p != '\0';) {
		const char *q = skip_ref_tag(p);

		if (q != NULL) {
			clean[n++] = ' ';
			p = q;
		} else if (((unsigned char)*p < 0x20 && space_len(p) == 0) || *p == 0x7f)
			p++;
		else
			clean[n++] = *p++;
	}
	clean[n] = '\0';
	p = clean;

	/* Prefixes, tags and punctuation at the start, in any order and number. */
	while (changed) {
		const char *q;
		size_t l;

		changed = false;
		while ((l = space_len(p)) > 0) {
			p += l;
			changed = true;
		}
		if ((q = skip_reply_marker(p)) != NULL || (q = skip_tag(p)) != NULL) {
			p = q;
			changed = true;
		} else if (is_trim_char(*p)) {
			p++;
			changed = true;
		}
	}

	/* Copy: white space collapsed, ASCII lower-cased. */
	while (*p != '\0') {
		size_t l = space_len(p);

		if (l > 0) {
			p += l;
			space = true;
			continue;
		}
		if (space && b.len > 0)
			(void)buf_putc(&b, ' ');
		space = false;
		(void)buf_putc(&b, (*p >= 'A' && *p <= 'Z') ? (char)(*p + ('a' - 'A')) : *p);
		p++;
	}

	/* Trim punctuation at the ends, and a trailing "(fwd)". */
	start = 0;
	end = b.len;
	for (;;) {
		while (start < end && is_trim_char(b.data[start]))
			start++;
		if (end - start >= 5 && memcmp(b.data + end - 5, "(fwd)", 5) == 0) {
			end -= 5;
			continue;
		}
		if (end > start && is_trim_char(b.data[end - 1])) {
			end--;
			continue;
		}
		break;
	}
	if (end - start < 3)
		return xstrdup("");
	for (size_t i = 0; i < ELEMENTSOF(generic_subjects); i++)
		if (strlen(generic_subjects[i]) == end - start &&
		    memcmp(b.data + start, generic_subjects[i], end - start) == 0)
			return xstrdup("");
	return xstrndup(b.data + start, end - start);
}

/* ---- Message-IDs */

char *
threadkey_normalise_msgid(const char *id)
{
	_cleanup_buf_ struct buf b = BUF_INIT;
	char *at, *s;

	if (id == NULL)
		return NULL;
	for (const char *p = id; *p != '\0'; p++) {
		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			continue;
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return NULL;
		if (b.len >= MSGID_MAX + 2)
			return NULL;
		(void)buf_putc(&b, *p);
	}
	s = (char *)buf_str(&b);
	if (*s == '<') {
		char *close = strchr(s + 1, '>');

		s++;
		if (close != NULL)
			*close = '\0';
	} else if (b.len > 0 && s[b.len - 1] == '>')
		s[b.len - 1] = '\0';
	if (*s == '\0' || strlen(s) > MSGID_MAX || strpbrk(s, "<>") != NULL)
		return NULL;
	s = xstrdup(s);
	at = strrchr(s, '@');
	if (at != NULL)
		ascii_strlower(at);
	return s;
}

char *
threadkey_normalise_subject(const char *subject)
{
	_cleanup_free_ char *cut = NULL;
	char *cur;
	size_t n;

	/* Only the first SUBJECT_MAX bytes count (cut on a character boundary). */
	subject = subject ? subject : "";
	n = strnlen(subject, SUBJECT_MAX + 1);
	if (n > SUBJECT_MAX) {
		n = SUBJECT_MAX;
		while (n > 0 && ((unsigned char)subject[n] & 0xc0) == 0x80)
			n--;
		cut = xstrndup(subject, n);
		subject = cut;
	}
	/* Each pass after the first only shortens the text, so this ends. */
	cur = normalise_once(subject);
	for (;;) {
		char *next;

		if (cur[0] == '\0')
			return cur;
		next = normalise_once(cur);
		if (streq(next, cur)) {
			free(next);
			return cur;
		}
		free(cur);
		cur = next;
	}
}
