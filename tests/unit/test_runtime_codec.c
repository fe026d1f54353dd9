/* test_runtime_codec.c: the literal codec (every type, round trips through
 * the wire, flytekit's encodings, errors with paths), LiteralTypes, JSON and
 * text forms, the success rule, paths and corrupt input. */
#include "test_runtime.h"
#include "civil.h"
#include "duration.h"

#include <math.h>

static struct rt_arena *A;

static void setup(void)
{
	A = rt_arena_new();
	ck_assert_ptr_nonnull(A);
	tmp_setup();
}

static void teardown(void)
{
	rt_arena_free(A);
	A = NULL;
	tmp_teardown();
}

/* encode, pack, unpack, decode */
static void roundtrip(const flrt_type *t, const void *src, void *dst)
{
	struct rt_msg err;
	Flyteidl__Core__Literal *lit;
	struct rt_path p = { NULL, "output", "v", 0, 0 };
	ck_assert_msg(rt_encode(A, t, src, &lit, &p, &err) == 0, "%s", err.text);
	uint8_t *bytes;
	size_t len;
	ck_assert(rt_pack_arena(A, &lit->base, &bytes, &len, &err) == 0);
	Flyteidl__Core__Literal *back = rt_unpack(A, &flyteidl__core__literal__descriptor, bytes, len, &err);
	ck_assert_msg(back != NULL, "%s", err.text);
	memset(dst, 0xa5, flrt_type_size(t));
	memset(dst, 0, flrt_type_size(t));
	struct rt_path q = { NULL, "input", "v", 0, 0 };
	ck_assert_msg(rt_decode(A, t, back, dst, &q, &err) == 0, "%s", err.text);
}

static const char *decode_error(const flrt_type *t, const Flyteidl__Core__Literal *lit, const char *name)
{
	static struct rt_msg err;
	char buf[256];
	memset(buf, 0, sizeof buf);
	struct rt_path p = { NULL, "input", name, 0, 0 };
	ck_assert_int_eq(rt_decode(A, t, lit, buf, &p, &err), -1);
	return err.text;
}

static const char *encode_error(const flrt_type *t, const void *src)
{
	static struct rt_msg err;
	Flyteidl__Core__Literal *lit;
	struct rt_path p = { NULL, "output", "o0", 0, 0 };
	ck_assert_int_eq(rt_encode(A, t, src, &lit, &p, &err), -1);
	return err.text;
}

START_TEST(layout)
{
	ck_assert_uint_eq(flrt_type_size(&T_INT), 8);
	ck_assert_uint_eq(flrt_type_size(&T_BOOL), sizeof(bool));
	ck_assert_uint_eq(flrt_type_size(&T_STR), sizeof(flrt_str));
	ck_assert_uint_eq(flrt_type_size(&T_COLOR), 4);
	ck_assert_uint_eq(flrt_type_size(&T_DATETIME), sizeof(flrt_datetime));
	ck_assert_uint_eq(flrt_type_size(&T_OPT_INT), sizeof(opt_int));
	ck_assert_uint_eq(flrt_type_align(&T_OPT_INT), _Alignof(opt_int));
	ck_assert_uint_eq(flrt_type_size(&T_OPT_STR), sizeof(opt_str));
	ck_assert_uint_eq(flrt_type_size(&T_OPT_LIST_INT), sizeof(opt_list));
	static const flrt_type opt_bool = { .kind = FLRT_OPTIONAL, .elem = &T_BOOL };
	static const flrt_type opt_color = { .kind = FLRT_OPTIONAL, .elem = &T_COLOR };
	struct ob { bool has; bool value; };
	struct oc { bool has; int32_t value; };
	ck_assert_uint_eq(flrt_type_size(&opt_bool), sizeof(struct ob));
	ck_assert_uint_eq(flrt_type_size(&opt_color), sizeof(struct oc));
	ck_assert_str_eq(flrt_version(), "0.1.0");
	ck_assert_int_eq(FLRT_VERSION_NUMBER, 0x000100);
}
END_TEST

