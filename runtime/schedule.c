/* schedule.c: the workflow executor of `run`: workflows and their node
 * states, dependency order, starting nodes (task, array, workflow and launch
 * plan nodes), failure policies (fail fast or after executable nodes),
 * cancellation, result collection, the --output-dir files. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "run_impl.h"

/* ---- small helpers ---------------------------------------------------------------- */
int rt_grow(void **p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return 0;
	size_t c = *cap ? *cap * 2 : 16;
	while (c < need)
		c *= 2;
	void *q = realloc(*p, c * size);
	if (q == NULL)
		return -1;
	*p = q;
	*cap = c;
	return 0;
}

void rt_run_oom(struct rt_run *r)
{
	r->oom = true;
}

char *rt_run_printf(struct rt_run *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = rt_arena_vprintf(r->a, fmt, ap);
	va_end(ap);
	if (s == NULL)
		rt_run_oom(r);
	return s != NULL ? s : "(out of memory)";
}

/* The first --output-dir write that fails stops the run (said once): a full
 * disk or a bad directory would fail every later write too. */
static void outdir_failed(struct rt_run *r, const char *why)
{
	if (r->outdir_error != NULL)
		return;
	r->outdir_error = rt_run_printf(r, "%s", why);
	rt_progress_clear(r);
	fprintf(r->io->err, "run: --output-dir: %s: the run stops\n", r->outdir_error);
}

void rt_run_write_pb(struct rt_run *r, const char *dir, const char *name, const ProtobufCMessage *m)
{
	if (r->outdir == NULL || dir == NULL || r->outdir_error != NULL)
		return;
	struct rt_msg err;
	uint8_t *data;
	size_t len;
	if (rt_pack_arena_as_is(r->a, m, &data, &len, &err) < 0)
		outdir_failed(r, err.text);
	else
		rt_run_write_bytes(r, dir, name, data, len);
}

void rt_run_write_bytes(struct rt_run *r, const char *dir, const char *name, const uint8_t *data, size_t len)
{
	if (r->outdir == NULL || dir == NULL || r->outdir_error != NULL)
		return;
	struct rt_msg err;
	char *d = *dir ? rt_join(r->a, r->outdir, dir) : (char *)r->outdir;
	char *p = d != NULL ? rt_join(r->a, d, name) : NULL;
	if (p == NULL || rt_mkdirs(d, &err) < 0 || rt_write_file(p, data, len, &err) < 0)
		outdir_failed(r, p != NULL ? err.text : "out of memory");
}

void rt_run_write_error(struct rt_run *r, const char *dir, const char *message)
{
	uint8_t *data;
	size_t len;
	if (r->outdir == NULL || rt_error_doc("USER", message, false, RT_ORIGIN_USER, &data, &len) < 0)
		return;
	rt_run_write_bytes(r, dir, "error.pb", data, len);
	free(data);
}

bool rt_wf_aborted(const struct rt_wf *w)
{
	for (; w != NULL; w = w->parent != NULL ? w->parent->wf : NULL)
		if (w->failed && w->fail_fast)
			return true;
	return false;
}

/* ---- completion queues ------------------------------------------------------------- */
void rt_wf_add_error(struct rt_run *r, struct rt_wf *w, const char *msg)
{
	w->errors = rt_run_printf(r, "%s%s\n", w->errors != NULL ? w->errors : "", msg);
}

/* A node is terminal; the caller has written its error.pb if it failed. */
void rt_node_done(struct rt_run *r, struct rt_node *n, enum rt_state st, const char *error)
{
	n->st = st;
	if (error != NULL)
		n->error = error;
	if (rt_grow((void **)&r->fin, &r->cfin, r->nfin + 1, sizeof *r->fin) < 0) {
		rt_run_oom(r);
		return;
	}
	r->fin[r->nfin++] = n;
}

void rt_wf_check_done(struct rt_run *r, struct rt_wf *w)
{
	if (w->ndone == w->nnodes && !w->done) {
		w->done = true;
		if (rt_grow((void **)&r->wfin, &r->cwfin, r->nwfin + 1, sizeof *r->wfin) < 0) {
			rt_run_oom(r);
			return;
		}
		r->wfin[r->nwfin++] = w;
	}
}

