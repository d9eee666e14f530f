/*
 * template.h - the council's reply texts and their renderer.
 *
 * A template is a plain UTF-8 text file: a first line "Subject: ...", one
 * blank line, then the body.  {{name}} placeholders (spaces inside the braces
 * allowed) are replaced by values the caller supplies; the list below is
 * fixed, and a template using any other name is rejected when it is loaded,
 * with "FILE:LINE: unknown placeholder {{nmae}} (did you mean {{name}}?)".
 *
 * Guarantees: loading reports every problem (file, line, why) instead of the
 * first; every required template exists after a successful load; rendering
 * never leaves a hole (a placeholder whose value is NULL fails the render);
 * rendered subjects hold no control characters.  The renderer is pure: it
 * only reads the template files it is asked to load.
 *
 * Placeholders (dates are already-formatted British long dates, e.g.
 * "Monday 7 December 2026", see cal_date_format_long()):
 *   reference            the case reference, CMP-2026-000123
 *   council_name         the council's name
 *   complaints_address   the complaints mailbox address
 *   complaints_url       the council's complaints web page
 *   complainant_name     the complainant's name ("Sir or Madam" when unknown: never empty)
 *   representative_name  the councillor, MP or other representative (a name, never an address)
 *   subject              the subject of the person's original message
 *   received_date        the date the complaint counts as received
 *   ack_due              the date the acknowledgement is due
 *   response_due         the date the response is due (after an extension: the new date)
 *   escalation_by        the date by which to ask for stage 2
 *   deadline             a missed deadline
 *   days_left            working days left before a deadline
 *   stage                the stage, "1" or "2"
 *   reason               a reason (extension, exclusion, delivery failure)
 *   route                the other process that applies, with its contact
 *   errors               command lines that were not understood, one per line
 *   recipient            an address our mail could not be delivered to
 *   ombudsman_name       the Ombudsman for the case's scheme
 *   ombudsman_url        its web site
 *   ombudsman_phone      its telephone number
 *   officer              the responsible officer (name or address)
 *   addressee_name       how the recipient is addressed ("Ms Jane Resident",
 *                        "Cllr Morgan Lowe"; never an address, never empty)
 *   on_behalf_of         "" when the mail goes to the complainant; " on behalf
 *                        of Ms Jane Resident" when it goes to a representative
 *   team                 who the matter was passed to ("our waste team"), for residents
 *   kind                 the kind of case in words: complaint, service request,
 *                        member enquiry, other process
 *   scheme               the Ombudsman scheme in words
 *   area                 the service area ("housing repairs"), "none found"
 *   flags                the case's flags, comma-separated, or "none"
 *   consent              the representative's consent: unknown, received, not applicable
 *   classification       one line: why the case got its kind
 *   sender               who wrote the message notified ("Name <address>")
 *   text                 the sender's own text of that message (quotes removed)
 *   messages             how many messages are attached to an assignment notice
 *   digest_for           whose open cases a digest lists (a team's address, "the whole council")
 *   digest_date          the day of the digest
 *   digest_summary       "5 open cases, 2 overdue"
 *   digest_cases         the list of cases (the table, in the HTML part)
 *   digest_mail          the whole council's digest: mail held back and mail without a case
 */
#ifndef COMPLAINTSD_TEMPLATE_H
#define COMPLAINTSD_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "errlist.h"

enum template_var {
	TV_REFERENCE,
	TV_COUNCIL_NAME,
	TV_COMPLAINTS_ADDRESS,
	TV_COMPLAINTS_URL,
	TV_COMPLAINANT_NAME,
	TV_REPRESENTATIVE_NAME,
	TV_SUBJECT,
	TV_RECEIVED_DATE,
	TV_ACK_DUE,
	TV_RESPONSE_DUE,
	TV_ESCALATION_BY,
	TV_DEADLINE,
	TV_DAYS_LEFT,
	TV_STAGE,
	TV_REASON,
	TV_ROUTE,
	TV_ERRORS,
	TV_RECIPIENT,
	TV_OMBUDSMAN_NAME,
	TV_OMBUDSMAN_URL,
	TV_OMBUDSMAN_PHONE,
	TV_OFFICER,
	TV_ADDRESSEE_NAME,
	TV_ON_BEHALF_OF,
	TV_TEAM,
	TV_KIND,
	TV_SCHEME,
	TV_AREA,
	TV_FLAGS,
	TV_CONSENT,
	TV_CLASSIFICATION,
	TV_SENDER,
	TV_TEXT,
	TV_MESSAGES,
	TV_DIGEST_FOR,
	TV_DIGEST_DATE,
	TV_DIGEST_SUMMARY,
	TV_DIGEST_CASES,
	TV_DIGEST_MAIL,
	_TV_MAX,
};

/* The placeholder name of v ("reference"), or NULL when out of range. */
const char *template_var_name(enum template_var v);
/* The variable called name, or -ENOENT. */
int template_var_from_name(const char *name);

/* The values for one rendering: set the ones the template uses. Not owned. */
struct template_vars {
	const char *value[_TV_MAX];
};

