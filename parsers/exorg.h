/*
 * exorg.h - Exchange Online's organization headers: is this mail internal to
 * the council's Microsoft 365 tenant? (pure code, SPEC section 6)
 *
 * Mail an officer sends from Outlook to the shared mailbox never leaves
 * Exchange Online: no DKIM signature, DMARC "none", so Authentication-Results
 * cannot prove it.  Exchange stamps its own headers on it instead:
 *
 *   X-MS-Exchange-Organization-AuthAs: Internal
 *   X-MS-Exchange-Organization-AuthMechanism: 04
 *   X-MS-Exchange-Organization-AuthSource: <mailbox server>.prod.outlook.com
 *   X-MS-Exchange-CrossTenant-AuthAs: Internal
 *   X-MS-Exchange-CrossTenant-Id: <the tenant's GUID>
 *
 * and its header firewall removes X-MS-Exchange-Organization-* from mail
 * entering the organization from outside, which it stamps "AuthAs:
 * Anonymous" (with the receiving tenant's id: the id alone proves nothing).
 *
 * The mail counts as internal only when every one of those fields is there,
 * every copy of each says the same, AuthAs is Internal in both, the tenant
 * is the configured one, the auth source is an Exchange Online server, the
 * optional X-MS-Exchange-Organization-MessageDirectionality says Originating
 * and X-Forefront-Antispam-Report's DIR says INT, and every Received: hop was
 * Exchange Online's ("by ...outlook.com" or "by ...outlook.office365.com").  The last is the trust assumption
 * the daemon can check: mail reaches the mailbox only through Exchange
 * Online.  Anything else (another tenant, Anonymous, two different values,
 * a hop outside Exchange) proves nothing, and the summary says why.
 *
 * Hard limits: the header section is read up to EXORG_MAX_HEADER bytes;
 * a field value longer than EXORG_MAX_VALUE, more than EXORG_MAX_COPIES
 * copies of a field or more than EXORG_MAX_RECEIVED Received: fields prove
 * nothing.
 */
#ifndef COMPLAINTSD_EXORG_H
#define COMPLAINTSD_EXORG_H

#include <stdbool.h>
#include <stddef.h>

#define EXORG_MAX_HEADER (1024 * 1024) /* bytes of the header section scanned */
#define EXORG_MAX_VALUE 1024           /* bytes of one unfolded field value */
#define EXORG_MAX_COPIES 16            /* copies of one organization field */
#define EXORG_MAX_RECEIVED 64          /* Received: fields */

struct exorg_verdict {
	bool internal;     /* Exchange Online vouches: internal mail of the tenant */
	char summary[256]; /* "exchange: internal to tenant ..." or why not */
};

/* Evaluate the header section of raw (len bytes) for the tenant id (a GUID). */
void exorg_evaluate(const char *raw, size_t len, const char *tenant_id, struct exorg_verdict *ret);

/* Is s a GUID as Entra writes a tenant id (8-4-4-4-12 hexadecimal digits)? */
bool exorg_tenant_id_valid(const char *s);

#endif
