/* buf.c: the growable byte buffer (arena or malloc storage). */
#include <config.h>

#include "buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void base_buf_init(struct base_buf *b, struct base_arena *a)
{
	b->arena = a;
	b->data = NULL;
	b->len = b->cap = 0;
}

int base_buf_reserve(struct base_buf *b, size_t extra)
{
	if (b->cap - b->len > extra)
		return 0;
	if (extra > SIZE_MAX / 2 - b->len - 1) {
		if (b->arena != NULL)
			base_arena_alloc(b->arena, SIZE_MAX);  /* reports the failure */
		return -1;
	}
	size_t cap = b->cap != 0 ? b->cap : BASE_BUF_FIRST;
	while (cap - b->len <= extra)
		cap *= 2;
	char *p;
	if (b->arena != NULL) {
		p = base_arena_grow(b->arena, b->data, b->cap, cap);
	} else {
		p = realloc(b->data, cap);
	}
	if (p == NULL)
		return -1;
	b->data = p;
	b->cap = cap;
	return 0;
}

int base_buf_put(struct base_buf *b, const void *p, size_t n)
{
	if (base_buf_reserve(b, n) < 0)
		return -1;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int base_buf_puts(struct base_buf *b, const char *s)
{
	return base_buf_put(b, s, strlen(s));
}

int base_buf_putc(struct base_buf *b, int c)
{
	char ch = (char)(unsigned char)c;
	return base_buf_put(b, &ch, 1);
}

int base_buf_vprintf(struct base_buf *b, const char *fmt, va_list ap)
{
	va_list aq;
	va_copy(aq, ap);
	int n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0 || base_buf_reserve(b, (size_t)n) < 0)
		return -1;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int base_buf_printf(struct base_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = base_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

const char *base_buf_str(const struct base_buf *b)
{
	return b->data != NULL ? b->data : "";
}

void base_buf_clear(struct base_buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

void base_buf_free(struct base_buf *b)
{
	if (b->arena == NULL)
		free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}
