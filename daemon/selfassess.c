/*
 * selfassess.c - the rows of the self-assessment: for each provision, the
 * evidence the annual report's figures and the configuration give, and the
 * assessment they support (see selfassess.h).  Rendering is in
 * selfassess_render.c.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "selfassess.h"
#include "util.h"

const char *const selfassess_assessment_names[3] = {"meets", "does not meet",
                                                    "council to complete"};

struct row_builder {
	const struct report *rep;
	const struct selfassess_config *cfg;
	struct selfassess_row *row;
	struct buf text;
};

/* The figure section.measure of the report, quoted by the row; NULL when absent. */
static const struct report_figure *
use(struct row_builder *b, const char *section, const char *measure)
{
	const struct report_figure *f = report_find(b->rep, section, measure);
	struct selfassess_row *r = b->row;

	if (f == NULL)
		return NULL;
	r->figures = xreallocarray(r->figures, r->n_figures + 1, sizeof(*r->figures));
	r->figures[r->n_figures++] = (struct selfassess_figure){
	    .key = xasprintf("%s.%s", section, measure),
	    .num = f->num,
	    .den = f->type == REPORT_COUNT ? 0 : f->den,
	};
	return f;
}

static int64_t
num(const struct report_figure *f)
{
	return f ? f->num : 0;
}

static void
add_refs(struct row_builder *b, const struct report_figure *f)
{
	struct selfassess_row *r = b->row;

	for (size_t i = 0; f && i < f->n_refs; i++) {
		bool seen = false;

		for (size_t k = 0; k < r->n_refs; k++)
			seen = seen || streq(r->refs[k], f->refs[i]);
		if (seen)
			continue;
		r->refs = xreallocarray(r->refs, r->n_refs + 1, sizeof(*r->refs));
		r->refs[r->n_refs++] = xstrdup(f->refs[i]);
	}
}

/* " (CMP-1, CMP-2)" for the references of f, or nothing. */
static void
put_refs(struct buf *out, const struct report_figure *f)
{
	for (size_t i = 0; f && i < f->n_refs; i++)
		(void)buf_printf(out, "%s%s", i ? ", " : " (", f->refs[i]);
	if (f && f->n_refs > 0)
		(void)buf_putc(out, ')');
}

/* Acknowledgements (response false) or responses of a stage, within the timescale. */
static enum selfassess_assessment
timeliness(struct row_builder *b, int stage, bool response)
{
	const char *sec = stage == 1 ? "stage1" : "stage2";
	const struct report_figure *pct, *late, *out;
	int configured = response ? b->cfg->response[stage - 1] : b->cfg->ack[stage - 1];
	int code = response ? (stage == 1 ? CODE_STAGE1_RESPONSE : CODE_STAGE2_RESPONSE)
	                    : (stage == 1 ? CODE_STAGE1_ACK : CODE_STAGE2_ACK);
	const char *what = response ? "Responded" : "Acknowledged";

	pct = use(b, sec, response ? "responded_in_time_pct" : "acknowledged_in_time_pct");
	late = use(b, sec, response ? "responded_late" : "acknowledged_late");
	out = use(b, sec, response ? "responses_outstanding" : "acknowledgements_outstanding");
	if (pct == NULL || pct->den == 0)
		(void)buf_printf(&b->text, "No stage %d %s fell due in the period. ", stage,
		                 response ? "response" : "acknowledgement");
	else {
		(void)buf_printf(&b->text, "%s within the timescale: %lld of %lld due in the period (%.1f%%)",
		                 what, (long long)pct->num, (long long)pct->den,
		                 100.0 * (double)pct->num / (double)pct->den);
		if (num(late) > 0) {
			(void)buf_printf(&b->text, "; late: %lld", (long long)num(late));
			put_refs(&b->text, late);
		}
		if (num(out) > 0)
			(void)buf_printf(&b->text, "; of which still outstanding: %lld", (long long)num(out));
		(void)buf_puts(&b->text, ". ");
	}
	add_refs(b, late);
	(void)buf_printf(&b->text, "Configured: %d working days ([timescales] stage%d_%s_days); the Code: %d.",
	                 configured, stage, response ? "response" : "ack", code);
	if (configured > code || num(late) > 0)
		return SA_DOES_NOT_MEET;
	return SA_MEETS;
}

