/*
 * forward.h - inline forwarded-message blocks in a text body (pure code).
 *
 * Recognises the blocks mail clients write when a person forwards a message
 * inline: Gmail's and Thunderbird's "Forwarded message" rulers, Apple Mail's
 * "Begin forwarded message:", and (when the caller says the subject is a
 * forward) Outlook's "-----Original Message-----" or "From:/Sent:" blocks.
 */
#ifndef COMPLAINTSD_FORWARD_H
#define COMPLAINTSD_FORWARD_H

#include <stdbool.h>
#include <stddef.h>

#include "message.h"

/* Parse "Name <a@b>", "a@b", "Name [mailto:a@b]" or "\"Name\" <a@b>"; fields are new strings. */
void forward_parse_address(const char *s, struct msg_address *ret);
/* Lower-case the domain part of an addr-spec, in place. */
void forward_lower_domain(char *email);
/* Append every inline forwarded block of body to *fwds / *n. */
void forward_find_inline(const char *body, bool outlook_forward, struct msg_forward **fwds,
                         size_t *n);

#endif
