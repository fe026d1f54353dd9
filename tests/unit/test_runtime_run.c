/* test_runtime_run.c: `run` over hand-built registration entities (TaskSpecs,
 * WorkflowSpecs and LaunchPlans built with the protobuf-c structs and packed,
 * as the code generator embeds them): maps with tolerated failures, crashes
 * isolated in process mode, timeouts, retries, unequal lengths, empty lists,
 * the propeller success rule, launch plans, sub-workflows, the output
 * directory and the cache. */
#include "test_runtime.h"

#include <stdarg.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <sqlite3.h>

static struct rt_arena *A;

static void setup(void)
{
	A = rt_arena_new();
	tmp_setup();
	setenv("FLYTEC_CACHE_DIR", tpath("cache"), 1);
	unsetenv("FLYTEC_PROGRESS");
}

static void teardown(void)
{
	unsetenv("FLYTEC_CACHE_DIR");
	rt_arena_free(A);
	tmp_teardown();
}

/* ---- message builders (all in A) --------------------------------------------- */
#define NEW(T, init) ({ T *p_ = rt_arena_alloc(A, sizeof(T)); init(p_); p_; })

static Flyteidl__Core__Identifier *ident(int kind, const char *name)
{
	Flyteidl__Core__Identifier *id = NEW(Flyteidl__Core__Identifier, flyteidl__core__identifier__init);
	id->resource_type = kind;
	id->name = (char *)name;
	return id;
}

/* vars("x", &T_INT, "y", &T_STR, NULL) */
static Flyteidl__Core__VariableMap *vars(const char *name, ...)
{
	Flyteidl__Core__VariableMap *vm = NEW(Flyteidl__Core__VariableMap, flyteidl__core__variable_map__init);
	vm->variables = rt_arena_array(A, 16, sizeof *vm->variables);
	va_list ap;
	va_start(ap, name);
	for (const char *n = name; n; n = va_arg(ap, const char *)) {
		const flrt_type *t = va_arg(ap, const flrt_type *);
		Flyteidl__Core__VariableMap__VariablesEntry *e =
			NEW(Flyteidl__Core__VariableMap__VariablesEntry,
			    flyteidl__core__variable_map__variables_entry__init);
		Flyteidl__Core__Variable *v = NEW(Flyteidl__Core__Variable, flyteidl__core__variable__init);
		v->type = rt_literal_type(A, t);
		v->description = (char *)n;
		e->key = (char *)n;
		e->value = v;
		vm->variables[vm->n_variables++] = e;
	}
	va_end(ap);
	return vm;
}

static Flyteidl__Core__TypedInterface *iface(Flyteidl__Core__VariableMap *in,
					     Flyteidl__Core__VariableMap *out)
{
	Flyteidl__Core__TypedInterface *ti = NEW(Flyteidl__Core__TypedInterface,
						 flyteidl__core__typed_interface__init);
	ti->inputs = in;
	ti->outputs = out;
	return ti;
}

typedef struct task_opts {
	const char *fn;          /* the C task */
	bool map;                /* map-execute */
	const char *bound;
	uint32_t retries;
	int64_t timeout_ms;
	const char *cache;       /* cache version: discoverable */
	bool legacy;
	double legacy_ratio;
	const char *env_key, *env_value;   /* one env entry of the container */
} task_opts;

static Flyteidl__Admin__TaskSpec *task_spec(const char *name, Flyteidl__Core__TypedInterface *ti,
					    task_opts o)
{
	Flyteidl__Admin__TaskSpec *ts = NEW(Flyteidl__Admin__TaskSpec, flyteidl__admin__task_spec__init);
	Flyteidl__Core__TaskTemplate *tt = NEW(Flyteidl__Core__TaskTemplate,
					       flyteidl__core__task_template__init);
	Flyteidl__Core__TaskMetadata *md = NEW(Flyteidl__Core__TaskMetadata,
					       flyteidl__core__task_metadata__init);
	Flyteidl__Core__RetryStrategy *rs = NEW(Flyteidl__Core__RetryStrategy,
						flyteidl__core__retry_strategy__init);
	Flyteidl__Core__Container *c = NEW(Flyteidl__Core__Container, flyteidl__core__container__init);
	rs->retries = o.retries;
	md->retries = rs;
	if (o.timeout_ms) {
		Google__Protobuf__Duration *d = NEW(Google__Protobuf__Duration, google__protobuf__duration__init);
		d->seconds = o.timeout_ms / 1000;
		d->nanos = (int32_t)(o.timeout_ms % 1000 * 1000000);
		md->timeout = d;
	}
	if (o.cache) {
		md->discoverable = true;
		md->discovery_version = (char *)o.cache;
	}
	const char *args[] = { "testexe", o.map ? "map-execute" : "execute", "--inputs", "{{.input}}",
			       "--output-prefix", "{{.outputPrefix}}", "--raw-output-data-prefix",
			       "{{.rawOutputDataPrefix}}", "--task", o.fn,
			       o.map ? "--bound" : NULL, o.bound ? o.bound : "",
			       o.legacy ? "--legacy" : NULL };
	c->args = rt_arena_array(A, 13, sizeof(char *));
	for (size_t i = 0; i < 13; i++)
		if (args[i] || (i == 11 && o.map))
			c->args[c->n_args++] = (char *)args[i];
	c->image = "ghcr.io/acme/test:1";
	if (o.env_key) {
		c->env = rt_arena_array(A, 1, sizeof *c->env);
		c->env[0] = NEW(Flyteidl__Core__KeyValuePair, flyteidl__core__key_value_pair__init);
		c->env[0]->key = (char *)o.env_key;
		c->env[0]->value = (char *)o.env_value;
		c->n_env = 1;
	}
	tt->id = ident(1, name);
	tt->type = o.legacy ? "container_array" : "container";
	tt->metadata = md;
	tt->interface = ti;
	tt->target_case = FLYTEIDL__CORE__TASK_TEMPLATE__TARGET_CONTAINER;
	tt->container = c;
	if (o.legacy) {
		tt->task_type_version = 1;
		Google__Protobuf__Struct *st = NEW(Google__Protobuf__Struct, google__protobuf__struct__init);
		Google__Protobuf__Struct__FieldsEntry *fe = NEW(Google__Protobuf__Struct__FieldsEntry,
								google__protobuf__struct__fields_entry__init);
		Google__Protobuf__Value *v = NEW(Google__Protobuf__Value, google__protobuf__value__init);
		v->kind_case = GOOGLE__PROTOBUF__VALUE__KIND_NUMBER_VALUE;
		v->number_value = o.legacy_ratio;
		fe->key = "minSuccessRatio";
		fe->value = v;
		st->fields = rt_arena_array(A, 1, sizeof *st->fields);
		st->fields[0] = fe;
		st->n_fields = 1;
		tt->custom = st;
	}
	ts->template_ = tt;
	return ts;
}

static Flyteidl__Core__BindingData *bd_promise(const char *node, const char *var)
{
	Flyteidl__Core__BindingData *bd = NEW(Flyteidl__Core__BindingData, flyteidl__core__binding_data__init);
	Flyteidl__Core__OutputReference *o = NEW(Flyteidl__Core__OutputReference,
						 flyteidl__core__output_reference__init);
	o->node_id = (char *)node;
	o->var = (char *)var;
	bd->value_case = BIND(PROMISE);
	bd->promise = o;
	return bd;
}

static Flyteidl__Core__BindingData *bd_lit(Flyteidl__Core__Literal *l)
{
	Flyteidl__Core__BindingData *bd = NEW(Flyteidl__Core__BindingData, flyteidl__core__binding_data__init);
	bd->value_case = BIND(SCALAR);
	bd->scalar = l->scalar;
	return bd;
}

/* bd_ints(3, 1, 2, 3): a collection of integer constants */
static Flyteidl__Core__BindingData *bd_ints(size_t n, ...)
{
	Flyteidl__Core__BindingData *bd = NEW(Flyteidl__Core__BindingData, flyteidl__core__binding_data__init);
	Flyteidl__Core__BindingDataCollection *c = NEW(Flyteidl__Core__BindingDataCollection,
						       flyteidl__core__binding_data_collection__init);
	c->bindings = rt_arena_array(A, n + 1, sizeof *c->bindings);
	va_list ap;
	va_start(ap, n);
	for (size_t i = 0; i < n; i++)
		c->bindings[c->n_bindings++] = bd_lit(rt_lit_int(A, va_arg(ap, int)));
	va_end(ap);
	bd->value_case = BIND(COLLECTION);
	bd->collection = c;
	return bd;
}

typedef struct blist {
	Flyteidl__Core__Binding **b;
	size_t n;
} blist;

/* binds("x", bd, "y", bd, NULL) */
static blist binds(const char *var, ...)
{
	Flyteidl__Core__Binding **b = rt_arena_array(A, 16, sizeof *b);
	size_t n = 0;
	va_list ap;
	va_start(ap, var);
	for (const char *v = var; v; v = va_arg(ap, const char *)) {
		Flyteidl__Core__Binding *x = NEW(Flyteidl__Core__Binding, flyteidl__core__binding__init);
		x->var = (char *)v;
		x->binding = va_arg(ap, Flyteidl__Core__BindingData *);
		b[n++] = x;
	}
	va_end(ap);
	return (blist){ b, n };
}

static Flyteidl__Core__Node *node_task(const char *id, const char *task)
{
	Flyteidl__Core__Node *n = NEW(Flyteidl__Core__Node, flyteidl__core__node__init);
	Flyteidl__Core__TaskNode *tn = NEW(Flyteidl__Core__TaskNode, flyteidl__core__task_node__init);
	tn->reference_case = FLYTEIDL__CORE__TASK_NODE__REFERENCE_REFERENCE_ID;
	tn->reference_id = ident(1, task);
	n->id = (char *)id;
	n->target_case = FLYTEIDL__CORE__NODE__TARGET_TASK_NODE;
	n->task_node = tn;
	return n;
}

typedef struct arr_opts {
	int parallelism;         /* -1: unset */
	int min_successes;       /* -1: unset */
	float ratio;             /* < 0: unset */
	const char *bound;       /* one bound input */
	const char *lp;          /* map over a launch plan */
} arr_opts;

static Flyteidl__Core__Node *node_array(const char *id, const char *task, arr_opts o)
{
	Flyteidl__Core__Node *n = NEW(Flyteidl__Core__Node, flyteidl__core__node__init);
	Flyteidl__Core__ArrayNode *an = NEW(Flyteidl__Core__ArrayNode, flyteidl__core__array_node__init);
	Flyteidl__Core__Node *sub;
	if (o.lp) {
		sub = NEW(Flyteidl__Core__Node, flyteidl__core__node__init);
		Flyteidl__Core__WorkflowNode *wn = NEW(Flyteidl__Core__WorkflowNode,
						       flyteidl__core__workflow_node__init);
		wn->reference_case = FLYTEIDL__CORE__WORKFLOW_NODE__REFERENCE_LAUNCHPLAN_REF;
		wn->launchplan_ref = ident(3, o.lp);
		sub->id = (char *)o.lp;
		sub->target_case = FLYTEIDL__CORE__NODE__TARGET_WORKFLOW_NODE;
		sub->workflow_node = wn;
	} else {
		sub = node_task(task, task);
	}
	an->node = sub;
	if (o.parallelism >= 0) {
		an->parallelism_option_case = FLYTEIDL__CORE__ARRAY_NODE__PARALLELISM_OPTION_PARALLELISM;
		an->parallelism = (uint32_t)o.parallelism;
	}
	if (o.min_successes >= 0) {
		an->success_criteria_case = FLYTEIDL__CORE__ARRAY_NODE__SUCCESS_CRITERIA_MIN_SUCCESSES;
		an->min_successes = (uint32_t)o.min_successes;
	} else if (o.ratio >= 0) {
		an->success_criteria_case = FLYTEIDL__CORE__ARRAY_NODE__SUCCESS_CRITERIA_MIN_SUCCESS_RATIO;
		an->min_success_ratio = o.ratio;
	}
	if (o.bound) {
		an->bound_inputs = rt_arena_array(A, 1, sizeof(char *));
		an->bound_inputs[0] = (char *)o.bound;
		an->n_bound_inputs = 1;
	}
	n->id = (char *)id;
	n->target_case = FLYTEIDL__CORE__NODE__TARGET_ARRAY_NODE;
	n->array_node = an;
	return n;
}

