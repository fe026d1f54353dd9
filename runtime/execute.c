/* execute.c: the `execute` and `map-execute` subcommands, the container
 * entrypoints (pyflyte-execute / pyflyte-map-execute). */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "container.h"
#include "internal.h"
#include "store.h"

struct exec_args {
	const char *inputs;
	const char *output_prefix;
	const char *raw_output_prefix;   /* where local file / dir outputs are uploaded */
	const char *checkpoint_path;     /* accepted, unused */
	const char *prev_checkpoint;     /* accepted, unused */
	const char *task;
	const char *bound;               /* map-execute */
	bool legacy;                     /* map-execute */
};

static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);
	const char *a = argv[*i];
	if (strncmp(a, name, n) != 0)
		return NULL;
	if (a[n] == '=')
		return a + n + 1;
	if (a[n] != 0 || *i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

static int parse_args(int argc, char **argv, bool map, struct exec_args *x, const struct rt_io *io)
{
	const char *cmd = map ? "map-execute" : "execute";
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		if ((v = opt_value(argc, argv, &i, "--inputs")) != NULL)
			x->inputs = v;
		else if ((v = opt_value(argc, argv, &i, "--output-prefix")) != NULL)
			x->output_prefix = v;
		else if ((v = opt_value(argc, argv, &i, "--raw-output-data-prefix")) != NULL)
			x->raw_output_prefix = v;
		else if ((v = opt_value(argc, argv, &i, "--checkpoint-path")) != NULL)
			x->checkpoint_path = v;
		else if ((v = opt_value(argc, argv, &i, "--prev-checkpoint")) != NULL)
			x->prev_checkpoint = v;
		else if ((v = opt_value(argc, argv, &i, "--task")) != NULL)
			x->task = v;
		else if (map && (v = opt_value(argc, argv, &i, "--bound")) != NULL)
			x->bound = v;
		else if (map && strcmp(a, "--legacy") == 0)
			x->legacy = true;
		else {
			fprintf(io->err, "%s: unknown or incomplete argument '%s'\n", cmd, a);
			goto usage;
		}
	}
	if (x->inputs == NULL || x->output_prefix == NULL || x->task == NULL) {
		fprintf(io->err, "%s: --inputs, --output-prefix and --task are required\n", cmd);
		goto usage;
	}
	return 0;
usage:
	fprintf(io->err, "usage: %s --inputs P --output-prefix P [--raw-output-data-prefix P] "
		"[--checkpoint-path P] [--prev-checkpoint P] --task NAME%s\n", cmd,
		map ? " [--bound a,b] [--legacy]" : "");
	return -1;
}

static bool env_true(const char *name)
{
	const char *v = getenv(name);
	return v != NULL && (strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0 ||
		     strcasecmp(v, "yes") == 0);
}

static int parse_index(const char *what, const char *s, int64_t *out, struct rt_msg *err)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (end == s || *end || errno == ERANGE)
		return rt_msgf(err, "%s is '%s', not an integer", what, s);
	*out = v;
	return 0;
}

/* index = env[env[BATCH_JOB_ARRAY_INDEX_VAR_NAME]] + BATCH_JOB_ARRAY_INDEX_OFFSET */
static int array_index(size_t *index, struct rt_msg *err)
{
	int64_t off = 0, ix = 0;
	const char *o = getenv("BATCH_JOB_ARRAY_INDEX_OFFSET");
	if (o != NULL && *o && parse_index("BATCH_JOB_ARRAY_INDEX_OFFSET", o, &off, err) < 0)
		return -1;
	const char *var = getenv("BATCH_JOB_ARRAY_INDEX_VAR_NAME");
	if (var != NULL && *var) {
		const char *v = getenv(var);
		if (v == NULL || !*v)
			return rt_msgf(err, "BATCH_JOB_ARRAY_INDEX_VAR_NAME names %s, which is not set",
					var);
		if (parse_index(var, v, &ix, err) < 0)
			return -1;
	}
	int64_t sum;
	if (__builtin_add_overflow(ix, off, &sum) || sum < 0)
		return rt_msgf(err, "invalid array index %lld + offset %lld", (long long)ix,
				(long long)off);
	*index = (size_t)sum;
	return 0;
}

