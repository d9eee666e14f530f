/*
 * litset.c - necessary literals of regular expressions, and one
 * Aho-Corasick pass to find which patterns could match a text.
 *
 * The reading of a pattern is deliberately small.  It knows literal
 * characters, escaped punctuation, character classes and the common
 * escapes (\d \w \s \b ...), groups (capturing, non-capturing, named,
 * atomic), lookarounds (ignored: they match no text) and quantifiers.
 * Anything else (back references, \Q...\E, inline options, verbs, escaped
 * letters it does not know) and the pattern is left unfiltered: it always
 * runs.  So a mistake here can only cost time, provided what it does claim
 * is right: every match of the pattern contains one of its literals.
 *
 * A sequence is as necessary as its most useful necessary part; an
 * alternation needs one literal of each branch; a part with a quantifier
 * that allows zero times is not necessary at all.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "litset.h"
#include "util.h"

#define LITSET_MAX_PER_PATTERN 256 /* more alternatives than that: not worth filtering */
#define LITSET_MAX_DEPTH 64

/* ---- reading a pattern ------------------------------------------------ */

/* A set of literals, or !known: nothing is known to be necessary. */
struct lits {
	bool known;
	char **v;
	size_t n;
};

struct reader {
	const char *p;
	bool fail; /* syntax not understood: the whole pattern is unknown */
	unsigned depth;
};

static void
lits_clear(struct lits *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	*l = (struct lits){false, NULL, 0};
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
	if (!cand->known || cand->n == 0) {
		lits_clear(cand);
		return;
	}
	if (!best->known || lits_min_len(cand) > lits_min_len(best) ||
	    (lits_min_len(cand) == lits_min_len(best) && cand->n < best->n)) {
		lits_clear(best);
		*best = *cand;
		*cand = (struct lits){false, NULL, 0};
		return;
	}
	lits_clear(cand);
}

