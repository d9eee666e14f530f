/*
 * message_mime.c - the MIME walk: transfer decoding, charsets, the choice of
 * the text body, attachments, forwarded messages and delivery reports.
 * Parts that are not read as text (attachments) are measured, not decoded.
 */
#include "config.h"

#include <errno.h>
#include <libetpan/libetpan.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "charset.h"
#include "forward.h"
#include "html.h"
#include "message_impl.h"
#include "util.h"


/*
 * Base64 by table: the value of each byte, B64_PAD for '=', B64_SPACE for
 * line breaks and blanks, B64_BAD for anything else.
 */
enum { B64_BAD = -1, B64_PAD = -2, B64_SPACE = -3 };
static signed char b64_table[256];
/* For counting: 1 for the alphabet, 0 for blanks and '=', 1 << 40 for anything else. */
#define B64_COUNT_MASK ((UINT64_C(1) << 40) - 1)
static uint64_t b64_count[256];

static void
b64_fill(void)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	memset(b64_table, B64_BAD, sizeof(b64_table));
	for (int i = 0; i < 64; i++)
		b64_table[(unsigned char)alphabet[i]] = (signed char)i;
	b64_table['\r'] = b64_table['\n'] = b64_table[' '] = b64_table['\t'] = B64_SPACE;
	for (int i = 0; i < 256; i++)
		b64_count[i] = b64_table[i] >= 0                    ? 1
			       : b64_table[i] == B64_BAD && i != '=' ? UINT64_C(1) << 40
								     : 0;
	b64_table['='] = B64_PAD;
}

/* Once per process, whichever thread parses first (sync.c parses on two). */
static void
b64_init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, b64_fill);
}

/*
 * Transfer decoding, done here rather than with mailmime_part_parse(): the
 * libetpan 1.9.4 quoted-printable decoder reads past the end of the part
 * when it ends in "=" plus one character.  Lenient like mail clients:
 * characters outside the alphabet are skipped, a broken "=" escape is kept.
 */
static void
transfer_decode(const char *in, size_t len, int encoding, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)in;

	if (encoding == MAILMIME_MECHANISM_BASE64) {
		unsigned long acc = 0;
		int bits = 0;
		/* at most 3 bytes out for 4 in: written in place when the cap allows */
		bool direct = buf_reserve(out, len / 4 * 3 + 3) == 0;
		size_t o = out->len;

		b64_init();
		for (size_t i = 0; i < len; i++) {
			int v = b64_table[p[i]];

			if (v < 0) {
				if (v == B64_PAD) {
					/* Padding ends a quantum; a later chunk starts afresh. */
					acc = 0;
					bits = 0;
				}
				continue;
			}
			acc = (acc << 6) | (unsigned long)v;
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				if (direct)
					out->data[o++] = (char)((acc >> bits) & 0xff);
				else
					(void)buf_putc(out, (char)((acc >> bits) & 0xff));
			}
		}
		if (direct) {
			out->len = o;
			out->data[o] = '\0';
		}
		return;
	}
	if (encoding != MAILMIME_MECHANISM_QUOTED_PRINTABLE) {
		(void)buf_append(out, in, len);
		return;
	}
	(void)buf_reserve(out, len);
	for (size_t i = 0; i < len; i++) {
		if (p[i] != '=') {
			(void)buf_putc(out, (char)p[i]);
			continue;
		}
		if (i + 2 < len && ascii_hexval((char)p[i + 1]) >= 0 && ascii_hexval((char)p[i + 2]) >= 0) {
			(void)buf_putc(
			    out, (char)(ascii_hexval((char)p[i + 1]) * 16 + ascii_hexval((char)p[i + 2])));
			i += 2;
			continue;
		}
		/* Soft line break: "=" then optional blanks then CRLF or LF (or the end). */
		size_t k = i + 1;

		while (k < len && (p[k] == ' ' || p[k] == '\t'))
			k++;
		if (k == len) {
			i = k;
			continue;
		}
		if (p[k] == '\n' || (p[k] == '\r' && k + 1 < len && p[k + 1] == '\n')) {
			i = p[k] == '\r' ? k + 1 : k;
			continue;
		}
		(void)buf_putc(out, '=');
	}
}

