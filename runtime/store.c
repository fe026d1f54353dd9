/*
 * store.c: URIs and the dispatch to object stores; local paths and file://
 * are served here (streamed copies; a file appears whole or not at all).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store.h"

static const struct rt_store_backend *const backends[] = {
	&rt_s3_backend,
	&rt_abfs_backend,
	&rt_abfss_backend,
};

/* The length of "scheme" in "scheme://…", else 0. */
static size_t scheme_len(const char *uri)
{
	const char *c = uri;

	if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z')))
		return 0;
	while ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
	       *c == '+' || *c == '.' || *c == '-')
		c++;
	return strncmp(c, "://", 3) == 0 ? (size_t)(c - uri) : 0;
}

bool rt_store_is_remote(const char *uri)
{
	size_t n = uri != NULL ? scheme_len(uri) : 0;
	return n > 0 && !(n == 4 && strncasecmp(uri, "file", 4) == 0);
}

int rt_store_parse(struct rt_arena *a, const char *uri, struct rt_store_uri *u, struct rt_msg *err)
{
	memset(u, 0, sizeof *u);
	u->uri = uri;
	if (uri == NULL || *uri == 0)
		return rt_msgf(err, "empty path");
	if (!rt_store_is_remote(uri)) {
		char *path;
		if (rt_local_path(a, uri, &path, err) < 0)
			return -1;
		u->kind = RT_STORE_LOCAL;
		u->path = path;
		return 0;
	}
	size_t sl = scheme_len(uri);
	char *scheme = rt_arena_strndup(a, uri, sl);
	if (scheme == NULL)
		return rt_msgf(err, "out of memory");
	for (char *c = scheme; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c + 32);
	for (size_t i = 0; i < sizeof backends / sizeof backends[0]; i++)
		if (strcmp(backends[i]->scheme, scheme) == 0)
			u->backend = backends[i];
	if (u->backend == NULL)
		return rt_msgf(err, "'%s': the object store %s:// is not supported (s3://, abfs:// and "
			       "abfss:// are; or use a local path or a file:// URI)", uri, scheme);
	const char *b = uri + sl + 3;
	size_t bl = strcspn(b, "/");
	if (bl == 0)
		return rt_msgf(err, "'%s': no bucket (expected %s://bucket/key)", uri, scheme);
	if (bl > 255)
		return rt_msgf(err, "'%s': the bucket name is longer than 255 characters", uri);
	const char *at = u->backend->account_in_authority ? memchr(b, '@', bl) : NULL;
	for (size_t i = 0; i < bl; i++) {
		char c = b[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '.' || c == '_' || b + i == at))
			return rt_msgf(err, "'%s': the bucket name '%.*s' may hold only letters, digits, "
				       "'-', '.' and '_'", uri, (int)bl, b);
	}
	const char *key = b[bl] == '/' ? b + bl + 1 : b + bl;
	if (strlen(key) > 1024)
		return rt_msgf(err, "'%s': the object key is longer than 1024 bytes", uri);
	u->kind = RT_STORE_OBJECT;
	u->scheme = scheme;
	u->bucket = rt_arena_strndup(a, b, bl);
	u->key = rt_arena_strdup(a, key);
	if (u->bucket == NULL || u->key == NULL)
		return rt_msgf(err, "out of memory");
	return 0;
}

/* Parses uri for an operation on one object (a key is needed). */
static struct rt_arena *open_uri(const char *uri, struct rt_store_uri *u, struct rt_msg *err)
{
	struct rt_arena *a = rt_arena_new();

	if (a == NULL) {
		rt_msgf(err, "out of memory");
		return NULL;
	}
	if (rt_store_parse(a, uri, u, err) < 0) {
		rt_arena_free(a);
		return NULL;
	}
	if (u->kind == RT_STORE_OBJECT && u->key[0] == 0) {
		rt_msgf(err, "'%s': no object key (expected %s://%s/key)", uri, u->scheme, u->bucket);
		rt_arena_free(a);
		return NULL;
	}
	return a;
}

