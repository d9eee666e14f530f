/*
 * test_template.c - the reply templates: every shipped template rendered for
 * one fixed case equals its golden file, and every kind of mistake in a
 * council's template is reported with file and line.
 *
 * UPDATE_GOLDEN=1 rewrites tests/golden/templates/ (then read every file).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <setjmp.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "calendar.h"
#include "template.h"
#include "util.h"

#define SHIPPED SRCDIR "/templates"
#define GOLDEN SRCDIR "/tests/golden/templates"

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *s = NULL;
	size_t n = 0;

	if (!f)
		return NULL;
	if (getdelim(&s, &n, '\0', f) < 0) {
		free(s);
		s = xstrdup("");
	}
	fclose(f);
	return s;
}

static void
spill(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* The fixed case every golden file shows: dates from the calendar's formatter. */
struct fixture {
	char *received, *ack_due, *response_due, *escalation_by, *deadline;
	struct template_vars v;
};

static void
fixture_init(struct fixture *f)
{
	*f = (struct fixture){0};
	f->received = cal_date_format_long((struct cal_date){2026, 11, 30});
	f->ack_due = cal_date_format_long((struct cal_date){2026, 12, 7});
	f->response_due = cal_date_format_long((struct cal_date){2026, 12, 21});
	f->escalation_by = cal_date_format_long((struct cal_date){2027, 1, 18});
	f->deadline = cal_date_format_long((struct cal_date){2026, 12, 21});
	f->v.value[TV_REFERENCE] = "CMP-2026-000123";
	f->v.value[TV_COUNCIL_NAME] = "Example Borough Council";
	f->v.value[TV_COMPLAINTS_ADDRESS] = "complaints@council.example";
	f->v.value[TV_COMPLAINTS_URL] = "https://www.council.example/complaints";
	f->v.value[TV_COMPLAINANT_NAME] = "Ms Jane Resident";
	f->v.value[TV_REPRESENTATIVE_NAME] = "Councillor Morgan Lowe";
	f->v.value[TV_SUBJECT] = "Bins not collected on Acacia Avenue";
	f->v.value[TV_RECEIVED_DATE] = f->received;
	f->v.value[TV_ACK_DUE] = f->ack_due;
	f->v.value[TV_RESPONSE_DUE] = f->response_due;
	f->v.value[TV_ESCALATION_BY] = f->escalation_by;
	f->v.value[TV_DEADLINE] = f->deadline;
	f->v.value[TV_DAYS_LEFT] = "2";
	f->v.value[TV_STAGE] = "1";
	f->v.value[TV_REASON] = "We are waiting for a report from our waste contractor.";
	f->v.value[TV_ROUTE] =
	    "Parking penalty charge notices are challenged through the appeal process printed\n"
	    "on the notice, and then with the independent Traffic Penalty Tribunal.";
	f->v.value[TV_ERRORS] =
	    "#extnd 5 waiting for contractor: unknown command (did you mean #extend?)\n"
	    "#outcome maybe: outcome must be upheld, partly-upheld, not-upheld, resolved or "
	    "withdrawn";
	f->v.value[TV_RECIPIENT] = "jane.resident@example.net";
	f->v.value[TV_OMBUDSMAN_NAME] = "Local Government and Social Care Ombudsman";
	f->v.value[TV_OMBUDSMAN_URL] = "https://www.lgo.org.uk";
	f->v.value[TV_OMBUDSMAN_PHONE] = "0300 061 0614";
	f->v.value[TV_OFFICER] = "Sam Officer";
	f->v.value[TV_ADDRESSEE_NAME] = "Ms Jane Resident";
	f->v.value[TV_ON_BEHALF_OF] = "";
	f->v.value[TV_TEAM] = "our waste team";
	f->v.value[TV_KIND] = "complaint";
	f->v.value[TV_SCHEME] = "Local Government and Social Care Ombudsman";
	f->v.value[TV_AREA] = "waste";
	f->v.value[TV_FLAGS] = "adjustments";
	f->v.value[TV_CONSENT] = "unknown";
	f->v.value[TV_CLASSIFICATION] = "complaint words score 7 (threshold 2, request words 1)";
	f->v.value[TV_SENDER] = "Ms Jane Resident <jane.resident@example.net>";
	f->v.value[TV_TEXT] = "My bin has been missed three weeks running. Please phone me.";
	f->v.value[TV_MESSAGES] = "4";
	f->v.value[TV_DIGEST_FOR] = "waste-team@council.example";
	f->v.value[TV_DIGEST_DATE] = "Monday 7 December 2026";
	f->v.value[TV_DIGEST_SUMMARY] = "2 open cases, 1 overdue";
	f->v.value[TV_DIGEST_CASES] =
	    "Overdue: 1\n\nCMP-2026-000123: Missed bins\nComplainant: Ms Jane Resident "
	    "(jane.resident@example.net)\nStage 1, response due Friday 4 December 2026 (1 working "
	    "day late)\nOfficer: not assigned\n";
	f->v.value[TV_DIGEST_MAIL] = "";
}

