/*
 * internal.h: libflyterun's private interfaces (not installed).
 *
 * Prefix: rt_ for internal symbols (hidden from the shared library, whose
 * export list is ^flrt_); flrt_ is the public API of flyterun.h.
 *
 * Conventions:
 *  - Memory: arenas (struct rt_arena). protobuf-c unpacks into an arena through an
 *    injected allocator; nothing unpacked is freed piecemeal.
 *  - Errors: functions return 0 on success and -1 on failure, with a message
 *    in a caller-provided rt_msg. Bad input never aborts.
 *  - Output: nothing here writes to stdout except the run result printer.
 */
#ifndef FLYTERUN_INTERNAL_H
#define FLYTERUN_INTERNAL_H

#include <setjmp.h>
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

#include "buf.h"      /* struct base_buf: the runtime's byte buffers (malloc: arena NULL) */
#include "civil.h"    /* RT_RFC3339_FLAGS */
#include "pbwire.h"   /* RT_MAX_DEPTH */

#define RT_FMT(a, b) __attribute__((format(printf, a, b)))

/* Short names for the oneof cases used everywhere. */
#define LIT(x) FLYTEIDL__CORE__LITERAL__VALUE_##x
#define SCA(x) FLYTEIDL__CORE__SCALAR__VALUE_##x
#define PRIM(x) FLYTEIDL__CORE__PRIMITIVE__VALUE_##x
#define LT(x) FLYTEIDL__CORE__LITERAL_TYPE__TYPE_##x
#define SIMPLE(x) FLYTEIDL__CORE__SIMPLE_TYPE__##x
#define DIM(x) FLYTEIDL__CORE__BLOB_TYPE__BLOB_DIMENSIONALITY__##x
#define BIND(x) FLYTEIDL__CORE__BINDING_DATA__VALUE_##x

/* ---- messages ------------------------------------------------------------ */
/** A diagnostic buffer: the message of the last failure. */
struct rt_msg {
	char text[2048];
};

/** Formats into m (truncating); returns -1 for `return rt_msgf(...)`. */
int rt_msgf(struct rt_msg *m, const char *fmt, ...) RT_FMT(2, 3);
/** Prepends "prefix: " to the message. Returns -1. */
int rt_msg_prefix(struct rt_msg *m, const char *fmt, ...) RT_FMT(2, 3);

/* ---- arena (arena.c) ----------------------------------------------------- */
struct rt_arena;

struct rt_arena *rt_arena_new(void);
void rt_arena_free(struct rt_arena *a);
/** Forgets every allocation, keeping the first block for reuse. */
void rt_arena_reset(struct rt_arena *a);
/** 16-byte aligned memory, or NULL when out of memory. */
void *rt_arena_alloc(struct rt_arena *a, size_t size);
void *rt_arena_zalloc(struct rt_arena *a, size_t size);
void *rt_arena_array(struct rt_arena *a, size_t n, size_t size);
char *rt_arena_strndup(struct rt_arena *a, const char *s, size_t n);
char *rt_arena_strdup(struct rt_arena *a, const char *s);
char *rt_arena_printf(struct rt_arena *a, const char *fmt, ...) RT_FMT(2, 3);
char *rt_arena_vprintf(struct rt_arena *a, const char *fmt, va_list ap) RT_FMT(2, 0);
/** A protobuf-c allocator drawing from the arena (free is a no-op). */
ProtobufCAllocator rt_arena_allocator(struct rt_arena *a);

/* ---- protobuf I/O (pbio.c) ------------------------------------------------ */
/** Maximum message nesting accepted from the outside (deeper is corrupt):
 *  protobuf messages (pbio.c), JSON values (json.c) and types (tables.c). */
#define RT_MAX_DEPTH BASE_PBWIRE_MAX_DEPTH

/** Unpacks bytes into the arena after checking the wire structure (bounded
 *  nesting, well-formed fields), so that corrupt input gives an error. */
void *rt_unpack(struct rt_arena *a, const ProtobufCMessageDescriptor *d,
		 const uint8_t *data, size_t len, struct rt_msg *err);
/** Packs a message into malloc'd memory (*out, *len). Map entries are
 *  sorted by key first (deterministic serialization). */
