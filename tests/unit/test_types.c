/* test_types.c: unit tests for the checker's type unit (check/types.c):
 * building and printing types, equality, assignability, the list-lifting
 * of map signatures (fl_sig_lift), and the resource quantities of
 * check/options.c (fl_quantity_parse).
 *
 * Run by automake's TAP driver with CK_TAP_LOG_FILE_NAME=- and
 * CK_VERBOSITY=silent; also under valgrind with CK_FORK=no. */
#include "prelude.h"

#include <check.h>

#include <math.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "ast.h"
#include "checker.h"
#include "types.h"

/* Every test allocates from its own arena, with an out-of-memory handler
 * installed (fl_alloc never returns NULL; it jumps there), and frees it at
 * the end. */
#define ARENA_BEGIN                                                       \
	struct fl_arena *a = fl_arena_new();                              \
	ck_assert_ptr_nonnull(a);                                         \
	jmp_buf on_oom;                                                   \
	if (setjmp(on_oom) != 0) {                                        \
		fl_arena_catch(a, NULL);                                  \
		fl_arena_free(a);                                         \
		ck_abort_msg("out of memory");                            \
	}                                                                 \
	fl_arena_catch(a, &on_oom)

#define ARENA_END                                                         \
	do {                                                              \
		fl_arena_catch(a, NULL);                                  \
		fl_arena_free(a);                                         \
	} while (0)

/* Short names for building types. */
#define INT fl_type_scalar(FL_T_INT)
#define FLOAT fl_type_scalar(FL_T_FLOAT)
#define STR fl_type_scalar(FL_T_STR)
#define BOOL fl_type_scalar(FL_T_BOOL)
#define NONE fl_type_scalar(FL_T_NONE)
#define ERR fl_type_scalar(FL_T_ERROR)
#define LIST(t) fl_type_list(a, (t))
#define DICT(t) fl_type_dict(a, (t))
#define OPT(t) fl_type_optional(a, (t))

#define ck_assert_type_str(t, s) ck_assert_str_eq(fl_type_str(a, (t)), (s))

/* An ENUM declaration node named `name` (enough for types: its name). */
static const struct fl_node *enum_decl(struct fl_arena *a, const char *name)
{
	struct fl_node *n = FL_NEW(a, struct fl_node);
	n->kind = FL_ENUM;
	n->enumd.name.str = name;
	return n;
}

static const struct fl_node *int_node(struct fl_arena *a, int64_t v)
{
	struct fl_node *n = FL_NEW(a, struct fl_node);
	n->kind = FL_INT;
	n->ival = v;
	return n;
}

/* ------------------------------------------------------------------------
 * representation and printing */

/* Every scalar prints as its name; the scalars are shared. */
START_TEST(type_scalars)
{
	ARENA_BEGIN;
	static const struct {
		enum fl_type_kind k;
		const char *name;
	} scalars[] = {
		{FL_T_INT, "int"}, {FL_T_FLOAT, "float"}, {FL_T_STR, "str"}, {FL_T_BOOL, "bool"},
		{FL_T_DATETIME, "datetime"}, {FL_T_DURATION, "duration"}, {FL_T_BYTES, "bytes"},
		{FL_T_FILE, "file"}, {FL_T_DIR, "dir"},
	};
	for (size_t i = 0; i < FL_ARRAY_LEN(scalars); i++) {
		const struct fl_type *t = fl_type_scalar(scalars[i].k);
		ck_assert_int_eq(t->kind, scalars[i].k);
		ck_assert_ptr_null(t->elem);
		ck_assert_ptr_eq(t, fl_type_scalar(scalars[i].k));
		ck_assert_str_eq(fl_type_str(a, t), scalars[i].name);
		ck_assert_str_eq(fl_type_scalar_name(scalars[i].k), scalars[i].name);
	}
	ck_assert_type_str(NONE, "none");
	ck_assert_type_str(ERR, "<error>");
	ck_assert_int_eq(NONE->kind, FL_T_NONE);
	ck_assert_int_eq(ERR->kind, FL_T_ERROR);
	/* the other kinds have no name */
	ck_assert_ptr_null(fl_type_scalar_name(FL_T_LIST));
	ck_assert_ptr_null(fl_type_scalar_name(FL_T_DICT));
	ck_assert_ptr_null(fl_type_scalar_name(FL_T_OPTIONAL));
	ck_assert_ptr_null(fl_type_scalar_name(FL_T_ENUM));
	ARENA_END;
}
END_TEST

