/* bind.c: bindings in local runs: resolving a node's or a workflow's
 * bindings to literals (promises, attribute paths, unions), the dependencies
 * they imply, and the inputs of a launch plan run. */
#include "config.h"

#include <string.h>

#include "run_impl.h"

/* ---- bindings ---------------------------------------------------------------------------- */
static struct rt_node *wf_node(struct rt_wf *w, const char *id)
{
	for (size_t i = 0; i < w->nnodes; i++)
		if (strcmp(w->nodes[i].node->id, id) == 0)
			return &w->nodes[i];
	return NULL;
}

static Flyteidl__Core__Literal *lit_wrap_scalar(struct rt_run *r, Flyteidl__Core__Scalar *s)
{
	Flyteidl__Core__Literal *l = rt_arena_alloc(r->a, sizeof *l);
	if (l != NULL) {
		flyteidl__core__literal__init(l);
		l->value_case = LIT(SCALAR);
		l->scalar = s;
	}
	return l;
}

/* A promise: a workflow input or an upstream node's output, then its
 * attribute path (map keys, list indexes). */
static int resolve_promise(struct rt_wf *w, const Flyteidl__Core__OutputReference *o,
			   Flyteidl__Core__Literal **out, struct rt_msg *err)
{
	Flyteidl__Core__Literal *l;
	const Flyteidl__Core__LiteralMap *src;
	if (o == NULL)
		return rt_msgf(err, "an empty promise");
	if (!*o->node_id || strcmp(o->node_id, "start-node") == 0) {
		src = w->inputs;
		if ((l = rt_litmap_get(src, o->var)) == NULL)
			return rt_msgf(err, "workflow input '%s' is not set", o->var);
	} else {
		struct rt_node *up = wf_node(w, o->node_id);
		if (up == NULL)
			return rt_msgf(err, "unknown node '%s'", o->node_id);
		if ((l = rt_litmap_get(up->outputs, o->var)) == NULL)
			return rt_msgf(err, "node %s has no output '%s'", o->node_id, o->var);
	}
	for (size_t i = 0; i < o->n_attr_path; i++) {
		const Flyteidl__Core__PromiseAttribute *pa = o->attr_path[i];
		if (pa->value_case == FLYTEIDL__CORE__PROMISE_ATTRIBUTE__VALUE_STRING_VALUE &&
		    l->value_case == LIT(MAP)) {
			Flyteidl__Core__Literal *x = rt_litmap_get(l->map, pa->string_value);
			if (x == NULL)
				return rt_msgf(err, "%s.%s: no key '%s'", o->node_id, o->var,
						pa->string_value);
			l = x;
		} else if (pa->value_case == FLYTEIDL__CORE__PROMISE_ATTRIBUTE__VALUE_INT_VALUE &&
			   l->value_case == LIT(COLLECTION) && pa->int_value >= 0 &&
			   (size_t)pa->int_value < l->collection->n_literals) {
			l = l->collection->literals[pa->int_value];
		} else {
			return rt_msgf(err, "%s.%s: attribute path step %zu does not apply",
					o->node_id, o->var, i);
		}
	}
	*out = l;
	return 0;
}

static int resolve(struct rt_run *r, struct rt_wf *w, const Flyteidl__Core__BindingData *bd, Flyteidl__Core__Literal **out,
		   struct rt_msg *err)
{
	Flyteidl__Core__Literal *l = NULL;
	if (bd == NULL)
		return rt_msgf(err, "a binding without data");
	switch (bd->value_case) {
	case BIND(SCALAR):
		l = lit_wrap_scalar(r, bd->scalar);
		break;
	case BIND(COLLECTION): {
		size_t n = bd->collection != NULL ? bd->collection->n_bindings : 0;
		if ((l = rt_lit_collection(r->a, n)) == NULL)
			break;
		for (size_t i = 0; i < n; i++)
			if (resolve(r, w, bd->collection->bindings[i], &l->collection->literals[i], err) < 0)
				return -1;
		break;
	}
	case BIND(MAP): {
		size_t n = bd->map != NULL ? bd->map->n_bindings : 0;
		if ((l = rt_lit_map(r->a, n)) == NULL)
			break;
		for (size_t i = 0; i < n; i++) {
			Flyteidl__Core__Literal *v;
			if (resolve(r, w, bd->map->bindings[i]->value, &v, err) < 0)
				return -1;
			rt_litmap_set(l->map, i, bd->map->bindings[i]->key, v);
		}
		rt_canonicalize(&l->base);
		break;
	}
	case BIND(PROMISE):
		if (resolve_promise(w, bd->promise, &l, err) < 0)
			return -1;
		break;
	default:
		return rt_msgf(err, "offloaded bindings are not supported by local runs");
	}
	if (l == NULL)
		return rt_msgf(err, "out of memory");
	if (bd->union_ != NULL && bd->union_->targettype != NULL && !(l->value_case == LIT(SCALAR) && l->scalar != NULL &&
						       l->scalar->value_case == SCA(UNION)))
		l = rt_lit_union(r->a, l, bd->union_->targettype);
	*out = l;
	return l != NULL ? 0 : rt_msgf(err, "out of memory");
}

