/* flytec.c: the command line. Parses the options into a struct options,
 * runs the library (flytec.h, its only interface to the compiler) on each
 * file, prints the diagnostics and chooses the exit status:
 * 0 success, 1 errors in the input, 2 bad usage. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flytec.h"

enum mode { MODE_CHECK, MODE_SIGNATURES, MODE_DUMP_AST, MODE_EMIT, MODE_SHOW };
enum emit { EMIT_PACKAGE, EMIT_PB, EMIT_JSON, EMIT_C, EMIT_DOT };

struct options {
	enum mode mode;
	enum emit emit;
	unsigned max_errors;
	const char *output;            /* -o */
	const char *show;              /* --show's file */
	enum fl_show_type show_type;
	struct fl_codegen_options cg;
	char **files;                  /* the operands */
	int nfiles;
};

static void usage(FILE *out)
{
	fputs("usage: flytec [OPTIONS] FILE...\n"
	      "\n"
	      "Compiles .flyte files: typed tasks, workflows and map tasks for Flyte.\n"
	      "\n"
	      "Modes:\n"
	      "  --check            parse and check the files; report errors only (default)\n"
	      "  --signatures       check, then print the typed signature of every declaration\n"
	      "  --dump-ast         parse only, and print each file's syntax tree with spans\n"
	      "  --emit=KIND        compile one file to registration artifacts:\n"
	      "                       package  flyte-package.tgz for `flytectl register files` (default -o)\n"
	      "                       pb       the numbered .pb files, loose, into the directory -o\n"
	      "                       json     the whole package as protobuf JSON (stdout unless -o)\n"
	      "                       c        NAME.flyte.h and NAME.flyte.c into the directory -o (default .)\n"
	      "                       dot      the workflows as a Graphviz graph (stdout unless -o)\n"
	      "  --show=FILE        print a .pb artifact or a .tgz package as protobuf JSON\n"
	      "\n"
	      "Options:\n"
	      "  -o, --output=PATH  where --emit writes\n"
	      "  --image=IMAGE      the container image (overrides the module's `image`)\n"
	      "  --entrypoint=PATH  the task executable in the image (default: the module name)\n"
	      "  --project=P, --domain=D, --entity-version=V\n"
	      "                     identifier fields (default empty: flytectl fills them)\n"
	      "  --type=T           what --show decodes: task, workflow, launchplan, literals, error\n"
	      "                     (default: from the file name N_NAME_K.pb)\n"
	      "  --max-errors=N     stop after N errors per file (default 20; 0: no limit)\n"
	      "  -h, --help         print this help and exit\n"
	      "  --version          print the version and exit\n"
	      "\n"
	      "FILE may be - for standard input. Diagnostics go to standard error as\n"
	      "FILE:LINE:COLUMN: error: MESSAGE. Exit status: 0 when every file is\n"
	      "correct, 1 when errors were found, 2 on bad usage.\n",
	      out);
}

/* Reports a file or directory the library could not write (errno). */
static int cannot(const char *what, const char *path)
{
	fprintf(stderr, "flytec: cannot %s %s: %s\n", what, path, strerror(errno));
	return -1;
}

/* Writes what --emit asked for; nothing is written when there were errors. */
static int emit(struct fl_ctx *c, const struct options *r, struct fl_module *module, const char *path)
{
	if (r->emit == EMIT_DOT) {
		if (r->output == NULL)
			fl_print_dot(c, stdout, module);
		return r->output == NULL ? (fl_out_of_memory(c) ? -1 : 0) : fl_write_dot(c, module, r->output);
	}
	if (r->emit == EMIT_C) {
		const char *dir = r->output ? r->output : ".";
		if (fl_make_dir(dir) != 0)
			return cannot("create", dir);
		return fl_write_c(c, module, strcmp(path, "-") == 0 ? "stdin.flyte" : path, dir, &r->cg);
	}
	struct fl_package *p = fl_lower(c, module, &r->cg);
	if (p == NULL)
		return -1;
	switch (r->emit) {
	case EMIT_PACKAGE:
		return fl_package_write_tgz(c, p, r->output ? r->output : "flyte-package.tgz");
	case EMIT_PB:
		if (fl_make_dir(r->output) != 0)
			return cannot("create", r->output);
		return fl_package_write_dir(c, p, r->output);
	case EMIT_C:
	case EMIT_DOT:
		break;
	case EMIT_JSON:
		if (r->output == NULL) {
			fl_package_print_json(c, stdout, p);
			return 0;
		}
		if (fl_package_write_json(c, p, r->output) != 0)
			/* out of memory: reported by the caller */
			return fl_out_of_memory(c) ? -1 : cannot("write", r->output);
		return 0;
	}
	return -1;
}

