/*
 * digest.c - the weekly digest: which addresses get one, their mails from
 * the template, queued and remembered.  See digest.h.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "case.h"
#include "compose.h"
#include "conf.h"
#include "digest.h"
#include "digest_list.h"
#include "log.h"
#include "routing.h"
#include "store.h"
#include "store_autoreply.h"
#include "store_digest.h"
#include "template.h"
#include "util.h"

/* Where the table goes in the HTML rendering of the template (no value can hold it). */
#define TABLE_MARKER "\x01digest-cases\x01"

/* The open cases, copied out of the store. */
struct cases {
	struct digest_case *v;
	char **owned;
	size_t n, n_owned;
	const struct config *cfg;
	bool over; /* more than DIGEST_MAX_CASES */
};

static const char *
keep(struct cases *cs, const char *s)
{
	cs->owned = xreallocarray(cs->owned, cs->n_owned + 1, sizeof(*cs->owned));
	return cs->owned[cs->n_owned++] = xstrdup(s ? s : "");
}

static int
collect(const struct digest_case_row *r, void *userdata)
{
	struct cases *cs = userdata;
	struct routing_target t = routing_responsible(cs->cfg, NULL, r->route, r->area);

	if (cs->n >= DIGEST_MAX_CASES) {
		cs->over = true;
		return 0;
	}
	cs->v = xreallocarray(cs->v, cs->n + 1, sizeof(*cs->v));
	cs->v[cs->n++] = (struct digest_case){
		.ref = keep(cs, r->ref),
		.subject = keep(cs, r->subject),
		.complainant_name = keep(cs, r->complainant_name),
		.complainant_email = keep(cs, r->complainant_email),
		.kind = keep(cs, r->kind),
		.stage = r->stage,
		.ack_due = keep(cs, r->ack_due),
		.acknowledged = r->acknowledged_at != 0,
		.response_due = keep(cs, r->response_due),
		.officer = keep(cs, r->officer),
		.team = keep(cs, t.team ? t.address : ""),
		.team_name = keep(cs, !t.team		      ? ""
				      : streq(t.source, "route") ? r->route
				      : streq(t.source, "area")  ? r->area
								 : "default"),
	};
	return 0;
}

static void
cases_done(struct cases *cs)
{
	for (size_t i = 0; i < cs->n_owned; i++)
		free(cs->owned[i]);
	free(cs->owned);
	free(cs->v);
}

/* The council's local date and minutes since midnight at t (TZ is the council's). */
static int
local_now(time_t t, struct cal_date *ret_date, int *ret_minutes)
{
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL)
		return -EINVAL;
	*ret_date = (struct cal_date){tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
	*ret_minutes = tm.tm_hour * 60 + tm.tm_min;
	return 0;
}

/* Runs of blank lines (an empty {{digest_mail}}) down to one. */
static char *
squeeze_blank_lines(const char *s)
{
	_cleanup_buf_ struct buf b = BUF_INIT;
	int newlines = 0;

	for (; *s; s++) {
		newlines = *s == '\n' ? newlines + 1 : 0;
		if (newlines <= 2)
			buf_putc(&b, *s);
	}
	return buf_steal(&b);
}

struct render_in {
	const char *for_words;
	const char *date_words;
	const struct digest_view *view;
	const char *mail_words;
};

static int
render(const struct case_ctx *cx, const struct render_in *in, struct digest_mail *m)
{
	const struct template *t = template_get(cx->templates, TEMPLATE_DIGEST);
	_cleanup_free_ char *summary = digest_summary(in->view);
	_cleanup_free_ char *list = digest_text_cases(in->view);
	_cleanup_free_ char *table = digest_html_table(in->view);
	_cleanup_free_ char *body = NULL, *subject2 = NULL, *body2 = NULL;
	struct template_vars v = {{0}};
	int r;

	if (t == NULL)
		return -ENOENT;
	v.value[TV_COUNCIL_NAME] = cx->cfg->council_name;
	v.value[TV_COMPLAINTS_ADDRESS] = cx->cfg->complaints_address;
	v.value[TV_COMPLAINTS_URL] = cx->cfg->complaints_url;
	v.value[TV_DIGEST_FOR] = in->for_words;
	v.value[TV_DIGEST_DATE] = in->date_words;
	v.value[TV_DIGEST_SUMMARY] = summary;
	v.value[TV_DIGEST_MAIL] = in->mail_words;
	v.value[TV_DIGEST_CASES] = list;
	r = template_render(t, &v, &m->subject, &body);
	if (r < 0)
		return r;
	m->text = squeeze_blank_lines(body);
	v.value[TV_DIGEST_CASES] = TABLE_MARKER;
	r = template_render(t, &v, &subject2, &body2);
	if (r < 0)
		return r;
	m->html = digest_html_document(m->subject, body2, TABLE_MARKER, table);
	return 0;
}