/*
 * The bytes of a single part with the transfer encoding undone.  Parts in an
 * identity encoding (7bit, 8bit, binary, none) are not copied: *ret points
 * into the message.  Otherwise *ret_owned holds the decoded copy (to free).
 */
static void
part_bytes(const struct mailmime *part, const char **ret, size_t *ret_len, char **ret_owned)
{
	const struct mailmime_data *d = part->mm_data.mm_single;
	struct buf b = BUF_INIT;

	*ret = "";
	*ret_len = 0;
	*ret_owned = NULL;
	if (!d || d->dt_type != MAILMIME_DATA_TEXT)
		return;
	if (d->dt_encoding != MAILMIME_MECHANISM_BASE64 &&
	    d->dt_encoding != MAILMIME_MECHANISM_QUOTED_PRINTABLE) {
		*ret = d->dt_data.dt_text.dt_data;
		*ret_len = d->dt_data.dt_text.dt_length;
		return;
	}
	transfer_decode(d->dt_data.dt_text.dt_data, d->dt_data.dt_text.dt_length, d->dt_encoding,
	                &b);
	*ret_len = b.len;
	*ret = *ret_owned = buf_steal(&b);
}

/*
 * The decoded size of a part that is not read as text (an attachment),
 * counted without decoding it, as transfer_decode() would produce it.
 * *ret_clean is false when base64 holds bytes outside its alphabet.
 */
static size_t
part_decoded_size(const struct mailmime *part, bool *ret_clean)
{
	const struct mailmime_data *d = part->mm_data.mm_single;
	const unsigned char *p;
	size_t len, n = 0;

	*ret_clean = true;
	if (!d || d->dt_type != MAILMIME_DATA_TEXT)
		return 0;
	p = (const unsigned char *)d->dt_data.dt_text.dt_data;
	len = d->dt_data.dt_text.dt_length;
	if (d->dt_encoding == MAILMIME_MECHANISM_QUOTED_PRINTABLE) {
		_cleanup_buf_ struct buf b = BUF_INIT;

		transfer_decode((const char *)p, len, d->dt_encoding, &b);
		return b.len;
	}
	if (d->dt_encoding != MAILMIME_MECHANISM_BASE64)
		return len;
	b64_init();
	/*
	 * Between two pads, k characters of the alphabet decode to 6k/8 bytes
	 * (a pad starts afresh); the characters are only counted here.
	 */
	{
		const unsigned char *end = p + len;
		uint64_t bad = 0;

		while (p < end) {
			const unsigned char *pad = memchr(p, '=', (size_t)(end - p));
			const unsigned char *stop = pad ? pad : end;
			/* low 40 bits: characters of the alphabet; above: bad bytes */
			uint64_t acc = 0;

			for (; p + 4 <= stop; p += 4)
				acc += b64_count[p[0]] + b64_count[p[1]] + b64_count[p[2]] +
				       b64_count[p[3]];
			for (; p < stop; p++)
				acc += b64_count[*p];
			n += (size_t)(acc & B64_COUNT_MASK) * 6 / 8;
			bad |= acc >> 40;
			p = pad ? pad + 1 : end;
		}
		if (bad)
			*ret_clean = false;
	}
	return n;
}

static void
lower_type(const struct mailmime_content *ct, struct buf *b)
{
	const struct mailmime_type *t = ct ? ct->ct_type : NULL;
	const char *major = "application";

	if (t && t->tp_type == MAILMIME_TYPE_DISCRETE_TYPE && t->tp_data.tp_discrete_type) {
		switch (t->tp_data.tp_discrete_type->dt_type) {
		case MAILMIME_DISCRETE_TYPE_TEXT:
			major = "text";
			break;
		case MAILMIME_DISCRETE_TYPE_IMAGE:
			major = "image";
			break;
		case MAILMIME_DISCRETE_TYPE_AUDIO:
			major = "audio";
			break;
		case MAILMIME_DISCRETE_TYPE_VIDEO:
			major = "video";
			break;
		case MAILMIME_DISCRETE_TYPE_APPLICATION:
			major = "application";
			break;
		case MAILMIME_DISCRETE_TYPE_EXTENSION:
			major = t->tp_data.tp_discrete_type->dt_extension;
			break;
		}
	} else if (t && t->tp_type == MAILMIME_TYPE_COMPOSITE_TYPE &&
	           t->tp_data.tp_composite_type) {
		switch (t->tp_data.tp_composite_type->ct_type) {
		case MAILMIME_COMPOSITE_TYPE_MESSAGE:
			major = "message";
			break;
		case MAILMIME_COMPOSITE_TYPE_MULTIPART:
			major = "multipart";
			break;
		case MAILMIME_COMPOSITE_TYPE_EXTENSION:
			major = t->tp_data.tp_composite_type->ct_token;
			break;
		}
	}
	(void)buf_printf(b, "%s/%s", major ? major : "application",
	                 ct && ct->ct_subtype ? ct->ct_subtype : "octet-stream");
	ascii_strlower(b->data);
}

