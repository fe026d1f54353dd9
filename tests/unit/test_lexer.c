/* test_lexer.c: the scanner (grammar/scanner.l) and the parser through the
 * library's API: every token kind in a minimal program, with the parsed
 * node's kind, value and exact span, and every lexical error with its
 * count and span. Diagnostics are read with the public reader (flytec.h);
 * ctx.h is included only for the string table (C->names), to check that
 * names are interned.
 *
 * Most programs are `module m\ntask t(x: T = <LITERAL>)\n`: the literal
 * starts on line 2, column 15, at byte offset 23. */
#include "prelude.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "ctx.h"
#include "flytec.h"

/* ------------------------------------------------------------------------
 * helpers */

static struct fl_ctx *C;  /* the current compilation, freed by the fixture */

static void teardown(void)
{
	fl_ctx_free(C);
	C = NULL;
}

static struct fl_node *parse_max(const char *text, size_t len, unsigned max_errors)
{
	fl_ctx_free(C);
	C = fl_ctx_new();
	ck_assert_ptr_nonnull(C);
	fl_ctx_set_max_errors(C, max_errors);
	int id = fl_source_add(C, "t.flyte", text, len);
	ck_assert_int_eq(id, 0);
	struct fl_node *prog = fl_parse(C, id);
	ck_assert(!fl_out_of_memory(C));
	return prog;
}

static struct fl_node *parse_n(const char *text, size_t len)
{
	return parse_max(text, len, 20);
}

/* a string literal, NUL bytes included */
#define PARSE(lit) parse_n((lit), sizeof(lit) - 1)

/* Every diagnostic in order, notes after the one they belong to. */
static const struct fl_diag *diag_after(const struct fl_diag *d, const struct fl_diag **owner)
{
	if (d == NULL) {
		*owner = fl_diag_first(C);
		return *owner;
	}
	const struct fl_diag *note = d == *owner ? fl_diag_first_note(d) : fl_diag_next_note(d);
	if (note != NULL)
		return note;
	*owner = fl_diag_next(*owner);
	return *owner;
}

static struct fl_diag_location where(const struct fl_diag *d)
{
	struct fl_diag_location w = {0};
	(void)fl_diag_location(C, d, &w);
	return w;
}

/* All diagnostics, one a line, for failure messages. */
static const char *diags(void)
{
	static char buf[4096];
	size_t n = 0;
	buf[0] = '\0';
	const struct fl_diag *owner = NULL;
	for (const struct fl_diag *d = diag_after(NULL, &owner); d != NULL && n < sizeof buf - 1;
	     d = diag_after(d, &owner)) {
		struct fl_diag_location w = where(d);
		enum fl_severity sev = fl_diag_severity(d);
		int k = snprintf(buf + n, sizeof buf - n, "\n  %u:%u-%u:%u [%zu,%zu) %s: %s", w.line, w.column,
				 w.end_line, w.end_column, w.offset, w.end_offset,
				 sev == FL_ERROR ? "error" : sev == FL_NOTE ? "note" : "warning", fl_diag_message(d));
		if (k < 0)
			break;
		n += (size_t)k;
		if (n >= sizeof buf)
			n = sizeof buf - 1;
	}
	return buf;
}

/* The nth (from 0) error in the queue. */
static const struct fl_diag *nth_error(unsigned n)
{
	const struct fl_diag *owner = NULL;
	for (const struct fl_diag *d = diag_after(NULL, &owner); d != NULL; d = diag_after(d, &owner))
		if (fl_diag_severity(d) == FL_ERROR && n-- == 0)
			return d;
	return NULL;
}

static unsigned errors_in_queue(void)
{
	unsigned n = 0;
	while (nth_error(n) != NULL)
		n++;
	return n;
}

#define CK_NO_ERRORS()                                                                      \
	ck_assert_msg(fl_error_count(C) == 0, "expected no errors, got %u:%s", fl_error_count(C), \
		      diags())

#define CK_ERRORS(n)                                                                        \
	do {                                                                                \
		ck_assert_msg(fl_error_count(C) == (n), "expected %u errors, got %u:%s", (unsigned)(n), \
			      fl_error_count(C), diags());                                  \
		ck_assert_uint_eq(errors_in_queue(), (n));                                  \
	} while (0)

/* Error k is on line `line` from column col to end_col, and its message
 * contains `text`. */
static void check_error(int at, unsigned k, uint32_t line, uint32_t col, uint32_t end_col, const char *text)
{
	const struct fl_diag *d = nth_error(k);
	ck_assert_msg(d != NULL, "line %d: no error #%u:%s", at, k, diags());
	struct fl_diag_location w;
	ck_assert_msg(fl_diag_location(C, d, &w), "line %d: error #%u has no location", at, k);
	ck_assert_msg(w.line == line && w.column == col && w.end_line == line && w.end_column == end_col,
		      "line %d: error #%u at %u:%u-%u:%u, expected %u:%u-%u:%u:%s", at, k, w.line, w.column,
		      w.end_line, w.end_column, line, col, line, end_col, diags());
	ck_assert_msg(w.end_offset - w.offset == end_col - col, "line %d: error #%u: offsets [%zu,%zu)", at, k,
		      w.offset, w.end_offset);
	ck_assert_msg(strstr(fl_diag_message(d), text) != NULL, "line %d: error #%u is \"%s\", expected \"%s\"",
		      at, k, fl_diag_message(d), text);
}

#define CK_ERROR(k, line, col, end_col, text) check_error(__LINE__, (k), (line), (col), (end_col), (text))

/* Exactly one error, there. */
#define CK_ONE_ERROR(line, col, end_col, text)                 \
	do {                                                   \
		CK_ERRORS(1);                                  \
		CK_ERROR(0, (line), (col), (end_col), (text)); \
	} while (0)

static void check_span(int at, struct fl_loc l, uint32_t line, uint32_t col, uint32_t end_line, uint32_t end_col,
		       uint32_t off, uint32_t end_off)
{
	ck_assert_msg(l.line == line && l.col == col && l.end_line == end_line && l.end_col == end_col
			      && l.off == off && l.end_off == end_off,
		      "line %d: span %u:%u-%u:%u [%u,%u), expected %u:%u-%u:%u [%u,%u)", at, l.line, l.col,
		      l.end_line, l.end_col, l.off, l.end_off, line, col, end_line, end_col, off, end_off);
	ck_assert_uint_eq(l.file, 0);
}

