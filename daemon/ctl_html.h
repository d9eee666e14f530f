/*
 * ctl_html.h - what the printable pages of complaintsctl share (the
 * self-assessment and the case file): escaping and the page's head, with
 * inline CSS for A4.  No scripts, nothing fetched from anywhere.
 */
#ifndef COMPLAINTSD_CTL_HTML_H
#define COMPLAINTSD_CTL_HTML_H

#include <stddef.h>

#include "buf.h"

/* s (n bytes) with & < > " ' escaped; control characters but \n and \t dropped. */
void ctl_html_escape_n(struct buf *out, const char *s, size_t n);
void ctl_html_escape(struct buf *out, const char *s);
/* "<!DOCTYPE html>...<body>": title escaped, css appended to the shared A4 rules. */
void ctl_html_head(struct buf *out, const char *title, const char *css);
void ctl_html_tail(struct buf *out);

#endif
