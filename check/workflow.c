/* workflow.c: workflow bodies: the values in scope, expressions (one
 * function per node kind), calls and their arguments, statements, and the
 * nodes a workflow is made of. */
#include "prelude.h"

#include "check_impl.h"

#include <string.h>

static const char *intern(struct checker *k, const char *s)
{
	return fl_intern(k->c->names, s, strlen(s));
}

/* ---- the scope -------------------------------------------------------- */

static struct fl_wf_value *scope_find(struct checker *k, const char *name)
{
	int64_t i = name != NULL ? fl_ptrmap_get(&k->scope_index, name) : -1;
	return i >= 0 ? k->scope[i] : NULL;
}

static void scope_add(struct checker *k, struct fl_wf_value *v)
{
	if (k->nscope == k->scope_cap) {
		uint32_t ncap = k->scope_cap ? k->scope_cap * 2 : 16;
		k->scope = fl_realloc(k->a, k->scope, k->scope_cap * sizeof *k->scope, ncap * sizeof *k->scope);
		k->scope_cap = ncap;
	}
	if (v->name != NULL)
		fl_ptrmap_set(&k->scope_index, v->name, k->nscope);
	k->scope[k->nscope++] = v;
}

/* A name assigned later in the body, for "used before it is assigned". */
static const struct fl_node *assigned_later(const struct fl_node *from, const char *name)
{
	for (const struct fl_node *s = from; s != NULL; s = s->next)
		if (s->kind == FL_ASSIGN && s->binding.name.str == name)
			return s;
	return NULL;
}

/* ---- arguments -------------------------------------------------------- */

static const struct fl_type *check_expr(struct checker *k, struct fl_node *n, const struct fl_node *rest);

/* check_expr where one value is taken (an argument, a returned value): a
 * call there must have exactly one output. */
static const struct fl_type *check_value(struct checker *k, struct fl_node *n, const struct fl_node *rest)
{
	const struct fl_type *t = check_expr(k, n, rest);
	if (n->kind != FL_CALL && n->kind != FL_WITH)
		return t;
	const struct fl_wf_node *node = n->sema;
	if (node == NULL || node->target->sig.nout == 1)
		return t;
	const struct fl_entity *e = node->target;
	if (e->sig.nout == 0) {
		fl_error(k->c, n->loc, "%s '%s' has no outputs, so this call gives no value", fl_kind_word(e->kind), e->name);
	} else {
		const char *names = "";
		for (uint32_t i = 0; i < e->sig.nout; i++)
			names = fl_sprintf(k->a, "%s%s%s", names, i ? ", " : "", e->sig.out[i].name);
		fl_error(k->c, n->loc, "%s '%s' has several outputs (%s); pick one, as in %s(...).%s", fl_kind_word(e->kind),
			 e->name, names, e->decl->kind == FL_MAP ? "map(...)" : e->name, e->sig.out[0].name);
	}
	return NULL;
}

/* Where a map made failed elements none, a note saying so. */
static void explain_optional(struct checker *k, const struct fl_node *arg)
{
	const struct fl_wf_node *node = NULL;
	if (arg->kind == FL_CALL || arg->kind == FL_WITH) {
		node = arg->kind == FL_CALL ? arg->sema : arg->with.call->sema;
	} else if (arg->kind == FL_NAME || arg->kind == FL_MEMBER) {
		const struct fl_wf_value *v = arg->sema;
		node = v && v->input < 0 ? v->node : NULL;
	}
	if (node == NULL || node->target->kind != FL_E_MAP)
		return;
	const struct fl_map_info *mi = &node->target->map;
	if (mi->has_ratio && mi->ratio < 1.0)
		fl_note(k->c, mi->ratio_loc, "min_success_ratio < 1 makes failed elements none");
	else if (mi->has_min_successes)
		fl_note(k->c, mi->min_successes_loc, "min_successes makes failed elements none");
}

/* Says that a map made an input a list. */
static void lift_note(struct checker *k, const struct fl_entity *map, const struct fl_var *in)
{
	fl_note(k->c, map->decl->loc, "map '%s' lifts '%s' from %s to %s: pass a list", map->name, in->name,
		T(k, in->type->elem), T(k, in->type));
}

