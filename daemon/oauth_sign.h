/*
 * oauth_sign.h - RS256 signatures for JWT assertions (GnuTLS): an Entra
 * certificate credential (PEM with the certificate and its key) or a Google
 * service account's private key.  The only file of the OAuth code that
 * includes gnutls/.
 */
#ifndef COMPLAINTSD_OAUTH_SIGN_H
#define COMPLAINTSD_OAUTH_SIGN_H

#include <stdbool.h>
#include <stddef.h>

struct oauth_key;

/*
 * Read an RSA private key from PEM (PKCS#8 or PKCS#1); with want_cert also
 * the first certificate of the same text, whose SHA-256 is the "x5t#S256"
 * Entra matches against the uploaded certificate.  0, or -EINVAL with
 * *ret_error saying what is wrong (never any of the key).
 */
int oauth_key_load(const char *pem, size_t len, bool want_cert, struct oauth_key **ret,
		   char **ret_error);
void oauth_key_free(struct oauth_key *k);
/* base64url SHA-256 of the certificate's DER, or NULL without one. */
const char *oauth_key_x5t(const struct oauth_key *k);
/* The certificate's expiry (0 without one). */
long long oauth_key_not_after(const struct oauth_key *k);
/* A signed JWT: signing_input "." base64url(RS256 signature); NULL on failure. */
char *oauth_key_sign_jwt(const struct oauth_key *k, const char *signing_input);
/* Random bytes from GnuTLS's generator; 0 or -EIO. */
int oauth_random(void *buf, size_t n);

#endif
