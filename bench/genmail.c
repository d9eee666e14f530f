/*
 * genmail - generate realistic mail to the complaints address, for the benchmarks.
 *
 *   genmail -n COUNT [-s SEED] [-k mix|complaint] [-f FIRST] (-m MAILDIR | -d DIR)
 *
 * Writes COUNT messages, either as a Maildir backlog (MAILDIR/new/, created
 * with cur/ and tmp/) or as DIR/NNNNNN.eml files to send one by one.  The
 * mix follows the shapes of the test corpus: plain text, multipart/alternative
 * (Gmail style), HTML-only (Outlook style, quoted-printable), multipart/mixed
 * with a small base64 attachment, replies to earlier generated messages
 * (In-Reply-To and References, quoted text), councillors' forwards, and
 * out-of-office replies.  "-k complaint" writes only new complaints.
 *
 * Guarantees: the output depends only on COUNT, SEED, FIRST and the kind
 * (xorshift generator, fixed base date), every new conversation comes from a
 * distinct sender (resident<N>@example.net/.org/.com), and message N of a run
 * with FIRST=F is the same whatever COUNT is.  Prints a summary of the shapes
 * written on stderr.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "util.h"

/* Mon 16 Nov 2026 09:00:00 UTC: dates in the generated headers. */
#define GEN_BASE_TIME 1794819600LL

enum shape {
	SHAPE_PLAIN,
	SHAPE_ALTERNATIVE,
	SHAPE_HTML,
	SHAPE_ATTACHMENT,
	SHAPE_REPLY,
	SHAPE_COUNCILLOR,
	SHAPE_OOO,
	_SHAPE_MAX,
};

static const char *const shape_names[_SHAPE_MAX] = {
	"plain", "alternative", "html-only", "attachment", "reply", "councillor-forward",
	"out-of-office",
};

struct rng {
	uint64_t s;
};

static uint64_t
rng_next(struct rng *r)
{
	/* xorshift64* */
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 2685821657736338717ULL;
}

static unsigned
rng_below(struct rng *r, unsigned n)
{
	return n ? (unsigned)(rng_next(r) % n) : 0;
}

#define PICK(r, a) ((a)[rng_below((r), sizeof(a) / sizeof((a)[0]))])

static const char *const first_names[] = {
	"Jane", "Tom", "Priya", "Mohammed", "Olivia", "George", "Aisha", "Harry", "Sophie",
	"Daniel", "Chloe", "Wei", "Fatima", "James", "Emily", "Oluwaseun", "Grace", "Liam",
	"Zofia", "Connor", "Amelia", "Ravi", "Hannah", "Tariq",
};

static const char *const last_names[] = {
	"Resident", "Baker", "Patel", "Khan", "Smith", "Jones", "Williams", "Brown", "Taylor",
	"Davies", "Evans", "Wilson", "Thomas", "Roberts", "Nowak", "Chen", "Okafor", "Hughes",
	"Walker", "Wright", "Green", "Hall", "Ahmed", "Clarke",
};

static const char *const domains[] = {"example.net", "example.org", "example.com"};

static const char *const streets[] = {
	"Elm Road", "Mill Lane", "Station Road", "Church Street", "Park Avenue", "High Street",
	"Victoria Road", "Queens Drive", "Meadow Close", "Orchard Way",
};

static const char *const topics[] = {
	"Missed bin collection", "Potholes", "Noise from the building site",
	"Council tax bill", "Damp in my flat", "Parking permit", "Street lighting out",
	"Fly-tipping not cleared", "Planning application", "Library opening hours",
	"Housing repair not done", "Overgrown verges", "Blocked drain", "Graffiti",
};

static const char *const complaint_lines[] = {
	"I want to make a formal complaint about the way this has been handled.",
	"This is the third time I have reported it and nothing has been done.",
	"I am very unhappy with the service I have received from the council.",
	"Nobody has called me back although I was promised a reply within five days.",
	"The officer I spoke to on the phone was rude and did not listen.",
	"I have lived here for twelve years and it has never been this bad.",
	"My elderly mother cannot get out of the house because of it.",
	"I reported this online on the 2nd and got an automatic reply, then nothing.",
	"Please treat this as a complaint and tell me what you will do to put it right.",
	"The problem started in October and has got steadily worse since then.",
	"I have attached a photo that shows the state of it this morning.",
	"Your website says the work would be done in ten working days; it is now six weeks.",
	"I am disappointed that I have to write again about the same thing.",
	"Neighbours at numbers 4, 6 and 9 have the same problem and are equally fed up.",
	"I would like an apology and a date when this will be fixed.",
	"I pay my council tax in full every month and expect the basic services to work.",
	"The contractor left the site in a mess and the pavement is now dangerous.",
	"I was told someone would visit on Tuesday but nobody came.",
};

