/* timefmt.c: the text forms of datetimes (RFC 3339) and durations
 * ("1h30m", "250ms"). */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

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
