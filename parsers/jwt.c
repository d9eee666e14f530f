/*
 * jwt.c - base64url, JWT header and claims, the XOAUTH2 initial response.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "jwt.h"
#include "util.h"

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static char *
encode(const void *data, size_t len, const char *alphabet, bool pad)
{
	const unsigned char *p = data;
	char *out = xmalloc(len / 3 * 4 + 5), *o = out;
	size_t i = 0;

	for (; i + 3 <= len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];

		*o++ = alphabet[v >> 18 & 63];
		*o++ = alphabet[v >> 12 & 63];
		*o++ = alphabet[v >> 6 & 63];
		*o++ = alphabet[v & 63];
	}
	if (len - i == 1) {
		uint32_t v = (uint32_t)p[i] << 16;

		*o++ = alphabet[v >> 18 & 63];
		*o++ = alphabet[v >> 12 & 63];
		if (pad) {
			*o++ = '=';
			*o++ = '=';
		}
	} else if (len - i == 2) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;

		*o++ = alphabet[v >> 18 & 63];
		*o++ = alphabet[v >> 12 & 63];
		*o++ = alphabet[v >> 6 & 63];
		if (pad)
			*o++ = '=';
	}
	*o = '\0';
	return out;
}

char *
base64url_encode(const void *data, size_t len)
{
	return encode(data, len, b64url, false);
}

char *
base64_encode(const void *data, size_t len)
{
	return encode(data, len, b64, true);
}

int
base64url_decode(const char *s, size_t len, char **ret, size_t *ret_len)
{
	_cleanup_free_ char *out = NULL;
	uint32_t acc = 0;
	size_t bits = 0, n = 0;

	while (len > 0 && s[len - 1] == '=')
		len--;
	if (len % 4 == 1)
		return -EINVAL;
	out = xmalloc(len / 4 * 3 + 3);
	for (size_t i = 0; i < len; i++) {
		const char *q = s[i] != '\0' ? strchr(b64url, s[i]) : NULL;

		if (q == NULL)
			return -EINVAL;
		acc = acc << 6 | (uint32_t)(q - b64url);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (char)(acc >> bits & 0xff);
		}
	}
	/* the unused low bits of the last character must be zero (one spelling per value) */
	if ((acc & ((1u << bits) - 1)) != 0)
		return -EINVAL;
	out[n] = '\0';
	*ret_len = n;
	*ret = TAKE_PTR(out);
	return 0;
}

static bool
has_control(const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

char *
jwt_signing_input(const struct jwt_claims *c, const char *x5t_s256, const char *kid)
{
	_cleanup_buf_ struct buf h = BUF_INIT, cl = BUF_INIT;
	_cleanup_free_ char *h64 = NULL, *c64 = NULL;
	struct json j;

	if (has_control(c->iss) || has_control(c->sub) || has_control(c->aud) ||
	    has_control(c->scope) || has_control(c->jti) || has_control(x5t_s256) ||
	    has_control(kid) || c->exp <= c->iat)
		return NULL;
	json_init(&j, &h);
	json_object_begin(&j, NULL);
	json_string(&j, "alg", "RS256");
	json_string(&j, "typ", "JWT");
	if (!isempty(x5t_s256))
		json_string(&j, "x5t#S256", x5t_s256);
	if (!isempty(kid))
		json_string(&j, "kid", kid);
	json_object_end(&j);

	json_init(&j, &cl);
	json_object_begin(&j, NULL);
	if (c->iss)
		json_string(&j, "iss", c->iss);
	if (c->sub)
		json_string(&j, "sub", c->sub);
	if (c->aud)
		json_string(&j, "aud", c->aud);
	if (c->scope)
		json_string(&j, "scope", c->scope);
	if (c->jti)
		json_string(&j, "jti", c->jti);
	json_int(&j, "iat", (int64_t)c->iat);
	if (c->nbf)
		json_int(&j, "nbf", (int64_t)c->iat);
	json_int(&j, "exp", (int64_t)c->exp);
	json_object_end(&j);

	h64 = base64url_encode(h.data, h.len);
	c64 = base64url_encode(cl.data, cl.len);
	return xasprintf("%s.%s", h64, c64);
}

char *
jwt_finish(const char *signing_input, const void *signature, size_t len)
{
	_cleanup_free_ char *s64 = base64url_encode(signature, len);

	return xasprintf("%s.%s", signing_input, s64);
}

void
jwt_uuid(const unsigned char r[16], char out[37])
{
	unsigned char u[16];

	memcpy(u, r, 16);
	u[6] = (unsigned char)((u[6] & 0x0f) | 0x40); /* version 4 */
	u[8] = (unsigned char)((u[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0],
		 u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13],
		 u[14], u[15]);
}

char *
xoauth2_initial_response(const char *user, const char *token)
{
	_cleanup_free_ char *raw = NULL;
	char *out;

	if (isempty(user) || isempty(token) || has_control(user) || has_control(token) ||
	    strchr(token, ' ') != NULL)
		return NULL;
	raw = xasprintf("user=%s\001auth=Bearer %s\001\001", user, token);
	out = base64_encode(raw, strlen(raw));
	explicit_bzero(raw, strlen(raw));
	return out;
}
