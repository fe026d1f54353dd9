/* select.c: map element selection: element i of the mapped (unbound)
 * inputs of a map task, for map-execute and for the elements of local runs. */
#include "config.h"

#include <string.h>

#include "internal.h"

int rt_select_element(struct rt_arena *a, const Flyteidl__Core__LiteralMap *in, char *const *bound,
		       size_t nbound, bool strict, size_t index, Flyteidl__Core__LiteralMap **out,
		       struct rt_msg *err)
{
	size_t n = in != NULL ? in->n_literals : 0;
	Flyteidl__Core__LiteralMap *m = rt_litmap_new(a, n);
	if (m == NULL)
		return rt_msgf(err, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const char *k = in->literals[i]->key;
		Flyteidl__Core__Literal *v = in->literals[i]->value;
		bool is_bound = false;
		for (size_t j = 0; j < nbound && !is_bound; j++)
			is_bound = strcmp(bound[j], k) == 0;
		if (!is_bound && v != NULL && v->value_case == LIT(COLLECTION) && v->collection != NULL) {
			size_t len = v->collection->n_literals;
			if (index >= len)
				return rt_msgf(err, "input '%s': index %zu is out of range "
						"(the list has %zu element%s)", k, index, len,
						len == 1 ? "" : "s");
			v = v->collection->literals[index];
		} else if (!is_bound && strict) {
			return rt_msgf(err, "input '%s': expected a list to map over "
					"(it is not a bound input), found %s", k, rt_lit_kind(v));
		}
		rt_litmap_set(m, i, k, v);
	}
	*out = m;
	return 0;
}

