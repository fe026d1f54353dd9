/* runtime_bench.c: what libflyterun costs (make bench-runtime).
 *
 *  1. A local in-process map of 100k trivial elements against a plain C loop
 *     calling the same function: the per-element overhead.
 *  2. Process isolation (one forked child per element) against `xargs -P`
 *     running this executable's `execute` once per element, 2000 elements.
 *  3. Decoding and encoding a 1M-element list[int] literal against protobuf-c
 *     unpacking and packing it alone.
 *  4. map-execute of one element of a 1M-element list[int] input (a process
 *     each, as a pod runs it: wall time and peak RSS), the selective decoder
 *     against decoding the whole input (the same bytes with one unknown
 *     field appended, which the selective decoder leaves to the whole
 *     decoding).
 *
 * `runtime_bench bench N...` runs parts N only. Every figure is the best of a few runs, next to its reference measured in
 * the same run. The executable is also a task executable (execute, run, ...)
 * for the xargs comparison.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"

#define MAP_INC "bench.map_inc_6b3bd0353da5de6e84d7982921ead2b3-arraynode"

/* ---- the tasks ------------------------------------------------------------------- */
static const flrt_type T_INT = { .kind = FLRT_INT };
static const flrt_type T_LIST_INT = { .kind = FLRT_LIST, .elem = &T_INT };

typedef struct io1 { int64_t x; } io1;
typedef struct list1 { flrt_list xs; } list1;

static int64_t inc(int64_t x)
{
	return x + 1;
}

static const flrt_var x_var[] = { { "x", &T_INT, 0 } };
static const flrt_var n_var[] = { { "n", &T_INT, 0 } };
static const flrt_var o0_int[] = { { "o0", &T_INT, 0 } };
static const flrt_var o0_list[] = { { "o0", &T_LIST_INT, 0 } };
static const flrt_var xs_var[] = { { "xs", &T_LIST_INT, 0 } };

static int inc_invoke(flrt_ctx *ctx, const void *in, void *out)
{
	(void)ctx;
	((io1 *)out)->x = inc(((const io1 *)in)->x);
	return 0;
}

static int range_invoke(flrt_ctx *ctx, const void *in, void *out)
{
	int64_t n = ((const io1 *)in)->x;
	int64_t *v = flrt_alloc(ctx, (size_t)(n ? n : 1) * sizeof *v);
	for (int64_t i = 0; i < n; i++)
		v[i] = i;
	((list1 *)out)->xs = (flrt_list){ (size_t)n, v };
	return 0;
}

static int sum_invoke(flrt_ctx *ctx, const void *in, void *out)
{
	(void)ctx;
	const flrt_list *l = &((const list1 *)in)->xs;
	int64_t s = 0;
	for (size_t i = 0; i < l->len; i++)
		s += ((const int64_t *)l->items)[i];
	((io1 *)out)->x = s;
	return 0;
}

static const flrt_task task_inc = { "bench.inc", x_var, 1, sizeof(io1), o0_int, 1, sizeof(io1), inc_invoke, NULL, NULL };
static const flrt_task task_range = { "bench.range", n_var, 1, sizeof(io1), o0_list, 1, sizeof(list1),
				      range_invoke, NULL, NULL };
static const flrt_task task_sum = { "bench.sum", xs_var, 1, sizeof(list1), o0_int, 1, sizeof(io1), sum_invoke, NULL, NULL };
static const flrt_task *const tasks[] = { &task_inc, &task_range, &task_sum };

/* ---- the entities (built once, as the code generator embeds them) ------------------ */
static struct rt_arena *A;
static struct flrt_entity ents[8];
static flrt_module module = { "bench", tasks, 3, ents, 0 };

static void *made;
#define MAKE(T, initfn) (made = rt_arena_alloc(A, sizeof(T)), initfn((T *)made), (T *)made)

static Flyteidl__Core__Identifier *ident(int kind, const char *name)
{
	Flyteidl__Core__Identifier *id = MAKE(Flyteidl__Core__Identifier, flyteidl__core__identifier__init);
	id->resource_type = kind;
	id->name = (char *)name;
	return id;
}

