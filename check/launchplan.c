/* launchplan.c: launch plans: their workflow, fixed inputs and defaults,
 * schedule, and the signature they give (the workflow's inputs less the
 * fixed ones). */
#include "prelude.h"

#include "check_impl.h"

#include <string.h>

/* Reports a schedule that is not a cron expression; true when it is one. */
static bool check_cron(struct checker *k, const struct fl_node *v)
{
	struct fl_cron_fault f;
	if (fl_cron_check(v->str.bytes, v->str.len, &f))
		return true;
	if (f.field < 0)
		fl_error(k->c, v->loc, "schedule is not a cron expression: it takes five fields "
			 "(minute hour day-of-month month day-of-week) or @hourly, @daily, ...");
	else
		fl_error(k->c, v->loc, "schedule: the %s field '%.*s' is not valid; it takes *, numbers from %d to %d%s, "
			 "ranges (a-b), lists (a,b) and steps (*/n)", f.name, f.len, f.text, f.lo, f.hi,
			 f.field == 3 ? " or JAN-DEC" : f.field == 4 ? " or SUN-SAT" : "");
	return false;
}

/* The workflow a launch plan is for, or NULL after reporting. */
static struct fl_entity *lp_workflow(struct checker *k, const struct fl_node *d)
{
	const char *wname = d->lp.workflow.str;
	struct fl_entity *w = fl_ns_lookup(k, wname);
	if (w == NULL) {
		fl_error(k->c, d->lp.workflow.loc, "unknown workflow '%s'%s", wname,
			 fl_suggest_entity(k, wname, 1u << FL_E_WORKFLOW));
		return NULL;
	}
	if (w->kind != FL_E_WORKFLOW) {
		fl_error(k->c, d->lp.workflow.loc, "a launch plan is for a workflow; '%s' is a %s", wname,
			 fl_kind_word(w->kind));
		return NULL;
	}
	return w;
}

/* `fixed` or `defaults`: a record of the workflow's inputs. False when it
 * is not a record (an empty one is left out). */
static bool lp_inputs(struct checker *k, struct fl_entity *w, const char *name, const struct fl_node *v)
{
	if (v->kind == FL_DICT && v->list.count == 0)
		return false;
	if (v->kind != FL_RECORD) {
		fl_error(k->c, v->loc, "%s takes a record of workflow inputs, as in %s = { name = value }", name, name);
		return false;
	}
	for (const struct fl_node *f = v->list.head; f != NULL; f = f->next) {
		int idx = fl_sig_input(&w->sig, f->binding.name.str);
		if (idx < 0) {
			fl_error(k->c, f->binding.name.loc, "workflow '%s' has no input '%s'%s", w->name,
				 f->binding.name.str, fl_suggest_var(k, f->binding.name.str, w->sig.in, w->sig.nin));
			continue;
		}
		fl_check_literal(k, f->binding.value, w->sig.in[idx].type,
				 &(struct place){.fmt = "input '%s' of workflow '%s'", .a = f->binding.name.str,
						.b = w->name});
		for (const struct fl_node *g = v->list.head; g != f; g = g->next)
			if (g->binding.name.str == f->binding.name.str)
				fl_error(k->c, f->binding.name.loc, "'%s' is given twice", f->binding.name.str);
	}
	return true;
}

static void lp_schedule(struct checker *k, struct fl_entity *e, const struct fl_node *v)
{
	if (v->kind != FL_STRING) {
		fl_error(k->c, v->loc, "schedule takes a cron expression string, as in \"0 3 * * *\"");
		return;
	}
	if (fl_cron_alias(v->str.bytes) || check_cron(k, v))
		e->lp.schedule = v->str.bytes;
}

