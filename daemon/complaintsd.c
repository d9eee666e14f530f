/*
 * complaintsd - run a council's complaints mailbox by the Complaint Handling Code.
 *
 *   complaintsd -c FILE [--once]
 *
 * With --once: process everything pending and exit 0, or non-zero with a
 * clear message.  Without: run until SIGTERM, waiting for mail with IDLE
 * (polling where the server has no IDLE).  Signals arrive through a
 * signalfd that also wakes the IMAP wait, so no logic runs in a handler.
 */
#include "config.h"

#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/signalfd.h>
#include <time.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "case.h"
#include "conf.h"
#include "connect.h"
#include "context.h"
#include "imap.h"
#include "intake.h"
#include "digest.h"
#include "log.h"
#include "outbox.h"
#include "recover.h"
#include "rules.h"
#include "sentcopy.h"
#include "sentwatch.h"
#include "smtp.h"
#include "store.h"
#include "store_autoreply.h"
#include "sync.h"
#include "util.h"

#define EXIT_USAGE 2

static void
usage(FILE *f)
{
	fprintf(f, "Usage: complaintsd -c FILE [--once]\n"
		   "\n"
		   "  -c, --config FILE  configuration file (default " SYSCONFDIR
		   "/complaintsd/complaintsd.conf)\n"
		   "      --once         process everything pending, then exit\n"
		   "  -h, --help         show this help\n"
		   "      --version      show the version\n");
}

struct daemon {
	struct context ctx;
	struct intake intake;
	struct imap *imap;
	struct smtp *smtp; /* NULL when no [smtp] url is configured */
	int sigfd;
	bool once;
	bool stopping;
	struct sync_stats stats;
	struct sentwatch sent; /* [imap] sent_folder */
	struct outbox_stats mail;
	const char *config_path;
	bool reload;
	uint64_t watchdog_usec; /* 0: no watchdog */
	uint64_t progress_start, progress_logged;
	size_t progress_base;
	unsigned backoff;   /* seconds before the next attempt */
	unsigned retry_cap; /* the longest wait for this kind of failure */
	unsigned failures;  /* rounds failed in a row */
	int housekeeping_error; /* of the last round's deadlines and outbox: 0 or -errno */
	bool recovered;        /* recovery from the mailbox done in this run (daemon/recover.h) */
	struct sentcopy copies; /* [imap] save_sent */
	size_t moved_noted;     /* messages moved when the folders' positions were last noted */
};

/*
 * Waits between failed rounds double up to a cap.  A server that cannot be
 * reached is tried again at least every NETWORK_RETRY_MAX seconds, so mail
 * is picked up within seconds of it coming back; a database or
 * configuration problem is retried at most once a minute.
 */
#define NETWORK_RETRY_MAX 5
#define OTHER_RETRY_MAX 60

static unsigned
retry_wait(const struct daemon *d)
{
	return d->backoff < d->retry_cap ? d->backoff : d->retry_cap;
}

/* Say so on the first failure of a run of them, then once a minute or so. */
static bool
retry_worth_logging(const struct daemon *d)
{
	return d->failures == 0 || (d->failures + 1) % 12 == 0;
}

static uint64_t
now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void
watchdog_ping(struct daemon *d)
{
	if (d->watchdog_usec > 0)
		sd_notify(0, "WATCHDOG=1");
}

static void
watchdog_tick(void *userdata)
{
	watchdog_ping(userdata);
}

static bool handle_signals(struct daemon *d);

/*
 * After each batch of a pass: a backlog shows "n of m, rate, time left" on a
 * terminal, in STATUS= and now and then in the log; the watchdog is fed; and
 * SIGTERM ends the pass here (false), with everything committed so far moved.
 */
