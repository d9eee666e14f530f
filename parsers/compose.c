/*
 * compose.c - RFC 5322 / MIME composition of outgoing mail.
 *
 * Everything that reaches a header goes through one of three doors: a
 * checked address (compose_address_ok), a checked message ID (msgid_clean),
 * or cleaned text (compose_clean_text) that is emitted as atoms, a quoted
 * string or RFC 2047 encoded words.  There is no other way in, which is what
 * makes header injection impossible rather than unlikely.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>

#include "buf.h"
#include "bytescan.h"
#include "compose.h"
#include "utf8.h"
#include "util.h"

/* Fold header lines before this many characters (RFC 5322 2.1.1 SHOULD). */
#define FOLD_AT 78
/* Keep the first and the last REFS_KEEP - 1 entries of a long References chain. */
#define REFS_KEEP 20
#define MSGID_MAX 250
#define ADDR_MAX 254

static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */

char *
compose_clean_text(const char *s)
{
	struct buf b = BUF_INIT;
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t len = strlen((const char *)p);
	bool space = true; /* drop leading white space */

	while (len > 0) {
		uint32_t cp;
		size_t n = 0;

		/* visible ASCII goes in runs */
		while (n < len && p[n] > 0x20 && p[n] < 0x7f)
			n++;
		if (n > 0) {
			buf_append(&b, p, n);
			space = false;
			p += n;
			len -= n;
			continue;
		}
		n = utf8_decode((const char *)p, len, &cp);
		if (n == 0) {
			buf_puts(&b, replacement);
			space = false;
			p++;
			len--;
			continue;
		}
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) || cp == 0x2028 ||
		    cp == 0x2029 || cp == ' ') {
			if (!space)
				buf_putc(&b, ' ');
			space = true;
		} else {
			buf_append(&b, p, n);
			space = false;
		}
		p += n;
		len -= n;
	}
	if (b.len > 0 && b.data[b.len - 1] == ' ')
		b.data[--b.len] = '\0';
	return buf_steal(&b);
}

/*
 * Text the body may carry: line ends to LF, invalid UTF-8 to U+FFFD, NUL
 * dropped.  Runs of plain ASCII are skipped sixteen bytes at a time; only
 * CR and bytes above 0x7f are looked at one by one.  NULL when s needs no
 * change (the usual case): nothing is copied then.
 */
static char *
clean_body(const char *s, size_t len)
{
	struct buf b = BUF_INIT;
	const unsigned char *p = (const unsigned char *)s;

	/* the clean prefix, without copying it */
	for (;;) {
		uint32_t cp;
		size_t n = bytescan_ascii_no_cr(p, len);

		p += n;
		len -= n;
		if (len == 0)
			return NULL;
		if (*p == '\r' || (n = utf8_decode((const char *)p, len, &cp)) == 0)
			break;
		p += n;
		len -= n;
	}
	(void)buf_reserve(&b, (size_t)((const char *)p - s) + len);
	(void)buf_append(&b, s, (size_t)((const char *)p - s));
	while (len > 0) {
		uint32_t cp;
		size_t n = bytescan_ascii_no_cr(p, len);

		if (n > 0) {
			buf_append(&b, p, n);
			p += n;
			len -= n;
			continue;
		}
		if (*p == '\r') {
			buf_putc(&b, '\n');
			if (len > 1 && p[1] == '\n') {
				p++;
				len--;
			}
			p++;
			len--;
			continue;
		}
		n = utf8_decode((const char *)p, len, &cp);
		if (n == 0) {
			buf_puts(&b, replacement);
			p++;
			len--;
			continue;
		}
		buf_append(&b, p, n);
		p += n;
		len -= n;
	}
	return buf_steal(&b);
}

static bool
is_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

