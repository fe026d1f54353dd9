/* base64.c: base64 encoding and the runtime's lenient decoding. */
#include <config.h>

#include "base64.h"

#include <string.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t base_base64_len(size_t n)
{
	return (n + 2) / 3 * 4;
}

void base_base64_encode(char *out, const void *data, size_t n)
{
	const uint8_t *d = data;
	size_t k = 0;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)d[i] << 16 | (i + 1 < n ? (uint32_t)d[i + 1] << 8 : 0) | (i + 2 < n ? d[i + 2] : 0);
		out[k++] = alphabet[v >> 18 & 63];
		out[k++] = alphabet[v >> 12 & 63];
		out[k++] = i + 1 < n ? alphabet[v >> 6 & 63] : '=';
		out[k++] = i + 2 < n ? alphabet[v & 63] : '=';
	}
	out[k] = '\0';
}

int base_base64_decode(const char *s, size_t n, uint8_t *out, size_t *len)
{
	size_t k = 0;
	uint32_t acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '=')
			break;
		const char *c = s[i] != '\0' ? strchr(alphabet, s[i]) : NULL;
		if (c == NULL)
			return -1;
		acc = (acc << 6) | (uint32_t)(c - alphabet);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[k++] = (uint8_t)(acc >> bits);
		}
	}
	*len = k;
	return 0;
}
