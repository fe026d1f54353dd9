/**
 * @file flytec.h
 * The flytec compiler as a library: load sources, parse, check, and print
 * the queued diagnostics. Nothing here writes to stdout or stderr on its
 * own, and nothing exits: every result and error is a value.
 *
 * One fl_ctx is one compilation; all its memory (trees, names,
 * diagnostics) is freed by fl_ctx_free. Every type here is opaque.
 *
 * This is an internal API, between the library and its driver (src/flytec.c),
 * tests and fuzzers: neither this header nor libflytec is installed in this
 * release, and it may change in any version.
 */
#ifndef FLYTEC_H
#define FLYTEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

struct fl_ctx;
struct fl_diag;
struct fl_node;
struct fl_module;
struct fl_package;

/** Flags of code generation. NULL fields take their defaults. */
struct fl_codegen_options {
	const char *project;     /**< identifier fields: empty unless given (flytectl fills them) */
	const char *domain;
	const char *version;
	const char *image;       /**< overrides the module's default image */
	const char *entrypoint;  /**< args[0] of every container; default: the module name */
	bool version_digest;     /**< the version is the package's content digest (`version` is ignored) */
};

/** The library's version, as "MAJOR.MINOR.PATCH". */
const char *fl_version(void);

/** A new compilation, or NULL when memory is exhausted. */
struct fl_ctx *fl_ctx_new(void);
void fl_ctx_free(struct fl_ctx *c);

/** Stop recording errors after n of them (0: never). The default is 20. */
void fl_ctx_set_max_errors(struct fl_ctx *c, unsigned n);

/** Applies a warning option, given without its "-W": "all", "error",
 *  "no-error", "NAME", "no-NAME", "error=NAME", "no-error=NAME", where NAME
 *  is a warning class (unused-import, unused-input, unused-value,
 *  unused-enum). Later options override earlier ones. Returns 0, or -1 for
 *  an option it does not know. */
int fl_ctx_warning(struct fl_ctx *c, const char *spec);
/** Whether fl_ctx_warning would take the option. */
bool fl_warning_option_known(const char *spec);

/** Adds a directory to the search path of imported modules (`-I`), after
 *  those added before. `from a.b import x` reads a/b.flyte from the
 *  directory of the file named on the command line, then from each of
 *  these in order. Returns 0, or -1 when memory ran out. */
int fl_ctx_add_import_dir(struct fl_ctx *c, const char *dir);

/** The largest source accepted, in bytes (0 or more than the library's
 *  own limit: that limit, just under 2 GiB). A longer file or stream is an
 *  error as soon as its reading passes the limit. */
void fl_ctx_set_source_max(struct fl_ctx *c, size_t n);

/** Adds a source held in memory (copied). Returns its id, or -1 after
 *  queueing an error (too large, out of memory). */
int fl_source_add(struct fl_ctx *c, const char *name, const char *text, size_t len);

/** Reads a source file ("-": standard input). Returns its id, or -1 after
 *  queueing an error that names the file. */
int fl_source_load(struct fl_ctx *c, const char *path);

/** How many sources the compilation has loaded so far (fl_source_load,
 *  fl_source_add, and any the compilation loads by itself), in the order
 *  they were loaded: the dependencies of its outputs. */
size_t fl_source_count(const struct fl_ctx *c);

/** The path of source i as it was given, or NULL when it was not read from
 *  a file (standard input, a source in memory) or i is out of range. */
const char *fl_source_path(const struct fl_ctx *c, size_t i);

/** Whether path may be written: 0, or -1 after queueing an error when it
 *  is one of the loaded source files (the same device and inode, through a
 *  link or another name too). Every writer below checks its own files this
 *  way; a caller with several outputs checks them all before writing any. */
int fl_output_check(struct fl_ctx *c, const char *path);

/** Writes data to path whole, like every output (fl_output_check first;
 *  a path that exists and is not a regular file — a device, a FIFO — is
 *  written directly). Returns 0, or -1 after queueing an error. */
