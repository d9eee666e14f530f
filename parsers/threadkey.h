/*
 * threadkey.h - the keys that tie a message to a case: the case reference in
 * the subject, Message-IDs, and the normalised subject of the fallback match.
 *
 * Case references have the form PREFIX-YYYY-NNNNNN (CMP-2026-000123): the
 * configured prefix (1-16 ASCII letters and digits, starting with a letter),
 * a year 2000-2099 and a sequence 1-999999 written with six digits.  Pure:
 * strings in, strings out; every input is treated as untrusted raw UTF-8.
 */
#ifndef COMPLAINTSD_THREADKEY_H
#define COMPLAINTSD_THREADKEY_H

#include <stdbool.h>

#define THREADKEY_REF_MAX 32    /* size of a canonical reference buffer, with NUL */
#define THREADKEY_PREFIX_MAX 16

/* Is prefix usable for references (1-16 ASCII alphanumerics, first a letter)? */
bool threadkey_prefix_valid(const char *prefix);

/*
 * Find the first case reference with the configured prefix in subject and
 * write its canonical form ("CMP-2026-000123", the prefix spelt as
 * configured) to ret.  Tolerates what mail clients do to subjects: any
 * reply/forward prefixes and tags before it, brackets or none, spaces inside
 * brackets, lower case, and a separator of '-', '_', spaces, no-break spaces
 * or a Unicode dash (U+2010-U+2015, U+2212) between the parts.  An unpadded
 * sequence ("CMP-2026-123") is zero-padded.  Not a reference: a prefix glued
 * to a preceding ASCII letter or digit ("XCMP-..."), a sequence of more than
 * six digits or glued to a following letter or digit, a year outside
 * 2000-2099, sequence 0, another prefix.  When a subject carries several
 * different references, the first valid one wins.  Returns false (ret set to
 * "") when there is none or the prefix is invalid.
 */
bool threadkey_find_ref(const char *subject, const char *prefix, char ret[static THREADKEY_REF_MAX]);

/*
 * The canonical reference for (prefix, year, seq), malloc'ed; NULL when the
 * prefix is invalid, the year outside 2000-2099 or seq outside 1-999999.
 */
char *threadkey_format_ref(const char *prefix, int year, long seq);

/*
 * The subject reduced for the fallback match (never NULL, malloc'ed):
 * any number of reply/forward prefixes (Re:, RE :, Re[2]:, Re(2):, Fwd:, Fw:,
 * AW:, WG:, SV:, VS:, Antw:, Doorst:, RV:, TR:, R:, Réf:, Ref:, Odp:, Enc:,
 * Res:, ...) and bracketed tags ("[EXTERNAL]", "[SPAM]", a list tag) at the
 * start are removed, as is a bracketed case reference anywhere and a "(fwd)"
 * at the end; control characters are dropped, white space is collapsed,
 * ASCII lower-cased, and punctuation trimmed at both ends; this is repeated
 * until nothing changes, so the result is a fixed point.  Only the first
 * 2,000 bytes of a subject count.  "" means "no usable subject": nothing left, under
 * three characters, or a generic subject ("complaint", "enquiry", "help",
 * "question", "(no subject)", ...) that must never thread by itself.
 */
char *threadkey_normalise_subject(const char *subject);

/*
 * A Message-ID for comparison (malloc'ed): white space and the angle
 * brackets removed, the part after the last '@' lower-cased (the left part
 * is case-sensitive and kept); anything after the closing '>' (a comment)
 * is ignored.  NULL when nothing is left, when the id is longer than 998
 * bytes, or when it holds control characters or a further '<' or '>'.
 */
char *threadkey_normalise_msgid(const char *id);

#endif
