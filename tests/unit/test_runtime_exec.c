/* test_runtime_exec.c: the `execute` and `map-execute` subcommands on
 * inputs.pb files encoded independently by protoc from the text protos in tests/runtime,
 * and every error path (error.pb decoded and asserted). */
#include "test_runtime.h"

static const flrt_module test_module = {
	"test", test_tasks, sizeof test_tasks / sizeof test_tasks[0], NULL, 0,
};

static struct rt_arena *A;

static const char *const ENV_VARS[] = {
	"FLYTE_FAIL_ON_ERROR", "BATCH_JOB_ARRAY_INDEX_VAR_NAME", "BATCH_JOB_ARRAY_INDEX_OFFSET",
	"FLYTE_K8S_ARRAY_INDEX", "FLYTE_ATTEMPT_NUMBER", "_F_DES",
	"FLYTE_INTERNAL_DIST_ERROR_STRATEGY",
};

static void clear_env(void)
{
	for (size_t i = 0; i < sizeof ENV_VARS / sizeof ENV_VARS[0]; i++)
		unsetenv(ENV_VARS[i]);
}

static void setup(void)
{
	A = rt_arena_new();
	tmp_setup();
	clear_env();
}

static void teardown(void)
{
	clear_env();
	rt_arena_free(A);
	tmp_teardown();
}

/* execute (or map-execute) with the given inputs file into DIR/out */
static cli exec_task(const char *cmd, const char *task, const char *inputs, const char *extra1,
		     const char *extra2)
{
	const char *args[] = { cmd, "--inputs", inputs, "--output-prefix", tpath("out"),
			       "--raw-output-data-prefix", "{{.rawOutputDataPrefix}}",
			       "--checkpoint-path", "{{.checkpointOutputPrefix}}",
			       "--prev-checkpoint", "{{.prevCheckpointPrefix}}",
			       "--task", task, extra1, extra2, NULL };
	return run_cli(&test_module, args);
}

static Flyteidl__Core__LiteralMap *outputs(const char *sub)
{
	return read_pb(A, tpath(sub ? sub : "out/outputs.pb"), &flyteidl__core__literal_map__descriptor);
}

static Flyteidl__Core__ContainerError *error_doc(const char *sub)
{
	Flyteidl__Core__ErrorDocument *d =
		read_pb(A, tpath(sub ? sub : "out/error.pb"), &flyteidl__core__error_document__descriptor);
	ck_assert_ptr_nonnull(d->error);
	ck_assert_ptr_nonnull(d->error->timestamp);
	return d->error;
}

static void assert_error(const Flyteidl__Core__ContainerError *e, const char *code, bool recoverable,
			 enum rt_origin origin, const char *message)
{
	ck_assert_str_eq(e->code, code);
	ck_assert_int_eq(e->kind, recoverable ? FLYTEIDL__CORE__CONTAINER_ERROR__KIND__RECOVERABLE
					     : FLYTEIDL__CORE__CONTAINER_ERROR__KIND__NON_RECOVERABLE);
	ck_assert_int_eq((int)e->origin, (int)origin);
	ck_assert_msg(strstr(e->message, message) != NULL, "message '%s' lacks '%s'", e->message,
		      message);
}

START_TEST(execute_ok)
{
	cli c = exec_task("execute", "test.square", encode_txtpb("square_7"), NULL, NULL);
	ck_assert_int_eq(c.status, 0);
	ck_assert_uint_eq(c.outlen, 0);   /* nothing on stdout */
	Flyteidl__Core__LiteralMap *m = outputs(NULL);
	ck_assert_uint_eq(m->n_literals, 1);
	ck_assert_int_eq(lit_int(rt_litmap_get(m, "o0")), 49);
	ck_assert(!file_exists(tpath("out/error.pb")));
	cli_free(&c);

	/* file:// URIs, and an output prefix that does not exist yet */
	char in[600], out[600];
	snprintf(in, sizeof in, "file://%s", encode_txtpb("square_7"));
	snprintf(out, sizeof out, "file://%s/deep/er", test_dir);
	const char *args[] = { "execute", "--inputs", in, "--output-prefix", out, "--task",
			       "test.square", NULL };
	c = run_cli(&test_module, args);
	ck_assert_int_eq(c.status, 0);
	ck_assert_int_eq(lit_int(rt_litmap_get(outputs("deep/er/outputs.pb"), "o0")), 49);
	cli_free(&c);
}
END_TEST

