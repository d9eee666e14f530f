/*
 * compose_parts.c - the parts after the text of a multipart/mixed message
 * we send: an officer's files relayed to a resident, the original message
 * attached whole to an officer's notification.  See compose.h.
 *
 * Nothing of a part reaches a header unchecked: the type must be a plain
 * "type/subtype" token pair (else application/octet-stream), and the file
 * name is cleaned (controls, path separators, quotes), cut to a sane length
 * and written either as a quoted string of safe ASCII or RFC 2231 encoded
 * (filename*=UTF-8''...), never raw.  Pure code.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "bytescan.h"
#include "compose.h"
#include "utf8.h"
#include "util.h"

/* File names longer than this (bytes of UTF-8) are cut, keeping the extension. */
#define NAME_MAX_BYTES 120

static bool
token_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || strchr("!#$&^_.+-", c) != NULL;
}

char *
compose_part_type(const char *type)
{
	_cleanup_free_ char *t = ascii_strlower(xstrdup(type ? type : ""));
	const char *slash = strchr(t, '/');
	size_t n = strlen(t);

	if (slash == NULL || slash == t || slash[1] == '\0' || n > 100)
		return xstrdup("application/octet-stream");
	for (const char *p = t; *p; p++)
		if (p != slash && !token_char(*p))
			return xstrdup("application/octet-stream");
	return TAKE_PTR(t);
}

/* Cut s to at most max bytes without splitting a UTF-8 character. */
static void
utf8_cut(char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	s[max] = '\0';
}

char *
compose_part_filename(const char *name)
{
	_cleanup_free_ char *clean = compose_clean_text(name);
	char *dot;

	for (char *p = clean; *p; p++)
		if (*p == '/' || *p == '\\' || *p == '"')
			*p = '_';
	strstrip(clean);
	if (*clean == '\0' || streq(clean, ".") || streq(clean, ".."))
		return xstrdup("attachment");
	if (strlen(clean) > NAME_MAX_BYTES) {
		/* keep a short extension so the file still opens with the right program */
		dot = strrchr(clean, '.');
		if (dot != NULL && strlen(dot) <= 10 && strchr(dot, ' ') == NULL) {
			_cleanup_free_ char *ext = xstrdup(dot);

			utf8_cut(clean, NAME_MAX_BYTES - strlen(ext));
			return xasprintf("%s%s", clean, ext);
		}
		utf8_cut(clean, NAME_MAX_BYTES);
	}
	return TAKE_PTR(clean);
}

static bool
plain_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e || *s == '"' || *s == '\\')
			return false;
	return true;
}

static bool
attr_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("!#$&+-.^_`|~", c) != NULL;
}