static void node_inputs(Flyteidl__Core__Node *n, blist b)
{
	n->inputs = b.b;
	n->n_inputs = b.n;
	if (n->target_case == FLYTEIDL__CORE__NODE__TARGET_ARRAY_NODE) {
		n->array_node->node->inputs = b.b;
		n->array_node->node->n_inputs = b.n;
	}
}

static Flyteidl__Core__Node *node_wf(const char *id, const char *name, bool lp)
{
	Flyteidl__Core__Node *n = NEW(Flyteidl__Core__Node, flyteidl__core__node__init);
	Flyteidl__Core__WorkflowNode *wn = NEW(Flyteidl__Core__WorkflowNode, flyteidl__core__workflow_node__init);
	if (lp) {
		wn->reference_case = FLYTEIDL__CORE__WORKFLOW_NODE__REFERENCE_LAUNCHPLAN_REF;
		wn->launchplan_ref = ident(3, name);
	} else {
		wn->reference_case = FLYTEIDL__CORE__WORKFLOW_NODE__REFERENCE_SUB_WORKFLOW_REF;
		wn->sub_workflow_ref = ident(2, name);
	}
	n->id = (char *)id;
	n->target_case = FLYTEIDL__CORE__NODE__TARGET_WORKFLOW_NODE;
	n->workflow_node = wn;
	return n;
}

static Flyteidl__Core__WorkflowTemplate *wf_tmpl(const char *name, Flyteidl__Core__TypedInterface *ti,
						 size_t nn, Flyteidl__Core__Node **nodes, blist outs)
{
	Flyteidl__Core__WorkflowTemplate *t = NEW(Flyteidl__Core__WorkflowTemplate,
						  flyteidl__core__workflow_template__init);
	t->id = ident(2, name);
	t->metadata = NEW(Flyteidl__Core__WorkflowMetadata, flyteidl__core__workflow_metadata__init);
	t->interface = ti;
	t->nodes = nodes;
	t->n_nodes = nn;
	t->outputs = outs.b;
	t->n_outputs = outs.n;
	return t;
}

/* A module under construction */
typedef struct mod {
	struct flrt_entity ents[32];
	size_t n;
	flrt_module m;
} mod;

static void add_entity(mod *md, int kind, const char *name, ProtobufCMessage *msg)
{
	struct rt_msg err;
	uint8_t *data;
	size_t len;
	ck_assert(rt_pack_arena(A, msg, &data, &len, &err) == 0);
	md->ents[md->n++] = (struct flrt_entity){ kind, name, data, len };
	md->m = (flrt_module){ "test", test_tasks, sizeof test_tasks / sizeof test_tasks[0],
			       md->ents, md->n };
}

static void add_workflow(mod *md, Flyteidl__Core__WorkflowTemplate *t,
			 Flyteidl__Core__WorkflowTemplate *sub)
{
	Flyteidl__Admin__WorkflowSpec *ws = NEW(Flyteidl__Admin__WorkflowSpec,
						flyteidl__admin__workflow_spec__init);
	ws->template_ = t;
	if (sub) {
		ws->sub_workflows = rt_arena_array(A, 1, sizeof *ws->sub_workflows);
		ws->sub_workflows[0] = sub;
		ws->n_sub_workflows = 1;
	}
	add_entity(md, 2, t->id->name, &ws->base);
}

/* A launch plan: defaults ("k", literal, ...) and one fixed input (or NULL). */
static void add_lp(mod *md, const char *name, const char *wf, Flyteidl__Core__VariableMap *vars_,
		   const char *dflt_key, Flyteidl__Core__Literal *dflt, const char *fixed_key, Flyteidl__Core__Literal *fixed)
{
	Flyteidl__Admin__LaunchPlan *lp = NEW(Flyteidl__Admin__LaunchPlan, flyteidl__admin__launch_plan__init);
	Flyteidl__Admin__LaunchPlanSpec *sp = NEW(Flyteidl__Admin__LaunchPlanSpec,
						  flyteidl__admin__launch_plan_spec__init);
	Flyteidl__Core__ParameterMap *pm = NEW(Flyteidl__Core__ParameterMap, flyteidl__core__parameter_map__init);
	pm->parameters = rt_arena_array(A, 16, sizeof *pm->parameters);
	for (size_t i = 0; i < vars_->n_variables; i++) {
		const char *k = vars_->variables[i]->key;
		if (fixed_key && strcmp(k, fixed_key) == 0)
			continue;
		Flyteidl__Core__ParameterMap__ParametersEntry *e =
			NEW(Flyteidl__Core__ParameterMap__ParametersEntry,
			    flyteidl__core__parameter_map__parameters_entry__init);
		Flyteidl__Core__Parameter *p = NEW(Flyteidl__Core__Parameter, flyteidl__core__parameter__init);
		p->var = vars_->variables[i]->value;
		if (dflt_key && strcmp(k, dflt_key) == 0) {
			p->behavior_case = FLYTEIDL__CORE__PARAMETER__BEHAVIOR_DEFAULT;
			p->default_ = dflt;
		} else {
			p->behavior_case = FLYTEIDL__CORE__PARAMETER__BEHAVIOR_REQUIRED;
			p->required = true;
		}
		e->key = (char *)k;
		e->value = p;
		pm->parameters[pm->n_parameters++] = e;
	}
	sp->workflow_id = ident(2, wf);
	sp->default_inputs = pm;
	sp->fixed_inputs = rt_litmap_new(A, fixed_key ? 1 : 0);
	if (fixed_key)
		rt_litmap_set(sp->fixed_inputs, 0, fixed_key, fixed);
	lp->id = ident(3, name);
	lp->spec = sp;
	add_entity(md, 3, name, &lp->base);
}

#define MAP_SQUARE "test.map_square_6b3bd0353da5de6e84d7982921ead2b3-arraynode"

/* The common tasks: square, its map, mean, describe and its map, flaky. */
static void add_tasks(mod *md, task_opts map_opts)
{
	add_entity(md, 1, "test.square", &task_spec("test.square",
		iface(vars("x", &T_INT, NULL), vars("o0", &T_INT, NULL)),
		(task_opts){ .fn = "test.square" })->base);
	static const flrt_type list_opt_int = { .kind = FLRT_LIST, .elem = &T_OPT_INT };
	map_opts.fn = "test.square";
	map_opts.map = true;
	add_entity(md, 1, MAP_SQUARE, &task_spec(MAP_SQUARE,
		iface(vars("x", &T_LIST_INT, NULL), vars("o0", &list_opt_int, NULL)), map_opts)->base);
	add_entity(md, 1, "test.mean", &task_spec("test.mean",
		iface(vars("xs", &T_LIST_OPT_INT, NULL), vars("avg", &T_FLOAT, "n", &T_INT, NULL)),
		(task_opts){ .fn = "test.mean", .cache = "1.0" })->base);
	static const flrt_type list_str = { .kind = FLRT_LIST, .elem = &T_STR };
	add_entity(md, 1, "test.map_describe_0123456789abcdef0123456789abcdef-arraynode",
		&task_spec("test.map_describe_0123456789abcdef0123456789abcdef-arraynode",
		iface(vars("i", &T_LIST_INT, "label", &T_STR, NULL), vars("o0", &list_str, NULL)),
		(task_opts){ .fn = "test.describe", .map = true, .bound = "label" })->base);
	add_entity(md, 1, "test.flaky", &task_spec("test.flaky",
		iface(vars("x", &T_INT, "dir", &T_STR, NULL), vars("o0", &T_INT, NULL)),
		(task_opts){ .fn = "test.flaky", .retries = 3 })->base);
}

/* workflow test.wf(xs: list[int]) -> (avg, n):  n0 = map(square)(x=xs); n1 = mean(xs=n0.o0) */
static void add_pipeline(mod *md, arr_opts ao)
{
	Flyteidl__Core__Node **nodes = rt_arena_array(A, 2, sizeof *nodes);
	nodes[0] = node_array("n0", MAP_SQUARE, ao);
	node_inputs(nodes[0], binds("x", bd_promise("", "xs"), NULL));
	nodes[1] = node_task("n1", "test.mean");
	node_inputs(nodes[1], binds("xs", bd_promise("n0", "o0"), NULL));
	nodes[1]->upstream_node_ids = rt_arena_array(A, 1, sizeof(char *));
	nodes[1]->upstream_node_ids[0] = "n0";
	nodes[1]->n_upstream_node_ids = 1;
	blist outs = binds("avg", bd_promise("n1", "avg"),
					       "n", bd_promise("n1", "n"),
					       "squares", bd_promise("n0", "o0"), NULL);
	static const flrt_type list_opt_int = { .kind = FLRT_LIST, .elem = &T_OPT_INT };
	add_workflow(md, wf_tmpl("test.wf", iface(vars("xs", &T_LIST_INT, NULL),
		vars("avg", &T_FLOAT, "n", &T_INT, "squares", &list_opt_int, NULL)), 2, nodes, outs),
		NULL);
}

static cli run_args(mod *md, const char *a0, ...)
{
	const char *args[40];
	size_t n = 0;
	args[n++] = "run";
	va_list ap;
	va_start(ap, a0);
	for (const char *a = a0; a && n < 39; a = va_arg(ap, const char *))
		args[n++] = a;
	va_end(ap);
	args[n] = NULL;
	return run_cli(&md->m, args);
}

#define ASSERT_OUT(c, want) \
	do { \
		ck_assert_msg((c).status == 0, "status %d, stderr:\n%s", (c).status, (c).err); \
		ck_assert_str_eq((c).out, want); \
	} while (0)

/* ---- tests ---------------------------------------------------------------------- */
START_TEST(run_task_directly)
{
	mod md = { 0 };
	add_tasks(&md, (task_opts){ 0 });
	cli c = run_args(&md, "test.square", "x=7", NULL);
	ASSERT_OUT(c, "{\"o0\": 49}\n");
	cli_free(&c);
	c = run_args(&md, "square", "x=8", "--isolation", "inprocess", NULL);   /* short name */
	ASSERT_OUT(c, "{\"o0\": 64}\n");
	cli_free(&c);
	/* a map task run directly is an array node */
	c = run_args(&md, MAP_SQUARE, "x=[1,2,3]", NULL);
	ASSERT_OUT(c, "{\"o0\": [1, 4, 9]}\n");
	cli_free(&c);
	c = run_args(&md, "test.square", "x=-3", NULL);
	ck_assert_int_eq(c.status, 1);
	ck_assert_uint_eq(c.outlen, 0);
	ck_assert_ptr_nonnull(strstr(c.err, "node n0 (test.square): negative input -3"));
	cli_free(&c);
}
END_TEST

