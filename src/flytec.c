/* flytec.c: the command line. Parses options, runs the library, prints
 * its diagnostics and chooses the exit status:
 * 0 success, 1 errors in the input, 2 bad usage. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flytec.h"

enum mode { MODE_CHECK, MODE_SIGNATURES, MODE_DUMP_AST };

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
	      "\n"
	      "Options:\n"
	      "  --max-errors=N     stop after N errors per file (default 20; 0: no limit)\n"
	      "  -h, --help         print this help and exit\n"
	      "  --version          print the version and exit\n"
	      "\n"
	      "FILE may be - for standard input. Diagnostics go to standard error as\n"
	      "FILE:LINE:COLUMN: error: MESSAGE. Exit status: 0 when every file is\n"
	      "correct, 1 when errors were found, 2 on bad usage.\n",
	      out);
}

static int compile_one(const char *path, enum mode mode, unsigned max_errors)
{
	struct fl_ctx *c = fl_ctx_new();
	if (c == NULL) {
		fprintf(stderr, "flytec: out of memory\n");
		return 1;
	}
	fl_ctx_set_max_errors(c, max_errors);
	int src = fl_source_load(c, path);
	struct fl_node *program = src >= 0 ? fl_parse(c, src) : NULL;
	struct fl_module *module = NULL;
	/* The checker runs only on a program without syntax errors, so that
	 * what the parser skipped does not show up as unknown names. */
	if (program != NULL && mode != MODE_DUMP_AST && fl_error_count(c) == 0)
		module = fl_check(c, program);
	fl_print_diagnostics(c, stderr);
	int status = fl_error_count(c) > 0 || program == NULL ? 1 : 0;
	if (fl_out_of_memory(c)) {
		fprintf(stderr, "flytec: out of memory\n");
		status = 1;
	}
	if (status == 0 && mode == MODE_DUMP_AST)
		fl_print_ast(stdout, program);
	if (status == 0 && mode == MODE_SIGNATURES && module != NULL)
		fl_print_signatures(c, stdout, module);
	fl_ctx_free(c);
	return status;
}

int main(int argc, char **argv)
{
	enum { OPT_CHECK = 256, OPT_SIGNATURES, OPT_DUMP_AST, OPT_MAX_ERRORS, OPT_VERSION };
	static const struct option longopts[] = {
		{"check", no_argument, NULL, OPT_CHECK},
		{"signatures", no_argument, NULL, OPT_SIGNATURES},
		{"dump-ast", no_argument, NULL, OPT_DUMP_AST},
		{"max-errors", required_argument, NULL, OPT_MAX_ERRORS},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, OPT_VERSION},
		{NULL, 0, NULL, 0},
	};
	enum mode mode = MODE_CHECK;
	unsigned long max_errors = 20;
	int opt;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (opt) {
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
			return 2;
		default:
			fprintf(stderr, "flytec: unknown option '%s'\n", argv[optind - 1]);
			fputs("Try 'flytec --help'.\n", stderr);
			return 2;
		}
	}
	if (optind == argc) {
		fputs("flytec: no input files\nTry 'flytec --help'.\n", stderr);
		return 2;
	}
	int status = 0;
	for (int i = optind; i < argc; i++)
		if (compile_one(argv[i], mode, (unsigned)max_errors) != 0)
			status = 1;
	return status;
}
