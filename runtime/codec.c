/* codec.c: flyteidl Literals <-> the C layout of flrt_type (flytekit's
 * encodings): decoding task inputs, encoding task outputs; the C layout
 * (sizes and alignments) and the library version. */
#include "config.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "duration.h"
#include "utf8.h"

#define RT_STR_(x) #x
#define RT_STR(x) RT_STR_(x)

const char *flrt_version(void)
{
	return RT_STR(FLRT_VERSION_MAJOR) "." RT_STR(FLRT_VERSION_MINOR) "." RT_STR(FLRT_VERSION_PATCH);
}

/* ---- C layout ---------------------------------------------------------------- */
size_t flrt_type_align(const flrt_type *t)
{
	switch (t->kind) {
	case FLRT_INT: case FLRT_DURATION: return alignof(int64_t);
	case FLRT_FLOAT: return alignof(double);
	case FLRT_BOOL: return alignof(bool);
	case FLRT_STR: case FLRT_FILE: case FLRT_DIR: return alignof(flrt_str);
	case FLRT_BYTES: return alignof(flrt_bytes);
	case FLRT_DATETIME: return alignof(flrt_datetime);
	case FLRT_ENUM: return alignof(int32_t);
	case FLRT_LIST: return alignof(flrt_list);
	case FLRT_DICT: return alignof(flrt_dict);
	case FLRT_OPTIONAL: {
		size_t a = t->elem != NULL ? flrt_type_align(t->elem) : 1;
		return a > alignof(bool) ? a : alignof(bool);
	}
	}
	return 1;
}

/* The offset of `value` in the struct { bool has; T value; } of T?. */
static size_t opt_offset(const flrt_type *t)
{
	size_t a = flrt_type_align(t->elem);
	return (sizeof(bool) + a - 1) / a * a;
}

size_t flrt_type_size(const flrt_type *t)
{
	switch (t->kind) {
	case FLRT_INT: case FLRT_DURATION: return sizeof(int64_t);
	case FLRT_FLOAT: return sizeof(double);
	case FLRT_BOOL: return sizeof(bool);
	case FLRT_STR: case FLRT_FILE: case FLRT_DIR: return sizeof(flrt_str);
	case FLRT_BYTES: return sizeof(flrt_bytes);
	case FLRT_DATETIME: return sizeof(flrt_datetime);
	case FLRT_ENUM: return sizeof(int32_t);
	case FLRT_LIST: return sizeof(flrt_list);
	case FLRT_DICT: return sizeof(flrt_dict);
	case FLRT_OPTIONAL: {
		if (t->elem == NULL)
			return sizeof(bool);
		size_t a = flrt_type_align(t);
		size_t end = opt_offset(t) + flrt_type_size(t->elem);
		return (end + a - 1) / a * a;
	}
	}
	return 0;
}

/* "input 'xs'[3]["k"]" */
static void path_format(const struct rt_path *p, char *buf, size_t n)
{
	if (p == NULL) {
		snprintf(buf, n, "value");
		return;
	}
	if (p->kind == 0) {
		snprintf(buf, n, "%s '%s'", p->role != NULL ? p->role : "value", p->name != NULL ? p->name : "");
		return;
	}
	path_format(p->up, buf, n);
	size_t l = strlen(buf);
	if (l + 1 >= n)
		return;
	if (p->kind == 1)
		snprintf(buf + l, n - l, "[%zu]", p->index);
	else
		snprintf(buf + l, n - l, "[\"%s\"]", p->name != NULL ? p->name : "");
}

static int fail(struct rt_msg *err, const struct rt_path *p, const char *fmt, ...) RT_FMT(3, 4);
static int fail(struct rt_msg *err, const struct rt_path *p, const char *fmt, ...)
{
	char where[512], what[1024];
	path_format(p, where, sizeof where);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	return rt_msgf(err, "%s: %s", where, what);
}

