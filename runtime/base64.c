/* base64.c: RFC 4648 base64 encoding and decoding (see base64.h). */
#include "config.h"

#include <string.h>

#include "base64.h"

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t rt_base64_encoded_len(size_t n)
{
	return (n + 2) / 3 * 4;
}

void rt_base64_encode(const uint8_t *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		if (i + 1 < n) v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n) v |= p[i + 2];
		*out++ = b64[v >> 18];
		*out++ = b64[(v >> 12) & 63];
		*out++ = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		*out++ = i + 2 < n ? b64[v & 63] : '=';
	}
}

size_t rt_base64_decoded_max(size_t n)
{
	return n / 4 * 3 + 3;
}

int rt_base64_decode(const char *s, size_t n, uint8_t *out, size_t *len)
{
	size_t k = 0;
	uint32_t acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '=')
			break;
		const char *c = strchr(b64, s[i]);
		if (c == NULL || s[i] == 0)
			return -1;
		acc = (acc << 6) | (uint32_t)(c - b64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[k++] = (uint8_t)(acc >> bits);
		}
	}
	*len = k;
	return 0;
}
