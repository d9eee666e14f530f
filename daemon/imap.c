/*
 * imap.c - the IMAP adapter over libetpan 1.9.4.
 *
 * Guarantees: every network operation is bounded by the configured timeout
 * (connect, TLS handshake, each read and write); after a stream, protocol or
 * parse error the session is closed without a blocking LOGOUT and the call
 * returns IMAP_SERVER_BAD; the certificate chain and host name are verified
 * with GnuTLS before LOGIN; the password never reaches a log or error text;
 * message bodies are copied out of libetpan's buffers before they are freed,
 * and bodies larger than the caller's limit are never fetched.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <libetpan/libetpan.h>

#include "buf.h"
#include "imap.h"
#include "imap_internal.h"
#include "util.h"

#define IMAP_DEFAULT_TIMEOUT 60
#define IMAP_MAX_CHAIN 16
#define IMAP_LOGOUT_TIMEOUT 5
#define IMAP_IDLE_MAX_MS (25 * 60 * 1000)

struct imap {
	struct imap_url url;
	bool starttls;
	bool tls_verify;
	char *username;
	char *password;
	char *ca_file;
	unsigned timeout;

	mailimap *s;
	char *error;
	bool has_idle;
	bool has_move;
	bool has_uidplus;
};

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
	}
	return "unknown";
}

/* ------------------------------------------------------------ pure helpers */


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

static int
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

/* ------------------------------------------------------------ object */

