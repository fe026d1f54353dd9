/* jsonstr.c: JSON string escaping and shortest round-trip numbers. */
#include <config.h>

#include "jsonstr.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t base_json_escape(unsigned char c, unsigned flags, char out[8])
{
	const char *e = NULL;
	switch (c) {
	case '"': e = "\\\""; break;
	case '\\': e = "\\\\"; break;
	case '\n': e = "\\n"; break;
	case '\r': e = "\\r"; break;
	case '\t': e = "\\t"; break;
	default:
		if (c < 0x20 || (c == 0x7F && (flags & BASE_JSON_ESCAPE_DEL)))
			return (size_t)snprintf(out, 8, "\\u%04x", c);
		out[0] = '\0';
		return 0;
	}
	strcpy(out, e);
	return 2;
}

int base_json_string(struct base_buf *b, const char *s, size_t n, unsigned flags)
{
	if (base_buf_putc(b, '"') < 0)
		return -1;
	size_t plain = 0;  /* s[plain..i) waits to be copied */
	for (size_t i = 0; i < n; i++) {
		char e[8];
		size_t k = base_json_escape((unsigned char)s[i], flags, e);
		if (k == 0)
			continue;
		if (base_buf_put(b, s + plain, i - plain) < 0 || base_buf_put(b, e, k) < 0)
			return -1;
		plain = i + 1;
	}
	if (base_buf_put(b, s + plain, n - plain) < 0)
		return -1;
	return base_buf_putc(b, '"');
}

static bool reads_back(const char *text, double d, unsigned flags)
{
	double back = strtod(text, NULL);
	return (flags & BASE_JSON_FLOAT32) ? (float)back == (float)d : back == d;
}

int base_shortest_prec(double d, int min_prec, unsigned flags)
{
	char buf[40];
	int prec = min_prec < 1 ? 1 : min_prec;
	for (; prec < 17; prec++) {
		snprintf(buf, sizeof buf, "%.*g", prec, d);
		if (reads_back(buf, d, flags))
			return prec;
	}
	return 17;
}

void base_shortest_g(double d, int min_prec, unsigned flags, char *buf, size_t n)
{
	snprintf(buf, n, "%.*g", base_shortest_prec(d, min_prec, flags), d);
	if ((flags & BASE_JSON_POINT_ZERO) && strpbrk(buf, ".eEn") == NULL) {
		size_t l = strlen(buf);
		if (l + 3 <= n)
			memcpy(buf + l, ".0", 3);
	}
}

int base_json_double(struct base_buf *b, double d, int min_prec, unsigned flags)
{
	if (isnan(d))
		return base_buf_puts(b, "\"NaN\"");
	if (isinf(d))
		return base_buf_puts(b, d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
	char s[48];
	base_shortest_g(d, min_prec, flags, s, sizeof s);
	return base_buf_puts(b, s);
}
