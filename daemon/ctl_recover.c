/*
 * ctl_recover.c - `complaintsctl recover [--dry-run]`: the recovery the
 * daemon runs at every start (daemon/recover.h), on request, saying each
 * step.  With --dry-run everything is done inside one transaction, said,
 * and rolled back: the database and the mailbox stay as they were (the
 * folders are only EXAMINEd), and nothing is sent (this program never sends).
 * On request, folders are read even in a new database, which is how a
 * store lost without a backup is rebuilt from the mailbox.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "connect.h"
#include "context.h"
#include "ctl.h"
#include "errlist.h"
#include "imap.h"
#include "intake.h"
#include "recover.h"
#include "store.h"
#include "util.h"

static void
say(const char *line, void *userdata)
{
	bool dry = *(bool *)userdata;

	printf("%s%s\n", dry ? "would: " : "", line);
}

/* An IMAP session for cfg, built as the daemon builds it (daemon/connect.c). */
static struct imap *
make_imap(const struct config *cfg)
{
	_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
	struct imap *im = NULL;

	if (connect_imap(cfg, &im, &errs) < 0) {
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "complaintsctl recover: %s\n", errs.v[i]);
		return NULL;
	}
	return im;
}

int
ctl_recover(struct context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{"dry-run", no_argument, NULL, 'n'},
		{},
	};
	const struct config *cfg = ctx->cfg;
	struct intake in = {
		.cfg = cfg,
		.store = ctx->store,
		.cal = ctx->cal,
		.rules = ctx->rules,
		.templates = ctx->templates,
		.limits = {(size_t)cfg->max_message_bytes, (unsigned)cfg->max_mime_depth,
			   (unsigned)cfg->max_mime_parts, (size_t)cfg->max_header_bytes},
	};
	bool dry = false;
	struct recover_opts ro = {.requested = true, .say = say, .userdata = &dry};
	struct recover_report rep;
	enum imap_result ir;
	struct imap *im;
	int c, store_error = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "n", options, NULL)) != -1) {
		if (c != 'n')
			return CTL_EXIT_USAGE;
		dry = true;
	}
	if (optind != argc) {
		fprintf(stderr, "Usage: complaintsctl recover [--dry-run]\n");
		return CTL_EXIT_USAGE;
	}
	ro.dry_run = dry;
	signal(SIGPIPE, SIG_IGN);
	if ((im = make_imap(cfg)) == NULL)
		return CTL_EXIT_USAGE;
	ir = imap_connect(im);
	if (ir == IMAP_OK)
		ir = imap_select(im, imap_mailbox(im), NULL, NULL, NULL);
	if (ir == IMAP_OK)
		ir = recover_run(&in, im, &ro, &rep, &store_error);
	if (ir != IMAP_OK) {
		fprintf(stderr, "complaintsctl recover: IMAP %s: %s; nothing changed\n",
			imap_result_to_string(ir), imap_last_error(im));
		imap_free(im);
		return EXIT_FAILURE;
	}
	imap_free(im);
	if (store_error < 0) {
		fprintf(stderr, "complaintsctl recover: database: %s; nothing changed\n",
			store_last_error(ctx->store));
		return EXIT_FAILURE;
	}
	printf("%s%zu folder(s) checked, %zu read, %zu message(s) compared; "
	       "%zu message(s) taken up again (%zu quarantined), %zu case(s) opened again with their references; "
	       "%zu sent mail(s) found and recorded as sent; %zu repl%s to send; %zu held\n",
	       dry ? "Dry run, nothing changed: " : "", rep.folders_checked, rep.folders_read,
	       rep.messages_read, rep.taken_up, rep.quarantined, rep.cases_reopened,
	       rep.replies_found, rep.replies_resent, rep.replies_resent == 1 ? "y" : "ies",
	       rep.replies_held);
	if (!dry && rep.replies_resent > 0)
		printf("The daemon sends the replies not found in the Sent folder on its next round.\n");
	return EXIT_SUCCESS;
}
