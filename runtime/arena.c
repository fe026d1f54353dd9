/* arena.c: bump allocation in growing blocks, byte buffers, messages. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define ARENA_ALIGN 16
#define ARENA_FIRST 1024          /* the first block is small: many arenas are tiny */
#define ARENA_MAX_BLOCK (1u << 20)

struct block {
	struct block *next;
	size_t size, used;
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

struct rt_arena {
	struct block *head;     /* current block; older blocks follow */
	size_t next_size;
};

struct rt_arena *rt_arena_new(void)
{
	struct rt_arena *a = calloc(1, sizeof *a);
	if (a != NULL)
		a->next_size = ARENA_FIRST;
	return a;
}

void rt_arena_free(struct rt_arena *a)
{
	if (a == NULL)
		return;
	for (struct block *b = a->head, *n; b != NULL; b = n) {
		n = b->next;
		free(b);
	}
	free(a);
}

void rt_arena_reset(struct rt_arena *a)
{
	if (a == NULL || a->head == NULL)
		return;
	struct block *keep = a->head;  /* the newest block, the largest of the chain */
	for (struct block *b = keep->next, *n; b != NULL; b = n) {
		n = b->next;
		free(b);
	}
	keep->next = NULL;
	keep->used = 0;
}

static struct block *grow(struct rt_arena *a, size_t need)
{
	size_t size = a->next_size;
	while (size < need)
		size *= 2;
	if (size < need || size > SIZE_MAX - sizeof(struct block))
		return NULL;
	struct block *b = malloc(sizeof(struct block) + size);
	if (b == NULL)
		return NULL;
	b->size = size;
	b->used = 0;
	b->next = a->head;
	a->head = b;
	if (a->next_size < ARENA_MAX_BLOCK)
		a->next_size *= 2;
	return b;
}

void *rt_arena_alloc(struct rt_arena *a, size_t size)
{
	if (size == 0)
		size = 1;
	if (size > SIZE_MAX - ARENA_ALIGN)
		return NULL;
	size = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	struct block *b = a->head;
	if (b == NULL || b->size - b->used < size) {
		/* A large request gets its own block behind the current one, so the
		 * current block's free space is not wasted. */
		if (b != NULL && size > a->next_size / 4 && size > b->size - b->used) {
			struct block *big = malloc(sizeof(struct block) + size);
			if (big == NULL)
				return NULL;
			big->size = size;
			big->used = size;
			big->next = b->next;
			b->next = big;
			return big->data;
		}
		b = grow(a, size);
		if (b == NULL)
			return NULL;
	}
	void *p = b->data + b->used;
	b->used += size;
	return p;
}

void *rt_arena_zalloc(struct rt_arena *a, size_t size)
{
	void *p = rt_arena_alloc(a, size);
	if (p != NULL)
		memset(p, 0, size);
	return p;
}

void *rt_arena_array(struct rt_arena *a, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return rt_arena_zalloc(a, n * size);
}

char *rt_arena_strndup(struct rt_arena *a, const char *s, size_t n)
{
	if (n == SIZE_MAX)
		return NULL;
	char *p = rt_arena_alloc(a, n + 1);
	if (p != NULL) {
		if (n)
			memcpy(p, s, n);
		p[n] = 0;
	}
	return p;
}

char *rt_arena_strdup(struct rt_arena *a, const char *s)
{
	return rt_arena_strndup(a, s, strlen(s));
}

char *rt_arena_vprintf(struct rt_arena *a, const char *fmt, va_list ap)
{
	va_list aq;
	va_copy(aq, ap);
	int n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return NULL;
	char *p = rt_arena_alloc(a, (size_t)n + 1);
	if (p != NULL)
		vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *rt_arena_printf(struct rt_arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = rt_arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

static void *pb_alloc(void *data, size_t size)
{
	return rt_arena_alloc(data, size);
}

static void pb_free(void *data, void *p)
{
	(void)data;
	(void)p;
}

ProtobufCAllocator rt_arena_allocator(struct rt_arena *a)
{
	ProtobufCAllocator al = { pb_alloc, pb_free, a };
	return al;
}

/* ---- byte buffers -------------------------------------------------------- */
int rt_buf_reserve(struct rt_buf *b, size_t extra)
{
	if (b->cap - b->len >= extra)
		return 0;
	if (extra > SIZE_MAX / 2 - b->len)
		return -1;
	size_t cap = b->cap ? b->cap : 256;
	while (cap - b->len < extra)
		cap *= 2;
	uint8_t *p = realloc(b->data, cap);
	if (p == NULL)
		return -1;
	b->data = p;
	b->cap = cap;
	return 0;
}

int rt_buf_append(struct rt_buf *b, const void *p, size_t n)
{
	if (rt_buf_reserve(b, n + 1) < 0)
		return -1;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = 0;
	return 0;
}

int rt_buf_putc(struct rt_buf *b, int c)
{
	unsigned char ch = (unsigned char)c;
	return rt_buf_append(b, &ch, 1);
}

int rt_buf_printf(struct rt_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || rt_buf_reserve(b, (size_t)n + 1) < 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

void rt_buf_free(struct rt_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
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
