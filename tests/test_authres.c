/*
 * test_authres.c - Authentication-Results (RFC 8601): the parser, and which
 * fields of which host prove what about the From domain.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "authres.h"
#include "automail.h"
#include "util.h"

#define TRUSTED "mx.council.example"
#define TOP "Received: from mail.example.org by mx.council.example; Tue, 1 Dec 2026 10:00:00 +0000\n"
#define AR "Authentication-Results: "
#define REST "From: Olivia Officer <olivia@council.example>\nSubject: Re: [CMP-2026-000001]\n\n#close\n"

enum { DMARC = 1, DKIM = 2, SPF = 4, AUTH = 8, FOUND = 16 };

static const struct {
	const char *what;
	const char *raw;
	const char *domain;
	int want; /* FOUND | the proofs */
} cases[] = {
    {"no Authentication-Results at all", TOP REST, "council.example", 0},
    {"DMARC pass from the trusted host", AR TRUSTED "; dmarc=pass header.from=council.example\n" TOP REST,
     "council.example", FOUND | DMARC},
    {"host names compare without case", AR "MX.Council.Example; DMARC=Pass header.from=Council.Example\n" REST,
     "council.example", FOUND | DMARC},
    {"DMARC pass for another domain", AR TRUSTED "; dmarc=pass header.from=example.org\n" REST,
     "council.example", FOUND},
    {"DMARC fail", AR TRUSTED "; dmarc=fail (p=none) header.from=council.example\n" REST,
     "council.example", FOUND},
    {"DKIM pass for the domain", AR TRUSTED "; dkim=pass header.d=council.example header.s=s1\n" REST,
     "council.example", FOUND | DKIM},
    {"DKIM pass by header.i", AR TRUSTED "; dkim=pass header.i=@council.example\n" REST,
     "council.example", FOUND | DKIM},
    {"DKIM pass for a look-alike domain", AR TRUSTED "; dkim=pass header.d=evilcouncil.example\n" REST,
     "council.example", FOUND},
    {"DKIM pass for a parent domain", AR TRUSTED "; dkim=pass header.d=example\n" REST, "council.example",
     FOUND},
    {"one good DKIM signature among several", AR TRUSTED "; dkim=fail header.d=council.example;\n"
     "\tdkim=pass header.d=mailer.example.net; dkim=pass header.d=council.example\n" REST,
     "council.example", FOUND | DKIM},
    {"SPF pass for the envelope domain", AR TRUSTED "; spf=pass smtp.mailfrom=jane@example.net\n" REST,
     "example.net", FOUND | SPF},
    {"SPF pass for another envelope domain", AR TRUSTED "; spf=pass smtp.mailfrom=bounce@mailer.example.org\n" REST,
     "example.net", FOUND},
    {"SMTP AUTH on the council's server", AR TRUSTED "; auth=pass smtp.auth=olivia\n" REST,
     "council.example", FOUND | AUTH},
    {"everything, folded, with comments and a version",
     AR TRUSTED " 1;\n\tdkim=pass (2048-bit key; secure) header.d=council.example;\n"
     "\tspf=pass (sender SPF authorized) smtp.mailfrom=council.example;\n"
     "\tdmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=council.example\n" REST,
     "council.example", FOUND | DMARC | DKIM | SPF},
    {"a quoted authserv-id", AR "\"" TRUSTED "\"; dmarc=pass\n" REST, "council.example", FOUND | DMARC},
    {"none", AR TRUSTED "; none\n" REST, "council.example", FOUND},
    {"another host's field is ignored", AR "evil.example.org; dmarc=pass header.from=council.example\n" REST,
     "council.example", 0},
    {"an authserv-id that only starts like ours",
     AR TRUSTED ".evil.example.org; dmarc=pass header.from=council.example\n" REST, "council.example", 0},
    {"a forged field below the trusted one (with the hop between)",
     TOP AR TRUSTED "; dmarc=fail header.from=council.example\n"
     "Received: from evil.example.org by mail.example.org\n"
     AR TRUSTED "; dmarc=pass header.from=council.example; auth=pass\n" REST,
     "council.example", FOUND},
    {"a forged field below the trusted one with no result of its own",
     AR TRUSTED "; spf=none smtp.mailfrom=council.example\n" TOP
     AR TRUSTED "; dkim=pass header.d=council.example\n" REST, "council.example", FOUND},
    {"a forged field directly below cannot override the method above",
     AR TRUSTED "; dmarc=fail header.from=council.example\n"
     AR TRUSTED "; dmarc=pass header.from=council.example\n" REST, "council.example", FOUND},
    {"two fields of the trusted host together (one per method)",
     AR TRUSTED "; dmarc=pass header.from=council.example\n"
     AR TRUSTED "; dkim=pass header.d=council.example\n" TOP REST, "council.example",
     FOUND | DMARC | DKIM},
    {"another host above ours does not hide ours",
     AR "imap.council.example; x-local=pass\n" AR TRUSTED "; dmarc=pass\n" REST, "council.example",
     FOUND | DMARC},
    {"a forged field above ours with our id claims the top: it is ours that must strip it",
     AR TRUSTED "; dmarc=pass\n" TOP REST, "council.example", FOUND | DMARC},
    {"malformed trusted field proves nothing and hides the one below",
     AR TRUSTED "; dmarc pass\n" AR TRUSTED "; dmarc=pass\n" REST, "council.example", FOUND},
    {"an unterminated comment", AR TRUSTED "; dmarc=pass (oops\n" REST, "council.example", FOUND},
    {"fields in the body do not count", "From: x@council.example\n\n" AR TRUSTED "; dmarc=pass\n",
     "council.example", 0},
    {"Exchange Online: no authserv-id, bare properties",
     AR "spf=pass (sender IP is 203.0.113.5) smtp.mailfrom=council.example; dkim=pass (signature was\n"
     " verified) header.d=council.example;dmarc=pass action=none\n header.from=council.example;compauth=pass\n reason=100\n" REST,
     "council.example", 0 /* evaluated against "exchange-online" below */},
    {"CRLF line ends", AR TRUSTED ";\r\n\tdkim=pass header.d=council.example\r\n" REST,
     "council.example", FOUND | DKIM},
    {"DMARC pass without header.from but no From domain", AR TRUSTED "; dmarc=pass\n\n", "", FOUND},
};

