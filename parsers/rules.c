/*
 * rules.c - the council's classification rules: the directives of the rules
 * file, and the decisions made from what their patterns match.
 *
 * Every pattern of the file goes into a pattern set (rxset.h), compiled
 * once: a text is cut into clauses (sentences, and again before "but",
 * "however", "although"), all clauses are scanned at once for all patterns, and
 * the directives are decided from which patterns matched in which clause, so
 * negations ("I do not want to escalate", "this is not a complaint") only
 * cancel matches in their own clause.  There are two sets: a new case's
 * classification reads every directive but escalate, no-escalate and
 * upgrade, which only a reply on a case reads (with not-complaint, in both),
 * so neither scan looks for patterns it does not use.  Loading reports every
 * error with file and line; a file with errors is refused.  Matching itself
 * lives in rxset.c.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "rules.h"
#include "rules_clause.h"
#include "rxset.h"
#include "util.h"
/* A rules file larger than this is refused. */
#define RULES_FILE_MAX (4 * 1024 * 1024)

enum directive {
	D_COMPLAINT,
	D_NOT_COMPLAINT,
	D_REQUEST,
	D_HANDLING,
	D_ROUTE,
	D_AREA,
	D_FLAG,
	D_UNFLAG,
	D_HOUSING,
	D_NOT_HOUSING,
	D_MEMBER_COMPLAINT,
	D_CONSENT,
	D_ESCALATE,
	D_NO_ESCALATE,
	D_UPGRADE,
	_D_PATTERNS, /* directives below take a value, not a pattern */
	D_THRESHOLD,
	D_DEFAULT,
};

enum arg {
	ARG_NONE,
	ARG_WEIGHT, /* optional number: "complaint 3:" */
	ARG_ROUTE,  /* route name: "route noise:" */
	ARG_FLAG,   /* flag name: "flag late:" */
	ARG_AREA,   /* service area name: "area waste:" */
};

static const struct directive_def {
	const char *name;
	enum directive d;
	enum arg arg;
	int weight;
	bool statutory;
} directive_defs[] = {
    {"complaint", D_COMPLAINT, ARG_WEIGHT, 1, false},
    {"not-complaint", D_NOT_COMPLAINT, ARG_NONE, 0, false},
    {"request", D_REQUEST, ARG_WEIGHT, 1, false},
    {"handling", D_HANDLING, ARG_WEIGHT, 2, false},
    {"route", D_ROUTE, ARG_ROUTE, 1, false},
    {"statutory-route", D_ROUTE, ARG_ROUTE, 1, true},
    {"area", D_AREA, ARG_AREA, 1, false},
    {"flag", D_FLAG, ARG_FLAG, 0, false},
    {"unflag", D_UNFLAG, ARG_FLAG, 0, false},
    {"housing", D_HOUSING, ARG_NONE, 0, false},
    {"not-housing", D_NOT_HOUSING, ARG_NONE, 0, false},
    {"member-complaint", D_MEMBER_COMPLAINT, ARG_NONE, 0, false},
    {"consent", D_CONSENT, ARG_NONE, 0, false},
    {"escalate", D_ESCALATE, ARG_NONE, 0, false},
    {"no-escalate", D_NO_ESCALATE, ARG_NONE, 0, false},
    {"upgrade", D_UPGRADE, ARG_NONE, 0, false},
    {"threshold", D_THRESHOLD, ARG_NONE, 0, false},
    {"default", D_DEFAULT, ARG_NONE, 0, false},
};

/* The flags a rules file may set with "flag NAME:" (housing comes from "housing:"). */
static const char *const known_flags[] = {
    FLAG_LEGAL_PROCEEDINGS, FLAG_STATUTORY_APPEAL, FLAG_ALREADY_CONSIDERED, FLAG_LATE,
    FLAG_ADJUSTMENTS,       FLAG_CONSENT_NEEDED,   FLAG_SENIOR_OFFICER,
};

