/*
 * context.h - what both programs load at start: configuration, calendar,
 * classification rules and the store.  Loading reports every problem (with
 * file and line) through an errlist, which is what `check-config` prints.
 */
#ifndef COMPLAINTSD_CONTEXT_H
#define COMPLAINTSD_CONTEXT_H

#include "errlist.h"

struct config;
struct calendar;
struct rules;
struct store;
struct template_set;

struct context {
	struct config *cfg;
	struct calendar *cal;
	struct rules *rules;
	struct template_set *templates;
	struct store *store;
};

/* Load the configuration and everything it names: calendar, rules, templates (not the
 * store).  0 or -EINVAL. */
int context_load(struct context *ctx, const char *config_path, struct errlist *errs);
/* Open (and migrate) the database named in the configuration. */
int context_open_store(struct context *ctx, char **ret_error);
void context_done(struct context *ctx);

#endif
