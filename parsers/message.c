/*
 * message.c - RFC 5322 + MIME to a normalised message, on top of libetpan:
 * the entry point, the limits and the dump (headers in message_header.c, the
 * MIME walk in message_mime.c).
 *
 * Guarantees: limits are checked before libetpan sees the bytes (a cheap
 * pre-scan bounds its recursion) and again while walking the tree; every
 * string in the result is valid UTF-8 and header-derived strings hold no
 * control characters; the input buffer is only borrowed for the duration of
 * the call.  libetpan is used in the message_*.c files only.
 */
#include "config.h"

#include <errno.h>
#include <libetpan/libetpan.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "forward.h"
#include "message_impl.h"
#include "util.h"

const char *
msg_result_to_string(enum msg_result r)
{
	switch (r) {
	case MSG_OK:
		return "ok";
	case MSG_TOO_BIG:
		return "too_big";
	case MSG_TOO_DEEP:
		return "too_deep";
	case MSG_TOO_MANY_PARTS:
		return "too_many_parts";
	case MSG_HEADERS_TOO_BIG:
		return "headers_too_big";
	case MSG_MALFORMED:
		return "malformed";
	}
	return "unknown";
}

static size_t
header_length(const char *raw, size_t len)
{
	const char *end = raw + len, *q = raw;

	/* from line end to line end */
	while (q < end && (q = memchr(q, '\n', (size_t)(end - q))) != NULL) {
		if (q + 1 < end && (q[1] == '\n' || (q[1] == '\r' && q + 2 < end && q[2] == '\n')))
			return (size_t)(q - raw) + 1;
		q++;
	}
	return len;
}

/*
 * The first position from q on where "message/rfc822" or "boundary=" could
 * start (its '/' or '=' in place and the right first letter), else le.  The
 * '/' and '=' are found with memchr over the rest of the message, and a find
 * past the line is kept for the lines after it, so long lines of base64 or
 * text, and lines with neither, cost little; every position skipped could
 * not have matched either.
 */
struct markers {
	/* the next '=' and '/' at or after where they were last looked for; NULL: not looked for yet, end: none */
	const char *eq, *sl;
};

static const char *
next_marker(const char *q, const char *le, const char *end, struct markers *mk)
{
	for (;;) {
		const char *a, *b, *c;

		/* Each memchr starts past the last find used up: linear in the message. */
		if (mk->eq != end && (!mk->eq || mk->eq - 8 < q)) {
			mk->eq = q + 8 < end ? memchr(q + 8, '=', (size_t)(end - q - 8)) : NULL;
			mk->eq = mk->eq ? mk->eq : end;
		}
		if (mk->sl != end && (!mk->sl || mk->sl - 7 < q)) {
			mk->sl = q + 7 < end ? memchr(q + 7, '/', (size_t)(end - q - 7)) : NULL;
			mk->sl = mk->sl ? mk->sl : end;
		}
		a = mk->eq < le ? mk->eq - 8 : le;
		b = mk->sl < le ? mk->sl - 7 : le;
		c = a < b ? a : b;
		if (c >= le)
			return le;
		if ((c == a && (*c | 0x20) == 'b') || (c == b && (*c | 0x20) == 'm'))
			return c;
		q = c + 1;
	}
}

