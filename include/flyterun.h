/**
 * @file flyterun.h
 * libflyterun: the runtime linked into every flytec task executable.
 *
 * The generated C (NAME.flyte-c.c) describes each task of a module with the
 * tables below and registers them; the user implements one C function per
 * task. The runtime decodes Flyte literals into C values, calls the task,
 * encodes its outputs, and writes outputs.pb or error.pb, the way
 * pyflyte-execute and pyflyte-map-execute do. It also runs whole workflows
 * locally from the module's embedded workflow closures.
 *
 * Memory: every call has an arena (flrt_alloc); the task frees nothing.
 * Inputs are read-only and live as long as the call; outputs may point into
 * the inputs, the arena or static storage. See docs/runtime.md.
 *
 * This header is the contract between code generation and the runtime;
 * its layouts are relied on by generated code (see "C layout" below).
 */
#ifndef FLYTERUN_H
#define FLYTERUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FLRT_VERSION_MAJOR 0
#define FLRT_VERSION_MINOR 1
#define FLRT_VERSION_PATCH 0
/** The version this header describes, as one number: 0xMMmmpp. */
#define FLRT_VERSION_NUMBER ((FLRT_VERSION_MAJOR << 16) | (FLRT_VERSION_MINOR << 8) | FLRT_VERSION_PATCH)
/** The library's version string ("0.1.0"). */
const char *flrt_version(void);

/* ---- values (C layout) ----------------------------------------------------
 * Each language type has one C representation:
 *   int -> int64_t          float -> double        bool -> bool
 *   str -> flrt_str         bytes -> flrt_bytes    file, dir -> flrt_str (a path or URI)
 *   datetime -> flrt_datetime                      duration -> int64_t (nanoseconds)
 *   enum -> int32_t (the member's index in declaration order)
 *   list[T] -> flrt_list (items: an array of len T's)
 *   dict[str, T] -> flrt_dict (keys: len flrt_str; values: an array of len T's)
 *   T? -> a struct { bool has; T value; } (generated per T; value follows
 *         `has` at T's alignment, as a C compiler lays out that struct)
 */
typedef struct flrt_str {
	size_t len;
	const char *data;  /**< NUL-terminated as well; may contain NUL bytes */
} flrt_str;

typedef struct flrt_bytes {
	size_t len;
	const uint8_t *data;
} flrt_bytes;

typedef struct flrt_datetime {
	int64_t seconds;   /**< since 1970-01-01T00:00:00Z */
	int32_t nanos;     /**< 0 .. 999999999 */
} flrt_datetime;

typedef struct flrt_list {
	size_t len;
	void *items;
} flrt_list;

typedef struct flrt_dict {
	size_t len;
	flrt_str *keys;    /**< sorted, unique */
	void *values;
} flrt_dict;

/* ---- type descriptors ------------------------------------------------------ */
typedef enum flrt_kind {
	FLRT_INT,
	FLRT_FLOAT,
	FLRT_STR,
	FLRT_BOOL,
	FLRT_DATETIME,
	FLRT_DURATION,
	FLRT_BYTES,
	FLRT_FILE,
	FLRT_DIR,
	FLRT_ENUM,
	FLRT_LIST,
	FLRT_DICT,
	FLRT_OPTIONAL,
} flrt_kind;

typedef struct flrt_type {
	flrt_kind kind;
	const struct flrt_type *elem;    /**< LIST, DICT (the value type), OPTIONAL */
	const char *const *enum_names;   /**< ENUM: member names in order */
	size_t enum_count;
	const char *enum_name;           /**< ENUM: the enum's name */
} flrt_type;

/** Size and alignment of a type's C representation. */
size_t flrt_type_size(const flrt_type *t);
size_t flrt_type_align(const flrt_type *t);

/* ---- tasks ----------------------------------------------------------------- */
typedef struct flrt_var {
	const char *name;
	const flrt_type *type;
	size_t offset;     /**< offsetof the field in the task's inputs or outputs struct */
} flrt_var;

typedef struct flrt_ctx flrt_ctx;

typedef enum flrt_error_kind {
	FLRT_NON_RECOVERABLE = 0,
	FLRT_RECOVERABLE = 1,   /**< retried by Flyte when the task has retries left */
} flrt_error_kind;

/** A task of the module, as generated code describes it. */
typedef struct flrt_task {
	const char *name;           /**< "<module>.<task>", the TaskTemplate name */
	const flrt_var *inputs;
	size_t ninputs;
	size_t inputs_size;         /**< sizeof the generated inputs struct */
	const flrt_var *outputs;
	size_t noutputs;
	size_t outputs_size;
	/** Calls the user's function with the fields of `in`, storing its
	 *  outputs into `out`. Returns 0, or nonzero after flrt_fail. */
	int (*invoke)(flrt_ctx *ctx, const void *in, void *out);
} flrt_task;

/** A module: its tasks and its serialized registration entities. */
typedef struct flrt_module {
	const char *name;
	const flrt_task *const *tasks;
	size_t ntasks;
	/** The module's workflow closures for local runs: each entry is one
	 *  serialized flyteidl.admin.TaskSpec, WorkflowSpec or LaunchPlan, in
	 *  package order, with its kind (1 task, 2 workflow, 3 launch plan);
	 *  then what local runs need besides: 4 a declared map (name: the
	 *  declared name; data: its map task's name, not NUL-terminated), 5 a
	 *  task's input defaults (name: the task; data: a LiteralMap). */
	const struct flrt_entity {
		int kind;
		const char *name;
		const uint8_t *data;
		size_t len;
	} *entities;
	size_t nentities;
} flrt_module;

/* ---- inside a task --------------------------------------------------------- */
/** Zeroed memory that lives until the task call returns and its outputs are
 *  encoded. Never NULL: running out of memory ends the call (a recoverable
 *  SYSTEM failure). */
void *flrt_alloc(flrt_ctx *ctx, size_t size);
/** A string copy in the call's arena. */
flrt_str flrt_strdup(flrt_ctx *ctx, const char *s);
/** Fails the task with a message: returns -1, which the task returns.
 *  FLRT_RECOVERABLE failures are retried while retries remain; the first
 *  failure of a call is the one reported. */
int flrt_fail(flrt_ctx *ctx, flrt_error_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/** The index of this element when running inside a map, else -1. */
int64_t flrt_map_index(const flrt_ctx *ctx);
/** The attempt number: 0 for the first try, n for the n-th retry (under
 *  Flyte, from FLYTE_ATTEMPT_NUMBER). */
int flrt_attempt(const flrt_ctx *ctx);

/* ---- the executable -------------------------------------------------------- */
/** The task executable's main: `execute`, `map-execute` and `run`
 *  subcommands (see docs/runtime.md). Returns the process exit status. */
int flrt_main(const flrt_module *module, int argc, char **argv);

#ifdef __cplusplus
}
#endif

#endif
