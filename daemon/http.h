/*
 * http.h - HTTPS downloads (libcurl), for the bank-holiday list.
 *
 * Certificate verification is always on (a CA file may be added for a
 * private CA); redirects are followed only to https; the body is capped.
 */
#ifndef COMPLAINTSD_HTTP_H
#define COMPLAINTSD_HTTP_H

#include <stddef.h>

/* GET url into a malloc'ed buffer of at most max bytes.  0, or -errno with *ret_error set. */
int http_get(const char *url, const char *ca_file, size_t max, unsigned timeout, char **ret,
	     size_t *ret_len, char **ret_error);

/*
 * POST an application/x-www-form-urlencoded body to url (https://, or
 * http:// to loopback, which the configuration checks) and read the answer,
 * whatever its HTTP status, into a malloc'ed buffer of at most max bytes.
 * No redirects (a token endpoint never needs one; the body holds secrets).
 * 0 with *ret_status set, or -EIO (not reachable, timeout, TLS) or -E2BIG
 * with *ret_error set; the error never repeats the body.
 */
int http_post_form(const char *url, const char *body, size_t max, unsigned timeout,
		   long *ret_status, char **ret, size_t *ret_len, char **ret_error);

#endif
