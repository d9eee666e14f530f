/*
 * test_conf.c - the configuration file: values, defaults, and every error
 * reported with file and line.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "conf.h"
#include "routing.h"
#include "util.h"

static char *
write_temp(const char *text)
{
	char *path = xstrdup("/tmp/complaintsd-test-conf-XXXXXX");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static const char good[] =
	"[council]\n"
	"name = Example Borough Council\n"
	"complaints_address = Complaints@Council.example   ; the shared mailbox\n"
	"reference_prefix = EBC\n"
	"[people]\n"
	"officer_domains = council.example, services.council.example\n"
	"councillor_addresses = cllr.m.lowe@council.example\n"
	"alerts_address = Complaints-Team@council.example\n"
	"trusted_authserv_id = mx.council.example\n"
	"[imap]\n"
	"url = imaps://imap.council.example/INBOX\n"
	"username = complaints\n"
	"password_file = imap-password\n"
	"idle = no\n"
	"poll_seconds = 30\n"
	"[timescales]\n"
	"stage2_response_days = 25\n"
	"[routing]\n"
	"waste = Waste-Complaints@council.example\n"
	"noise.url = https://www.council.example/noise\n"
	"noise.phone = 01234 567890\n"
	"default = complaints-team@council.example\n"
	"[limits]\n"
	"max_relay_attachment_bytes = 1048576\n"
	"[log]\n"
	"level = debug\n";

static void
test_good_file_and_defaults(void **state)
{
	_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
	_cleanup_free_ char *path = write_temp(good);
	struct config *c = NULL;

	assert_int_equal(config_load(path, &c, &errs), 0);
	assert_int_equal(errs.n, 0);
	assert_string_equal(c->complaints_address, "complaints@council.example");
	assert_string_equal(c->alerts_address, "complaints-team@council.example");
	assert_int_equal(c->max_relay_attachment_bytes, 1048576);
	{
		struct routing_target t = routing_responsible(c, "", "", "waste");

		assert_string_equal(t.address, "waste-complaints@council.example");
		assert_true(t.team);
		t = routing_responsible(c, "olivia@council.example", "", "waste");
		assert_string_equal(t.address, "olivia@council.example");
		t = routing_responsible(c, "", "noise", "planning");
		assert_string_equal(t.source, "default");
		assert_string_equal(routing_find(c, "noise")->phone, "01234 567890");
	}
	assert_string_equal(c->reference_prefix, "EBC");
	assert_int_equal(c->n_officer_domains, 2);
	assert_string_equal(c->officer_domains[1], "services.council.example");
	assert_false(c->imap_idle);
	assert_int_equal(c->imap_poll_seconds, 30);
	assert_int_equal(c->ts.stage2_response_days, 25);
	assert_int_equal(c->ts.stage1_response_days, 10); /* default */
	assert_int_equal(c->ts.stage1_ack_days, 5);
	assert_int_equal(c->max_auto_replies_per_day, 3);
	assert_true(c->officer_auth_required); /* secure by default */
	assert_null(config_auth_warning(c));
	assert_string_equal(c->lgsco.phone, "0300 061 0614");
	assert_string_equal(c->housing.phone, "0300 111 3000");
	assert_true(c->imap_tls_verify);
	assert_int_equal(c->log_level, 7);
	assert_true(config_address_in("someone@services.council.example", c->officer_addresses,
				      c->n_officer_addresses, c->officer_domains,
				      c->n_officer_domains));
	assert_false(config_address_in("someone@notcouncil.example", c->officer_addresses,
				       c->n_officer_addresses, c->officer_domains,
				       c->n_officer_domains));
	assert_true(config_address_in("jane.mp@parliament.uk", c->councillor_addresses,
				      c->n_councillor_addresses, c->councillor_domains,
				      c->n_councillor_domains));
	config_free(c);
	unlink(path);
}

