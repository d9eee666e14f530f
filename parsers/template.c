/*
 * template.c - parse, check and render the reply templates.
 *
 * See template.h for the file format and the placeholder list.  Checking
 * happens once, at load time, so a council's mistake in its own template is
 * reported by `complaintsctl check-config` (file, line, why) and not by a
 * half-filled letter to a resident.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "template.h"
#include "utf8.h"
#include "util.h"

static const char *const var_names[_TV_MAX] = {
    [TV_REFERENCE] = "reference",
    [TV_COUNCIL_NAME] = "council_name",
    [TV_COMPLAINTS_ADDRESS] = "complaints_address",
    [TV_COMPLAINTS_URL] = "complaints_url",
    [TV_COMPLAINANT_NAME] = "complainant_name",
    [TV_REPRESENTATIVE_NAME] = "representative_name",
    [TV_SUBJECT] = "subject",
    [TV_RECEIVED_DATE] = "received_date",
    [TV_ACK_DUE] = "ack_due",
    [TV_RESPONSE_DUE] = "response_due",
    [TV_ESCALATION_BY] = "escalation_by",
    [TV_DEADLINE] = "deadline",
    [TV_DAYS_LEFT] = "days_left",
    [TV_STAGE] = "stage",
    [TV_REASON] = "reason",
    [TV_ROUTE] = "route",
    [TV_ERRORS] = "errors",
    [TV_RECIPIENT] = "recipient",
    [TV_OMBUDSMAN_NAME] = "ombudsman_name",
    [TV_OMBUDSMAN_URL] = "ombudsman_url",
    [TV_OMBUDSMAN_PHONE] = "ombudsman_phone",
    [TV_OFFICER] = "officer",
    [TV_ADDRESSEE_NAME] = "addressee_name",
    [TV_ON_BEHALF_OF] = "on_behalf_of",
    [TV_TEAM] = "team",
    [TV_KIND] = "kind",
    [TV_SCHEME] = "scheme",
    [TV_AREA] = "area",
    [TV_FLAGS] = "flags",
    [TV_CONSENT] = "consent",
    [TV_CLASSIFICATION] = "classification",
    [TV_SENDER] = "sender",
    [TV_TEXT] = "text",
    [TV_MESSAGES] = "messages",
    [TV_DIGEST_FOR] = "digest_for",
    [TV_DIGEST_DATE] = "digest_date",
    [TV_DIGEST_SUMMARY] = "digest_summary",
    [TV_DIGEST_CASES] = "digest_cases",
    [TV_DIGEST_MAIL] = "digest_mail",
};

static const char *const template_names[_TEMPLATE_MAX] = {
    [TEMPLATE_ACK_STAGE1] = "ack-stage1",
    [TEMPLATE_ACK_STAGE2] = "ack-stage2",
    [TEMPLATE_RECEIPT_HOUSING] = "receipt-housing",
    [TEMPLATE_SERVICE_REQUEST] = "service-request",
    [TEMPLATE_MEMBER_ENQUIRY] = "member-enquiry",
    [TEMPLATE_OTHER_PROCESS] = "other-process",
    [TEMPLATE_EXCLUSION] = "exclusion",
    [TEMPLATE_EXTENSION] = "extension",
    [TEMPLATE_DEADLINE_MISSED] = "deadline-missed",
    [TEMPLATE_FOOTER_STAGE1] = "footer-stage1",
    [TEMPLATE_FOOTER_STAGE2] = "footer-stage2",
    [TEMPLATE_OFFICER_REMINDER] = "officer-reminder",
    [TEMPLATE_OFFICER_BREACH] = "officer-breach",
    [TEMPLATE_COMMAND_ERROR] = "command-error",
    [TEMPLATE_DELIVERY_FAILED] = "delivery-failed",
    [TEMPLATE_FOOTER_STAGE1_WINDOW] = "footer-stage1-window",
    [TEMPLATE_OFFICER_ACK_REMINDER] = "officer-ack-reminder",
    [TEMPLATE_OFFICER_ACK_BREACH] = "officer-ack-breach",
    [TEMPLATE_ACK_MISSED] = "ack-missed",
    [TEMPLATE_PROCEDURE_COMPLETE] = "procedure-complete",
    [TEMPLATE_CONSENT_REQUEST] = "consent-request",
    [TEMPLATE_OFFICER_NEW_CASE] = "officer-new-case",
    [TEMPLATE_OFFICER_NEW_MESSAGE] = "officer-new-message",
    [TEMPLATE_OFFICER_ESCALATION] = "officer-escalation",
    [TEMPLATE_OFFICER_ASSIGNED] = "officer-assigned",
    [TEMPLATE_RELAY_REFUSED] = "relay-refused",
    [TEMPLATE_FOOTER_FOLLOWUP] = "footer-followup",
    [TEMPLATE_DIGEST] = "digest",
};

#define OMBUDSMAN TV_OMBUDSMAN_NAME, TV_OMBUDSMAN_URL, TV_OMBUDSMAN_PHONE
#define REQ_END _TV_MAX

/*
 * What each message must say (besides the reference in the subject, which
 * every one needs): the dates it announces, and the Ombudsman's details
 * wherever the Code requires them.  A council's override cannot drop them.
 */