/* A value the checker takes as a literal (fl_check_literal): no workflow
 * value anywhere inside, each member access an enum member. A list or
 * dict holding a workflow value (`[p.g, 1]`) is a collection or map
 * binding instead, checked element by element. */
static bool is_literal_value(struct checker *k, const struct fl_node *n)
{
	switch (n->kind) {
	case FL_LIST:
	case FL_DICT:
		for (const struct fl_node *c = n->list.head; c != NULL; c = c->next)
			if (!is_literal_value(k, c->kind == FL_DICT_ENTRY ? c->pair.value : c))
				return false;
		return true;
	case FL_MEMBER:
		return fl_enum_of_member(k, n) != NULL;
	default:
		return fl_is_literal(n);
	}
}

/* The type a list or dict binding fills: t, or what an optional t holds
 * (flytekit binds the collection to the optional input as it is). */
static const struct fl_type *unwrap_optional(const struct fl_type *t)
{
	while (t->kind == FL_T_OPTIONAL)
		t = t->elem;
	return t;
}

static void check_arg_part(struct checker *k, struct fl_entity *target, const struct fl_var *in, struct fl_node *val,
			   const struct fl_node *rest, const char *part);

/* `{"key": value, ...}` holding workflow values: a map binding (keys are
 * string literals, each value checked as an argument of the dict's value
 * type). */
static void check_dict_arg(struct checker *k, struct fl_entity *target, const struct fl_var *in, struct fl_node *val,
			   const struct fl_node *rest, const char *what)
{
	const struct fl_type *dt = unwrap_optional(in->type);
	if (dt->kind != FL_T_DICT) {
		fl_error(k->c, val->loc, "%s has type %s, but the value is a dict", what, T(k, in->type));
		return;
	}
	struct fl_var elem = *in;
	elem.type = dt->elem;
	struct fl_ptrmap keys;
	fl_ptrmap_init(k->a, &keys, val->list.count);
	for (struct fl_node *e = val->list.head; e != NULL; e = e->next) {
		if (e->pair.key->kind != FL_STRING) {
			fl_error(k->c, e->pair.key->loc, "dict keys must be string literals");
		} else if (fl_nul_free(k, e->pair.key)) {
			const char *key = fl_intern(k->c->names, e->pair.key->str.bytes, e->pair.key->str.len);
			if (fl_ptrmap_add(&keys, key, 0) >= 0)
				fl_error(k->c, e->pair.key->loc, "the dict has the key \"%s\" twice", key);
		}
		check_arg_part(k, target, &elem, e->pair.value, rest, "a value of");
	}
	val->ty = in->type;
}

/* Checks one value against the input it is passed to, or (part: "an
 * element of", "a value of") against a part of it. */
static void check_arg_part(struct checker *k, struct fl_entity *target, const struct fl_var *in, struct fl_node *val,
			   const struct fl_node *rest, const char *part)
{
	const struct place base = {.fmt = "input '%s' of %s '%s'", .a = in->name, .b = fl_kind_word(target->kind),
				  .c = target->name};
	const struct place inner = {.outer = &base, .fmt = part};
	const struct place *wp = part != NULL ? &inner : &base;
#define what fl_what_str(k, wp)
	bool lifted = part == NULL && target->kind == FL_E_MAP && !in->bound && in->type->kind == FL_T_LIST;
	if (is_literal_value(k, val)) {
		if (!fl_check_literal(k, val, in->type, wp)) {
			if (lifted && val->kind != FL_LIST)
				lift_note(k, target, in);
			return;
		}
		val->ty = in->type;
		return;
	}
	if (val->kind == FL_DICT) {
		check_dict_arg(k, target, in, val, rest, what);
		return;
	}
	if (val->kind == FL_LIST) {
		/* a list of workflow values: a collection binding */
		const struct fl_type *lt = unwrap_optional(in->type);
		if (lt->kind != FL_T_LIST) {
			fl_error(k->c, val->loc, "%s has type %s, but the value is a list", what, T(k, in->type));
			return;
		}
		struct fl_var elem = *in;
		elem.type = lt->elem;
		for (struct fl_node *e = val->list.head; e != NULL; e = e->next)
			check_arg_part(k, target, &elem, e, rest, "an element of");
		val->ty = in->type;
		return;
	}
	const struct fl_type *t = check_value(k, val, rest);
	if (t == NULL || fl_type_assignable(in->type, t))
		return;
	fl_error(k->c, val->loc, "%s has type %s, but the value has type %s", what, T(k, in->type), T(k, t));
#undef what
	if (lifted && fl_type_assignable(in->type->elem, t))
		lift_note(k, target, in);
	else if (fl_type_assignable(fl_type_optional(k->a, in->type), t) || (t->kind == FL_T_LIST && in->type->kind == FL_T_LIST))
		explain_optional(k, val);
}