START_TEST(roundtrip_scalars)
{
	int64_t ints[] = { 0, 1, -1, INT64_MAX, INT64_MIN }, i2;
	for (size_t k = 0; k < 5; k++) {
		roundtrip(&T_INT, &ints[k], &i2);
		ck_assert(i2 == ints[k]);
	}
	double fs[] = { 0.0, -0.0, 1.5, -1e300, 5e-324, INFINITY }, f2;
	for (size_t k = 0; k < 6; k++) {
		roundtrip(&T_FLOAT, &fs[k], &f2);
		ck_assert(memcmp(&f2, &fs[k], sizeof f2) == 0);
	}
	double nan = NAN;
	roundtrip(&T_FLOAT, &nan, &f2);
	ck_assert(isnan(f2));
	flrt_str ss[] = { { 0, "" }, { 5, "hello" }, { 7, "h\xc3\xa9llo!" }, { 4, "\xf0\x9f\x98\x80" } }, s2;
	for (size_t k = 0; k < 4; k++) {
		roundtrip(&T_STR, &ss[k], &s2);
		ck_assert_uint_eq(s2.len, ss[k].len);
		ck_assert(memcmp(s2.data, ss[k].data, s2.len) == 0);
		ck_assert_int_eq(s2.data[s2.len], 0);
	}
	bool bs[] = { true, false }, b2;
	for (size_t k = 0; k < 2; k++) {
		roundtrip(&T_BOOL, &bs[k], &b2);
		ck_assert(b2 == bs[k]);
	}
	flrt_datetime dts[] = { { 0, 0 }, { 1714564800, 123456789 }, { -86400 * 365, 1 } }, d2;
	for (size_t k = 0; k < 3; k++) {
		roundtrip(&T_DATETIME, &dts[k], &d2);
		ck_assert(d2.seconds == dts[k].seconds && d2.nanos == dts[k].nanos);
	}
	int64_t dus[] = { 0, 30000000000LL, -1500000000LL, 1, INT64_MAX / 2 }, du2;
	for (size_t k = 0; k < 5; k++) {
		roundtrip(&T_DURATION, &dus[k], &du2);
		ck_assert(du2 == dus[k]);
	}
	flrt_bytes by = { 5, (const uint8_t *)"a\0b\xff\x01" }, by2;
	roundtrip(&T_BYTES, &by, &by2);
	ck_assert_uint_eq(by2.len, 5);
	ck_assert(memcmp(by2.data, by.data, 5) == 0);
	flrt_bytes empty = { 0, NULL };
	roundtrip(&T_BYTES, &empty, &by2);
	ck_assert_uint_eq(by2.len, 0);
	flrt_str fi = { 13, "/data/in.csv!" }, f3;
	roundtrip(&T_FILE, &fi, &f3);
	ck_assert_str_eq(f3.data, "/data/in.csv!");
	flrt_str di = { 13, "s3://bucket/x" };
	roundtrip(&T_DIR, &di, &f3);
	ck_assert_str_eq(f3.data, "s3://bucket/x");
	int32_t c = 2, c2;
	roundtrip(&T_COLOR, &c, &c2);
	ck_assert_int_eq(c2, 2);
}
END_TEST

START_TEST(roundtrip_containers)
{
	opt_int o = { true, 42 }, o2;
	roundtrip(&T_OPT_INT, &o, &o2);
	ck_assert(o2.has && o2.value == 42);
	o.has = false;
	roundtrip(&T_OPT_INT, &o, &o2);
	ck_assert(!o2.has);
	opt_str os = { true, { 2, "hi" } }, os2;
	roundtrip(&T_OPT_STR, &os, &os2);
	ck_assert(os2.has);
	ck_assert_str_eq(os2.value.data, "hi");

	int64_t items[] = { 3, -1, 4 };
	flrt_list l = { 3, items }, l2;
	roundtrip(&T_LIST_INT, &l, &l2);
	ck_assert_uint_eq(l2.len, 3);
	ck_assert(((int64_t *)l2.items)[1] == -1);
	flrt_list le = { 0, NULL };
	roundtrip(&T_LIST_INT, &le, &l2);
	ck_assert_uint_eq(l2.len, 0);

	/* keys given unsorted come back sorted, values following */
	flrt_str keys[] = { { 1, "b" }, { 1, "a" }, { 2, "ab" } };
	double vals[] = { 2.0, 1.0, 3.0 };
	flrt_dict d = { 3, keys, vals }, d2;
	roundtrip(&T_DICT_FLOAT, &d, &d2);
	ck_assert_uint_eq(d2.len, 3);
	ck_assert_str_eq(d2.keys[0].data, "a");
	ck_assert_str_eq(d2.keys[1].data, "ab");
	ck_assert_str_eq(d2.keys[2].data, "b");
	ck_assert(((double *)d2.values)[0] == 1.0 && ((double *)d2.values)[2] == 2.0);

	/* list[list[int?]] */
	opt_int r0[] = { { true, 1 }, { false, 0 } }, r1[] = { { true, 3 } };
	flrt_list rows[] = { { 2, r0 }, { 0, NULL }, { 1, r1 } };
	flrt_list n = { 3, rows }, n2;
	roundtrip(&T_LIST_LIST_OPT_INT, &n, &n2);
	ck_assert_uint_eq(n2.len, 3);
	const flrt_list *rr = n2.items;
	ck_assert_uint_eq(rr[0].len, 2);
	ck_assert_uint_eq(rr[1].len, 0);
	ck_assert(((opt_int *)rr[0].items)[0].has && ((opt_int *)rr[0].items)[0].value == 1);
	ck_assert(!((opt_int *)rr[0].items)[1].has);
	ck_assert(((opt_int *)rr[2].items)[0].value == 3);

	/* list[int]? */
	opt_list ol = { true, { 3, items } }, ol2;
	roundtrip(&T_OPT_LIST_INT, &ol, &ol2);
	ck_assert(ol2.has && ol2.value.len == 3);
	ol.has = false;
	roundtrip(&T_OPT_LIST_INT, &ol, &ol2);
	ck_assert(!ol2.has);

	/* dict[str, list[int?]?] */
	static const flrt_type opt_lloi = { .kind = FLRT_OPTIONAL, .elem = &T_LIST_OPT_INT };
	static const flrt_type dict_t = { .kind = FLRT_DICT, .elem = &opt_lloi };
	struct { bool has; flrt_list value; } dv[2] = { { true, { 2, r0 } }, { false, { 0, NULL } } }, *dv2;
	flrt_str dk[] = { { 1, "x" }, { 1, "y" } };
	flrt_dict dd = { 2, dk, dv }, dd2;
	roundtrip(&dict_t, &dd, &dd2);
	dv2 = dd2.values;
	ck_assert(dv2[0].has && dv2[0].value.len == 2 && !dv2[1].has);
}
END_TEST

