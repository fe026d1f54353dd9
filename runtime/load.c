/* load.c: reading the module's embedded entities for `run`: task templates
 * (and the C task each one runs), workflows, launch plans; the target a
 * name designates; the types of their interfaces as text. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "run_impl.h"
#include "type_kinds.h"

/* ---- types as text --------------------------------------------------------------------- */
void rt_ltype_text(const Flyteidl__Core__LiteralType *lt, struct base_buf *b)
{
	/* by SimpleType: the language's names (base/type_kinds.def), and two it lacks */
	static const char *const simple[] = {
#define X(kind, side, flrt, name, lt, arg, tag, ctype, human, flags) BASE_KIND_IF_SIMPLE(lt, [SIMPLE(arg)] = name,)
#include "type_kinds.def"
#undef X
		[SIMPLE(ERROR)] = "error", [SIMPLE(STRUCT)] = "struct",
	};
	if (lt == NULL) {
		base_buf_printf(b, "?");
		return;
	}
	switch (lt->type_case) {
	case LT(SIMPLE):
		base_buf_printf(b, "%s", (unsigned)lt->simple < sizeof simple / sizeof *simple && simple[lt->simple] != NULL
				       ? simple[lt->simple] : "?");
		break;
	case LT(BLOB):
		base_buf_printf(b, lt->blob != NULL && lt->blob->dimensionality == DIM(MULTIPART) ? "dir" : "file");
		break;
	case LT(COLLECTION_TYPE):
		base_buf_printf(b, "list[");
		rt_ltype_text(lt->collection_type, b);
		base_buf_printf(b, "]");
		break;
	case LT(MAP_VALUE_TYPE):
		base_buf_printf(b, "dict[str, ");
		rt_ltype_text(lt->map_value_type, b);
		base_buf_printf(b, "]");
		break;
	case LT(ENUM_TYPE):
		base_buf_printf(b, "enum(");
		for (size_t i = 0; lt->enum_type != NULL && i < lt->enum_type->n_values; i++)
			base_buf_printf(b, "%s%s", i ? "|" : "", lt->enum_type->values[i]);
		base_buf_printf(b, ")");
		break;
	case LT(UNION_TYPE): {
		const Flyteidl__Core__UnionType *u = lt->union_type;
		if (u != NULL && u->n_variants == 2 && u->variants[1]->type_case == LT(SIMPLE) &&
		    u->variants[1]->simple == SIMPLE(NONE)) {
			rt_ltype_text(u->variants[0], b);
			base_buf_printf(b, "?");
			break;
		}
		base_buf_printf(b, "union[");
		for (size_t i = 0; u != NULL && i < u->n_variants; i++) {
			if (i)
				base_buf_printf(b, ", ");
			rt_ltype_text(u->variants[i], b);
		}
		base_buf_printf(b, "]");
		break;
	}
	default:
		base_buf_printf(b, "(unsupported type)");
	}
}

bool rt_ltype_optional(const Flyteidl__Core__LiteralType *lt)
{
	if (lt == NULL || lt->type_case != LT(UNION_TYPE) || lt->union_type == NULL)
		return false;
	for (size_t i = 0; i < lt->union_type->n_variants; i++)
		if (lt->union_type->variants[i]->type_case == LT(SIMPLE) &&
		    lt->union_type->variants[i]->simple == SIMPLE(NONE))
			return true;
	return false;
}

/* ---- loading the module's entities -------------------------------------------------- */
static const char *arg_after(Flyteidl__Core__Container *c, size_t i)
{
	return i + 1 < c->n_args ? c->args[i + 1] : NULL;
}

/* Reads the task's container argv (what Flyte would run) to find the C task,
 * and whether it is a map element; else matches names. */
