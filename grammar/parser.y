/* parser.y: the .flyte grammar. Actions build AST nodes and record spans;
 * nothing else. Every check is in check/. */
%code top {
#include "prelude.h"
}

%code requires {
#include "source.h"
#include "ast.h"
struct fl_parser;
#define FL_YYLTYPE struct fl_loc
#define FL_YYLTYPE_IS_DECLARED 1
#define FL_YYLTYPE_IS_TRIVIAL 1
}

%code provides {
int fl_yylex(FL_YYSTYPE *val, FL_YYLTYPE *loc, void *scanner);
}

%code {
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "misspell.h"
#include "parser_state.h"

/* Spans: from the first symbol of a rule to its last; an empty rule gets a
 * zero-width span where the previous symbol ends. */
#define YYLLOC_DEFAULT(Cur, Rhs, N)                                         \
	do {                                                                \
		if (N) {                                                    \
			(Cur) = YYRHSLOC(Rhs, 1);                           \
			(Cur).end_line = YYRHSLOC(Rhs, N).end_line;         \
			(Cur).end_col = YYRHSLOC(Rhs, N).end_col;           \
			(Cur).end_off = YYRHSLOC(Rhs, N).end_off;           \
		} else {                                                    \
			(Cur) = YYRHSLOC(Rhs, 0);                           \
			(Cur).line = (Cur).end_line;                        \
			(Cur).col = (Cur).end_col;                          \
			(Cur).off = (Cur).end_off;                          \
		}                                                           \
	} while (0)

/* The parser's stacks come from the arena as well. Bison's allocation
 * macros see no parser state, so fl_parse names the arena here. */
extern _Thread_local struct fl_arena *fl_parse_arena;
#define YYMALLOC(n) fl_alloc(fl_parse_arena, (n))
#define YYFREE(ptr) ((void)(ptr))
#define YYMAXDEPTH 100000

static void fl_yyerror(FL_YYLTYPE *loc, struct fl_parser *p, void *scanner, const char *msg);
static struct fl_node *mk(struct fl_parser *p, enum fl_node_kind k, struct fl_loc loc);
static struct fl_name module_name(struct fl_parser *p, struct fl_name n);
static struct fl_node *binding(struct fl_parser *p, struct fl_name name, struct fl_node *value,
			       struct fl_loc loc);
static struct fl_list one(struct fl_node *n);
static struct fl_list add(struct fl_list l, struct fl_node *n);
static struct fl_node *int_lit(struct fl_parser *p, uint64_t mag, bool neg, struct fl_loc loc);
static struct fl_node *float_lit(struct fl_parser *p, double f, struct fl_loc loc);
static struct fl_node *signature(struct fl_parser *p, enum fl_node_kind k, struct fl_loc loc,
				 struct fl_name name, struct fl_list params, struct fl_list outputs,
				 struct fl_loc outputs_loc);
}

%define api.pure full
%define api.prefix {fl_yy}
%define parse.error custom
%define parse.lac full
%locations
%expect 0
%parse-param {struct fl_parser *p} {void *scanner}
%lex-param {void *scanner}

%union {
	struct fl_node *node;
	struct fl_name name;
	struct fl_list list;
	uint64_t u64;
	int64_t i64;
	double f;
	struct { const char *bytes; size_t len; } str;
}

%token MODULE "'module'" IMAGE "'image'" ENUM "'enum'" TASK "'task'" MAP "'map'"
%token WORKFLOW "'workflow'" LAUNCHPLAN "'launchplan'" FOR "'for'" RETURN "'return'"
%token WITH "'with'" PARTIAL "'partial'" TRUE "'true'" FALSE "'false'" NONE "'none'"
%token FROM "'from'" IMPORT "'import'"
%token ARROW "'->'"
%token <name> IDENT "identifier"
%token <u64> INT "integer"
%token <f> FLOAT "float"
%token <i64> DURATION "duration"
%token <str> STRING "string"
/* The punctuation, in a fixed order: "expected one of" lists tokens in this
 * order, and documented messages should not change with the grammar. */
