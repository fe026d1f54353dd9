/* emit_c.c: the generated C of a module, STEM.flyte-c.h and STEM.flyte-c.c
 * (STEM.flyte the source's base name: not NAME.flyte.c, whose object
 * NAME.flyte.o make's built-in rule would link into NAME.flyte, the
 * user's source).
 *
 * The header declares one C function per task for the user to write, with
 * a C type for every language type (include/flyterun.h gives the layouts),
 * every name prefixed with the module's so that modules link together.
 * The .c file describes each task to libflyterun (type descriptors, input
 * and output tables, an invoke wrapper), embeds the module's serialized
 * registration entities for local runs, and defines main unless
 * FLYTEC_NO_MAIN is defined. Both are built in memory and deterministic. */
#include "prelude.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "codegen.h"
#include "ctx.h"
#include "hash.h"

struct cgen {
	struct fl_ctx *c;
	struct fl_arena *a;
	const struct fl_module *m;
	const char *prefix;        /* "quickstart" or "demo__wf" */
	const char *guard;         /* include guard */
	struct base_buf h, src, types;
	/* every file-scope name the generated C defines, with what it is for:
	 * two things wanting one name (enums Level and LEVEL both make
	 * M__LEVEL__LOW; a task named list_int and the type list[int] both
	 * make M__list_int) is an error, never C that does not compile or,
	 * worse, one type standing for another */
	struct base_hash claims;   /* name -> struct claim (in ptr) */
	bool clash;
	/* the enums of imported modules: ENUM declaration -> their module's
	 * prefix; their C types are declared by that module's header */
	struct base_hash foreign;
	const struct fl_module **mods;  /* the imported modules (all, each once), then this one */
	uint32_t nmods;
};

static const char *const c_keywords[] = {
	"auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum", "extern",
	"float", "for", "goto", "if", "inline", "int", "long", "register", "restrict", "return", "short", "signed",
	"sizeof", "static", "struct", "switch", "typedef", "union", "unsigned", "void", "volatile", "while",
	"_Alignas", "_Alignof", "_Atomic", "_Bool", "_Complex", "_Generic", "_Imaginary", "_Noreturn",
	"_Static_assert", "_Thread_local", "bool", "true", "false", "ctx", "in", "out", "main", "errno", "assert",
	"offsetof", "NULL", "asm", "typeof",
};

/* The C types a prototype may name: a parameter called like one would hide
 * it from the parameters after it. */
static const char *const c_type_names[] = {
	"int64_t", "int32_t", "uint8_t", "size_t", "double", "flrt_ctx", "flrt_str", "flrt_bytes", "flrt_datetime",
	"flrt_type", "flrt_var", "flrt_task", "flrt_module", "flrt_list", "flrt_dict",
};

static const char *ctype(struct cgen *g, const struct fl_type *t);

static bool is_c_keyword_or_type(const char *name)
{
	if (strncmp(name, "flrt_", 5) == 0 || strncmp(name, "FLRT_", 5) == 0)
		return true;  /* the runtime's names */
	for (size_t i = 0; i < FL_ARRAY_LEN(c_keywords); i++)
		if (strcmp(name, c_keywords[i]) == 0)
			return true;
	for (size_t i = 0; i < FL_ARRAY_LEN(c_type_names); i++)
		if (strcmp(name, c_type_names[i]) == 0)
			return true;
	return false;
}

/* The C names of a task's parameters, inputs then outputs. A name reserved
 * to the implementation (_X, __x) gets a p in front; a keyword, a type
 * name, the wrapper's own names (ctx, in, out) and the runtime's get a
 * trailing _; then, while the name is another parameter's (`int` and
 * `int_` may both be parameters) or the C type of one (M__list_int),
 * another _. */
