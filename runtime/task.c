/* task.c: one task call (decode inputs, invoke, encode outputs), the task
 * context API of flyterun.h, error documents, map element selection. */
#include "config.h"

#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

struct flrt_ctx {
	struct rt_arena *arena;
	jmp_buf *oom;           /* where flrt_alloc goes when memory runs out */
	int64_t map_index;
	int attempt;
	bool failed;
	flrt_error_kind kind;
	char *message;
};

void *flrt_alloc(flrt_ctx *ctx, size_t size)
{
	void *p = rt_arena_zalloc(ctx->arena, size);
	if (!p)
		longjmp(*ctx->oom, 1);
	return p;
}

flrt_str flrt_strdup(flrt_ctx *ctx, const char *s)
{
	flrt_str r = { 0, "" };
	if (!s)
		return r;
	size_t n = strlen(s);
	char *p = flrt_alloc(ctx, n + 1);
	memcpy(p, s, n + 1);
	r.len = n;
	r.data = p;
	return r;
}

int flrt_fail(flrt_ctx *ctx, flrt_error_kind kind, const char *fmt, ...)
{
	if (ctx->failed)   /* the first failure is the one reported */
		return -1;
	va_list ap;
	va_start(ap, fmt);
	char *m = rt_arena_vprintf(ctx->arena, fmt ? fmt : "(no message)", ap);
	va_end(ap);
	ctx->failed = true;
	ctx->kind = kind;
	ctx->message = m ? m : "(out of memory formatting the error message)";
	return -1;
}

int64_t flrt_map_index(const flrt_ctx *ctx)
{
	return ctx->map_index;
}

int flrt_attempt(const flrt_ctx *ctx)
{
	return ctx->attempt;
}

/* ---- error documents --------------------------------------------------------------- */
int rt_error_doc(const char *code, const char *message, bool recoverable,
		  enum rt_origin origin, uint8_t **out, size_t *len)
{
	Flyteidl__Core__ErrorDocument doc = FLYTEIDL__CORE__ERROR_DOCUMENT__INIT;
	Flyteidl__Core__ContainerError ce = FLYTEIDL__CORE__CONTAINER_ERROR__INIT;
	Google__Protobuf__Timestamp ts = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	ts.seconds = now.tv_sec;
	ts.nanos = (int32_t)now.tv_nsec;
	ce.code = (char *)code;
	ce.message = (char *)(message ? message : "");
	ce.kind = recoverable ? FLYTEIDL__CORE__CONTAINER_ERROR__KIND__RECOVERABLE
			      : FLYTEIDL__CORE__CONTAINER_ERROR__KIND__NON_RECOVERABLE;
	ce.origin = (Flyteidl__Core__ExecutionError__ErrorKind)origin;
	ce.timestamp = &ts;
	doc.error = &ce;
	struct rt_msg err;
	return rt_pack(&doc.base, out, len, &err);
}

static void result_error(struct rt_result *r, const char *code, bool recoverable, enum rt_origin origin,
			 const char *message)
{
	rt_result_free(r);
	if (rt_error_doc(code, message, recoverable, origin, &r->data, &r->len) < 0) {
		r->data = NULL;
		r->len = 0;
	}
	r->cap = r->len;
}

