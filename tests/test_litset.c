/*
 * test_litset.c - the rules prefilter: the literals a pattern cannot match
 * without, patterns it must leave alone, and the promise that matters: a
 * pattern that PCRE2 matches in a text is never filtered out, checked for
 * every pattern of the shipped rules against every text of the labelled
 * corpus and the mail corpus.
 */
#include "config.h"

#include <dirent.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "buf.h"
#include "litset.h"
#include "util.h"

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "a|b|c" for the literals of pattern, sorted; "" when none are known. */
static char *
necessary(const char *pattern)
{
	char **v;
	size_t n = litset_necessary(pattern, &v);
	struct buf b = BUF_INIT;

	qsort(v, n, sizeof(char *), cmp_str);
	for (size_t i = 0; i < n; i++) {
		if (i)
			(void)buf_putc(&b, '|');
		(void)buf_puts(&b, v[i]);
	}
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	return buf_steal(&b);
}

static void
test_necessary(void **state)
{
	static const struct {
		const char *pattern, *want;
	} cases[] = {
	    {"complaint", "complaint"},
	    {"Formal Complaint", "formal complaint"},
	    {"\\b(unhappy|not happy)\\b", "not happy|unhappy"},
	    /* fixed alternatives multiply out: the stretch "not happy" beats "happy" */
	    {"\\b(not |un)(happy|satisfied)\\b", "not happy|not satisfied|unhappy|unsatisfied"},
	    {"(?:stage (2|two)|next stage)", "next stage|stage 2|stage two"},
	    {"a(b|)c", "abc|ac"},
	    /* an optional part ends a stretch; the longest necessary one wins */
	    {"\\b(formal|official)(ly)? (complaint|complain)", " complain| complaint"},
	    {"colou?r", "colo"},
	    {"e-?mail address", "mail address"},
	    {"(\\w+ ){0,5}apology", "apology"},
	    {"\\bnot (\\w+ ){0,4}satisfied\\b", "satisfied"},
	    {"i'm (very )?upset", "upset"},
	    {"(?<name>bins?) missed", " missed"},
	    /* repeated parts: what follows need not come straight after */
	    {"a+bc", "bc"},
	    {"(ab)+c", "ab"},
	    /* zero width: assertions and lookarounds take no text */
	    {"(?<!not )complain", "complain"},
	    {"(?=x)abc", "abc"},
	    {"\\bbin\\b day", "bin day"},
	    {"\\.\\.\\.and more", "...and more"},
	    {"[Cc]ouncil tax", "ouncil tax"},
	    {"skarg[aię]|reklamacj", "reklamacj|skarg"},
	    {"cwyn|gwyno", "cwyn|gwyno"},
	    {"\\d+ times?", " time"},
	    /* nothing necessary, or syntax it does not read: always run */
	    {"(a|)b?", ""},
	    {"\\d+", ""},
	    {"(?i)complaint", ""},
	    {"(bin)\\1", ""},
	    {"\\Qcomplaint\\E", ""},
	    {"\\x41bc", ""},
	    {"(*UTF)complaint", ""},
	    {"a{x", ""},
	    {"", ""},
	};

	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_free_ char *got = necessary(cases[i].pattern);

		if (!streq(got, cases[i].want))
			fail_msg("%s: want \"%s\", got \"%s\"", cases[i].pattern, cases[i].want, got);
	}
}

