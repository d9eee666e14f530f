/*
 * test_footer.c - is the stage footer already in an officer's own text?
 * A table of responses as officers write them, stage 1 and final.
 */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "footer.h"

#define URL "https://www.lgo.org.uk"
#define PHONE "0300 061 0614"

static const struct {
	const char *name;
	const char *text;
	bool final;
	bool present;
} cases[] = {
    {"stage 1 without the route", "Dear Jane,\nYour bin will be collected tomorrow.\n", false,
     false},
    {"stage 1 naming stage 2", "If you are unhappy, ask for a Stage 2 review.", false, true},
    {"stage 1 in words", "You can ask for stage two of our procedure.", false, true},
    {"stage 1 second stage", "Reply to ask for a second stage review.", false, true},
    {"final without details", "Our review is complete. We will not change the decision.", true,
     false},
    {"final naming stage 2 only is not enough", "This is our stage 2 response.", true, false},
    {"final with the web site", "You may contact the Ombudsman at www.lgo.org.uk.", true, true},
    {"final with the bare host, any case", "See LGO.ORG.UK for the Ombudsman.", true, true},
    {"final with the phone spaced differently", "Call the Ombudsman on 0300 0610614.", true,
     true},
    {"final with another number", "Call us on 0300 123 4567.", true, false},
    {"empty text", "", true, false},
};

static void
test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool got = footer_present(cases[i].text, cases[i].final, URL, PHONE);

		if (got != cases[i].present)
			fail_msg("%s: expected %s", cases[i].name, cases[i].present ? "present" : "missing");
	}
}

static void
test_other_ombudsman(void **state)
{
	(void)state;
	assert_true(footer_present("Housing Ombudsman: www.housing-ombudsman.org.uk", true,
				   "https://www.housing-ombudsman.org.uk", "0300 111 3000"));
	assert_false(footer_present("www.lgo.org.uk", true, "https://www.housing-ombudsman.org.uk",
				    "0300 111 3000"));
	assert_false(footer_present(NULL, false, URL, PHONE));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table),
	    cmocka_unit_test(test_other_ombudsman),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
