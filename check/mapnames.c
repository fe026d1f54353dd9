/* mapnames.c: maps of one task that get the same task name (flytekit's
 * naming, codegen/names.c) but would be different task templates: flytec
 * cannot register both, so the second is an error, with a note at the
 * first. Two maps with the same name and the same template share it. */
#include "prelude.h"

#include "check_impl.h"
#include "names.h"

#include <stdlib.h>
#include <string.h>

struct named_map {
	const char *name;           /* the task name */
	uint32_t index;             /* in the module's entities */
	struct fl_entity *e;
};

static int cmp_named_map(const void *a, const void *b)
{
	const struct named_map *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c != 0 ? c : (x->index > y->index) - (x->index < y->index);
}

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* The same resource entries, in any order (they are written in one). */
static bool kv_set_eq(const struct fl_kv *a, uint32_t na, const struct fl_kv *b, uint32_t nb)
{
	if (na != nb)
		return false;
	for (uint32_t i = 0; i < na; i++) {
		bool found = false;
		for (uint32_t j = 0; j < nb && !found; j++)
			found = strcmp(a[i].key, b[j].key) == 0 && strcmp(a[i].value, b[j].value) == 0;
		if (!found)
			return false;
	}
	return true;
}

/* The same env, in the same order (it is written as given). */
static bool kv_list_eq(const struct fl_kv *a, uint32_t na, const struct fl_kv *b, uint32_t nb)
{
	if (na != nb)
		return false;
	for (uint32_t i = 0; i < na; i++)
		if (strcmp(a[i].key, b[i].key) != 0 || strcmp(a[i].value, b[i].value) != 0)
			return false;
	return true;
}

/* Whether two maps' elements run with options that lower alike: what the
 * map task's metadata and container are made of. */
static bool same_element_options(const struct checker *k, const struct fl_entity *x, const struct fl_entity *y)
{
	struct fl_options a = fl_merge_options(&x->map.target->opts, &x->map.elem);
	struct fl_options b = fl_merge_options(&y->map.target->opts, &y->map.elem);
	const char *ia = a.image != NULL ? a.image : k->m->image, *ib = b.image != NULL ? b.image : k->m->image;
	return (a.has_retries ? a.retries : 0) == (b.has_retries ? b.retries : 0)
	       && a.has_timeout == b.has_timeout && (!a.has_timeout || a.timeout_ns == b.timeout_ns)
	       && str_eq(a.cache, b.cache) && a.has_interruptible == b.has_interruptible
	       && (!a.has_interruptible || a.interruptible == b.interruptible)
	       && kv_set_eq(a.requests, a.nrequests, b.requests, b.nrequests)
	       && kv_set_eq(a.limits, a.nlimits, b.limits, b.nlimits) && kv_list_eq(a.env, a.nenv, b.env, b.nenv)
	       && str_eq(ia, ib) && str_eq(a.pod_template_name, b.pod_template_name)
	       && str_eq(a.accel_device, b.accel_device) && str_eq(a.accel_partition, b.accel_partition)
	       && a.accel_unpartitioned == b.accel_unpartitioned && a.has_shared_memory == b.has_shared_memory
	       && str_eq(a.shared_memory_size, b.shared_memory_size);
}

/* Whether two maps of one name would be the same task template. The name
 * already fixes the task, the bound inputs, and for an ArrayNode map its
 * concurrency and success options; a legacy map's ArrayJob holds its
 * parallelism (none for 0) and ratio, which its name does not. */
static bool same_template(const struct checker *k, const struct fl_entity *x, const struct fl_entity *y)
{
	const struct fl_map_info *a = &x->map, *b = &y->map;
	if (a->optional_outputs != b->optional_outputs || !same_element_options(k, x, y))
		return false;
	if (!a->legacy)
		return true;
	uint32_t pa = a->has_concurrency ? a->concurrency : 0, pb = b->has_concurrency ? b->concurrency : 0;
	float ra = (float)(a->has_ratio ? a->ratio : 1.0), rb = (float)(b->has_ratio ? b->ratio : 1.0);
	return pa == pb && ra == rb;
}

/* Where a map is declared, and how messages name it. */
static struct fl_loc map_loc(const struct fl_entity *e)
{
	return e->decl->kind == FL_MAPDECL ? e->decl->mapdecl.name.loc : e->decl->loc;
}

static const char *map_what(struct checker *k, const struct fl_entity *e)
{
	if (e->decl->kind == FL_MAPDECL)
		return fl_sprintf(k->a, "map '%s'", e->name);
	return fl_sprintf(k->a, "the inline map(%s)", e->map.target->name);
}

static void report(struct checker *k, const struct named_map *first, const struct named_map *dup)
{
	const char *why = dup->e->map.legacy ? "a legacy map by its task and bound input names only"
			: "a map by its task, bound input names, concurrency and success options only";
	fl_error(k->c, map_loc(dup->e),
		 "%s gets the same task name as %s, '%s', but a different task template (flytekit names %s); "
		 "make them differ in one of those, or give them the same options",
		 map_what(k, dup->e), map_what(k, first->e), dup->name, why);
	fl_note(k->c, map_loc(first->e), "%s is declared here", map_what(k, first->e));
}

/* The maps of a module and of every module it imports (theirs first:
 * one package holds them all). Only this module's are reported: the
 * others were checked with their own module. */
void fl_check_map_names(struct checker *k)
{
	uint32_t nmods, total = 0;
	const struct fl_module **mods = fl_module_closure(k->a, k->m, &nmods);
	for (uint32_t j = 0; j < nmods; j++)
		total += mods[j]->nentities;
	struct named_map *v = fl_alloc(k->a, (total + 1) * sizeof *v);
	uint32_t n = 0, index = 0;
	for (uint32_t j = 0; j < nmods; j++)
		for (uint32_t i = 0; i < mods[j]->nentities; i++, index++) {
			struct fl_entity *e = mods[j]->entities[i];
			if (e->kind == FL_E_MAP && e->ok && e->map.target != NULL && e->map.target->kind == FL_E_TASK)
				v[n++] = (struct named_map){fl_map_task_name(k->a, e), index, e};
		}
	qsort(v, n, sizeof *v, cmp_named_map);
	/* in each run of one name, each map against the first: one error per
	 * map, reported in declaration order */
	const struct named_map **clash = fl_zalloc(k->a, (total + 1) * sizeof *clash);
	const struct named_map **dups = fl_zalloc(k->a, (total + 1) * sizeof *dups);
	for (uint32_t i = 0, first = 0; i < n; i++) {
		if (i == 0 || strcmp(v[i].name, v[first].name) != 0)
			first = i;
		else if (!same_template(k, v[first].e, v[i].e) && v[i].e->module == k->m)
			clash[v[i].index] = &v[first], dups[v[i].index] = &v[i];
	}
	for (uint32_t i = 0; i < total; i++)
		if (clash[i] != NULL)
			report(k, clash[i], dups[i]);
}