static void
fixture_done(struct fixture *f)
{
	free(f->received);
	free(f->ack_due);
	free(f->response_due);
	free(f->escalation_by);
	free(f->deadline);
}

static void
test_golden(void **state)
{
	_cleanup_template_set_ struct template_set *set = NULL;
	struct errlist errs = ERRLIST_INIT;
	struct fixture fx;
	bool update = getenv("UPDATE_GOLDEN") != NULL;

	(void)state;
	assert_int_equal(template_load_dir(SHIPPED, &set, &errs), 0);
	assert_int_equal(errs.n, 0);
	fixture_init(&fx);
	assert_string_equal(fx.received, "Monday 30 November 2026");
	for (int i = 0; i < _TEMPLATE_MAX; i++) {
		const struct template *t = template_get(set, i);
		_cleanup_free_ char *subject = NULL, *body = NULL, *got = NULL, *want = NULL;
		_cleanup_free_ char *path = xasprintf("%s/%s.txt", GOLDEN, template_id_name(i));

		assert_non_null(t);
		assert_string_equal(t->name, template_id_name(i));
		/* the reason each message would really carry */
		if (i == TEMPLATE_EXCLUSION)
			fx.v.value[TV_REASON] = "Your concern is about a planning decision, and "
			                        "you have a right of appeal "
			                        "to the Planning Inspectorate.";
		else if (i == TEMPLATE_DELIVERY_FAILED)
			fx.v.value[TV_REASON] =
			    "550 5.1.1 Recipient address rejected: User unknown";
		else
			fx.v.value[TV_REASON] =
			    "We are waiting for a report from our waste contractor.";
		/* who each message would really greet, and which Ombudsman it would name */
		fx.v.value[TV_ADDRESSEE_NAME] = i == TEMPLATE_MEMBER_ENQUIRY ? "Councillor Morgan Lowe"
		                                                             : "Ms Jane Resident";
		if (i == TEMPLATE_RECEIPT_HOUSING || i == TEMPLATE_ACK_MISSED) {
			fx.v.value[TV_OMBUDSMAN_NAME] = "Housing Ombudsman Service";
			fx.v.value[TV_OMBUDSMAN_URL] = "https://www.housing-ombudsman.org.uk";
			fx.v.value[TV_OMBUDSMAN_PHONE] = "0300 111 3000";
		} else {
			fx.v.value[TV_OMBUDSMAN_NAME] = "Local Government and Social Care Ombudsman";
			fx.v.value[TV_OMBUDSMAN_URL] = "https://www.lgo.org.uk";
			fx.v.value[TV_OMBUDSMAN_PHONE] = "0300 061 0614";
		}
		assert_int_equal(template_render(t, &fx.v, &subject, &body), 0);
		/* the digest is about no one case; every other subject carries its reference */
		if (i != TEMPLATE_DIGEST)
			assert_non_null(strstr(subject, "CMP-2026-000123"));
		assert_null(strstr(body, "{{"));
		assert_null(strstr(body, "}}"));
		got = xasprintf("Subject: %s\n\n%s", subject, body);
		if (update) {
			mkdir(GOLDEN, 0755);
			spill(path, got);
		}
		want = slurp(path);
		if (!want)
			fail_msg("%s: missing golden file", path);
		if (!streq(got, want))
			fail_msg("%s differs from the rendering:\n%s", path, got);
	}
	fixture_done(&fx);
}

