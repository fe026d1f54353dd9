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
	const Flyteidl__Core__TaskTemplate *tt = n->task != NULL ? n->task->tmpl : NULL;
	if (tt != NULL && tt->target_case == FLYTEIDL__CORE__TASK_TEMPLATE__TARGET_CONTAINER &&
	    tt->container != NULL && tt->container->n_env) {
		j->env = tt->container->env;
		j->nenv = tt->container->n_env;
		if (r->inprocess && !n->task->env_said) {
			struct base_buf b = { 0 };
			for (size_t i = 0; i < j->nenv; i++)
				base_buf_printf(&b, "%s%s", i ? ", " : "", j->env[i]->key);
			n->task->env_said = true;
			fprintf(r->io->err, "run: task %s sets environment variables (%s), which "
				"--isolation inprocess does not apply\n", n->task->name, base_buf_str(&b));
			base_buf_free(&b);
		}
	}
	if (r->inprocess && n->timeout_ns > 0 && n->task != NULL && !n->task->timeout_said) {
		n->task->timeout_said = true;
		fprintf(r->io->err, "run: task %s has a timeout of %.3gs, which --isolation inprocess "
			"does not enforce\n", n->task->name, (double)n->timeout_ns / 1e9);
	}
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

#define FD_RESERVE 4   /* descriptors left for --output-dir files and the cache */

/* A call could not start for want of descriptors or processes while others
 * run: nothing starts until one of them ends; out of descriptors, the run
 * keeps a few free from then on. */
static void throttle(struct rt_run *r, int why, const char *what)
{
	r->throttled = true;
	if (why == RT_BACKEND_NO_FDS) {
		size_t cap = r->nrunning > FD_RESERVE ? r->nrunning - FD_RESERVE : 1;
		if (r->cap == 0 || cap < r->cap)
			r->cap = cap;
	}
	if (!r->throttle_said) {
		r->throttle_said = true;
		fprintf(r->io->err, "run: %s with %zu calls running: the next calls wait%s\n", what,
			r->nrunning, why == RT_BACKEND_NO_FDS
			? rt_run_printf(r, " (at most %zu at once from now on)", r->cap) : "");
	}
}

/* 0: started; 1: it waits (throttled); -1: it cannot start (a failed attempt). */
static int start_job(struct rt_run *r, struct rt_job *j)
{
	struct rt_msg err;
	if (rt_grow((void **)&r->running, &r->crunning, r->nrunning + 1, sizeof *r->running) < 0) {
		rt_run_oom(r);
		return -1;
	}
	int rc = rt_backend_start(r->be, j, &err);
	if (rc > 0 && r->nrunning > 0) {
		throttle(r, rc, err.text);
		return 1;
	}
	if (rc != 0) {
		rt_result_system(&j->res, true, "%s", err.text);
		return -1;
	}
	j->slot = r->nrunning;
	r->running[r->nrunning++] = j;
	return 0;
}

/* Is there room for one more call (throttling, the descriptor cap, a signal)? */
static bool room(const struct rt_run *r)
{
	return !r->throttled && (r->cap == 0 || r->nrunning < r->cap) && !rt_sig_caught();
}

/* May j start now? Elements of a map with an explicit parallelism hold a slot
 * of their map and do not wait for --jobs. */
static bool may_start(const struct rt_run *r, const struct rt_job *j)
{
	const struct rt_node *n = j->owner;
	return room(r) &&
	       (r->nrunning < r->slots || (j->elem != SIZE_MAX && n->arr != NULL && n->arr->parallelism));
}

