/*
 * ctl_oauth.c - `complaintsctl oauth login` and `complaintsctl oauth status`
 * (SPEC section 6).  Neither prints a secret, an assertion or a token.
 */
#include "config.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "conf.h"
#include "context.h"
#include "ctl.h"
#include "oauth.h"
#include "util.h"

static void
print_time(const char *what, time_t t)
{
	char buf[64];
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S %Z", &tm);
	printf("%s%s\n", what, buf);
}

static void
print_credential(const struct config *cfg, const struct oauth *o)
{
	const char *g = cfg->oauth_grant;

	if (streq(g, "jwt_bearer"))
		printf("Credential:   service account key %s (domain-wide delegation, acting as %s)\n",
		       cfg->oauth_service_account_file, cfg->imap_username);
	else if (!isempty(cfg->oauth_client_certificate_file)) {
		printf("Credential:   certificate %s\n", cfg->oauth_client_certificate_file);
		if (o != NULL && oauth_certificate_expiry(o) > 0)
			print_time("              valid until ", oauth_certificate_expiry(o));
	} else if (!isempty(cfg->oauth_client_secret_file))
		printf("Credential:   client secret in %s\n", cfg->oauth_client_secret_file);
	if (streq(g, "refresh_token")) {
		_cleanup_free_ char *path = config_credential_path(cfg, cfg->oauth_refresh_token_file);
		struct stat st;

		if (stat(path, &st) == 0) {
			_cleanup_free_ char *what = xasprintf("Refresh token: %s, written ", path);

			print_time(what, st.st_mtime);
		} else
			printf("Refresh token: %s (none yet: run complaintsctl oauth login)\n", path);
	}
}

static int
oauth_status(const struct config *cfg)
{
	_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
	struct oauth *o = NULL;
	struct token_source *ts;
	char *token = NULL, *error = NULL;
	uint64_t gen;
	enum token_result tr;
	time_t until, now;

	printf("Provider:     %s\n", cfg->oauth_provider);
	printf("Grant:        %s\n", cfg->oauth_grant);
	printf("Mailbox:      %s (IMAP %s, SMTP %s)\n", cfg->imap_username, cfg->imap_auth, cfg->smtp_auth);
	printf("Token URL:    %s\n", cfg->oauth_token_url);
	if (!isempty(cfg->oauth_scope))
		printf("Scope:        %s\n", cfg->oauth_scope);
	if (oauth_new(cfg, &o, &errs) < 0) {
		print_credential(cfg, NULL);
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.v[i]);
		printf("Token:        none can be had: the credentials above have problems\n");
		return EXIT_FAILURE;
	}
	print_credential(cfg, o);
	ts = oauth_source(o);
	tr = ts->get(ts, 0, &token, &gen, &error);
	if (tr != TOKEN_OK) {
		printf("Token:        none can be had now\n");
		fprintf(stderr, "%s\n", error);
		free(error);
		oauth_unref(o);
		return EXIT_FAILURE;
	}
	explicit_bzero(token, strlen(token));
	free(token);
	until = oauth_expiry(o);
	now = time(NULL);
	printf("Token:        a token can be had now, valid for %ld minutes, until ", (long)(until - now) / 60);
	print_time("", until);
	oauth_unref(o);
	return EXIT_SUCCESS;
}

int
ctl_oauth(struct context *ctx, int argc, char **argv)
{
	const struct config *cfg = ctx->cfg;
	_cleanup_free_ char *error = NULL;
	int r;

	if (argc != 2 || (!streq(argv[1], "login") && !streq(argv[1], "status"))) {
		fprintf(stderr, "Usage: complaintsctl oauth login|status\n");
		return CTL_EXIT_USAGE;
	}
	if (!config_uses_oauth(cfg)) {
		fprintf(stderr, "complaintsctl oauth: %s logs in with passwords ([imap] auth = %s, [smtp] auth = %s); set auth = oauth2 and an [oauth2] section first\n",
			cfg->path, cfg->imap_auth, cfg->smtp_auth);
		return CTL_EXIT_USAGE;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (streq(argv[1], "status"))
		r = oauth_status(cfg);
	else {
		r = oauth_device_login(cfg, stdout, &error);
		if (r < 0)
			fprintf(stderr, "complaintsctl oauth login: %s\n", error);
		r = r == -EINVAL ? CTL_EXIT_USAGE : r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
	}
	curl_global_cleanup();
	return r;
}