static const char *const ooo_lines[] = {
	"I am out of the office until Monday with limited access to email.",
	"Thank you for your email. I am on annual leave and will reply on my return.",
	"I am away at the moment and will not be checking messages.",
};

struct gen {
	struct rng rng;
	const char *to;
	unsigned first;
	enum shape only; /* _SHAPE_MAX: the mix */
	unsigned counts[_SHAPE_MAX];
};

/* The sender and subject of conversation n, derived from n alone so replies can find them. */
struct person {
	char name[64];
	char email[96];
	char subject[96];
	char msgid[96];
};

static void
person_for(unsigned n, uint64_t seed, struct person *p)
{
	struct rng r = {(seed ^ (0x9E3779B97F4A7C15ULL * (n + 1))) | 1};
	int k;

	(void)rng_next(&r);
	k = snprintf(p->name, sizeof(p->name), "%s %s", PICK(&r, first_names), PICK(&r, last_names));
	if (k < 0 || (size_t)k >= sizeof(p->name))
		abort();
	k = snprintf(p->email, sizeof(p->email), "resident%06u@%s", n, PICK(&r, domains));
	if (k < 0 || (size_t)k >= sizeof(p->email))
		abort();
	k = snprintf(p->subject, sizeof(p->subject), "%s at %u %s", PICK(&r, topics),
		     1 + rng_below(&r, 120), PICK(&r, streets));
	if (k < 0 || (size_t)k >= sizeof(p->subject))
		abort();
	k = snprintf(p->msgid, sizeof(p->msgid), "gen-%06u-%08x@mail.%s", n,
		     (unsigned)(rng_next(&r) >> 32), strchr(p->email, '@') + 1);
	if (k < 0 || (size_t)k >= sizeof(p->msgid))
		abort();
}

static void
date_header(struct buf *b, unsigned n)
{
	static const char *const days[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
	long long t = GEN_BASE_TIME + (long long)n * 37;
	long long day = t / 86400, secs = t % 86400;

	/* 1 Jan 1970 was a Thursday; a backlog spans days, not months */
	buf_printf(b, "Date: %s, %lld Nov 2026 %02lld:%02lld:%02lld +0000\n", days[(day + 3) % 7],
		   16 + (day - GEN_BASE_TIME / 86400), secs / 3600, secs / 60 % 60, secs % 60);
}

/* Paragraphs of complaint text, about `bytes` long, lines of plain text. */
static void
body_text(struct gen *g, struct buf *b, size_t bytes, const struct person *p)
{
	size_t start = b->len;

	buf_puts(b, "Dear Sir or Madam,\n\n");
	while (b->len - start < bytes) {
		unsigned lines = 2 + rng_below(&g->rng, 4);

		for (unsigned i = 0; i < lines; i++)
			buf_printf(b, "%s\n", PICK(&g->rng, complaint_lines));
		buf_puts(b, "\n");
	}
	buf_printf(b, "Yours faithfully,\n%s\n%u %s\n", p->name, 1 + rng_below(&g->rng, 120),
		   PICK(&g->rng, streets));
}

/* The same text as simple HTML. */
static void
body_html(struct buf *b, const char *text)
{
	buf_puts(b, "<html><head><meta charset=\"UTF-8\"></head><body><div dir=\"ltr\">");
	for (const char *s = text; *s != '\0'; s++) {
		if (*s == '\n')
			buf_puts(b, s[1] == '\n' ? "</div>\n<div>" : "<br>\n");
		else if (*s == '&')
			buf_puts(b, "&amp;");
		else if (*s == '<')
			buf_puts(b, "&lt;");
		else
			buf_putc(b, *s);
	}
	buf_puts(b, "</div></body></html>\n");
}

/* Quoted-printable with soft line breaks at 76 columns. */
static void
qp_encode(struct buf *b, const char *s)
{
	size_t col = 0;

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\n') {
			buf_puts(b, "\n");
			col = 0;
			continue;
		}
		if (col >= 72) {
			buf_puts(b, "=\n");
			col = 0;
		}
		if (c == '=' || c >= 0x7f || (c < 0x20 && c != '\t')) {
			buf_printf(b, "=%02X", c);
			col += 3;
		} else {
			buf_putc(b, (char)c);
			col++;
		}
	}
}

