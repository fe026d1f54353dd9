/* base64.h: RFC 4648 base64 with padding, on caller-provided memory (no
 * allocation, no other runtime dependency). */
#ifndef FLYTERUN_BASE64_H
#define FLYTERUN_BASE64_H

#include <stddef.h>
#include <stdint.h>

/** The length of the encoding of n bytes (no terminating NUL). */
size_t rt_base64_encoded_len(size_t n);
/** Encodes n bytes into out (rt_base64_encoded_len(n) chars, not terminated). */
void rt_base64_encode(const uint8_t *in, size_t n, char *out);
/** An upper bound of the bytes the decoding of n chars takes. */
size_t rt_base64_decoded_max(size_t n);
/** Decodes n chars (stopping at the first '=') into out, which has room for
 *  rt_base64_decoded_max(n) bytes; *len is the decoded length. -1 when a
 *  character is not in the alphabet. */
int rt_base64_decode(const char *s, size_t n, uint8_t *out, size_t *len);

#endif
