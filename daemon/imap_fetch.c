/*
 * imap_fetch.c - UID FETCH in two passes (sizes and dates, then the bodies
 * within the limit).  Bodies are taken over from libetpan's parser without a
 * copy and freed by imap_messages_free().
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "imap_impl.h"
#include "util.h"

/* ------------------------------------------------------------ fetch */

/* An IMAP set of UIDs, as ranges; NULL if there are none. */
struct mailimap_set *
uid_set_new(const uint32_t *uids, size_t n)
{
	_cleanup_free_ struct imap_uid_range *rg = NULL;
	struct mailimap_set *set;
	size_t nr = imap_uid_ranges(uids, n, &rg);

	if (nr == 0)
		return NULL;
	set = mailimap_set_new_empty();
	if (!set)
		abort();
	for (size_t i = 0; i < nr; i++) {
		int r = rg[i].first == rg[i].last
		            ? mailimap_set_add_single(set, rg[i].first)
		            : mailimap_set_add_interval(set, rg[i].first, rg[i].last);
		if (r != MAILIMAP_NO_ERROR)
			abort();
	}
	return set;
}

static int
cmp_msg_uid(const void *a, const void *b)
{
	const struct imap_message *x = a, *y = b;

	return x->uid < y->uid ? -1 : x->uid > y->uid;
}

static struct imap_message *
find_msg(struct imap_message *msgs, size_t n, uint32_t uid)
{
	struct imap_message key = {.uid = uid};

	return bsearch(&key, msgs, n, sizeof(*msgs), cmp_msg_uid);
}

static bool
uid_wanted(const uint32_t *sorted, size_t n, uint32_t uid)
{
	return bsearch(&uid, sorted, n, sizeof(*sorted), cmp_u32) != NULL;
}

void
imap_messages_free(struct imap_message *msgs, size_t n)
{
	if (!msgs)
		return;
	for (size_t i = 0; i < n; i++)
		if (msgs[i].data && mmap_string_unref(msgs[i].data) != 0)
			free(msgs[i].data);
	free(msgs);
}

/* Run UID FETCH; on success *ret_list is the server's answer (caller frees). */
static int
uid_fetch(struct imap *im, const uint32_t *uids, size_t n, bool body, clist **ret_list)
{
	struct mailimap_fetch_type *ft;
	struct mailimap_set *set = uid_set_new(uids, n);
	clist *list = NULL;
	int r;

	*ret_list = NULL;
	if (!set)
		return MAILIMAP_NO_ERROR;
	ft = mailimap_fetch_type_new_fetch_att_list_empty();
	mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_uid());
	if (body) {
		mailimap_fetch_type_new_fetch_att_list_add(
		    ft, mailimap_fetch_att_new_body_peek_section(mailimap_section_new(NULL)));
	} else {
		mailimap_fetch_type_new_fetch_att_list_add(ft,
		                                           mailimap_fetch_att_new_internaldate());
		mailimap_fetch_type_new_fetch_att_list_add(ft,
		                                           mailimap_fetch_att_new_rfc822_size());
	}
	r = mailimap_uid_fetch(im->s, set, ft, &list);
	mailimap_set_free(set);
	mailimap_fetch_type_free(ft);
	/* On failure libetpan has already freed the list (or never made one). */
	if (r == MAILIMAP_NO_ERROR)
		*ret_list = list;
	return r;
}

struct att_view {
	uint32_t uid;
	bool has_date;
	time_t date;
	bool has_size;
	uint32_t size;
	struct mailimap_msg_att_body_section *section; /* with the body, which may be taken over */
	const char *body;
	size_t body_len;
};

static void
att_view_read(const struct mailimap_msg_att *ma, struct att_view *v)
{
	*v = (struct att_view){0};
	for (clistiter *it = clist_begin(ma->att_list); it; it = clist_next(it)) {
		struct mailimap_msg_att_item *item = clist_content(it);
		struct mailimap_msg_att_static *st;

		if (item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC)
			continue;
		st = item->att_data.att_static;
		switch (st->att_type) {
		case MAILIMAP_MSG_ATT_UID:
			v->uid = st->att_data.att_uid;
			break;
		case MAILIMAP_MSG_ATT_INTERNALDATE: {
			struct mailimap_date_time *dt = st->att_data.att_internal_date;

			if (dt &&
			    imap_date_to_utc(dt->dt_year, dt->dt_month, dt->dt_day, dt->dt_hour,
			                     dt->dt_min, dt->dt_sec, dt->dt_zone, &v->date) == 0)
				v->has_date = true;
			break;
		}
		case MAILIMAP_MSG_ATT_RFC822_SIZE:
			v->size = st->att_data.att_rfc822_size;
			v->has_size = true;
			break;
		case MAILIMAP_MSG_ATT_BODY_SECTION:
			if (st->att_data.att_body_section &&
			    st->att_data.att_body_section->sec_body_part) {
				v->section = st->att_data.att_body_section;
				v->body = v->section->sec_body_part;
				v->body_len = st->att_data.att_body_section->sec_length;
			}
			break;
		default:
			break;
		}
	}
}

