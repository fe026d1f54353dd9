/* littype.c: the LiteralTypes of flrt_types, with flytekit's union variant
 * tags, and the names of flrt_types (tags and human names). */
#include "config.h"

#include <stdio.h>

#include "internal.h"

/* ---- names --------------------------------------------------------------------- */
const char *rt_type_tag(const flrt_type *t)
{
	switch (t->kind) {
	case FLRT_INT: return "int";
	case FLRT_FLOAT: return "float";
	case FLRT_STR: return "str";
	case FLRT_BOOL: return "bool";
	case FLRT_DATETIME: return "datetime";
	case FLRT_DURATION: return "timedelta";
	case FLRT_BYTES: return "bytes";            /* flytekit has no bytes transformer */
	case FLRT_FILE: return "FlyteFilePath";
	case FLRT_DIR: return "FlyteDirectory";
	case FLRT_ENUM: return "DefaultEnumTransformer";
	case FLRT_LIST: return "Typed List";
	case FLRT_DICT: return "Typed Dict";
	case FLRT_OPTIONAL: return t->elem != NULL ? rt_type_tag(t->elem) : "none";
	}
	return "";
}

const char *rt_type_name(const flrt_type *t, char *buf, size_t n)
{
	switch (t->kind) {
	case FLRT_INT: return "integer";
	case FLRT_FLOAT: return "float";
	case FLRT_STR: return "string";
	case FLRT_BOOL: return "boolean";
	case FLRT_DATETIME: return "datetime";
	case FLRT_DURATION: return "duration";
	case FLRT_BYTES: return "binary";
	case FLRT_FILE: return "file";
	case FLRT_DIR: return "directory";
	case FLRT_ENUM:
		snprintf(buf, n, "enum %s", t->enum_name != NULL ? t->enum_name : "");
		return buf;
	case FLRT_LIST: return "collection";
	case FLRT_DICT: return "map";
	case FLRT_OPTIONAL: {
		char inner[128];
		snprintf(buf, n, "%s or none", t->elem != NULL ? rt_type_name(t->elem, inner, sizeof inner) : "?");
		return buf;
	}
	}
	return "?";
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
	if (lt == NULL || ltype_tag(a, lt, "none") < 0)
		return NULL;
	return lt;
}

Flyteidl__Core__LiteralType *rt_literal_type(struct rt_arena *a, const flrt_type *t)
{
	Flyteidl__Core__LiteralType *lt;
	switch (t->kind) {
	case FLRT_INT: return ltype_simple(a, SIMPLE(INTEGER));
	case FLRT_FLOAT: return ltype_simple(a, SIMPLE(FLOAT));
	case FLRT_STR: return ltype_simple(a, SIMPLE(STRING));
	case FLRT_BOOL: return ltype_simple(a, SIMPLE(BOOLEAN));
	case FLRT_DATETIME: return ltype_simple(a, SIMPLE(DATETIME));
	case FLRT_DURATION: return ltype_simple(a, SIMPLE(DURATION));
	case FLRT_BYTES: return ltype_simple(a, SIMPLE(BINARY));
	case FLRT_FILE:
	case FLRT_DIR: {
		Flyteidl__Core__BlobType *bt = rt_arena_alloc(a, sizeof *bt);
		if (bt == NULL || (lt = ltype_new(a)) == NULL)
			return NULL;
		flyteidl__core__blob_type__init(bt);
		bt->dimensionality = t->kind == FLRT_DIR ? DIM(MULTIPART) : DIM(SINGLE);
		lt->type_case = LT(BLOB);
		lt->blob = bt;
		return lt;
	}
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

