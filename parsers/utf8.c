/*
 * utf8.c - the one UTF-8 decoder: validation, decoding, encoding and repair.
 *
 * Strict by RFC 3629: no overlong forms, no surrogates, nothing past
 * U+10FFFF.  Every module that looks at UTF-8 byte by byte uses these.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "utf8.h"
#include "util.h"

/* Length of the valid UTF-8 sequence at s (1..4), or -k: the first k bytes are a maximal invalid
 * subpart. */
int
utf8_seq(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned char c = s[0];
	int n;
	unsigned char lo = 0x80, hi = 0xbf;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else
		return -1;
	for (int i = 1; i < n; i++) {
		if ((size_t)i >= len)
			return -i;
		if (s[i] < lo || s[i] > hi)
			return -i;
		lo = 0x80;
		hi = 0xbf;
	}
	return n;
}

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* The 8 bytes at p are ASCII; with no_nul, none of them NUL either. */
static inline bool
ascii8(const unsigned char *p, bool no_nul)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	if (v & HIGHS)
		return false;
	return !no_nul || ((v - ONES) & ~v & HIGHS) == 0;
}

bool
utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		int n;

		/* most mail is ASCII: eight bytes at a time */
		while (i + 8 <= len && ascii8(p + i, false))
			i += 8;
		if (i >= len)
			break;
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		n = utf8_seq((const char *)p + i, len - i);
		if (n < 0)
			return false;
		i += (size_t)n;
	}
	return true;
}

size_t
utf8_encode(unsigned long cp, char out[static 4])
{
	if (cp == 0 || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		cp = 0xfffd;
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * One pass: runs of valid bytes are copied whole (most mail is valid UTF-8 or
 * plain ASCII, so the usual case is one allocation and one copy).
 */
char *
utf8_repair(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	struct buf b = BUF_INIT;
	size_t i = 0, run = 0;

	(void)buf_reserve(&b, len);
	while (i < len) {
		int n;

		while (i + 8 <= len && ascii8(p + i, true))
			i += 8;
		if (i >= len)
			break;
		if (p[i] != 0 && p[i] < 0x80) {
			i++;
			continue;
		}
		n = p[i] == 0 ? -1 : utf8_seq((const char *)p + i, len - i);
		if (n > 0) {
			i += (size_t)n;
			continue;
		}
		(void)buf_append(&b, p + run, i - run);
		if (p[i] != 0)
			(void)buf_append(&b, "\xef\xbf\xbd", 3);
		i += (size_t)-n;
		run = i;
	}
	(void)buf_append(&b, p + run, len - run);
	return buf_steal(&b);
}

size_t
utf8_decode(const char *str, size_t len, uint32_t *ret)
{
	const unsigned char *s = (const unsigned char *)str;
	int n = len > 0 ? utf8_seq(str, len) : -1;
	uint32_t cp;

	if (n <= 0)
		return 0;
	if (n == 1) {
		*ret = s[0];
		return 1;
	}
	cp = s[0] & (n == 2 ? 0x1f : n == 3 ? 0x0f : 0x07);
	for (int k = 1; k < n; k++)
		cp = (cp << 6) | (s[k] & 0x3f);
	*ret = cp;
	return (size_t)n;
}