START_TEST(execute_user_errors)
{
	cli c = exec_task("execute", "test.square", encode_txtpb("square_neg"), NULL, NULL);
	ck_assert_int_eq(c.status, 0);     /* as pyflyte-execute: the error is in error.pb */
	ck_assert(!file_exists(tpath("out/outputs.pb")));
	assert_error(error_doc(NULL), "USER:RuntimeError", false, RT_ORIGIN_USER, "negative input -3");
	ck_assert_ptr_nonnull(strstr(c.err, "negative input -3"));
	cli_free(&c);

	c = exec_task("execute", "test.square", encode_txtpb("square_13"), NULL, NULL);
	ck_assert_int_eq(c.status, 0);
	assert_error(error_doc(NULL), "USER:Recoverable", true, RT_ORIGIN_USER, "unlucky 13");
	cli_free(&c);

	setenv("FLYTE_FAIL_ON_ERROR", "true", 1);
	c = exec_task("execute", "test.square", encode_txtpb("square_neg"), NULL, NULL);
	ck_assert_int_eq(c.status, 1);
	assert_error(error_doc(NULL), "USER:RuntimeError", false, RT_ORIGIN_USER, "negative input");
	cli_free(&c);
	setenv("FLYTE_FAIL_ON_ERROR", "false", 1);
	c = exec_task("execute", "test.square", encode_txtpb("square_neg"), NULL, NULL);
	ck_assert_int_eq(c.status, 0);
	cli_free(&c);

	c = exec_task("execute", "test.silent", encode_txtpb("square_7"), NULL, NULL);
	assert_error(error_doc(NULL), "USER:RuntimeError", false, RT_ORIGIN_USER,
		     "task returned 3 without calling flrt_fail");
	cli_free(&c);

	c = exec_task("execute", "test.bad", encode_txtpb("empty"), NULL, NULL);
	assert_error(error_doc(NULL), "USER:RuntimeError", false, RT_ORIGIN_USER,
		     "task test.bad: output 'o0': string is not valid UTF-8");
	cli_free(&c);

	/* the distributed error strategy names the file error-<uuid>.pb */
	setenv("_F_DES", "1", 1);
	c = exec_task("execute", "test.square", encode_txtpb("square_neg"), "--task", "test.square");
	ck_assert_int_eq(system("ls '" "/dev/null" "' >/dev/null"), 0);
	char cmd[600];
	snprintf(cmd, sizeof cmd, "ls '%s/out' | grep -Eq '^error-[0-9a-f]{32}\\.pb$'", test_dir);
	ck_assert_int_eq(system(cmd), 0);
	cli_free(&c);
}
END_TEST

START_TEST(execute_system_errors)
{
	cli c = exec_task("execute", "test.square", encode_txtpb("square_str"), NULL, NULL);
	ck_assert_int_eq(c.status, 0);
	assert_error(error_doc(NULL), "SYSTEM", false, RT_ORIGIN_SYSTEM,
		     "task test.square: input 'x': expected integer, found string");
	cli_free(&c);

	c = exec_task("execute", "test.square", encode_txtpb("square_extra"), NULL, NULL);
	assert_error(error_doc(NULL), "SYSTEM", false, RT_ORIGIN_SYSTEM,
		     "task test.square has no input 'y'");
	cli_free(&c);

	c = exec_task("execute", "test.square", encode_txtpb("empty"), NULL, NULL);
	assert_error(error_doc(NULL), "SYSTEM", false, RT_ORIGIN_SYSTEM,
		     "task test.square: missing input 'x'");
	cli_free(&c);

	c = exec_task("execute", "test.nope", encode_txtpb("square_7"), NULL, NULL);
	assert_error(error_doc(NULL), "SYSTEM", false, RT_ORIGIN_SYSTEM,
		     "unknown task 'test.nope' (this executable has: test.square, test.describe");
	cli_free(&c);

	c = exec_task("execute", "test.square", tpath("missing.pb"), NULL, NULL);
	ck_assert_int_eq(c.status, 0);
	assert_error(error_doc(NULL), "SYSTEM", false, RT_ORIGIN_SYSTEM, "No such file or directory");
	cli_free(&c);

	c = exec_task("execute", "test.square", "gs://bucket/inputs.pb", NULL, NULL);
	assert_error(error_doc(NULL), "SYSTEM", false, RT_ORIGIN_SYSTEM,
		     "the object store gs:// is not supported (s3://, abfs:// and abfss:// are");
	cli_free(&c);

	c = exec_task("execute", "test.square", "{{.input}}", NULL, NULL);
	assert_error(error_doc(NULL), "SYSTEM", false, RT_ORIGIN_SYSTEM, "is not a path");
	cli_free(&c);
}
END_TEST

