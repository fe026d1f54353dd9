/* test_base.c: unit tests for the base library (base/): the arena, the
 * buffer, the hash table, UTF-8 and atomic file writes here; dates,
 * durations, base64, JSON text and the protobuf wire walk in
 * test_base_text.c. The edge cases are the behaviour of the
 * implementations base replaces.
 *
 * Run by automake's TAP driver with CK_TAP_LOG_FILE_NAME=- and
 * CK_VERBOSITY=silent; also under valgrind with CK_FORK=no. */
#include <config.h>

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utime.h>

#include "buf.h"
#include "bump.h"
#include "fileio.h"
#include "hash.h"
#include "utf8.h"

#include "test_base.h"



/* ---- arena --------------------------------------------------------------- */

static unsigned long fail_on;   /* the request to the system that fails (0: none) */
static unsigned long requests;

static void *counting_alloc(size_t n)
{
	++requests;
	if (fail_on != 0 && requests == fail_on)
		return NULL;
	return malloc(n);
}

static const struct base_arena_policy counting64k = {64 * 1024, 64 * 1024, counting_alloc};

static jmp_buf jump;
static int hook_calls;

static void hook_jump(struct base_arena *a, void *ctx)
{
	(void)a;
	hook_calls++;
	longjmp(*(jmp_buf *)ctx, 1);
}

static void hook_count(struct base_arena *a, void *ctx)
{
	(void)a;
	(void)ctx;
	hook_calls++;
}

START_TEST(arena_alignment_and_distinct)
{
	struct base_arena *a = base_arena_new(&base_arena_doubling);
	ck_assert_ptr_nonnull(a);
	char *prev = NULL;
	for (size_t n = 0; n < 100; n++) {
		char *p = base_arena_alloc(a, n % 37);
		ck_assert_ptr_nonnull(p);
		ck_assert_uint_eq((uintptr_t)p % BASE_ARENA_ALIGN, 0);
		ck_assert_ptr_ne(p, prev);  /* size 0 counts as 1 */
		prev = p;
	}
	ck_assert_uint_ge(base_arena_used(a), 100 * BASE_ARENA_ALIGN);
	base_arena_free(a);
}
END_TEST

START_TEST(arena_big_blocks_go_behind)
{
	struct base_arena a;
	base_arena_init(&a, &base_arena_fixed64k);
	char *p1 = base_arena_alloc(&a, 30 * 1024);
	size_t f = base_arena_footprint(&a);
	char *big = base_arena_alloc(&a, 40 * 1024);  /* does not fit, > a quarter block: its own */
	ck_assert_uint_ge(base_arena_footprint(&a) - f, 40 * 1024);
	char *p2 = base_arena_alloc(&a, 16);
	ck_assert_ptr_eq(p2, p1 + 30 * 1024);   /* the current block goes on */
	ck_assert_ptr_eq(base_arena_alloc(&a, 20 * 1024), p2 + 16);   /* a big one that fits */
	memset(big, 0xab, 40 * 1024);
	/* a first request bigger than a fixed block gets exactly its size */
	struct base_arena b;
	base_arena_init(&b, &base_arena_fixed64k);
	ck_assert_ptr_nonnull(base_arena_alloc(&b, 1024 * 1024));
	ck_assert_uint_lt(base_arena_footprint(&b), 1024 * 1024 + 256);
	base_arena_release(&b);
	base_arena_release(&a);
	ck_assert_uint_eq(base_arena_footprint(&a), 0);
}
END_TEST

START_TEST(arena_doubling_and_reset)
{
	struct base_arena *a = base_arena_new(&base_arena_doubling);
	for (int i = 0; i < 1000; i++)
		ck_assert_ptr_nonnull(base_arena_alloc(a, 100));
	size_t f = base_arena_footprint(a);
	/* 1000 * 112 bytes in blocks of 1, 2, 4 ... KiB: few blocks */
	ck_assert_uint_lt(f, 2 * 1000 * 112 + 4096);
	base_arena_reset(a);
	ck_assert_uint_eq(base_arena_used(a), 0);
	ck_assert_uint_le(base_arena_footprint(a), f);
	ck_assert_ptr_nonnull(base_arena_alloc(a, 100));
	base_arena_reset(NULL);
	base_arena_free(a);
	base_arena_free(NULL);
}
END_TEST

