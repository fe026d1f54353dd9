/* test_base_text.c: the base library's text and wire formats (dates,
 * durations, base64, JSON text, the protobuf wire walk); part of the
 * test_base suite (test_base.c runs it). */
#include <config.h>

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "buf.h"
#include "civil.h"
#include "duration.h"
#include "jsonstr.h"
#include "pbwire.h"

#include "flyteidl/core/literals.pb-c.h"

#include "test_base.h"

/* ---- dates ----------------------------------------------------------------- */

START_TEST(civil_days)
{
	ck_assert_int_eq(base_days_from_civil(1970, 1, 1), 0);
	ck_assert_int_eq(base_days_from_civil(1969, 12, 31), -1);
	ck_assert_int_eq(base_days_from_civil(2000, 3, 1), 11017);
	ck_assert_int_eq(base_days_from_civil(1, 1, 1), -719162);
	ck_assert_int_eq(base_days_from_civil(0, 1, 1), -719528);
	ck_assert_int_eq(base_days_from_civil(9999, 12, 31), 2932896);
	for (int64_t z = -800000; z < 3000000; z += 997) {
		int64_t y;
		unsigned m, d;
		base_civil_from_days(z, &y, &m, &d);
		ck_assert_uint_ge(d, 1);
		ck_assert_uint_le(d, base_days_in_month(y, m));
		ck_assert_int_eq(base_days_from_civil(y, m, d), z);
	}
	ck_assert(base_is_leap(2000));
	ck_assert(base_is_leap(2024));
	ck_assert(!base_is_leap(1900));
	ck_assert(!base_is_leap(2023));
	ck_assert(base_is_leap(0));
	ck_assert_uint_eq(base_days_in_month(2024, 2), 29);
	ck_assert_uint_eq(base_days_in_month(2023, 2), 28);
	ck_assert_uint_eq(base_days_in_month(1900, 2), 28);
	ck_assert_uint_eq(base_days_in_month(2000, 2), 29);
	ck_assert_uint_eq(base_days_in_month(2023, 4), 30);
	ck_assert_uint_eq(base_days_in_month(2023, 12), 31);
	ck_assert_uint_eq(base_days_in_month(2023, 13), 0);
	ck_assert_uint_eq(base_days_in_month(2023, 0), 0);
}
END_TEST

START_TEST(civil_timestamp_range)
{
	ck_assert_int_eq(BASE_TIMESTAMP_MIN_SECONDS, base_days_from_civil(1, 1, 1) * 86400);
	ck_assert_int_eq(BASE_TIMESTAMP_MAX_SECONDS, base_days_from_civil(9999, 12, 31) * 86400 + 86399);
	ck_assert(base_timestamp_valid(BASE_TIMESTAMP_MIN_SECONDS, 0));
	ck_assert(!base_timestamp_valid(BASE_TIMESTAMP_MIN_SECONDS - 1, 999999999));
	ck_assert(base_timestamp_valid(BASE_TIMESTAMP_MAX_SECONDS, 999999999));
	ck_assert(!base_timestamp_valid(BASE_TIMESTAMP_MAX_SECONDS + 1, 0));
	ck_assert(!base_timestamp_valid(0, -1));
	ck_assert(!base_timestamp_valid(0, 1000000000));
	int64_t s;
	int32_t ns;
	ck_assert_int_eq(base_rfc3339_parse("0001-01-01T00:00:00Z", 0, &s, &ns), BASE_RFC3339_OK);
	ck_assert_int_eq(s, BASE_TIMESTAMP_MIN_SECONDS);
	ck_assert_int_eq(base_rfc3339_parse("9999-12-31T23:59:59.999999999Z", 0, &s, &ns), BASE_RFC3339_OK);
	ck_assert_int_eq(s, BASE_TIMESTAMP_MAX_SECONDS);
	ck_assert_int_eq(ns, 999999999);
	char buf[64];
	base_rfc3339_format(BASE_TIMESTAMP_MIN_SECONDS, 0, 0, buf, sizeof buf);
	ck_assert_str_eq(buf, "0001-01-01T00:00:00Z");
	base_rfc3339_format(BASE_TIMESTAMP_MAX_SECONDS, 999999999, BASE_RFC3339_TRIM, buf, sizeof buf);
	ck_assert_str_eq(buf, "9999-12-31T23:59:59.999999999Z");
}
END_TEST