void rt_result_system(struct rt_result *r, bool recoverable, const char *fmt, ...)
{
	char msg[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	result_error(r, RT_CODE_SYSTEM, recoverable, RT_ORIGIN_SYSTEM, msg);
}

void rt_result_free(struct rt_result *r)
{
	free(r->data);
	r->data = NULL;
	r->len = r->cap = 0;
	r->ok = false;
}

void rt_result_reset(struct rt_result *r)
{
	r->ok = false;
	r->len = 0;
}

static int cmp_entry_key(const void *x, const void *y)
{
	const Flyteidl__Core__LiteralMap__LiteralsEntry *a = *(const void *const *)x;
	const Flyteidl__Core__LiteralMap__LiteralsEntry *b = *(const void *const *)y;
	return strcmp(a->key, b->key);
}

/* ---- one call ---------------------------------------------------------------------- */
static int invoke_guarded(const flrt_task *t, flrt_ctx *ctx, const void *in, void *out,
			  bool *oom)
{
	jmp_buf jb;
	ctx->oom = &jb;
	if (setjmp(jb)) {
		*oom = true;
		return -1;
	}
	return t->invoke(ctx, in, out);
}

static bool is_task_input(const flrt_task *t, const char *name)
{
	for (size_t i = 0; i < t->ninputs; i++)
		if (strcmp(t->inputs[i].name, name) == 0)
			return true;
	return false;
}

void rt_call(const flrt_task *t, const Flyteidl__Core__LiteralMap *inputs, const struct rt_call_opts *o,
	      struct rt_arena *scratch, struct rt_result *r)
{
	struct rt_msg err;
	rt_result_reset(r);
	void *in = rt_arena_zalloc(scratch, t->inputs_size ? t->inputs_size : 1);
	void *out = rt_arena_zalloc(scratch, t->outputs_size ? t->outputs_size : 1);
	if (!in || !out) {
		rt_result_system(r, true, "out of memory for the inputs of task %s", t->name);
		return;
	}
	for (size_t i = 0; inputs && i < inputs->n_literals; i++) {
		const char *k = inputs->literals[i]->key;
		if (!is_task_input(t, k)) {
			rt_result_system(r, false, "task %s has no input '%s'", t->name, k);
			return;
		}
	}
	for (size_t i = 0; i < t->ninputs; i++) {
		const flrt_var *v = &t->inputs[i];
		const Flyteidl__Core__Literal *lit = rt_litmap_get(inputs, v->name);
		if (!lit) {
			if (v->type->kind == FLRT_OPTIONAL)
				continue;   /* zeroed: has = false */
			rt_result_system(r, false, "task %s: missing input '%s'", t->name, v->name);
			return;
		}
		struct rt_path path = { NULL, "input", v->name, 0, 0 };
		if (rt_decode(scratch, v->type, lit, (char *)in + v->offset, &path, &err) < 0) {
			rt_result_system(r, false, "task %s: %s", t->name, err.text);
			return;
		}
	}

	flrt_ctx ctx = { .arena = scratch, .map_index = o ? o->map_index : -1,
			 .attempt = o ? o->attempt : 0 };
	bool oom = false;
	int rc = invoke_guarded(t, &ctx, in, out, &oom);
	if (oom) {
		rt_result_system(r, true, "task %s ran out of memory", t->name);
		return;
	}
	if (rc != 0 || ctx.failed) {
		char buf[128];
		const char *msg = ctx.message;
		if (!ctx.failed) {
			snprintf(buf, sizeof buf, "task returned %d without calling flrt_fail", rc);
			msg = buf;
		}
		bool rec = ctx.failed && ctx.kind == FLRT_RECOVERABLE;
		result_error(r, rec ? RT_CODE_USER_RECOVERABLE : RT_CODE_USER, rec,
			     RT_ORIGIN_USER, msg);
		return;
	}

	Flyteidl__Core__LiteralMap *m = rt_litmap_new(scratch, t->noutputs);
	if (!m) {
		rt_result_system(r, true, "out of memory encoding the outputs of task %s", t->name);
		return;
	}
	for (size_t i = 0; i < t->noutputs; i++) {
		const flrt_var *v = &t->outputs[i];
		struct rt_path path = { NULL, "output", v->name, 0, 0 };
		Flyteidl__Core__Literal *lit;
		if (rt_encode(scratch, v->type, (char *)out + v->offset, &lit, &path, &err) < 0) {
			char msg[sizeof err.text + 64];
			snprintf(msg, sizeof msg, "task %s: %s", t->name, err.text);
			result_error(r, RT_CODE_USER, false, RT_ORIGIN_USER, msg);
			return;
		}
		rt_litmap_set(m, i, v->name, lit);
	}
	/* deterministic: the outputs sorted by name (the encoder sorted dicts) */
	qsort(m->literals, m->n_literals, sizeof *m->literals, cmp_entry_key);
	size_t n = protobuf_c_message_get_packed_size(&m->base);
	if (n > r->cap || !r->data) {
		uint8_t *p = realloc(r->data, n ? n : 1);
		if (!p) {
			rt_result_system(r, true, "task %s: out of memory for %zu bytes of outputs",
					  t->name, n);
			return;
		}
		r->data = p;
		r->cap = n ? n : 1;
	}
	r->len = protobuf_c_message_pack(&m->base, r->data);
	r->ok = true;
}

const flrt_task *rt_find_task(const flrt_module *m, const char *name)
{
	for (size_t i = 0; m && i < m->ntasks; i++)
		if (m->tasks[i] && strcmp(m->tasks[i]->name, name) == 0)
			return m->tasks[i];
	return NULL;
}

/* ---- map elements ------------------------------------------------------------------- */
int rt_select_element(struct rt_arena *a, const Flyteidl__Core__LiteralMap *in, char *const *bound,
		       size_t nbound, bool strict, size_t index, Flyteidl__Core__LiteralMap **out,
		       struct rt_msg *err)
{
	size_t n = in ? in->n_literals : 0;
	Flyteidl__Core__LiteralMap *m = rt_litmap_new(a, n);
	if (!m)
		return rt_msgf(err, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const char *k = in->literals[i]->key;
		Flyteidl__Core__Literal *v = in->literals[i]->value;
		bool is_bound = false;
		for (size_t j = 0; j < nbound && !is_bound; j++)
			is_bound = strcmp(bound[j], k) == 0;
		if (!is_bound && v && v->value_case == LIT(COLLECTION) && v->collection) {
			size_t len = v->collection->n_literals;
			if (index >= len)
				return rt_msgf(err, "input '%s': index %zu is out of range "
						"(the list has %zu element%s)", k, index, len,
						len == 1 ? "" : "s");
			v = v->collection->literals[index];
		} else if (!is_bound && strict) {
			return rt_msgf(err, "input '%s': expected a list to map over "
					"(it is not a bound input), found %s", k, rt_lit_kind(v));
		}
		rt_litmap_set(m, i, k, v);
	}
	*out = m;
	return 0;
}

void rt_result_failure(struct rt_arena *a, const struct rt_result *r, struct rt_failure *f)
{
	struct rt_msg err;
	f->code = RT_CODE_SYSTEM;
	f->message = "the task failed, and its error could not be recorded (out of memory)";
	f->recoverable = true;
	f->origin = RT_ORIGIN_SYSTEM;
	if (!r->data)
		return;
	Flyteidl__Core__ErrorDocument *d =
		rt_unpack(a, &flyteidl__core__error_document__descriptor, r->data, r->len, &err);
	if (!d || !d->error) {
		f->message = "the task failed with an unreadable error document";
		return;
	}
	f->code = d->error->code;
	f->message = d->error->message;
	f->recoverable = d->error->kind == FLYTEIDL__CORE__CONTAINER_ERROR__KIND__RECOVERABLE;
	f->origin = d->error->origin == FLYTEIDL__CORE__EXECUTION_ERROR__ERROR_KIND__USER
			    ? RT_ORIGIN_USER : RT_ORIGIN_SYSTEM;
}

/* ---- the generated tables ------------------------------------------------------------ */
static int check_type(const flrt_type *t, int depth, struct rt_msg *err)
{
	if (!t)
		return rt_msgf(err, "a variable without a type");
	if (depth > RT_MAX_DEPTH)
		return rt_msgf(err, "a type nested more than %d deep", RT_MAX_DEPTH);
	switch (t->kind) {
	case FLRT_INT: case FLRT_FLOAT: case FLRT_STR: case FLRT_BOOL: case FLRT_DATETIME:
	case FLRT_DURATION: case FLRT_BYTES: case FLRT_FILE: case FLRT_DIR:
		return 0;
	case FLRT_ENUM:
		if (!t->enum_count || !t->enum_names)
			return rt_msgf(err, "enum %s has no members", t->enum_name ? t->enum_name : "");
		for (size_t i = 0; i < t->enum_count; i++)
			if (!t->enum_names[i])
				return rt_msgf(err, "enum %s: member %zu has no name",
						t->enum_name ? t->enum_name : "", i);
		return 0;
	case FLRT_LIST: case FLRT_DICT: case FLRT_OPTIONAL:
		if (!t->elem)
			return rt_msgf(err, "a list, dict or optional type without an element type");
		return check_type(t->elem, depth + 1, err);
	}
	return rt_msgf(err, "unknown type kind %d", (int)t->kind);
}

static int check_vars(const flrt_var *v, size_t n, size_t size, const char *what, struct rt_msg *err)
{
	if (n && !v)
		return rt_msgf(err, "%zu %s but no table", n, what);
	for (size_t i = 0; i < n; i++) {
		if (!v[i].name)
			return rt_msgf(err, "%s %zu has no name", what, i);
		if (check_type(v[i].type, 0, err) < 0)
			return rt_msg_prefix(err, "%s '%s'", what, v[i].name);
		if (v[i].offset > size || flrt_type_size(v[i].type) > size - v[i].offset)
			return rt_msgf(err, "%s '%s' lies outside its struct (offset %zu, size %zu of %zu)",
					what, v[i].name, v[i].offset, flrt_type_size(v[i].type), size);
	}
	return 0;
}

int rt_check_module(const flrt_module *m, struct rt_msg *err)
{
	if (m->ntasks && !m->tasks)
		return rt_msgf(err, "module %s: %zu tasks but no table", m->name ? m->name : "", m->ntasks);
	for (size_t i = 0; i < m->ntasks; i++) {
		const flrt_task *t = m->tasks[i];
		if (!t || !t->name || !t->invoke)
			return rt_msgf(err, "module %s: task %zu has no name or function",
					m->name ? m->name : "", i);
		if (check_vars(t->inputs, t->ninputs, t->inputs_size, "input", err) < 0 ||
		    check_vars(t->outputs, t->noutputs, t->outputs_size, "output", err) < 0)
			return rt_msg_prefix(err, "task %s", t->name);
	}
	if (m->nentities && !m->entities)
		return rt_msgf(err, "module %s: %zu entities but no table", m->name ? m->name : "",
				m->nentities);
	for (size_t i = 0; i < m->nentities; i++)
		if (m->entities[i].len && !m->entities[i].data)
			return rt_msgf(err, "entity %zu has no data", i);
	return 0;
}
