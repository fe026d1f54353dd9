/* array.c: ArrayNodes and legacy (container_array) map tasks in local runs:
 * sizing from the mapped inputs, per-element inputs, concurrency, propeller's
 * success rule (min_successes, or the float32 min_success_ratio), gathering
 * (failed elements are a bare none) and failure summaries by index range. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "run_impl.h"


/* ---- success rule and error summaries -------------------------------------------------- */
int64_t rt_min_successes(size_t n, bool has_min_successes, uint32_t min_successes,
			  bool has_ratio, float ratio)
{
	if (has_min_successes)
		return min_successes;
	if (has_ratio)  /* propeller: the float32 ratio, widened, then ceil */
		return (int64_t)ceil((double)ratio * (double)n);
	return (int64_t)n;
}

void rt_summarize_indexes(const size_t *idx, size_t n, struct base_buf *b)
{
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j + 1 < n && idx[j + 1] == idx[j] + 1)
			j++;
		if (j > i)
			base_buf_printf(b, "%s%zu-%zu", i ? "," : "", idx[i], idx[j]);
		else
			base_buf_printf(b, "%s%zu", i ? "," : "", idx[i]);
		i = j + 1;
	}
}

void rt_ranges_bounded(const size_t *idx, size_t n, size_t max, struct base_buf *b)
{
	size_t i = 0;
	for (size_t shown = 0; i < n && shown < max; shown++) {
		size_t j = i;
		while (j + 1 < n && idx[j + 1] == idx[j] + 1)
			j++;
		if (j > i)
			base_buf_printf(b, "%s%zu-%zu", i ? "," : "", idx[i], idx[j]);
		else
			base_buf_printf(b, "%s%zu", i ? "," : "", idx[i]);
		i = j + 1;
	}
	if (i < n)
		base_buf_printf(b, ",... (%zu more)", n - i);
}

/* Failures grouped by message, in the order of their first index. */
struct msg_group {
	const char *msg;
	size_t *idx, n, cap;
};

#define SUMMARY_GROUPS 5    /* distinct messages listed */
#define SUMMARY_FULL 3      /* of them, in full; the others' first line, cut */
#define SUMMARY_CUT 120

static void put_message(struct base_buf *b, const char *m, bool full)
{
	size_t l = strlen(m), nl = strcspn(m, "\n");
	if (full || (nl == l && l <= SUMMARY_CUT)) {
		base_buf_printf(b, "%s\n", m);
		return;
	}
	size_t cut = nl < SUMMARY_CUT ? nl : SUMMARY_CUT;
	base_buf_printf(b, "%.*s...\n", (int)cut, m);
}

/* propeller's errorcollector, bounded: "<index ranges>: <message>" a line for
 * the first SUMMARY_GROUPS distinct messages (at most RT_RANGES_MAX ranges
 * each), then how many more. Cancelled elements are counted, not listed. */
static void summarize_failures(struct rt_run *r, const struct rt_array *ar, struct base_buf *b)
{
	struct base_hash h;
	struct msg_group *g = NULL;
	size_t ng = 0, cg = 0;
	if (base_hash_init(&h, NULL, 0) < 0) {
		rt_run_oom(r);
		return;
	}
	for (size_t i = 0; i < ar->n; i++) {
		const struct rt_elem *e = &ar->elems[i];
		if (e->st != RT_ST_FAILED || e->cancelled)
			continue;
		bool added;
		struct base_hash_slot *sl = base_hash_insert_str(&h, e->error != NULL ? e->error : "failed", &added);
		if (sl == NULL || (added && rt_grow((void **)&g, &cg, ng + 1, sizeof *g) < 0)) {
			rt_run_oom(r);
			goto cleanup;
		}
		if (added) {
			sl->val = ng;
			g[ng++] = (struct msg_group){ sl->key, NULL, 0, 0 };
		}
		struct msg_group *k = &g[sl->val];
		if (rt_grow((void **)&k->idx, &k->cap, k->n + 1, sizeof(size_t)) < 0) {
			rt_run_oom(r);
			goto cleanup;
		}
		k->idx[k->n++] = i;
	}
	size_t more = 0;
	for (size_t k = 0; k < ng; k++) {
		if (k >= SUMMARY_GROUPS) {
			more += g[k].n;
			continue;
		}
		rt_ranges_bounded(g[k].idx, g[k].n, RT_RANGES_MAX, b);
		base_buf_printf(b, ": ");
		put_message(b, g[k].msg, k < SUMMARY_FULL);
	}
	if (ng > SUMMARY_GROUPS)
		base_buf_printf(b, "... and %zu more distinct message%s (%zu element%s)\n", ng - SUMMARY_GROUPS,
				ng - SUMMARY_GROUPS == 1 ? "" : "s", more, more == 1 ? "" : "s");
cleanup:
	for (size_t k = 0; k < ng; k++)
		free(g[k].idx);
	free(g);
	base_hash_free(&h);
}