static const struct {
	const char *text;
	const char *expect; /* substring of one error, after the file name */
} bad[] = {
	{"[council]\nnmae = x\n[imap]\nurl = imap://h/\nusername = u\n", ":2: unknown key \"nmae\" in [council]"},
	{"[councel]\nname = x\n[imap]\nurl = imap://h/\nusername = u\n", ":1: unknown section [councel]"},
	{"[imap]\nurl = imap://h/\nusername = u\nidle = perhaps\n", ":4: imap.idle: expected yes or no"},
	{"[imap]\nurl = imap://h/\nusername = u\npoll_seconds = 2\n", ":4: imap.poll_seconds: expected a whole number from 5 to 86400"},
	{"[imap]\nurl = imap://h/\nusername = u\n[timescales]\nstage1_ack_days = five\n", ":5: timescales.stage1_ack_days"},
	{"[imap]\nurl = http://h/\nusername = u\n", "imap.url: must start with imap:// or imaps://"},
	{"[imap]\nurl = imap://h/\n", "imap.username: missing"},
	{"name = x\n[imap]\nurl = imap://h/\nusername = u\n", ":1: \"name\" is outside any [section]"},
	{"[imap\nurl = imap://h/\nusername = u\n", ":1: malformed section header"},
	{"[imap]\nurl imap://h/\nusername = u\n", ":2: expected \"key = value\""},
	{"[council]\ncomplaints_address = nobody\n[imap]\nurl = imap://h/\nusername = u\n", "complaints_address: \"nobody\" is not an email address"},
	{"[council]\nreference_prefix = cmp\n[imap]\nurl = imap://h/\nusername = u\n", "reference_prefix: use 1 to 10 capital letters"},
	{"[people]\nofficer_domains = council.example\n[imap]\nurl = imap://h/\nusername = u\n",
	 "people.officer_auth_required is yes (the default) but people.trusted_authserv_id is empty"},
	{"[people]\nofficer_addresses = a@example.org\nofficer_auth_required = yes\n[imap]\nurl = imap://h/\nusername = u\n",
	 "or set officer_auth_required = no"},
	{"[log]\nlevel = loud\n[imap]\nurl = imap://h/\nusername = u\n", ":2: log.level"},
	{"[imap]\nurl = imap://h/\nusername = u\n", "[people] alerts_address: missing"},
	{"[people]\nofficer_domains = council.example\nalerts_address = complaints@council.example\n[imap]\nurl = imap://h/\nusername = u\n",
	 ":3: people.alerts_address must not be the complaints address"},
	{"[routing]\nwaste = not-an-address\n", ":2: routing.waste: \"not-an-address\" is not an email address"},
	{"[routing]\nnoise.fax = 0123\n", ":2: routing: unknown key \"noise.fax\""},
	{"[routing]\nwaste = a@council.example\nwaste = b@council.example\n", ":3: routing.waste is set twice"},
	{"[limits]\nmax_relay_attachment_bytes = lots\n", ":2: limits.max_relay_attachment_bytes"},
	{"[people]\nexchange_tenant_id = council.onmicrosoft.com\n",
	 "people.exchange_tenant_id: \"council.onmicrosoft.com\" is not a tenant id: write the Microsoft 365 tenant's GUID"},
};

static void
test_bad_files_name_line_and_reason(void **state)
{
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
		_cleanup_free_ char *path = write_temp(bad[i].text);
		struct config *c = NULL;
		bool found = false;

		assert_int_equal(config_load(path, &c, &errs), -EINVAL);
		assert_null(c);
		for (size_t e = 0; e < errs.n; e++)
			if (strstr(errs.v[e], bad[i].expect) && startswith(errs.v[e], path))
				found = true;
		if (!found) {
			for (size_t e = 0; e < errs.n; e++)
				print_error("  got: %s\n", errs.v[e]);
			fail_msg("case %zu: no error containing \"%s\"", i, bad[i].expect);
		}
		unlink(path);
	}
}

