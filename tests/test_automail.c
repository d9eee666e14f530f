/*
 * test_automail.c - RFC 3834 automatic-mail detection on small messages.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "automail.h"
#include "message.h"
#include "util.h"

#define PERSON "From: Jane <jane@example.net>\nTo: complaints@council.example\n"

static const struct {
	const char *what;
	const char *raw;
	enum automail_kind want;
} cases[] = {
    {"a person", PERSON "Subject: Bins\n\nHello\n", AUTOMAIL_NONE},
    {"Auto-Submitted: no", PERSON "Auto-Submitted: no\nSubject: Bins\n\nHello\n", AUTOMAIL_NONE},
    {"Auto-Submitted: no with a comment",
     PERSON "Auto-Submitted: No (sent by hand)\nSubject: x\n\nx\n", AUTOMAIL_NONE},
    {"Auto-Submitted: nothing-like-no",
     PERSON "Auto-Submitted: notify; owner-email=x@example.net\nSubject: x\n\nx\n",
     AUTOMAIL_AUTO_REPLY},
    {"Auto-Submitted: auto-replied",
     PERSON "Auto-Submitted: auto-replied\nSubject: Re: Bins\n\nThanks\n", AUTOMAIL_AUTO_REPLY},
    {"Auto-Submitted: auto-generated",
     PERSON "Auto-Submitted: auto-generated\nSubject: Ticket opened\n\nx\n", AUTOMAIL_AUTO_REPLY},
    {"X-Autoreply", PERSON "X-Autoreply: yes\nSubject: Re: Bins\n\nx\n", AUTOMAIL_AUTO_REPLY},
    {"Exchange OOF",
     PERSON "Auto-Submitted: auto-generated\nX-Auto-Response-Suppress: All\n"
            "Subject: Automatic reply: [CMP-2026-000001] Received\n\nAway\n",
     AUTOMAIL_OUT_OF_OFFICE},
    {"Gmail vacation",
     PERSON "Auto-Submitted: auto-replied\nPrecedence: bulk\nSubject: Out of Office: Re: x\n\nx\n",
     AUTOMAIL_OUT_OF_OFFICE},
    {"Exchange inbox rule loop",
     PERSON "Auto-Submitted: auto-generated\nX-MS-Exchange-Inbox-Rules-Loop: jane@example.net\n"
            "Subject: Re: Bins\n\nI am away\n",
     AUTOMAIL_OUT_OF_OFFICE},
    {"Inbox rule loop without Auto-Submitted",
     PERSON "X-MS-Exchange-Inbox-Rules-Loop: jane@example.net\nSubject: Re: Bins\n\nx\n",
     AUTOMAIL_NONE},
    {"German OOF", PERSON "Auto-Submitted: auto-replied\nSubject: Abwesenheitsnotiz: x\n\nx\n",
     AUTOMAIL_OUT_OF_OFFICE},
    {"OOF subject without headers", PERSON "Subject: Automatic reply: Bins\n\nx\n",
     AUTOMAIL_OUT_OF_OFFICE},
    {"X-Auto-Response-Suppress alone", PERSON "X-Auto-Response-Suppress: All\nSubject: Bins\n\nx\n",
     AUTOMAIL_NONE},
    {"Precedence: bulk", PERSON "Precedence: bulk\nSubject: News\n\nx\n", AUTOMAIL_BULK},
    {"Precedence: junk", PERSON "Precedence: junk\nSubject: News\n\nx\n", AUTOMAIL_BULK},
    {"Precedence: list and List-Id",
     PERSON "Precedence: list\nList-Id: <a.example.org>\nSubject: x\n\nx\n", AUTOMAIL_BULK},
    {"List-Id", PERSON "List-Id: Forum <forum.example.org>\nSubject: x\n\nx\n", AUTOMAIL_LIST},
    {"null Return-Path", "Return-Path: <>\n" PERSON "Subject: x\n\nx\n", AUTOMAIL_NULL_SENDER},
    {"null path beats bulk", "Return-Path: <>\n" PERSON "Precedence: bulk\nSubject: x\n\nx\n",
     AUTOMAIL_NULL_SENDER},
    {"normal Return-Path", "Return-Path: <jane@example.net>\n" PERSON "Subject: x\n\nx\n",
     AUTOMAIL_NONE},
    {"MAILER-DAEMON return path",
     "Return-Path: <MAILER-DAEMON@mx.example.net>\n" PERSON "Subject: x\n\nx\n",
     AUTOMAIL_NULL_SENDER},
    {"DSN report",
     "Return-Path: <>\nFrom: MAILER-DAEMON@mx.example.net\nTo: complaints@council.example\n"
     "Auto-Submitted: auto-replied\nSubject: Undelivered Mail\nMIME-Version: 1.0\n"
     "Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n"
     "--b\nContent-Type: text/plain\n\nfailed\n--b\nContent-Type: message/delivery-status\n\n"
     "Reporting-MTA: dns; mx.example.net\n\nFinal-Recipient: rfc822; x@example.org\n"
     "Action: failed\nStatus: 5.1.1\n\n--b--\n",
     AUTOMAIL_DSN},
    {"bounce with original attached",
     "From: Mail Delivery Subsystem <mailer-daemon@example.net>\nTo: complaints@council.example\n"
     "Subject: Returned mail\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n\n"
     "--b\nContent-Type: text/plain\n\nfailed\n--b\nContent-Type: message/rfc822\n\n"
     "From: complaints@council.example\nMessage-ID: <ack-1@council.example>\nSubject: "
     "x\n\ny\n--b--\n",
     AUTOMAIL_DSN},
    {"DSN beats auto-submitted, bulk and list",
     "Return-Path: <>\nFrom: MAILER-DAEMON@mx.example.net\nAuto-Submitted: auto-replied\n"
     "Precedence: bulk\nList-Id: <l.example.org>\nSubject: Automatic reply: x\nMIME-Version: 1.0\n"
     "Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n"
     "--b\nContent-Type: message/delivery-status\n\nFinal-Recipient: rfc822; x@example.org\n"
     "Action: failed\nStatus: 5.0.0\n\n--b--\n",
     AUTOMAIL_DSN},
    {"out-of-office beats null sender and bulk",
     "Return-Path: <>\n" PERSON "Auto-Submitted: auto-replied\nPrecedence: bulk\n"
     "Subject: Out of Office: x\n\nx\n",
     AUTOMAIL_OUT_OF_OFFICE},
    {"auto-reply beats list",
     PERSON "Auto-Submitted: auto-replied\nList-Id: <l.example.org>\n"
            "Subject: Ticket 5 opened\n\nx\n",
     AUTOMAIL_AUTO_REPLY},
    {"bulk beats list", PERSON "Precedence: junk\nList-Id: <l.example.org>\nSubject: x\n\nx\n",
     AUTOMAIL_BULK},
    {"a person quoting an OOF subject in a reply",
     PERSON "Subject: Re: Automatic reply: Bins\n\nStill waiting\n", AUTOMAIL_NONE},
    {"postmaster without report", "From: postmaster@example.net\nSubject: hello\n\nx\n",
     AUTOMAIL_NULL_SENDER},
};

static void
test_classify_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_message_ struct message *m = NULL;
		enum automail_kind k;

		assert_int_equal(message_parse(cases[i].raw, strlen(cases[i].raw), NULL, &m, NULL),
		                 MSG_OK);
		k = automail_classify(m);
		if (k != cases[i].want)
			fail_msg("%s: got %s, want %s", cases[i].what, automail_kind_to_string(k),
			         automail_kind_to_string(cases[i].want));
	}
}

static void
test_kind_names(void **state)
{
	(void)state;
	assert_string_equal(automail_kind_to_string(AUTOMAIL_NONE), "none");
	assert_string_equal(automail_kind_to_string(AUTOMAIL_DSN), "dsn");
	assert_string_equal(automail_kind_to_string(AUTOMAIL_AUTO_REPLY), "auto_reply");
	assert_string_equal(automail_kind_to_string(AUTOMAIL_OUT_OF_OFFICE), "out_of_office");
	assert_string_equal(automail_kind_to_string(AUTOMAIL_BULK), "bulk");
	assert_string_equal(automail_kind_to_string(AUTOMAIL_LIST), "list");
	assert_string_equal(automail_kind_to_string(AUTOMAIL_NULL_SENDER), "null_sender");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_classify_table),
	    cmocka_unit_test(test_kind_names),
	};
	int rc = cmocka_run_group_tests_name("automail", tests, NULL, NULL);

	return rc ? 1 : 0;
}
