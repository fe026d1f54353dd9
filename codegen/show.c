/* show.c: decoding serialized artifacts (.pb files, or the members of a
 * .tgz package) and printing them as protobuf JSON. Bad input is an error
 * with the file's name, never a crash. */
#include "prelude.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "codegen.h"
#include "ctx.h"
#include "flyteidl/admin/launch_plan.pb-c.h"
#include "flyteidl/admin/task.pb-c.h"
#include "flyteidl/admin/workflow.pb-c.h"
#include "flyteidl/core/errors.pb-c.h"
#include "flyteidl/core/literals.pb-c.h"
#include "jsonstr.h"
#include "pbwire.h"

enum { MAX_ARTIFACT = 512 * 1024 * 1024, MAX_DEPTH = 1000 };

static const ProtobufCMessageDescriptor *descriptor_of(enum fl_show_type t)
{
	switch (t) {
	case FL_SHOW_TASK: return &flyteidl__admin__task_spec__descriptor;
	case FL_SHOW_WORKFLOW: return &flyteidl__admin__workflow_spec__descriptor;
	case FL_SHOW_LAUNCHPLAN: return &flyteidl__admin__launch_plan__descriptor;
	case FL_SHOW_LITERALS: return &flyteidl__core__literal_map__descriptor;
	case FL_SHOW_ERROR: return &flyteidl__core__error_document__descriptor;
	case FL_SHOW_AUTO: break;
	}
	return NULL;
}

/* The type a package member's name gives: <N>_<name>_<1|2|3>.pb */
static enum fl_show_type type_of_name(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base != NULL ? base + 1 : path;
	size_t n = strlen(base);
	if (n < 6 || strcmp(base + n - 3, ".pb") != 0 || base[n - 5] != '_')
		return FL_SHOW_AUTO;
	switch (base[n - 4]) {
	case '1': return FL_SHOW_TASK;
	case '2': return FL_SHOW_WORKFLOW;
	case '3': return FL_SHOW_LAUNCHPLAN;
	default: return FL_SHOW_AUTO;
	}
}

/* Prints the message in data as JSON at the given indentation level, with
 * no newline after it. */
static int show_bytes(struct fl_ctx *c, struct base_buf *out, const char *name, const uint8_t *data, size_t len,
		      enum fl_show_type type, int indent)
{
	if (type == FL_SHOW_AUTO)
		type = type_of_name(name);
	const ProtobufCMessageDescriptor *d = descriptor_of(type);
	if (d == NULL) {
		fl_error_noloc(c, "%s: cannot tell its message type from the name; name it <N>_<name>_<1|2|3>.pb "
			       "or pass --type", name);
		return -1;
	}
	if (len == 0) {
		fl_error_noloc(c, "%s: empty file, not a %s", name, d->name);
		return -1;
	}
	/* unpacking and printing recurse once per level, so a crafted file
	 * nested a hundred thousand levels deep would overflow the stack; and
	 * protobuf-go (so flytectl) refuses a string field that is not UTF-8,
	 * which protobuf-c does not check. Malformed bytes are the unpacker's
	 * to report. */
	struct base_pbwire_error e;
	if (base_pbwire_check(d, data, len, MAX_DEPTH, BASE_PBWIRE_LENIENT | BASE_PBWIRE_CHECK_UTF8, &e)
	    == BASE_PBWIRE_TOO_DEEP) {
		fl_error_noloc(c, "%s: messages nested more than %d levels deep; not a flytec artifact", name, MAX_DEPTH);
		return -1;
	}
	if (e.utf8_field != NULL) {
		fl_error_noloc(c, "%s: not a valid %s: string field '%s' is not UTF-8", name, d->name, e.utf8_field);
		return -1;
	}
	ProtobufCAllocator alloc = base_pb_allocator(fl_arena_core(c->arena));
	ProtobufCMessage *m = protobuf_c_message_unpack(d, &alloc, len, data);
	if (m == NULL) {
		fl_error_noloc(c, "%s: not a valid %s (corrupt or truncated protobuf)", name, d->name);
		return -1;
	}
	fl_json_message(out, m, indent);
	return 0;
}

struct tgz {
	struct fl_ctx *c;
	struct base_buf *out;
	const char *path;
	enum fl_show_type type;
	struct archive *ar;
	FILE *f;
	int rc;
};

/* libarchive's reason, which may be NULL (a gzip stream missing its last
 * bytes reads to an early end without one). */
static const char *archive_why(struct archive *ar)
{
	const char *why = archive_error_string(ar);
	return why != NULL ? why : "truncated or corrupt archive";
}

