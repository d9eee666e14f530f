/*
 * imap.h - the IMAP adapter (the only file that talks to libetpan's IMAP API).
 *
 * Results tell the caller what to do next, in the manner of isync's driver
 * results: IMAP_OK; IMAP_MSG_BAD (this message cannot be fetched: quarantine
 * it); IMAP_BOX_BAD (the mailbox is gone or changed: reselect); IMAP_SERVER_BAD
 * (connection lost, timeout, protocol error: throw the session away and
 * reconnect with backoff); IMAP_AUTH_BAD and IMAP_TLS_BAD (configuration or
 * certificate problem: retrying will not help until an administrator acts).
 * Every call has a network timeout; none blocks forever.  After
 * IMAP_SERVER_BAD the session is already torn down and imap_connect() may be
 * called again on the same object.
 *
 * The program must ignore SIGPIPE (signal(SIGPIPE, SIG_IGN)) before the first
 * imap_connect(): libetpan writes to the socket without MSG_NOSIGNAL, so a
 * server that closes the connection would otherwise kill the process.
 *
 * TLS: libetpan on Debian does not check certificates, so this adapter checks
 * the chain (system store plus ca_file) and the host name with GnuTLS after
 * the handshake and before LOGIN; no credentials are sent to an unverified
 * server unless tls_verify is false.
 */
#ifndef COMPLAINTSD_IMAP_H
#define COMPLAINTSD_IMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "token.h"

enum imap_result {
	IMAP_OK = 0,
	IMAP_MSG_BAD,
	IMAP_BOX_BAD,
	IMAP_SERVER_BAD,
	IMAP_AUTH_BAD,
	IMAP_TLS_BAD,
	IMAP_NAME_BAD, /* a configured folder name cannot be used on this server */
};

const char *imap_result_to_string(enum imap_result r);

struct imap_config {
	const char *url;       /* imap://host[:port]/MAILBOX or imaps://host[:port]/MAILBOX */
	bool starttls;         /* imap:// only: STARTTLS required (true) or plain (false) */
	const char *username;
	const char *password;  /* never logged */
	struct token_source *token; /* NULL: LOGIN with the password; else AUTHENTICATE XOAUTH2
				     * with its tokens (referenced while the session object lives) */
	bool tls_verify;       /* verify chain and host name (default true) */
	const char *ca_file;   /* PEM bundle for a private CA, NULL or "" for the system store */
	unsigned timeout;      /* seconds for connect and for each read/write (default 60) */
};

struct imap_message {
	uint32_t uid;
	time_t internaldate; /* server's receipt time, UTC; 0 when the server gave none */
	size_t size;         /* RFC822.SIZE */
	char *data;          /* raw message (NULL when skipped for size); may contain NUL */
	size_t len;
};

struct imap;

/* The parts of an IMAP URL (pure; exposed for tests). */
struct imap_url {
	char *host;        /* without brackets for IPv6 literals */
	uint16_t port;
	bool implicit_tls; /* imaps:// */
	char *mailbox;     /* percent-decoded; "INBOX" when the path is empty */
};

/*
 * A folder name as configured ("/" for nesting) in the server's form: "/"
 * becomes sep (the server's hierarchy separator; 0 when it has none, and then
 * names are sent as written), "&" becomes "&-" (modified UTF-7).  Only
 * printable ASCII without * % " \\ is accepted, and no literal sep when sep
 * is not "/".  NULL with *ret_error set (malloc'ed) when the name cannot be
 * used.  Pure; caller frees.
 */
char *imap_folder_to_wire(const char *name, char sep, char **ret_error);
/* The reverse, for names the server lists: sep becomes "/", "&-" becomes "&". */
char *imap_folder_from_wire(const char *wire, char sep);

/* Parse imap://host[:port]/MAILBOX or imaps://...; 0, or -EINVAL with *ret_error set. */
int imap_url_parse(const char *url, struct imap_url *ret, char **ret_error);
void imap_url_done(struct imap_url *u);

/* An INTERNALDATE (zone as signed HHMM, e.g. -0500 is -500) as UTC; -EINVAL if out of range. */
int imap_date_to_utc(int year, int month, int day, int hour, int min, int sec, int zone,
		     time_t *ret);

struct imap_uid_range {
	uint32_t first, last;
};

/* Sort and merge UIDs into ascending ranges (UID 0 dropped); caller frees *ret. */
size_t imap_uid_ranges(const uint32_t *uids, size_t n, struct imap_uid_range **ret);

/* Parse and copy cfg; NULL with *ret_error set when the URL is not usable. */
struct imap *imap_new(const struct imap_config *cfg, char **ret_error);
void imap_free(struct imap *im);

/*
 * A second session object with the same settings as model, not connected:
 * a connection of its own, e.g. for another thread (a struct imap is used
 * by one thread at a time).
 */
struct imap *imap_new_like(const struct imap *model);

/* The socket of a connected session, else -1: for poll(), or for its owner
 * to shutdown() a dup of it from another thread to end a blocked call. */
