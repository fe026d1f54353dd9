/* source.h: source files, spans and line maps. */
#ifndef FL_SOURCE_H
#define FL_SOURCE_H

#include "prelude.h"

struct fl_arena;

/* A span of source text. Lines and columns count from 1; columns count
 * bytes. [off, end_off) are byte offsets; end_line/end_col is the position
 * just past the last byte. A zero-width span has off == end_off. */
struct fl_loc {
	uint32_t file;  /* index into the compilation's source table */
	uint32_t line, col;
	uint32_t end_line, end_col;
	uint32_t off, end_off;
};

struct fl_source {
	const char *name;  /* as given on the command line */
	const char *path;  /* the file it was read from; NULL for standard input or memory */
	bool has_id;       /* dev and ino are the file's (fstat at load) */
	unsigned long long dev, ino;
	const char *text;  /* not NUL-terminated; may contain NUL bytes */
	size_t len;
	uint32_t *line_off; /* offset of each line's first byte, built on demand */
	uint32_t nlines;
};

/* Largest source accepted: flex takes an int length (and offsets are
 * 32-bit). */
#define FL_SOURCE_MAX ((size_t)INT32_MAX - 2)

/* The bytes of line `line` (1-based), without its newline. */
const char *fl_source_line(struct fl_arena *a, struct fl_source *src, uint32_t line, size_t *len);

/* Joins two spans: from the start of a to the end of b. */
struct fl_loc fl_loc_join(struct fl_loc a, struct fl_loc b);

#endif
