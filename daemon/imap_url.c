/*
 * imap_url.c - the pure helpers of the IMAP adapter: result names, IMAP URLs,
 * INTERNALDATE to UTC, UID ranges.  No I/O.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "imap_impl.h"
#include "util.h"

const char *
imap_result_to_string(enum imap_result r)
{
	switch (r) {
	case IMAP_OK:
		return "ok";
	case IMAP_MSG_BAD:
		return "message-bad";
	case IMAP_BOX_BAD:
		return "mailbox-bad";
	case IMAP_SERVER_BAD:
		return "server-bad";
	case IMAP_AUTH_BAD:
		return "auth-bad";
	case IMAP_TLS_BAD:
		return "tls-bad";
	case IMAP_NAME_BAD:
		return "name-bad";
	}
	return "unknown";
}

/* ------------------------------------------------------------ pure helpers */

char *
imap_folder_to_wire(const char *name, char sep, char **ret_error)
{
	_cleanup_buf_ struct buf b = BUF_INIT;

	*ret_error = NULL;
	if (isempty(name)) {
		*ret_error = xstrdup("empty folder name");
		return NULL;
	}
	buf_init(&b, 1024);
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		char c = (char)*p;

		if (*p < 0x20 || *p > 0x7e) {
			*ret_error = xasprintf("folder name \"%s\": only printable ASCII is supported",
					       name);
			return NULL;
		}
		if (c == '*' || c == '%' || c == '"' || c == '\\') {
			*ret_error = xasprintf("folder name \"%s\" must not contain %c", name, c);
			return NULL;
		}
		if (sep != '\0' && sep != '/' && c == sep) {
			*ret_error = xasprintf(
			    "folder name \"%s\" contains \"%c\", this server's hierarchy separator, "
			    "so it cannot be told apart from nesting: write nested folders with \"/\" "
			    "(e.g. Complaints/Processed) and use no \"%c\" in a name",
			    name, sep, sep);
			return NULL;
		}
		if (c == '/' && sep != '\0')
			c = sep;
		if (buf_putc(&b, c) < 0 || (c == '&' && buf_putc(&b, '-') < 0)) {
			*ret_error = xasprintf("folder name \"%s\" is too long", name);
			return NULL;
		}
	}
	return buf_steal(&b);
}

char *
imap_folder_from_wire(const char *wire, char sep)
{
	_cleanup_buf_ struct buf b = BUF_INIT;

	buf_init(&b, 4096);
	for (const char *p = wire; *p; p++) {
		char c = *p == sep && sep != '\0' ? '/' : *p;

		if (buf_putc(&b, c) < 0)
			break;
		if (c == '&' && p[1] == '-')
			p++;
	}
	return buf_steal(&b);
}


void
imap_url_done(struct imap_url *u)
{
	if (!u)
		return;
	free(u->host);
	free(u->mailbox);
	u->host = u->mailbox = NULL;
}

