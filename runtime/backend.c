/* backend.c: where the task calls of a local run execute.
 *
 * process: each call (each attempt of each map element) runs in a forked
 *   child, which writes its packed result to a pipe and exits. A crash or a
 *   kill on timeout is a failed attempt, not the end of the run. The parent
 *   stays single-threaded, so forking is safe.
 * threads: a pool of worker threads calls the tasks directly (fast; a crash
 *   ends the run; timeouts are not enforced).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "slurm.h"

#define MAGIC "FRT1"

struct rt_backend {
	bool process;
	struct rt_slurm *slurm;            /* --engine slurm: everything goes there */
	size_t nrunning;
	/* process */
	struct rt_job *running;            /* list through ->next */
	struct rt_job *done, *done_tail;   /* reaped, not yet returned */
	struct pollfd *pfds;
	struct rt_job **pjobs;
	size_t pcap;
	/* threads */
	pthread_mutex_t mu;
	pthread_cond_t work_cv, done_cv;
	struct rt_job *work, *work_tail;
	struct rt_job *got, *got_tail;     /* done jobs taken in one go, not yet returned */
	struct rt_job *pend, *pend_tail;   /* started jobs not yet handed to the workers */
	size_t npend;
	size_t nwork, nidle, nthreads, cthreads, max_threads;
	pthread_t *threads;
	bool stop, main_waiting;
	struct rt_arena *inline_arena;     /* one thread: calls run in the caller's */
};

int64_t rt_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

struct rt_backend *rt_backend_new(bool process, size_t threads)
{
	struct rt_backend *b = calloc(1, sizeof *b);
	if (b == NULL)
		return NULL;
	b->process = process;
	b->max_threads = threads ? threads : 1;
	if (!process) {
		if (pthread_mutex_init(&b->mu, NULL) != 0) {
			free(b);
			return NULL;
		}
		pthread_cond_init(&b->work_cv, NULL);
		pthread_cond_init(&b->done_cv, NULL);
	}
	return b;
}

struct rt_backend *rt_backend_new_slurm(struct rt_slurm *s)
{
	struct rt_backend *b = calloc(1, sizeof *b);
	if (b != NULL)
		b->slurm = s;
	return b;
}

static void queue_push(struct rt_job **head, struct rt_job **tail, struct rt_job *j)
{
	j->next = NULL;
	if (*tail != NULL)
		(*tail)->next = j;
	else
		*head = j;
	*tail = j;
}

static struct rt_job *queue_pop(struct rt_job **head, struct rt_job **tail)
{
	struct rt_job *j = *head;
	if (j != NULL) {
		*head = j->next;
		if (*head == NULL)
			*tail = NULL;
		j->next = NULL;
	}
	return j;
}

/* ---- process backend ---------------------------------------------------------- */
static void write_all(int fd, const void *p, size_t n)
{
	const uint8_t *c = p;
	while (n) {
		ssize_t w = write(fd, c, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		c += w;
		n -= (size_t)w;
	}
}

/* In the child: run the call, report, exit. Never returns. */
static void child_main(struct rt_backend *b, struct rt_job *j, int wfd)
{
	for (struct rt_job *o = b->running; o != NULL; o = o->next)
		if (o->fd >= 0)
			close(o->fd);
	signal(SIGPIPE, SIG_DFL);
	struct rt_arena *a = rt_arena_new();
	struct rt_result r = { 0 };
	if (a != NULL)
		rt_call(j->fn, j->inputs, &j->opts, a, &r);
	else
		rt_result_system(&r, true, "out of memory");
	uint8_t hdr[13];
	memcpy(hdr, MAGIC, 4);
	hdr[4] = r.ok;
	uint64_t len = r.data != NULL ? r.len : 0;
	for (int i = 0; i < 8; i++)
		hdr[5 + i] = (uint8_t)(len >> (8 * i));
	if (r.data != NULL) {
		write_all(wfd, hdr, sizeof hdr);
		write_all(wfd, r.data, r.len);
	}
	close(wfd);
	rt_result_free(&r);
	rt_arena_free(a);
	fflush(stdout);
	fflush(stderr);
	_exit(0);
}

static int process_start(struct rt_backend *b, struct rt_job *j, struct rt_msg *err)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return rt_msgf(err, "cannot create a pipe: %s", strerror(errno));
	fflush(stdout);   /* the child must not inherit unwritten output */
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(fds[0]);
		close(fds[1]);
		return rt_msgf(err, "cannot fork: %s", strerror(e));
	}
	if (pid == 0) {
		close(fds[0]);
		child_main(b, j, fds[1]);
	}
	close(fds[1]);
	fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
	j->pid = pid;
	j->fd = fds[0];
	j->buf.len = 0;
	j->timed_out = j->killed = false;
	j->deadline = j->timeout_ns > 0 ? rt_now_ns() + j->timeout_ns : 0;
	j->next = b->running;
	b->running = j;
	b->nrunning++;
	return 0;
}

