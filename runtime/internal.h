/*
 * internal.h: libflyterun's private interfaces (not installed).
 *
 * Prefix: frt_ for internal symbols (hidden from the shared library, whose
 * export list is ^flrt_); flrt_ is the public API of flyterun.h.
 *
 * Conventions:
 *  - Memory: arenas (frt_arena). protobuf-c unpacks into an arena through an
 *    injected allocator; nothing unpacked is freed piecemeal.
 *  - Errors: functions return 0 on success and -1 on failure, with a message
 *    in a caller-provided frt_msg. Bad input never aborts.
 *  - Output: nothing here writes to stdout except the run result printer.
 */
#ifndef FLYTERUN_INTERNAL_H
#define FLYTERUN_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <protobuf-c/protobuf-c.h>

#include "flyteidl/core/literals.pb-c.h"
#include "flyteidl/core/types.pb-c.h"
#include "flyteidl/core/errors.pb-c.h"
#include "flyteidl/core/execution.pb-c.h"
#include "flyteidl/core/interface.pb-c.h"
#include "flyteidl/core/tasks.pb-c.h"
#include "flyteidl/core/workflow.pb-c.h"
#include "flyteidl/admin/task.pb-c.h"
#include "flyteidl/admin/workflow.pb-c.h"
#include "flyteidl/admin/launch_plan.pb-c.h"

#include "flyterun.h"

#define FRT_FMT(a, b) __attribute__((format(printf, a, b)))

/* Short names for the oneof cases used everywhere. */
#define LIT(x) FLYTEIDL__CORE__LITERAL__VALUE_##x
#define SCA(x) FLYTEIDL__CORE__SCALAR__VALUE_##x
#define PRIM(x) FLYTEIDL__CORE__PRIMITIVE__VALUE_##x
#define LT(x) FLYTEIDL__CORE__LITERAL_TYPE__TYPE_##x
#define SIMPLE(x) FLYTEIDL__CORE__SIMPLE_TYPE__##x
#define DIM(x) FLYTEIDL__CORE__BLOB_TYPE__BLOB_DIMENSIONALITY__##x
#define BIND(x) FLYTEIDL__CORE__BINDING_DATA__VALUE_##x

typedef Flyteidl__Core__Literal frt_lit;
typedef Flyteidl__Core__LiteralMap frt_litmap;
typedef Flyteidl__Core__LiteralType frt_ltype;

/* ---- messages ------------------------------------------------------------ */
/** A diagnostic buffer: the message of the last failure. */
typedef struct frt_msg {
	char text[2048];
} frt_msg;

/** Formats into m (truncating); returns -1 for `return frt_msgf(...)`. */
int frt_msgf(frt_msg *m, const char *fmt, ...) FRT_FMT(2, 3);
/** Prepends "prefix: " to the message. Returns -1. */
int frt_msg_prefix(frt_msg *m, const char *fmt, ...) FRT_FMT(2, 3);

/* ---- arena (arena.c) ----------------------------------------------------- */
typedef struct frt_arena frt_arena;

frt_arena *frt_arena_new(void);
void frt_arena_free(frt_arena *a);
/** Forgets every allocation, keeping the first block for reuse. */
void frt_arena_reset(frt_arena *a);
/** 16-byte aligned memory, or NULL when out of memory. */
void *frt_arena_alloc(frt_arena *a, size_t size);
void *frt_arena_zalloc(frt_arena *a, size_t size);
void *frt_arena_array(frt_arena *a, size_t n, size_t size);
char *frt_arena_strndup(frt_arena *a, const char *s, size_t n);
char *frt_arena_strdup(frt_arena *a, const char *s);
char *frt_arena_printf(frt_arena *a, const char *fmt, ...) FRT_FMT(2, 3);
char *frt_arena_vprintf(frt_arena *a, const char *fmt, va_list ap) FRT_FMT(2, 0);
/** Bytes handed out so far (for tests and statistics). */
size_t frt_arena_used(const frt_arena *a);
/** A protobuf-c allocator drawing from the arena (free is a no-op). */
ProtobufCAllocator frt_arena_allocator(frt_arena *a);