static void
base64_block(struct gen *g, struct buf *b, size_t bytes)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t quads = (bytes + 2) / 3, col = 0;

	for (size_t i = 0; i < quads; i++) {
		uint64_t v = rng_next(&g->rng);
		char q[4] = {tab[v & 63], tab[(v >> 6) & 63], tab[(v >> 12) & 63], tab[(v >> 18) & 63]};

		buf_append(b, q, 4);
		col += 4;
		if (col == 76) {
			buf_puts(b, "\n");
			col = 0;
		}
	}
	if (col)
		buf_puts(b, "\n");
}

static void
common_headers(struct gen *g, struct buf *b, unsigned n, const char *from_name,
	       const char *from_email, const char *subject, const char *msgid)
{
	buf_printf(b, "Received: from mx%u.%s (mx.%s [192.0.2.%u])\n"
		      "\tby mail.council.example (Postfix) with ESMTPS id G%06X\n"
		      "\tfor <%s>; Mon, 16 Nov 2026 09:00:00 +0000 (GMT)\n",
		   1 + rng_below(&g->rng, 3), strchr(from_email, '@') + 1,
		   strchr(from_email, '@') + 1, 1 + rng_below(&g->rng, 250), n, g->to);
	buf_printf(b, "Authentication-Results: mail.council.example;\n"
		      "\tdkim=pass header.d=%s; spf=pass smtp.mailfrom=%s\n",
		   strchr(from_email, '@') + 1, strchr(from_email, '@') + 1);
	buf_puts(b, "MIME-Version: 1.0\n");
	date_header(b, n);
	buf_printf(b, "Message-ID: <%s>\n", msgid);
	buf_printf(b, "Subject: %s\n", subject);
	buf_printf(b, "From: %s <%s>\n", from_name, from_email);
	buf_printf(b, "To: %s\n", g->to);
}

static enum shape
pick_shape(struct gen *g, unsigned n)
{
	unsigned x;

	if (g->only != _SHAPE_MAX)
		return g->only;
	x = rng_below(&g->rng, 100);
	if (n < 20 && x >= 40) /* nothing to reply to yet */
		return SHAPE_PLAIN;
	if (x < 30)
		return SHAPE_PLAIN;
	if (x < 50)
		return SHAPE_ALTERNATIVE;
	if (x < 58)
		return SHAPE_HTML;
	if (x < 70)
		return SHAPE_ATTACHMENT;
	if (x < 88)
		return SHAPE_REPLY;
	if (x < 95)
		return SHAPE_COUNCILLOR;
	return SHAPE_OOO;
}