START_TEST(rfc3339_parse)
{
	static const struct {
		const char *s;
		unsigned flags;
		enum base_rfc3339_result r;
		int64_t sec;
		int32_t ns;
	} cases[] = {
		{"2024-05-01T12:00:00Z", 0, BASE_RFC3339_OK, 1714564800, 0},
		{"2024-05-01 12:00:00Z", 0, BASE_RFC3339_OK, 1714564800, 0},
		{"2024-05-01T12:00:00+05:30", 0, BASE_RFC3339_OK, 1714564800 - 19800, 0},
		{"2024-05-01T12:00:00-01:00", 0, BASE_RFC3339_OK, 1714564800 + 3600, 0},
		{"2024-05-01T12:00:00.5Z", 0, BASE_RFC3339_OK, 1714564800, 500000000},
		{"2024-05-01T12:00:00.1234567891Z", 0, BASE_RFC3339_OK, 1714564800, 123456789},  /* cut */
		{"2024-05-01T12:00:60Z", 0, BASE_RFC3339_OK, 1714564860, 0},  /* :60 is the next :00 */
		{"2024-02-29T00:00:00Z", 0, BASE_RFC3339_OK, 1709164800, 0},
		{"2000-02-29T00:00:00Z", 0, BASE_RFC3339_OK, 951782400, 0},
		{"1969-12-31T23:59:59Z", 0, BASE_RFC3339_OK, -1, 0},
		{"2023-02-29T00:00:00Z", 0, BASE_RFC3339_RANGE, 0, 0},
		{"1900-02-29T00:00:00Z", 0, BASE_RFC3339_RANGE, 0, 0},
		{"2024-04-31T00:00:00Z", 0, BASE_RFC3339_RANGE, 0, 0},
		{"2024-13-01T00:00:00Z", 0, BASE_RFC3339_RANGE, 0, 0},
		{"2024-00-01T00:00:00Z", 0, BASE_RFC3339_RANGE, 0, 0},
		{"2024-05-00T00:00:00Z", 0, BASE_RFC3339_RANGE, 0, 0},
		{"2024-05-01T24:00:00Z", 0, BASE_RFC3339_RANGE, 0, 0},
		{"2024-05-01T12:60:00Z", 0, BASE_RFC3339_RANGE, 0, 0},
		{"2024-05-01T12:00:61Z", 0, BASE_RFC3339_RANGE, 0, 0},
		{"2024-05-01T12:00:00+24:00", 0, BASE_RFC3339_RANGE, 0, 0},
		{"2024-05-01T12:00:00+00:60", 0, BASE_RFC3339_RANGE, 0, 0},
		{"0000-01-01T00:00:00Z", 0, BASE_RFC3339_RANGE, 0, 0},
		{"0000-01-01T00:00:00Z", BASE_RFC3339_YEAR0, BASE_RFC3339_OK, -719528LL * 86400, 0},
		{"2024-13-01T00:00:00X", 0, BASE_RFC3339_SYNTAX, 0, 0},  /* form before values */
		{"2024-05-01", 0, BASE_RFC3339_SYNTAX, 0, 0},
		{"2024-05-01", BASE_RFC3339_DATE_ONLY, BASE_RFC3339_OK, 1714521600, 0},
		{"2024-05-01T", BASE_RFC3339_DATE_ONLY, BASE_RFC3339_SYNTAX, 0, 0},
		{"2024-05-01t12:00:00z", 0, BASE_RFC3339_SYNTAX, 0, 0},
		{"2024-05-01t12:00:00z", BASE_RFC3339_LOWER, BASE_RFC3339_OK, 1714564800, 0},
		{"2024-05-01T12:00:00", 0, BASE_RFC3339_SYNTAX, 0, 0},
		{"2024-05-01T12:00:00.Z", 0, BASE_RFC3339_SYNTAX, 0, 0},
		{"2024-05-01T12:00:00Z ", 0, BASE_RFC3339_SYNTAX, 0, 0},
		{"2024-05-01T12:00:00+0530", 0, BASE_RFC3339_SYNTAX, 0, 0},
		{"2024-5-01T12:00:00Z", 0, BASE_RFC3339_SYNTAX, 0, 0},
		{"", 0, BASE_RFC3339_SYNTAX, 0, 0},
	};
	for (size_t i = 0; i < LEN(cases); i++) {
		int64_t s = 7;
		int32_t ns = 7;
		enum base_rfc3339_result r = base_rfc3339_parse(cases[i].s, cases[i].flags, &s, &ns);
		ck_assert_msg(r == cases[i].r, "'%s': %d, want %d", cases[i].s, (int)r, (int)cases[i].r);
		if (r == BASE_RFC3339_OK) {
			ck_assert_msg(s == cases[i].sec, "'%s': %lld s", cases[i].s, (long long)s);
			ck_assert_int_eq(ns, cases[i].ns);
		}
	}
	ck_assert_int_eq(base_rfc3339_parse("2024-05-01T12:00:00Z", 0, NULL, NULL), BASE_RFC3339_OK);
}
END_TEST

