/* imports.c: modules and `from a.b import x, y as z`.
 *
 * A module named a.b lives in the file a/b.flyte under one of the search
 * roots: the directory of the file named on the command line first, then
 * each -I directory in order (fl_ctx_add_import_dir). The first root that
 * has the file wins. Each module is loaded, parsed and checked once per
 * compilation, whoever imports it; the table of loaded modules lives in the
 * context (struct fl_imports). A module being checked is "open": importing
 * an open module is a cycle, reported with the chain of imports.
 *
 * An import binds names in the importer's namespace to the entities of the
 * other module (the entities themselves stay the other module's: their
 * Flyte names are module-qualified by their own module). */
#include "prelude.h"

#include "check_impl.h"

#include <string.h>
#include <sys/stat.h>

#include "misspell.h"

enum module_state { MODULE_OPEN = 1, MODULE_DONE };

/* Each level of imports is a level of C recursion (a module is checked
 * while its importer waits): bounded, as nesting is in the parser. */
enum { MAX_IMPORT_DEPTH = 200 };

/* One module of the compilation: open while it is checked. */
struct module_slot {
	enum module_state state;
	struct fl_module *m;        /* DONE: the checked module; NULL when it could not be loaded */
	bool failed;                /* it or a module it imports had errors */
	const struct fl_node *via;  /* OPEN: the import it is being loaded for (NULL: the root) */
	struct module_slot *outer;  /* OPEN: the module that imports it */
	const char *name;
};

struct fl_imports {
	struct base_hash modules;    /* interned module name -> struct module_slot */
	struct module_slot *top;     /* the innermost open module */
	const char *root_dir;        /* the first search root */
};

/* One imported name of this module: for "unused import" and clashes. */
struct import_use {
	const struct fl_node *binding;  /* BINDING: local name = NAME */
	struct fl_entity *e;
	bool used;
};

static struct fl_imports *imports_of(struct fl_ctx *c)
{
	if (c->imports == NULL) {
		c->imports = FL_NEW(c->arena, struct fl_imports);
		base_hash_init(&c->imports->modules, fl_arena_core(c->arena), 16);
	}
	return c->imports;
}

/* The directory part of a path ("a/b.flyte" -> "a", "b.flyte" -> "."). */
static const char *dir_of(struct fl_arena *a, const char *path)
{
	const char *slash = strrchr(path, '/');
	if (slash == NULL)
		return ".";
	if (slash == path)
		return "/";
	return fl_strndup(a, path, (size_t)(slash - path));
}

void fl_module_open(struct checker *k, const struct fl_node *via)
{
	struct fl_imports *im = imports_of(k->c);
	const char *name = k->m->name;
	if (im->root_dir == NULL) {
		const char *file = k->c->sources[k->root_file]->name;
		im->root_dir = strcmp(file, "<stdin>") == 0 ? "." : dir_of(k->a, file);
	}
	struct module_slot *s = FL_NEW(k->a, struct module_slot);
	s->state = MODULE_OPEN;
	s->name = name;
	s->via = via;
	s->outer = im->top;
	im->top = s;
	bool added;
	struct base_hash_slot *hs = base_hash_insert_ptr(&im->modules, name, &added);
	if (added)
		hs->ptr = s;
	k->slot = s;
}

void fl_module_close(struct checker *k)
{
	struct fl_imports *im = imports_of(k->c);
	struct module_slot *s = k->slot;
	s->state = MODULE_DONE;
	s->m = k->m;
	s->failed = k->c->nerrors > k->errors_before || k->import_failed;
	im->top = s->outer;
}

/* The search roots, in order: the root file's directory, then -I. */
static const char *root_at(struct fl_ctx *c, uint32_t i)
{
	return i == 0 ? c->imports->root_dir : c->import_dirs[i - 1];
}

/* "a.b" -> "ROOT/a/b.flyte". */
static const char *module_path(struct fl_arena *a, const char *root, const char *name)
{
	char *rel = fl_sprintf(a, "%s.flyte", name);
	for (char *p = rel; *p != '\0' && strcmp(p, ".flyte") != 0; p++)
		if (*p == '.')
			*p = '/';
	return strcmp(root, ".") == 0 ? rel : fl_sprintf(a, "%s%s%s", root, root[strlen(root) - 1] == '/' ? "" : "/", rel);
}

/* The chain of open modules from `to` up to the importer, for a cycle:
 * "a -> b -> a". Notes where each module imports the next. */