#define CK_SPAN(loc, line, col, end_line, end_col, off, end_off) \
	check_span(__LINE__, (loc), (line), (col), (end_line), (end_col), (off), (end_off))

/* The first declaration of a program. */
static const struct fl_node *first_decl(const struct fl_node *prog)
{
	ck_assert_ptr_nonnull(prog);
	ck_assert_int_eq(prog->kind, FL_PROGRAM);
	ck_assert_ptr_nonnull(prog->program.decls.head);
	return prog->program.decls.head;
}

/* The default of the first parameter of the first task. */
static const struct fl_node *first_default(const struct fl_node *prog)
{
	const struct fl_node *t = first_decl(prog);
	ck_assert_int_eq(t->kind, FL_TASK);
	ck_assert_ptr_nonnull(t->sig.params.head);
	const struct fl_node *d = t->sig.params.head->param.dflt;
	ck_assert_ptr_nonnull(d);
	return d;
}

#define PRE "module m\ntask t(x: T = "
enum { LIT_COL = 15, LIT_OFF = 23 };

/* Parses PRE lit ")\n" (lit may hold NUL bytes) and returns the default. */
static const struct fl_node *literal_n(const char *lit, size_t n)
{
	size_t len = sizeof PRE - 1 + n + 2;
	char *text = malloc(len);
	ck_assert_ptr_nonnull(text);
	memcpy(text, PRE, sizeof PRE - 1);
	memcpy(text + sizeof PRE - 1, lit, n);
	memcpy(text + sizeof PRE - 1 + n, ")\n", 2);
	struct fl_node *prog = parse_n(text, len);
	free(text);
	return first_default(prog);
}

#define LITERAL(lit) literal_n((lit), sizeof(lit) - 1)

/* The span of a literal of n bytes in PRE. */
#define CK_LIT_SPAN(node, n) \
	CK_SPAN((node)->loc, 2, LIT_COL, 2, LIT_COL + (n), LIT_OFF, LIT_OFF + (n))

/* ------------------------------------------------------------------------
 * integers */

START_TEST(int_zero)
{
	const struct fl_node *n = LITERAL("0");
	CK_NO_ERRORS();
	ck_assert_int_eq(n->kind, FL_INT);
	ck_assert_int_eq(n->ival, 0);
	CK_LIT_SPAN(n, 1);
	CK_SPAN(n->loc, 2, 15, 2, 16, 23, 24);
}
END_TEST

START_TEST(int_42)
{
	const struct fl_node *n = LITERAL("42");
	CK_NO_ERRORS();
	ck_assert_int_eq(n->kind, FL_INT);
	ck_assert_int_eq(n->ival, 42);
	CK_SPAN(n->loc, 2, 15, 2, 17, 23, 25);
}
END_TEST

START_TEST(int_max)
{
	const struct fl_node *n = LITERAL("9223372036854775807");
	CK_NO_ERRORS();
	ck_assert_int_eq(n->kind, FL_INT);
	ck_assert_int_eq(n->ival, INT64_MAX);
	CK_SPAN(n->loc, 2, 15, 2, 34, 23, 42);
}
END_TEST

START_TEST(int_min)
{
	const struct fl_node *n = LITERAL("-9223372036854775808");
	CK_NO_ERRORS();
	ck_assert_int_eq(n->kind, FL_INT);
	ck_assert_int_eq(n->ival, INT64_MIN);
	CK_SPAN(n->loc, 2, 15, 2, 35, 23, 43);  /* the sign is part of it */
}
END_TEST

START_TEST(int_negative_with_space)
{
	const struct fl_node *n = LITERAL("- 5");
	CK_NO_ERRORS();
	ck_assert_int_eq(n->kind, FL_INT);
	ck_assert_int_eq(n->ival, -5);
	CK_LIT_SPAN(n, 3);
}
END_TEST

START_TEST(int_overflow_by_one)
{
	const struct fl_node *n = LITERAL("9223372036854775808");
	CK_ONE_ERROR(2, 15, 34, "integer literal is too large");
	ck_assert_int_eq(n->kind, FL_INT);
	CK_LIT_SPAN(n, 19);
}
END_TEST

START_TEST(int_overflow_u64)
{
	LITERAL("99999999999999999999");
	CK_ONE_ERROR(2, 15, 35, "integer literal is too large");
	LITERAL("18446744073709551616");  /* 2^64 */
	CK_ONE_ERROR(2, 15, 35, "integer literal is too large");
	LITERAL("00000000000000000000000000000042");  /* leading zeros do not overflow */
	CK_NO_ERRORS();
}
END_TEST

START_TEST(int_overflow_negative)
{
	LITERAL("-9223372036854775809");
	CK_ERRORS(1);
	struct fl_diag_location w = where(nth_error(0));
	ck_assert_uint_eq(w.line, 2);
	ck_assert_uint_eq(w.end_column, 35);
	LITERAL("-99999999999999999999");
	CK_ERRORS(1);
	ck_assert_uint_eq(where(nth_error(0)).end_column, 36);
}
END_TEST

/* ------------------------------------------------------------------------
 * floats */

START_TEST(float_plain)
{
	const struct fl_node *n = LITERAL("1.5");
	CK_NO_ERRORS();
	ck_assert_int_eq(n->kind, FL_FLOAT);
	ck_assert_double_eq(n->fval, 1.5);
	CK_SPAN(n->loc, 2, 15, 2, 18, 23, 26);
}
END_TEST

START_TEST(float_exponent)
{
	const struct fl_node *n = LITERAL("2e10");
	CK_NO_ERRORS();
	ck_assert_int_eq(n->kind, FL_FLOAT);
	ck_assert_double_eq(n->fval, 2e10);
	CK_SPAN(n->loc, 2, 15, 2, 19, 23, 27);
	n = LITERAL("1.25E-3");
	CK_NO_ERRORS();
	ck_assert_int_eq(n->kind, FL_FLOAT);
	ck_assert_double_eq(n->fval, 1.25e-3);
	CK_LIT_SPAN(n, 7);
	n = LITERAL("3e+2");
	ck_assert_double_eq(n->fval, 300.0);
	CK_LIT_SPAN(n, 4);
}
END_TEST

