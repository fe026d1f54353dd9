/* source.c: line maps and span arithmetic. */
#include "prelude.h"

#include "source.h"

#include <string.h>

#include "arena.h"

static void build_line_map(struct fl_arena *a, struct fl_source *src)
{
	uint32_t n = 1;
	for (size_t i = 0; i < src->len; i++)
		n += src->text[i] == '\n';
	src->line_off = fl_alloc(a, (size_t)n * sizeof *src->line_off);
	src->line_off[0] = 0;
	uint32_t k = 1;
	for (size_t i = 0; i < src->len; i++)
		if (src->text[i] == '\n')
			src->line_off[k++] = (uint32_t)i + 1;
	src->nlines = n;
}

const char *fl_source_line(struct fl_arena *a, struct fl_source *src, uint32_t line, size_t *len)
{
	if (src->line_off == NULL)
		build_line_map(a, src);
	if (line == 0 || line > src->nlines) {
		*len = 0;
		return "";
	}
	size_t start = src->line_off[line - 1];
	size_t end = line < src->nlines ? src->line_off[line] - 1 : src->len;
	if (end > start && src->text[end - 1] == '\r')
		end--;
	*len = end - start;
	return src->text + start;
}

struct fl_loc fl_loc_join(struct fl_loc a, struct fl_loc b)
{
	struct fl_loc r = a;
	if (b.end_off >= a.end_off) {
		r.end_line = b.end_line;
		r.end_col = b.end_col;
		r.end_off = b.end_off;
	}
	return r;
}
