/*
 * imap.c - the IMAP adapter over libetpan 1.9.4: the session, TLS and LOGIN,
 * folders, SELECT and SEARCH (UID FETCH in imap_fetch.c; MOVE, IDLE and NOOP
 * in imap_move.c; the pure helpers in imap_url.c).
 *
 * Guarantees: every network operation is bounded by the configured timeout
 * (connect, TLS handshake, each read and write); after a stream, protocol or
 * parse error the session is closed without a blocking LOGOUT and the call
 * returns IMAP_SERVER_BAD; the certificate chain and host name are verified
 * with GnuTLS before LOGIN; the password never reaches a log or error text;
 * message bodies are taken over from libetpan's buffers (not copied) before
 * the response is freed, and bodies larger than the caller's limit are never
 * fetched.  One struct imap belongs to one thread at a time; a second
 * connection (imap_new_like()) may run in another thread.
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
#include "imap_impl.h" /* the files of the adapter share struct imap */
#include "imap.h"
#include "imap_internal.h"
#include "util.h"

#define IMAP_DEFAULT_TIMEOUT 60
#define IMAP_MAX_CHAIN 16
#define IMAP_LOGOUT_TIMEOUT 5

/* ------------------------------------------------------------ object */

void
set_error(struct imap *im, const char *fmt, ...)
{
	va_list ap;

	free(im->error);
	va_start(ap, fmt);
	im->error = xvasprintf(fmt, ap);
	va_end(ap);
	if (strstr(im->error, "authenticated but not connected") != NULL) {
		/* Exchange Online: the token was good, the mailbox is not the app's */
		char *e = xasprintf("%s (Exchange Online accepted the token, but the app has no permission on the mailbox %s: "
				    "run Add-MailboxPermission -Identity %s -User <the service principal's object ID> -AccessRights FullAccess; see complaintsd.conf(5))",
				    im->error, im->username, im->username);
		free(im->error);
		im->error = e;
	}
}

/* The server's text for the last tagged response, or a placeholder. */
const char *
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
	im->token = cfg->token;
	if (im->token)
		im->token->ref(im->token);
	im->sep = '/';
	return im;
}

struct imap *
imap_new_like(const struct imap *model)
{
	struct imap *im = xcalloc(1, sizeof(*im));

	im->url.host = xstrdup(model->url.host);
	im->url.port = model->url.port;
	im->url.implicit_tls = model->url.implicit_tls;
	im->url.mailbox = xstrdup(model->url.mailbox);
	im->starttls = model->starttls;
	im->tls_verify = model->tls_verify;
	im->username = xstrdup(model->username);
	im->password = xstrdup(model->password);
	im->ca_file = model->ca_file ? xstrdup(model->ca_file) : NULL;
	im->timeout = model->timeout;
	im->token = model->token;
	if (im->token)
		im->token->ref(im->token);
	im->sep = model->sep;
	return im;
}

int
imap_fd(const struct imap *im)
{
	return imap_connected(im) ? mailimap_idle_get_fd(im->s) : -1;
}

/* Close the socket without LOGOUT: safe on a dead connection, never blocks. */
void
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
	/* Exchange Online drops a session when its token expires: log in again with a newer one */
	if (im->logged_in)
		im->token_stale = im->token != NULL && im->token_gen != 0;
	im->logged_in = false;
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
	if (im->token)
		im->token->unref(im->token);
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
bool
is_command_no(int r)
{
	return r >= MAILIMAP_ERROR_APPEND && r <= MAILIMAP_ERROR_UNSUBSCRIBE;
}

/*
 * Turn a libetpan failure into a result: a tagged NO gives on_no and keeps
 * the session; anything else tears the session down and gives SERVER_BAD.
 */
enum imap_result
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

/*
 * AUTHENTICATE XOAUTH2 with the source's token; a refused token is given
 * back (its generation as avoid) and a new one tried once.
 */
static enum imap_result
login_xoauth2(struct imap *im)
{
	uint64_t avoid = im->token_stale ? im->token_gen : 0;
	struct mailimap_capability_data *cd = NULL;
	int rc = mailimap_capability(im->s, &cd);

	if (rc == MAILIMAP_NO_ERROR)
		mailimap_capability_data_free(cd);
	else if (!is_command_no(rc))
		return command_failed(im, rc, IMAP_SERVER_BAD, "CAPABILITY");
	if (!mailimap_has_xoauth2(im->s)) {
		/* no token is asked for: the server could not take it */
		set_error(im, "%s does not offer AUTH=XOAUTH2, so it cannot take an OAuth token: check [imap] url, or use auth = password for this server",
			  im->url.host);
		session_drop(im);
		return IMAP_AUTH_BAD;
	}
	for (int attempt = 0; attempt < 2; attempt++) {
		char *token = NULL, *error = NULL;
		uint64_t gen = 0;
		enum token_result tr = im->token->get(im->token, avoid, &token, &gen, &error);
		int r;

		if (tr != TOKEN_OK) {
			set_error(im, "no token to log in to %s as %s: %s", im->url.host, im->username, error);
			free(error);
			session_drop(im);
			im->token_stale = false;
			return tr == TOKEN_UNREACHABLE ? IMAP_SERVER_BAD : IMAP_AUTH_BAD;
		}
		im->token_gen = gen;
		im->token_stale = false;
		r = mailimap_oauth2_authenticate(im->s, im->username, token);
		explicit_bzero(token, strlen(token));
		free(token);
		if (r == MAILIMAP_NO_ERROR)
			return IMAP_OK;
		if (r != MAILIMAP_ERROR_LOGIN)
			return command_failed(im, r, IMAP_SERVER_BAD, "AUTHENTICATE XOAUTH2");
		avoid = gen; /* a new token, once */
	}
	set_error(im, "XOAUTH2 login as %s refused with a new token too: %s (the identity provider issues tokens, but %s does not accept them for this mailbox)",
		  im->username, server_text(im), im->url.host);
	session_drop(im);
	im->token_stale = false;
	return IMAP_AUTH_BAD;
}

