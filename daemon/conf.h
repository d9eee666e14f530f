/*
 * conf.h - the configuration file (/etc/complaintsd/complaintsd.conf).
 *
 * One INI-style file with the sections and keys of SPEC.md section 3.  Every
 * problem is reported as "file:line: what is wrong" and loading goes on to find
 * the rest, so `complaintsctl check-config` can list them all.  Unknown
 * sections and keys are errors.  Secrets are never in the file: *_file keys
 * name files whose first line is the secret; a relative path is looked up in
 * $CREDENTIALS_DIRECTORY (systemd LoadCredential=, under its own name or as
 * complaintsd_NAME from the units' credentials directory), else beside the
 * config file or in its credentials/ directory.
 */
#ifndef COMPLAINTSD_CONFIG_H
#define COMPLAINTSD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "errlist.h"
#include "token.h"

struct config_timescales {
	int stage1_ack_days;
	int stage1_response_days;
	int stage1_extension_days;
	int stage2_ack_days;
	int stage2_response_days;
	int stage2_extension_days;
	int late_complaint_months;
	int reminder_days_before;
	int escalation_window_days; /* 0: no window */
};

struct config_ombudsman {
	char *name;
	char *url;
	char *phone;
};

struct config {
	char *path; /* the file this was loaded from */

	/* [council] */
	char *council_name;
	char *complaints_address;
	char *complaints_display_name;
	char *complaints_url;
	char *reference_prefix;
	char *timezone;
	char *working_hours;
	char *holidays_file;
	char *closures_file; /* the council's own closure days, optional */
	char *housing_acknowledgement; /* "officer" (Housing Ombudsman Code) or "automatic" */

	/* [people] */
	char **officer_domains;
	size_t n_officer_domains;
	char **officer_addresses;
	size_t n_officer_addresses;
	char **councillor_addresses;
	size_t n_councillor_addresses;
	char **councillor_domains;
	size_t n_councillor_domains;
	bool officer_auth_required; /* default yes */
	char *trusted_authserv_id;  /* whose Authentication-Results to believe */
	char *exchange_tenant_id;   /* Microsoft 365 tenant whose internal mail proves itself ("" off) */
	char *alerts_address; /* officers' alerts when a case has no officer or team; required */
	unsigned alerts_address_line;

	/* [imap] */
	char *imap_url; /* after loading: the provider's server when the file left it empty */
	bool imap_starttls;
	char *imap_auth; /* "password" or "oauth2" */
	char *imap_username;
	char *imap_password_file;
	char *imap_processed_folder;
	char *imap_quarantine_folder;
	char *imap_sent_folder; /* watched read-only for responses sent directly; "" = off */
	char *imap_save_sent;   /* "yes", "no" or "auto": copies of our mail in the Sent folder */
	bool imap_idle;
	int imap_poll_seconds;
	bool imap_tls_verify;
	char *imap_ca_file;
	int imap_timeout;
	int imap_batch_size;

	/* [smtp] */
	char *smtp_url;
	bool smtp_starttls;
	char *smtp_auth; /* after loading "password", "oauth2" or "none" */
	char *smtp_username;
	char *smtp_password_file;
	bool smtp_tls_verify;
	char *smtp_ca_file;
	char *smtp_helo_name;
	int smtp_timeout;

	/* [oauth2] (SPEC section 6); after loading, the provider's defaults are filled in */
	char *oauth_provider; /* "", "microsoft", "google", "generic" */
	char *oauth_tenant;
	char *oauth_client_id;
	char *oauth_client_secret_file;
	char *oauth_client_certificate_file;
	char *oauth_service_account_file;
	char *oauth_grant; /* "client_credentials", "refresh_token", "jwt_bearer" */
	char *oauth_refresh_token_file;
	char *oauth_token_url;
	char *oauth_device_authorization_url;
	char *oauth_scope;
	/* The token source built for this configuration by daemon/connect.c (NULL until
	 * then): one token for every IMAP and SMTP session of it; config_free() lets go. */
	struct token_source *token;

	/* [store] */
	char *database;

	struct config_timescales ts;
	struct config_ombudsman lgsco;
	struct config_ombudsman housing;

	/* [replies] */
	char *templates_dir;
	char *rules_file;
	int max_auto_replies_per_day;
	int thread_window_days;

	/* [digest] (daemon/digest.h) */
	char *digest_weekday; /* "monday".."sunday"; "" = no weekly digest */
	int digest_days_ahead; /* working days counted as "due soon" */

	/* [routing] (daemon/routing.h) */
	struct routing_entry *routing;
	size_t n_routing;

	/* [limits] */
	long max_relay_attachment_bytes; /* officers' attachments relayed with a response, in all */
	long max_message_bytes;
	int max_mime_depth;
	int max_mime_parts;
	long max_header_bytes;

	/* [log] */
	int log_level; /* syslog priority: messages above it are dropped */
};

/* Load path; returns 0 or -EINVAL (errors appended to errs) or another -errno. */
int config_load(const char *path, struct config **ret, struct errlist *errs);
/* The same for a file's contents in memory (len bytes, NULs allowed); name stands
 * for the path in messages and in config.path (secrets are looked up beside it). */
int config_load_string(const char *text, size_t len, const char *name, struct config **ret,
		       struct errlist *errs);
void config_free(struct config *c);

/* Resolve a *_file key and read the secret (first line).  Malloc'ed. */
int config_read_secret(const struct config *c, const char *file, char **ret, struct errlist *errs);
/* Where a *_file key's file is: absolute as given; else with $CREDENTIALS_DIRECTORY
 * set, $CREDENTIALS_DIRECTORY/NAME or, failing that, $CREDENTIALS_DIRECTORY/complaintsd_NAME
 * (the shipped units' LoadCredential=complaintsd:/etc/complaintsd/credentials, a "/" in
 * NAME becoming "_" as systemd names it); without, beside the configuration file or,
 * failing that, in credentials/ beside it.  When neither exists, the first.  Malloc'ed. */
char *config_credential_path(const struct config *c, const char *file);
/* Read a whole credential file of at most max bytes (a key, a JSON key); malloc'ed, NUL-terminated. */
int config_read_credential(const struct config *c, const char *file, size_t max, char **ret,
			   size_t *ret_len, struct errlist *errs);

/* Does IMAP or SMTP log in with OAuth 2.0? */
bool config_uses_oauth(const struct config *c);

/* Where alerts go for a case with no assigned officer. */
const char *config_alerts_address(const struct config *c);

/* The warning to give at every start when officers' mail is believed unauthenticated, or NULL. */
const char *config_auth_warning(const struct config *c);

/* Is addr (lower-case) listed in, or in a domain of, the given lists? */
bool config_address_in(const char *addr, char *const *addresses, size_t n_addresses,
		       char *const *domains, size_t n_domains);

static inline void
config_freep(struct config **c)
{
	config_free(*c);
}
#define _cleanup_config_ __attribute__((cleanup(config_freep)))

#endif
