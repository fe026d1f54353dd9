/* check.c: the checker's driver: name resolution and typechecking of a
 * module, and the signatures printed for --signatures.
 *
 * Order: collect the declarations into one module namespace (names.c);
 * resolve the signatures (signatures.c: tasks and workflows from their
 * text, maps by lifting their target's; launchplan.c: launch plans from
 * their workflow's); check options (options.c); then check every workflow
 * body statement by statement (workflow.c), and recursion among them
 * (recursion.c). Each error names what was expected and what was found,
 * and the checker goes on with an <error> type so that one mistake is
 * reported once. */
#include "prelude.h"

#include "check_impl.h"

#include <string.h>

static enum fl_entity_kind entity_kind(enum fl_node_kind k)
{
	switch (k) {
	case FL_TASK: return FL_E_TASK;
	case FL_MAPDECL: return FL_E_MAP;
	case FL_WORKFLOW: return FL_E_WORKFLOW;
	case FL_LAUNCHPLAN: return FL_E_LAUNCHPLAN;
	default: return FL_E_ENUM;
	}
}

static struct fl_name decl_name(const struct fl_node *d)
{
	switch (d->kind) {
	case FL_TASK: case FL_WORKFLOW: return d->sig.name;
	case FL_MAPDECL: return d->mapdecl.name;
	case FL_LAUNCHPLAN: return d->lp.name;
	case FL_MAP: return (struct fl_name){NULL, d->loc};
	default: return d->enumd.name;
	}
}

struct fl_loc fl_entity_name_loc(const struct fl_entity *e)
{
	return decl_name(e->decl).loc;
}

/* Every declaration into the namespace, and the default image. */
static void collect_decls(struct checker *k, struct fl_node *program)
{
	struct fl_module *m = k->m;
	const struct fl_node *image = NULL;
	for (struct fl_node *d = program->program.decls.head; d != NULL; d = d->next) {
		if (d->kind == FL_IMAGE) {
			if (image != NULL) {
				fl_error(k->c, d->loc, "the default image is declared twice");
				fl_note(k->c, image->loc, "first declared here");
			} else if (d->unary->str.len == 0) {
				fl_error(k->c, d->unary->loc, "the image name is empty");
			} else if (fl_nul_free(k, d->unary)) {
				image = d;
				m->image = d->unary->str.bytes;
			}
			continue;
		}
		if (d->kind == FL_IMPORT)
			continue;
		struct fl_name name = decl_name(d);
		if (fl_imported_clash(k, name))
			continue;
		struct fl_entity *prev = fl_ns_find(k, name.str);
		if (prev != NULL) {
			fl_error(k->c, name.loc, "'%s' is already declared", name.str);
			fl_note(k->c, decl_name(prev->decl).loc, "previous declaration of %s '%s'", fl_kind_word(prev->kind),
				name.str);
			continue;
		}
		if (fl_is_type_name(name.str)) {
			fl_error(k->c, name.loc, "'%s' is the name of a built-in type", name.str);
			continue;
		}
		struct fl_entity *e = FL_NEW(k->a, struct fl_entity);
		e->kind = entity_kind(d->kind);
		e->name = name.str;
		e->module = m;
		e->decl = d;
		fl_ns_put(k, e);
		fl_ns_push(k, e);
	}
}

/* Enums: members unique. */
static void check_enums(struct checker *k)
{
	struct fl_module *m = k->m;
	for (uint32_t i = 0; i < m->nentities; i++) {
		struct fl_entity *e = m->entities[i];
		if (e->kind != FL_E_ENUM)
			continue;
		if (e->decl->enumd.members.count == 0)
			fl_error(k->c, e->decl->enumd.name.loc, "enum '%s' has no members", e->name);
		struct fl_ptrmap members;
		fl_ptrmap_init(k->a, &members, e->decl->enumd.members.count);
		for (const struct fl_node *a = e->decl->enumd.members.head; a != NULL; a = a->next)
			if (fl_ptrmap_add(&members, a->name.str, 0) >= 0)
				fl_error(k->c, a->loc, "enum '%s' has member '%s' twice", e->name, a->name.str);
	}
}

/* Room in the namespace for the declarations and the imported names. */
static uint32_t names_in(const struct fl_node *program)
{
	uint32_t n = program->program.decls.count;
	for (const struct fl_node *d = program->program.decls.head; d != NULL; d = d->next)
		if (d->kind == FL_IMPORT)
			n += d->import.names.count;
	return n;
}