static void set_error(struct imap *im, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
set_error(struct imap *im, const char *fmt, ...)
{
	va_list ap;

	free(im->error);
	va_start(ap, fmt);
	im->error = xvasprintf(fmt, ap);
	va_end(ap);
}

/* The server's text for the last tagged response, or a placeholder. */
static const char *
server_text(const struct imap *im)
{
	if (im->s && !isempty(im->s->imap_response))
		return im->s->imap_response;
	return "(no text from server)";
}

struct imap *
imap_new(const struct imap_config *cfg, char **ret_error)
{
	struct imap *im;
	struct imap_url u = {0};

	*ret_error = NULL;
	if (imap_url_parse(cfg->url, &u, ret_error) < 0)
		return NULL;
	im = xcalloc(1, sizeof(*im));
	im->url = u;
	im->starttls = cfg->starttls;
	im->tls_verify = cfg->tls_verify;
	im->username = xstrdup(cfg->username ? cfg->username : "");
	im->password = xstrdup(cfg->password ? cfg->password : "");
	im->ca_file = isempty(cfg->ca_file) ? NULL : xstrdup(cfg->ca_file);
	im->timeout = cfg->timeout ? cfg->timeout : IMAP_DEFAULT_TIMEOUT;
	return im;
}

/* Close the socket without LOGOUT: safe on a dead connection, never blocks. */
static void
session_drop(struct imap *im)
{
	if (!im->s)
		return;
	if (im->s->imap_stream) {
		mailstream_close(im->s->imap_stream);
		im->s->imap_stream = NULL;
	}
	mailimap_free(im->s);
	im->s = NULL;
	im->has_idle = im->has_move = im->has_uidplus = false;
}

void
imap_free(struct imap *im)
{
	if (!im)
		return;
	imap_disconnect(im);
	imap_url_done(&im->url);
	free(im->username);
	if (im->password) {
		explicit_bzero(im->password, strlen(im->password));
		free(im->password);
	}
	free(im->ca_file);
	free(im->error);
	free(im);
}

const char *
imap_mailbox(const struct imap *im)
{
	return im->url.mailbox;
}

const char *
imap_last_error(const struct imap *im)
{
	return im->error ? im->error : "";
}

bool
imap_connected(const struct imap *im)
{
	return im->s && im->s->imap_stream &&
	       (im->s->imap_state == MAILIMAP_STATE_AUTHENTICATED ||
	        im->s->imap_state == MAILIMAP_STATE_SELECTED);
}

bool
imap_has_idle(const struct imap *im)
{
	return imap_connected(im) && im->has_idle;
}

bool
imap_has_move(const struct imap *im)
{
	return imap_connected(im) && im->has_move;
}

static const char *
etpan_strerror(int r)
{
	switch (r) {
	case MAILIMAP_ERROR_STREAM:
		return "connection lost or timed out";
	case MAILIMAP_ERROR_PARSE:
		return "connection closed or unparsable response";
	case MAILIMAP_ERROR_CONNECTION_REFUSED:
		return "cannot connect";
	case MAILIMAP_ERROR_MEMORY:
		return "out of memory";
	case MAILIMAP_ERROR_FATAL:
		return "server closed the session (BYE)";
	case MAILIMAP_ERROR_PROTOCOL:
		return "server rejected the command as malformed (BAD)";
	case MAILIMAP_ERROR_DONT_ACCEPT_CONNECTION:
		return "server refuses connections";
	case MAILIMAP_ERROR_BAD_STATE:
		return "session in the wrong state";
	case MAILIMAP_ERROR_SSL:
		return "TLS handshake failed";
	default:
		return "IMAP error";
	}
}

/* A tagged NO for a command: the session stays usable. */
static bool
is_command_no(int r)
{
	return r >= MAILIMAP_ERROR_APPEND && r <= MAILIMAP_ERROR_UNSUBSCRIBE;
}

/*
 * Turn a libetpan failure into a result: a tagged NO gives on_no and keeps
 * the session; anything else tears the session down and gives SERVER_BAD.
 */
static enum imap_result
command_failed(struct imap *im, int r, enum imap_result on_no, const char *what)
{
	if (is_command_no(r)) {
		set_error(im, "%s: %s", what, server_text(im));
		return on_no;
	}
	if (r == MAILIMAP_ERROR_FATAL || r == MAILIMAP_ERROR_PROTOCOL)
		set_error(im, "%s: %s: %s", what, etpan_strerror(r), server_text(im));
	else
		set_error(im, "%s: %s", what, etpan_strerror(r));
	session_drop(im);
	return IMAP_SERVER_BAD;
}

/* ------------------------------------------------------------ connect */

static bool
host_is_ip(const char *host)
{
	unsigned char b[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, b) == 1 || inet_pton(AF_INET6, host, b) == 1;
}

/* Runs before the TLS handshake: send SNI (not for IP literals, RFC 6066). */
static void
tls_setup_cb(struct mailstream_ssl_context *ctx, void *data)
{
	const char *host = data;

	if (!host_is_ip(host))
		(void)mailstream_ssl_set_server_name(ctx, (char *)host);
}

/* Check the server's chain against the system store and ca_file, and the host name. */
static enum imap_result
tls_verify_peer(struct imap *im)
{
	gnutls_x509_crt_t crts[IMAP_MAX_CHAIN] = {0};
	gnutls_x509_trust_list_t tl = NULL;
	gnutls_typed_vdata_st vdata[2];
	enum imap_result res = IMAP_TLS_BAD;
	unsigned status = 0, n = 0;
	carray *chain;
	int r;

	chain = mailstream_get_certificate_chain(im->s->imap_stream);
	if (!chain || carray_count(chain) == 0) {
		set_error(im, "TLS: %s sent no certificate", im->url.host);
		goto out;
	}
	n = carray_count(chain) < IMAP_MAX_CHAIN ? carray_count(chain) : IMAP_MAX_CHAIN;
	for (unsigned i = 0; i < n; i++) {
		MMAPString *der = carray_get(chain, i);
		gnutls_datum_t d = {(unsigned char *)der->str, (unsigned)der->len};

		if ((r = gnutls_x509_crt_init(&crts[i])) < 0 ||
		    (r = gnutls_x509_crt_import(crts[i], &d, GNUTLS_X509_FMT_DER)) < 0) {
			set_error(im, "TLS: cannot read certificate %u from %s: %s", i,
			          im->url.host, gnutls_strerror(r));
			goto out;
		}
	}
	if ((r = gnutls_x509_trust_list_init(&tl, 0)) < 0) {
		set_error(im, "TLS: %s", gnutls_strerror(r));
		tl = NULL;
		goto out;
	}
	/* No system store is not fatal by itself: a private CA may be all we need. */
	(void)gnutls_x509_trust_list_add_system_trust(tl, 0, 0);
	if (im->ca_file) {
		r = gnutls_x509_trust_list_add_trust_file(tl, im->ca_file, NULL,
		                                          GNUTLS_X509_FMT_PEM, 0, 0);
		if (r <= 0) {
			set_error(im, "TLS: cannot load CA file %s: %s", im->ca_file,
			          r < 0 ? gnutls_strerror(r) : "no certificates in it");
			goto out;
		}
	}
	/* A textual IP address is matched against the IPAddress names. */
	vdata[0] =
	    (gnutls_typed_vdata_st){GNUTLS_DT_DNS_HOSTNAME, (unsigned char *)im->url.host, 0};
	vdata[1] = (gnutls_typed_vdata_st){GNUTLS_DT_KEY_PURPOSE_OID,
	                                   (unsigned char *)GNUTLS_KP_TLS_WWW_SERVER, 0};
	r = gnutls_x509_trust_list_verify_crt2(tl, crts, n, vdata, 2, 0, &status, NULL);
	if (r < 0) {
		set_error(im, "TLS: cannot verify the certificate of %s: %s", im->url.host,
		          gnutls_strerror(r));
		goto out;
	}
	if (status != 0) {
		gnutls_datum_t txt = {NULL, 0};

		if (gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &txt,
		                                                 0) == 0) {
			set_error(im, "TLS: certificate of %s not trusted: %s", im->url.host,
			          (const char *)txt.data);
			gnutls_free(txt.data);
		} else
			set_error(im, "TLS: certificate of %s not trusted (status 0x%x)",
			          im->url.host, status);
		goto out;
	}
	res = IMAP_OK;
out:
	if (tl)
		gnutls_x509_trust_list_deinit(tl, 1);
	for (unsigned i = 0; i < n; i++)
		if (crts[i])
			gnutls_x509_crt_deinit(crts[i]);
	if (chain)
		mailstream_certificate_chain_free(chain);
	return res;
}

