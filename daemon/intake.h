/*
 * intake.h - the flow of one inbound message, from raw bytes to a committed
 * case change (DESIGN.md "The flow of one message").
 *
 * intake_message() runs inside a transaction the caller opened: it records
 * the raw message first, then parses, detects automatic mail, decides who
 * wrote it and which case it belongs to, and changes the case.  It never
 * talks to the network: what the server must do with the message afterwards
 * (move to the processed or the quarantine folder) is returned as a
 * disposition, to be carried out only after the caller's commit.
 */
#ifndef COMPLAINTSD_INTAKE_H
#define COMPLAINTSD_INTAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "message.h"

struct config;
struct store;
struct calendar;
struct rules;
struct template_set;

struct intake {
	const struct config *cfg;
	struct store *store;
	const struct calendar *cal;
	const struct rules *rules; /* NULL: every new case is a complaint */
	const struct template_set *templates;
	struct msg_limits limits;
};

enum intake_disposition {
	INTAKE_PROCESSED,   /* move to the processed folder */
	INTAKE_QUARANTINED, /* move to the quarantine folder */
};

/*
 * What intake_message() works out from a message's bytes alone, touching
 * neither the store nor the clock: the parse, the body digest and the
 * sender's own text.  sync.c has it done for the next batch on the fetch
 * thread (prefetch.c), on the second CPU, while this batch is committed.
 */
struct intake_prep {
	enum msg_result pr;
	struct message *m;   /* set when pr is MSG_OK */
	char *reason;        /* why not, when it is not */
	char digest[65];     /* as store_message_find_digest() wants it */
	char *own;           /* quote_strip() of the body; NULL when there is no body */
};

/* Thread-safe: reads only limits and the bytes. */
struct intake_prep *intake_prepare(const struct msg_limits *limits, const char *raw, size_t len);
void intake_prep_free(struct intake_prep *p);

struct intake_source {
	const char *mailbox;
	uint32_t uidvalidity;
	uint32_t uid;       /* 0 when not from IMAP (tests, replays) */
	time_t internaldate; /* 0 when unknown */
	const char *raw;    /* NULL when the server's copy was too big to fetch */
	size_t len;
	size_t size;        /* the server's RFC822.SIZE */
	const char *quarantine_reason; /* set: record as quarantined for this reason */
	const char *recover_ref; /* recovery (daemon/recover.c): the reference our own mail
				  * gave this message's case, for a case opened again */
	const struct intake_prep *prep; /* intake_prepare() of raw done ahead, or NULL */
};

/* Is src the Sent folder ([imap] sent_folder): mail the council sent, never answered? */
bool intake_from_sent_folder(const struct intake *in, const struct intake_source *src);

/*
 * Does the store already hold src (the same Message-ID and body digest, or a
 * quarantined copy with the same text; for the Sent folder, the same copy)?
 * What intake_message() would recognise, without writing anything: used by
 * recovery (daemon/recover.c) to find mail the store does not know.
 */
int intake_known(struct intake *in, const struct intake_source *src, bool *ret_known);

/*
 * Process one message.  Returns 0 with *ret set, or a negative errno when the
 * store failed (the caller rolls back; the message stays in INBOX and is
 * processed again later).
 */
int intake_message(struct intake *in, const struct intake_source *src, time_t now,
		   enum intake_disposition *ret);

#endif