static const char **param_names(struct cgen *g, const struct fl_sig *s)
{
	uint32_t n = s->nin + s->nout;
	const char **names = fl_alloc(g->a, (n + 1) * sizeof *names);
	struct fl_ptrmap taken;  /* interned: the parameters' names, as written and as made */
	fl_ptrmap_init(g->a, &taken, 2 * (size_t)n + 1);
	for (uint32_t i = 0; i < n; i++) {
		const struct fl_var *v = i < s->nin ? &s->in[i] : &s->out[i - s->nin];
		fl_ptrmap_set(&taken, v->name, i);
		if (fl_kinds[v->type->kind].flags & BASE_KIND_PARAM) {  /* a type of the module's: M__list_int */
			const char *t = ctype(g, v->type);
			fl_ptrmap_set(&taken, fl_intern(g->c->names, t, strlen(t)), n);
		}
	}
	for (uint32_t i = 0; i < n; i++) {
		const struct fl_var *v = i < s->nin ? &s->in[i] : &s->out[i - s->nin];
		const char *c = v->name;
		if (c[0] == '_' && (c[1] == '_' || (c[1] >= 'A' && c[1] <= 'Z')))
			c = fl_sprintf(g->a, "p%s", c);
		if (is_c_keyword_or_type(c))
			c = fl_sprintf(g->a, "%s_", c);
		for (;;) {
			const char *interned = fl_intern(g->c->names, c, strlen(c));
			int64_t owner = fl_ptrmap_get(&taken, interned);
			if (owner < 0 || owner == (int64_t)i) {
				fl_ptrmap_set(&taken, interned, i);
				break;
			}
			c = fl_sprintf(g->a, "%s_", c);
		}
		names[i] = c;
	}
	return names;
}

static const char *type_what(struct cgen *g, const struct fl_type *t)
{
	if (t->kind == FL_T_ENUM)
		return fl_sprintf(g->a, "enum '%s'", t->enumd->enumd.name.str);
	return fl_sprintf(g->a, "the type %s", fl_type_str(g->a, t));
}

struct claim {
	const void *owner;     /* a type, an enum member, an entity */
	const char *what;      /* for the message */
};

/* Takes a file-scope name for owner. False when it is taken already: by the
 * same owner (equal types are one owner), or by another, which is reported
 * once per name. */
static bool claim(struct cgen *g, const char *name, const void *owner, const struct fl_type *type, const char *what)
{
	bool added;
	struct base_hash_slot *slot = base_hash_insert_str(&g->claims, name, &added);
	if (added) {
		struct claim *c = FL_NEW(g->a, struct claim);
		*c = (struct claim){owner, what};
		slot->ptr = c;
		return true;
	}
	struct claim *c = slot->ptr;
	const struct fl_type *ct = c->what == NULL ? c->owner : NULL;
	bool same = c->owner == owner || (type != NULL && c->what == NULL && fl_type_equal(c->owner, type));
	if (!same && c->owner != NULL) {
		fl_error_noloc(g->c, "the generated C would use the name '%s' for %s and for %s; rename one of them",
			       name, c->what != NULL ? c->what : type_what(g, ct), what != NULL ? what : type_what(g, type));
		c->owner = NULL;  /* reported */
		g->clash = true;
	}
	return false;
}

/* claim for a type: the owner is the type, compared by equality */
static bool claim_type(struct cgen *g, const char *name, const struct fl_type *t)
{
	return claim(g, name, t, t, NULL);
}

