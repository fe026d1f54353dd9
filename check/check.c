/* check.c: name resolution and typechecking.
 *
 * Order: collect the declarations into one module namespace; resolve the
 * signatures (tasks and workflows from their text, maps by lifting their
 * target's, launch plans from their workflow's); check options; then check
 * every workflow body statement by statement. Each error names what was
 * expected and what was found, and the checker goes on with an <error>
 * type so that one mistake is reported once. */
#include "prelude.h"

#include "checker.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "misspell.h"

struct checker {
	struct fl_ctx *c;
	struct fl_arena *a;
	struct fl_module *m;
	/* the module namespace: open addressing on interned names */
	struct fl_entity **table;
	size_t cap;
	/* workflow being checked */
	struct fl_entity *wf;
	struct fl_wf_value **scope;
	uint32_t nscope, scope_cap;
	struct fl_ptrmap scope_index;  /* name -> latest position in scope */
	uint32_t entities_cap;        /* of m->entities */
	uint32_t nodes_cap;           /* of wf->wf.nodes */
	const char *s_o0;
};

static const char *intern(struct checker *k, const char *s)
{
	return fl_intern(k->c->names, s, strlen(s));
}

/* ---- the namespace ---------------------------------------------------- */

static size_t slot_of(const struct checker *k, const char *name)
{
	size_t h = ((uintptr_t)name >> 4) * 0x9E3779B97F4A7C15ull;
	size_t i = h & (k->cap - 1);
	while (k->table[i] != NULL && k->table[i]->name != name)
		i = (i + 1) & (k->cap - 1);
	return i;
}

static struct fl_entity *lookup(const struct checker *k, const char *name)
{
	return k->table[slot_of(k, name)];
}

static void table_put(struct checker *k, struct fl_entity *e)
{
	k->table[slot_of(k, e->name)] = e;
}

static void push_entity(struct checker *k, struct fl_entity *e)
{
	struct fl_module *m = k->m;
	if (m->nentities == k->entities_cap) {
		uint32_t ncap = k->entities_cap ? k->entities_cap * 2 : 16;
		m->entities = fl_realloc(k->a, m->entities, k->entities_cap * sizeof *m->entities,
					 ncap * sizeof *m->entities);
		k->entities_cap = ncap;
	}
	m->entities[m->nentities++] = e;
}

static const char *kind_word(enum fl_entity_kind kind)
{
	switch (kind) {
	case FL_E_TASK: return "task";
	case FL_E_MAP: return "map";
	case FL_E_WORKFLOW: return "workflow";
	case FL_E_LAUNCHPLAN: return "launch plan";
	case FL_E_ENUM: return "enum";
	}
	return "declaration";
}

/* "Did you mean" compares a name with every candidate: after this many
 * errors (only --max-errors=0 gets there) it is left out, so that 100,000
 * errors over 100,000 declarations do not take 10^10 steps. */
enum { SUGGEST_MAX_ERRORS = 100 };

static bool suggesting(const struct checker *k)
{
	return k->c->nerrors < SUGGEST_MAX_ERRORS;
}

/* "; did you mean 'x'?" over the module's names (of the given kinds), or "". */
static const char *suggest_entity(struct checker *k, const char *name, unsigned kinds)
{
	if (!suggesting(k))
		return "";
	const char **cands = fl_alloc(k->a, (k->m->nentities + 1) * sizeof *cands);
	size_t n = 0;
	for (uint32_t i = 0; i < k->m->nentities; i++)
		if (kinds & (1u << k->m->entities[i]->kind))
			cands[n++] = k->m->entities[i]->name;
	const char *best = fl_closest(name, cands, n);
	return best ? fl_sprintf(k->a, "; did you mean '%s'?", best) : "";
}

static const char *suggest_var(struct checker *k, const char *name, const struct fl_var *vars, uint32_t n)
{
	if (!suggesting(k))
		return "";
	const char **cands = fl_alloc(k->a, (n + 1) * sizeof *cands);
	for (uint32_t i = 0; i < n; i++)
		cands[i] = vars[i].name;
	const char *best = fl_closest(name, cands, n);
	return best ? fl_sprintf(k->a, "; did you mean '%s'?", best) : "";
}

static const char *suggest_words(struct checker *k, const char *name, const char *const *words, size_t n)
{
	const char *best = fl_closest(name, words, n);
	return best ? fl_sprintf(k->a, "; did you mean '%s'?", best) : "";
}

static const char *T(struct checker *k, const struct fl_type *t)
{
	return fl_type_str(k->a, t);
}

/* ---- types ------------------------------------------------------------ */

static const char *const type_names[] = {
	"int", "float", "str", "bool", "datetime", "duration", "bytes", "file", "dir", "list", "dict",
};

static const struct fl_type *resolve_type(struct checker *k, const struct fl_node *n)
{
	const char *name = n->type.name.str;
	const struct fl_type *t = NULL;
	uint32_t want_args = 0;
	for (int s = FL_T_INT; s <= FL_T_DIR; s++)
		if (strcmp(name, fl_type_scalar_name((enum fl_type_kind)s)) == 0)
			t = fl_type_scalar((enum fl_type_kind)s);
	if (strcmp(name, "list") == 0)
		want_args = 1;
	else if (strcmp(name, "dict") == 0)
		want_args = 2;
	if (t == NULL && want_args == 0) {
		struct fl_entity *e = lookup(k, name);
		if (e != NULL && e->kind == FL_E_ENUM) {
			t = fl_type_enum(k->a, e->decl);
		} else if (e != NULL) {
			fl_error(k->c, n->type.name.loc, "'%s' is a %s, not a type", name, kind_word(e->kind));
			return fl_type_scalar(FL_T_ERROR);
		} else {
			const char *hint = "";
			if (suggesting(k)) {
				const char **cands = fl_alloc(k->a, (FL_ARRAY_LEN(type_names) + k->m->nentities) * sizeof *cands);
				size_t nc = 0;
				for (size_t i = 0; i < FL_ARRAY_LEN(type_names); i++)
					cands[nc++] = type_names[i];
				for (uint32_t i = 0; i < k->m->nentities; i++)
					if (k->m->entities[i]->kind == FL_E_ENUM)
						cands[nc++] = k->m->entities[i]->name;
				hint = suggest_words(k, name, cands, nc);
			}
			fl_error(k->c, n->type.name.loc, "unknown type '%s'%s", name, hint);
			return fl_type_scalar(FL_T_ERROR);
		}
	}
	if (n->type.args.count != want_args) {
		if (want_args == 0)
			fl_error(k->c, n->loc, "type '%s' takes no parameters", name);
		else if (want_args == 1)
			fl_error(k->c, n->loc, "list takes one element type, as in list[int]");
		else
			fl_error(k->c, n->loc, "dict takes a key and a value type, as in dict[str, int]");
		return fl_type_scalar(FL_T_ERROR);
	}
	if (want_args == 1) {
		t = fl_type_list(k->a, resolve_type(k, n->type.args.head));
	} else if (want_args == 2) {
		const struct fl_node *key = n->type.args.head;
		const struct fl_type *kt = resolve_type(k, key);
		if (kt->kind != FL_T_STR && kt->kind != FL_T_ERROR)
			fl_error(k->c, key->loc, "dict keys must be str (Flyte maps are keyed by strings), not %s",
				 T(k, kt));
		t = fl_type_dict(k->a, resolve_type(k, key->next));
	}
	return n->type.optional ? fl_type_optional(k->a, t) : t;
}

/* ---- literals --------------------------------------------------------- */

static bool is_literal(const struct fl_node *n);

/* An enum member written `Enum.member`: its enum entity, or NULL. */
static struct fl_entity *enum_of_member(struct checker *k, const struct fl_node *n)
{
	if (n->kind != FL_MEMBER || n->member.object->kind != FL_NAME)
		return NULL;
	struct fl_entity *e = lookup(k, n->member.object->name.str);
	return e != NULL && e->kind == FL_E_ENUM ? e : NULL;
}

static bool is_literal(const struct fl_node *n)
{
	switch (n->kind) {
	case FL_INT: case FL_FLOAT: case FL_STRING: case FL_BOOL: case FL_NONE: case FL_DURATION:
		return true;
	case FL_LIST: case FL_DICT:
		for (const struct fl_node *c = n->list.head; c != NULL; c = c->next)
			if (!is_literal(c->kind == FL_DICT_ENTRY ? c->pair.value : c))
				return false;
		return true;
	case FL_MEMBER:
		return n->member.object->kind == FL_NAME;  /* an enum member; checked with its type */
	default:
		return false;
	}
}

static const char *literal_kind(const struct fl_node *n)
{
	switch (n->kind) {
	case FL_INT: return "int";
	case FL_FLOAT: return "float";
	case FL_STRING: return "str";
	case FL_BOOL: return "bool";
	case FL_NONE: return "none";
	case FL_DURATION: return "duration";
	case FL_LIST: return "a list";
	case FL_DICT: return "a dict";
	case FL_RECORD: return "a record";
	default: return "a value";
	}
}

/* RFC 3339: YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM), with a space
 * allowed for the T. 0: valid; 1: not in that form; 2: in that form, but
 * not a real date and time (2023-02-29, 25:00, +24:00). */
