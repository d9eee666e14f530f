/*
 * exorg.c - Exchange Online's organization headers (see exorg.h).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "exorg.h"
#include "hdrscan.h"
#include "util.h"

enum field {
	F_ORG_AUTHAS,
	F_ORG_MECHANISM,
	F_ORG_SOURCE,
	F_TENANT_AUTHAS,
	F_TENANT_ID,
	F_DIRECTIONALITY, /* optional */
	F_N,
};

static const char *const field_names[F_N] = {
    "X-MS-Exchange-Organization-AuthAs",      "X-MS-Exchange-Organization-AuthMechanism",
    "X-MS-Exchange-Organization-AuthSource",  "X-MS-Exchange-CrossTenant-AuthAs",
    "X-MS-Exchange-CrossTenant-Id",           "X-MS-Exchange-Organization-MessageDirectionality",
};

/* What one field said over all its copies. */
struct seen {
	size_t copies;
	bool differ;                  /* two copies say different things */
	char value[EXORG_MAX_VALUE + 1]; /* the first copy, unfolded and trimmed */
};

struct scan {
	struct seen f[F_N];
	const char *why; /* the first reason found that nothing is proven (static text) */
	char why_buf[200];
};

static void
fail(struct scan *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
fail(struct scan *s, const char *fmt, ...)
{
	va_list ap;

	if (s->why != NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(s->why_buf, sizeof(s->why_buf), fmt, ap);
	va_end(ap);
	s->why = s->why_buf;
}

/*
 * The value without line breaks, white space at both ends trimmed, printable
 * ASCII only (others become '?'); false when longer than EXORG_MAX_VALUE.
 */
static bool
unfold(const struct hdrscan_field *h, char out[static EXORG_MAX_VALUE + 1])
{
	const char *v = h->value, *end = h->value_end;
	size_t n = 0;

	while (v < end && (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n'))
		v++;
	while (end > v && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'))
		end--;
	for (; v < end; v++) {
		unsigned char c = (unsigned char)*v;

		if (c == '\r' || c == '\n')
			continue;
		if (n == EXORG_MAX_VALUE)
			return false;
		out[n++] = (c == '\t' || (c >= 0x20 && c < 0x7f)) ? (char)c : '?';
	}
	out[n] = '\0';
	return true;
}

/*
 * Is host one of Exchange Online's servers: a mailbox or transport server
 * (...prod.outlook.com, ...mail.protection.outlook.com), or a front end of
 * client submission (...outlook.office365.com)?
 */
static bool
exchange_host(const char *host, size_t n)
{
	static const char *const suffixes[] = {".outlook.com", ".outlook.office365.com"};

	for (size_t i = 0; i < ELEMENTSOF(suffixes); i++) {
		size_t k = strlen(suffixes[i]);

		if (n > k && ascii_strncaseeq(host + n - k, suffixes[i], k))
			return true;
	}
	return false;
}

/* The "by" host of a Received: value; false when there is none. */
static bool
received_by(const char *v, const char **ret, size_t *ret_n)
{
	for (const char *p = v; *p; p++) {
		const char *h;

		if ((p != v && p[-1] != ' ' && p[-1] != '\t' && p[-1] != ')') ||
		    !ascii_strncaseeq(p, "by", 2) || (p[2] != ' ' && p[2] != '\t'))
			continue;
		h = p + 2;
		while (*h == ' ' || *h == '\t')
			h++;
		*ret = h;
		*ret_n = strcspn(h, " \t;()");
		return *ret_n > 0;
	}
	return false;
}

static void
scan_received(struct scan *s, const char *v, size_t *n_received)
{
	const char *host;
	size_t n;

	if (++*n_received > EXORG_MAX_RECEIVED) {
		fail(s, "more than %d Received: fields", EXORG_MAX_RECEIVED);
		return;
	}
	if (!received_by(v, &host, &n))
		fail(s, "a Received: field without a \"by\" host");
	else if (!exchange_host(host, n))
		fail(s, "a hop outside Exchange Online (Received: by %.*s), so the headers may not be Exchange's",
		     (int)(n > 80 ? 80 : n), host);
}

/* DIR:XXX; of X-Forefront-Antispam-Report: INT for mail within the organization. */
static void
scan_antispam(struct scan *s, const char *v)
{
	for (const char *p = v; (p = ascii_strcasestr(p, "DIR:")) != NULL; p += 4) {
		if (p != v && p[-1] != ';' && p[-1] != ' ')
			continue;
		if (!ascii_strncaseeq(p + 4, "INT", 3) || (p[7] != ';' && p[7] != '\0')) {
			fail(s, "X-Forefront-Antispam-Report says DIR:%.*s, not INT (internal)",
			     (int)strcspn(p + 4, ";"), p + 4);
			return;
		}
	}
}

bool
exorg_tenant_id_valid(const char *s)
{
	static const int groups[] = {8, 4, 4, 4, 12};

	if (s == NULL)
		return false;
	for (size_t g = 0; g < ELEMENTSOF(groups); g++) {
		for (int i = 0; i < groups[g]; i++, s++)
			if (ascii_hexval(*s) < 0)
				return false;
		if (g + 1 < ELEMENTSOF(groups) && *s++ != '-')
			return false;
	}
	return *s == '\0';
}

void
exorg_evaluate(const char *raw, size_t len, const char *tenant_id, struct exorg_verdict *ret)
{
	static struct scan zero;
	const char *p = raw, *end = raw + (len > EXORG_MAX_HEADER ? EXORG_MAX_HEADER : len);
	struct hdrscan_field h;
	struct scan s = zero;
	char v[EXORG_MAX_VALUE + 1];
	size_t n_received = 0;

	*ret = (struct exorg_verdict){0};
	if (!exorg_tenant_id_valid(tenant_id)) {
		snprintf(ret->summary, sizeof(ret->summary), "exchange: no valid exchange_tenant_id");
		return;
	}
	while (raw != NULL && hdrscan_next(&p, end, &h)) {
		bool received = hdrscan_is(&h, "Received");
		bool antispam = hdrscan_is(&h, "X-Forefront-Antispam-Report");
		int which = -1;

		for (int i = 0; i < F_N; i++)
			if (hdrscan_is(&h, field_names[i]))
				which = i;
		if (which < 0 && !received && !antispam)
			continue;
		if (!unfold(&h, v)) {
			fail(&s, "a %.*s field longer than %d bytes", (int)h.name_len, h.name,
			     EXORG_MAX_VALUE);
			continue;
		}
		if (received) {
			scan_received(&s, v, &n_received);
			continue;
		}
		if (antispam) {
			scan_antispam(&s, v);
			continue;
		}
		struct seen *f = &s.f[which];

		if (++f->copies > EXORG_MAX_COPIES) {
			fail(&s, "more than %d copies of %s", EXORG_MAX_COPIES, field_names[which]);
			continue;
		}
		if (f->copies == 1)
			memcpy(f->value, v, strlen(v) + 1);
		else if (!ascii_strcaseeq(f->value, v))
			f->differ = true;
	}

	for (int i = 0; i < F_N; i++) {
		if (s.f[i].differ)
			fail(&s, "copies of %s that contradict each other", field_names[i]);
		else if (s.f[i].copies == 0 && i != F_DIRECTIONALITY)
			fail(&s, "no %s", field_names[i]);
	}
	if (s.f[F_ORG_AUTHAS].copies && !ascii_strcaseeq(s.f[F_ORG_AUTHAS].value, "Internal"))
		fail(&s, "%s: %.40s, not Internal", field_names[F_ORG_AUTHAS], s.f[F_ORG_AUTHAS].value);
	if (s.f[F_TENANT_AUTHAS].copies && !ascii_strcaseeq(s.f[F_TENANT_AUTHAS].value, "Internal"))
		fail(&s, "%s: %.40s, not Internal", field_names[F_TENANT_AUTHAS],
		     s.f[F_TENANT_AUTHAS].value);
	if (s.f[F_TENANT_ID].copies && !ascii_strcaseeq(s.f[F_TENANT_ID].value, tenant_id))
		fail(&s, "another tenant (X-MS-Exchange-CrossTenant-Id: %.40s)", s.f[F_TENANT_ID].value);
	if (s.f[F_ORG_MECHANISM].copies &&
	    (strlen(s.f[F_ORG_MECHANISM].value) != 2 ||
	     ascii_hexval(s.f[F_ORG_MECHANISM].value[0]) < 0 ||
	     ascii_hexval(s.f[F_ORG_MECHANISM].value[1]) < 0))
		fail(&s, "%s: %.40s is not Exchange's", field_names[F_ORG_MECHANISM],
		     s.f[F_ORG_MECHANISM].value);
	if (s.f[F_ORG_SOURCE].copies &&
	    !exchange_host(s.f[F_ORG_SOURCE].value, strlen(s.f[F_ORG_SOURCE].value)))
		fail(&s, "%s: %.60s is not an Exchange Online server", field_names[F_ORG_SOURCE],
		     s.f[F_ORG_SOURCE].value);
	if (s.f[F_DIRECTIONALITY].copies &&
	    !ascii_strcaseeq(s.f[F_DIRECTIONALITY].value, "Originating"))
		fail(&s, "%s: %.40s, not Originating", field_names[F_DIRECTIONALITY],
		     s.f[F_DIRECTIONALITY].value);

	if (s.why != NULL) {
		snprintf(ret->summary, sizeof(ret->summary), "exchange: not internal: %s", s.why);
		return;
	}
	ret->internal = true;
	snprintf(ret->summary, sizeof(ret->summary),
		 "exchange: internal to tenant %s (AuthAs Internal, mechanism %s)", tenant_id,
		 s.f[F_ORG_MECHANISM].value);
}