/* "34 of 40 elements succeeded (6 failed, 2 retried, 0 cancelled, 3 cached)" */
static void map_counts(const struct rt_array *ar, struct base_buf *b, const char *needed)
{
	size_t skipped = ar->n - ar->succeeded - ar->failed - ar->cancelled;
	base_buf_printf(b, "%zu of %zu elements succeeded%s (%zu failed, %zu retried, %zu cancelled, "
			"%zu cached", ar->succeeded, ar->n, needed, ar->failed, ar->retried, ar->cancelled,
			ar->cached);
	if (skipped)
		base_buf_printf(b, ", %zu not run", skipped);
	base_buf_printf(b, ")");
}

/* ---- array nodes --------------------------------------------------------------------------- */
static bool is_bound(char *const *bound, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(bound[i], name) == 0)
			return true;
	return false;
}

static const Google__Protobuf__Value *struct_field(const Google__Protobuf__Struct *s, const char *k)
{
	for (size_t i = 0; s != NULL && i < s->n_fields; i++)
		if (strcmp(s->fields[i]->key, k) == 0)
			return s->fields[i]->value;
	return NULL;
}

static double value_number(const Google__Protobuf__Value *v, double dflt)
{
	if (v == NULL)
		return dflt;
	if (v->kind_case == GOOGLE__PROTOBUF__VALUE__KIND_NUMBER_VALUE)
		return v->number_value;
	if (v->kind_case == GOOGLE__PROTOBUF__VALUE__KIND_STRING_VALUE)
		return strtod(v->string_value, NULL);
	return dflt;
}

static void array_queue(struct rt_run *r, struct rt_node *n)
{
	if (n->arr->queued || n->arr->next >= n->arr->n)
		return;
	if (rt_grow((void **)&r->arrays, &r->carrays, r->narrays + 1, sizeof *r->arrays) < 0) {
		rt_run_oom(r);
		return;
	}
	r->arrays[r->narrays++] = n;
	n->arr->queued = true;
}

/* How an array is sized and when it succeeds. */
struct array_spec {
	size_t size;
	const Flyteidl__Core__VariableMap *outs;
	bool has_min, has_ratio;
	uint32_t min;
	float ratio;
};

/* The ArrayNode's sub-node: a task, or a launch plan or workflow per element. */
static int array_node_target(struct rt_run *r, struct rt_node *n, const Flyteidl__Core__Node *sub,
			     struct array_spec *sp, struct rt_msg *err)
{
	struct rt_array *ar = n->arr;
	if (sub->target_case == NODE(TASK_NODE) && sub->task_node != NULL &&
	    sub->task_node->reference_id != NULL) {
		struct rt_ent_task *t = rt_run_find_task(r, sub->task_node->reference_id->name);
		if (t == NULL)
			return rt_msgf(err, "unknown task %s", sub->task_node->reference_id->name);
		if (t->fn == NULL)
			return rt_msgf(err, "task %s runs %s, which is not in this executable",
					t->name, t->fn_name != NULL ? t->fn_name : "?");
		ar->task = t;
		n->task = t;
		n->what = t->declared != NULL ? t->declared : t->name;
		sp->outs = t->tmpl->interface->outputs;
		rt_node_policy(n, sub->metadata, t);
		return 0;
	}
	if (sub->target_case != NODE(WORKFLOW_NODE) || sub->workflow_node == NULL)
		return rt_msgf(err, "array nodes of this kind of node are not supported");
	const Flyteidl__Core__WorkflowNode *wn = sub->workflow_node;
	if (wn->reference_case == FLYTEIDL__CORE__WORKFLOW_NODE__REFERENCE_LAUNCHPLAN_REF) {
		if ((ar->lp = rt_run_find_lp(r, wn->launchplan_ref->name)) == NULL)
			return rt_msgf(err, "unknown launch plan %s", wn->launchplan_ref->name);
		ar->sub_wf = ar->lp->wf;
	} else if ((ar->sub_wf = rt_run_find_wf(r, wn->sub_workflow_ref->name)) == NULL) {
		return rt_msgf(err, "unknown workflow %s", wn->sub_workflow_ref->name);
	}
	n->what = ar->lp != NULL ? ar->lp->name : ar->sub_wf->id->name;
	sp->outs = ar->sub_wf->interface != NULL ? ar->sub_wf->interface->outputs : NULL;
	return 0;
}