static void
test_scan(void **state)
{
	struct litset *ls = litset_new();
	bool may[5] = {false};

	(void)state;
	assert_true(litset_add(ls, 0, "\\b(unhappy|not happy)\\b"));
	assert_true(litset_add(ls, 1, "formal complaint"));
	assert_false(litset_add(ls, 2, "\\d+"));
	assert_true(litset_add(ls, 3, "complaint"));
	assert_true(litset_add(ls, 4, "(?:plaint|bins?)"));
	litset_build(ls);
	litset_scan(ls, "I am NOT HAPPY with this COMPLAINT handling", 43, may);
	assert_true(may[0]);
	assert_false(may[1]);
	assert_true(may[2]); /* no literal: always */
	assert_true(may[3]);
	assert_true(may[4]); /* "plaint" inside "complaint" */

	memset(may, 0, sizeof(may));
	litset_scan(ls, "nothing to see", 14, may);
	assert_false(may[0]);
	assert_false(may[3]);
	assert_true(may[2]);

	/* what PCRE2's caseless matching folds to ASCII letters: long s, Kelvin sign */
	memset(may, 0, sizeof(may));
	litset_scan(ls, "formal compl\xe2\x84\xaaint", 19, may);
	assert_false(may[1]); /* "compl" + Kelvin + "int" is "complkint", not it */
	memset(may, 0, sizeof(may));
	litset_scan(ls, "unhappy \xc5\xbf", 10, may);
	assert_true(may[0]);
	litset_free(ls);

	ls = litset_new();
	assert_true(litset_add(ls, 0, "sk"));
	litset_build(ls);
	memset(may, 0, sizeof(may));
	litset_scan(ls, "\xc5\xbf\xe2\x84\xaa", 5, may);
	assert_true(may[0]);
	litset_free(ls);
}

/*
 * A stretch cut because multiplying out would give too many strings: what
 * follows starts afresh, and the group is no longer one of a few fixed
 * strings, so an outer sequence must not glue its own text onto them.
 * "x(p(q|r)(a01|...|a40))y" matches "xpqa17y", which holds no "xa17y".
 */
static void
test_overflowing_stretch(void **state)
{
	_cleanup_buf_ struct buf pat = BUF_INIT;
	struct litset *ls = litset_new();
	bool may[1] = {false};
	const char *text = "say xpqa17y please";
	bool has_a17 = false;
	char **v;
	size_t n;

	(void)state;
	(void)buf_puts(&pat, "x(p(q|r)(");
	for (int i = 1; i <= 40; i++)
		(void)buf_printf(&pat, "%sa%02d", i > 1 ? "|" : "", i);
	(void)buf_puts(&pat, "))y");
	n = litset_necessary(buf_str(&pat), &v);
	assert_int_equal(n, 40); /* the forty alternatives on their own, not "xa17y" */
	for (size_t i = 0; i < n; i++) {
		has_a17 = has_a17 || streq(v[i], "a17");
		free(v[i]);
	}
	free(v);
	assert_true(has_a17);
	assert_true(litset_add(ls, 0, buf_str(&pat)));
	litset_build(ls);
	litset_scan(ls, text, strlen(text), may);
	assert_true(may[0]);
	litset_free(ls);
}

/* ---- the promise, over the shipped rules and the corpora ---------------- */

struct pat {
	char *source;
	pcre2_code *re;
};

/* The patterns of a rules file: the value after "directive [arg]: ", continuation lines joined. */
static size_t
load_patterns(const char *path, struct pat **ret)
{
	struct pat *v = NULL;
	size_t n = 0;
	struct buf logical = BUF_INIT;
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t got;

	assert_non_null(f);
	for (;;) {
		got = getline(&line, &cap, f);
		if (got > 0 && line[got - 1] == '\n')
			line[--got] = '\0';
		if (got >= 0 && (line[0] == ' ' || line[0] == '\t') && logical.len > 0) {
			(void)buf_puts(&logical, strstrip(line));
			continue;
		}
		if (logical.len > 0) {
			const char *s = buf_str(&logical), *colon = NULL;

			for (const char *q = s; *q; q++)
				if (*q == ':' && (q[1] == ' ' || q[1] == '\0')) {
					colon = q;
					break;
				}
			if (colon && !startswith(s, "threshold") && !startswith(s, "default")) {
				_cleanup_free_ char *value = xstrdup(colon + 1);
				char *pat = strstrip(value);
				char *eq = NULL;
				int ec;
				PCRE2_SIZE off;

				if (startswith(s, "route") || startswith(s, "statutory-route"))
					for (char *q = pat; (q = strstr(q, " = ")) != NULL; q++)
						eq = q;
				if (eq)
					*eq = '\0';
				v = xreallocarray(v, n + 1, sizeof(*v));
				v[n].source = xstrdup(strstrip(pat));
				v[n].re = pcre2_compile((PCRE2_SPTR)v[n].source, PCRE2_ZERO_TERMINATED,
				                        PCRE2_UTF | PCRE2_CASELESS | PCRE2_UCP |
				                            PCRE2_MATCH_INVALID_UTF,
				                        &ec, &off, NULL);
				assert_non_null(v[n].re);
				n++;
			}
			buf_reset(&logical);
		}
		if (got < 0)
			break;
		if (line[0] != '#' && line[0] != '\0')
			(void)buf_puts(&logical, line);
	}
	free(line);
	buf_free(&logical);
	fclose(f);
	*ret = v;
	return n;
}