static int compile_one(const char *path, const struct options *r)
{
	struct fl_ctx *c = fl_ctx_new();
	if (c == NULL) {
		fprintf(stderr, "flytec: out of memory\n");
		return 1;
	}
	fl_ctx_set_max_errors(c, r->max_errors);
	if (r->mode == MODE_SHOW) {
		int rc = fl_show_file(c, stdout, path, r->show_type);
		fl_print_diagnostics(c, stderr);
		if (fl_out_of_memory(c)) {
			fprintf(stderr, "flytec: out of memory\n");
			rc = -1;
		}
		fl_ctx_free(c);
		return rc == 0 ? 0 : 1;
	}
	int src = fl_source_load(c, path);
	struct fl_node *program = src >= 0 ? fl_parse(c, src) : NULL;
	struct fl_module *module = NULL;
	/* The checker runs only on a program without syntax errors, so that
	 * what the parser skipped does not show up as unknown names. */
	if (program != NULL && r->mode != MODE_DUMP_AST && fl_error_count(c) == 0)
		module = fl_check(c, program);
	int failed = 0;
	if (r->mode == MODE_EMIT && module != NULL && fl_error_count(c) == 0 && !fl_out_of_memory(c))
		failed = emit(c, r, module, path) != 0;
	fl_print_diagnostics(c, stderr);
	int status = failed || fl_error_count(c) > 0 || program == NULL ? 1 : 0;
	if (fl_out_of_memory(c)) {
		fprintf(stderr, "flytec: out of memory\n");
		status = 1;
	}
	if (status == 0 && r->mode == MODE_DUMP_AST)
		fl_print_ast(stdout, program);
	if (status == 0 && r->mode == MODE_SIGNATURES && module != NULL)
		fl_print_signatures(c, stdout, module);
	fl_ctx_free(c);
	return status;
}

/* Output lost on the way to standard output (a full disk, a closed pipe)
 * is an error too. */
static int finish_stdout(int status)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "flytec: cannot write standard output: %s\n", strerror(errno));
		return 1;
	}
	return status;
}

static int bad_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int bad_usage(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("flytec: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'flytec --help'.\n", stderr);
	return 2;
}

enum {
	OPT_CHECK = 256, OPT_SIGNATURES, OPT_DUMP_AST, OPT_MAX_ERRORS, OPT_VERSION, OPT_EMIT, OPT_SHOW,
	OPT_IMAGE, OPT_ENTRYPOINT, OPT_PROJECT, OPT_DOMAIN, OPT_ENTITY_VERSION, OPT_TYPE,
};

static const struct option longopts[] = {
	{"emit", required_argument, NULL, OPT_EMIT},
	{"show", required_argument, NULL, OPT_SHOW},
	{"output", required_argument, NULL, 'o'},
	{"image", required_argument, NULL, OPT_IMAGE},
	{"entrypoint", required_argument, NULL, OPT_ENTRYPOINT},
	{"project", required_argument, NULL, OPT_PROJECT},
	{"domain", required_argument, NULL, OPT_DOMAIN},
	{"entity-version", required_argument, NULL, OPT_ENTITY_VERSION},
	{"type", required_argument, NULL, OPT_TYPE},
	{"check", no_argument, NULL, OPT_CHECK},
	{"signatures", no_argument, NULL, OPT_SIGNATURES},
	{"dump-ast", no_argument, NULL, OPT_DUMP_AST},
	{"max-errors", required_argument, NULL, OPT_MAX_ERRORS},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, OPT_VERSION},
	{NULL, 0, NULL, 0},
};

/* Where option parsing stopped: go on and run, or exit with a status. */
enum { PARSED = -1 };

static int parse_emit(const char *arg, struct options *o)
{
	static const char *const names[] = {"package", "pb", "json", "c", "dot"};
	static const enum emit kinds[] = {EMIT_PACKAGE, EMIT_PB, EMIT_JSON, EMIT_C, EMIT_DOT};
	o->mode = MODE_EMIT;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(arg, names[i]) == 0) {
			o->emit = kinds[i];
			return PARSED;
		}
	return bad_usage("--emit takes package, pb, json, c or dot, not '%s'", arg);
}

static int parse_type(const char *arg, struct options *o)
{
	static const char *const names[] = {"task", "workflow", "launchplan", "literals", "error"};
	static const enum fl_show_type types[] = {FL_SHOW_TASK, FL_SHOW_WORKFLOW, FL_SHOW_LAUNCHPLAN,
						  FL_SHOW_LITERALS, FL_SHOW_ERROR};
	o->show_type = FL_SHOW_AUTO;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(arg, names[i]) == 0)
			o->show_type = types[i];
	if (o->show_type == FL_SHOW_AUTO)
		return bad_usage("--type takes task, workflow, launchplan, literals or error, not '%s'", arg);
	return PARSED;
}

static int parse_max_errors(const char *arg, struct options *o)
{
	char *end;
	errno = 0;
	unsigned long n = strtoul(arg, &end, 10);
	if (errno != 0 || *end != '\0' || arg[0] == '\0' || arg[0] == '-' || n > 100000) {
		fprintf(stderr, "flytec: --max-errors takes a number from 0 to 100000, not '%s'\n", arg);
		fputs("Try 'flytec --help'.\n", stderr);
		return 2;
	}
	o->max_errors = (unsigned)n;
	return PARSED;
}

