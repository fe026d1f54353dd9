/* diag.c: the diagnostic queue, its public reader and the GCC-style printer. */
#include "prelude.h"

#include "diag.h"

#include <string.h>

#include "ctx.h"
#include "utf8.h"

/* Appends the "too many errors" note and stops recording. */
static void cap_reached(struct fl_ctx *c)
{
	struct fl_diag *cap = FL_NEW(c->arena, struct fl_diag);
	cap->severity = FL_NOTE;
	cap->message = fl_sprintf(c->arena, "too many errors (limit is %u); stopping", c->max_errors);
	if (c->diag_tail != NULL)
		c->diag_tail->next = cap;
	else
		c->diag_head = cap;
	c->diag_tail = cap;
	c->capped = true;
}

static void push(struct fl_ctx *c, enum fl_severity sev, bool has_loc, struct fl_loc loc,
		 const char *fmt, va_list ap) FL_PRINTF(5, 0);

static void push(struct fl_ctx *c, enum fl_severity sev, bool has_loc, struct fl_loc loc,
		 const char *fmt, va_list ap)
{
	if (c->capped)
		return;
	/* the cap may have been lowered below the errors already recorded */
	if (sev == FL_ERROR && c->max_errors != 0 && c->nerrors >= c->max_errors) {
		cap_reached(c);
		return;
	}
	struct fl_diag *d = FL_NEW(c->arena, struct fl_diag);
	d->severity = sev;
	d->has_loc = has_loc;
	d->loc = loc;
	d->message = fl_vsprintf(c->arena, fmt, ap);
	d->is_note_of_prev = sev == FL_NOTE && c->diag_tail != NULL;
	if (c->diag_tail != NULL)
		c->diag_tail->next = d;
	else
		c->diag_head = d;
	c->diag_tail = d;
	if (sev == FL_WARNING)
		c->nwarnings++;
	if (sev == FL_ERROR && ++c->nerrors == c->max_errors)
		cap_reached(c);
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

static const char *const warning_names[FL_W_COUNT] = {
#define X(kind, name, on) name,
	FL_WARNINGS(X)
#undef X
};

static const bool warning_default[FL_W_COUNT] = {
#define X(kind, name, on) on,
	FL_WARNINGS(X)
#undef X
};

/* The class named by s (the text after -W, -Wno-, -Werror=), or -1. */
static int warning_named(const char *s)
{
	for (int i = 0; i < FL_W_COUNT; i++)
		if (strcmp(s, warning_names[i]) == 0)
			return i;
	return -1;
}

static bool warning_on(const struct fl_ctx *c, enum fl_warning_kind k)
{
	return c->warn_set & 1u << k ? (c->warn_on & 1u << k) != 0 : warning_default[k];
}

static bool warning_is_error(const struct fl_ctx *c, enum fl_warning_kind k)
{
	return c->werror_set & 1u << k ? (c->werror_on & 1u << k) != 0 : c->werror_all;
}

void fl_warn(struct fl_ctx *c, enum fl_warning_kind kind, struct fl_loc loc, const char *fmt, ...)
{
	if (!warning_on(c, kind))
		return;
	va_list ap;
	va_start(ap, fmt);
	const char *msg = fl_vsprintf(c->arena, fmt, ap);
	va_end(ap);
	bool as_error = warning_is_error(c, kind);
	const char *tag = fl_sprintf(c->arena, as_error ? "-Werror=%s" : "-W%s", warning_names[kind]);
	if (as_error)
		fl_error(c, loc, "%s [%s]", msg, tag);
	else
		fl_warning(c, loc, "%s [%s]", msg, tag);
}

/* Applies one option: "all", "error", "no-error", "NAME", "no-NAME",
 * "error=NAME", "no-error=NAME". */
int fl_ctx_warning(struct fl_ctx *c, const char *spec)
{
	bool no = strncmp(spec, "no-", 3) == 0;
	const char *rest = no ? spec + 3 : spec;
	if (strcmp(rest, "all") == 0 && !no) {
		c->warn_set = c->warn_on = (1u << FL_W_COUNT) - 1;
		return 0;
	}
	if (strcmp(rest, "error") == 0) {
		c->werror_all = !no;
		return 0;
	}
	if (strncmp(rest, "error=", 6) == 0) {
		int k = warning_named(rest + 6);
		if (k < 0)
			return -1;
		c->werror_set |= 1u << k;
		c->werror_on = no ? c->werror_on & ~(1u << k) : c->werror_on | 1u << k;
		/* -Werror=NAME turns NAME on, as GCC does */
		if (!no)
			c->warn_set |= 1u << k, c->warn_on |= 1u << k;
		return 0;
	}
	int k = warning_named(rest);
	if (k < 0)
		return -1;
	c->warn_set |= 1u << k;
	c->warn_on = no ? c->warn_on & ~(1u << k) : c->warn_on | 1u << k;
	return 0;
}

bool fl_warning_option_known(const char *spec)
{
	struct fl_ctx probe = {0};
	return fl_ctx_warning(&probe, spec) == 0;
}

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

static const struct fl_diag *skip_notes(const struct fl_diag *d)
{
	while (d != NULL && d->is_note_of_prev)
		d = d->next;
	return d;
}

const struct fl_diag *fl_diag_first(const struct fl_ctx *c)
{
	return skip_notes(c->diag_head);
}

const struct fl_diag *fl_diag_next(const struct fl_diag *d)
{
	return skip_notes(d->next);
}

const struct fl_diag *fl_diag_first_note(const struct fl_diag *d)
{
	return d->next != NULL && d->next->is_note_of_prev ? d->next : NULL;
}

const struct fl_diag *fl_diag_next_note(const struct fl_diag *note)
{
	return fl_diag_first_note(note);
}

enum fl_severity fl_diag_severity(const struct fl_diag *d)
{
	return d->severity;
}

const char *fl_diag_message(const struct fl_diag *d)
{
	return d->message;
}

bool fl_diag_location(const struct fl_ctx *c, const struct fl_diag *d, struct fl_diag_location *where)
{
	if (!d->has_loc)
		return false;
	*where = (struct fl_diag_location){
		.file = c->sources[d->loc.file]->name,
		.line = d->loc.line, .column = d->loc.col,
		.end_line = d->loc.end_line, .end_column = d->loc.end_col,
		.offset = d->loc.off, .end_offset = d->loc.end_off,
	};
	return true;
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

/* Length of the valid UTF-8 sequence starting at s (1 for anything
 * invalid: a bad lead or continuation byte, an overlong form, a surrogate
 * or a code point beyond U+10FFFF). */
/* The length of the valid UTF-8 sequence at s, or 1 for a byte that
 * starts none. */
static size_t utf8_len(const unsigned char *s, size_t avail)
{
	uint32_t cp;
	size_t n = base_utf8_decode(s, avail, &cp);
	return n != 0 ? n : 1;
}

/* True for a valid sequence of n > 1 bytes that must not reach a terminal
 * as it is: C1 controls (U+009B starts an escape sequence), zero-width and
 * bidirectional formatting characters (they hide or reorder text), line
 * separators and the byte order mark. */
static bool unprintable(const unsigned char *s, size_t n)
{
	uint32_t c = n == 2 ? (s[0] & 0x1Fu) << 6 | (s[1] & 0x3Fu)
		   : n == 3 ? (s[0] & 0x0Fu) << 12 | (s[1] & 0x3Fu) << 6 | (s[2] & 0x3Fu)
		   : 0x10000;
	return (c >= 0x80 && c <= 0x9F) || (c >= 0x200B && c <= 0x200F) || (c >= 0x2028 && c <= 0x202E)
	       || (c >= 0x2060 && c <= 0x2069) || c == 0xFEFF;
}

enum { WINDOW_BEFORE = 60, WINDOW_AFTER = 100 };

/* Prints the source line and the marker line for a span. The marker copies
 * tabs from the source so it lines up; every other character, whatever its
 * UTF-8 length, takes one column. Control bytes, invalid UTF-8 and
 * invisible or reordering characters print as '?'. Very long lines are cut
 * to a window around the span. */
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
	/* A byte order mark starting the file is not shown (it has no width). */
	if (from == 0 && d->loc.line == 1 && start >= 3 && len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0)
		from = 3;
	/* The source line. */
	fputs(cut_left ? " ..." : " ", out);
	for (size_t i = from; i < to;) {
		const unsigned char *s = (const unsigned char *)line + i;
		size_t n = utf8_len(s, to - i);
		if ((n == 1 && (s[0] >= 0x80 || (s[0] < 0x20 && s[0] != '\t') || s[0] == 0x7F))
		    || (n > 1 && unprintable(s, n)))
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