static bool
progress_line(size_t done, size_t total, void *userdata)
{
	struct daemon *d = userdata;
	uint64_t now = now_usec();
	double secs = (double)(now - d->progress_start) / 1e6;
	double rate = secs > 0 ? (double)(done - d->progress_base) / secs : 0;
	double left = rate > 0 ? (double)(total - done) / rate : 0;

	watchdog_ping(d);
	if (handle_signals(d))
		return false;
	if (done <= d->progress_base || d->progress_start == 0) {
		d->progress_start = now;
		d->progress_base = done;
		d->progress_logged = now;
		return true;
	}
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "\r%zu of %zu messages, %.0f/s, %.0f s left   ", done, total, rate, left);
	sd_notifyf(0, "STATUS=Processing backlog: %zu of %zu messages, %.0f/s, about %.0f s left",
		   done, total, rate, left);
	if (now - d->progress_logged > 30u * 1000000u) {
		log_info("Backlog: %zu of %zu messages, %.0f/s, about %.0f s left", done, total, rate,
			 left);
		d->progress_logged = now;
	}
	return true;
}

/* The IMAP session object and the SMTP client for cfg (daemon/connect.h). */
static int
make_clients(const struct config *cfg, struct imap **ret_imap, struct smtp **ret_smtp)
{
	_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
	int r = connect_new(cfg, ret_imap, ret_smtp, &errs);

	for (size_t i = 0; i < errs.n; i++)
		log_error("%s", errs.v[i]);
	return r;
}

/* Point the intake at the current context. */
static void
intake_bind(struct daemon *d)
{
	const struct config *cfg = d->ctx.cfg;

	d->intake = (struct intake){
		.cfg = cfg,
		.store = d->ctx.store,
		.cal = d->ctx.cal,
		.rules = d->ctx.rules,
		.templates = d->ctx.templates,
		.limits = {(size_t)cfg->max_message_bytes, (unsigned)cfg->max_mime_depth,
			   (unsigned)cfg->max_mime_parts, (size_t)cfg->max_header_bytes},
	};
	log_set_level(cfg->log_level);
	if (config_auth_warning(cfg) != NULL)
		log_fields(LOG_WARNING,
			   &(struct log_fields){.catalog_id = MSGID_AUTH_OFF, .event = "officer_auth_off"},
			   "%s; set officer_auth_required = yes and trusted_authserv_id (complaintsd.conf(5))",
			   config_auth_warning(cfg));
}

/* Deadlines, then the outbox: both work from the database alone. */
/* The outbox reports a mail that failed for good; the case records it and alerts. */
static int
delivery_failed(const struct case_ctx *cx, const struct outbox_row *o)
{
	return case_delivery_failed(cx, o->case_id, o->rcpt, o->purpose, o->last_error);
}

static int
daemon_housekeeping(struct daemon *d)
{
	struct case_ctx cx = {.store = d->ctx.store, .cfg = d->ctx.cfg, .cal = d->ctx.cal,
			      .rules = d->ctx.rules, .templates = d->ctx.templates,
			      .now = time(NULL)};
	size_t reminders = 0, breaches = 0, digests = 0;
	int r;

	r = case_check_deadlines(&cx, &reminders, &breaches);
	if (r < 0) {
		log_error("Deadline check failed: %s; trying again on the next round",
			  store_last_error(d->ctx.store));
		return r;
	}
	if (reminders || breaches)
		log_info("Deadlines: %zu reminder%s, %zu breach%s", reminders,
			 reminders == 1 ? "" : "s", breaches, breaches == 1 ? "" : "es");
	if (digest_check(&cx, &digests) < 0)
		log_error("Weekly digest not queued: %s; trying again on the next round",
			  store_last_error(d->ctx.store));
	if (d->smtp == NULL)
		return 0;
	r = outbox_deliver(&cx, d->smtp, &d->mail, delivery_failed, watchdog_tick, d);
	if (r < 0 && r != -EPROTO)
		log_error("Outbox delivery stopped: %s; the replies not yet sent stay queued",
			  store_last_error(d->ctx.store));
	return r;
}

