/*
 * rxset.c - many regular expressions, one Vectorscan scan (rxset.h).
 *
 * This is the only file that includes hs.h and pcre2.h.  PCRE2 checks every
 * pattern (its messages are the ones people see) and matches the few that
 * Vectorscan refuses; Vectorscan matches the rest in one pass over the text,
 * with no writable and executable memory, so it runs at the same speed under
 * MemoryDenyWriteExecute=yes as without.
 */
#include "config.h"

#define PCRE2_CODE_UNIT_WIDTH 8

#include <errno.h>
#include <hs/hs.h>
#include <pcre2.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

#include "buf.h"
#include "rxset.h"
#include "utf8.h"
#include "util.h"

/* Backtracking bound per PCRE2 match; generous for human-written patterns. */
#define RX_MATCH_LIMIT 200000
#define RX_DEPTH_LIMIT 5000

/* Two databases since 002 (rxset_scan_clauses()). */
#define CACHE_MAGIC "RXSET002"

/*
 * How a pattern in the database takes part in a scan of clauses joined by
 * newlines (rxset_scan_clauses()).
 */
enum rx_where {
	/*
	 * It cannot match a newline and has no ^ or $: each of its matches in
	 * the joined text lies inside one clause, and is a match of that clause
	 * alone.  Only in the joined database.
	 */
	RX_EXACT,
	/*
	 * It may match a newline, has ^ or $ (matched at newlines in the joined
	 * text), or is a prefilter for PCRE2: every match in a clause alone is
	 * also one in the joined text, ending in that clause, so the joined text
	 * names the clauses to scan alone with the clause database.  In both.
	 */
	RX_CANDIDATE,
	/* \A, \z, \Z, \G, (*VERB): every clause is scanned alone.  Only in the clause database. */
	RX_ALONE,
};

struct rx {
	char *src;
	pcre2_code *re;    /* kept for patterns on the PCRE2 path */
	unsigned hs_flags; /* as compiled into the clause database (and alone) */
	char *slow_reason; /* NULL: Vectorscan alone decides */
	bool in_db;        /* in the databases (alone, or as prefilter of a slow one) */
	enum rx_where where;
};

struct rxset {
	struct rx *v;
	size_t n;
	hs_database_t *db;        /* EXACT and CANDIDATE patterns, for the joined text */
	hs_database_t *db_clause; /* CANDIDATE and ALONE ones, for a clause alone */
	bool any_alone;           /* some pattern is ALONE: every clause is scanned alone */
	hs_scratch_t *proto;
	pcre2_match_context *mctx;
	bool built, from_cache;
	pthread_mutex_t lock; /* guards pool */
	hs_scratch_t **pool;
	size_t n_pool;
};

struct rxset *
rxset_new(void)
{
	struct rxset *s = xcalloc(1, sizeof(*s));

	s->mctx = pcre2_match_context_create(NULL);
	if (s->mctx == NULL)
		abort();
	pcre2_set_match_limit(s->mctx, RX_MATCH_LIMIT);
	pcre2_set_depth_limit(s->mctx, RX_DEPTH_LIMIT);
	pthread_mutex_init(&s->lock, NULL);
	return s;
}

void
rxset_free(struct rxset *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].src);
		free(s->v[i].slow_reason);
		pcre2_code_free(s->v[i].re);
	}
	free(s->v);
	for (size_t i = 0; i < s->n_pool; i++)
		hs_free_scratch(s->pool[i]);
	free(s->pool);
	hs_free_scratch(s->proto);
	hs_free_database(s->db);
	hs_free_database(s->db_clause);
	pcre2_match_context_free(s->mctx);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

size_t
rxset_count(const struct rxset *s)
{
	return s->n;
}

const char *
rxset_engine_version(void)
{
	static char v[128];

	if (v[0] == '\0') {
		/* the set's layout too: a cache of another layout gets another key */
		int n = snprintf(v, sizeof(v), "Vectorscan %s, %s", hs_version(), CACHE_MAGIC);

		if (n < 0 || (size_t)n >= sizeof(v))
			v[sizeof(v) - 1] = '\0';
	}
	return v;
}

