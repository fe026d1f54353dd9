/* pbwire.c: the bounded, checking walk over protobuf wire bytes. */
#include <config.h>

#include "pbwire.h"

#include <stdbool.h>
#include <stdio.h>

#include "utf8.h"

bool base_pbwire_varint(const uint8_t *p, size_t len, size_t *i, uint64_t *v)
{
	uint64_t r = 0;
	for (unsigned shift = 0; shift < 64; shift += 7) {
		if (*i >= len)
			return false;
		uint8_t b = p[(*i)++];
		r |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = r;
			return true;
		}
	}
	return false;
}

struct walk {
	int max_depth;
	unsigned flags;
	struct base_pbwire_error *e;
};

/* A fault: strict walks stop with it; lenient ones end this message. */
static enum base_pbwire_status fault(struct walk *w, enum base_pbwire_status st)
{
	if (w->flags & BASE_PBWIRE_LENIENT)
		return BASE_PBWIRE_OK;
	w->e->status = st;
	return st;
}

static enum base_pbwire_status walk(struct walk *w, const ProtobufCMessageDescriptor *d, const uint8_t *p,
				    size_t len, int depth);

/* A length-delimited field's payload p[0..n). */
static enum base_pbwire_status payload(struct walk *w, const ProtobufCMessageDescriptor *d, uint64_t id,
				       const uint8_t *p, size_t n, int depth)
{
	const ProtobufCFieldDescriptor *f =
		d != NULL && id <= UINT32_MAX ? protobuf_c_message_descriptor_get_field(d, (unsigned)id) : NULL;
	if (f == NULL)
		return BASE_PBWIRE_OK;
	if (f->type == PROTOBUF_C_TYPE_MESSAGE)
		return walk(w, f->descriptor, p, n, depth + 1);
	if (f->type == PROTOBUF_C_TYPE_STRING && (w->flags & BASE_PBWIRE_CHECK_UTF8) && w->e->utf8_field == NULL
	    && !base_utf8_valid(p, n))
		w->e->utf8_field = f->name;
	return BASE_PBWIRE_OK;
}

/* Whether protobuf-c unpacks field f sent with wire type wt. */
static bool wire_type_fits(const ProtobufCFieldDescriptor *f, unsigned wt)
{
	unsigned want;
	switch (f->type) {
	case PROTOBUF_C_TYPE_INT32: case PROTOBUF_C_TYPE_SINT32: case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64: case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_BOOL: case PROTOBUF_C_TYPE_ENUM:
		want = 0;
		break;
	case PROTOBUF_C_TYPE_FIXED64: case PROTOBUF_C_TYPE_SFIXED64: case PROTOBUF_C_TYPE_DOUBLE:
		want = 1;
		break;
	case PROTOBUF_C_TYPE_FIXED32: case PROTOBUF_C_TYPE_SFIXED32: case PROTOBUF_C_TYPE_FLOAT:
		want = 5;
		break;
	default:
		return wt == 2;  /* strings, bytes, messages */
	}
	return wt == want || (wt == 2 && f->label == PROTOBUF_C_LABEL_REPEATED);
}

static void check_type(struct walk *w, const ProtobufCMessageDescriptor *d, uint64_t id, unsigned wt)
{
	if (!(w->flags & BASE_PBWIRE_CHECK_TYPES) || w->e->type_field != NULL || d == NULL || id > UINT32_MAX)
		return;
	const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field(d, (unsigned)id);
	if (f != NULL && !wire_type_fits(f, wt))
		w->e->type_field = f->name;
}

