/*
 * fuzz_holidays_json.c - libFuzzer target for the bank-holidays JSON reader.
 *
 * Beyond "no crash, no leak", it checks the round trip the update tool
 * relies on: whatever the reader accepts and the writer turns into a holiday
 * file must load into a calendar without a single error.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I parsers -I BUILDDIR \
 *	-include config.h tests/fuzz/fuzz_holidays_json.c parsers/holidays_json.c parsers/json_read.c \
 *	parsers/calendar.c parsers/errlist.c parsers/util.c parsers/buf.c
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "calendar.h"
#include "holidays_json.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_holiday_events_ struct holiday_events ev = HOLIDAY_EVENTS_INIT;
	_cleanup_errlist_ struct errlist errs = ERRLIST_INIT;
	_cleanup_buf_ struct buf out = BUF_INIT;
	_cleanup_free_ char *err = NULL;
	struct calendar *cal;
	int r;

	r = holidays_json_parse((const char *)data, size, "england-and-wales", &ev, &err);
	if (r < 0) {
		if (err == NULL || (r != -EINVAL && r != -E2BIG))
			abort();
		return 0;
	}
	if (err != NULL)
		abort();
	if (holidays_write_file(&ev, "england-and-wales", &out) < 0)
		return 0;
	cal = calendar_new();
	r = calendar_parse_holidays(cal, buf_str(&out), out.len, "fuzz", &errs);
	if (r < 0 || errs.n != 0 || calendar_holiday_count(cal) != ev.n)
		abort();
	calendar_free(cal);
	return 0;
}
