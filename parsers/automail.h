/*
 * automail.h - RFC 3834 automatic-mail detection (pure code).
 *
 * Decides whether a message was sent by a machine (auto-reply, out-of-office,
 * delivery report, list or bulk mail, null sender) so that the daemon records
 * it but never answers it: the basis of "never answer a mail loop".
 */
#ifndef COMPLAINTSD_AUTOMAIL_H
#define COMPLAINTSD_AUTOMAIL_H

#include <stdbool.h>

#include "message.h"

enum automail_kind {
	AUTOMAIL_NONE = 0,   /* a person wrote it */
	AUTOMAIL_DSN,        /* delivery status notification / bounce */
	AUTOMAIL_AUTO_REPLY, /* Auto-Submitted other than "no", X-Autoreply... */
	AUTOMAIL_OUT_OF_OFFICE,
	AUTOMAIL_BULK,       /* Precedence: bulk|junk|list */
	AUTOMAIL_LIST,       /* List-Id present */
	AUTOMAIL_NULL_SENDER /* Return-Path <> or MAILER-DAEMON / postmaster sender */
};

enum automail_kind automail_classify(const struct message *m);
/* "dsn", "auto_reply", "out_of_office", "bulk", "list", "null_sender", "none" */
const char *automail_kind_to_string(enum automail_kind k);

/*
 * An address no automatic reply may ever go to (RFC 3834 and practice): a
 * local part with a robot word (noreply, no-reply, no_reply, no.reply,
 * donotreply, do-not-reply, do_not_reply, do.not.reply; any case) at its
 * start, anywhere after a character that is not a letter or at a capital
 * after a small letter (not inside a longer word: "bruno.reply"), one that starts
 * with owner- or ends in -request, -bounce or -bounces, a Mailman VERP
 * address (-bounces+), mailer-daemon, postmaster, or no address at all.
 */
bool automail_never_answer(const char *addr);

#endif
