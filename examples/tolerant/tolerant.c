/* A task that fails on purpose, a summary that counts the failures a
 * tolerant map turned into none, and a scaling task mapped with partial<factor=10>. */
#include "tolerant.flyte-c.h"

int tolerant__flaky(flrt_ctx *ctx, int64_t i, int64_t *o0)
{
	if (i % 3 == 0)
		return flrt_fail(ctx, FLRT_NON_RECOVERABLE, "%lld is a multiple of 3", (long long)i);
	*o0 = i * 2;
	return 0;
}

int tolerant__summarize(flrt_ctx *ctx, tolerant__list_opt_int xs, int64_t *ok, int64_t *failed)
{
	(void)ctx;
	*ok = *failed = 0;
	for (size_t k = 0; k < xs.len; k++)
		if (xs.items[k].has)
			++*ok;
		else
			++*failed;
	return 0;
}

int tolerant__scale(flrt_ctx *ctx, int64_t x, int64_t factor, int64_t *o0)
{
	(void)ctx;
	*o0 = x * factor;
	return 0;
}