START_TEST(rfc3339_format)
{
	static const struct {
		int64_t sec;
		int32_t ns;
		unsigned flags;
		const char *want;
	} cases[] = {
		{0, 0, 0, "1970-01-01T00:00:00Z"},
		{-1, 0, 0, "1969-12-31T23:59:59Z"},
		{1714564800, 0, BASE_RFC3339_TRIM, "2024-05-01T12:00:00Z"},
		{0, 500000000, 0, "1970-01-01T00:00:00.500Z"},
		{0, 500000000, BASE_RFC3339_TRIM, "1970-01-01T00:00:00.5Z"},
		{0, 1000, 0, "1970-01-01T00:00:00.000001Z"},
		{0, 1500, 0, "1970-01-01T00:00:00.000001500Z"},
		{0, 1500, BASE_RFC3339_TRIM, "1970-01-01T00:00:00.0000015Z"},
		{0, -5000000, 0, "1970-01-01T00:00:00.-05Z"},       /* protobuf JSON's printf, as it was */
		{0, -5000000, BASE_RFC3339_TRIM, "1970-01-01T00:00:00Z"},
		{0, 1000000000, BASE_RFC3339_TRIM, "1970-01-01T00:00:00Z"},
		{-719528LL * 86400, 0, 0, "0000-01-01T00:00:00Z"},
		{-719528LL * 86400 - 1, 0, 0, "-001-12-31T23:59:59Z"},
		{INT64_MIN, 0, 0, "-292277022657-01-27T08:29:52Z"},
	};
	for (size_t i = 0; i < LEN(cases); i++) {
		char buf[64];
		int n = base_rfc3339_format(cases[i].sec, cases[i].ns, cases[i].flags, buf, sizeof buf);
		ck_assert_str_eq(buf, cases[i].want);
		ck_assert_int_eq(n, (int)strlen(cases[i].want));
	}
	char small[5];
	ck_assert_int_eq(base_rfc3339_format(0, 0, 0, small, sizeof small), 20);
	ck_assert_str_eq(small, "1970");
	char frac[16];
	ck_assert_int_eq(base_nanos_fraction(0, frac, sizeof frac), 0);
	ck_assert_str_eq(frac, "");
	base_nanos_fraction(120000000, frac, sizeof frac);
	ck_assert_str_eq(frac, ".120");
	base_nanos_fraction(123456000, frac, sizeof frac);
	ck_assert_str_eq(frac, ".123456");
	base_nanos_fraction(1, frac, sizeof frac);
	ck_assert_str_eq(frac, ".000000001");
}
END_TEST

/* ---- durations ------------------------------------------------------------- */

START_TEST(duration_units)
{
	ck_assert_uint_eq(base_duration_nunits, 8);
	static const char *names[] = {"ns", "us", "ms", "s", "m", "h", "d"};
	static const int64_t ns[] = {1, 1000, 1000000, 1000000000LL, 60000000000LL, 3600000000000LL, 86400000000000LL};
	for (size_t i = 0; i < LEN(names); i++) {
		const struct base_duration_unit *u = base_duration_unit(names[i], strlen(names[i]), 0);
		ck_assert_ptr_nonnull(u);
		ck_assert_int_eq(u->ns, ns[i]);
	}
	ck_assert_ptr_null(base_duration_unit("\xc2\xb5s", 3, 0));   /* not a scanner unit */
	ck_assert_int_eq(base_duration_unit("\xc2\xb5s", 3, BASE_DURATION_MICRO_SIGN)->ns, 1000);
	ck_assert_ptr_null(base_duration_unit("", 0, 0));
	ck_assert_ptr_null(base_duration_unit("sec", 3, 0));
	ck_assert_ptr_null(base_duration_unit("msx", 2 + 1, 0));
	ck_assert_ptr_nonnull(base_duration_unit("msx", 2, 0));
	ck_assert_ptr_null(base_duration_unit("H", 1, 0));
	/* smallest first */
	for (size_t i = 1; i < base_duration_nunits; i++)
		ck_assert_int_ge(base_duration_units[i].ns, base_duration_units[i - 1].ns);
}
END_TEST

