/* lower_impl.h: private to the lowering (lower*.c): the generator state,
 * message allocation, and what the per-entity parts share. Every message
 * lives in the compilation's arena. */
#ifndef FL_LOWER_IMPL_H
#define FL_LOWER_IMPL_H

#include "prelude.h"

#include <string.h>

#include "codegen.h"
#include "ctx.h"
#include "flyteidl/admin/launch_plan.pb-c.h"
#include "flyteidl/admin/task.pb-c.h"
#include "flyteidl/admin/workflow.pb-c.h"
#include "google/protobuf/struct.pb-c.h"
#include "hash.h"
#include "names.h"

struct gen {
	struct fl_ctx *c;
	struct fl_arena *a;
	const struct fl_module *m;
	const struct fl_codegen_options *o;
	const char *entrypoint;
	const struct fl_entity *wf;  /* the workflow being lowered */
	struct fl_artifact *items;
	uint32_t n, cap;
	struct base_hash index;  /* (kind as tag, name) -> position in items (val) */
	bool failed;
};

#define NEW(g, T, INIT) new_msg((g), sizeof(T), &(T)INIT)

static inline void *new_msg(struct gen *g, size_t size, const void *init)
{
	void *p = fl_alloc(g->a, size);
	memcpy(p, init, size);
	return p;
}

static inline char *str(struct gen *g, const char *s)
{
	return fl_strndup(g->a, s, strlen(s));
}

/* An entity's Flyte name: qualified by the module that declares it. */
static inline const char *qualified(struct gen *g, const struct fl_entity *e)
{
	return fl_sprintf(g->a, "%s.%s", e->module->name, e->name);
}

/* The text after the last dot ("quickstart.square" -> "square"). */
static inline const char *short_name(const char *name)
{
	const char *dot = strrchr(name, '.');
	return dot != NULL ? dot + 1 : name;
}

/* ---- lower.c: the artifact list and the walk over entities ------------- */

/* The image of a task of module m without its own: --image, else its
 * module's, else the root module's ("" when none: nothing needs one). */
const char *fl_lower_image(const struct gen *g, const struct fl_module *m);

Flyteidl__Core__Identifier *fl_lower_ident(struct gen *g, Flyteidl__Core__ResourceType type, const char *name);
/* Appends the artifact (kind, name), or checks that the one already there
 * has the same bytes. */
void fl_lower_add(struct gen *g, enum fl_artifact_kind kind, const char *name, const ProtobufCMessage *msg);
bool fl_lower_has(const struct gen *g, enum fl_artifact_kind kind, const char *name);
/* An entity and, first, what it depends on. */
void fl_lower_entity(struct gen *g, const struct fl_entity *e);

/* ---- lower_literal.c: types and literals ------------------------------- */

Flyteidl__Core__LiteralType *fl_lower_literal_type(struct gen *g, const struct fl_type *t);
/* Variables sorted by name. */
Flyteidl__Core__VariableMap *fl_lower_variable_map(struct gen *g, const struct fl_var *vars, uint32_t n);
Flyteidl__Core__TypedInterface *fl_lower_interface(struct gen *g, const struct fl_sig *s);
Google__Protobuf__Duration *fl_lower_duration(struct gen *g, int64_t ns);
/* The literal v, checked to be of type t. */
Flyteidl__Core__Literal *fl_lower_literal(struct gen *g, const struct fl_node *v, const struct fl_type *t);
Flyteidl__Core__Literal *fl_lower_scalar_literal(struct gen *g, Flyteidl__Core__Scalar *s);
Flyteidl__Core__Scalar *fl_lower_none_scalar(struct gen *g);
/* qsort's order of LiteralMap entries: by key. */
int fl_lower_cmp_lit_entry(const void *a, const void *b);

/* ---- lower_task.c: task templates ------------------------------------- */

Flyteidl__Core__RetryStrategy *fl_lower_retries(struct gen *g, const struct fl_options *o);
Flyteidl__Core__TaskMetadata *fl_lower_task_metadata(struct gen *g, const struct fl_options *o);
Flyteidl__Core__Resources *fl_lower_resources(struct gen *g, const struct fl_options *o);
/* The accelerator and shared memory, or NULL. */
Flyteidl__Core__ExtendedResources *fl_lower_extended_resources(struct gen *g, const struct fl_options *o);
/* The container's argv: the task executable and Flyte's placeholders. */
Flyteidl__Core__Container *fl_lower_container(struct gen *g, const struct fl_options *o, const struct fl_entity *task,
					      bool map, const char *bound, bool legacy);
Flyteidl__Admin__DescriptionEntity *fl_lower_description(struct gen *g);
void fl_lower_task(struct gen *g, const struct fl_entity *e);

/* ---- lower_workflow.c: workflows and their nodes ----------------------- */

/* What every node shape is lowered from besides its call: its id, its
 * input bindings (sorted) and its `with { }` overrides (none: all zero). */
struct node_parts {
	const char *id;
	Flyteidl__Core__Binding **in;
	size_t nin;
	const struct fl_options *ovr;
};

Flyteidl__Core__NodeMetadata *fl_lower_node_metadata(struct gen *g, const char *name, const struct fl_options *o,
						     bool cache);
/* A node running the task named `task`, with metadata md. */
Flyteidl__Core__Node *fl_lower_task_node(struct gen *g, const char *id, const char *task,
					 Flyteidl__Core__NodeMetadata *md, const struct node_parts *p,
					 const struct fl_wf_node *n);
void fl_lower_workflow(struct gen *g, const struct fl_entity *w);

/* ---- lower_map.c: map tasks and their nodes ----------------------------- */

void fl_lower_map_task(struct gen *g, const struct fl_entity *map);
/* A call of a legacy map: a task node running its array task. */
Flyteidl__Core__Node *fl_lower_legacy_map_node(struct gen *g, const struct fl_wf_node *n, const struct node_parts *p);
/* A call of a map: an ArrayNode over a task or a launch plan. */
Flyteidl__Core__Node *fl_lower_array_node(struct gen *g, const struct fl_wf_node *n, const struct node_parts *p);

/* ---- lower_launchplan.c ------------------------------------------------ */

/* The launch plan `name` of workflow w, with signature s and, for a
 * declared one, its schedule and fixed inputs (lp; NULL for the default). */
void fl_lower_launch_plan(struct gen *g, const char *name, const struct fl_entity *w, const struct fl_sig *s,
			  const struct fl_lp_info *lp);

#endif
