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

/* A part after the text: a file, or (content_type "message/rfc822") a whole message. */
struct compose_part {
	const char *filename;     /* as the sender named it (cleaned and encoded here); may be NULL */
	const char *content_type; /* "application/pdf"; anything not type/subtype: octet-stream */
	const char *data;         /* decoded bytes; for message/rfc822 the raw source */
	size_t len;
};

/*
 * Where a message/rfc822 part's source stands in a composed message: from
 * byte `at`, `len` bytes, which are its lines with CRLF ends (every LF made
 * CRLF, and a CRLF after a last line without one).  len 0: the part was
 * written otherwise (as a file in base64, or it was empty).
 */
struct compose_span {
	size_t at, len;
};

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
	bool auto_generated; /* a notification to officers: Auto-Submitted: auto-generated */
	const char *body;    /* UTF-8 text, LF or CRLF line ends */
	const struct compose_part *parts; /* n_parts > 0: multipart/mixed, the text first */
	size_t n_parts;
	const char *html; /* with no parts: multipart/alternative, body then this HTML */
	struct compose_span *spans; /* NULL, or one per part: filled in by compose_message() */
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

/*
 * Parts (parsers/compose_parts.c).  Files are base64 in 76-column lines with
 * Content-Type name= and Content-Disposition filename= (a quoted string of
 * safe ASCII, else RFC 2231 UTF-8''%XX); a message/rfc822 part is the
 * message itself with CRLF line ends (7bit or 8bit), or, when a line is too
 * long for SMTP, a base64 file "original-message.eml".
 */
/* The type as sent: lower-case type/subtype of token characters, else application/octet-stream. */
char *compose_part_type(const char *type);
/* The file name as sent, before encoding: controls, '/', '\\' and '"' replaced, length cut. */
char *compose_part_filename(const char *name);
/* The MIME header lines of one part, CRLF-terminated (no blank line). */
char *compose_part_header(const struct compose_part *part);

/* Is it a program (by type or by the file name's extension)?  Never relayed to a resident. */
bool compose_part_executable(const char *name, const char *type);

struct buf;
/* Does boundary occur in no part's data? */
bool compose_boundary_ok(const char *boundary, const struct compose_part *parts, size_t n);
/* Append every part, then the closing boundary; spans (NULL, or one per part) as compose_in's. */
int compose_parts_append(struct buf *b, const char *boundary, const struct compose_part *parts,
			 size_t n, struct compose_span *spans);

#endif
