/* ctx.h: the state of one compilation (internal to the library). */
#ifndef FL_CTX_H
#define FL_CTX_H

#include "prelude.h"

#include <setjmp.h>

#include "arena.h"
#include "diag.h"
#include "intern.h"
#include "source.h"

struct fl_ctx {
	struct fl_arena *arena;     /* everything below lives in it */
	struct fl_strtab *names;    /* interned identifiers */
	struct fl_source **sources;
	uint32_t nsources, sources_cap;
	struct fl_diag *diag_head, *diag_tail;
	unsigned nerrors, nwarnings;
	unsigned max_errors;        /* 0: no cap */
	bool capped;                /* the cap was reached; later diagnostics are dropped */
	bool oom;                   /* an allocation failed: results are incomplete */
};

/* Runs the rest of the enclosing function under an out-of-memory handler:
 * on failure it marks the context and returns `fail`. Restores the
 * previous handler with FL_UNPROTECT before every normal return. */
#define FL_PROTECT(ctx, saved, fail)                                   \
	jmp_buf fl_jb_;                                                \
	jmp_buf *saved = fl_arena_handler((ctx)->arena);               \
	if (setjmp(fl_jb_)) {                                          \
		(ctx)->oom = true;                                     \
		fl_arena_catch((ctx)->arena, saved);                   \
		return fail;                                           \
	}                                                              \
	fl_arena_catch((ctx)->arena, &fl_jb_)

#define FL_UNPROTECT(ctx, saved) fl_arena_catch((ctx)->arena, saved)

#endif