/* Compound types print as written in the language, at any depth. */
START_TEST(type_str_nested)
{
	ARENA_BEGIN;
	ck_assert_type_str(LIST(INT), "list[int]");
	ck_assert_type_str(OPT(INT), "int?");
	ck_assert_type_str(LIST(OPT(INT)), "list[int?]");
	ck_assert_type_str(OPT(LIST(INT)), "list[int]?");
	ck_assert_type_str(DICT(FLOAT), "dict[str, float]");
	ck_assert_type_str(LIST(LIST(LIST(STR))), "list[list[list[str]]]");
	ck_assert_type_str(OPT(DICT(LIST(OPT(INT)))), "dict[str, list[int?]]?");
	ck_assert_type_str(DICT(DICT(OPT(BOOL))), "dict[str, dict[str, bool?]]");
	const struct fl_type *lvl = fl_type_enum(a, enum_decl(a, "Level"));
	ck_assert_int_eq(lvl->kind, FL_T_ENUM);
	ck_assert_type_str(lvl, "Level");
	ck_assert_type_str(LIST(OPT(lvl)), "list[Level?]");
	ck_assert_type_str(LIST(ERR), "list[<error>]");
	ck_assert_type_str(DICT(NONE), "dict[str, none]");
	ARENA_END;
}
END_TEST

/* T?? is T?: optional of an optional is the same type, and <error>? is
 * <error>; elem of an optional is never optional. */
START_TEST(type_optional_folds)
{
	ARENA_BEGIN;
	const struct fl_type *oi = OPT(INT);
	ck_assert_int_eq(oi->kind, FL_T_OPTIONAL);
	ck_assert_ptr_eq(oi->elem, INT);
	ck_assert_ptr_eq(OPT(oi), oi);
	ck_assert_ptr_eq(OPT(OPT(oi)), oi);
	ck_assert_type_str(OPT(oi), "int?");
	ck_assert_ptr_eq(OPT(ERR), ERR);
	const struct fl_type *ol = OPT(LIST(OPT(STR)));
	ck_assert_ptr_eq(OPT(ol), ol);
	ck_assert_int_eq(ol->elem->kind, FL_T_LIST);
	ck_assert_type_str(ol, "list[str?]?");
	/* folding only looks at the top: list[int?]? is not list[int?] */
	ck_assert_int_eq(OPT(LIST(oi))->kind, FL_T_OPTIONAL);
	ARENA_END;
}
END_TEST

START_TEST(type_equal)
{
	ARENA_BEGIN;
	const struct fl_node *lv = enum_decl(a, "Level"), *co = enum_decl(a, "Color");
	const struct fl_node *lv2 = enum_decl(a, "Level");  /* same name, another declaration */
	/* equal: the same structure, built twice */
	ck_assert(fl_type_equal(INT, INT));
	ck_assert(fl_type_equal(LIST(INT), LIST(INT)));
	ck_assert(fl_type_equal(LIST(OPT(INT)), LIST(OPT(INT))));
	ck_assert(fl_type_equal(DICT(LIST(STR)), DICT(LIST(STR))));
	ck_assert(fl_type_equal(OPT(LIST(INT)), OPT(LIST(INT))));
	ck_assert(fl_type_equal(OPT(OPT(INT)), OPT(INT)));
	ck_assert(fl_type_equal(fl_type_enum(a, lv), fl_type_enum(a, lv)));
	ck_assert(fl_type_equal(NONE, NONE));
	ck_assert(fl_type_equal(ERR, ERR));
	/* different */
	ck_assert(!fl_type_equal(INT, FLOAT));
	ck_assert(!fl_type_equal(INT, OPT(INT)));
	ck_assert(!fl_type_equal(OPT(INT), INT));
	ck_assert(!fl_type_equal(LIST(INT), DICT(INT)));
	ck_assert(!fl_type_equal(LIST(INT), LIST(OPT(INT))));
	ck_assert(!fl_type_equal(LIST(OPT(INT)), OPT(LIST(INT))));
	ck_assert(!fl_type_equal(LIST(LIST(INT)), LIST(LIST(FLOAT))));
	ck_assert(!fl_type_equal(LIST(INT), INT));
	ck_assert(!fl_type_equal(fl_type_enum(a, lv), fl_type_enum(a, co)));
	ck_assert(!fl_type_equal(fl_type_enum(a, lv), fl_type_enum(a, lv2)));
	ck_assert(!fl_type_equal(fl_type_enum(a, lv), STR));
	ck_assert(!fl_type_equal(NONE, OPT(INT)));
	/* equality is not compatibility: <error> equals only itself */
	ck_assert(!fl_type_equal(ERR, INT));
	ck_assert(!fl_type_equal(INT, ERR));
	ARENA_END;
}
END_TEST

