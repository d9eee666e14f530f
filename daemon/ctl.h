/*
 * ctl.h - complaintsctl's verbs that live outside complaintsctl.c: reading
 * a case file (ctl_case.c), exporting it (ctl_export.c), and checking the
 * connections to the mail servers (ctl_connection.c).  Each takes the
 * verb's own argv (argv[0] is the verb) and returns an exit code: 0
 * success, 1 runtime failure, 2 usage error.
 */
#ifndef COMPLAINTSD_CTL_H
#define COMPLAINTSD_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "json.h"
#include "message.h"
#include "store.h"

#define CTL_EXIT_USAGE 2

struct context;
struct config;

/* A stored message as a person reads it (what show, message and export print). */
struct ctl_msg {
	const struct stored_message *row;
	struct message *parsed; /* NULL when the source cannot be parsed (quarantined mail) */
	char *from;             /* sender's address */
	char *to;               /* recipients (To, then Cc), comma-separated */
	char *subject;          /* as sent (for our own mail, not the template's name) */
	const char *text;       /* the text body */
};
void ctl_msg_init(struct ctl_msg *v, const struct stored_message *row, const struct config *cfg);
void ctl_msg_done(struct ctl_msg *v);

/* The case's own fields (list --json and show --json). */
void ctl_case_json_fields(struct json *j, const struct case_row *c);
/* The whole show --json record of c: its fields, messages and events.  0 or -errno. */
int ctl_case_json(struct context *ctx, const struct case_row *c, struct json *j);
/* Find case ref, or print why not (to stderr) and return the exit code. */
int ctl_case_get(struct context *ctx, const char *verb, const char *ref, struct case_row **ret);

/* The arguments of casefile and export: REF and --output PATH (or --output=PATH),
 * in either order.  0, or what is wrong said on stderr (the usage line ends
 * "--output " usage) and CTL_EXIT_USAGE. */
int ctl_ref_output_args(const char *verb, const char *usage, int argc, char **argv,
                        const char **ret_ref, const char **ret_output);

int ctl_show(struct context *ctx, int argc, char **argv);
int ctl_message(struct context *ctx, int argc, char **argv);
int ctl_unattached(struct context *ctx, int argc, char **argv);
int ctl_file(struct context *ctx, int argc, char **argv);
int ctl_open(struct context *ctx, int argc, char **argv);
int ctl_export(struct context *ctx, int argc, char **argv);
/* The weekly digest, printed or queued (ctl_digest.c). */
int ctl_digest(struct context *ctx, int argc, char **argv);
int ctl_backup(struct context *ctx, int argc, char **argv);   /* ctl_backup.c */
int ctl_recover(struct context *ctx, int argc, char **argv);  /* ctl_recover.c */
/* oauth login|status (ctl_oauth.c) */
int ctl_oauth(struct context *ctx, int argc, char **argv);
/* The case file for an Ombudsman investigator (ctl_casefile.c). */
int ctl_casefile(struct context *ctx, int argc, char **argv);
/* The self-assessment against the Code (ctl_selfassess.c). */
int ctl_selfassess(struct context *ctx, int argc, char **argv);
/* data/provisions-SCHEME.conf beside the rules file; malloc'ed. */
char *ctl_provisions_path(const struct config *cfg, const char *scheme);
/* check-config: both schemes' provisions files (a missing one is a note). */
struct errlist;
void ctl_check_provisions(const struct config *cfg, struct errlist *errs, struct errlist *notes);
/* check-connection (ctl_connection.c): log in to IMAP and SMTP as the daemon does. */
int ctl_check_connection(struct context *ctx, int argc, char **argv);

/* Write data to path whole: a temporary file beside it (mode), fsync, rename.  0 or -errno. */
int ctl_write_file(const char *path, const char *data, size_t len, mode_t mode);

#endif
