/*
 * message.h - RFC 5322 + MIME to a normalised message (pure code).
 *
 * message_parse() takes the raw bytes of one message as the server stored it
 * and returns a struct message whose strings are all valid UTF-8 with no
 * control characters in header-derived fields (CR, LF, NUL and other C0
 * controls except TAB removed), so any of them may be shown or logged safely.
 * Hard limits are enforced; a breach is reported as a result code with a
 * reason, never as a silently truncated message.  No I/O, no clock, no
 * globals: it is a unit-test and fuzz target.
 */
#ifndef COMPLAINTSD_MESSAGE_H
#define COMPLAINTSD_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct msg_limits {
	size_t max_size;         /* whole message, bytes (default 25 MB) */
	unsigned max_depth;      /* MIME nesting (default 32) */
	unsigned max_parts;      /* MIME parts in total (default 1,000) */
	size_t max_header_bytes; /* all header fields of the top-level message (default 1 MB) */
	bool attachment_data;    /* also decode attachments into msg_attachment.data (default
	                          * no: they are only measured) */
};

#define MSG_LIMITS_DEFAULT                                                                         \
	{                                                                                          \
		25u * 1024 * 1024, 32, 1000, 1024 * 1024, false                                    \
	}

enum msg_result {
	MSG_OK = 0,
	MSG_TOO_BIG,        /* max_size exceeded */
	MSG_TOO_DEEP,       /* max_depth exceeded */
	MSG_TOO_MANY_PARTS, /* max_parts exceeded */
	MSG_HEADERS_TOO_BIG,
	MSG_MALFORMED, /* not a message at all (no header section, binary garbage...) */
};

/* A short stable token for logs and the database ("too_big", "malformed", ...). */
const char *msg_result_to_string(enum msg_result r);

struct msg_address {
	char *name;  /* display name, decoded to UTF-8; "" when absent */
	char *email; /* addr-spec, local@domain with the domain lower-cased; "" when absent */
};

struct msg_attachment {
	char *filename;     /* decoded (RFC 2231 / 2047), "" when absent */
	char *content_type; /* lower-case type/subtype */
	size_t size;        /* decoded size in bytes */
	char *data;         /* the decoded bytes (size of them) with attachment_data, else NULL */
};

/* A message forwarded inside this one, as a message/rfc822 part or an inline block. */
struct msg_forward {
	bool inline_block;      /* true: "---------- Forwarded message ---------" style text */
	struct msg_address from;
	char *subject;          /* "" when unknown */
	char *date;             /* the forwarded Date: text as written, "" when unknown */
	char *body;             /* the forwarded text, UTF-8 */
};

struct message {
	struct msg_address from;     /* first From: address */
	struct msg_address reply_to; /* "" fields when absent */
	struct msg_address *to;
	size_t n_to;
	struct msg_address *cc;
	size_t n_cc;
	bool has_return_path;
	char *return_path; /* addr-spec inside <>, "" for the null path <> */
	char *subject;     /* decoded, UTF-8, white space folded, "" when absent */
	char *message_id;  /* without angle brackets, "" when absent */
	char *in_reply_to; /* first msg-id, without angle brackets, "" when absent */
	char **references; /* msg-ids without angle brackets, in header order */
	size_t n_references;
	time_t date;            /* sender's Date: (display only; never a clock), 0 if unparseable */
	time_t newest_received; /* newest date among Received: headers, 0 when none parse */

	/* RFC 3834 and friends: raw (decoded, trimmed) header values, "" when absent */
	char *auto_submitted;
	char *precedence;
	char *list_id;
	bool x_autoreply;       /* X-Autoreply / X-Autorespond / X-Auto-Response-Suppress: All-ish OOF */
	bool oof_hint;          /* X-MS-Exchange-Inbox-Rules-Loop or X-Auto-Response-Suppress naming OOF */
	char **auth_results;    /* every Authentication-Results value, in header order */
	size_t n_auth_results;

	char *content_type; /* top-level, lower-case type/subtype */
	bool is_dsn;        /* multipart/report; report-type=delivery-status */
	char *dsn_original_message_id; /* from the returned headers of a DSN, "" if none */
	char *dsn_action;   /* first Action: of the delivery-status part ("failed", "delayed"...) */
	char *dsn_status;   /* first Status: (e.g. "5.1.1") */
	char *dsn_recipient;/* first Final-Recipient address, "" if none */

	char *body;          /* the text body in UTF-8 (text/plain, else converted from HTML) */
	bool body_from_html;
	struct msg_attachment *attachments;
	size_t n_attachments;
	struct msg_forward *forwards;
	size_t n_forwards;
	char **notes;        /* what was repaired on the way ("unknown charset x-foo", ...) */
	size_t n_notes;
};

/*
 * Parse raw (len bytes, may contain NUL).  On MSG_OK *ret is a new message.
 * On any other result *ret is NULL and *ret_reason (if not NULL) is a
 * malloc'ed one-line explanation for the quarantine record.
 */
enum msg_result message_parse(const char *raw, size_t len, const struct msg_limits *lim,
			      struct message **ret, char **ret_reason);
void message_free(struct message *m);

/*
 * A stable, line-oriented text rendering of every field, used by the golden
 * corpus tests (tests/corpus/NAME.eml -> NAME.expected).  Malloc'ed.
 */
char *message_dump(const struct message *m);

/* Parse an RFC 5322 date-time; returns 0 and sets *ret (UTC) or -EINVAL. */
int mail_date_parse(const char *s, time_t *ret);

static inline void
message_freep(struct message **m)
{
	message_free(*m);
}
#define _cleanup_message_ __attribute__((cleanup(message_freep)))

#endif
