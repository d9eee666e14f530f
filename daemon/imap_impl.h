/*
 * imap_impl.h - what the files of the IMAP adapter share: the session object
 * and the error helpers of imap.c (connection, TLS, login, mailboxes),
 * lent to imap_fetch.c (UID FETCH) and imap_move.c (MOVE, IDLE, NOOP).
 * Nothing outside the adapter includes this or libetpan.
 */
#ifndef COMPLAINTSD_IMAP_IMPL_H
#define COMPLAINTSD_IMAP_IMPL_H

#include <libetpan/libetpan.h>
#include <stdbool.h>
#include <stdint.h>

#include "imap.h"

struct imap {
	struct imap_url url;
	bool starttls;
	bool tls_verify;
	char *username;
	char *password;
	struct token_source *token; /* XOAUTH2, or NULL */
	uint64_t token_gen;         /* of the token of the last login */
	bool token_stale;           /* the server dropped that session: ask for a newer token */
	bool logged_in;             /* the session got past LOGIN or AUTHENTICATE */
	char *ca_file;
	unsigned timeout;

	mailimap *s;
	char *error;
	bool has_idle;
	bool has_move;
	bool has_uidplus;
	char sep; /* the server's hierarchy separator (LIST "" ""); '/' until known, 0: none */
};

/* imap.c */
void set_error(struct imap *im, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The server's text for the last tagged response, or a placeholder. */
const char *server_text(const struct imap *im);
/* Close the socket without LOGOUT: safe on a dead connection, never blocks. */
void session_drop(struct imap *im);
/* A tagged NO for a command: the session stays usable. */
bool is_command_no(int r);
/* A tagged NO gives on_no and keeps the session; anything else drops it (IMAP_SERVER_BAD). */
enum imap_result command_failed(struct imap *im, int r, enum imap_result on_no, const char *what);
enum imap_result need_connected(struct imap *im);
enum imap_result need_selected(struct imap *im);
/* The wire form of a configured folder name, or NULL with the error set (IMAP_NAME_BAD). */
char *mailbox_encode(struct imap *im, const char *name);

/* imap_url.c */
int cmp_u32(const void *a, const void *b);

/* imap_fetch.c */
/* An IMAP set of UIDs, as ranges; NULL if there are none. */
struct mailimap_set *uid_set_new(const uint32_t *uids, size_t n);

#endif
