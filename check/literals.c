/* literals.c: literal values (defaults, partial bindings, launch plan
 * inputs, literal arguments and returns) checked against the type
 * expected for them, and the words that name such places in messages. */
#include "prelude.h"

#include "check_impl.h"

#include <inttypes.h>
#include <string.h>

#include "civil.h"

/* An enum member written `Enum.member`: its enum entity, or NULL. */
struct fl_entity *fl_enum_of_member(struct checker *k, const struct fl_node *n)
{
	if (n->kind != FL_MEMBER || n->member.object->kind != FL_NAME)
		return NULL;
	struct fl_entity *e = fl_ns_lookup(k, n->member.object->name.str);
	return e != NULL && e->kind == FL_E_ENUM ? e : NULL;
}

bool fl_is_literal(const struct fl_node *n)
{
	switch (n->kind) {
	case FL_INT: case FL_FLOAT: case FL_STRING: case FL_BOOL: case FL_NONE: case FL_DURATION:
		return true;
	case FL_LIST: case FL_DICT:
		for (const struct fl_node *c = n->list.head; c != NULL; c = c->next)
			if (!fl_is_literal(c->kind == FL_DICT_ENTRY ? c->pair.value : c))
				return false;
		return true;
	case FL_MEMBER:
		return n->member.object->kind == FL_NAME;  /* an enum member; checked with its type */
	default:
		return false;
	}
}

const char *fl_literal_kind(const struct fl_node *n)
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

/* Strings that reach Flyte are protobuf strings, which protobuf-c keeps
 * NUL-terminated: a \0 in one would cut it short without a word. Only a
 * bytes value may hold one. False after reporting it. */
bool fl_nul_free(struct checker *k, const struct fl_node *n)
{
	if (n->kind != FL_STRING || strlen(n->str.bytes) == n->str.len)
		return true;
	struct fl_loc at = n->loc;
	fl_error(k->c, at, "this string holds a NUL character (\\0), which Flyte cannot take here (only a bytes value "
		 "may hold one)");
	return false;
}

const char *fl_what_str(struct checker *k, const struct place *w)
{
	if (w->outer != NULL)
		return fl_sprintf(k->a, "%s %s", w->fmt, fl_what_str(k, w->outer));
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	/* fmt is always a literal of check/ */
	return fl_sprintf(k->a, w->fmt, w->a, w->b, w->c);
#pragma GCC diagnostic pop
}

/* What checking one kind of literal found. */
enum fit {
	FIT,
	MISFIT,    /* a value of another type: not yet reported */
	REPORTED,  /* wrong, and reported */
};

static enum fit int_fit(struct checker *k, const struct fl_node *n, const struct fl_type *want,
			const struct place *w)
{
	if (want->kind == FL_T_INT)
		return FIT;
	if (want->kind == FL_T_FLOAT) {
		fl_error(k->c, n->loc, "%s is float, but this is an int literal; write %" PRId64 ".0",
			 fl_what_str(k, w), n->ival);
		return REPORTED;
	}
	return MISFIT;
}

/* A string may be a str, a path, bytes or a datetime. */
static enum fit string_fit(struct checker *k, const struct fl_node *n, const struct fl_type *want,
			   const struct place *w)
{
	bool ok = want->kind == FL_T_STR || want->kind == FL_T_FILE || want->kind == FL_T_DIR
		  || want->kind == FL_T_BYTES || want->kind == FL_T_DATETIME;
	if (!ok)
		return MISFIT;
	if (want->kind != FL_T_BYTES && want->kind != FL_T_DATETIME && !fl_nul_free(k, n))
		return REPORTED;
	if ((want->kind == FL_T_FILE || want->kind == FL_T_DIR) && n->str.len == 0) {
		fl_error(k->c, n->loc, "%s is a %s; an empty path names nothing", fl_what_str(k, w), T(k, want));
		return REPORTED;
	}
	if (want->kind == FL_T_DATETIME) {
		int64_t sec = 0;
		enum base_rfc3339_result bad = strlen(n->str.bytes) != n->str.len ? BASE_RFC3339_SYNTAX
						   : base_rfc3339_parse(n->str.bytes, 0, &sec, NULL);
		if (bad == BASE_RFC3339_SYNTAX) {
			fl_error(k->c, n->loc, "%s is a datetime: write it as RFC 3339, as in \"2024-05-01T12:00:00Z\"",
				 fl_what_str(k, w));
			return REPORTED;
		}
		if (bad == BASE_RFC3339_RANGE) {
			fl_error(k->c, n->loc, "%s is a datetime, but \"%s\" is not a real date and time", fl_what_str(k, w),
				 n->str.bytes);
			return REPORTED;
		}
		if (sec < BASE_TIMESTAMP_MIN_SECONDS || sec > BASE_TIMESTAMP_MAX_SECONDS) {
			fl_error(k->c, n->loc, "%s is a datetime, but \"%s\" is outside the range of a Timestamp, "
				 "0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z, once its offset is applied",
				 fl_what_str(k, w), n->str.bytes);
			return REPORTED;
		}
	}
	return FIT;
}

