/*
 * recover_impl.h - what the two halves of recovery share: recover.c reads
 * the folders and finds what the store does not know; recover_apply.c
 * takes it up again in order.
 */
#ifndef COMPLAINTSD_RECOVER_IMPL_H
#define COMPLAINTSD_RECOVER_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "recover.h"

enum recover_kind {
	RK_INBOUND,    /* the processed folder */
	RK_QUARANTINE, /* the quarantine folder */
	RK_OWN,        /* our own mail in the Sent folder */
	RK_SENT,       /* an officer's mail in the watched Sent folder (as sentwatch reads it) */
};

/* One message the store does not know. */
struct recover_item {
	enum recover_kind kind;
	const char *folder;
	uint32_t uidvalidity, uid;
	time_t date;     /* INTERNALDATE: when the server received (or we sent) it */
	char *raw;       /* NULL when too big to fetch */
	size_t len, size;
	char *message_id;   /* without <>, "" when none or unparseable */
	char *in_reply_to;  /* own mail: what it answers */
	char **references;  /* own mail */
	size_t n_references;
	char *ref;          /* own mail: the case reference in its Message-ID, or NULL */
	char *rcpt;         /* own mail: its first recipient */
	char *quarantine_reason; /* set when taking it up failed: recorded bare, quarantined */
};

struct recover_run {
	struct intake *in;
	const struct recover_opts *o;
	struct recover_report *rep;
	struct recover_item *items;
	size_t n_items;
};

/* Say a step: a journal line (unless a dry run) and the person's line. */
void recover_say(struct recover_run *rr, const char *case_ref, const char *mail_id,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Take up every item in order inside the caller's transaction: 0 or the store's error. */
int recover_apply(struct recover_run *rr);

/* The reference in a Message-ID of ours ("cmp-2026-000004.ack-stage1-1.1@..."), or NULL. */
char *recover_ref_of_message_id(const char *message_id, const char *prefix);
/* The purpose in a Message-ID of ours ("ack-stage1" above); malloc'ed. */
char *recover_purpose_of_message_id(const char *message_id);

#endif