static const enum template_var required[_TEMPLATE_MAX][8] = {
    [TEMPLATE_ACK_STAGE1] = {TV_RECEIVED_DATE, TV_RESPONSE_DUE, REQ_END},
    [TEMPLATE_ACK_STAGE2] = {TV_RESPONSE_DUE, REQ_END},
    [TEMPLATE_RECEIPT_HOUSING] = {TV_ACK_DUE, OMBUDSMAN, REQ_END},
    [TEMPLATE_SERVICE_REQUEST] = {TV_COMPLAINTS_URL, REQ_END},
    [TEMPLATE_MEMBER_ENQUIRY] = {REQ_END},
    [TEMPLATE_OTHER_PROCESS] = {TV_ROUTE, OMBUDSMAN, REQ_END},
    [TEMPLATE_EXCLUSION] = {TV_REASON, OMBUDSMAN, REQ_END},
    [TEMPLATE_EXTENSION] = {TV_REASON, TV_RESPONSE_DUE, OMBUDSMAN, REQ_END},
    [TEMPLATE_DEADLINE_MISSED] = {OMBUDSMAN, REQ_END},
    [TEMPLATE_FOOTER_STAGE1] = {REQ_END},
    [TEMPLATE_FOOTER_STAGE2] = {OMBUDSMAN, REQ_END},
    [TEMPLATE_OFFICER_REMINDER] = {TV_RESPONSE_DUE, TV_DAYS_LEFT, REQ_END},
    [TEMPLATE_OFFICER_BREACH] = {TV_DEADLINE, REQ_END},
    [TEMPLATE_COMMAND_ERROR] = {TV_ERRORS, REQ_END},
    [TEMPLATE_DELIVERY_FAILED] = {TV_RECIPIENT, TV_REASON, REQ_END},
    [TEMPLATE_FOOTER_STAGE1_WINDOW] = {TV_ESCALATION_BY, REQ_END},
    [TEMPLATE_OFFICER_ACK_REMINDER] = {TV_ACK_DUE, TV_DAYS_LEFT, REQ_END},
    [TEMPLATE_OFFICER_ACK_BREACH] = {TV_DEADLINE, REQ_END},
    [TEMPLATE_ACK_MISSED] = {OMBUDSMAN, REQ_END},
    [TEMPLATE_PROCEDURE_COMPLETE] = {OMBUDSMAN, REQ_END},
    [TEMPLATE_CONSENT_REQUEST] = {REQ_END},
    [TEMPLATE_OFFICER_NEW_CASE] = {TV_KIND, TV_TEXT, REQ_END},
    [TEMPLATE_OFFICER_NEW_MESSAGE] = {TV_TEXT, REQ_END},
    [TEMPLATE_OFFICER_ESCALATION] = {TV_TEXT, TV_RESPONSE_DUE, REQ_END},
    [TEMPLATE_OFFICER_ASSIGNED] = {TV_OFFICER, REQ_END},
    [TEMPLATE_RELAY_REFUSED] = {TV_REASON, REQ_END},
    [TEMPLATE_FOOTER_FOLLOWUP] = {REQ_END},
    [TEMPLATE_DIGEST] = {TV_DIGEST_CASES, REQ_END},
};

