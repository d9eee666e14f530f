/*
 * litset.c - necessary literals of regular expressions, and one
 * Aho-Corasick pass to find which patterns could match a text.
 *
 * The reading of a pattern is deliberately small.  It knows literal
 * characters, escaped punctuation, character classes and the common
 * escapes (\d \w \s \b ...), groups (capturing, non-capturing, named,
 * atomic), lookarounds (they match no text) and quantifiers.  Anything
 * else (back references, \Q...\E, inline options, verbs, escaped letters it
 * does not know) and the pattern is left unfiltered: it always runs.  So a
 * mistake here can only cost time, provided what it does claim is right:
 * every match of the pattern contains one of its literals.
 *
 * Reading a sequence keeps the set of strings its latest stretch of text
 * must be ("not " then "(happy|satisfied)" is "not happy" or "not
 * satisfied"), as long as the set stays small; a character class, a
 * quantifier or an optional part ends the stretch, and each stretch is a
 * candidate.  A sequence is as necessary as its best candidate (longest
 * shortest string, then fewest strings); an alternation needs one literal
 * of each branch; a part that may occur zero times is not necessary.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "litset.h"
#include "util.h"

#define LITSET_MAX_PER_PATTERN 256 /* more alternatives than that: not worth filtering */
#define LITSET_MAX_STRETCH 64      /* strings a stretch may be before it is cut */
#define LITSET_MAX_DEPTH 64

/* ---- reading a pattern ------------------------------------------------ */

/* A set of strings; for necessary literals, !known means nothing is known. */
struct lits {
	bool known;
	char **v;
	size_t n;
};

#define LITS_NONE ((struct lits){false, NULL, 0})

struct reader {
	const char *p;
	bool fail; /* syntax not understood: the whole pattern is unknown */
	unsigned depth;
};

/* What a group or sequence tells: literals every match holds, and, when
 * it matches only fixed strings, which (exact.known). */
struct reading {
	struct lits nec;
	struct lits exact;
};

static void
lits_clear(struct lits *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	*l = LITS_NONE;
}

static void
lits_push(struct lits *l, char *s)
{
	l->v = xreallocarray(l->v, l->n + 1, sizeof(char *));
	l->v[l->n++] = s;
}

static struct lits
lits_copy(const struct lits *l)
{
	struct lits c = {l->known, NULL, 0};

	for (size_t i = 0; i < l->n; i++)
		lits_push(&c, xstrdup(l->v[i]));
	return c;
}

/* The set holding only the empty string: a stretch that has not started. */
static struct lits
lits_empty_stretch(void)
{
	struct lits l = {true, NULL, 0};

	lits_push(&l, xstrdup(""));
	return l;
}

static size_t
lits_min_len(const struct lits *l)
{
	size_t m = SIZE_MAX;

	for (size_t i = 0; i < l->n; i++)
		if (strlen(l->v[i]) < m)
			m = strlen(l->v[i]);
	return m;
}

/* Keep the better of *best and cand (cand is consumed): longer shortest literal, then fewer. */
static void
lits_consider(struct lits *best, struct lits *cand)
{
	if (!cand->known || cand->n == 0 || lits_min_len(cand) == 0 ||
	    cand->n > LITSET_MAX_PER_PATTERN) {
		lits_clear(cand);
		return;
	}
	if (!best->known || lits_min_len(cand) > lits_min_len(best) ||
	    (lits_min_len(cand) == lits_min_len(best) && cand->n < best->n)) {
		lits_clear(best);
		*best = *cand;
		*cand = LITS_NONE;
		return;
	}
	lits_clear(cand);
}

/* The stretch so far becomes a candidate, and a new one starts. */
static void
stretch_cut(struct lits *stretch, struct lits *best)
{
	lits_consider(best, stretch);
	*stretch = lits_empty_stretch();
}

/* Every string of the stretch followed by character c. */
static void
stretch_append(struct lits *stretch, char c)
{
	for (size_t i = 0; i < stretch->n; i++) {
		size_t len = strlen(stretch->v[i]);

		stretch->v[i] = xrealloc(stretch->v[i], len + 2);
		stretch->v[i][len] = c;
		stretch->v[i][len + 1] = '\0';
	}
}