static enum fit list_fit(struct checker *k, const struct fl_node *n, const struct fl_type *want,
			 const struct place *w)
{
	if (want->kind != FL_T_LIST)
		return MISFIT;
	bool ok = true;
	for (const struct fl_node *e = n->list.head; e != NULL; e = e->next)
		ok &= fl_check_literal(k, e, want->elem, &(struct place){.outer = w, .fmt = "an element of"});
	return ok ? FIT : REPORTED;
}

static enum fit dict_fit(struct checker *k, const struct fl_node *n, const struct fl_type *want,
			 const struct place *w)
{
	if (want->kind != FL_T_DICT)
		return MISFIT;
	bool ok = true;
	for (const struct fl_node *e = n->list.head; e != NULL; e = e->next) {
		if (e->pair.key->kind != FL_STRING) {
			fl_error(k->c, e->pair.key->loc, "dict keys must be string literals");
			ok = false;
		} else if (!fl_nul_free(k, e->pair.key)) {
			ok = false;
		}
		ok &= fl_check_literal(k, e->pair.value, want->elem, &(struct place){.outer = w, .fmt = "a value of"});
	}
	return ok ? FIT : REPORTED;
}

/* `Enum.member`: of the enum expected, and one of its members. */
static enum fit member_fit(struct checker *k, const struct fl_node *n, const struct fl_type *want,
			   const struct place *w)
{
	struct fl_entity *e = fl_enum_of_member(k, n);
	if (e == NULL)
		return MISFIT;
	if (want->kind != FL_T_ENUM || want->enumd != e->decl) {
		fl_error(k->c, n->loc, "%s is %s, but this is a member of enum %s", fl_what_str(k, w), T(k, want),
			 e->name);
		return REPORTED;
	}
	for (const struct fl_node *mem = e->decl->enumd.members.head; mem != NULL; mem = mem->next)
		if (mem->name.str == n->member.name.str)
			return FIT;
	const char **cands = fl_alloc(k->a, (e->decl->enumd.members.count + 1) * sizeof *cands);
	size_t nc = 0;
	for (const struct fl_node *mem = e->decl->enumd.members.head; mem != NULL; mem = mem->next)
		cands[nc++] = mem->name.str;
	fl_error(k->c, n->member.name.loc, "enum %s has no member '%s'%s", e->name, n->member.name.str,
		 fl_suggest_words(k, n->member.name.str, cands, nc));
	return REPORTED;
}

static void report_misfit(struct checker *k, const struct fl_node *n, const struct fl_type *want,
			  const struct place *w)
{
	if (want->kind == FL_T_ENUM && n->kind == FL_STRING)
		fl_error(k->c, n->loc, "%s is enum %s: write a member as %s.name, not a string", fl_what_str(k, w),
			 T(k, want), T(k, want));
	else
		fl_error(k->c, n->loc, "%s has type %s, but the value is %s", fl_what_str(k, w), T(k, want),
			 fl_literal_kind(n));
}

bool fl_check_literal(struct checker *k, const struct fl_node *n, const struct fl_type *want,
		      const struct place *w)
{
	if (want->kind == FL_T_ERROR)
		return true;
	if (want->kind == FL_T_OPTIONAL) {
		if (n->kind == FL_NONE)
			return true;
		return fl_check_literal(k, n, want->elem, w);
	}
	enum fit f;
	switch (n->kind) {
	case FL_INT: f = int_fit(k, n, want, w); break;
	case FL_FLOAT: f = want->kind == FL_T_FLOAT ? FIT : MISFIT; break;
	case FL_BOOL: f = want->kind == FL_T_BOOL ? FIT : MISFIT; break;
	case FL_DURATION: f = want->kind == FL_T_DURATION ? FIT : MISFIT; break;
	case FL_STRING: f = string_fit(k, n, want, w); break;
	case FL_LIST: f = list_fit(k, n, want, w); break;
	case FL_DICT: f = dict_fit(k, n, want, w); break;
	case FL_MEMBER: f = member_fit(k, n, want, w); break;
	case FL_NONE:
		fl_error(k->c, n->loc, "%s is %s, which cannot be none (only an optional type %s? can)",
			 fl_what_str(k, w), T(k, want), T(k, want));
		return false;
	case FL_NAME:
		fl_error(k->c, n->loc, "%s must be a literal value, not the name '%s'", fl_what_str(k, w), n->name.str);
		return false;
	default:
		fl_error(k->c, n->loc, "%s must be a literal value", fl_what_str(k, w));
		return false;
	}
	if (f == MISFIT)
		report_misfit(k, n, want, w);
	return f == FIT;
}
