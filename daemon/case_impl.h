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
char *case_due_after(const struct case_ctx *cx, const char *from, int n);
char *case_effective_date(const struct case_ctx *cx, time_t t);
char *case_trigger_date(const struct case_ctx *cx);
void case_field_replace(char **field, char *value);
void case_flag_set(struct case_row *c, const char *flag, bool on);
bool case_flag_is_set(const struct case_row *c, const char *flag);
const char *case_correspondent(const struct case_row *c, const char **ret_name);
bool case_is_housing_officer_ack(const struct case_ctx *cx, const struct case_row *c);
void case_keep_stage1(struct case_row *c);
int case_escalate(const struct case_ctx *cx, struct case_row *c, const char *actor, const char *why,
                  const struct message *answered);

/* case_reply.c */
int case_queue_to_complainant(const struct case_ctx *cx, const struct case_row *c,
                              enum template_id tmpl, const char *purpose, const char *key,
                              const struct message *answered, const struct template_vars *vars,
                              enum outbox_queued *ret);
int case_queue_to_officer(const struct case_ctx *cx, const struct case_row *c,
                          enum template_id tmpl, const char *purpose, const char *key,
                          const char *to, const struct template_vars *vars);
int case_acknowledge(const struct case_ctx *cx, struct case_row *c, const struct message *answered);
int case_first_reply(const struct case_ctx *cx, struct case_row *c, const struct message *m,
                     const char *route_to, const char *team);
int case_ask_consent(const struct case_ctx *cx, const struct case_row *c, const struct message *m);
int case_relay(const struct case_ctx *cx, struct case_row *c, const struct message *m,
               const char *text, bool is_acknowledgement);
bool case_already_sent_directly(const struct case_row *c, const struct message *m);
char *case_relay_files_refusal(const struct case_ctx *cx, const struct message *m);
int case_message_with_files(const struct case_ctx *cx, struct message **ret);
int case_relay_refused(const struct case_ctx *cx, const struct case_row *c, const struct message *m,
                       const char *why);
int case_footer_followup(const struct case_ctx *cx, struct case_row *c, const struct message *m,
                         const char *actor);
int case_command_error(const struct case_ctx *cx, const struct case_row *c, const struct message *m,
                       const char *errors);

/* case_command.c */
int case_upgrade_to_complaint(const struct case_ctx *cx, struct case_row *c, const char *actor,
			      const char *why, const struct message *m);
int case_officer_mail(const struct case_ctx *cx, struct case_row *c, const struct message *m);

#endif
