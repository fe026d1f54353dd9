/* base64.h: RFC 4648 base64 (the standard alphabet, '=' padding). */
#ifndef BASE_BASE64_H
#define BASE_BASE64_H

#include <stddef.h>
#include <stdint.h>

/* 4 * ceil(n / 3): the encoded length of n bytes (no NUL). */
size_t base_base64_len(size_t n);
/* Writes base_base64_len(n) characters and a NUL to out. */
void base_base64_encode(char *out, const void *data, size_t n);
/* The runtime's lenient decoder: stops at the first '='; any other
 * character outside the alphabet (a NUL too) is an error (-1); trailing
 * bits that do not make a byte are dropped. out has room for n / 4 * 3 + 3
 * bytes; *len is set. */
int base_base64_decode(const char *s, size_t n, uint8_t *out, size_t *len);

#endif
