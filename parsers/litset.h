/*
 * litset.h - which of many regular expressions could match a text, found in
 * one pass over it.
 *
 * For each pattern, the literal strings it cannot match without are worked
 * out from its source (a conservative reading of PCRE2 syntax: anything it
 * does not understand leaves the pattern unfiltered).  All of them go into
 * one Aho-Corasick automaton; a scan of the text marks the patterns one of
 * whose necessary literals occurs, and every pattern that has none.  A
 * pattern left unmarked cannot match, so the regular expression engine is
 * spared it.  Matching is as PCRE2_CASELESS | PCRE2_UCP sees ASCII letters:
 * the text is folded to lower case, including U+017F (long s) and U+212A
 * (Kelvin sign), which fold to 's' and 'k'.
 *
 * Pure code: no I/O.
 */
#ifndef COMPLAINTSD_LITSET_H
#define COMPLAINTSD_LITSET_H

#include <stdbool.h>
#include <stddef.h>

struct litset;

struct litset *litset_new(void);
void litset_free(struct litset *ls);

/*
 * Add pattern number id (ids are small and dense: the caller's index).
 * Returns true when the pattern has necessary literals and can be filtered,
 * false when it always has to run.
 */
bool litset_add(struct litset *ls, size_t id, const char *pattern);

/* Make the automaton; after this, only litset_scan. */
void litset_build(struct litset *ls);

/*
 * Set may[id] = true for every pattern that could match text (may has room
 * for every id added); entries of patterns that cannot are left as they are.
 */
void litset_scan(const struct litset *ls, const char *text, size_t len, bool *may);

/*
 * The necessary literals of one pattern, lower case: one of them occurs in
 * every match.  Returns their number (0: none known, the pattern must
 * always run) and a NULL-terminated malloc'ed array in *ret.  For tests.
 */
size_t litset_necessary(const char *pattern, char ***ret);

#endif
