/* duration.c: duration units, parsing and printing. */
#include <config.h>

#include "duration.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "civil.h"

const struct base_duration_unit base_duration_units[] = {
	{"ns", 1, 0},
	{"us", 1000, 0},
	{"\xc2\xb5s", 1000, BASE_DURATION_MICRO_SIGN | BASE_DURATION_NOT_PRINTED},
	{"ms", 1000000, 0},
	{"s", 1000000000LL, 0},
	{"m", 60 * 1000000000LL, 0},
	{"h", 3600 * 1000000000LL, 0},
	{"d", 86400 * 1000000000LL, BASE_DURATION_NOT_PRINTED},
};
const size_t base_duration_nunits = sizeof base_duration_units / sizeof base_duration_units[0];

static bool allowed(const struct base_duration_unit *u, unsigned allow)
{
	return !(u->flags & BASE_DURATION_MICRO_SIGN) || (allow & BASE_DURATION_MICRO_SIGN);
}

const struct base_duration_unit *base_duration_unit(const char *s, size_t n, unsigned allow)
{
	for (size_t i = 0; i < base_duration_nunits; i++) {
		const struct base_duration_unit *u = &base_duration_units[i];
		if (allowed(u, allow) && strlen(u->name) == n && memcmp(u->name, s, n) == 0)
			return u;
	}
	return NULL;
}

/* The longest unit name starting p (µs included). */
static const struct base_duration_unit *prefix_unit(const char *p, size_t *len)
{
	const struct base_duration_unit *best = NULL;
	size_t bl = 0;
	for (size_t i = 0; i < base_duration_nunits; i++) {
		size_t l = strlen(base_duration_units[i].name);
		if (l > bl && strncmp(p, base_duration_units[i].name, l) == 0) {
			best = &base_duration_units[i];
			bl = l;
		}
	}
	*len = bl;
	return best;
}

/* One <number>[.<fraction>]<unit> part at *p, in nanoseconds. */
static int part(const char **pp, int64_t *out)
{
	const char *p = *pp;
	int64_t whole = 0, fnum = 0, fden = 1;
	bool any = false;
	for (; *p >= '0' && *p <= '9'; p++, any = true)
		if (__builtin_mul_overflow(whole, 10, &whole) || __builtin_add_overflow(whole, *p - '0', &whole))
			return -1;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, any = true) {
			if (fden < 1000000000000000000LL) {
				fnum = fnum * 10 + (*p - '0');
				fden *= 10;
			}
		}
	}
	size_t ul;
	const struct base_duration_unit *u = prefix_unit(p, &ul);
	if (!any || u == NULL)
		return -1;
	p += ul;
	int64_t v;
	if (__builtin_mul_overflow(whole, u->ns, &v))
		return -1;
	double f = (double)fnum / (double)fden * (double)u->ns;
	if (__builtin_add_overflow(v, (int64_t)llround(f), &v))
		return -1;
	*out = v;
	*pp = p;
	return 0;
}

int base_duration_parse(const char *s, int64_t *out)
{
	const char *p = s;
	bool neg = false;
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if (strcmp(p, "0") == 0) {
		*out = 0;
		return 0;
	}
	if (*p == '\0')
		return -1;
	int64_t total = 0;
	while (*p != '\0') {
		int64_t v;
		if (!((*p >= '0' && *p <= '9') || *p == '.') || part(&p, &v) < 0)
			return -1;
		/* accumulate with the sign, so that the most negative value fits */
		if (neg ? __builtin_sub_overflow(total, v, &total) : __builtin_add_overflow(total, v, &total))
			return -1;
	}
	*out = total;
	return 0;
}

void base_duration_format(int64_t ns, char *buf, size_t n)
{
	if (ns == 0) {
		snprintf(buf, n, "0s");
		return;
	}
	uint64_t v = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
	size_t len = 0;
	if (ns < 0 && len + 1 < n)
		buf[len++] = '-';
	for (size_t i = base_duration_nunits; i-- > 0;) {
		const struct base_duration_unit *u = &base_duration_units[i];
		if (u->flags & BASE_DURATION_NOT_PRINTED)
			continue;
		uint64_t q = v / (uint64_t)u->ns;
		v %= (uint64_t)u->ns;
		if (q == 0)
			continue;
		int w = snprintf(buf + len, n - len, "%llu%s", (unsigned long long)q, u->name);
		if (w < 0 || (size_t)w >= n - len)
			break;
		len += (size_t)w;
	}
	buf[len < n ? len : n - 1] = '\0';
}

void base_duration_split(int64_t ns, int64_t *seconds, int32_t *nanos)
{
	*seconds = ns / 1000000000;
	*nanos = (int32_t)(ns % 1000000000);
}

bool base_duration_join(int64_t seconds, int32_t nanos, int64_t *ns)
{
	int64_t r;
	if (__builtin_mul_overflow(seconds, (int64_t)1000000000, &r) || __builtin_add_overflow(r, (int64_t)nanos, &r))
		return false;
	*ns = r;
	return true;
}

int base_duration_pbjson(int64_t seconds, int32_t nanos, char *buf, size_t n)
{
	char frac[16];
	uint64_t s = seconds < 0 ? (uint64_t)0 - (uint64_t)seconds : (uint64_t)seconds;
	/* |nanos| as the int32 the printers always computed (INT32_MIN stays) */
	int32_t an = nanos < 0 ? (int32_t)(0u - (uint32_t)nanos) : nanos;
	base_nanos_fraction(an, frac, sizeof frac);
	return snprintf(buf, n, "%s%" PRIu64 "%ss", seconds < 0 || nanos < 0 ? "-" : "", s, frac);
}
