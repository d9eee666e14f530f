/*
 * oauth_login.c - `complaintsctl oauth login`: the device authorization
 * grant (RFC 8628) that gives the refresh token of grant = refresh_token.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "http.h"
#include "oauth.h"
#include "util.h"

#define DEVICE_GRANT "urn:ietf:params:oauth:grant-type:device_code"

/* The scope to ask for: Entra issues a refresh token only with offline_access. */
static char *
login_scope(const struct config *cfg)
{
	if (streq(cfg->oauth_provider, "microsoft") && strstr(cfg->oauth_scope, "offline_access") == NULL)
		return xasprintf("%s offline_access", cfg->oauth_scope);
	return xstrdup(cfg->oauth_scope);
}

static void
add_client(struct buf *b, const char *client_id, const char *secret)
{
	(void)oauth_form_add(b, "client_id", client_id);
	if (!isempty(secret))
		(void)oauth_form_add(b, "client_secret", secret);
}

int
oauth_device_login(const struct config *cfg, FILE *out, char **ret_error)
{
	_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
	_cleanup_free_ char *secret = NULL, *scope = login_scope(cfg), *answer = NULL, *err = NULL;
	_cleanup_free_ char *path = NULL;
	_cleanup_buf_ struct buf body = BUF_INIT;
	struct oauth_device dev = {0};
	long status = 0;
	size_t len = 0;
	time_t deadline;
	long interval;
	int r;

	if (!streq(cfg->oauth_grant, "refresh_token")) {
		*ret_error = xasprintf("oauth login is for [oauth2] grant = refresh_token (this configuration uses %s, which needs no sign-in)",
				       isempty(cfg->oauth_grant) ? "no OAuth" : cfg->oauth_grant);
		return -EINVAL;
	}
	if (isempty(cfg->oauth_device_authorization_url)) {
		*ret_error = xstrdup("[oauth2] device_authorization_url is not set (provider = generic needs it)");
		return -EINVAL;
	}
	if (config_read_secret(cfg, cfg->oauth_client_secret_file, &secret, &errs) < 0) {
		*ret_error = xstrdup(errs.v[errs.n - 1]);
		return -EINVAL;
	}
	add_client(&body, cfg->oauth_client_id, secret);
	if (!isempty(scope))
		(void)oauth_form_add(&body, "scope", scope);
	r = http_post_form(cfg->oauth_device_authorization_url, buf_str(&body), OAUTH_MAX_RESPONSE,
			   OAUTH_TIMEOUT, &status, &answer, &len, &err);
	explicit_bzero(body.data, body.len);
	if (r < 0) {
		*ret_error = xasprintf("the identity provider at %s cannot be reached: %s",
				       cfg->oauth_device_authorization_url, err);
		return -EIO;
	}
	if (oauth_device_parse(answer, len, &dev, &err) < 0) {
		struct oauth_answer a = {0};
		_cleanup_free_ char *e2 = NULL;

		if (oauth_answer_parse(answer, len, &a, &e2) == 0 && a.error != NULL)
			*ret_error = xasprintf("the identity provider at %s refused the device authorization: %s%s%s%s; %s",
					       cfg->oauth_device_authorization_url, a.error,
					       *a.error_description ? " (" : "", a.error_description,
					       *a.error_description ? ")" : "",
					       oauth_advice(a.error, a.aadsts, a.error_description, "refresh_token"));
		else
			*ret_error = xasprintf("the identity provider at %s answered HTTP %ld: %s",
					       cfg->oauth_device_authorization_url, status, err);
		oauth_answer_done(&a);
		return -EPROTO;
	}
	fprintf(out, "To sign in as %s, open %s in a browser and enter the code %s\n",
		cfg->imap_username, dev.verification_uri, dev.user_code);
	if (dev.verification_uri_complete != NULL)
		fprintf(out, "(or open %s)\n", dev.verification_uri_complete);
	fprintf(out, "Waiting up to %ld minutes for the sign-in...\n", (dev.expires_in + 59) / 60);
	fflush(out);

	deadline = time(NULL) + dev.expires_in;
	interval = dev.interval;
	for (;;) {
		struct oauth_answer a = {0};
		enum token_result res;
		_cleanup_free_ char *perr = NULL;

		if (time(NULL) + interval > deadline) {
			*ret_error = xstrdup("the code expired before the sign-in finished: run complaintsctl oauth login again");
			r = -ETIMEDOUT;
			break;
		}
		sleep((unsigned)interval);
		buf_reset(&body);
		(void)oauth_form_add(&body, "grant_type", DEVICE_GRANT);
		(void)oauth_form_add(&body, "device_code", dev.device_code);
		add_client(&body, cfg->oauth_client_id, secret);
		res = oauth_post(cfg->oauth_token_url, buf_str(&body), &a, NULL, NULL, &perr);
		explicit_bzero(body.data, body.len);
		if (res != TOKEN_OK) {
			fprintf(out, "(%s; trying again)\n", perr);
			continue;
		}
		if (a.error != NULL && streq(a.error, "authorization_pending")) {
			oauth_answer_done(&a);
			continue;
		}
		if (a.error != NULL && streq(a.error, "slow_down")) {
			interval += 5;
			oauth_answer_done(&a);
			continue;
		}
		if (a.error != NULL) {
			*ret_error = xasprintf("the identity provider at %s refused: %s%s%s%s; %s",
					       cfg->oauth_token_url, a.error,
					       *a.error_description ? " (" : "", a.error_description,
					       *a.error_description ? ")" : "",
					       oauth_advice(a.error, a.aadsts, a.error_description, "refresh_token"));
			oauth_answer_done(&a);
			r = -EACCES;
			break;
		}
		if (a.refresh_token == NULL) {
			*ret_error = xasprintf("the identity provider issued an access token but no refresh token%s",
					       streq(cfg->oauth_provider, "microsoft") ? " (the scope needs offline_access)"
										  : ": allow the refresh token grant for the client");
			oauth_answer_done(&a);
			r = -EPROTO;
			break;
		}
		path = config_credential_path(cfg, cfg->oauth_refresh_token_file);
		r = oauth_write_refresh_token(path, a.refresh_token, ret_error);
		oauth_answer_done(&a);
		if (r == 0)
			fprintf(out, "Signed in. Wrote the refresh token to %s (mode 0600); a running complaintsd takes it up at its next token request.\n",
				path);
		break;
	}
	oauth_device_done(&dev);
	if (secret != NULL)
		explicit_bzero(secret, strlen(secret));
	return r;
}