struct pattern {
	size_t id;       /* in the classification's set (SIZE_MAX: not in it) */
	size_t reply_id; /* in the replies' set (SIZE_MAX: not in it) */
	int weight;
	size_t index;  /* route, area or flag index */
	unsigned line; /* in the rules file */
};

struct route {
	char *name;
	char *dest;
	bool statutory;
	unsigned line;
};

struct rules {
	struct pattern *pats[_D_PATTERNS];
	size_t n_pats[_D_PATTERNS];
	struct route *routes;
	size_t n_routes;
	char **areas; /* service area names, in order of first use */
	size_t n_areas;
	const char *flags[ELEMENTSOF(known_flags)]; /* in order of first use */
	size_t n_flags;
	int threshold;
	enum case_kind default_kind;
	struct rxset *set;       /* the patterns rules_classify() reads */
	struct rxset *reply_set; /* those of a reply: rules_wants_escalation(), _upgrade() */
	char *name;        /* of the rules file, for notes */
};

/* ---- loading ---------------------------------------------------------- */

struct loader {
	struct rules *r;
	const char *name;
	struct errlist *errs;
	unsigned n_errors;
};

static void __attribute__((format(printf, 3, 4)))
load_error(struct loader *L, unsigned line, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	L->n_errors++;
	if (L->errs)
		errlist_add(L->errs, "%s:%u: %s", L->name, line, msg);
}

static bool
name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == ':';
}

static size_t
flag_index(struct rules *r, const char *name)
{
	for (size_t i = 0; i < r->n_flags; i++)
		if (streq(r->flags[i], name))
			return i;
	for (size_t i = 0; i < ELEMENTSOF(known_flags); i++)
		if (streq(known_flags[i], name)) {
			r->flags[r->n_flags] = known_flags[i];
			return r->n_flags++;
		}
	return SIZE_MAX;
}

static size_t
route_find(const struct rules *r, const char *name)
{
	for (size_t i = 0; i < r->n_routes; i++)
		if (streq(r->routes[i].name, name))
			return i;
	return SIZE_MAX;
}

static size_t
area_index(struct rules *r, const char *name)
{
	for (size_t i = 0; i < r->n_areas; i++)
		if (streq(r->areas[i], name))
			return i;
	r->areas = xreallocarray(r->areas, r->n_areas + 1, sizeof(char *));
	r->areas[r->n_areas] = xstrdup(name);
	return r->n_areas++;
}

/* Read only on a reply (rules_wants_escalation(), rules_wants_upgrade()). */
static bool
reply_only(enum directive d)
{
	return d == D_ESCALATE || d == D_NO_ESCALATE || d == D_UPGRADE;
}

/* Read on a reply too. */
static bool
on_reply(enum directive d)
{
	return reply_only(d) || d == D_NOT_COMPLAINT;
}

static void
add_pattern(struct loader *L, unsigned line, enum directive d, const char *source, int weight,
            size_t index)
{
	struct rules *r = L->r;
	_cleanup_free_ char *why = NULL;
	size_t id = SIZE_MAX, reply_id = SIZE_MAX;

	if ((!reply_only(d) && rxset_add(r->set, source, &id, &why) < 0) ||
	    (on_reply(d) && rxset_add(r->reply_set, source, &reply_id, &why) < 0)) {
		load_error(L, line, "%s", why);
		return;
	}
	r->pats[d] = xreallocarray(r->pats[d], r->n_pats[d] + 1, sizeof(struct pattern));
	r->pats[d][r->n_pats[d]++] = (struct pattern){id, reply_id, weight, index, line};
}

