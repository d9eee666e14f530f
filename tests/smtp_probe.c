/*
 * smtp_probe.c - send one composed message through the SMTP adapter, for the
 * integration tests and for an administrator checking a mail server.
 *
 *   smtp_probe URL FROM RCPT FILE [--ca FILE] [--no-verify] [--plain]
 *              [--user NAME --password-file FILE] [--timeout SECONDS]
 *              [--repeat N] [--raw]
 *
 * FILE holds "Subject: ...", a blank line and the body (UTF-8), composed
 * into a complete message (automatic mail, a stable Message-ID); with --raw
 * it is sent as it is.  Prints "RESULT CODE SECONDS [error]" per send, e.g.
 * "ok 250 0.02", and exits 0 when every send succeeded, 3 on tempfail, 4 on
 * permfail, 5 on a configuration error, 2 on usage errors.
 */
#include "config.h"

#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>

#include "compose.h"
#include "smtp.h"
#include "util.h"

static char *
slurp(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "rb");
	char *s = NULL;
	size_t n = 0;
	ssize_t r;

	if (!f)
		return NULL;
	r = getdelim(&s, &n, '\0', f);
	fclose(f);
	if (r < 0) {
		free(s);
		return NULL;
	}
	*ret_len = (size_t)r;
	return s;
}

static void
usage(void)
{
	fprintf(stderr,
	        "usage: smtp_probe URL FROM RCPT FILE [--ca FILE] [--no-verify] [--plain]\n"
	        "       [--user NAME --password-file FILE] [--timeout SECONDS] [--repeat N] "
	        "[--raw]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"ca", required_argument, NULL, 'c'},
	    {"no-verify", no_argument, NULL, 'k'},
	    {"plain", no_argument, NULL, 'p'},
	    {"user", required_argument, NULL, 'u'},
	    {"password-file", required_argument, NULL, 'P'},
	    {"timeout", required_argument, NULL, 't'},
	    {"repeat", required_argument, NULL, 'r'},
	    {"raw", no_argument, NULL, 'R'},
	    {NULL, 0, NULL, 0},
	};
	struct smtp_config cfg = {.starttls = true, .tls_verify = true, .timeout = 30};
	_cleanup_free_ char *text = NULL, *password = NULL, *err = NULL;
	struct smtp *s = NULL;
	bool raw = false;
	int opt, repeat = 1, status = 0;
	size_t len = 0;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			cfg.ca_file = optarg;
			break;
		case 'k':
			cfg.tls_verify = false;
			break;
		case 'p':
			cfg.starttls = false;
			break;
		case 'u':
			cfg.username = optarg;
			break;
		case 'P': {
			size_t n = 0;

			free(password);
			password = slurp(optarg, &n);
			if (!password) {
				fprintf(stderr, "smtp_probe: %s: %s\n", optarg, strerror(errno));
				return 2;
			}
			password[strcspn(password, "\r\n")] = '\0';
			break;
		}
		case 't':
			cfg.timeout = atol(optarg);
			break;
		case 'r':
			repeat = atoi(optarg);
			break;
		case 'R':
			raw = true;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 4 || repeat < 1)
		usage();
	cfg.url = argv[optind];
	cfg.password = password;
	text = slurp(argv[optind + 3], &len);
	if (!text) {
		fprintf(stderr, "smtp_probe: %s: cannot read\n", argv[optind + 3]);
		return 2;
	}

	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (smtp_new(&cfg, &s, &err) < 0) {
		fprintf(stderr, "smtp_probe: %s\n", err);
		curl_global_cleanup();
		return 5;
	}
	for (int i = 0; i < repeat; i++) {
		_cleanup_free_ char *msg = NULL, *error = NULL, *mid = NULL;
		const char *from = argv[optind + 1], *rcpt = argv[optind + 2];
		const char *domain = strchr(from, '@');
		struct timespec t0, t1;
		enum smtp_result r;
		long code = 0;

		if (raw) {
			msg = xstrndup(text, len);
		} else {
			const char *subject = startswith_nocase(text, "Subject:");
			const char *sep = strstr(text, "\n\n");
			_cleanup_free_ char *subj = NULL;
			struct compose_in in;

			if (!subject || !sep) {
				fprintf(stderr,
				        "smtp_probe: FILE must be \"Subject: ...\", a blank line, "
				        "the body\n");
				status = 2;
				break;
			}
			subj = xstrndup(subject, (size_t)(sep - subject));
			mid = compose_message_id("CMP-2026-000777", "probe", (unsigned)i,
			                         domain ? domain + 1 : "localhost");
			in = (struct compose_in){
			    .from_addr = from,
			    .from_name = "Example Borough Council",
			    .to_addr = rcpt,
			    .subject = subj,
			    .message_id = mid,
			    .date = time(NULL),
			    .auto_submitted = true,
			    .body = sep + 2,
			};
			if (compose_message(&in, &msg) < 0) {
				fprintf(stderr, "smtp_probe: cannot compose (bad address?)\n");
				status = 2;
				break;
			}
		}
		clock_gettime(CLOCK_MONOTONIC, &t0);
		r = smtp_send(s, from, rcpt, msg, strlen(msg), &code, &error);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		printf("%s %ld %.2f%s%s\n", smtp_result_to_string(r), code,
		       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
		       error ? " " : "", error ? error : "");
		fflush(stdout);
		if (r != SMTP_OK && status == 0)
			status = r == SMTP_TEMPFAIL ? 3 : r == SMTP_PERMFAIL ? 4 : 5;
	}
	smtp_free(s);
	curl_global_cleanup();
	if (password)
		explicit_bzero(password, strlen(password));
	return status;
}
