/*
 * log.c - the journald adapter (the only file that includes sd-journal.h).
 */
#include "config.h"

#define SD_JOURNAL_SUPPRESS_LOCATION
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "util.h"

static struct {
	const char *identifier;
	bool journal;
	int level;
} log_state = {"complaintsd", false, LOG_INFO};

/* Is stderr connected to the journal ($JOURNAL_STREAM names its dev:ino)? */
static bool
stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (e == NULL || sscanf(e, "%llu:%llu", &dev, &ino) != 2)
		return false;
	if (fstat(STDERR_FILENO, &st) < 0)
		return false;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void
log_open(const char *identifier, enum log_target target)
{
	log_state.identifier = identifier;
	switch (target) {
	case LOG_TARGET_JOURNAL:
		log_state.journal = true;
		break;
	case LOG_TARGET_STDERR:
		log_state.journal = false;
		break;
	case LOG_TARGET_AUTO:
		/* Under systemd (stderr goes to the journal) talk to journald directly;
		 * from a terminal or a test, write plain lines to stderr. */
		log_state.journal = stderr_is_journal() &&
				    access("/run/systemd/journal/socket", W_OK) == 0;
		break;
	}
}

void
log_set_level(int level)
{
	log_state.level = level;
}

int
log_get_level(void)
{
	return log_state.level;
}

static void
iov_add(struct iovec *iov, size_t *n, char *s)
{
	iov[*n].iov_base = s;
	iov[*n].iov_len = strlen(s);
	(*n)++;
}

static void
log_journal(int priority, const struct log_fields *f, const char *msg)
{
	char *items[12] = {0};
	struct iovec iov[12];
	size_t n = 0;

	items[n] = xasprintf("MESSAGE=%s", msg), iov_add(iov, &n, items[n]);
	items[n] = xasprintf("PRIORITY=%d", priority), iov_add(iov, &n, items[n]);
	items[n] = xasprintf("SYSLOG_IDENTIFIER=%s", log_state.identifier), iov_add(iov, &n, items[n]);
	if (f != NULL) {
		if (!isempty(f->catalog_id))
			items[n] = xasprintf("MESSAGE_ID=%s", f->catalog_id), iov_add(iov, &n, items[n]);
		if (!isempty(f->case_ref))
			items[n] = xasprintf("CASE_REF=%s", f->case_ref), iov_add(iov, &n, items[n]);
		if (!isempty(f->event))
			items[n] = xasprintf("EVENT=%s", f->event), iov_add(iov, &n, items[n]);
		if (f->stage > 0)
			items[n] = xasprintf("STAGE=%d", f->stage), iov_add(iov, &n, items[n]);
		if (!isempty(f->mail_message_id))
			items[n] = xasprintf("MAIL_MESSAGE_ID=%s", f->mail_message_id),
			iov_add(iov, &n, items[n]);
		if (f->imap_uid > 0)
			items[n] = xasprintf("IMAP_UID=%u", f->imap_uid), iov_add(iov, &n, items[n]);
		if (!isempty(f->mail_from))
			items[n] = xasprintf("MAIL_FROM=%s", f->mail_from), iov_add(iov, &n, items[n]);
		if (!isempty(f->auth_results))
			items[n] = xasprintf("AUTH_RESULTS=%s", f->auth_results),
			iov_add(iov, &n, items[n]);
	}
	(void)sd_journal_sendv(iov, (int)n);
	for (size_t i = 0; i < n; i++)
		free(items[i]);
}

static void
log_stderr(int priority, const struct log_fields *f, const char *msg)
{
	_cleanup_buf_ struct buf b = BUF_INIT;

	(void)buf_printf(&b, "<%d>%s: %s", priority, log_state.identifier, msg);
	if (f != NULL) {
		if (!isempty(f->case_ref))
			(void)buf_printf(&b, " CASE_REF=%s", f->case_ref);
		if (!isempty(f->event))
			(void)buf_printf(&b, " EVENT=%s", f->event);
		if (f->stage > 0)
			(void)buf_printf(&b, " STAGE=%d", f->stage);
		if (!isempty(f->mail_message_id))
			(void)buf_printf(&b, " MAIL_MESSAGE_ID=%s", f->mail_message_id);
		if (f->imap_uid > 0)
			(void)buf_printf(&b, " IMAP_UID=%u", f->imap_uid);
		if (!isempty(f->mail_from))
			(void)buf_printf(&b, " MAIL_FROM=%s", f->mail_from);
	}
	(void)buf_putc(&b, '\n');
	(void)!write(STDERR_FILENO, buf_str(&b), b.len);
}

void
log_fields(int priority, const struct log_fields *f, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	int saved = errno;
	va_list ap;

	if (priority > log_state.level)
		return;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	/* one entry per call: a newline in a message must not forge a second line */
	for (char *p = msg; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	if (log_state.journal)
		log_journal(priority, f, msg);
	else
		log_stderr(priority, f, msg);
	errno = saved;
}
