/* json.c: command-line values (JSON, typed by a LiteralType) into literals,
 * literals into JSON, and the text forms of datetimes and durations. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* ---- a small JSON reader --------------------------------------------------------- */
enum jkind { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jv {
	enum jkind k;
	bool b;
	const char *s;      /* J_NUM: the number's text; J_STR: the decoded string */
	size_t len;         /* of s */
	size_t n;           /* J_ARR, J_OBJ */
	struct jv **items;
	const char **keys;  /* J_OBJ */
};

struct jparser {
	struct rt_arena *a;
	const char *p, *end;
	struct rt_msg *err;
	int depth;
};

static void jskip(struct jparser *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static int jfail(struct jparser *j, const char *what)
{
	return rt_msgf(j->err, "invalid JSON: %s", what);
}

static int put_utf8(struct rt_buf *b, uint32_t cp)
{
	uint8_t u[4];
	size_t n;
	if (cp < 0x80) { u[0] = (uint8_t)cp; n = 1; }
	else if (cp < 0x800) { u[0] = (uint8_t)(0xc0 | (cp >> 6)); u[1] = (uint8_t)(0x80 | (cp & 0x3f)); n = 2; }
	else if (cp < 0x10000) { u[0] = (uint8_t)(0xe0 | (cp >> 12)); u[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f)); u[2] = (uint8_t)(0x80 | (cp & 0x3f)); n = 3; }
	else { u[0] = (uint8_t)(0xf0 | (cp >> 18)); u[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f)); u[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f)); u[3] = (uint8_t)(0x80 | (cp & 0x3f)); n = 4; }
	return rt_buf_append(b, u, n);
}

static int hex4(const char *p, uint32_t *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return -1;
		*v = *v * 16 + (uint32_t)d;
	}
	return 0;
}

