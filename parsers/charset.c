/*
 * charset.c - UTF-8 validation, repair and charset conversion for mail text.
 *
 * Conversion goes through libetpan's charconv (glibc iconv).  Mail lies about
 * its charset often, so the policy is: declared us-ascii or none with valid
 * UTF-8 bytes is UTF-8; declared UTF-8 is repaired, not converted; anything
 * unknown is read as windows-1252 with a note.  Outputs are always valid UTF-8.
 */
#include "config.h"

#include <libetpan/libetpan.h>
#include <string.h>

#include "buf.h"
#include "charset.h"
#include "utf8.h"
#include "util.h"

static bool
charset_is(const char *cs, const char *const *names)
{
	for (; *names; names++)
		if (ascii_strcaseeq(cs, *names))
			return true;
	return false;
}

static char *
convert(const char *from, const char *in, size_t len, int *ret_r)
{
	char *out = NULL;
	size_t outlen = 0;
	char *res;
	int r;

	r = charconv_buffer("utf-8", from, in, len, &out, &outlen);
	*ret_r = r;
	if (r != MAIL_CHARCONV_NO_ERROR)
		return NULL;
	res = utf8_repair(out, outlen);
	charconv_buffer_free(out);
	return res;
}

char *
charset_to_utf8(const char *charset, const char *in, size_t len, char **ret_note)
{
	static const char *const utf8[] = {"utf-8", "utf8", "x-utf-8", "unicode-1-1-utf-8", NULL};
	static const char *const ascii[] = {
	    "us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us", "us", "", NULL};
	static const char *const latin1[] = {"iso-8859-1", "iso8859-1",    "latin1", "iso_8859-1",
	                                     "l1",         "windows-1252", "cp1252", NULL};
	_cleanup_free_ char *cs = NULL;
	char *res;
	int r;

	cs = xstrdup(charset ? charset : "");
	strstrip(cs);
	if (cs[0] == '"') {
		memmove(cs, cs + 1, strlen(cs));
		cs[strcspn(cs, "\"")] = '\0';
	}
	if (charset_is(cs, utf8))
		return utf8_repair(in, len);
	if (charset_is(cs, ascii)) {
		if (utf8_valid(in, len))
			return utf8_repair(in, len);
		if (ret_note)
			*ret_note = xasprintf("8-bit text labelled %s read as windows-1252",
			                      cs[0] ? cs : "without charset");
		free(cs);
		cs = xstrdup("windows-1252");
	}
	/* ISO-8859-1 labels are read as windows-1252, its superset, as browsers do. */
	if (charset_is(cs, latin1)) {
		free(cs);
		cs = xstrdup("windows-1252");
	}
	if (strlen(cs) > 64 || strspn(cs, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                                  "0123456789-_.:") != strlen(cs))
		r = MAIL_CHARCONV_ERROR_UNKNOWN_CHARSET, res = NULL;
	else
		res = convert(cs, in, len, &r);
	if (res)
		return res;
	if (ret_note && !*ret_note) {
		_cleanup_free_ char *shown = utf8_repair(cs, strlen(cs));
		_cleanup_free_ char *clean = text_clean_line(shown);

		*ret_note = xasprintf(
		    "%s charset %s read as windows-1252",
		    r == MAIL_CHARCONV_ERROR_UNKNOWN_CHARSET ? "unknown" : "unconvertible", clean);
	}
	res = convert("windows-1252", in, len, &r);
	return res ? res : utf8_repair(in, len);
}

char *
text_clean_line(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	struct buf b = BUF_INIT;
	bool space = false;

	for (; *p; p++) {
		unsigned char c = *p;

		/* C1 controls U+0080..U+009F are 0xC2 0x80..0x9F in UTF-8. */
		if (c == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			p++;
			continue;
		}
		if (c == ' ' || c == '\t') {
			space = true;
			continue;
		}
		if (c < 0x20 || c == 0x7f)
			continue;
		if (space && b.len > 0)
			(void)buf_putc(&b, ' ');
		space = false;
		(void)buf_putc(&b, (char)c);
	}
	return buf_steal(&b);
}

char *
text_clean_body(const char *s)
{
	return text_clean_body_take(xstrdup(s));
}

char *
text_clean_body_take(char *s)
{
	char *w = s, *start, *end;
	const char *p;

	/* In place: the text only ever gets shorter. */
	for (p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '\r') {
			*w++ = '\n';
			if (p[1] == '\n')
				p++;
			continue;
		}
		if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
			continue;
		*w++ = (char)c;
	}
	*w = '\0';
	/* Drop blank lines at the start and white space at the end. */
	start = s;
	for (p = s; *p == ' ' || *p == '\t' || *p == '\n'; p++)
		if (*p == '\n')
			start = (char *)p + 1;
	end = w;
	while (end > start && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n'))
		end--;
	*end = '\0';
	if (start != s)
		memmove(s, start, (size_t)(end - start) + 1);
	return s;
}
