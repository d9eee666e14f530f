/*
 * test_exorg.c - Exchange Online's organization headers (parsers/exorg.h):
 * internal mail of the council's tenant is recognised, and every way the
 * headers can fail to prove it (another tenant, Anonymous, contradicting
 * copies, a hop outside Exchange Online, missing fields, limits) is refused
 * with a reason.
 *
 * The test mail, tests/fixtures/exchange-internal.eml, has the shape of a
 * reply sent from Outlook to a shared mailbox of the same Microsoft 365
 * tenant, as Exchange Online delivers it: the fields, their order, folding
 * and values follow the headers of internal Exchange Online mail published
 * in public header samples (a course's annotated "R17. Print out the header
 * of an e-mail message" answer; mail-parser test data), with what Microsoft
 * documents about them: "Demystifying and troubleshooting hybrid mail flow:
 * when is a message internal?" (Exchange Team Blog, May 2020,
 * https://techcommunity.microsoft.com/t5/exchange-team-blog/demystifying-and-troubleshooting-hybrid-mail-flow-when-is-a/ba-p/1420838:
 * X-MS-Exchange-Organization-AuthAs, the header firewall, tenant attribution),
 * "Anti-spam message headers in Microsoft 365"
 * (https://learn.microsoft.com/defender-office-365/message-headers-eop-mdo:
 * X-Forefront-Antispam-Report, DIR:INT for mail within the organization) and
 * "Use headers to determine which Exchange Online tenant a message was
 * attributed to" (EOP field notes, 2019).  Server names, ids and addresses
 * are placeholders (council.example, example.net); the tenant id is made up.
 * The inbound variant below is shaped like mail from the internet as
 * Exchange stamps it on arrival (AuthAs Anonymous, MessageDirectionality
 * Incoming, DIR:INB, a front-end hop "via Frontend Transport").
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "exorg.h"
#include "util.h"

#define TENANT "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
#define OTHER_TENANT "8d4e2f10-3b5a-4c6d-9e7f-a1b2c3d4e5f6"

static char *fixture;

static int
load_fixture(void **state)
{
	FILE *f = fopen(SRCDIR "/tests/fixtures/exchange-internal.eml", "re");
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;

	assert_non_null(f);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		assert_int_equal(buf_append(&b, chunk, n), 0);
	fclose(f);
	fixture = buf_steal(&b);
	return 0;
}

static int
free_fixture(void **state)
{
	free(fixture);
	return 0;
}

/* The fixture with the first occurrence of old replaced by new (old must be there). */
static char *
variant(const char *base, const char *old, const char *new)
{
	const char *at = strstr(base, old);

	if (at == NULL)
		fail_msg("the fixture lacks \"%s\"", old);
	return xasprintf("%.*s%s%s", (int)(at - base), base, new, at + strlen(old));
}

/* Evaluate text; expect internal or a reason containing why. */
static void
expect(const char *what, const char *text, const char *tenant, const char *why)
{
	struct exorg_verdict v;

	exorg_evaluate(text, strlen(text), tenant, &v);
	if (why == NULL) {
		if (!v.internal)
			fail_msg("%s: not internal: %s", what, v.summary);
		return;
	}
	if (v.internal)
		fail_msg("%s: taken as internal (%s)", what, v.summary);
	if (strstr(v.summary, why) == NULL)
		fail_msg("%s: summary \"%s\" lacks \"%s\"", what, v.summary, why);
}

static void
test_internal_reply(void **state)
{
	struct exorg_verdict v;

	exorg_evaluate(fixture, strlen(fixture), TENANT, &v);
	assert_true(v.internal);
	assert_string_equal(v.summary, "exchange: internal to tenant " TENANT
				       " (AuthAs Internal, mechanism 04)");
	/* the tenant id as the portal shows it, in capitals */
	expect("tenant id in capitals", fixture, "0A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D", NULL);
	/* CRLF line ends, as IMAP delivers them */
	_cleanup_buf_ struct buf crlf = BUF_INIT;
	for (const char *p = fixture; *p; p++) {
		if (*p == '\n')
			assert_int_equal(buf_putc(&crlf, '\r'), 0);
		assert_int_equal(buf_putc(&crlf, *p), 0);
	}
	expect("CRLF", buf_str(&crlf), TENANT, NULL);
}

