/*
 * test_rules.c - the shipped rules against a labelled corpus of real-world
 * shaped mail, and the rules loader's error reporting.
 *
 * Each file in tests/corpus/classify/ has a header block (role, subject,
 * expect-kind, expect-route, expect-area, expect-flags, expect-scheme,
 * expect-escalate, expect-upgrade),
 * a line "---", then the body as received.  The body goes through
 * quote_strip() first, exactly as the daemon does.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <setjmp.h>
#include <cmocka.h>

#include "buf.h"
#include "errlist.h"
#include "quote.h"
#include "rules.h"
#include "rules_cache.h"
#include "util.h"

#define CORPUS_DIR SRCDIR "/tests/corpus/classify"
#define RULES_FILE SRCDIR "/data/rules.conf"

static char *
read_file(const char *path)
{
	_cleanup_buf_ struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;
	FILE *f = fopen(path, "re");

	assert_non_null(f);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		assert_int_equal(buf_append(&b, chunk, n), 0);
	fclose(f);
	return buf_steal(&b);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The classification's flags as one sorted, space-separated string. */
static char *
flags_string(const struct classification *c)
{
	_cleanup_free_ char **v = xcalloc(c->n_flags + 1, sizeof(char *));
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < c->n_flags; i++)
		v[i] = c->flags[i];
	qsort(v, c->n_flags, sizeof(char *), cmp_str);
	for (size_t i = 0; i < c->n_flags; i++)
		(void)buf_printf(&b, "%s%s", i ? " " : "", v[i]);
	return buf_steal(&b);
}

/* Normalise an expectation's flag list: sorted, single spaces, "-" for none. */
static char *
sorted_words(const char *s)
{
	_cleanup_free_ char *copy = xstrdup(s);
	char **v = NULL, *save = NULL;
	size_t n = 0;
	struct buf b = BUF_INIT;

	for (char *w = strtok_r(copy, " \t,", &save); w; w = strtok_r(NULL, " \t,", &save)) {
		if (streq(w, "-"))
			continue;
		v = xreallocarray(v, n + 1, sizeof(char *));
		v[n++] = w;
	}
	if (n > 0)
		qsort(v, n, sizeof(char *), cmp_str);
	for (size_t i = 0; i < n; i++)
		(void)buf_printf(&b, "%s%s", i ? " " : "", v[i]);
	free(v);
	return buf_steal(&b);
}

struct expect {
	char *role, *subject, *kind, *route, *area, *flags, *scheme, *escalate, *upgrade;
	const char *body;
};