/* ------------------------------------------------------------------------
 * assignability: fl_type_assignable(to, from) */

struct flow {
	const struct fl_type *to, *from;
	bool ok;
};

static void check_flows(struct fl_arena *a, const struct flow *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(fl_type_assignable(f[i].to, f[i].from) == f[i].ok, "flow %zu: %s into %s should %s", i,
			      fl_type_str(a, f[i].from), fl_type_str(a, f[i].to), f[i].ok ? "be allowed" : "be refused");
}

/* Scalars: only the same scalar; no conversions (int into float is refused). */
START_TEST(assign_scalars)
{
	ARENA_BEGIN;
	for (int i = FL_T_INT; i <= FL_T_DIR; i++) {
		for (int j = FL_T_INT; j <= FL_T_DIR; j++) {
			const struct fl_type *to = fl_type_scalar((enum fl_type_kind)i);
			const struct fl_type *from = fl_type_scalar((enum fl_type_kind)j);
			ck_assert_msg(fl_type_assignable(to, from) == (i == j), "%s into %s", fl_type_str(a, from),
				      fl_type_str(a, to));
		}
	}
	ARENA_END;
}
END_TEST

/* T into T?; none into T?; not the other way round. */
START_TEST(assign_optional_and_none)
{
	ARENA_BEGIN;
	const struct flow f[] = {
		{OPT(INT), INT, true},
		{OPT(INT), OPT(INT), true},
		{OPT(INT), NONE, true},
		{INT, OPT(INT), false},
		{INT, NONE, false},
		{LIST(INT), NONE, false},
		{DICT(INT), NONE, false},
		{OPT(FLOAT), INT, false},
		{OPT(FLOAT), OPT(INT), false},
		{OPT(LIST(INT)), NONE, true},
		{OPT(LIST(INT)), LIST(INT), true},
		{LIST(INT), OPT(LIST(INT)), false},
		/* T?? is T?: a folded optional behaves as one */
		{OPT(OPT(STR)), STR, true},
		{STR, OPT(OPT(STR)), false},
	};
	check_flows(a, f, FL_ARRAY_LEN(f));
	ARENA_END;
}
END_TEST

