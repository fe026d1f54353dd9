/* arena.h: one arena per compilation, freed at once (a layer on base/bump).
 *
 * Every allocation of the compiler (AST, types, interned names, diagnostics,
 * the scanner's and parser's own buffers) comes from the compilation's arena.
 * fl_alloc never returns NULL: when memory runs out it longjmps to the
 * handler of the innermost protected call, fl_arena_protect (or fl_protect,
 * ctx.h, which the library's entry points use). That is Lua's
 * protected-call rule: the arena belongs to the caller outside the jump, so
 * cleanup after the jump is unconditional. */
#ifndef FL_ARENA_H
#define FL_ARENA_H

#include "prelude.h"

#include <setjmp.h>
#include <stdarg.h>

#include "flytec.h"

struct fl_arena;
struct base_arena;

/* A new arena, or NULL when even that cannot be allocated. */
struct fl_arena *fl_arena_new(void);
void fl_arena_free(struct fl_arena *a);
/* The base arena underneath, for base/ functions that allocate (buffers,
 * hash tables, protobuf-c allocators); its failures jump as fl_alloc's. */
struct base_arena *fl_arena_core(struct fl_arena *a);

/* Where fl_alloc jumps on failure; NULL restores "no handler" (then a
 * failure aborts, which only a library misuse can reach). */
void fl_arena_catch(struct fl_arena *a, jmp_buf *on_oom);
jmp_buf *fl_arena_handler(const struct fl_arena *a);

/* Runs fn(arg) under an out-of-memory handler: returns 0 when it ran to
 * its end, -1 when an allocation from a failed inside it. The previous
 * handler is restored either way, so protected calls nest. */
int fl_arena_protect(struct fl_arena *a, void (*fn)(void *arg), void *arg);

/* Fails as an exhausted allocation does: jumps to the current handler (for
 * code whose memory comes from elsewhere, such as the scanner's). */
_Noreturn void fl_arena_fail(struct fl_arena *a);

void *fl_alloc(struct fl_arena *a, size_t size);
void *fl_zalloc(struct fl_arena *a, size_t size);
/* Grows an allocation made by fl_alloc (the old block stays in the arena). */
void *fl_realloc(struct fl_arena *a, void *old, size_t old_size, size_t new_size);
char *fl_strndup(struct fl_arena *a, const char *s, size_t n);
char *fl_sprintf(struct fl_arena *a, const char *fmt, ...) FL_PRINTF(2, 3);
char *fl_vsprintf(struct fl_arena *a, const char *fmt, va_list ap) FL_PRINTF(2, 0);

/* Bytes obtained from the system so far. */
size_t fl_arena_footprint(const struct fl_arena *a);

/* fl_alloc_fail_at and fl_alloc_requests, the test hooks of failure
 * injection, are declared in flytec.h. */

#define FL_NEW(a, type) ((type *)fl_zalloc((a), sizeof(type)))

#endif
