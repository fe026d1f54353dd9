/* oom_sweep.c: the whole pipeline under allocation failure (a TAP program).
 *
 * A mid-size program (the quickstart with more maps, workflows, sub-workflow
 * and launch-plan calls, overrides and literals) goes through everything the
 * driver does: fl_source_add, fl_parse, fl_check, fl_print_signatures,
 * fl_lower, fl_package_print_json, fl_emit_c, fl_package_write_tgz,
 * fl_package_write_dir, fl_package_write_json, fl_write_c and
 * fl_print_diagnostics. With
 * fl_alloc_fail_at(n), for n = 1, 2, ... until a run no longer reaches its
 * failure, every run must end either complete (the same outputs as a run
 * without failure) or with fl_out_of_memory() true (or fl_ctx_new() NULL):
 * no crash, no leak (the ASan and valgrind builds check that), and no
 * temporary or partial file left in the output directory.
 *
 * The arena takes memory from the system in 64 KiB chunks, so failure n
 * lands only where a chunk runs out. To move those points through the
 * parser, checker and code generators, the sweep is repeated with k bytes
 * of the first chunk used up first, for k from 0 to 64 KiB in steps of
 * OOM_SWEEP_STEP bytes (default 4096; 16 for a fine sweep).
 *
 * What it cannot reach: libarchive (fl_package_write_tgz) and protobuf-c's
 * unpacker (fl_show_file) allocate with malloc on their own, and
 * base_write_file's temporary name too; their failures are handled where they
 * are reported (NULL from archive_write_new, ENOMEM from base_write_file) but
 * are not injected here. */
#include "prelude.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Internal headers: the arena is pre-used through the context (ctx.h), and
 * the generated C is built into the code generator's buffers (codegen.h). */
#include "codegen.h"
#include "ctx.h"
#include "flytec.h"

static const char program_text[] =
	"# oom_sweep: a mid-size program touching most of the compiler\n"
	"module sweep.demo\n"
	"image \"ghcr.io/acme/sweep:1.0\"\n"
	"\n"
	"enum Level { low, medium, high }\n"
	"enum Mode { fast, thorough }\n"
	"\n"
	"task square(x: int) -> int {\n"
	"    retries = 2\n"
	"    timeout = 30s\n"
	"}\n"
	"\n"
	"task describe(i: int, label: str = \"item\", level: Level = Level.low) -> str {\n"
	"    cache    = \"1.0\"\n"
	"    requests = { cpu = \"500m\", mem = \"256Mi\" }\n"
	"    limits   = { mem = \"1Gi\" }\n"
	"    env      = { LOG_LEVEL = \"info\", MODE = \"a \\\"quoted\\\" value\\n\" }\n"
	"}\n"
	"\n"
	"task mean(xs: list[int?]) -> (avg: float, n: int)\n"
	"task fetch(url: str, tries: int = 3) -> (body: bytes, status: int) {\n"
	"    interruptible = true\n"
	"    image = \"ghcr.io/acme/fetch:2\"\n"
	"}\n"
	"task parse(body: bytes, mode: Mode = Mode.fast) -> dict[str, list[float?]]\n"
	"task merge(parts: list[dict[str, list[float?]]], weights: dict[str, float] = {\"a\": 1.0, \"b\": 0.5}) -> str\n"
	"task stamp(when: datetime = \"2024-02-29T12:00:00Z\", every: duration = 1h30m, note: str? = none) -> datetime\n"
	"task files(inputs: list[file], out: dir, flags: list[bool] = [true, false]) -> (report: file, count: int)\n"
	"task noop()\n"
	"\n"
	"map describe_all = map(describe, partial<label=\"n\">, concurrency=8, min_success_ratio=0.75)\n"
	"map fetch_all = map(fetch, partial<tries=5>, concurrency=16, min_successes=3)\n"
	"map legacy_sq = map(square, legacy=true, concurrency=2)\n"
	"\n"
	"workflow stats(xs: list[int]) -> (avg: float, n: int) {\n"
	"    sq = map(square, concurrency=10)(x=xs)\n"
	"    m = mean(xs=sq)\n"
	"    return (m.avg, m.n)\n"
	"}\n"
	"\n"
	"workflow crawl(urls: list[str], mode: Mode = Mode.thorough) -> str {\n"
	"    pages = fetch_all(url=urls)\n"
	"    one = fetch(url=\"https://example.com/\\u{e9}t\\u{e9}\") with { retries = 4, timeout = 10m }\n"
	"    p = parse(body=one.body, mode=mode)\n"
	"    q = parse(body=one.body) with { requests = { cpu = \"2\", mem = \"1Gi\" }, cache = \"v2\" }\n"
	"    return merge(parts=[p, q])\n"
	"}\n"
	"\n"
	"workflow pipeline(xs: list[int], tag: str = \"dev\") -> (labels: list[str?], avg: float, when: datetime) {\n"
	"    sq     = map(square, concurrency=10)(x=xs)\n"
	"    labels = describe_all(i=sq, level=[Level.high, Level.low])\n"
	"    s      = stats(xs=xs)\n"
	"    legacy = legacy_sq(x=xs)\n"
	"    w      = stamp(note=tag)\n"
	"    noop()\n"
	"    return (labels, s.avg, w)\n"
	"}\n"
	"\n"
	"launchplan nightly for pipeline {\n"
	"    fixed    = { tag = \"nightly\" }\n"
	"    defaults = { xs = [1, 2, 3, 4] }\n"
	"    schedule = \"0 3 * * *\"\n"
	"}\n"
	"\n"
	"launchplan weekly for stats {\n"
	"    defaults = { xs = [7, 7, 7] }\n"
	"    schedule = \"30 4 * * SUN\"\n"
	"}\n"
	"\n"
	"map nightly_all = map(mean, concurrency=2)\n"
	"\n"
	"workflow top(xs: list[int], groups: list[list[int]], urls: list[str]) -> (a: float, b: str, c: list[float?], d: float) {\n"
	"    r = pipeline(xs=xs)\n"
	"    n = nightly(xs=xs)\n"
	"    c = crawl(urls=urls)\n"
	"    g = nightly_all(xs=groups)\n"
	"    w = weekly()\n"
	"    return (r.avg, c, g.avg, w.avg)\n"
	"}\n";

