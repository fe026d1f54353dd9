/* emit.h: building text and bytes in memory, and writing files whole.
 *
 * Generated output is never written as it is produced: it is built in a
 * buffer, then committed with fl_write_file, which writes a temporary file
 * in the same directory and renames it over the target, so a file appears
 * whole or not at all; with `if_changed` an identical file is left alone
 * (its mtime too, so make does not rebuild what depends on it). */
#ifndef FL_EMIT_H
#define FL_EMIT_H

#include "prelude.h"

#include <stdarg.h>

struct fl_arena;

struct fl_buf {
	struct fl_arena *arena;
	char *data;
	size_t len, cap;
	int indent;         /* levels, for fl_line */
};

void fl_buf_init(struct fl_buf *b, struct fl_arena *a);
void fl_buf_put(struct fl_buf *b, const void *data, size_t n);
void fl_buf_puts(struct fl_buf *b, const char *s);
void fl_buf_putc(struct fl_buf *b, char c);
void fl_buf_printf(struct fl_buf *b, const char *fmt, ...) FL_PRINTF(2, 3);
void fl_buf_vprintf(struct fl_buf *b, const char *fmt, va_list ap) FL_PRINTF(2, 0);
/* One line at the current indentation (tabs), with a newline. */
void fl_line(struct fl_buf *b, const char *fmt, ...) FL_PRINTF(2, 3);
/* A JSON string literal (or C string literal body with c_style). */
void fl_buf_json_string(struct fl_buf *b, const char *s, size_t n);

/* Writes data to path atomically. Returns 0, or -1 with errno set and
 * nothing left behind. *unchanged (may be NULL) is set when if_changed
 * found the same content already there. */
int fl_write_file(const char *path, const void *data, size_t len, bool if_changed, bool *unchanged);

#endif