/* Parse one logical line "directive [arg]: value". */
static void
parse_line(struct loader *L, unsigned line, char *text)
{
	const struct directive_def *def = NULL;
	char *p = text, *word, *arg = NULL, *value, *colon = NULL;
	size_t wlen, index = 0;
	int weight;

	/* The header ends at the first ':' followed by white space or the end. */
	for (char *q = text; *q; q++)
		if (*q == ':' && (q[1] == '\0' || q[1] == ' ' || q[1] == '\t')) {
			colon = q;
			break;
		}
	if (colon == NULL) {
		load_error(L, line, "expected \"directive: pattern\", got \"%s\"", text);
		return;
	}
	*colon = '\0';
	value = strstrip(colon + 1);
	word = p;
	wlen = strcspn(word, " \t");
	if (word[wlen] != '\0') {
		word[wlen] = '\0';
		arg = strstrip(word + wlen + 1);
	}
	for (size_t i = 0; i < ELEMENTSOF(directive_defs); i++)
		if (ascii_strcaseeq(directive_defs[i].name, word))
			def = &directive_defs[i];
	if (def == NULL) {
		load_error(L, line, "unknown directive \"%s\"", word);
		return;
	}
	weight = def->weight;
	if (def->arg == ARG_NONE && !isempty(arg)) {
		load_error(L, line, "\"%s\" takes no name or weight, got \"%s\"", def->name, arg);
		return;
	}
	if (def->arg == ARG_WEIGHT && !isempty(arg)) {
		char *end;
		long w = strtol(arg, &end, 10);

		if (*end != '\0' || w < 1 || w > 10) {
			load_error(L, line, "weight must be a number from 1 to 10, got \"%s\"",
			           arg);
			return;
		}
		weight = (int)w;
	}
	if ((def->arg == ARG_ROUTE || def->arg == ARG_FLAG || def->arg == ARG_AREA) && isempty(arg)) {
		load_error(L, line, "\"%s\" needs a name, e.g. \"%s NAME: pattern\"", def->name,
		           def->name);
		return;
	}
	if (def->arg == ARG_ROUTE || def->arg == ARG_FLAG || def->arg == ARG_AREA)
		for (char *q = arg; *q; q++)
			if (!name_char(*q)) {
				load_error(L, line, "bad name \"%s\" (use letters, digits, _ - :)",
				           arg);
				return;
			}
	if (isempty(value)) {
		load_error(L, line, "\"%s\" has nothing after the colon", def->name);
		return;
	}

	switch (def->d) {
	case D_THRESHOLD: {
		char *end;
		long t = strtol(value, &end, 10);

		if (*end != '\0' || t < 1 || t > 100)
			load_error(L, line, "threshold must be a number from 1 to 100, got \"%s\"",
			           value);
		else
			L->r->threshold = (int)t;
		return;
	}
	case D_DEFAULT: {
		int k = case_kind_from_string(value);

		if (k != KIND_COMPLAINT && k != KIND_SERVICE_REQUEST)
			load_error(
			    L, line,
			    "unknown kind \"%s\" for default (use complaint or service_request)",
			    value);
		else
			L->r->default_kind = (enum case_kind)k;
		return;
	}
	case D_FLAG:
	case D_UNFLAG:
		index = flag_index(L->r, arg);
		if (index == SIZE_MAX) {
			load_error(L, line, "unknown flag \"%s\"", arg);
			return;
		}
		break;
	case D_AREA:
		index = area_index(L->r, arg);
		break;
	case D_ROUTE: {
		char *eq = NULL, *dest = NULL;
		struct route *rt;

		/* "route NAME: pattern = where it goes" (the last " = " splits). */
		for (char *q = value; (q = strstr(q, " = ")) != NULL; q++)
			eq = q;
		if (eq != NULL) {
			*eq = '\0';
			dest = strstrip(eq + 3);
			value = strstrip(value);
			if (isempty(value)) {
				load_error(L, line, "route \"%s\" has no pattern", arg);
				return;
			}
		}
		index = route_find(L->r, arg);
		if (index == SIZE_MAX) {
			L->r->routes =
			    xreallocarray(L->r->routes, L->r->n_routes + 1, sizeof(struct route));
			index = L->r->n_routes++;
			L->r->routes[index] =
			    (struct route){xstrdup(arg), NULL, def->statutory, line};
		}
		rt = &L->r->routes[index];
		if (rt->statutory != def->statutory) {
			load_error(L, line,
			           "route \"%s\" is declared both as route and statutory-route",
			           arg);
			return;
		}
		if (!isempty(dest)) {
			if (rt->dest != NULL && !streq(rt->dest, dest)) {
				load_error(L, line, "route \"%s\" already goes to \"%s\"", arg,
				           rt->dest);
				return;
			}
			if (rt->dest == NULL)
				rt->dest = xstrdup(dest);
		}
		break;
	}
	default:
		break;
	}
	add_pattern(L, line, def->d, value, weight, index);
}