/* ---- local files ------------------------------------------------------------------- */
static int parent_dirs(const char *path, struct rt_msg *err)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL || slash == path)
		return 0;
	char *dir = strndup(path, (size_t)(slash - path));
	if (dir == NULL)
		return rt_msgf(err, "out of memory");
	int rc = rt_mkdirs(dir, err);
	free(dir);
	return rc;
}

/* Copies the file from to the file to (temporary file, fsync, rename). */
static int copy_file(const char *from, const char *to, const char *uri, struct rt_msg *err)
{
	int in = open(from, O_RDONLY | O_CLOEXEC);
	struct stat st;

	if (in < 0)
		return rt_msgf(err, "cannot read '%s': %s", uri, strerror(errno));
	if (fstat(in, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(in);
		return rt_msgf(err, "cannot read '%s': not a regular file", uri);
	}
	size_t n = strlen(to);
	char *tmp = malloc(n + 16);
	char *buf = malloc(1 << 20);
	int out = -1, rc = -1;
	if (tmp == NULL || buf == NULL) {
		rt_msgf(err, "out of memory");
		goto out;
	}
	snprintf(tmp, n + 16, "%s.tmp.XXXXXX", to);
	if ((out = mkstemp(tmp)) < 0) {
		rt_msgf(err, "cannot write '%s': %s", to, strerror(errno));
		goto out;
	}
	for (;;) {
		ssize_t r = read(in, buf, 1 << 20);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rt_msgf(err, "cannot read '%s': %s", from, strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		for (ssize_t done = 0; done < r;) {
			ssize_t w = write(out, buf + done, (size_t)(r - done));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				rt_msgf(err, "cannot write '%s': %s", to, strerror(errno));
				goto fail;
			}
			done += w;
		}
	}
	if (fchmod(out, 0644) < 0 || fsync(out) < 0) {
		rt_msgf(err, "cannot write '%s': %s", to, strerror(errno));
		goto fail;
	}
	int c = close(out);
	out = -1;
	if (c < 0 || rename(tmp, to) < 0) {
		rt_msgf(err, "cannot write '%s': %s", to, strerror(errno));
		goto fail;
	}
	rc = 0;
	goto out;
fail:
	if (out >= 0)
		close(out);
	unlink(tmp);
out:
	close(in);
	free(tmp);
	free(buf);
	return rc;
}

int rt_store_download(const struct rt_store_uri *u, const char *path,
		      int (*fill)(const struct rt_store_uri *u, int fd, struct rt_msg *err), struct rt_msg *err)
{
	size_t n = strlen(path);
	char *tmp = malloc(n + 16);

	if (tmp == NULL)
		return rt_msgf(err, "out of memory");
	snprintf(tmp, n + 16, "%s.tmp.XXXXXX", path);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		rt_msgf(err, "cannot download %s to %s: %s", u->uri, path, strerror(errno));
		free(tmp);
		return -1;
	}
	int rc = fill(u, fd, err);
	if (rc == 0 && (fchmod(fd, 0644) < 0 || fsync(fd) < 0))
		rc = rt_msgf(err, "cannot download %s to %s: %s", u->uri, path, strerror(errno));
	if (close(fd) < 0 && rc == 0)
		rc = rt_msgf(err, "cannot download %s to %s: %s", u->uri, path, strerror(errno));
	if (rc == 0 && rename(tmp, path) < 0)
		rc = rt_msgf(err, "cannot download %s to %s: %s", u->uri, path, strerror(errno));
	if (rc < 0)
		unlink(tmp);
	free(tmp);
	return rc;
}

/* ---- the operations ------------------------------------------------------------------- */
/* Copies between the local file path and uri, either way (put: path to
 * uri). The local end's parent directories are made first. */