int imap_fd(const struct imap *im);

/* The mailbox named in the URL path ("INBOX" when the path is empty). */
const char *imap_mailbox(const struct imap *im);
/* The server's or the adapter's last error text (never contains the password). */
const char *imap_last_error(const struct imap *im);

/*
 * Connect, negotiate TLS as configured, verify the certificate, LOGIN (or
 * XOAUTH2 with a token; a refused token is replaced once on the same
 * connection, and the session's token is not used again once the server has
 * dropped it).  A token that cannot be had is IMAP_SERVER_BAD when the
 * identity provider is unreachable, IMAP_AUTH_BAD when it refuses.
 */
enum imap_result imap_connect(struct imap *im);
bool imap_connected(const struct imap *im);
bool imap_has_idle(const struct imap *im);
bool imap_has_move(const struct imap *im);

/* CREATE the folder unless it exists.  Names must be printable ASCII. */
enum imap_result imap_ensure_folder(struct imap *im, const char *folder);

/* Does the folder exist (LIST with its name)?  IMAP_NAME_BAD when the name cannot be used. */
enum imap_result imap_folder_exists(struct imap *im, const char *folder, bool *ret_exists);

/* The server's hierarchy separator as learnt at login ('/' until then; 0: the server has none). */
char imap_separator(const struct imap *im);

/* SELECT (read-write).  uidvalidity 0 means the server gave none. */
enum imap_result imap_select(struct imap *im, const char *mailbox, uint32_t *ret_uidvalidity,
			     uint32_t *ret_uidnext, uint32_t *ret_exists);

/* EXAMINE (read-only: flags never change, nothing can be moved); as imap_select(). */
enum imap_result imap_examine(struct imap *im, const char *mailbox, uint32_t *ret_uidvalidity,
			      uint32_t *ret_uidnext, uint32_t *ret_exists);

/* STATUS mailbox (UIDVALIDITY UIDNEXT) without selecting it; IMAP_BOX_BAD when it does not exist. */
enum imap_result imap_status(struct imap *im, const char *mailbox, uint32_t *ret_uidvalidity,
			     uint32_t *ret_uidnext);

/* The names of every folder (LIST "" "*"), written as the configuration would ("/" for nesting);
 * caller frees each and the array. */
enum imap_result imap_list_folders(struct imap *im, char ***ret_names, size_t *ret_n);

/*
 * APPEND data to folder with INTERNALDATE date (0: the server's time),
 * flagged \Seen when seen; *ret_uid (or NULL) gets its UID where the server
 * has UIDPLUS, else 0.  IMAP_BOX_BAD when the server refuses (no such folder,
 * over quota).
 */
enum imap_result imap_append(struct imap *im, const char *folder, const char *data, size_t len,
			     time_t date, bool seen, uint32_t *ret_uid);

/* UIDs greater than after_uid in the selected mailbox, ascending (caller frees). */
enum imap_result imap_search_after(struct imap *im, uint32_t after_uid, uint32_t **ret_uids,
				   size_t *ret_n);

/*
 * Fetch n messages by UID: UID, INTERNALDATE, RFC822.SIZE for all, and
 * BODY.PEEK[] for those whose size is at most max_size (others come back
 * with data NULL so the caller can quarantine them).  A UID that no longer
 * exists is simply absent from the result.  Free with imap_messages_free().
 * IMAP_MSG_BAD means the server refused the FETCH (tagged NO); with several
 * UIDs the caller retries them one at a time to find the bad message.
 */
enum imap_result imap_fetch(struct imap *im, const uint32_t *uids, size_t n, size_t max_size,
			    struct imap_message **ret_msgs, size_t *ret_n);
void imap_messages_free(struct imap_message *msgs, size_t n);

/*
 * Move messages out of the selected mailbox: MOVE, else COPY + \Deleted +
 * UID EXPUNGE.  Without UIDPLUS the originals keep \Deleted but are not
 * expunged (a plain EXPUNGE could remove other clients' messages): the result
 * is IMAP_OK and imap_last_error() says so.
 */
enum imap_result imap_move(struct imap *im, const uint32_t *uids, size_t n, const char *folder);

/*
 * IDLE for at most timeout_ms, returning IMAP_OK with *ret_changed true when
 * the server announced new mail (EXISTS), false on timeout.  wake_fd (or -1)
 * is an extra descriptor that ends the wait early when readable.  New mail
 * announced since the last imap_search_after() (for example during a FETCH)
 * counts too, so the call returns at once in that case.  Without the IDLE
 * capability it waits on wake_fd only and then sends NOOP.  May report a
 * change that a search then does not find; never misses an announced one.
 */
enum imap_result imap_idle(struct imap *im, int timeout_ms, int wake_fd, bool *ret_changed);

/* NOOP: keep-alive and liveness check. */
enum imap_result imap_noop(struct imap *im);

/* LOGOUT and close; safe on a dead or never-connected session. */
void imap_disconnect(struct imap *im);

#endif
