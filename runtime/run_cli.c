/* run_cli.c: the `run` subcommand: its arguments, the name=value inputs
 * (typed by the target's interface), the run itself and the printed result. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run_impl.h"

/* ---- the command --------------------------------------------------------------------------------- */
struct run_args {
	const char *name;
	const char **inputs;   /* "k=v" */
	size_t ninputs;
	size_t jobs;
	const char *outdir;
	bool process;
	bool no_cache;
	const char *cache_dir;
};

static int parse_run_args(int argc, char **argv, struct run_args *x, const struct rt_io *io)
{
	x->process = true;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	x->jobs = cores > 0 ? (size_t)cores : 1;
	x->inputs = calloc((size_t)argc + 1, sizeof *x->inputs);
	if (x->inputs == NULL)
		return -1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = NULL;
		size_t l;
		if (strncmp(a, "--", 2) == 0) {
			const char *eq = strchr(a, '=');
			l = eq != NULL ? (size_t)(eq - a) : strlen(a);
			if (eq != NULL)
				v = eq + 1;
			bool needs = strncmp(a, "--jobs", l) == 0 || strncmp(a, "--output-dir", l) == 0 ||
				     strncmp(a, "--isolation", l) == 0 || strncmp(a, "--cache-dir", l) == 0;
			if (needs && v == NULL) {
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
			} else if (l == 11 && strncmp(a, "--cache-dir", l) == 0) {
				x->cache_dir = v;
			} else if (l == 10 && strncmp(a, "--no-cache", l) == 0 && eq == NULL) {
				x->no_cache = true;
			} else {
				fprintf(io->err, "run: unknown option '%s'\n", a);
				return -1;
			}
		} else if (x->name == NULL) {
			x->name = a;
		} else if (strchr(a, '=') != NULL && a[0] != '=') {
			x->inputs[x->ninputs++] = a;
		} else {
			fprintf(io->err, "run: '%s' is not an input (name=value)\n", a);
			return -1;
		}
	}
	if (x->name == NULL) {
		fprintf(io->err, "run: which workflow, launch plan or task?\n");
		return -1;
	}
	return 0;
}

/* name=value arguments, typed by the target's interface */
static int cli_inputs(struct rt_run *r, const struct rt_target *t, const struct run_args *x, Flyteidl__Core__LiteralMap **out, struct rt_msg *err)
{
	Flyteidl__Core__LiteralMap *m = rt_litmap_new(r->a, x->ninputs);
	if (m == NULL)
		return rt_msgf(err, "out of memory");
	for (size_t i = 0; i < x->ninputs; i++) {
		const char *eq = strchr(x->inputs[i], '=');
		char *k = rt_arena_strndup(r->a, x->inputs[i], (size_t)(eq - x->inputs[i]));
		const Flyteidl__Core__LiteralType *lt = NULL;
		if (k == NULL)
			return rt_msgf(err, "out of memory");
		const Flyteidl__Core__ParameterMap *pm = t->lp != NULL && t->lp->lp->spec->default_inputs != NULL
			? t->lp->lp->spec->default_inputs : NULL;
		for (size_t p = 0; pm != NULL && p < pm->n_parameters; p++)
			if (strcmp(pm->parameters[p]->key, k) == 0 && pm->parameters[p]->value != NULL &&
			    pm->parameters[p]->value->var != NULL)
				lt = pm->parameters[p]->value->var->type;
		const Flyteidl__Core__VariableMap *vm = t->wf->interface != NULL ? t->wf->interface->inputs : NULL;
		for (size_t p = 0; lt == NULL && vm != NULL && p < vm->n_variables; p++)
			if (strcmp(vm->variables[p]->key, k) == 0 && vm->variables[p]->value != NULL)
				lt = vm->variables[p]->value->type;
		if (t->lp != NULL && rt_litmap_get(t->lp->lp->spec->fixed_inputs, k) != NULL)
			return rt_msgf(err, "input '%s' is fixed by launch plan %s", k, t->name);
		if (lt == NULL) {
			struct base_buf b = { 0 };
			for (size_t p = 0; vm != NULL && p < vm->n_variables; p++)
				base_buf_printf(&b, " %s", vm->variables[p]->key);
			rt_msgf(err, "%s %s has no input '%s' (its inputs:%s)", t->kind, t->name, k,
				 b.data != NULL ? b.data : " none");
			base_buf_free(&b);
			return -1;
		}
		for (size_t p = 0; p < i; p++)
			if (strcmp(m->literals[p]->key, k) == 0)
				return rt_msgf(err, "input '%s' is given twice", k);
		Flyteidl__Core__Literal *l;
		if (rt_json_to_literal(r->a, eq + 1, lt, &l, err) < 0) {
			struct base_buf b = { 0 };
			rt_ltype_text(lt, &b);
			rt_msg_prefix(err, "input '%s' (%s)", k, base_buf_str(&b));
			base_buf_free(&b);
			return -1;
		}
		rt_litmap_set(m, i, k, l);
	}
	*out = m;
	return 0;
}

