/*
 * message.c - RFC 5322 + MIME to a normalised message, on top of libetpan.
 *
 * Guarantees: limits are checked before libetpan sees the bytes (a cheap
 * pre-scan bounds its recursion) and again while walking the tree; every
 * string in the result is valid UTF-8 and header-derived strings hold no
 * control characters; the input buffer is only borrowed for the duration of
 * the call.  libetpan is used in this file only.
 */
#include "config.h"

#include <errno.h>
#include <libetpan/libetpan.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "charset.h"
#include "forward.h"
#include "html.h"
#include "message.h"
#include "util.h"

struct walk {
	const struct msg_limits *lim;
	struct message *m;
	unsigned parts;
	enum msg_result res;
	char *reason;
};

/* Text body candidates of one message level (top level or a message/rfc822 part). */
struct textsel {
	struct buf plain;
	bool have_plain;
	char *html;
};

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

static void
add_note(struct message *m, char *note)
{
	for (size_t i = 0; i < m->n_notes; i++)
		if (streq(m->notes[i], note)) {
			free(note);
			return;
		}
	m->notes = xreallocarray(m->notes, m->n_notes + 1, sizeof(char *));
	m->notes[m->n_notes++] = note;
}

static void
strv_add(char ***v, size_t *n, char *s)
{
	*v = xreallocarray(*v, *n + 1, sizeof(char *));
	(*v)[(*n)++] = s;
}

/* A raw header value (may hold RFC 2047 words, 8-bit bytes, folding) as one clean UTF-8 line. */
static char *
decode_header(const char *raw)
{
	_cleanup_free_ char *out = NULL;
	_cleanup_free_ char *fixed = NULL;
	size_t idx = 0, len;
	int r;

	if (!raw)
		return xstrdup("");
	len = strlen(raw);
	r = mailmime_encoded_phrase_parse(utf8_valid(raw, len) ? "utf-8" : "windows-1252", raw, len,
	                                  &idx, "utf-8", &out);
	if (r != MAILIMF_NO_ERROR || !out) {
		free(out);
		out = NULL;
		fixed = charset_to_utf8(utf8_valid(raw, len) ? "utf-8" : "windows-1252", raw, len,
		                        NULL);
	} else
		fixed = utf8_repair(out, strlen(out));
	return text_clean_line(fixed);
}

/* A structured token (message-id, addr-spec): valid UTF-8, no controls. */
static char *
clean_token(const char *raw)
{
	_cleanup_free_ char *fixed = NULL;

	if (!raw)
		return xstrdup("");
	fixed = utf8_repair(raw, strlen(raw));
	return text_clean_line(fixed);
}

static void
set_str(char **dst, char *val)
{
	free(*dst);
	*dst = val;
}

static void
address_from_mailbox(const struct mailimf_mailbox *mb, struct msg_address *a)
{
	a->name = decode_header(mb->mb_display_name);
	a->email = clean_token(mb->mb_addr_spec);
	forward_lower_domain(a->email);
}

static void
address_free(struct msg_address *a)
{
	free(a->name);
	free(a->email);
	a->name = a->email = NULL;
}

static void
addresses_from_list(const struct mailimf_address_list *al, struct msg_address **v, size_t *n)
{
	if (!al || !al->ad_list)
		return;
	for (clistiter *it = clist_begin(al->ad_list); it; it = clist_next(it)) {
		const struct mailimf_address *ad = clist_content(it);
		clist *mbs = NULL;

		if (ad->ad_type == MAILIMF_ADDRESS_MAILBOX && ad->ad_data.ad_mailbox) {
			*v = xreallocarray(*v, *n + 1, sizeof(**v));
			address_from_mailbox(ad->ad_data.ad_mailbox, &(*v)[(*n)++]);
			continue;
		}
		if (ad->ad_type == MAILIMF_ADDRESS_GROUP && ad->ad_data.ad_group &&
		    ad->ad_data.ad_group->grp_mb_list)
			mbs = ad->ad_data.ad_group->grp_mb_list->mb_list;
		for (clistiter *j = mbs ? clist_begin(mbs) : NULL; j; j = clist_next(j)) {
			*v = xreallocarray(*v, *n + 1, sizeof(**v));
			address_from_mailbox(clist_content(j), &(*v)[(*n)++]);
		}
	}
}

