/* test_arena.c: unit tests for the library's memory and name units --
 * the arena (compiler/arena.c), out-of-memory handling (the arena's failure
 * injection and the public API under it), the string table
 * (compiler/intern.c), "did you mean" (compiler/misspell.c) and line maps
 * (compiler/source.c).
 *
 * Run by automake's TAP driver with CK_TAP_LOG_FILE_NAME=- and
 * CK_VERBOSITY=silent; also under valgrind with CK_FORK=no. */
#include "prelude.h"

#include <check.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "ast.h"
#include "ctx.h"
#include "flytec.h"
#include "intern.h"
#include "misspell.h"
#include "source.h"

#define KIB ((size_t)1024)
#define MIB (1024 * KIB)

static bool aligned16(const void *p)
{
	return ((uintptr_t)p & 15u) == 0;
}

/* The index of the first of n bytes at p that is not b, or n. (Check's
 * assertions are slow enough to call once per block, not per byte.) */
static size_t first_not(const void *p, int b, size_t n)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++)
		if (s[i] != (unsigned char)b)
			return i;
	return n;
}

/* ------------------------------------------------------------------------
 * arena */

/* Many small allocations: each aligned to 16, writable over its whole size,
 * and no two overlap (every block keeps the pattern written into it). */
START_TEST(arena_many_small_allocations)
{
	enum { N = 3000 };
	struct fl_arena *a = fl_arena_new();
	ck_assert_ptr_nonnull(a);
	static unsigned char *blocks[N];
	static size_t sizes[N];
	size_t misaligned = N;
	for (size_t i = 0; i < N; i++) {
		sizes[i] = 1 + (i * 37) % 200;  /* 1..200 bytes, mixed */
		blocks[i] = fl_alloc(a, sizes[i]);
		if (!aligned16(blocks[i]) && misaligned == N)
			misaligned = i;
		memset(blocks[i], (int)(i & 0xFF), sizes[i]);
	}
	ck_assert_msg(misaligned == N, "allocation %zu is not 16-aligned", misaligned);
	size_t bad = N, at = 0;
	for (size_t i = 0; i < N && bad == N; i++) {
		at = first_not(blocks[i], (int)(i & 0xFF), sizes[i]);
		if (at != sizes[i] || (i > 0 && blocks[i] == blocks[i - 1]))
			bad = i;
	}
	ck_assert_msg(bad == N, "block %zu was overwritten at byte %zu", bad, at);
	fl_arena_free(a);
}
END_TEST

/* Two allocations in a row from the same chunk are 16 bytes apart when
 * the first one is at most 16 bytes: the bump pointer is rounded up. */
START_TEST(arena_rounds_to_16)
{
	struct fl_arena *a = fl_arena_new();
	char *p = fl_alloc(a, 1);
	char *q = fl_alloc(a, 16);
	char *r = fl_alloc(a, 17);
	char *s = fl_alloc(a, 1);
	ck_assert_ptr_eq(q, p + 16);
	ck_assert_ptr_eq(r, q + 16);
	ck_assert_ptr_eq(s, r + 32);
	fl_arena_free(a);
}
END_TEST

/* A large block (over a quarter of a chunk, and one over 1 MiB) that does
 * not fit in the current chunk gets a chunk of its own: the current chunk
 * stays the one small allocations come from (the next one follows the
 * previous allocation), and nothing written into the big blocks disturbs
 * the small ones. */
START_TEST(arena_large_allocation_keeps_current_chunk)
{
	struct fl_arena *a = fl_arena_new();
	char *p1 = fl_alloc(a, 32);
	memcpy(p1, "first small block, 32 bytes....", 32);
	char *end = p1 + 32;  /* where the current chunk's next block goes */
	size_t big_n = 20 * KIB;  /* > 16 KiB */
	unsigned char *big = NULL;
	/* Large blocks come from the current chunk while they fit; the first
	 * that does not gets its own chunk. */
	for (int i = 0; i < 1000 && big == NULL; i++) {
		size_t f = fl_arena_footprint(a);
		unsigned char *b = fl_alloc(a, big_n);
		ck_assert(aligned16(b));
		memset(b, 0xB1, big_n);
		if (fl_arena_footprint(a) == f) {
			ck_assert_ptr_eq(b, end);
			end = (char *)b + big_n;
		} else {
			ck_assert_uint_ge(fl_arena_footprint(a) - f, big_n);
			big = b;
		}
	}
	ck_assert_ptr_nonnull(big);
	size_t f = fl_arena_footprint(a);
	char *p2 = fl_alloc(a, 32);
	ck_assert_ptr_eq(p2, end);  /* the current chunk's free space was kept */
	ck_assert_uint_eq(fl_arena_footprint(a), f);
	memcpy(p2, "second small block, 32 bytes...", 32);

	size_t huge_n = 3 * MIB / 2;  /* > 1 MiB */
	f = fl_arena_footprint(a);
	unsigned char *huge = fl_alloc(a, huge_n);
	ck_assert(aligned16(huge));
	ck_assert_uint_ge(fl_arena_footprint(a), f + huge_n);
	memset(huge, 0xC2, huge_n);
	f = fl_arena_footprint(a);
	char *p3 = fl_alloc(a, 32);
	ck_assert_ptr_eq(p3, p2 + 32);
	ck_assert_uint_eq(fl_arena_footprint(a), f);
	memset(p3, 0, 32);

	ck_assert_mem_eq(p1, "first small block, 32 bytes....", 32);
	ck_assert_mem_eq(p2, "second small block, 32 bytes...", 32);
	ck_assert_uint_eq(first_not(big, 0xB1, big_n), big_n);
	ck_assert_uint_eq(first_not(huge, 0xC2, huge_n), huge_n);
	fl_arena_free(a);
}
END_TEST

