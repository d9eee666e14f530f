/*
 * report.c - the annual complaints performance and service improvement
 * report: the period and options, loading and building, and
 * `complaintsctl report`.  The figures are computed in report_build.c and
 * rendered in report_text.c and report_html.c.
 *
 * Guarantees: every rendering shows exactly the figures of struct report, in
 * the same order; the HTML page is one self-contained file (inline CSS and
 * SVG, no scripts, no external references) in which every text that came from
 * the database is escaped.  How each figure is computed is documented in
 * report.h.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "context.h"
#include "json.h"
#include "report.h"
#include "report_impl.h"
#include "store.h"
#include "util.h"

#define EXIT_USAGE 2

/* ---- period and options */

int
report_parse_period(const char *from, const char *to, struct cal_date *ret_from,
                    struct cal_date *ret_to, char **ret_error)
{
	if (from == NULL || to == NULL) {
		*ret_error = xstrdup("both --from and --to are required (YYYY-MM-DD)");
		return -EINVAL;
	}
	if (cal_date_parse(from, ret_from) < 0) {
		*ret_error = xasprintf("--from \"%s\" is not a date (YYYY-MM-DD)", from);
		return -EINVAL;
	}
	if (cal_date_parse(to, ret_to) < 0) {
		*ret_error = xasprintf("--to \"%s\" is not a date (YYYY-MM-DD)", to);
		return -EINVAL;
	}
	if (cal_date_compare(*ret_from, *ret_to) > 0) {
		*ret_error = xasprintf("--from %s is after --to %s", from, to);
		return -EINVAL;
	}
	return 0;
}

int
report_format_from_string(const char *s, enum report_format *ret)
{
	static const char *const names[] = {"text", "csv", "json", "html"};

	for (size_t i = 0; i < ELEMENTSOF(names); i++)
		if (streq(s, names[i])) {
			*ret = (enum report_format)i;
			return 0;
		}
	return -EINVAL;
}

int
report_compute(struct store *s, const struct calendar *cal, const struct report_params *p,
               struct report *ret, char **ret_error)
{
	struct report_data d = {0};
	char from[CAL_DATE_STRLEN], to[CAL_DATE_STRLEN];
	/* a day either side covers every timezone's local dates */
	time_t lo = (time_t)cal_date_to_days(p->from) * 86400 - 86400;
	time_t hi = (time_t)cal_date_to_days(p->to) * 86400 + 2 * 86400;
	int r;

	if (cal_date_format(p->from, from) < 0 || cal_date_format(p->to, to) < 0) {
		*ret_error = xstrdup("the period is outside the calendar's range");
		return -EINVAL;
	}
	r = store_report_load(s, from, to, lo, hi, &d, ret_error);
	if (r < 0)
		return r;
	r = report_build(&d, cal, p, ret);
	report_data_done(&d);
	return r;
}

void
report_done(struct report *r)
{
	for (size_t i = 0; i < r->n_figures; i++) {
		free(r->figures[i].section);
		free(r->figures[i].measure);
		free(r->figures[i].label);
		free(r->figures[i].unit);
		free(r->figures[i].method);
		for (size_t k = 0; k < r->figures[i].n_refs; k++)
			free(r->figures[i].refs[k]);
		free(r->figures[i].refs);
	}
	for (size_t i = 0; i < r->n_improvements; i++) {
		free(r->improvements[i].date);
		free(r->improvements[i].ref);
		free(r->improvements[i].area);
		free(r->improvements[i].text);
	}
	free(r->figures);
	free(r->improvements);
	*r = (struct report){0};
}

const struct report_figure *
report_find(const struct report *r, const char *section, const char *measure)
{
	for (size_t i = 0; i < r->n_figures; i++)
		if (streq(r->figures[i].section, section) && streq(r->figures[i].measure, measure))
			return &r->figures[i];
	return NULL;
}