static void check_arg(struct checker *k, struct fl_entity *target, const struct fl_var *in, struct fl_node *val,
		      const struct fl_node *rest)
{
	check_arg_part(k, target, in, val, rest, NULL);
}

/* ---- calls ------------------------------------------------------------ */

/* An inline map: an anonymous map entity, named after the workflow node
 * (at the end of the workflow). NULL when its signature failed. */
static struct fl_entity *inline_map(struct checker *k, struct fl_node *callee, const struct fl_node *rest)
{
	struct fl_entity *target = FL_NEW(k->a, struct fl_entity);
	target->kind = FL_E_MAP;
	target->module = k->m;
	target->decl = callee;
	/* "map(t)" in messages; named after its node at the end of the workflow */
	target->name = fl_sprintf(k->a, "map(%s)", callee->map.target.str ? callee->map.target.str : "...");
	target->state = 1;
	fl_map_sig(k, target, callee, false);
	fl_check_call_resources(k, target, NULL);
	if (target->ok)
		fl_sig_build_index(k->a, &target->sig);
	target->state = 2;
	/* partial values here are workflow values or literals */
	if (target->ok) {
		for (struct fl_node *b = callee->map.partial.head; b != NULL; b = b->next) {
			int idx = fl_sig_input(&target->sig, b->binding.name.str);
			if (idx >= 0)
				check_arg(k, target->map.target, &target->map.target->sig.in[idx], b->binding.value, rest);
		}
	}
	fl_ns_push(k, target);
	return target->ok ? target : NULL;
}

/* What a call calls, by name or an inline map; NULL after an error. */
static struct fl_entity *call_target(struct checker *k, struct fl_node *callee, const struct fl_node *rest)
{
	if (callee->kind == FL_MAP)
		return inline_map(k, callee, rest);
	if (callee->kind != FL_NAME) {
		fl_error(k->c, callee->loc, "only a task, map, workflow or launch plan can be called");
		return NULL;
	}
	const char *name = callee->name.str;
	struct fl_entity *target = fl_ns_lookup(k, name);
	if (target == NULL) {
		if (scope_find(k, name) != NULL)
			fl_error(k->c, callee->loc, "'%s' is a value, not a task", name);
		else
			fl_error(k->c, callee->loc, "unknown task '%s'%s", name,
				 fl_suggest_entity(k, name, 1u << FL_E_TASK | 1u << FL_E_MAP | 1u << FL_E_WORKFLOW
							    | 1u << FL_E_LAUNCHPLAN));
		return NULL;
	}
	if (target->kind == FL_E_ENUM) {
		fl_error(k->c, callee->loc, "'%s' is an enum and cannot be called", name);
		return NULL;
	}
	if (target == k->wf) {
		fl_error(k->c, callee->loc, "workflow '%s' cannot call itself: it would never end", name);
		return NULL;
	}
	return target;
}