static char *
slurp(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "rb");
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t got;

	assert_non_null(f);
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		(void)buf_append(&b, chunk, got);
	fclose(f);
	*ret_len = b.len;
	return buf_steal(&b);
}

static void
check_dir(const char *dir, const struct pat *pats, size_t n, const struct litset *ls,
          size_t *texts, size_t *matches, size_t *filtered)
{
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	struct dirent **names;
	int count = scandir(dir, &names, NULL, alphasort);

	assert_true(count > 2);
	for (int i = 0; i < count; i++) {
		_cleanup_free_ char *path = NULL, *text = NULL;
		_cleanup_free_ bool *may = xcalloc(n + 1, sizeof(bool));
		size_t len;

		if (names[i]->d_name[0] == '.') {
			free(names[i]);
			continue;
		}
		path = xasprintf("%s/%s", dir, names[i]->d_name);
		free(names[i]);
		text = slurp(path, &len);
		litset_scan(ls, text, len, may);
		(*texts)++;
		for (size_t p = 0; p < n; p++) {
			bool hit = pcre2_match(pats[p].re, (PCRE2_SPTR)text, len, 0, 0, md, NULL) >= 0;

			if (hit)
				(*matches)++;
			if (!may[p])
				(*filtered)++;
			if (hit && !may[p])
				fail_msg("%s: pattern \"%s\" matches but was filtered out", path,
				         pats[p].source);
		}
	}
	free(names);
	pcre2_match_data_free(md);
}

static void
test_shipped_rules_never_filter_a_match(void **state)
{
	struct pat *pats;
	size_t n = load_patterns(SRCDIR "/data/rules.conf", &pats);
	struct litset *ls = litset_new();
	size_t filterable = 0, texts = 0, matches = 0, filtered = 0;

	(void)state;
	assert_true(n > 50);
	for (size_t i = 0; i < n; i++)
		filterable += litset_add(ls, i, pats[i].source);
	litset_build(ls);
	check_dir(SRCDIR "/tests/corpus/classify", pats, n, ls, &texts, &matches, &filtered);
	check_dir(SRCDIR "/tests/corpus/mail", pats, n, ls, &texts, &matches, &filtered);
	print_message("# %zu patterns, %zu with necessary literals; %zu texts: %zu matches, "
	              "%zu of %zu regex runs spared\n",
	              n, filterable, texts, matches, filtered, texts * n);
	/* the prefilter is worth having: most patterns have literals, most runs are spared */
	assert_true(filterable * 10 >= n * 9);
	assert_true(filtered * 2 >= texts * n);
	for (size_t i = 0; i < n; i++) {
		free(pats[i].source);
		pcre2_code_free(pats[i].re);
	}
	free(pats);
	litset_free(ls);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_necessary),
	    cmocka_unit_test(test_scan),
	    cmocka_unit_test(test_overflowing_stretch),
	    cmocka_unit_test(test_shipped_rules_never_filter_a_match),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
