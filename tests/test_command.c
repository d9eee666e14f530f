/*
 * test_command.c - officer command lines: what is applied, what is refused
 * with which explanation, and what the complainant gets relayed.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "buf.h"
#include "command.h"
#include "util.h"

/*
 * One case: the officer's text, the commands expected (as "name:days=arg+text"
 * joined by " ; "), the relayed text, and at most one expected error (line
 * and a part of the explanation).
 */
struct cmd_case {
	const char *in;
	const char *cmds;
	const char *relay;
	unsigned err_line; /* 0: no error expected */
	const char *err_why;
	bool internal;
};

static const struct cmd_case cases[] = {
	/* prose only */
	{"Dear Ms Smith,\n\nThank you for your patience.", "",
	    "Dear Ms Smith,\n\nThank you for your patience.", 0, NULL, false},
	{"", "", "", 0, NULL, false},
	/* reclassify */
	{"#complaint\nDear Ms Smith,", "complaint", "Dear Ms Smith,", 0, NULL, false},
	{"#service-request", "service-request", "", 0, NULL, false},
	{"#Service_Request", "service-request", "", 0, NULL, false},
	{"#complaint please", "", "", 1, "#complaint takes nothing after it", false},
	{"#complaint #extend 5 x", "", "", 1, "each further command on its own line", false},
	/* extend */
	{"#extend 5 waiting for the contractor's report", "extend:5=waiting for the contractor's report",
	    "", 0, NULL, false},
	{"#extend 5 days because the surveyor is away", "extend:5=because the surveyor is away", "", 0,
	    NULL, false},
	{"#EXTEND 10 Working Days: awaiting survey", "extend:10=awaiting survey", "", 0, NULL, false},
	{"#extend 3 - waiting", "extend:3=waiting", "", 0, NULL, false},
	{"#extend 7days legal advice", "extend:7=legal advice", "", 0, NULL, false},
	{"#extend ten more days", "", "", 1, "\"ten\" is not a number", false},
	{"#extend 0 x", "", "", 1, "must be at least 1", false},
	{"#extend 5", "", "", 1, "needs a reason", false},
	{"#extend 5 days", "", "", 1, "needs a reason", false},
	{"#extend", "", "", 1, "needs the number of working days and the reason", false},
	{"#extend 400 x", "", "", 1, "at most 365", false},
	{"#extend 5.5 x", "", "", 1, "\"5.5\" is not a number", false},
	{"#extend -5 x", "", "", 1, "\"-5\" is not a number", false},
	{"#extend 5x reason", "", "", 1, "\"5x\" is not a number", false},
	/* outcome */
	{"#outcome upheld", "outcome=upheld", "", 0, NULL, false},
	{"#outcome Partly Upheld", "outcome=partly-upheld", "", 0, NULL, false},
	{"#outcome not-upheld.", "outcome=not-upheld", "", 0, NULL, false},
	{"#outcome: resolved", "outcome=resolved", "", 0, NULL, false},
	{"#outcome WITHDRAWN", "outcome=withdrawn", "", 0, NULL, false},
	{"#outcome maybe", "", "", 1, "\"maybe\" is not an outcome. Use one of: upheld", false},
	{"#outcome uphled", "", "", 1, "Did you mean #outcome upheld?", false},
	{"#outcome partially upheld", "", "", 1, "Did you mean #outcome partly-upheld?", false},
	{"#outcome", "", "", 1, "#outcome needs the outcome", false},
	{"#outcome upheld we apologise", "", "", 1, "is not an outcome", false},
	/* stages */
	{"#stage2", "stage2", "", 0, NULL, false},
	{"#final", "final", "", 0, NULL, false},
	{"#stage2\n#final", "stage2", "", 2, "#final contradicts #stage2 on line 1", false},
	{"#stage 2", "", "", 1, "Did you mean #stage2?", false},
	/* exclude */
	{"#exclude legal proceedings have started", "exclude=legal proceedings have started", "", 0,
	    NULL, false},
	{"#exclude", "", "", 1, "#exclude needs the reason", false},
	/* consent */
	{"#consent received", "consent=received", "", 0, NULL, false},
	{"#Consent Received.", "consent=received", "", 0, NULL, false},
	{"#consent recieved", "", "", 1, "Did you mean \"#consent received\"?", false},
	{"#consent", "", "", 1, "#consent is written \"#consent received\"", false},
	/* assign */
	{"#assign Jane.Smith@Council.Example", "assign=Jane.Smith@council.example", "", 0, NULL,
	    false},
	{"#assign <housing-team+cases@council.example>", "assign=housing-team+cases@council.example",
	    "", 0, NULL, false},
	{"#assign jane", "", "", 1, "\"jane\" is not a valid email address", false},
	{"#assign jane@@council.example", "", "", 1, "is not a valid email address", false},
	{"#assign jane@council", "", "", 1, "is not a valid email address", false},
	{"#assign .jane@council.example", "", "", 1, "is not a valid email address", false},
	{"#assign jane@-council.example", "", "", 1, "is not a valid email address", false},
	{"#assign jane@council.example please", "", "", 1, "one email address and nothing else",
	    false},
	{"#assign", "", "", 1, "#assign needs the email address", false},
	/* improvement */
	{"#improvement waste crews now photograph missed bins",
	    "improvement=waste+crews now photograph missed bins", "", 0, NULL, false},
	{"#improvement housing: repairs booked within 2 days",
	    "improvement=housing+repairs booked within 2 days", "", 0, NULL, false},
	{"#improvement waste", "", "", 1, "#improvement needs an area", false},
	/* acknowledge */
	{"#acknowledge You are unhappy that the repair was missed.",
	    "acknowledge=You are unhappy that the repair was missed.", "", 0, NULL, false},
	{"#acknowledge You are unhappy that the repair was missed.\nYou want it done this week.\n\n"
	 "Kind regards,\nJane",
	    "acknowledge=You are unhappy that the repair was missed.\nYou want it done this week.",
	    "Kind regards,\nJane", 0, NULL, false},
	{"#acknowledge\nYou are unhappy with the delay.\n#outcome upheld\nRegards",
	    "acknowledge=You are unhappy with the delay. ; outcome=upheld", "Regards", 0, NULL, false},
	{"#acknowledge\n\nDear Mr Jones", "", "Dear Mr Jones", 1, "#acknowledge needs the "
									   "acknowledgement itself",
	    false},
	/* note and internal */
	{"#note Called the resident on Monday\nDear Mr Jones,\nThe repair is booked.",
	    "note=Called the resident on Monday", "Dear Mr Jones,\nThe repair is booked.", 0, NULL,
	    false},
	{"#note", "", "", 1, "#note needs the text", false},
	{"#note one\n#note two", "note=one ; note=two", "", 0, NULL, false},
	{"#internal\nManager says we should offer a goodwill payment.", "internal",
	    "Manager says we should offer a goodwill payment.", 0, NULL, true},
	{"#internal please", "", "", 1, "#internal takes nothing after it", false},
	{"#acknowledge We understand.\n#internal", "acknowledge=We understand.", "", 2,
	    "#internal contradicts #acknowledge on line 1", false},
	/* close */
	{"#close", "close", "", 0, NULL, false},
	{"#outcome resolved\n#close\nThank you for your patience.",
	    "outcome=resolved ; close", "Thank you for your patience.", 0, NULL, false},
	/* scheme */
	{"#scheme housing", "scheme=housing", "", 0, NULL, false},
	{"#scheme LGSCO.", "scheme=lgsco", "", 0, NULL, false},
	{"#scheme ombudsman", "", "", 1, "#scheme is written \"#scheme lgsco\"", false},
	{"#scheme", "", "", 1, "#scheme is written", false},
	{"#housing", "", "", 1, "Did you mean #scheme housing?", false},
	/* misspellings and unknown commands */
	{"#escalte", "", "", 1, "\"#escalte\" is not a command. Did you mean #stage2?", false},
	{"#escalate", "", "", 1, "Did you mean #stage2?", false},
	{"#extnd 5 report awaited", "", "", 1, "Did you mean #extend?", false},
	{"#closed", "", "", 1, "Did you mean #close?", false},
	{"#ack You are unhappy", "", "", 1, "Did you mean #acknowledge?", false},
	{"#upheld", "", "", 1, "Did you mean #outcome upheld?", false},
	{"#servic-request", "", "", 1, "Did you mean #service-request?", false},
	{"#hashtag", "", "", 1, "\"#hashtag\" is not a command. The commands are #complaint", false},
	{"#extend5 x", "", "", 1, "Did you mean #extend?", false},
	/* what is prose */
	{"#1 priority for us is your safety.", "", "#1 priority for us is your safety.", 0, NULL,
	    false},
	{"We are #1 in the region, #close behind.", "",
	    "We are #1 in the region, #close behind.", 0, NULL, false},
	{"# Summary\nText", "", "# Summary\nText", 0, NULL, false},
	{"##close", "", "##close", 0, NULL, false},
	{"#", "", "#", 0, NULL, false},
	{"# outcome upheld", "outcome=upheld", "", 0, NULL, false},
	{"   \t#close", "close", "", 0, NULL, false},
	{"\xc2\xa0#close", "close", "", 0, NULL, false},
	/* line endings, mixing and relay text */
	{"Dear Ms Smith,\r\n#outcome upheld\r\n\r\nWe are sorry.\r\n", "outcome=upheld",
	    "Dear Ms Smith,\n\nWe are sorry.", 0, NULL, false},
	{"\n\n#complaint\n\nDear Ms Smith,\n\n\n\nWe will reply by Friday.   \n#extend 5 awaiting "
	 "report\n\nRegards\n\n",
	    "complaint ; extend:5=awaiting report",
	    "Dear Ms Smith,\n\nWe will reply by Friday.\n\nRegards", 0, NULL, false},
	{"Para one\n\n#note internal\n\nPara two", "note=internal", "Para one\n\nPara two", 0, NULL,
	    false},
	{"Dear X\n#outcome maybe\nRegards", "", "Dear X\nRegards", 2, "is not an outcome", false},
	{"#outcome upheld\n#outcome not-upheld", "outcome=upheld", "", 2,
	    "#outcome was already given on line 1", false},
	{"#complaint\n#service-request", "complaint", "", 2,
	    "#service-request contradicts #complaint on line 1", false},
	{"Dear X\r#close\rRegards", "close", "Dear X\nRegards", 0, NULL, false},
	/* untrusted bytes */
	{"#\x1a\x1a" "close\nx", "close", "x", 0, NULL, false},
	{"#note bad \xff byte\x01 here", "note=bad \xef\xbf\xbd byte here", "", 0, NULL, false},
	{"Caf\xc3\xa9 \xc0\xaf ok", "", "Caf\xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd ok", 0, NULL, false},
};