START_TEST(float_negative)
{
	const struct fl_node *n = LITERAL("-0.25");
	CK_NO_ERRORS();
	ck_assert_int_eq(n->kind, FL_FLOAT);
	ck_assert_double_eq(n->fval, -0.25);
	CK_SPAN(n->loc, 2, 15, 2, 20, 23, 28);
}
END_TEST

START_TEST(float_out_of_range)
{
	LITERAL("1e999");
	CK_ONE_ERROR(2, 15, 20, "float literal is out of range");
	LITERAL("1.5e308");
	CK_NO_ERRORS();
	LITERAL("1.8e308");
	CK_ONE_ERROR(2, 15, 22, "float literal is out of range");
	/* an underflow is zero, not an error */
	const struct fl_node *n = LITERAL("1e-999");
	CK_NO_ERRORS();
	ck_assert_double_eq(n->fval, 0.0);
}
END_TEST

/* ------------------------------------------------------------------------
 * durations (values in nanoseconds) */

START_TEST(duration_ms)
{
	const struct fl_node *n = LITERAL("250ms");
	CK_NO_ERRORS();
	ck_assert_int_eq(n->kind, FL_DURATION);
	ck_assert_int_eq(n->ival, 250000000);
	CK_SPAN(n->loc, 2, 15, 2, 20, 23, 28);
}
END_TEST

START_TEST(duration_compound)
{
	const struct fl_node *n = LITERAL("1h30m");
	CK_NO_ERRORS();
	ck_assert_int_eq(n->kind, FL_DURATION);
	ck_assert_int_eq(n->ival, 5400LL * 1000000000LL);
	CK_LIT_SPAN(n, 5);
	n = LITERAL("1d2h3m4s5ms6us7ns");
	CK_NO_ERRORS();
	ck_assert_int_eq(n->ival, 93784005006007LL);
	CK_LIT_SPAN(n, 17);
}
END_TEST

START_TEST(duration_day)
{
	const struct fl_node *n = LITERAL("1d");
	CK_NO_ERRORS();
	ck_assert_int_eq(n->kind, FL_DURATION);
	ck_assert_int_eq(n->ival, 86400LL * 1000000000LL);
	CK_LIT_SPAN(n, 2);
	n = LITERAL("106751d");  /* the largest whole number of days */
	CK_NO_ERRORS();
	ck_assert_int_eq(n->ival, 106751LL * 86400LL * 1000000000LL);
	LITERAL("106752d");
	CK_ONE_ERROR(2, 15, 22, "duration is too long");
}
END_TEST

START_TEST(duration_bad_order)
{
	LITERAL("30m1h");
	CK_ONE_ERROR(2, 18, 20, "larger to smaller");  /* at "1h" */
	LITERAL("1m1m");
	CK_ONE_ERROR(2, 17, 19, "larger to smaller");
}
END_TEST

START_TEST(duration_bad_suffix)
{
	const struct fl_node *n = LITERAL("30x");
	CK_ONE_ERROR(2, 17, 18, "invalid suffix 'x'");  /* at the suffix */
	CK_LIT_SPAN(n, 3);
	LITERAL("5sec");
	CK_ONE_ERROR(2, 16, 19, "invalid suffix 'sec'");
}
END_TEST

START_TEST(duration_fraction)
{
	LITERAL("1.5s");
	CK_ONE_ERROR(2, 15, 19, "whole number");
}
END_TEST

/* ------------------------------------------------------------------------
 * strings */

static const struct escape {
	const char *src;     /* between "a and b" */
	const char *bytes;   /* decoded */
	size_t len;
} escapes[] = {
	{"\\n", "\n", 1},
	{"\\t", "\t", 1},
	{"\\r", "\r", 1},
	{"\\0", "\0", 1},
	{"\\\\", "\\", 1},
	{"\\\"", "\"", 1},
	{"\\'", "'", 1},
	{"\\x41", "A", 1},
	{"\\x7f", "\x7f", 1},
	{"\\x7F", "\x7f", 1},
	{"\\u{41}", "A", 1},
	{"\\u{e9}", "\xc3\xa9", 2},
	{"\\u{E9}", "\xc3\xa9", 2},
	{"\\u{000e9}", "\xc3\xa9", 2},
	{"\\u{20ac}", "\xe2\x82\xac", 3},
	{"\\u{1F600}", "\xf0\x9f\x98\x80", 4},
	{"\\u{10FFFF}", "\xf4\x8f\xbf\xbf", 4},
	{"\xc3\xa9", "\xc3\xa9", 2},   /* UTF-8 as written */
	{"\t", "\t", 1},               /* a tab as written */
	{"", "", 0},
};

START_TEST(string_escape)
{
	const struct escape *e = &escapes[_i];
	char lit[64];
	int n = snprintf(lit, sizeof lit, "\"a%sb\"", e->src);
	const struct fl_node *s = literal_n(lit, (size_t)n);
	CK_NO_ERRORS();
	ck_assert_int_eq(s->kind, FL_STRING);
	ck_assert_msg(s->str.len == e->len + 2, "%s: %zu bytes, expected %zu", lit, s->str.len, e->len + 2);
	ck_assert_int_eq(s->str.bytes[0], 'a');
	ck_assert_msg(memcmp(s->str.bytes + 1, e->bytes, e->len) == 0, "%s: wrong bytes", lit);
	ck_assert_int_eq(s->str.bytes[e->len + 1], 'b');
	ck_assert_int_eq(s->str.bytes[e->len + 2], '\0');
	CK_LIT_SPAN(s, (uint32_t)n);
}
END_TEST

START_TEST(string_embedded_nul)
{
	const struct fl_node *s = LITERAL("\"a\\0b\\u{1F600}\"");
	CK_NO_ERRORS();
	ck_assert_int_eq(s->kind, FL_STRING);
	ck_assert_uint_eq(s->str.len, 7);
	ck_assert_mem_eq(s->str.bytes, "a\0b\xf0\x9f\x98\x80\0", 8);
	CK_SPAN(s->loc, 2, 15, 2, 30, 23, 38);
}
END_TEST

START_TEST(string_empty)
{
	const struct fl_node *s = LITERAL("\"\"");
	CK_NO_ERRORS();
	ck_assert_int_eq(s->kind, FL_STRING);
	ck_assert_uint_eq(s->str.len, 0);
	ck_assert_ptr_nonnull(s->str.bytes);
	ck_assert_int_eq(s->str.bytes[0], '\0');
	CK_LIT_SPAN(s, 2);
}
END_TEST