/* The messages the daemon sends; each is templates/NAME.txt. */
enum template_id {
	TEMPLATE_ACK_STAGE1,
	TEMPLATE_ACK_STAGE2,
	TEMPLATE_RECEIPT_HOUSING,
	TEMPLATE_SERVICE_REQUEST,
	TEMPLATE_MEMBER_ENQUIRY,
	TEMPLATE_OTHER_PROCESS,
	TEMPLATE_EXCLUSION,
	TEMPLATE_EXTENSION,
	TEMPLATE_DEADLINE_MISSED,
	TEMPLATE_FOOTER_STAGE1,
	TEMPLATE_FOOTER_STAGE2,
	TEMPLATE_OFFICER_REMINDER,
	TEMPLATE_OFFICER_BREACH,
	TEMPLATE_COMMAND_ERROR,
	TEMPLATE_DELIVERY_FAILED,
	TEMPLATE_FOOTER_STAGE1_WINDOW,
	TEMPLATE_OFFICER_ACK_REMINDER,
	TEMPLATE_OFFICER_ACK_BREACH,
	TEMPLATE_ACK_MISSED,
	TEMPLATE_PROCEDURE_COMPLETE,
	TEMPLATE_CONSENT_REQUEST,
	TEMPLATE_OFFICER_NEW_CASE,
	TEMPLATE_OFFICER_NEW_MESSAGE,
	TEMPLATE_OFFICER_ESCALATION,
	TEMPLATE_OFFICER_ASSIGNED,
	TEMPLATE_RELAY_REFUSED,
	TEMPLATE_FOOTER_FOLLOWUP,
	TEMPLATE_DIGEST, /* about no case: its subject needs no reference */
	_TEMPLATE_MAX,
};

/* "ack-stage1" for TEMPLATE_ACK_STAGE1; NULL when out of range. */
const char *template_id_name(enum template_id id);
/* The id called name ("ack-stage1"), or -ENOENT. */
int template_id_from_name(const char *name);

/* A piece of a parsed template: text of the subject or body as it is, or a placeholder. */
struct template_seg {
	unsigned off, len; /* the text at off (var < 0) */
	int var;           /* an enum template_var, or -1 */
};

struct template
{
	char *name;    /* "ack-stage1" */
	char *file;    /* where it came from, for messages */
	char *subject; /* the Subject line's text, placeholders unexpanded */
	char *body;    /* LF line ends, ends with one LF */
	/*
	 * subject and body cut into pieces once, at parse time, so rendering
	 * copies each piece and looks nothing up: the subject's n_subject_segs
	 * first, then the body's.  NULL when not made (rendering scans then).
	 */
	struct template_seg *segs;
	size_t n_subject_segs, n_segs;
	/* bit v set: the template uses placeholder v (every bit when segs is NULL) */
	unsigned long long uses;
};

/* Every placeholder this template may use, by template_uses_mask(). */
unsigned long long template_uses_mask(const struct template *t);

/* Templates bigger than this are refused (they are letters, not books). */
#define TEMPLATE_MAX_SIZE (64 * 1024)

/*
 * Parse one template file's text.  file names it in error messages
 * ("FILE:LINE: ..."); the template's name is file's base name without
 * ".txt".  A known template (ack-stage1, ...) must also carry the
 * placeholders its purpose needs (the reference in the subject, the
 * Ombudsman's details where the Code requires them).  Returns 0, or -EINVAL
 * with every problem added to errs (which may be NULL).
 */
int template_parse(const char *text, size_t len, const char *file, struct template *ret,
                   struct errlist *errs);
void template_done(struct template *t);

/*
 * Render t with vars: the subject (one line, control characters replaced by
 * spaces) and the body (LF line ends).  Returns 0, or -EINVAL when t uses a
 * placeholder whose value is NULL (nothing is returned then: a sent mail
 * never has a hole).
 */
int template_render(const struct template *t, const struct template_vars *vars, char **ret_subject,
                    char **ret_body);

/* Does t use placeholder v anywhere? */
bool template_uses(const struct template *t, enum template_var v);

struct template_set;

/*
 * Load every required template from dirs (a NULL-terminated list; for each
 * template the last directory holding NAME.txt wins, so a council's own
 * directory listed after the shipped one overrides it file by file).  A
 * required template found in no directory, a .txt file that is not a known
 * template, and every parse error are added to errs.  Returns 0, or a
 * negative errno (-EINVAL for template errors) with *ret untouched.
 */
int template_load_dirs(const char *const *dirs, struct template_set **ret, struct errlist *errs);
/* template_load_dirs() with one directory. */
int template_load_dir(const char *dir, struct template_set **ret, struct errlist *errs);
const struct template *template_get(const struct template_set *set, enum template_id id);
void template_set_free(struct template_set *set);

static inline void
template_set_freep(struct template_set **p)
{
	template_set_free(*p);
}
#define _cleanup_template_set_ __attribute__((cleanup(template_set_freep)))

#endif
