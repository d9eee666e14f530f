/*
 * ctl_casefile.c - `complaintsctl casefile REF --output DIR`: what an
 * Ombudsman investigator asks a council for.  DIR (which must not exist) gets
 *   index.html        the chronology (casefile_html.c)
 *   messages/NN.eml   every stored message, byte for byte as `message REF N
 *                     --raw` prints it, numbered as `show` numbers them
 *   attachments/      every attachment of every message, named by the
 *                     message's number and its own name made safe
 *                     (parsers/safename.h), with its SHA-256 in the chronology
 * Like `export`, everything holds personal data: directories are created
 * 0700 and files 0600, each written whole and renamed into place.  Nothing
 * is written outside DIR and nothing existing is overwritten: DIR is made
 * with mkdir(2), which fails when it exists.
 */
#include "config.h"

#include <errno.h>
#include <gnutls/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "casefile.h"
#include "conf.h"
#include "context.h"
#include "ctl.h"
#include "report_impl.h"
#include "safename.h"
#include "util.h"

#define CASEFILE_MAX_NAME 96 /* bytes of an attachment's file name */

struct walk {
	struct casefile *cf;
	const char *dir;
	size_t width;   /* digits of the message numbers */
	char **used;    /* attachment file names so far */
	size_t n_used;
	size_t n_written;
	int error;      /* -errno of the first write that failed */
	char *error_path;
};

static void
sha256_hex(const void *data, size_t len, char out[static 65])
{
	unsigned char md[32];

	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, data, len, md) < 0) {
		strcpy(out, "(unavailable)");
		return;
	}
	for (size_t i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static int
write_in(struct walk *w, const char *rel, const void *data, size_t len)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", w->dir, rel);
	int r = ctl_write_file(path, data, len, 0600);

	if (r < 0 && w->error == 0) {
		w->error = r;
		w->error_path = xstrdup(path);
	}
	if (r == 0)
		w->n_written++;
	return r;
}

static int
count_cb(const struct stored_message *row, void *userdata)
{
	(void)row;
	(*(size_t *)userdata)++;
	return 0;
}

static void
take_attachments(struct walk *w, struct cf_message *m, const struct stored_message *row)
{
	struct msg_limits lim = MSG_LIMITS_DEFAULT;
	struct message *parsed = NULL;

	lim.attachment_data = true;
	if (row->raw_len == 0 || message_parse(row->raw, row->raw_len, &lim, &parsed, NULL) != MSG_OK)
		return;
	m->att = xcalloc(parsed->n_attachments ? parsed->n_attachments : 1, sizeof(*m->att));
	for (size_t i = 0; i < parsed->n_attachments; i++) {
		const struct msg_attachment *a = &parsed->attachments[i];
		struct cf_attachment *x = &m->att[m->n_att];
		_cleanup_free_ char *safe = safename_make(a->filename, CASEFILE_MAX_NAME - 8);
		_cleanup_free_ char *want = xasprintf("%0*zu-%s", (int)w->width, m->n, safe);
		_cleanup_free_ char *rel = NULL;

		x->name = xstrdup(a->filename ? a->filename : "");
		x->type = xstrdup(a->content_type ? a->content_type : "application/octet-stream");
		x->size = a->size;
		x->file = safename_unique(want, w->used, w->n_used, CASEFILE_MAX_NAME);
		w->used = xreallocarray(w->used, w->n_used + 1, sizeof(*w->used));
		w->used[w->n_used++] = xstrdup(x->file);
		sha256_hex(a->data ? a->data : "", a->data ? a->size : 0, x->sha256);
		rel = xasprintf("attachments/%s", x->file);
		(void)write_in(w, rel, a->data ? a->data : "", a->data ? a->size : 0);
		m->n_att++;
	}
	message_free(parsed);
}

static int
message_cb(const struct stored_message *row, void *userdata)
{
	struct walk *w = userdata;
	struct casefile *cf = w->cf;
	struct cf_message *m;
	struct ctl_msg v;

	cf->msgs = xreallocarray(cf->msgs, cf->n_msgs + 1, sizeof(*cf->msgs));
	m = &cf->msgs[cf->n_msgs];
	*m = (struct cf_message){.n = cf->n_msgs + 1, .date = row->date,
	                         .out = streq(row->direction, "out")};
	cf->n_msgs++;
	ctl_msg_init(&v, row, cf->ctx->cfg);
	m->role = xstrdup(row->role);
	m->from = xstrdup(v.from);
	m->to = xstrdup(v.to ? v.to : "");
	m->subject = xstrdup(v.subject ? v.subject : "");
	m->text = xstrdup(v.text ? v.text : "");
	m->state = xstrdup(row->state);
	m->automatic = xstrdup(row->automatic ? row->automatic : "");
	ctl_msg_done(&v);
	if (row->raw_len > 0) {
		_cleanup_free_ char *rel = NULL;

		m->eml = xasprintf("%0*zu.eml", (int)w->width, m->n);
		rel = xasprintf("messages/%s", m->eml);
		sha256_hex(row->raw, row->raw_len, m->eml_sha256);
		(void)write_in(w, rel, row->raw, row->raw_len);
	}
	take_attachments(w, m, row);
	return 0;
}