static time_t
date_from_etpan(const struct mailimf_date_time *d)
{
	struct tm tm = {0};
	int year = d->dt_year, z = d->dt_zone, sign = z < 0 ? -1 : 1;
	time_t t;

	if (year < 50)
		year += 2000;
	else if (year < 1000)
		year += 1900;
	/* libetpan takes any run of digits as the zone: +HHMM has four */
	if (d->dt_month < 1 || d->dt_month > 12 || d->dt_day < 1 || d->dt_day > 31 ||
	    d->dt_hour > 23 || d->dt_min > 59 || d->dt_sec > 60 || year > 9999 || z < -9959 ||
	    z > 9959)
		return 0;
	tm.tm_year = year - 1900;
	tm.tm_mon = d->dt_month - 1;
	tm.tm_mday = d->dt_day;
	tm.tm_hour = d->dt_hour;
	tm.tm_min = d->dt_min;
	tm.tm_sec = d->dt_sec;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return 0;
	z = z * sign;
	return t - sign * (z / 100 * 3600 + z % 100 * 60);
}

static const char *
skip_cfws(const char *p)
{
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n' || *p == ',')
			p++;
		if (*p != '(')
			return p;
		int depth = 0;
		for (; *p; p++) {
			if (*p == '(')
				depth++;
			else if (*p == ')' && --depth == 0) {
				p++;
				break;
			}
		}
	}
}

int
mail_date_parse(const char *s, time_t *ret)
{
	static const char months[] = "janfebmaraprmayjunjulaugsepoctnovdec";
	static const struct {
		const char *name;
		int offset; /* minutes */
	} zones[] = {
	    {"ut", 0},     {"utc", 0},    {"gmt", 0},    {"z", 0},      {"est", -300},
	    {"edt", -240}, {"cst", -360}, {"cdt", -300}, {"mst", -420}, {"mdt", -360},
	    {"pst", -480}, {"pdt", -420}, {"bst", 60},   {"cet", 60},   {"cest", 120},
	};
	struct tm tm = {0};
	const char *p;
	long day, year, hh, mm, ss = 0;
	int mon = -1, offset = 0;
	char *end;
	time_t t;

	if (!s || !ret)
		return -EINVAL;
	p = skip_cfws(s);
	/* Optional day name. */
	if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')) {
		while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || *p == '.')
			p++;
		p = skip_cfws(p);
	}
	if (*p < '0' || *p > '9')
		return -EINVAL;
	day = strtol(p, &end, 10);
	p = skip_cfws(end);
	if (*p == '-')
		p++;
	for (int i = 0; i < 12; i++)
		if (ascii_strncaseeq(p, months + 3 * i, 3)) {
			mon = i;
			break;
		}
	if (mon < 0)
		return -EINVAL;
	while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || *p == '.')
		p++;
	p = skip_cfws(p);
	if (*p == '-')
		p++;
	if (*p < '0' || *p > '9')
		return -EINVAL;
	year = strtol(p, &end, 10);
	if (end - p <= 2 && year < 50)
		year += 2000;
	else if (end - p <= 3 && year < 1000)
		year += 1900;
	p = skip_cfws(end);
	if (*p < '0' || *p > '9')
		return -EINVAL;
	hh = strtol(p, &end, 10);
	p = end;
	if (*p != ':' && *p != '.')
		return -EINVAL;
	p++;
	if (*p < '0' || *p > '9')
		return -EINVAL;
	mm = strtol(p, &end, 10);
	p = end;
	if (*p == ':' || *p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -EINVAL;
		ss = strtol(p, &end, 10);
		p = end;
	}
	p = skip_cfws(p);
	if (*p == '+' || *p == '-') {
		int sign = *p == '-' ? -1 : 1;
		int digits = 0;
		long z = 0;

		for (p++; *p >= '0' && *p <= '9' && digits < 4; p++, digits++)
			z = z * 10 + (*p - '0');
		if (digits == 4)
			offset = sign * (int)(z / 100 * 60 + z % 100);
		else if (digits == 2 || digits == 1)
			offset = sign * (int)(z * 60);
	} else if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')) {
		size_t n = 0;

		while (((p[n] >= 'A' && p[n] <= 'Z') || (p[n] >= 'a' && p[n] <= 'z')) && n < 8)
			n++;
		for (size_t i = 0; i < ELEMENTSOF(zones); i++)
			if (strlen(zones[i].name) == n && ascii_strncaseeq(p, zones[i].name, n))
				offset = zones[i].offset;
		/* Military and unknown zones: RFC 5322 says treat as -0000. */
	}
	if (day < 1 || day > 31 || year < 1900 || year > 9999 || hh < 0 || hh > 23 || mm < 0 ||
	    mm > 59 || ss < 0 || ss > 60)
		return -EINVAL;
	tm.tm_year = (int)year - 1900;
	tm.tm_mon = mon;
	tm.tm_mday = (int)day;
	tm.tm_hour = (int)hh;
	tm.tm_min = (int)mm;
	tm.tm_sec = (int)ss;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return -EINVAL;
	*ret = t - (time_t)offset * 60;
	return 0;
}