/* list[T] into list[T?], through any depth of lists and dict values. */
START_TEST(assign_collections)
{
	ARENA_BEGIN;
	const struct flow f[] = {
		{LIST(INT), LIST(INT), true},
		{LIST(OPT(INT)), LIST(INT), true},
		{LIST(INT), LIST(OPT(INT)), false},
		{LIST(LIST(OPT(INT))), LIST(LIST(INT)), true},
		{LIST(LIST(INT)), LIST(LIST(OPT(INT))), false},
		{LIST(OPT(LIST(INT))), LIST(LIST(INT)), true},
		{LIST(LIST(INT)), LIST(OPT(LIST(INT))), false},
		{DICT(OPT(INT)), DICT(INT), true},
		{DICT(INT), DICT(OPT(INT)), false},
		{DICT(LIST(OPT(STR))), DICT(LIST(STR)), true},
		{DICT(LIST(STR)), DICT(LIST(OPT(STR))), false},
		{LIST(DICT(OPT(INT))), LIST(DICT(INT)), true},
		{OPT(LIST(OPT(INT))), LIST(INT), true},
		{OPT(LIST(INT)), LIST(OPT(INT)), false},
		{LIST(OPT(INT)), LIST(NONE), true},
		{LIST(INT), LIST(NONE), false},
		/* shapes must agree */
		{LIST(INT), INT, false},
		{INT, LIST(INT), false},
		{LIST(INT), DICT(INT), false},
		{DICT(INT), LIST(INT), false},
		{LIST(LIST(INT)), LIST(INT), false},
		{LIST(INT), LIST(LIST(INT)), false},
		{LIST(FLOAT), LIST(INT), false},
		{LIST(OPT(FLOAT)), LIST(INT), false},
	};
	check_flows(a, f, FL_ARRAY_LEN(f));
	ARENA_END;
}
END_TEST

/* <error> (an earlier mistake) flows anywhere and accepts anything, also
 * inside lists and dicts. */
START_TEST(assign_error)
{
	ARENA_BEGIN;
	const struct flow f[] = {
		{INT, ERR, true},
		{ERR, INT, true},
		{ERR, ERR, true},
		{LIST(INT), ERR, true},
		{ERR, LIST(OPT(INT)), true},
		{LIST(INT), LIST(ERR), true},
		{LIST(ERR), LIST(STR), true},
		{DICT(LIST(INT)), DICT(ERR), true},
		{OPT(INT), ERR, true},
		{ERR, NONE, true},
		/* but not where the shapes around it differ */
		{LIST(INT), DICT(ERR), false},
		{INT, LIST(ERR), false},
	};
	check_flows(a, f, FL_ARRAY_LEN(f));
	ARENA_END;
}
END_TEST

/* Enums flow only into the same declaration (or its optional). */
START_TEST(assign_enums)
{
	ARENA_BEGIN;
	const struct fl_node *lv = enum_decl(a, "Level"), *co = enum_decl(a, "Color");
	const struct fl_type *l1 = fl_type_enum(a, lv), *l2 = fl_type_enum(a, lv), *c = fl_type_enum(a, co);
	const struct flow f[] = {
		{l1, l2, true},
		{OPT(l1), l2, true},
		{LIST(OPT(l1)), LIST(l2), true},
		{l1, c, false},
		{c, l1, false},
		{l1, STR, false},
		{STR, l1, false},
		{l1, OPT(l2), false},
		{l1, NONE, false},
	};
	check_flows(a, f, FL_ARRAY_LEN(f));
	ARENA_END;
}
END_TEST

/* ------------------------------------------------------------------------
 * fl_sig_lift */

static struct fl_var var(const char *name, const struct fl_type *t, const struct fl_node *dflt, uint32_t line)
{
	struct fl_var v = {0};
	v.name = name;
	v.type = t;
	v.dflt = dflt;
	v.loc.line = line;
	return v;
}

/* The reference's t(a: int, b: str?) -> int, with a default on a. */
static struct fl_sig sig_t(struct fl_arena *a, const char *na, const char *nb, const char *o0,
			   const struct fl_node *a_dflt)
{
	struct fl_sig s = {0};
	s.nin = 2;
	s.in = fl_zalloc(a, 2 * sizeof *s.in);
	s.in[0] = var(na, INT, a_dflt, 1);
	s.in[1] = var(nb, OPT(STR), NULL, 2);
	s.nout = 1;
	s.out = fl_zalloc(a, sizeof *s.out);
	s.out[0] = var(o0, INT, NULL, 3);
	s.single_output = true;
	return s;
}

/* Nothing bound: every input becomes a list and loses its default; the
 * output becomes list[int], or list[int?] with optional outputs. */
