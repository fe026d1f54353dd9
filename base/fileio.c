/* fileio.c: whole-or-nothing file writes (temporary file and rename), the
 * direct write of a target that is not a regular file, and the table of
 * temporary files in progress that a signal handler removes. */
#include <config.h>

#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The temporary files being written now, for the signal handler: a slot
 * holds a malloc'd name from before mkstemp until after the rename. */
#define PENDING_MAX 64
static _Atomic(char *) pending[PENDING_MAX];
/* the process that writes each: a child forked while its parent writes
 * (the runtime forks tasks) must not remove the parent's file */
static _Atomic(pid_t) pending_pid[PENDING_MAX];
static void (*write_hook)(const char *tmp);

_Static_assert(ATOMIC_POINTER_LOCK_FREE == 2, "the signal handler reads the table lock-free");

static int pending_add(char *tmp)
{
	for (int i = 0; i < PENDING_MAX; i++) {
		char *expected = NULL;
		if (atomic_compare_exchange_strong(&pending[i], &expected, tmp)) {
			atomic_store(&pending_pid[i], getpid());
			return i;
		}
	}
	return -1;  /* full: this one is not removed on a signal */
}

static void pending_drop(int slot)
{
	if (slot >= 0)
		atomic_store(&pending[slot], NULL);
}

/* Async-signal-safe: getpid, unlink, signal and raise only. The signal is blocked
 * while this runs, so the raised one kills the process on return. */
static void remove_pending(int sig)
{
	int e = errno;
	for (int i = 0; i < PENDING_MAX; i++) {
		char *tmp = atomic_load(&pending[i]);
		if (tmp != NULL && atomic_load(&pending_pid[i]) == getpid())
			(void)unlink(tmp);
	}
	signal(sig, SIG_DFL);
	raise(sig);
	errno = e;
}

void base_write_remove_temps_on_signals(void)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		struct sigaction old, sa;
		if (sigaction(sigs[i], NULL, &old) != 0 || old.sa_handler == SIG_IGN)
			continue;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = remove_pending;
		sigemptyset(&sa.sa_mask);
		for (size_t j = 0; j < sizeof sigs / sizeof sigs[0]; j++)
			sigaddset(&sa.sa_mask, sigs[j]);
		(void)sigaction(sigs[i], &sa, NULL);
	}
}

void base_write_set_hook(void (*hook)(const char *tmp))
{
	write_hook = hook;
}

bool base_file_same(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return false;
	bool same = true;
	char buf[65536];
	size_t off = 0, n;
	while (same && (n = fread(buf, 1, sizeof buf, f)) > 0) {
		if (off + n > len || memcmp(buf, (const char *)data + off, n) != 0)
			same = false;
		off += n;
	}
	same = same && !ferror(f) && off == len;
	fclose(f);
	return same;
}

/* The mkstemp template for path, malloc'd. */
static char *temp_name(const char *path, bool hidden)
{
	size_t plen = strlen(path);
	char *tmp = malloc(plen + 16);
	if (tmp == NULL)
		return NULL;
	const char *slash = strrchr(path, '/');
	if (!hidden)
		snprintf(tmp, plen + 16, "%s.tmp.XXXXXX", path);
	else if (slash != NULL)
		snprintf(tmp, plen + 16, "%.*s/.%s.XXXXXX", (int)(slash - path), path, slash + 1);
	else
		snprintf(tmp, plen + 16, ".%s.XXXXXX", path);
	return tmp;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Makes the rename durable (best effort). */
static void sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash == NULL ? strdup(".") : strndup(path, slash > path ? (size_t)(slash - path) : 1);
	if (dir == NULL)
		return;
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	free(dir);
}

/* Fills the temporary file and closes it; errno on failure. */
static int fill(int fd, const void *data, size_t len, unsigned flags, int mode)
{
	int err = 0;
	if (mode == BASE_WRITE_MODE_UMASK) {
		mode_t mask = umask(0);
		umask(mask);
		mode = (int)(0666 & ~mask);
	}
	if (write_all(fd, data, len) < 0 || fchmod(fd, (mode_t)mode) != 0
	    || ((flags & BASE_WRITE_FSYNC) && fsync(fd) != 0))
		err = errno;
	if (close(fd) != 0 && err == 0)
		err = errno;
	errno = err;
	return err == 0 ? 0 : -1;
}

static int write_replacing(const char *path, const void *data, size_t len, unsigned flags, int mode,
			   struct base_write_result *r);

/* A target that exists and is not a regular file (a device, a FIFO, a
 * terminal): written in place, as a compiler writes -o /dev/null; never
 * replaced by a regular file. */
static int write_direct(const char *path, const void *data, size_t len, struct base_write_result *r)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		r->stage = BASE_WRITE_CREATE;
		return -1;
	}
	int err = write_all(fd, data, len) < 0 ? errno : 0;
	if (close(fd) != 0 && err == 0)
		err = errno;
	if (err != 0) {
		r->stage = BASE_WRITE_DATA;
		errno = err;
		return -1;
	}
	return 0;
}

/* What a write replaces: path itself, or the regular file a symbolic link
 * at path leads to (malloc'd into *resolved), so that the link stays. */
static const char *replaced_file(const char *path, char **resolved)
{
	struct stat st;
	*resolved = NULL;
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
		*resolved = realpath(path, NULL);
	return *resolved != NULL ? *resolved : path;
}

int base_write_file(const char *path, const void *data, size_t len, unsigned flags, int mode,
		    struct base_write_result *r)
{
	struct base_write_result dummy;
	if (r == NULL)
		r = &dummy;
	r->stage = BASE_WRITE_OK;
	r->unchanged = false;
	struct stat st;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		return write_direct(path, data, len, r);
	char *resolved;
	path = replaced_file(path, &resolved);
	int rc = write_replacing(path, data, len, flags, mode, r);
	int e = errno;
	free(resolved);
	errno = e;
	return rc;
}

/* The temporary file and the rename, over a regular file or nothing. */
static int write_replacing(const char *path, const void *data, size_t len, unsigned flags, int mode,
			   struct base_write_result *r)
{
	if ((flags & BASE_WRITE_IF_CHANGED) && base_file_same(path, data, len)) {
		r->unchanged = true;
		return 0;
	}
	char *tmp = temp_name(path, (flags & BASE_WRITE_HIDDEN_TEMP) != 0);
	if (tmp == NULL) {
		r->stage = BASE_WRITE_NOMEM;
		errno = ENOMEM;
		return -1;
	}
	int slot = pending_add(tmp);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		int e = errno;
		pending_drop(slot);
		free(tmp);
		r->stage = BASE_WRITE_CREATE;
		errno = e;
		return -1;
	}
	if (fill(fd, data, len, flags, mode) < 0)
		r->stage = BASE_WRITE_DATA;
	else if (write_hook != NULL)
		write_hook(tmp);
	if (r->stage == BASE_WRITE_OK && rename(tmp, path) != 0)
		r->stage = BASE_WRITE_RENAME;
	if (r->stage != BASE_WRITE_OK) {
		int e = errno;
		unlink(tmp);
		pending_drop(slot);
		free(tmp);
		errno = e;
		return -1;
	}
	pending_drop(slot);
	free(tmp);
	if (flags & BASE_WRITE_FSYNC)
		sync_dir(path);
	return 0;
}
