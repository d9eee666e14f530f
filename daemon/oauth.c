/*
 * oauth.c - the token source: credentials, the token requests of each grant,
 * the cached token and the refresh token written back.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "http.h"
#include "jwt.h"
#include "log.h"
#include "oauth.h"
#include "oauth_sign.h"
#include "util.h"

#define ASSERTION_TYPE "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
#define JWT_BEARER_GRANT "urn:ietf:params:oauth:grant-type:jwt-bearer"

struct oauth {
	struct token_source ts; /* first: oauth_source() and back */
	pthread_mutex_t lock;
	int refs;

	char *grant, *token_url, *client_id, *scope, *mailbox;
	char *secret;            /* client secret, or NULL */
	struct oauth_key *key;   /* certificate credential or service account key, or NULL */
	char *sa_email, *sa_kid; /* service account */
	char *refresh_token, *refresh_path;
	struct timespec refresh_mtime; /* of the file when last read or written */
	bool refresh_save_failed;

	char *token; /* the access token held, or NULL */
	time_t expires, lifetime;
	uint64_t gen;
	time_t fail_until;
	enum token_result fail_result;
	char *fail_error;
};

static void
wipe_free(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

static void
oauth_free(struct oauth *o)
{
	free(o->grant);
	free(o->token_url);
	free(o->client_id);
	free(o->scope);
	free(o->mailbox);
	wipe_free(o->secret);
	oauth_key_free(o->key);
	free(o->sa_email);
	free(o->sa_kid);
	wipe_free(o->refresh_token);
	free(o->refresh_path);
	wipe_free(o->token);
	free(o->fail_error);
	pthread_mutex_destroy(&o->lock);
	free(o);
}

static void
ts_ref(struct token_source *ts)
{
	struct oauth *o = (struct oauth *)ts;

	pthread_mutex_lock(&o->lock);
	o->refs++;
	pthread_mutex_unlock(&o->lock);
}

void
oauth_unref(struct oauth *o)
{
	int left;

	if (o == NULL)
		return;
	pthread_mutex_lock(&o->lock);
	left = --o->refs;
	pthread_mutex_unlock(&o->lock);
	if (left == 0)
		oauth_free(o);
}

static void
ts_unref(struct token_source *ts)
{
	oauth_unref((struct oauth *)ts);
}

struct token_source *
oauth_source(struct oauth *o)
{
	return &o->ts;
}

/* ------------------------------------------------------------ requests */

enum token_result
oauth_post(const char *url, const char *body, struct oauth_answer *ret, char **ret_answer,
	   size_t *ret_len, char **ret_error)
{
	_cleanup_free_ char *answer = NULL, *err = NULL;
	size_t len = 0;
	long status = 0;
	int r;

	r = http_post_form(url, body, OAUTH_MAX_RESPONSE, OAUTH_TIMEOUT, &status, &answer, &len,
			   &err);
	if (r < 0) {
		*ret_error = xasprintf("the identity provider at %s cannot be reached: %s", url, err);
		return TOKEN_UNREACHABLE;
	}
	r = oauth_answer_parse(answer, len, ret, &err);
	if (r < 0 && (status == 400 || status == 401 || status == 403)) {
		/* a refusal without RFC 6749's JSON (glewlwyd answers so): still a refusal */
		*ret = (struct oauth_answer){
		    .error = xstrdup(status == 400 ? "invalid_grant" : "invalid_client"),
		    .error_description = xasprintf("HTTP %ld without a reason; the provider's own log says why", status),
		};
		return TOKEN_OK;
	}
	if (r < 0) {
		*ret_error = xasprintf("the identity provider at %s answered HTTP %ld without a token answer: %s",
				       url, status, err);
		return TOKEN_UNREACHABLE;
	}
	if (ret->error == NULL && status != 200) {
		oauth_answer_done(ret);
		*ret_error = xasprintf("the identity provider at %s answered HTTP %ld with a token; not using it", url, status);
		return TOKEN_UNREACHABLE;
	}
	if (ret_answer != NULL) {
		*ret_answer = TAKE_PTR(answer);
		*ret_len = len;
	} else if (answer != NULL)
		explicit_bzero(answer, len);
	return TOKEN_OK;
}

/* The assertion of a certificate credential or a service account, signed now. */
static char *
make_assertion(struct oauth *o, time_t now, char **ret_error)
{
	_cleanup_free_ char *input = NULL;
	unsigned char rnd[16];
	char jti[37];
	struct jwt_claims c;
	char *jwt;

	if (oauth_random(rnd, sizeof(rnd)) < 0) {
		*ret_error = xstrdup("no random numbers for the assertion's jti");
		return NULL;
	}
	jwt_uuid(rnd, jti);
	if (o->sa_email != NULL) /* Google: RFC 7523 section 2.1 */
		c = (struct jwt_claims){.iss = o->sa_email, .sub = o->mailbox, .aud = o->token_url,
					.scope = o->scope, .iat = now, .exp = now + 3600};
	else /* Entra: a certificate credential (client assertion, RFC 7523 section 2.2) */
		c = (struct jwt_claims){.iss = o->client_id, .sub = o->client_id, .aud = o->token_url,
					.jti = jti, .iat = now, .exp = now + 600, .nbf = 1};
	input = jwt_signing_input(&c, oauth_key_x5t(o->key), o->sa_kid);
	if (input == NULL) {
		*ret_error = xstrdup("cannot build the assertion (a control character in a claim)");
		return NULL;
	}
	jwt = oauth_key_sign_jwt(o->key, input);
	if (jwt == NULL)
		*ret_error = xstrdup("cannot sign the assertion with the key");
	return jwt;
}

static const char *
grant_words(const char *grant)
{
	if (streq(grant, "refresh_token"))
		return "refresh token";
	if (streq(grant, "jwt_bearer"))
		return "service account (JWT bearer)";
	return "client credentials";
}

static struct timespec
file_mtime(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return (struct timespec){0, 0};
	return st.st_mtim;
}

/*
 * Take up a refresh token written since it was read: by oauth login (no
 * reload needed), or rotated by oauth status while the daemon runs (a
 * provider that retires used refresh tokens would refuse the old one).
 */
static void
reread_refresh_token(struct oauth *o)
{
	struct timespec t = file_mtime(o->refresh_path);
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	FILE *f;

	if (t.tv_sec == o->refresh_mtime.tv_sec && t.tv_nsec == o->refresh_mtime.tv_nsec)
		return;
	f = fopen(o->refresh_path, "re");
	if (f == NULL)
		return;
	if (getline(&line, &cap, f) > 0) {
		line[strcspn(line, "\r\n")] = '\0';
		if (oauth_token_valid(line) && !streq(line, o->refresh_token)) {
			wipe_free(o->refresh_token);
			o->refresh_token = TAKE_PTR(line);
			log_info("OAuth: took up the refresh token written to %s", o->refresh_path);
		}
	}
	fclose(f);
	if (line != NULL)
		explicit_bzero(line, strlen(line));
	o->refresh_mtime = t;
}

/* Ask the provider for a new token; the lock is held. */
static enum token_result
request_token(struct oauth *o, time_t now, char **ret_error)
{
	_cleanup_buf_ struct buf body = BUF_INIT;
	_cleanup_free_ char *assertion = NULL;
	struct oauth_answer a = {0};
	enum token_result res;

	if (streq(o->grant, "jwt_bearer")) {
		assertion = make_assertion(o, now, ret_error);
		if (assertion == NULL)
			return TOKEN_REFUSED;
		(void)oauth_form_add(&body, "grant_type", JWT_BEARER_GRANT);
		(void)oauth_form_add(&body, "assertion", assertion);
	} else {
		if (streq(o->grant, "refresh_token")) {
			reread_refresh_token(o);
			(void)oauth_form_add(&body, "grant_type", "refresh_token");
			(void)oauth_form_add(&body, "refresh_token", o->refresh_token);
		} else
			(void)oauth_form_add(&body, "grant_type", "client_credentials");
		(void)oauth_form_add(&body, "client_id", o->client_id);
		if (o->secret != NULL)
			(void)oauth_form_add(&body, "client_secret", o->secret);
		else if (o->key != NULL) {
			assertion = make_assertion(o, now, ret_error);
			if (assertion == NULL)
				return TOKEN_REFUSED;
			(void)oauth_form_add(&body, "client_assertion_type", ASSERTION_TYPE);
			(void)oauth_form_add(&body, "client_assertion", assertion);
		}
		if (!isempty(o->scope))
			(void)oauth_form_add(&body, "scope", o->scope);
	}
	res = oauth_post(o->token_url, buf_str(&body), &a, NULL, NULL, ret_error);
	explicit_bzero(body.data, body.len);
	if (assertion != NULL)
		explicit_bzero(assertion, strlen(assertion));
	if (res != TOKEN_OK)
		return res;
	if (a.error != NULL) {
		bool temporary = streq(a.error, "temporarily_unavailable") || streq(a.error, "server_error");

		*ret_error = xasprintf("the identity provider at %s refused the %s grant for %s: %s%s%s%s; %s",
				       o->token_url, grant_words(o->grant), o->mailbox, a.error,
				       *a.error_description ? " (" : "", a.error_description,
				       *a.error_description ? ")" : "",
				       oauth_advice(a.error, a.aadsts, a.error_description, o->grant));
		oauth_answer_done(&a);
		return temporary ? TOKEN_UNREACHABLE : TOKEN_REFUSED;
	}
	wipe_free(o->token);
	o->token = TAKE_PTR(a.access_token);
	o->lifetime = a.expires_in;
	o->expires = now + a.expires_in;
	o->gen++;
	log_info("OAuth: a new access token for %s from %s (%s grant), valid for %ld seconds",
		 o->mailbox, o->token_url, grant_words(o->grant), a.expires_in);
	if (a.refresh_token != NULL && o->refresh_token != NULL &&
	    !streq(a.refresh_token, o->refresh_token)) {
		_cleanup_free_ char *err = NULL;

		wipe_free(o->refresh_token);
		o->refresh_token = TAKE_PTR(a.refresh_token);
		if (oauth_write_refresh_token(o->refresh_path, o->refresh_token, &err) < 0) {
			if (!o->refresh_save_failed)
				log_warning("OAuth: the provider rotated the refresh token but it cannot be saved: %s; "
					    "complaintsd uses the new one until it stops, after that run complaintsctl oauth login again "
					    "(set [oauth2] refresh_token_file to a writable path such as /var/lib/complaintsd/oauth-refresh-token)",
					    err);
			o->refresh_save_failed = true;
		} else {
			o->refresh_save_failed = false;
			o->refresh_mtime = file_mtime(o->refresh_path);
			log_info("OAuth: saved the rotated refresh token to %s", o->refresh_path);
		}
	}
	oauth_answer_done(&a);
	return TOKEN_OK;
}

static bool
token_fresh(const struct oauth *o, time_t now)
{
	time_t margin = o->lifetime / 4;

	if (margin > 300)
		margin = 300;
	return o->token != NULL && now + margin < o->expires;
}

static enum token_result
ts_get(struct token_source *ts, uint64_t avoid, char **ret_token, uint64_t *ret_gen,
       char **ret_error)
{
	struct oauth *o = (struct oauth *)ts;
	time_t now = time(NULL);
	enum token_result res = TOKEN_OK;

	*ret_token = NULL;
	*ret_error = NULL;
	pthread_mutex_lock(&o->lock);
	if (o->token != NULL && avoid != 0 && avoid == o->gen) {
		/* refused by a server, or its session dropped: never hand it out again */
		wipe_free(o->token);
		o->token = NULL;
	}
	if (!token_fresh(o, now)) {
		if (now < o->fail_until) {
			res = o->fail_result;
			*ret_error = xstrdup(o->fail_error);
		} else {
			res = request_token(o, now, ret_error);
			if (res != TOKEN_OK) {
				free(o->fail_error);
				o->fail_error = xstrdup(*ret_error);
				o->fail_result = res;
				o->fail_until = now + OAUTH_RETRY_SECONDS;
			}
		}
	}
	if (res == TOKEN_OK) {
		*ret_token = xstrdup(o->token);
		*ret_gen = o->gen;
	}
	pthread_mutex_unlock(&o->lock);
	return res;
}

time_t
oauth_expiry(struct oauth *o)
{
	time_t t;

	pthread_mutex_lock(&o->lock);
	t = o->token != NULL ? o->expires : 0;
	pthread_mutex_unlock(&o->lock);
	return t;
}

time_t
oauth_certificate_expiry(const struct oauth *o)
{
	return o->key != NULL && o->sa_email == NULL ? (time_t)oauth_key_not_after(o->key) : 0;
}

int
oauth_write_refresh_token(const char *path, const char *token, char **ret_error)
{
	_cleanup_free_ char *tmp = xasprintf("%s.XXXXXX", path), *line = xasprintf("%s\n", token);
	size_t len = strlen(line);
	int fd = mkostemp(tmp, O_CLOEXEC), r = 0;

	if (fd < 0) {
		*ret_error = xasprintf("%s: cannot create a file beside it: %s", path, strerror(errno));
		explicit_bzero(line, len);
		return -errno;
	}
	if (fchmod(fd, 0600) < 0 || write(fd, line, len) != (ssize_t)len || fsync(fd) < 0)
		r = -errno;
	if (r == 0 && geteuid() == 0) {
		/* root running oauth login for the daemon: the file keeps the owner of the
		 * one it replaces, or takes its directory's, so the daemon can read it */
		_cleanup_free_ char *dir = xstrdup(path);
		char *slash = strrchr(dir, '/');
		struct stat st;

		if (slash != NULL)
			*(slash == dir ? slash + 1 : slash) = '\0';
		if ((stat(path, &st) == 0 || stat(slash != NULL ? dir : ".", &st) == 0) &&
		    fchown(fd, st.st_uid, st.st_gid) < 0)
			r = -errno;
	}
	explicit_bzero(line, len);
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		*ret_error = xasprintf("%s: cannot write: %s", path, strerror(-r));
		(void)unlink(tmp);
		return r;
	}
	{
		/* the rename itself must survive a crash */
		_cleanup_free_ char *dir = xstrdup(path);
		char *slash = strrchr(dir, '/');
		int dfd;

		if (slash != NULL)
			*(slash == dir ? slash + 1 : slash) = '\0';
		dfd = open(slash != NULL ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			(void)fsync(dfd);
			close(dfd);
		}
	}
	return 0;
}

