/* signatures.c: the signature of every declaration: tasks and workflows
 * from their text, maps by lifting their target's (launch plans: see
 * launchplan.c), resolved once each, in dependency order. */
#include "prelude.h"

#include "check_impl.h"

#include "pbwire.h"

static void sig_from_decl(struct checker *k, struct fl_entity *e)
{
	const struct fl_node *d = e->decl;
	struct fl_sig *s = &e->sig;
	s->nin = d->sig.params.count;
	s->in = fl_zalloc(k->a, (s->nin + 1) * sizeof *s->in);
	uint32_t i = 0;
	struct fl_ptrmap names;
	fl_ptrmap_init(k->a, &names, s->nin);
	for (const struct fl_node *p = d->sig.params.head; p != NULL; p = p->next, i++) {
		struct fl_var *v = &s->in[i];
		v->name = p->param.name.str;
		v->loc = p->param.name.loc;
		v->type = fl_resolve_type(k, p->param.type);
		int64_t j = v->name != NULL ? fl_ptrmap_add(&names, v->name, i) : -1;
		if (j >= 0) {
			fl_error(k->c, v->loc, "input '%s' is declared twice", v->name);
			fl_note(k->c, s->in[j].loc, "first declared here");
		}
		/* A wrong default is reported here and still counts as a default,
		 * so that calls leaving the input out are not reported too. */
		if (p->param.dflt != NULL) {
			fl_check_literal(k, p->param.dflt, v->type, &(struct place){.fmt = "the default of '%s'", .a = v->name});
			v->dflt = p->param.dflt;
		}
	}
	s->nout = d->sig.outputs.count;
	s->single_output = d->sig.outform == FL_OUT_SINGLE;
	s->out = fl_zalloc(k->a, (s->nout + 1) * sizeof *s->out);
	i = 0;
	fl_ptrmap_init(k->a, &names, s->nout);
	for (const struct fl_node *p = d->sig.outputs.head; p != NULL; p = p->next, i++) {
		struct fl_var *v = &s->out[i];
		v->name = p->param.name.str;
		v->loc = p->param.name.str ? p->param.name.loc : p->loc;
		v->type = fl_resolve_type(k, p->param.type);
		int64_t j = v->name != NULL ? fl_ptrmap_add(&names, v->name, i) : -1;
		if (j >= 0) {
			fl_error(k->c, v->loc, "output '%s' is declared twice", v->name);
			fl_note(k->c, s->out[j].loc, "first declared here");
		}
	}
	e->ok = true;
}

/* A map's target: a task. A map over a launch plan (or a workflow) does
 * not register on Flyte 1.16: flytepropeller's compiler types an ArrayNode
 * by its sub-node's interface (pkg/compiler/validators/interface.go,
 * ValidateUnderlyingInterface, the Node_ArrayNode case), which for a launch
 * plan is the plan's own, scalar one; the lists bound to the map then fail
 * ValidateBindings with MismatchingVariables, and so does the workflow's
 * output bound to the map's. FlyteAdmin compiles every workflow it
 * registers with that compiler. */
static struct fl_entity *map_target(struct checker *k, const struct fl_node *map)
{
	const char *name = map->map.target.str;
	if (name == NULL)
		return NULL;  /* map(<syntax error>): the parser reported it */
	struct fl_entity *t = fl_ns_lookup(k, name);
	struct fl_loc loc = map->map.target.loc;
	if (t == NULL) {
		fl_error(k->c, loc, "unknown task '%s'%s", name, fl_suggest_entity(k, name, 1u << FL_E_TASK));
		return NULL;
	}
	switch (t->kind) {
	case FL_E_TASK:
		return t;
	case FL_E_LAUNCHPLAN:
		fl_error(k->c, loc, "cannot map over launch plan '%s': Flyte cannot register a map over a launch plan "
			 "(flytepropeller types the map by the plan's own inputs, which are not lists, and refuses "
			 "the lists bound to it); map over the task it runs, with the plan's fixed inputs bound by "
			 "partial<...>", name);
		fl_note(k->c, fl_entity_name_loc(t), "launch plan '%s' is declared here", name);
		return NULL;
	case FL_E_WORKFLOW:
		fl_error(k->c, loc, "cannot map over workflow '%s': Flyte maps tasks only; map over the task it "
			 "calls", name);
		return NULL;
	case FL_E_MAP:
		fl_error(k->c, loc, "cannot map over map '%s'; map over a task", name);
		if (t->map.target != NULL)
			fl_note(k->c, t->decl->loc, "'%s' maps task '%s'", name, t->map.target->name);
		return NULL;
	case FL_E_ENUM:
		fl_error(k->c, loc, "'%s' is an enum, not a task; map over a task", name);
		return NULL;
	}
	return NULL;
}

/* The partial bindings of a map of t: each names an input of t, once, and
 * a literal value in a map declaration (`literal_values`). The inputs
 * bound go into bound[] and values[]; returns how many. */
