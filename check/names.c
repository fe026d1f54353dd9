/* names.c: the module namespace (a base/hash table on interned
 * names), "did you mean" suggestions, and the resolution of type names. */
#include "prelude.h"

#include "check_impl.h"

#include <string.h>

#include "misspell.h"

/* ---- the namespace ---------------------------------------------------- */

void fl_ns_init(struct checker *k, uint32_t ndecls)
{
	base_hash_init(&k->ns, fl_arena_core(k->a), ndecls);
}

size_t fl_ns_slot(const struct checker *k, const char *name)
{
	return (size_t)(base_hash_find_ptr(&k->ns, name) - k->ns.slots);
}

struct fl_entity *fl_ns_lookup(const struct checker *k, const char *name)
{
	const struct base_hash_slot *s = base_hash_find_ptr(&k->ns, name);
	struct fl_entity *e = s != NULL ? s->ptr : NULL;
	if (e != NULL && e->module != k->m)
		fl_mark_used(k, name);
	if (e != NULL)
		e->used = true;
	return e;
}

struct fl_entity *fl_ns_find(const struct checker *k, const char *name)
{
	const struct base_hash_slot *s = base_hash_find_ptr(&k->ns, name);
	return s != NULL ? s->ptr : NULL;
}

void fl_ns_put(struct checker *k, struct fl_entity *e)
{
	fl_ns_put_as(k, e->name, e);
}

void fl_ns_put_as(struct checker *k, const char *name, struct fl_entity *e)
{
	bool added;
	base_hash_insert_ptr(&k->ns, name, &added)->ptr = e;
}

void fl_ns_push(struct checker *k, struct fl_entity *e)
{
	struct fl_module *m = k->m;
	if (m->nentities == k->entities_cap) {
		uint32_t ncap = k->entities_cap ? k->entities_cap * 2 : 16;
		m->entities = fl_realloc(k->a, m->entities, k->entities_cap * sizeof *m->entities,
					 ncap * sizeof *m->entities);
		k->entities_cap = ncap;
	}
	m->entities[m->nentities++] = e;
}

const char *fl_kind_word(enum fl_entity_kind kind)
{
	switch (kind) {
	case FL_E_TASK: return "task";
	case FL_E_MAP: return "map";
	case FL_E_WORKFLOW: return "workflow";
	case FL_E_LAUNCHPLAN: return "launch plan";
	case FL_E_ENUM: return "enum";
	}
	return "declaration";
}

/* ---- did you mean ----------------------------------------------------- */

/* "Did you mean" compares a name with every candidate: after this many
 * errors (only --max-errors=0 gets there) it is left out, so that 100,000
 * errors over 100,000 declarations do not take 10^10 steps. */
enum { SUGGEST_MAX_ERRORS = 100 };

bool fl_suggesting(const struct checker *k)
{
	return k->c->nerrors < SUGGEST_MAX_ERRORS;
}

/* "; did you mean 'x'?" over the module's names (of the given kinds), or "". */
const char *fl_suggest_entity(struct checker *k, const char *name, unsigned kinds)
{
	if (!fl_suggesting(k))
		return "";
	const char **cands = fl_alloc(k->a, (k->m->nentities + 1) * sizeof *cands);
	size_t n = 0;
	for (uint32_t i = 0; i < k->m->nentities; i++)
		if (kinds & (1u << k->m->entities[i]->kind))
			cands[n++] = k->m->entities[i]->name;
	const char *best = fl_closest(name, cands, n);
	return best ? fl_sprintf(k->a, "; did you mean '%s'?", best) : "";
}

const char *fl_suggest_var(struct checker *k, const char *name, const struct fl_var *vars, uint32_t n)
{
	if (!fl_suggesting(k))
		return "";
	const char **cands = fl_alloc(k->a, (n + 1) * sizeof *cands);
	for (uint32_t i = 0; i < n; i++)
		cands[i] = vars[i].name;
	const char *best = fl_closest(name, cands, n);
	return best ? fl_sprintf(k->a, "; did you mean '%s'?", best) : "";
}