static const char *upper(struct cgen *g, const char *s)
{
	char *u = fl_strndup(g->a, s, strlen(s));
	for (char *p = u; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
		else if (*p == '.')
			*p = '_';
	return u;
}

/* The prefix of the module that declares an enum type, when that is
 * not this module (NULL: this one's). */
static const char *foreign_prefix(struct cgen *g, const struct fl_type *t)
{
	const struct base_hash_slot *s = base_hash_find_ptr(&g->foreign, t->enumd);
	return s != NULL ? s->ptr : NULL;
}

/* A type's key, used in generated names: int, opt_int, list_str, dict_opt_float, Level. */
static const char *key(struct cgen *g, const struct fl_type *t)
{
	switch (t->kind) {
	case FL_T_LIST: return fl_sprintf(g->a, "list_%s", key(g, t->elem));
	case FL_T_DICT: return fl_sprintf(g->a, "dict_%s", key(g, t->elem));
	case FL_T_OPTIONAL: return fl_sprintf(g->a, "opt_%s", key(g, t->elem));
	case FL_T_ENUM: {
		const char *foreign = foreign_prefix(g, t);
		return foreign != NULL ? fl_sprintf(g->a, "%s__%s", foreign, t->enumd->enumd.name.str)
				       : t->enumd->enumd.name.str;
	}
	default: return fl_type_scalar_name(t->kind);
	}
}

/* The C type of a value of type t. */
static const char *ctype(struct cgen *g, const struct fl_type *t)
{
	if (fl_kinds[t->kind].ctype != NULL)  /* a scalar */
		return fl_kinds[t->kind].ctype;
	if (t->kind == FL_T_ENUM && foreign_prefix(g, t) != NULL)
		return key(g, t);
	return fl_sprintf(g->a, "%s__%s", g->prefix, key(g, t));
}

/* Declares the C types a type needs (element types first), once. */
static void declare_ctype(struct cgen *g, const struct fl_type *t)
{
	if (!(fl_kinds[t->kind].flags & BASE_KIND_PARAM))
		return;
	if (t->elem != NULL)
		declare_ctype(g, t->elem);
	if (t->kind == FL_T_ENUM && foreign_prefix(g, t) != NULL)
		return;  /* its module's header declares it */
	const char *name = ctype(g, t);
	if (!claim_type(g, name, t))
		return;
	struct base_buf *b = &g->types;
	switch (t->kind) {
	case FL_T_ENUM: {
		/* the runtime stores the member's index as an int32_t */
		base_buf_printf(b, "/** enum %s: a member's index, one of the constants below */\ntypedef int32_t %s;\nenum {\n",
			      t->enumd->enumd.name.str, name);
		int i = 0;
		for (const struct fl_node *e = t->enumd->enumd.members.head; e != NULL; e = e->next) {
			const char *constant = fl_sprintf(g->a, "%s__%s", upper(g, name), upper(g, e->name.str));
			claim(g, constant, e, NULL,
			      fl_sprintf(g->a, "member '%s' of enum '%s'", e->name.str, t->enumd->enumd.name.str));
			base_buf_printf(b, "\t%s = %d,\n", constant, i++);
		}
		base_buf_puts(b, "};\n\n");
		break;
	}
	case FL_T_LIST:
		base_buf_printf(b, "/** %s (laid out as flrt_list) */\ntypedef struct %s {\n\tsize_t len;\n\t%s *items;\n} %s;\n\n",
			      fl_type_str(g->a, t), name, ctype(g, t->elem), name);
		break;
	case FL_T_DICT:
		base_buf_printf(b, "/** %s (laid out as flrt_dict; keys sorted) */\ntypedef struct %s {\n\tsize_t len;\n"
			      "\tflrt_str *keys;\n\t%s *values;\n} %s;\n\n",
			      fl_type_str(g->a, t), name, ctype(g, t->elem), name);
		break;
	case FL_T_OPTIONAL:
		base_buf_printf(b, "/** %s: `value` is meaningful only when `has` */\ntypedef struct %s {\n\tbool has;\n"
			      "\t%s value;\n} %s;\n\n",
			      fl_type_str(g->a, t), name, ctype(g, t->elem), name);
		break;
	default:
		break;
	}
}

static const char *kind_name(const struct fl_type *t)
{
	return fl_kinds[t->kind].flrt != NULL ? fl_kinds[t->kind].flrt : "FLRT_INT";
}

/* The name of a type's runtime descriptor, defined (once) into g->src. */
static const char *descriptor(struct cgen *g, const struct fl_type *t)
{
	const char *elem = t->elem != NULL ? descriptor(g, t->elem) : NULL;
	const char *name = fl_sprintf(g->a, "type_%s", key(g, t));
	if (!claim_type(g, name, t))
		return name;
	if (t->kind == FL_T_ENUM)
		claim(g, fl_sprintf(g->a, "%s_names", name), t->enumd, NULL,
		      fl_sprintf(g->a, "the member names of enum '%s'", t->enumd->enumd.name.str));
	if (t->kind == FL_T_ENUM) {
		base_buf_printf(&g->src, "static const char *const %s_names[] = {", name);
		for (const struct fl_node *e = t->enumd->enumd.members.head; e != NULL; e = e->next)
			base_buf_printf(&g->src, "\"%s\", ", e->name.str);
		base_buf_printf(&g->src, "};\nstatic const flrt_type %s = {%s, NULL, %s_names, %u, \"%s\"};\n", name,
			      kind_name(t), name, t->enumd->enumd.members.count, t->enumd->enumd.name.str);
	} else {
		base_buf_printf(&g->src, "static const flrt_type %s = {%s, %s%s, NULL, 0, NULL};\n", name, kind_name(t),
			      elem != NULL ? "&" : "", elem != NULL ? elem : "NULL");
	}
	return name;
}

/* A C string literal of arbitrary bytes: escapes that cannot form
 * trigraphs, end comments or run into following hex digits. */
static void c_string(struct base_buf *b, const char *s)
{
	base_buf_putc(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			base_buf_printf(b, "\\%c", *p);
		else if (*p == '?')
			base_buf_puts(b, "\\?");
		else if (*p < 0x20 || *p >= 0x7F)
			base_buf_printf(b, "\\%03o", *p);
		else
			base_buf_putc(b, (char)*p);
	}
	base_buf_putc(b, '"');
}

/* A comment's text: nothing that ends the comment or makes a trigraph. */
static const char *comment_safe(struct cgen *g, const char *s)
{
	struct base_buf b;
	base_buf_init(&b, fl_arena_core(g->a));
	for (const char *p = s; *p; p++) {
		if (*p == '*' && p[1] == '/')
			base_buf_puts(&b, "* /");
		else if (*p == '?' && p[1] == '?')
			base_buf_puts(&b, "? ");
		else if ((unsigned char)*p < 0x20)
			base_buf_putc(&b, ' ');
		else
			base_buf_putc(&b, *p);
	}
	return b.data != NULL ? b.data : "";
}

/* A task as the generated C sees it: its function's name and the C names
 * of its inputs and outputs. */
struct ctask {
	const struct fl_entity *e;
	const struct fl_sig *s;
	const char *fn;
	const char **in, **out;
};

/* The task's options, as a line of its prototype's comment. */
static void task_options_doc(struct cgen *g, struct base_buf *h, const struct fl_options *o)
{
	if (!(o->has_retries || o->has_timeout || o->cache != NULL || o->has_interruptible))
		return;
	base_buf_puts(h, " *");
	if (o->has_retries)
		base_buf_printf(h, " retries %" PRId64 ";", o->retries);
	if (o->has_timeout)
		base_buf_printf(h, " timeout %" PRId64 "ms;", o->timeout_ns / 1000000);
	if (o->cache != NULL)
		base_buf_printf(h, " cached (version %s);", comment_safe(g, o->cache));
	if (o->has_interruptible)
		base_buf_printf(h, " interruptible %s;", o->interruptible ? "true" : "false");
	base_buf_puts(h, "\n");
}

/* The prototype the user implements, documented, into the header. */
static void task_prototype(struct cgen *g, const struct ctask *t)
{
	const struct fl_sig *s = t->s;
	struct base_buf *h = &g->h;
	base_buf_printf(h, "/**\n * task %s.%s : %s\n", g->m->name, t->e->name, comment_safe(g, fl_sig_str(g->a, s)));
	task_options_doc(g, h, &t->e->opts);
	base_buf_puts(h, " *\n");
	for (uint32_t i = 0; i < s->nin; i++)
		base_buf_printf(h, " * @param %s input '%s': %s\n", t->in[i], s->in[i].name,
			      fl_type_str(g->a, s->in[i].type));
	for (uint32_t i = 0; i < s->nout; i++)
		base_buf_printf(h, " * @param[out] %s output '%s': %s\n", t->out[i], s->out[i].name,
			      fl_type_str(g->a, s->out[i].type));
	base_buf_puts(h, " * @return 0, or the result of flrt_fail()\n */\n");
	base_buf_printf(h, "int %s(flrt_ctx *ctx", t->fn);
	for (uint32_t i = 0; i < s->nin; i++)
		base_buf_printf(h, ", %s %s", ctype(g, s->in[i].type), t->in[i]);
	for (uint32_t i = 0; i < s->nout; i++)
		base_buf_printf(h, ", %s *%s", ctype(g, s->out[i].type), t->out[i]);
	base_buf_puts(h, ");\n\n");
}

/* struct FN__<side> with one member per variable (a placeholder when there
 * is none). */
static void task_struct(struct cgen *g, const struct ctask *t, const char *side, const struct fl_var *vars,
			uint32_t n, const char **names)
{
	struct base_buf *c = &g->src;
	base_buf_printf(c, "struct %s__%s {\n", t->fn, side);
	for (uint32_t i = 0; i < n; i++)
		base_buf_printf(c, "\t%s %s;\n", ctype(g, vars[i].type), names[i]);
	if (n == 0)
		base_buf_puts(c, "\tchar unused;\n");
	base_buf_puts(c, "};\n");
}

/* The runtime's table FN__<table> of the variables in struct FN__<side>,
 * if there are any. */
static void task_vars(struct cgen *g, const struct ctask *t, const char *table, const char *side,
		      const struct fl_var *vars, uint32_t n, const char **names)
{
	if (n == 0)
		return;
	struct base_buf *c = &g->src;
	base_buf_printf(c, "static const flrt_var %s__%s[] = {\n", t->fn, table);
	for (uint32_t i = 0; i < n; i++)
		base_buf_printf(c, "\t{\"%s\", &type_%s, offsetof(struct %s__%s, %s)},\n", vars[i].name,
			      key(g, vars[i].type), t->fn, side, names[i]);
	base_buf_puts(c, "};\n\n");
}

/* FN__invoke, the wrapper the runtime calls, and FN__task, the runtime's
 * description of the task. */
static void task_invoke(struct cgen *g, const struct ctask *t)
{
	const struct fl_sig *s = t->s;
	const char *fn = t->fn;
	struct base_buf *c = &g->src;
	base_buf_printf(c, "static int %s__invoke(flrt_ctx *ctx, const void *in_, void *out_)\n{\n", fn);
	base_buf_printf(c, "\tconst struct %s__in *in = in_;\n\tstruct %s__out *out = out_;\n", fn, fn);
	base_buf_puts(c, "\t(void)in;\n\t(void)out;\n");
	base_buf_printf(c, "\treturn %s(ctx", fn);
	for (uint32_t i = 0; i < s->nin; i++)
		base_buf_printf(c, ", in->%s", t->in[i]);
	for (uint32_t i = 0; i < s->nout; i++)
		base_buf_printf(c, ", &out->%s", t->out[i]);
	base_buf_puts(c, ");\n}\n\n");
	base_buf_printf(c, "const flrt_task %s__task = {\n\t\"%s.%s\",\n", fn, g->m->name, t->e->name);
	if (s->nin > 0)
		base_buf_printf(c, "\t%s__inputs, %u, sizeof(struct %s__in),\n", fn, s->nin, fn);
	else
		base_buf_printf(c, "\tNULL, 0, sizeof(struct %s__in),\n", fn);
	if (s->nout > 0)
		base_buf_printf(c, "\t%s__outputs, %u, sizeof(struct %s__out),\n", fn, s->nout, fn);
	else
		base_buf_printf(c, "\tNULL, 0, sizeof(struct %s__out),\n", fn);
	base_buf_printf(c, "\t%s__invoke,\n};\n", fn);
}

/* A task: its names claimed, its C types declared, its prototype in the
 * header, and in the .c its type descriptors, structs, tables and wrapper. */
static void emit_task(struct cgen *g, const struct fl_entity *e)
{
	const struct fl_sig *s = &e->sig;
	struct ctask t = {.e = e, .s = s, .fn = fl_sprintf(g->a, "%s__%s", g->prefix, e->name)};
	const char *what = fl_sprintf(g->a, "task '%s'", e->name);
	claim(g, t.fn, e, NULL, what);
	static const char *const parts[] = {"inputs", "outputs", "invoke", "task"};
	for (size_t i = 0; i < FL_ARRAY_LEN(parts); i++)
		claim(g, fl_sprintf(g->a, "%s__%s", t.fn, parts[i]), e, NULL, what);
	t.in = param_names(g, s);
	t.out = t.in + s->nin;
	for (uint32_t i = 0; i < s->nin; i++)
		declare_ctype(g, s->in[i].type);
	for (uint32_t i = 0; i < s->nout; i++)
		declare_ctype(g, s->out[i].type);
	task_prototype(g, &t);
	for (uint32_t i = 0; i < s->nin; i++)
		descriptor(g, s->in[i].type);
	for (uint32_t i = 0; i < s->nout; i++)
		descriptor(g, s->out[i].type);
	base_buf_puts(&g->src, "\n");
	task_struct(g, &t, "in", s->in, s->nin, t.in);
	base_buf_puts(&g->src, "\n");
	task_struct(g, &t, "out", s->out, s->nout, t.out);
	base_buf_puts(&g->src, "\n");
	task_vars(g, &t, "inputs", "in", s->in, s->nin, t.in);
	task_vars(g, &t, "outputs", "out", s->out, s->nout, t.out);
	task_invoke(g, &t);
}

/* Bytes as a C initializer list, 20 a line (a hot path for big modules:
 * no printf per byte). */
static void put_bytes(struct base_buf *b, const uint8_t *data, size_t len)
{
	char line[20 * 4 + 4];
	for (size_t k = 0; k < len;) {
		size_t n = 0;
		line[n++] = '\n';
		line[n++] = '\t';
		for (size_t end = k + 20 < len ? k + 20 : len; k < end; k++) {
			unsigned v = data[k];
			if (v >= 100)
				line[n++] = (char)('0' + v / 100);
			if (v >= 10)
				line[n++] = (char)('0' + v / 10 % 10);
			line[n++] = (char)('0' + v % 10);
			line[n++] = ',';
		}
		base_buf_put(b, line, n);
	}
}

static void banner(struct cgen *g, struct base_buf *b, const char *source)
{
	base_buf_printf(b, "/* Generated by flytec %s from %s. DO NOT EDIT.\n * @generated */\n", PACKAGE_VERSION,
		      comment_safe(g, source));
}

/* A module's prefix for every C name: "demo.wf" -> "demo__wf". */
static const char *module_prefix_of(struct cgen *g, const char *name)
{
	struct base_buf pb;
	base_buf_init(&pb, fl_arena_core(g->a));
	for (const char *p = name; *p; p++)
		base_buf_puts(&pb, *p == '.' ? "__" : (char[]){*p, 0});
	return pb.data;
}

/* This module's prefix and its include guard. */
static void module_prefix(struct cgen *g)
{
	g->prefix = module_prefix_of(g, g->m->name);
	g->guard = fl_sprintf(g->a, "%s_FLYTE_C_H", upper(g, g->prefix));
}

/* The modules whose tasks the table lists (imported ones first, each
 * once), and the enums declared by imported modules. */
static void add_modules(struct cgen *g)
{
	g->mods = fl_module_closure(g->a, g->m, &g->nmods);
	for (uint32_t k = 0; k + 1 < g->nmods; k++) {
		const struct fl_module *m = g->mods[k];
		const char *prefix = module_prefix_of(g, m->name);
		bool added;
		for (uint32_t i = 0; i < m->nentities; i++)
			if (m->entities[i]->kind == FL_E_ENUM)
				base_hash_insert_ptr(&g->foreign, m->entities[i]->decl, &added)->ptr = (void *)prefix;
	}
}

/* Whether the .c can include the header by its name: a #include "..."
 * has no escapes, so a quote or a control character (a newline) cannot be
 * written there at all. */
static bool includable(struct fl_ctx *c, const char *source, const char *base)
{
	for (const char *p = base; *p; p++) {
		if (*p == '"' || (unsigned char)*p < 0x20 || *p == 0x7F) {
			fl_error_noloc(c, "%s: the generated C is named after the file, and a C #include cannot name a file "
				       "with a quote or a control character; rename the file", source);
			return false;
		}
	}
	return true;
}

/* The task descriptions the module defines, for a module that imports
 * it: its table lists them too, so that one executable runs them all. */
static void emit_task_decls(struct cgen *g, struct base_buf *header)
{
	bool any = false;
	for (uint32_t i = 0; i < g->m->nentities; i++) {
		const struct fl_entity *e = g->m->entities[i];
		if (e->kind != FL_E_TASK || !e->ok)
			continue;
		if (!any)
			base_buf_puts(header, "/* The tasks, for the tables of modules that import this one. */\n");
		any = true;
		base_buf_printf(header, "extern const flrt_task %s__%s__task;\n", g->prefix, e->name);
	}
	if (any)
		base_buf_puts(header, "\n");
}

/* The header's name in the .c's #include "...": taken as written (a
 * backslash is a character of the name there, not an escape), except that
 * "??" would start a trigraph in translation phase 1 (tri??=x is tri#x
 * under -std=c11): a backslash-newline between the two question marks is
 * spliced away in phase 2, after trigraphs are replaced. */
static void include_name(struct base_buf *b, const char *name)
{
	for (const char *p = name; *p; p++) {
		base_buf_putc(b, *p);
		if (*p == '?' && p[1] == '?')
			base_buf_puts(b, "\\\n");
	}
}

/* STEM: the base name of the source without ".flyte". */
static const char *c_stem(struct fl_arena *a, const char *source)
{
	const char *base = strrchr(source, '/');
	base = base != NULL ? base + 1 : source;
	size_t n = strlen(base);
	if (n > 6 && strcmp(base + n - 6, ".flyte") == 0)
		n -= 6;
	return fl_strndup(a, base, n);
}

/* The header includes those of the modules it imports by their file's stem
 * ("lib/shapes.flyte" -> "shapes.flyte-c.h"), found on the include path. */
static void emit_header(struct cgen *g, struct base_buf *header, const char *base, const char *stem)
{
	banner(g, header, base);
	base_buf_printf(header, "#ifndef %s\n#define %s\n\n#include <flyterun.h>\n", g->guard, g->guard);
	for (uint32_t i = 0; i < g->m->nimports; i++) {
		base_buf_puts(header, "#include \"");
		include_name(header, c_stem(g->a, g->m->imports[i]->file));
		base_buf_puts(header, ".flyte-c.h\"\n");
	}
	base_buf_puts(header, "\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n");
	base_buf_printf(header, "/* Module %s: implement each function below and link with the generated\n"
		      " * %s.flyte-c.c and -lflyterun. Values handed to a task and the outputs it\n"
		      " * returns live in the call's arena: allocate with flrt_alloc(), free nothing.\n"
		      " * Fail with `return flrt_fail(ctx, FLRT_RECOVERABLE, \"...\");`. */\n\n",
		      comment_safe(g, g->m->name), comment_safe(g, stem));
	base_buf_put(header, g->types.data != NULL ? g->types.data : "", g->types.len);
	base_buf_put(header, g->h.data != NULL ? g->h.data : "", g->h.len);
	base_buf_printf(header, "/** The module, for flrt_main(). */\nextern const flrt_module %s__module;\n\n", g->prefix);
	emit_task_decls(g, header);
	base_buf_printf(header, "#ifdef __cplusplus\n}\n#endif\n\n#endif\n");
}

/* The table of the tasks of the module and of every module it imports
 * (theirs first, as in the package); their count. */
static uint32_t emit_task_table(struct cgen *g, struct base_buf *body)
{
	uint32_t ntasks = 0;
	for (uint32_t k = 0; k < g->nmods; k++)
		for (uint32_t i = 0; i < g->mods[k]->nentities; i++)
			ntasks += g->mods[k]->entities[i]->kind == FL_E_TASK && g->mods[k]->entities[i]->ok;
	if (ntasks == 0)
		return 0;
	base_buf_printf(body, "static const flrt_task *const tasks[] = {\n");
	for (uint32_t k = 0; k < g->nmods; k++) {
		const struct fl_module *m = g->mods[k];
		const char *prefix = module_prefix_of(g, m->name);
		for (uint32_t i = 0; i < m->nentities; i++)
			if (m->entities[i]->kind == FL_E_TASK && m->entities[i]->ok)
				base_buf_printf(body, "\t&%s__%s__task,\n", prefix, m->entities[i]->name);
	}
	base_buf_puts(body, "};\n\n");
	return ntasks;
}

/* The registration entities, for local runs: their bytes and their table. */
static const struct fl_artifact *entity_at(const struct fl_package *pkg, uint32_t i)
{
	return i < pkg->n ? &pkg->items[i] : &pkg->local[i - pkg->n];
}

/* The registration entities, then what local runs need besides (declared
 * map names, task defaults): their bytes and their table. */
static uint32_t emit_entities(struct base_buf *body, const struct fl_package *pkg)
{
	uint32_t n = pkg->n + pkg->nlocal;
	for (uint32_t i = 0; i < n; i++) {
		base_buf_printf(body, "static const uint8_t entity%u[] = {", i);
		put_bytes(body, entity_at(pkg, i)->data, entity_at(pkg, i)->len);
		base_buf_puts(body, "\n};\n");
	}
	if (n > 0) {
		base_buf_puts(body, "\nstatic const struct flrt_entity entities[] = {\n");
		for (uint32_t i = 0; i < n; i++) {
			base_buf_printf(body, "\t{%d, ", entity_at(pkg, i)->kind);
			c_string(body, entity_at(pkg, i)->name);
			base_buf_printf(body, ", entity%u, sizeof entity%u},\n", i, i);
		}
		base_buf_puts(body, "};\n");
	}
	return n;
}

static void emit_body(struct cgen *g, struct base_buf *body, const char *base, const char *stem,
		      const struct fl_package *pkg)
{
	banner(g, body, base);
	base_buf_puts(body, "#include <stddef.h>\n#include <stdint.h>\n\n#include \"");
	include_name(body, stem);
	base_buf_puts(body, ".flyte-c.h\"\n\n");
	base_buf_put(body, g->src.data != NULL ? g->src.data : "", g->src.len);
	base_buf_puts(body, "\n");
	uint32_t ntasks = emit_task_table(g, body);
	uint32_t nent = emit_entities(body, pkg);
	base_buf_printf(body, "\nconst flrt_module %s__module = {\n\t", g->prefix);
	c_string(body, g->m->name);
	base_buf_printf(body, ",\n\t%s, %u,\n\t%s, %u,\n};\n", ntasks ? "tasks" : "NULL", ntasks, nent ? "entities" : "NULL",
		      nent);
	base_buf_printf(body, "\n#ifndef FLYTEC_NO_MAIN\nint main(int argc, char **argv)\n{\n\treturn flrt_main(&%s__module, argc, argv);\n}\n#endif\n",
		      g->prefix);
}

struct emit_call {
	const struct fl_module *m;
	const struct fl_package *pkg;
	const char *source;
	struct base_buf *header, *body;
};

static int emit_c_body(struct fl_ctx *c, void *arg)
{
	struct emit_call *call = arg;
	const struct fl_module *m = call->m;
	const char *source = call->source;
	struct cgen g = {.c = c, .a = c->arena, .m = m};
	module_prefix(&g);
	base_hash_init(&g.claims, fl_arena_core(c->arena), 128);
	base_hash_init(&g.foreign, fl_arena_core(c->arena), 8);
	add_modules(&g);
	base_buf_init(&g.h, fl_arena_core(c->arena));
	base_buf_init(&g.src, fl_arena_core(c->arena));
	base_buf_init(&g.types, fl_arena_core(c->arena));
	const char *base = strrchr(source, '/');
	base = base != NULL ? base + 1 : source;
	if (!includable(c, source, base))
		return -1;

	claim(&g, fl_sprintf(c->arena, "%s__module", g.prefix), m, NULL, "the module");
	for (uint32_t i = 0; i < m->nentities; i++)
		if (m->entities[i]->kind == FL_E_TASK && m->entities[i]->ok)
			emit_task(&g, m->entities[i]);
	for (uint32_t i = 0; i < m->nentities; i++)
		if (m->entities[i]->kind == FL_E_ENUM)
			declare_ctype(&g, fl_type_enum(c->arena, m->entities[i]->decl));
	if (g.clash)
		return -1;
	const char *stem = c_stem(c->arena, source);
	emit_header(&g, call->header, base, stem);
	emit_body(&g, call->body, base, stem, call->pkg);
	return 0;
}

int fl_emit_c(struct fl_ctx *c, const struct fl_module *m, const struct fl_package *pkg, const char *source,
	      struct base_buf *header, struct base_buf *body)
{
	struct emit_call call = {m, pkg, source, header, body};
	return fl_protect(c, emit_c_body, &call);
}

/* OUTDIR/STEM.flyte-c.EXT; STEM.flyte-c.EXT for ".", as a build system
 * names it. */
static const char *c_path(struct fl_arena *a, const char *outdir, const char *stem, const char *ext)
{
	if (strcmp(outdir, ".") == 0)
		return fl_sprintf(a, "%s.flyte-c.%s", stem, ext);
	return fl_sprintf(a, "%s/%s.flyte-c.%s", outdir, stem, ext);
}

struct path_call {
	const char *source, *outdir, *path;
	bool header;
};

static int c_output_path(struct fl_ctx *c, void *arg)
{
	struct path_call *call = arg;
	call->path = c_path(c->arena, call->outdir, c_stem(c->arena, call->source), call->header ? "h" : "c");
	return 0;
}

const char *fl_c_output_path(struct fl_ctx *c, const char *source, const char *outdir, bool header)
{
	struct path_call call = {source, outdir, NULL, header};
	return fl_protect(c, c_output_path, &call) == 0 ? call.path : NULL;
}

struct write_call {
	const struct fl_module *m;
	const struct fl_package *pkg;  /* NULL: lowered here */
	const char *source, *outdir;
	const struct fl_codegen_options *o;
};

/* Both files are checked against the inputs before either is written. */
static int write_body(struct fl_ctx *c, void *arg)
{
	struct write_call *call = arg;
	const struct fl_module *m = call->m;
	const char *source = call->source, *outdir = call->outdir;
	const struct fl_package *pkg = call->pkg;
	if (pkg == NULL) {
		struct fl_codegen_options local = *call->o;
		/* the embedded entities serve local runs: any image will do */
		if (local.image == NULL && m->image == NULL)
			local.image = "flytec-local";
		pkg = fl_lower(c, m, &local);
		if (pkg == NULL)
			return -1;
	}
	struct base_buf h, body;
	base_buf_init(&h, fl_arena_core(c->arena));
	base_buf_init(&body, fl_arena_core(c->arena));
	if (fl_emit_c(c, m, pkg, source, &h, &body) != 0)
		return -1;
	const char *stem = c_stem(c->arena, source);
	const char *hpath = c_path(c->arena, outdir, stem, "h");
	const char *cpath = c_path(c->arena, outdir, stem, "c");
	if (fl_output_check(c, hpath) != 0 || fl_output_check(c, cpath) != 0)
		return -1;
	if (fl_write_output(c, hpath, h.data, h.len, true) != 0 || fl_write_output(c, cpath, body.data, body.len, true) != 0)
		return -1;
	return 0;
}

int fl_write_c(struct fl_ctx *c, const struct fl_module *m, const char *source, const char *outdir,
	       const struct fl_codegen_options *o)
{
	struct write_call call = {m, NULL, source, outdir, o};
	return fl_protect(c, write_body, &call);
}

int fl_write_c_package(struct fl_ctx *c, const struct fl_module *m, const struct fl_package *p, const char *source,
		       const char *outdir)
{
	struct fl_codegen_options none = {0};
	struct write_call call = {m, p, source, outdir, &none};
	return fl_protect(c, write_body, &call);
}
