/* type_kinds.h: the helpers for expanding base/type_kinds.def, the one
 * table of the language's type kinds: its flags and the macros that pick
 * the rows of one shape or side. */
#ifndef BASE_TYPE_KINDS_H
#define BASE_TYPE_KINDS_H

/* FLAGS of a row */
#define BASE_KIND_SCALAR  1u  /* a value type without parameters, written by NAME (int ... dir) */
#define BASE_KIND_BUILTIN 2u  /* NAME is a built-in type name of the language (scalars, list, dict) */
#define BASE_KIND_PARAM   4u  /* has parameters (an element type or an enum declaration) */

/* BASE_KIND_IF_RT(SIDE, ...): the rest when the row's kind is the runtime's
 * too (SIDE RT: it has an FLRT_ value), nothing for compiler-only kinds (NO). */
#define BASE_KIND_IF_RT(side, ...) BASE_KIND_IF_RT_##side(__VA_ARGS__)
#define BASE_KIND_IF_RT_RT(...) __VA_ARGS__
#define BASE_KIND_IF_RT_NO(...)
/* BASE_KIND_RT_OR(SIDE, THEN, OTHERWISE): THEN for the runtime's kinds, else OTHERWISE */
#define BASE_KIND_RT_OR(side, then, otherwise) BASE_KIND_RT_OR_##side(then, otherwise)
#define BASE_KIND_RT_OR_RT(then, otherwise) then
#define BASE_KIND_RT_OR_NO(then, otherwise) otherwise

/* BASE_KIND_IF_SIMPLE(LT, ...) and BASE_KIND_IF_BLOB(LT, ...): the rest when
 * the row's LiteralType is a SimpleType (ARG names it) or a BlobType (ARG
 * names its dimensionality); nothing for the other shapes. */
#define BASE_KIND_IF_SIMPLE(lt, ...) BASE_KIND_IF_SIMPLE_##lt(__VA_ARGS__)
#define BASE_KIND_IF_SIMPLE_SIMPLE(...) __VA_ARGS__
#define BASE_KIND_IF_SIMPLE_BLOB(...)
#define BASE_KIND_IF_SIMPLE_COLLECTION_TYPE(...)
#define BASE_KIND_IF_SIMPLE_MAP_VALUE_TYPE(...)
#define BASE_KIND_IF_SIMPLE_UNION_TYPE(...)
#define BASE_KIND_IF_SIMPLE_ENUM_TYPE(...)
#define BASE_KIND_IF_SIMPLE_NOT_SET(...)

#define BASE_KIND_IF_BLOB(lt, ...) BASE_KIND_IF_BLOB_##lt(__VA_ARGS__)
#define BASE_KIND_IF_BLOB_SIMPLE(...)
#define BASE_KIND_IF_BLOB_BLOB(...) __VA_ARGS__
#define BASE_KIND_IF_BLOB_COLLECTION_TYPE(...)
#define BASE_KIND_IF_BLOB_MAP_VALUE_TYPE(...)
#define BASE_KIND_IF_BLOB_UNION_TYPE(...)
#define BASE_KIND_IF_BLOB_ENUM_TYPE(...)
#define BASE_KIND_IF_BLOB_NOT_SET(...)

#endif