static void report_cycle(struct checker *k, const struct fl_node *imp, const struct module_slot *to)
{
	const char *chain = to->name;
	const struct module_slot *path[64];
	size_t n = 0;
	for (const struct module_slot *s = k->slot; s != NULL && s != to && n < 64; s = s->outer)
		path[n++] = s;
	for (size_t i = n; i > 0; i--)
		chain = fl_sprintf(k->a, "%s -> %s", chain, path[i - 1]->name);
	chain = fl_sprintf(k->a, "%s -> %s", chain, to->name);
	if (to == k->slot)
		fl_error(k->c, imp->import.module.loc, "module '%s' imports itself", to->name);
	else
		fl_error(k->c, imp->import.module.loc, "import cycle: %s", chain);
	for (size_t i = n; i > 0; i--)
		if (path[i - 1]->via != NULL)
			fl_note(k->c, path[i - 1]->via->import.module.loc, "'%s' is imported here",
				path[i - 1]->name);
}

/* Finds, reads, parses and checks the module named by an import. NULL
 * after reporting (not found, unreadable, errors in it, a cycle). */
static struct fl_module *load_module(struct checker *k, const struct fl_node *imp)
{
	struct fl_ctx *c = k->c;
	struct fl_imports *im = imports_of(c);
	const char *name = imp->import.module.str;
	struct base_hash_slot *hs = base_hash_find_ptr(&im->modules, name);
	if (hs != NULL) {
		struct module_slot *s = hs->ptr;
		if (s->state == MODULE_OPEN) {
			report_cycle(k, imp, s);
			return NULL;
		}
		return s->failed ? NULL : s->m;
	}
	unsigned depth = 0;
	for (const struct module_slot *s = k->slot; s != NULL; s = s->outer)
		depth++;
	if (depth >= MAX_IMPORT_DEPTH) {
		fl_error(c, imp->import.module.loc, "imports nest more than %d modules deep here (a chain of modules "
			 "each importing the next)", MAX_IMPORT_DEPTH);
		return NULL;
	}
	const char *path = NULL, *tried = "";
	for (uint32_t i = 0; i <= c->nimport_dirs && path == NULL; i++) {
		const char *p = module_path(k->a, root_at(c, i), name);
		struct stat st;
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
			path = p;
		else
			tried = fl_sprintf(k->a, "%s%s%s", tried, i ? ", " : "", p);
	}
	if (path == NULL) {
		fl_error(c, imp->import.module.loc, "cannot find module '%s' (looked for %s)", name, tried);
		return NULL;
	}
	unsigned before = c->nerrors;
	int src = fl_source_load(c, path);
	if (src < 0) {
		fl_note(c, imp->import.module.loc, "module '%s' is imported here", name);
		return NULL;
	}
	struct fl_node *program = fl_parse(c, src);
	if (program == NULL || program->program.module.str == NULL) {
		fl_error(c, imp->import.module.loc, "%s does not declare a module (its first line must be `module %s`)",
			 path, name);
		return NULL;
	}
	if (program->program.module.str != name) {
		fl_error(c, program->program.module.loc, "%s declares module '%s', but is imported as '%s'", path,
			 program->program.module.str, name);
		fl_note(c, imp->import.module.loc, "imported here");
		return NULL;
	}
	if (c->nerrors > before)
		return NULL;
	struct fl_module *m = fl_check_program(c, program, imp);
	hs = base_hash_find_ptr(&im->modules, name);
	return hs == NULL || ((struct module_slot *)hs->ptr)->failed ? NULL : m;
}

static void closure_add(struct fl_arena *a, const struct fl_module *m, struct base_hash *seen,
			const struct fl_module ***out, uint32_t *n)
{
	bool added;
	base_hash_insert_ptr(seen, m, &added);
	if (!added)
		return;
	for (uint32_t i = 0; i < m->nimports; i++)
		closure_add(a, m->imports[i], seen, out, n);
	*out = fl_realloc(a, *out, *n * sizeof **out, (*n + 1) * sizeof **out);
	(*out)[(*n)++] = m;
}

const struct fl_module **fl_module_closure(struct fl_arena *a, const struct fl_module *m, uint32_t *n)
{
	const struct fl_module **out = NULL;
	struct base_hash seen;
	base_hash_init(&seen, fl_arena_core(a), 8);
	*n = 0;
	closure_add(a, m, &seen, &out, n);
	return out;
}

static unsigned import_kinds(void)
{
	return 1u << FL_E_TASK | 1u << FL_E_MAP | 1u << FL_E_WORKFLOW | 1u << FL_E_LAUNCHPLAN | 1u << FL_E_ENUM;
}