static bool
is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* RFC 5322 atext. */
static bool
is_atext(char c)
{
	return is_alnum(c) || (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

bool
compose_address_ok(const char *addr)
{
	const char *at;

	if (!addr || strlen(addr) > ADDR_MAX)
		return false;
	at = strchr(addr, '@');
	if (!at || at == addr || at[1] == '\0' || strchr(at + 1, '@'))
		return false;
	for (const char *p = addr; p < at; p++)
		if (!is_atext(*p) && *p != '.')
			return false;
	if (addr[0] == '.' || at[-1] == '.')
		return false;
	for (const char *p = at + 1; *p; p++)
		if (!is_alnum(*p) && *p != '-' && *p != '.')
			return false;
	if (at[1] == '.' || at[1] == '-' || strstr(at, ".."))
		return false;
	return true;
}

/*
 * A message ID safe to repeat in a header, with angle brackets; NULL when
 * id holds anything but visible ASCII without brackets, quotes, backslashes
 * or commas.
 */
static char *
msgid_clean(const char *id)
{
	static const bool bad[256] = {
	    [0 ... 0x20] = true, [0x7f ... 0xff] = true, ['<'] = true, ['>'] = true,
	    ['"'] = true,        ['\\'] = true,        ['('] = true, [')'] = true,
	    [','] = true,        [';'] = true,
	};
	const char *p, *e;
	size_t n;
	char *out;

	if (!id)
		return NULL;
	/* as strstrip() would: blanks and line ends at either end */
	for (p = id; *p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'; p++)
		;
	e = p + strlen(p);
	while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		e--;
	n = (size_t)(e - p);
	if (n >= 2 && p[0] == '<' && e[-1] == '>') {
		p++;
		e--;
		n -= 2;
	}
	if (n == 0 || n > MSGID_MAX)
		return NULL;
	for (const char *q = p; q < e; q++)
		if (bad[(unsigned char)*q])
			return NULL;
	out = xmalloc(n + 3);
	out[0] = '<';
	memcpy(out + 1, p, n);
	out[n + 1] = '>';
	out[n + 2] = '\0';
	return out;
}

/* Append s lower-cased, anything but letters, digits, '-' (and '.' when dot) as '-'. */
static char *
msgid_part(char *o, const char *s, const char *dflt, bool dot)
{
	if (isempty(s))
		s = dflt;
	for (; *s; s++) {
		char c = *s >= 'A' && *s <= 'Z' ? (char)(*s - 'A' + 'a') : *s;

		*o++ = is_alnum(c) || c == '-' || (dot && c == '.') ? c : '-';
	}
	return o;
}

char *
compose_message_id(const char *ref, const char *purpose, unsigned seq, const char *domain)
{
	char num[16];
	int n = snprintf(num, sizeof(num), "%u", seq);
	size_t len = (isempty(ref) ? 1 : strlen(ref)) + (isempty(purpose) ? 1 : strlen(purpose)) +
		     (isempty(domain) ? 9 : strlen(domain)) + (size_t)n + 6;
	char *out = xmalloc(len), *o = out;

	*o++ = '<';
	o = msgid_part(o, ref, "x", false);
	*o++ = '.';
	o = msgid_part(o, purpose, "x", false);
	*o++ = '.';
	memcpy(o, num, (size_t)n);
	o += n;
	*o++ = '@';
	o = msgid_part(o, domain, "localhost", true);
	*o++ = '>';
	*o = '\0';
	return out;
}

/* A header being written: tracks the column so tokens fold before FOLD_AT. */
struct hdr {
	struct buf *b;
	size_t col;
};

static void
hdr_start(struct hdr *h, const char *name)
{
	buf_puts(h->b, name);
	buf_putc(h->b, ':');
	h->col = strlen(name) + 1;
}

/* Append " tok", folding first when it would pass FOLD_AT (tok has no white space). */
static void
hdr_token(struct hdr *h, const char *tok, size_t len)
{
	if (h->col + 1 + len > FOLD_AT && h->col > 1) {
		buf_puts(h->b, "\r\n");
		h->col = 0;
	}
	buf_putc(h->b, ' ');
	buf_append(h->b, tok, len);
	h->col += 1 + len;
}

static void
hdr_end(struct hdr *h)
{
	buf_puts(h->b, "\r\n");
	h->col = 0;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void
base64_append(struct buf *b, const unsigned char *s, size_t len)
{
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16;
		char q[4];

		if (i + 1 < len)
			v |= (uint32_t)s[i + 1] << 8;
		if (i + 2 < len)
			v |= s[i + 2];
		q[0] = b64[(v >> 18) & 63];
		q[1] = b64[(v >> 12) & 63];
		q[2] = i + 1 < len ? b64[(v >> 6) & 63] : '=';
		q[3] = i + 2 < len ? b64[v & 63] : '=';
		buf_append(b, q, 4);
	}
}

/* The length of a UTF-8 sequence starting with byte c (the text is already valid). */
static size_t
utf8_seqlen(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if (c < 0xe0)
		return 2;
	if (c < 0xf0)
		return 3;
	return 4;
}

/*
 * Emit text as RFC 2047 B encoded words, each sized to what is left of the
 * line (never above 75 characters) and holding whole UTF-8 characters only.
 */
static void
hdr_encoded_words(struct hdr *h, const char *text)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t left = strlen(text);

	while (left > 0) {
		_cleanup_buf_ struct buf w = BUF_INIT;
		size_t room, max_bytes, take = 0;

		/* "=?UTF-8?B?" + "?=" is 12 characters; base64 turns 3 bytes into 4. */
		room = h->col + 1 < FOLD_AT ? FOLD_AT - h->col - 1 : 0;
		if (room > 75)
			room = 75;
		max_bytes = room > 12 ? (room - 12) / 4 * 3 : 0;
		if (max_bytes < 12 && h->col > 1) {
			buf_puts(h->b, "\r\n");
			h->col = 0;
			continue;
		}
		while (take < left) {
			size_t n = utf8_seqlen(p[take]);

			if (take + n > max_bytes)
				break;
			take += n;
		}
		if (take == 0)
			take = utf8_seqlen(p[0]) <= left ? utf8_seqlen(p[0]) : left;
		buf_puts(&w, "=?UTF-8?B?");
		base64_append(&w, p, take);
		buf_puts(&w, "?=");
		hdr_token(h, w.data, w.len);
		p += take;
		left -= take;
	}
}

/* Would a decoder mistake this ASCII text for encoded words, or is a word too long to fold? */
static bool
ascii_needs_encoding(const char *text)
{
	size_t run = 0;

	if (strstr(text, "=?"))
		return true;
	for (const char *p = text; *p; p++) {
		run = *p == ' ' ? 0 : run + 1;
		if (run > FOLD_AT - 12)
			return true;
	}
	return false;
}

/* Must this word of unstructured text be encoded (not ASCII, looks encoded, too long to fold)? */
static bool
word_needs_encoding(const char *w, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)w[i] >= 0x80 || (w[i] == '=' && i + 1 < len && w[i + 1] == '?'))
			return true;
	return len > FOLD_AT - 12;
}