/* An ArrayNode: its sub-node, parallelism, success criteria and size. */
static int array_node_spec(struct rt_run *r, struct rt_node *n, struct array_spec *sp,
			   struct rt_msg *err)
{
	struct rt_array *ar = n->arr;
	const Flyteidl__Core__LiteralMap *in = n->inputs;
	const Flyteidl__Core__ArrayNode *an = n->node->array_node;
	if (an == NULL || an->node == NULL)
		return rt_msgf(err, "an array node without a sub-node");
	ar->bound = an->bound_inputs;
	ar->nbound = an->n_bound_inputs;
	if (an->parallelism_option_case ==
	    FLYTEIDL__CORE__ARRAY_NODE__PARALLELISM_OPTION_PARALLELISM)
		ar->parallelism = an->parallelism;
	sp->has_min = an->success_criteria_case ==
		      FLYTEIDL__CORE__ARRAY_NODE__SUCCESS_CRITERIA_MIN_SUCCESSES;
	sp->has_ratio = an->success_criteria_case ==
			FLYTEIDL__CORE__ARRAY_NODE__SUCCESS_CRITERIA_MIN_SUCCESS_RATIO;
	sp->min = sp->has_min ? an->min_successes : 0;
	sp->ratio = sp->has_ratio ? an->min_success_ratio : 1.0f;
	if (array_node_target(r, n, an->node, sp, err) < 0)
		return -1;
	/* propeller: every unbound collection has the same length */
	size_t nin = in->n_literals;
	for (size_t i = 0; i < nin; i++) {
		const Flyteidl__Core__Literal *l = in->literals[i]->value;
		if (is_bound(ar->bound, ar->nbound, in->literals[i]->key) ||
		    l->value_case != LIT(COLLECTION))
			continue;
		size_t len = l->collection != NULL ? l->collection->n_literals : 0;
		if (sp->size == SIZE_MAX)
			sp->size = len;
		else if (len != sp->size)
			return rt_msgf(err, "input arrays have different lengths: "
					"expecting '%zu' found '%zu'", sp->size, len);
	}
	if (sp->size == SIZE_MAX) {
		if (ar->nbound != nin)
			return rt_msgf(err, "no input array provided");
		sp->size = 1;  /* every input bound (or none at all): one element */
	}
	return 0;
}

/* A legacy container_array task: every collection input is mapped; the
 * parallelism and minSuccessRatio are in its custom struct. */
static int legacy_spec(struct rt_node *n, struct array_spec *sp, struct rt_msg *err)
{
	struct rt_array *ar = n->arr;
	const Flyteidl__Core__LiteralMap *in = n->inputs;
	struct rt_ent_task *t = n->task;
	if (t->fn == NULL)
		return rt_msgf(err, "task %s runs %s, which is not in this executable", t->name,
				t->fn_name != NULL ? t->fn_name : "?");
	ar->task = t;
	sp->outs = t->tmpl->interface->outputs;
	rt_node_policy(n, n->node->metadata, t);
	const Google__Protobuf__Struct *custom = t->tmpl->custom;
	double p = value_number(struct_field(custom, "parallelism"), 0);
	ar->parallelism = p > 0 && p < 4294967295.0 ? (uint32_t)p : 0;
	sp->has_ratio = true;
	sp->ratio = (float)value_number(struct_field(custom, "minSuccessRatio"), 1.0);
	for (size_t i = 0; i < in->n_literals; i++) {
		const Flyteidl__Core__Literal *l = in->literals[i]->value;
		if (l->value_case != LIT(COLLECTION))
			continue;
		size_t len = l->collection != NULL ? l->collection->n_literals : 0;
		if (sp->size == SIZE_MAX)
			sp->size = len;
		else if (len != sp->size)
			return rt_msgf(err, "all maptask input lists must be the same length");
	}
	if (sp->size == SIZE_MAX)
		return rt_msgf(err, "Unable to determine array size from inputs");
	return 0;
}