/* Ombudsman details appear wherever the Code requires them. */
static void
test_ombudsman_signposting(void **state)
{
	static const enum template_id need[] = {TEMPLATE_EXCLUSION, TEMPLATE_EXTENSION,
	                                        TEMPLATE_DEADLINE_MISSED, TEMPLATE_FOOTER_STAGE2,
	                                        TEMPLATE_OTHER_PROCESS, TEMPLATE_RECEIPT_HOUSING,
	                                        TEMPLATE_ACK_MISSED, TEMPLATE_PROCEDURE_COMPLETE};
	_cleanup_template_set_ struct template_set *set = NULL;
	struct fixture fx;

	(void)state;
	assert_int_equal(template_load_dir(SHIPPED, &set, NULL), 0);
	fixture_init(&fx);
	for (size_t i = 0; i < ELEMENTSOF(need); i++) {
		_cleanup_free_ char *subject = NULL, *body = NULL;

		assert_int_equal(
		    template_render(template_get(set, need[i]), &fx.v, &subject, &body), 0);
		assert_non_null(strstr(body, "Local Government and Social Care Ombudsman"));
		assert_non_null(strstr(body, "https://www.lgo.org.uk"));
		assert_non_null(strstr(body, "0300 061 0614"));
	}
	{
		_cleanup_free_ char *subject = NULL, *body = NULL;

		assert_int_equal(
		    template_render(template_get(set, TEMPLATE_ACK_STAGE1), &fx.v, &subject, &body),
		    0);
		assert_non_null(strstr(body, "reasonable adjustments"));
		assert_non_null(strstr(body, "Monday 30 November 2026"));
		assert_non_null(strstr(body, "Monday 21 December 2026"));
	}
	fixture_done(&fx);
}

/*
 * The Code's stage 2 is no longer a review of stage 1 (the council reports in
 * the reference documents): no message the daemon sends may call it one.
 */
static void
test_no_review(void **state)
{
	_cleanup_template_set_ struct template_set *set = NULL;
	struct fixture fx;

	(void)state;
	assert_int_equal(template_load_dir(SHIPPED, &set, NULL), 0);
	fixture_init(&fx);
	for (int i = 0; i < _TEMPLATE_MAX; i++) {
		_cleanup_free_ char *subject = NULL, *body = NULL;

		assert_int_equal(template_render(template_get(set, i), &fx.v, &subject, &body), 0);
		if (ascii_strcasestr(subject, "review") || ascii_strcasestr(body, "review"))
			fail_msg("%s.txt says \"review\"", template_id_name(i));
	}
	fixture_done(&fx);
}

/*
 * Every shipped template is cut into pieces when parsed, and the pieces
 * render exactly as scanning the text line by line does, with every value
 * set and with one missing (a hole is refused either way).
 */
static void
test_pieces_render_as_scan(void **state)
{
	_cleanup_template_set_ struct template_set *set = NULL;
	struct fixture fx;

	(void)state;
	assert_int_equal(template_load_dir(SHIPPED, &set, NULL), 0);
	fixture_init(&fx);
	for (int i = 0; i < _TEMPLATE_MAX; i++) {
		const struct template *t = template_get(set, i);
		struct template scan = *t;
		_cleanup_free_ char *s1 = NULL, *b1 = NULL, *s2 = NULL, *b2 = NULL;
		struct template_vars holes = fx.v;

		if (t->segs == NULL || t->n_segs <= t->n_subject_segs)
			fail_msg("%s.txt was not cut into pieces", template_id_name(i));
		scan.segs = NULL;
		assert_int_equal(template_render(t, &fx.v, &s1, &b1), 0);
		assert_int_equal(template_render(&scan, &fx.v, &s2, &b2), 0);
		assert_string_equal(s1, s2);
		assert_string_equal(b1, b2);
		/* a placeholder it uses left without a value */
		for (size_t k = 0; k < t->n_segs; k++)
			if (t->segs[k].var >= 0) {
				holes.value[t->segs[k].var] = NULL;
				break;
			}
		assert_int_equal(template_render(t, &holes, &s1, &b1), -EINVAL);
		assert_int_equal(template_render(&scan, &holes, &s2, &b2), -EINVAL);
	}
	fixture_done(&fx);
}

