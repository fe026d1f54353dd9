/* arena.c: bump allocation in chunks from the system allocator. */
#include "prelude.h"

#include "arena.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CHUNK_SIZE = 64 * 1024, ALIGN = 16 };

struct chunk {
	struct chunk *prev;
	size_t size;  /* usable bytes after the header */
	size_t used;
	max_align_t data[];
};

struct fl_arena {
	struct chunk *top;
	size_t footprint;  /* bytes obtained from malloc */
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

struct fl_arena *fl_arena_new(void)
{
	struct fl_arena *a = sys_alloc(sizeof *a);
	if (a == NULL)
		return NULL;
	a->top = NULL;
	a->footprint = sizeof *a;
	a->on_oom = NULL;
	return a;
}

void fl_arena_free(struct fl_arena *a)
{
	if (a == NULL)
		return;
	for (struct chunk *c = a->top, *prev; c != NULL; c = prev) {
		prev = c->prev;
		free(c);
	}
	free(a);
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
	size_t need = (size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	if (need < size)
		fl_arena_fail(a);
	struct chunk *c = a->top;
	if (c == NULL || c->size - c->used < need) {
		size_t csize = need > CHUNK_SIZE / 4 ? need : CHUNK_SIZE;
		if (csize > SIZE_MAX - sizeof(struct chunk))
			fl_arena_fail(a);
		c = sys_alloc(sizeof(struct chunk) + csize);
		if (c == NULL)
			fl_arena_fail(a);
		c->size = csize;
		c->used = 0;
		a->footprint += sizeof(struct chunk) + csize;
		if (a->top != NULL && need > CHUNK_SIZE / 4) {
			/* A big block gets a chunk of its own, kept under the
			 * current one so the current one's free space stays usable. */
			c->prev = a->top->prev;
			a->top->prev = c;
		} else {
			c->prev = a->top;
			a->top = c;
		}
	}
	void *p = (char *)c->data + c->used;
	c->used += need;
	return p;
}

void *fl_zalloc(struct fl_arena *a, size_t size)
{
	void *p = fl_alloc(a, size);
	memset(p, 0, size);
	return p;
}

void *fl_realloc(struct fl_arena *a, void *old, size_t old_size, size_t new_size)
{
	if (new_size <= old_size)
		return old;
	void *p = fl_alloc(a, new_size);
	if (old != NULL && old_size > 0)
		memcpy(p, old, old_size);
	return p;
}

char *fl_strndup(struct fl_arena *a, const char *s, size_t n)
{
	char *p = fl_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *fl_vsprintf(struct fl_arena *a, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		n = 0;
	char *p = fl_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
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
	return a->footprint;
}
