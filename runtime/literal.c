/* literal.c: building and reading flyteidl Literals in an arena (the
 * constructors every part of the runtime uses) and their human names. */
#include "config.h"

#include <string.h>

#include "internal.h"

/* A scalar literal is three messages; one allocation holds them. */
struct scalar_block {
	Flyteidl__Core__Literal l;
	Flyteidl__Core__Scalar s;
	Flyteidl__Core__Primitive p;
};

static const struct scalar_block scalar_init = {
	FLYTEIDL__CORE__LITERAL__INIT, FLYTEIDL__CORE__SCALAR__INIT, FLYTEIDL__CORE__PRIMITIVE__INIT,
};

Flyteidl__Core__Literal *rt_lit_scalar(struct rt_arena *a, Flyteidl__Core__Scalar **sc)
{
	struct scalar_block *b = rt_arena_alloc(a, sizeof *b);
	if (b == NULL)
		return NULL;
	*b = scalar_init;
	b->l.value_case = LIT(SCALAR);
	b->l.scalar = &b->s;
	*sc = &b->s;
	return &b->l;
}

Flyteidl__Core__Literal *rt_lit_prim(struct rt_arena *a, Flyteidl__Core__Primitive **pp)
{
	struct scalar_block *b = rt_arena_alloc(a, sizeof *b);
	if (b == NULL)
		return NULL;
	*b = scalar_init;
	b->l.value_case = LIT(SCALAR);
	b->l.scalar = &b->s;
	b->s.value_case = SCA(PRIMITIVE);
	b->s.primitive = &b->p;
	*pp = &b->p;
	return &b->l;
}

Flyteidl__Core__Literal *rt_lit_none(struct rt_arena *a)
{
	Flyteidl__Core__Scalar *s;
	Flyteidl__Core__Literal *l = rt_lit_scalar(a, &s);
	Flyteidl__Core__Void *v = rt_arena_alloc(a, sizeof *v);
	if (l == NULL || v == NULL)
		return NULL;
	flyteidl__core__void__init(v);
	s->value_case = SCA(NONE_TYPE);
	s->none_type = v;
	return l;
}

Flyteidl__Core__Literal *rt_lit_int(struct rt_arena *a, int64_t v)
{
	Flyteidl__Core__Primitive *p;
	Flyteidl__Core__Literal *l = rt_lit_prim(a, &p);
	if (l != NULL) {
		p->value_case = PRIM(INTEGER);
		p->integer = v;
	}
	return l;
}

Flyteidl__Core__Literal *rt_lit_float(struct rt_arena *a, double v)
{
	Flyteidl__Core__Primitive *p;
	Flyteidl__Core__Literal *l = rt_lit_prim(a, &p);
	if (l != NULL) {
		p->value_case = PRIM(FLOAT_VALUE);
		p->float_value = v;
	}
	return l;
}

Flyteidl__Core__Literal *rt_lit_str(struct rt_arena *a, const char *str)
{
	Flyteidl__Core__Primitive *p;
	Flyteidl__Core__Literal *l = rt_lit_prim(a, &p);
	char *c = rt_arena_strdup(a, str);
	if (l == NULL || c == NULL)
		return NULL;
	p->value_case = PRIM(STRING_VALUE);
	p->string_value = c;
	return l;
}

Flyteidl__Core__Literal *rt_lit_bool(struct rt_arena *a, bool v)
{
	Flyteidl__Core__Primitive *p;
	Flyteidl__Core__Literal *l = rt_lit_prim(a, &p);
	if (l != NULL) {
		p->value_case = PRIM(BOOLEAN);
		p->boolean = v;
	}
	return l;
}

Flyteidl__Core__Literal *rt_lit_collection(struct rt_arena *a, size_t n)
{
	Flyteidl__Core__Literal *l = rt_arena_alloc(a, sizeof *l);
	Flyteidl__Core__LiteralCollection *c = rt_arena_alloc(a, sizeof *c);
	Flyteidl__Core__Literal **items = rt_arena_array(a, n, sizeof *items);
	if (l == NULL || c == NULL || items == NULL)
		return NULL;
	flyteidl__core__literal__init(l);
	flyteidl__core__literal_collection__init(c);
	c->n_literals = n;
	c->literals = items;
	l->value_case = LIT(COLLECTION);
	l->collection = c;
	return l;
}

