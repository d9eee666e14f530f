/*
 * test_recover.c - the pieces of backup and recovery that need no mail
 * server: which servers keep their own copy of sent mail (save_sent = auto),
 * what our Message-IDs say (reference, purpose), and the store's side: a
 * reference taken again and the sequence moved past it, the copy queued by
 * the trigger as a mail becomes sent and dropped when recovery finds it,
 * the per-folder positions, and a backup that is a checked, whole copy.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "conf.h"
#include "recover_impl.h"
#include "sentcopy.h"
#include "store.h"
#include "store_recover.h"
#include "util.h"

static struct config *
config_with(const char *imap_url, const char *smtp_url, const char *save_sent)
{
	_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
	_cleanup_free_ char *text = xasprintf("[people]\nalerts_address = team@council.example\n"
					      "officer_auth_required = no\n"
					      "[imap]\nurl = %s\nusername = u\nsave_sent = %s\n"
					      "[smtp]\nurl = %s\n",
					      imap_url, save_sent, smtp_url);
	struct config *cfg = NULL;
	int r = config_load_string(text, strlen(text), "test.conf", &cfg, &errs);

	for (size_t i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.v[i]);
	assert_int_equal(r, 0);
	return cfg;
}

static void
test_auto_by_host(void **state)
{
	static const struct {
		const char *imap, *smtp, *save;
		bool on;
	} cases[] = {
		{"imaps://imap.council.example/INBOX", "smtp://smtp.council.example:587", "auto", true},
		{"imaps://outlook.office365.com/INBOX", "smtp://smtp.office365.com:587", "auto", false},
		{"imaps://imap.council.example/INBOX", "smtp://SMTP.Office365.com:587", "auto", false},
		{"imaps://imap.gmail.com:993/INBOX", "smtps://smtp.gmail.com", "auto", false},
		{"imaps://user@imap.gmail.com/INBOX", "smtp://relay.council.example", "auto", false},
		{"imaps://[2001:db8::1]:993/INBOX", "smtp://[2001:db8::2]", "auto", true},
		{"imaps://imap.gmail.com.example.net/INBOX", "smtp://gmail.com", "auto", true},
		{"imaps://outlook.office365.com/INBOX", "smtp://smtp.office365.com", "yes", true},
		{"imaps://imap.council.example/INBOX", "smtp://smtp.council.example", "no", false},
	};

	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct config *cfg = config_with(cases[i].imap, cases[i].smtp, cases[i].save);
		const char *why = NULL;

		assert_int_equal(sentcopy_enabled(cfg, &why), cases[i].on);
		assert_non_null(why);
		config_free(cfg);
	}
}

/* [oauth2] provider decides auto whatever the host names (a relay, a proxy in front). */
static void
test_auto_by_provider(void **state)
{
	static const char *const texts[] = {
		"[people]\nalerts_address = team@council.example\nofficer_auth_required = no\n"
		"[imap]\nurl = imaps://imap-proxy.council.example/INBOX\nauth = oauth2\n"
		"username = complaints@council.example\n"
		"[smtp]\nurl = smtp://relay.council.example:587\n"
		"[oauth2]\nprovider = microsoft\ntenant = council.onmicrosoft.com\n"
		"client_id = 0c1d2e3f\nclient_secret_file = oauth-client-secret\n",
		"[people]\nalerts_address = team@council.example\nofficer_auth_required = no\n"
		"[imap]\nurl = imaps://imap-proxy.council.example/INBOX\nauth = oauth2\n"
		"username = complaints@council.example\n"
		"[oauth2]\nprovider = google\nservice_account_file = sa.json\n",
	};

	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(texts); i++) {
		_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
		struct config *cfg = NULL;

		(void)config_load_string(texts[i], strlen(texts[i]), "/etc/complaintsd/complaintsd.conf",
					 &cfg, &errs);
		for (size_t e = 0; e < errs.n; e++)
			fprintf(stderr, "%s\n", errs.v[e]);
		assert_non_null(cfg);
		assert_false(sentcopy_enabled(cfg, NULL));
		free(cfg->imap_save_sent);
		cfg->imap_save_sent = xstrdup("yes");
		assert_true(sentcopy_enabled(cfg, NULL));
		config_free(cfg);
	}
}