/* Keepalive probes so a silently dropped connection ends an IDLE. */
static void
set_keepalive(int fd)
{
	int on = 1, idle = 60, intvl = 15, cnt = 4;

	if (fd < 0)
		return;
	(void)setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
}

enum imap_result
imap_connect(struct imap *im)
{
	struct mailimap_capability_data *cd = NULL;
	enum imap_result res;
	bool tls = im->url.implicit_tls || im->starttls;
	int r;

	session_drop(im);
	im->s = mailimap_new(0, NULL);
	if (!im->s) {
		set_error(im, "out of memory");
		return IMAP_SERVER_BAD;
	}
	mailimap_set_timeout(im->s, im->timeout);

	if (im->url.implicit_tls)
		r = mailimap_ssl_connect_with_callback(im->s, im->url.host, im->url.port,
		                                       tls_setup_cb, im->url.host);
	else
		r = mailimap_socket_connect(im->s, im->url.host, im->url.port);
	if (r != MAILIMAP_NO_ERROR_AUTHENTICATED && r != MAILIMAP_NO_ERROR_NON_AUTHENTICATED) {
		set_error(im, "cannot connect to %s port %u: %s", im->url.host,
		          (unsigned)im->url.port, etpan_strerror(r));
		session_drop(im);
		return IMAP_SERVER_BAD;
	}
	if (!im->url.implicit_tls && im->starttls) {
		/* PREAUTH on a plain connection would skip TLS altogether. */
		if (r == MAILIMAP_NO_ERROR_AUTHENTICATED) {
			set_error(im, "%s sent PREAUTH before STARTTLS; refusing the session",
			          im->url.host);
			session_drop(im);
			return IMAP_TLS_BAD;
		}
		r = mailimap_socket_starttls_with_callback(im->s, tls_setup_cb, im->url.host);
		if (r != MAILIMAP_NO_ERROR) {
			if (r == MAILIMAP_ERROR_STARTTLS || r == MAILIMAP_ERROR_PROTOCOL) {
				set_error(im, "%s refused STARTTLS: %s", im->url.host,
				          server_text(im));
				session_drop(im);
				return IMAP_TLS_BAD;
			}
			set_error(im, "STARTTLS with %s: %s", im->url.host, etpan_strerror(r));
			session_drop(im);
			return IMAP_SERVER_BAD;
		}
		r = MAILIMAP_NO_ERROR_NON_AUTHENTICATED;
	}
	set_keepalive(mailimap_idle_get_fd(im->s));

	if (tls && im->tls_verify) {
		res = tls_verify_peer(im);
		if (res != IMAP_OK) {
			session_drop(im);
			return res;
		}
	}

	if (r == MAILIMAP_NO_ERROR_NON_AUTHENTICATED) {
		r = mailimap_login(im->s, im->username, im->password);
		if (r == MAILIMAP_ERROR_LOGIN) {
			set_error(im, "login as %s refused: %s", im->username, server_text(im));
			session_drop(im);
			return IMAP_AUTH_BAD;
		}
		if (r != MAILIMAP_NO_ERROR)
			return command_failed(im, r, IMAP_SERVER_BAD, "LOGIN");
	}

	/* Capabilities change at login (IDLE, MOVE appear): ask again now. */
	r = mailimap_capability(im->s, &cd);
	if (r == MAILIMAP_NO_ERROR)
		mailimap_capability_data_free(cd);
	else if (!is_command_no(r))
		return command_failed(im, r, IMAP_SERVER_BAD, "CAPABILITY");
	im->has_idle = mailimap_has_idle(im->s);
	im->has_move = mailimap_has_extension(im->s, "MOVE");
	im->has_uidplus = mailimap_has_uidplus(im->s);
	free(im->error);
	im->error = NULL;
	return IMAP_OK;
}