/* The stretch followed by any string of g, or false when that is too many. */
static bool
stretch_product(struct lits *stretch, const struct lits *g)
{
	struct lits out = {true, NULL, 0};

	if (stretch->n * g->n > LITSET_MAX_STRETCH)
		return false;
	for (size_t i = 0; i < stretch->n; i++)
		for (size_t k = 0; k < g->n; k++)
			lits_push(&out, xasprintf("%s%s", stretch->v[i], g->v[k]));
	lits_clear(stretch);
	*stretch = out;
	return true;
}

/*
 * A quantifier after an atom, if any: *ret_min is its minimum (1 without
 * one), the return value whether there was one.
 */
static bool
read_quantifier(struct reader *R, unsigned *ret_min)
{
	const char *p = R->p;
	unsigned min = 1;

	if (*p == '?' || *p == '*') {
		min = 0;
		p++;
	} else if (*p == '+') {
		p++;
	} else if (*p == '{' && p[1] >= '0' && p[1] <= '9') {
		const char *q = p + 1;

		min = 0;
		while (*q >= '0' && *q <= '9') {
			if (min < 1000)
				min = min * 10 + (unsigned)(*q - '0');
			q++;
		}
		if (*q == ',') {
			q++;
			while (*q >= '0' && *q <= '9')
				q++;
		}
		if (*q != '}') {
			*ret_min = 1; /* "{" that is not a quantifier: a literal, not read here */
			return false;
		}
		p = q + 1;
	} else {
		*ret_min = 1;
		return false;
	}
	if (*p == '?' || *p == '+') /* lazy or possessive */
		p++;
	R->p = p;
	*ret_min = min;
	return true;
}

/* Skip a character class; R->p is at '['. */
static void
skip_class(struct reader *R)
{
	const char *p = R->p + 1;

	if (*p == '^')
		p++;
	if (*p == ']')
		p++;
	while (*p && *p != ']') {
		if (*p == '\\' && p[1])
			p++;
		else if (*p == '[' && p[1] == ':') { /* [:alpha:] */
			const char *e = strstr(p, ":]");

			if (e == NULL)
				break;
			p = e + 1;
		}
		p++;
	}
	if (*p != ']') {
		R->fail = true;
		return;
	}
	R->p = p + 1;
}

static struct reading read_alternation(struct reader *R);

static void
reading_clear(struct reading *r)
{
	lits_clear(&r->nec);
	lits_clear(&r->exact);
}

/*
 * Read a group; R->p is at '('.  Sets *zero_width for lookarounds,
 * *ret_min and *quantified from what follows it.
 */
static struct reading
read_group(struct reader *R, bool *zero_width, unsigned *ret_min, bool *quantified)
{
	const char *p = R->p + 1;
	struct reading sub = {LITS_NONE, LITS_NONE};

	*zero_width = false;
	*ret_min = 1;
	*quantified = false;
	if (*p == '?') {
		if (p[1] == ':' || p[1] == '>' || p[1] == '|')
			p += 2;
		else if (p[1] == '=' || p[1] == '!') {
			p += 2;
			*zero_width = true;
		} else if (p[1] == '<' && (p[2] == '=' || p[2] == '!')) {
			p += 3;
			*zero_width = true;
		} else if (p[1] == '<' || p[1] == '\'' || (p[1] == 'P' && p[2] == '<')) {
			char close = p[1] == '\'' ? '\'' : '>';

			p = strchr(p + 2, close);
			if (p == NULL) {
				R->fail = true;
				return sub;
			}
			p++;
		} else {
			R->fail = true; /* inline options, conditions, recursion, comments */
			return sub;
		}
	} else if (*p == '*') {
		R->fail = true; /* (*VERB) */
		return sub;
	}
	if (++R->depth > LITSET_MAX_DEPTH) {
		R->fail = true;
		return sub;
	}
	R->p = p;
	sub = read_alternation(R);
	R->depth--;
	if (R->fail || *R->p != ')') {
		R->fail = true;
		reading_clear(&sub);
		return sub;
	}
	R->p++;
	*quantified = read_quantifier(R, ret_min);
	return sub;
}

