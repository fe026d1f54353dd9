/* bump.h: the arena (bump allocator) shared by the compiler and the runtime.
 *
 * Memory comes in blocks from the system and is handed out 16-byte aligned;
 * it is all freed at once. What happens when memory runs out is the
 * caller's policy: the arena calls its failure hook (the compiler's layer
 * longjmps from it) and, when the hook returns, the allocation returns NULL
 * (the runtime's policy, with no hook). Base code never exits or prints.
 *
 * Block policy (struct base_arena_policy): blocks start at first_block
 * bytes and double up to max_block (first == max: fixed-size blocks, the
 * compiler's 64 KiB; 1 KiB doubling to 1 MiB: the runtime's). A request
 * larger than a quarter of the next block size gets a block of its own,
 * kept behind the current one so that the current one's free space stays
 * usable. */
#ifndef BASE_BUMP_H
#define BASE_BUMP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#define BASE_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))

enum { BASE_ARENA_ALIGN = 16 };

struct base_arena;

struct base_arena_policy {
	size_t first_block;            /* usable bytes of the first block */
	size_t max_block;              /* blocks double up to this size */
	void *(*sys_alloc)(size_t n);  /* NULL: malloc; must be free()able */
};

/* The compiler's blocks (64 KiB, fixed) and the runtime's (1 KiB .. 1 MiB). */
extern const struct base_arena_policy base_arena_fixed64k;
extern const struct base_arena_policy base_arena_doubling;

struct base_block;

/* Public so that a layer can embed it; the fields are the arena's own. */
struct base_arena {
	struct base_block *head;       /* the current block; older ones follow */
	struct base_arena_policy policy;
	size_t next_size;
	size_t used;                   /* bytes handed out (rounded up) */
	size_t footprint;              /* bytes obtained from the system */
	void (*on_fail)(struct base_arena *a, void *ctx);
	void *fail_ctx;
};

/* An embedded arena: init never allocates; release frees its blocks. */
void base_arena_init(struct base_arena *a, const struct base_arena_policy *p);
void base_arena_release(struct base_arena *a);
/* A heap arena (the struct itself from policy->sys_alloc, counted in the
 * footprint); NULL when that fails (no hook is called). */
struct base_arena *base_arena_new(const struct base_arena_policy *p);
void base_arena_free(struct base_arena *a);
/* Forgets every allocation, keeping the current block for reuse. */
void base_arena_reset(struct base_arena *a);

/* fn is called when a request cannot be met (the system allocator failed
 * or the size overflows). It may not return (longjmp); when it does, the
 * allocation returns NULL. fn NULL: just return NULL. */
void base_arena_set_fail(struct base_arena *a, void (*fn)(struct base_arena *a, void *ctx), void *ctx);
void *base_arena_fail_ctx(const struct base_arena *a);

/* size 0 counts as 1 (every allocation is distinct). */
void *base_arena_alloc(struct base_arena *a, size_t size);
void *base_arena_zalloc(struct base_arena *a, size_t size);
/* n * size zeroed bytes; an overflowing product is a failure. */
void *base_arena_array(struct base_arena *a, size_t n, size_t size);
/* A bigger copy of an allocation (the old one stays); new <= old: old. */
void *base_arena_grow(struct base_arena *a, void *old, size_t old_size, size_t new_size);
char *base_arena_strndup(struct base_arena *a, const char *s, size_t n);
char *base_arena_strdup(struct base_arena *a, const char *s);
/* NULL when vsnprintf fails (an encoding error; no hook) or out of memory. */
char *base_arena_vprintf(struct base_arena *a, const char *fmt, va_list ap) BASE_PRINTF(2, 0);
char *base_arena_printf(struct base_arena *a, const char *fmt, ...) BASE_PRINTF(2, 3);

size_t base_arena_used(const struct base_arena *a);
size_t base_arena_footprint(const struct base_arena *a);

#endif
