/* formats.c: text formats the checker validates, with no diagnostics and
 * no checker state: cron expressions (RFC 3339 date-times are
 * base_rfc3339_parse's). */
#include "prelude.h"

#include "check_impl.h"

#include <string.h>

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
