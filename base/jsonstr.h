/* jsonstr.h: JSON string literals and numbers as our printers write them.
 *
 * Strings: '"', '\\', \n, \r and \t by their short escapes, other bytes
 * below 0x20 as \u00XX (lower-case hex), everything else (UTF-8 included)
 * as it is. The compiler escapes DEL (0x7F) too (BASE_JSON_ESCAPE_DEL);
 * the runtime does not.
 *
 * Numbers: the shortest "%.*g" that reads back as the same value. The
 * search starts at min_prec significant digits: protobuf's JSON printer
 * (codegen) starts at 1, the runtime at 15 (so 5e-324 prints as
 * 4.94065645841247e-324 there, 5e-324 in codegen), flytekit's float32
 * rounding at 6. */
#ifndef BASE_JSONSTR_H
#define BASE_JSONSTR_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

enum base_json_flags {
	BASE_JSON_ESCAPE_DEL = 1,   /* strings: 0x7F as \u007f (compiler) */
	BASE_JSON_FLOAT32 = 2,      /* numbers: round-trip as a float32 */
	BASE_JSON_POINT_ZERO = 4,   /* numbers: ".0" after an integral text (runtime: "1.0") */
};

/* The escape of byte c into out (NUL-terminated): its length, or 0 when c
 * stands for itself. */
size_t base_json_escape(unsigned char c, unsigned flags, char out[8]);
/* s[0..n) as a quoted JSON string. */
int base_json_string(struct base_buf *b, const char *s, size_t n, unsigned flags);

/* The first precision from min_prec up to 17 whose "%.*g" reads back as d
 * (as a float32 with BASE_JSON_FLOAT32); 17 when none does (NaN). */
int base_shortest_prec(double d, int min_prec, unsigned flags);
/* That "%.*g" text in buf[n] (n >= 32), with ".0" added under
 * BASE_JSON_POINT_ZERO when it has none of ".eEn". */
void base_shortest_g(double d, int min_prec, unsigned flags, char *buf, size_t n);
/* A JSON number: "\"NaN\"", "\"Infinity\"", "\"-Infinity\"" or
 * base_shortest_g. */
int base_json_double(struct base_buf *b, double d, int min_prec, unsigned flags);

#endif
