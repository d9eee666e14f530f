/*
 * command.c - officer command lines: recognise, parse strictly, explain.
 *
 * Guarantees: every input line is either relayed or consumed by a command
 * (never both); every command attempt yields a command or an error entry
 * (apart from attempts past the limit, which share one entry); all strings
 * handed out are valid UTF-8.  Work is linear in the input size.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>

#include "buf.h"
#include "command.h"
#include "util.h"

static const char *const cmd_names[_CMD_MAX] = {
	[CMD_COMPLAINT] = "complaint",
	[CMD_SERVICE_REQUEST] = "service-request",
	[CMD_EXTEND] = "extend",
	[CMD_OUTCOME] = "outcome",
	[CMD_STAGE2] = "stage2",
	[CMD_FINAL] = "final",
	[CMD_EXCLUDE] = "exclude",
	[CMD_CONSENT] = "consent",
	[CMD_ASSIGN] = "assign",
	[CMD_IMPROVEMENT] = "improvement",
	[CMD_ACKNOWLEDGE] = "acknowledge",
	[CMD_NOTE] = "note",
	[CMD_INTERNAL] = "internal",
	[CMD_CLOSE] = "close",
	[CMD_SCHEME] = "scheme",
};

/* Words officers plausibly type for a command that is spelt differently. */
static const struct {
	const char *word;
	const char *suggest;
} cmd_hints[] = {
	{"escalate", "#stage2"},
	{"escalation", "#stage2"},
	{"stage", "#stage2"},
	{"stage-2", "#stage2"},
	{"first-and-final", "#final"},
	{"ack", "#acknowledge"},
	{"acknowledgement", "#acknowledge"},
	{"extension", "#extend"},
	{"upheld", "#outcome upheld"},
	{"partly-upheld", "#outcome partly-upheld"},
	{"not-upheld", "#outcome not-upheld"},
	{"resolved", "#outcome resolved"},
	{"withdrawn", "#outcome withdrawn"},
	{"exclusion", "#exclude"},
	{"excluded", "#exclude"},
	{"service", "#service-request"},
	{"request", "#service-request"},
	{"private", "#internal"},
	{"comment", "#note"},
	{"assign-to", "#assign"},
	{"improve", "#improvement"},
	{"learning", "#improvement"},
	{"ombudsman", "#scheme"},
	{"housing", "#scheme housing"},
	{"lgsco", "#scheme lgsco"},
};

static const char *const outcomes[] = {
	"upheld", "partly-upheld", "not-upheld", "resolved", "withdrawn",
};

#define ALL_COMMANDS                                                                               \
	"#complaint, #service-request, #extend, #outcome, #stage2, #final, #exclude, "             \
	"#consent, #assign, #improvement, #acknowledge, #note, #internal, #close and #scheme"
#define ALL_OUTCOMES "upheld, partly-upheld, not-upheld, resolved or withdrawn"
#define NAME_MAX_LEN 40

const char *
officer_cmd_name(enum officer_cmd_type t)
{
	if ((unsigned)t >= _CMD_MAX)
		return "unknown";
	return cmd_names[t];
}

/* ---- UTF-8 and white space */

/* Length of the valid UTF-8 sequence at s (n bytes available), or 0. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/*
 * Copy n bytes of s as valid UTF-8: bad bytes become U+FFFD, CRLF and CR
 * become "\n", other control characters but tab (C0, DEL, C1) are dropped.  With
 * max > 0 the result is cut to at most max bytes (plus "...") at a character
 * boundary.
 */
static char *
sanitise(const char *s, size_t n, size_t max)
{
	_cleanup_buf_ struct buf b = BUF_INIT;
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		size_t l = utf8_len(u + i, n - i);
		const char *out = s + i;
		size_t out_len = l;

		if (u[i] == '\r') {
			/* CRLF and a lone CR both end a line */
			out = "\n";
			out_len = i + 1 < n && u[i + 1] == '\n' ? 0 : 1;
		} else if (l == 0) {
			out = "\xef\xbf\xbd";
			out_len = 3;
			l = 1;
		} else if ((l == 1 && ((u[i] < 0x20 && u[i] != '\t' && u[i] != '\n') ||
					  u[i] == 0x7f)) ||
			   (l == 2 && u[i] == 0xc2 && u[i + 1] < 0xa0)) {
			i += l;
			continue;
		}
		if (max > 0 && b.len + out_len > max) {
			(void)buf_puts(&b, "...");
			break;
		}
		(void)buf_append(&b, out, out_len);
		i += l;
	}
	return buf_steal(&b);
}