/*
 * Unstructured text (Subject): ASCII words stay readable atoms folded at
 * spaces, so the case reference survives any mail client; each run of words
 * that must be encoded becomes encoded words (spaces inside the run are
 * encoded with it, as white space between encoded words does not show).
 */
static void
hdr_text(struct hdr *h, const char *raw)
{
	_cleanup_free_ char *text = compose_clean_text(raw);
	const char *p = text;

	while (*p) {
		size_t n = strcspn(p, " ");

		if (!word_needs_encoding(p, n)) {
			hdr_token(h, p, n);
			p += n;
			p += strspn(p, " ");
			continue;
		}
		/* extend the run over following words that need encoding too */
		const char *start = p, *end = p + n;

		for (;;) {
			const char *next = end + strspn(end, " ");
			size_t m = strcspn(next, " ");

			if (*next == '\0' || !word_needs_encoding(next, m))
				break;
			end = next + m;
		}
		_cleanup_free_ char *run = xstrndup(start, (size_t)(end - start));

		hdr_encoded_words(h, run);
		p = end + strspn(end, " ");
	}
}

/* A display name already cleaned (compose_clean_text): atoms, a quoted string, or encoded words. */
static void
hdr_phrase(struct hdr *h, const char *text)
{
	bool atoms = true;

	if (*text == '\0')
		return;
	if (!is_ascii(text) || ascii_needs_encoding(text) || strlen(text) > 60) {
		hdr_encoded_words(h, text);
		return;
	}
	for (const char *p = text; *p; p++)
		if (!is_atext(*p) && *p != ' ')
			atoms = false;
	if (atoms) {
		for (const char *p = text; *p;) {
			size_t n = strcspn(p, " ");

			hdr_token(h, p, n);
			p += n;
			p += strspn(p, " ");
		}
		return;
	}
	_cleanup_buf_ struct buf q = BUF_INIT;

	buf_putc(&q, '"');
	for (const char *p = text; *p; p++) {
		if (*p == '"' || *p == '\\')
			buf_putc(&q, '\\');
		buf_putc(&q, *p);
	}
	buf_putc(&q, '"');
	hdr_token(h, q.data, q.len);
}