int
report_render(const struct report *r, enum report_format f, struct buf *out)
{
	switch (f) {
	case REPORT_TEXT:
		report_render_text(r, out);
		break;
	case REPORT_CSV:
		report_render_csv(r, out);
		break;
	case REPORT_JSON:
		report_render_json(r, out);
		break;
	case REPORT_HTML:
		report_render_html(r, out);
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

/* ---- complaintsctl report */

/* Write data to path through a temporary file and rename. */
static int
write_output(const char *path, const char *data, size_t len)
{
	_cleanup_free_ char *tmp = xasprintf("%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	int r = 0;

	if (f == NULL)
		return -errno;
	if (fwrite(data, 1, len, f) != len)
		r = -EIO;
	if (fclose(f) != 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}

int
report_options_parse(const char *verb, int argc, char **argv, struct report_options *ret)
{
	static const struct option opts[] = {
	    {"from", required_argument, NULL, 'f'},
	    {"to", required_argument, NULL, 't'},
	    {"format", required_argument, NULL, 'F'},
	    {"output", required_argument, NULL, 'o'},
	    {"scheme", required_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	*ret = (struct report_options){.format = REPORT_TEXT};
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1)
		switch (c) {
		case 'f':
			ret->from = optarg;
			break;
		case 't':
			ret->to = optarg;
			break;
		case 'F':
			if (report_format_from_string(optarg, &ret->format) < 0) {
				fprintf(stderr,
				        "complaintsctl %s: unknown format \"%s\" "
				        "(text, csv, json or html)\n",
				        verb, optarg);
				return EXIT_USAGE;
			}
			break;
		case 'o':
			ret->output = optarg;
			break;
		case 's':
			ret->scheme = optarg;
			break;
		case 'h':
			ret->help = true;
			return 0;
		default:
			fprintf(stderr, "complaintsctl %s: unknown or incomplete option \"%s\"\n", verb,
			        argv[optind - 1]);
			return EXIT_USAGE;
		}
	if (optind < argc) {
		fprintf(stderr, "complaintsctl %s: unexpected argument \"%s\"\n", verb, argv[optind]);
		return EXIT_USAGE;
	}
	return 0;
}

void
report_params_configure(struct report_params *p, const struct config *cfg,
                        char today[static CAL_DATE_STRLEN])
{
	struct cal_date td;

	p->council = cfg->council_name;
	p->stage1_ack_days = cfg->ts.stage1_ack_days;
	p->stage1_response_days = cfg->ts.stage1_response_days;
	p->stage2_response_days = cfg->ts.stage2_response_days;
	p->lgsco_name = cfg->lgsco.name;
	p->lgsco_url = cfg->lgsco.url;
	p->housing_name = cfg->housing.name;
	p->housing_url = cfg->housing.url;
	today[0] = '\0';
	if (report_local_date(time(NULL), &td) && cal_date_format(td, today) == 0) {
		p->generated = today;
		p->today = td;
	}
}

int
report_main(struct context *ctx, int argc, char **argv)
{
	_cleanup_free_ char *error = NULL;
	_cleanup_buf_ struct buf out = BUF_INIT;
	struct report_options o;
	struct report_params p = {0};
	struct report rep = {0};
	char today[CAL_DATE_STRLEN];
	int r;

	if ((r = report_options_parse("report", argc, argv, &o)) != 0)
		return r;
	if (o.help) {
		printf("Usage: complaintsctl report --from YYYY-MM-DD --to YYYY-MM-DD "
		       "[--scheme lgsco|housing] [--format text|csv|json|html] [--output "
		       "FILE]\n");
		return EXIT_SUCCESS;
	}
	if (o.scheme != NULL && !streq(o.scheme, "lgsco") && !streq(o.scheme, "housing")) {
		fprintf(stderr, "complaintsctl report: unknown scheme \"%s\" (lgsco or housing)\n",
		        o.scheme);
		return EXIT_USAGE;
	}
	if (report_parse_period(o.from, o.to, &p.from, &p.to, &error) < 0) {
		fprintf(stderr, "complaintsctl report: %s\n", error);
		return EXIT_USAGE;
	}
	p.scheme = o.scheme;
	report_params_configure(&p, ctx->cfg, today);

	r = report_compute(ctx->store, ctx->cal, &p, &rep, &error);
	if (r < 0) {
		fprintf(stderr, "complaintsctl report: %s\n", error ? error : strerror(-r));
		return EXIT_FAILURE;
	}
	r = report_render(&rep, o.format, &out);
	report_done(&rep);
	if (r < 0) {
		fprintf(stderr, "complaintsctl report: cannot render: %s\n", strerror(-r));
		return EXIT_FAILURE;
	}
	if (o.output != NULL) {
		r = write_output(o.output, buf_str(&out), out.len);
		if (r < 0) {
			fprintf(stderr, "complaintsctl report: cannot write %s: %s\n", o.output,
			        strerror(-r));
			return EXIT_FAILURE;
		}
		return EXIT_SUCCESS;
	}
	if (fwrite(buf_str(&out), 1, out.len, stdout) != out.len || fflush(stdout) != 0) {
		fprintf(stderr, "complaintsctl report: cannot write the report\n");
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
