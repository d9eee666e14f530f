/*
 * oauth.h - the OAuth 2.0 token source of SPEC section 6: one access token
 * for the mailbox, shared by every IMAP connection and the SMTP sender.
 *
 * Grants: client credentials with a client secret or (Microsoft) a
 * certificate credential, a signed JWT client assertion whose header names
 * the certificate by x5t#S256; the refresh token grant (the refresh token
 * written by `complaintsctl oauth login`, rotated ones written back
 * atomically, mode 0600); Google's JWT bearer grant for a service account
 * with domain-wide delegation, the mailbox as sub.
 *
 * A token is kept in memory only and renewed ahead of its expiry (within a
 * quarter of its lifetime, at most five minutes before); see token.h for
 * "not that one again".  After a failure the same answer is given for
 * OAUTH_RETRY_SECONDS without asking the provider again, so several
 * connections failing at once cost one request.  Nothing secret reaches an
 * error text: errors name the endpoint, the provider's error and
 * error_description (Entra's AADSTS number), and what to do.
 */
#ifndef COMPLAINTSD_OAUTH_H
#define COMPLAINTSD_OAUTH_H

#include <stdio.h>
#include <time.h>

#include "conf.h"
#include "errlist.h"
#include "oauth_wire.h"
#include "token.h"

#define OAUTH_RETRY_SECONDS 5
#define OAUTH_TIMEOUT 30 /* seconds for one request to the provider */

struct oauth;

/*
 * The token source cfg describes ([oauth2]); reads and checks every
 * credential file (missing, unreadable, a key that cannot be used, a JSON key
 * that is not a service account) but asks the provider nothing.  0, or
 * -errno with every problem in errs.
 */
int oauth_new(const struct config *cfg, struct oauth **ret, struct errlist *errs);
struct token_source *oauth_source(struct oauth *o);
void oauth_unref(struct oauth *o);

/* When the token now held expires (0: none held). */
time_t oauth_expiry(struct oauth *o);
/* A certificate credential's expiry (0: none). */
time_t oauth_certificate_expiry(const struct oauth *o);

/*
 * Post a form to a token or device endpoint and read the token answer.
 * TOKEN_OK with *ret filled (access_token or error set), else
 * TOKEN_UNREACHABLE with *ret_error.  (For oauth_login.c.)
 */
enum token_result oauth_post(const char *url, const char *body, struct oauth_answer *ret,
			     char **ret_answer, size_t *ret_len, char **ret_error);
/* Write a refresh token to path: a new file beside it, 0600, renamed over it. */
int oauth_write_refresh_token(const char *path, const char *token, char **ret_error);

/*
 * `complaintsctl oauth login`: the device authorization grant (RFC 8628).
 * Prints the address and the code to out, polls until the sign-in is done,
 * and writes the refresh token file.  0, or -errno with *ret_error.
 */
int oauth_device_login(const struct config *cfg, FILE *out, char **ret_error);

#endif
