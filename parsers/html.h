/*
 * html.h - HTML mail body to plain text (pure code).
 *
 * Good enough for what mail clients send: tags removed, entities decoded,
 * block elements turned into line breaks, script/style/head dropped.  Linear
 * time; the output is valid UTF-8 when the input is.
 */
#ifndef COMPLAINTSD_HTML_H
#define COMPLAINTSD_HTML_H

char *html_to_text(const char *html);

#endif