static struct rules *
rules_new(void)
{
	struct rules *r = xcalloc(1, sizeof(*r));

	r->threshold = 2;
	r->default_kind = KIND_SERVICE_REQUEST;
	r->set = rxset_new();
	r->reply_set = rxset_new();
	return r;
}

void
rules_free(struct rules *r)
{
	if (r == NULL)
		return;
	for (size_t d = 0; d < _D_PATTERNS; d++)
		free(r->pats[d]);
	for (size_t i = 0; i < r->n_routes; i++) {
		free(r->routes[i].name);
		free(r->routes[i].dest);
	}
	free(r->routes);
	for (size_t i = 0; i < r->n_areas; i++)
		free(r->areas[i]);
	free(r->areas);
	rxset_free(r->set);
	rxset_free(r->reply_set);
	free(r->name);
	free(r);
}

/*
 * Lines starting with '#' are comments; an indented line continues the
 * pattern of the line above (its leading white space is dropped).
 */
int
rules_load_string_cached(const char *text, const char *name, const void *cache, size_t cache_len,
                         struct rules **ret, struct errlist *errs)
{
	struct loader L = {rules_new(), name ? name : "(rules)", errs, 0};
	int r;
	_cleanup_buf_ struct buf logical = BUF_INIT;
	unsigned lineno = 0, logical_line = 0;
	const char *p = text ? text : "";

