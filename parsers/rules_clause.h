#ifndef COMPLAINTSD_RULES_CLAUSE_H
#define COMPLAINTSD_RULES_CLAUSE_H

#include <stddef.h>

/* Text past this many bytes is not examined (a complaint is rarely longer). */
#define RULES_TEXT_MAX (256 * 1024)

/* A text cut into normalised clauses (parsers/rules_clause.c). */
struct clauses {
	char **v;
	size_t n;
};

/* Cut text into clauses, appended to out. */
void clauses_add_text(const char *text, struct clauses *out);
void clauses_free(struct clauses *c);

#endif
