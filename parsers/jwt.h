/*
 * jwt.h - the pure parts of signed JSON Web Tokens (RFC 7519, RS256) and of
 * SASL XOAUTH2: base64url, the header and claims, the signing input, and the
 * XOAUTH2 initial response.  Signing itself needs a key and lives in
 * daemon/oauth_sign.c; nothing here does I/O or reads the clock.
 */
#ifndef COMPLAINTSD_JWT_H
#define COMPLAINTSD_JWT_H

#include <stddef.h>
#include <time.h>

/* base64url without padding (RFC 7515 section 2), malloc'ed. */
char *base64url_encode(const void *data, size_t len);
/* Decode base64url (padding optional); 0 or -EINVAL.  *ret is malloc'ed and NUL-terminated. */
int base64url_decode(const char *s, size_t len, char **ret, size_t *ret_len);
/* Standard base64 with padding (RFC 4648 section 4), malloc'ed. */
char *base64_encode(const void *data, size_t len);

/*
 * The claims of an assertion.  Entra's certificate credential: iss = sub =
 * the client id, aud = the token endpoint, a unique jti.  A Google service
 * account: iss = its client_email, sub = the mailbox, aud = its token_uri,
 * scope.  NULL members are left out; exp must be after iat.
 */
struct jwt_claims {
	const char *iss;
	const char *sub;
	const char *aud;
	const char *scope;
	const char *jti;
	time_t iat; /* also nbf when nbf is set */
	time_t exp;
	int nbf;    /* non-zero: add nbf = iat */
};

/*
 * base64url(header) "." base64url(claims): what RS256 signs.  The header is
 * {"alg":"RS256","typ":"JWT"} plus "x5t#S256" (the base64url SHA-256 of the
 * certificate's DER, Entra's certificate credentials) and "kid" when given.
 * NULL when a claim or header value holds a control character.
 */
char *jwt_signing_input(const struct jwt_claims *c, const char *x5t_s256, const char *kid);
/* signing_input "." base64url(signature), malloc'ed. */
char *jwt_finish(const char *signing_input, const void *signature, size_t len);

/* A 128-bit value as a UUID string (for jti), into out (at least 37 bytes). */
void jwt_uuid(const unsigned char random16[16], char out[37]);

/*
 * The SASL XOAUTH2 initial response, base64 of
 * "user=" user ^A "auth=Bearer " token ^A ^A.  NULL when user or token holds
 * a byte that would break it (a control character, a space in the token).
 */
char *xoauth2_initial_response(const char *user, const char *token);

#endif
