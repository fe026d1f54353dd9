/* utf8.h: UTF-8 decoding, validation and encoding.
 *
 * "Well-formed" is RFC 3629: no overlong forms, no surrogates
 * (U+D800..U+DFFF), nothing above U+10FFFF; a NUL byte is a well-formed
 * character (callers that refuse NUL say so). BASE_UTF8_LAX checks only
 * the byte structure (a lead byte 0xC0..0xF7 followed by its continuation
 * bytes), as the runtime's JSON printer did to tell text from binary: it
 * accepts overlong forms, surrogates and lead bytes 0xF5..0xF7. */
#ifndef BASE_UTF8_H
#define BASE_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum base_utf8_flags {
	BASE_UTF8_LAX = 1,     /* structure only (see above) */
	BASE_UTF8_NO_NUL = 2,  /* a NUL byte is invalid */
};

/* The length (1..4) of the well-formed sequence at s (avail bytes there),
 * with its code point in *cp; 0 when it is not one (or avail is 0). */
size_t base_utf8_decode(const void *s, size_t avail, uint32_t *cp);
/* Whether s[0..n) is well-formed. */
bool base_utf8_valid(const void *s, size_t n);
/* The same under flags (base_utf8_flags). */
bool base_utf8_check(const void *s, size_t n, unsigned flags);
/* Writes cp (at most U+10FFFF; surrogates are the caller's business) and
 * returns its length, 1 to 4. */
size_t base_utf8_encode(char out[4], uint32_t cp);

#endif
