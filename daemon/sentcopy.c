/*
 * sentcopy.c - copies of the daemon's own mail in the Sent folder (see sentcopy.h).
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "log.h"
#include "sentcopy.h"
#include "store.h"
#include "store_recover.h"
#include "util.h"

/* Copies appended in one round at most; the rest follow in the next rounds. */
#define SENTCOPY_BATCH 100
/* A copy that cannot be appended for this long is given up (it was sent all the same). */
#define SENTCOPY_MAX_AGE (7 * 24 * 3600)

bool
sentcopy_host_saves_itself(const char *host)
{
	/*
	 * Microsoft 365 and Google Workspace save what SMTP AUTH submits in the
	 * sender's Sent folder: known by [oauth2] provider, or by these host
	 * names when the login is a password.
	 */
	static const char *const hosts[] = {"outlook.office365.com", "smtp.office365.com",
					    "imap.gmail.com", "smtp.gmail.com"};

	for (size_t i = 0; host != NULL && i < ELEMENTSOF(hosts); i++)
		if (ascii_strcaseeq(host, hosts[i]))
			return true;
	return false;
}

/* The host of scheme://[user@]host[:port][/path]; malloc'ed, NULL when there is none. */
static char *
url_host(const char *url)
{
	const char *p = url ? strstr(url, "://") : NULL, *end;

	if (p == NULL)
		return NULL;
	p += 3;
	end = p + strcspn(p, "/");
	for (const char *at = p; at < end; at++)
		if (*at == '@')
			p = at + 1;
	if (*p == '[') {
		const char *close = memchr(p, ']', (size_t)(end - p));

		return close ? xstrndup(p + 1, (size_t)(close - p - 1)) : NULL;
	}
	for (const char *colon = p; colon < end; colon++)
		if (*colon == ':') {
			end = colon;
			break;
		}
	return end > p ? xstrndup(p, (size_t)(end - p)) : NULL;
}

bool
sentcopy_enabled(const struct config *cfg, const char **ret_why)
{
	_cleanup_free_ char *imap_host = url_host(cfg->imap_url), *smtp_host = url_host(cfg->smtp_url);
	const char *why;
	bool on;

	if (streq(cfg->imap_save_sent, "yes")) {
		on = true;
		why = "save_sent = yes";
	} else if (streq(cfg->imap_save_sent, "no")) {
		on = false;
		why = "save_sent = no";
	} else if (streq(cfg->oauth_provider, "microsoft") || streq(cfg->oauth_provider, "google")) {
		on = false;
		why = "save_sent = auto: [oauth2] provider saves submitted mail in Sent itself";
	} else if (sentcopy_host_saves_itself(imap_host) || sentcopy_host_saves_itself(smtp_host)) {
		/* the same servers with a password login, or [oauth2] provider = generic */
		on = false;
		why = "save_sent = auto: the provider saves submitted mail in Sent itself";
	} else {
		on = true;
		why = "save_sent = auto";
	}
	if (ret_why != NULL)
		*ret_why = why;
	return on;
}

const char *
sentcopy_folder(const struct config *cfg)
{
	return isempty(cfg->imap_sent_folder) ? "Sent" : cfg->imap_sent_folder;
}

static time_t
copy_backoff(int attempts)
{
	time_t t = 60;

	for (int i = 1; i < attempts && t < 3600; i++)
		t *= 2;
	return t > 3600 ? 3600 : t;
}

/* Record one copy's outcome in its own transaction. */
static int
record(struct store *store, const struct sent_copy_row *c, bool done, const char *error,
       time_t now)
{
	int r = store_begin(store);

	if (r < 0)
		return r;
	if (done || now - c->sent_at > SENTCOPY_MAX_AGE)
		r = store_sent_copy_done(store, c->outbox_id);
	else
		r = store_sent_copy_retry(store, c->outbox_id, c->attempts + 1,
					  now + copy_backoff(c->attempts + 1), error);
	if (r == 0)
		r = store_commit(store);
	if (r < 0)
		store_rollback(store);
	return r;
}

