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

/* Reads all of f into memory obtained with malloc. */
static char *slurp(FILE *f, size_t *len, int *err)
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
		if (n < cap) {
			if (ferror(f)) {
				*err = errno ? errno : EIO;
				free(buf);
				return NULL;
			}
			break;
		}
		char *nb = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
		if (nb == NULL) {
			*err = ENOMEM;
			free(buf);
			return NULL;
		}
		buf = nb;
		cap *= 2;
	}
	*len = n;
	return buf;
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
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		fl_error_noloc(c, "cannot read %s: it is a directory", name);
		return -1;
	}
	size_t len = 0;
	int err = 0;
	char *text = slurp(f, &len, &err);
	if (!is_stdin)
		fclose(f);
	if (text == NULL) {
		fl_error_noloc(c, "cannot read %s: %s", name, strerror(err));
		return -1;
	}
	int id = fl_source_add(c, name, text, len);
	free(text);
	return id;
}

int fl_source_load(struct fl_ctx *c, const char *path)
{
	return fl_protect(c, load, &path);
}

struct json_file {
	const struct fl_package *p;
	const char *path;
};

static int write_json(struct fl_ctx *c, void *arg)
{
	const struct json_file *j = arg;
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

int fl_make_dir(const char *path)
{
	return mkdir(path, 0777) != 0 && errno != EEXIST ? -1 : 0;
}