/* Authentication off is possible, but always said; without officers there is nothing to prove. */
static void
test_officer_auth_off_is_visible(void **state)
{
	_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
	_cleanup_free_ char *off = write_temp("[people]\nofficer_domains = council.example\n"
					      "officer_auth_required = no\nalerts_address = team@council.example\n"
					      "[imap]\nurl = imap://h/\nusername = u\n");
	_cleanup_free_ char *none = write_temp("[people]\nalerts_address = team@council.example\n"
					       "[imap]\nurl = imap://h/\nusername = u\n");
	struct config *c = NULL;

	assert_int_equal(config_load(off, &c, &errs), 0);
	assert_false(c->officer_auth_required);
	assert_non_null(config_auth_warning(c));
	assert_non_null(strstr(config_auth_warning(c), "officer_auth_required = no"));
	config_free(c);
	assert_int_equal(config_load(none, &c, &errs), 0);
	assert_true(c->officer_auth_required);
	assert_null(config_auth_warning(c));
	config_free(c);
	unlink(off);
	unlink(none);
}

/* On Microsoft 365 the tenant id alone is a way to prove officers' mail. */
static void
test_exchange_tenant_id(void **state)
{
	_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
	_cleanup_free_ char *path = write_temp("[people]\nofficer_domains = council.example\n"
					       "exchange_tenant_id = 0A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D\n"
					       "alerts_address = team@council.example\n"
					       "[imap]\nurl = imap://h/\nusername = u\n");
	struct config *c = NULL;

	assert_int_equal(config_load(path, &c, &errs), 0);
	assert_int_equal(errs.n, 0);
	assert_string_equal(c->exchange_tenant_id, "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d");
	assert_string_equal(c->trusted_authserv_id, "");
	assert_null(config_auth_warning(c));
	config_free(c);
	unlink(path);
}

static void
test_all_errors_reported_not_just_first(void **state)
{
	_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
	_cleanup_free_ char *path = write_temp("[council]\nfoo = 1\nbar = 2\n[imap]\nidle = maybe\n");
	struct config *c = NULL;

	assert_int_equal(config_load(path, &c, &errs), -EINVAL);
	/* foo, bar, idle, url, username, alerts_address */
	assert_int_equal(errs.n, 6);
	unlink(path);
}

static void
test_missing_file(void **state)
{
	_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
	struct config *c = NULL;

	assert_int_equal(config_load("/nonexistent/complaintsd.conf", &c, &errs), -ENOENT);
	assert_int_equal(errs.n, 1);
	assert_non_null(strstr(errs.v[0], "/nonexistent/complaintsd.conf: cannot open"));
}

static void
test_secret_relative_to_credentials_directory(void **state)
{
	_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
	_cleanup_free_ char *path = write_temp(good), *secret = NULL;
	char dir[] = "/tmp/complaintsd-creds-XXXXXX";
	_cleanup_free_ char *file = NULL;
	struct config *c = NULL;
	FILE *f;

	assert_int_equal(config_load(path, &c, &errs), 0);
	assert_non_null(mkdtemp(dir));
	file = xasprintf("%s/imap-password", dir);
	f = fopen(file, "w");
	assert_non_null(f);
	fputs("s3cret pass\nsecond line ignored\n", f);
	fclose(f);
	setenv("CREDENTIALS_DIRECTORY", dir, 1);
	assert_int_equal(config_read_secret(c, c->imap_password_file, &secret, &errs), 0);
	assert_string_equal(secret, "s3cret pass");
	unsetenv("CREDENTIALS_DIRECTORY");
	free(secret);
	secret = NULL;
	/* without $CREDENTIALS_DIRECTORY: beside the config file, which has no such file */
	assert_true(config_read_secret(c, c->imap_password_file, &secret, &errs) < 0);
	assert_non_null(strstr(errs.v[errs.n - 1], "cannot read secret file"));
	unlink(file);
	rmdir(dir);
	unlink(path);
	config_free(c);
}

