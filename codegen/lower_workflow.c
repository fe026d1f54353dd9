/* lower_workflow.c: the lowering of a workflow: its WorkflowTemplate, the
 * sub-workflows it uses, and its nodes with their bindings, metadata and
 * upstream ids (one function per node shape; maps' in lower_map.c). */
#include "prelude.h"

#include "lower_impl.h"

#include <stdlib.h>
#include <string.h>

/* upstream ids of a node, each once, in first-use order */
struct upstream {
	const char **ids;
	size_t n, cap;
	struct base_hash set;  /* the ids again, hashed, once there are many */
};

static void note_upstream(struct gen *g, struct upstream *u, const char *id)
{
	enum { SMALL = 16 };  /* a search is as fast below this */
	bool added;
	if (u->n >= SMALL && u->set.cap == 0) {
		base_hash_init(&u->set, fl_arena_core(g->a), 2 * SMALL);
		for (size_t i = 0; i < u->n; i++)
			base_hash_insert_str(&u->set, u->ids[i], &added);
	}
	if (u->set.cap > 0) {
		base_hash_insert_str(&u->set, id, &added);
		if (!added)
			return;
	} else {
		for (size_t i = 0; i < u->n; i++)
			if (strcmp(u->ids[i], id) == 0)
				return;
	}
	if (u->n == u->cap) {
		size_t ncap = u->cap ? u->cap * 2 : 4;
		u->ids = fl_realloc(g->a, u->ids, u->cap * sizeof *u->ids, ncap * sizeof *u->ids);
		u->cap = ncap;
	}
	u->ids[u->n++] = id;
}

static const char *node_id(struct gen *g, const struct fl_wf_node *n)
{
	return fl_sprintf(g->a, "n%u", n->index);
}

static Flyteidl__Core__BindingData *binding_data(struct gen *g, const struct fl_node *v, const struct fl_type *t,
						 struct upstream *u);

static Flyteidl__Core__BindingData *promise(struct gen *g, const char *node, const char *var)
{
	Flyteidl__Core__BindingData *b = NEW(g, Flyteidl__Core__BindingData, FLYTEIDL__CORE__BINDING_DATA__INIT);
	b->value_case = FLYTEIDL__CORE__BINDING_DATA__VALUE_PROMISE;
	b->promise = NEW(g, Flyteidl__Core__OutputReference, FLYTEIDL__CORE__OUTPUT_REFERENCE__INIT);
	b->promise->node_id = str(g, node);
	b->promise->var = str(g, var);
	return b;
}

static bool all_literal(const struct fl_node *v)
{
	switch (v->kind) {
	case FL_INT: case FL_FLOAT: case FL_STRING: case FL_BOOL: case FL_NONE: case FL_DURATION:
		return true;
	case FL_LIST:
		for (const struct fl_node *e = v->list.head; e != NULL; e = e->next)
			if (!all_literal(e))
				return false;
		return true;
	case FL_DICT:
		for (const struct fl_node *e = v->list.head; e != NULL; e = e->next)
			if (!all_literal(e->pair.value))
				return false;
		return true;
	case FL_MEMBER:
		return v->sema == NULL;  /* an enum member */
	default:
		return false;
	}
}

static int cmp_binding_entry(const void *a, const void *b)
{
	return strcmp((*(Flyteidl__Core__BindingDataMap__BindingsEntry *const *)a)->key,
		      (*(Flyteidl__Core__BindingDataMap__BindingsEntry *const *)b)->key);
}

/* The list or dict type a literal of that shape binds to: t itself, or the
 * element of an optional t. */
static const struct fl_type *container_type(const struct fl_type *t, enum fl_type_kind kind)
{
	if (t->kind == FL_T_OPTIONAL)
		t = t->elem;
	return t->kind == kind ? t : NULL;
}

/* A value bound to an input of type t, as flytekit's
 * binding_data_from_python_std makes it: a list literal is a collection and
 * a dict literal a map (sorted by key), each element bound on its own (so
 * literals and workflow values may mix); another literal is a scalar; a
 * workflow value is a promise. */