/* One keyword argument of a call: matched to its input and checked. */
static void bind_arg(struct checker *k, struct fl_wf_node *node, struct fl_node *arg, const struct fl_node *rest)
{
	struct fl_entity *target = node->target;
	const struct fl_sig *s = &target->sig;
	const char *name = arg->binding.name.str;
	int idx = fl_sig_input(s, name);
	if (idx < 0) {
		const struct fl_entity *lp = target->kind == FL_E_MAP ? target->map.target : target;
		if (lp != NULL && lp->kind == FL_E_LAUNCHPLAN && lp->lp.workflow != NULL
		    && fl_sig_input(&lp->lp.workflow->sig, name) >= 0)
			fl_error(k->c, arg->binding.name.loc, "%s '%s' has no input '%s': launch plan '%s' fixes it",
				 fl_kind_word(target->kind), target->name, name, lp->name);
		else
			fl_error(k->c, arg->binding.name.loc, "%s '%s' has no input '%s'%s", fl_kind_word(target->kind),
				 target->name, name, fl_suggest_var(k, name, s->in, s->nin));
		return;
	}
	if (s->in[idx].bound) {
		fl_error(k->c, arg->binding.name.loc, "input '%s' of map '%s' is already bound by partial<...>",
			 name, target->name);
		for (const struct fl_node *b = target->map.partial->map.partial.head; b != NULL; b = b->next)
			if (b->binding.name.str == name)
				fl_note(k->c, b->loc, "bound here");
		return;
	}
	if (node->args[idx] != NULL) {
		fl_error(k->c, arg->binding.name.loc, "argument '%s' is given twice", name);
		return;
	}
	node->args[idx] = arg->binding.value;
	check_arg(k, target, &s->in[idx], arg->binding.value, rest);
}

/* The arguments of a call, in order. True when one was positional. */
static bool bind_args(struct checker *k, struct fl_wf_node *node, const struct fl_node *rest)
{
	const struct fl_sig *s = &node->target->sig;
	uint32_t pos = 0;
	bool positional = false;
	for (struct fl_node *arg = node->call->call.args.head; arg != NULL; arg = arg->next, pos++) {
		if (arg->binding.name.str == NULL) {
			positional = true;
			if (pos < s->nin)
				fl_error(k->c, arg->loc, "calls take keyword arguments: write %s=...", s->in[pos].name);
			else
				fl_error(k->c, arg->loc, "calls take keyword arguments (name=value)");
			continue;
		}
		bind_arg(k, node, arg, rest);
	}
	return positional;
}

/* Inputs that need a value and were given none. */
static void report_missing(struct checker *k, const struct fl_wf_node *node)
{
	const struct fl_entity *target = node->target;
	const struct fl_sig *s = &target->sig;
	for (uint32_t i = 0; i < s->nin; i++) {
		const struct fl_var *in = &s->in[i];
		if (node->args[i] != NULL || in->bound || in->dflt != NULL || in->type->kind == FL_T_OPTIONAL)
			continue;
		fl_error(k->c, node->call->loc, "missing argument '%s' (%s) in call to %s '%s'", in->name, T(k, in->type),
			 fl_kind_word(target->kind), target->name);
		const struct fl_entity *mt = target->kind == FL_E_MAP ? target->map.target : NULL;
		if (mt != NULL && i < mt->sig.nin && mt->sig.in[i].dflt != NULL)
			fl_note(k->c, mt->sig.in[i].loc, "'%s' has a default in %s '%s', but a lifted input has none; "
				"pass a list, or bind it with partial<%s=...>", in->name, fl_kind_word(mt->kind), mt->name,
				in->name);
		else if (mt != NULL && i < mt->sig.nin && mt->sig.in[i].type->kind == FL_T_OPTIONAL)
			fl_note(k->c, mt->sig.in[i].loc, "'%s' is optional in %s '%s', but a lifted input is a list and "
				"must be given; pass a list, or bind it with partial<%s=none>", in->name,
				fl_kind_word(mt->kind), mt->name, in->name);
	}
}

/* A call: resolves the target, matches the keyword arguments, and records a
 * workflow node. Returns the node, or NULL after an error. */
static struct fl_wf_node *check_call(struct checker *k, struct fl_node *call, const struct fl_node *rest)
{
	struct fl_entity *target = call_target(k, call->call.callee, rest);
	if (target == NULL)
		return NULL;
	fl_resolve_sig(k, target);
	if (!target->ok)
		return NULL;
	struct fl_wf_node *node = FL_NEW(k->a, struct fl_wf_node);
	node->call = call;
	node->target = target;
	node->args = fl_zalloc(k->a, (target->sig.nin + 1) * sizeof *node->args);
	if (!bind_args(k, node, rest))
		report_missing(k, node);
	node->index = k->wf->wf.nnodes++;
	return node;
}