static void
test_case_and_folding(void **state)
{
	_cleanup_free_ char *lower = variant(fixture, "X-MS-Exchange-CrossTenant-Id: ",
					     "x-ms-exchange-crosstenant-id: ");
	_cleanup_free_ char *folded = variant(fixture, "X-MS-Exchange-CrossTenant-AuthAs: Internal",
					      "X-MS-Exchange-CrossTenant-AuthAs:\n Internal");

	/* submitted over SMTP AUTH to Exchange Online's front end (smtp.office365.com) */
	_cleanup_free_ char *submitted = variant(
	    fixture, "Received: from LO6P265MB6001.GBRP265.PROD.OUTLOOK.COM\n ([fe80",
	    "Received: from [192.0.2.7] (198.51.100.7) by LO2P265CA0123.outlook.office365.com\n"
	    " (2603:10a6:600:9f::17) with Microsoft SMTP Server (version=TLS1_2) id 15.20.8207.18;\n"
	    " Mon, 7 Dec 2026 10:15:01 +0000\nReceived: from LO6P265MB6001.GBRP265.PROD.OUTLOOK.COM\n ([fe80");
	_cleanup_free_ char *lookalike = variant(
	    fixture, "Received: from LO6P265MB6001.GBRP265.PROD.OUTLOOK.COM\n ([fe80",
	    "Received: from a by mail.outlook.com.example.net; Mon, 7 Dec 2026 10:15:01 +0000\n"
	    "Received: from LO6P265MB6001.GBRP265.PROD.OUTLOOK.COM\n ([fe80");

	expect("a hop through Exchange Online's submission front end", submitted, TENANT, NULL);
	expect("a host that only looks like Exchange's", lookalike, TENANT, "a hop outside Exchange Online");
	/* Exchange itself writes some of these names in lower case ("-id", "-fromentityheader") */
	expect("lower-case field name", lower, TENANT, NULL);
	expect("folded value", folded, TENANT, NULL);
}

static void
test_refused(void **state)
{
	static const struct {
		const char *what, *old, *new, *why;
	} cases[] = {
	    {"another tenant's id", "CrossTenant-Id: " TENANT, "CrossTenant-Id: " OTHER_TENANT,
	     "another tenant (X-MS-Exchange-CrossTenant-Id: " OTHER_TENANT ")"},
	    {"organization AuthAs Anonymous", "Organization-AuthAs: Internal",
	     "Organization-AuthAs: Anonymous",
	     "X-MS-Exchange-Organization-AuthAs: Anonymous, not Internal"},
	    {"cross-tenant AuthAs Anonymous", "CrossTenant-AuthAs: Internal",
	     "CrossTenant-AuthAs: Anonymous", "X-MS-Exchange-CrossTenant-AuthAs: Anonymous"},
	    {"AuthAs Internal and Anonymous",
	     "X-MS-Exchange-Organization-AuthAs: Internal\n",
	     "X-MS-Exchange-Organization-AuthAs: Anonymous\nX-MS-Exchange-Organization-AuthAs: Internal\n",
	     "copies of X-MS-Exchange-Organization-AuthAs that contradict each other"},
	    {"two tenant ids", "X-MS-Exchange-CrossTenant-Id: ",
	     "X-MS-Exchange-CrossTenant-Id: " OTHER_TENANT "\nX-MS-Exchange-CrossTenant-Id: ",
	     "copies of X-MS-Exchange-CrossTenant-Id that contradict each other"},
	    {"no organization AuthAs (the header firewall removed it)",
	     "X-MS-Exchange-Organization-AuthAs: Internal\n", "",
	     "no X-MS-Exchange-Organization-AuthAs"},
	    {"no AuthMechanism", "X-MS-Exchange-Organization-AuthMechanism: 04\n", "",
	     "no X-MS-Exchange-Organization-AuthMechanism"},
	    {"no AuthSource",
	     "X-MS-Exchange-Organization-AuthSource: LO6P265MB6001.GBRP265.PROD.OUTLOOK.COM\n", "",
	     "no X-MS-Exchange-Organization-AuthSource"},
	    {"no cross-tenant AuthAs", "X-MS-Exchange-CrossTenant-AuthAs: Internal\n", "",
	     "no X-MS-Exchange-CrossTenant-AuthAs"},
	    {"no tenant id", "X-MS-Exchange-CrossTenant-Id: " TENANT "\n", "",
	     "no X-MS-Exchange-CrossTenant-Id"},
	    {"a mechanism Exchange does not write", "AuthMechanism: 04", "AuthMechanism: password",
	     "is not Exchange's"},
	    {"an auth source outside Exchange Online",
	     "Organization-AuthSource: LO6P265MB6001.GBRP265.PROD.OUTLOOK.COM",
	     "Organization-AuthSource: mail.example.net", "is not an Exchange Online server"},
	    {"incoming, not originating", "MessageDirectionality: Originating",
	     "MessageDirectionality: Incoming", "not Originating"},
	    {"EOP says inbound", "DIR:INT;", "DIR:INB;", "DIR:INB, not INT"},
	    /* the trust assumption: mail reaches the mailbox only through Exchange Online */
	    {"delivered by a server outside Exchange Online", "Received: from LO4P265MB5678",
	     "Received: from localhost (localhost [127.0.0.1])\n by mx.council.example (OpenSMTPD)"
	     " with ESMTP id 2f1c3a4b; Mon, 7 Dec 2026 10:15:05 +0000\nReceived: from LO4P265MB5678",
	     "a hop outside Exchange Online (Received: by mx.council.example)"},
	    {"a Received: without a by host", "Received: from LO4P265MB5678",
	     "Received: from somewhere; Mon, 7 Dec 2026 10:15:05 +0000\nReceived: from LO4P265MB5678",
	     "without a \"by\" host"},
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_free_ char *text = variant(fixture, cases[i].old, cases[i].new);

		expect(cases[i].what, text, TENANT, cases[i].why);
	}
	expect("configured for another tenant", fixture, OTHER_TENANT, "another tenant");
}