START_TEST(lift_nothing_bound)
{
	ARENA_BEGIN;
	const char *na = "a", *nb = "b", *o0 = "o0";
	const struct fl_node *dflt = int_node(a, 7);
	struct fl_sig t = sig_t(a, na, nb, o0, dflt);
	struct fl_sig m = fl_sig_lift(a, &t, NULL, NULL, 0, false);
	ck_assert_uint_eq(m.nin, 2);
	ck_assert_ptr_eq(m.in[0].name, na);
	ck_assert_ptr_eq(m.in[1].name, nb);
	ck_assert_type_str(m.in[0].type, "list[int]");
	ck_assert_type_str(m.in[1].type, "list[str?]");
	ck_assert_ptr_eq(m.in[0].type->elem, INT);  /* the element is the input's own type */
	ck_assert_ptr_eq(m.in[1].type->elem, t.in[1].type);
	ck_assert_ptr_null(m.in[0].dflt);
	ck_assert(!m.in[0].bound && !m.in[1].bound);
	ck_assert_ptr_null(m.in[0].bound_value);
	ck_assert_uint_eq(m.in[0].loc.line, 1);  /* where the task declared it */
	ck_assert_uint_eq(m.in[1].loc.line, 2);
	ck_assert_uint_eq(m.nout, 1);
	ck_assert_ptr_eq(m.out[0].name, o0);
	ck_assert_type_str(m.out[0].type, "list[int]");
	ck_assert(m.single_output);
	ck_assert_str_eq(fl_sig_str(a, &m), "(a: list[int], b: list[str?]) -> list[int]");

	struct fl_sig r = fl_sig_lift(a, &t, NULL, NULL, 0, true);
	ck_assert_type_str(r.out[0].type, "list[int?]");
	ck_assert_type_str(r.in[0].type, "list[int]");  /* inputs never become list[T?] */
	ck_assert_str_eq(fl_sig_str(a, &r), "(a: list[int], b: list[str?]) -> list[int?]");

	/* the target is not changed */
	ck_assert_ptr_eq(t.in[0].type, INT);
	ck_assert_ptr_eq(t.in[0].dflt, dflt);
	ck_assert_type_str(t.out[0].type, "int");
	ck_assert_str_eq(fl_sig_str(a, &t), "(a: int, b: str?) -> int");
	ARENA_END;
}
END_TEST

/* Bound inputs keep their type, default and partial value; the others are
 * lifted. Names match by pointer (they are interned). */
START_TEST(lift_bound)
{
	ARENA_BEGIN;
	const char *na = "a", *nb = "b", *o0 = "o0";
	const struct fl_node *dflt = int_node(a, 7), *va = int_node(a, 1), *vb = int_node(a, 2);
	struct fl_sig t = sig_t(a, na, nb, o0, dflt);

	const char *bound_a[] = {na};
	const struct fl_node *values_a[] = {va};
	struct fl_sig m = fl_sig_lift(a, &t, bound_a, values_a, 1, false);
	ck_assert(m.in[0].bound);
	ck_assert_ptr_eq(m.in[0].type, INT);
	ck_assert_ptr_eq(m.in[0].bound_value, va);
	ck_assert(!m.in[1].bound);
	ck_assert_ptr_null(m.in[1].bound_value);
	ck_assert_type_str(m.in[1].type, "list[str?]");
	ck_assert_type_str(m.out[0].type, "list[int]");
	ck_assert_str_eq(fl_sig_str(a, &m), "(a: int, b: list[str?]) -> list[int]");

	/* every input bound: the inputs are unchanged, the output still a list */
	const char *bound_ab[] = {nb, na};
	const struct fl_node *values_ab[] = {vb, va};
	struct fl_sig all = fl_sig_lift(a, &t, bound_ab, values_ab, 2, false);
	ck_assert(all.in[0].bound && all.in[1].bound);
	ck_assert_ptr_eq(all.in[0].bound_value, va);
	ck_assert_ptr_eq(all.in[1].bound_value, vb);
	ck_assert_ptr_eq(all.in[1].type, t.in[1].type);
	ck_assert_str_eq(fl_sig_str(a, &all), "(a: int, b: str?) -> list[int]");

	/* no values given: bound, without a value */
	struct fl_sig nv = fl_sig_lift(a, &t, bound_a, NULL, 1, false);
	ck_assert(nv.in[0].bound);
	ck_assert_ptr_null(nv.in[0].bound_value);
	ck_assert_ptr_eq(nv.in[0].type, INT);

	/* a name the target does not have binds nothing; a different pointer
	 * with the same text is a different (not interned) name */
	char other[] = "a";
	const char *bound_x[] = {"zz", other};
	struct fl_sig nx = fl_sig_lift(a, &t, bound_x, NULL, 2, false);
	ck_assert(!nx.in[0].bound && !nx.in[1].bound);
	ck_assert_type_str(nx.in[0].type, "list[int]");
	ARENA_END;
}
END_TEST