/* A large block as the very first allocation, then small ones. */
START_TEST(arena_large_allocation_first)
{
	struct fl_arena *a = fl_arena_new();
	unsigned char *huge = fl_alloc(a, 2 * MIB);
	memset(huge, 0x5A, 2 * MIB);
	char *p = fl_alloc(a, 10);
	char *q = fl_alloc(a, 10);
	ck_assert_ptr_eq(q, p + 16);
	memset(p, 1, 10);
	memset(q, 2, 10);
	ck_assert_uint_eq(first_not(huge, 0x5A, 2 * MIB), 2 * MIB);
	ck_assert_uint_ge(fl_arena_footprint(a), 2 * MIB);
	fl_arena_free(a);
}
END_TEST

/* fl_zalloc zeroes. The memory is made dirty first: an arena that filled
 * its chunks with 0xEE is freed, so the next one likely reuses them. */
START_TEST(arena_zalloc_zeroes)
{
	struct fl_arena *dirty = fl_arena_new();
	for (int i = 0; i < 8; i++)
		memset(fl_alloc(dirty, 60 * KIB), 0xEE, 60 * KIB);
	fl_arena_free(dirty);

	struct fl_arena *a = fl_arena_new();
	for (int i = 0; i < 8; i++) {
		size_t n = 60 * KIB - (size_t)i * 1000;
		unsigned char *p = fl_zalloc(a, n);
		size_t at = first_not(p, 0, n);
		ck_assert_msg(at == n, "fl_zalloc block %d byte %zu is 0x%02x", i, at, at < n ? p[at] : 0);
		memset(p, 0xEE, n);
	}
	unsigned char *z = fl_zalloc(a, 7);
	ck_assert_mem_eq(z, "\0\0\0\0\0\0\0", 7);
	fl_arena_free(a);
}
END_TEST

START_TEST(arena_realloc_copies)
{
	struct fl_arena *a = fl_arena_new();
	char *p = fl_alloc(a, 10);
	memcpy(p, "0123456789", 10);
	/* shrinking or keeping the size returns the same block */
	ck_assert_ptr_eq(fl_realloc(a, p, 10, 10), p);
	ck_assert_ptr_eq(fl_realloc(a, p, 10, 4), p);
	char *q = fl_realloc(a, p, 10, 100);
	ck_assert_ptr_ne(q, p);
	ck_assert(aligned16(q));
	ck_assert_mem_eq(q, "0123456789", 10);
	memset(q + 10, 'x', 90);
	/* the old block is untouched */
	ck_assert_mem_eq(p, "0123456789", 10);
	/* growing into a block of its own (> 16 KiB) still copies */
	char *r = fl_realloc(a, q, 100, 64 * KIB);
	ck_assert_mem_eq(r, "0123456789xxxxxxxxxx", 20);
	ck_assert_int_eq(r[99], 'x');
	/* from nothing */
	char *s = fl_realloc(a, NULL, 0, 8);
	ck_assert_ptr_nonnull(s);
	memset(s, 0, 8);
	fl_arena_free(a);
}
END_TEST

START_TEST(arena_strndup_sprintf)
{
	struct fl_arena *a = fl_arena_new();
	const char *src = "hello world";
	char *h = fl_strndup(a, src, 5);
	ck_assert_ptr_ne(h, src);
	ck_assert_str_eq(h, "hello");
	char *e = fl_strndup(a, "", 0);
	ck_assert_str_eq(e, "");
	char *nul = fl_strndup(a, "a\0b", 3);
	ck_assert_mem_eq(nul, "a\0b\0", 4);

	ck_assert_str_eq(fl_sprintf(a, "%s-%d-%05.1f-%%", "x", 42, 3.14159), "x-42-003.1-%");
	ck_assert_str_eq(fl_sprintf(a, "%s", ""), "");
	/* longer than a chunk */
	char *big = fl_sprintf(a, "<%*s>", 100000, "end");
	ck_assert_uint_eq(strlen(big), 100002);
	ck_assert_int_eq(big[0], '<');
	ck_assert_int_eq(big[1], ' ');
	ck_assert_str_eq(big + 100000 - 3 + 1, "end>");
	fl_arena_free(a);
}
END_TEST

START_TEST(arena_footprint_grows)
{
	struct fl_arena *a = fl_arena_new();
	size_t f0 = fl_arena_footprint(a);
	ck_assert_uint_gt(f0, 0);
	fl_alloc(a, 16);
	size_t f1 = fl_arena_footprint(a);
	ck_assert_uint_gt(f1, f0 + 16);
	/* inside the same chunk: no growth */
	fl_alloc(a, 16);
	ck_assert_uint_eq(fl_arena_footprint(a), f1);
	size_t prev = f1;
	for (int i = 0; i < 20; i++) {
		fl_alloc(a, 10 * KIB);
		size_t f = fl_arena_footprint(a);
		ck_assert_uint_ge(f, prev);
		prev = f;
	}
	ck_assert_uint_ge(prev, f0 + 200 * KIB);
	fl_alloc(a, 4 * MIB);
	ck_assert_uint_ge(fl_arena_footprint(a), prev + 4 * MIB);
	fl_arena_free(a);
}
END_TEST

/* ------------------------------------------------------------------------
 * out of memory */

/* A failed test must not leave failure injection on for the next one. */
static void no_failures(void)
{
	fl_alloc_fail_at(0);
}

/* fl_arena_new fails cleanly; fl_arena_free(NULL) is a no-op. */
START_TEST(oom_arena_new_fails)
{
	fl_alloc_fail_at(1);
	struct fl_arena *a = fl_arena_new();
	fl_alloc_fail_at(0);
	ck_assert_ptr_null(a);
	fl_arena_free(NULL);
}
END_TEST