/* The wire shapes flytekit produces and expects. */
START_TEST(encoding_shapes)
{
	struct rt_msg err;
	Flyteidl__Core__Literal *l;
	struct rt_path p = { NULL, "output", "o0", 0, 0 };
	opt_int o = { true, 7 };
	ck_assert(rt_encode(A, &T_OPT_INT, &o, &l, &p, &err) == 0);
	ck_assert_int_eq(l->scalar->value_case, SCA(UNION));
	ck_assert_int_eq(lit_int(l->scalar->union_->value), 7);
	ck_assert_int_eq(l->scalar->union_->type->simple, SIMPLE(INTEGER));
	ck_assert_str_eq(l->scalar->union_->type->structure->tag, "int");
	o.has = false;
	ck_assert(rt_encode(A, &T_OPT_INT, &o, &l, &p, &err) == 0);
	ck_assert(rt_lit_is_none(l->scalar->union_->value));
	ck_assert_int_eq(l->scalar->union_->type->type_case, LT(SIMPLE));
	ck_assert_int_eq(l->scalar->union_->type->simple, SIMPLE(NONE));
	ck_assert_str_eq(l->scalar->union_->type->structure->tag, "none");

	opt_list ol = { true, { 0, NULL } };
	ck_assert(rt_encode(A, &T_OPT_LIST_INT, &ol, &l, &p, &err) == 0);
	ck_assert_str_eq(l->scalar->union_->type->structure->tag, "Typed List");
	ck_assert_int_eq(l->scalar->union_->type->collection_type->simple, SIMPLE(INTEGER));

	flrt_bytes by = { 1, (const uint8_t *)"z" };
	ck_assert(rt_encode(A, &T_BYTES, &by, &l, &p, &err) == 0);
	ck_assert_int_eq(l->scalar->value_case, SCA(BINARY));
	ck_assert_str_eq(l->scalar->binary->tag, "");

	flrt_str f = { 4, "/a/b" };
	ck_assert(rt_encode(A, &T_FILE, &f, &l, &p, &err) == 0);
	ck_assert_int_eq(l->scalar->value_case, SCA(BLOB));
	ck_assert_str_eq(l->scalar->blob->uri, "/a/b");
	ck_assert_str_eq(l->scalar->blob->metadata->type->format, "");
	ck_assert_int_eq(l->scalar->blob->metadata->type->dimensionality, DIM(SINGLE));
	ck_assert(rt_encode(A, &T_DIR, &f, &l, &p, &err) == 0);
	ck_assert_int_eq(l->scalar->blob->metadata->type->dimensionality, DIM(MULTIPART));

	int32_t c = 1;
	ck_assert(rt_encode(A, &T_COLOR, &c, &l, &p, &err) == 0);
	ck_assert_str_eq(lit_str(l), "green");

	int64_t du = -1500000000LL;
	ck_assert(rt_encode(A, &T_DURATION, &du, &l, &p, &err) == 0);
	ck_assert_int_eq(l->scalar->primitive->duration->seconds, -1);
	ck_assert_int_eq(l->scalar->primitive->duration->nanos, -500000000);

	/* LiteralTypes with flytekit's tags */
	Flyteidl__Core__LiteralType *lt = rt_literal_type(A, &T_LIST_OPT_INT);
	ck_assert_int_eq(lt->type_case, LT(COLLECTION_TYPE));
	const Flyteidl__Core__LiteralType *u = lt->collection_type;
	ck_assert_int_eq(u->type_case, LT(UNION_TYPE));
	ck_assert_uint_eq(u->union_type->n_variants, 2);
	ck_assert_str_eq(u->union_type->variants[0]->structure->tag, "int");
	ck_assert_str_eq(u->union_type->variants[1]->structure->tag, "none");
	static const struct { const flrt_type *t; const char *tag; } tags[] = {
		{ &T_FLOAT, "float" }, { &T_STR, "str" }, { &T_BOOL, "bool" },
		{ &T_DATETIME, "datetime" }, { &T_DURATION, "timedelta" }, { &T_BYTES, "bytes" },
		{ &T_FILE, "FlyteFilePath" }, { &T_DIR, "FlyteDirectory" },
		{ &T_COLOR, "DefaultEnumTransformer" }, { &T_LIST_INT, "Typed List" },
		{ &T_DICT_FLOAT, "Typed Dict" },
	};
	for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
		ck_assert_str_eq(rt_type_tag(tags[i].t), tags[i].tag);
	lt = rt_literal_type(A, &T_COLOR);
	ck_assert_int_eq(lt->type_case, LT(ENUM_TYPE));
	ck_assert_uint_eq(lt->enum_type->n_values, 3);
	lt = rt_literal_type(A, &T_BYTES);
	ck_assert_int_eq(lt->simple, SIMPLE(BINARY));
}
END_TEST

