/* parser_state.h: what the scanner and the parser share (one per file). */
#ifndef FL_PARSER_STATE_H
#define FL_PARSER_STATE_H

#include "prelude.h"

#include "ast.h"
#include "ctx.h"

enum {
	FL_MAX_NESTING = 256,   /* open brackets at once */
	FL_MAX_IDENT = 255,     /* bytes in an identifier */
};

struct fl_parser {
	struct fl_ctx *ctx;
	uint32_t file;
	const char *text;             /* the source being scanned */
	struct fl_node *program;      /* the result */
	struct fl_name module;        /* the module name as far as it was read */
	/* scanner position: of the next byte to scan */
	uint32_t line, col, off;
	/* open brackets, innermost last, for "to match this '('" notes */
	unsigned depth;
	unsigned depth_before;        /* depth before the last token was scanned */
	bool closing;                 /* putting in closers that were left out */
	struct fl_loc open_loc[FL_MAX_NESTING];
	char open_char[FL_MAX_NESTING];
	bool stop;                    /* a fatal limit was hit: the scanner ends the input */
};

#endif
