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
 * not a failure of the walk. With BASE_PBWIRE_CHECK_TYPES the first field
 * of the descriptor's whose wire type protobuf-c would refuse to unpack
 * (a string sent as a varint, an int64 as fixed32; a repeated number may
 * also be packed) is named in e->type_field, also not a failure: the
 * selective decoder (runtime/select.c) unpacks only part of a message and
 * needs to know what protobuf-c would have said of the rest.
 *
 * The runtime's limit was 100 and flytec show's 1000: both are kept, as
 * BASE_PBWIRE_MAX_DEPTH (the one default) and the explicit limit flytec
 * show passes (its message names 1000). */
#ifndef BASE_PBWIRE_H
#define BASE_PBWIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "bump.h"

#define BASE_PBWIRE_MAX_DEPTH 100

/* A varint at p[*i..len): its value in *v and *i past it, or false when it
 * is cut short or longer than ten bytes. */
bool base_pbwire_varint(const uint8_t *p, size_t len, size_t *i, uint64_t *v);

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
	BASE_PBWIRE_CHECK_TYPES = 4,
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
	const char *type_field;       /* CHECK_TYPES: the first field of the wrong wire type, or NULL */
};

/* One field of a message, as base_pbwire_next reads it. */
struct base_pbwire_field {
	uint32_t id;
	unsigned wire_type;
	uint64_t varint;              /* wire type 0 */
	const uint8_t *data;          /* wire type 2: the payload; 1 and 5: the bytes */
	size_t len;
};

/* Walks data[0..len) as a message of type d (NULL: no sub-messages are
 * followed). Returns the status (also in e->status). */
enum base_pbwire_status base_pbwire_check(const ProtobufCMessageDescriptor *d, const uint8_t *data, size_t len,
					  int max_depth, unsigned flags, struct base_pbwire_error *e);

/* The field at data[*i] of a message walked before by base_pbwire_check
 * (strict): 1 with *f filled and *i past it, 0 at the end, -1 on a
 * malformed field (which such a walk would have refused). */
int base_pbwire_next(const uint8_t *data, size_t len, size_t *i, struct base_pbwire_field *f);

/* The runtime's text for a strict failure ("truncated varint", "messages
 * nested more than 100 deep", "field 3 runs past the end (9 bytes, 2
 * left)", ...), snprintf-truncated into buf[n]. */
void base_pbwire_message(const struct base_pbwire_error *e, char *buf, size_t n);

/* A protobuf-c allocator on the arena (free does nothing; a failure calls
 * the arena's hook, as any allocation). */
ProtobufCAllocator base_pb_allocator(struct base_arena *a);

#endif
