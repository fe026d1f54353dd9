/* compile.c: the library's entry points that are not a stage's own: the
 * version, loading source files, printing diagnostics and trees, and the
 * driver's file outputs (the JSON file, output directories). */
#include "prelude.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ast.h"
#include "ctx.h"
#include "codegen.h"
#include "fileio.h"
#include "flytec.h"

const char *fl_version(void)
{
	return PACKAGE_VERSION;
}

static int print_diagnostics(struct fl_ctx *c, void *out)
{
	fl_diag_print_all(c, out);
	return 0;
}

void fl_print_diagnostics(struct fl_ctx *c, FILE *out)
{
	fl_protect(c, print_diagnostics, out);
}

void fl_print_ast(FILE *out, const struct fl_node *program)
{
	fl_ast_dump(out, program);
}

/* Reads all of f, at most max bytes, into memory obtained with malloc.
 * The limit is checked as the text grows, so an endless stream (/dev/zero)
 * or a huge file stops at once: *err is EFBIG then. */
static char *slurp(FILE *f, size_t max, size_t *len, int *err)
{
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	if (buf == NULL) {
		*err = ENOMEM;
		return NULL;
	}
	for (;;) {
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (n > max) {
			*err = EFBIG;
			free(buf);
			return NULL;
		}
		if (n < cap) {
			if (ferror(f)) {
				*err = errno ? errno : EIO;
				free(buf);
				return NULL;
			}
			break;
		}
		/* one byte past the limit is enough to know it is too large */
		size_t ncap = cap <= SIZE_MAX / 2 ? cap * 2 : SIZE_MAX;
		if (ncap > max + 1)
			ncap = max + 1 > cap ? max + 1 : cap + 1;
		char *nb = realloc(buf, ncap);
		if (nb == NULL) {
			*err = ENOMEM;
			free(buf);
			return NULL;
		}
		buf = nb;
		cap = ncap;
	}
	*len = n;
	return buf;
}

/* The text of an open source, or NULL with *err set (EFBIG: over the
 * limit). A regular file larger than the limit is refused before reading. */
static char *read_source(FILE *f, size_t max, const struct stat *st, size_t *len, int *err)
{
	if (st != NULL && S_ISREG(st->st_mode) && (unsigned long long)st->st_size > max) {
		*len = (size_t)st->st_size;
		*err = EFBIG;
		return NULL;
	}
	*len = 0;
	return slurp(f, max, len, err);
}

/* Under fl_protect: only the error reports allocate from the arena, and
 * none of them happens while the file is open or its text is held (the
 * nested fl_source_add catches its own failure). */
static int load(struct fl_ctx *c, void *arg)
{
	const char *path = *(const char **)arg;
	bool is_stdin = strcmp(path, "-") == 0;
	FILE *f = is_stdin ? stdin : fopen(path, "rb");
	const char *name = is_stdin ? "<stdin>" : path;
	if (f == NULL) {
		int e = errno;
		fl_error_noloc(c, "cannot open %s: %s", name, strerror(e));
		return -1;
	}
	struct stat st;
	bool has_st = fstat(fileno(f), &st) == 0;
	if (has_st && S_ISDIR(st.st_mode)) {
		if (!is_stdin)
			fclose(f);
		fl_error_noloc(c, "cannot read %s: it is a directory", name);
		return -1;
	}
	size_t len = 0, max = c->source_max;
	int err = 0;
	char *text = read_source(f, max, has_st ? &st : NULL, &len, &err);
	if (!is_stdin)
		fclose(f);
	if (text == NULL && err == EFBIG && len > max)
		fl_error_noloc(c, "%s: file is too large (%zu bytes; the limit is %zu)", name, len, max);
	else if (text == NULL && err == EFBIG)
		fl_error_noloc(c, "%s: file is too large (more than %zu bytes, the limit)", name, max);
	else if (text == NULL)
		fl_error_noloc(c, "cannot read %s: %s", name, strerror(err));
	if (text == NULL)
		return -1;
	int id = fl_source_add(c, name, text, len);
	free(text);
	if (id >= 0 && !is_stdin) {
		struct fl_source *src = c->sources[id];
		src->path = src->name;
		src->has_id = has_st;
		src->dev = has_st ? (unsigned long long)st.st_dev : 0;
		src->ino = has_st ? (unsigned long long)st.st_ino : 0;
	}
	return id;
}

int fl_source_load(struct fl_ctx *c, const char *path)
{
	return fl_protect(c, load, &path);
}

/* The source that is the file at path, or NULL. */
static const struct fl_source *input_at(const struct fl_ctx *c, const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return NULL;
	for (uint32_t i = 0; i < c->nsources; i++) {
		const struct fl_source *src = c->sources[i];
		if (src->has_id && src->dev == (unsigned long long)st.st_dev && src->ino == (unsigned long long)st.st_ino)
			return src;
	}
	return NULL;
}

struct json_file {
	const struct fl_package *p;
	const char *path;
};

static int write_json(struct fl_ctx *c, void *arg)
{
	const struct json_file *j = arg;
	if (input_at(c, j->path) != NULL) {
		errno = EEXIST;  /* the driver checks first: this is the last guard */
		return -1;
	}
	struct base_buf b;
	base_buf_init(&b, fl_arena_core(c->arena));
	fl_package_json(&b, j->p);
	return base_write_file(j->path, b.data, b.len, 0, BASE_WRITE_MODE_UMASK, NULL);
}

/* Built in memory, then written whole, like every other output. */
int fl_package_write_json(struct fl_ctx *c, const struct fl_package *p, const char *path)
{
	struct json_file j = {p, path};
	return fl_protect(c, write_json, &j);
}

static int check_output(struct fl_ctx *c, void *arg)
{
	const char *path = arg;
	const struct fl_source *src = input_at(c, path);
	if (src == NULL)
		return 0;
	if (strcmp(src->name, path) == 0)
		fl_error_noloc(c, "cannot write %s: it is an input file; nothing was written", path);
	else
		fl_error_noloc(c, "cannot write %s: it is the input file %s; nothing was written", path, src->name);
	return -1;
}

int fl_output_check(struct fl_ctx *c, const char *path)
{
	return fl_protect(c, check_output, (void *)path);
}

int fl_make_dir(const char *path)
{
	return mkdir(path, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

struct file_call {
	const char *path;
	const void *data;
	size_t len;
};

static int write_file(struct fl_ctx *c, void *arg)
{
	const struct file_call *f = arg;
	return fl_write_output(c, f->path, f->data, f->len, false);
}

int fl_write_file(struct fl_ctx *c, const char *path, const void *data, size_t len)
{
	struct file_call f = {path, data, len};
	return fl_protect(c, write_file, &f);
}

void fl_remove_temps_on_signals(void)
{
	base_write_remove_temps_on_signals();
}

void fl_set_write_hook(void (*hook)(const char *tmp))
{
	base_write_set_hook(hook);
}
