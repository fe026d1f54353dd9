/* check_impl.h: what the files of check/ share and nothing else uses: the
 * checker's state, the namespace, literals, options, signatures,
 * workflows, and the narrow format API (cron, RFC 3339) of formats.c.
 * Types and constants here are private to check/ and unprefixed; every
 * function with external linkage is fl_. */
#ifndef FL_CHECK_IMPL_H
#define FL_CHECK_IMPL_H

#include "prelude.h"

#include "checker.h"
#include "ctx.h"
#include "hash.h"

struct checker {
	struct fl_ctx *c;
	struct fl_arena *a;
	struct fl_module *m;
	/* the module namespace: interned name -> entity (in slot ptr) */
	struct base_hash ns;
	/* workflow being checked */
	struct fl_entity *wf;
	struct fl_wf_value **scope;
	uint32_t nscope, scope_cap;
	struct fl_ptrmap scope_index;  /* name -> latest position in scope */
	uint32_t entities_cap;        /* of m->entities */
	uint32_t nodes_cap;           /* of wf->wf.nodes */
	/* imports.c */
	uint32_t root_file;           /* the source the module is read from */
	struct module_slot *slot;     /* its entry in the compilation's module table */
	unsigned errors_before;       /* errors reported before its check began */
	bool import_failed;           /* an import could not be loaded, or had errors */
	struct base_hash imported;    /* local name -> struct import_use */
};

/* ---- names.c: the namespace, "did you mean", type names --------------- */

/* Makes the table for a module of ndecls declarations. */
void fl_ns_init(struct checker *k, uint32_t ndecls);
/* The index of a declared name's slot in the table (for per-entity arrays
 * of ns.cap elements; the table does not grow after fl_ns_init). */
size_t fl_ns_slot(const struct checker *k, const char *name);
/* A use of a name: the entity, marked used. */
struct fl_entity *fl_ns_lookup(const struct checker *k, const char *name);
/* The entity of a name, without using it (declarations, clashes). */
struct fl_entity *fl_ns_find(const struct checker *k, const char *name);
void fl_ns_put(struct checker *k, struct fl_entity *e);
/* An imported entity under the name the importer gives it. */
void fl_ns_put_as(struct checker *k, const char *name, struct fl_entity *e);
/* Appends to the module's entities (declaration order). */
void fl_ns_push(struct checker *k, struct fl_entity *e);

const char *fl_kind_word(enum fl_entity_kind kind);
/* Whether "did you mean" is still worth its cost (see names.c). */
bool fl_suggesting(const struct checker *k);
/* "; did you mean 'x'?" over the module's names (of the given kinds), or "". */
const char *fl_suggest_entity(struct checker *k, const char *name, unsigned kinds);
const char *fl_suggest_var(struct checker *k, const char *name, const struct fl_var *vars, uint32_t n);
const char *fl_suggest_words(struct checker *k, const char *name, const char *const *words, size_t n);

/* A built-in type name (int, ..., list, dict): not a declaration's name. */
bool fl_is_type_name(const char *name);
const struct fl_type *fl_resolve_type(struct checker *k, const struct fl_node *n);

/* A type, for messages. */
static inline const char *T(struct checker *k, const struct fl_type *t)
{
	return fl_type_str(k->a, t);
}

/* ---- check.c, imports.c: modules ------------------------------------ */

/* Checks the program of an imported module (`via` is the import); the
 * module is recorded in the compilation's table. */
struct fl_module *fl_check_program(struct fl_ctx *c, struct fl_node *program, const struct fl_node *via);
/* Where an entity's name is declared. */
struct fl_loc fl_entity_name_loc(const struct fl_entity *e);
/* Enters the module being checked in the table, as open, and leaves it done. */
void fl_module_open(struct checker *k, const struct fl_node *via);
void fl_module_close(struct checker *k);
/* Loads every imported module and binds the imported names; false when
 * one could not be loaded or had errors (the importer is then not
 * checked further, so that its uses of the names do not cascade). */