static char **split_bound(struct rt_arena *a, const char *s, size_t *n)
{
	size_t cap = 1;
	for (const char *p = s; p != NULL && *p; p++)
		cap += *p == ',';
	char **v = rt_arena_array(a, cap, sizeof *v);
	*n = 0;
	if (v == NULL)
		return NULL;
	while (s != NULL && *s) {
		const char *c = strchr(s, ',');
		size_t len = c != NULL ? (size_t)(c - s) : strlen(s);
		if (len && (v[(*n)++] = rt_arena_strndup(a, s, len)) == NULL)
			return NULL;
		s = c != NULL ? c + 1 : s + len;
	}
	return v;
}

static void task_names(const flrt_module *m, struct base_buf *b)
{
	for (size_t i = 0; i < m->ntasks; i++)
		base_buf_printf(b, "%s%s", i ? ", " : "", m->tasks[i]->name);
	if (!m->ntasks)
		base_buf_printf(b, "none");
}

static bool out_of_memory(const struct rt_msg *e)
{
	return strstr(e->text, "out of memory") != NULL;
}

static const char *file_kind(mode_t m)
{
	return S_ISFIFO(m) ? "a FIFO" : S_ISDIR(m) ? "a directory" : S_ISCHR(m) ? "a character device" :
	       S_ISSOCK(m) ? "a socket" : S_ISBLK(m) ? "a block device" : "something else";
}

/* Reads and unpacks --inputs; NULL with an error in r. A local path that is
 * not a regular file (a FIFO would block the open) is refused first. */
static Flyteidl__Core__LiteralMap *read_inputs(const struct exec_args *x, struct rt_arena *a,
					       struct rt_result *r)
{
	struct rt_msg err;
	char *in_path = (char *)x->inputs;
	uint8_t *data = NULL;
	size_t len = 0;
	struct stat st;
	bool remote = rt_store_is_remote(x->inputs);
	if (rt_is_placeholder(x->inputs)) {
		rt_result_system(r, false, "--inputs '%s' is not a path", x->inputs);
		return NULL;
	}
	struct rt_store_uri u;
	if ((remote && rt_store_parse(a, x->inputs, &u, &err) < 0) ||
	    (!remote && rt_local_path(a, x->inputs, &in_path, &err) < 0)) {
		rt_result_system(r, out_of_memory(&err), "cannot read the inputs: %s", err.text);
		return NULL;
	}
	if (!remote && stat(in_path, &st) == 0 && !S_ISREG(st.st_mode)) {
		rt_result_system(r, false, "cannot read the inputs: '%s' is not a regular file (it is %s)",
				  in_path, file_kind(st.st_mode));
		return NULL;
	}
	if (rt_read_file(a, in_path, &data, &len, &err) < 0) {
		/* a store that fails may answer next time; a missing local file will not */
		rt_result_system(r, remote || out_of_memory(&err), "cannot read the inputs: %s", err.text);
		return NULL;
	}
	Flyteidl__Core__LiteralMap *in = rt_unpack(a, &flyteidl__core__literal_map__descriptor, data, len, &err);
	if (in == NULL)
		rt_result_system(r, false, "inputs '%s': %s", in_path, err.text);
	return in;
}

struct call_arg {
	const flrt_module *m;
	const struct exec_args *x;
	bool map;
	size_t index;
	struct rt_arena *a;
	int attempt;         /* FLYTE_ATTEMPT_NUMBER */
};

/* FLYTE_ATTEMPT_NUMBER: unset or empty is 0; else an integer 0 or more. */
static int attempt_number(int *out, struct rt_msg *err)
{
	const char *s = getenv("FLYTE_ATTEMPT_NUMBER");
	int64_t v = 0;
	if (s != NULL && *s && parse_index("FLYTE_ATTEMPT_NUMBER", s, &v, err) < 0)
		return -1;
	if (v < 0 || v > INT32_MAX)
		return rt_msgf(err, "FLYTE_ATTEMPT_NUMBER is %lld: an attempt number is 0 or more",
				(long long)v);
	*out = (int)v;
	return 0;
}

