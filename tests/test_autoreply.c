/*
 * test_autoreply.c - the automatic-reply limit, decided against a real store:
 * who is never held (relays, officers, authenticated correspondents), who is
 * never answered, and who is held after max_auto_replies_per_day.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "autoreply.h"
#include "case.h"
#include "conf.h"
#include "store.h"
#include "store_autoreply.h"
#include "util.h"

#define NOW 1764590400 /* 2025-12-01 12:00 UTC */
#define VICTIM "victim@example.org"

struct fx {
	char dir[64];
	struct store *store;
	struct config *cfg;
	struct case_row c;
	struct case_ctx cx;
};

static int
setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));
	_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
	_cleanup_free_ char *db = NULL;
	static const char conf[] = "[people]\nofficer_domains = council.example\n"
				   "trusted_authserv_id = mx.council.example\n"
				   "alerts_address = team@council.example\n"
				   "[imap]\nurl = imap://h/\nusername = u\n"
				   "[replies]\nmax_auto_replies_per_day = 3\n";
	char *err = NULL;

	strcpy(f->dir, "/tmp/complaintsd-test-autoreply-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	db = xasprintf("%s/complaints.db", f->dir);
	assert_int_equal(store_open(db, &f->store, &err), 0);
	assert_int_equal(config_load_string(conf, sizeof(conf) - 1, "test.conf", &f->cfg, &errs), 0);
	f->c = (struct case_row){
		.ref = (char *)"CMP-2025-000001", .kind = (char *)"complaint", .stage = 1,
		.status = (char *)"open", .scheme = (char *)"lgsco", .route = (char *)"",
		.subject = (char *)"Potholes", .subject_key = (char *)"potholes",
		.complainant_name = (char *)"", .complainant_email = (char *)VICTIM,
		.rep_email = (char *)"", .rep_role = (char *)"", .rep_consent = (char *)"",
		.officer = (char *)"olivia@council.example", .received_date = (char *)"2025-12-01",
		.ack_due = (char *)"", .response_due = (char *)"", .outcome = (char *)"",
		.flags = (char *)"", .s1_response_due = (char *)"", .s1_outcome = (char *)"",
	};
	assert_int_equal(store_case_insert(f->store, &f->c), 0);
	f->cx = (struct case_ctx){.store = f->store, .cfg = f->cfg, .now = NOW};
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", f->dir);

	store_free(f->store);
	config_free(f->cfg);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* A mail already in the outbox: to rcpt, with purpose and state, `ago` seconds before NOW. */
static void
sent(struct fx *f, const char *rcpt, const char *purpose, const char *state, time_t ago)
{
	static int n;
	_cleanup_free_ char *id = xasprintf("m%d@council.example", ++n);
	struct outbox_row o = {
		.case_id = f->c.id, .purpose = (char *)purpose, .message_id = id,
		.in_reply_to = (char *)"", .rcpt = (char *)rcpt, .data = (char *)"x", .len = 1,
		.state = (char *)state, .last_error = (char *)"", .created_at = NOW - ago,
	};

	assert_int_equal(store_outbox_insert(f->store, &o), 0);
}

static enum outbox_queued
decide(struct fx *f, const char *rcpt, const char *purpose, bool automatic)
{
	struct outbox_mail m = {.c = &f->c, .purpose = purpose, .to_addr = rcpt,
				.automatic = automatic};
	_cleanup_free_ char *reason = NULL;
	enum outbox_queued q;

	assert_int_equal(autoreply_decide(&f->cx, &m, &q, &reason), 0);
	assert_true((q == OUTBOX_QUEUED) == (reason == NULL));
	return q;
}

static void
test_unauthenticated_sender_is_held_after_the_limit(void **state)
{
	struct fx *f = *state;

	assert_int_equal(decide(f, VICTIM, "ack-stage1", true), OUTBOX_QUEUED);
	sent(f, VICTIM, "ack-stage1", "sent", 3600);
	sent(f, VICTIM, "ack-stage1", "queued", 60);
	sent(f, VICTIM, "extension", "failed", 60);
	/* three in 24 hours: the fourth waits */
	assert_int_equal(decide(f, VICTIM, "ack-stage1", true), OUTBOX_HELD);
	assert_int_equal(decide(f, VICTIM, "extension", true), OUTBOX_HELD);
	assert_int_equal(decide(f, VICTIM, "deadline-missed", true), OUTBOX_HELD);
	/* held and suppressed mail does not count; older than 24 hours does not count */
	sent(f, "other@example.org", "ack-stage1", "held", 60);
	sent(f, "other@example.org", "ack-stage1", "sent", 86400 + 60);
	sent(f, "other@example.org", "extension", "suppressed", 60);
	assert_int_equal(decide(f, "other@example.org", "extension", true), OUTBOX_QUEUED);
}

static void
test_never_held(void **state)
{
	struct fx *f = *state;

	for (int i = 0; i < 5; i++)
		sent(f, VICTIM, "ack-stage1", "sent", 60);
	/* relays of an officer's words */
	assert_int_equal(decide(f, VICTIM, "relay", false), OUTBOX_QUEUED);
	/* mail to the council's side, however many */
	for (int i = 0; i < 5; i++)
		sent(f, "team@council.example", "officer-breach", "sent", 60);
	assert_int_equal(decide(f, "team@council.example", "officer-breach", true), OUTBOX_QUEUED);
	assert_int_equal(decide(f, "olivia@council.example", "officer-reminder", true), OUTBOX_QUEUED);
	assert_int_equal(decide(f, "someone@council.example", "command-error", true), OUTBOX_QUEUED);
	/* the mail being processed was authenticated for this address */
	f->cx.authenticated_sender = VICTIM;
	assert_int_equal(decide(f, VICTIM, "ack-stage1", true), OUTBOX_QUEUED);
	f->cx.authenticated_sender = "someone.else@example.net";
	assert_int_equal(decide(f, VICTIM, "ack-stage1", true), OUTBOX_HELD);
	/* or mail from it on this case was, earlier */
	f->cx.authenticated_sender = NULL;
	assert_int_equal(store_event_add(f->store, f->c.id, NOW, VICTIM, "sender_authenticated",
					 VICTIM ": mx.council.example: dmarc=pass"),
			 0);
	assert_int_equal(decide(f, VICTIM, "deadline-missed", true), OUTBOX_QUEUED);
	assert_int_equal(decide(f, VICTIM, "exclusion", true), OUTBOX_QUEUED);
	/* an address that merely starts like it does not inherit that */
	assert_int_equal(decide(f, "victim@example.org.evil", "extension", true), OUTBOX_QUEUED);
	for (int i = 0; i < 3; i++)
		sent(f, "victim@example.org.evil", "extension", "sent", 60);
	assert_int_equal(decide(f, "victim@example.org.evil", "extension", true), OUTBOX_HELD);
}

static void
test_first_acknowledgement_always(void **state)
{
	struct fx *f = *state;

	for (int i = 0; i < 3; i++)
		sent(f, VICTIM, "extension", "sent", 60);
	assert_int_equal(decide(f, VICTIM, "extension", true), OUTBOX_HELD);
	assert_int_equal(decide(f, VICTIM, "ack-stage1", true), OUTBOX_QUEUED);
	assert_int_equal(decide(f, VICTIM, "receipt-stage1", true), OUTBOX_QUEUED);
	sent(f, VICTIM, "ack-stage1", "sent", 30);
	assert_int_equal(decide(f, VICTIM, "ack-stage2", true), OUTBOX_HELD);
	/* with a limit of 0, the first acknowledgement still goes, and nothing else */
	f->cfg->max_auto_replies_per_day = 0;
	assert_int_equal(decide(f, "new@example.net", "ack-stage1", true), OUTBOX_QUEUED);
	assert_int_equal(decide(f, "new@example.net", "service-request", true), OUTBOX_HELD);
}

static void
test_never_answered(void **state)
{
	struct fx *f = *state;
	static const char *const never[] = {"noreply@example.net", "forum-request@lists.example.org",
					    "forum-bounces@lists.example.org", "owner-forum@lists.example.org",
					    "MAILER-DAEMON@mx.example.net", "postmaster@example.net",
					    "do-not-reply@example.net"};

	f->cx.authenticated_sender = "noreply@example.net"; /* even authenticated */
	for (size_t i = 0; i < ELEMENTSOF(never); i++)
		assert_int_equal(decide(f, never[i], "ack-stage1", true), OUTBOX_SUPPRESSED);
	/* an officer's relay to such an address is the officer's choice */
	assert_int_equal(decide(f, "noreply@example.net", "relay", false), OUTBOX_QUEUED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unauthenticated_sender_is_held_after_the_limit,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_never_held, setup, teardown),
		cmocka_unit_test_setup_teardown(test_first_acknowledgement_always, setup, teardown),
		cmocka_unit_test_setup_teardown(test_never_answered, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