/* The entries of one team, in the order of all. */
static size_t
team_entries(const struct digest_entry *all, size_t n, const char *team, struct digest_entry *out)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (team == NULL || ascii_strcaseeq(all[i].c->team, team))
			out[k++] = all[i];
	return k;
}

static int
add_mail(const struct case_ctx *cx, struct digest_set *set, const char *rcpt, bool council,
	 const struct digest_view *view, const char *date_words, const char *mail_words)
{
	struct digest_mail m = {
		.rcpt = xstrdup(rcpt),
		.for_words = council ? xstrdup("the whole council") : xstrdup(rcpt),
		.cases = view->n,
		.council = council,
	};
	size_t counts[_DIGEST_GROUP_MAX];
	struct render_in in = {m.for_words, date_words, view, mail_words};
	int r;

	digest_count(view->e, view->n, counts);
	m.overdue = counts[DIGEST_OVERDUE];
	r = render(cx, &in, &m);
	if (r < 0) {
		free(m.rcpt);
		free(m.for_words);
		free(m.subject);
		free(m.text);
		free(m.html);
		return r;
	}
	set->v = xreallocarray(set->v, set->n + 1, sizeof(*set->v));
	set->v[set->n++] = m;
	return 0;
}

/* Was this address already given a team digest in the set? */
static bool
in_set(const struct digest_set *set, const char *rcpt)
{
	for (size_t i = 0; i < set->n; i++)
		if (ascii_strcaseeq(set->v[i].rcpt, rcpt))
			return true;
	return false;
}

/* Is it the address of a [routing] team? */
static bool
is_team(const struct config *cfg, const char *addr)
{
	for (size_t i = 0; i < cfg->n_routing; i++)
		if (!isempty(cfg->routing[i].address) && ascii_strcaseeq(cfg->routing[i].address, addr))
			return true;
	return false;
}

int
digest_prepare(const struct case_ctx *cx, const char *only_to, struct digest_set *ret)
{
	const struct config *cfg = cx->cfg;
	const char *alerts = config_alerts_address(cfg);
	struct cases cs = {.cfg = cfg};
	_cleanup_free_ struct digest_entry *all = NULL, *mine = NULL;
	_cleanup_free_ char *date_words = NULL, *mail_words = NULL;
	struct cal_date today;
	int minutes, r;
	int64_t held = 0, unattached = 0;

	*ret = (struct digest_set){.n = 0};
	if (only_to != NULL && !ascii_strcaseeq(only_to, alerts) && !is_team(cfg, only_to))
		return -ENOENT;
	r = local_now(cx->now, &today, &minutes);
	if (r < 0)
		return r;
	(void)cal_date_format(today, ret->day);
	date_words = cal_date_format_long(today);
	r = store_digest_open_cases(cx->store, collect, &cs);
	if (r == 0)
		r = store_outbox_count_held(cx->store, &held);
	if (r == 0)
		r = store_count(cx->store, "unattached", &unattached);
	if (r < 0)
		goto out;
	if (cs.over)
		log_warning("More than %d open cases: the digest lists the first %d",
			    DIGEST_MAX_CASES, DIGEST_MAX_CASES);
	digest_build(cx->cal, today, cfg->digest_days_ahead, cs.v, cs.n, &all);
	mine = xcalloc(cs.n ? cs.n : 1, sizeof(*mine));

	/* each team once (several areas may name one address), the alerts address apart */
	for (size_t i = 0; i < cfg->n_routing && r == 0; i++) {
		const char *team = cfg->routing[i].address;
		struct digest_view view = {.e = mine, .days_ahead = cfg->digest_days_ahead,
					   .no_officer = "not assigned"};

		if (isempty(team) || ascii_strcaseeq(team, alerts) || in_set(ret, team))
			continue;
		if (only_to != NULL && !ascii_strcaseeq(only_to, team))
			continue;
		view.n = team_entries(all, cs.n, team, mine);
		if (view.n > 0)
			r = add_mail(cx, ret, team, false, &view, date_words, "");
	}
	if (r == 0 && (only_to == NULL || ascii_strcaseeq(only_to, alerts))) {
		struct digest_view view = {.e = all, .n = cs.n, .days_ahead = cfg->digest_days_ahead,
					   .show_team = true, .no_officer = "not assigned"};

		mail_words = xasprintf(
			"Mail waiting for an officer: %lld repl%s held back by the daily limit on automatic replies (complaintsctl outbox --state held), and %lld message%s recorded without a case (complaintsctl unattached).",
			(long long)held, held == 1 ? "y" : "ies", (long long)unattached,
			unattached == 1 ? "" : "s");
		if (cs.n > 0 || held > 0 || unattached > 0)
			r = add_mail(cx, ret, alerts, true, &view, date_words, mail_words);
	}
out:
	cases_done(&cs);
	if (r < 0)
		digest_set_done(ret);
	return r;
}