static size_t bind_partials(struct checker *k, struct fl_map_info *mi, const struct fl_entity *t,
			    const struct fl_node *map, bool literal_values, const char **bound,
			    const struct fl_node **values)
{
	size_t nb = map->map.partial.count;
	size_t n = 0;
	/* each binding, by name, for "binds twice" */
	const struct fl_node **bindings = fl_alloc(k->a, (nb + 1) * sizeof *bindings);
	uint32_t nbindings = 0;
	struct fl_ptrmap seen;
	fl_ptrmap_init(k->a, &seen, nb);
	for (const struct fl_node *b = map->map.partial.head; b != NULL; b = b->next) {
		const char *name = b->binding.name.str;
		bindings[nbindings] = b;
		int64_t first = name != NULL ? fl_ptrmap_add(&seen, name, nbindings) : -1;
		nbindings++;
		int idx = fl_sig_input(&t->sig, name);
		if (idx < 0) {
			fl_error(k->c, b->binding.name.loc, "partial binds '%s', but %s '%s' has no input '%s'%s", name,
				 fl_kind_word(t->kind), t->name, name, fl_suggest_var(k, name, t->sig.in, t->sig.nin));
			continue;
		}
		if (first >= 0) {
			fl_error(k->c, b->binding.name.loc, "partial binds '%s' twice", name);
			fl_note(k->c, bindings[first]->binding.name.loc, "first bound here");
			continue;
		}
		const struct fl_var *in = &t->sig.in[idx];
		if (literal_values) {
			fl_check_literal(k, b->binding.value, in->type,
					 &(struct place){.fmt = "input '%s' of %s '%s'", .a = name,
							.b = fl_kind_word(t->kind), .c = t->name});
		}
		if (mi->legacy && b->binding.value->kind == FL_LIST)
			fl_error(k->c, b->binding.value->loc, "a legacy map cannot bind a list with partial "
				 "(the container_array plugin would not pass it whole); drop legacy=true");
		bound[n] = name;
		values[n] = b->binding.value;
		n++;
	}
	return n;
}

/* Partial bindings and options of a map; values are literals in a map
 * declaration, and may be workflow values in an inline map (the caller
 * checks those, with `literal_values` false). */
void fl_map_sig(struct checker *k, struct fl_entity *e, const struct fl_node *map, bool literal_values)
{
	struct fl_map_info *mi = &e->map;
	mi->partial = map;
	fl_check_options(k, &map->map.options, OPT_MAP, &mi->elem, mi);
	if (mi->has_ratio && mi->has_min_successes) {
		/* flytekit's map_task keeps the ratio (both reach ArrayNode's
		 * constructor; the last member of a oneof set wins), its
		 * array_node keeps min_successes: there is no one answer */
		fl_error(k->c, mi->min_successes_loc, "give min_successes or min_success_ratio, not both: an ArrayNode "
			 "has one success criterion (its oneof success_criteria)");
		fl_note(k->c, mi->ratio_loc, "min_success_ratio is given here");
	}
	mi->optional_outputs = (mi->has_ratio && mi->ratio < 1.0) || mi->has_min_successes;
	struct fl_entity *t = map_target(k, map);
	mi->target = t;
	if (t == NULL)
		return;
	fl_resolve_sig(k, t);
	if (!t->ok)
		return;
	/* Several outputs may be mapped, each becoming a list: flytekit refuses
	 * this, but flytepropeller gathers every output variable. */
	size_t nb = map->map.partial.count;
	const char **bound = fl_alloc(k->a, (nb + 1) * sizeof *bound);
	const struct fl_node **values = fl_alloc(k->a, (nb + 1) * sizeof *values);
	size_t n = bind_partials(k, mi, t, map, literal_values, bound, values);
	if (mi->legacy && mi->has_min_successes)
		fl_error(k->c, mi->min_successes_loc, "a legacy map does not support min_successes; use min_success_ratio");
	e->sig = fl_sig_lift(k->a, &t->sig, bound, values, n, mi->optional_outputs);
	e->sig.single_output = t->sig.single_output;
	e->ok = true;
}

/* Every input and output type within the depth the runtime reads (one
 * limit for both: base/pbwire.h). A map's lifted types count: they are
 * what its elements' lists are. */
static void check_depths(struct checker *k, const struct fl_entity *e)
{
	for (int side = 0; side < 2; side++) {
		const struct fl_var *vars = side ? e->sig.out : e->sig.in;
		uint32_t n = side ? e->sig.nout : e->sig.nin;
		for (uint32_t i = 0; i < n; i++) {
			unsigned d = fl_type_wire_depth(vars[i].type);
			if (d <= BASE_LITERAL_MAX_DEPTH)
				continue;
			/* a map's lifted types are the map's doing */
			struct fl_loc at = e->kind == FL_E_MAP ? e->decl->loc : vars[i].loc;
			fl_error(k->c, at, "%s '%s' of %s '%s' nests too deeply: its values are %u protobuf "
				 "messages deep, and a value may be at most %d (the runtime reads %d levels, %d of them "
				 "the file around the value); nest fewer lists, dicts or optionals",
				 side ? "output" : "input", vars[i].name, fl_kind_word(e->kind), e->name, d,
				 BASE_LITERAL_MAX_DEPTH, BASE_PBWIRE_MAX_DEPTH, BASE_LITERAL_ENVELOPE_DEPTH);
		}
	}
}

void fl_resolve_sig(struct checker *k, struct fl_entity *e)
{
	if (e->state == 2)
		return;
	if (e->state == 1) {
		fl_error(k->c, e->decl->loc, "%s '%s' depends on itself", fl_kind_word(e->kind), e->name);
		return;
	}
	e->state = 1;
	switch (e->kind) {
	case FL_E_TASK:
	case FL_E_WORKFLOW:
		sig_from_decl(k, e);
		break;
	case FL_E_MAP:
		fl_map_sig(k, e, e->decl->kind == FL_MAPDECL ? e->decl->mapdecl.map : e->decl, true);
		break;
	case FL_E_LAUNCHPLAN:
		fl_lp_sig(k, e);
		break;
	case FL_E_ENUM:
		e->ok = true;
		break;
	}
	if (e->ok) {
		fl_sig_build_index(k->a, &e->sig);
		check_depths(k, e);
	}
	e->state = 2;
}
