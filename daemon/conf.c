/*
 * conf.c - parse complaintsd.conf into struct config.
 *
 * A table names every section and key with its type and where it lands in
 * struct config, so adding a key is one line and unknown keys are caught.
 * Values may carry a trailing "; comment" or "# comment" after white space.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "conf.h"
#include "exorg.h"
#include "routing.h"
#include "digest_list.h"
#include "util.h"

enum key_type { KEY_STRING, KEY_BOOL, KEY_INT, KEY_LONG, KEY_LIST, KEY_LEVEL };

struct key {
	const char *section;
	const char *name;
	enum key_type type;
	size_t offset;      /* of the value; for KEY_LIST the char ** array */
	size_t count_offset; /* KEY_LIST: the size_t count */
	long min, max;      /* KEY_INT, KEY_LONG */
};

#define S(sec, key, field) {sec, key, KEY_STRING, offsetof(struct config, field), 0, 0, 0}
#define B(sec, key, field) {sec, key, KEY_BOOL, offsetof(struct config, field), 0, 0, 0}
#define I(sec, key, field, lo, hi) {sec, key, KEY_INT, offsetof(struct config, field), 0, lo, hi}
#define L(sec, key, field, lo, hi) {sec, key, KEY_LONG, offsetof(struct config, field), 0, lo, hi}
#define LIST(sec, key, field)                                                                      \
	{sec, key, KEY_LIST, offsetof(struct config, field), offsetof(struct config, n_##field), 0, 0}

static const struct key keys[] = {
	S("council", "name", council_name),
	S("council", "complaints_address", complaints_address),
	S("council", "complaints_display_name", complaints_display_name),
	S("council", "complaints_url", complaints_url),
	S("council", "reference_prefix", reference_prefix),
	S("council", "timezone", timezone),
	S("council", "working_hours", working_hours),
	S("council", "holidays_file", holidays_file),
	S("council", "closures_file", closures_file),
	S("council", "housing_acknowledgement", housing_acknowledgement),

	LIST("people", "officer_domains", officer_domains),
	LIST("people", "officer_addresses", officer_addresses),
	LIST("people", "councillor_addresses", councillor_addresses),
	LIST("people", "councillor_domains", councillor_domains),
	B("people", "officer_auth_required", officer_auth_required),
	S("people", "trusted_authserv_id", trusted_authserv_id),
	S("people", "exchange_tenant_id", exchange_tenant_id),
	S("people", "alerts_address", alerts_address),

	S("imap", "url", imap_url),
	B("imap", "starttls", imap_starttls),
	S("imap", "auth", imap_auth),
	S("imap", "username", imap_username),
	S("imap", "password_file", imap_password_file),
	S("imap", "processed_folder", imap_processed_folder),
	S("imap", "quarantine_folder", imap_quarantine_folder),
	S("imap", "sent_folder", imap_sent_folder),
	S("imap", "save_sent", imap_save_sent),
	B("imap", "idle", imap_idle),
	I("imap", "poll_seconds", imap_poll_seconds, 5, 86400),
	B("imap", "tls_verify", imap_tls_verify),
	S("imap", "ca_file", imap_ca_file),
	I("imap", "timeout_seconds", imap_timeout, 5, 600),
	I("imap", "batch_size", imap_batch_size, 1, 1000),

	S("smtp", "url", smtp_url),
	B("smtp", "starttls", smtp_starttls),
	S("smtp", "auth", smtp_auth),
	S("smtp", "username", smtp_username),
	S("smtp", "password_file", smtp_password_file),
	B("smtp", "tls_verify", smtp_tls_verify),
	S("smtp", "ca_file", smtp_ca_file),
	S("smtp", "helo_name", smtp_helo_name),
	I("smtp", "timeout_seconds", smtp_timeout, 5, 600),

	S("oauth2", "provider", oauth_provider),
	S("oauth2", "tenant", oauth_tenant),
	S("oauth2", "client_id", oauth_client_id),
	S("oauth2", "client_secret_file", oauth_client_secret_file),
	S("oauth2", "client_certificate_file", oauth_client_certificate_file),
	S("oauth2", "service_account_file", oauth_service_account_file),
	S("oauth2", "grant", oauth_grant),
	S("oauth2", "refresh_token_file", oauth_refresh_token_file),
	S("oauth2", "token_url", oauth_token_url),
	S("oauth2", "device_authorization_url", oauth_device_authorization_url),
	S("oauth2", "scope", oauth_scope),

	S("store", "database", database),

	I("timescales", "stage1_ack_days", ts.stage1_ack_days, 1, 60),
	I("timescales", "stage1_response_days", ts.stage1_response_days, 1, 120),
	I("timescales", "stage1_extension_days", ts.stage1_extension_days, 0, 120),
	I("timescales", "stage2_ack_days", ts.stage2_ack_days, 1, 60),
	I("timescales", "stage2_response_days", ts.stage2_response_days, 1, 120),
	I("timescales", "stage2_extension_days", ts.stage2_extension_days, 0, 120),
	I("timescales", "late_complaint_months", ts.late_complaint_months, 1, 120),
	I("timescales", "reminder_days_before", ts.reminder_days_before, 0, 30),
	I("timescales", "escalation_window_days", ts.escalation_window_days, 0, 3650),

	S("ombudsman", "name", lgsco.name),
	S("ombudsman", "url", lgsco.url),
	S("ombudsman", "phone", lgsco.phone),
	S("housing_ombudsman", "name", housing.name),
	S("housing_ombudsman", "url", housing.url),
	S("housing_ombudsman", "phone", housing.phone),

	S("replies", "templates_dir", templates_dir),
	S("replies", "rules_file", rules_file),
	I("replies", "max_auto_replies_per_day", max_auto_replies_per_day, 0, 1000),
	I("replies", "thread_window_days", thread_window_days, 0, 365),

	S("digest", "weekday", digest_weekday),
	I("digest", "days_ahead", digest_days_ahead, 0, 60),

	L("limits", "max_message_bytes", max_message_bytes, 1024, 1L << 30),
	I("limits", "max_mime_depth", max_mime_depth, 1, 256),
	I("limits", "max_mime_parts", max_mime_parts, 1, 100000),
	L("limits", "max_header_bytes", max_header_bytes, 1024, 64L << 20),
	L("limits", "max_relay_attachment_bytes", max_relay_attachment_bytes, 0, 1L << 30),

	{"log", "level", KEY_LEVEL, offsetof(struct config, log_level), 0, 0, 0},
};

static char **
field_str(struct config *c, const struct key *k)
{
	return (char **)((char *)c + k->offset);
}

static void
config_set_defaults(struct config *c)
{
	c->council_name = xstrdup("Example Borough Council");
	c->complaints_address = xstrdup("complaints@council.example");
	c->complaints_display_name = xstrdup("");
	c->complaints_url = xstrdup("https://www.council.example/complaints");
	c->reference_prefix = xstrdup("CMP");
	c->timezone = xstrdup("Europe/London");
	c->working_hours = xstrdup("09:00-17:00");
	c->holidays_file = xstrdup(DATADIR "/holidays-england-and-wales.txt");
	c->closures_file = xstrdup("");
	c->housing_acknowledgement = xstrdup("officer");
	c->councillor_domains = xcalloc(1, sizeof(char *));
	c->councillor_domains[0] = xstrdup("parliament.uk");
	c->n_councillor_domains = 1;
	c->officer_auth_required = true;
	c->trusted_authserv_id = xstrdup("");
	c->exchange_tenant_id = xstrdup("");
	c->alerts_address = xstrdup("");

	c->imap_url = xstrdup("");
	c->imap_starttls = true;
	c->imap_auth = xstrdup("password");
	c->imap_username = xstrdup("");
	c->imap_password_file = xstrdup("");
	c->imap_processed_folder = xstrdup("Processed");
	c->imap_quarantine_folder = xstrdup("Quarantine");
	c->imap_sent_folder = xstrdup("");
	c->imap_save_sent = xstrdup("auto");
	c->imap_idle = true;
	c->imap_poll_seconds = 60;
	c->imap_tls_verify = true;
	c->imap_ca_file = xstrdup("");
	c->imap_timeout = 60;
	c->imap_batch_size = 100;

	c->smtp_url = xstrdup("");
	c->smtp_starttls = true;
	c->smtp_auth = xstrdup(""); /* password when a username is set, else none */
	c->smtp_username = xstrdup("");
	c->smtp_password_file = xstrdup("");
	c->smtp_tls_verify = true;
	c->smtp_ca_file = xstrdup("");
	c->smtp_helo_name = xstrdup("");
	c->smtp_timeout = 60;

	c->oauth_provider = xstrdup("");
	c->oauth_tenant = xstrdup("");
	c->oauth_client_id = xstrdup("");
	c->oauth_client_secret_file = xstrdup("");
	c->oauth_client_certificate_file = xstrdup("");
	c->oauth_service_account_file = xstrdup("");
	c->oauth_grant = xstrdup("");
	c->oauth_refresh_token_file = xstrdup("");
	c->oauth_token_url = xstrdup("");
	c->oauth_device_authorization_url = xstrdup("");
	c->oauth_scope = xstrdup("");

	c->database = xstrdup("/var/lib/complaintsd/complaints.db");

	c->ts = (struct config_timescales){5, 10, 10, 5, 20, 20, 12, 2, 0};
	c->lgsco.name = xstrdup("Local Government and Social Care Ombudsman");
	c->lgsco.url = xstrdup("https://www.lgo.org.uk");
	c->lgsco.phone = xstrdup("0300 061 0614");
	c->housing.name = xstrdup("Housing Ombudsman Service");
	c->housing.url = xstrdup("https://www.housing-ombudsman.org.uk");
	c->housing.phone = xstrdup("0300 111 3000");

	c->templates_dir = xstrdup(DATADIR "/templates");
	c->rules_file = xstrdup(DATADIR "/rules.conf");
	c->max_auto_replies_per_day = 3;
	c->thread_window_days = 30;

	c->digest_weekday = xstrdup("monday");
	c->digest_days_ahead = 5;

	c->max_message_bytes = 25L * 1024 * 1024;
	c->max_mime_depth = 32;
	c->max_mime_parts = 1000;
	c->max_header_bytes = 1024L * 1024;
	c->max_relay_attachment_bytes = 20L * 1024 * 1024;

	c->log_level = LOG_INFO;
}

static void
strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
config_free(struct config *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
		const struct key *k = &keys[i];

		if (k->type == KEY_STRING)
			free(*field_str(c, k));
		else if (k->type == KEY_LIST)
			strv_free(*(char ***)((char *)c + k->offset),
				  *(size_t *)((char *)c + k->count_offset));
	}
	routing_free(c);
	if (c->token != NULL)
		c->token->unref(c->token);
	free(c->path);
	free(c);
}

static const struct key *
key_find(const char *section, const char *name, bool *ret_section_known)
{
	*ret_section_known = false;
	for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
		if (!streq(keys[i].section, section))
			continue;
		*ret_section_known = true;
		if (streq(keys[i].name, name))
			return &keys[i];
	}
	return NULL;
}