/* The inputs of this call: the whole map, or one element of it. */
static Flyteidl__Core__LiteralMap *call_inputs(const struct call_arg *c, struct rt_call_opts *o,
					       struct rt_result *r)
{
	struct rt_msg err;
	Flyteidl__Core__LiteralMap *inputs = read_inputs(c->x, c->a, r), *elem = inputs;
	size_t nbound;
	char **bound;
	if (inputs == NULL || !c->map)
		return inputs;
	if ((bound = split_bound(c->a, c->x->bound, &nbound)) == NULL) {
		rt_result_system(r, true, "out of memory");
		return NULL;
	}
	if (rt_select_element(c->a, inputs, bound, nbound, true, c->index, &elem, &err) < 0) {
		rt_result_system(r, out_of_memory(&err), "map element %zu: %s", c->index, err.text);
		return NULL;
	}
	o->map_index = (int64_t)c->index;
	return elem;
}

/* Reads the inputs, fetches their blobs, calls the task (one element of it
 * for a map) and uploads its blobs: what the supervised child does. */
static void call_task(void *arg, struct rt_result *r)
{
	const struct call_arg *c = arg;
	struct rt_msg err;
	const flrt_task *t = rt_find_task(c->m, c->x->task);
	if (t == NULL) {
		struct base_buf names = { 0 };
		task_names(c->m, &names);
		rt_result_system(r, false, "unknown task '%s' (this executable has: %s)",
				  c->x->task, base_buf_str(&names));
		base_buf_free(&names);
		return;
	}
	struct rt_call_opts o = { -1, c->attempt };
	Flyteidl__Core__LiteralMap *inputs = call_inputs(c, &o, r);
	if (inputs == NULL)
		return;
	const char *dir = NULL;
	if (rt_blobs_fetch(c->a, inputs, &dir, &err) < 0) {
		rt_result_system(r, true, "cannot download the input %s", err.text);
		rt_blobs_remove(dir);
		return;
	}
	rt_call(t, inputs, &o, c->a, r);
	if (rt_blobs_upload(c->a, r, c->x->raw_output_prefix, &err) < 0)
		rt_result_system(r, true, "cannot upload the output %s", err.text);
	/* the downloads go once nothing can point at them: the outputs are
	 * uploaded, or the call failed */
	if (!r->ok || rt_store_is_remote(c->x->raw_output_prefix))
		rt_blobs_remove(dir);
}

/* The name of the result file: outputs.pb, error.pb, or with the distributed
 * error strategy error-<uuid4 hex>.pb. NULL when out of memory. */