	*ret = NULL;
	for (;;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		_cleanup_free_ char *raw = xstrndup(p, len);
		bool continuation = raw[0] == ' ' || raw[0] == '\t';
		char *s;

		lineno++;
		if (memchr(p, '\0', len) != NULL || strlen(raw) != len)
			load_error(&L, lineno, "NUL byte in line");
		s = strstrip(raw);
		if (*s == '#') {
			/* a comment */
		} else if (*s != '\0' && continuation && logical.len > 0) {
			(void)buf_puts(&logical, s);
		} else {
			if (logical.len > 0)
				parse_line(&L, logical_line, logical.data);
			buf_reset(&logical);
			if (*s != '\0' && continuation)
				load_error(&L, lineno, "indented line continues nothing");
			else if (*s != '\0') {
				(void)buf_puts(&logical, s);
				logical_line = lineno;
			}
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	if (logical.len > 0)
		parse_line(&L, logical_line, logical.data);

	for (size_t i = 0; i < L.r->n_routes; i++)
		if (L.r->routes[i].dest == NULL)
			load_error(
			    &L, L.r->routes[i].line,
			    "route \"%s\" does not say where it goes (add \" = destination\")",
			    L.r->routes[i].name);
	if (L.n_errors > 0) {
		rules_free(L.r);
		return -EINVAL;
	}
	{
		/* the cache: the classification's set's length (8 bytes, little-endian), it, the replies' */
		const unsigned char *b = cache;
		uint64_t n = 0;

		if (b != NULL && cache_len >= 8)
			for (int i = 7; i >= 0; i--)
				n = n << 8 | b[i];
		if (b == NULL || cache_len < 8 || n > cache_len - 8)
			b = NULL, n = 0;
		r = rxset_build(L.r->set, b ? b + 8 : NULL, (size_t)n);
		if (r == 0)
			r = rxset_build(L.r->reply_set, b ? b + 8 + n : NULL,
					b ? cache_len - 8 - (size_t)n : 0);
	}
	if (r < 0) {
		if (errs)
			errlist_add(errs, "%s: cannot compile the patterns: %s", L.name,
			            strerror(-r));
		rules_free(L.r);
		return r;
	}
	L.r->name = xstrdup(L.name);
	*ret = L.r;
	return 0;
}

int
rules_load_string(const char *text, const char *name, struct rules **ret, struct errlist *errs)
{
	return rules_load_string_cached(text, name, NULL, 0, ret, errs);
}

int
rules_read_file(const char *path, char **ret, struct errlist *errs)
{
	_cleanup_buf_ struct buf text = BUF_INIT;
	FILE *f;
	char chunk[8192];
	size_t n;
	int r = 0;

	*ret = NULL;
	f = fopen(path, "re");
	if (f == NULL) {
		r = -errno;
		if (errs)
			errlist_add(errs, "%s: cannot open rules file: %s", path, strerror(-r));
		return r;
	}
	buf_init(&text, RULES_FILE_MAX);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_append(&text, chunk, n) < 0) {
			r = -EFBIG;
			break;
		}
	if (r == 0 && ferror(f))
		r = -EIO;
	fclose(f);
	if (r < 0) {
		if (errs)
			errlist_add(errs, "%s: cannot read rules file: %s", path,
			            r == -EFBIG ? "larger than 4 MB" : strerror(-r));
		return r;
	}
	*ret = buf_steal(&text);
	return 0;
}

int
rules_load(const char *path, struct rules **ret, struct errlist *errs)
{
	_cleanup_free_ char *text = NULL;
	int r;

	*ret = NULL;
	r = rules_read_file(path, &text, errs);
	if (r < 0)
		return r;
	return rules_load_string(text, path, ret, errs);
}

bool
rules_from_cache(const struct rules *r)
{
	return r != NULL && rxset_from_cache(r->set) && rxset_from_cache(r->reply_set);
}

int
rules_serialize(const struct rules *r, char **ret, size_t *ret_len)
{
	_cleanup_free_ char *a = NULL, *b = NULL;
	size_t alen = 0, blen = 0;
	char *out;
	int rc = rxset_serialize(r->set, &a, &alen);

	if (rc == 0)
		rc = rxset_serialize(r->reply_set, &b, &blen);
	if (rc < 0)
		return rc;
	out = xmalloc(8 + alen + blen);
	for (int i = 0; i < 8; i++)
		out[i] = (char)(((uint64_t)alen >> (8 * i)) & 0xff);
	memcpy(out + 8, a, alen);
	memcpy(out + 8 + alen, b, blen);
	*ret = out;
	*ret_len = 8 + alen + blen;
	return 0;
}

const char *
rules_engine_version(void)
{
	static char v[128];

	/* two sets since "rules 2": a cache of one set is not read */
	if (v[0] == '\0')
		snprintf(v, sizeof(v), "%s, rules 2", rxset_engine_version());
	return v;
}

size_t
rules_slow_patterns(const struct rules *r, struct errlist *notes)
{
	size_t n = 0;

	for (size_t d = 0; d < _D_PATTERNS; d++)
		for (size_t i = 0; i < r->n_pats[d]; i++) {
			const struct pattern *pt = &r->pats[d][i];
			const char *why = pt->id != SIZE_MAX ? rxset_slow_reason(r->set, pt->id)
							     : rxset_slow_reason(r->reply_set, pt->reply_id);

			if (why == NULL)
				continue;
			n++;
			if (notes)
				errlist_add(notes,
				            "%s:%u: pattern matched by PCRE2, not Vectorscan (%s)",
				            r->name, pt->line, why);
		}
	return n;
}

/* ---- matching -------------------------------------------------------- */

/* What one text matches: for each clause, which patterns of one set match in it. */
struct matcher {
	const struct rules *r;
	bool reply; /* the replies' set (reply_id), else the classification's (id) */
	size_t n_ids;
	bool *hit; /* clause k, pattern id: hit[k * n_ids + id] */
};

/* Every pattern of the set in every clause, in one scan. */
static void
matcher_init(struct matcher *m, const struct rules *r, bool reply, const struct clauses *c)
{
	const struct rxset *set = reply ? r->reply_set : r->set;

	m->r = r;
	m->reply = reply;
	m->n_ids = rxset_count(set);
	m->hit = xcalloc(c->n * m->n_ids + 1, sizeof(bool));
	/* A scan error leaves patterns unmatched: no rule shown to apply. */
	(void)rxset_scan_clauses(set, buf_str(&c->text), c->text.len, c->start, c->len, c->n,
	                         m->hit);
}

static void
matcher_done(struct matcher *m)
{
	free(m->hit);
}

static bool
re_match(const struct matcher *m, const struct pattern *pt, size_t k)
{
	size_t id = m->reply ? pt->reply_id : pt->id;

	/* a directive outside the set never matches: none is read where it is not scanned */
	return id != SIZE_MAX && m->hit[k * m->n_ids + id];
}

/* Any pattern of directive d matches clause k. */
static bool
any_match(const struct matcher *m, enum directive d, size_t k)
{
	for (size_t i = 0; i < m->r->n_pats[d]; i++)
		if (re_match(m, &m->r->pats[d][i], k))
			return true;
	return false;
}

/* Pattern pt matches any clause not marked in skip (may be NULL). */
static bool
any_clause_one(const struct matcher *m, const struct pattern *pt, const struct clauses *c,
               const bool *skip)
{
	for (size_t k = 0; k < c->n; k++)
		if (!(skip && skip[k]) && re_match(m, pt, k))
			return true;
	return false;
}

/* Any pattern of d matches any clause. */
static bool
any_clause(const struct matcher *m, enum directive d, const struct clauses *c)
{
	for (size_t i = 0; i < m->r->n_pats[d]; i++)
		if (any_clause_one(m, &m->r->pats[d][i], c, NULL))
			return true;
	return false;
}

/*
 * Sum of the weights of the patterns of d that match at least one clause,
 * skipping the clauses marked in negated (may be NULL).
 */
static int
score(const struct matcher *m, enum directive d, const struct clauses *c, const bool *negated)
{
	int total = 0;

	for (size_t i = 0; i < m->r->n_pats[d]; i++)
		if (any_clause_one(m, &m->r->pats[d][i], c, negated))
			total += m->r->pats[d][i].weight;
	return total;
}

/* The service area with most matching patterns (ties: the first in the file), or NULL. */
static char *
best_area(const struct rules *r, const struct matcher *m, const struct clauses *c)
{
	_cleanup_free_ size_t *hits = xcalloc(r->n_areas + 1, sizeof(size_t));
	size_t best = SIZE_MAX;

	for (size_t i = 0; i < r->n_pats[D_AREA]; i++) {
		const struct pattern *pt = &r->pats[D_AREA][i];

		if (any_clause_one(m, pt, c, NULL))
			hits[pt->index]++;
	}
	for (size_t i = 0; i < r->n_areas; i++)
		if (hits[i] > 0 && (best == SIZE_MAX || hits[i] > hits[best]))
			best = i;
	return best == SIZE_MAX ? NULL : xstrdup(r->areas[best]);
}

static void
add_flag(struct classification *c, const char *flag)
{
	if (classification_has_flag(c, flag))
		return;
	c->flags = xreallocarray(c->flags, c->n_flags + 1, sizeof(char *));
	c->flags[c->n_flags++] = xstrdup(flag);
}

int
rules_classify(const struct rules *r, const char *subject, const char *own_text,
               enum sender_role role, struct classification *ret)
{
	struct clauses c = CLAUSES_INIT;
	_cleanup_free_ bool *negated = NULL;
	_cleanup_free_ size_t *route_hits = NULL;
	bool flag_set[ELEMENTSOF(known_flags)] = {false}, consent;
	struct matcher m;
	size_t best = SIZE_MAX;
	int complaint, request, handling;