/* The failing allocation longjmps to the handler; the arena is then freed
 * whole (valgrind checks nothing leaks). */
START_TEST(oom_first_chunk_longjmps)
{
	fl_alloc_fail_at(2);  /* 1: the arena itself, 2: its first chunk */
	struct fl_arena *a = fl_arena_new();
	ck_assert_ptr_nonnull(a);
	jmp_buf jb;
	volatile bool returned = false, jumped = false;
	fl_arena_catch(a, &jb);
	ck_assert_ptr_eq(fl_arena_handler(a), &jb);
	if (setjmp(jb) == 0) {
		(void)fl_alloc(a, 16);
		returned = true;
	} else {
		jumped = true;
	}
	fl_alloc_fail_at(0);
	fl_arena_catch(a, NULL);
	ck_assert_ptr_null(fl_arena_handler(a));
	ck_assert(jumped);
	ck_assert(!returned);
	/* the arena still works after the failure */
	char *p = fl_alloc(a, 100);
	memset(p, 1, 100);
	fl_arena_free(a);
}
END_TEST

/* Allocations served from the current chunk do not ask the system; the
 * first one that needs a new chunk fails and jumps, after some succeeded. */
START_TEST(oom_later_chunk_longjmps)
{
	struct fl_arena *a = fl_arena_new();
	(void)fl_alloc(a, 16);  /* the first chunk */
	fl_alloc_fail_at(1);    /* the next request to the system fails */
	jmp_buf jb;
	volatile int ok = 0;
	volatile bool jumped = false;
	fl_arena_catch(a, &jb);
	if (setjmp(jb) == 0) {
		for (int i = 0; i < 1000; i++) {
			memset(fl_alloc(a, 1024), 0x33, 1024);
			ok++;
		}
	} else {
		jumped = true;
	}
	fl_arena_catch(a, NULL);
	fl_alloc_fail_at(0);
	ck_assert(jumped);
	ck_assert_int_gt(ok, 0);
	ck_assert_int_lt(ok, 1000);
	fl_arena_free(a);
}
END_TEST

/* Every allocating helper jumps the same way: as the first allocation of
 * a fresh arena (which has no chunk yet), and with a block larger than any
 * chunk after some allocations. Sizes that cannot be satisfied fail without
 * asking the system. */
enum { H_ALLOC, H_ZALLOC, H_REALLOC, H_STRNDUP, H_SPRINTF, H_HUGE_SIZE, H_OVERFLOW_SIZE, H_COUNT };

static void *call_helper(struct fl_arena *a, int which, bool big, char *old)
{
	static char text[200 * 1024];
	size_t n = big ? sizeof text - 1 : 9;
	memset(text, 't', n);
	switch (which) {
	case H_ALLOC: return fl_alloc(a, big ? 200 * KIB : 64);
	case H_ZALLOC: return fl_zalloc(a, big ? 200 * KIB : 64);
	case H_REALLOC: return big ? fl_realloc(a, old, 8, 200 * KIB) : fl_realloc(a, NULL, 0, 64);
	case H_STRNDUP: return fl_strndup(a, text, n);
	case H_SPRINTF: return fl_sprintf(a, "%d %*s", 42, big ? 150000 : 3, "x");
	case H_HUGE_SIZE: return fl_alloc(a, SIZE_MAX - 20);
	case H_OVERFLOW_SIZE: return fl_alloc(a, SIZE_MAX - 3);
	}
	return NULL;
}

START_TEST(oom_each_helper_longjmps)
{
	int which = _i / 2;
	bool big = _i % 2 == 1;
	struct fl_arena *a = fl_arena_new();
	char *old = NULL;
	if (big) {
		old = fl_alloc(a, 8);
		memcpy(old, "abcdefgh", 8);
		(void)fl_alloc(a, 100);
	}
	if (which != H_HUGE_SIZE && which != H_OVERFLOW_SIZE)
		fl_alloc_fail_at(1);
	jmp_buf jb;
	volatile bool jumped = false;
	void *volatile got = NULL;
	fl_arena_catch(a, &jb);
	if (setjmp(jb) == 0)
		got = call_helper(a, which, big, old);
	else
		jumped = true;
	fl_arena_catch(a, NULL);
	fl_alloc_fail_at(0);
	ck_assert_msg(jumped, "helper %d (big: %d) returned %p instead of jumping", which, big, got);
	ck_assert_ptr_null(got);
	ck_assert(old == NULL || memcmp(old, "abcdefgh", 8) == 0);
	/* and the same call succeeds once memory is back */
	if (which != H_HUGE_SIZE && which != H_OVERFLOW_SIZE)
		ck_assert_ptr_nonnull(call_helper(a, which, big, old));
	fl_arena_free(a);
}
END_TEST

/* Without a handler an allocation failure aborts (only in fork mode). */
START_TEST(oom_without_handler_aborts)
{
	struct fl_arena *a = fl_arena_new();
	fl_alloc_fail_at(1);
	(void)fl_alloc(a, 16);
	/* not reached */
	fl_alloc_fail_at(0);
	fl_arena_free(a);
}
END_TEST

/* The public API under failure injection. */

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	ck_assert_ptr_nonnull(buf);
	size_t got;
	while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			ck_assert_ptr_nonnull(buf);
		}
	}
	fclose(f);
	*len = n;
	return buf;
}

