/*
 * selfassess.h - the annual self-assessment against a Complaint Handling
 * Code (`complaintsctl self-assessment`): one row per provision of the Code
 * (parsers/provisions.h), with the evidence the cases and the configuration
 * give, an assessment, and an empty commentary column for the council.
 *
 * The figures are those of the annual report (report.h), computed by the
 * same functions for the same period and scheme; each row quotes them and
 * names the cases behind a late or too-late count.  Assessments:
 *   meets            the configuration is what the Code requires and no case
 *                    of the period fell short of it
 *   does not meet    the configuration allows more than the Code, or a case
 *                    fell short (late, extended after its date, a notice not
 *                    sent); the references say which
 *   council to complete  software cannot know (training, policy, publication)
 */
#ifndef COMPLAINTSD_SELFASSESS_H
#define COMPLAINTSD_SELFASSESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "provisions.h"
#include "report.h"

/* What the Code requires, in working days (months for late complaints). */
#define CODE_STAGE1_ACK 5
#define CODE_STAGE1_RESPONSE 10
#define CODE_STAGE1_EXTENSION 10
#define CODE_STAGE2_ACK 5
#define CODE_STAGE2_RESPONSE 20
#define CODE_STAGE2_EXTENSION 20
#define CODE_LATE_MONTHS 12

/* The configuration the evidence compares with the Code. */
struct selfassess_config {
	int ack[2], response[2], extension[2]; /* [timescales], stage 1 and 2 */
	int late_months;
	const char *routing_default; /* [routing] default, or "" */
	const char *alerts_address;
};

enum selfassess_assessment { SA_MEETS, SA_DOES_NOT_MEET, SA_COUNCIL };
extern const char *const selfassess_assessment_names[3];

/* A figure of the report a row quotes: its key ("stage1.acknowledged_in_time"), value, of. */
struct selfassess_figure {
	char *key;
	int64_t num, den; /* den 0: a plain count */
};

struct selfassess_row {
	const struct provision *p; /* borrowed from the provisions */
	char *evidence;            /* "" when the software has none */
	enum selfassess_assessment assessment;
	char **refs;
	size_t n_refs;
	struct selfassess_figure *figures;
	size_t n_figures;
};

struct selfassess {
	const struct provisions *pv;
	const struct report *rep; /* its period, council and scheme */
	struct selfassess_row *rows;
	size_t n_rows;
};

/* One row per provision, from a report already computed for the period and scheme. */
void selfassess_build(const struct provisions *pv, const struct report *rep,
                      const struct selfassess_config *cfg, struct selfassess *ret);
void selfassess_done(struct selfassess *sa);

void selfassess_render_text(const struct selfassess *sa, struct buf *out);
void selfassess_render_csv(const struct selfassess *sa, struct buf *out);
void selfassess_render_json(const struct selfassess *sa, struct buf *out);
void selfassess_render_html(const struct selfassess *sa, const char *generated, struct buf *out);

#endif
