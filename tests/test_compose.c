/*
 * test_compose.c - outgoing messages: well-formed RFC 5322 with CRLF, headers
 * that decode back to what was meant, quoted-printable bodies that survive
 * any transport, and no way for input to add or break a header.
 *
 * The checks parse the output back (unfold, decode RFC 2047 and
 * quoted-printable) rather than compare bytes, except where the exact bytes
 * are the point.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <setjmp.h>
#include <cmocka.h>

#include "buf.h"
#include "compose.h"
#include "util.h"

/* 2026-12-07 14:05:09 UTC */
#define T0 ((time_t)1796652309)

static void
base_in(struct compose_in *in)
{
	*in = (struct compose_in){
	    .from_addr = "complaints@council.example",
	    .from_name = "Example Borough Council",
	    .to_addr = "jane.resident@example.net",
	    .to_name = "Jane Resident",
	    .subject = "Your complaint has been received [CMP-2026-000123]",
	    .message_id = "<cmp-2026-000123.ack-stage1.1@council.example>",
	    .date = T0,
	    .auto_submitted = true,
	    .body = "Dear Jane,\n\nThank you.\n",
	};
}

/* Every line ends CRLF, no bare CR or LF, no line over 998 bytes; the header block is sane. */
static void
assert_well_formed(const char *msg)
{
	const char *p = msg;
	bool in_headers = true;

	assert_true(strlen(msg) >= 2);
	assert_memory_equal(msg + strlen(msg) - 2, "\r\n", 2);
	while (*p) {
		const char *eol = strstr(p, "\r\n");
		size_t len;

		assert_non_null(eol);
		len = (size_t)(eol - p);
		assert_true(len <= 998);
		assert_null(memchr(p, '\n', len));
		assert_null(memchr(p, '\r', len));
		if (in_headers) {
			if (len == 0)
				in_headers = false;
			else if (*p != ' ' && *p != '\t') {
				const char *colon = memchr(p, ':', len);

				assert_non_null(colon);
				for (const char *q = p; q < colon; q++)
					assert_true(*q > 32 && *q < 127);
			}
			for (size_t i = 0; i < len; i++)
				assert_true((unsigned char)p[i] >= 32 && (unsigned char)p[i] < 127);
		} else
			assert_true(len <= 76);
		p = eol + 2;
	}
	assert_false(in_headers);
}

/* How many header lines (not continuations) start with name ":". */
static int
count_headers(const char *msg, const char *name)
{
	const char *end = strstr(msg, "\r\n\r\n");
	size_t n = strlen(name);
	int count = 0;

	for (const char *p = msg; p && p < end; p = strstr(p, "\r\n"), p = p ? p + 2 : NULL)
		if (ascii_strncaseeq(p, name, n) && p[n] == ':')
			count++;
	return count;
}

/* The unfolded raw value of header name (first occurrence), malloc'ed, or NULL. */
static char *
header_raw(const char *msg, const char *name)
{
	const char *end = strstr(msg, "\r\n\r\n");
	size_t n = strlen(name);
	struct buf b = BUF_INIT;

	for (const char *p = msg; p < end;) {
		const char *eol = strstr(p, "\r\n");

		if (ascii_strncaseeq(p, name, n) && p[n] == ':') {
			const char *v = p + n + 1;

			buf_append(&b, v, (size_t)(eol - v));
			/* unfolding: CRLF before white space is removed */
			while (eol < end && (eol[2] == ' ' || eol[2] == '\t')) {
				const char *next = strstr(eol + 2, "\r\n");

				buf_append(&b, eol + 2, (size_t)(next - eol - 2));
				eol = next;
			}
			return strstrip(buf_steal(&b));
		}
		p = eol + 2;
	}
	buf_free(&b);
	return NULL;
}

static int
b64val(char c)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c ? strchr(a, c) : NULL;

	return p ? (int)(p - a) : -1;
}

/* Decode RFC 2047 B words (white space between adjacent words dropped). */
static char *
decode_2047(const char *s)
{
	struct buf b = BUF_INIT;
	bool prev_word = false;

	while (*s) {
		if (startswith(s, "=?UTF-8?B?")) {
			const char *start = s + 10, *end = strstr(start, "?=");
			uint32_t acc = 0;
			int bits = 0;

			assert_non_null(end);
			/* whole encoded word, "=?UTF-8?B?...?=", under 76 characters */
			assert_true(end + 2 - s <= 75);
			for (const char *q = start; q < end && *q != '='; q++) {
				int v = b64val(*q);

				assert_true(v >= 0);
				acc = (acc << 6) | (uint32_t)v;
				bits += 6;
				if (bits >= 8) {
					bits -= 8;
					buf_putc(&b, (char)((acc >> bits) & 0xff));
				}
			}
			s = end + 2;
			prev_word = true;
			continue;
		}
		if (prev_word && *s == ' ') {
			size_t sp = strspn(s, " ");

			if (startswith(s + sp, "=?UTF-8?B?")) {
				s += sp;
				continue;
			}
		}
		buf_putc(&b, *s++);
		prev_word = false;
	}
	return buf_steal(&b);
}

