/* diag.c: the diagnostic queue and the GCC-style printer. */
#include "prelude.h"

#include "diag.h"

#include <string.h>

#include "ctx.h"

static void push(struct fl_ctx *c, enum fl_severity sev, bool has_loc, struct fl_loc loc,
		 const char *fmt, va_list ap)
{
	if (c->capped)
		return;
	struct fl_diag *d = FL_NEW(c->arena, struct fl_diag);
	d->severity = sev;
	d->has_loc = has_loc;
	d->loc = loc;
	d->message = fl_vsprintf(c->arena, fmt, ap);
	if (c->diag_tail != NULL)
		c->diag_tail->next = d;
	else
		c->diag_head = d;
	c->diag_tail = d;
	if (sev == FL_ERROR && ++c->nerrors == c->max_errors && c->max_errors != 0) {
		struct fl_diag *cap = FL_NEW(c->arena, struct fl_diag);
		cap->severity = FL_NOTE;
		cap->message = fl_sprintf(c->arena, "too many errors (limit is %u); stopping", c->max_errors);
		c->diag_tail->next = cap;
		c->diag_tail = cap;
		c->capped = true;
	}
	if (sev == FL_WARNING)
		c->nwarnings++;
}

#define DEFINE_REPORTER(fn, sev)                                        \
	void fn(struct fl_ctx *c, struct fl_loc loc, const char *fmt, ...) \
	{                                                               \
		va_list ap;                                             \
		va_start(ap, fmt);                                      \
		push(c, sev, true, loc, fmt, ap);                       \
		va_end(ap);                                             \
	}

DEFINE_REPORTER(fl_error, FL_ERROR)
DEFINE_REPORTER(fl_warning, FL_WARNING)
DEFINE_REPORTER(fl_note, FL_NOTE)

void fl_error_noloc(struct fl_ctx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct fl_loc none = {0};
	push(c, FL_ERROR, false, none, fmt, ap);
	va_end(ap);
}

bool fl_diag_capped(const struct fl_ctx *c)
{
	return c->capped;
}

static const char *severity_name(enum fl_severity s)
{
	switch (s) {
	case FL_ERROR: return "error";
	case FL_WARNING: return "warning";
	case FL_NOTE: return "note";
	}
	return "error";
}

/* Length of the UTF-8 sequence starting at s (1 for anything invalid). */
static size_t utf8_len(const unsigned char *s, size_t avail)
{
	size_t n = s[0] < 0x80 ? 1 : (s[0] & 0xE0) == 0xC0 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3
		 : (s[0] & 0xF8) == 0xF0 ? 4 : 1;
	if (n > avail)
		return 1;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 1;
	return n;
}

enum { WINDOW_BEFORE = 60, WINDOW_AFTER = 100 };

/* Prints the source line and the marker line for a span. The marker copies
 * tabs from the source so it lines up; every other character, whatever its
 * UTF-8 length, takes one column. Control bytes and invalid UTF-8 print as
 * '?'. Very long lines are cut to a window around the span. */
static void print_caret(struct fl_ctx *c, FILE *out, const struct fl_diag *d)
{
	struct fl_source *src = c->sources[d->loc.file];
	size_t len;
	const char *line = fl_source_line(c->arena, src, d->loc.line, &len);
	size_t start = d->loc.col > 0 ? d->loc.col - 1 : 0;
	if (start > len)
		start = len;
	size_t end = d->loc.end_line == d->loc.line && d->loc.end_col > d->loc.col
		   ? d->loc.end_col - 1 : start + 1;
	if (d->loc.end_line > d->loc.line)
		end = len > start ? len : start + 1;
	size_t from = 0, to = len;
	bool cut_left = false, cut_right = false;
	if (len > WINDOW_BEFORE + WINDOW_AFTER) {
		if (start > WINDOW_BEFORE) {
			from = start - WINDOW_BEFORE;
			while (from > 0 && ((unsigned char)line[from] & 0xC0) == 0x80)
				from--;
			cut_left = true;
		}
		if (len - from > WINDOW_BEFORE + WINDOW_AFTER) {
			to = from + WINDOW_BEFORE + WINDOW_AFTER;
			while (to < len && ((unsigned char)line[to] & 0xC0) == 0x80)
				to++;
			cut_right = true;
		}
		if (end > to)
			end = to + 1;
	}
	/* The source line. */
	fputs(cut_left ? " ..." : " ", out);
	for (size_t i = from; i < to;) {
		const unsigned char *s = (const unsigned char *)line + i;
		size_t n = utf8_len(s, to - i);
		if (n == 1 && (s[0] >= 0x80 || (s[0] < 0x20 && s[0] != '\t') || s[0] == 0x7F))
			fputc('?', out);
		else
			fwrite(s, 1, n, out);
		i += n;
	}
	fputs(cut_right ? "...\n" : "\n", out);
	/* The marker line. */
	fputs(cut_left ? "    " : " ", out);
	for (size_t i = from; i < end;) {
		const unsigned char *s = (const unsigned char *)line + i;
		size_t n = i < to ? utf8_len(s, to - i) : 1;
		char mark = i < start ? (i < len && s[0] == '\t' ? '\t' : ' ') : i == start ? '^' : '~';
		fputc(mark, out);
		i += n;
	}
	fputc('\n', out);
}

void fl_diag_print_all(struct fl_ctx *c, FILE *out)
{
	for (const struct fl_diag *d = c->diag_head; d != NULL; d = d->next) {
		if (!d->has_loc) {
			fprintf(out, "flytec: %s: %s\n", severity_name(d->severity), d->message);
			continue;
		}
		fprintf(out, "%s:%u:%u: %s: %s\n", c->sources[d->loc.file]->name, d->loc.line,
			d->loc.col, severity_name(d->severity), d->message);
		print_caret(c, out, d);
	}
}