/* Parse the header block of a corpus file in place; false when malformed. */
static bool
parse_case(char *text, struct expect *e)
{
	char *p = text;

	*e = (struct expect){0};
	while (*p) {
		char *nl = strchr(p, '\n'), *colon;

		if (nl)
			*nl = '\0';
		if (streq(p, "---")) {
			e->body = nl ? nl + 1 : "";
			return e->role != NULL;
		}
		colon = strchr(p, ':');
		if (colon == NULL)
			return false;
		*colon = '\0';
		colon = strstrip(colon + 1);
		if (streq(p, "role"))
			e->role = colon;
		else if (streq(p, "subject"))
			e->subject = colon;
		else if (streq(p, "expect-kind"))
			e->kind = colon;
		else if (streq(p, "expect-route"))
			e->route = colon;
		else if (streq(p, "expect-area"))
			e->area = colon;
		else if (streq(p, "expect-flags"))
			e->flags = colon;
		else if (streq(p, "expect-scheme"))
			e->scheme = colon;
		else if (streq(p, "expect-escalate"))
			e->escalate = colon;
		else if (streq(p, "expect-upgrade"))
			e->upgrade = colon;
		else
			return false;
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return false;
}

static int
setup_rules(void **state)
{
	_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
	struct rules *r = NULL;
	/* compiled once, then from the cache in the build tree */
	int rc = rules_load_cached(RULES_FILE, BUILDDIR "/tests", &r, &errs);

	for (size_t i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.v[i]);
	if (rc < 0)
		return -1;
	*state = r;
	return 0;
}

static int
teardown_rules(void **state)
{
	rules_free(*state);
	return 0;
}

/* Check one corpus file; append what is wrong to failures. */
static void
check_case(const struct rules *r, const char *file, struct expect *e, struct buf *failures,
           unsigned *n_checks)
{
	_cleanup_free_ char *own = quote_strip(e->body);
	int role = sender_role_from_string(e->role);

	if (role < 0) {
		(void)buf_printf(failures, "%s: unknown role \"%s\"\n", file, e->role);
		return;
	}
	if (e->kind) {
		struct classification c;
		_cleanup_free_ char *got_flags = NULL, *want_flags = NULL;
		const char *got_kind, *got_scheme;

		assert_int_equal(rules_classify(r, e->subject, own, (enum sender_role)role, &c), 0);
		got_flags = flags_string(&c);
		want_flags = sorted_words(e->flags ? e->flags : "");
		got_kind = case_kind_to_string(c.kind);
		got_scheme = case_scheme_to_string(c.scheme);
		(*n_checks)++;
		if (!streq(got_kind, e->kind))
			(void)buf_printf(failures, "%s: kind %s, expected %s%s%s\n", file, got_kind,
			                 e->kind, c.route ? " (route " : "",
			                 c.route ? c.route : "");
		if (e->route && !streq_ptr(c.route, streq(e->route, "-") ? NULL : e->route))
			(void)buf_printf(failures, "%s: route %s, expected %s\n", file,
			                 c.route ? c.route : "(none)", e->route);
		if (e->area && !streq_ptr(c.area, streq(e->area, "-") ? NULL : e->area))
			(void)buf_printf(failures, "%s: area %s, expected %s\n", file,
			                 c.area ? c.area : "(none)", e->area);
		if (isempty(c.reason))
			(void)buf_printf(failures, "%s: no reason given for the kind\n", file);
		if (c.kind == KIND_OTHER_PROCESS && isempty(c.route_to))
			(void)buf_printf(failures, "%s: other_process without a destination\n",
			                 file);
		if (!streq(got_flags, want_flags))
			(void)buf_printf(failures, "%s: flags [%s], expected [%s]\n", file,
			                 got_flags, want_flags);
		if (!streq(got_scheme, e->scheme ? e->scheme : "lgsco"))
			(void)buf_printf(failures, "%s: scheme %s, expected %s\n", file, got_scheme,
			                 e->scheme ? e->scheme : "lgsco");
		classification_free(&c);
	}
	if (e->escalate) {
		bool want = streq(e->escalate, "yes"), got = rules_wants_escalation(r, own);

		(*n_checks)++;
		if (!streq(e->escalate, "yes") && !streq(e->escalate, "no"))
			(void)buf_printf(failures, "%s: expect-escalate must be yes or no\n", file);
		else if (want != got)
			(void)buf_printf(failures, "%s: escalation %s, expected %s\n", file,
			                 got ? "yes" : "no", e->escalate);
	}
	if (e->upgrade) {
		bool want = streq(e->upgrade, "yes"), got = rules_wants_upgrade(r, own);

		(*n_checks)++;
		if (!streq(e->upgrade, "yes") && !streq(e->upgrade, "no"))
			(void)buf_printf(failures, "%s: expect-upgrade must be yes or no\n", file);
		else if (want != got)
			(void)buf_printf(failures, "%s: upgrade %s, expected %s\n", file,
			                 got ? "yes" : "no", e->upgrade);
	}
	if (!e->kind && !e->escalate && !e->upgrade)
		(void)buf_printf(failures, "%s: expects nothing\n", file);
}

static void
test_corpus(void **state)
{
	const struct rules *r = *state;
	_cleanup_buf_ struct buf failures = BUF_INIT;
	struct dirent **names = NULL;
	unsigned n_files = 0, n_checks = 0;
	int n = scandir(CORPUS_DIR, &names, NULL, alphasort);

	assert_true(n > 0);
	for (int i = 0; i < n; i++) {
		_cleanup_free_ char *path = NULL, *text = NULL;
		struct expect e;

		if (names[i]->d_name[0] == '.' || !strstr(names[i]->d_name, ".txt")) {
			free(names[i]);
			continue;
		}
		path = xasprintf("%s/%s", CORPUS_DIR, names[i]->d_name);
		text = read_file(path);
		n_files++;
		if (!parse_case(text, &e))
			(void)buf_printf(&failures, "%s: malformed header block\n",
			                 names[i]->d_name);
		else
			check_case(r, names[i]->d_name, &e, &failures, &n_checks);
		free(names[i]);
	}
	free(names);
	if (failures.len > 0)
		print_message("%s", buf_str(&failures));
	print_message("corpus: %u files, %u checks\n", n_files, n_checks);
	assert_true(n_files >= 80);
	assert_int_equal(failures.len, 0);
}

/* Our own stage 1 footer, quoted back, must never count as the resident's words. */
static void
test_quoted_footer_never_escalates(void **state)
{
	static const char *const bodies[] = {
	    "Thanks for sorting this out.\n\n"
	    "On Mon, 2 Mar 2026 at 10:15, Complaints <complaints@council.example> wrote:\n"
	    "> Dear Ms Patel,\n"
	    "> If you are not satisfied you can ask us to escalate your complaint to stage 2.\n"
	    "> Reply to this email to escalate your complaint to stage 2.\n",

	    "Got it, thanks.\n"
	    "> If you are not satisfied you can ask us to escalate your complaint to stage 2.\n"
	    "> Reply to this email to escalate your complaint to stage 2.\n",

	    "Noted, thank you.\n\n"
	    "From: Complaints <complaints@council.example>\n"
	    "Sent: 02 March 2026 10:15\n"
	    "To: Ann Patel <ann@example.net>\n"
	    "Subject: Your complaint [CMP-2026-000123]\n\n"
	    "If you are not satisfied you can ask us to escalate your complaint to stage 2,\n"
	    "or refer it to the Ombudsman.\n"
	    "Reply to this email to escalate your complaint to stage 2.\n",
	};
	const struct rules *r = *state;

	for (size_t i = 0; i < ELEMENTSOF(bodies); i++) {
		_cleanup_free_ char *own = quote_strip(bodies[i]);
		struct classification c;

		assert_false(rules_wants_escalation(r, own));
		assert_int_equal(rules_classify(r, "Re: Missed bins", own, ROLE_RESIDENT, &c), 0);
		assert_int_not_equal(c.kind, KIND_COMPLAINT);
		classification_free(&c);
		/* The same text unquoted would escalate: the test can fail. */
		assert_true(rules_wants_escalation(r, bodies[i]));
	}
}

static void
test_route_has_destination(void **state)
{
	const struct rules *r = *state;
	struct classification c;

	assert_int_equal(rules_classify(r, "Fly tipping",
	                                "Someone has fly tipped a mattress and "
	                                "three bags of rubbish in the alley behind Mill Lane.",
	                                ROLE_RESIDENT, &c),
	                 0);
	assert_int_equal(c.kind, KIND_OTHER_PROCESS);
	assert_string_equal(c.route, "fly_tipping");
	assert_non_null(strstr(c.route_to, "fly-tipping"));
	classification_free(&c);
	classification_free(&c); /* idempotent */
	assert_int_equal(rules_classify(NULL, "x", "y", ROLE_RESIDENT, &c), -EINVAL);
}

static const struct {
	const char *text;
	const char *errors[4]; /* substrings expected, one per error, in order */
} bad_rules[] = {
    {"complaint: (unclosed\n", {"x.conf:1: bad pattern: missing closing parenthesis at offset 9"}},
    {"# ok\ncomplain: \\bfoo\\b\n", {"x.conf:2: unknown directive \"complain\""}},
    {"flag lateness: \\bago\\b\n", {"x.conf:1: unknown flag \"lateness\""}},
    {"default: enquiry\n", {"x.conf:1: unknown kind \"enquiry\""}},
    {"route noise: \\bnoise\\b\n", {"x.conf:1: route \"noise\" does not say where it goes"}},
    {"area: \\bbins?\\b\narea wa$te: \\bbins?\\b\n",
     {"x.conf:1: \"area\" needs a name", "x.conf:2: bad name \"wa$te\""}},
    {"area: \\bbins?\\b\narea wa$te: \\bbins?\\b\n", {"x.conf:1: \"area\" needs a name", "x.conf:2: bad name \"wa$te\""}},
    {"complaint 0: x\nrequest 11: y\ncomplaint abc: z\n",
     {"x.conf:1: weight must be", "x.conf:2: weight must be", "x.conf:3: weight must be"}},
    {"no colon here\n", {"x.conf:1: expected \"directive: pattern\""}},
    {"complaint: a|\n", {"x.conf:1: pattern matches empty text"}},
    {"escalate:\n", {"x.conf:1: \"escalate\" has nothing after the colon"}},
    {"  indented: x\n", {"x.conf:1: indented line continues nothing"}},
    {"route x: a = one\nroute x: b = two\nstatutory-route x: c = one\n",
     {"x.conf:2: route \"x\" already goes to \"one\"",
      "x.conf:3: route \"x\" is declared both as route and statutory-route"}},
    /* All errors are reported, not only the first. */
    {"complaint: (\nbogus: x\nflag nope: y\nthreshold: many\n",
     {"x.conf:1: bad pattern", "x.conf:2: unknown directive", "x.conf:3: unknown flag",
      "x.conf:4: threshold must be"}},
};

static void
test_load_errors(void **state)
{
	for (size_t i = 0; i < ELEMENTSOF(bad_rules); i++) {
		_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
		struct rules *r = (struct rules *)0x1;
		size_t want = 0;

		assert_int_equal(rules_load_string(bad_rules[i].text, "x.conf", &r, &errs),
		                 -EINVAL);
		assert_null(r);
		while (want < ELEMENTSOF(bad_rules[i].errors) && bad_rules[i].errors[want])
			want++;
		if (errs.n != want)
			fail_msg("case %zu: %zu errors, expected %zu (first: %s)", i, errs.n, want,
			         errs.n ? errs.v[0] : "none");
		for (size_t k = 0; k < want; k++)
			if (strstr(errs.v[k], bad_rules[i].errors[k]) == NULL)
				fail_msg("case %zu: got \"%s\", expected \"%s\"", i, errs.v[k],
				         bad_rules[i].errors[k]);
	}
}

static void
test_load_small_file(void **state)
{
	static const char text[] = "# a council's own small rules file\n"
	                           "threshold: 3\n"
	                           "complaint 2: \\b(unhappy|\n"
	                           "    disgusted)\\b\n"
	                           "complaint: \\bagain\\b\n"
	                           "request: \\bplease\\b\n"
	                           "route noise: \\bbarking\\b = Noise team\n"
	                           "handling: \\bignored\\b\n"
	                           "flag late: \\byears ago\\b\n"
	                           "escalate: \\bstage 2\\b\n"
	                           "no-escalate: \\bno stage 2\\b\n";
	static const struct {
		const char *text;
		enum case_kind kind;
		bool late;
	} cases[] = {
	    {"I am disgusted.", KIND_SERVICE_REQUEST, false}, /* 2 < threshold 3 */
	    {"I am disgusted, it happened again.", KIND_COMPLAINT, false},
	    {"Unhappy again, please help.", KIND_COMPLAINT, false},
	    {"The dog is barking all night.", KIND_OTHER_PROCESS, false},
	    {"You ignored my reports about the barking.", KIND_COMPLAINT, false},
	    {"It started three years ago.", KIND_SERVICE_REQUEST, true},
	};
	_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
	struct rules *r = NULL;

	assert_int_equal(rules_load_string(text, "small.conf", &r, &errs), 0);
	assert_int_equal(errs.n, 0);
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct classification c;

		assert_int_equal(rules_classify(r, NULL, cases[i].text, ROLE_RESIDENT, &c), 0);
		if (c.kind != cases[i].kind)
			fail_msg("\"%s\": %s", cases[i].text, case_kind_to_string(c.kind));
		assert_int_equal(classification_has_flag(&c, FLAG_LATE), cases[i].late);
		classification_free(&c);
	}
	assert_true(rules_wants_escalation(r, "Please move it to stage 2."));
	assert_false(rules_wants_escalation(r, "There is no stage 2 needed."));
	assert_true(rules_wants_escalation(r, "No stage 2 needed. But actually, yes: stage 2."));
	assert_false(rules_wants_escalation(r, ""));
	assert_false(rules_wants_escalation(r, NULL));
	rules_free(r);
}