/* "; did you mean 'x'?" over the declarations of another module. */
static const char *suggest_in(struct checker *k, const struct fl_module *m, const char *name)
{
	if (!fl_suggesting(k))
		return "";
	const char **cands = fl_alloc(k->a, (m->nentities + 1) * sizeof *cands);
	size_t n = 0;
	for (uint32_t i = 0; i < m->nentities; i++)
		if ((import_kinds() & 1u << m->entities[i]->kind) && m->entities[i]->decl->kind != FL_MAP)
			cands[n++] = m->entities[i]->name;
	const char *best = fl_closest(name, cands, n);
	return best ? fl_sprintf(k->a, "; did you mean '%s'?", best) : "";
}

static void add_import_module(struct checker *k, struct fl_module *im)
{
	struct fl_module *m = k->m;
	for (uint32_t i = 0; i < m->nimports; i++)
		if (m->imports[i] == im)
			return;
	m->imports = fl_realloc(k->a, m->imports, m->nimports * sizeof *m->imports, (m->nimports + 1) * sizeof *m->imports);
	m->imports[m->nimports++] = im;
}

/* Binds one `name [as local]` of an import. */
static void bind_name(struct checker *k, const struct fl_module *im, const struct fl_node *b)
{
	const char *orig = b->binding.value->name.str, *local = b->binding.name.str;
	const struct base_hash_slot *s = base_hash_find_ptr(im->ns, orig);
	struct fl_entity *e = s != NULL ? s->ptr : NULL;
	if (e == NULL || e->decl->kind == FL_MAP) {
		fl_error(k->c, b->binding.value->loc, "module '%s' has no declaration named '%s'%s", im->name, orig,
			 suggest_in(k, im, orig));
		return;
	}
	if (fl_is_type_name(local)) {
		fl_error(k->c, b->binding.name.loc, "'%s' is the name of a built-in type", local);
		return;
	}
	bool added;
	struct base_hash_slot *u = base_hash_insert_ptr(&k->imported, local, &added);
	if (!added) {
		const struct import_use *prev = u->ptr;
		fl_error(k->c, b->binding.name.loc, "'%s' is already imported", local);
		fl_note(k->c, prev->binding->loc, "first imported here");
		return;
	}
	struct import_use *use = FL_NEW(k->a, struct import_use);
	use->binding = b;
	use->e = e;
	u->ptr = use;
	fl_ns_put_as(k, local, e);
}

bool fl_check_imports(struct checker *k, const struct fl_node *program)
{
	base_hash_init(&k->imported, fl_arena_core(k->a), 8);
	bool ok = true;
	for (const struct fl_node *d = program->program.decls.head; d != NULL; d = d->next) {
		if (d->kind != FL_IMPORT)
			continue;
		struct fl_module *im = load_module(k, d);
		if (im == NULL) {
			ok = false;
			continue;
		}
		add_import_module(k, im);
		for (const struct fl_node *b = d->import.names.head; b != NULL; b = b->next)
			bind_name(k, im, b);
	}
	k->import_failed = !ok;
	return ok;
}

bool fl_imported_clash(struct checker *k, struct fl_name name)
{
	const struct base_hash_slot *u = base_hash_find_ptr(&k->imported, name.str);
	if (u == NULL)
		return false;
	const struct import_use *use = u->ptr;
	fl_error(k->c, name.loc, "'%s' is already imported from module '%s'", name.str, use->e->module->name);
	fl_note(k->c, use->binding->loc, "imported here");
	fl_note(k->c, fl_entity_name_loc(use->e), "%s '%s' is declared here", fl_kind_word(use->e->kind), use->e->name);
	return true;
}

void fl_mark_used(const struct checker *k, const char *name)
{
	struct base_hash_slot *u = base_hash_find_ptr(&k->imported, name);
	if (u != NULL)
		((struct import_use *)u->ptr)->used = true;
}

void fl_warn_unused_imports(struct checker *k, const struct fl_node *program)
{
	for (const struct fl_node *d = program->program.decls.head; d != NULL; d = d->next) {
		if (d->kind != FL_IMPORT)
			continue;
		for (const struct fl_node *b = d->import.names.head; b != NULL; b = b->next) {
			struct base_hash_slot *u = base_hash_find_ptr(&k->imported, b->binding.name.str);
			const struct import_use *use = u != NULL ? u->ptr : NULL;
			if (use != NULL && use->binding == b && !use->used)
				fl_warn(k->c, FL_W_UNUSED_IMPORT, b->loc, "'%s' is imported from module '%s' but never used",
					b->binding.name.str, d->import.module.str);
		}
	}
}
