/* blobs.c: file and dir literals at remote URIs, for execute / map-execute.
 *
 * Inputs: a blob whose URI is remote (s3://…) is downloaded before the call
 * into a fresh directory under TMPDIR (a dir: every object under the
 * prefix), and the task sees the local path.
 * Outputs: a local file or dir is uploaded under --raw-output-data-prefix,
 * as flytekit names it: PREFIX/<32 random hex>/<file name> for a file,
 * PREFIX/<32 random hex>/<relative path>… for a dir (whose literal is
 * PREFIX/<hex>); a remote URI is kept as it is. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "container.h"
#include "store.h"

#define MAX_TREE_DEPTH 64

struct blobs {
	struct rt_arena *a;
	const char *root;     /* fetch: the local directory, made on first use */
	const char *raw;      /* upload: the remote prefix */
	unsigned n;           /* blobs fetched */
	bool changed;
	int (*fn)(struct blobs *c, Flyteidl__Core__Blob *b, struct rt_msg *err);
};

static bool is_dir_blob(const Flyteidl__Core__Blob *b)
{
	return b->metadata != NULL && b->metadata->type != NULL &&
	       b->metadata->type->dimensionality == FLYTEIDL__CORE__BLOB_TYPE__BLOB_DIMENSIONALITY__MULTIPART;
}

static int walk(struct blobs *c, Flyteidl__Core__Literal *l, int depth, struct rt_msg *err)
{
	if (l == NULL)
		return 0;
	if (depth > RT_MAX_DEPTH)
		return rt_msgf(err, "literals nested more than %d deep", RT_MAX_DEPTH);
	if (l->value_case == LIT(SCALAR) && l->scalar != NULL) {
		Flyteidl__Core__Scalar *s = l->scalar;
		if (s->value_case == FLYTEIDL__CORE__SCALAR__VALUE_BLOB && s->blob != NULL &&
		    s->blob->uri != NULL && *s->blob->uri)
			return c->fn(c, s->blob, err);
		if (s->value_case == FLYTEIDL__CORE__SCALAR__VALUE_UNION && s->union_ != NULL)
			return walk(c, s->union_->value, depth + 1, err);
	} else if (l->value_case == LIT(COLLECTION) && l->collection != NULL) {
		for (size_t i = 0; i < l->collection->n_literals; i++)
			if (walk(c, l->collection->literals[i], depth + 1, err) < 0)
				return -1;
	} else if (l->value_case == LIT(MAP) && l->map != NULL) {
		for (size_t i = 0; i < l->map->n_literals; i++)
			if (walk(c, l->map->literals[i]->value, depth + 1, err) < 0)
				return -1;
	}
	return 0;
}

static int walk_map(struct blobs *c, Flyteidl__Core__LiteralMap *m, struct rt_msg *err)
{
	for (size_t i = 0; m != NULL && i < m->n_literals; i++)
		if (walk(c, m->literals[i]->value, 0, err) < 0) {
			rt_msg_prefix(err, "'%s'", m->literals[i]->key);
			return -1;
		}
	return 0;
}

/* ---- inputs ----------------------------------------------------------------------------- */
/* True when rel is a relative path without empty, "." or ".." segments. */
static bool safe_rel(const char *rel)
{
	if (*rel == 0 || *rel == '/')
		return false;
	for (const char *p = rel; *p;) {
		size_t n = strcspn(p, "/");
		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		p += n;
		if (*p == '/')
			p++;
		else
			break;
	}
	return rel[strlen(rel) - 1] != '/';
}

static int fetch_dir(struct blobs *c, Flyteidl__Core__Blob *b, const char *local, struct rt_msg *err)
{
	size_t n = strlen(b->uri);
	const char *prefix = n && b->uri[n - 1] == '/' ? b->uri : rt_arena_printf(c->a, "%s/", b->uri);
	char **uris;
	size_t nuris;

	if (prefix == NULL)
		return rt_msgf(err, "out of memory");
	if (rt_mkdirs(local, err) < 0 || rt_store_list(c->a, prefix, &uris, &nuris, err) < 0)
		return -1;
	for (size_t i = 0; i < nuris; i++) {
		const char *rel = uris[i] + strlen(prefix);
		if (strncmp(uris[i], prefix, strlen(prefix)) != 0 || *rel == 0 ||
		    rel[strlen(rel) - 1] == '/')
			continue;   /* the prefix itself, "directory" markers */
		if (!safe_rel(rel))
			return rt_msgf(err, "dir %s: the object '%s' has no safe local name", b->uri, uris[i]);
		char *path = rt_join(c->a, local, rel);
		if (path == NULL)
			return rt_msgf(err, "out of memory");
		if (rt_store_get_file(uris[i], path, err) < 0)
			return -1;
	}
	return 0;
}

