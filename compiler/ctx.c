/* ctx.c: a compilation context's life (creation, settings, counters, free)
 * and the protected call that runs the library's entry points. */
#include "prelude.h"

#include <string.h>

#include "ctx.h"
#include "flytec.h"

enum { DEFAULT_MAX_ERRORS = 20 };

struct boot {
	struct fl_arena *arena;
	struct fl_ctx *ctx;
};

static void boot(void *arg)
{
	struct boot *b = arg;
	struct fl_ctx *c = FL_NEW(b->arena, struct fl_ctx);
	c->arena = b->arena;
	c->names = fl_strtab_new(b->arena);
	c->max_errors = DEFAULT_MAX_ERRORS;
	c->source_max = FL_SOURCE_MAX;
	b->ctx = c;
}

struct fl_ctx *fl_ctx_new(void)
{
	struct boot b = {.arena = fl_arena_new()};
	if (b.arena == NULL)
		return NULL;
	/* no context to mark yet: the arena alone is protected */
	if (fl_arena_protect(b.arena, boot, &b) != 0) {
		fl_arena_free(b.arena);
		return NULL;
	}
	return b.ctx;
}

void fl_ctx_free(struct fl_ctx *c)
{
	if (c != NULL)
		fl_arena_free(c->arena);
}

void fl_ctx_set_max_errors(struct fl_ctx *c, unsigned n)
{
	c->max_errors = n;
}

struct import_dir_call {
	const char *dir;
};

static int add_import_dir(struct fl_ctx *c, void *arg)
{
	const char *dir = ((struct import_dir_call *)arg)->dir;
	if (c->nimport_dirs == c->import_dirs_cap) {
		uint32_t ncap = c->import_dirs_cap ? c->import_dirs_cap * 2 : 8;
		c->import_dirs = fl_realloc(c->arena, c->import_dirs, c->import_dirs_cap * sizeof *c->import_dirs,
					    ncap * sizeof *c->import_dirs);
		c->import_dirs_cap = ncap;
	}
	c->import_dirs[c->nimport_dirs++] = fl_strndup(c->arena, dir, strlen(dir));
	return 0;
}

int fl_ctx_add_import_dir(struct fl_ctx *c, const char *dir)
{
	struct import_dir_call call = {dir};
	return fl_protect(c, add_import_dir, &call);
}

void fl_ctx_set_source_max(struct fl_ctx *c, size_t n)
{
	c->source_max = n == 0 || n > FL_SOURCE_MAX ? FL_SOURCE_MAX : n;
}

size_t fl_source_count(const struct fl_ctx *c)
{
	return c->nsources;
}

const char *fl_source_path(const struct fl_ctx *c, size_t i)
{
	return i < c->nsources ? c->sources[i]->path : NULL;
}

unsigned fl_error_count(const struct fl_ctx *c)
{
	return c->nerrors;
}

bool fl_out_of_memory(const struct fl_ctx *c)
{
	return c->oom;
}

struct call {
	struct fl_ctx *c;
	int (*fn)(struct fl_ctx *c, void *arg);
	void *arg;
	int rc;
};

static void call(void *arg)
{
	struct call *k = arg;
	k->rc = k->fn(k->c, k->arg);
}

int fl_protect(struct fl_ctx *c, int (*fn)(struct fl_ctx *c, void *arg), void *arg)
{
	struct call k = {c, fn, arg, -1};
	if (fl_arena_protect(c->arena, call, &k) != 0) {
		c->oom = true;
		return -1;
	}
	return k.rc;
}
