/*
 * ctl_connection.c - complaintsctl check-connection: log in to the IMAP and
 * SMTP servers exactly as complaintsd does (daemon/connect.h builds both
 * sessions for either program; the adapters' imap_connect() and
 * smtp_check_login() log in), say which of the configured folders exist,
 * send nothing and change nothing (no folder is created).  Every failure is put in words an
 * administrator can act on; exit 0 when everything works, 1 otherwise.
 */
#include "config.h"

#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "conf.h"
#include "context.h"
#include "ctl.h"
#include "imap.h"
#include "connect.h"
#include "errlist.h"
#include "smtp.h"
#include "util.h"

/* What to do when a login with OAuth failed (service: "imap" or "smtp"). */
static const char *
oauth_advice(const char *service, const char *error)
{
	if (strstr(error, "no token") != NULL)
		return "the identity provider gave no token (its answer is above): complaintsctl oauth "
		       "status shows the [oauth2] settings it was asked with and what to do";
	if (streq(service, "imap"))
		return "the server refused the OAuth token for this mailbox: check that [imap] username is "
		       "the mailbox's address and that the application may open it (Exchange Online: "
		       "New-ServicePrincipal and Add-MailboxPermission; Google: domain-wide delegation "
		       "with the scope https://mail.google.com/)";
	return "the server refused the OAuth token for sending: check that [smtp] username is the "
	       "mailbox's address, that SMTP.SendAsApp has admin consent and that SMTP AUTH is on for "
	       "the mailbox (Set-CASMailbox -SmtpClientAuthenticationDisabled $false)";
}

/* What to do about a failed IMAP login, by what the adapter and server said. */
static const char *
imap_advice(const struct config *cfg, enum imap_result r, const char *error)
{
	if (ascii_strcasestr(error, "User is authenticated but not connected"))
		return "the server (Exchange Online) accepted the credentials but they give no access to this mailbox: "
		       "grant the application or user FullAccess to the mailbox (Add-MailboxPermission), "
		       "and check that [imap] username is the mailbox's address";
	if (streq(cfg->imap_auth, "oauth2") && (r == IMAP_AUTH_BAD || strstr(error, "no token")))
		return oauth_advice("imap", error);
	switch (r) {
	case IMAP_AUTH_BAD:
		if (ascii_strcasestr(error, "BasicAuthBlocked") ||
		    ascii_strcasestr(error, "basic authentication"))
			return "the server no longer takes passwords: use auth = oauth2 (complaintsd.conf(5))";
		return "the user name or password was refused: check [imap] username and the password in "
		       "password_file (the credential file's content, without a trailing space)";
	case IMAP_TLS_BAD:
		if (ascii_strcasestr(error, "STARTTLS"))
			return "the server will not start TLS on this port: use imaps:// (port 993), or ask "
			       "the server's administrators to enable STARTTLS";
		return "the server's certificate is not trusted for this host name: use the name the "
		       "certificate is issued for in [imap] url, or set ca_file to the private CA "
		       "that issued it";
	case IMAP_SERVER_BAD:
		if (ascii_strcasestr(error, "cannot connect"))
			return "nothing answered: check the host and port in [imap] url, that the name "
			       "resolves from here, and that no firewall is in the way";
		return "the connection failed or timed out: check that the server is reachable and "
		       "speaks IMAP on that port (imaps:// for 993, imap:// for 143)";
	case IMAP_NAME_BAD:
		return "fix the folder name in [imap]";
	default:
		return "see the server's answer above";
	}
}

static const char *
smtp_advice(const struct config *cfg, enum smtp_check r, const char *error)
{
	if (strstr(error, "5.7.30") ||
	    ascii_strcasestr(error, "Basic authentication is not supported"))
		return "the server (Exchange Online) no longer takes passwords for SMTP AUTH: use "
		       "auth = oauth2 in [smtp] and [oauth2] (complaintsd.conf(5))";
	if (strstr(error, "5.7.139") || ascii_strcasestr(error, "SmtpClientAuthentication is disabled"))
		return "SMTP AUTH is turned off for this mailbox: Set-CASMailbox "
		       "-SmtpClientAuthenticationDisabled $false";
	if (streq(cfg->smtp_auth, "oauth2") &&
	    (r == SMTP_CHECK_AUTH_REFUSED || strstr(error, "no token") != NULL))
		return oauth_advice("smtp", error);
	switch (r) {
	case SMTP_CHECK_UNREACHABLE:
		return "nothing answered: check the host and port in [smtp] url, that the name "
		       "resolves from here, and that no firewall is in the way";
	case SMTP_CHECK_TLS:
		return "the server's certificate is not trusted for this host name, or TLS failed: use "
		       "the name the certificate is issued for in [smtp] url, or set ca_file to the "
		       "private CA that issued it";
	case SMTP_CHECK_NO_STARTTLS:
		return "the server does not offer STARTTLS on this port: use smtps:// (port 465), or "
		       "port 587 of a server that offers STARTTLS";
	case SMTP_CHECK_NO_AUTH:
		return "the server does not let this connection authenticate: on port 25 most servers "
		       "offer AUTH only on the submission port (587, with starttls) or 465 (smtps://)";
	case SMTP_CHECK_AUTH_REFUSED:
		return "the user name or password was refused: check [smtp] username and the password "
		       "in password_file";
	default:
		return "see the server's answer above";
	}
}