static void
test_load_missing_file(void **state)
{
	_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
	struct rules *r = NULL;

	assert_int_equal(rules_load(SRCDIR "/no/such/rules.conf", &r, &errs), -ENOENT);
	assert_null(r);
	assert_int_equal(errs.n, 1);
	assert_non_null(strstr(errs.v[0], "no/such/rules.conf: cannot open rules file"));
	rules_free(NULL);
}

/* Invalid UTF-8 and huge text neither crash nor stop matching. */
static void
test_hostile_text(void **state)
{
	const struct rules *r = *state;
	struct classification c;
	_cleanup_free_ char *big = xmalloc(400 * 1024);

	assert_int_equal(rules_classify(r, "\xff\xfe",
	                                "\xc3\x28 This is unacceptable, I want to "
	                                "make a formal complaint \xed\xa0\x80",
	                                ROLE_RESIDENT, &c),
	                 0);
	assert_int_equal(c.kind, KIND_COMPLAINT);
	classification_free(&c);
	for (size_t i = 0; i < 400 * 1024 - 1; i++)
		big[i] = "aaaa (((( ))))\n"[i % 15];
	big[400 * 1024 - 1] = '\0';
	assert_int_equal(rules_classify(r, big, big, ROLE_RESIDENT, &c), 0);
	classification_free(&c);
	assert_false(rules_wants_escalation(r, big));
}