static int mismatch(struct rt_msg *err, const struct rt_path *p, const flrt_type *t, const Flyteidl__Core__Literal *lit)
{
	char buf[160];
	return fail(err, p, "expected %s, found %s", rt_type_name(t, buf, sizeof buf),
		    rt_lit_kind(lit));
}

/* ---- decoding ------------------------------------------------------------------------ */
static const Flyteidl__Core__Primitive *prim(const Flyteidl__Core__Literal *lit, int which)
{
	if (lit == NULL || lit->value_case != LIT(SCALAR) || lit->scalar == NULL ||
	    lit->scalar->value_case != SCA(PRIMITIVE) || lit->scalar->primitive == NULL)
		return NULL;
	if (which && (int)lit->scalar->primitive->value_case != which)
		return NULL;
	return lit->scalar->primitive;
}

struct key_ix {
	const char *key;
	size_t ix;
};

static int cmp_key_ix(const void *x, const void *y)
{
	const struct key_ix *a = x, *b = y;
	int c = strcmp(a->key, b->key);
	if (c)
		return c;
	return a->ix < b->ix ? -1 : a->ix > b->ix;
}

static int decode_duration(const flrt_type *t, const Flyteidl__Core__Literal *lit, void *dst,
			  const struct rt_path *path, struct rt_msg *err)
{
	const Flyteidl__Core__Primitive *p;
	if ((p = prim(lit, PRIM(DURATION))) == NULL)
		return mismatch(err, path, t, lit);
	int64_t s = p->duration != NULL ? p->duration->seconds : 0;
	int32_t n = p->duration != NULL ? p->duration->nanos : 0;
	int64_t ns;
	if (n <= -1000000000 || n >= 1000000000 || (s > 0 && n < 0) || (s < 0 && n > 0))
		return fail(err, path, "invalid duration: %lld s %d ns", (long long)s, (int)n);
	if (!base_duration_join(s, n, &ns))
		return fail(err, path, "duration of %lld s does not fit in 64-bit nanoseconds",
			    (long long)s);
	*(int64_t *)dst = ns;
	return 0;
}

static int decode_bytes(const flrt_type *t, const Flyteidl__Core__Literal *lit, void *dst,
			  const struct rt_path *path, struct rt_msg *err)
{
	if (lit == NULL || lit->value_case != LIT(SCALAR) || lit->scalar == NULL ||
	    lit->scalar->value_case != SCA(BINARY) || lit->scalar->binary == NULL)
		return mismatch(err, path, t, lit);
	const Flyteidl__Core__Binary *b = lit->scalar->binary;
	if (b->tag != NULL && *b->tag)
		return fail(err, path, "expected binary, found binary with tag '%s'", b->tag);
	((flrt_bytes *)dst)->len = b->value.len;
	((flrt_bytes *)dst)->data = b->value.len ? b->value.data : (const uint8_t *)"";
	return 0;
}

static int decode_blob(const flrt_type *t, const Flyteidl__Core__Literal *lit, void *dst,
			  const struct rt_path *path, struct rt_msg *err)
{
	if (lit == NULL || lit->value_case != LIT(SCALAR) || lit->scalar == NULL ||
	    lit->scalar->value_case != SCA(BLOB) || lit->scalar->blob == NULL)
		return mismatch(err, path, t, lit);
	const Flyteidl__Core__Blob *b = lit->scalar->blob;
	if (b->metadata != NULL && b->metadata->type != NULL) {
		bool multi = b->metadata->type->dimensionality == DIM(MULTIPART);
		if (multi != (t->kind == FLRT_DIR))
			return mismatch(err, path, t, lit);
	}
	((flrt_str *)dst)->data = b->uri != NULL ? b->uri : "";
	((flrt_str *)dst)->len = strlen(((flrt_str *)dst)->data);
	return 0;
}