/* Find header name in a raw header section (unfolded, malloc'ed) or NULL. */
static char *
raw_header_find(const char *p, size_t len, const char *name)
{
	size_t nlen = strlen(name);
	const char *end = p + len;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *line_end = eol ? eol : end;

		if (line_end == p || (line_end == p + 1 && *p == '\r'))
			return NULL; /* end of headers */
		if ((size_t)(line_end - p) > nlen && p[nlen] == ':' &&
		    ascii_strncaseeq(p, name, nlen)) {
			struct buf b = BUF_INIT;
			const char *v = p + nlen + 1;

			for (;;) {
				(void)buf_append(&b, v, (size_t)(line_end - v));
				if (!eol || eol + 1 >= end || (eol[1] != ' ' && eol[1] != '\t'))
					break;
				v = eol + 1;
				eol = memchr(v, '\n', (size_t)(end - v));
				line_end = eol ? eol : end;
			}
			return buf_steal(&b);
		}
		if (!eol)
			break;
		p = eol + 1;
	}
	return NULL;
}

static const char *
find_optional(const struct mailimf_fields *f, const char *name)
{
	if (!f || !f->fld_list)
		return NULL;
	for (clistiter *it = clist_begin(f->fld_list); it; it = clist_next(it)) {
		const struct mailimf_field *fld = clist_content(it);

		if (fld->fld_type == MAILIMF_FIELD_OPTIONAL_FIELD &&
		    ascii_strcaseeq(fld->fld_data.fld_optional_field->fld_name, name))
			return fld->fld_data.fld_optional_field->fld_value;
	}
	return NULL;
}

static const struct mailimf_field *
find_field(const struct mailimf_fields *f, int type)
{
	if (!f || !f->fld_list)
		return NULL;
	for (clistiter *it = clist_begin(f->fld_list); it; it = clist_next(it)) {
		const struct mailimf_field *fld = clist_content(it);

		if (fld->fld_type == type)
			return fld;
	}
	return NULL;
}

/* "<a@b>" or "a@b" (first id only) without brackets. */
static char *
msgid_from_text(const char *raw)
{
	_cleanup_free_ char *t = clean_token(raw);
	char *s = strstrip(t), *lt = strchr(s, '<'), *gt;

	if (lt && (gt = strchr(lt, '>'))) {
		*gt = '\0';
		return xstrdup(lt + 1);
	}
	s[strcspn(s, " \t")] = '\0';
	return xstrdup(s);
}

/* Every <id> of a References field libetpan could not parse. */
static void
references_from_text(struct message *m, const char *raw)
{
	_cleanup_free_ char *t = clean_token(raw);
	char *p = t, *lt, *gt;

	while ((lt = strchr(p, '<')) && (gt = strchr(lt, '>'))) {
		if (gt > lt + 1)
			strv_add(&m->references, &m->n_references,
			         xstrndup(lt + 1, (size_t)(gt - lt - 1)));
		p = gt + 1;
	}
}

