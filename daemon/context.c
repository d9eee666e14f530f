/*
 * context.c - load configuration, calendar, rules and store.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "calendar.h"
#include "conf.h"
#include "context.h"
#include "rules.h"
#include "store.h"
#include "util.h"

int
context_load(struct context *ctx, const char *config_path, struct errlist *errs)
{
	size_t before = errs->n;
	int r;

	*ctx = (struct context){0};
	r = config_load(config_path, &ctx->cfg, errs);
	if (r < 0)
		return r;

	/* All local-time arithmetic (calendar) follows the council's timezone. */
	setenv("TZ", ctx->cfg->timezone, 1);
	tzset();

	ctx->cal = calendar_new();
	if (calendar_set_working_hours(ctx->cal, ctx->cfg->working_hours) < 0)
		errlist_add(errs, "%s: council.working_hours: expected HH:MM-HH:MM with opening before closing, got \"%s\"",
			    config_path, ctx->cfg->working_hours);
	(void)calendar_load_holidays(ctx->cal, ctx->cfg->holidays_file, errs);
	if (!isempty(ctx->cfg->closures_file))
		(void)calendar_load_holidays(ctx->cal, ctx->cfg->closures_file, errs);
	(void)rules_load(ctx->cfg->rules_file, &ctx->rules, errs);
	return errs->n > before ? -EINVAL : 0;
}

int
context_open_store(struct context *ctx, char **ret_error)
{
	return store_open(ctx->cfg->database, &ctx->store, ret_error);
}

void
context_done(struct context *ctx)
{
	store_free(ctx->store);
	rules_free(ctx->rules);
	calendar_free(ctx->cal);
	config_free(ctx->cfg);
	*ctx = (struct context){0};
}