/* ------------------------------------------------------------ credentials */

static void
load_key(struct oauth *o, const struct config *cfg, const char *key_name, const char *file,
	 struct errlist *errs)
{
	_cleanup_free_ char *pem = NULL, *err = NULL, *path = config_credential_path(cfg, file);
	size_t len;

	if (config_read_credential(cfg, file, 1024 * 1024, &pem, &len, errs) < 0)
		return;
	if (oauth_key_load(pem, len, true, &o->key, &err) < 0)
		errlist_add(errs, "%s: oauth2.%s: %s", path, key_name, err);
	else if (oauth_key_not_after(o->key) > 0 && oauth_key_not_after(o->key) < time(NULL))
		errlist_add(errs, "%s: oauth2.%s: the certificate has expired: create a new one and upload it to the app registration",
			    path, key_name);
	explicit_bzero(pem, len);
}

static void
load_service_account(struct oauth *o, const struct config *cfg, struct errlist *errs)
{
	_cleanup_free_ char *json = NULL, *err = NULL,
			   *path = config_credential_path(cfg, cfg->oauth_service_account_file);
	struct oauth_service_account sa = {0};
	size_t len;

	if (config_read_credential(cfg, cfg->oauth_service_account_file, 64 * 1024, &json, &len,
				   errs) < 0)
		return;
	if (oauth_service_account_parse(json, len, &sa, &err) < 0) {
		errlist_add(errs, "%s: oauth2.service_account_file: %s", path, err);
		explicit_bzero(json, len);
		return;
	}
	explicit_bzero(json, len);
	free(err);
	err = NULL;
	if (oauth_key_load(sa.private_key, strlen(sa.private_key), false, &o->key, &err) < 0)
		errlist_add(errs, "%s: oauth2.service_account_file: private_key: %s", path, err);
	o->sa_email = TAKE_PTR(sa.client_email);
	o->sa_kid = TAKE_PTR(sa.private_key_id);
	if (sa.token_uri != NULL && isempty(cfg->oauth_token_url)) {
		free(o->token_url);
		o->token_url = TAKE_PTR(sa.token_uri);
	}
	oauth_service_account_done(&sa);
}