char *
msg_content_type_string(const struct mailmime_content *ct)
{
	_cleanup_buf_ struct buf b = BUF_INIT;
	_cleanup_free_ char *raw = NULL;

	lower_type(ct, &b);
	raw = utf8_repair(buf_str(&b), b.len);
	return text_clean_line(raw);
}

/* Value of parameter name (case-insensitive) in a content-type or disposition list, or NULL. */
static const char *
param_get(clist *params, bool disposition, const char *name)
{
	for (clistiter *it = params ? clist_begin(params) : NULL; it; it = clist_next(it)) {
		const struct mailmime_parameter *pa;

		if (disposition) {
			const struct mailmime_disposition_parm *dp = clist_content(it);

			if (dp->pa_type != MAILMIME_DISPOSITION_PARM_PARAMETER)
				continue;
			pa = dp->pa_data.pa_parameter;
		} else
			pa = clist_content(it);
		if (pa && pa->pa_name && pa->pa_value && ascii_strcaseeq(pa->pa_name, name))
			return pa->pa_value;
	}
	return NULL;
}

/* Append an RFC 2231 section; the first extended one may carry charset'lang'. */
static void
rfc2231_append(struct buf *raw, const char *v, bool ext, bool first, char **charset)
{
	if (ext && first) {
		const char *q1 = strchr(v, '\''), *q2 = q1 ? strchr(q1 + 1, '\'') : NULL;

		if (q1 && q2) {
			*charset = xstrndup(v, (size_t)(q1 - v));
			v = q2 + 1;
		}
	}
	for (; *v; v++) {
		if (ext && *v == '%' && ascii_hexval(v[1]) >= 0 && ascii_hexval(v[2]) >= 0) {
			(void)buf_putc(raw, (char)(ascii_hexval(v[1]) * 16 + ascii_hexval(v[2])));
			v += 2;
		} else
			(void)buf_putc(raw, *v);
	}
}

/* Collect RFC 2231 "base*", "base*N", "base*N*" parameters into a UTF-8 value, or NULL. */
static char *
rfc2231_value(clist *params, bool disposition, const char *base)
{
	_cleanup_buf_ struct buf raw = BUF_INIT;
	_cleanup_free_ char *charset = NULL, *u = NULL;
	_cleanup_free_ char *single = xasprintf("%s*", base);
	const char *v;

	if ((v = param_get(params, disposition, single)))
		rfc2231_append(&raw, v, true, true, &charset);
	else
		for (unsigned sec = 0; sec < 100; sec++) {
			_cleanup_free_ char *plain = xasprintf("%s*%u", base, sec);
			_cleanup_free_ char *ext = xasprintf("%s*%u*", base, sec);

			if ((v = param_get(params, disposition, ext)))
				rfc2231_append(&raw, v, true, sec == 0, &charset);
			else if ((v = param_get(params, disposition, plain)))
				rfc2231_append(&raw, v, false, sec == 0, &charset);
			else if (sec > 0 || param_get(params, disposition, base))
				break;
			else
				break;
		}
	if (raw.len == 0)
		return NULL;
	u = charset_to_utf8(charset && *charset ? charset : "utf-8", buf_str(&raw), raw.len, NULL);
	return text_clean_line(u);
}