/* Truncated and corrupt inputs.pb: a clear error in error.pb, never a crash. */
START_TEST(execute_corrupt_inputs)
{
	struct rt_msg err;
	uint8_t *data;
	size_t len;
	const char *good = encode_txtpb("echo_all");
	ck_assert(rt_read_file(A, good, &data, &len, &err) == 0);
	size_t rejected = 0;
	for (size_t cut = 1; cut < len; cut += 7) {
		ck_assert(rt_write_file(tpath("cut.pb"), data, cut, &err) == 0);
		cli c = exec_task("execute", "test.echo", tpath("cut.pb"), NULL, NULL);
		ck_assert_int_eq(c.status, 0);
		Flyteidl__Core__ContainerError *e = error_doc(NULL);
		ck_assert_str_eq(e->code, "SYSTEM");
		ck_assert_int_eq((int)e->origin, RT_ORIGIN_SYSTEM);
		if (strstr(e->message, "not a valid flyteidl.core.LiteralMap (corrupt or truncated)"))
			rejected++;
		else   /* cut between two entries: an input is missing */
			ck_assert_msg(strstr(e->message, "missing input"), "%s", e->message);
		cli_free(&c);
	}
	ck_assert_uint_gt(rejected, 0);
	static const uint8_t junk[] = "\x0a\xff\xff\xff\xff\x0f garbage";
	ck_assert(rt_write_file(tpath("junk.pb"), junk, sizeof junk, &err) == 0);
	cli c = exec_task("execute", "test.echo", tpath("junk.pb"), NULL, NULL);
	assert_error(error_doc(NULL), "SYSTEM", false, RT_ORIGIN_SYSTEM,
		     "not a valid flyteidl.core.LiteralMap");
	cli_free(&c);
	/* a directory where the file should be */
	c = exec_task("execute", "test.echo", test_dir, NULL, NULL);
	assert_error(error_doc(NULL), "SYSTEM", false, RT_ORIGIN_SYSTEM, "is not a regular file");
	cli_free(&c);
}
END_TEST

/* The call runs in a supervised child: a crash or an abort still ends in an
 * error.pb naming the task and the signal; a FIFO as --inputs does not hang. */
START_TEST(execute_supervised)
{
	cli c = exec_task("execute", "test.square", encode_txtpb("square_666"), NULL, NULL);
	ck_assert_int_eq(c.status, 0);
	/* under AddressSanitizer a SIGSEGV becomes its report and exit status 1 */
#if defined(__SANITIZE_ADDRESS__)
	assert_error(error_doc(NULL), "USER:Crash", true, RT_ORIGIN_USER,
		     "task test.square exited with status 1 before reporting a result");
#else
	assert_error(error_doc(NULL), "USER:Crash", true, RT_ORIGIN_USER,
		     "task test.square crashed: signal 11 (Segmentation fault)");
#endif
	cli_free(&c);
	c = exec_task("execute", "test.square", encode_txtpb("square_888"), NULL, NULL);
	assert_error(error_doc(NULL), "USER:Crash", true, RT_ORIGIN_USER,
		     "task test.square crashed: signal 6 (Aborted)");
	cli_free(&c);
	ck_assert_int_eq(mkfifo(tpath("fifo"), 0600), 0);
	c = exec_task("execute", "test.square", tpath("fifo"), NULL, NULL);
	ck_assert_int_eq(c.status, 0);
	assert_error(error_doc(NULL), "SYSTEM", false, RT_ORIGIN_SYSTEM,
		     "is not a regular file (it is a FIFO)");
	cli_free(&c);
	/* the supervised call still succeeds */
	c = exec_task("execute", "test.square", encode_txtpb("square_7"), NULL, NULL);
	ck_assert_int_eq(c.status, 0);
	ck_assert_int_eq(outputs(NULL)->literals[0]->value->scalar->primitive->integer, 49);
	cli_free(&c);
}
END_TEST