/* Cheap checks before libetpan sees the bytes: size, header size, nesting estimate. */
static enum msg_result
prescan(const char *raw, size_t len, const struct msg_limits *lim, char **reason)
{
	const char *p = raw, *end = raw + len;
	size_t hdr_len;
	struct {
		const char *b;
		size_t n;
	} *stack = NULL;
	size_t depth = 0, decls = 0, parts = 0;
	enum msg_result res = MSG_OK;
	struct markers mk = {NULL, NULL};

	if (len > lim->max_size) {
		*reason =
		    xasprintf("message of %zu bytes exceeds the limit of %zu", len, lim->max_size);
		return MSG_TOO_BIG;
	}
	hdr_len = header_length(raw, len);
	if (hdr_len > lim->max_header_bytes) {
		*reason = xasprintf("header section of %zu bytes exceeds the limit of %zu", hdr_len,
		                    lim->max_header_bytes);
		return MSG_HEADERS_TOO_BIG;
	}
	/* The first line must be a header field (an mbox "From " line is tolerated). */
	if (len >= 5 && memcmp(raw, "From ", 5) == 0) {
		const char *nl = memchr(raw, '\n', len);

		p = nl ? nl + 1 : end;
	}
	{
		const char *q = p;

		while (q<end && * q> ' ' && *q < 0x7f && *q != ':')
			q++;
		while (q < end && (*q == ' ' || *q == '\t') && q > p)
			q++;
		if (q == p || q >= end || *q != ':') {
			*reason = xstrdup("no RFC 5322 header section");
			return MSG_MALFORMED;
		}
	}
	stack = xcalloc(lim->max_depth + 2, sizeof(*stack));
	for (p = raw; p < end && res == MSG_OK;) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *le = eol ? eol : end;
		size_t ll = (size_t)(le - p);

		if (ll >= 2 && p[0] == '-' && p[1] == '-') {
			for (size_t i = depth; i-- > 0;) {
				if (ll >= 2 + stack[i].n &&
				    memcmp(p + 2, stack[i].b, stack[i].n) == 0) {
					bool close = ll >= 4 + stack[i].n &&
					             p[2 + stack[i].n] == '-' &&
					             p[3 + stack[i].n] == '-';

					depth = close ? i : i + 1;
					if (!close && ++parts > lim->max_parts) {
						*reason = xasprintf("more than %u MIME parts",
						                    lim->max_parts);
						res = MSG_TOO_MANY_PARTS;
					}
					break;
				}
			}
		}

		for (const char *q = p; q + 9 <= le && res == MSG_OK; q++) {
			const char *v;
			size_t n = 0;

			if ((q = next_marker(q, le, end, &mk)) + 9 > le)
				break;
			if ((*q == 'm' || *q == 'M') && q + 14 <= le &&
			    ascii_strncaseeq(q, "message/rfc822", 14)) {
				if (++decls > lim->max_parts) {
					*reason =
					    xasprintf("more than %u MIME parts", lim->max_parts);
					res = MSG_TOO_MANY_PARTS;
				}
				continue;
			}
			if ((*q != 'b' && *q != 'B') || !ascii_strncaseeq(q, "boundary=", 9))
				continue;
			v = q + 9;
			if (v < le && *v == '"') {
				v++;
				while (v + n < le && v[n] != '"') {
					if (v[n] == '\\') {
						*reason =
						    xstrdup("MIME boundary with a quoted-pair");
						res = MSG_MALFORMED;
						break;
					}
					n++;
				}
			} else
				while (v + n < le && v[n] != ';' && v[n] != ' ' && v[n] != '\t' &&
				       v[n] != '\r')
					n++;
			if (res != MSG_OK)
				break;
			if (++decls > lim->max_parts) {
				*reason = xasprintf("more than %u MIME parts", lim->max_parts);
				res = MSG_TOO_MANY_PARTS;
				break;
			}
			if (n == 0)
				continue;
			if (depth + 1 >= lim->max_depth) {
				*reason = xasprintf("MIME nesting deeper than %u", lim->max_depth);
				res = MSG_TOO_DEEP;
				break;
			}
			stack[depth].b = v;
			stack[depth].n = n;
			depth++;
			q = v + n - 1;
		}
		p = eol ? eol + 1 : end;
	}
	free(stack);
	return res;
}

static void
fill_empty(char **s)
{
	if (!*s)
		*s = xstrdup("");
}

