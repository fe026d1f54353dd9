/* pbio.c: protobuf unpacking that survives corrupt input, deterministic
 * packing, local paths and whole-or-nothing files. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "fileio.h"
#include "pbwire.h"
#include "store.h"

/* ---- unpacking --------------------------------------------------------------
 * protobuf-c unpacks recursively and trusts the nesting depth; a hostile file
 * of nested collections would exhaust the stack. The wire walk (pbwire.h)
 * bounds the depth and checks that every field is well-formed before
 * protobuf-c sees it. */
void *rt_unpack(struct rt_arena *a, const ProtobufCMessageDescriptor *d,
		 const uint8_t *data, size_t len, struct rt_msg *err)
{
	struct base_pbwire_error e;
	if (base_pbwire_check(d, data, len, RT_MAX_DEPTH, 0, &e) != BASE_PBWIRE_OK) {
		base_pbwire_message(&e, err->text, sizeof err->text);
		rt_msg_prefix(err, "not a valid %s (corrupt or truncated)", d->name);
		return NULL;
	}
	ProtobufCAllocator al = rt_arena_allocator(a);
	void *m = protobuf_c_message_unpack(d, &al, len, data);
	if (m == NULL)
		rt_msgf(err, "not a valid %s (corrupt or truncated)", d->name);
	return m;
}

/* ---- canonical form ---------------------------------------------------------- */
static bool is_map_entry(const ProtobufCMessageDescriptor *d)
{
	size_t n = strlen(d->name);
	return d->n_fields == 2 && n > 5 && strcmp(d->name + n - 5, "Entry") == 0 &&
	       d->fields[0].id == 1 && strcmp(d->fields[0].name, "key") == 0 &&
	       d->fields[0].type == PROTOBUF_C_TYPE_STRING;
}

static int cmp_entry(const void *x, const void *y)
{
	const ProtobufCMessage *a = *(const ProtobufCMessage *const *)x;
	const ProtobufCMessage *b = *(const ProtobufCMessage *const *)y;
	const char *ka = *(const char *const *)((const char *)a + a->descriptor->fields[0].offset);
	const char *kb = *(const char *const *)((const char *)b + b->descriptor->fields[0].offset);
	return strcmp(ka != NULL ? ka : "", kb != NULL ? kb : "");
}

void rt_canonicalize(ProtobufCMessage *m)
{
	if (m == NULL)
		return;
	const ProtobufCMessageDescriptor *d = m->descriptor;
	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		if (f->type != PROTOBUF_C_TYPE_MESSAGE)
			continue;
		char *base = (char *)m;
		if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
			uint32_t which = *(uint32_t *)(base + f->quantifier_offset);
			if (which != f->id)
				continue;
		}
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t n = *(size_t *)(base + f->quantifier_offset);
			ProtobufCMessage **arr = *(ProtobufCMessage ***)(base + f->offset);
			if (arr == NULL)
				continue;
			const ProtobufCMessageDescriptor *ed = f->descriptor;
			if (n > 1 && is_map_entry(ed)) {
				/* Sorted maps are only read: canonical messages may be
				 * shared with threads reading them. */
				size_t k = 1;
				while (k < n && cmp_entry(&arr[k - 1], &arr[k]) <= 0)
					k++;
				if (k < n)
					qsort(arr, n, sizeof *arr, cmp_entry);
			}
			for (size_t k = 0; k < n; k++)
				rt_canonicalize(arr[k]);
		} else {
			rt_canonicalize(*(ProtobufCMessage **)(base + f->offset));
		}
	}
}

int rt_pack(ProtobufCMessage *m, uint8_t **out, size_t *len, struct rt_msg *err)
{
	rt_canonicalize(m);
	return rt_pack_as_is(m, out, len, err);
}

int rt_pack_as_is(const ProtobufCMessage *m, uint8_t **out, size_t *len, struct rt_msg *err)
{
	size_t n = protobuf_c_message_get_packed_size(m);
	uint8_t *p = malloc(n ? n : 1);
	if (p == NULL)
		return rt_msgf(err, "out of memory packing %zu bytes", n);
	size_t w = protobuf_c_message_pack(m, p);
	if (w != n) {
		free(p);
		return rt_msgf(err, "internal error: packed %zu of %zu bytes", w, n);
	}
	*out = p;
	*len = n;
	return 0;
}

int rt_pack_arena(struct rt_arena *a, ProtobufCMessage *m, uint8_t **out, size_t *len,
		   struct rt_msg *err)
{
	rt_canonicalize(m);
	return rt_pack_arena_as_is(a, m, out, len, err);
}

int rt_pack_arena_as_is(struct rt_arena *a, const ProtobufCMessage *m, uint8_t **out, size_t *len,
			 struct rt_msg *err)
{
	size_t n = protobuf_c_message_get_packed_size(m);
	uint8_t *p = rt_arena_alloc(a, n ? n : 1);
	if (p == NULL)
		return rt_msgf(err, "out of memory packing %zu bytes", n);
	if (protobuf_c_message_pack(m, p) != n)
		return rt_msgf(err, "internal error: short pack");
	*out = p;
	*len = n;
	return 0;
}