/* Bytes of horizontal white space (space, tab, no-break space) at p, or 0. */
static size_t
hspace_len(const char *p, const char *end)
{
	if (p < end && (*p == ' ' || *p == '\t'))
		return 1;
	if (end - p >= 2 && (unsigned char)p[0] == 0xc2 && (unsigned char)p[1] == 0xa0)
		return 2;
	return 0;
}

static const char *
skip_hspace(const char *p, const char *end)
{
	size_t l;

	while ((l = hspace_len(p, end)) > 0)
		p += l;
	return p;
}

/* Strip horizontal white space from the end of [p, *end). */
static void
rtrim(const char *p, const char **end)
{
	for (;;) {
		const char *e = *end;

		if (e > p && (e[-1] == ' ' || e[-1] == '\t'))
			*end = e - 1;
		else if (e - p >= 2 && (unsigned char)e[-2] == 0xc2 && (unsigned char)e[-1] == 0xa0)
			*end = e - 2;
		else
			return;
	}
}

static bool
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static char
lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c + ('a' - 'A')) : c;
}

/* ---- edit distance and suggestions */

/* Optimal string alignment distance (transpositions count 1); both <= NAME_MAX_LEN. */
static size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t d[NAME_MAX_LEN + 1][NAME_MAX_LEN + 1];

	if (la > NAME_MAX_LEN || lb > NAME_MAX_LEN)
		return SIZE_MAX;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t v = d[i - 1][j] + 1;

			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[la][lb];
}

/* Is word close enough to candidate to suggest it? */
static bool
near(const char *word, const char *candidate, size_t *best)
{
	size_t len = strlen(word), d, limit;

	if (len == 0 || len > NAME_MAX_LEN)
		return false;
	d = edit_distance(word, candidate);
	limit = len <= 4 ? 1 : 2;
	if (d > limit || d >= len || d >= *best)
		return false;
	*best = d;
	return true;
}

/* The best "#name" (or hinted command) for a mistyped lower-case name, or NULL. */
static const char *
suggest_command(const char *name, char *tmp, size_t tmp_size)
{
	const char *sug = NULL;
	size_t best = SIZE_MAX;
	int r;

	for (size_t i = 0; i < ELEMENTSOF(cmd_names); i++)
		if (near(name, cmd_names[i], &best)) {
			r = snprintf(tmp, tmp_size, "#%s", cmd_names[i]);
			if (r < 0 || (size_t)r >= tmp_size)
				return NULL;
			sug = tmp;
		}
	for (size_t i = 0; i < ELEMENTSOF(cmd_hints); i++)
		if (streq(name, cmd_hints[i].word)) {
			return cmd_hints[i].suggest;
		} else if (near(name, cmd_hints[i].word, &best))
			sug = cmd_hints[i].suggest;
	/* A clear abbreviation ("#ack", "#serv") of exactly one command. */
	if (sug == NULL && strlen(name) >= 3) {
		const char *only = NULL;
		size_t hits = 0;

		for (size_t i = 0; i < ELEMENTSOF(cmd_names); i++)
			if (startswith(cmd_names[i], name)) {
				only = cmd_names[i];
				hits++;
			}
		if (hits == 1) {
			r = snprintf(tmp, tmp_size, "#%s", only);
			if (r < 0 || (size_t)r >= tmp_size)
				return NULL;
			sug = tmp;
		}
	}
	return sug;
}

/* ---- results */

struct parse_state {
	struct officer_cmds *out;
	unsigned first_line[_CMD_MAX]; /* line a command of this type was accepted on, or 0 */
	size_t attempts;
	bool limit_reported;
};