/* The options of the launch plan: fixed, defaults, schedule. */
static void lp_options(struct checker *k, struct fl_entity *e, struct fl_entity *w)
{
	const struct fl_node *d = e->decl;
	for (const struct fl_node *b = d->lp.options.head; b != NULL; b = b->next) {
		const char *name = b->binding.name.str;
		const struct fl_node *v = b->binding.value;
		const struct fl_node *first = NULL;
		for (const struct fl_node *prev = d->lp.options.head; prev != b && first == NULL; prev = prev->next)
			if (prev->binding.name.str == name)
				first = prev;
		if (first != NULL) {
			fl_error(k->c, b->binding.name.loc, "option '%s' is given twice", name);
			fl_note(k->c, first->binding.name.loc, "first given here");
			continue;
		}
		if (strcmp(name, "fixed") == 0 || strcmp(name, "defaults") == 0) {
			if (!lp_inputs(k, w, name, v))
				continue;
			if (name[0] == 'f')
				e->lp.fixed = v;
			else
				e->lp.defaults = v;
		} else if (strcmp(name, "schedule") == 0) {
			lp_schedule(k, e, v);
		} else {
			static const char *const lp_opts[] = {"fixed", "defaults", "schedule"};
			const char *hint = fl_suggest_words(k, name, lp_opts, FL_ARRAY_LEN(lp_opts));
			fl_error(k->c, b->binding.name.loc, "unknown launch plan option '%s'%s", name,
				 *hint ? hint : " (a launch plan takes fixed, defaults and schedule)");
		}
	}
}

/* The plan's inputs: the workflow's less the fixed ones, with defaults
 * from the plan, else the workflow. */
static void lp_build_sig(struct checker *k, struct fl_entity *e, const struct fl_entity *w)
{
	const struct fl_node *fixed = e->lp.fixed, *defaults = e->lp.defaults;
	struct fl_sig *s = &e->sig;
	s->in = fl_zalloc(k->a, (w->sig.nin + 1) * sizeof *s->in);
	for (uint32_t i = 0; i < w->sig.nin; i++) {
		struct fl_var v = w->sig.in[i];
		bool is_fixed = false;
		for (const struct fl_node *f = fixed ? fixed->list.head : NULL; f != NULL; f = f->next)
			is_fixed |= f->binding.name.str == v.name;
		if (is_fixed)
			continue;
		for (const struct fl_node *g = defaults ? defaults->list.head : NULL; g != NULL; g = g->next)
			if (g->binding.name.str == v.name)
				v.dflt = g->binding.value;
		s->in[s->nin++] = v;
	}
	s->out = w->sig.out;
	s->nout = w->sig.nout;
	s->single_output = w->sig.single_output;
}

/* A launch plan: its workflow's inputs less the fixed ones; defaults
 * from the plan, else the workflow. */
void fl_lp_sig(struct checker *k, struct fl_entity *e)
{
	const struct fl_node *d = e->decl;
	struct fl_entity *w = lp_workflow(k, d);
	if (w == NULL)
		return;
	e->lp.workflow = w;
	fl_resolve_sig(k, w);
	if (!w->ok)
		return;
	lp_options(k, e, w);
	const struct fl_node *fixed = e->lp.fixed, *defaults = e->lp.defaults;
	if (fixed != NULL && defaults != NULL) {
		for (const struct fl_node *f = fixed->list.head; f != NULL; f = f->next)
			for (const struct fl_node *g = defaults->list.head; g != NULL; g = g->next)
				if (f->binding.name.str == g->binding.name.str) {
					fl_error(k->c, g->binding.name.loc, "'%s' is both fixed and given a default",
						 g->binding.name.str);
					fl_note(k->c, f->binding.name.loc, "fixed here");
				}
	}
	lp_build_sig(k, e, w);
	const struct fl_sig *s = &e->sig;
	if (e->lp.schedule != NULL) {
		for (uint32_t i = 0; i < s->nin; i++)
			if (s->in[i].dflt == NULL && s->in[i].type->kind != FL_T_OPTIONAL)
				fl_error(k->c, d->lp.name.loc, "scheduled launch plan '%s' gives no value for required input '%s' "
					 "of workflow '%s'; fix it or give it a default", e->name, s->in[i].name, w->name);
	}
	e->ok = true;
}