/* ---- paths ------------------------------------------------------------------- */
bool rt_is_placeholder(const char *s)
{
	if (s == NULL || !*s || strcmp(s, "\"\"") == 0)
		return true;
	const char *o = strstr(s, "{{");
	return o != NULL && strstr(o, "}}") != NULL;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int rt_local_path(struct rt_arena *a, const char *uri, char **path, struct rt_msg *err)
{
	if (uri == NULL || !*uri)
		return rt_msgf(err, "empty path");
	if (strncmp(uri, "file://", 7) == 0) {
		const char *p = uri + 7;
		if (strncmp(p, "localhost/", 10) == 0)
			p += 9;
		if (*p != '/')
			return rt_msgf(err, "'%s': a file:// URI needs an absolute path (file:///dir/file)", uri);
		size_t n = strlen(p);
		char *o = rt_arena_alloc(a, n + 1);
		if (o == NULL)
			return rt_msgf(err, "out of memory");
		size_t k = 0;
		for (size_t i = 0; i < n; i++) {
			int h, l;
			if (p[i] == '%' && i + 2 < n && (h = hexval(p[i + 1])) >= 0 &&
			    (l = hexval(p[i + 2])) >= 0) {
				o[k++] = (char)(h * 16 + l);
				i += 2;
			} else {
				o[k++] = p[i];
			}
		}
		o[k] = 0;
		if (memchr(o, 0, k) != NULL)
			return rt_msgf(err, "'%s': the path contains a NUL byte", uri);
		*path = o;
		return 0;
	}
	/* scheme://… : an object store (s3, gs, abfs, http…) */
	const char *c = uri;
	if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z')) {
		while ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		       (*c >= '0' && *c <= '9') || *c == '+' || *c == '.' || *c == '-')
			c++;
		if (strncmp(c, "://", 3) == 0)
			return rt_msgf(err, "'%s': object stores are not supported yet "
					"(use a local path or a file:// URI)", uri);
	}
	*path = rt_arena_strdup(a, uri);
	return *path != NULL ? 0 : rt_msgf(err, "out of memory");
}

char *rt_join(struct rt_arena *a, const char *dir, const char *name)
{
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	return rt_arena_printf(a, "%.*s/%s", (int)n, dir, name);
}

int rt_read_file(struct rt_arena *a, const char *path, uint8_t **data, size_t *len, struct rt_msg *err)
{
	if (rt_store_is_remote(path))   /* an object-store URI: the store layer */
		return rt_store_get_mem(a, path, 0, data, len, err);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return rt_msgf(err, "cannot open '%s': %s", path, strerror(errno));
	int rc = -1;
	struct stat st;
	if (fstat(fd, &st) < 0) {
		rt_msgf(err, "cannot stat '%s': %s", path, strerror(errno));
		goto cleanup;
	}
	if (!S_ISREG(st.st_mode)) {
		rt_msgf(err, "'%s' is not a regular file", path);
		goto cleanup;
	}
	size_t cap = (size_t)st.st_size + 1, n = 0;
	uint8_t *p = rt_arena_alloc(a, cap);
	if (p == NULL) {
		rt_msgf(err, "out of memory reading '%s' (%zu bytes)", path, cap);
		goto cleanup;
	}
	for (;;) {
		if (n == cap) {  /* the file grew while we read it */
			uint8_t *q = rt_arena_alloc(a, cap * 2);
			if (q == NULL) {
				rt_msgf(err, "out of memory reading '%s'", path);
				goto cleanup;
			}
			memcpy(q, p, n);
			p = q;
			cap *= 2;
		}
		ssize_t r = read(fd, p + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			rt_msgf(err, "cannot read '%s': %s", path, strerror(errno));
			goto cleanup;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*data = p;
	*len = n;
	rc = 0;
cleanup:
	close(fd);
	return rc;
}

int rt_mkdirs(const char *path, struct rt_msg *err)
{
	size_t n = strlen(path);
	char *p = malloc(n + 1);
	if (p == NULL)
		return rt_msgf(err, "out of memory");
	memcpy(p, path, n + 1);
	int rc = 0;
	for (size_t i = 1; i <= n; i++) {
		if (p[i] != '/' && p[i] != 0)
			continue;
		char c = p[i];
		p[i] = 0;
		if (mkdir(p, 0777) < 0 && errno != EEXIST) {
			rc = rt_msgf(err, "cannot create directory '%s': %s", p, strerror(errno));
			break;
		}
		p[i] = c;
	}
	if (rc == 0) {
		struct stat st;
		if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
			rc = rt_msgf(err, "'%s' is not a directory", path);
	}
	free(p);
	return rc;
}

int rt_write_file(const char *path, const void *data, size_t len, struct rt_msg *err)
{
	if (rt_store_is_remote(path))   /* an object-store URI: the store layer */
		return rt_store_put_mem(data, len, path, err);
	struct base_write_result r;
	if (base_write_file(path, data, len, BASE_WRITE_HIDDEN_TEMP | BASE_WRITE_FSYNC, 0644, &r) == 0)
		return 0;
	switch (r.stage) {
	case BASE_WRITE_NOMEM:
		return rt_msgf(err, "out of memory");
	case BASE_WRITE_CREATE:
		return rt_msgf(err, "cannot create a file next to '%s': %s", path, strerror(errno));
	case BASE_WRITE_RENAME:
		return rt_msgf(err, "cannot rename to '%s': %s", path, strerror(errno));
	default:
		return rt_msgf(err, "cannot write '%s': %s", path, strerror(errno));
	}
}