/* T? accepts a union, a raw none and a raw T (propeller's gathered maps). */
START_TEST(decode_optional_forms)
{
	struct rt_msg err;
	opt_int o;
	struct rt_path p = { NULL, "input", "x", 0, 0 };
	memset(&o, 0xff, sizeof o);
	ck_assert(rt_decode(A, &T_OPT_INT, rt_lit_none(A), &o, &p, &err) == 0);
	ck_assert(!o.has);
	ck_assert(rt_decode(A, &T_OPT_INT, rt_lit_int(A, 5), &o, &p, &err) == 0);
	ck_assert(o.has && o.value == 5);
	Flyteidl__Core__LiteralType *vt = rt_literal_type(A, &T_INT);
	ck_assert(rt_decode(A, &T_OPT_INT, rt_lit_union(A, rt_lit_int(A, 6), vt), &o, &p,
			     &err) == 0);
	ck_assert(o.has && o.value == 6);
	ck_assert(rt_decode(A, &T_OPT_INT, rt_lit_union(A, rt_lit_none(A), vt), &o, &p,
			     &err) == 0);
	ck_assert(!o.has);
	/* a list of mixed forms, as an ArrayNode gathers them */
	Flyteidl__Core__Literal *c = rt_lit_collection(A, 3);
	c->collection->literals[0] = rt_lit_int(A, 1);
	c->collection->literals[1] = rt_lit_none(A);
	c->collection->literals[2] = rt_lit_union(A, rt_lit_int(A, 3), vt);
	flrt_list l;
	ck_assert(rt_decode(A, &T_LIST_OPT_INT, c, &l, &p, &err) == 0);
	const opt_int *x = l.items;
	ck_assert(x[0].has && x[0].value == 1 && !x[1].has && x[2].has && x[2].value == 3);
	/* float accepts an integer, as flytekit does */
	double d;
	ck_assert(rt_decode(A, &T_FLOAT, rt_lit_int(A, 2), &d, &p, &err) == 0);
	ck_assert(d == 2.0);
}
END_TEST

START_TEST(decode_errors)
{
	Flyteidl__Core__Literal *c = rt_lit_collection(A, 5);
	for (int i = 0; i < 5; i++)
		c->collection->literals[i] = rt_lit_int(A, i);
	c->collection->literals[3] = rt_lit_str(A, "three");
	ck_assert_str_eq(decode_error(&T_LIST_INT, c, "xs"),
			 "input 'xs'[3]: expected integer, found string");
	ck_assert_str_eq(decode_error(&T_INT, rt_lit_none(A), "n"),
			 "input 'n': expected integer, found none");
	ck_assert_str_eq(decode_error(&T_LIST_INT, rt_lit_int(A, 1), "xs"),
			 "input 'xs': expected collection, found integer");
	Flyteidl__Core__Literal *m = rt_lit_map(A, 2);
	rt_litmap_set(m->map, 0, "b", rt_lit_str(A, "x"));
	rt_litmap_set(m->map, 1, "a", rt_lit_float(A, 1));
	ck_assert_str_eq(decode_error(&T_DICT_FLOAT, m, "m"),
			 "input 'm'[\"b\"]: expected float, found string");
	ck_assert_str_eq(decode_error(&T_COLOR, rt_lit_str(A, "purple"), "c"),
			 "input 'c': 'purple' is not a member of enum Color (red, green, blue)");
	ck_assert_str_eq(decode_error(&T_COLOR, rt_lit_int(A, 1), "c"),
			 "input 'c': expected enum Color (a string), found integer");
	/* nested: list[list[int?]] */
	Flyteidl__Core__Literal *inner = rt_lit_collection(A, 2);
	inner->collection->literals[0] = rt_lit_none(A);
	inner->collection->literals[1] = rt_lit_bool(A, true);
	Flyteidl__Core__Literal *outer = rt_lit_collection(A, 1);
	outer->collection->literals[0] = inner;
	ck_assert_str_eq(decode_error(&T_LIST_LIST_OPT_INT, outer, "g"),
			 "input 'g'[0][1]: expected integer, found boolean");
	/* a directory where a file is expected */
	flrt_str dir = { 2, "/d" };
	Flyteidl__Core__Literal *dl;
	struct rt_msg err;
	struct rt_path p = { NULL, "output", "o0", 0, 0 };
	ck_assert(rt_encode(A, &T_DIR, &dir, &dl, &p, &err) == 0);
	ck_assert_str_eq(decode_error(&T_FILE, dl, "f"), "input 'f': expected file, found directory");
	/* binary with a tag is another type (msgpack dataclasses) */
	flrt_bytes by = { 1, (const uint8_t *)"x" };
	Flyteidl__Core__Literal *bl;
	ck_assert(rt_encode(A, &T_BYTES, &by, &bl, &p, &err) == 0);
	bl->scalar->binary->tag = "msgpack";
	ck_assert_str_eq(decode_error(&T_BYTES, bl, "b"),
			 "input 'b': expected binary, found binary with tag 'msgpack'");
	/* durations beyond 64-bit nanoseconds */
	int64_t big = 0;
	Flyteidl__Core__Literal *du;
	ck_assert(rt_encode(A, &T_DURATION, &big, &du, &p, &err) == 0);
	du->scalar->primitive->duration->seconds = INT64_MAX / 10;
	ck_assert_ptr_nonnull(strstr(decode_error(&T_DURATION, du, "d"), "does not fit"));
	/* an empty literal, an offloaded one */
	Flyteidl__Core__Literal empty = FLYTEIDL__CORE__LITERAL__INIT;
	ck_assert_str_eq(decode_error(&T_INT, &empty, "x"),
			 "input 'x': expected integer, found an empty literal");
	empty.value_case = LIT(OFFLOADED_METADATA);
	ck_assert_str_eq(decode_error(&T_INT, &empty, "x"),
			 "input 'x': offloaded literals are not supported yet");
	ck_assert_str_eq(decode_error(&T_OPT_INT, rt_lit_str(A, "s"), "x"),
			 "input 'x': expected integer, found string");
}
END_TEST

