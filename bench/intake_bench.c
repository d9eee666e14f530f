/*
 * intake_bench - time intake_message() per message, and the deadline scan,
 * in process, against the real store named in a complaintsd configuration.
 *
 *   intake_bench -c CONF [-b BATCH] [-W] DIR     intake every file in DIR (sorted by name)
 *   intake_bench -c CONF [-W] -D RUNS            run case_check_deadlines RUNS times
 *
 * -W first denies this process writable and executable memory, as the shipped
 * unit's MemoryDenyWriteExecute=yes does (bench/nowx.c), so PCRE2 cannot JIT.
 *
 * Intake mode reads all files into memory first, then processes them the way
 * daemon/sync.c does: one transaction per BATCH messages (default 100, as
 * imap.batch_size), each message through intake_message() (parse, automatic
 * mail, role, threading, classification, case change, reply queued), then
 * store_mailbox_set() and a durable commit (WAL, synchronous=FULL).  It times
 * every intake_message() call and every commit separately with
 * CLOCK_MONOTONIC.  No IMAP is involved, so the figures are the daemon's own
 * cost per message, without the network.
 *
 * Output is "key value" lines on stdout (times in microseconds) for
 * bench/run to read; logging goes where the daemon's would (stderr here).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "case.h"
#include "conf.h"
#include "context.h"
#include "errlist.h"
#include "intake.h"
#include "log.h"
#include "nowx.h"
#include "rules.h"
#include "rxset.h"
#include "store.h"
#include "util.h"

struct mail {
	char *name;
	char *data;
	size_t len;
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct mail *)a)->name, ((const struct mail *)b)->name);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The value at quantile q of sorted v[n], nearest rank. */
static uint64_t
quantile(const uint64_t *v, size_t n, double q)
{
	size_t i;

	if (n == 0)
		return 0;
	i = (size_t)(q * (double)n + 0.999999);
	if (i == 0)
		i = 1;
	return v[(i > n ? n : i) - 1];
}

static int
read_whole(const char *path, char **ret, size_t *ret_len)
{
	struct stat st;
	char *p;
	size_t off = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	p = xmalloc((size_t)st.st_size + 1);
	while (off < (size_t)st.st_size) {
		ssize_t n = read(fd, p + off, (size_t)st.st_size - off);

		if (n <= 0) {
			int r = n < 0 ? -errno : -EIO;

			free(p);
			close(fd);
			return r;
		}
		off += (size_t)n;
	}
	close(fd);
	p[off] = '\0';
	*ret = p;
	*ret_len = off;
	return 0;
}

/* Every regular file in dir, sorted by name. */
static int
load_dir(const char *dir, struct mail **ret, size_t *ret_n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct mail *v = NULL;
	size_t n = 0;

	if (d == NULL)
		return -errno;
	while ((de = readdir(d)) != NULL) {
		_cleanup_free_ char *path = NULL;
		struct mail m = {0};
		int r;

		if (de->d_name[0] == '.')
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		r = read_whole(path, &m.data, &m.len);
		if (r < 0) {
			fprintf(stderr, "intake_bench: %s: %s\n", path, strerror(-r));
			continue;
		}
		m.name = xstrdup(de->d_name);
		v = xreallocarray(v, n + 1, sizeof(*v));
		v[n++] = m;
	}
	closedir(d);
	qsort(v, n, sizeof(*v), cmp_name);
	*ret = v;
	*ret_n = n;
	return 0;
}

static void
print_dist(const char *what, uint64_t *v, size_t n)
{
	uint64_t sum = 0;

	qsort(v, n, sizeof(*v), cmp_u64);
	for (size_t i = 0; i < n; i++)
		sum += v[i];
	printf("%s_n %zu\n", what, n);
	printf("%s_mean_us %.1f\n", what, n ? (double)sum / (double)n / 1e3 : 0.0);
	printf("%s_p50_us %.1f\n", what, (double)quantile(v, n, 0.50) / 1e3);
	printf("%s_p90_us %.1f\n", what, (double)quantile(v, n, 0.90) / 1e3);
	printf("%s_p99_us %.1f\n", what, (double)quantile(v, n, 0.99) / 1e3);
	printf("%s_max_us %.1f\n", what, n ? (double)v[n - 1] / 1e3 : 0.0);
}

