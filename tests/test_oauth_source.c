/*
 * test_oauth_source.c - the token source's credentials, as check-config and
 * the daemon load them: every missing or unusable file named with what to do,
 * and RS256 signatures that verify with the certificate's public key.
 */
#include "config.h"

#include <errno.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <setjmp.h>
#include <cmocka.h>

#include "conf.h"
#include "json.h"
#include "jwt.h"
#include "oauth.h"
#include "oauth_sign.h"
#include "util.h"

static char dir[] = "/tmp/complaintsd-oauth-XXXXXX";
static char *key_pem, *cert_pem;

static void
write_file(const char *name, const char *text)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "we");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A 2048-bit RSA key and a self-signed certificate for it, as PEM. */
static void
make_key_and_cert(void)
{
	gnutls_x509_privkey_t key;
	gnutls_x509_crt_t crt;
	gnutls_datum_t out;
	time_t now = time(NULL);
	unsigned char serial[4] = {1, 2, 3, 4};

	assert_int_equal(gnutls_x509_privkey_init(&key), 0);
	assert_int_equal(gnutls_x509_privkey_generate(key, GNUTLS_PK_RSA, 2048, 0), 0);
	assert_int_equal(gnutls_x509_privkey_export2_pkcs8(key, GNUTLS_X509_FMT_PEM, NULL,
							   GNUTLS_PKCS_PLAIN, &out), 0);
	key_pem = xstrndup((char *)out.data, out.size);
	gnutls_free(out.data);
	assert_int_equal(gnutls_x509_crt_init(&crt), 0);
	gnutls_x509_crt_set_version(crt, 3);
	gnutls_x509_crt_set_serial(crt, serial, sizeof(serial));
	gnutls_x509_crt_set_activation_time(crt, now - 60);
	gnutls_x509_crt_set_expiration_time(crt, now + 86400 * 365);
	gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, "complaintsd", 11);
	gnutls_x509_crt_set_key(crt, key);
	assert_int_equal(gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0), 0);
	assert_int_equal(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &out), 0);
	cert_pem = xstrndup((char *)out.data, out.size);
	gnutls_free(out.data);
	gnutls_x509_crt_deinit(crt);
	gnutls_x509_privkey_deinit(key);
}

static int
setup(void **state)
{
	(void)state;
	assert_non_null(mkdtemp(dir));
	make_key_and_cert();
	unsetenv("CREDENTIALS_DIRECTORY");
	return 0;
}

static int
teardown(void **state)
{
	_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", dir);

	(void)state;
	free(key_pem);
	free(cert_pem);
	return system(cmd) == 0 ? 0 : -1;
}

/* The configuration file lives in dir, so relative *_file names are found beside it. */
static struct config *
load(const char *oauth2, struct errlist *errs)
{
	_cleanup_free_ char *text = xasprintf(
	    "[council]\ncomplaints_address = complaints@council.example\n"
	    "[people]\nalerts_address = team@council.example\n"
	    "[imap]\nurl = imaps://imap.example.net/INBOX\nauth = oauth2\nusername = complaints@council.example\n"
	    "[oauth2]\n%s", oauth2);
	_cleanup_free_ char *name = xasprintf("%s/complaintsd.conf", dir);
	struct config *c = NULL;

	assert_int_equal(config_load_string(text, strlen(text), name, &c, errs), 0);
	return c;
}

static bool
has_error(const struct errlist *errs, const char *what)
{
	for (size_t i = 0; i < errs->n; i++)
		if (strstr(errs->v[i], what) != NULL)
			return true;
	for (size_t i = 0; i < errs->n; i++)
		print_error("  %s\n", errs->v[i]);
	return false;
}

static void
test_missing_and_unusable_files(void **state)
{
	static const struct {
		const char *oauth2, *error;
	} cases[] = {
	    {"provider = microsoft\ntenant = council.onmicrosoft.com\nclient_id = x\nclient_secret_file = absent\n",
	     "absent: cannot read secret file"},
	    {"provider = microsoft\ntenant = t\nclient_id = x\nclient_certificate_file = garbage.pem\n",
	     "no readable private key"},
	    {"provider = microsoft\ntenant = t\nclient_id = x\nclient_certificate_file = keyonly.pem\n",
	     "no certificate in it"},
	    {"provider = google\nservice_account_file = user.json\n", "not a service account key"},
	    {"provider = google\nservice_account_file = badkey.json\n", "private_key: no readable private key"},
	    {"provider = microsoft\ntenant = t\nclient_id = x\ngrant = refresh_token\nrefresh_token_file = none-yet\n",
	     "no refresh token yet: run complaintsctl oauth login"},
	};

	(void)state;
	write_file("garbage.pem", "-----BEGIN PRIVATE KEY-----\nnot base64 at all\n-----END PRIVATE KEY-----\n");
	write_file("keyonly.pem", key_pem);
	write_file("user.json", "{\"type\":\"authorized_user\",\"client_id\":\"x\",\"refresh_token\":\"y\"}");
	write_file("badkey.json", "{\"type\":\"service_account\",\"client_email\":\"sa@project.iam.gserviceaccount.com\","
				  "\"private_key\":\"-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----\\n\"}");
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
		struct config *c = load(cases[i].oauth2, &errs);
		struct oauth *o = NULL;

		assert_int_equal(oauth_new(c, &o, &errs), -EINVAL);
		assert_null(o);
		assert_true(has_error(&errs, cases[i].error));
		config_free(c);
	}
}

