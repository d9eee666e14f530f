/*
 * fuzz_digest.c - libFuzzer target for the weekly digest's list: cases whose
 * every field comes from the input (subjects and names are what residents
 * wrote), sorted, written as text and as an HTML table and document.
 *
 * Checks beyond "no crash": the text holds no control character but line
 * ends and no line longer than the fields allow; in the HTML every "<" opens
 * one of the tags the renderer writes, so nothing from a case becomes markup.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I parsers -I BUILDDIR \
 *	-include config.h tests/fuzz/fuzz_digest.c parsers/libparsers.a
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "digest_list.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DIGEST_FUZZ_FIELDS 9

static void
digest_fuzz_text_ok(const char *s)
{
	size_t line = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\n') {
			line = 0;
			continue;
		}
		if (c < 32 || c == 127 || ++line > 600)
			abort();
	}
}

static void
digest_fuzz_html_ok(const char *s)
{
	static const char *const tags[] = {
		"<!DOCTYPE html>", "<html ", "</html>", "<head>", "</head>", "<meta ", "<title>",
		"</title>", "<body ", "</body>", "<p ", "</p>", "<br>", "<table ", "</table>",
		"<tr>", "</tr>", "<th ", "</th>", "<td ", "</td>", "<span ", "</span>",
		"<strong ", "</strong>", "<wbr>", "<table></table>",
	};

	for (const char *p = strchr(s, '<'); p != NULL; p = strchr(p + 1, '<')) {
		bool known = false;

		for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]) && !known; i++)
			known = startswith(p, tags[i]) != NULL;
		if (!known)
			abort();
	}
	if (strstr(s, "<script") != NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *copy = xstrndup((const char *)data, size);
	const char *f[DIGEST_FUZZ_FIELDS] = {"", "", "", "", "", "", "", "", ""};
	struct digest_case cases[4];
	struct calendar *cal = calendar_new();
	struct digest_entry *e = NULL;
	char *p = copy;
	size_t n = 0;

	/* fields separated by tabs, cases by new lines */
	for (char *line = strsep(&p, "\n"); line != NULL && n < 4; line = strsep(&p, "\n")) {
		char *q = line;

		for (int i = 0; i < DIGEST_FUZZ_FIELDS; i++)
			f[i] = q ? strsep(&q, "\t") : "";
		cases[n++] = (struct digest_case){
			.ref = f[0], .subject = f[1], .complainant_name = f[2],
			.complainant_email = f[3], .kind = f[4], .stage = (int)strlen(f[5]) % 3,
			.ack_due = f[5], .acknowledged = strlen(f[6]) % 2, .response_due = f[6],
			.officer = f[7], .team = f[8], .team_name = f[1],
		};
	}
	digest_build(cal, (struct cal_date){2026, 12, 7}, (int)(size % 7), cases, n, &e);
	for (int team = 0; team < 2; team++) {
		struct digest_view v = {.e = e, .n = n, .days_ahead = (int)(size % 7),
					.show_team = team, .no_officer = "not assigned"};
		char *text = digest_text_cases(&v), *table = digest_html_table(&v);
		char *doc = digest_html_document(f[1], f[2], "\x01m\x01", table);
		char *summary = digest_summary(&v);

		digest_fuzz_text_ok(text);
		digest_fuzz_html_ok(table);
		digest_fuzz_html_ok(doc);
		free(text);
		free(table);
		free(doc);
		free(summary);
	}
	free(e);
	calendar_free(cal);
	return 0;
}