START_TEST(encode_errors)
{
	flrt_str bad = { 2, "\xc3\x28" };
	ck_assert_str_eq(encode_error(&T_STR, &bad), "output 'o0': string is not valid UTF-8");
	flrt_str nul = { 3, "a\0b" };
	ck_assert_ptr_nonnull(strstr(encode_error(&T_STR, &nul), "NUL"));
	int32_t c = 3;
	ck_assert_str_eq(encode_error(&T_COLOR, &c),
			 "output 'o0': 3 is not a member of enum Color (it has 3 members)");
	flrt_str keys[] = { { 1, "k" }, { 1, "k" } };
	double vals[] = { 1, 2 };
	flrt_dict d = { 2, keys, vals };
	ck_assert_str_eq(encode_error(&T_DICT_FLOAT, &d), "output 'o0': duplicate key \"k\"");
	flrt_str empty = { 0, "" };
	ck_assert_str_eq(encode_error(&T_FILE, &empty), "output 'o0': empty file path");
	flrt_datetime dt = { 0, 1000000000 };
	ck_assert_ptr_nonnull(strstr(encode_error(&T_DATETIME, &dt), "nanos"));
	flrt_datetime late = { INT64_C(253402300800), 0 };  /* 10000-01-01T00:00:00Z */
	ck_assert_str_eq(encode_error(&T_DATETIME, &late), "output 'o0': invalid datetime: 253402300800 seconds is outside "
			 "google.protobuf.Timestamp's range (0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z)");
	flrt_list l = { 2, NULL };
	ck_assert_str_eq(encode_error(&T_LIST_INT, &l),
			 "output 'o0': list has length 2 but no items");
	flrt_str items[] = { { 1, "a" }, { 1, "\xff" } };
	static const flrt_type ls = { .kind = FLRT_LIST, .elem = &T_STR };
	flrt_list l2 = { 2, items };
	ck_assert_str_eq(encode_error(&ls, &l2), "output 'o0'[1]: string is not valid UTF-8");
}
END_TEST

