/* slurm_submit.c: how the Slurm engine submits: the calls started together
 * grouped into jobs (a task node's call: one job; a map's elements of one
 * attempt: one job array), their inputs.pb, the job script (the Flyte
 * entrypoint with the task's env, BATCH_JOB_ARRAY_INDEX_VAR_NAME for maps)
 * and the sbatch flags of the task's options (timeout, requests and
 * limits, interruptible, the map's parallelism). */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "slurm_impl.h"

#define RES(x) FLYTEIDL__CORE__RESOURCES__RESOURCE_NAME__##x

/* ---- sbatch flags of the task's options --------------------------------------------------- */
static const char *res_value(const Flyteidl__Core__Resources *rs, bool limits, int name)
{
	size_t n = rs == NULL ? 0 : limits ? rs->n_limits : rs->n_requests;
	for (size_t i = 0; i < n; i++) {
		const Flyteidl__Core__Resources__ResourceEntry *e = limits ? rs->limits[i] : rs->requests[i];
		if ((int)e->name == name && e->value != NULL && *e->value)
			return e->value;
	}
	return NULL;
}

/* A Kubernetes quantity ("500m", "2", "256Mi", "1G") as a number; -1 when it
 * is not one. */
static double quantity(const char *s)
{
	static const struct { const char *sfx; double mul; } units[] = {
		{ "m", 1e-3 }, { "k", 1e3 }, { "M", 1e6 }, { "G", 1e9 }, { "T", 1e12 }, { "P", 1e15 },
		{ "Ki", 1024.0 }, { "Mi", 1048576.0 }, { "Gi", 1073741824.0 },
		{ "Ti", 1099511627776.0 }, { "Pi", 1125899906842624.0 }, { "", 1 },
	};
	char *end;
	double v = strtod(s, &end);
	if (end == s || !(v >= 0))
		return -1;
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (strcmp(end, units[i].sfx) == 0)
			return v * units[i].mul;
	return -1;
}

struct argv_buf {
	char **v;
	size_t n, cap;
	bool oom;
};

static void arg_add(struct argv_buf *a, const char *s)
{
	if (s == NULL || rt_grow((void **)&a->v, &a->cap, a->n + 2, sizeof *a->v) < 0) {
		a->oom = true;
		return;
	}
	a->v[a->n++] = (char *)s;
	a->v[a->n] = NULL;
}

/* The task node's resource overrides (a call's `with`, a map's options): an
 * ArrayNode's are on its sub-node. */
static const Flyteidl__Core__Resources *overrides(const struct rt_node *n)
{
	const Flyteidl__Core__Node *node = n->node;
	if (node->target_case == NODE(ARRAY_NODE) && node->array_node != NULL && node->array_node->node != NULL)
		node = node->array_node->node;
	if (node->target_case != NODE(TASK_NODE) || node->task_node == NULL || node->task_node->overrides == NULL)
		return NULL;
	return node->task_node->overrides->resources;
}

/* A resource of the node's overrides, else of the task's container. */
static const char *resource(const struct rt_node *n, bool limits, int name)
{
	const Flyteidl__Core__TaskTemplate *tt = n->task->tmpl;
	const char *v = res_value(overrides(n), limits, name);
	if (v == NULL && tt->target_case == FLYTEIDL__CORE__TASK_TEMPLATE__TARGET_CONTAINER && tt->container != NULL)
		v = res_value(tt->container->resources, limits, name);
	return v;
}

/* Slurm allocates what a job asks for and (with cgroups) holds it to that:
 * CPUs from the requests (else the limits), memory and GPUs from the limits
 * (else the requests). */