START_TEST(run_input_errors)
{
	mod md = { 0 };
	add_tasks(&md, (task_opts){ 0 });
	add_pipeline(&md, (arr_opts){ -1, -1, -1, NULL, NULL });
	cli c = run_args(&md, "test.wf", NULL);
	ck_assert_int_eq(c.status, 2);
	ck_assert_ptr_nonnull(strstr(c.err, "missing input 'xs' (list[int])"));
	cli_free(&c);
	c = run_args(&md, "test.wf", "ys=[1]", NULL);
	ck_assert_int_eq(c.status, 2);
	ck_assert_ptr_nonnull(strstr(c.err, "workflow test.wf has no input 'ys' (its inputs: xs)"));
	cli_free(&c);
	c = run_args(&md, "test.wf", "xs=[1,\"a\"]", NULL);
	ck_assert_int_eq(c.status, 2);
	ck_assert_ptr_nonnull(strstr(c.err, "input 'xs' (list[int]): [1]: expected an integer, found a string"));
	cli_free(&c);
	c = run_args(&md, "nothing", NULL);
	ck_assert_int_eq(c.status, 2);
	ck_assert_ptr_nonnull(strstr(c.err, "no workflow, launch plan, task or map named 'nothing'"));
	cli_free(&c);
	c = run_args(&md, "test.wf", "xs=[1]", "--jobs", "0", NULL);
	ck_assert_int_eq(c.status, 2);
	cli_free(&c);
	c = run_args(&md, "test.wf", "xs=[1]", "--isolation", "vm", NULL);
	ck_assert_int_eq(c.status, 2);
	cli_free(&c);
}
END_TEST

/* ratio 0.5 over 4 elements: 2 failures are tolerated, failed elements are none */
START_TEST(run_map_tolerates_failures)
{
	mod md = { 0 };
	add_tasks(&md, (task_opts){ 0 });
	add_pipeline(&md, (arr_opts){ 2, -1, 0.5f, NULL, NULL });
	cli c = run_args(&md, "test.wf", "xs=[1,-2,3,-4]", "--no-cache", NULL);
	ASSERT_OUT(c, "{\"avg\": 5.0, \"n\": 2, \"squares\": [1, null, 9, null]}\n");
	cli_free(&c);
	c = run_args(&md, "test.wf", "xs=[1,-2,3,-4]", "--no-cache", "--isolation", "inprocess", NULL);
	ASSERT_OUT(c, "{\"avg\": 5.0, \"n\": 2, \"squares\": [1, null, 9, null]}\n");
	cli_free(&c);
	/* one more failure is one too many */
	c = run_args(&md, "test.wf", "xs=[1,-2,-3,-4]", "--no-cache", NULL);
	ck_assert_int_eq(c.status, 1);
	/* element 0 may be aborted before it finishes: 0 or 1 succeeded */
	ck_assert_ptr_nonnull(strstr(c.err, "node n0 (" MAP_SQUARE "): "));
	ck_assert_ptr_nonnull(strstr(c.err, " of 4 elements succeeded, 2 needed"));
	ck_assert_ptr_nonnull(strstr(c.err, "2: negative input -3"));
	cli_free(&c);
}
END_TEST

/* A crash (SIGSEGV, abort) in process mode is a failed element, not the end. */
START_TEST(run_crash_isolated)
{
	mod md = { 0 };
	add_tasks(&md, (task_opts){ .retries = 1 });
	add_pipeline(&md, (arr_opts){ -1, -1, 0.25f, NULL, NULL });
	cli c = run_args(&md, "test.wf", "xs=[2,666,888,3]", "--no-cache", "--isolation=process", NULL);
	ASSERT_OUT(c, "{\"avg\": 6.5, \"n\": 2, \"squares\": [4, null, null, 9]}\n");
	cli_free(&c);
	/* errors summarized by index range, as propeller's errorcollector */
	c = run_args(&md, "test.wf", "xs=[666,666,888,666]", "--no-cache", "--output-dir",
		     tpath("od"), NULL);
	ck_assert_int_eq(c.status, 1);
	ck_assert_ptr_nonnull(strstr(c.err, "0 of 4 elements succeeded, 1 needed"));
	/* under AddressSanitizer a SIGSEGV becomes its report and exit status 1 */
#if defined(__SANITIZE_ADDRESS__)
	ck_assert_ptr_nonnull(strstr(c.err, "0-1,3: the task exited with status 1"));
#else
	ck_assert_ptr_nonnull(strstr(c.err, "0-1,3: the task crashed: signal 11"));
#endif
	ck_assert_ptr_nonnull(strstr(c.err, "2: the task crashed: signal 6"));
	Flyteidl__Core__ErrorDocument *d = read_pb(A, tpath("od/n0/1/error.pb"),
						   &flyteidl__core__error_document__descriptor);
	ck_assert_str_eq(d->error->code, "USER:Crash");
	ck_assert_int_eq(d->error->kind, FLYTEIDL__CORE__CONTAINER_ERROR__KIND__RECOVERABLE);
	ck_assert(file_exists(tpath("od/n0/error.pb")));
	ck_assert(!file_exists(tpath("od/n1/inputs.pb")));   /* never started */
	cli_free(&c);
}
END_TEST

START_TEST(run_timeout)
{
	mod md = { 0 };
	add_tasks(&md, (task_opts){ .timeout_ms = 300 });
	add_pipeline(&md, (arr_opts){ -1, -1, 0.5f, NULL, NULL });
	int64_t t0 = rt_now_ns();
	cli c = run_args(&md, "test.wf", "xs=[777,5]", "--no-cache", "--output-dir", tpath("od"), NULL);
	ASSERT_OUT(c, "{\"avg\": 25.0, \"n\": 1, \"squares\": [null, 25]}\n");
	ck_assert_int_lt(rt_now_ns() - t0, 5000000000LL);
	Flyteidl__Core__ErrorDocument *d = read_pb(A, tpath("od/n0/0/error.pb"),
						   &flyteidl__core__error_document__descriptor);
	ck_assert_str_eq(d->error->code, "USER:Timeout");
	ck_assert_ptr_nonnull(strstr(d->error->message, "timed out after 0.3s"));
	cli_free(&c);
}
END_TEST

START_TEST(run_retries)
{
	mod md = { 0 };
	add_tasks(&md, (task_opts){ 0 });
	char dir[600];
	snprintf(dir, sizeof dir, "dir=%s", test_dir);
	/* fails recoverably twice, succeeds on attempt 2 (retries 3) */
	cli c = run_args(&md, "test.flaky", "x=1", dir, NULL);
	ASSERT_OUT(c, "{\"o0\": 201}\n");
	cli_free(&c);
	c = run_args(&md, "test.flaky", "x=2", dir, "--isolation", "inprocess", NULL);
	ASSERT_OUT(c, "{\"o0\": 202}\n");
	cli_free(&c);
	/* a recoverable failure without retries left fails */
	c = run_args(&md, "test.square", "x=13", NULL);
	ck_assert_int_eq(c.status, 1);
	ck_assert_ptr_nonnull(strstr(c.err, "unlucky 13"));
	cli_free(&c);
	/* map elements are retried one by one (retries 2: three attempts) */
	mod m2 = { 0 };
	add_tasks(&m2, (task_opts){ .retries = 2 });
	add_pipeline(&m2, (arr_opts){ -1, -1, 0.5f, NULL, NULL });
	c = run_args(&m2, "test.wf", "xs=[13,3]", "--no-cache", "--output-dir", tpath("od"), NULL);
	ASSERT_OUT(c, "{\"avg\": 9.0, \"n\": 1, \"squares\": [null, 9]}\n");
	Flyteidl__Core__ErrorDocument *d = read_pb(A, tpath("od/n0/0/error.pb"),
						   &flyteidl__core__error_document__descriptor);
	ck_assert_str_eq(d->error->code, "USER:Recoverable");
	cli_free(&c);
}
END_TEST

START_TEST(run_map_sizes)
{
	mod md = { 0 };
	add_tasks(&md, (task_opts){ 0 });
	add_pipeline(&md, (arr_opts){ -1, -1, -1, NULL, NULL });
	/* an empty list: empty outputs */
	cli c = run_args(&md, "test.wf", "xs=[]", "--no-cache", NULL);
	ASSERT_OUT(c, "{\"avg\": 0.0, \"n\": 0, \"squares\": []}\n");
	cli_free(&c);

	/* unequal lengths: test.uneq(a, b) = map(describe)(i=a, label=b) without bound inputs */
	mod m2 = { 0 };
	static const flrt_type list_str = { .kind = FLRT_LIST, .elem = &T_STR };
	add_entity(&m2, 1, "test.map_describe_ffffffffffffffffffffffffffffffff-arraynode",
		&task_spec("test.map_describe_ffffffffffffffffffffffffffffffff-arraynode",
		iface(vars("i", &T_LIST_INT, "label", &list_str, NULL), vars("o0", &list_str, NULL)),
		(task_opts){ .fn = "test.describe", .map = true })->base);
	Flyteidl__Core__Node **nodes = rt_arena_array(A, 1, sizeof *nodes);
	nodes[0] = node_array("n0", "test.map_describe_ffffffffffffffffffffffffffffffff-arraynode",
			      (arr_opts){ -1, -1, -1, NULL, NULL });
	node_inputs(nodes[0], binds("i", bd_promise("", "a"), "label", bd_promise("", "b"), NULL));
	blist outs = binds("o0", bd_promise("n0", "o0"), NULL);
	add_workflow(&m2, wf_tmpl("test.uneq", iface(vars("a", &T_LIST_INT, "b", &list_str, NULL),
		vars("o0", &list_str, NULL)), 1, nodes, outs), NULL);
	c = run_args(&m2, "test.uneq", "a=[1,2,3]", "b=[\"x\",\"y\"]", NULL);
	ck_assert_int_eq(c.status, 1);
	ck_assert_ptr_nonnull(strstr(c.err, "input arrays have different lengths: expecting '3' found '2'"));
	cli_free(&c);
	c = run_args(&m2, "test.uneq", "a=[1,2]", "b=[\"x\",\"y\"]", NULL);
	ASSERT_OUT(c, "{\"o0\": [\"x-1\", \"y-2\"]}\n");
	cli_free(&c);

	/* every input bound: one element; a scalar unbound input: no input array */
	mod m3 = { 0 };
	add_tasks(&m3, (task_opts){ 0 });
	nodes = rt_arena_array(A, 2, sizeof *nodes);
	nodes[0] = node_array("n0", "test.map_describe_0123456789abcdef0123456789abcdef-arraynode",
			      (arr_opts){ -1, -1, -1, "label", NULL });
	nodes[0]->array_node->bound_inputs = rt_arena_array(A, 2, sizeof(char *));
	nodes[0]->array_node->bound_inputs[0] = "i";
	nodes[0]->array_node->bound_inputs[1] = "label";
	nodes[0]->array_node->n_bound_inputs = 2;
	node_inputs(nodes[0], binds("i", bd_lit(rt_lit_int(A, 4)),
				    "label", bd_lit(rt_lit_str(A, "all")), NULL));
	nodes[1] = node_array("n1", MAP_SQUARE, (arr_opts){ -1, -1, -1, NULL, NULL });
	node_inputs(nodes[1], binds("x", bd_lit(rt_lit_int(A, 4)), NULL));
	outs = binds("o0", bd_promise("n0", "o0"), NULL);
	add_workflow(&m3, wf_tmpl("test.once", iface(vars(NULL), vars("o0", &list_str, NULL)),
		1, nodes, outs), NULL);
	add_workflow(&m3, wf_tmpl("test.noarray", iface(vars(NULL), vars(NULL)), 1, nodes + 1, (blist){ 0 }),
		     NULL);
	c = run_args(&m3, "test.once", NULL);
	ASSERT_OUT(c, "{\"o0\": [\"all-4\"]}\n");
	cli_free(&c);
	c = run_args(&m3, "test.noarray", NULL);
	ck_assert_int_eq(c.status, 1);
	ck_assert_ptr_nonnull(strstr(c.err, "no input array provided"));
	cli_free(&c);
}
END_TEST

