/*
 * store_officers.h - what the officers' side reads and writes in the store
 * (daemon/store_officers.c): a case's service area, and every message of a
 * case as sent or received, for notifications.
 */
#ifndef COMPLAINTSD_STORE_OFFICERS_H
#define COMPLAINTSD_STORE_OFFICERS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct store;

/* The case's area as store_case_insert_area() wrote it, "" when none (malloc'ed). */
int store_case_get_area(struct store *s, int64_t case_id, char **ret);

/*
 * Every message of a case in the order it came or went: the raw source of
 * each inbound message recorded on it, and each mail we sent or queued to
 * the complainant (not notifications to officers, not suppressed mail).
 */
typedef int (*store_raw_cb)(const char *raw, size_t len, const char *direction, time_t at,
			    void *userdata);
int store_case_raw_messages(struct store *s, int64_t case_id, store_raw_cb cb, void *userdata);

#endif
