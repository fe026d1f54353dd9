/* package.c: the registration package on disk: a byte-stable tgz
 * (libarchive: ustar/pax, sorted members, mtime 0, owner 0, mode 0644, a
 * gzip header without name or time), or the loose numbered .pb files; and
 * fl_write_output, the writer of every generated file. */
#include "prelude.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codegen.h"
#include "ctx.h"
#include "fileio.h"

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

/* The arguments of the protected bodies below. */
struct package_call {
	const struct fl_package *p;
	const char *path;  /* the .tgz, or the directory */
};

static int write_tgz(struct fl_ctx *c, void *arg)
{
	const struct fl_package *p = ((struct package_call *)arg)->p;
	const char *path = ((struct package_call *)arg)->path;
	struct sink s = {.arena = c->arena, .oom = false};
	base_buf_init(&s.buf, fl_arena_core(c->arena));
	struct archive *ar = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	/* Nothing below allocates from the arena until the archive is freed:
	 * the error is kept here and queued after. */
	char err[1024] = "";
	if (ar == NULL || e == NULL) {
		snprintf(err, sizeof err, "%s: cannot create the archive: out of memory", path);
		goto done;
	}
	if (archive_write_add_filter_gzip(ar) != ARCHIVE_OK || archive_write_set_format_pax_restricted(ar) != ARCHIVE_OK
	    || archive_write_set_filter_option(ar, "gzip", "timestamp", NULL) != ARCHIVE_OK
	    || archive_write_set_bytes_in_last_block(ar, 1) != ARCHIVE_OK
	    || archive_write_open2(ar, &s, NULL, sink_write, NULL, NULL) != ARCHIVE_OK) {
		snprintf(err, sizeof err, "%s: cannot create the archive: %s", path, archive_error_string(ar));
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
			snprintf(err, sizeof err, "%s: cannot add %s: %s", path, p->items[i].file, archive_error_string(ar));
			goto done;
		}
	}
	if (archive_write_close(ar) != ARCHIVE_OK) {
		snprintf(err, sizeof err, "%s: cannot finish the archive: %s", path, archive_error_string(ar));
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
	return fl_write_output(c, path, s.buf.data, s.buf.len, false);
}

int fl_package_write_tgz(struct fl_ctx *c, const struct fl_package *p, const char *path)
{
	struct package_call call = {p, path};
	return fl_protect(c, write_tgz, &call);
}

static int write_dir(struct fl_ctx *c, void *arg)
{
	const struct fl_package *p = ((struct package_call *)arg)->p;
	const char *dir = ((struct package_call *)arg)->path;
	for (uint32_t i = 0; i < p->n; i++) {
		const char *path = fl_sprintf(c->arena, "%s/%s", dir, p->items[i].file);
		if (fl_write_output(c, path, p->items[i].data, p->items[i].len, true) != 0)
			return -1;
	}
	return 0;
}

int fl_package_write_dir(struct fl_ctx *c, const struct fl_package *p, const char *dir)
{
	struct package_call call = {p, dir};
	return fl_protect(c, write_dir, &call);
}
