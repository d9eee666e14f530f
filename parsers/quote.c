/*
 * quote.c - keep the sender's own text, drop quoted and forwarded mail.
 *
 * The body is scanned line by line.  ">" lines are dropped; an attribution
 * line followed by ">" lines starts an inline reply (the sender's lines in
 * between are kept), otherwise it ends the sender's text, as do Outlook's
 * original-message separators and header blocks, forwarded-message markers,
 * mobile "Sent from" footers, signature separators and disclaimer paragraphs.
 * Only ASCII markers are compared, so UTF-8 text passes through unchanged.
 * Guarantees: never NULL, never empty when the body had text, no I/O.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "quote.h"
#include "util.h"

/* Nested forwards followed when the sender wrote nothing themselves. */
#define QUOTE_MAX_DEPTH 8
/* Longest line (or joined wrapped lines) considered as an attribution. */
#define ATTRIBUTION_MAX 600
/* Enough of a line's start to hold any attribution lead once normalised. */
#define ATTRIBUTION_LEAD_MAX 16

struct line {
	const char *s; /* start in the body */
	size_t len;    /* without the line break and a trailing CR */
};

struct lines {
	struct line *v;
	size_t n;
	struct buf *norm; /* scratch for attribution_at(), kept from line to line */
};

static void
lines_split(const char *body, struct lines *ret)
{
	const char *p = body;
	size_t alloc = 0;

	ret->v = NULL;
	ret->n = 0;
	for (;;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (nl == NULL && len == 0)
			break;
		if (ret->n == alloc) {
			alloc = alloc ? alloc * 2 : 64;
			ret->v = xreallocarray(ret->v, alloc, sizeof(*ret->v));
		}
		ret->v[ret->n].s = p;
		ret->v[ret->n].len = (len > 0 && p[len - 1] == '\r') ? len - 1 : len;
		ret->n++;
		if (nl == NULL)
			break;
		p = nl + 1;
	}
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* The line without surrounding ASCII white space. */
static struct line
line_trim(struct line l)
{
	while (l.len > 0 && is_space(l.s[0])) {
		l.s++;
		l.len--;
	}
	while (l.len > 0 && is_space(l.s[l.len - 1]))
		l.len--;
	return l;
}

static bool
line_blank(struct line l)
{
	return line_trim(l).len == 0;
}

/* Does l start with prefix (lower case)?  The first letter is compared before anything else. */
static bool
line_prefix(struct line l, const char *prefix)
{
	size_t n;

	if (l.len == 0 || (char)(l.s[0] | 0x20) != prefix[0])
		return false;
	n = strlen(prefix);
	return l.len >= n && ascii_strncaseeq(l.s, prefix, n);
}

static bool
line_is_quoted(struct line l)
{
	l = line_trim(l);
	return l.len > 0 && l.s[0] == '>';
}

/*
 * Normalise text for marker comparison: ASCII lower case, runs of white space
 * and no-break spaces folded to one space, no space before ':' (French
 * typography), '*' bold markers dropped.  Appends to out: *space says that
 * white space is pending from text normalised before (false to start), so
 * normalising two pieces one after the other gives what normalising them
 * joined would.  Returns false when too long.
 */
static bool
normalise_more(const char *s, size_t len, struct buf *out, bool *pending)
{
	bool space = *pending;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] == 0xa0) {
			i++;
			c = ' ';
		} else if (c == 0xe2 && i + 2 < len && (unsigned char)s[i + 1] == 0x80 &&
		           (unsigned char)s[i + 2] == 0xaf) {
			i += 2;
			c = ' ';
		}
		if (c == '*')
			continue;
		if (is_space((char)c) || c == ' ') {
			space = out->len > 0;
			continue;
		}
		if (space && c != ':' && buf_putc(out, ' ') < 0)
			return false;
		space = false;
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if (buf_putc(out, (char)c) < 0)
			return false;
	}
	*pending = space;
	return true;
}

static bool
normalise(const char *s, size_t len, struct buf *out)
{
	bool space = false;

	buf_reset(out);
	return normalise_more(s, len, out, &space);
}

/*
 * The first byte normalise() would write for l, lower case ('\0' for none):
 * the first that is not white space, a no-break space or '*'.
 */