struct rt_wf *rt_wf_new(struct rt_run *r, Flyteidl__Core__WorkflowTemplate *t, Flyteidl__Core__LiteralMap *inputs,
		   const char *prefix, struct rt_node *parent, size_t parent_elem, struct rt_msg *err)
{
	struct rt_wf *w = rt_arena_zalloc(r->a, sizeof *w);
	if (w == NULL || (w->nodes = rt_arena_array(r->a, t->n_nodes ? t->n_nodes : 1, sizeof *w->nodes)) == NULL) {
		rt_msgf(err, "out of memory");
		return NULL;
	}
	w->tmpl = t;
	w->prefix = prefix;
	w->parent = parent;
	w->parent_elem = parent_elem;
	if (t->failure_node != NULL)
		fprintf(r->io->err, "run: workflow %s: its failure node is ignored by local runs\n",
			t->id != NULL ? t->id->name : "");
	w->fail_fast = !(t->metadata != NULL && t->metadata->on_failure ==
		FLYTEIDL__CORE__WORKFLOW_METADATA__ON_FAILURE_POLICY__FAIL_AFTER_EXECUTABLE_NODES_COMPLETE);
	/* missing optional inputs are none (propeller leaves optional inputs unbound) */
	const Flyteidl__Core__VariableMap *vm = t->interface != NULL ? t->interface->inputs : NULL;
	size_t nv = vm != NULL ? vm->n_variables : 0;
	Flyteidl__Core__LiteralMap *in = rt_litmap_new(r->a, (inputs != NULL ? inputs->n_literals : 0) + nv);
	if (in == NULL) {
		rt_msgf(err, "out of memory");
		return NULL;
	}
	size_t k = 0;
	for (size_t i = 0; inputs != NULL && i < inputs->n_literals; i++)
		rt_litmap_set(in, k++, inputs->literals[i]->key, inputs->literals[i]->value);
	for (size_t i = 0; i < nv; i++) {
		const char *name = vm->variables[i]->key;
		in->n_literals = k;
		if (rt_litmap_get(in, name) != NULL)
			continue;
		const Flyteidl__Core__Variable *v = vm->variables[i]->value;
		if (v != NULL && rt_ltype_optional(v->type)) {
			rt_litmap_set(in, k++, name, rt_lit_none(r->a));
		} else {
			struct base_buf b = { 0 };
			rt_ltype_text(v != NULL ? v->type : NULL, &b);
			bool root = parent == NULL && r->root_kind != NULL;
			rt_msgf(err, "%s %s: missing input '%s' (%s)", root ? r->root_kind : "workflow",
				 root ? r->root_name : t->id != NULL ? t->id->name : "", name, base_buf_str(&b));
			base_buf_free(&b);
			return NULL;
		}
	}
	in->n_literals = k;
	rt_canonicalize(&in->base);
	w->inputs = in;
	w->nnodes = t->n_nodes;
	for (size_t i = 0; i < t->n_nodes; i++) {
		struct rt_node *n = &w->nodes[i];
		n->wf = w;
		n->node = t->nodes[i];
		n->id = rt_run_printf(r, "%s%s", prefix, n->node->id);
		n->dir = n->id;
	}
	for (size_t i = 0; i < t->n_nodes; i++) {
		struct rt_node *n = &w->nodes[i];
		for (size_t k2 = 0; k2 < n->node->n_upstream_node_ids; k2++)
			if (rt_node_add_dep(r, w, n, n->node->upstream_node_ids[k2]) < 0) {
				rt_msgf(err, "node %s: unknown upstream node '%s'", n->id,
					 n->node->upstream_node_ids[k2]);
				return NULL;
			}
		for (size_t b = 0; b < n->node->n_inputs; b++)
			rt_node_collect_deps(n->node->inputs[b]->binding, w, n, r);
	}
	rt_run_write_pb(r, *prefix ? rt_arena_strndup(r->a, prefix, strlen(prefix) - 1) : "",
		 "inputs.pb", &w->inputs->base);
	return w;
}