static Flyteidl__Core__BindingData *binding_data(struct gen *g, const struct fl_node *v, const struct fl_type *t,
						 struct upstream *u)
{
	const struct fl_type *ct;
	if (v->kind == FL_LIST && (ct = container_type(t, FL_T_LIST)) != NULL) {
		Flyteidl__Core__BindingData *b = NEW(g, Flyteidl__Core__BindingData, FLYTEIDL__CORE__BINDING_DATA__INIT);
		b->value_case = FLYTEIDL__CORE__BINDING_DATA__VALUE_COLLECTION;
		b->collection = NEW(g, Flyteidl__Core__BindingDataCollection, FLYTEIDL__CORE__BINDING_DATA_COLLECTION__INIT);
		b->collection->n_bindings = v->list.count;
		b->collection->bindings = fl_alloc(g->a, (v->list.count + 1) * sizeof(void *));
		size_t i = 0;
		for (const struct fl_node *e = v->list.head; e != NULL; e = e->next)
			b->collection->bindings[i++] = binding_data(g, e, ct->elem, u);
		return b;
	}
	if (v->kind == FL_DICT && (ct = container_type(t, FL_T_DICT)) != NULL) {
		Flyteidl__Core__BindingData *b = NEW(g, Flyteidl__Core__BindingData, FLYTEIDL__CORE__BINDING_DATA__INIT);
		b->value_case = FLYTEIDL__CORE__BINDING_DATA__VALUE_MAP;
		b->map = NEW(g, Flyteidl__Core__BindingDataMap, FLYTEIDL__CORE__BINDING_DATA_MAP__INIT);
		b->map->bindings = fl_alloc(g->a, (v->list.count + 1) * sizeof(void *));
		size_t i = 0;
		for (const struct fl_node *e = v->list.head; e != NULL; e = e->next) {
			Flyteidl__Core__BindingDataMap__BindingsEntry *en =
				NEW(g, Flyteidl__Core__BindingDataMap__BindingsEntry, FLYTEIDL__CORE__BINDING_DATA_MAP__BINDINGS_ENTRY__INIT);
			en->key = fl_strndup(g->a, e->pair.key->str.bytes, e->pair.key->str.len);
			en->value = binding_data(g, e->pair.value, ct->elem, u);
			b->map->bindings[i++] = en;
		}
		b->map->n_bindings = i;
		qsort(b->map->bindings, i, sizeof *b->map->bindings, cmp_binding_entry);
		return b;
	}
	if (all_literal(v)) {
		Flyteidl__Core__BindingData *b = NEW(g, Flyteidl__Core__BindingData, FLYTEIDL__CORE__BINDING_DATA__INIT);
		b->value_case = FLYTEIDL__CORE__BINDING_DATA__VALUE_SCALAR;
		b->scalar = fl_lower_literal(g, v, t)->scalar;
		return b;
	}
	if (v->kind == FL_CALL || v->kind == FL_WITH) {
		const struct fl_wf_node *n = v->kind == FL_CALL ? v->sema : v->with.call->sema;
		const char *id = node_id(g, n);
		note_upstream(g, u, id);
		return promise(g, id, n->target->sig.out[0].name);
	}
	const struct fl_wf_value *val = v->sema;
	if (val->input >= 0)  /* by the input's name: val may be an alias (`m = n`) */
		return promise(g, "", g->wf->sig.in[val->input].name);
	const char *id = node_id(g, val->node);
	note_upstream(g, u, id);
	return promise(g, id, val->node->target->sig.out[val->output >= 0 ? val->output : 0].name);
}

static int cmp_binding(const void *a, const void *b)
{
	return strcmp((*(Flyteidl__Core__Binding *const *)a)->var, (*(Flyteidl__Core__Binding *const *)b)->var);
}

/* Node metadata as flytekit's construct_node_metadata makes it: name,
 * timeout, retries, interruptible; cache only from a `with { }` override
 * (`cache`: whether o's cache setting came from one). */
Flyteidl__Core__NodeMetadata *fl_lower_node_metadata(struct gen *g, const char *name, const struct fl_options *o,
						     bool cache)
{
	Flyteidl__Core__NodeMetadata *md = NEW(g, Flyteidl__Core__NodeMetadata, FLYTEIDL__CORE__NODE_METADATA__INIT);
	md->name = str(g, name);
	md->retries = fl_lower_retries(g, o);
	if (o->has_timeout)
		md->timeout = fl_lower_duration(g, o->timeout_ns);
	if (o->has_interruptible) {
		md->interruptible_value_case = FLYTEIDL__CORE__NODE_METADATA__INTERRUPTIBLE_VALUE_INTERRUPTIBLE;
		md->interruptible = o->interruptible;
	}
	if (o->cache != NULL && cache) {
		md->cacheable_value_case = FLYTEIDL__CORE__NODE_METADATA__CACHEABLE_VALUE_CACHEABLE;
		md->cacheable = true;
		md->cache_version_value_case = FLYTEIDL__CORE__NODE_METADATA__CACHE_VERSION_VALUE_CACHE_VERSION;
		md->cache_version = str(g, o->cache);
	}
	return md;
}

