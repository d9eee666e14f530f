/*
 * test_threadkey.c - finding case references in mangled subjects, the
 * subject key of the fallback match, reference formatting and Message-IDs.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "threadkey.h"
#include "util.h"

static const struct {
	const char *subject;
	const char *prefix;
	const char *want; /* NULL: no reference */
} ref_cases[] = {
	{"[CMP-2026-000123] Bins not collected", "CMP", "CMP-2026-000123"},
	{"Re: [CMP-2026-000123] Bins not collected", "CMP", "CMP-2026-000123"},
	{"RE : AW: Fwd: [CMP-2026-000123] Bins", "CMP", "CMP-2026-000123"},
	{"[EXTERNAL] Re: [CMP-2026-000123] Bins", "CMP", "CMP-2026-000123"},
	{"Re: [cmp-2026-000123]", "CMP", "CMP-2026-000123"},
	{"Re: CMP-2026-000123 bins", "CMP", "CMP-2026-000123"},
	{"Re: [ CMP-2026-000123 ]", "CMP", "CMP-2026-000123"},
	{"Re: CMP 2026 000123", "CMP", "CMP-2026-000123"},
	{"Re: CMP\xe2\x80\x93" "2026\xe2\x80\x93" "000123", "CMP", "CMP-2026-000123"},
	{"Re: CMP\xe2\x80\x94" "2026\xe2\x88\x92" "000123", "CMP", "CMP-2026-000123"},
	{"Re: CMP\xc2\xa0" "2026\xc2\xa0" "000123", "CMP", "CMP-2026-000123"},
	{"Re: CMP_2026_000123", "CMP", "CMP-2026-000123"},
	{"Re: CMP - 2026 - 000123", "CMP", "CMP-2026-000123"},
	{"Re: CMP-2026-123", "CMP", "CMP-2026-000123"},
	{"Re: CMP-2026-1", "CMP", "CMP-2026-000001"},
	{"Re: [CMP-2026-000123] [CMP-2026-000123]", "CMP", "CMP-2026-000123"},
	{"Re: [CMP-2026-000200] was [CMP-2025-000999]", "CMP", "CMP-2026-000200"},
	{"Re: (CMP-2026-000123)", "CMP", "CMP-2026-000123"},
	{"Re:[CMP-2026-999999]", "CMP", "CMP-2026-999999"},
	{"Re: [HSG-2027-000042] Damp", "HSG", "HSG-2027-000042"},
	{"Re: [hsg-2027-000042] Damp", "HSG", "HSG-2027-000042"},
	{"Caf\xc3\xa9 [CMP-2026-000123]", "CMP", "CMP-2026-000123"},
	/* a bad candidate first does not hide a good one later */
	{"CMP-1999-000001 then [CMP-2026-000123]", "CMP", "CMP-2026-000123"},
	/* not references */
	{"Re: CMP-2026-0001234567", "CMP", NULL},
	{"Re: CMP-2026-1234567", "CMP", NULL},
	{"Re: XCMP-2026-000123", "CMP", NULL},
	{"Re: 1CMP-2026-000123", "CMP", NULL},
	{"Re: CMP-1999-000123", "CMP", NULL},
	{"Re: CMP-2100-000123", "CMP", NULL},
	{"Re: CMP-2026-000000", "CMP", NULL},
	{"Re: CMP-2026-0", "CMP", NULL},
	{"Re: [HSG-2026-000123]", "CMP", NULL},
	{"Re: CMP2026000123", "CMP", NULL},
	{"Re: CMP-26-000123", "CMP", NULL},
	{"Re: CMP-20261-000123", "CMP", NULL},
	{"Re: CMP-2026-000123abc", "CMP", NULL},
	{"Re: CMP----2026-000123", "CMP", NULL},
	{"Re: CMP-2026-", "CMP", NULL},
	{"Re: CMP-2026", "CMP", NULL},
	{"Re: CMP", "CMP", NULL},
	{"", "CMP", NULL},
	{"Re: CMP\xe2\x80", "CMP", NULL},
	{"Re: CMP-\xe2", "CMP", NULL},
	{"Re: [CMP-2026-000123]", "", NULL},
	{"Re: [CMP-2026-000123]", "C-P", NULL},
	{"Re: [CMP-2026-000123]", "ABCDEFGHIJKLMNOPQ", NULL},
};

