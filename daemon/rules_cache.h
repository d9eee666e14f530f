/*
 * rules_cache.h - load the rules file, keeping its compiled patterns in a
 * cache file so that only the first start after a change compiles them.
 */
#ifndef COMPLAINTSD_RULES_CACHE_H
#define COMPLAINTSD_RULES_CACHE_H

#include "errlist.h"
#include "rules.h"

/*
 * Like rules_load().  When cache_dir is set, the compiled patterns are looked
 * for in cache_dir/rules-KEY.cache, KEY the SHA-256 of the rules file's text
 * and the pattern library's version; a missing, stale or damaged cache is
 * compiled again and written back (atomically, replacing older ones) when the
 * directory is writable.  A cache that cannot be written costs only time.
 */
int rules_load_cached(const char *path, const char *cache_dir, struct rules **ret,
                      struct errlist *errs);

#endif
