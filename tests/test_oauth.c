/*
 * test_oauth.c - the pure OAuth parts: base64url, JWT signing input, the
 * XOAUTH2 initial response, token and device answers, form bodies, advice.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "jwt.h"
#include "oauth_wire.h"
#include "util.h"

static void
test_base64url(void **state)
{
	static const struct {
		const char *in, *out;
	} v[] = {{"", ""}, {"f", "Zg"}, {"fo", "Zm8"}, {"foo", "Zm9v"}, {"foob", "Zm9vYg"},
		 {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}, {"\xfb\xff", "-_8"}};
	(void)state;

	for (size_t i = 0; i < ELEMENTSOF(v); i++) {
		_cleanup_free_ char *e = base64url_encode(v[i].in, strlen(v[i].in)), *d = NULL;
		size_t n;

		assert_string_equal(e, v[i].out);
		assert_int_equal(base64url_decode(e, strlen(e), &d, &n), 0);
		assert_int_equal(n, strlen(v[i].in));
		assert_memory_equal(d, v[i].in, n);
	}
	{
		_cleanup_free_ char *e = base64_encode("\xfb\xff", 2);

		assert_string_equal(e, "+/8=");
	}
	{
		char *d = NULL;
		size_t n;

		assert_int_equal(base64url_decode("Zm9v+", 5, &d, &n), -EINVAL); /* not url alphabet */
		assert_int_equal(base64url_decode("Z", 1, &d, &n), -EINVAL);     /* 6 bits: no byte */
		assert_int_equal(base64url_decode("Zh", 2, &d, &n), -EINVAL);    /* non-zero spare bits */
		assert_null(d);
	}
}

static char *
decode_part(const char *s, size_t len)
{
	char *d = NULL;
	size_t n;

	assert_int_equal(base64url_decode(s, len, &d, &n), 0);
	return d;
}

