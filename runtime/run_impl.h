/*
 * run_impl.h: what the files of `run`, the local executor, share (private
 * to load.c, bind.c, schedule.c, array.c, dispatch.c and run_cli.c).
 *
 * `run` executes a workflow, launch plan or task from the module's embedded
 * entities with flytepropeller's semantics where it has them: nodes start in
 * dependency order once their upstream nodes succeeded (independent ones at
 * once: --jobs bounds the task calls, a map's parallelism its elements);
 * ArrayNodes and legacy map tasks are sized, indexed, thresholded and
 * gathered as propeller does; recoverable failures are retried up to the
 * node's or task's retries; the workflow's on_failure policy (fail fast, or
 * after the executable nodes) is followed; cacheable tasks use a local
 * SQLite cache. Not done: branch and gate nodes (they fail the node),
 * failure nodes (ignored with a warning), offloaded literals; timeouts are
 * enforced with process isolation only.
 *
 * One scheduler loop owns every structure (the backend only fills in the
 * results of jobs). Entities and executions live in the run's arena; jobs
 * and the pointer queues are malloc'd (jobs are recycled). Terminal nodes
 * and completed workflows go on queues that the loop drains
 * (rt_run_propagate), so a finishing node starts its dependants without
 * recursion; a finishing map element is counted in its array at once, and
 * the array node goes on the queue when it is done.
 */
#ifndef FLYTERUN_RUN_IMPL_H
#define FLYTERUN_RUN_IMPL_H

#include "internal.h"

#define NODE(x) FLYTEIDL__CORE__NODE__TARGET_##x

/* ---- entities ---------------------------------------------------------------------- */
struct rt_ent_task {
	const char *name;
	Flyteidl__Core__TaskTemplate *tmpl;
	const flrt_task *fn;      /* the C task it runs; NULL if not in this executable */
	const char *fn_name;
	bool map;                 /* its argv is map-execute */
	bool legacy;              /* a container_array task (legacy map) */
	char **bound;             /* map-execute --bound */
	size_t nbound;
	bool timeout_said;        /* --isolation inprocess has said it ignores the timeout */
	bool env_said;            /* ... and the container's env */
	const char *declared;     /* a map task: the name its map was declared under, if any */
	Flyteidl__Core__LiteralMap *defaults;   /* the task's input defaults (run TASK) */
};

struct rt_ent_wf {
	const char *name;
	Flyteidl__Core__WorkflowTemplate *tmpl;
};

struct rt_ent_lp {
	const char *name;
	Flyteidl__Admin__LaunchPlan *lp;
	Flyteidl__Core__WorkflowTemplate *wf;
};

/* ---- executions ---------------------------------------------------------------------- */
enum rt_state { RT_ST_WAITING, RT_ST_RUNNING, RT_ST_SUCCEEDED, RT_ST_FAILED, RT_ST_SKIPPED };

struct rt_elem {
	enum rt_state st;
	bool cancelled;              /* failed: cancelled by the executor after the map failed */
	Flyteidl__Core__LiteralMap *inputs, *outputs;
	const char *error;
};

struct rt_array {
	size_t n, next, running, succeeded, failed, cached;
	size_t cancelled;            /* by the executor, once the map could not succeed */
	size_t retried;              /* attempts after a recoverable failure */
	struct rt_elem *elems;
	int64_t min_successes;
	uint32_t parallelism;        /* 0: bounded by --jobs */
	char **bound;
	size_t nbound;
	bool failing;                /* the threshold is out of reach: start nothing more */
	struct rt_ent_task *task;              /* task elements */
	struct rt_ent_lp *lp;                  /* launch plan elements */
	Flyteidl__Core__WorkflowTemplate *sub_wf;
	char **out_names;
	size_t nout;
	bool queued;                 /* in run.arrays */
	int64_t started;             /* monotonic ns: the progress display's rate */
	bool shown;                  /* in the progress display */
};

struct rt_node {
	struct rt_wf *wf;
	Flyteidl__Core__Node *node;
	const char *id;              /* path for messages: "n2/n0" */
	const char *dir;             /* under --output-dir */
	const char *what;            /* the target's name */
	enum rt_state st;
	size_t *deps, ndeps;
	Flyteidl__Core__LiteralMap *inputs, *outputs;
	const char *error;
	struct rt_ent_task *task;
	uint32_t retries;
	int64_t timeout_ns;
	bool cacheable;
	const char *cache_version;
	struct rt_array *arr;
	struct rt_wf *child;
};

