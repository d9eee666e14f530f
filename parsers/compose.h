/*
 * compose.h - build the RFC 5322 messages the daemon sends.
 *
 * Guarantees for every message compose_message() returns:
 *   - CRLF line ends only, no bare CR or LF, every line at most 998 bytes
 *     (header lines folded under 78 where the syntax allows);
 *   - nothing from the input reaches a header with a control character: CR,
 *     LF, TAB and other C0/C1 controls in names and subjects become spaces,
 *     invalid UTF-8 becomes U+FFFD, and non-ASCII text is RFC 2047 encoded
 *     (encoded words under 76 characters, never splitting a UTF-8 character);
 *   - addresses and message IDs that are not plain, safe ASCII are refused
 *     (addresses, our own Message-ID) or dropped (inbound In-Reply-To and
 *     References entries), never passed through;
 *   - the body is UTF-8 in quoted-printable, lines under 77 characters, with
 *     trailing white space, a leading "From " and a leading "." encoded, so
 *     no transport can alter it.
 * Pure: the date is a parameter.
 */
#ifndef COMPLAINTSD_COMPOSE_H
#define COMPLAINTSD_COMPOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct compose_in {
	const char *from_addr; /* the complaints address; also Reply-To */
	const char *from_name; /* the council's name, may be NULL */
	const char *to_addr;
	const char *to_name; /* may be NULL */
	const char *subject;
	const char *in_reply_to;       /* "<id@host>" or "id@host", may be NULL */
	const char *const *references; /* oldest first, may be NULL */
	size_t n_references;
	const char *message_id; /* ours: see compose_message_id() */
	time_t date;
	bool auto_submitted; /* automatic mail: Auto-Submitted: auto-replied */
	const char *body;    /* UTF-8 text, LF or CRLF line ends */
};

/*
 * The complete message (headers and body), malloc'ed.  Returns 0, or -EINVAL
 * when an address, the Message-ID or the body is missing or unsafe.
 */
int compose_message(const struct compose_in *in, char **ret);

/*
 * A stable Message-ID for a message we send: "<ref.purpose.seq@domain>",
 * lower-case, letters, digits and '-' only in each part (anything else
 * becomes '-'), so the same outbox entry gets the same ID on every run.
 */
char *compose_message_id(const char *ref, const char *purpose, unsigned seq, const char *domain);

/* Is addr a plain addr-spec we are willing to put in a header (local@domain, safe ASCII)? */
bool compose_address_ok(const char *addr);

/* One header field's text: controls to spaces, white space folded, invalid UTF-8 repaired. */
char *compose_clean_text(const char *s);

#endif
