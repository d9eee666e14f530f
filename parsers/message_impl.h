/*
 * message_impl.h - what the files of the message parser share (message.c:
 * entry point, limits and dump; message_header.c: header fields and
 * addresses; message_mime.c: the MIME walk and decoding).  Not for callers:
 * they use message.h.
 */
#ifndef COMPLAINTSD_MESSAGE_IMPL_H
#define COMPLAINTSD_MESSAGE_IMPL_H

#include <libetpan/libetpan.h>
#include <stdbool.h>

#include "buf.h"
#include "message.h"

struct walk {
	const struct msg_limits *lim;
	struct message *m;
	unsigned parts;
	enum msg_result res;
	char *reason;
};

/* Text body candidates of one message level (top level or a message/rfc822 part). */
struct textsel {
	struct buf plain;
	bool have_plain;
	char *html;
};

/* message_header.c */
void msg_add_note(struct message *m, char *note);
void msg_strv_add(char ***v, size_t *n, char *s);
char *msg_decode_header(const char *raw);
char *msg_clean_token(const char *raw);
void msg_set_str(char **dst, char *val);
void msg_address_from_mailbox(const struct mailimf_mailbox *mb, struct msg_address *a);
void msg_address_free(struct msg_address *a);
char *msg_raw_header_find(const char *p, size_t len, const char *name);
const char *msg_find_optional(const struct mailimf_fields *f, const char *name);
const struct mailimf_field *msg_find_field(const struct mailimf_fields *f, int type);
char *msg_msgid_from_text(const char *raw);
void msg_collect_headers(struct message *m, const struct mailimf_fields *fields);

/* message_mime.c */
char *msg_content_type_string(const struct mailmime_content *ct);
void msg_walk(struct walk *w, const struct mailmime *mm, unsigned depth, struct textsel *ts,
	      bool returned_ok);
char *msg_textsel_finish(struct textsel *ts, bool *ret_from_html);

#endif
