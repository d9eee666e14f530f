/*
 * ctl_export.c - complaintsctl export: a case as a subject access request
 * needs it.  FILE is an mbox (mboxrd) of every message of the case, inbound
 * and outbound, in the order `show` lists them; FILE.json is the `show
 * --json` record with the events.  Both hold personal data, so both are
 * created readable by their owner only, written whole to a temporary file
 * and renamed into place.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "conf.h"
#include "context.h"
#include "ctl.h"
#include "mbox.h"
#include "util.h"

int
ctl_write_file(const char *path, const char *data, size_t len, mode_t mode)
{
	_cleanup_free_ char *tmp = xasprintf("%s.tmp.%d", path, (int)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	size_t off = 0;

	if (fd < 0)
		return -errno;
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);

		if (n < 0) {
			int r = -errno;

			close(fd);
			unlink(tmp);
			return r;
		}
		off += (size_t)n;
	}
	if (fsync(fd) < 0 || close(fd) < 0 || rename(tmp, path) < 0) {
		int r = -errno;

		unlink(tmp);
		return r;
	}
	return 0;
}

struct export {
	struct context *ctx;
	struct buf mbox;
	size_t n, skipped;
};

static int
export_one(const struct stored_message *row, void *userdata)
{
	struct export *e = userdata;
	struct ctl_msg v;
	int r;

	if (row->raw_len == 0) {
		/* a message too big to fetch was recorded without its source */
		e->skipped++;
		return 0;
	}
	ctl_msg_init(&v, row, e->ctx->cfg);
	r = mbox_append(&e->mbox, v.from, row->date, row->raw, row->raw_len);
	ctl_msg_done(&v);
	if (r < 0)
		return -ENOMEM;
	e->n++;
	return 0;
}

int
ctl_export(struct context *ctx, int argc, char **argv)
{
	_cleanup_case_row_ struct case_row *c = NULL;
	_cleanup_buf_ struct buf json_out = BUF_INIT;
	_cleanup_free_ char *json_path = NULL;
	struct export e = {.ctx = ctx, .mbox = BUF_INIT};
	const char *ref = NULL, *output = NULL;
	struct json j;
	int r;

	r = ctl_ref_output_args("export", "FILE   (writes FILE and FILE.json)", argc, argv, &ref, &output);
	if (r != 0)
		return r;
	if ((r = ctl_case_get(ctx, "export", ref, &c)) != 0)
		return r;
	r = store_case_messages_full(ctx->store, c->id, export_one, &e);
	if (r == 0) {
		json_init(&j, &json_out);
		r = ctl_case_json(ctx, c, &j);
	}
	if (r < 0) {
		fprintf(stderr, "complaintsctl: %s\n",
			r == -ENOMEM ? "the case is too big to export" : store_last_error(ctx->store));
		buf_free(&e.mbox);
		return EXIT_FAILURE;
	}
	(void)buf_putc(&json_out, '\n');
	json_path = xasprintf("%s.json", output);
	r = ctl_write_file(output, buf_str(&e.mbox), e.mbox.len, 0600);
	buf_free(&e.mbox);
	if (r < 0) {
		fprintf(stderr, "complaintsctl export: cannot write %s: %s\n", output, strerror(-r));
		return EXIT_FAILURE;
	}
	r = ctl_write_file(json_path, buf_str(&json_out), json_out.len, 0600);
	if (r < 0) {
		fprintf(stderr, "complaintsctl export: cannot write %s: %s\n", json_path, strerror(-r));
		return EXIT_FAILURE;
	}
	printf("%s: %zu message%s of %s written (mbox)", output, e.n, e.n == 1 ? "" : "s", c->ref);
	if (e.skipped)
		printf("; %zu recorded without their source (too big to fetch) left out", e.skipped);
	printf("\n%s: the case record with its events\n", json_path);
	return EXIT_SUCCESS;
}
