/*
 * case_address.c - greetings and "on behalf of" for mail about a case.
 * See case_address.h.
 */
#include "config.h"

#include <string.h>

#include "case.h"
#include "case_address.h"
#include "util.h"

const char *
case_address_usable_name(const char *name)
{
	if (isempty(name) || strchr(name, '@') != NULL)
		return NULL;
	return name;
}

/* A representative without a usable display name, by role. */
static const char *
rep_by_role(const char *role)
{
	if (streq_ptr(role, "councillor"))
		return "Councillor";
	if (streq_ptr(role, "mp"))
		return "Member of Parliament";
	return "Sir or Madam";
}

void
case_address_init(const struct case_ctx *cx, const struct case_row *c,
		  const struct message *answered, struct case_address *ret)
{
	const char *complainant = case_address_usable_name(c->complainant_name);
	_cleanup_free_ char *stored = NULL;
	const char *rep = NULL;

	*ret = (struct case_address){0};
	if (isempty(c->rep_email)) {
		ret->addressee = xstrdup(complainant ? complainant : "Sir or Madam");
		ret->rep_name = xstrdup("");
		ret->on_behalf_of = xstrdup("");
		return;
	}
	if (answered != NULL && ascii_strcaseeq(answered->from.email, c->rep_email))
		rep = case_address_usable_name(answered->from.name);
	if (rep == NULL && c->id > 0 &&
	    store_case_sender_name(cx->store, c->id, c->rep_email, &stored) == 0)
		rep = case_address_usable_name(stored);
	ret->addressee = xstrdup(rep ? rep : rep_by_role(c->rep_role));
	ret->rep_name = xstrdup(rep ? rep : rep_by_role(c->rep_role));
	ret->on_behalf_of = complainant ? xasprintf(" on behalf of %s", complainant)
			    : streq(c->rep_role, "councillor") || streq(c->rep_role, "mp")
				? xstrdup(" on behalf of your constituent")
				: xstrdup(" on behalf of the person you represent");
}

void
case_address_done(struct case_address *a)
{
	free(a->addressee);
	free(a->rep_name);
	free(a->on_behalf_of);
	*a = (struct case_address){0};
}
