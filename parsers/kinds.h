/*
 * kinds.h - the vocabulary shared by every module: case kinds, stages,
 * statuses, schemes and who wrote a message, with their stable string forms
 * (the strings are part of the JSON and database contract; never rename).
 */
#ifndef COMPLAINTSD_KINDS_H
#define COMPLAINTSD_KINDS_H

enum case_kind {
	KIND_COMPLAINT = 0,
	KIND_SERVICE_REQUEST,
	KIND_MEMBER_ENQUIRY,
	KIND_OTHER_PROCESS,
	_KIND_MAX,
};

enum case_status {
	STATUS_OPEN = 0,
	STATUS_RESPONDED,
	STATUS_CLOSED,
	STATUS_EXCLUDED,
	_STATUS_MAX,
};

enum case_scheme {
	SCHEME_LGSCO = 0,
	SCHEME_HOUSING,
	_SCHEME_MAX,
};

enum sender_role {
	ROLE_RESIDENT = 0,
	ROLE_OFFICER,
	ROLE_COUNCILLOR, /* councillors and MPs */
	ROLE_AUTOMATIC,
	ROLE_COUNCIL,    /* mail the daemon itself sent */
	_ROLE_MAX,
};

/* "complaint", "service_request", "member_enquiry", "other_process" */
const char *case_kind_to_string(enum case_kind k);
/* "open", "responded", "closed", "excluded" */
const char *case_status_to_string(enum case_status s);
/* "lgsco", "housing" */
const char *case_scheme_to_string(enum case_scheme s);
/* "resident", "officer", "councillor", "automatic", "council" */
const char *sender_role_to_string(enum sender_role r);

/* Return the enum value, or -1 when s is not one of the strings above. */
int case_kind_from_string(const char *s);
int case_status_from_string(const char *s);
int case_scheme_from_string(const char *s);
int sender_role_from_string(const char *s);

#endif