int rt_array_start(struct rt_run *r, struct rt_node *n, struct rt_msg *err)
{
	struct rt_array *ar = rt_arena_zalloc(r->a, sizeof *ar);
	if (ar == NULL)
		return rt_msgf(err, "out of memory");
	n->arr = ar;
	struct array_spec sp = { .size = SIZE_MAX, .ratio = 1.0f };
	int rc = n->node->target_case == NODE(ARRAY_NODE) ? array_node_spec(r, n, &sp, err)
							  : legacy_spec(n, &sp, err);
	if (rc < 0)
		return -1;
	size_t size = sp.size;
	ar->n = size;
	if (ar->parallelism)
		rt_backend_reserve_threads(r->be, ar->parallelism);
	ar->min_successes = rt_min_successes(size, sp.has_min, sp.min, sp.has_ratio, sp.ratio);
	ar->elems = rt_arena_array(r->a, size ? size : 1, sizeof *ar->elems);
	ar->nout = sp.outs != NULL ? sp.outs->n_variables : 0;
	ar->out_names = rt_arena_array(r->a, ar->nout ? ar->nout : 1, sizeof *ar->out_names);
	if (ar->elems == NULL || ar->out_names == NULL)
		return rt_msgf(err, "out of memory for %zu elements", size);
	for (size_t i = 0; i < ar->nout; i++)
		ar->out_names[i] = sp.outs->variables[i]->key;
	if (size == 0) {   /* an empty list: empty outputs, at once */
		rt_array_check(r, n);
		return 0;
	}
	ar->started = rt_now_ns();
	array_queue(r, n);
	rt_array_check(r, n);   /* a threshold above the size fails at once */
	return 0;
}

void rt_elem_finish(struct rt_run *r, struct rt_node *n, size_t i, bool ok, Flyteidl__Core__LiteralMap *outputs,
			const char *error)
{
	struct rt_array *ar = n->arr;
	struct rt_elem *e = &ar->elems[i];
	e->st = ok ? RT_ST_SUCCEEDED : RT_ST_FAILED;
	e->outputs = outputs;
	e->error = error;
	ar->running--;
	if (ok)
		ar->succeeded++;
	else
		ar->failed++;
	rt_progress_update(r, n);
	rt_array_check(r, n);
}

void rt_elem_cancelled(struct rt_run *r, struct rt_node *n, size_t i)
{
	struct rt_array *ar = n->arr;
	struct rt_elem *e = &ar->elems[i];
	e->st = RT_ST_FAILED;
	e->cancelled = true;
	e->error = RT_CANCELLED_ELEM;
	ar->running--;
	ar->cancelled++;
	rt_array_check(r, n);
}

/* A map that succeeded with failures says so on stderr, bounded. */
static void say_tolerated(struct rt_run *r, struct rt_node *n)
{
	struct base_buf b = { 0 };
	base_buf_printf(&b, "%s %s: ", n->id, n->what);
	map_counts(n->arr, &b, "");
	base_buf_printf(&b, ":\n");
	summarize_failures(r, n->arr, &b);
	rt_progress_clear(r);
	fputs(base_buf_str(&b), r->io->err);
	base_buf_free(&b);
}