/* $top_srcdir, or the source tree this file was compiled from. */
static char *srcdir_path(const char *rel)
{
	const char *top = getenv("top_srcdir");
	char base[4096];
	if (top != NULL && top[0] != '\0') {
		snprintf(base, sizeof base, "%s", top);
	} else {
		const char *me = __FILE__;
		const char *tail = strstr(me, "tests/unit/test_arena.c");
		size_t n = tail != NULL ? (size_t)(tail - me) : 0;
		snprintf(base, sizeof base, "%.*s", (int)n, me);
		if (base[0] == '\0')
			snprintf(base, sizeof base, ".");
	}
	size_t need = strlen(base) + 1 + strlen(rel) + 1;
	char *p = malloc(need);
	ck_assert_ptr_nonnull(p);
	snprintf(p, need, "%s/%s", base, rel);
	return p;
}

/* A source with many errors, tabs, UTF-8 and a long line, so that
 * diagnostics and the printer allocate a lot. */
static char *error_source(size_t *len)
{
	size_t cap = 64 * 1024, n = 0;
	char *s = malloc(cap);
	ck_assert_ptr_nonnull(s);
	n += (size_t)snprintf(s + n, cap - n, "module errs\n");
	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(s + n, cap - n,
				      "task t%d(x: int = %d9999999999999999999, y: s = \"\\q\xc3\xa9\\x80\")\t# \xc3\xa9 \xff\n",
				      i, i + 1);
	n += (size_t)snprintf(s + n, cap - n, "image \"");
	for (int i = 0; i < 300; i++)
		s[n++] = 'x';
	n += (size_t)snprintf(s + n, cap - n, "\\z\"\ntask 123\n");
	*len = n;
	return s;
}

struct run_result {
	bool failed;          /* some step reported failure */
	unsigned errors;
	size_t ndecls;
	long printed;         /* bytes printed */
};

/* The sources a compilation loaded, for depfiles: files by their path, in
 * order; a source in memory has none; the limit stops a reader early. */
START_TEST(source_reader_lists_files)
{
	char dir[] = "/tmp/test_arena.XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char a[64], b[64];
	snprintf(a, sizeof a, "%s/a.flyte", dir);
	snprintf(b, sizeof b, "%s/b c.flyte", dir);
	for (int i = 0; i < 2; i++) {
		FILE *f = fopen(i == 0 ? a : b, "w");
		ck_assert_ptr_nonnull(f);
		fputs("module m\n", f);
		fclose(f);
	}
	struct fl_ctx *c = fl_ctx_new();
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(fl_source_count(c), 0);
	ck_assert_int_eq(fl_source_load(c, a), 0);
	ck_assert_int_eq(fl_source_add(c, "mem.flyte", "module m\n", 9), 1);
	ck_assert_int_eq(fl_source_load(c, b), 2);
	ck_assert_uint_eq(fl_source_count(c), 3);
	ck_assert_str_eq(fl_source_path(c, 0), a);
	ck_assert_ptr_null(fl_source_path(c, 1));
	ck_assert_str_eq(fl_source_path(c, 2), b);
	ck_assert_ptr_null(fl_source_path(c, 3));
	/* an output that is an input is refused; another name is not */
	ck_assert_int_eq(fl_output_check(c, b), -1);
	ck_assert_uint_eq(fl_error_count(c), 1);
	char other[64];
	snprintf(other, sizeof other, "%s/out.tgz", dir);
	ck_assert_int_eq(fl_output_check(c, other), 0);
	/* the limit, while reading */
	fl_ctx_set_source_max(c, 5);
	ck_assert_int_eq(fl_source_load(c, a), -1);
	ck_assert_uint_eq(fl_source_count(c), 3);
	const struct fl_diag *d = fl_diag_first(c);
	ck_assert_ptr_nonnull(d);
	d = fl_diag_next(d);
	ck_assert_ptr_nonnull(d);
	ck_assert_ptr_nonnull(strstr(fl_diag_message(d), "file is too large (9 bytes; the limit is 5)"));
	fl_ctx_free(c);
	unlink(a);
	unlink(b);
	rmdir(dir);
}
END_TEST

/* One compilation through the public API: fl_ctx_new, fl_source_add,
 * fl_parse, fl_print_diagnostics into a temporary file, fl_ctx_free.
 * With pad < 0 the fail_at-th request for memory fails (0: none). With
 * pad >= 0 the context is made first, pad bytes of its arena are used up,
 * and then the next request fails: so the failure lands wherever the
 * compilation first crosses a chunk boundary. */
static struct run_result run_api(const char *text, size_t len, unsigned max_errors, unsigned long fail_at,
				 long pad)
{
	struct run_result r = {0};
	fl_alloc_fail_at(pad < 0 ? fail_at : 0);
	struct fl_ctx *c = fl_ctx_new();
	if (c == NULL) {
		fl_alloc_fail_at(0);
		ck_assert_msg(pad < 0, "fl_ctx_new failed without failure injection");
		r.failed = true;
		return r;
	}
	if (pad >= 0) {
		(void)fl_alloc(c->arena, (size_t)pad);
		fl_alloc_fail_at(1);
	}
	fl_ctx_set_max_errors(c, max_errors);
	ck_assert(!fl_out_of_memory(c));
	int id = fl_source_add(c, "quickstart.flyte", text, len);
	if (id < 0) {
		ck_assert_int_eq(id, -1);
		ck_assert_msg(fl_out_of_memory(c), "fl_source_add failed (fail_at %lu, pad %ld) without reporting OOM",
			      fail_at, pad);
		r.failed = true;
	} else {
		ck_assert_int_eq(id, 0);
	}
	bool oom_before = fl_out_of_memory(c);
	struct fl_node *prog = fl_parse(c, id);
	if (prog == NULL) {
		/* no program: either the source was not added, or memory ran out */
		ck_assert_msg(id < 0 || fl_out_of_memory(c),
			      "fl_parse returned NULL (fail_at %lu, pad %ld) without reporting OOM", fail_at, pad);
		r.failed = true;
	} else {
		ck_assert_msg(!oom_before, "fl_parse returned a program for a source that was not added");
		ck_assert_int_eq(prog->kind, FL_PROGRAM);
		for (const struct fl_node *d = prog->program.decls.head; d != NULL; d = d->next)
			r.ndecls++;
	}
	FILE *f = tmpfile();
	ck_assert_ptr_nonnull(f);
	fl_print_diagnostics(c, f);
	r.printed = ftell(f);
	fclose(f);
	if (fl_out_of_memory(c))
		r.failed = true;
	r.errors = fl_error_count(c);
	fl_ctx_free(c);
	fl_alloc_fail_at(0);
	return r;
}