%token '.' '{' '}' '(' ')' '=' ',' ':' '?' '[' ']' ';' '-' '<' '>'

%type <name> dotted modpath
%type <node> decl param output type base_type expr postfix primary map_expr binding arg stmt
%type <node> call_expr string
%type <list> decls enum_members enum_list param_block params param_list outputs output_list type_list
%type <list> options option_block expr_list dict_entries record_fields args arg_list
%type <list> stmts bindings map_options return_values partial import_names
%type <node> import_name

%%

program
	: MODULE dotted decls
		{
			p->program = mk(p, FL_PROGRAM, @$);
			p->program->program.module = module_name(p, $2);
			p->program->program.decls = $3;
		}
	/* An error right after the module name (LAC finds it before `decls`
	 * exists to recover in) or inside it: keep what was read of the name. */
	| MODULE error decls
		{
			p->program = mk(p, FL_PROGRAM, @$);
			p->program->program.module = module_name(p, p->module);
			p->program->program.decls = $3;
		}
	;

/* Only the module name is dotted: p->module keeps it for the error rule.
 * Its parts are joined once, from the source, by module_name. */
dotted
	: IDENT                         { $$ = $1; p->module = $$; }
	| dotted '.' IDENT              { $$.str = NULL; $$.loc = @$; p->module = $$; }
	;

decls
	: %empty                { $$ = (struct fl_list){0}; }
	| decls decl            { $$ = add($1, $2); }
	| decls error           { $$ = $1; }
	;

decl
	: IMAGE string
		{ $$ = mk(p, FL_IMAGE, @$); $$->unary = $2; }
	| FROM modpath IMPORT import_names
		{ $$ = mk(p, FL_IMPORT, @$); $$->import.module = module_name(p, $2); $$->import.names = $4; }
	| ENUM IDENT '{' enum_members '}'
		{ $$ = mk(p, FL_ENUM, @$); $$->enumd.name = $2; $$->enumd.members = $4; }
	| TASK IDENT param_block outputs option_block
		{
			$$ = signature(p, FL_TASK, @$, $2, $3, $4, @4);
			$$->sig.options = $5;
			$$->sig.has_block = @5.off != @5.end_off;
		}
	| MAP IDENT '=' map_expr
		{ $$ = mk(p, FL_MAPDECL, @$); $$->mapdecl.name = $2; $$->mapdecl.map = $4; }
	| WORKFLOW IDENT param_block outputs '{' stmts '}'
		{
			$$ = signature(p, FL_WORKFLOW, @$, $2, $3, $4, @4);
			$$->sig.body = $6;
			$$->sig.has_block = true;
		}
	| LAUNCHPLAN IDENT FOR IDENT '{' options '}'
		{
			$$ = mk(p, FL_LAUNCHPLAN, @$);
			$$->lp.name = $2;
			$$->lp.workflow = $4;
			$$->lp.options = $6;
		}
	;

/* An imported module's dotted name (the module's own is `dotted`). */
modpath
	: IDENT                         { $$ = $1; }
	| modpath '.' IDENT             { $$.str = NULL; $$.loc = @$; }
	;

import_names
	: import_name                   { $$ = add((struct fl_list){0}, $1); }
	| import_names ',' import_name  { $$ = add($1, $3); }
	;

/* `name` or `name as local`: a BINDING of the local name to the NAME. */
import_name
	: IDENT
		{
			$$ = mk(p, FL_BINDING, @$);
			$$->binding.name = $1;
			$$->binding.value = mk(p, FL_NAME, @1);
			$$->binding.value->name = $1;
		}
	/* `as` is no keyword: inputs named `as` stay legal */
	| IDENT IDENT IDENT
		{
			if (strcmp($2.str, "as") != 0)
				fl_error(p->ctx, @2, "unexpected identifier '%s'; expected ',' or 'as'", $2.str);
			$$ = mk(p, FL_BINDING, @$);
			$$->binding.name = $3;
			$$->binding.value = mk(p, FL_NAME, @1);
			$$->binding.value->name = $1;
		}
	;

