/* dot.c: a picture of a module's workflows in Graphviz's DOT language
 * (--emit=dot). One digraph for the module, one cluster per workflow: its
 * inputs and outputs as two nodes, one node per call (the node id, the name
 * it is assigned to, what it calls; a map with its options), and one edge
 * per value that flows into a call or out of the workflow, labelled with the
 * input (or output) it binds and the type of the value ("parts[]: str" for
 * an element of a list literal). Built in memory over
 * the checked module, deterministic (declaration order). */
#include "prelude.h"

#include <string.h>

#include "codegen.h"
#include "ctx.h"

struct dot {
	struct fl_ctx *c;
	struct base_buf *out;
	const struct fl_entity *wf;
};

/* A DOT double-quoted string: `"` and `\` escaped, newlines as \n (a
 * centred line break in a label). */
static void quoted(struct base_buf *b, const char *s)
{
	base_buf_putc(b, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			base_buf_putc(b, '\\');
		if (*s == '\n')
			base_buf_puts(b, "\\n");
		else
			base_buf_putc(b, *s);
	}
	base_buf_putc(b, '"');
}

/* The DOT id of a workflow's node: "WF/n3", "WF/inputs", "WF/outputs". */
static void node_ref(struct dot *d, const char *what)
{
	quoted(d->out, fl_sprintf(d->c->arena, "%s/%s", d->wf->name, what));
}

static const char *kind_word(enum fl_entity_kind k)
{
	switch (k) {
	case FL_E_TASK: return "task";
	case FL_E_MAP: return "map";
	case FL_E_WORKFLOW: return "workflow";
	case FL_E_LAUNCHPLAN: return "launch plan";
	case FL_E_ENUM: break;
	}
	return "?";
}

/* The second line of a map's label and its options, one a line. */
static void map_lines(struct base_buf *l, const struct fl_entity *e)
{
	const struct fl_map_info *mi = &e->map;
	base_buf_printf(l, "\nmap(%s", mi->target != NULL ? mi->target->name : "?");
	bool any = false;
	for (uint32_t i = 0; i < e->sig.nin; i++)
		if (e->sig.in[i].bound) {
			base_buf_printf(l, "%s%s", any ? ", " : ", partial<", e->sig.in[i].name);
			any = true;
		}
	base_buf_puts(l, any ? ">)" : ")");
	if (mi->has_concurrency)
		base_buf_printf(l, "\nconcurrency=%u", (unsigned)mi->concurrency);
	if (mi->has_ratio)
		base_buf_printf(l, "\nmin_success_ratio=%g", mi->ratio);
	if (mi->has_min_successes)
		base_buf_printf(l, "\nmin_successes=%lld", (long long)mi->min_successes);
	if (mi->legacy)
		base_buf_puts(l, "\nlegacy");
	if (mi->optional_outputs)
		base_buf_puts(l, "\nfailures tolerated");
}

static void call_node(struct dot *d, const struct fl_wf_node *n)
{
	static const char *const shapes[] = {
		[FL_E_TASK] = "box", [FL_E_MAP] = "box3d", [FL_E_WORKFLOW] = "component",
		[FL_E_LAUNCHPLAN] = "tab", [FL_E_ENUM] = "box",
	};
	const struct fl_entity *t = n->target;
	struct base_buf l;
	base_buf_init(&l, fl_arena_core(d->c->arena));
	base_buf_printf(&l, "n%u", (unsigned)n->index);
	if (n->value != NULL)
		base_buf_printf(&l, ": %s", n->value);
	/* an inline map's name is made up: only a named map shows its own */
	if (t->kind != FL_E_MAP || t->decl == NULL || t->decl->kind != FL_MAP)
		base_buf_printf(&l, "\n%s %s", kind_word(t->kind), t->name);
	if (t->kind == FL_E_MAP)
		map_lines(&l, t);
	if (n->has_overrides)
		base_buf_puts(&l, "\nwith { ... }");
	base_buf_putc(&l, '\0');
	base_buf_puts(d->out, "\t\t");
	node_ref(d, fl_sprintf(d->c->arena, "n%u", (unsigned)n->index));
	base_buf_printf(d->out, " [shape=%s, label=", shapes[t->kind]);
	quoted(d->out, l.data);
	base_buf_puts(d->out, "];\n");
}

static void edge(struct dot *d, const char *from, const char *to, const char *var, const struct fl_type *t)
{
	base_buf_puts(d->out, "\t\t");
	node_ref(d, from);
	base_buf_puts(d->out, " -> ");
	node_ref(d, to);
	base_buf_puts(d->out, " [label=");
	quoted(d->out, t != NULL ? fl_sprintf(d->c->arena, "%s: %s", var, fl_type_str(d->c->arena, t)) : var);
	base_buf_puts(d->out, "];\n");
}

/* An edge for every workflow value inside v (a list or dict literal may
 * hold several) into `to`'s `var`; t is the type there when v is not a
 * value of its own (an element of a literal). */
