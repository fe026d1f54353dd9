/* names.c: flytekit's naming rules: the md5 names of map tasks (over the
 * sorted bound input names, concurrency, min_successes and ratio, each as
 * Python's str() makes it), DNS-1123 labels (SHA-224 for long names) and
 * Python's float repr. */
#include "prelude.h"

#include "names.h"

#include <inttypes.h>
#include <md5.h>
#include <sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "checker.h"
#include "jsonstr.h"

/* SHA-224 as lower-case hex: SHA-256 (libmd) started from SHA-224's
 * initial hash value (FIPS 180-4 §5.3.2), cut to 28 bytes. */
static void sha224_hex(const char *msg, char hex[57])
{
	static const uint32_t iv[8] = {0xc1059ed8, 0x367cd507, 0x3070dd17, 0xf70e5939,
				       0xffc00b31, 0x68581511, 0x64f98fa7, 0xbefa4fa4};
	SHA2_CTX ctx;
	uint8_t d[SHA256_DIGEST_LENGTH];
	SHA256Init(&ctx);
	memcpy(ctx.state.st32, iv, sizeof iv);
	SHA256Update(&ctx, (const uint8_t *)msg, strlen(msg));
	SHA256Final(d, &ctx);
	for (int i = 0; i < 28; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

/* flytekit's _dnsify (core/utils.py): a DNS-1123 label. Names of 63
 * characters or more become the first 10 hex digits of their SHA-224, a
 * '-' and their last 52 characters; '_', '-' and '.' become '-' (dropped
 * in front), an upper-case letter becomes '-' and its lower case, other
 * characters are dropped, and a trailing '-' goes. */
char *fl_dns_label(struct fl_arena *a, const char *value)
{
	enum { MAX = 63, HASH_LEN = 10 };
	size_t n = strlen(value);
	if (n >= MAX) {
		char hex[57];
		sha224_hex(value, hex);
		value = fl_sprintf(a, "%.*s-%s", HASH_LEN, hex, value + n - (MAX - HASH_LEN - 1));
		n = strlen(value);
	}
	char *res = fl_alloc(a, 2 * n + 1);
	size_t k = 0;
	for (const char *p = value; *p; p++) {
		char ch = *p;
		if (ch == '_' || ch == '-' || ch == '.') {
			if (k > 0 && k < 62)
				res[k++] = '-';
		} else if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) {
			res[k++] = ch;
		} else if (ch >= 'A' && ch <= 'Z') {
			if (k > 0 && res[k - 1] != '-' && k < 62)
				res[k++] = '-';
			res[k++] = (char)(ch - 'A' + 'a');
		}
	}
	if (k > 0 && res[k - 1] == '-')
		k--;
	res[k] = '\0';
	return res;
}

const char *fl_py_float_repr(struct fl_arena *a, double x)
{
	char buf[40];
	int prec = base_shortest_prec(x, 1, 0);
	snprintf(buf, sizeof buf, "%.*e", prec - 1, x);
	/* buf: d.ddde[+-]XX with `prec` significant digits */
	char digits[24];
	size_t nd = 0;
	const char *p = buf;
	bool neg = *p == '-';
	if (neg)
		p++;
	for (; *p && *p != 'e'; p++)
		if (*p != '.')
			digits[nd++] = *p;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	digits[nd] = '\0';
	int exp = atoi(p + 1);
	char out[64];
	size_t k = 0;
	if (neg)
		out[k++] = '-';
	if (exp >= -5 + 1 && exp < 16) {
		/* fixed notation, at least one digit after the point */
		if (exp < 0) {
			out[k++] = '0';
			out[k++] = '.';
			for (int i = -1; i > exp; i--)
				out[k++] = '0';
			for (size_t i = 0; i < nd; i++)
				out[k++] = digits[i];
		} else {
			for (int i = 0; i <= exp; i++)
				out[k++] = (size_t)i < nd ? digits[i] : '0';
			out[k++] = '.';
			if ((size_t)exp + 1 < nd)
				for (size_t i = (size_t)exp + 1; i < nd; i++)
					out[k++] = digits[i];
			else
				out[k++] = '0';
		}
		out[k] = '\0';
	} else {
		out[k++] = digits[0];
		if (nd > 1) {
			out[k++] = '.';
			for (size_t i = 1; i < nd; i++)
				out[k++] = digits[i];
		}
		snprintf(out + k, sizeof out - k, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
	}
	return fl_strndup(a, out, strlen(out));
}

int fl_cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

const char **fl_map_bound_names(struct fl_arena *a, const struct fl_entity *map, size_t *n)
{
	const char **names = fl_alloc(a, (map->sig.nin + 1) * sizeof *names);
	size_t k = 0;
	for (uint32_t i = 0; i < map->sig.nin; i++)
		if (map->sig.in[i].bound)
			names[k++] = map->sig.in[i].name;
	qsort(names, k, sizeof *names, fl_cmp_str);
	*n = k;
	return names;
}

const char *fl_join_names(struct fl_arena *a, const char **names, size_t n)
{
	/* in one piece: joining one name at a time copies the string n times */
	size_t len = 0;
	for (size_t i = 0; i < n; i++)
		len += strlen(names[i]) + 1;
	char *s = fl_alloc(a, len + 1), *p = s;
	for (size_t i = 0; i < n; i++) {
		if (i)
			*p++ = ',';
		size_t k = strlen(names[i]);
		memcpy(p, names[i], k);
		p += k;
	}
	*p = '\0';
	return s;
}

static const char *md5_hex(struct fl_arena *a, const char *s)
{
	MD5_CTX ctx;
	uint8_t d[16];
	MD5Init(&ctx);
	MD5Update(&ctx, (const uint8_t *)s, strlen(s));
	MD5Final(d, &ctx);
	char hex[33];
	for (int i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	return fl_strndup(a, hex, 32);
}

const char *fl_map_task_name(struct fl_arena *a, const struct fl_entity *map)
{
	const struct fl_map_info *mi = &map->map;
	size_t nb;
	const char **bound = fl_map_bound_names(a, map, &nb);
	const char *sorted = fl_join_names(a, bound, nb);
	const char *task = mi->target->name;
	/* flytekit: the module of the task's function */
	const char *module = mi->target->module->name;
	if (mi->legacy)
		return fl_sprintf(a, "%s.map_%s_%s", module, task, md5_hex(a, sorted));
	/* flytekit: md5(f"{bound}{concurrency}{min_successes}{min_success_ratio}"),
	 * each with Python's str(); map_task's default ratio is 1.0 */
	const char *conc = mi->has_concurrency ? fl_sprintf(a, "%u", mi->concurrency) : "None";
	const char *mins = mi->has_min_successes ? fl_sprintf(a, "%" PRId64, mi->min_successes) : "None";
	const char *ratio = !mi->has_ratio ? "1.0"
			  : mi->ratio_is_int ? fl_sprintf(a, "%d", (int)mi->ratio)
			  : fl_py_float_repr(a, mi->ratio);
	const char *h = md5_hex(a, fl_sprintf(a, "%s%s%s%s", sorted, conc, mins, ratio));
	return fl_sprintf(a, "%s.map_%s_%s-arraynode", module, task, h);
}

