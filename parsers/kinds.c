/*
 * kinds.c - string forms of the shared enums.
 */
#include "config.h"

#include "kinds.h"
#include "util.h"

static const char *const kind_names[_KIND_MAX] = {
	[KIND_COMPLAINT] = "complaint",
	[KIND_SERVICE_REQUEST] = "service_request",
	[KIND_MEMBER_ENQUIRY] = "member_enquiry",
	[KIND_OTHER_PROCESS] = "other_process",
};

static const char *const status_names[_STATUS_MAX] = {
	[STATUS_OPEN] = "open",
	[STATUS_RESPONDED] = "responded",
	[STATUS_CLOSED] = "closed",
	[STATUS_EXCLUDED] = "excluded",
};

static const char *const scheme_names[_SCHEME_MAX] = {
	[SCHEME_LGSCO] = "lgsco",
	[SCHEME_HOUSING] = "housing",
};

static const char *const role_names[_ROLE_MAX] = {
	[ROLE_RESIDENT] = "resident",
	[ROLE_OFFICER] = "officer",
	[ROLE_COUNCILLOR] = "councillor",
	[ROLE_AUTOMATIC] = "automatic",
	[ROLE_COUNCIL] = "council",
};

static const char *
name_of(const char *const *names, int n, int v)
{
	return (v >= 0 && v < n && names[v] != NULL) ? names[v] : "unknown";
}

static int
value_of(const char *const *names, int n, const char *s)
{
	for (int i = 0; s != NULL && i < n; i++)
		if (names[i] != NULL && streq(names[i], s))
			return i;
	return -1;
}

const char *
case_kind_to_string(enum case_kind k)
{
	return name_of(kind_names, _KIND_MAX, (int)k);
}

const char *
case_status_to_string(enum case_status s)
{
	return name_of(status_names, _STATUS_MAX, (int)s);
}

const char *
case_scheme_to_string(enum case_scheme s)
{
	return name_of(scheme_names, _SCHEME_MAX, (int)s);
}

const char *
sender_role_to_string(enum sender_role r)
{
	return name_of(role_names, _ROLE_MAX, (int)r);
}

int
case_kind_from_string(const char *s)
{
	return value_of(kind_names, _KIND_MAX, s);
}

int
case_status_from_string(const char *s)
{
	return value_of(status_names, _STATUS_MAX, s);
}

int
case_scheme_from_string(const char *s)
{
	return value_of(scheme_names, _SCHEME_MAX, s);
}

int
sender_role_from_string(const char *s)
{
	return value_of(role_names, _ROLE_MAX, s);
}