void rt_array_check(struct rt_run *r, struct rt_node *n)
{
	struct rt_array *ar = n->arr;
	if (!ar->failing && ar->n && (int64_t)(ar->n - ar->failed - ar->cancelled) < ar->min_successes) {
		ar->failing = true;       /* out of reach: abort the rest, as propeller does */
		rt_cancel_jobs(r, n, NULL);
	}
	if (ar->running || (ar->next < ar->n && !ar->failing))
		return;
	if (n->st != RT_ST_RUNNING)
		return;
	rt_progress_done(r, n);
	if (ar->cached)
		rt_progress_clear(r);
	if (ar->cached)
		fprintf(r->io->err, "cached: %s %s (%zu of %zu elements)\n", n->id, n->what,
			ar->cached, ar->n);
	if (ar->n == 0 || (!ar->failing && (int64_t)ar->succeeded >= ar->min_successes)) {
		/* gather: collections in index order; failed elements are a bare none */
		Flyteidl__Core__LiteralMap *m = rt_litmap_new(r->a, ar->nout);
		if (m == NULL) {
			rt_run_oom(r);
			rt_node_done(r, n, RT_ST_FAILED, "out of memory");
			return;
		}
		Flyteidl__Core__Literal *none = rt_lit_none(r->a);
		for (size_t k = 0; k < ar->nout; k++) {
			Flyteidl__Core__Literal *c = rt_lit_collection(r->a, ar->n);
			if (c == NULL || none == NULL) {
				rt_run_oom(r);
				rt_node_done(r, n, RT_ST_FAILED, "out of memory");
				return;
			}
			for (size_t i = 0; i < ar->n; i++) {
				Flyteidl__Core__Literal *v = ar->elems[i].st == RT_ST_SUCCEEDED
					? rt_litmap_get(ar->elems[i].outputs, ar->out_names[k]) : NULL;
				c->collection->literals[i] = v != NULL ? v : none;
			}
			rt_litmap_set(m, k, ar->out_names[k], c);
		}
		rt_canonicalize(&m->base);
		n->outputs = m;
		rt_run_write_pb(r, n->dir, "outputs.pb", &m->base);
		if (ar->failed || ar->cancelled)
			say_tolerated(r, n);
		rt_node_done(r, n, RT_ST_SUCCEEDED, NULL);
		return;
	}
	struct base_buf b = { 0 };
	base_buf_printf(&b, "node %s (%s): ", n->id, n->what);
	map_counts(ar, &b, rt_run_printf(r, ", %lld needed", (long long)ar->min_successes));
	base_buf_printf(&b, ":\n");
	summarize_failures(r, ar, &b);
	if (b.len && b.data[b.len - 1] == '\n')
		b.data[--b.len] = 0;
	const char *msg = rt_run_printf(r, "%s", base_buf_str(&b));
	base_buf_free(&b);
	rt_run_write_error(r, n->dir, msg);
	rt_node_done(r, n, RT_ST_FAILED, msg);
}

/* Starts element ar->next; returns its job when it has one to run. */
struct rt_job *rt_array_start_element(struct rt_run *r, struct rt_node *n)
{
	struct rt_msg err;
	struct rt_array *ar = n->arr;
	size_t i = ar->next++;
	struct rt_elem *e = &ar->elems[i];
	ar->running++;
	e->st = RT_ST_RUNNING;
	bool legacy = n->node->target_case != NODE(ARRAY_NODE);
	if (rt_select_element(r->a, n->inputs, legacy ? NULL : ar->bound, legacy ? 0 : ar->nbound,
			       false, i, &e->inputs, &err) < 0) {
		rt_elem_finish(r, n, i, false, NULL, rt_run_printf(r, "%s", err.text));
		return NULL;
	}
	const char *edir = r->outdir != NULL ? rt_run_printf(r, "%s/%zu", n->dir, i) : NULL;
	rt_run_write_pb(r, edir, "inputs.pb", &e->inputs->base);
	if (ar->task != NULL) {
		Flyteidl__Core__LiteralMap *cached;
		if (rt_run_cache_get(r, n, ar->task->name, e->inputs, &cached)) {
			ar->cached++;
			rt_run_write_pb(r, edir, "outputs.pb", &cached->base);
			rt_elem_finish(r, n, i, true, cached, NULL);
			return NULL;
		}
		struct rt_job *j = rt_job_make(r, n, i, ar->task->fn, e->inputs, 0);
		if (j == NULL)
			rt_elem_finish(r, n, i, false, NULL, "out of memory");
		return j;
	}
	/* a launch plan or workflow per element */
	Flyteidl__Core__LiteralMap *in = e->inputs;
	if (ar->lp != NULL && rt_lp_inputs(r, ar->lp, e->inputs, &in, &err) < 0) {
		rt_elem_finish(r, n, i, false, NULL, rt_run_printf(r, "%s", err.text));
		return NULL;
	}
	struct rt_wf *w = rt_wf_new(r, ar->sub_wf, in, rt_run_printf(r, "%s/%zu/", n->id, i), n, i, &err);
	if (w == NULL) {
		rt_elem_finish(r, n, i, false, NULL, rt_run_printf(r, "%s", err.text));
		return NULL;
	}
	if (w->nnodes == 0)
		rt_wf_check_done(r, w);
	rt_wf_schedule(r, w);
	return NULL;
}