/* A bad escape: one error on exactly the escape (columns from the quote,
 * which is at 15), and still a string. */
static const struct bad_escape {
	const char *src;
	uint32_t col, end_col;
	const char *msg;
} bad_escapes[] = {
	{"\\q", 16, 18, "unknown escape sequence '\\q'"},
	{"\\xzz", 16, 18, "\\x takes two hexadecimal digits"},
	{"\\x4", 16, 18, "\\x takes two hexadecimal digits"},
	{"\\x80", 16, 20, "is not ASCII"},
	{"\\u41", 16, 18, "\\u takes a code point in braces"},
	{"\\u{110000}", 16, 26, "invalid Unicode escape"},
	{"\\u{d800}", 16, 24, "invalid Unicode escape"},
	{"\\u{}", 16, 20, "invalid Unicode escape"},
	{"\\u{1234567}", 16, 27, "invalid Unicode escape"},
	{"\\u{4g}", 16, 22, "invalid Unicode escape"},
	{"\\u{41", 16, 21, "invalid Unicode escape"},
	{"\\\xc3\xa9", 16, 19, "unknown escape sequence"},
	{"\\\xff", 16, 18, "unknown escape sequence"},
	{"\\\x01", 16, 18, "unknown escape sequence"},
};

START_TEST(string_bad_escape)
{
	const struct bad_escape *e = &bad_escapes[_i];
	char lit[64];
	int n = snprintf(lit, sizeof lit, "\"%s\"", e->src);
	const struct fl_node *s = literal_n(lit, (size_t)n);
	CK_ONE_ERROR(2, e->col, e->end_col, e->msg);
	ck_assert_int_eq(s->kind, FL_STRING);
	CK_LIT_SPAN(s, (uint32_t)n);
}
END_TEST

/* The message of an unknown escape names the character only when it is
 * one (a byte that is not UTF-8 has nothing to name). */
START_TEST(string_bad_escape_message)
{
	LITERAL("\"\\\xff\"");
	CK_ERRORS(1);
	ck_assert_str_eq(fl_diag_message(nth_error(0)), "unknown escape sequence");
	LITERAL("\"\\\x01\"");
	CK_ERRORS(1);
	ck_assert_str_eq(fl_diag_message(nth_error(0)), "unknown escape sequence");
}
END_TEST

static const struct fl_node *image_string(const struct fl_node *prog)
{
	const struct fl_node *d = first_decl(prog);
	ck_assert_int_eq(d->kind, FL_IMAGE);
	ck_assert_ptr_nonnull(d->unary);
	ck_assert_int_eq(d->unary->kind, FL_STRING);
	return d->unary;
}

START_TEST(string_unterminated)
{
	const struct fl_node *s = image_string(PARSE("module m\nimage \"abc\n"));
	CK_ONE_ERROR(2, 7, 8, "unterminated string literal");
	ck_assert_str_eq(s->str.bytes, "abc");
	CK_SPAN(s->loc, 2, 7, 2, 11, 15, 19);
	/* the next line is scanned as usual */
	const struct fl_node *prog = PARSE("module m\nimage \"abc\ntask t()\n");
	CK_ONE_ERROR(2, 7, 8, "unterminated string literal");
	ck_assert_ptr_nonnull(first_decl(prog)->next);
	ck_assert_int_eq(first_decl(prog)->next->kind, FL_TASK);
}
END_TEST

START_TEST(string_unterminated_at_eof)
{
	const struct fl_node *s = image_string(PARSE("module m\nimage \"abc"));
	CK_ONE_ERROR(2, 7, 8, "unterminated string literal");
	ck_assert_str_eq(s->str.bytes, "abc");
	s = image_string(PARSE("module m\nimage \"abc\\"));
	CK_ONE_ERROR(2, 7, 8, "unterminated string literal");
	ck_assert_str_eq(s->str.bytes, "abc");
	s = image_string(PARSE("module m\nimage \"abc\\\""));
	CK_ONE_ERROR(2, 7, 8, "unterminated string literal");
	ck_assert_str_eq(s->str.bytes, "abc\"");
	s = image_string(PARSE("module m\nimage \"abc\\\n"));
	CK_ONE_ERROR(2, 7, 8, "unterminated string literal");
	ck_assert_str_eq(s->str.bytes, "abc");
}
END_TEST

/* A line ending in CR LF ends an unterminated string like LF: one error. */
START_TEST(string_unterminated_crlf)
{
	const struct fl_node *s = image_string(PARSE("module m\r\nimage \"abc\r\n"));
	CK_ONE_ERROR(2, 7, 8, "unterminated string literal");
	ck_assert_str_eq(s->str.bytes, "abc");
}
END_TEST

/* ------------------------------------------------------------------------
 * invalid UTF-8, NUL bytes and control characters: one error each, at
 * the byte */

START_TEST(utf8_invalid_in_string)
{
	PARSE("module m\nimage \"a\xff" "b\"\n");
	CK_ONE_ERROR(2, 9, 10, "invalid UTF-8 byte 0xff in string literal");
	PARSE("module m\nimage \"a\xc3\"\n");  /* truncated before the quote */
	CK_ONE_ERROR(2, 9, 10, "invalid UTF-8 byte 0xc3 in string literal");
	PARSE("module m\nimage \"a\xe2\x82" "b\"\n");  /* a broken sequence */
	CK_ONE_ERROR(2, 9, 10, "invalid UTF-8 byte 0xe2 in string literal");
	PARSE("module m\nimage \"\xed\xa0\x80\"\n");  /* a surrogate */
	CK_ONE_ERROR(2, 8, 9, "invalid UTF-8 byte 0xed in string literal");
	PARSE("module m\nimage \"\xc0\xaf\"\n");  /* an overlong '/' */
	CK_ONE_ERROR(2, 8, 9, "invalid UTF-8 byte 0xc0 in string literal");
}
END_TEST

START_TEST(utf8_invalid_in_comment)
{
	PARSE("module m\n# a\xff" "b\n");
	CK_ONE_ERROR(2, 4, 5, "invalid UTF-8 byte 0xff in comment");
	PARSE("module m # \xfe\n");
	CK_ONE_ERROR(1, 12, 13, "invalid UTF-8 byte 0xfe in comment");
}
END_TEST