/* A folder the configuration names: say whether it exists; false when it does not. */
static bool
check_folder(struct imap *im, const char *folder, const char *key, bool created_by_daemon,
	     bool *listed, struct buf *names)
{
	enum imap_result r;
	bool exists = false;

	r = imap_folder_exists(im, folder, &exists);
	if (r == IMAP_NAME_BAD) {
		printf("  %-24s \"%s\": FAILED: %s\n", key, folder, imap_last_error(im));
		return false;
	}
	if (r != IMAP_OK) {
		printf("  %-24s \"%s\": FAILED: cannot ask the server: %s\n", key, folder,
		       imap_last_error(im));
		return false;
	}
	if (exists) {
		printf("  %-24s \"%s\": exists\n", key, folder);
		return true;
	}
	if (!*listed) {
		char **v = NULL;
		size_t n = 0;

		*listed = true;
		if (imap_list_folders(im, &v, &n) == IMAP_OK)
			for (size_t i = 0; i < n; i++)
				(void)buf_printf(names, "%s\"%s\"", i ? ", " : "", v[i]);
		for (size_t i = 0; i < n; i++)
			free(v[i]);
		free(v);
	}
	if (created_by_daemon)
		printf("  %-24s \"%s\": MISSING: complaintsd creates it when it starts (or create it "
		       "yourself); folders there: %s\n",
		       key, folder, names->len ? buf_str(names) : "none listed");
	else
		printf("  %-24s \"%s\": MISSING: name one of the folders there (%s)\n", key, folder,
		       names->len ? buf_str(names) : "none listed");
	return false;
}

static bool
check_imap(const struct config *cfg)
{
	_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
	_cleanup_buf_ struct buf names = BUF_INIT;
	struct imap *im = NULL;
	enum imap_result r;
	bool ok = true, listed = false;
	char sep;

	if (connect_imap(cfg, &im, &errs) < 0) {
		for (size_t i = 0; i < errs.n; i++)
			printf("IMAP: FAILED: %s\n", errs.v[i]);
		return false;
	}
	printf("IMAP %s as %s:\n", cfg->imap_url, cfg->imap_username);
	r = imap_connect(im);
	if (r != IMAP_OK) {
		printf("  login FAILED: %s\n  what to do: %s\n", imap_last_error(im),
		       imap_advice(cfg, r, imap_last_error(im)));
		imap_free(im);
		return false;
	}
	sep = imap_separator(im);
	if (sep == '\0')
		printf("  logged in; the server has no folder hierarchy\n");
	else
		printf("  logged in; folders nest with \"%c\" there (write \"/\" in the configuration)\n",
		       sep);
	if (!cfg->imap_tls_verify)
		printf("  warning: tls_verify = no: the server's certificate was not checked\n");
	ok &= check_folder(im, imap_mailbox(im), "mailbox (url)", false, &listed, &names);
	ok &= check_folder(im, cfg->imap_processed_folder, "processed_folder", true, &listed, &names);
	ok &= check_folder(im, cfg->imap_quarantine_folder, "quarantine_folder", true, &listed,
			   &names);
	if (!isempty(cfg->imap_sent_folder))
		ok &= check_folder(im, cfg->imap_sent_folder, "sent_folder", false, &listed, &names);
	else
		printf("  %-24s not set: responses sent directly from the mailbox are not seen\n",
		       "sent_folder");
	imap_disconnect(im);
	imap_free(im);
	return ok;
}

static bool
check_smtp(const struct config *cfg)
{
	_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
	_cleanup_free_ char *error = NULL;
	struct smtp *s = NULL;
	enum smtp_check r;

	if (connect_smtp(cfg, &s, &errs) < 0) {
		for (size_t i = 0; i < errs.n; i++)
			printf("SMTP: FAILED: %s\n", errs.v[i]);
		return false;
	}
	if (s == NULL) {
		printf("SMTP: FAILED: no [smtp] url is set, so replies are queued but never sent\n");
		return false;
	}
	if (isempty(cfg->smtp_username))
		printf("SMTP %s (no AUTH: username is empty):\n", cfg->smtp_url);
	else
		printf("SMTP %s as %s:\n", cfg->smtp_url, cfg->smtp_username);
	r = smtp_check_login(s, &error);
	smtp_free(s);
	if (r != SMTP_CHECK_OK) {
		printf("  FAILED: %s\n  what to do: %s\n", error, smtp_advice(cfg, r, error));
		return false;
	}
	printf("  %s; nothing was sent\n",
	       isempty(cfg->smtp_username) ? "connected and greeted (EHLO)"
					   : "connected, EHLO and AUTH accepted");
	if (!cfg->smtp_tls_verify)
		printf("  warning: tls_verify = no: the server's certificate was not checked\n");
	return true;
}

int
ctl_check_connection(struct context *ctx, int argc, char **argv)
{
	bool imap_ok, smtp_ok;

	if (argc > 1) {
		fprintf(stderr, "complaintsctl check-connection: unexpected argument \"%s\"\n",
			argv[1]);
		return CTL_EXIT_USAGE;
	}
	/* libetpan writes to sockets without MSG_NOSIGNAL */
	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	imap_ok = check_imap(ctx->cfg);
	smtp_ok = check_smtp(ctx->cfg);
	curl_global_cleanup();
	if (imap_ok && smtp_ok) {
		printf("All connections work.\n");
		return EXIT_SUCCESS;
	}
	printf("Problems found: %s%s%s.\n", imap_ok ? "" : "IMAP",
	       !imap_ok && !smtp_ok ? " and " : "", smtp_ok ? "" : "SMTP");
	return EXIT_FAILURE;
}
