/* lower.c: a checked module to flyteidl messages (protobuf-c), in the
 * order and shapes `pyflyte package` writes (reference
 * registration-artifacts.md §1, §3, §4; flytekit-map-semantics.md §3, §5):
 * the entry fl_lower, the walk over entities (dependencies first) and the
 * list of artifacts it builds. Each entity kind's lowering is in its
 * lower_<kind>.c; the shared state is lower_impl.h's.
 *
 * Every message lives in the compilation's arena. Map fields are written
 * sorted by key, so the bytes are deterministic. */
#include "prelude.h"

#include "lower_impl.h"

#include <sha2.h>
#include <stdlib.h>
#include <string.h>

Flyteidl__Core__Identifier *fl_lower_ident(struct gen *g, Flyteidl__Core__ResourceType type, const char *name)
{
	Flyteidl__Core__Identifier *id = NEW(g, Flyteidl__Core__Identifier, FLYTEIDL__CORE__IDENTIFIER__INIT);
	id->resource_type = type;
	id->name = str(g, name);
	if (g->o->project != NULL)
		id->project = str(g, g->o->project);
	if (g->o->domain != NULL)
		id->domain = str(g, g->o->domain);
	if (g->o->version != NULL)
		id->version = str(g, g->o->version);
	return id;
}

/* ---- the artifacts, in registration order ------------------------------ */

/* The position in items of the artifact (kind, name), or -1. */
static int64_t artifact_at(const struct gen *g, enum fl_artifact_kind kind, const char *name)
{
	const struct base_hash_slot *s = base_hash_find(&g->index, kind, name, strlen(name));
	return s != NULL ? (int64_t)s->val : -1;
}

void fl_lower_add(struct gen *g, enum fl_artifact_kind kind, const char *name, const ProtobufCMessage *msg)
{
	int64_t found = artifact_at(g, kind, name);
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
	bool added;
	base_hash_insert(&g->index, kind, name, strlen(name), &added)->val = g->n - 1;
}

bool fl_lower_has(const struct gen *g, enum fl_artifact_kind kind, const char *name)
{
	return artifact_at(g, kind, name) >= 0;
}

/* ---- the walk --------------------------------------------------------- */

