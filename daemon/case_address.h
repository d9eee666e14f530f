/*
 * case_address.h - how mail about a case addresses the person it goes to.
 *
 * Mail about a case goes to the complainant, or to their representative (a
 * councillor or MP) when there is one.  The greeting uses the recipient's
 * display name, never an email address, and a representative is told whom
 * the case is about.
 */
#ifndef COMPLAINTSD_CASE_ADDRESS_H
#define COMPLAINTSD_CASE_ADDRESS_H

#include "message.h"
#include "store.h"

struct case_ctx;

struct case_address {
	char *addressee;    /* "Ms Jane Resident", "Cllr Morgan Lowe", "Councillor", "Sir or Madam" */
	char *rep_name;     /* the representative as named in mail; "" when there is none */
	char *on_behalf_of; /* "" or " on behalf of Ms Jane Resident" */
};

/*
 * Fill *ret for c.  answered (may be NULL) is the message being answered: its
 * From: display name is used when it is the representative's; otherwise the
 * name on the representative's latest mail on the case.  Free with
 * case_address_done().
 */
void case_address_init(const struct case_ctx *cx, const struct case_row *c,
		       const struct message *answered, struct case_address *ret);
void case_address_done(struct case_address *a);

/* name, unless it is empty or an email address (then NULL). */
const char *case_address_usable_name(const char *name);

#endif