static Flyteidl__Core__VariableMap *var1(const char *name, const flrt_type *t)
{
	Flyteidl__Core__VariableMap *vm = MAKE(Flyteidl__Core__VariableMap, flyteidl__core__variable_map__init);
	if (!name)
		return vm;
	Flyteidl__Core__VariableMap__VariablesEntry *e = MAKE(Flyteidl__Core__VariableMap__VariablesEntry,
							      flyteidl__core__variable_map__variables_entry__init);
	Flyteidl__Core__Variable *v = MAKE(Flyteidl__Core__Variable, flyteidl__core__variable__init);
	v->type = rt_literal_type(A, t);
	e->key = (char *)name;
	e->value = v;
	vm->variables = rt_arena_alloc(A, sizeof *vm->variables);
	vm->variables[0] = e;
	vm->n_variables = 1;
	return vm;
}

static Flyteidl__Core__TypedInterface *iface(Flyteidl__Core__VariableMap *in, Flyteidl__Core__VariableMap *out)
{
	Flyteidl__Core__TypedInterface *ti = MAKE(Flyteidl__Core__TypedInterface, flyteidl__core__typed_interface__init);
	ti->inputs = in;
	ti->outputs = out;
	return ti;
}

static void add(int kind, const char *name, ProtobufCMessage *m)
{
	struct rt_msg err;
	uint8_t *data;
	size_t len;
	if (rt_pack_arena(A, m, &data, &len, &err) < 0)
		abort();
	ents[module.nentities++] = (struct flrt_entity){ kind, name, data, len };
}

static void add_task(const char *name, const char *fn, bool map, Flyteidl__Core__TypedInterface *ti)
{
	Flyteidl__Admin__TaskSpec *ts = MAKE(Flyteidl__Admin__TaskSpec, flyteidl__admin__task_spec__init);
	Flyteidl__Core__TaskTemplate *tt = MAKE(Flyteidl__Core__TaskTemplate, flyteidl__core__task_template__init);
	Flyteidl__Core__Container *c = MAKE(Flyteidl__Core__Container, flyteidl__core__container__init);
	Flyteidl__Core__TaskMetadata *md = MAKE(Flyteidl__Core__TaskMetadata, flyteidl__core__task_metadata__init);
	static const char *margs[] = { "bench", "map-execute", "--task", NULL, "--bound", "" };
	static const char *eargs[] = { "bench", "execute", "--task", NULL };
	size_t n = map ? 6 : 4;
	c->args = rt_arena_alloc(A, n * sizeof(char *));
	for (size_t i = 0; i < n; i++)
		c->args[i] = (char *)(map ? margs : eargs)[i];
	c->args[3] = (char *)fn;
	c->n_args = n;
	tt->id = ident(1, name);
	tt->type = "container";
	tt->metadata = md;
	tt->interface = ti;
	tt->target_case = FLYTEIDL__CORE__TASK_TEMPLATE__TARGET_CONTAINER;
	tt->container = c;
	ts->template_ = tt;
	add(1, name, &ts->base);
}

static Flyteidl__Core__Binding *bind(const char *var, const char *node, const char *out)
{
	Flyteidl__Core__Binding *b = MAKE(Flyteidl__Core__Binding, flyteidl__core__binding__init);
	Flyteidl__Core__BindingData *bd = MAKE(Flyteidl__Core__BindingData, flyteidl__core__binding_data__init);
	Flyteidl__Core__OutputReference *o = MAKE(Flyteidl__Core__OutputReference,
						  flyteidl__core__output_reference__init);
	o->node_id = (char *)node;
	o->var = (char *)out;
	bd->value_case = BIND(PROMISE);
	bd->promise = o;
	b->var = (char *)var;
	b->binding = bd;
	return b;
}

