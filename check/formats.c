/* formats.c: text formats the checker validates, with no diagnostics and
 * no checker state: RFC 3339 date-times (with civil-date validity) and
 * cron expressions. */
#include "prelude.h"

#include "check_impl.h"

#include <string.h>

/* ---- RFC 3339 --------------------------------------------------------- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int two_digits(const char *s)
{
	return (s[0] - '0') * 10 + (s[1] - '0');
}

/* A real proleptic Gregorian date (year 1 on) and time of day; a leap
 * second (:60) is allowed. */
static bool civil_valid(int year, int mon, int day, int hh, int mm, int ss)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	return !(year < 1 || mon < 1 || mon > 12 || day < 1 || day > mdays[mon - 1] || (mon == 2 && day == 29 && !leap)
		 || hh > 23 || mm > 59 || ss > 60);
}

/* The offset at s: Z, or +HH:MM / -HH:MM, ending the string. False when it
 * is not one; *oh and *om are 0 for Z, *sign is -1 for a '-'. */
static bool utc_offset(const char *s, int *sign, int *oh, int *om)
{
	*sign = 1, *oh = 0, *om = 0;
	if (s[0] == 'Z' && s[1] == '\0')
		return true;
	if ((s[0] == '+' || s[0] == '-') && is_digit(s[1]) && is_digit(s[2]) && s[3] == ':' && is_digit(s[4])
	    && is_digit(s[5]) && s[6] == '\0') {
		*sign = s[0] == '-' ? -1 : 1;
		*oh = two_digits(s + 1);
		*om = two_digits(s + 4);
		return true;
	}
	return false;
}

/* Whether a real date and time, less its UTC offset (seconds, signed), is
 * outside google.protobuf.Timestamp's range, 0001-01-01T00:00:00Z to
 * 9999-12-31T23:59:59.999999999Z. An offset is less than a day, so only
 * the first and the last day can cross. A leap second counts as the next
 * second. */
static bool timestamp_out_of_range(int year, int mon, int day, int sod, int offset)
{
	if (year == 1 && mon == 1 && day == 1)
		return sod - offset < 0;
	if (year == 9999 && mon == 12 && day == 31)
		return sod - offset >= 86400;
	return false;
}

enum fl_rfc3339 fl_rfc3339_check(const char *s)
{
	const char *f = "dddd-dd-ddTdd:dd:dd";
	size_t i = 0;
	for (; f[i]; i++) {
		if (f[i] == 'd' ? !is_digit(s[i]) : s[i] != f[i] && !(f[i] == 'T' && s[i] == ' '))
			return FL_RFC3339_FORM;
	}
	if (s[i] == '.') {
		i++;
		if (!is_digit(s[i]))
			return FL_RFC3339_FORM;
		while (is_digit(s[i]))
			i++;
	}
	int sign, oh, om;
	if (!utc_offset(s + i, &sign, &oh, &om))
		return FL_RFC3339_FORM;
	int year = two_digits(s) * 100 + two_digits(s + 2);
	int mon = two_digits(s + 5), day = two_digits(s + 8);
	int hh = two_digits(s + 11), mm = two_digits(s + 14), ss = two_digits(s + 17);
	if (!civil_valid(year, mon, day, hh, mm, ss) || oh > 23 || om > 59)
		return FL_RFC3339_NOT_REAL;
	if (timestamp_out_of_range(year, mon, day, hh * 3600 + mm * 60 + ss, sign * (oh * 3600 + om * 60)))
		return FL_RFC3339_RANGE;
	return FL_RFC3339_OK;
}

/* ---- cron ------------------------------------------------------------- */

/* Cron: five fields, each a list of `*`, `?` (day fields only), N or N-M,
 * each optionally followed by /STEP; months and weekdays may be named
 * (JAN-DEC, SUN-SAT). The ranges are Flyte's: minute 0-59, hour 0-23,
 * day of month 1-31, month 1-12, day of week 0-6. */
static const struct cron_field {
	const char *name;
	int lo, hi;
	const char *const *names;  /* names of lo, lo+1, ... or NULL */
} cron_fields[] = {
	{"minute", 0, 59, NULL},
	{"hour", 0, 23, NULL},
	{"day-of-month", 1, 31, NULL},
	{"month", 1, 12, (const char *const[]){"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT",
					     "NOV", "DEC"}},
	{"day-of-week", 0, 6, (const char *const[]){"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}},
};

/* One value of a field at *p, advancing p: its number, or -1. */
static int cron_value(const struct cron_field *f, const char **p, const char *end)
{
	const char *q = *p;
	if (q < end && *q >= '0' && *q <= '9') {
		int v = 0;
		while (q < end && *q >= '0' && *q <= '9' && v <= 1000)
			v = v * 10 + (*q++ - '0');
		*p = q;
		return v >= f->lo && v <= f->hi ? v : -1;
	}
	if (f->names == NULL || end - q < 3)
		return -1;
	for (int i = 0; i <= f->hi - f->lo; i++) {
		int j = 0;
		while (j < 3 && (q[j] & ~0x20) == f->names[i][j])
			j++;
		if (j == 3 && (q + 3 == end || !((q[3] | 0x20) >= 'a' && (q[3] | 0x20) <= 'z'))) {
			*p = q + 3;
			return f->lo + i;
		}
	}
	return -1;
}

static bool cron_field_ok(const struct cron_field *f, bool day, const char *p, const char *end)
{
	for (;;) {
		if (p < end && (*p == '*' || (*p == '?' && day))) {
			p++;
		} else {
			int a = cron_value(f, &p, end);
			if (a < 0)
				return false;
			if (p < end && *p == '-') {
				p++;
				int b = cron_value(f, &p, end);
				if (b < a)
					return false;
			}
		}
		if (p < end && *p == '/') {
			p++;
			int step = 0;
			if (!(p < end && *p >= '0' && *p <= '9'))
				return false;
			while (p < end && *p >= '0' && *p <= '9' && step <= 1000)
				step = step * 10 + (*p++ - '0');
			if (step == 0)
				return false;
		}
		if (p == end)
			return true;
		if (*p++ != ',' || p == end)
			return false;
	}
}

bool fl_cron_alias(const char *s)
{
	static const char *const aliases[] = {"@yearly", "@annually", "@monthly", "@weekly", "@daily",
					      "@midnight", "@hourly"};
	bool alias = false;
	for (size_t i = 0; i < FL_ARRAY_LEN(aliases); i++)
		alias |= strcmp(s, aliases[i]) == 0;
	return alias;
}

bool fl_cron_check(const char *s, size_t len, struct fl_cron_fault *fault)
{
	const char *start[6], *end[6];
	int n = 0;
	for (const char *q = s; *q;) {
		while (*q == ' ' || *q == '\t')
			q++;
		if (!*q)
			break;
		if (n < 6)
			start[n] = q;
		while (*q && *q != ' ' && *q != '\t')
			q++;
		if (n < 6)
			end[n] = q;
		n++;
	}
	if (n != 5 || strlen(s) != len) {
		*fault = (struct fl_cron_fault){.field = -1};
		return false;
	}
	for (int i = 0; i < 5; i++) {
		const struct cron_field *f = &cron_fields[i];
		if (!cron_field_ok(f, i == 2 || i == 4, start[i], end[i])) {
			*fault = (struct fl_cron_fault){.field = i, .name = f->name, .lo = f->lo, .hi = f->hi,
							.text = start[i], .len = (int)(end[i] - start[i])};
			return false;
		}
	}
	return true;
}
