#ifndef COMPLAINTSD_RULES_CLAUSE_H
#define COMPLAINTSD_RULES_CLAUSE_H

#include <stddef.h>

#include "buf.h"

/* Text past this many bytes is not examined (a complaint is rarely longer). */
#define RULES_TEXT_MAX (256 * 1024)

/*
 * A text cut into normalised clauses (parsers/rules_clause.c), kept as one
 * string for rxset_scan_clauses(): the clauses one after another, each
 * followed by '\n' (a clause holds none); clause k is
 * text.data[start[k], start[k] + len[k]).
 */
struct clauses {
	struct buf text;
	size_t *start, *len;
	size_t n, alloc;
};

#define CLAUSES_INIT {BUF_INIT, NULL, NULL, 0, 0}

/* Cut text into clauses, appended to out. */
void clauses_add_text(const char *text, struct clauses *out);
void clauses_free(struct clauses *c);

#endif
