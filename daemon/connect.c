/*
 * connect.c - build the IMAP and SMTP adapters from the configuration.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "connect.h"
#include "log.h"
#include "oauth.h"
#include "util.h"

static void
wipe(char *s)
{
	if (s != NULL)
		explicit_bzero(s, strlen(s));
}

static int
make_smtp(const struct config *cfg, struct token_source *token, struct smtp **ret,
	  struct errlist *errs)
{
	_cleanup_free_ char *password = NULL, *error = NULL;
	bool oauth = streq(cfg->smtp_auth, "oauth2");
	struct smtp_config sc;
	int r;

	*ret = NULL;
	if (isempty(cfg->smtp_url)) {
		log_warning("No [smtp] url configured: replies are queued but not sent");
		return 0;
	}
	if (streq(cfg->smtp_auth, "password") &&
	    config_read_secret(cfg, cfg->smtp_password_file, &password, errs) < 0)
		return -EINVAL;
	sc = (struct smtp_config){
		.url = cfg->smtp_url,
		.starttls = cfg->smtp_starttls,
		.username = streq(cfg->smtp_auth, "none") ? "" : cfg->smtp_username,
		.password = password ? password : "",
		.token = oauth ? token : NULL,
		.tls_verify = cfg->smtp_tls_verify,
		.ca_file = cfg->smtp_ca_file,
		.helo_name = cfg->smtp_helo_name,
		.timeout = cfg->smtp_timeout,
	};
	r = smtp_new(&sc, ret, &error);
	wipe(password);
	if (r < 0) {
		errlist_add(errs, "smtp.url: %s", error);
		return -EINVAL;
	}
	if (!cfg->smtp_tls_verify)
		log_warning("smtp.tls_verify = no: the SMTP server's certificate is not checked");
	return 0;
}

static int
make_imap(const struct config *cfg, struct token_source *token, struct imap **ret,
	  struct errlist *errs)
{
	_cleanup_free_ char *password = NULL, *error = NULL;
	bool oauth = streq(cfg->imap_auth, "oauth2");
	struct imap_config ic;

	if (!oauth && config_read_secret(cfg, cfg->imap_password_file, &password, errs) < 0)
		return -EINVAL;
	ic = (struct imap_config){
		.url = cfg->imap_url,
		.starttls = cfg->imap_starttls,
		.username = cfg->imap_username,
		.password = password ? password : "",
		.token = oauth ? token : NULL,
		.tls_verify = cfg->imap_tls_verify,
		.ca_file = cfg->imap_ca_file,
		.timeout = (unsigned)cfg->imap_timeout,
	};
	*ret = imap_new(&ic, &error);
	wipe(password);
	if (*ret == NULL) {
		errlist_add(errs, "imap.url: %s", error);
		return -EINVAL;
	}
	if (!cfg->imap_tls_verify)
		log_warning("imap.tls_verify = no: the IMAP server's certificate is not checked");
	return 0;
}

/* The configuration's token source, made on first use; NULL without OAuth or on errors. */
static int
config_token(const struct config *cfg, struct token_source **ret, struct errlist *errs)
{
	struct config *mut = (struct config *)cfg; /* a cache of cfg's, released with it */
	struct oauth *o;

	*ret = NULL;
	if (!config_uses_oauth(cfg))
		return 0;
	if (mut->token == NULL) {
		if (oauth_new(cfg, &o, errs) < 0)
			return -EINVAL;
		mut->token = oauth_source(o);
	}
	*ret = mut->token;
	return 0;
}

int
connect_imap(const struct config *cfg, struct imap **ret, struct errlist *errs)
{
	struct token_source *ts;

	*ret = NULL;
	if (config_token(cfg, &ts, errs) < 0)
		return -EINVAL;
	return make_imap(cfg, ts, ret, errs);
}

int
connect_smtp(const struct config *cfg, struct smtp **ret, struct errlist *errs)
{
	struct token_source *ts;

	*ret = NULL;
	if (config_token(cfg, &ts, errs) < 0)
		return -EINVAL;
	return make_smtp(cfg, ts, ret, errs);
}

int
connect_new(const struct config *cfg, struct imap **ret_imap, struct smtp **ret_smtp,
	    struct errlist *errs)
{
	struct imap *imap = NULL;
	struct smtp *smtp = NULL;
	int r;

	r = connect_imap(cfg, &imap, errs);
	if (r == 0 && ret_smtp != NULL)
		r = connect_smtp(cfg, &smtp, errs);
	if (r < 0) {
		imap_free(imap);
		smtp_free(smtp);
		return r;
	}
	*ret_imap = imap;
	if (ret_smtp != NULL)
		*ret_smtp = smtp;
	return 0;
}
