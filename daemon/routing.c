/*
 * routing.c - [routing]: area and route names to team addresses.  See routing.h.
 */
#include "config.h"

#include <string.h>

#include "conf.h"
#include "routing.h"
#include "rules.h"
#include "util.h"

static bool
address_ok(const char *a)
{
	const char *at = strchr(a, '@');

	return at != NULL && at != a && at[1] != '\0' && strchr(at + 1, '@') == NULL &&
	       strpbrk(a, " \t<>\"\r\n,;()[]\\") == NULL;
}

static bool
name_ok(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '_' || *s == '-' || *s == ':'))
			return false;
	return true;
}

static struct routing_entry *
entry_get(struct config *c, const char *name, unsigned line)
{
	for (size_t i = 0; i < c->n_routing; i++)
		if (streq(c->routing[i].name, name))
			return &c->routing[i];
	c->routing = xreallocarray(c->routing, c->n_routing + 1, sizeof(*c->routing));
	c->routing[c->n_routing] = (struct routing_entry){xstrdup(name), xstrdup(""), xstrdup(""),
							  xstrdup(""), xstrdup(""), line};
	return &c->routing[c->n_routing++];
}

void
routing_set(struct config *c, const char *key, const char *value, const char *path,
	    unsigned line, struct errlist *errs)
{
	const char *dot = strrchr(key, '.');
	_cleanup_free_ char *name = dot ? xstrndup(key, (size_t)(dot - key)) : xstrdup(key);
	const char *what = dot ? dot + 1 : "address";
	struct routing_entry *e;
	char **field;

	if (!name_ok(name)) {
		errlist_add(errs, "%s:%u: routing: \"%s\" is not an area or route name (letters, digits, _ - :)",
			    path, line, name);
		return;
	}
	if (!streq(what, "address") && !streq(what, "url") && !streq(what, "phone") &&
	    !streq(what, "name")) {
		errlist_add(errs, "%s:%u: routing: unknown key \"%s\" (use NAME, NAME.url, NAME.phone or NAME.name)",
			    path, line, key);
		return;
	}
	if (streq(what, "address") && !address_ok(value)) {
		errlist_add(errs, "%s:%u: routing.%s: \"%s\" is not an email address", path, line,
			    name, value);
		return;
	}
	if (streq(what, "url") && !startswith(value, "https://") && !startswith(value, "http://")) {
		errlist_add(errs, "%s:%u: routing.%s: \"%s\" is not a web address (http:// or https://)",
			    path, line, key, value);
		return;
	}
	if (strpbrk(value, "\r\n") != NULL) {
		errlist_add(errs, "%s:%u: routing.%s: control characters in the value", path, line,
			    key);
		return;
	}
	e = entry_get(c, name, line);
	field = streq(what, "address") ? &e->address
		: streq(what, "url")   ? &e->url
		: streq(what, "phone") ? &e->phone
				       : &e->label;
	if (!isempty(*field)) {
		errlist_add(errs, "%s:%u: routing.%s is set twice", path, line, key);
		return;
	}
	free(*field);
	*field = xstrdup(value);
	if (streq(what, "address"))
		ascii_strlower(*field);
}

void
routing_free(struct config *c)
{
	for (size_t i = 0; i < c->n_routing; i++) {
		free(c->routing[i].name);
		free(c->routing[i].address);
		free(c->routing[i].url);
		free(c->routing[i].phone);
		free(c->routing[i].label);
	}
	free(c->routing);
	c->routing = NULL;
	c->n_routing = 0;
}

const struct routing_entry *
routing_find(const struct config *c, const char *name)
{
	if (isempty(name))
		return NULL;
	for (size_t i = 0; i < c->n_routing; i++)
		if (streq(c->routing[i].name, name))
			return &c->routing[i];
	return NULL;
}

struct routing_target
routing_responsible(const struct config *c, const char *officer, const char *route,
		    const char *area)
{
	const struct routing_entry *e;

	if (!isempty(officer))
		return (struct routing_target){officer, "officer", false};
	if ((e = routing_find(c, route)) != NULL && !isempty(e->address))
		return (struct routing_target){e->address, "route", true};
	if ((e = routing_find(c, area)) != NULL && !isempty(e->address))
		return (struct routing_target){e->address, "area", true};
	if ((e = routing_find(c, "default")) != NULL && !isempty(e->address))
		return (struct routing_target){e->address, "default", true};
	return (struct routing_target){config_alerts_address(c), "alerts", false};
}

void
routing_check_names(const struct config *c, const struct rules *r, struct errlist *errs)
{
	size_t n_areas;
	const char *const *areas = rules_areas(r, &n_areas);

	for (size_t i = 0; i < c->n_routing; i++) {
		const char *name = c->routing[i].name;
		bool known = streq(name, "default") || rules_has_route(r, name);

		for (size_t k = 0; k < n_areas && !known; k++)
			known = streq(areas[k], name);
		if (!known)
			errlist_add(errs, "%s:%u: routing: \"%s\" is neither an area nor a route of the rules file",
				    c->path, c->routing[i].line, name);
	}
}