/* Cut a trailing " ; comment" or " # comment" (only after white space). */
static void
strip_comment(char *v)
{
	for (char *p = v; *p != '\0'; p++)
		if ((*p == ';' || *p == '#') && (p == v || p[-1] == ' ' || p[-1] == '\t')) {
			*p = '\0';
			break;
		}
	strstrip(v);
}

static int
parse_bool(const char *v, bool *ret)
{
	static const char *const yes[] = {"yes", "true", "on", "1"};
	static const char *const no[] = {"no", "false", "off", "0"};

	for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
		if (ascii_strcaseeq(v, yes[i])) {
			*ret = true;
			return 0;
		}
		if (ascii_strcaseeq(v, no[i])) {
			*ret = false;
			return 0;
		}
	}
	return -EINVAL;
}

static int
parse_level(const char *v, int *ret)
{
	static const char *const names[] = {"emerg", "alert", "crit", "err",
					    "warning", "notice", "info", "debug"};

	for (size_t i = 0; i < ELEMENTSOF(names); i++)
		if (ascii_strcaseeq(v, names[i])) {
			*ret = (int)i;
			return 0;
		}
	if (ascii_strcaseeq(v, "error")) {
		*ret = LOG_ERR;
		return 0;
	}
	return -EINVAL;
}

