/*
 * fuzz_authres.c - libFuzzer target for Authentication-Results (RFC 8601) and
 * the header walk that decides which of them the trusted host wrote.
 *
 * The input is a message header section (or any bytes).  Checks beyond "no
 * crash": every field parsed keeps within AUTHRES_MAX_RESULTS and
 * AUTHRES_MAX_PROPS, names and results are lower case, a malformed field
 * keeps no results; authres_evaluate() claims no proof when it found no
 * field of the trusted host, its summary is a NUL-terminated string, and
 * with no trusted id configured nothing is ever proven.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I parsers -I BUILDDIR \
 *	-include config.h tests/fuzz/fuzz_authres.c parsers/authres.c \
 *	parsers/hdrscan.c parsers/util.c parsers/buf.c
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "authres.h"
#include "hdrscan.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
lower(const char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			return false;
	return true;
}

static void
check_verdict(const struct authres_verdict *v, bool may_prove)
{
	if (memchr(v->summary, '\0', sizeof(v->summary)) == NULL)
		abort();
	if ((!v->found || !may_prove) &&
	    (v->dmarc_pass || v->dkim_pass || v->spf_pass || v->auth_pass))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *raw = (const char *)data, *p = raw;
	struct hdrscan_field f;
	struct authres_verdict v;
	struct authres a;

	/* every field of the section, as if each were an Authentication-Results */
	while (hdrscan_next(&p, raw + size, &f)) {
		if (f.value < f.name || f.value_end < f.value || f.value_end > raw + size)
			abort();
		authres_parse(f.value, (size_t)(f.value_end - f.value), &a);
		if (a.authserv_id == NULL || !lower(a.authserv_id) || a.n_results > AUTHRES_MAX_RESULTS)
			abort();
		if (a.malformed && a.n_results != 0)
			abort();
		for (size_t i = 0; i < a.n_results; i++) {
			if (!lower(a.results[i].method) || !lower(a.results[i].result) ||
			    a.results[i].n_props > AUTHRES_MAX_PROPS || *a.results[i].method == '\0')
				abort();
			for (size_t j = 0; j < a.results[i].n_props; j++)
				if (!lower(a.results[i].props[j].name) ||
				    strchr(a.results[i].props[j].name, '.') == NULL)
					abort();
		}
		authres_clear(&a);
	}
	authres_evaluate(raw, size, "mx.council.example", "council.example", &v);
	check_verdict(&v, true);
	authres_evaluate(raw, size, "", "council.example", &v);
	check_verdict(&v, false);
	/* the whole input as one field value */
	authres_parse(raw, size, &a);
	if (a.authserv_id == NULL || (a.malformed && a.n_results != 0))
		abort();
	authres_clear(&a);
	return 0;
}