/* Node-level overrides from `with { }`: retries, timeout, interruptible and
 * cache go to the node metadata; resources and image to the task node. */
static Flyteidl__Core__TaskNodeOverrides *overrides(struct gen *g, const struct fl_wf_node *n)
{
	Flyteidl__Core__TaskNodeOverrides *ov = NEW(g, Flyteidl__Core__TaskNodeOverrides, FLYTEIDL__CORE__TASK_NODE_OVERRIDES__INIT);
	if (n->has_overrides && (n->overrides.nrequests || n->overrides.nlimits))
		ov->resources = fl_lower_resources(g, &n->overrides);
	if (n->has_overrides && n->overrides.image != NULL)
		ov->container_image = str(g, n->overrides.image);
	if (n->has_overrides)
		ov->extended_resources = fl_lower_extended_resources(g, &n->overrides);
	return ov;
}

Flyteidl__Core__Node *fl_lower_task_node(struct gen *g, const char *id, const char *task,
					 Flyteidl__Core__NodeMetadata *md, const struct node_parts *p,
					 const struct fl_wf_node *n)
{
	Flyteidl__Core__Node *node = NEW(g, Flyteidl__Core__Node, FLYTEIDL__CORE__NODE__INIT);
	node->id = str(g, id);
	node->metadata = md;
	node->n_inputs = p->nin;
	node->inputs = p->in;
	node->target_case = FLYTEIDL__CORE__NODE__TARGET_TASK_NODE;
	node->task_node = NEW(g, Flyteidl__Core__TaskNode, FLYTEIDL__CORE__TASK_NODE__INIT);
	node->task_node->reference_case = FLYTEIDL__CORE__TASK_NODE__REFERENCE_REFERENCE_ID;
	node->task_node->reference_id = fl_lower_ident(g, FLYTEIDL__CORE__RESOURCE_TYPE__TASK, task);
	node->task_node->overrides = overrides(g, n);
	return node;
}

struct wf_state {
	const struct fl_entity **subs;  /* sub-workflows used, recursively */
	size_t nsubs, cap;
};

static void add_sub(struct gen *g, struct wf_state *ws, const struct fl_entity *w);

/* The bindings of a call, sorted by name: its arguments, and a map's
 * partial values; *count is their number. */
static Flyteidl__Core__Binding **node_bindings(struct gen *g, const struct fl_wf_node *n, struct upstream *up,
					       size_t *count)
{
	const struct fl_entity *t = n->target;
	const struct fl_sig *s = &t->sig;
	Flyteidl__Core__Binding **in = fl_alloc(g->a, (s->nin + 1) * sizeof *in);
	size_t nin = 0;
	for (uint32_t i = 0; i < s->nin; i++) {
		const struct fl_node *v = n->args[i];
		const struct fl_type *ty = s->in[i].type;
		if (v == NULL && s->in[i].bound)
			v = s->in[i].bound_value;
		/* flytekit binds the defaults at the call: a task's, a workflow's
		 * and a launch plan's (LaunchPlan.__call__ passes its
		 * saved_inputs). A plan's fixed inputs are not in its interface
		 * (s), so they are not bound: flytepropeller's compiler knows
		 * only the plan's expected inputs (its default_inputs) and
		 * would refuse them (validators/bindings.go, ValidateBindings:
		 * VariableNameNotFound). */
		if (v == NULL && s->in[i].dflt != NULL)
			v = s->in[i].dflt;
		if (v == NULL)
			continue;  /* an optional input without a default */
		Flyteidl__Core__Binding *b = NEW(g, Flyteidl__Core__Binding, FLYTEIDL__CORE__BINDING__INIT);
		b->var = str(g, s->in[i].name);
		b->binding = binding_data(g, v, ty, up);
		in[nin++] = b;
	}
	qsort(in, nin, sizeof *in, cmp_binding);
	*count = nin;
	return in;
}

