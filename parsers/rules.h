/*
 * rules.h - classification and escalation rules (the only user of pcre2).
 *
 * A rules file (data/rules.conf documents the format) is compiled once by
 * rules_load(); every problem in it is reported as "file:line: what is wrong"
 * and a file with any error is refused as a whole.  The compiled rules are
 * read-only afterwards and may be shared between threads.
 *
 * rules_classify() decides what a new message is (complaint, service request,
 * member enquiry or other process with its route), which flags it carries and
 * which Ombudsman scheme applies.  rules_wants_escalation() decides whether a
 * complainant's reply asks to take a complaint to stage 2.  Both look only at
 * the text they are given: pass the quote_strip()ed own text of the sender.
 * No I/O except reading the rules file in rules_load(), no clock, no globals.
 */
#ifndef COMPLAINTSD_RULES_H
#define COMPLAINTSD_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "errlist.h"
#include "kinds.h"

struct rules;

/* Flag strings produced by the shipped rules (stable: stored with the case). */
#define FLAG_LEGAL_PROCEEDINGS "possible_exclusion:legal_proceedings"
#define FLAG_STATUTORY_APPEAL "possible_exclusion:statutory_appeal"
#define FLAG_ALREADY_CONSIDERED "possible_exclusion:already_considered"
#define FLAG_LATE "late"
#define FLAG_ADJUSTMENTS "adjustments"
#define FLAG_CONSENT_NEEDED "consent_needed"
#define FLAG_SENIOR_OFFICER "senior_officer"
#define FLAG_HOUSING "housing"

struct classification {
	enum case_kind kind;
	char *route;    /* other_process: the route's name ("noise"); NULL otherwise */
	char *route_to; /* other_process: where it goes, in the council's words; NULL otherwise */
	char *area;     /* the service area ("waste") of the best-matching "area" rules, or NULL */
	char *reason;   /* one line: why this kind, for the officer's notification */
	char **flags;   /* FLAG_* strings, in the order the rules file defines them */
	size_t n_flags;
	enum case_scheme scheme;
};

/*
 * Compile the rules file at path.  Returns 0 and *ret, or a negative errno
 * (-ENOENT, -EACCES, ... when unreadable, -EINVAL when the file has errors)
 * with every problem appended to errs (which may be NULL) and *ret NULL.
 */
int rules_load(const char *path, struct rules **ret, struct errlist *errs);

/* Like rules_load(), from text; name is used in error messages. */
int rules_load_string(const char *text, const char *name, struct rules **ret, struct errlist *errs);

void rules_free(struct rules *r);

/*
 * Classify a new message from its subject (may be NULL) and the sender's own
 * text.  Fills *ret (free with classification_free()); returns 0, or -EINVAL
 * on NULL rules.
 */
int rules_classify(const struct rules *r, const char *subject, const char *own_text,
                   enum sender_role role, struct classification *ret);

void classification_free(struct classification *c);

/* True when c carries flag. */
bool classification_has_flag(const struct classification *c, const char *flag);

/* The service areas the rules name ("area NAME:"), in file order; *ret_n of them. */
const char *const *rules_areas(const struct rules *r, size_t *ret_n);

/* Does the rules file define a route (or statutory-route) called name? */
bool rules_has_route(const struct rules *r, const char *name);

/* A complainant's reply (own text) asks to take the complaint further. */
bool rules_wants_escalation(const struct rules *r, const char *own_text);

#endif
