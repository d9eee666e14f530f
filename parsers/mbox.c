/*
 * mbox.c - mboxrd writer.  See mbox.h.
 */
#include "config.h"

#include <string.h>

#include "mbox.h"
#include "util.h"

/* Does the line at p (n bytes) read ">*From "? */
static bool
needs_quote(const char *p, size_t n)
{
	size_t i = 0;

	while (i < n && p[i] == '>')
		i++;
	return n - i >= 5 && memcmp(p + i, "From ", 5) == 0;
}

int
mbox_append(struct buf *out, const char *sender, time_t date, const char *raw, size_t len)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	struct tm tm;
	int r;

	if (gmtime_r(&date, &tm) == NULL)
		return -1;
	/* an envelope sender with white space would break the separator line */
	if (sender == NULL || *sender == '\0' || strpbrk(sender, " \t\r\n") != NULL)
		sender = "MAILER-DAEMON";
	r = buf_printf(out, "From %s %s %s %2d %02d:%02d:%02d %d\n", sender, days[tm.tm_wday],
		       months[tm.tm_mon], tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		       tm.tm_year + 1900);
	for (size_t i = 0; r == 0 && i < len;) {
		const char *nl = memchr(raw + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (raw + i)) : len - i;
		size_t content = n > 0 && raw[i + n - 1] == '\r' ? n - 1 : n;

		if (needs_quote(raw + i, content))
			r = buf_putc(out, '>');
		if (r == 0)
			r = buf_append(out, raw + i, content);
		if (r == 0)
			r = buf_putc(out, '\n');
		i += n + (nl != NULL);
	}
	if (r == 0)
		r = buf_putc(out, '\n');
	return r;
}
