/*
 * safename.h - a file name that is safe to write, made from a name found in
 * mail (an attachment's filename), for `complaintsctl casefile`.
 *
 * The result never contains a path separator, a control character, a
 * quote, a shell or URL metacharacter, or bytes outside printable ASCII
 * (each run of them becomes one '_'); it does not start with '.', '-' or
 * '_', nor end with '.'; it is at most max_len bytes (the extension, when
 * short, is kept); and it is never empty ("attachment").  Pure.
 */
#ifndef COMPLAINTSD_SAFENAME_H
#define COMPLAINTSD_SAFENAME_H

#include <stddef.h>

#define SAFENAME_MIN_LEN 16

/* The safe form of name (NULL or "" give "attachment"); malloc'ed.  max_len >= SAFENAME_MIN_LEN. */
char *safename_make(const char *name, size_t max_len);
/*
 * name, or name with "-2", "-3", ... before its extension, so that it equals
 * none of used[0..n_used) ignoring case; at most max_len bytes.  Malloc'ed.
 */
char *safename_unique(const char *name, char *const *used, size_t n_used, size_t max_len);

#endif
