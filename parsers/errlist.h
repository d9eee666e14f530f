/*
 * errlist.h - a list of human-readable errors ("file:line: what is wrong").
 *
 * Loaders of configuration, rules, templates and holiday files append every
 * problem they find instead of stopping at the first, so `complaintsctl
 * check-config` can report them all at once.
 */
#ifndef COMPLAINTSD_ERRLIST_H
#define COMPLAINTSD_ERRLIST_H

#include <stddef.h>

struct errlist {
	char **v;
	size_t n;
};

#define ERRLIST_INIT {NULL, 0}

void errlist_add(struct errlist *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void errlist_free(struct errlist *e);

static inline void
errlist_freep(struct errlist *e)
{
	errlist_free(e);
}
#define _cleanup_errlist_ __attribute__((cleanup(errlist_freep)))

#endif
