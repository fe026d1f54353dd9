/* lower_literal.c: the lowering of types (LiteralType, interfaces) and of
 * literal values (Literal, Scalar), as flytekit's type transformers write
 * them. Map fields are sorted by key. */
#include "prelude.h"

#include "lower_impl.h"

#include <stdlib.h>
#include <string.h>

#include "civil.h"
#include "duration.h"

/* ---- types ------------------------------------------------------------ */

/* flytekit's TypeTransformer names, used as union variant tags. */
static const char *type_tag(const struct fl_type *t)
{
	return fl_kinds[t->kind].tag;
}

static Flyteidl__Core__LiteralType *simple(struct gen *g, Flyteidl__Core__SimpleType s)
{
	Flyteidl__Core__LiteralType *lt = NEW(g, Flyteidl__Core__LiteralType, FLYTEIDL__CORE__LITERAL_TYPE__INIT);
	lt->type_case = FLYTEIDL__CORE__LITERAL_TYPE__TYPE_SIMPLE;
	lt->simple = s;
	return lt;
}

static Flyteidl__Core__LiteralType *tagged(struct gen *g, Flyteidl__Core__LiteralType *lt, const char *tag)
{
	lt->structure = NEW(g, Flyteidl__Core__TypeStructure, FLYTEIDL__CORE__TYPE_STRUCTURE__INIT);
	lt->structure->tag = str(g, tag);
	return lt;
}

static Flyteidl__Core__LiteralType *blob(struct gen *g, Flyteidl__Core__BlobType__BlobDimensionality dim)
{
	Flyteidl__Core__LiteralType *lt = NEW(g, Flyteidl__Core__LiteralType, FLYTEIDL__CORE__LITERAL_TYPE__INIT);
	lt->type_case = FLYTEIDL__CORE__LITERAL_TYPE__TYPE_BLOB;
	lt->blob = NEW(g, Flyteidl__Core__BlobType, FLYTEIDL__CORE__BLOB_TYPE__INIT);
	lt->blob->dimensionality = dim;
	return lt;
}