/* "name:days=arg+text" for each command, joined by " ; ". */
static char *
describe(const struct officer_cmds *c)
{
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < c->n_cmds; i++) {
		const struct officer_cmd *cmd = &c->cmds[i];

		assert_int_equal(buf_printf(&b, "%s%s", i ? " ; " : "", officer_cmd_name(cmd->type)),
		    0);
		if (cmd->days)
			assert_int_equal(buf_printf(&b, ":%d", cmd->days), 0);
		if (cmd->arg)
			assert_int_equal(buf_printf(&b, "=%s", cmd->arg), 0);
		if (cmd->text)
			assert_int_equal(buf_printf(&b, "+%s", cmd->text), 0);
	}
	return buf_steal(&b);
}

static void
test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		const struct cmd_case *tc = &cases[i];
		_cleanup_officer_cmds_ struct officer_cmds c = OFFICER_CMDS_INIT;
		_cleanup_free_ char *got = NULL;

		assert_int_equal(officer_cmds_parse(tc->in, &c), 0);
		got = describe(&c);
		if (!streq(got, tc->cmds))
			fail_msg("case %zu \"%s\": commands \"%s\", want \"%s\"", i, tc->in, got,
			    tc->cmds);
		if (!streq(c.relay_text, tc->relay))
			fail_msg("case %zu \"%s\": relay \"%s\", want \"%s\"", i, tc->in,
			    c.relay_text, tc->relay);
		if (c.internal != tc->internal)
			fail_msg("case %zu \"%s\": internal %d", i, tc->in, c.internal);
		if (tc->err_line == 0) {
			if (c.n_errors != 0)
				fail_msg("case %zu \"%s\": unexpected error line %u: %s", i, tc->in,
				    c.errors[0].line, c.errors[0].why);
			continue;
		}
		if (c.n_errors != 1 || c.errors[0].line != tc->err_line ||
		    strstr(c.errors[0].why, tc->err_why) == NULL)
			fail_msg("case %zu \"%s\": %zu errors, first line %u: %s; want line %u: %s",
			    i, tc->in, c.n_errors, c.n_errors ? c.errors[0].line : 0,
			    c.n_errors ? c.errors[0].why : "-", tc->err_line, tc->err_why);
		/* the entry shows the officer the line as written, without CR */
		assert_non_null(c.errors[0].input);
		assert_null(strchr(c.errors[0].input, '\r'));
		assert_non_null(strchr(c.errors[0].input, '#'));
	}
}

