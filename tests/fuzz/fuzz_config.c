/*
 * fuzz_config.c - libFuzzer target for the configuration file parser.
 *
 * The input is a complaintsd.conf handed to config_load_string().  Beyond
 * "no crash, no leak", it checks what the daemon relies on after a
 * successful load: a refusal always says why and every message names the
 * file; an accepted file has a valid lower-case complaints address, a
 * reference prefix of 1 to 10 capital letters, numbers inside their ranges,
 * lower-case list entries without empty items, and a log level syslog knows.
 *
 * Built by scripts/fuzz; tests/test_fuzz_regress.c replays
 * tests/corpus/fuzz/config/ through the same function.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "conf.h"
#include "errlist.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Abort unless every entry of the list is non-empty and has no upper case. */
static void
check_list(char *const *v, size_t n)
{
	if (n > 0 && v == NULL)
		abort();
	for (size_t i = 0; i < n; i++) {
		if (v[i] == NULL || v[i][0] == '\0')
			abort();
		for (const char *p = v[i]; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				abort();
	}
}

static void
check_range(long v, long lo, long hi)
{
	if (v < lo || v > hi)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct errlist errs = ERRLIST_INIT;
	struct config *c = NULL;
	int r;

	r = config_load_string((const char *)data, size, "fuzz.conf", &c, &errs);
	if (r < 0) {
		if (r != -EINVAL || c != NULL || errs.n == 0)
			abort();
		for (size_t i = 0; i < errs.n; i++)
			if (!startswith(errs.v[i], "fuzz.conf:"))
				abort();
		errlist_free(&errs);
		return 0;
	}
	if (c == NULL || errs.n != 0 || !streq(c->path, "fuzz.conf"))
		abort();

	/* the complaints address: one '@', something either side, lower case */
	{
		const char *a = c->complaints_address, *at = strchr(a, '@');

		if (at == NULL || at == a || at[1] == '\0' || strchr(at + 1, '@'))
			abort();
		for (const char *p = a; *p; p++)
			if ((*p >= 'A' && *p <= 'Z') || *p == ' ' || *p == '\n')
				abort();
	}
	{
		size_t n = strlen(c->reference_prefix);

		if (n < 1 || n > 10 ||
		    strspn(c->reference_prefix, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != n)
			abort();
	}
	if (!startswith(c->imap_url, "imap://") && !startswith(c->imap_url, "imaps://"))
		abort();
	if (c->imap_username[0] == '\0' || c->database[0] == '\0')
		abort();
	if (!streq(c->housing_acknowledgement, "officer") &&
	    !streq(c->housing_acknowledgement, "automatic"))
		abort();

	check_list(c->officer_domains, c->n_officer_domains);
	check_list(c->officer_addresses, c->n_officer_addresses);
	check_list(c->councillor_addresses, c->n_councillor_addresses);
	check_list(c->councillor_domains, c->n_councillor_domains);

	check_range(c->imap_poll_seconds, 5, 86400);
	check_range(c->imap_timeout, 5, 600);
	check_range(c->imap_batch_size, 1, 1000);
	check_range(c->smtp_timeout, 5, 600);
	check_range(c->ts.stage1_ack_days, 1, 60);
	check_range(c->ts.stage1_response_days, 1, 120);
	check_range(c->ts.stage2_response_days, 1, 120);
	check_range(c->ts.escalation_window_days, 0, 3650);
	check_range(c->max_message_bytes, 1024, 1L << 30);
	check_range(c->max_mime_depth, 1, 256);
	check_range(c->max_mime_parts, 1, 100000);
	check_range(c->max_header_bytes, 1024, 64L << 20);
	check_range(c->log_level, LOG_EMERG, LOG_DEBUG);

	/* the address helper copes with whatever the lists hold */
	(void)config_address_in(c->complaints_address, c->officer_addresses, c->n_officer_addresses,
	                        c->officer_domains, c->n_officer_domains);
	config_free(c);
	errlist_free(&errs);
	return 0;
}
