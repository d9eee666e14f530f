/*
 * complaintsctl - the administrator's tool: inspect cases, check the
 * configuration, and answer calendar questions.
 *
 *   complaintsctl [-c FILE] list [--stage 1|2] [--kind KIND] [--status STATUS]
 *                                [--officer ADDR] [--overdue] [--json]
 *   complaintsctl [-c FILE] show REF [--json|--text] | message REF N [--raw]
 *   complaintsctl [-c FILE] export REF --output FILE | casefile REF --output DIR
 *   complaintsctl [-c FILE] self-assessment --scheme lgsco|housing --from DATE --to DATE
 *   complaintsctl [-c FILE] unattached [--json] | file MSG REF | open MSG
 *   complaintsctl [-c FILE] backup [--force] FILE | backup --dir DIR [--keep N]
 *   complaintsctl [-c FILE] recover [--dry-run]
 *   complaintsctl [-c FILE] check-config | check-connection
 *   complaintsctl [-c FILE] oauth login|status
 *   complaintsctl [-c FILE] outbox [--state STATE] [--json] | outbox retry ID | outbox release ID
 *   complaintsctl [-c FILE] extend|outcome|reclassify|assign|note|close|scheme REF [ARGS]
 *   complaintsctl [-c FILE] calendar add DATE N
 *   complaintsctl [-c FILE] calendar received TIMESTAMP
 *   complaintsctl [-c FILE] holidays update [--url URL] [--ca-file FILE] [--output FILE]
 *
 * Exit codes: 0 success, 1 runtime failure, 2 usage or configuration error.
 */
#include "config.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "autoreply.h"
#include "buf.h"
#include "calendar.h"
#include "case.h"
#include "conf.h"
#include "holidays_json.h"
#include "http.h"
#include "context.h"
#include "ctl.h"
#include "json.h"
#include "kinds.h"
#include "message.h"
#include "oauth.h"
#include "report.h"
#include "rules.h"
#include "store.h"
#include "util.h"

#define EXIT_USAGE 2

static void
usage(FILE *f)
{
	fprintf(f,
		"Usage: complaintsctl [-c FILE] COMMAND [ARGS]\n"
		"\n"
		"Commands:\n"
		"  list [--stage 1|2] [--kind KIND] [--status STATUS] [--officer ADDR]\n"
		"       [--overdue] [--json]          list cases\n"
		"  show REF [--json|--text]           a case with its messages and events\n"
		"                                     (--text: what each message says)\n"
		"  message REF N [--raw]              message N of a case (as numbered by show);\n"
		"                                     --raw: the exact stored source\n"
		"  export REF --output FILE           the case as an mbox (FILE) and FILE.json\n"
		"  casefile REF --output DIR          the case file for the Ombudsman: index.html,\n"
		"                                     messages/NN.eml, attachments/ (DIR must be new)\n"
		"  unattached [--json]                mail recorded without a case\n"
		"  file MSG REF                       put unattached message MSG on case REF\n"
		"  open MSG                           open a new case from unattached message MSG\n"
		"  digest [--to ADDRESS] [--send] [--html]\n"
		"                                     the weekly digest of open cases as it would go\n"
		"                                     today (every team's, or one); --send: queue it now\n"
		"  check-config                       validate the configuration, rules and holidays\n"
		"  check-connection                   log in to IMAP and SMTP as complaintsd does, say\n"
		"                                     which configured folders exist; sends nothing\n"
		"  oauth login                        sign in (device code) for [oauth2] grant = refresh_token\n"
		"  oauth status                       which grant, and whether a token can be had now\n"
		"  outbox [--state queued|held|sent|failed|suppressed] [--json]\n"
		"                                     mail waiting, sent, failed or held back\n"
		"  outbox retry ID                    send a failed mail again\n"
		"  outbox release ID                  send a held mail (over the daily limit)\n"
		"  report --from DATE --to DATE [--scheme lgsco|housing]\n"
		"         [--format text|csv|json|html] [--output FILE]\n"
		"                                     the annual complaints performance report\n"
		"  self-assessment --scheme lgsco|housing --from DATE --to DATE\n"
		"         [--format text|csv|json|html] [--output FILE]\n"
		"                                     the annual self-assessment against the Code\n"
		"  extend REF DAYS REASON             extend the current stage (the complainant is told)\n"
		"  outcome REF OUTCOME                upheld, partly-upheld, not-upheld, resolved, withdrawn\n"
		"  reclassify REF complaint|service-request\n"
		"                                     change the kind (the person is told)\n"
		"  assign REF ADDRESS                 set the responsible officer\n"
		"  note REF TEXT                      add an internal note\n"
		"  close REF                          close the case\n"
		"  scheme REF lgsco|housing           which Ombudsman's scheme applies (nothing is sent)\n"
		"  purge --before DATE [--apply]      remove personal data from closed cases last\n"
		"                                     changed before DATE (without --apply: list them)\n"
		"  backup [--force] FILE              a checked copy of the database while the daemon runs\n"
		"  backup --dir DIR [--keep N]        the same into DIR, named by the time; keep the newest N\n"
		"  recover [--dry-run]                take up mail in the mailbox's folders that the\n"
		"                                     database lacks (after a restore); --dry-run: say what\n"
		"                                     would be done and change nothing\n"
		"  calendar add DATE N                the date N working days after DATE\n"
		"  calendar received TIMESTAMP        the effective date received (RFC 3339 time)\n"
		"  holidays update [--url URL] [--ca-file FILE] [--output FILE]\n"
		"                                     refresh the bank-holiday list (England and Wales)\n"
		"\n"
		"  -c, --config FILE  configuration file (default " SYSCONFDIR
		"/complaintsd/complaintsd.conf)\n");
}