START_TEST(arena_strings)
{
	struct base_arena *a = base_arena_new(&base_arena_doubling);
	char *s = base_arena_strndup(a, "hello world", 5);
	ck_assert_str_eq(s, "hello");
	ck_assert_str_eq(base_arena_strdup(a, ""), "");
	ck_assert_str_eq(base_arena_strndup(a, NULL, 0), "");
	ck_assert_str_eq(base_arena_printf(a, "%s-%d-%05.1f", "x", 42, 2.25), "x-42-002.2");
	char *big = base_arena_printf(a, "%5000d", 7);
	ck_assert_uint_eq(strlen(big), 5000);
	int *v = base_arena_alloc(a, 4 * sizeof *v);
	for (int i = 0; i < 4; i++)
		v[i] = i * 11;
	int *w = base_arena_grow(a, v, 4 * sizeof *v, 64 * sizeof *v);
	ck_assert_ptr_ne(v, w);
	ck_assert_int_eq(w[3], 33);
	ck_assert_ptr_eq(base_arena_grow(a, w, 64 * sizeof *v, 8), w);
	unsigned char *z = base_arena_zalloc(a, 300);
	for (int i = 0; i < 300; i++)
		ck_assert_uint_eq(z[i], 0);
	ck_assert_ptr_nonnull(base_arena_array(a, 10, 10));
	base_arena_free(a);
}
END_TEST

START_TEST(arena_failure_returns_null_without_hook)
{
	requests = 0;
	fail_on = 2;   /* 1: the arena itself, 2: its first block */
	struct base_arena *a = base_arena_new(&counting64k);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_null(base_arena_alloc(a, 10));
	fail_on = 0;
	ck_assert_ptr_nonnull(base_arena_alloc(a, 10));
	ck_assert_ptr_null(base_arena_array(a, SIZE_MAX / 2, 4));
	ck_assert_ptr_null(base_arena_alloc(a, SIZE_MAX - 3));
	ck_assert_ptr_null(base_arena_strndup(a, "x", SIZE_MAX));
	base_arena_free(a);
	requests = 0;
	fail_on = 1;
	ck_assert_ptr_null(base_arena_new(&counting64k));
	fail_on = 0;
}
END_TEST

START_TEST(arena_failure_calls_hook)
{
	struct base_arena *a = base_arena_new(&counting64k);
	hook_calls = 0;
	base_arena_set_fail(a, hook_count, &jump);
	ck_assert_ptr_eq(base_arena_fail_ctx(a), &jump);
	ck_assert_ptr_null(base_arena_array(a, SIZE_MAX, 2));
	ck_assert_int_eq(hook_calls, 1);
	/* the compiler's policy: the hook longjmps */
	base_arena_set_fail(a, hook_jump, &jump);
	volatile int jumped = 0;
	if (setjmp(jump) == 0) {
		requests = 0;
		fail_on = 1;
		base_arena_alloc(a, 100 * 1024);
		ck_abort_msg("the hook did not jump");
	} else {
		jumped = 1;
	}
	fail_on = 0;
	ck_assert_int_eq(jumped, 1);
	ck_assert_int_eq(hook_calls, 2);
	ck_assert_ptr_nonnull(base_arena_alloc(a, 100));
	base_arena_free(a);
}
END_TEST

/* ---- buffer -------------------------------------------------------------- */