static char
normalised_first(struct line l)
{
	for (size_t i = 0; i < l.len; i++) {
		unsigned char c = (unsigned char)l.s[i];

		if (c == 0xc2 && i + 1 < l.len && (unsigned char)l.s[i + 1] == 0xa0) {
			i++;
			continue;
		}
		if (c == 0xe2 && i + 2 < l.len && (unsigned char)l.s[i + 1] == 0x80 &&
		    (unsigned char)l.s[i + 2] == 0xaf) {
			i += 2;
			continue;
		}
		if (c == '*' || is_space((char)c))
			continue;
		return (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
	}
	return '\0';
}

/*
 * Could normalise(l) end with ':'?  The last byte that is not white space,
 * '*' or part of a multi-byte character is ':'.  Every marker that ends in
 * ':' passes; most lines do not, and are then never normalised.
 */
static bool
may_end_with_colon(struct line l)
{
	while (l.len > 0) {
		unsigned char c = (unsigned char)l.s[l.len - 1];

		if (c == ':')
			return true;
		if (!(is_space((char)c) || c == '*' || c >= 0x80))
			return false;
		l.len--;
	}
	return false;
}

static bool
str_endswith(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && memcmp(s + a - b, suffix, b) == 0;
}

static bool
str_startswith_any(const char *s, const char *const *words)
{
	for (size_t i = 0; words[i]; i++)
		if (s[0] == words[i][0] && strncmp(s, words[i], strlen(words[i])) == 0)
			return true;
	return false;
}

/* Words that begin attribution lines in the languages residents write in. */
static const char *const attribution_leads[] = {
    "on ",  "le ", "am ", "el ", "w dniu ", "dnia ", "ar ",
    "den ", "op ", "il ", "em ", "the ",    NULL,
};

/* The endings of attribution lines ("wrote:" and its translations). */
static const char *const attribution_ends[] = {
    "wrote:",        "a écrit:", "escribió:", "napisał:",    "napisała:", "napisał(a):", "pisze:",
    "ysgrifennodd:", "skrev:",   "schreef:",  "ha scritto:", "escreveu:", NULL,
};

/* True when normalised text s reads like "On <date>, <name> wrote:". */
static bool
text_is_attribution(const char *s)
{
	bool lead = str_startswith_any(s, attribution_leads);

	for (size_t i = 0; attribution_ends[i]; i++)
		if (str_endswith(s, attribution_ends[i]))
			return lead || strchr(s, '@') || strpbrk(s, "0123456789");
	/* German: "Am 02.03.2026 um 10:15 schrieb Name <a@example.net>:" */
	if (strncmp(s, "am ", 3) == 0 && strstr(s, " schrieb ") && str_endswith(s, ":"))
		return true;
	return str_endswith(s, " schrieb:") && (lead || strpbrk(s, "0123456789"));
}

/*
 * If an attribution starts at line i (possibly wrapped over up to three
 * lines), return how many lines it spans, else 0.
 */
static size_t
attribution_at(const struct lines *L, size_t i)
{
	struct buf *norm = L->norm;
	struct line first = line_trim(L->v[i]);
	size_t joined = 0, done = 0; /* lines normalised */
	bool space = false, lead_known = false;

	if (first.len == 0 || first.len > ATTRIBUTION_MAX)
		return 0;
	/*
	 * Every attribution ends in ':'; a first line that does not may only
	 * continue on the next when it opens like one (the leads are short, so
	 * the start of the line decides).
	 */
	if (!may_end_with_colon(first) && !line_is_quoted(first)) {
		struct line head = first;

		if (head.len > ATTRIBUTION_LEAD_MAX)
			head.len = ATTRIBUTION_LEAD_MAX;
		/* What normalise() wrote is final, so 8 characters decide a lead of up to 7. */
		if (normalise(head.s, head.len, norm) &&
		    (norm->len >= 8 || head.len == first.len)) {
			if (!str_startswith_any(buf_str(norm), attribution_leads))
				return 0;
			lead_known = true;
		}
	}
	/*
	 * The lines joined by spaces, normalised a line at a time, and only when
	 * needed: when the text so far may end in ':' (as every attribution
	 * does), or the first line's lead is still open.
	 */
	buf_reset(norm);
	for (size_t k = 0; k < 3 && i + k < L->n; k++) {
		struct line l = line_trim(L->v[i + k]);
		bool colon;

		if (l.len == 0 || line_is_quoted(l))
			return 0;
		joined += (k > 0) + l.len;
		if (joined > ATTRIBUTION_MAX)
			return 0;
		colon = may_end_with_colon(l);
		if (colon || (k == 0 && !lead_known))
			for (; done <= k; done++) {
				struct line d = line_trim(L->v[i + done]);

				if (done > 0)
					space = norm->len > 0; /* the space joining the lines */
				if (!normalise_more(d.s, d.len, norm, &space))
					return 0;
			}
		if (colon && text_is_attribution(buf_str(norm)))
			return k + 1;
		/* Only a line that opens like an attribution may continue on the next. */
		if (k == 0 && !lead_known && !str_startswith_any(buf_str(norm), attribution_leads))
			return 0;
	}
	return 0;
}

/* "-----Original Message-----", "---------- Forwarded message ---------", ... */
static bool
line_is_separator(struct line l)
{
	static const char *const names[] = {
	    "original message",           "forwarded message",
	    "message d'origine",          "message transféré",
	    "ursprüngliche nachricht",    "weitergeleitete nachricht",
	    "mensaje original",           "mensaje reenviado",
	    "wiadomość oryginalna",       "oryginalna wiadomość",
	    "przekazana wiadomość",       "neges wreiddiol",
	    "neges wedi'i hanfon ymlaen", NULL,
	};
	_cleanup_buf_ struct buf norm = BUF_INIT;
	size_t dashes = 0;
	const char *s;
	size_t n;

	l = line_trim(l);
	if (l.len > 120)
		return false;
	while (l.len > 0 && (l.s[0] == '-' || l.s[0] == '=' || l.s[0] == '_' || l.s[0] == ' ')) {
		dashes += l.s[0] != ' ';
		l.s++;
		l.len--;
	}
	while (l.len > 0 && (l.s[l.len - 1] == '-' || l.s[l.len - 1] == '=' ||
	                     l.s[l.len - 1] == '_' || l.s[l.len - 1] == ' ')) {
		dashes += l.s[l.len - 1] != ' ';
		l.len--;
	}
	/* Without dashes only the "...message:" forms count; with dashes, two or more. */
	if (dashes == 0 ? !may_end_with_colon(l) : dashes < 2)
		return false;
	if (!normalise(l.s, l.len, &norm))
		return false;
	s = buf_str(&norm);
	if (dashes == 0)
		return streq(s, "begin forwarded message:") ||
		       streq(s, "início da mensagem reencaminhada:");
	n = strlen(s);
	if (n > 0 && s[n - 1] == ':')
		n--;
	for (size_t i = 0; names[i]; i++)
		if (strlen(names[i]) == n && strncmp(s, names[i], n) == 0)
			return dashes >= 2;
	return false;
}

static const char *const header_from[] = {"from:", "von:", "de:", "od:", "oddi wrth:", NULL};
static const char *const header_other[] = {
    "sent:",    "date:", "to:",     "subject:", "cc:", "gesendet:", "an:",      "betreff:",
    "envoyé:",  "à:",    "objet:",  "wysłano:", "do:", "temat:",    "data:",    "datum:",
    "enviado:", "para:", "asunto:", "anfon:",   "at:", "pwnc:",     "dyddiad:", NULL,
};

/* The normalised start of line l matches one of the header names in names. */
static bool
line_is_header(struct line l, const char *const *names)
{
	_cleanup_buf_ struct buf norm = BUF_INIT;
	struct line t = line_trim(l);
	char first;
	size_t i;

	if (t.len > 40)
		t.len = 40;
	/* Every name ends in ':', which normalising never adds. */
	if (!memchr(t.s, ':', t.len))
		return false;
	/* Most lines open with a letter no name does. */
	first = normalised_first(t);
	for (i = 0; names[i] && names[i][0] != first; i++)
		;
	if (names[i] == NULL)
		return false;
	if (!normalise(t.s, t.len, &norm))
		return false;
	return str_startswith_any(buf_str(&norm), names);
}

/* An Outlook-style "From: / Sent: / To: / Subject:" block starts at line i. */
static bool
header_block_at(const struct lines *L, size_t i)
{
	size_t others = 0;

	if (!line_is_header(L->v[i], header_from))
		return false;
	for (size_t k = i + 1; k < L->n && k <= i + 6; k++) {
		if (line_blank(L->v[k]))
			break;
		if (line_is_header(L->v[k], header_other))
			others++;
	}
	return others >= 2;
}

/* A row of underscores (Outlook on the web) right before a header block. */
static bool
underscores_at(const struct lines *L, size_t i)
{
	struct line l = line_trim(L->v[i]);
	size_t k;

	if (l.len < 8)
		return false;
	for (size_t j = 0; j < l.len; j++)
		if (l.s[j] != '_')
			return false;
	for (k = i + 1; k < L->n && line_blank(L->v[k]); k++)
		;
	return k < L->n && header_block_at(L, k);
}

static bool
line_is_signature(struct line l)
{
	return (l.len == 3 && memcmp(l.s, "-- ", 3) == 0) ||
	       (l.len == 2 && memcmp(l.s, "--", 2) == 0);
}

static bool
line_is_mobile_footer(struct line l)
{
	static const char *const footers[] = {
	    "sent from my ",
	    "sent from outlook",
	    "get outlook for ",
	    "sent from mail for windows",
	    "sent from yahoo mail",
	    "sent from the all new aol",
	    "sent from samsung",
	    "sent via the samsung",
	    "sent from proton mail",
	    "sent with proton mail",
	    "wysłane z mojego",
	    "envoyé de mon",
	    "von meinem iphone gesendet",
	    "enviado desde mi",
	    NULL,
	};

	l = line_trim(l);
	if (l.len > 100 || l.len == 0)
		return false;
	for (size_t i = 0; footers[i]; i++)
		if ((char)(l.s[0] | 0x20) == footers[i][0] && line_prefix(l, footers[i]))
			return true;
	return false;
}

/* The first line of a confidentiality notice paragraph. */
static bool
line_is_disclaimer(struct line l)
{
	static const char *const starts[] = {"disclaimer", "confidentiality notice",
	                                     "important notice:", NULL};
#define PHRASE(s) {s, sizeof(s) - 1}
	static const struct {
		const char *s;
		size_t n;
	} phrases[] = {
	    PHRASE("this email and any attachments"),
	    PHRASE("this e-mail and any attachments"),
	    PHRASE("this message and any attachments"),
	    PHRASE("this email and any files"),
	    PHRASE("this e-mail and any files"),
	    PHRASE("this email is confidential"),
	    PHRASE("this e-mail is confidential"),
	    PHRASE("this email may contain confidential"),
	    PHRASE("this e-mail may contain confidential"),
	    PHRASE("this message is confidential"),
	    PHRASE("the information contained in this e-mail"),
	    PHRASE("the information contained in this email"),
	    PHRASE("the information in this email is confidential"),
	    PHRASE("if you have received this email in error"),
	    PHRASE("if you have received this e-mail in error"),
	    PHRASE("if you have received this message in error"),
	    PHRASE("if you are not the intended recipient"),
	};
#undef PHRASE

	l = line_trim(l);
	for (size_t i = 0; starts[i]; i++)
		if (line_prefix(l, starts[i]))
			return true;
	/*
	 * One pass over the line: where its next four characters, in lower
	 * case, open a phrase ("this", "the ", "if y"), the phrases are tried.
	 */
	for (size_t i = 0; i + 4 <= l.len; i++) {
		char four[4];

		/* skip to the next 't' or 'i', in either case */
		while (i + 4 <= l.len && (char)(l.s[i] | 0x20) != 't' && (char)(l.s[i] | 0x20) != 'i')
			i++;
		if (i + 4 > l.len)
			break;
		for (size_t j = 0; j < 4; j++)
			four[j] = (char)(l.s[i + j] | 0x20);
		if (memcmp(four, "this", 4) != 0 && memcmp(four, "the ", 4) != 0 &&
		    memcmp(four, "if y", 4) != 0)
			continue;
		for (size_t k = 0; k < ELEMENTSOF(phrases); k++)
			if (memcmp(phrases[k].s, four, 4) == 0 && phrases[k].n <= l.len - i &&
			    ascii_strncaseeq(l.s + i, phrases[k].s, phrases[k].n))
				return true;
	}
	return false;
}

enum cut {
	CUT_NONE = 0,
	CUT_QUOTE,   /* quoted reply or signature: earlier mail, not the sender's */
	CUT_FORWARD, /* a forwarded or "original message" block follows */
};

/* Append the kept lines of [from, to) to out, separated by newlines. */
static void
emit(const struct lines *L, const bool *keep, size_t from, size_t to, struct buf *out)
{
	size_t first = from, last = to;

	while (first < last && (!keep[first] || line_blank(L->v[first])))
		first++;
	while (last > first && (!keep[last - 1] || line_blank(L->v[last - 1])))
		last--;
	bool prev_blank = false;

	for (size_t i = first; i < last; i++) {
		struct line l = L->v[i];

		if (!keep[i])
			continue;
		while (l.len > 0 && is_space(l.s[l.len - 1]))
			l.len--;
		/* Dropped quotes leave gaps: keep one blank line between kept lines. */
		if (l.len == 0 && prev_blank)
			continue;
		prev_blank = l.len == 0;
		if (out->len > 0)
			(void)buf_putc(out, '\n');
		(void)buf_append(out, l.s, l.len);
	}
}

static char *strip(const char *body, unsigned depth, size_t *ret_off);

/*
 * The content of a forwarded block starting after separator line i: skip
 * the block's header lines, then strip that text in turn.
 */
static char *
forwarded_content(const struct lines *L, size_t i, unsigned depth)
{
	size_t k = i;

	while (k < L->n && (line_blank(L->v[k]) || line_is_separator(L->v[k]) ||
	                    line_is_header(L->v[k], header_from) ||
	                    line_is_header(L->v[k], header_other) || underscores_at(L, k)))
		k++;
	if (k >= L->n)
		return NULL;
	return strip(L->v[k].s, depth + 1, NULL);
}

static char *
strip(const char *body, unsigned depth, size_t *ret_off)
{
	struct lines L;
	_cleanup_free_ bool *keep = NULL;
	_cleanup_buf_ struct buf out = BUF_INIT;
	size_t end, cut_line = SIZE_MAX;
	enum cut cut = CUT_NONE;

	_cleanup_buf_ struct buf norm = BUF_INIT;

	buf_init(&norm, ATTRIBUTION_MAX * 2);
	lines_split(body, &L);
	L.norm = &norm;
	keep = xcalloc(L.n + 1, sizeof(bool));
	end = L.n;
	for (size_t i = 0; i < L.n; i++) {
		struct line l = L.v[i];
		size_t span;

		if (line_is_quoted(l)) {
			if (cut_line == SIZE_MAX)
				cut_line = i;
			continue;
		}
		span = attribution_at(&L, i);
		if (span > 0) {
			size_t k = i + span;

			if (cut_line == SIZE_MAX)
				cut_line = i;
			while (k < L.n && line_blank(L.v[k]))
				k++;
			if (k < L.n && line_is_quoted(L.v[k])) {
				/* Inline or bottom-quoted reply: keep reading. */
				i += span - 1;
				continue;
			}
			end = i;
			cut = CUT_QUOTE;
			break;
		}
		if (line_is_separator(l) || underscores_at(&L, i) || header_block_at(&L, i)) {
			end = i;
			cut = CUT_FORWARD;
			break;
		}
		if (line_is_signature(l) || line_is_mobile_footer(l) ||
		    (line_is_disclaimer(l) && (i == 0 || line_blank(L.v[i - 1])))) {
			end = i;
			cut = CUT_QUOTE;
			break;
		}
		keep[i] = true;
	}
	if (end < L.n && (cut_line == SIZE_MAX || end < cut_line))
		cut_line = end;
	if (ret_off)
		*ret_off = cut_line < L.n ? (size_t)(L.v[cut_line].s - body) : strlen(body);

	emit(&L, keep, 0, end, &out);
	if (out.len == 0 && cut == CUT_FORWARD && depth < QUOTE_MAX_DEPTH) {
		/* Nothing of their own: what they forwarded is what they sent us. */
		_cleanup_free_ char *fwd = forwarded_content(&L, end, depth);

		if (!isempty(fwd))
			(void)buf_puts(&out, fwd);
	}
	if (out.len == 0) {
		/* Never reduce a message to nothing: fall back to the whole body. */
		for (size_t i = 0; i < L.n; i++)
			keep[i] = true;
		emit(&L, keep, 0, L.n, &out);
	}
	free(L.v);
	return buf_steal(&out);
}

char *
quote_strip_ex(const char *body, size_t *ret_quote_offset)
{
	return strip(body ? body : "", 0, ret_quote_offset);
}

char *
quote_strip(const char *body)
{
	return quote_strip_ex(body, NULL);
}
