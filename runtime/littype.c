/* littype.c: the runtime's kinds (from base/type_kinds.def, checked
 * against flyterun.h's enum flrt_kind), the LiteralTypes of flrt_types,
 * with flytekit's union variant tags, and the names of flrt_types (tags
 * and human names). */
#include "config.h"

#include <stdio.h>

#include "internal.h"
#include "type_kinds.h"

/* ---- the kinds ---------------------------------------------------------------- */
/* include/flyterun.h writes enum flrt_kind out (it is public); its values
 * must be base/type_kinds.def's. */
#define X(kind, side, flrt, name, lt, arg, tag, ctype, human, flags) \
	BASE_KIND_IF_RT(side, _Static_assert(FLRT_##kind == (flrt), "FLRT_" #kind " differs from base/type_kinds.def");)
#include "type_kinds.def"
#undef X

enum {
#define X(kind, side, flrt, name, lt, arg, tag, ctype, human, flags) BASE_KIND_IF_RT(side, + 1)
	RT_NKINDS = 0
#include "type_kinds.def"
#undef X
};
/* FLRT_OPTIONAL is the last FLRT_ value: a new kind goes after it, and here */
_Static_assert(RT_NKINDS == FLRT_OPTIONAL + 1, "enum flrt_kind and base/type_kinds.def have different kinds");

static const struct {
	const char *tag;    /* flytekit's union variant tag */
	const char *human;  /* in messages, or NULL */
} kinds[RT_NKINDS] = {
#define X(kind, side, flrt, name, lt, arg, tag, ctype, human, flags) BASE_KIND_IF_RT(side, [FLRT_##kind] = {tag, human},)
#include "type_kinds.def"
#undef X
};

/* ---- names --------------------------------------------------------------------- */
const char *rt_type_tag(const flrt_type *t)
{
	if (t->kind == FLRT_OPTIONAL && t->elem != NULL)
		return rt_type_tag(t->elem);
	return (unsigned)t->kind < RT_NKINDS ? kinds[t->kind].tag : "";
}

const char *rt_type_name(const flrt_type *t, char *buf, size_t n)
{
	switch (t->kind) {
	case FLRT_ENUM:
		snprintf(buf, n, "enum %s", t->enum_name != NULL ? t->enum_name : "");
		return buf;
	case FLRT_OPTIONAL: {
		char inner[128];
		snprintf(buf, n, "%s or none", t->elem != NULL ? rt_type_name(t->elem, inner, sizeof inner) : "?");
		return buf;
	}
	default:
		return (unsigned)t->kind < RT_NKINDS && kinds[t->kind].human != NULL ? kinds[t->kind].human : "?";
	}
}

/* ---- LiteralTypes --------------------------------------------------------------- */
static Flyteidl__Core__LiteralType *ltype_new(struct rt_arena *a)
{
	Flyteidl__Core__LiteralType *lt = rt_arena_alloc(a, sizeof *lt);
	if (lt != NULL)
		flyteidl__core__literal_type__init(lt);
	return lt;
}

static Flyteidl__Core__LiteralType *ltype_simple(struct rt_arena *a, Flyteidl__Core__SimpleType st)
{
	Flyteidl__Core__LiteralType *lt = ltype_new(a);
	if (lt != NULL) {
		lt->type_case = LT(SIMPLE);
		lt->simple = st;
	}
	return lt;
}

static int ltype_tag(struct rt_arena *a, Flyteidl__Core__LiteralType *lt, const char *tag)
{
	Flyteidl__Core__TypeStructure *ts = rt_arena_alloc(a, sizeof *ts);
	if (ts == NULL)
		return -1;
	flyteidl__core__type_structure__init(ts);
	ts->tag = (char *)tag;
	lt->structure = ts;
	return 0;
}

static Flyteidl__Core__LiteralType *ltype_blob(struct rt_arena *a, Flyteidl__Core__BlobType__BlobDimensionality dim)
{
	Flyteidl__Core__BlobType *bt = rt_arena_alloc(a, sizeof *bt);
	Flyteidl__Core__LiteralType *lt;
	if (bt == NULL || (lt = ltype_new(a)) == NULL)
		return NULL;
	flyteidl__core__blob_type__init(bt);
	bt->dimensionality = dim;
	lt->type_case = LT(BLOB);
	lt->blob = bt;
	return lt;
}

/* A union variant: the type of t with flytekit's tag. */
Flyteidl__Core__LiteralType *rt_variant_type(struct rt_arena *a, const flrt_type *t)
{
	Flyteidl__Core__LiteralType *lt = rt_literal_type(a, t);
	if (lt == NULL || ltype_tag(a, lt, rt_type_tag(t)) < 0)
		return NULL;
	return lt;
}

Flyteidl__Core__LiteralType *rt_none_variant(struct rt_arena *a)
{
	Flyteidl__Core__LiteralType *lt = ltype_simple(a, SIMPLE(NONE));
	if (lt == NULL || ltype_tag(a, lt, kinds[FLRT_OPTIONAL].tag) < 0)  /* "none" */
		return NULL;
	return lt;
}

Flyteidl__Core__LiteralType *rt_literal_type(struct rt_arena *a, const flrt_type *t)
{
	Flyteidl__Core__LiteralType *lt;
	switch (t->kind) {
#define X(kind, side, flrt, name, lt, arg, tag, ctype, human, flags) \
	BASE_KIND_IF_RT(side, BASE_KIND_IF_SIMPLE(lt, case FLRT_##kind: return ltype_simple(a, SIMPLE(arg));)) \
	BASE_KIND_IF_RT(side, BASE_KIND_IF_BLOB(lt, case FLRT_##kind: return ltype_blob(a, DIM(arg));))
#include "type_kinds.def"
#undef X
	case FLRT_ENUM: {
		Flyteidl__Core__EnumType *et = rt_arena_alloc(a, sizeof *et);
		if (et == NULL || (lt = ltype_new(a)) == NULL)
			return NULL;
		flyteidl__core__enum_type__init(et);
		et->n_values = t->enum_count;
		et->values = (char **)t->enum_names;
		lt->type_case = LT(ENUM_TYPE);
		lt->enum_type = et;
		return lt;
	}
	case FLRT_LIST:
	case FLRT_DICT: {
		Flyteidl__Core__LiteralType *inner = t->elem != NULL ? rt_literal_type(a, t->elem) : NULL;
		if (inner == NULL || (lt = ltype_new(a)) == NULL)
			return NULL;
		if (t->kind == FLRT_LIST) {
			lt->type_case = LT(COLLECTION_TYPE);
			lt->collection_type = inner;
		} else {
			lt->type_case = LT(MAP_VALUE_TYPE);
			lt->map_value_type = inner;
		}
		return lt;
	}
	case FLRT_OPTIONAL: {
		Flyteidl__Core__UnionType *ut = rt_arena_alloc(a, sizeof *ut);
		Flyteidl__Core__LiteralType **vs = rt_arena_array(a, 2, sizeof *vs);
		if (ut == NULL || vs == NULL || t->elem == NULL || (lt = ltype_new(a)) == NULL)
			return NULL;
		flyteidl__core__union_type__init(ut);
		if ((vs[0] = rt_variant_type(a, t->elem)) == NULL || (vs[1] = rt_none_variant(a)) == NULL)
			return NULL;
		ut->n_variants = 2;
		ut->variants = vs;
		lt->type_case = LT(UNION_TYPE);
		lt->union_type = ut;
		return lt;
	}
	}
	return NULL;
}

