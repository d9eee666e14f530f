/*
 * test_fuzz_regress.c - replay the inputs in tests/corpus/fuzz/TARGET/ through the fuzz
 * targets without the fuzzer.
 *
 * Each target of tests/fuzz/ is compiled into this program with its
 * LLVMFuzzerTestOneInput renamed, so the regression test runs exactly the
 * code and the checks the fuzzer ran (a failed check aborts, as under
 * libFuzzer).  Every input a fuzzing run found failing is kept under
 * tests/corpus/fuzz/TARGET/ by scripts/fuzz; once fixed it must stay fixed.
 * Every target has a directory with at least one input.  Inputs are handed
 * over in a heap buffer of exactly their size, so that AddressSanitizer and
 * valgrind see any read past the end.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

/* the targets, each under its own name */
#define LLVMFuzzerTestOneInput fuzz_message_one
#include "fuzz/fuzz_message.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_quote_one
#include "fuzz/fuzz_quote.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_rules_one
#include "fuzz/fuzz_rules.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_threadkey_one
#include "fuzz/fuzz_threadkey.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_command_one
#include "fuzz/fuzz_command.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_holidays_json_one
#include "fuzz/fuzz_holidays_json.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_template_one
#include "fuzz/fuzz_template.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_config_one
#include "fuzz/fuzz_config.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_rxset_one
#include "fuzz/fuzz_rxset.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_authres_one
#include "fuzz/fuzz_authres.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_oauth_one
#include "fuzz/fuzz_oauth.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_exorg_one
#define has exorg_has /* the file's helper, under a name of its own here */
#define check_summary exorg_check_summary
#include "fuzz/fuzz_exorg.c"
#undef has
#undef check_summary
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_provisions_one
#include "fuzz/fuzz_provisions.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_safename_one
#include "fuzz/fuzz_safename.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_digest_one
#include "fuzz/fuzz_digest.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_e2e_one
#include "fuzz/fuzz_e2e.c"
#undef LLVMFuzzerTestOneInput

struct target {
	const char *name;
	int (*one)(const uint8_t *data, size_t size);
};

static const struct target targets[] = {
    {"message", fuzz_message_one},   {"quote", fuzz_quote_one},
    {"rules", fuzz_rules_one},       {"threadkey", fuzz_threadkey_one},
    {"command", fuzz_command_one},   {"holidays_json", fuzz_holidays_json_one},
    {"template", fuzz_template_one}, {"config", fuzz_config_one},
    {"rxset", fuzz_rxset_one},      {"authres", fuzz_authres_one},
    {"oauth", fuzz_oauth_one},
    {"exorg", fuzz_exorg_one},
    {"provisions", fuzz_provisions_one}, {"safename", fuzz_safename_one},
    {"digest", fuzz_digest_one},
    {"e2e", fuzz_e2e_one}, /* after rules: it reads the compiled rules that one keeps */
};

/*
 * One directory for the rules target's compiled rules and the end-to-end
 * target's configuration and store, so the shipped rules compile once.
 */
static char state_dir[] = "/tmp/complaintsd-fuzz-regress.XXXXXX";

static void
remove_state_dir(void)
{
	e2e_remove_dir(state_dir);
}

/* Read a whole file into a malloc'ed buffer of exactly its size (1 if empty). */
static uint8_t *
read_input(const char *path, size_t *ret_size)
{
	FILE *f = fopen(path, "rbe");
	struct stat st;
	uint8_t *data;

	assert_non_null(f);
	assert_int_equal(fstat(fileno(f), &st), 0);
	data = malloc(st.st_size > 0 ? (size_t)st.st_size : 1);
	assert_non_null(data);
	assert_int_equal(fread(data, 1, (size_t)st.st_size, f), (size_t)st.st_size);
	fclose(f);
	*ret_size = (size_t)st.st_size;
	return data;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replay every file of tests/corpus/fuzz/TARGET in name order. */
static void
test_replay(void **state)
{
	const struct target *t = *state;
	_cleanup_free_ char *dir = xasprintf("%s/tests/corpus/fuzz/%s", SRCDIR, t->name);
	char **names = NULL;
	size_t n = 0;
	DIR *d = opendir(dir);
	struct dirent *de;

	if (d == NULL)
		fail_msg("%s: %s (every fuzz target needs its regression inputs)", dir,
		         strerror(errno));
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		names = xreallocarray(names, n + 1, sizeof(*names));
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n == 0)
		fail_msg("%s: no inputs", dir);
	qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *path = xasprintf("%s/%s", dir, names[i]);
		size_t size;
		uint8_t *data = read_input(path, &size);

		/* a failing check aborts: the last name printed is the culprit */
		print_message("%s/%s (%zu bytes)\n", t->name, names[i], size);
		assert_int_equal(t->one(data, size), 0);
		free(data);
		free(names[i]);
	}
	free(names);
}

int
main(void)
{
	struct CMUnitTest tests[ELEMENTSOF(targets)];

	if (mkdtemp(state_dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	atexit(remove_state_dir);
	setenv("COMPLAINTSD_RULES_CACHE", state_dir, 1);
	setenv("COMPLAINTSD_FUZZ_E2E_DIR", state_dir, 1);

	for (size_t i = 0; i < ELEMENTSOF(targets); i++)
		tests[i] = (struct CMUnitTest){
		    .name = targets[i].name,
		    .test_func = test_replay,
		    .initial_state = (void *)&targets[i],
		};
	int rc = cmocka_run_group_tests_name("fuzz regressions", tests, NULL, NULL);

	rules_free(shipped); /* fuzz_rules.c keeps the shipped rules for the process */
	return rc ? 1 : 0;
}