static int
event_cb(const struct event_summary *e, void *userdata)
{
	struct casefile *cf = userdata;

	cf->events = xreallocarray(cf->events, cf->n_events + 1, sizeof(*cf->events));
	cf->events[cf->n_events++] = (struct cf_event){
	    .at = e->at,
	    .actor = xstrdup(e->actor ? e->actor : ""),
	    .type = xstrdup(e->type ? e->type : ""),
	    .detail = xstrdup(e->detail ? e->detail : ""),
	};
	return 0;
}

static void
casefile_free(struct casefile *cf)
{
	for (size_t i = 0; i < cf->n_msgs; i++) {
		struct cf_message *m = &cf->msgs[i];

		free(m->role);
		free(m->from);
		free(m->to);
		free(m->subject);
		free(m->text);
		free(m->state);
		free(m->automatic);
		free(m->eml);
		for (size_t k = 0; k < m->n_att; k++) {
			free(m->att[k].name);
			free(m->att[k].file);
			free(m->att[k].type);
		}
		free(m->att);
	}
	free(cf->msgs);
	for (size_t i = 0; i < cf->n_events; i++) {
		free(cf->events[i].actor);
		free(cf->events[i].type);
		free(cf->events[i].detail);
	}
	free(cf->events);
}

int
ctl_casefile(struct context *ctx, int argc, char **argv)
{
	_cleanup_case_row_ struct case_row *c = NULL;
	_cleanup_buf_ struct buf html = BUF_INIT;
	_cleanup_free_ char *sub = NULL;
	struct casefile cf = {.ctx = ctx};
	struct walk w = {.cf = &cf};
	const char *ref = NULL, *output = NULL;
	char today[CAL_DATE_STRLEN] = "";
	struct cal_date td;
	size_t total = 0, n_att = 0;
	int r;

	r = ctl_ref_output_args("casefile", "DIR   (DIR must not exist)", argc, argv, &ref, &output);
	if (r != 0)
		return r;
	if ((r = ctl_case_get(ctx, "casefile", ref, &c)) != 0)
		return r;
	if (mkdir(output, 0700) < 0) {
		fprintf(stderr, "complaintsctl casefile: cannot create %s: %s%s\n", output, strerror(errno),
		        errno == EEXIST ? " (choose a new directory; nothing was written)" : "");
		return EXIT_FAILURE;
	}
	sub = xasprintf("%s/messages", output);
	if (mkdir(sub, 0700) < 0) {
		fprintf(stderr, "complaintsctl casefile: cannot create %s: %s\n", sub, strerror(errno));
		return EXIT_FAILURE;
	}
	free(sub);
	sub = xasprintf("%s/attachments", output);
	if (mkdir(sub, 0700) < 0) {
		fprintf(stderr, "complaintsctl casefile: cannot create %s: %s\n", sub, strerror(errno));
		return EXIT_FAILURE;
	}

	w.dir = output;
	r = store_case_messages_full(ctx->store, c->id, count_cb, &total);
	w.width = 2;
	for (size_t t = total; t >= 100; t /= 10)
		w.width++;
	if (r == 0)
		r = store_case_messages_full(ctx->store, c->id, message_cb, &w);
	if (r == 0)
		r = store_case_events(ctx->store, c->id, event_cb, &cf);
	if (r < 0) {
		fprintf(stderr, "complaintsctl: %s; %s is incomplete\n", store_last_error(ctx->store), output);
		casefile_free(&cf);
		goto fail;
	}
	if (report_local_date(time(NULL), &td))
		(void)cal_date_format(td, today);
	cf.c = c;
	cf.generated = today;
	casefile_render_html(&cf, &html);
	(void)write_in(&w, "index.html", buf_str(&html), html.len);
	for (size_t i = 0; i < cf.n_msgs; i++)
		n_att += cf.msgs[i].n_att;
	casefile_free(&cf);
	if (w.error < 0) {
		fprintf(stderr, "complaintsctl casefile: cannot write %s: %s; %s is incomplete\n",
		        w.error_path, strerror(-w.error), output);
		goto fail;
	}
	printf("%s/index.html: the chronology of %s (%zu message%s, %zu attachment%s)\n", output, c->ref,
	       total, total == 1 ? "" : "s", n_att, n_att == 1 ? "" : "s");
	for (size_t i = 0; i < w.n_used; i++)
		free(w.used[i]);
	free(w.used);
	return EXIT_SUCCESS;
fail:
	for (size_t i = 0; i < w.n_used; i++)
		free(w.used[i]);
	free(w.used);
	free(w.error_path);
	return EXIT_FAILURE;
}