static int transfer_file(const char *uri, const char *path, bool put, struct rt_msg *err)
{
	struct rt_store_uri u;
	struct rt_arena *a = open_uri(uri, &u, err);
	int rc;

	if (a == NULL)
		return -1;
	if (u.kind == RT_STORE_LOCAL) {
		const char *from = put ? path : u.path, *to = put ? u.path : path;
		rc = parent_dirs(to, err) < 0 ? -1 : copy_file(from, to, put ? path : uri, err);
	} else if (put) {
		rc = u.backend->put_file(path, &u, err);
	} else {
		rc = parent_dirs(path, err) < 0 ? -1 : u.backend->get_file(&u, path, err);
	}
	rt_arena_free(a);
	return rc;
}

int rt_store_get_file(const char *uri, const char *path, struct rt_msg *err)
{
	return transfer_file(uri, path, false, err);
}

int rt_store_put_file(const char *path, const char *uri, struct rt_msg *err)
{
	return transfer_file(uri, path, true, err);
}

int rt_store_get_mem(struct rt_arena *out, const char *uri, size_t limit, uint8_t **data, size_t *len,
		     struct rt_msg *err)
{
	struct rt_store_uri u;
	struct rt_arena *a = open_uri(uri, &u, err);
	struct stat st;
	int rc;

	if (a == NULL)
		return -1;
	if (u.kind == RT_STORE_OBJECT) {
		rc = u.backend->get_mem(&u, out, limit, data, len, err);
	} else if (limit != 0 && stat(u.path, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size > limit) {
		rc = rt_msgf(err, "'%s' is larger than the limit of %zu bytes", uri, limit);
	} else {
		rc = rt_read_file(out, u.path, data, len, err);
		if (rc == 0 && limit != 0 && *len > limit)
			rc = rt_msgf(err, "'%s' is larger than the limit of %zu bytes", uri, limit);
	}
	rt_arena_free(a);
	return rc;
}

int rt_store_put_mem(const void *data, size_t len, const char *uri, struct rt_msg *err)
{
	struct rt_store_uri u;
	struct rt_arena *a = open_uri(uri, &u, err);
	int rc;

	if (a == NULL)
		return -1;
	if (u.kind == RT_STORE_LOCAL)
		rc = parent_dirs(u.path, err) < 0 ? -1 : rt_write_file(u.path, data, len, err);
	else
		rc = u.backend->put_mem(data, len, &u, err);
	rt_arena_free(a);
	return rc;
}

int rt_store_head(const char *uri, struct rt_store_info *info, struct rt_msg *err)
{
	struct rt_store_uri u;
	struct rt_store_info tmp;
	struct rt_arena *a = open_uri(uri, &u, err);
	struct stat st;
	int rc;

	if (a == NULL)
		return -1;
	if (info == NULL)
		info = &tmp;
	memset(info, 0, sizeof *info);
	if (u.kind == RT_STORE_OBJECT) {
		rc = u.backend->head(&u, info, err);
	} else if (stat(u.path, &st) == 0) {
		info->size = (uint64_t)st.st_size;
		rc = 1;
	} else if (errno == ENOENT || errno == ENOTDIR) {
		rc = 0;
	} else {
		rc = rt_msgf(err, "cannot stat '%s': %s", uri, strerror(errno));
	}
	rt_arena_free(a);
	return rc;
}

int rt_store_list(struct rt_arena *a, const char *uri, char ***uris, size_t *n, struct rt_msg *err)
{
	struct rt_store_uri u;
	char **keys = NULL;

	if (rt_store_parse(a, uri, &u, err) < 0)
		return -1;
	if (u.kind != RT_STORE_OBJECT)
		return rt_msgf(err, "'%s': listing is for object-store prefixes", uri);
	if (u.backend->list == NULL)
		return rt_msgf(err, "'%s': the %s store cannot list objects", uri, u.scheme);
	if (u.backend->list(&u, a, &keys, n, err) < 0)
		return -1;
	for (size_t i = 0; i < *n; i++)
		if ((keys[i] = rt_arena_printf(a, "%s://%s/%s", u.scheme, u.bucket, keys[i])) == NULL)
			return rt_msgf(err, "out of memory");
	*uris = keys;
	return 0;
}
