/*
 * test_rxset.c - the pattern set: one scan says which patterns match, the
 * patterns Vectorscan refuses are matched by PCRE2 and say why, bad patterns
 * are refused with PCRE2's message, and a compiled set comes back from its
 * bytes only when they fit (a stale or damaged cache is compiled again).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "rxset.h"
#include "util.h"

static const char *const patterns[] = {
    "\\b(complain(s|ed|ing)?|complaint|skarg[aię])\\b",                          /* 0 */
    "\\b(missed|was not) (bin|collection)\\b",                                   /* 1 */
    "\\b(?<!not )(happy|satisfied) with (the|your) (response|outcome)\\b",       /* 2: lookbehind */
    "\\b(car|van)\\b.{0,30}\\babandoned\\b",                                     /* 3 */
    "(restaurant|café) (\\w+ ){0,2}dirty",                                       /* 4 */
    "\\bcafé\\b",                                                               /* 5: ASCII \b */
    "\\b(i am|i'm) (happy|content)\\b(?! to\\b)",                                /* 6: lookahead */
};

static const struct {
	const char *text;
	const char *want; /* ids that match, as digits */
} scans[] = {
    {"I want to COMPLAIN about the missed bin", "01"},
    {"Chciałabym złożyć SKARGA teraz", "0"},
    {"I am not happy with the response", ""},
    {"I am happy with the outcome", "26"},
    {"A white van has been left there, abandoned", "3"},
    {"a van and then forty more characters here before abandoned", ""},
    {"The CAFÉ was very dirty", "4"},
    {"a café near me", ""}, /* no boundary between "é" and " ": both non-word to Vectorscan */
    {"I'm content now", "6"},
    {"I'm happy to wait", ""},
    {"complaint \xff\xfe broken bytes and a missed bin", "01"},
    {"", ""},
};

static struct rxset *
make_set(const void *cache, size_t len)
{
	struct rxset *s = rxset_new();

	for (size_t i = 0; i < ELEMENTSOF(patterns); i++) {
		_cleanup_free_ char *why = NULL;
		size_t id = SIZE_MAX;

		assert_int_equal(rxset_add(s, patterns[i], &id, &why), 0);
		assert_int_equal(id, i);
		assert_null(why);
	}
	assert_int_equal(rxset_build(s, cache, len), 0);
	return s;
}

static void
check_scans(const struct rxset *s)
{
	for (size_t i = 0; i < ELEMENTSOF(scans); i++) {
		bool hit[ELEMENTSOF(patterns)] = {false};
		char got[ELEMENTSOF(patterns) + 1];
		size_t n = 0;

		assert_int_equal(rxset_scan(s, scans[i].text, strlen(scans[i].text), hit), 0);
		for (size_t k = 0; k < ELEMENTSOF(patterns); k++)
			if (hit[k])
				got[n++] = (char)('0' + k);
		got[n] = '\0';
		if (!streq(got, scans[i].want))
			fail_msg("\"%s\": matched \"%s\", want \"%s\"", scans[i].text, got,
			         scans[i].want);
	}
}

static void
test_scan(void **state)
{
	struct rxset *s = make_set(NULL, 0);

	(void)state;
	assert_false(rxset_from_cache(s));
	check_scans(s);
	rxset_free(s);
}

/*
 * Clauses scanned together match as each clause alone: a match across the
 * newline between two clauses counts for neither, ^ and $ and \A hold at each
 * clause's ends, and PCRE2's lookbehind sees only its own clause.
 */
static void
test_scan_clauses(void **state)
{
	static const char *const pats[] = {
	    "\\bbin\\s+day\\b",          /* 0: \s matches a newline */
	    "^\\W*complaint\\W*$",       /* 1: anchors, \W */
	    "end[^x]start",              /* 2: a negated class */
	    "\\bmissed bin\\b",          /* 3: cannot match a newline */
	    "(?<!not )happy",            /* 4: PCRE2 after a prefilter */
	    "\\Abin",                    /* 5: start of the text */
	    "monday$",                   /* 6 */
	    "\\bmissed\\s*\\n?\\s*bin\\b", /* 7 */
	};
	static const char *const clause[] = {
	    "a missed", "bin day is monday", "complaint!", "the end", "start here",
	    "not happy", "end start, happy", "a missed bin",
	};
	static const char *const want[] = {"", "056", "1", "", "", "", "24", "37"};
	struct rxset *s = rxset_new();
	size_t n = ELEMENTSOF(clause), np = ELEMENTSOF(pats), start[8], len[8], id, pos = 0;
	char text[256];
	bool hit[8 * 8] = {false}, alone[8];
	char *why = NULL;

	(void)state;
	for (size_t i = 0; i < np; i++) {
		assert_int_equal(rxset_add(s, pats[i], &id, &why), 0);
		assert_int_equal(id, i);
	}
	assert_int_equal(rxset_build(s, NULL, 0), 0);
	for (size_t k = 0; k < n; k++) {
		start[k] = pos;
		len[k] = strlen(clause[k]);
		memcpy(text + pos, clause[k], len[k]);
		pos += len[k];
		text[pos++] = '\n';
	}
	assert_int_equal(rxset_scan_clauses(s, text, pos, start, len, n, hit), 0);
	for (size_t k = 0; k < n; k++) {
		memset(alone, 0, sizeof(alone));
		assert_int_equal(rxset_scan(s, clause[k], len[k], alone), 0);
		for (size_t i = 0; i < np; i++) {
			bool w = strchr(want[k], (int)('0' + i)) != NULL;

			if (hit[k * np + i] != w || alone[i] != w)
				fail_msg("clause \"%s\", pattern %s: together %d, alone %d, want %d",
				         clause[k], pats[i], hit[k * np + i], alone[i], w);
		}
	}
	/* not laid out as clauses, one a line: refused */
	text[start[1] - 1] = ' ';
	assert_int_equal(rxset_scan_clauses(s, text, pos, start, len, n, hit), -EINVAL);
	text[start[1] - 1] = '\n';
	assert_int_equal(rxset_scan_clauses(s, text, pos - 1, start, len, n, hit), -EINVAL);
	len[2]--;
	assert_int_equal(rxset_scan_clauses(s, text, pos, start, len, n, hit), -EINVAL);
	rxset_free(s);
}

