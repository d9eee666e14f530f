/*
 * util.h - memory and cleanup helpers shared by every module.
 *
 * Out of memory is not a condition this daemon tries to survive: the x*
 * allocators abort loudly, so callers never check for NULL.  Scoped cleanup
 * follows the systemd idiom: `_cleanup_free_ char *s = ...;` frees on every
 * return path, and TAKE_PTR() hands ownership out.
 */
#ifndef COMPLAINTSD_UTIL_H
#define COMPLAINTSD_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
/* Grow an array of nmemb elements of size, checking for overflow. */
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Like asprintf(), but never fails. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

static inline void
freep(void *p)
{
	free(*(void **)p);
}

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(freep)

/* Return *pp and set it to NULL, so a cleanup attribute no longer frees it. */
#define TAKE_PTR(p)                                                                                \
	({                                                                                         \
		__typeof__(p) _p_ = (p);                                                           \
		(p) = NULL;                                                                        \
		_p_;                                                                               \
	})

static inline bool
streq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

static inline bool
streq_ptr(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static inline bool
isempty(const char *s)
{
	return s == NULL || *s == '\0';
}

/* ASCII-only case-insensitive helpers: mail syntax is ASCII, locale must not matter. */
bool ascii_strcaseeq(const char *a, const char *b);
bool ascii_strncaseeq(const char *a, const char *b, size_t n);
const char *ascii_strcasestr(const char *haystack, const char *needle);
char *ascii_strlower(char *s);
/* If s starts with prefix (ASCII case-insensitive), return the rest, else NULL. */
const char *startswith_nocase(const char *s, const char *prefix);
const char *startswith(const char *s, const char *prefix);
/* The value of a hexadecimal digit, or -1. */
int ascii_hexval(char c);
/* Trim ASCII white space (space, tab, CR, LF) at both ends in place; returns s. */
char *strstrip(char *s);
/* The same for s[0, *len) without changing it: returns its first byte kept and sets *len. */
const char *strstrip_span(const char *s, size_t *len);

#endif
