/* civil.c: Gregorian calendar arithmetic (Howard Hinnant's days-from-civil
 * algorithms) and RFC 3339 parsing and formatting. */
#include <config.h>

#include "civil.h"

#include <inttypes.h>
#include <stdio.h>

bool base_is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned base_days_in_month(int64_t year, unsigned month)
{
	static const unsigned char mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (month < 1 || month > 12)
		return 0;
	return month == 2 && base_is_leap(year) ? 29 : mdays[month - 1];
}

int64_t base_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void base_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
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

bool base_timestamp_valid(int64_t seconds, int32_t nanos)
{
	return seconds >= BASE_TIMESTAMP_MIN_SECONDS && seconds <= BASE_TIMESTAMP_MAX_SECONDS && nanos >= 0
	       && nanos <= 999999999;
}

/* n decimal digits at *p; false (and *p unmoved) otherwise */
static bool digits(const char **p, int n, int *v)
{
	int r = 0;
	for (int i = 0; i < n; i++) {
		char c = (*p)[i];
		if (c < '0' || c > '9')
			return false;
		r = r * 10 + (c - '0');
	}
	*v = r;
	*p += n;
	return true;
}

static bool lit(const char **p, char c)
{
	if (**p != c)
		return false;
	(*p)++;
	return true;
}

enum base_rfc3339_result base_rfc3339_parse(const char *s, unsigned flags, int64_t *sec, int32_t *nanos)
{
	const char *p = s;
	int y, mo, d, hh = 0, mi = 0, ss = 0, oh = 0, om = 0, sign = 1;
	int32_t ns = 0;
	if (!digits(&p, 4, &y) || !lit(&p, '-') || !digits(&p, 2, &mo) || !lit(&p, '-') || !digits(&p, 2, &d))
		return BASE_RFC3339_SYNTAX;
	bool lower = (flags & BASE_RFC3339_LOWER) != 0;
	if (*p != '\0' || !(flags & BASE_RFC3339_DATE_ONLY)) {
		if (!(*p == 'T' || *p == ' ' || (lower && *p == 't')))
			return BASE_RFC3339_SYNTAX;
		p++;
		if (!digits(&p, 2, &hh) || !lit(&p, ':') || !digits(&p, 2, &mi) || !lit(&p, ':') || !digits(&p, 2, &ss))
			return BASE_RFC3339_SYNTAX;
		if (*p == '.') {
			p++;
			int nd = 0;
			for (; *p >= '0' && *p <= '9'; p++, nd++)
				if (nd < 9)
					ns = ns * 10 + (*p - '0');
			if (nd == 0)
				return BASE_RFC3339_SYNTAX;
			for (; nd < 9; nd++)
				ns *= 10;
		}
		if (*p == 'Z' || (lower && *p == 'z')) {
			p++;
		} else if (*p == '+' || *p == '-') {
			sign = *p++ == '-' ? -1 : 1;
			if (!digits(&p, 2, &oh) || !lit(&p, ':') || !digits(&p, 2, &om))
				return BASE_RFC3339_SYNTAX;
		} else {
			return BASE_RFC3339_SYNTAX;
		}
		if (*p != '\0')
			return BASE_RFC3339_SYNTAX;
	}
	if ((y < 1 && !(flags & BASE_RFC3339_YEAR0)) || mo < 1 || mo > 12 || d < 1
	    || (unsigned)d > base_days_in_month(y, (unsigned)mo) || hh > 23 || mi > 59 || ss > 60 || oh > 23 || om > 59)
		return BASE_RFC3339_RANGE;
	int64_t off = sign * (oh * 3600 + om * 60);
	if (sec != NULL)
		*sec = base_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + hh * 3600 + mi * 60 + ss - off;
	if (nanos != NULL)
		*nanos = ns;
	return BASE_RFC3339_OK;
}

int base_nanos_fraction(int32_t nanos, char *buf, size_t n)
{
	if (nanos == 0)
		return snprintf(buf, n, "%s", "");
	if (nanos % 1000000 == 0)
		return snprintf(buf, n, ".%03d", (int)(nanos / 1000000));
	if (nanos % 1000 == 0)
		return snprintf(buf, n, ".%06d", (int)(nanos / 1000));
	return snprintf(buf, n, ".%09d", (int)nanos);
}

int base_rfc3339_format(int64_t sec, int32_t nanos, unsigned flags, char *buf, size_t n)
{
	int64_t days = sec / 86400, rem = sec % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	int64_t y;
	unsigned m, d;
	base_civil_from_days(days, &y, &m, &d);
	char frac[16] = "";
	if (!(flags & BASE_RFC3339_TRIM)) {
		base_nanos_fraction(nanos, frac, sizeof frac);
	} else if (nanos > 0 && nanos < 1000000000) {
		snprintf(frac, sizeof frac, ".%09d", (int)nanos);
		size_t k = 10;
		while (frac[k - 1] == '0')
			k--;
		frac[k] = '\0';
	}
	return snprintf(buf, n, "%04" PRId64 "-%02u-%02uT%02d:%02d:%02d%sZ", y, m, d, (int)(rem / 3600),
			(int)(rem / 60 % 60), (int)(rem % 60), frac);
}