enum msg_result
message_parse(const char *raw, size_t len, const struct msg_limits *lim, struct message **ret,
              char **ret_reason)
{
	static const struct msg_limits def = MSG_LIMITS_DEFAULT;
	struct walk w = {.lim = lim ? lim : &def};
	struct mailmime *mime = NULL;
	struct textsel ts = {.plain = BUF_INIT};
	struct message *m;
	char *reason = NULL;
	enum msg_result res;
	size_t idx = 0;
	const char *start = raw;
	_cleanup_free_ char *copy = NULL; /* freed after mime, which points into it */
	bool nul_note = false;
	size_t blen;
	int r;

	*ret = NULL;
	if (ret_reason)
		*ret_reason = NULL;
	if (!raw)
		len = 0, raw = "";
	res = len == 0 ? MSG_MALFORMED : prescan(raw, len, w.lim, &reason);
	if (len == 0)
		reason = xstrdup("empty message");
	if (res != MSG_OK)
		goto fail;
	if (len >= 5 && memcmp(raw, "From ", 5) == 0) {
		const char *nl = memchr(raw, '\n', len);

		start = nl ? nl + 1 : raw + len;
	}
	blen = len - (size_t)(start - raw);
	{
		/* libetpan cuts a header field at a NUL byte; blank them out in a copy. */
		size_t hlen = header_length(start, blen);

		if (memchr(start, '\0', hlen)) {
			copy = xmalloc(blen + 1);
			memcpy(copy, start, blen);
			for (size_t i = 0; i < hlen; i++)
				if (copy[i] == '\0')
					copy[i] = ' ';
			start = copy;
			nul_note = true;
		}
	}
	r = mailmime_parse(start, blen, &idx, &mime);
	if (r != MAILIMF_NO_ERROR || !mime || mime->mm_type != MAILMIME_MESSAGE ||
	    !mime->mm_data.mm_message.mm_fields ||
	    !clist_begin(mime->mm_data.mm_message.mm_fields->fld_list)) {
		res = MSG_MALFORMED;
		reason = xstrdup("no parsable header section");
		goto fail;
	}
	m = w.m = xcalloc(1, sizeof(*m));
	msg_collect_headers(m, mime->mm_data.mm_message.mm_fields);
	if (nul_note)
		msg_add_note(m, xstrdup("NUL bytes in the header section replaced by spaces"));
	msg_walk(&w, mime, 0, &ts, false);
	if (w.res != MSG_OK) {
		bool h;

		free(msg_textsel_finish(&ts, &h));
		message_free(m);
		res = w.res;
		reason = w.reason;
		goto fail;
	}
	m->body = msg_textsel_finish(&ts, &m->body_from_html);
	m->content_type =
	    msg_content_type_string(mime->mm_data.mm_message.mm_msg_mime
	                            ? mime->mm_data.mm_message.mm_msg_mime->mm_content_type
	                            : NULL);
	fill_empty(&m->from.name);
	fill_empty(&m->from.email);
	fill_empty(&m->reply_to.name);
	fill_empty(&m->reply_to.email);
	fill_empty(&m->return_path);
	fill_empty(&m->subject);
	fill_empty(&m->message_id);
	fill_empty(&m->in_reply_to);
	fill_empty(&m->auto_submitted);
	fill_empty(&m->precedence);
	fill_empty(&m->list_id);
	fill_empty(&m->dsn_original_message_id);
	fill_empty(&m->dsn_action);
	fill_empty(&m->dsn_status);
	fill_empty(&m->dsn_recipient);
	{
		const char *s = m->subject;
		bool fwd = startswith_nocase(s, "fw:") || startswith_nocase(s, "fwd:") ||
		           startswith_nocase(s, "fw :") || startswith_nocase(s, "wg:");

		forward_find_inline(m->body, fwd, &m->forwards, &m->n_forwards);
	}
	mailmime_free(mime);
	*ret = m;
	return MSG_OK;
fail:
	if (mime)
		mailmime_free(mime);
	if (ret_reason)
		*ret_reason = reason ? reason : xstrdup(msg_result_to_string(res));
	else
		free(reason);
	return res;
}

static void
addresses_free(struct msg_address *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		msg_address_free(&v[i]);
	free(v);
}

static void
strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
message_free(struct message *m)
{
	if (!m)
		return;
	msg_address_free(&m->from);
	msg_address_free(&m->reply_to);
	addresses_free(m->to, m->n_to);
	addresses_free(m->cc, m->n_cc);
	free(m->return_path);
	free(m->subject);
	free(m->message_id);
	free(m->in_reply_to);
	strv_free(m->references, m->n_references);
	free(m->auto_submitted);
	free(m->precedence);
	free(m->list_id);
	strv_free(m->auth_results, m->n_auth_results);
	free(m->content_type);
	free(m->dsn_original_message_id);
	free(m->dsn_action);
	free(m->dsn_status);
	free(m->dsn_recipient);
	free(m->body);
	for (size_t i = 0; i < m->n_attachments; i++) {
		free(m->attachments[i].filename);
		free(m->attachments[i].content_type);
		free(m->attachments[i].data);
	}
	free(m->attachments);
	for (size_t i = 0; i < m->n_forwards; i++) {
		msg_address_free(&m->forwards[i].from);
		free(m->forwards[i].subject);
		free(m->forwards[i].date);
		free(m->forwards[i].body);
	}
	free(m->forwards);
	strv_free(m->notes, m->n_notes);
	free(m);
}

