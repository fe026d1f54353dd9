/* json.c: protobuf's canonical JSON mapping for any protobuf-c message,
 * driven by its descriptor: lowerCamelCase names, fields at their default
 * omitted (oneof members and set sub-messages always shown), enums by
 * name, 64-bit integers as strings, bytes in base64, map fields as
 * objects, and the well-known types in their special forms. */
#include "prelude.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "codegen.h"
#include "base64.h"
#include "civil.h"
#include "ctx.h"
#include "duration.h"
#include "jsonstr.h"

static void value(struct base_buf *out, const ProtobufCFieldDescriptor *f, const void *p, int indent);
static void message(struct base_buf *out, const ProtobufCMessage *m, int indent);

static void newline(struct base_buf *out, int indent)
{
	base_buf_putc(out, '\n');
	for (int i = 0; i < indent; i++)
		base_buf_puts(out, "  ");
}

static void camel(struct base_buf *out, const char *name)
{
	base_buf_putc(out, '"');
	bool up = false;
	for (const char *p = name; *p; p++) {
		if (*p == '_') {
			up = true;
			continue;
		}
		base_buf_putc(out, up && *p >= 'a' && *p <= 'z' ? (char)(*p - 'a' + 'A') : *p);
		up = false;
	}
	base_buf_putc(out, '"');
}

static bool is_map_entry(const ProtobufCMessageDescriptor *d)
{
	size_t n = strlen(d->name);
	return d->n_fields == 2 && n > 5 && strcmp(d->name + n - 5, "Entry") == 0
	       && strcmp(d->fields[0].name, "key") == 0 && strcmp(d->fields[1].name, "value") == 0;
}

static const char *wkt(const ProtobufCMessageDescriptor *d)
{
	return strncmp(d->name, "google.protobuf.", 16) == 0 ? d->name + 16 : NULL;
}

/* A Duration ("1.5s") or a Timestamp (RFC 3339 in UTC). */
static void time_json(struct base_buf *out, const ProtobufCMessage *m, bool duration)
{
	const char *base = (const char *)m;
	int64_t secs = *(const int64_t *)(base + m->descriptor->fields[0].offset);
	int32_t nanos = *(const int32_t *)(base + m->descriptor->fields[1].offset);
	char buf[64];
	if (duration)
		base_duration_pbjson(secs, nanos, buf, sizeof buf);
	else
		base_rfc3339_format(secs, nanos, 0, buf, sizeof buf);
	base_buf_printf(out, "\"%s\"", buf);
}

/* A Struct (an object of its fields map) or a ListValue (an array of its
 * values): one repeated field. */
static void struct_json(struct base_buf *out, const ProtobufCMessage *m, bool obj, int indent)
{
	const char *base = (const char *)m;
	const ProtobufCFieldDescriptor *f = &m->descriptor->fields[0];
	size_t n = *(const size_t *)(base + f->quantifier_offset);
	void *const *items = *(void *const *const *)(base + f->offset);
	base_buf_putc(out, obj ? '{' : '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			base_buf_putc(out, ',');
		newline(out, indent + 1);
		const ProtobufCMessage *e = items[i];
		if (obj) {
			const char *key = *(char *const *)((const char *)e + e->descriptor->fields[0].offset);
			base_json_string(out, key, strlen(key), BASE_JSON_ESCAPE_DEL);
			base_buf_puts(out, ": ");
			const ProtobufCMessage *v = *(ProtobufCMessage *const *)((const char *)e + e->descriptor->fields[1].offset);
			if (v != NULL)
				message(out, v, indent + 1);
			else
				base_buf_puts(out, "null");
		} else {
			message(out, e, indent + 1);
		}
	}
	if (n)
		newline(out, indent);
	base_buf_putc(out, obj ? '}' : ']');
}

/* A Value: the one field set, or null. */
static void value_json(struct base_buf *out, const ProtobufCMessage *m, int indent)
{
	const char *base = (const char *)m;
	const ProtobufCMessageDescriptor *d = m->descriptor;
	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		if (*(const uint32_t *)(base + f->quantifier_offset) != f->id)
			continue;
		if (strcmp(f->name, "null_value") == 0)
			base_buf_puts(out, "null");
		else
			value(out, f, base + f->offset, indent);
		return;
	}
	base_buf_puts(out, "null");
}