/* The shipped patterns Vectorscan refuses are named with file and line, and why. */
static void
test_slow_patterns_named(void **state)
{
	const struct rules *r = *state;
	_cleanup_errlist_ struct errlist notes = ERRLIST_INIT;

	assert_int_equal(rules_slow_patterns(r, &notes), 2);
	assert_int_equal(notes.n, 2);
	for (size_t i = 0; i < notes.n; i++) {
		assert_non_null(strstr(notes.v[i], "data/rules.conf:"));
		assert_non_null(strstr(notes.v[i], "matched by PCRE2, not Vectorscan (Zero-width"));
	}
}

static size_t
count_caches(const char *dir, char **ret_name)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, "rules-", 6) == 0) {
			n++;
			if (ret_name) {
				free(*ret_name);
				*ret_name = xasprintf("%s/%s", dir, e->d_name);
			}
		}
	closedir(d);
	return n;
}

static void
write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, true);
	assert_int_equal(fclose(f), 0);
}

static void
load_small(const char *path, const char *dir, bool want_cached)
{
	_cleanup_errlist_ struct errlist errs = ERRLIST_INIT, notes = ERRLIST_INIT;
	struct rules *r = NULL;
	struct classification c;

	assert_int_equal(rules_load_cached(path, dir, &r, &errs), 0);
	assert_int_equal(rules_from_cache(r), want_cached);
	assert_int_equal(rules_classify(r, NULL, "This is disgraceful.", ROLE_RESIDENT, &c), 0);
	assert_int_equal(c.kind, KIND_COMPLAINT);
	classification_free(&c);
	assert_true(rules_wants_escalation(r, "Please escalate."));
	assert_false(rules_wants_escalation(r, "Not escalate, thanks."));
	assert_int_equal(rules_slow_patterns(r, &notes), 1);
	assert_non_null(strstr(notes.v[0], "small.conf:3: pattern matched by PCRE2"));
	rules_free(r);
}