/* Everything one run produced, to compare with the run without failure. */
struct outputs {
	bool ctx_null;
	bool oom;
	unsigned long requests;  /* from the system, this run */
	unsigned errors;
	char *text;              /* signatures, JSON, generated C, diagnostics */
	size_t len;
	uint32_t nartifacts;
	bool wrote_tgz, wrote_dir, wrote_json, wrote_c;
	int stage;               /* where the failure was first seen */
};

enum { ST_CTX, ST_PRE, ST_SOURCE, ST_PARSE, ST_CHECK, ST_SIGNATURES, ST_LOWER, ST_JSON, ST_EMIT_C, ST_TGZ, ST_DIR,
       ST_WRITE_JSON, ST_WRITE_C, ST_DIAG, ST_N };
static const char *const stage_names[ST_N] = {"fl_ctx_new", "pre-use", "fl_source_add", "fl_parse", "fl_check",
					      "fl_print_signatures", "fl_lower", "fl_package_print_json", "fl_emit_c",
					      "fl_package_write_tgz", "fl_package_write_dir",
					      "fl_package_write_json", "fl_write_c",
					      "fl_print_diagnostics"};
static unsigned long landed[ST_N];

static char *workdir;

static void rm_rf(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return;
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(path);
		if (d != NULL) {
			struct dirent *e;
			while ((e = readdir(d)) != NULL) {
				if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
					continue;
				char sub[4096];
				snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
				rm_rf(sub);
			}
			closedir(d);
		}
		rmdir(path);
	} else {
		unlink(path);
	}
}

/* Names of leftover temporary files under dir (base_write_file's
 * NAME.tmp.XXXXXX), or an empty string. */
static void find_temporaries(const char *dir, char *found, size_t cap)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char sub[4096];
		snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name);
		struct stat st;
		if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
			find_temporaries(sub, found, cap);
		else if (strstr(e->d_name, ".tmp.") != NULL && strlen(found) + strlen(sub) + 2 < cap)
			strcat(strcat(found, " "), sub);
	}
	closedir(d);
}