/* An option getopt did not accept: "needs a value" for ':', else unknown. */
static int bad_option(int opt, char **argv)
{
	if (opt == ':') {
		fprintf(stderr, "flytec: option '%s' needs a value\n", argv[optind - 1]);
	} else if (optopt > 0 && optopt < 256) {
		/* getopt sets optopt to the short option's letter, to a long
		 * option's value when it was given a value it does not take,
		 * and to 0 for an unknown long option. In a group of short
		 * options (-hx) optind has not moved past the group yet. */
		fprintf(stderr, "flytec: unknown option '-%c'\n", optopt);
	} else if (optopt >= 256) {
		const char *arg = argv[optind - 1];
		fprintf(stderr, "flytec: option '%.*s' takes no value\n", (int)strcspn(arg, "="), arg);
	} else {
		fprintf(stderr, "flytec: unknown option '%s'\n", argv[optind - 1]);
	}
	fputs("Try 'flytec --help'.\n", stderr);
	return 2;
}

/* One option; PARSED, or the status to exit with (help, version, bad usage). */
static int parse_option(int opt, char **argv, struct options *o)
{
	switch (opt) {
	case OPT_EMIT:
		return parse_emit(optarg, o);
	case OPT_SHOW:
		o->mode = MODE_SHOW;
		o->show = optarg;
		break;
	case 'o':
		o->output = optarg;
		break;
	case OPT_IMAGE:
		o->cg.image = optarg;
		break;
	case OPT_ENTRYPOINT:
		o->cg.entrypoint = optarg;
		break;
	case OPT_PROJECT:
		o->cg.project = optarg;
		break;
	case OPT_DOMAIN:
		o->cg.domain = optarg;
		break;
	case OPT_ENTITY_VERSION:
		o->cg.version = optarg;
		break;
	case OPT_TYPE:
		return parse_type(optarg, o);
	case OPT_CHECK:
		o->mode = MODE_CHECK;
		break;
	case OPT_SIGNATURES:
		o->mode = MODE_SIGNATURES;
		break;
	case OPT_DUMP_AST:
		o->mode = MODE_DUMP_AST;
		break;
	case OPT_MAX_ERRORS:
		return parse_max_errors(optarg, o);
	case 'h':
		usage(stdout);
		return 0;
	case OPT_VERSION:
		printf("flytec %s\n", fl_version());
		return 0;
	default:
		return bad_option(opt, argv);
	}
	return PARSED;
}

/* The command line into *o. Returns PARSED, or the status to exit with. */
static int parse_options(int argc, char **argv, struct options *o)
{
	*o = (struct options){.mode = MODE_CHECK, .max_errors = 20};
	int opt;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":ho:", longopts, NULL)) != -1) {
		int rc = parse_option(opt, argv, o);
		if (rc != PARSED)
			return rc;
	}
	o->files = argv + optind;
	o->nfiles = argc - optind;
	if (o->mode == MODE_SHOW) {
		if (o->nfiles != 0)
			return bad_usage("--show takes one file; unexpected '%s'", o->files[0]);
		return PARSED;
	}
	if (o->nfiles == 0) {
		fputs("flytec: no input files\nTry 'flytec --help'.\n", stderr);
		return 2;
	}
	if (o->mode == MODE_EMIT && o->nfiles > 1)
		return bad_usage("--emit compiles one file at a time; unexpected '%s'", o->files[1]);
	if (o->mode == MODE_EMIT && o->emit == EMIT_PB && o->output == NULL)
		return bad_usage("%s", "--emit=pb needs -o DIRECTORY");
	if (o->mode != MODE_EMIT && o->output != NULL)
		return bad_usage("%s", "-o goes with --emit");
	return PARSED;
}

/* Compiles every file (or shows one) and returns the exit status. */
static int run(const struct options *o)
{
	if (o->mode == MODE_SHOW)
		return finish_stdout(compile_one(o->show, o));
	int status = 0;
	for (int i = 0; i < o->nfiles; i++)
		if (compile_one(o->files[i], o) != 0)
			status = 1;
	return finish_stdout(status);
}

int main(int argc, char **argv)
{
	/* A test hook: the Nth request of the compiler for memory from the
	 * system fails (fl_alloc_fail_at, flytec.h), so that tests can check
	 * that the driver reports it and leaves no partial output behind. */
	const char *fail_alloc = getenv("FLYTEC_FAIL_ALLOC");
	if (fail_alloc != NULL && *fail_alloc != '\0')
		fl_alloc_fail_at(strtoul(fail_alloc, NULL, 10));
	struct options o;
	int rc = parse_options(argc, argv, &o);
	return rc != PARSED ? rc : run(&o);
}
