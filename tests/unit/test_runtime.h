/* test_runtime.h: a hand-written test module (what the code generator emits
 * for a .flyte file) and helpers shared by the runtime Check suites. */
#ifndef CHECK_RUNTIME_H
#define CHECK_RUNTIME_H

#include "config.h"

#include <check.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

/* ---- types --------------------------------------------------------------------- */
static const flrt_type T_INT = { .kind = FLRT_INT };
static const flrt_type T_FLOAT = { .kind = FLRT_FLOAT };
static const flrt_type T_STR = { .kind = FLRT_STR };
static const flrt_type T_BOOL = { .kind = FLRT_BOOL };
static const flrt_type T_DATETIME = { .kind = FLRT_DATETIME };
static const flrt_type T_DURATION = { .kind = FLRT_DURATION };
static const flrt_type T_BYTES = { .kind = FLRT_BYTES };
static const flrt_type T_FILE = { .kind = FLRT_FILE };
static const flrt_type T_DIR = { .kind = FLRT_DIR };
static const char *const COLOR_NAMES[] = { "red", "green", "blue" };
static const flrt_type T_COLOR = { .kind = FLRT_ENUM, .enum_names = COLOR_NAMES,
				   .enum_count = 3, .enum_name = "Color" };
static const flrt_type T_OPT_INT = { .kind = FLRT_OPTIONAL, .elem = &T_INT };
static const flrt_type T_OPT_STR = { .kind = FLRT_OPTIONAL, .elem = &T_STR };
static const flrt_type T_LIST_INT = { .kind = FLRT_LIST, .elem = &T_INT };
static const flrt_type T_LIST_OPT_INT = { .kind = FLRT_LIST, .elem = &T_OPT_INT };
static const flrt_type T_DICT_FLOAT = { .kind = FLRT_DICT, .elem = &T_FLOAT };
static const flrt_type T_LIST_LIST_OPT_INT = { .kind = FLRT_LIST, .elem = &T_LIST_OPT_INT };
static const flrt_type T_OPT_LIST_INT = { .kind = FLRT_OPTIONAL, .elem = &T_LIST_INT };

typedef struct opt_int { bool has; int64_t value; } opt_int;
typedef struct opt_str { bool has; flrt_str value; } opt_str;
typedef struct opt_list { bool has; flrt_list value; } opt_list;

/* ---- tasks ------------------------------------------------------------------------ */
/* Appends "pid pgid" to $FLRT_TEST_PIDS, when set. */
static void record_pid(void)
{
	const char *p = getenv("FLRT_TEST_PIDS");
	FILE *f = p != NULL ? fopen(p, "a") : NULL;
	if (f != NULL) {
		fprintf(f, "%d %d\n", (int)getpid(), (int)getpgrp());
		fclose(f);
	}
}

/* square(x: int) -> int. x < 0 fails (non-recoverable), 13 fails recoverably,
 * 666 crashes, 777 hangs, 555 forks a child and both hang (each recorded by
 * record_pid), 888 aborts, 999 calls exit(0). */
typedef struct square_in { int64_t x; } square_in;
typedef struct square_out { int64_t o0; } square_out;
static const flrt_var square_inputs[] = { { "x", &T_INT, offsetof(square_in, x) } };
static const flrt_var square_outputs[] = { { "o0", &T_INT, offsetof(square_out, o0) } };
static int square_invoke(flrt_ctx *ctx, const void *in, void *out)
{
	int64_t x = ((const square_in *)in)->x;
	if (x < 0)
		return flrt_fail(ctx, FLRT_NON_RECOVERABLE, "negative input %lld", (long long)x);
	if (x == 13)
		return flrt_fail(ctx, FLRT_RECOVERABLE, "unlucky %lld", (long long)x);
	if (x == 666)
		raise(SIGSEGV);
	if (x == 888)
		abort();
	if (x == 555 && fork() == 0) {
		record_pid();
		for (;;)
			pause();
	}
	if (x == 777 || x == 555) {
		record_pid();
		for (;;)
			pause();
	}
	if (x == 999)
		exit(0);
	((square_out *)out)->o0 = x * x;
	return 0;
}
static const flrt_task task_square = {
	"test.square", square_inputs, 1, sizeof(square_in),
	square_outputs, 1, sizeof(square_out), square_invoke,
};