/* propeller's rule: min_successes if set, else ceil(float32 ratio x n) */
START_TEST(run_success_rule)
{
	mod md = { 0 };
	add_tasks(&md, (task_opts){ 0 });
	add_pipeline(&md, (arr_opts){ -1, 3, -1, NULL, NULL });
	cli c = run_args(&md, "test.wf", "xs=[1,-1,2,3]", "--no-cache", NULL);
	ASSERT_OUT(c, "{\"avg\": 4.666666666666667, \"n\": 3, \"squares\": [1, null, 4, 9]}\n");
	cli_free(&c);
	/* more successes than elements can never be met */
	mod m2 = { 0 };
	add_tasks(&m2, (task_opts){ 0 });
	add_pipeline(&m2, (arr_opts){ -1, 5, -1, NULL, NULL });
	c = run_args(&m2, "test.wf", "xs=[1,2,3,4]", "--no-cache", NULL);
	ck_assert_int_eq(c.status, 1);
	ck_assert_ptr_nonnull(strstr(c.err, "5 needed"));
	cli_free(&c);
	/* ratio 0.1 over 10 needs 2 (float32), not 1: one success fails */
	mod m3 = { 0 };
	add_tasks(&m3, (task_opts){ 0 });
	add_pipeline(&m3, (arr_opts){ -1, -1, 0.1f, NULL, NULL });
	c = run_args(&m3, "test.wf", "xs=[1,-1,-1,-1,-1,-1,-1,-1,-1,-1]", "--no-cache", "--jobs", "4", NULL);
	ck_assert_int_eq(c.status, 1);
	ck_assert_ptr_nonnull(strstr(c.err, "2 needed"));
	cli_free(&c);
	c = run_args(&m3, "test.wf", "xs=[1,2,-1,-1,-1,-1,-1,-1,-1,-1]", "--no-cache", NULL);
	ASSERT_OUT(c, "{\"avg\": 2.5, \"n\": 2, \"squares\": [1, 4, null, null, null, null, null, "
		      "null, null, null]}\n");
	cli_free(&c);
}
END_TEST

START_TEST(run_cache)
{
	mod md = { 0 };
	add_tasks(&md, (task_opts){ .cache = "v1" });
	add_pipeline(&md, (arr_opts){ -1, -1, -1, NULL, NULL });
	cli c = run_args(&md, "test.wf", "xs=[1,2,3]", NULL);
	ASSERT_OUT(c, "{\"avg\": 4.666666666666667, \"n\": 3, \"squares\": [1, 4, 9]}\n");
	ck_assert_ptr_null(strstr(c.err, "cached:"));
	cli_free(&c);
	ck_assert(file_exists(tpath("cache/cache.sqlite")));
	c = run_args(&md, "test.wf", "xs=[1,2,3]", "--isolation", "inprocess", NULL);
	ASSERT_OUT(c, "{\"avg\": 4.666666666666667, \"n\": 3, \"squares\": [1, 4, 9]}\n");
	ck_assert_ptr_nonnull(strstr(c.err, "cached: n1 test.mean\n"));
	ck_assert_ptr_nonnull(strstr(c.err, "cached: n0 " MAP_SQUARE " (3 of 3 elements)"));
	cli_free(&c);
	/* other inputs: partly cached elements, a new mean */
	c = run_args(&md, "test.wf", "xs=[3,4]", NULL);
	ASSERT_OUT(c, "{\"avg\": 12.5, \"n\": 2, \"squares\": [9, 16]}\n");
	ck_assert_ptr_nonnull(strstr(c.err, "(1 of 2 elements)"));
	ck_assert_ptr_null(strstr(c.err, "cached: n1"));
	cli_free(&c);
	/* --no-cache reads nothing */
	c = run_args(&md, "test.wf", "xs=[1,2,3]", "--no-cache", NULL);
	ck_assert_ptr_null(strstr(c.err, "cached:"));
	cli_free(&c);
	/* another cache version misses */
	mod m2 = { 0 };
	add_tasks(&m2, (task_opts){ .cache = "v2" });
	add_pipeline(&m2, (arr_opts){ -1, -1, -1, NULL, NULL });
	c = run_args(&m2, "test.wf", "xs=[1,2,3]", NULL);
	ck_assert_ptr_null(strstr(c.err, "cached: n0"));
	ck_assert_ptr_nonnull(strstr(c.err, "cached: n1 test.mean"));   /* mean's version is 1.0 */
	cli_free(&c);
}
END_TEST

/* ---- the cache ------------------------------------------------------------------ */
/* The same task and cache version with another output type: another key
 * (the interface is in it, as in flytepropeller's dataset version). */
START_TEST(run_cache_interface)
{
	mod m1 = { 0 }, m2 = { 0 };
	add_entity(&m1, 1, "test.t", &task_spec("test.t", iface(vars("x", &T_INT, NULL),
		vars("o0", &T_INT, NULL)), (task_opts){ .fn = "test.square", .cache = "1" })->base);
	add_entity(&m2, 1, "test.t", &task_spec("test.t", iface(vars("x", &T_INT, NULL),
		vars("o0", &T_STR, NULL)), (task_opts){ .fn = "test.show", .cache = "1" })->base);
	cli c = run_args(&m1, "test.t", "x=3", NULL);
	ASSERT_OUT(c, "{\"o0\": 9}\n");
	cli_free(&c);
	c = run_args(&m2, "test.t", "x=3", NULL);
	ASSERT_OUT(c, "{\"o0\": \"x=3\"}\n");
	ck_assert_str_eq(c.err, "");   /* neither a hit nor a bad entry: another key */
	cli_free(&c);
	c = run_args(&m1, "test.t", "x=3", NULL);
	ASSERT_OUT(c, "{\"o0\": 9}\n");
	ck_assert_str_eq(c.err, "cached: n0 test.t\n");
	cli_free(&c);
	c = run_args(&m2, "test.t", "x=3", NULL);
	ASSERT_OUT(c, "{\"o0\": \"x=3\"}\n");
	ck_assert_str_eq(c.err, "cached: n0 test.t\n");
	cli_free(&c);
}
END_TEST

static void sql(const char *stmt, const uint8_t *blob, size_t len, int changes)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	ck_assert_int_eq(sqlite3_open(tpath("cache/cache.sqlite"), &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, stmt, -1, &s, NULL), SQLITE_OK);
	if (blob != NULL)
		sqlite3_bind_blob(s, 1, blob, (int)len, SQLITE_STATIC);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_DONE);
	ck_assert_int_eq(sqlite3_changes(db), changes);
	sqlite3_finalize(s);
	sqlite3_close(db);
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0;
	for (; (s = strstr(s, what)) != NULL; s++)
		n++;
	return n;
}

#define WF_123 "{\"avg\": 4.666666666666667, \"n\": 3, \"squares\": [1, 4, 9]}\n"

/* A hit is checked against the task's outputs; a bad row is a miss that
 * the call replaces. */
START_TEST(run_cache_bad_entry)
{
	mod md = { 0 };
	add_tasks(&md, (task_opts){ .cache = "v1" });
	add_pipeline(&md, (arr_opts){ -1, -1, -1, NULL, NULL });
	cli c = run_args(&md, "test.wf", "xs=[1,2,3]", NULL);
	ASSERT_OUT(c, WF_123);
	cli_free(&c);
	sql("UPDATE entries SET outputs = x''", NULL, 0, 4);
	c = run_args(&md, "test.wf", "xs=[1,2,3]", NULL);
	ASSERT_OUT(c, WF_123);
	ck_assert_str_eq(c.err,
		"run: ignoring a bad cache entry of " MAP_SQUARE " (version v1): 0 outputs, the task declares 1\n"
		"run: ignoring a bad cache entry of " MAP_SQUARE " (version v1): 0 outputs, the task declares 1\n"
		"run: ignoring a bad cache entry of " MAP_SQUARE " (version v1): 0 outputs, the task declares 1\n"
		"run: ignoring a bad cache entry of test.mean (version 1.0): 0 outputs, the task declares 2\n");
	cli_free(&c);
	c = run_args(&md, "test.wf", "xs=[1,2,3]", NULL);   /* replaced */
	ASSERT_OUT(c, WF_123);
	ck_assert_str_eq(c.err, "cached: n0 " MAP_SQUARE " (3 of 3 elements)\ncached: n1 test.mean\n");
	cli_free(&c);
	/* the right names, a value of another type */
	Flyteidl__Core__LiteralMap *m = rt_litmap_new(A, 1);
	rt_litmap_set(m, 0, "o0", rt_lit_str(A, "nine"));
	uint8_t *p;
	size_t n;
	struct rt_msg err;
	ck_assert_int_eq(rt_pack_arena(A, &m->base, &p, &n, &err), 0);
	sql("UPDATE entries SET outputs = ?1 WHERE task = '" MAP_SQUARE "'", p, n, 3);
	c = run_args(&md, "test.wf", "xs=[1,2,3]", NULL);
	ASSERT_OUT(c, WF_123);
	ck_assert_uint_eq(count(c.err, "run: ignoring a bad cache entry of " MAP_SQUARE
				" (version v1): output 'o0': "), 3);
	ck_assert_uint_eq(count(c.err, "\n"), 4);
	ck_assert_ptr_nonnull(strstr(c.err, "cached: n1 test.mean\n"));
	cli_free(&c);
}
END_TEST

static size_t count_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;
	for (int ch; f != NULL && (ch = getc(f)) != EOF;)
		n += ch == '\n';
	if (f != NULL)
		fclose(f);
	return n;
}

/* valgrind preloads its own libraries */
static bool under_valgrind(void)
{
	const char *p = getenv("LD_PRELOAD");
	return p != NULL && strstr(p, "vgpreload") != NULL;
}

/* A whole file as a string (in A); "" when it cannot be read. */
static char *slurp(const char *path)
{
	uint8_t *data;
	size_t len;
	struct rt_msg e;
	if (rt_read_file(A, path, &data, &len, &e) < 0)
		return "";
	char *s = rt_arena_alloc(A, len + 1);
	memcpy(s, data, len);
	s[len] = 0;
	return s;
}