/* Command lines carry their 1-based line number; CRLF counts one line. */
static void
test_line_numbers(void **state)
{
	_cleanup_officer_cmds_ struct officer_cmds c = OFFICER_CMDS_INIT;

	(void)state;
	assert_int_equal(officer_cmds_parse("Hello\r\n\r\n#close\r\nx\r\n#note n\r\n", &c), 0);
	assert_int_equal(c.n_cmds, 2);
	assert_int_equal(c.cmds[0].line, 3);
	assert_int_equal(c.cmds[1].line, 5);
	assert_ptr_equal(officer_cmds_find(&c, CMD_NOTE), &c.cmds[1]);
	assert_null(officer_cmds_find(&c, CMD_OUTCOME));
}

/* 50 commands are read; the 51st and later lines share one error and are not relayed. */
static void
test_command_limit(void **state)
{
	_cleanup_officer_cmds_ struct officer_cmds c = OFFICER_CMDS_INIT;
	_cleanup_buf_ struct buf in = BUF_INIT;

	(void)state;
	for (int i = 0; i < OFFICER_CMDS_MAX + 5; i++)
		assert_int_equal(buf_printf(&in, "#note %d\n", i), 0);
	assert_int_equal(buf_puts(&in, "Regards"), 0);
	assert_int_equal(officer_cmds_parse(buf_str(&in), &c), 0);
	assert_int_equal(c.n_cmds, OFFICER_CMDS_MAX);
	assert_int_equal(c.n_errors, 1);
	assert_int_equal(c.errors[0].line, OFFICER_CMDS_MAX + 1);
	assert_non_null(strstr(c.errors[0].why, "at most 50 commands"));
	assert_string_equal(c.relay_text, "Regards");
}

