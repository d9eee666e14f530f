/*
 * provisions.c - parse the provisions file of a Complaint Handling Code
 * (format and limits in provisions.h).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "provisions.h"
#include "utf8.h"
#include "util.h"

const char *const provision_evidence_names[PROV__N] = {
    [PROV_COUNCIL] = "council",
    [PROV_COMPLAINTS] = "complaints",
    [PROV_SERVICE_REQUESTS] = "service_requests",
    [PROV_EXCLUSIONS] = "exclusions",
    [PROV_LATE_LIMIT] = "late_limit",
    [PROV_EXCLUSION_NOTICES] = "exclusion_notices",
    [PROV_SIGNPOSTING] = "signposting",
    [PROV_STAGES] = "stages",
    [PROV_ACK1] = "ack1",
    [PROV_RESP1] = "resp1",
    [PROV_EXT1] = "ext1",
    [PROV_ACK2] = "ack2",
    [PROV_RESP2] = "resp2",
    [PROV_EXT2] = "ext2",
    [PROV_EXT_SIGNPOSTING] = "ext_signposting",
    [PROV_ESCALATIONS] = "escalations",
    [PROV_IMPROVEMENTS] = "improvements",
    [PROV_REPORT] = "report",
    [PROV_ROUTING] = "routing",
};

struct source {
	char *name, *url;
};

struct parse {
	const char *path;
	struct errlist *errs;
	unsigned line;
	size_t n_errors;
	struct provisions out;
	struct source sources[PROVISIONS_MAX_SOURCES];
	size_t n_sources;
};

static void __attribute__((format(printf, 2, 3)))
fail(struct parse *p, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	errlist_add(p->errs, "%s:%u: %s", p->path, p->line, msg);
	p->n_errors++;
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* A name of letters, digits, '-' and '_', 1..PROVISIONS_MAX_NAME long. */
static bool
valid_name(const char *s, size_t n)
{
	if (n == 0 || n > PROVISIONS_MAX_NAME)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
			return false;
	return true;
}

/* "N.M", each 1..99 without a leading zero; the length consumed, or 0. */
static size_t
parse_section(const char *s, int *major, int *minor)
{
	size_t i = 0;
	int v[2] = {0, 0};

	for (int k = 0; k < 2; k++) {
		size_t start = i;

		while (s[i] >= '0' && s[i] <= '9' && i - start < 3)
			v[k] = v[k] * 10 + (s[i++] - '0');
		if (i == start || i - start > 2 || s[start] == '0')
			return 0;
		if (k == 0 && s[i++] != '.')
			return 0;
	}
	*major = v[0];
	*minor = v[1];
	return i;
}

static const struct source *
find_source(const struct parse *p, const char *name, size_t n)
{
	for (size_t i = 0; i < p->n_sources; i++)
		if (strlen(p->sources[i].name) == n && memcmp(p->sources[i].name, name, n) == 0)
			return &p->sources[i];
	return NULL;
}

static void
parse_source(struct parse *p, char *rest)
{
	char *colon = strchr(rest, ':');
	char *name, *url;

	if (colon == NULL) {
		fail(p, "a source is \"source NAME: URL\"");
		return;
	}
	*colon = '\0';
	name = trim(rest);
	url = trim(colon + 1);
	if (!valid_name(name, strlen(name))) {
		fail(p, "source name \"%.40s\" is not a name (letters, digits, '-', '_'; at most %d)",
		     name, PROVISIONS_MAX_NAME);
		return;
	}
	if (find_source(p, name, strlen(name)) != NULL) {
		fail(p, "source \"%s\" is defined twice", name);
		return;
	}
	if ((!startswith(url, "https://") && !startswith(url, "http://")) ||
	    strcspn(url, " \t\"<>") != strlen(url)) {
		fail(p, "source \"%s\": \"%.60s\" is not an http(s) address", name, url);
		return;
	}
	if (p->n_sources == PROVISIONS_MAX_SOURCES) {
		fail(p, "more than %d sources", PROVISIONS_MAX_SOURCES);
		return;
	}
	p->sources[p->n_sources++] = (struct source){xstrdup(name), xstrdup(url)};
}

/* "N: TITLE": the title of section N, before any provision of it. */
static void
parse_title(struct parse *p, char *s)
{
	char *colon = strchr(s, ':'), *num, *title, *end;
	long n;

	if (colon == NULL) {
		fail(p, "a section title is \"section N: TITLE\"");
		return;
	}
	*colon = '\0';
	num = trim(s);
	title = trim(colon + 1);
	errno = 0;
	n = strtol(num, &end, 10);
	if (*num < '1' || *num > '9' || *end != '\0' || errno != 0 || n > PROVISIONS_MAX_SECTION) {
		fail(p, "section \"%.10s\": the number is 1 to %d", num, PROVISIONS_MAX_SECTION);
		return;
	}
	if (*title == '\0') {
		fail(p, "section %ld: the title is empty", n);
		return;
	}
	if (p->out.titles[n] != NULL) {
		fail(p, "section %ld is titled twice", n);
		return;
	}
	if (p->out.n > 0 && p->out.v[p->out.n - 1].major >= n) {
		fail(p, "section %ld: the title must come before the section's provisions (line %u has %s)",
		     n, p->out.v[p->out.n - 1].line, p->out.v[p->out.n - 1].section);
		return;
	}
	p->out.titles[n] = xstrdup(title);
}

