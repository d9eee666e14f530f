/*
 * json.h - a small JSON writer on top of struct buf.
 *
 * Strings are escaped per RFC 8259 (control characters as \u00XX); invalid
 * UTF-8 never reaches here because every string comes from the normalised
 * message or the store.  The writer tracks commas, so callers just emit
 * members in order.
 */
#ifndef COMPLAINTSD_JSON_H
#define COMPLAINTSD_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"

struct json {
	struct buf *out;
	bool need_comma[32];
	int depth;
};

void json_init(struct json *j, struct buf *out);
void json_object_begin(struct json *j, const char *key);
void json_object_end(struct json *j);
void json_array_begin(struct json *j, const char *key);
void json_array_end(struct json *j);
/* key is NULL inside arrays. */
void json_string(struct json *j, const char *key, const char *value);
/* A string, or null when value is NULL or "". */
void json_string_or_null(struct json *j, const char *key, const char *value);
void json_int(struct json *j, const char *key, int64_t value);
void json_null(struct json *j, const char *key);
/* RFC 3339 UTC ("2026-03-30T15:59:00Z"), or null when t is 0. */
void json_time(struct json *j, const char *key, time_t t);

/* Append s as a JSON string literal (with quotes). */
void json_escape(struct buf *out, const char *s);
/* Format t as RFC 3339 UTC into buf (at least 21 bytes). */
void format_rfc3339(time_t t, char *buf, size_t size);

#endif
