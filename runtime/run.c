/* run.c: `run`, the local executor.
 *
 * It runs a workflow, launch plan or task from the module's serialized
 * entities with flytepropeller's semantics: nodes in dependency order
 * (independent ones at once), ArrayNodes sized, indexed, thresholded and
 * gathered as propeller does, retries of recoverable failures, timeouts,
 * failure policies, and a local result cache.
 *
 * One scheduler loop owns every structure (all in the run's arena). Task
 * calls go to a backend (backend.c): forked children, or a thread pool. A
 * node or element that finishes goes on a queue; draining the queue starts
 * what became ready and finishes what became complete, so nothing recurses
 * deeply however large a map is.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define NODE(x) FLYTEIDL__CORE__NODE__TARGET_##x
#define PROGRESS_MIN 20          /* maps of at least this many elements show progress */
#define PROGRESS_EVERY 100000000 /* ns between progress lines */

/* ---- entities ---------------------------------------------------------------------- */
struct ent_task {
	const char *name;
	Flyteidl__Core__TaskTemplate *tmpl;
	const flrt_task *fn;      /* the C task it runs; NULL if not in this executable */
	const char *fn_name;
	bool map;                 /* its argv is map-execute */
	bool legacy;              /* a container_array task (legacy map) */
	char **bound;             /* map-execute --bound */
	size_t nbound;
};

struct ent_wf {
	const char *name;
	Flyteidl__Core__WorkflowTemplate *tmpl;
};

struct ent_lp {
	const char *name;
	Flyteidl__Admin__LaunchPlan *lp;
	Flyteidl__Core__WorkflowTemplate *wf;
};

/* ---- executions ---------------------------------------------------------------------- */
enum state { ST_WAITING, ST_RUNNING, ST_SUCCEEDED, ST_FAILED, ST_SKIPPED };

struct elem {
	enum state st;
	Flyteidl__Core__LiteralMap *inputs, *outputs;
	const char *error;
};

struct arr {
	size_t n, next, running, succeeded, failed, cached;
	struct elem *elems;
	int64_t min_successes;
	uint32_t parallelism;        /* 0: bounded by --jobs */
	char **bound;
	size_t nbound;
	bool failing;                /* the threshold is out of reach: start nothing more */
	struct ent_task *task;              /* task elements */
	struct ent_lp *lp;                  /* launch plan elements */
	Flyteidl__Core__WorkflowTemplate *sub_wf;
	char **out_names;
	size_t nout;
	bool queued;                 /* in run.arrays */
	int64_t last_progress;
};

struct nodex {
	struct wfx *wf;
	Flyteidl__Core__Node *node;
	const char *id;              /* path for messages: "n2/n0" */
	const char *dir;             /* under --output-dir */
	const char *what;            /* the target's name */
	enum state st;
	size_t *deps, ndeps;
	Flyteidl__Core__LiteralMap *inputs, *outputs;
	const char *error;
	struct ent_task *task;
	uint32_t retries;
	int64_t timeout_ns;
	bool cacheable;
	const char *cache_version;
	struct arr *arr;
	struct wfx *child;
};

struct wfx {
	struct run *r;
	Flyteidl__Core__WorkflowTemplate *tmpl;
	Flyteidl__Core__LiteralMap *inputs, *outputs;
	struct nodex *nodes;
	size_t nnodes, ndone;
	bool failed, done, fail_fast;
	const char *errors;          /* failed nodes' messages, one a line */
	const char *prefix;          /* node id prefix: "" or "n2/" */
	struct nodex *parent;               /* a workflow node, or an array of launch plans */
	size_t parent_elem;          /* SIZE_MAX for a workflow node */
};

struct run {
	const flrt_module *m;
	const struct rt_io *io;
	struct rt_arena *a;
	struct ent_task *tasks;
	size_t ntasks;
	struct ent_wf *wfs;
	size_t nwfs;
	struct ent_lp *lps;
	size_t nlps;
	struct rt_backend *be;
	struct rt_cache *cache;            /* opened at the first cacheable call */
	bool cache_off;              /* --no-cache, or it could not be opened */
	const char *outdir;
	size_t jobs;                 /* task calls running at once */
	size_t slots;                /* task calls handed to the backend at once */
	struct rt_job **running;           /* jobs in the backend */
	size_t nrunning, crunning;
	struct rt_job *ready, *ready_tail; /* jobs waiting for a slot */
	struct nodex **arrays;              /* array nodes with elements to start */
	size_t narrays, carrays;
	struct nodex **fin;                 /* terminal nodes to propagate */
	size_t nfin, cfin;
	struct wfx **wfin;                  /* workflows whose nodes are all terminal */
	size_t nwfin, cwfin;
	struct rt_job *free_jobs;
	bool progress;
	bool oom;
	struct wfx *root;
};

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return 0;
	size_t c = *cap ? *cap * 2 : 16;
	while (c < need)
		c *= 2;
	void *q = realloc(*p, c * size);
	if (!q)
		return -1;
	*p = q;
	*cap = c;
	return 0;
}

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

void rt_summarize_indexes(const size_t *idx, size_t n, struct rt_buf *b)
{
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j + 1 < n && idx[j + 1] == idx[j] + 1)
			j++;
		if (j > i)
			rt_buf_printf(b, "%s%zu-%zu", i ? "," : "", idx[i], idx[j]);
		else
			rt_buf_printf(b, "%s%zu", i ? "," : "", idx[i]);
		i = j + 1;
	}
}

struct msg_group {
	const char *msg;
	size_t *idx, n, cap;
};

/* propeller's errorcollector: "<index ranges>: <message>" per distinct message */
static char *summarize_failures(struct run *r, const struct arr *ar)
{
	struct msg_group *g = NULL;
	size_t ng = 0, cg = 0;
	struct rt_buf b = { 0 };
	char *out = NULL;
	for (size_t i = 0; i < ar->n; i++) {
		const struct elem *e = &ar->elems[i];
		if (e->st != ST_FAILED)
			continue;
		const char *m = e->error ? e->error : "failed";
		size_t k = 0;
		while (k < ng && strcmp(g[k].msg, m) != 0)
			k++;
		if (k == ng) {
			if (grow((void **)&g, &cg, ng + 1, sizeof *g) < 0)
				goto cleanup;
			g[ng++] = (struct msg_group){ m, NULL, 0, 0 };
		}
		if (grow((void **)&g[k].idx, &g[k].cap, g[k].n + 1, sizeof(size_t)) < 0)
			goto cleanup;
		g[k].idx[g[k].n++] = i;
	}
	for (size_t k = 0; k < ng; k++) {
		rt_summarize_indexes(g[k].idx, g[k].n, &b);
		rt_buf_printf(&b, ": %s\n", g[k].msg);
	}
	out = rt_arena_strdup(r->a, b.data ? (char *)b.data : "");
cleanup:
	for (size_t k = 0; k < ng; k++)
		free(g[k].idx);
	free(g);
	rt_buf_free(&b);
	return out;
}

/* ---- types as text --------------------------------------------------------------------- */
static void ltype_text(const Flyteidl__Core__LiteralType *lt, struct rt_buf *b)
{
	static const char *simple[] = { "none", "int", "float", "str", "bool", "datetime",
					 "duration", "bytes", "error", "struct" };
	if (!lt) {
		rt_buf_printf(b, "?");
		return;
	}
	switch (lt->type_case) {
	case LT(SIMPLE):
		rt_buf_printf(b, "%s", (unsigned)lt->simple < 10 ? simple[lt->simple] : "?");
		break;
	case LT(BLOB):
		rt_buf_printf(b, lt->blob && lt->blob->dimensionality == DIM(MULTIPART) ? "dir" : "file");
		break;
	case LT(COLLECTION_TYPE):
		rt_buf_printf(b, "list[");
		ltype_text(lt->collection_type, b);
		rt_buf_printf(b, "]");
		break;
	case LT(MAP_VALUE_TYPE):
		rt_buf_printf(b, "dict[str, ");
		ltype_text(lt->map_value_type, b);
		rt_buf_printf(b, "]");
		break;
	case LT(ENUM_TYPE):
		rt_buf_printf(b, "enum(");
		for (size_t i = 0; lt->enum_type && i < lt->enum_type->n_values; i++)
			rt_buf_printf(b, "%s%s", i ? "|" : "", lt->enum_type->values[i]);
		rt_buf_printf(b, ")");
		break;
	case LT(UNION_TYPE): {
		const Flyteidl__Core__UnionType *u = lt->union_type;
		if (u && u->n_variants == 2 && u->variants[1]->type_case == LT(SIMPLE) &&
		    u->variants[1]->simple == SIMPLE(NONE)) {
			ltype_text(u->variants[0], b);
			rt_buf_printf(b, "?");
			break;
		}
		rt_buf_printf(b, "union[");
		for (size_t i = 0; u && i < u->n_variants; i++) {
			if (i)
				rt_buf_printf(b, ", ");
			ltype_text(u->variants[i], b);
		}
		rt_buf_printf(b, "]");
		break;
	}
	default:
		rt_buf_printf(b, "(unsupported type)");
	}
}

