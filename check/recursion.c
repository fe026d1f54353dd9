/* recursion.c: workflows that reach themselves through other workflows or
 * launch plans, and chains of sub-workflows nested too deep; checked once
 * every workflow body is. */
#include "prelude.h"

#include "check_impl.h"

/* The workflow a call runs: a workflow, a launch plan's, or that of the
 * launch plan a map runs; NULL for a task. */
static struct fl_entity *called_workflow(struct fl_entity *t)
{
	if (t->kind == FL_E_MAP && t->map.target != NULL)
		t = t->map.target;
	if (t->kind == FL_E_LAUNCHPLAN)
		return t->lp.workflow;
	return t->kind == FL_E_WORKFLOW ? t : NULL;
}

struct frame {
	struct fl_entity *w;
	uint32_t next;
};

/* The search state. Colors are kept per slot of the namespace table (0 new,
 * 1 on the stack, 2 done). */
struct dfs {
	unsigned char *color;
	/* levels of sub-workflows under each workflow: each WorkflowSpec carries
	 * every sub-workflow it reaches, so a deep chain grows quadratically */
	uint32_t *depth;
	struct frame *stack;
	size_t sp;
};

enum { MAX_SUBWORKFLOW_DEPTH = 64 };

/* A workflow whose calls are all searched: its depth, reported when it
 * just passes the limit. */
static void finish(struct checker *k, struct dfs *s, const struct fl_entity *w)
{
	uint32_t d = 0;
	for (uint32_t j = 0; j < w->wf.nnodes; j++) {
		const struct fl_wf_node *nd = w->wf.nodes[j];
		if (nd == NULL || nd->target->kind != FL_E_WORKFLOW || fl_ns_lookup(k, nd->target->name) != nd->target
		    || s->color[fl_ns_slot(k, nd->target->name)] != 2)
			continue;
		uint32_t cd = s->depth[fl_ns_slot(k, nd->target->name)] + 1;
		d = cd > d ? cd : d;
	}
	s->depth[fl_ns_slot(k, w->name)] = d;
	if (d == MAX_SUBWORKFLOW_DEPTH + 1)
		fl_error(k->c, w->decl->sig.name.loc, "workflow '%s' nests %u levels of sub-workflows "
			 "(the limit is %d); call a launch plan somewhere in the chain instead",
			 w->name, d, MAX_SUBWORKFLOW_DEPTH);
	s->color[fl_ns_slot(k, w->name)] = 2;
}

/* A call of `callee`, which is on the stack: the cycle, from callee back
 * to itself. */
static void report_cycle(struct checker *k, const struct dfs *s, const struct fl_wf_node *node,
			 const struct fl_entity *callee)
{
	size_t from = s->sp;
	while (from > 0 && s->stack[from - 1].w != callee)
		from--;
	const char *path = "";
	if (from < s->sp) {
		path = fl_sprintf(k->a, " (%s", callee->name);
		for (size_t j = from; j < s->sp; j++)
			path = fl_sprintf(k->a, "%s -> %s", path, s->stack[j].w->name);
		path = fl_sprintf(k->a, "%s -> %s)", path, callee->name);
	}
	const struct fl_entity *via = node->target;
	if (via->kind == FL_E_MAP)
		via = via->map.target;
	if (via == callee)
		fl_error(k->c, node->call->call.callee->loc, "workflow '%s' cannot call itself%s: it would never end",
			 callee->name, path);
	else
		fl_error(k->c, node->call->call.callee->loc, "workflow '%s' cannot call itself, here through %s "
			 "'%s'%s: it would never end", callee->name, fl_kind_word(via->kind), via->name, path);
}

/* Depth-first from root, with an explicit stack. */
static void search(struct checker *k, struct dfs *s, struct fl_entity *root)
{
	s->sp = 0;
	s->stack[s->sp++] = (struct frame){root, 0};
	s->color[fl_ns_slot(k, root->name)] = 1;
	while (s->sp > 0) {
		struct frame *f = &s->stack[s->sp - 1];
		if (f->next >= f->w->wf.nnodes) {
			finish(k, s, f->w);
			s->sp--;
			continue;
		}
		const struct fl_wf_node *node = f->w->wf.nodes[f->next++];
		struct fl_entity *callee = node == NULL ? NULL : called_workflow(node->target);
		if (callee == NULL || fl_ns_lookup(k, callee->name) != callee)
			continue;
		unsigned char c = s->color[fl_ns_slot(k, callee->name)];
		if (c == 2)
			continue;
		if (c == 0) {
			s->color[fl_ns_slot(k, callee->name)] = 1;
			s->stack[s->sp++] = (struct frame){callee, 0};
			continue;
		}
		report_cycle(k, s, node, callee);
	}
}

/* A workflow that reaches itself would never end (a workflow has no
 * conditionals). A direct call of a workflow by itself has no node
 * (check_call reported it). */
void fl_check_recursion(struct checker *k)
{
	struct dfs s;
	s.color = fl_zalloc(k->a, k->ns.cap);
	s.depth = fl_zalloc(k->a, k->ns.cap * sizeof *s.depth);
	s.stack = fl_alloc(k->a, (k->m->nentities + 1) * sizeof *s.stack);
	s.sp = 0;
	for (uint32_t i = 0; i < k->m->nentities; i++) {
		struct fl_entity *root = k->m->entities[i];
		if (root->kind != FL_E_WORKFLOW || root->decl->kind != FL_WORKFLOW || fl_ns_lookup(k, root->name) != root
		    || s.color[fl_ns_slot(k, root->name)] != 0)
			continue;
		search(k, &s, root);
	}
}
