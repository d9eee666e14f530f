/*
 * mailconn.h - the mail server sessions a configuration describes: the IMAP
 * session and the SMTP sender, with their credentials read from the
 * credential files.  complaintsd and `complaintsctl check-connection` both
 * build them here, so the check logs in exactly as the daemon does.
 *
 * Nothing is connected yet; secrets are wiped from memory once the adapter
 * has its copy and never appear in an error text.
 */
#ifndef COMPLAINTSD_MAILCONN_H
#define COMPLAINTSD_MAILCONN_H

struct config;
struct imap;
struct smtp;

/* The IMAP session for cfg: 0, or -EINVAL with *ret_error (malloc'ed) saying why. */
int mailconn_imap(const struct config *cfg, struct imap **ret, char **ret_error);

/*
 * The SMTP sender for cfg: 0 with *ret NULL when [smtp] url is empty (no
 * sending), 0 with the sender, or -EINVAL with *ret_error (malloc'ed).
 */
int mailconn_smtp(const struct config *cfg, struct smtp **ret, char **ret_error);

#endif