static void show_members(void *arg)
{
	struct tgz *t = arg;
	struct fl_ctx *c = t->c;
	struct base_buf *out = t->out;
	const char *path = t->path;
	enum fl_show_type type = t->type;
	struct archive *ar = t->ar;
	FILE *f = t->f;
	int rc = -1;
	if (archive_read_open_FILE(ar, f) != ARCHIVE_OK) {
		fl_error_noloc(c, "cannot read %s: %s", path, archive_why(ar));
		goto done;
	}
	struct archive_entry *e;
	int r;
	bool first = true;
	base_buf_puts(out, "{");
	while ((r = archive_read_next_header(ar, &e)) == ARCHIVE_OK) {
		if (archive_entry_filetype(e) != AE_IFREG)
			continue;
		const char *name = archive_entry_pathname(e);
		la_int64_t size = archive_entry_size(e);
		if (size < 0 || size > MAX_ARTIFACT) {
			fl_error_noloc(c, "%s: member %s is too large", path, name);
			goto done;
		}
		uint8_t *buf = fl_alloc(c->arena, (size_t)size + 1);
		if (archive_read_data(ar, buf, (size_t)size) != size) {
			fl_error_noloc(c, "%s: cannot read member %s: %s", path, name, archive_why(ar));
			goto done;
		}
		base_buf_puts(out, first ? "\n  " : ",\n  ");
		first = false;
		base_json_string(out, name, strlen(name), BASE_JSON_ESCAPE_DEL);
		base_buf_puts(out, ": ");
		const char *label = fl_sprintf(c->arena, "%s: %s", path, name);
		if (show_bytes(c, out, label, buf, (size_t)size, type == FL_SHOW_AUTO ? type_of_name(name) : type, 1) != 0)
			goto done;
	}
	if (r != ARCHIVE_EOF) {
		fl_error_noloc(c, "%s: not a valid package: %s", path, archive_why(ar));
		goto done;
	}
	base_buf_puts(out, first ? "}\n" : "\n}\n");
	rc = 0;
done:
	t->rc = rc;
}

static int show_tgz(struct fl_ctx *c, struct base_buf *out, const char *path, enum fl_show_type type)
{
	struct tgz t = {c, out, path, type, archive_read_new(), NULL, -1};
	if (t.ar == NULL) {
		fl_error_noloc(c, "%s: out of memory", path);
		return -1;
	}
	archive_read_support_filter_all(t.ar);
	archive_read_support_format_tar(t.ar);
	t.f = fopen(path, "rb");
	if (t.f == NULL) {
		int e = errno;
		archive_read_free(t.ar);
		fl_error_noloc(c, "cannot open %s: %s", path, strerror(e));
		return -1;
	}
	/* Running out of arena memory in there must free the archive and
	 * close the file (both outside the arena) before going on to the
	 * caller's handler. */
	int oom = fl_arena_protect(c->arena, show_members, &t);
	archive_read_free(t.ar);
	fclose(t.f);
	if (oom != 0)
		fl_arena_fail(c->arena);
	return t.rc;
}

struct slurp {
	FILE *f;
	struct base_buf b;
};

static void slurp(void *arg)
{
	struct slurp *s = arg;
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, s->f)) > 0) {
		base_buf_put(&s->b, chunk, n);
		if (s->b.len > MAX_ARTIFACT)
			break;
	}
}

static uint8_t *read_all(struct fl_ctx *c, const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		fl_error_noloc(c, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	struct slurp s = {.f = f};
	base_buf_init(&s.b, fl_arena_core(c->arena));
	/* out of arena memory: close the file, then on to the caller's handler */
	if (fl_arena_protect(c->arena, slurp, &s) != 0) {
		fclose(f);
		fl_arena_fail(c->arena);
	}
	struct base_buf b = s.b;
	int err = ferror(f) ? errno : 0;
	fclose(f);
	if (err || b.len > MAX_ARTIFACT) {
		fl_error_noloc(c, "cannot read %s: %s", path, err ? strerror(err) : "file is too large");
		return NULL;
	}
	*len = b.len;
	return b.data != NULL ? (uint8_t *)b.data : (uint8_t *)"";
}

struct show_call {
	FILE *out;
	const char *path;
	enum fl_show_type type;
};

static int show_file(struct fl_ctx *c, void *arg)
{
	struct show_call *call = arg;
	FILE *out = call->out;
	const char *path = call->path;
	enum fl_show_type type = call->type;
	struct base_buf b;
	base_buf_init(&b, fl_arena_core(c->arena));
	size_t n = strlen(path);
	int rc;
	if ((n > 4 && strcmp(path + n - 4, ".tgz") == 0) || (n > 7 && strcmp(path + n - 7, ".tar.gz") == 0)) {
		rc = show_tgz(c, &b, path, type);
	} else {
		size_t len;
		uint8_t *data = read_all(c, path, &len);
		rc = data == NULL ? -1 : show_bytes(c, &b, path, data, len, type, 0);
		if (rc == 0)
			base_buf_putc(&b, '\n');
	}
	if (rc == 0)
		fwrite(b.data, 1, b.len, out);
	return rc;
}

int fl_show_file(struct fl_ctx *c, FILE *out, const char *path, enum fl_show_type type)
{
	struct show_call call = {out, path, type};
	return fl_protect(c, show_file, &call);
}
