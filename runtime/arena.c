/* arena.c: the runtime's arena (a layer on base/bump.h) and its messages. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "bump.h"
#include "pbwire.h"

/* The runtime's arena is the base arena (bump.h) with the runtime's block
 * policy (1 KiB doubling to 1 MiB) and no failure hook: out of memory is a
 * NULL return that the caller reports. */
struct rt_arena {
	struct base_arena core;
};

struct rt_arena *rt_arena_new(void)
{
	struct rt_arena *a = malloc(sizeof *a);
	if (a != NULL)
		base_arena_init(&a->core, &base_arena_doubling);
	return a;
}

void rt_arena_free(struct rt_arena *a)
{
	if (a == NULL)
		return;
	base_arena_release(&a->core);
	free(a);
}

void rt_arena_reset(struct rt_arena *a)
{
	if (a != NULL)
		base_arena_reset(&a->core);
}

void *rt_arena_alloc(struct rt_arena *a, size_t size)
{
	return base_arena_alloc(&a->core, size);
}

void *rt_arena_zalloc(struct rt_arena *a, size_t size)
{
	return base_arena_zalloc(&a->core, size);
}

void *rt_arena_array(struct rt_arena *a, size_t n, size_t size)
{
	return base_arena_array(&a->core, n, size);
}

char *rt_arena_strndup(struct rt_arena *a, const char *s, size_t n)
{
	return base_arena_strndup(&a->core, s, n);
}

char *rt_arena_strdup(struct rt_arena *a, const char *s)
{
	return base_arena_strdup(&a->core, s);
}

char *rt_arena_vprintf(struct rt_arena *a, const char *fmt, va_list ap)
{
	return base_arena_vprintf(&a->core, fmt, ap);
}

char *rt_arena_printf(struct rt_arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = base_arena_vprintf(&a->core, fmt, ap);
	va_end(ap);
	return p;
}

ProtobufCAllocator rt_arena_allocator(struct rt_arena *a)
{
	return base_pb_allocator(&a->core);
}

/* ---- messages ------------------------------------------------------------ */
int rt_msgf(struct rt_msg *m, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m->text, sizeof m->text, fmt, ap);
	va_end(ap);
	return -1;
}

int rt_msg_prefix(struct rt_msg *m, const char *fmt, ...)
{
	char prefix[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof prefix, fmt, ap);
	va_end(ap);
	size_t p = strlen(prefix), room = sizeof m->text - 1;
	if (p + 2 > room)
		p = room - 2;
	size_t old = strnlen(m->text, room);
	if (old > room - p - 2)
		old = room - p - 2;
	memmove(m->text + p + 2, m->text, old);
	memcpy(m->text, prefix, p);
	m->text[p] = ':';
	m->text[p + 1] = ' ';
	m->text[p + 2 + old] = 0;
	return -1;
}