static void
test_certificate_signs_verifiable_jwt(void **state)
{
	_cleanup_free_ char *both = xasprintf("%s%s", cert_pem, key_pem), *err = NULL;
	_cleanup_free_ char *x5t = NULL, *input = NULL, *jwt = NULL, *sig = NULL;
	_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
	struct oauth_key *k = NULL;
	struct oauth *o = NULL;
	struct config *c;
	gnutls_x509_crt_t crt;
	gnutls_pubkey_t pub;
	gnutls_datum_t d = {(unsigned char *)cert_pem, (unsigned)strlen(cert_pem)};
	unsigned char fp[32];
	size_t fplen = sizeof(fp), siglen;
	const char *dot;
	(void)state;

	/* the certificate first or the key first: both are read */
	assert_int_equal(oauth_key_load(both, strlen(both), true, &k, &err), 0);
	assert_int_equal(gnutls_x509_crt_init(&crt), 0);
	assert_int_equal(gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM), 0);
	assert_int_equal(gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA256, fp, &fplen), 0);
	x5t = base64url_encode(fp, fplen);
	assert_string_equal(oauth_key_x5t(k), x5t);
	assert_true(oauth_key_not_after(k) > time(NULL));

	{
		struct jwt_claims cl = {.iss = "client", .sub = "client", .aud = "https://idp.example.net/token",
					.jti = "j", .iat = 1000, .exp = 1600};

		input = jwt_signing_input(&cl, oauth_key_x5t(k), NULL);
	}
	jwt = oauth_key_sign_jwt(k, input);
	assert_non_null(jwt);
	assert_true(startswith(jwt, input));
	dot = jwt + strlen(input);
	assert_int_equal(*dot, '.');
	assert_int_equal(base64url_decode(dot + 1, strlen(dot + 1), &sig, &siglen), 0);
	assert_int_equal(siglen, 256);
	assert_int_equal(gnutls_pubkey_init(&pub), 0);
	assert_int_equal(gnutls_pubkey_import_x509(pub, crt, 0), 0);
	{
		gnutls_datum_t data = {(unsigned char *)input, (unsigned)strlen(input)};
		gnutls_datum_t s = {(unsigned char *)sig, (unsigned)siglen};

		assert_true(gnutls_pubkey_verify_data2(pub, GNUTLS_SIGN_RSA_SHA256, 0, &data, &s) >= 0);
		input[0] ^= 1; /* and a changed input does not verify */
		data.data = (unsigned char *)input;
		assert_true(gnutls_pubkey_verify_data2(pub, GNUTLS_SIGN_RSA_SHA256, 0, &data, &s) < 0);
	}
	gnutls_pubkey_deinit(pub);
	gnutls_x509_crt_deinit(crt);
	oauth_key_free(k);

	/* the token source takes the same file (from $CREDENTIALS_DIRECTORY, as under systemd) */
	write_file("oauth-client.pem", both);
	setenv("CREDENTIALS_DIRECTORY", dir, 1);
	c = load("provider = microsoft\ntenant = council.onmicrosoft.com\nclient_id = x\n"
		 "client_certificate_file = oauth-client.pem\n", &errs);
	assert_int_equal(oauth_new(c, &o, &errs), 0);
	assert_int_equal(errs.n, 0);
	assert_true(oauth_certificate_expiry(o) > time(NULL));
	assert_int_equal(oauth_expiry(o), 0); /* nothing asked yet: no token */
	oauth_unref(o);
	config_free(c);
	unsetenv("CREDENTIALS_DIRECTORY");
}

static void
test_service_account(void **state)
{
	_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
	_cleanup_buf_ struct buf json = BUF_INIT;
	struct oauth *o = NULL;
	struct config *c;
	(void)state;

	(void)buf_puts(&json, "{\"type\":\"service_account\",\"project_id\":\"council-mail\","
			      "\"private_key_id\":\"0123abcd\",\"private_key\":");
	json_escape(&json, key_pem);
	(void)buf_puts(&json, ",\"client_email\":\"complaintsd@council-mail.iam.gserviceaccount.com\","
			      "\"client_id\":\"1234\",\"token_uri\":\"https://oauth2.googleapis.com/token\"}");
	write_file("service-account.json", buf_str(&json));
	c = load("provider = google\nservice_account_file = service-account.json\n", &errs);
	assert_int_equal(oauth_new(c, &o, &errs), 0);
	assert_int_equal(errs.n, 0);
	oauth_unref(o);
	config_free(c);
}

static void
test_refresh_token_written_atomically(void **state)
{
	_cleanup_free_ char *path = xasprintf("%s/state-refresh-token", dir), *err = NULL;
	char line[64];
	struct stat st;
	FILE *f;
	(void)state;

	write_file("state-refresh-token", "old\n");
	assert_int_equal(oauth_write_refresh_token(path, "1//0gNew-token", &err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	f = fopen(path, "re");
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	assert_string_equal(line, "1//0gNew-token\n");
	if (geteuid() == 0) {
		/* root writing for the daemon: the new file takes its directory's owner */
		_cleanup_free_ char *sub = xasprintf("%s/state", dir), *in = xasprintf("%s/state/token", dir);

		assert_int_equal(mkdir(sub, 0700), 0);
		assert_int_equal(chown(sub, 65534, 65534), 0);
		assert_int_equal(oauth_write_refresh_token(in, "tok", &err), 0);
		assert_int_equal(stat(in, &st), 0);
		assert_int_equal(st.st_uid, 65534);
		assert_int_equal(st.st_mode & 0777, 0600);
	}
	/* a directory that cannot be written: an error naming the file, the old file kept */
	assert_true(oauth_write_refresh_token("/proc/complaintsd-none/token", "x", &err) < 0);
	assert_non_null(strstr(err, "/proc/complaintsd-none/token"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_missing_and_unusable_files),
	    cmocka_unit_test(test_certificate_signs_verifiable_jwt),
	    cmocka_unit_test(test_service_account),
	    cmocka_unit_test(test_refresh_token_written_atomically),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