string
	: STRING
		{ $$ = mk(p, FL_STRING, @$); $$->str.bytes = $1.bytes; $$->str.len = $1.len; }
	;

enum_members
	: %empty                        { $$ = (struct fl_list){0}; }
	| enum_list
	| enum_list ','
	;

enum_list
	: IDENT                         { struct fl_node *n = mk(p, FL_NAME, @1); n->name = $1; $$ = one(n); }
	| enum_list ',' IDENT
		{ struct fl_node *n = mk(p, FL_NAME, @3); n->name = $3; $$ = add($1, n); }
	;

/* A syntax error in the parameters resumes at the ')'. The list is reduced
 * as soon as it is closed, so that a later error does not come back here. */
param_block
	: '(' params ')'                { $$ = $2; }
	| '(' error ')'                 { $$ = (struct fl_list){0}; }
	;

params
	: %empty                        { $$ = (struct fl_list){0}; }
	| param_list
	| param_list ','
	;

param_list
	: param                         { $$ = one($1); }
	| param_list ',' param          { $$ = add($1, $3); }
	;

param
	: IDENT ':' type
		{ $$ = mk(p, FL_PARAM, @$); $$->param.name = $1; $$->param.type = $3; }
	| IDENT ':' type '=' expr
		{ $$ = mk(p, FL_PARAM, @$); $$->param.name = $1; $$->param.type = $3; $$->param.dflt = $5; }
	;

/* `-> T` is one output (named o0 by the task rule); `-> (a: T, ...)` names them. */
outputs
	: %empty                        { $$ = (struct fl_list){0}; }
	| ARROW type
		{ struct fl_node *n = mk(p, FL_PARAM, @2); n->param.type = $2; $$ = one(n); }
	| ARROW '(' output_list ')'     { $$ = $3; }
	| ARROW '(' output_list ',' ')' { $$ = $3; }
	| ARROW '(' ')'
		{ $$ = (struct fl_list){0}; }
	| ARROW '(' error ')'
		{ $$ = (struct fl_list){0}; }
	;

output_list
	: output                        { $$ = one($1); }
	| output_list ',' output        { $$ = add($1, $3); }
	;

output
	: IDENT ':' type
		{ $$ = mk(p, FL_PARAM, @$); $$->param.name = $1; $$->param.type = $3; }
	;

type
	: base_type
	| base_type '?'                 { $$ = $1; $$->type.optional = true; $$->loc = @$; }
	;

base_type
	: IDENT
		{ $$ = mk(p, FL_TYPE, @$); $$->type.name = $1; }
	| IDENT '[' type_list ']'
		{ $$ = mk(p, FL_TYPE, @$); $$->type.name = $1; $$->type.args = $3; }
	| IDENT '[' error ']'
		{ $$ = mk(p, FL_TYPE, @$); $$->type.name = $1; }
	;

type_list
	: type                          { $$ = one($1); }
	| type_list ',' type            { $$ = add($1, $3); }
	;

option_block
	: %empty                        { $$ = (struct fl_list){0}; }
	| '{' options '}'               { $$ = $2; }
	;

/* Options are `name = value`, separated by new lines, commas or semicolons. */
options
	: %empty                        { $$ = (struct fl_list){0}; }
	| options binding separator     { $$ = add($1, $2); }
	| options error                 { $$ = $1; }
	;

separator
	: %empty
	| ','
	| ';'
	;

/* `image` is a keyword (the file's image declaration) and also the name of
 * a task option: `image = "..."` is a binding wherever one is. */
