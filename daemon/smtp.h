/*
 * smtp.h - the SMTP adapter: hand one composed message to the council's mail
 * server (libcurl), and say what the outbox should do next.
 *
 * The only file that includes curl/curl.h is smtp.c.  The program must call
 * curl_global_init(CURL_GLOBAL_DEFAULT) once in main(), before any thread
 * starts, and curl_global_cleanup() at exit; this module never does.
 *
 * Guarantees: TLS is verified unless tls_verify is explicitly false; with
 * smtp:// and starttls, STARTTLS is required (never "try"), so credentials
 * and mail never go out in clear; credentials over a plain connection are
 * refused at smtp_new(); the password is never part of an error text; one
 * connection is reused across the sends of a batch.
 */
#ifndef COMPLAINTSD_SMTP_H
#define COMPLAINTSD_SMTP_H

#include <stdbool.h>
#include <stddef.h>

#include "token.h"

struct smtp_config {
	const char *url; /* smtp://host[:port][/helo] (plain or STARTTLS), smtps:// implicit TLS */
	bool starttls;   /* with smtp://: require STARTTLS; false = plain, a local relay only */
	const char *username;  /* NULL or "": no AUTH */
	const char *password;  /* copied; wiped from memory by smtp_free() */
	struct token_source *token; /* non-NULL: AUTH with its bearer tokens (OAUTHBEARER or
				     * XOAUTH2, as the server offers) instead of the password;
				     * referenced while the sender lives */
	bool tls_verify;       /* false only for a test server */
	const char *ca_file;   /* private CA (PEM), NULL or "" for the system store */
	const char *helo_name; /* EHLO name; NULL or "": the URL's path, else "localhost" */
	long timeout;          /* seconds for a whole send; <= 0: 60 */
};

enum smtp_result {
	SMTP_OK,       /* accepted by the server */
	SMTP_TEMPFAIL, /* 4xx or a network problem: retry later */
	SMTP_PERMFAIL, /* 5xx for this message or recipient: record the failure, do not retry */
	SMTP_CONFIG,   /* authentication, TLS or STARTTLS failure: hold everything and alert */
};

const char *smtp_result_to_string(enum smtp_result r);

struct smtp;

/*
 * A sender for cfg (everything is copied).  Returns 0, or -EINVAL with a
 * malloc'ed explanation in *ret_error (may be NULL) when cfg is unusable.
 */
int smtp_new(const struct smtp_config *cfg, struct smtp **ret, char **ret_error);
void smtp_free(struct smtp *s);

/*
 * Send data (a complete message with CRLF line ends, len bytes) from
 * mail_from ("" for the null sender) to rcpt.  *ret_code (may be NULL) gets
 * the server's last reply code (0 when none).  With a token source, a
 * refused token is replaced once and the send tried again; an identity
 * provider that cannot be reached is SMTP_TEMPFAIL, one that refuses is
 * SMTP_CONFIG.  On anything but SMTP_OK,
 * *ret_error (may be NULL) gets a malloc'ed explanation naming the server
 * and its reply code.
 */
enum smtp_result smtp_send(struct smtp *s, const char *mail_from, const char *rcpt,
                           const char *data, size_t len, long *ret_code, char **ret_error);

/* What logging in to the server without sending found (smtp_check_login). */
enum smtp_check {
	SMTP_CHECK_OK,          /* connected, EHLO (and STARTTLS) done, AUTH accepted when configured */
	SMTP_CHECK_UNREACHABLE, /* the name does not resolve, nothing answers, or it timed out */
	SMTP_CHECK_TLS,         /* the certificate is not trusted or the TLS handshake failed */
	SMTP_CHECK_NO_STARTTLS, /* starttls is required but the server does not offer it */
	SMTP_CHECK_NO_AUTH,     /* a username is set but the server offers no AUTH (here) */
	SMTP_CHECK_AUTH_REFUSED,/* AUTH refused: the server's reply is in the error text */
	SMTP_CHECK_OTHER,       /* anything else: the error text says what */
};

/*
 * Connect, EHLO, STARTTLS as configured and AUTH when a username is set,
 * then QUIT: no MAIL FROM, nothing is sent (libcurl's CURLOPT_CONNECT_ONLY
 * on a copy of the sender's handle), with the token source's token when
 * there is one (SMTP_CHECK_UNREACHABLE when the identity provider cannot be
 * reached, SMTP_CHECK_AUTH_REFUSED when it refuses).  On anything but SMTP_CHECK_OK,
 * *ret_error gets a malloc'ed explanation naming the server and its reply.
 */
enum smtp_check smtp_check_login(struct smtp *s, char **ret_error);

#endif