static int fetch_one(struct blobs *c, Flyteidl__Core__Blob *b, struct rt_msg *err)
{
	if (!rt_store_is_remote(b->uri))
		return 0;
	if (c->root == NULL) {
		const char *t = getenv("TMPDIR");
		char *tmpl = rt_arena_printf(c->a, "%s/flytec-inputs-XXXXXX", t != NULL && *t ? t : "/tmp");
		if (tmpl == NULL)
			return rt_msgf(err, "out of memory");
		if (mkdtemp(tmpl) == NULL)
			return rt_msgf(err, "cannot create a directory for the input blobs (%s): %s", tmpl,
				       strerror(errno));
		c->root = tmpl;
	}
	char *local = rt_arena_printf(c->a, "%s/%u", c->root, c->n++);
	if (local == NULL)
		return rt_msgf(err, "out of memory");
	if (is_dir_blob(b)) {
		if (fetch_dir(c, b, local, err) < 0)
			return -1;
	} else {
		const char *tail = strrchr(b->uri, '/');
		tail = tail != NULL && tail[1] ? tail + 1 : "file";
		if ((local = rt_join(c->a, local, tail)) == NULL)
			return rt_msgf(err, "out of memory");
		if (rt_store_get_file(b->uri, local, err) < 0)
			return -1;
	}
	b->uri = local;
	return 0;
}

int rt_blobs_fetch(struct rt_arena *a, Flyteidl__Core__LiteralMap *m, const char **dir,
		   struct rt_msg *err)
{
	struct blobs c = { .a = a, .fn = fetch_one };
	int rc = walk_map(&c, m, err);
	*dir = c.root;
	return rc;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	remove(path);
	return 0;
}

void rt_blobs_remove(const char *dir)
{
	if (dir != NULL)
		nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- outputs ---------------------------------------------------------------------------- */
static int random_hex(char out[33], struct rt_msg *err)
{
	uint8_t r[16];
	size_t got = 0;
	while (got < sizeof r) {
		ssize_t n = getrandom(r + got, sizeof r - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return rt_msgf(err, "no random bytes: %s", strerror(errno));
		got += (size_t)n;
	}
	for (int i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", r[i]);
	return 0;
}

/* Uploads every regular file under dir to remote/<relative path>. */
static int put_tree(struct blobs *c, const char *dir, const char *remote, int depth, struct rt_msg *err)
{
	if (depth > MAX_TREE_DEPTH)
		return rt_msgf(err, "'%s': directories nested more than %d deep", dir, MAX_TREE_DEPTH);
	DIR *d = opendir(dir);
	if (d == NULL)
		return rt_msgf(err, "cannot read the directory '%s': %s", dir, strerror(errno));
	int rc = 0;
	struct dirent *e;
	while (rc == 0 && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char *path = rt_join(c->a, dir, e->d_name);
		char *uri = rt_arena_printf(c->a, "%s/%s", remote, e->d_name);
		struct stat st;
		if (path == NULL || uri == NULL)
			rc = rt_msgf(err, "out of memory");
		else if (stat(path, &st) < 0)
			rc = rt_msgf(err, "cannot stat '%s': %s", path, strerror(errno));
		else if (S_ISDIR(st.st_mode))
			rc = put_tree(c, path, uri, depth + 1, err);
		else if (S_ISREG(st.st_mode))
			rc = rt_store_put_file(path, uri, err);
	}
	closedir(d);
	return rc;
}

static int upload_one(struct blobs *c, Flyteidl__Core__Blob *b, struct rt_msg *err)
{
	char *path, hex[33];
	struct stat st;

	if (rt_store_is_remote(b->uri))
		return 0;   /* already in a store: kept */
	if (rt_local_path(c->a, b->uri, &path, err) < 0 || random_hex(hex, err) < 0)
		return -1;
	if (stat(path, &st) < 0)
		return rt_msgf(err, "cannot upload '%s': %s", path, strerror(errno));
	size_t n = strlen(c->raw);
	while (n > 0 && c->raw[n - 1] == '/')
		n--;
	char *remote = rt_arena_printf(c->a, "%.*s/%s", (int)n, c->raw, hex);
	if (remote == NULL)
		return rt_msgf(err, "out of memory");
	if (is_dir_blob(b) != (bool)S_ISDIR(st.st_mode))
		return rt_msgf(err, "the %s '%s' is %s", is_dir_blob(b) ? "dir" : "file", path,
			       S_ISDIR(st.st_mode) ? "a directory" : "not a directory");
	if (is_dir_blob(b)) {
		if (put_tree(c, path, remote, 0, err) < 0)
			return -1;
	} else {
		const char *tail = strrchr(path, '/');
		tail = tail != NULL ? tail + 1 : path;
		if (!S_ISREG(st.st_mode) || !*tail)
			return rt_msgf(err, "the file '%s' is not a regular file", path);
		if ((remote = rt_arena_printf(c->a, "%s/%s", remote, tail)) == NULL)
			return rt_msgf(err, "out of memory");
		if (rt_store_put_file(path, remote, err) < 0)
			return -1;
	}
	b->uri = remote;
	c->changed = true;
	return 0;
}

int rt_blobs_upload(struct rt_arena *a, struct rt_result *r, const char *raw_prefix,
		    struct rt_msg *err)
{
	struct blobs c = { .a = a, .raw = raw_prefix, .fn = upload_one };
	if (!r->ok || r->data == NULL || raw_prefix == NULL || rt_is_placeholder(raw_prefix) ||
	    !rt_store_is_remote(raw_prefix))
		return 0;
	Flyteidl__Core__LiteralMap *m =
		rt_unpack(a, &flyteidl__core__literal_map__descriptor, r->data, r->len, err);
	if (m == NULL || walk_map(&c, m, err) < 0)
		return -1;
	if (!c.changed)
		return 0;
	uint8_t *data;
	size_t len;
	if (rt_pack(&m->base, &data, &len, err) < 0)
		return -1;
	free(r->data);
	r->data = data;
	r->len = r->cap = len;
	return 0;
}