/* ---- starting nodes ------------------------------------------------------------------------ */
void rt_node_policy(struct rt_node *n, const Flyteidl__Core__NodeMetadata *nm, const struct rt_ent_task *t)
{
	const Flyteidl__Core__TaskMetadata *tm = t != NULL && t->tmpl != NULL ? t->tmpl->metadata : NULL;
	n->retries = nm != NULL && nm->retries != NULL ? nm->retries->retries :
		     tm != NULL && tm->retries != NULL ? tm->retries->retries : 0;
	const Google__Protobuf__Duration *to =
		nm != NULL && nm->timeout != NULL && (nm->timeout->seconds || nm->timeout->nanos) ? nm->timeout :
		tm != NULL ? tm->timeout : NULL;
	n->timeout_ns = to != NULL ? to->seconds * 1000000000 + to->nanos : 0;
	if (n->timeout_ns < 0)
		n->timeout_ns = 0;
	n->cacheable = tm != NULL && tm->discoverable;
	n->cache_version = tm != NULL ? tm->discovery_version : "";
	if (nm != NULL && nm->cacheable_value_case == FLYTEIDL__CORE__NODE_METADATA__CACHEABLE_VALUE_CACHEABLE)
		n->cacheable = nm->cacheable;
	if (nm != NULL && nm->cache_version_value_case ==
		      FLYTEIDL__CORE__NODE_METADATA__CACHE_VERSION_VALUE_CACHE_VERSION)
		n->cache_version = nm->cache_version;
}

static int start_workflow_node(struct rt_run *r, struct rt_node *n, struct rt_msg *err);

static int start_task(struct rt_run *r, struct rt_node *n, struct rt_msg *err)
{
	const Flyteidl__Core__TaskNode *tn = n->node->task_node;
	if (tn == NULL || tn->reference_case != FLYTEIDL__CORE__TASK_NODE__REFERENCE_REFERENCE_ID ||
	    tn->reference_id == NULL)
		return rt_msgf(err, "a task node without a task reference");
	struct rt_ent_task *t = rt_run_find_task(r, tn->reference_id->name);
	if (t == NULL)
		return rt_msgf(err, "unknown task %s", tn->reference_id->name);
	n->task = t;
	n->what = t->declared != NULL ? t->declared : t->name;
	if (t->legacy)
		return rt_array_start(r, n, err);
	if (t->map)
		return rt_msgf(err, "task %s is a map task: it runs in an array node", t->name);
	if (t->fn == NULL)
		return rt_msgf(err, "task %s runs %s, which is not in this executable", t->name,
				t->fn_name != NULL ? t->fn_name : "?");
	rt_node_policy(n, n->node->metadata, t);
	Flyteidl__Core__LiteralMap *cached;
	if (rt_run_cache_get(r, n, t->name, n->inputs, &cached)) {
		fprintf(r->io->err, "cached: %s %s\n", n->id, t->name);
		n->outputs = cached;
		rt_run_write_pb(r, n->dir, "outputs.pb", &cached->base);
		rt_node_done(r, n, RT_ST_SUCCEEDED, NULL);
		return 0;
	}
	struct rt_job *j = rt_job_make(r, n, SIZE_MAX, t->fn, n->inputs, 0);
	if (j != NULL)
		rt_job_enqueue(r, j);
	return 0;
}

static void start_node(struct rt_run *r, struct rt_node *n)
{
	struct rt_msg err;
	n->st = RT_ST_RUNNING;
	if (rt_resolve_bindings(r, n->wf, n->node->inputs, n->node->n_inputs, &n->inputs, &err) < 0) {
		const char *msg = rt_run_printf(r, "node %s: %s", n->id, err.text);
		rt_run_write_error(r, n->dir, msg);
		rt_node_done(r, n, RT_ST_FAILED, msg);
		return;
	}
	rt_run_write_pb(r, n->dir, "inputs.pb", &n->inputs->base);
	int rc;
	switch (n->node->target_case) {
	case NODE(TASK_NODE):
		rc = start_task(r, n, &err);
		break;
	case NODE(ARRAY_NODE):
		rc = rt_array_start(r, n, &err);
		break;
	case NODE(WORKFLOW_NODE):
		rc = start_workflow_node(r, n, &err);
		break;
	case NODE(BRANCH_NODE):
		rc = rt_msgf(&err, "branch nodes are not supported by local runs yet");
		break;
	case NODE(GATE_NODE):
		rc = rt_msgf(&err, "gate nodes are not supported by local runs");
		break;
	default:
		rc = rt_msgf(&err, "a node without a target");
	}
	if (rc < 0) {
		const char *msg = rt_run_printf(r, "node %s: %s", n->id, err.text);
		rt_run_write_error(r, n->dir, msg);
		rt_node_done(r, n, RT_ST_FAILED, msg);
	}
}