static Flyteidl__Core__Node *node(const char *id, const char *task, Flyteidl__Core__Binding *in, bool array)
{
	Flyteidl__Core__Node *n = MAKE(Flyteidl__Core__Node, flyteidl__core__node__init);
	Flyteidl__Core__TaskNode *tn = MAKE(Flyteidl__Core__TaskNode, flyteidl__core__task_node__init);
	tn->reference_case = FLYTEIDL__CORE__TASK_NODE__REFERENCE_REFERENCE_ID;
	tn->reference_id = ident(1, task);
	n->id = (char *)id;
	n->inputs = rt_arena_alloc(A, sizeof *n->inputs);
	n->inputs[0] = in;
	n->n_inputs = 1;
	if (!array) {
		n->target_case = FLYTEIDL__CORE__NODE__TARGET_TASK_NODE;
		n->task_node = tn;
		return n;
	}
	Flyteidl__Core__Node *sub = MAKE(Flyteidl__Core__Node, flyteidl__core__node__init);
	*sub = *n;
	sub->id = (char *)task;
	sub->target_case = FLYTEIDL__CORE__NODE__TARGET_TASK_NODE;
	sub->task_node = tn;
	Flyteidl__Core__ArrayNode *an = MAKE(Flyteidl__Core__ArrayNode, flyteidl__core__array_node__init);
	an->node = sub;
	n->target_case = FLYTEIDL__CORE__NODE__TARGET_ARRAY_NODE;
	n->array_node = an;
	return n;
}

/* bench.with_map(n) = sum(map(inc)(range(n))); bench.without_map(n) = sum(range(n)) */
static void add_workflow(const char *name, bool with_map)
{
	Flyteidl__Admin__WorkflowSpec *ws = MAKE(Flyteidl__Admin__WorkflowSpec, flyteidl__admin__workflow_spec__init);
	Flyteidl__Core__WorkflowTemplate *t = MAKE(Flyteidl__Core__WorkflowTemplate,
						   flyteidl__core__workflow_template__init);
	size_t k = 0;
	t->nodes = rt_arena_alloc(A, 3 * sizeof *t->nodes);
	t->nodes[k++] = node("n0", "bench.range", bind("n", "", "n"), false);
	if (with_map)
		t->nodes[k++] = node("n1", MAP_INC, bind("x", "n0", "o0"), true);
	t->nodes[k++] = node("n2", "bench.sum", bind("xs", with_map ? "n1" : "n0", "o0"), false);
	t->n_nodes = k;
	t->outputs = rt_arena_alloc(A, sizeof *t->outputs);
	t->outputs[0] = bind("o0", "n2", "o0");
	t->n_outputs = 1;
	t->id = ident(2, name);
	t->interface = iface(var1("n", &T_INT), var1("o0", &T_INT));
	ws->template_ = t;
	add(2, name, &ws->base);
}

static void build_module(void)
{
	add_task("bench.inc", "bench.inc", false, iface(var1("x", &T_INT), var1("o0", &T_INT)));
	add_task(MAP_INC, "bench.inc", true, iface(var1("x", &T_LIST_INT), var1("o0", &T_LIST_INT)));
	add_task("bench.range", "bench.range", false, iface(var1("n", &T_INT), var1("o0", &T_LIST_INT)));
	add_task("bench.sum", "bench.sum", false, iface(var1("xs", &T_LIST_INT), var1("o0", &T_INT)));
	add_workflow("bench.with_map", true);
	add_workflow("bench.without_map", false);
}

/* ---- measuring -------------------------------------------------------------------- */
static double now_s(void)
{
	return (double)rt_now_ns() / 1e9;
}

/* This process's CPU time: the machine may be shared, and part 3 is one thread. */
static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs the module's command line in this process, output discarded. */
static double time_main(int argc, char **argv)
{
	char *out = NULL, *err = NULL;
	size_t ol = 0, el = 0;
	FILE *o = open_memstream(&out, &ol), *e = open_memstream(&err, &el);
	struct rt_io io = { o, e };
	double t0 = now_s();
	int rc = rt_main(&module, argc, argv, &io);
	double t = now_s() - t0;
	fclose(o);
	fclose(e);
	if (rc != 0) {
		fprintf(stderr, "bench: %s %s failed (%d):\n%s", argv[1], argv[2], rc, err ? err : "");
		exit(1);
	}
	free(out);
	free(err);
	return t;
}