struct rt_wf {
	Flyteidl__Core__WorkflowTemplate *tmpl;
	Flyteidl__Core__LiteralMap *inputs, *outputs;
	struct rt_node *nodes;
	size_t nnodes, ndone;
	bool failed, done, fail_fast;
	const char *errors;          /* failed nodes' messages, one a line */
	const char *prefix;          /* node id prefix: "" or "n2/" */
	struct rt_node *parent;               /* a workflow node, or an array of launch plans */
	size_t parent_elem;          /* SIZE_MAX for a workflow node */
};

struct rt_run {
	const flrt_module *m;
	const struct rt_io *io;
	struct rt_arena *a;
	struct rt_ent_task *tasks;
	size_t ntasks;
	struct rt_ent_wf *wfs;
	size_t nwfs;
	struct rt_ent_lp *lps;
	size_t nlps;
	struct rt_backend *be;
	struct rt_cache *cache;            /* opened at the first cacheable call */
	bool cache_off;              /* --no-cache, or it could not be opened */
	const char *cache_dir;       /* --cache-dir; NULL: the default */
	const char *outdir;
	size_t slots;                /* task calls handed to the backend at once */
	struct rt_job **running;           /* jobs in the backend */
	size_t nrunning, crunning;
	struct rt_job *ready, *ready_tail; /* jobs waiting for a slot */
	struct rt_node **arrays;              /* array nodes with elements to start */
	size_t narrays, carrays;
	struct rt_node **fin;                 /* terminal nodes to propagate */
	size_t nfin, cfin;
	struct rt_wf **wfin;                  /* workflows whose nodes are all terminal */
	size_t nwfin, cwfin;
	struct rt_job *free_jobs;
	bool inprocess;              /* --isolation inprocess */
	int progress;                /* RT_PROGRESS_* */
	int64_t progress_every, last_draw;
	struct rt_node **shown;      /* maps in the progress display */
	size_t nshown, cshown;
	size_t drawn;                /* lines of the display on the terminal */
	bool oom;
	struct rt_wf *root;
	/* resources and signals */
	bool throttled;              /* a call could not start (descriptors, processes): wait for one to end */
	size_t cap;                  /* at most this many calls at once (0: --jobs only) */
	bool throttle_said;
	int interrupted;             /* the signal that stopped the run (0: none) */
	bool abandoned;              /* in-process calls still run: free nothing they use */
	const char *outdir_error;    /* the first --output-dir write that failed */
	const char *root_kind;       /* what the user ran, for messages about the root */
	const char *root_name;
};

struct rt_target {
	Flyteidl__Core__WorkflowTemplate *wf;
	struct rt_ent_lp *lp;
	struct rt_ent_task *task;    /* a task run directly */
	const char *kind;            /* "workflow", "launch plan", "task", "map" */
	const char *name;
};

/* ---- workflows and nodes (schedule.c) -------------------------------------- */
int rt_grow(void **p, size_t *cap, size_t need, size_t size);
void rt_run_oom(struct rt_run *r);
char *rt_run_printf(struct rt_run *r, const char *fmt, ...) RT_FMT(2, 3);
void rt_run_write_pb(struct rt_run *r, const char *dir, const char *name, const ProtobufCMessage *m);
void rt_run_write_bytes(struct rt_run *r, const char *dir, const char *name, const uint8_t *data, size_t len);
void rt_run_write_error(struct rt_run *r, const char *dir, const char *message);
bool rt_wf_aborted(const struct rt_wf *w);
void rt_wf_add_error(struct rt_run *r, struct rt_wf *w, const char *msg);
void rt_node_done(struct rt_run *r, struct rt_node *n, enum rt_state st, const char *error);
void rt_wf_check_done(struct rt_run *r, struct rt_wf *w);
struct rt_wf *rt_wf_new(struct rt_run *r, Flyteidl__Core__WorkflowTemplate *t, Flyteidl__Core__LiteralMap *inputs,
		   const char *prefix, struct rt_node *parent, size_t parent_elem, struct rt_msg *err);