/* Mail from the internet as Exchange Online stamps it on arrival, with forged internal headers below. */
static void
test_inbound_forgery(void **state)
{
	const char *stamped =
	    "Received: from LO2P265MB1234.GBRP265.PROD.OUTLOOK.COM (2603:10a6:600:1a3::1)\n"
	    " by LO2P265MB1234.GBRP265.PROD.OUTLOOK.COM with HTTPS; Mon, 7 Dec 2026\n"
	    " 11:02:11 +0000\n"
	    "Received: from mail.example.net (192.0.2.25) by\n"
	    " LO1PEPF00001234.mail.protection.outlook.com (10.167.242.50) with Microsoft SMTP\n"
	    " Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id\n"
	    " 15.20.8207.18 via Frontend Transport; Mon, 7 Dec 2026 11:02:10 +0000\n"
	    "Authentication-Results: spf=fail (sender IP is 192.0.2.25)\n"
	    " smtp.mailfrom=council.example; dkim=none (message not signed)\n"
	    " header.d=none;dmarc=fail action=quarantine header.from=council.example;\n"
	    "X-MS-Exchange-Organization-MessageDirectionality: Incoming\n"
	    "X-MS-Exchange-Organization-AuthAs: Anonymous\n"
	    "X-MS-Exchange-Organization-AuthSource: LO1PEPF00001234.mail.protection.outlook.com\n"
	    "X-Forefront-Antispam-Report: CIP:192.0.2.25;CTRY:GB;LANG:en;SCL:5;SRV:;IPV:NLI;"
	    "SFV:SPM;H:mail.example.net;PTR:mail.example.net;CAT:SPOOF;SFS:;DIR:INB;\n"
	    "X-MS-Exchange-CrossTenant-Id: " TENANT "\n"
	    "X-MS-Exchange-CrossTenant-AuthAs: Anonymous\n"
	    "Received: from forger.example.net by mail.example.net; Mon, 7 Dec 2026 11:02:09 +0000\n";
	/* the forger's copy of an internal message, below what Exchange added */
	_cleanup_free_ char *text = xasprintf("%s%s", stamped, fixture);
	struct exorg_verdict v;

	exorg_evaluate(text, strlen(text), TENANT, &v);
	assert_false(v.internal);
	assert_non_null(strstr(v.summary, "exchange: not internal: "));
	/* and without the forged part: just inbound mail */
	_cleanup_free_ char *plain = xasprintf("%sFrom: a@example.net\n\nhello\n", stamped);
	exorg_evaluate(plain, strlen(plain), TENANT, &v);
	assert_false(v.internal);
}