static char *
header(const char *msg, const char *name)
{
	_cleanup_free_ char *raw = header_raw(msg, name);

	return raw ? decode_2047(raw) : NULL;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The body, decoded from quoted-printable, with LF line ends. */
static char *
body_decoded(const char *msg)
{
	const char *p = strstr(msg, "\r\n\r\n");
	struct buf b = BUF_INIT;

	assert_non_null(p);
	for (p += 4; *p;) {
		if (p[0] == '=' && p[1] == '\r' && p[2] == '\n') {
			p += 3;
		} else if (p[0] == '=') {
			assert_true(hexval(p[1]) >= 0 && hexval(p[2]) >= 0);
			buf_putc(&b, (char)(hexval(p[1]) * 16 + hexval(p[2])));
			p += 3;
		} else if (p[0] == '\r' && p[1] == '\n') {
			buf_putc(&b, '\n');
			p += 2;
		} else
			buf_putc(&b, *p++);
	}
	return buf_steal(&b);
}

static char *
compose_ok(const struct compose_in *in)
{
	char *msg = NULL;

	assert_int_equal(compose_message(in, &msg), 0);
	assert_non_null(msg);
	assert_well_formed(msg);
	return msg;
}

static void
test_basic_message(void **state)
{
	struct compose_in in;
	_cleanup_free_ char *msg = NULL;
	const char *want = "Date: Mon, 7 Dec 2026 14:05:09 +0000\r\n"
	                   "From: Example Borough Council <complaints@council.example>\r\n"
	                   "Reply-To: Example Borough Council <complaints@council.example>\r\n"
	                   "To: Jane Resident <jane.resident@example.net>\r\n"
	                   "Subject: Your complaint has been received [CMP-2026-000123]\r\n"
	                   "Message-ID: <cmp-2026-000123.ack-stage1.1@council.example>\r\n"
	                   "In-Reply-To: <abc.123@example.net>\r\n"
	                   "References: <abc.123@example.net>\r\n"
	                   "MIME-Version: 1.0\r\n"
	                   "Content-Type: text/plain; charset=UTF-8\r\n"
	                   "Content-Transfer-Encoding: quoted-printable\r\n"
	                   "Auto-Submitted: auto-replied\r\n"
	                   "X-Auto-Response-Suppress: All\r\n"
	                   "\r\n"
	                   "Dear Jane,\r\n"
	                   "\r\n"
	                   "Thank you.\r\n";

	(void)state;
	base_in(&in);
	in.in_reply_to = "abc.123@example.net";
	msg = compose_ok(&in);
	assert_string_equal(msg, want);
	free(msg);

	/* a relayed officer response is not automatic mail */
	in.auto_submitted = false;
	msg = compose_ok(&in);
	assert_int_equal(count_headers(msg, "Auto-Submitted"), 0);
	assert_int_equal(count_headers(msg, "X-Auto-Response-Suppress"), 0);
}

static const struct subject_case {
	const char *in;
	const char *want; /* decoded */
	bool encoded;
} subject_cases[] = {
    {"Plain ASCII [CMP-2026-000001]", "Plain ASCII [CMP-2026-000001]", false},
    {"  lots   of\tspace  ", "lots of space", false},
    {"Réclamation: déchets non collectés [CMP-2026-000002]",
     "Réclamation: déchets non collectés [CMP-2026-000002]", true},
    {"Looks like =?UTF-8?B?SGk=?= an encoded word", "Looks like =?UTF-8?B?SGk=?= an encoded word",
     true},
    {"Hello\r\nBcc: evil@example.net", "Hello Bcc: evil@example.net", false},
    {"Bad \xff\xfe bytes", "Bad \xef\xbf\xbd\xef\xbf\xbd bytes", true},
    {"Nul\x01"
     "ctl\x7f"
     "del\xc2\x85nel",
     "Nul ctl del nel", false},
    {"Emoji 😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀 end", "Emoji 😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀 end", true},
    {"", "", false},
};

static void
test_subjects(void **state)
{
	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(subject_cases); i++) {
		const struct subject_case *c = &subject_cases[i];
		struct compose_in in;
		_cleanup_free_ char *msg = NULL, *got = NULL, *raw = NULL;

		base_in(&in);
		in.subject = c->in;
		msg = compose_ok(&in);
		assert_int_equal(count_headers(msg, "Subject"), 1);
		assert_int_equal(count_headers(msg, "Bcc"), 0);
		raw = header_raw(msg, "Subject");
		got = header(msg, "Subject");
		if (!streq(got, c->want))
			fail_msg("case %zu: subject decodes to \"%s\", want \"%s\"", i, got,
			         c->want);
		assert_int_equal(strstr(raw, "=?UTF-8?B?") != NULL, c->encoded);
		/* the case reference stays readable in the raw header, for any client */
		if (strstr(c->in, "[CMP-"))
			assert_non_null(strstr(raw, strstr(c->in, "[CMP-")));
	}
}