bool
rxset_jit_available(void)
{
	pcre2_code *re;
	PCRE2_SIZE off;
	int ec;
	bool ok;

	if (RUNNING_ON_VALGRIND)
		return false; /* not tried under valgrind: see rxset_build() */
	re = pcre2_compile((PCRE2_SPTR) "a", 1, 0, &ec, &off, NULL);
	if (re == NULL)
		return false;
	ok = pcre2_jit_compile(re, PCRE2_JIT_COMPLETE) == 0;
	pcre2_code_free(re);
	return ok;
}

/*
 * UTF-8 mode only for patterns with non-ASCII characters: it triples compile
 * time and adds half again to its memory (a pattern with ".{0,80}" costs 16 MB
 * to compile in UTF-8 mode, 6 MB without).  In an ASCII pattern "." and
 * "[^...]" then stand for one byte, not one character, which only shortens a
 * bounded gap over accented text.  Not HS_FLAG_SINGLEMATCH: with it,
 * Vectorscan 5.4.9 misses a one-character pattern ("2") in texts of 64 bytes
 * or more (the rxset fuzz target found it).
 */
static unsigned
hs_flags_for(const char *pat)
{
	for (const unsigned char *p = (const unsigned char *)pat; *p; p++)
		if (*p >= 0x80)
			return HS_FLAG_CASELESS | HS_FLAG_UTF8;
	return HS_FLAG_CASELESS;
}

int
rxset_add(struct rxset *s, const char *pattern, size_t *ret_id, char **ret_error)
{
	pcre2_code *re;
	pcre2_match_data *md;
	PCRE2_SIZE off;
	int ec, rc;

	*ret_error = NULL;
	re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
	                   PCRE2_UTF | PCRE2_CASELESS | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF, &ec,
	                   &off, NULL);
	if (re == NULL) {
		PCRE2_UCHAR msg[256];

		if (pcre2_get_error_message(ec, msg, sizeof(msg)) < 0)
			snprintf((char *)msg, sizeof(msg), "error %d", ec);
		*ret_error = xasprintf("bad pattern: %s at offset %zu in \"%s\"", (char *)msg,
		                       (size_t)off, pattern);
		return -EINVAL;
	}
	/* A pattern that matches empty text would match every message. */
	md = pcre2_match_data_create(1, NULL);
	if (md == NULL)
		abort();
	rc = pcre2_match(re, (PCRE2_SPTR) "", 0, 0, 0, md, s->mctx);
	pcre2_match_data_free(md);
	if (rc >= 0) {
		*ret_error = xasprintf(
		    "pattern matches empty text, so it would match every message: \"%s\"", pattern);
		pcre2_code_free(re);
		return -EINVAL;
	}
	s->v = xreallocarray(s->v, s->n + 1, sizeof(struct rx));
	s->v[s->n] = (struct rx){xstrdup(pattern), re, hs_flags_for(pattern), NULL, false, RX_EXACT};
	*ret_id = s->n++;
	return 0;
}

static void
set_slow(struct rx *x, const char *why)
{
	free(x->slow_reason);
	x->slow_reason = xstrdup(why);
}

/* Which patterns Vectorscan refuses, even as a prefilter for PCRE2. */
static void
sort_patterns(struct rxset *s)
{
	for (size_t i = 0; i < s->n; i++) {
		struct rx *x = &s->v[i];
		hs_expr_info_t *info = NULL;
		hs_compile_error_t *err = NULL;

		x->in_db = true;
		if (hs_expression_info(x->src, x->hs_flags, &info, &err) == HS_SUCCESS) {
			free(info);
			continue;
		}
		set_slow(x, err->message);
		hs_free_compile_error(err);
		err = NULL;
		x->hs_flags |= HS_FLAG_PREFILTER;
		if (hs_expression_info(x->src, x->hs_flags, &info, &err) == HS_SUCCESS) {
			free(info);
		} else {
			x->in_db = false;
			hs_free_compile_error(err);
		}
	}
}