static void
test_find_ref(void **state)
{
	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(ref_cases); i++) {
		char ref[THREADKEY_REF_MAX] = "garbage";
		bool found = threadkey_find_ref(ref_cases[i].subject, ref_cases[i].prefix, ref);

		if (found != (ref_cases[i].want != NULL))
			fail_msg("case %zu \"%s\": found %d (%s)", i, ref_cases[i].subject, found, ref);
		assert_string_equal(ref, ref_cases[i].want ? ref_cases[i].want : "");
	}
}

static const struct {
	const char *subject;
	const char *want;
} subject_cases[] = {
	{"Bins not collected", "bins not collected"},
	{"Re: Bins not collected", "bins not collected"},
	{"RE : Bins not collected", "bins not collected"},
	{"Re[2]: Bins not collected", "bins not collected"},
	{"Re(3): Bins not collected", "bins not collected"},
	{"Re: Re: RE: Fwd: FW: Bins not collected", "bins not collected"},
	{"AW: WG: SV: VS: Antw: Doorst: Bins not collected", "bins not collected"},
	{"RV: TR: R: Fw: Bins not collected", "bins not collected"},
	{"R\xc3\xa9" "f: Bins not collected", "bins not collected"},
	{"R\xc3\x89" "F : Bins not collected", "bins not collected"},
	{"Re\xef\xbc\x9a Bins not collected", "bins not collected"},
	{"[EXTERNAL] Re: Bins not collected", "bins not collected"},
	{"[SPAM] [EXTERNAL] RE: [CMP-2026-000123] Bins not collected", "bins not collected"},
	{"Re: Bins not collected [CMP-2026-000123]", "bins not collected"},
	{"Re: Bins [ HSG-2026-12 ] not   collected", "bins not collected"},
	{"  Bins\tnot\xc2\xa0 collected!!  ", "bins not collected"},
	{"Bins not collected (fwd)", "bins not collected"},
	{"\"Bins not collected\"", "bins not collected"},
	{"Re: Caf\xc3\xa9 licence", "caf\xc3\xa9 licence"},
	{"Recycling: missed again", "recycling: missed again"},
	{"Rent arrears", "rent arrears"},
	{"Bins [urgent] not collected", "bins [urgent] not collected"},
	/* nothing usable */
	{"Re:", ""},
	{"", ""},
	{"(no subject)", ""},
	{"Complaint", ""},
	{"complaint", ""},
	{"Re: COMPLAINT!", ""},
	{"Fwd: Formal complaint", ""},
	{"Enquiry", ""},
	{"help", ""},
	{"Question?", ""},
	{"[CMP-2026-000123]", ""},
	{"Re: [CMP-2026-000123] Complaint", ""},
	{"Re: ok", ""},
	{"-- R\x01e: [EXTERNAL] Damp", "damp"},
	{"Re: AW:,[] RE : [CMN-W:,[EXTERNAL] P-2 RE d)", "cmn-w:,[external] p-2 re d"},
	{"re[CMP-2026-000001]: Damp", "damp"},
	{"Re\xc2\xa0: Damp", "damp"},
	{"!!!", ""},
};

static void
test_normalise_subject(void **state)
{
	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(subject_cases); i++) {
		_cleanup_free_ char *got = threadkey_normalise_subject(subject_cases[i].subject);

		if (!streq(got, subject_cases[i].want))
			fail_msg("case %zu \"%s\": \"%s\", want \"%s\"", i, subject_cases[i].subject,
			    got, subject_cases[i].want);
	}
}

/* Subjects that differ only by client prefixes thread together; others do not. */
static void
test_normalise_subject_pairs(void **state)
{
	static const char *const same[][2] = {
		{"Damp in bedroom", "RE: AW: [EXTERNAL] Re[4]: Damp in bedroom"},
		{"Noise from flat 4", "Fwd: [CMP-2026-000001] noise from   flat 4."},
	};
	static const char *const differ[][2] = {
		{"Damp in bedroom", "Damp in kitchen"},
		{"Bins not collected", "Bins collected"},
	};

	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(same); i++) {
		_cleanup_free_ char *a = threadkey_normalise_subject(same[i][0]);
		_cleanup_free_ char *b = threadkey_normalise_subject(same[i][1]);

		assert_string_not_equal(a, "");
		assert_string_equal(a, b);
	}
	for (size_t i = 0; i < ELEMENTSOF(differ); i++) {
		_cleanup_free_ char *a = threadkey_normalise_subject(differ[i][0]);
		_cleanup_free_ char *b = threadkey_normalise_subject(differ[i][1]);

		assert_string_not_equal(a, b);
	}
	{
		_cleanup_free_ char *n = threadkey_normalise_subject(NULL);

		assert_string_equal(n, "");
	}
}