/* describe(i: int, label: str) -> str */
typedef struct describe_in { int64_t i; flrt_str label; } describe_in;
typedef struct describe_out { flrt_str o0; } describe_out;
static const flrt_var describe_inputs[] = {
	{ "i", &T_INT, offsetof(describe_in, i) },
	{ "label", &T_STR, offsetof(describe_in, label) },
};
static const flrt_var describe_outputs[] = { { "o0", &T_STR, offsetof(describe_out, o0) } };
static int describe_invoke(flrt_ctx *ctx, const void *in, void *out)
{
	const describe_in *a = in;
	char *s = flrt_alloc(ctx, a->label.len + 32);
	int n = sprintf(s, "%s-%lld", a->label.data, (long long)a->i);
	((describe_out *)out)->o0 = (flrt_str){ (size_t)n, s };
	return 0;
}
static const flrt_task task_describe = {
	"test.describe", describe_inputs, 2, sizeof(describe_in),
	describe_outputs, 1, sizeof(describe_out), describe_invoke,
};

/* mean(xs: list[int?]) -> (avg: float, n: int) over the present values */
typedef struct mean_in { flrt_list xs; } mean_in;
typedef struct mean_out { double avg; int64_t n; } mean_out;
static const flrt_var mean_inputs[] = { { "xs", &T_LIST_OPT_INT, offsetof(mean_in, xs) } };
static const flrt_var mean_outputs[] = {
	{ "avg", &T_FLOAT, offsetof(mean_out, avg) },
	{ "n", &T_INT, offsetof(mean_out, n) },
};
static int mean_invoke(flrt_ctx *ctx, const void *in, void *out)
{
	const mean_in *a = in;
	const opt_int *xs = a->xs.items;
	double sum = 0;
	int64_t n = 0;
	(void)ctx;
	for (size_t i = 0; i < a->xs.len; i++)
		if (xs[i].has) {
			sum += (double)xs[i].value;
			n++;
		}
	((mean_out *)out)->avg = n ? sum / (double)n : 0;
	((mean_out *)out)->n = n;
	return 0;
}
static const flrt_task task_mean = {
	"test.mean", mean_inputs, 1, sizeof(mean_in),
	mean_outputs, 2, sizeof(mean_out), mean_invoke,
};

/* echo(...) -> the same values: every type through execute */
typedef struct echo_io {
	int64_t i; double f; flrt_str s; bool b; flrt_datetime dt; int64_t du;
	flrt_bytes by; flrt_str fi; flrt_str di; int32_t c; opt_int oi; opt_str os;
	flrt_list li; flrt_dict df; flrt_list nested; opt_list ol;
} echo_io;
#define ECHO_VARS \
	{ "i", &T_INT, offsetof(echo_io, i) }, { "f", &T_FLOAT, offsetof(echo_io, f) }, \
	{ "s", &T_STR, offsetof(echo_io, s) }, { "b", &T_BOOL, offsetof(echo_io, b) }, \
	{ "dt", &T_DATETIME, offsetof(echo_io, dt) }, { "du", &T_DURATION, offsetof(echo_io, du) }, \
	{ "by", &T_BYTES, offsetof(echo_io, by) }, { "fi", &T_FILE, offsetof(echo_io, fi) }, \
	{ "di", &T_DIR, offsetof(echo_io, di) }, { "c", &T_COLOR, offsetof(echo_io, c) }, \
	{ "oi", &T_OPT_INT, offsetof(echo_io, oi) }, { "os", &T_OPT_STR, offsetof(echo_io, os) }, \
	{ "li", &T_LIST_INT, offsetof(echo_io, li) }, { "df", &T_DICT_FLOAT, offsetof(echo_io, df) }, \
	{ "nested", &T_LIST_LIST_OPT_INT, offsetof(echo_io, nested) }, \
	{ "ol", &T_OPT_LIST_INT, offsetof(echo_io, ol) }
static const flrt_var echo_vars[] = { ECHO_VARS };
static int echo_invoke(flrt_ctx *ctx, const void *in, void *out)
{
	(void)ctx;
	memcpy(out, in, sizeof(echo_io));
	return 0;
}
static const flrt_task task_echo = {
	"test.echo", echo_vars, 16, sizeof(echo_io), echo_vars, 16, sizeof(echo_io), echo_invoke,
};