static void
test_jwt_signing_input(void **state)
{
	struct jwt_claims c = {.iss = "0c1d2e3f-client", .sub = "0c1d2e3f-client",
			       .aud = "https://login.microsoftonline.com/council.onmicrosoft.com/oauth2/v2.0/token",
			       .jti = "5b7c1a0e-0000-4000-8000-000000000001",
			       .iat = 1796000000, .exp = 1796000600, .nbf = 1};
	_cleanup_free_ char *in = jwt_signing_input(&c, "abc-_x5t", NULL);
	_cleanup_free_ char *h = NULL, *cl = NULL, *full = NULL;
	const char *dot;
	(void)state;

	assert_non_null(in);
	dot = strchr(in, '.');
	assert_non_null(dot);
	assert_null(strchr(dot + 1, '.'));
	assert_null(strchr(in, '='));
	h = decode_part(in, (size_t)(dot - in));
	cl = decode_part(dot + 1, strlen(dot + 1));
	assert_string_equal(h, "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"x5t#S256\":\"abc-_x5t\"}");
	assert_string_equal(cl, "{\"iss\":\"0c1d2e3f-client\",\"sub\":\"0c1d2e3f-client\","
				"\"aud\":\"https://login.microsoftonline.com/council.onmicrosoft.com/oauth2/v2.0/token\","
				"\"jti\":\"5b7c1a0e-0000-4000-8000-000000000001\","
				"\"iat\":1796000000,\"nbf\":1796000000,\"exp\":1796000600}");
	full = jwt_finish(in, "\x01\x02\x03", 3);
	assert_true(startswith(full, in));
	assert_string_equal(full + strlen(in), ".AQID");

	/* a Google service account: scope and sub = the mailbox, no x5t */
	{
		struct jwt_claims g = {.iss = "complaints@project.iam.gserviceaccount.com",
				       .sub = "complaints@council.example",
				       .aud = "https://oauth2.googleapis.com/token",
				       .scope = "https://mail.google.com/", .iat = 100, .exp = 3700};
		_cleanup_free_ char *gi = jwt_signing_input(&g, NULL, NULL), *gc = NULL;

		dot = strchr(gi, '.');
		gc = decode_part(dot + 1, strlen(dot + 1));
		assert_string_equal(gc, "{\"iss\":\"complaints@project.iam.gserviceaccount.com\","
					"\"sub\":\"complaints@council.example\","
					"\"aud\":\"https://oauth2.googleapis.com/token\","
					"\"scope\":\"https://mail.google.com/\",\"iat\":100,\"exp\":3700}");
	}
	/* refused: a control character in a claim, exp not after iat */
	c.sub = "a\nb";
	assert_null(jwt_signing_input(&c, NULL, NULL));
	c.sub = "x";
	c.exp = c.iat;
	assert_null(jwt_signing_input(&c, NULL, NULL));
}

static void
test_uuid(void **state)
{
	unsigned char r[16];
	char out[37];
	(void)state;

	memset(r, 0xff, sizeof(r));
	jwt_uuid(r, out);
	assert_string_equal(out, "ffffffff-ffff-4fff-bfff-ffffffffffff");
}

static void
test_xoauth2(void **state)
{
	/* the example of Google's "OAuth 2.0 Mechanism" page */
	_cleanup_free_ char *s = xoauth2_initial_response("someuser@example.com",
							  "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg");
	(void)state;

	assert_string_equal(s, "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==");
	assert_null(xoauth2_initial_response("a@example.net", "tok en"));
	assert_null(xoauth2_initial_response("a@example.net\001", "token"));
	assert_null(xoauth2_initial_response("", "token"));
}

static int
parse(const char *json, struct oauth_answer *a, char **err)
{
	return oauth_answer_parse(json, strlen(json), a, err);
}

static void
test_answer_success(void **state)
{
	struct oauth_answer a;
	char *err = NULL;
	(void)state;

	assert_int_equal(parse("{\"token_type\":\"Bearer\",\"expires_in\":3599,\"ext_expires_in\":3599,"
			       "\"access_token\":\"eyJ0eXAi.eyJhdWQi.c2ln-_\"}", &a, &err), 0);
	assert_null(err);
	assert_string_equal(a.access_token, "eyJ0eXAi.eyJhdWQi.c2ln-_");
	assert_null(a.refresh_token);
	assert_null(a.error);
	assert_int_equal(a.expires_in, 3599);
	oauth_answer_done(&a);

	/* lower-case bearer, expires_in as a string, a rotated refresh token */
	assert_int_equal(parse("{\"access_token\":\"ya29.a0Af\",\"token_type\":\"bearer\","
			       "\"expires_in\":\"600\",\"refresh_token\":\"1//0gNew\",\"scope\":\"x\"}",
			       &a, &err), 0);
	assert_int_equal(a.expires_in, 600);
	assert_string_equal(a.refresh_token, "1//0gNew");
	oauth_answer_done(&a);

	/* no expires_in: a short default, so the token is renewed soon */
	assert_int_equal(parse("{\"access_token\":\"abc\"}", &a, &err), 0);
	assert_int_equal(a.expires_in, OAUTH_DEFAULT_LIFETIME);
	oauth_answer_done(&a);
}

static void
test_answer_refusal(void **state)
{
	struct oauth_answer a;
	char *err = NULL;
	(void)state;

	/* Entra's answer for a wrong secret value (shape from Microsoft's documentation) */
	assert_int_equal(parse("{\"error\":\"invalid_client\",\"error_description\":\"AADSTS7000215: Invalid client secret provided. "
			       "Ensure the secret being sent in the request is the client secret value, not the client secret ID.\\r\\n"
			       "Trace ID: 0000aaaa-11bb-cccc-dd22-eeeeee333333\",\"error_codes\":[7000215],"
			       "\"timestamp\":\"2026-12-07 10:00:00Z\",\"trace_id\":\"x\",\"correlation_id\":\"y\"}",
			       &a, &err), 0);
	assert_string_equal(a.error, "invalid_client");
	assert_int_equal(a.aadsts, 7000215);
	assert_null(strchr(a.error_description, '\r'));
	assert_null(strchr(a.error_description, '\n'));
	assert_non_null(strstr(oauth_advice(a.error, a.aadsts, a.error_description, "client_credentials"),
			       "not its Secret ID"));
	assert_null(a.access_token);
	oauth_answer_done(&a);

	/* glewlwyd's refusal: error only */
	assert_int_equal(parse("{\"error\":\"unauthorized_client\"}", &a, &err), 0);
	assert_string_equal(a.error_description, "");
	assert_int_equal(a.aadsts, 0);
	oauth_answer_done(&a);

	/* a long description is cut for the log */
	{
		char big[2000];

		snprintf(big, sizeof(big), "{\"error\":\"invalid_grant\",\"error_description\":\"%01500d\"}", 7);
		assert_int_equal(parse(big, &a, &err), 0);
		assert_int_equal(strlen(a.error_description), OAUTH_MAX_TEXT);
		oauth_answer_done(&a);
	}
}

static void
test_answer_bad(void **state)
{
	static const char *const bad[] = {
	    "", "[]", "{\"access_token\":1}", "{}", "{\"access_token\":\"a b\"}",
	    "{\"access_token\":\"tok\\r\\nA1 LOGOUT\"}", "{\"access_token\":\"abc\",\"token_type\":\"mac\"}",
	    "{\"access_token\":\"abc\",\"expires_in\":-5}", "{\"access_token\":\"abc\",\"expires_in\":1.5}",
	    "{\"access_token\":\"abc\",\"expires_in\":99999999999}",
	    "{\"access_token\":\"abc\",\"refresh_token\":\"r\\u0001\"}",
	    "{\"access_token\":\"abc\",\"access_token\":\"def\"}", "{\"access_token\":\"abc\"} x",
	};
	struct oauth_answer a;
	(void)state;

	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		_cleanup_free_ char *err = NULL;

		assert_int_equal(parse(bad[i], &a, &err), -EINVAL);
		assert_non_null(err);
		/* the error never repeats the token */
		assert_null(strstr(err, "LOGOUT"));
	}
	{
		size_t n = OAUTH_MAX_RESPONSE + 10;
		_cleanup_free_ char *big = xmalloc(n + 1), *err = NULL;

		memset(big, ' ', n);
		big[0] = '{';
		big[n - 1] = '}';
		big[n] = '\0';
		assert_int_equal(parse(big, &a, &err), -E2BIG);
	}
	{
		size_t n = OAUTH_MAX_TOKEN + 100;
		_cleanup_free_ char *big = xmalloc(n + 40), *err = NULL;

		strcpy(big, "{\"access_token\":\"");
		memset(big + strlen(big), 'a', n);
		strcpy(big + 17 + n, "\"}");
		assert_int_equal(parse(big, &a, &err), -E2BIG);
	}
}

