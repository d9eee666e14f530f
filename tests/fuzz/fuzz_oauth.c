/*
 * fuzz_oauth.c - libFuzzer target for what an identity provider answers:
 * token answers, device authorization answers, service account keys, and
 * base64url.
 *
 * Beyond "no crash, no leak": an accepted token answer has either a token
 * that is a valid b64token or an error whose description is one clean line
 * within OAUTH_MAX_TEXT; base64url that decodes encodes back to the same text.
 *
 *   first byte % 3: 0 a token answer, 1 a device answer, 2 a service account
 *   key; the rest is also read as base64url.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jwt.h"
#include "oauth_wire.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data + 1;
	size_t n = size - 1;
	char *err = NULL, *dec = NULL;
	size_t dlen;
	int r;

	if (size == 0)
		return 0;
	if (data[0] % 3 == 2) {
		struct oauth_service_account sa;

		if (oauth_service_account_parse(s, n, &sa, &err) == 0) {
			if (err != NULL || sa.client_email == NULL || strchr(sa.client_email, '@') == NULL ||
			    strstr(sa.private_key, "-----BEGIN") == NULL)
				abort();
			oauth_service_account_done(&sa);
		} else if (err == NULL)
			abort();
		free(err);
		err = NULL;
	} else if (data[0] % 3 == 0) {
		struct oauth_answer a;

		r = oauth_answer_parse(s, n, &a, &err);
		if (r < 0) {
			if (err == NULL || (r != -EINVAL && r != -E2BIG))
				abort();
			free(err);
		} else {
			if (err != NULL || (a.error == NULL) == (a.access_token == NULL))
				abort();
			if (a.access_token && !oauth_token_valid(a.access_token))
				abort();
			if (a.refresh_token && !oauth_token_valid(a.refresh_token))
				abort();
			if (a.error && (strlen(a.error_description) > OAUTH_MAX_TEXT ||
					strpbrk(a.error_description, "\r\n") != NULL))
				abort();
			if (a.access_token && (a.expires_in < 1 || a.expires_in > OAUTH_MAX_LIFETIME))
				abort();
			(void)oauth_advice(a.error, a.aadsts, a.error_description, "refresh_token");
			oauth_answer_done(&a);
		}
	} else {
		struct oauth_device d;

		r = oauth_device_parse(s, n, &d, &err);
		if (r < 0)
			free(err);
		else {
			if (d.interval < 1 || d.expires_in < 1)
				abort();
			oauth_device_done(&d);
		}
	}
	if (n < 4096 && base64url_decode(s, n, &dec, &dlen) == 0) {
		char *again = base64url_encode(dec, dlen);
		size_t m = n;

		while (m > 0 && s[m - 1] == '=')
			m--;
		if (strlen(again) != m || memcmp(again, s, m) != 0)
			abort();
		free(again);
		free(dec);
	}
	return 0;
}
