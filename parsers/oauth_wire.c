/*
 * oauth_wire.c - token endpoint answers, form bodies and the advice for refusals.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json_read.h"
#include "oauth_wire.h"
#include "util.h"

static const struct json_limits answer_limits = {
    .max_input = OAUTH_MAX_RESPONSE,
    .max_depth = 8,
    .max_string = OAUTH_MAX_TOKEN,
    .max_values = 2000,
    .max_members = 100,
};

bool
oauth_token_valid(const char *s)
{
	size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/");

	if (n == 0 || n > OAUTH_MAX_TOKEN)
		return false;
	return strspn(s + n, "=") == strlen(s + n);
}

/* error_description as it may be logged: one line, printable, at most OAUTH_MAX_TEXT bytes. */
static char *
clean_text(const char *s)
{
	size_t n = strlen(s);
	char *out;

	if (n > OAUTH_MAX_TEXT) {
		n = OAUTH_MAX_TEXT;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--; /* do not cut a UTF-8 sequence */
	}
	out = xstrndup(s, n);
	for (char *p = out; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return strstrip(out);
}

static long
aadsts_number(const char *s)
{
	const char *p = strstr(s, "AADSTS");
	long n = 0;

	if (p == NULL)
		return 0;
	p += 6;
	for (int i = 0; i < 9 && *p >= '0' && *p <= '9'; i++, p++)
		n = n * 10 + (*p - '0');
	return n;
}

static int
parse_object(const char *data, size_t len, struct json_value *root, char **ret_error)
{
	_cleanup_free_ char *err = NULL;
	int r = json_parse(data, len, &answer_limits, root, &err);

	if (r < 0) {
		*ret_error = xasprintf("the answer is not JSON within limits (%s)", err);
		return r;
	}
	if (root->type != JSON_OBJECT) {
		json_value_free(root);
		*ret_error = xstrdup("the answer is not a JSON object");
		return -EINVAL;
	}
	return 0;
}

int
oauth_answer_parse(const char *data, size_t len, struct oauth_answer *ret, char **ret_error)
{
	struct json_value root;
	struct oauth_answer a = {0};
	const char *s;
	long long n;
	int r;

	*ret_error = NULL;
	r = parse_object(data, len, &root, ret_error);
	if (r < 0)
		return r;
	s = json_member_string(&root, "error");
	if (s != NULL) {
		const char *d = json_member_string(&root, "error_description");

		a.error = clean_text(s);
		if (isempty(a.error) || strlen(s) > 100) {
			free(a.error);
			a.error = xstrdup("(unreadable error code)");
		}
		a.error_description = clean_text(d ? d : "");
		a.aadsts = aadsts_number(a.error_description);
		goto done;
	}
	s = json_member_string(&root, "access_token");
	if (s == NULL || !oauth_token_valid(s)) {
		*ret_error = xstrdup(s == NULL ? "the answer has neither access_token nor error"
					       : "the access_token is not a bearer token (RFC 6750 b64token)");
		r = -EINVAL;
		goto done;
	}
	a.access_token = xstrdup(s);
	s = json_member_string(&root, "token_type");
	if (s != NULL && !ascii_strcaseeq(s, "Bearer")) {
		*ret_error = xasprintf("the token_type is \"%.40s\", not Bearer", s);
		r = -EINVAL;
		goto done;
	}
	s = json_member_string(&root, "refresh_token");
	if (s != NULL) {
		if (!oauth_token_valid(s)) {
			*ret_error = xstrdup("the refresh_token holds characters a token cannot have");
			r = -EINVAL;
			goto done;
		}
		a.refresh_token = xstrdup(s);
	}
	r = json_member_int(&root, "expires_in", 1, OAUTH_MAX_LIFETIME, &n);
	if (r == -ENOENT)
		n = OAUTH_DEFAULT_LIFETIME;
	else if (r < 0) {
		*ret_error = xstrdup("expires_in is not a number of seconds from 1 to a year");
		r = -EINVAL;
		goto done;
	}
	a.expires_in = (long)n;
	r = 0;
done:
	json_value_free(&root);
	if (r < 0) {
		oauth_answer_done(&a);
		return r;
	}
	*ret = a;
	return 0;
}

void
oauth_answer_done(struct oauth_answer *a)
{
	if (a->access_token)
		explicit_bzero(a->access_token, strlen(a->access_token));
	if (a->refresh_token)
		explicit_bzero(a->refresh_token, strlen(a->refresh_token));
	free(a->access_token);
	free(a->refresh_token);
	free(a->error);
	free(a->error_description);
	*a = (struct oauth_answer){0};
}

static bool
printable(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n > max)
		return false;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7f)
			return false;
	return true;
}