const char *fl_suggest_words(struct checker *k, const char *name, const char *const *words, size_t n)
{
	const char *best = fl_closest(name, words, n);
	return best ? fl_sprintf(k->a, "; did you mean '%s'?", best) : "";
}

/* ---- types ------------------------------------------------------------ */

/* The built-in type names, in the order of their kinds (NULL: not a
 * built-in name). */
static const char *const type_names[FL_T_NKINDS] = {
#define X(kind, side, flrt, name, lt, arg, tag, ctype, human, flags) \
	[FL_T_##kind] = (flags) & BASE_KIND_BUILTIN ? name : NULL,
#include "type_kinds.def"
#undef X
};

bool fl_is_type_name(const char *name)
{
	bool is_type = false;
	for (size_t i = 0; i < FL_ARRAY_LEN(type_names); i++)
		is_type |= type_names[i] != NULL && strcmp(name, type_names[i]) == 0;
	return is_type;
}

const struct fl_type *fl_resolve_type(struct checker *k, const struct fl_node *n)
{
	const char *name = n->type.name.str;
	const struct fl_type *t = NULL;
	uint32_t want_args = 0;
	for (int s = 0; s < FL_T_NKINDS; s++) {
		const char *scalar = fl_type_scalar_name((enum fl_type_kind)s);
		if (scalar != NULL && strcmp(name, scalar) == 0)
			t = fl_type_scalar((enum fl_type_kind)s);
	}
	if (strcmp(name, fl_kinds[FL_T_LIST].name) == 0)
		want_args = 1;
	else if (strcmp(name, fl_kinds[FL_T_DICT].name) == 0)
		want_args = 2;
	if (t == NULL && want_args == 0) {
		struct fl_entity *e = fl_ns_lookup(k, name);
		if (e != NULL && e->kind == FL_E_ENUM) {
			t = fl_type_enum(k->a, e->decl);
		} else if (e != NULL) {
			fl_error(k->c, n->type.name.loc, "'%s' is a %s, not a type", name, fl_kind_word(e->kind));
			return fl_type_scalar(FL_T_ERROR);
		} else {
			const char *hint = "";
			if (fl_suggesting(k)) {
				const char **cands = fl_alloc(k->a, (FL_ARRAY_LEN(type_names) + k->m->nentities) * sizeof *cands);
				size_t nc = 0;
				for (size_t i = 0; i < FL_ARRAY_LEN(type_names); i++)
					if (type_names[i] != NULL)
						cands[nc++] = type_names[i];
				for (uint32_t i = 0; i < k->m->nentities; i++)
					if (k->m->entities[i]->kind == FL_E_ENUM)
						cands[nc++] = k->m->entities[i]->name;
				hint = fl_suggest_words(k, name, cands, nc);
			}
			fl_error(k->c, n->type.name.loc, "unknown type '%s'%s", name, hint);
			return fl_type_scalar(FL_T_ERROR);
		}
	}
	if (n->type.args.count != want_args) {
		if (want_args == 0)
			fl_error(k->c, n->loc, "type '%s' takes no parameters", name);
		else if (want_args == 1)
			fl_error(k->c, n->loc, "list takes one element type, as in list[int]");
		else
			fl_error(k->c, n->loc, "dict takes a key and a value type, as in dict[str, int]");
		return fl_type_scalar(FL_T_ERROR);
	}
	if (want_args == 1) {
		t = fl_type_list(k->a, fl_resolve_type(k, n->type.args.head));
	} else if (want_args == 2) {
		const struct fl_node *key = n->type.args.head;
		const struct fl_type *kt = fl_resolve_type(k, key);
		if (kt->kind != FL_T_STR && kt->kind != FL_T_ERROR)
			fl_error(k->c, key->loc, "dict keys must be str (Flyte maps are keyed by strings), not %s",
				 T(k, kt));
		t = fl_type_dict(k->a, fl_resolve_type(k, key->next));
	}
	return n->type.optional ? fl_type_optional(k->a, t) : t;
}