static void
test_format_ref(void **state)
{
	static const struct {
		const char *prefix;
		int year;
		long seq;
		const char *want;
	} cases[] = {
		{"CMP", 2026, 123, "CMP-2026-000123"},
		{"CMP", 2000, 1, "CMP-2000-000001"},
		{"CMP", 2099, 999999, "CMP-2099-999999"},
		{"HSG2", 2026, 42, "HSG2-2026-000042"},
		{"CMP", 1999, 1, NULL},
		{"CMP", 2100, 1, NULL},
		{"CMP", 2026, 0, NULL},
		{"CMP", 2026, -5, NULL},
		{"CMP", 2026, 1000000, NULL},
		{"", 2026, 1, NULL},
		{"2CMP", 2026, 1, NULL},
		{"CM P", 2026, 1, NULL},
		{NULL, 2026, 1, NULL},
	};

	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_free_ char *got =
		    threadkey_format_ref(cases[i].prefix, cases[i].year, cases[i].seq);

		if (cases[i].want == NULL) {
			assert_null(got);
			continue;
		}
		assert_non_null(got);
		assert_string_equal(got, cases[i].want);
		/* what we format, we find again */
		{
			char ref[THREADKEY_REF_MAX];
			_cleanup_free_ char *subject = xasprintf("Re: [%s] x", got);

			assert_true(threadkey_find_ref(subject, cases[i].prefix, ref));
			assert_string_equal(ref, got);
		}
	}
}

static void
test_normalise_msgid(void **state)
{
	static const struct {
		const char *in;
		const char *want;
	} cases[] = {
		{"<AbC.123@Mail.Example.NET>", "AbC.123@mail.example.net"},
		{"  <AbC.123@mail.example.net>\r\n", "AbC.123@mail.example.net"},
		{"AbC.123@Mail.Example.NET", "AbC.123@mail.example.net"},
		{"<AbC.123@\r\n mail.example.net>", "AbC.123@mail.example.net"},
		{"<a@b@Example.ORG>", "a@b@example.org"},
		{"<CaseSensitive@x>", "CaseSensitive@x"},
		{"<no-at-sign>", "no-at-sign"},
		{"<abc@example.com> (comment)", "abc@example.com"},
		{"<>", NULL},
		{"<<a@example.com>>", NULL},
		{"", NULL},
		{"   ", NULL},
		{"<abc\x01@example.com>", NULL},
		{NULL, NULL},
	};

	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_free_ char *got = threadkey_normalise_msgid(cases[i].in);

		if (cases[i].want == NULL)
			assert_null(got);
		else {
			assert_non_null(got);
			assert_string_equal(got, cases[i].want);
		}
	}
}

/* Message-IDs longer than RFC 5322's line limit are refused. */
static void
test_normalise_msgid_limit(void **state)
{
	char id[1100];
	_cleanup_free_ char *ok = NULL, *too_long = NULL;

	(void)state;
	memset(id, 'a', sizeof(id));
	id[0] = '<';
	memcpy(id + 986, "@example.com", 12); /* 985 + 12 = 997 bytes inside <> */
	id[998] = '>';
	id[999] = '\0';
	ok = threadkey_normalise_msgid(id);
	assert_non_null(ok);
	assert_int_equal(strlen(ok), 997);
	id[998] = 'a';
	memcpy(id + 1000, "@example.com>", 14); /* with NUL */
	id[999] = 'a';
	too_long = threadkey_normalise_msgid(id);
	assert_null(too_long);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find_ref),
		cmocka_unit_test(test_normalise_subject),
		cmocka_unit_test(test_normalise_subject_pairs),
		cmocka_unit_test(test_format_ref),
		cmocka_unit_test(test_normalise_msgid),
		cmocka_unit_test(test_normalise_msgid_limit),
	};

	return cmocka_run_group_tests_name("threadkey", tests, NULL, NULL) ? 1 : 0;
}
