/* pbwire.h: the protobuf wire walk that runs before protobuf-c unpacks
 * anything, and protobuf-c allocators drawing from an arena.
 *
 * protobuf-c unpacks recursively and trusts the nesting depth, so a crafted
 * file nested deeply would exhaust the stack. The walk follows the
 * descriptor into sub-messages and bounds their depth: the top message is
 * depth 0, and a message entered at a depth above max_depth fails with
 * BASE_PBWIRE_TOO_DEEP (an empty one too).
 *
 * Strict (flags 0; the runtime): every field must be well-formed, the
 * first fault ends the walk with its status and where it was.
 * BASE_PBWIRE_LENIENT (flytec show): a malformed field ends the walk of
 * the message it is in, silently (the parent goes on after it), and field
 * numbers are not checked: protobuf-c then reports the bytes. With
 * BASE_PBWIRE_CHECK_UTF8 the first string field (in walk order) that is not
 * well-formed UTF-8 (base_utf8_valid) is named in e->utf8_field; that is
 * not a failure of the walk.
 *
 * The runtime's limit was 100 and flytec show's 1000: both are kept, as
 * BASE_PBWIRE_MAX_DEPTH (the one default) and the explicit limit flytec
 * show passes (its message names 1000). */
#ifndef BASE_PBWIRE_H
#define BASE_PBWIRE_H

#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "bump.h"

#define BASE_PBWIRE_MAX_DEPTH 100

/* Literals and LiteralTypes sit inside other messages in every file
 * flytec writes and the runtime reads: a launch plan's default is
 * LaunchPlan > LaunchPlanSpec > ParameterMap > entry > Parameter > Literal,
 * a workflow's bound value WorkflowSpec > WorkflowTemplate > Node > Binding
 * > BindingData, a type WorkflowSpec > WorkflowTemplate > TypedInterface >
 * VariableMap > entry > Variable > LiteralType (a sub-workflow one more).
 * BASE_LITERAL_MAX_DEPTH is what remains of BASE_PBWIRE_MAX_DEPTH for the
 * value or type itself: the compiler refuses a declared type whose values
 * (or whose LiteralType) would nest deeper, so that every value a program
 * can have is one the runtime reads. */
#define BASE_LITERAL_ENVELOPE_DEPTH 10
#define BASE_LITERAL_MAX_DEPTH (BASE_PBWIRE_MAX_DEPTH - BASE_LITERAL_ENVELOPE_DEPTH)

enum base_pbwire_flags {
	BASE_PBWIRE_LENIENT = 1,
	BASE_PBWIRE_CHECK_UTF8 = 2,
};

enum base_pbwire_status {
	BASE_PBWIRE_OK = 0,
	BASE_PBWIRE_TOO_DEEP,
	BASE_PBWIRE_TRUNCATED_KEY,    /* at: the byte after the bad key */
	BASE_PBWIRE_BAD_FIELD,        /* field: 0 or above 2^29 - 1 */
	BASE_PBWIRE_TRUNCATED_VARINT,
	BASE_PBWIRE_TRUNCATED_FIXED64,
	BASE_PBWIRE_TRUNCATED_FIXED32,
	BASE_PBWIRE_TRUNCATED_LENGTH,
	BASE_PBWIRE_PAST_END,         /* field, length, left */
	BASE_PBWIRE_BAD_WIRE_TYPE,    /* wire_type */
};

struct base_pbwire_error {
	enum base_pbwire_status status;
	int max_depth;
	size_t at;                    /* offset inside the message being walked */
	uint64_t field, length;
	size_t left;
	unsigned wire_type;
	const char *utf8_field;       /* CHECK_UTF8: the first bad string field, or NULL */
};

/* Walks data[0..len) as a message of type d (NULL: no sub-messages are
 * followed). Returns the status (also in e->status). */
enum base_pbwire_status base_pbwire_check(const ProtobufCMessageDescriptor *d, const uint8_t *data, size_t len,
					  int max_depth, unsigned flags, struct base_pbwire_error *e);

/* The runtime's text for a strict failure ("truncated varint", "messages
 * nested more than 100 deep", "field 3 runs past the end (9 bytes, 2
 * left)", ...), snprintf-truncated into buf[n]. */
void base_pbwire_message(const struct base_pbwire_error *e, char *buf, size_t n);

/* A protobuf-c allocator on the arena (free does nothing; a failure calls
 * the arena's hook, as any allocation). */
ProtobufCAllocator base_pb_allocator(struct base_arena *a);

#endif
