/* flytec.c: the command line. Parses the options into a struct options
 * (driver.h), runs the library (flytec.h, its only interface to the
 * compiler) on each file, prints the diagnostics and chooses the exit
 * status: 0 success, 1 errors in the input, 2 bad usage. The outputs of
 * --emit and the make rules are outputs.c's. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "driver.h"

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
	      "  --emit=KIND[=PATH] compile one file to an output; repeat it, or list kinds\n"
	      "                     (--emit=package,c), for several from one compilation:\n"
	      "                       package  flyte-package.tgz for `flytectl register files`\n"
	      "                       pb       the numbered .pb files, into the directory PATH;\n"
	      "                                the stale ones an earlier run wrote there go\n"
	      "                                (DIR/.flytec-pb lists them; nothing else goes)\n"
	      "                       json     the whole package as protobuf JSON (default: stdout)\n"
	      "                       c        STEM.flyte-c.h and STEM.flyte-c.c into the\n"
	      "                                directory PATH (default .)\n"
	      "                     PATH - is standard output (package, json). In a list a comma\n"
	      "                     and a kind start the next item: c=a,b is the directory a,b.\n"
	      "                     Without =PATH a kind takes -o PATH when it is the only one.\n"
	      "  --show=FILE        print a .pb artifact or a .tgz package as protobuf JSON\n"
	      "\n"
	      "Options:\n"
	      "  -o, --output=PATH  the PATH of the one --emit kind asked for (- : stdout)\n"
	      "  --image=IMAGE      the container image (overrides the module's `image`)\n"
	      "  --entrypoint=PATH  the task executable in the image (default: the module name)\n"
	      "  --project=P, --domain=D, --entity-version=V\n"
	      "                     identifier fields (default empty: flytectl fills them);\n"
	      "                     --entity-version=digest: the package's content digest\n"
	      "  --type=T           what --show decodes: task, workflow, launchplan, literals, error\n"
	      "                     (default: from the file name N_NAME_K.pb)\n"
	      "  -I DIR             search DIR for imported modules (after the file's own\n"
	      "                     directory; `from a.b import x` reads DIR/a/b.flyte)\n"
	      "  -Wall, -WNAME, -Wno-NAME, -Werror, -Werror=NAME\n"
	      "                     warnings: unused-import (on by default), unused-input,\n"
	      "                     unused-value, unused-enum; -Werror makes them errors\n"
	      "  --max-errors=N     stop after N errors per file (default 20; 0: no limit)\n"
	      "  -h, --help         print this help and exit\n"
	      "  --version          print the version and exit\n"
	      "\n"
	      "Dependencies (make rules, as GCC writes them):\n"
	      "  -M                 print the rule \"OUTPUTS: SOURCES\" and write nothing else\n"
	      "  -MD                write the rule into a depfile beside the outputs of --emit\n"
	      "  -MF FILE           the depfile (- : stdout; default for -MD: the first output's\n"
	      "                     path + .d, DIR/STEM.flyte-c.d for c, STEM.d for stdout)\n"
	      "  -MT TARGET         a target of the rule (repeatable; default: every file the\n"
	      "                     outputs write); -MQ TARGET: the same, quoted for make\n"
	      "  -MP                add a phony rule for every source but the main one\n"
	      "\n"
	      "FILE may be - for standard input. Diagnostics go to standard error as\n"
	      "FILE:LINE:COLUMN: error: MESSAGE. Exit status: 0 when every file is\n"
	      "correct, 1 when errors were found, 2 on bad usage.\n",
	      out);
}

/* FLYTEC_TEST_SOURCE_MAX (a test hook): the largest source, 0: the
 * library's limit. */
static size_t source_max;
/* FLYTEC_TEST_EXTRA_SOURCE (a test hook): see compile_one. */
static const char *extra_source;