/** A growable byte buffer (malloc). */
typedef struct frt_buf {
	uint8_t *data;
	size_t len, cap;
} frt_buf;
int frt_buf_reserve(frt_buf *b, size_t extra);
int frt_buf_append(frt_buf *b, const void *p, size_t n);
int frt_buf_printf(frt_buf *b, const char *fmt, ...) FRT_FMT(2, 3);
int frt_buf_putc(frt_buf *b, int c);
void frt_buf_free(frt_buf *b);

/* ---- protobuf I/O (pbio.c) ------------------------------------------------ */
/** Maximum message nesting accepted from the outside (deeper is corrupt). */
#define FRT_MAX_DEPTH 100

/** Unpacks bytes into the arena after checking the wire structure (bounded
 *  nesting, well-formed fields), so that corrupt input gives an error. */
void *frt_unpack(frt_arena *a, const ProtobufCMessageDescriptor *d,
		 const uint8_t *data, size_t len, frt_msg *err);
/** Packs a message into malloc'd memory (*out, *len). Map entries are
 *  sorted by key first (deterministic serialization). */
int frt_pack(ProtobufCMessage *m, uint8_t **out, size_t *len, frt_msg *err);
/** Packs a message whose maps are already sorted (malloc'd bytes). */
int frt_pack_as_is(const ProtobufCMessage *m, uint8_t **out, size_t *len, frt_msg *err);
/** Packs into the arena. */
int frt_pack_arena(frt_arena *a, ProtobufCMessage *m, uint8_t **out, size_t *len,
		   frt_msg *err);
/** Packs into the arena as is (the message is already canonical; packing
 *  must not write to it, e.g. while other threads read it). */
int frt_pack_arena_as_is(frt_arena *a, const ProtobufCMessage *m, uint8_t **out, size_t *len,
			 frt_msg *err);
/** Sorts every map field of the message tree by key, in place. */
void frt_canonicalize(ProtobufCMessage *m);

/** Resolves a local path or file:// URI. Object-store URIs are an error. */
int frt_local_path(frt_arena *a, const char *uri, char **path, frt_msg *err);
/** True for the unsubstituted Flyte placeholders ("{{.x}}") and "". */
bool frt_is_placeholder(const char *s);
/** Reads a whole file into the arena. */
int frt_read_file(frt_arena *a, const char *path, uint8_t **data, size_t *len,
		  frt_msg *err);
/** Creates a directory and its parents. */
int frt_mkdirs(const char *path, frt_msg *err);
/** Writes a file whole or not at all (temporary file, fsync, rename). */
int frt_write_file(const char *path, const void *data, size_t len, frt_msg *err);
/** dir + "/" + name in the arena. */
char *frt_join(frt_arena *a, const char *dir, const char *name);

/* ---- literals (codec.c) ---------------------------------------------------- */
/** One step of a value path, for messages ("input 'xs'[3]"). Frames live on
 *  the C stack of the recursive coder. */
typedef struct frt_path {
	const struct frt_path *up;
	const char *role;   /* "input", "output" (the root frame) */
	const char *name;   /* root: the variable name; dict frames: the key */
	size_t index;       /* list frames */
	int kind;           /* 0 root, 1 index, 2 key */
} frt_path;

/** Decodes a literal into the C layout of t at dst (zeroed by the caller),
 *  checking it against t. Strings, lists and dicts are allocated in a. */
int frt_decode(frt_arena *a, const flrt_type *t, const frt_lit *lit, void *dst,
	       const frt_path *path, frt_msg *err);
/** Encodes the C value at src as a literal allocated in a. */
int frt_encode(frt_arena *a, const flrt_type *t, const void *src, frt_lit **out,
	       const frt_path *path, frt_msg *err);
/** The LiteralType of t (with flytekit's union variant tags). */
frt_ltype *frt_literal_type(frt_arena *a, const flrt_type *t);
/** flytekit's union tag for a type ("int", "str", "Typed List", ...). */
const char *frt_type_tag(const flrt_type *t);
/** A human name of the value a literal holds ("integer", "none", ...). */
const char *frt_lit_kind(const frt_lit *lit);
/** A human name of a declared type ("integer", "list", "enum Color", ...). */
const char *frt_type_name(const flrt_type *t, char *buf, size_t n);