static void
test_device(void **state)
{
	const char *ms = "{\"user_code\":\"FJ9RK3XYZ\",\"device_code\":\"DAQABAAEAAAD\",\"verification_uri\":"
			 "\"https://microsoft.com/devicelogin\",\"expires_in\":900,\"interval\":5,"
			 "\"message\":\"To sign in, use a web browser...\"}";
	const char *g = "{\"device_code\":\"AH-1Ng\",\"user_code\":\"GQVQ-JKEC\",\"verification_url\":"
			"\"https://www.google.com/device\",\"expires_in\":\"1800\",\"interval\":10}";
	struct oauth_device d;
	char *err = NULL;
	(void)state;

	assert_int_equal(oauth_device_parse(ms, strlen(ms), &d, &err), 0);
	assert_string_equal(d.user_code, "FJ9RK3XYZ");
	assert_string_equal(d.verification_uri, "https://microsoft.com/devicelogin");
	assert_null(d.verification_uri_complete);
	assert_int_equal(d.interval, 5);
	assert_int_equal(d.expires_in, 900);
	oauth_device_done(&d);
	assert_int_equal(oauth_device_parse(g, strlen(g), &d, &err), 0);
	assert_string_equal(d.verification_uri, "https://www.google.com/device");
	assert_int_equal(d.interval, 10);
	assert_int_equal(d.expires_in, 1800);
	oauth_device_done(&d);
	{
		const char *bad = "{\"device_code\":\"x\",\"user_code\":\"a b\",\"verification_uri\":\"https://e.example\"}";

		assert_int_equal(oauth_device_parse(bad, strlen(bad), &d, &err), -EINVAL);
		free(err);
	}
}

static void
test_form(void **state)
{
	_cleanup_buf_ struct buf b = BUF_INIT;
	(void)state;

	assert_int_equal(oauth_form_add(&b, "grant_type", "client_credentials"), 0);
	assert_int_equal(oauth_form_add(&b, "scope", "https://outlook.office365.com/.default"), 0);
	assert_int_equal(oauth_form_add(&b, "client_secret", "a+b/c=d&e f~"), 0);
	assert_string_equal(buf_str(&b), "grant_type=client_credentials"
					 "&scope=https%3A%2F%2Foutlook.office365.com%2F.default"
					 "&client_secret=a%2Bb%2Fc%3Dd%26e+f~");
}

static void
test_advice(void **state)
{
	(void)state;
	assert_non_null(strstr(oauth_advice("invalid_client", 7000222, "", "client_credentials"), "expired"));
	assert_non_null(strstr(oauth_advice("unauthorized_client", 700016, "", NULL), "client_id"));
	assert_non_null(strstr(oauth_advice("invalid_grant", 65001, "", NULL), "admin consent"));
	assert_non_null(strstr(oauth_advice("invalid_grant", 0, "", "refresh_token"), "oauth login"));
	assert_non_null(strstr(oauth_advice("unauthorized_client", 0, "", "jwt_bearer"), "Domain-wide delegation"));
	assert_non_null(strstr(oauth_advice("invalid_grant", 0, "Invalid JWT Signature.", "jwt_bearer"), "new JSON key"));
	/* glewlwyd's spelling */
	assert_non_null(strstr(oauth_advice("scope_invalid", 0, "", "client_credentials"), "[oauth2] scope"));
	assert_non_null(oauth_advice("something_new", 0, "", NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_base64url),      cmocka_unit_test(test_jwt_signing_input),
	    cmocka_unit_test(test_uuid),           cmocka_unit_test(test_xoauth2),
	    cmocka_unit_test(test_answer_success), cmocka_unit_test(test_answer_refusal),
	    cmocka_unit_test(test_answer_bad),     cmocka_unit_test(test_device),
	    cmocka_unit_test(test_form),           cmocka_unit_test(test_advice),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