/* A call of a task: a task node with the task's options and the call's overrides. */
static Flyteidl__Core__Node *task_call_node(struct gen *g, const struct fl_wf_node *n, const struct node_parts *p)
{
	const struct fl_entity *t = n->target;
	struct fl_options o = fl_merge_options(&t->opts, p->ovr);
	Flyteidl__Core__NodeMetadata *md = fl_lower_node_metadata(g, short_name(t->name), &o, p->ovr->cache != NULL);
	return fl_lower_task_node(g, p->id, qualified(g, t), md, p, n);
}

/* A call of a workflow (inlined as a sub-workflow) or of a launch plan: a
 * workflow node. flytekit's node metadata is the workflow's
 * (LaunchPlan.construct_node_metadata defers to its workflow): its short
 * name, and interruptible from its metadata_defaults, written even when
 * false. */
static Flyteidl__Core__Node *workflow_call_node(struct gen *g, struct wf_state *ws, const struct fl_wf_node *n,
						const struct node_parts *p)
{
	const struct fl_entity *t = n->target;
	const struct fl_options *ovr = p->ovr;
	Flyteidl__Core__Node *node = NEW(g, Flyteidl__Core__Node, FLYTEIDL__CORE__NODE__INIT);
	node->id = str(g, p->id);
	const struct fl_entity *wf = t->kind == FL_E_LAUNCHPLAN ? t->lp.workflow : t;
	node->metadata = fl_lower_node_metadata(g, short_name(wf->name), ovr, ovr->cache != NULL);
	node->metadata->interruptible_value_case = FLYTEIDL__CORE__NODE_METADATA__INTERRUPTIBLE_VALUE_INTERRUPTIBLE;
	node->metadata->interruptible = ovr->has_interruptible && ovr->interruptible;
	node->n_inputs = p->nin;
	node->inputs = p->in;
	node->target_case = FLYTEIDL__CORE__NODE__TARGET_WORKFLOW_NODE;
	node->workflow_node = NEW(g, Flyteidl__Core__WorkflowNode, FLYTEIDL__CORE__WORKFLOW_NODE__INIT);
	if (t->kind == FL_E_WORKFLOW) {
		node->workflow_node->reference_case = FLYTEIDL__CORE__WORKFLOW_NODE__REFERENCE_SUB_WORKFLOW_REF;
		node->workflow_node->sub_workflow_ref = fl_lower_ident(g, FLYTEIDL__CORE__RESOURCE_TYPE__WORKFLOW,
								       qualified(g, t));
		add_sub(g, ws, t);
	} else {
		node->workflow_node->reference_case = FLYTEIDL__CORE__WORKFLOW_NODE__REFERENCE_LAUNCHPLAN_REF;
		node->workflow_node->launchplan_ref = fl_lower_ident(g, FLYTEIDL__CORE__RESOURCE_TYPE__LAUNCH_PLAN,
								     qualified(g, t));
	}
	return node;
}

/* A node of the workflow: its bindings, one of four shapes by what it
 * calls, and its upstream ids. */
static Flyteidl__Core__Node *lower_node(struct gen *g, struct wf_state *ws, const struct fl_wf_node *n)
{
	const struct fl_entity *t = n->target;
	struct upstream up = {0};
	struct fl_options none_opts = {0};
	struct node_parts p = {.ovr = n->has_overrides ? &n->overrides : &none_opts};
	p.in = node_bindings(g, n, &up, &p.nin);
	p.id = node_id(g, n);
	Flyteidl__Core__Node *node;
	if (t->kind == FL_E_TASK)
		node = task_call_node(g, n, &p);
	else if (t->kind == FL_E_MAP && t->map.legacy)
		node = fl_lower_legacy_map_node(g, n, &p);
	else if (t->kind == FL_E_MAP)
		node = fl_lower_array_node(g, n, &p);
	else
		node = workflow_call_node(g, ws, n, &p);
	/* upstream ids, sorted */
	if (up.n > 1)  /* up.ids is NULL when there is none */
		qsort(up.ids, up.n, sizeof *up.ids, fl_cmp_str);
	node->n_upstream_node_ids = up.n;
	node->upstream_node_ids = fl_alloc(g->a, (up.n + 1) * sizeof(char *));
	for (size_t i = 0; i < up.n; i++)
		node->upstream_node_ids[i] = str(g, up.ids[i]);
	return node;
}