static int
daemon_setup(struct daemon *d)
{
	_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
	_cleanup_free_ char *error = NULL;
	int r;

	r = context_load(&d->ctx, d->config_path, &errs);
	for (size_t i = 0; i < errs.n; i++)
		log_error("%s", errs.v[i]);
	if (r < 0) {
		log_error("Configuration has %zu problem%s; not starting", errs.n,
			  errs.n == 1 ? "" : "s");
		return EXIT_USAGE;
	}
	log_info("Rules: %s; %zu pattern(s) matched by the slower PCRE2 (complaintsctl check-config lists them)",
		 rules_from_cache(d->ctx.rules) ? "compiled rules read from the cache" : "compiled",
		 rules_slow_patterns(d->ctx.rules, NULL));
	if (make_clients(d->ctx.cfg, &d->imap, &d->smtp) < 0)
		return EXIT_USAGE;
	r = context_open_store(&d->ctx, &error);
	if (r < 0) {
		log_error("%s", error);
		return EXIT_FAILURE;
	}
	r = store_checkpoint_background(d->ctx.store);
	if (r < 0)
		log_warning("Database: no thread for the WAL's checkpoints (%s); each commit past "
			    "1,000 pages checkpoints itself, as SQLite does by default", strerror(-r));
	intake_bind(d);
	return 0;
}

/*
 * SIGHUP: load the configuration, rules, templates and holidays again.  A
 * broken new configuration is reported and the running one kept.  The
 * database stays open (a new store.database needs a restart).
 */
static void
daemon_reload(struct daemon *d)
{
	_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
	struct context next;
	struct imap *imap = NULL;
	struct smtp *smtp = NULL;
	int r;

	sd_notify(0, "RELOADING=1");
	log_info("Reloading %s", d->config_path);
	r = context_load(&next, d->config_path, &errs);
	for (size_t i = 0; i < errs.n; i++)
		log_error("%s", errs.v[i]);
	if (r == 0 && make_clients(next.cfg, &imap, &smtp) < 0)
		r = -EINVAL;
	if (r < 0) {
		log_error("The new configuration has problems (see above); keeping the running one");
		imap_free(imap);
		context_done(&next);
		/* context_load set TZ from the new file: put the running one back */
		setenv("TZ", d->ctx.cfg->timezone, 1);
		tzset();
		sd_notify(0, "READY=1");
		return;
	}
	if (!streq(next.cfg->database, d->ctx.cfg->database))
		log_warning("store.database changed to %s; the running daemon keeps %s until restarted",
			    next.cfg->database, d->ctx.cfg->database);
	next.store = d->ctx.store;
	d->ctx.store = NULL;
	context_done(&d->ctx);
	d->ctx = next;
	imap_free(d->imap);
	d->imap = imap;
	smtp_free(d->smtp);
	d->smtp = smtp;
	intake_bind(d);
	log_info("Reloaded configuration, rules, templates and holidays");
	sd_notify(0, "READY=1");
}

/* Drain pending signals; true when asked to stop. */
static bool
handle_signals(struct daemon *d)
{
	struct signalfd_siginfo si;

	while (read(d->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
			log_info("Received %s; stopping after the message in hand",
				 strsignal((int)si.ssi_signo));
			d->stopping = true;
		} else if (si.ssi_signo == SIGHUP)
			d->reload = true;
	}
	return d->stopping;
}

static void
notify_status(struct daemon *d)
{
	int64_t open = 0, queued = 0, failed = 0, overdue = 0, held = 0;
	char last[16] = "never";
	struct tm tm;

	(void)store_count(d->ctx.store, "open", &open);
	(void)store_count(d->ctx.store, "overdue", &overdue);
	(void)store_count(d->ctx.store, "outbox_queued", &queued);
	(void)store_count(d->ctx.store, "outbox_failed", &failed);
	(void)store_outbox_count_held(d->ctx.store, &held);
	if (d->stats.last_poll > 0 && localtime_r(&d->stats.last_poll, &tm) != NULL)
		strftime(last, sizeof(last), "%H:%M:%S", &tm);
	sd_notifyf(0, "STATUS=%s%lld open cases, %lld overdue; %lld replies queued, %lld failed, %lld held; last poll %s; %zu messages processed, %zu quarantined",
		   config_auth_warning(d->ctx.cfg) ? "OFFICER AUTHENTICATION OFF; " : "",
		   (long long)open, (long long)overdue, (long long)queued, (long long)failed,
		   (long long)held, last, d->stats.processed, d->stats.quarantined);
}

