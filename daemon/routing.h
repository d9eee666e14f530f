/*
 * routing.h - [routing] in complaintsd.conf: which team hears of a case.
 *
 * Keys are the names of the rules file's service areas ("area waste:") and
 * routes ("route noise:"), each naming the team's address, plus "default";
 * NAME.url and NAME.phone give a route's public contact,
 * NAME.name how replies to residents name the team ("our Waste Services team"), quoted in the
 * other-process reply to the resident.  The responsible address of a case is,
 * in order: its assigned officer, the team of its route (other-process
 * matters) or area, [routing] default, then [people] alerts_address.
 */
#ifndef COMPLAINTSD_ROUTING_H
#define COMPLAINTSD_ROUTING_H

#include <stdbool.h>

#include "errlist.h"

struct config;
struct rules;

struct routing_entry {
	char *name;    /* area or route name, or "default" */
	char *address; /* the team's address, "" when only url/phone are set */
	char *url;     /* public contact for an other-process route, "" when none */
	char *phone;
	char *label;   /* NAME.name: how replies to residents name the team, "" for the default */
	unsigned line; /* where it was first set, for messages */
};

/* One "key = value" line of [routing]; errors name path and line. */
void routing_set(struct config *c, const char *key, const char *value, const char *path,
		 unsigned line, struct errlist *errs);
void routing_free(struct config *c);

/* The entry called name, or NULL. */
const struct routing_entry *routing_find(const struct config *c, const char *name);

/* Where a case's mail to officers goes, and whether a [routing] team was found. */
struct routing_target {
	const char *address;
	const char *source; /* "officer", "route", "area", "default", "alerts" */
	bool team;          /* true: a [routing] address (route, area or default) */
};
struct routing_target routing_responsible(const struct config *c, const char *officer,
					  const char *route, const char *area);

/* Keys of [routing] naming no area or route of the rules (check-config). */
void routing_check_names(const struct config *c, const struct rules *r, struct errlist *errs);

#endif