static int decode_enum(const flrt_type *t, const Flyteidl__Core__Literal *lit, void *dst,
			  const struct rt_path *path, struct rt_msg *err)
{
	const Flyteidl__Core__Primitive *p;
	char buf[160];
	if ((p = prim(lit, PRIM(STRING_VALUE))) == NULL)
		return fail(err, path, "expected %s (a string), found %s",
			    rt_type_name(t, buf, sizeof buf), rt_lit_kind(lit));
	for (size_t i = 0; i < t->enum_count; i++)
		if (strcmp(t->enum_names[i], p->string_value) == 0) {
			*(int32_t *)dst = (int32_t)i;
			return 0;
		}
	struct base_buf names = { 0 };
	for (size_t i = 0; i < t->enum_count; i++)
		base_buf_printf(&names, "%s%s", i ? ", " : "", t->enum_names[i]);
	fail(err, path, "'%s' is not a member of enum %s (%s)", p->string_value,
	     t->enum_name != NULL ? t->enum_name : "", base_buf_str(&names));
	base_buf_free(&names);
	return -1;
}

static int decode_list(struct rt_arena *a, const flrt_type *t, const Flyteidl__Core__Literal *lit, void *dst,
			  const struct rt_path *path, struct rt_msg *err)
{
	if (lit == NULL || lit->value_case != LIT(COLLECTION) || lit->collection == NULL)
		return mismatch(err, path, t, lit);
	const Flyteidl__Core__LiteralCollection *c = lit->collection;
	flrt_list *l = dst;
	size_t es = flrt_type_size(t->elem);
	l->len = c->n_literals;
	l->items = rt_arena_array(a, c->n_literals ? c->n_literals : 1, es);
	if (l->items == NULL)
		return fail(err, path, "out of memory decoding %zu elements", c->n_literals);
	struct rt_path sub = { path, NULL, NULL, 0, 1 };
	for (size_t i = 0; i < c->n_literals; i++) {
		sub.index = i;
		if (rt_decode(a, t->elem, c->literals[i], (char *)l->items + i * es, &sub, err) < 0)
			return -1;
	}
	return 0;
}

static int decode_dict(struct rt_arena *a, const flrt_type *t, const Flyteidl__Core__Literal *lit, void *dst,
			  const struct rt_path *path, struct rt_msg *err)
{
	if (lit == NULL || lit->value_case != LIT(MAP) || lit->map == NULL)
		return mismatch(err, path, t, lit);
	const Flyteidl__Core__LiteralMap *m = lit->map;
	flrt_dict *d = dst;
	size_t n = m->n_literals, es = flrt_type_size(t->elem);
	struct key_ix *ix = rt_arena_array(a, n ? n : 1, sizeof *ix);
	d->keys = rt_arena_array(a, n ? n : 1, sizeof *d->keys);
	d->values = rt_arena_array(a, n ? n : 1, es);
	if (ix == NULL || d->keys == NULL || d->values == NULL)
		return fail(err, path, "out of memory decoding %zu entries", n);
	for (size_t i = 0; i < n; i++) {
		ix[i].key = m->literals[i] != NULL && m->literals[i]->key != NULL ? m->literals[i]->key : "";
		ix[i].ix = i;
	}
	qsort(ix, n, sizeof *ix, cmp_key_ix);
	size_t k = 0;
	struct rt_path sub = { path, NULL, NULL, 0, 2 };
	for (size_t i = 0; i < n; i++) {
		if (i + 1 < n && strcmp(ix[i].key, ix[i + 1].key) == 0)
			continue;  /* a repeated key: the last one wins */
		sub.name = ix[i].key;
		d->keys[k].data = ix[i].key;
		d->keys[k].len = strlen(ix[i].key);
		if (rt_decode(a, t->elem, m->literals[ix[i].ix]->value,
			       (char *)d->values + k * es, &sub, err) < 0)
			return -1;
		k++;
	}
	d->len = k;
	return 0;
}

