/*
 * json.c - JSON output.
 */
#include "config.h"

#include <stdio.h>

#include "json.h"
#include "util.h"

void
json_init(struct json *j, struct buf *out)
{
	*j = (struct json){.out = out};
}

void
json_escape(struct buf *out, const char *s)
{
	(void)buf_putc(out, '"');
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		switch (*p) {
		case '"':
			(void)buf_puts(out, "\\\"");
			break;
		case '\\':
			(void)buf_puts(out, "\\\\");
			break;
		case '\n':
			(void)buf_puts(out, "\\n");
			break;
		case '\r':
			(void)buf_puts(out, "\\r");
			break;
		case '\t':
			(void)buf_puts(out, "\\t");
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				(void)buf_printf(out, "\\u%04x", *p);
			else
				(void)buf_putc(out, (char)*p);
		}
	}
	(void)buf_putc(out, '"');
}

static void
json_key(struct json *j, const char *key)
{
	if (j->need_comma[j->depth])
		(void)buf_putc(j->out, ',');
	j->need_comma[j->depth] = true;
	if (key != NULL) {
		json_escape(j->out, key);
		(void)buf_putc(j->out, ':');
	}
}

static void
json_open(struct json *j, const char *key, char c)
{
	json_key(j, key);
	(void)buf_putc(j->out, c);
	if (j->depth + 1 < (int)ELEMENTSOF(j->need_comma))
		j->depth++;
	j->need_comma[j->depth] = false;
}

static void
json_close(struct json *j, char c)
{
	(void)buf_putc(j->out, c);
	if (j->depth > 0)
		j->depth--;
}

void
json_object_begin(struct json *j, const char *key)
{
	json_open(j, key, '{');
}

void
json_object_end(struct json *j)
{
	json_close(j, '}');
}

void
json_array_begin(struct json *j, const char *key)
{
	json_open(j, key, '[');
}

void
json_array_end(struct json *j)
{
	json_close(j, ']');
}

void
json_string(struct json *j, const char *key, const char *value)
{
	json_key(j, key);
	json_escape(j->out, value);
}

void
json_string_or_null(struct json *j, const char *key, const char *value)
{
	if (isempty(value))
		json_null(j, key);
	else
		json_string(j, key, value);
}

void
json_int(struct json *j, const char *key, int64_t value)
{
	json_key(j, key);
	(void)buf_printf(j->out, "%lld", (long long)value);
}

void
json_null(struct json *j, const char *key)
{
	json_key(j, key);
	(void)buf_puts(j->out, "null");
}

void
format_rfc3339(time_t t, char *buf, size_t size)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, size, "invalid");
}

void
json_time(struct json *j, const char *key, time_t t)
{
	char buf[32];

	if (t == 0) {
		json_null(j, key);
		return;
	}
	format_rfc3339(t, buf, sizeof(buf));
	json_string(j, key, buf);
}