static enum selfassess_assessment
extension(struct row_builder *b, int stage)
{
	const char *sec = stage == 1 ? "stage1" : "stage2";
	const struct report_figure *ext = use(b, sec, "extended");
	const struct report_figure *late = use(b, sec, "extended_too_late");
	int configured = b->cfg->extension[stage - 1];
	int code = stage == 1 ? CODE_STAGE1_EXTENSION : CODE_STAGE2_EXTENSION;

	(void)buf_printf(&b->text, "Stage %d cases given an extension in the period: %lld", stage,
	                 (long long)num(ext));
	if (num(late) > 0) {
		(void)buf_printf(&b->text, "; extended only after the date had passed: %lld",
		                 (long long)num(late));
		put_refs(&b->text, late);
	}
	add_refs(b, late);
	(void)buf_printf(&b->text,
	                 ". Configured: at most %d working days ([timescales] stage%d_extension_days); "
	                 "the Code: no more than %d without good reason.",
	                 configured, stage, code);
	if (configured > code || num(late) > 0)
		return SA_DOES_NOT_MEET;
	return SA_MEETS;
}

/* Notices sent (section.measure of signposting) against the cases that needed one. */
static enum selfassess_assessment
notices(struct row_builder *b, const char *measure, const char *what, int64_t needed,
        const char *needed_what)
{
	const struct report_figure *sent = use(b, "signposting", measure);

	(void)buf_printf(&b->text, "%s sent with the Ombudsman's details: %lld; %s: %lld.", what,
	                 (long long)num(sent), needed_what, (long long)needed);
	if (num(sent) < needed) {
		(void)buf_puts(&b->text, " Fewer notices were sent than were needed (see outbox --state failed).");
		return SA_DOES_NOT_MEET;
	}
	return SA_MEETS;
}

