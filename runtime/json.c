/* json.c: a small JSON reader (RFC 8259 text into struct rt_json values in
 * an arena), for the command line of `run`. */
#include "config.h"

#include <string.h>

#include "json.h"
#include "utf8.h"


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
	struct base_buf b = { 0 };
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
			if (base_buf_putc(&b, c) < 0)
				goto oom;
			continue;
		}
		if (j->p >= j->end) {
			jfail(j, "unterminated escape");
			goto cleanup;
		}
		c = *j->p++;
		const char *simple = strchr("\"\\/bfnrt", c);
		if (simple != NULL && c) {
			static const char map[] = "\"\\/\b\f\n\r\t";
			if (base_buf_putc(&b, map[simple - "\"\\/bfnrt"]) < 0)
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
		char u[4];
		if (base_buf_put(&b, u, base_utf8_encode(u, cp)) < 0)
			goto oom;
	}
	*len = b.len;
	*out = rt_arena_strndup(j->a, base_buf_str(&b), b.len);
	rc = *out != NULL ? 0 : rt_msgf(j->err, "out of memory");
	goto cleanup;
oom:
	rt_msgf(j->err, "out of memory");
cleanup:
	base_buf_free(&b);
	return rc;
}

static int jvalue(struct jparser *j, struct rt_json **out);

static int jlist(struct jparser *j, struct rt_json *v, bool obj)
{
	size_t cap = 4;
	v->items = rt_arena_array(j->a, cap, sizeof *v->items);
	if (obj)
		v->keys = rt_arena_array(j->a, cap, sizeof *v->keys);
	if (v->items == NULL || (obj && v->keys == NULL))
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
			struct rt_json **ni = rt_arena_array(j->a, cap * 2, sizeof *ni);
			const char **nk = obj ? rt_arena_array(j->a, cap * 2, sizeof *nk) : NULL;
			if (ni == NULL || (obj && nk == NULL))
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

/* A number: checked against the JSON grammar; its text is kept. */
static int jnumber(struct jparser *j, struct rt_json *v)
{
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
	v->k = RT_JSON_NUM;
	v->len = (size_t)(j->p - s);
	if ((v->s = rt_arena_strndup(j->a, s, v->len)) == NULL)
		return rt_msgf(j->err, "out of memory");
	return 0;
}

static int jvalue(struct jparser *j, struct rt_json **out)
{
	if (++j->depth > RT_MAX_DEPTH)
		return jfail(j, "nested too deeply");
	struct rt_json *v = rt_arena_zalloc(j->a, sizeof *v);
	if (v == NULL)
		return rt_msgf(j->err, "out of memory");
	*out = v;
	jskip(j);
	if (j->p >= j->end)
		return jfail(j, "unexpected end");
	char c = *j->p;
	int rc = 0;
	if (c == '{') {
		v->k = RT_JSON_OBJ;
		rc = jlist(j, v, true);
	} else if (c == '[') {
		v->k = RT_JSON_ARR;
		rc = jlist(j, v, false);
	} else if (c == '"') {
		v->k = RT_JSON_STR;
		rc = jstring(j, &v->s, &v->len);
	} else if (j->end - j->p >= 4 && strncmp(j->p, "true", 4) == 0) {
		v->k = RT_JSON_BOOL;
		v->b = true;
		j->p += 4;
	} else if (j->end - j->p >= 5 && strncmp(j->p, "false", 5) == 0) {
		v->k = RT_JSON_BOOL;
		j->p += 5;
	} else if (j->end - j->p >= 4 && strncmp(j->p, "null", 4) == 0) {
		v->k = RT_JSON_NULL;
		j->p += 4;
	} else if (c == '-' || (c >= '0' && c <= '9')) {
		rc = jnumber(j, v);
	} else {
		return jfail(j, "unexpected character");
	}
	j->depth--;
	return rc;
}

int rt_json_parse(struct rt_arena *a, const char *text, struct rt_json **out, struct rt_msg *err)
{
	struct jparser j = { a, text, text + strlen(text), err, 0 };
	if (jvalue(&j, out) < 0)
		return -1;
	jskip(&j);
	if (j.p != j.end)
		return jfail(&j, "trailing characters");
	return 0;
}