/* The header fields of the top-level message. */
static void
collect_headers(struct message *m, const struct mailimf_fields *fields)
{
	bool have_date = false;

	for (clistiter *it = fields && fields->fld_list ? clist_begin(fields->fld_list) : NULL; it;
	     it = clist_next(it)) {
		const struct mailimf_field *f = clist_content(it);

		switch (f->fld_type) {
		case MAILIMF_FIELD_FROM:
			if (!m->from.email && f->fld_data.fld_from->frm_mb_list &&
			    clist_begin(f->fld_data.fld_from->frm_mb_list->mb_list))
				address_from_mailbox(
				    clist_content(
				        clist_begin(f->fld_data.fld_from->frm_mb_list->mb_list)),
				    &m->from);
			break;
		case MAILIMF_FIELD_REPLY_TO:
			if (!m->reply_to.email) {
				struct msg_address *v = NULL;
				size_t n = 0;

				addresses_from_list(f->fld_data.fld_reply_to->rt_addr_list, &v, &n);
				if (n > 0) {
					m->reply_to = v[0];
					for (size_t i = 1; i < n; i++)
						address_free(&v[i]);
				}
				free(v);
			}
			break;
		case MAILIMF_FIELD_TO:
			addresses_from_list(f->fld_data.fld_to->to_addr_list, &m->to, &m->n_to);
			break;
		case MAILIMF_FIELD_CC:
			addresses_from_list(f->fld_data.fld_cc->cc_addr_list, &m->cc, &m->n_cc);
			break;
		case MAILIMF_FIELD_RETURN_PATH:
			if (!m->has_return_path) {
				const struct mailimf_path *path =
				    f->fld_data.fld_return_path->ret_path;

				m->has_return_path = true;
				set_str(&m->return_path,
				        clean_token(path && path->pt_addr_spec ? path->pt_addr_spec
				                                               : ""));
			}
			break;
		case MAILIMF_FIELD_SUBJECT:
			if (!m->subject)
				m->subject = decode_header(f->fld_data.fld_subject->sbj_value);
			break;
		case MAILIMF_FIELD_MESSAGE_ID:
			if (!m->message_id)
				m->message_id = clean_token(f->fld_data.fld_message_id->mid_value);
			break;
		case MAILIMF_FIELD_IN_REPLY_TO:
			if (!m->in_reply_to && f->fld_data.fld_in_reply_to->mid_list &&
			    clist_begin(f->fld_data.fld_in_reply_to->mid_list))
				m->in_reply_to = clean_token(clist_content(
				    clist_begin(f->fld_data.fld_in_reply_to->mid_list)));
			break;
		case MAILIMF_FIELD_REFERENCES:
			if (m->n_references == 0 && f->fld_data.fld_references->mid_list)
				for (clistiter *j =
				         clist_begin(f->fld_data.fld_references->mid_list);
				     j; j = clist_next(j))
					strv_add(&m->references, &m->n_references,
					         clean_token(clist_content(j)));
			break;
		case MAILIMF_FIELD_ORIG_DATE:
			if (!have_date) {
				m->date = date_from_etpan(f->fld_data.fld_orig_date->dt_date_time);
				have_date = true;
			}
			break;
		case MAILIMF_FIELD_OPTIONAL_FIELD: {
			const char *name = f->fld_data.fld_optional_field->fld_name;
			const char *value = f->fld_data.fld_optional_field->fld_value;
			time_t t;

			if (ascii_strcaseeq(name, "Received")) {
				const char *semi = strrchr(value, ';');

				if (semi && mail_date_parse(semi + 1, &t) == 0 &&
				    t > m->newest_received)
					m->newest_received = t;
			} else if (ascii_strcaseeq(name, "Auto-Submitted") && !m->auto_submitted)
				m->auto_submitted = decode_header(value);
			else if (ascii_strcaseeq(name, "Precedence") && !m->precedence)
				m->precedence = decode_header(value);
			else if (ascii_strcaseeq(name, "List-Id") && !m->list_id)
				m->list_id = decode_header(value);
			else if (ascii_strcaseeq(name, "X-Autoreply") ||
			         ascii_strcaseeq(name, "X-Autorespond") ||
			         ascii_strcaseeq(name, "X-Autoresponder"))
				m->x_autoreply = true;
			else if (ascii_strcaseeq(name, "X-MS-Exchange-Inbox-Rules-Loop"))
				m->oof_hint = true;
			else if (ascii_strcaseeq(name, "Authentication-Results"))
				strv_add(&m->auth_results, &m->n_auth_results,
				         decode_header(value));
			else if (ascii_strcaseeq(name, "Date") && !have_date) {
				_cleanup_free_ char *d = clean_token(value);

				if (mail_date_parse(d, &t) == 0)
					m->date = t;
				else
					add_note(m, xstrdup("unparseable Date header"));
				have_date = true;
			} else if (ascii_strcaseeq(name, "From") && !m->from.email) {
				_cleanup_free_ char *d = decode_header(value);

				forward_parse_address(d, &m->from);
				add_note(m, xstrdup("malformed From header read leniently"));
			} else if (ascii_strcaseeq(name, "Subject") && !m->subject)
				m->subject = decode_header(value);
			else if (ascii_strcaseeq(name, "Message-ID") && !m->message_id)
				m->message_id = msgid_from_text(value);
			else if (ascii_strcaseeq(name, "Return-Path") && !m->has_return_path) {
				m->has_return_path = true;
				set_str(&m->return_path, msgid_from_text(value));
			} else if (ascii_strcaseeq(name, "In-Reply-To") && !m->in_reply_to)
				m->in_reply_to = msgid_from_text(value);
			else if (ascii_strcaseeq(name, "References") && m->n_references == 0)
				references_from_text(m, value);
			break;
		}
		default:
			break;
		}
	}
}


