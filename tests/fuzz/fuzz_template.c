/*
 * fuzz_template.c - libFuzzer target for the template parser and the
 * composition of what it renders.
 *
 * The input is used twice: as a template file for template_parse(), and as
 * the value of every placeholder of a fixed template whose rendering is
 * composed into a message (also as the recipient's display name and an
 * In-Reply-To).  The composed message must keep its fixed header set: no
 * bare CR or LF anywhere, every header line ASCII, exactly one Subject and
 * To, and no header the input could have smuggled in.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -Iparsers \
 *       tests/fuzz/fuzz_template.c parsers/template.c parsers/compose.c \
 *       parsers/buf.c parsers/util.c parsers/errlist.c -o fuzz_template
 *   ./fuzz_template -max_total_time=60
 * (with a config.h from a configured build directory on the include path).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compose.h"
#include "errlist.h"
#include "template.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
count_field(const char *msg, const char *end, const char *name)
{
	size_t n = strlen(name);
	int count = 0;

	for (const char *p = msg; p && p < end;) {
		if (ascii_strncaseeq(p, name, n) && p[n] == ':')
			count++;
		p = strstr(p, "\r\n");
		if (p)
			p += 2;
	}
	return count;
}

static void
check_message(const char *msg)
{
	const char *end = strstr(msg, "\r\n\r\n");
	static const char *const allowed[] = {"Date",
	                                      "From",
	                                      "Reply-To",
	                                      "To",
	                                      "Subject",
	                                      "Message-ID",
	                                      "In-Reply-To",
	                                      "References",
	                                      "MIME-Version",
	                                      "Content-Type",
	                                      "Content-Transfer-Encoding",
	                                      "Auto-Submitted",
	                                      "X-Auto-Response-Suppress"};

	if (!end)
		abort();
	for (const char *p = msg; *p; p++) {
		if (*p == '\n' && (p == msg || p[-1] != '\r'))
			abort(); /* bare LF */
		if (*p == '\r' && p[1] != '\n')
			abort(); /* bare CR */
	}
	for (const char *p = msg; p < end;) {
		const char *eol = strstr(p, "\r\n");

		if ((size_t)(eol - p) > 998)
			abort();
		for (const char *q = p; q < eol; q++)
			if ((unsigned char)*q < 0x20 || (unsigned char)*q >= 0x7f)
				abort();
		if (*p != ' ') {
			bool ok = false;

			for (size_t i = 0; i < ELEMENTSOF(allowed); i++) {
				size_t n = strlen(allowed[i]);

				if (!strncmp(p, allowed[i], n) && p[n] == ':')
					ok = true;
			}
			if (!ok)
				abort(); /* a header we never write */
		}
		p = eol + 2;
	}
	if (count_field(msg, end, "Subject") != 1 || count_field(msg, end, "To") != 1 ||
	    count_field(msg, end, "From") != 1)
		abort();
	for (const char *p = end + 4; *p;) {
		const char *eol = strstr(p, "\r\n");

		if (!eol || eol - p > 76)
			abort();
		p = eol + 2;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct errlist errs = ERRLIST_INIT;
	struct template t = {0};
	char *value = xstrndup((const char *)data, size);

	/* 1: the input as a template file */
	if (template_parse((const char *)data, size, "fuzz/ack-stage1.txt", &t, &errs) == 0) {
		struct template_vars v;
		char *subject = NULL, *body = NULL;

		for (int i = 0; i < _TV_MAX; i++)
			v.value[i] = "x";
		if (template_render(&t, &v, &subject, &body) != 0 || strchr(subject, '\n'))
			abort();
		/* the pieces cut at parse time render as the line-by-line scan does */
		{
			struct template scan = t;
			char *subject2 = NULL, *body2 = NULL;

			scan.segs = NULL;
			if (t.segs == NULL ||
			    template_render(&scan, &v, &subject2, &body2) != 0 ||
			    strcmp(subject, subject2) != 0 || strcmp(body, body2) != 0)
				abort();
			free(subject2);
			free(body2);
		}
		free(subject);
		free(body);
		template_done(&t);
	} else if (errs.n == 0)
		abort(); /* a refusal always says why */
	errlist_free(&errs);

	/* 2: the input as every value of a fixed template, composed into mail */
	{
		static const char text[] =
		    "Subject: Re: {{subject}} [{{reference}}]\n\n"
		    "Dear {{complainant_name}},\n\n{{reason}}\n.\nFrom {{officer}}\n";
		struct template_vars v;
		char *subject = NULL, *body = NULL, *msg = NULL;
		struct compose_in in;
		const char *refs[] = {value, "<ok@example.net>"};

		if (template_parse(text, sizeof(text) - 1, "fixed.txt", &t, NULL) != 0)
			abort();
		for (int i = 0; i < _TV_MAX; i++)
			v.value[i] = value;
		if (template_render(&t, &v, &subject, &body) != 0)
			abort();
		in = (struct compose_in){
		    .from_addr = "complaints@council.example",
		    .from_name = value,
		    .to_addr = "jane@example.net",
		    .to_name = value,
		    .subject = subject,
		    .in_reply_to = value,
		    .references = refs,
		    .n_references = 2,
		    .message_id = "<cmp-2026-000001.ack.1@council.example>",
		    .date = 1796652309,
		    .auto_submitted = true,
		    .body = body,
		};
		if (compose_message(&in, &msg) != 0)
			abort();
		check_message(msg);
		free(msg);
		free(subject);
		free(body);
		template_done(&t);
	}
	free(value);
	return 0;
}
