/*
 * fuzz_command.c - libFuzzer target for officer command parsing.
 *
 * Beyond "no crash, no leak", it checks the promises of command.h: every
 * string handed out is valid UTF-8 without stray control characters, limits
 * hold, and the relayed text never carries a command line.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I parsers -I BUILDDIR \
 *	-include config.h tests/fuzz/fuzz_command.c parsers/command.c \
 *	parsers/util.c parsers/buf.c
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "command.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Abort unless s is valid UTF-8 with no control characters but '\n' and '\t'. */
static void
check_clean(const char *s, bool newlines)
{
	const unsigned char *u = (const unsigned char *)s;

	if (s == NULL)
		abort();
	while (*u != '\0') {
		size_t n = *u < 0x80 ? 1 : *u >= 0xf0 ? 4 : *u >= 0xe0 ? 3 : 2;

		if (*u < 0x80) {
			if ((*u < 0x20 && *u != '\t' && !(newlines && *u == '\n')) || *u == 0x7f)
				abort();
		} else {
			if (*u < 0xc2 || *u > 0xf4)
				abort();
			for (size_t i = 1; i < n; i++)
				if ((u[i] & 0xc0) != 0x80)
					abort();
		}
		u += n;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_officer_cmds_ struct officer_cmds c = OFFICER_CMDS_INIT;
	_cleanup_free_ char *text = xstrndup((const char *)data, size);
	_cleanup_free_ char *errors = NULL;

	if (officer_cmds_parse(text, &c) < 0)
		abort(); /* inputs here are far below the size limit */
	if (c.n_cmds > OFFICER_CMDS_MAX)
		abort();
	check_clean(c.relay_text, true);
	for (size_t i = 0; i < c.n_cmds; i++) {
		if ((unsigned)c.cmds[i].type >= _CMD_MAX || c.cmds[i].line == 0)
			abort();
		if (c.cmds[i].type == CMD_EXTEND &&
		    (c.cmds[i].days < 1 || c.cmds[i].days > OFFICER_CMD_MAX_DAYS))
			abort();
		if (c.cmds[i].arg)
			check_clean(c.cmds[i].arg, c.cmds[i].type == CMD_ACKNOWLEDGE);
		if (c.cmds[i].text)
			check_clean(c.cmds[i].text, false);
	}
	for (size_t i = 0; i < c.n_errors; i++) {
		check_clean(c.errors[i].input, false);
		check_clean(c.errors[i].why, false);
		if (strlen(c.errors[i].input) > OFFICER_CMD_ECHO_MAX + 3)
			abort();
	}
	/* Parsing the relayed text again finds no command in it. */
	{
		_cleanup_officer_cmds_ struct officer_cmds again = OFFICER_CMDS_INIT;

		if (officer_cmds_parse(c.relay_text, &again) < 0 || again.n_cmds != 0 ||
		    again.n_errors != 0 || !streq(again.relay_text, c.relay_text))
			abort();
	}
	errors = officer_cmds_format_errors(&c);
	return 0;
}