/* With no escalation window the stage 1 footer names no date ("by any time"). */
static void
test_footer_without_window(void **state)
{
	_cleanup_template_set_ struct template_set *set = NULL;
	_cleanup_free_ char *subject = NULL, *body = NULL;
	struct fixture fx;

	(void)state;
	assert_int_equal(template_load_dir(SHIPPED, &set, NULL), 0);
	fixture_init(&fx);
	fx.v.value[TV_ESCALATION_BY] = NULL; /* a render that needs it fails */
	assert_int_equal(
	    template_render(template_get(set, TEMPLATE_FOOTER_STAGE1), &fx.v, &subject, &body), 0);
	assert_null(ascii_strcasestr(body, "ask by"));
	assert_non_null(strstr(body, "stage 2"));
	free(subject);
	free(body);
	fx.v.value[TV_ESCALATION_BY] = fx.escalation_by;
	assert_int_equal(template_render(template_get(set, TEMPLATE_FOOTER_STAGE1_WINDOW), &fx.v,
	                                 &subject, &body),
	                 0);
	assert_non_null(strstr(body, "Please ask by Monday 18 January 2027"));
	fixture_done(&fx);
}

static const struct error_case {
	const char *file;
	const char *text;
	const char *want[3]; /* each must appear among the errors, in order */
	size_t n_errors;
} error_cases[] = {
    {"dir/ack-stage1.txt",
     "Subject: Complaint [{{reference}}]\n\nReceived {{received_date}}.\nDue {{response_due}}.\n"
     "Dear {{complainant_nmae}},\n",
     {"dir/ack-stage1.txt:5: unknown placeholder {{complainant_nmae}} (did you mean "
      "{{complainant_name}}?)"},
     1},
    {"x.txt", "Dear resident,\n\nHello\n", {"x.txt:1: the first line must be \"Subject: ...\""}, 1},
    {"x.txt", "Subject: hi\nbody right away\n", {"x.txt:2: a blank line must follow"}, 1},
    {"x.txt",
     "Subject: hi\n\nline three\nline {{reference four\n",
     {"x.txt:4: \"{{\" is not closed by \"}}\" on the same line"},
     1},
    {"x.txt", "Subject: hi\n\nsee }} here\n", {"x.txt:3: \"}}\" without a matching \"{{\""}, 1},
    {"x.txt",
     "Subject: hi {{Reference!}}\n\nbody\n",
     {"x.txt:1: malformed placeholder {{Reference!}}"},
     1},
    {"x.txt",
     "Subject: hi\n\n{{wibble}} and {{refernce}}\n\n{{ombudsman_fone}}\n",
     {"x.txt:3: unknown placeholder {{wibble}}",
      "x.txt:3: unknown placeholder {{refernce}} (did "
      "you mean {{reference}}?)",
      "x.txt:5: unknown placeholder {{ombudsman_fone}} (did you mean {{ombudsman_phone}}?)"},
     3},
    {"x.txt", "Subject: \n\nbody\n", {"x.txt:1: the subject is empty"}, 1},
    {"x.txt", "Subject: hi\n\n\n\n", {"x.txt: the body is empty"}, 1},
    {"x.txt", "Subject: hi\n\ncaf\xc3\n", {"x.txt: not valid UTF-8"}, 1},
    {"t/exclusion.txt",
     "Subject: No [{{reference}}]\n\nBecause {{reason}}. {{ombudsman_name}}\n",
     {"t/exclusion.txt: must include {{ombudsman_url}}",
      "t/exclusion.txt: must include {{ombudsman_phone}}"},
     2},
    {"footer-stage1.txt",
     "Subject: Response\n\nReply to ask for stage 2 on {{reference}}.\n",
     {"footer-stage1.txt:1: the subject must carry {{reference}}"},
     1},
};