static char *
part_filename(const struct mailmime *part, const struct mailmime_single_fields *sf)
{
	char *name = NULL;

	if (sf->fld_disposition)
		name = rfc2231_value(sf->fld_disposition->dsp_parms, true, "filename");
	if (!name && sf->fld_disposition_filename)
		name = msg_decode_header(sf->fld_disposition_filename);
	if (!name && part->mm_content_type)
		name = rfc2231_value(part->mm_content_type->ct_parameters, false, "name");
	if (!name && sf->fld_content_name)
		name = msg_decode_header(sf->fld_content_name);
	if (name) {
		/* Strip surrounding quotes libetpan may leave, and any path. */
		size_t n = strlen(name);
		char *slash;

		if (n >= 2 && name[0] == '"' && name[n - 1] == '"') {
			memmove(name, name + 1, n - 2);
			name[n - 2] = '\0';
		}
		slash = strrchr(name, '/');
		if (!slash)
			slash = strrchr(name, '\\');
		if (slash)
			memmove(name, slash + 1, strlen(slash + 1) + 1);
	}
	return name;
}

static bool
is_bounce_sender(const struct msg_address *a)
{
	return a->email && (startswith_nocase(a->email, "mailer-daemon@") ||
	                    startswith_nocase(a->email, "postmaster@") ||
	                    ascii_strcaseeq(a->email, "mailer-daemon"));
}

/* Action/Status/Final-Recipient from a delivery-status body (first of each). */
static void
dsn_fields(struct message *m, const char *text)
{
	const char *p = text;

	while (p && *p) {
		const char *e = strchr(p, '\n');
		_cleanup_free_ char *line = xstrndup(p, e ? (size_t)(e - p) : strlen(p));
		const char *v;

		if ((v = startswith_nocase(line, "Action:")) && isempty(m->dsn_action))
			msg_set_str(&m->dsn_action, ascii_strlower(text_clean_line(v)));
		else if ((v = startswith_nocase(line, "Status:")) && isempty(m->dsn_status))
			msg_set_str(&m->dsn_status, text_clean_line(v));
		else if ((v = startswith_nocase(line, "Final-Recipient:")) &&
		         isempty(m->dsn_recipient)) {
			const char *semi = strchr(v, ';');
			_cleanup_free_ char *t = text_clean_line(semi ? semi + 1 : v);
			char *s = strstrip(t);

			if (*s == '<' && s[strlen(s) - 1] == '>') {
				s[strlen(s) - 1] = '\0';
				s++;
			}
			msg_set_str(&m->dsn_recipient, xstrdup(s));
			forward_lower_domain(m->dsn_recipient);
		}
		p = e ? e + 1 : NULL;
	}
}

static bool
base64_is_clean(const struct mailmime *part)
{
	const struct mailmime_data *d = part->mm_data.mm_single;

	if (!d || d->dt_encoding != MAILMIME_MECHANISM_BASE64 || d->dt_type != MAILMIME_DATA_TEXT)
		return true;
	b64_init();
	for (size_t i = 0; i < d->dt_data.dt_text.dt_length; i++)
		if (b64_table[(unsigned char)d->dt_data.dt_text.dt_data[i]] == B64_BAD)
			return false;
	return true;
}

char *
msg_textsel_finish(struct textsel *ts, bool *ret_from_html)
{
	char *res;

	*ret_from_html = false;
	if (ts->have_plain)
		res = text_clean_body_take(buf_steal(&ts->plain));
	else if (ts->html) {
		res = text_clean_body_take(html_to_text(ts->html));
		*ret_from_html = true;
	} else
		res = xstrdup("");
	buf_free(&ts->plain);
	free(ts->html);
	ts->html = NULL;
	return res;
}

