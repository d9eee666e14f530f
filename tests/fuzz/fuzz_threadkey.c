/*
 * fuzz_threadkey.c - libFuzzer target for case references, subjects and
 * Message-IDs.
 *
 * Checks beyond "no crash": a reference found is canonical and found again
 * in itself, normalising a subject is idempotent on what it returns, and a
 * normalised Message-ID is a fixed point.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I parsers -I BUILDDIR \
 *	-include config.h tests/fuzz/fuzz_threadkey.c parsers/threadkey.c \
 *	parsers/util.c parsers/buf.c
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "threadkey.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *s = xstrndup((const char *)data, size);
	_cleanup_free_ char *subj = NULL, *subj2 = NULL, *id = NULL, *id2 = NULL;
	char ref[THREADKEY_REF_MAX], ref2[THREADKEY_REF_MAX];

	if (threadkey_find_ref(s, "CMP", ref)) {
		if (strlen(ref) != 15 || !startswith(ref, "CMP-"))
			abort();
		if (!threadkey_find_ref(ref, "CMP", ref2) || !streq(ref, ref2))
			abort();
	} else if (ref[0] != '\0')
		abort();

	subj = threadkey_normalise_subject(s);
	subj2 = threadkey_normalise_subject(subj);
	if (subj[0] != '\0' && !streq(subj, subj2))
		abort();

	id = threadkey_normalise_msgid(s);
	if (id != NULL) {
		id2 = threadkey_normalise_msgid(id);
		if (id2 == NULL || !streq(id, id2))
			abort();
	}
	return 0;
}
