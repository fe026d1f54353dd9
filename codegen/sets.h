/* sets.h: the lowering's two hash sets, behind a narrow interface: the
 * artifacts so far by (kind, name), and a set of strings (a node's
 * upstream ids). Neither owns what it holds. */
#ifndef FL_SETS_H
#define FL_SETS_H

#include "prelude.h"

#include "codegen.h"

struct fl_arena;

/* An index over an array of artifacts by (kind, name). */
struct fl_artifact_index {
	uint32_t *slots;  /* index into the array + 1, or 0 */
	uint32_t nslots;  /* a power of two, at least twice the count */
};

/* The index in items of the artifact (kind, name), or -1. */
int64_t fl_artifact_index_find(const struct fl_artifact_index *ix, const struct fl_artifact *items,
			       enum fl_artifact_kind kind, const char *name);
/* Indexes items[n - 1], just appended and not yet in the index. */
void fl_artifact_index_add(struct fl_artifact_index *ix, struct fl_arena *a, const struct fl_artifact *items,
			   uint32_t n);

/* A set of strings, compared by content. */
struct fl_str_set {
	const char **slots;
	size_t cap, n;  /* cap: 0 or a power of two, at least twice n */
};

/* Adds s; false when it was there already. */
bool fl_str_set_add(struct fl_str_set *set, struct fl_arena *a, const char *s);

#endif