START_TEST(buf_malloc_and_arena)
{
	struct base_arena *a = base_arena_new(&base_arena_doubling);
	for (int pass = 0; pass < 2; pass++) {
		struct base_buf b;
		base_buf_init(&b, pass == 0 ? NULL : a);
		ck_assert_str_eq(base_buf_str(&b), "");
		ck_assert_int_eq(base_buf_puts(&b, "ab"), 0);
		ck_assert_int_eq(base_buf_putc(&b, 'c'), 0);
		ck_assert_int_eq(base_buf_printf(&b, "[%d]", -5), 0);
		ck_assert_int_eq(base_buf_put(&b, "\0z", 2), 0);
		ck_assert_uint_eq(b.len, 9);
		ck_assert_mem_eq(b.data, "abc[-5]\0z", 10);   /* NUL-terminated */
		for (int i = 0; i < 1000; i++)
			base_buf_printf(&b, "%03d", i);
		ck_assert_uint_eq(b.len, 9 + 3000);
		ck_assert_mem_eq(b.data + b.len - 3, "999", 4);
		ck_assert_uint_gt(b.cap, b.len);
		base_buf_clear(&b);
		ck_assert_uint_eq(b.len, 0);
		ck_assert_str_eq(base_buf_str(&b), "");
		ck_assert_int_eq(base_buf_printf(&b, "%s", ""), 0);
		ck_assert_ptr_nonnull(b.data);
		ck_assert_int_eq(base_buf_reserve(&b, 10000), 0);
		ck_assert_uint_gt(b.cap, 10000);
		ck_assert_int_eq(base_buf_reserve(&b, SIZE_MAX - 2), -1);
		base_buf_free(&b);
		ck_assert_ptr_null(b.data);
	}
	base_arena_free(a);
}
END_TEST

/* ---- hash table ---------------------------------------------------------- */

START_TEST(hash_fnv)
{
	/* FNV-1a reference values */
	ck_assert_uint_eq(base_fnv1a32("", 0, 0), 2166136261u);
	ck_assert_uint_eq(base_fnv1a32("a", 1, 0), 0xe40c292cu);
	ck_assert_uint_eq(base_fnv1a64("", 0), 14695981039346656037ull);
	ck_assert_uint_eq(base_fnv1a64("a", 1), 0xaf63dc4c8601ec8cull);
	/* the artifact set's seed: basis ^ kind */
	ck_assert_uint_eq(base_fnv1a32("", 0, 3), 2166136261u ^ 3u);
}
END_TEST

START_TEST(hash_strings_as_set_and_map)
{
	struct base_arena *a = base_arena_new(&base_arena_doubling);
	for (int pass = 0; pass < 2; pass++) {
		struct base_hash h;
		ck_assert_int_eq(base_hash_init(&h, pass == 0 ? NULL : a, 0), 0);
		ck_assert_ptr_null(base_hash_find_str(&h, "x"));
		char keys[5000][12];
		for (int i = 0; i < 5000; i++) {
			snprintf(keys[i], sizeof keys[i], "k%d", i);
			bool added;
			struct base_hash_slot *s = base_hash_insert_str(&h, keys[i], &added);
			ck_assert_ptr_nonnull(s);
			ck_assert(added);
			s->val = (uint64_t)i;
		}
		ck_assert_uint_eq(base_hash_count(&h), 5000);
		ck_assert_uint_le(2 * base_hash_count(&h), h.cap);
		for (int i = 0; i < 5000; i++) {
			char probe[12];
			snprintf(probe, sizeof probe, "k%d", i);   /* equal, not the same pointer */
			struct base_hash_slot *s = base_hash_find_str(&h, probe);
			ck_assert_ptr_nonnull(s);
			ck_assert_uint_eq(s->val, (uint64_t)i);
			bool added = true;
			ck_assert_ptr_eq(base_hash_insert_str(&h, probe, &added), s);
			ck_assert(!added);
		}
		ck_assert_ptr_null(base_hash_find_str(&h, "k5000"));
		ck_assert_ptr_null(base_hash_find(&h, 0, "k1", 1));   /* a prefix is another key */
		/* the empty string is a key; NULL is not */
		bool added;
		ck_assert_ptr_nonnull(base_hash_insert(&h, 0, "", 0, &added));
		ck_assert(added);
		ck_assert_ptr_nonnull(base_hash_find(&h, 0, "xyz", 0));
		ck_assert_ptr_null(base_hash_insert(&h, 0, NULL, 0, &added));
		size_t it = 0, seen = 0;
		while (base_hash_next(&h, &it) != NULL)
			seen++;
		ck_assert_uint_eq(seen, 5001);
		base_hash_free(&h);
	}
	base_arena_free(a);
}
END_TEST

