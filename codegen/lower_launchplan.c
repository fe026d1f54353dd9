/* lower_launchplan.c: the lowering of a launch plan (a workflow's default
 * one or a declared one): default and fixed inputs, schedule. */
#include "prelude.h"

#include "lower_impl.h"

#include <stdlib.h>
#include <string.h>

/* A launch plan's default inputs: each required, or with its default
 * (none for an optional input without one). */
static Flyteidl__Core__ParameterMap *parameters(struct gen *g, const struct fl_sig *s)
{
	Flyteidl__Core__ParameterMap *pm = NEW(g, Flyteidl__Core__ParameterMap, FLYTEIDL__CORE__PARAMETER_MAP__INIT);
	Flyteidl__Core__VariableMap *vm = fl_lower_variable_map(g, s->in, s->nin);
	pm->n_parameters = s->nin;
	pm->parameters = fl_alloc(g->a, (s->nin + 1) * sizeof *pm->parameters);
	for (uint32_t i = 0; i < s->nin; i++) {
		Flyteidl__Core__ParameterMap__ParametersEntry *e =
			NEW(g, Flyteidl__Core__ParameterMap__ParametersEntry, FLYTEIDL__CORE__PARAMETER_MAP__PARAMETERS_ENTRY__INIT);
		e->key = vm->variables[i]->key;
		e->value = NEW(g, Flyteidl__Core__Parameter, FLYTEIDL__CORE__PARAMETER__INIT);
		e->value->var = vm->variables[i]->value;
		int idx = fl_sig_input(s, fl_intern(g->c->names, e->key, strlen(e->key)));
		const struct fl_var *v = &s->in[idx];
		if (v->dflt != NULL) {
			e->value->behavior_case = FLYTEIDL__CORE__PARAMETER__BEHAVIOR_DEFAULT;
			e->value->default_ = fl_lower_literal(g, v->dflt, v->type);
		} else if (v->type->kind == FL_T_OPTIONAL) {
			e->value->behavior_case = FLYTEIDL__CORE__PARAMETER__BEHAVIOR_DEFAULT;
			e->value->default_ = fl_lower_scalar_literal(g, fl_lower_none_scalar(g));
		} else {
			e->value->behavior_case = FLYTEIDL__CORE__PARAMETER__BEHAVIOR_REQUIRED;
			e->value->required = true;
		}
		pm->parameters[i] = e;
	}
	return pm;
}

void fl_lower_launch_plan(struct gen *g, const char *name, const struct fl_entity *w, const struct fl_sig *s,
			  const struct fl_lp_info *lp)
{
	Flyteidl__Admin__LaunchPlan *l = NEW(g, Flyteidl__Admin__LaunchPlan, FLYTEIDL__ADMIN__LAUNCH_PLAN__INIT);
	l->id = fl_lower_ident(g, FLYTEIDL__CORE__RESOURCE_TYPE__LAUNCH_PLAN, name);
	Flyteidl__Admin__LaunchPlanSpec *sp = NEW(g, Flyteidl__Admin__LaunchPlanSpec, FLYTEIDL__ADMIN__LAUNCH_PLAN_SPEC__INIT);
	l->spec = sp;
	sp->workflow_id = fl_lower_ident(g, FLYTEIDL__CORE__RESOURCE_TYPE__WORKFLOW, qualified(g, w));
	sp->entity_metadata = NEW(g, Flyteidl__Admin__LaunchPlanMetadata, FLYTEIDL__ADMIN__LAUNCH_PLAN_METADATA__INIT);
	if (lp != NULL && lp->schedule != NULL) {
		Flyteidl__Admin__Schedule *sch = NEW(g, Flyteidl__Admin__Schedule, FLYTEIDL__ADMIN__SCHEDULE__INIT);
		sch->schedule_expression_case = FLYTEIDL__ADMIN__SCHEDULE__SCHEDULE_EXPRESSION_CRON_SCHEDULE;
		sch->cron_schedule = NEW(g, Flyteidl__Admin__CronSchedule, FLYTEIDL__ADMIN__CRON_SCHEDULE__INIT);
		sch->cron_schedule->schedule = str(g, lp->schedule);
		sp->entity_metadata->schedule = sch;
	}
	sp->default_inputs = parameters(g, s);
	sp->fixed_inputs = NEW(g, Flyteidl__Core__LiteralMap, FLYTEIDL__CORE__LITERAL_MAP__INIT);
	if (lp != NULL && lp->fixed != NULL) {
		const struct fl_list *f = &lp->fixed->list;
		sp->fixed_inputs->literals = fl_alloc(g->a, (f->count + 1) * sizeof(void *));
		for (const struct fl_node *b = f->head; b != NULL; b = b->next) {
			int idx = fl_sig_input(&w->sig, b->binding.name.str);
			Flyteidl__Core__LiteralMap__LiteralsEntry *en =
				NEW(g, Flyteidl__Core__LiteralMap__LiteralsEntry, FLYTEIDL__CORE__LITERAL_MAP__LITERALS_ENTRY__INIT);
			en->key = str(g, b->binding.name.str);
			en->value = fl_lower_literal(g, b->binding.value, w->sig.in[idx].type);
			sp->fixed_inputs->literals[sp->fixed_inputs->n_literals++] = en;
		}
		qsort(sp->fixed_inputs->literals, sp->fixed_inputs->n_literals, sizeof(void *), fl_lower_cmp_lit_entry);
	}
	sp->labels = NEW(g, Flyteidl__Admin__Labels, FLYTEIDL__ADMIN__LABELS__INIT);
	sp->annotations = NEW(g, Flyteidl__Admin__Annotations, FLYTEIDL__ADMIN__ANNOTATIONS__INIT);
	sp->raw_output_data_config = NEW(g, Flyteidl__Admin__RawOutputDataConfig, FLYTEIDL__ADMIN__RAW_OUTPUT_DATA_CONFIG__INIT);
	l->closure = NEW(g, Flyteidl__Admin__LaunchPlanClosure, FLYTEIDL__ADMIN__LAUNCH_PLAN_CLOSURE__INIT);
	l->closure->expected_inputs = NEW(g, Flyteidl__Core__ParameterMap, FLYTEIDL__CORE__PARAMETER_MAP__INIT);
	l->closure->expected_outputs = NEW(g, Flyteidl__Core__VariableMap, FLYTEIDL__CORE__VARIABLE_MAP__INIT);
	fl_lower_add(g, FL_ART_LAUNCHPLAN, name, &l->base);
}