static void
parse_list(const char *v, char ***ret, size_t *ret_n)
{
	char **out = NULL;
	size_t n = 0;
	const char *p = v;

	while (*p != '\0') {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char *item = strstrip(xstrndup(p, len));

		if (*item != '\0') {
			out = xreallocarray(out, n + 1, sizeof(char *));
			out[n++] = ascii_strlower(item);
		} else
			free(item);
		p += len + (end ? 1 : 0);
	}
	*ret = out;
	*ret_n = n;
}

static void
set_value(struct config *c, const struct key *k, const char *v, const char *path, unsigned line,
	  struct errlist *errs)
{
	char *end;

	switch (k->type) {
	case KEY_STRING:
		free(*field_str(c, k));
		*field_str(c, k) = xstrdup(v);
		break;
	case KEY_BOOL:
		if (parse_bool(v, (bool *)((char *)c + k->offset)) < 0)
			errlist_add(errs, "%s:%u: %s.%s: expected yes or no, got \"%s\"", path, line,
				    k->section, k->name, v);
		break;
	case KEY_INT:
	case KEY_LONG: {
		errno = 0;
		long n = strtol(v, &end, 10);

		if (*v == '\0' || *end != '\0' || errno != 0 || n < k->min || n > k->max) {
			errlist_add(errs, "%s:%u: %s.%s: expected a whole number from %ld to %ld, got \"%s\"",
				    path, line, k->section, k->name, k->min, k->max, v);
			break;
		}
		if (k->type == KEY_INT)
			*(int *)((char *)c + k->offset) = (int)n;
		else
			*(long *)((char *)c + k->offset) = n;
		break;
	}
	case KEY_LIST: {
		char ***lp = (char ***)((char *)c + k->offset);
		size_t *np = (size_t *)((char *)c + k->count_offset);

		strv_free(*lp, *np);
		parse_list(v, lp, np);
		break;
	}
	case KEY_LEVEL:
		if (parse_level(v, (int *)((char *)c + k->offset)) < 0)
			errlist_add(errs, "%s:%u: log.level: expected one of debug, info, notice, warning, err, crit, got \"%s\"",
				    path, line, v);
		break;
	}
}

