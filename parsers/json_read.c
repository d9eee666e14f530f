/*
 * json_read.c - a strict, bounded JSON reader (RFC 8259).
 *
 * It builds a small tree (objects keep their members in order) and checks
 * the syntax fully: no trailing commas, no leading zeros, no raw control
 * characters or invalid UTF-8 in strings, no lone surrogates, no duplicate
 * keys, no trailing garbage.  Every limit is checked before memory is used,
 * so hostile input costs at most max_values small nodes.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json_read.h"
#include "util.h"


struct jparser {
	const struct json_limits *lim;
	const char *start, *p, *end;
	int depth;
	size_t values;
	int error; /* 0, -EINVAL or -E2BIG */
	size_t error_at;
	char *message;
};

void
json_value_free(struct json_value *v)
{
	free(v->str);
	for (size_t i = 0; i < v->n; i++) {
		json_value_free(&v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	*v = (struct json_value){0};
}

static bool
fail(struct jparser *j, int error, const char *what)
{
	if (j->error == 0) {
		j->error = error;
		j->error_at = (size_t)(j->p - j->start);
		j->message = xstrdup(what);
	}
	return false;
}

static void
skip_ws(struct jparser *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static int
hex4(const char *s)
{
	int v = 0;

	for (int i = 0; i < 4; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

static int
put_utf8(struct buf *b, uint32_t cp)
{
	char s[4];
	size_t n;

	if (cp < 0x80) {
		s[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		s[0] = (char)(0xc0 | (cp >> 6));
		s[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		s[0] = (char)(0xe0 | (cp >> 12));
		s[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		s[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		s[0] = (char)(0xf0 | (cp >> 18));
		s[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		s[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		s[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return buf_append(b, s, n);
}

/* Length of the well-formed UTF-8 sequence at p (1 to 4), or 0 if invalid. */
static size_t
utf8_seq(const unsigned char *p, const unsigned char *end)
{
	unsigned c = p[0];
	size_t n;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else
		return 0;
	if ((size_t)(end - p) < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* Parse a string literal at j->p (on the opening quote) into a malloc'ed string. */
static bool
parse_string(struct jparser *j, char **ret)
{
	_cleanup_buf_ struct buf b;

	buf_init(&b, j->lim->max_string);
	j->p++;
	for (;;) {
		unsigned char c;

		if (j->p >= j->end)
			return fail(j, -EINVAL, "unterminated string");
		c = (unsigned char)*j->p;
		if (c == '"') {
			j->p++;
			break;
		}
		if (c < 0x20)
			return fail(j, -EINVAL, "control character in string");
		if (c == '\\') {
			char e;
			int r = 0;

			if (j->end - j->p < 2)
				return fail(j, -EINVAL, "unterminated string");
			e = j->p[1];
			switch (e) {
			case '"':
			case '\\':
			case '/':
				r = buf_putc(&b, e);
				break;
			case 'b':
				r = buf_putc(&b, '\b');
				break;
			case 'f':
				r = buf_putc(&b, '\f');
				break;
			case 'n':
				r = buf_putc(&b, '\n');
				break;
			case 'r':
				r = buf_putc(&b, '\r');
				break;
			case 't':
				r = buf_putc(&b, '\t');
				break;
			case 'u': {
				int hi, lo;
				uint32_t cp;

				if (j->end - j->p < 6 || (hi = hex4(j->p + 2)) < 0)
					return fail(j, -EINVAL, "\\u needs four hex digits");
				cp = (uint32_t)hi;
				if (hi >= 0xdc00 && hi <= 0xdfff)
					return fail(j, -EINVAL, "lone low surrogate in \\u escape");
				if (hi >= 0xd800 && hi <= 0xdbff) {
					if (j->end - j->p < 12 || j->p[6] != '\\' ||
					    j->p[7] != 'u' || (lo = hex4(j->p + 8)) < 0 ||
					    lo < 0xdc00 || lo > 0xdfff)
						return fail(j, -EINVAL,
						            "high surrogate not followed by a low "
						            "surrogate");
					cp = 0x10000 + (((uint32_t)hi - 0xd800) << 10) +
					     ((uint32_t)lo - 0xdc00);
					j->p += 6;
				}
				if (cp == 0)
					return fail(j, -EINVAL,
					            "\\u0000 is not allowed in strings");
				r = put_utf8(&b, cp);
				j->p += 4;
				break;
			}
			default:
				return fail(j, -EINVAL, "unknown escape in string");
			}
			if (r < 0)
				return fail(j, -E2BIG, "string too long");
			j->p += 2;
			continue;
		}
		{
			size_t n =
			    utf8_seq((const unsigned char *)j->p, (const unsigned char *)j->end);

			if (n == 0)
				return fail(j, -EINVAL, "invalid UTF-8 in string");
			if (buf_append(&b, j->p, n) < 0)
				return fail(j, -E2BIG, "string too long");
			j->p += n;
		}
	}
	*ret = buf_steal(&b);
	return true;
}

static bool
is_digit(const struct jparser *j)
{
	return j->p < j->end && *j->p >= '0' && *j->p <= '9';
}

/* Check the syntax of a number and keep its text. */
static bool
parse_number(struct jparser *j, char **ret)
{
	const char *s = j->p;

	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (!is_digit(j))
		return fail(j, -EINVAL, "invalid number");
	if (*j->p == '0') {
		j->p++;
		if (is_digit(j))
			return fail(j, -EINVAL, "leading zero in number");
	} else
		while (is_digit(j))
			j->p++;
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (!is_digit(j))
			return fail(j, -EINVAL, "invalid number");
		while (is_digit(j))
			j->p++;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (!is_digit(j))
			return fail(j, -EINVAL, "invalid number");
		while (is_digit(j))
			j->p++;
	}
	if (j->p - s > 64)
		return fail(j, -E2BIG, "number too long");
	*ret = xstrndup(s, (size_t)(j->p - s));
	return true;
}

static bool
parse_literal(struct jparser *j, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n) != 0)
		return fail(j, -EINVAL, "unexpected character");
	j->p += n;
	return true;
}

static bool parse_value(struct jparser *j, struct json_value *v);

/* Append a slot to an array or object value. */
static struct json_value *
add_item(struct json_value *v)
{
	if (v->n == v->alloc) {
		v->alloc = v->alloc ? v->alloc * 2 : 4;
		v->items = xreallocarray(v->items, v->alloc, sizeof(*v->items));
		if (v->type == JSON_OBJECT)
			v->keys = xreallocarray(v->keys, v->alloc, sizeof(*v->keys));
	}
	if (v->type == JSON_OBJECT)
		v->keys[v->n] = NULL;
	v->items[v->n] = (struct json_value){0};
	return &v->items[v->n++];
}

static bool
parse_container(struct jparser *j, struct json_value *v, char close)
{
	if (++j->depth > j->lim->max_depth)
		return fail(j, -E2BIG, "nested too deeply");
	j->p++;
	skip_ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		j->depth--;
		return true;
	}
	for (;;) {
		struct json_value *item;
		char *key = NULL;

		skip_ws(j);
		if (close == '}') {
			if (j->p >= j->end || *j->p != '"')
				return fail(j, -EINVAL, "expected a string key");
			if (v->n >= j->lim->max_members)
				return fail(j, -E2BIG, "too many members in one object");
			if (!parse_string(j, &key))
				return false;
			for (size_t i = 0; i < v->n; i++)
				if (streq(v->keys[i], key)) {
					free(key);
					return fail(j, -EINVAL, "duplicate key in object");
				}
			skip_ws(j);
			if (j->p >= j->end || *j->p != ':') {
				free(key);
				return fail(j, -EINVAL, "expected ':' after key");
			}
			j->p++;
		}
		item = add_item(v);
		if (key)
			v->keys[v->n - 1] = key;
		if (!parse_value(j, item))
			return false;
		skip_ws(j);
		if (j->p >= j->end)
			return fail(j, -EINVAL,
			            close == '}' ? "unterminated object" : "unterminated array");
		if (*j->p == ',') {
			j->p++;
			continue;
		}
		if (*j->p == close) {
			j->p++;
			break;
		}
		return fail(j, -EINVAL,
		            close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
	}
	j->depth--;
	return true;
}

static bool
parse_value(struct jparser *j, struct json_value *v)
{
	skip_ws(j);
	if (j->p >= j->end)
		return fail(j, -EINVAL, "unexpected end of input");
	if (++j->values > j->lim->max_values)
		return fail(j, -E2BIG, "too many values");
	v->offset = (size_t)(j->p - j->start);
	switch (*j->p) {
	case '{':
		v->type = JSON_OBJECT;
		return parse_container(j, v, '}');
	case '[':
		v->type = JSON_ARRAY;
		return parse_container(j, v, ']');
	case '"':
		v->type = JSON_STRING;
		return parse_string(j, &v->str);
	case 't':
		v->type = JSON_BOOL;
		v->boolean = true;
		return parse_literal(j, "true");
	case 'f':
		v->type = JSON_BOOL;
		return parse_literal(j, "false");
	case 'n':
		v->type = JSON_NULL;
		return parse_literal(j, "null");
	default:
		if (*j->p == '-' || (*j->p >= '0' && *j->p <= '9')) {
			v->type = JSON_NUMBER;
			return parse_number(j, &v->str);
		}
		return fail(j, -EINVAL, "unexpected character");
	}
}

const struct json_value *
json_member(const struct json_value *obj, const char *key)
{
	for (size_t i = 0; i < obj->n; i++)
		if (streq(obj->keys[i], key))
			return &obj->items[i];
	return NULL;
}

/* "line L, column C" of a byte offset, counting columns in bytes from 1. */
char *
json_where(const char *start, size_t offset, const char *what)
{
	unsigned line = 1, col = 1;

	for (size_t i = 0; i < offset; i++) {
		if (start[i] == '\n') {
			line++;
			col = 1;
		} else
			col++;
	}
	return xasprintf("line %u, column %u: %s", line, col, what);
}


int
json_parse(const char *data, size_t len, const struct json_limits *lim, struct json_value *ret,
	   char **ret_error)
{
	struct jparser j = {.lim = lim, .start = data, .p = data, .end = data + len};
	struct json_value root = {0};

	*ret_error = NULL;
	if (len > lim->max_input) {
		*ret_error = xasprintf("input is larger than %zu bytes", lim->max_input);
		return -E2BIG;
	}
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		j.p += 3; /* tolerate a byte order mark */
	if (parse_value(&j, &root)) {
		skip_ws(&j);
		if (j.p != j.end)
			(void)fail(&j, -EINVAL, "trailing characters after the JSON value");
	}
	if (j.error) {
		*ret_error = json_where(data, j.error_at, j.message);
		free(j.message);
		json_value_free(&root);
		return j.error;
	}
	*ret = root;
	return 0;
}

const char *
json_member_string(const struct json_value *obj, const char *key)
{
	const struct json_value *v = obj->type == JSON_OBJECT ? json_member(obj, key) : NULL;

	return v != NULL && v->type == JSON_STRING ? v->str : NULL;
}

int
json_member_int(const struct json_value *obj, const char *key, long long min, long long max,
		long long *ret)
{
	const struct json_value *v = obj->type == JSON_OBJECT ? json_member(obj, key) : NULL;
	const char *s;
	char *end;
	long long n;

	if (v == NULL)
		return -ENOENT;
	/* some servers send numbers as strings ("expires_in": "3599") */
	if (v->type != JSON_NUMBER && v->type != JSON_STRING)
		return -EINVAL;
	s = v->str;
	if (*s == '\0' || strspn(s + (*s == '-'), "0123456789") != strlen(s + (*s == '-')) ||
	    strlen(s) > 18)
		return -EINVAL;
	n = strtoll(s, &end, 10);
	if (n < min || n > max)
		return -ERANGE;
	*ret = n;
	return 0;
}