enum round_result {
	ROUND_OK,    /* the mailbox is in sync */
	ROUND_RETRY, /* a network or database problem: try again after a backoff */
	ROUND_FATAL, /* a configuration problem: retrying cannot help */
};

/* Recovery from the mailbox, once a run, before anything else (daemon/recover.h). */
static enum imap_result
daemon_recover(struct daemon *d, int *ret_store_error)
{
	struct recover_opts ro = {.tick = watchdog_tick, .userdata = d};
	struct recover_report rep;
	enum imap_result ir;

	sd_notify(0, "STATUS=Checking the mailbox's folders against the database");
	ir = recover_run(&d->intake, d->imap, &ro, &rep, ret_store_error);
	if (ir == IMAP_OK && *ret_store_error == 0) {
		d->recovered = true;
		recover_log_summary(&rep);
	} else if (*ret_store_error < 0)
		log_error("Recovery from the mailbox could not be recorded: %s; nothing is processed or sent until it is",
			  store_last_error(d->ctx.store));
	return ir;
}

/* Copies of sent mail to the Sent folder, and the folders' positions once mail moved. */
static void
daemon_copies(struct daemon *d)
{
	size_t before = d->copies.appended, moved = d->stats.processed + d->stats.quarantined;
	int store_error = 0;
	enum imap_result ir;

	ir = sentcopy_append_due(d->ctx.cfg, d->ctx.store, d->imap, &d->copies, &store_error);
	if (ir == IMAP_OK && store_error == 0 &&
	    (d->copies.appended != before || moved != d->moved_noted)) {
		ir = recover_note_folders(&d->intake, d->imap, &store_error);
		if (ir == IMAP_OK && store_error == 0)
			d->moved_noted = moved;
	}
	if (store_error < 0)
		log_warning("Copies of sent mail: database problem (%s); trying again on the next round",
			    store_last_error(d->ctx.store));
	else if (ir != IMAP_OK)
		log_warning("Copies of sent mail: IMAP %s (%s); trying again on the next round",
			    imap_result_to_string(ir), imap_last_error(d->imap));
}

