/*
 * ctl_digest.c - complaintsctl digest [--to ADDRESS] [--send] [--html]:
 * the weekly digest as it would go today, printed (each team's, or one),
 * or with --send queued now for the daemon to deliver.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "case.h"
#include "conf.h"
#include "context.h"
#include "ctl.h"
#include "digest.h"
#include "store.h"
#include "util.h"

int
ctl_digest(struct context *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"to", required_argument, NULL, 't'},
		{"send", no_argument, NULL, 's'},
		{"html", no_argument, NULL, 'h'},
		{0},
	};
	const char *to = NULL;
	bool send = false, html = false;
	struct digest_set set = {.n = 0};
	struct case_ctx cx = {.store = ctx->store, .cfg = ctx->cfg, .cal = ctx->cal,
			      .rules = ctx->rules, .templates = ctx->templates, .now = time(NULL)};
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			to = optarg;
			break;
		case 's':
			send = true;
			break;
		case 'h':
			html = true;
			break;
		default:
			return CTL_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "complaintsctl digest: unexpected argument \"%s\"\n", argv[optind]);
		return CTL_EXIT_USAGE;
	}
	if (send && html) {
		fprintf(stderr, "complaintsctl digest: --html prints the HTML part; it does not go with --send\n");
		return CTL_EXIT_USAGE;
	}
	r = send ? store_begin(ctx->store) : 0;
	if (r == 0)
		r = digest_prepare(&cx, to, &set);
	if (r == -ENOENT) {
		if (send)
			store_rollback(ctx->store);
		fprintf(stderr, "complaintsctl digest: %s is neither a team address of [routing] nor [people] alerts_address\n",
			to);
		return CTL_EXIT_USAGE;
	}
	if (r == 0 && send)
		r = digest_queue(&cx, &set, false);
	if (r == 0 && send)
		r = store_commit(ctx->store);
	if (r < 0) {
		if (send)
			store_rollback(ctx->store);
		fprintf(stderr, "complaintsctl digest: %s\n",
			r == -EIO || r == -ENOSPC || r == -EROFS ? store_last_error(ctx->store)
								 : strerror(-r));
		digest_set_done(&set);
		return EXIT_FAILURE;
	}
	if (set.n == 0)
		printf("Nothing open%s%s: no digest to send\n", to ? " for " : "", to ? to : "");
	for (size_t i = 0; i < set.n; i++) {
		const struct digest_mail *m = &set.v[i];

		if (send) {
			printf("Queued for %s: %s\n", m->rcpt, m->subject);
			continue;
		}
		if (html) {
			fputs(m->html, stdout);
			continue;
		}
		printf("%sTo: %s\nSubject: %s\n\n%s", i > 0 ? "\n" : "", m->rcpt, m->subject,
		       m->text);
	}
	if (send && set.n > 0)
		printf("The daemon sends %s on its next round\n", set.n == 1 ? "it" : "them");
	digest_set_done(&set);
	return EXIT_SUCCESS;
}
