/*
 * forwarded.c - officers forwarding residents' mail to open a case.  See
 * forwarded.h.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "case.h"
#include "forwarded.h"
#include "kinds.h"
#include "util.h"

/* The kind an officer's own words ask for (a line that is just the command), or -1. */
static int
command_kind(const char *own)
{
	for (const char *p = own; p && *p;) {
		size_t n = strcspn(p, "\n");
		_cleanup_free_ char *line = strstrip(xstrndup(p, n));

		if (ascii_strcaseeq(line, "#complaint"))
			return KIND_COMPLAINT;
		if (ascii_strcaseeq(line, "#service-request"))
			return KIND_SERVICE_REQUEST;
		p += n + (p[n] == '\n');
	}
	return -1;
}

/* The first forwarded message written by someone other than the officer. */
static const struct msg_forward *
forwarded_from_other(const struct message *m)
{
	for (size_t i = 0; i < m->n_forwards; i++)
		if (!isempty(m->forwards[i].from.email) &&
		    !ascii_strcaseeq(m->forwards[i].from.email, m->from.email))
			return &m->forwards[i];
	return NULL;
}

static int
open_for(const struct case_ctx *cx, const struct message *m, const struct msg_forward *fwd,
	 int kind, time_t received_at, struct case_row **ret)
{
	struct message inner = {0};
	time_t sent = 0;
	int r;

	/* the forwarded mail as if it had come straight to us */
	inner.from = fwd->from;
	inner.subject = !isempty(fwd->subject) ? fwd->subject : m->subject;
	inner.message_id = (char *)"";
	inner.in_reply_to = (char *)"";
	inner.body = fwd->body;
	inner.content_type = m->content_type;
	if (!isempty(fwd->date) && mail_date_parse(fwd->date, &sent) == 0 && sent > 0) {
		if (sent < received_at - FORWARDED_MAX_AGE)
			sent = received_at - FORWARDED_MAX_AGE;
		if (sent < received_at)
			received_at = sent;
	}
	r = case_open_kind(cx, &inner, ROLE_RESIDENT, received_at, NULL, kind, ret);
	if (r == 0)
		r = case_event(cx, *ret, m->from.email, "forwarded",
			       "opened from mail %s forwarded by %s",
			       isempty(fwd->from.email) ? "(unknown sender)" : fwd->from.email,
			       m->from.email);
	return r;
}

int
forwarded_open(const struct case_ctx *cx, const struct message *m, time_t received_at,
	       struct case_row **ret)
{
	_cleanup_free_ char *own = case_own_text(cx, m);
	const struct msg_forward *fwd = forwarded_from_other(m);
	int kind = command_kind(own);

	if (fwd == NULL || kind < 0)
		return -ENOENT;
	return open_for(cx, m, fwd, kind, received_at, ret);
}

int
forwarded_open_any(const struct case_ctx *cx, const struct message *m, time_t received_at,
		   struct case_row **ret)
{
	_cleanup_free_ char *own = case_own_text(cx, m);
	const struct msg_forward *fwd = forwarded_from_other(m);

	if (fwd == NULL)
		return -ENOENT;
	return open_for(cx, m, fwd, command_kind(own), received_at, ret);
}