START_TEST(execute_usage)
{
	const char *a1[] = { "execute", "--inputs", "x", "--output-prefix", "y", NULL };
	cli c = run_cli(&test_module, a1);
	ck_assert_int_eq(c.status, 2);
	ck_assert_ptr_nonnull(strstr(c.err, "--task"));
	cli_free(&c);
	const char *a2[] = { "execute", "--bogus", NULL };
	c = run_cli(&test_module, a2);
	ck_assert_int_eq(c.status, 2);
	cli_free(&c);
	/* an unsupported object store as the output prefix: nowhere to write error.pb */
	const char *a3[] = { "execute", "--inputs", "x", "--output-prefix", "gs://b/p", "--task",
			     "test.square", NULL };
	c = run_cli(&test_module, a3);
	ck_assert_int_eq(c.status, 1);
	ck_assert_ptr_nonnull(strstr(c.err, "the object store gs:// is not supported"));
	cli_free(&c);
	const char *a4[] = { "frobnicate", NULL };
	c = run_cli(&test_module, a4);
	ck_assert_int_eq(c.status, 2);
	cli_free(&c);
	const char *a5[] = { NULL };
	c = run_cli(&test_module, a5);
	ck_assert_int_eq(c.status, 2);
	cli_free(&c);
	/* broken tables (not what flytec generates) are refused, not followed */
	static const flrt_var bad_var[] = { { "x", &T_INT, 64 } };
	static const flrt_task bad_task = { "t.bad", bad_var, 1, 8, NULL, 0, 0, noop_invoke, NULL, NULL };
	static const flrt_task *const bad_tasks[] = { &bad_task };
	static const flrt_module bad_module = { "t", bad_tasks, 1, NULL, 0 };
	const char *a7[] = { "list", NULL };
	c = run_cli(&bad_module, a7);
	ck_assert_int_eq(c.status, 2);
	ck_assert_ptr_nonnull(strstr(c.err, "task t.bad: input 'x' lies outside its struct"));
	cli_free(&c);
	/* --help and --version on standard output, exit 0 (GNU); nothing on stderr */
	const char *a6[] = { "--help", NULL };
	c = run_cli(&test_module, a6);
	ck_assert_int_eq(c.status, 0);
	ck_assert_uint_eq(c.errlen, 0);
	ck_assert_ptr_nonnull(strstr(c.out, "map-execute"));
	ck_assert(strncmp(c.out, "usage: test SUBCOMMAND", 22) == 0);
	cli_free(&c);
	const char *a8[] = { "--version", NULL };
	c = run_cli(&test_module, a8);
	ck_assert_int_eq(c.status, 0);
	ck_assert_uint_eq(c.errlen, 0);
	ck_assert_str_eq(c.out, "libflyterun " PACKAGE_VERSION "\n");
	cli_free(&c);
	/* a usage error: the usage on stderr, nothing on stdout */
	c = run_cli(&test_module, a4);
	ck_assert_int_eq(c.status, 2);
	ck_assert_uint_eq(c.outlen, 0);
	ck_assert_ptr_nonnull(strstr(c.err, "unknown subcommand 'frobnicate'"));
	ck_assert_ptr_nonnull(strstr(c.err, "map-execute"));
	cli_free(&c);
}
END_TEST

/* Every type through execute, inputs encoded by protoc as flytekit would. */
START_TEST(execute_all_types)
{
	cli c = exec_task("execute", "test.echo", encode_txtpb("echo_all"), NULL, NULL);
	ck_assert_msg(c.status == 0, "%s", c.err);
	ck_assert(!file_exists(tpath("out/error.pb")));
	Flyteidl__Core__LiteralMap *m = outputs(NULL);
	ck_assert_uint_eq(m->n_literals, 16);
	for (size_t i = 1; i < m->n_literals; i++)   /* written sorted */
		ck_assert_int_lt(strcmp(m->literals[i - 1]->key, m->literals[i]->key), 0);
	ck_assert_int_eq(lit_int(rt_litmap_get(m, "i")), -42);
	ck_assert_str_eq(lit_str(rt_litmap_get(m, "s")), "h\xc3\xa9llo");
	ck_assert_str_eq(lit_str(rt_litmap_get(m, "c")), "blue");
	Flyteidl__Core__Literal *du = rt_litmap_get(m, "du");
	ck_assert_int_eq(du->scalar->primitive->duration->seconds, 90);
	ck_assert_int_eq(du->scalar->primitive->duration->nanos, 250000000);
	Flyteidl__Core__Literal *dt = rt_litmap_get(m, "dt");
	ck_assert_int_eq(dt->scalar->primitive->datetime->nanos, 5);
	Flyteidl__Core__Literal *by = rt_litmap_get(m, "by");
	ck_assert_uint_eq(by->scalar->binary->value.len, 3);
	ck_assert_int_eq(by->scalar->binary->value.data[2], 0xff);
	Flyteidl__Core__Literal *di = rt_litmap_get(m, "di");
	ck_assert_str_eq(di->scalar->blob->uri, "file:///data/out");
	ck_assert_int_eq(di->scalar->blob->metadata->type->dimensionality, DIM(MULTIPART));
	/* optionals are written as flytekit's unions */
	Flyteidl__Core__Literal *oi = rt_litmap_get(m, "oi");
	ck_assert_int_eq(oi->scalar->value_case, SCA(UNION));
	ck_assert_str_eq(oi->scalar->union_->type->structure->tag, "int");
	Flyteidl__Core__Literal *os = rt_litmap_get(m, "os");
	ck_assert(rt_lit_is_none(os->scalar->union_->value));
	ck_assert_str_eq(os->scalar->union_->type->structure->tag, "none");
	Flyteidl__Core__Literal *df = rt_litmap_get(m, "df");
	ck_assert_str_eq(df->map->literals[0]->key, "a");
	Flyteidl__Core__Literal *n = rt_litmap_get(m, "nested");
	ck_assert_uint_eq(n->collection->n_literals, 2);
	Flyteidl__Core__Literal *n01 = n->collection->literals[0]->collection->literals[1];
	ck_assert(rt_lit_is_none(n01->scalar->union_->value));
	Flyteidl__Core__Literal *ol = rt_litmap_get(m, "ol");
	ck_assert_str_eq(ol->scalar->union_->type->structure->tag, "Typed List");
	ck_assert_int_eq(lit_int(ol->scalar->union_->value->collection->literals[0]), 9);
	cli_free(&c);

	c = exec_task("execute", "test.mean", encode_txtpb("mean_mixed"), NULL, NULL);
	ck_assert_int_eq(c.status, 0);
	m = outputs(NULL);
	ck_assert_int_eq(lit_int(rt_litmap_get(m, "n")), 2);
	ck_assert(rt_litmap_get(m, "avg")->scalar->primitive->float_value == 3.0);
	cli_free(&c);

	c = exec_task("execute", "test.noop", encode_txtpb("empty"), NULL, NULL);
	ck_assert_int_eq(c.status, 0);
	ck_assert_uint_eq(outputs(NULL)->n_literals, 0);
	cli_free(&c);
}
END_TEST