binding
	: IDENT '=' expr                { $$ = binding(p, $1, $3, @$); }
	| IMAGE '=' expr
		{
			struct fl_name name = {fl_intern(p->ctx->names, "image", 5), @1};
			$$ = binding(p, name, $3, @$);
		}
	;

stmts
	: %empty                        { $$ = (struct fl_list){0}; }
	| stmts stmt separator          { $$ = add($1, $2); }
	| stmts error                   { $$ = $1; }
	;

stmt
	: IDENT '=' expr
		{ $$ = mk(p, FL_ASSIGN, @$); $$->binding.name = $1; $$->binding.value = $3; }
	| call_expr
		{ $$ = mk(p, FL_CALL_STMT, @$); $$->unary = $1; }
	| RETURN return_values
		{ $$ = mk(p, FL_RETURN, @$); $$->list = $2; }
	;

return_values
	: expr                          { $$ = one($1); }
	| '(' ')'                       { $$ = (struct fl_list){0}; }
	| '(' expr_list ')'             { $$ = $2; }
	| '(' expr_list ',' ')'         { $$ = $2; }
	| '(' error ')'                 { $$ = (struct fl_list){0}; }
	;

/* A call standing as a statement: its outputs are not used. */
call_expr
	: postfix '(' args ')'
		{ $$ = mk(p, FL_CALL, @$); $$->call.callee = $1; $$->call.args = $3; }
	| postfix '(' error ')'
		{ $$ = mk(p, FL_CALL, @$); $$->call.callee = $1; }
	| call_expr WITH '{' options '}'
		{ $$ = mk(p, FL_WITH, @$); $$->with.call = $1; $$->with.options = $4; }
	;

expr
	: postfix
	| '-' INT                       { $$ = int_lit(p, $2, true, @$); }
	| '-' FLOAT                     { $$ = float_lit(p, -$2, @$); }
	;

postfix
	: primary
	| call_expr
	| postfix '.' IDENT
		{ $$ = mk(p, FL_MEMBER, @$); $$->member.object = $1; $$->member.name = $3; }
	;

primary
	: IDENT                         { $$ = mk(p, FL_NAME, @$); $$->name = $1; }
	| INT                           { $$ = int_lit(p, $1, false, @$); }
	| FLOAT                         { $$ = float_lit(p, $1, @$); }
	| DURATION                      { $$ = mk(p, FL_DURATION, @$); $$->ival = $1; }
	| string
	| TRUE                          { $$ = mk(p, FL_BOOL, @$); $$->bval = true; }
	| FALSE                         { $$ = mk(p, FL_BOOL, @$); $$->bval = false; }
	| NONE                          { $$ = mk(p, FL_NONE, @$); }
	| '[' ']'                       { $$ = mk(p, FL_LIST, @$); }
	| '[' expr_list ']'             { $$ = mk(p, FL_LIST, @$); $$->list = $2; }
	| '[' expr_list ',' ']'         { $$ = mk(p, FL_LIST, @$); $$->list = $2; }
	| '{' '}'                       { $$ = mk(p, FL_DICT, @$); }
	| '{' dict_entries '}'          { $$ = mk(p, FL_DICT, @$); $$->list = $2; }
	| '{' dict_entries ',' '}'      { $$ = mk(p, FL_DICT, @$); $$->list = $2; }
	| '{' record_fields '}'         { $$ = mk(p, FL_RECORD, @$); $$->list = $2; }
	| '[' error ']'                 { $$ = mk(p, FL_LIST, @$); }
	| '{' error '}'                 { $$ = mk(p, FL_DICT, @$); }
	| map_expr
	;

expr_list
	: expr                          { $$ = one($1); }
	| expr_list ',' expr            { $$ = add($1, $3); }
	;

dict_entries
	: expr ':' expr
		{ struct fl_node *e = mk(p, FL_DICT_ENTRY, @$); e->pair.key = $1; e->pair.value = $3; $$ = one(e); }
	| dict_entries ',' expr ':' expr
		{
			struct fl_node *e = mk(p, FL_DICT_ENTRY, fl_loc_join(@3, @5));
			e->pair.key = $3;
			e->pair.value = $5;
			$$ = add($1, e);
		}
	;

