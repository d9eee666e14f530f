/*
 * safename.c - safe file names from names found in mail (see safename.h).
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "safename.h"
#include "util.h"

#define MAX_EXT 10 /* bytes of an extension kept, the dot included */

static bool
keep(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '-' || c == '_' || c == '+';
}

/* The offset of the extension ('.' and up to MAX_EXT - 1 more bytes) in s, or len. */
static size_t
ext_offset(const char *s, size_t len)
{
	const char *dot = NULL;

	for (size_t i = 1; i < len; i++)
		if (s[i] == '.')
			dot = s + i;
	if (dot == NULL || (size_t)(s + len - dot) > MAX_EXT || (size_t)(s + len - dot) < 2)
		return len;
	return (size_t)(dot - s);
}

char *
safename_make(const char *name, size_t max_len)
{
	const char *base = name ? name : "";
	size_t n, len = 0, start = 0, ext;
	char *out;

	if (max_len < SAFENAME_MIN_LEN)
		max_len = SAFENAME_MIN_LEN;
	/* the last path component, whichever separator the sender's system used */
	for (const char *p = base; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	n = strlen(base);
	out = xmalloc(n + 1 > 16 ? n + 1 : 16);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)base[i];

		if (keep(c))
			out[len++] = (char)c;
		else if (len == 0 || out[len - 1] != '_')
			out[len++] = '_';
	}
	out[len] = '\0';
	/* nothing hidden, nothing that reads as an option */
	while (start < len && (out[start] == '.' || out[start] == '-' || out[start] == '_'))
		start++;
	memmove(out, out + start, len - start + 1);
	len -= start;
	while (len > 0 && (out[len - 1] == '.' || out[len - 1] == '_'))
		out[--len] = '\0';
	if (len == 0) {
		free(out);
		return xstrdup("attachment");
	}
	if (len > max_len) {
		ext = ext_offset(out, len);
		if (ext < len) {
			size_t elen = len - ext, keep_len = max_len - elen;

			memmove(out + keep_len, out + ext, elen + 1);
			len = max_len;
		} else {
			out[max_len] = '\0';
			len = max_len;
		}
		while (len > 1 && out[len - 1] == '.')
			out[--len] = '\0';
	}
	return out;
}

static bool
used_name(const char *s, char *const *used, size_t n_used)
{
	for (size_t i = 0; i < n_used; i++)
		if (strcasecmp(s, used[i]) == 0)
			return true;
	return false;
}

char *
safename_unique(const char *name, char *const *used, size_t n_used, size_t max_len)
{
	size_t len = strlen(name), ext = ext_offset(name, len);

	if (max_len < SAFENAME_MIN_LEN)
		max_len = SAFENAME_MIN_LEN;
	if (!used_name(name, used, n_used) && len <= max_len)
		return xstrdup(name);
	for (size_t k = 2;; k++) {
		char suffix[24];
		size_t slen = (size_t)snprintf(suffix, sizeof(suffix), "-%zu", k);
		size_t elen = len - ext, stem = ext;
		char *s;

		if (stem + slen + elen > max_len)
			stem = max_len > slen + elen ? max_len - slen - elen : 0;
		s = xasprintf("%.*s%s%s", (int)stem, name, suffix, name + ext);
		if (!used_name(s, used, n_used))
			return s;
		free(s);
	}
}
