/*
 * connect.c - build the IMAP and SMTP adapters from the configuration.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "connect.h"
#include "log.h"
#include "util.h"

static void
wipe(char *s)
{
	if (s != NULL)
		explicit_bzero(s, strlen(s));
}

int
connect_smtp(const struct config *cfg, struct smtp **ret, struct errlist *errs)
{
	_cleanup_free_ char *password = NULL, *error = NULL;
	struct smtp_config sc;
	int r;

	*ret = NULL;
	if (isempty(cfg->smtp_url)) {
		log_warning("No [smtp] url configured: replies are queued but not sent");
		return 0;
	}
	if (!isempty(cfg->smtp_username) &&
	    config_read_secret(cfg, cfg->smtp_password_file, &password, errs) < 0)
		return -EINVAL;
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
	wipe(password);
	if (r < 0) {
		errlist_add(errs, "smtp.url: %s", error);
		return -EINVAL;
	}
	if (!cfg->smtp_tls_verify)
		log_warning("smtp.tls_verify = no: the SMTP server's certificate is not checked");
	return 0;
}

int
connect_imap(const struct config *cfg, struct imap **ret, struct errlist *errs)
{
	_cleanup_free_ char *password = NULL, *error = NULL;
	struct imap_config ic;

	*ret = NULL;
	if (config_read_secret(cfg, cfg->imap_password_file, &password, errs) < 0)
		return -EINVAL;
	ic = (struct imap_config){
		.url = cfg->imap_url,
		.starttls = cfg->imap_starttls,
		.username = cfg->imap_username,
		.password = password ? password : "",
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
