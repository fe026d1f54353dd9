/* flytec.c: the command line. Parses options, runs the library, prints
 * its diagnostics and chooses the exit status:
 * 0 success, 1 errors in the input, 2 bad usage. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arena.h"
#include "emit.h"
#include "flytec.h"

enum mode { MODE_CHECK, MODE_SIGNATURES, MODE_DUMP_AST, MODE_EMIT, MODE_SHOW };
enum emit { EMIT_PACKAGE, EMIT_PB, EMIT_JSON, EMIT_C };

struct run {
	enum mode mode;
	enum emit emit;
	unsigned max_errors;
	const char *output;            /* -o */
	enum fl_show_type show_type;
	struct fl_codegen_options cg;
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

/* Writes what --emit asked for; nothing is written when there were errors. */
static int emit(struct fl_ctx *c, const struct run *r, struct fl_module *module, const char *path)
{
	if (r->emit == EMIT_C) {
		const char *dir = r->output ? r->output : ".";
		if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
			fprintf(stderr, "flytec: cannot create %s: %s\n", dir, strerror(errno));
			return -1;
		}
		return fl_write_c(c, module, strcmp(path, "-") == 0 ? "stdin.flyte" : path, dir, &r->cg);
	}
	struct fl_package *p = fl_lower(c, module, &r->cg);
	if (p == NULL)
		return -1;
	switch (r->emit) {
	case EMIT_PACKAGE:
		return fl_package_write_tgz(c, p, r->output ? r->output : "flyte-package.tgz");
	case EMIT_PB:
		if (mkdir(r->output, 0777) != 0 && errno != EEXIST) {
			fprintf(stderr, "flytec: cannot create %s: %s\n", r->output, strerror(errno));
			return -1;
		}
		return fl_package_write_dir(c, p, r->output);
	case EMIT_C:
		break;
	case EMIT_JSON: {
		if (r->output == NULL) {
			fl_package_print_json(c, stdout, p);
			return 0;
		}
		/* built in memory, then written whole (a temporary file renamed
		 * over the target), like every other output */
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		if (f == NULL) {
			fprintf(stderr, "flytec: cannot write %s: %s\n", r->output, strerror(errno));
			return -1;
		}
		fl_package_print_json(c, f, p);
		int rc = 0;
		if (fclose(f) != 0 || fl_out_of_memory(c)) {
			rc = -1;  /* out of memory: reported by the caller */
		} else if (fl_write_file(r->output, buf, len, false, NULL) != 0) {
			fprintf(stderr, "flytec: cannot write %s: %s\n", r->output, strerror(errno));
			rc = -1;
		}
		free(buf);
		return rc;
	}
	}
	return -1;
}

static int compile_one(const char *path, const struct run *r)
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

