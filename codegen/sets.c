/* sets.c: the lowering's hash sets (open addressing, FNV-1a): the
 * artifacts by (kind, name) and a set of strings. */
#include "prelude.h"

#include "sets.h"

#include <string.h>

#include "arena.h"

/* ---- artifacts by kind and name --------------------------------------- */

static uint32_t artifact_hash(enum fl_artifact_kind kind, const char *name)
{
	uint32_t h = 2166136261u ^ (uint32_t)kind;  /* FNV-1a */
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 16777619u;
	return h;
}

/* The slot of (kind, name): where it is, or the empty slot where it would go. */
static uint32_t *artifact_slot(const struct fl_artifact_index *ix, const struct fl_artifact *items,
			       enum fl_artifact_kind kind, const char *name)
{
	uint32_t mask = ix->nslots - 1;
	for (uint32_t i = artifact_hash(kind, name) & mask;; i = (i + 1) & mask) {
		uint32_t *s = &ix->slots[i];
		if (*s == 0)
			return s;
		const struct fl_artifact *it = &items[*s - 1];
		if (it->kind == kind && strcmp(it->name, name) == 0)
			return s;
	}
}

int64_t fl_artifact_index_find(const struct fl_artifact_index *ix, const struct fl_artifact *items,
			       enum fl_artifact_kind kind, const char *name)
{
	if (ix->nslots == 0)
		return -1;
	uint32_t s = *artifact_slot(ix, items, kind, name);
	return s == 0 ? -1 : (int64_t)s - 1;
}

void fl_artifact_index_add(struct fl_artifact_index *ix, struct fl_arena *a, const struct fl_artifact *items,
			   uint32_t n)
{
	if ((uint64_t)n * 2 > ix->nslots) {
		uint32_t old = ix->nslots;
		uint32_t *old_slots = ix->slots;
		ix->nslots = old ? old * 2 : 64;
		ix->slots = fl_zalloc(a, ix->nslots * sizeof *ix->slots);
		for (uint32_t i = 0; i < old; i++)
			if (old_slots[i] != 0) {
				const struct fl_artifact *it = &items[old_slots[i] - 1];
				*artifact_slot(ix, items, it->kind, it->name) = old_slots[i];
			}
	}
	*artifact_slot(ix, items, items[n - 1].kind, items[n - 1].name) = n;
}

/* ---- strings ---------------------------------------------------------- */

static size_t str_hash(const char *s)
{
	size_t h = 14695981039346656037ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* The set's slot for s: where it is, or the empty one where it goes. */
static size_t str_slot(const struct fl_str_set *set, const char *s)
{
	size_t i = str_hash(s) & (set->cap - 1);
	while (set->slots[i] != NULL && strcmp(set->slots[i], s) != 0)
		i = (i + 1) & (set->cap - 1);
	return i;
}

bool fl_str_set_add(struct fl_str_set *set, struct fl_arena *a, const char *s)
{
	if (set->cap < 2 * (set->n + 1)) {
		size_t old = set->cap;
		const char **old_slots = set->slots;
		size_t ncap = 64;
		while (ncap < 4 * (set->n + 1))
			ncap *= 2;
		set->slots = fl_zalloc(a, ncap * sizeof *set->slots);
		set->cap = ncap;
		for (size_t i = 0; i < old; i++)
			if (old_slots[i] != NULL)
				set->slots[str_slot(set, old_slots[i])] = old_slots[i];
	}
	size_t slot = str_slot(set, s);
	if (set->slots[slot] != NULL)
		return false;
	set->slots[slot] = s;
	set->n++;
	return true;
}