/* A sequence up to '|', ')' or the end. */
static struct reading
read_sequence(struct reader *R)
{
	struct lits best = LITS_NONE, stretch = lits_empty_stretch();
	bool exact = true; /* nothing but fixed text so far */
	struct reading res;

	while (!R->fail && *R->p && *R->p != '|' && *R->p != ')') {
		unsigned char c = (unsigned char)*R->p;
		unsigned min;
		bool quantified, zero_width;

		if (c == '(') {
			struct reading g = read_group(R, &zero_width, &min, &quantified);

			if (R->fail) {
				reading_clear(&g);
				break;
			}
			if (zero_width) {
				/* a lookaround takes no text: the stretch goes on */
			} else if (min == 0) {
				stretch_cut(&stretch, &best);
				exact = false;
			} else if (!quantified && g.exact.known && stretch_product(&stretch, &g.exact)) {
				/* fixed strings: the stretch grows by them */
			} else {
				/*
				 * Repeated, or too many strings to multiply out: the
				 * stretch ends here, and the sequence is no longer
				 * one of a few fixed strings.
				 */
				stretch_cut(&stretch, &best);
				exact = false;
				if (!quantified && g.exact.known) {
					lits_clear(&stretch);
					stretch = lits_copy(&g.exact); /* a new stretch starts with them */
				} else
					lits_consider(&best, &g.nec);
			}
			reading_clear(&g);
			continue;
		}
		if (c == '^' || c == '$') { /* zero width */
			R->p++;
			continue;
		}
		if (c == '[' || c == '.') {
			if (c == '[')
				skip_class(R);
			else
				R->p++;
			(void)read_quantifier(R, &min);
			stretch_cut(&stretch, &best);
			exact = false;
			continue;
		}
		if (c == '*' || c == '+' || c == '?' || c == '{') {
			R->fail = true;
			break;
		}
		if (c >= 0x80) {
			/* a non-ASCII character: case folding beyond ASCII is not modelled */
			R->p++;
			while (((unsigned char)*R->p & 0xc0) == 0x80)
				R->p++;
			(void)read_quantifier(R, &min);
			stretch_cut(&stretch, &best);
			exact = false;
			continue;
		}
		if (c == '\\') {
			unsigned char e = (unsigned char)R->p[1];

			if (e == '\0' || e >= 0x80) {
				R->fail = true;
				break;
			}
			if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || (e >= '0' && e <= '9')) {
				if (strchr("bBAzZG", e)) { /* zero width */
					R->p += 2;
					continue;
				}
				if (strchr("dDwWsShHvVRNXCK", e)) {
					R->p += 2;
					(void)read_quantifier(R, &min);
				} else if (e == 'p' || e == 'P') {
					R->p += 2;
					if (*R->p == '{') {
						const char *end = strchr(R->p, '}');

						if (end == NULL) {
							R->fail = true;
							break;
						}
						R->p = end + 1;
					} else if (*R->p)
						R->p++;
					(void)read_quantifier(R, &min);
				} else {
					R->fail = true;
					break;
				}
				stretch_cut(&stretch, &best);
				exact = false;
				continue;
			}
			c = e; /* escaped punctuation stands for itself */
			R->p += 2;
		} else
			R->p++;

		quantified = read_quantifier(R, &min);
		if (min == 0) {
			stretch_cut(&stretch, &best);
			exact = false;
			continue;
		}
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		stretch_append(&stretch, (char)c);
		if (quantified) { /* repeated: what follows need not come straight after */
			stretch_cut(&stretch, &best);
			exact = false;
		}
	}
	res.exact = exact && !R->fail ? lits_copy(&stretch) : LITS_NONE;
	lits_consider(&best, &stretch);
	res.nec = best;
	return res;
}

static struct reading
read_alternation(struct reader *R)
{
	struct reading all = {{true, NULL, 0}, {true, NULL, 0}};

	for (;;) {
		struct reading branch = read_sequence(R);

		if (!branch.nec.known || R->fail || all.nec.n + branch.nec.n > LITSET_MAX_PER_PATTERN)
			lits_clear(&all.nec);
		if (!branch.exact.known || R->fail ||
		    all.exact.n + branch.exact.n > LITSET_MAX_STRETCH)
			lits_clear(&all.exact);
		if (all.nec.known)
			for (size_t i = 0; i < branch.nec.n; i++)
				lits_push(&all.nec, xstrdup(branch.nec.v[i]));
		if (all.exact.known)
			for (size_t i = 0; i < branch.exact.n; i++)
				lits_push(&all.exact, xstrdup(branch.exact.v[i]));
		reading_clear(&branch);
		if (*R->p != '|' || R->fail)
			break;
		R->p++;
	}
	return all;
}