static int decode_optional(struct rt_arena *a, const flrt_type *t, const Flyteidl__Core__Literal *lit, void *dst,
			  const struct rt_path *path, struct rt_msg *err)
{
	bool *has = dst;
	void *val = (char *)dst + opt_offset(t);
	/* Accept a union (flytekit's encoding), a raw none and a raw T (what
	 * propeller gathers from map elements). */
	if (lit != NULL && lit->value_case == LIT(SCALAR) && lit->scalar != NULL &&
	    lit->scalar->value_case == SCA(UNION)) {
		if (lit->scalar->union_ == NULL || lit->scalar->union_->value == NULL)
			return fail(err, path, "a union without a value");
		lit = lit->scalar->union_->value;
	}
	if (lit == NULL || rt_lit_is_none(lit)) {
		*has = false;
		return 0;
	}
	*has = true;
	return rt_decode(a, t->elem, lit, val, path, err);
}

int rt_decode(struct rt_arena *a, const flrt_type *t, const Flyteidl__Core__Literal *lit, void *dst,
	       const struct rt_path *path, struct rt_msg *err)
{
	const Flyteidl__Core__Primitive *p;
	if (t == NULL)
		return fail(err, path, "internal error: no type");
	if (lit != NULL && lit->value_case == LIT(OFFLOADED_METADATA))
		return fail(err, path, "offloaded literals are not supported yet");
	switch (t->kind) {
	case FLRT_INT:
		if ((p = prim(lit, PRIM(INTEGER))) == NULL)
			return mismatch(err, path, t, lit);
		*(int64_t *)dst = p->integer;
		return 0;
	case FLRT_FLOAT:
		/* flytekit accepts an integer for a float (_check_and_covert_float) */
		if ((p = prim(lit, PRIM(FLOAT_VALUE))) != NULL)
			*(double *)dst = p->float_value;
		else if ((p = prim(lit, PRIM(INTEGER))) != NULL)
			*(double *)dst = (double)p->integer;
		else
			return mismatch(err, path, t, lit);
		return 0;
	case FLRT_STR:
		if ((p = prim(lit, PRIM(STRING_VALUE))) == NULL)
			return mismatch(err, path, t, lit);
		((flrt_str *)dst)->data = p->string_value != NULL ? p->string_value : "";
		((flrt_str *)dst)->len = strlen(((flrt_str *)dst)->data);
		return 0;
	case FLRT_BOOL:
		if ((p = prim(lit, PRIM(BOOLEAN))) == NULL)
			return mismatch(err, path, t, lit);
		*(bool *)dst = p->boolean != 0;
		return 0;
	case FLRT_DATETIME: {
		if ((p = prim(lit, PRIM(DATETIME))) == NULL)
			return mismatch(err, path, t, lit);
		flrt_datetime *d = dst;
		d->seconds = p->datetime != NULL ? p->datetime->seconds : 0;
		d->nanos = p->datetime != NULL ? p->datetime->nanos : 0;
		if (d->nanos < 0 || d->nanos > 999999999)
			return fail(err, path, "invalid datetime: nanos %d out of range", (int)d->nanos);
		if (!base_timestamp_valid(d->seconds, d->nanos))
			return fail(err, path, "invalid datetime: %lld seconds is outside " RT_TIMESTAMP_RANGE,
				    (long long)d->seconds);
		return 0;
	}
	case FLRT_DURATION:
		return decode_duration(t, lit, dst, path, err);
	case FLRT_BYTES:
		return decode_bytes(t, lit, dst, path, err);
	case FLRT_FILE:
	case FLRT_DIR:
		return decode_blob(t, lit, dst, path, err);
	case FLRT_ENUM:
		return decode_enum(t, lit, dst, path, err);
	case FLRT_LIST:
		return decode_list(a, t, lit, dst, path, err);
	case FLRT_DICT:
		return decode_dict(a, t, lit, dst, path, err);
	case FLRT_OPTIONAL:
		return decode_optional(a, t, lit, dst, path, err);
	}
	return fail(err, path, "internal error: unknown type kind %d", (int)t->kind);
}

/* ---- encoding ------------------------------------------------------------------------ */
struct enc {
	struct rt_arena *a;
	struct rt_msg *err;
	struct {
		const flrt_type *t;
		Flyteidl__Core__LiteralType *lt;
	} variants[8];
	int nvariants;
	Flyteidl__Core__LiteralType *none_variant;
	Flyteidl__Core__Literal *none;
};