START_TEST(hash_tags_and_pointers)
{
	struct base_hash h;
	ck_assert_int_eq(base_hash_init(&h, NULL, 100), 0);
	ck_assert_uint_ge(h.cap, 200);
	size_t cap = h.cap;
	bool added;
	/* (kind, name): the same name under two tags is two keys */
	struct base_hash_slot *t1 = base_hash_insert(&h, 1, "square", 6, &added);
	struct base_hash_slot *t2 = base_hash_insert(&h, 2, "square", 6, &added);
	ck_assert(added);
	ck_assert_ptr_ne(t1, t2);
	ck_assert_ptr_eq(base_hash_find(&h, 1, "square", 6), t1);
	ck_assert_ptr_null(base_hash_find(&h, 3, "square", 6));
	/* pointers compare by identity */
	static const char x1[] = "same", x2[] = "same";
	int objs[64];
	for (int i = 0; i < 64; i++) {
		struct base_hash_slot *s = base_hash_insert_ptr(&h, &objs[i], &added);
		ck_assert(added);
		s->ptr = &objs[i];
	}
	base_hash_insert_ptr(&h, x1, &added);
	ck_assert_ptr_null(base_hash_find_ptr(&h, x2));
	ck_assert_ptr_nonnull(base_hash_find_ptr(&h, x1));
	ck_assert_ptr_eq(base_hash_find_ptr(&h, &objs[17])->ptr, &objs[17]);
	ck_assert_uint_eq(h.cap, cap);   /* presized: no growth */
	/* a new slot's key may be replaced by an equal copy */
	char tmp[] = "temp";
	struct base_hash_slot *s = base_hash_insert(&h, 0, tmp, 4, &added);
	static const char kept[] = "temp";
	s->key = kept;
	memcpy(tmp, "zzzz", 4);
	ck_assert_ptr_eq(base_hash_find(&h, 0, "temp", 4), s);
	base_hash_free(&h);
}
END_TEST

/* ---- UTF-8 --------------------------------------------------------------- */

START_TEST(utf8_decode)
{
	static const struct {
		const char *s;
		size_t len, n;
		uint32_t cp;
	} cases[] = {
		{"A", 1, 1, 0x41},
		{"\0", 1, 1, 0},
		{"\xc3\xa9", 2, 2, 0xe9},
		{"\xe2\x82\xac", 3, 3, 0x20ac},
		{"\xef\xbb\xbf", 3, 3, 0xfeff},
		{"\xf0\x9f\x98\x80", 4, 4, 0x1f600},
		{"\xf4\x8f\xbf\xbf", 4, 4, 0x10ffff},
		{"\xc0\x80", 2, 0, 0},          /* overlong NUL */
		{"\xc1\xbf", 2, 0, 0},          /* overlong */
		{"\xe0\x9f\xbf", 3, 0, 0},      /* overlong */
		{"\xf0\x8f\xbf\xbf", 4, 0, 0},  /* overlong */
		{"\xed\xa0\x80", 3, 0, 0},      /* surrogate U+D800 */
		{"\xed\xbf\xbf", 3, 0, 0},      /* surrogate U+DFFF */
		{"\xf4\x90\x80\x80", 4, 0, 0},  /* U+110000 */
		{"\xf5\x80\x80\x80", 4, 0, 0},
		{"\xf8\x88\x80\x80", 4, 0, 0},
		{"\xff", 1, 0, 0},
		{"\x80", 1, 0, 0},              /* a lone continuation byte */
		{"\xe2\x82", 2, 0, 0},          /* truncated */
		{"\xe2\x28\xa1", 3, 0, 0},      /* bad continuation */
	};
	for (size_t i = 0; i < LEN(cases); i++) {
		uint32_t cp = 0xdeadbeef;
		size_t n = base_utf8_decode(cases[i].s, cases[i].len, &cp);
		ck_assert_msg(n == cases[i].n, "case %zu: length %zu, want %zu", i, n, cases[i].n);
		if (n > 0)
			ck_assert_uint_eq(cp, cases[i].cp);
	}
	uint32_t cp;
	ck_assert_uint_eq(base_utf8_decode("A", 0, &cp), 0);
	ck_assert_uint_eq(base_utf8_decode("\xe2\x82\xac", 2, &cp), 0);  /* avail bounds it */
}
END_TEST