/* The simple and blob types come from base/type_kinds.def; the others are built here. */
Flyteidl__Core__LiteralType *fl_lower_literal_type(struct gen *g, const struct fl_type *t)
{
	Flyteidl__Core__LiteralType *lt;
	switch (t->kind) {
#define X(kind, side, flrt, name, lt, arg, tag, ctype, human, flags) \
	BASE_KIND_IF_SIMPLE(lt, case FL_T_##kind: return simple(g, FLYTEIDL__CORE__SIMPLE_TYPE__##arg);) \
	BASE_KIND_IF_BLOB(lt, case FL_T_##kind: return blob(g, FLYTEIDL__CORE__BLOB_TYPE__BLOB_DIMENSIONALITY__##arg);)
#include "type_kinds.def"
#undef X
	case FL_T_LIST:
		lt = NEW(g, Flyteidl__Core__LiteralType, FLYTEIDL__CORE__LITERAL_TYPE__INIT);
		lt->type_case = FLYTEIDL__CORE__LITERAL_TYPE__TYPE_COLLECTION_TYPE;
		lt->collection_type = fl_lower_literal_type(g, t->elem);
		return lt;
	case FL_T_DICT:
		lt = NEW(g, Flyteidl__Core__LiteralType, FLYTEIDL__CORE__LITERAL_TYPE__INIT);
		lt->type_case = FLYTEIDL__CORE__LITERAL_TYPE__TYPE_MAP_VALUE_TYPE;
		lt->map_value_type = fl_lower_literal_type(g, t->elem);
		return lt;
	case FL_T_ENUM: {
		lt = NEW(g, Flyteidl__Core__LiteralType, FLYTEIDL__CORE__LITERAL_TYPE__INIT);
		lt->type_case = FLYTEIDL__CORE__LITERAL_TYPE__TYPE_ENUM_TYPE;
		lt->enum_type = NEW(g, Flyteidl__Core__EnumType, FLYTEIDL__CORE__ENUM_TYPE__INIT);
		const struct fl_list *mem = &t->enumd->enumd.members;
		lt->enum_type->n_values = mem->count;
		lt->enum_type->values = fl_alloc(g->a, (mem->count + 1) * sizeof(char *));
		size_t i = 0;
		for (const struct fl_node *e = mem->head; e != NULL; e = e->next)
			lt->enum_type->values[i++] = str(g, e->name.str);
		return lt;
	}
	case FL_T_OPTIONAL: {
		const struct fl_type *none = fl_type_scalar(FL_T_NONE);
		lt = NEW(g, Flyteidl__Core__LiteralType, FLYTEIDL__CORE__LITERAL_TYPE__INIT);
		lt->type_case = FLYTEIDL__CORE__LITERAL_TYPE__TYPE_UNION_TYPE;
		lt->union_type = NEW(g, Flyteidl__Core__UnionType, FLYTEIDL__CORE__UNION_TYPE__INIT);
		lt->union_type->n_variants = 2;
		lt->union_type->variants = fl_alloc(g->a, 2 * sizeof *lt->union_type->variants);
		lt->union_type->variants[0] = tagged(g, fl_lower_literal_type(g, t->elem), type_tag(t->elem));
		lt->union_type->variants[1] = tagged(g, fl_lower_literal_type(g, none), type_tag(none));
		return lt;
	}
	case FL_T_ERROR:
		break;
	}
	return simple(g, FLYTEIDL__CORE__SIMPLE_TYPE__NONE);
}

static int cmp_var_entry(const void *a, const void *b)
{
	const Flyteidl__Core__VariableMap__VariablesEntry *x = *(Flyteidl__Core__VariableMap__VariablesEntry *const *)a;
	const Flyteidl__Core__VariableMap__VariablesEntry *y = *(Flyteidl__Core__VariableMap__VariablesEntry *const *)b;
	return strcmp(x->key, y->key);
}

Flyteidl__Core__VariableMap *fl_lower_variable_map(struct gen *g, const struct fl_var *vars, uint32_t n)
{
	Flyteidl__Core__VariableMap *vm = NEW(g, Flyteidl__Core__VariableMap, FLYTEIDL__CORE__VARIABLE_MAP__INIT);
	vm->n_variables = n;
	vm->variables = fl_alloc(g->a, (n + 1) * sizeof *vm->variables);
	for (uint32_t i = 0; i < n; i++) {
		Flyteidl__Core__VariableMap__VariablesEntry *e =
			NEW(g, Flyteidl__Core__VariableMap__VariablesEntry, FLYTEIDL__CORE__VARIABLE_MAP__VARIABLES_ENTRY__INIT);
		e->key = str(g, vars[i].name);
		e->value = NEW(g, Flyteidl__Core__Variable, FLYTEIDL__CORE__VARIABLE__INIT);
		e->value->type = fl_lower_literal_type(g, vars[i].type);
		e->value->description = str(g, vars[i].name);
		vm->variables[i] = e;
	}
	qsort(vm->variables, n, sizeof *vm->variables, cmp_var_entry);
	return vm;
}

Flyteidl__Core__TypedInterface *fl_lower_interface(struct gen *g, const struct fl_sig *s)
{
	Flyteidl__Core__TypedInterface *ti = NEW(g, Flyteidl__Core__TypedInterface, FLYTEIDL__CORE__TYPED_INTERFACE__INIT);
	ti->inputs = fl_lower_variable_map(g, s->in, s->nin);
	ti->outputs = fl_lower_variable_map(g, s->out, s->nout);
	return ti;
}

/* ---- literals --------------------------------------------------------- */

Google__Protobuf__Duration *fl_lower_duration(struct gen *g, int64_t ns)
{
	Google__Protobuf__Duration *d = NEW(g, Google__Protobuf__Duration, GOOGLE__PROTOBUF__DURATION__INIT);
	base_duration_split(ns, &d->seconds, &d->nanos);
	return d;
}

/* An RFC 3339 text (validated by the checker) as a Timestamp. */
static Google__Protobuf__Timestamp *timestamp(struct gen *g, const char *s)
{
	Google__Protobuf__Timestamp *ts = NEW(g, Google__Protobuf__Timestamp, GOOGLE__PROTOBUF__TIMESTAMP__INIT);
	base_rfc3339_parse(s, 0, &ts->seconds, &ts->nanos);
	return ts;
}

static Flyteidl__Core__Scalar *scalar_of(struct gen *g, Flyteidl__Core__Scalar__ValueCase vc)
{
	Flyteidl__Core__Scalar *s = NEW(g, Flyteidl__Core__Scalar, FLYTEIDL__CORE__SCALAR__INIT);
	s->value_case = vc;
	return s;
}

static Flyteidl__Core__Scalar *primitive(struct gen *g, Flyteidl__Core__Primitive **out)
{
	Flyteidl__Core__Scalar *s = scalar_of(g, FLYTEIDL__CORE__SCALAR__VALUE_PRIMITIVE);
	s->primitive = NEW(g, Flyteidl__Core__Primitive, FLYTEIDL__CORE__PRIMITIVE__INIT);
	*out = s->primitive;
	return s;
}

Flyteidl__Core__Literal *fl_lower_scalar_literal(struct gen *g, Flyteidl__Core__Scalar *s)
{
	Flyteidl__Core__Literal *l = NEW(g, Flyteidl__Core__Literal, FLYTEIDL__CORE__LITERAL__INIT);
	l->value_case = FLYTEIDL__CORE__LITERAL__VALUE_SCALAR;
	l->scalar = s;
	return l;
}

Flyteidl__Core__Scalar *fl_lower_none_scalar(struct gen *g)
{
	Flyteidl__Core__Scalar *s = scalar_of(g, FLYTEIDL__CORE__SCALAR__VALUE_NONE_TYPE);
	s->none_type = NEW(g, Flyteidl__Core__Void, FLYTEIDL__CORE__VOID__INIT);
	return s;
}

int fl_lower_cmp_lit_entry(const void *a, const void *b)
{
	return strcmp((*(Flyteidl__Core__LiteralMap__LiteralsEntry *const *)a)->key,
		      (*(Flyteidl__Core__LiteralMap__LiteralsEntry *const *)b)->key);
}

/* A scalar of the literal v for a type that is not optional. */
static Flyteidl__Core__Scalar *scalar(struct gen *g, const struct fl_node *v, const struct fl_type *t)
{
	Flyteidl__Core__Primitive *p;
	Flyteidl__Core__Scalar *s;
	switch (t->kind) {
	case FL_T_INT:
		s = primitive(g, &p);
		p->value_case = FLYTEIDL__CORE__PRIMITIVE__VALUE_INTEGER;
		p->integer = v->ival;
		return s;
	case FL_T_FLOAT:
		s = primitive(g, &p);
		p->value_case = FLYTEIDL__CORE__PRIMITIVE__VALUE_FLOAT_VALUE;
		p->float_value = v->fval;
		return s;
	case FL_T_STR:
		s = primitive(g, &p);
		p->value_case = FLYTEIDL__CORE__PRIMITIVE__VALUE_STRING_VALUE;
		p->string_value = fl_strndup(g->a, v->str.bytes, v->str.len);
		return s;
	case FL_T_BOOL:
		s = primitive(g, &p);
		p->value_case = FLYTEIDL__CORE__PRIMITIVE__VALUE_BOOLEAN;
		p->boolean = v->bval;
		return s;
	case FL_T_DURATION:
		s = primitive(g, &p);
		p->value_case = FLYTEIDL__CORE__PRIMITIVE__VALUE_DURATION;
		p->duration = fl_lower_duration(g, v->ival);
		return s;
	case FL_T_DATETIME:
		s = primitive(g, &p);
		p->value_case = FLYTEIDL__CORE__PRIMITIVE__VALUE_DATETIME;
		p->datetime = timestamp(g, v->str.bytes);
		return s;
	case FL_T_ENUM:
		/* flytekit's EnumTransformer: the member's value as a string */
		s = primitive(g, &p);
		p->value_case = FLYTEIDL__CORE__PRIMITIVE__VALUE_STRING_VALUE;
		p->string_value = str(g, v->member.name.str);
		return s;
	case FL_T_BYTES:
		s = scalar_of(g, FLYTEIDL__CORE__SCALAR__VALUE_BINARY);
		s->binary = NEW(g, Flyteidl__Core__Binary, FLYTEIDL__CORE__BINARY__INIT);
		s->binary->value.len = v->str.len;
		s->binary->value.data = (uint8_t *)fl_strndup(g->a, v->str.bytes, v->str.len);
		return s;
	case FL_T_FILE:
	case FL_T_DIR:
		s = scalar_of(g, FLYTEIDL__CORE__SCALAR__VALUE_BLOB);
		s->blob = NEW(g, Flyteidl__Core__Blob, FLYTEIDL__CORE__BLOB__INIT);
		s->blob->metadata = NEW(g, Flyteidl__Core__BlobMetadata, FLYTEIDL__CORE__BLOB_METADATA__INIT);
		s->blob->metadata->type = fl_lower_literal_type(g, t)->blob;
		s->blob->uri = fl_strndup(g->a, v->str.bytes, v->str.len);
		return s;
	default:
		return fl_lower_none_scalar(g);
	}
}

Flyteidl__Core__Literal *fl_lower_literal(struct gen *g, const struct fl_node *v, const struct fl_type *t)
{
	if (t->kind == FL_T_OPTIONAL) {
		if (v->kind == FL_NONE)
			return fl_lower_scalar_literal(g, fl_lower_none_scalar(g));
		Flyteidl__Core__Scalar *s = scalar_of(g, FLYTEIDL__CORE__SCALAR__VALUE_UNION);
		s->union_ = NEW(g, Flyteidl__Core__Union, FLYTEIDL__CORE__UNION__INIT);
		s->union_->value = fl_lower_literal(g, v, t->elem);
		s->union_->type = tagged(g, fl_lower_literal_type(g, t->elem), type_tag(t->elem));
		return fl_lower_scalar_literal(g, s);
	}
	if (t->kind == FL_T_LIST) {
		Flyteidl__Core__Literal *l = NEW(g, Flyteidl__Core__Literal, FLYTEIDL__CORE__LITERAL__INIT);
		l->value_case = FLYTEIDL__CORE__LITERAL__VALUE_COLLECTION;
		l->collection = NEW(g, Flyteidl__Core__LiteralCollection, FLYTEIDL__CORE__LITERAL_COLLECTION__INIT);
		l->collection->n_literals = v->list.count;
		l->collection->literals = fl_alloc(g->a, (v->list.count + 1) * sizeof(void *));
		size_t i = 0;
		for (const struct fl_node *e = v->list.head; e != NULL; e = e->next)
			l->collection->literals[i++] = fl_lower_literal(g, e, t->elem);
		return l;
	}
	if (t->kind == FL_T_DICT) {
		Flyteidl__Core__Literal *l = NEW(g, Flyteidl__Core__Literal, FLYTEIDL__CORE__LITERAL__INIT);
		l->value_case = FLYTEIDL__CORE__LITERAL__VALUE_MAP;
		l->map = NEW(g, Flyteidl__Core__LiteralMap, FLYTEIDL__CORE__LITERAL_MAP__INIT);
		l->map->n_literals = v->list.count;
		l->map->literals = fl_alloc(g->a, (v->list.count + 1) * sizeof(void *));
		size_t i = 0;
		for (const struct fl_node *e = v->list.head; e != NULL; e = e->next) {
			Flyteidl__Core__LiteralMap__LiteralsEntry *en =
				NEW(g, Flyteidl__Core__LiteralMap__LiteralsEntry, FLYTEIDL__CORE__LITERAL_MAP__LITERALS_ENTRY__INIT);
			en->key = fl_strndup(g->a, e->pair.key->str.bytes, e->pair.key->str.len);
			en->value = fl_lower_literal(g, e->pair.value, t->elem);
			l->map->literals[i++] = en;
		}
		qsort(l->map->literals, i, sizeof *l->map->literals, fl_lower_cmp_lit_entry);
		return l;
	}
	return fl_lower_scalar_literal(g, scalar(g, v, t));
}