static int jstring(struct jparser *j, const char **out, size_t *len)
{
	struct rt_buf b = { 0 };
	int rc = -1;
	j->p++;  /* the opening quote */
	for (;;) {
		if (j->p >= j->end) {
			jfail(j, "unterminated string");
			goto cleanup;
		}
		char c = *j->p++;
		if (c == '"')
			break;
		if ((unsigned char)c < 0x20) {
			jfail(j, "control character in a string");
			goto cleanup;
		}
		if (c != '\\') {
			if (rt_buf_putc(&b, c) < 0)
				goto oom;
			continue;
		}
		if (j->p >= j->end) {
			jfail(j, "unterminated escape");
			goto cleanup;
		}
		c = *j->p++;
		const char *simple = strchr("\"\\/bfnrt", c);
		if (simple && c) {
			static const char map[] = "\"\\/\b\f\n\r\t";
			if (rt_buf_putc(&b, map[simple - "\"\\/bfnrt"]) < 0)
				goto oom;
			continue;
		}
		uint32_t cp, lo;
		if (c != 'u' || j->end - j->p < 4 || hex4(j->p, &cp) < 0) {
			jfail(j, "bad escape in a string");
			goto cleanup;
		}
		j->p += 4;
		if (cp >= 0xd800 && cp <= 0xdbff) {
			if (j->end - j->p < 6 || j->p[0] != '\\' || j->p[1] != 'u' ||
			    hex4(j->p + 2, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff) {
				jfail(j, "unpaired surrogate in a string");
				goto cleanup;
			}
			j->p += 6;
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		} else if (cp >= 0xdc00 && cp <= 0xdfff) {
			jfail(j, "unpaired surrogate in a string");
			goto cleanup;
		}
		if (put_utf8(&b, cp) < 0)
			goto oom;
	}
	*len = b.len;
	*out = rt_arena_strndup(j->a, b.data ? (char *)b.data : "", b.len);
	rc = *out ? 0 : rt_msgf(j->err, "out of memory");
	goto cleanup;
oom:
	rt_msgf(j->err, "out of memory");
cleanup:
	rt_buf_free(&b);
	return rc;
}

static int jvalue(struct jparser *j, struct jv **out);

static int jlist(struct jparser *j, struct jv *v, bool obj)
{
	size_t cap = 4;
	v->items = rt_arena_array(j->a, cap, sizeof *v->items);
	if (obj)
		v->keys = rt_arena_array(j->a, cap, sizeof *v->keys);
	if (!v->items || (obj && !v->keys))
		return rt_msgf(j->err, "out of memory");
	j->p++;
	jskip(j);
	char close = obj ? '}' : ']';
	if (j->p < j->end && *j->p == close) {
		j->p++;
		return 0;
	}
	for (;;) {
		if (v->n == cap) {
			struct jv **ni = rt_arena_array(j->a, cap * 2, sizeof *ni);
			const char **nk = obj ? rt_arena_array(j->a, cap * 2, sizeof *nk) : NULL;
			if (!ni || (obj && !nk))
				return rt_msgf(j->err, "out of memory");
			memcpy(ni, v->items, cap * sizeof *ni);
			if (obj)
				memcpy(nk, v->keys, cap * sizeof *nk);
			v->items = ni;
			v->keys = nk;
			cap *= 2;
		}
		jskip(j);
		if (obj) {
			size_t kl;
			if (j->p >= j->end || *j->p != '"')
				return jfail(j, "expected a key string");
			if (jstring(j, &v->keys[v->n], &kl) < 0)
				return -1;
			jskip(j);
			if (j->p >= j->end || *j->p != ':')
				return jfail(j, "expected ':'");
			j->p++;
		}
		if (jvalue(j, &v->items[v->n]) < 0)
			return -1;
		v->n++;
		jskip(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == close) {
			j->p++;
			return 0;
		}
		return jfail(j, obj ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

static int jvalue(struct jparser *j, struct jv **out)
{
	if (++j->depth > RT_MAX_DEPTH)
		return jfail(j, "nested too deeply");
	struct jv *v = rt_arena_zalloc(j->a, sizeof *v);
	if (!v)
		return rt_msgf(j->err, "out of memory");
	*out = v;
	jskip(j);
	if (j->p >= j->end)
		return jfail(j, "unexpected end");
	char c = *j->p;
	int rc = 0;
	if (c == '{') {
		v->k = J_OBJ;
		rc = jlist(j, v, true);
	} else if (c == '[') {
		v->k = J_ARR;
		rc = jlist(j, v, false);
	} else if (c == '"') {
		v->k = J_STR;
		rc = jstring(j, &v->s, &v->len);
	} else if (j->end - j->p >= 4 && strncmp(j->p, "true", 4) == 0) {
		v->k = J_BOOL;
		v->b = true;
		j->p += 4;
	} else if (j->end - j->p >= 5 && strncmp(j->p, "false", 5) == 0) {
		v->k = J_BOOL;
		j->p += 5;
	} else if (j->end - j->p >= 4 && strncmp(j->p, "null", 4) == 0) {
		v->k = J_NULL;
		j->p += 4;
	} else if (c == '-' || (c >= '0' && c <= '9')) {
		const char *s = j->p;
		if (*j->p == '-')
			j->p++;
		if (j->p >= j->end || *j->p < '0' || *j->p > '9')
			return jfail(j, "bad number");
		if (*j->p == '0' && j->p + 1 < j->end && j->p[1] >= '0' && j->p[1] <= '9')
			return jfail(j, "leading zero in a number");
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
		if (j->p < j->end && *j->p == '.') {
			j->p++;
			if (j->p >= j->end || *j->p < '0' || *j->p > '9')
				return jfail(j, "bad fraction");
			while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
				j->p++;
		}
		if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
			j->p++;
			if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
				j->p++;
			if (j->p >= j->end || *j->p < '0' || *j->p > '9')
				return jfail(j, "bad exponent");
			while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
				j->p++;
		}
		v->k = J_NUM;
		v->len = (size_t)(j->p - s);
		if (!(v->s = rt_arena_strndup(j->a, s, v->len)))
			return rt_msgf(j->err, "out of memory");
	} else {
		return jfail(j, "unexpected character");
	}
	j->depth--;
	return rc;
}

static int json_parse(struct rt_arena *a, const char *text, struct jv **out, struct rt_msg *err)
{
	struct jparser j = { a, text, text + strlen(text), err, 0 };
	if (jvalue(&j, out) < 0)
		return -1;
	jskip(&j);
	if (j.p != j.end)
		return jfail(&j, "trailing characters");
	return 0;
}

/* ---- datetimes and durations ---------------------------------------------------- */
/* days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm) */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int digits(const char **p, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		char c = (*p)[i];
		if (c < '0' || c > '9')
			return -1;
		*v = *v * 10 + (c - '0');
	}
	*p += n;
	return 0;
}

int rt_parse_datetime(const char *s, int64_t *sec, int32_t *nanos)
{
	int Y, M, D, h = 0, mi = 0, se = 0;
	int32_t ns = 0;
	int64_t off = 0;
	const char *p = s;
	if (digits(&p, 4, &Y) < 0 || *p++ != '-' || digits(&p, 2, &M) < 0 || *p++ != '-' ||
	    digits(&p, 2, &D) < 0)
		return -1;
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (M < 1 || M > 12 || D < 1 || D > mdays[M - 1])
		return -1;
	bool leap = (Y % 4 == 0 && Y % 100 != 0) || Y % 400 == 0;
	if (M == 2 && D == 29 && !leap)
		return -1;
	if (*p) {
		if (*p != 'T' && *p != 't' && *p != ' ')
			return -1;
		p++;
		if (digits(&p, 2, &h) < 0 || *p++ != ':' || digits(&p, 2, &mi) < 0 || *p++ != ':' ||
		    digits(&p, 2, &se) < 0)
			return -1;
		if (h > 23 || mi > 59 || se > 60)
			return -1;
		if (*p == '.') {
			p++;
			int n = 0;
			while (*p >= '0' && *p <= '9') {
				if (n < 9)
					ns = ns * 10 + (*p - '0');
				n++;
				p++;
			}
			if (n == 0)
				return -1;
			for (; n < 9; n++)
				ns *= 10;
		}
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int sign = *p++ == '-' ? -1 : 1, oh, om;
			if (digits(&p, 2, &oh) < 0 || *p++ != ':' || digits(&p, 2, &om) < 0 ||
			    oh > 23 || om > 59)
				return -1;
			off = sign * (oh * 3600 + om * 60);
		} else {
			return -1;
		}
		if (*p)
			return -1;
	}
	*sec = days_from_civil(Y, (unsigned)M, (unsigned)D) * 86400 + h * 3600 + mi * 60 + se - off;
	*nanos = ns;
	return 0;
}

void rt_format_datetime(int64_t sec, int32_t nanos, char *buf, size_t n)
{
	int64_t days = sec / 86400, rem = sec % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	int64_t y;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);
	int len = snprintf(buf, n, "%04lld-%02u-%02uT%02d:%02d:%02d", (long long)y, m, d,
			   (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
	if (len < 0 || (size_t)len >= n)
		return;
	if (nanos > 0 && nanos < 1000000000) {
		char frac[16];
		snprintf(frac, sizeof frac, "%09d", (int)nanos);
		size_t k = 9;
		while (k > 0 && frac[k - 1] == '0')
			k--;
		frac[k] = 0;
		snprintf(buf + len, n - (size_t)len, ".%sZ", frac);
	} else {
		snprintf(buf + len, n - (size_t)len, "Z");
	}
}

int rt_parse_duration(const char *s, int64_t *out)
{
	static const struct { const char *u; int64_t ns; } units[] = {
		{ "ns", 1 }, { "us", 1000 }, { "\xc2\xb5s", 1000 }, { "ms", 1000000 },
		{ "s", 1000000000 }, { "m", 60000000000LL }, { "h", 3600000000000LL },
		{ "d", 86400000000000LL },
	};
	const char *p = s;
	bool neg = false;
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if (strcmp(p, "0") == 0) {
		*out = 0;
		return 0;
	}
	if (!*p)
		return -1;
	int64_t total = 0;
	while (*p) {
		if (!(*p >= '0' && *p <= '9') && *p != '.')
			return -1;
		int64_t whole = 0, fnum = 0, fden = 1;
		bool any = false;
		while (*p >= '0' && *p <= '9') {
			if (__builtin_mul_overflow(whole, 10, &whole) ||
			    __builtin_add_overflow(whole, *p - '0', &whole))
				return -1;
			p++;
			any = true;
		}
		if (*p == '.') {
			p++;
			while (*p >= '0' && *p <= '9') {
				if (fden < 1000000000000000000LL) {
					fnum = fnum * 10 + (*p - '0');
					fden *= 10;
				}
				p++;
				any = true;
			}
		}
		if (!any)
			return -1;
		size_t best = 0, bl = 0;
		for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
			size_t l = strlen(units[i].u);
			if (strncmp(p, units[i].u, l) == 0 && l > bl) {
				best = i;
				bl = l;
			}
		}
		if (!bl)
			return -1;
		p += bl;
		int64_t v;
		if (__builtin_mul_overflow(whole, units[best].ns, &v))
			return -1;
		/* the fraction, rounded to the nanosecond */
		double f = (double)fnum / (double)fden * (double)units[best].ns;
		if (__builtin_add_overflow(v, (int64_t)llround(f), &v))
			return -1;
		/* accumulate with the sign, so that the most negative value fits */
		if (neg ? __builtin_sub_overflow(total, v, &total)
			: __builtin_add_overflow(total, v, &total))
			return -1;
	}
	*out = total;
	return 0;
}

void rt_format_duration(int64_t ns, char *buf, size_t n)
{
	if (ns == 0) {
		snprintf(buf, n, "0s");
		return;
	}
	static const struct { const char *u; uint64_t ns; } units[] = {
		{ "h", 3600000000000ULL }, { "m", 60000000000ULL }, { "s", 1000000000ULL },
		{ "ms", 1000000ULL }, { "us", 1000ULL }, { "ns", 1ULL },
	};
	uint64_t v = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
	size_t len = 0;
	if (ns < 0 && len + 1 < n)
		buf[len++] = '-';
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		uint64_t q = v / units[i].ns;
		v %= units[i].ns;
		if (!q)
			continue;
		int w = snprintf(buf + len, n - len, "%llu%s", (unsigned long long)q, units[i].u);
		if (w < 0 || (size_t)w >= n - len)
			break;
		len += (size_t)w;
	}
	buf[len < n ? len : n - 1] = 0;
}