static void value_edges(struct dot *d, const struct fl_node *v, const char *to, const char *var,
			const struct fl_type *t)
{
	const struct fl_type *ty = v->ty != NULL ? v->ty : t;
	switch (v->kind) {
	case FL_LIST:            /* an element: "parts[]: str" */
		for (const struct fl_node *e = v->list.head; e != NULL; e = e->next)
			value_edges(d, e, to, fl_sprintf(d->c->arena, "%s[]", var), NULL);
		return;
	case FL_DICT:
		for (const struct fl_node *e = v->list.head; e != NULL; e = e->next)
			value_edges(d, e->pair.value, to, fl_sprintf(d->c->arena, "%s[]", var), NULL);
		return;
	case FL_CALL:
	case FL_WITH: {
		const struct fl_wf_node *n = v->kind == FL_CALL ? v->sema : v->with.call->sema;
		if (n != NULL)
			edge(d, fl_sprintf(d->c->arena, "n%u", (unsigned)n->index), to, var, ty);
		return;
	}
	case FL_NAME:
	case FL_MEMBER: {
		const struct fl_wf_value *val = v->sema;
		if (val == NULL)       /* an enum member: a literal */
			return;
		if (val->input >= 0)
			edge(d, "inputs", to, var, ty);
		else if (val->node != NULL)
			edge(d, fl_sprintf(d->c->arena, "n%u", (unsigned)val->node->index), to, var, ty);
		return;
	}
	default:                       /* a literal */
		return;
	}
}

static void io_node(struct dot *d, const char *what, const struct fl_var *vars, uint32_t n)
{
	struct base_buf l;
	base_buf_init(&l, fl_arena_core(d->c->arena));
	base_buf_puts(&l, what);
	for (uint32_t i = 0; i < n; i++)
		base_buf_printf(&l, "\n%s: %s", vars[i].name, fl_type_str(d->c->arena, vars[i].type));
	base_buf_putc(&l, '\0');
	base_buf_puts(d->out, "\t\t");
	node_ref(d, what);
	base_buf_puts(d->out, " [shape=box, style=\"rounded,filled\", fillcolor=\"#eeeeee\", label=");
	quoted(d->out, l.data);
	base_buf_puts(d->out, "];\n");
}

static void workflow(struct dot *d, const struct fl_entity *wf)
{
	d->wf = wf;
	const struct fl_workflow_info *w = &wf->wf;
	base_buf_puts(d->out, "\tsubgraph ");
	quoted(d->out, fl_sprintf(d->c->arena, "cluster_%s", wf->name));
	base_buf_puts(d->out, " {\n\t\tlabel=");
	quoted(d->out, fl_sprintf(d->c->arena, "workflow %s", wf->name));
	base_buf_puts(d->out, ";\n");
	io_node(d, "inputs", wf->sig.in, wf->sig.nin);
	for (uint32_t i = 0; i < w->nnodes; i++)
		call_node(d, w->nodes[i]);
	io_node(d, "outputs", wf->sig.out, wf->sig.nout);
	for (uint32_t i = 0; i < w->nnodes; i++) {
		const struct fl_wf_node *n = w->nodes[i];
		const char *to = fl_sprintf(d->c->arena, "n%u", (unsigned)n->index);
		const struct fl_sig *sig = &n->target->sig;
		for (uint32_t k = 0; k < sig->nin; k++)
			if (n->args != NULL && n->args[k] != NULL)
				value_edges(d, n->args[k], to, sig->in[k].name, sig->in[k].type);
			else if (sig->in[k].bound && sig->in[k].bound_value != NULL)
				/* partial<h=height> of an inline map: a workflow value too */
				value_edges(d, sig->in[k].bound_value, to, sig->in[k].name, sig->in[k].type);
	}
	for (uint32_t k = 0; k < wf->sig.nout; k++)
		if (w->returns != NULL && w->returns[k] != NULL)
			value_edges(d, w->returns[k], "outputs", wf->sig.out[k].name, wf->sig.out[k].type);
	base_buf_puts(d->out, "\t}\n");
}

/* The whole picture of m into out. */
static void module_dot(struct fl_ctx *c, const struct fl_module *m, struct base_buf *out)
{
	struct dot d = {c, out, NULL};
	base_buf_puts(out, "digraph ");
	quoted(out, m->name != NULL ? m->name : "module");
	base_buf_puts(out, " {\n"
		      "\tgraph [fontname=\"Helvetica\", fontsize=12, labeljust=l];\n"
		      "\tnode [fontname=\"Helvetica\", fontsize=10];\n"
		      "\tedge [fontname=\"Helvetica\", fontsize=9];\n");
	for (uint32_t i = 0; i < m->nentities; i++)
		if (m->entities[i]->kind == FL_E_WORKFLOW && m->entities[i]->ok)
			workflow(&d, m->entities[i]);
	base_buf_puts(out, "}\n");
}

struct dot_call {
	const struct fl_module *m;
	FILE *out;
	const char *path;
};

static int dot_body(struct fl_ctx *c, void *arg)
{
	const struct dot_call *call = arg;
	struct base_buf b;
	base_buf_init(&b, fl_arena_core(c->arena));
	module_dot(c, call->m, &b);
	if (call->path != NULL)
		return fl_write_output(c, call->path, b.data, b.len, false);
	fwrite(b.data, 1, b.len, call->out);
	return 0;
}

void fl_print_dot(struct fl_ctx *c, FILE *out, const struct fl_module *m)
{
	struct dot_call call = {m, out, NULL};
	fl_protect(c, dot_body, &call);
}

int fl_write_dot(struct fl_ctx *c, const struct fl_module *m, const char *path)
{
	struct dot_call call = {m, NULL, path};
	return fl_protect(c, dot_body, &call);
}