START_TEST(json_values)
{
	struct base_buf b0 = { 0 };
	struct rt_msg err;
	Flyteidl__Core__Literal *l;
	Flyteidl__Core__LiteralType *lt = rt_literal_type(A, &T_LIST_INT);
	ck_assert(rt_json_to_literal(A, "[1, 2, 3]", lt, &l, &err) == 0);
	ck_assert_uint_eq(l->collection->n_literals, 3);
	ck_assert_int_eq(lit_int(l->collection->literals[2]), 3);
	ck_assert(rt_json_to_literal(A, "[1, \"x\"]", lt, &l, &err) == -1);
	ck_assert_str_eq(err.text, "[1]: expected an integer, found a string");
	lt = rt_literal_type(A, &T_STR);
	ck_assert(rt_json_to_literal(A, "dev", lt, &l, &err) == 0);       /* a bare word */
	ck_assert_str_eq(lit_str(l), "dev");
	ck_assert(rt_json_to_literal(A, "\"a\\u00e9\\n\"", lt, &l, &err) == 0);
	ck_assert_str_eq(lit_str(l), "a\xc3\xa9\n");
	lt = rt_literal_type(A, &T_INT);
	ck_assert(rt_json_to_literal(A, "1.5", lt, &l, &err) == -1);
	ck_assert(rt_json_to_literal(A, "seven", lt, &l, &err) == -1);
	ck_assert(rt_json_to_literal(A, "99999999999999999999", lt, &l, &err) == -1);
	lt = rt_literal_type(A, &T_OPT_INT);
	ck_assert(rt_json_to_literal(A, "none", lt, &l, &err) == 0);
	ck_assert(rt_lit_is_none(l->scalar->union_->value));
	ck_assert_str_eq(l->scalar->union_->type->structure->tag, "none");
	ck_assert(rt_json_to_literal(A, "null", lt, &l, &err) == 0);
	ck_assert(rt_json_to_literal(A, "4", lt, &l, &err) == 0);
	ck_assert_int_eq(lit_int(l->scalar->union_->value), 4);
	ck_assert_str_eq(l->scalar->union_->type->structure->tag, "int");
	lt = rt_literal_type(A, &T_DURATION);
	ck_assert(rt_json_to_literal(A, "\"1h30m\"", lt, &l, &err) == 0);
	ck_assert_int_eq(l->scalar->primitive->duration->seconds, 5400);
	ck_assert(rt_json_to_literal(A, "250ms", lt, &l, &err) == 0);
	ck_assert_int_eq(l->scalar->primitive->duration->nanos, 250000000);
	lt = rt_literal_type(A, &T_DATETIME);
	ck_assert(rt_json_to_literal(A, "\"2024-05-01T12:00:00Z\"", lt, &l, &err) == 0);
	ck_assert_int_eq(l->scalar->primitive->datetime->seconds, 1714564800);
	ck_assert(rt_literal_to_json(&b0, l) == 0);
	ck_assert_str_eq(b0.data, "\"2024-05-01T12:00:00Z\"");
	base_buf_free(&b0);
	/* one range with the compiler: Timestamp's, offsets applied; what is
	 * printed reads back, the ends included */
	static const char *const outside[] = {"9999-12-31T23:59:60Z", "0001-01-01T00:00:00+01:00",
					      "0000-12-31T23:59:59Z", "9999-12-31T23:59:59-00:01"};
	for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++) {
		ck_assert(rt_json_to_literal(A, outside[i], lt, &l, &err) == -1);
		ck_assert_ptr_nonnull(strstr(err.text, "outside google.protobuf.Timestamp's range"));
	}
	static const char *const ends[] = {"\"0001-01-01T00:00:00Z\"", "\"9999-12-31T23:59:59.999999999Z\""};
	for (size_t i = 0; i < 2; i++) {
		ck_assert(rt_json_to_literal(A, ends[i], lt, &l, &err) == 0);
		ck_assert(rt_literal_to_json(&b0, l) == 0);
		ck_assert_str_eq(b0.data, ends[i]);
		base_buf_free(&b0);
	}
	lt = rt_literal_type(A, &T_COLOR);
	ck_assert(rt_json_to_literal(A, "blue", lt, &l, &err) == 0);
	ck_assert(rt_json_to_literal(A, "\"pink\"", lt, &l, &err) == -1);
	ck_assert_str_eq(err.text, "'pink' is not one of red, green, blue");
	lt = rt_literal_type(A, &T_DICT_FLOAT);
	ck_assert(rt_json_to_literal(A, "{\"a\": 1, \"b\": 2.5}", lt, &l, &err) == 0);
	ck_assert_uint_eq(l->map->n_literals, 2);
	lt = rt_literal_type(A, &T_BYTES);
	ck_assert(rt_json_to_literal(A, "{\"base64\": \"AAE=\"}", lt, &l, &err) == 0);
	ck_assert_uint_eq(l->scalar->binary->value.len, 2);
	lt = rt_literal_type(A, &T_FILE);
	ck_assert(rt_json_to_literal(A, "/tmp/x", lt, &l, &err) == 0);
	ck_assert_str_eq(l->scalar->blob->uri, "/tmp/x");
	lt = rt_literal_type(A, &T_BOOL);
	ck_assert(rt_json_to_literal(A, "[true", lt, &l, &err) == -1);
	ck_assert_ptr_nonnull(strstr(err.text, "invalid JSON"));

	/* literal -> JSON */
	struct base_buf b = { 0 };
	Flyteidl__Core__Literal *c = rt_lit_collection(A, 6);
	c->collection->literals[0] = rt_lit_int(A, -3);
	c->collection->literals[1] = rt_lit_none(A);
	c->collection->literals[2] = rt_lit_float(A, 2.0);
	c->collection->literals[3] = rt_lit_str(A, "q\"\n");
	c->collection->literals[4] = rt_lit_union(A, rt_lit_bool(A, true), NULL);
	lt = rt_literal_type(A, &T_DURATION);
	ck_assert(rt_json_to_literal(A, "90s", lt, &c->collection->literals[5], &err) == 0);
	ck_assert(rt_literal_to_json(&b, c) == 0);
	ck_assert_str_eq(b.data, "[-3, null, 2.0, \"q\\\"\\n\", true, \"1m30s\"]");
	base_buf_free(&b);
	Flyteidl__Core__Literal *m = rt_lit_map(A, 2);
	rt_litmap_set(m->map, 0, "z", rt_lit_float(A, 0.1));
	rt_litmap_set(m->map, 1, "a", rt_lit_float(A, NAN));
	ck_assert(rt_literal_to_json(&b, m) == 0);
	ck_assert_str_eq(b.data, "{\"a\": \"NaN\", \"z\": 0.1}");
	base_buf_free(&b);
}
END_TEST