/* ---- base64 ------------------------------------------------------------------------ */
static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int base64_encode(struct rt_buf *b, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		if (i + 1 < n) v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n) v |= p[i + 2];
		char o[4] = { b64[v >> 18], b64[(v >> 12) & 63],
			      i + 1 < n ? b64[(v >> 6) & 63] : '=', i + 2 < n ? b64[v & 63] : '=' };
		if (rt_buf_append(b, o, 4) < 0)
			return -1;
	}
	return 0;
}

static int base64_decode(struct rt_arena *a, const char *s, size_t n, uint8_t **out, size_t *len)
{
	uint8_t *o = rt_arena_alloc(a, n / 4 * 3 + 3);
	if (!o)
		return -1;
	size_t k = 0;
	uint32_t acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '=')
			break;
		const char *c = strchr(b64, s[i]);
		if (!c || !s[i])
			return -1;
		acc = (acc << 6) | (uint32_t)(c - b64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			o[k++] = (uint8_t)(acc >> bits);
		}
	}
	*out = o;
	*len = k;
	return 0;
}

/* ---- JSON -> literal ----------------------------------------------------------------- */
static const char *jkind_name(const struct jv *v)
{
	static const char *n[] = { "null", "a boolean", "a number", "a string", "a list", "an object" };
	return n[v->k];
}

