/*
 * automail.c - RFC 3834 automatic-mail detection.
 *
 * Pure decision on an already parsed message.  Precedence when several
 * signs are present: delivery report, then out-of-office or auto-reply, then
 * null sender, bulk, list.  The result only decides "answer or not": every
 * message is still recorded by the caller.
 */
#include "config.h"

#include <string.h>

#include "automail.h"
#include "util.h"

const char *
automail_kind_to_string(enum automail_kind k)
{
	switch (k) {
	case AUTOMAIL_NONE:
		return "none";
	case AUTOMAIL_DSN:
		return "dsn";
	case AUTOMAIL_AUTO_REPLY:
		return "auto_reply";
	case AUTOMAIL_OUT_OF_OFFICE:
		return "out_of_office";
	case AUTOMAIL_BULK:
		return "bulk";
	case AUTOMAIL_LIST:
		return "list";
	case AUTOMAIL_NULL_SENDER:
		return "null_sender";
	}
	return "none";
}

static bool
is_daemon_address(const char *email)
{
	return email &&
	       (startswith_nocase(email, "mailer-daemon@") ||
	        ascii_strcaseeq(email, "mailer-daemon") || startswith_nocase(email, "postmaster@"));
}

/* Subject phrases clients use for out-of-office replies (English and a few neighbours). */
static bool
subject_says_oof(const char *s)
{
	static const char *const prefixes[] = {
	    "automatic reply:",
	    "auto reply:",
	    "autoreply:",
	    "auto-reply:",
	    "out of office",
	    "abwesenheitsnotiz:",
	    "automatische antwort:",
	    "réponse automatique",
	    "respuesta automática:",
	    "risposta automatica:",
	    "afwezig:",
	};
	static const char *const anywhere[] = {"out of office", "out of the office",
	                                       "on annual leave", "away from the office"};

	if (!s)
		return false;
	for (size_t i = 0; i < ELEMENTSOF(prefixes); i++)
		if (startswith_nocase(s, prefixes[i]))
			return true;
	for (size_t i = 0; i < ELEMENTSOF(anywhere); i++)
		if (ascii_strcasestr(s, anywhere[i]))
			return true;
	return false;
}

enum automail_kind
automail_classify(const struct message *m)
{
	/* Auto-Submitted: "no" may carry parameters or a comment ("no; x", "No (by hand)"). */
	size_t tok = m->auto_submitted ? strcspn(m->auto_submitted, " \t;(") : 0;
	bool auto_sub = tok > 0 && !(tok == 2 && ascii_strncaseeq(m->auto_submitted, "no", 2));
	bool daemon_from = is_daemon_address(m->from.email);
	const char *p = m->precedence;

	if (m->is_dsn || (daemon_from && streq_ptr(m->content_type, "multipart/report")))
		return AUTOMAIL_DSN;
	if ((auto_sub || m->x_autoreply) && (m->oof_hint || subject_says_oof(m->subject)))
		return AUTOMAIL_OUT_OF_OFFICE;
	if (auto_sub || m->x_autoreply)
		return AUTOMAIL_AUTO_REPLY;
	/* No header at all, but the subject is unmistakable (some clients send OOF without
	 * Auto-Submitted). */
	if (startswith_nocase(m->subject ? m->subject : "", "automatic reply:") ||
	    startswith_nocase(m->subject ? m->subject : "", "out of office:") ||
	    startswith_nocase(m->subject ? m->subject : "", "abwesenheitsnotiz:"))
		return AUTOMAIL_OUT_OF_OFFICE;
	if ((m->has_return_path &&
	     (isempty(m->return_path) || is_daemon_address(m->return_path))) ||
	    daemon_from)
		return AUTOMAIL_NULL_SENDER;
	if (p && (ascii_strcaseeq(p, "bulk") || ascii_strcaseeq(p, "junk") ||
	          ascii_strcaseeq(p, "list")))
		return AUTOMAIL_BULK;
	if (!isempty(m->list_id))
		return AUTOMAIL_LIST;
	return AUTOMAIL_NONE;
}

/* Is c an ASCII letter (a robot word must not continue a longer word)? */
static bool
ascii_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool
automail_never_answer(const char *addr)
{
	/*
	 * The robot words, anywhere in the local part where a word can start: at
	 * its start, after anything but a letter, or at a capital after a small
	 * letter ("newsalerts-noreply", "account-security-noreply",
	 * "noreply-dmarc-support", "info.donotreply", "mail2noreply",
	 * "NewsNoReply"), but not inside a longer word ("bruno.reply" and
	 * "juno-reply" hold "no.reply" and "no-reply" only by accident).
	 */
	static const char *const words[] = {"noreply",      "no-reply",     "no_reply",
					    "no.reply",     "donotreply",   "do-not-reply",
					    "do_not_reply", "do.not.reply"};
	static const char *const suffixes[] = {"-request", "-bounces", "-bounce"};
	const char *at = addr ? strrchr(addr, '@') : NULL;
	size_t n = at ? (size_t)(at - addr) : (addr ? strlen(addr) : 0);

	if (n == 0)
		return true;
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && ascii_letter(addr[i - 1]) &&
		    !(addr[i - 1] >= 'a' && addr[i - 1] <= 'z' && addr[i] >= 'A' && addr[i] <= 'Z'))
			continue;
		for (size_t w = 0; w < ELEMENTSOF(words); w++) {
			size_t k = strlen(words[w]);

			if (n - i >= k && ascii_strncaseeq(addr + i, words[w], k))
				return true;
		}
	}
	if (n >= 6 && ascii_strncaseeq(addr, "owner-", 6))
		return true;
	for (size_t i = 0; i < ELEMENTSOF(suffixes); i++) {
		size_t k = strlen(suffixes[i]);

		if (n >= k && ascii_strncaseeq(addr + n - k, suffixes[i], k))
			return true;
	}
	/* Mailman's VERP return addresses: list-bounces+jane=example.net@ */
	for (size_t i = 0; i + 9 <= n; i++)
		if (ascii_strncaseeq(addr + i, "-bounces+", 9))
			return true;
	return (n == 13 && ascii_strncaseeq(addr, "mailer-daemon", 13)) ||
	       (n == 10 && ascii_strncaseeq(addr, "postmaster", 10));
}