static void task_target(struct rt_run *r, struct rt_ent_task *t)
{
	Flyteidl__Core__TaskTemplate *tt = t->tmpl;
	t->legacy = strcmp(tt->type, "container_array") == 0;
	const char *bound = NULL;
	if (tt->target_case == FLYTEIDL__CORE__TASK_TEMPLATE__TARGET_CONTAINER && tt->container != NULL) {
		Flyteidl__Core__Container *c = tt->container;
		for (size_t i = 0; i < c->n_args; i++) {
			const char *a = c->args[i];
			if (strcmp(a, "map-execute") == 0)
				t->map = true;
			else if (strcmp(a, "--legacy") == 0)
				t->legacy = true;
			else if (strcmp(a, "--task") == 0 && arg_after(c, i) != NULL)
				t->fn_name = arg_after(c, i);
			else if (strncmp(a, "--task=", 7) == 0)
				t->fn_name = a + 7;
			else if (strcmp(a, "--bound") == 0 && arg_after(c, i) != NULL)
				bound = arg_after(c, i);
			else if (strncmp(a, "--bound=", 8) == 0)
				bound = a + 8;
		}
	}
	if (t->legacy)
		t->map = true;
	if (t->fn_name == NULL) {
		/* <module>.map_<task>_<md5>[-arraynode] runs <module>.<task> */
		const char *m = strstr(t->name, ".map_");
		const char *u = m != NULL ? strrchr(m, '_') : NULL;
		if (m != NULL && u != NULL && u > m + 5 && strlen(u + 1) >= 32) {
			t->map = true;
			t->fn_name = rt_arena_printf(r->a, "%.*s.%.*s", (int)(m - t->name), t->name,
						      (int)(u - (m + 5)), m + 5);
		} else {
			t->fn_name = t->name;
		}
	}
	t->fn = t->fn_name != NULL ? rt_find_task(r->m, t->fn_name) : NULL;
	/* --bound a,b */
	size_t n = 0;
	for (const char *p = bound; p != NULL && *p; p++)
		n += *p == ',';
	t->bound = rt_arena_array(r->a, n + 1, sizeof *t->bound);
	for (const char *p = bound; t->bound != NULL && p != NULL && *p;) {
		const char *c = strchr(p, ',');
		size_t len = c != NULL ? (size_t)(c - p) : strlen(p);
		if (len)
			t->bound[t->nbound++] = rt_arena_strndup(r->a, p, len);
		p = c != NULL ? c + 1 : p + len;
	}
}

static int add_wf(struct rt_run *r, Flyteidl__Core__WorkflowTemplate *t, size_t *cap)
{
	if (t == NULL || t->id == NULL)
		return 0;
	for (size_t i = 0; i < r->nwfs; i++)
		if (strcmp(r->wfs[i].name, t->id->name) == 0)
			return 0;
	if (rt_grow((void **)&r->wfs, cap, r->nwfs + 1, sizeof *r->wfs) < 0)
		return -1;
	r->wfs[r->nwfs++] = (struct rt_ent_wf){ t->id->name, t };
	return 0;
}

struct rt_ent_task *rt_run_find_task(struct rt_run *r, const char *name)
{
	for (size_t i = 0; i < r->ntasks; i++)
		if (strcmp(r->tasks[i].name, name) == 0)
			return &r->tasks[i];
	return NULL;
}

Flyteidl__Core__WorkflowTemplate *rt_run_find_wf(struct rt_run *r, const char *name)
{
	for (size_t i = 0; i < r->nwfs; i++)
		if (strcmp(r->wfs[i].name, name) == 0)
			return r->wfs[i].tmpl;
	return NULL;
}

struct rt_ent_lp *rt_run_find_lp(struct rt_run *r, const char *name)
{
	for (size_t i = 0; i < r->nlps; i++)
		if (strcmp(r->lps[i].name, name) == 0)
			return &r->lps[i];
	return NULL;
}

/* Entity kinds 4 (a declared map's name; data: its map task's name) and 5
 * (a task's input defaults; data: a LiteralMap). */
