/* The quickstart's tasks, in C. flytec generates quickstart.flyte-c.h from
 * quickstart.flyte; each function here implements one of its tasks. */
#include <stdio.h>

#include "quickstart.flyte-c.h"

int quickstart__square(flrt_ctx *ctx, int64_t x, int64_t *o0)
{
	(void)ctx;
	*o0 = x * x;
	return 0;
}

int quickstart__describe(flrt_ctx *ctx, int64_t i, flrt_str label, flrt_str *o0)
{
	int n = snprintf(NULL, 0, "%s-%lld", label.data, (long long)i);
	char *s = flrt_alloc(ctx, (size_t)n + 1);
	snprintf(s, (size_t)n + 1, "%s-%lld", label.data, (long long)i);
	o0->data = s;
	o0->len = (size_t)n;
	return 0;
}

int quickstart__mean(flrt_ctx *ctx, quickstart__list_opt_int xs, double *avg, int64_t *n)
{
	int64_t sum = 0, count = 0;
	for (size_t k = 0; k < xs.len; k++) {
		if (xs.items[k].has) {
			sum += xs.items[k].value;
			count++;
		}
	}
	if (count == 0)
		return flrt_fail(ctx, FLRT_NON_RECOVERABLE, "mean of no values");
	*avg = (double)sum / (double)count;
	*n = count;
	return 0;
}