static double best_run(const char *wf, long n, const char *isolation, const char *jobs)
{
	char nn[32];
	snprintf(nn, sizeof nn, "n=%ld", n);
	char *argv[] = { "bench", "run", (char *)wf, nn, "--no-cache", "--isolation", (char *)isolation,
			 "--jobs", (char *)jobs, NULL };
	double best = 1e30;
	for (int i = 0; i < 3; i++) {
		double t = time_main(9, argv);
		if (t < best)
			best = t;
	}
	return best;
}

static volatile int64_t sink;
/* called through a volatile pointer, so that the loop really calls it */
static int64_t (*volatile inc_fn)(int64_t) = inc;

static void bench_inprocess_map(long n, const char *cores)
{
	/* the reference: a plain loop over the same function */
	double loop = 1e30;
	for (int r = 0; r < 5; r++) {
		double t0 = now_s();
		int64_t s = 0;
		for (long i = 0; i < n; i++)
			s += inc_fn((int64_t)i);
		sink = s;
		double t = now_s() - t0;
		if (t < loop)
			loop = t;
	}
	printf("1. in-process map of %ld trivial elements (inc(x) = x + 1)\n", n);
	printf("   plain C loop calling inc:  %9.3f ms  %8.1f ns/element\n", loop * 1e3,
	       loop / (double)n * 1e9);
	const char *jobs[] = { "1", cores };
	for (int k = 0; k < 2; k++) {
		if (k && strcmp(cores, "1") == 0)
			break;
		double with = best_run("bench.with_map", n, "inprocess", jobs[k]);
		double without = best_run("bench.without_map", n, "inprocess", jobs[k]);
		double per = (with - without) / (double)n;
		printf("   --jobs %-2s workflow range -> map(inc) -> sum: %9.3f ms, without the map %8.3f ms\n",
		       jobs[k], with * 1e3, without * 1e3);
		printf("            map overhead: %8.1f ns/element = %.0fx a direct call\n",
		       per * 1e9, per / (loop / (double)n));
	}
}

static void bench_process_isolation(long n, const char *jobs, const char *self)
{
	char dir[] = "/tmp/flrt-bench-XXXXXX";
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return;
	}
	/* one inputs.pb per element for xargs (prepared outside the timing) */
	struct rt_msg err;
	char path[512];
	snprintf(path, sizeof path, "%s/in", dir);
	mkdir(path, 0755);
	for (long i = 0; i < n; i++) {
		struct rt_arena *a = rt_arena_new();
		Flyteidl__Core__LiteralMap *m = rt_litmap_new(a, 1);
		uint8_t *data;
		size_t len;
		rt_litmap_set(m, 0, "x", rt_lit_int(a, i));
		snprintf(path, sizeof path, "%s/in/%ld.pb", dir, i);
		if (rt_pack_arena(a, &m->base, &data, &len, &err) < 0 || rt_write_file(path, data, len, &err) < 0) {
			fprintf(stderr, "bench: %s\n", err.text);
			exit(1);
		}
		rt_arena_free(a);
	}
	char cmd[2048];
	snprintf(cmd, sizeof cmd,
		 "seq 0 %ld | xargs -P %s -I{} '%s' execute --inputs %s/in/{}.pb "
		 "--output-prefix %s/out/{} --task bench.inc", n - 1, jobs, self, dir, dir);
	double xargs = 1e30;
	for (int r = 0; r < 3; r++) {
		double t0 = now_s();
		if (system(cmd) != 0) {
			fprintf(stderr, "bench: xargs failed\n");
			exit(1);
		}
		double t = now_s() - t0;
		if (t < xargs)
			xargs = t;
	}
	double with = best_run("bench.with_map", n, "process", jobs);
	double without = best_run("bench.without_map", n, "process", jobs);
	double ours = with - without;
	printf("2. process isolation, %ld elements (--jobs %s / xargs -P %s)\n", n, jobs, jobs);
	printf("   xargs -P, one execute per element: %9.3f ms  %8.1f us/element\n", xargs * 1e3,
	       xargs / (double)n * 1e6);
	printf("   run --isolation process (map):     %9.3f ms  %8.1f us/element  (%.1fx faster)\n",
	       ours * 1e3, ours / (double)n * 1e6, xargs / ours);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench: could not remove %s\n", dir);
}