static void
test_evaluate(void **state)
{
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct authres_verdict v;
		int got;

		authres_evaluate(cases[i].raw, strlen(cases[i].raw), TRUSTED, cases[i].domain, &v);
		got = (v.found ? FOUND : 0) | (v.dmarc_pass ? DMARC : 0) | (v.dkim_pass ? DKIM : 0) |
		      (v.spf_pass ? SPF : 0) | (v.auth_pass ? AUTH : 0);
		if (got != cases[i].want)
			fail_msg("%s: want %#x, got %#x (%s)", cases[i].what, cases[i].want, got,
				 v.summary);
	}
}

static void
test_exchange_online(void **state)
{
	const char *eop = AR "spf=pass (sender IP is 203.0.113.5) smtp.mailfrom=council.example; "
			  "dkim=pass (signature was verified) header.d=council.example;dmarc=pass "
			  "action=none header.from=council.example;compauth=pass reason=100\n";
	const char *forged = TOP AR "spf=fail smtp.mailfrom=evil.example.org; dmarc=fail action=none "
			     "header.from=council.example\n" "Received: from evil.example.org\n"
			     AR "dmarc=pass header.from=council.example\n" REST;
	_cleanup_free_ char *raw = xasprintf("%s" TOP REST, eop);
	struct authres_verdict v;

	authres_evaluate(raw, strlen(raw), AUTHRES_NO_ID, "council.example", &v);
	assert_true(v.found && v.dmarc_pass && v.dkim_pass && v.spf_pass && !v.auth_pass);
	authres_evaluate(forged, strlen(forged), AUTHRES_NO_ID, "council.example", &v);
	assert_true(v.found);
	assert_false(v.dmarc_pass || v.dkim_pass || v.spf_pass);
	/* a header with an id is not Microsoft's, and Microsoft's is nobody else's */
	authres_evaluate(raw, strlen(raw), TRUSTED, "council.example", &v);
	assert_false(v.found);
	{
		const char *named = AR TRUSTED "; dmarc=pass\n" REST;

		authres_evaluate(named, strlen(named), AUTHRES_NO_ID, "council.example", &v);
		assert_false(v.found);
	}
}

static void
test_no_trusted_host_proves_nothing(void **state)
{
	const char *raw = AR TRUSTED "; dmarc=pass; auth=pass\n" REST;
	struct authres_verdict v;

	authres_evaluate(raw, strlen(raw), "", "council.example", &v);
	assert_false(v.found || v.dmarc_pass || v.auth_pass);
	assert_non_null(strstr(v.summary, "no trusted_authserv_id"));
}

static void
test_summary_names_the_verdict(void **state)
{
	const char *raw = AR TRUSTED "; dkim=none; dmarc=fail header.from=council.example\n" REST;
	struct authres_verdict v;

	authres_evaluate(raw, strlen(raw), TRUSTED, "council.example", &v);
	assert_string_equal(v.summary, TRUSTED ": dmarc=fail dkim=none");
	authres_evaluate(REST, strlen(REST), TRUSTED, "council.example", &v);
	assert_string_equal(v.summary, "no Authentication-Results from " TRUSTED);
}