START_TEST(text_forms)
{
	int64_t s, ns;
	int32_t n;
	char buf[64];
	ck_assert(base_rfc3339_parse("1970-01-01T00:00:00Z", RT_RFC3339_FLAGS, &s, &n) == BASE_RFC3339_OK &&
		  s == 0 && n == 0);
	ck_assert(base_rfc3339_parse("2024-02-29 23:59:59.5+01:00", RT_RFC3339_FLAGS, &s, &n) == BASE_RFC3339_OK);
	base_rfc3339_format(s, n, BASE_RFC3339_TRIM, buf, sizeof buf);
	ck_assert_str_eq(buf, "2024-02-29T22:59:59.5Z");
	ck_assert(base_rfc3339_parse("1969-12-31T23:59:59Z", RT_RFC3339_FLAGS, &s, &n) == BASE_RFC3339_OK &&
		  s == -1);
	base_rfc3339_format(-1, 0, BASE_RFC3339_TRIM, buf, sizeof buf);
	ck_assert_str_eq(buf, "1969-12-31T23:59:59Z");
	ck_assert(base_rfc3339_parse("2023-02-29T00:00:00Z", RT_RFC3339_FLAGS, &s, &n) != BASE_RFC3339_OK);
	ck_assert(base_rfc3339_parse("2024-01-01T00:00:00", RT_RFC3339_FLAGS, &s, &n) != BASE_RFC3339_OK);
	ck_assert(base_rfc3339_parse("2024-01-01", RT_RFC3339_FLAGS, &s, &n) == BASE_RFC3339_OK);
	ck_assert(base_duration_parse("1h30m", &ns) == 0 && ns == 5400000000000LL);
	ck_assert(base_duration_parse("-1.5s", &ns) == 0 && ns == -1500000000LL);
	ck_assert(base_duration_parse("0", &ns) == 0 && ns == 0);
	ck_assert(base_duration_parse("10", &ns) == -1);
	ck_assert(base_duration_parse("5x", &ns) == -1);
	ck_assert(base_duration_parse("999999999999h", &ns) == -1);
	base_duration_format(5400000000000LL + 250000000LL, buf, sizeof buf);
	ck_assert_str_eq(buf, "1h30m250ms");
	ck_assert(base_duration_parse(buf, &ns) == 0 && ns == 5400250000000LL);
	base_duration_format(-1, buf, sizeof buf);
	ck_assert_str_eq(buf, "-1ns");
	base_duration_format(INT64_MIN, buf, sizeof buf);
	ck_assert(base_duration_parse(buf, &ns) == 0);
	ck_assert(ns == INT64_MIN);
}
END_TEST

