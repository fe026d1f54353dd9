/* lower.c: a checked module to flyteidl messages (protobuf-c), in the
 * order and shapes `pyflyte package` writes (reference
 * registration-artifacts.md §1, §3, §4; flytekit-map-semantics.md §3, §5).
 *
 * Every message lives in the compilation's arena. Map fields are written
 * sorted by key, so the bytes are deterministic. */
#include "prelude.h"

#include "codegen.h"

#include <inttypes.h>
#include <md5.h>
#include <sha2.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "flyteidl/admin/launch_plan.pb-c.h"
#include "flyteidl/admin/task.pb-c.h"
#include "flyteidl/admin/workflow.pb-c.h"
#include "google/protobuf/struct.pb-c.h"

struct gen {
	struct fl_ctx *c;
	struct fl_arena *a;
	const struct fl_module *m;
	const struct fl_codegen_options *o;
	const char *image;
	const char *entrypoint;
	const struct fl_entity *wf;  /* the workflow being lowered */
	struct fl_artifact *items;
	uint32_t n, cap;
	uint32_t *slots;              /* hash set over items by (kind, name): index + 1, or 0 */
	uint32_t nslots;              /* a power of two, at least twice n */
	bool failed;
};

#define NEW(g, T, INIT) new_msg((g), sizeof(T), &(T)INIT)

static void *new_msg(struct gen *g, size_t size, const void *init)
{
	void *p = fl_alloc(g->a, size);
	memcpy(p, init, size);
	return p;
}

static char *str(struct gen *g, const char *s)
{
	return fl_strndup(g->a, s, strlen(s));
}

static const char *qualified(struct gen *g, const char *name)
{
	return fl_sprintf(g->a, "%s.%s", g->m->name, name);
}

/* The text after the last dot ("quickstart.square" -> "square"). */
static const char *short_name(const char *name)
{
	const char *dot = strrchr(name, '.');
	return dot ? dot + 1 : name;
}

static Flyteidl__Core__Identifier *ident(struct gen *g, Flyteidl__Core__ResourceType type, const char *name)
{
	Flyteidl__Core__Identifier *id = NEW(g, Flyteidl__Core__Identifier, FLYTEIDL__CORE__IDENTIFIER__INIT);
	id->resource_type = type;
	id->name = str(g, name);
	if (g->o->project)
		id->project = str(g, g->o->project);
	if (g->o->domain)
		id->domain = str(g, g->o->domain);
	if (g->o->version)
		id->version = str(g, g->o->version);
	return id;
}

/* SHA-224 as lower-case hex: SHA-256 (libmd) started from SHA-224's
 * initial hash value (FIPS 180-4 §5.3.2), cut to 28 bytes. */
