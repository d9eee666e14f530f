/*
 * oauth_wire.h - what an OAuth 2.0 token endpoint is sent and answers
 * (RFC 6749 section 5, RFC 8628 section 3.2), as pure code.
 *
 * Answers come from the network, so they are read within hard limits
 * (OAUTH_MAX_*) by json_read.h and checked: a token must be a b64token
 * (RFC 6750 section 2.1) so it can go into SASL unchanged, a lifetime a
 * sensible number of seconds.  Texts from the provider (error,
 * error_description) are cut to OAUTH_MAX_TEXT and cleaned of control
 * characters, as they go into logs.  The advice for Entra's AADSTS codes and
 * the common RFC 6749 errors is here too, so it can be tested.
 */
#ifndef COMPLAINTSD_OAUTH_WIRE_H
#define COMPLAINTSD_OAUTH_WIRE_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#define OAUTH_MAX_RESPONSE (128 * 1024) /* bytes of one answer */
#define OAUTH_MAX_TOKEN (32 * 1024)     /* an access or refresh token */
#define OAUTH_MAX_TEXT 400               /* error_description as logged */
#define OAUTH_MAX_LIFETIME (366L * 86400)
#define OAUTH_DEFAULT_LIFETIME 600 /* seconds, when an answer gives no expires_in */

struct oauth_answer {
	/* success */
	char *access_token;
	char *refresh_token; /* NULL when none was issued */
	long expires_in;     /* seconds, 1 .. OAUTH_MAX_LIFETIME */
	/* refusal (RFC 6749 section 5.2) */
	char *error;             /* NULL on success */
	char *error_description; /* cleaned, "" when none */
	long aadsts;             /* Entra's AADSTS number from error_description, 0 when none */
};

/*
 * Read a token endpoint's answer (any HTTP status: refusals are JSON too).
 * 0 with either access_token or error set; -EINVAL (not a token answer) or
 * -E2BIG (over a limit) with *ret_error saying why (no token in it).
 */
int oauth_answer_parse(const char *data, size_t len, struct oauth_answer *ret, char **ret_error);
void oauth_answer_done(struct oauth_answer *a);

/* RFC 8628 device authorization answer. */
struct oauth_device {
	char *device_code;
	char *user_code;
	char *verification_uri;          /* https://microsoft.com/devicelogin ... */
	char *verification_uri_complete; /* NULL when none */
	long expires_in;
	long interval; /* seconds between polls, default 5 */
};

int oauth_device_parse(const char *data, size_t len, struct oauth_device *ret, char **ret_error);
void oauth_device_done(struct oauth_device *d);

/* A Google service account's JSON key (the fields used; the key stays PEM). */
struct oauth_service_account {
	char *client_email;
	char *private_key;    /* PEM */
	char *private_key_id; /* the JWT's kid, NULL when absent */
	char *token_uri;      /* NULL when absent */
};

/* 0, or -EINVAL with *ret_error saying what is missing (never any of the key). */
int oauth_service_account_parse(const char *data, size_t len, struct oauth_service_account *ret,
				char **ret_error);
void oauth_service_account_done(struct oauth_service_account *sa);

/* Is s a b64token of at most OAUTH_MAX_TOKEN bytes? */
bool oauth_token_valid(const char *s);

/* Append key=value to an application/x-www-form-urlencoded body ("&" between). */
int oauth_form_add(struct buf *b, const char *key, const char *value);

/*
 * What an administrator should do about a refusal (error, the AADSTS number
 * or 0, grant as configured: "client_credentials", "refresh_token",
 * "jwt_bearer"), or a general hint; never NULL.
 */
const char *oauth_advice(const char *error, long aadsts, const char *error_description,
			 const char *grant);

#endif