/* Uses up *(size_t *)arg bytes of the arena's current chunk in small
 * blocks (under fl_protect: a failure marks the context). */
static int consume(struct fl_ctx *c, void *arg)
{
	size_t n = *(const size_t *)arg;
	while (n > 0) {
		size_t k = n < 1024 ? n : 1024;
		fl_alloc(c->arena, k);
		n -= k;
	}
	return 0;
}

#define STAGE(st) \
	do { \
		if (o->stage < 0 && fl_out_of_memory(c)) \
			o->stage = (st); \
	} while (0)

static void run(size_t pre, unsigned long fail_at, struct outputs *o)
{
	memset(o, 0, sizeof *o);
	o->stage = -1;
	char outdir[4000];
	snprintf(outdir, sizeof outdir, "%s/out", workdir);
	rm_rf(outdir);
	mkdir(outdir, 0777);

	fl_alloc_fail_at(fail_at);
	struct fl_ctx *c = fl_ctx_new();
	if (c == NULL) {
		o->ctx_null = true;
		o->stage = ST_CTX;
		o->requests = fl_alloc_requests();
		fl_alloc_fail_at(0);
		return;
	}
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	if (out == NULL) {
		puts("Bail out! open_memstream failed");
		exit(1);
	}
	if (pre > 0) {
		fl_protect(c, consume, &pre);
		STAGE(ST_PRE);
	}
	struct fl_node *program = NULL;
	struct fl_module *m = NULL;
	if (!fl_out_of_memory(c)) {
		int src = fl_source_add(c, "sweep.flyte", program_text, sizeof program_text - 1);
		STAGE(ST_SOURCE);
		program = src >= 0 ? fl_parse(c, src) : NULL;
		STAGE(ST_PARSE);
	}
	if (program != NULL && fl_error_count(c) == 0 && !fl_out_of_memory(c))
		m = fl_check(c, program);
	STAGE(ST_CHECK);
	if (m != NULL && fl_error_count(c) == 0 && !fl_out_of_memory(c)) {
		fl_print_signatures(c, out, m);
		STAGE(ST_SIGNATURES);
		struct fl_codegen_options opts = {.project = "proj", .domain = "dev", .version = "v1"};
		struct fl_package *p = fl_lower(c, m, &opts);
		STAGE(ST_LOWER);
		if (p != NULL && !fl_out_of_memory(c)) {
			o->nartifacts = p->n;
			fl_package_print_json(c, out, p);
			STAGE(ST_JSON);
			struct base_buf h, body;
			base_buf_init(&h, fl_arena_core(c->arena));
			base_buf_init(&body, fl_arena_core(c->arena));
			if (!fl_out_of_memory(c) && fl_emit_c(c, m, p, "dir/sweep.flyte", &h, &body) == 0) {
				fwrite(h.data, 1, h.len, out);
				fwrite(body.data, 1, body.len, out);
			}
			STAGE(ST_EMIT_C);
			char path[4200];
			snprintf(path, sizeof path, "%s/sweep.tgz", outdir);
			if (!fl_out_of_memory(c))
				o->wrote_tgz = fl_package_write_tgz(c, p, path) == 0;
			STAGE(ST_TGZ);
			snprintf(path, sizeof path, "%s/pb", outdir);
			mkdir(path, 0777);
			if (!fl_out_of_memory(c))
				o->wrote_dir = fl_package_write_dir(c, p, path) == 0;
			STAGE(ST_DIR);
			snprintf(path, sizeof path, "%s/sweep.json", outdir);
			if (!fl_out_of_memory(c))
				o->wrote_json = fl_package_write_json(c, p, path) == 0;
			STAGE(ST_WRITE_JSON);
		}
		if (!fl_out_of_memory(c))
			o->wrote_c = fl_write_c(c, m, "dir/sweep.flyte", outdir, &opts) == 0;
		STAGE(ST_WRITE_C);
	}
	fl_print_diagnostics(c, out);
	STAGE(ST_DIAG);
	fclose(out);
	o->text = buf;
	o->len = len;
	o->oom = fl_out_of_memory(c);
	o->errors = fl_error_count(c);
	o->requests = fl_alloc_requests();
	fl_ctx_free(c);
	fl_alloc_fail_at(0);
}