/* For n = 1, 2, ...: the nth request for memory fails. Every step must
 * succeed or report the failure, until the first n at which nothing fails;
 * that run must match the run without failures. */
static void fail_every_request(const char *text, size_t len, unsigned max_errors)
{
	struct run_result ref = run_api(text, len, max_errors, 0, -1);
	ck_assert(!ref.failed);
	unsigned long n;
	for (n = 1; n < 100000; n++) {
		struct run_result r = run_api(text, len, max_errors, n, -1);
		if (!r.failed) {
			ck_assert_uint_eq(r.errors, ref.errors);
			ck_assert_uint_eq(r.ndecls, ref.ndecls);
			ck_assert_int_eq(r.printed, ref.printed);
			break;
		}
	}
	ck_assert_uint_lt(n, 100000);
	ck_assert_uint_gt(n, 2);  /* at least the arena and a chunk were requested */
}

/* The failure at every point where the compilation crosses a chunk
 * boundary: sweeping the padding moves the boundary through fl_source_add,
 * the scanner, the parser, the diagnostics and the printer. */
static void fail_at_every_boundary(const char *text, size_t len, unsigned max_errors)
{
	struct run_result ref = run_api(text, len, max_errors, 0, -1);
	ck_assert(!ref.failed);
	int nfailed = 0, nok = 0;
	for (long pad = 0; pad <= 64 * 1024; pad += 112) {
		struct run_result r = run_api(text, len, max_errors, 0, pad);
		if (r.failed) {
			nfailed++;
		} else {
			nok++;
			ck_assert_uint_eq(r.errors, ref.errors);
			ck_assert_uint_eq(r.ndecls, ref.ndecls);
			ck_assert_int_eq(r.printed, ref.printed);
		}
	}
	/* most boundaries fall inside the compilation */
	ck_assert_int_gt(nfailed, 50);
}

START_TEST(oom_public_api_quickstart)
{
	char *path = srcdir_path("examples/quickstart/quickstart.flyte");
	size_t len;
	char *text = read_file(path, &len);
	free(path);
	struct run_result ref = run_api(text, len, 20, 0, -1);
	ck_assert_uint_eq(ref.errors, 0);
	ck_assert_uint_gt(ref.ndecls, 0);
	fail_every_request(text, len, 20);
	fail_at_every_boundary(text, len, 20);
	free(text);
}
END_TEST

START_TEST(oom_public_api_many_errors)
{
	size_t len;
	char *text = error_source(&len);
	struct run_result ref = run_api(text, len, 0, 0, -1);
	ck_assert_uint_gt(ref.errors, 100);
	ck_assert_int_gt(ref.printed, 10000);
	fail_every_request(text, len, 0);
	fail_at_every_boundary(text, len, 0);
	/* and with the default error cap */
	fail_every_request(text, len, 20);
	fail_at_every_boundary(text, len, 20);
	free(text);
}
END_TEST

/* ------------------------------------------------------------------------
 * intern */

static struct fl_arena *ta;
static struct fl_strtab *tt;

static void strtab_setup(void)
{
	ta = fl_arena_new();
	tt = fl_strtab_new(ta);
}

static void strtab_teardown(void)
{
	fl_arena_free(ta);
	ta = NULL;
	tt = NULL;
}

START_TEST(intern_same_string_same_pointer)
{
	ck_assert_uint_eq(fl_strtab_count(tt), 0);
	char buf1[] = "task", buf2[] = "taskXYZ";
	const char *p = fl_intern(tt, buf1, 4);
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_ne(p, buf1);  /* a copy */
	ck_assert_str_eq(p, "task");
	const char *q = fl_intern(tt, buf2, 4);  /* same bytes, another buffer */
	ck_assert_ptr_eq(p, q);
	ck_assert_uint_eq(fl_strtab_count(tt), 1);
	/* the copy does not depend on the caller's buffer */
	memcpy(buf1, "xxxx", 4);
	ck_assert_str_eq(p, "task");
	ck_assert_ptr_eq(fl_intern(tt, "task", 4), p);
}
END_TEST

START_TEST(intern_different_strings)
{
	const char *t = fl_intern(tt, "task", 4);
	const char *ta_ = fl_intern(tt, "ta", 2);
	const char *tasks = fl_intern(tt, "tasks", 5);
	const char *T = fl_intern(tt, "Task", 4);
	ck_assert_ptr_ne(t, ta_);
	ck_assert_ptr_ne(t, tasks);
	ck_assert_ptr_ne(t, T);
	ck_assert_ptr_ne(ta_, tasks);
	ck_assert_str_eq(ta_, "ta");
	ck_assert_str_eq(tasks, "tasks");
	ck_assert_uint_eq(fl_strtab_count(tt), 4);
	/* a prefix of a longer buffer is its own string */
	ck_assert_ptr_eq(fl_intern(tt, "tasks", 2), ta_);
	ck_assert_uint_eq(fl_strtab_count(tt), 4);
}
END_TEST