static bool
valid_address(const char *a)
{
	const char *at = strchr(a, '@');

	return at != NULL && at != a && at[1] != '\0' && strchr(at + 1, '@') == NULL &&
	       strpbrk(a, " \t<>\"\r\n,;") == NULL;
}

static void
set_str(char **field, const char *v)
{
	free(*field);
	*field = xstrdup(v);
}

/* Is url https://, or http:// to a loopback address (a test provider)? */
static bool
url_safe(const char *url)
{
	const char *host = startswith_nocase(url, "http://");
	size_t n;

	if (startswith_nocase(url, "https://") != NULL)
		return url[8] != '\0';
	if (host == NULL)
		return false;
	n = strcspn(host, "/?#");
	if (n == 0)
		return false;
	return startswith(host, "127.") != NULL || startswith(host, "[::1]") != NULL ||
	       (startswith_nocase(host, "localhost") != NULL &&
		(n == 9 || host[9] == ':'));
}

/* [imap] auth, [smtp] auth and [oauth2]: check them and fill in the provider's defaults. */
static void
config_validate_oauth(struct config *c, struct errlist *errs)
{
	const char *p = c->path, *prov = c->oauth_provider, *g;
	bool ms = streq(prov, "microsoft"), google = streq(prov, "google");

	if (!streq(c->imap_auth, "password") && !streq(c->imap_auth, "oauth2"))
		errlist_add(errs, "%s: imap.auth: expected password or oauth2 (got \"%s\")", p, c->imap_auth);
	if (isempty(c->smtp_auth))
		set_str(&c->smtp_auth, streq(c->imap_auth, "oauth2") && !isempty(prov)
					      ? "oauth2"
					      : (isempty(c->smtp_username) ? "none" : "password"));
	else if (!streq(c->smtp_auth, "password") && !streq(c->smtp_auth, "oauth2") &&
		 !streq(c->smtp_auth, "none"))
		errlist_add(errs, "%s: smtp.auth: expected password, oauth2 or none (got \"%s\")", p,
			    c->smtp_auth);
	if (streq(c->smtp_auth, "oauth2") && isempty(c->smtp_username))
		set_str(&c->smtp_username, c->imap_username); /* the mailbox, XOAUTH2's user= */
	if (!isempty(prov) && !ms && !google && !streq(prov, "generic")) {
		errlist_add(errs, "%s: oauth2.provider: expected microsoft, google or generic (got \"%s\")", p, prov);
		return;
	}
	if (ms && isempty(c->imap_url))
		set_str(&c->imap_url, "imaps://outlook.office365.com/INBOX");
	if (ms && isempty(c->smtp_url))
		set_str(&c->smtp_url, "smtp://smtp.office365.com:587");
	if (google && isempty(c->imap_url))
		set_str(&c->imap_url, "imaps://imap.gmail.com/INBOX");
	if (google && isempty(c->smtp_url))
		set_str(&c->smtp_url, "smtp://smtp.gmail.com:587");
	if (!config_uses_oauth(c))
		return;
	if (isempty(prov)) {
		errlist_add(errs, "%s: [oauth2] provider: missing: auth = oauth2 needs provider = microsoft, google or generic", p);
		return;
	}
	if (isempty(c->oauth_grant))
		set_str(&c->oauth_grant, google ? "jwt_bearer" : "client_credentials");
	g = c->oauth_grant;
	if (!streq(g, "client_credentials") && !streq(g, "refresh_token") && !streq(g, "jwt_bearer"))
		errlist_add(errs, "%s: oauth2.grant: expected client_credentials, refresh_token or jwt_bearer (got \"%s\")", p, g);
	else if (streq(g, "jwt_bearer") && !google)
		errlist_add(errs, "%s: oauth2.grant: jwt_bearer (a service account) is for provider = google", p);
	else if (streq(g, "client_credentials") && google)
		errlist_add(errs, "%s: oauth2.grant: Google has no client credentials grant for mail: use jwt_bearer (a service account with domain-wide delegation) or refresh_token", p);
	if (ms && isempty(c->oauth_tenant) && isempty(c->oauth_token_url))
		errlist_add(errs, "%s: oauth2.tenant: missing: the tenant's domain (council.onmicrosoft.com) or its Directory (tenant) ID", p);
	else if (ms && strpbrk(c->oauth_tenant, "/?#% ") != NULL)
		errlist_add(errs, "%s: oauth2.tenant: \"%s\" is not a tenant domain or id", p, c->oauth_tenant);
	if (ms && isempty(c->oauth_token_url))
		c->oauth_token_url = (free(c->oauth_token_url),
				      xasprintf("https://login.microsoftonline.com/%s/oauth2/v2.0/token", c->oauth_tenant));
	if (ms && isempty(c->oauth_device_authorization_url))
		c->oauth_device_authorization_url = (free(c->oauth_device_authorization_url),
			xasprintf("https://login.microsoftonline.com/%s/oauth2/v2.0/devicecode", c->oauth_tenant));
	if (google && isempty(c->oauth_token_url))
		set_str(&c->oauth_token_url, "https://oauth2.googleapis.com/token");
	if (google && isempty(c->oauth_device_authorization_url))
		set_str(&c->oauth_device_authorization_url, "https://oauth2.googleapis.com/device/code");
	if (isempty(c->oauth_scope) && (ms || google))
		set_str(&c->oauth_scope, ms ? "https://outlook.office365.com/.default" : "https://mail.google.com/");
	if (isempty(c->oauth_token_url))
		errlist_add(errs, "%s: oauth2.token_url: missing: provider = generic needs the token endpoint", p);
	else if (!url_safe(c->oauth_token_url))
		errlist_add(errs, "%s: oauth2.token_url: \"%s\" must be https:// (http:// only to a loopback address): secrets go to it", p,
			    c->oauth_token_url);
	if (!isempty(c->oauth_device_authorization_url) && !url_safe(c->oauth_device_authorization_url))
		errlist_add(errs, "%s: oauth2.device_authorization_url: \"%s\" must be https:// (http:// only to a loopback address)", p,
			    c->oauth_device_authorization_url);
	if (!streq(g, "jwt_bearer") && isempty(c->oauth_client_id))
		errlist_add(errs, "%s: oauth2.client_id: missing: the app registration's Application (client) ID", p);
	if (streq(g, "client_credentials")) {
		bool secret = !isempty(c->oauth_client_secret_file);
		bool cert = !isempty(c->oauth_client_certificate_file);

		if (secret == cert)
			errlist_add(errs, "%s: [oauth2] the client credentials grant needs %s client_secret_file or client_certificate_file", p,
				    secret ? "only one of" : "one of");
		if (cert && google)
			errlist_add(errs, "%s: oauth2.client_certificate_file: a certificate credential is for provider = microsoft or generic (RFC 7523 private_key_jwt)", p);
	}
	if (streq(g, "jwt_bearer") && isempty(c->oauth_service_account_file))
		errlist_add(errs, "%s: oauth2.service_account_file: missing: the service account's JSON key", p);
	if (streq(g, "refresh_token") && isempty(c->oauth_refresh_token_file))
		errlist_add(errs, "%s: oauth2.refresh_token_file: missing: where complaintsctl oauth login writes the refresh token", p);
	if (streq(c->imap_auth, "oauth2") && !isempty(c->imap_password_file))
		errlist_add(errs, "%s: imap.password_file: not used with auth = oauth2; remove it", p);
	if (streq(c->smtp_auth, "oauth2") && !isempty(c->smtp_password_file))
		errlist_add(errs, "%s: smtp.password_file: not used with auth = oauth2; remove it", p);
}