size_t
litset_necessary(const char *pattern, char ***ret)
{
	struct reader R = {pattern, false, 0};
	struct reading r = read_alternation(&R);
	struct lits l = r.nec;

	lits_clear(&r.exact);
	if (R.fail || *R.p != '\0' || !l.known || l.n == 0) {
		lits_clear(&l);
		*ret = xcalloc(1, sizeof(char *));
		return 0;
	}
	l.v = xreallocarray(l.v, l.n + 1, sizeof(char *));
	l.v[l.n] = NULL;
	*ret = l.v;
	return l.n;
}

/* ---- the automaton ---------------------------------------------------- */

struct literal {
	char *s;
	size_t *ids; /* patterns needing it */
	size_t n_ids;
};

struct litset {
	/* while adding */
	struct literal *lits;
	size_t n_lits, cap_lits;
	size_t *always; /* patterns without literals */
	size_t n_always;
	/* built */
	uint8_t cls[256]; /* byte -> symbol class, 0: no literal has it */
	size_t n_cls;
	int32_t *go; /* n_nodes x n_cls transitions (a full DFA) */
	int32_t *lit; /* literal ending at each node, or -1 */
	int32_t *dict; /* nearest node on the failure chain with a literal, 0: none */
	size_t n_nodes, cap_nodes;
};

struct litset *
litset_new(void)
{
	return xcalloc(1, sizeof(struct litset));
}

void
litset_free(struct litset *ls)
{
	if (ls == NULL)
		return;
	for (size_t i = 0; i < ls->n_lits; i++) {
		free(ls->lits[i].s);
		free(ls->lits[i].ids);
	}
	free(ls->lits);
	free(ls->always);
	free(ls->go);
	free(ls->lit);
	free(ls->dict);
	free(ls);
}

/* One entry per pattern and literal; equal literals are merged by litset_build. */
static void
literal_add(struct litset *ls, const char *s, size_t id)
{
	if (ls->n_lits == ls->cap_lits) {
		ls->cap_lits = ls->cap_lits ? ls->cap_lits * 2 : 64;
		ls->lits = xreallocarray(ls->lits, ls->cap_lits, sizeof(struct literal));
	}
	ls->lits[ls->n_lits] = (struct literal){xstrdup(s), xcalloc(1, sizeof(size_t)), 1};
	ls->lits[ls->n_lits++].ids[0] = id;
}

bool
litset_add(struct litset *ls, size_t id, const char *pattern)
{
	char **v;
	size_t n = litset_necessary(pattern, &v);

	for (size_t i = 0; i < n; i++) {
		literal_add(ls, v[i], id);
		free(v[i]);
	}
	free(v);
	if (n == 0) {
		ls->always = xreallocarray(ls->always, ls->n_always + 1, sizeof(size_t));
		ls->always[ls->n_always++] = id;
	}
	return n > 0;
}

static int32_t
node_new(struct litset *ls)
{
	size_t i = ls->n_nodes++;

	if (ls->n_nodes > ls->cap_nodes) { /* doubling: a few reallocations, not one per node */
		ls->cap_nodes = ls->cap_nodes ? ls->cap_nodes * 2 : 256;
		ls->go = xreallocarray(ls->go, ls->cap_nodes * ls->n_cls, sizeof(int32_t));
		ls->lit = xreallocarray(ls->lit, ls->cap_nodes, sizeof(int32_t));
		ls->dict = xreallocarray(ls->dict, ls->cap_nodes, sizeof(int32_t));
	}
	for (size_t c = 0; c < ls->n_cls; c++)
		ls->go[i * ls->n_cls + c] = -1;
	ls->lit[i] = -1;
	ls->dict[i] = 0;
	return (int32_t)i;
}