/* The well-known types: true when printed. */
static bool well_known(struct base_buf *out, const ProtobufCMessage *m, int indent)
{
	const char *w = wkt(m->descriptor);
	if (w == NULL)
		return false;
	if (strcmp(w, "Timestamp") == 0 || strcmp(w, "Duration") == 0) {
		time_json(out, m, w[0] == 'D');
		return true;
	}
	if (strcmp(w, "Struct") == 0 || strcmp(w, "ListValue") == 0) {
		struct_json(out, m, w[0] == 'S', indent);
		return true;
	}
	if (strcmp(w, "Value") == 0) {
		value_json(out, m, indent);
		return true;
	}
	if (strstr(w, "Value") != NULL && m->descriptor->n_fields == 1) {
		/* BoolValue, StringValue, Int64Value, ...: the bare value */
		const ProtobufCFieldDescriptor *f = &m->descriptor->fields[0];
		value(out, f, (const char *)m + f->offset, indent);
		return true;
	}
	return false;
}

static void value(struct base_buf *out, const ProtobufCFieldDescriptor *f, const void *p, int indent)
{
	switch (f->type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
		base_buf_printf(out, "%" PRId32, *(const int32_t *)p);
		break;
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
		base_buf_printf(out, "%" PRIu32, *(const uint32_t *)p);
		break;
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
		base_buf_printf(out, "\"%" PRId64 "\"", *(const int64_t *)p);
		break;
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		base_buf_printf(out, "\"%" PRIu64 "\"", *(const uint64_t *)p);
		break;
	case PROTOBUF_C_TYPE_FLOAT:
		base_json_double(out, (double)*(const float *)p, 1, BASE_JSON_FLOAT32);
		break;
	case PROTOBUF_C_TYPE_DOUBLE:
		base_json_double(out, *(const double *)p, 1, 0);
		break;
	case PROTOBUF_C_TYPE_BOOL:
		base_buf_puts(out, *(const protobuf_c_boolean *)p ? "true" : "false");
		break;
	case PROTOBUF_C_TYPE_ENUM: {
		const ProtobufCEnumValue *ev =
			protobuf_c_enum_descriptor_get_value(f->descriptor, *(const int *)p);
		if (ev != NULL)
			base_json_string(out, ev->name, strlen(ev->name), BASE_JSON_ESCAPE_DEL);
		else
			base_buf_printf(out, "%d", *(const int *)p);
		break;
	}
	case PROTOBUF_C_TYPE_STRING: {
		const char *s = *(char *const *)p;
		base_json_string(out, s ? s : "", s ? strlen(s) : 0, BASE_JSON_ESCAPE_DEL);
		break;
	}
	case PROTOBUF_C_TYPE_BYTES: {
		const ProtobufCBinaryData *b = p;
		size_t len = base_base64_len(b->len);
		base_buf_putc(out, '"');
		base_buf_reserve(out, len);
		base_base64_encode(out->data + out->len, b->data, b->len);
		out->len += len;
		base_buf_putc(out, '"');
		break;
	}
	case PROTOBUF_C_TYPE_MESSAGE: {
		const ProtobufCMessage *m = *(ProtobufCMessage *const *)p;
		if (m == NULL)
			base_buf_puts(out, "null");
		else
			message(out, m, indent);
		break;
	}
	}
}

static bool is_default(const ProtobufCFieldDescriptor *f, const void *p)
{
	switch (f->type) {
	case PROTOBUF_C_TYPE_INT32: case PROTOBUF_C_TYPE_SINT32: case PROTOBUF_C_TYPE_SFIXED32:
	case PROTOBUF_C_TYPE_UINT32: case PROTOBUF_C_TYPE_FIXED32: case PROTOBUF_C_TYPE_ENUM:
		return *(const uint32_t *)p == 0;
	case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64: case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_UINT64: case PROTOBUF_C_TYPE_FIXED64:
		return *(const uint64_t *)p == 0;
	case PROTOBUF_C_TYPE_FLOAT:
		return *(const float *)p == 0.0f;
	case PROTOBUF_C_TYPE_DOUBLE:
		return *(const double *)p == 0.0;
	case PROTOBUF_C_TYPE_BOOL:
		return !*(const protobuf_c_boolean *)p;
	case PROTOBUF_C_TYPE_STRING: {
		const char *s = *(char *const *)p;
		return s == NULL || s[0] == '\0';
	}
	case PROTOBUF_C_TYPE_BYTES:
		return ((const ProtobufCBinaryData *)p)->len == 0;
	case PROTOBUF_C_TYPE_MESSAGE:
		return *(ProtobufCMessage *const *)p == NULL;
	}
	return true;
}

static size_t field_size(const ProtobufCFieldDescriptor *f)
{
	switch (f->type) {
	case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64: case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_UINT64: case PROTOBUF_C_TYPE_FIXED64:
		return 8;
	case PROTOBUF_C_TYPE_DOUBLE:
		return sizeof(double);
	case PROTOBUF_C_TYPE_BOOL:
		return sizeof(protobuf_c_boolean);
	case PROTOBUF_C_TYPE_STRING: case PROTOBUF_C_TYPE_MESSAGE:
		return sizeof(void *);
	case PROTOBUF_C_TYPE_BYTES:
		return sizeof(ProtobufCBinaryData);
	default:
		return 4;
	}
}

