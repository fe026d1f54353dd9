/* The tasks of module geo.shapes. */
#include <stdio.h>

#include "shapes.flyte-c.h"

int geo__shapes__area(flrt_ctx *ctx, double w, double h, double *o0)
{
	(void)ctx;
	*o0 = w * h;
	return 0;
}

int geo__shapes__paint(flrt_ctx *ctx, geo__shapes__Color c, int64_t times, flrt_str *o0)
{
	static const char *const names[] = {"red", "green", "blue"};
	if (c < 0 || c > GEO__SHAPES__COLOR__BLUE)
		return flrt_fail(ctx, FLRT_NON_RECOVERABLE, "no such color");
	char buf[64];
	snprintf(buf, sizeof buf, "%s x%lld", names[c], (long long)times);
	*o0 = flrt_strdup(ctx, buf);
	return 0;
}