	*ret = (struct classification){.kind = KIND_SERVICE_REQUEST, .scheme = SCHEME_LGSCO};
	if (r == NULL)
		return -EINVAL;
	if (!isempty(subject))
		clauses_add_text(subject, &c);
	clauses_add_text(own_text ? own_text : "", &c);
	matcher_init(&m, r, false, &c);

	negated = xcalloc(c.n + 1, sizeof(bool));
	for (size_t k = 0; k < c.n; k++)
		negated[k] = any_match(&m, D_NOT_COMPLAINT, k);
	complaint = score(&m, D_COMPLAINT, &c, negated);
	request = score(&m, D_REQUEST, &c, NULL);
	handling = score(&m, D_HANDLING, &c, negated);
	complaint += handling;

	/* The route with most matching patterns wins; ties go to the earlier one. */
	route_hits = xcalloc(r->n_routes + 1, sizeof(size_t));
	for (size_t i = 0; i < r->n_pats[D_ROUTE]; i++) {
		const struct pattern *pt = &r->pats[D_ROUTE][i];

		if (any_clause_one(&m, pt, &c, NULL))
			route_hits[pt->index]++;
	}
	for (size_t i = 0; i < r->n_routes; i++)
		if (route_hits[i] > 0 && (best == SIZE_MAX || route_hits[i] > route_hits[best]))
			best = i;

