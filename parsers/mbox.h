/*
 * mbox.h - messages into an mbox file (pure code).
 *
 * The mboxrd variant: each message starts with a "From " line (envelope
 * sender and date), lines of the message that begin with any number of '>'
 * followed by "From " get one more '>', line ends become LF, and a blank
 * line ends each message.  Python's mailbox.mbox, mutt and Thunderbird read
 * it; readers that undo the quoting get every message back byte for byte
 * (apart from CRLF).
 */
#ifndef COMPLAINTSD_MBOX_H
#define COMPLAINTSD_MBOX_H

#include <stddef.h>
#include <time.h>

#include "buf.h"

/* Append one message (len bytes of raw source) to out; sender "" is written MAILER-DAEMON. */
int mbox_append(struct buf *out, const char *sender, time_t date, const char *raw, size_t len);

#endif