/* The reference in the same run: Python protobuf on the same bytes
 * (bench/pyproto_bench.py; `make bench-runtime` generates the flyteidl
 * classes and sets FLRT_BENCH_PYTHON, FLRT_BENCH_PYSCRIPT and
 * FLRT_BENCH_PYDIR), against trip, the runtime's whole round trip. */
static void bench_python(const uint8_t *bytes, size_t len, double trip)
{
	const char *py = getenv("FLRT_BENCH_PYTHON"), *script = getenv("FLRT_BENCH_PYSCRIPT");
	const char *dir = getenv("FLRT_BENCH_PYDIR");
	if (py == NULL || script == NULL || dir == NULL) {
		printf("   python3-protobuf: skipped (make bench-runtime runs it)\n");
		return;
	}
	char path[] = "/tmp/flrt-bench-lit-XXXXXX";
	int fd = mkstemp(path);
	struct rt_msg err;
	if (fd < 0 || close(fd) != 0 || rt_write_file(path, bytes, len, &err) < 0) {
		printf("   python3-protobuf: cannot write the literal\n");
		return;
	}
	char cmd[4096], line[512];
	snprintf(cmd, sizeof cmd, "'%s' '%s' '%s' '%s'", py, script, dir, path);
	FILE *p = popen(cmd, "r");
	double total = 0;
	while (p != NULL && fgets(line, sizeof line, p) != NULL) {
		fputs(line, stdout);
		sscanf(line, " total %lf ms", &total);
	}
	if (p == NULL || pclose(p) != 0 || total <= 0)
		printf("   python3-protobuf: failed (%s)\n", cmd);
	else
		printf("   the runtime's whole round trip: %.1fx faster than Python protobuf's\n", total / 1e3 / trip);
	unlink(path);
}

