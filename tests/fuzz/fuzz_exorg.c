/*
 * fuzz_exorg.c - libFuzzer target for Exchange Online's organization headers
 * (parsers/exorg.h): the header walk and the internal-mail verdict.
 *
 * The input is a message header section (or any bytes).  Checks beyond "no
 * crash": the summary is a NUL-terminated string starting "exchange: "; no
 * mail is internal to two different tenants, nor to an id that is not a
 * GUID; mail found internal holds the configured tenant id and the field
 * names the verdict needs, within the scanned part of the header section.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I parsers -I BUILDDIR \
 *	-include config.h tests/fuzz/fuzz_exorg.c parsers/exorg.c \
 *	parsers/hdrscan.c parsers/util.c parsers/buf.c
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "exorg.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TENANT_A "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
#define TENANT_B "8d4e2f10-3b5a-4c6d-9e7f-a1b2c3d4e5f6"

/* Is needle (ASCII case-insensitive) in the first n bytes of hay (which may hold NULs)? */
static bool
has(const char *hay, size_t n, const char *needle)
{
	size_t k = strlen(needle);

	for (size_t i = 0; i + k <= n; i++)
		if (ascii_strncaseeq(hay + i, needle, k))
			return true;
	return false;
}

static void
check_summary(const struct exorg_verdict *v)
{
	if (memchr(v->summary, '\0', sizeof(v->summary)) == NULL ||
	    strncmp(v->summary, "exchange: ", 10) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *raw = (const char *)data;
	size_t scanned = size > EXORG_MAX_HEADER ? EXORG_MAX_HEADER : size;
	struct exorg_verdict a, b, c;

	exorg_evaluate(raw, size, TENANT_A, &a);
	exorg_evaluate(raw, size, TENANT_B, &b);
	exorg_evaluate(raw, size, "council.onmicrosoft.com", &c);
	check_summary(&a);
	check_summary(&b);
	check_summary(&c);
	if ((a.internal && b.internal) || c.internal)
		abort();
	if (a.internal &&
	    (!has(raw, scanned, TENANT_A) || !has(raw, scanned, "X-MS-Exchange-Organization-AuthAs:") ||
	     !has(raw, scanned, "X-MS-Exchange-CrossTenant-AuthAs:") ||
	     !has(raw, scanned, "X-MS-Exchange-Organization-AuthMechanism:") ||
	     !has(raw, scanned, "X-MS-Exchange-Organization-AuthSource:") ||
	     !has(raw, scanned, "Internal")))
		abort();
	return 0;
}