static void
test_bad_value_refused(void **state)
{
	_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
	static const char text[] = "[people]\nalerts_address = team@council.example\n"
				   "officer_auth_required = no\n"
				   "[imap]\nurl = imap://h/\nusername = u\nsave_sent = sometimes\n";
	struct config *cfg = NULL;
	bool named = false;

	(void)state;
	assert_int_not_equal(config_load_string(text, sizeof(text) - 1, "test.conf", &cfg, &errs), 0);
	for (size_t i = 0; i < errs.n; i++)
		named = named || strstr(errs.v[i], "imap.save_sent") != NULL;
	assert_true(named);
	config_free(cfg);
}

static void
test_folder(void **state)
{
	struct config *cfg = config_with("imap://h/", "smtp://s", "auto");

	(void)state;
	assert_string_equal(sentcopy_folder(cfg), "Sent");
	free(cfg->imap_sent_folder);
	cfg->imap_sent_folder = xstrdup("Sent Items");
	assert_string_equal(sentcopy_folder(cfg), "Sent Items");
	config_free(cfg);
}

static void
test_message_id_parts(void **state)
{
	static const struct {
		const char *id, *ref, *purpose;
	} cases[] = {
		{"cmp-2026-000004.ack-stage1-1.1@council.example", "CMP-2026-000004", "ack-stage1"},
		{"cmp-2026-000123.relay-12.1@council.example", "CMP-2026-000123", "relay"},
		{"cmp-2026-000007.officer-reminder-s1-2026-12-10.1@council.example", "CMP-2026-000007",
		 "officer-reminder"},
		{"cmp-2026-000007.officer-reminder-s2-ack-2026-12-10.1@council.example",
		 "CMP-2026-000007", "officer-reminder"},
		{"cmp-2026-000009.notify-new-case-1.1@council.example", "CMP-2026-000009",
		 "notify-new-case"},
		{"council.command-error-1764590400.1@council.example", NULL, "command-error"},
		{"abc@example.net", NULL, "recovered"},
	};

	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_free_ char *ref = recover_ref_of_message_id(cases[i].id, "CMP");
		_cleanup_free_ char *purpose = recover_purpose_of_message_id(cases[i].id);

		if (cases[i].ref == NULL)
			assert_null(ref);
		else
			assert_string_equal(ref, cases[i].ref);
		assert_string_equal(purpose, cases[i].purpose);
	}
	assert_null(recover_ref_of_message_id("cmp-2026-000004.ack-stage1-1.1@council.example",
					      "ABC"));
	assert_null(recover_ref_of_message_id(".x@y", "CMP"));
	assert_null(recover_ref_of_message_id(NULL, "CMP"));
}

struct fx {
	char dir[64];
	char *db;
	struct store *store;
};

