/* diag.h: diagnostics are values, queued during a compilation and printed
 * by the caller (the driver) in GCC's format with a caret line. */
#ifndef FL_DIAG_H
#define FL_DIAG_H

#include "prelude.h"

#include <stdarg.h>
#include <stdio.h>

#include "flytec.h"
#include "source.h"

/* enum fl_severity and the reader (fl_diag_first ...) are in flytec.h. */
struct fl_diag {
	enum fl_severity severity;
	bool has_loc;          /* false: a message about the whole run */
	bool is_note_of_prev;  /* a note that belongs to the diagnostic before it */
	struct fl_loc loc;
	const char *message;
	struct fl_diag *next;
};

void fl_error(struct fl_ctx *c, struct fl_loc loc, const char *fmt, ...) FL_PRINTF(3, 4);
void fl_warning(struct fl_ctx *c, struct fl_loc loc, const char *fmt, ...) FL_PRINTF(3, 4);
/* A note attached to the diagnostic before it (shown even when the error
 * cap dropped nothing). */
void fl_note(struct fl_ctx *c, struct fl_loc loc, const char *fmt, ...) FL_PRINTF(3, 4);
/* The warning classes: -W<name> turns one on, -Wno-<name> off, -Wall all,
 * -Werror[=<name>] makes them errors. X(KIND, "name", on by default) */
#define FL_WARNINGS(X)                                         \
	X(UNUSED_IMPORT, "unused-import", true)                \
	X(UNUSED_INPUT, "unused-input", false)                 \
	X(UNUSED_VALUE, "unused-value", false)                 \
	X(UNUSED_ENUM, "unused-enum", false)

enum fl_warning_kind {
#define X(kind, name, on) FL_W_##kind,
	FL_WARNINGS(X)
#undef X
	FL_W_COUNT
};

/* A warning of a class: dropped when the class is off, an error under
 * -Werror; the message ends with "[-W<name>]" (or "[-Werror=<name>]"). */
void fl_warn(struct fl_ctx *c, enum fl_warning_kind kind, struct fl_loc loc, const char *fmt, ...) FL_PRINTF(4, 5);

/* An error with no source location (a file that cannot be read). */
void fl_error_noloc(struct fl_ctx *c, const char *fmt, ...) FL_PRINTF(2, 3);

/* True once the error cap is reached: callers stop producing more. */
bool fl_diag_capped(const struct fl_ctx *c);

/* Prints every queued diagnostic in order: "file:line:col: error: msg", the
 * source line and a "^~~~" line under the span. */
void fl_diag_print_all(struct fl_ctx *c, FILE *out);

#endif
