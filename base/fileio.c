/* fileio.c: whole-or-nothing file writes (temporary file and rename). */
#include <config.h>

#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

int base_write_file(const char *path, const void *data, size_t len, unsigned flags, int mode,
		    struct base_write_result *r)
{
	struct base_write_result dummy;
	if (r == NULL)
		r = &dummy;
	r->stage = BASE_WRITE_OK;
	r->unchanged = false;
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
	int fd = mkstemp(tmp);
	if (fd < 0) {
		int e = errno;
		free(tmp);
		r->stage = BASE_WRITE_CREATE;
		errno = e;
		return -1;
	}
	if (fill(fd, data, len, flags, mode) < 0)
		r->stage = BASE_WRITE_DATA;
	else if (rename(tmp, path) != 0)
		r->stage = BASE_WRITE_RENAME;
	if (r->stage != BASE_WRITE_OK) {
		int e = errno;
		unlink(tmp);
		free(tmp);
		errno = e;
		return -1;
	}
	free(tmp);
	if (flags & BASE_WRITE_FSYNC)
		sync_dir(path);
	return 0;
}