static int want(struct rt_msg *err, const char *what, const struct jv *v)
{
	return rt_msgf(err, "expected %s, found %s", what, jkind_name(v));
}

static Flyteidl__Core__Literal *prim_lit(struct rt_arena *a, Flyteidl__Core__Primitive **pp)
{
	Flyteidl__Core__Literal *l = rt_lit_int(a, 0);   /* a primitive literal to refill */
	if (l)
		*pp = l->scalar->primitive;
	return l;
}

static int from_json(struct rt_arena *a, const struct jv *v, const Flyteidl__Core__LiteralType *lt, Flyteidl__Core__Literal **out, struct rt_msg *err);

static int from_json_simple(struct rt_arena *a, const struct jv *v, Flyteidl__Core__SimpleType st,
			    Flyteidl__Core__Literal **out, struct rt_msg *err)
{
	Flyteidl__Core__Primitive *p;
	switch (st) {
	case SIMPLE(NONE):
		if (v->k != J_NULL)
			return want(err, "none", v);
		*out = rt_lit_none(a);
		break;
	case SIMPLE(INTEGER): {
		if (v->k != J_NUM || strpbrk(v->s, ".eE"))
			return want(err, "an integer", v);
		errno = 0;
		long long x = strtoll(v->s, NULL, 10);
		if (errno == ERANGE)
			return rt_msgf(err, "integer %s out of the 64-bit range", v->s);
		*out = rt_lit_int(a, x);
		break;
	}
	case SIMPLE(FLOAT): {
		double d;
		if (v->k == J_NUM)
			d = strtod(v->s, NULL);
		else if (v->k == J_STR && strcmp(v->s, "NaN") == 0)
			d = NAN;
		else if (v->k == J_STR && strcmp(v->s, "Infinity") == 0)
			d = INFINITY;
		else if (v->k == J_STR && strcmp(v->s, "-Infinity") == 0)
			d = -INFINITY;
		else
			return want(err, "a number", v);
		*out = rt_lit_float(a, d);
		break;
	}
	case SIMPLE(STRING):
		if (v->k != J_STR)
			return want(err, "a string", v);
		if (memchr(v->s, 0, v->len))
			return rt_msgf(err, "a string with a NUL character");
		*out = rt_lit_str(a, v->s);
		break;
	case SIMPLE(BOOLEAN):
		if (v->k != J_BOOL)
			return want(err, "true or false", v);
		*out = rt_lit_bool(a, v->b);
		break;
	case SIMPLE(DATETIME): {
		int64_t s;
		int32_t ns;
		if (v->k != J_STR)
			return want(err, "a datetime string", v);
		if (rt_parse_datetime(v->s, &s, &ns) < 0)
			return rt_msgf(err, "'%s' is not a datetime (YYYY-MM-DDTHH:MM:SS[.f](Z|+HH:MM))", v->s);
		Google__Protobuf__Timestamp *ts = rt_arena_alloc(a, sizeof *ts);
		if (!ts || !(*out = prim_lit(a, &p)))
			return rt_msgf(err, "out of memory");
		google__protobuf__timestamp__init(ts);
		ts->seconds = s;
		ts->nanos = ns;
		p->value_case = PRIM(DATETIME);
		p->datetime = ts;
		break;
	}
	case SIMPLE(DURATION): {
		int64_t ns;
		if (v->k == J_STR) {
			if (rt_parse_duration(v->s, &ns) < 0)
				return rt_msgf(err, "'%s' is not a duration (30s, 250ms, 1h30m)", v->s);
		} else if (v->k == J_NUM) {
			double d = strtod(v->s, NULL) * 1e9;
			if (!(d > -9.2e18 && d < 9.2e18))
				return rt_msgf(err, "duration %s s is out of range", v->s);
			ns = (int64_t)llround(d);
		} else {
			return want(err, "a duration string", v);
		}
		Google__Protobuf__Duration *du = rt_arena_alloc(a, sizeof *du);
		if (!du || !(*out = prim_lit(a, &p)))
			return rt_msgf(err, "out of memory");
		google__protobuf__duration__init(du);
		du->seconds = ns / 1000000000;
		du->nanos = (int32_t)(ns % 1000000000);
		p->value_case = PRIM(DURATION);
		p->duration = du;
		break;
	}
	case SIMPLE(BINARY): {
		uint8_t *data;
		size_t len;
		if (v->k == J_STR) {
			data = (uint8_t *)v->s;
			len = v->len;
		} else if (v->k == J_OBJ && v->n == 1 && strcmp(v->keys[0], "base64") == 0 &&
			   v->items[0]->k == J_STR) {
			if (base64_decode(a, v->items[0]->s, v->items[0]->len, &data, &len) < 0)
				return rt_msgf(err, "invalid base64");
		} else {
			return want(err, "a string or {\"base64\": \"...\"}", v);
		}
		Flyteidl__Core__Binary *b = rt_arena_alloc(a, sizeof *b);
		Flyteidl__Core__Literal *l = rt_lit_none(a);
		if (!b || !l)
			return rt_msgf(err, "out of memory");
		flyteidl__core__binary__init(b);
		b->value.data = data;
		b->value.len = len;
		l->scalar->value_case = SCA(BINARY);
		l->scalar->binary = b;
		*out = l;
		break;
	}
	default:
		return rt_msgf(err, "values of this simple type (%d) are not supported by local runs",
				(int)st);
	}
	return *out ? 0 : rt_msgf(err, "out of memory");
}

