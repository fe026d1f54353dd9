/* The tasks of module geometry; those of geo.shapes are in geo/shapes.c. */
#include "geometry.flyte-c.h"

int geometry__total(flrt_ctx *ctx, geometry__list_float xs, double *o0)
{
	(void)ctx;
	double sum = 0;
	for (size_t i = 0; i < xs.len; i++)
		sum += xs.items[i];
	*o0 = sum;
	return 0;
}