static void __attribute__((format(printf, 5, 6)))
add_error(struct parse_state *st, unsigned line, const char *input, size_t input_len,
    const char *fmt, ...)
{
	struct officer_cmds *c = st->out;
	struct officer_cmd_error *e;
	va_list ap;

	c->errors = xreallocarray(c->errors, c->n_errors + 1, sizeof(*c->errors));
	e = &c->errors[c->n_errors++];
	e->line = line;
	e->input = sanitise(input, input_len, OFFICER_CMD_ECHO_MAX);
	va_start(ap, fmt);
	e->why = xvasprintf(fmt, ap);
	va_end(ap);
}

static bool
repeatable(enum officer_cmd_type t)
{
	return t == CMD_NOTE || t == CMD_IMPROVEMENT;
}

/* The command that contradicts t, or _CMD_MAX. */
static enum officer_cmd_type
contradiction(enum officer_cmd_type t)
{
	switch (t) {
	case CMD_COMPLAINT:
		return CMD_SERVICE_REQUEST;
	case CMD_SERVICE_REQUEST:
		return CMD_COMPLAINT;
	case CMD_STAGE2:
		return CMD_FINAL;
	case CMD_FINAL:
		return CMD_STAGE2;
	case CMD_ACKNOWLEDGE:
		return CMD_INTERNAL;
	case CMD_INTERNAL:
		return CMD_ACKNOWLEDGE;
	default:
		return _CMD_MAX;
	}
}

/* Record a parsed command unless it repeats or contradicts an earlier one; takes arg and text. */
static void
add_cmd(struct parse_state *st, enum officer_cmd_type t, unsigned line, const char *input,
    size_t input_len, int days, char *arg, char *text)
{
	struct officer_cmds *c = st->out;
	enum officer_cmd_type other = contradiction(t);
	struct officer_cmd *cmd;

	if (!repeatable(t) && st->first_line[t] != 0) {
		add_error(st, line, input, input_len,
		    "#%s was already given on line %u; give it only once.", cmd_names[t],
		    st->first_line[t]);
		goto out_free;
	}
	if (other != _CMD_MAX && st->first_line[other] != 0) {
		add_error(st, line, input, input_len,
		    "#%s contradicts #%s on line %u; keep only the one you mean.", cmd_names[t],
		    cmd_names[other], st->first_line[other]);
		goto out_free;
	}
	st->first_line[t] = line;
	c->cmds = xreallocarray(c->cmds, c->n_cmds + 1, sizeof(*c->cmds));
	cmd = &c->cmds[c->n_cmds++];
	*cmd = (struct officer_cmd){.type = t, .line = line, .days = days, .arg = arg, .text = text};
	if (t == CMD_INTERNAL)
		c->internal = true;
	return;
out_free:
	free(arg);
	free(text);
}

/* ---- line classification */

struct line {
	const char *p;
	size_t len; /* without the "\n" */
};

/* Look up a lower-case name; _CMD_MAX when unknown. */
static enum officer_cmd_type
lookup(const char *name)
{
	for (size_t i = 0; i < ELEMENTSOF(cmd_names); i++)
		if (streq(name, cmd_names[i]))
			return (enum officer_cmd_type)i;
	return _CMD_MAX;
}

/*
 * Read the command word at p (up to white space or the end) into name,
 * lower-cased, '_' as '-', without a trailing ':' (NAME_MAX_LEN + 1 bytes; a
 * longer word yields "").  Returns the end of the word, where arguments start.
 */
static const char *
read_name(const char *p, const char *end, char *name)
{
	const char *q = p, *word_end;
	size_t n = 0;

	while (q < end && hspace_len(q, end) == 0)
		q++;
	word_end = q;
	if (q > p && q[-1] == ':')
		q--;
	if ((size_t)(q - p) <= NAME_MAX_LEN)
		for (const char *s = p; s < q; s++)
			name[n++] = *s == '_' ? '-' : lower(*s);
	name[n] = '\0';
	return word_end;
}

/* Is this line a command attempt?  Sets *hash to its '#'. */
static bool
is_command_line(const struct line *l, const char **hash)
{
	const char *end = l->p + l->len;
	const char *p = skip_hspace(l->p, end), *q;
	char name[NAME_MAX_LEN + 1];

	if (p >= end || *p != '#')
		return false;
	*hash = p;
	if (p + 1 < end && is_alpha(p[1]))
		return true;
	q = skip_hspace(p + 1, end);
	if (q == p + 1 || q >= end || !is_alpha(*q))
		return false;
	(void)read_name(q, end, name);
	return lookup(name) != _CMD_MAX;
}