static bool ltype_optional(const Flyteidl__Core__LiteralType *lt)
{
	if (!lt || lt->type_case != LT(UNION_TYPE) || !lt->union_type)
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

/* Reads the task's container argv (what Flyte would struct run) to find the C task,
 * and whether it is a map element; else matches names. */
static void task_target(struct run *r, struct ent_task *t)
{
	Flyteidl__Core__TaskTemplate *tt = t->tmpl;
	t->legacy = strcmp(tt->type, "container_array") == 0;
	const char *bound = NULL;
	if (tt->target_case == FLYTEIDL__CORE__TASK_TEMPLATE__TARGET_CONTAINER && tt->container) {
		Flyteidl__Core__Container *c = tt->container;
		for (size_t i = 0; i < c->n_args; i++) {
			const char *a = c->args[i];
			if (strcmp(a, "map-execute") == 0)
				t->map = true;
			else if (strcmp(a, "--legacy") == 0)
				t->legacy = true;
			else if (strcmp(a, "--task") == 0 && arg_after(c, i))
				t->fn_name = arg_after(c, i);
			else if (strncmp(a, "--task=", 7) == 0)
				t->fn_name = a + 7;
			else if (strcmp(a, "--bound") == 0 && arg_after(c, i))
				bound = arg_after(c, i);
			else if (strncmp(a, "--bound=", 8) == 0)
				bound = a + 8;
		}
	}
	if (t->legacy)
		t->map = true;
	if (!t->fn_name) {
		/* <module>.map_<task>_<md5>[-arraynode] runs <module>.<task> */
		const char *m = strstr(t->name, ".map_");
		const char *u = m ? strrchr(m, '_') : NULL;
		if (m && u && u > m + 5 && strlen(u + 1) >= 32) {
			t->map = true;
			t->fn_name = rt_arena_printf(r->a, "%.*s.%.*s", (int)(m - t->name), t->name,
						      (int)(u - (m + 5)), m + 5);
		} else {
			t->fn_name = t->name;
		}
	}
	t->fn = t->fn_name ? rt_find_task(r->m, t->fn_name) : NULL;
	/* --bound a,b */
	size_t n = 0;
	for (const char *p = bound; p && *p; p++)
		n += *p == ',';
	t->bound = rt_arena_array(r->a, n + 1, sizeof *t->bound);
	for (const char *p = bound; t->bound && p && *p;) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);
		if (len)
			t->bound[t->nbound++] = rt_arena_strndup(r->a, p, len);
		p = c ? c + 1 : p + len;
	}
}

static int add_wf(struct run *r, Flyteidl__Core__WorkflowTemplate *t, size_t *cap)
{
	if (!t || !t->id)
		return 0;
	for (size_t i = 0; i < r->nwfs; i++)
		if (strcmp(r->wfs[i].name, t->id->name) == 0)
			return 0;
	if (grow((void **)&r->wfs, cap, r->nwfs + 1, sizeof *r->wfs) < 0)
		return -1;
	r->wfs[r->nwfs++] = (struct ent_wf){ t->id->name, t };
	return 0;
}

static struct ent_task *find_task(struct run *r, const char *name)
{
	for (size_t i = 0; i < r->ntasks; i++)
		if (strcmp(r->tasks[i].name, name) == 0)
			return &r->tasks[i];
	return NULL;
}

static Flyteidl__Core__WorkflowTemplate *find_wf(struct run *r, const char *name)
{
	for (size_t i = 0; i < r->nwfs; i++)
		if (strcmp(r->wfs[i].name, name) == 0)
			return r->wfs[i].tmpl;
	return NULL;
}

static struct ent_lp *find_lp(struct run *r, const char *name)
{
	for (size_t i = 0; i < r->nlps; i++)
		if (strcmp(r->lps[i].name, name) == 0)
			return &r->lps[i];
	return NULL;
}

static int load_entities(struct run *r, struct rt_msg *err)
{
	const flrt_module *m = r->m;
	size_t ct = 0, cw = 0, cl = 0;
	for (size_t i = 0; i < m->nentities; i++) {
		const struct flrt_entity *e = &m->entities[i];
		const char *what = e->kind == 1 ? "task" : e->kind == 2 ? "workflow" : "launch plan";
		if (e->kind < 1 || e->kind > 3)
			return rt_msgf(err, "entity %zu (%s) has an unknown kind %d", i,
					e->name ? e->name : "", e->kind);
		const ProtobufCMessageDescriptor *d =
			e->kind == 1 ? &flyteidl__admin__task_spec__descriptor :
			e->kind == 2 ? &flyteidl__admin__workflow_spec__descriptor :
				       &flyteidl__admin__launch_plan__descriptor;
		void *msg = rt_unpack(r->a, d, e->data, e->len, err);
		if (!msg)
			return rt_msg_prefix(err, "embedded %s %s", what, e->name ? e->name : "");
		if (e->kind == 1) {
			Flyteidl__Admin__TaskSpec *ts = msg;
			if (!ts->template_ || !ts->template_->id || !ts->template_->interface)
				return rt_msgf(err, "embedded task %s has no template, id or interface",
						e->name ? e->name : "");
			if (grow((void **)&r->tasks, &ct, r->ntasks + 1, sizeof *r->tasks) < 0)
				return rt_msgf(err, "out of memory");
			struct ent_task *t = &r->tasks[r->ntasks++];
			memset(t, 0, sizeof *t);
			t->name = ts->template_->id->name;
			t->tmpl = ts->template_;
			task_target(r, t);
		} else if (e->kind == 2) {
			Flyteidl__Admin__WorkflowSpec *ws = msg;
			if (!ws->template_ || !ws->template_->id)
				return rt_msgf(err, "embedded workflow %s has no template",
						e->name ? e->name : "");
			if (add_wf(r, ws->template_, &cw) < 0)
				return rt_msgf(err, "out of memory");
			for (size_t k = 0; k < ws->n_sub_workflows; k++)
				if (add_wf(r, ws->sub_workflows[k], &cw) < 0)
					return rt_msgf(err, "out of memory");
		} else {
			Flyteidl__Admin__LaunchPlan *lp = msg;
			if (!lp->id || !lp->spec || !lp->spec->workflow_id)
				return rt_msgf(err, "embedded launch plan %s has no id or spec",
						e->name ? e->name : "");
			if (grow((void **)&r->lps, &cl, r->nlps + 1, sizeof *r->lps) < 0)
				return rt_msgf(err, "out of memory");
			r->lps[r->nlps++] = (struct ent_lp){ lp->id->name, lp, NULL };
		}
	}
	for (size_t i = 0; i < r->nlps; i++) {
		const char *w = r->lps[i].lp->spec->workflow_id->name;
		if (!(r->lps[i].wf = find_wf(r, w)))
			return rt_msgf(err, "launch plan %s: unknown workflow %s", r->lps[i].name, w);
	}
	return 0;
}

/* ---- small helpers ---------------------------------------------------------------- */
static void oom(struct run *r)
{
	r->oom = true;
}

static char *dup_printf(struct run *r, const char *fmt, ...) RT_FMT(2, 3);
static char *dup_printf(struct run *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = rt_arena_vprintf(r->a, fmt, ap);
	va_end(ap);
	if (!s)
		oom(r);
	return s ? s : "(out of memory)";
}

static struct rt_job *job_new(struct run *r)
{
	struct rt_job *j = r->free_jobs;
	struct rt_result keep = { 0 };   /* a recycled job keeps its result buffer */
	if (j) {
		r->free_jobs = j->next;
		keep = j->res;
	} else if (!(j = malloc(sizeof *j))) {
		return NULL;
	}
	memset(j, 0, sizeof *j);
	j->res = keep;
	rt_result_reset(&j->res);
	j->fd = -1;
	return j;
}

static void job_free(struct run *r, struct rt_job *j)
{
	if (j->res.cap > 65536)   /* keep small buffers only */
		rt_result_free(&j->res);
	rt_buf_free(&j->buf);
	j->next = r->free_jobs;
	r->free_jobs = j;
}

static void write_pb(struct run *r, const char *dir, const char *name, const ProtobufCMessage *m)
{
	if (!r->outdir || !dir)
		return;
	struct rt_msg err;
	uint8_t *data;
	size_t len;
	char *d = *dir ? rt_join(r->a, r->outdir, dir) : (char *)r->outdir;
	char *p = d ? rt_join(r->a, d, name) : NULL;
	if (!p || rt_mkdirs(d, &err) < 0 ||
	    rt_pack_arena_as_is(r->a, m, &data, &len, &err) < 0 ||
	    rt_write_file(p, data, len, &err) < 0)
		fprintf(r->io->err, "run: --output-dir: %s\n", p ? err.text : "out of memory");
}

static void write_bytes(struct run *r, const char *dir, const char *name, const uint8_t *data, size_t len)
{
	if (!r->outdir || !dir)
		return;
	struct rt_msg err;
	char *d = *dir ? rt_join(r->a, r->outdir, dir) : (char *)r->outdir;
	char *p = d ? rt_join(r->a, d, name) : NULL;
	if (!p || rt_mkdirs(d, &err) < 0 || rt_write_file(p, data, len, &err) < 0)
		fprintf(r->io->err, "run: --output-dir: %s\n", p ? err.text : "out of memory");
}

static void write_error(struct run *r, const char *dir, const char *message)
{
	uint8_t *data;
	size_t len;
	if (!r->outdir || rt_error_doc("USER", message, false, RT_ORIGIN_USER, &data, &len) < 0)
		return;
	write_bytes(r, dir, "error.pb", data, len);
	free(data);
}

static bool wf_aborted(const struct wfx *w)
{
	for (; w; w = w->parent ? w->parent->wf : NULL)
		if (w->failed && w->fail_fast)
			return true;
	return false;
}

static void progress_line(struct run *r, struct nodex *n, bool final);

/* ---- completion queues ------------------------------------------------------------- */
static void add_error(struct run *r, struct wfx *w, const char *msg)
{
	w->errors = dup_printf(r, "%s%s\n", w->errors ? w->errors : "", msg);
}

/* A node is terminal; the caller has written its error.pb if it failed. */
static void node_done(struct run *r, struct nodex *n, enum state st, const char *error)
{
	n->st = st;
	if (error)
		n->error = error;
	if (grow((void **)&r->fin, &r->cfin, r->nfin + 1, sizeof *r->fin) < 0) {
		oom(r);
		return;
	}
	r->fin[r->nfin++] = n;
}

static void wf_check_done(struct run *r, struct wfx *w)
{
	if (w->ndone == w->nnodes && !w->done) {
		w->done = true;
		if (grow((void **)&r->wfin, &r->cwfin, r->nwfin + 1, sizeof *r->wfin) < 0) {
			oom(r);
			return;
		}
		r->wfin[r->nwfin++] = w;
	}
}