static int from_json(struct rt_arena *a, const struct jv *v, const Flyteidl__Core__LiteralType *lt, Flyteidl__Core__Literal **out, struct rt_msg *err)
{
	if (!lt)
		return rt_msgf(err, "no type");
	switch (lt->type_case) {
	case LT(SIMPLE):
		return from_json_simple(a, v, lt->simple, out, err);
	case LT(BLOB): {
		if (v->k != J_STR || !v->len)
			return want(err, "a path", v);
		Flyteidl__Core__Blob *b = rt_arena_alloc(a, sizeof *b);
		Flyteidl__Core__BlobMetadata *md = rt_arena_alloc(a, sizeof *md);
		Flyteidl__Core__BlobType *bt = rt_arena_alloc(a, sizeof *bt);
		Flyteidl__Core__Literal *l = rt_lit_none(a);
		if (!b || !md || !bt || !l)
			return rt_msgf(err, "out of memory");
		flyteidl__core__blob__init(b);
		flyteidl__core__blob_metadata__init(md);
		flyteidl__core__blob_type__init(bt);
		if (lt->blob) {
			bt->format = lt->blob->format;
			bt->dimensionality = lt->blob->dimensionality;
		}
		md->type = bt;
		b->metadata = md;
		b->uri = (char *)v->s;
		l->scalar->value_case = SCA(BLOB);
		l->scalar->blob = b;
		*out = l;
		return 0;
	}
	case LT(ENUM_TYPE): {
		if (v->k != J_STR)
			return want(err, "an enum member name", v);
		for (size_t i = 0; lt->enum_type && i < lt->enum_type->n_values; i++)
			if (strcmp(lt->enum_type->values[i], v->s) == 0) {
				*out = rt_lit_str(a, v->s);
				return *out ? 0 : rt_msgf(err, "out of memory");
			}
		struct rt_buf names = { 0 };
		for (size_t i = 0; lt->enum_type && i < lt->enum_type->n_values; i++)
			rt_buf_printf(&names, "%s%s", i ? ", " : "", lt->enum_type->values[i]);
		rt_msgf(err, "'%s' is not one of %s", v->s, names.data ? (char *)names.data : "");
		rt_buf_free(&names);
		return -1;
	}
	case LT(COLLECTION_TYPE): {
		if (v->k != J_ARR)
			return want(err, "a list", v);
		Flyteidl__Core__Literal *l = rt_lit_collection(a, v->n);
		if (!l)
			return rt_msgf(err, "out of memory");
		for (size_t i = 0; i < v->n; i++)
			if (from_json(a, v->items[i], lt->collection_type,
				      &l->collection->literals[i], err) < 0)
				return rt_msg_prefix(err, "[%zu]", i);
		*out = l;
		return 0;
	}
	case LT(MAP_VALUE_TYPE): {
		if (v->k != J_OBJ)
			return want(err, "an object", v);
		Flyteidl__Core__Literal *l = rt_lit_map(a, v->n);
		if (!l)
			return rt_msgf(err, "out of memory");
		for (size_t i = 0; i < v->n; i++) {
			Flyteidl__Core__Literal *x;
			if (from_json(a, v->items[i], lt->map_value_type, &x, err) < 0)
				return rt_msg_prefix(err, "[\"%s\"]", v->keys[i]);
			rt_litmap_set(l->map, i, v->keys[i], x);
		}
		*out = l;
		return 0;
	}
	case LT(UNION_TYPE): {
		const Flyteidl__Core__UnionType *u = lt->union_type;
		struct rt_msg first;
		bool tried = false;
		for (size_t i = 0; u && i < u->n_variants; i++) {
			Flyteidl__Core__LiteralType *var = u->variants[i];
			bool is_none = var->type_case == LT(SIMPLE) && var->simple == SIMPLE(NONE);
			if (is_none != (v->k == J_NULL))
				continue;
			Flyteidl__Core__Literal *x;
			struct rt_msg e;
			if (from_json(a, v, var, &x, &e) == 0) {
				*out = rt_lit_union(a, x, var);
				return *out ? 0 : rt_msgf(err, "out of memory");
			}
			if (!tried)
				first = e;
			tried = true;
		}
		if (tried) {
			*err = first;
			return -1;
		}
		return rt_msgf(err, v->k == J_NULL ? "none is not allowed here"
						    : "no variant of the union accepts %s", jkind_name(v));
	}
	default:
		return rt_msgf(err, "values of this type are not supported by local runs");
	}
}

