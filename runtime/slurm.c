/* slurm.c: the Slurm engine of `run`, a backend of the local executor's
 * scheduler (so bindings, dependencies, retries, the cache, propeller's
 * success rule and gathering are the scheduler's, shared with the local
 * engines). A task call becomes a batch job running `EXE execute`; the
 * elements of a map task that the scheduler starts together (all of them,
 * then the retried ones) become one job array running `EXE map-execute`
 * with BATCH_JOB_ARRAY_INDEX_VAR_NAME=SLURM_ARRAY_TASK_ID. Their inputs,
 * outputs and errors are the Flyte contract's files under the run's
 * directory (see docs/engines.md for the layout); the queue is watched with
 * squeue, jobs are stopped with scancel (on a timeout, a failing map, or
 * SIGINT/SIGTERM of the submitter). The commands (sbatch, squeue, scancel)
 * run from $PATH with the caller's environment (SLURM_CONF, SBATCH_*). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "run_impl.h"
#include "slurm_impl.h"
#include "store.h"

#define SQUEUE_PATIENCE_S 300   /* how long squeue may fail before the run gives up */

static volatile sig_atomic_t caught;

static void on_signal(int sig)
{
	caught = sig;
}

/* ---- commands ----------------------------------------------------------------------------- */
/* Runs argv (from $PATH), its stdout into out and its stderr into errs (NULL:
 * ignored). The exit status, or -1 when it could not run. */
int rt_sl_run_cmd(char *const argv[], struct base_buf *out, struct base_buf *errs)
{
	int po[2], pe[2];
	if (pipe2(po, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(pe, O_CLOEXEC) < 0) {
		close(po[0]);
		close(po[1]);
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(po[1], STDOUT_FILENO);
		dup2(pe[1], STDERR_FILENO);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		execvp(argv[0], argv);
		dprintf(STDERR_FILENO, "cannot run %s: %s", argv[0], strerror(errno));
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	struct pollfd p[2] = { { po[0], POLLIN, 0 }, { pe[0], POLLIN, 0 } };
	int open_fds = pid > 0 ? 2 : 0;
	while (open_fds) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int k = 0; k < 2; k++) {
			if (p[k].fd < 0 || !p[k].revents)
				continue;
			char buf[4096];
			ssize_t n = read(p[k].fd, buf, sizeof buf);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				close(p[k].fd);
				p[k].fd = -1;
				open_fds--;
				continue;
			}
			struct base_buf *b = k == 0 ? out : errs;
			if (b != NULL)
				base_buf_put(b, buf, (size_t)n);
		}
	}
	for (int k = 0; k < 2; k++)
		if (p[k].fd >= 0)
			close(p[k].fd);
	int status = 0;
	if (pid < 0)
		return -1;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The first line of b, trimmed, for a message. */
const char *rt_sl_first_line(struct base_buf *b)
{
	char *s = (char *)base_buf_str(b);
	char *nl = strchr(s, '\n');
	if (nl != NULL)
		*nl = 0;
	return *s ? s : "no message";
}

/* scancel of the ids in s->cancel, or of every job of the run */
void rt_sl_scancel(struct rt_slurm *s, bool all)
{
	if (!all && s->cancel.len == 0)
		return;
	char *argv[8] = { "scancel", "--quiet", NULL };
	char *ids = NULL;
	if (all) {
		argv[2] = (char *)s->name_arg;
	} else {
		/* ids as separate arguments: split the list in place */
		size_t cap = 3;
		for (size_t i = 0; i < s->cancel.len; i++)
			cap += s->cancel.data[i] == ' ';
		char **v = calloc(cap + 1, sizeof *v);
		if (v == NULL)
			return;
		v[0] = "scancel";
		v[1] = "--quiet";
		size_t k = 2;
		ids = (char *)base_buf_str(&s->cancel);
		for (char *t = strtok(ids, " "); t != NULL; t = strtok(NULL, " "))
			v[k++] = t;
		(void)rt_sl_run_cmd(v, NULL, NULL);
		free(v);
		base_buf_clear(&s->cancel);
		return;
	}
	(void)rt_sl_run_cmd(argv, NULL, NULL);
}

