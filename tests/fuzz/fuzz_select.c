/* fuzz_select.c: libFuzzer on map-execute's selective decoder
 * (rt_select_wire, runtime/select.c) against the whole decoding it stands
 * for (rt_unpack of the LiteralMap, then rt_select_element, strict). The
 * first byte picks the element index (0..7) and whether input "b" is
 * bound; the rest is the inputs file. Whenever the selective decoder
 * answers, the whole decoding must give the same answer: the same selected
 * map (compared packed) or the same error. When it declines (1), nothing
 * is required: map-execute then decodes the whole input. Any difference
 * aborts. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flyterun.h"
#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void differ(const char *what, const char *a, const char *b)
{
	fprintf(stderr, "fuzz_select: %s\n  selective: %s\n  whole:     %s\n", what, a, b);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t index = data[0] & 7;
	char *bound_b[] = { "b" };
	size_t nbound = (data[0] & 8) ? 1 : 0;
	data++;
	size--;
	struct rt_arena *a = rt_arena_new(), *b = rt_arena_new();
	if (a == NULL || b == NULL) {
		rt_arena_free(a);
		rt_arena_free(b);
		return 0;
	}
	struct rt_msg es = { { 0 } }, ew = { { 0 } };
	Flyteidl__Core__LiteralMap *sel = NULL, *whole = NULL, *in;
	int rs = rt_select_wire(a, data, size, bound_b, nbound, index, &sel, &es);
	int rw = -1;
	if ((in = rt_unpack(b, &flyteidl__core__literal_map__descriptor, data, size, &ew)) != NULL)
		rw = rt_select_element(b, in, bound_b, nbound, true, index, &whole, &ew) < 0 ? -1 : 0;
	if (rs == 0) {
		if (rw != 0)
			differ("the selective decoder selected, the whole decoding failed", "ok", ew.text);
		uint8_t *ps = NULL, *pw = NULL;
		size_t ls = 0, lw = 0;
		struct rt_msg e;
		if (rt_pack_arena_as_is(a, &sel->base, &ps, &ls, &e) < 0 || rt_pack_arena_as_is(b, &whole->base, &pw, &lw, &e) < 0)
			differ("cannot pack", e.text, "");
		if (ls != lw || memcmp(ps, pw, ls) != 0)
			differ("different selections", "(packed)", "(packed)");
	} else if (rs < 0) {
		if (rw == 0)
			differ("the selective decoder failed, the whole decoding selected", es.text, "ok");
		if (strcmp(es.text, ew.text) != 0)
			differ("different errors", es.text, ew.text);
	}
	rt_arena_free(a);
	rt_arena_free(b);
	return 0;
}