static Flyteidl__Core__LiteralType *enc_variant(struct enc *e, const flrt_type *t)
{
	for (int i = 0; i < e->nvariants; i++)
		if (e->variants[i].t == t)
			return e->variants[i].lt;
	Flyteidl__Core__LiteralType *lt = rt_variant_type(e->a, t);
	if (lt != NULL && e->nvariants < 8) {
		e->variants[e->nvariants].t = t;
		e->variants[e->nvariants++].lt = lt;
	}
	return lt;
}

static int oom(struct enc *e, const struct rt_path *p)
{
	return fail(e->err, p, "out of memory");
}

static int check_text(struct enc *e, const struct rt_path *path, const char *what, const char *s, size_t n)
{
	if (n && s == NULL)
		return fail(e->err, path, "%s has length %zu but no data", what, n);
	if (n && memchr(s, 0, n) != NULL)
		return fail(e->err, path, "%s contains a NUL byte (not representable in a protobuf string)", what);
	if (!base_utf8_valid(s, n))
		return fail(e->err, path, "%s is not valid UTF-8", what);
	return 0;
}

/* The end of every encoding step: the literal, or out of memory. */
static int encoded(struct enc *e, Flyteidl__Core__Literal *l, Flyteidl__Core__Literal **out,
		   const struct rt_path *path)
{
	if (l == NULL)
		return oom(e, path);
	*out = l;
	return 0;
}

static int encode(struct enc *e, const flrt_type *t, const void *src, Flyteidl__Core__Literal **out, const struct rt_path *path);

static int encode_datetime(struct enc *e, const flrt_type *t, const void *src, Flyteidl__Core__Literal **out,
			  const struct rt_path *path)
{
	struct rt_arena *a = e->a;
	Flyteidl__Core__Primitive *p;
	Flyteidl__Core__Literal *l = NULL;
	const flrt_datetime *d = src;
	if (d->nanos < 0 || d->nanos > 999999999)
		return fail(e->err, path, "invalid datetime: nanos %d out of range", (int)d->nanos);
	if (!base_timestamp_valid(d->seconds, d->nanos))
		return fail(e->err, path, "invalid datetime: %lld seconds is outside " RT_TIMESTAMP_RANGE,
			    (long long)d->seconds);
	Google__Protobuf__Timestamp *ts = rt_arena_alloc(a, sizeof *ts);
	if (ts == NULL || (l = rt_lit_prim(a, &p)) == NULL)
		return oom(e, path);
	google__protobuf__timestamp__init(ts);
	ts->seconds = d->seconds;
	ts->nanos = d->nanos;
	p->value_case = PRIM(DATETIME);
	p->datetime = ts;
	return encoded(e, l, out, path);
}

static int encode_bytes(struct enc *e, const flrt_type *t, const void *src, Flyteidl__Core__Literal **out,
			  const struct rt_path *path)
{
	struct rt_arena *a = e->a;
	Flyteidl__Core__Scalar *s;
	Flyteidl__Core__Literal *l = NULL;
	const flrt_bytes *b = src;
	if (b->len && b->data == NULL)
		return fail(e->err, path, "bytes have length %zu but no data", b->len);
	Flyteidl__Core__Binary *bin = rt_arena_alloc(a, sizeof *bin);
	if (bin == NULL || (l = rt_lit_scalar(a, &s)) == NULL)
		return oom(e, path);
	flyteidl__core__binary__init(bin);
	bin->value.len = b->len;
	bin->value.data = (uint8_t *)b->data;
	s->value_case = SCA(BINARY);
	s->binary = bin;
	return encoded(e, l, out, path);
}