static int load_local(struct rt_run *r, struct rt_msg *err)
{
	const flrt_module *m = r->m;
	for (size_t i = 0; i < m->nentities; i++) {
		const struct flrt_entity *e = &m->entities[i];
		if (e->kind < 4 || e->name == NULL)
			continue;
		if (e->kind == 4) {
			char *t = rt_arena_strndup(r->a, (const char *)e->data, e->len);
			struct rt_ent_task *tk = t != NULL ? rt_run_find_task(r, t) : NULL;
			if (t == NULL)
				return rt_msgf(err, "out of memory");
			if (tk == NULL)
				return rt_msgf(err, "embedded map %s: unknown map task %s", e->name, t);
			tk->declared = e->name;
			continue;
		}
		struct rt_ent_task *tk = rt_run_find_task(r, e->name);
		Flyteidl__Core__LiteralMap *d = rt_unpack(r->a, &flyteidl__core__literal_map__descriptor,
							   e->data, e->len, err);
		if (d == NULL)
			return rt_msg_prefix(err, "embedded defaults of task %s", e->name);
		if (tk == NULL)
			return rt_msgf(err, "embedded defaults of an unknown task %s", e->name);
		tk->defaults = d;
	}
	return 0;
}

int rt_run_load(struct rt_run *r, struct rt_msg *err)
{
	const flrt_module *m = r->m;
	size_t ct = 0, cw = 0, cl = 0;
	for (size_t i = 0; i < m->nentities; i++) {
		const struct flrt_entity *e = &m->entities[i];
		const char *what = e->kind == 1 ? "task" : e->kind == 2 ? "workflow" : "launch plan";
		if (e->kind < 1 || e->kind > 5)
			return rt_msgf(err, "entity %zu (%s) has an unknown kind %d", i,
					e->name != NULL ? e->name : "", e->kind);
		if (e->kind >= 4)
			continue;   /* map names and task defaults: once the tasks are known */
		const ProtobufCMessageDescriptor *d =
			e->kind == 1 ? &flyteidl__admin__task_spec__descriptor :
			e->kind == 2 ? &flyteidl__admin__workflow_spec__descriptor :
				       &flyteidl__admin__launch_plan__descriptor;
		void *msg = rt_unpack(r->a, d, e->data, e->len, err);
		if (msg == NULL)
			return rt_msg_prefix(err, "embedded %s %s", what, e->name != NULL ? e->name : "");
		if (e->kind == 1) {
			Flyteidl__Admin__TaskSpec *ts = msg;
			if (ts->template_ == NULL || ts->template_->id == NULL || ts->template_->interface == NULL)
				return rt_msgf(err, "embedded task %s has no template, id or interface",
						e->name != NULL ? e->name : "");
			if (rt_grow((void **)&r->tasks, &ct, r->ntasks + 1, sizeof *r->tasks) < 0)
				return rt_msgf(err, "out of memory");
			struct rt_ent_task *t = &r->tasks[r->ntasks++];
			memset(t, 0, sizeof *t);
			t->name = ts->template_->id->name;
			t->tmpl = ts->template_;
			task_target(r, t);
		} else if (e->kind == 2) {
			Flyteidl__Admin__WorkflowSpec *ws = msg;
			if (ws->template_ == NULL || ws->template_->id == NULL)
				return rt_msgf(err, "embedded workflow %s has no template",
						e->name != NULL ? e->name : "");
			if (add_wf(r, ws->template_, &cw) < 0)
				return rt_msgf(err, "out of memory");
			for (size_t k = 0; k < ws->n_sub_workflows; k++)
				if (add_wf(r, ws->sub_workflows[k], &cw) < 0)
					return rt_msgf(err, "out of memory");
		} else {
			Flyteidl__Admin__LaunchPlan *lp = msg;
			if (lp->id == NULL || lp->spec == NULL || lp->spec->workflow_id == NULL)
				return rt_msgf(err, "embedded launch plan %s has no id or spec",
						e->name != NULL ? e->name : "");
			if (rt_grow((void **)&r->lps, &cl, r->nlps + 1, sizeof *r->lps) < 0)
				return rt_msgf(err, "out of memory");
			r->lps[r->nlps++] = (struct rt_ent_lp){ lp->id->name, lp, NULL };
		}
	}
	if (load_local(r, err) < 0)
		return -1;
	for (size_t i = 0; i < r->nlps; i++) {
		const char *w = r->lps[i].lp->spec->workflow_id->name;
		if ((r->lps[i].wf = rt_run_find_wf(r, w)) == NULL)
			return rt_msgf(err, "launch plan %s: unknown workflow %s", r->lps[i].name, w);
	}
	return 0;
}

