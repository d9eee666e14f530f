/*
 * mailconn.c - the IMAP session and SMTP sender of a configuration (see
 * mailconn.h).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "errlist.h"
#include "imap.h"
#include "mailconn.h"
#include "smtp.h"
#include "util.h"

int
mailconn_smtp(const struct config *cfg, struct smtp **ret, char **ret_error)
{
	_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
	_cleanup_free_ char *password = NULL, *error = NULL;
	struct smtp_config sc;
	int r;

	*ret = NULL;
	*ret_error = NULL;
	if (isempty(cfg->smtp_url))
		return 0;
	if (!isempty(cfg->smtp_username) &&
	    config_read_secret(cfg, cfg->smtp_password_file, &password, &errs) < 0) {
		*ret_error = xstrdup(errs.v[errs.n - 1]);
		return -EINVAL;
	}
	sc = (struct smtp_config){
		.url = cfg->smtp_url,
		.starttls = cfg->smtp_starttls,
		.username = cfg->smtp_username,
		.password = password ? password : "",
		.tls_verify = cfg->smtp_tls_verify,
		.ca_file = cfg->smtp_ca_file,
		.helo_name = cfg->smtp_helo_name,
		.timeout = cfg->smtp_timeout,
	};
	r = smtp_new(&sc, ret, &error);
	if (password != NULL)
		explicit_bzero(password, strlen(password));
	if (r < 0) {
		*ret_error = xasprintf("smtp.url: %s", error ? error : "unusable");
		return -EINVAL;
	}
	return 0;
}

int
mailconn_imap(const struct config *cfg, struct imap **ret, char **ret_error)
{
	_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
	_cleanup_free_ char *password = NULL, *error = NULL;
	struct imap_config ic;

	*ret = NULL;
	*ret_error = NULL;
	if (config_read_secret(cfg, cfg->imap_password_file, &password, &errs) < 0) {
		*ret_error = xstrdup(errs.v[errs.n - 1]);
		return -EINVAL;
	}
	ic = (struct imap_config){
		.url = cfg->imap_url,
		.starttls = cfg->imap_starttls,
		.username = cfg->imap_username,
		.password = password,
		.tls_verify = cfg->imap_tls_verify,
		.ca_file = cfg->imap_ca_file,
		.timeout = (unsigned)cfg->imap_timeout,
	};
	*ret = imap_new(&ic, &error);
	explicit_bzero(password, strlen(password));
	if (*ret == NULL) {
		*ret_error = xasprintf("imap.url: %s", error ? error : "unusable");
		return -EINVAL;
	}
	return 0;
}
