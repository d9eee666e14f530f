/*
 * outbox_mail.h - a mail to queue, as its caller describes it, and what
 * became of it: the outbox's data types (daemon/outbox.h), apart from its
 * functions so the reply limit (daemon/autoreply.h), which the outbox
 * consults, can read them without depending on the outbox.
 */
#ifndef COMPLAINTSD_OUTBOX_MAIL_H
#define COMPLAINTSD_OUTBOX_MAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compose.h"
#include "template.h"

struct case_row;

/* tmpl value for a relay of an officer's text with no template around it */
#define OUTBOX_NO_TEMPLATE _TEMPLATE_MAX

struct outbox_mail {
	const struct case_row *c; /* the case (for reference, names, dates), or NULL */
	enum template_id tmpl;
	const char *purpose;      /* stored purpose: "ack-stage1", "relay", ... */
	const char *key;          /* makes the Message-ID unique; NULL: the next sequence number */
	const char *to_addr;
	const char *to_name;
	const char *subject;      /* OUTBOX_NO_TEMPLATE: the subject (NULL: "[REF] " + the case's) */
	const char *body_prefix;  /* text placed before the template's body (a relayed reply) */
	const char *in_reply_to;  /* the message answered, or NULL for the case's first message */
	const char *const *references;
	size_t n_references;
	bool automatic;           /* Auto-Submitted: auto-replied; may be held (daemon/autoreply.h) */
	bool notification;        /* to officers (purpose "notify-..."): Auto-Submitted:
				   * auto-generated; never an automatic reply to a resident,
				   * never counted against or held by the limit */
	const struct compose_part *parts; /* attachments after the text (files, messages) */
	size_t n_parts;
	int64_t raw_row;          /* parts[0] is the raw source stored in this row of messages
				   * (0: none), so the outbox refers to it instead of copying it */
	bool thread_subject;      /* "[REF] " + the case's subject, so the person's mail client
				   * keeps the conversation together (the template's Subject
				   * line is used when the case has none) */
	struct template_vars vars; /* extra values; common ones are filled from the case */
	bool with_footer;         /* the body of template `footer` follows the template's body */
	enum template_id footer;
};

enum outbox_queued {
	OUTBOX_QUEUED,
	OUTBOX_DUPLICATE,  /* the same mail was queued before: nothing done */
	OUTBOX_SUPPRESSED, /* to an address never answered (no-reply...): recorded, not sent */
	OUTBOX_HELD,       /* over the daily limit for a sender not authenticated: recorded,
			    * waiting for an officer (complaintsctl outbox release) */
	OUTBOX_NO_ADDRESS, /* nobody to send it to */
};

#endif