int rt_pack(ProtobufCMessage *m, uint8_t **out, size_t *len, struct rt_msg *err);
/** Packs a message whose maps are already sorted (malloc'd bytes). */
int rt_pack_as_is(const ProtobufCMessage *m, uint8_t **out, size_t *len, struct rt_msg *err);
/** Packs into the arena. */
int rt_pack_arena(struct rt_arena *a, ProtobufCMessage *m, uint8_t **out, size_t *len,
		   struct rt_msg *err);
/** Packs into the arena as is (the message is already canonical; packing
 *  must not write to it, e.g. while other threads read it). */
int rt_pack_arena_as_is(struct rt_arena *a, const ProtobufCMessage *m, uint8_t **out, size_t *len,
			 struct rt_msg *err);
/** Sorts every map field of the message tree by key, in place. */
void rt_canonicalize(ProtobufCMessage *m);

/** Resolves a local path or file:// URI. Object-store URIs are an error. */
int rt_local_path(struct rt_arena *a, const char *uri, char **path, struct rt_msg *err);
/** True for the unsubstituted Flyte placeholders ("{{.x}}") and "". */
bool rt_is_placeholder(const char *s);
/** Reads a whole file into the arena. */
int rt_read_file(struct rt_arena *a, const char *path, uint8_t **data, size_t *len,
		  struct rt_msg *err);
/** Creates a directory and its parents. */
int rt_mkdirs(const char *path, struct rt_msg *err);
/** Writes a file whole or not at all (temporary file, fsync, rename). */
int rt_write_file(const char *path, const void *data, size_t len, struct rt_msg *err);
/** dir + "/" + name in the arena. */
char *rt_join(struct rt_arena *a, const char *dir, const char *name);

/* ---- literals (codec.c, littype.c, literal.c) ------------------------------- */
/** One step of a value path, for messages ("input 'xs'[3]"). Frames live on
 *  the C stack of the recursive coder. */
struct rt_path {
	const struct rt_path *up;
	const char *role;   /* "input", "output" (the root frame) */
	const char *name;   /* root: the variable name; dict frames: the key */
	size_t index;       /* list frames */
	int kind;           /* 0 root, 1 index, 2 key */
};

/** Decodes a literal into the C layout of t at dst (zeroed by the caller),
 *  checking it against t. Strings, lists and dicts are allocated in a. */
int rt_decode(struct rt_arena *a, const flrt_type *t, const Flyteidl__Core__Literal *lit, void *dst,
	       const struct rt_path *path, struct rt_msg *err);
/** Encodes the C value at src as a literal allocated in a. */
int rt_encode(struct rt_arena *a, const flrt_type *t, const void *src, Flyteidl__Core__Literal **out,
	       const struct rt_path *path, struct rt_msg *err);
/** The LiteralType of t (with flytekit's union variant tags). */
Flyteidl__Core__LiteralType *rt_literal_type(struct rt_arena *a, const flrt_type *t);
/** A union variant: the LiteralType of t with flytekit's tag (littype.c). */
Flyteidl__Core__LiteralType *rt_variant_type(struct rt_arena *a, const flrt_type *t);
/** The none variant of an optional's union, tagged "none". */
Flyteidl__Core__LiteralType *rt_none_variant(struct rt_arena *a);
/** flytekit's union tag for a type ("int", "str", "Typed List", ...). */
const char *rt_type_tag(const flrt_type *t);
/** A human name of the value a literal holds ("integer", "none", ...). */
const char *rt_lit_kind(const Flyteidl__Core__Literal *lit);
/** A human name of a declared type ("integer", "list", "enum Color", ...). */
const char *rt_type_name(const flrt_type *t, char *buf, size_t n);