	for (size_t i = 0; i < r->n_pats[D_FLAG]; i++) {
		const struct pattern *pt = &r->pats[D_FLAG][i];

		if (!flag_set[pt->index] && any_clause_one(&m, pt, &c, NULL))
			flag_set[pt->index] = true;
	}
	for (size_t i = 0; i < r->n_pats[D_UNFLAG]; i++) {
		const struct pattern *pt = &r->pats[D_UNFLAG][i];

		if (flag_set[pt->index] && any_clause_one(&m, pt, &c, NULL))
			flag_set[pt->index] = false;
	}
	consent = any_clause(&m, D_CONSENT, &c);
	ret->area = best_area(r, &m, &c);

	if (role == ROLE_COUNCILLOR) {
		bool formal = false;

		for (size_t k = 0; k < c.n && !formal; k++)
			formal = !negated[k] && any_match(&m, D_MEMBER_COMPLAINT, k);
		ret->kind = formal ? KIND_COMPLAINT : KIND_MEMBER_ENQUIRY;
		ret->reason = xstrdup(formal ? "a councillor or MP asks for a formal complaint"
		                             : "mail from a councillor or MP");
	} else if (best != SIZE_MAX && (r->routes[best].statutory || handling == 0)) {
		ret->kind = KIND_OTHER_PROCESS;
		ret->route = xstrdup(r->routes[best].name);
		ret->route_to = xstrdup(r->routes[best].dest);
		ret->reason = xasprintf("matches the %s route \"%s\"%s",
		                        r->routes[best].statutory ? "statutory" : "other-process",
		                        r->routes[best].name,
		                        handling > 0 ? " (statutory: even about our handling)" : "");
	} else if (handling > 0 || (complaint >= r->threshold && complaint >= request)) {
		ret->kind = KIND_COMPLAINT;
		ret->reason = handling > 0
		                  ? xasprintf("dissatisfaction with how the council dealt with it "
		                              "(handling score %d)",
		                              handling)
		                  : xasprintf("complaint words score %d (threshold %d, request words %d)",
		                              complaint, r->threshold, request);
	} else {
		ret->kind = r->default_kind;
		ret->reason = xasprintf("no complaint rule decided it (complaint score %d, threshold "
		                        "%d, request words %d): the default, %s",
		                        complaint, r->threshold, request,
		                        case_kind_to_string(r->default_kind));
	}

