/*
 * fuzz_rules.c - libFuzzer target for the rules module.
 *
 * The first input byte picks the mode: even - the rest is a message, stripped
 * of quotes and classified with the shipped rules (loaded once from
 * $COMPLAINTSD_RULES or SRCDIR/data/rules.conf) for each sender role, and
 * checked for escalation; odd - the rest is a rules file for
 * rules_load_string(), which must either load or report at least one error.
 * With $COMPLAINTSD_RULES_CACHE set (scripts/fuzz sets it), the shipped rules'
 * compiled patterns are kept in that directory (daemon/rules_cache.c), so that
 * only the first of the fuzzer's processes compiles them.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errlist.h"
#include "quote.h"
#include "rules.h"
#include "rules_cache.h"
#include "util.h"

#ifndef SRCDIR
#define SRCDIR "."
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct rules *shipped;

static void
load_shipped(void)
{
	const char *path = getenv("COMPLAINTSD_RULES");
	struct errlist errs = ERRLIST_INIT;

	if (path == NULL)
		path = SRCDIR "/data/rules.conf";
	if (rules_load_cached(path, getenv("COMPLAINTSD_RULES_CACHE"), &shipped, &errs) < 0) {
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.v[i]);
		abort();
	}
	errlist_free(&errs);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;

	if (size == 0)
		return 0;
	if (shipped == NULL)
		load_shipped();
	text = xstrndup((const char *)data + 1, size - 1);
	if ((data[0] & 1) == 0) {
		char *own = quote_strip(text);
		struct classification c;

		for (int role = ROLE_RESIDENT; role <= ROLE_COUNCILLOR; role++) {
			if (rules_classify(shipped, text, own, (enum sender_role)role, &c) < 0)
				abort();
			if (c.kind == KIND_OTHER_PROCESS && (c.route == NULL || c.route_to == NULL))
				abort();
			classification_free(&c);
		}
		(void)rules_wants_escalation(shipped, own);
		(void)rules_wants_upgrade(shipped, own);
		free(own);
	} else {
		struct errlist errs = ERRLIST_INIT;
		struct rules *r = NULL;
		int rc = rules_load_string(text, "fuzz.conf", &r, &errs);

		if ((rc < 0) != (errs.n > 0) || (rc < 0) != (r == NULL))
			abort();
		if (r != NULL) {
			struct classification c;

			if (rules_classify(r, "subject", "some text to match", ROLE_RESIDENT, &c) <
			    0)
				abort();
			classification_free(&c);
			(void)rules_wants_escalation(r, "please escalate");
			(void)rules_wants_upgrade(r, "complaint");
		}
		rules_free(r);
		errlist_free(&errs);
	}
	free(text);
	return 0;
}