/* A message/rfc822 part: a forward, or the returned message of a bounce. */
static void
walk_embedded(struct walk *w, const struct mailmime *mm, unsigned depth, bool returned)
{
	const struct mailimf_fields *f = mm->mm_data.mm_message.mm_fields;
	struct message *m = w->m;

	if (returned) {
		const struct mailimf_field *mid = msg_find_field(f, MAILIMF_FIELD_MESSAGE_ID);
		const char *opt;

		if (isempty(m->dsn_original_message_id)) {
			if (mid)
				msg_set_str(&m->dsn_original_message_id,
				        msg_clean_token(mid->fld_data.fld_message_id->mid_value));
			else if ((opt = msg_find_optional(f, "Message-ID")))
				msg_set_str(&m->dsn_original_message_id, msg_msgid_from_text(opt));
		}
		m->is_dsn = true;
		/* Attachments of the returned message do not matter; its structure still counts. */
		if (mm->mm_data.mm_message.mm_msg_mime) {
			struct textsel ts = {.plain = BUF_INIT};
			bool html;

			msg_walk(w, mm->mm_data.mm_message.mm_msg_mime, depth + 1, &ts, false);
			free(msg_textsel_finish(&ts, &html));
		}
		return;
	}

	struct msg_forward fw = {.inline_block = false};
	const struct mailimf_field *fld;
	struct textsel ts = {.plain = BUF_INIT};
	bool html;

	if ((fld = msg_find_field(f, MAILIMF_FIELD_FROM)) && fld->fld_data.fld_from->frm_mb_list &&
	    clist_begin(fld->fld_data.fld_from->frm_mb_list->mb_list))
		msg_address_from_mailbox(
		    clist_content(clist_begin(fld->fld_data.fld_from->frm_mb_list->mb_list)),
		    &fw.from);
	else if (msg_find_optional(f, "From")) {
		_cleanup_free_ char *d = msg_decode_header(msg_find_optional(f, "From"));

		forward_parse_address(d, &fw.from);
	} else {
		fw.from.name = xstrdup("");
		fw.from.email = xstrdup("");
	}
	if ((fld = msg_find_field(f, MAILIMF_FIELD_SUBJECT)))
		fw.subject = msg_decode_header(fld->fld_data.fld_subject->sbj_value);
	else
		fw.subject = msg_decode_header(msg_find_optional(f, "Subject"));
	{
		_cleanup_free_ char *d = NULL;

		if (mm->mm_body && mm->mm_body->dt_type == MAILMIME_DATA_TEXT)
			d = msg_raw_header_find(mm->mm_body->dt_data.dt_text.dt_data,
			                    mm->mm_body->dt_data.dt_text.dt_length, "Date");
		fw.date = d ? msg_decode_header(d) : xstrdup("");
	}
	if (mm->mm_data.mm_message.mm_msg_mime)
		msg_walk(w, mm->mm_data.mm_message.mm_msg_mime, depth + 1, &ts, false);
	fw.body = msg_textsel_finish(&ts, &html);
	m->forwards = xreallocarray(m->forwards, m->n_forwards + 1, sizeof(*m->forwards));
	m->forwards[m->n_forwards++] = fw;
}

/* len bytes of p (NULs allowed), NUL-terminated. */
static char *
bytes_copy(const char *p, size_t len)
{
	char *s = xmalloc(len + 1);

	memcpy(s, p, len);
	s[len] = '\0';
	return s;
}