/* The compiled rules come from the cache only when it fits; anything else is compiled again. */
static void
test_cache_file(void **state)
{
	char dir[] = "/tmp/test_rules.XXXXXX";
	_cleanup_free_ char *path = NULL, *cache = NULL, *first = NULL;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/small.conf", dir);
	write_text(path, "complaint 2: \\b(disgraceful|appalling)\\b\n"
	                 "escalate: \\bescalate\\b\n"
	                 "no-escalate: (?<!please )\\bnot escalate\n");
	load_small(path, dir, false);
	assert_int_equal(count_caches(dir, &first), 1);
	load_small(path, dir, true);

	/* damaged: compiled again and written back */
	f = fopen(first, "r+e");
	assert_non_null(f);
	assert_int_equal(fseek(f, 200, SEEK_SET), 0);
	assert_int_equal(fputc('\x7f', f), '\x7f');
	assert_int_equal(fclose(f), 0);
	load_small(path, dir, false);
	load_small(path, dir, true);
	/* cut short */
	assert_int_equal(truncate(first, 100), 0);
	load_small(path, dir, false);

	/* the rules changed: a new cache replaces the old one */
	f = fopen(path, "ae");
	assert_non_null(f);
	assert_int_equal(fputs("# a comment\n", f) >= 0, true);
	assert_int_equal(fclose(f), 0);
	load_small(path, dir, false);
	assert_int_equal(count_caches(dir, &cache), 1);
	assert_string_not_equal(cache, first);
	load_small(path, dir, true);

	/* no cache directory, or one that cannot be written: compiled every time */
	load_small(path, NULL, false);
	load_small(path, "/nonexistent", false);

	assert_int_equal(unlink(cache), 0);
	assert_int_equal(unlink(path), 0);

	/* nothing for replies (an empty second set): cached all the same, and no reply matches */
	free(path);
	path = xasprintf("%s/classify-only.conf", dir);
	write_text(path, "complaint 2: \\b(disgraceful|appalling)\\b\n");
	for (int pass = 0; pass < 2; pass++) {
		_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
		struct rules *r = NULL;
		struct classification c;

		assert_int_equal(rules_load_cached(path, dir, &r, &errs), 0);
		assert_int_equal(rules_from_cache(r), pass == 1);
		assert_int_equal(rules_classify(r, NULL, "This is disgraceful.", ROLE_RESIDENT, &c), 0);
		assert_int_equal(c.kind, KIND_COMPLAINT);
		classification_free(&c);
		assert_false(rules_wants_escalation(r, "This is disgraceful, please escalate."));
		assert_false(rules_wants_upgrade(r, "This is disgraceful."));
		rules_free(r);
	}
	free(cache);
	cache = NULL;
	assert_int_equal(count_caches(dir, &cache), 1);
	assert_int_equal(unlink(cache), 0);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_corpus),
	    cmocka_unit_test(test_quoted_footer_never_escalates),
	    cmocka_unit_test(test_route_has_destination),
	    cmocka_unit_test(test_load_errors),
	    cmocka_unit_test(test_load_small_file),
	    cmocka_unit_test(test_load_missing_file),
	    cmocka_unit_test(test_hostile_text),
	    cmocka_unit_test(test_slow_patterns_named),
	    cmocka_unit_test(test_cache_file),
	};

	return cmocka_run_group_tests_name("rules", tests, setup_rules, teardown_rules) ? 1 : 0;
}
