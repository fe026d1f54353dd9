/* buf.h: the growable byte buffer.
 *
 * Memory comes from an arena (arena != NULL: the old storage stays in the
 * arena, and running out calls the arena's failure hook) or from malloc
 * (arena NULL: base_buf_free releases it). After any successful write the
 * data is NUL-terminated (data[len] == 0), so text can be read in place.
 * Writes return 0, or -1 when memory ran out (the buffer is unchanged). */
#ifndef BASE_BUF_H
#define BASE_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "bump.h"

struct base_buf {
	struct base_arena *arena;  /* NULL: malloc */
	char *data;                /* NULL until the first write */
	size_t len, cap;
};

enum { BASE_BUF_FIRST = 256 };  /* bytes of the first allocation */

void base_buf_init(struct base_buf *b, struct base_arena *a);
/* Room for extra more bytes and the NUL after them. */
int base_buf_reserve(struct base_buf *b, size_t extra);
int base_buf_put(struct base_buf *b, const void *p, size_t n);
int base_buf_puts(struct base_buf *b, const char *s);
int base_buf_putc(struct base_buf *b, int c);
int base_buf_printf(struct base_buf *b, const char *fmt, ...) BASE_PRINTF(2, 3);
int base_buf_vprintf(struct base_buf *b, const char *fmt, va_list ap) BASE_PRINTF(2, 0);
/* The text so far ("" before the first write). */
const char *base_buf_str(const struct base_buf *b);
/* Forgets the contents, keeping the storage. */
void base_buf_clear(struct base_buf *b);
/* Frees malloc storage (no-op for an arena buffer) and empties b. */
void base_buf_free(struct base_buf *b);

#endif