static void bench_codec(size_t n)
{
	struct rt_msg err;
	struct rt_arena *a = rt_arena_new();
	Flyteidl__Core__Literal *c = rt_lit_collection(a, n);
	for (size_t i = 0; i < n; i++)
		c->collection->literals[i] = rt_lit_int(a, (int64_t)i * 7919 - 1000000);
	uint8_t *bytes;
	size_t len;
	if (rt_pack_arena(a, &c->base, &bytes, &len, &err) < 0)
		abort();
	double unpack = 1e30, pack = 1e30, dec = 1e30, enc = 1e30, u2 = 1e30, p2 = 1e30;
	for (int r = 0; r < 5; r++) {
		/* the reference: protobuf-c alone */
		struct rt_arena *b = rt_arena_new();
		double t0 = cpu_s();
		Flyteidl__Core__Literal *l = rt_unpack(b, &flyteidl__core__literal__descriptor, bytes, len, &err);
		double t1 = cpu_s();
		uint8_t *out;
		size_t ol;
		rt_pack_arena_as_is(b, &l->base, &out, &ol, &err);
		double t2 = cpu_s();
		unpack = t1 - t0 < unpack ? t1 - t0 : unpack;
		pack = t2 - t1 < pack ? t2 - t1 : pack;
		rt_arena_free(b);
		/* the runtime: unpack + decode into an int64_t array; encode + pack */
		b = rt_arena_new();
		flrt_list list;
		struct rt_path p = { NULL, "input", "xs", 0, 0 };
		t0 = cpu_s();
		l = rt_unpack(b, &flyteidl__core__literal__descriptor, bytes, len, &err);
		double ta = cpu_s();
		if (rt_decode(b, &T_LIST_INT, l, &list, &p, &err) < 0)
			abort();
		t1 = cpu_s();
		Flyteidl__Core__Literal *e;
		if (rt_encode(b, &T_LIST_INT, &list, &e, &p, &err) < 0)
			abort();
		double tb = cpu_s();
		rt_pack_arena_as_is(b, &e->base, &out, &ol, &err);
		t2 = cpu_s();
		if (ol != len)
			abort();
		u2 = ta - t0 < u2 ? ta - t0 : u2;
		dec = t1 - ta < dec ? t1 - ta : dec;
		enc = tb - t1 < enc ? tb - t1 : enc;
		p2 = t2 - tb < p2 ? t2 - tb : p2;
		rt_arena_free(b);
	}
	double ref = unpack + pack, ours = dec + enc;
	printf("3. a list[int] literal of %zu elements (%.1f MB on the wire; CPU time of this process, best of 5)\n", n,
	       (double)len / 1e6);
	printf("   protobuf-c unpack + pack (reference): %8.2f ms + %8.2f ms = %8.2f ms  (%.1f ns/element)\n",
	       unpack * 1e3, pack * 1e3, ref * 1e3, ref / (double)n * 1e9);
	printf("   decode to int64_t[] + encode back:    %8.2f ms + %8.2f ms = %8.2f ms  (%.1f ns/element)\n",
	       dec * 1e3, enc * 1e3, ours * 1e3, ours / (double)n * 1e9);
	double trip = u2 + dec + enc + p2;
	printf("   whole round trip (unpack, decode, encode, pack): %.2f ms, %.2fx protobuf-c alone\n",
	       trip * 1e3, trip / ref);
	printf("   goal: decode + encode <= 100 ms: %s\n", ours <= 0.100 ? "met" : "NOT met");
	bench_python(bytes, len, trip);
	rt_arena_free(a);
}

/* Runs `self map-execute` on element index of the inputs at path in a child
 * (posix_spawn: no copy of this process's memory counts in its RSS); its
 * CPU time (user + system: the machine may be shared) and peak RSS (KiB). */
static void map_execute_once(const char *self, const char *dir, const char *path, size_t index, double *secs,
			     long *rss_kb)
{
	char ix[64], out[512];
	snprintf(ix, sizeof ix, "BENCH_INDEX=%zu", index);
	snprintf(out, sizeof out, "%s/out", dir);
	char *argv[] = { (char *)self, "map-execute", "--task", "bench.inc", "--inputs", (char *)path,
			 "--output-prefix", out, "--bound", "", NULL };
	char *envp[] = { "BATCH_JOB_ARRAY_INDEX_VAR_NAME=BENCH_INDEX", ix, NULL };
	pid_t pid;
	int st;
	struct rusage ru;
	if (posix_spawn(&pid, self, NULL, NULL, argv, envp) != 0 || wait4(pid, &st, 0, &ru) != pid
	    || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "bench: map-execute of element %zu failed\n", index);
		exit(1);
	}
	*secs = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
	*rss_kb = ru.ru_maxrss;
}

/* Writes the two inputs files of part 4 (in a child of the caller's, so
 * that the caller's peak RSS, which a spawned child starts from, stays
 * small); their size. */
static size_t write_select_inputs(size_t n, const char *plain, const char *whole)
{
	struct rt_msg err;
	struct rt_arena *a = rt_arena_new();
	Flyteidl__Core__Literal *c = rt_lit_collection(a, n);
	for (size_t i = 0; i < n; i++)
		c->collection->literals[i] = rt_lit_int(a, (int64_t)i);
	Flyteidl__Core__LiteralMap *m = rt_litmap_new(a, 1);
	rt_litmap_set(m, 0, "x", c);
	uint8_t *data;
	size_t len;
	if (rt_pack_arena(a, &m->base, &data, &len, &err) < 0 || rt_write_file(plain, data, len, &err) < 0) {
		fprintf(stderr, "bench: %s\n", err.text);
		exit(1);
	}
	/* field 2, varint 0: unknown to LiteralMap, so decoded whole */
	uint8_t *more = rt_arena_alloc(a, len + 2);
	memcpy(more, data, len);
	more[len] = 2 << 3;
	more[len + 1] = 0;
	if (rt_write_file(whole, more, len + 2, &err) < 0) {
		fprintf(stderr, "bench: %s\n", err.text);
		exit(1);
	}
	rt_arena_free(a);
	return len;
}

