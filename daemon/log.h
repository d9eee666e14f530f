/*
 * log.h - structured logging to journald, or to stderr when not under it.
 *
 * Every entry carries MESSAGE and PRIORITY and, where they apply, CASE_REF,
 * EVENT, STAGE, MAIL_MESSAGE_ID and IMAP_UID; key events carry a catalogued
 * MESSAGE_ID (see systemd/complaintsd.catalog).  Whether to use the journal is
 * decided once at log_open(): sd_journal_send() reports success even when
 * journald is absent, so its return value cannot drive a fallback.  On stderr
 * lines start with a "<N>" priority prefix, which journald also understands.
 * Callers never pass secrets.
 */
#ifndef COMPLAINTSD_LOG_H
#define COMPLAINTSD_LOG_H

#include <stdint.h>
#include <syslog.h>

/* Catalogued MESSAGE_IDs (systemd/complaintsd.catalog). */
#define MSGID_CASE_OPENED "89770e9163ac47029e8195a253e571c0"
#define MSGID_ACKNOWLEDGED "68e90acda9674ce98fffc176d1dda788"
#define MSGID_ESCALATED "a61f558715ee471ba66e9c829bb838e4"
#define MSGID_RESPONSE_SENT "eaec26c5df66415c882441b3364000cc"
#define MSGID_DEADLINE_BREACHED "31076cb660da4b8789079045e66833f0"
#define MSGID_DELIVERY_FAILED "1286d1b28ab741b88dc64e9c97390507"
#define MSGID_QUARANTINED "5b130e10f9fe4e958f1fbc8afc49d0a3"
#define MSGID_SPOOF_SUSPECTED "a14eef5ddfc94613a2579ff518fe913f"
#define MSGID_REPLY_HELD "0d6b1f7e3c2a4e59a8f4b6c1d2e3f405"
#define MSGID_AUTH_OFF "7c3e9a1b5d2f4c8e9b0a6d4f2e1c3b57"

struct log_fields {
	const char *catalog_id;      /* MESSAGE_ID, or NULL */
	const char *case_ref;        /* CASE_REF */
	const char *event;           /* EVENT */
	int stage;                   /* STAGE (0: none) */
	const char *mail_message_id; /* MAIL_MESSAGE_ID */
	uint32_t imap_uid;           /* IMAP_UID (0: none) */
	const char *mail_from;       /* MAIL_FROM: the sender of a security event */
	const char *auth_results;    /* AUTH_RESULTS: what the trusted mail server found */
};

enum log_target { LOG_TARGET_AUTO, LOG_TARGET_JOURNAL, LOG_TARGET_STDERR };

void log_open(const char *identifier, enum log_target target);
void log_set_level(int level);
int log_get_level(void);

void log_fields(int priority, const struct log_fields *f, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_debug(...) log_fields(LOG_DEBUG, NULL, __VA_ARGS__)
#define log_info(...) log_fields(LOG_INFO, NULL, __VA_ARGS__)
#define log_notice(...) log_fields(LOG_NOTICE, NULL, __VA_ARGS__)
#define log_warning(...) log_fields(LOG_WARNING, NULL, __VA_ARGS__)
#define log_error(...) log_fields(LOG_ERR, NULL, __VA_ARGS__)

#endif
