/*
 * json_read.h - a strict, bounded JSON reader: bytes in, a small tree out.
 *
 * The caller gives the limits (input size, nesting depth, string length,
 * number of values, members per object); anything malformed or over a limit
 * is refused with an error naming line and column.  Strings come back as
 * NUL-free UTF-8 (escapes and surrogate pairs decoded); numbers keep their
 * text.  Pure code, shared by the bank-holidays feed and the OAuth answers.
 */
#ifndef COMPLAINTSD_JSON_READ_H
#define COMPLAINTSD_JSON_READ_H

#include <stdbool.h>
#include <stddef.h>

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json_limits {
	size_t max_input;
	int max_depth;
	size_t max_string;
	size_t max_values;
	size_t max_members; /* per object */
};

struct json_value {
	enum json_type type;
	bool boolean;
	char *str;                /* JSON_STRING: decoded UTF-8; JSON_NUMBER: its text */
	struct json_value *items; /* JSON_ARRAY, JSON_OBJECT */
	char **keys;              /* JSON_OBJECT */
	size_t n, alloc;
	size_t offset; /* where the value starts in the input */
};

/* 0, -EINVAL (malformed) or -E2BIG (a limit), with *ret_error malloc'ed on failure. */
int json_parse(const char *data, size_t len, const struct json_limits *lim, struct json_value *ret,
	       char **ret_error);
void json_value_free(struct json_value *v);

/* The member key of an object, or NULL. */
const struct json_value *json_member(const struct json_value *obj, const char *key);
/* The string member key of obj, or NULL when absent or not a string (obj may be any value). */
const char *json_member_string(const struct json_value *obj, const char *key);
/* A whole-number member (a number, or a string of digits) within [min, max]:
 * 0, -ENOENT (absent), -EINVAL (not a whole number) or -ERANGE. */
int json_member_int(const struct json_value *obj, const char *key, long long min, long long max,
		    long long *ret);

/* "line L, column C: what" for a byte offset of start (malloc'ed). */
char *json_where(const char *start, size_t offset, const char *what);

#endif