/* One batch: IMAP_OK with *ret_more when a full batch went and more may be due. */
static enum imap_result
append_batch(const struct config *cfg, struct store *store, struct imap *im, struct sentcopy *sc,
	     time_t now, bool *ret_more, int *ret_store_error)
{
	const char *folder = sentcopy_folder(cfg);
	struct sent_copy_row *rows = NULL;
	enum imap_result ir = IMAP_OK;
	size_t n = 0, todo, done = 0;
	int r;

	*ret_more = false;
	r = store_sent_copy_due(store, now, SENTCOPY_BATCH, &rows, &n);
	if (r < 0) {
		*ret_store_error = r;
		return IMAP_OK;
	}
	todo = n;
	if (n > 0 && !sc->folder_ready) {
		ir = imap_ensure_folder(im, folder);
		if (ir == IMAP_OK)
			sc->folder_ready = true;
		else if (ir == IMAP_BOX_BAD) {
			log_warning("The Sent folder \"%s\" cannot be created (%s); %zu cop%s of sent mail wait and are tried again",
				    folder, imap_last_error(im), n, n == 1 ? "y" : "ies");
			ir = IMAP_OK;
			todo = 0;
		}
	}
	for (size_t i = 0; ir == IMAP_OK && i < todo; i++) {
		struct sent_copy_row *c = &rows[i];
		uint32_t uid = 0;

		ir = imap_append(im, folder, c->data, c->len, c->sent_at, true, &uid);
		if (ir == IMAP_OK) {
			sc->appended++;
			done++;
			log_fields(LOG_DEBUG,
				   &(struct log_fields){.event = "sent_copy", .mail_message_id = c->message_id,
							.imap_uid = uid},
				   "Copy of sent mail <%s> appended to %s", c->message_id, folder);
			r = record(store, c, true, NULL, now);
		} else if (ir == IMAP_BOX_BAD || ir == IMAP_MSG_BAD) {
			sc->failed++;
			log_fields(LOG_WARNING,
				   &(struct log_fields){.event = "sent_copy_failed",
							.mail_message_id = c->message_id},
				   "Copy of sent mail <%s> could not be appended to %s: %s; %s", c->message_id,
				   folder, imap_last_error(im),
				   now - c->sent_at > SENTCOPY_MAX_AGE
					   ? "given up after a week (the mail itself was sent)"
					   : "trying again later (the mail itself was sent)");
			sc->folder_ready = false;
			r = record(store, c, false, imap_last_error(im), now);
			ir = IMAP_OK;
		} else
			break; /* the session is gone: the rest waits for the next round */
		if (r < 0) {
			*ret_store_error = r;
			break;
		}
	}
	/* a copy that failed is due again only after its backoff, so this ends */
	*ret_more = ir == IMAP_OK && *ret_store_error == 0 && n == SENTCOPY_BATCH && done > 0;
	sent_copy_rows_free(rows, n);
	return ir;
}

enum imap_result
sentcopy_append_due(const struct config *cfg, struct store *store, struct imap *im,
		    struct sentcopy *sc, int *ret_store_error)
{
	enum imap_result ir;
	time_t now = time(NULL);
	bool more;
	int r;

	*ret_store_error = 0;
	if (!sentcopy_enabled(cfg, NULL)) {
		int64_t waiting = 0;

		/* off (or the server keeps copies itself): nothing is wanted of what waits */
		r = store_sent_copy_count(store, &waiting);
		if (r == 0 && waiting > 0)
			r = store_sent_copy_clear(store);
		*ret_store_error = r;
		return IMAP_OK;
	}
	/*
	 * Every copy due, batch after batch: until it is in the Sent folder, a
	 * mail sent is known only to the database, and a restore of an older
	 * backup would send it again.
	 */
	do
		ir = append_batch(cfg, store, im, sc, now, &more, ret_store_error);
	while (more);
	return ir;
}