int main(int argc, char **argv)
{
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
	/* A test hook: the Nth request of the compiler for memory from the
	 * system fails (see fl_alloc_fail_at), so that tests can check that
	 * the driver reports it and leaves no partial output behind. */
	const char *fail_alloc = getenv("FLYTEC_FAIL_ALLOC");
	if (fail_alloc != NULL && *fail_alloc != '\0')
		fl_alloc_fail_at(strtoul(fail_alloc, NULL, 10));
	enum mode mode = MODE_CHECK;
	unsigned long max_errors = 20;
	struct run r = {0};
	const char *show = NULL;
	int opt;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":ho:", longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_EMIT:
			mode = MODE_EMIT;
			if (strcmp(optarg, "package") == 0)
				r.emit = EMIT_PACKAGE;
			else if (strcmp(optarg, "pb") == 0)
				r.emit = EMIT_PB;
			else if (strcmp(optarg, "json") == 0)
				r.emit = EMIT_JSON;
			else if (strcmp(optarg, "c") == 0)
				r.emit = EMIT_C;
			else
				return bad_usage("--emit takes package, pb, json or c, not '%s'", optarg);
			break;
		case OPT_SHOW:
			mode = MODE_SHOW;
			show = optarg;
			break;
		case 'o':
			r.output = optarg;
			break;
		case OPT_IMAGE:
			r.cg.image = optarg;
			break;
		case OPT_ENTRYPOINT:
			r.cg.entrypoint = optarg;
			break;
		case OPT_PROJECT:
			r.cg.project = optarg;
			break;
		case OPT_DOMAIN:
			r.cg.domain = optarg;
			break;
		case OPT_ENTITY_VERSION:
			r.cg.version = optarg;
			break;
		case OPT_TYPE: {
			static const char *const names[] = {"task", "workflow", "launchplan", "literals", "error"};
			static const enum fl_show_type types[] = {FL_SHOW_TASK, FL_SHOW_WORKFLOW, FL_SHOW_LAUNCHPLAN,
								  FL_SHOW_LITERALS, FL_SHOW_ERROR};
			r.show_type = FL_SHOW_AUTO;
			for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
				if (strcmp(optarg, names[i]) == 0)
					r.show_type = types[i];
			if (r.show_type == FL_SHOW_AUTO)
				return bad_usage("--type takes task, workflow, launchplan, literals or error, not '%s'", optarg);
			break;
		}
		case OPT_CHECK:
			mode = MODE_CHECK;
			break;
		case OPT_SIGNATURES:
			mode = MODE_SIGNATURES;
			break;
		case OPT_DUMP_AST:
			mode = MODE_DUMP_AST;
			break;
		case OPT_MAX_ERRORS: {
			char *end;
			errno = 0;
			max_errors = strtoul(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || optarg[0] == '\0' || optarg[0] == '-'
			    || max_errors > 100000) {
				fprintf(stderr, "flytec: --max-errors takes a number from 0 to 100000, not '%s'\n",
					optarg);
				fputs("Try 'flytec --help'.\n", stderr);
				return 2;
			}
			break;
		}
		case 'h':
			usage(stdout);
			return 0;
		case OPT_VERSION:
			printf("flytec %s\n", fl_version());
			return 0;
		case ':':
			fprintf(stderr, "flytec: option '%s' needs a value\n", argv[optind - 1]);
			fputs("Try 'flytec --help'.\n", stderr);
			return 2;
		default:
			/* getopt sets optopt to the short option's letter, to a long
			 * option's value when it was given a value it does not take,
			 * and to 0 for an unknown long option. In a group of short
			 * options (-hx) optind has not moved past the group yet. */
			if (optopt > 0 && optopt < 256) {
				fprintf(stderr, "flytec: unknown option '-%c'\n", optopt);
			} else if (optopt >= 256) {
				const char *arg = argv[optind - 1];
				fprintf(stderr, "flytec: option '%.*s' takes no value\n",
					(int)strcspn(arg, "="), arg);
			} else {
				fprintf(stderr, "flytec: unknown option '%s'\n", argv[optind - 1]);
			}
			fputs("Try 'flytec --help'.\n", stderr);
			return 2;
		}
	}
	r.mode = mode;
	r.max_errors = (unsigned)max_errors;
	if (mode == MODE_SHOW) {
		if (optind != argc)
			return bad_usage("--show takes one file; unexpected '%s'", argv[optind]);
		return finish_stdout(compile_one(show, &r));
	}
	if (optind == argc) {
		fputs("flytec: no input files\nTry 'flytec --help'.\n", stderr);
		return 2;
	}
	if (mode == MODE_EMIT && argc - optind > 1)
		return bad_usage("--emit compiles one file at a time; unexpected '%s'", argv[optind + 1]);
	if (mode == MODE_EMIT && r.emit == EMIT_PB && r.output == NULL)
		return bad_usage("%s", "--emit=pb needs -o DIRECTORY");
	if (mode != MODE_EMIT && r.output != NULL)
		return bad_usage("%s", "-o goes with --emit");
	int status = 0;
	for (int i = optind; i < argc; i++)
		if (compile_one(argv[i], &r) != 0)
			status = 1;
	return finish_stdout(status);
}
