/*
 * digest.h - the weekly digest of open cases (SPEC section 7).
 *
 * On [digest] weekday, from the start of working hours (or at the first run
 * after it that day), every team address of [routing] gets one mail listing
 * its open cases (parsers/digest_list.h says in which order), and the alerts
 * address gets the whole council's with the counts of held and unattached
 * mail.  Each is plain text and an HTML table (multipart/alternative) from
 * the template `digest`, queued in the outbox like all our mail but never
 * counted against or held by the automatic-reply limit: it is mail to the
 * council's own people.  The run is remembered in the store in the same
 * transaction as the mails it queues, so a restart or a second run that day
 * sends nothing again; a team with nothing open gets nothing.
 */
#ifndef COMPLAINTSD_DIGEST_DAEMON_H
#define COMPLAINTSD_DIGEST_DAEMON_H

#include <stdbool.h>
#include <stddef.h>

#include "calendar.h"

struct case_ctx;

/* One digest mail, ready to queue.  Strings malloc'ed. */
struct digest_mail {
	char *rcpt;
	char *for_words; /* whose cases: the team's address, or "the whole council" */
	char *subject;
	char *text;
	char *html;
	size_t cases, overdue;
	bool council; /* the whole council's, to the alerts address */
};

struct digest_set {
	char day[CAL_DATE_STRLEN]; /* the day of the digest, YYYY-MM-DD */
	struct digest_mail *v;
	size_t n;
};

/*
 * The digests of today (cx->now in the council's timezone): one per team
 * address with open cases, and the whole council's to the alerts address.
 * only_to: just the one for that address (-ENOENT when it is neither a
 * [routing] team nor the alerts address).  Nothing to send is an empty set.
 */
int digest_prepare(const struct case_ctx *cx, const char *only_to, struct digest_set *ret);
void digest_set_done(struct digest_set *set);

/*
 * Queue every mail of set (in the caller's transaction) and record it;
 * scheduled: the weekly run (recorded as that day's run), otherwise a send
 * by hand (complaintsctl digest --send), which a later run does not count.
 */
int digest_queue(const struct case_ctx *cx, const struct digest_set *set, bool scheduled);

/*
 * The daemon's weekly step, each round: when the digest is due and not
 * made yet, prepare and queue it in one transaction.  *ret_mails: how many
 * were queued (0 when not due).  Returns 0 or a store error.
 */
int digest_check(const struct case_ctx *cx, size_t *ret_mails);

#endif
