/* checker.h: the checked program. fl_check resolves every name, types every
 * declaration and workflow, and returns what code generation needs. */
#ifndef FL_CHECKER_H
#define FL_CHECKER_H

#include "prelude.h"

#include <stdio.h>

#include "ast.h"
#include "types.h"

struct fl_ctx;

enum fl_entity_kind { FL_E_TASK, FL_E_MAP, FL_E_WORKFLOW, FL_E_LAUNCHPLAN, FL_E_ENUM };

struct fl_kv {
	const char *key;
	const char *value;
	struct fl_loc loc;
};

/* Task options, map per-element options and `with { }` overrides. */
struct fl_options {
	bool has_retries;
	int64_t retries;
	bool has_timeout;
	int64_t timeout_ns;
	const char *cache;            /* cache version, or NULL: no caching */
	bool has_interruptible;
	bool interruptible;
	struct fl_kv *requests;       /* keys: cpu, mem, gpu, ephemeral_storage */
	uint32_t nrequests;
	struct fl_kv *limits;
	uint32_t nlimits;
	struct fl_kv *env;
	uint32_t nenv;
	const char *image;
	const char *pod_template_name;  /* TaskMetadata.pod_template_name, or NULL */
	/* ExtendedResources: a GPU accelerator (flytekit's accelerator=) ... */
	const char *accel_device;       /* NULL: none */
	const char *accel_partition;    /* partition_size, or NULL */
	bool accel_unpartitioned;
	/* ... and shared memory (flytekit's shared_memory=) */
	bool has_shared_memory;
	const char *shared_memory_size; /* size_limit, or NULL: the container's memory */
};

struct fl_entity;

struct fl_map_info {
	struct fl_entity *target;     /* a task or a launch plan */
	bool has_concurrency;
	uint32_t concurrency;
	bool has_ratio;
	double ratio;
	bool ratio_is_int;            /* written as an integer (0 or 1): its name hash says "1", not "1.0" */
	struct fl_loc ratio_loc;
	bool has_min_successes;
	int64_t min_successes;
	struct fl_loc min_successes_loc;
	bool legacy;
	bool optional_outputs;        /* failures tolerated: outputs are list[R?] */
	struct fl_options elem;       /* per-element options */
	const struct fl_node *partial;  /* the MAP node's partial bindings: partial.* */
};

/* One call in a workflow: one Flyte node. */
struct fl_wf_node {
	uint32_t index;               /* the node id is n<index> */
	const struct fl_node *call;   /* the CALL node */
	struct fl_entity *target;
	const struct fl_node **args;  /* per target input: the argument value, or NULL */
	struct fl_options overrides;
	bool has_overrides;
	const char *value;            /* the name it is assigned to, or NULL */
};

/* A name in a workflow: an input, or the result of a call. */
struct fl_wf_value {
	const char *name;
	const struct fl_type *type;   /* NULL: a call with several outputs (use .name) */
	int input;                    /* index of the workflow input, or -1 */
	struct fl_wf_node *node;      /* the call that made it, when input < 0 */
	int output;                   /* the output of that call, or -1 for all */
	struct fl_loc loc;
	bool used;                    /* named by a later expression (-Wunused-input, -Wunused-value) */
};

struct fl_workflow_info {
	struct fl_wf_node **nodes;
	uint32_t nnodes;
	const struct fl_node **returns;  /* per output */
};

struct fl_lp_info {
	struct fl_entity *workflow;
	const struct fl_node *fixed;     /* RECORD of literals, or NULL */
	const struct fl_node *defaults;  /* RECORD of literals, or NULL */
	const char *schedule;            /* cron expression, or NULL */
};

struct fl_entity {
	enum fl_entity_kind kind;
	const char *name;             /* as declared (not module-qualified) */
	const struct fl_module *module;  /* the module that declares it */
	const struct fl_node *decl;   /* the declaration (an inline map: its MAP node) */
	struct fl_sig sig;
	int state;                    /* signature: 0 not yet, 1 in progress, 2 done */
	bool ok;                      /* the signature is usable */
	bool used;                    /* ENUM: named by its module (-Wunused-enum) */
	struct fl_options opts;       /* TASK */
	struct fl_map_info map;       /* MAP */
	struct fl_workflow_info wf;   /* WORKFLOW */
	struct fl_lp_info lp;         /* LAUNCHPLAN */
};

struct base_hash;

struct fl_module {
	const char *name;
	const char *image;            /* NULL: none declared */
	struct fl_entity **entities;  /* declaration order; inline maps follow their workflow */
	uint32_t nentities;
	const char *file;             /* its source's name, as loaded */
	const struct base_hash *ns;   /* its own declarations by name (for importers) */
	struct fl_module **imports;   /* the modules it imports from, in order, each once */
	uint32_t nimports;
};

/* Checks a parsed program; errors are queued in c. Returns the checked
 * module (also when errors were found, for tools that want what is known),
 * or NULL when memory ran out. */
struct fl_module *fl_check(struct fl_ctx *c, struct fl_node *program);

/* A module and every module it imports, directly or not: each once, every
 * module after those it imports (m last). Their count in *n. */
const struct fl_module **fl_module_closure(struct fl_arena *a, const struct fl_module *m, uint32_t *n);

/* Prints "name : (inputs) -> outputs" for every declaration. */
void fl_print_signatures(struct fl_ctx *c, FILE *out, const struct fl_module *m);

/* Options with those of `over` taking precedence field by field (a
 * requests, limits or env block replaces the base's whole): a map's
 * element options over its task's, a call's `with { }` over those. */
struct fl_options fl_merge_options(const struct fl_options *base, const struct fl_options *over);

/* Validates a Kubernetes resource quantity ("500m", "1Gi", "2", "1.5e3")
 * and gives its value in base units. */
bool fl_quantity_parse(const char *s, double *value);

#endif