static int
load(struct context *ctx, const char *config_path, bool with_store)
{
	_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
	_cleanup_free_ char *error = NULL;

	if (context_load(ctx, config_path, &errs) < 0) {
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.v[i]);
		return EXIT_USAGE;
	}
	if (with_store && context_open_store(ctx, &error) < 0) {
		fprintf(stderr, "complaintsctl: %s\n", error);
		return EXIT_FAILURE;
	}
	return 0;
}

static void
today_local(char buf[static 11])
{
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(buf, 11, "%Y-%m-%d", &tm);
}

struct list_state {
	bool json;
	struct json j;
	struct buf out;
	size_t n;
};

static int
list_one(const struct case_row *c, void *userdata)
{
	struct list_state *ls = userdata;

	ls->n++;
	if (ls->json) {
		json_object_begin(&ls->j, NULL);
		ctl_case_json_fields(&ls->j, c);
		json_object_end(&ls->j);
		return 0;
	}
	printf("%-16s %-15s %5d  %-9s %-10s  %-10s  %-10s  %-28.28s %s\n", c->ref, c->kind, c->stage,
	       c->status, c->received_date, *c->ack_due ? c->ack_due : "-",
	       *c->response_due ? c->response_due : "-",
	       *c->complainant_email ? c->complainant_email : c->rep_email, c->subject);
	return 0;
}