static bool
is_blank(const struct line *l)
{
	const char *end = l->p + l->len;

	return skip_hspace(l->p, end) == end;
}

/* ---- arguments */

static bool
is_atext(char c)
{
	return is_alpha(c) || is_digit(c) || (c != '\0' && strchr("!#$%&'*+/=?^_`{|}~-", c));
}

/* Syntax check of a bare address local@domain (dot-atom, DNS labels). */
static bool
address_valid(const char *a, size_t n)
{
	const char *at = memchr(a, '@', n);
	size_t local, label = 0, labels = 1;
	bool tld_digits = true;

	if (at == NULL || n > 254)
		return false;
	local = (size_t)(at - a);
	if (local == 0 || local > 64 || a[0] == '.' || a[local - 1] == '.')
		return false;
	for (size_t i = 0; i < local; i++)
		if (!(is_atext(a[i]) || (a[i] == '.' && a[i + 1] != '.')))
			return false;
	for (const char *p = at + 1; p <= a + n; p++) {
		char c = p < a + n ? *p : '.';

		if (c == '.') {
			if (label == 0 || label > 63 || p[-1] == '-')
				return false;
			if (p < a + n) {
				labels++;
				tld_digits = true;
			}
			label = 0;
		} else if (is_alpha(c) || is_digit(c) || c == '-') {
			if (label == 0 && c == '-')
				return false;
			if (!is_digit(c))
				tld_digits = false;
			label++;
		} else
			return false;
	}
	return labels >= 2 && !tld_digits;
}

/* Lower-case copy of [p, end) with runs of white space, '_' and '-' as one '-'. */
static char *
canon_word(const char *p, const char *end)
{
	_cleanup_buf_ struct buf b = BUF_INIT;
	bool sep = false;

	while (end > p && end[-1] == '.')
		end--;
	while (p < end) {
		size_t l = hspace_len(p, end);

		if (l > 0 || *p == '_' || *p == '-') {
			sep = true;
			p += l > 0 ? l : 1;
			continue;
		}
		if (sep && b.len > 0)
			(void)buf_putc(&b, '-');
		sep = false;
		(void)buf_putc(&b, lower(*p));
		p++;
	}
	return buf_steal(&b);
}

/* After the number of #extend: optional "working", "day(s)" and a ':', ',' or '-'. */
static const char *
skip_days_word(const char *p, const char *end)
{
	static const char *const words[] = {"working days", "working day", "days", "day"};
	const char *q = skip_hspace(p, end);

	for (size_t i = 0; i < ELEMENTSOF(words); i++) {
		size_t n = strlen(words[i]);

		if ((size_t)(end - q) >= n && ascii_strncaseeq(q, words[i], n) &&
		    (q + n == end || !is_alpha(q[n]))) {
			q += n;
			break;
		}
	}
	q = skip_hspace(q, end);
	if (q < end && (*q == ':' || *q == ',' || *q == '-'))
		q = skip_hspace(q + 1, end);
	return q;
}

/* Does the number of #extend end properly at p (not "5.5", "5x")? */
static bool
number_ends(const char *p, const char *end)
{
	if (p >= end || hspace_len(p, end) > 0 || *p == ':' || *p == ',' || *p == '-')
		return true;
	return (size_t)(end - p) >= 3 && ascii_strncaseeq(p, "day", 3);
}

