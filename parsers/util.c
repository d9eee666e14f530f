/*
 * util.c - allocation wrappers and ASCII string helpers.
 */
#include "config.h"

#include <stdio.h>
#include <stdint.h>

#include "util.h"

static void __attribute__((noreturn))
oom(size_t n)
{
	fprintf(stderr, "complaintsd: out of memory allocating %zu bytes\n", n);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		oom(n);
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (p == NULL)
		oom(nmemb * size);
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		oom(n);
	return q;
}

void *
xreallocarray(void *p, size_t nmemb, size_t size)
{
	if (size != 0 && nmemb > SIZE_MAX / size)
		oom(SIZE_MAX);
	return xrealloc(p, nmemb * size);
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = xmalloc(len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	char *s = NULL;

	if (vasprintf(&s, fmt, ap) < 0)
		oom(0);
	return s;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

static inline int
ascii_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

bool
ascii_strncaseeq(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int ca = ascii_lower((unsigned char)a[i]);
		int cb = ascii_lower((unsigned char)b[i]);

		if (ca != cb)
			return false;
		if (ca == '\0')
			return true;
	}
	return true;
}

bool
ascii_strcaseeq(const char *a, const char *b)
{
	return ascii_strncaseeq(a, b, SIZE_MAX);
}

const char *
ascii_strcasestr(const char *haystack, const char *needle)
{
	size_t n = strlen(needle);

	for (; *haystack != '\0'; haystack++)
		if (ascii_strncaseeq(haystack, needle, n))
			return haystack;
	return n == 0 ? haystack : NULL;
}

char *
ascii_strlower(char *s)
{
	for (char *p = s; *p != '\0'; p++)
		*p = (char)ascii_lower((unsigned char)*p);
	return s;
}

const char *
startswith_nocase(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	return ascii_strncaseeq(s, prefix, n) ? s + n : NULL;
}

const char *
startswith(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(s, prefix, n) == 0 ? s + n : NULL;
}

static bool
strip_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

const char *
strstrip_span(const char *s, size_t *len)
{
	size_t n = *len;

	while (n > 0 && strip_space(*s))
		s++, n--;
	while (n > 0 && strip_space(s[n - 1]))
		n--;
	*len = n;
	return s;
}

char *
strstrip(char *s)
{
	size_t n = strlen(s);
	const char *start = strstrip_span(s, &n);

	memmove(s, start, n);
	s[n] = '\0';
	return s;
}

int
ascii_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
