/*
 * buf.h - a growable byte string with an optional hard cap.
 *
 * Every buffer fed by mail is created with a cap: appends past it fail with
 * -E2BIG and leave the buffer unchanged, so a caller can quarantine the message
 * instead of truncating it silently.  The content is always NUL-terminated.
 */
#ifndef COMPLAINTSD_BUF_H
#define COMPLAINTSD_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data;   /* NUL-terminated; NULL until the first append */
	size_t len;
	size_t alloc;
	size_t cap;   /* 0: no cap */
};

#define BUF_INIT {NULL, 0, 0, 0}

void buf_init(struct buf *b, size_t cap);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
/* Returns 0, or -E2BIG when the cap would be passed (buffer unchanged). */
int buf_append(struct buf *b, const void *data, size_t len);
int buf_puts(struct buf *b, const char *s);
/* Room for extra more bytes (and the NUL); 0, or -E2BIG past the cap. */
int buf_reserve(struct buf *b, size_t extra);

/* One byte: inline, as decoders call it for every byte they write. */
static inline int
buf_putc(struct buf *b, char c)
{
	if (b->len + 2 <= b->alloc && (b->cap == 0 || b->len < b->cap)) {
		b->data[b->len++] = c;
		b->data[b->len] = '\0';
		return 0;
	}
	return buf_append(b, &c, 1);
}
/*
 * n bytes of s as HTML text: & < > " ' as entities; C0 controls other than
 * tab and newline, and DEL, left out (they have no place in a page).
 */
int buf_put_html(struct buf *b, const char *s, size_t n);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* The content, "" when empty; valid until the next append. */
const char *buf_str(const struct buf *b);
/* Hand the content out as a malloc'ed string (never NULL) and reset the buffer. */
char *buf_steal(struct buf *b);

static inline void
buf_freep(struct buf *b)
{
	buf_free(b);
}
#define _cleanup_buf_ __attribute__((cleanup(buf_freep)))

#endif
