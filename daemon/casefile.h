/*
 * casefile.h - what the two halves of `complaintsctl casefile` share:
 * ctl_casefile.c gathers the case and writes the files (messages/NN.eml,
 * attachments/), casefile_html.c writes the chronology (index.html).
 */
#ifndef COMPLAINTSD_CASEFILE_H
#define COMPLAINTSD_CASEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "store.h"

struct context;

struct cf_attachment {
	char *name;     /* as the mail names it ("" when it has none) */
	char *file;     /* attachments/FILE, made safe and unique */
	char *type;
	size_t size;
	char sha256[65];
};

struct cf_message {
	size_t n;          /* as show numbers it */
	time_t date;
	bool out;
	char *role, *from, *to, *subject, *text, *state, *automatic;
	char *eml;         /* messages/FILE, or NULL when the source was not kept */
	char eml_sha256[65];
	struct cf_attachment *att;
	size_t n_att;
};

struct cf_event {
	time_t at;
	char *actor, *type, *detail;
};

struct casefile {
	struct context *ctx;
	const struct case_row *c;
	struct cf_message *msgs;
	size_t n_msgs;
	struct cf_event *events;
	size_t n_events;
	const char *generated; /* YYYY-MM-DD */
};

/* index.html of the case file. */
void casefile_render_html(const struct casefile *cf, struct buf *out);

#endif
