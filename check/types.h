/* types.h: the language's types, signatures and the list-lifting of maps. */
#ifndef FL_TYPES_H
#define FL_TYPES_H

#include "prelude.h"

#include "ast.h"
#include "type_kinds.h"
#include "hash.h"

struct fl_arena;

enum fl_type_kind {
#define X(kind, side, flrt, name, lt, arg, tag, ctype, human, flags) FL_T_##kind,
#include "type_kinds.def"
#undef X
};

enum {
#define X(kind, side, flrt, name, lt, arg, tag, ctype, human, flags) + 1
	FL_T_NKINDS = 0
#include "type_kinds.def"
#undef X
};

/* A kind's row of base/type_kinds.def, for the compiler. */
struct fl_kind {
	const char *name;   /* in the language ("int", "list", "none"), or NULL */
	const char *tag;    /* flytekit's union variant tag ("Typed List") */
	const char *ctype;  /* the C type of generated code, for scalars; else NULL */
	const char *flrt;   /* the runtime's kind ("FLRT_INT"), or NULL */
	unsigned flags;     /* BASE_KIND_* */
};
extern const struct fl_kind fl_kinds[FL_T_NKINDS];

struct fl_type {
	enum fl_type_kind kind;
	const struct fl_type *elem;   /* list, optional: the element; dict: the value */
	const struct fl_node *enumd;  /* FL_T_ENUM: the ENUM declaration */
};

/* How many protobuf messages deep a value of type t nests (its Literal
 * and everything inside it), or its LiteralType, whichever is deeper. */
unsigned fl_type_wire_depth(const struct fl_type *t);

/* The scalar types, shared. */
const struct fl_type *fl_type_scalar(enum fl_type_kind k);
const struct fl_type *fl_type_list(struct fl_arena *a, const struct fl_type *elem);
const struct fl_type *fl_type_dict(struct fl_arena *a, const struct fl_type *elem);
/* elem? ; an optional type stays as it is (T?? is T?). */
const struct fl_type *fl_type_optional(struct fl_arena *a, const struct fl_type *elem);
const struct fl_type *fl_type_enum(struct fl_arena *a, const struct fl_node *enumd);

/* The type as written in the language: "list[int?]". */
const char *fl_type_str(struct fl_arena *a, const struct fl_type *t);
bool fl_type_equal(const struct fl_type *a, const struct fl_type *b);
/* Whether a value of type `from` may flow where `to` is expected: equal
 * types; T into T?; none into T?; and the same through list elements and
 * dict values (list[T] into list[T?]). <error> flows anywhere. */
bool fl_type_assignable(const struct fl_type *to, const struct fl_type *from);
/* The name of a scalar type ("int"), or NULL for the others. */
const char *fl_type_scalar_name(enum fl_type_kind k);

/* One input or output of a signature. */
struct fl_var {
	const char *name;              /* interned */
	const struct fl_type *type;
	const struct fl_node *dflt;    /* default value (a literal), or NULL */
	bool bound;                    /* map inputs: bound by partial<...> (keeps its type) */
	const struct fl_node *bound_value;  /* the partial value */
	struct fl_loc loc;             /* where it was declared */
};

struct fl_sig_index;

struct fl_sig {
	struct fl_var *in;
	uint32_t nin;
	struct fl_var *out;
	uint32_t nout;
	bool single_output;            /* `-> T` (one output named o0) */
	const struct fl_sig_index *index;  /* names to positions, or NULL (see fl_sig_build_index) */
};

/* A map from pointers (interned names, nodes) to numbers (base/hash.h),
 * sized for n keys. It keeps lookups in wide signatures, long workflows
 * and big enums from growing quadratically. */
struct fl_ptrmap {
	struct base_hash h;
};
void fl_ptrmap_init(struct fl_arena *a, struct fl_ptrmap *m, size_t n);
/* The value of key, or -1. */
int64_t fl_ptrmap_get(const struct fl_ptrmap *m, const void *key);
/* Adds key -> val when key is absent; returns the value key had, or -1. */
int64_t fl_ptrmap_add(struct fl_ptrmap *m, const void *key, uint32_t val);
/* Sets key -> val, whether or not key was there. */
void fl_ptrmap_set(struct fl_ptrmap *m, const void *key, uint32_t val);

/* Indexes a complete signature's names (the first of a name that is
 * declared twice), so that fl_sig_input and fl_sig_output take constant
 * time; without it they search. */
void fl_sig_build_index(struct fl_arena *a, struct fl_sig *s);

/* The map of a signature: every input not in `bound` becomes list[T] and
 * loses its default; bound inputs keep their type (and value); each output
 * becomes list[R], or list[R?] when `optional_outputs`. */
struct fl_sig fl_sig_lift(struct fl_arena *a, const struct fl_sig *target, const char *const *bound,
			  const struct fl_node *const *bound_values, size_t nbound, bool optional_outputs);

/* "(i: list[int], label: str) -> list[str?]" */
const char *fl_sig_str(struct fl_arena *a, const struct fl_sig *s);

/* The index of the input or output named `name` (interned), or -1. */
int fl_sig_input(const struct fl_sig *s, const char *name);
int fl_sig_output(const struct fl_sig *s, const char *name);

#endif