START_TEST(map_execute_elements)
{
	const char *in = encode_txtpb("square_map");
	/* no index variables: element 0 */
	cli c = exec_task("map-execute", "test.square", in, "--bound", "");
	ck_assert_msg(c.status == 0, "%s", c.err);
	ck_assert_int_eq(lit_int(rt_litmap_get(outputs(NULL), "o0")), 4);
	cli_free(&c);

	setenv("BATCH_JOB_ARRAY_INDEX_VAR_NAME", "FLYTE_K8S_ARRAY_INDEX", 1);
	setenv("FLYTE_K8S_ARRAY_INDEX", "1", 1);
	c = exec_task("map-execute", "test.square", in, "--bound", "");
	ck_assert_int_eq(c.status, 0);
	Flyteidl__Core__Literal *o0 = rt_litmap_get(outputs(NULL), "o0");
	ck_assert_int_eq(lit_int(o0), 9);     /* the plain element type, no union */
	cli_free(&c);

	setenv("BATCH_JOB_ARRAY_INDEX_OFFSET", "1", 1);
	c = exec_task("map-execute", "test.square", in, "--bound=", NULL);
	ck_assert_int_eq(lit_int(rt_litmap_get(outputs(NULL), "o0")), 16);
	cli_free(&c);

	/* legacy: outputs under <prefix>/<index>/ */
	setenv("BATCH_JOB_ARRAY_INDEX_OFFSET", "", 1);
	setenv("FLYTE_K8S_ARRAY_INDEX", "2", 1);
	c = exec_task("map-execute", "test.square", in, "--legacy", NULL);
	ck_assert_int_eq(c.status, 0);
	ck_assert_int_eq(lit_int(rt_litmap_get(outputs("out/2/outputs.pb"), "o0")), 16);
	cli_free(&c);

	/* a bound input is passed whole */
	setenv("FLYTE_K8S_ARRAY_INDEX", "2", 1);
	c = exec_task("map-execute", "test.describe", encode_txtpb("describe_map"), "--bound", "label");
	ck_assert_msg(c.status == 0, "%s", c.err);
	ck_assert_str_eq(lit_str(rt_litmap_get(outputs(NULL), "o0")), "n-3");
	cli_free(&c);

	/* an element's failure is that element's error.pb */
	setenv("FLYTE_K8S_ARRAY_INDEX", "0", 1);
	c = exec_task("map-execute", "test.flaky", encode_txtpb("square_map"), "--bound", "");
	assert_error(error_doc(NULL), "SYSTEM", false, RT_ORIGIN_SYSTEM, "missing input 'dir'");
	cli_free(&c);

	/* the attempt number comes from FLYTE_ATTEMPT_NUMBER */
	setenv("FLYTE_ATTEMPT_NUMBER", "2", 1);
	char dirlit[700];
	snprintf(dirlit, sizeof dirlit, "%s/flaky_dir.txtpb", test_dir);
	FILE *f = fopen(dirlit, "w");
	fprintf(f, "literals { key: \"x\" value { scalar { primitive { integer: 1 } } } }\n"
		   "literals { key: \"dir\" value { scalar { primitive { string_value: \"%s\" } } } }\n",
		test_dir);
	fclose(f);
	char cmd[2048];
	snprintf(cmd, sizeof cmd, "'%s' --encode=flyteidl.core.LiteralMap -I'%s' -I'%s' "
		 "flyteidl/core/literals.proto < '%s' > '%s/flaky.pb'", FLRT_TEST_PROTOC,
		 FLRT_TEST_PROTOS, FLRT_TEST_PROTOBUF_INCLUDE, dirlit, test_dir);
	ck_assert_int_eq(system(cmd), 0);
	for (int i = 0; i < 3; i++) {
		c = exec_task("execute", "test.flaky", tpath("flaky.pb"), NULL, NULL);
		cli_free(&c);
	}
	ck_assert_int_eq(lit_int(rt_litmap_get(outputs(NULL), "o0")), 201);
}
END_TEST

