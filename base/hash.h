/* hash.h: the hash table (open addressing, linear probing, power-of-two
 * capacity, at most half full), used as a set or as a map.
 *
 * A key is a byte string (key, len) or, with len == BASE_HASH_PTR, a
 * pointer compared by identity (interned names, AST nodes). A 32-bit tag
 * is part of the key, so one table can hold several kinds of names (the
 * artifacts' (kind, name)). Keys are not copied: they must outlive the
 * table, and a caller may replace a new slot's key by an equal copy (the
 * interner stores its arena copy). Values are a pointer and an integer,
 * for the caller. Storage comes from an arena (the old slot array stays
 * there when the table grows) or from malloc (arena NULL;
 * base_hash_free). Iteration order is the slot order: never emit output
 * in it. */
#ifndef BASE_HASH_H
#define BASE_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bump.h"

#define BASE_HASH_PTR SIZE_MAX

struct base_hash_slot {
	const void *key;   /* NULL: empty */
	size_t len;
	uint64_t hash;
	uint32_t tag;
	void *ptr;         /* the caller's values */
	uint64_t val;
};

struct base_hash {
	struct base_arena *arena;   /* NULL: malloc */
	struct base_hash_slot *slots;
	size_t cap, count;
};

/* FNV-1a, 64 bits and 32 bits (the 32-bit one from basis ^ seed, as the
 * artifact set seeds it with the artifact kind). */
uint64_t base_fnv1a64(const void *s, size_t n);
uint32_t base_fnv1a32(const void *s, size_t n, uint32_t seed);
/* A pointer's hash (Fibonacci hashing of the address without its low bits). */
uint64_t base_hash_ptr(const void *p);

/* An empty table; room for n keys without growing (0: none allocated yet). */
int base_hash_init(struct base_hash *h, struct base_arena *a, size_t n);
void base_hash_free(struct base_hash *h);
size_t base_hash_count(const struct base_hash *h);

/* The slot holding the key, or NULL. */
struct base_hash_slot *base_hash_find(const struct base_hash *h, uint32_t tag, const void *key, size_t len);
/* The slot of the key, added (ptr NULL, val 0; *added true) when it was
 * not there. NULL when memory ran out. */
struct base_hash_slot *base_hash_insert(struct base_hash *h, uint32_t tag, const void *key, size_t len,
					bool *added);
/* Shorthands: NUL-terminated strings and pointers, tag 0. */
struct base_hash_slot *base_hash_find_str(const struct base_hash *h, const char *s);
struct base_hash_slot *base_hash_insert_str(struct base_hash *h, const char *s, bool *added);
struct base_hash_slot *base_hash_find_ptr(const struct base_hash *h, const void *p);
struct base_hash_slot *base_hash_insert_ptr(struct base_hash *h, const void *p, bool *added);
/* The next used slot at or after *i (advancing *i past it), or NULL. */
struct base_hash_slot *base_hash_next(const struct base_hash *h, size_t *i);

#endif
