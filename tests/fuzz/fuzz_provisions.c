/*
 * fuzz_provisions.c - libFuzzer target for the Codes' provisions files.
 *
 * Beyond "no crash, no leak": a file is either refused with at least one
 * error, or every provision it gives is within the limits, in strictly
 * increasing order, with a source and a requirement.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I parsers -I BUILDDIR \
 *	-include config.h tests/fuzz/fuzz_provisions.c parsers/provisions.c \
 *	parsers/errlist.c parsers/utf8.c parsers/util.c
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "provisions.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct errlist errs = ERRLIST_INIT;
	struct provisions pv;

	if (provisions_parse((const char *)data, size, "fuzz.conf", &pv, &errs) < 0) {
		if (errs.n == 0)
			abort();
		errlist_free(&errs);
		return 0;
	}
	if (errs.n != 0 || pv.code == NULL || pv.n == 0 || pv.n > PROVISIONS_MAX_ITEMS)
		abort();
	for (size_t i = 0; i < pv.n; i++) {
		const struct provision *p = &pv.v[i];

		if (p->major < 1 || p->major > 99 || p->minor < 1 || p->minor > 99 ||
		    p->evidence >= PROV__N || isempty(p->requirement) || isempty(p->source_url) ||
		    strlen(p->requirement) > PROVISIONS_MAX_LINE)
			abort();
		if (i > 0 && !(p->major > pv.v[i - 1].major ||
		               (p->major == pv.v[i - 1].major && p->minor > pv.v[i - 1].minor)))
			abort();
	}
	provisions_done(&pv);
	return 0;
}
