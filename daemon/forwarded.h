/*
 * forwarded.h - a case opened from mail an officer forwards to the
 * complaints address: a resident's mail that reached the officer directly,
 * with `#complaint` or `#service-request` on a line of its own.
 */
#ifndef COMPLAINTSD_FORWARDED_H
#define COMPLAINTSD_FORWARDED_H

#include <time.h>

#include "message.h"

struct case_ctx;
struct case_row;

/* How far back the forwarded message's own date may put the date received. */
#define FORWARDED_MAX_AGE (30 * 24 * 3600)

/*
 * If m (an officer's mail, received at received_at) forwards someone else's
 * message and says #complaint or #service-request on a line of its own,
 * open a case of that kind for the forwarded sender, received when the
 * forwarded message was sent (no earlier than FORWARDED_MAX_AGE before
 * received_at, never later).  -ENOENT when m is not such a forward.  With
 * any_forward set the command may be missing (complaintsctl open): the
 * rules then decide the kind.
 */
int forwarded_open(const struct case_ctx *cx, const struct message *m, time_t received_at,
		   struct case_row **ret);
int forwarded_open_any(const struct case_ctx *cx, const struct message *m, time_t received_at,
		       struct case_row **ret);

#endif