/* Long subjects fold under 78 characters per line; UTF-8 never split across words. */
static void
test_subject_folding(void **state)
{
	static const char *const pieces[] = {"a", "é", "€", "😀", "word "};

	(void)state;
	for (size_t k = 0; k < ELEMENTSOF(pieces); k++) {
		for (size_t reps = 1; reps < 120; reps += 7) {
			struct buf s = BUF_INIT;
			struct compose_in in;
			_cleanup_free_ char *msg = NULL, *got = NULL, *subj = NULL, *want = NULL;

			buf_puts(&s, "Complaint [CMP-2026-000003] ");
			for (size_t r = 0; r < reps; r++)
				buf_puts(&s, pieces[k]);
			subj = buf_steal(&s);
			base_in(&in);
			in.subject = subj;
			msg = compose_ok(&in);
			/* every line of the Subject field is under 78 characters */
			const char *p = strstr(msg, "\r\nSubject:") + 2;

			do {
				const char *eol = strstr(p, "\r\n");

				assert_true(eol - p <= 78);
				p = eol + 2;
			} while (*p == ' ');
			/* each encoded word holds valid UTF-8 on its own */
			_cleanup_free_ char *raw = header_raw(msg, "Subject");

			for (const char *w = strstr(raw, "=?UTF-8?B?"); w;
			     w = strstr(w + 1, "=?UTF-8?B?")) {
				const char *e = strstr(w, "?=");
				_cleanup_free_ char *word = xstrndup(w, (size_t)(e + 2 - w));
				_cleanup_free_ char *dec = decode_2047(word);
				_cleanup_free_ char *clean = compose_clean_text(dec);

				/* cleaning changes nothing only if no sequence was cut */
				assert_string_equal(clean, dec);
				assert_null(strstr(dec, "\xef\xbf\xbd"));
			}
			got = header(msg, "Subject");
			want = compose_clean_text(subj);
			assert_string_equal(got, want);
		}
	}
}

static const struct name_case {
	const char *name;
	const char *want_raw; /* exact To: value, or NULL to check by decoding */
	const char *want_decoded;
} name_cases[] = {
    {"Jane Resident", "Jane Resident <jane.resident@example.net>", NULL},
    {"Smith, John", "\"Smith, John\" <jane.resident@example.net>", NULL},
    {"Jane \"JJ\" O'Brien", "\"Jane \\\"JJ\\\" O'Brien\" <jane.resident@example.net>", NULL},
    {"J. Resident (home)", "\"J. Resident (home)\" <jane.resident@example.net>", NULL},
    {"Seán Ó Briain", NULL, "Seán Ó Briain <jane.resident@example.net>"},
    {"Evil\r\nBcc: x@example.org", "\"Evil Bcc: x@example.org\" <jane.resident@example.net>", NULL},
    {"Evil <x@example.org>, y@example.org",
     "\"Evil <x@example.org>, y@example.org\" <jane.resident@example.net>", NULL},
    {"\r\n", "jane.resident@example.net", NULL},
    {NULL, "jane.resident@example.net", NULL},
    {"A very long display name that goes on and on past any reasonable length for a name", NULL,
     "A very long display name that goes on and on past any reasonable length for a name "
     "<jane.resident@example.net>"},
};

static void
test_display_names(void **state)
{
	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(name_cases); i++) {
		const struct name_case *c = &name_cases[i];
		struct compose_in in;
		_cleanup_free_ char *msg = NULL, *raw = NULL, *dec = NULL, *from = NULL;

		base_in(&in);
		in.to_name = c->name;
		in.from_name = c->name;
		in.from_addr = "complaints@council.example";
		msg = compose_ok(&in);
		assert_int_equal(count_headers(msg, "To"), 1);
		assert_int_equal(count_headers(msg, "From"), 1);
		assert_int_equal(count_headers(msg, "Reply-To"), 1);
		assert_int_equal(count_headers(msg, "Bcc"), 0);
		raw = header_raw(msg, "To");
		dec = header(msg, "To");
		if (c->want_raw && !streq(raw, c->want_raw))
			fail_msg("case %zu: To: %s", i, raw);
		if (c->want_decoded && !streq(dec, c->want_decoded))
			fail_msg("case %zu: To decodes to %s", i, dec);
		/* the address always comes last and is exactly the recipient */
		assert_true(strlen(raw) >= strlen("jane.resident@example.net"));
		from = header_raw(msg, "Reply-To");
		assert_non_null(strstr(from, "complaints@council.example"));
	}
}

static const struct addr_case {
	const char *addr;
	bool ok;
} addr_cases[] = {
    {"jane.resident@example.net", true},
    {"o'brien+tag@example.org", true},
    {"x@sub.example.com", true},
    {"jane@example.net\r\nBcc: evil@example.org", false},
    {"jane@example.net, evil@example.org", false},
    {"<jane@example.net>", false},
    {"jane", false},
    {"@example.net", false},
    {"jane@", false},
    {"a@b@example.net", false},
    {"jane doe@example.net", false},
    {"jané@example.net", false},
    {".jane@example.net", false},
    {"jane@example..net", false},
    {"", false},
    {NULL, false},
};

