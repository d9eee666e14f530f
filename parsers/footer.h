/*
 * footer.h - does an officer's own text already tell the resident what the
 * Complaint Handling Code requires at the end of a response? (pure code)
 *
 * A response sent outside the daemon (from the shared mailbox, or with the
 * resident copied in) must still carry the stage footer: at stage 1, how to
 * ask for a stage 2 review; in the final response, the Ombudsman's details.
 * The daemon sends the footer as a follow-up only when it is missing.
 */
#ifndef COMPLAINTSD_FOOTER_H
#define COMPLAINTSD_FOOTER_H

#include <stdbool.h>

/*
 * For a final response: true when text names the Ombudsman's web site (the
 * host name of url, with or without "www.") or telephone number (digits
 * compared without spaces).  For a stage 1 response: true when it mentions
 * stage 2 ("stage 2", "stage two", "second stage").
 */
bool footer_present(const char *text, bool final, const char *ombudsman_url,
		    const char *ombudsman_phone);

#endif