/* propeller's minSuccesses: ceil(float64(float32(ratio)) * n) */
START_TEST(success_rule)
{
	static const struct { float ratio; size_t n; int64_t want; } rows[] = {
		{ 0.1f, 10, 2 }, { 0.2f, 10, 3 }, { 0.3f, 10, 4 }, { 0.6f, 10, 7 }, { 0.33f, 100, 34 },
		{ 1.0f, 10, 10 }, { 0.0f, 10, 0 }, { 0.5f, 4, 2 }, { 0.75f, 4, 3 },
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		ck_assert_int_eq(rt_min_successes(rows[i].n, false, 0, true, rows[i].ratio),
				 rows[i].want);
	ck_assert_int_eq(rt_min_successes(10, true, 3, false, 0), 3);
	ck_assert_int_eq(rt_min_successes(10, false, 0, false, 0), 10);
	size_t idx[] = { 0, 1, 2, 3, 7, 9, 10 };
	struct base_buf b = { 0 };
	rt_summarize_indexes(idx, 7, &b);
	ck_assert_str_eq(b.data, "0-3,7,9-10");
	base_buf_free(&b);
}
END_TEST

START_TEST(paths)
{
	struct rt_msg err;
	char *p;
	ck_assert(rt_local_path(A, "/tmp/x", &p, &err) == 0);
	ck_assert_str_eq(p, "/tmp/x");
	ck_assert(rt_local_path(A, "rel/x", &p, &err) == 0);
	ck_assert_str_eq(p, "rel/x");
	ck_assert(rt_local_path(A, "file:///tmp/a%20b", &p, &err) == 0);
	ck_assert_str_eq(p, "/tmp/a b");
	ck_assert(rt_local_path(A, "file://localhost/tmp/y", &p, &err) == 0);
	ck_assert_str_eq(p, "/tmp/y");
	ck_assert(rt_local_path(A, "s3://bucket/key", &p, &err) == -1);
	ck_assert_str_eq(err.text, "'s3://bucket/key': object stores are not supported yet "
			 "(use a local path or a file:// URI)");
	ck_assert(rt_local_path(A, "gs://b/k", &p, &err) == -1);
	ck_assert(rt_local_path(A, "file://host/x", &p, &err) == -1);
	ck_assert(rt_is_placeholder("{{.rawOutputDataPrefix}}"));
	ck_assert(rt_is_placeholder(""));
	ck_assert(rt_is_placeholder("\"\""));
	ck_assert(!rt_is_placeholder("/tmp/raw"));
}
END_TEST

/* Corrupt protobufs give errors, never crashes. */
START_TEST(corrupt_wire)
{
	struct rt_msg err;
	/* 300 nested collections: each Literal{collection{literals:[...]}} */
	size_t depth = 300;
	uint8_t *buf = rt_arena_alloc(A, depth * 12 + 16);
	Flyteidl__Core__Literal *leaf = rt_lit_int(A, 1), *cur = leaf;
	for (size_t i = 0; i < depth; i++) {
		Flyteidl__Core__Literal *c = rt_lit_collection(A, 1);
		c->collection->literals[0] = cur;
		cur = c;
	}
	uint8_t *bytes;
	size_t len;
	ck_assert(rt_pack_arena(A, &cur->base, &bytes, &len, &err) == 0);
	ck_assert_ptr_null(rt_unpack(A, &flyteidl__core__literal__descriptor, bytes, len, &err));
	ck_assert_ptr_nonnull(strstr(err.text, "nested more than"));
	(void)buf;
	/* truncations of a valid map at every length */
	Flyteidl__Core__LiteralMap *m = rt_litmap_new(A, 2);
	rt_litmap_set(m, 0, "x", rt_lit_str(A, "hello"));
	rt_litmap_set(m, 1, "y", rt_lit_int(A, 300));
	ck_assert(rt_pack_arena(A, &m->base, &bytes, &len, &err) == 0);
	/* A cut inside an entry is an error; a cut between entries leaves a valid,
	 * shorter map (the task then reports the missing input). */
	size_t rejected = 0;
	for (size_t n = 1; n < len; n++) {
		Flyteidl__Core__LiteralMap *t = rt_unpack(A, &flyteidl__core__literal_map__descriptor, bytes, n, &err);
		if (!t)
			rejected++;
		else
			ck_assert_uint_lt(t->n_literals, 2);
	}
	ck_assert_uint_eq(rejected, len - 2);
	ck_assert_ptr_nonnull(rt_unpack(A, &flyteidl__core__literal_map__descriptor, bytes, len, &err));
	static const uint8_t junk[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	ck_assert_ptr_null(rt_unpack(A, &flyteidl__core__literal_map__descriptor, junk, sizeof junk, &err));
	ck_assert_ptr_nonnull(strstr(err.text, "flyteidl.core.LiteralMap"));
	/* the empty message is valid */
	m = rt_unpack(A, &flyteidl__core__literal_map__descriptor, junk, 0, &err);
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->n_literals, 0);
}
END_TEST

/* Map fields are written sorted: the same map gives the same bytes. */
START_TEST(deterministic_pack)
{
	struct rt_msg err;
	Flyteidl__Core__LiteralMap *a = rt_litmap_new(A, 3), *b = rt_litmap_new(A, 3);
	const char *keys[] = { "b", "c", "a" };
	for (int i = 0; i < 3; i++) {
		rt_litmap_set(a, (size_t)i, keys[i], rt_lit_int(A, i));
		rt_litmap_set(b, (size_t)(2 - i), keys[i], rt_lit_int(A, i));
	}
	uint8_t *x, *y;
	size_t xl, yl;
	ck_assert(rt_pack_arena(A, &a->base, &x, &xl, &err) == 0);
	ck_assert(rt_pack_arena(A, &b->base, &y, &yl, &err) == 0);
	ck_assert_uint_eq(xl, yl);
	ck_assert(memcmp(x, y, xl) == 0);
	ck_assert_str_eq(a->literals[0]->key, "a");
}
END_TEST

START_TEST(atomic_write)
{
	struct rt_msg err;
	const char *p = tpath("out.pb");
	ck_assert(rt_write_file(p, "abc", 3, &err) == 0);
	ck_assert(rt_write_file(p, "defg", 4, &err) == 0);
	uint8_t *d;
	size_t n;
	ck_assert(rt_read_file(A, p, &d, &n, &err) == 0);
	ck_assert_uint_eq(n, 4);
	ck_assert(memcmp(d, "defg", 4) == 0);
	/* no temporary file is left behind */
	char cmd[600];
	snprintf(cmd, sizeof cmd, "test $(ls -A '%s' | wc -l) -eq 1", test_dir);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert(rt_write_file(tpath("missing/dir/x"), "a", 1, &err) == -1);
	ck_assert(rt_read_file(A, tpath("nope"), &d, &n, &err) == -1);
	ck_assert_ptr_nonnull(strstr(err.text, "No such file"));
	ck_assert(rt_read_file(A, test_dir, &d, &n, &err) == -1);
	ck_assert(rt_mkdirs(tpath("a/b/c"), &err) == 0);
	ck_assert(file_exists(tpath("a/b/c")));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("runtime codec");
	TCase *tc = tcase_create("codec");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, layout);
	tcase_add_test(tc, roundtrip_scalars);
	tcase_add_test(tc, roundtrip_containers);
	tcase_add_test(tc, encoding_shapes);
	tcase_add_test(tc, decode_optional_forms);
	tcase_add_test(tc, decode_errors);
	tcase_add_test(tc, encode_errors);
	tcase_add_test(tc, json_values);
	tcase_add_test(tc, text_forms);
	tcase_add_test(tc, success_rule);
	tcase_add_test(tc, paths);
	tcase_add_test(tc, corrupt_wire);
	tcase_add_test(tc, deterministic_pack);
	tcase_add_test(tc, atomic_write);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