static void
test_addresses(void **state)
{
	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(addr_cases); i++) {
		struct compose_in in;
		char *msg = NULL;

		assert_int_equal(compose_address_ok(addr_cases[i].addr), addr_cases[i].ok);
		base_in(&in);
		in.to_addr = addr_cases[i].addr;
		assert_int_equal(compose_message(&in, &msg), addr_cases[i].ok ? 0 : -EINVAL);
		if (addr_cases[i].ok)
			assert_int_equal(count_headers(msg, "To"), 1);
		else
			assert_null(msg);
		free(msg);
		base_in(&in);
		in.from_addr = addr_cases[i].addr;
		msg = NULL;
		assert_int_equal(compose_message(&in, &msg), addr_cases[i].ok ? 0 : -EINVAL);
		free(msg);
	}
}

/* The decoded Subject of a header injection through RFC 2047 stays one line. */
static void
test_injection_via_decoded_subject(void **state)
{
	struct compose_in in;
	_cleanup_free_ char *msg = NULL, *to = NULL, *subj = NULL;
	/* what a decoder makes of =?UTF-8?Q?Hello=0D=0ABcc:_evil@example.net?= */
	const char *decoded = "Hello\r\nBcc: evil@example.net";
	const char *refs[] = {"<ok.1@example.net>", "<bad\r\nBcc: evil@example.net>",
	                      "<a b@example.net>", "ok.2@example.net"};

	(void)state;
	base_in(&in);
	in.subject = decoded;
	in.in_reply_to = "<x@example.net>\r\nBcc: evil@example.net";
	in.references = refs;
	in.n_references = ELEMENTSOF(refs);
	in.body = "Line\r\nBcc: evil@example.net\n";
	msg = compose_ok(&in);
	assert_int_equal(count_headers(msg, "Subject"), 1);
	assert_int_equal(count_headers(msg, "Bcc"), 0);
	assert_int_equal(count_headers(msg, "To"), 1);
	assert_int_equal(count_headers(msg, "Cc"), 0);
	assert_int_equal(count_headers(msg, "In-Reply-To"), 0);
	to = header_raw(msg, "To");
	assert_string_equal(to, "Jane Resident <jane.resident@example.net>");
	subj = header(msg, "Subject");
	assert_string_equal(subj, "Hello Bcc: evil@example.net");
	{
		_cleanup_free_ char *r = header_raw(msg, "References");

		assert_string_equal(r, "<ok.1@example.net> <ok.2@example.net>");
	}
	/* our own Message-ID must be safe, or nothing is composed */
	in.message_id = "<a@council.example>\r\nBcc: evil@example.net";
	{
		char *m = NULL;

		assert_int_equal(compose_message(&in, &m), -EINVAL);
		assert_null(m);
	}
}

static void
test_references_folding(void **state)
{
	char *ids[40];
	struct compose_in in;
	_cleanup_free_ char *msg = NULL, *refs = NULL;

	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(ids); i++)
		ids[i] = xasprintf("<message.%zu.with.a.longish.id@mail.example.net>", i);
	base_in(&in);
	in.references = (const char *const *)ids;
	in.n_references = ELEMENTSOF(ids);
	in.in_reply_to = ids[39];
	msg = compose_ok(&in);
	refs = header_raw(msg, "References");
	/* the root and the newest 19 are kept, in order */
	assert_true(startswith(refs, "<message.0.with"));
	assert_null(strstr(refs, "<message.1.with"));
	assert_null(strstr(refs, "<message.20.with"));
	assert_non_null(strstr(refs, "<message.21.with"));
	assert_true(strstr(refs, "<message.38.with") < strstr(refs, "<message.39.with"));
	{
		const char *p = strstr(msg, "\r\nReferences:") + 2;
		int lines = 0;

		do {
			const char *eol = strstr(p, "\r\n");

			assert_true(eol - p <= 78);
			lines++;
			p = eol + 2;
		} while (*p == ' ');
		assert_int_equal(lines, 20);
	}
	for (size_t i = 0; i < ELEMENTSOF(ids); i++)
		free(ids[i]);
}

static const struct qp_case {
	const char *body;
	const char *want; /* exact encoded body */
} qp_cases[] = {
    {"a=b\n", "a=3Db\r\n"},
    {"trailing space  \n", "trailing space =20\r\n"},
    {"tab\t\n", "tab=09\r\n"},
    {".\n", "=2E\r\n"},
    {".hidden\n", "=2Ehidden\r\n"},
    {"From here on\n", "=46rom here on\r\n"},
    {"Fromage\n", "Fromage\r\n"},
    {"café\n", "caf=C3=A9\r\n"},
    {"no final newline", "no final newline\r\n"},
    {"cr\rlf\r\nlf\n", "cr\r\nlf\r\nlf\r\n"},
    {"bad \xff byte\n", "bad =EF=BF=BD byte\r\n"},
    {"", "\r\n"},
    {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=\r\naaaaa\r\n"},
    /* a soft break never leaves "." or "From " at the start of a line */
    {"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.x\n",
     "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb=\r\n=2Ex\r\n"},
    {"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.\n",
     "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.\r\n"},
    {"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbFrom x\n",
     "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb=\r\n=46rom "
     "x\r\n"},
};

static void
test_quoted_printable(void **state)
{
	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(qp_cases); i++) {
		struct compose_in in;
		_cleanup_free_ char *msg = NULL;
		const char *body;

		base_in(&in);
		in.body = qp_cases[i].body;
		msg = compose_ok(&in);
		body = strstr(msg, "\r\n\r\n") + 4;
		if (!streq(body, qp_cases[i].want))
			fail_msg("case %zu: body is \"%s\"", i, body);
	}
}

