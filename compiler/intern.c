/* intern.c: an open-addressing set of strings (FNV-1a, linear probing). */
#include "prelude.h"

#include "intern.h"

#include <string.h>

#include "arena.h"

struct entry {
	const char *str;  /* NULL: empty slot */
	uint32_t len;
	uint32_t hash;
};

struct fl_strtab {
	struct fl_arena *arena;
	struct entry *slots;
	size_t cap;  /* a power of two */
	size_t count;
};

static uint32_t fnv1a(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

struct fl_strtab *fl_strtab_new(struct fl_arena *a)
{
	struct fl_strtab *t = FL_NEW(a, struct fl_strtab);
	t->arena = a;
	t->cap = 256;
	t->slots = fl_zalloc(a, t->cap * sizeof *t->slots);
	return t;
}

static void grow(struct fl_strtab *t)
{
	size_t ncap = t->cap * 2;
	struct entry *ns = fl_zalloc(t->arena, ncap * sizeof *ns);
	for (size_t i = 0; i < t->cap; i++) {
		struct entry e = t->slots[i];
		if (e.str == NULL)
			continue;
		size_t j = e.hash & (ncap - 1);
		while (ns[j].str != NULL)
			j = (j + 1) & (ncap - 1);
		ns[j] = e;
	}
	t->slots = ns;
	t->cap = ncap;
}

const char *fl_intern(struct fl_strtab *t, const char *s, size_t n)
{
	uint32_t h = fnv1a(s, n);
	size_t i = h & (t->cap - 1);
	for (; t->slots[i].str != NULL; i = (i + 1) & (t->cap - 1)) {
		struct entry *e = &t->slots[i];
		if (e->hash == h && e->len == n && memcmp(e->str, s, n) == 0)
			return e->str;
	}
	if ((t->count + 1) * 4 > t->cap * 3) {
		grow(t);
		return fl_intern(t, s, n);
	}
	t->slots[i].str = fl_strndup(t->arena, s, n);
	t->slots[i].len = (uint32_t)n;
	t->slots[i].hash = h;
	t->count++;
	return t->slots[i].str;
}

size_t fl_strtab_count(const struct fl_strtab *t)
{
	return t->count;
}