record_fields
	: binding separator             { $$ = one($1); }
	| record_fields binding separator { $$ = add($1, $2); }
	;

args
	: %empty                        { $$ = (struct fl_list){0}; }
	| arg_list
	| arg_list ','
	;

arg_list
	: arg                           { $$ = one($1); }
	| arg_list ',' arg              { $$ = add($1, $3); }
	;

/* Calls take keyword arguments; an unnamed one is parsed so that the
 * checker can say so precisely. */
arg
	: binding
	| expr                          { $$ = binding(p, (struct fl_name){0}, $1, @$); }
	;

/* map(target, partial<name = value, ...>, option = value, ...) */
map_expr
	: MAP '(' IDENT ')'
		{ $$ = mk(p, FL_MAP, @$); $$->map.target = $3; }
	| MAP '(' IDENT ',' map_options ')'
		{ $$ = mk(p, FL_MAP, @$); $$->map.target = $3; $$->map.options = $5; }
	| MAP '(' IDENT ',' partial ')'
		{
			$$ = mk(p, FL_MAP, @$);
			$$->map.target = $3;
			$$->map.has_partial = true;
			$$->map.partial = $5;
			$$->map.partial_loc = @5;
		}
	| MAP '(' IDENT ',' partial ',' map_options ')'
		{
			$$ = mk(p, FL_MAP, @$);
			$$->map.target = $3;
			$$->map.has_partial = true;
			$$->map.partial = $5;
			$$->map.partial_loc = @5;
			$$->map.options = $7;
		}
	| MAP '(' error ')'
		{ $$ = mk(p, FL_MAP, @$); }
	;

partial
	: PARTIAL '<' bindings '>'      { $$ = $3; }
	| PARTIAL '<' error '>'         { $$ = (struct fl_list){0}; }
	;

map_options
	: binding                       { $$ = one($1); }
	| map_options ',' binding       { $$ = add($1, $3); }
	;

bindings
	: %empty                        { $$ = (struct fl_list){0}; }
	| binding                       { $$ = one($1); }
	| bindings ',' binding          { $$ = add($1, $3); }
	;

%%

/* The dotted module name spanned by n: its identifiers and dots, without
 * the blanks and comments the source may have between them. */
static struct fl_name module_name(struct fl_parser *p, struct fl_name n)
{
	enum { MAX_MODULE = 1024 };
	if (n.str != NULL)
		return n;
	const char *src = p->text + n.loc.off;
	size_t len = n.loc.end_off - n.loc.off, k = 0;
	char *out = fl_alloc(p->ctx->arena, len + 1);
	for (size_t i = 0; i < len; i++) {
		if (src[i] == '#') {
			while (i < len && src[i] != '\n')
				i++;
		} else if (src[i] != ' ' && src[i] != '\t' && src[i] != '\r' && src[i] != '\n') {
			out[k++] = src[i];
		}
	}
	if (k > MAX_MODULE) {
		fl_error(p->ctx, n.loc, "module name is too long (%zu bytes; the limit is %d)", k, MAX_MODULE);
		k = MAX_MODULE;
	}
	n.str = fl_intern(p->ctx->names, out, k);
	return n;
}

static struct fl_node *mk(struct fl_parser *p, enum fl_node_kind k, struct fl_loc loc)
{
	return fl_node_new(p->ctx->arena, k, loc);
}

static struct fl_node *binding(struct fl_parser *p, struct fl_name name, struct fl_node *value,
			       struct fl_loc loc)
{
	struct fl_node *n = mk(p, FL_BINDING, loc);
	n->binding.name = name;
	n->binding.value = value;
	return n;
}

/* A task or workflow: `-> T` is one output named o0; `-> (a: T, ...)`
 * names them (`-> ()` names none); no arrow, no outputs. */
