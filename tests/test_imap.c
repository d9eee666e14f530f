/*
 * test_imap.c - the IMAP adapter's pure parts: URL parsing, INTERNALDATE to
 * UTC, UID ranges, and the checks done before any network traffic.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "imap.h"
#include "imap_impl.h"
#include "util.h"

static void
test_url_parse_accepts(void **state)
{
	static const struct {
		const char *url;
		const char *host;
		unsigned port;
		bool tls;
		const char *mailbox;
	} cases[] = {
	    {"imaps://imap.council.example/INBOX", "imap.council.example", 993, true, "INBOX"},
	    {"imaps://imap.council.example", "imap.council.example", 993, true, "INBOX"},
	    {"imaps://imap.council.example/", "imap.council.example", 993, true, "INBOX"},
	    {"imap://imap.council.example/INBOX", "imap.council.example", 143, false, "INBOX"},
	    {"IMAP://127.0.0.1:10143/Complaints", "127.0.0.1", 10143, false, "Complaints"},
	    {"imaps://[::1]:9993/INBOX", "::1", 9993, true, "INBOX"},
	    {"imaps://mail.example.org/Shared%20Complaints", "mail.example.org", 993, true,
	     "Shared Complaints"},
	    {"imaps://mail.example.org/INBOX/Complaints", "mail.example.org", 993, true,
	     "INBOX/Complaints"},
	    {"imaps://mail.example.org/R%26D", "mail.example.org", 993, true, "R&D"},
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct imap_url u = {0};
		char *err = NULL;

		assert_int_equal(imap_url_parse(cases[i].url, &u, &err), 0);
		assert_null(err);
		assert_string_equal(u.host, cases[i].host);
		assert_int_equal(u.port, cases[i].port);
		assert_int_equal(u.implicit_tls, cases[i].tls);
		assert_string_equal(u.mailbox, cases[i].mailbox);
		imap_url_done(&u);
	}
}

static void
test_url_parse_rejects(void **state)
{
	static const struct {
		const char *url;
		const char *why; /* a word the error must contain */
	} cases[] = {
	    {"pop3://mail.example.org/INBOX", "imap://"},
	    {"https://mail.example.org/", "imap://"},
	    {"mail.example.org", "imap://"},
	    {"imaps:///INBOX", "host"},
	    {"imaps://mail.example.org:0/INBOX", "port"},
	    {"imaps://mail.example.org:70000/INBOX", "port"},
	    {"imaps://mail.example.org:99x/INBOX", "port"},
	    {"imaps://mail.example.org:/INBOX", "port"},
	    {"imaps://complaints@mail.example.org/INBOX", "username"},
	    {"imaps://mail.example.org/INBOX?x=1", "queries"},
	    {"imaps://mail.example.org/IN%4", "escape"},
	    {"imaps://mail.example.org/IN%00BOX", "escape"},
	    {"imaps://[::1/INBOX", "IPv6"},
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct imap_url u = {0};
		char *err = NULL;

		assert_int_equal(imap_url_parse(cases[i].url, &u, &err), -EINVAL);
		assert_non_null(err);
		if (!strstr(err, cases[i].why))
			fail_msg("%s: error \"%s\" does not mention \"%s\"", cases[i].url, err,
			         cases[i].why);
		assert_null(u.host);
		free(err);
	}
}

static void
test_date_to_utc(void **state)
{
	static const struct {
		int y, mo, d, h, mi, s, zone;
		time_t want;
	} cases[] = {
	    {1970, 1, 1, 0, 0, 0, 0, 0},
	    /* 17-Nov-2026 09:30:00 +0000 */
	    {2026, 11, 17, 9, 30, 0, 0, 1794907800},
	    /* the same instant seen from London in summer time and from New York */
	    {2026, 11, 17, 10, 30, 0, 100, 1794907800},
	    {2026, 11, 17, 4, 30, 0, -500, 1794907800},
	    /* half-hour zone, and a zone that moves the date back a day */
	    {2026, 11, 17, 15, 0, 0, 530, 1794907800},
	    {2026, 11, 16, 23, 0, 0, -1030, 1794907800},
	    /* leap day */
	    {2024, 2, 29, 12, 0, 0, 0, 1709208000},
	    {2000, 3, 1, 0, 0, 0, 0, 951868800},
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		time_t t = -1;

		assert_int_equal(imap_date_to_utc(cases[i].y, cases[i].mo, cases[i].d, cases[i].h,
		                                  cases[i].mi, cases[i].s, cases[i].zone, &t),
		                 0);
		if (t != cases[i].want)
			fail_msg("case %zu: got %lld, want %lld", i, (long long)t,
			         (long long)cases[i].want);
	}
}