static void launch(struct rt_run *r, struct rt_job *j)
{
	int rc = start_job(r, j);
	if (rc > 0) {   /* first in line once a call has ended */
		j->next = r->ready;
		r->ready = j;
		if (r->ready_tail == NULL)
			r->ready_tail = j;
	} else if (rc < 0) {
		handle_job(r, j);   /* it could not start: a failed attempt */
	}
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
			size_t limit = ar->parallelism ? ar->parallelism : r->slots;
			while (ar->next < ar->n && !ar->failing && ar->running < limit) {
				/* elements of maps without a parallelism share the --jobs slots */
				if (!ar->parallelism && ar->task != NULL && r->nrunning >= r->slots)
					break;
				if (ar->task != NULL ? !room(r) : rt_sig_caught())
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
		if (k != NULL && j->elem != SIZE_MAX && n->arr != NULL)
			n->arr->retried++;
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
		const char *msg = j->killed ? RT_CANCELLED_NODE : f.message;
		if (j->elem != SIZE_MAX && j->killed) {
			rt_elem_cancelled(r, n, j->elem);
		} else if (j->elem == SIZE_MAX) {
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

/* ---- interruption ------------------------------------------------------------------- */
#define STOP_GRACE_NS 3000000000LL   /* SIGTERM, then SIGKILL */

struct stopped {
	struct rt_node *n;
	size_t elem;
	bool left;                   /* an in-process call still running */
};

static int by_node(const void *a, const void *b)
{
	const struct stopped *x = a, *y = b;
	if (x->n != y->n)
		return strcmp(x->n->id, y->n->id);
	return x->elem < y->elem ? -1 : x->elem > y->elem;
}

/* "run: interrupted by signal 15 (Terminated): n0 m (elements 3-9 stopped; 11 of 20 done)" */
static void say_interrupted(struct rt_run *r, struct stopped *s, size_t n, size_t left)
{
	struct base_buf b = { 0 };
	const char *name = strsignal(r->interrupted);
	base_buf_printf(&b, "run: interrupted by signal %d (%s)", r->interrupted, name != NULL ? name : "?");
	qsort(s, n, sizeof *s, by_node);
	for (size_t i = 0; i < n;) {
		size_t k = i, ne = 0;
		size_t *idx = malloc((n - i) * sizeof *idx);
		while (k < n && s[k].n == s[i].n) {
			if (s[k].elem != SIZE_MAX && idx != NULL)
				idx[ne++] = s[k].elem;
			k++;
		}
		struct rt_node *o = s[i].n;
		base_buf_printf(&b, "%s %s %s", i ? ";" : ":", o->id, o->what != NULL ? o->what : "");
		if (o->arr != NULL) {
			base_buf_printf(&b, " (");
			if (ne) {
				base_buf_printf(&b, "element%s ", ne == 1 ? "" : "s");
				rt_ranges_bounded(idx, ne, RT_RANGES_MAX, &b);
				base_buf_printf(&b, " stopped; ");
			}
			base_buf_printf(&b, "%zu of %zu done)", o->arr->succeeded + o->arr->failed + o->arr->cancelled,
					o->arr->n);
		} else {
			base_buf_printf(&b, " (stopped)");
		}
		free(idx);
		i = k;
	}
	if (left)
		base_buf_printf(&b, "; %zu in-process call%s could not be stopped", left, left == 1 ? "" : "s");
	base_buf_printf(&b, "\nrun: finished results are kept (the cache%s)\n",
			r->outdir != NULL ? ", --output-dir" : "");
	r->drawn = 0;   /* the progress display stays as it was, its lines ended */
	fputs(base_buf_str(&b), r->io->err);
	fflush(r->io->err);
	base_buf_free(&b);
}

/* A stop signal: start nothing more, stop every call, keep what finished. */
static void interrupt(struct rt_run *r)
{
	r->interrupted = rt_sig_caught();
	size_t left = rt_backend_stop(r->be, STOP_GRACE_NS);
	struct stopped *s = calloc(r->nrunning + r->narrays + 1, sizeof *s);
	size_t n = 0;
	for (size_t i = 0; i < r->narrays && s != NULL; i++)   /* maps with elements to start */
		if (r->arrays[i]->st == RT_ST_RUNNING)
			s[n++] = (struct stopped){ r->arrays[i], SIZE_MAX, false };
	for (struct rt_job *j; (j = rt_backend_poll(r->be)) != NULL;) {
		r->running[j->slot] = r->running[--r->nrunning];
		r->running[j->slot]->slot = j->slot;
		if (j->res.ok) {
			handle_job(r, j);   /* it finished meanwhile */
			continue;
		}
		if (s != NULL)
			s[n++] = (struct stopped){ j->owner, j->elem, false };
		rt_job_free(r, j);
	}
	for (size_t i = 0; i < r->nrunning && s != NULL; i++)
		s[n++] = (struct stopped){ r->running[i]->owner, r->running[i]->elem, true };
	r->abandoned = left > 0;
	say_interrupted(r, s != NULL ? s : &(struct stopped){ 0 }, s != NULL ? n : 0, left);
	free(s);
}

void rt_run_loop(struct rt_run *r)
{
	for (;;) {
		rt_run_propagate(r);
		dispatch(r);
		if (r->nfin || r->nwfin)
			continue;
		if (rt_sig_caught()) {
			interrupt(r);
			return;
		}
		if (r->oom || r->outdir_error != NULL) {
			/* stop starting anything; collect what runs */
			while (r->ready != NULL) {
				struct rt_job *q = r->ready;
				r->ready = q->next;
				rt_job_free(r, q);
			}
			r->ready_tail = NULL;
			r->narrays = 0;
		}
		if (r->nrunning == 0) {
			if (!r->root->done && !r->oom && r->outdir_error == NULL) {
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
			if (rt_sig_caught())
				continue;
			if (rt_backend_running(r->be) == 0) {
				fprintf(r->io->err, "run: lost track of running tasks\n");
				return;
			}
			rt_progress_tick(r);
			continue;
		}
		/* every call that has finished, then what they made ready */
		r->throttled = false;
		do {
			r->running[j->slot] = r->running[--r->nrunning];
			r->running[j->slot]->slot = j->slot;
			handle_job(r, j);
		} while ((j = rt_backend_poll(r->be)) != NULL);
	}
}