/* Does the type take a string (so a bare word is one)? */
static bool takes_string(const Flyteidl__Core__LiteralType *lt)
{
	if (!lt)
		return false;
	switch (lt->type_case) {
	case LT(SIMPLE):
		return lt->simple == SIMPLE(STRING) || lt->simple == SIMPLE(DATETIME) ||
		       lt->simple == SIMPLE(DURATION) || lt->simple == SIMPLE(BINARY);
	case LT(BLOB):
	case LT(ENUM_TYPE):
		return true;
	case LT(UNION_TYPE):
		for (size_t i = 0; lt->union_type && i < lt->union_type->n_variants; i++)
			if (takes_string(lt->union_type->variants[i]))
				return true;
		return false;
	default:
		return false;
	}
}

int rt_json_to_literal(struct rt_arena *a, const char *text, const Flyteidl__Core__LiteralType *lt, Flyteidl__Core__Literal **out,
			struct rt_msg *err)
{
	struct jv *v, bare;
	struct rt_msg perr;
	if (strcmp(text, "none") == 0)
		text = "null";
	if (json_parse(a, text, &v, &perr) < 0) {
		if (!takes_string(lt)) {
			*err = perr;
			return -1;
		}
		memset(&bare, 0, sizeof bare);  /* a bare word is a string */
		bare.k = J_STR;
		bare.s = text;
		bare.len = strlen(text);
		v = &bare;
	}
	return from_json(a, v, lt, out, err);
}