static void message(struct base_buf *out, const ProtobufCMessage *m, int indent)
{
	if (well_known(out, m, indent))
		return;
	const ProtobufCMessageDescriptor *d = m->descriptor;
	const char *base = (const char *)m;
	bool any = false;
	base_buf_putc(out, '{');
	/* protoc-c sorts a descriptor's fields by number: the order protobuf's printers use */
	for (unsigned k = 0; k < d->n_fields; k++) {
		const ProtobufCFieldDescriptor *f = &d->fields[k];
		const void *p = base + f->offset;
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t n = *(const size_t *)(base + f->quantifier_offset);
			if (n == 0)
				continue;
			base_buf_puts(out, any ? "," : "");
			newline(out, indent + 1);
			camel(out, f->name);
			base_buf_puts(out, ": ");
			const char *items = *(char *const *)p;
			bool map = f->type == PROTOBUF_C_TYPE_MESSAGE
				   && is_map_entry((const ProtobufCMessageDescriptor *)f->descriptor);
			base_buf_putc(out, map ? '{' : '[');
			for (size_t i = 0; i < n; i++) {
				if (i)
					base_buf_putc(out, ',');
				newline(out, indent + 2);
				if (map) {
					const ProtobufCMessage *e = ((ProtobufCMessage *const *)items)[i];
					const ProtobufCMessageDescriptor *ed = e->descriptor;
					const char *eb = (const char *)e;
					const ProtobufCFieldDescriptor *kf = &ed->fields[0], *vf = &ed->fields[1];
					if (kf->type == PROTOBUF_C_TYPE_STRING) {
						value(out, kf, eb + kf->offset, indent + 2);
					} else {
						base_buf_putc(out, '"');
						struct base_buf tmp;
						base_buf_init(&tmp, out->arena);
						value(&tmp, kf, eb + kf->offset, 0);
						base_buf_puts(out, tmp.data[0] == '"' ? "" : tmp.data);
						base_buf_putc(out, '"');
					}
					base_buf_puts(out, ": ");
					value(out, vf, eb + vf->offset, indent + 2);
				} else {
					value(out, f, items + i * field_size(f), indent + 2);
				}
			}
			newline(out, indent + 1);
			base_buf_putc(out, map ? '}' : ']');
			any = true;
			continue;
		}
		if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
			if (*(const uint32_t *)(base + f->quantifier_offset) != f->id)
				continue;
		} else if (f->label == PROTOBUF_C_LABEL_OPTIONAL && f->type != PROTOBUF_C_TYPE_MESSAGE
			   && f->type != PROTOBUF_C_TYPE_STRING && f->type != PROTOBUF_C_TYPE_BYTES) {
			if (!*(const protobuf_c_boolean *)(base + f->quantifier_offset))
				continue;
		} else if (is_default(f, p)) {
			continue;
		}
		base_buf_puts(out, any ? "," : "");
		newline(out, indent + 1);
		camel(out, f->name);
		base_buf_puts(out, ": ");
		value(out, f, p, indent + 1);
		any = true;
	}
	if (any)
		newline(out, indent);
	base_buf_putc(out, '}');
}

void fl_json_message(struct base_buf *out, const ProtobufCMessage *m, int indent)
{
	message(out, m, indent);
}

void fl_package_json(struct base_buf *out, const struct fl_package *p)
{
	base_buf_putc(out, '{');
	for (uint32_t i = 0; i < p->n; i++) {
		base_buf_puts(out, i ? ",\n  " : "\n  ");
		base_json_string(out, p->items[i].file, strlen(p->items[i].file), BASE_JSON_ESCAPE_DEL);
		base_buf_puts(out, ": ");
		message(out, p->items[i].msg, 1);
	}
	base_buf_puts(out, p->n ? "\n}\n" : "}\n");
}

struct print_call {
	FILE *out;
	const struct fl_package *p;
};

static int print_body(struct fl_ctx *c, void *arg)
{
	struct print_call *call = arg;
	struct base_buf b;
	base_buf_init(&b, fl_arena_core(c->arena));
	fl_package_json(&b, call->p);
	fwrite(b.data, 1, b.len, call->out);
	return 0;
}

void fl_package_print_json(struct fl_ctx *c, FILE *out, const struct fl_package *p)
{
	struct print_call call = {out, p};
	fl_protect(c, print_body, &call);
}