/* Runs test.wf over xs in a child (isolation iso) whose last elements (777,
 * 555) never end; returns its pid once the first n elements have written
 * their outputs and npids hanging processes are recorded (and a moment
 * more). The run's stderr goes to stuck.err. */
static pid_t run_stuck_in(mod *md, const char *xs, int n, const char *iso, size_t npids)
{
	fflush(NULL);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		signal(SIGTERM, SIG_DFL);   /* Check's handler passes it on to the group */
		cli c = run_args(md, "test.wf", xs, "--isolation", iso, "--jobs", "16",
				 "--output-dir", tpath("od"), NULL);
		FILE *f = fopen(tpath("stuck.err"), "w");
		if (f != NULL) {
			fputs(c.err, f);
			fclose(f);
		}
		/* the status in a file, then an end without an exit: an interrupted
		 * in-process run leaves its memory to the process's end on purpose,
		 * which valgrind's leak check at exit would count */
		if ((f = fopen(tpath("stuck.status"), "w")) != NULL) {
			fprintf(f, "%d\n", c.status);
			fclose(f);
		}
		raise(SIGKILL);
	}
	int done = 0;
	for (int t = 0; t < 2000 && (done < n || count_lines(tpath("pids")) < npids); t++) {
		usleep(10000);
		done = 0;
		for (int i = 0; i < n; i++)
			done += file_exists(tpath(rt_arena_printf(A, "od/n0/%d/outputs.pb", i)));
	}
	ck_assert_int_eq(done, n);
	usleep(300000);
	return pid;
}

/* Waits for a run_stuck_in child: the status its run returned (-1: none). */
static int stuck_status(pid_t pid)
{
	int st, status = -1;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	FILE *f = fopen(tpath("stuck.status"), "r");
	if (f != NULL) {
		if (fscanf(f, "%d", &status) != 1)
			status = -1;
		fclose(f);
	}
	return status;
}

static pid_t run_stuck(mod *md, const char *xs, int n)
{
	return run_stuck_in(md, xs, n, "inprocess", 0);
}

/* Is pid a live process (not gone, not a zombie)? */
static bool alive(int pid)
{
	char path[64], buf[256];
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return false;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = 0;
	const char *p = strrchr(buf, ')');
	return p != NULL && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
}

/* Every process recorded in pids is gone (a moment for SIGKILL to land),
 * and none was in the test's process group. Returns how many there were. */
static size_t assert_pids_gone(void)
{
	FILE *f = fopen(tpath("pids"), "r");
	ck_assert_ptr_nonnull(f);
	int pid, pgid;
	size_t n = 0;
	while (fscanf(f, "%d %d", &pid, &pgid) == 2) {
		ck_assert_int_ne(pgid, (int)getpgrp());
		for (int t = 0; t < 200 && alive(pid); t++)
			usleep(10000);
		ck_assert_msg(!alive(pid), "process %d (group %d) survived", pid, pgid);
		n++;
	}
	fclose(f);
	return n;
}

#define XS_10 "xs=[1,2,3,4,5,6,7,8,9,10]"
#define WF_10 "{\"avg\": 38.5, \"n\": 10, \"squares\": [1, 4, 9, 16, 25, 36, 49, 64, 81, 100]}\n"

/* What finished is in the cache when the run is killed. */
START_TEST(run_cache_sigterm)
{
	mod md = { 0 };
	add_tasks(&md, (task_opts){ .cache = "v1" });
	add_pipeline(&md, (arr_opts){ -1, -1, -1, NULL, NULL });
	pid_t pid = run_stuck(&md, "xs=[1,2,3,4,5,6,7,8,9,10,777]", 10);
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	/* the in-process call that hangs cannot be stopped: the run ends without it */
	ck_assert_int_eq(stuck_status(pid), 143);
	cli c = run_args(&md, "test.wf", XS_10, NULL);
	ASSERT_OUT(c, WF_10);
	ck_assert_str_eq(c.err, "cached: n0 " MAP_SQUARE " (10 of 10 elements)\n");
	cli_free(&c);
}
END_TEST

/* SIGTERM to a run with process isolation: it stops and reaps every
 * element's process group (a child an element forked included), says what
 * it stopped, keeps what finished and exits 128 + 15. */
START_TEST(run_sigterm_stops_elements)
{
	mod md = { 0 };
	add_tasks(&md, (task_opts){ .cache = "v1" });
	add_pipeline(&md, (arr_opts){ -1, -1, -1, NULL, NULL });
	setenv("FLRT_TEST_PIDS", tpath("pids"), 1);
	pid_t pid = run_stuck_in(&md, "xs=[1,2,3,4,5,6,7,8,9,10,777,555,777]", 10, "process", 4);
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	int st = stuck_status(pid);
	unsetenv("FLRT_TEST_PIDS");
	ck_assert_int_eq(st, 143);
	ck_assert_uint_eq(assert_pids_gone(), 4);
	char *err;
	err = slurp(tpath("stuck.err"));
	ck_assert_ptr_nonnull(strstr((char *)err, "run: interrupted by signal 15 (Terminated): n0 "
				     MAP_SQUARE " (elements 10-12 stopped; 10 of 13 done)\n"
				     "run: finished results are kept (the cache, --output-dir)\n"));
	cli c = run_args(&md, "test.wf", XS_10, NULL);
	ASSERT_OUT(c, WF_10);
	ck_assert_str_eq(c.err, "cached: n0 " MAP_SQUARE " (10 of 10 elements)\n");
	cli_free(&c);
}
END_TEST

/* With few descriptors (ulimit -n 32) and --jobs 30, calls wait for one
 * another rather than fail ("cannot create a pipe: Too many open files"). */
START_TEST(run_few_descriptors)
{
	mod md = { 0 };
	add_tasks(&md, (task_opts){ 0 });
	add_pipeline(&md, (arr_opts){ -1, -1, -1, NULL, NULL });
	struct base_buf xs = { 0 }, want = { 0 };
	base_buf_printf(&xs, "xs=[");
	for (int i = 0; i < 60; i++)
		base_buf_printf(&xs, "%s%d", i ? "," : "", 20 + i);   /* not 13: it fails */
	base_buf_printf(&xs, "]");
	fflush(NULL);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct rlimit rl = { 32, 32 };
		setrlimit(RLIMIT_NOFILE, &rl);
		cli c = run_args(&md, "test.wf", xs.data, "--jobs", "30", "--no-cache", NULL);
		FILE *f = fopen(tpath("few.err"), "w");
		if (f != NULL) {
			fprintf(f, "%s", c.err);
			fclose(f);
		}
		_exit(c.status == 0 && strstr(c.out, "\"n\": 60") != NULL ? 0 : 1);
	}
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	char *err;
	err = slurp(tpath("few.err"));
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x, stderr:\n%s", st, err);
	/* (valgrind keeps descriptors of its own: the limit is not reached there) */
	ck_assert(under_valgrind() || strstr((char *)err, "run: cannot create a pipe: Too many open files with ") != NULL);
	ck_assert_ptr_null(strstr((char *)err, "failed"));
	base_buf_free(&xs);
	base_buf_free(&want);
}
END_TEST

/* Runs args in a child whose stderr (fd 2 too) goes to NAME.err; its wait status. */
static int run_in_child(mod *md, const char *name, const char *const *args)
{
	fflush(NULL);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		FILE *f = fopen(tpath(rt_arena_printf(A, "%s.err", name)), "w");
		if (f == NULL)
			_exit(99);
		dup2(fileno(f), STDERR_FILENO);
		cli c = run_cli(&md->m, args);
		fputs(c.err, f);
		fclose(f);
		_exit(c.status);
	}
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	return st;
}

/* --isolation inprocess says what it cannot do: a task that calls exit()
 * does not pass for a success, a crash names its task, a timeout is not
 * enforced (and it says so). */
START_TEST(run_inprocess_limits)
{
	mod md = { 0 };
	add_tasks(&md, (task_opts){ .timeout_ms = 60000 });
	char *err;
	const char *ex[] = { "run", "test.square", "x=999", "--isolation", "inprocess", NULL };
	int st = run_in_child(&md, "exit", ex);
	err = slurp(tpath("exit.err"));
	/* under valgrind, its leak check of the abandoned run decides the status (99) */
	ck_assert_msg(WIFEXITED(st) && (WEXITSTATUS(st) == 1 || (under_valgrind() && WEXITSTATUS(st) == 99)),
		      "status %#x: %s", st, err);
	ck_assert_ptr_nonnull(strstr((char *)err, "run: task test.square called exit(0) under "
				     "--isolation inprocess: the whole run ends with it"));
	const char *crash[] = { "run", MAP_SQUARE, "x=[1,666]", "--isolation", "inprocess", "--jobs", "1", NULL };
	st = run_in_child(&md, "crash", crash);
	err = slurp(tpath("crash.err"));
	ck_assert_msg(st != 0, "a crash passed: %s", err);
	ck_assert_ptr_nonnull(strstr((char *)err, "run: task test.square (map element 1) crashed under "
				     "--isolation inprocess: signal 11 (Segmentation fault)"));
	cli c = run_args(&md, MAP_SQUARE, "x=[1,2]", "--isolation", "inprocess", NULL);
	ASSERT_OUT(c, "{\"o0\": [1, 4]}\n");
	ck_assert_str_eq(c.err, "run: task " MAP_SQUARE " has a timeout of 60s, which --isolation "
			 "inprocess does not enforce\n");
	cli_free(&c);
	/* an in-process call that never returns: the third SIGTERM ends the run */
	setenv("FLRT_TEST_PIDS", tpath("pids"), 1);
	fflush(NULL);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		signal(SIGTERM, SIG_DFL);
		c = run_args(&md, "test.square", "x=777", "--isolation", "inprocess", "--jobs", "1", NULL);
		_exit(c.status);
	}
	unsetenv("FLRT_TEST_PIDS");
	for (int t = 0; t < 2000 && count_lines(tpath("pids")) < 1; t++)
		usleep(10000);
	for (int k = 0; k < 3; k++) {
		ck_assert_int_eq(kill(pid, SIGTERM), 0);
		usleep(100000);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "status %#x", st);
	/* the same crash with process isolation is one failed element */
	c = run_args(&md, MAP_SQUARE, "x=[1,666]", NULL);
	ck_assert_int_eq(c.status, 1);
	ck_assert_ptr_null(strstr(c.err, "inprocess"));
	cli_free(&c);
}
END_TEST

/* An --output-dir that cannot be written fails the run, once, with the
 * reason (here a name taken by a file: every element's directory fails). */
START_TEST(run_output_dir_fails)
{
	mod md = { 0 };
	add_tasks(&md, (task_opts){ 0 });
	add_pipeline(&md, (arr_opts){ -1, -1, -1, NULL, NULL });
	ck_assert_int_eq(mkdir(tpath("od"), 0777), 0);
	FILE *f = fopen(tpath("od/n0"), "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	cli c = run_args(&md, "test.wf", "xs=[1,2,3,4,5,6,7,8,9,10,11,12,14,15,16,17,18,19,20,21,22,23,24,25,26]",
			 "--no-cache", "--output-dir", tpath("od"), NULL);
	ck_assert_int_eq(c.status, 1);
	ck_assert_uint_eq(c.outlen, 0);
	const char *want = rt_arena_printf(A, "run: --output-dir: '%s' is not a directory: the run stops\n"
					   "run: workflow test.wf failed: --output-dir %s could not be written "
					   "('%s' is not a directory)\n", tpath("od/n0"), tpath("od"),
					   tpath("od/n0"));
	ck_assert_str_eq(c.err, want);
	cli_free(&c);
}
END_TEST

