/* types.c: type construction, printing, compatibility and lifting. */
#include "prelude.h"

#include "types.h"

#include <string.h>

#include "arena.h"
#include "buf.h"

const struct fl_kind fl_kinds[FL_T_NKINDS] = {
#define X(kind, side, flrt, name, lt, arg, tag, ctype, human, flags) \
	[FL_T_##kind] = {name, tag, ctype, BASE_KIND_RT_OR(side, "FLRT_" #kind, NULL), flags},
#include "type_kinds.def"
#undef X
};

/* The types without parameters, shared; the others' entries are <error>. */
static const struct fl_type scalars[FL_T_NKINDS] = {
#define X(kind, side, flrt, name, lt, arg, tag, ctype, human, flags) \
	[FL_T_##kind] = {(flags) & BASE_KIND_PARAM ? FL_T_ERROR : FL_T_##kind, NULL, NULL},
#include "type_kinds.def"
#undef X
};

const struct fl_type *fl_type_scalar(enum fl_type_kind k)
{
	return (unsigned)k < FL_ARRAY_LEN(scalars) ? &scalars[k] : &scalars[FL_T_ERROR];
}

const char *fl_type_scalar_name(enum fl_type_kind k)
{
	return (unsigned)k < FL_T_NKINDS && (fl_kinds[k].flags & BASE_KIND_SCALAR) ? fl_kinds[k].name : NULL;
}

static const struct fl_type *compound(struct fl_arena *a, enum fl_type_kind k, const struct fl_type *elem)
{
	struct fl_type *t = FL_NEW(a, struct fl_type);
	t->kind = k;
	t->elem = elem;
	return t;
}

const struct fl_type *fl_type_list(struct fl_arena *a, const struct fl_type *elem)
{
	return compound(a, FL_T_LIST, elem);
}

const struct fl_type *fl_type_dict(struct fl_arena *a, const struct fl_type *elem)
{
	return compound(a, FL_T_DICT, elem);
}

const struct fl_type *fl_type_optional(struct fl_arena *a, const struct fl_type *elem)
{
	if (elem->kind == FL_T_OPTIONAL || elem->kind == FL_T_ERROR)
		return elem;
	return compound(a, FL_T_OPTIONAL, elem);
}

const struct fl_type *fl_type_enum(struct fl_arena *a, const struct fl_node *enumd)
{
	struct fl_type *t = FL_NEW(a, struct fl_type);
	t->kind = FL_T_ENUM;
	t->enumd = enumd;
	return t;
}

static const char *type_str(struct fl_arena *a, const struct fl_type *t)
{
	switch (t->kind) {
	case FL_T_LIST:
		return fl_sprintf(a, "list[%s]", type_str(a, t->elem));
	case FL_T_DICT:
		return fl_sprintf(a, "dict[str, %s]", type_str(a, t->elem));
	case FL_T_OPTIONAL:
		return fl_sprintf(a, "%s?", type_str(a, t->elem));
	case FL_T_ENUM:
		return t->enumd->enumd.name.str;
	default:  /* the scalars, none and <error> */
		return fl_kinds[t->kind].name;
	}
}

const char *fl_type_str(struct fl_arena *a, const struct fl_type *t)
{
	return type_str(a, t);
}

bool fl_type_equal(const struct fl_type *a, const struct fl_type *b)
{
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case FL_T_LIST:
	case FL_T_DICT:
	case FL_T_OPTIONAL:
		return fl_type_equal(a->elem, b->elem);
	case FL_T_ENUM:
		return a->enumd == b->enumd;
	default:
		return true;
	}
}

bool fl_type_assignable(const struct fl_type *to, const struct fl_type *from)
{
	if (to->kind == FL_T_ERROR || from->kind == FL_T_ERROR)
		return true;
	if (to->kind == FL_T_OPTIONAL) {
		if (from->kind == FL_T_NONE)
			return true;
		if (from->kind == FL_T_OPTIONAL)
			return fl_type_assignable(to->elem, from->elem);
		return fl_type_assignable(to->elem, from);
	}
	if (to->kind != from->kind)
		return false;
	switch (to->kind) {
	case FL_T_LIST:
	case FL_T_DICT:
		return fl_type_assignable(to->elem, from->elem);
	case FL_T_ENUM:
		return to->enumd == from->enumd;
	default:
		return true;
	}
}

struct fl_sig fl_sig_lift(struct fl_arena *a, const struct fl_sig *target, const char *const *bound,
			  const struct fl_node *const *bound_values, size_t nbound, bool optional_outputs)
{
	struct fl_sig s = {0};
	s.nin = target->nin;
	s.in = fl_zalloc(a, (s.nin ? s.nin : 1) * sizeof *s.in);
	struct fl_ptrmap bmap;
	fl_ptrmap_init(a, &bmap, nbound);
	for (size_t k = 0; k < nbound; k++)
		fl_ptrmap_set(&bmap, bound[k], (uint32_t)k);  /* the last binding of a name counts */
	for (uint32_t i = 0; i < target->nin; i++) {
		struct fl_var v = target->in[i];
		v.bound = false;
		v.bound_value = NULL;
		int64_t k = v.name != NULL ? fl_ptrmap_get(&bmap, v.name) : -1;
		if (k >= 0) {
			v.bound = true;
			v.bound_value = bound_values ? bound_values[k] : NULL;
		}
		if (!v.bound) {
			v.type = fl_type_list(a, v.type);
			v.dflt = NULL;
		}
		s.in[i] = v;
	}
	s.nout = target->nout;
	s.single_output = target->single_output;
	s.out = fl_zalloc(a, (s.nout ? s.nout : 1) * sizeof *s.out);
	for (uint32_t i = 0; i < target->nout; i++) {
		struct fl_var v = target->out[i];
		const struct fl_type *elem = optional_outputs ? fl_type_optional(a, v.type) : v.type;
		v.type = fl_type_list(a, elem);
		v.dflt = NULL;
		s.out[i] = v;
	}
	return s;
}

/* A string built by appending, in a buffer that doubles (each piece is
 * copied once or twice, not once per piece after it). */
static void sb_vars(struct fl_arena *a, struct base_buf *b, const struct fl_var *v, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if (i)
			base_buf_puts(b, ", ");
		base_buf_puts(b, v[i].name ? v[i].name : "?");
		base_buf_puts(b, ": ");
		base_buf_puts(b, fl_type_str(a, v[i].type));
	}
}

