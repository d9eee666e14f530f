/*
 * authres.c - Authentication-Results (RFC 8601): parse, and decide what the
 * trusted host vouched for.  Pure code: bytes in, structs out.
 *
 * The grammar, with comments (CFWS) allowed between any two tokens:
 *   authserv-id [version] ( ";" "none" / 1*( ";" method[/version] "=" result
 *       [reason "=" value] *( ptype "." property "=" pvalue ) ) )
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "authres.h"
#include "hdrscan.h"
#include "util.h"

struct lex {
	const char *p, *end;
	bool bad;
};

static bool
is_wsp(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* White space and (nested) comments. */
static void
skip_cfws(struct lex *l)
{
	for (;;) {
		while (l->p < l->end && is_wsp(*l->p))
			l->p++;
		if (l->p >= l->end || *l->p != '(')
			return;
		size_t depth = 0;
		while (l->p < l->end) {
			char c = *l->p++;

			if (c == '\\' && l->p < l->end)
				l->p++;
			else if (c == '(')
				depth++;
			else if (c == ')' && --depth == 0)
				break;
		}
		if (depth != 0) {
			l->bad = true;
			return;
		}
	}
}

static bool
at(const struct lex *l, char c)
{
	return l->p < l->end && *l->p == c;
}

/* A keyword (letters, digits, '-', '_'), lower-cased; "" when there is none. */
static char *
read_keyword(struct lex *l)
{
	const char *s = l->p;

	while (l->p < l->end && ((*l->p >= 'a' && *l->p <= 'z') || (*l->p >= 'A' && *l->p <= 'Z') ||
				 (*l->p >= '0' && *l->p <= '9') || *l->p == '-' || *l->p == '_'))
		l->p++;
	return ascii_strlower(xstrndup(s, (size_t)(l->p - s)));
}

/* A quoted-string (unescaped) and/or a run up to white space, ';' or a comment. */
static char *
read_value(struct lex *l)
{
	char *out = xmalloc((size_t)(l->end - l->p) + 1);
	size_t n = 0;

	if (at(l, '"')) {
		l->p++;
		while (l->p < l->end && *l->p != '"') {
			if (*l->p == '\\' && l->p + 1 < l->end)
				l->p++;
			out[n++] = *l->p++;
		}
		if (!at(l, '"'))
			l->bad = true;
		else
			l->p++;
	}
	while (l->p < l->end && !is_wsp(*l->p) && *l->p != ';' && *l->p != '(' && *l->p != ')' &&
	       *l->p != '"')
		out[n++] = *l->p++;
	out[n] = '\0';
	return out;
}

static void
result_clear(struct authres_result *r)
{
	free(r->method);
	free(r->result);
	for (size_t i = 0; i < r->n_props; i++) {
		free(r->props[i].name);
		free(r->props[i].value);
	}
}

void
authres_clear(struct authres *a)
{
	free(a->authserv_id);
	for (size_t i = 0; i < a->n_results; i++)
		result_clear(&a->results[i]);
	free(a->results);
	*a = (struct authres){0};
}

/* The properties (and reason) after "method=result"; false when malformed. */
static bool
read_props(struct lex *l, struct authres_result *r)
{
	for (;;) {
		_cleanup_free_ char *k = NULL, *prop = NULL;

		skip_cfws(l);
		if (l->bad)
			return false;
		if (l->p >= l->end || *l->p == ';')
			return true;
		k = read_keyword(l);
		if (*k == '\0')
			return false;
		skip_cfws(l);
		if (at(l, '=')) {
			/* reason=..., or a bare keyword=value as Exchange Online writes
			 * ("action=none"): read and ignored, it proves nothing */
			l->p++;
			skip_cfws(l);
			free(read_value(l));
			continue;
		}
		if (!at(l, '.'))
			return false;
		l->p++;
		skip_cfws(l);
		prop = read_keyword(l);
		skip_cfws(l);
		if (*prop == '\0' || !at(l, '='))
			return false;
		l->p++;
		skip_cfws(l);
		if (r->n_props == AUTHRES_MAX_PROPS)
			return false;
		r->props[r->n_props].name = xasprintf("%s.%s", k, prop);
		r->props[r->n_props].value = read_value(l);
		r->n_props++;
	}
}