/* flaky(x: int, dir: str) -> int: fails recoverably on its first two attempts
 * (counted in a file under dir, so that it works across processes). */
typedef struct flaky_in { int64_t x; flrt_str dir; } flaky_in;
static const flrt_var flaky_inputs[] = {
	{ "x", &T_INT, offsetof(flaky_in, x) }, { "dir", &T_STR, offsetof(flaky_in, dir) },
};
static int flaky_invoke(flrt_ctx *ctx, const void *in, void *out)
{
	const flaky_in *a = in;
	char path[512];
	snprintf(path, sizeof path, "%s/flaky-%lld", a->dir.data, (long long)a->x);
	FILE *f = fopen(path, "a+");
	if (!f)
		return flrt_fail(ctx, FLRT_NON_RECOVERABLE, "cannot open %s", path);
	fputc('x', f);
	long n = ftell(f);
	fclose(f);
	if (n < 3)
		return flrt_fail(ctx, FLRT_RECOVERABLE, "flaky attempt %ld", n);
	((square_out *)out)->o0 = a->x + 100 * flrt_attempt(ctx);
	return 0;
}
static const flrt_task task_flaky = {
	"test.flaky", flaky_inputs, 2, sizeof(flaky_in),
	square_outputs, 1, sizeof(square_out), flaky_invoke,
};

/* noop() -> (): a task with no inputs and no outputs */
static int noop_invoke(flrt_ctx *ctx, const void *in, void *out)
{
	(void)ctx; (void)in; (void)out;
	return 0;
}
static const flrt_task task_noop = { "test.noop", NULL, 0, 0, NULL, 0, 0, noop_invoke };

/* bad() -> str: returns invalid UTF-8 (an encoding failure) */
static int bad_invoke(flrt_ctx *ctx, const void *in, void *out)
{
	(void)ctx; (void)in;
	((describe_out *)out)->o0 = (flrt_str){ 2, "\xff\xfe" };
	return 0;
}
static const flrt_task task_bad = {
	"test.bad", NULL, 0, 0, describe_outputs, 1, sizeof(describe_out), bad_invoke,
};

/* silent(x: int) -> int: returns nonzero without flrt_fail */
static int silent_invoke(flrt_ctx *ctx, const void *in, void *out)
{
	(void)ctx; (void)in; (void)out;
	return 3;
}
static const flrt_task task_silent = {
	"test.silent", square_inputs, 1, sizeof(square_in),
	square_outputs, 1, sizeof(square_out), silent_invoke,
};

/* show(x: int) -> str: "x=<x>" (square's inputs, another output type) */
static int show_invoke(flrt_ctx *ctx, const void *in, void *out)
{
	char *s = flrt_alloc(ctx, 32);
	int n = sprintf(s, "x=%lld", (long long)((const square_in *)in)->x);
	((describe_out *)out)->o0 = (flrt_str){ (size_t)n, s };
	return 0;
}
static const flrt_task task_show = {
	"test.show", square_inputs, 1, sizeof(square_in),
	describe_outputs, 1, sizeof(describe_out), show_invoke,
};

/* getenv(x: int) -> str: $CSV_STRICT, or "unset" */
static int getenv_invoke(flrt_ctx *ctx, const void *in, void *out)
{
	const char *v = getenv("CSV_STRICT");
	(void)in;
	((describe_out *)out)->o0 = flrt_strdup(ctx, v != NULL ? v : "unset");
	return 0;
}
static const flrt_task task_getenv = {
	"test.getenv", square_inputs, 1, sizeof(square_in),
	describe_outputs, 1, sizeof(describe_out), getenv_invoke,
};

static const flrt_task *const test_tasks[] = {
	&task_square, &task_describe, &task_mean, &task_echo, &task_flaky, &task_noop,
	&task_bad, &task_silent, &task_show, &task_getenv,
};

#define HELPER static __attribute__((unused))

/* ---- helpers ------------------------------------------------------------------------- */
static char test_dir[256];

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st; (void)flag; (void)f;
	return remove(p);
}