/* Parse one command line; adds a command or an error entry. */
static void
parse_command(struct parse_state *st, const struct line *lines, size_t n_lines, size_t *idx,
    const char *hash)
{
	const struct line *l = &lines[*idx];
	const char *end = l->p + l->len, *word_end, *args, *args_end = end;
	unsigned line = (unsigned)(*idx + 1);
	char name[NAME_MAX_LEN + 1], tmp[64];
	enum officer_cmd_type t;
	bool has_args;

#define ERR(...) add_error(st, line, l->p, l->len, __VA_ARGS__)
	word_end = read_name(skip_hspace(hash + 1, end), end, name);
	args = word_end;
	t = lookup(name);
	if (t == _CMD_MAX) {
		_cleanup_free_ char *shown = sanitise(hash, (size_t)(word_end - hash), 60);
		const char *sug = name[0] ? suggest_command(name, tmp, sizeof(tmp)) : NULL;

		if (sug != NULL)
			ERR("\"%s\" is not a command. Did you mean %s?", shown, sug);
		else
			ERR("\"%s\" is not a command. The commands are " ALL_COMMANDS
			    ". If this line is not meant as a command, do not start it with '#'.",
			    shown);
		return;
	}
	args = skip_hspace(args, end);
	rtrim(args, &args_end);
	has_args = args < args_end;

	switch (t) {
	case CMD_COMPLAINT:
	case CMD_SERVICE_REQUEST:
	case CMD_STAGE2:
	case CMD_FINAL:
	case CMD_INTERNAL:
	case CMD_CLOSE:
		if (has_args) {
			ERR("#%s takes nothing after it; put it on a line of its own and each further "
			    "command on its own line.",
			    cmd_names[t]);
			return;
		}
		add_cmd(st, t, line, l->p, l->len, 0, NULL, NULL);
		return;

	case CMD_EXTEND: {
		const char *p = args, *reason;
		long days = 0;
		size_t digits = 0;

		if (!has_args) {
			ERR("#extend needs the number of working days and the reason, for example "
			    "\"#extend 5 waiting for the contractor's report\".");
			return;
		}
		while (p < args_end && is_digit(*p)) {
			if (digits < 9)
				days = days * 10 + (*p - '0');
			digits++;
			p++;
		}
		if (digits == 0 || !number_ends(p, args_end)) {
			_cleanup_free_ char *w = NULL;
			const char *we = args;

			while (we < args_end && hspace_len(we, args_end) == 0)
				we++;
			w = sanitise(args, (size_t)(we - args), 40);
			ERR("#extend needs the number of working days in digits first, for example "
			    "\"#extend 5 waiting for the contractor's report\"; \"%s\" is not a number.",
			    w);
			return;
		}
		if (days == 0) {
			ERR("The number of working days for #extend must be at least 1.");
			return;
		}
		if (digits > 3 || days > OFFICER_CMD_MAX_DAYS) {
			ERR("#extend by at most %d working days; check the number.",
			    OFFICER_CMD_MAX_DAYS);
			return;
		}
		reason = skip_days_word(p, args_end);
		if (reason >= args_end) {
			ERR("#extend needs a reason after the number of days (the complainant is told "
			    "it), for example \"#extend %ld waiting for the contractor's report\".",
			    days);
			return;
		}
		add_cmd(st, t, line, l->p, l->len, (int)days,
		    sanitise(reason, (size_t)(args_end - reason), 0), NULL);
		return;
	}

	case CMD_OUTCOME: {
		_cleanup_free_ char *w = canon_word(args, args_end);
		size_t best = SIZE_MAX;
		const char *sug = NULL;

		if (!has_args) {
			ERR("#outcome needs the outcome: " ALL_OUTCOMES ".");
			return;
		}
		for (size_t i = 0; i < ELEMENTSOF(outcomes); i++) {
			if (streq(w, outcomes[i])) {
				add_cmd(st, t, line, l->p, l->len, 0, xstrdup(outcomes[i]), NULL);
				return;
			}
			if (near(w, outcomes[i], &best))
				sug = outcomes[i];
		}
		if (streq(w, "partially-upheld"))
			sug = "partly-upheld";
		{
			_cleanup_free_ char *shown = sanitise(args, (size_t)(args_end - args), 60);

			if (sug != NULL)
				ERR("\"%s\" is not an outcome. Did you mean #outcome %s?", shown, sug);
			else
				ERR("\"%s\" is not an outcome. Use one of: " ALL_OUTCOMES ".", shown);
		}
		return;
	}

	case CMD_EXCLUDE:
	case CMD_NOTE:
		if (!has_args) {
			ERR(t == CMD_EXCLUDE ? "#exclude needs the reason, which the complainant is "
					       "told, for example \"#exclude legal proceedings have "
					       "started\"."
					     : "#note needs the text of the note on the same line.");
			return;
		}
		add_cmd(st, t, line, l->p, l->len, 0, sanitise(args, (size_t)(args_end - args), 0),
		    NULL);
		return;

	case CMD_CONSENT: {
		_cleanup_free_ char *w = canon_word(args, args_end);
		size_t best = SIZE_MAX;

		if (streq(w, "received")) {
			add_cmd(st, t, line, l->p, l->len, 0, xstrdup("received"), NULL);
			return;
		}
		if (near(w, "received", &best))
			ERR("Did you mean \"#consent received\"?");
		else
			ERR("#consent is written \"#consent received\", once the representative's "
			    "consent is on file.");
		return;
	}

	case CMD_SCHEME: {
		_cleanup_free_ char *w = canon_word(args, args_end);

		if (streq(w, "lgsco") || streq(w, "housing")) {
			add_cmd(st, t, line, l->p, l->len, 0, xstrdup(w), NULL);
			return;
		}
		ERR("#scheme is written \"#scheme lgsco\" (the Local Government and Social Care "
		    "Ombudsman) or \"#scheme housing\" (the Housing Ombudsman, for the council's "
		    "housing-management matters as landlord).");
		return;
	}

	case CMD_ASSIGN: {
		const char *a = args, *ae = args_end;
		char *addr;

		if (!has_args) {
			ERR("#assign needs the email address of the officer responsible, for example "
			    "\"#assign jane.smith@council.example\".");
			return;
		}
		if (ae - a >= 2 && *a == '<' && ae[-1] == '>') {
			a++;
			ae--;
		}
		for (const char *p = a; p < ae; p++)
			if (hspace_len(p, ae) > 0) {
				ERR("#assign takes one email address and nothing else, for example "
				    "\"#assign jane.smith@council.example\".");
				return;
			}
		if (!address_valid(a, (size_t)(ae - a))) {
			_cleanup_free_ char *shown = sanitise(a, (size_t)(ae - a), 80);

			ERR("\"%s\" is not a valid email address for #assign; write it like "
			    "\"jane.smith@council.example\".",
			    shown);
			return;
		}
		addr = xstrndup(a, (size_t)(ae - a));
		ascii_strlower(strchr(addr, '@'));
		add_cmd(st, t, line, l->p, l->len, 0, addr, NULL);
		return;
	}

	case CMD_IMPROVEMENT: {
		const char *area_end = args, *text;

		while (area_end < args_end && hspace_len(area_end, args_end) == 0)
			area_end++;
		text = skip_hspace(area_end, args_end);
		if (area_end > args && area_end[-1] == ':')
			area_end--;
		if (area_end == args || text >= args_end) {
			ERR("#improvement needs an area (one word) and what will change, for example "
			    "\"#improvement waste crews now photograph missed bins\".");
			return;
		}
		add_cmd(st, t, line, l->p, l->len, 0, sanitise(args, (size_t)(area_end - args), 0),
		    sanitise(text, (size_t)(args_end - text), 0));
		return;
	}

	case CMD_ACKNOWLEDGE: {
		_cleanup_buf_ struct buf b = BUF_INIT;
		const char *h;

		if (has_args)
			(void)buf_append(&b, args, (size_t)(args_end - args));
		/* The paragraph continues until a blank line or the next command. */
		while (*idx + 1 < n_lines && !is_blank(&lines[*idx + 1]) &&
		       !is_command_line(&lines[*idx + 1], &h)) {
			const struct line *n = &lines[++*idx];
			const char *ne = n->p + n->len;

			rtrim(n->p, &ne);
			if (b.len > 0)
				(void)buf_putc(&b, '\n');
			(void)buf_append(&b, n->p, (size_t)(ne - n->p));
		}
		if (b.len == 0) {
			ERR("#acknowledge needs the acknowledgement itself: your understanding of the "
			    "complaint and the outcome sought, on the same line or the lines below it.");
			return;
		}
		add_cmd(st, t, line, l->p, l->len, 0, sanitise(b.data, b.len, 0), NULL);
		return;
	}

	default:
		ERR("#%s is not handled.", name);
		return;
	}
#undef ERR
}