/* ---- the engine ---------------------------------------------------------------------------- */
static const char *random_id(struct rt_arena *a)
{
	unsigned char rnd[5] = { 0 };
	FILE *u = fopen("/dev/urandom", "rb");
	if (u != NULL) {
		if (fread(rnd, 1, sizeof rnd, u) != sizeof rnd)
			memset(rnd, 0, sizeof rnd);
		fclose(u);
	}
	/* like Flyte's execution names: a letter, then lower-case letters and digits */
	static const char al[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	char id[12];
	id[0] = (char)('a' + (rnd[0] ^ (unsigned char)getpid()) % 26);
	uint64_t v = ((uint64_t)rnd[1] << 24 | (uint64_t)rnd[2] << 16 | (uint64_t)rnd[3] << 8 | rnd[4]) ^
		     (uint64_t)time(NULL) << 8;
	for (int i = 1; i < 10; i++, v /= 36)
		id[i] = al[v % 36];
	id[10] = 0;
	return rt_arena_strdup(a, id);
}

static const char *absolute(struct rt_arena *a, const char *path)
{
	char *p = realpath(path, NULL);
	if (p == NULL)
		return NULL;
	const char *c = rt_arena_strdup(a, p);
	free(p);
	return c;
}

struct rt_slurm *rt_slurm_new(struct rt_run *r, const struct rt_slurm_opts *o, struct rt_msg *err)
{
	if (o->work_dir == NULL || !*o->work_dir) {
		rt_msgf(err, "--engine slurm needs --work-dir DIR, a directory that every node sees "
			"at the same path");
		return NULL;
	}
	if (rt_store_is_remote(o->work_dir)) {
		rt_msgf(err, "--work-dir %s: the Slurm engine keeps its files on a shared filesystem "
			"(an object store is not supported yet)", o->work_dir);
		return NULL;
	}
	struct rt_slurm *s = calloc(1, sizeof *s);
	if (s == NULL) {
		rt_msgf(err, "out of memory");
		return NULL;
	}
	s->r = r;
	s->poll_ns = (int64_t)((o->poll_s > 0 ? o->poll_s : 0.25) * 1e9);
	const char *pat = getenv("FLYTEC_SLURM_PATIENCE");   /* seconds; for tests */
	s->patience_s = pat != NULL && atoi(pat) > 0 ? atoi(pat) : SQUEUE_PATIENCE_S;
	const char *exe = o->executable != NULL ? o->executable : "/proc/self/exe";
	const char *work;
	if ((s->exe = absolute(r->a, exe)) == NULL || access(s->exe, X_OK) < 0) {
		rt_msgf(err, "--executable %s: %s", exe, strerror(errno));
		goto fail;
	}
	if (rt_mkdirs(o->work_dir, err) < 0 || (work = absolute(r->a, o->work_dir)) == NULL) {
		rt_msg_prefix(err, "--work-dir %s", o->work_dir);
		goto fail;
	}
	s->runid = random_id(r->a);
	s->dir = rt_arena_printf(r->a, "%s/%s", work, s->runid);
	s->name = rt_arena_printf(r->a, "flytec-%s", s->runid);
	s->name_arg = rt_arena_printf(r->a, "--name=%s", s->name);
	const char *logs = rt_arena_printf(r->a, "%s/logs", s->dir);
	const char *jobs = rt_arena_printf(r->a, "%s/jobs", s->dir);
	if (s->runid == NULL || s->dir == NULL || s->name_arg == NULL || logs == NULL || jobs == NULL) {
		rt_msgf(err, "out of memory");
		goto fail;
	}
	if (rt_mkdirs(logs, err) < 0 || rt_mkdirs(jobs, err) < 0)
		goto fail;
	caught = 0;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &s->old_int);
	sigaction(SIGTERM, &sa, &s->old_term);
	return s;
fail:
	free(s);
	return NULL;
}

const char *rt_slurm_run_dir(const struct rt_slurm *s)
{
	return s->dir;
}

int rt_slurm_signal(const struct rt_slurm *s)
{
	(void)s;
	return caught;
}

static void free_list(struct sl_job *l)
{
	while (l != NULL) {
		struct sl_job *n = l->next;
		free(l);
		l = n;
	}
}