static int encode_blob(struct enc *e, const flrt_type *t, const void *src, Flyteidl__Core__Literal **out,
			  const struct rt_path *path)
{
	struct rt_arena *a = e->a;
	Flyteidl__Core__Scalar *s;
	Flyteidl__Core__Literal *l = NULL;
	const flrt_str *str = src;
	const char *what = t->kind == FLRT_FILE ? "file path" : "directory path";
	if (str->len == 0)
		return fail(e->err, path, "empty %s", what);
	if (check_text(e, path, what, str->data, str->len) < 0)
		return -1;
	Flyteidl__Core__Blob *bl = rt_arena_alloc(a, sizeof *bl);
	Flyteidl__Core__BlobMetadata *md = rt_arena_alloc(a, sizeof *md);
	Flyteidl__Core__BlobType *bt = rt_arena_alloc(a, sizeof *bt);
	if (bl == NULL || md == NULL || bt == NULL || (l = rt_lit_scalar(a, &s)) == NULL)
		return oom(e, path);
	flyteidl__core__blob__init(bl);
	flyteidl__core__blob_metadata__init(md);
	flyteidl__core__blob_type__init(bt);
	bt->dimensionality = t->kind == FLRT_DIR ? DIM(MULTIPART) : DIM(SINGLE);
	md->type = bt;
	bl->metadata = md;
	if ((bl->uri = rt_arena_strndup(a, str->data, str->len)) == NULL)
		return oom(e, path);
	s->value_case = SCA(BLOB);
	s->blob = bl;
	return encoded(e, l, out, path);
}

static int encode_list(struct enc *e, const flrt_type *t, const void *src, Flyteidl__Core__Literal **out,
			  const struct rt_path *path)
{
	struct rt_arena *a = e->a;
	Flyteidl__Core__Literal *l = NULL;
	const flrt_list *li = src;
	if (li->len && li->items == NULL)
		return fail(e->err, path, "list has length %zu but no items", li->len);
	if ((l = rt_lit_collection(a, li->len)) == NULL)
		return oom(e, path);
	size_t es = flrt_type_size(t->elem);
	struct rt_path sub = { path, NULL, NULL, 0, 1 };
	for (size_t i = 0; i < li->len; i++) {
		sub.index = i;
		if (encode(e, t->elem, (const char *)li->items + i * es,
			   &l->collection->literals[i], &sub) < 0)
			return -1;
	}
	return encoded(e, l, out, path);
}

static int encode_dict(struct enc *e, const flrt_type *t, const void *src, Flyteidl__Core__Literal **out,
			  const struct rt_path *path)
{
	struct rt_arena *a = e->a;
	Flyteidl__Core__Literal *l = NULL;
	const flrt_dict *d = src;
	if (d->len && (d->keys == NULL || d->values == NULL))
		return fail(e->err, path, "dict has length %zu but no keys or values", d->len);
	struct key_ix *ix = rt_arena_array(a, d->len ? d->len : 1, sizeof *ix);
	if (ix == NULL || (l = rt_lit_map(a, d->len)) == NULL)
		return oom(e, path);
	for (size_t i = 0; i < d->len; i++) {
		if (check_text(e, path, "a key", d->keys[i].data, d->keys[i].len) < 0)
			return -1;
		if ((ix[i].key = rt_arena_strndup(a, d->keys[i].len ? d->keys[i].data : "",
						   d->keys[i].len)) == NULL)
			return oom(e, path);
		ix[i].ix = i;
	}
	qsort(ix, d->len, sizeof *ix, cmp_key_ix);
	size_t es = flrt_type_size(t->elem);
	struct rt_path sub = { path, NULL, NULL, 0, 2 };
	for (size_t i = 0; i < d->len; i++) {
		if (i && strcmp(ix[i].key, ix[i - 1].key) == 0)
			return fail(e->err, path, "duplicate key \"%s\"", ix[i].key);
		sub.name = ix[i].key;
		Flyteidl__Core__Literal *v;
		if (encode(e, t->elem, (const char *)d->values + ix[i].ix * es, &v, &sub) < 0)
			return -1;
		rt_litmap_set(l->map, i, ix[i].key, v);
	}
	return encoded(e, l, out, path);
}