int fl_write_file(struct fl_ctx *c, const char *path, const void *data, size_t len);

/** Parses a source. Returns the program, or NULL when there is none (its
 *  first line is not a module declaration, or memory ran out). Syntax
 *  errors are queued; a program is returned even when some were found. */
struct fl_node *fl_parse(struct fl_ctx *c, int source);

/** Resolves names and checks types. Returns the checked module (opaque:
 *  the functions below read it), or NULL when memory ran out. */
struct fl_module *fl_check(struct fl_ctx *c, struct fl_node *program);

/** Prints "name : (inputs) -> outputs" for every declaration. */
void fl_print_signatures(struct fl_ctx *c, FILE *out, const struct fl_module *m);

/** Lowers a checked, error-free module to registration artifacts (NULL
 *  after queueing an error). */
struct fl_package *fl_lower(struct fl_ctx *c, const struct fl_module *m, const struct fl_codegen_options *o);

/** Writes the package as a byte-stable flyte-package.tgz, atomically.
 *  Returns 0, or -1 after queueing an error. */
int fl_package_write_tgz(struct fl_ctx *c, const struct fl_package *p, const char *path);

/** Writes the package's tgz to an open stream (standard output).
 *  Returns 0, or -1 after queueing an error (a failed write is the
 *  caller's to notice with ferror). */
int fl_package_print_tgz(struct fl_ctx *c, FILE *out, const struct fl_package *p);

/** Writes the numbered .pb files into an existing directory, each
 *  rewritten only when its content changes, and removes the numbered .pb
 *  files an earlier run wrote there that are no longer in the package: the
 *  directory's list DIR/.flytec-pb (one name a line) says which files
 *  flytec wrote; nothing else is ever removed. Returns 0, or -1 after
 *  queueing an error. */
int fl_package_write_dir(struct fl_ctx *c, const struct fl_package *p, const char *dir);

/** The package's files (N_NAME_K.pb), in registration order. */
size_t fl_package_count(const struct fl_package *p);
const char *fl_package_file(const struct fl_package *p, size_t i);

/** Prints the package as JSON: {"<file>": <message as protobuf JSON>, ...}. */
void fl_package_print_json(struct fl_ctx *c, FILE *out, const struct fl_package *p);

/** Writes what fl_package_print_json prints into the file at path, whole
 *  (built in memory, then a temporary file renamed over path). Returns 0,
 *  or -1: with fl_out_of_memory(c) when memory ran out, otherwise with
 *  errno saying why the file could not be written (nothing is queued:
 *  the caller names the file). */
int fl_package_write_json(struct fl_ctx *c, const struct fl_package *p, const char *path);

/** Makes the directory an output goes into; an entry of that name that
 *  already exists is left alone (when it is not a directory, writing into
 *  it fails and says so). Returns 0, or -1 with errno set. */
int fl_make_dir(const char *path);

/** Writes the generated C for a module: OUTDIR/STEM.flyte-c.h and
 *  OUTDIR/STEM.flyte-c.c (STEM is the base name of `source` without
 *  `.flyte`), each rewritten only when its content changes. Returns 0, or
 *  -1 after queueing an error. */
int fl_write_c(struct fl_ctx *c, const struct fl_module *m, const char *source, const char *outdir,
	       const struct fl_codegen_options *o);

/** fl_write_c with the module's package lowered already (by fl_lower,
 *  with the options of the registration outputs): one lowering serves
 *  both. */
int fl_write_c_package(struct fl_ctx *c, const struct fl_module *m, const struct fl_package *p, const char *source,
		       const char *outdir);

/** The path fl_write_c writes for `source` into outdir: the header
 *  (OUTDIR/STEM.flyte-c.h; STEM.flyte-c.h for ".") or the C file
 *  (.flyte-c.c). The string lives
 *  as long as the context (NULL when memory ran out). */
const char *fl_c_output_path(struct fl_ctx *c, const char *source, const char *outdir, bool header);