static int compile_one(const char *path, const struct options *r)
{
	struct fl_ctx *c = fl_ctx_new();
	if (c == NULL) {
		fprintf(stderr, "flytec: out of memory\n");
		return 1;
	}
	fl_ctx_set_max_errors(c, r->max_errors);
	fl_ctx_set_source_max(c, source_max);
	for (int i = 0; i < r->nwarnings; i++)
		fl_ctx_warning(c, r->warnings[i]);
	for (int i = 0; i < r->nimport_dirs; i++)
		if (fl_ctx_add_import_dir(c, r->import_dirs[i]) != 0) {
			fprintf(stderr, "flytec: out of memory\n");
			fl_ctx_free(c);
			return 1;
		}
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
	/* a test hook until imports load further sources: one more source
	 * in the compilation, read and not parsed, a dependency like one */
	if (src >= 0 && extra_source != NULL)
		(void)fl_source_load(c, extra_source);
	struct fl_node *program = src >= 0 ? fl_parse(c, src) : NULL;
	struct fl_module *module = NULL;
	/* The checker runs only on a program without syntax errors, so that
	 * what the parser skipped does not show up as unknown names. */
	if (program != NULL && r->mode != MODE_DUMP_AST && fl_error_count(c) == 0)
		module = fl_check(c, program);
	int failed = 0;
	if (r->mode == MODE_EMIT && module != NULL && fl_error_count(c) == 0 && !fl_out_of_memory(c))
		failed = emit_outputs(c, r, module, strcmp(path, "-") == 0 ? "stdin.flyte" : path) != 0;
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

/* The kind named at p (its name ends at ',', '=' or the end), or
 * EMIT_KINDS; *n is the name's length. */
static enum emit_kind kind_at(const char *p, size_t *n)
{
	*n = strcspn(p, ",=");
	for (unsigned i = 0; i < EMIT_KINDS; i++)
		if (strlen(emit_kind_name(i)) == *n && strncmp(p, emit_kind_name(i), *n) == 0)
			return i;
	return EMIT_KINDS;
}

/* The length of a path in a list: up to the comma that starts the next
 * item (a comma followed by a kind's name), so c=a,b is the path "a,b"
 * and c=gen,json two items. */
static size_t path_len(const char *p)
{
	size_t len = 0, n;
	for (;;) {
		len += strcspn(p + len, ",");
		if (p[len] == '\0' || kind_at(p + len + 1, &n) != EMIT_KINDS)
			return len;
		len++;
	}
}

/* --emit=KIND[=PATH][,KIND[=PATH]]... */
static int parse_emit(const char *arg, struct options *o)
{
	o->mode = MODE_EMIT;
	for (const char *p = arg;;) {
		size_t n;
		enum emit_kind k = kind_at(p, &n);
		if (k == EMIT_KINDS)
			return bad_usage("--emit takes package, pb, json or c, not '%.*s'", (int)n, p);
		if (o->emit[k].asked)
			return bad_usage("--emit=%s is given twice", emit_kind_name(k));
		o->emit[k].asked = true;
		o->order[o->nemit++] = k;
		p += n;
		if (*p == '=') {
			size_t len = path_len(p + 1);
			if (len == 0)
				return bad_usage("--emit=%s= needs a path after '='", emit_kind_name(k));
			char *path = strndup(p + 1, len);  /* lives as long as the run */
			if (path == NULL)
				return bad_usage("%s", "out of memory");
			o->emit[k].path = path;
			o->emit[k].explicit_path = true;
			p += 1 + len;
		}
		if (*p == '\0')
			return PARSED;
		p++;  /* the comma */
	}
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
	case 'I':
		o->import_dirs[o->nimport_dirs++] = optarg;
		break;
	case 'W':
		if (!fl_warning_option_known(optarg))
			return bad_usage("unknown warning option '-W%s'", optarg);
		o->warnings[o->nwarnings++] = optarg;
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
		/* "digest": the package's content digest (fl_codegen_options) */
		o->cg.version_digest = strcmp(optarg, "digest") == 0;
		o->cg.version = o->cg.version_digest ? NULL : optarg;
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

/* Whether a command-line word is an option whose value is the next word
 * (-o PATH, --output PATH, and the other long options that take a value,
 * abbreviated too), so that the -M scan leaves that word alone. */
static bool takes_next(const char *arg)
{
	if (arg[0] != '-' || arg[1] == '\0')
		return false;
	if (arg[1] != '-')
		return strcmp(arg, "-I") == 0 || strcmp(arg, "-W") == 0
		       || (arg[strlen(arg) - 1] == 'o' && strspn(arg + 1, "ho") == strlen(arg + 1));
	if (strchr(arg, '=') != NULL || arg[2] == '\0')
		return false;
	for (const struct option *l = longopts; l->name != NULL; l++)
		if (l->has_arg == required_argument && strncmp(l->name, arg + 2, strlen(arg + 2)) == 0)
			return true;
	return false;
}

/* The -M options (GCC's spelling, which getopt cannot read) out of argv:
 * the other words are moved down, in order, and their count returned; or
 * a negative exit status (bad usage). "--" ends the options. */
static int take_dep_options(int argc, char **argv, struct options *o)
{
	int out = 1, i = 1;
	for (; i < argc; i++) {
		char *a = argv[i];
		if (strcmp(a, "--") == 0)
			break;
		if (takes_next(a) && i + 1 < argc) {
			argv[out++] = a;
			argv[out++] = argv[++i];
			continue;
		}
		if (strncmp(a, "-M", 2) != 0) {
			argv[out++] = a;
			continue;
		}
		if (strcmp(a, "-M") == 0) {
			o->deps.only = true;
		} else if (strcmp(a, "-MD") == 0) {
			o->deps.side = true;
		} else if (strcmp(a, "-MP") == 0) {
			o->deps.phony = true;
		} else if (strncmp(a, "-MF", 3) == 0 || strncmp(a, "-MT", 3) == 0 || strncmp(a, "-MQ", 3) == 0) {
			const char *v = a[3] != '\0' ? a + 3 : i + 1 < argc ? argv[++i] : NULL;
			if (v == NULL) {
				fprintf(stderr, "flytec: option '%.3s' needs a value\nTry 'flytec --help'.\n", a);
				return -2;
			}
			if (a[2] == 'F')
				o->deps.file = v;
			else
				o->deps.targets[o->deps.ntargets++] = (struct dep_target){v, a[2] == 'Q'};
		} else {
			fprintf(stderr, "flytec: unknown option '%s'\nTry 'flytec --help'.\n", a);
			return -2;
		}
	}
	while (i < argc)
		argv[out++] = argv[i++];
	argv[out] = NULL;
	return out;
}

/* Every output kind's path: its =PATH, -o for the one kind asked for, or
 * its default. PARSED, or 2 after saying why not. */
static int resolve_outputs(struct options *o)
{
	if (o->output != NULL && o->nemit != 1)
		return bad_usage("%s", "-o names the output of one --emit kind; with several, give each its path as --emit=KIND=PATH");
	static const char *const defaults[] = {"flyte-package.tgz", NULL, "-", "."};
	const char *on_stdout = NULL;
	for (unsigned i = 0; i < o->nemit; i++) {
		enum emit_kind k = o->order[i];
		struct emit_out *e = &o->emit[k];
		if (o->output != NULL && e->explicit_path)
			return bad_usage("-o and --emit=%s=PATH both name the output", emit_kind_name(k));
		if (e->path == NULL)
			e->path = o->output != NULL ? o->output : defaults[k];
		if (e->path == NULL)
			return bad_usage("--emit=%s needs a directory: --emit=%s=DIR or -o DIR", emit_kind_name(k),
					 emit_kind_name(k));
		size_t n = strlen(e->path);
		if ((k == EMIT_PB || k == EMIT_C) && n > 1 && e->path[n - 1] == '/') {
			/* DIR/ names its files DIR/NAME, not DIR//NAME */
			while (n > 1 && e->path[n - 1] == '/')
				n--;
			char *dir = strndup(e->path, n);
			if (dir == NULL)
				return bad_usage("%s", "out of memory");
			if (e->explicit_path)
				free((char *)e->path);
			e->path = dir;
			e->explicit_path = true;  /* owned */
		}
		if (strcmp(e->path, "-") != 0)
			continue;
		if (k == EMIT_PB || k == EMIT_C)
			return bad_usage("--emit=%s writes files into a directory, not to standard output", emit_kind_name(k));
		if (on_stdout != NULL)
			return bad_usage("--emit=%s and --emit=%s cannot both write to standard output", on_stdout,
					 emit_kind_name(k));
		on_stdout = emit_kind_name(k);
	}
	return PARSED;
}

/* The -M options against the rest. PARSED, or 2 after saying why not. */
static int check_deps(const struct options *o)
{
	const struct dep_options *d = &o->deps;
	bool any = d->only || d->side || d->phony || d->file != NULL || d->ntargets > 0;
	if (!any)
		return PARSED;
	if (o->mode != MODE_EMIT)
		return bad_usage("%s", "-M and -MD go with --emit (whose outputs are the rule's targets)");
	if (!d->only && !d->side)
		return bad_usage("%s", "-MF, -MT, -MQ and -MP go with -M or -MD");
	if (d->only && d->side)
		return bad_usage("%s", "-M prints the rule and writes nothing else; -MD writes it beside the outputs: choose one");
	bool file_output = false, stdout_output = false;
	for (unsigned i = 0; i < o->nemit; i++) {
		bool out = strcmp(o->emit[o->order[i]].path, "-") == 0;
		file_output |= !out;
		stdout_output |= out;
	}
	if (d->ntargets == 0 && !file_output)
		return bad_usage("%s", "every output goes to standard output: name the rule's target with -MT TARGET");
	bool rule_on_stdout = d->file != NULL ? strcmp(d->file, "-") == 0 : false;
	if (d->side && rule_on_stdout && stdout_output)
		return bad_usage("%s", "-MF - and an output on standard output cannot share it");
	return PARSED;
}

/* The command line into *o. Returns PARSED, or the status to exit with. */
static int parse_options(int argc, char **argv, struct options *o)
{
	*o = (struct options){.mode = MODE_CHECK, .max_errors = 20};
	o->deps.targets = calloc((size_t)argc + 1, sizeof *o->deps.targets);
	/* at most argc of each */
	o->import_dirs = calloc((size_t)argc + 1, sizeof *o->import_dirs);
	o->warnings = calloc((size_t)argc + 1, sizeof *o->warnings);
	if (o->deps.targets == NULL || o->import_dirs == NULL || o->warnings == NULL) {
		fputs("flytec: out of memory\n", stderr);
		return 1;
	}
	argc = take_dep_options(argc, argv, o);
	if (argc < 0)
		return -argc;
	int opt;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":ho:I:W:", longopts, NULL)) != -1) {
		int rc = parse_option(opt, argv, o);
		if (rc != PARSED)
			return rc;
	}
	o->files = argv + optind;
	o->nfiles = argc - optind;
	if (o->mode == MODE_SHOW) {
		if (o->nfiles != 0)
			return bad_usage("--show takes one file; unexpected '%s'", o->files[0]);
		return check_deps(o);
	}
	if (o->nfiles == 0) {
		fputs("flytec: no input files\nTry 'flytec --help'.\n", stderr);
		return 2;
	}
	if (o->mode == MODE_EMIT && o->nfiles > 1)
		return bad_usage("--emit compiles one file at a time; unexpected '%s'", o->files[1]);
	if (o->mode != MODE_EMIT && o->output != NULL)
		return bad_usage("%s", "-o goes with --emit");
	if (o->mode == MODE_EMIT && resolve_outputs(o) != PARSED)
		return 2;
	return check_deps(o);
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

