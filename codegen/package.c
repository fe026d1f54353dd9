/* package.c: the registration package on disk: a byte-stable tgz
 * (libarchive writes the tar: pax-restricted ustar, sorted members, mtime
 * 0, owner 0, mode 0644; libdeflate gzips it at level 1, with no name or
 * time in the gzip header), to a file or a stream; or the loose numbered
 * .pb files, with the list of them that lets a later run remove the stale
 * ones; and fl_write_output, the writer of every generated file. */
#include "prelude.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <libdeflate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "codegen.h"
#include "ctx.h"
#include "fileio.h"

/* libdeflate's level: measured at 10k tasks (bench/README.md). */
enum { TGZ_LEVEL = 1 };

struct sink {
	struct fl_arena *arena;
	struct base_buf buf;
	bool oom;  /* the arena ran out in sink_write */
	const void *data;  /* sink_write's chunk, for put_chunk */
	size_t n;
};

static void put_chunk(void *arg)
{
	struct sink *s = arg;
	base_buf_put(&s->buf, s->data, s->n);
}

int fl_write_output(struct fl_ctx *c, const char *path, const void *data, size_t len, bool if_changed)
{
	if (fl_output_check(c, path) != 0)
		return -1;
	if (base_write_file(path, data, len, if_changed ? BASE_WRITE_IF_CHANGED : 0, BASE_WRITE_MODE_UMASK, NULL) != 0) {
		fl_error_noloc(c, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* libarchive calls this with its own state half-written: running out of
 * memory must not longjmp through it (its objects, malloc'ed, would leak),
 * so the failure is caught here and reported to libarchive as a write
 * error. */
static la_ssize_t sink_write(struct archive *ar, void *client, const void *data, size_t n)
{
	struct sink *s = client;
	s->data = data;
	s->n = n;
	if (fl_arena_protect(s->arena, put_chunk, s) != 0) {
		s->oom = true;
		archive_set_error(ar, ENOMEM, "out of memory");
		return -1;
	}
	return (la_ssize_t)n;
}

/* libarchive's reason, which may be NULL. */
static const char *archive_why(struct archive *ar)
{
	const char *why = ar != NULL ? archive_error_string(ar) : NULL;
	return why != NULL ? why : "unknown error";
}

/* The tar in *tar, gzip'd by libdeflate into *out (arena memory, taken
 * before the compressor is: nothing may longjmp past its free). */
static int gzip_tar(struct fl_ctx *c, const struct base_buf *tar, const char *path, struct base_buf *out)
{
	size_t cap = libdeflate_gzip_compress_bound(NULL, tar->len);
	uint8_t *z_out = fl_alloc(c->arena, cap + 1);
	struct libdeflate_compressor *z = libdeflate_alloc_compressor(TGZ_LEVEL);
	size_t len = z != NULL ? libdeflate_gzip_compress(z, tar->data, tar->len, z_out, cap) : 0;
	libdeflate_free_compressor(z);
	if (len == 0) {
		fl_error_noloc(c, "%s: cannot compress the archive: out of memory", path);
		return -1;
	}
	base_buf_init(out, fl_arena_core(c->arena));
	out->data = (char *)z_out;
	out->len = len;
	out->cap = cap + 1;
	return 0;
}

/* The arguments of the protected bodies below. */
struct package_call {
	const struct fl_package *p;
	const char *path;  /* the .tgz, or the directory */
};

/* The tgz in memory, into *out; path names it in errors. */
static int build_tgz(struct fl_ctx *c, const struct fl_package *p, const char *path, struct base_buf *out)
{
	struct sink s = {.arena = c->arena, .oom = false};
	base_buf_init(&s.buf, fl_arena_core(c->arena));
	/* Room for the whole tar before libarchive starts, so that the sink
	 * never has to grow (and fail) while libarchive holds its state: its
	 * failed writes leak (LeakSanitizer under the OOM sweep). A member is at
	 * most a pax header, a ustar header and its data in 512-byte blocks. */
	size_t room = 2 * 512;
	for (uint32_t i = 0; i < p->n; i++)
		room += 4 * 512 + strlen(p->items[i].file) + (p->items[i].len + 511) / 512 * 512;
	base_buf_reserve(&s.buf, room);
	struct archive *ar = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	/* Nothing below allocates from the arena until the archive is freed:
	 * the error is kept here and queued after. */
	char err[1024] = "";
	if (ar == NULL || e == NULL) {
		snprintf(err, sizeof err, "%s: cannot create the archive: out of memory", path);
		goto done;
	}
	/* the tar uncompressed: libdeflate is 2x faster than libarchive's zlib
	 * filter at the same ratio (bench/README.md) */
	if (archive_write_set_format_pax_restricted(ar) != ARCHIVE_OK
	    || archive_write_set_bytes_in_last_block(ar, 1) != ARCHIVE_OK
	    || archive_write_open2(ar, &s, NULL, sink_write, NULL, NULL) != ARCHIVE_OK) {
		snprintf(err, sizeof err, "%s: cannot create the archive: %s", path, archive_why(ar));
		goto done;
	}
	/* the numbered names sort in registration order already */
	for (uint32_t i = 0; i < p->n; i++) {
		archive_entry_clear(e);
		archive_entry_set_pathname(e, p->items[i].file);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, (la_int64_t)p->items[i].len);
		archive_entry_set_mtime(e, 0, 0);
		archive_entry_set_uid(e, 0);
		archive_entry_set_gid(e, 0);
		if (archive_write_header(ar, e) != ARCHIVE_OK
		    || archive_write_data(ar, p->items[i].data, p->items[i].len) != (la_ssize_t)p->items[i].len) {
			snprintf(err, sizeof err, "%s: cannot add %s: %s", path, p->items[i].file, archive_why(ar));
			goto done;
		}
	}
	if (archive_write_close(ar) != ARCHIVE_OK) {
		snprintf(err, sizeof err, "%s: cannot finish the archive: %s", path, archive_why(ar));
		goto done;
	}
done:
	if (e != NULL)
		archive_entry_free(e);
	if (ar != NULL)
		archive_write_free(ar);  /* after a failed close too: libarchive frees what it holds */
	if (s.oom) {
		c->oom = true;
		return -1;
	}
	if (err[0] != '\0') {
		fl_error_noloc(c, "%s", err);
		return -1;
	}
	return gzip_tar(c, &s.buf, path, out);
}

static int write_tgz(struct fl_ctx *c, void *arg)
{
	const struct package_call *call = arg;
	struct base_buf b;
	if (fl_output_check(c, call->path) != 0 || build_tgz(c, call->p, call->path, &b) != 0)
		return -1;
	return fl_write_output(c, call->path, b.data, b.len, false);
}

int fl_package_write_tgz(struct fl_ctx *c, const struct fl_package *p, const char *path)
{
	struct package_call call = {p, path};
	return fl_protect(c, write_tgz, &call);
}

struct print_call {
	const struct fl_package *p;
	FILE *out;
};

static int print_tgz(struct fl_ctx *c, void *arg)
{
	const struct print_call *call = arg;
	struct base_buf b;
	if (build_tgz(c, call->p, "<stdout>", &b) != 0)
		return -1;
	if (b.len > 0)
		fwrite(b.data, 1, b.len, call->out);
	return 0;
}

int fl_package_print_tgz(struct fl_ctx *c, FILE *out, const struct fl_package *p)
{
	struct print_call call = {p, out};
	return fl_protect(c, print_tgz, &call);
}

size_t fl_package_count(const struct fl_package *p)
{
	return p->n;
}

const char *fl_package_file(const struct fl_package *p, size_t i)
{
	return i < p->n ? p->items[i].file : NULL;
}

/* The list of the files flytec wrote into a .pb directory. */
#define MANIFEST ".flytec-pb"
#define MANIFEST_MAX (1 << 20)

/* A name flytec may have written: N_NAME_K.pb, in the directory itself. */
static bool numbered_pb(const char *name, size_t len)
{
	if (memchr(name, '/', len) != NULL || memchr(name, '\0', len) != NULL)
		return false;
	size_t d = 0;
	while (d < len && name[d] >= '0' && name[d] <= '9')
		d++;
	return d > 0 && d < len && name[d] == '_' && len >= 5 && len - 5 > d && name[len - 5] == '_'
	       && name[len - 4] >= '1' && name[len - 4] <= '3' && memcmp(name + len - 3, ".pb", 3) == 0;
}

/* The old list's text (NUL-terminated, in the arena), or NULL when there
 * is none (or it is not a regular file, or too large: then nothing is
 * removed). Nothing is allocated while the file is open. */
static char *read_manifest(struct fl_ctx *c, const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > MANIFEST_MAX)
		return NULL;
	char *text = fl_alloc(c->arena, (size_t)st.st_size + 1);
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	size_t n = fread(text, 1, (size_t)st.st_size, f);
	fclose(f);
	text[n] = '\0';
	return text;
}

static bool in_package(const struct fl_package *p, const char *name, size_t len)
{
	for (uint32_t i = 0; i < p->n; i++)
		if (strlen(p->items[i].file) == len && memcmp(p->items[i].file, name, len) == 0)
			return true;
	return false;
}

/* Removes the files of the old list that the package no longer has (only
 * numbered .pb names, only regular files). */
static int remove_stale(struct fl_ctx *c, const struct fl_package *p, const char *dir, const char *old)
{
	for (const char *line = old; line != NULL && *line != '\0';) {
		const char *nl = strchr(line, '\n');
		size_t len = nl != NULL ? (size_t)(nl - line) : strlen(line);
		if (numbered_pb(line, len) && !in_package(p, line, len)) {
			const char *path = fl_sprintf(c->arena, "%s/%.*s", dir, (int)len, line);
			struct stat st;
			if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && unlink(path) != 0 && errno != ENOENT) {
				fl_error_noloc(c, "cannot remove the stale %s: %s", path, strerror(errno));
				return -1;
			}
		}
		line = nl != NULL ? nl + 1 : NULL;
	}
	return 0;
}

/* Every file is checked against the inputs before any is written; the new
 * list is written after the files, then the stale files go. */
static int write_dir(struct fl_ctx *c, void *arg)
{
	const struct fl_package *p = ((struct package_call *)arg)->p;
	const char *dir = ((struct package_call *)arg)->path;
	const char **paths = fl_alloc(c->arena, ((size_t)p->n + 1) * sizeof *paths);
	struct base_buf list;
	base_buf_init(&list, fl_arena_core(c->arena));
	for (uint32_t i = 0; i < p->n; i++) {
		paths[i] = fl_sprintf(c->arena, "%s/%s", dir, p->items[i].file);
		base_buf_printf(&list, "%s\n", p->items[i].file);
		if (fl_output_check(c, paths[i]) != 0)
			return -1;
	}
	const char *manifest = fl_sprintf(c->arena, "%s/%s", dir, MANIFEST);
	if (fl_output_check(c, manifest) != 0)
		return -1;
	char *old = read_manifest(c, manifest);
	for (uint32_t i = 0; i < p->n; i++)
		if (fl_write_output(c, paths[i], p->items[i].data, p->items[i].len, true) != 0)
			return -1;
	if (fl_write_output(c, manifest, list.data != NULL ? list.data : "", list.len, true) != 0)
		return -1;
	return remove_stale(c, p, dir, old);
}

int fl_package_write_dir(struct fl_ctx *c, const struct fl_package *p, const char *dir)
{
	struct package_call call = {p, dir};
	return fl_protect(c, write_dir, &call);
}
