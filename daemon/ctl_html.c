/*
 * ctl_html.c - escaping and the A4 page head of complaintsctl's printable
 * pages (see ctl_html.h).
 */
#include "config.h"

#include <string.h>

#include "ctl_html.h"

void
ctl_html_escape_n(struct buf *out, const char *s, size_t n)
{
	(void)buf_put_html(out, s, n);
}

void
ctl_html_escape(struct buf *out, const char *s)
{
	if (s != NULL)
		ctl_html_escape_n(out, s, strlen(s));
}

void
ctl_html_head(struct buf *out, const char *title, const char *css)
{
	buf_puts(out, "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n"
	              "<meta name=\"referrer\" content=\"no-referrer\">\n"
	              "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	              "style-src 'unsafe-inline'; img-src 'none'\">\n<title>");
	ctl_html_escape(out, title);
	buf_puts(out, "</title>\n<style>\n"
	              "@page { size: A4; margin: 16mm 14mm 18mm 14mm; }\n"
	              "html { font: 10.5pt/1.4 \"DejaVu Sans\", \"Liberation Sans\", Arial, sans-serif;"
	              " color: #111; }\n"
	              "body { max-width: 182mm; margin: 1em auto; }\n"
	              "h1 { font-size: 16pt; margin: 0 0 .2em; }\n"
	              "h2 { font-size: 12.5pt; margin: 1.2em 0 .4em; border-bottom: 1px solid #999; }\n"
	              "p.meta { margin: .1em 0; color: #333; }\n"
	              "table { border-collapse: collapse; width: 100%; }\n"
	              "th, td { border: 1px solid #888; padding: 3pt 4pt; vertical-align: top;"
	              " text-align: left; overflow-wrap: break-word; }\n"
	              "th { background: #e8e8e8; }\n"
	              "thead { display: table-header-group; }\n"
	              "tr { break-inside: avoid; }\n"
	              "footer { margin-top: 1.5em; font-size: 8.5pt; color: #444; }\n"
	              "@media print { body { margin: 0; max-width: none; } a { color: inherit; } }\n");
	if (css != NULL)
		buf_puts(out, css);
	buf_puts(out, "</style>\n</head>\n<body>\n");
}

void
ctl_html_tail(struct buf *out)
{
	buf_puts(out, "</body>\n</html>\n");
}