/* Message n of the run, in full, LF line ends. */
static void
gen_message(struct gen *g, unsigned n, uint64_t seed, struct buf *b)
{
	enum shape shape = pick_shape(g, n);
	_cleanup_buf_ struct buf text = BUF_INIT;
	struct person p;
	char boundary[48];
	int k;

	person_for(n, seed, &p);
	k = snprintf(boundary, sizeof(boundary), "00000000000%08x%04x",
		     (unsigned)(rng_next(&g->rng) >> 32), n & 0xffff);
	if (k < 0 || (size_t)k >= sizeof(boundary))
		abort();
	g->counts[shape]++;

	switch (shape) {
	case SHAPE_PLAIN:
		common_headers(g, b, n, p.name, p.email, p.subject, p.msgid);
		buf_puts(b, "Content-Type: text/plain; charset=UTF-8\n\n");
		body_text(g, b, 600 + rng_below(&g->rng, 2400), &p);
		break;
	case SHAPE_ALTERNATIVE:
		common_headers(g, b, n, p.name, p.email, p.subject, p.msgid);
		buf_printf(b, "Content-Type: multipart/alternative; boundary=\"%s\"\n\n", boundary);
		body_text(g, &text, 500 + rng_below(&g->rng, 2000), &p);
		buf_printf(b, "--%s\nContent-Type: text/plain; charset=\"UTF-8\"\n\n%s\n", boundary,
			   buf_str(&text));
		buf_printf(b, "--%s\nContent-Type: text/html; charset=\"UTF-8\"\n"
			      "Content-Transfer-Encoding: quoted-printable\n\n",
			   boundary);
		{
			_cleanup_buf_ struct buf html = BUF_INIT;

			body_html(&html, buf_str(&text));
			qp_encode(b, buf_str(&html));
		}
		buf_printf(b, "\n--%s--\n", boundary);
		break;
	case SHAPE_HTML: {
		_cleanup_buf_ struct buf html = BUF_INIT;

		common_headers(g, b, n, p.name, p.email, p.subject, p.msgid);
		buf_puts(b, "X-Mailer: Microsoft Outlook 16.0\n"
			      "Content-Type: text/html; charset=\"windows-1252\"\n"
			      "Content-Transfer-Encoding: quoted-printable\n\n");
		body_text(g, &text, 400 + rng_below(&g->rng, 1500), &p);
		body_html(&html, buf_str(&text));
		qp_encode(b, buf_str(&html));
		break;
	}
	case SHAPE_ATTACHMENT:
		common_headers(g, b, n, p.name, p.email, p.subject, p.msgid);
		buf_printf(b, "Content-Type: multipart/mixed; boundary=\"%s\"\n\n", boundary);
		body_text(g, &text, 300 + rng_below(&g->rng, 1200), &p);
		buf_printf(b, "--%s\nContent-Type: text/plain; charset=UTF-8\n\n%s\n", boundary, buf_str(&text));
		if (rng_below(&g->rng, 2))
			buf_printf(b, "--%s\nContent-Type: image/jpeg; name=\"IMG_%04u.jpg\"\n"
				      "Content-Disposition: attachment; filename=\"IMG_%04u.jpg\"\n",
				   boundary, n % 10000, n % 10000);
		else
			buf_printf(b, "--%s\nContent-Type: application/pdf; name=\"letter.pdf\"\n"
				      "Content-Disposition: attachment; filename=\"letter.pdf\"\n",
				   boundary);
		buf_puts(b, "Content-Transfer-Encoding: base64\n\n");
		base64_block(g, b, 8000 + rng_below(&g->rng, 52000));
		buf_printf(b, "--%s--\n", boundary);
		break;
	case SHAPE_REPLY: {
		/* a reply by the same resident to one of the last few hundred conversations */
		unsigned back = 1 + rng_below(&g->rng, n - g->first < 300 ? n - g->first : 300);
		struct person orig;
		char msgid[112];

		person_for(n - back, seed, &orig);
		k = snprintf(msgid, sizeof(msgid), "reply-%06u-%s", n, orig.msgid);
		if (k < 0 || (size_t)k >= sizeof(msgid))
			abort();
		{
			_cleanup_free_ char *subject = xasprintf("Re: %s", orig.subject);

			common_headers(g, b, n, orig.name, orig.email, subject, msgid);
		}
		buf_printf(b, "In-Reply-To: <%s>\nReferences: <%s>\n", orig.msgid, orig.msgid);
		buf_puts(b, "Content-Type: text/plain; charset=UTF-8\n\n");
		buf_printf(b, "%s\n%s\n\n", PICK(&g->rng, complaint_lines), PICK(&g->rng, complaint_lines));
		buf_printf(b, "%s\n\nOn Mon, 16 Nov 2026 at 09:00, %s <%s> wrote:\n", orig.name,
			   orig.name, orig.email);
		body_text(g, &text, 300 + rng_below(&g->rng, 900), &orig);
		for (char *line = text.data, *nl; line != NULL && *line != '\0'; line = nl) {
			nl = strchr(line, '\n');
			if (nl != NULL)
				*nl++ = '\0';
			buf_printf(b, "> %s\n", line);
		}
		break;
	}
	case SHAPE_COUNCILLOR: {
		_cleanup_free_ char *subject = xasprintf("Fwd: %s", p.subject);

		common_headers(g, b, n, "Cllr Morgan Lowe", "cllr.m.lowe@council.example", subject,
			       p.msgid);
		buf_puts(b, "Content-Type: text/plain; charset=UTF-8\n\n"
			      "Please could officers look into this for my constituent and let me know.\n\n"
			      "Morgan\n\n---------- Forwarded message ---------\n");
		buf_printf(b, "From: %s <%s>\nDate: Sun, 15 Nov 2026 at 19:02\nSubject: %s\n"
			      "To: Cllr Morgan Lowe <cllr.m.lowe@council.example>\n\n",
			   p.name, p.email, p.subject);
		body_text(g, b, 300 + rng_below(&g->rng, 1200), &p);
		break;
	}
	case SHAPE_OOO: {
		_cleanup_free_ char *subject = xasprintf("Automatic reply: %s", p.subject);

		common_headers(g, b, n, p.name, p.email, subject, p.msgid);
		buf_puts(b, "Auto-Submitted: auto-replied\nX-Auto-Response-Suppress: All\n"
			      "Content-Type: text/plain; charset=UTF-8\n\n");
		buf_printf(b, "%s\n\n%s\n", PICK(&g->rng, ooo_lines), p.name);
		break;
	}
	case _SHAPE_MAX:
		abort();
	}
}