static void
dump_time(struct buf *b, const char *key, time_t t)
{
	struct tm tm;
	char s[32];

	if (t == 0 || !gmtime_r(&t, &tm) || strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		(void)buf_printf(b, "%s: -\n", key);
	else
		(void)buf_printf(b, "%s: %s\n", key, s);
}

static void
dump_addr(struct buf *b, const char *key, const struct msg_address *a)
{
	if (isempty(a->name) && isempty(a->email))
		return;
	if (isempty(a->name))
		(void)buf_printf(b, "%s: <%s>\n", key, a->email ? a->email : "");
	else
		(void)buf_printf(b, "%s: %s <%s>\n", key, a->name, a->email ? a->email : "");
}

static void
dump_text(struct buf *b, const char *text, const char *indent)
{
	const char *p = text;

	while (p && *p) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if (n > 0)
			(void)buf_printf(b, "%s%.*s\n", indent, (int)n, p);
		else
			(void)buf_putc(b, '\n');
		p = e ? e + 1 : NULL;
	}
}

char *
message_dump(const struct message *m)
{
	struct buf b = BUF_INIT;

	dump_addr(&b, "from", &m->from);
	dump_addr(&b, "reply-to", &m->reply_to);
	for (size_t i = 0; i < m->n_to; i++)
		dump_addr(&b, "to", &m->to[i]);
	for (size_t i = 0; i < m->n_cc; i++)
		dump_addr(&b, "cc", &m->cc[i]);
	if (m->has_return_path)
		(void)buf_printf(&b, "return-path: <%s>\n", m->return_path);
	(void)buf_printf(&b, "subject: %s\n", m->subject);
	(void)buf_printf(&b, "message-id: %s\n", m->message_id);
	if (!isempty(m->in_reply_to))
		(void)buf_printf(&b, "in-reply-to: %s\n", m->in_reply_to);
	for (size_t i = 0; i < m->n_references; i++)
		(void)buf_printf(&b, "references: %s\n", m->references[i]);
	dump_time(&b, "date", m->date);
	dump_time(&b, "newest-received", m->newest_received);
	if (!isempty(m->auto_submitted))
		(void)buf_printf(&b, "auto-submitted: %s\n", m->auto_submitted);
	if (!isempty(m->precedence))
		(void)buf_printf(&b, "precedence: %s\n", m->precedence);
	if (!isempty(m->list_id))
		(void)buf_printf(&b, "list-id: %s\n", m->list_id);
	if (m->x_autoreply)
		(void)buf_puts(&b, "x-autoreply: yes\n");
	if (m->oof_hint)
		(void)buf_puts(&b, "oof-hint: yes\n");
	for (size_t i = 0; i < m->n_auth_results; i++)
		(void)buf_printf(&b, "authentication-results: %s\n", m->auth_results[i]);
	(void)buf_printf(&b, "content-type: %s\n", m->content_type);
	if (m->is_dsn)
		(void)buf_printf(
		    &b, "dsn: action=%s status=%s recipient=%s original-message-id=%s\n",
		    m->dsn_action, m->dsn_status, m->dsn_recipient, m->dsn_original_message_id);
	for (size_t i = 0; i < m->n_attachments; i++)
		(void)buf_printf(&b, "attachment: %s; %s; %zu bytes\n", m->attachments[i].filename,
		                 m->attachments[i].content_type, m->attachments[i].size);
	for (size_t i = 0; i < m->n_forwards; i++) {
		const struct msg_forward *f = &m->forwards[i];

		(void)buf_printf(&b, "forward: %s\n",
		                 f->inline_block ? "inline" : "message/rfc822");
		dump_addr(&b, "  from", &f->from);
		(void)buf_printf(&b, "  subject: %s\n", f->subject);
		(void)buf_printf(&b, "  date: %s\n", f->date);
		(void)buf_puts(&b, "  body:\n");
		dump_text(&b, f->body, "    ");
	}
	for (size_t i = 0; i < m->n_notes; i++)
		(void)buf_printf(&b, "note: %s\n", m->notes[i]);
	(void)buf_printf(&b, "body%s:\n", m->body_from_html ? " (from html)" : "");
	dump_text(&b, m->body, "  ");
	return buf_steal(&b);
}