const char *fl_sig_str(struct fl_arena *a, const struct fl_sig *s)
{
	struct base_buf b;
	base_buf_init(&b, fl_arena_core(a));
	base_buf_puts(&b, "(");
	sb_vars(a, &b, s->in, s->nin);
	base_buf_puts(&b, ") -> ");
	if (s->single_output && s->nout == 1) {
		base_buf_puts(&b, fl_type_str(a, s->out[0].type));
		return b.data;
	}
	base_buf_puts(&b, "(");
	sb_vars(a, &b, s->out, s->nout);
	base_buf_puts(&b, ")");
	return b.data;
}

/* ---- pointer maps ------------------------------------------------------ */

void fl_ptrmap_init(struct fl_arena *a, struct fl_ptrmap *m, size_t n)
{
	base_hash_init(&m->h, fl_arena_core(a), n);
}

int64_t fl_ptrmap_get(const struct fl_ptrmap *m, const void *key)
{
	const struct base_hash_slot *s = base_hash_find_ptr(&m->h, key);
	return s != NULL ? (int64_t)s->val : -1;
}

int64_t fl_ptrmap_add(struct fl_ptrmap *m, const void *key, uint32_t val)
{
	bool added;
	struct base_hash_slot *s = base_hash_insert_ptr(&m->h, key, &added);
	if (!added)
		return (int64_t)s->val;
	s->val = val;
	return -1;
}

void fl_ptrmap_set(struct fl_ptrmap *m, const void *key, uint32_t val)
{
	bool added;
	base_hash_insert_ptr(&m->h, key, &added)->val = val;
}

struct fl_sig_index {
	struct fl_ptrmap in, out;
};

void fl_sig_build_index(struct fl_arena *a, struct fl_sig *s)
{
	enum { SMALL = 8 };  /* a search is as fast below this */
	if (s->index != NULL || (s->nin <= SMALL && s->nout <= SMALL))
		return;
	struct fl_sig_index *x = fl_alloc(a, sizeof *x);
	fl_ptrmap_init(a, &x->in, s->nin);
	for (uint32_t i = 0; i < s->nin; i++)
		if (s->in[i].name != NULL)
			fl_ptrmap_add(&x->in, s->in[i].name, i);
	fl_ptrmap_init(a, &x->out, s->nout);
	for (uint32_t i = 0; i < s->nout; i++)
		if (s->out[i].name != NULL)
			fl_ptrmap_add(&x->out, s->out[i].name, i);
	s->index = x;
}

/* The position of name among v[0..n), by the index when there is one. */
static int var_position(const struct fl_var *v, uint32_t n, const struct fl_ptrmap *index, const char *name)
{
	if (index != NULL)
		return name == NULL ? -1 : (int)fl_ptrmap_get(index, name);
	for (uint32_t i = 0; i < n; i++)
		if (v[i].name == name)
			return (int)i;
	return -1;
}

int fl_sig_input(const struct fl_sig *s, const char *name)
{
	return var_position(s->in, s->nin, s->index != NULL ? &s->index->in : NULL, name);
}

int fl_sig_output(const struct fl_sig *s, const char *name)
{
	return var_position(s->out, s->nout, s->index != NULL ? &s->index->out : NULL, name);
}

/* A value: Literal > Scalar > Primitive (> Timestamp, Duration), or
 * Literal > Scalar > Blob > BlobMetadata > BlobType; a list adds Literal >
 * LiteralCollection, a dict Literal > LiteralMap > entry, an optional
 * Literal > Scalar > Union (whose value is a Literal and whose type a
 * LiteralType). */
static unsigned value_depth(const struct fl_type *t);

/* A type: LiteralType (> BlobType, EnumType); a list or dict adds one
 * LiteralType; an optional LiteralType > UnionType > variant LiteralType
 * (> TypeStructure, flytekit's tag). */
static unsigned type_depth(const struct fl_type *t)
{
	unsigned d = 0, leaf = 1;
	for (; t != NULL; t = t->elem) {
		switch (t->kind) {
		case FL_T_LIST: case FL_T_DICT: d += 1; break;
		case FL_T_OPTIONAL: d += 3; break;
		case FL_T_FILE: case FL_T_DIR: case FL_T_ENUM: leaf = 2; break;
		default: break;
		}
	}
	return d + leaf;
}

static unsigned value_depth(const struct fl_type *t)
{
	switch (t->kind) {
	case FL_T_LIST: return 2 + value_depth(t->elem);
	case FL_T_DICT: return 3 + value_depth(t->elem);
	case FL_T_OPTIONAL: {
		unsigned v = value_depth(t->elem), ty = type_depth(t->elem);
		return 3 + (v > ty ? v : ty);
	}
	case FL_T_FILE: case FL_T_DIR: return 5;
	case FL_T_DATETIME: case FL_T_DURATION: return 4;
	default: return 3;
	}
}

unsigned fl_type_wire_depth(const struct fl_type *t)
{
	unsigned v = value_depth(t), ty = type_depth(t);
	return v > ty ? v : ty;
}