static long
peak_rss_kb(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : -1;
}

static int
bench_intake(struct context *ctx, const char *dir, size_t batch)
{
	struct intake in = {
		.cfg = ctx->cfg,
		.store = ctx->store,
		.cal = ctx->cal,
		.rules = ctx->rules,
		.templates = ctx->templates,
		.limits = {(size_t)ctx->cfg->max_message_bytes, (unsigned)ctx->cfg->max_mime_depth,
			   (unsigned)ctx->cfg->max_mime_parts, (size_t)ctx->cfg->max_header_bytes},
	};
	struct mail *mails = NULL;
	size_t n = 0, n_batches, quarantined = 0, bytes = 0;
	uint64_t *t_msg, *t_commit, *t_total, start, elapsed;
	long rss_before;
	int r;

	r = load_dir(dir, &mails, &n);
	if (r < 0) {
		fprintf(stderr, "intake_bench: %s: %s\n", dir, strerror(-r));
		return 1;
	}
	if (n == 0) {
		fprintf(stderr, "intake_bench: no messages in %s\n", dir);
		free(mails);
		return 1;
	}
	n_batches = (n + batch - 1) / batch;
	t_msg = xcalloc(n, sizeof(*t_msg));
	t_total = xcalloc(n, sizeof(*t_total));
	t_commit = xcalloc(n_batches, sizeof(*t_commit));
	rss_before = peak_rss_kb();

	start = now_ns();
	for (size_t b = 0; b < n_batches; b++) {
		size_t lo = b * batch, hi = lo + batch < n ? lo + batch : n;
		uint64_t t0, t1;

		r = store_begin(ctx->store);
		for (size_t i = lo; r == 0 && i < hi; i++) {
			struct intake_source src = {.mailbox = "INBOX", .uidvalidity = 1,
						    .uid = (uint32_t)(i + 1), .internaldate = time(NULL),
						    .raw = mails[i].data, .len = mails[i].len,
						    .size = mails[i].len};
			enum intake_disposition disp = INTAKE_PROCESSED;

			t0 = now_ns();
			r = intake_message(&in, &src, time(NULL), &disp);
			t_msg[i] = now_ns() - t0;
			if (disp == INTAKE_QUARANTINED)
				quarantined++;
			bytes += mails[i].len;
		}
		t0 = now_ns();
		if (r == 0)
			r = store_mailbox_set(ctx->store, "INBOX", 1, (uint32_t)hi);
		if (r == 0)
			r = store_commit(ctx->store);
		t1 = now_ns();
		if (r < 0) {
			fprintf(stderr, "intake_bench: batch %zu failed: %s\n", b,
				store_last_error(ctx->store));
			store_rollback(ctx->store);
			goto out;
		}
		t_commit[b] = t1 - t0;
		/* what one message costs with its share of the batch's commit */
		for (size_t i = lo; i < hi; i++)
			t_total[i] = t_msg[i] + t_commit[b] / (hi - lo);
	}
	elapsed = now_ns() - start;

	printf("messages %zu\n", n);
	printf("bytes %zu\n", bytes);
	printf("quarantined %zu\n", quarantined);
	printf("batch %zu\n", batch);
	printf("elapsed_s %.3f\n", (double)elapsed / 1e9);
	printf("rate_per_s %.0f\n", (double)n / ((double)elapsed / 1e9));
	print_dist("intake", t_msg, n);
	print_dist("with_commit", t_total, n);
	print_dist("commit", t_commit, n_batches);
	printf("peak_rss_kb %ld\n", peak_rss_kb());
	printf("rss_after_load_kb %ld\n", rss_before);
out:
	for (size_t i = 0; i < n; i++) {
		free(mails[i].name);
		free(mails[i].data);
	}
	free(mails);
	free(t_msg);
	free(t_total);
	free(t_commit);
	return r < 0 ? 1 : 0;
}