/* ---- bindings ---------------------------------------------------------------------------- */
static struct nodex *wf_node(struct wfx *w, const char *id)
{
	for (size_t i = 0; i < w->nnodes; i++)
		if (strcmp(w->nodes[i].node->id, id) == 0)
			return &w->nodes[i];
	return NULL;
}

static Flyteidl__Core__Literal *lit_wrap_scalar(struct run *r, Flyteidl__Core__Scalar *s)
{
	Flyteidl__Core__Literal *l = rt_arena_alloc(r->a, sizeof *l);
	if (l) {
		flyteidl__core__literal__init(l);
		l->value_case = LIT(SCALAR);
		l->scalar = s;
	}
	return l;
}

static int resolve(struct run *r, struct wfx *w, const Flyteidl__Core__BindingData *bd, Flyteidl__Core__Literal **out,
		   struct rt_msg *err)
{
	Flyteidl__Core__Literal *l = NULL;
	if (!bd)
		return rt_msgf(err, "a binding without data");
	switch (bd->value_case) {
	case BIND(SCALAR):
		l = lit_wrap_scalar(r, bd->scalar);
		break;
	case BIND(COLLECTION): {
		size_t n = bd->collection ? bd->collection->n_bindings : 0;
		if (!(l = rt_lit_collection(r->a, n)))
			break;
		for (size_t i = 0; i < n; i++)
			if (resolve(r, w, bd->collection->bindings[i], &l->collection->literals[i], err) < 0)
				return -1;
		break;
	}
	case BIND(MAP): {
		size_t n = bd->map ? bd->map->n_bindings : 0;
		if (!(l = rt_lit_map(r->a, n)))
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
	case BIND(PROMISE): {
		const Flyteidl__Core__OutputReference *o = bd->promise;
		const Flyteidl__Core__LiteralMap *src;
		if (!o)
			return rt_msgf(err, "an empty promise");
		if (!*o->node_id || strcmp(o->node_id, "start-node") == 0) {
			src = w->inputs;
			if (!(l = rt_litmap_get(src, o->var)))
				return rt_msgf(err, "workflow input '%s' is not set", o->var);
		} else {
			struct nodex *up = wf_node(w, o->node_id);
			if (!up)
				return rt_msgf(err, "unknown node '%s'", o->node_id);
			if (!(l = rt_litmap_get(up->outputs, o->var)))
				return rt_msgf(err, "node %s has no output '%s'", o->node_id, o->var);
		}
		for (size_t i = 0; i < o->n_attr_path; i++) {
			const Flyteidl__Core__PromiseAttribute *pa = o->attr_path[i];
			if (pa->value_case == FLYTEIDL__CORE__PROMISE_ATTRIBUTE__VALUE_STRING_VALUE &&
			    l->value_case == LIT(MAP)) {
				Flyteidl__Core__Literal *x = rt_litmap_get(l->map, pa->string_value);
				if (!x)
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
		break;
	}
	default:
		return rt_msgf(err, "offloaded bindings are not supported by local runs");
	}
	if (!l)
		return rt_msgf(err, "out of memory");
	if (bd->union_ && bd->union_->targettype && !(l->value_case == LIT(SCALAR) && l->scalar &&
						       l->scalar->value_case == SCA(UNION)))
		l = rt_lit_union(r->a, l, bd->union_->targettype);
	*out = l;
	return l ? 0 : rt_msgf(err, "out of memory");
}

static int resolve_bindings(struct run *r, struct wfx *w, Flyteidl__Core__Binding **b, size_t n,
			    Flyteidl__Core__LiteralMap **out, struct rt_msg *err)
{
	Flyteidl__Core__LiteralMap *m = rt_litmap_new(r->a, n);
	if (!m)
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

/* ---- workflows -------------------------------------------------------------------------- */
static void collect_deps(const Flyteidl__Core__BindingData *bd, struct wfx *w, struct nodex *n, struct run *r);

static int add_dep(struct run *r, struct wfx *w, struct nodex *n, const char *id)
{
	if (!*id || strcmp(id, "start-node") == 0)
		return 0;
	struct nodex *up = wf_node(w, id);
	if (!up)
		return -1;
	size_t k = (size_t)(up - w->nodes);
	for (size_t i = 0; i < n->ndeps; i++)
		if (n->deps[i] == k)
			return 0;
	size_t *d = rt_arena_array(r->a, n->ndeps + 1, sizeof *d);
	if (!d) {
		oom(r);
		return 0;
	}
	if (n->ndeps)
		memcpy(d, n->deps, n->ndeps * sizeof *d);
	d[n->ndeps++] = k;
	n->deps = d;
	return 0;
}

static void collect_deps(const Flyteidl__Core__BindingData *bd, struct wfx *w, struct nodex *n, struct run *r)
{
	if (!bd)
		return;
	if (bd->value_case == BIND(PROMISE) && bd->promise)
		add_dep(r, w, n, bd->promise->node_id);
	else if (bd->value_case == BIND(COLLECTION) && bd->collection)
		for (size_t i = 0; i < bd->collection->n_bindings; i++)
			collect_deps(bd->collection->bindings[i], w, n, r);
	else if (bd->value_case == BIND(MAP) && bd->map)
		for (size_t i = 0; i < bd->map->n_bindings; i++)
			collect_deps(bd->map->bindings[i]->value, w, n, r);
}

/* Inputs of a launch plan run: its defaults, the given values, its fixed inputs. */
static int lp_inputs(struct run *r, const struct ent_lp *lp, const Flyteidl__Core__LiteralMap *given, Flyteidl__Core__LiteralMap **out,
		     struct rt_msg *err)
{
	const Flyteidl__Core__ParameterMap *pm = lp->lp->spec->default_inputs;
	const Flyteidl__Core__LiteralMap *fixed = lp->lp->spec->fixed_inputs;
	size_t cap = (pm ? pm->n_parameters : 0) + (given ? given->n_literals : 0) +
		     (fixed ? fixed->n_literals : 0);
	Flyteidl__Core__LiteralMap *m = rt_litmap_new(r->a, cap);
	if (!m)
		return rt_msgf(err, "out of memory");
	size_t n = 0;
	for (size_t i = 0; given && i < given->n_literals; i++) {
		const char *k = given->literals[i]->key;
		if (rt_litmap_get(fixed, k))
			return rt_msgf(err, "input '%s' is fixed by launch plan %s", k, lp->name);
		rt_litmap_set(m, n++, k, given->literals[i]->value);
	}
	for (size_t i = 0; fixed && i < fixed->n_literals; i++)
		rt_litmap_set(m, n++, fixed->literals[i]->key, fixed->literals[i]->value);
	for (size_t i = 0; pm && i < pm->n_parameters; i++) {
		const char *k = pm->parameters[i]->key;
		const Flyteidl__Core__Parameter *p = pm->parameters[i]->value;
		m->n_literals = n;
		if (rt_litmap_get(m, k) || !p)
			continue;
		if (p->behavior_case == FLYTEIDL__CORE__PARAMETER__BEHAVIOR_DEFAULT && p->default_)
			rt_litmap_set(m, n++, k, p->default_);
	}
	m->n_literals = n;
	*out = m;
	return 0;
}

static struct wfx *wf_new(struct run *r, Flyteidl__Core__WorkflowTemplate *t, Flyteidl__Core__LiteralMap *inputs,
		   const char *prefix, struct nodex *parent, size_t parent_elem, struct rt_msg *err)
{
	struct wfx *w = rt_arena_zalloc(r->a, sizeof *w);
	if (!w || !(w->nodes = rt_arena_array(r->a, t->n_nodes ? t->n_nodes : 1, sizeof *w->nodes))) {
		rt_msgf(err, "out of memory");
		return NULL;
	}
	w->r = r;
	w->tmpl = t;
	w->prefix = prefix;
	w->parent = parent;
	w->parent_elem = parent_elem;
	if (t->failure_node)
		fprintf(r->io->err, "run: workflow %s: its failure node is ignored by local runs\n",
			t->id ? t->id->name : "");
	w->fail_fast = !(t->metadata && t->metadata->on_failure ==
		FLYTEIDL__CORE__WORKFLOW_METADATA__ON_FAILURE_POLICY__FAIL_AFTER_EXECUTABLE_NODES_COMPLETE);
	/* missing optional inputs are none (propeller leaves optional inputs unbound) */
	const Flyteidl__Core__VariableMap *vm = t->interface ? t->interface->inputs : NULL;
	size_t nv = vm ? vm->n_variables : 0;
	Flyteidl__Core__LiteralMap *in = rt_litmap_new(r->a, (inputs ? inputs->n_literals : 0) + nv);
	if (!in) {
		rt_msgf(err, "out of memory");
		return NULL;
	}
	size_t k = 0;
	for (size_t i = 0; inputs && i < inputs->n_literals; i++)
		rt_litmap_set(in, k++, inputs->literals[i]->key, inputs->literals[i]->value);
	for (size_t i = 0; i < nv; i++) {
		const char *name = vm->variables[i]->key;
		in->n_literals = k;
		if (rt_litmap_get(in, name))
			continue;
		const Flyteidl__Core__Variable *v = vm->variables[i]->value;
		if (v && ltype_optional(v->type)) {
			rt_litmap_set(in, k++, name, rt_lit_none(r->a));
		} else {
			struct rt_buf b = { 0 };
			ltype_text(v ? v->type : NULL, &b);
			rt_msgf(err, "workflow %s: missing input '%s' (%s)", t->id ? t->id->name : "",
				 name, b.data ? (char *)b.data : "");
			rt_buf_free(&b);
			return NULL;
		}
	}
	in->n_literals = k;
	rt_canonicalize(&in->base);
	w->inputs = in;
	w->nnodes = t->n_nodes;
	for (size_t i = 0; i < t->n_nodes; i++) {
		struct nodex *n = &w->nodes[i];
		n->wf = w;
		n->node = t->nodes[i];
		n->id = dup_printf(r, "%s%s", prefix, n->node->id);
		n->dir = n->id;
	}
	for (size_t i = 0; i < t->n_nodes; i++) {
		struct nodex *n = &w->nodes[i];
		for (size_t k2 = 0; k2 < n->node->n_upstream_node_ids; k2++)
			if (add_dep(r, w, n, n->node->upstream_node_ids[k2]) < 0) {
				rt_msgf(err, "node %s: unknown upstream node '%s'", n->id,
					 n->node->upstream_node_ids[k2]);
				return NULL;
			}
		for (size_t b = 0; b < n->node->n_inputs; b++)
			collect_deps(n->node->inputs[b]->binding, w, n, r);
	}
	write_pb(r, *prefix ? rt_arena_strndup(r->a, prefix, strlen(prefix) - 1) : "",
		 "inputs.pb", &w->inputs->base);
	return w;
}

/* ---- starting nodes ------------------------------------------------------------------------ */
static void node_policy(struct nodex *n, const Flyteidl__Core__NodeMetadata *nm, const struct ent_task *t)
{
	const Flyteidl__Core__TaskMetadata *tm = t && t->tmpl ? t->tmpl->metadata : NULL;
	n->retries = nm && nm->retries ? nm->retries->retries :
		     tm && tm->retries ? tm->retries->retries : 0;
	const Google__Protobuf__Duration *to =
		nm && nm->timeout && (nm->timeout->seconds || nm->timeout->nanos) ? nm->timeout :
		tm ? tm->timeout : NULL;
	n->timeout_ns = to ? to->seconds * 1000000000 + to->nanos : 0;
	if (n->timeout_ns < 0)
		n->timeout_ns = 0;
	n->cacheable = tm && tm->discoverable;
	n->cache_version = tm ? tm->discovery_version : "";
	if (nm && nm->cacheable_value_case == FLYTEIDL__CORE__NODE_METADATA__CACHEABLE_VALUE_CACHEABLE)
		n->cacheable = nm->cacheable;
	if (nm && nm->cache_version_value_case ==
		      FLYTEIDL__CORE__NODE_METADATA__CACHE_VERSION_VALUE_CACHE_VERSION)
		n->cache_version = nm->cache_version;
}

static void enqueue(struct run *r, struct rt_job *j)
{
	j->next = NULL;
	if (r->ready_tail)
		r->ready_tail->next = j;
	else
		r->ready = j;
	r->ready_tail = j;
}

static struct rt_job *make_job(struct run *r, struct nodex *n, size_t ix, const flrt_task *fn,
			 const Flyteidl__Core__LiteralMap *inputs, int attempt)
{
	struct rt_job *j = job_new(r);
	if (!j) {
		oom(r);
		return NULL;
	}
	j->owner = n;
	j->elem = ix;
	j->fn = fn;
	j->inputs = inputs;
	j->opts.map_index = ix == SIZE_MAX ? -1 : (int64_t)ix;
	j->opts.attempt = attempt;
	j->timeout_ns = n->timeout_ns;
	return j;
}

static struct rt_cache *cache(struct run *r)
{
	struct rt_msg err;
	if (!r->cache && !r->cache_off && !(r->cache = rt_cache_open(&err))) {
		fprintf(r->io->err, "run: the cache is off: %s\n", err.text);
		r->cache_off = true;
	}
	return r->cache;
}

/* 1: outputs found in the cache (unpacked into *out) */
static int cache_lookup(struct run *r, struct nodex *n, const char *task, const Flyteidl__Core__LiteralMap *inputs,
			Flyteidl__Core__LiteralMap **out)
{
	struct rt_msg err;
	uint8_t *key, *val;
	size_t klen, vlen;
	if (!n->cacheable || !cache(r) ||
	    rt_pack_arena_as_is(r->a, &inputs->base, &key, &klen, &err) < 0)
		return 0;
	if (rt_cache_get(r->cache, r->a, task, n->cache_version, key, klen, &val, &vlen) != 1)
		return 0;
	Flyteidl__Core__LiteralMap *m = rt_unpack(r->a, &flyteidl__core__literal_map__descriptor, val, vlen, &err);
	if (!m)
		return 0;
	*out = m;
	return 1;
}

static void cache_store(struct run *r, struct nodex *n, const char *task, const Flyteidl__Core__LiteralMap *inputs,
			const uint8_t *out, size_t outlen)
{
	struct rt_msg err;
	uint8_t *key;
	size_t klen;
	if (!n->cacheable || !cache(r) ||
	    rt_pack_arena_as_is(r->a, &inputs->base, &key, &klen, &err) < 0)
		return;
	if (rt_cache_put(r->cache, task, n->cache_version, key, klen, out, outlen) < 0)
		fprintf(r->io->err, "run: cannot write to the cache\n");
}

static int start_array(struct run *r, struct nodex *n, struct rt_msg *err);
static int start_workflow_node(struct run *r, struct nodex *n, struct rt_msg *err);

static int start_task(struct run *r, struct nodex *n, struct rt_msg *err)
{
	const Flyteidl__Core__TaskNode *tn = n->node->task_node;
	if (!tn || tn->reference_case != FLYTEIDL__CORE__TASK_NODE__REFERENCE_REFERENCE_ID ||
	    !tn->reference_id)
		return rt_msgf(err, "a task node without a task reference");
	struct ent_task *t = find_task(r, tn->reference_id->name);
	if (!t)
		return rt_msgf(err, "unknown task %s", tn->reference_id->name);
	n->task = t;
	n->what = t->name;
	if (t->legacy)
		return start_array(r, n, err);
	if (t->map)
		return rt_msgf(err, "task %s is a map task: it runs in an array node", t->name);
	if (!t->fn)
		return rt_msgf(err, "task %s runs %s, which is not in this executable", t->name,
				t->fn_name ? t->fn_name : "?");
	node_policy(n, n->node->metadata, t);
	Flyteidl__Core__LiteralMap *cached;
	if (cache_lookup(r, n, t->name, n->inputs, &cached)) {
		fprintf(r->io->err, "cached: %s %s\n", n->id, t->name);
		n->outputs = cached;
		write_pb(r, n->dir, "outputs.pb", &cached->base);
		node_done(r, n, ST_SUCCEEDED, NULL);
		return 0;
	}
	struct rt_job *j = make_job(r, n, SIZE_MAX, t->fn, n->inputs, 0);
	if (j)
		enqueue(r, j);
	return 0;
}

static void start_node(struct run *r, struct nodex *n)
{
	struct rt_msg err;
	n->st = ST_RUNNING;
	if (resolve_bindings(r, n->wf, n->node->inputs, n->node->n_inputs, &n->inputs, &err) < 0) {
		const char *msg = dup_printf(r, "node %s: %s", n->id, err.text);
		write_error(r, n->dir, msg);
		node_done(r, n, ST_FAILED, msg);
		return;
	}
	write_pb(r, n->dir, "inputs.pb", &n->inputs->base);
	int rc;
	switch (n->node->target_case) {
	case NODE(TASK_NODE):
		rc = start_task(r, n, &err);
		break;
	case NODE(ARRAY_NODE):
		rc = start_array(r, n, &err);
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
		const char *msg = dup_printf(r, "node %s: %s", n->id, err.text);
		write_error(r, n->dir, msg);
		node_done(r, n, ST_FAILED, msg);
	}
}

static void wf_abort(struct run *r, struct wfx *w);

/* Starts the nodes of w whose upstream nodes all succeeded. */
static void wf_schedule(struct run *r, struct wfx *w)
{
	if (wf_aborted(w)) {
		for (size_t i = 0; i < w->nnodes; i++)
			if (w->nodes[i].st == ST_WAITING)
				node_done(r, &w->nodes[i], ST_SKIPPED, NULL);
		return;
	}
	for (size_t i = 0; i < w->nnodes; i++) {
		struct nodex *n = &w->nodes[i];
		if (n->st != ST_WAITING)
			continue;
		bool ready = true, blocked = false;
		for (size_t k = 0; k < n->ndeps; k++) {
			enum state s = w->nodes[n->deps[k]].st;
			if (s == ST_FAILED || s == ST_SKIPPED)
				blocked = true;
			else if (s != ST_SUCCEEDED)
				ready = false;
		}
		if (blocked) {
			n->st = ST_SKIPPED;
			node_done(r, n, ST_SKIPPED, NULL);
		} else if (ready) {
			start_node(r, n);
		}
	}
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
	for (size_t i = 0; s && i < s->n_fields; i++)
		if (strcmp(s->fields[i]->key, k) == 0)
			return s->fields[i]->value;
	return NULL;
}

static double value_number(const Google__Protobuf__Value *v, double dflt)
{
	if (!v)
		return dflt;
	if (v->kind_case == GOOGLE__PROTOBUF__VALUE__KIND_NUMBER_VALUE)
		return v->number_value;
	if (v->kind_case == GOOGLE__PROTOBUF__VALUE__KIND_STRING_VALUE)
		return strtod(v->string_value, NULL);
	return dflt;
}

static void array_queue(struct run *r, struct nodex *n)
{
	if (n->arr->queued || n->arr->next >= n->arr->n)
		return;
	if (grow((void **)&r->arrays, &r->carrays, r->narrays + 1, sizeof *r->arrays) < 0) {
		oom(r);
		return;
	}
	r->arrays[r->narrays++] = n;
	n->arr->queued = true;
}

static void array_check(struct run *r, struct nodex *n);
static int start_job(struct run *r, struct rt_job *j);
static void handle_job(struct run *r, struct rt_job *j);

static int start_array(struct run *r, struct nodex *n, struct rt_msg *err)
{
	struct arr *ar = rt_arena_zalloc(r->a, sizeof *ar);
	if (!ar)
		return rt_msgf(err, "out of memory");
	n->arr = ar;
	const Flyteidl__Core__LiteralMap *in = n->inputs;
	const Flyteidl__Core__VariableMap *outs = NULL;
	size_t size = SIZE_MAX;
	float ratio = 1.0f;
	bool has_ratio = false, has_min = false;
	uint32_t min = 0;

	if (n->node->target_case == NODE(ARRAY_NODE)) {
		const Flyteidl__Core__ArrayNode *an = n->node->array_node;
		if (!an || !an->node)
			return rt_msgf(err, "an array node without a sub-node");
		ar->bound = an->bound_inputs;
		ar->nbound = an->n_bound_inputs;
		if (an->parallelism_option_case ==
		    FLYTEIDL__CORE__ARRAY_NODE__PARALLELISM_OPTION_PARALLELISM)
			ar->parallelism = an->parallelism;
		has_min = an->success_criteria_case ==
			  FLYTEIDL__CORE__ARRAY_NODE__SUCCESS_CRITERIA_MIN_SUCCESSES;
		has_ratio = an->success_criteria_case ==
			    FLYTEIDL__CORE__ARRAY_NODE__SUCCESS_CRITERIA_MIN_SUCCESS_RATIO;
		min = has_min ? an->min_successes : 0;
		ratio = has_ratio ? an->min_success_ratio : 1.0f;
		const Flyteidl__Core__Node *sub = an->node;
		if (sub->target_case == NODE(TASK_NODE) && sub->task_node && sub->task_node->reference_id) {
			struct ent_task *t = find_task(r, sub->task_node->reference_id->name);
			if (!t)
				return rt_msgf(err, "unknown task %s", sub->task_node->reference_id->name);
			if (!t->fn)
				return rt_msgf(err, "task %s runs %s, which is not in this executable",
						t->name, t->fn_name ? t->fn_name : "?");
			ar->task = t;
			n->task = t;
			n->what = t->name;
			outs = t->tmpl->interface->outputs;
			node_policy(n, sub->metadata, t);
		} else if (sub->target_case == NODE(WORKFLOW_NODE) && sub->workflow_node) {
			const Flyteidl__Core__WorkflowNode *wn = sub->workflow_node;
			if (wn->reference_case == FLYTEIDL__CORE__WORKFLOW_NODE__REFERENCE_LAUNCHPLAN_REF) {
				if (!(ar->lp = find_lp(r, wn->launchplan_ref->name)))
					return rt_msgf(err, "unknown launch plan %s", wn->launchplan_ref->name);
				ar->sub_wf = ar->lp->wf;
			} else if (!(ar->sub_wf = find_wf(r, wn->sub_workflow_ref->name))) {
				return rt_msgf(err, "unknown workflow %s", wn->sub_workflow_ref->name);
			}
			n->what = ar->lp ? ar->lp->name : ar->sub_wf->id->name;
			outs = ar->sub_wf->interface ? ar->sub_wf->interface->outputs : NULL;
		} else {
			return rt_msgf(err, "array nodes of this kind of node are not supported");
		}
		/* propeller: every unbound collection has the same length */
		size_t nin = in->n_literals;
		for (size_t i = 0; i < nin; i++) {
			const Flyteidl__Core__Literal *l = in->literals[i]->value;
			if (is_bound(ar->bound, ar->nbound, in->literals[i]->key) ||
			    l->value_case != LIT(COLLECTION))
				continue;
			size_t len = l->collection ? l->collection->n_literals : 0;
			if (size == SIZE_MAX)
				size = len;
			else if (len != size)
				return rt_msgf(err, "input arrays have different lengths: "
						"expecting '%zu' found '%zu'", size, len);
		}
		if (size == SIZE_MAX) {
			if (ar->nbound != nin)
				return rt_msgf(err, "no input array provided");
			size = 1;  /* every input bound (or none at all): one element */
		}
	} else {
		/* legacy container_array: every collection input is mapped */
		struct ent_task *t = n->task;
		if (!t->fn)
			return rt_msgf(err, "task %s runs %s, which is not in this executable", t->name,
					t->fn_name ? t->fn_name : "?");
		ar->task = t;
		outs = t->tmpl->interface->outputs;
		node_policy(n, n->node->metadata, t);
		const Google__Protobuf__Struct *custom = t->tmpl->custom;
		double p = value_number(struct_field(custom, "parallelism"), 0);
		ar->parallelism = p > 0 && p < 4294967295.0 ? (uint32_t)p : 0;
		has_ratio = true;
		ratio = (float)value_number(struct_field(custom, "minSuccessRatio"), 1.0);
		for (size_t i = 0; i < in->n_literals; i++) {
			const Flyteidl__Core__Literal *l = in->literals[i]->value;
			if (l->value_case != LIT(COLLECTION))
				continue;
			size_t len = l->collection ? l->collection->n_literals : 0;
			if (size == SIZE_MAX)
				size = len;
			else if (len != size)
				return rt_msgf(err, "all maptask input lists must be the same length");
		}
		if (size == SIZE_MAX)
			return rt_msgf(err, "Unable to determine array size from inputs");
	}

	ar->n = size;
	if (ar->parallelism)
		rt_backend_reserve_threads(r->be, ar->parallelism);
	ar->min_successes = rt_min_successes(size, has_min, min, has_ratio, ratio);
	ar->elems = rt_arena_array(r->a, size ? size : 1, sizeof *ar->elems);
	ar->nout = outs ? outs->n_variables : 0;
	ar->out_names = rt_arena_array(r->a, ar->nout ? ar->nout : 1, sizeof *ar->out_names);
	if (!ar->elems || !ar->out_names)
		return rt_msgf(err, "out of memory for %zu elements", size);
	for (size_t i = 0; i < ar->nout; i++)
		ar->out_names[i] = outs->variables[i]->key;
	if (size == 0) {   /* an empty list: empty outputs, at once */
		array_check(r, n);
		return 0;
	}
	array_queue(r, n);
	array_check(r, n);   /* a threshold above the size fails at once */
	return 0;
}

static void elem_finish(struct run *r, struct nodex *n, size_t i, bool ok, Flyteidl__Core__LiteralMap *outputs,
			const char *error)
{
	struct arr *ar = n->arr;
	struct elem *e = &ar->elems[i];
	e->st = ok ? ST_SUCCEEDED : ST_FAILED;
	e->outputs = outputs;
	e->error = error;
	ar->running--;
	if (ok)
		ar->succeeded++;
	else
		ar->failed++;
	if (r->progress && ar->n >= PROGRESS_MIN)
		progress_line(r, n, false);
	array_check(r, n);
}

static void cancel_jobs(struct run *r, struct nodex *n, struct wfx *w);

static void array_check(struct run *r, struct nodex *n)
{
	struct arr *ar = n->arr;
	if (!ar->failing && ar->n && (int64_t)(ar->n - ar->failed) < ar->min_successes) {
		ar->failing = true;       /* out of reach: abort the rest, as propeller does */
		cancel_jobs(r, n, NULL);
	}
	if (ar->running || (ar->next < ar->n && !ar->failing))
		return;
	if (n->st != ST_RUNNING)
		return;
	if (r->progress && ar->n >= PROGRESS_MIN)
		progress_line(r, n, true);
	if (ar->cached)
		fprintf(r->io->err, "cached: %s %s (%zu of %zu elements)\n", n->id, n->what,
			ar->cached, ar->n);
	if (ar->n == 0 || (!ar->failing && (int64_t)ar->succeeded >= ar->min_successes)) {
		/* gather: collections in index order; failed elements are a bare none */
		Flyteidl__Core__LiteralMap *m = rt_litmap_new(r->a, ar->nout);
		if (!m) {
			oom(r);
			node_done(r, n, ST_FAILED, "out of memory");
			return;
		}
		Flyteidl__Core__Literal *none = rt_lit_none(r->a);
		for (size_t k = 0; k < ar->nout; k++) {
			Flyteidl__Core__Literal *c = rt_lit_collection(r->a, ar->n);
			if (!c || !none) {
				oom(r);
				node_done(r, n, ST_FAILED, "out of memory");
				return;
			}
			for (size_t i = 0; i < ar->n; i++) {
				Flyteidl__Core__Literal *v = ar->elems[i].st == ST_SUCCEEDED
					? rt_litmap_get(ar->elems[i].outputs, ar->out_names[k]) : NULL;
				c->collection->literals[i] = v ? v : none;
			}
			rt_litmap_set(m, k, ar->out_names[k], c);
		}
		rt_canonicalize(&m->base);
		n->outputs = m;
		write_pb(r, n->dir, "outputs.pb", &m->base);
		node_done(r, n, ST_SUCCEEDED, NULL);
		return;
	}
	char *summary = summarize_failures(r, ar);
	size_t skipped = ar->n - ar->succeeded - ar->failed;
	size_t sl = summary ? strlen(summary) : 0;
	if (sl && summary[sl - 1] == '\n')
		summary[sl - 1] = 0;
	const char *msg = dup_printf(r, "node %s (%s): %zu of %zu elements succeeded, %lld needed "
				     "(%zu failed%s)%s%s", n->id, n->what, ar->succeeded, ar->n,
				     (long long)ar->min_successes, ar->failed,
				     skipped ? ", the rest not run" : "", sl ? ":\n" : "",
				     summary ? summary : "");
	write_error(r, n->dir, msg);
	node_done(r, n, ST_FAILED, msg);
}

/* Starts element ar->next; returns its job when it has one to run. */
static struct rt_job *start_element(struct run *r, struct nodex *n)
{
	struct rt_msg err;
	struct arr *ar = n->arr;
	size_t i = ar->next++;
	struct elem *e = &ar->elems[i];
	ar->running++;
	e->st = ST_RUNNING;
	bool legacy = n->node->target_case != NODE(ARRAY_NODE);
	if (rt_select_element(r->a, n->inputs, legacy ? NULL : ar->bound, legacy ? 0 : ar->nbound,
			       false, i, &e->inputs, &err) < 0) {
		elem_finish(r, n, i, false, NULL, dup_printf(r, "%s", err.text));
		return NULL;
	}
	const char *edir = r->outdir ? dup_printf(r, "%s/%zu", n->dir, i) : NULL;
	write_pb(r, edir, "inputs.pb", &e->inputs->base);
	if (ar->task) {
		Flyteidl__Core__LiteralMap *cached;
		if (cache_lookup(r, n, ar->task->name, e->inputs, &cached)) {
			ar->cached++;
			write_pb(r, edir, "outputs.pb", &cached->base);
			elem_finish(r, n, i, true, cached, NULL);
			return NULL;
		}
		struct rt_job *j = make_job(r, n, i, ar->task->fn, e->inputs, 0);
		if (!j)
			elem_finish(r, n, i, false, NULL, "out of memory");
		return j;
	}
	/* a launch plan or workflow per element */
	Flyteidl__Core__LiteralMap *in = e->inputs;
	if (ar->lp && lp_inputs(r, ar->lp, e->inputs, &in, &err) < 0) {
		elem_finish(r, n, i, false, NULL, dup_printf(r, "%s", err.text));
		return NULL;
	}
	struct wfx *w = wf_new(r, ar->sub_wf, in, dup_printf(r, "%s/%zu/", n->id, i), n, i, &err);
	if (!w) {
		elem_finish(r, n, i, false, NULL, dup_printf(r, "%s", err.text));
		return NULL;
	}
	if (w->nnodes == 0)
		wf_check_done(r, w);
	wf_schedule(r, w);
	return NULL;
}

/* ---- workflow nodes ------------------------------------------------------------------------ */
static int start_workflow_node(struct run *r, struct nodex *n, struct rt_msg *err)
{
	const Flyteidl__Core__WorkflowNode *wn = n->node->workflow_node;
	Flyteidl__Core__WorkflowTemplate *t = NULL;
	Flyteidl__Core__LiteralMap *in = n->inputs;
	if (!wn)
		return rt_msgf(err, "an empty workflow node");
	if (wn->reference_case == FLYTEIDL__CORE__WORKFLOW_NODE__REFERENCE_LAUNCHPLAN_REF) {
		struct ent_lp *lp = find_lp(r, wn->launchplan_ref->name);
		if (!lp)
			return rt_msgf(err, "unknown launch plan %s", wn->launchplan_ref->name);
		if (lp_inputs(r, lp, n->inputs, &in, err) < 0)
			return -1;
		t = lp->wf;
		n->what = lp->name;
	} else if (wn->reference_case == FLYTEIDL__CORE__WORKFLOW_NODE__REFERENCE_SUB_WORKFLOW_REF) {
		if (!(t = find_wf(r, wn->sub_workflow_ref->name)))
			return rt_msgf(err, "unknown workflow %s", wn->sub_workflow_ref->name);
		n->what = t->id->name;
	} else {
		return rt_msgf(err, "a workflow node without a reference");
	}
	struct wfx *w = wf_new(r, t, in, dup_printf(r, "%s/", n->id), n, SIZE_MAX, err);
	if (!w)
		return -1;
	n->child = w;
	if (w->nnodes == 0)
		wf_check_done(r, w);
	wf_schedule(r, w);
	return 0;
}

/* All nodes of w are terminal: bind its outputs and report to its parent. */
static void wf_complete(struct run *r, struct wfx *w)
{
	struct rt_msg err;
	if (!w->failed &&
	    resolve_bindings(r, w, w->tmpl->outputs, w->tmpl->n_outputs, &w->outputs, &err) < 0) {
		w->failed = true;
		add_error(r, w, dup_printf(r, "workflow outputs: %s", err.text));
	}
	if (!w->failed) {
		const char *dir = *w->prefix ? rt_arena_strndup(r->a, w->prefix, strlen(w->prefix) - 1) : "";
		write_pb(r, dir, "outputs.pb", &w->outputs->base);
	}
	char *msg = w->failed ? dup_printf(r, "%s", w->errors ? w->errors : "failed") : NULL;
	size_t l = msg ? strlen(msg) : 0;
	if (l && msg[l - 1] == '\n')
		msg[l - 1] = 0;
	w->errors = msg;
	struct nodex *p = w->parent;
	if (!p)
		return;   /* the root */
	if (w->parent_elem == SIZE_MAX) {
		p->outputs = w->outputs;
		const char *pm = w->failed ? dup_printf(r, "node %s (%s): %s", p->id, p->what, msg) : NULL;
		if (pm)
			write_error(r, p->dir, pm);
		node_done(r, p, w->failed ? ST_FAILED : ST_SUCCEEDED, pm);
	} else {
		elem_finish(r, p, w->parent_elem, !w->failed, w->outputs, msg);
	}
}

/* ---- cancellation ----------------------------------------------------------------------------- */
static bool in_subtree(const struct nodex *n, const struct wfx *w)
{
	for (const struct wfx *x = n->wf; x; x = x->parent ? x->parent->wf : NULL)
		if (x == w)
			return true;
	return false;
}

/* Cancels running jobs of node n (or, with w, of every node under w). */
static void cancel_jobs(struct run *r, struct nodex *n, struct wfx *w)
{
	for (size_t i = 0; i < r->nrunning; i++) {
		struct nodex *o = r->running[i]->owner;
		if ((n && o == n) || (w && in_subtree(o, w)))
			rt_backend_cancel(r->be, r->running[i]);
	}
	/* queued retries of those nodes will not run either */
	struct rt_job **pp = &r->ready;
	r->ready_tail = NULL;
	while (*pp) {
		struct rt_job *j = *pp;
		struct nodex *o = j->owner;
		if ((n && o == n) || (w && in_subtree(o, w))) {
			*pp = j->next;
			if (j->elem == SIZE_MAX) {
				const char *msg = dup_printf(r, "node %s: aborted", o->id);
				write_error(r, o->dir, msg);
				node_done(r, o, ST_FAILED, msg);
			} else {
				o->arr->running--;
				o->arr->failed++;
				o->arr->elems[j->elem].st = ST_FAILED;
				o->arr->elems[j->elem].error = "aborted";
			}
			job_free(r, j);
			continue;
		}
		r->ready_tail = j;
		pp = &j->next;
	}
}

/* A node of w failed and w fails fast: start nothing more under w, cancel what runs. */
static void wf_abort(struct run *r, struct wfx *w)
{
	for (size_t i = 0; i < w->nnodes; i++) {
		struct nodex *n = &w->nodes[i];
		if (n->st == ST_WAITING) {
			node_done(r, n, ST_SKIPPED, NULL);
		} else if (n->st == ST_RUNNING) {
			if (n->arr && !n->arr->failing) {
				n->arr->failing = true;
			}
			if (n->child && !n->child->failed) {
				n->child->failed = true;
				add_error(r, n->child, "aborted");
				wf_abort(r, n->child);
			}
		}
	}
	cancel_jobs(r, NULL, w);
	for (size_t i = 0; i < w->nnodes; i++)
		if (w->nodes[i].arr && w->nodes[i].st == ST_RUNNING)
			array_check(r, &w->nodes[i]);
}

/* ---- the loop ------------------------------------------------------------------------------------ */
static void propagate(struct run *r)
{
	for (;;) {
		if (r->nfin) {
			struct nodex *n = r->fin[--r->nfin];
			struct wfx *w = n->wf;
			w->ndone++;
			if (n->st == ST_FAILED) {
				/* after a fail-fast abort, the aborted nodes are not causes */
				if (!(w->failed && w->fail_fast))
					add_error(r, w, n->error ? n->error : "failed");
				if (!w->failed) {
					w->failed = true;
					if (w->fail_fast)
						wf_abort(r, w);
				}
			}
			wf_schedule(r, w);
			wf_check_done(r, w);
			continue;
		}
		if (r->nwfin) {
			struct wfx *w = r->wfin[--r->nwfin];
			wf_complete(r, w);
			continue;
		}
		break;
	}
}

static int start_job(struct run *r, struct rt_job *j)
{
	struct rt_msg err;
	if (grow((void **)&r->running, &r->crunning, r->nrunning + 1, sizeof *r->running) < 0) {
		oom(r);
		return -1;
	}
	if (rt_backend_start(r->be, j, &err) < 0) {
		rt_result_system(&j->res, true, "%s", err.text);
		return -1;
	}
	j->slot = r->nrunning;
	r->running[r->nrunning++] = j;
	return 0;
}

/* May j start now? Elements of a map with an explicit parallelism hold a slot
 * of their map and do not wait for --jobs. */
static bool may_start(const struct run *r, const struct rt_job *j)
{
	const struct nodex *n = j->owner;
	return r->nrunning < r->slots || (j->elem != SIZE_MAX && n->arr && n->arr->parallelism);
}

static void launch(struct run *r, struct rt_job *j)
{
	if (start_job(r, j) < 0)
		handle_job(r, j);   /* it could not start: a failed attempt */
}

static void dispatch(struct run *r)
{
	for (bool again = true; again;) {
		again = false;
		struct rt_job *q = r->ready;
		r->ready = r->ready_tail = NULL;
		while (q) {
			struct rt_job *j = q;
			q = q->next;
			if (may_start(r, j))
				launch(r, j);
			else
				enqueue(r, j);
		}
		for (size_t k = 0; k < r->narrays; k++) {
			struct nodex *n = r->arrays[k];
			struct arr *ar = n->arr;
			size_t limit = ar->parallelism ? ar->parallelism : r->slots;
			while (ar->next < ar->n && !ar->failing && ar->running < limit) {
				/* elements of maps without a parallelism share the --jobs slots */
				if (!ar->parallelism && ar->task && r->nrunning >= r->slots)
					break;
				struct rt_job *j = start_element(r, n);
				if (j)
					launch(r, j);
				else
					again = true;   /* a workflow element may have queued jobs */
			}
			if (ar->next >= ar->n || ar->failing) {
				ar->queued = false;
				r->arrays[k--] = r->arrays[--r->narrays];
			}
		}
		if (!r->ready)
			again = false;
	}
	rt_backend_flush(r->be);
}

static void job_failed(struct run *r, struct rt_job *j, struct rt_failure *f, bool *retry)
{
	struct nodex *n = j->owner;
	*retry = !j->killed && f->recoverable && (uint32_t)j->opts.attempt < n->retries &&
		 !wf_aborted(n->wf) && !(n->arr && n->arr->failing);
	if (*retry) {
		struct rt_job *k = make_job(r, n, j->elem, j->fn, j->inputs, j->opts.attempt + 1);
		if (k)
			enqueue(r, k);
		else
			*retry = false;
	}
}

static void handle_job(struct run *r, struct rt_job *j)
{
	struct nodex *n = j->owner;
	struct rt_msg err;
	const char *edir = j->elem == SIZE_MAX ? n->dir :
			   r->outdir ? dup_printf(r, "%s/%zu", n->dir, j->elem) : NULL;
	const char *task = n->task ? n->task->name : n->what;
	const Flyteidl__Core__LiteralMap *cache_in = j->inputs;
	if (j->res.ok) {
		Flyteidl__Core__LiteralMap *out = rt_unpack(r->a, &flyteidl__core__literal_map__descriptor,
					     j->res.data, j->res.len, &err);
		if (out) {
			write_bytes(r, edir, "outputs.pb", j->res.data, j->res.len);
			cache_store(r, n, task, cache_in, j->res.data, j->res.len);
			if (j->elem == SIZE_MAX) {
				n->outputs = out;
				node_done(r, n, ST_SUCCEEDED, NULL);
			} else {
				elem_finish(r, n, j->elem, true, out, NULL);
			}
			job_free(r, j);
			return;
		}
		rt_result_free(&j->res);
		rt_result_system(&j->res, false, "unreadable outputs: %s", err.text);
	}
	struct rt_failure f;
	rt_result_failure(r->a, &j->res, &f);
	bool retry;
	job_failed(r, j, &f, &retry);
	if (!retry) {
		if (j->res.data)
			write_bytes(r, edir, "error.pb", j->res.data, j->res.len);
		const char *msg = j->killed ? "aborted" : f.message;
		if (j->elem == SIZE_MAX) {
			node_done(r, n, ST_FAILED,
				  dup_printf(r, "node %s (%s)%s: %s", n->id, task,
					     j->opts.attempt ? dup_printf(r, ", attempt %d", j->opts.attempt + 1) : "",
					     msg));
		} else {
			elem_finish(r, n, j->elem, false, NULL, dup_printf(r, "%s", msg));
		}
	}
	job_free(r, j);
}

static void progress_line(struct run *r, struct nodex *n, bool final)
{
	struct arr *ar = n->arr;
	int64_t now = rt_now_ns();
	if (!final && now - ar->last_progress < PROGRESS_EVERY)
		return;
	ar->last_progress = now;
	fprintf(r->io->err, "\r%s %s: %zu/%zu done, %zu failed, %zu running\033[K%s", n->id, n->what,
		ar->succeeded + ar->failed, ar->n, ar->failed, ar->running, final ? "\n" : "");
	fflush(r->io->err);
}

static void run_loop(struct run *r)
{
	for (;;) {
		propagate(r);
		dispatch(r);
		if (r->nfin || r->nwfin)
			continue;
		if (r->oom) {
			/* stop starting anything; collect what runs */
			r->ready = r->ready_tail = NULL;
			r->narrays = 0;
		}
		if (r->nrunning == 0) {
			if (!r->root->done && !r->oom) {
				/* nothing runs and nothing can start: a cycle */
				add_error(r, r->root, "the workflow cannot progress: its nodes "
					  "depend on each other in a cycle");
				r->root->failed = true;
				r->root->done = true;
				wf_complete(r, r->root);
			}
			return;
		}
		struct rt_job *j = rt_backend_wait(r->be);
		if (!j) {
			fprintf(r->io->err, "run: lost track of running tasks\n");
			return;
		}
		/* every call that has finished, then what they made ready */
		do {
			r->running[j->slot] = r->running[--r->nrunning];
			r->running[j->slot]->slot = j->slot;
			handle_job(r, j);
		} while ((j = rt_backend_poll(r->be)));
	}
}

/* ---- the command --------------------------------------------------------------------------------- */
struct run_args {
	const char *name;
	const char **inputs;   /* "k=v" */
	size_t ninputs;
	size_t jobs;
	const char *outdir;
	bool process;
	bool no_cache;
};

static int parse_run_args(int argc, char **argv, struct run_args *x, const struct rt_io *io)
{
	x->process = true;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	x->jobs = cores > 0 ? (size_t)cores : 1;
	x->inputs = calloc((size_t)argc + 1, sizeof *x->inputs);
	if (!x->inputs)
		return -1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = NULL;
		size_t l;
		if (strncmp(a, "--", 2) == 0) {
			const char *eq = strchr(a, '=');
			l = eq ? (size_t)(eq - a) : strlen(a);
			if (eq)
				v = eq + 1;
			bool needs = strncmp(a, "--jobs", l) == 0 || strncmp(a, "--output-dir", l) == 0 ||
				     strncmp(a, "--isolation", l) == 0;
			if (needs && !v) {
				if (i + 1 >= argc) {
					fprintf(io->err, "run: %s needs a value\n", a);
					return -1;
				}
				v = argv[++i];
			}
			if (l == 6 && strncmp(a, "--jobs", l) == 0) {
				char *end;
				errno = 0;
				long n = strtol(v, &end, 10);
				if (*end || end == v || n < 1 || errno) {
					fprintf(io->err, "run: --jobs needs a positive number, not '%s'\n", v);
					return -1;
				}
				x->jobs = (size_t)n;
			} else if (l == 12 && strncmp(a, "--output-dir", l) == 0) {
				x->outdir = v;
			} else if (l == 11 && strncmp(a, "--isolation", l) == 0) {
				if (strcmp(v, "process") == 0)
					x->process = true;
				else if (strcmp(v, "inprocess") == 0)
					x->process = false;
				else {
					fprintf(io->err, "run: --isolation is process or inprocess, not '%s'\n", v);
					return -1;
				}
			} else if (l == 10 && strncmp(a, "--no-cache", l) == 0 && !eq) {
				x->no_cache = true;
			} else {
				fprintf(io->err, "run: unknown option '%s'\n", a);
				return -1;
			}
		} else if (!x->name) {
			x->name = a;
		} else if (strchr(a, '=') && a[0] != '=') {
			x->inputs[x->ninputs++] = a;
		} else {
			fprintf(io->err, "run: '%s' is not an input (name=value)\n", a);
			return -1;
		}
	}
	if (!x->name) {
		fprintf(io->err, "run: which workflow, launch plan or task?\n");
		return -1;
	}
	return 0;
}

/* One node n0 that runs task t, for `run TASK`. */
static Flyteidl__Core__WorkflowTemplate *task_workflow(struct run *r, struct ent_task *t)
{
	struct rt_arena *a = r->a;
	Flyteidl__Core__WorkflowTemplate *w = rt_arena_alloc(a, sizeof *w);
	Flyteidl__Core__Node *n = rt_arena_alloc(a, sizeof *n), **nodes = rt_arena_alloc(a, sizeof *nodes);
	Flyteidl__Core__TaskNode *tn = rt_arena_alloc(a, sizeof *tn);
	const Flyteidl__Core__TypedInterface *ti = t->tmpl->interface;
	size_t ni = ti->inputs ? ti->inputs->n_variables : 0, no = ti->outputs ? ti->outputs->n_variables : 0;
	Flyteidl__Core__Binding **ins = rt_arena_array(a, ni + 1, sizeof *ins);
	Flyteidl__Core__Binding **outs = rt_arena_array(a, no + 1, sizeof *outs);
	if (!w || !n || !nodes || !tn || !ins || !outs)
		return NULL;
	flyteidl__core__workflow_template__init(w);
	flyteidl__core__node__init(n);
	flyteidl__core__task_node__init(tn);
	tn->reference_case = FLYTEIDL__CORE__TASK_NODE__REFERENCE_REFERENCE_ID;
	tn->reference_id = t->tmpl->id;
	n->id = "n0";
	w->id = t->tmpl->id;
	w->interface = (Flyteidl__Core__TypedInterface *)ti;
	/* outputs in the C task's declaration order (the interface map is sorted) */
	const char **onames = rt_arena_array(a, no + 1, sizeof *onames);
	if (!onames)
		return NULL;
	for (size_t i = 0; i < no; i++)
		onames[i] = ti->outputs->variables[i]->key;
	if (t->fn && t->fn->noutputs == no) {
		size_t k = 0;
		for (size_t i = 0; i < no; i++)
			for (size_t j = 0; j < no; j++)
				if (strcmp(ti->outputs->variables[j]->key, t->fn->outputs[i].name) == 0)
					onames[k++] = ti->outputs->variables[j]->key;
		if (k != no)
			for (size_t i = 0; i < no; i++)
				onames[i] = ti->outputs->variables[i]->key;
	}
	for (size_t pass = 0; pass < 2; pass++) {
		const Flyteidl__Core__VariableMap *vm = pass ? ti->outputs : ti->inputs;
		for (size_t i = 0; vm && i < vm->n_variables; i++) {
			Flyteidl__Core__Binding *b = rt_arena_alloc(a, sizeof *b);
			Flyteidl__Core__BindingData *bd = rt_arena_alloc(a, sizeof *bd);
			Flyteidl__Core__OutputReference *o = rt_arena_alloc(a, sizeof *o);
			if (!b || !bd || !o)
				return NULL;
			flyteidl__core__binding__init(b);
			flyteidl__core__binding_data__init(bd);
			flyteidl__core__output_reference__init(o);
			b->var = pass ? (char *)onames[i] : vm->variables[i]->key;
			o->var = b->var;
			o->node_id = pass ? "n0" : "";
			bd->value_case = BIND(PROMISE);
			bd->promise = o;
			b->binding = bd;
			(pass ? outs : ins)[i] = b;
		}
	}
	n->n_inputs = ni;
	n->inputs = ins;
	if (t->map && !t->legacy) {
		/* a map task run directly: an array node, every element must succeed */
		Flyteidl__Core__ArrayNode *an = rt_arena_alloc(a, sizeof *an);
		Flyteidl__Core__Node *sub = rt_arena_alloc(a, sizeof *sub);
		if (!an || !sub)
			return NULL;
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

struct target {
	Flyteidl__Core__WorkflowTemplate *wf;
	struct ent_lp *lp;
	const char *kind;
	const char *name;
};

static int find_target(struct run *r, const char *name, struct target *t, struct rt_msg *err)
{
	const char *cands[2] = { name, NULL };
	if (r->m->name && !strchr(name, '.'))
		cands[1] = rt_arena_printf(r->a, "%s.%s", r->m->name, name);
	for (int k = 0; k < 2 && cands[k]; k++) {
		const char *c = cands[k];
		struct ent_lp *lp = find_lp(r, c);
		if (lp) {
			*t = (struct target){ lp->wf, lp, "launch plan", c };
			return 0;
		}
		Flyteidl__Core__WorkflowTemplate *w = find_wf(r, c);
		if (w) {
			*t = (struct target){ w, NULL, "workflow", c };
			return 0;
		}
		struct ent_task *tk = find_task(r, c);
		if (tk) {
			if (!(w = task_workflow(r, tk)))
				return rt_msgf(err, "out of memory");
			*t = (struct target){ w, NULL, "task", c };
			return 0;
		}
		const flrt_task *fn = rt_find_task(r->m, c);
		if (fn)
			return rt_msgf(err, "task %s has no embedded TaskTemplate in this executable", c);
	}
	struct rt_buf b = { 0 };
	for (size_t i = 0; i < r->nlps; i++)
		rt_buf_printf(&b, " %s", r->lps[i].name);
	for (size_t i = 0; i < r->nwfs; i++)
		if (!find_lp(r, r->wfs[i].name))
			rt_buf_printf(&b, " %s", r->wfs[i].name);
	for (size_t i = 0; i < r->ntasks; i++)
		rt_buf_printf(&b, " %s", r->tasks[i].name);
	rt_msgf(err, "no workflow, launch plan or task named '%s' (there are:%s)", name,
		 b.data ? (char *)b.data : " none");
	rt_buf_free(&b);
	return -1;
}

/* name=value arguments, typed by the target's interface */
static int cli_inputs(struct run *r, const struct target *t, const struct run_args *x, Flyteidl__Core__LiteralMap **out, struct rt_msg *err)
{
	Flyteidl__Core__LiteralMap *m = rt_litmap_new(r->a, x->ninputs);
	if (!m)
		return rt_msgf(err, "out of memory");
	for (size_t i = 0; i < x->ninputs; i++) {
		const char *eq = strchr(x->inputs[i], '=');
		char *k = rt_arena_strndup(r->a, x->inputs[i], (size_t)(eq - x->inputs[i]));
		const Flyteidl__Core__LiteralType *lt = NULL;
		if (!k)
			return rt_msgf(err, "out of memory");
		const Flyteidl__Core__ParameterMap *pm = t->lp && t->lp->lp->spec->default_inputs
			? t->lp->lp->spec->default_inputs : NULL;
		for (size_t p = 0; pm && p < pm->n_parameters; p++)
			if (strcmp(pm->parameters[p]->key, k) == 0 && pm->parameters[p]->value &&
			    pm->parameters[p]->value->var)
				lt = pm->parameters[p]->value->var->type;
		const Flyteidl__Core__VariableMap *vm = t->wf->interface ? t->wf->interface->inputs : NULL;
		for (size_t p = 0; !lt && vm && p < vm->n_variables; p++)
			if (strcmp(vm->variables[p]->key, k) == 0 && vm->variables[p]->value)
				lt = vm->variables[p]->value->type;
		if (t->lp && rt_litmap_get(t->lp->lp->spec->fixed_inputs, k))
			return rt_msgf(err, "input '%s' is fixed by launch plan %s", k, t->name);
		if (!lt) {
			struct rt_buf b = { 0 };
			for (size_t p = 0; vm && p < vm->n_variables; p++)
				rt_buf_printf(&b, " %s", vm->variables[p]->key);
			rt_msgf(err, "%s %s has no input '%s' (its inputs:%s)", t->kind, t->name, k,
				 b.data ? (char *)b.data : " none");
			rt_buf_free(&b);
			return -1;
		}
		for (size_t p = 0; p < i; p++)
			if (strcmp(m->literals[p]->key, k) == 0)
				return rt_msgf(err, "input '%s' is given twice", k);
		Flyteidl__Core__Literal *l;
		if (rt_json_to_literal(r->a, eq + 1, lt, &l, err) < 0) {
			struct rt_buf b = { 0 };
			ltype_text(lt, &b);
			rt_msg_prefix(err, "input '%s' (%s)", k, b.data ? (char *)b.data : "");
			rt_buf_free(&b);
			return -1;
		}
		rt_litmap_set(m, i, k, l);
	}
	*out = m;
	return 0;
}

static void print_result(struct run *r, const struct wfx *w)
{
	struct rt_buf b = { 0 };
	rt_buf_putc(&b, '{');
	for (size_t i = 0; i < w->tmpl->n_outputs; i++) {
		const char *k = w->tmpl->outputs[i]->var;
		rt_buf_printf(&b, "%s\"%s\": ", i ? ", " : "", k);
		rt_literal_to_json(&b, rt_litmap_get(w->outputs, k));
	}
	rt_buf_printf(&b, "}\n");
	if (b.data)
		fwrite(b.data, 1, b.len, r->io->out);
	fflush(r->io->out);
	rt_buf_free(&b);
}

int rt_cmd_run(const flrt_module *m, int argc, char **argv, const struct rt_io *io)
{
	struct run_args x = { 0 };
	struct run rr = { 0 }, *r = &rr;
	struct rt_msg err;
	int status = 1, saved_stdout = -1;
	if (parse_run_args(argc, argv, &x, io) < 0) {
		fprintf(io->err, "usage: struct run NAME [input=value ...] [--jobs N] [--output-dir DIR] "
			"[--isolation process|inprocess] [--no-cache]\n");
		free(x.inputs);
		return 2;
	}
	r->m = m;
	r->io = io;
	r->jobs = x.jobs;
	/* threads take queued calls without waiting for the scheduler */
	r->slots = x.process ? x.jobs : x.jobs * 16;
	r->outdir = x.outdir;
	r->progress = isatty(fileno(io->err)) || (getenv("FLYTEC_PROGRESS") && *getenv("FLYTEC_PROGRESS"));
	if (!(r->a = rt_arena_new()) || !(r->be = rt_backend_new(x.process, x.jobs))) {
		fprintf(io->err, "run: out of memory\n");
		goto cleanup;
	}
	if (load_entities(r, &err) < 0) {
		fprintf(io->err, "run: %s\n", err.text);
		goto cleanup;
	}
	struct target t = { 0 };
	Flyteidl__Core__LiteralMap *given = NULL, *inputs;
	if (find_target(r, x.name, &t, &err) < 0 || cli_inputs(r, &t, &x, &given, &err) < 0) {
		fprintf(io->err, "run: %s\n", err.text);
		status = 2;
		goto cleanup;
	}
	inputs = given;
	if (t.lp && lp_inputs(r, t.lp, given, &inputs, &err) < 0) {
		fprintf(io->err, "run: %s\n", err.text);
		status = 2;
		goto cleanup;
	}
	if (r->outdir && rt_mkdirs(r->outdir, &err) < 0) {
		fprintf(io->err, "run: --output-dir: %s\n", err.text);
		goto cleanup;
	}
	r->cache_off = x.no_cache;
	if (!(r->root = wf_new(r, t.wf, inputs, "", NULL, SIZE_MAX, &err))) {
		fprintf(io->err, "run: %s\n", err.text);
		status = 2;
		goto cleanup;
	}
	/* stdout holds the result only: tasks' output goes to stderr meanwhile */
	if (io->out == stdout) {
		fflush(stdout);
		saved_stdout = dup(STDOUT_FILENO);
		if (saved_stdout >= 0)
			dup2(STDERR_FILENO, STDOUT_FILENO);
	}
	if (r->root->nnodes == 0)
		wf_check_done(r, r->root);
	wf_schedule(r, r->root);
	run_loop(r);
	if (saved_stdout >= 0) {
		fflush(stdout);
		dup2(saved_stdout, STDOUT_FILENO);
		close(saved_stdout);
	}
	if (r->oom) {
		fprintf(io->err, "run: out of memory\n");
	} else if (r->root->failed || !r->root->outputs) {
		fprintf(io->err, "run: %s %s failed:\n%s\n", t.kind, t.name,
			r->root->errors ? r->root->errors : "");
	} else {
		print_result(r, r->root);
		status = 0;
	}
cleanup:
	for (struct rt_job *j = r->ready; j;) {
		struct rt_job *n = j->next;
		rt_result_free(&j->res);
		free(j);
		j = n;
	}
	for (struct rt_job *j = r->free_jobs; j;) {
		struct rt_job *n = j->next;
		rt_result_free(&j->res);
		free(j);
		j = n;
	}
	rt_cache_close(r->cache);
	rt_backend_free(r->be);
	free(r->running);
	free(r->arrays);
	free(r->fin);
	free(r->wfin);
	free(r->tasks);
	free(r->wfs);
	free(r->lps);
	rt_arena_free(r->a);
	free(x.inputs);
	return status;
}
