/* litjson.c: literals <-> JSON: command-line values (JSON, typed by a
 * LiteralType) into literals, and literals into JSON for the run result. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "civil.h"
#include "duration.h"
#include "json.h"
#include "jsonstr.h"
#include "utf8.h"

/* ---- base64 in the arena and in buffers ---------------------------------------------- */
static int decode_base64(struct rt_arena *a, const char *s, size_t n, uint8_t **out, size_t *len)
{
	uint8_t *o = rt_arena_alloc(a, n / 4 * 3 + 3);
	if (o == NULL || base_base64_decode(s, n, o, len) < 0)
		return -1;
	*out = o;
	return 0;
}

static int encode_base64(struct base_buf *b, const uint8_t *p, size_t n)
{
	size_t m = base_base64_len(n);
	if (base_buf_reserve(b, m) < 0)
		return -1;
	base_base64_encode(b->data + b->len, p, n);   /* with its NUL */
	b->len += m;
	return 0;
}

static const char *jkind_name(const struct rt_json *v)
{
	static const char *n[] = { "null", "a boolean", "a number", "a string", "a list", "an object" };
	return n[v->k];
}

static int want(struct rt_msg *err, const char *what, const struct rt_json *v)
{
	return rt_msgf(err, "expected %s, found %s", what, jkind_name(v));
}

static Flyteidl__Core__Literal *prim_lit(struct rt_arena *a, Flyteidl__Core__Primitive **pp)
{
	Flyteidl__Core__Literal *l = rt_lit_int(a, 0);   /* a primitive literal to refill */
	if (l != NULL)
		*pp = l->scalar->primitive;
	return l;
}

static int from_json(struct rt_arena *a, const struct rt_json *v, const Flyteidl__Core__LiteralType *lt, Flyteidl__Core__Literal **out, struct rt_msg *err);

static int datetime_from_json(struct rt_arena *a, const struct rt_json *v, Flyteidl__Core__Literal **out,
			      struct rt_msg *err)
{
	Flyteidl__Core__Primitive *p;
	int64_t s;
	int32_t ns;
	if (v->k != RT_JSON_STR)
		return want(err, "a datetime string", v);
	if (base_rfc3339_parse(v->s, RT_RFC3339_FLAGS, &s, &ns) != BASE_RFC3339_OK)
		return rt_msgf(err, "'%s' is not a datetime (YYYY-MM-DDTHH:MM:SS[.f](Z|+HH:MM))", v->s);
	/* the one range of the compiler and the runtime: every datetime the
	 * runtime prints reads back, and nothing else does */
	if (!base_timestamp_valid(s, ns))
		return rt_msgf(err, "'%s' is outside " RT_TIMESTAMP_RANGE, v->s);
	Google__Protobuf__Timestamp *ts = rt_arena_alloc(a, sizeof *ts);
	if (ts == NULL || (*out = prim_lit(a, &p)) == NULL)
		return rt_msgf(err, "out of memory");
	google__protobuf__timestamp__init(ts);
	ts->seconds = s;
	ts->nanos = ns;
	p->value_case = PRIM(DATETIME);
	p->datetime = ts;
	return 0;
}

/* A duration: text ("1h30m") or a number of seconds. */
static int duration_from_json(struct rt_arena *a, const struct rt_json *v, Flyteidl__Core__Literal **out,
			      struct rt_msg *err)
{
	Flyteidl__Core__Primitive *p;
	int64_t ns;
	if (v->k == RT_JSON_STR) {
		if (base_duration_parse(v->s, &ns) < 0)
			return rt_msgf(err, "'%s' is not a duration (30s, 250ms, 1h30m)", v->s);
	} else if (v->k == RT_JSON_NUM) {
		double d = strtod(v->s, NULL) * 1e9;
		if (!(d > -9.2e18 && d < 9.2e18))
			return rt_msgf(err, "duration %s s is out of range", v->s);
		ns = (int64_t)llround(d);
	} else {
		return want(err, "a duration string", v);
	}
	Google__Protobuf__Duration *du = rt_arena_alloc(a, sizeof *du);
	if (du == NULL || (*out = prim_lit(a, &p)) == NULL)
		return rt_msgf(err, "out of memory");
	google__protobuf__duration__init(du);
	base_duration_split(ns, &du->seconds, &du->nanos);
	p->value_case = PRIM(DURATION);
	p->duration = du;
	return 0;
}

