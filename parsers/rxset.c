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

#define CACHE_MAGIC "RXSET001"

struct rx {
	char *src;
	pcre2_code *re;    /* kept for patterns on the PCRE2 path */
	unsigned hs_flags; /* as compiled into the database */
	char *slow_reason; /* NULL: Vectorscan alone decides */
	bool in_db;        /* in the database (alone, or as prefilter of a slow one) */
};

struct rxset {
	struct rx *v;
	size_t n;
	hs_database_t *db;
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
		int n = snprintf(v, sizeof(v), "Vectorscan %s", hs_version());

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
	s->v[s->n] = (struct rx){xstrdup(pattern), re, hs_flags_for(pattern), NULL, false};
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
		_cleanup_free_ const char **pats = xcalloc(s->n + 1, sizeof(char *));
		_cleanup_free_ unsigned *flags = xcalloc(s->n + 1, sizeof(unsigned));
		_cleanup_free_ unsigned *ids = xcalloc(s->n + 1, sizeof(unsigned));
		_cleanup_free_ size_t *back = xcalloc(s->n + 1, sizeof(size_t));
		hs_compile_error_t *err = NULL;
		unsigned n = 0;
		struct rx *bad;

		for (size_t i = 0; i < s->n; i++)
			if (s->v[i].in_db) {
				pats[n] = s->v[i].src;
				flags[n] = s->v[i].hs_flags;
				ids[n] = (unsigned)i;
				back[n++] = i;
			}
		if (n == 0)
			return 0;
		if (hs_compile_multi(pats, flags, ids, n, HS_MODE_BLOCK, &platform, &s->db, &err) ==
		    HS_SUCCESS)
			return 0;
		if (err->expression < 0 || (unsigned)err->expression >= n) {
			/* Not one pattern's fault: everything takes the PCRE2 path. */
			for (size_t i = 0; i < s->n; i++) {
				if (s->v[i].slow_reason == NULL)
					set_slow(&s->v[i], err->message);
				s->v[i].in_db = false;
			}
			hs_free_compile_error(err);
			return 0;
		}
		bad = &s->v[back[err->expression]];
		if (bad->hs_flags & HS_FLAG_PREFILTER) {
			bad->in_db = false;
		} else {
			set_slow(bad, err->message);
			bad->hs_flags |= HS_FLAG_PREFILTER;
		}
		hs_free_compile_error(err);
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
	uint64_t body_len; /* records, then the database */
	uint64_t body_sum;
	uint64_t db_len;
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
	struct cache_head h = {CACHE_MAGIC, fingerprint(s), s->n, 0, 0, 0};
	char *db = NULL, *out;
	size_t db_len = 0;

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
	(void)buf_append(&body, db, db_len);
	free(db);
	h.body_len = body.len;
	h.body_sum = fnv(FNV_INIT, body.data, body.len);
	h.db_len = db_len;
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
	hs_database_t *db = NULL;
	struct rx *tmp;

	if (cache == NULL || len < sizeof(h))
		return false;
	memcpy(&h, cache, sizeof(h));
	if (memcmp(h.magic, CACHE_MAGIC, 8) != 0 || h.fingerprint != fingerprint(s) ||
	    h.n != s->n || h.body_len != len - sizeof(h) || h.db_len > h.body_len ||
	    h.body_sum != fnv(FNV_INIT, cache + sizeof(h), h.body_len))
		return false;
	p = cache + sizeof(h);
	end = cache + len - h.db_len;
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
	for (size_t i = 0; i < s->n; i++) {
		s->v[i].hs_flags = tmp[i].hs_flags;
		s->v[i].in_db = tmp[i].in_db;
		free(s->v[i].slow_reason);
		s->v[i].slow_reason = tmp[i].slow_reason;
	}
	free(tmp);
	s->db = db;
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
	if (s->db != NULL && hs_alloc_scratch(s->db, &s->proto) != HS_SUCCESS)
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

struct scan {
	const struct rxset *s;
	const char *text;
	size_t len;
	bool *hit;
	bool *tried; /* PCRE2 has looked at this pattern in this text */
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
	return pcre2_match(x->re, (PCRE2_SPTR)c->text, c->len, 0, 0, c->md, c->s->mctx) >= 0;
}

static int
on_match(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags,
         void *ctx)
{
	struct scan *c = ctx;
	const struct rx *x = &c->s->v[id];

	(void)from, (void)to, (void)flags;
	if (c->hit[id])
		return 0;
	if (x->slow_reason != NULL) {
		/* a prefilter match: PCRE2 decides, once per text */
		if (c->tried == NULL)
			c->tried = xcalloc(c->s->n, sizeof(bool));
		if (c->tried[id])
			return 0;
		c->tried[id] = true;
		if (!pcre_match(c, x))
			return 0;
	}
	c->hit[id] = true;
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

int
rxset_scan(const struct rxset *cs, const char *text, size_t len, bool *hit)
{
	/* The pool is the only thing a scan changes, under its lock. */
	struct rxset *s = (struct rxset *)cs;
	_cleanup_free_ char *repaired = NULL;
	struct scan c = {cs, text, len, hit, NULL, NULL};
	int r = 0;

	if (!s->built)
		return -EINVAL;
	if (!utf8_valid(text, len)) {
		/* Vectorscan's UTF-8 mode needs valid UTF-8. */
		repaired = utf8_repair(text, len);
		c.text = repaired;
		c.len = strlen(repaired);
	}
	if (s->db != NULL) {
		hs_scratch_t *sc = scratch_get(s);

		if (hs_scan(s->db, c.text, (unsigned)c.len, 0, sc, on_match, &c) != HS_SUCCESS)
			r = -EIO;
		scratch_put(s, sc);
	}
	for (size_t i = 0; i < s->n; i++)
		if (!s->v[i].in_db && !hit[i] && pcre_match(&c, &s->v[i]))
			hit[i] = true;
	pcre2_match_data_free(c.md);
	free(c.tried);
	return r;
}