/* literal constructors (arena) */
frt_lit *frt_lit_none(frt_arena *a);
frt_lit *frt_lit_int(frt_arena *a, int64_t v);
frt_lit *frt_lit_float(frt_arena *a, double v);
frt_lit *frt_lit_str(frt_arena *a, const char *s);
frt_lit *frt_lit_bool(frt_arena *a, bool v);
frt_lit *frt_lit_collection(frt_arena *a, size_t n);   /* n NULL slots */
frt_lit *frt_lit_map(frt_arena *a, size_t n);          /* n empty entries */
frt_litmap *frt_litmap_new(frt_arena *a, size_t n);
/** Sets entry i of a map built by frt_litmap_new/frt_lit_map. */
void frt_litmap_set(frt_litmap *m, size_t i, const char *key, frt_lit *v);
/** A literal wrapped in a union with the given variant type. */
frt_lit *frt_lit_union(frt_arena *a, frt_lit *value, frt_ltype *variant);
bool frt_lit_is_none(const frt_lit *lit);
/** Looks up a key (linear). NULL when absent. */
frt_lit *frt_litmap_get(const frt_litmap *m, const char *key);

/* ---- tasks (task.c) ------------------------------------------------------- */
/** ContainerError codes. */
#define FRT_CODE_USER "USER:RuntimeError"
#define FRT_CODE_USER_RECOVERABLE "USER:Recoverable"
#define FRT_CODE_SYSTEM "SYSTEM"

typedef enum frt_origin {
	FRT_ORIGIN_USER = FLYTEIDL__CORE__EXECUTION_ERROR__ERROR_KIND__USER,
	FRT_ORIGIN_SYSTEM = FLYTEIDL__CORE__EXECUTION_ERROR__ERROR_KIND__SYSTEM,
} frt_origin;

/** Packs an ErrorDocument (malloc'd bytes). */
int frt_error_doc(const char *code, const char *message, bool recoverable,
		  frt_origin origin, uint8_t **out, size_t *len);

/** How one call is made. */
typedef struct frt_call_opts {
	int64_t map_index;   /* -1 outside a map */
	int attempt;         /* 0 for the first try */
} frt_call_opts;

/** The outcome of one task call: the packed outputs LiteralMap (ok) or the
 *  packed ErrorDocument (!ok). data is malloc'd; NULL only when even the
 *  error document could not be allocated. */
typedef struct frt_result {
	bool ok;
	uint8_t *data;
	size_t len;
	size_t cap;          /* of data, reused by the next call when large enough */
} frt_result;

/** Decodes inputs against t, calls it, encodes its outputs. scratch is
 *  reset by the caller; it holds the call's values. Never crashes on bad
 *  inputs; the user's code may. */
void frt_call(const flrt_task *t, const frt_litmap *inputs, const frt_call_opts *o,
	      frt_arena *scratch, frt_result *r);
/** The same as frt_call with a SYSTEM error for the given message. */
void frt_result_system(frt_result *r, bool recoverable, const char *fmt, ...) FRT_FMT(3, 4);
void frt_result_free(frt_result *r);
/** Empties a result, keeping its buffer for reuse. */
void frt_result_reset(frt_result *r);
/** The fields of a failed result's ErrorDocument (strings in a). */
typedef struct frt_failure {
	const char *code;
	const char *message;
	bool recoverable;
	frt_origin origin;
} frt_failure;
void frt_result_failure(frt_arena *a, const frt_result *r, frt_failure *f);

const flrt_task *frt_find_task(const flrt_module *m, const char *name);
/** Checks the generated tables (types, offsets inside the structs...). */
int frt_check_module(const flrt_module *m, frt_msg *err);

/** Picks element `index` of the unbound inputs (map-execute, flytekit's
 *  rule: unbound inputs must be collections) into a new map. */
int frt_select_element(frt_arena *a, const frt_litmap *in, char *const *bound,
		       size_t nbound, bool strict, size_t index, frt_litmap **out,
		       frt_msg *err);

/* ---- the executable --------------------------------------------------------- */
typedef struct frt_io {
	FILE *out;  /* the run result printer only */
	FILE *err;  /* diagnostics */
} frt_io;

int frt_main(const flrt_module *m, int argc, char **argv, const frt_io *io);
int frt_cmd_execute(const flrt_module *m, int argc, char **argv, bool map,
		    const frt_io *io);
int frt_cmd_run(const flrt_module *m, int argc, char **argv, const frt_io *io);