/* ---- the text */

static size_t
split_lines(const char *text, struct line **ret)
{
	struct line *v = NULL;
	size_t n = 0, alloc = 0;
	const char *p = text;

	for (;;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (nl == NULL && len == 0)
			break;
		if (n == alloc) {
			alloc = alloc ? alloc * 2 : 64;
			v = xreallocarray(v, alloc, sizeof(*v));
		}
		v[n].p = p;
		v[n].len = len;
		n++;
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	*ret = v;
	return n;
}

int
officer_cmds_parse(const char *own_text, struct officer_cmds *ret)
{
	struct parse_state st = {.out = ret};
	_cleanup_buf_ struct buf relay = BUF_INIT;
	_cleanup_free_ struct line *lines = NULL;
	_cleanup_free_ char *clean = NULL;
	size_t n_lines;
	bool pending_blank = false;

	*ret = (struct officer_cmds)OFFICER_CMDS_INIT;
	if (own_text == NULL)
		own_text = "";
	if (strlen(own_text) > OFFICER_CMDS_MAX_TEXT) {
		ret->relay_text = xstrdup("");
		return -E2BIG;
	}
	/* Classify what is relayed: a control character must not hide a '#'. */
	clean = sanitise(own_text, strlen(own_text), 0);
	n_lines = split_lines(clean, &lines);

	for (size_t i = 0; i < n_lines; i++) {
		const struct line *l = &lines[i];
		const char *hash;

		if (!is_command_line(l, &hash)) {
			/* Relay, collapsing blank runs and dropping blank lines at the ends. */
			if (is_blank(l)) {
				pending_blank = relay.len > 0;
				continue;
			}
			if (pending_blank)
				(void)buf_putc(&relay, '\n');
			if (relay.len > 0)
				(void)buf_putc(&relay, '\n');
			{
				const char *e = l->p + l->len;

				rtrim(l->p, &e);
				(void)buf_append(&relay, l->p, (size_t)(e - l->p));
			}
			pending_blank = false;
			continue;
		}
		if (++st.attempts > OFFICER_CMDS_MAX) {
			if (!st.limit_reported)
				add_error(&st, (unsigned)(i + 1), l->p, l->len,
				    "A message may carry at most %d commands; this one and those after "
				    "it were not read. Send the rest in a second reply.",
				    OFFICER_CMDS_MAX);
			st.limit_reported = true;
			continue;
		}
		if (l->len > OFFICER_CMD_MAX_LINE) {
			add_error(&st, (unsigned)(i + 1), l->p, l->len,
			    "This command line is longer than %d characters, so it was not read. Keep "
			    "the command short; put longer text in the reply itself.",
			    OFFICER_CMD_MAX_LINE);
			continue;
		}
		parse_command(&st, lines, n_lines, &i, hash);
	}
	ret->relay_text = sanitise(buf_str(&relay), relay.len, 0);
	return 0;
}

void
officer_cmds_free(struct officer_cmds *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n_cmds; i++) {
		free(c->cmds[i].arg);
		free(c->cmds[i].text);
	}
	free(c->cmds);
	for (size_t i = 0; i < c->n_errors; i++) {
		free(c->errors[i].input);
		free(c->errors[i].why);
	}
	free(c->errors);
	free(c->relay_text);
	*c = (struct officer_cmds)OFFICER_CMDS_INIT;
}

const struct officer_cmd *
officer_cmds_find(const struct officer_cmds *c, enum officer_cmd_type t)
{
	for (size_t i = 0; i < c->n_cmds; i++)
		if (c->cmds[i].type == t)
			return &c->cmds[i];
	return NULL;
}

char *
officer_cmds_format_errors(const struct officer_cmds *c)
{
	_cleanup_buf_ struct buf b = BUF_INIT;

	for (size_t i = 0; i < c->n_errors; i++)
		(void)buf_printf(&b, "%sLine %u: %s\n  %s\n", i > 0 ? "\n" : "", c->errors[i].line,
		    c->errors[i].input, c->errors[i].why);
	return buf_steal(&b);
}
