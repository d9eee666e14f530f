/*
 * provisions.h - the provisions of an Ombudsman's Complaint Handling Code,
 * read from data/provisions-SCHEME.conf, for `complaintsctl self-assessment`.
 *
 * The file is data shipped beside the rules and editable by the council, so
 * it is parsed as untrusted text: hard limits on its size, its lines and the
 * number of provisions; every problem is reported as "file:line: why" and the
 * whole file is refused when there is one.  Pure: text in, a struct out.
 *
 * Format: '#' comment lines and blank lines are ignored;
 *   code: TITLE                        the Code's name, once, before any provision
 *   source NAME: URL                   a source (https:// or http://), before its use
 *   section N: TITLE                   the title of the Code's section N (1-99),
 *                                      once, before that section's provisions
 *   SECTION [SOURCE] EVIDENCE: TEXT    a provision
 * SECTION is the Code's number ("6.2": section 1-99, paragraph 1-99), strictly
 * increasing through the file; EVIDENCE one of provision_evidence_names[].
 * The two Codes title their sections differently (LGSCO section 4 "Complaint
 * handling resources", the Housing Code's "Complaint handling staff"), so the
 * titles are the file's, not the software's.
 */
#ifndef COMPLAINTSD_PROVISIONS_H
#define COMPLAINTSD_PROVISIONS_H

#include <stddef.h>

#include "errlist.h"

#define PROVISIONS_MAX_BYTES (256u * 1024)
#define PROVISIONS_MAX_LINE 2000
#define PROVISIONS_MAX_ITEMS 400
#define PROVISIONS_MAX_SOURCES 64
#define PROVISIONS_MAX_NAME 32
#define PROVISIONS_MAX_SECTION 99

/* What the software can show for a provision (daemon/selfassess.c). */
enum provision_evidence {
	PROV_COUNCIL,          /* nothing: the council completes it */
	PROV_COMPLAINTS,       /* complaints received */
	PROV_SERVICE_REQUESTS, /* service requests received, recorded apart */
	PROV_EXCLUSIONS,       /* cases excluded, by reason */
	PROV_LATE_LIMIT,       /* [timescales] late_complaint_months against 12 */
	PROV_EXCLUSION_NOTICES, /* exclusion notices sent against cases excluded */
	PROV_SIGNPOSTING,      /* mails with the Ombudsman's details */
	PROV_STAGES,           /* the two stages configured */
	PROV_ACK1, PROV_RESP1, PROV_EXT1, /* stage 1 timeliness and extensions */
	PROV_ACK2, PROV_RESP2, PROV_EXT2, /* stage 2 */
	PROV_EXT_SIGNPOSTING,  /* extension notices (with the Ombudsman's details) */
	PROV_ESCALATIONS,      /* escalations to stage 2 */
	PROV_IMPROVEMENTS,     /* service improvements recorded */
	PROV_REPORT,           /* the annual report's figures */
	PROV_ROUTING,          /* a responsible team and the alerts address configured */
	PROV__N,
};
extern const char *const provision_evidence_names[PROV__N];

struct provision {
	char section[8];  /* "6.2" */
	int major, minor; /* 6, 2 */
	enum provision_evidence evidence;
	char *requirement;
	char *source_name;
	char *source_url;
	unsigned line; /* in the file */
};

struct provisions {
	char *code; /* the Code's title */
	char *titles[PROVISIONS_MAX_SECTION + 1]; /* titles[4]: section 4's title, or NULL */
	struct provision *v;
	size_t n;
};

/*
 * Parse text (len bytes) of the file named path (for messages).  0 and
 * *ret filled, or -EINVAL with every problem in errs (nothing in *ret).
 */
int provisions_parse(const char *text, size_t len, const char *path, struct provisions *ret,
                     struct errlist *errs);
void provisions_done(struct provisions *p);
/* The provision numbered section, or NULL. */
const struct provision *provisions_find(const struct provisions *p, const char *section);

#endif