void fl_lower_entity(struct gen *g, const struct fl_entity *e)
{
	if (!e->ok)
		return;
	switch (e->kind) {
	case FL_E_TASK:
		fl_lower_task(g, e);
		break;
	case FL_E_MAP:
		fl_lower_entity(g, e->map.target);
		fl_lower_map_task(g, e);
		break;
	case FL_E_WORKFLOW:
		fl_lower_workflow(g, e);
		break;
	case FL_E_LAUNCHPLAN: {
		const char *name = qualified(g, e);
		if (fl_lower_has(g, FL_ART_LAUNCHPLAN, name))
			break;
		fl_lower_entity(g, e->lp.workflow);
		fl_lower_launch_plan(g, name, e->lp.workflow, &e->sig, &e->lp);
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

static void add_local(struct gen *g, struct fl_package *p, enum fl_artifact_kind kind, const char *name,
		      uint8_t *data, size_t len)
{
	struct fl_artifact *l = fl_realloc(g->a, p->local, p->nlocal * sizeof *l, (p->nlocal + 1) * sizeof *l);
	p->local = l;
	memset(&l[p->nlocal], 0, sizeof *l);
	l[p->nlocal].kind = kind;
	l[p->nlocal].name = name;
	l[p->nlocal].data = data;
	l[p->nlocal++].len = len;
}

static int cmp_lit_entry(const void *a, const void *b)
{
	const Flyteidl__Core__LiteralMap__LiteralsEntry *const *x = a, *const *y = b;
	return strcmp((*x)->key, (*y)->key);
}

/* The LiteralMap of a signature's defaults (of a declared map: its partial
 * values), packed; NULL when there are none. */
static uint8_t *defaults_of(struct gen *g, const struct fl_sig *sig, bool map, size_t *len)
{
	Flyteidl__Core__LiteralMap *m = NEW(g, Flyteidl__Core__LiteralMap, FLYTEIDL__CORE__LITERAL_MAP__INIT);
	m->literals = fl_alloc(g->a, (sig->nin + 1) * sizeof *m->literals);
	for (uint32_t k = 0; k < sig->nin; k++) {
		const struct fl_var *v = &sig->in[k];
		const struct fl_node *d = map ? (v->bound ? v->bound_value : NULL) : v->dflt;
		if (d == NULL)
			continue;
		Flyteidl__Core__LiteralMap__LiteralsEntry *le = NEW(g, Flyteidl__Core__LiteralMap__LiteralsEntry,
			FLYTEIDL__CORE__LITERAL_MAP__LITERALS_ENTRY__INIT);
		le->key = str(g, v->name);
		le->value = fl_lower_literal(g, d, v->type);
		m->literals[m->n_literals++] = le;
	}
	if (m->n_literals == 0)
		return NULL;
	qsort(m->literals, m->n_literals, sizeof *m->literals, cmp_lit_entry);
	*len = protobuf_c_message_get_packed_size(&m->base);
	uint8_t *data = fl_alloc(g->a, *len + 1);
	protobuf_c_message_pack(&m->base, data);
	return data;
}

/* What local runs need besides the artifacts: the declared names of maps
 * (`run NAME` of a named map) and the input defaults of tasks and the
 * partial values of declared maps (`run TASK`: a TaskTemplate carries
 * none). */
static void lower_local(struct gen *g, struct fl_package *p, const struct fl_module *const *mods, uint32_t nmods)
{
	for (uint32_t k = 0; k < nmods; k++)
		for (uint32_t i = 0; i < mods[k]->nentities; i++) {
			const struct fl_entity *e = mods[k]->entities[i];
			const char *name;
			bool map = e->kind == FL_E_MAP;
			if (!e->ok || (map && (e->decl->kind == FL_MAP || e->map.target->kind != FL_E_TASK)) ||
			    (!map && e->kind != FL_E_TASK))
				continue;
			if (map) {
				name = fl_map_task_name(g->a, e);
				add_local(g, p, FL_ART_MAP_NAME, qualified(g, e), (uint8_t *)str(g, name), strlen(name));
			} else {
				name = qualified(g, e);
			}
			size_t len;
			uint8_t *data = defaults_of(g, &e->sig, map, &len);
			if (data != NULL)
				add_local(g, p, FL_ART_TASK_DEFAULTS, name, data, len);
		}
}

struct lower_call {
	const struct fl_module *m;
	const struct fl_codegen_options *o;
	struct fl_package *p;
};

const char *fl_lower_image(const struct gen *g, const struct fl_module *m)
{
	return g->o->image != NULL ? g->o->image : m->image != NULL ? m->image : g->m->image != NULL ? g->m->image : "";
}

/* The package of a module, with the options as they are. */
static int lower_package(struct fl_ctx *c, struct lower_call *call)
{
	const struct fl_module *m = call->m;
	const struct fl_codegen_options *o = call->o;
	struct gen g = {.c = c, .a = c->arena, .m = m, .o = o};
	base_hash_init(&g.index, fl_arena_core(c->arena), 0);
	g.entrypoint = o->entrypoint != NULL ? o->entrypoint : m->name;
	/* imported modules first, each before its importers, each once */
	uint32_t nmods;
	const struct fl_module **mods = fl_module_closure(c->arena, m, &nmods);
	/* a task's image: its own, else --image, else its module's, else the root's */
	bool needs = false;
	for (uint32_t k = 0; k < nmods; k++)
		for (uint32_t i = 0; i < mods[k]->nentities; i++)
			needs |= mods[k]->entities[i]->kind == FL_E_TASK && mods[k]->entities[i]->opts.image == NULL
				 && o->image == NULL && mods[k]->image == NULL && m->image == NULL;
	if (needs) {
		fl_error_noloc(c, "no container image: declare one (image \"registry/name:tag\") or pass --image");
		return -1;
	}
	for (uint32_t k = 0; k < nmods; k++) {
		const struct fl_module *mk = mods[k];
		for (uint32_t i = 0; i < mk->nentities; i++)
			if (mk->entities[i]->decl->kind != FL_MAP)  /* inline maps come with their workflow */
				fl_lower_entity(&g, mk->entities[i]);
	}
	struct fl_package *p = FL_NEW(c->arena, struct fl_package);
	p->items = g.items;
	p->n = g.n;
	lower_local(&g, p, mods, nmods);
	unsigned width = p->n > 0 ? digits(p->n - 1) : 1;
	for (uint32_t i = 0; i < p->n; i++)
		p->items[i].file = fl_sprintf(c->arena, "%0*u_%s_%d.pb", (int)width, i, p->items[i].name, p->items[i].kind);
	call->p = g.failed ? NULL : p;
	return 0;
}

/* --entity-version=digest: the package is lowered with an empty version,
 * and the version is the SHA-256 of what that gives (every artifact's
 * kind, name and bytes, in order): the same sources and options give the
 * same version, any change to what would be registered another one, so
 * registering an unchanged package again is a no-op. Lowered again with
 * that version. */
static int lower_body(struct fl_ctx *c, void *arg)
{
	struct lower_call *call = arg;
	if (!call->o->version_digest)
		return lower_package(c, call);
	struct fl_codegen_options plain = *call->o;
	plain.version = "";
	plain.version_digest = false;
	struct lower_call first = {call->m, &plain, NULL};
	if (lower_package(c, &first) != 0 || first.p == NULL)
		return -1;
	SHA2_CTX sha;
	SHA256Init(&sha);
	for (uint32_t i = 0; i < first.p->n; i++) {
		const struct fl_artifact *it = &first.p->items[i];
		uint8_t head[5] = {(uint8_t)it->kind, (uint8_t)(it->len >> 24), (uint8_t)(it->len >> 16),
				   (uint8_t)(it->len >> 8), (uint8_t)it->len};
		SHA256Update(&sha, head, sizeof head);
		SHA256Update(&sha, (const uint8_t *)it->name, strlen(it->name) + 1);
		SHA256Update(&sha, it->data, it->len);
	}
	char hex[SHA256_DIGEST_STRING_LENGTH];
	SHA256End(&sha, hex);
	/* 128 bits: as unlikely to collide as a registry needs, and short */
	plain.version = fl_strndup(c->arena, hex, 32);
	struct lower_call second = {call->m, &plain, NULL};
	int rc = lower_package(c, &second);
	call->p = second.p;
	return rc;
}

struct fl_package *fl_lower(struct fl_ctx *c, const struct fl_module *m, const struct fl_codegen_options *o)
{
	struct lower_call call = {m, o, NULL};
	return fl_protect(c, lower_body, &call) == 0 ? call.p : NULL;
}