/* Starts the nodes of w whose upstream nodes all succeeded. */
void rt_wf_schedule(struct rt_run *r, struct rt_wf *w)
{
	if (rt_wf_aborted(w)) {
		for (size_t i = 0; i < w->nnodes; i++)
			if (w->nodes[i].st == RT_ST_WAITING)
				rt_node_done(r, &w->nodes[i], RT_ST_SKIPPED, NULL);
		return;
	}
	for (size_t i = 0; i < w->nnodes; i++) {
		struct rt_node *n = &w->nodes[i];
		if (n->st != RT_ST_WAITING)
			continue;
		bool ready = true, blocked = false;
		for (size_t k = 0; k < n->ndeps; k++) {
			enum rt_state s = w->nodes[n->deps[k]].st;
			if (s == RT_ST_FAILED || s == RT_ST_SKIPPED)
				blocked = true;
			else if (s != RT_ST_SUCCEEDED)
				ready = false;
		}
		if (blocked) {
			n->st = RT_ST_SKIPPED;
			rt_node_done(r, n, RT_ST_SKIPPED, NULL);
		} else if (ready) {
			start_node(r, n);
		}
	}
}

/* ---- workflow nodes ------------------------------------------------------------------------ */
static int start_workflow_node(struct rt_run *r, struct rt_node *n, struct rt_msg *err)
{
	const Flyteidl__Core__WorkflowNode *wn = n->node->workflow_node;
	Flyteidl__Core__WorkflowTemplate *t = NULL;
	Flyteidl__Core__LiteralMap *in = n->inputs;
	if (wn == NULL)
		return rt_msgf(err, "an empty workflow node");
	if (wn->reference_case == FLYTEIDL__CORE__WORKFLOW_NODE__REFERENCE_LAUNCHPLAN_REF) {
		struct rt_ent_lp *lp = rt_run_find_lp(r, wn->launchplan_ref->name);
		if (lp == NULL)
			return rt_msgf(err, "unknown launch plan %s", wn->launchplan_ref->name);
		if (rt_lp_inputs(r, lp, n->inputs, &in, err) < 0)
			return -1;
		t = lp->wf;
		n->what = lp->name;
	} else if (wn->reference_case == FLYTEIDL__CORE__WORKFLOW_NODE__REFERENCE_SUB_WORKFLOW_REF) {
		if ((t = rt_run_find_wf(r, wn->sub_workflow_ref->name)) == NULL)
			return rt_msgf(err, "unknown workflow %s", wn->sub_workflow_ref->name);
		n->what = t->id->name;
	} else {
		return rt_msgf(err, "a workflow node without a reference");
	}
	struct rt_wf *w = rt_wf_new(r, t, in, rt_run_printf(r, "%s/", n->id), n, SIZE_MAX, err);
	if (w == NULL)
		return -1;
	n->child = w;
	if (w->nnodes == 0)
		rt_wf_check_done(r, w);
	rt_wf_schedule(r, w);
	return 0;
}

/* All nodes of w are terminal: bind its outputs and report to its parent. */
void rt_wf_complete(struct rt_run *r, struct rt_wf *w)
{
	struct rt_msg err;
	if (!w->failed &&
	    rt_resolve_bindings(r, w, w->tmpl->outputs, w->tmpl->n_outputs, &w->outputs, &err) < 0) {
		w->failed = true;
		rt_wf_add_error(r, w, rt_run_printf(r, "workflow outputs: %s", err.text));
	}
	if (!w->failed) {
		const char *dir = *w->prefix ? rt_arena_strndup(r->a, w->prefix, strlen(w->prefix) - 1) : "";
		rt_run_write_pb(r, dir, "outputs.pb", &w->outputs->base);
	}
	char *msg = w->failed ? rt_run_printf(r, "%s", w->errors != NULL ? w->errors : "failed") : NULL;
	size_t l = msg != NULL ? strlen(msg) : 0;
	if (l && msg[l - 1] == '\n')
		msg[l - 1] = 0;
	w->errors = msg;
	struct rt_node *p = w->parent;
	if (p == NULL)
		return;   /* the root */
	if (w->parent_elem == SIZE_MAX) {
		p->outputs = w->outputs;
		const char *pm = w->failed ? rt_run_printf(r, "node %s (%s): %s", p->id, p->what, msg) : NULL;
		if (pm != NULL)
			rt_run_write_error(r, p->dir, pm);
		rt_node_done(r, p, w->failed ? RT_ST_FAILED : RT_ST_SUCCEEDED, pm);
	} else {
		rt_elem_finish(r, p, w->parent_elem, !w->failed, w->outputs, msg);
	}
}