START_TEST(map_execute_errors)
{
	const char *in = encode_txtpb("square_map");
	setenv("BATCH_JOB_ARRAY_INDEX_VAR_NAME", "FLYTE_K8S_ARRAY_INDEX", 1);
	setenv("FLYTE_K8S_ARRAY_INDEX", "5", 1);
	cli c = exec_task("map-execute", "test.square", in, "--bound", "");
	ck_assert_int_eq(c.status, 0);
	assert_error(error_doc(NULL), "SYSTEM", false, RT_ORIGIN_SYSTEM,
		     "map element 5: input 'x': index 5 is out of range (the list has 3 elements)");
	cli_free(&c);

	setenv("FLYTE_K8S_ARRAY_INDEX", "abc", 1);
	c = exec_task("map-execute", "test.square", in, "--bound", "");
	assert_error(error_doc(NULL), "SYSTEM", false, RT_ORIGIN_SYSTEM,
		     "FLYTE_K8S_ARRAY_INDEX is 'abc', not an integer");
	cli_free(&c);

	unsetenv("FLYTE_K8S_ARRAY_INDEX");
	c = exec_task("map-execute", "test.square", in, "--bound", "");
	assert_error(error_doc(NULL), "SYSTEM", false, RT_ORIGIN_SYSTEM,
		     "BATCH_JOB_ARRAY_INDEX_VAR_NAME names FLYTE_K8S_ARRAY_INDEX, which is not set");
	cli_free(&c);

	setenv("FLYTE_K8S_ARRAY_INDEX", "-1", 1);
	c = exec_task("map-execute", "test.square", in, "--bound", "");
	assert_error(error_doc(NULL), "SYSTEM", false, RT_ORIGIN_SYSTEM, "invalid array index");
	cli_free(&c);

	/* FLYTE_ATTEMPT_NUMBER is an integer, 0 or more */
	setenv("FLYTE_K8S_ARRAY_INDEX", "0", 1);
	setenv("FLYTE_ATTEMPT_NUMBER", "abc", 1);
	c = exec_task("map-execute", "test.square", in, "--bound", "");
	assert_error(error_doc(NULL), "SYSTEM", false, RT_ORIGIN_SYSTEM,
		     "FLYTE_ATTEMPT_NUMBER is 'abc', not an integer");
	cli_free(&c);
	setenv("FLYTE_ATTEMPT_NUMBER", "-1", 1);
	c = exec_task("execute", "test.square", encode_txtpb("square_7"), NULL, NULL);
	assert_error(error_doc(NULL), "SYSTEM", false, RT_ORIGIN_SYSTEM,
		     "FLYTE_ATTEMPT_NUMBER is -1: an attempt number is 0 or more");
	cli_free(&c);
	unsetenv("FLYTE_ATTEMPT_NUMBER");

	/* an unbound input that is not a list */
	setenv("FLYTE_K8S_ARRAY_INDEX", "0", 1);
	c = exec_task("map-execute", "test.square", encode_txtpb("square_7"), "--bound", "");
	assert_error(error_doc(NULL), "SYSTEM", false, RT_ORIGIN_SYSTEM,
		     "input 'x': expected a list to map over (it is not a bound input), found integer");
	cli_free(&c);

	/* binding the mapped input passes the whole list to an int */
	c = exec_task("map-execute", "test.square", in, "--bound", "x");
	assert_error(error_doc(NULL), "SYSTEM", false, RT_ORIGIN_SYSTEM,
		     "input 'x': expected integer, found collection");
	cli_free(&c);

	/* element failures */
	c = exec_task("map-execute", "test.square", encode_txtpb("square_map"), "--bound", "");
	ck_assert_int_eq(c.status, 0);
	cli_free(&c);
	setenv("FLYTE_FAIL_ON_ERROR", "TRUE", 1);
	setenv("FLYTE_K8S_ARRAY_INDEX", "9", 1);
	c = exec_task("map-execute", "test.square", in, "--legacy", NULL);
	ck_assert_int_eq(c.status, 1);
	assert_error(error_doc("out/9/error.pb"), "SYSTEM", false, RT_ORIGIN_SYSTEM, "out of range");
	cli_free(&c);
}
END_TEST

/* ---- the selective decoder (runtime/select.c) ------------------------------------------ */
struct wbuf {
	uint8_t b[4096];
	size_t n;
};