/* Long lines of every kind decode back to the text; no encoded line over 76. */
static void
test_quoted_printable_roundtrip(void **state)
{
	static const char *const pieces[] = {"x", " ", "=", "é", "€", "😀", "\t", ". ", "From "};

	(void)state;
	for (size_t k = 0; k < ELEMENTSOF(pieces); k++)
		for (size_t reps = 1; reps < 200; reps += 13) {
			struct buf s = BUF_INIT;
			struct compose_in in;
			_cleanup_free_ char *text = NULL, *msg = NULL, *dec = NULL, *want = NULL;

			for (size_t r = 0; r < reps; r++)
				buf_puts(&s, pieces[k]);
			buf_puts(&s, "\nsecond line ");
			buf_puts(&s, pieces[k]);
			text = buf_steal(&s);
			base_in(&in);
			in.body = text;
			msg = compose_ok(&in);
			dec = body_decoded(msg);
			want = xasprintf("%s\n", text);
			assert_string_equal(dec, want);
			/* no body line starts with "." or "From " */
			for (const char *p = strstr(msg, "\r\n\r\n") + 2; p;
			     p = strstr(p + 2, "\r\n")) {
				assert_false(p[2] == '.');
				assert_false(startswith(p + 2, "From "));
			}
		}
}

static void
test_dates(void **state)
{
	static const struct {
		time_t t;
		const char *want;
	} cases[] = {
	    {0, "Thu, 1 Jan 1970 00:00:00 +0000"},
	    {T0, "Mon, 7 Dec 2026 14:05:09 +0000"},
	    {1774835940, "Mon, 30 Mar 2026 01:59:00 +0000"},
	};

	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct compose_in in;
		_cleanup_free_ char *msg = NULL, *d = NULL;

		base_in(&in);
		in.date = cases[i].t;
		msg = compose_ok(&in);
		d = header_raw(msg, "Date");
		assert_string_equal(d, cases[i].want);
	}
}

static void
test_message_ids(void **state)
{
	static const struct {
		const char *ref, *purpose, *domain;
		unsigned seq;
		const char *want;
	} cases[] = {
	    {"CMP-2026-000123", "ack-stage1", "council.example", 1,
	     "<cmp-2026-000123.ack-stage1.1@council.example>"},
	    {"CMP-2026-000123", "Footer Stage2", "Council.Example", 42,
	     "<cmp-2026-000123.footer-stage2.42@council.example>"},
	    {"a.b<c>\r\n", "x@y", "evil.example>\r\nBcc: x", 0,
	     "<a-b-c---.x-y.0@evil.example---bcc--x>"},
	    {"", NULL, NULL, 7, "<x.x.7@localhost>"},
	};

	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_free_ char *a = compose_message_id(cases[i].ref, cases[i].purpose,
		                                            cases[i].seq, cases[i].domain);
		_cleanup_free_ char *b = compose_message_id(cases[i].ref, cases[i].purpose,
		                                            cases[i].seq, cases[i].domain);
		struct compose_in in;
		char *msg = NULL;

		assert_string_equal(a, cases[i].want);
		assert_string_equal(a, b);
		/* every ID we make is accepted as our Message-ID */
		base_in(&in);
		in.message_id = a;
		assert_int_equal(compose_message(&in, &msg), 0);
		free(msg);
	}
}


static bool
endswith(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && streq(s + n - m, suffix);
}

/* Every line of a part header is a Content-* field or a continuation, nothing else. */
static void
assert_header_safe(const char *hdr)
{
	const char *p = hdr;

	while (*p) {
		const char *eol = strstr(p, "\r\n");

		assert_non_null(eol);
		assert_true(startswith(p, "Content-") || p[0] == '\t');
		assert_true(eol - p < 998);
		for (const char *q = p; q < eol; q++)
			assert_true((unsigned char)*q >= 0x20 || *q == '\t');
		p = eol + 2;
	}
}

/* Undo RFC 2231 %XX of a filename*= value. */
static char *
pct_decode(const char *s, size_t n)
{
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < n; i++) {
		unsigned v;

		if (s[i] == '%' && i + 2 < n && sscanf(s + i + 1, "%2x", &v) == 1) {
			buf_putc(&b, (char)v);
			i += 2;
		} else
			buf_putc(&b, s[i]);
	}
	return buf_steal(&b);
}

