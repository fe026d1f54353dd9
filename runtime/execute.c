/* execute.c: the `execute` and `map-execute` subcommands, the container
 * entrypoints (pyflyte-execute / pyflyte-map-execute). */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

struct exec_args {
	const char *inputs;
	const char *output_prefix;
	const char *raw_output_prefix;   /* accepted, unused: tasks write no blobs */
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

/* Reads the inputs file and calls the task (one element of it for a map). */
static void call_task(const flrt_module *m, const struct exec_args *x, bool map, size_t index,
		      struct rt_arena *a, struct rt_result *r)
{
	struct rt_msg err;
	const flrt_task *t = rt_find_task(m, x->task);
	char *in_path = NULL;
	uint8_t *data = NULL;
	size_t len = 0;
	Flyteidl__Core__LiteralMap *inputs = NULL;
	if (t == NULL) {
		struct base_buf names = { 0 };
		task_names(m, &names);
		rt_result_system(r, false, "unknown task '%s' (this executable has: %s)",
				  x->task, base_buf_str(&names));
		base_buf_free(&names);
		return;
	}
	if (rt_is_placeholder(x->inputs)) {
		rt_result_system(r, false, "--inputs '%s' is not a path", x->inputs);
		return;
	}
	if (rt_local_path(a, x->inputs, &in_path, &err) < 0 ||
	    rt_read_file(a, in_path, &data, &len, &err) < 0) {
		rt_result_system(r, false, "cannot read the inputs: %s", err.text);
		return;
	}
	if ((inputs = rt_unpack(a, &flyteidl__core__literal_map__descriptor, data, len, &err)) == NULL) {
		rt_result_system(r, false, "inputs '%s': %s", in_path, err.text);
		return;
	}
	struct rt_call_opts o = { -1, 0 };
	const char *att = getenv("FLYTE_ATTEMPT_NUMBER");
	if (att != NULL && *att)
		o.attempt = atoi(att);
	if (!map) {
		rt_call(t, inputs, &o, a, r);
		return;
	}
	size_t nbound;
	char **bound = split_bound(a, x->bound, &nbound);
	Flyteidl__Core__LiteralMap *elem;
	if (bound == NULL) {
		rt_result_system(r, true, "out of memory");
	} else if (rt_select_element(a, inputs, bound, nbound, true, index, &elem, &err) < 0) {
		rt_result_system(r, false, "map element %zu: %s", index, err.text);
	} else {
		o.map_index = (int64_t)index;
		rt_call(t, elem, &o, a, r);
	}
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

/* Writes the result under the prefix and reports a failure; the exit status. */
static int write_result(const char *cmd, const struct exec_args *x, const char *prefix,
			struct rt_arena *a, const struct rt_result *r, const struct rt_io *io)
{
	struct rt_msg err;
	const char *name = result_name(a, r->ok);
	char *path = name != NULL ? rt_join(a, prefix, name) : NULL;
	if (path == NULL || r->data == NULL) {
		fprintf(io->err, "%s: out of memory\n", cmd);
		return 1;
	}
	if (rt_write_file(path, r->data, r->len, &err) < 0) {
		fprintf(io->err, "%s: %s\n", cmd, err.text);
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

/* The local directory of --output-prefix; NULL (reported) when it is not one. */
static char *output_dir(const char *cmd, const struct exec_args *x, struct rt_arena *a,
			const struct rt_io *io)
{
	struct rt_msg err;
	char *prefix = NULL;
	if (rt_is_placeholder(x->output_prefix)) {
		fprintf(io->err, "%s: --output-prefix '%s' is not a path\n", cmd, x->output_prefix);
		return NULL;
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
	char *prefix = output_dir(cmd, &x, a, io);
	if (prefix == NULL)
		goto cleanup;

	/* From here on, failures are reported in error.pb under the prefix. */
	size_t index = 0;
	bool have_index = false;
	if (map) {
		if (array_index(&index, &err) < 0) {
			rt_result_system(&r, false, "%s", err.text);
		} else {
			have_index = true;
			if (x.legacy && (prefix = rt_arena_printf(a, "%s/%zu", prefix, index)) == NULL) {
				fprintf(io->err, "%s: out of memory\n", cmd);
				goto cleanup;
			}
		}
	}
	if (rt_mkdirs(prefix, &err) < 0) {
		fprintf(io->err, "%s: --output-prefix: %s\n", cmd, err.text);
		goto cleanup;
	}
	if (!map || have_index)
		call_task(m, &x, map, index, a, &r);
	status = write_result(cmd, &x, prefix, a, &r, io);
cleanup:
	rt_result_free(&r);
	rt_arena_free(a);
	return status;
}
