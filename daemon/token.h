/*
 * token.h - what the IMAP and SMTP adapters need of an OAuth 2.0 token
 * source (daemon/oauth.h implements it): a bearer token for the mailbox, and
 * a way to say "not that one again".
 *
 * Every token carries a generation number.  A caller whose login was refused
 * with a token, or whose session the server dropped, passes that token's
 * generation as avoid: if the source still holds it, it asks the identity
 * provider for a new one; if another connection has already renewed it, the
 * newer token comes back at once.  So one refusal costs one new token, however
 * many connections share the source.  Sources are reference-counted and safe
 * to use from several threads.
 */
#ifndef COMPLAINTSD_TOKEN_H
#define COMPLAINTSD_TOKEN_H

#include <stdint.h>

enum token_result {
	TOKEN_OK = 0,
	TOKEN_UNREACHABLE, /* the provider could not be reached or failed: retry with backoff */
	TOKEN_REFUSED,     /* the provider refused the credentials: an administrator must act */
};

struct token_source {
	/* A token (malloc'ed; the caller wipes and frees it) and its generation,
	 * or a result with *ret_error (malloc'ed, never holding a secret). */
	enum token_result (*get)(struct token_source *ts, uint64_t avoid, char **ret_token,
				 uint64_t *ret_gen, char **ret_error);
	void (*ref)(struct token_source *ts);
	void (*unref)(struct token_source *ts);
};

#endif
