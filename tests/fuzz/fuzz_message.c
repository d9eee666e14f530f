/*
 * fuzz_message.c - libFuzzer target for the message parser and classifier.
 *
 * Any input must parse or be refused without crashing, leaking or taking
 * long; a parsed message must dump and classify, and every header-derived
 * string must be valid UTF-8 without control characters.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "automail.h"
#include "charset.h"
#include "message.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_line(const char *s)
{
	if (!utf8_valid(s, strlen(s)))
		abort();
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msg_limits lim = {256 * 1024, 8, 64, 32 * 1024, false};
	struct message *m = NULL;
	char *reason = NULL, *dump;

	if (message_parse((const char *)data, size, &lim, &m, &reason) != MSG_OK) {
		if (m || !reason)
			abort();
		free(reason);
		return 0;
	}
	check_line(m->subject);
	check_line(m->from.name);
	check_line(m->from.email);
	check_line(m->message_id);
	for (size_t i = 0; i < m->n_attachments; i++)
		check_line(m->attachments[i].filename);
	for (size_t i = 0; i < m->n_forwards; i++) {
		check_line(m->forwards[i].subject);
		check_line(m->forwards[i].from.name);
	}
	if (!utf8_valid(m->body, strlen(m->body)))
		abort();
	dump = message_dump(m);
	if (!utf8_valid(dump, strlen(dump)))
		abort();
	(void)automail_kind_to_string(automail_classify(m));
	free(dump);
	message_free(m);
	return 0;
}
