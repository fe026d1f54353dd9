/* engine.c: the tasks of engine.flyte (see there). */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <time.h>
#include <string.h>

#include "engine.flyte-c.h"

int engine__wobbly(flrt_ctx *ctx, int64_t x, int64_t *o0)
{
	if (flrt_attempt(ctx) == 0)
		return flrt_fail(ctx, FLRT_RECOVERABLE, "attempt 0 of element %lld fails", (long long)x);
	*o0 = x + 1;
	return 0;
}

int engine__nap(flrt_ctx *ctx, int64_t s, int64_t *o0)
{
	(void)ctx;
	for (int64_t i = 0; i < s * 10; i++)
		nanosleep(&(struct timespec){ 0, 100000000 }, NULL);
	*o0 = s;
	return 0;
}

int engine__greet(flrt_ctx *ctx, flrt_str *o0)
{
	const char *g = getenv("GREETING");
	*o0 = flrt_strdup(ctx, g != NULL ? g : "(unset)");
	return 0;
}

int engine__doze(flrt_ctx *ctx, int64_t s, int64_t *o0)
{
	return engine__nap(ctx, s, o0);
}

int engine__gpus(flrt_ctx *ctx, flrt_str *o0)
{
	const char *g = getenv("CUDA_VISIBLE_DEVICES");
	*o0 = flrt_strdup(ctx, g != NULL ? g : "(unset)");
	return 0;
}