static void resource_flags(struct rt_slurm *s, const struct rt_node *n, struct argv_buf *a)
{
	struct rt_arena *ar = s->r->a;
	const char *cpu = resource(n, false, RES(CPU)), *mem = resource(n, true, RES(MEMORY));
	const char *gpu = resource(n, true, RES(GPU));
	cpu = cpu != NULL ? cpu : resource(n, true, RES(CPU));
	mem = mem != NULL ? mem : resource(n, false, RES(MEMORY));
	gpu = gpu != NULL ? gpu : resource(n, false, RES(GPU));
	double q;
	if (cpu != NULL && (q = quantity(cpu)) > 0)
		arg_add(a, rt_arena_printf(ar, "--cpus-per-task=%.0f", ceil(q - 1e-9)));
	if (mem != NULL && (q = quantity(mem)) > 0)
		arg_add(a, rt_arena_printf(ar, "--mem=%.0fM", ceil(q / 1048576.0 - 1e-9)));
	if (gpu != NULL && (q = quantity(gpu)) > 0)
		arg_add(a, rt_arena_printf(ar, "--gres=gpu:%.0f", ceil(q - 1e-9)));
}

static bool interruptible(const struct rt_node *n, const Flyteidl__Core__TaskTemplate *tt)
{
	const Flyteidl__Core__NodeMetadata *nm = n->node->metadata;
	if (nm != NULL && nm->interruptible_value_case ==
			      FLYTEIDL__CORE__NODE_METADATA__INTERRUPTIBLE_VALUE_INTERRUPTIBLE)
		return nm->interruptible;
	const Flyteidl__Core__TaskMetadata *tm = tt->metadata;
	return tm != NULL && tm->interruptible_value_case ==
				     FLYTEIDL__CORE__TASK_METADATA__INTERRUPTIBLE_VALUE_INTERRUPTIBLE &&
	       tm->interruptible;
}

/* --time in whole minutes (Slurm's unit), at least the task's timeout; the
 * engine itself stops the job at the timeout, as propeller does. */
static void option_flags(struct rt_slurm *s, const struct rt_node *n, struct argv_buf *a)
{
	const Flyteidl__Core__TaskTemplate *tt = n->task->tmpl;
	if (n->timeout_ns > 0)
		arg_add(a, rt_arena_printf(s->r->a, "--time=%lld",
					   (long long)((n->timeout_ns + 59999999999LL) / 60000000000LL)));
	resource_flags(s, n, a);
	arg_add(a, interruptible(n, tt) ? "--requeue" : "--no-requeue");
}

/* ---- the job script ------------------------------------------------------------------------ */
static void sh_quote(struct base_buf *b, const char *s)
{
	base_buf_putc(b, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			base_buf_puts(b, "'\\''");
		else
			base_buf_putc(b, *s);
	}
	base_buf_putc(b, '\'');
}

/* 'A'"$SLURM_ARRAY_TASK_ID"'B' for A@B: the element's own directory */
static void sh_quote_index(struct base_buf *b, const char *a, const char *rest)
{
	sh_quote(b, a);
	base_buf_puts(b, "\"$SLURM_ARRAY_TASK_ID\"");
	sh_quote(b, rest);
}

struct group {
	const struct rt_node *n;
	int attempt;
	bool array;
	size_t count;
	const char *inputs, *base;    /* <run>/<node>/data/inputs.pb, <run>/<node> */
};

