/*
 * authres.h - Authentication-Results header fields (RFC 8601), pure code.
 *
 * authres_parse() reads one field value into its authserv-id and method
 * results; authres_evaluate() walks the header section of a raw message top
 * down and says what the council's own receiving server (the trusted
 * authserv-id) found about the From domain.
 *
 * Only the topmost Authentication-Results fields of the trusted host count:
 * the first field carrying the trusted authserv-id and the fields with that
 * id directly below it (a server that writes one field per method).  Any
 * other header field ends that block, so a field the sender wrote further
 * down (below the Received: lines of the hops) never counts, whatever id it
 * claims.  Within the block, each method is decided by the topmost field
 * that reports it: a lower field can neither override nor add to it.  A
 * malformed field in the block proves nothing, and nothing below it counts.
 *
 * Hard limits (AUTHRES_MAX_*): longer fields, more results or more fields
 * than that are not an error for the message, only proof that is not taken.
 */
#ifndef COMPLAINTSD_AUTHRES_H
#define COMPLAINTSD_AUTHRES_H

#include <stdbool.h>
#include <stddef.h>

#define AUTHRES_MAX_FIELD 16384           /* bytes of one unfolded field value */
#define AUTHRES_MAX_RESULTS 32            /* method results in one field */
#define AUTHRES_MAX_PROPS 8               /* properties of one result */
#define AUTHRES_MAX_FIELDS 64             /* Authentication-Results fields looked at */
#define AUTHRES_MAX_HEADER (1024 * 1024)  /* bytes of the header section scanned */

struct authres_prop {
	char *name;  /* "ptype.property", lower-case: "header.d", "smtp.mailfrom" */
	char *value; /* as written, quotes removed */
};

struct authres_result {
	char *method; /* lower-case: "dmarc", "dkim", "spf", "auth", "arc"... */
	char *result; /* lower-case: "pass", "fail", "none", ... */
	struct authres_prop props[AUTHRES_MAX_PROPS];
	size_t n_props;
};

struct authres {
	char *authserv_id; /* lower-case; "" when not even that could be read */
	bool no_authserv_id; /* the field starts with a result (Exchange Online writes them so) */
	bool malformed;    /* results could not all be read: none are kept */
	struct authres_result *results;
	size_t n_results;
};

/* Parse one field value (len bytes).  Always fills *ret (free with authres_clear). */
void authres_parse(const char *value, size_t len, struct authres *ret);
void authres_clear(struct authres *a);
/* The value of a property ("header.d") of a result, or NULL. */
const char *authres_prop(const struct authres_result *r, const char *name);

/* What the trusted host found for the From domain. */
struct authres_verdict {
	bool found;      /* the trusted host's field is there */
	bool dmarc_pass; /* dmarc=pass (header.from, when given, is the From domain) */
	bool dkim_pass;  /* dkim=pass with header.d (or header.i) in the From domain exactly */
	bool spf_pass;   /* spf=pass with smtp.mailfrom in the From domain exactly */
	bool auth_pass;  /* auth=pass: submitted with SMTP AUTH to the trusted host */
	bool exchange_internal; /* internal mail of the configured Microsoft 365 tenant (exorg.h);
				   set by the caller, never by authres_evaluate() */
	char summary[256]; /* "mx.council.example: dmarc=fail dkim=none" or why nothing counted */
};

/*
 * The trusted_id that stands for "the field without an authserv-id": the
 * form Exchange Online (Microsoft 365) writes, "Authentication-Results:
 * spf=pass (sender IP is ...) smtp.mailfrom=...; dkim=pass ...".
 */
#define AUTHRES_NO_ID "exchange-online"

/*
 * Evaluate the header section of raw (len bytes, a whole message or just its
 * header) for from_domain against trusted_id.  An empty trusted_id finds
 * nothing.
 */
void authres_evaluate(const char *raw, size_t len, const char *trusted_id, const char *from_domain,
		      struct authres_verdict *ret);

/* Proof an officer's mail is theirs: DMARC, DKIM for their domain, SMTP AUTH, or Exchange's word. */
static inline bool
authres_officer_proven(const struct authres_verdict *v)
{
	return v->dmarc_pass || v->dkim_pass || v->auth_pass || v->exchange_internal;
}

/* The From address is authenticated: DMARC, DKIM, SPF for its domain, SMTP AUTH, or Exchange's word. */
static inline bool
authres_sender_authenticated(const struct authres_verdict *v)
{
	return v->dmarc_pass || v->dkim_pass || v->spf_pass || v->auth_pass || v->exchange_internal;
}

#endif
