/*
 * quote.h - find the sender's own new text in a plain-text mail body.
 *
 * Replies and forwards carry earlier mail (often our own, with its stage
 * footer) below or between the sender's words.  quote_strip() keeps only what
 * the sender wrote: it drops ">" quoted lines, everything from an attribution
 * line ("On ... wrote:", "Le ... a écrit :", "Am ... schrieb ...:",
 * "El ... escribió:", ...), Outlook's "-----Original Message-----" and
 * "From:/Sent:/To:/Subject:" header blocks, forwarded-message blocks,
 * "Sent from my iPhone"-style footers, signatures after "-- " and legal
 * disclaimers.  Inline replies (the sender's answers between ">" lines) are
 * kept.  Pure: bytes in, malloc'ed UTF-8 out, no I/O.
 *
 * Conservative: when the sender added nothing of their own, the forwarded
 * content is returned instead (it is what they sent us), and failing that the
 * whole body; text is never reduced to nothing.  Trailing blank lines are
 * trimmed.
 */
#ifndef COMPLAINTSD_QUOTE_H
#define COMPLAINTSD_QUOTE_H

#include <stddef.h>

/* The sender's own text of body (NULL is treated as ""); never NULL. */
char *quote_strip(const char *body);

/*
 * Like quote_strip(); *ret_quote_offset (may be NULL) receives the byte offset
 * in body where quoted, forwarded or signature text begins, or strlen(body)
 * when the body has none.
 */
char *quote_strip_ex(const char *body, size_t *ret_quote_offset);

#endif
