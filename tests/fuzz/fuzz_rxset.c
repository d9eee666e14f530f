/*
 * fuzz_rxset.c - libFuzzer target for the pattern set (rxset.c).
 * Input: a pattern, a newline, a text.  A pattern PCRE2 rejects is refused by
 * rxset_add() too.  Otherwise the set is built and the text scanned, and where
 * the ASCII word rules of Vectorscan cannot differ from PCRE2's Unicode ones
 * (pattern and text both ASCII), the set agrees with PCRE2 alone: a match is
 * found, and no match is invented.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "rxset.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
ascii(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80 || s[i] == '\0')
			return false;
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nl = memchr(data, '\n', size);
	_cleanup_free_ char *pattern = NULL, *why = NULL;
	const char *text;
	size_t text_len, id;
	pcre2_code *re;
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	struct rxset *s;
	bool hit[1] = {false};
	int ec, rc, added;
	PCRE2_SIZE off;

	if (nl == NULL || size > 4096)
		return 0;
	pattern = xstrndup((const char *)data, (size_t)(nl - (const char *)data));
	if (strlen(pattern) != (size_t)(nl - (const char *)data))
		return 0;
	text = nl + 1;
	text_len = size - (size_t)(text - (const char *)data);
	s = rxset_new();
	added = rxset_add(s, pattern, &id, &why);
	re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
	                   PCRE2_UTF | PCRE2_CASELESS | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF, &ec,
	                   &off, NULL);
	if ((re == NULL) != (added < 0) && why != NULL && strstr(why, "empty text") == NULL)
		abort(); /* rxset_add() and PCRE2 disagree on the syntax */
	if (added < 0 || re == NULL) {
		pcre2_code_free(re);
		rxset_free(s);
		return 0;
	}
	if (rxset_build(s, NULL, 0) < 0 || rxset_scan(s, text, text_len, hit) < 0)
		abort();
	md = pcre2_match_data_create(1, NULL);
	mctx = pcre2_match_context_create(NULL);
	pcre2_set_match_limit(mctx, 200000);
	pcre2_set_depth_limit(mctx, 5000);
	rc = pcre2_match(re, (PCRE2_SPTR)text, text_len, 0, 0, md, mctx);
	if (ascii(pattern, strlen(pattern)) && ascii(text, text_len) &&
	    ((rc >= 0 && !hit[0]) || (rc == PCRE2_ERROR_NOMATCH && hit[0])))
		abort(); /* the set and PCRE2 disagree */
	pcre2_match_context_free(mctx);
	pcre2_match_data_free(md);
	pcre2_code_free(re);
	rxset_free(s);
	return 0;
}