/* ";\r\n\tATTR=\"name\"" or ";\r\n\tATTR*=UTF-8''%.." */
static void
put_name_param(struct buf *b, const char *attr, const char *name)
{
	static const char hex[] = "0123456789ABCDEF";

	if (plain_ascii(name)) {
		(void)buf_printf(b, ";\r\n\t%s=\"%s\"", attr, name);
		return;
	}
	(void)buf_printf(b, ";\r\n\t%s*=UTF-8''", attr);
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (attr_char(*p))
			(void)buf_putc(b, (char)*p);
		else
			(void)buf_printf(b, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
}

char *
compose_part_header(const struct compose_part *part)
{
	_cleanup_buf_ struct buf b = BUF_INIT;
	_cleanup_free_ char *type = compose_part_type(part->content_type);
	_cleanup_free_ char *name = NULL;

	if (streq(type, "message/rfc822")) {
		(void)buf_puts(&b, "Content-Type: message/rfc822\r\n");
		(void)buf_puts(&b, "Content-Disposition: attachment");
		if (!isempty(part->filename)) {
			name = compose_part_filename(part->filename);
			put_name_param(&b, "filename", name);
		}
		(void)buf_puts(&b, "\r\n");
		return buf_steal(&b);
	}
	name = compose_part_filename(part->filename);
	(void)buf_printf(&b, "Content-Type: %s", type);
	put_name_param(&b, "name", name);
	(void)buf_puts(&b, "\r\nContent-Disposition: attachment");
	put_name_param(&b, "filename", name);
	(void)buf_puts(&b, "\r\nContent-Transfer-Encoding: base64\r\n");
	return buf_steal(&b);
}

static void
base64_lines(struct buf *b, const unsigned char *p, size_t len)
{
	static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	/* 57 bytes make one line of 76 characters; the whole output is reserved first */
	size_t lines = (len + 56) / 57;
	char *o;

	if (buf_reserve(b, lines * 78) < 0)
		return;
	o = b->data + b->len;
	for (size_t i = 0; i < len; i += 57) {
		size_t end = len - i < 57 ? len : i + 57, j = i;

		for (; j + 3 <= end; j += 3) {
			uint32_t v = (uint32_t)p[j] << 16 | (uint32_t)p[j + 1] << 8 | p[j + 2];

			o[0] = tbl[(v >> 18) & 63];
			o[1] = tbl[(v >> 12) & 63];
			o[2] = tbl[(v >> 6) & 63];
			o[3] = tbl[v & 63];
			o += 4;
		}
		if (j < end) {
			uint32_t v = (uint32_t)p[j] << 16;

			if (j + 1 < end)
				v |= (uint32_t)p[j + 1] << 8;
			o[0] = tbl[(v >> 18) & 63];
			o[1] = tbl[(v >> 12) & 63];
			o[2] = j + 1 < end ? tbl[(v >> 6) & 63] : '=';
			o[3] = '=';
			o += 4;
		}
		*o++ = '\r';
		*o++ = '\n';
	}
	b->len = (size_t)(o - b->data);
	b->data[b->len] = '\0';
}

/*
 * A whole message as a message/rfc822 part: its lines with CRLF ends.  It
 * may be sent so only when every line is at most 998 bytes and has no NUL
 * or bare CR; otherwise it goes as a file (application/octet-stream, base64).
 * Here the NUL and CR tests, each one memchr pass; the line lengths are
 * checked while the lines are copied (rfc822_lines).
 */
static bool
rfc822_ok(const char *data, size_t len)
{
	const char *end = data + len;

	if (len == 0)
		return true;
	if (memchr(data, '\0', len) != NULL)
		return false;
	for (const char *cr = memchr(data, '\r', len); cr != NULL;
	     cr = memchr(cr + 1, '\r', (size_t)(end - cr - 1)))
		if (cr + 1 >= end || cr[1] != '\n')
			return false;
	return true;
}

/*
 * The lines of data (already checked by rfc822_ok: every CR is before an
 * LF) with CRLF ends, in one pass: one memchr and one copy a line, the
 * line's length checked on the way.  False, with b as it was, when a line
 * is longer than 998 bytes.
 */
static bool
rfc822_lines(struct buf *b, const char *data, size_t len)
{
	const char *p = data, *end = data + len;
	size_t mark = b->len;

	/* the data, a CR for a line in 32 and the last CRLF; more if need be */
	if (buf_reserve(b, len + len / 32 + 2) < 0)
		return false;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *stop = nl ? nl : end;
		size_t n = (size_t)(stop - p);

		/* a CR is only ever right before the LF, and is not counted */
		if (nl != NULL && n > 0 && stop[-1] == '\r')
			n--;
		if (n > 998 || (b->len + n + 3 > b->alloc && buf_reserve(b, n + 2) < 0)) {
			b->len = mark;
			b->data[b->len] = '\0';
			return false;
		}
		memcpy(b->data + b->len, p, n);
		b->len += n;
		b->data[b->len++] = '\r';
		b->data[b->len++] = '\n';
		p = nl ? nl + 1 : end;
	}
	b->data[b->len] = '\0';
	return true;
}

bool
compose_boundary_ok(const char *boundary, const struct compose_part *parts, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (parts[i].len >= strlen(boundary) &&
		    memmem(parts[i].data, parts[i].len, boundary, strlen(boundary)) != NULL)
			return false;
	return true;
}