static struct fl_node *signature(struct fl_parser *p, enum fl_node_kind k, struct fl_loc loc,
				 struct fl_name name, struct fl_list params, struct fl_list outputs,
				 struct fl_loc outputs_loc)
{
	struct fl_node *n = mk(p, k, loc);
	n->sig.name = name;
	n->sig.params = params;
	n->sig.outputs = outputs;
	n->sig.outform = outputs_loc.off == outputs_loc.end_off ? FL_OUT_NONE
		       : outputs.count == 1 && outputs.head->param.name.str == NULL ? FL_OUT_SINGLE
		       : FL_OUT_NAMED;
	if (n->sig.outform == FL_OUT_SINGLE)
		outputs.head->param.name.str = fl_intern(p->ctx->names, "o0", 2);
	return n;
}

static struct fl_list one(struct fl_node *n)
{
	struct fl_list l = {0};
	fl_list_append(&l, n);
	return l;
}

static struct fl_list add(struct fl_list l, struct fl_node *n)
{
	fl_list_append(&l, n);
	return l;
}

/* mag is UINT64_MAX when the digits overflowed (see scanner.l). */
static struct fl_node *int_lit(struct fl_parser *p, uint64_t mag, bool neg, struct fl_loc loc)
{
	struct fl_node *n = mk(p, FL_INT, loc);
	if (neg && mag > (uint64_t)INT64_MAX + 1) {
		fl_error(p->ctx, loc, "integer literal is too small (the smallest int is %" PRId64 ")", INT64_MIN);
		mag = 0;
	} else if (!neg && mag > (uint64_t)INT64_MAX) {
		fl_error(p->ctx, loc, "integer literal is too large (the largest int is %" PRId64 ")", INT64_MAX);
		mag = 0;
	}
	n->ival = neg ? (mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag) : (int64_t)mag;
	return n;
}

/* f is infinite when the literal overflowed (see scanner.l). */
static struct fl_node *float_lit(struct fl_parser *p, double f, struct fl_loc loc)
{
	struct fl_node *n = mk(p, FL_FLOAT, loc);
	if (isinf(f)) {
		fl_error(p->ctx, loc, "float literal is out of range (the largest float is about 1.8e308)");
		f = 0;
	}
	n->fval = f;
	return n;
}

static void fl_yyerror(FL_YYLTYPE *loc, struct fl_parser *p, void *scanner, const char *msg)
{
	(void)scanner;
	if (strcmp(msg, "memory exhausted") == 0)
		fl_error(p->ctx, *loc, "input is nested too deeply for the parser");
	else
		fl_error(p->ctx, *loc, "%s", msg);
}

/* A token as a syntax error shows it: its kind and, for the unexpected
 * token (loc not NULL) when it is a name or a short literal, its text. */
static const char *describe(struct fl_parser *p, yysymbol_kind_t sym, const FL_YYLTYPE *loc)
{
	const char *name = yysymbol_name(sym);
	size_t len = loc != NULL ? loc->end_off - loc->off : 0;
	switch (sym) {
	case YYSYMBOL_YYEOF:
		return "end of file";
	case YYSYMBOL_IDENT:
		if (loc == NULL)
			return name;
		return fl_sprintf(p->ctx->arena, "identifier '%.*s'", (int)(len > 40 ? 40 : len),
				  p->text + loc->off);
	case YYSYMBOL_INT:
	case YYSYMBOL_FLOAT:
	case YYSYMBOL_DURATION:
		if (loc != NULL && len <= 24)
			return fl_sprintf(p->ctx->arena, "%s '%.*s'", name, (int)len, p->text + loc->off);
		return name;
	default:
		break;
	}
	return name;
}

/* The keyword an unexpected identifier was probably meant to be, among the
 * expected tokens: "tsk" for 'task'. NULL when none is close. */