static void
hdr_mailbox(struct buf *b, const char *field, const char *name, const char *addr)
{
	struct hdr h = {b, 0};

	hdr_start(&h, field);
	if (!isempty(name)) {
		_cleanup_free_ char *clean = compose_clean_text(name);

		if (*clean) {
			size_t n = strlen(addr);
			char angle[ADDR_MAX + 3];

			/* compose_address_ok() has held addr to ADDR_MAX */
			if (n > ADDR_MAX)
				n = ADDR_MAX;
			angle[0] = '<';
			memcpy(angle + 1, addr, n);
			angle[n + 1] = '>';
			hdr_phrase(&h, clean);
			hdr_token(&h, angle, n + 2);
			hdr_end(&h);
			return;
		}
	}
	hdr_token(&h, addr, strlen(addr));
	hdr_end(&h);
}

/* RFC 5322 date in UTC, independent of the locale. */
static int
format_date(time_t t, struct buf *b)
{
	static const char *const wd[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	struct tm tm;

	if (!gmtime_r(&t, &tm) || tm.tm_year + 1900 < 1900 || tm.tm_year + 1900 > 9999)
		return -EINVAL;
	{
		/* "Date: Mon, 7 Dec 2026 12:00:00 +0000\r\n", without printf */
		char d[48], *o = d;
		int y = tm.tm_year + 1900;

		memcpy(o, "Date: ", 6);
		memcpy(o + 6, wd[tm.tm_wday], 3);
		o += 9;
		*o++ = ',';
		*o++ = ' ';
		if (tm.tm_mday >= 10)
			*o++ = (char)('0' + tm.tm_mday / 10);
		*o++ = (char)('0' + tm.tm_mday % 10);
		*o++ = ' ';
		memcpy(o, mon[tm.tm_mon], 3);
		o += 3;
		*o++ = ' ';
		*o++ = (char)('0' + y / 1000);
		*o++ = (char)('0' + y / 100 % 10);
		*o++ = (char)('0' + y / 10 % 10);
		*o++ = (char)('0' + y % 10);
		*o++ = ' ';
		*o++ = (char)('0' + tm.tm_hour / 10);
		*o++ = (char)('0' + tm.tm_hour % 10);
		*o++ = ':';
		*o++ = (char)('0' + tm.tm_min / 10);
		*o++ = (char)('0' + tm.tm_min % 10);
		*o++ = ':';
		*o++ = (char)('0' + tm.tm_sec / 10);
		*o++ = (char)('0' + tm.tm_sec % 10);
		memcpy(o, " +0000\r\n", 8);
		o += 8;
		return buf_append(b, d, (size_t)(o - d));
	}
}

/* Printable ASCII but '=': a quoted-printable character as it is. */
static bool
qp_plain(unsigned char c)
{
	return c >= 33 && c <= 126 && c != '=';
}

/*
 * One body line in quoted-printable: output lines stay within 76
 * characters (soft breaks "="), trailing blanks are encoded, and an output
 * line never starts with "." or "From ".  The worst case is reserved first
 * and written through a pointer.
 */
static void
qp_line(struct buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t col = 0;
	char *o;

	/* 3 bytes for each byte, a soft break for every 25 of them, the CRLF */
	if (buf_reserve(b, 3 * len + 3 * (len / 25 + 1) + 2) < 0)
		return;
	o = b->data + b->len;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		bool literal;
		size_t need;

		/*
		 * A run that goes as it is: printable characters and blanks, none
		 * the line's last, while the line has room, and not a "." or "F"
		 * at the start of an output line.
		 */
		if (col > 0 || (c != '.' && c != 'F')) {
			/* up to the line's last character, and while col stays <= 74 before each */
			size_t j = i, lim = len - 1;

			if (col <= 74 && lim > i + (74 - col) + 1)
				lim = i + (74 - col) + 1;
			if (col > 74)
				lim = i;
			j += bytescan_qp_direct((const unsigned char *)s + j, lim - j);
			if (j > i) {
				memcpy(o, s + i, j - i);
				o += j - i;
				col += j - i;
				i = j - 1;
				continue;
			}
		}
		literal = qp_plain(c) || ((c == ' ' || c == '\t') && i + 1 < len);

		if (col == 0 &&
		    (c == '.' || (c == 'F' && len - i >= 5 && !memcmp(s + i, "From ", 5))))
			literal = false;
		need = literal ? 1 : 3;
		/* Room for this and a soft break, unless this is the line's last character. */
		if (col + need > (i + 1 < len ? 75 : 76)) {
			*o++ = '=';
			*o++ = '\r';
			*o++ = '\n';
			col = 0;
			if (c == '.' || (c == 'F' && len - i >= 5 && !memcmp(s + i, "From ", 5)))
				literal = false;
			need = literal ? 1 : 3;
		}
		if (literal) {
			*o++ = (char)c;
		} else {
			*o++ = '=';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
		col += need;
	}
	*o++ = '\r';
	*o++ = '\n';
	b->len = (size_t)(o - b->data);
	b->data[b->len] = '\0';
}

/* A whole text (len bytes) in quoted-printable, line by line. */
static void
qp_body(struct buf *b, const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		qp_line(b, p, n);
		p += n;
		if (p < end)
			p++;
	}
	if (len == 0)
		buf_puts(b, "\r\n");
}