void
imap_disconnect(struct imap *im)
{
	if (!im->s)
		return;
	if (im->s->imap_stream && imap_connected(im)) {
		mailstream_low_set_timeout(mailstream_get_low(im->s->imap_stream),
		                           im->timeout < IMAP_LOGOUT_TIMEOUT ? im->timeout
		                                                             : IMAP_LOGOUT_TIMEOUT);
		(void)mailimap_logout(im->s);
	}
	session_drop(im);
}

/* ------------------------------------------------------------ mailboxes */

/*
 * The wire form of a folder name: printable ASCII, '&' written as "&-"
 * (modified UTF-7); NULL with the error set for anything else.
 */
static char *
mailbox_encode(struct imap *im, const char *name)
{
	_cleanup_buf_ struct buf b = BUF_INIT;

	if (isempty(name)) {
		set_error(im, "empty folder name");
		return NULL;
	}
	buf_init(&b, 1024);
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if (*p < 0x20 || *p > 0x7e) {
			set_error(im, "folder name \"%s\": only printable ASCII is supported",
			          name);
			return NULL;
		}
		if (*p == '*' || *p == '%' || *p == '"' || *p == '\\') {
			set_error(im, "folder name \"%s\" must not contain %c", name, *p);
			return NULL;
		}
		if (buf_putc(&b, (char)*p) < 0 || (*p == '&' && buf_putc(&b, '-') < 0)) {
			set_error(im, "folder name \"%s\" is too long", name);
			return NULL;
		}
	}
	return buf_steal(&b);
}

static enum imap_result
need_connected(struct imap *im)
{
	if (imap_connected(im))
		return IMAP_OK;
	set_error(im, "not connected");
	session_drop(im);
	return IMAP_SERVER_BAD;
}

static enum imap_result
need_selected(struct imap *im)
{
	enum imap_result res = need_connected(im);

	if (res != IMAP_OK)
		return res;
	if (im->s->imap_state != MAILIMAP_STATE_SELECTED || !im->s->imap_selection_info) {
		set_error(im, "no mailbox selected");
		return IMAP_BOX_BAD;
	}
	return IMAP_OK;
}

enum imap_result
imap_ensure_folder(struct imap *im, const char *folder)
{
	_cleanup_free_ char *wire = NULL;
	enum imap_result res;
	clist *list = NULL;
	bool exists;
	int r;

	if ((res = need_connected(im)) != IMAP_OK)
		return res;
	if (!(wire = mailbox_encode(im, folder)))
		return IMAP_BOX_BAD;
	r = mailimap_list(im->s, "", wire, &list);
	/* libetpan hands the list out before looking at the tagged status. */
	exists = list && clist_count(list) > 0;
	if (list)
		mailimap_list_result_free(list);
	if (r != MAILIMAP_NO_ERROR)
		return command_failed(im, r, IMAP_BOX_BAD, "LIST");
	if (exists)
		return IMAP_OK;
	r = mailimap_create(im->s, wire);
	if (r == MAILIMAP_ERROR_CREATE && (ascii_strcasestr(server_text(im), "ALREADYEXISTS") ||
	                                   ascii_strcasestr(server_text(im), "already exists")))
		return IMAP_OK;
	if (r != MAILIMAP_NO_ERROR) {
		res = command_failed(im, r, IMAP_BOX_BAD, "CREATE");
		return res;
	}
	return IMAP_OK;
}