/* One node n0 that runs task t, for `run TASK`. */
/* The outputs in the C task's declaration order (the interface map is sorted). */
static const char **output_names(struct rt_arena *a, const struct rt_ent_task *t,
				 const Flyteidl__Core__VariableMap *vm, size_t no)
{
	const char **onames = rt_arena_array(a, no + 1, sizeof *onames);
	if (onames == NULL)
		return NULL;
	for (size_t i = 0; i < no; i++)
		onames[i] = vm->variables[i]->key;
	if (t->fn != NULL && t->fn->noutputs == no) {
		size_t k = 0;
		for (size_t i = 0; i < no; i++)
			for (size_t j = 0; j < no; j++)
				if (strcmp(vm->variables[j]->key, t->fn->outputs[i].name) == 0)
					onames[k++] = vm->variables[j]->key;
		if (k != no)
			for (size_t i = 0; i < no; i++)
				onames[i] = vm->variables[i]->key;
	}
	return onames;
}

/* Bindings of the variables of vm (named by names when not NULL) to the
 * same-named outputs of node_id ("": the workflow's inputs). -1: out of memory. */
static int promise_bindings(struct rt_arena *a, const Flyteidl__Core__VariableMap *vm,
			    const char **names, const char *node_id, Flyteidl__Core__Binding **out)
{
	for (size_t i = 0; vm != NULL && i < vm->n_variables; i++) {
		Flyteidl__Core__Binding *b = rt_arena_alloc(a, sizeof *b);
		Flyteidl__Core__BindingData *bd = rt_arena_alloc(a, sizeof *bd);
		Flyteidl__Core__OutputReference *o = rt_arena_alloc(a, sizeof *o);
		if (b == NULL || bd == NULL || o == NULL)
			return -1;
		flyteidl__core__binding__init(b);
		flyteidl__core__binding_data__init(bd);
		flyteidl__core__output_reference__init(o);
		b->var = names != NULL ? (char *)names[i] : vm->variables[i]->key;
		o->var = b->var;
		o->node_id = (char *)node_id;
		bd->value_case = BIND(PROMISE);
		bd->promise = o;
		b->binding = bd;
		out[i] = b;
	}
	return 0;
}

/* A map task run directly: n becomes an array node of the task node tn,
 * every element must succeed. */
static int as_array_node(struct rt_arena *a, const struct rt_ent_task *t, Flyteidl__Core__Node *n,
			 Flyteidl__Core__TaskNode *tn)
{
	Flyteidl__Core__ArrayNode *an = rt_arena_alloc(a, sizeof *an);
	Flyteidl__Core__Node *sub = rt_arena_alloc(a, sizeof *sub);
	if (an == NULL || sub == NULL)
		return -1;
	flyteidl__core__array_node__init(an);
	*sub = *n;
	sub->id = (char *)t->name;
	sub->target_case = NODE(TASK_NODE);
	sub->task_node = tn;
	an->node = sub;
	an->n_bound_inputs = t->nbound;
	an->bound_inputs = t->bound;
	n->target_case = NODE(ARRAY_NODE);
	n->array_node = an;
	return 0;
}