int
imap_url_parse(const char *url, struct imap_url *ret, char **ret_error)
{
	_cleanup_free_ char *host = NULL;
	_cleanup_buf_ struct buf mbox = BUF_INIT;
	const char *p, *hend, *auth_end;
	bool tls;
	unsigned long port;

	*ret_error = NULL;
	if (!url) {
		*ret_error = xstrdup("no IMAP URL given");
		return -EINVAL;
	}
	if ((p = startswith_nocase(url, "imaps://")))
		tls = true;
	else if ((p = startswith_nocase(url, "imap://")))
		tls = false;
	else {
		*ret_error = xasprintf("IMAP URL \"%s\" must start with imap:// or imaps://", url);
		return -EINVAL;
	}
	if (strpbrk(url, "?#")) {
		*ret_error =
		    xasprintf("IMAP URL \"%s\": queries and fragments are not supported", url);
		return -EINVAL;
	}
	auth_end = p + strcspn(p, "/");
	if (memchr(p, '@', auth_end - p)) {
		*ret_error =
		    xasprintf("IMAP URL \"%s\": put the user name in username=, not the URL", url);
		return -EINVAL;
	}
	if (*p == '[') {
		hend = memchr(p, ']', auth_end - p);
		if (!hend || hend == p + 1) {
			*ret_error = xasprintf("IMAP URL \"%s\": bad IPv6 address", url);
			return -EINVAL;
		}
		host = xstrndup(p + 1, hend - p - 1);
		p = hend + 1;
	} else {
		hend = p + strcspn(p, ":/");
		host = xstrndup(p, hend - p);
		p = hend;
	}
	if (isempty(host)) {
		*ret_error = xasprintf("IMAP URL \"%s\" has no host name", url);
		return -EINVAL;
	}
	port = tls ? 993 : 143;
	if (*p == ':') {
		char *end;

		p++;
		if (*p < '0' || *p > '9') {
			*ret_error = xasprintf("IMAP URL \"%s\": bad port", url);
			return -EINVAL;
		}
		errno = 0;
		port = strtoul(p, &end, 10);
		if (errno || port == 0 || port > 65535 || (*end != '/' && *end != '\0')) {
			*ret_error = xasprintf("IMAP URL \"%s\": bad port", url);
			return -EINVAL;
		}
		p = end;
	} else if (*p != '/' && *p != '\0') {
		*ret_error = xasprintf("IMAP URL \"%s\": bad host", url);
		return -EINVAL;
	}
	if (*p == '/')
		p++;
	buf_init(&mbox, 1024);
	for (; *p; p++) {
		char c = *p;

		if (c == '%') {
			int hi = ascii_hexval(p[1]), lo = hi < 0 ? -1 : ascii_hexval(p[2]);

			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
				*ret_error =
				    xasprintf("IMAP URL \"%s\": bad %%-escape in the mailbox", url);
				return -EINVAL;
			}
			c = (char)(hi * 16 + lo);
			p += 2;
		}
		if (buf_putc(&mbox, c) < 0) {
			*ret_error = xasprintf("IMAP URL \"%s\": mailbox name too long", url);
			return -EINVAL;
		}
	}
	ret->host = TAKE_PTR(host);
	ret->port = (uint16_t)port;
	ret->implicit_tls = tls;
	ret->mailbox = mbox.len ? buf_steal(&mbox) : xstrdup("INBOX");
	return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int
imap_date_to_utc(int year, int month, int day, int hour, int min, int sec, int zone, time_t *ret)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int az = zone < 0 ? -zone : zone;
	int64_t t, off;

	if (year < 1900 || year > 9999 || month < 1 || month > 12 || day < 1 ||
	    day > mdays[month - 1] || hour < 0 || hour > 23 || min < 0 || min > 59 || sec < 0 ||
	    sec > 60 || az % 100 > 59 || az / 100 > 23)
		return -EINVAL;
	off = (int64_t)(az / 100) * 3600 + (az % 100) * 60;
	t = days_from_civil(year, month, day) * 86400 + hour * 3600 + min * 60 + sec;
	t -= zone < 0 ? -off : off;
	*ret = (time_t)t;
	return 0;
}

int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

size_t
imap_uid_ranges(const uint32_t *uids, size_t n, struct imap_uid_range **ret)
{
	_cleanup_free_ uint32_t *v = NULL;
	struct imap_uid_range *r;
	size_t nr = 0;

	*ret = NULL;
	if (n == 0)
		return 0;
	v = xreallocarray(NULL, n, sizeof(*v));
	memcpy(v, uids, n * sizeof(*v));
	qsort(v, n, sizeof(*v), cmp_u32);
	r = xreallocarray(NULL, n, sizeof(*r));
	for (size_t i = 0; i < n; i++) {
		if (v[i] == 0)
			continue;
		if (nr > 0 && (v[i] == r[nr - 1].last || v[i] == r[nr - 1].last + 1)) {
			r[nr - 1].last = v[i];
			continue;
		}
		r[nr].first = r[nr].last = v[i];
		nr++;
	}
	if (nr == 0) {
		free(r);
		return 0;
	}
	*ret = r;
	return nr;
}