static const char *misspelled_keyword(struct fl_parser *p, const FL_YYLTYPE *loc,
				      const yysymbol_kind_t *expected, int n)
{
	const char *words[YYNTOKENS];
	size_t nwords = 0;
	for (int i = 0; i < n; i++) {
		const char *name = yysymbol_name(expected[i]);
		size_t len = strlen(name);
		/* a keyword's name is its quoted spelling: 'task' */
		if (len > 2 && name[0] == '\'' && name[1] >= 'a' && name[1] <= 'z')
			words[nwords++] = fl_strndup(p->ctx->arena, name + 1, len - 2);
	}
	if (nwords == 0)
		return NULL;
	const char *word = fl_strndup(p->ctx->arena, p->text + loc->off, loc->end_off - loc->off);
	return fl_closest(word, words, nwords);
}

/* "unexpected X; expected Y" or "unexpected X; expected one of: A, B, C",
 * then "; did you mean 'task'?" for a misspelled keyword; with a note at
 * the bracket that an expected closer would match. */
static int yyreport_syntax_error(const yypcontext_t *yyctx, struct fl_parser *p, void *scanner)
{
	(void)scanner;
	/* A fatal limit ended the input early: the end is not the user's error. */
	if (p->stop)
		return 0;
	enum { MAX_LISTED = 9 };
	yysymbol_kind_t expected[YYNTOKENS];
	int n = yypcontext_expected_tokens(yyctx, expected, YYNTOKENS);
	/* Where a name may come, 'image' may too (as an option's name): it is
	 * not worth listing apart from "identifier". */
	bool name_expected = false;
	for (int i = 0; i < n; i++)
		name_expected |= expected[i] == YYSYMBOL_IDENT;
	if (name_expected) {
		int k = 0;
		for (int i = 0; i < n; i++)
			if (expected[i] != YYSYMBOL_IMAGE)
				expected[k++] = expected[i];
		n = k;
	}
	yysymbol_kind_t got = yypcontext_token(yyctx);
	const FL_YYLTYPE *loc = yypcontext_location(yyctx);
	const char *msg = fl_sprintf(p->ctx->arena, "unexpected %s", describe(p, got, loc));
	if (n == 1) {
		msg = fl_sprintf(p->ctx->arena, "%s; expected %s", msg, describe(p, expected[0], NULL));
	} else if (n > 1 && n <= MAX_LISTED) {
		msg = fl_sprintf(p->ctx->arena, "%s; expected one of:", msg);
		for (int i = 0; i < n; i++)
			msg = fl_sprintf(p->ctx->arena, "%s%s %s", msg, i ? "," : "", describe(p, expected[i], NULL));
	}
	/* (with one expected token, "expected 'for'" says it already) */
	if (got == YYSYMBOL_IDENT && n > 1) {
		const char *kw = misspelled_keyword(p, loc, expected, n);
		if (kw != NULL)
			msg = fl_sprintf(p->ctx->arena, "%s; did you mean '%s'?", msg, kw);
	}
	fl_error(p->ctx, *loc, "%s", msg);
	if (got == YYSYMBOL_PARTIAL)
		fl_note(p->ctx, *loc, "'partial<...>' comes right after the task, as in map(t, partial<x=1>, concurrency=2)");
	/* The innermost bracket open before the unexpected token was read (a
	 * closer of the wrong kind pops brackets), when its closer is expected. */
	unsigned depth = p->depth_before;
	if (depth > 0 && n > 0) {
		char open = p->open_char[depth - 1];
		char close = open == '(' ? ')' : open == '[' ? ']' : open == '{' ? '}' : '>';
		for (int i = 0; i < n; i++) {
			const char *nm = yysymbol_name(expected[i]);
			if (nm[0] == '\'' && nm[1] == close && nm[2] == '\'') {
				fl_note(p->ctx, p->open_loc[depth - 1], "to match this '%c'", open);
				break;
			}
		}
	}
	return 0;
}