/* SELECT, or EXAMINE (read-only) when readonly is set. */
static enum imap_result
open_mailbox(struct imap *im, const char *mailbox, bool readonly, uint32_t *ret_uidvalidity,
             uint32_t *ret_uidnext, uint32_t *ret_exists)
{
	_cleanup_free_ char *wire = NULL;
	struct mailimap_selection_info *si;
	enum imap_result res;
	int r;

	if ((res = need_connected(im)) != IMAP_OK)
		return res;
	if (!(wire = mailbox_encode(im, mailbox)))
		return IMAP_BOX_BAD;
	r = readonly ? mailimap_examine(im->s, wire) : mailimap_select(im->s, wire);
	if (r != MAILIMAP_NO_ERROR) {
		_cleanup_free_ char *what = xasprintf("%s %s", readonly ? "EXAMINE" : "SELECT", mailbox);

		return command_failed(im, r, IMAP_BOX_BAD, what);
	}
	si = im->s->imap_selection_info;
	if (!si) {
		set_error(im, "SELECT %s: no selection data", mailbox);
		return IMAP_BOX_BAD;
	}
	if (ret_uidvalidity)
		*ret_uidvalidity = si->sel_uidvalidity;
	if (ret_uidnext)
		*ret_uidnext = si->sel_uidnext;
	if (ret_exists)
		*ret_exists = si->sel_exists;
	si->sel_has_exists = 0;
	return IMAP_OK;
}

enum imap_result
imap_select(struct imap *im, const char *mailbox, uint32_t *ret_uidvalidity, uint32_t *ret_uidnext,
            uint32_t *ret_exists)
{
	return open_mailbox(im, mailbox, false, ret_uidvalidity, ret_uidnext, ret_exists);
}

enum imap_result
imap_examine(struct imap *im, const char *mailbox, uint32_t *ret_uidvalidity,
             uint32_t *ret_uidnext, uint32_t *ret_exists)
{
	return open_mailbox(im, mailbox, true, ret_uidvalidity, ret_uidnext, ret_exists);
}

/* For imap_folder.c (imap_internal.h): the session and the error helpers. */
mailimap *
imap_session(struct imap *im)
{
	return im->s;
}

enum imap_result
imap_check_connected(struct imap *im)
{
	return need_connected(im);
}

enum imap_result
imap_failed(struct imap *im, int r, const char *what)
{
	return command_failed(im, r, IMAP_BOX_BAD, what);
}

char *
imap_encode_name(struct imap *im, const char *name)
{
	return mailbox_encode(im, name);
}

enum imap_result
imap_search_after(struct imap *im, uint32_t after_uid, uint32_t **ret_uids, size_t *ret_n)
{
	struct mailimap_search_key *key;
	_cleanup_free_ uint32_t *uids = NULL;
	enum imap_result res;
	clist *found = NULL;
	size_t n = 0, k = 0;
	int r;

	*ret_uids = NULL;
	*ret_n = 0;
	if ((res = need_selected(im)) != IMAP_OK)
		return res;
	if (after_uid == UINT32_MAX)
		return IMAP_OK;
	/* New mail announced from here on is news for imap_idle(). */
	im->s->imap_selection_info->sel_has_exists = 0;
	key = mailimap_search_key_new_uid(mailimap_set_new_interval(after_uid + 1, 0));
	if (!key) {
		set_error(im, "out of memory");
		return IMAP_SERVER_BAD;
	}
	r = mailimap_uid_search(im->s, NULL, key, &found);
	mailimap_search_key_free(key);
	if (r != MAILIMAP_NO_ERROR) {
		if (found)
			mailimap_search_result_free(found);
		return command_failed(im, r, IMAP_BOX_BAD, "UID SEARCH");
	}
	if (found) {
		uids = xreallocarray(NULL, clist_count(found) + 1, sizeof(*uids));
		for (clistiter *it = clist_begin(found); it; it = clist_next(it)) {
			uint32_t *u = clist_content(it);

			/* "UID n:*" also returns the highest UID when it is below n. */
			if (u && *u > after_uid)
				uids[n++] = *u;
		}
		mailimap_search_result_free(found);
	}
	if (n == 0)
		return IMAP_OK;
	qsort(uids, n, sizeof(*uids), cmp_u32);
	for (size_t i = 0; i < n; i++)
		if (k == 0 || uids[i] != uids[k - 1])
			uids[k++] = uids[i];
	*ret_uids = TAKE_PTR(uids);
	*ret_n = k;
	return IMAP_OK;
}

/* ------------------------------------------------------------ fetch */

/* An IMAP set of UIDs, as ranges; NULL if there are none. */
static struct mailimap_set *
uid_set_new(const uint32_t *uids, size_t n)
{
	_cleanup_free_ struct imap_uid_range *rg = NULL;
	struct mailimap_set *set;
	size_t nr = imap_uid_ranges(uids, n, &rg);

	if (nr == 0)
		return NULL;
	set = mailimap_set_new_empty();
	if (!set)
		abort();
	for (size_t i = 0; i < nr; i++) {
		int r = rg[i].first == rg[i].last
		            ? mailimap_set_add_single(set, rg[i].first)
		            : mailimap_set_add_interval(set, rg[i].first, rg[i].last);
		if (r != MAILIMAP_NO_ERROR)
			abort();
	}
	return set;
}

