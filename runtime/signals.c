/* signals.c: the signals of a local run (`run`).
 *
 * While a run is in progress, SIGINT, SIGTERM and SIGHUP are caught: the
 * handler records the signal and writes a byte to a self-pipe, which wakes
 * the scheduler (the process backend polls it; the thread backend checks the
 * flag). The scheduler then stops starting calls, terminates its element
 * process groups and returns 128 + the signal. With process isolation
 * SIGCHLD writes to the same pipe, so that an element is done when its
 * process exits, whoever else holds its result pipe. A third stop signal
 * gets its default action at once (an in-process call that never returns
 * cannot be stopped otherwise). Each element's child
 * restores the default dispositions (rt_sig_child).
 *
 * Under --isolation inprocess a task runs in the run's own process: a task
 * that calls exit() or crashes takes the run with it. The guard says so: an
 * on_exit handler reports "task T called exit(N) under --isolation
 * inprocess" and turns a status 0 into 1, and a handler of the fatal signals
 * names the task and element before the signal's own action (re-raised). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

static const int STOP_SIGNALS[] = { SIGINT, SIGTERM, SIGHUP };
#define NSTOP (sizeof STOP_SIGNALS / sizeof STOP_SIGNALS[0])
static const int FATAL_SIGNALS[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
#define NFATAL (sizeof FATAL_SIGNALS / sizeof FATAL_SIGNALS[0])

static volatile sig_atomic_t caught, ncaught;
static int wake[2] = { -1, -1 };
static struct sigaction old_stop[NSTOP], old_chld, old_fatal[NFATAL];
static bool chld_installed, fatal_installed;

static void on_signal(int sig)
{
	int e = errno;
	if (sig != SIGCHLD) {
		if (!caught)
			caught = sig;
		if (++ncaught >= 3) {
			/* the third: the run did not stop (a call in the process that never
			 * returns), so the action it had before the run (flrt_main's removes
			 * temporary files, then the default), at once */
			for (size_t i = 0; i < NSTOP; i++)
				if (STOP_SIGNALS[i] == sig)
					sigaction(sig, &old_stop[i], NULL);
			raise(sig);
		}
	}
	if (wake[1] >= 0 && write(wake[1], "x", 1) < 0) {
		/* full: a wake-up is pending anyway */
	}
	errno = e;
}

int rt_sig_install(bool chld, struct rt_msg *err)
{
	struct sigaction sa;
	caught = ncaught = 0;
	if (pipe2(wake, O_CLOEXEC | O_NONBLOCK) < 0) {
		wake[0] = wake[1] = -1;
		return rt_msgf(err, "cannot create a pipe: %s", strerror(errno));
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < NSTOP; i++) {
		/* an ignored signal stays ignored (nohup, a background job's SIGINT) */
		if (sigaction(STOP_SIGNALS[i], NULL, &old_stop[i]) == 0 && old_stop[i].sa_handler != SIG_IGN)
			sigaction(STOP_SIGNALS[i], &sa, NULL);
	}
	chld_installed = chld;
	if (chld) {
		sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
		sigaction(SIGCHLD, &sa, &old_chld);
	}
	return 0;
}

void rt_sig_restore(void)
{
	for (size_t i = 0; i < NSTOP; i++)
		sigaction(STOP_SIGNALS[i], &old_stop[i], NULL);
	if (chld_installed)
		sigaction(SIGCHLD, &old_chld, NULL);
	chld_installed = false;
	if (fatal_installed)
		for (size_t i = 0; i < NFATAL; i++)
			sigaction(FATAL_SIGNALS[i], &old_fatal[i], NULL);
	fatal_installed = false;
	for (int i = 0; i < 2; i++) {
		if (wake[i] >= 0)
			close(wake[i]);
		wake[i] = -1;
	}
}

void rt_sig_child(void)
{
	for (size_t i = 0; i < NSTOP; i++)
		sigaction(STOP_SIGNALS[i], &old_stop[i], NULL);
	if (chld_installed)
		sigaction(SIGCHLD, &old_chld, NULL);
	for (int i = 0; i < 2; i++)
		if (wake[i] >= 0)
			close(wake[i]);
}

int rt_sig_fd(void)
{
	return wake[0];
}

size_t rt_sig_drain(void)
{
	char buf[256];
	size_t n = 0;
	ssize_t r;
	while (wake[0] >= 0 && (r = read(wake[0], buf, sizeof buf)) > 0)
		n += (size_t)r;
	return n;
}

int rt_sig_caught(void)
{
	return caught;
}

int rt_sig_count(void)
{
	return ncaught;
}

/* ---- the in-process guard --------------------------------------------------------- */
static _Thread_local const char *cur_task;
static _Thread_local int64_t cur_elem;
static bool exit_hook;

void rt_sig_enter(const char *task, int64_t elem)
{
	cur_task = task;
	cur_elem = elem;
}

void rt_sig_leave(void)
{
	cur_task = NULL;
}

/* async-signal-safe writes to stderr */
static void put(const char *s)
{
	if (write(STDERR_FILENO, s, strlen(s)) < 0) {
		/* nowhere to say it */
	}
}

static void put_int(int64_t v)
{
	char buf[24];
	size_t i = sizeof buf;
	bool neg = v < 0;
	uint64_t u = neg ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	buf[--i] = 0;
	do
		buf[--i] = (char)('0' + u % 10);
	while ((u /= 10) && i > 1);
	if (neg)
		buf[--i] = '-';
	put(buf + i);
}

static void put_task(void)
{
	put("run: task ");
	put(cur_task);
	if (cur_elem >= 0) {
		put(" (map element ");
		put_int(cur_elem);
		put(")");
	}
}

static void on_exit_hook(int status, void *arg)
{
	(void)arg;
	if (cur_task == NULL)
		return;
	put_task();
	put(" called exit(");
	put_int(status);
	put(") under --isolation inprocess: the whole run ends with it, without a result "
	    "(with --isolation process it is a failed call)\n");
	_exit(status != 0 ? status : 1);
}

static const char *fatal_name(int sig)
{
	switch (sig) {
	case SIGSEGV: return "Segmentation fault";
	case SIGBUS: return "Bus error";
	case SIGFPE: return "Floating point exception";
	case SIGILL: return "Illegal instruction";
	case SIGABRT: return "Aborted";
	default: return "?";
	}
}

static void on_fatal(int sig)
{
	if (cur_task != NULL) {
		put_task();
		put(" crashed under --isolation inprocess: signal ");
		put_int(sig);
		put(" (");
		put(fatal_name(sig));
		put("); the whole run ends with it (with --isolation process it is a failed call)\n");
	}
	/* the signal's previous action: a fault repeats, a raised signal is raised again */
	for (size_t i = 0; i < NFATAL; i++)
		if (FATAL_SIGNALS[i] == sig)
			sigaction(sig, &old_fatal[i], NULL);
	cur_task = NULL;
	raise(sig);
}

void rt_sig_guard_inprocess(void)
{
	struct sigaction sa;
	if (!exit_hook) {
		exit_hook = true;
#ifdef __GLIBC__
		on_exit(on_exit_hook, NULL);
#endif
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_fatal;
	sa.sa_flags = SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < NFATAL; i++)
		sigaction(FATAL_SIGNALS[i], &sa, &old_fatal[i]);
	fatal_installed = true;
}