/* The common part of the OAuth cases: everything but [imap], [smtp] and [oauth2]. */
#define OAUTH_BASE                                                                                 \
	"[council]\ncomplaints_address = complaints@council.example\n"                            \
	"[people]\nalerts_address = team@council.example\n"

static struct config *
load_text(const char *text, struct errlist *errs)
{
	struct config *c = NULL;

	(void)config_load_string(text, strlen(text), "/etc/complaintsd/complaintsd.conf", &c, errs);
	return c;
}

static void
test_oauth_microsoft_defaults(void **state)
{
	_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
	struct config *c = load_text(OAUTH_BASE "[imap]\nauth = oauth2\nusername = complaints@council.example\n"
				     "[oauth2]\nprovider = microsoft\ntenant = council.onmicrosoft.com\n"
				     "client_id = 0c1d2e3f\nclient_secret_file = oauth-client-secret\n",
				     &errs);

	for (size_t e = 0; e < errs.n; e++)
		print_error("  %s\n", errs.v[e]);
	assert_non_null(c);
	assert_string_equal(c->imap_url, "imaps://outlook.office365.com/INBOX");
	assert_string_equal(c->smtp_url, "smtp://smtp.office365.com:587");
	assert_string_equal(c->smtp_auth, "oauth2");
	assert_string_equal(c->smtp_username, "complaints@council.example");
	assert_string_equal(c->oauth_grant, "client_credentials");
	assert_string_equal(c->oauth_scope, "https://outlook.office365.com/.default");
	assert_string_equal(c->oauth_token_url,
			    "https://login.microsoftonline.com/council.onmicrosoft.com/oauth2/v2.0/token");
	assert_true(config_uses_oauth(c));
	config_free(c);

	/* Google: the service account grant and Gmail's servers */
	c = load_text(OAUTH_BASE "[imap]\nauth = oauth2\nusername = complaints@council.example\n"
		      "[oauth2]\nprovider = google\nservice_account_file = sa.json\n", &errs);
	assert_non_null(c);
	assert_string_equal(c->imap_url, "imaps://imap.gmail.com/INBOX");
	assert_string_equal(c->oauth_grant, "jwt_bearer");
	assert_string_equal(c->oauth_scope, "https://mail.google.com/");
	assert_string_equal(c->oauth_token_url, "https://oauth2.googleapis.com/token");
	config_free(c);

	/* generic on loopback over http (a test provider); passwords stay the default elsewhere */
	c = load_text(OAUTH_BASE "[imap]\nurl = imap://127.0.0.1:1143/INBOX\nauth = oauth2\nusername = complaints\n"
		      "[oauth2]\nprovider = generic\ntoken_url = http://127.0.0.1:4593/api/oidc/token/\n"
		      "client_id = complaintsd\nclient_secret_file = secret\nscope = complaints\n", &errs);
	assert_non_null(c);
	assert_string_equal(c->smtp_url, "");
	config_free(c);
	assert_int_equal(errs.n, 0);
}