START_TEST(utf8_invalid_in_code)
{
	const struct fl_node *prog = PARSE("module m\n\xff\ntask t()\n");
	CK_ONE_ERROR(2, 1, 2, "invalid UTF-8 byte 0xff");
	ck_assert_int_eq(first_decl(prog)->kind, FL_TASK);
	PARSE("module m\ntask t() \x80\n");
	CK_ONE_ERROR(2, 10, 11, "invalid UTF-8 byte 0x80");
	PARSE("module m\n\xc0\xaf\n");  /* overlong */
	CK_ERRORS(1);
	ck_assert_uint_eq(where(nth_error(0)).line, 2);
	PARSE("module m\n\xed\xa0\x80\n");  /* a surrogate */
	CK_ERRORS(1);
	PARSE("module m\n\xe2\x82\n");  /* a broken sequence */
	CK_ERRORS(1);
	ck_assert_uint_eq(where(nth_error(0)).column, 1);
}
END_TEST

START_TEST(nul_in_string)
{
	const struct fl_node *s = image_string(PARSE("module m\nimage \"a\0b\"\n"));
	CK_ONE_ERROR(2, 9, 10, "NUL byte in string literal");
	CK_SPAN(s->loc, 2, 7, 2, 12, 15, 20);
}
END_TEST

START_TEST(nul_in_comment)
{
	PARSE("module m\n# a\0b\n");
	CK_ONE_ERROR(2, 4, 5, "NUL byte in comment");
}
END_TEST

START_TEST(nul_in_code)
{
	PARSE("module m\n\0\n");
	CK_ONE_ERROR(2, 1, 2, "unexpected NUL byte");
	/* scanning goes on after it, in step */
	const struct fl_node *n = LITERAL("\0 7");
	CK_ONE_ERROR(2, 15, 16, "unexpected NUL byte");
	ck_assert_int_eq(n->kind, FL_INT);
	ck_assert_int_eq(n->ival, 7);
	CK_SPAN(n->loc, 2, 17, 2, 18, 25, 26);
}
END_TEST

START_TEST(control_in_code)
{
	PARSE("module m\n\x01\n");
	CK_ONE_ERROR(2, 1, 2, "unexpected control character 0x01");
	PARSE("module m\ntask t() @\n");
	CK_ONE_ERROR(2, 10, 11, "unexpected character '@'");
}
END_TEST

/* ------------------------------------------------------------------------
 * identifiers and keywords */

static char *task_named(size_t n, char c)
{
	/* "module m\ntask NAME()\n" */
	size_t len = 14 + n + 3;
	char *text = malloc(len + 1);
	ck_assert_ptr_nonnull(text);
	memcpy(text, "module m\ntask ", 14);
	memset(text + 14, c, n);
	memcpy(text + 14 + n, "()\n", 4);
	return text;
}

START_TEST(ident_255_bytes)
{
	char *text = task_named(255, 'a');
	const struct fl_node *t = first_decl(parse_n(text, strlen(text)));
	free(text);
	CK_NO_ERRORS();
	ck_assert_int_eq(t->kind, FL_TASK);
	ck_assert_uint_eq(strlen(t->sig.name.str), 255);
	ck_assert_int_eq(t->sig.name.str[254], 'a');
	ck_assert_ptr_eq(t->sig.name.str, fl_intern(C->names, t->sig.name.str, 255));
	CK_SPAN(t->sig.name.loc, 2, 6, 2, 261, 14, 269);
}
END_TEST

START_TEST(ident_256_bytes)
{
	char *text = task_named(256, 'b');
	parse_n(text, strlen(text));
	free(text);
	CK_ONE_ERROR(2, 6, 262, "identifier is too long");
}
END_TEST

static const char *const keywords[] = {
	"module", "image", "enum", "task", "map", "workflow", "launchplan",
	"for", "return", "with", "partial", "true", "false", "none",
};

/* A keyword cannot name a task; the same word with a letter more can. */
START_TEST(keyword_is_not_ident)
{
	const char *kw = keywords[_i];
	char text[64];
	int n = snprintf(text, sizeof text, "module m\ntask %s()\n", kw);
	parse_n(text, (size_t)n);
	ck_assert_msg(fl_error_count(C) >= 1, "'%s' was taken as a name", kw);
	char want[32];
	snprintf(want, sizeof want, "'%s'", kw);
	CK_ERROR(0, 2, 6, 6 + (uint32_t)strlen(kw), want);
	ck_assert_ptr_nonnull(strstr(fl_diag_message(nth_error(0)), "unexpected"));

	n = snprintf(text, sizeof text, "module m\ntask %sx()\n", kw);
	const struct fl_node *t = first_decl(parse_n(text, (size_t)n));
	CK_NO_ERRORS();
	ck_assert_int_eq(t->kind, FL_TASK);
	snprintf(want, sizeof want, "%sx", kw);
	ck_assert_str_eq(t->sig.name.str, want);
	CK_SPAN(t->sig.name.loc, 2, 6, 2, 7 + (uint32_t)strlen(kw), 14, 15 + (uint32_t)strlen(kw));
}
END_TEST

START_TEST(keyword_values)
{
	const struct fl_node *n = LITERAL("true");
	CK_NO_ERRORS();
	ck_assert_int_eq(n->kind, FL_BOOL);
	ck_assert(n->bval);
	CK_LIT_SPAN(n, 4);
	n = LITERAL("false");
	ck_assert_int_eq(n->kind, FL_BOOL);
	ck_assert(!n->bval);
	CK_LIT_SPAN(n, 5);
	n = LITERAL("none");
	ck_assert_int_eq(n->kind, FL_NONE);
	CK_LIT_SPAN(n, 4);
	n = LITERAL("True");  /* keywords are case-sensitive */
	CK_NO_ERRORS();
	ck_assert_int_eq(n->kind, FL_NAME);
	ck_assert_str_eq(n->name.str, "True");
	CK_LIT_SPAN(n, 4);
}
END_TEST

/* ------------------------------------------------------------------------
 * positions: columns count bytes */

START_TEST(column_after_tab)
{
	const struct fl_node *prog = PARSE("module m\n\ttask\tt(x: T =\t7)\n");
	CK_NO_ERRORS();
	const struct fl_node *t = first_decl(prog);
	CK_SPAN(t->loc, 2, 2, 2, 18, 10, 26);
	CK_SPAN(t->sig.name.loc, 2, 7, 2, 8, 15, 16);
	const struct fl_node *n = first_default(prog);
	ck_assert_int_eq(n->ival, 7);
	CK_SPAN(n->loc, 2, 16, 2, 17, 24, 25);
}
END_TEST