/* ---- cancellation ----------------------------------------------------------------------------- */
static bool in_subtree(const struct rt_node *n, const struct rt_wf *w)
{
	for (const struct rt_wf *x = n->wf; x != NULL; x = x->parent != NULL ? x->parent->wf : NULL)
		if (x == w)
			return true;
	return false;
}

/* Cancels running jobs of node n (or, with w, of every node under w). */
void rt_cancel_jobs(struct rt_run *r, struct rt_node *n, struct rt_wf *w)
{
	for (size_t i = 0; i < r->nrunning; i++) {
		struct rt_node *o = r->running[i]->owner;
		if ((n != NULL && o == n) || (w != NULL && in_subtree(o, w)))
			rt_backend_cancel(r->be, r->running[i]);
	}
	/* queued retries of those nodes will not run either */
	struct rt_job **pp = &r->ready;
	r->ready_tail = NULL;
	while (*pp != NULL) {
		struct rt_job *j = *pp;
		struct rt_node *o = j->owner;
		if ((n != NULL && o == n) || (w != NULL && in_subtree(o, w))) {
			*pp = j->next;
			if (j->elem == SIZE_MAX) {
				const char *msg = rt_run_printf(r, "node %s (%s): " RT_CANCELLED_NODE, o->id,
								o->what != NULL ? o->what : "");
				rt_run_write_error(r, o->dir, msg);
				rt_node_done(r, o, RT_ST_FAILED, msg);
			} else {
				o->arr->running--;
				o->arr->cancelled++;
				o->arr->elems[j->elem].st = RT_ST_FAILED;
				o->arr->elems[j->elem].cancelled = true;
				o->arr->elems[j->elem].error = RT_CANCELLED_ELEM;
			}
			rt_job_free(r, j);
			continue;
		}
		r->ready_tail = j;
		pp = &j->next;
	}
}

/* A node of w failed and w fails fast: start nothing more under w, cancel what runs. */
static void wf_abort(struct rt_run *r, struct rt_wf *w)
{
	for (size_t i = 0; i < w->nnodes; i++) {
		struct rt_node *n = &w->nodes[i];
		if (n->st == RT_ST_WAITING) {
			rt_node_done(r, n, RT_ST_SKIPPED, NULL);
		} else if (n->st == RT_ST_RUNNING) {
			if (n->arr != NULL && !n->arr->failing) {
				n->arr->failing = true;
			}
			if (n->child != NULL && !n->child->failed) {
				n->child->failed = true;
				rt_wf_add_error(r, n->child, RT_CANCELLED_NODE);
				wf_abort(r, n->child);
			}
		}
	}
	rt_cancel_jobs(r, NULL, w);
	for (size_t i = 0; i < w->nnodes; i++)
		if (w->nodes[i].arr != NULL && w->nodes[i].st == RT_ST_RUNNING)
			rt_array_check(r, &w->nodes[i]);
}

/* ---- propagation ----------------------------------------------------------------------------- */
/* Drains the queues of terminal nodes and completed workflows. */
void rt_run_propagate(struct rt_run *r)
{
	for (;;) {
		if (r->nfin) {
			struct rt_node *n = r->fin[--r->nfin];
			struct rt_wf *w = n->wf;
			w->ndone++;
			if (n->st == RT_ST_FAILED) {
				/* after a fail-fast abort, the aborted nodes are not causes */
				if (!(w->failed && w->fail_fast))
					rt_wf_add_error(r, w, n->error != NULL ? n->error : "failed");
				if (!w->failed) {
					w->failed = true;
					if (w->fail_fast)
						wf_abort(r, w);
				}
			}
			rt_wf_schedule(r, w);
			rt_wf_check_done(r, w);
			continue;
		}
		if (r->nwfin) {
			struct rt_wf *w = r->wfin[--r->nwfin];
			rt_wf_complete(r, w);
			continue;
		}
		break;
	}
}