/* One round: connect if needed, sync, then deadlines and the outbox. */
static enum round_result
daemon_round(struct daemon *d)
{
	enum imap_result ir;
	int store_error = 0;

	if (!imap_connected(d->imap)) {
		ir = imap_connect(d->imap);
		if (ir == IMAP_AUTH_BAD || ir == IMAP_TLS_BAD) {
			bool oauth = ir == IMAP_AUTH_BAD && streq(d->ctx.cfg->imap_auth, "oauth2");

			d->retry_cap = OTHER_RETRY_MAX;
			log_error("IMAP %s: %s; check the %s settings%s", imap_result_to_string(ir),
				  imap_last_error(d->imap), oauth ? "[oauth2]" : "[imap]",
				  oauth ? " and the app's permissions (complaintsctl oauth status; complaintsd.conf(5), OAUTH 2.0)" : "");
			sd_notifyf(0, "STATUS=Not logged in to the IMAP server (%s); the mail stays in the mailbox: %s",
				   imap_result_to_string(ir), imap_last_error(d->imap));
			return ROUND_FATAL;
		}
		if (ir != IMAP_OK) {
			d->retry_cap = NETWORK_RETRY_MAX;
			if (retry_worth_logging(d))
				log_warning("Cannot %s the IMAP server: %s; retrying in %u seconds (attempt %u)",
					    startswith(imap_last_error(d->imap), "no token") ? "log in to" : "reach",
					    imap_last_error(d->imap), retry_wait(d), d->failures + 1);
			sd_notifyf(0, "STATUS=Not connected, retrying (attempt %u); the mail stays in the mailbox: %s",
				   d->failures + 1, imap_last_error(d->imap));
			return ROUND_RETRY;
		}
		if (d->failures > 0)
			log_info("Connected to the IMAP server as %s after %u failed attempts",
				 d->ctx.cfg->imap_username, d->failures);
		else
			log_info("Connected to the IMAP server as %s", d->ctx.cfg->imap_username);
	}
	d->progress_start = 0;
	d->progress_base = 0;
	/* before any new mail or delivery: what the mailbox holds and the store lost */
	ir = d->recovered ? IMAP_OK : daemon_recover(d, &store_error);
	if (ir == IMAP_OK && store_error == 0)
		ir = sync_mailbox(&d->intake, d->imap, &store_error, &d->stats, progress_line, d);
	if (isatty(STDERR_FILENO) && d->stats.seen > 0)
		fputc('\n', stderr);
	if (ir == IMAP_OK && store_error == 0)
		ir = sentwatch_check(&d->intake, d->imap, &d->sent, &store_error);
	if (store_error < 0) {
		d->retry_cap = OTHER_RETRY_MAX;
		log_error("Database problem: %s; nothing was moved out of the mailbox, retrying in %u seconds",
			  store_last_error(d->ctx.store), retry_wait(d));
		return ROUND_RETRY;
	}
	if (ir == IMAP_NAME_BAD) {
		d->retry_cap = OTHER_RETRY_MAX;
		log_error("IMAP folder name: %s; fix the folder names in [imap] (complaintsd.conf(5)), nothing was moved out of the mailbox",
			  imap_last_error(d->imap));
		return ROUND_FATAL;
	}
	if (ir != IMAP_OK) {
		d->retry_cap = NETWORK_RETRY_MAX;
		log_warning("IMAP %s during sync: %s; reconnecting in %u seconds",
			    imap_result_to_string(ir), imap_last_error(d->imap), retry_wait(d));
		imap_disconnect(d->imap);
		return ROUND_RETRY;
	}
	d->backoff = 1;
	d->failures = 0;
	/* Asked to stop during the pass: deadlines and queued replies wait for the next start. */
	d->housekeeping_error = d->stopping ? 0 : daemon_housekeeping(d);
	if (!d->stopping)
		daemon_copies(d);
	notify_status(d);
	return ROUND_OK;
}

static int
run_once(struct daemon *d)
{
	for (int attempt = 0; attempt < 4; attempt++) {
		enum round_result r = daemon_round(d);

		if (r == ROUND_OK && d->stopping) {
			log_info("Stopped before the end of the mailbox: %zu messages processed, %zu quarantined; the rest stays in the mailbox for the next run",
				 d->stats.processed, d->stats.quarantined);
			return EXIT_FAILURE;
		}
		if (r == ROUND_OK) {
			int64_t queued = 0, failed = 0;

			(void)store_count(d->ctx.store, "outbox_queued", &queued);
			(void)store_count(d->ctx.store, "outbox_failed", &failed);
			log_info("Done: %zu messages processed, %zu quarantined; %zu replies sent, %lld queued, %lld failed",
				 d->stats.processed, d->stats.quarantined, d->mail.sent,
				 (long long)queued, (long long)failed);
			if (d->housekeeping_error < 0 && d->housekeeping_error != -EPROTO) {
				log_error("The mailbox is in sync, but deadlines or replies could not be recorded (see above); the next run tries again");
				return EXIT_FAILURE;
			}
			return EXIT_SUCCESS;
		}
		if (r == ROUND_FATAL || attempt == 3)
			break;
		sleep(retry_wait(d));
		d->backoff = retry_wait(d) * 2;
		d->failures++;
	}
	log_error("Giving up for now; messages not yet processed stay in the mailbox");
	return EXIT_FAILURE;
}