/* One "; method=result props" after the semicolon; false when malformed. */
static bool
read_resinfo(struct lex *l, struct authres *a)
{
	_cleanup_free_ char *method = NULL, *result = NULL;
	struct authres_result *r;

	skip_cfws(l);
	if (l->p >= l->end)
		return true; /* a trailing ';' */
	method = read_keyword(l);
	if (*method == '\0')
		return false;
	skip_cfws(l);
	if (streq(method, "none") && (l->p >= l->end || *l->p == ';'))
		return true; /* no-result */
	if (at(l, '/')) {
		l->p++;
		skip_cfws(l);
		free(read_keyword(l));
		skip_cfws(l);
	}
	if (!at(l, '='))
		return false;
	l->p++;
	skip_cfws(l);
	result = read_keyword(l);
	if (*result == '\0' || a->n_results == AUTHRES_MAX_RESULTS)
		return false;
	a->results = xreallocarray(a->results, a->n_results + 1, sizeof(*a->results));
	r = &a->results[a->n_results++];
	*r = (struct authres_result){.method = TAKE_PTR(method), .result = TAKE_PTR(result)};
	return read_props(l, r);
}

void
authres_parse(const char *value, size_t len, struct authres *ret)
{
	struct lex l = {value, value + (len > AUTHRES_MAX_FIELD ? AUTHRES_MAX_FIELD : len), false};
	bool ok = len <= AUTHRES_MAX_FIELD;

	*ret = (struct authres){0};
	skip_cfws(&l);
	ret->authserv_id = ascii_strlower(read_value(&l));
	if (strchr(ret->authserv_id, '=') != NULL) {
		/* no authserv-id, results straight away (Exchange Online) */
		ret->authserv_id[0] = '\0';
		ret->no_authserv_id = true;
		l.p = value;
		skip_cfws(&l);
		ok = read_resinfo(&l, ret);
	} else if (l.bad || *ret->authserv_id == '\0') {
		ret->malformed = true;
		return;
	} else {
		skip_cfws(&l);
		if (l.p < l.end && *l.p >= '0' && *l.p <= '9')
			free(read_keyword(&l)); /* authres-version */
	}
	while (ok) {
		skip_cfws(&l);
		if (l.bad || l.p >= l.end)
			break;
		if (*l.p != ';') {
			ok = false;
			break;
		}
		l.p++;
		ok = read_resinfo(&l, ret);
	}
	if (!ok || l.bad) {
		char *id = TAKE_PTR(ret->authserv_id);
		bool anonymous = ret->no_authserv_id;

		authres_clear(ret);
		ret->authserv_id = id;
		ret->no_authserv_id = anonymous;
		ret->malformed = true;
	}
}

const char *
authres_prop(const struct authres_result *r, const char *name)
{
	for (size_t i = 0; i < r->n_props; i++)
		if (streq(r->props[i].name, name))
			return r->props[i].value;
	return NULL;
}

/* "user@domain", "@domain" or "domain": is its domain exactly d? */
static bool
domain_is(const char *v, const char *d)
{
	const char *at_sign;

	if (v == NULL || isempty(d))
		return false;
	at_sign = strrchr(v, '@');
	return ascii_strcaseeq(at_sign ? at_sign + 1 : v, d);
}

enum { M_DMARC, M_DKIM, M_SPF, M_AUTH, M_N };
static const char *const method_names[M_N] = {"dmarc", "dkim", "spf", "auth"};

static bool
result_proves(int method, const struct authres_result *r, const char *from_domain)
{
	const char *from;

	if (!streq(r->result, "pass"))
		return false;
	switch (method) {
	case M_DMARC:
		from = authres_prop(r, "header.from");
		return !isempty(from_domain) && (from == NULL || domain_is(from, from_domain));
	case M_DKIM:
		return domain_is(authres_prop(r, "header.d"), from_domain) ||
		       domain_is(authres_prop(r, "header.i"), from_domain);
	case M_SPF:
		return domain_is(authres_prop(r, "smtp.mailfrom"), from_domain);
	case M_AUTH:
		return true;
	}
	return false;
}

