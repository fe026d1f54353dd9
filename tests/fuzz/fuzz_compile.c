/* fuzz_compile.c: a libFuzzer harness for the whole compiler, in memory.
 *
 * One input is one .flyte source. It is parsed; the syntax tree is printed
 * (the --dump-ast code); the program is checked even when it has syntax
 * errors (the library allows it: a tool may want what is known, so the
 * checker must survive the trees error recovery builds); and a program
 * without errors is lowered to registration artifacts, printed as JSON and
 * turned into generated C, as `flytec --emit=json` and `--emit=c` would,
 * with nothing written to disk. Every diagnostic is printed into a memory
 * stream, which exercises the caret printer on every span, and read back
 * through the public reader (fl_diag_first ...).
 *
 * ctx.h and codegen.h are internal: the generated C is built into the
 * code generator's buffers, in the context's arena, rather than written.
 *
 * The same function is the body of tests/robust/replay, which runs it on
 * the regression inputs under tests/robust/cases/ in `make check` (plain,
 * ASan and valgrind builds), so that a crash found here stays fixed.
 *
 * Build: ./configure --enable-fuzzer && make && make fuzz (see
 * tests/fuzz/local.am). */
#include "prelude.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codegen.h"
#include "ctx.h"
#include "flytec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A stream that goes nowhere but is really written to (so that printing
 * code runs), or NULL when even that cannot be had. */
static FILE *sink(char **buf, size_t *len)
{
	*buf = NULL;
	*len = 0;
	return open_memstream(buf, len);
}

/* The buffer is known only after fclose. */
static void sink_close(FILE *f, char **buf)
{
	fclose(f);
	free(*buf);
}

/* Every diagnostic and note through the public reader, one a line. */
static void read_diagnostics(const struct fl_ctx *c, FILE *out)
{
	for (const struct fl_diag *d = fl_diag_first(c); d != NULL; d = fl_diag_next(d)) {
		const struct fl_diag *n = d;
		do {
			struct fl_diag_location w;
			if (fl_diag_location(c, n, &w))
				fprintf(out, "%s:%u:%u-%u:%u [%zu,%zu) ", w.file, w.line, w.column, w.end_line,
					w.end_column, w.offset, w.end_offset);
			fprintf(out, "%d %s\n", (int)fl_diag_severity(n), fl_diag_message(n));
			n = n == d ? fl_diag_first_note(d) : fl_diag_next_note(n);
		} while (n != NULL);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fl_ctx *c = fl_ctx_new();
	if (c == NULL)
		return 0;
	char *buf;
	size_t len;
	FILE *out = sink(&buf, &len);
	if (out == NULL) {
		fl_ctx_free(c);
		return 0;
	}
	int src = fl_source_add(c, "fuzz/input.flyte", (const char *)data, size);
	struct fl_node *program = src >= 0 ? fl_parse(c, src) : NULL;
	if (program != NULL) {
		fl_print_ast(out, program);
		bool syntax_ok = fl_error_count(c) == 0;
		struct fl_module *m = fl_check(c, program);
		if (m != NULL && syntax_ok && fl_error_count(c) == 0 && !fl_out_of_memory(c)) {
			fl_print_signatures(c, out, m);
			/* as fl_write_c does: any image serves the embedded entities */
			struct fl_codegen_options o = {.project = "p", .domain = "d", .version = "v1"};
			if (m->image == NULL)
				o.image = "fuzz/image:1";
			struct fl_package *p = fl_lower(c, m, &o);
			if (p != NULL) {
				fl_package_print_json(c, out, p);
				struct base_buf h, body;
				base_buf_init(&h, fl_arena_core(c->arena));
				base_buf_init(&body, fl_arena_core(c->arena));
				if (fl_emit_c(c, m, p, "fuzz/input.flyte", &h, &body) == 0) {
					if (h.data != NULL)
						fwrite(h.data, 1, h.len, out);
					if (body.data != NULL)
						fwrite(body.data, 1, body.len, out);
				}
			}
		}
	}
	fl_print_diagnostics(c, out);
	read_diagnostics(c, out);
	sink_close(out, &buf);
	fl_ctx_free(c);
	return 0;
}

/* The runtime's decoding of inputs.pb (runtime/, libflyterun) gets a
 * harness of its own here, tests/fuzz/fuzz_inputs.c, once the runtime's
 * decoder is ready: it will feed arbitrary bytes to the function that reads
 * a task's inputs.pb (flyteidl.core.LiteralMap) into the C values of a
 * generated task's input struct, for a few fixed signatures, and check
 * that it fails cleanly (an error value, no crash, no leak). Add it to
 * FUZZ_HARNESSES in tests/fuzz/local.am. */
