/*
 * ctl_case.c - complaintsctl's case file: show (with --text and --json),
 * message, and the mail recorded without a case (unattached, file, open).
 *
 * Messages are numbered as `show` lists them (by date, then direction),
 * and every verb that takes a number counts the same way, so "message REF
 * 3" is the third line of "show REF".  Nothing here changes a case except
 * file and open, which go through the store and the case module like the
 * daemon does.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "case.h"
#include "conf.h"
#include "context.h"
#include "ctl.h"
#include "forwarded.h"
#include "kinds.h"
#include "quote.h"
#include "util.h"

void
ctl_msg_init(struct ctl_msg *v, const struct stored_message *row, const struct config *cfg)
{
	static const struct msg_limits lim = MSG_LIMITS_DEFAULT;
	_cleanup_buf_ struct buf to = BUF_INIT;
	struct message *m = NULL;

	*v = (struct ctl_msg){.row = row};
	if (row->raw_len > 0 && message_parse(row->raw, row->raw_len, &lim, &m, NULL) == MSG_OK)
		v->parsed = m;
	if (row->outbox) {
		/* our own mail: the recipient is the outbox's, the subject the one sent */
		v->from = xstrdup(cfg->complaints_address);
		v->to = xstrdup(row->from);
		v->subject = xstrdup(m ? m->subject : row->subject);
	} else {
		v->from = xstrdup(row->from);
		for (size_t i = 0; m && i < m->n_to + m->n_cc; i++) {
			const struct msg_address *a = i < m->n_to ? &m->to[i] : &m->cc[i - m->n_to];

			if (!isempty(a->email))
				(void)buf_printf(&to, "%s%s", to.len ? ", " : "", a->email);
		}
		v->to = buf_steal(&to);
		v->subject = xstrdup(row->subject);
	}
	v->text = m ? m->body : row->body;
}

void
ctl_msg_done(struct ctl_msg *v)
{
	message_free(v->parsed);
	free(v->from);
	free(v->to);
	free(v->subject);
	*v = (struct ctl_msg){0};
}

void
ctl_case_json_fields(struct json *j, const struct case_row *c)
{
	json_string(j, "ref", c->ref);
	json_string(j, "kind", c->kind);
	json_int(j, "stage", c->stage);
	json_string(j, "status", c->status);
	json_string(j, "scheme", c->scheme);
	json_string_or_null(j, "route", c->route);
	json_string(j, "subject", c->subject);
	json_object_begin(j, "complainant");
	json_string(j, "name", c->complainant_name);
	json_string(j, "email", c->complainant_email);
	json_object_end(j);
	if (isempty(c->rep_email))
		json_null(j, "representative");
	else {
		json_object_begin(j, "representative");
		json_string(j, "email", c->rep_email);
		json_string(j, "role", c->rep_role);
		json_string(j, "consent", c->rep_consent);
		json_object_end(j);
	}
	json_string_or_null(j, "officer", c->officer);
	json_time(j, "received_at", c->received_at);
	json_string(j, "received_date", c->received_date);
	json_string_or_null(j, "ack_due", c->ack_due);
	json_time(j, "acknowledged_at", c->acknowledged_at);
	json_string_or_null(j, "response_due", c->response_due);
	json_time(j, "responded_at", c->responded_at);
	json_int(j, "extension_days", c->extension_days);
	json_string_or_null(j, "outcome", c->outcome);
	json_array_begin(j, "flags");
	for (const char *p = c->flags; *p;) {
		size_t n = strcspn(p, " ");
		_cleanup_free_ char *flag = xstrndup(p, n);

		if (n > 0)
			json_string(j, NULL, flag);
		p += n;
		p += strspn(p, " ");
	}
	json_array_end(j);
}

struct walk {
	struct context *ctx;
	struct json *j;
	size_t n;      /* messages seen so far */
	size_t want;   /* message: the one to print (1-based) */
	bool raw;
	bool text;     /* show --text */
	bool found;
	int64_t id;    /* unattached/open: the message's row */
};