static void
test_date_to_utc_rejects(void **state)
{
	static const int bad[][7] = {
	    {2026, 13, 1, 0, 0, 0, 0},   {2026, 0, 1, 0, 0, 0, 0},  {2026, 2, 30, 0, 0, 0, 0},
	    {2026, 1, 1, 24, 0, 0, 0},   {2026, 1, 1, 0, 60, 0, 0}, {2026, 1, 1, 0, 0, 0, 175},
	    {2026, 1, 1, 0, 0, 0, 2500},
	};
	time_t t = 42;

	for (size_t i = 0; i < ELEMENTSOF(bad); i++)
		assert_int_equal(imap_date_to_utc(bad[i][0], bad[i][1], bad[i][2], bad[i][3],
		                                  bad[i][4], bad[i][5], bad[i][6], &t),
		                 -EINVAL);
	assert_int_equal(t, 42);
}

static void
test_uid_ranges(void **state)
{
	static const uint32_t in[] = {9, 3, 4, 5, 12, 10, 4, 0, 1, 4294967295u, 4294967294u};
	struct imap_uid_range *r = NULL;
	size_t n = imap_uid_ranges(in, ELEMENTSOF(in), &r);

	assert_int_equal(n, 5);
	assert_int_equal(r[0].first, 1);
	assert_int_equal(r[0].last, 1);
	assert_int_equal(r[1].first, 3);
	assert_int_equal(r[1].last, 5);
	assert_int_equal(r[2].first, 9);
	assert_int_equal(r[2].last, 10);
	assert_int_equal(r[3].first, 12);
	assert_int_equal(r[3].last, 12);
	assert_int_equal(r[4].first, 4294967294u);
	assert_int_equal(r[4].last, 4294967295u);
	free(r);

	/* A contiguous batch of 100 is one range. */
	uint32_t batch[100];
	for (size_t i = 0; i < ELEMENTSOF(batch); i++)
		batch[i] = (uint32_t)(1000 + ELEMENTSOF(batch) - i);
	assert_int_equal(imap_uid_ranges(batch, ELEMENTSOF(batch), &r), 1);
	assert_int_equal(r[0].first, 1001);
	assert_int_equal(r[0].last, 1100);
	free(r);

	assert_int_equal(imap_uid_ranges(in, 0, &r), 0);
	assert_null(r);
	assert_int_equal(imap_uid_ranges((const uint32_t[]){0}, 1, &r), 0);
	assert_null(r);
}

static void
test_new_and_offline_calls(void **state)
{
	struct imap_config cfg = {
	    .url = "imaps://imap.council.example/Complaints%20In",
	    .username = "complaints@council.example",
	    .password = "not-a-real-secret",
	    .tls_verify = true,
	};
	struct imap *im;
	char *err = NULL;
	uint32_t *uids = (uint32_t *)1;
	size_t n = 7;
	bool changed = true;

	im = imap_new(&cfg, &err);
	assert_non_null(im);
	assert_null(err);
	assert_string_equal(imap_mailbox(im), "Complaints In");
	assert_false(imap_connected(im));
	assert_false(imap_has_idle(im));
	/* Every call on an unconnected session fails fast and asks for a reconnect. */
	assert_int_equal(imap_search_after(im, 0, &uids, &n), IMAP_SERVER_BAD);
	assert_null(uids);
	assert_int_equal(n, 0);
	assert_int_equal(imap_idle(im, 10, -1, &changed), IMAP_SERVER_BAD);
	assert_false(changed);
	assert_int_equal(imap_noop(im), IMAP_SERVER_BAD);
	assert_string_equal(imap_last_error(im), "not connected");
	assert_null(strstr(imap_last_error(im), cfg.password));
	imap_disconnect(im);
	imap_free(im);

	cfg.url = "pop3s://imap.council.example/";
	assert_null(imap_new(&cfg, &err));
	assert_non_null(err);
	assert_non_null(strstr(err, "imaps://"));
	free(err);
}

