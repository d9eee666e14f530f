/*
 * context.c - load configuration, calendar, rules and store.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "calendar.h"
#include "conf.h"
#include "context.h"
#include "rules.h"
#include "rules_cache.h"
#include "store.h"
#include "template.h"
#include "util.h"

/* glibc quietly falls back to UTC for a name it does not know: check the zone file. */
static bool
timezone_known(const char *tz)
{
	_cleanup_free_ char *path = NULL;

	if (tz[0] == '/' || strstr(tz, "..") != NULL)
		return false;
	path = xasprintf("/usr/share/zoneinfo/%s", tz);
	return access(path, R_OK) == 0;
}

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
	if (calendar_set_timezone(ctx->cal, ctx->cfg->timezone) < 0 || !timezone_known(ctx->cfg->timezone))
		errlist_add(errs, "%s: council.timezone: unknown timezone \"%s\"", config_path,
			    ctx->cfg->timezone);
	if (calendar_set_working_hours(ctx->cal, ctx->cfg->working_hours) < 0)
		errlist_add(errs, "%s: council.working_hours: expected HH:MM-HH:MM with opening before closing, got \"%s\"",
			    config_path, ctx->cfg->working_hours);
	(void)calendar_load_holidays(ctx->cal, ctx->cfg->holidays_file, errs);
	if (!isempty(ctx->cfg->closures_file))
		(void)calendar_load_holidays(ctx->cal, ctx->cfg->closures_file, errs);
	{
		/* compiled patterns are kept beside the database (the state directory) */
		_cleanup_free_ char *dir = xstrdup(ctx->cfg->database);
		char *slash = strrchr(dir, '/');

		if (slash != NULL)
			*(slash == dir ? slash + 1 : slash) = '\0';
		(void)rules_load_cached(ctx->cfg->rules_file, slash ? dir : ".", &ctx->rules, errs);
	}
	{
		/* the shipped texts, overridden file by file by the council's own */
		const char *dirs[] = {DATADIR "/templates", ctx->cfg->templates_dir, NULL};

		if (streq(dirs[0], dirs[1]) || access(dirs[0], R_OK) < 0)
			dirs[0] = dirs[1], dirs[1] = NULL;
		(void)template_load_dirs(dirs, &ctx->templates, errs);
	}
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
	template_set_free(ctx->templates);
	calendar_free(ctx->cal);
	config_free(ctx->cfg);
	*ctx = (struct context){0};
}