static int
cmp_msg_uid(const void *a, const void *b)
{
	const struct imap_message *x = a, *y = b;

	return x->uid < y->uid ? -1 : x->uid > y->uid;
}

static struct imap_message *
find_msg(struct imap_message *msgs, size_t n, uint32_t uid)
{
	struct imap_message key = {.uid = uid};

	return bsearch(&key, msgs, n, sizeof(*msgs), cmp_msg_uid);
}

static bool
uid_wanted(const uint32_t *sorted, size_t n, uint32_t uid)
{
	return bsearch(&uid, sorted, n, sizeof(*sorted), cmp_u32) != NULL;
}

void
imap_messages_free(struct imap_message *msgs, size_t n)
{
	if (!msgs)
		return;
	for (size_t i = 0; i < n; i++)
		free(msgs[i].data);
	free(msgs);
}

/* Run UID FETCH; on success *ret_list is the server's answer (caller frees). */
static int
uid_fetch(struct imap *im, const uint32_t *uids, size_t n, bool body, clist **ret_list)
{
	struct mailimap_fetch_type *ft;
	struct mailimap_set *set = uid_set_new(uids, n);
	clist *list = NULL;
	int r;

	*ret_list = NULL;
	if (!set)
		return MAILIMAP_NO_ERROR;
	ft = mailimap_fetch_type_new_fetch_att_list_empty();
	mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_uid());
	if (body) {
		mailimap_fetch_type_new_fetch_att_list_add(
		    ft, mailimap_fetch_att_new_body_peek_section(mailimap_section_new(NULL)));
	} else {
		mailimap_fetch_type_new_fetch_att_list_add(ft,
		                                           mailimap_fetch_att_new_internaldate());
		mailimap_fetch_type_new_fetch_att_list_add(ft,
		                                           mailimap_fetch_att_new_rfc822_size());
	}
	r = mailimap_uid_fetch(im->s, set, ft, &list);
	mailimap_set_free(set);
	mailimap_fetch_type_free(ft);
	/* On failure libetpan has already freed the list (or never made one). */
	if (r == MAILIMAP_NO_ERROR)
		*ret_list = list;
	return r;
}

struct att_view {
	uint32_t uid;
	bool has_date;
	time_t date;
	bool has_size;
	uint32_t size;
	const char *body;
	size_t body_len;
};

static void
att_view_read(const struct mailimap_msg_att *ma, struct att_view *v)
{
	*v = (struct att_view){0};
	for (clistiter *it = clist_begin(ma->att_list); it; it = clist_next(it)) {
		struct mailimap_msg_att_item *item = clist_content(it);
		struct mailimap_msg_att_static *st;

		if (item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC)
			continue;
		st = item->att_data.att_static;
		switch (st->att_type) {
		case MAILIMAP_MSG_ATT_UID:
			v->uid = st->att_data.att_uid;
			break;
		case MAILIMAP_MSG_ATT_INTERNALDATE: {
			struct mailimap_date_time *dt = st->att_data.att_internal_date;

			if (dt &&
			    imap_date_to_utc(dt->dt_year, dt->dt_month, dt->dt_day, dt->dt_hour,
			                     dt->dt_min, dt->dt_sec, dt->dt_zone, &v->date) == 0)
				v->has_date = true;
			break;
		}
		case MAILIMAP_MSG_ATT_RFC822_SIZE:
			v->size = st->att_data.att_rfc822_size;
			v->has_size = true;
			break;
		case MAILIMAP_MSG_ATT_BODY_SECTION:
			if (st->att_data.att_body_section &&
			    st->att_data.att_body_section->sec_body_part) {
				v->body = st->att_data.att_body_section->sec_body_part;
				v->body_len = st->att_data.att_body_section->sec_length;
			}
			break;
		default:
			break;
		}
	}
}

enum imap_result
imap_fetch(struct imap *im, const uint32_t *uids, size_t n, size_t max_size,
           struct imap_message **ret_msgs, size_t *ret_n)
{
	_cleanup_free_ uint32_t *want = NULL;
	_cleanup_free_ uint32_t *small = NULL;
	struct imap_message *msgs = NULL;
	enum imap_result res;
	size_t nm = 0, ns = 0, k = 0;
	clist *list = NULL;
	int r;