/*
 * Where a pattern takes part in a scan of clauses (enum rx_where), from its
 * text: anything but plain characters, \b \B \w \d and escaped punctuation
 * (a class, "[^", "\s", "\W", "(?", ...) might match a newline, so erring
 * towards the slower way is never wrong.  "." does not match a newline in
 * Vectorscan (no HS_FLAG_DOTALL).
 */
static enum rx_where
where_for(const struct rx *x)
{
	bool exact = x->slow_reason == NULL;

	for (const unsigned char *p = (const unsigned char *)x->src; *p; p++) {
		if (*p == '\\') {
			unsigned char e = p[1];

			if (e == 'A' || e == 'z' || e == 'Z' || e == 'G')
				return RX_ALONE;
			if (e == '\0')
				break;
			if (!(e == 'b' || e == 'B' || e == 'w' || e == 'd' ||
			      (e >= 0x20 && e < 0x7f && !(e >= '0' && e <= '9') &&
			       !(e >= 'a' && e <= 'z') && !(e >= 'A' && e <= 'Z'))))
				exact = false;
			p++;
		} else if (*p == '(' && p[1] == '*') {
			return RX_ALONE; /* (*CR) and the like change what a newline is */
		} else if (*p < 0x20 || *p == 0x7f || *p == '^' || *p == '$' ||
		           (*p == '(' && p[1] == '?') ||
		           (*p == '[' && (p[1] == ':' || p[1] == '=' || p[1] == '.'))) {
			exact = false;
		}
	}
	return exact ? RX_EXACT : RX_CANDIDATE;
}

static bool
in_db_for(const struct rx *x, bool joined)
{
	return x->in_db && (joined ? x->where != RX_ALONE : x->where != RX_EXACT);
}

/*
 * Compile one of the two databases.  A pattern Vectorscan refuses there is
 * moved to the PCRE2 path (or out of the databases) and -EAGAIN returned:
 * both are compiled again.
 */
static int
compile_one(struct rxset *s, bool joined, const hs_platform_info_t *platform,
            hs_database_t **ret)
{
	_cleanup_free_ const char **pats = xcalloc(s->n + 1, sizeof(char *));
	_cleanup_free_ unsigned *flags = xcalloc(s->n + 1, sizeof(unsigned));
	_cleanup_free_ unsigned *ids = xcalloc(s->n + 1, sizeof(unsigned));
	_cleanup_free_ size_t *back = xcalloc(s->n + 1, sizeof(size_t));
	hs_compile_error_t *err = NULL;
	unsigned n = 0;
	struct rx *bad;

	*ret = NULL;
	for (size_t i = 0; i < s->n; i++)
		if (in_db_for(&s->v[i], joined)) {
			pats[n] = s->v[i].src;
			flags[n] = s->v[i].hs_flags;
			if (joined && s->v[i].where == RX_CANDIDATE)
				flags[n] |= HS_FLAG_MULTILINE;
			ids[n] = (unsigned)i;
			back[n++] = i;
		}
	if (n == 0)
		return 0;
	if (hs_compile_multi(pats, flags, ids, n, HS_MODE_BLOCK, platform, ret, &err) ==
	    HS_SUCCESS)
		return 0;
	*ret = NULL;
	if (err->expression < 0 || (unsigned)err->expression >= n) {
		/* Not one pattern's fault: everything takes the PCRE2 path. */
		for (size_t i = 0; i < s->n; i++) {
			if (s->v[i].slow_reason == NULL)
				set_slow(&s->v[i], err->message);
			s->v[i].in_db = false;
		}
		hs_free_compile_error(err);
		return -EAGAIN;
	}
	bad = &s->v[back[err->expression]];
	if (bad->hs_flags & HS_FLAG_PREFILTER) {
		bad->in_db = false;
	} else {
		set_slow(bad, err->message);
		bad->hs_flags |= HS_FLAG_PREFILTER;
	}
	hs_free_compile_error(err);
	return -EAGAIN;
}

static void
set_where(struct rxset *s)
{
	s->any_alone = false;
	for (size_t i = 0; i < s->n; i++) {
		s->v[i].where = where_for(&s->v[i]);
		if (s->v[i].in_db && s->v[i].where == RX_ALONE)
			s->any_alone = true;
	}
}