/* ---- backends (backend.c): where task calls run ---------------------------- */
/** One attempt of one task call. The scheduler owns it; the backend fills in
 *  the result. */
typedef struct frt_job {
	struct frt_job *next;        /* scheduler and backend queues */
	void *owner;                 /* the scheduler's node */
	size_t slot;                 /* the scheduler's index of running jobs */
	size_t elem;                 /* map element index, or SIZE_MAX */
	const flrt_task *fn;
	const frt_litmap *inputs;
	frt_call_opts opts;
	int64_t timeout_ns;          /* 0: none */
	/* result */
	frt_result res;
	/* backend state */
	int pid, fd;
	int64_t deadline;            /* monotonic ns */
	frt_buf buf;
	bool timed_out, killed;
} frt_job;

typedef struct frt_backend frt_backend;

/** process: each call in a forked child (crashes and timeouts are failed
 *  attempts); otherwise up to `threads` threads in this process (jobs
 *  started beyond that wait in a queue). */
frt_backend *frt_backend_new(bool process, size_t threads);
/** Lets the thread pool grow to n threads (a map's explicit parallelism). */
void frt_backend_reserve_threads(frt_backend *b, size_t n);
void frt_backend_free(frt_backend *b);
/** Starts a job. Returns -1 (with a message) when it cannot start. */
int frt_backend_start(frt_backend *b, frt_job *j, frt_msg *err);
/** Hands the jobs started since the last call to the workers (threads; the
 *  wait does it too). */
void frt_backend_flush(frt_backend *b);
/** Waits for a job to finish and returns it, with j->res set. NULL when no
 *  job is running. */
frt_job *frt_backend_wait(frt_backend *b);
/** A job that has finished already, without waiting; NULL if none. */
frt_job *frt_backend_poll(frt_backend *b);
/** Asks a running job to stop (process: SIGKILL; threads: ignored). It still
 *  comes back from frt_backend_wait. */
void frt_backend_cancel(frt_backend *b, frt_job *j);
size_t frt_backend_running(const frt_backend *b);
int64_t frt_now_ns(void);

/* ---- cache (cache.c): memoized task results in SQLite ---------------------- */
typedef struct frt_cache frt_cache;
/** Opens $FLYTEC_CACHE_DIR/cache.sqlite, else $XDG_CACHE_HOME/flytec/,
 *  else ~/.cache/flytec/. NULL with a message when it cannot. */
frt_cache *frt_cache_open(frt_msg *err);
void frt_cache_close(frt_cache *c);
/** Looks up the outputs of (task, version, inputs); 1 found (bytes in a),
 *  0 not found, -1 error. */
int frt_cache_get(frt_cache *c, frt_arena *a, const char *task, const char *version,
		  const uint8_t *key, size_t keylen, uint8_t **out, size_t *outlen);
int frt_cache_put(frt_cache *c, const char *task, const char *version, const uint8_t *key,
		  size_t keylen, const uint8_t *out, size_t outlen);
/** Commits the pending writes (also done every few hundred writes). */
void frt_cache_flush(frt_cache *c);

/* ---- JSON and text forms (json.c) ----------------------------------------- */
/** Parses a command-line value into a literal of type lt. `bare` allows a
 *  non-JSON word as a string. */
int frt_json_to_literal(frt_arena *a, const char *text, const frt_ltype *lt,
			frt_lit **out, frt_msg *err);
/** Writes a literal as JSON. */
int frt_literal_to_json(frt_buf *b, const frt_lit *lit);
/** RFC 3339 text <-> seconds/nanos. */
int frt_parse_datetime(const char *s, int64_t *sec, int32_t *nanos);
void frt_format_datetime(int64_t sec, int32_t nanos, char *buf, size_t n);
/** "1h30m", "250ms", "-1.5s" <-> nanoseconds. */
int frt_parse_duration(const char *s, int64_t *ns);
void frt_format_duration(int64_t ns, char *buf, size_t n);

/* ---- success rule (run.c) ------------------------------------------------- */
/** propeller's minimum number of successes for an array of n elements. */
int64_t frt_min_successes(size_t n, bool has_min_successes, uint32_t min_successes,
			  bool has_ratio, float ratio);
/** propeller's errorcollector index summary ("0-3,7"). */
void frt_summarize_indexes(const size_t *idx, size_t n, frt_buf *b);

#endif