static void
test_oauth_errors(void **state)
{
	static const struct {
		const char *text, *error;
	} cases[] = {
	    {"[imap]\nauth = oauth2\nusername = a@council.example\n", "[oauth2] provider: missing"},
	    {"[imap]\nauth = xoauth\n", "imap.auth: expected password or oauth2"},
	    {"[imap]\nauth = oauth2\nusername = a@council.example\n[oauth2]\nprovider = microsoft\n"
	     "client_id = x\nclient_secret_file = s\n", "oauth2.tenant: missing"},
	    {"[imap]\nauth = oauth2\nusername = a@council.example\n[oauth2]\nprovider = microsoft\n"
	     "tenant = t\nclient_id = x\nclient_secret_file = s\nclient_certificate_file = c.pem\n",
	     "only one of client_secret_file or client_certificate_file"},
	    {"[imap]\nauth = oauth2\nusername = a@council.example\n[oauth2]\nprovider = microsoft\n"
	     "tenant = t\nclient_id = x\n", "needs one of client_secret_file"},
	    {"[imap]\nurl = imaps://imap.example.net/\nauth = oauth2\nusername = a\n[oauth2]\nprovider = generic\n"
	     "token_url = http://idp.example.net/token\nclient_id = x\nclient_secret_file = s\n",
	     "must be https:// (http:// only to a loopback address)"},
	    {"[imap]\nurl = imaps://imap.example.net/\nauth = oauth2\nusername = a\n[oauth2]\nprovider = generic\n"
	     "token_url = http://localhost.example.net/token\nclient_id = x\nclient_secret_file = s\n",
	     "must be https://"},
	    {"[imap]\nauth = oauth2\nusername = a@council.example\n[oauth2]\nprovider = google\n",
	     "service_account_file: missing"},
	    {"[imap]\nauth = oauth2\nusername = a@council.example\n[oauth2]\nprovider = google\ngrant = client_credentials\n",
	     "Google has no client credentials grant"},
	    {"[imap]\nauth = oauth2\nusername = a@council.example\n[oauth2]\nprovider = microsoft\ntenant = t\n"
	     "client_id = x\ngrant = refresh_token\n", "refresh_token_file: missing"},
	    {"[imap]\nauth = oauth2\nusername = a@council.example\npassword_file = p\n[oauth2]\nprovider = microsoft\n"
	     "tenant = t\nclient_id = x\nclient_secret_file = s\n", "imap.password_file: not used with auth = oauth2"},
	    {"[imap]\nauth = oauth2\nusername = a@council.example\n[oauth2]\nprovider = yahoo\n",
	     "oauth2.provider: expected microsoft, google or generic"},
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
		_cleanup_free_ char *text = xasprintf(OAUTH_BASE "%s", cases[i].text);
		struct config *c = load_text(text, &errs);
		bool found = false;

		assert_null(c);
		for (size_t e = 0; e < errs.n; e++)
			found = found || strstr(errs.v[e], cases[i].error) != NULL;
		if (!found)
			for (size_t e = 0; e < errs.n; e++)
				print_error("case %zu: %s\n", i, errs.v[e]);
		assert_true(found);
	}
}

/* The shipped example documents every key and must stay loadable. */
static void
test_example_file_is_valid(void **state)
{
	_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
	struct config *c = NULL;
	int r = config_load(SRCDIR "/data/complaintsd.conf.example", &c, &errs);

	for (size_t e = 0; e < errs.n; e++)
		print_error("  %s\n", errs.v[e]);
	assert_int_equal(r, 0);
	/* a council on Microsoft 365: the provider's servers and token endpoint */
	assert_string_equal(c->imap_url, "imaps://outlook.office365.com/INBOX");
	assert_string_equal(c->smtp_url, "smtp://smtp.office365.com:587");
	assert_string_equal(c->smtp_username, "complaints@council.example");
	assert_string_equal(c->oauth_token_url,
			    "https://login.microsoftonline.com/council.onmicrosoft.com/oauth2/v2.0/token");
	assert_int_equal(c->ts.stage2_extension_days, 20);
	config_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_file_and_defaults),
		cmocka_unit_test(test_bad_files_name_line_and_reason),
		cmocka_unit_test(test_exchange_tenant_id),
	    cmocka_unit_test(test_all_errors_reported_not_just_first),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_officer_auth_off_is_visible),
		cmocka_unit_test(test_secret_relative_to_credentials_directory),
		cmocka_unit_test(test_example_file_is_valid),
		cmocka_unit_test(test_oauth_microsoft_defaults),
		cmocka_unit_test(test_oauth_errors),
	};

	return cmocka_run_group_tests_name("conf", tests, NULL, NULL) ? 1 : 0;
}
