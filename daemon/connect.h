/*
 * connect.h - the IMAP session object and the SMTP sender a configuration
 * describes, logging in as it says: a password from its credential file, or
 * OAuth 2.0 with one token source shared by both (daemon/oauth.h).  Every
 * program that talks to the mailbox builds them here, so all of them log in
 * the same way.
 */
#ifndef COMPLAINTSD_CONNECT_H
#define COMPLAINTSD_CONNECT_H

#include "conf.h"
#include "errlist.h"
#include "imap.h"
#include "smtp.h"

/*
 * The IMAP session object (not connected), or the SMTP sender (*ret NULL
 * when no [smtp] url is configured: replies stay queued).  With OAuth 2.0
 * both get the configuration's one token source, made at the first call and
 * kept with cfg, so however the sessions are built they share a token.
 * 0, or -EINVAL with every problem in errs.  Warnings (certificates not
 * checked, no SMTP) are logged.
 */
int connect_imap(const struct config *cfg, struct imap **ret, struct errlist *errs);
int connect_smtp(const struct config *cfg, struct smtp **ret, struct errlist *errs);

/*
 * Both at once: the IMAP session object (not connected) and, when ret_smtp is not NULL,
 * the SMTP sender (*ret_smtp NULL when no [smtp] url is configured: replies
 * stay queued).  0, or -EINVAL with every problem in errs (nothing built).
 * Warnings (certificates not checked, no SMTP) are logged.
 */
int connect_new(const struct config *cfg, struct imap **ret_imap, struct smtp **ret_smtp,
		struct errlist *errs);

#endif