static int
setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));
	char *err = NULL;

	strcpy(f->dir, "/tmp/complaintsd-test-recover-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->db = xasprintf("%s/complaints.db", f->dir);
	assert_int_equal(store_open(f->db, &f->store, &err), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", f->dir);

	store_free(f->store);
	assert_int_equal(system(cmd), 0);
	free(f->db);
	free(f);
	return 0;
}

static int64_t
insert_case(struct store *s, const char *ref)
{
	struct case_row c = {
		.ref = (char *)ref, .kind = (char *)"complaint", .stage = 1, .status = (char *)"open",
		.scheme = (char *)"lgsco", .route = (char *)"", .subject = (char *)"Bins",
		.subject_key = (char *)"bins", .complainant_name = (char *)"",
		.complainant_email = (char *)"ann@example.net", .rep_email = (char *)"",
		.rep_role = (char *)"", .rep_consent = (char *)"", .officer = (char *)"",
		.received_at = 1764590400, .received_date = (char *)"2025-12-01",
		.ack_due = (char *)"", .response_due = (char *)"", .outcome = (char *)"",
		.flags = (char *)"", .s1_response_due = (char *)"", .s1_outcome = (char *)"",
		.created_at = 1764590400, .updated_at = 1764590400,
	};

	assert_int_equal(store_case_insert(s, &c), 0);
	return c.id;
}

static void
test_take_ref(void **state)
{
	struct fx *f = *state;
	_cleanup_free_ char *a = NULL, *b = NULL, *next = NULL;

	/* a lost case's reference is taken again, and later ones come after it */
	assert_int_equal(store_recover_take_ref(f->store, "CMP-2026-000007", &a), 0);
	assert_string_equal(a, "CMP-2026-000007");
	insert_case(f->store, a);
	assert_int_equal(store_next_ref(f->store, "CMP", 2026, &next), 0);
	assert_string_equal(next, "CMP-2026-000008");
	/* one in use is not taken twice; a malformed one is not taken at all */
	assert_int_equal(store_recover_take_ref(f->store, "CMP-2026-000007", &b), -ENOENT);
	assert_null(b);
	assert_int_equal(store_recover_take_ref(f->store, "CMP-26-x", &b), -ENOENT);
	assert_int_equal(store_recover_take_ref(f->store, "CMP", &b), -ENOENT);
	/* an earlier number does not move the sequence back */
	free(next);
	next = NULL;
	assert_int_equal(store_recover_take_ref(f->store, "CMP-2026-000002", &b), 0);
	assert_int_equal(store_next_ref(f->store, "CMP", 2026, &next), 0);
	assert_string_equal(next, "CMP-2026-000009");
}

static struct outbox_row
row(int64_t case_id, const char *mid, const char *state)
{
	return (struct outbox_row){
		.case_id = case_id, .purpose = (char *)"ack-stage1", .message_id = (char *)mid,
		.in_reply_to = (char *)"", .rcpt = (char *)"ann@example.net",
		.data = (char *)"Message-ID: <x>\r\n\r\nqueued\r\n", .len = 27, .state = (char *)state,
		.last_error = (char *)"", .created_at = 100, .next_attempt = 100,
	};
}

static void
test_copies_queued_and_found(void **state)
{
	struct fx *f = *state;
	int64_t case_id = insert_case(f->store, "CMP-2026-000001"), id, cid, n;
	struct outbox_row o = row(case_id, "a.1@council.example", "queued");
	struct outbox_row *due = NULL;
	struct sent_copy_row *copies = NULL;
	size_t n_due = 0, n_copies = 0;
	char *state_s = NULL;
	static const char sent[] = "Message-ID: <b>\r\n\r\nwhat was sent\r\n";

	assert_int_equal(store_outbox_insert(f->store, &o), 0);
	assert_int_equal(store_sent_copy_count(f->store, &n), 0);
	assert_int_equal(n, 0);
	/* delivery marks it sent: its copy is queued by the trigger, due at once */
	assert_int_equal(store_outbox_due(f->store, 200, 10, &due, &n_due), 0);
	assert_int_equal(n_due, 1);
	free(due[0].state);
	due[0].state = xstrdup("sent");
	due[0].sent_at = 150;
	assert_int_equal(store_outbox_update(f->store, &due[0]), 0);
	outbox_rows_free(due, n_due);
	assert_int_equal(store_sent_copy_due(f->store, 200, 10, &copies, &n_copies), 0);
	assert_int_equal(n_copies, 1);
	assert_string_equal(copies[0].message_id, "a.1@council.example");
	assert_int_equal(copies[0].len, 27);
	assert_memory_equal(copies[0].data, o.data, 27);
	assert_int_equal(copies[0].sent_at, 150);
	/* a failed append waits out its backoff */
	assert_int_equal(store_sent_copy_retry(f->store, copies[0].outbox_id, 1, 260, "NO quota"), 0);
	sent_copy_rows_free(copies, n_copies);
	assert_int_equal(store_sent_copy_due(f->store, 200, 10, &copies, &n_copies), 0);
	assert_int_equal(n_copies, 0);
	free(copies);
	assert_int_equal(store_sent_copy_due(f->store, 260, 10, &copies, &n_copies), 0);
	assert_int_equal(n_copies, 1);
	assert_int_equal(copies[0].attempts, 1);
	assert_int_equal(store_sent_copy_done(f->store, copies[0].outbox_id), 0);
	sent_copy_rows_free(copies, n_copies);
	assert_int_equal(store_sent_copy_count(f->store, &n), 0);
	assert_int_equal(n, 0);

	/* recovery finds a queued mail in Sent: sent, with the copy's bytes, no new copy */
	o = row(case_id, "b.1@council.example", "queued");
	assert_int_equal(store_outbox_insert(f->store, &o), 0);
	assert_int_equal(store_recover_outbox_get(f->store, "b.1@council.example", &id, &cid,
						  &state_s),
			 0);
	assert_string_equal(state_s, "queued");
	assert_int_equal(cid, case_id);
	free(state_s);
	assert_int_equal(store_recover_outbox_sent(f->store, id, sent, sizeof(sent) - 1, 170), 0);
	assert_int_equal(store_sent_copy_count(f->store, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_recover_outbox_get(f->store, "b.1@council.example", &id, &cid,
						  &state_s),
			 0);
	assert_string_equal(state_s, "sent");
	free(state_s);
	assert_int_equal(store_recover_outbox_get(f->store, "c@x", &id, &cid, NULL), -ENOENT);

	/* mail found that nothing queues again is inserted as sent, once */
	assert_int_equal(store_recover_outbox_insert_sent(f->store, case_id, "officer-reminder",
							  "c.1@council.example", "", "o@council.example",
							  sent, sizeof(sent) - 1, 180),
			 0);
	assert_int_equal(store_recover_outbox_insert_sent(f->store, case_id, "officer-reminder",
							  "c.1@council.example", "", "o@council.example",
							  sent, sizeof(sent) - 1, 180),
			 -EEXIST);
	assert_int_equal(store_count(f->store, "outbox_queued", &n), 0);
	assert_int_equal(n, 0);
}

static void
test_positions(void **state)
{
	struct fx *f = *state;
	uint32_t v = 0, last = 0;
	int empty = 0;

	assert_int_equal(store_recover_is_empty(f->store, &empty), 0);
	assert_true(empty);
	assert_int_equal(store_recover_state_get(f->store, "Processed", &v, &last), -ENOENT);
	assert_int_equal(store_recover_state_set(f->store, "Processed", 3857529045u, 12), 0);
	assert_int_equal(store_recover_state_get(f->store, "Processed", &v, &last), 0);
	assert_int_equal(v, 3857529045u); /* above INT32_MAX */
	assert_int_equal(last, 12);
	assert_int_equal(store_recover_state_set(f->store, "Processed", 7, 40), 0);
	assert_int_equal(store_recover_state_get(f->store, "Processed", &v, &last), 0);
	assert_int_equal(v, 7);
	assert_int_equal(last, 40);
	insert_case(f->store, "CMP-2026-000001");
	assert_int_equal(store_recover_is_empty(f->store, &empty), 0);
	assert_true(empty); /* a case alone is no mail */
}

static void
test_backup(void **state)
{
	struct fx *f = *state;
	_cleanup_free_ char *dest = xasprintf("%s/backup.db", f->dir), *what = NULL, *error = NULL;
	struct store *copy = NULL;
	char *err = NULL;
	int64_t n = 0;

	insert_case(f->store, "CMP-2026-000001");
	insert_case(f->store, "CMP-2026-000002");
	assert_int_equal(store_backup(f->store, dest, &what, &error), 0);
	assert_null(error);
	assert_string_equal(what, "2 cases, 0 messages");
	/* one file: no -wal beside it */
	{
		_cleanup_free_ char *wal = xasprintf("%s-wal", dest);
		struct stat st;

		assert_int_not_equal(stat(wal, &st), 0);
	}
	assert_int_equal(store_open(dest, &copy, &err), 0);
	assert_int_equal(store_count(copy, "cases", &n), 0);
	assert_int_equal(n, 2);
	store_free(copy);
	/* a path that cannot be written is an error that says so */
	free(error);
	error = NULL;
	free(what);
	what = NULL;
	assert_int_not_equal(store_backup(f->store, "/nonexistent/dir/x.db", &what, &error), 0);
	assert_non_null(error);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_auto_by_host),
		cmocka_unit_test(test_auto_by_provider),
		cmocka_unit_test(test_bad_value_refused),
		cmocka_unit_test(test_folder),
		cmocka_unit_test(test_message_id_parts),
		cmocka_unit_test_setup_teardown(test_take_ref, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copies_queued_and_found, setup, teardown),
		cmocka_unit_test_setup_teardown(test_positions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backup, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
