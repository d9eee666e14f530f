/*
 * test_quote.c - the sender's own text out of the quoting styles of real
 * mail clients (Gmail, Outlook desktop and web, Apple Mail, Thunderbird,
 * iOS, Android), top-posted and inline replies, forwards, signatures and
 * disclaimers.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "quote.h"
#include "util.h"

static const struct {
	const char *name;
	const char *body;
	const char *own;
} cases[] = {
    {"plain text unchanged", "My bin was missed.\nPlease collect it.\n",
     "My bin was missed.\nPlease collect it."},
    {"trailing blank lines and spaces trimmed", "\n\nHello   \r\nthere\r\n\r\n\r\n",
     "Hello\nthere"},
    {"gmail top-post",
     "Still not fixed.\n\nOn Mon, 2 Mar 2026 at 10:15, Complaints <complaints@council.example> "
     "wrote:\n> Dear Ms Patel,\n> If you are not satisfied you can escalate.\n",
     "Still not fixed."},
    {"gmail attribution wrapped over two lines",
     "Still not fixed.\n\nOn Mon, 2 Mar 2026 at 10:15, Complaints Team of the Council <\n"
     "complaints@council.example> wrote:\n\n> Dear Ms Patel,\n",
     "Still not fixed."},
    {"thunderbird attribution", "Thanks.\n\nOn 02/03/2026 10:15, Complaints wrote:\n> quoted\n",
     "Thanks."},
    {"apple mail / iOS attribution and footer",
     "Please escalate.\n\nSent from my iPhone\n\n"
     "On 2 Mar 2026, at 10:15, Complaints <complaints@council.example> wrote:\n\n> quoted\n",
     "Please escalate."},
    {"iPad footer alone", "Yes that's right.\n\nSent from my iPad\n", "Yes that's right."},
    {"outlook for android footer",
     "Thank you\n\nGet Outlook for Android\n\nFrom: Complaints <complaints@council.example>\n",
     "Thank you"},
    {"outlook for iOS footer", "Fine by me.\n\nGet Outlook for iOS<https://aka.ms/o0ukef>\n",
     "Fine by me."},
    {"outlook desktop original message",
     "I am not satisfied.\n\n-----Original Message-----\nFrom: Complaints\nSent: 02 March "
     "2026 10:15\nTo: Lee\nSubject: Response\n\nIf you are not satisfied...\n",
     "I am not satisfied."},
    {"outlook header block without separator",
     "I want to take this further.\n\nFrom: Complaints <complaints@council.example>\n"
     "Sent: Monday, March 2, 2026 10:15 AM\nTo: Lee Grant <lee@example.com>\n"
     "Subject: RE: Your complaint\n\nDear Mr Grant,\nIf you are not satisfied...\n",
     "I want to take this further."},
    {"outlook web underscores and bold headers",
     "See my comments.\n\n________________________________\n*From:* Complaints "
     "<complaints@council.example>\n*Sent:* 02 March 2026 10:15\n*To:* Lee\n*Subject:* "
     "Response\n\nText.\n",
     "See my comments."},
    {"german outlook header block",
     "Danke.\n\nVon: Complaints <complaints@council.example>\nGesendet: Montag, 2. März 2026 "
     "10:15\nAn: Lee\nBetreff: Antwort\n",
     "Danke."},
    {"french attribution with no-break space",
     "Merci.\n\nLe lun. 2 mars 2026 à 10:15, Complaints <complaints@council.example> a "
     "écrit\xc2\xa0:\n> texte\n",
     "Merci."},
    {"german attribution",
     "Danke schön.\n\nAm 02.03.2026 um 10:15 schrieb Complaints <complaints@council.example>:\n"
     "> Text\n",
     "Danke schön."},
    {"spanish attribution",
     "Gracias.\n\nEl lun, 2 mar 2026 a las 10:15, Complaints (<complaints@council.example>) "
     "escribió:\n> texto\n",
     "Gracias."},
    {"polish attribution",
     "Dziękuję.\n\nW dniu pon., 2 mar 2026 o 10:15 Complaints <complaints@council.example> "
     "napisał(a):\n> tekst\n",
     "Dziękuję."},
    {"inline reply keeps the sender's answers",
     "Answers below.\n\nOn Tue, 10 Mar 2026 at 14:02, Complaints <complaints@council.example> "
     "wrote:\n> Which day was it missed?\n\nTuesday.\n\n> Anything else?\n\nNo, thanks.\n",
     "Answers below.\n\nTuesday.\n\nNo, thanks."},
    {"bare > quoting between answers",
     "> When was it missed?\nOn Tuesday.\n> Which bin?\nThe blue one.\n",
     "On Tuesday.\nThe blue one."},
    {"nested quoting dropped", "Agreed.\n>> older text\n> old text\n", "Agreed."},
    {"signature dash-dash-space", "Please call me.\n\n-- \nPriya Shah\n07700 900000\n",
     "Please call me."},
    {"signature dash-dash without space", "Please call me.\n--\nPriya\n", "Please call me."},
    {"a dash in the text is not a signature", "Bins - missed again -- third time.\n",
     "Bins - missed again -- third time."},
    {"gmail forward with a comment",
     "This is what your contractor sent me. Appalling.\n\n---------- Forwarded message "
     "---------\nFrom: Contractor <info@example.com>\nDate: Mon, 2 Mar 2026\nSubject: Job\n"
     "To: <me@example.net>\n\nWe will not return.\n",
     "This is what your contractor sent me. Appalling."},
    {"apple forward with a comment",
     "See below.\n\nBegin forwarded message:\n\nFrom: Ann <ann@example.org>\nSubject: Bins\n"
     "Date: 2 March 2026\nTo: Me <me@example.net>\n\nThey missed us.\n",
     "See below."},
    {"thunderbird forward",
     "FYI\n\n-------- Forwarded Message --------\nSubject: Bins\nDate: Mon, 2 Mar 2026\n"
     "From: Ann <ann@example.org>\n\nText\n",
     "FYI"},
    {"forward with no comment returns the forwarded text",
     "---------- Forwarded message ---------\nFrom: Ann Bell <ann@example.org>\n"
     "Date: Mon, 2 Mar 2026 at 18:20\nSubject: Street lights\nTo: <me@example.net>\n\n"
     "The street lights are out.\n\n-- \nAnn\n",
     "The street lights are out."},
    {"disclaimer paragraph",
     "Our trade waste was missed.\n\nMark Lee\n\nDISCLAIMER: This email is confidential.\n"
     "Do not forward.\n",
     "Our trade waste was missed.\n\nMark Lee"},
    {"confidentiality wording without a heading",
     "Please advise.\n\nThis email and any attachments are confidential and intended solely "
     "for the addressee.\n",
     "Please advise."},
    {"only quoted text: never reduced to nothing", "> If you are not satisfied you can escalate.\n",
     "> If you are not satisfied you can escalate."},
    {"sentence ending in wrote: is the sender's",
     "Here is what my neighbour wrote:\nthe bins are always left open.\n",
     "Here is what my neighbour wrote:\nthe bins are always left open."},
    {"a line starting From: in prose is kept",
     "From: the top of the road to the bottom, the bins were left out.\nThanks\n",
     "From: the top of the road to the bottom, the bins were left out.\nThanks"},
    {"empty body", "", ""},
    {"utf-8 passes through",
     "Żółć – naprawdę źle. Rwy'n anhapus.\n\nOn 2 Mar 2026, X <x@example.net> wrote:\n> y\n",
     "Żółć – naprawdę źle. Rwy'n anhapus."},
};

static void
test_cases(void **state)
{
	unsigned failed = 0;

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_free_ char *got = quote_strip(cases[i].body);

		if (!streq(got, cases[i].own)) {
			print_message("%s:\n--- got ---\n%s\n--- expected ---\n%s\n", cases[i].name,
			              got, cases[i].own);
			failed++;
		}
	}
	assert_int_equal(failed, 0);
}

static void
test_offset(void **state)
{
	static const char body[] = "Own text.\n\nOn 2 Mar 2026, X <x@example.net> wrote:\n> y\n";
	size_t off = 0;
	_cleanup_free_ char *a = quote_strip_ex(body, &off), *b = NULL, *c = NULL;

	assert_string_equal(a, "Own text.");
	assert_int_equal(off, strlen("Own text.\n\n"));
	b = quote_strip_ex("Nothing quoted.\n", &off);
	assert_int_equal(off, strlen("Nothing quoted.\n"));
	c = quote_strip_ex(NULL, &off);
	assert_string_equal(c, "");
	assert_int_equal(off, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cases),
	    cmocka_unit_test(test_offset),
	};

	return cmocka_run_group_tests_name("quote", tests, NULL, NULL) ? 1 : 0;
}
