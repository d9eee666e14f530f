/*
 * rxset.h - a set of regular expressions matched together: which of them
 * match a text, found in one scan.
 *
 * The caller adds patterns (each gets the next id, 0, 1, 2, ...), builds the
 * set once, then scans texts: rxset_scan() marks the ids of the patterns that
 * match.  Patterns are compiled into one Vectorscan database (caseless; UTF-8
 * mode for patterns that hold non-ASCII characters, so in the others "." and
 * "[^...]" match one byte), scanned once per text; a pattern Vectorscan cannot compile
 * (lookarounds, back references) is matched by PCRE2 instead, after a
 * Vectorscan prefilter where one can be built.  rxset_slow_reason() says
 * which patterns take that path and why.
 *
 * Under Vectorscan, \b, \w and \d are ASCII ones: an accented letter is not a
 * word character, so "\bcafé\b" does not match "café " (there is no boundary
 * between "é" and a space).  Patterns are first checked by PCRE2 (UTF, caseless,
 * Unicode properties), which also gives the error messages.
 *
 * Compiling takes seconds for a large set: rxset_serialize() gives the
 * compiled set as bytes, and rxset_build() accepts them back instead of
 * compiling when they were made from the same patterns by the same library
 * version (anything else, stale or corrupt, is ignored and compiled again).
 * Pure code: no I/O.  A built set is read-only and may be shared between
 * threads (each scan takes its own scratch space from a locked pool).
 */
#ifndef COMPLAINTSD_RXSET_H
#define COMPLAINTSD_RXSET_H

#include <stdbool.h>
#include <stddef.h>

struct rxset;

struct rxset *rxset_new(void);
void rxset_free(struct rxset *s);

/*
 * Add a pattern; its id is the number of patterns added before it.  Returns
 * 0 and *ret_id, or -EINVAL with a malloc'ed reason in *ret_error (a syntax
 * error with its offset, or a pattern that matches empty text).
 */
int rxset_add(struct rxset *s, const char *pattern, size_t *ret_id, char **ret_error);

/* Number of patterns added. */
size_t rxset_count(const struct rxset *s);

/*
 * Compile the patterns, or take them from cache (len bytes made by
 * rxset_serialize(); may be NULL) when it fits.  Returns 0, or a negative
 * errno when even the PCRE2 path cannot be set up.
 */
int rxset_build(struct rxset *s, const void *cache, size_t len);

/* The set was taken from the cache given to rxset_build(). */
bool rxset_from_cache(const struct rxset *s);

/* The built set as bytes for rxset_build() (malloc'ed); 0 or negative errno. */
int rxset_serialize(const struct rxset *s, char **ret, size_t *ret_len);

/* Why pattern id is matched by PCRE2 rather than Vectorscan, or NULL when it is not. */
const char *rxset_slow_reason(const struct rxset *s, size_t id);

/*
 * PCRE2 can compile to machine code in this process (not under
 * MemoryDenyWriteExecute=yes); the PCRE2 path is interpreted when it cannot.
 */
bool rxset_jit_available(void);

/* The matching library and its version, for cache keys ("Vectorscan 5.4.9 ..."). */
const char *rxset_engine_version(void);

/*
 * Set hit[id] = true for every pattern that matches text (len bytes; invalid
 * UTF-8 is matched as if each bad sequence were U+FFFD).  Entries of patterns
 * that do not match are left as they are.  Returns 0 or a negative errno.
 */
int rxset_scan(const struct rxset *s, const char *text, size_t len, bool *hit);

/*
 * Like rxset_scan() of each of n clauses alone, in one scan of them all:
 * text (len bytes) holds the clauses one after another, each followed by a
 * newline and holding none; clause k is text[start[k], start[k] + clen[k]).
 * Sets hit[k * rxset_count(s) + id] for every pattern id that matches clause
 * k alone.  Returns 0, -EINVAL when text is not laid out so, or -EIO.
 *
 * Most patterns cannot match a newline: their matches in the whole text are
 * matches of the clause they end in.  Those that might (a class such as \s,
 * \W or [^...], ^ or $, a PCRE2 prefilter) mark the clauses they match in,
 * which are then scanned alone for those patterns (a second, small database).
 */
int rxset_scan_clauses(const struct rxset *s, const char *text, size_t len, const size_t *start,
                       const size_t *clen, size_t n, bool *hit);

#endif
