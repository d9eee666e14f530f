/*
 * imap_internal.h - what imap.c lends the other files of the IMAP adapter
 * (imap_folder.c).  Nothing outside the adapter includes this or libetpan.
 */
#ifndef COMPLAINTSD_IMAP_INTERNAL_H
#define COMPLAINTSD_IMAP_INTERNAL_H

#include <libetpan/libetpan.h>

#include "imap.h"

/* The libetpan session (NULL when not connected). */
mailimap *imap_session(struct imap *im);
/* IMAP_OK when logged in; otherwise the session is dropped and IMAP_SERVER_BAD. */
enum imap_result imap_check_connected(struct imap *im);
/* A failed command: IMAP_BOX_BAD on a tagged NO, else the session is dropped (IMAP_SERVER_BAD). */
enum imap_result imap_failed(struct imap *im, int r, const char *what);
/* A folder name for the wire, or NULL with the error set. */
char *imap_encode_name(struct imap *im, const char *name);

#endif