HELPER void tmp_setup(void)
{
	const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	snprintf(test_dir, sizeof test_dir, "%s/flrt-test-XXXXXX", base);
	ck_assert_ptr_nonnull(mkdtemp(test_dir));
}

HELPER void tmp_teardown(void)
{
	nftw(test_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

HELPER const char *tpath(const char *name)
{
	static char buf[8][512];
	static int k;
	k = (k + 1) % 8;
	snprintf(buf[k], sizeof buf[k], "%s/%s", test_dir, name);
	return buf[k];
}

/* Runs a command line of the module with captured stdout and stderr. */
typedef struct cli {
	int status;
	char *out, *err;
	size_t outlen, errlen;
} cli;

HELPER void cli_free(cli *c)
{
	free(c->out);
	free(c->err);
}

HELPER cli run_cli(const flrt_module *m, const char *const *args)
{
	cli c = { 0 };
	char *argv[64];
	int argc = 0;
	argv[argc++] = "testexe";
	for (; args[argc - 1] && argc < 63; argc++)
		argv[argc] = (char *)args[argc - 1];
	argv[argc] = NULL;
	FILE *out = open_memstream(&c.out, &c.outlen);
	FILE *err = open_memstream(&c.err, &c.errlen);
	struct rt_io io = { out, err };
	c.status = rt_main(m, argc, argv, &io);
	fclose(out);
	fclose(err);
	return c;
}

HELPER bool have_protoc(void)
{
	struct stat st;
	return FLRT_TEST_PROTOC[0] && access(FLRT_TEST_PROTOC, X_OK) == 0 &&
	       stat(FLRT_TEST_PROTOS "/flyteidl/core/literals.proto", &st) == 0;
}

/* Skips the whole suite (TAP plan "1..0 # SKIP", or exit 77 outside TAP). */
HELPER int skip_suite(const char *why)
{
	if (getenv("CK_TAP_LOG_FILE_NAME")) {
		printf("1..0 # SKIP %s\n", why);
		return 0;
	}
	fprintf(stderr, "SKIP: %s\n", why);
	return 77;
}

/* Encodes tests/runtime/NAME.txtpb as a LiteralMap into the test dir. */
HELPER const char *encode_txtpb(const char *name)
{
	static char bufs[8][512];
	static int k;
	char *out = bufs[k = (k + 1) % 8], cmd[2048];
	snprintf(out, sizeof bufs[0], "%s/%s.pb", test_dir, name);
	snprintf(cmd, sizeof cmd,
		 "'%s' --encode=flyteidl.core.LiteralMap -I'%s' -I'%s' flyteidl/core/literals.proto "
		 "< '%s/%s.txtpb' > '%s'",
		 FLRT_TEST_PROTOC, FLRT_TEST_PROTOS, FLRT_TEST_PROTOBUF_INCLUDE, FLRT_TEST_DATA,
		 name, out);
	ck_assert_msg(system(cmd) == 0, "protoc failed: %s", cmd);
	return out;
}

HELPER void *read_pb(struct rt_arena *a, const char *path, const ProtobufCMessageDescriptor *d)
{
	uint8_t *data;
	size_t len;
	struct rt_msg err;
	ck_assert_msg(rt_read_file(a, path, &data, &len, &err) == 0, "%s", err.text);
	void *m = rt_unpack(a, d, data, len, &err);
	ck_assert_msg(m != NULL, "%s: %s", path, err.text);
	return m;
}

HELPER bool file_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

HELPER int64_t lit_int(const Flyteidl__Core__Literal *l)
{
	ck_assert_ptr_nonnull(l);
	ck_assert_int_eq(l->value_case, LIT(SCALAR));
	ck_assert_int_eq(l->scalar->value_case, SCA(PRIMITIVE));
	ck_assert_int_eq(l->scalar->primitive->value_case, PRIM(INTEGER));
	return l->scalar->primitive->integer;
}

HELPER const char *lit_str(const Flyteidl__Core__Literal *l)
{
	ck_assert_ptr_nonnull(l);
	ck_assert_int_eq(l->value_case, LIT(SCALAR));
	ck_assert_int_eq(l->scalar->value_case, SCA(PRIMITIVE));
	ck_assert_int_eq(l->scalar->primitive->value_case, PRIM(STRING_VALUE));
	return l->scalar->primitive->string_value;
}

HELPER int run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
