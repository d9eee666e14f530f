/*
 * errlist.c - collected error messages.
 */
#include "config.h"

#include <stdarg.h>

#include "errlist.h"
#include "util.h"

void
errlist_add(struct errlist *e, const char *fmt, ...)
{
	va_list ap;

	e->v = xreallocarray(e->v, e->n + 1, sizeof(char *));
	va_start(ap, fmt);
	e->v[e->n++] = xvasprintf(fmt, ap);
	va_end(ap);
}

void
errlist_free(struct errlist *e)
{
	if (e == NULL)
		return;
	for (size_t i = 0; i < e->n; i++)
		free(e->v[i]);
	free(e->v);
	e->v = NULL;
	e->n = 0;
}