static void w_varint(struct wbuf *w, uint64_t v)
{
	while (v >= 0x80) {
		w->b[w->n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	w->b[w->n++] = (uint8_t)v;
}

static void w_field(struct wbuf *w, unsigned id, const struct wbuf *payload)
{
	w_varint(w, (uint64_t)id << 3 | 2);
	w_varint(w, payload->n);
	memcpy(w->b + w->n, payload->b, payload->n);
	w->n += payload->n;
}

/* Literal{scalar{primitive{integer: v}}} */
static struct wbuf w_int(int64_t v)
{
	struct wbuf p = { .n = 0 }, sc = { .n = 0 }, lit = { .n = 0 };
	w_varint(&p, 1 << 3);
	w_varint(&p, (uint64_t)v);
	w_field(&sc, 1, &p);
	w_field(&lit, 1, &sc);
	return lit;
}

/* Literal{collection{literals: elems...}}, with extra bytes after the collection */
static struct wbuf w_list(const struct wbuf *elems, size_t n, const struct wbuf *extra)
{
	struct wbuf coll = { .n = 0 }, lit = { .n = 0 };
	for (size_t i = 0; i < n; i++)
		w_field(&coll, 1, &elems[i]);
	w_field(&lit, 2, &coll);
	if (extra != NULL) {
		memcpy(lit.b + lit.n, extra->b, extra->n);
		lit.n += extra->n;
	}
	return lit;
}

static void w_entry(struct wbuf *map, const char *key, const struct wbuf *value)
{
	struct wbuf k = { .n = strlen(key) }, e = { .n = 0 };
	memcpy(k.b, key, k.n);
	w_field(&e, 1, &k);
	w_field(&e, 2, value);
	w_field(map, 1, &e);
}

/* rt_select_wire's answer; when it answers, the same as the whole decoding's */
static int select_both(const struct wbuf *in, char **bound, size_t nbound, size_t index,
		       Flyteidl__Core__LiteralMap **out, char *msg)
{
	struct rt_msg es, ew;
	Flyteidl__Core__LiteralMap *whole = NULL;
	int rs = rt_select_wire(A, in->b, in->n, bound, nbound, index, out, &es);
	Flyteidl__Core__LiteralMap *m = rt_unpack(A, &flyteidl__core__literal_map__descriptor, in->b, in->n, &ew);
	int rw = m == NULL ? -1 : rt_select_element(A, m, bound, nbound, true, index, &whole, &ew) < 0 ? -1 : 0;
	if (rs == 0) {
		ck_assert_int_eq(rw, 0);
		uint8_t *ps, *pw;
		size_t ls, lw;
		ck_assert_int_eq(rt_pack_arena_as_is(A, &(*out)->base, &ps, &ls, &ew), 0);
		ck_assert_int_eq(rt_pack_arena_as_is(A, &whole->base, &pw, &lw, &ew), 0);
		ck_assert(ls == lw && memcmp(ps, pw, ls) == 0);
	} else if (rs < 0) {
		ck_assert_int_eq(rw, -1);
		ck_assert_str_eq(es.text, ew.text);
		strcpy(msg, es.text);
	}
	return rs;
}

START_TEST(select_wire)
{
	struct wbuf xs[3] = { w_int(1), w_int(200), w_int(-3) }, in = { .n = 0 };
	struct wbuf list = w_list(xs, 3, NULL), label = { .n = 0 };
	Flyteidl__Core__LiteralMap *out;
	char msg[2048] = "";
	w_entry(&in, "x", &list);
	ck_assert_int_eq(select_both(&in, NULL, 0, 1, &out, msg), 0);
	ck_assert_int_eq(lit_int(rt_litmap_get(out, "x")), 200);
	ck_assert_int_eq(select_both(&in, NULL, 0, 3, &out, msg), -1);
	ck_assert_str_eq(msg, "input 'x': index 3 is out of range (the list has 3 elements)");

	struct wbuf inx = in;
	/* a bound input whole, beside the element */
	label = w_list(xs, 1, NULL);
	w_entry(&in, "label", &label);
	char *bound[] = { "label" };
	ck_assert_int_eq(select_both(&in, bound, 1, 2, &out, msg), 0);
	ck_assert_int_eq(lit_int(rt_litmap_get(out, "x")), -3);
	ck_assert_uint_eq(rt_litmap_get(out, "label")->collection->n_literals, 1);

	/* elements that are not plain scalars go through the wire walk */
	struct wbuf inner[2] = { w_list(xs, 2, NULL), w_list(xs, 0, NULL) }, nested = w_list(inner, 2, NULL);
	struct wbuf in2 = { .n = 0 };
	w_entry(&in2, "x", &nested);
	ck_assert_int_eq(select_both(&in2, NULL, 0, 0, &out, msg), 0);
	ck_assert_uint_eq(rt_litmap_get(out, "x")->collection->n_literals, 2);

	/* what it leaves to the whole decoding: an unknown field, a hash beside
	 * the collection, an input that is not a list, malformed bytes */
	struct wbuf odd = inx;
	odd.b[odd.n++] = 2 << 3;
	odd.b[odd.n++] = 0;
	ck_assert_int_eq(select_both(&odd, NULL, 0, 0, &out, msg), 1);
	struct wbuf hash = { .n = 0 }, h = { .n = 1, .b = { 'h' } };
	w_field(&hash, 4, &h);
	struct wbuf hashed = w_list(xs, 3, &hash), in3 = { .n = 0 };
	w_entry(&in3, "x", &hashed);
	ck_assert_int_eq(select_both(&in3, NULL, 0, 0, &out, msg), 1);
	struct wbuf in4 = { .n = 0 }, one = w_int(7);
	w_entry(&in4, "x", &one);
	ck_assert_int_eq(select_both(&in4, NULL, 0, 0, &out, msg), 1);
	struct wbuf cut = in;
	cut.n -= 2;
	ck_assert_int_eq(select_both(&cut, NULL, 0, 0, &out, msg), 1);
	/* an element of the wrong wire type for protobuf-c: integer as a string */
	struct wbuf bad = w_int(5);
	bad.b[4] = 3 << 3 | 2;  /* the integer's key: field 3, length-delimited (length 5) */
	struct wbuf badl = w_list(&bad, 1, NULL), in5 = { .n = 0 };
	w_entry(&in5, "x", &badl);
	ck_assert_int_ne(select_both(&in5, NULL, 0, 0, &out, msg), -1);

	/* found by fuzz_select: beside the selected element, one that the wire
	 * walk accepts and protobuf-c refuses (unions of LiteralTypes) */
	static const uint8_t fuzzed[] = {
		0x0a, 0x47, 0x0a, 0x02, 0x78, 0x73, 0x12, 0x41, 0x12, 0x3f, 0x0a, 0x06,
		0x0a, 0x04, 0x0a, 0x02, 0x08, 0x01, 0x0a, 0x04, 0x0a, 0x02, 0x2a, 0x00,
		0x0a, 0x17, 0x0a, 0x15, 0x4a, 0x13, 0x0a, 0x06, 0x0a, 0x04, 0x0a, 0x02,
		0x08, 0x05, 0x12, 0x09, 0x08, 0x01, 0x5a, 0x05, 0x0a, 0x03, 0x69, 0x6e,
		0x74, 0x0a, 0x16, 0x0a, 0x14, 0x4a, 0x12, 0x0a, 0x00, 0x0a, 0x02, 0x2a,
		0x00, 0x12, 0x0a, 0x08, 0x00, 0x5a, 0x06, 0x0a, 0x04, 0x6e, 0x6f, 0x6e,
		0x65,
	};
	struct wbuf fz = { .n = sizeof fuzzed };
	memcpy(fz.b, fuzzed, sizeof fuzzed);
	ck_assert_int_eq(select_both(&fz, NULL, 0, 0, &out, msg), 1);

	/* map-execute reads the same from a file either way */
	ck_assert_int_eq(rt_write_file(tpath("plain.pb"), inx.b, inx.n, &(struct rt_msg){ { 0 } }), 0);
	ck_assert_int_eq(rt_write_file(tpath("odd.pb"), odd.b, odd.n, &(struct rt_msg){ { 0 } }), 0);
	setenv("BATCH_JOB_ARRAY_INDEX_VAR_NAME", "FLYTE_K8S_ARRAY_INDEX", 1);
	setenv("FLYTE_K8S_ARRAY_INDEX", "1", 1);
	cli c = exec_task("map-execute", "test.square", tpath("plain.pb"), "--bound", "");
	ck_assert_msg(c.status == 0, "%s", c.err);
	ck_assert_int_eq(lit_int(rt_litmap_get(outputs(NULL), "o0")), 40000);
	cli_free(&c);
	c = exec_task("map-execute", "test.square", tpath("odd.pb"), "--bound", "");
	ck_assert_msg(c.status == 0, "%s", c.err);
	ck_assert_int_eq(lit_int(rt_litmap_get(outputs(NULL), "o0")), 40000);
	cli_free(&c);
}
END_TEST

int main(void)
{
	if (!have_protoc())
		return skip_suite("protoc or the flyteidl .proto files are missing");
	Suite *s = suite_create("runtime execute");
	TCase *tc = tcase_create("execute");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, execute_ok);
	tcase_add_test(tc, execute_user_errors);
	tcase_add_test(tc, execute_system_errors);
	tcase_add_test(tc, execute_corrupt_inputs);
	tcase_add_test(tc, execute_supervised);
	tcase_add_test(tc, execute_usage);
	tcase_add_test(tc, execute_all_types);
	tcase_add_test(tc, map_execute_elements);
	tcase_add_test(tc, map_execute_errors);
	tcase_add_test(tc, select_wire);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