void rt_node_policy(struct rt_node *n, const Flyteidl__Core__NodeMetadata *nm, const struct rt_ent_task *t);
void rt_wf_schedule(struct rt_run *r, struct rt_wf *w);
void rt_wf_complete(struct rt_run *r, struct rt_wf *w);
void rt_cancel_jobs(struct rt_run *r, struct rt_node *n, struct rt_wf *w);
void rt_run_propagate(struct rt_run *r);

/* ---- bindings (bind.c) ----------------------------------------------------- */
int rt_resolve_bindings(struct rt_run *r, struct rt_wf *w, Flyteidl__Core__Binding **b, size_t n,
			    Flyteidl__Core__LiteralMap **out, struct rt_msg *err);
int rt_node_add_dep(struct rt_run *r, struct rt_wf *w, struct rt_node *n, const char *id);
void rt_node_collect_deps(const Flyteidl__Core__BindingData *bd, struct rt_wf *w, struct rt_node *n, struct rt_run *r);
int rt_lp_inputs(struct rt_run *r, const struct rt_ent_lp *lp, const Flyteidl__Core__LiteralMap *given, Flyteidl__Core__LiteralMap **out,
		     struct rt_msg *err);

/* ---- entities (load.c) ----------------------------------------------------- */
void rt_ltype_text(const Flyteidl__Core__LiteralType *lt, struct base_buf *b);
bool rt_ltype_optional(const Flyteidl__Core__LiteralType *lt);
struct rt_ent_task *rt_run_find_task(struct rt_run *r, const char *name);
Flyteidl__Core__WorkflowTemplate *rt_run_find_wf(struct rt_run *r, const char *name);
struct rt_ent_lp *rt_run_find_lp(struct rt_run *r, const char *name);
int rt_run_load(struct rt_run *r, struct rt_msg *err);
int rt_run_find_target(struct rt_run *r, const char *name, struct rt_target *t, struct rt_msg *err);

/* ---- array nodes (array.c) ------------------------------------------------- */
int rt_array_start(struct rt_run *r, struct rt_node *n, struct rt_msg *err);
void rt_elem_finish(struct rt_run *r, struct rt_node *n, size_t i, bool ok, Flyteidl__Core__LiteralMap *outputs,
			const char *error);
/** Element i was cancelled by the executor (the map had failed). */
void rt_elem_cancelled(struct rt_run *r, struct rt_node *n, size_t i);
#define RT_CANCELLED_ELEM "cancelled by the executor after the map failed"
#define RT_CANCELLED_NODE "cancelled by the executor after the workflow failed"

void rt_array_check(struct rt_run *r, struct rt_node *n);
struct rt_job *rt_array_start_element(struct rt_run *r, struct rt_node *n);
/** Index ranges as rt_summarize_indexes, at most max of them, then how many
 *  indexes more ("0-3,7,... (12 more)"). */
#define RT_RANGES_MAX 8
void rt_ranges_bounded(const size_t *idx, size_t n, size_t max, struct base_buf *b);
/** Refreshes the progress lines of the maps that run (a wait's tick). */
void rt_progress_tick(struct rt_run *r);

/* ---- the progress display (progress.c) ------------------------------------ */
enum { RT_PROGRESS_OFF, RT_PROGRESS_TTY, RT_PROGRESS_PLAIN };
/** From stderr and FLYTEC_PROGRESS. */
void rt_progress_init(struct rt_run *r);
/** A map's element ended (or started): its line is drawn when it is time. */
void rt_progress_update(struct rt_run *r, struct rt_node *n);
/** The map ended: its last line is printed for good. */
void rt_progress_done(struct rt_run *r, struct rt_node *n);
/** Erases the display (a terminal) before another message; the next update draws it again. */
void rt_progress_clear(struct rt_run *r);

/* ---- task calls (dispatch.c) ----------------------------------------------- */
void rt_job_free(struct rt_run *r, struct rt_job *j);
void rt_job_enqueue(struct rt_run *r, struct rt_job *j);
struct rt_job *rt_job_make(struct rt_run *r, struct rt_node *n, size_t ix, const flrt_task *fn,
			 const Flyteidl__Core__LiteralMap *inputs, int attempt);
int rt_run_cache_get(struct rt_run *r, struct rt_node *n, const char *task, const Flyteidl__Core__LiteralMap *inputs,
			Flyteidl__Core__LiteralMap **out);
void rt_run_loop(struct rt_run *r);

#endif
