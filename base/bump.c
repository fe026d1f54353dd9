/* bump.c: the arena: bump allocation in blocks from the system allocator. */
#include <config.h>

#include "bump.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct base_block {
	struct base_block *next;
	size_t size, used;
	_Alignas(BASE_ARENA_ALIGN) unsigned char data[];
};

const struct base_arena_policy base_arena_fixed64k = {64 * 1024, 64 * 1024, NULL};
const struct base_arena_policy base_arena_doubling = {1024, 1024 * 1024, NULL};

static void *sys_alloc(const struct base_arena *a, size_t n)
{
	return a->policy.sys_alloc != NULL ? a->policy.sys_alloc(n) : malloc(n);
}

static void *failed(struct base_arena *a)
{
	if (a->on_fail != NULL)
		a->on_fail(a, a->fail_ctx);
	return NULL;
}

void base_arena_init(struct base_arena *a, const struct base_arena_policy *p)
{
	a->head = NULL;
	a->policy = *p;
	if (a->policy.first_block < BASE_ARENA_ALIGN)
		a->policy.first_block = BASE_ARENA_ALIGN;
	if (a->policy.max_block < a->policy.first_block)
		a->policy.max_block = a->policy.first_block;
	a->next_size = a->policy.first_block;
	a->used = 0;
	a->footprint = 0;
	a->on_fail = NULL;
	a->fail_ctx = NULL;
}

void base_arena_release(struct base_arena *a)
{
	for (struct base_block *b = a->head, *n; b != NULL; b = n) {
		n = b->next;
		free(b);
	}
	a->head = NULL;
	a->used = 0;
	a->footprint = 0;
	a->next_size = a->policy.first_block;
}

struct base_arena *base_arena_new(const struct base_arena_policy *p)
{
	void *m = p->sys_alloc != NULL ? p->sys_alloc(sizeof(struct base_arena)) : malloc(sizeof(struct base_arena));
	if (m == NULL)
		return NULL;
	struct base_arena *a = m;
	base_arena_init(a, p);
	a->footprint = sizeof *a;
	return a;
}

void base_arena_free(struct base_arena *a)
{
	if (a == NULL)
		return;
	base_arena_release(a);
	free(a);
}

void base_arena_reset(struct base_arena *a)
{
	if (a == NULL || a->head == NULL)
		return;
	struct base_block *keep = a->head;
	for (struct base_block *b = keep->next, *n; b != NULL; b = n) {
		n = b->next;
		a->footprint -= sizeof *b + b->size;
		free(b);
	}
	keep->next = NULL;
	keep->used = 0;
	a->used = 0;
}

void base_arena_set_fail(struct base_arena *a, void (*fn)(struct base_arena *a, void *ctx), void *ctx)
{
	a->on_fail = fn;
	a->fail_ctx = ctx;
}

void *base_arena_fail_ctx(const struct base_arena *a)
{
	return a->fail_ctx;
}

static struct base_block *new_block(struct base_arena *a, size_t size)
{
	if (size > SIZE_MAX - sizeof(struct base_block))
		return NULL;
	struct base_block *b = sys_alloc(a, sizeof(struct base_block) + size);
	if (b == NULL)
		return NULL;
	b->size = size;
	b->used = 0;
	a->footprint += sizeof(struct base_block) + size;
	return b;
}

void *base_arena_alloc(struct base_arena *a, size_t size)
{
	if (size == 0)
		size = 1;
	if (size > SIZE_MAX - BASE_ARENA_ALIGN)
		return failed(a);
	size = (size + BASE_ARENA_ALIGN - 1) & ~(size_t)(BASE_ARENA_ALIGN - 1);
	struct base_block *b = a->head;
	if (b == NULL || b->size - b->used < size) {
		if (b != NULL && size > a->next_size / 4) {
			/* its own block, behind the current one */
			struct base_block *big = new_block(a, size);
			if (big == NULL)
				return failed(a);
			big->used = size;
			big->next = b->next;
			b->next = big;
			a->used += size;
			return big->data;
		}
		/* doubling blocks double to fit; fixed ones fit exactly */
		size_t bsize = a->next_size;
		while (bsize < size && a->policy.first_block < a->policy.max_block && bsize <= SIZE_MAX / 2)
			bsize *= 2;
		if (bsize < size)
			bsize = size;
		b = new_block(a, bsize);
		if (b == NULL)
			return failed(a);
		b->next = a->head;
		a->head = b;
		if (a->next_size < a->policy.max_block)
			a->next_size *= 2;
	}
	void *p = b->data + b->used;
	b->used += size;
	a->used += size;
	return p;
}

void *base_arena_zalloc(struct base_arena *a, size_t size)
{
	void *p = base_arena_alloc(a, size);
	if (p != NULL)
		memset(p, 0, size);
	return p;
}

void *base_arena_array(struct base_arena *a, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		return failed(a);
	return base_arena_zalloc(a, n * size);
}

void *base_arena_grow(struct base_arena *a, void *old, size_t old_size, size_t new_size)
{
	if (new_size <= old_size)
		return old;
	void *p = base_arena_alloc(a, new_size);
	if (p != NULL && old != NULL && old_size > 0)
		memcpy(p, old, old_size);
	return p;
}

char *base_arena_strndup(struct base_arena *a, const char *s, size_t n)
{
	if (n == SIZE_MAX)
		return failed(a);
	char *p = base_arena_alloc(a, n + 1);
	if (p != NULL) {
		if (n > 0)
			memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

char *base_arena_strdup(struct base_arena *a, const char *s)
{
	return base_arena_strndup(a, s, strlen(s));
}

char *base_arena_vprintf(struct base_arena *a, const char *fmt, va_list ap)
{
	va_list aq;
	va_copy(aq, ap);
	int n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return NULL;
	char *p = base_arena_alloc(a, (size_t)n + 1);
	if (p != NULL)
		vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *base_arena_printf(struct base_arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = base_arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

size_t base_arena_used(const struct base_arena *a)
{
	return a->used;
}

size_t base_arena_footprint(const struct base_arena *a)
{
	return a->footprint;
}