void rt_slurm_free(struct rt_slurm *s)
{
	if (s == NULL)
		return;
	if (s->active != NULL)
		rt_sl_scancel(s, true);   /* the scheduler waits for its jobs: only when it gave up */
	free_list(s->active);
	free_list(s->pend);
	base_buf_free(&s->cancel);
	sigaction(SIGINT, &s->old_int, NULL);
	sigaction(SIGTERM, &s->old_term, NULL);
	free(s);
}


/* ---- where a call's files are ------------------------------------------------------------ */
static bool legacy_map(const struct rt_node *n)
{
	return n->node->target_case != NODE(ARRAY_NODE);
}

/* <run>/<node>/data/<attempt>; an ArrayNode element's <node>/data/<i>/<attempt>;
 * a legacy element's <node>/data/<attempt>/<i> (map-execute --legacy adds it) */
static const char *result_prefix(struct rt_slurm *s, const struct rt_job *j)
{
	const struct rt_node *n = node_of_job(j);
	if (j->elem == SIZE_MAX)
		return rt_arena_printf(s->r->a, "%s/%s/data/%d", s->dir, n->id, j->opts.attempt);
	if (legacy_map(n))
		return rt_arena_printf(s->r->a, "%s/%s/data/%d/%zu", s->dir, n->id, j->opts.attempt, j->elem);
	return rt_arena_printf(s->r->a, "%s/%s/data/%zu/%d", s->dir, n->id, j->elem, j->opts.attempt);
}

int rt_slurm_start(struct rt_slurm *s, struct rt_job *j, struct rt_msg *err)
{
	if (caught)
		return rt_msgf(err, "cancelled (signal %d)", (int)caught);
	const struct rt_node *n = node_of_job(j);
	if (n->task == NULL || n->task->fn_name == NULL)
		return rt_msgf(err, "node %s runs no task of this executable", n->id);
	struct sl_job *sj = calloc(1, sizeof *sj);
	if (sj == NULL || (sj->prefix = result_prefix(s, j)) == NULL) {
		free(sj);
		return rt_msgf(err, "out of memory");
	}
	sj->j = j;
	/* in the order of starting: arrays list their indexes in order */
	if (s->pend_tail != NULL)
		s->pend_tail->next = sj;
	else
		s->pend = sj;
	s->pend_tail = sj;
	return 0;
}

/* ---- results ------------------------------------------------------------------------------- */
static bool terminal(const char *st)
{
	static const char *const states[] = {
		"COMPLETED", "FAILED", "TIMEOUT", "CANCELLED", "OUT_OF_MEMORY", "NODE_FAIL",
		"BOOT_FAIL", "DEADLINE", "PREEMPTED", "SPECIAL_EXIT", "REVOKED",
	};
	for (size_t i = 0; i < sizeof states / sizeof states[0]; i++)
		if (strncmp(st, states[i], strlen(states[i])) == 0)
			return true;
	return false;
}

/* j's result from prefix/name; false when there is no such file */
static bool read_result(struct sl_job *sj, const char *name, bool ok)
{
	struct rt_msg err;
	struct rt_arena *a = rt_arena_new();
	uint8_t *data;
	size_t len;
	char *path = a != NULL ? rt_join(a, sj->prefix, name) : NULL;
	bool found = path != NULL && access(path, F_OK) == 0 && rt_read_file(a, path, &data, &len, &err) == 0;
	struct rt_result *r = &sj->j->res;
	if (found) {
		rt_result_free(r);
		r->ok = ok;
		r->len = len;
		if ((r->data = malloc(len ? len : 1)) != NULL)
			memcpy(r->data, data, len);
		else
			rt_result_system(r, true, "out of memory reading a task's result");
	}
	rt_arena_free(a);
	return found;
}

static void copy_log(struct rt_slurm *s, const struct sl_job *sj)
{
	FILE *f = sj->log != NULL ? fopen(sj->log, "rb") : NULL;
	if (f == NULL)
		return;
	char buf[8192];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		fwrite(buf, 1, n, s->r->io->err);
	fclose(f);
}