/* A list input becomes a list of lists; an optional output is not made
 * optional twice; named outputs keep their names. */
START_TEST(lift_nested_and_optional)
{
	ARENA_BEGIN;
	struct fl_sig t = {0};
	t.nin = 3;
	t.in = fl_zalloc(a, 3 * sizeof *t.in);
	t.in[0] = var("xs", LIST(INT), NULL, 1);
	t.in[1] = var("grid", LIST(LIST(OPT(FLOAT))), NULL, 1);
	t.in[2] = var("d", DICT(STR), NULL, 1);
	t.nout = 1;
	t.out = fl_zalloc(a, sizeof *t.out);
	t.out[0] = var("out", OPT(STR), NULL, 1);
	t.single_output = false;
	struct fl_sig m = fl_sig_lift(a, &t, NULL, NULL, 0, true);
	ck_assert_type_str(m.in[0].type, "list[list[int]]");
	ck_assert_type_str(m.in[1].type, "list[list[list[float?]]]");
	ck_assert_type_str(m.in[2].type, "list[dict[str, str]]");
	ck_assert_type_str(m.out[0].type, "list[str?]");
	ck_assert_int_eq(m.out[0].type->elem->kind, FL_T_OPTIONAL);
	ck_assert_int_eq(m.out[0].type->elem->elem->kind, FL_T_STR);
	ck_assert(!m.single_output);
	ck_assert_str_eq(fl_sig_str(a, &m),
			 "(xs: list[list[int]], grid: list[list[list[float?]]], d: list[dict[str, str]]) -> (out: list[str?])");
	struct fl_sig p = fl_sig_lift(a, &t, NULL, NULL, 0, false);
	ck_assert_type_str(p.out[0].type, "list[str?]");
	ARENA_END;
}
END_TEST

/* No inputs: none after lifting; no outputs: none after lifting, also with
 * optional outputs. */
START_TEST(lift_zero_inputs_outputs)
{
	ARENA_BEGIN;
	struct fl_sig t = {0};
	t.out = fl_zalloc(a, sizeof *t.out);
	t.nout = 1;
	t.out[0] = var("o0", STR, NULL, 1);
	t.single_output = true;
	struct fl_sig m = fl_sig_lift(a, &t, NULL, NULL, 0, true);
	ck_assert_uint_eq(m.nin, 0);
	ck_assert_uint_eq(m.nout, 1);
	ck_assert_str_eq(fl_sig_str(a, &m), "() -> list[str?]");

	struct fl_sig u = {0};
	u.nin = 1;
	u.in = fl_zalloc(a, sizeof *u.in);
	u.in[0] = var("x", INT, NULL, 1);
	struct fl_sig n = fl_sig_lift(a, &u, NULL, NULL, 0, true);
	ck_assert_uint_eq(n.nin, 1);
	ck_assert_uint_eq(n.nout, 0);
	ck_assert_str_eq(fl_sig_str(a, &n), "(x: list[int]) -> ()");

	struct fl_sig e = {0};
	struct fl_sig ne = fl_sig_lift(a, &e, NULL, NULL, 0, false);
	ck_assert_uint_eq(ne.nin, 0);
	ck_assert_uint_eq(ne.nout, 0);
	ck_assert_str_eq(fl_sig_str(a, &ne), "() -> ()");
	ARENA_END;
}
END_TEST