static void
test_part_headers_hostile_names(void **state)
{
	static const char *const hostile[] = {
	    "report.pdf\r\nBcc: victim@example.org",
	    "x\nContent-Type: text/html\n\n<script>",
	    "\"; filename=\"evil.exe",
	    "../../etc/passwd",
	    "C:\\Windows\\system32\\evil.pdf",
	    "a\x01\x1b[31m\x7f.pdf",
	    "=?UTF-8?B?ZXZpbC5leGU=?=",
	    "",
	    "..",
	};
	for (size_t i = 0; i < ELEMENTSOF(hostile); i++) {
		struct compose_part p = {hostile[i], "application/pdf", "x", 1};
		_cleanup_free_ char *h = compose_part_header(&p);
		_cleanup_free_ char *name = compose_part_filename(hostile[i]);

		assert_header_safe(h);
		assert_null(strstr(h, "\r\nBcc"));
		assert_null(strstr(h, "evil.exe\"; "));
		assert_null(strchr(name, '/'));
		assert_null(strchr(name, '\\'));
		assert_null(strchr(name, '"'));
		assert_true(*name != '\0');
		for (const char *q = name; *q; q++)
			assert_true((unsigned char)*q >= 0x20 && *q != 0x7f);
	}
	/* hostile types fall back to a harmless one */
	{
		_cleanup_free_ char *t1 = compose_part_type("text/html\r\nBcc: x@example.org");
		_cleanup_free_ char *t2 = compose_part_type("Application/PDF");
		_cleanup_free_ char *t3 = compose_part_type("image/jpeg; name=x");

		assert_string_equal(t1, "application/octet-stream");
		assert_string_equal(t2, "application/pdf");
		assert_string_equal(t3, "application/octet-stream");
	}
}

static void
test_part_names_rfc2231(void **state)
{
	const char *name = "Réponse à la plainte – Jubilee Road.pdf";
	struct compose_part p = {name, "application/pdf", "x", 1};
	_cleanup_free_ char *h = compose_part_header(&p);
	const char *v = strstr(h, "filename*=UTF-8''");
	size_t n;

	assert_non_null(v);
	v += strlen("filename*=UTF-8''");
	n = strcspn(v, "\r;");
	{
		_cleanup_free_ char *back = pct_decode(v, n);

		assert_string_equal(back, name);
	}
	/* plain names stay readable */
	{
		struct compose_part q = {"Response letter.pdf", "application/pdf", "x", 1};
		_cleanup_free_ char *h2 = compose_part_header(&q);

		assert_non_null(strstr(h2, "filename=\"Response letter.pdf\""));
		assert_non_null(strstr(h2, "Content-Type: application/pdf;\r\n\tname=\"Response letter.pdf\""));
	}
	/* a very long name is cut, keeping its extension */
	{
		char longname[400];
		_cleanup_free_ char *cut = NULL;

		memset(longname, 'a', sizeof(longname));
		memcpy(longname + sizeof(longname) - 5, ".pdf", 5);
		cut = compose_part_filename(longname);
		assert_true(strlen(cut) <= 120);
		assert_true(endswith(cut, ".pdf"));
	}
}

static void
test_multipart_message(void **state)
{
	struct compose_in in;
	static const char pdf[] = "%PDF-1.4\n\x00\x01\x02\xff binary\n%%EOF";
	static const char orig[] = "From: Jane <jane@example.net>\nSubject: Bins\n\n"
	                           "--=_complaintsd_trap\n.leading dot\nMy bin.\n";
	struct compose_part parts[] = {
	    {"Response.pdf", "application/pdf", pdf, sizeof(pdf) - 1},
	    {NULL, "message/rfc822", orig, sizeof(orig) - 1},
	};
	_cleanup_free_ char *out = NULL;
	const char *ct, *b64, *end;

	base_in(&in);
	in.auto_submitted = false;
	in.auto_generated = true;
	in.parts = parts;
	in.n_parts = ELEMENTSOF(parts);
	assert_int_equal(compose_message(&in, &out), 0);
	assert_non_null(strstr(out, "\r\nAuto-Submitted: auto-generated\r\n"));
	ct = strstr(out, "Content-Type: multipart/mixed; boundary=\"");
	assert_non_null(ct);
	{
		const char *bs = ct + strlen("Content-Type: multipart/mixed; boundary=\"");
		_cleanup_free_ char *boundary = xstrndup(bs, strcspn(bs, "\""));
		_cleanup_free_ char *sep = xasprintf("\r\n--%s\r\n", boundary);
		_cleanup_free_ char *close = xasprintf("\r\n--%s--\r\n", boundary);
		size_t count = 0;

		for (const char *p = out; (p = strstr(p, sep)) != NULL; p++)
			count++;
		assert_int_equal(count, 3); /* text, file, message */
		assert_true(endswith(out, close));
	}
	/* the text part comes first, then the file, whose base64 decodes back */
	assert_true(strstr(out, "Content-Type: text/plain") < strstr(out, "application/pdf"));
	b64 = strstr(out, "Content-Transfer-Encoding: base64\r\n\r\n");
	assert_non_null(b64);
	b64 += strlen("Content-Transfer-Encoding: base64\r\n\r\n");
	end = strstr(b64, "\r\n\r\n");
	assert_non_null(end);
	{
		struct buf dec = BUF_INIT;
		static const char tbl[] =
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
		uint32_t acc = 0;
		int bits = 0;

		for (const char *p = b64; p < end; p++) {
			const char *k = strchr(tbl, *p);

			if (*p == '=' || *p == '\r' || *p == '\n' || k == NULL)
				continue;
			acc = (acc << 6) | (uint32_t)(k - tbl);
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				buf_putc(&dec, (char)((acc >> bits) & 0xff));
			}
		}
		assert_int_equal(dec.len, sizeof(pdf) - 1);
		assert_memory_equal(dec.data, pdf, sizeof(pdf) - 1);
		buf_free(&dec);
	}
	/* the original goes whole, CRLF line ends, and cannot close our parts early */
	assert_non_null(strstr(out, "Content-Type: message/rfc822\r\n"));
	assert_non_null(strstr(out, "\r\n\r\nFrom: Jane <jane@example.net>\r\nSubject: Bins\r\n"));
	assert_non_null(strstr(out, "\r\n.leading dot\r\nMy bin.\r\n"));
	for (const char *p = out; *p; p++)
		if (*p == '\n')
			assert_true(p > out && p[-1] == '\r');
}

