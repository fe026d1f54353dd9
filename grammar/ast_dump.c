/* ast_dump.c: the tree as indented text, one node a line with its span:
 *   kind line:col-line:col attributes
 * Used by `flytec --dump-ast` and the golden tests. */
#include "prelude.h"

#include <inttypes.h>

#include "ast.h"

static void indent(FILE *out, int depth)
{
	for (int i = 0; i < depth; i++)
		fputs("  ", out);
}

static void span(FILE *out, struct fl_loc l)
{
	fprintf(out, " %u:%u-%u:%u", l.line, l.col, l.end_line, l.end_col);
}

/* A string as a double-quoted C literal. */
static void quoted(FILE *out, const char *s, size_t n)
{
	fputc('"', out);
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		switch (ch) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\t': fputs("\\t", out); break;
		case '\r': fputs("\\r", out); break;
		default:
			if (ch < 0x20 || ch == 0x7F)
				fprintf(out, "\\x%02x", ch);
			else
				fputc(ch, out);
		}
	}
	fputc('"', out);
}

static void name_attr(FILE *out, const char *key, struct fl_name n)
{
	if (n.str != NULL)
		fprintf(out, " %s=%s", key, n.str);
}

static void node(FILE *out, const struct fl_node *n, int depth);

static void group(FILE *out, const char *label, const struct fl_list *l, int depth)
{
	if (l->count == 0)
		return;
	indent(out, depth);
	fprintf(out, "%s:\n", label);
	for (const struct fl_node *c = l->head; c != NULL; c = c->next)
		node(out, c, depth + 1);
}

/* Brackets nest at most 256 deep, but a.b.c..., t()()... and
 * t() with {...} with {...}... nest without them: past this depth the dump
 * shows "..." instead of recursing on (and indenting) without bound. */
enum { MAX_DUMP_DEPTH = 1000 };

static void node(FILE *out, const struct fl_node *n, int depth)
{
	if (depth > MAX_DUMP_DEPTH) {
		indent(out, MAX_DUMP_DEPTH + 1);
		fputs("... (nested too deeply to show)\n", out);
		return;
	}
	indent(out, depth);
	fputs(fl_node_kind_name(n->kind), out);
	span(out, n->loc);
	switch (n->kind) {
	case FL_PROGRAM:
		name_attr(out, "module", n->program.module);
		fputc('\n', out);
		for (const struct fl_node *c = n->program.decls.head; c != NULL; c = c->next)
			node(out, c, depth + 1);
		return;
	case FL_TASK:
	case FL_WORKFLOW:
		fprintf(out, " %s%s\n", n->sig.name.str,
			n->sig.outform == FL_OUT_SINGLE ? " output=single"
			: n->sig.outform == FL_OUT_NAMED ? " output=named" : "");
		group(out, "params", &n->sig.params, depth + 1);
		group(out, "outputs", &n->sig.outputs, depth + 1);
		group(out, "options", &n->sig.options, depth + 1);
		group(out, "body", &n->sig.body, depth + 1);
		return;
	case FL_ENUM:
		fprintf(out, " %s\n", n->enumd.name.str);
		group(out, "members", &n->enumd.members, depth + 1);
		return;
	case FL_MAPDECL:
		fprintf(out, " %s\n", n->mapdecl.name.str);
		node(out, n->mapdecl.map, depth + 1);
		return;
	case FL_IMPORT:
		name_attr(out, "module", n->import.module);
		fputc('\n', out);
		group(out, "names", &n->import.names, depth + 1);
		return;
	case FL_LAUNCHPLAN:
		fprintf(out, " %s for=%s\n", n->lp.name.str, n->lp.workflow.str);
		group(out, "options", &n->lp.options, depth + 1);
		return;
	case FL_PARAM:
		fprintf(out, " %s\n", n->param.name.str);
		node(out, n->param.type, depth + 1);
		if (n->param.dflt != NULL) {
			indent(out, depth + 1);
			fputs("default:\n", out);
			node(out, n->param.dflt, depth + 2);
		}
		return;
	case FL_TYPE:
		fprintf(out, " %s%s\n", n->type.name.str, n->type.optional ? " optional" : "");
		for (const struct fl_node *c = n->type.args.head; c != NULL; c = c->next)
			node(out, c, depth + 1);
		return;
	case FL_BINDING:
	case FL_ASSIGN:
		if (n->binding.name.str != NULL)
			fprintf(out, " %s", n->binding.name.str);
		else
			fputs(" (unnamed)", out);
		fputc('\n', out);
		node(out, n->binding.value, depth + 1);
		return;
	case FL_IMAGE:
	case FL_CALL_STMT:
		fputc('\n', out);
		node(out, n->unary, depth + 1);
		return;
	case FL_RETURN:
	case FL_LIST:
	case FL_DICT:
	case FL_RECORD:
		fputc('\n', out);
		for (const struct fl_node *c = n->list.head; c != NULL; c = c->next)
			node(out, c, depth + 1);
		return;
	case FL_INT:
		fprintf(out, " %" PRId64 "\n", n->ival);
		return;
	case FL_DURATION:
		fprintf(out, " %" PRId64 "ns\n", n->ival);
		return;
	case FL_FLOAT:
		fprintf(out, " %.17g\n", n->fval);
		return;
	case FL_STRING:
		fputc(' ', out);
		quoted(out, n->str.bytes, n->str.len);
		fputc('\n', out);
		return;
	case FL_BOOL:
		fputs(n->bval ? " true\n" : " false\n", out);
		return;
	case FL_NONE:
		fputc('\n', out);
		return;
	case FL_DICT_ENTRY:
		fputc('\n', out);
		node(out, n->pair.key, depth + 1);
		node(out, n->pair.value, depth + 1);
		return;
	case FL_NAME:
		fprintf(out, " %s\n", n->name.str);
		return;
	case FL_MEMBER:
		fprintf(out, " .%s\n", n->member.name.str);
		node(out, n->member.object, depth + 1);
		return;
	case FL_CALL:
		fputc('\n', out);
		node(out, n->call.callee, depth + 1);
		group(out, "args", &n->call.args, depth + 1);
		return;
	case FL_MAP:
		if (n->map.target.str != NULL)  /* NULL after a syntax error */
			fprintf(out, " %s", n->map.target.str);
		fputc('\n', out);
		if (n->map.has_partial) {
			indent(out, depth + 1);
			fputs("partial", out);
			span(out, n->map.partial_loc);
			fputc('\n', out);
			for (const struct fl_node *c = n->map.partial.head; c != NULL; c = c->next)
				node(out, c, depth + 2);
		}
		group(out, "options", &n->map.options, depth + 1);
		return;
	case FL_WITH:
		fputc('\n', out);
		node(out, n->with.call, depth + 1);
		group(out, "options", &n->with.options, depth + 1);
		return;
	case FL_NODE_KIND_COUNT:
		break;
	}
	fputc('\n', out);
}

void fl_ast_dump(FILE *out, const struct fl_node *program)
{
	if (program != NULL)
		node(out, program, 0);
}