/* A map that succeeds with failures says so on stderr: counts, failures
 * by message with their index ranges; bounded however many there are. */
START_TEST(run_map_failure_summary)
{
	mod md = { 0 };
	add_tasks(&md, (task_opts){ .retries = 1 });
	add_pipeline(&md, (arr_opts){ -1, -1, 0.1f, NULL, NULL });
	cli c = run_args(&md, "test.wf", "xs=[1,-2,3,-2,-2,13,6]", "--no-cache", "--jobs", "1", NULL);
	ASSERT_OUT(c, "{\"avg\": 15.333333333333334, \"n\": 3, \"squares\": [1, null, 9, null, null, null, 36]}\n");
	ck_assert_str_eq(c.err, "n0 " MAP_SQUARE ": 3 of 7 elements succeeded (4 failed, 1 retried, "
			 "0 cancelled, 0 cached):\n"
			 "1,3-4: negative input -2\n"
			 "5: unlucky 13\n");
	cli_free(&c);
	/* 2000 elements, every other one failing with its own message */
	struct base_buf xs = { 0 };
	base_buf_printf(&xs, "xs=[");
	for (int i = 0; i < 2000; i++)
		base_buf_printf(&xs, "%s%d", i ? "," : "", i % 2 ? -i : 1);
	base_buf_printf(&xs, "]");
	c = run_args(&md, "test.wf", xs.data, "--no-cache", "--isolation", "inprocess", NULL);
	ck_assert_int_eq(c.status, 0);
	ck_assert_str_eq(c.err, "n0 " MAP_SQUARE ": 1000 of 2000 elements succeeded (1000 failed, "
			 "0 retried, 0 cancelled, 0 cached):\n"
			 "1: negative input -1\n3: negative input -3\n5: negative input -5\n"
			 "7: negative input -7\n9: negative input -9\n"
			 "... and 995 more distinct messages (995 elements)\n");
	cli_free(&c);
	/* the same rules when the map fails */
	mod m2 = { 0 };
	add_tasks(&m2, (task_opts){ 0 });
	add_pipeline(&m2, (arr_opts){ -1, -1, 0.9f, NULL, NULL });
	c = run_args(&m2, "test.wf", xs.data, "--no-cache", "--isolation", "inprocess", NULL);
	ck_assert_int_eq(c.status, 1);
	ck_assert_ptr_nonnull(strstr(c.err, "elements succeeded, 1800 needed ("));
	ck_assert_ptr_nonnull(strstr(c.err, "... and "));
	ck_assert_uint_lt(c.errlen, 1000);
	cli_free(&c);
	base_buf_free(&xs);
}
END_TEST

/* A crash by SIGABRT and an element cancelled because the map failed are
 * told apart and counted apart. */
START_TEST(run_cancelled_is_not_aborted)
{
	mod md = { 0 };
	add_tasks(&md, (task_opts){ 0 });
	add_pipeline(&md, (arr_opts){ -1, -1, -1, NULL, NULL });
	cli c = run_args(&md, "test.wf", "xs=[888,777,777]", "--no-cache", "--jobs", "3", NULL);
	ck_assert_int_eq(c.status, 1);
	ck_assert_msg(strstr(c.err, "0 of 3 elements succeeded, 3 needed (1 failed, 0 retried, "
			     "2 cancelled, 0 cached):\n0: the task crashed: signal 6 (Aborted)\n") != NULL,
		      "%s", c.err);
	ck_assert_msg(strstr(c.err, "aborted") == NULL, "%s", c.err);
	cli_free(&c);
}
END_TEST

/* The env of a task's container is the call's environment, as in its pod
 * (process isolation; in-process runs say they cannot). */
START_TEST(run_task_env)
{
	mod md = { 0 };
	add_entity(&md, 1, "test.getenv", &task_spec("test.getenv",
		iface(vars("x", &T_INT, NULL), vars("o0", &T_STR, NULL)),
		(task_opts){ .fn = "test.getenv", .env_key = "CSV_STRICT", .env_value = "1" })->base);
	unsetenv("CSV_STRICT");
	cli c = run_args(&md, "test.getenv", "x=1", NULL);
	ASSERT_OUT(c, "{\"o0\": \"1\"}\n");
	ck_assert_str_eq(c.err, "");
	cli_free(&c);
	ck_assert_ptr_null(getenv("CSV_STRICT"));
	c = run_args(&md, "test.getenv", "x=1", "--isolation", "inprocess", NULL);
	ASSERT_OUT(c, "{\"o0\": \"unset\"}\n");
	ck_assert_str_eq(c.err, "run: task test.getenv sets environment variables (CSV_STRICT), which "
			 "--isolation inprocess does not apply\n");
	cli_free(&c);
}
END_TEST

/* A declared map runs and shows by its declared name (entity kind 4); a
 * task run directly takes its declared defaults (kind 5), and errors say
 * what was run. */
START_TEST(run_named_map_and_defaults)
{
	mod md = { 0 };
	add_tasks(&md, (task_opts){ 0 });
	Flyteidl__Core__LiteralMap *d = rt_litmap_new(A, 1);
	rt_litmap_set(d, 0, "x", rt_lit_int(A, 4));
	uint8_t *p;
	size_t n;
	struct rt_msg err;
	ck_assert_int_eq(rt_pack_arena(A, &d->base, &p, &n, &err), 0);
	md.ents[md.n++] = (struct flrt_entity){ 4, "test.square_all", (const uint8_t *)MAP_SQUARE,
						strlen(MAP_SQUARE) };
	md.ents[md.n++] = (struct flrt_entity){ 5, "test.square", p, n };
	md.m.nentities = md.n;
	cli c = run_args(&md, "square_all", "x=[1,2]", NULL);
	ASSERT_OUT(c, "{\"o0\": [1, 4]}\n");
	cli_free(&c);
	c = run_args(&md, "test.square_all", "x=[1,-2]", NULL);
	ck_assert_int_eq(c.status, 1);
	ck_assert_ptr_nonnull(strstr(c.err, "run: map test.square_all failed:\nnode n0 (test.square_all): "
				     "1 of 2 elements succeeded, 2 needed"));
	cli_free(&c);
	c = run_args(&md, "test.square", NULL);
	ASSERT_OUT(c, "{\"o0\": 16}\n");
	cli_free(&c);
	c = run_args(&md, "test.square", "x=5", NULL);
	ASSERT_OUT(c, "{\"o0\": 25}\n");
	cli_free(&c);
	c = run_args(&md, "test.flaky", "x=1", NULL);
	ck_assert_int_eq(c.status, 2);
	ck_assert_str_eq(c.err, "run: task test.flaky: missing input 'dir' (str)\n");
	cli_free(&c);
	const char *ls[] = { "list", NULL };
	c = run_cli(&md.m, ls);
	ck_assert_ptr_nonnull(strstr(c.err, "\n  map            test.square_all (" MAP_SQUARE ")\n"));
	ck_assert_ptr_null(strstr(c.err, "\n  ?"));
	cli_free(&c);
}
END_TEST

/* A task that forks and hangs: its timeout kills the element's whole
 * process group (the child held the result pipe, and the run waited). */
START_TEST(run_timeout_forking_task)
{
	mod md = { 0 };
	add_tasks(&md, (task_opts){ .timeout_ms = 300 });
	add_pipeline(&md, (arr_opts){ -1, -1, 0.5f, NULL, NULL });
	setenv("FLRT_TEST_PIDS", tpath("pids"), 1);
	cli c = run_args(&md, "test.wf", "xs=[555,5]", "--no-cache", "--output-dir", tpath("od"), NULL);
	unsetenv("FLRT_TEST_PIDS");
	ASSERT_OUT(c, "{\"avg\": 25.0, \"n\": 1, \"squares\": [null, 25]}\n");
	Flyteidl__Core__ErrorDocument *d = read_pb(A, tpath("od/n0/0/error.pb"),
						   &flyteidl__core__error_document__descriptor);
	ck_assert_str_eq(d->error->code, "USER:Timeout");
	ck_assert_uint_eq(assert_pids_gone(), 2);
	cli_free(&c);
}
END_TEST

/* A run on a cache that another run is using neither waits for it nor
 * loses its results, and the other one keeps its own. */
START_TEST(run_cache_concurrent)
{
	mod md = { 0 };
	add_tasks(&md, (task_opts){ .cache = "v1" });
	add_pipeline(&md, (arr_opts){ -1, -1, -1, NULL, NULL });
	pid_t pid = run_stuck(&md, "xs=[1,2,3,4,5,6,7,8,9,10,777]", 10);
	int64_t t0 = rt_now_ns();
	cli c = run_args(&md, "test.wf", "xs=[21,22,23]", NULL);
	ASSERT_OUT(c, "{\"avg\": 484.6666666666667, \"n\": 3, \"squares\": [441, 484, 529]}\n");
	ck_assert_str_eq(c.err, "");
	ck_assert_int_lt(rt_now_ns() - t0, 5000000000LL);
	cli_free(&c);
	c = run_args(&md, "test.wf", "xs=[21,22,23]", NULL);
	ck_assert_str_eq(c.err, "cached: n0 " MAP_SQUARE " (3 of 3 elements)\ncached: n1 test.mean\n");
	cli_free(&c);
	int st;
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	c = run_args(&md, "test.wf", XS_10, NULL);
	ASSERT_OUT(c, WF_10);
	ck_assert_str_eq(c.err, "cached: n0 " MAP_SQUARE " (10 of 10 elements)\n");
	cli_free(&c);
}
END_TEST

static cli cache_cmd(mod *md, const char *a0, ...)
{
	const char *args[16];
	size_t n = 0;
	args[n++] = "cache";
	va_list ap;
	va_start(ap, a0);
	for (const char *a = a0; a && n < 15; a = va_arg(ap, const char *))
		args[n++] = a;
	va_end(ap);
	args[n] = NULL;
	return run_cli(&md->m, args);
}

#define ASSERT_ERR(c, want) \
	do { \
		ck_assert_msg((c).status == 0, "status %d, stderr:\n%s", (c).status, (c).err); \
		ck_assert_str_eq((c).err, want); \
		cli_free(&(c)); \
	} while (0)

/* Where the cache is (--cache-dir, $FLYTEC_CACHE_DIR, $XDG_CACHE_HOME), and
 * cache list / clear. */