/* The message attached whole to an officer's notification (one message/rfc822 part). */
static char *
attach_one(const char *orig, size_t len)
{
	struct compose_in in;
	struct compose_part part = {NULL, "message/rfc822", orig, len};
	char *out = NULL;

	base_in(&in);
	in.auto_submitted = false;
	in.auto_generated = true;
	in.parts = &part;
	in.n_parts = 1;
	assert_int_equal(compose_message(&in, &out), 0);
	/* CRLF only, no line past SMTP's 998 (the attached lines may be longer than 76) */
	for (const char *p = out, *eol; *p; p = eol + 2) {
		eol = strstr(p, "\r\n");
		assert_non_null(eol);
		assert_true(eol - p <= 998);
		assert_null(memchr(p, '\n', (size_t)(eol - p)));
		assert_null(memchr(p, '\r', (size_t)(eol - p)));
	}
	return out;
}

/* Decode the first base64 part of msg. */
static char *
first_base64_part(const char *msg, size_t *ret_len)
{
	static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = strstr(msg, "Content-Transfer-Encoding: base64\r\n\r\n"), *end;
	struct buf dec = BUF_INIT;
	uint32_t acc = 0;
	int bits = 0;

	assert_non_null(p);
	p += strlen("Content-Transfer-Encoding: base64\r\n\r\n");
	end = strstr(p, "\r\n\r\n");
	assert_non_null(end);
	for (; p < end; p++) {
		const char *k = strchr(tbl, *p);

		if (*p == '=' || *p == '\r' || *p == '\n' || k == NULL)
			continue;
		acc = (acc << 6) | (uint32_t)(k - tbl);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_putc(&dec, (char)((acc >> bits) & 0xff));
		}
	}
	*ret_len = dec.len;
	return buf_steal(&dec);
}

static void
test_attached_message_forms(void **state)
{
	static const char lf[] = "From: Jane <jane@example.net>\nSubject: Bins\n\nLine one\n\nLine two";
	static const char crlf[] =
	    "From: Jane <jane@example.net>\r\nSubject: Bins\r\n\r\nLine one\r\n\r\nLine two\r\n";
	char line[1100];
	_cleanup_free_ char *a = attach_one(lf, sizeof(lf) - 1);
	_cleanup_free_ char *b = attach_one(crlf, sizeof(crlf) - 1);

	(void)state;
	/* LF (a Maildir file) or CRLF (IMAP): the same mail goes out */
	assert_string_equal(a, b);
	assert_non_null(strstr(a, "Content-Transfer-Encoding: 7bit\r\n\r\nFrom: Jane"));
	assert_non_null(strstr(a, "\r\nLine one\r\n\r\nLine two\r\n\r\n--"));

	/* the longest line SMTP allows goes as it is, CR not counted; one byte more goes as a file */
	for (int with_cr = 0; with_cr < 2; with_cr++)
		for (size_t n = 997; n <= 999; n++) {
			_cleanup_free_ char *out = NULL;
			size_t off = (size_t)snprintf(line, sizeof(line), "Subject: x\n\n");

			memset(line + off, 'a', n);
			off += n;
			if (with_cr)
				line[off++] = '\r';
			line[off++] = '\n';
			memcpy(line + off, "end\n", 5);
			off += 4;
			out = attach_one(line, off);
			if (n <= 998) {
				assert_non_null(strstr(out, "Content-Type: message/rfc822\r\n"));
				assert_null(strstr(out, "original-message.eml"));
			} else {
				size_t len;
				_cleanup_free_ char *dec = NULL;

				assert_null(strstr(out, "Content-Type: message/rfc822\r\n"));
				assert_non_null(strstr(out, "filename=\"original-message.eml\""));
				dec = first_base64_part(out, &len);
				assert_int_equal(len, off);
				assert_memory_equal(dec, line, off);
			}
		}

	/* a bare CR (inside or last) or a NUL: sent as a file, byte for byte */
	{
		static const char bad0[] = "Subject: x\n\nbare\rCR\n", bad1[] = "Subject: x\n\nlast CR\r",
				  bad2[] = "Subject: x\n\nnul\0here\n";
		static const char *const bad[] = {bad0, bad1, bad2};
		static const size_t bad_len[] = {sizeof(bad0) - 1, sizeof(bad1) - 1, sizeof(bad2) - 1};

		for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
			_cleanup_free_ char *out = attach_one(bad[i], bad_len[i]);
			_cleanup_free_ char *dec = NULL;
			size_t len;

			assert_non_null(strstr(out, "original-message.eml"));
			dec = first_base64_part(out, &len);
			assert_int_equal(len, bad_len[i]);
			assert_memory_equal(dec, bad[i], len);
		}
	}

	/* one byte above 0x7f anywhere (past the first 8) makes it 8bit */
	{
		static const char eight[] = "Subject: x\n\nA long ASCII line then caf\xc3\xa9\n";
		static const char seven[] = "Subject: x\n\nA long ASCII line then cafe\n";
		_cleanup_free_ char *o8 = attach_one(eight, sizeof(eight) - 1);
		_cleanup_free_ char *o7 = attach_one(seven, sizeof(seven) - 1);

		assert_non_null(strstr(o8, "Content-Transfer-Encoding: 8bit\r\n"));
		assert_non_null(strstr(o7, "Content-Transfer-Encoding: 7bit\r\n"));
	}
}