static void
test_slow_path_says_why(void **state)
{
	struct rxset *s = make_set(NULL, 0);

	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(patterns); i++) {
		const char *why = rxset_slow_reason(s, i);

		if (i == 2 || i == 6) {
			assert_non_null(why);
			assert_non_null(strstr(why, "Zero-width assertions"));
		} else {
			assert_null(why);
		}
	}
	assert_null(rxset_slow_reason(s, 99));
	rxset_free(s);
}

static void
test_bad_patterns(void **state)
{
	static const struct {
		const char *pattern, *why;
	} bad[] = {
	    {"(unclosed", "bad pattern: missing closing parenthesis at offset 9"},
	    {"a{0,3}", "pattern matches empty text"},
	    {"x|", "pattern matches empty text"},
	};
	struct rxset *s = rxset_new();

	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		_cleanup_free_ char *why = NULL;
		size_t id = 7;

		assert_int_equal(rxset_add(s, bad[i].pattern, &id, &why), -EINVAL);
		assert_non_null(why);
		if (strstr(why, bad[i].why) == NULL)
			fail_msg("\"%s\": %s", bad[i].pattern, why);
		assert_int_equal(id, 7);
	}
	assert_int_equal(rxset_count(s), 0);
	/* An empty set builds and matches nothing. */
	assert_int_equal(rxset_build(s, NULL, 0), 0);
	assert_int_equal(rxset_scan(s, "anything", 8, NULL), 0);
	rxset_free(s);
}

static void
test_cache(void **state)
{
	struct rxset *s = make_set(NULL, 0), *t;
	_cleanup_free_ char *bytes = NULL, *again = NULL;
	size_t len = 0, len2 = 0;

	(void)state;
	assert_int_equal(rxset_serialize(s, &bytes, &len), 0);
	assert_true(len > 64);
	rxset_free(s);

	/* The same patterns: taken from the bytes, same answers, same bytes again. */
	t = make_set(bytes, len);
	assert_true(rxset_from_cache(t));
	check_scans(t);
	assert_non_null(rxset_slow_reason(t, 2));
	assert_int_equal(rxset_serialize(t, &again, &len2), 0);
	assert_int_equal(len2, len);
	assert_memory_equal(again, bytes, len);
	rxset_free(t);

	/* Damaged (magic, fingerprint, a record, the database) or cut short: compiled again. */
	const size_t damage[] = {0, 9, 60, len - 10};

	for (size_t i = 0; i < ELEMENTSOF(damage); i++) {
		size_t at = damage[i];

		bytes[at] ^= 0x5a;
		t = make_set(bytes, len);
		assert_false(rxset_from_cache(t));
		check_scans(t);
		rxset_free(t);
		bytes[at] ^= 0x5a;
	}
	t = make_set(bytes, len - 1);
	assert_false(rxset_from_cache(t));
	rxset_free(t);

	/* Other patterns: the bytes do not fit. */
	t = rxset_new();
	{
		_cleanup_free_ char *why = NULL;
		size_t id;
		bool hit[1] = {false};

		assert_int_equal(rxset_add(t, "\\bmissed bin\\b", &id, &why), 0);
		assert_int_equal(rxset_build(t, bytes, len), 0);
		assert_false(rxset_from_cache(t));
		assert_int_equal(rxset_scan(t, "a missed bin", 12, hit), 0);
		assert_true(hit[0]);
	}
	rxset_free(t);
	assert_non_null(strstr(rxset_engine_version(), "Vectorscan"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scan),
	    cmocka_unit_test(test_scan_clauses),
	    cmocka_unit_test(test_slow_path_says_why),
	    cmocka_unit_test(test_bad_patterns),
	    cmocka_unit_test(test_cache),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