int
oauth_device_parse(const char *data, size_t len, struct oauth_device *ret, char **ret_error)
{
	struct json_value root;
	struct oauth_device d = {0};
	const char *dc, *uc, *uri, *full;
	long long n;
	int r;

	*ret_error = NULL;
	r = parse_object(data, len, &root, ret_error);
	if (r < 0)
		return r;
	dc = json_member_string(&root, "device_code");
	uc = json_member_string(&root, "user_code");
	uri = json_member_string(&root, "verification_uri");
	if (uri == NULL)
		uri = json_member_string(&root, "verification_url"); /* Google's spelling */
	full = json_member_string(&root, "verification_uri_complete");
	if (dc == NULL || uc == NULL || uri == NULL || !printable(dc, OAUTH_MAX_TOKEN) ||
	    !printable(uc, 64) || !printable(uri, 2048) ||
	    (!startswith(uri, "https://") && !startswith(uri, "http://")) ||
	    (full != NULL && (!printable(full, 2048) || !startswith(full, "http")))) {
		*ret_error = xstrdup("the answer lacks a usable device_code, user_code or verification_uri");
		r = -EINVAL;
		goto done;
	}
	d.device_code = xstrdup(dc);
	d.user_code = xstrdup(uc);
	d.verification_uri = xstrdup(uri);
	d.verification_uri_complete = full ? xstrdup(full) : NULL;
	d.expires_in = json_member_int(&root, "expires_in", 1, 86400, &n) == 0 ? (long)n : 900;
	d.interval = json_member_int(&root, "interval", 1, 300, &n) == 0 ? (long)n : 5;
	r = 0;
done:
	json_value_free(&root);
	if (r < 0)
		return r;
	*ret = d;
	return 0;
}

void
oauth_device_done(struct oauth_device *d)
{
	free(d->device_code);
	free(d->user_code);
	free(d->verification_uri);
	free(d->verification_uri_complete);
	*d = (struct oauth_device){0};
}

int
oauth_service_account_parse(const char *data, size_t len, struct oauth_service_account *ret,
			    char **ret_error)
{
	static const struct json_limits lim = {
	    .max_input = 64 * 1024, .max_depth = 4, .max_string = 16 * 1024,
	    .max_values = 200, .max_members = 50,
	};
	_cleanup_free_ char *err = NULL;
	struct json_value root;
	const char *type, *email, *key, *kid, *uri;
	int r;

	*ret_error = NULL;
	r = json_parse(data, len, &lim, &root, &err);
	if (r < 0) {
		*ret_error = xasprintf("not a JSON key file (%s)", err);
		return -EINVAL;
	}
	type = json_member_string(&root, "type");
	email = json_member_string(&root, "client_email");
	key = json_member_string(&root, "private_key");
	kid = json_member_string(&root, "private_key_id");
	uri = json_member_string(&root, "token_uri");
	if (type == NULL || !streq(type, "service_account"))
		*ret_error = xasprintf("not a service account key (\"type\" is %s%s%s): create a JSON key under IAM, Service accounts, Keys",
				       type ? "\"" : "", type ? type : "missing", type ? "\"" : "");
	else if (email == NULL || !printable(email, 320) || strchr(email, '@') == NULL)
		*ret_error = xstrdup("the key has no client_email");
	else if (key == NULL || strstr(key, "-----BEGIN") == NULL)
		*ret_error = xstrdup("the key has no private_key in PEM");
	else if (uri != NULL && !startswith(uri, "https://"))
		*ret_error = xstrdup("the key's token_uri is not https://");
	if (*ret_error != NULL) {
		json_value_free(&root);
		return -EINVAL;
	}
	*ret = (struct oauth_service_account){
	    .client_email = xstrdup(email),
	    .private_key = xstrdup(key),
	    .private_key_id = kid && printable(kid, 200) ? xstrdup(kid) : NULL,
	    .token_uri = uri ? xstrdup(uri) : NULL,
	};
	json_value_free(&root);
	return 0;
}

void
oauth_service_account_done(struct oauth_service_account *sa)
{
	if (sa->private_key)
		explicit_bzero(sa->private_key, strlen(sa->private_key));
	free(sa->client_email);
	free(sa->private_key);
	free(sa->private_key_id);
	free(sa->token_uri);
	*sa = (struct oauth_service_account){0};
}