static void sha224_hex(const char *msg, char hex[57])
{
	static const uint32_t iv[8] = {0xc1059ed8, 0x367cd507, 0x3070dd17, 0xf70e5939,
				       0xffc00b31, 0x68581511, 0x64f98fa7, 0xbefa4fa4};
	SHA2_CTX ctx;
	uint8_t d[SHA256_DIGEST_LENGTH];
	SHA256Init(&ctx);
	memcpy(ctx.state.st32, iv, sizeof iv);
	SHA256Update(&ctx, (const uint8_t *)msg, strlen(msg));
	SHA256Final(d, &ctx);
	for (int i = 0; i < 28; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

/* flytekit's _dnsify (core/utils.py): a DNS-1123 label. Names of 63
 * characters or more become the first 10 hex digits of their SHA-224, a
 * '-' and their last 52 characters; '_', '-' and '.' become '-' (dropped
 * in front), an upper-case letter becomes '-' and its lower case, other
 * characters are dropped, and a trailing '-' goes. */
static char *dnsify(struct gen *g, const char *value)
{
	enum { MAX = 63, HASH_LEN = 10 };
	size_t n = strlen(value);
	if (n >= MAX) {
		char hex[57];
		sha224_hex(value, hex);
		value = fl_sprintf(g->a, "%.*s-%s", HASH_LEN, hex, value + n - (MAX - HASH_LEN - 1));
		n = strlen(value);
	}
	char *res = fl_alloc(g->a, 2 * n + 1);
	size_t k = 0;
	for (const char *p = value; *p; p++) {
		char ch = *p;
		if (ch == '_' || ch == '-' || ch == '.') {
			if (k > 0 && k < 62)
				res[k++] = '-';
		} else if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) {
			res[k++] = ch;
		} else if (ch >= 'A' && ch <= 'Z') {
			if (k > 0 && res[k - 1] != '-' && k < 62)
				res[k++] = '-';
			res[k++] = (char)(ch - 'A' + 'a');
		}
	}
	if (k > 0 && res[k - 1] == '-')
		k--;
	res[k] = '\0';
	return res;
}

/* ---- types ------------------------------------------------------------ */

/* flytekit's TypeTransformer names, used as union variant tags. */
static const char *type_tag(const struct fl_type *t)
{
	switch (t->kind) {
	case FL_T_INT: return "int";
	case FL_T_FLOAT: return "float";
	case FL_T_STR: return "str";
	case FL_T_BOOL: return "bool";
	case FL_T_DATETIME: return "datetime";
	case FL_T_DURATION: return "timedelta";
	case FL_T_BYTES: return "bytes";
	case FL_T_FILE: return "FlyteFilePath";
	case FL_T_DIR: return "FlyteDirectory";
	case FL_T_LIST: return "Typed List";
	case FL_T_DICT: return "Typed Dict";
	case FL_T_ENUM: return "DefaultEnumTransformer";
	default: return "none";
	}
}

static Flyteidl__Core__LiteralType *literal_type(struct gen *g, const struct fl_type *t);

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

static Flyteidl__Core__LiteralType *literal_type(struct gen *g, const struct fl_type *t)
{
	Flyteidl__Core__LiteralType *lt;
	switch (t->kind) {
	case FL_T_INT: return simple(g, FLYTEIDL__CORE__SIMPLE_TYPE__INTEGER);
	case FL_T_FLOAT: return simple(g, FLYTEIDL__CORE__SIMPLE_TYPE__FLOAT);
	case FL_T_STR: return simple(g, FLYTEIDL__CORE__SIMPLE_TYPE__STRING);
	case FL_T_BOOL: return simple(g, FLYTEIDL__CORE__SIMPLE_TYPE__BOOLEAN);
	case FL_T_DATETIME: return simple(g, FLYTEIDL__CORE__SIMPLE_TYPE__DATETIME);
	case FL_T_DURATION: return simple(g, FLYTEIDL__CORE__SIMPLE_TYPE__DURATION);
	case FL_T_BYTES: return simple(g, FLYTEIDL__CORE__SIMPLE_TYPE__BINARY);
	case FL_T_NONE: return simple(g, FLYTEIDL__CORE__SIMPLE_TYPE__NONE);
	case FL_T_FILE:
	case FL_T_DIR:
		lt = NEW(g, Flyteidl__Core__LiteralType, FLYTEIDL__CORE__LITERAL_TYPE__INIT);
		lt->type_case = FLYTEIDL__CORE__LITERAL_TYPE__TYPE_BLOB;
		lt->blob = NEW(g, Flyteidl__Core__BlobType, FLYTEIDL__CORE__BLOB_TYPE__INIT);
		lt->blob->dimensionality = t->kind == FL_T_FILE ? FLYTEIDL__CORE__BLOB_TYPE__BLOB_DIMENSIONALITY__SINGLE
							       : FLYTEIDL__CORE__BLOB_TYPE__BLOB_DIMENSIONALITY__MULTIPART;
		return lt;
	case FL_T_LIST:
		lt = NEW(g, Flyteidl__Core__LiteralType, FLYTEIDL__CORE__LITERAL_TYPE__INIT);
		lt->type_case = FLYTEIDL__CORE__LITERAL_TYPE__TYPE_COLLECTION_TYPE;
		lt->collection_type = literal_type(g, t->elem);
		return lt;
	case FL_T_DICT:
		lt = NEW(g, Flyteidl__Core__LiteralType, FLYTEIDL__CORE__LITERAL_TYPE__INIT);
		lt->type_case = FLYTEIDL__CORE__LITERAL_TYPE__TYPE_MAP_VALUE_TYPE;
		lt->map_value_type = literal_type(g, t->elem);
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
		lt = NEW(g, Flyteidl__Core__LiteralType, FLYTEIDL__CORE__LITERAL_TYPE__INIT);
		lt->type_case = FLYTEIDL__CORE__LITERAL_TYPE__TYPE_UNION_TYPE;
		lt->union_type = NEW(g, Flyteidl__Core__UnionType, FLYTEIDL__CORE__UNION_TYPE__INIT);
		lt->union_type->n_variants = 2;
		lt->union_type->variants = fl_alloc(g->a, 2 * sizeof *lt->union_type->variants);
		lt->union_type->variants[0] = tagged(g, literal_type(g, t->elem), type_tag(t->elem));
		lt->union_type->variants[1] = tagged(g, simple(g, FLYTEIDL__CORE__SIMPLE_TYPE__NONE), "none");
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

static Flyteidl__Core__VariableMap *variable_map(struct gen *g, const struct fl_var *vars, uint32_t n)
{
	Flyteidl__Core__VariableMap *vm = NEW(g, Flyteidl__Core__VariableMap, FLYTEIDL__CORE__VARIABLE_MAP__INIT);
	vm->n_variables = n;
	vm->variables = fl_alloc(g->a, (n + 1) * sizeof *vm->variables);
	for (uint32_t i = 0; i < n; i++) {
		Flyteidl__Core__VariableMap__VariablesEntry *e =
			NEW(g, Flyteidl__Core__VariableMap__VariablesEntry, FLYTEIDL__CORE__VARIABLE_MAP__VARIABLES_ENTRY__INIT);
		e->key = str(g, vars[i].name);
		e->value = NEW(g, Flyteidl__Core__Variable, FLYTEIDL__CORE__VARIABLE__INIT);
		e->value->type = literal_type(g, vars[i].type);
		e->value->description = str(g, vars[i].name);
		vm->variables[i] = e;
	}
	qsort(vm->variables, n, sizeof *vm->variables, cmp_var_entry);
	return vm;
}

static Flyteidl__Core__TypedInterface *interface(struct gen *g, const struct fl_sig *s)
{
	Flyteidl__Core__TypedInterface *ti = NEW(g, Flyteidl__Core__TypedInterface, FLYTEIDL__CORE__TYPED_INTERFACE__INIT);
	ti->inputs = variable_map(g, s->in, s->nin);
	ti->outputs = variable_map(g, s->out, s->nout);
	return ti;
}

/* ---- literals --------------------------------------------------------- */

static Google__Protobuf__Duration *duration(struct gen *g, int64_t ns)
{
	Google__Protobuf__Duration *d = NEW(g, Google__Protobuf__Duration, GOOGLE__PROTOBUF__DURATION__INIT);
	d->seconds = ns / 1000000000;
	d->nanos = (int32_t)(ns % 1000000000);
	return d;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* An RFC 3339 text (validated by the checker) as a Timestamp. */
static Google__Protobuf__Timestamp *timestamp(struct gen *g, const char *s)
{
	Google__Protobuf__Timestamp *ts = NEW(g, Google__Protobuf__Timestamp, GOOGLE__PROTOBUF__TIMESTAMP__INIT);
	int64_t y = atoi(s);
	unsigned mo = (unsigned)atoi(s + 5), d = (unsigned)atoi(s + 8);
	int64_t hh = atoi(s + 11), mi = atoi(s + 14), ss = atoi(s + 17);
	const char *p = s + 19;
	int32_t nanos = 0;
	if (*p == '.') {
		int digits = 0;
		for (p++; *p >= '0' && *p <= '9'; p++, digits++)
			if (digits < 9)
				nanos = nanos * 10 + (*p - '0');
		for (; digits < 9; digits++)
			nanos *= 10;
	}
	int64_t offset = 0;
	if (*p == '+' || *p == '-') {
		offset = (atoi(p + 1) * 60 + atoi(p + 4)) * 60;
		if (*p == '-')
			offset = -offset;
	}
	ts->seconds = days_from_civil(y, mo, d) * 86400 + hh * 3600 + mi * 60 + ss - offset;
	ts->nanos = nanos;
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

static Flyteidl__Core__Literal *literal(struct gen *g, const struct fl_node *v, const struct fl_type *t);

static Flyteidl__Core__Literal *scalar_literal(struct gen *g, Flyteidl__Core__Scalar *s)
{
	Flyteidl__Core__Literal *l = NEW(g, Flyteidl__Core__Literal, FLYTEIDL__CORE__LITERAL__INIT);
	l->value_case = FLYTEIDL__CORE__LITERAL__VALUE_SCALAR;
	l->scalar = s;
	return l;
}

static Flyteidl__Core__Scalar *none_scalar(struct gen *g)
{
	Flyteidl__Core__Scalar *s = scalar_of(g, FLYTEIDL__CORE__SCALAR__VALUE_NONE_TYPE);
	s->none_type = NEW(g, Flyteidl__Core__Void, FLYTEIDL__CORE__VOID__INIT);
	return s;
}

static int cmp_lit_entry(const void *a, const void *b)
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
		p->duration = duration(g, v->ival);
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
		s->blob->metadata->type = literal_type(g, t)->blob;
		s->blob->uri = fl_strndup(g->a, v->str.bytes, v->str.len);
		return s;
	default:
		return none_scalar(g);
	}
}

static Flyteidl__Core__Literal *literal(struct gen *g, const struct fl_node *v, const struct fl_type *t)
{
	if (t->kind == FL_T_OPTIONAL) {
		if (v->kind == FL_NONE)
			return scalar_literal(g, none_scalar(g));
		Flyteidl__Core__Scalar *s = scalar_of(g, FLYTEIDL__CORE__SCALAR__VALUE_UNION);
		s->union_ = NEW(g, Flyteidl__Core__Union, FLYTEIDL__CORE__UNION__INIT);
		s->union_->value = literal(g, v, t->elem);
		s->union_->type = tagged(g, literal_type(g, t->elem), type_tag(t->elem));
		return scalar_literal(g, s);
	}
	if (t->kind == FL_T_LIST) {
		Flyteidl__Core__Literal *l = NEW(g, Flyteidl__Core__Literal, FLYTEIDL__CORE__LITERAL__INIT);
		l->value_case = FLYTEIDL__CORE__LITERAL__VALUE_COLLECTION;
		l->collection = NEW(g, Flyteidl__Core__LiteralCollection, FLYTEIDL__CORE__LITERAL_COLLECTION__INIT);
		l->collection->n_literals = v->list.count;
		l->collection->literals = fl_alloc(g->a, (v->list.count + 1) * sizeof(void *));
		size_t i = 0;
		for (const struct fl_node *e = v->list.head; e != NULL; e = e->next)
			l->collection->literals[i++] = literal(g, e, t->elem);
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
			en->value = literal(g, e->pair.value, t->elem);
			l->map->literals[i++] = en;
		}
		qsort(l->map->literals, i, sizeof *l->map->literals, cmp_lit_entry);
		return l;
	}
	return scalar_literal(g, scalar(g, v, t));
}

/* ---- tasks ------------------------------------------------------------ */

/* Options with those of `over` taking precedence field by field. */
static struct fl_options merge_options(const struct fl_options *base, const struct fl_options *over)
{
	struct fl_options r = *base;
	if (over->has_retries)
		r.has_retries = true, r.retries = over->retries;
	if (over->has_timeout)
		r.has_timeout = true, r.timeout_ns = over->timeout_ns;
	if (over->cache)
		r.cache = over->cache;
	if (over->has_interruptible)
		r.has_interruptible = true, r.interruptible = over->interruptible;
	if (over->nrequests)
		r.requests = over->requests, r.nrequests = over->nrequests;
	if (over->nlimits)
		r.limits = over->limits, r.nlimits = over->nlimits;
	if (over->nenv)
		r.env = over->env, r.nenv = over->nenv;
	if (over->image)
		r.image = over->image;
	return r;
}

static Flyteidl__Core__RetryStrategy *retries(struct gen *g, const struct fl_options *o)
{
	Flyteidl__Core__RetryStrategy *r = NEW(g, Flyteidl__Core__RetryStrategy, FLYTEIDL__CORE__RETRY_STRATEGY__INIT);
	if (o->has_retries)
		r->retries = (uint32_t)o->retries;
	return r;
}

static Flyteidl__Core__TaskMetadata *task_metadata(struct gen *g, const struct fl_options *o)
{
	Flyteidl__Core__TaskMetadata *md = NEW(g, Flyteidl__Core__TaskMetadata, FLYTEIDL__CORE__TASK_METADATA__INIT);
	md->runtime = NEW(g, Flyteidl__Core__RuntimeMetadata, FLYTEIDL__CORE__RUNTIME_METADATA__INIT);
	md->runtime->type = FLYTEIDL__CORE__RUNTIME_METADATA__RUNTIME_TYPE__FLYTE_SDK;
	md->runtime->version = str(g, PACKAGE_VERSION);
	md->runtime->flavor = str(g, "c");
	if (o->has_timeout)
		md->timeout = duration(g, o->timeout_ns);
	md->retries = retries(g, o);
	if (o->cache) {
		md->discoverable = true;
		md->discovery_version = str(g, o->cache);
	}
	if (o->has_interruptible) {
		md->interruptible_value_case = FLYTEIDL__CORE__TASK_METADATA__INTERRUPTIBLE_VALUE_INTERRUPTIBLE;
		md->interruptible = o->interruptible;
	}
	md->generates_deck = NEW(g, Google__Protobuf__BoolValue, GOOGLE__PROTOBUF__BOOL_VALUE__INIT);
	md->metadata = NEW(g, Flyteidl__Core__K8sObjectMetadata, FLYTEIDL__CORE__K8S_OBJECT_METADATA__INIT);
	return md;
}

/* Entries in flytekit's order: EPHEMERAL_STORAGE, CPU, GPU, MEMORY. */
static Flyteidl__Core__Resources__ResourceEntry **resource_entries(struct gen *g, const struct fl_kv *kv, uint32_t n,
								   size_t *count)
{
	static const struct {
		const char *key;
		Flyteidl__Core__Resources__ResourceName name;
	} order[] = {
		{"ephemeral_storage", FLYTEIDL__CORE__RESOURCES__RESOURCE_NAME__EPHEMERAL_STORAGE},
		{"cpu", FLYTEIDL__CORE__RESOURCES__RESOURCE_NAME__CPU},
		{"gpu", FLYTEIDL__CORE__RESOURCES__RESOURCE_NAME__GPU},
		{"mem", FLYTEIDL__CORE__RESOURCES__RESOURCE_NAME__MEMORY},
	};
	Flyteidl__Core__Resources__ResourceEntry **es = fl_alloc(g->a, (n + 1) * sizeof *es);
	size_t k = 0;
	for (size_t i = 0; i < FL_ARRAY_LEN(order); i++) {
		for (uint32_t j = 0; j < n; j++) {
			if (strcmp(kv[j].key, order[i].key) != 0)
				continue;
			Flyteidl__Core__Resources__ResourceEntry *e =
				NEW(g, Flyteidl__Core__Resources__ResourceEntry, FLYTEIDL__CORE__RESOURCES__RESOURCE_ENTRY__INIT);
			e->name = order[i].name;
			e->value = str(g, kv[j].value);
			es[k++] = e;
		}
	}
	*count = k;
	return es;
}

static Flyteidl__Core__Resources *resources(struct gen *g, const struct fl_options *o)
{
	Flyteidl__Core__Resources *r = NEW(g, Flyteidl__Core__Resources, FLYTEIDL__CORE__RESOURCES__INIT);
	r->requests = resource_entries(g, o->requests, o->nrequests, &r->n_requests);
	r->limits = resource_entries(g, o->limits, o->nlimits, &r->n_limits);
	return r;
}

/* The container's argv: the task executable and Flyte's placeholders. */
static Flyteidl__Core__Container *container(struct gen *g, const struct fl_options *o, const char *task, bool map,
					    const char *bound, bool legacy)
{
	Flyteidl__Core__Container *ct = NEW(g, Flyteidl__Core__Container, FLYTEIDL__CORE__CONTAINER__INIT);
	ct->image = str(g, o->image ? o->image : g->image);
	const char *args[24];
	size_t n = 0;
	args[n++] = g->entrypoint;
	args[n++] = map ? "map-execute" : "execute";
	args[n++] = "--inputs";
	args[n++] = "{{.input}}";
	args[n++] = "--output-prefix";
	args[n++] = "{{.outputPrefix}}";
	args[n++] = "--raw-output-data-prefix";
	args[n++] = "{{.rawOutputDataPrefix}}";
	args[n++] = "--checkpoint-path";
	args[n++] = "{{.checkpointOutputPrefix}}";
	args[n++] = "--prev-checkpoint";
	args[n++] = "{{.prevCheckpointPrefix}}";
	args[n++] = "--task";
	args[n++] = task;
	if (map) {
		args[n++] = "--bound";
		args[n++] = bound;
		if (legacy)
			args[n++] = "--legacy";
	}
	ct->n_args = n;
	ct->args = fl_alloc(g->a, n * sizeof *ct->args);
	for (size_t i = 0; i < n; i++)
		ct->args[i] = str(g, args[i]);
	ct->resources = resources(g, o);
	ct->n_env = o->nenv;
	ct->env = fl_alloc(g->a, (o->nenv + 1) * sizeof *ct->env);
	for (uint32_t i = 0; i < o->nenv; i++) {
		ct->env[i] = NEW(g, Flyteidl__Core__KeyValuePair, FLYTEIDL__CORE__KEY_VALUE_PAIR__INIT);
		ct->env[i]->key = str(g, o->env[i].key);
		ct->env[i]->value = str(g, o->env[i].value);
	}
	return ct;
}

static Flyteidl__Admin__DescriptionEntity *description(struct gen *g)
{
	Flyteidl__Admin__DescriptionEntity *d =
		NEW(g, Flyteidl__Admin__DescriptionEntity, FLYTEIDL__ADMIN__DESCRIPTION_ENTITY__INIT);
	d->long_description = NEW(g, Flyteidl__Admin__Description, FLYTEIDL__ADMIN__DESCRIPTION__INIT);
	d->long_description->format = FLYTEIDL__ADMIN__DESCRIPTION_FORMAT__DESCRIPTION_FORMAT_RST;
	return d;
}

/* ---- the artifacts so far, by kind and name ---------------------------- */

static uint32_t artifact_hash(enum fl_artifact_kind kind, const char *name)
{
	uint32_t h = 2166136261u ^ (uint32_t)kind;  /* FNV-1a */
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 16777619u;
	return h;
}

/* The slot of (kind, name): where it is, or the empty slot where it would go. */
static uint32_t *artifact_slot(const struct gen *g, enum fl_artifact_kind kind, const char *name)
{
	uint32_t mask = g->nslots - 1;
	for (uint32_t i = artifact_hash(kind, name) & mask;; i = (i + 1) & mask) {
		uint32_t *s = &g->slots[i];
		if (*s == 0)
			return s;
		const struct fl_artifact *it = &g->items[*s - 1];
		if (it->kind == kind && strcmp(it->name, name) == 0)
			return s;
	}
}

/* The index of the artifact (kind, name), or -1. */
static int64_t find_artifact(const struct gen *g, enum fl_artifact_kind kind, const char *name)
{
	if (g->nslots == 0)
		return -1;
	uint32_t s = *artifact_slot(g, kind, name);
	return s == 0 ? -1 : (int64_t)s - 1;
}

/* Makes room for one more artifact in the hash set. */
static void reserve_slot(struct gen *g)
{
	if ((uint64_t)(g->n + 1) * 2 <= g->nslots)
		return;
	uint32_t old = g->nslots;
	uint32_t *old_slots = g->slots;
	g->nslots = old ? old * 2 : 64;
	g->slots = fl_zalloc(g->a, g->nslots * sizeof *g->slots);
	for (uint32_t i = 0; i < old; i++)
		if (old_slots[i] != 0) {
			const struct fl_artifact *it = &g->items[old_slots[i] - 1];
			*artifact_slot(g, it->kind, it->name) = old_slots[i];
		}
}

static void add(struct gen *g, enum fl_artifact_kind kind, const char *name, const ProtobufCMessage *msg)
{
	int64_t found = find_artifact(g, kind, name);
	if (found >= 0) {
		uint32_t i = (uint32_t)found;
		size_t len = protobuf_c_message_get_packed_size(msg);
		uint8_t *buf = fl_alloc(g->a, len + 1);
		protobuf_c_message_pack(msg, buf);
		if (len != g->items[i].len || memcmp(buf, g->items[i].data, len) != 0) {
			size_t nl = strlen(name);
			bool legacy = nl < 10 || strcmp(name + nl - 10, "-arraynode") != 0;
			fl_error_noloc(g->c, "two declarations lower to the same %s name '%s' with different contents "
				       "(flytekit names %s); make them differ in one of those",
				       kind == FL_ART_TASK ? "task" : "entity", name,
				       legacy ? "a legacy map by its task and bound input names only"
					      : "a map by its task, bound input names, concurrency and success options only");
			g->failed = true;
		}
		return;
	}
	reserve_slot(g);
	if (g->n == g->cap) {
		uint32_t ncap = g->cap ? g->cap * 2 : 32;
		g->items = fl_realloc(g->a, g->items, g->cap * sizeof *g->items, ncap * sizeof *g->items);
		g->cap = ncap;
	}
	struct fl_artifact *it = &g->items[g->n++];
	memset(it, 0, sizeof *it);
	it->kind = kind;
	it->name = name;
	it->msg = msg;
	it->len = protobuf_c_message_get_packed_size(msg);
	it->data = fl_alloc(g->a, it->len + 1);
	protobuf_c_message_pack(msg, it->data);
	*artifact_slot(g, kind, name) = g->n;
}

static bool has_artifact(const struct gen *g, enum fl_artifact_kind kind, const char *name)
{
	return find_artifact(g, kind, name) >= 0;
}

static void emit_task(struct gen *g, const struct fl_entity *e)
{
	const char *name = qualified(g, e->name);
	if (has_artifact(g, FL_ART_TASK, name))
		return;
	Flyteidl__Core__TaskTemplate *t = NEW(g, Flyteidl__Core__TaskTemplate, FLYTEIDL__CORE__TASK_TEMPLATE__INIT);
	t->id = ident(g, FLYTEIDL__CORE__RESOURCE_TYPE__TASK, name);
	t->type = str(g, "container");
	t->metadata = task_metadata(g, &e->opts);
	t->interface = interface(g, &e->sig);
	t->target_case = FLYTEIDL__CORE__TASK_TEMPLATE__TARGET_CONTAINER;
	t->container = container(g, &e->opts, name, false, NULL, false);
	Flyteidl__Admin__TaskSpec *spec = NEW(g, Flyteidl__Admin__TaskSpec, FLYTEIDL__ADMIN__TASK_SPEC__INIT);
	spec->template_ = t;
	spec->description = description(g);
	add(g, FL_ART_TASK, name, &spec->base);
}

/* ---- map names -------------------------------------------------------- */

const char *fl_py_float_repr(struct fl_arena *a, double x)
{
	char buf[40];
	int prec = 1;
	for (; prec <= 17; prec++) {
		snprintf(buf, sizeof buf, "%.*e", prec - 1, x);
		if (strtod(buf, NULL) == x)
			break;
	}
	/* buf: d.ddde[+-]XX with `prec` significant digits */
	char digits[24];
	size_t nd = 0;
	const char *p = buf;
	bool neg = *p == '-';
	if (neg)
		p++;
	for (; *p && *p != 'e'; p++)
		if (*p != '.')
			digits[nd++] = *p;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	digits[nd] = '\0';
	int exp = atoi(p + 1);
	char out[64];
	size_t k = 0;
	if (neg)
		out[k++] = '-';
	if (exp >= -5 + 1 && exp < 16) {
		/* fixed notation, at least one digit after the point */
		if (exp < 0) {
			out[k++] = '0';
			out[k++] = '.';
			for (int i = -1; i > exp; i--)
				out[k++] = '0';
			for (size_t i = 0; i < nd; i++)
				out[k++] = digits[i];
		} else {
			for (int i = 0; i <= exp; i++)
				out[k++] = (size_t)i < nd ? digits[i] : '0';
			out[k++] = '.';
			if ((size_t)exp + 1 < nd)
				for (size_t i = (size_t)exp + 1; i < nd; i++)
					out[k++] = digits[i];
			else
				out[k++] = '0';
		}
		out[k] = '\0';
	} else {
		out[k++] = digits[0];
		if (nd > 1) {
			out[k++] = '.';
			for (size_t i = 1; i < nd; i++)
				out[k++] = digits[i];
		}
		snprintf(out + k, sizeof out - k, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
	}
	return fl_strndup(a, out, strlen(out));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The bound input names, sorted. */
static const char **bound_names(struct fl_arena *a, const struct fl_entity *map, size_t *n)
{
	const char **names = fl_alloc(a, (map->sig.nin + 1) * sizeof *names);
	size_t k = 0;
	for (uint32_t i = 0; i < map->sig.nin; i++)
		if (map->sig.in[i].bound)
			names[k++] = map->sig.in[i].name;
	qsort(names, k, sizeof *names, cmp_str);
	*n = k;
	return names;
}

static const char *joined(struct fl_arena *a, const char **names, size_t n)
{
	/* in one piece: joining one name at a time copies the string n times */
	size_t len = 0;
	for (size_t i = 0; i < n; i++)
		len += strlen(names[i]) + 1;
	char *s = fl_alloc(a, len + 1), *p = s;
	for (size_t i = 0; i < n; i++) {
		if (i)
			*p++ = ',';
		size_t k = strlen(names[i]);
		memcpy(p, names[i], k);
		p += k;
	}
	*p = '\0';
	return s;
}

static const char *md5_hex(struct fl_arena *a, const char *s)
{
	MD5_CTX ctx;
	uint8_t d[16];
	MD5Init(&ctx);
	MD5Update(&ctx, (const uint8_t *)s, strlen(s));
	MD5Final(d, &ctx);
	char hex[33];
	for (int i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	return fl_strndup(a, hex, 32);
}

const char *fl_map_task_name(struct fl_arena *a, const char *module, const struct fl_entity *map)
{
	const struct fl_map_info *mi = &map->map;
	size_t nb;
	const char **bound = bound_names(a, map, &nb);
	const char *sorted = joined(a, bound, nb);
	const char *task = mi->target->name;
	if (mi->legacy)
		return fl_sprintf(a, "%s.map_%s_%s", module, task, md5_hex(a, sorted));
	/* flytekit: md5(f"{bound}{concurrency}{min_successes}{min_success_ratio}"),
	 * each with Python's str(); map_task's default ratio is 1.0 */
	const char *conc = mi->has_concurrency ? fl_sprintf(a, "%u", mi->concurrency) : "None";
	const char *mins = mi->has_min_successes ? fl_sprintf(a, "%" PRId64, mi->min_successes) : "None";
	const char *ratio = !mi->has_ratio ? "1.0"
			  : mi->ratio_is_int ? fl_sprintf(a, "%d", (int)mi->ratio)
			  : fl_py_float_repr(a, mi->ratio);
	const char *h = md5_hex(a, fl_sprintf(a, "%s%s%s%s", sorted, conc, mins, ratio));
	return fl_sprintf(a, "%s.map_%s_%s-arraynode", module, task, h);
}

/* The options each element of a map runs with: the task's, overridden by
 * the map's per-element options. */
static struct fl_options map_element_options(const struct fl_entity *map)
{
	return merge_options(&map->map.target->opts, &map->map.elem);
}

/* What a float32 field becomes in flytekit's MessageToDict: the shortest
 * decimal that reads back as the same float32 (protobuf's ToShortestFloat),
 * as a double: 0.271828 stays 0.271828, 0.1234567891 becomes 0.12345679. */
static double float32_json(double x)
{
	float f = (float)x;
	char buf[32];
	for (int prec = 6; prec <= 9; prec++) {
		snprintf(buf, sizeof buf, "%.*g", prec, (double)f);
		if ((float)strtod(buf, NULL) == f)
			break;
	}
	return strtod(buf, NULL);
}

static Google__Protobuf__Value *struct_value(struct gen *g)
{
	return NEW(g, Google__Protobuf__Value, GOOGLE__PROTOBUF__VALUE__INIT);
}

/* A legacy map's custom: the ArrayJob as protobuf JSON, as a Struct. */
static Google__Protobuf__Struct *array_job(struct gen *g, const struct fl_map_info *mi)
{
	Google__Protobuf__Struct *s = NEW(g, Google__Protobuf__Struct, GOOGLE__PROTOBUF__STRUCT__INIT);
	s->fields = fl_alloc(g->a, 2 * sizeof *s->fields);
	/* keys in sorted order: minSuccessRatio, parallelism */
	Google__Protobuf__Struct__FieldsEntry *r =
		NEW(g, Google__Protobuf__Struct__FieldsEntry, GOOGLE__PROTOBUF__STRUCT__FIELDS_ENTRY__INIT);
	r->key = str(g, "minSuccessRatio");
	r->value = struct_value(g);
	r->value->kind_case = GOOGLE__PROTOBUF__VALUE__KIND_NUMBER_VALUE;
	/* the ratio passes through ArrayJob's float32 on its way to flytekit's JSON */
	r->value->number_value = float32_json(mi->has_ratio ? mi->ratio : 1.0);
	s->fields[s->n_fields++] = r;
	if (mi->has_concurrency && mi->concurrency > 0) {
		Google__Protobuf__Struct__FieldsEntry *p =
			NEW(g, Google__Protobuf__Struct__FieldsEntry, GOOGLE__PROTOBUF__STRUCT__FIELDS_ENTRY__INIT);
		p->key = str(g, "parallelism");
		p->value = struct_value(g);
		p->value->kind_case = GOOGLE__PROTOBUF__VALUE__KIND_STRING_VALUE;
		p->value->string_value = fl_sprintf(g->a, "%u", mi->concurrency);
		s->fields[s->n_fields++] = p;
	}
	return s;
}

static void emit_map_task(struct gen *g, const struct fl_entity *map)
{
	if (map->map.target->kind != FL_E_TASK)
		return;  /* a map over a launch plan has no task of its own */
	const char *name = fl_map_task_name(g->a, g->m->name, map);
	const struct fl_map_info *mi = &map->map;
	struct fl_options o = map_element_options(map);
	size_t nb;
	const char **bound = bound_names(g->a, map, &nb);
	Flyteidl__Core__TaskTemplate *t = NEW(g, Flyteidl__Core__TaskTemplate, FLYTEIDL__CORE__TASK_TEMPLATE__INIT);
	t->id = ident(g, FLYTEIDL__CORE__RESOURCE_TYPE__TASK, name);
	t->type = str(g, mi->legacy ? "container_array" : "container");
	t->task_type_version = 1;
	t->metadata = task_metadata(g, &o);
	t->interface = interface(g, &map->sig);
	if (mi->legacy)
		t->custom = array_job(g, mi);
	t->target_case = FLYTEIDL__CORE__TASK_TEMPLATE__TARGET_CONTAINER;
	t->container = container(g, &o, qualified(g, mi->target->name), true, joined(g->a, bound, nb), mi->legacy);
	Flyteidl__Admin__TaskSpec *spec = NEW(g, Flyteidl__Admin__TaskSpec, FLYTEIDL__ADMIN__TASK_SPEC__INIT);
	spec->template_ = t;
	add(g, FL_ART_TASK, name, &spec->base);
}

/* ---- workflows -------------------------------------------------------- */

struct upstream {
	const char **ids;
	size_t n, cap;
	const char **set;  /* the ids again, hashed, once there are many */
	size_t set_cap;
};

static size_t str_hash(const char *s)
{
	size_t h = 14695981039346656037ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* The set's slot for id: where it is, or the empty one where it goes. */
static size_t upstream_slot(const struct upstream *u, const char *id)
{
	size_t i = str_hash(id) & (u->set_cap - 1);
	while (u->set[i] != NULL && strcmp(u->set[i], id) != 0)
		i = (i + 1) & (u->set_cap - 1);
	return i;
}

static void note_upstream(struct gen *g, struct upstream *u, const char *id)
{
	enum { SMALL = 16 };  /* a search is as fast below this */
	if (u->n >= SMALL && u->set_cap < 2 * (u->n + 1)) {
		size_t ncap = 64;
		while (ncap < 4 * (u->n + 1))
			ncap *= 2;
		u->set = fl_zalloc(g->a, ncap * sizeof *u->set);
		u->set_cap = ncap;
		for (size_t i = 0; i < u->n; i++)
			u->set[upstream_slot(u, u->ids[i])] = u->ids[i];
	}
	if (u->set_cap > 0) {
		size_t slot = upstream_slot(u, id);
		if (u->set[slot] != NULL)
			return;
		u->set[slot] = id;
	} else {
		for (size_t i = 0; i < u->n; i++)
			if (strcmp(u->ids[i], id) == 0)
				return;
	}
	if (u->n == u->cap) {
		size_t ncap = u->cap ? u->cap * 2 : 4;
		u->ids = fl_realloc(g->a, u->ids, u->cap * sizeof *u->ids, ncap * sizeof *u->ids);
		u->cap = ncap;
	}
	u->ids[u->n++] = id;
}

static const char *node_id(struct gen *g, const struct fl_wf_node *n)
{
	return fl_sprintf(g->a, "n%u", n->index);
}

static Flyteidl__Core__BindingData *binding_data(struct gen *g, const struct fl_node *v, const struct fl_type *t,
						 struct upstream *u);

static Flyteidl__Core__BindingData *promise(struct gen *g, const char *node, const char *var)
{
	Flyteidl__Core__BindingData *b = NEW(g, Flyteidl__Core__BindingData, FLYTEIDL__CORE__BINDING_DATA__INIT);
	b->value_case = FLYTEIDL__CORE__BINDING_DATA__VALUE_PROMISE;
	b->promise = NEW(g, Flyteidl__Core__OutputReference, FLYTEIDL__CORE__OUTPUT_REFERENCE__INIT);
	b->promise->node_id = str(g, node);
	b->promise->var = str(g, var);
	return b;
}

static bool all_literal(const struct fl_node *v)
{
	switch (v->kind) {
	case FL_INT: case FL_FLOAT: case FL_STRING: case FL_BOOL: case FL_NONE: case FL_DURATION:
		return true;
	case FL_LIST:
		for (const struct fl_node *e = v->list.head; e != NULL; e = e->next)
			if (!all_literal(e))
				return false;
		return true;
	case FL_DICT:
		for (const struct fl_node *e = v->list.head; e != NULL; e = e->next)
			if (!all_literal(e->pair.value))
				return false;
		return true;
	case FL_MEMBER:
		return v->sema == NULL;  /* an enum member */
	default:
		return false;
	}
}

static int cmp_binding_entry(const void *a, const void *b)
{
	return strcmp((*(Flyteidl__Core__BindingDataMap__BindingsEntry *const *)a)->key,
		      (*(Flyteidl__Core__BindingDataMap__BindingsEntry *const *)b)->key);
}

/* The list or dict type a literal of that shape binds to: t itself, or the
 * element of an optional t. */
static const struct fl_type *container_type(const struct fl_type *t, enum fl_type_kind kind)
{
	if (t->kind == FL_T_OPTIONAL)
		t = t->elem;
	return t->kind == kind ? t : NULL;
}

/* A value bound to an input of type t, as flytekit's
 * binding_data_from_python_std makes it: a list literal is a collection and
 * a dict literal a map (sorted by key), each element bound on its own (so
 * literals and workflow values may mix); another literal is a scalar; a
 * workflow value is a promise. */
static Flyteidl__Core__BindingData *binding_data(struct gen *g, const struct fl_node *v, const struct fl_type *t,
						 struct upstream *u)
{
	const struct fl_type *ct;
	if (v->kind == FL_LIST && (ct = container_type(t, FL_T_LIST)) != NULL) {
		Flyteidl__Core__BindingData *b = NEW(g, Flyteidl__Core__BindingData, FLYTEIDL__CORE__BINDING_DATA__INIT);
		b->value_case = FLYTEIDL__CORE__BINDING_DATA__VALUE_COLLECTION;
		b->collection = NEW(g, Flyteidl__Core__BindingDataCollection, FLYTEIDL__CORE__BINDING_DATA_COLLECTION__INIT);
		b->collection->n_bindings = v->list.count;
		b->collection->bindings = fl_alloc(g->a, (v->list.count + 1) * sizeof(void *));
		size_t i = 0;
		for (const struct fl_node *e = v->list.head; e != NULL; e = e->next)
			b->collection->bindings[i++] = binding_data(g, e, ct->elem, u);
		return b;
	}
	if (v->kind == FL_DICT && (ct = container_type(t, FL_T_DICT)) != NULL) {
		Flyteidl__Core__BindingData *b = NEW(g, Flyteidl__Core__BindingData, FLYTEIDL__CORE__BINDING_DATA__INIT);
		b->value_case = FLYTEIDL__CORE__BINDING_DATA__VALUE_MAP;
		b->map = NEW(g, Flyteidl__Core__BindingDataMap, FLYTEIDL__CORE__BINDING_DATA_MAP__INIT);
		b->map->bindings = fl_alloc(g->a, (v->list.count + 1) * sizeof(void *));
		size_t i = 0;
		for (const struct fl_node *e = v->list.head; e != NULL; e = e->next) {
			Flyteidl__Core__BindingDataMap__BindingsEntry *en =
				NEW(g, Flyteidl__Core__BindingDataMap__BindingsEntry, FLYTEIDL__CORE__BINDING_DATA_MAP__BINDINGS_ENTRY__INIT);
			en->key = fl_strndup(g->a, e->pair.key->str.bytes, e->pair.key->str.len);
			en->value = binding_data(g, e->pair.value, ct->elem, u);
			b->map->bindings[i++] = en;
		}
		b->map->n_bindings = i;
		qsort(b->map->bindings, i, sizeof *b->map->bindings, cmp_binding_entry);
		return b;
	}
	if (all_literal(v)) {
		Flyteidl__Core__BindingData *b = NEW(g, Flyteidl__Core__BindingData, FLYTEIDL__CORE__BINDING_DATA__INIT);
		b->value_case = FLYTEIDL__CORE__BINDING_DATA__VALUE_SCALAR;
		b->scalar = literal(g, v, t)->scalar;
		return b;
	}
	if (v->kind == FL_CALL || v->kind == FL_WITH) {
		const struct fl_wf_node *n = v->kind == FL_CALL ? v->sema : v->with.call->sema;
		const char *id = node_id(g, n);
		note_upstream(g, u, id);
		return promise(g, id, n->target->sig.out[0].name);
	}
	const struct fl_wf_value *val = v->sema;
	if (val->input >= 0)  /* by the input's name: val may be an alias (`m = n`) */
		return promise(g, "", g->wf->sig.in[val->input].name);
	const char *id = node_id(g, val->node);
	note_upstream(g, u, id);
	return promise(g, id, val->node->target->sig.out[val->output >= 0 ? val->output : 0].name);
}

static int cmp_binding(const void *a, const void *b)
{
	return strcmp((*(Flyteidl__Core__Binding *const *)a)->var, (*(Flyteidl__Core__Binding *const *)b)->var);
}

/* Node metadata as flytekit's construct_node_metadata makes it: name,
 * timeout, retries, interruptible; cache only from a `with { }` override
 * (`cache`: whether o's cache setting came from one). */
static Flyteidl__Core__NodeMetadata *node_metadata(struct gen *g, const char *name, const struct fl_options *o,
						   bool cache)
{
	Flyteidl__Core__NodeMetadata *md = NEW(g, Flyteidl__Core__NodeMetadata, FLYTEIDL__CORE__NODE_METADATA__INIT);
	md->name = str(g, name);
	md->retries = retries(g, o);
	if (o->has_timeout)
		md->timeout = duration(g, o->timeout_ns);
	if (o->has_interruptible) {
		md->interruptible_value_case = FLYTEIDL__CORE__NODE_METADATA__INTERRUPTIBLE_VALUE_INTERRUPTIBLE;
		md->interruptible = o->interruptible;
	}
	if (o->cache && cache) {
		md->cacheable_value_case = FLYTEIDL__CORE__NODE_METADATA__CACHEABLE_VALUE_CACHEABLE;
		md->cacheable = true;
		md->cache_version_value_case = FLYTEIDL__CORE__NODE_METADATA__CACHE_VERSION_VALUE_CACHE_VERSION;
		md->cache_version = str(g, o->cache);
	}
	return md;
}

/* Node-level overrides from `with { }`: retries, timeout, interruptible and
 * cache go to the node metadata; resources and image to the task node. */
static Flyteidl__Core__TaskNodeOverrides *overrides(struct gen *g, const struct fl_wf_node *n)
{
	Flyteidl__Core__TaskNodeOverrides *ov = NEW(g, Flyteidl__Core__TaskNodeOverrides, FLYTEIDL__CORE__TASK_NODE_OVERRIDES__INIT);
	if (n->has_overrides && (n->overrides.nrequests || n->overrides.nlimits))
		ov->resources = resources(g, &n->overrides);
	if (n->has_overrides && n->overrides.image)
		ov->container_image = str(g, n->overrides.image);
	return ov;
}

static Flyteidl__Core__Node *task_node(struct gen *g, const char *id, const char *task, Flyteidl__Core__NodeMetadata *md,
				       Flyteidl__Core__Binding **in, size_t nin, const struct fl_wf_node *n)
{
	Flyteidl__Core__Node *node = NEW(g, Flyteidl__Core__Node, FLYTEIDL__CORE__NODE__INIT);
	node->id = str(g, id);
	node->metadata = md;
	node->n_inputs = nin;
	node->inputs = in;
	node->target_case = FLYTEIDL__CORE__NODE__TARGET_TASK_NODE;
	node->task_node = NEW(g, Flyteidl__Core__TaskNode, FLYTEIDL__CORE__TASK_NODE__INIT);
	node->task_node->reference_case = FLYTEIDL__CORE__TASK_NODE__REFERENCE_REFERENCE_ID;
	node->task_node->reference_id = ident(g, FLYTEIDL__CORE__RESOURCE_TYPE__TASK, task);
	node->task_node->overrides = overrides(g, n);
	return node;
}

struct wf_state {
	const struct fl_entity **subs;  /* sub-workflows used, recursively */
	size_t nsubs, cap;
};

static void add_sub(struct gen *g, struct wf_state *ws, const struct fl_entity *w);

static Flyteidl__Core__Node *lower_node(struct gen *g, struct wf_state *ws, const struct fl_wf_node *n)
{
	const struct fl_entity *t = n->target;
	const struct fl_sig *s = &t->sig;
	struct upstream up = {0};
	/* bindings: the call's arguments, and a map's partial values */
	Flyteidl__Core__Binding **in = fl_alloc(g->a, (s->nin + 1) * sizeof *in);
	size_t nin = 0;
	for (uint32_t i = 0; i < s->nin; i++) {
		const struct fl_node *v = n->args[i];
		const struct fl_type *ty = s->in[i].type;
		if (v == NULL && s->in[i].bound)
			v = s->in[i].bound_value;
		if (v == NULL && s->in[i].dflt != NULL && t->kind != FL_E_LAUNCHPLAN)
			v = s->in[i].dflt;  /* flytekit binds a task's defaults at the call */
		if (v == NULL)
			continue;  /* optional, or a launch plan default */
		Flyteidl__Core__Binding *b = NEW(g, Flyteidl__Core__Binding, FLYTEIDL__CORE__BINDING__INIT);
		b->var = str(g, s->in[i].name);
		b->binding = binding_data(g, v, ty, &up);
		in[nin++] = b;
	}
	qsort(in, nin, sizeof *in, cmp_binding);
	const char *id = node_id(g, n);
	Flyteidl__Core__Node *node;
	struct fl_options none_opts = {0};
	const struct fl_options *ovr = n->has_overrides ? &n->overrides : &none_opts;
	if (t->kind == FL_E_TASK) {
		struct fl_options o = merge_options(&t->opts, ovr);
		node = task_node(g, id, qualified(g, t->name), node_metadata(g, short_name(t->name), &o, ovr->cache != NULL), in, nin, n);
	} else if (t->kind == FL_E_MAP && t->map.legacy) {
		const char *name = fl_map_task_name(g->a, g->m->name, t);
		struct fl_options o = merge_options(&t->map.target->opts, &t->map.elem);
		o = merge_options(&o, ovr);
		node = task_node(g, id, name, node_metadata(g, short_name(name), &o, ovr->cache != NULL), in, nin, n);
	} else if (t->kind == FL_E_MAP) {
		const struct fl_map_info *mi = &t->map;
		bool over_lp = mi->target->kind == FL_E_LAUNCHPLAN;
		const char *name = over_lp ? qualified(g, mi->target->name) : fl_map_task_name(g->a, g->m->name, t);
		node = NEW(g, Flyteidl__Core__Node, FLYTEIDL__CORE__NODE__INIT);
		node->id = str(g, id);
		node->n_inputs = nin;
		node->inputs = in;
		node->target_case = FLYTEIDL__CORE__NODE__TARGET_ARRAY_NODE;
		Flyteidl__Core__ArrayNode *an = NEW(g, Flyteidl__Core__ArrayNode, FLYTEIDL__CORE__ARRAY_NODE__INIT);
		node->array_node = an;
		struct fl_options o = over_lp ? *ovr : merge_options(&mi->target->opts, &mi->elem);
		if (!over_lp)
			o = merge_options(&o, ovr);
		if (over_lp) {
			/* the sub-node shares the outer node's metadata (flytekit's ArrayNode) */
			node->metadata = node_metadata(g, name, &o, ovr->cache != NULL);
			Flyteidl__Core__Node *sub = NEW(g, Flyteidl__Core__Node, FLYTEIDL__CORE__NODE__INIT);
			sub->id = dnsify(g, name);
			sub->metadata = node->metadata;
			sub->n_inputs = nin;
			sub->inputs = in;
			sub->target_case = FLYTEIDL__CORE__NODE__TARGET_WORKFLOW_NODE;
			sub->workflow_node = NEW(g, Flyteidl__Core__WorkflowNode, FLYTEIDL__CORE__WORKFLOW_NODE__INIT);
			sub->workflow_node->reference_case = FLYTEIDL__CORE__WORKFLOW_NODE__REFERENCE_LAUNCHPLAN_REF;
			sub->workflow_node->launchplan_ref = ident(g, FLYTEIDL__CORE__RESOURCE_TYPE__LAUNCH_PLAN, name);
			an->node = sub;
			an->execution_mode = FLYTEIDL__CORE__ARRAY_NODE__EXECUTION_MODE__FULL_STATE;
		} else {
			node->metadata = node_metadata(g, name, &none_opts, false);
			an->node = task_node(g, name, name, node_metadata(g, name, &o, ovr->cache != NULL), in, nin, n);
		}
		an->is_original_sub_node_interface = NEW(g, Google__Protobuf__BoolValue, GOOGLE__PROTOBUF__BOOL_VALUE__INIT);
		an->is_original_sub_node_interface->value = over_lp;
		if (mi->has_concurrency) {
			an->parallelism_option_case = FLYTEIDL__CORE__ARRAY_NODE__PARALLELISM_OPTION_PARALLELISM;
			an->parallelism = mi->concurrency;
		}
		if (mi->has_min_successes) {
			an->success_criteria_case = FLYTEIDL__CORE__ARRAY_NODE__SUCCESS_CRITERIA_MIN_SUCCESSES;
			an->min_successes = (uint32_t)mi->min_successes;
		} else {
			an->success_criteria_case = FLYTEIDL__CORE__ARRAY_NODE__SUCCESS_CRITERIA_MIN_SUCCESS_RATIO;
			an->min_success_ratio = mi->has_ratio ? (float)mi->ratio : 1.0f;
		}
		size_t nb;
		const char **bound = bound_names(g->a, t, &nb);
		an->n_bound_inputs = nb;
		an->bound_inputs = fl_alloc(g->a, (nb + 1) * sizeof(char *));
		for (size_t i = 0; i < nb; i++)
			an->bound_inputs[i] = str(g, bound[i]);
	} else {
		/* a workflow (inlined as a sub-workflow) or a launch plan: flytekit's
		 * node metadata is the workflow's (LaunchPlan.construct_node_metadata
		 * defers to its workflow): its short name, and interruptible from its
		 * metadata_defaults, written even when false */
		node = NEW(g, Flyteidl__Core__Node, FLYTEIDL__CORE__NODE__INIT);
		node->id = str(g, id);
		struct fl_options o = *ovr;
		const struct fl_entity *wf = t->kind == FL_E_LAUNCHPLAN ? t->lp.workflow : t;
		node->metadata = node_metadata(g, short_name(wf->name), &o, ovr->cache != NULL);
		node->metadata->interruptible_value_case = FLYTEIDL__CORE__NODE_METADATA__INTERRUPTIBLE_VALUE_INTERRUPTIBLE;
		node->metadata->interruptible = o.has_interruptible && o.interruptible;
		node->n_inputs = nin;
		node->inputs = in;
		node->target_case = FLYTEIDL__CORE__NODE__TARGET_WORKFLOW_NODE;
		node->workflow_node = NEW(g, Flyteidl__Core__WorkflowNode, FLYTEIDL__CORE__WORKFLOW_NODE__INIT);
		if (t->kind == FL_E_WORKFLOW) {
			node->workflow_node->reference_case = FLYTEIDL__CORE__WORKFLOW_NODE__REFERENCE_SUB_WORKFLOW_REF;
			node->workflow_node->sub_workflow_ref = ident(g, FLYTEIDL__CORE__RESOURCE_TYPE__WORKFLOW,
								      qualified(g, t->name));
			add_sub(g, ws, t);
		} else {
			node->workflow_node->reference_case = FLYTEIDL__CORE__WORKFLOW_NODE__REFERENCE_LAUNCHPLAN_REF;
			node->workflow_node->launchplan_ref = ident(g, FLYTEIDL__CORE__RESOURCE_TYPE__LAUNCH_PLAN,
								    qualified(g, t->name));
		}
	}
	if (up.n > 1)  /* up.ids is NULL when there is none */
		qsort(up.ids, up.n, sizeof *up.ids, cmp_str);
	node->n_upstream_node_ids = up.n;
	node->upstream_node_ids = fl_alloc(g->a, (up.n + 1) * sizeof(char *));
	for (size_t i = 0; i < up.n; i++)
		node->upstream_node_ids[i] = str(g, up.ids[i]);
	return node;
}

static Flyteidl__Core__WorkflowTemplate *workflow_template(struct gen *g, struct wf_state *ws, const struct fl_entity *w)
{
	const struct fl_entity *outer = g->wf;
	g->wf = w;
	Flyteidl__Core__WorkflowTemplate *t = NEW(g, Flyteidl__Core__WorkflowTemplate, FLYTEIDL__CORE__WORKFLOW_TEMPLATE__INIT);
	t->id = ident(g, FLYTEIDL__CORE__RESOURCE_TYPE__WORKFLOW, qualified(g, w->name));
	t->metadata = NEW(g, Flyteidl__Core__WorkflowMetadata, FLYTEIDL__CORE__WORKFLOW_METADATA__INIT);
	t->interface = interface(g, &w->sig);
	t->n_nodes = w->wf.nnodes;
	t->nodes = fl_alloc(g->a, (w->wf.nnodes + 1) * sizeof *t->nodes);
	for (uint32_t i = 0; i < w->wf.nnodes; i++)
		t->nodes[i] = lower_node(g, ws, w->wf.nodes[i]);
	t->n_outputs = w->sig.nout;
	t->outputs = fl_alloc(g->a, (w->sig.nout + 1) * sizeof *t->outputs);
	struct upstream ignored = {0};
	for (uint32_t i = 0; i < w->sig.nout; i++) {
		Flyteidl__Core__Binding *b = NEW(g, Flyteidl__Core__Binding, FLYTEIDL__CORE__BINDING__INIT);
		b->var = str(g, w->sig.out[i].name);
		b->binding = binding_data(g, w->wf.returns[i], w->sig.out[i].type, &ignored);
		t->outputs[i] = b;
	}
	t->metadata_defaults = NEW(g, Flyteidl__Core__WorkflowMetadataDefaults, FLYTEIDL__CORE__WORKFLOW_METADATA_DEFAULTS__INIT);
	g->wf = outer;
	return t;
}

static void add_sub(struct gen *g, struct wf_state *ws, const struct fl_entity *w)
{
	for (size_t i = 0; i < ws->nsubs; i++)
		if (ws->subs[i] == w)
			return;
	if (ws->nsubs == ws->cap) {
		size_t ncap = ws->cap ? ws->cap * 2 : 4;
		ws->subs = fl_realloc(g->a, ws->subs, ws->cap * sizeof *ws->subs, ncap * sizeof *ws->subs);
		ws->cap = ncap;
	}
	ws->subs[ws->nsubs++] = w;
}

static int cmp_template(const void *a, const void *b)
{
	return strcmp((*(Flyteidl__Core__WorkflowTemplate *const *)a)->id->name,
		      (*(Flyteidl__Core__WorkflowTemplate *const *)b)->id->name);
}

static void emit_entity(struct gen *g, const struct fl_entity *e);

static Flyteidl__Core__ParameterMap *parameters(struct gen *g, const struct fl_sig *s)
{
	Flyteidl__Core__ParameterMap *pm = NEW(g, Flyteidl__Core__ParameterMap, FLYTEIDL__CORE__PARAMETER_MAP__INIT);
	Flyteidl__Core__VariableMap *vm = variable_map(g, s->in, s->nin);
	pm->n_parameters = s->nin;
	pm->parameters = fl_alloc(g->a, (s->nin + 1) * sizeof *pm->parameters);
	for (uint32_t i = 0; i < s->nin; i++) {
		Flyteidl__Core__ParameterMap__ParametersEntry *e =
			NEW(g, Flyteidl__Core__ParameterMap__ParametersEntry, FLYTEIDL__CORE__PARAMETER_MAP__PARAMETERS_ENTRY__INIT);
		e->key = vm->variables[i]->key;
		e->value = NEW(g, Flyteidl__Core__Parameter, FLYTEIDL__CORE__PARAMETER__INIT);
		e->value->var = vm->variables[i]->value;
		int idx = fl_sig_input(s, fl_intern(g->c->names, e->key, strlen(e->key)));
		const struct fl_var *v = &s->in[idx];
		if (v->dflt != NULL) {
			e->value->behavior_case = FLYTEIDL__CORE__PARAMETER__BEHAVIOR_DEFAULT;
			e->value->default_ = literal(g, v->dflt, v->type);
		} else if (v->type->kind == FL_T_OPTIONAL) {
			e->value->behavior_case = FLYTEIDL__CORE__PARAMETER__BEHAVIOR_DEFAULT;
			e->value->default_ = scalar_literal(g, none_scalar(g));
		} else {
			e->value->behavior_case = FLYTEIDL__CORE__PARAMETER__BEHAVIOR_REQUIRED;
			e->value->required = true;
		}
		pm->parameters[i] = e;
	}
	return pm;
}

static void emit_launch_plan(struct gen *g, const char *name, const struct fl_entity *w, const struct fl_sig *s,
			     const struct fl_lp_info *lp)
{
	Flyteidl__Admin__LaunchPlan *l = NEW(g, Flyteidl__Admin__LaunchPlan, FLYTEIDL__ADMIN__LAUNCH_PLAN__INIT);
	l->id = ident(g, FLYTEIDL__CORE__RESOURCE_TYPE__LAUNCH_PLAN, name);
	Flyteidl__Admin__LaunchPlanSpec *sp = NEW(g, Flyteidl__Admin__LaunchPlanSpec, FLYTEIDL__ADMIN__LAUNCH_PLAN_SPEC__INIT);
	l->spec = sp;
	sp->workflow_id = ident(g, FLYTEIDL__CORE__RESOURCE_TYPE__WORKFLOW, qualified(g, w->name));
	sp->entity_metadata = NEW(g, Flyteidl__Admin__LaunchPlanMetadata, FLYTEIDL__ADMIN__LAUNCH_PLAN_METADATA__INIT);
	if (lp != NULL && lp->schedule != NULL) {
		Flyteidl__Admin__Schedule *sch = NEW(g, Flyteidl__Admin__Schedule, FLYTEIDL__ADMIN__SCHEDULE__INIT);
		sch->schedule_expression_case = FLYTEIDL__ADMIN__SCHEDULE__SCHEDULE_EXPRESSION_CRON_SCHEDULE;
		sch->cron_schedule = NEW(g, Flyteidl__Admin__CronSchedule, FLYTEIDL__ADMIN__CRON_SCHEDULE__INIT);
		sch->cron_schedule->schedule = str(g, lp->schedule);
		sp->entity_metadata->schedule = sch;
	}
	sp->default_inputs = parameters(g, s);
	sp->fixed_inputs = NEW(g, Flyteidl__Core__LiteralMap, FLYTEIDL__CORE__LITERAL_MAP__INIT);
	if (lp != NULL && lp->fixed != NULL) {
		const struct fl_list *f = &lp->fixed->list;
		sp->fixed_inputs->literals = fl_alloc(g->a, (f->count + 1) * sizeof(void *));
		for (const struct fl_node *b = f->head; b != NULL; b = b->next) {
			int idx = fl_sig_input(&w->sig, b->binding.name.str);
			Flyteidl__Core__LiteralMap__LiteralsEntry *en =
				NEW(g, Flyteidl__Core__LiteralMap__LiteralsEntry, FLYTEIDL__CORE__LITERAL_MAP__LITERALS_ENTRY__INIT);
			en->key = str(g, b->binding.name.str);
			en->value = literal(g, b->binding.value, w->sig.in[idx].type);
			sp->fixed_inputs->literals[sp->fixed_inputs->n_literals++] = en;
		}
		qsort(sp->fixed_inputs->literals, sp->fixed_inputs->n_literals, sizeof(void *), cmp_lit_entry);
	}
	sp->labels = NEW(g, Flyteidl__Admin__Labels, FLYTEIDL__ADMIN__LABELS__INIT);
	sp->annotations = NEW(g, Flyteidl__Admin__Annotations, FLYTEIDL__ADMIN__ANNOTATIONS__INIT);
	sp->raw_output_data_config = NEW(g, Flyteidl__Admin__RawOutputDataConfig, FLYTEIDL__ADMIN__RAW_OUTPUT_DATA_CONFIG__INIT);
	l->closure = NEW(g, Flyteidl__Admin__LaunchPlanClosure, FLYTEIDL__ADMIN__LAUNCH_PLAN_CLOSURE__INIT);
	l->closure->expected_inputs = NEW(g, Flyteidl__Core__ParameterMap, FLYTEIDL__CORE__PARAMETER_MAP__INIT);
	l->closure->expected_outputs = NEW(g, Flyteidl__Core__VariableMap, FLYTEIDL__CORE__VARIABLE_MAP__INIT);
	add(g, FL_ART_LAUNCHPLAN, name, &l->base);
}

static void emit_workflow(struct gen *g, const struct fl_entity *w)
{
	const char *name = qualified(g, w->name);
	if (has_artifact(g, FL_ART_WORKFLOW, name))
		return;
	/* dependencies first, in node order */
	for (uint32_t i = 0; i < w->wf.nnodes; i++)
		emit_entity(g, w->wf.nodes[i]->target);
	struct wf_state ws = {0};
	Flyteidl__Admin__WorkflowSpec *spec = NEW(g, Flyteidl__Admin__WorkflowSpec, FLYTEIDL__ADMIN__WORKFLOW_SPEC__INIT);
	spec->template_ = workflow_template(g, &ws, w);
	/* sub-workflows, recursively, each once, sorted by name */
	for (size_t i = 0; i < ws.nsubs; i++) {
		const struct fl_entity *sw = ws.subs[i];
		struct wf_state inner = ws;
		(void)workflow_template(g, &inner, sw);  /* collects what sw uses */
		ws = inner;
	}
	spec->n_sub_workflows = ws.nsubs;
	spec->sub_workflows = fl_alloc(g->a, (ws.nsubs + 1) * sizeof *spec->sub_workflows);
	for (size_t i = 0; i < ws.nsubs; i++) {
		struct wf_state scratch = {0};
		spec->sub_workflows[i] = workflow_template(g, &scratch, ws.subs[i]);
	}
	qsort(spec->sub_workflows, ws.nsubs, sizeof *spec->sub_workflows, cmp_template);
	spec->description = description(g);
	add(g, FL_ART_WORKFLOW, name, &spec->base);
	emit_launch_plan(g, name, w, &w->sig, NULL);
}

static void emit_entity(struct gen *g, const struct fl_entity *e)
{
	if (!e->ok)
		return;
	switch (e->kind) {
	case FL_E_TASK:
		emit_task(g, e);
		break;
	case FL_E_MAP:
		emit_entity(g, e->map.target);
		emit_map_task(g, e);
		break;
	case FL_E_WORKFLOW:
		emit_workflow(g, e);
		break;
	case FL_E_LAUNCHPLAN: {
		const char *name = qualified(g, e->name);
		if (has_artifact(g, FL_ART_LAUNCHPLAN, name))
			break;
		emit_entity(g, e->lp.workflow);
		emit_launch_plan(g, name, e->lp.workflow, &e->sig, &e->lp);
		break;
	}
	case FL_E_ENUM:
		break;
	}
}

static unsigned digits(uint32_t n)
{
	unsigned d = 1;
	while (n >= 10) {
		n /= 10;
		d++;
	}
	return d;
}

struct fl_package *fl_lower(struct fl_ctx *c, const struct fl_module *m, const struct fl_codegen_options *o)
{
	FL_PROTECT(c, saved, NULL);
	struct gen g = {.c = c, .a = c->arena, .m = m, .o = o};
	g.image = o->image ? o->image : m->image;
	g.entrypoint = o->entrypoint ? o->entrypoint : m->name;
	if (g.image == NULL) {
		bool needs = false;
		for (uint32_t i = 0; i < m->nentities; i++)
			needs |= m->entities[i]->kind == FL_E_TASK && m->entities[i]->opts.image == NULL;
		if (needs) {
			fl_error_noloc(c, "no container image: declare one (image \"registry/name:tag\") or pass --image");
			FL_UNPROTECT(c, saved);
			return NULL;
		}
		g.image = "";
	}
	for (uint32_t i = 0; i < m->nentities; i++)
		if (m->entities[i]->decl->kind != FL_MAP)  /* inline maps come with their workflow */
			emit_entity(&g, m->entities[i]);
	struct fl_package *p = FL_NEW(c->arena, struct fl_package);
	p->items = g.items;
	p->n = g.n;
	unsigned width = p->n > 0 ? digits(p->n - 1) : 1;
	for (uint32_t i = 0; i < p->n; i++)
		p->items[i].file = fl_sprintf(c->arena, "%0*u_%s_%d.pb", (int)width, i, p->items[i].name, p->items[i].kind);
	FL_UNPROTECT(c, saved);
	return g.failed ? NULL : p;
}
