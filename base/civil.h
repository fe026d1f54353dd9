/* civil.h: proleptic Gregorian dates, RFC 3339 text and the range of
 * google.protobuf.Timestamp.
 *
 * Seconds count from 1970-01-01T00:00:00Z without leap seconds (a :60
 * second is the next minute's :00, as the checker, the lowering and the
 * runtime always computed it). */
#ifndef BASE_CIVIL_H
#define BASE_CIVIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z (nanos 0..999999999). */
#define BASE_TIMESTAMP_MIN_SECONDS INT64_C(-62135596800)
#define BASE_TIMESTAMP_MAX_SECONDS INT64_C(253402300799)

bool base_is_leap(int64_t year);
/* 28..31; 0 for a month outside 1..12. */
unsigned base_days_in_month(int64_t year, unsigned month);
/* Days since 1970-01-01 of year-month-day (month 1..12, day 1..31). */
int64_t base_days_from_civil(int64_t year, unsigned month, unsigned day);
void base_civil_from_days(int64_t days, int64_t *year, unsigned *month, unsigned *day);
/* Whether (seconds, nanos) is a valid google.protobuf.Timestamp. */
bool base_timestamp_valid(int64_t seconds, int32_t nanos);

enum base_rfc3339_flags {
	BASE_RFC3339_DATE_ONLY = 1,  /* "YYYY-MM-DD" alone is midnight UTC (runtime) */
	BASE_RFC3339_LOWER = 2,      /* 't' and 'z' as well as 'T' and 'Z' (runtime) */
	BASE_RFC3339_YEAR0 = 4,      /* year 0000 is a date (runtime; the checker says 2) */
	BASE_RFC3339_TRIM = 8,       /* format: fraction with its trailing zeros cut (runtime) */
};

enum base_rfc3339_result {
	BASE_RFC3339_OK = 0,
	BASE_RFC3339_SYNTAX = 1,     /* not YYYY-MM-DD(T| )HH:MM:SS[.frac](Z|+HH:MM|-HH:MM) */
	BASE_RFC3339_RANGE = 2,      /* in that form, but not a real date and time */
};

/* Parses s (the whole string). The fraction is cut (not rounded) to
 * nanoseconds. The form is checked before the values, so a text both
 * malformed and out of range is SYNTAX. sec and nanos may be NULL; they
 * are set only on OK. */
enum base_rfc3339_result base_rfc3339_parse(const char *s, unsigned flags, int64_t *sec, int32_t *nanos);

/* "YYYY-MM-DDTHH:MM:SS[.f]Z" in UTC, snprintf-truncated into buf[n]
 * (64 bytes always suffice). Fraction: by default protobuf's JSON form
 * (none for nanos 0, else 3, 6 or 9 digits, as base_nanos_fraction);
 * with BASE_RFC3339_TRIM the runtime's (only for 0 < nanos < 1e9, trailing
 * zeros cut). Returns the length it wanted (as snprintf). */
int base_rfc3339_format(int64_t sec, int32_t nanos, unsigned flags, char *buf, size_t n);

/* protobuf's JSON fraction of a second: "" for 0, else ".%03d", ".%06d"
 * or ".%09d" of nanos / 1e6, / 1e3 or itself, whichever is exact (the
 * printf of whatever int32 it is given, negative ones included). Returns
 * the length it wanted (as snprintf). */
int base_nanos_fraction(int32_t nanos, char *buf, size_t n);

#endif