static void print_result(struct rt_run *r, const struct rt_wf *w)
{
	struct base_buf b = { 0 };
	base_buf_putc(&b, '{');
	for (size_t i = 0; i < w->tmpl->n_outputs; i++) {
		const char *k = w->tmpl->outputs[i]->var;
		base_buf_printf(&b, "%s\"%s\": ", i ? ", " : "", k);
		rt_literal_to_json(&b, rt_litmap_get(w->outputs, k));
	}
	base_buf_printf(&b, "}\n");
	if (b.data != NULL)
		fwrite(b.data, 1, b.len, r->io->out);
	fflush(r->io->out);
	base_buf_free(&b);
}

/* A task run directly: its declared defaults for the inputs not given. */
static int with_defaults(struct rt_run *r, const Flyteidl__Core__LiteralMap *d, Flyteidl__Core__LiteralMap *given,
			 Flyteidl__Core__LiteralMap **out)
{
	Flyteidl__Core__LiteralMap *m = rt_litmap_new(r->a, given->n_literals + d->n_literals);
	if (m == NULL)
		return -1;
	size_t k = 0;
	for (size_t i = 0; i < given->n_literals; i++)
		rt_litmap_set(m, k++, given->literals[i]->key, given->literals[i]->value);
	for (size_t i = 0; i < d->n_literals; i++)
		if (rt_litmap_get(given, d->literals[i]->key) == NULL)
			rt_litmap_set(m, k++, d->literals[i]->key, d->literals[i]->value);
	m->n_literals = k;
	*out = m;
	return 0;
}

/* Finds the target and builds the root workflow with its inputs. The exit
 * status on failure (reported), 0 on success. */
static int prepare(struct rt_run *r, const struct run_args *x, struct rt_target *t)
{
	struct rt_msg err;
	const struct rt_io *io = r->io;
	Flyteidl__Core__LiteralMap *given = NULL, *inputs;
	if (rt_run_find_target(r, x->name, t, &err) < 0 || cli_inputs(r, t, x, &given, &err) < 0) {
		fprintf(io->err, "run: %s\n", err.text);
		return 2;
	}
	inputs = given;
	if (t->task != NULL && t->task->defaults != NULL && with_defaults(r, t->task->defaults, given, &inputs) < 0) {
		fprintf(io->err, "run: out of memory\n");
		return 1;
	}
	r->root_kind = t->kind;
	r->root_name = t->name;
	if (t->lp != NULL && rt_lp_inputs(r, t->lp, given, &inputs, &err) < 0) {
		fprintf(io->err, "run: %s\n", err.text);
		return 2;
	}
	if (r->outdir != NULL && rt_mkdirs(r->outdir, &err) < 0) {
		fprintf(io->err, "run: --output-dir: %s\n", err.text);
		return 1;
	}
	r->cache_off = x->no_cache;
	r->cache_dir = x->cache_dir;
	if ((r->root = rt_wf_new(r, t->wf, inputs, "", NULL, SIZE_MAX, &err)) == NULL) {
		fprintf(io->err, "run: %s\n", err.text);
		return 2;
	}
	return 0;
}