/* ---- literal -> JSON ----------------------------------------------------------------- */
static int json_string(struct rt_buf *b, const char *s, size_t n)
{
	if (rt_buf_putc(b, '"') < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int rc;
		switch (c) {
		case '"': rc = rt_buf_append(b, "\\\"", 2); break;
		case '\\': rc = rt_buf_append(b, "\\\\", 2); break;
		case '\n': rc = rt_buf_append(b, "\\n", 2); break;
		case '\r': rc = rt_buf_append(b, "\\r", 2); break;
		case '\t': rc = rt_buf_append(b, "\\t", 2); break;
		default:
			rc = c < 0x20 ? rt_buf_printf(b, "\\u%04x", c) : rt_buf_putc(b, c);
		}
		if (rc < 0)
			return -1;
	}
	return rt_buf_putc(b, '"');
}

static int json_double(struct rt_buf *b, double d)
{
	if (isnan(d))
		return rt_buf_printf(b, "\"NaN\"");
	if (isinf(d))
		return rt_buf_printf(b, d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
	char s[40];
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(s, sizeof s, "%.*g", prec, d);
		if (strtod(s, NULL) == d)
			break;
	}
	if (!strpbrk(s, ".eEn"))
		strcat(s, ".0");
	return rt_buf_printf(b, "%s", s);
}

static bool utf8_text(const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		uint8_t c = s[i];
		size_t k = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 :
			   (c & 0xf8) == 0xf0 ? 3 : 9;
		if (c == 0 || k == 9 || n - i <= k)
			return false;
		for (size_t j = 1; j <= k; j++)
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
		i += k + 1;
	}
	return true;
}

static int cmp_entry_key(const void *x, const void *y)
{
	const Flyteidl__Core__LiteralMap__LiteralsEntry *a = *(const void *const *)x;
	const Flyteidl__Core__LiteralMap__LiteralsEntry *b = *(const void *const *)y;
	return strcmp(a->key, b->key);
}