/*
 * LIST "" "" answers with the hierarchy separator of the root (RFC 3501
 * 6.3.8): "/" on Exchange and Gmail, "." on Dovecot with Maildir++ and its
 * default separator.  A server that will not say keeps the names as written.
 * It is also the first command that needs the mailbox, so Exchange Online's
 * "BAD User is authenticated but not connected" (the credentials are valid
 * but have no permission on the mailbox) shows here, as IMAP_AUTH_BAD.
 */
static enum imap_result
learn_separator(struct imap *im)
{
	clist *list = NULL;
	int r;

	r = mailimap_list(im->s, "", "", &list);
	if (list != NULL) {
		clistiter *it = clist_begin(list);
		struct mailimap_mailbox_list *mb = it ? clist_content(it) : NULL;

		if (mb != NULL)
			im->sep = mb->mb_delimiter;
		mailimap_list_result_free(list);
	}
	/* Exchange Online: the login was right but gives no access to this mailbox */
	if (r == MAILIMAP_ERROR_PROTOCOL &&
	    ascii_strcasestr(server_text(im), "User is authenticated but not connected")) {
		set_error(im, "login as %s accepted, but the first command was refused: %s: these credentials give no access to this mailbox",
		          im->username, server_text(im));
		session_drop(im);
		return IMAP_AUTH_BAD;
	}
	if (r != MAILIMAP_NO_ERROR && !is_command_no(r))
		return command_failed(im, r, IMAP_SERVER_BAD, "LIST (hierarchy separator)");
	return IMAP_OK;
}

char
imap_separator(const struct imap *im)
{
	return im->sep;
}

enum imap_result
imap_connect(struct imap *im)
{
	struct mailimap_capability_data *cd = NULL;
	enum imap_result res;
	bool tls = im->url.implicit_tls || im->starttls;
	int r;

	session_drop(im);
	im->sep = '/';
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

	if (r == MAILIMAP_NO_ERROR_NON_AUTHENTICATED && im->token) {
		res = login_xoauth2(im);
		if (res != IMAP_OK)
			return res;
	} else if (r == MAILIMAP_NO_ERROR_NON_AUTHENTICATED) {
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
	if ((res = learn_separator(im)) != IMAP_OK)
		return res;
	im->logged_in = true;
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
	im->logged_in = false; /* our own LOGOUT: the token is still good */
	session_drop(im);
}

/* ------------------------------------------------------------ mailboxes */

/* The wire form of a configured folder name ("/" mapped to the server's separator). */
char *
mailbox_encode(struct imap *im, const char *name)
{
	char *error = NULL, *wire = imap_folder_to_wire(name, im->sep, &error);

	if (wire == NULL) {
		set_error(im, "%s", error);
		free(error);
	}
	return wire;
}

enum imap_result
need_connected(struct imap *im)
{
	if (imap_connected(im))
		return IMAP_OK;
	set_error(im, "not connected");
	session_drop(im);
	return IMAP_SERVER_BAD;
}

enum imap_result
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
imap_folder_exists(struct imap *im, const char *folder, bool *ret_exists)
{
	_cleanup_free_ char *wire = NULL;
	enum imap_result res;
	clist *list = NULL;
	int r;

	*ret_exists = false;
	if ((res = need_connected(im)) != IMAP_OK)
		return res;
	if (!(wire = mailbox_encode(im, folder)))
		return IMAP_NAME_BAD;
	r = mailimap_list(im->s, "", wire, &list);
	/* libetpan hands the list out before looking at the tagged status. */
	*ret_exists = list && clist_count(list) > 0;
	if (list)
		mailimap_list_result_free(list);
	if (r != MAILIMAP_NO_ERROR) {
		*ret_exists = false;
		return command_failed(im, r, IMAP_BOX_BAD, "LIST");
	}
	return IMAP_OK;
}

enum imap_result
imap_ensure_folder(struct imap *im, const char *folder)
{
	_cleanup_free_ char *wire = NULL;
	enum imap_result res;
	bool exists;
	int r;

	if ((res = imap_folder_exists(im, folder, &exists)) != IMAP_OK || exists)
		return res;
	if (!(wire = mailbox_encode(im, folder)))
		return IMAP_NAME_BAD;
	r = mailimap_create(im->s, wire);
	if (r == MAILIMAP_ERROR_CREATE && (ascii_strcasestr(server_text(im), "ALREADYEXISTS") ||
	                                   ascii_strcasestr(server_text(im), "already exists")))
		return IMAP_OK;
	if (r != MAILIMAP_NO_ERROR) {
		_cleanup_free_ char *what = xasprintf("CREATE %s", folder);

		return command_failed(im, r, IMAP_BOX_BAD, what);
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
		return IMAP_NAME_BAD;
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

