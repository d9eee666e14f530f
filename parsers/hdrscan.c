/*
 * hdrscan.c - walk the header fields of a raw message in order.
 */
#include "config.h"

#include <string.h>

#include "hdrscan.h"
#include "util.h"

bool
hdrscan_next(const char **pp, const char *end, struct hdrscan_field *f)
{
	const char *p = *pp, *eol, *colon;

	if (p == NULL || p >= end || *p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n'))
		return false;
	eol = memchr(p, '\n', (size_t)(end - p));
	eol = eol ? eol : end;
	colon = memchr(p, ':', (size_t)(eol - p));
	f->name = p;
	f->name_len = colon ? (size_t)(colon - p) : 0;
	f->value = colon ? colon + 1 : eol;
	/* continuation lines start with white space */
	while (eol + 1 < end && (eol[1] == ' ' || eol[1] == '\t')) {
		const char *n = memchr(eol + 1, '\n', (size_t)(end - eol - 1));

		eol = n ? n : end;
	}
	f->value_end = eol;
	*pp = eol < end ? eol + 1 : end;
	return true;
}

bool
hdrscan_is(const struct hdrscan_field *f, const char *name)
{
	size_t n = strlen(name);

	return f->name_len == n && ascii_strncaseeq(f->name, name, n);
}

bool
hdrscan_has(const char *raw, size_t len, size_t max, const char *name)
{
	const char *p = raw, *end = raw + (len > max ? max : len);
	struct hdrscan_field f;

	while (hdrscan_next(&p, end, &f))
		if (hdrscan_is(&f, name))
			return true;
	return false;
}
