/*
 * oauth_sign.c - RS256 with GnuTLS for the JWT assertions.
 */
#include "config.h"

#include <errno.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdlib.h>
#include <string.h>

#include "jwt.h"
#include "oauth_sign.h"
#include "util.h"

struct oauth_key {
	gnutls_privkey_t key;
	char *x5t;
	long long not_after;
};

void
oauth_key_free(struct oauth_key *k)
{
	if (k == NULL)
		return;
	if (k->key)
		gnutls_privkey_deinit(k->key);
	free(k->x5t);
	free(k);
}

static int
load_cert(struct oauth_key *k, const gnutls_datum_t *d, char **ret_error)
{
	gnutls_x509_crt_t crt;
	gnutls_datum_t der = {NULL, 0};
	unsigned char sha[32];
	int r;

	if (gnutls_x509_crt_init(&crt) < 0) {
		*ret_error = xstrdup("out of memory");
		return -ENOMEM;
	}
	r = gnutls_x509_crt_import(crt, d, GNUTLS_X509_FMT_PEM);
	if (r < 0) {
		gnutls_x509_crt_deinit(crt);
		*ret_error = xasprintf("no certificate in it (%s): it must hold the certificate uploaded to the app registration and its private key, both PEM",
				       gnutls_strerror(r));
		return -EINVAL;
	}
	r = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &der);
	if (r >= 0)
		r = gnutls_hash_fast(GNUTLS_DIG_SHA256, der.data, der.size, sha);
	k->not_after = (long long)gnutls_x509_crt_get_expiration_time(crt);
	gnutls_free(der.data);
	gnutls_x509_crt_deinit(crt);
	if (r < 0) {
		*ret_error = xasprintf("cannot hash the certificate: %s", gnutls_strerror(r));
		return -EINVAL;
	}
	k->x5t = base64url_encode(sha, sizeof(sha));
	return 0;
}

int
oauth_key_load(const char *pem, size_t len, bool want_cert, struct oauth_key **ret,
	       char **ret_error)
{
	struct oauth_key *k = xcalloc(1, sizeof(*k));
	gnutls_datum_t d = {(unsigned char *)pem, (unsigned)len};
	unsigned bits = 0;
	int r;

	*ret_error = NULL;
	if (len > 1024 * 1024) {
		*ret_error = xstrdup("too large for a key");
		free(k);
		return -EINVAL;
	}
	if (gnutls_privkey_init(&k->key) < 0) {
		free(k);
		*ret_error = xstrdup("out of memory");
		return -ENOMEM;
	}
	r = gnutls_privkey_import_x509_raw(k->key, &d, GNUTLS_X509_FMT_PEM, NULL, 0);
	if (r < 0) {
		*ret_error = xasprintf("no readable private key in it (%s): it must hold an unencrypted RSA key in PEM",
				       gnutls_strerror(r));
		oauth_key_free(k);
		return -EINVAL;
	}
	if (gnutls_privkey_get_pk_algorithm(k->key, &bits) != GNUTLS_PK_RSA) {
		*ret_error = xstrdup("the private key is not RSA: RS256 needs an RSA key");
		oauth_key_free(k);
		return -EINVAL;
	}
	if (bits < 2048) {
		*ret_error = xasprintf("the RSA key has %u bits; identity providers require at least 2048", bits);
		oauth_key_free(k);
		return -EINVAL;
	}
	if (want_cert && load_cert(k, &d, ret_error) < 0) {
		oauth_key_free(k);
		return -EINVAL;
	}
	*ret = k;
	return 0;
}

const char *
oauth_key_x5t(const struct oauth_key *k)
{
	return k->x5t;
}

long long
oauth_key_not_after(const struct oauth_key *k)
{
	return k->not_after;
}

char *
oauth_key_sign_jwt(const struct oauth_key *k, const char *signing_input)
{
	gnutls_datum_t data = {(unsigned char *)signing_input, (unsigned)strlen(signing_input)};
	gnutls_datum_t sig = {NULL, 0};
	char *jwt;

	if (gnutls_privkey_sign_data(k->key, GNUTLS_DIG_SHA256, 0, &data, &sig) < 0)
		return NULL;
	jwt = jwt_finish(signing_input, sig.data, sig.size);
	gnutls_free(sig.data);
	return jwt;
}

int
oauth_random(void *buf, size_t n)
{
	return gnutls_rnd(GNUTLS_RND_NONCE, buf, n) < 0 ? -EIO : 0;
}