/* Bytes: a string as it is, or {"base64": "..."}. */
static int binary_from_json(struct rt_arena *a, const struct rt_json *v, Flyteidl__Core__Literal **out,
			    struct rt_msg *err)
{
	uint8_t *data;
	size_t len;
	if (v->k == RT_JSON_STR) {
		data = (uint8_t *)v->s;
		len = v->len;
	} else if (v->k == RT_JSON_OBJ && v->n == 1 && strcmp(v->keys[0], "base64") == 0 &&
		   v->items[0]->k == RT_JSON_STR) {
		if (decode_base64(a, v->items[0]->s, v->items[0]->len, &data, &len) < 0)
			return rt_msgf(err, "invalid base64");
	} else {
		return want(err, "a string or {\"base64\": \"...\"}", v);
	}
	Flyteidl__Core__Binary *b = rt_arena_alloc(a, sizeof *b);
	Flyteidl__Core__Literal *l = rt_lit_none(a);
	if (b == NULL || l == NULL)
		return rt_msgf(err, "out of memory");
	flyteidl__core__binary__init(b);
	b->value.data = data;
	b->value.len = len;
	l->scalar->value_case = SCA(BINARY);
	l->scalar->binary = b;
	*out = l;
	return 0;
}

static int from_json_simple(struct rt_arena *a, const struct rt_json *v, Flyteidl__Core__SimpleType st,
			    Flyteidl__Core__Literal **out, struct rt_msg *err)
{
	switch (st) {
	case SIMPLE(NONE):
		if (v->k != RT_JSON_NULL)
			return want(err, "none", v);
		*out = rt_lit_none(a);
		break;
	case SIMPLE(INTEGER): {
		if (v->k != RT_JSON_NUM || strpbrk(v->s, ".eE") != NULL)
			return want(err, "an integer", v);
		errno = 0;
		long long x = strtoll(v->s, NULL, 10);
		if (errno == ERANGE)
			return rt_msgf(err, "integer %s out of the 64-bit range", v->s);
		*out = rt_lit_int(a, x);
		break;
	}
	case SIMPLE(FLOAT): {
		double d;
		if (v->k == RT_JSON_NUM)
			d = strtod(v->s, NULL);
		else if (v->k == RT_JSON_STR && strcmp(v->s, "NaN") == 0)
			d = NAN;
		else if (v->k == RT_JSON_STR && strcmp(v->s, "Infinity") == 0)
			d = INFINITY;
		else if (v->k == RT_JSON_STR && strcmp(v->s, "-Infinity") == 0)
			d = -INFINITY;
		else
			return want(err, "a number", v);
		*out = rt_lit_float(a, d);
		break;
	}
	case SIMPLE(STRING):
		if (v->k != RT_JSON_STR)
			return want(err, "a string", v);
		if (memchr(v->s, 0, v->len) != NULL)
			return rt_msgf(err, "a string with a NUL character");
		*out = rt_lit_str(a, v->s);
		break;
	case SIMPLE(BOOLEAN):
		if (v->k != RT_JSON_BOOL)
			return want(err, "true or false", v);
		*out = rt_lit_bool(a, v->b);
		break;
	case SIMPLE(DATETIME):
		return datetime_from_json(a, v, out, err);
	case SIMPLE(DURATION):
		return duration_from_json(a, v, out, err);
	case SIMPLE(BINARY):
		return binary_from_json(a, v, out, err);
	default:
		return rt_msgf(err, "values of this simple type (%d) are not supported by local runs",
				(int)st);
	}
	return *out != NULL ? 0 : rt_msgf(err, "out of memory");
}

