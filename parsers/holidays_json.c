/*
 * holidays_json.c - the bank-holidays feed (read with json_read.h, within the
 * HOLIDAYS_JSON_MAX_* limits) and the writer of the calendar's holiday file.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "holidays_json.h"
#include "json_read.h"
#include "util.h"

static int
extract_events(const char *data, const struct json_value *root, const char *division,
               struct holiday_events *ret, char **ret_error)
{
	const struct json_value *div, *events;

	if (root->type != JSON_OBJECT) {
		*ret_error = json_where(data, root->offset, "expected an object of divisions");
		return -EINVAL;
	}
	div = json_member(root, division);
	if (div == NULL) {
		_cleanup_buf_ struct buf names;

		buf_init(&names, 256); /* a hostile file could have many long names */
		for (size_t i = 0; i < root->n; i++)
			(void)buf_printf(&names, "%s\"%s\"", i ? ", " : "", root->keys[i]);
		*ret_error = xasprintf("no division \"%s\" (found: %s)", division,
		                       root->n ? buf_str(&names) : "none");
		return -EINVAL;
	}
	if (div->type != JSON_OBJECT) {
		*ret_error = json_where(data, div->offset, "division is not an object");
		return -EINVAL;
	}
	events = json_member(div, "events");
	if (events == NULL || events->type != JSON_ARRAY) {
		*ret_error = json_where(data, div->offset, "division has no \"events\" array");
		return -EINVAL;
	}
	ret->v = xcalloc(events->n ? events->n : 1, sizeof(*ret->v));
	ret->n = 0;
	for (size_t i = 0; i < events->n; i++) {
		const struct json_value *e = &events->items[i], *title, *date, *notes;
		struct cal_date d;

		if (e->type != JSON_OBJECT) {
			*ret_error = json_where(data, e->offset, "event is not an object");
			return -EINVAL;
		}
		title = json_member(e, "title");
		date = json_member(e, "date");
		notes = json_member(e, "notes");
		if (title == NULL || title->type != JSON_STRING) {
			*ret_error = json_where(data, e->offset, "event has no \"title\" string");
			return -EINVAL;
		}
		if (date == NULL || date->type != JSON_STRING) {
			*ret_error = json_where(data, e->offset, "event has no \"date\" string");
			return -EINVAL;
		}
		if (cal_date_parse(date->str, &d) < 0) {
			*ret_error = json_where(data, date->offset,
			                   "\"date\" is not a day in the form YYYY-MM-DD");
			return -EINVAL;
		}
		if (notes != NULL && notes->type != JSON_STRING) {
			*ret_error = json_where(data, notes->offset, "\"notes\" is not a string");
			return -EINVAL;
		}
		ret->v[ret->n++] = (struct holiday_event){
		    .date = d,
		    .title = xstrdup(title->str),
		    .notes = xstrdup(notes ? notes->str : ""),
		};
	}
	return 0;
}

int
holidays_json_parse(const char *data, size_t len, const char *division, struct holiday_events *ret,
                    char **ret_error)
{
	static const struct json_limits lim = {
	    .max_input = HOLIDAYS_JSON_MAX_INPUT,
	    .max_depth = HOLIDAYS_JSON_MAX_DEPTH,
	    .max_string = HOLIDAYS_JSON_MAX_STRING,
	    .max_values = HOLIDAYS_JSON_MAX_VALUES,
	    .max_members = HOLIDAYS_JSON_MAX_MEMBERS,
	};
	struct json_value root = {0};
	struct holiday_events ev = HOLIDAY_EVENTS_INIT;
	int r;

	r = json_parse(data, len, &lim, &root, ret_error);
	if (r < 0)
		return r;
	r = extract_events(data, &root, division, &ev, ret_error);
	json_value_free(&root);
	if (r < 0) {
		holiday_events_free(&ev);
		return r;
	}
	*ret = ev;
	return 0;
}

void
holiday_events_free(struct holiday_events *e)
{
	if (e == NULL)
		return;
	for (size_t i = 0; i < e->n; i++) {
		free(e->v[i].title);
		free(e->v[i].notes);
	}
	free(e->v);
	*e = (struct holiday_events)HOLIDAY_EVENTS_INIT;
}

static int
event_cmp(const void *a, const void *b)
{
	const struct holiday_event *const *x = a, *const *y = b;

	return cal_date_compare((*x)->date, (*y)->date);
}

/* Copy s with control characters turned into spaces and outer blanks trimmed. */
static char *
clean_text(const char *s)
{
	char *t = xstrdup(s);

	for (char *p = t; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return strstrip(t);
}

int
holidays_write_file(const struct holiday_events *e, const char *division, struct buf *out)
{
	_cleanup_free_ const struct holiday_event **sorted = NULL;
	_cleanup_buf_ struct buf text = BUF_INIT;
	int year = 0, r;

	sorted = xcalloc(e->n ? e->n : 1, sizeof(*sorted));
	for (size_t i = 0; i < e->n; i++)
		sorted[i] = &e->v[i];
	qsort(sorted, e->n, sizeof(*sorted), event_cmp);

	(void)buf_printf(
	    &text,
	    "# Bank holidays: %s.\n"
	    "#\n"
	    "# Generated from the published UK bank-holidays JSON.  One holiday per\n"
	    "# line: the date (YYYY-MM-DD), white space, then its name.  Lines starting\n"
	    "# with '#' and blank lines are ignored.\n",
	    division);
	for (size_t i = 0; i < e->n; i++) {
		const struct holiday_event *h = sorted[i];
		_cleanup_free_ char *title = clean_text(h->title), *notes = clean_text(h->notes);
		_cleanup_free_ char *line = NULL;
		char date[CAL_DATE_STRLEN];

		if (i > 0 && cal_date_compare(sorted[i - 1]->date, h->date) == 0)
			return -EEXIST;
		if (isempty(title) || cal_date_format(h->date, date) < 0)
			return -EINVAL;
		line = isempty(notes) ? xasprintf("%s  %s", date, title)
		                      : xasprintf("%s  %s (%s)", date, title, notes);
		if (strlen(line) > CAL_HOLIDAY_LINE_MAX)
			return -EINVAL;
		if (h->date.year != year) {
			year = h->date.year;
			(void)buf_printf(&text, "\n# %d\n", year);
		}
		(void)buf_printf(&text, "%s\n", line);
	}
	r = buf_append(out, text.data ? text.data : "", text.len);
	return r < 0 ? r : 0;
}