struct template_set {
	struct template t[_TEMPLATE_MAX];
};

const char *
template_var_name(enum template_var v)
{
	if ((unsigned)v >= _TV_MAX)
		return NULL;
	return var_names[v];
}

int
template_var_from_name(const char *name)
{
	for (int i = 0; i < _TV_MAX; i++)
		if (streq(var_names[i], name))
			return i;
	return -ENOENT;
}

const char *
template_id_name(enum template_id id)
{
	if ((unsigned)id >= _TEMPLATE_MAX)
		return NULL;
	return template_names[id];
}

int
template_id_from_name(const char *name)
{
	for (int i = 0; i < _TEMPLATE_MAX; i++)
		if (streq(template_names[i], name))
			return i;
	return -ENOENT;
}

/* Edit distance, for "did you mean" (names are short: quadratic is fine). */
static size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	_cleanup_free_ size_t *row = xcalloc(lb + 1, sizeof(size_t));

	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}

/* The known placeholder closest to name, or NULL when none is close. */
static const char *
suggest(const char *name)
{
	const char *best = NULL;
	size_t best_d = SIZE_MAX, len = strlen(name);

	if (len > 64)
		return NULL;
	for (int i = 0; i < _TV_MAX; i++) {
		size_t d = edit_distance(name, var_names[i]);

		if (d < best_d) {
			best_d = d;
			best = var_names[i];
		}
	}
	if (best_d <= 2 || best_d * 3 <= len)
		return best;
	return NULL;
}

/*
 * Walk the placeholders of one line.  With errs, report malformed and
 * unknown ones; with uses, mark the ones seen; with out, copy the line with
 * every placeholder replaced by its value (NULL value: -EINVAL).
 */
static int
scan_line(const char *s, size_t len, const char *file, unsigned line, struct errlist *errs,
          bool uses[_TV_MAX], const struct template_vars *vars, struct buf *out)
{
	size_t i = 0;
	int r = 0;

	while (i < len) {
		const char *open = NULL;
		size_t j;

		for (j = i; j + 1 < len; j++) {
			if (s[j] == '{' && s[j + 1] == '{') {
				open = s + j;
				break;
			}
			if (s[j] == '}' && s[j + 1] == '}') {
				if (errs)
					errlist_add(errs, "%s:%u: \"}}\" without a matching \"{{\"",
					            file, line);
				r = -EINVAL;
				j++;
			}
		}
		if (!open) {
			if (out)
				buf_append(out, s + i, len - i);
			break;
		}
		if (out)
			buf_append(out, s + i, (size_t)(open - (s + i)));

		const char *name = open + 2, *end = NULL;

		for (const char *p = name; p + 1 < s + len; p++)
			if (p[0] == '}' && p[1] == '}') {
				end = p;
				break;
			}
		if (!end) {
			if (errs)
				errlist_add(
				    errs, "%s:%u: \"{{\" is not closed by \"}}\" on the same line",
				    file, line);
			return -EINVAL;
		}
		i = (size_t)(end + 2 - s);

		_cleanup_free_ char *n = xstrndup(name, (size_t)(end - name));
		bool well_formed = true;
		int v;

		strstrip(n);
		for (const char *p = n; *p; p++)
			if (!((*p >= 'a' && *p <= 'z') || *p == '_' || (*p >= '0' && *p <= '9')))
				well_formed = false;
		if (!well_formed || *n == '\0') {
			if (errs)
				errlist_add(errs, "%s:%u: malformed placeholder {{%.*s}}", file,
				            line, (int)(end - name), name);
			r = -EINVAL;
			continue;
		}
		v = template_var_from_name(n);
		if (v < 0) {
			const char *hint = suggest(n);

			if (errs) {
				if (hint)
					errlist_add(errs,
					            "%s:%u: unknown placeholder {{%s}} (did you "
					            "mean {{%s}}?)",
					            file, line, n, hint);
				else
					errlist_add(errs, "%s:%u: unknown placeholder {{%s}}", file,
					            line, n);
			}
			r = -EINVAL;
			continue;
		}
		if (uses)
			uses[v] = true;
		if (out) {
			if (!vars || !vars->value[v])
				return -EINVAL;
			buf_puts(out, vars->value[v]);
		}
	}
	return r;
}

