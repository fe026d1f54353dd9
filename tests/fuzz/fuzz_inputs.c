/* fuzz_inputs.c: libFuzzer on the runtime's reading of inputs.pb: the bytes
 * are unpacked as a flyteidl.core.LiteralMap (with the runtime's wire check)
 * and decoded against a fixed task interface that has every kind of type,
 * then the task (which echoes its inputs' sizes) runs and its outputs are
 * encoded, as `execute` does. Whatever the bytes, this must end in an
 * output LiteralMap or an error document, never a crash or a leak. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flyterun.h"
#include "internal.h"

static const flrt_type t_int = {FLRT_INT, NULL, NULL, 0, NULL};
static const flrt_type t_float = {FLRT_FLOAT, NULL, NULL, 0, NULL};
static const flrt_type t_str = {FLRT_STR, NULL, NULL, 0, NULL};
static const flrt_type t_bool = {FLRT_BOOL, NULL, NULL, 0, NULL};
static const flrt_type t_datetime = {FLRT_DATETIME, NULL, NULL, 0, NULL};
static const flrt_type t_duration = {FLRT_DURATION, NULL, NULL, 0, NULL};
static const flrt_type t_bytes = {FLRT_BYTES, NULL, NULL, 0, NULL};
static const flrt_type t_file = {FLRT_FILE, NULL, NULL, 0, NULL};
static const flrt_type t_dir = {FLRT_DIR, NULL, NULL, 0, NULL};
static const char *const level_names[] = {"low", "high"};
static const flrt_type t_level = {FLRT_ENUM, NULL, level_names, 2, "Level"};
static const flrt_type t_opt_int = {FLRT_OPTIONAL, &t_int, NULL, 0, NULL};
static const flrt_type t_list_opt_int = {FLRT_LIST, &t_opt_int, NULL, 0, NULL};
static const flrt_type t_dict_float = {FLRT_DICT, &t_float, NULL, 0, NULL};
static const flrt_type t_list_list_str = {FLRT_LIST, &(const flrt_type){FLRT_LIST, &t_str, NULL, 0, NULL}, NULL, 0, NULL};
static const flrt_type t_opt_level = {FLRT_OPTIONAL, &t_level, NULL, 0, NULL};

struct opt_int { bool has; int64_t value; };
struct opt_level { bool has; int32_t value; };

struct in {
	int64_t i;
	double f;
	flrt_str s;
	bool b;
	flrt_datetime when;
	int64_t d;
	flrt_bytes raw;
	flrt_str path;
	flrt_str folder;
	int32_t level;
	flrt_list xs;
	flrt_dict weights;
	flrt_list nested;
	struct opt_level maybe;
};

struct out {
	int64_t n;
	flrt_list xs;
	flrt_str s;
};

#define IN(name, type) {#name, &type, offsetof(struct in, name)}
static const flrt_var inputs[] = {
	IN(i, t_int), IN(f, t_float), IN(s, t_str), IN(b, t_bool), IN(when, t_datetime), IN(d, t_duration),
	IN(raw, t_bytes), IN(path, t_file), IN(folder, t_dir), IN(level, t_level), IN(xs, t_list_opt_int),
	IN(weights, t_dict_float), IN(nested, t_list_list_str), IN(maybe, t_opt_level),
};
static const flrt_var outputs[] = {
	{"n", &t_int, offsetof(struct out, n)},
	{"xs", &t_list_opt_int, offsetof(struct out, xs)},
	{"s", &t_str, offsetof(struct out, s)},
};

static int invoke(flrt_ctx *ctx, const void *in_, void *out_)
{
	const struct in *in = in_;
	struct out *out = out_;
	(void)ctx;
	out->n = (int64_t)(in->s.len + in->raw.len + in->xs.len + in->weights.len + in->nested.len);
	out->xs = in->xs;
	out->s = in->s;
	return 0;
}

static const flrt_task task = {
	"fuzz.inputs", inputs, sizeof inputs / sizeof inputs[0], sizeof(struct in),
	outputs, sizeof outputs / sizeof outputs[0], sizeof(struct out), invoke, NULL, NULL,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rt_arena *a = rt_arena_new();
	struct rt_arena *scratch = rt_arena_new();
	if (a == NULL || scratch == NULL) {
		rt_arena_free(a);
		rt_arena_free(scratch);
		return 0;
	}
	struct rt_msg err;
	Flyteidl__Core__LiteralMap *m = rt_unpack(a, &flyteidl__core__literal_map__descriptor, data, size, &err);
	if (m != NULL) {
		struct rt_result r = {0};
		struct rt_call_opts o = {.map_index = -1, .attempt = 0};
		rt_call(&task, m, &o, scratch, &r);
		rt_result_free(&r);
	}
	rt_arena_free(scratch);
	rt_arena_free(a);
	return 0;
}