static void
test_body_does_not_count(void **state)
{
	/* the headers after the blank line are text, not header fields */
	const char *blank = strstr(fixture, "\n\n");
	_cleanup_free_ char *text =
	    xasprintf("From: Olivia Officer <olivia.officer@council.example>\n\n%.*s", (int)(blank - fixture),
		      fixture);

	expect("organization headers in the body", text, TENANT, "no X-MS-Exchange-Organization-AuthAs");
}

static void
test_limits(void **state)
{
	_cleanup_buf_ struct buf many = BUF_INIT, received = BUF_INIT, longv = BUF_INIT;
	_cleanup_free_ char *t1 = NULL, *t2 = NULL, *t3 = NULL;

	for (int i = 0; i < EXORG_MAX_COPIES; i++)
		assert_int_equal(buf_puts(&many, "X-MS-Exchange-CrossTenant-AuthAs: Internal\n"), 0);
	t1 = variant(fixture, "X-MS-Exchange-CrossTenant-AuthAs: Internal\n", buf_str(&many));
	expect("copies up to the limit", t1, TENANT, NULL);
	free(t1);
	assert_int_equal(buf_puts(&many, "X-MS-Exchange-CrossTenant-AuthAs: Internal\n"), 0);
	t1 = variant(fixture, "X-MS-Exchange-CrossTenant-AuthAs: Internal\n", buf_str(&many));
	expect("one copy too many", t1, TENANT, "more than 16 copies");

	for (int i = 0; i < EXORG_MAX_RECEIVED; i++)
		assert_int_equal(buf_puts(&received, "Received: from a by b.prod.outlook.com; x\n"), 0);
	t2 = xasprintf("%s%s", buf_str(&received), fixture);
	expect("too many Received: fields", t2, TENANT, "more than 64 Received");

	assert_int_equal(buf_puts(&longv, "X-MS-Exchange-Organization-AuthSource: "), 0);
	for (int i = 0; i < EXORG_MAX_VALUE; i++)
		assert_int_equal(buf_putc(&longv, 'a'), 0);
	assert_int_equal(buf_puts(&longv, ".outlook.com\n"), 0);
	t3 = variant(fixture,
		     "X-MS-Exchange-Organization-AuthSource: LO6P265MB6001.GBRP265.PROD.OUTLOOK.COM\n",
		     buf_str(&longv));
	expect("an overlong value", t3, TENANT, "longer than 1024 bytes");

	/* the header section is read no further than EXORG_MAX_HEADER */
	_cleanup_buf_ struct buf padded = BUF_INIT;
	while (padded.len <= EXORG_MAX_HEADER)
		assert_int_equal(buf_puts(&padded, "X-Padding: 0123456789012345678901234567890123456789012345\n"), 0);
	assert_int_equal(buf_puts(&padded, fixture), 0);
	expect("past the scanned part", buf_str(&padded), TENANT, "no X-MS-Exchange-Organization-AuthAs");
}

static void
test_tenant_id(void **state)
{
	struct exorg_verdict v;

	assert_true(exorg_tenant_id_valid(TENANT));
	assert_true(exorg_tenant_id_valid("0A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D"));
	assert_false(exorg_tenant_id_valid(""));
	assert_false(exorg_tenant_id_valid(NULL));
	assert_false(exorg_tenant_id_valid("council.onmicrosoft.com"));
	assert_false(exorg_tenant_id_valid("{0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d}"));
	assert_false(exorg_tenant_id_valid("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4"));
	assert_false(exorg_tenant_id_valid("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4dd"));
	assert_false(exorg_tenant_id_valid("0a1b2c3d4e5f-4a6b-8c7d-9e0f1a2b3c4d-"));
	assert_false(exorg_tenant_id_valid("0a1b2c3g-4e5f-4a6b-8c7d-9e0f1a2b3c4d"));
	/* without a valid id nothing is internal */
	exorg_evaluate(fixture, strlen(fixture), "", &v);
	assert_false(v.internal);
	exorg_evaluate(fixture, strlen(fixture), "council.onmicrosoft.com", &v);
	assert_false(v.internal);
	exorg_evaluate(NULL, 0, TENANT, &v);
	assert_false(v.internal);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_internal_reply),   cmocka_unit_test(test_case_and_folding),
	    cmocka_unit_test(test_refused),          cmocka_unit_test(test_inbound_forgery),
	    cmocka_unit_test(test_body_does_not_count), cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_tenant_id),
	};

	return cmocka_run_group_tests(tests, load_fixture, free_fixture);
}