/* literal constructors (arena; literal.c) */
/** A scalar literal (*sc to fill in), or one holding a primitive (*pp). */
Flyteidl__Core__Literal *rt_lit_scalar(struct rt_arena *a, Flyteidl__Core__Scalar **sc);
Flyteidl__Core__Literal *rt_lit_prim(struct rt_arena *a, Flyteidl__Core__Primitive **pp);
Flyteidl__Core__Literal *rt_lit_none(struct rt_arena *a);
Flyteidl__Core__Literal *rt_lit_int(struct rt_arena *a, int64_t v);
Flyteidl__Core__Literal *rt_lit_float(struct rt_arena *a, double v);
Flyteidl__Core__Literal *rt_lit_str(struct rt_arena *a, const char *s);
Flyteidl__Core__Literal *rt_lit_bool(struct rt_arena *a, bool v);
Flyteidl__Core__Literal *rt_lit_collection(struct rt_arena *a, size_t n);   /* n NULL slots */
Flyteidl__Core__Literal *rt_lit_map(struct rt_arena *a, size_t n);          /* n empty entries */
Flyteidl__Core__LiteralMap *rt_litmap_new(struct rt_arena *a, size_t n);
/** Sets entry i of a map built by rt_litmap_new/rt_lit_map. */
void rt_litmap_set(Flyteidl__Core__LiteralMap *m, size_t i, const char *key, Flyteidl__Core__Literal *v);
/** A literal wrapped in a union with the given variant type. */
Flyteidl__Core__Literal *rt_lit_union(struct rt_arena *a, Flyteidl__Core__Literal *value, Flyteidl__Core__LiteralType *variant);
bool rt_lit_is_none(const Flyteidl__Core__Literal *lit);
/** Looks up a key (linear). NULL when absent. */
Flyteidl__Core__Literal *rt_litmap_get(const Flyteidl__Core__LiteralMap *m, const char *key);

/* ---- task calls (task.c, ctx.c, errdoc.c, select.c, tables.c) -------------- */
/** The context of one call (flyterun.h's opaque flrt_ctx), shared by the
 *  call (task.c) and the context API (ctx.c). */
struct flrt_ctx {
	struct rt_arena *arena;
	jmp_buf *oom;           /* where flrt_alloc goes when memory runs out */
	int64_t map_index;
	int attempt;
	bool failed;
	flrt_error_kind kind;
	char *message;
};


/** ContainerError codes. */
#define RT_CODE_USER "USER:RuntimeError"
#define RT_CODE_USER_RECOVERABLE "USER:Recoverable"
#define RT_CODE_SYSTEM "SYSTEM"

enum rt_origin {
	RT_ORIGIN_USER = FLYTEIDL__CORE__EXECUTION_ERROR__ERROR_KIND__USER,
	RT_ORIGIN_SYSTEM = FLYTEIDL__CORE__EXECUTION_ERROR__ERROR_KIND__SYSTEM,
};

/** Packs an ErrorDocument (malloc'd bytes; errdoc.c). */
int rt_error_doc(const char *code, const char *message, bool recoverable,
		  enum rt_origin origin, uint8_t **out, size_t *len);

/** How one call is made. */
struct rt_call_opts {
	int64_t map_index;   /* -1 outside a map */
	int attempt;         /* 0 for the first try */
};

/** The outcome of one task call: the packed outputs LiteralMap (ok) or the
 *  packed ErrorDocument (!ok). data is malloc'd; NULL only when even the
 *  error document could not be allocated. */
struct rt_result {
	bool ok;
	uint8_t *data;
	size_t len;
	size_t cap;          /* of data, reused by the next call when large enough */
};

/** Decodes inputs against t, calls it, encodes its outputs. scratch is
 *  reset by the caller; it holds the call's values. Never crashes on bad
 *  inputs; the user's code may. */
void rt_call(const flrt_task *t, const Flyteidl__Core__LiteralMap *inputs, const struct rt_call_opts *o,
	      struct rt_arena *scratch, struct rt_result *r);
/** Replaces the result with an error document (NULL data when even that
 *  cannot be allocated). */
void rt_result_error(struct rt_result *r, const char *code, bool recoverable, enum rt_origin origin,
		     const char *message);
/** The same as rt_call with a SYSTEM error for the given message. */
void rt_result_system(struct rt_result *r, bool recoverable, const char *fmt, ...) RT_FMT(3, 4);
void rt_result_free(struct rt_result *r);
/** Empties a result, keeping its buffer for reuse. */
void rt_result_reset(struct rt_result *r);
/** The fields of a failed result's ErrorDocument (strings in a). */
struct rt_failure {
	const char *code;
	const char *message;
	bool recoverable;
	enum rt_origin origin;
};
void rt_result_failure(struct rt_arena *a, const struct rt_result *r, struct rt_failure *f);

const flrt_task *rt_find_task(const flrt_module *m, const char *name);
/** Checks the generated tables (types, offsets inside the structs...). */
int rt_check_module(const flrt_module *m, struct rt_msg *err);

/** Picks element `index` of the unbound inputs (map-execute, flytekit's
 *  rule: unbound inputs must be collections) into a new map. */