static void describe_signal(int sig, char *buf, size_t n)
{
	const char *name = strsignal(sig);
	snprintf(buf, n, "signal %d (%s)", sig, name != NULL ? name : "unknown");
}

static void finish_child(struct rt_backend *b, struct rt_job *j, int status)
{
	const uint8_t *p = (const uint8_t *)j->buf.data;
	size_t n = j->buf.len;
	struct rt_result *r = &j->res;
	rt_result_free(r);
	if (n >= 13 && memcmp(p, MAGIC, 4) == 0) {
		uint64_t len = 0;
		for (int i = 0; i < 8; i++)
			len |= (uint64_t)p[5 + i] << (8 * i);
		if (len == n - 13) {
			r->ok = p[4] != 0;
			r->data = malloc(len ? len : 1);
			r->len = len;
			if (r->data != NULL) {
				memcpy(r->data, p + 13, len);
				return;
			}
			rt_result_system(r, true, "out of memory reading a task's result");
			return;
		}
	}
	char what[128];
	if (j->killed)
		rt_result_system(r, false, "cancelled");
	else if (j->timed_out)
		rt_result_system(r, true, "timed out after %.3gs (killed)",
				  (double)j->timeout_ns / 1e9);
	else if (WIFSIGNALED(status)) {
		describe_signal(WTERMSIG(status), what, sizeof what);
		rt_result_system(r, true, "the task crashed: %s", what);
	} else if (WIFEXITED(status))
		rt_result_system(r, true, "the task exited with status %d before reporting a result",
				  WEXITSTATUS(status));
	else
		rt_result_system(r, true, "the task ended abnormally");
	/* crashes and timeouts are the user's code, not the system */
	if (!j->killed && r->data != NULL) {
		struct rt_arena *a = rt_arena_new();
		if (a != NULL) {
			struct rt_failure f;
			rt_result_failure(a, r, &f);
			char *msg = strdup(f.message);
			rt_result_free(r);
			r->ok = false;
			if (msg != NULL) {
				rt_error_doc(j->timed_out ? "USER:Timeout" : "USER:Crash", msg, true,
					      RT_ORIGIN_USER, &r->data, &r->len);
				free(msg);
			}
			rt_arena_free(a);
		}
	}
	(void)b;
}

static void reap(struct rt_backend *b, struct rt_job *j)
{
	int status = 0;
	close(j->fd);
	j->fd = -1;
	while (waitpid(j->pid, &status, 0) < 0 && errno == EINTR)
		;
	struct rt_job **pp = &b->running;
	while (*pp != NULL && *pp != j)
		pp = &(*pp)->next;
	if (*pp != NULL)
		*pp = j->next;
	finish_child(b, j, status);
	base_buf_free(&j->buf);
	queue_push(&b->done, &b->done_tail, j);
}