void
template_done(struct template *t)
{
	if (!t)
		return;
	free(t->name);
	free(t->file);
	free(t->subject);
	free(t->body);
	free(t->segs);
	*t = (struct template){0};
}

/*
 * Cut one checked text (the subject, or the whole body: placeholders never
 * span a line, so line by line and whole give the same pieces) into
 * pieces, appended to *segs.  Returns false on anything template_parse
 * would have refused, and then rendering scans the text instead.
 */
static bool
compile_text(const char *text, struct template_seg **segs, size_t *n, size_t *alloc)
{
	const char *p = text;

	for (;;) {
		const char *open = strstr(p, "{{"), *name, *end, *a, *b;
		char n_buf[64];
		int v;

		if (*n + 2 > *alloc) {
			*alloc = *alloc ? 2 * *alloc : 16;
			*segs = xreallocarray(*segs, *alloc, sizeof(**segs));
		}
		if (open == NULL) {
			size_t len = strlen(p);

			if (memmem(p, len, "}}", 2) != NULL)
				return false;
			if (len > 0)
				(*segs)[(*n)++] = (struct template_seg){(unsigned)(p - text),
									(unsigned)len, -1};
			return true;
		}
		if (open > p)
			(*segs)[(*n)++] = (struct template_seg){(unsigned)(p - text),
								(unsigned)(open - p), -1};
		name = open + 2;
		end = strstr(name, "}}");
		if (end == NULL || memchr(open, '\n', (size_t)(end - open)) != NULL ||
		    memmem(p, (size_t)(open - p), "}}", 2) != NULL)
			return false;
		for (a = name; a < end && strchr(" \t\r\n", *a) != NULL && *a; a++)
			;
		for (b = end; b > a && strchr(" \t\r\n", b[-1]) != NULL && b[-1]; b--)
			;
		if (b == a || (size_t)(b - a) >= sizeof(n_buf))
			return false;
		memcpy(n_buf, a, (size_t)(b - a));
		n_buf[b - a] = '\0';
		v = template_var_from_name(n_buf);
		if (v < 0)
			return false;
		(*segs)[(*n)++] = (struct template_seg){0, 0, v};
		p = end + 2;
	}
}

static void
compile(struct template *t)
{
	struct template_seg *segs = NULL;
	size_t n = 0, alloc = 0, n_subject;

	if (!compile_text(t->subject, &segs, &n, &alloc))
		goto fail;
	n_subject = n;
	if (!compile_text(t->body, &segs, &n, &alloc))
		goto fail;
	t->segs = segs;
	t->n_subject_segs = n_subject;
	t->n_segs = n;
	for (size_t i = 0; i < n; i++)
		if (segs[i].var >= 0)
			t->uses |= 1ULL << segs[i].var;
	return;
fail:
	free(segs);
}

