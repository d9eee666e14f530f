/*
 * smtp.c - SMTP submission with libcurl (the only file including curl.h).
 *
 * One easy handle per struct smtp, configured once; every send only changes
 * the envelope and the data, so curl keeps the connection open between the
 * sends of a batch (same URL, same handle).  The result is classified the
 * way the outbox needs it (see smtp.h): reply code 4xx or a network error
 * is temporary, 5xx for the message is permanent, and authentication or TLS
 * problems are the administrator's, whatever the message.
 */
#include "config.h"

#include <curl/curl.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "compose.h"
#include "smtp.h"
#include "util.h"

/* The last server reply we keep for error texts. */
#define REPLY_MAX 300

struct smtp {
	CURL *curl;
	char *url;      /* scheme://host[:port]/helo */
	char *base_url; /* scheme://host[:port], for messages */
	char *username;
	char *password;
	struct token_source *token; /* OAuth 2.0, or NULL */
	uint64_t refused_gen;       /* a token the server refused: ask for another */
	char errbuf[CURL_ERROR_SIZE];
	char reply[REPLY_MAX]; /* the server's last 4xx/5xx line (else its last line), for errors */
	bool reply_is_error;
	bool auth_offered; /* an EHLO reply line advertised AUTH */
	bool auth_ok;      /* the server answered 235 (authentication successful) */
};

/* What a send reads its data from. */
struct source {
	const char *data;
	size_t len, pos;
};

const char *
smtp_result_to_string(enum smtp_result r)
{
	switch (r) {
	case SMTP_OK:
		return "ok";
	case SMTP_TEMPFAIL:
		return "tempfail";
	case SMTP_PERMFAIL:
		return "permfail";
	case SMTP_CONFIG:
		return "config";
	}
	return "unknown";
}

static size_t
read_cb(char *buf, size_t size, size_t nmemb, void *userdata)
{
	struct source *src = userdata;
	size_t n = size * nmemb, left = src->len - src->pos;

	if (n > left)
		n = left;
	memcpy(buf, src->data + src->pos, n);
	src->pos += n;
	return n;
}

/*
 * Keep the server's last error reply (a 221 after QUIT must not hide the 550
 * that mattered), else its last line; never what we send, which holds AUTH.
 */
static int
debug_cb(CURL *c, curl_infotype type, char *data, size_t size, void *userdata)
{
	struct smtp *s = userdata;
	size_t n = size;
	bool is_error;

	(void)c;
	if (type != CURLINFO_HEADER_IN || size == 0)
		return 0;
	if (size >= 8 && (strncmp(data, "250-AUTH", 8) == 0 || strncmp(data, "250 AUTH", 8) == 0))
		s->auth_offered = true;
	if (size >= 3 && strncmp(data, "235", 3) == 0)
		s->auth_ok = true;
	is_error = data[0] == '4' || data[0] == '5';
	if (s->reply_is_error && !is_error)
		return 0;
	s->reply_is_error = is_error;
	while (n > 0 && (data[n - 1] == '\n' || data[n - 1] == '\r'))
		n--;
	if (n >= sizeof(s->reply))
		n = sizeof(s->reply) - 1;
	for (size_t i = 0; i < n; i++)
		s->reply[i] = (data[i] >= 0x20 && data[i] < 0x7f) ? data[i] : ' ';
	s->reply[n] = '\0';
	return 0;
}

static bool
helo_ok(const char *h)
{
	if (isempty(h) || strlen(h) > 253)
		return false;
	for (const char *p = h; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '.'))
			return false;
	return true;
}