static int
write_file(const char *path, const struct buf *b)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t off = 0;

	if (fd < 0)
		return -errno;
	while (off < b->len) {
		ssize_t w = write(fd, b->data + off, b->len - off);

		if (w < 0) {
			int r = -errno;

			close(fd);
			return r;
		}
		off += (size_t)w;
	}
	return close(fd) < 0 ? -errno : 0;
}

static int
mkdir_p(const char *path)
{
	return mkdir(path, 0755) < 0 && errno != EEXIST ? -errno : 0;
}

static void
usage(FILE *f)
{
	fprintf(f, "Usage: genmail -n COUNT [-s SEED] [-k mix|complaint] [-f FIRST] [-t TO]\n"
		   "               (-m MAILDIR | -d DIR)\n");
}

int
main(int argc, char **argv)
{
	const char *maildir = NULL, *dir = NULL, *kind = "mix";
	unsigned long count = 0, first = 0;
	uint64_t seed = 1;
	struct gen g = {.to = "complaints@council.example"};
	size_t bytes = 0;
	int c, r;

	while ((c = getopt(argc, argv, "n:s:k:f:t:m:d:h")) != -1) {
		switch (c) {
		case 'n':
			count = strtoul(optarg, NULL, 10);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 10);
			break;
		case 'k':
			kind = optarg;
			break;
		case 'f':
			first = strtoul(optarg, NULL, 10);
			break;
		case 't':
			g.to = optarg;
			break;
		case 'm':
			maildir = optarg;
			break;
		case 'd':
			dir = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (count == 0 || count > 10000000 || first > 10000000 || (maildir == NULL) == (dir == NULL) ||
	    (!streq(kind, "mix") && !streq(kind, "complaint"))) {
		usage(stderr);
		return 2;
	}
	g.only = streq(kind, "mix") ? _SHAPE_MAX : SHAPE_PLAIN;
	g.first = (unsigned)first;
	if (maildir != NULL) {
		_cleanup_free_ char *n = xasprintf("%s/new", maildir), *cu = xasprintf("%s/cur", maildir),
				    *t = xasprintf("%s/tmp", maildir);

		if (mkdir_p(maildir) < 0 || mkdir_p(n) < 0 || mkdir_p(cu) < 0 || mkdir_p(t) < 0) {
			fprintf(stderr, "genmail: %s: %s\n", maildir, strerror(errno));
			return 1;
		}
	} else if (mkdir_p(dir) < 0) {
		fprintf(stderr, "genmail: %s: %s\n", dir, strerror(errno));
		return 1;
	}

	for (unsigned long i = 0; i < count; i++) {
		unsigned n = (unsigned)(first + i);
		_cleanup_buf_ struct buf b = BUF_INIT;
		_cleanup_free_ char *path = NULL;

		/* one stream per message, so message n does not depend on COUNT */
		g.rng.s = (seed * 0xD1B54A32D192ED03ULL + n * 0x9E3779B97F4A7C15ULL) | 1;
		(void)rng_next(&g.rng);
		gen_message(&g, n, seed, &b);
		path = maildir != NULL ? xasprintf("%s/new/%lld.G%06u.bench", maildir,
						   (long long)GEN_BASE_TIME + n, n)
				       : xasprintf("%s/%06u.eml", dir, n);
		r = write_file(path, &b);
		if (r < 0) {
			fprintf(stderr, "genmail: %s: %s\n", path, strerror(-r));
			return 1;
		}
		bytes += b.len;
	}
	fprintf(stderr, "genmail: %lu messages, %zu bytes (mean %zu):", count, bytes,
		bytes / count);
	for (int s = 0; s < _SHAPE_MAX; s++)
		if (g.counts[s])
			fprintf(stderr, " %s %u", shape_names[s], g.counts[s]);
	fputc('\n', stderr);
	return 0;
}