	for (size_t i = 0; i < r->n_flags; i++) {
		const char *f = r->flags[i];

		if (streq(f, FLAG_CONSENT_NEEDED)) {
			/*
			 * A councillor always writes for someone else: consent matters
			 * once they make a complaint, not for an enquiry.
			 */
			bool rep =
			    role == ROLE_COUNCILLOR ? ret->kind == KIND_COMPLAINT : flag_set[i];

			if (rep && !consent)
				add_flag(ret, f);
		} else if (flag_set[i]) {
			add_flag(ret, f);
		}
	}
	if (role == ROLE_COUNCILLOR && ret->kind == KIND_COMPLAINT && !consent)
		add_flag(ret, FLAG_CONSENT_NEEDED);
	/* statutory procedures and what not-housing names are not a landlord's matter */
	if (any_clause(&m, D_HOUSING, &c) && !any_clause(&m, D_NOT_HOUSING, &c) &&
	    !(ret->route != NULL && r->routes[best].statutory)) {
		ret->scheme = SCHEME_HOUSING;
		add_flag(ret, FLAG_HOUSING);
	}
	matcher_done(&m);
	clauses_free(&c);
	return 0;
}

bool
rules_wants_escalation(const struct rules *r, const char *own_text)
{
	struct clauses c = CLAUSES_INIT;
	struct matcher m;
	bool wants = false;

	if (r == NULL || isempty(own_text))
		return false;
	clauses_add_text(own_text, &c);
	matcher_init(&m, r, true, &c);
	for (size_t k = 0; k < c.n && !wants; k++)
		wants = any_match(&m, D_ESCALATE, k) && !any_match(&m, D_NO_ESCALATE, k);
	matcher_done(&m);
	clauses_free(&c);
	return wants;
}

bool
rules_wants_upgrade(const struct rules *r, const char *own_text)
{
	struct clauses c = CLAUSES_INIT;
	struct matcher m;
	bool wants = false;

	if (r == NULL || isempty(own_text))
		return false;
	clauses_add_text(own_text, &c);
	matcher_init(&m, r, true, &c);
	/* "I don't want to make a complaint" cancels its own clause */
	for (size_t k = 0; k < c.n && !wants; k++)
		wants = any_match(&m, D_UPGRADE, k) && !any_match(&m, D_NOT_COMPLAINT, k);
	matcher_done(&m);
	clauses_free(&c);
	return wants;
}

void
classification_free(struct classification *c)
{
	if (c == NULL)
		return;
	free(c->area);
	free(c->reason);
	c->area = c->reason = NULL;
	for (size_t i = 0; i < c->n_flags; i++)
		free(c->flags[i]);
	free(c->flags);
	free(c->route);
	free(c->route_to);
	c->flags = NULL;
	c->n_flags = 0;
	c->route = c->route_to = NULL;
}

bool
classification_has_flag(const struct classification *c, const char *flag)
{
	for (size_t i = 0; i < c->n_flags; i++)
		if (streq(c->flags[i], flag))
			return true;
	return false;
}

const char *const *
rules_areas(const struct rules *r, size_t *ret_n)
{
	*ret_n = r ? r->n_areas : 0;
	return r ? (const char *const *)r->areas : NULL;
}

bool
rules_has_route(const struct rules *r, const char *name)
{
	return r != NULL && route_find(r, name) != SIZE_MAX;
}

void
classification_copy(const struct classification *c, struct classification *ret)
{
	*ret = (struct classification){.kind = c->kind, .scheme = c->scheme,
				       .n_flags = c->n_flags};
	ret->route = c->route ? xstrdup(c->route) : NULL;
	ret->route_to = c->route_to ? xstrdup(c->route_to) : NULL;
	ret->area = c->area ? xstrdup(c->area) : NULL;
	ret->reason = c->reason ? xstrdup(c->reason) : NULL;
	ret->flags = c->n_flags ? xreallocarray(NULL, c->n_flags, sizeof(char *)) : NULL;
	for (size_t i = 0; i < c->n_flags; i++)
		ret->flags[i] = xstrdup(c->flags[i]);
}
