/*
 * case_impl.h - what the parts of the case machine share (case.c,
 * case_command.c, case_reply.c); not for other modules.
 */
#ifndef COMPLAINTSD_CASE_IMPL_H
#define COMPLAINTSD_CASE_IMPL_H

#include <stdbool.h>

#include "case.h"
#include "kinds.h"
#include "outbox.h"
#include "template.h"

struct officer_cmd;

/* case.c */
int case_set_status(const struct case_ctx *cx, struct case_row *c, enum case_status to,
		    const char *actor, const char *why);
char *due_after(const struct case_ctx *cx, const char *from, int n);
char *effective_date(const struct case_ctx *cx, time_t t);
char *trigger_date(const struct case_ctx *cx);
void replace(char **field, char *value);
void flag_set(struct case_row *c, const char *flag, bool on);
bool flag_is_set(const struct case_row *c, const char *flag);
const char *case_correspondent(const struct case_row *c, const char **ret_name);
bool is_housing_officer_ack(const struct case_ctx *cx, const struct case_row *c);
void keep_stage1(struct case_row *c);
int escalate(const struct case_ctx *cx, struct case_row *c, const char *actor, const char *why,
	     const struct message *answered);

/* case_reply.c */
int queue_to_complainant(const struct case_ctx *cx, const struct case_row *c, enum template_id tmpl,
			 const char *purpose, const char *key, const struct message *answered,
			 const struct template_vars *vars, enum outbox_queued *ret);
int queue_to_officer(const struct case_ctx *cx, const struct case_row *c, enum template_id tmpl,
		     const char *purpose, const char *key, const char *to,
		     const struct template_vars *vars);
int acknowledge(const struct case_ctx *cx, struct case_row *c, const struct message *answered);
int first_reply(const struct case_ctx *cx, struct case_row *c, const struct message *m,
		const char *route_to, const char *team);
int ask_consent(const struct case_ctx *cx, const struct case_row *c, const struct message *m);
int relay(const struct case_ctx *cx, struct case_row *c, const struct message *m, const char *text,
      bool is_acknowledgement);
bool already_sent_directly(const struct case_row *c, const struct message *m);
char *relay_files_refusal(const struct case_ctx *cx, const struct message *m);
int message_with_files(const struct case_ctx *cx, struct message **ret);
int relay_refused(const struct case_ctx *cx, const struct case_row *c, const struct message *m,
		  const char *why);
int footer_followup(const struct case_ctx *cx, struct case_row *c, const struct message *m,
		    const char *actor);
int command_error(const struct case_ctx *cx, const struct case_row *c, const struct message *m,
		  const char *errors);

/* case_command.c */
int case_upgrade_to_complaint(const struct case_ctx *cx, struct case_row *c, const char *actor,
			      const char *why, const struct message *m);
int officer_mail(const struct case_ctx *cx, struct case_row *c, const struct message *m);

#endif