/* Runs the root workflow to the end; stdout holds the result only, so the
 * tasks' output goes to stderr meanwhile. */
static void run_root(struct rt_run *r)
{
	const struct rt_io *io = r->io;
	int saved_stdout = -1;
	if (io->out == stdout) {
		fflush(stdout);
		saved_stdout = dup(STDOUT_FILENO);
		if (saved_stdout >= 0)
			dup2(STDERR_FILENO, STDOUT_FILENO);
	}
	if (r->root->nnodes == 0)
		rt_wf_check_done(r, r->root);
	rt_wf_schedule(r, r->root);
	rt_run_loop(r);
	if (saved_stdout >= 0) {
		fflush(stdout);
		dup2(saved_stdout, STDOUT_FILENO);
		close(saved_stdout);
	}
}

static void free_jobs(struct rt_job *j)
{
	while (j != NULL) {
		struct rt_job *n = j->next;
		rt_result_free(&j->res);
		free(j);
		j = n;
	}
}

static void run_free(struct rt_run *r)
{
	rt_cache_close(r->cache);
	if (r->abandoned)
		return;   /* in-process calls still use the run's memory: the process's end frees it */
	free_jobs(r->ready);
	free_jobs(r->free_jobs);
	rt_backend_free(r->be);
	free(r->running);
	free(r->arrays);
	free(r->fin);
	free(r->wfin);
	free(r->shown);
	free(r->tasks);
	free(r->wfs);
	free(r->lps);
	rt_arena_free(r->a);
}

int rt_cmd_run(const flrt_module *m, int argc, char **argv, const struct rt_io *io)
{
	struct run_args x = { 0 };
	struct rt_run rr = { 0 }, *r = &rr;
	struct rt_target t = { 0 };
	struct rt_msg err;
	int status = 1;
	if (parse_run_args(argc, argv, &x, io) < 0) {
		fprintf(io->err, "usage: run NAME [input=value ...] [--jobs N] [--output-dir DIR] "
			"[--isolation process|inprocess] [--no-cache] [--cache-dir DIR]\n");
		free(x.inputs);
		return 2;
	}
	r->m = m;
	r->io = io;
	/* threads take queued calls without waiting for the scheduler */
	r->slots = x.process ? x.jobs : x.jobs * 16;
	r->outdir = x.outdir;
	r->inprocess = !x.process;
	rt_progress_init(r);
	if ((r->a = rt_arena_new()) == NULL || (r->be = rt_backend_new(x.process, x.jobs)) == NULL) {
		fprintf(io->err, "run: out of memory\n");
	} else if (rt_run_load(r, &err) < 0) {
		fprintf(io->err, "run: %s\n", err.text);
	} else if ((status = prepare(r, &x, &t)) == 0) {
		if (rt_sig_install(x.process, &err) < 0) {
			fprintf(io->err, "run: %s\n", err.text);
			status = 1;
			goto out;
		}
		if (!x.process)
			rt_sig_guard_inprocess();
		if (r->progress != RT_PROGRESS_OFF)
			rt_backend_set_tick(r->be, 250);
		run_root(r);
		rt_sig_restore();
		status = 1;
		if (r->interrupted) {
			status = 128 + r->interrupted;
		} else if (r->oom) {
			fprintf(io->err, "run: out of memory\n");
		} else if (r->outdir_error != NULL) {
			fprintf(io->err, "run: %s %s failed: --output-dir %s could not be written (%s)\n",
				t.kind, t.name, r->outdir, r->outdir_error);
		} else if (r->root->failed || r->root->outputs == NULL) {
			fprintf(io->err, "run: %s %s failed:\n%s\n", t.kind, t.name,
				r->root->errors != NULL ? r->root->errors : "");
		} else {
			print_result(r, r->root);
			status = 0;
		}
	}
out:
	run_free(r);
	free(x.inputs);
	return status;
}