START_TEST(duration_parse)
{
	static const struct {
		const char *s;
		int rc;
		int64_t ns;
	} cases[] = {
		{"0", 0, 0},
		{"-0", 0, 0},
		{"+0", 0, 0},
		{"1h30m", 0, 5400000000000LL},
		{"250ms", 0, 250000000},
		{"-1.5s", 0, -1500000000},
		{"1.5\xc2\xb5s", 0, 1500},
		{"1ms500us", 0, 1500000},
		{"2d", 0, 172800000000000LL},
		{"1m1ms", 0, 60001000000LL},   /* "ms" is the longest prefix */
		{"1.s", 0, 1000000000},
		{".5s", 0, 500000000},
		{"1s1s", 0, 2000000000},        /* the runtime does not insist on an order */
		{"0.0000000001s", 0, 0},        /* rounded to the nanosecond */
		{"9223372036854775807ns", 0, INT64_MAX},
		{"-9223372036854775807ns1ns", 0, INT64_MIN},
		{"9223372036854775808ns", -1, 0},
		{"9223372036854775807ns1ns", -1, 0},
		{"3000000h", -1, 0},
		{"", -1, 0},
		{"-", -1, 0},
		{"5", -1, 0},
		{"1x", -1, 0},
		{".s", -1, 0},
		{"s", -1, 0},
		{"1h 30m", -1, 0},
		{"1H", -1, 0},
	};
	for (size_t i = 0; i < LEN(cases); i++) {
		int64_t ns = 42;
		int rc = base_duration_parse(cases[i].s, &ns);
		ck_assert_msg(rc == cases[i].rc, "'%s': %d", cases[i].s, rc);
		if (rc == 0)
			ck_assert_msg(ns == cases[i].ns, "'%s': %lld", cases[i].s, (long long)ns);
		else
			ck_assert_int_eq(ns, 42);
	}
}
END_TEST

START_TEST(duration_format)
{
	static const struct {
		int64_t ns;
		const char *want;
	} cases[] = {
		{0, "0s"},
		{1, "1ns"},
		{5400000000000LL, "1h30m"},
		{-1500000000, "-1s500ms"},
		{90061000000000LL, "25h1m1s"},   /* no days */
		{1001, "1us1ns"},
		{INT64_MIN, "-2562047h47m16s854ms775us808ns"},
		{INT64_MAX, "2562047h47m16s854ms775us807ns"},
	};
	for (size_t i = 0; i < LEN(cases); i++) {
		char buf[48];
		base_duration_format(cases[i].ns, buf, sizeof buf);
		ck_assert_str_eq(buf, cases[i].want);
		int64_t back;
		ck_assert_int_eq(base_duration_parse(buf, &back), 0);
		ck_assert_int_eq(back, cases[i].ns);
	}
	char small[4];
	base_duration_format(5400000000000LL, small, sizeof small);
	ck_assert_str_eq(small, "1h");    /* a part that does not fit is left out */
}
END_TEST

START_TEST(duration_protobuf)
{
	int64_t s;
	int32_t n;
	base_duration_split(-1500000000, &s, &n);
	ck_assert_int_eq(s, -1);
	ck_assert_int_eq(n, -500000000);
	base_duration_split(INT64_MIN, &s, &n);
	ck_assert_int_eq(s, INT64_MIN / 1000000000);
	ck_assert_int_eq(n, (int32_t)(INT64_MIN % 1000000000));
	int64_t ns;
	ck_assert(base_duration_join(1, 5, &ns));
	ck_assert_int_eq(ns, 1000000005);
	ck_assert(base_duration_join(s, n, &ns));
	ck_assert_int_eq(ns, INT64_MIN);
	ck_assert(!base_duration_join(INT64_MAX / 1000000000 + 1, 0, &ns));
	ck_assert(!base_duration_join(INT64_MAX / 1000000000, 999999999, &ns));
	static const struct {
		int64_t s;
		int32_t n;
		const char *want;
	} cases[] = {
		{3, 0, "3s"},
		{1, 500000000, "1.500s"},
		{0, -1, "-0.000000001s"},
		{-2, -5000, "-2.000005s"},
		{-2, 0, "-2s"},
		{0, 0, "0s"},
	};
	for (size_t i = 0; i < LEN(cases); i++) {
		char buf[48];
		base_duration_pbjson(cases[i].s, cases[i].n, buf, sizeof buf);
		ck_assert_str_eq(buf, cases[i].want);
	}
}
END_TEST