static void
test_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(error_cases); i++) {
		const struct error_case *c = &error_cases[i];
		_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
		struct template t = {0};

		if (template_parse(c->text, strlen(c->text), c->file, &t, &errs) != -EINVAL)
			fail_msg("case %zu (%s) was accepted", i, c->text);
		if (errs.n != c->n_errors)
			fail_msg("case %zu: %zu errors, first: %s", i, errs.n,
			         errs.n ? errs.v[0] : "-");
		for (size_t k = 0; k < c->n_errors; k++)
			if (!startswith(errs.v[k], c->want[k]))
				fail_msg("case %zu: got \"%s\", want \"%s\"", i, errs.v[k],
				         c->want[k]);
		assert_null(t.body);
	}
}

static void
test_parse_forms(void **state)
{
	struct template a = {0}, b = {0};
	const char *lf =
	    "Subject: Hello {{ reference }}\n\nDear {{complainant_name}},\n\nBye.\n\n\n";
	const char *crlf = "\xef\xbb\xbfSubject: Hello {{ reference }}\r\n\r\nDear "
	                   "{{complainant_name}},\r\n\r\nBye.\r\n";

	(void)state;
	assert_int_equal(template_parse(lf, strlen(lf), "/x/hello.txt", &a, NULL), 0);
	assert_int_equal(template_parse(crlf, strlen(crlf), "hello.txt", &b, NULL), 0);
	assert_string_equal(a.name, "hello");
	assert_string_equal(a.subject, "Hello {{ reference }}");
	assert_string_equal(a.body, "Dear {{complainant_name}},\n\nBye.\n");
	assert_string_equal(a.subject, b.subject);
	assert_string_equal(a.body, b.body);
	assert_true(template_uses(&a, TV_REFERENCE));
	assert_true(template_uses(&a, TV_COMPLAINANT_NAME));
	assert_false(template_uses(&a, TV_OMBUDSMAN_NAME));
	template_done(&a);
	template_done(&b);
}

static void
test_render_values(void **state)
{
	struct template t = {0};
	struct template_vars v = {0};
	const char *text = "Subject: {{subject}} [{{reference}}]\n\n{{errors}}\nfrom {{officer}}\n";
	char *subject = NULL, *body = NULL;

	(void)state;
	assert_int_equal(template_parse(text, strlen(text), "x.txt", &t, NULL), 0);
	v.value[TV_SUBJECT] = "Hello\r\nBcc: evil@example.net";
	v.value[TV_REFERENCE] = "CMP-2026-000001";
	v.value[TV_ERRORS] = "line one\nline two {{reference}}";
	/* officer unset: a hole is refused, nothing is returned */
	assert_int_equal(template_render(&t, &v, &subject, &body), -EINVAL);
	assert_null(subject);
	assert_null(body);
	v.value[TV_OFFICER] = "Sam";
	assert_int_equal(template_render(&t, &v, &subject, &body), 0);
	assert_string_equal(subject, "Hello  Bcc: evil@example.net [CMP-2026-000001]");
	assert_null(strchr(subject, '\n'));
	/* values are not expanded again */
	assert_string_equal(body, "line one\nline two {{reference}}\nfrom Sam\n");
	free(subject);
	free(body);
	template_done(&t);
}

static char *
make_dir(const char *tag)
{
	char *d = xasprintf("/tmp/test_template.%s.%d", tag, (int)getpid());

	assert_int_equal(mkdir(d, 0700), 0);
	return d;
}

static void
remove_dir(const char *d, const char *const *files)
{
	for (size_t i = 0; files[i]; i++) {
		_cleanup_free_ char *p = xasprintf("%s/%s", d, files[i]);

		unlink(p);
	}
	assert_int_equal(rmdir(d), 0);
}

