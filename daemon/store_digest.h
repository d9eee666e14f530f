/*
 * store_digest.h - what the weekly digest reads and remembers in the store
 * (daemon/store_digest.c): the open cases with their service area, and the
 * digests already sent, so a restart or a second run sends none again.
 */
#ifndef COMPLAINTSD_STORE_DIGEST_H
#define COMPLAINTSD_STORE_DIGEST_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct store;

/* One open case; strings valid during the callback only. */
struct digest_case_row {
	const char *ref, *kind, *subject, *complainant_name, *complainant_email;
	int stage;
	const char *ack_due;
	time_t acknowledged_at;
	const char *response_due;
	const char *officer, *route, *area;
};
typedef int (*store_digest_case_cb)(const struct digest_case_row *c, void *userdata);
/* Every open case, oldest first. */
int store_digest_open_cases(struct store *s, store_digest_case_cb cb, void *userdata);

/* Was the scheduled digest of this due day (YYYY-MM-DD) made? */
int store_digest_run_done(struct store *s, const char *day, bool *ret);
/* Record the scheduled digest of day as made, with how many mails it queued. */
int store_digest_run_record(struct store *s, const char *day, time_t at, int64_t mails);
/* Record one digest mail (scheduled, or sent by hand with complaintsctl digest --send). */
int store_digest_mail_record(struct store *s, const char *day, const char *rcpt, bool scheduled,
			     int64_t cases, int64_t overdue, const char *message_id, time_t at);
/* How many digest mails were recorded for day (any recipient, scheduled or not). */
int store_digest_mail_count(struct store *s, const char *day, int64_t *ret);

#endif