START_TEST(run_cache_list_clear)
{
	mod md = { 0 };
	add_tasks(&md, (task_opts){ .cache = "v1" });
	add_pipeline(&md, (arr_opts){ -1, -1, -1, NULL, NULL });
	const char *dir = rt_arena_printf(A, "%s", tpath("c2"));
	const char *db = rt_arena_printf(A, "%s/cache.sqlite", dir);
	cli c = run_args(&md, "test.wf", "xs=[1,2,3]", "--cache-dir", dir, NULL);
	ASSERT_OUT(c, WF_123);
	cli_free(&c);
	ck_assert(file_exists(db));
	ck_assert(!file_exists(tpath("cache/cache.sqlite")));
	c = cache_cmd(&md, "list", "--cache-dir", dir, NULL);
	ASSERT_ERR(c, rt_arena_printf(A, "cache %s\n"
		"  " MAP_SQUARE "  version v1  3 entries  81 bytes\n"
		"  test.mean  version 1.0  1 entry  69 bytes\n"
		"4 entries\n", db));
	c = cache_cmd(&md, "list", "--task=test.mean", "--cache-dir", dir, NULL);
	ASSERT_ERR(c, rt_arena_printf(A, "cache %s\n  test.mean  version 1.0  1 entry  69 bytes\n"
		"1 entry\n", db));
	c = cache_cmd(&md, "clear", "--task", "test.mean", "--cache-dir", dir, NULL);
	ASSERT_ERR(c, rt_arena_printf(A, "cleared 1 entry from %s\n", db));
	c = run_args(&md, "test.wf", "xs=[1,2,3]", "--cache-dir", dir, NULL);
	ck_assert_str_eq(c.err, "cached: n0 " MAP_SQUARE " (3 of 3 elements)\n");
	cli_free(&c);
	c = cache_cmd(&md, "clear", "--version", "v2", "--cache-dir", dir, NULL);
	ASSERT_ERR(c, rt_arena_printf(A, "cleared 0 entries from %s\n", db));
	c = cache_cmd(&md, "clear", "--version", "v1", "--cache-dir", dir, NULL);
	ASSERT_ERR(c, rt_arena_printf(A, "cleared 3 entries from %s\n", db));
	c = cache_cmd(&md, "clear", "--cache-dir", dir, NULL);
	ASSERT_ERR(c, rt_arena_printf(A, "cleared 1 entry from %s\n", db));
	c = cache_cmd(&md, "list", "--cache-dir", dir, NULL);
	ASSERT_ERR(c, rt_arena_printf(A, "cache %s\n0 entries\n", db));
	/* the environment: $FLYTEC_CACHE_DIR (the fixture's), then $XDG_CACHE_HOME */
	c = cache_cmd(&md, "list", NULL);
	ASSERT_ERR(c, rt_arena_printf(A, "cache %s\n0 entries\n", tpath("cache/cache.sqlite")));
	unsetenv("FLYTEC_CACHE_DIR");
	setenv("XDG_CACHE_HOME", tpath("xdg"), 1);
	c = cache_cmd(&md, "list", NULL);
	unsetenv("XDG_CACHE_HOME");
	ASSERT_ERR(c, rt_arena_printf(A, "cache %s\n0 entries\n", tpath("xdg/flytec/cache.sqlite")));
	c = cache_cmd(&md, "drop", NULL);
	ck_assert_int_eq(c.status, 2);
	ck_assert_str_eq(c.err, "usage: cache list|clear [--task T] [--version V] [--cache-dir DIR]\n");
	cli_free(&c);
	c = cache_cmd(&md, "list", "--task", NULL);
	ck_assert_int_eq(c.status, 2);
	ck_assert_ptr_nonnull(strstr(c.err, "cache: --task needs a value\n"));
	cli_free(&c);
}
END_TEST

START_TEST(run_output_dir)
{
	mod md = { 0 };
	add_tasks(&md, (task_opts){ 0 });
	add_pipeline(&md, (arr_opts){ -1, -1, 0.5f, NULL, NULL });
	cli c = run_args(&md, "test.wf", "xs=[2,-1]", "--no-cache", "--output-dir", tpath("od"), NULL);
	ck_assert_int_eq(c.status, 0);
	Flyteidl__Core__LiteralMap *in = read_pb(A, tpath("od/inputs.pb"), &flyteidl__core__literal_map__descriptor);
	ck_assert_uint_eq(rt_litmap_get(in, "xs")->collection->n_literals, 2);
	Flyteidl__Core__LiteralMap *e0 = read_pb(A, tpath("od/n0/0/inputs.pb"), &flyteidl__core__literal_map__descriptor);
	ck_assert_int_eq(lit_int(rt_litmap_get(e0, "x")), 2);
	Flyteidl__Core__LiteralMap *o0 = read_pb(A, tpath("od/n0/0/outputs.pb"), &flyteidl__core__literal_map__descriptor);
	ck_assert_int_eq(lit_int(rt_litmap_get(o0, "o0")), 4);
	Flyteidl__Core__ErrorDocument *d = read_pb(A, tpath("od/n0/1/error.pb"),
						   &flyteidl__core__error_document__descriptor);
	ck_assert_str_eq(d->error->message, "negative input -1");
	/* the gathered list: a raw T and a raw none, as propeller writes it */
	Flyteidl__Core__LiteralMap *g = read_pb(A, tpath("od/n0/outputs.pb"), &flyteidl__core__literal_map__descriptor);
	Flyteidl__Core__Literal *l = rt_litmap_get(g, "o0");
	ck_assert_int_eq(lit_int(l->collection->literals[0]), 4);
	ck_assert(rt_lit_is_none(l->collection->literals[1]));
	ck_assert(file_exists(tpath("od/n1/inputs.pb")));
	ck_assert(file_exists(tpath("od/n1/outputs.pb")));
	ck_assert(file_exists(tpath("od/outputs.pb")));
	cli_free(&c);
}
END_TEST

START_TEST(run_launch_plans_and_subworkflows)
{
	mod md = { 0 };
	add_tasks(&md, (task_opts){ 0 });
	add_pipeline(&md, (arr_opts){ -1, -1, -1, NULL, NULL });
	Flyteidl__Core__Literal *dflt = rt_lit_collection(A, 2);
	dflt->collection->literals[0] = rt_lit_int(A, 5);
	dflt->collection->literals[1] = rt_lit_int(A, 6);
	add_lp(&md, "test.wf_lp", "test.wf", vars("xs", &T_LIST_INT, NULL), "xs", dflt, NULL, NULL);
	cli c = run_args(&md, "test.wf_lp", "--no-cache", NULL);
	ASSERT_OUT(c, "{\"avg\": 30.5, \"n\": 2, \"squares\": [25, 36]}\n");
	cli_free(&c);
	c = run_args(&md, "wf_lp", "xs=[1]", "--no-cache", NULL);
	ASSERT_OUT(c, "{\"avg\": 1.0, \"n\": 1, \"squares\": [1]}\n");
	cli_free(&c);

	/* a launch plan that fixes label: describe(i, label) */
	Flyteidl__Core__Node **dn = rt_arena_array(A, 1, sizeof *dn);
	dn[0] = node_task("n0", "test.describe");
	node_inputs(dn[0], binds("i", bd_promise("", "i"), "label", bd_promise("", "label"), NULL));
	add_entity(&md, 1, "test.describe", &task_spec("test.describe",
		iface(vars("i", &T_INT, "label", &T_STR, NULL), vars("o0", &T_STR, NULL)),
		(task_opts){ .fn = "test.describe" })->base);
	Flyteidl__Core__WorkflowTemplate *dw = wf_tmpl("test.desc", iface(vars("i", &T_INT, "label", &T_STR, NULL),
		vars("o0", &T_STR, NULL)), 1, dn, binds("o0", bd_promise("n0", "o0"), NULL));
	add_workflow(&md, dw, NULL);
	add_lp(&md, "test.desc_lp", "test.desc", vars("i", &T_INT, "label", &T_STR, NULL), NULL, NULL,
	       "label", rt_lit_str(A, "fixed"));
	c = run_args(&md, "test.desc_lp", "i=3", NULL);
	ASSERT_OUT(c, "{\"o0\": \"fixed-3\"}\n");
	cli_free(&c);
	c = run_args(&md, "test.desc_lp", "i=3", "label=x", NULL);
	ck_assert_int_eq(c.status, 2);
	ck_assert_ptr_nonnull(strstr(c.err, "input 'label' is fixed by launch plan test.desc_lp"));
	cli_free(&c);

	/* outer(xs) -> sub-workflow node + launch plan node + map over a launch plan */
	static const flrt_type list_str = { .kind = FLRT_LIST, .elem = &T_STR };
	Flyteidl__Core__Node **on = rt_arena_array(A, 3, sizeof *on);
	on[0] = node_wf("n0", "test.desc", false);
	node_inputs(on[0], binds("i", bd_lit(rt_lit_int(A, 1)), "label", bd_promise("", "tag"), NULL));
	on[1] = node_wf("n1", "test.desc_lp", true);
	node_inputs(on[1], binds("i", bd_lit(rt_lit_int(A, 2)), NULL));
	on[2] = node_array("n2", NULL, (arr_opts){ 1, -1, -1, NULL, "test.desc_lp" });
	node_inputs(on[2], binds("i", bd_ints(3, 7, 8, 9), NULL));
	blist outs = binds("a", bd_promise("n0", "o0"), "b", bd_promise("n1", "o0"),
					       "c", bd_promise("n2", "o0"), NULL);
	add_workflow(&md, wf_tmpl("test.outer", iface(vars("tag", &T_STR, NULL),
		vars("a", &T_STR, "b", &T_STR, "c", &list_str, NULL)), 3, on, outs), NULL);
	c = run_args(&md, "test.outer", "tag=t", "--output-dir", tpath("od"), NULL);
	ASSERT_OUT(c, "{\"a\": \"t-1\", \"b\": \"fixed-2\", \"c\": [\"fixed-7\", \"fixed-8\", \"fixed-9\"]}\n");
	ck_assert(file_exists(tpath("od/n0/n0/outputs.pb")));
	ck_assert(file_exists(tpath("od/n2/1/n0/inputs.pb")));
	cli_free(&c);
}
END_TEST

/* FAIL_IMMEDIATELY: a failed node stops the workflow; nodes after it never run */
START_TEST(run_failure_policy)
{
	mod md = { 0 };
	add_tasks(&md, (task_opts){ 0 });
	Flyteidl__Core__Node **nodes = rt_arena_array(A, 3, sizeof *nodes);
	nodes[0] = node_task("n0", "test.square");
	node_inputs(nodes[0], binds("x", bd_lit(rt_lit_int(A, -5)), NULL));
	nodes[1] = node_task("n1", "test.square");
	node_inputs(nodes[1], binds("x", bd_promise("n0", "o0"), NULL));
	nodes[2] = node_task("n2", "test.square");
	node_inputs(nodes[2], binds("x", bd_lit(rt_lit_int(A, 6)), NULL));
	blist outs = binds("a", bd_promise("n1", "o0"), "b", bd_promise("n2", "o0"), NULL);
	Flyteidl__Core__WorkflowTemplate *t = wf_tmpl("test.chain", iface(vars(NULL),
		vars("a", &T_INT, "b", &T_INT, NULL)), 3, nodes, outs);
	add_workflow(&md, t, NULL);
	cli c = run_args(&md, "test.chain", "--jobs", "1", "--output-dir", tpath("od"), NULL);
	ck_assert_int_eq(c.status, 1);
	ck_assert_ptr_nonnull(strstr(c.err, "workflow test.chain failed:\nnode n0 (test.square): negative input -5"));
	ck_assert(!file_exists(tpath("od/n1/inputs.pb")));
	ck_assert(!file_exists(tpath("od/n2/outputs.pb")));   /* --jobs 1: n2 never started */
	Flyteidl__Core__ErrorDocument *d = read_pb(A, tpath("od/n0/error.pb"),
						   &flyteidl__core__error_document__descriptor);
	ck_assert_str_eq(d->error->message, "negative input -5");
	cli_free(&c);
	/* FAIL_AFTER_EXECUTABLE_NODES_COMPLETE: n2 still runs, n1 (after n0) does not */
	t->metadata->on_failure =
		FLYTEIDL__CORE__WORKFLOW_METADATA__ON_FAILURE_POLICY__FAIL_AFTER_EXECUTABLE_NODES_COMPLETE;
	t->id = ident(2, "test.chain2");
	add_workflow(&md, t, NULL);
	c = run_args(&md, "test.chain2", "--jobs", "1", "--output-dir", tpath("od2"), NULL);
	ck_assert_int_eq(c.status, 1);
	ck_assert_ptr_nonnull(strstr(c.err, "negative input -5"));
	ck_assert(file_exists(tpath("od2/n2/outputs.pb")));
	ck_assert(!file_exists(tpath("od2/n1/inputs.pb")));
	cli_free(&c);
	/* a cycle is reported, not a hang */
	mod m2 = { 0 };
	add_tasks(&m2, (task_opts){ 0 });
	Flyteidl__Core__Node **cy = rt_arena_array(A, 2, sizeof *cy);
	cy[0] = node_task("n0", "test.square");
	node_inputs(cy[0], binds("x", bd_promise("n1", "o0"), NULL));
	cy[1] = node_task("n1", "test.square");
	node_inputs(cy[1], binds("x", bd_promise("n0", "o0"), NULL));
	add_workflow(&m2, wf_tmpl("test.cycle", iface(vars(NULL), vars(NULL)), 2, cy, (blist){ 0 }), NULL);
	c = run_args(&m2, "test.cycle", NULL);
	ck_assert_int_eq(c.status, 1);
	ck_assert_ptr_nonnull(strstr(c.err, "cycle"));
	cli_free(&c);
}
END_TEST