enum imap_result
imap_fetch(struct imap *im, const uint32_t *uids, size_t n, size_t max_size,
           struct imap_message **ret_msgs, size_t *ret_n)
{
	_cleanup_free_ uint32_t *want = NULL;
	_cleanup_free_ uint32_t *small = NULL;
	struct imap_message *msgs = NULL;
	enum imap_result res;
	size_t nm = 0, ns = 0, k = 0;
	clist *list = NULL;
	int r;

	*ret_msgs = NULL;
	*ret_n = 0;
	if ((res = need_selected(im)) != IMAP_OK)
		return res;
	if (n == 0)
		return IMAP_OK;
	want = xreallocarray(NULL, n, sizeof(*want));
	memcpy(want, uids, n * sizeof(*want));
	qsort(want, n, sizeof(*want), cmp_u32);

	/* Pass 1: UID, INTERNALDATE, RFC822.SIZE. */
	r = uid_fetch(im, want, n, false, &list);
	if (r != MAILIMAP_NO_ERROR)
		return command_failed(im, r, IMAP_MSG_BAD, "UID FETCH (INTERNALDATE RFC822.SIZE)");
	if (!list)
		return IMAP_OK;
	msgs = xreallocarray(NULL, clist_count(list) + 1, sizeof(*msgs));
	for (clistiter *it = clist_begin(list); it; it = clist_next(it)) {
		struct att_view v;

		att_view_read(clist_content(it), &v);
		/* Unsolicited FETCH responses (flag changes) carry no size. */
		if (v.uid == 0 || !v.has_size || !uid_wanted(want, n, v.uid))
			continue;
		msgs[nm++] = (struct imap_message){
		    .uid = v.uid, .internaldate = v.has_date ? v.date : 0, .size = v.size};
	}
	mailimap_fetch_list_free(list);
	list = NULL;
	if (nm == 0) {
		free(msgs);
		return IMAP_OK;
	}
	qsort(msgs, nm, sizeof(*msgs), cmp_msg_uid);
	for (size_t i = 0; i < nm; i++)
		if (k == 0 || msgs[i].uid != msgs[k - 1].uid)
			msgs[k++] = msgs[i];
	nm = k;

	/* Pass 2: bodies of the messages within the limit. */
	small = xreallocarray(NULL, nm, sizeof(*small));
	for (size_t i = 0; i < nm; i++)
		if (msgs[i].size <= max_size)
			small[ns++] = msgs[i].uid;
	if (ns > 0) {
		r = uid_fetch(im, small, ns, true, &list);
		if (r != MAILIMAP_NO_ERROR) {
			imap_messages_free(msgs, nm);
			return command_failed(im, r, IMAP_MSG_BAD, "UID FETCH (BODY.PEEK[])");
		}
		for (clistiter *it = list ? clist_begin(list) : NULL; it; it = clist_next(it)) {
			struct imap_message *m;
			struct att_view v;

			att_view_read(clist_content(it), &v);
			if (v.uid == 0 || !v.body)
				continue;
			m = find_msg(msgs, nm, v.uid);
			if (!m || m->data || m->size > max_size)
				continue;
			/* Bigger than announced and over the limit: treat as oversized. */
			if (v.body_len > max_size) {
				m->size = v.body_len;
				continue;
			}
			/*
			 * Take the body over instead of copying it: libetpan's
			 * parser keeps it NUL-terminated in a registered
			 * MMAPString, which imap_messages_free() releases.
			 */
			m->data = v.section->sec_body_part;
			v.section->sec_body_part = NULL;
			m->len = v.body_len;
		}
		if (list)
			mailimap_fetch_list_free(list);
	}

	/* A message within the limit but without a body has been expunged meanwhile. */
	k = 0;
	for (size_t i = 0; i < nm; i++) {
		if (msgs[i].size <= max_size && !msgs[i].data)
			continue;
		msgs[k++] = msgs[i];
	}
	if (k == 0) {
		free(msgs);
		return IMAP_OK;
	}
	*ret_msgs = msgs;
	*ret_n = k;
	return IMAP_OK;
}