/* Command lines over the limit are refused and echoed shortened; long prose is relayed. */
static void
test_long_lines(void **state)
{
	_cleanup_officer_cmds_ struct officer_cmds c = OFFICER_CMDS_INIT;
	_cleanup_buf_ struct buf in = BUF_INIT;

	(void)state;
	assert_int_equal(buf_puts(&in, "#note "), 0);
	for (int i = 0; i < OFFICER_CMD_MAX_LINE; i++)
		assert_int_equal(buf_puts(&in, "\xc3\xa9"), 0);
	assert_int_equal(buf_puts(&in, "\n"), 0);
	for (int i = 0; i < 3000; i++)
		assert_int_equal(buf_putc(&in, 'a'), 0);
	assert_int_equal(officer_cmds_parse(buf_str(&in), &c), 0);
	assert_int_equal(c.n_cmds, 0);
	assert_int_equal(c.n_errors, 1);
	assert_non_null(strstr(c.errors[0].why, "longer than 2000 characters"));
	assert_true(strlen(c.errors[0].input) <= OFFICER_CMD_ECHO_MAX + 3);
	/* cut on a character boundary: the byte before "..." ends an "é" */
	assert_memory_equal(c.errors[0].input + strlen(c.errors[0].input) - 5, "\xc3\xa9...", 5);
	assert_int_equal(strlen(c.relay_text), 3000);
}

/* A multi-line acknowledgement at the 2,000 byte limit is still read. */
static void
test_limit_edges(void **state)
{
	_cleanup_officer_cmds_ struct officer_cmds c = OFFICER_CMDS_INIT;
	_cleanup_buf_ struct buf in = BUF_INIT;

	(void)state;
	assert_int_equal(buf_puts(&in, "#note "), 0);
	while (in.len < OFFICER_CMD_MAX_LINE)
		assert_int_equal(buf_putc(&in, 'n'), 0);
	assert_int_equal(officer_cmds_parse(buf_str(&in), &c), 0);
	assert_int_equal(c.n_errors, 0);
	assert_int_equal(c.n_cmds, 1);
	assert_int_equal(strlen(c.cmds[0].arg), OFFICER_CMD_MAX_LINE - 6);
}

static void
test_null_and_names(void **state)
{
	_cleanup_officer_cmds_ struct officer_cmds c = OFFICER_CMDS_INIT;
	_cleanup_free_ char *none = NULL;

	(void)state;
	assert_int_equal(officer_cmds_parse(NULL, &c), 0);
	assert_string_equal(c.relay_text, "");
	assert_int_equal(c.n_cmds + c.n_errors, 0);
	none = officer_cmds_format_errors(&c);
	assert_string_equal(none, "");
	assert_string_equal(officer_cmd_name(CMD_SERVICE_REQUEST), "service-request");
	assert_string_equal(officer_cmd_name(CMD_STAGE2), "stage2");
	assert_string_equal(officer_cmd_name(_CMD_MAX), "unknown");
	officer_cmds_free(NULL);
}

/* The officer's reply lists every error with its line. */
static void
test_format_errors(void **state)
{
	_cleanup_officer_cmds_ struct officer_cmds c = OFFICER_CMDS_INIT;
	_cleanup_free_ char *text = NULL;

	(void)state;
	assert_int_equal(officer_cmds_parse("Dear X\r\n#extend ten\r\n#outcome maybe\r\n", &c), 0);
	assert_int_equal(c.n_errors, 2);
	text = officer_cmds_format_errors(&c);
	assert_non_null(strstr(text, "Line 2: #extend ten\n  #extend needs the number"));
	assert_non_null(strstr(text, "\n\nLine 3: #outcome maybe\n  \"maybe\" is not an outcome"));
	assert_string_equal(c.relay_text, "Dear X");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_line_numbers),
		cmocka_unit_test(test_command_limit),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_limit_edges),
		cmocka_unit_test(test_null_and_names),
		cmocka_unit_test(test_format_errors),
	};

	return cmocka_run_group_tests_name("command", tests, NULL, NULL) ? 1 : 0;
}
