/*
 * charset.h - UTF-8 validation, repair and charset conversion for mail text.
 *
 * Every function returns a new malloc'ed, NUL-terminated string that is valid
 * UTF-8: invalid sequences become U+FFFD, never passed through.
 */
#ifndef COMPLAINTSD_CHARSET_H
#define COMPLAINTSD_CHARSET_H

#include <stdbool.h>
#include <stddef.h>

#include "utf8.h"

/*
 * Convert len bytes in charset (may be NULL or "") to UTF-8.  When the
 * charset is unknown or the data does not fit the declared one, the text is
 * read as windows-1252 and *ret_note (if not NULL) gets a malloc'ed remark.
 */
char *charset_to_utf8(const char *charset, const char *in, size_t len, char **ret_note);
/* Header text: drop C0/C1 controls and DEL, turn TAB into space, fold runs of white space, trim. */
char *text_clean_line(const char *s);
/* Body text: CRLF and CR to LF, drop NUL and other controls except TAB and LF, trim blank edges. */
char *text_clean_body(const char *s);
/* The same on a malloc'ed string, cleaned in place and returned (no copy). */
char *text_clean_body_take(char *s);

#endif