static const char *result_name(struct rt_arena *a, bool ok)
{
	if (ok)
		return "outputs.pb";
	if (!((getenv("_F_DES") != NULL && *getenv("_F_DES")) ||
	      (getenv("FLYTE_INTERNAL_DIST_ERROR_STRATEGY") != NULL &&
	       *getenv("FLYTE_INTERNAL_DIST_ERROR_STRATEGY"))))
		return "error.pb";
	char hex[33];
	FILE *u = fopen("/dev/urandom", "rb");
	unsigned char rnd[16] = { 0 };
	if (u != NULL) {
		if (fread(rnd, 1, sizeof rnd, u) != sizeof rnd)
			memset(rnd, 0, sizeof rnd);
		fclose(u);
	}
	rnd[6] = (unsigned char)((rnd[6] & 0x0f) | 0x40);
	rnd[8] = (unsigned char)((rnd[8] & 0x3f) | 0x80);
	for (int i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02x", rnd[i]);
	return rt_arena_printf(a, "error-%s.pb", hex);
}

/* Writes the result file under the prefix; -1 with the reason on stderr. */
static int put_result(const char *cmd, const char *prefix, struct rt_arena *a,
		      const struct rt_result *r, const struct rt_io *io)
{
	struct rt_msg err;
	const char *name = result_name(a, r->ok);
	char *path = name != NULL ? rt_join(a, prefix, name) : NULL;
	if (path == NULL || r->data == NULL) {
		fprintf(io->err, "%s: out of memory\n", cmd);
		return -1;
	}
	if (rt_write_file(path, r->data, r->len, &err) < 0) {
		fprintf(io->err, "%s: %s\n", cmd, err.text);
		return -1;
	}
	return 0;
}

/* Writes the result under the prefix and reports a failure; the exit status.
 * Outputs that cannot be written (a full disk, a store refusing a large
 * object) become a small error document: the container always reports. */
static int write_result(const char *cmd, const struct exec_args *x, const char *prefix,
			struct rt_arena *a, struct rt_result *r, const struct rt_io *io)
{
	if (r->data == NULL)
		rt_result_system(r, true, "out of memory");
	if (put_result(cmd, prefix, a, r, io) < 0) {
		if (!r->ok)
			return 1;
		rt_result_system(r, true, "cannot write the outputs under %s (see the task's log)",
				  prefix);
		if (put_result(cmd, prefix, a, r, io) < 0)
			return 1;
	}
	if (r->ok)
		return 0;
	struct rt_failure f;
	rt_result_failure(a, r, &f);
	fprintf(io->err, "%s: %s failed (%s, %s): %s\n", cmd, x->task, f.code,
		f.recoverable ? "recoverable" : "non-recoverable", f.message);
	return env_true("FLYTE_FAIL_ON_ERROR") ? 1 : 0;
}

/* The directory or store prefix of --output-prefix; NULL (reported) when it
 * is neither. */
static char *output_dir(const char *cmd, const struct exec_args *x, struct rt_arena *a,
			const struct rt_io *io)
{
	struct rt_msg err;
	char *prefix = NULL;
	struct rt_store_uri u;
	if (rt_is_placeholder(x->output_prefix)) {
		fprintf(io->err, "%s: --output-prefix '%s' is not a path\n", cmd, x->output_prefix);
		return NULL;
	}
	if (rt_store_is_remote(x->output_prefix)) {
		if (rt_store_parse(a, x->output_prefix, &u, &err) < 0) {
			fprintf(io->err, "%s: --output-prefix %s\n", cmd, err.text);
			return NULL;
		}
		return (char *)x->output_prefix;
	}
	if (rt_local_path(a, x->output_prefix, &prefix, &err) < 0) {
		fprintf(io->err, "%s: --output-prefix %s\n", cmd, err.text);
		return NULL;
	}
	return prefix;
}

int rt_cmd_execute(const flrt_module *m, int argc, char **argv, bool map, const struct rt_io *io)
{
	const char *cmd = map ? "map-execute" : "execute";
	struct exec_args x = { 0 };
	if (parse_args(argc, argv, map, &x, io) < 0)
		return 2;

	int status = 1;
	struct rt_msg err;
	struct rt_result r = { 0 };
	struct rt_arena *a = rt_arena_new();
	if (a == NULL) {
		fprintf(io->err, "%s: out of memory\n", cmd);
		return 1;
	}
	/* a file size limit makes writes fail (EFBIG), reported like ENOSPC */
	signal(SIGXFSZ, SIG_IGN);
	char *prefix = output_dir(cmd, &x, a, io);
	if (prefix == NULL)
		goto cleanup;

	/* From here on, failures are reported in error.pb under the prefix. */
	struct call_arg c = { m, &x, map, 0, a, 0 };
	bool have_index = false, have_attempt = true;
	if (attempt_number(&c.attempt, &err) < 0) {
		rt_result_system(&r, false, "%s", err.text);
		have_attempt = false;
	} else if (map) {
		if (array_index(&c.index, &err) < 0) {
			rt_result_system(&r, false, "%s", err.text);
		} else {
			have_index = true;
			char ix[24];
			snprintf(ix, sizeof ix, "%zu", c.index);
			if (x.legacy && (prefix = rt_join(a, prefix, ix)) == NULL) {
				fprintf(io->err, "%s: out of memory\n", cmd);
				goto cleanup;
			}
		}
	}
	if (!rt_store_is_remote(prefix) && rt_mkdirs(prefix, &err) < 0) {
		fprintf(io->err, "%s: --output-prefix: %s\n", cmd, err.text);
		goto cleanup;
	}
	if (have_attempt && (!map || have_index))
		rt_supervise(x.task, call_task, &c, &r);
	status = write_result(cmd, &x, prefix, a, &r, io);
cleanup:
	rt_result_free(&r);
	rt_arena_free(a);
	return status;
}