/* The folded value without its line breaks, at most AUTHRES_MAX_FIELD + 1 bytes. */
static char *
unfold(const char *v, const char *end, size_t *ret_len)
{
	size_t cap = (size_t)(end - v), n = 0;
	char *out;

	if (cap > AUTHRES_MAX_FIELD + 1)
		cap = AUTHRES_MAX_FIELD + 1;
	out = xmalloc(cap + 1);
	for (; v < end && n < cap; v++)
		if (*v != '\r' && *v != '\n')
			out[n++] = *v;
	out[n] = '\0';
	*ret_len = n;
	return out;
}

/* Append " a" or " a=b" to the summary (cut at its size). */
static void
summary_add(struct authres_verdict *v, const char *a, const char *b)
{
	size_t n = strlen(v->summary);

	if (n < sizeof(v->summary) - 1)
		snprintf(v->summary + n, sizeof(v->summary) - n, " %s%s%s", a, b ? "=" : "",
			 b ? b : "");
}

void
authres_evaluate(const char *raw, size_t len, const char *trusted_id, const char *from_domain,
		 struct authres_verdict *ret)
{
	const char *p = raw, *end = raw + (len > AUTHRES_MAX_HEADER ? AUTHRES_MAX_HEADER : len);
	struct hdrscan_field f;
	bool decided[M_N] = {false}, in_block = false;
	bool anonymous = ascii_strcaseeq(trusted_id, AUTHRES_NO_ID);
	size_t n_fields = 0;

	*ret = (struct authres_verdict){0};
	if (isempty(trusted_id)) {
		snprintf(ret->summary, sizeof(ret->summary), "no trusted_authserv_id configured");
		return;
	}
	snprintf(ret->summary, sizeof(ret->summary), "%s:", trusted_id);
	while (raw != NULL && hdrscan_next(&p, end, &f)) {
		struct authres a;
		_cleanup_free_ char *text = NULL;
		size_t tlen;

		if (!hdrscan_is(&f, "Authentication-Results")) {
			if (in_block)
				break;
			continue;
		}
		if (++n_fields > AUTHRES_MAX_FIELDS)
			break;
		text = unfold(f.value, f.value_end, &tlen);
		authres_parse(text, tlen, &a);
		if (anonymous ? !a.no_authserv_id : !ascii_strcaseeq(a.authserv_id, trusted_id)) {
			authres_clear(&a);
			if (in_block)
				break;
			continue;
		}
		in_block = ret->found = true;
		if (a.malformed) {
			/* fail closed: nothing below it may add what it might have said */
			summary_add(ret, "(unreadable field)", NULL);
			for (int m = 0; m < M_N; m++)
				decided[m] = true;
		}
		for (int m = 0; m < M_N; m++) {
			bool seen = false;

			if (decided[m])
				continue;
			for (size_t i = 0; i < a.n_results; i++) {
				const struct authres_result *r = &a.results[i];

				if (!streq(r->method, method_names[m]))
					continue;
				if (!seen)
					summary_add(ret, r->method, r->result);
				seen = decided[m] = true;
				if (result_proves(m, r, from_domain)) {
					bool *pass[M_N] = {&ret->dmarc_pass, &ret->dkim_pass,
							   &ret->spf_pass, &ret->auth_pass};
					*pass[m] = true;
				}
			}
		}
		authres_clear(&a);
	}
	if (!ret->found)
		snprintf(ret->summary, sizeof(ret->summary), "no Authentication-Results from %s",
			 trusted_id);
	else if (!decided[M_DMARC] && !decided[M_DKIM] && !decided[M_SPF] && !decided[M_AUTH])
		summary_add(ret, "no DMARC, DKIM, SPF or SMTP AUTH result", NULL);
}
