/*
 * hdrscan.h - walk the header fields of a raw message in order (pure code).
 *
 * For the few decisions that depend on where a field stands among the
 * others (Authentication-Results) or on a field the MIME parser does not
 * keep (List-Unsubscribe).  Nothing is copied: each field is returned as
 * pointers into the raw text, its value still folded.
 */
#ifndef COMPLAINTSD_HDRSCAN_H
#define COMPLAINTSD_HDRSCAN_H

#include <stdbool.h>
#include <stddef.h>

struct hdrscan_field {
	const char *name; /* not NUL-terminated */
	size_t name_len;  /* 0 for a line without a colon */
	const char *value, *value_end; /* after the colon, to the end of the last continuation line */
};

/*
 * The next field from *pp (start at the message's first byte); false at the
 * blank line that ends the header section, or at end.
 */
bool hdrscan_next(const char **pp, const char *end, struct hdrscan_field *f);

/* Is f named name (case-insensitive)? */
bool hdrscan_is(const struct hdrscan_field *f, const char *name);

/* Does the header section of raw (first max bytes at most) have a field named name? */
bool hdrscan_has(const char *raw, size_t len, size_t max, const char *name);

#endif
