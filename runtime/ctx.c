/* ctx.c: the task context API of flyterun.h (flrt_alloc, flrt_fail, ...),
 * what a task's code calls during one call. */
#include "config.h"

#include <setjmp.h>
#include <string.h>

#include "internal.h"

void *flrt_alloc(flrt_ctx *ctx, size_t size)
{
	void *p = rt_arena_zalloc(ctx->arena, size);
	if (p == NULL)
		longjmp(*ctx->oom, 1);
	return p;
}

flrt_str flrt_strdup(flrt_ctx *ctx, const char *s)
{
	flrt_str r = { 0, "" };
	if (s == NULL)
		return r;
	size_t n = strlen(s);
	char *p = flrt_alloc(ctx, n + 1);
	memcpy(p, s, n + 1);
	r.len = n;
	r.data = p;
	return r;
}

int flrt_fail(flrt_ctx *ctx, flrt_error_kind kind, const char *fmt, ...)
{
	if (ctx->failed)   /* the first failure is the one reported */
		return -1;
	va_list ap;
	va_start(ap, fmt);
	char *m = rt_arena_vprintf(ctx->arena, fmt != NULL ? fmt : "(no message)", ap);
	va_end(ap);
	ctx->failed = true;
	ctx->kind = kind;
	ctx->message = m != NULL ? m : "(out of memory formatting the error message)";
	return -1;
}

int64_t flrt_map_index(const flrt_ctx *ctx)
{
	return ctx->map_index;
}

int flrt_attempt(const flrt_ctx *ctx)
{
	return ctx->attempt;
}