static Flyteidl__Core__WorkflowTemplate *workflow_template(struct gen *g, struct wf_state *ws, const struct fl_entity *w)
{
	const struct fl_entity *outer = g->wf;
	g->wf = w;
	Flyteidl__Core__WorkflowTemplate *t = NEW(g, Flyteidl__Core__WorkflowTemplate, FLYTEIDL__CORE__WORKFLOW_TEMPLATE__INIT);
	t->id = fl_lower_ident(g, FLYTEIDL__CORE__RESOURCE_TYPE__WORKFLOW, qualified(g, w));
	t->metadata = NEW(g, Flyteidl__Core__WorkflowMetadata, FLYTEIDL__CORE__WORKFLOW_METADATA__INIT);
	t->interface = fl_lower_interface(g, &w->sig);
	t->n_nodes = w->wf.nnodes;
	t->nodes = fl_alloc(g->a, (w->wf.nnodes + 1) * sizeof *t->nodes);
	for (uint32_t i = 0; i < w->wf.nnodes; i++)
		t->nodes[i] = lower_node(g, ws, w->wf.nodes[i]);
	t->n_outputs = w->sig.nout;
	t->outputs = fl_alloc(g->a, (w->sig.nout + 1) * sizeof *t->outputs);
	struct upstream ignored = {0};
	for (uint32_t i = 0; i < w->sig.nout; i++) {
		Flyteidl__Core__Binding *b = NEW(g, Flyteidl__Core__Binding, FLYTEIDL__CORE__BINDING__INIT);
		b->var = str(g, w->sig.out[i].name);
		b->binding = binding_data(g, w->wf.returns[i], w->sig.out[i].type, &ignored);
		t->outputs[i] = b;
	}
	t->metadata_defaults = NEW(g, Flyteidl__Core__WorkflowMetadataDefaults, FLYTEIDL__CORE__WORKFLOW_METADATA_DEFAULTS__INIT);
	g->wf = outer;
	return t;
}

static void add_sub(struct gen *g, struct wf_state *ws, const struct fl_entity *w)
{
	for (size_t i = 0; i < ws->nsubs; i++)
		if (ws->subs[i] == w)
			return;
	if (ws->nsubs == ws->cap) {
		size_t ncap = ws->cap ? ws->cap * 2 : 4;
		ws->subs = fl_realloc(g->a, ws->subs, ws->cap * sizeof *ws->subs, ncap * sizeof *ws->subs);
		ws->cap = ncap;
	}
	ws->subs[ws->nsubs++] = w;
}

static int cmp_template(const void *a, const void *b)
{
	return strcmp((*(Flyteidl__Core__WorkflowTemplate *const *)a)->id->name,
		      (*(Flyteidl__Core__WorkflowTemplate *const *)b)->id->name);
}

void fl_lower_workflow(struct gen *g, const struct fl_entity *w)
{
	const char *name = qualified(g, w);
	if (fl_lower_has(g, FL_ART_WORKFLOW, name))
		return;
	/* dependencies first, in node order */
	for (uint32_t i = 0; i < w->wf.nnodes; i++)
		fl_lower_entity(g, w->wf.nodes[i]->target);
	struct wf_state ws = {0};
	Flyteidl__Admin__WorkflowSpec *spec = NEW(g, Flyteidl__Admin__WorkflowSpec, FLYTEIDL__ADMIN__WORKFLOW_SPEC__INIT);
	spec->template_ = workflow_template(g, &ws, w);
	/* sub-workflows, recursively, each once, sorted by name */
	for (size_t i = 0; i < ws.nsubs; i++) {
		const struct fl_entity *sw = ws.subs[i];
		struct wf_state inner = ws;
		(void)workflow_template(g, &inner, sw);  /* collects what sw uses */
		ws = inner;
	}
	spec->n_sub_workflows = ws.nsubs;
	spec->sub_workflows = fl_alloc(g->a, (ws.nsubs + 1) * sizeof *spec->sub_workflows);
	for (size_t i = 0; i < ws.nsubs; i++) {
		struct wf_state scratch = {0};
		spec->sub_workflows[i] = workflow_template(g, &scratch, ws.subs[i]);
	}
	qsort(spec->sub_workflows, ws.nsubs, sizeof *spec->sub_workflows, cmp_template);
	spec->description = fl_lower_description(g);
	fl_lower_add(g, FL_ART_WORKFLOW, name, &spec->base);
	fl_lower_launch_plan(g, name, w, &w->sig, NULL);
}