int rt_resolve_bindings(struct rt_run *r, struct rt_wf *w, Flyteidl__Core__Binding **b, size_t n,
			    Flyteidl__Core__LiteralMap **out, struct rt_msg *err)
{
	Flyteidl__Core__LiteralMap *m = rt_litmap_new(r->a, n);
	if (m == NULL)
		return rt_msgf(err, "out of memory");
	for (size_t i = 0; i < n; i++) {
		Flyteidl__Core__Literal *l;
		if (resolve(r, w, b[i]->binding, &l, err) < 0)
			return rt_msg_prefix(err, "input '%s'", b[i]->var);
		rt_litmap_set(m, i, b[i]->var, l);
	}
	rt_canonicalize(&m->base);
	*out = m;
	return 0;
}

int rt_node_add_dep(struct rt_run *r, struct rt_wf *w, struct rt_node *n, const char *id)
{
	if (!*id || strcmp(id, "start-node") == 0)
		return 0;
	struct rt_node *up = wf_node(w, id);
	if (up == NULL)
		return -1;
	size_t k = (size_t)(up - w->nodes);
	for (size_t i = 0; i < n->ndeps; i++)
		if (n->deps[i] == k)
			return 0;
	size_t *d = rt_arena_array(r->a, n->ndeps + 1, sizeof *d);
	if (d == NULL) {
		rt_run_oom(r);
		return 0;
	}
	if (n->ndeps)
		memcpy(d, n->deps, n->ndeps * sizeof *d);
	d[n->ndeps++] = k;
	n->deps = d;
	return 0;
}

void rt_node_collect_deps(const Flyteidl__Core__BindingData *bd, struct rt_wf *w, struct rt_node *n, struct rt_run *r)
{
	if (bd == NULL)
		return;
	if (bd->value_case == BIND(PROMISE) && bd->promise != NULL)
		rt_node_add_dep(r, w, n, bd->promise->node_id);
	else if (bd->value_case == BIND(COLLECTION) && bd->collection != NULL)
		for (size_t i = 0; i < bd->collection->n_bindings; i++)
			rt_node_collect_deps(bd->collection->bindings[i], w, n, r);
	else if (bd->value_case == BIND(MAP) && bd->map != NULL)
		for (size_t i = 0; i < bd->map->n_bindings; i++)
			rt_node_collect_deps(bd->map->bindings[i]->value, w, n, r);
}

/* Inputs of a launch plan run: its defaults, the given values, its fixed inputs. */
int rt_lp_inputs(struct rt_run *r, const struct rt_ent_lp *lp, const Flyteidl__Core__LiteralMap *given, Flyteidl__Core__LiteralMap **out,
		     struct rt_msg *err)
{
	const Flyteidl__Core__ParameterMap *pm = lp->lp->spec->default_inputs;
	const Flyteidl__Core__LiteralMap *fixed = lp->lp->spec->fixed_inputs;
	size_t cap = (pm != NULL ? pm->n_parameters : 0) + (given != NULL ? given->n_literals : 0) +
		     (fixed != NULL ? fixed->n_literals : 0);
	Flyteidl__Core__LiteralMap *m = rt_litmap_new(r->a, cap);
	if (m == NULL)
		return rt_msgf(err, "out of memory");
	size_t n = 0;
	for (size_t i = 0; given != NULL && i < given->n_literals; i++) {
		const char *k = given->literals[i]->key;
		if (rt_litmap_get(fixed, k) != NULL)
			return rt_msgf(err, "input '%s' is fixed by launch plan %s", k, lp->name);
		rt_litmap_set(m, n++, k, given->literals[i]->value);
	}
	for (size_t i = 0; fixed != NULL && i < fixed->n_literals; i++)
		rt_litmap_set(m, n++, fixed->literals[i]->key, fixed->literals[i]->value);
	for (size_t i = 0; pm != NULL && i < pm->n_parameters; i++) {
		const char *k = pm->parameters[i]->key;
		const Flyteidl__Core__Parameter *p = pm->parameters[i]->value;
		m->n_literals = n;
		if (rt_litmap_get(m, k) != NULL || p == NULL)
			continue;
		if (p->behavior_case == FLYTEIDL__CORE__PARAMETER__BEHAVIOR_DEFAULT && p->default_ != NULL)
			rt_litmap_set(m, n++, k, p->default_);
	}
	m->n_literals = n;
	*out = m;
	return 0;
}