static void bench_select(size_t n, const char *self)
{
	char dir[] = "/tmp/flrt-bench-XXXXXX";
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return;
	}
	char plain[512], whole[512];
	snprintf(plain, sizeof plain, "%s/plain.pb", dir);
	snprintf(whole, sizeof whole, "%s/whole.pb", dir);
	int st;
	pid_t pid = fork();
	if (pid == 0)
		_exit(write_select_inputs(n, plain, whole) > 0 ? 0 : 1);
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "bench: cannot write the inputs\n");
		exit(1);
	}
	struct stat sb;
	size_t len = stat(plain, &sb) == 0 ? (size_t)sb.st_size : 0;
	static const size_t picks[] = { 0, 500000, 999999 };
	double ts = 1e30, tw = 1e30;
	long rs = 0, rw = 0;
	for (int r = 0; r < 3; r++) {
		for (size_t k = 0; k < sizeof picks / sizeof picks[0]; k++) {
			double t;
			long kb;
			map_execute_once(self, dir, plain, picks[k] % n, &t, &kb);
			ts = t < ts ? t : ts;
			rs = kb > rs ? kb : rs;
			map_execute_once(self, dir, whole, picks[k] % n, &t, &kb);
			tw = t < tw ? t : tw;
			rw = kb > rw ? kb : rw;
		}
	}
	printf("4. map-execute of one element of a list[int] input of %zu elements (%.1f MB), a process each\n", n,
	       (double)len / 1e6);
	printf("   (CPU time, user + system, of the whole process: best of 9; peak RSS: the largest)\n");
	printf("   decoding the whole input (reference): %8.2f ms  %7.1f MiB peak RSS\n", tw * 1e3, (double)rw / 1024);
	printf("   selective decoder:                     %8.2f ms  %7.1f MiB peak RSS  (%.1fx less time, %.1fx less memory)\n",
	       ts * 1e3, (double)rs / 1024, tw / ts, (double)rw / (double)rs);
	printf("   goal: <= 30 ms and <= 16 MiB per element: %s\n", ts <= 0.030 && rs <= 16 * 1024 ? "met" : "NOT met");
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench: could not remove %s\n", dir);
}

int main(int argc, char **argv)
{
	A = rt_arena_new();
	build_module();
	int rc = 0;
	if (argc > 1 && strcmp(argv[1], "bench") != 0) {
		rc = flrt_main(&module, argc, argv);   /* a task executable too */
	} else {
		long cores = sysconf(_SC_NPROCESSORS_ONLN);
		char jobs[24];
		snprintf(jobs, sizeof jobs, "%ld", cores > 0 ? cores : 1);
		setvbuf(stdout, NULL, _IOLBF, 0);
		printf("libflyterun %s benchmark, %s cores\n\n", flrt_version(), jobs);
		/* `runtime_bench bench 3 4`: those parts only */
		bool all = argc <= 2;
		char want[8] = { 0 };
		for (int i = 2; i < argc; i++)
			if (argv[i][0] >= '1' && argv[i][0] <= '5' && argv[i][1] == '\0')
				want[argv[i][0] - '0'] = 1;
		/* part 4 first: a child's peak RSS starts from this process's */
		if (all || want[4])
			bench_select(1000000, argv[0]);
		if (all || want[1]) {
			printf("\n");
			bench_inprocess_map(100000, jobs);
		}
		if (all || want[2]) {
			printf("\n");
			bench_process_isolation(2000, jobs, argv[0]);
		}
		if (all || want[3]) {
			printf("\n");
			bench_codec(1000000);
		}
	}
	rt_arena_free(A);
	return rc;
}