	*ret_msgs = NULL;
	*ret_n = 0;
	if ((res = need_selected(im)) != IMAP_OK)
		return res;
	if (n == 0)
		return IMAP_OK;
	want = xreallocarray(NULL, n, sizeof(*want));
	memcpy(want, uids, n * sizeof(*want));
	qsort(want, n, sizeof(*want), cmp_u32);

	/* Pass 1: UID, INTERNALDATE, RFC822.SIZE. */
	r = uid_fetch(im, want, n, false, &list);
	if (r != MAILIMAP_NO_ERROR)
		return command_failed(im, r, IMAP_MSG_BAD, "UID FETCH (INTERNALDATE RFC822.SIZE)");
	if (!list)
		return IMAP_OK;
	msgs = xreallocarray(NULL, clist_count(list) + 1, sizeof(*msgs));
	for (clistiter *it = clist_begin(list); it; it = clist_next(it)) {
		struct att_view v;

		att_view_read(clist_content(it), &v);
		/* Unsolicited FETCH responses (flag changes) carry no size. */
		if (v.uid == 0 || !v.has_size || !uid_wanted(want, n, v.uid))
			continue;
		msgs[nm++] = (struct imap_message){
		    .uid = v.uid, .internaldate = v.has_date ? v.date : 0, .size = v.size};
	}
	mailimap_fetch_list_free(list);
	list = NULL;
	if (nm == 0) {
		free(msgs);
		return IMAP_OK;
	}
	qsort(msgs, nm, sizeof(*msgs), cmp_msg_uid);
	for (size_t i = 0; i < nm; i++)
		if (k == 0 || msgs[i].uid != msgs[k - 1].uid)
			msgs[k++] = msgs[i];
	nm = k;

	/* Pass 2: bodies of the messages within the limit. */
	small = xreallocarray(NULL, nm, sizeof(*small));
	for (size_t i = 0; i < nm; i++)
		if (msgs[i].size <= max_size)
			small[ns++] = msgs[i].uid;
	if (ns > 0) {
		r = uid_fetch(im, small, ns, true, &list);
		if (r != MAILIMAP_NO_ERROR) {
			imap_messages_free(msgs, nm);
			return command_failed(im, r, IMAP_MSG_BAD, "UID FETCH (BODY.PEEK[])");
		}
		for (clistiter *it = list ? clist_begin(list) : NULL; it; it = clist_next(it)) {
			struct imap_message *m;
			struct att_view v;

			att_view_read(clist_content(it), &v);
			if (v.uid == 0 || !v.body)
				continue;
			m = find_msg(msgs, nm, v.uid);
			if (!m || m->data || m->size > max_size)
				continue;
			/* Bigger than announced and over the limit: treat as oversized. */
			if (v.body_len > max_size) {
				m->size = v.body_len;
				continue;
			}
			m->data = xmalloc(v.body_len + 1);
			memcpy(m->data, v.body, v.body_len);
			m->data[v.body_len] = '\0';
			m->len = v.body_len;
		}
		if (list)
			mailimap_fetch_list_free(list);
	}

	/* A message within the limit but without a body has been expunged meanwhile. */
	k = 0;
	for (size_t i = 0; i < nm; i++) {
		if (msgs[i].size <= max_size && !msgs[i].data)
			continue;
		msgs[k++] = msgs[i];
	}
	if (k == 0) {
		free(msgs);
		return IMAP_OK;
	}
	*ret_msgs = msgs;
	*ret_n = k;
	return IMAP_OK;
}

/* ------------------------------------------------------------ move */