int rt_select_element(struct rt_arena *a, const Flyteidl__Core__LiteralMap *in, char *const *bound,
		       size_t nbound, bool strict, size_t index, Flyteidl__Core__LiteralMap **out,
		       struct rt_msg *err);

/* ---- the executable --------------------------------------------------------- */
struct rt_io {
	FILE *out;  /* the run result printer only */
	FILE *err;  /* diagnostics */
};

int rt_main(const flrt_module *m, int argc, char **argv, const struct rt_io *io);
int rt_cmd_execute(const flrt_module *m, int argc, char **argv, bool map,
		    const struct rt_io *io);
int rt_cmd_run(const flrt_module *m, int argc, char **argv, const struct rt_io *io);

/* ---- backends (backend.c): where task calls run ---------------------------- */
/** One attempt of one task call. The scheduler owns it; the backend fills in
 *  the result. */
struct rt_job {
	struct rt_job *next;        /* scheduler and backend queues */
	void *owner;                 /* the scheduler's node */
	size_t slot;                 /* the scheduler's index of running jobs */
	size_t elem;                 /* map element index, or SIZE_MAX */
	const flrt_task *fn;
	const Flyteidl__Core__LiteralMap *inputs;
	struct rt_call_opts opts;
	int64_t timeout_ns;          /* 0: none */
	Flyteidl__Core__KeyValuePair *const *env;   /* the container's env (process isolation) */
	size_t nenv;
	/* result */
	struct rt_result res;
	/* backend state */
	int pid, fd;
	int64_t deadline;            /* monotonic ns */
	struct base_buf buf;
	bool timed_out, killed;
	bool exited;                 /* the element's process has been reaped */
	int status;                  /* its wait status */
};

/** rt_backend_start: no descriptor or process is free now (EMFILE, ENFILE;
 *  EAGAIN, ENOMEM from fork); the job may start once another has ended. */
#define RT_BACKEND_NO_FDS 1
#define RT_BACKEND_NO_PROCS 2

/** process: each call in a forked child (crashes and timeouts are failed
 *  attempts); otherwise up to `threads` threads in this process (jobs
 *  started beyond that wait in a queue). */
struct rt_backend *rt_backend_new(bool process, size_t threads);
/** Lets the thread pool grow to n threads (a map's explicit parallelism). */
void rt_backend_reserve_threads(struct rt_backend *b, size_t n);
void rt_backend_free(struct rt_backend *b);
/** Starts a job. Returns -1 (with a message) when it cannot start,
 *  RT_BACKEND_NO_FDS or RT_BACKEND_NO_PROCS (with a message) when it cannot
 *  start yet. */
int rt_backend_start(struct rt_backend *b, struct rt_job *j, struct rt_msg *err);
/** Hands the jobs started since the last call to the workers (threads; the
 *  wait does it too). */
void rt_backend_flush(struct rt_backend *b);
/** Waits for a job to finish and returns it, with j->res set. NULL when no
 *  job is running, when a stop signal was caught (rt_sig_caught) or after a
 *  tick. */
struct rt_job *rt_backend_wait(struct rt_backend *b);
/** A job that has finished already, without waiting; NULL if none. */
struct rt_job *rt_backend_poll(struct rt_backend *b);
/** Asks a running job to stop (process: SIGKILL to its process group;
 *  threads: ignored). It still comes back from rt_backend_wait. */
void rt_backend_cancel(struct rt_backend *b, struct rt_job *j);
/** The run is interrupted: process: SIGTERM to every element's process
 *  group, SIGKILL after grace_ns (or at a second signal), every child
 *  reaped; threads: queued calls are not made. The jobs come back from
 *  rt_backend_poll. Returns the number of calls that are still running
 *  (in-process calls cannot be stopped: the backend must then be left
 *  alone, not freed). */
size_t rt_backend_stop(struct rt_backend *b, int64_t grace_ns);
/** Jobs started and not yet returned. */
size_t rt_backend_running(const struct rt_backend *b);
/** rt_backend_wait returns NULL after ms without a finished job (-1: it
 *  waits for one), so that the caller can refresh its progress. */
void rt_backend_set_tick(struct rt_backend *b, int ms);
int64_t rt_now_ns(void);

/* ---- signals of a local run (signals.c) ------------------------------------ */
/** Catches SIGINT, SIGTERM and SIGHUP (and SIGCHLD with chld) until
 *  rt_sig_restore: each writes to a self-pipe (rt_sig_fd). */
