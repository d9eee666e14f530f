/*
 * autoreply.h - which automatic mail goes, is held back, or is never sent.
 *
 * The daily limit (max_auto_replies_per_day) is loop and backscatter
 * protection, so it applies only to mail that answers someone who may be a
 * machine or a forgery: a correspondent whose mail the council's server did
 * not authenticate.  The rule, for each mail queued:
 *   - relays of an officer's words, and mail to the council's side (officers,
 *     the alerts address, an assigned officer, officer-* purposes) always go
 *     and are never counted;
 *   - automatic mail to an address that must never be answered (no-reply,
 *     -request, -bounces, owner-, mailer-daemon, postmaster) is suppressed:
 *     recorded, never sent;
 *   - a correspondent whose mail is authenticated (the mail being processed,
 *     or earlier on the same case: daemon/sender_auth.h) gets every mail;
 *   - anyone else gets at most max_auto_replies_per_day automatic mails in 24
 *     hours, the first acknowledgement always; the rest are held: recorded
 *     on the case, logged, listed by complaintsctl outbox, and sent when an
 *     officer releases them.
 * A held acknowledgement does not acknowledge the case until it is released.
 */
#ifndef COMPLAINTSD_AUTOREPLY_H
#define COMPLAINTSD_AUTOREPLY_H

#include <stdint.h>

#include "outbox_mail.h"

struct case_ctx;

/* Decide for m: *ret is OUTBOX_QUEUED, OUTBOX_HELD or OUTBOX_SUPPRESSED (with *ret_reason). */
int autoreply_decide(const struct case_ctx *cx, const struct outbox_mail *m,
		     enum outbox_queued *ret, char **ret_reason);

/* Record a held or suppressed mail (outbox row id) on its case and in the journal. */
int autoreply_recorded(const struct case_ctx *cx, const struct outbox_mail *m,
		       enum outbox_queued what, int64_t id, const char *reason);

/*
 * An officer releases held mail id (actor names them): it is queued to go
 * on the daemon's next round, and a released acknowledgement acknowledges
 * its case from now.  Runs its own transaction.  -ENOENT: no held mail id.
 */
int autoreply_release(const struct case_ctx *cx, int64_t id, const char *actor);

#endif