/* A file or directory: its path or URI. */
static int blob_from_json(struct rt_arena *a, const struct rt_json *v, const Flyteidl__Core__LiteralType *lt,
			  Flyteidl__Core__Literal **out, struct rt_msg *err)
{
	if (v->k != RT_JSON_STR || !v->len)
		return want(err, "a path", v);
	Flyteidl__Core__Blob *b = rt_arena_alloc(a, sizeof *b);
	Flyteidl__Core__BlobMetadata *md = rt_arena_alloc(a, sizeof *md);
	Flyteidl__Core__BlobType *bt = rt_arena_alloc(a, sizeof *bt);
	Flyteidl__Core__Literal *l = rt_lit_none(a);
	if (b == NULL || md == NULL || bt == NULL || l == NULL)
		return rt_msgf(err, "out of memory");
	flyteidl__core__blob__init(b);
	flyteidl__core__blob_metadata__init(md);
	flyteidl__core__blob_type__init(bt);
	if (lt->blob != NULL) {
		bt->format = lt->blob->format;
		bt->dimensionality = lt->blob->dimensionality;
	}
	md->type = bt;
	b->metadata = md;
	b->uri = (char *)v->s;
	l->scalar->value_case = SCA(BLOB);
	l->scalar->blob = b;
	*out = l;
	return 0;
}

static int enum_from_json(struct rt_arena *a, const struct rt_json *v, const Flyteidl__Core__LiteralType *lt,
			  Flyteidl__Core__Literal **out, struct rt_msg *err)
{
	if (v->k != RT_JSON_STR)
		return want(err, "an enum member name", v);
	for (size_t i = 0; lt->enum_type != NULL && i < lt->enum_type->n_values; i++)
		if (strcmp(lt->enum_type->values[i], v->s) == 0) {
			*out = rt_lit_str(a, v->s);
			return *out != NULL ? 0 : rt_msgf(err, "out of memory");
		}
	struct base_buf names = { 0 };
	for (size_t i = 0; lt->enum_type != NULL && i < lt->enum_type->n_values; i++)
		base_buf_printf(&names, "%s%s", i ? ", " : "", lt->enum_type->values[i]);
	rt_msgf(err, "'%s' is not one of %s", v->s, base_buf_str(&names));
	base_buf_free(&names);
	return -1;
}

/* The first variant that takes the value (none only for null). */
static int union_from_json(struct rt_arena *a, const struct rt_json *v, const Flyteidl__Core__LiteralType *lt,
			  Flyteidl__Core__Literal **out, struct rt_msg *err)
{
	const Flyteidl__Core__UnionType *u = lt->union_type;
	struct rt_msg first;
	bool tried = false;
	for (size_t i = 0; u != NULL && i < u->n_variants; i++) {
		Flyteidl__Core__LiteralType *var = u->variants[i];
		bool is_none = var->type_case == LT(SIMPLE) && var->simple == SIMPLE(NONE);
		if (is_none != (v->k == RT_JSON_NULL))
			continue;
		Flyteidl__Core__Literal *x;
		struct rt_msg e;
		if (from_json(a, v, var, &x, &e) == 0) {
			*out = rt_lit_union(a, x, var);
			return *out != NULL ? 0 : rt_msgf(err, "out of memory");
		}
		if (!tried)
			first = e;
		tried = true;
	}
	if (tried) {
		*err = first;
		return -1;
	}
	return rt_msgf(err, v->k == RT_JSON_NULL ? "none is not allowed here"
					    : "no variant of the union accepts %s", jkind_name(v));
}