/* With HTML: multipart/alternative, the text first, then the HTML, both quoted-printable. */
static void
test_alternative(void **state)
{
	struct compose_in in;
	_cleanup_free_ char *out = NULL, *boundary = NULL, *open = NULL, *close = NULL;
	const char *ct, *text, *html;
	static const struct compose_part part = {"a.pdf", "application/pdf", "%PDF", 4};

	(void)state;
	base_in(&in);
	in.auto_submitted = false;
	in.auto_generated = true;
	in.body = "Overdue: 1\n\nCMP-2026-000123: Missed bins\n";
	in.html = "<!DOCTYPE html>\n<p style=\"margin:0\">Caf\xc3\xa9 =</p>\n.\nFrom here\n";
	assert_int_equal(compose_message(&in, &out), 0);
	assert_well_formed(out);
	ct = strstr(out, "Content-Type: multipart/alternative; boundary=\"");
	assert_non_null(ct);
	ct += strlen("Content-Type: multipart/alternative; boundary=\"");
	boundary = xstrndup(ct, strcspn(ct, "\""));
	open = xasprintf("\r\n--%s\r\n", boundary);
	close = xasprintf("\r\n--%s--\r\n", boundary);
	text = strstr(out, "Content-Type: text/plain; charset=UTF-8\r\n"
			   "Content-Transfer-Encoding: quoted-printable\r\n\r\nOverdue: 1\r\n");
	html = strstr(out, "Content-Type: text/html; charset=UTF-8\r\n"
			   "Content-Transfer-Encoding: quoted-printable\r\n\r\n<!DOCTYPE html>\r\n");
	assert_non_null(text);
	assert_non_null(html);
	assert_true(text < html);
	/* the HTML's "=", UTF-8, a lone "." and a "From " line are encoded */
	assert_non_null(strstr(html, "<p style=3D\"margin:0\">Caf=C3=A9 =3D</p>\r\n=2E\r\n=46rom here\r\n"));
	assert_non_null(strstr(out, open));
	assert_true(strstr(out, close) > html);
	assert_memory_equal(out + strlen(out) - strlen(close), close, strlen(close));
	assert_int_equal(count_headers(out, "Auto-Submitted"), 1);
	/* HTML does not go with attachments */
	free(out);
	out = NULL;
	in.parts = &part;
	in.n_parts = 1;
	assert_int_equal(compose_message(&in, &out), -EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_basic_message),
	    cmocka_unit_test(test_part_headers_hostile_names),
	    cmocka_unit_test(test_part_names_rfc2231),
	    cmocka_unit_test(test_multipart_message),
	    cmocka_unit_test(test_attached_message_forms),
	    cmocka_unit_test(test_subjects),
	    cmocka_unit_test(test_subject_folding),
	    cmocka_unit_test(test_display_names),
	    cmocka_unit_test(test_addresses),
	    cmocka_unit_test(test_injection_via_decoded_subject),
	    cmocka_unit_test(test_references_folding),
	    cmocka_unit_test(test_quoted_printable),
	    cmocka_unit_test(test_quoted_printable_roundtrip),
	    cmocka_unit_test(test_dates),
	    cmocka_unit_test(test_message_ids),
	    cmocka_unit_test(test_alternative),
	};

	return cmocka_run_group_tests_name("compose", tests, NULL, NULL) ? 1 : 0;
}