/* How long to wait for mail before the next round: deadlines and retries need a tick too. */
static int
wait_timeout_ms(const struct daemon *d)
{
	int ms = d->ctx.cfg->imap_poll_seconds * 1000;

	if (ms > 60000)
		ms = 60000;
	if (d->watchdog_usec > 0 && (uint64_t)ms > d->watchdog_usec / 2000)
		ms = (int)(d->watchdog_usec / 2000);
	return ms;
}

static int
run_forever(struct daemon *d)
{
	bool ready = false;

	if (sd_watchdog_enabled(0, &d->watchdog_usec) <= 0)
		d->watchdog_usec = 0;
	while (!handle_signals(d)) {
		enum round_result r;

		if (d->reload) {
			d->reload = false;
			daemon_reload(d);
		}
		watchdog_ping(d);
		r = daemon_round(d);
		watchdog_ping(d);
		if (r == ROUND_OK && !ready) {
			sd_notify(0, "READY=1");
			ready = true;
		}
		if (r != ROUND_OK) {
			/* a configuration problem may be fixed by a reload: keep trying, slowly */
			struct pollfd p = {d->sigfd, POLLIN, 0};
			int ms = (int)retry_wait(d) * 1000;

			if (d->watchdog_usec > 0 && (uint64_t)ms > d->watchdog_usec / 2000)
				ms = (int)(d->watchdog_usec / 2000);
			(void)poll(&p, 1, ms);
			d->backoff = retry_wait(d) * 2;
			d->failures++;
			continue;
		}
		if (d->ctx.cfg->imap_idle && imap_has_idle(d->imap)) {
			bool changed = false;
			enum imap_result ir = imap_idle(d->imap, wait_timeout_ms(d), d->sigfd, &changed);

			if (ir != IMAP_OK) {
				log_warning("IMAP IDLE ended with %s: %s; reconnecting",
					    imap_result_to_string(ir), imap_last_error(d->imap));
				imap_disconnect(d->imap);
			}
		} else {
			struct pollfd p = {d->sigfd, POLLIN, 0};

			(void)poll(&p, 1, wait_timeout_ms(d));
		}
	}
	sd_notify(0, "STOPPING=1");
	log_info("Stopped: %zu messages processed, %zu quarantined, %zu replies sent",
		 d->stats.processed, d->stats.quarantined, d->mail.sent);
	return EXIT_SUCCESS;
}

int
main(int argc, char **argv)
{
	static const struct option options[] = {
		{"config", required_argument, NULL, 'c'},
		{"once", no_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *config_path = SYSCONFDIR "/complaintsd/complaintsd.conf";
	struct daemon d = {.sigfd = -1, .backoff = 1, .retry_cap = OTHER_RETRY_MAX,
			   .config_path = config_path};
	sigset_t mask;
	int c, r;

	while ((c = getopt_long(argc, argv, "c:h", options, NULL)) != -1) {
		switch (c) {
		case 'c':
			d.config_path = optarg;
			break;
		case 'o':
			d.once = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		case 'V':
			puts(PACKAGE_STRING);
			return EXIT_SUCCESS;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "complaintsd: unexpected argument \"%s\"\n", argv[optind]);
		usage(stderr);
		return EXIT_USAGE;
	}

	/* libetpan writes to sockets without MSG_NOSIGNAL */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	d.sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	log_open("complaintsd", LOG_TARGET_AUTO);
	curl_global_init(CURL_GLOBAL_DEFAULT);

	r = daemon_setup(&d);
	if (r == 0)
		r = d.once ? run_once(&d) : run_forever(&d);
	imap_free(d.imap);
	smtp_free(d.smtp);
	context_done(&d.ctx);
	curl_global_cleanup();
	if (d.sigfd >= 0)
		close(d.sigfd);
	return r;
}
