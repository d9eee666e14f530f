/*
 * case_event.c - a case's events: each change is written as an event row
 * (who, when, what) and logged with the case's journal fields.  Below every
 * other part of the case core: notifications, sender authentication and the
 * reply limit record through it without depending on the case machine.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>

#include "case_ctx.h"
#include "log.h"
#include "message.h"
#include "quote.h"
#include "store.h"
#include "util.h"

static int
case_event_va(const struct case_ctx *cx, const struct case_row *c, int priority,
	      const char *catalog_id, const char *actor, const char *type, const char *fmt,
	      va_list ap)
{
	_cleanup_free_ char *detail = xvasprintf(fmt, ap);

	log_fields(priority,
		   &(struct log_fields){.catalog_id = catalog_id, .case_ref = c->ref, .event = type,
					.stage = c->stage},
		   "%s: %s: %s", c->ref, type, detail);
	return store_event_add(cx->store, c->id, cx->now, actor, type, detail);
}

int
case_event(const struct case_ctx *cx, const struct case_row *c, const char *actor,
	   const char *type, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = case_event_va(cx, c, LOG_INFO, NULL, actor, type, fmt, ap);
	va_end(ap);
	return r;
}

/* A key event: logged with its catalogued MESSAGE_ID (systemd/complaintsd.catalog). */
int
case_event_key(const struct case_ctx *cx, const struct case_row *c, int priority,
	       const char *catalog_id, const char *type, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = case_event_va(cx, c, priority, catalog_id, "complaintsd", type, fmt, ap);
	va_end(ap);
	return r;
}

char *
case_own_text(const struct case_ctx *cx, const struct message *m)
{
	if (cx->own_text != NULL && cx->own_for == m)
		return xstrdup(cx->own_text);
	return quote_strip(m->body);
}