static enum selfassess_assessment
evidence(struct row_builder *b, enum provision_evidence e)
{
	const struct selfassess_config *cfg = b->cfg;
	const struct report_figure *f, *g;

	switch (e) {
	case PROV_COUNCIL:
		return SA_COUNCIL;
	case PROV_COMPLAINTS:
		f = use(b, "received", "complaint");
		g = use(b, "received", "total");
		(void)buf_printf(&b->text, "Complaints received in the period: %lld (of %lld contacts recorded).",
		                 (long long)num(f), (long long)num(g));
		return SA_COUNCIL;
	case PROV_SERVICE_REQUESTS:
		f = use(b, "received", "service_request");
		g = use(b, "received", "complaint");
		(void)buf_printf(&b->text,
		                 "Service requests are recorded apart from complaints: %lld in the period "
		                 "(complaints: %lld).",
		                 (long long)num(f), (long long)num(g));
		return SA_COUNCIL;
	case PROV_EXCLUSIONS:
		f = use(b, "exclusions", "total");
		(void)buf_printf(&b->text, "Cases excluded from the procedure in the period: %lld",
		                 (long long)num(f));
		for (size_t i = 0; i < b->rep->n_figures; i++) {
			const struct report_figure *x = &b->rep->figures[i];

			if (streq(x->section, "exclusions") && !streq(x->measure, "total") && x->num > 0)
				(void)buf_printf(&b->text, "; %s: %lld", x->label, (long long)x->num);
		}
		(void)buf_puts(&b->text, ".");
		return SA_COUNCIL;
	case PROV_LATE_LIMIT:
		(void)buf_printf(&b->text,
		                 "Complaints are treated as late after %d months ([timescales] "
		                 "late_complaint_months); the Code: %d months, with discretion after.",
		                 cfg->late_months, CODE_LATE_MONTHS);
		return cfg->late_months >= CODE_LATE_MONTHS ? SA_MEETS : SA_DOES_NOT_MEET;
	case PROV_EXCLUSION_NOTICES:
		f = use(b, "exclusions", "total");
		return notices(b, "exclusion", "Exclusion notices", num(f), "cases excluded");
	case PROV_SIGNPOSTING:
		f = use(b, "signposting", "total");
		g = use(b, "signposting", "final_response");
		(void)buf_printf(&b->text,
		                 "Mails with the Ombudsman's details sent in the period: %lld, of which "
		                 "final responses: %lld.",
		                 (long long)num(f), (long long)num(g));
		return SA_COUNCIL;
	case PROV_STAGES:
		(void)buf_printf(&b->text,
		                 "Two stages and no other: stage 1 acknowledged within %d and answered "
		                 "within %d working days, stage 2 within %d and %d ([timescales]).",
		                 cfg->ack[0], cfg->response[0], cfg->ack[1], cfg->response[1]);
		return SA_MEETS;
	case PROV_ACK1:
		return timeliness(b, 1, false);
	case PROV_RESP1:
		return timeliness(b, 1, true);
	case PROV_EXT1:
		return extension(b, 1);
	case PROV_ACK2:
		return timeliness(b, 2, false);
	case PROV_RESP2:
		return timeliness(b, 2, true);
	case PROV_EXT2:
		return extension(b, 2);
	case PROV_EXT_SIGNPOSTING:
		f = use(b, "stage1", "extended");
		g = use(b, "stage2", "extended");
		return notices(b, "extension", "Extension notices", num(f) + num(g),
		               "cases given an extension");
	case PROV_ESCALATIONS:
		f = use(b, "stage2", "escalated");
		g = use(b, "stage1", "escalated_pct");
		(void)buf_printf(&b->text, "Complaints escalated to stage 2 in the period: %lld", (long long)num(f));
		if (g != NULL && g->den > 0)
			(void)buf_printf(&b->text, "; of the stage 1 responses sent, %lld of %lld went to stage 2",
			                 (long long)g->num, (long long)g->den);
		(void)buf_puts(&b->text, ".");
		return SA_COUNCIL;
	case PROV_IMPROVEMENTS:
		f = use(b, "improvements", "total");
		(void)buf_printf(&b->text, "Service improvements recorded in the period: %lld (#improvement).",
		                 (long long)num(f));
		return SA_COUNCIL;
	case PROV_REPORT:
		f = use(b, "received", "total");
		g = use(b, "stage1", "received");
		(void)buf_printf(&b->text,
		                 "complaintsctl report gives the period's figures: %lld contacts, %lld "
		                 "complaints at stage 1, %lld escalated to stage 2.",
		                 (long long)num(f), (long long)num(g),
		                 (long long)num(use(b, "stage2", "escalated")));
		return SA_COUNCIL;
	case PROV_ROUTING:
		(void)buf_printf(&b->text,
		                 "Cases go to their team, else to %s ([routing] default); breaches and "
		                 "mail without a case to %s ([people] alerts_address).",
		                 isempty(cfg->routing_default) ? "the alerts address" : cfg->routing_default,
		                 isempty(cfg->alerts_address) ? "(not set)" : cfg->alerts_address);
		return SA_COUNCIL;
	case PROV__N:
		break;
	}
	return SA_COUNCIL;
}

void
selfassess_build(const struct provisions *pv, const struct report *rep,
                 const struct selfassess_config *cfg, struct selfassess *ret)
{
	*ret = (struct selfassess){.pv = pv, .rep = rep};
	ret->rows = xcalloc(pv->n ? pv->n : 1, sizeof(*ret->rows));
	for (size_t i = 0; i < pv->n; i++) {
		struct row_builder b = {.rep = rep, .cfg = cfg, .row = &ret->rows[i], .text = BUF_INIT};

		b.row->p = &pv->v[i];
		b.row->assessment = evidence(&b, pv->v[i].evidence);
		b.row->evidence = b.text.len ? buf_steal(&b.text) : xstrdup("");
		buf_free(&b.text);
	}
	ret->n_rows = pv->n;
}

void
selfassess_done(struct selfassess *sa)
{
	for (size_t i = 0; i < sa->n_rows; i++) {
		struct selfassess_row *r = &sa->rows[i];

		free(r->evidence);
		for (size_t k = 0; k < r->n_refs; k++)
			free(r->refs[k]);
		free(r->refs);
		for (size_t k = 0; k < r->n_figures; k++)
			free(r->figures[k].key);
		free(r->figures);
	}
	free(sa->rows);
	*sa = (struct selfassess){0};
}