/* Nodes are added in index order: a call's arguments are checked (and
 * their calls numbered) before the call itself. */
static void add_node(struct checker *k, struct fl_wf_node *node)
{
	struct fl_workflow_info *w = &k->wf->wf;
	if (node->index >= k->nodes_cap) {
		uint32_t ncap = k->nodes_cap ? k->nodes_cap * 2 : 16;
		while (ncap <= node->index)
			ncap *= 2;
		w->nodes = fl_realloc(k->a, w->nodes, k->nodes_cap * sizeof *w->nodes, ncap * sizeof *w->nodes);
		k->nodes_cap = ncap;
	}
	w->nodes[node->index] = node;
}

/* ---- expressions ------------------------------------------------------ */

/* A name that is not in scope. */
static void report_unknown_value(struct checker *k, const struct fl_node *n, const struct fl_node *rest)
{
	const char *name = n->name.str;
	if (assigned_later(rest, name) != NULL) {
		fl_error(k->c, n->loc, "'%s' is used before it is assigned", name);
		fl_note(k->c, assigned_later(rest, name)->binding.name.loc, "assigned here");
	} else if (fl_ns_lookup(k, name) != NULL) {
		struct fl_entity *e = fl_ns_lookup(k, name);
		fl_error(k->c, n->loc, "'%s' is a %s; call it to use its outputs", name, fl_kind_word(e->kind));
	} else if (!fl_suggesting(k)) {
		fl_error(k->c, n->loc, "unknown value '%s'", name);
	} else {
		const char **cands = fl_alloc(k->a, (k->nscope + 1) * sizeof *cands);
		for (uint32_t i = 0; i < k->nscope; i++)
			cands[i] = k->scope[i]->name;
		fl_error(k->c, n->loc, "unknown value '%s'%s", name, fl_suggest_words(k, name, cands, k->nscope));
	}
}

static const struct fl_type *expr_name(struct checker *k, struct fl_node *n, const struct fl_node *rest)
{
	struct fl_wf_value *v = scope_find(k, n->name.str);
	if (v == NULL) {
		report_unknown_value(k, n, rest);
		return NULL;
	}
	v->used = true;
	n->sema = v;
	if (v->type == NULL) {
		const struct fl_sig *s = &v->node->target->sig;
		const char *names = "";
		for (uint32_t i = 0; i < s->nout; i++)
			names = fl_sprintf(k->a, "%s%s%s", names, i ? ", " : "", s->out[i].name);
		fl_error(k->c, n->loc, "'%s' has several outputs (%s); pick one, as in %s.%s", v->name, names, v->name,
			 s->nout ? s->out[0].name : "o0");
		return NULL;
	}
	n->ty = v->type;
	return v->type;
}

/* An output is a single value, so a member of one (a.b.c) is an error.
 * The chain is walked, not recursed into: it may be long. */
static void member_of_member(struct checker *k, struct fl_node *n, const struct fl_node *rest)
{
	struct fl_node *outer = n, *inner = n->member.object;
	while (inner->member.object->kind == FL_MEMBER) {
		outer = inner;
		inner = inner->member.object;
	}
	const struct fl_type *t = check_expr(k, inner, rest);
	if (t != NULL && t->kind != FL_T_ERROR)
		fl_error(k->c, outer->member.name.loc, "'%s' is a single value of type %s; it has no member '%s'",
			 inner->member.name.str, T(k, t), outer->member.name.str);
}

/* The call whose output `obj.name` picks: obj names a call with several
 * outputs, or is a call. NULL when there is none (reported, or an error
 * reported before). */