START_TEST(column_after_utf8_in_comment)
{
	/* "module m # é ü\n" is 17 bytes */
	const struct fl_node *prog = PARSE("module m # \xc3\xa9 \xc3\xbc\ntask t(x: T = 1)\n");
	CK_NO_ERRORS();
	CK_SPAN(first_decl(prog)->loc, 2, 1, 2, 17, 17, 33);
	CK_SPAN(first_default(prog)->loc, 2, 15, 2, 16, 31, 32);
	/* within the comment: é is two columns */
	PARSE("module m\n# \xc3\xa9\xff\n");
	CK_ONE_ERROR(2, 5, 6, "invalid UTF-8 byte 0xff in comment");
	PARSE("module m\n# \xf0\x9f\x98\x80 \0\n");
	CK_ONE_ERROR(2, 8, 9, "NUL byte in comment");
}
END_TEST

START_TEST(column_after_utf8_in_string)
{
	const struct fl_node *prog = PARSE("module m\ntask t(x: T = \"\xc3\xa9\", y: T = 1)\n");
	CK_NO_ERRORS();
	const struct fl_node *x = first_default(prog);
	CK_SPAN(x->loc, 2, 15, 2, 19, 23, 27);
	const struct fl_node *y = first_decl(prog)->sig.params.head->next;
	ck_assert_ptr_nonnull(y);
	CK_SPAN(y->param.name.loc, 2, 21, 2, 22, 29, 30);
	CK_SPAN(y->param.dflt->loc, 2, 28, 2, 29, 36, 37);
}
END_TEST

START_TEST(crlf_line_endings)
{
	const struct fl_node *prog = PARSE("module m\r\ntask t(x: T = 1)\r\ntask u(y: T = 22)\r\n");
	CK_NO_ERRORS();
	CK_SPAN(prog->program.module.loc, 1, 8, 1, 9, 7, 8);
	const struct fl_node *t = first_decl(prog);
	CK_SPAN(t->loc, 2, 1, 2, 17, 10, 26);
	CK_SPAN(first_default(prog)->loc, 2, 15, 2, 16, 24, 25);
	const struct fl_node *u = t->next;
	ck_assert_ptr_nonnull(u);
	ck_assert_str_eq(u->sig.name.str, "u");
	CK_SPAN(u->loc, 3, 1, 3, 18, 28, 45);
	const struct fl_node *d = u->sig.params.head->param.dflt;
	ck_assert_int_eq(d->ival, 22);
	CK_SPAN(d->loc, 3, 15, 3, 17, 42, 44);
	/* a block over CRLF lines */
	prog = PARSE("module m\r\ntask t() {\r\n  retries = 2\r\n}\r\n");
	CK_NO_ERRORS();
	CK_SPAN(first_decl(prog)->loc, 2, 1, 4, 2, 10, 38);
	CK_SPAN(first_decl(prog)->sig.options.head->loc, 3, 3, 3, 14, 24, 35);
}
END_TEST

START_TEST(multiline_task_spans)
{
	const struct fl_node *prog = PARSE("module m\n"
					   "task t(x: T) -> T {\n"
					   "    retries = 2\n"
					   "}\n");
	CK_NO_ERRORS();
	CK_SPAN(prog->loc, 1, 1, 4, 2, 0, 46);
	const struct fl_node *t = first_decl(prog);
	CK_SPAN(t->loc, 2, 1, 4, 2, 9, 46);
	ck_assert(t->sig.has_block);
	ck_assert_int_eq(t->sig.outform, FL_OUT_SINGLE);
	CK_SPAN(t->sig.outputs.head->loc, 2, 17, 2, 18, 25, 26);
	const struct fl_node *b = t->sig.options.head;
	ck_assert_int_eq(b->kind, FL_BINDING);
	ck_assert_str_eq(b->binding.name.str, "retries");
	CK_SPAN(b->loc, 3, 5, 3, 16, 33, 44);
	CK_SPAN(b->binding.name.loc, 3, 5, 3, 12, 33, 40);
	CK_SPAN(b->binding.value->loc, 3, 15, 3, 16, 43, 44);
}
END_TEST

START_TEST(multiline_workflow_spans)
{
	const struct fl_node *prog = PARSE("module m\n"
					   "workflow w(a: T) -> T {\n"
					   "  x = f(a=a)\n"
					   "  return x\n"
					   "}\n");
	CK_NO_ERRORS();
	const struct fl_node *w = first_decl(prog);
	ck_assert_int_eq(w->kind, FL_WORKFLOW);
	CK_SPAN(w->loc, 2, 1, 5, 2, 9, 58);
	const struct fl_node *assign = w->sig.body.head;
	ck_assert_int_eq(assign->kind, FL_ASSIGN);
	CK_SPAN(assign->loc, 3, 3, 3, 13, 35, 45);
	ck_assert_int_eq(assign->binding.value->kind, FL_CALL);
	CK_SPAN(assign->binding.value->loc, 3, 7, 3, 13, 39, 45);
	const struct fl_node *ret = assign->next;
	ck_assert_int_eq(ret->kind, FL_RETURN);
	CK_SPAN(ret->loc, 4, 3, 4, 11, 48, 56);
}
END_TEST

/* A declaration whose parameters span lines. */
START_TEST(multiline_params_spans)
{
	const struct fl_node *prog = PARSE("module m\n"
					   "task t(\n"
					   "  x: T,\n"
					   "  y: T = [1,\n"
					   "          2]\n"
					   ")\n");
	CK_NO_ERRORS();
	const struct fl_node *t = first_decl(prog);
	CK_SPAN(t->loc, 2, 1, 6, 2, 9, 52);
	const struct fl_node *y = t->sig.params.head->next;
	CK_SPAN(y->loc, 4, 3, 5, 13, 27, 50);
	const struct fl_node *list = y->param.dflt;
	ck_assert_int_eq(list->kind, FL_LIST);
	ck_assert_uint_eq(list->list.count, 2);
	CK_SPAN(list->loc, 4, 10, 5, 13, 34, 50);
	CK_SPAN(list->list.tail->loc, 5, 11, 5, 12, 48, 49);
}
END_TEST