bool fl_check_imports(struct checker *k, const struct fl_node *program);
/* A declaration whose name is imported already: reported, true. */
bool fl_imported_clash(struct checker *k, struct fl_name name);
/* A use of a name: an imported one is then used. */
void fl_mark_used(const struct checker *k, const char *name);
void fl_warn_unused_imports(struct checker *k, const struct fl_node *program);

/* ---- literals.c ------------------------------------------------------- */

/* What a value is, for messages ("an element of input 'x' of task 't'"),
 * built only when an error is reported: a chain of places on the stack. */
struct place {
	const struct place *outer;  /* for an element or a dict value: its container */
	const char *fmt;           /* with up to three %s */
	const char *a, *b, *c;
};

const char *fl_what_str(struct checker *k, const struct place *w);
/* An enum member written `Enum.member`: its enum entity, or NULL. */
struct fl_entity *fl_enum_of_member(struct checker *k, const struct fl_node *n);
bool fl_is_literal(const struct fl_node *n);
/* "int", "a list", ...: what a node is, for messages. */
const char *fl_literal_kind(const struct fl_node *n);
/* False after reporting a string that holds a NUL. */
bool fl_nul_free(struct checker *k, const struct fl_node *n);
/* Checks a literal against the type expected for it; `w` names the place.
 * Returns false after reporting. */
bool fl_check_literal(struct checker *k, const struct fl_node *n, const struct fl_type *want,
		      const struct place *w);

/* ---- options.c -------------------------------------------------------- */

enum opt_set {
	OPT_TASK = 1,     /* task declarations */
	OPT_MAP = 2,      /* map(...) */
	OPT_WITH = 4,     /* with { } on a call */
};

/* Reads options into `o` (map-only options into `map`, NULL but for OPT_MAP). */
void fl_check_options(struct checker *k, const struct fl_list *opts, unsigned where, struct fl_options *o,
		      struct fl_map_info *map);

/* Requests against limits in the resources a container ends up with: a
 * task's options, a map's per-element options over them (each block
 * replacing the task's), a call's `with { }` over those (entry by entry).
 * NULL: no such layer. Only pairs involving the top layer are reported. */
void fl_check_resources(struct checker *k, const struct fl_options *task, const struct fl_options *elem,
			const struct fl_options *with);

/* The same for a call of `target` with `with` (NULL: none), or for a map
 * declaration (target the map, with NULL). */
void fl_check_call_resources(struct checker *k, const struct fl_entity *target, const struct fl_options *with);

/* ---- signatures.c, launchplan.c --------------------------------------- */

/* Resolves an entity's signature once; reports a declaration that depends
 * on itself. */
void fl_resolve_sig(struct checker *k, struct fl_entity *e);
/* A map's signature: its target's, lifted; `literal_values` for a map
 * declaration, whose partial values must be literals. */
void fl_map_sig(struct checker *k, struct fl_entity *e, const struct fl_node *map, bool literal_values);
void fl_lp_sig(struct checker *k, struct fl_entity *e);

/* ---- workflow.c, recursion.c ------------------------------------------ */

void fl_check_workflow(struct checker *k, struct fl_entity *e);
/* After every workflow: cycles and depth of sub-workflows. */
void fl_check_recursion(struct checker *k);

/* ---- mapnames.c ------------------------------------------------------- */

/* After every workflow (inline maps included): maps of a task that get one
 * task name (codegen/names.c) but would be different templates. */
void fl_check_map_names(struct checker *k);

/* ---- formats.c: text formats, no diagnostics ------------------------ */

/* Where a cron expression is wrong. */
struct fl_cron_fault {
	int field;                /* 0-4, or -1: not five fields */
	const char *name;         /* "minute", ... */
	int lo, hi;               /* the field's range */
	const char *text;         /* the field as written */
	int len;
};

/* @daily, @hourly, ... */
bool fl_cron_alias(const char *s);
/* A five-field cron expression of len bytes (a NUL inside is a fault).
 * False with *fault filled in when it is not one. */
bool fl_cron_check(const char *s, size_t len, struct fl_cron_fault *fault);

#endif