void
litset_build(struct litset *ls)
{
	_cleanup_free_ int32_t *fail = NULL, *queue = NULL;
	size_t head = 0, tail = 0;

	/* symbol classes: one per byte used by some literal, class 0 for the rest */
	ls->n_cls = 1;
	for (size_t i = 0; i < ls->n_lits; i++)
		for (const unsigned char *p = (const unsigned char *)ls->lits[i].s; *p; p++)
			if (ls->cls[*p] == 0)
				ls->cls[*p] = (uint8_t)ls->n_cls++;
	/* ASCII literals only, so at most 128 classes: uint8_t holds them */
	(void)node_new(ls);
	for (size_t i = 0; i < ls->n_lits; i++) {
		int32_t s = 0;

		for (const unsigned char *p = (const unsigned char *)ls->lits[i].s; *p; p++) {
			size_t c = ls->cls[*p];

			if (ls->go[(size_t)s * ls->n_cls + c] < 0) {
				int32_t n = node_new(ls);

				ls->go[(size_t)s * ls->n_cls + c] = n;
			}
			s = ls->go[(size_t)s * ls->n_cls + c];
		}
		if (ls->lit[s] < 0)
			ls->lit[s] = (int32_t)i;
		else { /* the same literal again: its patterns join the first one's */
			struct literal *first = &ls->lits[ls->lit[s]], *again = &ls->lits[i];

			first->ids = xreallocarray(first->ids, first->n_ids + again->n_ids,
						   sizeof(size_t));
			memcpy(first->ids + first->n_ids, again->ids, again->n_ids * sizeof(size_t));
			first->n_ids += again->n_ids;
			again->n_ids = 0;
		}
	}

	/* breadth first: failure links, then every missing transition filled in */
	fail = xcalloc(ls->n_nodes, sizeof(int32_t));
	queue = xcalloc(ls->n_nodes, sizeof(int32_t));
	for (size_t c = 0; c < ls->n_cls; c++) {
		int32_t n = ls->go[c];

		if (n < 0)
			ls->go[c] = 0;
		else {
			fail[n] = 0;
			queue[tail++] = n;
		}
	}
	while (head < tail) {
		int32_t s = queue[head++];

		ls->dict[s] = ls->lit[fail[s]] >= 0 ? fail[s] : ls->dict[fail[s]];
		for (size_t c = 0; c < ls->n_cls; c++) {
			int32_t n = ls->go[(size_t)s * ls->n_cls + c];
			int32_t f = ls->go[(size_t)fail[s] * ls->n_cls + c];

			if (n < 0)
				ls->go[(size_t)s * ls->n_cls + c] = f;
			else {
				fail[n] = f;
				queue[tail++] = n;
			}
		}
	}
}

static void
mark(const struct litset *ls, int32_t lit, bool *may)
{
	const struct literal *l = &ls->lits[lit];

	for (size_t i = 0; i < l->n_ids; i++)
		may[l->ids[i]] = true;
}

void
litset_scan(const struct litset *ls, const char *text, size_t len, bool *may)
{
	const unsigned char *t = (const unsigned char *)text;
	int32_t s = 0;

	for (size_t i = 0; i < ls->n_always; i++)
		may[ls->always[i]] = true;
	if (ls->n_lits == 0)
		return;
	for (size_t i = 0; i < len; i++) {
		unsigned char b = t[i];

		/* what PCRE2_CASELESS | PCRE2_UCP matches with ASCII letters */
		if (b >= 'A' && b <= 'Z')
			b = (unsigned char)(b - 'A' + 'a');
		else if (b == 0xc5 && i + 1 < len && t[i + 1] == 0xbf) { /* U+017F long s */
			b = 's';
			i += 1;
		} else if (b == 0xe2 && i + 2 < len && t[i + 1] == 0x84 && t[i + 2] == 0xaa) {
			b = 'k'; /* U+212A Kelvin sign */
			i += 2;
		}
		s = ls->go[(size_t)s * ls->n_cls + ls->cls[b]];
		for (int32_t o = ls->lit[s] >= 0 ? s : ls->dict[s]; o > 0; o = ls->dict[o])
			mark(ls, ls->lit[o], may);
	}
}
