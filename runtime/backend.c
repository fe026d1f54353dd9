/* backend.c: where the task calls of a local run execute.
 *
 * process: each call (each attempt of each map element) runs in a forked
 *   child, the leader of its own process group, which writes its packed
 *   result to a pipe and exits. The call is done when the child exits
 *   (SIGCHLD wakes the wait through signals.c's pipe), whoever holds the
 *   pipe; what it left in its group is killed. A crash or a kill of the
 *   group on timeout is a failed attempt, not the end of the run; an
 *   interrupted run terminates and reaps every group (rt_backend_stop). Out
 *   of descriptors or processes, a start says so (RT_BACKEND_NO_*) and the
 *   scheduler waits. The parent stays single-threaded, so forking is safe.
 * threads: a pool of worker threads calls the tasks directly (fast; a crash
 *   ends the run; timeouts are not enforced; an interrupt cancels the calls
 *   not yet made).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#define MAGIC "FRT1"

struct rt_backend {
	bool process;
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
	bool stop, main_waiting, abandoned;
	atomic_bool halt;                  /* interrupted: make no more calls */
	bool scan;                         /* a child may have exited: look with waitpid */
	int tick_ms;                       /* a wait returns NULL after this long (-1: never) */
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
	b->tick_ms = -1;
	b->scan = true;
	atomic_init(&b->halt, false);
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

/* In the child: run the call, report, exit. Never returns. The child leads
 * its own process group (the element's: a timeout, a cancellation or an
 * interrupted run ends the whole group), dies with the run
 * (PR_SET_PDEATHSIG) and reads nothing from the terminal. */
static void child_main(struct rt_backend *b, struct rt_job *j, int wfd, pid_t parent)
{
	setpgid(0, 0);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == 0 && getppid() != parent)
		_exit(1);   /* the run is already gone */
	rt_sig_child();
	for (struct rt_job *o = b->running; o != NULL; o = o->next)
		if (o->fd >= 0)
			close(o->fd);
	int nul = open("/dev/null", O_RDONLY);
	if (nul > STDIN_FILENO) {
		dup2(nul, STDIN_FILENO);
		close(nul);
	}
	signal(SIGPIPE, SIG_DFL);
	for (size_t i = 0; i < j->nenv; i++)   /* the container's env, as in the pod */
		if (j->env[i]->key != NULL && *j->env[i]->key)
			setenv(j->env[i]->key, j->env[i]->value != NULL ? j->env[i]->value : "", 1);
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
	/* the task's output first: once its result is read, the element is done */
	fflush(stdout);
	fflush(stderr);
	if (r.data != NULL) {
		write_all(wfd, hdr, sizeof hdr);
		write_all(wfd, r.data, r.len);
	}
	_exit(0);
}

static int process_start(struct rt_backend *b, struct rt_job *j, struct rt_msg *err)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0) {
		int e = errno;
		rt_msgf(err, "cannot create a pipe: %s", strerror(e));
		return e == EMFILE || e == ENFILE ? RT_BACKEND_NO_FDS : -1;
	}
	fflush(stdout);   /* the child must not inherit unwritten output */
	fflush(stderr);
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(fds[0]);
		close(fds[1]);
		rt_msgf(err, "cannot fork: %s", strerror(e));
		return e == EAGAIN || e == ENOMEM ? RT_BACKEND_NO_PROCS : -1;
	}
	if (pid == 0) {
		close(fds[0]);
		child_main(b, j, fds[1], parent);
	}
	setpgid(pid, pid);   /* as the child does: whichever runs first */
	close(fds[1]);
	fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
	j->pid = pid;
	j->fd = fds[0];
	j->buf.len = 0;
	j->timed_out = j->killed = j->exited = false;
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

static void finish_child(struct rt_job *j, int status)
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
}