/*
 * Base64 by table: the value of each byte, B64_PAD for '=', B64_SPACE for
 * line breaks and blanks, B64_BAD for anything else.
 */
enum { B64_BAD = -1, B64_PAD = -2, B64_SPACE = -3 };
static signed char b64_table[256];

static void
b64_init(void)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	if (b64_table['='] == B64_PAD)
		return;
	memset(b64_table, B64_BAD, sizeof(b64_table));
	for (int i = 0; i < 64; i++)
		b64_table[(unsigned char)alphabet[i]] = (signed char)i;
	b64_table['\r'] = b64_table['\n'] = b64_table[' '] = b64_table['\t'] = B64_SPACE;
	b64_table['='] = B64_PAD;
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

/* Decoded (transfer encoding undone) bytes of a single part, malloc'ed. */
static int
part_decode(const struct mailmime *part, char **ret, size_t *ret_len)
{
	const struct mailmime_data *d = part->mm_data.mm_single;
	struct buf b = BUF_INIT;

	*ret = NULL;
	*ret_len = 0;
	if (!d || d->dt_type != MAILMIME_DATA_TEXT)
		return -EINVAL;
	transfer_decode(d->dt_data.dt_text.dt_data, d->dt_data.dt_text.dt_length, d->dt_encoding,
	                &b);
	*ret_len = b.len;
	*ret = buf_steal(&b);
	return 0;
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

static char *
content_type_string(const struct mailmime_content *ct)
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
		name = decode_header(sf->fld_disposition_filename);
	if (!name && part->mm_content_type)
		name = rfc2231_value(part->mm_content_type->ct_parameters, false, "name");
	if (!name && sf->fld_content_name)
		name = decode_header(sf->fld_content_name);
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
			set_str(&m->dsn_action, ascii_strlower(text_clean_line(v)));
		else if ((v = startswith_nocase(line, "Status:")) && isempty(m->dsn_status))
			set_str(&m->dsn_status, text_clean_line(v));
		else if ((v = startswith_nocase(line, "Final-Recipient:")) &&
		         isempty(m->dsn_recipient)) {
			const char *semi = strchr(v, ';');
			_cleanup_free_ char *t = text_clean_line(semi ? semi + 1 : v);
			char *s = strstrip(t);

			if (*s == '<' && s[strlen(s) - 1] == '>') {
				s[strlen(s) - 1] = '\0';
				s++;
			}
			set_str(&m->dsn_recipient, xstrdup(s));
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

static void walk(struct walk *w, const struct mailmime *mm, unsigned depth, struct textsel *ts,
                 bool returned_ok);

static char *
textsel_finish(struct textsel *ts, bool *ret_from_html)
{
	char *res;

	*ret_from_html = false;
	if (ts->have_plain)
		res = text_clean_body(buf_str(&ts->plain));
	else if (ts->html) {
		_cleanup_free_ char *t = html_to_text(ts->html);

		res = text_clean_body(t);
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
		const struct mailimf_field *mid = find_field(f, MAILIMF_FIELD_MESSAGE_ID);
		const char *opt;

		if (isempty(m->dsn_original_message_id)) {
			if (mid)
				set_str(&m->dsn_original_message_id,
				        clean_token(mid->fld_data.fld_message_id->mid_value));
			else if ((opt = find_optional(f, "Message-ID")))
				set_str(&m->dsn_original_message_id, msgid_from_text(opt));
		}
		m->is_dsn = true;
		/* Attachments of the returned message do not matter; its structure still counts. */
		if (mm->mm_data.mm_message.mm_msg_mime) {
			struct textsel ts = {.plain = BUF_INIT};
			bool html;

			walk(w, mm->mm_data.mm_message.mm_msg_mime, depth + 1, &ts, false);
			free(textsel_finish(&ts, &html));
		}
		return;
	}

	struct msg_forward fw = {.inline_block = false};
	const struct mailimf_field *fld;
	struct textsel ts = {.plain = BUF_INIT};
	bool html;

	if ((fld = find_field(f, MAILIMF_FIELD_FROM)) && fld->fld_data.fld_from->frm_mb_list &&
	    clist_begin(fld->fld_data.fld_from->frm_mb_list->mb_list))
		address_from_mailbox(
		    clist_content(clist_begin(fld->fld_data.fld_from->frm_mb_list->mb_list)),
		    &fw.from);
	else if (find_optional(f, "From")) {
		_cleanup_free_ char *d = decode_header(find_optional(f, "From"));

		forward_parse_address(d, &fw.from);
	} else {
		fw.from.name = xstrdup("");
		fw.from.email = xstrdup("");
	}
	if ((fld = find_field(f, MAILIMF_FIELD_SUBJECT)))
		fw.subject = decode_header(fld->fld_data.fld_subject->sbj_value);
	else
		fw.subject = decode_header(find_optional(f, "Subject"));
	{
		_cleanup_free_ char *d = NULL;

		if (mm->mm_body && mm->mm_body->dt_type == MAILMIME_DATA_TEXT)
			d = raw_header_find(mm->mm_body->dt_data.dt_text.dt_data,
			                    mm->mm_body->dt_data.dt_text.dt_length, "Date");
		fw.date = d ? decode_header(d) : xstrdup("");
	}
	if (mm->mm_data.mm_message.mm_msg_mime)
		walk(w, mm->mm_data.mm_message.mm_msg_mime, depth + 1, &ts, false);
	fw.body = textsel_finish(&ts, &html);
	m->forwards = xreallocarray(m->forwards, m->n_forwards + 1, sizeof(*m->forwards));
	m->forwards[m->n_forwards++] = fw;
}

static void
walk_single(struct walk *w, const struct mailmime *mm, struct textsel *ts, bool returned_ok)
{
	struct message *m = w->m;
	struct mailmime_single_fields sf;
	_cleanup_free_ char *type = content_type_string(mm->mm_content_type);
	_cleanup_free_ char *filename = NULL;
	char *dec = NULL;
	size_t dlen = 0;
	bool attachment;

	mailmime_single_fields_init(&sf, mm->mm_mime_fields, mm->mm_content_type);
	filename = part_filename(mm, &sf);
	(void)part_decode(mm, &dec, &dlen);
	if (!base64_is_clean(mm))
		add_note(m, xasprintf("invalid base64 in %s part, decoded leniently", type));

	attachment =
	    (sf.fld_disposition && sf.fld_disposition->dsp_type &&
	     sf.fld_disposition->dsp_type->dsp_type == MAILMIME_DISPOSITION_TYPE_ATTACHMENT) ||
	    (!isempty(filename) &&
	     !(sf.fld_disposition && sf.fld_disposition->dsp_type &&
	       sf.fld_disposition->dsp_type->dsp_type == MAILMIME_DISPOSITION_TYPE_INLINE));

	if ((streq(type, "message/delivery-status") ||
	     streq(type, "message/global-delivery-status")) &&
	    returned_ok) {
		_cleanup_free_ char *t = utf8_repair(dec ? dec : "", dlen);

		dsn_fields(m, t);
		m->is_dsn = true;
	} else if ((streq(type, "text/rfc822-headers") || streq(type, "message/rfc822-headers") ||
	            streq(type, "message/rfc822")) &&
	           returned_ok) {
		_cleanup_free_ char *id = dec ? raw_header_find(dec, dlen, "Message-ID") : NULL;

		if (id && isempty(m->dsn_original_message_id))
			set_str(&m->dsn_original_message_id, msgid_from_text(id));
		m->is_dsn = true;
	} else if (!attachment && (streq(type, "text/plain") || streq(type, "text/html"))) {
		char *note = NULL;
		_cleanup_free_ char *u =
		    charset_to_utf8(sf.fld_content_charset, dec ? dec : "", dlen, &note);

		if (note)
			add_note(m, note);
		if (streq(type, "text/plain")) {
			if (ts->have_plain)
				(void)buf_puts(&ts->plain, "\n\n");
			(void)buf_puts(&ts->plain, u);
			ts->have_plain = true;
		} else if (!ts->html)
			ts->html = TAKE_PTR(u);
	} else if (!(streq(type, "text/plain") || streq(type, "text/html")) || attachment) {
		if (!(ts->have_plain || ts->html) || attachment || !startswith(type, "text/")) {
			m->attachments = xreallocarray(m->attachments, m->n_attachments + 1,
			                               sizeof(*m->attachments));
			m->attachments[m->n_attachments++] = (struct msg_attachment){
			    .filename = filename ? TAKE_PTR(filename) : xstrdup(""),
			    .content_type = xstrdup(type),
			    .size = dlen,
			    .data = dec ? TAKE_PTR(dec) : xstrdup(""),
			};
		}
	}
	free(dec);
}

static void
walk(struct walk *w, const struct mailmime *mm, unsigned depth, struct textsel *ts,
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
		_cleanup_free_ char *type = content_type_string(mm->mm_content_type);
		const char *rt = mailmime_content_param_get(mm->mm_content_type, "report-type");
		bool report = streq(type, "multipart/report");

		if (report && rt &&
		    (ascii_strcaseeq(rt, "delivery-status") ||
		     ascii_strcaseeq(rt, "global-delivery-status")))
			w->m->is_dsn = depth <= 1 ? true : w->m->is_dsn;
		if (mm->mm_data.mm_multipart.mm_mp_list == NULL ||
		    clist_begin(mm->mm_data.mm_multipart.mm_mp_list) == NULL)
			add_note(w->m, xasprintf("%s without parts (missing boundary?)", type));
		for (clistiter *it = mm->mm_data.mm_multipart.mm_mp_list
		                         ? clist_begin(mm->mm_data.mm_multipart.mm_mp_list)
		                         : NULL;
		     it; it = clist_next(it))
			walk(w, clist_content(it), depth + 1, ts,
			     returned_ok || (report && depth <= 1) ||
			         (depth <= 1 && is_bounce_sender(&w->m->from)));
		break;
	}
	case MAILMIME_MESSAGE:
		if (depth == 0)
			walk(w, mm->mm_data.mm_message.mm_msg_mime, depth + 1, ts, false);
		else
			walk_embedded(w, mm, depth, returned_ok);
		break;
	default:
		break;
	}
}

/* Bytes up to and including the line break before the first empty line (all when none). */
static size_t
header_length(const char *raw, size_t len)
{
	const char *end = raw + len;

	for (const char *q = raw; q < end; q++)
		if (*q == '\n' && (q + 1 < end) &&
		    (q[1] == '\n' || (q[1] == '\r' && q + 2 < end && q[2] == '\n')))
			return (size_t)(q - raw) + 1;
	return len;
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
	collect_headers(m, mime->mm_data.mm_message.mm_fields);
	if (nul_note)
		add_note(m, xstrdup("NUL bytes in the header section replaced by spaces"));
	walk(&w, mime, 0, &ts, false);
	if (w.res != MSG_OK) {
		bool h;

		free(textsel_finish(&ts, &h));
		message_free(m);
		res = w.res;
		reason = w.reason;
		goto fail;
	}
	m->body = textsel_finish(&ts, &m->body_from_html);
	m->content_type =
	    content_type_string(mime->mm_data.mm_message.mm_msg_mime
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
		address_free(&v[i]);
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
	address_free(&m->from);
	address_free(&m->reply_to);
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
		address_free(&m->forwards[i].from);
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