static enum base_pbwire_status walk(struct walk *w, const ProtobufCMessageDescriptor *d, const uint8_t *p,
				    size_t len, int depth)
{
	struct base_pbwire_error *e = w->e;
	if (depth > w->max_depth) {
		e->status = BASE_PBWIRE_TOO_DEEP;
		return e->status;
	}
	size_t i = 0;
	while (i < len) {
		uint64_t key, v;
		if (!base_pbwire_varint(p, len, &i, &key)) {
			e->at = i;
			return fault(w, BASE_PBWIRE_TRUNCATED_KEY);
		}
		uint64_t id = key >> 3;
		unsigned wt = (unsigned)(key & 7);
		if (!(w->flags & BASE_PBWIRE_LENIENT) && (id == 0 || id > 536870911u)) {
			e->field = id;
			return fault(w, BASE_PBWIRE_BAD_FIELD);
		}
		check_type(w, d, id, wt);
		switch (wt) {
		case 0:
			if (!base_pbwire_varint(p, len, &i, &v))
				return fault(w, BASE_PBWIRE_TRUNCATED_VARINT);
			break;
		case 1:
			if (len - i < 8)
				return fault(w, BASE_PBWIRE_TRUNCATED_FIXED64);
			i += 8;
			break;
		case 5:
			if (len - i < 4)
				return fault(w, BASE_PBWIRE_TRUNCATED_FIXED32);
			i += 4;
			break;
		case 2: {
			if (!base_pbwire_varint(p, len, &i, &v))
				return fault(w, BASE_PBWIRE_TRUNCATED_LENGTH);
			if (v > len - i) {
				e->field = id;
				e->length = v;
				e->left = len - i;
				return fault(w, BASE_PBWIRE_PAST_END);
			}
			enum base_pbwire_status st = payload(w, d, id, p + i, (size_t)v, depth);
			if (st != BASE_PBWIRE_OK)
				return st;
			i += (size_t)v;
			break;
		}
		default:
			e->wire_type = wt;
			return fault(w, BASE_PBWIRE_BAD_WIRE_TYPE);
		}
	}
	return BASE_PBWIRE_OK;
}

enum base_pbwire_status base_pbwire_check(const ProtobufCMessageDescriptor *d, const uint8_t *data, size_t len,
					  int max_depth, unsigned flags, struct base_pbwire_error *e)
{
	*e = (struct base_pbwire_error){.status = BASE_PBWIRE_OK, .max_depth = max_depth};
	struct walk w = {max_depth, flags, e};
	return walk(&w, d, data, len, 0);
}

int base_pbwire_next(const uint8_t *data, size_t len, size_t *i, struct base_pbwire_field *f)
{
	uint64_t key, v;
	if (*i >= len)
		return 0;
	if (!base_pbwire_varint(data, len, i, &key) || key >> 3 == 0 || key >> 3 > 536870911u)
		return -1;
	*f = (struct base_pbwire_field){.id = (uint32_t)(key >> 3), .wire_type = (unsigned)(key & 7)};
	switch (f->wire_type) {
	case 0:
		if (!base_pbwire_varint(data, len, i, &f->varint))
			return -1;
		return 1;
	case 1: case 5:
		f->len = f->wire_type == 1 ? 8 : 4;
		if (len - *i < f->len)
			return -1;
		break;
	case 2:
		if (!base_pbwire_varint(data, len, i, &v) || v > len - *i)
			return -1;
		f->len = (size_t)v;
		break;
	default:
		return -1;
	}
	f->data = data + *i;
	*i += f->len;
	return 1;
}

void base_pbwire_message(const struct base_pbwire_error *e, char *buf, size_t n)
{
	switch (e->status) {
	case BASE_PBWIRE_OK: snprintf(buf, n, "ok"); break;
	case BASE_PBWIRE_TOO_DEEP: snprintf(buf, n, "messages nested more than %d deep", e->max_depth); break;
	case BASE_PBWIRE_TRUNCATED_KEY: snprintf(buf, n, "truncated field key at byte %zu", e->at); break;
	case BASE_PBWIRE_BAD_FIELD:
		snprintf(buf, n, "invalid field number %llu", (unsigned long long)e->field);
		break;
	case BASE_PBWIRE_TRUNCATED_VARINT: snprintf(buf, n, "truncated varint"); break;
	case BASE_PBWIRE_TRUNCATED_FIXED64: snprintf(buf, n, "truncated fixed64"); break;
	case BASE_PBWIRE_TRUNCATED_FIXED32: snprintf(buf, n, "truncated fixed32"); break;
	case BASE_PBWIRE_TRUNCATED_LENGTH: snprintf(buf, n, "truncated length"); break;
	case BASE_PBWIRE_PAST_END:
		snprintf(buf, n, "field %llu runs past the end (%llu bytes, %zu left)", (unsigned long long)e->field,
			 (unsigned long long)e->length, e->left);
		break;
	case BASE_PBWIRE_BAD_WIRE_TYPE: snprintf(buf, n, "invalid wire type %u", e->wire_type); break;
	}
}

static void *pb_alloc(void *data, size_t size)
{
	return base_arena_alloc(data, size);
}

static void pb_free(void *data, void *p)
{
	(void)data;
	(void)p;
}

ProtobufCAllocator base_pb_allocator(struct base_arena *a)
{
	ProtobufCAllocator al = {pb_alloc, pb_free, a};
	return al;
}