/* Lookup of inputs and outputs by (interned) name. */
START_TEST(sig_lookup)
{
	ARENA_BEGIN;
	const char *na = "a", *nb = "b", *o0 = "o0";
	struct fl_sig t = sig_t(a, na, nb, o0, NULL);
	ck_assert_int_eq(fl_sig_input(&t, na), 0);
	ck_assert_int_eq(fl_sig_input(&t, nb), 1);
	ck_assert_int_eq(fl_sig_input(&t, o0), -1);
	ck_assert_int_eq(fl_sig_output(&t, o0), 0);
	ck_assert_int_eq(fl_sig_output(&t, na), -1);
	struct fl_sig m = fl_sig_lift(a, &t, NULL, NULL, 0, false);
	ck_assert_int_eq(fl_sig_input(&m, nb), 1);
	ck_assert_int_eq(fl_sig_output(&m, o0), 0);
	ARENA_END;
}
END_TEST

/* ------------------------------------------------------------------------
 * fl_quantity_parse */

START_TEST(quantity_valid)
{
	static const struct {
		const char *s;
		double v;
	} ok[] = {
		{"0", 0},
		{"2", 2},
		{"+2", 2},
		{"0.5", 0.5},
		{"1.25", 1.25},
		{"500m", 0.5},
		{"1500m", 1.5},
		{"100u", 1e-4},
		{"5n", 5e-9},
		{"1k", 1e3},
		{"1M", 1e6},
		{"1G", 1e9},
		{"2T", 2e12},
		{"1P", 1e15},
		{"1E", 1e18},
		{"512Ki", 524288},
		{"256Mi", 268435456},
		{"1Gi", 1073741824},
		{"1.5Gi", 1610612736},
		{"1Ti", 1099511627776.0},
		{"1Pi", 1125899906842624.0},
		{"1Ei", 1152921504606846976.0},
		{"1e3", 1e3},
		{"1.5e3", 1500},
		{"1E3", 1e3},
		{"2e-3", 2e-3},
		{"1e+2", 100},
	};
	for (size_t i = 0; i < FL_ARRAY_LEN(ok); i++) {
		double v = -1;
		ck_assert_msg(fl_quantity_parse(ok[i].s, &v), "'%s' should be a quantity", ok[i].s);
		ck_assert_msg(fabs(v - ok[i].v) <= 1e-12 * fabs(ok[i].v), "'%s' is %.17g, not %.17g", ok[i].s, v,
			      ok[i].v);
	}
}
END_TEST

START_TEST(quantity_invalid)
{
	static const char *const bad[] = {
		"", "m", "Gi", "-1", "1 Gi", " 1", "1 ", "1gi", "1GI", "1KiB", "1Ki2", "1x", "500mm", "1.2.3",
		".", "1e", "1e3.5", "0x10", "1,5", "++1", "1/2", "e3",
	};
	for (size_t i = 0; i < FL_ARRAY_LEN(bad); i++) {
		double v = 42;
		ck_assert_msg(!fl_quantity_parse(bad[i], &v), "'%s' should not be a quantity", bad[i]);
	}
}
END_TEST

static Suite *types_suite(void)
{
	Suite *s = suite_create("types");
	TCase *tc = tcase_create("types");
	tcase_add_test(tc, type_scalars);
	tcase_add_test(tc, type_str_nested);
	tcase_add_test(tc, type_optional_folds);
	tcase_add_test(tc, type_equal);
	suite_add_tcase(s, tc);

	tc = tcase_create("assignable");
	tcase_add_test(tc, assign_scalars);
	tcase_add_test(tc, assign_optional_and_none);
	tcase_add_test(tc, assign_collections);
	tcase_add_test(tc, assign_error);
	tcase_add_test(tc, assign_enums);
	suite_add_tcase(s, tc);

	tc = tcase_create("lift");
	tcase_add_test(tc, lift_nothing_bound);
	tcase_add_test(tc, lift_bound);
	tcase_add_test(tc, lift_nested_and_optional);
	tcase_add_test(tc, lift_zero_inputs_outputs);
	tcase_add_test(tc, sig_lookup);
	suite_add_tcase(s, tc);

	tc = tcase_create("quantity");
	tcase_add_test(tc, quantity_valid);
	tcase_add_test(tc, quantity_invalid);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(types_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
