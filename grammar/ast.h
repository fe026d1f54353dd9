/* ast.h: the syntax tree. Grammar actions only build these nodes and
 * record their spans; every check happens later, in check/.
 *
 * One tagged struct for every kind, with a union of per-kind payloads
 * (each member says which kinds use it). Lists are singly linked through
 * `next`. Everything lives in the compilation's arena. */
#ifndef FL_AST_H
#define FL_AST_H

#include "prelude.h"

#include <stdio.h>

#include "source.h"

struct fl_type;

enum fl_node_kind {
#define X(kind, name) FL_##kind,
#include "node_kinds.def"
#undef X
	FL_NODE_KIND_COUNT
};

const char *fl_node_kind_name(enum fl_node_kind k);

/* An interned identifier and where it was written. */
struct fl_name {
	const char *str;  /* interned; NULL when absent */
	struct fl_loc loc;
};

struct fl_list {
	struct fl_node *head, *tail;
	uint32_t count;
};

enum fl_outform {
	FL_OUT_NONE,    /* no `->` */
	FL_OUT_SINGLE,  /* `-> T`: one output named o0 */
	FL_OUT_NAMED,   /* `-> (a: T, ...)` */
};

struct fl_node {
	enum fl_node_kind kind;
	struct fl_loc loc;
	struct fl_node *next;  /* next sibling in a list */
	const struct fl_type *ty;    /* set by the checker on expressions it typed */
	const void *sema;            /* the checker's annotation: CALL -> struct fl_wf_node,
	                                NAME/MEMBER in a workflow -> struct fl_wf_value */
	union {
		struct {               /* PROGRAM */
			struct fl_name module;  /* dotted; str NULL without `module` */
			struct fl_list decls;
		} program;
		struct {               /* IMPORT: from MODULE import a, b as c */
			struct fl_name module;   /* dotted */
			struct fl_list names;    /* BINDING: name = the local name, value = NAME */
		} import;
		struct {               /* TASK, WORKFLOW */
			struct fl_name name;
			struct fl_list params;   /* PARAM */
			struct fl_list outputs;  /* PARAM (SINGLE: one, named o0) */
			enum fl_outform outform;
			struct fl_list options;  /* TASK: BINDING */
			struct fl_list body;     /* WORKFLOW: statements */
			bool has_block;          /* TASK: an option block was written */
		} sig;
		struct {               /* ENUM */
			struct fl_name name;
			struct fl_list members;  /* NAME */
		} enumd;
		struct {               /* MAPDECL */
			struct fl_name name;
			struct fl_node *map;     /* MAP */
		} mapdecl;
		struct {               /* LAUNCHPLAN */
			struct fl_name name;
			struct fl_name workflow;
			struct fl_list options;  /* BINDING */
		} lp;
		struct {               /* PARAM */
			struct fl_name name;
			struct fl_node *type;    /* TYPE */
			struct fl_node *dflt;    /* NULL: none */
		} param;
		struct {               /* TYPE */
			struct fl_name name;
			struct fl_list args;     /* TYPE */
			bool optional;           /* T? */
		} type;
		struct {               /* BINDING, ASSIGN */
			struct fl_name name;     /* str NULL: an unnamed argument */
			struct fl_node *value;
		} binding;
		struct fl_node *unary;  /* IMAGE (STRING), CALL_STMT (CALL or WITH) */
		struct fl_list list;    /* RETURN, LIST, DICT, RECORD */
		struct {               /* INT, DURATION */
			int64_t ival;
		};
		double fval;            /* FLOAT */
		struct {               /* STRING: decoded bytes, NUL-terminated */
			const char *bytes;
			size_t len;
		} str;
		bool bval;              /* BOOL */
		struct {               /* DICT_ENTRY */
			struct fl_node *key, *value;
		} pair;
		struct fl_name name;    /* NAME */
		struct {               /* MEMBER */
			struct fl_node *object;
			struct fl_name name;
		} member;
		struct {               /* CALL */
			struct fl_node *callee;
			struct fl_list args;     /* BINDING */
		} call;
		struct {               /* MAP */
			struct fl_name target;
			struct fl_list partial;  /* BINDING */
			struct fl_loc partial_loc;
			bool has_partial;
			struct fl_list options;  /* BINDING */
		} map;
		struct {               /* WITH */
			struct fl_node *call;
			struct fl_list options;  /* BINDING */
		} with;
	};
};

struct fl_arena;

struct fl_node *fl_node_new(struct fl_arena *a, enum fl_node_kind kind, struct fl_loc loc);
void fl_list_append(struct fl_list *l, struct fl_node *n);

/* Prints the tree with spans, one node a line (for golden tests). */
struct fl_source;
void fl_ast_dump(FILE *out, const struct fl_node *program);

#endif