static struct fl_wf_node *member_node(struct checker *k, struct fl_node *n, const struct fl_node *rest)
{
	struct fl_node *obj = n->member.object;
	struct fl_wf_value *v = NULL;
	if (obj->kind == FL_NAME && (v = scope_find(k, obj->name.str)) != NULL)
		v->used = true;
	if (obj->kind == FL_NAME && v != NULL && v->input < 0 && v->output < 0) {
		obj->sema = v;
		return v->node;  /* NULL: the call that made it had an error */
	} else if (obj->kind == FL_CALL || obj->kind == FL_WITH) {
		check_expr(k, obj, rest);
		return (struct fl_wf_node *)(obj->kind == FL_CALL ? obj->sema : obj->with.call->sema);
	} else if (obj->kind == FL_NAME && v != NULL) {
		fl_error(k->c, n->member.name.loc, "'%s' is a single value of type %s; it has no member '%s'", v->name,
			 T(k, v->type), n->member.name.str);
	} else if (obj->kind == FL_NAME && fl_enum_of_member(k, n) != NULL) {
		fl_error(k->c, n->loc, "an enum member is a literal; it cannot stand alone here");
	} else if (obj->kind == FL_MEMBER) {
		member_of_member(k, n, rest);
	} else {
		check_expr(k, obj, rest);
	}
	return NULL;
}

/* `call.output` or `name.output`: one output of a call. */
static const struct fl_type *expr_member(struct checker *k, struct fl_node *n, const struct fl_node *rest)
{
	struct fl_wf_node *node = member_node(k, n, rest);
	if (node == NULL)
		return NULL;
	const struct fl_sig *s = &node->target->sig;
	int idx = fl_sig_output(s, n->member.name.str);
	if (idx < 0) {
		fl_error(k->c, n->member.name.loc, "%s '%s' has no output '%s'%s", fl_kind_word(node->target->kind),
			 node->target->name, n->member.name.str, fl_suggest_var(k, n->member.name.str, s->out, s->nout));
		return NULL;
	}
	struct fl_wf_value *ov = FL_NEW(k->a, struct fl_wf_value);
	ov->name = n->member.name.str;
	ov->type = s->out[idx].type;
	ov->input = -1;
	ov->node = node;
	ov->output = idx;
	ov->loc = n->loc;
	n->sema = ov;
	n->ty = ov->type;
	return ov->type;
}

static const struct fl_type *expr_call(struct checker *k, struct fl_node *n, const struct fl_node *rest)
{
	struct fl_wf_node *node = check_call(k, n, rest);
	if (node == NULL)
		return NULL;
	add_node(k, node);
	n->sema = node;
	const struct fl_sig *s = &node->target->sig;
	if (s->nout == 1) {
		n->ty = s->out[0].type;
		return n->ty;
	}
	return NULL;
}

/* `t(...) with {...} with {...}`: the chain is walked, not recursed into
 * (it may be long), and its options are checked from the innermost out. */
static const struct fl_type *expr_with(struct checker *k, struct fl_node *n, const struct fl_node *rest)
{
	uint32_t depth = 0;
	struct fl_node *call = n;
	for (; call->kind == FL_WITH; call = call->with.call)
		depth++;
	const struct fl_type *t = check_expr(k, call, rest);
	struct fl_wf_node *node = (struct fl_wf_node *)call->sema;
	struct fl_node **chain = fl_alloc(k->a, depth * sizeof *chain);
	uint32_t i = depth;
	for (struct fl_node *w = n; w->kind == FL_WITH; w = w->with.call)
		chain[--i] = w;
	for (i = 0; i < depth; i++) {
		if (node != NULL) {
			node->has_overrides = true;
			fl_check_options(k, &chain[i]->with.options, OPT_WITH, &node->overrides, NULL);
		}
		chain[i]->sema = node;  /* as for a call: every `with` reaches the node */
		chain[i]->ty = t;
	}
	if (node != NULL && node->target != NULL)
		fl_check_call_resources(k, node->target, &node->overrides);
	return t;
}

static const struct fl_type *expr_map(struct checker *k, struct fl_node *n)
{
	fl_error(k->c, n->loc, "a map must be called with its inputs, as in map(%s)(name=list)",
		 n->map.target.str ? n->map.target.str : "...");
	return NULL;
}

static const struct fl_type *expr_other(struct checker *k, struct fl_node *n)
{
	fl_error(k->c, n->loc, "%s is not a workflow value; pass literals directly as call arguments",
		 fl_literal_kind(n));
	return NULL;
}

/* The type of an expression in a workflow: a value, an output, a call.
 * NULL after an error, or for a call with several outputs. */