/* "dir/ack-stage1.txt" -> "ack-stage1". */
static char *
name_from_file(const char *file)
{
	const char *base = strrchr(file, '/');
	size_t n;

	base = base ? base + 1 : file;
	n = strlen(base);
	if (n > 4 && streq(base + n - 4, ".txt"))
		n -= 4;
	return xstrndup(base, n);
}

int
template_parse(const char *text, size_t len, const char *file, struct template *ret,
               struct errlist *errs)
{
	_cleanup_buf_ struct buf norm = BUF_INIT, body = BUF_INIT;
	_cleanup_free_ char *subject = NULL, *name = NULL;
	bool uses[_TV_MAX] = {false}, subject_uses[_TV_MAX] = {false};
	const char *s, *nl;
	unsigned line = 1;
	int r = 0, id;

	if (len > TEMPLATE_MAX_SIZE) {
		if (errs)
			errlist_add(errs, "%s: larger than %d bytes", file, TEMPLATE_MAX_SIZE);
		return -EINVAL;
	}
	if (memchr(text, '\0', len)) {
		if (errs)
			errlist_add(errs, "%s: contains a NUL byte (not a text file?)", file);
		return -EINVAL;
	}
	if (!utf8_valid(text, len)) {
		if (errs)
			errlist_add(errs, "%s: not valid UTF-8", file);
		return -EINVAL;
	}
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
		text += 3;
		len -= 3;
	}
	/* CRLF (or a lone CR) to LF, so the rest sees one kind of line end. */
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\r') {
			buf_putc(&norm, '\n');
			if (i + 1 < len && text[i + 1] == '\n')
				i++;
		} else
			buf_putc(&norm, text[i]);
	}
	s = buf_str(&norm);

	nl = strchr(s, '\n');
	{
		size_t l1 = nl ? (size_t)(nl - s) : strlen(s);
		_cleanup_free_ char *first = xstrndup(s, l1);
		const char *v = startswith_nocase(first, "Subject:");

		if (!v) {
			if (errs)
				errlist_add(errs, "%s:1: the first line must be \"Subject: ...\"",
				            file);
			return -EINVAL;
		}
		subject = strstrip(xstrdup(v));
		if (*subject == '\0') {
			if (errs)
				errlist_add(errs, "%s:1: the subject is empty", file);
			r = -EINVAL;
		}
		for (const char *p = subject; *p; p++)
			if ((unsigned char)*p < 0x20 && *p != '\t') {
				if (errs)
					errlist_add(errs, "%s:1: control character in the subject",
					            file);
				r = -EINVAL;
				break;
			}
		if (scan_line(subject, strlen(subject), file, 1, errs, subject_uses, NULL, NULL) <
		    0)
			r = -EINVAL;
	}
	if (!nl ||
	    (nl[1] != '\n' && nl[1] != '\0' && strspn(nl + 1, " \t") != strcspn(nl + 1, "\n"))) {
		if (errs)
			errlist_add(errs, "%s:2: a blank line must follow the Subject line", file);
		return -EINVAL;
	}
	s = strchr(nl + 1, '\n');
	if (!s || s[1] == '\0') {
		if (errs)
			errlist_add(errs, "%s: the body is empty", file);
		return -EINVAL;
	}
	s++;
	line = 3;
	/* Body: every line scanned; trailing blank lines dropped; one final LF. */
	while (*s) {
		size_t l = strcspn(s, "\n");

		if (scan_line(s, l, file, line, errs, uses, NULL, NULL) < 0)
			r = -EINVAL;
		buf_append(&body, s, l);
		buf_putc(&body, '\n');
		s += l;
		if (*s == '\n')
			s++;
		line++;
	}
	while (body.len >= 2 && body.data[body.len - 2] == '\n') {
		body.data[--body.len] = '\0';
	}
	if (strspn(buf_str(&body), " \t\n") == body.len) {
		if (errs)
			errlist_add(errs, "%s: the body is empty", file);
		return -EINVAL;
	}

	name = name_from_file(file);
	id = template_id_from_name(name);
	if (id >= 0 && r == 0) {
		if (!subject_uses[TV_REFERENCE] && id != TEMPLATE_DIGEST) {
			if (errs)
				errlist_add(errs, "%s:1: the subject must carry {{reference}}",
				            file);
			r = -EINVAL;
		}
		for (size_t k = 0; required[id][k] != REQ_END; k++) {
			enum template_var v = required[id][k];

			if (!uses[v] && !subject_uses[v]) {
				if (errs)
					errlist_add(errs, "%s: must include {{%s}}", file,
					            var_names[v]);
				r = -EINVAL;
			}
		}
	}
	if (r < 0)
		return r;

	*ret = (struct template){
	    .name = TAKE_PTR(name),
	    .file = xstrdup(file),
	    .subject = TAKE_PTR(subject),
	    .body = buf_steal(&body),
	};
	compile(ret);
	return 0;
}