static int
compile_db(struct rxset *s)
{
	hs_platform_info_t platform;

	/*
	 * For the CPU we run on, but without AVX-512: a database using it is
	 * refused where it is missing, valgrind included (so a cache would be
	 * compiled again under it, and again after it), and scanning with it was
	 * no faster here.
	 */
	if (hs_populate_platform(&platform) != HS_SUCCESS)
		return -ENOTSUP;
	platform.cpu_features &= HS_CPU_FEATURES_AVX2;
	for (;;) {
		set_where(s);
		hs_free_database(s->db);
		hs_free_database(s->db_clause);
		s->db = s->db_clause = NULL;
		if (compile_one(s, true, &platform, &s->db) == -EAGAIN ||
		    compile_one(s, false, &platform, &s->db_clause) == -EAGAIN)
			continue;
		return 0;
	}
}

/* ---- the cache ------------------------------------------------------- */

static uint64_t
fnv(uint64_t h, const void *p, size_t len)
{
	const unsigned char *u = p;

	for (size_t i = 0; i < len; i++) {
		h ^= u[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

#define FNV_INIT 0xcbf29ce484222325ULL

/* What a cache must have been made from: library version and every pattern as added. */
static uint64_t
fingerprint(const struct rxset *s)
{
	const char *v = rxset_engine_version();
	uint64_t h = fnv(FNV_INIT, v, strlen(v) + 1);
	unsigned f;

	for (size_t i = 0; i < s->n; i++) {
		f = hs_flags_for(s->v[i].src);
		h = fnv(h, s->v[i].src, strlen(s->v[i].src) + 1);
		h = fnv(h, &f, sizeof(f));
	}
	return h;
}

struct cache_head {
	char magic[8];
	uint64_t fingerprint;
	uint64_t n;
	uint64_t body_len; /* records, then the joined database, then the clause database */
	uint64_t body_sum;
	uint64_t db_len;
	uint64_t db_clause_len;
};

struct cache_rec {
	uint32_t id;
	uint32_t flags;
	uint32_t in_db;
	uint32_t reason_len;
};

int
rxset_serialize(const struct rxset *s, char **ret, size_t *ret_len)
{
	_cleanup_buf_ struct buf body = BUF_INIT;
	struct cache_head h = {CACHE_MAGIC, fingerprint(s), s->n, 0, 0, 0, 0};
	char *db = NULL, *dbc = NULL, *out;
	size_t db_len = 0, dbc_len = 0;

	if (!s->built)
		return -EINVAL;
	for (size_t i = 0; i < s->n; i++) {
		const struct rx *x = &s->v[i];
		struct cache_rec r = {(uint32_t)i, x->hs_flags, x->in_db,
		                      x->slow_reason ? (uint32_t)strlen(x->slow_reason) : 0};

		(void)buf_append(&body, &r, sizeof(r));
		if (r.reason_len > 0)
			(void)buf_append(&body, x->slow_reason, r.reason_len);
	}
	if (s->db != NULL && hs_serialize_database(s->db, &db, &db_len) != HS_SUCCESS)
		return -ENOMEM;
	if (s->db_clause != NULL &&
	    hs_serialize_database(s->db_clause, &dbc, &dbc_len) != HS_SUCCESS) {
		free(db);
		return -ENOMEM;
	}
	(void)buf_append(&body, db, db_len);
	(void)buf_append(&body, dbc, dbc_len);
	free(db);
	free(dbc);
	h.body_len = body.len;
	h.body_sum = fnv(FNV_INIT, body.data, body.len);
	h.db_len = db_len;
	h.db_clause_len = dbc_len;
	out = xmalloc(sizeof(h) + body.len);
	memcpy(out, &h, sizeof(h));
	memcpy(out + sizeof(h), body.data, body.len);
	*ret = out;
	*ret_len = sizeof(h) + body.len;
	return 0;
}

/* Take the build from cache; false (and nothing changed) when it does not fit. */
static bool
load_cache(struct rxset *s, const char *cache, size_t len)
{
	struct cache_head h;
	const char *p, *end;
	hs_database_t *db = NULL, *dbc = NULL;
	struct rx *tmp;

	if (cache == NULL || len < sizeof(h))
		return false;
	memcpy(&h, cache, sizeof(h));
	if (memcmp(h.magic, CACHE_MAGIC, 8) != 0 || h.fingerprint != fingerprint(s) ||
	    h.n != s->n || h.body_len != len - sizeof(h) || h.db_len > h.body_len ||
	    h.db_clause_len > h.body_len - h.db_len ||
	    h.body_sum != fnv(FNV_INIT, cache + sizeof(h), h.body_len))
		return false;
	p = cache + sizeof(h);
	end = cache + len - h.db_len - h.db_clause_len;
	tmp = xcalloc(s->n + 1, sizeof(struct rx));
	for (size_t i = 0; i < s->n; i++) {
		struct cache_rec r;

		if ((size_t)(end - p) < sizeof(r))
			goto bad;
		memcpy(&r, p, sizeof(r));
		p += sizeof(r);
		if (r.id != i || r.reason_len > (size_t)(end - p))
			goto bad;
		tmp[i].hs_flags = r.flags;
		tmp[i].in_db = r.in_db != 0;
		if (r.reason_len > 0)
			tmp[i].slow_reason = xstrndup(p, r.reason_len);
		p += r.reason_len;
	}
	if (p != end)
		goto bad;
	if (h.db_len > 0 && hs_deserialize_database(end, h.db_len, &db) != HS_SUCCESS)
		goto bad;
	if (h.db_clause_len > 0 &&
	    hs_deserialize_database(end + h.db_len, h.db_clause_len, &dbc) != HS_SUCCESS) {
		hs_free_database(db);
		goto bad;
	}
	for (size_t i = 0; i < s->n; i++) {
		s->v[i].hs_flags = tmp[i].hs_flags;
		s->v[i].in_db = tmp[i].in_db;
		free(s->v[i].slow_reason);
		s->v[i].slow_reason = tmp[i].slow_reason;
	}
	free(tmp);
	s->db = db;
	s->db_clause = dbc;
	set_where(s);
	return true;
bad:
	for (size_t i = 0; i < s->n; i++)
		free(tmp[i].slow_reason);
	free(tmp);
	return false;
}

/* ---- building and scanning ------------------------------------------ */

int
rxset_build(struct rxset *s, const void *cache, size_t len)
{
	if (s->built)
		return -EALREADY;
	s->from_cache = hs_valid_platform() == HS_SUCCESS && load_cache(s, cache, len);
	if (!s->from_cache) {
		if (hs_valid_platform() != HS_SUCCESS) {
			for (size_t i = 0; i < s->n; i++) {
				set_slow(&s->v[i], "this processor cannot run Vectorscan");
				s->v[i].in_db = false;
			}
		} else {
			sort_patterns(s);
			(void)compile_db(s);
		}
	}
	/* one scratch space fits both databases */
	if (s->db != NULL && hs_alloc_scratch(s->db, &s->proto) != HS_SUCCESS)
		return -ENOMEM;
	if (s->db_clause != NULL && hs_alloc_scratch(s->db_clause, &s->proto) != HS_SUCCESS)
		return -ENOMEM;
	for (size_t i = 0; i < s->n; i++) {
		struct rx *x = &s->v[i];

		if (x->slow_reason == NULL) {
			pcre2_code_free(x->re);
			x->re = NULL;
		} else if (!RUNNING_ON_VALGRIND) {
			/*
			 * Interpreted matching is fine too (MemoryDenyWriteExecute=yes
			 * forbids JIT), so JIT failure is not an error.  Under valgrind
			 * JIT code cannot be followed and reports false positives.
			 */
			(void)pcre2_jit_compile(x->re, PCRE2_JIT_COMPLETE);
		}
	}
	s->built = true;
	return 0;
}

bool
rxset_from_cache(const struct rxset *s)
{
	return s->from_cache;
}

const char *
rxset_slow_reason(const struct rxset *s, size_t id)
{
	return id < s->n ? s->v[id].slow_reason : NULL;
}

/* One scan of clauses (rxset_scan_clauses()), or of one text as one clause. */
struct scan {
	const struct rxset *s;
	const char *text; /* the clauses, joined by newlines */
	size_t len;
	const size_t *start, *clen; /* clause k is text[start[k], start[k] + clen[k]) */
	size_t n;
	size_t last;  /* the clause of the last match (matches come in order of end) */
	bool *hit;    /* clause k, pattern id: hit[k * s->n + id] */
	bool *alone;  /* clause k is to be scanned alone */
	/* the clause being scanned alone */
	const char *ctext;
	size_t clen_k;
	bool *chit;
	bool *tried; /* PCRE2 has looked at this pattern in this clause */
	pcre2_match_data *md;
};

static bool
pcre_match(struct scan *c, const struct rx *x)
{
	if (c->md == NULL) {
		c->md = pcre2_match_data_create(1, NULL);
		if (c->md == NULL)
			abort();
	}
	/* A limit error counts as no match: the rule cannot be shown to apply. */
	return pcre2_match(x->re, (PCRE2_SPTR)c->ctext, c->clen_k, 0, 0, c->md, c->s->mctx) >= 0;
}

/* The clause holding byte off of the joined text, or SIZE_MAX for a newline between two. */
static size_t
clause_at(struct scan *c, size_t off)
{
	size_t lo = 0, hi = c->n;

	if (c->last < c->n && off >= c->start[c->last]) {
		if (off < c->start[c->last] + c->clen[c->last])
			return c->last;
		lo = c->last + 1;
	}
	/* the last clause starting at or before off */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->start[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	if (lo >= c->n || off < c->start[lo] || off >= c->start[lo] + c->clen[lo])
		return SIZE_MAX;
	c->last = lo;
	return lo;
}

static int
on_joined_match(unsigned int id, unsigned long long from, unsigned long long to,
                unsigned int flags, void *ctx)
{
	struct scan *c = ctx;
	size_t k;

	(void)from, (void)flags;
	if (to == 0 || (k = clause_at(c, (size_t)to - 1)) == SIZE_MAX)
		return 0;
	if (c->s->v[id].where == RX_EXACT)
		c->hit[k * c->s->n + id] = true;
	else
		c->alone[k] = true;
	return 0;
}

static int
on_clause_match(unsigned int id, unsigned long long from, unsigned long long to,
                unsigned int flags, void *ctx)
{
	struct scan *c = ctx;
	const struct rx *x = &c->s->v[id];

	(void)from, (void)to, (void)flags;
	if (c->chit[id])
		return 0;
	if (x->slow_reason != NULL) {
		/* a prefilter match: PCRE2 decides, once per clause */
		if (c->tried[id])
			return 0;
		c->tried[id] = true;
		if (!pcre_match(c, x))
			return 0;
	}
	c->chit[id] = true;
	return 0;
}

static hs_scratch_t *
scratch_get(struct rxset *s)
{
	hs_scratch_t *sc = NULL;

	pthread_mutex_lock(&s->lock);
	if (s->n_pool > 0)
		sc = s->pool[--s->n_pool];
	pthread_mutex_unlock(&s->lock);
	if (sc == NULL && hs_clone_scratch(s->proto, &sc) != HS_SUCCESS)
		abort();
	return sc;
}

static void
scratch_put(struct rxset *s, hs_scratch_t *sc)
{
	pthread_mutex_lock(&s->lock);
	s->pool = xreallocarray(s->pool, s->n_pool + 1, sizeof(hs_scratch_t *));
	s->pool[s->n_pool++] = sc;
	pthread_mutex_unlock(&s->lock);
}

/* Scan valid UTF-8 clauses (struct scan set up but for its buffers). */
static int
scan_clauses(struct rxset *s, struct scan *c)
{
	_cleanup_free_ bool *alone = NULL, *tried = NULL;
	hs_scratch_t *sc = NULL;
	int r = 0;

	if (s->db != NULL || s->db_clause != NULL)
		sc = scratch_get(s);
	alone = xcalloc(c->n + 1, sizeof(bool));
	tried = xcalloc(s->n + 1, sizeof(bool));
	c->alone = alone;
	c->tried = tried;
	if (s->db != NULL &&
	    hs_scan(s->db, c->text, (unsigned)c->len, 0, sc, on_joined_match, c) != HS_SUCCESS)
		r = -EIO;
	for (size_t k = 0; k < c->n; k++) {
		c->ctext = c->text + c->start[k];
		c->clen_k = c->clen[k];
		c->chit = c->hit + k * s->n;
		if (s->db_clause != NULL && (alone[k] || s->any_alone)) {
			memset(tried, 0, s->n * sizeof(bool));
			if (hs_scan(s->db_clause, c->ctext, (unsigned)c->clen_k, 0, sc,
			            on_clause_match, c) != HS_SUCCESS)
				r = -EIO;
		}
		for (size_t i = 0; i < s->n; i++)
			if (!s->v[i].in_db && !c->chit[i] && pcre_match(c, &s->v[i]))
				c->chit[i] = true;
	}
	if (sc != NULL)
		scratch_put(s, sc);
	pcre2_match_data_free(c->md);
	c->md = NULL;
	return r;
}

int
rxset_scan_clauses(const struct rxset *cs, const char *text, size_t len, const size_t *start,
                   const size_t *clen, size_t n, bool *hit)
{
	/* The pool is the only thing a scan changes, under its lock. */
	struct rxset *s = (struct rxset *)cs;
	_cleanup_buf_ struct buf fixed = BUF_INIT;
	_cleanup_free_ size_t *fstart = NULL, *flen = NULL;
	struct scan c = {cs, text, len, start, clen, n, 0, hit, NULL, NULL, 0, NULL, NULL, NULL};
	size_t nl = 0, next = 0;

	if (!s->built)
		return -EINVAL;
	/* The clauses one after another, each followed by a newline, and no other newline. */
	for (size_t k = 0; k < n; k++) {
		if (start[k] != next || clen[k] >= len - next ||
		    text[start[k] + clen[k]] != '\n')
			return -EINVAL;
		next = start[k] + clen[k] + 1;
	}
	if (next != len)
		return -EINVAL;
	for (const char *p = text; p < text + len && (p = memchr(p, '\n', len - (size_t)(p - text))) != NULL; p++)
		nl++;
	if (nl != n)
		return -EINVAL;
	if (s->n == 0 || n == 0)
		return 0;
	if (!utf8_valid(text, len)) {
		/* Vectorscan's UTF-8 mode needs valid UTF-8: each clause repaired alone. */
		fstart = xcalloc(n, sizeof(size_t));
		flen = xcalloc(n, sizeof(size_t));
		for (size_t k = 0; k < n; k++) {
			_cleanup_free_ char *rep = utf8_repair(text + start[k], clen[k]);

			fstart[k] = fixed.len;
			flen[k] = strlen(rep);
			(void)buf_append(&fixed, rep, flen[k]);
			(void)buf_putc(&fixed, '\n');
		}
		c.text = fixed.data;
		c.len = fixed.len;
		c.start = fstart;
		c.clen = flen;
	}
	return scan_clauses(s, &c);
}

int
rxset_scan(const struct rxset *cs, const char *text, size_t len, bool *hit)
{
	struct rxset *s = (struct rxset *)cs;
	_cleanup_free_ char *repaired = NULL;
	size_t zero = 0;
	struct scan c = {cs, text, len, &zero, &len, 1, 0, hit, NULL, NULL, 0, NULL, NULL, NULL};

	if (!s->built)
		return -EINVAL;
	if (s->n == 0)
		return 0;
	if (!utf8_valid(text, len)) {
		/* Vectorscan's UTF-8 mode needs valid UTF-8. */
		repaired = utf8_repair(text, len);
		c.text = repaired;
		c.len = strlen(repaired);
		c.clen = &c.len;
	}
	/* the text is one clause: whatever it holds, a match in it is one of it */
	return scan_clauses(s, &c);
}