/* Reads what a child wrote, without waiting; closes the pipe at its end. */
static void read_pipe(struct rt_job *j)
{
	while (j->fd >= 0) {
		if (base_buf_reserve(&j->buf, 65536 - 1) < 0) {   /* 64 KiB, the NUL's byte included */
			kill(-j->pid, SIGKILL);   /* cannot hold its result */
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
		close(j->fd);   /* end of file, or an error */
		j->fd = -1;
	}
}

/* Has j's whole result arrived? Then its child only exits. */
static bool have_result(const struct rt_job *j)
{
	const uint8_t *p = (const uint8_t *)j->buf.data;
	if (j->buf.len < 13 || memcmp(p, MAGIC, 4) != 0)
		return false;
	uint64_t len = 0;
	for (int i = 0; i < 8; i++)
		len |= (uint64_t)p[5 + i] << (8 * i);
	return len == j->buf.len - 13;
}

/* Has j's process exited? (reaped at most once) */
static bool exited(struct rt_job *j, bool block)
{
	int st;
	pid_t p;
	if (j->exited)
		return true;
	while ((p = waitpid(j->pid, &st, block ? 0 : WNOHANG)) < 0 && errno == EINTR)
		;
	if (p == j->pid || (p < 0 && errno == ECHILD)) {
		j->exited = true;
		j->status = p == j->pid ? st : 0;
	}
	return j->exited;
}

/* j's process has exited: what it wrote is its result, whoever still holds
 * the pipe (what it left running in its group is killed). */
static void complete(struct rt_backend *b, struct rt_job *j)
{
	kill(-j->pid, SIGKILL);
	read_pipe(j);
	if (j->fd >= 0)
		close(j->fd);
	j->fd = -1;
	struct rt_job **pp = &b->running;
	while (*pp != NULL && *pp != j)
		pp = &(*pp)->next;
	if (*pp != NULL)
		*pp = j->next;
	finish_child(j, j->status);
	base_buf_free(&j->buf);
	queue_push(&b->done, &b->done_tail, j);
}

/* Completes every job whose process has exited. */
static void reap_exited(struct rt_backend *b)
{
	for (struct rt_job *j = b->running, *n; j != NULL; j = n) {
		n = j->next;
		if (exited(j, false))
			complete(b, j);
	}
}

static int grow_polls(struct rt_backend *b)
{
	size_t n = 1;
	for (struct rt_job *j = b->running; j != NULL; j = j->next)
		n++;
	if (n <= b->pcap)
		return 0;
	size_t cap = n * 2;
	struct pollfd *p = realloc(b->pfds, cap * sizeof *p);
	if (p != NULL)
		b->pfds = p;
	struct rt_job **q = realloc(b->pjobs, cap * sizeof *q);
	if (q != NULL)
		b->pjobs = q;
	if (p == NULL || q == NULL)
		return -1;
	b->pcap = cap;
	return 0;
}

/* Polls the result pipes and the signal pipe up to timeout ms (or the next
 * deadline, which kills its job's group). */
static int poll_once(struct rt_backend *b, int timeout)
{
	if (grow_polls(b) < 0)
		return -1;
	int64_t now = rt_now_ns(), next = 0;
	size_t k = 0;
	int sfd = rt_sig_fd();
	for (struct rt_job *j = b->running; j != NULL; j = j->next) {
		if (j->deadline && !j->timed_out) {
			if (j->deadline <= now) {
				j->timed_out = true;
				kill(-j->pid, SIGKILL);
			} else if (!next || j->deadline < next) {
				next = j->deadline;
			}
		}
		if (j->fd < 0)
			continue;
		b->pfds[k] = (struct pollfd){ .fd = j->fd, .events = POLLIN };
		b->pjobs[k++] = j;
	}
	if (next) {
		int64_t ms = (next - now + 999999) / 1000000;
		if (timeout < 0 || ms < timeout)
			timeout = ms > 60000 ? 60000 : (int)ms;
	}
	if (sfd < 0 && (timeout < 0 || timeout > 100))
		timeout = 100;   /* no SIGCHLD wake-ups: look at the children now and then */
	b->pfds[k] = (struct pollfd){ .fd = sfd, .events = POLLIN };
	int rc = poll(b->pfds, k + 1, timeout);
	if (rc < 0 && errno != EINTR)
		return -1;
	for (size_t i = 0; rc > 0 && i < k; i++)
		if (b->pfds[i].revents) {
			struct rt_job *j = b->pjobs[i];
			read_pipe(j);
			if (have_result(j)) {   /* its child only _exits now: wait for it */
				exited(j, true);
				complete(b, j);
			} else {
				b->scan |= j->fd < 0;   /* its end: the child is exiting */
			}
		}
	/* SIGCHLD wrote to the signal pipe: a byte drained after poll returned is
	 * counted here, one written later wakes the next poll */
	if (rt_sig_drain() > 0 || sfd < 0 || (b->pfds[k].revents & POLLIN))
		b->scan = true;
	return 0;
}

static struct rt_job *process_wait(struct rt_backend *b)
{
	int64_t until = b->tick_ms >= 0 ? rt_now_ns() + (int64_t)b->tick_ms * 1000000 : 0;
	for (;;) {
		if (b->scan) {
			b->scan = false;
			reap_exited(b);
		}
		struct rt_job *d = queue_pop(&b->done, &b->done_tail);
		if (d != NULL) {
			b->nrunning--;
			return d;
		}
		if (b->running == NULL || rt_sig_caught())
			return NULL;
		int64_t now = rt_now_ns();
		if (until && now >= until)
			return NULL;   /* a tick: the caller refreshes its progress */
		if (poll_once(b, until ? (int)((until - now + 999999) / 1000000) : -1) < 0)
			return NULL;
	}
}

static size_t process_stop(struct rt_backend *b, int64_t grace_ns)
{
	int64_t deadline = rt_now_ns() + grace_ns;
	for (struct rt_job *j = b->running; j != NULL; j = j->next) {
		j->killed = true;
		kill(-j->pid, SIGTERM);
	}
	int seen = rt_sig_count();
	while (b->running != NULL) {
		reap_exited(b);
		if (b->running == NULL)
			break;
		if (rt_now_ns() >= deadline || rt_sig_count() > seen) {
			for (struct rt_job *j = b->running; j != NULL; j = j->next)
				kill(-j->pid, SIGKILL);
			for (struct rt_job *j = b->running, *n; j != NULL; j = n) {
				n = j->next;
				exited(j, true);
				complete(b, j);
			}
			break;
		}
		if (poll_once(b, 50) < 0)
			usleep(50000);
	}
	return 0;
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
			if (atomic_load(&b->halt)) {
				j->killed = true;
				rt_result_system(&j->res, false, "cancelled");
			} else if (a != NULL) {
				rt_arena_reset(a);
				rt_sig_enter(j->fn->name, j->opts.map_index);
				rt_call(j->fn, j->inputs, &j->opts, a, &j->res);
				rt_sig_leave();
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
		rt_sig_enter(j->fn->name, j->opts.map_index);
		rt_call(j->fn, j->inputs, &j->opts, b->inline_arena, &j->res);
		rt_sig_leave();
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
			/* woken by a worker; now and then to look for a signal or a tick */
			int64_t until = b->tick_ms >= 0 ? rt_now_ns() + (int64_t)b->tick_ms * 1000000 : 0;
			b->main_waiting = true;
			while (b->done == NULL && !rt_sig_caught() && (!until || rt_now_ns() < until)) {
				struct timespec ts;
				clock_gettime(CLOCK_REALTIME, &ts);
				ts.tv_nsec += 100000000;
				if (ts.tv_nsec >= 1000000000) {
					ts.tv_sec++;
					ts.tv_nsec -= 1000000000;
				}
				pthread_cond_timedwait(&b->done_cv, &b->mu, &ts);
			}
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
	return b->process ? process_start(b, j, err) : thread_start(b, j, err);
}

struct rt_job *rt_backend_wait(struct rt_backend *b)
{
	return b->process ? process_wait(b) : thread_wait(b);
}

struct rt_job *rt_backend_poll(struct rt_backend *b)
{
	struct rt_job *j = queue_pop(b->process ? &b->done : &b->got, b->process ? &b->done_tail : &b->got_tail);
	if (j != NULL)
		b->nrunning--;
	return j;
}

void rt_backend_flush(struct rt_backend *b)
{
	struct rt_msg err;
	if (!b->process)
		(void)thread_flush(b, &err);   /* on failure, the next wait reports it */
}

void rt_backend_cancel(struct rt_backend *b, struct rt_job *j)
{
	if (b->process && j->pid > 0 && !j->exited && !j->killed) {
		j->killed = true;
		kill(-j->pid, SIGKILL);
	}
}

size_t rt_backend_running(const struct rt_backend *b)
{
	return b->nrunning;
}

void rt_backend_set_tick(struct rt_backend *b, int ms)
{
	b->tick_ms = ms;
}

/* threads: calls not yet made are cancelled; running ones cannot be stopped */
static size_t thread_stop(struct rt_backend *b)
{
	atomic_store(&b->halt, true);
	for (struct rt_job *j; (j = queue_pop(&b->pend, &b->pend_tail)) != NULL;) {
		j->killed = true;
		rt_result_system(&j->res, false, "cancelled");
		queue_push(&b->got, &b->got_tail, j);
	}
	b->npend = 0;
	pthread_mutex_lock(&b->mu);
	for (struct rt_job *j; (j = queue_pop(&b->work, &b->work_tail)) != NULL;) {
		j->killed = true;
		rt_result_system(&j->res, false, "cancelled");
		queue_push(&b->got, &b->got_tail, j);
	}
	b->nwork = 0;
	/* a moment for the calls in flight to end */
	int64_t until = rt_now_ns() + 200000000;
	while (rt_now_ns() < until) {
		size_t done = 0;
		for (struct rt_job *j = b->done; j != NULL; j = j->next)
			done++;
		for (struct rt_job *j = b->got; j != NULL; j = j->next)
			done++;
		if (done >= b->nrunning)
			break;
		pthread_mutex_unlock(&b->mu);
		usleep(10000);
		pthread_mutex_lock(&b->mu);
	}
	if (b->done != NULL) {
		if (b->got_tail != NULL)
			b->got_tail->next = b->done;
		else
			b->got = b->done;
		b->got_tail = b->done_tail;
		b->done = b->done_tail = NULL;
	}
	size_t got = 0;
	for (struct rt_job *j = b->got; j != NULL; j = j->next)
		got++;
	size_t left = b->nrunning - got;
	b->abandoned = left > 0;
	pthread_mutex_unlock(&b->mu);
	return left;
}

size_t rt_backend_stop(struct rt_backend *b, int64_t grace_ns)
{
	return b->process ? process_stop(b, grace_ns) : thread_stop(b);
}

void rt_backend_free(struct rt_backend *b)
{
	if (b == NULL || b->abandoned)
		return;   /* calls still run in its threads: left to the process's end */
	if (b->process) {
		/* The scheduler waits for its jobs; this only guards against leaks. */
		while (b->running != NULL) {
			struct rt_job *j = b->running;
			b->running = j->next;
			kill(-j->pid, SIGKILL);
			if (j->fd >= 0)
				close(j->fd);
			exited(j, true);
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