static void
parse_provision(struct parse *p, char *s)
{
	struct provision v = {.line = p->line};
	const struct source *src;
	size_t n = parse_section(s, &v.major, &v.minor), k;
	char *ev, *colon, *text;
	int e = -1;

	if (n == 0 || (s[n] != ' ' && s[n] != '\t')) {
		fail(p, "expected \"SECTION [SOURCE] EVIDENCE: REQUIREMENT\" (SECTION like 6.2)");
		return;
	}
	memcpy(v.section, s, n);
	v.section[n] = '\0';
	s = trim(s + n);
	if (*s != '[' || (k = strcspn(s, "]")) == strlen(s)) {
		fail(p, "%s: the source is missing (\"[NAME]\" after the number)", v.section);
		return;
	}
	src = find_source(p, s + 1, k - 1);
	if (src == NULL) {
		fail(p, "%s: source \"%.*s\" is not defined above", v.section,
		     (int)(k - 1 > 40 ? 40 : k - 1), s + 1);
		return;
	}
	s = trim(s + k + 1);
	colon = strchr(s, ':');
	if (colon == NULL) {
		fail(p, "%s: expected \"EVIDENCE: REQUIREMENT\"", v.section);
		return;
	}
	*colon = '\0';
	ev = trim(s);
	text = trim(colon + 1);
	for (size_t i = 0; i < PROV__N; i++)
		if (streq(ev, provision_evidence_names[i]))
			e = (int)i;
	if (e < 0) {
		fail(p, "%s: unknown evidence \"%.40s\" (see complaintsctl(8))", v.section, ev);
		return;
	}
	if (*text == '\0') {
		fail(p, "%s: the requirement is empty", v.section);
		return;
	}
	if (p->out.n > 0) {
		const struct provision *last = &p->out.v[p->out.n - 1];

		if (v.major < last->major || (v.major == last->major && v.minor <= last->minor)) {
			fail(p, "%s comes after %s (line %u): provisions must be in the Code's order, each once",
			     v.section, last->section, last->line);
			return;
		}
	}
	if (p->out.n == PROVISIONS_MAX_ITEMS) {
		fail(p, "more than %d provisions", PROVISIONS_MAX_ITEMS);
		return;
	}
	v.evidence = (enum provision_evidence)e;
	v.requirement = xstrdup(text);
	v.source_name = xstrdup(src->name);
	v.source_url = xstrdup(src->url);
	p->out.v = xreallocarray(p->out.v, p->out.n + 1, sizeof(*p->out.v));
	p->out.v[p->out.n++] = v;
}

static void
parse_line(struct parse *p, char *line)
{
	const char *rest;

	line = trim(line);
	if (*line == '\0' || *line == '#')
		return;
	if ((rest = startswith(line, "code:")) != NULL) {
		if (p->out.code != NULL)
			fail(p, "the Code is named twice");
		else if (p->out.n > 0)
			fail(p, "\"code:\" must come before the provisions");
		else if (*trim((char *)rest) == '\0')
			fail(p, "the Code's name is empty");
		else
			p->out.code = xstrdup(trim((char *)rest));
		return;
	}
	if ((rest = startswith(line, "source ")) != NULL) {
		parse_source(p, (char *)rest);
		return;
	}
	if ((rest = startswith(line, "section ")) != NULL) {
		parse_title(p, (char *)rest);
		return;
	}
	parse_provision(p, line);
}

int
provisions_parse(const char *text, size_t len, const char *path, struct provisions *ret,
                 struct errlist *errs)
{
	struct parse p = {.path = path, .errs = errs};
	char buf[PROVISIONS_MAX_LINE + 2];

	*ret = (struct provisions){0};
	if (len > PROVISIONS_MAX_BYTES) {
		errlist_add(errs, "%s: larger than %u bytes", path, PROVISIONS_MAX_BYTES);
		return -EINVAL;
	}
	if (!utf8_valid(text, len) || memchr(text, '\0', len) != NULL) {
		errlist_add(errs, "%s: not UTF-8 text", path);
		return -EINVAL;
	}
	for (size_t off = 0; off < len;) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (text + off)) : len - off;
		bool ctl = false;

		p.line++;
		if (n > PROVISIONS_MAX_LINE)
			fail(&p, "line longer than %d bytes", PROVISIONS_MAX_LINE);
		else {
			memcpy(buf, text + off, n);
			buf[n] = '\0';
			for (size_t i = 0; i < n; i++)
				if (((unsigned char)buf[i] < 0x20 && buf[i] != '\t' && buf[i] != '\r') ||
				    buf[i] == 0x7f)
					ctl = true;
			if (ctl)
				fail(&p, "control character in the line");
			else
				parse_line(&p, buf);
		}
		off += n + (nl ? 1 : 0);
	}
	if (p.n_errors == 0 && p.out.code == NULL) {
		p.line = 1;
		fail(&p, "the Code is not named (\"code: TITLE\")");
	}
	if (p.n_errors == 0 && p.out.n == 0) {
		p.line = p.line ? p.line : 1;
		fail(&p, "no provisions");
	}
	for (size_t i = 0; i < p.n_sources; i++) {
		free(p.sources[i].name);
		free(p.sources[i].url);
	}
	if (p.n_errors > 0) {
		provisions_done(&p.out);
		return -EINVAL;
	}
	*ret = p.out;
	return 0;
}

void
provisions_done(struct provisions *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].requirement);
		free(p->v[i].source_name);
		free(p->v[i].source_url);
	}
	free(p->v);
	free(p->code);
	for (size_t i = 0; i < ELEMENTSOF(p->titles); i++)
		free(p->titles[i]);
	*p = (struct provisions){0};
}

const struct provision *
provisions_find(const struct provisions *p, const char *section)
{
	for (size_t i = 0; i < p->n; i++)
		if (streq(p->v[i].section, section))
			return &p->v[i];
	return NULL;
}