static int check_datetime(const char *s)
{
	const char *f = "dddd-dd-ddTdd:dd:dd";
	size_t i = 0;
	for (; f[i]; i++) {
		if (f[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != f[i] && !(f[i] == 'T' && s[i] == ' '))
			return 1;
	}
	if (s[i] == '.') {
		i++;
		if (!(s[i] >= '0' && s[i] <= '9'))
			return 1;
		while (s[i] >= '0' && s[i] <= '9')
			i++;
	}
	int oh = 0, om = 0;
	if (s[i] == 'Z' && s[i + 1] == '\0') {
		/* UTC */
	} else if ((s[i] == '+' || s[i] == '-') && s[i + 1] >= '0' && s[i + 1] <= '9' && s[i + 2] >= '0'
		   && s[i + 2] <= '9' && s[i + 3] == ':' && s[i + 4] >= '0' && s[i + 4] <= '9' && s[i + 5] >= '0'
		   && s[i + 5] <= '9' && s[i + 6] == '\0') {
		oh = (s[i + 1] - '0') * 10 + (s[i + 2] - '0');
		om = (s[i + 4] - '0') * 10 + (s[i + 5] - '0');
	} else {
		return 1;
	}
	int year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	int mon = (s[5] - '0') * 10 + (s[6] - '0'), day = (s[8] - '0') * 10 + (s[9] - '0');
	int hh = (s[11] - '0') * 10 + (s[12] - '0'), mm = (s[14] - '0') * 10 + (s[15] - '0');
	int ss = (s[17] - '0') * 10 + (s[18] - '0');
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	if (year < 1 || mon < 1 || mon > 12 || day < 1 || day > mdays[mon - 1] || (mon == 2 && day == 29 && !leap) || hh > 23
	    || mm > 59 || ss > 60 || oh > 23 || om > 59)
		return 2;
	return 0;
}

/* What a value is, for messages ("an element of input 'x' of task 't'"),
 * built only when an error is reported: a chain of places on the stack. */
struct place {
	const struct place *outer;  /* for an element or a dict value: its container */
	const char *fmt;           /* with up to three %s */
	const char *a, *b, *c;
};

/* Strings that reach Flyte are protobuf strings, which protobuf-c keeps
 * NUL-terminated: a \0 in one would cut it short without a word. Only a
 * bytes value may hold one. False after reporting it. */
static bool nul_free(struct checker *k, const struct fl_node *n)
{
	if (n->kind != FL_STRING || strlen(n->str.bytes) == n->str.len)
		return true;
	struct fl_loc at = n->loc;
	fl_error(k->c, at, "this string holds a NUL character (\\0), which Flyte cannot take here (only a bytes value "
		 "may hold one)");
	return false;
}

static const char *what_str(struct checker *k, const struct place *w)
{
	if (w->outer != NULL)
		return fl_sprintf(k->a, "%s %s", w->fmt, what_str(k, w->outer));
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	/* fmt is always one of this file's literals */
	return fl_sprintf(k->a, w->fmt, w->a, w->b, w->c);
#pragma GCC diagnostic pop
}

/* Checks a literal against the type expected for it; `w` names the place.
 * Returns false after reporting. */
static bool check_literal(struct checker *k, const struct fl_node *n, const struct fl_type *want,
			  const struct place *w)
{
	if (want->kind == FL_T_ERROR)
		return true;
	if (want->kind == FL_T_OPTIONAL) {
		if (n->kind == FL_NONE)
			return true;
		return check_literal(k, n, want->elem, w);
	}
	bool ok = false;
#define what what_str(k, w)
	switch (n->kind) {
	case FL_INT:
		ok = want->kind == FL_T_INT;
		if (!ok && want->kind == FL_T_FLOAT) {
			fl_error(k->c, n->loc, "%s is float, but this is an int literal; write %" PRId64 ".0",
				 what, n->ival);
			return false;
		}
		break;
	case FL_FLOAT: ok = want->kind == FL_T_FLOAT; break;
	case FL_BOOL: ok = want->kind == FL_T_BOOL; break;
	case FL_DURATION: ok = want->kind == FL_T_DURATION; break;
	case FL_STRING:
		ok = want->kind == FL_T_STR || want->kind == FL_T_FILE || want->kind == FL_T_DIR
		     || want->kind == FL_T_BYTES || want->kind == FL_T_DATETIME;
		if (ok && want->kind != FL_T_BYTES && want->kind != FL_T_DATETIME && !nul_free(k, n))
			return false;
		if (ok && (want->kind == FL_T_FILE || want->kind == FL_T_DIR) && n->str.len == 0) {
			fl_error(k->c, n->loc, "%s is a %s; an empty path names nothing", what, T(k, want));
			return false;
		}
		if (ok && want->kind == FL_T_DATETIME) {
			int bad = strlen(n->str.bytes) != n->str.len ? 1 : check_datetime(n->str.bytes);
			if (bad == 1) {
				fl_error(k->c, n->loc, "%s is a datetime: write it as RFC 3339, as in \"2024-05-01T12:00:00Z\"",
					 what);
				return false;
			}
			if (bad == 2) {
				fl_error(k->c, n->loc, "%s is a datetime, but \"%s\" is not a real date and time", what,
					 n->str.bytes);
				return false;
			}
		}
		break;
	case FL_NONE:
		fl_error(k->c, n->loc, "%s is %s, which cannot be none (only an optional type %s? can)", what,
			 T(k, want), T(k, want));
		return false;
	case FL_LIST:
		if (want->kind != FL_T_LIST)
			break;
		ok = true;
		for (const struct fl_node *e = n->list.head; e != NULL; e = e->next)
			ok &= check_literal(k, e, want->elem, &(struct place){.outer = w, .fmt = "an element of"});
		return ok;
	case FL_DICT:
		if (want->kind != FL_T_DICT)
			break;
		ok = true;
		for (const struct fl_node *e = n->list.head; e != NULL; e = e->next) {
			if (e->pair.key->kind != FL_STRING) {
				fl_error(k->c, e->pair.key->loc, "dict keys must be string literals");
				ok = false;
			} else if (!nul_free(k, e->pair.key)) {
				ok = false;
			}
			ok &= check_literal(k, e->pair.value, want->elem, &(struct place){.outer = w, .fmt = "a value of"});
		}
		return ok;
	case FL_MEMBER: {
		struct fl_entity *e = enum_of_member(k, n);
		if (e == NULL)
			break;
		if (want->kind != FL_T_ENUM || want->enumd != e->decl) {
			fl_error(k->c, n->loc, "%s is %s, but this is a member of enum %s", what, T(k, want), e->name);
			return false;
		}
		for (const struct fl_node *mem = e->decl->enumd.members.head; mem != NULL; mem = mem->next)
			if (mem->name.str == n->member.name.str)
				return true;
		const char **cands = fl_alloc(k->a, (e->decl->enumd.members.count + 1) * sizeof *cands);
		size_t nc = 0;
		for (const struct fl_node *mem = e->decl->enumd.members.head; mem != NULL; mem = mem->next)
			cands[nc++] = mem->name.str;
		fl_error(k->c, n->member.name.loc, "enum %s has no member '%s'%s", e->name, n->member.name.str,
			 suggest_words(k, n->member.name.str, cands, nc));
		return false;
	}
	case FL_NAME:
		fl_error(k->c, n->loc, "%s must be a literal value, not the name '%s'", what, n->name.str);
		return false;
	default:
		fl_error(k->c, n->loc, "%s must be a literal value", what);
		return false;
	}
	if (!ok) {
		if (want->kind == FL_T_ENUM && n->kind == FL_STRING)
			fl_error(k->c, n->loc, "%s is enum %s: write a member as %s.name, not a string", what, T(k, want),
				 T(k, want));
		else
			fl_error(k->c, n->loc, "%s has type %s, but the value is %s", what, T(k, want), literal_kind(n));
	}
	return ok;
#undef what
}

/* ---- options ---------------------------------------------------------- */

bool fl_quantity_parse(const char *s, double *value)
{
	/* <number><suffix>: number is digits with an optional fraction; the
	 * suffix is a binary (Ki Mi Gi Ti Pi Ei) or decimal (n u m k M G T P E)
	 * multiplier or a decimal exponent (e3). */
	const char *p = s;
	if (*p == '+')
		p++;
	const char *num = p;
	while ((*p >= '0' && *p <= '9') || *p == '.')
		p++;
	if (p == num || (p - num == 1 && *num == '.'))
		return false;
	int dots = 0;
	for (const char *q = num; q < p; q++)
		dots += *q == '.';
	if (dots > 1)
		return false;
	/* the digits alone: strtod would also take an exponent ("1e3") */
	char digits[64];
	if ((size_t)(p - num) >= sizeof digits)
		return false;
	memcpy(digits, num, (size_t)(p - num));
	digits[p - num] = '\0';
	double v = strtod(digits, NULL);
	static const struct { const char *suf; double mul; } sufs[] = {
		{"", 1}, {"Ki", 1024.0}, {"Mi", 1048576.0}, {"Gi", 1073741824.0}, {"Ti", 1099511627776.0},
		{"Pi", 1125899906842624.0}, {"Ei", 1152921504606846976.0}, {"n", 1e-9}, {"u", 1e-6},
		{"m", 1e-3}, {"k", 1e3}, {"M", 1e6}, {"G", 1e9}, {"T", 1e12}, {"P", 1e15}, {"E", 1e18},
	};
	for (size_t i = 0; i < FL_ARRAY_LEN(sufs); i++) {
		if (strcmp(p, sufs[i].suf) == 0) {
			*value = v * sufs[i].mul;
			return true;
		}
	}
	if ((*p == 'e' || *p == 'E') && p[1] != '\0') {
		char *end;
		long ex = strtol(p + 1, &end, 10);
		if (*end == '\0' && ex > -30 && ex < 30) {
			*value = v * pow(10.0, (double)ex);
			return true;
		}
	}
	return false;
}

enum opt_set {
	OPT_TASK = 1,     /* task declarations */
	OPT_MAP = 2,      /* map(...) */
	OPT_WITH = 4,     /* with { } on a call */
};

static const struct {
	const char *name;
	unsigned where;
} option_names[] = {
	{"retries", OPT_TASK | OPT_MAP | OPT_WITH},
	{"timeout", OPT_TASK | OPT_MAP | OPT_WITH},
	{"cache", OPT_TASK | OPT_MAP | OPT_WITH},
	{"interruptible", OPT_TASK | OPT_MAP | OPT_WITH},
	{"requests", OPT_TASK | OPT_MAP | OPT_WITH},
	{"limits", OPT_TASK | OPT_MAP | OPT_WITH},
	{"env", OPT_TASK | OPT_MAP},
	{"image", OPT_TASK | OPT_MAP | OPT_WITH},
	{"concurrency", OPT_MAP},
	{"min_success_ratio", OPT_MAP},
	{"min_successes", OPT_MAP},
	{"legacy", OPT_MAP},
};

static const char *const resource_keys[] = {"cpu", "mem", "gpu", "ephemeral_storage"};

/* A record `{ key = "value", ... }` of strings (or ints, for quantities). */
static struct fl_kv *string_record(struct checker *k, const struct fl_node *v, const char *opt, bool quantities,
				   uint32_t *count)
{
	*count = 0;
	if (v->kind == FL_DICT && v->list.count == 0)
		return NULL;
	if (v->kind != FL_RECORD && v->kind != FL_DICT) {
		fl_error(k->c, v->loc, "%s takes a record, as in %s = { %s }", opt, opt,
			 quantities ? "cpu = \"500m\", mem = \"1Gi\"" : "NAME = \"value\"");
		return NULL;
	}
	struct fl_kv *kv = fl_zalloc(k->a, (v->list.count + 1) * sizeof *kv);
	uint32_t n = 0;
	for (const struct fl_node *f = v->list.head; f != NULL; f = f->next) {
		const char *key;
		const struct fl_node *val;
		struct fl_loc key_loc;
		if (f->kind == FL_BINDING) {
			key = f->binding.name.str;
			key_loc = f->binding.name.loc;
			val = f->binding.value;
		} else {
			if (f->pair.key->kind != FL_STRING || f->pair.key->str.len == 0) {
				fl_error(k->c, f->pair.key->loc, "%s keys must be non-empty strings", opt);
				continue;
			}
			if (!nul_free(k, f->pair.key))
				continue;
			key = f->pair.key->str.bytes;
			key_loc = f->pair.key->loc;
			val = f->pair.value;
		}
		bool dup = false;
		for (uint32_t i = 0; i < n; i++)
			dup |= strcmp(kv[i].key, key) == 0;
		if (dup) {
			fl_error(k->c, key_loc, "%s gives '%s' twice", opt, key);
			continue;
		}
		if (quantities) {
			bool known = false;
			for (size_t i = 0; i < FL_ARRAY_LEN(resource_keys); i++)
				known |= strcmp(key, resource_keys[i]) == 0;
			if (!known) {
				fl_error(k->c, key_loc, "unknown resource '%s' (the resources are cpu, mem, gpu, ephemeral_storage)%s",
					 key, suggest_words(k, key, resource_keys, FL_ARRAY_LEN(resource_keys)));
				continue;
			}
		}
		const char *text;
		if (val->kind == FL_STRING && !nul_free(k, val)) {
			continue;
		} else if (val->kind == FL_STRING) {
			text = val->str.bytes;
		} else if (quantities && val->kind == FL_INT && val->ival >= 0) {
			text = fl_sprintf(k->a, "%" PRId64, val->ival);
		} else {
			fl_error(k->c, val->loc, "%s.%s takes a string%s, not %s", opt, key,
				 quantities ? " (a quantity such as \"500m\" or \"1Gi\")" : "", literal_kind(val));
			continue;
		}
		double q;
		if (quantities && !fl_quantity_parse(text, &q)) {
			fl_error(k->c, val->loc, "'%s' is not a resource quantity (examples: \"500m\", \"2\", \"256Mi\", \"1Gi\")",
				 text);
			continue;
		}
		kv[n].key = key;
		kv[n].value = text;
		kv[n].loc = val->loc;
		n++;
	}
	*count = n;
	return kv;
}

/* Reads one option into `o` (or, for map-only options, into `map`). */
static void check_option(struct checker *k, const struct fl_node *b, unsigned where, struct fl_options *o,
			 struct fl_map_info *map)
{
	const char *name = b->binding.name.str;
	const struct fl_node *v = b->binding.value;
	unsigned allowed = 0;
	for (size_t i = 0; i < FL_ARRAY_LEN(option_names); i++)
		if (strcmp(option_names[i].name, name) == 0)
			allowed = option_names[i].where;
	if ((allowed & where) == 0) {
		const char *cands[FL_ARRAY_LEN(option_names)];
		size_t nc = 0;
		for (size_t i = 0; i < FL_ARRAY_LEN(option_names); i++)
			if (option_names[i].where & where)
				cands[nc++] = option_names[i].name;
		const char *place = where == OPT_TASK ? "a task" : where == OPT_MAP ? "a map" : "with { }";
		if (allowed == OPT_MAP)
			fl_error(k->c, b->binding.name.loc, "'%s' is not an option of %s; it is a map option, as in map(t, %s=...)",
				 name, place, name);
		else if (allowed != 0)
			fl_error(k->c, b->binding.name.loc, "'%s' is not an option of %s; set it on the task or the map", name,
				 place);
		else
			fl_error(k->c, b->binding.name.loc, "unknown option '%s'%s", name, suggest_words(k, name, cands, nc));
		return;
	}
	if (strcmp(name, "retries") == 0) {
		if (v->kind != FL_INT || v->ival < 0 || v->ival > INT32_MAX)
			fl_error(k->c, v->loc, "retries takes a whole number from 0 to %d", INT32_MAX);
		else
			o->has_retries = true, o->retries = v->ival;
	} else if (strcmp(name, "timeout") == 0) {
		if (v->kind == FL_INT)
			fl_error(k->c, v->loc, "timeout takes a duration: write %" PRId64 "s, not %" PRId64, v->ival, v->ival);
		else if (v->kind != FL_DURATION || v->ival <= 0)
			fl_error(k->c, v->loc, "timeout takes a positive duration, as in 30s or 1h");
		else
			o->has_timeout = true, o->timeout_ns = v->ival;
	} else if (strcmp(name, "cache") == 0) {
		if (v->kind != FL_STRING || v->str.len == 0)
			fl_error(k->c, v->loc, "cache takes a cache version string, as in cache = \"1.0\"");
		else if (nul_free(k, v))
			o->cache = v->str.bytes;
	} else if (strcmp(name, "interruptible") == 0) {
		if (v->kind != FL_BOOL)
			fl_error(k->c, v->loc, "interruptible takes true or false");
		else
			o->has_interruptible = true, o->interruptible = v->bval;
	} else if (strcmp(name, "requests") == 0) {
		o->requests = string_record(k, v, "requests", true, &o->nrequests);
	} else if (strcmp(name, "limits") == 0) {
		o->limits = string_record(k, v, "limits", true, &o->nlimits);
	} else if (strcmp(name, "env") == 0) {
		o->env = string_record(k, v, "env", false, &o->nenv);
	} else if (strcmp(name, "image") == 0) {
		if (v->kind != FL_STRING || v->str.len == 0)
			fl_error(k->c, v->loc, "image takes a container image name, as in \"ghcr.io/org/app:1.0\"");
		else if (nul_free(k, v))
			o->image = v->str.bytes;
	} else if (strcmp(name, "concurrency") == 0) {
		if (v->kind != FL_INT || v->ival < 0 || v->ival > (int64_t)UINT32_MAX)
			fl_error(k->c, v->loc, "concurrency takes a whole number from 0 (no limit) to %u", UINT32_MAX);
		else
			map->has_concurrency = true, map->concurrency = (uint32_t)v->ival;
	} else if (strcmp(name, "min_success_ratio") == 0) {
		double r = v->kind == FL_FLOAT ? v->fval : v->kind == FL_INT ? (double)v->ival : NAN;
		if (v->kind != FL_FLOAT && v->kind != FL_INT)
			fl_error(k->c, v->loc, "min_success_ratio takes a number between 0 and 1");
		else if (!(r >= 0.0 && r <= 1.0))
			fl_error(k->c, v->loc, "min_success_ratio must be between 0 and 1, not %.*s", (int)(v->loc.end_off - v->loc.off),
				 k->c->sources[v->loc.file]->text + v->loc.off);
		else
			map->has_ratio = true, map->ratio = r, map->ratio_loc = b->loc, map->ratio_is_int = v->kind == FL_INT;
	} else if (strcmp(name, "min_successes") == 0) {
		if (v->kind != FL_INT || v->ival < 0)
			fl_error(k->c, v->loc, "min_successes takes a whole number >= 0");
		else
			map->has_min_successes = true, map->min_successes = v->ival, map->min_successes_loc = b->loc;
	} else if (strcmp(name, "legacy") == 0) {
		if (v->kind != FL_BOOL)
			fl_error(k->c, v->loc, "legacy takes true or false");
		else
			map->legacy = v->bval;
	}
}

/* Requests must not exceed limits (Kubernetes rejects such pods). */
static void check_resources(struct checker *k, const struct fl_options *o)
{
	for (uint32_t i = 0; i < o->nrequests; i++) {
		for (uint32_t j = 0; j < o->nlimits; j++) {
			double rq, lm;
			if (strcmp(o->requests[i].key, o->limits[j].key) != 0 || !fl_quantity_parse(o->requests[i].value, &rq)
			    || !fl_quantity_parse(o->limits[j].value, &lm))
				continue;
			if (rq > lm) {
				fl_error(k->c, o->requests[i].loc, "requests.%s (%s) is more than limits.%s (%s)",
					 o->requests[i].key, o->requests[i].value, o->limits[j].key, o->limits[j].value);
				fl_note(k->c, o->limits[j].loc, "the limit is set here");
			}
		}
	}
}

static void check_options(struct checker *k, const struct fl_list *opts, unsigned where, struct fl_options *o,
			  struct fl_map_info *map)
{
	for (const struct fl_node *b = opts->head; b != NULL; b = b->next) {
		for (const struct fl_node *prev = opts->head; prev != b; prev = prev->next) {
			if (prev->binding.name.str == b->binding.name.str) {
				fl_error(k->c, b->binding.name.loc, "option '%s' is given twice", b->binding.name.str);
				fl_note(k->c, prev->binding.name.loc, "first given here");
				goto next;
			}
		}
		check_option(k, b, where, o, map);
next:;
	}
	check_resources(k, o);
}

/* ---- signatures ------------------------------------------------------- */

static void sig_from_decl(struct checker *k, struct fl_entity *e)
{
	const struct fl_node *d = e->decl;
	struct fl_sig *s = &e->sig;
	s->nin = d->sig.params.count;
	s->in = fl_zalloc(k->a, (s->nin + 1) * sizeof *s->in);
	uint32_t i = 0;
	struct fl_ptrmap names;
	fl_ptrmap_init(k->a, &names, s->nin);
	for (const struct fl_node *p = d->sig.params.head; p != NULL; p = p->next, i++) {
		struct fl_var *v = &s->in[i];
		v->name = p->param.name.str;
		v->loc = p->param.name.loc;
		v->type = resolve_type(k, p->param.type);
		int64_t j = v->name != NULL ? fl_ptrmap_add(&names, v->name, i) : -1;
		if (j >= 0) {
			fl_error(k->c, v->loc, "input '%s' is declared twice", v->name);
			fl_note(k->c, s->in[j].loc, "first declared here");
		}
		/* A wrong default is reported here and still counts as a default,
		 * so that calls leaving the input out are not reported too. */
		if (p->param.dflt != NULL) {
			check_literal(k, p->param.dflt, v->type, &(struct place){.fmt = "the default of '%s'", .a = v->name});
			v->dflt = p->param.dflt;
		}
	}
	s->nout = d->sig.outputs.count;
	s->single_output = d->sig.outform == FL_OUT_SINGLE;
	s->out = fl_zalloc(k->a, (s->nout + 1) * sizeof *s->out);
	i = 0;
	fl_ptrmap_init(k->a, &names, s->nout);
	for (const struct fl_node *p = d->sig.outputs.head; p != NULL; p = p->next, i++) {
		struct fl_var *v = &s->out[i];
		v->name = p->param.name.str;
		v->loc = p->param.name.str ? p->param.name.loc : p->loc;
		v->type = resolve_type(k, p->param.type);
		int64_t j = v->name != NULL ? fl_ptrmap_add(&names, v->name, i) : -1;
		if (j >= 0) {
			fl_error(k->c, v->loc, "output '%s' is declared twice", v->name);
			fl_note(k->c, s->out[j].loc, "first declared here");
		}
	}
	e->ok = true;
}

static void resolve_sig(struct checker *k, struct fl_entity *e);

/* A map's target: a task or a launch plan. */
static struct fl_entity *map_target(struct checker *k, const struct fl_node *map)
{
	const char *name = map->map.target.str;
	if (name == NULL)
		return NULL;  /* map(<syntax error>): the parser reported it */
	struct fl_entity *t = lookup(k, name);
	struct fl_loc loc = map->map.target.loc;
	if (t == NULL) {
		fl_error(k->c, loc, "unknown task '%s'%s", name,
			 suggest_entity(k, name, 1u << FL_E_TASK | 1u << FL_E_LAUNCHPLAN));
		return NULL;
	}
	switch (t->kind) {
	case FL_E_TASK:
	case FL_E_LAUNCHPLAN:
		return t;
	case FL_E_WORKFLOW:
		fl_error(k->c, loc, "cannot map over workflow '%s'; map over a launch plan of it "
			 "(launchplan %s_lp for %s {}) instead", name, name, name);
		return NULL;
	case FL_E_MAP:
		fl_error(k->c, loc, "cannot map over map '%s'; map over a task or a launch plan", name);
		if (t->map.target != NULL)
			fl_note(k->c, t->decl->loc, "'%s' maps task '%s'", name, t->map.target->name);
		return NULL;
	case FL_E_ENUM:
		fl_error(k->c, loc, "'%s' is an enum, not a task; map over a task or a launch plan", name);
		return NULL;
	}
	return NULL;
}

/* Partial bindings and options of a map; values are literals in a map
 * declaration, and may be workflow values in an inline map (the caller
 * checks those, with `value_ok` false). */
static void map_sig(struct checker *k, struct fl_entity *e, const struct fl_node *map, bool literal_values)
{
	struct fl_map_info *mi = &e->map;
	mi->partial = map;
	check_options(k, &map->map.options, OPT_MAP, &mi->elem, mi);
	if (mi->has_ratio && mi->has_min_successes) {
		fl_error(k->c, mi->min_successes_loc, "give min_successes or min_success_ratio, not both");
		fl_note(k->c, mi->ratio_loc, "min_success_ratio is given here");
	}
	mi->optional_outputs = (mi->has_ratio && mi->ratio < 1.0) || mi->has_min_successes;
	struct fl_entity *t = map_target(k, map);
	mi->target = t;
	if (t == NULL)
		return;
	resolve_sig(k, t);
	if (!t->ok)
		return;
	/* Several outputs may be mapped, each becoming a list: flytekit refuses
	 * this, but flytepropeller gathers every output variable. */
	size_t nb = map->map.partial.count;
	const char **bound = fl_alloc(k->a, (nb + 1) * sizeof *bound);
	const struct fl_node **values = fl_alloc(k->a, (nb + 1) * sizeof *values);
	size_t n = 0;
	/* each binding, by name, for "binds twice" */
	const struct fl_node **bindings = fl_alloc(k->a, (nb + 1) * sizeof *bindings);
	uint32_t nbindings = 0;
	struct fl_ptrmap seen;
	fl_ptrmap_init(k->a, &seen, nb);
	for (const struct fl_node *b = map->map.partial.head; b != NULL; b = b->next) {
		const char *name = b->binding.name.str;
		bindings[nbindings] = b;
		int64_t first = name != NULL ? fl_ptrmap_add(&seen, name, nbindings) : -1;
		nbindings++;
		int idx = fl_sig_input(&t->sig, name);
		if (idx < 0) {
			const char *fixed = "";
			if (t->kind == FL_E_LAUNCHPLAN && t->lp.workflow != NULL
			    && fl_sig_input(&t->lp.workflow->sig, name) >= 0)
				fixed = " (it is fixed by the launch plan)";
			fl_error(k->c, b->binding.name.loc, "partial binds '%s', but %s '%s' has no input '%s'%s%s", name,
				 kind_word(t->kind), t->name, name, fixed,
				 *fixed ? "" : suggest_var(k, name, t->sig.in, t->sig.nin));
			continue;
		}
		if (first >= 0) {
			fl_error(k->c, b->binding.name.loc, "partial binds '%s' twice", name);
			fl_note(k->c, bindings[first]->binding.name.loc, "first bound here");
			continue;
		}
		const struct fl_var *in = &t->sig.in[idx];
		if (literal_values) {
			check_literal(k, b->binding.value, in->type,
				      &(struct place){.fmt = "input '%s' of %s '%s'", .a = name, .b = kind_word(t->kind),
						     .c = t->name});
		}
		if (mi->legacy && b->binding.value->kind == FL_LIST)
			fl_error(k->c, b->binding.value->loc, "a legacy map cannot bind a list with partial "
				 "(the container_array plugin would not pass it whole); drop legacy=true");
		bound[n] = name;
		values[n] = b->binding.value;
		n++;
	}
	if (mi->legacy && mi->has_min_successes)
		fl_error(k->c, mi->min_successes_loc, "a legacy map does not support min_successes; use min_success_ratio");
	if (mi->legacy && t->kind == FL_E_LAUNCHPLAN)
		fl_error(k->c, map->loc, "a legacy map can only map a task, not launch plan '%s'", t->name);
	e->sig = fl_sig_lift(k->a, &t->sig, bound, values, n, mi->optional_outputs);
	e->sig.single_output = t->sig.single_output;
	e->ok = true;
}

/* Cron: five fields, each a list of `*`, `?` (day fields only), N or N-M,
 * each optionally followed by /STEP; months and weekdays may be named
 * (JAN-DEC, SUN-SAT). The ranges are Flyte's: minute 0-59, hour 0-23,
 * day of month 1-31, month 1-12, day of week 0-6. */
static const struct cron_field {
	const char *name;
	int lo, hi;
	const char *const *names;  /* names of lo, lo+1, ... or NULL */
} cron_fields[] = {
	{"minute", 0, 59, NULL},
	{"hour", 0, 23, NULL},
	{"day-of-month", 1, 31, NULL},
	{"month", 1, 12, (const char *const[]){"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT",
					     "NOV", "DEC"}},
	{"day-of-week", 0, 6, (const char *const[]){"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}},
};

/* One value of a field at *p, advancing p: its number, or -1. */
static int cron_value(const struct cron_field *f, const char **p, const char *end)
{
	const char *q = *p;
	if (q < end && *q >= '0' && *q <= '9') {
		int v = 0;
		while (q < end && *q >= '0' && *q <= '9' && v <= 1000)
			v = v * 10 + (*q++ - '0');
		*p = q;
		return v >= f->lo && v <= f->hi ? v : -1;
	}
	if (f->names == NULL || end - q < 3)
		return -1;
	for (int i = 0; i <= f->hi - f->lo; i++) {
		int j = 0;
		while (j < 3 && (q[j] & ~0x20) == f->names[i][j])
			j++;
		if (j == 3 && (q + 3 == end || !((q[3] | 0x20) >= 'a' && (q[3] | 0x20) <= 'z'))) {
			*p = q + 3;
			return f->lo + i;
		}
	}
	return -1;
}

static bool cron_field_ok(const struct cron_field *f, bool day, const char *p, const char *end)
{
	for (;;) {
		if (p < end && (*p == '*' || (*p == '?' && day))) {
			p++;
		} else {
			int a = cron_value(f, &p, end);
			if (a < 0)
				return false;
			if (p < end && *p == '-') {
				p++;
				int b = cron_value(f, &p, end);
				if (b < a)
					return false;
			}
		}
		if (p < end && *p == '/') {
			p++;
			int step = 0;
			if (!(p < end && *p >= '0' && *p <= '9'))
				return false;
			while (p < end && *p >= '0' && *p <= '9' && step <= 1000)
				step = step * 10 + (*p++ - '0');
			if (step == 0)
				return false;
		}
		if (p == end)
			return true;
		if (*p++ != ',' || p == end)
			return false;
	}
}

/* Reports a schedule that is not a cron expression; true when it is one. */
static bool check_cron(struct checker *k, const struct fl_node *v)
{
	const char *s = v->str.bytes;
	const char *start[6], *end[6];
	int n = 0;
	for (const char *q = s; *q;) {
		while (*q == ' ' || *q == '\t')
			q++;
		if (!*q)
			break;
		if (n < 6)
			start[n] = q;
		while (*q && *q != ' ' && *q != '\t')
			q++;
		if (n < 6)
			end[n] = q;
		n++;
	}
	if (n != 5 || strlen(s) != v->str.len) {
		fl_error(k->c, v->loc, "schedule is not a cron expression: it takes five fields "
			 "(minute hour day-of-month month day-of-week) or @hourly, @daily, ...");
		return false;
	}
	for (int i = 0; i < 5; i++) {
		const struct cron_field *f = &cron_fields[i];
		if (!cron_field_ok(f, i == 2 || i == 4, start[i], end[i])) {
			fl_error(k->c, v->loc, "schedule: the %s field '%.*s' is not valid; it takes *, numbers from %d to %d%s, "
				 "ranges (a-b), lists (a,b) and steps (*/n)", f->name, (int)(end[i] - start[i]), start[i], f->lo,
				 f->hi, i == 3 ? " or JAN-DEC" : i == 4 ? " or SUN-SAT" : "");
			return false;
		}
	}
	return true;
}

/* A launch plan: its workflow's inputs less the fixed ones; defaults
 * from the plan, else the workflow. */
static void lp_sig(struct checker *k, struct fl_entity *e)
{
	const struct fl_node *d = e->decl;
	const char *wname = d->lp.workflow.str;
	struct fl_entity *w = lookup(k, wname);
	if (w == NULL) {
		fl_error(k->c, d->lp.workflow.loc, "unknown workflow '%s'%s", wname,
			 suggest_entity(k, wname, 1u << FL_E_WORKFLOW));
		return;
	}
	if (w->kind != FL_E_WORKFLOW) {
		fl_error(k->c, d->lp.workflow.loc, "a launch plan is for a workflow; '%s' is a %s", wname,
			 kind_word(w->kind));
		return;
	}
	e->lp.workflow = w;
	resolve_sig(k, w);
	if (!w->ok)
		return;
	const struct fl_node *fixed = NULL, *defaults = NULL;
	for (const struct fl_node *b = d->lp.options.head; b != NULL; b = b->next) {
		const char *name = b->binding.name.str;
		const struct fl_node *v = b->binding.value;
		const struct fl_node *first = NULL;
		for (const struct fl_node *prev = d->lp.options.head; prev != b && first == NULL; prev = prev->next)
			if (prev->binding.name.str == name)
				first = prev;
		if (first != NULL) {
			fl_error(k->c, b->binding.name.loc, "option '%s' is given twice", name);
			fl_note(k->c, first->binding.name.loc, "first given here");
			continue;
		}
		if (strcmp(name, "fixed") == 0 || strcmp(name, "defaults") == 0) {
			if (v->kind == FL_DICT && v->list.count == 0)
				continue;
			if (v->kind != FL_RECORD) {
				fl_error(k->c, v->loc, "%s takes a record of workflow inputs, as in %s = { name = value }", name,
					 name);
				continue;
			}
			for (const struct fl_node *f = v->list.head; f != NULL; f = f->next) {
				int idx = fl_sig_input(&w->sig, f->binding.name.str);
				if (idx < 0) {
					fl_error(k->c, f->binding.name.loc, "workflow '%s' has no input '%s'%s", wname,
						 f->binding.name.str, suggest_var(k, f->binding.name.str, w->sig.in, w->sig.nin));
					continue;
				}
				check_literal(k, f->binding.value, w->sig.in[idx].type,
					      &(struct place){.fmt = "input '%s' of workflow '%s'", .a = f->binding.name.str,
							     .b = wname});
				for (const struct fl_node *g = v->list.head; g != f; g = g->next)
					if (g->binding.name.str == f->binding.name.str)
						fl_error(k->c, f->binding.name.loc, "'%s' is given twice", f->binding.name.str);
			}
			if (name[0] == 'f')
				fixed = v;
			else
				defaults = v;
		} else if (strcmp(name, "schedule") == 0) {
			if (v->kind != FL_STRING) {
				fl_error(k->c, v->loc, "schedule takes a cron expression string, as in \"0 3 * * *\"");
				continue;
			}
			const char *s = v->str.bytes;
			static const char *const aliases[] = {"@yearly", "@annually", "@monthly", "@weekly", "@daily",
							      "@midnight", "@hourly"};
			bool alias = false;
			for (size_t i = 0; i < FL_ARRAY_LEN(aliases); i++)
				alias |= strcmp(s, aliases[i]) == 0;
			if (alias || check_cron(k, v))
				e->lp.schedule = s;
		} else {
			static const char *const lp_opts[] = {"fixed", "defaults", "schedule"};
			const char *hint = suggest_words(k, name, lp_opts, FL_ARRAY_LEN(lp_opts));
			fl_error(k->c, b->binding.name.loc, "unknown launch plan option '%s'%s", name,
				 *hint ? hint : " (a launch plan takes fixed, defaults and schedule)");
		}
	}
	e->lp.fixed = fixed;
	e->lp.defaults = defaults;
	if (fixed != NULL && defaults != NULL) {
		for (const struct fl_node *f = fixed->list.head; f != NULL; f = f->next)
			for (const struct fl_node *g = defaults->list.head; g != NULL; g = g->next)
				if (f->binding.name.str == g->binding.name.str) {
					fl_error(k->c, g->binding.name.loc, "'%s' is both fixed and given a default",
						 g->binding.name.str);
					fl_note(k->c, f->binding.name.loc, "fixed here");
				}
	}
	struct fl_sig *s = &e->sig;
	s->in = fl_zalloc(k->a, (w->sig.nin + 1) * sizeof *s->in);
	for (uint32_t i = 0; i < w->sig.nin; i++) {
		struct fl_var v = w->sig.in[i];
		bool is_fixed = false;
		for (const struct fl_node *f = fixed ? fixed->list.head : NULL; f != NULL; f = f->next)
			is_fixed |= f->binding.name.str == v.name;
		if (is_fixed)
			continue;
		for (const struct fl_node *g = defaults ? defaults->list.head : NULL; g != NULL; g = g->next)
			if (g->binding.name.str == v.name)
				v.dflt = g->binding.value;
		s->in[s->nin++] = v;
	}
	s->out = w->sig.out;
	s->nout = w->sig.nout;
	s->single_output = w->sig.single_output;
	if (e->lp.schedule != NULL) {
		for (uint32_t i = 0; i < s->nin; i++)
			if (s->in[i].dflt == NULL && s->in[i].type->kind != FL_T_OPTIONAL)
				fl_error(k->c, d->lp.name.loc, "scheduled launch plan '%s' gives no value for required input '%s' "
					 "of workflow '%s'; fix it or give it a default", e->name, s->in[i].name, wname);
	}
	e->ok = true;
}

static void resolve_sig(struct checker *k, struct fl_entity *e)
{
	if (e->state == 2)
		return;
	if (e->state == 1) {
		fl_error(k->c, e->decl->loc, "%s '%s' depends on itself", kind_word(e->kind), e->name);
		return;
	}
	e->state = 1;
	switch (e->kind) {
	case FL_E_TASK:
	case FL_E_WORKFLOW:
		sig_from_decl(k, e);
		break;
	case FL_E_MAP:
		map_sig(k, e, e->decl->kind == FL_MAPDECL ? e->decl->mapdecl.map : e->decl, true);
		break;
	case FL_E_LAUNCHPLAN:
		lp_sig(k, e);
		break;
	case FL_E_ENUM:
		e->ok = true;
		break;
	}
	if (e->ok)
		fl_sig_build_index(k->a, &e->sig);
	e->state = 2;
}

/* ---- workflows -------------------------------------------------------- */

static struct fl_wf_value *scope_find(struct checker *k, const char *name)
{
	int64_t i = name != NULL ? fl_ptrmap_get(&k->scope_index, name) : -1;
	return i >= 0 ? k->scope[i] : NULL;
}

static void scope_add(struct checker *k, struct fl_wf_value *v)
{
	if (k->nscope == k->scope_cap) {
		uint32_t ncap = k->scope_cap ? k->scope_cap * 2 : 16;
		k->scope = fl_realloc(k->a, k->scope, k->scope_cap * sizeof *k->scope, ncap * sizeof *k->scope);
		k->scope_cap = ncap;
	}
	if (v->name != NULL)
		fl_ptrmap_set(&k->scope_index, v->name, k->nscope);
	k->scope[k->nscope++] = v;
}

/* A name assigned later in the body, for "used before it is assigned". */
static const struct fl_node *assigned_later(const struct fl_node *from, const char *name)
{
	for (const struct fl_node *s = from; s != NULL; s = s->next)
		if (s->kind == FL_ASSIGN && s->binding.name.str == name)
			return s;
	return NULL;
}

static const struct fl_type *check_expr(struct checker *k, struct fl_node *n, const struct fl_node *rest);

/* check_expr where one value is taken (an argument, a returned value): a
 * call there must have exactly one output. */
static const struct fl_type *check_value(struct checker *k, struct fl_node *n, const struct fl_node *rest)
{
	const struct fl_type *t = check_expr(k, n, rest);
	if (n->kind != FL_CALL && n->kind != FL_WITH)
		return t;
	const struct fl_wf_node *node = n->sema;
	if (node == NULL || node->target->sig.nout == 1)
		return t;
	const struct fl_entity *e = node->target;
	if (e->sig.nout == 0) {
		fl_error(k->c, n->loc, "%s '%s' has no outputs, so this call gives no value", kind_word(e->kind), e->name);
	} else {
		const char *names = "";
		for (uint32_t i = 0; i < e->sig.nout; i++)
			names = fl_sprintf(k->a, "%s%s%s", names, i ? ", " : "", e->sig.out[i].name);
		fl_error(k->c, n->loc, "%s '%s' has several outputs (%s); pick one, as in %s(...).%s", kind_word(e->kind),
			 e->name, names, e->decl->kind == FL_MAP ? "map(...)" : e->name, e->sig.out[0].name);
	}
	return NULL;
}

/* Where a map made failed elements none, a note saying so. */
static void explain_optional(struct checker *k, const struct fl_node *arg)
{
	const struct fl_wf_node *node = NULL;
	if (arg->kind == FL_CALL || arg->kind == FL_WITH) {
		node = arg->kind == FL_CALL ? arg->sema : arg->with.call->sema;
	} else if (arg->kind == FL_NAME || arg->kind == FL_MEMBER) {
		const struct fl_wf_value *v = arg->sema;
		node = v && v->input < 0 ? v->node : NULL;
	}
	if (node == NULL || node->target->kind != FL_E_MAP)
		return;
	const struct fl_map_info *mi = &node->target->map;
	if (mi->has_ratio && mi->ratio < 1.0)
		fl_note(k->c, mi->ratio_loc, "min_success_ratio < 1 makes failed elements none");
	else if (mi->has_min_successes)
		fl_note(k->c, mi->min_successes_loc, "min_successes makes failed elements none");
}

/* Says that a map made an input a list. */
static void lift_note(struct checker *k, const struct fl_entity *map, const struct fl_var *in)
{
	fl_note(k->c, map->decl->loc, "map '%s' lifts '%s' from %s to %s: pass a list", map->name, in->name,
		T(k, in->type->elem), T(k, in->type));
}

/* Checks one argument value against the input it is passed to. */
static void check_arg(struct checker *k, struct fl_entity *target, const struct fl_var *in, struct fl_node *val,
		      const struct fl_node *rest)
{
	const struct place w = {.fmt = "input '%s' of %s '%s'", .a = in->name, .b = kind_word(target->kind),
			       .c = target->name};
#define what what_str(k, &w)
	bool lifted = target->kind == FL_E_MAP && !in->bound && in->type->kind == FL_T_LIST;
	if (is_literal(val) && (val->kind != FL_MEMBER || enum_of_member(k, val) != NULL)) {
		if (!check_literal(k, val, in->type, &w)) {
			if (lifted && val->kind != FL_LIST)
				lift_note(k, target, in);
			return;
		}
		val->ty = in->type;
		return;
	}
	if (val->kind == FL_LIST) {
		/* a list of workflow values: a collection binding */
		if (in->type->kind != FL_T_LIST) {
			fl_error(k->c, val->loc, "%s has type %s, but the value is a list", what, T(k, in->type));
			return;
		}
		struct fl_var elem = *in;
		elem.type = in->type->elem;
		for (struct fl_node *e = val->list.head; e != NULL; e = e->next)
			check_arg(k, target, &elem, e, rest);
		val->ty = in->type;
		return;
	}
	const struct fl_type *t = check_value(k, val, rest);
	if (t == NULL || fl_type_assignable(in->type, t))
		return;
	fl_error(k->c, val->loc, "%s has type %s, but the value has type %s", what, T(k, in->type), T(k, t));
#undef what
	if (lifted && fl_type_assignable(in->type->elem, t))
		lift_note(k, target, in);
	else if (fl_type_assignable(fl_type_optional(k->a, in->type), t) || (t->kind == FL_T_LIST && in->type->kind == FL_T_LIST))
		explain_optional(k, val);
}

/* A call: resolves the target, matches the keyword arguments, and records a
 * workflow node. Returns the node, or NULL after an error. */
static struct fl_wf_node *check_call(struct checker *k, struct fl_node *call, const struct fl_node *rest)
{
	struct fl_node *callee = call->call.callee;
	struct fl_entity *target = NULL;
	if (callee->kind == FL_NAME) {
		const char *name = callee->name.str;
		target = lookup(k, name);
		if (target == NULL) {
			if (scope_find(k, name) != NULL)
				fl_error(k->c, callee->loc, "'%s' is a value, not a task", name);
			else
				fl_error(k->c, callee->loc, "unknown task '%s'%s", name,
					 suggest_entity(k, name, 1u << FL_E_TASK | 1u << FL_E_MAP | 1u << FL_E_WORKFLOW
								   | 1u << FL_E_LAUNCHPLAN));
			return NULL;
		}
		if (target->kind == FL_E_ENUM) {
			fl_error(k->c, callee->loc, "'%s' is an enum and cannot be called", name);
			return NULL;
		}
		if (target == k->wf) {
			fl_error(k->c, callee->loc, "workflow '%s' cannot call itself: it would never end", name);
			return NULL;
		}
	} else if (callee->kind == FL_MAP) {
		/* an inline map: an anonymous map entity, named after the workflow node */
		target = FL_NEW(k->a, struct fl_entity);
		target->kind = FL_E_MAP;
		target->decl = callee;
		/* "map(t)" in messages; named after its node at the end of the workflow */
		target->name = fl_sprintf(k->a, "map(%s)", callee->map.target.str ? callee->map.target.str : "...");
		target->state = 1;
		map_sig(k, target, callee, false);
		if (target->ok)
			fl_sig_build_index(k->a, &target->sig);
		target->state = 2;
		/* partial values here are workflow values or literals */
		if (target->ok) {
			for (struct fl_node *b = callee->map.partial.head; b != NULL; b = b->next) {
				int idx = fl_sig_input(&target->sig, b->binding.name.str);
				if (idx >= 0)
					check_arg(k, target->map.target, &target->map.target->sig.in[idx], b->binding.value,
						  rest);
			}
		}
		push_entity(k, target);
		if (!target->ok)
			return NULL;
	} else {
		fl_error(k->c, callee->loc, "only a task, map, workflow or launch plan can be called");
		return NULL;
	}
	resolve_sig(k, target);
	if (!target->ok)
		return NULL;
	struct fl_wf_node *node = FL_NEW(k->a, struct fl_wf_node);
	node->call = call;
	node->target = target;
	node->args = fl_zalloc(k->a, (target->sig.nin + 1) * sizeof *node->args);
	const struct fl_sig *s = &target->sig;
	uint32_t pos = 0;
	bool positional = false;
	for (struct fl_node *arg = call->call.args.head; arg != NULL; arg = arg->next, pos++) {
		const char *name = arg->binding.name.str;
		if (name == NULL) {
			positional = true;
			if (pos < s->nin)
				fl_error(k->c, arg->loc, "calls take keyword arguments: write %s=...", s->in[pos].name);
			else
				fl_error(k->c, arg->loc, "calls take keyword arguments (name=value)");
			continue;
		}
		int idx = fl_sig_input(s, name);
		if (idx < 0) {
			const struct fl_entity *lp = target->kind == FL_E_MAP ? target->map.target : target;
			if (lp != NULL && lp->kind == FL_E_LAUNCHPLAN && lp->lp.workflow != NULL
			    && fl_sig_input(&lp->lp.workflow->sig, name) >= 0)
				fl_error(k->c, arg->binding.name.loc, "%s '%s' has no input '%s': launch plan '%s' fixes it",
					 kind_word(target->kind), target->name, name, lp->name);
			else
				fl_error(k->c, arg->binding.name.loc, "%s '%s' has no input '%s'%s", kind_word(target->kind),
					 target->name, name, suggest_var(k, name, s->in, s->nin));
			continue;
		}
		if (s->in[idx].bound) {
			fl_error(k->c, arg->binding.name.loc, "input '%s' of map '%s' is already bound by partial<...>",
				 name, target->name);
			for (const struct fl_node *b = target->map.partial->map.partial.head; b != NULL; b = b->next)
				if (b->binding.name.str == name)
					fl_note(k->c, b->loc, "bound here");
			continue;
		}
		if (node->args[idx] != NULL) {
			fl_error(k->c, arg->binding.name.loc, "argument '%s' is given twice", name);
			continue;
		}
		node->args[idx] = arg->binding.value;
		check_arg(k, target, &s->in[idx], arg->binding.value, rest);
	}
	for (uint32_t i = 0; i < s->nin; i++) {
		const struct fl_var *in = &s->in[i];
		if (positional || node->args[i] != NULL || in->bound || in->dflt != NULL
		    || in->type->kind == FL_T_OPTIONAL)
			continue;
		fl_error(k->c, call->loc, "missing argument '%s' (%s) in call to %s '%s'", in->name, T(k, in->type),
			 kind_word(target->kind), target->name);
		const struct fl_entity *mt = target->kind == FL_E_MAP ? target->map.target : NULL;
		if (mt != NULL && i < mt->sig.nin && mt->sig.in[i].dflt != NULL)
			fl_note(k->c, mt->sig.in[i].loc, "'%s' has a default in %s '%s', but a lifted input has none; "
				"pass a list, or bind it with partial<%s=...>", in->name, kind_word(mt->kind), mt->name,
				in->name);
		else if (mt != NULL && i < mt->sig.nin && mt->sig.in[i].type->kind == FL_T_OPTIONAL)
			fl_note(k->c, mt->sig.in[i].loc, "'%s' is optional in %s '%s', but a lifted input is a list and "
				"must be given; pass a list, or bind it with partial<%s=none>", in->name, kind_word(mt->kind),
				mt->name, in->name);
	}
	node->index = k->wf->wf.nnodes++;
	return node;
}

/* Nodes are added in index order: a call's arguments are checked (and
 * their calls numbered) before the call itself. */
static void add_node(struct checker *k, struct fl_wf_node *node)
{
	struct fl_workflow_info *w = &k->wf->wf;
	if (node->index >= k->nodes_cap) {
		uint32_t ncap = k->nodes_cap ? k->nodes_cap * 2 : 16;
		while (ncap <= node->index)
			ncap *= 2;
		w->nodes = fl_realloc(k->a, w->nodes, k->nodes_cap * sizeof *w->nodes, ncap * sizeof *w->nodes);
		k->nodes_cap = ncap;
	}
	w->nodes[node->index] = node;
}

/* The type of an expression in a workflow: a value, an output, a call.
 * NULL after an error, or for a call with several outputs. */
static const struct fl_type *check_expr(struct checker *k, struct fl_node *n, const struct fl_node *rest)
{
	switch (n->kind) {
	case FL_NAME: {
		struct fl_wf_value *v = scope_find(k, n->name.str);
		if (v == NULL) {
			if (assigned_later(rest, n->name.str) != NULL) {
				fl_error(k->c, n->loc, "'%s' is used before it is assigned", n->name.str);
				fl_note(k->c, assigned_later(rest, n->name.str)->binding.name.loc, "assigned here");
			} else if (lookup(k, n->name.str) != NULL) {
				struct fl_entity *e = lookup(k, n->name.str);
				fl_error(k->c, n->loc, "'%s' is a %s; call it to use its outputs", n->name.str, kind_word(e->kind));
			} else if (!suggesting(k)) {
				fl_error(k->c, n->loc, "unknown value '%s'", n->name.str);
			} else {
				const char **cands = fl_alloc(k->a, (k->nscope + 1) * sizeof *cands);
				for (uint32_t i = 0; i < k->nscope; i++)
					cands[i] = k->scope[i]->name;
				fl_error(k->c, n->loc, "unknown value '%s'%s", n->name.str,
					 suggest_words(k, n->name.str, cands, k->nscope));
			}
			return NULL;
		}
		n->sema = v;
		if (v->type == NULL) {
			const struct fl_sig *s = &v->node->target->sig;
			const char *names = "";
			for (uint32_t i = 0; i < s->nout; i++)
				names = fl_sprintf(k->a, "%s%s%s", names, i ? ", " : "", s->out[i].name);
			fl_error(k->c, n->loc, "'%s' has several outputs (%s); pick one, as in %s.%s", v->name, names, v->name,
				 s->nout ? s->out[0].name : "o0");
			return NULL;
		}
		n->ty = v->type;
		return v->type;
	}
	case FL_MEMBER: {
		struct fl_node *obj = n->member.object;
		const struct fl_sig *s = NULL;
		struct fl_wf_value *v = NULL;
		struct fl_wf_node *node = NULL;
		if (obj->kind == FL_NAME && (v = scope_find(k, obj->name.str)) != NULL && v->input < 0 && v->output < 0) {
			obj->sema = v;
			node = v->node;
			if (node == NULL)
				return NULL;  /* the call that made it had an error */
		} else if (obj->kind == FL_CALL || obj->kind == FL_WITH) {
			check_expr(k, obj, rest);
			node = (struct fl_wf_node *)(obj->kind == FL_CALL ? obj->sema : obj->with.call->sema);
			if (node == NULL)
				return NULL;
		} else if (obj->kind == FL_NAME && v != NULL) {
			fl_error(k->c, n->member.name.loc, "'%s' is a single value of type %s; it has no member '%s'", v->name,
				 T(k, v->type), n->member.name.str);
			return NULL;
		} else if (obj->kind == FL_NAME && enum_of_member(k, n) != NULL) {
			fl_error(k->c, n->loc, "an enum member is a literal; it cannot stand alone here");
			return NULL;
		} else if (obj->kind == FL_MEMBER) {
			/* An output is a single value, so a member of one is an
			 * error. The chain a.b.c... is walked, not recursed into:
			 * it may be long. */
			struct fl_node *outer = n, *inner = obj;
			while (inner->member.object->kind == FL_MEMBER) {
				outer = inner;
				inner = inner->member.object;
			}
			const struct fl_type *t = check_expr(k, inner, rest);
			if (t != NULL && t->kind != FL_T_ERROR)
				fl_error(k->c, outer->member.name.loc, "'%s' is a single value of type %s; it has no member '%s'",
					 inner->member.name.str, T(k, t), outer->member.name.str);
			return NULL;
		} else {
			check_expr(k, obj, rest);
			return NULL;
		}
		s = &node->target->sig;
		int idx = fl_sig_output(s, n->member.name.str);
		if (idx < 0) {
			fl_error(k->c, n->member.name.loc, "%s '%s' has no output '%s'%s", kind_word(node->target->kind),
				 node->target->name, n->member.name.str, suggest_var(k, n->member.name.str, s->out, s->nout));
			return NULL;
		}
		struct fl_wf_value *ov = FL_NEW(k->a, struct fl_wf_value);
		ov->name = n->member.name.str;
		ov->type = s->out[idx].type;
		ov->input = -1;
		ov->node = node;
		ov->output = idx;
		ov->loc = n->loc;
		n->sema = ov;
		n->ty = ov->type;
		return ov->type;
	}
	case FL_CALL: {
		struct fl_wf_node *node = check_call(k, n, rest);
		if (node == NULL)
			return NULL;
		add_node(k, node);
		n->sema = node;
		const struct fl_sig *s = &node->target->sig;
		if (s->nout == 1) {
			n->ty = s->out[0].type;
			return n->ty;
		}
		return NULL;
	}
	case FL_WITH: {
		/* `t(...) with {...} with {...}`: the chain is walked, not
		 * recursed into (it may be long), and its options are checked
		 * from the innermost out. */
		uint32_t depth = 0;
		struct fl_node *call = n;
		for (; call->kind == FL_WITH; call = call->with.call)
			depth++;
		const struct fl_type *t = check_expr(k, call, rest);
		struct fl_wf_node *node = (struct fl_wf_node *)call->sema;
		struct fl_node **chain = fl_alloc(k->a, depth * sizeof *chain);
		uint32_t i = depth;
		for (struct fl_node *w = n; w->kind == FL_WITH; w = w->with.call)
			chain[--i] = w;
		for (i = 0; i < depth; i++) {
			if (node != NULL) {
				node->has_overrides = true;
				check_options(k, &chain[i]->with.options, OPT_WITH, &node->overrides, NULL);
			}
			chain[i]->sema = node;  /* as for a call: every `with` reaches the node */
			chain[i]->ty = t;
		}
		return t;
	}
	case FL_MAP:
		fl_error(k->c, n->loc, "a map must be called with its inputs, as in map(%s)(name=list)",
			 n->map.target.str ? n->map.target.str : "...");
		return NULL;
	default:
		fl_error(k->c, n->loc, "%s is not a workflow value; pass literals directly as call arguments",
			 literal_kind(n));
		return NULL;
	}
}

static void check_workflow(struct checker *k, struct fl_entity *e)
{
	unsigned errors_before = k->c->nerrors;
	k->wf = e;
	k->nscope = 0;
	k->nodes_cap = 0;
	const struct fl_sig *s = &e->sig;
	/* the values: the inputs and at most one a statement */
	fl_ptrmap_init(k->a, &k->scope_index, (size_t)s->nin + e->decl->sig.body.count);
	for (uint32_t i = 0; i < s->nin; i++) {
		struct fl_wf_value *v = FL_NEW(k->a, struct fl_wf_value);
		v->name = s->in[i].name;
		v->type = s->in[i].type;
		v->input = (int)i;
		v->output = -1;
		v->loc = s->in[i].loc;
		scope_add(k, v);
	}
	e->wf.returns = fl_zalloc(k->a, (s->nout + 1) * sizeof *e->wf.returns);
	const struct fl_node *ret = NULL;
	for (struct fl_node *st = e->decl->sig.body.head; st != NULL; st = st->next) {
		if (ret != NULL) {
			fl_error(k->c, st->loc, "statement after return");
			fl_note(k->c, ret->loc, "the workflow returns here");
			break;
		}
		switch (st->kind) {
		case FL_ASSIGN: {
			const char *name = st->binding.name.str;
			struct fl_wf_value *prev = scope_find(k, name);
			struct fl_node *val = st->binding.value;
			const struct fl_type *t = NULL;
			bool is_call = val->kind == FL_CALL || val->kind == FL_WITH;
			if (is_call || val->kind == FL_NAME || val->kind == FL_MEMBER || val->kind == FL_MAP) {
				t = check_expr(k, val, st->next);
			} else {
				fl_error(k->c, val->loc, "a name cannot be given to a literal (%s): a workflow value comes from "
					 "a call or an input; pass the literal directly as a call argument", literal_kind(val));
			}
			if (prev != NULL) {
				fl_error(k->c, st->binding.name.loc, "'%s' is already %s", name,
					 prev->input >= 0 ? "an input of the workflow" : "assigned");
				fl_note(k->c, prev->loc, "%s here", prev->input >= 0 ? "declared" : "assigned");
				break;
			}
			struct fl_wf_value *v = FL_NEW(k->a, struct fl_wf_value);
			v->name = name;
			v->loc = st->binding.name.loc;
			v->input = -1;
			v->output = -1;
			if (is_call) {
				struct fl_wf_node *node = (struct fl_wf_node *)(val->kind == FL_CALL ? val->sema
									   : val->with.call->sema);
				if (node == NULL)
					v->type = fl_type_scalar(FL_T_ERROR);
				else if (node->target->sig.nout == 0) {
					fl_error(k->c, val->loc, "%s '%s' has no outputs; call it as a statement",
						 kind_word(node->target->kind), node->target->name);
					v->type = fl_type_scalar(FL_T_ERROR);
				} else {
					node->value = name;
					v->node = node;
					v->type = t;
					if (node->target->sig.nout == 1)
						v->output = 0;
				}
			} else {
				const struct fl_wf_value *src = val->sema;
				if (src != NULL) {
					v->node = src->node;
					v->input = src->input;
					v->output = src->output;
				}
				v->type = t ? t : fl_type_scalar(FL_T_ERROR);
			}
			scope_add(k, v);
			break;
		}
		case FL_CALL_STMT:
			check_expr(k, st->unary, st->next);
			break;
		case FL_RETURN: {
			ret = st;
			if (st->list.count != s->nout) {
				if (s->nout == 0)
					fl_error(k->c, st->loc, "workflow '%s' has no outputs, but returns %u value%s", e->name,
						 st->list.count, st->list.count == 1 ? "" : "s");
				else
					fl_error(k->c, st->loc, "workflow '%s' has %u output%s, but returns %u value%s", e->name,
						 s->nout, s->nout == 1 ? "" : "s", st->list.count, st->list.count == 1 ? "" : "s");
				break;
			}
			uint32_t i = 0;
			for (struct fl_node *v = st->list.head; v != NULL; v = v->next, i++) {
				e->wf.returns[i] = v;
				const struct fl_type *t;
				if (is_literal(v) && (v->kind != FL_MEMBER || enum_of_member(k, v) != NULL)) {
					check_literal(k, v, s->out[i].type,
						      &(struct place){.fmt = "output '%s' of workflow '%s'", .a = s->out[i].name,
								     .b = e->name});
					continue;
				}
				t = check_value(k, v, NULL);
				if (t != NULL && !fl_type_assignable(s->out[i].type, t)) {
					fl_error(k->c, v->loc, "output '%s' of workflow '%s' has type %s, but the value has type %s",
						 s->out[i].name, e->name, T(k, s->out[i].type), T(k, t));
					explain_optional(k, v);
				}
			}
			break;
		}
		default:
			break;
		}
	}
	/* inline maps are named after their node: "w.n3" */
	for (uint32_t i = 0; i < e->wf.nnodes; i++) {
		struct fl_entity *t = e->wf.nodes[i]->target;
		if (t->kind == FL_E_MAP && t->decl->kind == FL_MAP)
			t->name = intern(k, fl_sprintf(k->a, "%s.n%u", e->name, i));
	}
	if (ret == NULL && s->nout > 0) {
		struct fl_loc end = e->decl->loc;
		end.line = end.end_line;
		end.col = end.end_col > 1 ? end.end_col - 1 : 1;
		end.off = end.end_off > 0 ? end.end_off - 1 : 0;
		fl_error(k->c, end, "workflow '%s' has outputs but no return", e->name);
	}
	if (e->wf.nnodes == 0 && k->c->nerrors == errors_before)
		fl_error(k->c, e->decl->sig.name.loc, "workflow '%s' calls nothing; Flyte needs at least one node in a "
			 "workflow (call a task, map, workflow or launch plan)", e->name);
	k->wf = NULL;
}

/* The workflow a call runs: a workflow, a launch plan's, or that of the
 * launch plan a map runs; NULL for a task. */
static struct fl_entity *called_workflow(struct fl_entity *t)
{
	if (t->kind == FL_E_MAP && t->map.target != NULL)
		t = t->map.target;
	if (t->kind == FL_E_LAUNCHPLAN)
		return t->lp.workflow;
	return t->kind == FL_E_WORKFLOW ? t : NULL;
}

/* A workflow that reaches itself through other workflows or launch plans
 * would never end (a workflow has no conditionals). A depth-first search
 * over the calls, with an explicit stack; colors are kept per slot of the
 * namespace table (0 new, 1 on the stack, 2 done). A direct call of a
 * workflow by itself has no node (check_call reported it). */
static void check_recursion(struct checker *k)
{
	struct frame {
		struct fl_entity *w;
		uint32_t next;
	};
	enum { MAX_SUBWORKFLOW_DEPTH = 64 };
	unsigned char *color = fl_zalloc(k->a, k->cap);
	/* levels of sub-workflows under each workflow: each WorkflowSpec carries
	 * every sub-workflow it reaches, so a deep chain grows quadratically */
	uint32_t *depth = fl_zalloc(k->a, k->cap * sizeof *depth);
	struct frame *stack = fl_alloc(k->a, (k->m->nentities + 1) * sizeof *stack);
	for (uint32_t i = 0; i < k->m->nentities; i++) {
		struct fl_entity *root = k->m->entities[i];
		if (root->kind != FL_E_WORKFLOW || root->decl->kind != FL_WORKFLOW || lookup(k, root->name) != root
		    || color[slot_of(k, root->name)] != 0)
			continue;
		size_t sp = 0;
		stack[sp++] = (struct frame){root, 0};
		color[slot_of(k, root->name)] = 1;
		while (sp > 0) {
			struct frame *f = &stack[sp - 1];
			if (f->next >= f->w->wf.nnodes) {
				uint32_t d = 0;
				for (uint32_t j = 0; j < f->w->wf.nnodes; j++) {
					const struct fl_wf_node *nd = f->w->wf.nodes[j];
					if (nd == NULL || nd->target->kind != FL_E_WORKFLOW || lookup(k, nd->target->name) != nd->target
					    || color[slot_of(k, nd->target->name)] != 2)
						continue;
					uint32_t cd = depth[slot_of(k, nd->target->name)] + 1;
					d = cd > d ? cd : d;
				}
				depth[slot_of(k, f->w->name)] = d;
				if (d == MAX_SUBWORKFLOW_DEPTH + 1)
					fl_error(k->c, f->w->decl->sig.name.loc, "workflow '%s' nests %u levels of sub-workflows "
						 "(the limit is %d); call a launch plan somewhere in the chain instead",
						 f->w->name, d, MAX_SUBWORKFLOW_DEPTH);
				color[slot_of(k, f->w->name)] = 2;
				sp--;
				continue;
			}
			const struct fl_wf_node *node = f->w->wf.nodes[f->next++];
			struct fl_entity *callee = node == NULL ? NULL : called_workflow(node->target);
			if (callee == NULL || lookup(k, callee->name) != callee)
				continue;
			unsigned char c = color[slot_of(k, callee->name)];
			if (c == 2)
				continue;
			if (c == 0) {
				color[slot_of(k, callee->name)] = 1;
				stack[sp++] = (struct frame){callee, 0};
				continue;
			}
			size_t from = sp;
			while (from > 0 && stack[from - 1].w != callee)
				from--;
			const char *path = "";
			if (from < sp) {
				path = fl_sprintf(k->a, " (%s", callee->name);
				for (size_t j = from; j < sp; j++)
					path = fl_sprintf(k->a, "%s -> %s", path, stack[j].w->name);
				path = fl_sprintf(k->a, "%s -> %s)", path, callee->name);
			}
			const struct fl_entity *via = node->target;
			if (via->kind == FL_E_MAP)
				via = via->map.target;
			if (via == callee)
				fl_error(k->c, node->call->call.callee->loc, "workflow '%s' cannot call itself%s: it would never end",
					 callee->name, path);
			else
				fl_error(k->c, node->call->call.callee->loc, "workflow '%s' cannot call itself, here through %s "
					 "'%s'%s: it would never end", callee->name, kind_word(via->kind), via->name, path);
		}
	}
}

/* ---- the module ------------------------------------------------------- */

static enum fl_entity_kind entity_kind(enum fl_node_kind k)
{
	switch (k) {
	case FL_TASK: return FL_E_TASK;
	case FL_MAPDECL: return FL_E_MAP;
	case FL_WORKFLOW: return FL_E_WORKFLOW;
	case FL_LAUNCHPLAN: return FL_E_LAUNCHPLAN;
	default: return FL_E_ENUM;
	}
}

static struct fl_name decl_name(const struct fl_node *d)
{
	switch (d->kind) {
	case FL_TASK: case FL_WORKFLOW: return d->sig.name;
	case FL_MAPDECL: return d->mapdecl.name;
	case FL_LAUNCHPLAN: return d->lp.name;
	default: return d->enumd.name;
	}
}

static void check_module(struct checker *k, struct fl_node *program)
{
	struct fl_module *m = k->m;
	m->name = program->program.module.str;
	uint32_t ndecls = program->program.decls.count;
	k->cap = 16;
	while (k->cap < (size_t)ndecls * 2 + 2)
		k->cap *= 2;
	k->table = fl_zalloc(k->a, k->cap * sizeof *k->table);
	const struct fl_node *image = NULL;
	for (struct fl_node *d = program->program.decls.head; d != NULL; d = d->next) {
		if (d->kind == FL_IMAGE) {
			if (image != NULL) {
				fl_error(k->c, d->loc, "the default image is declared twice");
				fl_note(k->c, image->loc, "first declared here");
			} else if (d->unary->str.len == 0) {
				fl_error(k->c, d->unary->loc, "the image name is empty");
			} else if (nul_free(k, d->unary)) {
				image = d;
				m->image = d->unary->str.bytes;
			}
			continue;
		}
		struct fl_name name = decl_name(d);
		struct fl_entity *prev = lookup(k, name.str);
		if (prev != NULL) {
			fl_error(k->c, name.loc, "'%s' is already declared", name.str);
			fl_note(k->c, decl_name(prev->decl).loc, "previous declaration of %s '%s'", kind_word(prev->kind),
				name.str);
			continue;
		}
		static const char *const reserved[] = {"int", "float", "str", "bool", "datetime", "duration", "bytes",
						       "file", "dir", "list", "dict"};
		bool is_type = false;
		for (size_t i = 0; i < FL_ARRAY_LEN(reserved); i++)
			is_type |= strcmp(name.str, reserved[i]) == 0;
		if (is_type) {
			fl_error(k->c, name.loc, "'%s' is the name of a built-in type", name.str);
			continue;
		}
		struct fl_entity *e = FL_NEW(k->a, struct fl_entity);
		e->kind = entity_kind(d->kind);
		e->name = name.str;
		e->decl = d;
		table_put(k, e);
		push_entity(k, e);
	}
	/* enums: members unique */
	for (uint32_t i = 0; i < m->nentities; i++) {
		struct fl_entity *e = m->entities[i];
		if (e->kind != FL_E_ENUM)
			continue;
		if (e->decl->enumd.members.count == 0)
			fl_error(k->c, e->decl->enumd.name.loc, "enum '%s' has no members", e->name);
		struct fl_ptrmap members;
		fl_ptrmap_init(k->a, &members, e->decl->enumd.members.count);
		for (const struct fl_node *a = e->decl->enumd.members.head; a != NULL; a = a->next)
			if (fl_ptrmap_add(&members, a->name.str, 0) >= 0)
				fl_error(k->c, a->loc, "enum '%s' has member '%s' twice", e->name, a->name.str);
	}
	uint32_t ndeclared = m->nentities;
	/* in declaration order, so that errors come in source order as far as
	 * the signatures allow (a map resolves its target first) */
	for (uint32_t i = 0; i < ndeclared; i++) {
		struct fl_entity *e = m->entities[i];
		resolve_sig(k, e);
		if (e->kind == FL_E_TASK)
			check_options(k, &e->decl->sig.options, OPT_TASK, &e->opts, NULL);
	}
	for (uint32_t i = 0; i < ndeclared; i++) {
		struct fl_entity *e = m->entities[i];
		if (e->kind == FL_E_WORKFLOW && e->ok)
			check_workflow(k, e);
	}
	check_recursion(k);
}

struct fl_module *fl_check(struct fl_ctx *c, struct fl_node *program)
{
	FL_PROTECT(c, saved, NULL);
	struct checker k = {.c = c, .a = c->arena};
	k.m = FL_NEW(c->arena, struct fl_module);
	if (program != NULL)
		check_module(&k, program);
	FL_UNPROTECT(c, saved);
	return k.m;
}

void fl_print_signatures(struct fl_ctx *c, FILE *out, const struct fl_module *m)
{
	FL_PROTECT(c, saved, );
	for (uint32_t i = 0; i < m->nentities; i++) {
		const struct fl_entity *e = m->entities[i];
		if (e->decl->kind == FL_MAP)
			continue;  /* inline maps are shown with their workflow */
		if (e->kind == FL_E_ENUM) {
			fprintf(out, "%s : enum {", e->name);
			for (const struct fl_node *mem = e->decl->enumd.members.head; mem != NULL; mem = mem->next)
				fprintf(out, " %s%s", mem->name.str, mem->next ? "," : "");
			fputs(" }\n", out);
			continue;
		}
		if (!e->ok)
			continue;
		fprintf(out, "%s : %s\n", e->name, fl_sig_str(c->arena, &e->sig));
		if (e->kind == FL_E_WORKFLOW) {
			for (uint32_t j = 0; j < m->nentities; j++) {
				const struct fl_entity *im = m->entities[j];
				size_t len = strlen(e->name);
				if (im->decl->kind == FL_MAP && im->ok && strncmp(im->name, e->name, len) == 0
				    && im->name[len] == '.' && strchr(im->name + len + 1, '.') == NULL)
					fprintf(out, "  %s = map(%s) : %s\n", im->name + len + 1, im->map.target->name,
						fl_sig_str(c->arena, &im->sig));
			}
		}
	}
	FL_UNPROTECT(c, saved);
}
