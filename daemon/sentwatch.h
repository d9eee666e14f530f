/*
 * sentwatch.h - the Sent folder of the complaints mailbox ([imap]
 * sent_folder), watched read-only for responses officers send directly.
 *
 * IDLE watches INBOX only, so each round asks STATUS of the Sent folder and,
 * when it has mail past the stored position, EXAMINEs it (read-only: flags
 * never change, nothing is moved), runs the new messages through intake as
 * mail the council sent, records the folder's own UIDVALIDITY/last UID in
 * the same transaction, and selects INBOX again.
 */
#ifndef COMPLAINTSD_SENTWATCH_H
#define COMPLAINTSD_SENTWATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "imap.h"

struct intake;

struct sentwatch {
	bool missing_said; /* the folder's absence was logged (once until it appears) */
	size_t seen;       /* messages read from the folder since start */
};

/*
 * One check.  Returns IMAP_OK (also when the folder is off or missing), or
 * the IMAP result that stopped it; a store failure is IMAP_OK with
 * *ret_store_error set (the position is not advanced; the next round retries).
 */
enum imap_result sentwatch_check(struct intake *in, struct imap *im, struct sentwatch *sw,
				 int *ret_store_error);

#endif