static Flyteidl__Core__WorkflowTemplate *task_workflow(struct rt_run *r, struct rt_ent_task *t)
{
	struct rt_arena *a = r->a;
	Flyteidl__Core__WorkflowTemplate *w = rt_arena_alloc(a, sizeof *w);
	Flyteidl__Core__Node *n = rt_arena_alloc(a, sizeof *n), **nodes = rt_arena_alloc(a, sizeof *nodes);
	Flyteidl__Core__TaskNode *tn = rt_arena_alloc(a, sizeof *tn);
	const Flyteidl__Core__TypedInterface *ti = t->tmpl->interface;
	size_t ni = ti->inputs != NULL ? ti->inputs->n_variables : 0;
	size_t no = ti->outputs != NULL ? ti->outputs->n_variables : 0;
	Flyteidl__Core__Binding **ins = rt_arena_array(a, ni + 1, sizeof *ins);
	Flyteidl__Core__Binding **outs = rt_arena_array(a, no + 1, sizeof *outs);
	if (w == NULL || n == NULL || nodes == NULL || tn == NULL || ins == NULL || outs == NULL)
		return NULL;
	flyteidl__core__workflow_template__init(w);
	flyteidl__core__node__init(n);
	flyteidl__core__task_node__init(tn);
	tn->reference_case = FLYTEIDL__CORE__TASK_NODE__REFERENCE_REFERENCE_ID;
	tn->reference_id = t->tmpl->id;
	n->id = "n0";
	w->id = t->tmpl->id;
	w->interface = (Flyteidl__Core__TypedInterface *)ti;
	const char **onames = output_names(a, t, ti->outputs, no);
	if (onames == NULL || promise_bindings(a, ti->inputs, NULL, "", ins) < 0 ||
	    promise_bindings(a, ti->outputs, onames, "n0", outs) < 0)
		return NULL;
	n->n_inputs = ni;
	n->inputs = ins;
	if (t->map && !t->legacy) {
		if (as_array_node(a, t, n, tn) < 0)
			return NULL;
	} else {
		n->target_case = NODE(TASK_NODE);
		n->task_node = tn;
	}
	nodes[0] = n;
	w->n_nodes = 1;
	w->nodes = nodes;
	w->n_outputs = no;
	w->outputs = outs;
	return w;
}

int rt_run_find_target(struct rt_run *r, const char *name, struct rt_target *t, struct rt_msg *err)
{
	const char *cands[2] = { name, NULL };
	if (r->m->name != NULL && strchr(name, '.') == NULL)
		cands[1] = rt_arena_printf(r->a, "%s.%s", r->m->name, name);
	for (int k = 0; k < 2 && cands[k] != NULL; k++) {
		const char *c = cands[k];
		struct rt_ent_lp *lp = rt_run_find_lp(r, c);
		if (lp != NULL) {
			*t = (struct rt_target){ lp->wf, lp, NULL, "launch plan", c };
			return 0;
		}
		Flyteidl__Core__WorkflowTemplate *w = rt_run_find_wf(r, c);
		if (w != NULL) {
			*t = (struct rt_target){ w, NULL, NULL, "workflow", c };
			return 0;
		}
		struct rt_ent_task *tk = rt_run_find_task(r, c);
		for (size_t i = 0; tk == NULL && i < r->ntasks; i++)
			if (r->tasks[i].declared != NULL && strcmp(r->tasks[i].declared, c) == 0)
				tk = &r->tasks[i];
		if (tk != NULL) {
			if ((w = task_workflow(r, tk)) == NULL)
				return rt_msgf(err, "out of memory");
			*t = (struct rt_target){ w, NULL, tk, tk->map ? "map" : "task", c };
			return 0;
		}
		const flrt_task *fn = rt_find_task(r->m, c);
		if (fn != NULL)
			return rt_msgf(err, "task %s has no embedded TaskTemplate in this executable", c);
	}
	struct base_buf b = { 0 };
	for (size_t i = 0; i < r->nlps; i++)
		base_buf_printf(&b, " %s", r->lps[i].name);
	for (size_t i = 0; i < r->nwfs; i++)
		if (rt_run_find_lp(r, r->wfs[i].name) == NULL)
			base_buf_printf(&b, " %s", r->wfs[i].name);
	for (size_t i = 0; i < r->ntasks; i++)
		base_buf_printf(&b, " %s", r->tasks[i].declared != NULL ? r->tasks[i].declared : r->tasks[i].name);
	rt_msgf(err, "no workflow, launch plan, task or map named '%s' (there are:%s)", name,
		 b.data != NULL ? b.data : " none");
	base_buf_free(&b);
	return -1;
}
