/*
 * footer.c - is the stage footer already in an officer's text?  See footer.h.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "footer.h"
#include "util.h"

/* "https://www.lgo.org.uk/x" -> "lgo.org.uk" (malloc'ed; "" when there is no host). */
static char *
url_host(const char *url)
{
	const char *p = strstr(url, "://");
	size_t n;

	p = p ? p + 3 : url;
	if (ascii_strncaseeq(p, "www.", 4))
		p += 4;
	n = strcspn(p, "/:?# \t");
	return xstrndup(p, n);
}

/* Only the digits of s (malloc'ed). */
static char *
digits_of(const char *s)
{
	_cleanup_buf_ struct buf b = BUF_INIT;

	for (; *s; s++)
		if (isdigit((unsigned char)*s))
			(void)buf_putc(&b, *s);
	return buf_steal(&b);
}

bool
footer_present(const char *text, bool final, const char *ombudsman_url,
	       const char *ombudsman_phone)
{
	if (text == NULL)
		return false;
	if (final) {
		_cleanup_free_ char *host = url_host(ombudsman_url ? ombudsman_url : "");
		_cleanup_free_ char *want = digits_of(ombudsman_phone ? ombudsman_phone : "");
		_cleanup_free_ char *have = digits_of(text);

		if (strlen(host) >= 4 && ascii_strcasestr(text, host) != NULL)
			return true;
		return strlen(want) >= 6 && strstr(have, want) != NULL;
	}
	return ascii_strcasestr(text, "stage 2") != NULL ||
	       ascii_strcasestr(text, "stage two") != NULL ||
	       ascii_strcasestr(text, "second stage") != NULL;
}