void
digest_set_done(struct digest_set *set)
{
	for (size_t i = 0; i < set->n; i++) {
		free(set->v[i].rcpt);
		free(set->v[i].for_words);
		free(set->v[i].subject);
		free(set->v[i].text);
		free(set->v[i].html);
	}
	free(set->v);
	set->v = NULL;
	set->n = 0;
}

static const char *
domain_of(const char *addr)
{
	const char *at = strrchr(addr, '@');

	return at ? at + 1 : addr;
}

int
digest_queue(const struct case_ctx *cx, const struct digest_set *set, bool scheduled)
{
	const struct config *cfg = cx->cfg;
	int r = 0;

	for (size_t i = 0; i < set->n && r == 0; i++) {
		const struct digest_mail *m = &set->v[i];
		/* the scheduled one is known by its day; one sent by hand by its time */
		_cleanup_free_ char *key = scheduled ? xasprintf("digest-%s", set->day)
						     : xasprintf("digest-%s-%lld", set->day,
								 (long long)cx->now);
		_cleanup_free_ char *msgid = compose_message_id(key, m->rcpt, 1,
								domain_of(cfg->complaints_address));
		_cleanup_free_ char *data = NULL, *bare = NULL;
		struct compose_in in = {
			.from_addr = cfg->complaints_address,
			.from_name = *cfg->complaints_display_name ? cfg->complaints_display_name
								  : cfg->council_name,
			.to_addr = m->rcpt,
			.subject = m->subject,
			.message_id = msgid,
			.date = cx->now,
			.auto_generated = true,
			.body = m->text,
			.html = m->html,
		};

		r = compose_message(&in, &data);
		if (r < 0)
			break;
		bare = xstrndup(msgid + 1, strlen(msgid) - 2);
		struct outbox_row row = {
			.purpose = (char *)"digest",
			.message_id = bare,
			.in_reply_to = (char *)"",
			.rcpt = m->rcpt,
			.data = data,
			.len = strlen(data),
			.state = (char *)"queued",
			.next_attempt = cx->now,
			.last_error = (char *)"",
			.created_at = cx->now,
		};
		r = store_outbox_insert(cx->store, &row);
		if (r == -EEXIST)
			r = 0; /* queued before, with the same Message-ID: once is enough */
		else if (r == 0)
			r = store_digest_mail_record(cx->store, set->day, m->rcpt, scheduled,
						     (int64_t)m->cases, (int64_t)m->overdue, bare,
						     cx->now);
	}
	if (r == 0 && scheduled)
		r = store_digest_run_record(cx->store, set->day, cx->now, (int64_t)set->n);
	return r;
}

int
digest_check(const struct case_ctx *cx, size_t *ret_mails)
{
	const struct config *cfg = cx->cfg;
	int weekday = digest_weekday_from_name(cfg->digest_weekday);
	struct digest_set set = {.n = 0};
	struct cal_date today;
	char day[CAL_DATE_STRLEN];
	bool done = false;
	int minutes, r;

	*ret_mails = 0;
	if (weekday < 0 || local_now(cx->now, &today, &minutes) < 0 ||
	    !digest_due_now(cx->cal, weekday, today, minutes))
		return 0;
	(void)cal_date_format(today, day);
	r = store_begin(cx->store);
	if (r < 0)
		return r;
	r = store_digest_run_done(cx->store, day, &done);
	if (r == 0 && !done) {
		r = digest_prepare(cx, NULL, &set);
		if (r == 0)
			r = digest_queue(cx, &set, true);
	}
	if (r == 0)
		r = store_commit(cx->store);
	if (r < 0) {
		store_rollback(cx->store);
		digest_set_done(&set);
		return r;
	}
	if (!done) {
		size_t overdue = 0;

		for (size_t i = 0; i < set.n; i++)
			if (set.v[i].council)
				overdue = set.v[i].overdue;
		log_fields(LOG_INFO, &(struct log_fields){.event = "digest_queued"},
			   "Weekly digest of %s: %zu mail%s queued (%zu overdue case%s in all); the next is due on the next %s",
			   day, set.n, set.n == 1 ? "" : "s", overdue, overdue == 1 ? "" : "s",
			   digest_weekday_name(weekday));
		*ret_mails = set.n;
	}
	digest_set_done(&set);
	return 0;
}