bool
config_uses_oauth(const struct config *c)
{
	return streq(c->imap_auth, "oauth2") || streq(c->smtp_auth, "oauth2");
}

/* Checks that need the whole file: required keys and cross-field rules. */
static void
config_validate(struct config *c, struct errlist *errs)
{
	const char *p = c->path;

	config_validate_oauth(c, errs);

	if (!valid_address(c->complaints_address))
		errlist_add(errs, "%s: council.complaints_address: \"%s\" is not an email address", p,
			    c->complaints_address);
	ascii_strlower(c->complaints_address);
	if (isempty(c->reference_prefix) || strlen(c->reference_prefix) > 10 ||
	    strspn(c->reference_prefix, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != strlen(c->reference_prefix))
		errlist_add(errs, "%s: council.reference_prefix: use 1 to 10 capital letters (got \"%s\")",
			    p, c->reference_prefix);
	if (!startswith(c->imap_url, "imap://") && !startswith(c->imap_url, "imaps://"))
		errlist_add(errs, "%s: imap.url: must start with imap:// or imaps:// (got \"%s\")", p,
			    c->imap_url);
	if (isempty(c->imap_username))
		errlist_add(errs, "%s: imap.username: missing", p);
	if (!isempty(c->smtp_url) && !startswith(c->smtp_url, "smtp://") &&
	    !startswith(c->smtp_url, "smtps://"))
		errlist_add(errs, "%s: smtp.url: must start with smtp:// or smtps:// (got \"%s\")", p,
			    c->smtp_url);
	if (isempty(c->database))
		errlist_add(errs, "%s: store.database: missing", p);
	if (!isempty(c->digest_weekday) && digest_weekday_from_name(c->digest_weekday) < 0)
		errlist_add(errs, "%s: digest.weekday: expected a day of the week (monday ... sunday) or nothing for no digest (got \"%s\")",
			    p, c->digest_weekday);
	if (!streq(c->housing_acknowledgement, "officer") &&
	    !streq(c->housing_acknowledgement, "automatic"))
		errlist_add(errs, "%s: council.housing_acknowledgement: expected officer or automatic (got \"%s\")",
			    p, c->housing_acknowledgement);
	if (streq(c->imap_processed_folder, c->imap_quarantine_folder) ||
	    ascii_strcaseeq(c->imap_processed_folder, "INBOX"))
		errlist_add(errs, "%s: imap.processed_folder and imap.quarantine_folder must differ from each other and from INBOX",
			    p);
	if (!isempty(c->imap_sent_folder) &&
	    (ascii_strcaseeq(c->imap_sent_folder, "INBOX") ||
	     streq(c->imap_sent_folder, c->imap_processed_folder) ||
	     streq(c->imap_sent_folder, c->imap_quarantine_folder)))
		errlist_add(errs, "%s: imap.sent_folder must be the folder of sent mail, not INBOX, the processed or the quarantine folder",
			    p);
	if (!streq(c->imap_save_sent, "yes") && !streq(c->imap_save_sent, "no") &&
	    !streq(c->imap_save_sent, "auto"))
		errlist_add(errs, "%s: imap.save_sent: expected yes, no or auto (got \"%s\")", p,
			    c->imap_save_sent);
	for (size_t i = 0; i < c->n_officer_addresses; i++)
		if (!valid_address(c->officer_addresses[i]))
			errlist_add(errs, "%s: people.officer_addresses: \"%s\" is not an email address", p,
				    c->officer_addresses[i]);
	for (size_t i = 0; i < c->n_councillor_addresses; i++)
		if (!valid_address(c->councillor_addresses[i]))
			errlist_add(errs, "%s: people.councillor_addresses: \"%s\" is not an email address",
				    p, c->councillor_addresses[i]);
	if (isempty(c->alerts_address))
		errlist_add(errs, "%s: [people] alerts_address: missing: name the officers' shared address that hears of cases no team is set for (not the complaints address)",
			    p);
	else if (!valid_address(c->alerts_address))
		errlist_add(errs, "%s:%u: people.alerts_address: \"%s\" is not an email address", p,
			    c->alerts_address_line, c->alerts_address);
	else if (ascii_strcaseeq(c->alerts_address, c->complaints_address))
		errlist_add(errs, "%s:%u: people.alerts_address must not be the complaints address: complaintsd would file its own alerts away unread",
			    p, c->alerts_address_line);
	ascii_strlower(c->alerts_address);
	if (!isempty(c->exchange_tenant_id) && !exorg_tenant_id_valid(c->exchange_tenant_id))
		errlist_add(errs, "%s: people.exchange_tenant_id: \"%s\" is not a tenant id: write the Microsoft 365 tenant's GUID (Entra admin centre, Overview, Tenant ID), e.g. 0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
			    p, c->exchange_tenant_id);
	ascii_strlower(c->exchange_tenant_id);
	if (c->officer_auth_required && isempty(c->trusted_authserv_id) &&
	    isempty(c->exchange_tenant_id) && c->n_officer_domains + c->n_officer_addresses > 0)
		errlist_add(errs, "%s: people.officer_auth_required is yes (the default) but people.trusted_authserv_id is empty, so no officer's mail could be believed: "
			    "set trusted_authserv_id to the host name your mail server writes in its Authentication-Results headers, or exchange_tenant_id on Microsoft 365 (see complaintsd.conf(5)), "
			    "or set officer_auth_required = no to believe any mail from an officer address (then anyone can speak for the council)",
			    p);
}

/* Read the lines of f (named path in messages) into c; errors go to errs. */
static void
config_parse_lines(FILE *f, struct config *c, const char *path, struct errlist *errs)
{
	_cleanup_free_ char *line = NULL;
	_cleanup_free_ char *section = xstrdup("");
	size_t cap = 0;
	unsigned lineno = 0;
	bool section_known = true;
	ssize_t len;

	while ((len = getline(&line, &cap, f)) >= 0) {
		char *s = line, *eq;

		lineno++;
		if (memchr(line, '\0', (size_t)len) != NULL) {
			errlist_add(errs, "%s:%u: contains a NUL byte", path, lineno);
			continue;
		}
		strstrip(s);
		if (*s == '\0' || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			char *close = strchr(s, ']');

			if (close == NULL || close[1] != '\0') {
				errlist_add(errs, "%s:%u: malformed section header \"%s\"", path, lineno, s);
				continue;
			}
			free(section);
			section = strstrip(xstrndup(s + 1, (size_t)(close - s - 1)));
			(void)key_find(section, "", &section_known);
			section_known = section_known || streq(section, "routing");
			if (!section_known)
				errlist_add(errs, "%s:%u: unknown section [%s]", path, lineno, section);
			continue;
		}
		eq = strchr(s, '=');
		if (eq == NULL) {
			errlist_add(errs, "%s:%u: expected \"key = value\", got \"%s\"", path, lineno, s);
			continue;
		}
		*eq = '\0';
		char *name = strstrip(s), *value = eq + 1;
		bool known;

		strip_comment(value);
		if (*section == '\0') {
			errlist_add(errs, "%s:%u: \"%s\" is outside any [section]", path, lineno, name);
			continue;
		}
		if (!section_known)
			continue; /* already reported once for the section */
		if (streq(section, "routing")) {
			routing_set(c, name, strstrip(value), path, lineno, errs);
			continue;
		}
		const struct key *k = key_find(section, name, &known);
		if (k == NULL) {
			errlist_add(errs, "%s:%u: unknown key \"%s\" in [%s]", path, lineno, name, section);
			continue;
		}
		set_value(c, k, value, path, lineno, errs);
		if (k->offset == offsetof(struct config, alerts_address))
			c->alerts_address_line = lineno;
	}
}

/* Parse f as the file path; takes f and closes it. */
static int
config_load_stream(FILE *f, const char *path, struct config **ret, struct errlist *errs)
{
	_cleanup_config_ struct config *c = xcalloc(1, sizeof(*c));
	size_t errs_before = errs->n;

	c->path = xstrdup(path);
	config_set_defaults(c);
	config_parse_lines(f, c, path, errs);
	fclose(f);
	config_validate(c, errs);
	if (errs->n > errs_before)
		return -EINVAL;
	*ret = TAKE_PTR(c);
	return 0;
}

int
config_load(const char *path, struct config **ret, struct errlist *errs)
{
	FILE *f = fopen(path, "re");

	if (f == NULL) {
		int r = -errno;

		errlist_add(errs, "%s: cannot open: %s", path, strerror(errno));
		return r;
	}
	return config_load_stream(f, path, ret, errs);
}

int
config_load_string(const char *text, size_t len, const char *name, struct config **ret,
		   struct errlist *errs)
{
	FILE *f;

	/* read-only: fmemopen() never writes to the buffer in mode "r" */
	f = fmemopen((void *)(len > 0 ? text : ""), len, "r");
	if (f == NULL) {
		int r = -errno;

		errlist_add(errs, "%s: cannot read: %s", name, strerror(errno));
		return r;
	}
	return config_load_stream(f, name, ret, errs);
}

/*
 * The shipped units load one directory, every file in it a credential:
 * LoadCredential=complaintsd:/etc/complaintsd/credentials.  systemd (252)
 * names each file ID_FILE, a subdirectory's slashes becoming "_":
 * credentials/imap-password arrives as $CREDENTIALS_DIRECTORY/complaintsd_imap-password.
 */
#define CREDENTIALS_ID "complaintsd"
#define CREDENTIALS_SUBDIR "credentials"

static bool
path_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* The two places a relative name may be: *first is also the answer when neither exists. */
static void
credential_candidates(const struct config *c, const char *file, char **first, char **second)
{
	const char *creds = getenv("CREDENTIALS_DIRECTORY");
	const char *slash = strrchr(c->path, '/');

	if (!isempty(creds)) {
		size_t start;

		/* a credential of its own (LoadCredential=imap-password:...) */
		*first = xasprintf("%s/%s", creds, file);
		/* or a file of the units' credentials directory */
		*second = xasprintf("%s/" CREDENTIALS_ID "_%s", creds, file);
		start = strlen(creds) + 1;
		for (char *p = *second + start; *p != '\0'; p++)
			if (*p == '/')
				*p = '_';
		return;
	}
	/* without systemd: beside the configuration file, or in its credentials/ */
	if (slash) {
		*first = xasprintf("%.*s/%s", (int)(slash - c->path), c->path, file);
		*second = xasprintf("%.*s/" CREDENTIALS_SUBDIR "/%s", (int)(slash - c->path), c->path, file);
	} else {
		*first = xstrdup(file);
		*second = xasprintf(CREDENTIALS_SUBDIR "/%s", file);
	}
}

char *
config_credential_path(const struct config *c, const char *file)
{
	char *first, *second;

	if (file[0] == '/')
		return xstrdup(file);
	credential_candidates(c, file, &first, &second);
	if (!path_exists(first) && path_exists(second)) {
		free(first);
		return second;
	}
	free(second);
	return first;
}

/* What to add to "cannot read" when a relative name was found in neither place. */
static void
credential_missing(const struct config *c, const char *file, const char *path, const char *what,
		   struct errlist *errs)
{
	_cleanup_free_ char *first = NULL, *second = NULL;

	if (file[0] == '/') {
		errlist_add(errs, "%s: cannot read %s file: %s", path, what, strerror(ENOENT));
		return;
	}
	credential_candidates(c, file, &first, &second);
	if (!isempty(getenv("CREDENTIALS_DIRECTORY"))) {
		const char *slash = strrchr(c->path, '/');

		/* the shipped units load the credentials/ beside their configuration */
		errlist_add(errs, "%s: cannot read %s file: %s (nor %s): put %s in %.*s" CREDENTIALS_SUBDIR
			    "/ (mode 0600), which the shipped unit loads, and restart it",
			    path, what, strerror(ENOENT), second, file, slash ? (int)(slash - c->path) + 1 : 0,
			    c->path);
	} else
		errlist_add(errs, "%s: cannot read %s file: %s (nor %s)", path, what, strerror(ENOENT),
			    second);
}

int
config_read_credential(const struct config *c, const char *file, size_t max, char **ret,
		       size_t *ret_len, struct errlist *errs)
{
	_cleanup_free_ char *path = config_credential_path(c, file), *data = xmalloc(max + 1);
	size_t n;
	FILE *f = fopen(path, "re");

	if (f == NULL) {
		int r = -errno;

		if (r == -ENOENT)
			credential_missing(c, file, path, "credential", errs);
		else
			errlist_add(errs, "%s: cannot read credential file: %s", path, strerror(errno));
		return r;
	}
	n = fread(data, 1, max + 1, f);
	if (ferror(f)) {
		fclose(f);
		errlist_add(errs, "%s: cannot read credential file", path);
		return -EIO;
	}
	fclose(f);
	if (n > max) {
		explicit_bzero(data, max + 1);
		errlist_add(errs, "%s: credential file is larger than %zu bytes", path, max);
		return -E2BIG;
	}
	if (n == 0) {
		errlist_add(errs, "%s: credential file is empty", path);
		return -EINVAL;
	}
	data[n] = '\0';
	*ret_len = n;
	*ret = TAKE_PTR(data);
	return 0;
}

int
config_read_secret(const struct config *c, const char *file, char **ret, struct errlist *errs)
{
	_cleanup_free_ char *path = NULL, *line = NULL;
	size_t cap = 0;
	FILE *f;

	if (isempty(file)) {
		*ret = xstrdup("");
		return 0;
	}
	path = config_credential_path(c, file);
	f = fopen(path, "re");
	if (f == NULL) {
		int r = -errno;

		if (r == -ENOENT)
			credential_missing(c, file, path, "secret", errs);
		else
			errlist_add(errs, "%s: cannot read secret file: %s", path, strerror(errno));
		return r;
	}
	if (getline(&line, &cap, f) < 0) {
		fclose(f);
		errlist_add(errs, "%s: secret file is empty", path);
		return -EINVAL;
	}
	fclose(f);
	line[strcspn(line, "\r\n")] = '\0';
	*ret = TAKE_PTR(line);
	return 0;
}

bool
config_address_in(const char *addr, char *const *addresses, size_t n_addresses,
		  char *const *domains, size_t n_domains)
{
	const char *at = strrchr(addr, '@');

	for (size_t i = 0; i < n_addresses; i++)
		if (ascii_strcaseeq(addr, addresses[i]))
			return true;
	if (at == NULL)
		return false;
	for (size_t i = 0; i < n_domains; i++) {
		const char *d = domains[i];
		size_t dl = strlen(d), al = strlen(at + 1);

		/* the domain itself or a subdomain of it */
		if (ascii_strcaseeq(at + 1, d) ||
		    (al > dl && at[al - dl] == '.' && ascii_strcaseeq(at + 1 + al - dl, d)))
			return true;
	}
	return false;
}

const char *
config_alerts_address(const struct config *c)
{
	return isempty(c->alerts_address) ? c->complaints_address : c->alerts_address;
}

const char *
config_auth_warning(const struct config *c)
{
	if (c->officer_auth_required || c->n_officer_domains + c->n_officer_addresses == 0)
		return NULL;
	return "people.officer_auth_required = no: mail from an officer address is believed without proof, "
	       "so anyone can apply commands to a case and write to its resident in the council's name";
}