/*
 * "=_" never occurs in quoted-printable or base64 text, so only a whole
 * message attached could hold the boundary: a counter moves it on then.
 */
static char *
multipart_boundary(const char *msgid, const struct compose_part *parts, size_t n)
{
	uint32_t h = 2166136261u;

	for (const char *p = msgid; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	for (unsigned i = 0;; i++) {
		char *b = xasprintf("=_complaintsd_%08x_%u", h, i);

		if (compose_boundary_ok(b, parts, n))
			return b;
		free(b);
	}
}

int
compose_message(const struct compose_in *in, char **ret)
{
	_cleanup_buf_ struct buf b = BUF_INIT;
	_cleanup_free_ char *msgid = NULL, *irt = NULL, *body = NULL, *boundary = NULL;
	struct hdr h = {&b, 0};
	size_t body_len;

	if (!in || !compose_address_ok(in->from_addr) || !compose_address_ok(in->to_addr) ||
	    !in->body)
		return -EINVAL;
	msgid = msgid_clean(in->message_id);
	if (!msgid)
		return -EINVAL;
	body_len = strlen(in->body);
	{
		/* the whole message in one allocation, most of the time */
		size_t est = 2048 + body_len + body_len / 8;

		for (size_t i = 0; i < in->n_parts; i++)
			est += in->parts[i].len + in->parts[i].len / 3 + in->parts[i].len / 32 + 512;
		(void)buf_reserve(&b, est);
	}

	if (format_date(in->date, &b) < 0)
		return -EINVAL;
	hdr_mailbox(&b, "From", in->from_name, in->from_addr);
	hdr_mailbox(&b, "Reply-To", in->from_name, in->from_addr);
	hdr_mailbox(&b, "To", in->to_name, in->to_addr);
	hdr_start(&h, "Subject");
	hdr_text(&h, in->subject);
	hdr_end(&h);
	buf_puts(&b, "Message-ID: ");
	buf_puts(&b, msgid);
	buf_puts(&b, "\r\n");

	irt = msgid_clean(in->in_reply_to);
	if (irt) {
		buf_puts(&b, "In-Reply-To: ");
		buf_puts(&b, irt);
		buf_puts(&b, "\r\n");
	}
	{
		bool any = false;
		size_t n = in->references ? in->n_references : 0;

		for (size_t i = 0; i < n; i++) {
			_cleanup_free_ char *id = NULL;

			/* Long chains: the first (the thread root) and the most recent ones. */
			if (n > REFS_KEEP && i > 0 && i < n - (REFS_KEEP - 1))
				continue;
			id = msgid_clean(in->references[i]);
			if (!id)
				continue;
			if (!any)
				hdr_start(&h, "References");
			any = true;
			hdr_token(&h, id, strlen(id));
		}
		if (!any && irt) {
			hdr_start(&h, "References");
			hdr_token(&h, irt, strlen(irt));
			any = true;
		}
		if (any)
			hdr_end(&h);
	}
	if (in->html != NULL && in->n_parts > 0)
		return -EINVAL;
	if (in->n_parts > 0 || in->html != NULL) {
		boundary = multipart_boundary(msgid, in->parts, in->n_parts);
		buf_puts(&b, in->html != NULL
				 ? "MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\""
				 : "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"");
		buf_puts(&b, boundary);
		buf_puts(&b, "\"\r\n");
	} else
		buf_puts(&b, "MIME-Version: 1.0\r\n"
		             "Content-Type: text/plain; charset=UTF-8\r\n"
		             "Content-Transfer-Encoding: quoted-printable\r\n");
	if (in->auto_generated)
		buf_puts(&b, "Auto-Submitted: auto-generated\r\n"
		             "X-Auto-Response-Suppress: All\r\n");
	else if (in->auto_submitted)
		buf_puts(&b, "Auto-Submitted: auto-replied\r\n"
		             "X-Auto-Response-Suppress: All\r\n");
	buf_puts(&b, "\r\n");
	if (boundary != NULL) {
		buf_puts(&b, "This is a message in MIME format.\r\n\r\n--");
		buf_puts(&b, boundary);
		buf_puts(&b, "\r\n"
		             "Content-Type: text/plain; charset=UTF-8\r\n"
		             "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
	}

	body = clean_body(in->body, body_len);
	if (body != NULL)
		qp_body(&b, body, strlen(body));
	else
		qp_body(&b, in->body, body_len);
	if (in->html != NULL) {
		size_t html_len = strlen(in->html);
		_cleanup_free_ char *html = clean_body(in->html, html_len);

		buf_puts(&b, "\r\n--");
		buf_puts(&b, boundary);
		buf_puts(&b, "\r\n"
		             "Content-Type: text/html; charset=UTF-8\r\n"
		             "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
		if (html != NULL)
			qp_body(&b, html, strlen(html));
		else
			qp_body(&b, in->html, html_len);
		buf_puts(&b, "\r\n--");
		buf_puts(&b, boundary);
		buf_puts(&b, "--\r\n");
	} else if (boundary != NULL &&
	           compose_parts_append(&b, boundary, in->parts, in->n_parts, in->spans) < 0)
		return -EINVAL;
	*ret = buf_steal(&b);
	return 0;
}
