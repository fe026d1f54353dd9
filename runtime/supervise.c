/* supervise.c: the task call of execute / map-execute runs in a forked
 * child, so that a task that crashes, aborts or is killed (the OOM killer,
 * SIGKILL) still ends in an error document written by the parent.
 *
 * The child sends "FRX1", ok (1 byte), the length (8 bytes, little endian)
 * and the packed result through a pipe, then _exits. It dies with the
 * parent (PR_SET_PDEATHSIG): a pod's SIGTERM to the entrypoint ends both. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container.h"

#define MAGIC "FRX1"
#define HDR 13

static void write_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;
	while (n > 0) {
		ssize_t w = write(fd, b, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		b += w;
		n -= (size_t)w;
	}
}

static _Noreturn void child(void (*fn)(void *, struct rt_result *), void *arg, int fd, pid_t parent)
{
	struct rt_result r = { 0 };
	uint8_t hdr[HDR];

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == 0 && getppid() != parent)
		_exit(1);   /* the parent is already gone */
	fn(arg, &r);
	if (r.data != NULL) {
		memcpy(hdr, MAGIC, 4);
		hdr[4] = r.ok ? 1 : 0;
		for (int i = 0; i < 8; i++)
			hdr[5 + i] = (uint8_t)((uint64_t)r.len >> (8 * i));
		write_all(fd, hdr, sizeof hdr);
		write_all(fd, r.data, r.len);
	}
	close(fd);
	fflush(stdout);
	fflush(stderr);
	_exit(0);
}

/* Reads the pipe to its end; 0, or -1 when out of memory (drained). */
static int slurp(int fd, struct base_buf *b)
{
	int rc = 0;
	for (;;) {
		uint8_t tmp[4096];
		bool room = rc == 0 && base_buf_reserve(b, 65536) == 0;
		rc = room ? 0 : -1;
		uint8_t *dst = room ? (uint8_t *)b->data + b->len : tmp;
		size_t cap = room ? b->cap - b->len - 1 : sizeof tmp;   /* the last byte is the NUL's */
		ssize_t n = read(fd, dst, cap);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return rc;
		if (room) {
			b->len += (size_t)n;
			b->data[b->len] = '\0';
		}
	}
}

/* The result the child sent, if whole. */
static bool take(const struct base_buf *b, struct rt_result *r)
{
	const uint8_t *d = (const uint8_t *)b->data;
	uint64_t len = 0;
	if (b->len < HDR || memcmp(d, MAGIC, 4) != 0)
		return false;
	for (int i = 0; i < 8; i++)
		len |= (uint64_t)d[5 + i] << (8 * i);
	if (len != b->len - HDR)
		return false;
	rt_result_free(r);
	if ((r->data = malloc(len ? len : 1)) == NULL)
		return false;
	memcpy(r->data, d + HDR, len);
	r->len = r->cap = len;
	r->ok = d[4] != 0;
	return true;
}

/* The error document for a child that ended without a result. */
static void died(const char *task, int status, bool oom, struct rt_result *r)
{
	char msg[512];
	if (oom) {
		rt_result_system(r, true, "task %s: out of memory holding its result", task);
	} else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) {
		snprintf(msg, sizeof msg, "task %s was killed by signal %d (SIGKILL): the out-of-memory "
			 "killer or an external kill", task, SIGKILL);
		rt_result_error(r, RT_CODE_SYSTEM, true, RT_ORIGIN_SYSTEM, msg);
	} else if (WIFSIGNALED(status)) {
		const char *name = strsignal(WTERMSIG(status));
		snprintf(msg, sizeof msg, "task %s crashed: signal %d (%s)", task, WTERMSIG(status),
			 name != NULL ? name : "unknown");
		rt_result_error(r, "USER:Crash", true, RT_ORIGIN_USER, msg);
	} else if (WIFEXITED(status)) {
		snprintf(msg, sizeof msg, "task %s exited with status %d before reporting a result",
			 task, WEXITSTATUS(status));
		rt_result_error(r, "USER:Crash", true, RT_ORIGIN_USER, msg);
	} else {
		rt_result_system(r, true, "task %s ended abnormally", task);
	}
}

void rt_supervise(const char *task, void (*fn)(void *arg, struct rt_result *r), void *arg,
		  struct rt_result *r)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0) {
		fn(arg, r);
		return;
	}
	fflush(stdout);
	fflush(stderr);
	pid_t self = getpid(), pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		fn(arg, r);
		return;
	}
	if (pid == 0) {
		close(fds[0]);
		child(fn, arg, fds[1], self);
	}
	close(fds[1]);
	struct base_buf b = { 0 };
	int oom = slurp(fds[0], &b);
	close(fds[0]);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (oom < 0 || !take(&b, r))
		died(task, status, oom < 0, r);
	base_buf_free(&b);
}
