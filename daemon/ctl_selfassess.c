/*
 * ctl_selfassess.c - `complaintsctl self-assessment`: the annual
 * self-assessment against the Code of one scheme for a period, from the
 * provisions file beside the rules (data/provisions-SCHEME.conf) and the
 * annual report's figures for the same period and scheme.  Also the
 * provisions files' part of check-config.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "context.h"
#include "ctl.h"
#include "provisions.h"
#include "report.h"
#include "report_impl.h"
#include "routing.h"
#include "selfassess.h"
#include "util.h"

static const char *const schemes[] = {"lgsco", "housing"};

char *
ctl_provisions_path(const struct config *cfg, const char *scheme)
{
	const char *slash = strrchr(cfg->rules_file, '/');

	if (slash == NULL)
		return xasprintf("provisions-%s.conf", scheme);
	return xasprintf("%.*s/provisions-%s.conf", (int)(slash - cfg->rules_file), cfg->rules_file,
	                 scheme);
}

/* Read and parse path; 0, -ENOENT when it does not exist, or -EINVAL with errs. */
static int
load_provisions(const char *path, struct provisions *ret, struct errlist *errs)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0, cap = PROVISIONS_MAX_BYTES + 1;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		if (errno == ENOENT)
			return -ENOENT;
		errlist_add(errs, "%s: cannot read: %s", path, strerror(errno));
		return -EINVAL;
	}
	text = xmalloc(cap);
	while (len < cap && (n = read(fd, text + len, cap - len)) > 0)
		len += (size_t)n;
	if (n < 0) {
		errlist_add(errs, "%s: cannot read: %s", path, strerror(errno));
		close(fd);
		return -EINVAL;
	}
	close(fd);
	return provisions_parse(text, len, path, ret, errs);
}

void
ctl_check_provisions(const struct config *cfg, struct errlist *errs, struct errlist *notes)
{
	for (size_t i = 0; i < ELEMENTSOF(schemes); i++) {
		_cleanup_free_ char *path = ctl_provisions_path(cfg, schemes[i]);
		struct provisions pv;
		int r = load_provisions(path, &pv, errs);

		if (r == -ENOENT)
			errlist_add(notes, "%s: missing; self-assessment --scheme %s is unavailable", path,
			            schemes[i]);
		else if (r == 0)
			provisions_done(&pv);
	}
}

static int
write_all(const char *path, const struct buf *out)
{
	if (path == NULL)
		return fwrite(buf_str(out), 1, out->len, stdout) == out->len && fflush(stdout) == 0
		           ? 0
		           : -EIO;
	return ctl_write_file(path, buf_str(out), out->len, 0644);
}

int
ctl_selfassess(struct context *ctx, int argc, char **argv)
{
	static const char usage[] = "Usage: complaintsctl self-assessment --scheme lgsco|housing "
	                            "--from DATE --to DATE [--format text|csv|json|html] [--output "
	                            "FILE]\n";
	_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
	_cleanup_free_ char *error = NULL, *path = NULL;
	_cleanup_buf_ struct buf out = BUF_INIT;
	const struct routing_entry *def = NULL;
	struct report_options o;
	struct selfassess_config sc;
	struct report_params p = {0};
	struct report rep = {0};
	struct provisions pv;
	struct selfassess sa;
	char today[CAL_DATE_STRLEN];
	int r;

	if ((r = report_options_parse("self-assessment", argc, argv, &o)) != 0)
		return r;
	if (o.help) {
		fputs(usage, stdout);
		return EXIT_SUCCESS;
	}
	if (o.scheme == NULL || (!streq(o.scheme, "lgsco") && !streq(o.scheme, "housing"))) {
		fputs(usage, stderr);
		return CTL_EXIT_USAGE;
	}
	if (report_parse_period(o.from, o.to, &p.from, &p.to, &error) < 0) {
		fprintf(stderr, "complaintsctl self-assessment: %s\n", error);
		return CTL_EXIT_USAGE;
	}
	path = ctl_provisions_path(ctx->cfg, o.scheme);
	r = load_provisions(path, &pv, &errs);
	if (r == -ENOENT) {
		fprintf(stderr, "complaintsctl self-assessment: %s: no such file (the provisions of the "
		                "Code are shipped beside the rules file)\n",
		        path);
		return CTL_EXIT_USAGE;
	}
	if (r < 0) {
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.v[i]);
		return CTL_EXIT_USAGE;
	}

	/* the report's own parameters, as `report --scheme` sets them */
	p.scheme = o.scheme;
	report_params_configure(&p, ctx->cfg, today);
	r = report_compute(ctx->store, ctx->cal, &p, &rep, &error);
	if (r < 0) {
		fprintf(stderr, "complaintsctl self-assessment: %s\n", error ? error : strerror(-r));
		provisions_done(&pv);
		return EXIT_FAILURE;
	}

	for (size_t i = 0; i < ctx->cfg->n_routing; i++)
		if (streq(ctx->cfg->routing[i].name, "default"))
			def = &ctx->cfg->routing[i];
	sc = (struct selfassess_config){
	    .ack = {ctx->cfg->ts.stage1_ack_days, ctx->cfg->ts.stage2_ack_days},
	    .response = {ctx->cfg->ts.stage1_response_days, ctx->cfg->ts.stage2_response_days},
	    .extension = {ctx->cfg->ts.stage1_extension_days, ctx->cfg->ts.stage2_extension_days},
	    .late_months = ctx->cfg->ts.late_complaint_months,
	    .routing_default = def ? def->address : "",
	    .alerts_address = ctx->cfg->alerts_address ? ctx->cfg->alerts_address : "",
	};
	selfassess_build(&pv, &rep, &sc, &sa);
	switch (o.format) {
	case REPORT_CSV:
		selfassess_render_csv(&sa, &out);
		break;
	case REPORT_JSON:
		selfassess_render_json(&sa, &out);
		break;
	case REPORT_HTML:
		selfassess_render_html(&sa, p.generated, &out);
		break;
	default:
		selfassess_render_text(&sa, &out);
		break;
	}
	selfassess_done(&sa);
	report_done(&rep);
	provisions_done(&pv);
	r = write_all(o.output, &out);
	if (r < 0) {
		fprintf(stderr, "complaintsctl self-assessment: cannot write %s: %s\n",
		        o.output ? o.output : "the self-assessment", strerror(-r));
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