static void user_error(struct rt_result *r, const char *code, const char *msg)
{
	rt_result_free(r);
	r->ok = false;
	if (rt_error_doc(code, msg, true, RT_ORIGIN_USER, &r->data, &r->len) < 0)
		rt_result_system(r, true, "%s", msg);
}

/* No outputs.pb and no error.pb: what the job's end says. */
static void no_result(struct rt_slurm *s, struct sl_job *sj)
{
	struct rt_result *r = &sj->j->res;
	const char *st = sj->state, *log = sj->log != NULL ? sj->log : "none";
	struct rt_arena *a = s->r->a;
	if (sj->timed_out)
		user_error(r, "USER:Timeout", rt_arena_printf(a, "timed out after %.3gs (the Slurm job %s was "
					"cancelled)", (double)sj->j->timeout_ns / 1e9, sj->id));
	else if (sj->killed)
		rt_result_system(r, false, "cancelled");
	else if (strncmp(st, "TIMEOUT", 7) == 0)
		user_error(r, "USER:Timeout", rt_arena_printf(a, "the Slurm job %s reached its time limit", sj->id));
	else if (strncmp(st, "OUT_OF_MEMORY", 13) == 0)
		user_error(r, "USER:OOM", rt_arena_printf(a, "the Slurm job %s ran out of memory", sj->id));
	else if (strncmp(st, "NODE_FAIL", 9) == 0 || strncmp(st, "BOOT_FAIL", 9) == 0 ||
		 strncmp(st, "PREEMPTED", 9) == 0 || !*st)
		rt_result_system(r, true, "the Slurm job %s ended %s without a result (its log: %s)", sj->id,
				  *st ? st : "out of sight of squeue", log);
	else
		rt_result_system(r, false, "the Slurm job %s ended %s without a result (its log: %s)", sj->id,
				  st, log);
}

static void finish(struct rt_slurm *s, struct sl_job *sj)
{
	if (!read_result(sj, "outputs.pb", true) && !read_result(sj, "error.pb", false))
		no_result(s, sj);
	copy_log(s, sj);
	rt_sl_push_done(s, sj);
}

/* ---- watching the queue ---------------------------------------------------------------------- */
static struct sl_job *find_active(struct rt_slurm *s, const char *id, size_t len)
{
	for (struct sl_job *sj = s->active; sj != NULL; sj = sj->next)
		if (strncmp(sj->id, id, len) == 0 && sj->id[len] == 0)
			return sj;
	return NULL;
}

/* squeue has failed for too long: the jobs are cancelled (if scancel can)
 * and fail, so that the run ends. */
static void lose_all(struct rt_slurm *s, const char *why)
{
	rt_sl_scancel(s, true);
	while (s->active != NULL) {
		struct sl_job *sj = s->active;
		s->active = sj->next;
		rt_result_system(&sj->j->res, false, "lost track of the Slurm job %s: squeue failed for %ds: %s",
				  sj->id, s->patience_s, why);
		rt_sl_push_done(s, sj);
	}
}

