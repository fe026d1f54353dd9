/* driver.h: what the command line's two files share: the parsed options
 * (flytec.c) and the outputs of --emit and the make rules (outputs.c). */
#ifndef FLYTEC_DRIVER_H
#define FLYTEC_DRIVER_H

#include <stdbool.h>
#include <stddef.h>

#include "flytec.h"

enum mode { MODE_CHECK, MODE_SIGNATURES, MODE_DUMP_AST, MODE_EMIT, MODE_SHOW };
enum emit_kind { EMIT_PACKAGE, EMIT_PB, EMIT_JSON, EMIT_C, EMIT_KINDS };

/* One kind of output --emit asked for. */
struct emit_out {
	bool asked;
	const char *path;   /* as given (=PATH or -o), then the default; "-": standard output */
	bool explicit_path; /* from --emit=KIND=PATH */
};

/* A target of the make rule: -MT (as written) or -MQ (quoted for make). */
struct dep_target {
	const char *name;
	bool quote;
};

struct dep_options {
	bool only;          /* -M: print the rule, write nothing else */
	bool side;          /* -MD: write the depfile beside the outputs */
	bool phony;         /* -MP */
	const char *file;   /* -MF; "-": standard output */
	struct dep_target *targets;  /* -MT and -MQ, in order (argc slots) */
	size_t ntargets;
};

struct options {
	enum mode mode;
	struct emit_out emit[EMIT_KINDS];
	enum emit_kind order[EMIT_KINDS];  /* the kinds in the order they were asked for */
	unsigned nemit;
	unsigned max_errors;
	const char *output;            /* -o */
	const char *show;              /* --show's file */
	enum fl_show_type show_type;
	struct fl_codegen_options cg;
	struct dep_options deps;
	char **files;                  /* the operands */
	int nfiles;
	const char **import_dirs;      /* -I, in order */
	int nimport_dirs;
	const char **warnings;         /* -W options, without the -W, in order */
	int nwarnings;
};

/* The option name of a kind ("package", ...). */
const char *emit_kind_name(enum emit_kind k);

/* Writes every output --emit asked for, and the make rule (-M, -MD), from
 * one checked module: one lowering serves every kind. Returns 0, or -1
 * after an error was queued in c or printed. */
int emit_outputs(struct fl_ctx *c, const struct options *o, struct fl_module *m, const char *source);

#endif