int
oauth_form_add(struct buf *b, const char *key, const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	int r = 0;

	if (b->len > 0)
		r = buf_putc(b, '&');
	for (int part = 0; part < 2 && r == 0; part++) {
		for (const unsigned char *p = (const unsigned char *)(part ? value : key);
		     *p != '\0' && r == 0; p++) {
			if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
			    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' ||
			    *p == '~')
				r = buf_putc(b, (char)*p);
			else if (*p == ' ')
				r = buf_putc(b, '+');
			else
				r = buf_printf(b, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
		}
		if (part == 0 && r == 0)
			r = buf_putc(b, '=');
	}
	return r;
}

struct aadsts_advice {
	long code;
	const char *advice;
};

static const struct aadsts_advice aadsts[] = {
    {7000215, "the client secret is wrong: put the secret's Value (shown once, when it was created) in client_secret_file, not its Secret ID"},
    {7000222, "the client secret has expired: create a new one under Certificates & secrets of the app registration and write its Value to client_secret_file"},
    {700016, "no application with this client_id in this tenant: check [oauth2] client_id (the Application (client) ID) and tenant, and that an administrator has consented to the app in this tenant"},
    {90002, "the tenant does not exist: check [oauth2] tenant (the tenant's domain, e.g. council.onmicrosoft.com, or its Directory (tenant) ID)"},
    {65001, "consent is missing: an administrator must grant admin consent for IMAP.AccessAsApp and SMTP.SendAsApp under API permissions"},
    {7000218, "the app expects a credential: set client_secret_file or client_certificate_file"},
    {700027, "the certificate's signature is not accepted: upload this certificate (its public part) under Certificates & secrets of the app registration, or check that client_certificate_file holds the matching key"},
    {700024, "the client assertion is not within its valid time: check this machine's clock (timedatectl)"},
    {70011, "the scope is not valid: for Exchange Online use https://outlook.office365.com/.default (the default; clear [oauth2] scope)"},
    {700082, "the refresh token has expired: run complaintsctl oauth login again"},
    {70008, "the refresh token has expired after a time without use: run complaintsctl oauth login again"},
    {50173, "the refresh token was revoked (the password changed or sessions were revoked): run complaintsctl oauth login again"},
    {53003, "a Conditional Access policy blocks the sign-in: exclude the app or the mailbox from it, or allow its location"},
    {50126, "the user name or password is wrong"},
    {50034, "the account does not exist in this tenant"},
    {7000112, "the application is disabled in this tenant: enable it under Enterprise applications"},
    {500011, "the resource is not in this tenant: check the scope (https://outlook.office365.com/.default) and that Exchange Online is licensed"},
};

const char *
oauth_advice(const char *error, long code, const char *description, const char *grant)
{
	for (size_t i = 0; i < ELEMENTSOF(aadsts); i++)
		if (aadsts[i].code == code)
			return aadsts[i].advice;
	if (error == NULL)
		return "see the identity provider's log for the reason";
	if (streq(error, "invalid_client"))
		return "the provider does not accept the client's credentials: check [oauth2] client_id and the secret or certificate";
	if (streq(error, "unauthorized_client")) {
		if (streq_ptr(grant, "jwt_bearer"))
			return "the service account may not act for the mailbox: in the Google Admin console, Security, API controls, Domain-wide delegation, add the service account's client ID with the scope https://mail.google.com/";
		return "the client may not use this grant: allow it in the provider's settings for the client";
	}
	if (streq(error, "invalid_grant")) {
		if (streq_ptr(grant, "refresh_token"))
			return "the refresh token is no longer valid: run complaintsctl oauth login again";
		if (streq_ptr(grant, "jwt_bearer")) {
			if (description != NULL && ascii_strcasestr(description, "signature") != NULL)
				return "the service account key is not valid any more: create a new JSON key for the service account and replace service_account_file";
			return "the provider refused the service account's assertion: check that [imap] username is a mailbox in the Workspace domain, the key is current, and this machine's clock is right";
		}
		return "the provider refused the grant: check the credentials and this machine's clock";
	}
	if (streq(error, "invalid_scope") || streq(error, "scope_invalid"))
		return "the scope is not allowed for this client: check [oauth2] scope";
	if (streq(error, "invalid_request"))
		return "the provider found the request malformed: check [oauth2] token_url, client_id and grant";
	if (streq(error, "access_denied"))
		return "the sign-in was declined";
	if (streq(error, "expired_token"))
		return "the device code expired before the sign-in finished: run complaintsctl oauth login again";
	if (streq(error, "temporarily_unavailable") || streq(error, "server_error"))
		return "the provider has a problem of its own: complaintsd tries again later";
	return "see the provider's documentation for this error";
}