static void
test_override_dirs(void **state)
{
	static const char *const files[] = {"ack-stage1.txt", NULL};
	_cleanup_free_ char *d = make_dir("override");
	_cleanup_free_ char *p = xasprintf("%s/ack-stage1.txt", d);
	_cleanup_template_set_ struct template_set *set = NULL;
	_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
	const char *dirs[] = {SHIPPED, d, NULL};

	(void)state;
	spill(p, "Subject: Thanks from Example [{{reference}}]\n\nGot it on {{received_date}}, "
	         "reply by {{response_due}}.\n");
	assert_int_equal(template_load_dirs(dirs, &set, &errs), 0);
	assert_int_equal(errs.n, 0);
	assert_string_equal(template_get(set, TEMPLATE_ACK_STAGE1)->subject,
	                    "Thanks from Example [{{reference}}]");
	assert_string_equal(template_get(set, TEMPLATE_ACK_STAGE1)->file, p);
	assert_string_equal(template_get(set, TEMPLATE_ACK_STAGE2)->subject,
	                    "Your complaint has moved to stage 2 [{{reference}}]");
	remove_dir(d, files);
}

static bool
has_error(const struct errlist *e, const char *want)
{
	for (size_t i = 0; i < e->n; i++)
		if (strstr(e->v[i], want))
			return true;
	return false;
}

static void
test_missing_and_stray(void **state)
{
	static const char *const files[] = {"ack-stage1.txt", "ack-stag2.txt", NULL};
	_cleanup_free_ char *d = make_dir("missing");
	_cleanup_free_ char *p1 = xasprintf("%s/ack-stage1.txt", d);
	_cleanup_free_ char *p2 = xasprintf("%s/ack-stag2.txt", d);
	_cleanup_free_ char *stray = xasprintf("%s/ack-stag2.txt: not a known template name", d);
	_cleanup_free_ char *miss =
	    xasprintf("ack-stage2.txt: required template missing from %s", d);
	_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
	struct template_set *set = NULL;
	const char *dirs[] = {SHIPPED, d, NULL};

	(void)state;
	spill(p1, "Subject: [{{reference}}]\n\n{{received_date}} {{response_due}}\n");
	spill(p2, "Subject: [{{reference}}]\n\n{{response_due}}\n");
	assert_int_equal(template_load_dir(d, &set, &errs), -EINVAL);
	assert_null(set);
	assert_true(has_error(&errs, stray));
	assert_true(has_error(&errs, miss));
	assert_true(has_error(&errs, "delivery-failed.txt: required template missing"));
	assert_false(has_error(&errs, "ack-stage1.txt: required"));
	assert_int_equal(errs.n, 1 + _TEMPLATE_MAX - 1);
	errlist_free(&errs);
	/* with the shipped set underneath only the misnamed file is wrong */
	assert_int_equal(template_load_dirs(dirs, &set, &errs), -EINVAL);
	assert_int_equal(errs.n, 1);
	assert_true(has_error(&errs, stray));
	errlist_free(&errs);
	assert_int_equal(template_load_dir("/nonexistent/templates", &set, &errs), -EINVAL);
	assert_true(has_error(&errs, "/nonexistent/templates: cannot open template directory"));
	remove_dir(d, files);
}

static void
test_names(void **state)
{
	(void)state;
	for (int i = 0; i < _TV_MAX; i++)
		assert_int_equal(template_var_from_name(template_var_name(i)), i);
	for (int i = 0; i < _TEMPLATE_MAX; i++)
		assert_int_equal(template_id_from_name(template_id_name(i)), i);
	assert_int_equal(template_var_from_name("nmae"), -ENOENT);
	assert_null(template_var_name(_TV_MAX));
	assert_null(template_id_name(_TEMPLATE_MAX));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_golden),
	    cmocka_unit_test(test_no_review),
	    cmocka_unit_test(test_pieces_render_as_scan),
	    cmocka_unit_test(test_footer_without_window),
	    cmocka_unit_test(test_ombudsman_signposting),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_parse_forms),
	    cmocka_unit_test(test_render_values),
	    cmocka_unit_test(test_override_dirs),
	    cmocka_unit_test(test_missing_and_stray),
	    cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests_name("template", tests, NULL, NULL) ? 1 : 0;
}