START_TEST(intern_embedded_nul_and_empty)
{
	const char *anb = fl_intern(tt, "a\0b", 3);
	const char *anc = fl_intern(tt, "a\0c", 3);
	const char *a = fl_intern(tt, "a", 1);
	const char *an = fl_intern(tt, "a\0", 2);
	ck_assert_ptr_ne(anb, anc);
	ck_assert_ptr_ne(anb, a);
	ck_assert_ptr_ne(a, an);
	ck_assert_ptr_ne(anb, an);
	ck_assert_mem_eq(anb, "a\0b\0", 4);
	ck_assert_mem_eq(anc, "a\0c\0", 4);
	ck_assert_mem_eq(an, "a\0\0", 3);
	ck_assert_ptr_eq(fl_intern(tt, "a\0b", 3), anb);
	ck_assert_ptr_eq(fl_intern(tt, "a\0bz", 3), anb);

	const char *e = fl_intern(tt, "", 0);
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e, "");
	ck_assert_ptr_eq(fl_intern(tt, "xyz", 0), e);
	ck_assert_ptr_ne(e, a);
	ck_assert_uint_eq(fl_strtab_count(tt), 5);
}
END_TEST

/* Strings with the same hash are still told apart: this one hashes like
 * the empty string (FNV-1a 0x811c9dc5), and the empty string is a prefix
 * of everything. */
START_TEST(intern_hash_collision)
{
	static const char same_hash[] = "\xa6\x58\xc8\x06\x02";
	const char *x = fl_intern(tt, same_hash, 5);
	const char *e = fl_intern(tt, "", 0);
	ck_assert_ptr_ne(x, e);
	ck_assert_str_eq(e, "");
	ck_assert_mem_eq(x, same_hash, 6);
	ck_assert_uint_eq(fl_strtab_count(tt), 2);
	ck_assert_ptr_eq(fl_intern(tt, same_hash, 5), x);
	ck_assert_ptr_eq(fl_intern(tt, "", 0), e);
	/* and a prefix of it, which hashes differently */
	const char *x4 = fl_intern(tt, same_hash, 4);
	ck_assert_ptr_ne(x4, x);
	ck_assert_uint_eq(fl_strtab_count(tt), 3);
}
END_TEST

/* The table grows many times; every pointer handed out stays valid (its
 * text unchanged) and is returned again for the same string. */
START_TEST(intern_growth_keeps_pointers)
{
	enum { N = 40000 };
	static const char *ptrs[N];
	char buf[32];
	int bad_count = -1, bad_early = -1;
	for (int i = 0; i < N; i++) {
		int n = snprintf(buf, sizeof buf, "name_%d", i);
		ptrs[i] = fl_intern(tt, buf, (size_t)n);
		if (fl_strtab_count(tt) != (size_t)i + 1 && bad_count < 0)
			bad_count = i;
		/* an early one, checked while the table grows */
		if (i % 97 == 0 && fl_intern(tt, "name_0", 6) != ptrs[0] && bad_early < 0)
			bad_early = i;
	}
	ck_assert_msg(bad_count < 0, "count wrong after %d names", bad_count);
	ck_assert_msg(bad_early < 0, "name_0 moved after %d names", bad_early);
	ck_assert_uint_eq(fl_strtab_count(tt), N);
	int bad_text = -1, bad_ptr = -1;
	for (int i = 0; i < N; i++) {
		int n = snprintf(buf, sizeof buf, "name_%d", i);
		if (strcmp(ptrs[i], buf) != 0 && bad_text < 0)
			bad_text = i;
		if (fl_intern(tt, buf, (size_t)n) != ptrs[i] && bad_ptr < 0)
			bad_ptr = i;
	}
	ck_assert_msg(bad_text < 0, "the text of name %d changed", bad_text);
	ck_assert_msg(bad_ptr < 0, "name %d is interned at a new address", bad_ptr);
	ck_assert_uint_eq(fl_strtab_count(tt), N);
}
END_TEST

/* ------------------------------------------------------------------------
 * misspell */

START_TEST(edit_distance_known_pairs)
{
	ck_assert_uint_eq(fl_edit_distance("kitten", "sitting", 10), 3);
	ck_assert_uint_eq(fl_edit_distance("sitting", "kitten", 10), 3);
	ck_assert_uint_eq(fl_edit_distance("ab", "ba", 10), 1);          /* one swap */
	ck_assert_uint_eq(fl_edit_distance("task", "tsak", 10), 1);
	ck_assert_uint_eq(fl_edit_distance("flaw", "lawn", 10), 2);
	ck_assert_uint_eq(fl_edit_distance("same", "same", 0), 0);
	ck_assert_uint_eq(fl_edit_distance("", "", 0), 0);
	ck_assert_uint_eq(fl_edit_distance("", "abc", 5), 3);
	ck_assert_uint_eq(fl_edit_distance("abc", "", 5), 3);
	ck_assert_uint_eq(fl_edit_distance("task", "tusk", 5), 1);
	ck_assert_uint_eq(fl_edit_distance("workflw", "workflow", 5), 1);
	/* optimal string alignment: a swapped pair is not edited again */
	ck_assert_uint_eq(fl_edit_distance("ca", "abc", 10), 3);
}
END_TEST