/* ---- base64 -------------------------------------------------------------- */

START_TEST(base64_rfc4648)
{
	static const char *plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	static const char *coded[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
	for (size_t i = 0; i < LEN(plain); i++) {
		char out[16];
		size_t n = strlen(plain[i]);
		ck_assert_uint_eq(base_base64_len(n), strlen(coded[i]));
		base_base64_encode(out, plain[i], n);
		ck_assert_str_eq(out, coded[i]);
		uint8_t back[16];
		size_t len = 99;
		ck_assert_int_eq(base_base64_decode(out, strlen(out), back, &len), 0);
		ck_assert_uint_eq(len, n);
		ck_assert_mem_eq(back, plain[i], n);
	}
	char out[8];
	base_base64_encode(out, "\xff\xfe\x00", 3);
	ck_assert_str_eq(out, "//4A");
	base_base64_encode(out, "\xfb\xff", 2);
	ck_assert_str_eq(out, "+/8=");
}
END_TEST

START_TEST(base64_lenient_decode)
{
	uint8_t out[32];
	size_t len;
	ck_assert_int_eq(base_base64_decode("Zg", 2, out, &len), 0);   /* padding optional */
	ck_assert_uint_eq(len, 1);
	ck_assert_uint_eq(out[0], 'f');
	ck_assert_int_eq(base_base64_decode("Zg=!!!", 6, out, &len), 0);   /* stops at '=' */
	ck_assert_uint_eq(len, 1);
	ck_assert_int_eq(base_base64_decode("Z", 1, out, &len), 0);   /* 6 bits: no byte */
	ck_assert_uint_eq(len, 0);
	ck_assert_int_eq(base_base64_decode("Zm9v!", 5, out, &len), -1);
	ck_assert_int_eq(base_base64_decode("Zm 9v", 5, out, &len), -1);
	ck_assert_int_eq(base_base64_decode("Zm\0v", 4, out, &len), -1);
	ck_assert_int_eq(base_base64_decode("Zm9v", 2, out, &len), 0);   /* only n bytes */
	ck_assert_uint_eq(len, 1);
}
END_TEST

/* ---- JSON text ------------------------------------------------------------- */

START_TEST(json_strings)
{
	struct base_buf b;
	base_buf_init(&b, NULL);
	const char in[] = "a\"b\\c\n\r\t\x01\x1f\x7f\xc3\xa9/";
	ck_assert_int_eq(base_json_string(&b, in, sizeof in - 1, BASE_JSON_ESCAPE_DEL), 0);
	ck_assert_str_eq(b.data, "\"a\\\"b\\\\c\\n\\r\\t\\u0001\\u001f\\u007f\xc3\xa9/\"");
	base_buf_clear(&b);
	base_json_string(&b, in, sizeof in - 1, 0);
	ck_assert_str_eq(b.data, "\"a\\\"b\\\\c\\n\\r\\t\\u0001\\u001f\x7f\xc3\xa9/\"");
	base_buf_clear(&b);
	base_json_string(&b, "x\0y", 3, 0);
	ck_assert_str_eq(b.data, "\"x\\u0000y\"");
	base_buf_clear(&b);
	base_json_string(&b, "", 0, 0);
	ck_assert_str_eq(b.data, "\"\"");
	char e[8];
	ck_assert_uint_eq(base_json_escape('a', 0, e), 0);
	ck_assert_uint_eq(base_json_escape('\b', 0, e), 6);
	ck_assert_str_eq(e, "\\u0008");
	base_buf_free(&b);
}
END_TEST

static void check_g(double d, int min_prec, unsigned flags, const char *want)
{
	char buf[48];
	base_shortest_g(d, min_prec, flags, buf, sizeof buf);
	ck_assert_msg(strcmp(buf, want) == 0, "%.17g (from %d, flags %u): '%s', want '%s'", d, min_prec, flags, buf,
		      want);
}

START_TEST(json_shortest_doubles)
{
	/* protobuf's printer (codegen): from 1 digit */
	check_g(0.1, 1, 0, "0.1");
	check_g(1e21, 1, 0, "1e+21");
	check_g(5e-324, 1, 0, "5e-324");
	check_g(1.0, 1, 0, "1");
	check_g(-0.0, 1, 0, "-0");
	check_g(0.1 + 0.2, 1, 0, "0.30000000000000004");
	check_g(123456789012.0, 1, 0, "123456789012");
	check_g(1.7976931348623157e308, 1, 0, "1.7976931348623157e+308");
	check_g((double)0.9f, 1, BASE_JSON_FLOAT32, "0.9");
	check_g((double)0.9f, 1, 0, "0.8999999761581421");
	/* the runtime: from 15 digits, ".0" on integral texts */
	check_g(0.1, 15, BASE_JSON_POINT_ZERO, "0.1");
	check_g(1e21, 15, BASE_JSON_POINT_ZERO, "1e+21");
	check_g(5e-324, 15, BASE_JSON_POINT_ZERO, "4.94065645841247e-324");
	check_g(1.0, 15, BASE_JSON_POINT_ZERO, "1.0");
	check_g(100.0, 15, BASE_JSON_POINT_ZERO, "100.0");
	check_g(0.1 + 0.2, 15, BASE_JSON_POINT_ZERO, "0.30000000000000004");
	/* flytekit's float32 rounding (lowering): from 6 digits */
	check_g((double)0.1234567891f, 6, BASE_JSON_FLOAT32, "0.12345679");
	check_g((double)0.271828f, 6, BASE_JSON_FLOAT32, "0.271828");
	ck_assert_int_eq(base_shortest_prec(0.1, 1, 0), 1);
	ck_assert_int_eq(base_shortest_prec(0.1, 15, 0), 15);
	ck_assert_int_eq(base_shortest_prec(0.1 + 0.2, 1, 0), 17);
	ck_assert_int_eq(base_shortest_prec(NAN, 1, 0), 17);
	/* every double read back exactly */
	srand(7);
	for (int i = 0; i < 2000; i++) {
		uint64_t bits = (uint64_t)rand() << 42 ^ (uint64_t)rand() << 21 ^ (uint64_t)rand();
		double d;
		memcpy(&d, &bits, sizeof d);
		if (!isfinite(d))
			continue;
		char buf[48];
		base_shortest_g(d, 1, 0, buf, sizeof buf);
		ck_assert(strtod(buf, NULL) == d);
	}
	struct base_buf b;
	base_buf_init(&b, NULL);
	base_json_double(&b, NAN, 1, 0);
	base_json_double(&b, INFINITY, 1, 0);
	base_json_double(&b, -INFINITY, 1, 0);
	base_json_double(&b, 2.5, 15, BASE_JSON_POINT_ZERO);
	base_json_double(&b, 3, 15, BASE_JSON_POINT_ZERO);
	ck_assert_str_eq(b.data, "\"NaN\"\"Infinity\"\"-Infinity\"2.53.0");
	base_buf_free(&b);
}
END_TEST

/* ---- protobuf wire walk ------------------------------------------------------ */

struct bytes {
	uint8_t *p;
	size_t n;
};

static void put_varint(struct base_buf *b, uint64_t v)
{
	do {
		base_buf_putc(b, (int)((v & 0x7f) | (v >= 0x80 ? 0x80 : 0)));
		v >>= 7;
	} while (v != 0);
}

/* field id (length-delimited) holding inner */
static struct bytes wrap(unsigned id, struct bytes inner)
{
	struct base_buf b;
	base_buf_init(&b, NULL);
	put_varint(&b, (uint64_t)id << 3 | 2);
	put_varint(&b, inner.n);
	base_buf_put(&b, inner.p, inner.n);
	free(inner.p);
	return (struct bytes){(uint8_t *)b.data, b.len};
}

/* A Literal whose innermost Literal is at depth 2 * k (collection, literals, ...). */
static struct bytes nested_literal(int k)
{
	struct bytes cur = {calloc(1, 1), 0};
	for (int i = 0; i < k; i++)
		cur = wrap(2, wrap(1, cur));   /* Literal.collection -> LiteralCollection.literals */
	return cur;
}

static const ProtobufCMessageDescriptor *const literal_d = &flyteidl__core__literal__descriptor;
static const ProtobufCMessageDescriptor *const collection_d = &flyteidl__core__literal_collection__descriptor;

START_TEST(pbwire_depth_limit)
{
	struct base_pbwire_error e;
	struct bytes ok = nested_literal(50);   /* depth 100 */
	ck_assert_int_eq(base_pbwire_check(literal_d, ok.p, ok.n, BASE_PBWIRE_MAX_DEPTH, 0, &e), BASE_PBWIRE_OK);
	struct bytes deep = wrap(1, nested_literal(50));   /* a LiteralCollection: depth 101 */
	ck_assert_int_eq(base_pbwire_check(collection_d, deep.p, deep.n, BASE_PBWIRE_MAX_DEPTH, 0, &e),
			 BASE_PBWIRE_TOO_DEEP);
	char msg[128];
	base_pbwire_message(&e, msg, sizeof msg);
	ck_assert_str_eq(msg, "messages nested more than 100 deep");
	/* no descriptor: nothing is followed */
	ck_assert_int_eq(base_pbwire_check(NULL, deep.p, deep.n, 0, 0, &e), BASE_PBWIRE_OK);
	ck_assert_int_eq(base_pbwire_check(collection_d, deep.p, deep.n, 101, 0, &e), BASE_PBWIRE_OK);
	free(ok.p);
	free(deep.p);
	/* flytec show's limit */
	ok = nested_literal(500);
	ck_assert_int_eq(base_pbwire_check(literal_d, ok.p, ok.n, 1000, BASE_PBWIRE_LENIENT, &e), BASE_PBWIRE_OK);
	deep = wrap(1, nested_literal(500));
	ck_assert_int_eq(base_pbwire_check(collection_d, deep.p, deep.n, 1000, BASE_PBWIRE_LENIENT, &e),
			 BASE_PBWIRE_TOO_DEEP);
	free(ok.p);
	free(deep.p);
	/* an empty sub-message counts as a level */
	struct bytes one = wrap(2, (struct bytes){calloc(1, 1), 0});
	ck_assert_int_eq(base_pbwire_check(literal_d, one.p, one.n, 0, 0, &e), BASE_PBWIRE_TOO_DEEP);
	ck_assert_int_eq(base_pbwire_check(literal_d, one.p, one.n, 1, 0, &e), BASE_PBWIRE_OK);
	free(one.p);
}
END_TEST

START_TEST(pbwire_strict_faults)
{
	static const struct {
		const char *bytes;
		size_t n;
		enum base_pbwire_status st;
		const char *msg;
	} cases[] = {
		{"\x80", 1, BASE_PBWIRE_TRUNCATED_KEY, "truncated field key at byte 1"},
		{"\x00\x00", 2, BASE_PBWIRE_BAD_FIELD, "invalid field number 0"},
		{"\x80\x80\x80\x80\x10\x00", 6, BASE_PBWIRE_BAD_FIELD, "invalid field number 536870912"},
		{"\x08\x80", 2, BASE_PBWIRE_TRUNCATED_VARINT, "truncated varint"},
		{"\x09\x01\x02\x03", 4, BASE_PBWIRE_TRUNCATED_FIXED64, "truncated fixed64"},
		{"\x0d\x01", 2, BASE_PBWIRE_TRUNCATED_FIXED32, "truncated fixed32"},
		{"\x12", 1, BASE_PBWIRE_TRUNCATED_LENGTH, "truncated length"},
		{"\x12\x05\x01", 3, BASE_PBWIRE_PAST_END, "field 2 runs past the end (5 bytes, 1 left)"},
		{"\x0b", 1, BASE_PBWIRE_BAD_WIRE_TYPE, "invalid wire type 3"},
		{"\x12\x02\x0f\x00", 4, BASE_PBWIRE_BAD_WIRE_TYPE, "invalid wire type 7"},   /* inside collection */
	};
	for (size_t i = 0; i < LEN(cases); i++) {
		struct base_pbwire_error e;
		const uint8_t *p = (const uint8_t *)cases[i].bytes;
		ck_assert_int_eq(base_pbwire_check(literal_d, p, cases[i].n, BASE_PBWIRE_MAX_DEPTH, 0, &e), cases[i].st);
		ck_assert_int_eq(e.status, cases[i].st);
		char msg[128];
		base_pbwire_message(&e, msg, sizeof msg);
		ck_assert_str_eq(msg, cases[i].msg);
		/* lenient: malformed bytes end the walk quietly */
		ck_assert_int_eq(base_pbwire_check(literal_d, p, cases[i].n, 1000, BASE_PBWIRE_LENIENT, &e),
				 BASE_PBWIRE_OK);
	}
	struct base_pbwire_error e;
	/* well-formed: varint, fixed64, fixed32 and unknown length-delimited fields */
	const uint8_t good[] = {0x08, 0x96, 0x01, 0x21, 1, 2, 3, 4, 5, 6, 7, 8, 0x2d, 1, 2, 3, 4, 0x7a, 0x01, 0xff};
	ck_assert_int_eq(base_pbwire_check(literal_d, good, sizeof good, BASE_PBWIRE_MAX_DEPTH, 0, &e), BASE_PBWIRE_OK);
	ck_assert_int_eq(base_pbwire_check(literal_d, good, 0, BASE_PBWIRE_MAX_DEPTH, 0, &e), BASE_PBWIRE_OK);
}
END_TEST

START_TEST(pbwire_lenient_utf8)
{
	/* Literal.scalar.primitive.string_value */
	static const char *texts[] = {"caf\xc3\xa9", "\xff", "\xed\xa0\x80", ""};
	static const bool bad[] = {false, true, true, false};
	for (size_t i = 0; i < LEN(texts); i++) {
		struct base_buf s;
		base_buf_init(&s, NULL);
		put_varint(&s, 3 << 3 | 2);
		put_varint(&s, strlen(texts[i]));
		base_buf_puts(&s, texts[i]);
		struct bytes lit = wrap(1, wrap(1, (struct bytes){(uint8_t *)s.data, s.len}));
		struct base_pbwire_error e;
		ck_assert_int_eq(base_pbwire_check(literal_d, lit.p, lit.n, 1000, BASE_PBWIRE_LENIENT | BASE_PBWIRE_CHECK_UTF8,
						   &e),
				 BASE_PBWIRE_OK);
		if (bad[i])
			ck_assert_str_eq(e.utf8_field, "string_value");
		else
			ck_assert_ptr_null(e.utf8_field);
		/* not asked: not looked at */
		base_pbwire_check(literal_d, lit.p, lit.n, 1000, BASE_PBWIRE_LENIENT, &e);
		ck_assert_ptr_null(e.utf8_field);
		free(lit.p);
	}
	/* a malformed sub-message ends its own walk (its Literal at depth 2 is
	 * not reached); the parent goes on to the next one, whose is */
	const uint8_t mixed[] = {0x12, 0x03, 0x0b, 0x0a, 0x00, 0x12, 0x02, 0x0a, 0x00};
	struct base_pbwire_error e;
	ck_assert_int_eq(base_pbwire_check(literal_d, mixed, 5, 1, BASE_PBWIRE_LENIENT, &e), BASE_PBWIRE_OK);
	ck_assert_int_eq(base_pbwire_check(literal_d, mixed, sizeof mixed, 1, BASE_PBWIRE_LENIENT, &e),
			 BASE_PBWIRE_TOO_DEEP);
}
END_TEST

START_TEST(pbwire_arena_allocator)
{
	struct base_arena *a = base_arena_new(&base_arena_doubling);
	ProtobufCAllocator al = base_pb_allocator(a);
	const uint8_t lit[] = {0x0a, 0x04, 0x0a, 0x02, 0x08, 0x2a};   /* scalar.primitive.integer = 42 */
	Flyteidl__Core__Literal *m = flyteidl__core__literal__unpack(&al, sizeof lit, lit);
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(m->scalar->primitive->integer, 42);
	ck_assert_uint_gt(base_arena_used(a), 0);
	base_arena_free(a);
}
END_TEST

void base_text_tcases(Suite *s)
{
	TCase *tc;

	tc = tcase_create("civil");
	tcase_add_test(tc, civil_days);
	tcase_add_test(tc, civil_timestamp_range);
	tcase_add_test(tc, rfc3339_parse);
	tcase_add_test(tc, rfc3339_format);
	suite_add_tcase(s, tc);

	tc = tcase_create("duration");
	tcase_add_test(tc, duration_units);
	tcase_add_test(tc, duration_parse);
	tcase_add_test(tc, duration_format);
	tcase_add_test(tc, duration_protobuf);
	suite_add_tcase(s, tc);

	tc = tcase_create("text");
	tcase_add_test(tc, base64_rfc4648);
	tcase_add_test(tc, base64_lenient_decode);
	tcase_add_test(tc, json_strings);
	tcase_add_test(tc, json_shortest_doubles);
	suite_add_tcase(s, tc);

	tc = tcase_create("pbwire");
	tcase_add_test(tc, pbwire_depth_limit);
	tcase_add_test(tc, pbwire_strict_faults);
	tcase_add_test(tc, pbwire_lenient_utf8);
	tcase_add_test(tc, pbwire_arena_allocator);
	suite_add_tcase(s, tc);
}