/* Reads what a child wrote; reaps it at end of file. */
static void drain(struct rt_backend *b, struct rt_job *j)
{
	for (;;) {
		if (base_buf_reserve(&j->buf, 65536 - 1) < 0) {   /* 64 KiB, the NUL's byte included */
			kill(j->pid, SIGKILL);   /* cannot hold its result */
			j->buf.len = 0;
		}
		ssize_t r = read(j->fd, j->buf.data + j->buf.len, j->buf.cap - j->buf.len);
		if (r > 0) {
			j->buf.len += (size_t)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		reap(b, j);   /* end of file, or an error: the child is done */
		return;
	}
}

static struct rt_job *process_wait(struct rt_backend *b)
{
	for (;;) {
		struct rt_job *d = queue_pop(&b->done, &b->done_tail);
		if (d != NULL) {
			b->nrunning--;
			return d;
		}
		if (b->running == NULL)
			return NULL;
		size_t n = 0;
		for (struct rt_job *j = b->running; j != NULL; j = j->next)
			n++;
		if (n > b->pcap) {
			size_t cap = n * 2;
			struct pollfd *p = realloc(b->pfds, cap * sizeof *p);
			if (p != NULL)
				b->pfds = p;
			struct rt_job **q = realloc(b->pjobs, cap * sizeof *q);
			if (q != NULL)
				b->pjobs = q;
			if (p == NULL || q == NULL)
				return NULL;
			b->pcap = cap;
		}
		int64_t now = rt_now_ns(), next = 0;
		size_t k = 0;
		for (struct rt_job *j = b->running; j != NULL; j = j->next) {
			if (j->deadline && !j->timed_out) {
				if (j->deadline <= now) {
					j->timed_out = true;
					kill(j->pid, SIGKILL);
				} else if (!next || j->deadline < next) {
					next = j->deadline;
				}
			}
			b->pfds[k].fd = j->fd;
			b->pfds[k].events = POLLIN;
			b->pfds[k].revents = 0;
			b->pjobs[k++] = j;
		}
		int timeout = -1;
		if (next) {
			int64_t ms = (next - now + 999999) / 1000000;
			timeout = ms > 60000 ? 60000 : (int)ms;
		}
		int rc = poll(b->pfds, k, timeout);
		if (rc < 0 && errno != EINTR)
			return NULL;
		for (size_t i = 0; rc > 0 && i < k; i++)
			if (b->pfds[i].revents)
				drain(b, b->pjobs[i]);
	}
}

/* ---- thread backend ------------------------------------------------------------- */
#define BATCH 16   /* jobs a worker takes per visit to the queue */

static void *worker(void *arg)
{
	struct rt_backend *b = arg;
	struct rt_arena *a = rt_arena_new();
	pthread_mutex_lock(&b->mu);
	for (;;) {
		while (b->work == NULL && !b->stop) {
			b->nidle++;
			pthread_cond_wait(&b->work_cv, &b->mu);
			b->nidle--;
		}
		if (b->stop)
			break;
		/* a share of the queue, leaving work for the other workers */
		size_t take = b->nwork / (b->nthreads ? b->nthreads : 1);
		take = take < 1 ? 1 : take > BATCH ? BATCH : take;
		struct rt_job *mine = NULL, *mine_tail = NULL;
		for (size_t i = 0; i < take && b->work != NULL; i++) {
			queue_push(&mine, &mine_tail, queue_pop(&b->work, &b->work_tail));
			b->nwork--;
		}
		pthread_mutex_unlock(&b->mu);
		for (struct rt_job *j = mine; j != NULL; j = j->next) {
			if (a != NULL) {
				rt_arena_reset(a);
				rt_call(j->fn, j->inputs, &j->opts, a, &j->res);
			} else {
				rt_result_system(&j->res, true, "out of memory");
			}
		}
		pthread_mutex_lock(&b->mu);
		if (b->done_tail != NULL)
			b->done_tail->next = mine;
		else
			b->done = mine;
		b->done_tail = mine_tail;
		if (b->main_waiting)
			pthread_cond_signal(&b->done_cv);
	}
	pthread_mutex_unlock(&b->mu);
	rt_arena_free(a);
	return NULL;
}

void rt_backend_reserve_threads(struct rt_backend *b, size_t n)
{
	if (!b->process) {
		pthread_mutex_lock(&b->mu);
		if (n > b->max_threads)
			b->max_threads = n;
		pthread_mutex_unlock(&b->mu);
	}
}

/* Hands the started jobs to the workers: one lock for the batch. */
static int thread_flush(struct rt_backend *b, struct rt_msg *err)
{
	int rc = 0;
	if (b->pend == NULL)
		return 0;
	pthread_mutex_lock(&b->mu);
	/* a worker per call in flight, up to the cap */
	while (b->nthreads < b->max_threads && b->nthreads < b->nrunning) {
		if (b->nthreads == b->cthreads) {
			size_t cap = b->cthreads ? b->cthreads * 2 : 8;
			pthread_t *t = realloc(b->threads, cap * sizeof *t);
			if (t == NULL)
				break;
			b->threads = t;
			b->cthreads = cap;
		}
		int e = pthread_create(&b->threads[b->nthreads], NULL, worker, b);
		if (e != 0) {
			if (b->nthreads == 0)
				rc = rt_msgf(err, "cannot start a thread: %s", strerror(e));
			break;
		}
		b->nthreads++;
	}
	if (rc == 0) {
		if (b->work_tail != NULL)
			b->work_tail->next = b->pend;
		else
			b->work = b->pend;
		b->work_tail = b->pend_tail;
		b->nwork += b->npend;
		b->pend = b->pend_tail = NULL;
		b->npend = 0;
		if (b->nidle)   /* busy workers come back for more by themselves */
			pthread_cond_broadcast(&b->work_cv);
	}
	pthread_mutex_unlock(&b->mu);
	return rc;
}

static int thread_start(struct rt_backend *b, struct rt_job *j, struct rt_msg *err)
{
	if (b->max_threads <= 1) {
		/* one thread of calls: the scheduler's own, without handing over */
		if (b->inline_arena == NULL && (b->inline_arena = rt_arena_new()) == NULL)
			return rt_msgf(err, "out of memory");
		rt_arena_reset(b->inline_arena);
		rt_call(j->fn, j->inputs, &j->opts, b->inline_arena, &j->res);
		queue_push(&b->got, &b->got_tail, j);
		b->nrunning++;
		return 0;
	}
	queue_push(&b->pend, &b->pend_tail, j);
	b->npend++;
	b->nrunning++;
	return 0;
}

static struct rt_job *thread_wait(struct rt_backend *b)
{
	struct rt_msg err;
	if (thread_flush(b, &err) < 0) {
		/* no thread at all: the pending jobs fail */
		for (struct rt_job *j; (j = queue_pop(&b->pend, &b->pend_tail)) != NULL;) {
			rt_result_system(&j->res, true, "%s", err.text);
			queue_push(&b->got, &b->got_tail, j);
		}
		b->npend = 0;
	}
	if (b->got == NULL) {
		pthread_mutex_lock(&b->mu);
		if (b->nrunning) {
			b->main_waiting = true;
			while (b->done == NULL)
				pthread_cond_wait(&b->done_cv, &b->mu);
			b->main_waiting = false;
			/* take every finished job at once: one lock for many */
			b->got = b->done;
			b->got_tail = b->done_tail;
			b->done = b->done_tail = NULL;
		}
		pthread_mutex_unlock(&b->mu);
	}
	struct rt_job *j = queue_pop(&b->got, &b->got_tail);
	if (j != NULL)
		b->nrunning--;
	return j;
}

/* ---- interface ---------------------------------------------------------------------- */
int rt_backend_start(struct rt_backend *b, struct rt_job *j, struct rt_msg *err)
{
	rt_result_reset(&j->res);
	j->fd = -1;
	j->pid = 0;
	if (b->slurm != NULL)
		return rt_slurm_start(b->slurm, j, err);
	return b->process ? process_start(b, j, err) : thread_start(b, j, err);
}

struct rt_job *rt_backend_wait(struct rt_backend *b)
{
	if (b->slurm != NULL)
		return rt_slurm_wait(b->slurm);
	return b->process ? process_wait(b) : thread_wait(b);
}

struct rt_job *rt_backend_poll(struct rt_backend *b)
{
	if (b->slurm != NULL)
		return rt_slurm_poll(b->slurm);
	struct rt_job *j = queue_pop(b->process ? &b->done : &b->got, b->process ? &b->done_tail : &b->got_tail);
	if (j != NULL)
		b->nrunning--;
	return j;
}

void rt_backend_flush(struct rt_backend *b)
{
	struct rt_msg err;
	if (b->slurm != NULL)
		rt_slurm_flush(b->slurm);
	else if (!b->process)
		(void)thread_flush(b, &err);   /* on failure, the next wait reports it */
}

void rt_backend_cancel(struct rt_backend *b, struct rt_job *j)
{
	if (b->slurm != NULL) {
		rt_slurm_cancel(b->slurm, j);
		return;
	}
	if (b->process && j->pid > 0 && j->fd >= 0 && !j->killed) {
		j->killed = true;
		kill(j->pid, SIGKILL);
	}
}

void rt_backend_free(struct rt_backend *b)
{
	if (b == NULL)
		return;
	if (b->slurm != NULL) {
		rt_slurm_free(b->slurm);
	} else if (b->process) {
		/* The scheduler waits for its jobs; this only guards against leaks. */
		while (b->running != NULL) {
			struct rt_job *j = b->running;
			b->running = j->next;
			kill(j->pid, SIGKILL);
			close(j->fd);
			while (waitpid(j->pid, NULL, 0) < 0 && errno == EINTR)
				;
			base_buf_free(&j->buf);
		}
		free(b->pfds);
		free(b->pjobs);
	} else {
		pthread_mutex_lock(&b->mu);
		b->stop = true;
		pthread_cond_broadcast(&b->work_cv);
		pthread_mutex_unlock(&b->mu);
		for (size_t i = 0; i < b->nthreads; i++)
			pthread_join(b->threads[i], NULL);
		free(b->threads);
		rt_arena_free(b->inline_arena);
		pthread_mutex_destroy(&b->mu);
		pthread_cond_destroy(&b->work_cv);
		pthread_cond_destroy(&b->done_cv);
	}
	free(b);
}