static const struct fl_type *check_expr(struct checker *k, struct fl_node *n, const struct fl_node *rest)
{
	switch (n->kind) {
	case FL_NAME: return expr_name(k, n, rest);
	case FL_MEMBER: return expr_member(k, n, rest);
	case FL_CALL: return expr_call(k, n, rest);
	case FL_WITH: return expr_with(k, n, rest);
	case FL_MAP: return expr_map(k, n);
	default: return expr_other(k, n);
	}
}

/* ---- statements ------------------------------------------------------- */

/* The value `name = val` gives, from a call or from another value. */
static void assigned_value(struct checker *k, struct fl_wf_value *v, struct fl_node *val, const struct fl_type *t)
{
	if (val->kind == FL_CALL || val->kind == FL_WITH) {
		struct fl_wf_node *node = (struct fl_wf_node *)(val->kind == FL_CALL ? val->sema : val->with.call->sema);
		if (node == NULL) {
			v->type = fl_type_scalar(FL_T_ERROR);
		} else if (node->target->sig.nout == 0) {
			fl_error(k->c, val->loc, "%s '%s' has no outputs; call it as a statement",
				 fl_kind_word(node->target->kind), node->target->name);
			v->type = fl_type_scalar(FL_T_ERROR);
		} else {
			node->value = v->name;
			v->node = node;
			v->type = t;
			if (node->target->sig.nout == 1)
				v->output = 0;
		}
	} else {
		const struct fl_wf_value *src = val->sema;
		if (src != NULL) {
			v->node = src->node;
			v->input = src->input;
			v->output = src->output;
		}
		v->type = t ? t : fl_type_scalar(FL_T_ERROR);
	}
}

/* `name = value`. */
static void check_assign(struct checker *k, struct fl_node *st)
{
	const char *name = st->binding.name.str;
	struct fl_wf_value *prev = scope_find(k, name);
	struct fl_node *val = st->binding.value;
	const struct fl_type *t = NULL;
	bool is_call = val->kind == FL_CALL || val->kind == FL_WITH;
	if (is_call || val->kind == FL_NAME || val->kind == FL_MEMBER || val->kind == FL_MAP) {
		t = check_expr(k, val, st->next);
	} else {
		fl_error(k->c, val->loc, "a name cannot be given to a literal (%s): a workflow value comes from "
			 "a call or an input; pass the literal directly as a call argument", fl_literal_kind(val));
	}
	if (prev != NULL) {
		fl_error(k->c, st->binding.name.loc, "'%s' is already %s", name,
			 prev->input >= 0 ? "an input of the workflow" : "assigned");
		fl_note(k->c, prev->loc, "%s here", prev->input >= 0 ? "declared" : "assigned");
		return;
	}
	struct fl_wf_value *v = FL_NEW(k->a, struct fl_wf_value);
	v->name = name;
	v->loc = st->binding.name.loc;
	v->input = -1;
	v->output = -1;
	assigned_value(k, v, val, t);
	scope_add(k, v);
}

/* `return a, b`: one value per output. */
static void check_return(struct checker *k, struct fl_entity *e, const struct fl_node *st)
{
	const struct fl_sig *s = &e->sig;
	if (st->list.count != s->nout) {
		if (s->nout == 0)
			fl_error(k->c, st->loc, "workflow '%s' has no outputs, but returns %u value%s", e->name,
				 st->list.count, st->list.count == 1 ? "" : "s");
		else
			fl_error(k->c, st->loc, "workflow '%s' has %u output%s, but returns %u value%s", e->name,
				 s->nout, s->nout == 1 ? "" : "s", st->list.count, st->list.count == 1 ? "" : "s");
		return;
	}
	uint32_t i = 0;
	for (struct fl_node *v = st->list.head; v != NULL; v = v->next, i++) {
		e->wf.returns[i] = v;
		const struct fl_type *t;
		if (fl_is_literal(v) && (v->kind != FL_MEMBER || fl_enum_of_member(k, v) != NULL)) {
			fl_check_literal(k, v, s->out[i].type,
					 &(struct place){.fmt = "output '%s' of workflow '%s'", .a = s->out[i].name,
							.b = e->name});
			continue;
		}
		t = check_value(k, v, NULL);
		if (t != NULL && !fl_type_assignable(s->out[i].type, t)) {
			fl_error(k->c, v->loc, "output '%s' of workflow '%s' has type %s, but the value has type %s",
				 s->out[i].name, e->name, T(k, s->out[i].type), T(k, t));
			explain_optional(k, v);
		}
	}
}