static int encode_optional(struct enc *e, const flrt_type *t, const void *src, Flyteidl__Core__Literal **out,
			  const struct rt_path *path)
{
	struct rt_arena *a = e->a;
	Flyteidl__Core__Literal *l = NULL;
	if (!*(const bool *)src) {
		if (e->none == NULL && (e->none = rt_lit_none(a)) == NULL)
			return oom(e, path);
		if (e->none_variant == NULL && (e->none_variant = rt_none_variant(a)) == NULL)
			return oom(e, path);
		l = rt_lit_union(a, e->none, e->none_variant);
		return encoded(e, l, out, path);
	}
	Flyteidl__Core__Literal *v;
	Flyteidl__Core__LiteralType *vt = enc_variant(e, t->elem);
	if (vt == NULL)
		return oom(e, path);
	if (encode(e, t->elem, (const char *)src + opt_offset(t), &v, path) < 0)
		return -1;
	l = rt_lit_union(a, v, vt);
	return encoded(e, l, out, path);
}

static int encode(struct enc *e, const flrt_type *t, const void *src, Flyteidl__Core__Literal **out, const struct rt_path *path)
{
	struct rt_arena *a = e->a;
	Flyteidl__Core__Primitive *p;
	Flyteidl__Core__Literal *l = NULL;
	switch (t->kind) {
	case FLRT_INT:
		l = rt_lit_int(a, *(const int64_t *)src);
		break;
	case FLRT_FLOAT:
		l = rt_lit_float(a, *(const double *)src);
		break;
	case FLRT_BOOL:
		l = rt_lit_bool(a, *(const unsigned char *)src != 0);
		break;
	case FLRT_STR: {
		const flrt_str *str = src;
		if (check_text(e, path, "string", str->data, str->len) < 0)
			return -1;
		if ((l = rt_lit_prim(a, &p)) == NULL ||
		    (p->string_value = rt_arena_strndup(a, str->len ? str->data : "", str->len)) == NULL)
			return oom(e, path);
		p->value_case = PRIM(STRING_VALUE);
		break;
	}
	case FLRT_DATETIME:
		return encode_datetime(e, t, src, out, path);
	case FLRT_DURATION: {
		int64_t ns = *(const int64_t *)src;
		Google__Protobuf__Duration *du = rt_arena_alloc(a, sizeof *du);
		if (du == NULL || (l = rt_lit_prim(a, &p)) == NULL)
			return oom(e, path);
		google__protobuf__duration__init(du);
		base_duration_split(ns, &du->seconds, &du->nanos);  /* both parts carry the sign */
		p->value_case = PRIM(DURATION);
		p->duration = du;
		break;
	}
	case FLRT_BYTES:
		return encode_bytes(e, t, src, out, path);
	case FLRT_FILE:
	case FLRT_DIR:
		return encode_blob(e, t, src, out, path);
	case FLRT_ENUM: {
		int32_t v = *(const int32_t *)src;
		if (v < 0 || (size_t)v >= t->enum_count)
			return fail(e->err, path, "%d is not a member of enum %s (it has %zu members)",
				    (int)v, t->enum_name != NULL ? t->enum_name : "", t->enum_count);
		if ((l = rt_lit_prim(a, &p)) == NULL)
			return oom(e, path);
		p->value_case = PRIM(STRING_VALUE);
		p->string_value = (char *)t->enum_names[v];
		break;
	}
	case FLRT_LIST:
		return encode_list(e, t, src, out, path);
	case FLRT_DICT:
		return encode_dict(e, t, src, out, path);
	case FLRT_OPTIONAL:
		return encode_optional(e, t, src, out, path);
	default:
		return fail(e->err, path, "internal error: unknown type kind %d", (int)t->kind);
	}
	if (l == NULL)
		return oom(e, path);
	*out = l;
	return 0;
}

int rt_encode(struct rt_arena *a, const flrt_type *t, const void *src, Flyteidl__Core__Literal **out,
	       const struct rt_path *path, struct rt_msg *err)
{
	struct enc e = { .a = a, .err = err };
	if (t == NULL)
		return fail(err, path, "internal error: no type");
	return encode(&e, t, src, out, path);
}