int
oauth_new(const struct config *cfg, struct oauth **ret, struct errlist *errs)
{
	struct oauth *o = xcalloc(1, sizeof(*o));
	size_t errs_before = errs->n;

	o->ts = (struct token_source){.get = ts_get, .ref = ts_ref, .unref = ts_unref};
	pthread_mutex_init(&o->lock, NULL);
	o->refs = 1;
	o->grant = xstrdup(cfg->oauth_grant);
	o->token_url = xstrdup(cfg->oauth_token_url);
	o->client_id = xstrdup(cfg->oauth_client_id);
	o->scope = xstrdup(cfg->oauth_scope);
	o->mailbox = xstrdup(cfg->imap_username);
	if (streq(cfg->oauth_grant, "jwt_bearer"))
		load_service_account(o, cfg, errs);
	else {
		if (!isempty(cfg->oauth_client_secret_file) &&
		    config_read_secret(cfg, cfg->oauth_client_secret_file, &o->secret, errs) == 0 &&
		    isempty(o->secret))
			errlist_add(errs, "%s: oauth2.client_secret_file: the first line is empty",
				    cfg->oauth_client_secret_file);
		if (!isempty(cfg->oauth_client_certificate_file))
			load_key(o, cfg, "client_certificate_file", cfg->oauth_client_certificate_file, errs);
	}
	if (streq(cfg->oauth_grant, "refresh_token")) {
		o->refresh_path = config_credential_path(cfg, cfg->oauth_refresh_token_file);
		if (config_read_secret(cfg, cfg->oauth_refresh_token_file, &o->refresh_token, errs) < 0)
			errlist_add(errs, "%s: no refresh token yet: run complaintsctl oauth login", o->refresh_path);
		else if (!oauth_token_valid(o->refresh_token))
			errlist_add(errs, "%s: oauth2.refresh_token_file: not a refresh token: run complaintsctl oauth login",
				    o->refresh_path);
		o->refresh_mtime = file_mtime(o->refresh_path);
	}
	if (errs->n > errs_before) {
		oauth_free(o);
		return -EINVAL;
	}
	*ret = o;
	return 0;
}