START_TEST(utf8_validate)
{
	ck_assert(base_utf8_valid("", 0));
	ck_assert(base_utf8_valid("caf\xc3\xa9 \xe2\x82\xac", 9));
	ck_assert(base_utf8_valid("a\0b", 3));                          /* NUL is a character */
	ck_assert(!base_utf8_check("a\0b", 3, BASE_UTF8_NO_NUL));
	ck_assert(!base_utf8_valid("ab\xc3", 3));
	ck_assert(!base_utf8_valid("\xed\xa0\x80", 3));
	/* lax: structure only (the runtime's text-or-binary test) */
	ck_assert(base_utf8_check("\xc0\x80", 2, BASE_UTF8_LAX));
	ck_assert(base_utf8_check("\xed\xa0\x80", 3, BASE_UTF8_LAX));
	ck_assert(base_utf8_check("\xf7\xbf\xbf\xbf", 4, BASE_UTF8_LAX));
	ck_assert(!base_utf8_valid("\xf7\xbf\xbf\xbf", 4));
	ck_assert(!base_utf8_check("\xf8\x80\x80\x80\x80", 5, BASE_UTF8_LAX));
	ck_assert(!base_utf8_check("\x80", 1, BASE_UTF8_LAX));
	ck_assert(!base_utf8_check("\xe2\x82", 2, BASE_UTF8_LAX));
	ck_assert(!base_utf8_check("x\0", 2, BASE_UTF8_LAX | BASE_UTF8_NO_NUL));
}
END_TEST

START_TEST(utf8_encode_round_trip)
{
	static const uint32_t cps[] = {0, 0x7f, 0x80, 0x7ff, 0x800, 0xd7ff, 0xe000, 0xfffd, 0xffff, 0x10000, 0x10ffff};
	static const size_t lens[] = {1, 1, 2, 2, 3, 3, 3, 3, 3, 4, 4};
	for (size_t i = 0; i < LEN(cps); i++) {
		char out[4];
		size_t n = base_utf8_encode(out, cps[i]);
		ck_assert_uint_eq(n, lens[i]);
		uint32_t back;
		ck_assert_uint_eq(base_utf8_decode(out, n, &back), n);
		ck_assert_uint_eq(back, cps[i]);
	}
}
END_TEST

/* ---- atomic writes --------------------------------------------------------- */

static char dir[64];