static int
cmd_list(struct context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{"stage", required_argument, NULL, 's'}, {"kind", required_argument, NULL, 'k'},
		{"status", required_argument, NULL, 't'}, {"officer", required_argument, NULL, 'o'},
		{"overdue", no_argument, NULL, 'd'},      {"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	struct case_filter f = {0};
	struct list_state ls = {0};
	char today[11];
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case 's':
			if (!streq(optarg, "1") && !streq(optarg, "2")) {
				fprintf(stderr, "complaintsctl list: --stage takes 1 or 2\n");
				return EXIT_USAGE;
			}
			f.stage = atoi(optarg);
			break;
		case 'k':
			if (case_kind_from_string(optarg) < 0) {
				fprintf(stderr, "complaintsctl list: unknown kind \"%s\" (complaint, service_request, member_enquiry, other_process)\n",
					optarg);
				return EXIT_USAGE;
			}
			f.kind = optarg;
			break;
		case 't':
			if (case_status_from_string(optarg) < 0) {
				fprintf(stderr, "complaintsctl list: unknown status \"%s\" (open, responded, closed, excluded)\n",
					optarg);
				return EXIT_USAGE;
			}
			f.status = optarg;
			break;
		case 'o':
			f.officer = optarg;
			break;
		case 'd':
			today_local(today);
			f.overdue_on = today;
			break;
		case 'j':
			ls.json = true;
			break;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "complaintsctl list: unexpected argument \"%s\"\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (ls.json) {
		json_init(&ls.j, &ls.out);
		json_array_begin(&ls.j, NULL);
	} else
		printf("%-16s %-15s %5s  %-9s %-10s  %-10s  %-10s  %-28s %s\n", "REF", "KIND", "STAGE",
		       "STATUS", "RECEIVED", "ACK DUE", "RESP DUE", "COMPLAINANT", "SUBJECT");
	r = store_case_list(ctx->store, &f, list_one, &ls);
	if (ls.json) {
		json_array_end(&ls.j);
		puts(buf_str(&ls.out));
		buf_free(&ls.out);
	}
	if (r < 0) {
		fprintf(stderr, "complaintsctl: %s\n", store_last_error(ctx->store));
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

/* Not errors: the patterns that work, only more slowly (PCRE2 instead of Vectorscan). */
static void
print_slow_patterns(const struct rules *rules)
{
	_cleanup_errlist_ struct errlist notes = ERRLIST_INIT;

	if (rules_slow_patterns(rules, &notes) == 0)
		return;
	for (size_t i = 0; i < notes.n; i++)
		printf("%s\n", notes.v[i]);
	printf("(%zu pattern%s take%s the slower PCRE2 path; they work as written)\n", notes.n,
	       notes.n == 1 ? "" : "s", notes.n == 1 ? "s" : "");
}

static int
cmd_check_config(const char *config_path)
{
	_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
	_cleanup_free_ char *auth = NULL, *oauth_line = NULL;
	struct context ctx;
	int r = context_load(&ctx, config_path, &errs);

	for (size_t i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.v[i]);
	if (ctx.rules != NULL)
		print_slow_patterns(ctx.rules);
	if (ctx.cfg != NULL) {
		_cleanup_errlist_ struct errlist notes = ERRLIST_INIT;
		size_t before = errs.n;

		ctl_check_provisions(ctx.cfg, &errs, &notes);
		for (size_t i = before; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.v[i]);
		for (size_t i = 0; i < notes.n; i++)
			printf("%s\n", notes.v[i]);
	}
	if (r == 0) {
		_cleanup_free_ char *secret = NULL;

		if (config_read_secret(ctx.cfg, ctx.cfg->imap_password_file, &secret, &errs) < 0)
			fprintf(stderr, "%s\n", errs.v[errs.n - 1]);
		else if (!isempty(ctx.cfg->smtp_password_file) &&
			 config_read_secret(ctx.cfg, ctx.cfg->smtp_password_file, &secret, &errs) < 0)
			fprintf(stderr, "%s\n", errs.v[errs.n - 1]);
		if (config_uses_oauth(ctx.cfg)) {
			size_t before = errs.n;
			struct oauth *o = NULL;

			/* every credential file: missing, unreadable, a key that cannot sign */
			if (oauth_new(ctx.cfg, &o, &errs) < 0)
				for (size_t i = before; i < errs.n; i++)
					fprintf(stderr, "%s\n", errs.v[i]);
			else
				oauth_line = xasprintf("OAuth 2.0 (%s, %s grant) for %s%s%s; complaintsctl oauth status asks %s for a token",
						       ctx.cfg->oauth_provider, ctx.cfg->oauth_grant,
						       streq(ctx.cfg->imap_auth, "oauth2") ? "IMAP" : "",
						       streq(ctx.cfg->imap_auth, "oauth2") && streq(ctx.cfg->smtp_auth, "oauth2") ? " and " : "",
						       streq(ctx.cfg->smtp_auth, "oauth2") ? "SMTP" : "",
						       ctx.cfg->oauth_token_url);
			oauth_unref(o);
		}
		if (config_auth_warning(ctx.cfg) != NULL)
			auth = xasprintf("warning: %s", config_auth_warning(ctx.cfg));
		else if (!isempty(ctx.cfg->trusted_authserv_id) || !isempty(ctx.cfg->exchange_tenant_id))
			auth = xasprintf("officers' mail counts only when %s%s%s%s vouches for it",
					 ctx.cfg->trusted_authserv_id,
					 !isempty(ctx.cfg->trusted_authserv_id) &&
						 !isempty(ctx.cfg->exchange_tenant_id)
					     ? " or "
					     : "",
					 isempty(ctx.cfg->exchange_tenant_id) ? "" : "Exchange Online for tenant ",
					 ctx.cfg->exchange_tenant_id);
	}
	context_done(&ctx);
	if (errs.n > 0) {
		fprintf(stderr, "%s: %zu problem%s found\n", config_path, errs.n, errs.n == 1 ? "" : "s");
		return EXIT_USAGE;
	}
	printf("%s: configuration, rules and holidays are valid\n", config_path);
	if (oauth_line != NULL)
		printf("%s\n", oauth_line);
	if (auth != NULL)
		printf("%s\n", auth);
	return EXIT_SUCCESS;
}

/* Parse an RFC 3339 timestamp ("2026-03-30T15:59:00Z", "...+01:00"). */
static int
parse_rfc3339(const char *s, time_t *ret)
{
	int y, mo, d, h, mi, sec, n = 0, oh = 0, om = 0;
	char sign;
	struct tm tm = {0};

	if (sscanf(s, "%4d-%2d-%2d%*1[Tt ]%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6)
		return -EINVAL;
	s += n;
	if (*s == '.')
		s += 1 + strspn(s + 1, "0123456789");
	if (*s == 'Z' || *s == 'z')
		s++;
	else if ((*s == '+' || *s == '-') && sscanf(s, "%c%2d:%2d%n", &sign, &oh, &om, &n) == 3) {
		s += n;
		if (sign == '-')
			oh = -oh, om = -om;
	} else
		return -EINVAL;
	if (*s != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -EINVAL;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*ret = timegm(&tm) - (oh * 3600 + om * 60);
	return 0;
}

static int
cmd_calendar(struct context *ctx, int argc, char **argv)
{
	struct cal_date d;
	char out[16];

	if (argc == 4 && streq(argv[1], "add")) {
		char *end;
		long n = strtol(argv[3], &end, 10);

		if (cal_date_parse(argv[2], &d) < 0) {
			fprintf(stderr, "complaintsctl calendar add: \"%s\" is not a date (YYYY-MM-DD)\n",
				argv[2]);
			return EXIT_USAGE;
		}
		if (*argv[3] == '\0' || *end != '\0' || n < -3650 || n > 3650) {
			fprintf(stderr, "complaintsctl calendar add: \"%s\" is not a number of working days\n",
				argv[3]);
			return EXIT_USAGE;
		}
		cal_date_format(calendar_add_working_days(ctx->cal, d, (int)n), out);
		puts(out);
		return EXIT_SUCCESS;
	}
	if (argc == 3 && streq(argv[1], "received")) {
		time_t t;

		if (parse_rfc3339(argv[2], &t) < 0) {
			fprintf(stderr, "complaintsctl calendar received: \"%s\" is not an RFC 3339 time (e.g. 2026-03-30T15:59:00Z)\n",
				argv[2]);
			return EXIT_USAGE;
		}
		if (calendar_received_date(ctx->cal, t, &d) < 0) {
			fprintf(stderr, "complaintsctl calendar received: cannot convert \"%s\"\n", argv[2]);
			return EXIT_FAILURE;
		}
		cal_date_format(d, out);
		puts(out);
		return EXIT_SUCCESS;
	}
	fprintf(stderr, "Usage: complaintsctl calendar add DATE N | calendar received TIMESTAMP\n");
	return EXIT_USAGE;
}

struct outbox_list {
	bool json;
	struct json j;
};

static int
outbox_one(const struct outbox_row *o, void *userdata)
{
	struct outbox_list *ol = userdata;
	char when[32];

	if (ol->json) {
		json_object_begin(&ol->j, NULL);
		json_int(&ol->j, "id", o->id);
		json_string(&ol->j, "purpose", o->purpose);
		json_string(&ol->j, "message_id", o->message_id);
		json_string(&ol->j, "rcpt", o->rcpt);
		json_string(&ol->j, "state", o->state);
		json_int(&ol->j, "attempts", o->attempts);
		json_time(&ol->j, "created_at", o->created_at);
		json_time(&ol->j, "next_attempt", streq(o->state, "queued") ? o->next_attempt : 0);
		json_time(&ol->j, "sent_at", o->sent_at);
		json_string_or_null(&ol->j, "last_error", o->last_error);
		json_object_end(&ol->j);
		return 0;
	}
	format_rfc3339(o->created_at, when, sizeof(when));
	printf("%6lld  %-10s %-18s %-32s %s  %s\n", (long long)o->id, o->state, o->purpose, o->rcpt,
	       when, o->last_error);
	return 0;
}

static int
cmd_outbox(struct context *ctx, int argc, char **argv)
{
	struct outbox_list ol = {0};
	_cleanup_buf_ struct buf out = BUF_INIT;
	const char *state = NULL;
	int r;

	if (argc == 3 && streq(argv[1], "release")) {
		char *end;
		long long id = strtoll(argv[2], &end, 10);
		const char *user = getenv("SUDO_USER") ? getenv("SUDO_USER") : getenv("USER");
		_cleanup_free_ char *actor = xasprintf("complaintsctl:%s", user ? user : "unknown");
		struct case_ctx cx = {.store = ctx->store, .cfg = ctx->cfg, .cal = ctx->cal,
				      .rules = ctx->rules, .templates = ctx->templates,
				      .now = time(NULL)};

		if (*argv[2] == '\0' || *end != '\0' || id <= 0) {
			fprintf(stderr, "complaintsctl outbox release: \"%s\" is not a mail id\n", argv[2]);
			return EXIT_USAGE;
		}
		r = autoreply_release(&cx, id, actor);
		if (r == -ENOENT) {
			fprintf(stderr, "complaintsctl outbox release: no held mail with id %lld\n", id);
			return EXIT_FAILURE;
		}
		if (r < 0) {
			fprintf(stderr, "complaintsctl: %s\n", store_last_error(ctx->store));
			return EXIT_FAILURE;
		}
		printf("Mail %lld released; the daemon sends it on its next round\n", id);
		return EXIT_SUCCESS;
	}
	if (argc == 3 && streq(argv[1], "retry")) {
		char *end;
		long long id = strtoll(argv[2], &end, 10);
		if (*argv[2] == '\0' || *end != '\0' || id <= 0) {
			fprintf(stderr, "complaintsctl outbox retry: \"%s\" is not a mail id\n", argv[2]);
			return EXIT_USAGE;
		}
		r = store_outbox_requeue(ctx->store, id, time(NULL));
		if (r == -ENOENT) {
			fprintf(stderr, "complaintsctl outbox retry: no failed mail with id %lld\n", id);
			return EXIT_FAILURE;
		}
		if (r < 0) {
			fprintf(stderr, "complaintsctl: %s\n", store_last_error(ctx->store));
			return EXIT_FAILURE;
		}
		printf("Mail %lld queued again; the daemon sends it on its next round\n", id);
		return EXIT_SUCCESS;
	}
	for (int i = 1; i < argc; i++) {
		if (streq(argv[i], "--json"))
			ol.json = true;
		else if (streq(argv[i], "--state") && i + 1 < argc) {
			state = argv[++i];
			if (!streq(state, "queued") && !streq(state, "sent") && !streq(state, "failed") &&
			    !streq(state, "suppressed") && !streq(state, "held")) {
				fprintf(stderr, "complaintsctl outbox: unknown state \"%s\" (queued, held, sent, failed, suppressed)\n",
					state);
				return EXIT_USAGE;
			}
		} else {
			fprintf(stderr, "complaintsctl outbox: unexpected argument \"%s\"\n", argv[i]);
			return EXIT_USAGE;
		}
	}
	if (ol.json) {
		json_init(&ol.j, &out);
		json_array_begin(&ol.j, NULL);
	} else
		printf("%6s  %-10s %-18s %-32s %-20s  %s\n", "ID", "STATE", "PURPOSE", "TO", "QUEUED",
		       "LAST ERROR");
	r = store_outbox_list(ctx->store, state, outbox_one, &ol);
	if (ol.json) {
		json_array_end(&ol.j);
		puts(buf_str(&out));
	}
	if (r < 0) {
		fprintf(stderr, "complaintsctl: %s\n", store_last_error(ctx->store));
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

/*
 * The officers' commands as verbs, for staff who prefer the terminal: each
 * becomes the same command line an officer would mail, and goes through the
 * same state machine; mail it causes is queued for the daemon to send.
 */
static int
cmd_officer(struct context *ctx, const char *verb, int argc, char **argv)
{
	_cleanup_case_row_ struct case_row *c = NULL;
	_cleanup_free_ char *line = NULL, *error = NULL, *actor = NULL;
	_cleanup_buf_ struct buf rest = BUF_INIT;
	const char *user = getenv("SUDO_USER") ? getenv("SUDO_USER") : getenv("USER");
	struct case_ctx cx;
	int r;

	if (argc < 2) {
		fprintf(stderr, "complaintsctl %s: which case?\n", verb);
		return EXIT_USAGE;
	}
	for (int i = 2; i < argc; i++)
		(void)buf_printf(&rest, "%s%s", i > 2 ? " " : "", argv[i]);
	if (streq(verb, "reclassify")) {
		if (argc != 3 || (!streq(argv[2], "complaint") && !streq(argv[2], "service-request"))) {
			fprintf(stderr, "complaintsctl reclassify: REF complaint|service-request\n");
			return EXIT_USAGE;
		}
		line = xasprintf("#%s", argv[2]);
	} else if (streq(verb, "close"))
		line = xstrdup("#close");
	else
		line = xasprintf("#%s %s", verb, buf_str(&rest));

	r = store_case_get_ref(ctx->store, argv[1], &c);
	if (r == -ENOENT) {
		fprintf(stderr, "complaintsctl %s: no case %s\n", verb, argv[1]);
		return EXIT_FAILURE;
	}
	if (r < 0) {
		fprintf(stderr, "complaintsctl: %s\n", store_last_error(ctx->store));
		return EXIT_FAILURE;
	}
	actor = xasprintf("complaintsctl:%s", isempty(user) ? "unknown" : user);
	cx = (struct case_ctx){.store = ctx->store, .cfg = ctx->cfg, .cal = ctx->cal,
			       .rules = ctx->rules, .templates = ctx->templates, .now = time(NULL)};
	r = store_begin(ctx->store);
	if (r == 0)
		r = case_officer_command(&cx, c, line, actor, &error);
	if (r == 0)
		r = store_commit(ctx->store);
	if (r < 0) {
		store_rollback(ctx->store);
		if (error != NULL) {
			fprintf(stderr, "complaintsctl %s: %s\n", verb, error);
			return EXIT_USAGE;
		}
		fprintf(stderr, "complaintsctl: %s\n", store_last_error(ctx->store));
		return EXIT_FAILURE;
	}
	printf("%s: %s done; status %s, stage %d%s%s\n", c->ref, verb, c->status, c->stage,
	       *c->response_due ? ", response due " : "", c->response_due);
	return EXIT_SUCCESS;
}

struct purge_run {
	size_t n;
	bool tty;               /* a progress line on stderr */
	struct timespec shown;  /* when it was last redrawn */
};

static int
purge_one(const struct case_row *c, void *userdata)
{
	struct purge_run *p = userdata;
	char when[32];

	format_rfc3339(c->updated_at, when, sizeof(when));
	printf("%-16s %-15s %-9s last changed %s\n", c->ref, c->kind, c->status, when);
	p->n++;
	return 0;
}

/* "anonymising: n of m cases (p%)" on a terminal, redrawn at most five times a second. */
static void
purge_progress(size_t done, size_t total, void *userdata)
{
	struct purge_run *p = userdata;
	struct timespec now;

	if (!p->tty)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (done < total && (now.tv_sec - p->shown.tv_sec) * 1000000000L +
				    (now.tv_nsec - p->shown.tv_nsec) < 200000000L)
		return;
	p->shown = now;
	fprintf(stderr, "\ranonymising: %zu of %zu cases (%zu%%)%s", done, total,
		total ? done * 100 / total : 100, done == total ? "\n" : "");
}

static int
cmd_purge(struct context *ctx, int argc, char **argv)
{
	const char *before = NULL;
	bool apply = false;
	struct cal_date d;
	struct tm tm = {0};
	struct purge_run run = {0, false, {0, 0}};
	int r;

	for (int i = 1; i < argc; i++) {
		if (streq(argv[i], "--apply"))
			apply = true;
		else if (streq(argv[i], "--before") && i + 1 < argc)
			before = argv[++i];
		else {
			fprintf(stderr, "complaintsctl purge: unexpected argument \"%s\"\n", argv[i]);
			return EXIT_USAGE;
		}
	}
	if (before == NULL || cal_date_parse(before, &d) < 0) {
		fprintf(stderr, "complaintsctl purge: --before YYYY-MM-DD is required\n");
		return EXIT_USAGE;
	}
	/* midnight at the start of that day, council time */
	tm.tm_year = d.year - 1900;
	tm.tm_mon = d.month - 1;
	tm.tm_mday = d.day;
	tm.tm_isdst = -1;
	run.tty = isatty(STDERR_FILENO);
	r = store_purge(ctx->store, mktime(&tm), apply, time(NULL), purge_one, purge_progress, &run);
	if (r < 0) {
		fprintf(stderr, "complaintsctl: %s\n", store_last_error(ctx->store));
		return EXIT_FAILURE;
	}
	if (apply)
		printf("%zu case%s anonymised\n", run.n, run.n == 1 ? "" : "s");
	else
		printf("%zu case%s would be anonymised; run again with --apply to do it\n", run.n,
		       run.n == 1 ? "" : "s");
	return EXIT_SUCCESS;
}

#define HOLIDAYS_URL "https://www.gov.uk/bank-holidays.json"
#define HOLIDAYS_DIVISION "england-and-wales"

static int
cmd_holidays(struct context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{"url", required_argument, NULL, 'u'},
		{"ca-file", required_argument, NULL, 'a'},
		{"output", required_argument, NULL, 'o'},
		{NULL, 0, NULL, 0},
	};
	const char *url = HOLIDAYS_URL, *ca = NULL, *output = ctx->cfg->holidays_file;
	_cleanup_free_ char *json = NULL, *error = NULL;
	_cleanup_(holiday_events_freep) struct holiday_events events = {0};
	_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
	_cleanup_buf_ struct buf out = BUF_INIT;
	struct calendar *check;
	size_t len = 0;
	int c, r;

	if (argc < 2 || !streq(argv[1], "update")) {
		fprintf(stderr, "Usage: complaintsctl holidays update [--url URL] [--ca-file FILE] [--output FILE]\n");
		return EXIT_USAGE;
	}
	optind = 2;
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		if (c == 'u')
			url = optarg;
		else if (c == 'a')
			ca = optarg;
		else if (c == 'o')
			output = optarg;
		else
			return EXIT_USAGE;
	}
	if (optind != argc) {
		fprintf(stderr, "complaintsctl holidays: unexpected argument \"%s\"\n", argv[optind]);
		return EXIT_USAGE;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	r = http_get(url, ca, 4u << 20, 60, &json, &len, &error);
	curl_global_cleanup();
	if (r < 0) {
		fprintf(stderr, "complaintsctl holidays update: %s; the holiday file was not changed\n", error);
		return EXIT_FAILURE;
	}
	r = holidays_json_parse(json, len, HOLIDAYS_DIVISION, &events, &error);
	if (r < 0) {
		fprintf(stderr, "complaintsctl holidays update: %s: %s; the holiday file was not changed\n",
			url, error);
		return EXIT_FAILURE;
	}
	r = holidays_write_file(&events, HOLIDAYS_DIVISION, &out);
	if (r < 0) {
		fprintf(stderr, "complaintsctl holidays update: %s: the list cannot be written (%s); the holiday file was not changed\n",
			url, strerror(-r));
		return EXIT_FAILURE;
	}
	/* never install a file the daemon would refuse */
	check = calendar_new();
	r = calendar_parse_holidays(check, buf_str(&out), out.len, output, &errs);
	calendar_free(check);
	if (r < 0) {
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.v[i]);
		return EXIT_FAILURE;
	}
	r = ctl_write_file(output, buf_str(&out), out.len, 0644);
	if (r < 0) {
		fprintf(stderr, "complaintsctl holidays update: cannot write %s: %s\n", output, strerror(-r));
		return EXIT_FAILURE;
	}
	printf("%s: %zu bank holidays (England and Wales) written\n", output, events.n);
	return EXIT_SUCCESS;
}

/* The verbs that read a case file or the mail without a case (daemon/ctl_*.c). */
static int (*case_verb(const char *cmd))(struct context *, int, char **)
{
	static const struct {
		const char *name;
		int (*fn)(struct context *, int, char **);
	} verbs[] = {
		{"show", ctl_show},	      {"message", ctl_message}, {"export", ctl_export},
		{"unattached", ctl_unattached}, {"file", ctl_file},	{"open", ctl_open},
		{"digest", ctl_digest},
		{"casefile", ctl_casefile},	{"self-assessment", ctl_selfassess},
		{"backup", ctl_backup},	      {"recover", ctl_recover},
	};

	for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
		if (streq(cmd, verbs[i].name))
			return verbs[i].fn;
	return NULL;
}

int
main(int argc, char **argv)
{
	const char *config_path = SYSCONFDIR "/complaintsd/complaintsd.conf";
	struct context ctx = {0};
	const char *cmd;
	int i = 1, r;

	while (i < argc && argv[i][0] == '-') {
		if ((streq(argv[i], "-c") || streq(argv[i], "--config")) && i + 1 < argc) {
			config_path = argv[i + 1];
			i += 2;
		} else if (startswith(argv[i], "--config=")) {
			config_path = argv[i] + strlen("--config=");
			i++;
		} else if (streq(argv[i], "-h") || streq(argv[i], "--help")) {
			usage(stdout);
			return EXIT_SUCCESS;
		} else if (streq(argv[i], "--version")) {
			puts(PACKAGE_STRING);
			return EXIT_SUCCESS;
		} else {
			fprintf(stderr, "complaintsctl: unknown option \"%s\"\n", argv[i]);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = argv[i];
	argc -= i;
	argv += i;

	if (streq(cmd, "check-config"))
		return cmd_check_config(config_path);
	if (streq(cmd, "check-connection")) {
		r = load(&ctx, config_path, false);
		if (r == 0)
			r = ctl_check_connection(&ctx, argc, argv);
	} else if (streq(cmd, "calendar")) {
		r = load(&ctx, config_path, false);
		if (r == 0)
			r = cmd_calendar(&ctx, argc, argv);
	} else if (streq(cmd, "oauth")) {
		r = load(&ctx, config_path, false);
		if (r == 0)
			r = ctl_oauth(&ctx, argc, argv);
	} else if (streq(cmd, "holidays")) {
		r = load(&ctx, config_path, false);
		if (r == 0)
			r = cmd_holidays(&ctx, argc, argv);
	} else if (streq(cmd, "extend") || streq(cmd, "outcome") || streq(cmd, "reclassify") ||
		   streq(cmd, "assign") || streq(cmd, "note") || streq(cmd, "close") ||
		   streq(cmd, "scheme")) {
		r = load(&ctx, config_path, true);
		if (r == 0)
			r = cmd_officer(&ctx, cmd, argc, argv);
	} else if (streq(cmd, "purge")) {
		r = load(&ctx, config_path, true);
		if (r == 0)
			r = cmd_purge(&ctx, argc, argv);
	} else if (streq(cmd, "outbox")) {
		r = load(&ctx, config_path, true);
		if (r == 0)
			r = cmd_outbox(&ctx, argc, argv);
	} else if (streq(cmd, "report")) {
		r = load(&ctx, config_path, true);
		if (r == 0)
			r = report_main(&ctx, argc, argv);
	} else if (streq(cmd, "list")) {
		r = load(&ctx, config_path, true);
		if (r == 0)
			r = cmd_list(&ctx, argc, argv);
	} else if (case_verb(cmd) != NULL) {
		r = load(&ctx, config_path, true);
		if (r == 0)
			r = case_verb(cmd)(&ctx, argc, argv);
	} else {
		fprintf(stderr, "complaintsctl: unknown command \"%s\"\n", cmd);
		usage(stderr);
		return EXIT_USAGE;
	}
	context_done(&ctx);
	return r;
}