static int from_json(struct rt_arena *a, const struct rt_json *v, const Flyteidl__Core__LiteralType *lt, Flyteidl__Core__Literal **out, struct rt_msg *err)
{
	if (lt == NULL)
		return rt_msgf(err, "no type");
	switch (lt->type_case) {
	case LT(SIMPLE):
		return from_json_simple(a, v, lt->simple, out, err);
	case LT(BLOB):
		return blob_from_json(a, v, lt, out, err);
	case LT(ENUM_TYPE):
		return enum_from_json(a, v, lt, out, err);
	case LT(COLLECTION_TYPE): {
		if (v->k != RT_JSON_ARR)
			return want(err, "a list", v);
		Flyteidl__Core__Literal *l = rt_lit_collection(a, v->n);
		if (l == NULL)
			return rt_msgf(err, "out of memory");
		for (size_t i = 0; i < v->n; i++)
			if (from_json(a, v->items[i], lt->collection_type,
				      &l->collection->literals[i], err) < 0)
				return rt_msg_prefix(err, "[%zu]", i);
		*out = l;
		return 0;
	}
	case LT(MAP_VALUE_TYPE): {
		if (v->k != RT_JSON_OBJ)
			return want(err, "an object", v);
		Flyteidl__Core__Literal *l = rt_lit_map(a, v->n);
		if (l == NULL)
			return rt_msgf(err, "out of memory");
		for (size_t i = 0; i < v->n; i++) {
			Flyteidl__Core__Literal *x;
			if (from_json(a, v->items[i], lt->map_value_type, &x, err) < 0)
				return rt_msg_prefix(err, "[\"%s\"]", v->keys[i]);
			rt_litmap_set(l->map, i, v->keys[i], x);
		}
		*out = l;
		return 0;
	}
	case LT(UNION_TYPE):
		return union_from_json(a, v, lt, out, err);
	default:
		return rt_msgf(err, "values of this type are not supported by local runs");
	}
}

/* Does the type take a string (so a bare word is one)? */
static bool takes_string(const Flyteidl__Core__LiteralType *lt)
{
	if (lt == NULL)
		return false;
	switch (lt->type_case) {
	case LT(SIMPLE):
		return lt->simple == SIMPLE(STRING) || lt->simple == SIMPLE(DATETIME) ||
		       lt->simple == SIMPLE(DURATION) || lt->simple == SIMPLE(BINARY);
	case LT(BLOB):
	case LT(ENUM_TYPE):
		return true;
	case LT(UNION_TYPE):
		for (size_t i = 0; lt->union_type != NULL && i < lt->union_type->n_variants; i++)
			if (takes_string(lt->union_type->variants[i]))
				return true;
		return false;
	default:
		return false;
	}
}

int rt_json_to_literal(struct rt_arena *a, const char *text, const Flyteidl__Core__LiteralType *lt, Flyteidl__Core__Literal **out,
			struct rt_msg *err)
{
	struct rt_json *v, bare;
	struct rt_msg perr;
	if (strcmp(text, "none") == 0)
		text = "null";
	if (rt_json_parse(a, text, &v, &perr) < 0) {
		if (!takes_string(lt)) {
			*err = perr;
			return -1;
		}
		memset(&bare, 0, sizeof bare);  /* a bare word is a string */
		bare.k = RT_JSON_STR;
		bare.s = text;
		bare.len = strlen(text);
		v = &bare;
	}
	return from_json(a, v, lt, out, err);
}

/* ---- literal -> JSON ----------------------------------------------------------------- */
static int cmp_entry_key(const void *x, const void *y)
{
	const Flyteidl__Core__LiteralMap__LiteralsEntry *a = *(const void *const *)x;
	const Flyteidl__Core__LiteralMap__LiteralsEntry *b = *(const void *const *)y;
	return strcmp(a->key, b->key);
}

/* A map with its keys sorted. */
static int map_to_json(struct base_buf *b, const Flyteidl__Core__Literal *lit)
{
	size_t n = lit->map != NULL ? lit->map->n_literals : 0;
	void **e = malloc((n ? n : 1) * sizeof *e);
	if (e == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		e[i] = lit->map->literals[i];
	qsort(e, n, sizeof *e, cmp_entry_key);
	int rc = base_buf_putc(b, '{');
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const Flyteidl__Core__LiteralMap__LiteralsEntry *en = e[i];
		if ((i && base_buf_put(b, ", ", 2) < 0) ||
		    base_json_string(b, en->key, strlen(en->key), 0) < 0 ||
		    base_buf_put(b, ": ", 2) < 0 || rt_literal_to_json(b, en->value) < 0)
			rc = -1;
	}
	free(e);
	return rc < 0 ? -1 : base_buf_putc(b, '}');
}