/* One look at the run's jobs: the state of each, the ones that ended. */
static void look(struct rt_slurm *s)
{
	char *argv[] = { "squeue", "--noheader", "--array", "--states=all", (char *)s->name_arg,
			 "--format=%i|%T", NULL };
	struct base_buf out = { 0 }, errs = { 0 };
	int rc = rt_sl_run_cmd(argv, &out, &errs);
	if (rc != 0) {
		/* the controller may be busy or restarting: the jobs are looked at
		 * again next time, for patience_s */
		const char *why = rc < 0 ? "cannot run it" : rt_sl_first_line(errs.len ? &errs : &out);
		if (s->squeue_errors++ % 40 == 0)
			fprintf(s->r->io->err, "run: squeue: %s\n", why);
		if ((int64_t)s->squeue_errors * s->poll_ns > (int64_t)s->patience_s * 1000000000LL)
			lose_all(s, why);
		base_buf_free(&out);
		base_buf_free(&errs);
		return;
	}
	s->squeue_errors = 0;
	for (struct sl_job *sj = s->active; sj != NULL; sj = sj->next)
		sj->state[0] = 0;
	char *save = NULL;
	for (char *line = strtok_r((char *)base_buf_str(&out), "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		char *bar = strchr(line, '|');
		struct sl_job *sj = bar != NULL ? find_active(s, line, (size_t)(bar - line)) : NULL;
		if (sj != NULL)
			snprintf(sj->state, sizeof sj->state, "%s", bar + 1);
	}
	base_buf_free(&out);
	base_buf_free(&errs);
	int64_t now = rt_now_ns();
	for (struct sl_job **pp = &s->active; *pp != NULL;) {
		struct sl_job *sj = *pp;
		bool run = strcmp(sj->state, "RUNNING") == 0 || strcmp(sj->state, "COMPLETING") == 0;
		sj->missing = sj->state[0] ? 0 : sj->missing + 1;
		if (run && !sj->running)
			sj->deadline = sj->j->timeout_ns > 0 ? now + sj->j->timeout_ns : 0;
		sj->running = run;
		if (sj->running && sj->deadline && now >= sj->deadline && !sj->timed_out && !sj->killed) {
			sj->timed_out = true;   /* propeller's timeout: this attempt fails */
			base_buf_printf(&s->cancel, "%s ", sj->id);
		}
		if ((sj->state[0] && terminal(sj->state)) || sj->missing >= 3) {
			*pp = sj->next;
			finish(s, sj);
		} else {
			pp = &sj->next;
		}
	}
	rt_sl_scancel(s, false);
}

void rt_sl_push_done(struct rt_slurm *s, struct sl_job *sj)
{
	struct rt_job *j = sj->j;
	j->next = NULL;
	if (s->done_tail != NULL)
		s->done_tail->next = j;
	else
		s->done = j;
	s->done_tail = j;
	free(sj);
}

/* SIGINT or SIGTERM: every job of the run goes, nothing more starts. */
static void cancel_all(struct rt_slurm *s)
{
	size_t n = 0;
	for (struct sl_job *sj = s->active; sj != NULL; sj = sj->next, n++)
		sj->killed = true;
	fprintf(s->r->io->err, "run: signal %d: cancelling %zu Slurm job%s of run %s\n", (int)caught, n,
		n == 1 ? "" : "s", s->runid);
	rt_sl_scancel(s, true);
	while (s->pend != NULL) {
		struct sl_job *sj = s->pend;
		s->pend = sj->next;
		rt_result_system(&sj->j->res, false, "cancelled");
		rt_sl_push_done(s, sj);
	}
	s->pend_tail = NULL;
	s->cancelled_all = true;
}

struct rt_job *rt_slurm_poll(struct rt_slurm *s)
{
	struct rt_job *j = s->done;
	if (j != NULL) {
		s->done = j->next;
		if (s->done == NULL)
			s->done_tail = NULL;
		j->next = NULL;
	}
	return j;
}

struct rt_job *rt_slurm_wait(struct rt_slurm *s)
{
	for (;;) {
		struct rt_job *j = rt_slurm_poll(s);
		if (j != NULL)
			return j;
		if (caught && !s->cancelled_all)
			cancel_all(s);
		if (s->pend != NULL)
			rt_slurm_flush(s);
		if (s->done != NULL)
			continue;
		if (s->active == NULL)
			return NULL;
		struct timespec ts = { (time_t)(s->poll_ns / 1000000000), (long)(s->poll_ns % 1000000000) };
		nanosleep(&ts, NULL);   /* a signal ends it early */
		look(s);
	}
}

void rt_slurm_cancel(struct rt_slurm *s, struct rt_job *j)
{
	for (struct sl_job **pp = &s->pend; *pp != NULL; pp = &(*pp)->next) {
		struct sl_job *sj = *pp;
		if (sj->j == j) {
			*pp = sj->next;
			if (s->pend_tail == sj) {
				s->pend_tail = NULL;
				for (struct sl_job *t = s->pend; t != NULL; t = t->next)
					s->pend_tail = t;
			}
			rt_result_system(&j->res, false, "cancelled");
			rt_sl_push_done(s, sj);
			return;
		}
	}
	for (struct sl_job *sj = s->active; sj != NULL; sj = sj->next)
		if (sj->j == j && !sj->killed) {
			sj->killed = true;
			base_buf_printf(&s->cancel, "%s ", sj->id);
		}
}
