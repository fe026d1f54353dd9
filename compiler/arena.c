/* arena.c: the compiler's arena, a thin layer on base/bump: 64 KiB blocks
 * from a counting system allocator (the failure-injection hooks), and the
 * compiler's out-of-memory policy, a longjmp to the innermost protected
 * call. */
#include "prelude.h"

#include "arena.h"

#include <stdio.h>
#include <stdlib.h>

#include "bump.h"

struct fl_arena {
	struct base_arena core;
	jmp_buf *on_oom;
};

static unsigned long fail_at;  /* 0: off; else the request that fails */
static unsigned long requests;

void fl_alloc_fail_at(unsigned long n)
{
	fail_at = n;
	requests = 0;
}

unsigned long fl_alloc_requests(void)
{
	return requests;
}

static void *sys_alloc(size_t n)
{
	++requests;
	if (fail_at != 0 && requests == fail_at)
		return NULL;
	return malloc(n);
}

static const struct base_arena_policy policy = {64 * 1024, 64 * 1024, sys_alloc};

static void on_fail(struct base_arena *b, void *ctx)
{
	(void)b;
	fl_arena_fail(ctx);
}

struct fl_arena *fl_arena_new(void)
{
	struct fl_arena *a = sys_alloc(sizeof *a);
	if (a == NULL)
		return NULL;
	base_arena_init(&a->core, &policy);
	a->core.footprint = sizeof *a;  /* the struct counts, as before */
	base_arena_set_fail(&a->core, on_fail, a);
	a->on_oom = NULL;
	return a;
}

void fl_arena_free(struct fl_arena *a)
{
	if (a == NULL)
		return;
	base_arena_release(&a->core);
	free(a);
}

struct base_arena *fl_arena_core(struct fl_arena *a)
{
	return &a->core;
}

void fl_arena_catch(struct fl_arena *a, jmp_buf *on_oom)
{
	a->on_oom = on_oom;
}

jmp_buf *fl_arena_handler(const struct fl_arena *a)
{
	return a->on_oom;
}

int fl_arena_protect(struct fl_arena *a, void (*fn)(void *arg), void *arg)
{
	jmp_buf jb;
	jmp_buf *saved = a->on_oom;
	if (setjmp(jb)) {
		a->on_oom = saved;
		return -1;
	}
	a->on_oom = &jb;
	fn(arg);
	a->on_oom = saved;
	return 0;
}

_Noreturn void fl_arena_fail(struct fl_arena *a)
{
	if (a->on_oom != NULL)
		longjmp(*a->on_oom, 1);
	fputs("flytec: out of memory outside a protected call\n", stderr);
	abort();
}

void *fl_alloc(struct fl_arena *a, size_t size)
{
	return base_arena_alloc(&a->core, size);
}

void *fl_zalloc(struct fl_arena *a, size_t size)
{
	return base_arena_zalloc(&a->core, size);
}

void *fl_realloc(struct fl_arena *a, void *old, size_t old_size, size_t new_size)
{
	return base_arena_grow(&a->core, old, old_size, new_size);
}

char *fl_strndup(struct fl_arena *a, const char *s, size_t n)
{
	return base_arena_strndup(&a->core, s, n);
}

char *fl_vsprintf(struct fl_arena *a, const char *fmt, va_list ap)
{
	char *p = base_arena_vprintf(&a->core, fmt, ap);
	return p != NULL ? p : fl_strndup(a, "", 0);
}

char *fl_sprintf(struct fl_arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = fl_vsprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

size_t fl_arena_footprint(const struct fl_arena *a)
{
	return base_arena_footprint(&a->core);
}
