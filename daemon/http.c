/*
 * http.c - HTTPS GET and form POST with libcurl.
 */
#include "config.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "buf.h"
#include "http.h"
#include "util.h"

static size_t
http_write(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct buf *b = userdata;

	/* a short count makes curl stop with CURLE_WRITE_ERROR: the cap was hit */
	return buf_append(b, data, size * nmemb) < 0 ? 0 : size * nmemb;
}

int
http_get(const char *url, const char *ca_file, size_t max, unsigned timeout, char **ret,
	 size_t *ret_len, char **ret_error)
{
	_cleanup_buf_ struct buf body = BUF_INIT;
	char errbuf[CURL_ERROR_SIZE] = "";
	long code = 0;
	CURLcode rc;
	CURL *c;

	if (!startswith_nocase(url, "https://")) {
		*ret_error = xasprintf("%s: only https:// URLs are accepted", url);
		return -EINVAL;
	}
	buf_init(&body, max);
	c = curl_easy_init();
	if (c == NULL) {
		*ret_error = xstrdup("cannot initialise libcurl");
		return -ENOMEM;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 15L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)timeout);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max);
	curl_easy_setopt(c, CURLOPT_USERAGENT, PACKAGE_NAME "/" PACKAGE_VERSION);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, http_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	if (!isempty(ca_file))
		curl_easy_setopt(c, CURLOPT_CAINFO, ca_file);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(c);
	if (rc != CURLE_OK) {
		*ret_error = xasprintf("%s: %s", url, *errbuf ? errbuf : curl_easy_strerror(rc));
		return rc == CURLE_WRITE_ERROR || rc == CURLE_FILESIZE_EXCEEDED ? -E2BIG : -EIO;
	}
	if (code != 200) {
		*ret_error = xasprintf("%s: the server answered HTTP %ld", url, code);
		return -EIO;
	}
	*ret_len = body.len;
	*ret = buf_steal(&body);
	return 0;
}

int
http_post_form(const char *url, const char *body, size_t max, unsigned timeout, long *ret_status,
	       char **ret, size_t *ret_len, char **ret_error)
{
	_cleanup_buf_ struct buf answer = BUF_INIT;
	char errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *headers = NULL;
	bool plain = startswith_nocase(url, "http://") != NULL;
	long code = 0;
	CURLcode rc;
	CURL *c;

	buf_init(&answer, max);
	c = curl_easy_init();
	if (c == NULL) {
		*ret_error = xstrdup("cannot initialise libcurl");
		return -ENOMEM;
	}
	headers = curl_slist_append(headers, "Accept: application/json");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, plain ? "http" : "https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)(timeout < 15 ? timeout : 15));
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)timeout);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max);
	curl_easy_setopt(c, CURLOPT_USERAGENT, PACKAGE_NAME "/" PACKAGE_VERSION);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, http_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &answer);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(c);
	curl_slist_free_all(headers);
	if (rc != CURLE_OK) {
		*ret_error = xasprintf("%s", *errbuf ? errbuf : curl_easy_strerror(rc));
		return rc == CURLE_WRITE_ERROR || rc == CURLE_FILESIZE_EXCEEDED ? -E2BIG : -EIO;
	}
	*ret_status = code;
	*ret_len = answer.len;
	*ret = buf_steal(&answer);
	return 0;
}