Flyteidl__Core__LiteralMap *rt_litmap_new(struct rt_arena *a, size_t n)
{
	Flyteidl__Core__LiteralMap *m = rt_arena_alloc(a, sizeof *m);
	Flyteidl__Core__LiteralMap__LiteralsEntry **ep = rt_arena_array(a, n, sizeof *ep);
	Flyteidl__Core__LiteralMap__LiteralsEntry *e = rt_arena_array(a, n, sizeof *e);
	if (m == NULL || ep == NULL || e == NULL)
		return NULL;
	flyteidl__core__literal_map__init(m);
	for (size_t i = 0; i < n; i++) {
		flyteidl__core__literal_map__literals_entry__init(&e[i]);
		ep[i] = &e[i];
	}
	m->n_literals = n;
	m->literals = ep;
	return m;
}

Flyteidl__Core__Literal *rt_lit_map(struct rt_arena *a, size_t n)
{
	Flyteidl__Core__Literal *l = rt_arena_alloc(a, sizeof *l);
	Flyteidl__Core__LiteralMap *m = rt_litmap_new(a, n);
	if (l == NULL || m == NULL)
		return NULL;
	flyteidl__core__literal__init(l);
	l->value_case = LIT(MAP);
	l->map = m;
	return l;
}

void rt_litmap_set(Flyteidl__Core__LiteralMap *m, size_t i, const char *key, Flyteidl__Core__Literal *v)
{
	m->literals[i]->key = (char *)key;
	m->literals[i]->value = v;
}

Flyteidl__Core__Literal *rt_litmap_get(const Flyteidl__Core__LiteralMap *m, const char *key)
{
	if (m == NULL)
		return NULL;
	Flyteidl__Core__Literal *found = NULL;  /* protobuf map semantics: the last entry wins */
	for (size_t i = 0; i < m->n_literals; i++)
		if (m->literals[i] != NULL && m->literals[i]->key != NULL && strcmp(m->literals[i]->key, key) == 0)
			found = m->literals[i]->value;
	return found;
}

Flyteidl__Core__Literal *rt_lit_union(struct rt_arena *a, Flyteidl__Core__Literal *value, Flyteidl__Core__LiteralType *variant)
{
	Flyteidl__Core__Scalar *s;
	Flyteidl__Core__Literal *l = rt_lit_scalar(a, &s);
	Flyteidl__Core__Union *u = rt_arena_alloc(a, sizeof *u);
	if (l == NULL || u == NULL)
		return NULL;
	flyteidl__core__union__init(u);
	u->value = value;
	u->type = variant;
	s->value_case = SCA(UNION);
	s->union_ = u;
	return l;
}

bool rt_lit_is_none(const Flyteidl__Core__Literal *lit)
{
	return lit != NULL && lit->value_case == LIT(SCALAR) && lit->scalar != NULL &&
	       lit->scalar->value_case == SCA(NONE_TYPE);
}

/* ---- names ------------------------------------------------------------------- */
const char *rt_lit_kind(const Flyteidl__Core__Literal *lit)
{
	if (lit == NULL)
		return "nothing";
	switch (lit->value_case) {
	case LIT(COLLECTION): return "collection";
	case LIT(MAP): return "map";
	case LIT(OFFLOADED_METADATA): return "offloaded literal";
	case LIT(SCALAR): break;
	default: return "an empty literal";
	}
	const Flyteidl__Core__Scalar *s = lit->scalar;
	if (s == NULL)
		return "an empty scalar";
	switch (s->value_case) {
	case SCA(PRIMITIVE):
		if (s->primitive == NULL)
			return "an empty primitive";
		switch (s->primitive->value_case) {
		case PRIM(INTEGER): return "integer";
		case PRIM(FLOAT_VALUE): return "float";
		case PRIM(STRING_VALUE): return "string";
		case PRIM(BOOLEAN): return "boolean";
		case PRIM(DATETIME): return "datetime";
		case PRIM(DURATION): return "duration";
		default: return "an empty primitive";
		}
	case SCA(BLOB):
		if (s->blob != NULL && s->blob->metadata != NULL && s->blob->metadata->type != NULL &&
		    s->blob->metadata->type->dimensionality == DIM(MULTIPART))
			return "directory";
		return "file";
	case SCA(BINARY): return "binary";
	case SCA(SCHEMA): return "schema";
	case SCA(NONE_TYPE): return "none";
	case SCA(ERROR): return "error";
	case SCA(GENERIC): return "generic struct";
	case SCA(STRUCTURED_DATASET): return "structured dataset";
	case SCA(UNION): return "union";
	default: return "an empty scalar";
	}
}

