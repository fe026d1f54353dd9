/* intern.c: the set of identifiers, a base/hash table of arena copies. */
#include "prelude.h"

#include "intern.h"

#include "arena.h"
#include "hash.h"

struct fl_strtab {
	struct fl_arena *arena;
	struct base_hash set;
};

struct fl_strtab *fl_strtab_new(struct fl_arena *a)
{
	struct fl_strtab *t = FL_NEW(a, struct fl_strtab);
	t->arena = a;
	base_hash_init(&t->set, fl_arena_core(a), 128);
	return t;
}

const char *fl_intern(struct fl_strtab *t, const char *s, size_t n)
{
	const struct base_hash_slot *slot = base_hash_find(&t->set, 0, s, n);
	if (slot != NULL)
		return slot->key;
	/* the copy first: running out of memory leaves the table as it was */
	const char *copy = fl_strndup(t->arena, s, n);
	bool added;
	return base_hash_insert(&t->set, 0, copy, n, &added)->key;
}

size_t fl_strtab_count(const struct fl_strtab *t)
{
	return base_hash_count(&t->set);
}
