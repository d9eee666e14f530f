/*
 * rules.h - classification and escalation rules.
 *
 * A rules file (data/rules.conf documents the format) is compiled once by
 * rules_load(); every problem in it is reported as "file:line: what is wrong"
 * and a file with any error is refused as a whole.  The compiled rules are
 * read-only afterwards and may be shared between threads.  Compiling the
 * patterns into their sets (rxset.h; one for a new case's classification, one
 * for a reply's) takes a second or more: rules_serialize() gives the compiled
 * sets as bytes that rules_load_string_cached() takes back
 * (daemon/rules_cache.c keeps them in a file).
 *
 * rules_classify() decides what a new message is (complaint, service request,
 * member enquiry or other process with its route), which flags it carries and
 * which Ombudsman scheme applies.  rules_wants_escalation() decides whether a
 * complainant's reply asks to take a complaint to stage 2, rules_wants_upgrade()
 * whether a reply asks for a service request to become a complaint.  All look only at
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

/*
 * Like rules_load_string(), taking the compiled patterns from cache (len
 * bytes from rules_serialize(), may be NULL) when they were made from the
 * same patterns by the same library; otherwise they are compiled.
 */
int rules_load_string_cached(const char *text, const char *name, const void *cache, size_t len,
                             struct rules **ret, struct errlist *errs);

/* Read a rules file (at most 4 MB) into *ret (malloc'ed); 0 or negative errno, said in errs. */
int rules_read_file(const char *path, char **ret, struct errlist *errs);

/* The compiled patterns came from the cache. */
bool rules_from_cache(const struct rules *r);

/* The compiled patterns as bytes for rules_load_string_cached(); 0 or negative errno. */
int rules_serialize(const struct rules *r, char **ret, size_t *ret_len);

/* The pattern library and its version (part of a cache's key). */
const char *rules_engine_version(void);

/*
 * The patterns matched by PCRE2 because Vectorscan cannot compile them, one
 * "file:line: ... (why)" note each appended to notes (may be NULL); returns
 * their number.
 */
size_t rules_slow_patterns(const struct rules *r, struct errlist *notes);

void rules_free(struct rules *r);

/*
 * Classify a new message from its subject (may be NULL) and the sender's own
 * text.  Fills *ret (free with classification_free()); returns 0, or -EINVAL
 * on NULL rules.
 */
int rules_classify(const struct rules *r, const char *subject, const char *own_text,
                   enum sender_role role, struct classification *ret);

void classification_free(struct classification *c);

/* A deep copy of c into *ret (free with classification_free()). */
void classification_copy(const struct classification *c, struct classification *ret);

/* True when c carries flag. */
bool classification_has_flag(const struct classification *c, const char *flag);

/* The service areas the rules name ("area NAME:"), in file order; *ret_n of them. */
const char *const *rules_areas(const struct rules *r, size_t *ret_n);

/* Does the rules file define a route (or statutory-route) called name? */
bool rules_has_route(const struct rules *r, const char *name);

/* A complainant's reply (own text) asks to take the complaint further. */
bool rules_wants_escalation(const struct rules *r, const char *own_text);

/*
 * A reply on a service request or member enquiry (own text) asks for it to be
 * handled as a complaint ("upgrade:" rules, unless "not-complaint" cancels
 * the clause).
 */
bool rules_wants_upgrade(const struct rules *r, const char *own_text);

#endif
