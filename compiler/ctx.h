/* ctx.h: the state of one compilation (internal to the library). */
#ifndef FL_CTX_H
#define FL_CTX_H

#include "prelude.h"

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
	size_t source_max;          /* the largest source accepted, at most FL_SOURCE_MAX */
	bool capped;                /* the cap was reached; later diagnostics are dropped */
	bool oom;                   /* an allocation failed: results are incomplete */
	uint32_t warn_set, warn_on;     /* warning classes given -W/-Wno- (bit k), and which are on */
	uint32_t werror_set, werror_on; /* -Werror=/-Wno-error= per class */
	bool werror_all;                /* -Werror */
	const char **import_dirs;   /* -I, in order */
	uint32_t nimport_dirs, import_dirs_cap;
	struct fl_imports *imports; /* check/imports.c: the modules loaded so far (NULL: none yet) */
};

/* Runs fn(c, arg) under an out-of-memory handler (Lua's luaD_runprotected):
 * returns fn's result, or -1 when an allocation failed inside it; then
 * fl_out_of_memory(c) is true. The previous handler is restored either way,
 * so protected calls nest. Every entry point of the library that allocates
 * runs its body this way. */
int fl_protect(struct fl_ctx *c, int (*fn)(struct fl_ctx *c, void *arg), void *arg);

#endif
