/* dispatch.c: task calls of `run`: jobs (one attempt of one call), the
 * --jobs slots, the backend, retries of recoverable failures, the result
 * cache, and the loop that waits for calls and hands on what they finish. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "run_impl.h"

static struct rt_job *job_new(struct rt_run *r)
{
	struct rt_job *j = r->free_jobs;
	struct rt_result keep = { 0 };   /* a recycled job keeps its result buffer */
	if (j != NULL) {
		r->free_jobs = j->next;
		keep = j->res;
	} else if ((j = malloc(sizeof *j)) == NULL) {
		return NULL;
	}
	memset(j, 0, sizeof *j);
	j->res = keep;
	rt_result_reset(&j->res);
	j->fd = -1;
	return j;
}

void rt_job_free(struct rt_run *r, struct rt_job *j)
{
	if (j->res.cap > 65536)   /* keep small buffers only */
		rt_result_free(&j->res);
	base_buf_free(&j->buf);
	j->next = r->free_jobs;
	r->free_jobs = j;
}

void rt_job_enqueue(struct rt_run *r, struct rt_job *j)
{
	j->next = NULL;
	if (r->ready_tail != NULL)
		r->ready_tail->next = j;
	else
		r->ready = j;
	r->ready_tail = j;
}

struct rt_job *rt_job_make(struct rt_run *r, struct rt_node *n, size_t ix, const flrt_task *fn,
			 const Flyteidl__Core__LiteralMap *inputs, int attempt)
{
	struct rt_job *j = job_new(r);
	if (j == NULL) {
		rt_run_oom(r);
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

static struct rt_cache *cache(struct rt_run *r)
{
	struct rt_msg err;
	if (r->cache == NULL && !r->cache_off &&
	    (r->cache = rt_cache_open(r->cache_dir, &err)) == NULL) {
		fprintf(r->io->err, "run: the cache is off: %s\n", err.text);
		r->cache_off = true;
	}
	return r->cache;
}

static bool ignored_input(const Flyteidl__Core__TaskMetadata *tm, const char *name)
{
	for (size_t i = 0; tm != NULL && i < tm->n_cache_ignore_input_vars; i++)
		if (strcmp(tm->cache_ignore_input_vars[i], name) == 0)
			return true;
	return false;
}

/* The key of a call of n's task: flytepropeller's catalog key (task name,
 * cache version, interface hash, the inputs without cache_ignore_input_vars). */
static int cache_key(struct rt_run *r, struct rt_node *n, const char *task,
		     const Flyteidl__Core__LiteralMap *inputs, struct rt_cache_key *k)
{
	struct rt_msg err;
	const Flyteidl__Core__TaskTemplate *tt = n->task != NULL ? n->task->tmpl : NULL;
	const Flyteidl__Core__TaskMetadata *tm = tt != NULL ? tt->metadata : NULL;
	if (!n->cacheable || tt == NULL || n->task->fn == NULL || cache(r) == NULL)
		return -1;
	Flyteidl__Core__LiteralMap kept = *inputs;
	if (tm != NULL && tm->n_cache_ignore_input_vars) {
		kept.literals = rt_arena_array(r->a, inputs->n_literals + 1, sizeof *kept.literals);
		if (kept.literals == NULL)
			return -1;
		kept.n_literals = 0;
		for (size_t i = 0; i < inputs->n_literals; i++)
			if (!ignored_input(tm, inputs->literals[i]->key))
				kept.literals[kept.n_literals++] = inputs->literals[i];
	}
	uint8_t *in;
	size_t inlen;
	const char *iface = rt_cache_iface(r->cache, r->a, tt->interface, &err);
	if (iface == NULL || rt_pack_arena_as_is(r->a, &kept.base, &in, &inlen, &err) < 0)
		return -1;
	*k = (struct rt_cache_key){ task, n->cache_version != NULL ? n->cache_version : "", iface, in, inlen };
	return 0;
}

/* 1: outputs found in the cache (unpacked into *out) and checked against
 * the task's outputs; a bad entry is a miss (the call replaces it). */
int rt_run_cache_get(struct rt_run *r, struct rt_node *n, const char *task, const Flyteidl__Core__LiteralMap *inputs,
			Flyteidl__Core__LiteralMap **out)
{
	struct rt_msg err;
	struct rt_cache_key k;
	uint8_t *val;
	size_t vlen;
	if (cache_key(r, n, task, inputs, &k) < 0 || rt_cache_get(r->cache, r->a, &k, &val, &vlen) != 1)
		return 0;
	Flyteidl__Core__LiteralMap *m = rt_unpack(r->a, &flyteidl__core__literal_map__descriptor, val, vlen, &err);
	if (m == NULL || rt_cache_check(r->cache, n->task->fn, m, &err) < 0) {
		fprintf(r->io->err, "run: ignoring a bad cache entry of %s (version %s): %s\n",
			task, k.version, err.text);
		return 0;
	}
	*out = m;
	return 1;
}

static void cache_store(struct rt_run *r, struct rt_node *n, const char *task, const Flyteidl__Core__LiteralMap *inputs,
			const uint8_t *out, size_t outlen)
{
	struct rt_cache_key k;
	if (cache_key(r, n, task, inputs, &k) < 0)
		return;
	if (rt_cache_put(r->cache, &k, out, outlen) < 0)
		fprintf(r->io->err, "run: cannot write to the cache\n");
}

static void handle_job(struct rt_run *r, struct rt_job *j);

static int start_job(struct rt_run *r, struct rt_job *j)
{
	struct rt_msg err;
	if (rt_grow((void **)&r->running, &r->crunning, r->nrunning + 1, sizeof *r->running) < 0) {
		rt_run_oom(r);
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
static bool may_start(const struct rt_run *r, const struct rt_job *j)
{
	const struct rt_node *n = j->owner;
	return r->nrunning < r->slots || (j->elem != SIZE_MAX && n->arr != NULL && n->arr->parallelism);
}

static void launch(struct rt_run *r, struct rt_job *j)
{
	if (start_job(r, j) < 0)
		handle_job(r, j);   /* it could not start: a failed attempt */
}

static void dispatch(struct rt_run *r)
{
	for (bool again = true; again;) {
		again = false;
		struct rt_job *q = r->ready;
		r->ready = r->ready_tail = NULL;
		while (q != NULL) {
			struct rt_job *j = q;
			q = q->next;
			if (may_start(r, j))
				launch(r, j);
			else
				rt_job_enqueue(r, j);
		}
		for (size_t k = 0; k < r->narrays; k++) {
			struct rt_node *n = r->arrays[k];
			struct rt_array *ar = n->arr;
			/* an engine that throttles a task map itself gets all its elements */
			size_t limit = ar->parallelism && !(r->engine_throttles && ar->task != NULL)
				       ? ar->parallelism : r->slots;
			while (ar->next < ar->n && !ar->failing && ar->running < limit) {
				/* elements of maps without a parallelism share the --jobs slots */
				if (!ar->parallelism && ar->task != NULL && r->nrunning >= r->slots)
					break;
				struct rt_job *j = rt_array_start_element(r, n);
				if (j != NULL)
					launch(r, j);
				else
					again = true;   /* a workflow element may have queued jobs */
			}
			if (ar->next >= ar->n || ar->failing) {
				ar->queued = false;
				r->arrays[k--] = r->arrays[--r->narrays];
			}
		}
		if (r->ready == NULL)
			again = false;
	}
	rt_backend_flush(r->be);
}

static void job_failed(struct rt_run *r, struct rt_job *j, struct rt_failure *f, bool *retry)
{
	struct rt_node *n = j->owner;
	*retry = !j->killed && f->recoverable && (uint32_t)j->opts.attempt < n->retries &&
		 !rt_wf_aborted(n->wf) && !(n->arr != NULL && n->arr->failing);
	if (*retry) {
		struct rt_job *k = rt_job_make(r, n, j->elem, j->fn, j->inputs, j->opts.attempt + 1);
		if (k != NULL)
			rt_job_enqueue(r, k);
		else
			*retry = false;
	}
}

static void handle_job(struct rt_run *r, struct rt_job *j)
{
	struct rt_node *n = j->owner;
	struct rt_msg err;
	const char *edir = j->elem == SIZE_MAX ? n->dir :
			   r->outdir != NULL ? rt_run_printf(r, "%s/%zu", n->dir, j->elem) : NULL;
	const char *task = n->task != NULL ? n->task->name : n->what;
	const Flyteidl__Core__LiteralMap *cache_in = j->inputs;
	if (j->res.ok) {
		Flyteidl__Core__LiteralMap *out = rt_unpack(r->a, &flyteidl__core__literal_map__descriptor,
					     j->res.data, j->res.len, &err);
		if (out != NULL) {
			rt_run_write_bytes(r, edir, "outputs.pb", j->res.data, j->res.len);
			cache_store(r, n, task, cache_in, j->res.data, j->res.len);
			if (j->elem == SIZE_MAX) {
				n->outputs = out;
				rt_node_done(r, n, RT_ST_SUCCEEDED, NULL);
			} else {
				rt_elem_finish(r, n, j->elem, true, out, NULL);
			}
			rt_job_free(r, j);
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
		if (j->res.data != NULL)
			rt_run_write_bytes(r, edir, "error.pb", j->res.data, j->res.len);
		const char *msg = j->killed ? "aborted" : f.message;
		if (j->elem == SIZE_MAX) {
			rt_node_done(r, n, RT_ST_FAILED,
				  rt_run_printf(r, "node %s (%s)%s: %s", n->id, task,
					     j->opts.attempt ? rt_run_printf(r, ", attempt %d", j->opts.attempt + 1) : "",
					     msg));
		} else {
			rt_elem_finish(r, n, j->elem, false, NULL, rt_run_printf(r, "%s", msg));
		}
	}
	rt_job_free(r, j);
}

void rt_run_loop(struct rt_run *r)
{
	for (;;) {
		rt_run_propagate(r);
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
				rt_wf_add_error(r, r->root, "the workflow cannot progress: its nodes "
					  "depend on each other in a cycle");
				r->root->failed = true;
				r->root->done = true;
				rt_wf_complete(r, r->root);
			}
			return;
		}
		struct rt_job *j = rt_backend_wait(r->be);
		if (j == NULL) {
			fprintf(r->io->err, "run: lost track of running tasks\n");
			return;
		}
		/* every call that has finished, then what they made ready */
		do {
			r->running[j->slot] = r->running[--r->nrunning];
			r->running[j->slot]->slot = j->slot;
			handle_job(r, j);
		} while ((j = rt_backend_poll(r->be)) != NULL);
	}
}
