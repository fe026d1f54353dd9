/* hash.c: the open-addressing hash table and the hash functions. */
#include <config.h>

#include "hash.h"

#include <stdlib.h>
#include <string.h>

enum { MIN_CAP = 16 };

uint64_t base_fnv1a64(const void *s, size_t n)
{
	const unsigned char *p = s;
	uint64_t h = 14695981039346656037ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

uint32_t base_fnv1a32(const void *s, size_t n, uint32_t seed)
{
	const unsigned char *p = s;
	uint32_t h = 2166136261u ^ seed;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

uint64_t base_hash_ptr(const void *p)
{
	return (uint64_t)((uintptr_t)p >> 4) * 0x9E3779B97F4A7C15ull;
}

static uint64_t key_hash(uint32_t tag, const void *key, size_t len)
{
	if (len == BASE_HASH_PTR)
		return base_hash_ptr(key) ^ tag;
	uint64_t h = base_fnv1a64(key, len);
	return tag != 0 ? (h ^ tag) * 1099511628211ull : h;
}

static struct base_hash_slot *new_slots(struct base_hash *h, size_t cap)
{
	if (cap > SIZE_MAX / sizeof(struct base_hash_slot))
		return NULL;
	if (h->arena != NULL)
		return base_arena_zalloc(h->arena, cap * sizeof(struct base_hash_slot));
	return calloc(cap, sizeof(struct base_hash_slot));
}

int base_hash_init(struct base_hash *h, struct base_arena *a, size_t n)
{
	h->arena = a;
	h->slots = NULL;
	h->cap = h->count = 0;
	if (n == 0)
		return 0;
	size_t cap = MIN_CAP;
	while (cap / 2 < n) {
		if (cap > SIZE_MAX / 4)
			return -1;
		cap *= 2;
	}
	h->slots = new_slots(h, cap);
	if (h->slots == NULL)
		return -1;
	h->cap = cap;
	return 0;
}

void base_hash_free(struct base_hash *h)
{
	if (h->arena == NULL)
		free(h->slots);
	h->slots = NULL;
	h->cap = h->count = 0;
}

size_t base_hash_count(const struct base_hash *h)
{
	return h->count;
}

static bool same(const struct base_hash_slot *s, uint64_t hash, uint32_t tag, const void *key, size_t len)
{
	if (s->hash != hash || s->tag != tag || s->len != len)
		return false;
	return len == BASE_HASH_PTR ? s->key == key : memcmp(s->key, key, len) == 0;
}

/* Where the key is, or the empty slot where it would go (cap > 0). */
static struct base_hash_slot *probe(const struct base_hash *h, uint64_t hash, uint32_t tag, const void *key,
				    size_t len)
{
	size_t mask = h->cap - 1;
	for (size_t i = (size_t)hash & mask;; i = (i + 1) & mask) {
		struct base_hash_slot *s = &h->slots[i];
		if (s->key == NULL || same(s, hash, tag, key, len))
			return s;
	}
}

struct base_hash_slot *base_hash_find(const struct base_hash *h, uint32_t tag, const void *key, size_t len)
{
	if (h->cap == 0 || key == NULL)
		return NULL;
	struct base_hash_slot *s = probe(h, key_hash(tag, key, len), tag, key, len);
	return s->key != NULL ? s : NULL;
}

static int grow(struct base_hash *h)
{
	size_t ncap = h->cap != 0 ? h->cap * 2 : MIN_CAP;
	if (ncap < h->cap)
		return -1;
	struct base_hash_slot *old = h->slots, *ns = new_slots(h, ncap);
	if (ns == NULL)
		return -1;
	size_t ocap = h->cap;
	h->slots = ns;
	h->cap = ncap;
	for (size_t i = 0; i < ocap; i++)
		if (old[i].key != NULL)
			*probe(h, old[i].hash, old[i].tag, old[i].key, old[i].len) = old[i];
	if (h->arena == NULL)
		free(old);
	return 0;
}

struct base_hash_slot *base_hash_insert(struct base_hash *h, uint32_t tag, const void *key, size_t len,
					bool *added)
{
	*added = false;
	if (key == NULL)
		return NULL;
	uint64_t hash = key_hash(tag, key, len);
	struct base_hash_slot *s = h->cap != 0 ? probe(h, hash, tag, key, len) : NULL;
	if (s != NULL && s->key != NULL)
		return s;
	if ((h->count + 1) * 2 > h->cap) {
		if (grow(h) < 0)
			return NULL;
		s = probe(h, hash, tag, key, len);
	}
	s->key = key;
	s->len = len;
	s->hash = hash;
	s->tag = tag;
	s->ptr = NULL;
	s->val = 0;
	h->count++;
	*added = true;
	return s;
}

struct base_hash_slot *base_hash_find_str(const struct base_hash *h, const char *s)
{
	return base_hash_find(h, 0, s, strlen(s));
}

struct base_hash_slot *base_hash_insert_str(struct base_hash *h, const char *s, bool *added)
{
	return base_hash_insert(h, 0, s, strlen(s), added);
}

struct base_hash_slot *base_hash_find_ptr(const struct base_hash *h, const void *p)
{
	return base_hash_find(h, 0, p, BASE_HASH_PTR);
}

struct base_hash_slot *base_hash_insert_ptr(struct base_hash *h, const void *p, bool *added)
{
	return base_hash_insert(h, 0, p, BASE_HASH_PTR, added);
}

struct base_hash_slot *base_hash_next(const struct base_hash *h, size_t *i)
{
	for (; *i < h->cap; (*i)++)
		if (h->slots[*i].key != NULL)
			return &h->slots[(*i)++];
	return NULL;
}