_Static_assert(_TV_MAX <= 64, "template_uses_mask() has a bit for every placeholder");

unsigned long long
template_uses_mask(const struct template *t)
{
	return t->segs != NULL ? t->uses : ~0ULL;
}

bool
template_uses(const struct template *t, enum template_var v)
{
	bool uses[_TV_MAX] = {false};
	const char *s = t->body;

	if ((unsigned)v >= _TV_MAX)
		return false;
	scan_line(t->subject, strlen(t->subject), t->file, 1, NULL, uses, NULL, NULL);
	while (*s) {
		size_t l = strcspn(s, "\n");

		scan_line(s, l, t->file, 0, NULL, uses, NULL, NULL);
		s += l;
		if (*s)
			s++;
	}
	return uses[v];
}

/* A subject holds one line: every control character becomes a space. */
static void
flatten(char *s)
{
	for (unsigned char *p = (unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			*p = ' ';
}

/* The pieces from..to with vars, in one allocation; NULL when a value is missing. */
static char *
render_segs(const struct template *t, const char *text, size_t from, size_t to,
	    const struct template_vars *vars)
{
	size_t total = 0;
	char *out, *o;

	for (size_t i = from; i < to; i++) {
		const struct template_seg *g = &t->segs[i];

		if (g->var < 0)
			total += g->len;
		else if (vars == NULL || vars->value[g->var] == NULL)
			return NULL;
		else
			total += strlen(vars->value[g->var]);
	}
	o = out = xmalloc(total + 1);
	for (size_t i = from; i < to; i++) {
		const struct template_seg *g = &t->segs[i];
		const char *src = g->var < 0 ? text + g->off : vars->value[g->var];
		size_t len = g->var < 0 ? g->len : strlen(src);

		memcpy(o, src, len);
		o += len;
	}
	*o = '\0';
	return out;
}

int
template_render(const struct template *t, const struct template_vars *vars, char **ret_subject,
                char **ret_body)
{
	_cleanup_buf_ struct buf subj = BUF_INIT, body = BUF_INIT;
	const char *s = t->body;
	int r;

	if (t->segs != NULL) {
		char *subject = render_segs(t, t->subject, 0, t->n_subject_segs, vars), *text;

		if (subject == NULL)
			return -EINVAL;
		text = render_segs(t, t->body, t->n_subject_segs, t->n_segs, vars);
		if (text == NULL) {
			free(subject);
			return -EINVAL;
		}
		flatten(subject);
		*ret_subject = strstrip(subject);
		*ret_body = text;
		return 0;
	}

	r = scan_line(t->subject, strlen(t->subject), t->file, 1, NULL, NULL, vars, &subj);
	if (r < 0)
		return r;
	while (*s) {
		size_t l = strcspn(s, "\n");

		r = scan_line(s, l, t->file, 0, NULL, NULL, vars, &body);
		if (r < 0)
			return r;
		s += l;
		if (*s) {
			buf_putc(&body, '\n');
			s++;
		}
	}
	*ret_subject = buf_steal(&subj);
	flatten(*ret_subject);
	strstrip(*ret_subject);
	*ret_body = buf_steal(&body);
	return 0;
}

/* Read a whole (small) file; -EFBIG past TEMPLATE_MAX_SIZE. */
static int
read_file(const char *path, char **ret, size_t *ret_len)
{
	_cleanup_buf_ struct buf b = BUF_INIT;
	char chunk[4096];
	int fd, r = 0;

	buf_init(&b, TEMPLATE_MAX_SIZE + 1);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		if (n == 0)
			break;
		if (buf_append(&b, chunk, (size_t)n) < 0) {
			r = -EFBIG;
			break;
		}
	}
	close(fd);
	if (r < 0)
		return r;
	*ret_len = b.len;
	*ret = buf_steal(&b);
	return 0;
}

void
template_set_free(struct template_set *set)
{
	if (!set)
		return;
	for (int i = 0; i < _TEMPLATE_MAX; i++)
		template_done(&set->t[i]);
	free(set);
}

/* Report NAME.txt files in dir that are no known template (a typo hides an override). */
static int
check_dir(const char *dir, struct errlist *errs)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int r = 0;

	if (!d) {
		r = -errno;
		if (errs)
			errlist_add(errs, "%s: cannot open template directory: %s", dir,
			            strerror(-r));
		return r;
	}
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		_cleanup_free_ char *name = NULL;

		if (de->d_name[0] == '.' || n <= 4 || !streq(de->d_name + n - 4, ".txt"))
			continue;
		name = xstrndup(de->d_name, n - 4);
		if (template_id_from_name(name) < 0) {
			if (errs)
				errlist_add(errs, "%s/%s: not a known template name", dir,
				            de->d_name);
			r = -EINVAL;
		}
	}
	closedir(d);
	return r;
}