static void
test_result_names(void **state)
{
	assert_string_equal(imap_result_to_string(IMAP_OK), "ok");
	assert_string_equal(imap_result_to_string(IMAP_TLS_BAD), "tls-bad");
	assert_string_equal(imap_result_to_string(IMAP_AUTH_BAD), "auth-bad");
	assert_string_equal(imap_result_to_string(IMAP_SERVER_BAD), "server-bad");
	assert_string_equal(imap_result_to_string(IMAP_NAME_BAD), "name-bad");
}

/* Configured names nest with "/" whatever the server's separator (as mbsync maps them). */
static void
test_folder_to_wire(void **state)
{
	static const struct {
		const char *name;
		char sep;
		const char *wire;
	} cases[] = {
	    {"Complaints/Processed", '.', "Complaints.Processed"},
	    {"Complaints/Processed", '/', "Complaints/Processed"},
	    {"INBOX", '.', "INBOX"},
	    {"Sent Items", '/', "Sent Items"},
	    {"[Gmail]/Sent Mail", '/', "[Gmail]/Sent Mail"},
	    {"A/B/C", '.', "A.B.C"},
	    {"R&D/Done", '.', "R&-D.Done"},
	    {"Flat/Name", '\0', "Flat/Name"}, /* a server without hierarchy: as written */
	    {"Complaints.Processed", '/', "Complaints.Processed"},
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		char *err = NULL, *wire = imap_folder_to_wire(cases[i].name, cases[i].sep, &err);

		assert_null(err);
		assert_non_null(wire);
		assert_string_equal(wire, cases[i].wire);
		/* and back, as LIST shows it */
		char *back = imap_folder_from_wire(wire, cases[i].sep);
		assert_string_equal(back, cases[i].name);
		free(back);
		free(wire);
	}
}

static void
test_folder_to_wire_rejects(void **state)
{
	static const struct {
		const char *name;
		char sep;
		const char *why; /* words the error must contain */
	} cases[] = {
	    /* "." on a "." server would be nesting the administrator did not write */
	    {"Complaints.Processed", '.', "hierarchy separator"},
	    {"Complaints/v1.2", '.', "write nested folders with \"/\""},
	    {"", '/', "empty"},
	    {"Caf\xc3\xa9", '/', "printable ASCII"},
	    {"Star*", '/', "must not contain *"},
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		char *err = NULL;

		assert_null(imap_folder_to_wire(cases[i].name, cases[i].sep, &err));
		assert_non_null(err);
		if (strstr(err, cases[i].why) == NULL)
			fail_msg("\"%s\" (sep %c): error \"%s\" lacks \"%s\"", cases[i].name,
				 cases[i].sep, err, cases[i].why);
		free(err);
	}
}

/* Exchange Online's answer when the app's token is good but the mailbox is not its own. */
static void
test_exchange_not_connected_explained(void **state)
{
	struct imap_config cfg = {.url = "imaps://outlook.office365.com/INBOX",
				  .username = "complaints@council.example"};
	char *err = NULL;
	struct imap *im = imap_new(&cfg, &err);
	(void)state;

	assert_non_null(im);
	set_error(im, "SELECT INBOX: %s", "User is authenticated but not connected.");
	assert_non_null(strstr(imap_last_error(im), "User is authenticated but not connected."));
	assert_non_null(strstr(imap_last_error(im), "no permission on the mailbox complaints@council.example"));
	assert_non_null(strstr(imap_last_error(im), "Add-MailboxPermission -Identity complaints@council.example"));
	set_error(im, "SELECT INBOX: %s", "Mailbox does not exist");
	assert_null(strstr(imap_last_error(im), "Add-MailboxPermission"));
	imap_free(im);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_url_parse_accepts), cmocka_unit_test(test_url_parse_rejects),
	    cmocka_unit_test(test_date_to_utc),       cmocka_unit_test(test_date_to_utc_rejects),
	    cmocka_unit_test(test_uid_ranges),        cmocka_unit_test(test_new_and_offline_calls),
	    cmocka_unit_test(test_result_names),      cmocka_unit_test(test_folder_to_wire),
	    cmocka_unit_test(test_folder_to_wire_rejects),
	    cmocka_unit_test(test_exchange_not_connected_explained),
	};

	return cmocka_run_group_tests_name("imap", tests, NULL, NULL) ? 1 : 0;
}