int rt_literal_to_json(struct rt_buf *b, const Flyteidl__Core__Literal *lit)
{
	if (!lit)
		return rt_buf_printf(b, "null");
	switch (lit->value_case) {
	case LIT(COLLECTION): {
		if (rt_buf_putc(b, '[') < 0)
			return -1;
		for (size_t i = 0; lit->collection && i < lit->collection->n_literals; i++)
			if ((i && rt_buf_append(b, ", ", 2) < 0) ||
			    rt_literal_to_json(b, lit->collection->literals[i]) < 0)
				return -1;
		return rt_buf_putc(b, ']');
	}
	case LIT(MAP): {
		size_t n = lit->map ? lit->map->n_literals : 0;
		void **e = malloc((n ? n : 1) * sizeof *e);
		if (!e)
			return -1;
		for (size_t i = 0; i < n; i++)
			e[i] = lit->map->literals[i];
		qsort(e, n, sizeof *e, cmp_entry_key);
		int rc = rt_buf_putc(b, '{');
		for (size_t i = 0; rc == 0 && i < n; i++) {
			const Flyteidl__Core__LiteralMap__LiteralsEntry *en = e[i];
			if ((i && rt_buf_append(b, ", ", 2) < 0) ||
			    json_string(b, en->key, strlen(en->key)) < 0 ||
			    rt_buf_append(b, ": ", 2) < 0 || rt_literal_to_json(b, en->value) < 0)
				rc = -1;
		}
		free(e);
		return rc < 0 ? -1 : rt_buf_putc(b, '}');
	}
	case LIT(SCALAR):
		break;
	default:
		return rt_buf_printf(b, "null");
	}
	const Flyteidl__Core__Scalar *s = lit->scalar;
	if (!s)
		return rt_buf_printf(b, "null");
	char tmp[96];
	switch (s->value_case) {
	case SCA(PRIMITIVE): {
		const Flyteidl__Core__Primitive *p = s->primitive;
		switch (p ? p->value_case : PRIM(_NOT_SET)) {
		case PRIM(INTEGER): return rt_buf_printf(b, "%lld", (long long)p->integer);
		case PRIM(FLOAT_VALUE): return json_double(b, p->float_value);
		case PRIM(STRING_VALUE): return json_string(b, p->string_value, strlen(p->string_value));
		case PRIM(BOOLEAN): return rt_buf_printf(b, p->boolean ? "true" : "false");
		case PRIM(DATETIME):
			rt_format_datetime(p->datetime ? p->datetime->seconds : 0,
					    p->datetime ? p->datetime->nanos : 0, tmp, sizeof tmp);
			return json_string(b, tmp, strlen(tmp));
		case PRIM(DURATION): {
			int64_t ns = 0;
			if (p->duration &&
			    (__builtin_mul_overflow(p->duration->seconds, (int64_t)1000000000, &ns) ||
			     __builtin_add_overflow(ns, (int64_t)p->duration->nanos, &ns)))
				return rt_buf_printf(b, "\"%llds\"", (long long)p->duration->seconds);
			rt_format_duration(ns, tmp, sizeof tmp);
			return json_string(b, tmp, strlen(tmp));
		}
		default:
			return rt_buf_printf(b, "null");
		}
	}
	case SCA(BLOB):
		return s->blob ? json_string(b, s->blob->uri, strlen(s->blob->uri))
			       : rt_buf_printf(b, "null");
	case SCA(BINARY): {
		const ProtobufCBinaryData *d = s->binary ? &s->binary->value : NULL;
		if (!d)
			return rt_buf_printf(b, "null");
		if (utf8_text(d->data, d->len))
			return json_string(b, (const char *)d->data, d->len);
		return rt_buf_printf(b, "{\"base64\": \"") < 0 || base64_encode(b, d->data, d->len) < 0
			       ? -1 : rt_buf_printf(b, "\"}");
	}
	case SCA(UNION):
		return rt_literal_to_json(b, s->union_ ? s->union_->value : NULL);
	case SCA(ERROR):
		if (rt_buf_printf(b, "{\"error\": ") < 0 ||
		    json_string(b, s->error ? s->error->message : "",
				s->error ? strlen(s->error->message) : 0) < 0)
			return -1;
		return rt_buf_putc(b, '}');
	case SCA(NONE_TYPE):
	default:
		return rt_buf_printf(b, "null");
	}
}