static void
test_parse_fields(void **state)
{
	const char *v = " mx.council.example 1; dkim=pass (good) reason=\"signature ok\" "
			"header.d=council.example header.b=\"ab/c+=\"; spf = fail smtp.mailfrom=x@example.org";
	struct authres a;

	authres_parse(v, strlen(v), &a);
	assert_false(a.malformed);
	assert_string_equal(a.authserv_id, "mx.council.example");
	assert_int_equal(a.n_results, 2);
	assert_string_equal(a.results[0].method, "dkim");
	assert_string_equal(a.results[0].result, "pass");
	assert_string_equal(authres_prop(&a.results[0], "header.d"), "council.example");
	assert_string_equal(authres_prop(&a.results[0], "header.b"), "ab/c+=");
	assert_null(authres_prop(&a.results[0], "header.i"));
	assert_string_equal(a.results[1].method, "spf");
	assert_string_equal(a.results[1].result, "fail");
	assert_string_equal(authres_prop(&a.results[1], "smtp.mailfrom"), "x@example.org");
	authres_clear(&a);
}

static void
test_parse_limits(void **state)
{
	_cleanup_free_ char *many = NULL, *props = NULL, *huge = NULL;
	struct authres a;

	many = xstrdup(TRUSTED);
	for (int i = 0; i <= AUTHRES_MAX_RESULTS; i++) {
		char *n = xasprintf("%s; dkim=pass header.d=d%d.example", many, i);
		free(many);
		many = n;
	}
	authres_parse(many, strlen(many), &a);
	assert_true(a.malformed);
	assert_int_equal(a.n_results, 0);
	assert_string_equal(a.authserv_id, TRUSTED);
	authres_clear(&a);

	props = xstrdup(TRUSTED "; dkim=pass");
	for (int i = 0; i <= AUTHRES_MAX_PROPS; i++) {
		char *n = xasprintf("%s header.x%d=v", props, i);
		free(props);
		props = n;
	}
	authres_parse(props, strlen(props), &a);
	assert_true(a.malformed);
	authres_clear(&a);

	huge = xmalloc(AUTHRES_MAX_FIELD + 100);
	memset(huge, ' ', AUTHRES_MAX_FIELD + 99);
	memcpy(huge, TRUSTED "; dmarc=pass", strlen(TRUSTED "; dmarc=pass"));
	huge[AUTHRES_MAX_FIELD + 99] = '\0';
	authres_parse(huge, strlen(huge), &a);
	assert_true(a.malformed);
	assert_int_equal(a.n_results, 0);
	authres_clear(&a);
}

static void
test_never_answer(void **state)
{
	static const char *const never[] = {
	    "noreply@example.net",         "no-reply@example.net",     "NoReply-12@example.net",
	    "donotreply@example.net",      "do-not-reply@example.net", "forum-request@lists.example.org",
	    "forum-bounces@lists.example.org", "forum-bounces+jane=example.net@lists.example.org",
	    "owner-forum@lists.example.org", "MAILER-DAEMON@mx.example.net", "postmaster@example.net",
	    "", NULL,
	    /* real senders: the robot word after other words */
	    "newsalerts-noreply@dnsbltest.spamassassin.org", /* SpamAssassin's test mail */
	    "noreply-dmarc-support@google.com",              /* DMARC aggregate reports */
	    "account-security-noreply@accountprotection.microsoft.com",
	    "no_reply@email.apple.com", "no-reply@accounts.google.com",
	    /* the same shapes seen from other senders */
	    "council.tax.noreply@notifications.example.org", "Payments-DoNotReply@bank.example.com",
	    "orders_do_not_reply@shop.example.com", "alerts.do-not-reply@example.org",
	    "no.reply@example.org", "noreply+a1b2c3@example.com", "mail2noreply@example.net",
	    "NewsNoReply@example.com", "NOREPLY@EXAMPLE.NET",
	};
	static const char *const answer[] = {
	    "jane@example.net", "noah.reply@example.net", "request@example.net",
	    "the-owner@example.net", "postmasters.guild@example.org",
	    /* residents whose names hold the letters by accident */
	    "bruno.reply@example.net", "juno-reply@example.org", "dino_reply@example.net",
	    "BrunoReply@example.net", "arnoreply@example.org", "reply.jones@example.org",
	    "ireplyfast@example.net", "leno.replies@example.net", "aldo-not-replying@example.org",
	};

	for (size_t i = 0; i < ELEMENTSOF(never); i++)
		if (!automail_never_answer(never[i]))
			fail_msg("%s should never be answered", never[i] ? never[i] : "(null)");
	for (size_t i = 0; i < ELEMENTSOF(answer); i++)
		if (automail_never_answer(answer[i]))
			fail_msg("%s should be answered", answer[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_evaluate),
		cmocka_unit_test(test_exchange_online),
		cmocka_unit_test(test_no_trusted_host_proves_nothing),
		cmocka_unit_test(test_summary_names_the_verdict),
		cmocka_unit_test(test_parse_fields),
		cmocka_unit_test(test_parse_limits),
		cmocka_unit_test(test_never_answer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