static void make_dir(void)
{
	snprintf(dir, sizeof dir, "/tmp/test_base.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static int count_entries(const char *d)
{
	DIR *dd = opendir(d);
	ck_assert_ptr_nonnull(dd);
	int n = 0;
	for (struct dirent *e; (e = readdir(dd)) != NULL;)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(dd);
	return n;
}

static void remove_dir(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(fileio_atomic_write)
{
	make_dir();
	char path[128];
	snprintf(path, sizeof path, "%s/out.txt", dir);
	mode_t old = umask(022);
	struct base_write_result r;
	ck_assert_int_eq(base_write_file(path, "hello\n", 6, 0, BASE_WRITE_MODE_UMASK, &r), 0);
	ck_assert_int_eq(r.stage, BASE_WRITE_OK);
	ck_assert(!r.unchanged);
	ck_assert(base_file_same(path, "hello\n", 6));
	ck_assert(!base_file_same(path, "hello", 5));
	ck_assert(!base_file_same(path, "hello\n!", 7));
	ck_assert_int_eq(count_entries(dir), 1);   /* no temporary file left */
	struct stat st;
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0644);
	/* the runtime's way: hidden temporary, fsync, fixed mode */
	ck_assert_int_eq(base_write_file(path, "", 0, BASE_WRITE_HIDDEN_TEMP | BASE_WRITE_FSYNC, 0600, &r), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(st.st_size, 0);
	ck_assert_int_eq(count_entries(dir), 1);
	umask(old);
	remove_dir();
}
END_TEST

START_TEST(fileio_if_changed)
{
	make_dir();
	char path[128];
	snprintf(path, sizeof path, "%s/gen.c", dir);
	struct base_write_result r;
	ck_assert_int_eq(base_write_file(path, "int x;\n", 7, BASE_WRITE_IF_CHANGED, BASE_WRITE_MODE_UMASK, &r), 0);
	ck_assert(!r.unchanged);
	struct utimbuf past = {1000000000, 1000000000};
	ck_assert_int_eq(utime(path, &past), 0);
	ck_assert_int_eq(base_write_file(path, "int x;\n", 7, BASE_WRITE_IF_CHANGED, BASE_WRITE_MODE_UMASK, &r), 0);
	ck_assert(r.unchanged);
	struct stat st;
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mtime, 1000000000);   /* left alone */
	ck_assert_int_eq(base_write_file(path, "int y;\n", 7, BASE_WRITE_IF_CHANGED, BASE_WRITE_MODE_UMASK, &r), 0);
	ck_assert(!r.unchanged);
	ck_assert(base_file_same(path, "int y;\n", 7));
	ck_assert_int_eq(base_write_file(path, "int y;\n", 7, 0, BASE_WRITE_MODE_UMASK, NULL), 0);
	ck_assert_int_eq(count_entries(dir), 1);
	remove_dir();
}
END_TEST

START_TEST(fileio_failures_leave_nothing)
{
	make_dir();
	char path[128];
	snprintf(path, sizeof path, "%s/missing/out.txt", dir);
	struct base_write_result r;
	ck_assert_int_eq(base_write_file(path, "x", 1, 0, BASE_WRITE_MODE_UMASK, &r), -1);
	ck_assert_int_eq(r.stage, BASE_WRITE_CREATE);
	ck_assert_int_eq(errno, ENOENT);
	/* renaming over a non-empty directory fails: the temporary file goes */
	snprintf(path, sizeof path, "%s/sub", dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	char inner[160];
	snprintf(inner, sizeof inner, "%s/keep", path);
	ck_assert_int_eq(base_write_file(inner, "k", 1, 0, 0644, NULL), 0);
	for (unsigned flags = 0; flags <= BASE_WRITE_HIDDEN_TEMP; flags += BASE_WRITE_HIDDEN_TEMP) {
		ck_assert_int_eq(base_write_file(path, "x", 1, flags, BASE_WRITE_MODE_UMASK, &r), -1);
		ck_assert_int_eq(r.stage, BASE_WRITE_RENAME);
		ck_assert(errno == EISDIR || errno == ENOTEMPTY || errno == EEXIST);
		ck_assert_int_eq(count_entries(dir), 1);
		ck_assert_int_eq(count_entries(path), 1);
	}
	ck_assert(!base_file_same(path, "x", 1));
	snprintf(path, sizeof path, "%s/nope", dir);
	ck_assert(!base_file_same(path, "", 0));
	remove_dir();
}
END_TEST

/* A FIFO, a character device (made here, as root) and a symbolic link:
 * written in place or through, never replaced; for the compiler's flags and
 * the runtime's (hidden temporary name, fsync). */
START_TEST(fileio_non_regular_written_in_place)
{
	make_dir();
	const unsigned flag_sets[] = {BASE_WRITE_IF_CHANGED, BASE_WRITE_HIDDEN_TEMP | BASE_WRITE_FSYNC};
	char path[128];
	snprintf(path, sizeof path, "%s/fifo", dir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	for (size_t i = 0; i < 2; i++) {
		int rd = open(path, O_RDONLY | O_NONBLOCK);  /* a reader, so that the writer's open returns */
		ck_assert_int_ge(rd, 0);
		ck_assert_int_eq(base_write_file(path, "hello\n", 6, flag_sets[i], 0644, NULL), 0);
		char got[16] = "";
		ck_assert_int_eq(read(rd, got, sizeof got), 6);
		ck_assert_str_eq(got, "hello\n");
		close(rd);
		struct stat st;
		ck_assert_int_eq(lstat(path, &st), 0);
		ck_assert(S_ISFIFO(st.st_mode));
	}
	snprintf(path, sizeof path, "%s/null", dir);
	if (geteuid() == 0 && mknod(path, S_IFCHR | 0666, makedev(1, 3)) == 0) {
		int probe = open(path, O_WRONLY);  /* a nodev mount refuses it */
		if (probe >= 0) {
			close(probe);
			for (size_t i = 0; i < 2; i++) {
				ck_assert_int_eq(base_write_file(path, "x", 1, flag_sets[i], 0644, NULL), 0);
				struct stat st;
				ck_assert_int_eq(lstat(path, &st), 0);
				ck_assert(S_ISCHR(st.st_mode));
			}
		}
	}
	char target[128], link[128];
	snprintf(target, sizeof target, "%s/target", dir);
	snprintf(link, sizeof link, "%s/link", dir);
	ck_assert_int_eq(base_write_file(target, "old", 3, 0, 0644, NULL), 0);
	ck_assert_int_eq(symlink("target", link), 0);
	ck_assert_int_eq(base_write_file(link, "new", 3, 0, 0644, NULL), 0);
	struct stat st;
	ck_assert_int_eq(lstat(link, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	ck_assert(base_file_same(target, "new", 3));
	remove_dir();
}
END_TEST

static void raise_term(const char *tmp)
{
	(void)tmp;
	raise(SIGTERM);
}

/* A signal between filling the temporary file and the rename: the handler
 * removes it and the process dies of the signal. */
START_TEST(fileio_signal_removes_temporary)
{
	make_dir();
	const unsigned flag_sets[] = {0, BASE_WRITE_HIDDEN_TEMP | BASE_WRITE_FSYNC};
	for (size_t i = 0; i < 2; i++) {
		char path[128];
		snprintf(path, sizeof path, "%s/out.pb", dir);
		pid_t pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			signal(SIGTERM, SIG_DFL);
			base_write_remove_temps_on_signals();
			base_write_set_hook(raise_term);
			base_write_file(path, "data", 4, flag_sets[i], 0644, NULL);
			_exit(0);  /* not reached */
		}
		int status;
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert(WIFSIGNALED(status));
		ck_assert_int_eq(WTERMSIG(status), SIGTERM);
		ck_assert_int_eq(count_entries(dir), 0);
	}
	remove_dir();
}
END_TEST

/* ---- the suite -------------------------------------------------------------- */

static Suite *base_suite(void)
{
	Suite *s = suite_create("base");
	TCase *tc = tcase_create("arena");
	tcase_add_test(tc, arena_alignment_and_distinct);
	tcase_add_test(tc, arena_big_blocks_go_behind);
	tcase_add_test(tc, arena_doubling_and_reset);
	tcase_add_test(tc, arena_strings);
	tcase_add_test(tc, arena_failure_returns_null_without_hook);
	tcase_add_test(tc, arena_failure_calls_hook);
	tcase_add_test(tc, buf_malloc_and_arena);
	suite_add_tcase(s, tc);

	tc = tcase_create("hash");
	tcase_add_test(tc, hash_fnv);
	tcase_add_test(tc, hash_strings_as_set_and_map);
	tcase_add_test(tc, hash_tags_and_pointers);
	suite_add_tcase(s, tc);

	tc = tcase_create("utf8");
	tcase_add_test(tc, utf8_decode);
	tcase_add_test(tc, utf8_validate);
	tcase_add_test(tc, utf8_encode_round_trip);
	suite_add_tcase(s, tc);

	tc = tcase_create("fileio");
	tcase_add_test(tc, fileio_atomic_write);
	tcase_add_test(tc, fileio_if_changed);
	tcase_add_test(tc, fileio_failures_leave_nothing);
	tcase_add_test(tc, fileio_non_regular_written_in_place);
	tcase_add_test(tc, fileio_signal_removes_temporary);
	suite_add_tcase(s, tc);
	base_text_tcases(s);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(base_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
