/*
 * message_header.c - the header fields of a message: addresses, dates,
 * identifiers and the RFC 3834 markers, each decoded to clean UTF-8.
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
#include "message_impl.h"
#include "util.h"

void
msg_add_note(struct message *m, char *note)
{
	for (size_t i = 0; i < m->n_notes; i++)
		if (streq(m->notes[i], note)) {
			free(note);
			return;
		}
	m->notes = xreallocarray(m->notes, m->n_notes + 1, sizeof(char *));
	m->notes[m->n_notes++] = note;
}

void
msg_strv_add(char ***v, size_t *n, char *s)
{
	*v = xreallocarray(*v, *n + 1, sizeof(char *));
	(*v)[(*n)++] = s;
}

/*
 * Printable ASCII and white space without "=?": nothing for RFC 2047 or a
 * charset to decode, so cleaning the line gives what the decoder would.
 */
static bool
plain_ascii(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c > 0x7e ||
		    (c == '=' && s[i + 1] == '?'))
			return false;
	}
	return true;
}

/* A raw header value (may hold RFC 2047 words, 8-bit bytes, folding) as one clean UTF-8 line. */
char *
msg_decode_header(const char *raw)
{
	_cleanup_free_ char *out = NULL;
	_cleanup_free_ char *fixed = NULL;
	size_t idx = 0, len;
	int r;

	if (!raw)
		return xstrdup("");
	len = strlen(raw);
	if (plain_ascii(raw, len))
		return text_clean_line(raw);
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
char *
msg_clean_token(const char *raw)
{
	_cleanup_free_ char *fixed = NULL;

	if (!raw)
		return xstrdup("");
	fixed = utf8_repair(raw, strlen(raw));
	return text_clean_line(fixed);
}

void
msg_set_str(char **dst, char *val)
{
	free(*dst);
	*dst = val;
}

void
msg_address_from_mailbox(const struct mailimf_mailbox *mb, struct msg_address *a)
{
	a->name = msg_decode_header(mb->mb_display_name);
	a->email = msg_clean_token(mb->mb_addr_spec);
	forward_lower_domain(a->email);
}

void
msg_address_free(struct msg_address *a)
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
			msg_address_from_mailbox(ad->ad_data.ad_mailbox, &(*v)[(*n)++]);
			continue;
		}
		if (ad->ad_type == MAILIMF_ADDRESS_GROUP && ad->ad_data.ad_group &&
		    ad->ad_data.ad_group->grp_mb_list)
			mbs = ad->ad_data.ad_group->grp_mb_list->mb_list;
		for (clistiter *j = mbs ? clist_begin(mbs) : NULL; j; j = clist_next(j)) {
			*v = xreallocarray(*v, *n + 1, sizeof(**v));
			msg_address_from_mailbox(clist_content(j), &(*v)[(*n)++]);
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
char *
msg_raw_header_find(const char *p, size_t len, const char *name)
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

const char *
msg_find_optional(const struct mailimf_fields *f, const char *name)
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

const struct mailimf_field *
msg_find_field(const struct mailimf_fields *f, int type)
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
char *
msg_msgid_from_text(const char *raw)
{
	_cleanup_free_ char *t = msg_clean_token(raw);
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
	_cleanup_free_ char *t = msg_clean_token(raw);
	char *p = t, *lt, *gt;

	while ((lt = strchr(p, '<')) && (gt = strchr(lt, '>'))) {
		if (gt > lt + 1)
			msg_strv_add(&m->references, &m->n_references,
			         xstrndup(lt + 1, (size_t)(gt - lt - 1)));
		p = gt + 1;
	}
}

/* The header fields of the top-level message. */
void
msg_collect_headers(struct message *m, const struct mailimf_fields *fields)
{
	bool have_date = false;

	for (clistiter *it = fields && fields->fld_list ? clist_begin(fields->fld_list) : NULL; it;
	     it = clist_next(it)) {
		const struct mailimf_field *f = clist_content(it);

		switch (f->fld_type) {
		case MAILIMF_FIELD_FROM:
			if (!m->from.email && f->fld_data.fld_from->frm_mb_list &&
			    clist_begin(f->fld_data.fld_from->frm_mb_list->mb_list))
				msg_address_from_mailbox(
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
						msg_address_free(&v[i]);
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
				msg_set_str(&m->return_path,
				        msg_clean_token(path && path->pt_addr_spec ? path->pt_addr_spec
				                                               : ""));
			}
			break;
		case MAILIMF_FIELD_SUBJECT:
			if (!m->subject)
				m->subject = msg_decode_header(f->fld_data.fld_subject->sbj_value);
			break;
		case MAILIMF_FIELD_MESSAGE_ID:
			if (!m->message_id)
				m->message_id = msg_clean_token(f->fld_data.fld_message_id->mid_value);
			break;
		case MAILIMF_FIELD_IN_REPLY_TO:
			if (!m->in_reply_to && f->fld_data.fld_in_reply_to->mid_list &&
			    clist_begin(f->fld_data.fld_in_reply_to->mid_list))
				m->in_reply_to = msg_clean_token(clist_content(
				    clist_begin(f->fld_data.fld_in_reply_to->mid_list)));
			break;
		case MAILIMF_FIELD_REFERENCES:
			if (m->n_references == 0 && f->fld_data.fld_references->mid_list)
				for (clistiter *j =
				         clist_begin(f->fld_data.fld_references->mid_list);
				     j; j = clist_next(j))
					msg_strv_add(&m->references, &m->n_references,
					         msg_clean_token(clist_content(j)));
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
				m->auto_submitted = msg_decode_header(value);
			else if (ascii_strcaseeq(name, "Precedence") && !m->precedence)
				m->precedence = msg_decode_header(value);
			else if (ascii_strcaseeq(name, "List-Id") && !m->list_id)
				m->list_id = msg_decode_header(value);
			else if (ascii_strcaseeq(name, "X-Autoreply") ||
			         ascii_strcaseeq(name, "X-Autorespond") ||
			         ascii_strcaseeq(name, "X-Autoresponder"))
				m->x_autoreply = true;
			else if (ascii_strcaseeq(name, "X-MS-Exchange-Inbox-Rules-Loop"))
				m->oof_hint = true;
			else if (ascii_strcaseeq(name, "Authentication-Results"))
				msg_strv_add(&m->auth_results, &m->n_auth_results,
				         msg_decode_header(value));
			else if (ascii_strcaseeq(name, "Date") && !have_date) {
				_cleanup_free_ char *d = msg_clean_token(value);

				if (mail_date_parse(d, &t) == 0)
					m->date = t;
				else
					msg_add_note(m, xstrdup("unparseable Date header"));
				have_date = true;
			} else if (ascii_strcaseeq(name, "From") && !m->from.email) {
				_cleanup_free_ char *d = msg_decode_header(value);

				forward_parse_address(d, &m->from);
				msg_add_note(m, xstrdup("malformed From header read leniently"));
			} else if (ascii_strcaseeq(name, "Subject") && !m->subject)
				m->subject = msg_decode_header(value);
			else if (ascii_strcaseeq(name, "Message-ID") && !m->message_id)
				m->message_id = msg_msgid_from_text(value);
			else if (ascii_strcaseeq(name, "Return-Path") && !m->has_return_path) {
				m->has_return_path = true;
				msg_set_str(&m->return_path, msg_msgid_from_text(value));
			} else if (ascii_strcaseeq(name, "In-Reply-To") && !m->in_reply_to)
				m->in_reply_to = msg_msgid_from_text(value);
			else if (ascii_strcaseeq(name, "References") && m->n_references == 0)
				references_from_text(m, value);
			break;
		}
		default:
			break;
		}
	}
}