int
compose_parts_append(struct buf *b, const char *boundary, const struct compose_part *parts,
		     size_t n, struct compose_span *spans)
{
	for (size_t i = 0; i < n; i++) {
		const struct compose_part *p = &parts[i];
		_cleanup_free_ char *type = compose_part_type(p->content_type);
		_cleanup_free_ char *hdr = NULL;
		bool eight = false;

		if (p->data == NULL && p->len > 0)
			return -EINVAL;
		(void)buf_puts(b, "\r\n--");
		(void)buf_puts(b, boundary);
		(void)buf_puts(b, "\r\n");
		if (streq(type, "message/rfc822") && rfc822_ok(p->data, p->len)) {
			size_t mark = b->len;

			eight = bytescan_has_8bit((const unsigned char *)p->data, p->len);
			hdr = compose_part_header(p);
			(void)buf_puts(b, hdr);
			(void)buf_puts(b, eight ? "Content-Transfer-Encoding: 8bit\r\n\r\n"
						: "Content-Transfer-Encoding: 7bit\r\n\r\n");
			if (spans != NULL)
				spans[i].at = b->len;
			if (rfc822_lines(b, p->data, p->len)) {
				if (spans != NULL)
					spans[i].len = b->len - spans[i].at;
				continue;
			}
			/* a line too long for SMTP: as a file, below */
			b->len = mark;
			b->data[b->len] = '\0';
			free(hdr);
			hdr = NULL;
		}
		if (spans != NULL)
			spans[i] = (struct compose_span){0, 0};
		if (streq(type, "message/rfc822")) {
			struct compose_part file = *p;

			file.content_type = "application/octet-stream";
			file.filename = isempty(p->filename) ? "original-message.eml" : p->filename;
			hdr = compose_part_header(&file);
		} else
			hdr = compose_part_header(p);
		(void)buf_puts(b, hdr);
		(void)buf_puts(b, "\r\n");
		base64_lines(b, (const unsigned char *)p->data, p->len);
	}
	(void)buf_puts(b, "\r\n--");
	(void)buf_puts(b, boundary);
	(void)buf_puts(b, "--\r\n");
	return 0;
}

bool
compose_part_executable(const char *name, const char *type)
{
	static const char *const types[] = {
	    "application/x-msdownload", "application/x-msdos-program", "application/x-dosexec",
	    "application/x-executable", "application/x-sharedlib", "application/x-mach-binary",
	    "application/vnd.microsoft.portable-executable", "application/x-ms-installer",
	    "application/x-msi", "application/x-bat", "application/x-sh", "application/x-shellscript",
	    "application/java-archive", "application/x-java-archive", "application/hta",
	    "application/x-ms-shortcut", "application/vnd.android.package-archive",
	    "text/x-shellscript", "application/x-powershell", "text/vbscript", "text/javascript",
	    "application/javascript", "application/x-javascript",
	};
	static const char *const exts[] = {
	    ".exe", ".com", ".bat", ".cmd", ".scr", ".pif", ".msi", ".msp", ".js",  ".jse",
	    ".vbs", ".vbe", ".wsf", ".wsh", ".ps1", ".psm1", ".jar", ".cpl", ".hta", ".lnk",
	    ".reg", ".dll", ".sh",  ".app", ".apk", ".scf", ".inf", ".gadget", ".msc", ".application",
	};
	_cleanup_free_ char *t = ascii_strlower(xstrdup(type ? type : ""));
	_cleanup_free_ char *n = ascii_strlower(compose_part_filename(name));
	size_t len = strlen(n);

	for (size_t i = 0; i < ELEMENTSOF(types); i++)
		if (streq(t, types[i]))
			return true;
	/* "letter.pdf.exe", and "letter.exe " with the trailing space already cut */
	for (size_t i = 0; i < ELEMENTSOF(exts); i++) {
		size_t m = strlen(exts[i]);

		if (len >= m && streq(n + len - m, exts[i]))
			return true;
	}
	return false;
}