enum imap_result
imap_move(struct imap *im, const uint32_t *uids, size_t n, const char *folder)
{
	_cleanup_free_ char *wire = NULL;
	struct mailimap_store_att_flags *att;
	struct mailimap_flag_list *fl;
	struct mailimap_set *set;
	enum imap_result res;
	int r;

	if ((res = need_selected(im)) != IMAP_OK)
		return res;
	if (!(wire = mailbox_encode(im, folder)))
		return IMAP_BOX_BAD;
	if (!(set = uid_set_new(uids, n)))
		return IMAP_OK;
	if (im->has_move) {
		r = mailimap_uid_move(im->s, set, wire);
		mailimap_set_free(set);
		if (r != MAILIMAP_NO_ERROR)
			return command_failed(im, r, IMAP_BOX_BAD, "UID MOVE");
		return IMAP_OK;
	}
	r = mailimap_uid_copy(im->s, set, wire);
	if (r != MAILIMAP_NO_ERROR) {
		mailimap_set_free(set);
		return command_failed(im, r, IMAP_BOX_BAD, "UID COPY");
	}
	fl = mailimap_flag_list_new_empty();
	mailimap_flag_list_add(fl, mailimap_flag_new_deleted());
	att = mailimap_store_att_flags_new_add_flags_silent(fl);
	r = mailimap_uid_store(im->s, set, att);
	mailimap_store_att_flags_free(att);
	if (r != MAILIMAP_NO_ERROR) {
		mailimap_set_free(set);
		return command_failed(im, r, IMAP_BOX_BAD, "UID STORE +FLAGS (\\Deleted)");
	}
	if (!im->has_uidplus) {
		mailimap_set_free(set);
		set_error(im,
		          "server lacks UIDPLUS: messages copied to %s and flagged \\Deleted "
		          "but left in place",
		          folder);
		return IMAP_OK;
	}
	r = mailimap_uid_expunge(im->s, set);
	mailimap_set_free(set);
	if (r != MAILIMAP_NO_ERROR)
		return command_failed(im, r, IMAP_BOX_BAD, "UID EXPUNGE");
	return IMAP_OK;
}

/* ------------------------------------------------------------ idle, noop */

enum imap_result
imap_noop(struct imap *im)
{
	enum imap_result res;
	int r;

	if ((res = need_connected(im)) != IMAP_OK)
		return res;
	r = mailimap_noop(im->s);
	if (r != MAILIMAP_NO_ERROR)
		return command_failed(im, r, IMAP_SERVER_BAD, "NOOP");
	return IMAP_OK;
}

/* Wait for wake_fd (or the timeout), then NOOP: for servers without IDLE. */
static enum imap_result
idle_by_noop(struct imap *im, int timeout_ms, int wake_fd, bool *ret_changed)
{
	struct pollfd pfd = {.fd = wake_fd, .events = POLLIN};
	struct mailimap_selection_info *si;
	enum imap_result res;

	(void)poll(&pfd, wake_fd >= 0 ? 1 : 0, timeout_ms);
	if ((res = imap_noop(im)) != IMAP_OK)
		return res;
	si = im->s->imap_selection_info;
	*ret_changed = si && si->sel_has_exists;
	return IMAP_OK;
}

enum imap_result
imap_idle(struct imap *im, int timeout_ms, int wake_fd, bool *ret_changed)
{
	struct mailimap_selection_info *si;
	struct pollfd pfd[2];
	enum imap_result res;
	uint32_t before;
	int r, fd;

	*ret_changed = false;
	if ((res = need_selected(im)) != IMAP_OK)
		return res;
	si = im->s->imap_selection_info;
	/* Mail announced during an earlier command: report it without waiting. */
	if (si->sel_has_exists) {
		*ret_changed = true;
		return IMAP_OK;
	}
	if (timeout_ms < 0 || timeout_ms > IMAP_IDLE_MAX_MS)
		timeout_ms = IMAP_IDLE_MAX_MS;
	if (!im->has_idle)
		return idle_by_noop(im, timeout_ms, wake_fd, ret_changed);

	before = si->sel_exists;
	r = mailimap_idle(im->s);
	if (r != MAILIMAP_NO_ERROR)
		return command_failed(im, r, IMAP_SERVER_BAD, "IDLE");

	/* Data read together with the "+" continuation would never wake poll(). */
	if (im->s->imap_stream->read_buffer_len == 0) {
		fd = mailimap_idle_get_fd(im->s);
		pfd[0] = (struct pollfd){.fd = fd, .events = POLLIN};
		pfd[1] = (struct pollfd){.fd = wake_fd, .events = POLLIN};
		/* EINTR simply ends the wait early; the caller loops. */
		(void)poll(pfd, wake_fd >= 0 ? 2 : 1, timeout_ms);
	}

	r = mailimap_idle_done(im->s);
	if (r != MAILIMAP_NO_ERROR)
		return command_failed(im, r, IMAP_SERVER_BAD, "IDLE DONE");
	si = im->s->imap_selection_info;
	if (!si) {
		set_error(im, "mailbox deselected during IDLE");
		return IMAP_BOX_BAD;
	}
	*ret_changed = si->sel_has_exists || si->sel_exists > before;
	return IMAP_OK;
}
