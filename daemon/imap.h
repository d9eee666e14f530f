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
 */
#ifndef COMPLAINTSD_IMAP_H
#define COMPLAINTSD_IMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

enum imap_result {
	IMAP_OK = 0,
	IMAP_MSG_BAD,
	IMAP_BOX_BAD,
	IMAP_SERVER_BAD,
	IMAP_AUTH_BAD,
	IMAP_TLS_BAD,
};

const char *imap_result_to_string(enum imap_result r);

struct imap_config {
	const char *url;       /* imap://host[:port]/MAILBOX or imaps://host[:port]/MAILBOX */
	bool starttls;         /* imap:// only: STARTTLS required (true) or plain (false) */
	const char *username;
	const char *password;  /* never logged */
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

/* Parse and copy cfg; NULL with *ret_error set when the URL is not usable. */
struct imap *imap_new(const struct imap_config *cfg, char **ret_error);
void imap_free(struct imap *im);

/* The mailbox named in the URL path ("INBOX" when the path is empty). */
const char *imap_mailbox(const struct imap *im);
/* The server's or the adapter's last error text (never contains the password). */
const char *imap_last_error(const struct imap *im);

/* Connect, negotiate TLS as configured, verify the certificate, LOGIN. */
enum imap_result imap_connect(struct imap *im);
bool imap_connected(const struct imap *im);
bool imap_has_idle(const struct imap *im);
bool imap_has_move(const struct imap *im);

/* CREATE the folder unless it exists. */
enum imap_result imap_ensure_folder(struct imap *im, const char *folder);

/* SELECT (read-write).  uidvalidity 0 means the server gave none. */
enum imap_result imap_select(struct imap *im, const char *mailbox, uint32_t *ret_uidvalidity,
			     uint32_t *ret_uidnext, uint32_t *ret_exists);

/* UIDs greater than after_uid in the selected mailbox, ascending (caller frees). */
enum imap_result imap_search_after(struct imap *im, uint32_t after_uid, uint32_t **ret_uids,
				   size_t *ret_n);

/*
 * Fetch n messages by UID: UID, INTERNALDATE, RFC822.SIZE for all, and
 * BODY.PEEK[] for those whose size is at most max_size (others come back
 * with data NULL so the caller can quarantine them).  A UID that no longer
 * exists is simply absent from the result.  Free with imap_messages_free().
 */
enum imap_result imap_fetch(struct imap *im, const uint32_t *uids, size_t n, size_t max_size,
			    struct imap_message **ret_msgs, size_t *ret_n);
void imap_messages_free(struct imap_message *msgs, size_t n);

/* Move messages out of the selected mailbox: MOVE, else COPY + \Deleted + UID EXPUNGE. */
enum imap_result imap_move(struct imap *im, const uint32_t *uids, size_t n, const char *folder);

/*
 * IDLE for at most timeout_ms, returning IMAP_OK with *ret_changed true when
 * the server announced new mail (EXISTS), false on timeout.  wake_fd (or -1)
 * is an extra descriptor that ends the wait early when readable.
 */
enum imap_result imap_idle(struct imap *im, int timeout_ms, int wake_fd, bool *ret_changed);

/* NOOP: keep-alive and liveness check. */
enum imap_result imap_noop(struct imap *im);

/* LOGOUT and close; safe on a dead or never-connected session. */
void imap_disconnect(struct imap *im);

#endif