/* The literal run so far becomes a candidate. */
static void
run_flush(struct buf *run, struct lits *best)
{
	struct lits one = {true, NULL, 0};

	if (run->len == 0)
		return;
	one.v = xcalloc(1, sizeof(char *));
	one.v[0] = buf_steal(run);
	one.n = 1;
	lits_consider(best, &one);
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

static struct lits read_alternation(struct reader *R);

/* Read a group; R->p is at '('.  The group's literals go to best when it is necessary. */
static void
read_group(struct reader *R, struct lits *best)
{
	const char *p = R->p + 1;
	bool zero_width = false;
	struct lits sub;
	unsigned min;

	if (*p == '?') {
		if (p[1] == ':' || p[1] == '>' || p[1] == '|')
			p += 2;
		else if (p[1] == '=' || p[1] == '!') {
			p += 2;
			zero_width = true;
		} else if (p[1] == '<' && (p[2] == '=' || p[2] == '!')) {
			p += 3;
			zero_width = true;
		} else if (p[1] == '<' || p[1] == '\'' || (p[1] == 'P' && p[2] == '<')) {
			char close = p[1] == '\'' ? '\'' : '>';

			p = strchr(p + 2, close);
			if (p == NULL) {
				R->fail = true;
				return;
			}
			p++;
		} else {
			R->fail = true; /* inline options, conditions, recursion, comments */
			return;
		}
	} else if (*p == '*') {
		R->fail = true; /* (*VERB) */
		return;
	}
	if (++R->depth > LITSET_MAX_DEPTH) {
		R->fail = true;
		return;
	}
	R->p = p;
	sub = read_alternation(R);
	R->depth--;
	if (R->fail || *R->p != ')') {
		R->fail = true;
		lits_clear(&sub);
		return;
	}
	R->p++;
	(void)read_quantifier(R, &min);
	if (zero_width || min == 0)
		lits_clear(&sub);
	else
		lits_consider(best, &sub);
}

/* A sequence up to '|', ')' or the end. */
static struct lits
read_sequence(struct reader *R)
{
	struct lits best = {false, NULL, 0};
	struct buf run = BUF_INIT;

	while (!R->fail && *R->p && *R->p != '|' && *R->p != ')') {
		unsigned char c = (unsigned char)*R->p;
		unsigned min;
		bool quantified;

		if (c == '(') {
			run_flush(&run, &best);
			read_group(R, &best);
			continue;
		}
		if (c == '[') {
			run_flush(&run, &best);
			skip_class(R);
			(void)read_quantifier(R, &min);
			continue;
		}
		if (c == '.' || c == '^' || c == '$') {
			run_flush(&run, &best);
			R->p++;
			(void)read_quantifier(R, &min);
			continue;
		}
		if (c == '*' || c == '+' || c == '?' || c == '{') {
			R->fail = true;
			break;
		}
		if (c >= 0x80) {
			/* a non-ASCII character: case folding beyond ASCII is not modelled */
			run_flush(&run, &best);
			R->p++;
			while (((unsigned char)*R->p & 0xc0) == 0x80)
				R->p++;
			(void)read_quantifier(R, &min);
			continue;
		}
		if (c == '\\') {
			unsigned char e = (unsigned char)R->p[1];

			if (e == '\0' || e >= 0x80) {
				R->fail = true;
				break;
			}
			if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || (e >= '0' && e <= '9')) {
				if (strchr("dDwWsShHvVRNXC", e)) {
					run_flush(&run, &best);
					R->p += 2;
					(void)read_quantifier(R, &min);
				} else if (strchr("bBAzZGK", e)) {
					run_flush(&run, &best);
					R->p += 2;
				} else if (e == 'p' || e == 'P') {
					run_flush(&run, &best);
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
				continue;
			}
			c = e; /* escaped punctuation stands for itself */
			R->p += 2;
		} else
			R->p++;

		quantified = read_quantifier(R, &min);
		if (min == 0) {
			run_flush(&run, &best);
			continue;
		}
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		(void)buf_putc(&run, (char)c);
		if (quantified) /* repeated: what follows need not come straight after */
			run_flush(&run, &best);
	}
	run_flush(&run, &best);
	buf_free(&run);
	return best;
}

static struct lits
read_alternation(struct reader *R)
{
	struct lits all = {true, NULL, 0};

	for (;;) {
		struct lits branch = read_sequence(R);

		if (!branch.known || branch.n == 0 || R->fail ||
		    all.n + branch.n > LITSET_MAX_PER_PATTERN)
			all.known = false;
		if (all.known) {
			all.v = xreallocarray(all.v, all.n + branch.n, sizeof(char *));
			memcpy(all.v + all.n, branch.v, branch.n * sizeof(char *));
			all.n += branch.n;
			free(branch.v);
		} else
			lits_clear(&branch);
		if (*R->p != '|' || R->fail)
			break;
		R->p++;
	}
	if (!all.known)
		lits_clear(&all);
	return all;
}

size_t
litset_necessary(const char *pattern, char ***ret)
{
	struct reader R = {pattern, false, 0};
	struct lits l = read_alternation(&R);

	if (R.fail || *R.p != '\0' || !l.known) {
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
	size_t n_lits;
	size_t *always; /* patterns without literals */
	size_t n_always;
	/* built */
	uint8_t cls[256]; /* byte -> symbol class, 0: no literal has it */
	size_t n_cls;
	int32_t *go; /* n_nodes x n_cls transitions (a full DFA) */
	int32_t *lit; /* literal ending at each node, or -1 */
	int32_t *dict; /* nearest node on the failure chain with a literal, 0: none */
	size_t n_nodes;
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
	ls->lits = xreallocarray(ls->lits, ls->n_lits + 1, sizeof(struct literal));
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

	ls->go = xreallocarray(ls->go, ls->n_nodes * ls->n_cls, sizeof(int32_t));
	ls->lit = xreallocarray(ls->lit, ls->n_nodes, sizeof(int32_t));
	ls->dict = xreallocarray(ls->dict, ls->n_nodes, sizeof(int32_t));
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
