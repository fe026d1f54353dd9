/* task.c: one task call: decode the inputs, invoke the C task (under the
 * out-of-memory guard of its context), encode the outputs; finding a task
 * of a module by name. */
#include "config.h"

#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

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
	if (t->invoke != NULL)
		return t->invoke(ctx, in, out);
	return t->call(ctx, in, out, t->fn);
}

static bool is_task_input(const flrt_task *t, const char *name)
{
	for (size_t i = 0; i < t->ninputs; i++)
		if (strcmp(t->inputs[i].name, name) == 0)
			return true;
	return false;
}

/* Decodes the inputs into the task's input struct at in. -1: r holds the error. */
static int decode_inputs(const flrt_task *t, const Flyteidl__Core__LiteralMap *inputs, void *in,
			 struct rt_arena *scratch, struct rt_result *r)
{
	struct rt_msg err;
	for (size_t i = 0; inputs != NULL && i < inputs->n_literals; i++) {
		const char *k = inputs->literals[i]->key;
		if (!is_task_input(t, k)) {
			rt_result_system(r, false, "task %s has no input '%s'", t->name, k);
			return -1;
		}
	}
	for (size_t i = 0; i < t->ninputs; i++) {
		const flrt_var *v = &t->inputs[i];
		const Flyteidl__Core__Literal *lit = rt_litmap_get(inputs, v->name);
		if (lit == NULL) {
			if (v->type->kind == FLRT_OPTIONAL)
				continue;   /* zeroed: has = false */
			rt_result_system(r, false, "task %s: missing input '%s'", t->name, v->name);
			return -1;
		}
		struct rt_path path = { NULL, "input", v->name, 0, 0 };
		if (rt_decode(scratch, v->type, lit, (char *)in + v->offset, &path, &err) < 0) {
			/* running out of memory is the system's, and may pass */
			rt_result_system(r, strstr(err.text, "out of memory") != NULL, "task %s: %s",
					  t->name, err.text);
			return -1;
		}
	}
	return 0;
}

/* Calls the task. -1: it failed (or ran out of memory), r holds the error. */
static int invoke(const flrt_task *t, const struct rt_call_opts *o, void *in, void *out,
		  struct rt_arena *scratch, struct rt_result *r)
{
	flrt_ctx ctx = { .arena = scratch, .map_index = o != NULL ? o->map_index : -1,
			 .attempt = o != NULL ? o->attempt : 0 };
	bool oom = false;
	int rc = invoke_guarded(t, &ctx, in, out, &oom);
	if (oom) {
		rt_result_system(r, true, "task %s ran out of memory", t->name);
		return -1;
	}
	if (rc != 0 || ctx.failed) {
		char buf[128];
		const char *msg = ctx.message;
		if (!ctx.failed) {
			snprintf(buf, sizeof buf, "task returned %d without calling flrt_fail", rc);
			msg = buf;
		}
		bool rec = ctx.failed && ctx.kind == FLRT_RECOVERABLE;
		rt_result_error(r, rec ? RT_CODE_USER_RECOVERABLE : RT_CODE_USER, rec,
				RT_ORIGIN_USER, msg);
		return -1;
	}
	return 0;
}

/* Encodes the output struct at out and packs it into r. */
static void encode_outputs(const flrt_task *t, const void *out, struct rt_arena *scratch,
			   struct rt_result *r)
{
	struct rt_msg err;
	Flyteidl__Core__LiteralMap *m = rt_litmap_new(scratch, t->noutputs);
	if (m == NULL) {
		rt_result_system(r, true, "out of memory encoding the outputs of task %s", t->name);
		return;
	}
	for (size_t i = 0; i < t->noutputs; i++) {
		const flrt_var *v = &t->outputs[i];
		struct rt_path path = { NULL, "output", v->name, 0, 0 };
		Flyteidl__Core__Literal *lit;
		if (rt_encode(scratch, v->type, (const char *)out + v->offset, &lit, &path, &err) < 0) {
			char msg[sizeof err.text + 64];
			snprintf(msg, sizeof msg, "task %s: %s", t->name, err.text);
			if (strstr(err.text, "out of memory") != NULL)   /* the system's, not the task's */
				rt_result_error(r, RT_CODE_SYSTEM, true, RT_ORIGIN_SYSTEM, msg);
			else
				rt_result_error(r, RT_CODE_USER, false, RT_ORIGIN_USER, msg);
			return;
		}
		rt_litmap_set(m, i, v->name, lit);
	}
	/* deterministic: the outputs sorted by name (the encoder sorted dicts) */
	qsort(m->literals, m->n_literals, sizeof *m->literals, cmp_entry_key);
	size_t n = protobuf_c_message_get_packed_size(&m->base);
	if (n > r->cap || r->data == NULL) {
		uint8_t *p = realloc(r->data, n ? n : 1);
		if (p == NULL) {
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

void rt_call(const flrt_task *t, const Flyteidl__Core__LiteralMap *inputs, const struct rt_call_opts *o,
	      struct rt_arena *scratch, struct rt_result *r)
{
	rt_result_reset(r);
	void *in = rt_arena_zalloc(scratch, t->inputs_size ? t->inputs_size : 1);
	void *out = rt_arena_zalloc(scratch, t->outputs_size ? t->outputs_size : 1);
	if (in == NULL || out == NULL) {
		rt_result_system(r, true, "out of memory for the inputs of task %s", t->name);
		return;
	}
	if (decode_inputs(t, inputs, in, scratch, r) < 0 || invoke(t, o, in, out, scratch, r) < 0)
		return;
	encode_outputs(t, out, scratch, r);
}

const flrt_task *rt_find_task(const flrt_module *m, const char *name)
{
	for (size_t i = 0; m != NULL && i < m->ntasks; i++)
		if (m->tasks[i] != NULL && strcmp(m->tasks[i]->name, name) == 0)
			return m->tasks[i];
	return NULL;
}