static void
walk_single(struct walk *w, const struct mailmime *mm, struct textsel *ts, bool returned_ok)
{
	struct message *m = w->m;
	struct mailmime_single_fields sf;
	_cleanup_free_ char *type = msg_content_type_string(mm->mm_content_type);
	_cleanup_free_ char *filename = NULL, *owned = NULL;
	const char *dec = "";
	size_t dlen = 0;
	bool attachment, status, headers, text, clean = true;

	mailmime_single_fields_init(&sf, mm->mm_mime_fields, mm->mm_content_type);
	filename = part_filename(mm, &sf);
	attachment =
	    (sf.fld_disposition && sf.fld_disposition->dsp_type &&
	     sf.fld_disposition->dsp_type->dsp_type == MAILMIME_DISPOSITION_TYPE_ATTACHMENT) ||
	    (!isempty(filename) &&
	     !(sf.fld_disposition && sf.fld_disposition->dsp_type &&
	       sf.fld_disposition->dsp_type->dsp_type == MAILMIME_DISPOSITION_TYPE_INLINE));
	status = returned_ok && (streq(type, "message/delivery-status") ||
	                         streq(type, "message/global-delivery-status"));
	headers = returned_ok && (streq(type, "text/rfc822-headers") ||
	                          streq(type, "message/rfc822-headers") ||
	                          streq(type, "message/rfc822"));
	text = streq(type, "text/plain") || streq(type, "text/html");

	/* Only parts read as text are decoded; the others are measured. */
	if (status || headers || (text && !attachment) || w->lim->attachment_data) {
		part_bytes(mm, &dec, &dlen, &owned);
		clean = base64_is_clean(mm);
	} else
		dlen = part_decoded_size(mm, &clean);
	if (!clean)
		msg_add_note(m, xasprintf("invalid base64 in %s part, decoded leniently", type));

	if (status) {
		_cleanup_free_ char *t = utf8_repair(dec, dlen);

		dsn_fields(m, t);
		m->is_dsn = true;
	} else if (headers) {
		_cleanup_free_ char *id = msg_raw_header_find(dec, dlen, "Message-ID");

		if (id && isempty(m->dsn_original_message_id))
			msg_set_str(&m->dsn_original_message_id, msg_msgid_from_text(id));
		m->is_dsn = true;
	} else if (text && !attachment) {
		char *note = NULL;
		char *u = charset_to_utf8(sf.fld_content_charset, dec, dlen, &note);

		if (note)
			msg_add_note(m, note);
		if (streq(type, "text/plain")) {
			if (ts->have_plain) {
				(void)buf_puts(&ts->plain, "\n\n");
				(void)buf_puts(&ts->plain, u);
				free(u);
			} else {
				/* The first text part becomes the body buffer as it is. */
				size_t n = strlen(u);

				buf_free(&ts->plain);
				ts->plain = (struct buf){u, n, n + 1, 0};
			}
			ts->have_plain = true;
		} else if (!ts->html)
			ts->html = u;
		else
			free(u);
	} else if (!(ts->have_plain || ts->html) || attachment || !startswith(type, "text/")) {
		m->attachments =
		    xreallocarray(m->attachments, m->n_attachments + 1, sizeof(*m->attachments));
		m->attachments[m->n_attachments++] = (struct msg_attachment){
		    .filename = filename ? TAKE_PTR(filename) : xstrdup(""),
		    .content_type = xstrdup(type),
		    .size = dlen,
		    .data = w->lim->attachment_data ? bytes_copy(dec, dlen) : NULL,
		};
	}
}

void
msg_walk(struct walk *w, const struct mailmime *mm, unsigned depth, struct textsel *ts,
     bool returned_ok)
{
	if (w->res != MSG_OK || !mm)
		return;
	if (depth > w->lim->max_depth) {
		w->res = MSG_TOO_DEEP;
		w->reason = xasprintf("MIME nesting deeper than %u", w->lim->max_depth);
		return;
	}
	if (++w->parts > w->lim->max_parts) {
		w->res = MSG_TOO_MANY_PARTS;
		w->reason = xasprintf("more than %u MIME parts", w->lim->max_parts);
		return;
	}
	switch (mm->mm_type) {
	case MAILMIME_SINGLE:
		walk_single(w, mm, ts, returned_ok);
		break;
	case MAILMIME_MULTIPLE: {
		_cleanup_free_ char *type = msg_content_type_string(mm->mm_content_type);
		const char *rt = mailmime_content_param_get(mm->mm_content_type, "report-type");
		bool report = streq(type, "multipart/report");

		if (report && rt &&
		    (ascii_strcaseeq(rt, "delivery-status") ||
		     ascii_strcaseeq(rt, "global-delivery-status")))
			w->m->is_dsn = depth <= 1 ? true : w->m->is_dsn;
		if (mm->mm_data.mm_multipart.mm_mp_list == NULL ||
		    clist_begin(mm->mm_data.mm_multipart.mm_mp_list) == NULL)
			msg_add_note(w->m, xasprintf("%s without parts (missing boundary?)", type));
		for (clistiter *it = mm->mm_data.mm_multipart.mm_mp_list
		                         ? clist_begin(mm->mm_data.mm_multipart.mm_mp_list)
		                         : NULL;
		     it; it = clist_next(it))
			msg_walk(w, clist_content(it), depth + 1, ts,
			     returned_ok || (report && depth <= 1) ||
			         (depth <= 1 && is_bounce_sender(&w->m->from)));
		break;
	}
	case MAILMIME_MESSAGE:
		if (depth == 0)
			msg_walk(w, mm->mm_data.mm_message.mm_msg_mime, depth + 1, ts, false);
		else
			walk_embedded(w, mm, depth, returned_ok);
		break;
	default:
		break;
	}
}

/* Bytes up to and including the line break before the first empty line (all when none). */
