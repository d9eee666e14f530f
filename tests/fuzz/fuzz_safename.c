/*
 * fuzz_safename.c - libFuzzer target for the case file's attachment names.
 *
 * The first byte picks the length limit; the rest is a name as mail gives
 * it.  The promises of safename.h must hold for every input: only letters,
 * digits and ". - _ +", no leading dot, dash or underscore, within the limit,
 * never empty, and a unique variant that differs from every name used.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I parsers -I BUILDDIR \
 *	-include config.h tests/fuzz/fuzz_safename.c parsers/safename.c parsers/util.c
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "safename.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_safe(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n > max || s[0] == '.' || s[0] == '-' || s[0] == '_')
		abort();
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == '_' || c == '+'))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t max;
	char *name, *safe, *again;
	char *used[1];

	if (size < 1 || size > 4096)
		return 0;
	max = SAFENAME_MIN_LEN + data[0] % 100;
	name = xstrndup((const char *)data + 1, size - 1);
	safe = safename_make(name, max);
	check_safe(safe, max);
	used[0] = safe;
	again = safename_unique(safe, used, 1, max);
	if (strcasecmp(again, safe) == 0 || strlen(again) > max)
		abort();
	free(again);
	free(safe);
	free(name);
	return 0;
}