START_TEST(edit_distance_limit)
{
	ck_assert_uint_eq(fl_edit_distance("kitten", "sitting", 3), 3);
	ck_assert_uint_eq(fl_edit_distance("kitten", "sitting", 2), 3);  /* limit + 1 */
	ck_assert_uint_eq(fl_edit_distance("kitten", "sitting", 1), 2);
	ck_assert_uint_eq(fl_edit_distance("kitten", "sitting", 0), 1);
	ck_assert_uint_eq(fl_edit_distance("abcdef", "uvwxyz", 2), 3);
	/* lengths alone exceed the limit */
	ck_assert_uint_eq(fl_edit_distance("a", "abcdef", 2), 3);
	ck_assert_uint_eq(fl_edit_distance("a", "abcdef", 5), 5);
	/* words up to 64 bytes are compared (misspell.c's MAX_WORD); longer
	 * ones are never close */
	char w63[64], w64[65], w65[66];
	memset(w63, 'w', 63);
	w63[63] = '\0';
	memset(w64, 'w', 64);
	w64[64] = '\0';
	memset(w65, 'w', 65);
	w65[65] = '\0';
	ck_assert_uint_eq(fl_edit_distance(w64, w64, 0), 0);
	ck_assert_uint_eq(fl_edit_distance(w63, w64, 3), 1);
	ck_assert_uint_eq(fl_edit_distance(w64, w63, 3), 1);
	ck_assert_uint_eq(fl_edit_distance(w64, w65, 3), 4);
	ck_assert_uint_eq(fl_edit_distance(w65, w64, 3), 4);
	/* every row stays within the limit, but the distance does not */
	ck_assert_uint_eq(fl_edit_distance("aa", "bbbb", 2), 3);
	ck_assert_uint_eq(fl_edit_distance("aa", "bbbb", 4), 4);
}
END_TEST

START_TEST(closest_suggestions)
{
	static const char *const kw[] = {"module", "image", "enum", "task", "map", "workflow", "launchplan"};
	size_t n = FL_ARRAY_LEN(kw);
	ck_assert_ptr_eq(fl_closest("tsk", kw, n), kw[3]);
	ck_assert_ptr_eq(fl_closest("workflw", kw, n), kw[5]);
	ck_assert_ptr_eq(fl_closest("wrkflw", kw, n), kw[5]);   /* 2 edits in 6 letters */
	ck_assert_ptr_eq(fl_closest("lanchplan", kw, n), kw[6]);
	ck_assert_ptr_eq(fl_closest("mpa", kw, n), kw[4]);      /* a swap */
	ck_assert_ptr_null(fl_closest("xyzzy", kw, n));
	ck_assert_ptr_null(fl_closest("tk", kw, n));           /* 2 edits in a short word */
	ck_assert_ptr_null(fl_closest("wkfw", kw, n));
	ck_assert_ptr_null(fl_closest("anything", kw, 0));
}
END_TEST

START_TEST(closest_ties_and_exact)
{
	static const char *const ab[] = {"tab", "task"};
	static const char *const ba[] = {"task", "tab"};
	ck_assert_ptr_eq(fl_closest("tak", ab, 2), ab[0]);
	ck_assert_ptr_eq(fl_closest("tak", ba, 2), ba[0]);
	/* an exact match is not a suggestion */
	static const char *const exact[] = {"task", "tusk"};
	ck_assert_ptr_eq(fl_closest("task", exact, 2), exact[1]);
	static const char *const only[] = {"task"};
	ck_assert_ptr_null(fl_closest("task", only, 1));
	/* a closer candidate later in the list wins over an earlier one */
	static const char *const later[] = {"tasks1", "tasks"};
	ck_assert_ptr_eq(fl_closest("task", later, 2), later[1]);
}
END_TEST

/* ------------------------------------------------------------------------
 * source */

static struct fl_source mksrc(const char *text, size_t len)
{
	struct fl_source s = {.name = "t.flyte", .text = text, .len = len};
	return s;
}

#define CK_LINE(a, src, n, want)                                               \
	do {                                                                   \
		size_t len_ = 12345;                                           \
		const char *l_ = fl_source_line((a), (src), (n), &len_);       \
		ck_assert_ptr_nonnull(l_);                                     \
		ck_assert_uint_eq(len_, sizeof(want) - 1);                     \
		ck_assert_mem_eq(l_, (want), sizeof(want) - 1);                \
	} while (0)

START_TEST(source_lines)
{
	struct fl_arena *a = fl_arena_new();
	static const char text[] = "one\ntwo\nthree\n";
	struct fl_source s = mksrc(text, sizeof text - 1);
	CK_LINE(a, &s, 1, "one");
	CK_LINE(a, &s, 2, "two");
	CK_LINE(a, &s, 3, "three");
	CK_LINE(a, &s, 4, "");  /* after the final newline */
	CK_LINE(a, &s, 5, "");
	CK_LINE(a, &s, 0, "");
	CK_LINE(a, &s, UINT32_MAX, "");
	ck_assert_uint_eq(s.nlines, 4);
	size_t len;
	/* lines point into the text */
	ck_assert_ptr_eq(fl_source_line(a, &s, 2, &len), text + 4);
	ck_assert_ptr_eq(fl_source_line(a, &s, 3, &len), text + 8);
	ck_assert_ptr_eq(fl_source_line(a, &s, 1, &len), text);
	fl_arena_free(a);
}
END_TEST

START_TEST(source_no_final_newline)
{
	struct fl_arena *a = fl_arena_new();
	static const char text[] = "first\nlast";
	struct fl_source s = mksrc(text, sizeof text - 1);
	CK_LINE(a, &s, 2, "last");
	CK_LINE(a, &s, 1, "first");
	CK_LINE(a, &s, 3, "");
	ck_assert_uint_eq(s.nlines, 2);
	fl_arena_free(a);
}
END_TEST