/** Makes SIGINT, SIGTERM and SIGHUP remove the temporary files of writes
 *  in progress before the process dies of the signal (a signal ignored
 *  when this is called stays ignored). For a program's main. */
void fl_remove_temps_on_signals(void);

/** For tests only: hook(tmp) runs after a temporary file is written and
 *  before it is renamed over its target (NULL: none). */
void fl_set_write_hook(void (*hook)(const char *tmp));

/** Message types --show can decode. */
enum fl_show_type { FL_SHOW_AUTO, FL_SHOW_TASK, FL_SHOW_WORKFLOW, FL_SHOW_LAUNCHPLAN, FL_SHOW_LITERALS,
		    FL_SHOW_ERROR };

/** Prints a serialized artifact (a .pb file, or every member of a .tgz
 *  package) as protobuf JSON. With FL_SHOW_AUTO the message type comes
 *  from the file name (<N>_<name>_<1|2|3>.pb). Returns 0, or -1 after
 *  queueing an error (missing file, corrupt protobuf, unknown type). */
int fl_show_file(struct fl_ctx *c, FILE *out, const char *path, enum fl_show_type type);

/** Number of errors queued so far. */
unsigned fl_error_count(const struct fl_ctx *c);

/** True when an allocation failed during an operation on c. */
bool fl_out_of_memory(const struct fl_ctx *c);

/** Prints every queued diagnostic in GCC's format, with source lines and
 *  carets. */
void fl_print_diagnostics(struct fl_ctx *c, FILE *out);

/* Reading the queued diagnostics, in the order they were reported. An
 * error or a warning may be followed by notes that belong to it (the
 * candidates of an ambiguity, where a name was declared first); a note
 * that follows nothing, such as the one saying the error cap was reached,
 * stands on its own. Handles live as long as the context. */

enum fl_severity { FL_ERROR, FL_WARNING, FL_NOTE };

/** Where a diagnostic points. Lines and columns count from 1, columns in
 *  bytes; the end is the position just past the last byte of the span,
 *  [offset, end_offset) its bytes in the file. */
struct fl_diag_location {
	const char *file;         /**< the source's name, as it was given */
	unsigned line, column;
	unsigned end_line, end_column;
	size_t offset, end_offset;
};

/** The first diagnostic that is not a note of another, or NULL. */
const struct fl_diag *fl_diag_first(const struct fl_ctx *c);
/** The next one after d, skipping d's notes, or NULL. */
const struct fl_diag *fl_diag_next(const struct fl_diag *d);
/** The first note of d, or NULL. */
const struct fl_diag *fl_diag_first_note(const struct fl_diag *d);
/** The note after `note` of the same diagnostic, or NULL. */
const struct fl_diag *fl_diag_next_note(const struct fl_diag *note);

enum fl_severity fl_diag_severity(const struct fl_diag *d);
/** The message, without a location or severity prefix. */
const char *fl_diag_message(const struct fl_diag *d);
/** Fills *where and returns true, or returns false for a diagnostic about
 *  the whole run (a file that cannot be read). */
bool fl_diag_location(const struct fl_ctx *c, const struct fl_diag *d, struct fl_diag_location *where);

/** Prints a program's syntax tree with spans (the `--dump-ast` format). */
void fl_print_ast(FILE *out, const struct fl_node *program);

/* For tests only: allocation-failure injection, process-wide. The Nth
 * request of the compiler for memory from the system after this call
 * (counting from 1) fails; 0 turns it off. The driver calls it when the
 * environment has FLYTEC_FAIL_ALLOC=N, so that tests can check that a
 * failure is reported and leaves no partial output behind. */
void fl_alloc_fail_at(unsigned long n);
/** Requests for memory from the system since the last fl_alloc_fail_at
 *  (the failed one included): a test knows whether its failure was
 *  reached. */
unsigned long fl_alloc_requests(void);

#ifdef __cplusplus
}
#endif

#endif