/* ------------------------------------------------------------------------
 * the module name */

START_TEST(module_dotted_name)
{
	const struct fl_node *prog = PARSE("module a.b.c\ntask t()\n");
	CK_NO_ERRORS();
	const char *name = prog->program.module.str;
	ck_assert_str_eq(name, "a.b.c");
	ck_assert_ptr_eq(name, fl_intern(C->names, "a.b.c", 5));
	CK_SPAN(prog->program.module.loc, 1, 8, 1, 13, 7, 12);

	prog = PARSE("module a . b . c\n");
	CK_NO_ERRORS();
	ck_assert_str_eq(prog->program.module.str, "a.b.c");
	ck_assert_ptr_eq(prog->program.module.str, fl_intern(C->names, "a.b.c", 5));
	CK_SPAN(prog->program.module.loc, 1, 8, 1, 17, 7, 16);

	prog = PARSE("module quickstart\n");
	ck_assert_ptr_eq(prog->program.module.str, fl_intern(C->names, "quickstart", 10));
	CK_SPAN(prog->program.module.loc, 1, 8, 1, 18, 7, 17);
	CK_SPAN(prog->loc, 1, 1, 1, 18, 0, 17);
}
END_TEST

/* ------------------------------------------------------------------------
 * sources */

/* Without a module declaration there is no program, and one error. */
START_TEST(no_module)
{
	ck_assert_ptr_null(PARSE("task t()\n"));
	CK_ONE_ERROR(1, 1, 5, "'module'");
	ck_assert_ptr_null(PARSE(""));
	CK_ONE_ERROR(1, 1, 1, "end of file");
}
END_TEST

START_TEST(bad_source_id)
{
	PARSE("module m\n");
	ck_assert_ptr_null(fl_parse(C, -1));
	ck_assert_ptr_null(fl_parse(C, 1));
	ck_assert_ptr_null(fl_parse(C, 1000));
	CK_NO_ERRORS();
	ck_assert(!fl_out_of_memory(C));
}
END_TEST

/* Spans of the second source say so; each source counts its own lines. */
/* The public reader: an error with its note, then a diagnostic about the
 * whole run, which has no location. */
START_TEST(diagnostic_reader)
{
	static const char text[] = "module m\ntask t(x: int, x: str) -> int\n";
	struct fl_node *prog = parse_n(text, sizeof text - 1);
	CK_NO_ERRORS();
	ck_assert_ptr_nonnull(fl_check(C, prog));
	ck_assert_int_lt(fl_source_load(C, "/nonexistent/x.flyte"), 0);
	const struct fl_diag *e = fl_diag_first(C);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(fl_diag_severity(e), FL_ERROR);
	ck_assert_str_eq(fl_diag_message(e), "input 'x' is declared twice");
	struct fl_diag_location w = where(e);
	ck_assert_str_eq(w.file, "t.flyte");
	ck_assert_uint_eq(w.line, 2);
	ck_assert_uint_eq(w.column, 16);
	ck_assert_uint_eq(w.end_column, 17);
	const struct fl_diag *n = fl_diag_first_note(e);
	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(fl_diag_severity(n), FL_NOTE);
	ck_assert_str_eq(fl_diag_message(n), "first declared here");
	ck_assert_uint_eq(where(n).column, 8);
	ck_assert_ptr_null(fl_diag_next_note(n));
	const struct fl_diag *io = fl_diag_next(e);
	ck_assert_ptr_nonnull(io);
	ck_assert_ptr_nonnull(strstr(fl_diag_message(io), "cannot open /nonexistent/x.flyte"));
	ck_assert(!fl_diag_location(C, io, &w));
	ck_assert_ptr_null(fl_diag_first_note(io));
	ck_assert_ptr_null(fl_diag_next(io));
}
END_TEST

START_TEST(second_source)
{
	PARSE("module m\n\n\ntask a(x: T = 1)\n");
	static const char second[] = "module n\ntask t(x: T = \"\\q\")\n";
	int id = fl_source_add(C, "second.flyte", second, sizeof second - 1);
	ck_assert_int_eq(id, 1);
	struct fl_node *prog = fl_parse(C, id);
	ck_assert_str_eq(prog->program.module.str, "n");
	const struct fl_node *d = first_default(prog);
	ck_assert_uint_eq(d->loc.file, 1);
	ck_assert_uint_eq(d->loc.line, 2);
	ck_assert_uint_eq(d->loc.col, 15);
	ck_assert_uint_eq(d->loc.off, 23);
	CK_ERRORS(1);
	ck_assert_str_eq(where(nth_error(0)).file, "second.flyte");
	CK_ERROR(0, 2, 16, 18, "unknown escape sequence");
	/* the first one again: same names, its own file index */
	prog = fl_parse(C, 0);
	ck_assert_uint_eq(first_decl(prog)->loc.file, 0);
	CK_SPAN(first_decl(prog)->loc, 4, 1, 4, 17, 11, 27);
	ck_assert_int_eq(first_default(prog)->ival, 1);
	ck_assert_ptr_eq(prog->program.module.str, fl_intern(C->names, "m", 1));
}
END_TEST

/* ------------------------------------------------------------------------
 * limits */

static const char five_errors[] = "module m\n"
				  "# \xff\n"
				  "# \xff\n"
				  "# \xff\n"
				  "# \xff\n"
				  "# \xff\n";

START_TEST(error_cap)
{
	PARSE(five_errors);
	CK_ERRORS(5);
	for (unsigned k = 0; k < 5; k++)
		CK_ERROR(k, 2 + k, 3, 4, "invalid UTF-8 byte 0xff in comment");

	const struct fl_node *prog = parse_max(five_errors, sizeof five_errors - 1, 2);
	ck_assert_ptr_nonnull(prog);
	CK_ERRORS(2);
	CK_ERROR(0, 2, 3, 4, "invalid UTF-8");
	CK_ERROR(1, 3, 3, 4, "invalid UTF-8");
	/* the note that says so comes last */
	const struct fl_diag *owner = NULL, *last = NULL;
	for (const struct fl_diag *d = diag_after(NULL, &owner); d != NULL; d = diag_after(d, &owner))
		last = d;
	ck_assert_ptr_nonnull(last);
	ck_assert_int_eq(fl_diag_severity(last), FL_NOTE);
	ck_assert_ptr_nonnull(strstr(fl_diag_message(last), "too many errors"));
	/* a note of no diagnostic: it stands on its own */
	ck_assert_ptr_eq(fl_diag_first_note(nth_error(1)), NULL);

	/* 0: no cap */
	parse_max(five_errors, sizeof five_errors - 1, 0);
	CK_ERRORS(5);
}
END_TEST