static void check_module(struct checker *k, struct fl_node *program, const struct fl_node *via)
{
	struct fl_module *m = k->m;
	m->name = program->program.module.str;
	m->file = k->c->sources[program->loc.file]->name;
	k->root_file = program->loc.file;
	k->errors_before = k->c->nerrors;
	fl_ns_init(k, names_in(program));
	fl_module_open(k, via);
	bool imports_ok = fl_check_imports(k, program);
	collect_decls(k, program);
	struct base_hash *ns = FL_NEW(k->a, struct base_hash);
	m->ns = ns;
	if (!imports_ok) {
		*ns = k->ns;
		fl_module_close(k);
		return;
	}
	check_enums(k);
	uint32_t ndeclared = m->nentities;
	/* in declaration order, so that errors come in source order as far as
	 * the signatures allow (a map resolves its target first) */
	for (uint32_t i = 0; i < ndeclared; i++) {
		struct fl_entity *e = m->entities[i];
		fl_resolve_sig(k, e);
		if (e->kind == FL_E_TASK) {
			fl_check_options(k, &e->decl->sig.options, OPT_TASK, &e->opts, NULL);
			fl_check_resources(k, &e->opts, NULL, NULL);
		}
	}
	/* a map's resources over its task's, once every task's are read */
	for (uint32_t i = 0; i < ndeclared; i++)
		if (m->entities[i]->kind == FL_E_MAP)
			fl_check_call_resources(k, m->entities[i], NULL);
	for (uint32_t i = 0; i < ndeclared; i++) {
		struct fl_entity *e = m->entities[i];
		if (e->kind == FL_E_WORKFLOW && e->ok)
			fl_check_workflow(k, e);
	}
	fl_check_recursion(k);
	fl_check_map_names(k);
	fl_warn_unused_imports(k, program);
	for (uint32_t i = 0; i < ndeclared; i++)
		if (m->entities[i]->kind == FL_E_ENUM && !m->entities[i]->used)
			fl_warn(k->c, FL_W_UNUSED_ENUM, m->entities[i]->decl->enumd.name.loc, "enum '%s' is never used",
				m->entities[i]->name);
	*ns = k->ns;
	fl_module_close(k);
}

struct fl_module *fl_check_program(struct fl_ctx *c, struct fl_node *program, const struct fl_node *via)
{
	struct checker k = {.c = c, .a = c->arena};
	k.m = FL_NEW(c->arena, struct fl_module);
	check_module(&k, program, via);
	return k.m;
}

struct check_call {
	struct fl_node *program;
	struct fl_module *m;
};

static int check_body(struct fl_ctx *c, void *arg)
{
	struct check_call *call = arg;
	if (call->program != NULL) {
		call->m = fl_check_program(c, call->program, NULL);
	} else {
		call->m = FL_NEW(c->arena, struct fl_module);
	}
	return 0;
}

struct fl_module *fl_check(struct fl_ctx *c, struct fl_node *program)
{
	struct check_call call = {program, NULL};
	return fl_protect(c, check_body, &call) == 0 ? call.m : NULL;
}

struct signatures_call {
	FILE *out;
	const struct fl_module *m;
};

static int signatures_body(struct fl_ctx *c, void *arg)
{
	struct signatures_call *call = arg;
	FILE *out = call->out;
	const struct fl_module *m = call->m;
	for (uint32_t i = 0; i < m->nentities; i++) {
		const struct fl_entity *e = m->entities[i];
		if (e->decl->kind == FL_MAP)
			continue;  /* inline maps are shown with their workflow */
		if (e->kind == FL_E_ENUM) {
			fprintf(out, "%s : enum {", e->name);
			for (const struct fl_node *mem = e->decl->enumd.members.head; mem != NULL; mem = mem->next)
				fprintf(out, " %s%s", mem->name.str, mem->next ? "," : "");
			fputs(" }\n", out);
			continue;
		}
		if (!e->ok)
			continue;
		fprintf(out, "%s : %s\n", e->name, fl_sig_str(c->arena, &e->sig));
		if (e->kind == FL_E_WORKFLOW) {
			for (uint32_t j = 0; j < m->nentities; j++) {
				const struct fl_entity *im = m->entities[j];
				size_t len = strlen(e->name);
				if (im->decl->kind == FL_MAP && im->ok && strncmp(im->name, e->name, len) == 0
				    && im->name[len] == '.' && strchr(im->name + len + 1, '.') == NULL)
					fprintf(out, "  %s = map(%s) : %s\n", im->name + len + 1, im->map.target->name,
						fl_sig_str(c->arena, &im->sig));
			}
		}
	}
	return 0;
}

void fl_print_signatures(struct fl_ctx *c, FILE *out, const struct fl_module *m)
{
	struct signatures_call call = {out, m};
	fl_protect(c, signatures_body, &call);
}