START_TEST(source_crlf)
{
	struct fl_arena *a = fl_arena_new();
	static const char text[] = "ab\r\n\r\nc\rd\r\nlast\r";
	struct fl_source s = mksrc(text, sizeof text - 1);
	CK_LINE(a, &s, 1, "ab");
	CK_LINE(a, &s, 2, "");
	CK_LINE(a, &s, 3, "c\rd");  /* only a CR before the newline goes */
	CK_LINE(a, &s, 4, "last");
	CK_LINE(a, &s, 5, "");
	fl_arena_free(a);
}
END_TEST

START_TEST(source_empty_and_nul)
{
	struct fl_arena *a = fl_arena_new();
	struct fl_source e = mksrc("", 0);
	CK_LINE(a, &e, 1, "");
	CK_LINE(a, &e, 2, "");
	CK_LINE(a, &e, 0, "");
	ck_assert_uint_eq(e.nlines, 1);
	/* NUL bytes are ordinary bytes; len bounds the text, not a NUL */
	static const char text[] = "a\0b\nc\0\nignored";
	struct fl_source s = mksrc(text, 7);
	CK_LINE(a, &s, 1, "a\0b");
	CK_LINE(a, &s, 2, "c\0");
	CK_LINE(a, &s, 3, "");
	ck_assert_uint_eq(s.nlines, 3);
	fl_arena_free(a);
}
END_TEST

static struct fl_loc mkloc(uint32_t file, uint32_t line, uint32_t col, uint32_t eline, uint32_t ecol,
			   uint32_t off, uint32_t eoff)
{
	struct fl_loc l = {.file = file, .line = line, .col = col, .end_line = eline, .end_col = ecol,
			   .off = off, .end_off = eoff};
	return l;
}

START_TEST(source_loc_join)
{
	struct fl_loc a = mkloc(3, 1, 5, 1, 9, 4, 8);
	struct fl_loc b = mkloc(3, 2, 3, 4, 7, 15, 40);
	struct fl_loc j = fl_loc_join(a, b);
	ck_assert_uint_eq(j.file, 3);
	ck_assert_uint_eq(j.line, 1);
	ck_assert_uint_eq(j.col, 5);
	ck_assert_uint_eq(j.off, 4);
	ck_assert_uint_eq(j.end_line, 4);
	ck_assert_uint_eq(j.end_col, 7);
	ck_assert_uint_eq(j.end_off, 40);
	/* b ends before a: a is kept */
	struct fl_loc k = fl_loc_join(b, a);
	ck_assert_uint_eq(k.line, 2);
	ck_assert_uint_eq(k.col, 3);
	ck_assert_uint_eq(k.off, 15);
	ck_assert_uint_eq(k.end_line, 4);
	ck_assert_uint_eq(k.end_col, 7);
	ck_assert_uint_eq(k.end_off, 40);
	/* with a zero-width span at the end */
	struct fl_loc z = mkloc(3, 4, 7, 4, 7, 40, 40);
	struct fl_loc m = fl_loc_join(a, z);
	ck_assert_uint_eq(m.off, 4);
	ck_assert_uint_eq(m.end_off, 40);
	ck_assert_uint_eq(m.end_line, 4);
	ck_assert_uint_eq(m.end_col, 7);
}
END_TEST

/* ------------------------------------------------------------------------ */

static Suite *arena_suite(bool forking)
{
	Suite *s = suite_create("arena");
	TCase *tc = tcase_create("arena");
	tcase_add_test(tc, arena_many_small_allocations);
	tcase_add_test(tc, arena_rounds_to_16);
	tcase_add_test(tc, arena_large_allocation_keeps_current_chunk);
	tcase_add_test(tc, arena_large_allocation_first);
	tcase_add_test(tc, arena_zalloc_zeroes);
	tcase_add_test(tc, arena_realloc_copies);
	tcase_add_test(tc, arena_strndup_sprintf);
	tcase_add_test(tc, arena_footprint_grows);
	suite_add_tcase(s, tc);

	tc = tcase_create("oom");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, NULL, no_failures);
	tcase_add_test(tc, oom_arena_new_fails);
	tcase_add_test(tc, oom_first_chunk_longjmps);
	tcase_add_test(tc, oom_later_chunk_longjmps);
	tcase_add_loop_test(tc, oom_each_helper_longjmps, 0, 2 * H_COUNT);
	if (forking)
		tcase_add_test_raise_signal(tc, oom_without_handler_aborts, SIGABRT);
	tcase_add_test(tc, oom_public_api_quickstart);
	tcase_add_test(tc, oom_public_api_many_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("intern");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, strtab_setup, strtab_teardown);
	tcase_add_test(tc, intern_same_string_same_pointer);
	tcase_add_test(tc, intern_different_strings);
	tcase_add_test(tc, intern_embedded_nul_and_empty);
	tcase_add_test(tc, intern_hash_collision);
	tcase_add_test(tc, intern_growth_keeps_pointers);
	suite_add_tcase(s, tc);

	tc = tcase_create("misspell");
	tcase_add_test(tc, edit_distance_known_pairs);
	tcase_add_test(tc, edit_distance_limit);
	tcase_add_test(tc, closest_suggestions);
	tcase_add_test(tc, closest_ties_and_exact);
	suite_add_tcase(s, tc);

	tc = tcase_create("source");
	tcase_add_test(tc, source_lines);
	tcase_add_test(tc, source_no_final_newline);
	tcase_add_test(tc, source_crlf);
	tcase_add_test(tc, source_empty_and_nul);
	tcase_add_test(tc, source_loc_join);
	tcase_add_test(tc, source_reader_lists_files);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(NULL);
	bool forking = srunner_fork_status(sr) == CK_FORK;
	srunner_add_suite(sr, arena_suite(forking));
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
