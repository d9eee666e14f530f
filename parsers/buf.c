/*
 * buf.c - growable byte strings with hard caps.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>

#include "buf.h"
#include "util.h"

void
buf_init(struct buf *b, size_t cap)
{
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	b->cap = cap;
}

void
buf_free(struct buf *b)
{
	if (b == NULL)
		return;
	free(b->data);
	b->data = NULL;
	b->len = b->alloc = 0;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

int
buf_reserve(struct buf *b, size_t extra)
{
	size_t want;

	if (extra > SIZE_MAX - b->len - 1)
		return -E2BIG;
	want = b->len + extra;
	if (b->cap != 0 && want > b->cap)
		return -E2BIG;
	if (want + 1 <= b->alloc)
		return 0;
	size_t n = b->alloc ? b->alloc : 64;
	while (n < want + 1)
		n = n > SIZE_MAX / 2 ? want + 1 : n * 2;
	b->data = xrealloc(b->data, n);
	b->alloc = n;
	b->data[b->len] = '\0';
	return 0;
}

int
buf_append(struct buf *b, const void *data, size_t len)
{
	int r = buf_reserve(b, len);

	if (r < 0)
		return r;
	if (len > 0)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int
buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list aq;
	int n, r;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return -EINVAL;
	r = buf_reserve(b, (size_t)n);
	if (r < 0)
		return r;
	n = vsnprintf(b->data + b->len, b->alloc - b->len, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return r;
}

const char *
buf_str(const struct buf *b)
{
	return b->data ? b->data : "";
}

char *
buf_steal(struct buf *b)
{
	char *s = b->data ? b->data : xstrdup("");

	b->data = NULL;
	b->len = b->alloc = 0;
	return s;
}

int
buf_put_html(struct buf *b, const char *s, size_t n)
{
	int r = 0;

	for (size_t i = 0; i < n && r == 0; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '&':
			r = buf_puts(b, "&amp;");
			break;
		case '<':
			r = buf_puts(b, "&lt;");
			break;
		case '>':
			r = buf_puts(b, "&gt;");
			break;
		case '"':
			r = buf_puts(b, "&quot;");
			break;
		case '\'':
			r = buf_puts(b, "&#39;");
			break;
		default:
			if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
				break;
			r = buf_putc(b, (char)c);
		}
	}
	return r;
}