/* Every type from command-line JSON, through a task, back to JSON. */
START_TEST(run_all_types_json)
{
	mod md = { 0 };
	Flyteidl__Core__VariableMap *v = vars("i", &T_INT, "f", &T_FLOAT, "s", &T_STR, "b", &T_BOOL,
		"dt", &T_DATETIME, "du", &T_DURATION, "by", &T_BYTES, "fi", &T_FILE, "di", &T_DIR,
		"c", &T_COLOR, "oi", &T_OPT_INT, "os", &T_OPT_STR, "li", &T_LIST_INT, "df", &T_DICT_FLOAT,
		"nested", &T_LIST_LIST_OPT_INT, "ol", &T_OPT_LIST_INT, NULL);
	add_entity(&md, 1, "test.echo", &task_spec("test.echo", iface(v, v), (task_opts){ .fn = "test.echo" })->base);
	cli c = run_args(&md, "echo", "i=-42", "f=2.5", "s=h\xc3\xa9llo", "b=true",
			 "dt=2024-05-01T14:00:00.5+02:00", "du=90s", "by={\"base64\": \"AAH/\"}",
			 "fi=/data/in.csv", "di=file:///data/out", "c=blue", "oi=5", "os=none", "li=[1,2]",
			 "df={\"b\":2,\"a\":1}", "nested=[[1,null],[]]", "ol=null", NULL);
	ASSERT_OUT(c, "{\"i\": -42, \"f\": 2.5, \"s\": \"h\xc3\xa9llo\", \"b\": true, "
		      "\"dt\": \"2024-05-01T12:00:00.5Z\", \"du\": \"1m30s\", \"by\": {\"base64\": \"AAH/\"}, "
		      "\"fi\": \"/data/in.csv\", \"di\": \"file:///data/out\", \"c\": \"blue\", \"oi\": 5, "
		      "\"os\": null, \"li\": [1, 2], \"df\": {\"a\": 1.0, \"b\": 2.0}, "
		      "\"nested\": [[1, null], []], \"ol\": null}\n");
	cli_free(&c);
	c = run_args(&md, "echo", "i=1", NULL);
	ck_assert_int_eq(c.status, 2);
	ck_assert_ptr_nonnull(strstr(c.err, "missing input"));
	cli_free(&c);
	c = run_args(&md, "echo", "c=pink", NULL);
	ck_assert_int_eq(c.status, 2);
	ck_assert_ptr_nonnull(strstr(c.err, "input 'c' (enum(red|green|blue)): 'pink' is not one of red, green, blue"));
	cli_free(&c);
}
END_TEST

/* An explicit parallelism above --jobs, in process; and the thread pool. */
START_TEST(run_parallelism)
{
	mod md = { 0 };
	add_tasks(&md, (task_opts){ 0 });
	add_pipeline(&md, (arr_opts){ 4, -1, -1, NULL, NULL });
	cli c = run_args(&md, "test.wf", "xs=[1,2,3,4,5,6,7,8,9]", "--jobs", "1", "--isolation",
			 "inprocess", "--no-cache", NULL);
	ASSERT_OUT(c, "{\"avg\": 31.666666666666668, \"n\": 9, \"squares\": [1, 4, 9, 16, 25, 36, 49, 64, 81]}\n");
	cli_free(&c);
	c = run_args(&md, "test.wf", "xs=[1,2,3,4,5,6,7,8,9]", "--jobs", "1", "--no-cache", NULL);
	ASSERT_OUT(c, "{\"avg\": 31.666666666666668, \"n\": 9, \"squares\": [1, 4, 9, 16, 25, 36, 49, 64, 81]}\n");
	cli_free(&c);
}
END_TEST

/* A legacy container_array task: every collection input is mapped. */
START_TEST(run_legacy_map)
{
	mod md = { 0 };
	add_tasks(&md, (task_opts){ 0 });
	static const flrt_type list_opt_int = { .kind = FLRT_LIST, .elem = &T_OPT_INT };
	add_entity(&md, 1, "test.map_square_d41d8cd98f00b204e9800998ecf8427e",
		&task_spec("test.map_square_d41d8cd98f00b204e9800998ecf8427e",
		iface(vars("x", &T_LIST_INT, NULL), vars("o0", &list_opt_int, NULL)),
		(task_opts){ .fn = "test.square", .map = true, .legacy = true, .legacy_ratio = 0.5 })->base);
	cli c = run_args(&md, "test.map_square_d41d8cd98f00b204e9800998ecf8427e", "x=[3,-3,4]", NULL);
	ASSERT_OUT(c, "{\"o0\": [9, null, 16]}\n");
	cli_free(&c);
	c = run_args(&md, "test.map_square_d41d8cd98f00b204e9800998ecf8427e", "x=[-3,-3,4]", NULL);
	ck_assert_int_eq(c.status, 1);
	cli_free(&c);
}
END_TEST

/* Many elements, both isolation modes, with a progress line forced on. */
START_TEST(run_many_elements)
{
	mod md = { 0 };
	add_tasks(&md, (task_opts){ 0 });
	add_pipeline(&md, (arr_opts){ -1, -1, -1, NULL, NULL });
	struct base_buf xs = { 0 };
	base_buf_printf(&xs, "xs=[");
	for (int i = 0; i < 300; i++)
		base_buf_printf(&xs, "%s%d", i ? "," : "", i % 7);
	base_buf_printf(&xs, "]");
	setenv("FLYTEC_PROGRESS", "1", 1);
	cli c = run_args(&md, "test.wf", xs.data, "--no-cache", "--isolation", "inprocess",
			 "--jobs", "8", NULL);
	ck_assert_int_eq(c.status, 0);
	ck_assert_ptr_nonnull(strstr(c.out, "\"n\": 300"));
	ck_assert_ptr_nonnull(strstr(c.err, "n0 " MAP_SQUARE ": 300/300 done, 0 failed, 0 running, "));
	ck_assert_ptr_nonnull(strstr(c.err, "/s\n"));   /* a rate; no ETA at the end */
	ck_assert_ptr_null(strstr(c.err, "ETA"));
	cli_free(&c);
	/* plain lines (not a terminal): every line whole, no carriage return or escape */
	setenv("FLYTEC_PROGRESS", "0.001", 1);
	c = run_args(&md, "test.wf", xs.data, "--no-cache", "--jobs", "3", NULL);
	ck_assert_int_eq(c.status, 0);
	ck_assert_ptr_null(strchr(c.err, '\r'));
	ck_assert_ptr_null(strchr(c.err, '\033'));
	ck_assert_uint_ge(count(c.err, "n0 " MAP_SQUARE ": "), 1);
	ck_assert_uint_eq(count(c.err, "\n"), count(c.err, "n0 " MAP_SQUARE ": "));
	cli_free(&c);
	setenv("FLYTEC_PROGRESS", "0", 1);
	c = run_args(&md, "test.wf", xs.data, "--no-cache", "--isolation", "inprocess", NULL);
	ck_assert_str_eq(c.err, "");
	cli_free(&c);
	c = run_args(&md, "test.wf", xs.data, "--no-cache", "--jobs", "3", NULL);
	ck_assert_int_eq(c.status, 0);
	ck_assert_ptr_nonnull(strstr(c.out, "\"n\": 300"));
	cli_free(&c);
	unsetenv("FLYTEC_PROGRESS");
	base_buf_free(&xs);
}
END_TEST

START_TEST(run_corrupt_entities)
{
	mod md = { 0 };
	add_tasks(&md, (task_opts){ 0 });
	static const uint8_t junk[] = { 0x0a, 0xff, 0xff, 0x01 };
	md.ents[md.n++] = (struct flrt_entity){ 2, "test.bad", junk, sizeof junk };
	md.m.nentities = md.n;
	cli c = run_args(&md, "test.square", "x=1", NULL);
	ck_assert_int_eq(c.status, 1);
	ck_assert_ptr_nonnull(strstr(c.err, "embedded workflow test.bad"));
	cli_free(&c);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("runtime run");
	TCase *tc = tcase_create("run");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, run_task_directly);
	tcase_add_test(tc, run_input_errors);
	tcase_add_test(tc, run_map_tolerates_failures);
	tcase_add_test(tc, run_crash_isolated);
	tcase_add_test(tc, run_timeout);
	tcase_add_test(tc, run_retries);
	tcase_add_test(tc, run_map_sizes);
	tcase_add_test(tc, run_success_rule);
	tcase_add_test(tc, run_cache);
	tcase_add_test(tc, run_cache_interface);
	tcase_add_test(tc, run_cache_bad_entry);
	tcase_add_test(tc, run_cache_sigterm);
	tcase_add_test(tc, run_sigterm_stops_elements);
	tcase_add_test(tc, run_timeout_forking_task);
	tcase_add_test(tc, run_few_descriptors);
	tcase_add_test(tc, run_inprocess_limits);
	tcase_add_test(tc, run_output_dir_fails);
	tcase_add_test(tc, run_map_failure_summary);
	tcase_add_test(tc, run_cancelled_is_not_aborted);
	tcase_add_test(tc, run_task_env);
	tcase_add_test(tc, run_named_map_and_defaults);
	tcase_add_test(tc, run_cache_concurrent);
	tcase_add_test(tc, run_cache_list_clear);
	tcase_add_test(tc, run_output_dir);
	tcase_add_test(tc, run_launch_plans_and_subworkflows);
	tcase_add_test(tc, run_failure_policy);
	tcase_add_test(tc, run_legacy_map);
	tcase_add_test(tc, run_all_types_json);
	tcase_add_test(tc, run_parallelism);
	tcase_add_test(tc, run_many_elements);
	tcase_add_test(tc, run_corrupt_entities);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