/* A cap set below the errors already recorded stops further ones too. */
START_TEST(error_cap_lowered_after_errors)
{
	PARSE(five_errors);
	CK_ERRORS(5);
	fl_ctx_set_max_errors(C, 2);
	int id = fl_source_add(C, "more.flyte", five_errors, sizeof five_errors - 1);
	ck_assert_int_eq(id, 1);
	fl_parse(C, id);
	ck_assert_msg(fl_error_count(C) <= 5, "%u errors recorded with a cap of 2", fl_error_count(C));
}
END_TEST

/* Mixed errors (lexical and syntax) count towards the same cap. */
START_TEST(error_cap_mixed)
{
	static const char text[] = "module m\n"
				   "task t(x: T = 99999999999999999999)\n"
				   "task 1\n"
				   "image \"\\q\"\n"
				   "task u(x: T = 30x)\n"
				   "\xff\n";
	PARSE(text);
	ck_assert_uint_ge(fl_error_count(C), 5);
	parse_max(text, sizeof text - 1, 2);
	CK_ERRORS(2);
	CK_ERROR(0, 2, 15, 35, "too large");
}
END_TEST

static char *nested(unsigned depth, bool closed)
{
	size_t len = sizeof PRE - 1 + 2 * depth + 3;
	char *text = malloc(len + 1);
	ck_assert_ptr_nonnull(text);
	size_t n = sizeof PRE - 1;
	memcpy(text, PRE, n);
	memset(text + n, '[', depth);
	n += depth;
	if (closed) {
		memset(text + n, ']', depth);
		n += depth;
	}
	memcpy(text + n, ")\n", 3);
	return text;
}

/* 256 brackets open at once are fine: the task's '(' and 255 '['. */
START_TEST(nesting_256)
{
	char *text = nested(255, true);
	const struct fl_node *d = first_default(parse_n(text, strlen(text)));
	free(text);
	CK_NO_ERRORS();
	unsigned depth = 0;
	for (; d != NULL && d->kind == FL_LIST; d = d->list.head)
		depth++;
	ck_assert_uint_eq(depth, 255);
}
END_TEST

/* The 257th: one error, at that bracket, and the scan stops there. */
START_TEST(nesting_257)
{
	char *text = nested(256, true);
	parse_n(text, strlen(text));
	free(text);
	CK_ONE_ERROR(2, 15 + 255, 15 + 256, "nested too deeply");
	ck_assert_uint_eq(where(nth_error(0)).offset, 23 + 255);

	text = nested(1000, false);
	parse_n(text, strlen(text));
	free(text);
	CK_ONE_ERROR(2, 15 + 255, 15 + 256, "nested too deeply");
}
END_TEST

/* ------------------------------------------------------------------------ */

static Suite *lexer_suite(void)
{
	Suite *s = suite_create("lexer");
	TCase *tc = tcase_create("numbers");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, int_zero);
	tcase_add_test(tc, int_42);
	tcase_add_test(tc, int_max);
	tcase_add_test(tc, int_min);
	tcase_add_test(tc, int_negative_with_space);
	tcase_add_test(tc, int_overflow_by_one);
	tcase_add_test(tc, int_overflow_u64);
	tcase_add_test(tc, int_overflow_negative);
	tcase_add_test(tc, float_plain);
	tcase_add_test(tc, float_exponent);
	tcase_add_test(tc, float_negative);
	tcase_add_test(tc, float_out_of_range);
	tcase_add_test(tc, duration_ms);
	tcase_add_test(tc, duration_compound);
	tcase_add_test(tc, duration_day);
	tcase_add_test(tc, duration_bad_order);
	tcase_add_test(tc, duration_bad_suffix);
	tcase_add_test(tc, duration_fraction);
	suite_add_tcase(s, tc);

	tc = tcase_create("strings");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_loop_test(tc, string_escape, 0, (int)FL_ARRAY_LEN(escapes));
	tcase_add_test(tc, string_embedded_nul);
	tcase_add_test(tc, string_empty);
	tcase_add_loop_test(tc, string_bad_escape, 0, (int)FL_ARRAY_LEN(bad_escapes));
	tcase_add_test(tc, string_bad_escape_message);
	tcase_add_test(tc, string_unterminated);
	tcase_add_test(tc, string_unterminated_at_eof);
	tcase_add_test(tc, string_unterminated_crlf);
	suite_add_tcase(s, tc);

	tc = tcase_create("bytes");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, utf8_invalid_in_string);
	tcase_add_test(tc, utf8_invalid_in_comment);
	tcase_add_test(tc, utf8_invalid_in_code);
	tcase_add_test(tc, nul_in_string);
	tcase_add_test(tc, nul_in_comment);
	tcase_add_test(tc, nul_in_code);
	tcase_add_test(tc, control_in_code);
	suite_add_tcase(s, tc);

	tc = tcase_create("names");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, ident_255_bytes);
	tcase_add_test(tc, ident_256_bytes);
	tcase_add_loop_test(tc, keyword_is_not_ident, 0, (int)FL_ARRAY_LEN(keywords));
	tcase_add_test(tc, keyword_values);
	tcase_add_test(tc, module_dotted_name);
	suite_add_tcase(s, tc);

	tc = tcase_create("positions");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, column_after_tab);
	tcase_add_test(tc, column_after_utf8_in_comment);
	tcase_add_test(tc, column_after_utf8_in_string);
	tcase_add_test(tc, crlf_line_endings);
	tcase_add_test(tc, multiline_task_spans);
	tcase_add_test(tc, multiline_workflow_spans);
	tcase_add_test(tc, multiline_params_spans);
	suite_add_tcase(s, tc);

	tc = tcase_create("sources");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, no_module);
	tcase_add_test(tc, bad_source_id);
	tcase_add_test(tc, second_source);
	tcase_add_test(tc, diagnostic_reader);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, error_cap);
	tcase_add_test(tc, error_cap_lowered_after_errors);
	tcase_add_test(tc, error_cap_mixed);
	tcase_add_test(tc, nesting_256);
	tcase_add_test(tc, nesting_257);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(lexer_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
