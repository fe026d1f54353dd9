/* duration.h: the duration units and the text forms of a duration.
 *
 * One unit table serves the scanner (exact names, no "µs"), the runtime's
 * parser (longest prefix, "µs" too) and its printer (h m s ms us ns: no
 * "d", no "µs"). */
#ifndef BASE_DURATION_H
#define BASE_DURATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum base_duration_unit_flags {
	BASE_DURATION_MICRO_SIGN = 1,  /* "µs": only where the caller asks for it */
	BASE_DURATION_NOT_PRINTED = 2, /* "d": parsed, never printed */
};

struct base_duration_unit {
	const char *name;
	int64_t ns;
	unsigned flags;
};

/* ns us µs ms s m h d, smallest first. */
extern const struct base_duration_unit base_duration_units[];
extern const size_t base_duration_nunits;

/* The unit named exactly s[0..n), or NULL. allow: BASE_DURATION_MICRO_SIGN
 * to accept "µs" (the scanner passes 0: its units are ns us ms s m h d). */
const struct base_duration_unit *base_duration_unit(const char *s, size_t n, unsigned allow);

/* The runtime's text form: [+-] then one or more <number><unit> with an
 * optional fraction (digits beyond 18 ignored; the fraction of each part
 * rounded to the nanosecond), units by longest prefix including "µs";
 * "0" alone is zero. -1 when malformed or beyond int64 nanoseconds. */
int base_duration_parse(const char *s, int64_t *ns);
/* "0s", or e.g. "-1h30m0.5s" as "-1h30m500ms": h m s ms us ns parts,
 * snprintf-truncated into buf[n] (n > 0; 48 bytes always suffice). */
void base_duration_format(int64_t ns, char *buf, size_t n);

/* google.protobuf.Duration <-> nanoseconds: seconds ns / 1e9 and nanos
 * ns % 1e9 (both truncated toward zero, so they share the sign). join is
 * false when seconds * 1e9 + nanos overflows int64. */
void base_duration_split(int64_t ns, int64_t *seconds, int32_t *nanos);
bool base_duration_join(int64_t seconds, int32_t nanos, int64_t *ns);

/* protobuf's JSON form of a Duration, without the quotes: "-" when seconds
 * or nanos is negative, |seconds|, the fraction of |nanos| (as
 * base_nanos_fraction) and "s": "1.500s", "-0.000000001s". Returns the
 * length it wanted (as snprintf). */
int base_duration_pbjson(int64_t seconds, int32_t nanos, char *buf, size_t n);

#endif