int
template_load_dirs(const char *const *dirs, struct template_set **ret, struct errlist *errs)
{
	struct template_set *set = xcalloc(1, sizeof(*set));
	int r = 0;

	for (size_t k = 0; dirs && dirs[k]; k++)
		if (check_dir(dirs[k], errs) < 0)
			r = -EINVAL;
	for (int i = 0; i < _TEMPLATE_MAX; i++) {
		_cleanup_free_ char *path = NULL;
		_cleanup_free_ char *text = NULL;
		size_t len = 0;

		for (size_t k = 0; dirs && dirs[k]; k++) {
			_cleanup_free_ char *p = xasprintf("%s/%s.txt", dirs[k], template_names[i]);

			if (access(p, F_OK) == 0) {
				free(path);
				path = TAKE_PTR(p);
			}
		}
		if (!path) {
			if (errs)
				errlist_add(errs, "%s.txt: required template missing from %s%s",
				            template_names[i],
				            dirs && dirs[0] ? dirs[0] : "(no directory)",
				            dirs && dirs[0] && dirs[1]
				                ? " and the other template directories"
				                : "");
			r = -EINVAL;
			continue;
		}
		int q = read_file(path, &text, &len);

		if (q < 0) {
			if (errs)
				errlist_add(errs, "%s: %s", path,
				            q == -EFBIG ? "file too large" : strerror(-q));
			r = -EINVAL;
			continue;
		}
		if (template_parse(text, len, path, &set->t[i], errs) < 0)
			r = -EINVAL;
	}
	if (r < 0) {
		template_set_free(set);
		return r;
	}
	*ret = set;
	return 0;
}

int
template_load_dir(const char *dir, struct template_set **ret, struct errlist *errs)
{
	const char *dirs[] = {dir, NULL};

	return template_load_dirs(dirs, ret, errs);
}

const struct template *
template_get(const struct template_set *set, enum template_id id)
{
	if (!set || (unsigned)id >= _TEMPLATE_MAX)
		return NULL;
	return &set->t[id];
}