static int fail_new(char **ret_error, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
fail_new(char **ret_error, const char *fmt, ...)
{
	va_list ap;

	if (ret_error) {
		va_start(ap, fmt);
		*ret_error = xvasprintf(fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

void
smtp_free(struct smtp *s)
{
	if (!s)
		return;
	if (s->curl)
		curl_easy_cleanup(s->curl);
	if (s->password) {
		explicit_bzero(s->password, strlen(s->password));
		free(s->password);
	}
	if (s->token)
		s->token->unref(s->token);
	free(s->username);
	free(s->url);
	free(s->base_url);
	free(s);
}

#define SETOPT(s, opt, val)                                                                        \
	do {                                                                                       \
		if (curl_easy_setopt((s)->curl, opt, val) != CURLE_OK) {                           \
			smtp_free(s);                                                              \
			return fail_new(ret_error, "libcurl refused option %s", #opt);             \
		}                                                                                  \
	} while (0)

int
smtp_new(const struct smtp_config *cfg, struct smtp **ret, char **ret_error)
{
	struct smtp *s;
	const char *rest, *slash, *helo;
	bool implicit_tls;
	long timeout;
	_cleanup_free_ char *hostport = NULL, *path = NULL;

	if (ret_error)
		*ret_error = NULL;
	if (!cfg || isempty(cfg->url))
		return fail_new(ret_error, "no SMTP URL");
	if ((rest = startswith_nocase(cfg->url, "smtps://")))
		implicit_tls = true;
	else if ((rest = startswith_nocase(cfg->url, "smtp://")))
		implicit_tls = false;
	else
		return fail_new(ret_error, "%s: the SMTP URL must start with smtp:// or smtps://",
		                cfg->url);
	slash = strchr(rest, '/');
	hostport = slash ? xstrndup(rest, (size_t)(slash - rest)) : xstrdup(rest);
	path = xstrdup(slash ? slash + 1 : "");
	if (*hostport == '\0' || strpbrk(hostport, "@?# \t\r\n"))
		return fail_new(ret_error, "%s: the SMTP URL needs a host (and no user part)",
		                cfg->url);
	helo = !isempty(cfg->helo_name) ? cfg->helo_name : *path ? path : "localhost";
	if (!helo_ok(helo))
		return fail_new(ret_error, "%s: not a valid EHLO name", helo);
	if (cfg->token && isempty(cfg->username))
		return fail_new(ret_error, "%s: OAuth 2.0 needs the mailbox as the SMTP user name", cfg->url);
	if (!isempty(cfg->username) && !implicit_tls && !cfg->starttls)
		return fail_new(
		    ret_error,
		    "%s: refusing to send the SMTP password over a connection without TLS "
		    "(use starttls or smtps://)",
		    cfg->url);

	s = xcalloc(1, sizeof(*s));
	s->curl = curl_easy_init();
	if (!s->curl) {
		smtp_free(s);
		return fail_new(ret_error, "curl_easy_init failed");
	}
	s->base_url = xasprintf("%s://%s", implicit_tls ? "smtps" : "smtp", hostport);
	s->url = xasprintf("%s/%s", s->base_url, helo);
	timeout = cfg->timeout > 0 ? cfg->timeout : 60;

	SETOPT(s, CURLOPT_URL, s->url);
	SETOPT(s, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	SETOPT(s, CURLOPT_NOSIGNAL, 1L);
	SETOPT(s, CURLOPT_ERRORBUFFER, s->errbuf);
	SETOPT(s, CURLOPT_CONNECTTIMEOUT, timeout < 15 ? timeout : 15L);
	SETOPT(s, CURLOPT_TIMEOUT, timeout);
	SETOPT(s, CURLOPT_SERVER_RESPONSE_TIMEOUT, timeout);
	SETOPT(s, CURLOPT_UPLOAD, 1L);
	SETOPT(s, CURLOPT_READFUNCTION, read_cb);
	SETOPT(s, CURLOPT_MAIL_RCPT_ALLLOWFAILS, 1L);
	SETOPT(s, CURLOPT_VERBOSE, 1L);
	SETOPT(s, CURLOPT_DEBUGFUNCTION, debug_cb);
	SETOPT(s, CURLOPT_DEBUGDATA, s);
	if (!implicit_tls)
		SETOPT(s, CURLOPT_USE_SSL,
		       cfg->starttls ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_NONE);
	SETOPT(s, CURLOPT_SSL_VERIFYPEER, cfg->tls_verify ? 1L : 0L);
	SETOPT(s, CURLOPT_SSL_VERIFYHOST, cfg->tls_verify ? 2L : 0L);
	if (!isempty(cfg->ca_file))
		SETOPT(s, CURLOPT_CAINFO, cfg->ca_file);
	if (cfg->token) {
		s->username = xstrdup(cfg->username);
		SETOPT(s, CURLOPT_USERNAME, s->username);
		s->token = cfg->token;
		s->token->ref(s->token);
	} else if (!isempty(cfg->username)) {
		s->username = xstrdup(cfg->username);
		s->password = xstrdup(cfg->password ? cfg->password : "");
		SETOPT(s, CURLOPT_USERNAME, s->username);
		SETOPT(s, CURLOPT_PASSWORD, s->password);
	}
	*ret = s;
	return 0;
}

/* Which curl failures no retry will fix: TLS, STARTTLS, authentication, the URL. */
static bool
is_config_error(CURLcode rc)
{
	switch (rc) {
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
	case CURLE_LOGIN_DENIED:
	case CURLE_USE_SSL_FAILED:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_AUTH_ERROR:
		return true;
	default:
		return false;
	}
}

/* The outbox's view of a finished transfer. */
static enum smtp_result
classify(CURLcode rc, long code)
{
	if (rc == CURLE_OK)
		return SMTP_OK;
	if (is_config_error(rc))
		return SMTP_CONFIG;
	/* 530 authentication required, 534/535/538: authentication problems */
	if (code == 530 || code == 534 || code == 535 || code == 538)
		return SMTP_CONFIG;
	if (code >= 500 && code <= 599)
		return SMTP_PERMFAIL;
	return SMTP_TEMPFAIL;
}

/* Did the last transfer run on a connection kept from an earlier one? */
static bool
reused_connection(struct smtp *s)
{
	long fresh = 1;

	return curl_easy_getinfo(s->curl, CURLINFO_NUM_CONNECTS, &fresh) == CURLE_OK && fresh == 0;
}

/* Did the server refuse the login itself (not the message)? */
static bool
auth_refused(CURLcode rc, long code)
{
	return rc == CURLE_LOGIN_DENIED || rc == CURLE_AUTH_ERROR || code == 530 || code == 534 ||
	       code == 535 || code == 538;
}

/* Hand the source's token to curl: SMTP_OK, or the failure with *ret_error. */
static enum smtp_result
set_token(struct smtp *s, uint64_t *ret_gen, char **ret_error)
{
	char *token = NULL, *error = NULL;
	enum token_result tr = s->token->get(s->token, s->refused_gen, &token, ret_gen, &error);

	if (tr != TOKEN_OK) {
		if (ret_error)
			*ret_error = xasprintf("%s: no token to log in as %s: %s", s->base_url,
					       s->username, error);
		free(error);
		return tr == TOKEN_UNREACHABLE ? SMTP_TEMPFAIL : SMTP_CONFIG;
	}
	curl_easy_setopt(s->curl, CURLOPT_XOAUTH2_BEARER, token); /* curl keeps a copy */
	explicit_bzero(token, strlen(token));
	free(token);
	return SMTP_OK;
}

enum smtp_result
smtp_send(struct smtp *s, const char *mail_from, const char *rcpt, const char *data, size_t len,
          long *ret_code, char **ret_error)
{
	struct source src = {data, len, 0};
	struct curl_slist *rcpts = NULL;
	_cleanup_free_ char *from = NULL, *to = NULL;
	enum smtp_result res;
	uint64_t gen = 0;
	bool new_token = false;
	long code = 0;
	CURLcode rc;

	if (ret_code)
		*ret_code = 0;
	if (ret_error)
		*ret_error = NULL;
	if (!data || !mail_from || (*mail_from && !compose_address_ok(mail_from)) ||
	    !compose_address_ok(rcpt)) {
		if (ret_error)
			*ret_error =
			    xasprintf("%s: refusing to send: invalid sender or recipient address",
			              s->base_url);
		return SMTP_PERMFAIL;
	}
	if (s->token && (res = set_token(s, &gen, ret_error)) != SMTP_OK)
		return res;
	from = xasprintf("<%s>", mail_from);
	to = xasprintf("<%s>", rcpt);
	rcpts = curl_slist_append(NULL, to);
	if (!rcpts) {
		if (ret_error)
			*ret_error = xasprintf("%s: out of memory", s->base_url);
		return SMTP_TEMPFAIL;
	}
	curl_easy_setopt(s->curl, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(s->curl, CURLOPT_MAIL_RCPT, rcpts);
	curl_easy_setopt(s->curl, CURLOPT_READDATA, &src);
	curl_easy_setopt(s->curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);

	/*
	 * A server may limit what one session takes (OpenSMTPD answers 452
	 * after 100 messages) or have dropped an idle connection: a temporary
	 * failure on a reused connection gets one more try, at once, on a new one.
	 */
	for (int attempt = 0;; attempt++) {
		src.pos = 0;
		s->errbuf[0] = '\0';
		s->reply[0] = '\0';
		s->reply_is_error = false;
		code = 0;
		curl_easy_setopt(s->curl, CURLOPT_FRESH_CONNECT, attempt > 0 ? 1L : 0L);
		rc = curl_easy_perform(s->curl);
		curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &code);
		if (s->token && auth_refused(rc, code) && !new_token) {
			/* an expired or revoked token: one new token, on a new connection */
			s->refused_gen = gen;
			new_token = true;
			res = set_token(s, &gen, NULL);
			if (res != SMTP_OK)
				break;
			attempt = 0;
			continue;
		}
		if (attempt > 0 || classify(rc, code) != SMTP_TEMPFAIL || !reused_connection(s))
			break;
	}
	if (s->token && rc == CURLE_OK)
		s->refused_gen = 0;
	curl_easy_setopt(s->curl, CURLOPT_FRESH_CONNECT, 0L);
	/* the handle must not keep pointers to what is freed below */
	curl_easy_setopt(s->curl, CURLOPT_MAIL_RCPT, NULL);
	curl_easy_setopt(s->curl, CURLOPT_READDATA, NULL);
	curl_slist_free_all(rcpts);

	res = classify(rc, code);
	if (ret_code)
		*ret_code = code;
	if (res != SMTP_OK && ret_error) {
		const char *what = s->errbuf[0] ? s->errbuf : curl_easy_strerror(rc);

		if (code >= 400)
			*ret_error = xasprintf("%s: reply %ld: %s%s%s%s", s->base_url, code, what,
			                       s->reply[0] ? " (server said: " : "", s->reply,
			                       s->reply[0] ? ")" : "");
		else if (code > 0)
			*ret_error = xasprintf("%s: %s (last reply: %s)", s->base_url, what,
			                       s->reply[0] ? s->reply : "none");
		else
			*ret_error = xasprintf("%s: %s (no reply code)", s->base_url, what);
		if (s->token && auth_refused(rc, code)) {
			char *e = xasprintf("%s; the server refused a new OAuth token too "
					    "(Exchange Online: give the app SMTP.SendAsApp and enable SMTP AUTH for the mailbox with "
					    "Set-CASMailbox -Identity %s -SmtpClientAuthenticationDisabled $false)",
					    *ret_error, s->username);
			free(*ret_error);
			*ret_error = e;
		}
	}
	return res;
}

enum smtp_check
smtp_check_login(struct smtp *s, char **ret_error)
{
	CURL *c;
	enum smtp_check res = SMTP_CHECK_OTHER;
	const char *what;
	uint64_t gen = 0;
	long code = 0;
	CURLcode rc;

	*ret_error = NULL;
	if (s->token) {
		/* the token goes on the handle before it is copied */
		enum smtp_result tr = set_token(s, &gen, ret_error);

		if (tr != SMTP_OK)
			return tr == SMTP_TEMPFAIL ? SMTP_CHECK_UNREACHABLE : SMTP_CHECK_AUTH_REFUSED;
	}
	c = curl_easy_duphandle(s->curl);
	if (c == NULL) {
		*ret_error = xasprintf("%s: out of memory", s->base_url);
		return SMTP_CHECK_OTHER;
	}
	s->errbuf[0] = '\0';
	s->reply[0] = '\0';
	s->reply_is_error = s->auth_offered = s->auth_ok = false;
	/* the copy shares errbuf and the debug callback's state with s */
	curl_easy_setopt(c, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 0L);
	curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (rc == CURLE_OK) {
		curl_socket_t fd = CURL_SOCKET_BAD;
		char bye[256];
		size_t n = 0;

		/* say goodbye and wait (briefly) for the 221; the connection closes either way */
		if (curl_easy_send(c, "QUIT\r\n", 6, &n) == CURLE_OK &&
		    curl_easy_getinfo(c, CURLINFO_ACTIVESOCKET, &fd) == CURLE_OK &&
		    fd != CURL_SOCKET_BAD) {
			struct pollfd p = {fd, POLLIN, 0};

			for (int i = 0; i < 4 && poll(&p, 1, 500) > 0; i++)
				if (curl_easy_recv(c, bye, sizeof(bye), &n) != CURLE_AGAIN)
					break;
		}
	}
	curl_easy_cleanup(c);
	what = s->errbuf[0] ? s->errbuf : curl_easy_strerror(rc);
	switch (rc) {
	case CURLE_OK:
		if (s->username == NULL || s->auth_ok)
			return SMTP_CHECK_OK;
		res = SMTP_CHECK_NO_AUTH;
		*ret_error = xasprintf("%s: a username is set but the server %s (last reply: %s)",
				       s->base_url,
				       s->auth_offered ? "did not accept AUTH"
						       : "offers no AUTH on this connection",
				       s->reply[0] ? s->reply : "none");
		return res;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
		res = SMTP_CHECK_UNREACHABLE;
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
		res = SMTP_CHECK_TLS;
		break;
	case CURLE_USE_SSL_FAILED:
		res = SMTP_CHECK_NO_STARTTLS;
		break;
	case CURLE_LOGIN_DENIED:
	case CURLE_AUTH_ERROR:
		res = SMTP_CHECK_AUTH_REFUSED;
		break;
	default:
		if (code == 530 || code == 534 || code == 535 || code == 538 ||
		    (code >= 500 && s->reply[0] && strstr(s->reply, "5.7.")))
			res = SMTP_CHECK_AUTH_REFUSED;
		break;
	}
	if (s->reply[0])
		*ret_error = xasprintf("%s: %s (server said: %s)", s->base_url, what, s->reply);
	else
		*ret_error = xasprintf("%s: %s", s->base_url, what);
	return res;
}
