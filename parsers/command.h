/*
 * command.h - officer commands in a reply on a case ("#extend 5 REASON").
 *
 * Officers answer a case from their own mail client; lines of their own new
 * text (the caller passes text that quote_strip() has already reduced to what
 * the officer wrote) that begin with '#' are commands.  officer_cmds_parse()
 * splits such a text into the commands, one error entry per command line it
 * could not accept, and the text to relay to the complainant.  Pure: bytes in,
 * structs out, no I/O.
 *
 * What is a command line (the rule an officer can learn):
 *  - Leading spaces, tabs and no-break spaces are ignored.
 *  - '#' directly followed by an ASCII letter ("#extend", "#Close",
 *    "#hashtag") is a command attempt; an unknown name is an error, never
 *    relayed.  Names are case-insensitive and '_' counts as '-'.  A ':'
 *    straight after the name is allowed ("#outcome: upheld").
 *  - '#' followed by spaces and then a known command name ("# outcome
 *    upheld") is also a command attempt (mail clients and thumbs insert that
 *    space).  '#' followed by spaces and anything else ("# Summary") is prose.
 *  - '#' followed by anything else ("#1 priority", "##", "#") is prose, and a
 *    '#' that is not the first character of its line is always prose.
 *
 * Arguments:
 *  - #complaint, #service-request, #stage2, #final, #internal, #close take
 *    none; anything after them is an error (one command per line).
 *  - #extend DAYS REASON: DAYS is 1..365 written in digits, optionally
 *    followed by "day", "days", "working day(s)" and a ':' or '-'; REASON is
 *    required.  Whether DAYS fits the stage's limit is the state machine's
 *    business, not the parser's.
 *  - #outcome takes exactly one of upheld, partly-upheld, not-upheld,
 *    resolved, withdrawn ("partly upheld" and "not upheld" are accepted);
 *    arg is the canonical hyphenated form.
 *  - #exclude REASON, #note TEXT: the rest of the line, required.
 *  - #consent received: exactly that word.
 *  - #scheme lgsco|housing: which Ombudsman's scheme applies; arg is the word.
 *  - #assign ADDRESS: one address (optionally in <>), syntax-checked; arg is
 *    the address with its domain lower-cased.
 *  - #improvement AREA TEXT: the first word is the area, the rest is the
 *    text; both required.
 *  - #acknowledge TEXT: the text is the rest of the line plus the lines that
 *    follow it up to the first blank line or the next command line (it may
 *    also start on the next line).  Those lines belong to the command and are
 *    not repeated in relay_text; the caller relays arg itself.  #note is one
 *    line only, so a note can never swallow a letter to the complainant.
 *  - #internal: nothing of this message is relayed (internal is set).  #note
 *    only keeps its own line internal.
 *
 * Conflicts reported as errors: a command that can apply once per message
 * given twice (only #note and #improvement may repeat), #complaint together
 * with #service-request, #stage2 with #final, #acknowledge with #internal.
 *
 * Line ends may be LF, CRLF or CR; line numbers count them alike.
 *
 * Limits: at most OFFICER_CMDS_MAX commands per message (later command lines
 * are errors), command lines longer than OFFICER_CMD_MAX_LINE bytes are
 * errors.  The input is untrusted: every string handed out is valid UTF-8
 * (bad bytes become U+FFFD) without control characters other than newline
 * and tab; error inputs are cut to OFFICER_CMD_ECHO_MAX bytes.
 *
 * Command lines are removed from relay_text whether or not they are valid.
 * If n_errors > 0 the caller must not relay anything and should send the
 * officer officer_cmds_format_errors() instead; no command is applied either.
 */
#ifndef COMPLAINTSD_COMMAND_H
#define COMPLAINTSD_COMMAND_H

#include <stdbool.h>
#include <stddef.h>

#define OFFICER_CMDS_MAX 50
#define OFFICER_CMD_MAX_LINE 2000
#define OFFICER_CMD_ECHO_MAX 200
#define OFFICER_CMD_MAX_DAYS 365
/* Texts larger than this are refused with -E2BIG. */
#define OFFICER_CMDS_MAX_TEXT (4u * 1024 * 1024)

enum officer_cmd_type {
	CMD_COMPLAINT,
	CMD_SERVICE_REQUEST,
	CMD_EXTEND,
	CMD_OUTCOME,
	CMD_STAGE2,
	CMD_FINAL,
	CMD_EXCLUDE,
	CMD_CONSENT,
	CMD_ASSIGN,
	CMD_IMPROVEMENT,
	CMD_ACKNOWLEDGE,
	CMD_NOTE,
	CMD_INTERNAL,
	CMD_CLOSE,
	CMD_SCHEME,
	_CMD_MAX,
};

struct officer_cmd {
	enum officer_cmd_type type;
	unsigned line; /* 1-based line of the '#' in own_text */
	int days;      /* #extend only, else 0 */
	char *arg;     /* outcome, reason, address, area, scheme, acknowledgement or note text; or NULL */
	char *text;    /* #improvement text; else NULL */
};

struct officer_cmd_error {
	unsigned line; /* 1-based */
	char *input;   /* the line as written (sanitised, possibly shortened) */
	char *why;     /* a sentence for the officer, with a suggestion where one helps */
};

struct officer_cmds {
	struct officer_cmd *cmds;
	size_t n_cmds;
	struct officer_cmd_error *errors;
	size_t n_errors;
	char *relay_text; /* own_text without command lines, "\n" line ends, trimmed; never NULL */
	bool internal;    /* #internal given: relay nothing */
};

#define OFFICER_CMDS_INIT {NULL, 0, NULL, 0, NULL, false}

/*
 * Parse own_text (NULL is treated as "").  Returns 0 and fills *ret (which
 * the caller frees with officer_cmds_free()) even when there are error
 * entries; -E2BIG (and *ret empty) when the text exceeds
 * OFFICER_CMDS_MAX_TEXT.
 */
int officer_cmds_parse(const char *own_text, struct officer_cmds *ret);
void officer_cmds_free(struct officer_cmds *c);

/* "extend", "service-request", ... (without '#'); "unknown" when out of range. */
const char *officer_cmd_name(enum officer_cmd_type t);

/* The first command of type t, or NULL. */
const struct officer_cmd *officer_cmds_find(const struct officer_cmds *c,
    enum officer_cmd_type t);

/*
 * The error entries as plain text for the officer's reply, one paragraph per
 * error ("Line 3: #extend ten\n  why\n"); "" when there are none.  Malloc'ed.
 */
char *officer_cmds_format_errors(const struct officer_cmds *c);

static inline void
officer_cmds_freep(struct officer_cmds *c)
{
	officer_cmds_free(c);
}
#define _cleanup_officer_cmds_ __attribute__((cleanup(officer_cmds_freep)))

#endif
