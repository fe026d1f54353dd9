/* slurm_detach.c: detached Slurm runs. `run --engine slurm --detach` forks
 * the submitter into the background (its own session, stdout and stderr in
 * the run's directory) and prints the run's directory; `slurm status`,
 * `slurm collect` and `slurm cancel` look at, collect and stop it later:
 *
 *   RUNDIR/driver.pid     the background submitter's process id
 *   RUNDIR/outputs.json   what run prints on stdout (the JSON result)
 *   RUNDIR/run.log        what it prints on stderr
 *   RUNDIR/status         its exit status, once it has ended */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "slurm_impl.h"

static const char *in_dir(struct rt_arena *a, const char *dir, const char *name)
{
	return rt_arena_printf(a, "%s/%s", dir, name);
}

/* In the child: a session of its own, stdio in the run's directory. */
static int become_driver(struct rt_slurm *s)
{
	struct rt_arena *a = s->r->a;
	int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int out = open(in_dir(a, s->dir, "outputs.json"), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int err = open(in_dir(a, s->dir, "run.log"), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int rc = in < 0 || out < 0 || err < 0 ? -1 : 0;
	if (rc == 0 && (dup2(in, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 || dup2(err, STDERR_FILENO) < 0))
		rc = -1;
	for (int i = 0; i < 3; i++) {
		int fd = i == 0 ? in : i == 1 ? out : err;
		if (fd > STDERR_FILENO)
			close(fd);
	}
	setsid();
	return rc;
}

int rt_slurm_detach(struct rt_slurm *s, const struct rt_io *io)
{
	struct rt_msg err;
	fflush(io->out);
	fflush(io->err);
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(io->err, "run: --detach: cannot fork: %s\n", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		if (become_driver(s) < 0)
			fprintf(stderr, "run: --detach: the run's directory: %s\n", strerror(errno));
		s->detached = true;
		return 0;
	}
	char txt[32];
	int n = snprintf(txt, sizeof txt, "%ld\n", (long)pid);
	if (rt_write_file(in_dir(s->r->a, s->dir, "driver.pid"), txt, (size_t)n, &err) < 0) {
		fprintf(io->err, "run: --detach: %s\n", err.text);
		kill(pid, SIGTERM);
		return -1;
	}
	fprintf(io->err, "run: detached (pid %ld): `slurm status|collect|cancel %s`\n", (long)pid, s->dir);
	fprintf(io->out, "%s\n", s->dir);
	fflush(io->out);
	return 1;
}

void rt_slurm_detached_end(struct rt_slurm *s, int status)
{
	struct rt_msg err;
	char txt[16];
	if (s == NULL || !s->detached)
		return;
	fflush(stdout);
	fflush(stderr);
	int n = snprintf(txt, sizeof txt, "%d\n", status);
	if (rt_write_file(in_dir(s->r->a, s->dir, "status"), txt, (size_t)n, &err) < 0)
		fprintf(stderr, "run: %s\n", err.text);
}

/* ---- slurm status|collect|cancel RUNDIR -------------------------------------------------- */
/* A small file's first number; -1 when there is none. */
static long read_number(struct rt_arena *a, const char *dir, const char *name)
{
	struct rt_msg err;
	uint8_t *data;
	size_t len;
	const char *p = in_dir(a, dir, name);
	if (p == NULL || access(p, F_OK) < 0 || rt_read_file(a, p, &data, &len, &err) < 0 || len == 0)
		return -1;
	char *end;
	long v = strtol((const char *)data, &end, 10);
	return end == (char *)data || v < 0 ? -1 : v;
}

static void copy_file(const char *path, FILE *to)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return;
	char buf[8192];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		fwrite(buf, 1, n, to);
	fclose(f);
	fflush(to);
}

enum state { ST_NOT_A_RUN, ST_RUNNING, ST_DONE, ST_GONE };

static enum state run_state(struct rt_arena *a, const char *dir, long *pid, long *status)
{
	*pid = read_number(a, dir, "driver.pid");
	*status = read_number(a, dir, "status");
	if (*pid < 0)
		return ST_NOT_A_RUN;
	if (*status >= 0)
		return ST_DONE;
	return kill((pid_t)*pid, 0) == 0 || errno == EPERM ? ST_RUNNING : ST_GONE;
}

static int slurm_cmd(struct rt_arena *a, const char *cmd, const char *dir, bool wait, const struct rt_io *io)
{
	long pid, status;
	enum state st = run_state(a, dir, &pid, &status);
	while (wait && st == ST_RUNNING && strcmp(cmd, "collect") == 0) {
		nanosleep(&(struct timespec){ 0, 250000000 }, NULL);
		st = run_state(a, dir, &pid, &status);
	}
	if (st == ST_NOT_A_RUN) {
		fprintf(io->err, "slurm: %s: not the directory of a detached run (no driver.pid)\n", dir);
		return 1;
	}
	if (st == ST_GONE) {
		fprintf(io->err, "slurm: %s: the submitter (pid %ld) ended without a result "
			"(its jobs: scancel --name=flytec-<run id>; its log: %s/run.log)\n", dir, pid, dir);
		return 1;
	}
	if (strcmp(cmd, "status") == 0) {
		if (st == ST_RUNNING)
			fprintf(io->err, "%s: running (pid %ld)\n", dir, pid);
		else
			fprintf(io->err, "%s: %s (status %ld)\n", dir, status == 0 ? "succeeded" : "failed", status);
		return 0;
	}
	if (strcmp(cmd, "cancel") == 0) {
		if (st == ST_RUNNING && kill((pid_t)pid, SIGTERM) < 0) {
			fprintf(io->err, "slurm: %s: cannot signal pid %ld: %s\n", dir, pid, strerror(errno));
			return 1;
		}
		fprintf(io->err, "%s: %s\n", dir, st == ST_RUNNING ? "cancelling" : "already ended");
		return 0;
	}
	if (st == ST_RUNNING) {
		fprintf(io->err, "slurm: %s: still running (pid %ld); collect --wait waits\n", dir, pid);
		return 1;
	}
	copy_file(in_dir(a, dir, "run.log"), io->err);
	copy_file(in_dir(a, dir, "outputs.json"), io->out);
	return (int)status;
}

int rt_cmd_slurm(const flrt_module *m, int argc, char **argv, const struct rt_io *io)
{
	(void)m;
	const char *cmd = argc > 1 ? argv[1] : "", *dir = NULL;
	bool wait = false, bad = strcmp(cmd, "status") != 0 && strcmp(cmd, "collect") != 0 &&
				 strcmp(cmd, "cancel") != 0;
	for (int i = 2; i < argc && !bad; i++) {
		if (strcmp(argv[i], "--wait") == 0 && strcmp(cmd, "collect") == 0)
			wait = true;
		else if (dir == NULL && argv[i][0] != '-')
			dir = argv[i];
		else
			bad = true;
	}
	if (bad || dir == NULL) {
		fprintf(io->err, "usage: slurm status|cancel RUNDIR, slurm collect RUNDIR [--wait]\n");
		return 2;
	}
	struct rt_arena *a = rt_arena_new();
	if (a == NULL) {
		fprintf(io->err, "slurm: out of memory\n");
		return 1;
	}
	int rc = slurm_cmd(a, cmd, dir, wait, io);
	rt_arena_free(a);
	return rc;
}