static void
message_json(struct json *j, const struct ctl_msg *v)
{
	const struct stored_message *row = v->row;

	json_object_begin(j, NULL);
	json_string(j, "message_id", row->message_id);
	json_string(j, "direction", row->direction);
	json_string(j, "role", row->role);
	json_string(j, "from", v->from);
	json_string(j, "to", v->to);
	json_time(j, "date", row->date);
	json_string(j, "subject", v->subject);
	json_string_or_null(j, "purpose", row->outbox ? row->subject : NULL);
	json_string_or_null(j, "automatic", row->automatic);
	json_string(j, "state", row->state);
	json_string(j, "text", v->text);
	json_array_begin(j, "attachments");
	for (size_t i = 0; v->parsed && i < v->parsed->n_attachments; i++) {
		const struct msg_attachment *a = &v->parsed->attachments[i];

		json_object_begin(j, NULL);
		json_string(j, "name", a->filename);
		json_string(j, "type", a->content_type);
		json_int(j, "size", (int64_t)a->size);
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
}

static int
json_message_cb(const struct stored_message *row, void *userdata)
{
	struct walk *w = userdata;
	struct ctl_msg v;

	ctl_msg_init(&v, row, w->ctx->cfg);
	message_json(w->j, &v);
	ctl_msg_done(&v);
	return 0;
}

static int
json_event_cb(const struct event_summary *e, void *userdata)
{
	struct json *j = userdata;

	json_object_begin(j, NULL);
	json_time(j, "at", e->at);
	json_string(j, "type", e->type);
	json_string(j, "actor", e->actor);
	json_string(j, "detail", e->detail);
	json_object_end(j);
	return 0;
}

int
ctl_case_json(struct context *ctx, const struct case_row *c, struct json *j)
{
	struct walk w = {.ctx = ctx, .j = j};
	int r;

	json_object_begin(j, NULL);
	ctl_case_json_fields(j, c);
	json_array_begin(j, "messages");
	r = store_case_messages_full(ctx->store, c->id, json_message_cb, &w);
	json_array_end(j);
	json_array_begin(j, "events");
	if (r == 0)
		r = store_case_events(ctx->store, c->id, json_event_cb, j);
	json_array_end(j);
	json_object_end(j);
	return r;
}

int
ctl_case_get(struct context *ctx, const char *verb, const char *ref, struct case_row **ret)
{
	int r = store_case_get_ref(ctx->store, ref, ret);

	if (r == -ENOENT) {
		fprintf(stderr, "complaintsctl %s: no case %s\n", verb, ref);
		return EXIT_FAILURE;
	}
	if (r < 0) {
		fprintf(stderr, "complaintsctl: %s\n", store_last_error(ctx->store));
		return EXIT_FAILURE;
	}
	return 0;
}

int
ctl_ref_output_args(const char *verb, const char *usage, int argc, char **argv,
                    const char **ret_ref, const char **ret_output)
{
	const char *ref = NULL, *output = NULL;

	for (int i = 1; i < argc; i++) {
		if (streq(argv[i], "--output") && i + 1 < argc)
			output = argv[++i];
		else if (startswith(argv[i], "--output="))
			output = argv[i] + strlen("--output=");
		else if (ref == NULL && argv[i][0] != '-')
			ref = argv[i];
		else {
			fprintf(stderr, "complaintsctl %s: unexpected argument \"%s\"\n", verb, argv[i]);
			return CTL_EXIT_USAGE;
		}
	}
	if (ref == NULL || isempty(output)) {
		fprintf(stderr, "Usage: complaintsctl %s REF --output %s\n", verb, usage);
		return CTL_EXIT_USAGE;
	}
	*ret_ref = ref;
	*ret_output = output;
	return 0;
}

/* Lines of text from s (n bytes), each after prefix; trailing blank lines left out. */
static void
print_lines(const char *s, size_t n, const char *prefix)
{
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\r'))
		n--;
	for (size_t i = 0; i < n;) {
		size_t l = 0;

		while (i + l < n && s[i + l] != '\n')
			l++;
		printf("%s%.*s\n", prefix, (int)l, s + i);
		i += l + 1;
	}
}

static void
print_attachments(const struct ctl_msg *v, const char *indent)
{
	for (size_t i = 0; v->parsed && i < v->parsed->n_attachments; i++) {
		const struct msg_attachment *a = &v->parsed->attachments[i];

		printf("%sAttachment: %s (%s, %zu bytes)\n", indent,
		       isempty(a->filename) ? "(no name)" : a->filename, a->content_type, a->size);
	}
}

/* The sender's own words, then the quoted part marked with "> ". */
static void
print_marked_text(const char *text)
{
	size_t off = 0;
	_cleanup_free_ char *own = quote_strip_ex(text, &off);

	print_lines(own, strlen(own), "    | ");
	if (text[off] != '\0') {
		printf("    [quoted]\n");
		print_lines(text + off, strlen(text + off), "    > ");
	}
}

static int
show_message_cb(const struct stored_message *row, void *userdata)
{
	struct walk *w = userdata;
	struct ctl_msg v;
	char when[32];

	w->n++;
	ctl_msg_init(&v, row, w->ctx->cfg);
	format_rfc3339(row->date, when, sizeof(when));
	printf("%3zu %s %-3s %-10s %-32s %s", w->n, when, row->direction, row->role,
	       row->outbox ? v.to : v.from, v.subject);
	if (*row->automatic)
		printf("  [automatic: %s]", row->automatic);
	if (!streq(row->state, "processed") && !streq(row->state, "sent"))
		printf("  [%s]", row->state);
	putchar('\n');
	if (w->text) {
		printf("    From: %s\n    To:   %s\n", v.from, isempty(v.to) ? "-" : v.to);
		print_attachments(&v, "    ");
		print_marked_text(v.text);
		putchar('\n');
	}
	ctl_msg_done(&v);
	return 0;
}

static int
show_event_cb(const struct event_summary *e, void *userdata)
{
	char when[32];

	(void)userdata;
	format_rfc3339(e->at, when, sizeof(when));
	printf("  %s %-16s %s%s%s\n", when, e->type, e->detail, *e->actor ? "  by " : "", e->actor);
	return 0;
}

int
ctl_show(struct context *ctx, int argc, char **argv)
{
	_cleanup_case_row_ struct case_row *c = NULL;
	struct walk w = {.ctx = ctx};
	bool as_json = false;
	const char *ref = NULL;
	char when[32];
	int r;

	for (int i = 1; i < argc; i++) {
		if (streq(argv[i], "--json"))
			as_json = true;
		else if (streq(argv[i], "--text"))
			w.text = true;
		else if (ref == NULL && argv[i][0] != '-')
			ref = argv[i];
		else {
			fprintf(stderr, "complaintsctl show: unexpected argument \"%s\"\n", argv[i]);
			return CTL_EXIT_USAGE;
		}
	}
	if (ref == NULL || (as_json && w.text)) {
		fprintf(stderr, ref == NULL ? "complaintsctl show: which case? (e.g. show %s-2026-000001)\n"
					    : "complaintsctl show: --json already includes the text; use one of --json and --text\n",
			ctx->cfg->reference_prefix);
		return CTL_EXIT_USAGE;
	}
	if ((r = ctl_case_get(ctx, "show", ref, &c)) != 0)
		return r;
	if (as_json) {
		_cleanup_buf_ struct buf out = BUF_INIT;
		struct json j;

		json_init(&j, &out);
		r = ctl_case_json(ctx, c, &j);
		if (r == 0)
			puts(buf_str(&out));
	} else {
		format_rfc3339(c->received_at, when, sizeof(when));
		printf("Case %s: %s, stage %d, %s (%s scheme)\n", c->ref, c->kind, c->stage, c->status,
		       c->scheme);
		printf("Subject:       %s\n", c->subject);
		printf("Complainant:   %s <%s>\n", c->complainant_name, c->complainant_email);
		if (*c->rep_email)
			printf("Representative: %s (%s), consent %s\n", c->rep_email, c->rep_role,
			       c->rep_consent);
		printf("Received:      %s (effective date %s)\n", when, c->received_date);
		printf("Acknowledge by: %s\n", *c->ack_due ? c->ack_due : "-");
		printf("Respond by:    %s\n", *c->response_due ? c->response_due : "-");
		if (*c->flags)
			printf("Flags:         %s\n", c->flags);
		if (*c->route)
			printf("Route:         %s\n", c->route);
		printf("\nMessages:\n");
		r = store_case_messages_full(ctx->store, c->id, show_message_cb, &w);
		printf("\nEvents:\n");
		if (r == 0)
			r = store_case_events(ctx->store, c->id, show_event_cb, NULL);
	}
	if (r < 0) {
		fprintf(stderr, "complaintsctl: %s\n", store_last_error(ctx->store));
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

static int
one_message_cb(const struct stored_message *row, void *userdata)
{
	struct walk *w = userdata;
	struct ctl_msg v;
	char when[32];

	if (++w->n != w->want)
		return 0;
	w->found = true;
	if (w->raw) {
		/* the exact bytes as stored, nothing added */
		if (fwrite(row->raw, 1, row->raw_len, stdout) != row->raw_len)
			return -EIO;
		return 0;
	}
	ctl_msg_init(&v, row, w->ctx->cfg);
	format_rfc3339(row->date, when, sizeof(when));
	printf("Message %zu of %s (%s, %s)\n", w->n, row->direction, row->role, row->state);
	printf("Date:    %s\nFrom:    %s\nTo:      %s\nSubject: %s\n", when, v.from,
	       isempty(v.to) ? "-" : v.to, v.subject);
	if (!isempty(row->message_id))
		printf("Message-ID: <%s>\n", row->message_id);
	print_attachments(&v, "");
	putchar('\n');
	print_lines(v.text, strlen(v.text), "");
	ctl_msg_done(&v);
	return 0;
}

/* A positive number from s, or 0. */
static long long
parse_id(const char *s)
{
	char *end;
	long long n = strtoll(s, &end, 10);

	return *s != '\0' && *end == '\0' && n > 0 ? n : 0;
}

int
ctl_message(struct context *ctx, int argc, char **argv)
{
	_cleanup_case_row_ struct case_row *c = NULL;
	struct walk w = {.ctx = ctx};
	const char *args[2] = {NULL, NULL};
	int n_args = 0, r;

	for (int i = 1; i < argc; i++) {
		if (streq(argv[i], "--raw"))
			w.raw = true;
		else if (argv[i][0] != '-' && n_args < 2)
			args[n_args++] = argv[i];
		else {
			fprintf(stderr, "complaintsctl message: unexpected argument \"%s\"\n", argv[i]);
			return CTL_EXIT_USAGE;
		}
	}
	if (n_args != 2 || (w.want = (size_t)parse_id(args[1])) == 0) {
		fprintf(stderr, "Usage: complaintsctl message REF N [--raw]   (N as numbered by show)\n");
		return CTL_EXIT_USAGE;
	}
	if ((r = ctl_case_get(ctx, "message", args[0], &c)) != 0)
		return r;
	r = store_case_messages_full(ctx->store, c->id, one_message_cb, &w);
	if (r < 0) {
		fprintf(stderr, "complaintsctl: %s\n",
			r == -EIO ? "cannot write the message" : store_last_error(ctx->store));
		return EXIT_FAILURE;
	}
	if (!w.found) {
		fprintf(stderr, "complaintsctl message: case %s has %zu message%s, not %zu\n", c->ref,
			w.n, w.n == 1 ? "" : "s", w.want);
		return EXIT_FAILURE;
	}
	return fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

static int
unattached_cb(const struct stored_message *row, void *userdata)
{
	struct walk *w = userdata;
	struct ctl_msg v;
	char when[32];

	w->n++;
	ctl_msg_init(&v, row, w->ctx->cfg);
	if (w->j != NULL) {
		json_object_begin(w->j, NULL);
		json_int(w->j, "id", row->id);
		json_string(w->j, "message_id", row->message_id);
		json_string(w->j, "direction", row->direction);
		json_string(w->j, "role", row->role);
		json_string(w->j, "from", v.from);
		json_string(w->j, "to", v.to);
		json_time(w->j, "date", row->date);
		json_string(w->j, "subject", v.subject);
		json_string_or_null(w->j, "automatic", row->automatic);
		json_string(w->j, "state", row->state);
		json_string_or_null(w->j, "reason", row->reason);
		json_object_end(w->j);
	} else {
		bool q = streq(row->state, "quarantined");

		format_rfc3339(row->date, when, sizeof(when));
		printf("%6lld  %s %-3s %-10s %-32s %s%s%s%s\n", (long long)row->id, when,
		       row->direction, row->role, isempty(v.from) ? "-" : v.from, v.subject,
		       q ? "  [quarantined: " : "", q ? row->reason : "", q ? "]" : "");
	}
	ctl_msg_done(&v);
	return 0;
}

int
ctl_unattached(struct context *ctx, int argc, char **argv)
{
	_cleanup_buf_ struct buf out = BUF_INIT;
	struct json j;
	struct walk w = {.ctx = ctx};
	int r;

	for (int i = 1; i < argc; i++) {
		if (streq(argv[i], "--json") && w.j == NULL) {
			json_init(&j, &out);
			w.j = &j;
		} else {
			fprintf(stderr, "complaintsctl unattached: unexpected argument \"%s\"\n", argv[i]);
			return CTL_EXIT_USAGE;
		}
	}
	if (w.j != NULL)
		json_array_begin(w.j, NULL);
	else
		printf("%6s  %-20s %-3s %-10s %-32s %s\n", "ID", "DATE", "DIR", "ROLE", "FROM",
		       "SUBJECT");
	r = store_unattached(ctx->store, unattached_cb, &w);
	if (w.j != NULL) {
		json_array_end(w.j);
		puts(buf_str(&out));
	}
	if (r < 0) {
		fprintf(stderr, "complaintsctl: %s\n", store_last_error(ctx->store));
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

/* An unattached message, copied out of the store. */
struct loose {
	int64_t case_id;
	time_t date;
	char *from, *state, *reason;
	char *raw;
	size_t raw_len;
};

static int
loose_cb(const struct stored_message *row, void *userdata)
{
	struct loose *l = userdata;

	l->case_id = row->case_id;
	l->date = row->date;
	l->from = xstrdup(row->from);
	l->state = xstrdup(row->state);
	l->reason = xstrdup(row->reason);
	l->raw = xmalloc(row->raw_len + 1);
	memcpy(l->raw, row->raw, row->raw_len);
	l->raw[row->raw_len] = '\0';
	l->raw_len = row->raw_len;
	return 0;
}

static void
loose_done(struct loose *l)
{
	free(l->from);
	free(l->state);
	free(l->reason);
	free(l->raw);
}

/* Read message MSG that must not be on a case yet; an exit code when it cannot be used. */
static int
get_loose(struct context *ctx, const char *verb, const char *arg, int64_t *ret_id,
	  struct loose *ret)
{
	int64_t id = parse_id(arg);
	int r;

	if (id == 0) {
		fprintf(stderr, "complaintsctl %s: \"%s\" is not a message id (see complaintsctl unattached)\n",
			verb, arg);
		return CTL_EXIT_USAGE;
	}
	r = store_message_get(ctx->store, id, loose_cb, ret);
	if (r == -ENOENT) {
		fprintf(stderr, "complaintsctl %s: no message %lld\n", verb, (long long)id);
		return EXIT_FAILURE;
	}
	if (r < 0) {
		fprintf(stderr, "complaintsctl: %s\n", store_last_error(ctx->store));
		return EXIT_FAILURE;
	}
	if (ret->case_id != 0) {
		_cleanup_case_row_ struct case_row *c = NULL;

		(void)store_case_get(ctx->store, ret->case_id, &c);
		fprintf(stderr, "complaintsctl %s: message %lld is already on case %s\n", verb,
			(long long)id, c ? c->ref : "(unknown)");
		return EXIT_FAILURE;
	}
	*ret_id = id;
	return 0;
}

static char *
actor_name(void)
{
	const char *user = getenv("SUDO_USER") ? getenv("SUDO_USER") : getenv("USER");

	return xasprintf("complaintsctl:%s", isempty(user) ? "unknown" : user);
}

/* Finish a change made in a transaction: commit, or roll back and say why. */
static int
finish(struct context *ctx, int r)
{
	if (r == 0)
		r = store_commit(ctx->store);
	if (r < 0) {
		store_rollback(ctx->store);
		fprintf(stderr, "complaintsctl: %s\n", store_last_error(ctx->store));
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

int
ctl_file(struct context *ctx, int argc, char **argv)
{
	_cleanup_case_row_ struct case_row *c = NULL;
	_cleanup_free_ char *actor = actor_name();
	struct loose l = {0};
	struct case_ctx cx;
	int64_t id = 0;
	int r;

	if (argc != 3) {
		fprintf(stderr, "Usage: complaintsctl file MSG REF\n");
		return CTL_EXIT_USAGE;
	}
	if ((r = ctl_case_get(ctx, "file", argv[2], &c)) != 0)
		return r;
	if ((r = get_loose(ctx, "file", argv[1], &id, &l)) != 0) {
		loose_done(&l);
		return r;
	}
	cx = (struct case_ctx){.store = ctx->store, .cfg = ctx->cfg, .cal = ctx->cal,
			       .rules = ctx->rules, .templates = ctx->templates, .now = time(NULL)};
	r = store_begin(ctx->store);
	if (r == 0)
		r = store_message_attach(ctx->store, id, c->id);
	if (r == 0)
		r = case_event(&cx, c, actor, "message_filed", "message %lld from %s filed on the case",
			       (long long)id, isempty(l.from) ? "(no sender)" : l.from);
	loose_done(&l);
	r = finish(ctx, r);
	if (r == EXIT_SUCCESS)
		printf("Message %lld filed on %s\n", (long long)id, c->ref);
	return r;
}

int
ctl_open(struct context *ctx, int argc, char **argv)
{
	static const struct msg_limits lim = MSG_LIMITS_DEFAULT;
	_cleanup_case_row_ struct case_row *c = NULL;
	_cleanup_message_ struct message *m = NULL;
	_cleanup_free_ char *actor = actor_name(), *why = NULL;
	const struct config *cfg = ctx->cfg;
	enum sender_role role = ROLE_RESIDENT;
	struct loose l = {0};
	struct case_ctx cx;
	int64_t id = 0;
	int r;

	if (argc != 2) {
		fprintf(stderr, "Usage: complaintsctl open MSG\n");
		return CTL_EXIT_USAGE;
	}
	if ((r = get_loose(ctx, "open", argv[1], &id, &l)) != 0) {
		loose_done(&l);
		return r;
	}
	if (l.raw_len == 0 || message_parse(l.raw, l.raw_len, &lim, &m, &why) != MSG_OK) {
		fprintf(stderr, "complaintsctl open: message %lld cannot be read (%s); it cannot open a case\n",
			(long long)id, why ? why : !isempty(l.reason) ? l.reason : "not stored");
		loose_done(&l);
		return EXIT_FAILURE;
	}
	if (config_address_in(m->from.email, cfg->councillor_addresses, cfg->n_councillor_addresses,
			      cfg->councillor_domains, cfg->n_councillor_domains))
		role = ROLE_COUNCILLOR;
	else if (ascii_strcaseeq(m->from.email, cfg->complaints_address) ||
		 config_address_in(m->from.email, cfg->officer_addresses, cfg->n_officer_addresses,
				   cfg->officer_domains, cfg->n_officer_domains))
		role = ROLE_OFFICER;
	/* the raw source goes to the team attached to the new case's notification */
	cx = (struct case_ctx){.store = ctx->store, .cfg = cfg, .cal = ctx->cal, .rules = ctx->rules,
			       .templates = ctx->templates, .now = time(NULL), .received_at = l.date,
			       .raw = l.raw, .raw_len = l.raw_len};
	r = store_begin(ctx->store);
	if (r == 0 && role == ROLE_OFFICER) {
		/* an officer's mail: the case is the forwarded sender's */
		r = forwarded_open_any(&cx, m, l.date, &c);
		if (r == -ENOENT) {
			store_rollback(ctx->store);
			fprintf(stderr, "complaintsctl open: message %lld is from %s and forwards nobody else's mail, so it names no complainant; use complaintsctl file %lld REF to put it on a case\n",
				(long long)id, m->from.email, (long long)id);
			loose_done(&l);
			return EXIT_FAILURE;
		}
	} else if (r == 0)
		r = case_open(&cx, m, role, l.date, NULL, &c);
	loose_done(&l);
	if (r == 0)
		r = store_message_attach(ctx->store, id, c->id);
	if (r == 0)
		r = case_event(&cx, c, actor, "opened_by_hand", "opened from unattached message %lld",
			       (long long)id);
	r = finish(ctx, r);
	if (r == EXIT_SUCCESS)
		printf("Opened %s (%s) for %s from message %lld; its first reply is queued for the daemon to send\n",
		       c->ref, c->kind,
		       isempty(c->complainant_email) ? c->rep_email : c->complainant_email,
		       (long long)id);
	return r;
}