int rt_sig_install(bool chld, struct rt_msg *err);
void rt_sig_restore(void);
/** In a forked element: the default dispositions, the pipe closed. */
void rt_sig_child(void);
/** The self-pipe's read end (-1 when not installed); rt_sig_drain empties it. */
int rt_sig_fd(void);
size_t rt_sig_drain(void);   /* the bytes read */
/** The first stop signal caught (0: none), and how many were. */
int rt_sig_caught(void);
int rt_sig_count(void);
/** --isolation inprocess: report a task that calls exit() or crashes. */
void rt_sig_guard_inprocess(void);
/** The calling thread runs task (map element elem, -1 outside a map). */
void rt_sig_enter(const char *task, int64_t elem);
void rt_sig_leave(void);

/* ---- cache (cache.c): memoized task results in SQLite ---------------------- */
/** Opens dir/cache.sqlite (dir NULL: $FLYTEC_CACHE_DIR, else
 *  $XDG_CACHE_HOME/flytec, else ~/.cache/flytec). NULL with a message when
 *  it cannot. */
struct rt_cache *rt_cache_open(const char *dir, struct rt_msg *err);
void rt_cache_close(struct rt_cache *c);
/** What a result is stored under. */
struct rt_cache_key {
	const char *task;
	const char *version;
	const char *iface;          /* rt_cache_iface */
	const uint8_t *inputs;      /* the packed inputs LiteralMap */
	size_t inputs_len;
};
/** The SHA-256 (hex) of the canonical serialization of a typed interface,
 *  remembered by address; scratch in a. NULL with a message. */
const char *rt_cache_iface(struct rt_cache *c, struct rt_arena *a,
			   const Flyteidl__Core__TypedInterface *ti, struct rt_msg *err);
/** 1 and the packed outputs (in a) on a hit, 0 on a miss, -1 on errors. */
int rt_cache_get(struct rt_cache *c, struct rt_arena *a, const struct rt_cache_key *k,
		  uint8_t **out, size_t *outlen);
/** 0 when a hit's outputs are those fn declares (names, count, and each
 *  value decodes as its type); -1 with the reason. */
int rt_cache_check(struct rt_cache *c, const flrt_task *fn, const Flyteidl__Core__LiteralMap *m,
		   struct rt_msg *err);
/** Queues outputs for the writer thread, which stores them (replacing a
 *  row) in its next transaction; rt_cache_close waits for it. -1 when it
 *  cannot, or when results queued before could not be stored. */
int rt_cache_put(struct rt_cache *c, const struct rt_cache_key *k, const uint8_t *out, size_t outlen);
/** The `cache` subcommand: list, clear. */
int rt_cmd_cache(int argc, char **argv, const struct rt_io *io);

/* ---- literals <-> JSON (litjson.c) ----------------------------------------- */
/** Parses a command-line value into a literal of type lt. Where lt takes a
 *  string, a non-JSON word is one. */
int rt_json_to_literal(struct rt_arena *a, const char *text, const Flyteidl__Core__LiteralType *lt,
			Flyteidl__Core__Literal **out, struct rt_msg *err);
/** Writes a literal as JSON. */
int rt_literal_to_json(struct base_buf *b, const Flyteidl__Core__Literal *lit);

/* ---- time formats (base/civil.h, base/duration.h) --------------------------- */
/** The runtime's RFC 3339 reading (base_rfc3339_parse): a bare date is
 *  midnight UTC, 't' and 'z' are accepted, and so is year 0000. */
#define RT_RFC3339_FLAGS (BASE_RFC3339_DATE_ONLY | BASE_RFC3339_LOWER | BASE_RFC3339_YEAR0)
/* google.protobuf.Timestamp's range (base_timestamp_valid), as messages say
 * it; the compiler enforces the same one on datetime literals. */
#define RT_TIMESTAMP_RANGE "google.protobuf.Timestamp's range (0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z)"

/* ---- success rule (array.c) ------------------------------------------------- */
/** propeller's minimum number of successes for an array of n elements. */
int64_t rt_min_successes(size_t n, bool has_min_successes, uint32_t min_successes,
			  bool has_ratio, float ratio);
/** propeller's errorcollector index summary ("0-3,7"). */
void rt_summarize_indexes(const size_t *idx, size_t n, struct base_buf *b);

#endif