/* The scope starts with the workflow's inputs. */
static void scope_inputs(struct checker *k, struct fl_entity *e)
{
	const struct fl_sig *s = &e->sig;
	k->nscope = 0;
	/* the values: the inputs and at most one a statement */
	fl_ptrmap_init(k->a, &k->scope_index, (size_t)s->nin + e->decl->sig.body.count);
	for (uint32_t i = 0; i < s->nin; i++) {
		struct fl_wf_value *v = FL_NEW(k->a, struct fl_wf_value);
		v->name = s->in[i].name;
		v->type = s->in[i].type;
		v->input = (int)i;
		v->output = -1;
		v->loc = s->in[i].loc;
		scope_add(k, v);
	}
}

/* The body, statement by statement; its return statement, or NULL. */
static const struct fl_node *check_body(struct checker *k, struct fl_entity *e)
{
	const struct fl_node *ret = NULL;
	for (struct fl_node *st = e->decl->sig.body.head; st != NULL; st = st->next) {
		if (ret != NULL) {
			fl_error(k->c, st->loc, "statement after return");
			fl_note(k->c, ret->loc, "the workflow returns here");
			break;
		}
		switch (st->kind) {
		case FL_ASSIGN:
			check_assign(k, st);
			break;
		case FL_CALL_STMT:
			check_expr(k, st->unary, st->next);
			break;
		case FL_RETURN:
			ret = st;
			check_return(k, e, st);
			break;
		default:
			break;
		}
	}
	return ret;
}

/* Inputs and values no expression names (only in a workflow without
 * errors: after one, what is unused says little). */
static void warn_unused_values(struct checker *k, const struct fl_entity *e)
{
	/* the scope holds the inputs first, then the assigned values */
	for (uint32_t i = 0; i < k->nscope; i++) {
		const struct fl_wf_value *v = k->scope[i];
		if (v->used)
			continue;
		if (i < e->sig.nin)
			fl_warn(k->c, FL_W_UNUSED_INPUT, v->loc, "input '%s' of workflow '%s' is never used", v->name,
				e->name);
		else
			fl_warn(k->c, FL_W_UNUSED_VALUE, v->loc, "'%s' is assigned but never used", v->name);
	}
}

void fl_check_workflow(struct checker *k, struct fl_entity *e)
{
	unsigned errors_before = k->c->nerrors;
	k->wf = e;
	k->nodes_cap = 0;
	scope_inputs(k, e);
	e->wf.returns = fl_zalloc(k->a, (e->sig.nout + 1) * sizeof *e->wf.returns);
	const struct fl_node *ret = check_body(k, e);
	/* inline maps are named after their node: "w.n3" */
	for (uint32_t i = 0; i < e->wf.nnodes; i++) {
		struct fl_entity *t = e->wf.nodes[i]->target;
		if (t->kind == FL_E_MAP && t->decl->kind == FL_MAP)
			t->name = intern(k, fl_sprintf(k->a, "%s.n%u", e->name, i));
	}
	if (ret == NULL && e->sig.nout > 0) {
		struct fl_loc end = e->decl->loc;
		end.line = end.end_line;
		end.col = end.end_col > 1 ? end.end_col - 1 : 1;
		end.off = end.end_off > 0 ? end.end_off - 1 : 0;
		fl_error(k->c, end, "workflow '%s' has outputs but no return", e->name);
	}
	if (e->wf.nnodes == 0 && k->c->nerrors == errors_before)
		fl_error(k->c, e->decl->sig.name.loc, "workflow '%s' calls nothing; Flyte needs at least one node in a "
			 "workflow (call a task, map, workflow or launch plan)", e->name);
	if (k->c->nerrors == errors_before)
		warn_unused_values(k, e);
	k->wf = NULL;
}