static void script_command(struct rt_slurm *s, const struct group *g, struct base_buf *b)
{
	const struct rt_ent_task *t = g->n->task;
	const Flyteidl__Core__TaskTemplate *tt = t->tmpl;
	const Flyteidl__Core__Container *c = tt->target_case == FLYTEIDL__CORE__TASK_TEMPLATE__TARGET_CONTAINER
		? tt->container : NULL;
	bool legacy = g->array && g->n->node->target_case != NODE(ARRAY_NODE);
	base_buf_puts(b, "exec env");
	if (g->array)
		base_buf_puts(b, " BATCH_JOB_ARRAY_INDEX_VAR_NAME=SLURM_ARRAY_TASK_ID");
	base_buf_printf(b, " FLYTE_ATTEMPT_NUMBER=%d", g->attempt);
	for (size_t i = 0; c != NULL && i < c->n_env; i++) {
		base_buf_putc(b, ' ');
		sh_quote(b, rt_arena_printf(s->r->a, "%s=%s", c->env[i]->key, c->env[i]->value));
	}
	base_buf_puts(b, " \\\n\t");
	sh_quote(b, s->exe);
	base_buf_printf(b, " %s --inputs ", g->array ? "map-execute" : "execute");
	sh_quote(b, g->inputs);
	base_buf_puts(b, " \\\n\t--output-prefix ");
	const char *att = rt_arena_printf(s->r->a, "/%d", g->attempt);
	if (g->array && !legacy)
		sh_quote_index(b, rt_arena_printf(s->r->a, "%s/data/", g->base), att);
	else
		sh_quote(b, rt_arena_printf(s->r->a, "%s/data%s", g->base, att));
	base_buf_puts(b, " \\\n\t--raw-output-data-prefix ");
	const char *raw = rt_arena_printf(s->r->a, "%s/raw/%s", s->dir, g->n->id);
	if (g->array)
		sh_quote_index(b, rt_arena_printf(s->r->a, "%s/", raw), att);
	else
		sh_quote(b, rt_arena_printf(s->r->a, "%s%s", raw, att));
	base_buf_puts(b, " \\\n\t--task ");
	sh_quote(b, t->fn_name);
	if (legacy)
		base_buf_puts(b, " --legacy");
	const struct rt_array *ar = g->n->arr;
	if (g->array && !legacy && ar->nbound) {
		struct base_buf bl = { 0 };
		for (size_t i = 0; i < ar->nbound; i++)
			base_buf_printf(&bl, "%s%s", i ? "," : "", ar->bound[i]);
		base_buf_puts(b, " --bound ");
		sh_quote(b, base_buf_str(&bl));
		base_buf_free(&bl);
	}
	base_buf_putc(b, '\n');
}

static const char *write_script(struct rt_slurm *s, const struct group *g, const char *flat, struct rt_msg *err)
{
	struct base_buf b = { 0 };
	base_buf_printf(&b, "#!/bin/sh\n# flytec run %s: node %s (task %s), attempt %d%s\n", s->runid,
			g->n->id, g->n->task->name, g->attempt, g->array ? ", map elements" : "");
	script_command(s, g, &b);
	const char *path = rt_arena_printf(s->r->a, "%s/jobs/%u-%s.%d.sh", s->dir, ++s->seq, flat, g->attempt);
	int rc = path != NULL && b.data != NULL ? rt_write_file(path, b.data, b.len, err) : rt_msgf(err, "out of memory");
	base_buf_free(&b);
	return rc < 0 ? NULL : path;
}

/* ---- submitting ------------------------------------------------------------------------------ */
static int write_inputs(struct rt_slurm *s, struct group *g, const Flyteidl__Core__LiteralMap *in, struct rt_msg *err)
{
	uint8_t *data;
	size_t len;
	const char *dir = rt_arena_printf(s->r->a, "%s/data", g->base);
	g->inputs = rt_arena_printf(s->r->a, "%s/inputs.pb", dir);
	if (dir == NULL || g->inputs == NULL)
		return rt_msgf(err, "out of memory");
	if (rt_mkdirs(dir, err) < 0 || rt_pack_arena_as_is(s->r->a, &in->base, &data, &len, err) < 0 ||
	    rt_write_file(g->inputs, data, len, err) < 0)
		return -1;
	return 0;
}

/* --array=0-3,7%2: the group's indexes, the map's parallelism */
static const char *array_flag(struct rt_slurm *s, struct sl_job *l, const struct group *g)
{
	size_t *idx = malloc((g->count ? g->count : 1) * sizeof *idx), k = 0;
	if (idx == NULL)
		return NULL;
	for (; l != NULL; l = l->next)
		idx[k++] = l->j->elem;
	struct base_buf b = { 0 };
	base_buf_puts(&b, "--array=");
	rt_summarize_indexes(idx, k, &b);
	if (g->n->arr->parallelism)
		base_buf_printf(&b, "%%%u", g->n->arr->parallelism);
	const char *f = b.data != NULL ? rt_arena_strdup(s->r->a, b.data) : NULL;
	base_buf_free(&b);
	free(idx);
	return f;
}