static int primitive_to_json(struct base_buf *b, const Flyteidl__Core__Primitive *p)
{
	char tmp[96];
	switch (p != NULL ? p->value_case : PRIM(_NOT_SET)) {
	case PRIM(INTEGER): return base_buf_printf(b, "%lld", (long long)p->integer);
	case PRIM(FLOAT_VALUE): return base_json_double(b, p->float_value, 15, BASE_JSON_POINT_ZERO);
	case PRIM(STRING_VALUE): return base_json_string(b, p->string_value, strlen(p->string_value), 0);
	case PRIM(BOOLEAN): return base_buf_printf(b, p->boolean ? "true" : "false");
	case PRIM(DATETIME): {
		int64_t sec = p->datetime != NULL ? p->datetime->seconds : 0;
		int32_t nanos = p->datetime != NULL ? p->datetime->nanos : 0;
		/* not a Timestamp (a file from elsewhere): its fields, as
		 * nothing would read a date of year 10000 back */
		if (!base_timestamp_valid(sec, nanos))
			return base_buf_printf(b, "{\"seconds\": %lld, \"nanos\": %d}", (long long)sec, (int)nanos);
		base_rfc3339_format(sec, nanos, BASE_RFC3339_TRIM, tmp, sizeof tmp);
		return base_json_string(b, tmp, strlen(tmp), 0);
	}
	case PRIM(DURATION): {
		int64_t ns = 0;
		if (p->duration != NULL && !base_duration_join(p->duration->seconds, p->duration->nanos, &ns))
			return base_buf_printf(b, "\"%llds\"", (long long)p->duration->seconds);
		base_duration_format(ns, tmp, sizeof tmp);
		return base_json_string(b, tmp, strlen(tmp), 0);
	}
	default:
		return base_buf_printf(b, "null");
	}
}

static int scalar_to_json(struct base_buf *b, const Flyteidl__Core__Scalar *s)
{
	if (s == NULL)
		return base_buf_printf(b, "null");
	switch (s->value_case) {
	case SCA(PRIMITIVE):
		return primitive_to_json(b, s->primitive);
	case SCA(BLOB):
		return s->blob != NULL ? base_json_string(b, s->blob->uri, strlen(s->blob->uri), 0)
			       : base_buf_printf(b, "null");
	case SCA(BINARY): {
		const ProtobufCBinaryData *d = s->binary != NULL ? &s->binary->value : NULL;
		if (d == NULL)
			return base_buf_printf(b, "null");
		if (base_utf8_check(d->data, d->len, BASE_UTF8_LAX | BASE_UTF8_NO_NUL))
			return base_json_string(b, (const char *)d->data, d->len, 0);
		return base_buf_printf(b, "{\"base64\": \"") < 0 || encode_base64(b, d->data, d->len) < 0
			       ? -1 : base_buf_printf(b, "\"}");
	}
	case SCA(UNION):
		return rt_literal_to_json(b, s->union_ != NULL ? s->union_->value : NULL);
	case SCA(ERROR):
		if (base_buf_printf(b, "{\"error\": ") < 0 ||
		    base_json_string(b, s->error != NULL ? s->error->message : "",
				s->error != NULL ? strlen(s->error->message) : 0, 0) < 0)
			return -1;
		return base_buf_putc(b, '}');
	case SCA(NONE_TYPE):
	default:
		return base_buf_printf(b, "null");
	}
}

int rt_literal_to_json(struct base_buf *b, const Flyteidl__Core__Literal *lit)
{
	if (lit == NULL)
		return base_buf_printf(b, "null");
	switch (lit->value_case) {
	case LIT(COLLECTION): {
		if (base_buf_putc(b, '[') < 0)
			return -1;
		for (size_t i = 0; lit->collection != NULL && i < lit->collection->n_literals; i++)
			if ((i && base_buf_put(b, ", ", 2) < 0) ||
			    rt_literal_to_json(b, lit->collection->literals[i]) < 0)
				return -1;
		return base_buf_putc(b, ']');
	}
	case LIT(MAP):
		return map_to_json(b, lit);
	case LIT(SCALAR):
		return scalar_to_json(b, lit->scalar);
	default:
		return base_buf_printf(b, "null");
	}
}