/* FLYTEC_TEST_PAUSE_BEFORE_RENAME (a test hook): every write stops after
 * its temporary file is filled, says so, and waits for a signal, so that a
 * test can kill flytec there without timing anything. */
static void pause_before_rename(const char *tmp)
{
	fprintf(stderr, "flytec: test hook: paused before renaming %s\n", tmp);
	fflush(stderr);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	/* A test hook: the Nth request of the compiler for memory from the
	 * system fails (fl_alloc_fail_at, flytec.h), so that tests can check
	 * that the driver reports it and leaves no partial output behind. */
	const char *fail_alloc = getenv("FLYTEC_FAIL_ALLOC");
	if (fail_alloc != NULL && *fail_alloc != '\0')
		fl_alloc_fail_at(strtoul(fail_alloc, NULL, 10));
	const char *max = getenv("FLYTEC_TEST_SOURCE_MAX");
	if (max != NULL && *max != '\0')
		source_max = strtoul(max, NULL, 10);
	extra_source = getenv("FLYTEC_TEST_EXTRA_SOURCE");
	if (extra_source != NULL && *extra_source == '\0')
		extra_source = NULL;
	const char *pause_hook = getenv("FLYTEC_TEST_PAUSE_BEFORE_RENAME");
	if (pause_hook != NULL && *pause_hook != '\0')
		fl_set_write_hook(pause_before_rename);
	fl_remove_temps_on_signals();
	struct options o;
	int rc = parse_options(argc, argv, &o);
	if (rc == PARSED)
		rc = run(&o);
	free(o.deps.targets);
	free(o.import_dirs);
	free(o.warnings);
	for (unsigned k = 0; k < EMIT_KINDS; k++)
		if (o.emit[k].explicit_path)
			free((char *)o.emit[k].path);
	return rc;
}