static int sbatch(struct rt_slurm *s, struct sl_job *l, const struct group *g, const char *flat, char *id,
		  size_t idlen, struct rt_msg *err)
{
	const char *script = write_script(s, g, flat, err);
	if (script == NULL)
		return -1;
	struct argv_buf a = { 0 };
	arg_add(&a, "sbatch");
	arg_add(&a, "--parsable");
	arg_add(&a, rt_arena_printf(s->r->a, "--job-name=%s", s->name));
	arg_add(&a, rt_arena_printf(s->r->a, "--chdir=%s", s->dir));
	arg_add(&a, rt_arena_printf(s->r->a, "--output=%s/logs/%s.%d%s.log", s->dir, flat, g->attempt,
				    g->array ? ".%a" : ""));
	option_flags(s, g->n, &a);
	if (g->array)
		arg_add(&a, array_flag(s, l, g));
	arg_add(&a, script);
	if (a.oom) {
		free(a.v);
		return rt_msgf(err, "out of memory");
	}
	struct base_buf out = { 0 }, errs = { 0 };
	int rc = rt_sl_run_cmd(a.v, &out, &errs);
	free(a.v);
	size_t k = 0;
	const char *o = base_buf_str(&out);
	while (k + 1 < idlen && o[k] >= '0' && o[k] <= '9') {
		id[k] = o[k];
		k++;
	}
	id[k] = 0;
	if (rc != 0 || k == 0) {
		const char *why = rc < 0 ? "cannot run it" : rt_sl_first_line(errs.len ? &errs : &out);
		rt_msgf(err, "%s%s", strncmp(why, "sbatch: ", 8) == 0 ? "" : "sbatch: ", why);
	}
	base_buf_free(&out);
	base_buf_free(&errs);
	return rc != 0 || k == 0 ? -1 : 0;
}

/* Submits the calls of list l (one node, one attempt) as one job or array. */
static void submit(struct rt_slurm *s, struct sl_job *l, struct group *g)
{
	struct rt_msg err;
	char id[32];
	const char *flat = rt_arena_strdup(s->r->a, g->n->id);
	for (char *p = (char *)flat; p != NULL && *p; p++)
		if (*p == '/')
			*p = '.';
	g->base = rt_arena_printf(s->r->a, "%s/%s", s->dir, g->n->id);
	if (flat == NULL || g->base == NULL)
		rt_msgf(&err, "out of memory");
	int rc = flat == NULL || g->base == NULL ? -1 :
		 write_inputs(s, g, g->array ? g->n->inputs : l->j->inputs, &err) < 0 ? -1 :
		 sbatch(s, l, g, flat, id, sizeof id, &err);
	while (l != NULL) {
		struct sl_job *sj = l;
		l = l->next;
		if (rc < 0) {
			rt_result_system(&sj->j->res, false, "cannot submit to Slurm: %s", err.text);
			rt_sl_push_done(s, sj);
			continue;
		}
		if (g->array)
			snprintf(sj->id, sizeof sj->id, "%s_%zu", id, sj->j->elem);
		else
			snprintf(sj->id, sizeof sj->id, "%s", id);
		sj->log = g->array ? rt_arena_printf(s->r->a, "%s/logs/%s.%d.%zu.log", s->dir, flat, g->attempt,
						     sj->j->elem)
				   : rt_arena_printf(s->r->a, "%s/logs/%s.%d.log", s->dir, flat, g->attempt);
		sj->next = s->active;
		s->active = sj;
	}
}

void rt_slurm_flush(struct rt_slurm *s)
{
	while (s->pend != NULL) {
		/* the first pending call and every other of its node and attempt */
		struct sl_job *head = s->pend, *grp = NULL, **gt = &grp;
		struct group g = { node_of_job(head->j), head->j->opts.attempt, head->j->elem != SIZE_MAX, 0, NULL, NULL };
		struct sl_job **pp = &s->pend;
		s->pend_tail = NULL;
		while (*pp != NULL) {
			struct sl_job *x = *pp;
			bool same = x == head || (g.array && x->j->elem != SIZE_MAX && x->j->owner == head->j->owner &&
						  x->j->opts.attempt == g.attempt);
			if (same) {
				*pp = x->next;
				x->next = NULL;
				*gt = x;
				gt = &x->next;
				g.count++;
			} else {
				s->pend_tail = x;
				pp = &x->next;
			}
		}
		submit(s, grp, &g);
	}
}