int main(void)
{
	const char *step_env = getenv("OOM_SWEEP_STEP");
	size_t step = step_env ? strtoul(step_env, NULL, 10) : 4096;
	if (step == 0)
		step = 4096;
	char tmpl[] = "/tmp/oom_sweep.XXXXXX";
	const char *tmpdir = getenv("TMPDIR");
	char *base = NULL;
	if (tmpdir != NULL && *tmpdir) {
		size_t n = strlen(tmpdir) + sizeof "/oom_sweep.XXXXXX";
		base = malloc(n);
		snprintf(base, n, "%s/oom_sweep.XXXXXX", tmpdir);
	}
	workdir = mkdtemp(base ? base : tmpl);
	if (workdir == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}

	size_t nsweeps = (64 * 1024 + step - 1) / step;
	printf("1..%zu\n", nsweeps + 1);

	struct outputs ref;
	run(0, 0, &ref);
	bool ref_ok = !ref.oom && ref.errors == 0 && ref.nartifacts > 0 && ref.wrote_tgz && ref.wrote_dir && ref.wrote_json
		      && ref.wrote_c;
	printf("%s 1 - the program compiles without failure (%lu requests to the system, %u artifacts, %zu bytes of output)\n",
	       ref_ok ? "ok" : "not ok", ref.requests, ref.nartifacts, ref.len);
	if (!ref_ok) {
		printf("# errors: %u, oom: %d; output:\n", ref.errors, ref.oom);
		fwrite(ref.text, 1, ref.len, stdout);
		puts("Bail out! the reference run failed");
		return 1;
	}

	int failed = 0;
	for (size_t s = 0; s < nsweeps; s++) {
		size_t pre = s * step;
		unsigned long n;
		unsigned long oom_runs = 0;
		char problem[8192] = "";
		for (n = 1; n < 100000; n++) {
			struct outputs o;
			run(pre, n, &o);
			bool hit = o.ctx_null || o.requests >= n;
			char temps[2048] = "";
			char outdir[4096];
			snprintf(outdir, sizeof outdir, "%s/out", workdir);
			find_temporaries(outdir, temps, sizeof temps);
			if (temps[0] != '\0' && !problem[0])
				snprintf(problem, sizeof problem, "failure %lu left temporary files:%s", n, temps);
			if (hit) {
				oom_runs++;
				if (o.stage >= 0)
					landed[o.stage]++;
				if (!o.ctx_null && !o.oom && !problem[0])
					snprintf(problem, sizeof problem,
						 "failure %lu was reached but fl_out_of_memory() is false (%u errors)", n, o.errors);
				if (!o.ctx_null && !o.oom && o.errors == 0 && !problem[0])
					snprintf(problem, sizeof problem, "failure %lu went unnoticed", n);
				free(o.text);
				continue;
			}
			/* not reached: the run must be the reference run */
			if (o.oom || o.errors != 0 || o.len != ref.len || memcmp(o.text, ref.text, o.len) != 0
			    || !o.wrote_tgz || !o.wrote_dir || !o.wrote_json || !o.wrote_c)
				if (!problem[0])
					snprintf(problem, sizeof problem,
						 "the run past the last failure differs from the reference (oom %d, %u errors, %zu bytes)",
						 o.oom, o.errors, o.len);
			free(o.text);
			break;
		}
		if (n == 100000 && !problem[0])
			snprintf(problem, sizeof problem, "no run got past failure %lu", n);
		if (problem[0]) {
			failed++;
			printf("not ok %zu - %zu bytes pre-used: %s\n", s + 2, pre, problem);
		} else {
			printf("ok %zu - %zu bytes pre-used: failures 1..%lu each reported as out of memory\n", s + 2, pre,
			       oom_runs);
		}
		fflush(stdout);
	}
	printf("# where the failures were first seen:");
	for (int st = 0; st < ST_N; st++)
		if (landed[st] > 0)
			printf(" %s %lu;", stage_names[st], landed[st]);
	printf("\n");
	free(ref.text);
	rm_rf(workdir);
	free(base);
	return 0;
}