static int
bench_deadlines(struct context *ctx, unsigned runs)
{
	uint64_t *t = xcalloc(runs ? runs : 1, sizeof(*t));
	size_t total_reminders = 0, total_breaches = 0;

	for (unsigned i = 0; i < runs; i++) {
		struct case_ctx cx = {.store = ctx->store, .cfg = ctx->cfg, .cal = ctx->cal,
				      .rules = ctx->rules, .templates = ctx->templates,
				      .now = time(NULL)};
		size_t reminders = 0, breaches = 0;
		uint64_t t0 = now_ns();
		int r = case_check_deadlines(&cx, &reminders, &breaches);

		t[i] = now_ns() - t0;
		if (r < 0) {
			fprintf(stderr, "intake_bench: deadline scan failed: %s\n",
				store_last_error(ctx->store));
			free(t);
			return 1;
		}
		printf("scan%u_us %.1f reminders %zu breaches %zu\n", i + 1, (double)t[i] / 1e3,
		       reminders, breaches);
		total_reminders += reminders;
		total_breaches += breaches;
	}
	/* the first scan writes the notices; the later ones are the steady state */
	printf("first_scan_us %.1f\n", (double)t[0] / 1e3);
	if (runs > 1)
		print_dist("scan", t + 1, runs - 1);
	printf("reminders %zu\nbreaches %zu\n", total_reminders, total_breaches);
	free(t);
	return 0;
}

static void
usage(FILE *f)
{
	fprintf(f, "Usage: intake_bench -c CONF [-b BATCH] [-W] DIR\n"
		   "       intake_bench -c CONF [-W] -D RUNS\n");
}

int
main(int argc, char **argv)
{
	_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
	_cleanup_free_ char *error = NULL;
	struct context ctx = {0};
	const char *conf = NULL;
	unsigned long batch = 100, runs = 0;
	bool nowx = false;
	int c, r;

	while ((c = getopt(argc, argv, "c:b:D:Wh")) != -1) {
		switch (c) {
		case 'c':
			conf = optarg;
			break;
		case 'b':
			batch = strtoul(optarg, NULL, 10);
			break;
		case 'D':
			runs = strtoul(optarg, NULL, 10);
			break;
		case 'W':
			nowx = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (conf == NULL || batch == 0 || batch > 100000 || runs > 1000 ||
	    (runs == 0) != (optind + 1 == argc) || (runs > 0 && optind != argc)) {
		usage(stderr);
		return 2;
	}
	log_open("intake_bench", LOG_TARGET_STDERR);
	if (nowx && (r = nowx_install()) < 0) {
		fprintf(stderr, "intake_bench: cannot deny writable and executable memory: %s\n",
			strerror(-r));
		return 1;
	}
	r = context_load(&ctx, conf, &errs);
	for (size_t i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.v[i]);
	if (r < 0)
		return 2;
	log_set_level(ctx.cfg->log_level);
	printf("pcre2_jit %s\nrules_pcre2_patterns %zu\nrules_from_cache %d\n",
	       rxset_jit_available() ? "yes" : "no", rules_slow_patterns(ctx.rules, NULL),
	       rules_from_cache(ctx.rules));
	r = context_open_store(&ctx, &error);
	if (r < 0) {
		fprintf(stderr, "intake_bench: %s\n", error);
		context_done(&ctx);
		return 1;
	}
	/* as the daemon does (daemon/complaintsd.c) */
	if (store_checkpoint_background(ctx.store) < 0)
		fprintf(stderr, "intake_bench: no checkpoint thread\n");
	r = runs > 0 ? bench_deadlines(&ctx, (unsigned)runs) : bench_intake(&ctx, argv[optind], batch);
	context_done(&ctx);
	return r;
}
