/*
 * fuzz_litset.c - libFuzzer target for the rules prefilter (litset.c).
 * Input: a pattern, a newline, a text.  The promise checked: when PCRE2,
 * compiled as the rules compile it, matches the text, the prefilter has
 * marked the pattern as one that could match.  A pattern PCRE2 rejects is
 * skipped.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "litset.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nl = memchr(data, '\n', size);
	char *pattern;
	const char *text;
	size_t text_len;
	pcre2_code *re;
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	struct litset *ls;
	bool may[1] = {false};
	int ec, rc;
	PCRE2_SIZE off;

	if (nl == NULL || size > 65536)
		return 0;
	pattern = xstrndup((const char *)data, (size_t)(nl - (const char *)data));
	text = nl + 1;
	text_len = size - (size_t)(text - (const char *)data);
	re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
	                   PCRE2_UTF | PCRE2_CASELESS | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF, &ec,
	                   &off, NULL);
	if (re == NULL || strlen(pattern) != (size_t)(nl - (const char *)data)) {
		pcre2_code_free(re);
		free(pattern);
		return 0;
	}
	ls = litset_new();
	(void)litset_add(ls, 0, pattern);
	litset_build(ls);
	litset_scan(ls, text, text_len, may);
	md = pcre2_match_data_create(1, NULL);
	mctx = pcre2_match_context_create(NULL);
	pcre2_set_match_limit(mctx, 100000);
	pcre2_set_depth_limit(mctx, 1000);
	rc = pcre2_match(re, (PCRE2_SPTR)text, text_len, 0, 0, md, mctx);
	if (rc >= 0 && !may[0])
		abort(); /* a match the prefilter would have hidden */
	pcre2_match_context_free(mctx);
	pcre2_match_data_free(md);
	pcre2_code_free(re);
	litset_free(ls);
	free(pattern);
	return 0;
}
