/* select.c: map element selection: element i of the mapped (unbound)
 * inputs of a map task, for map-execute and for the elements of local runs;
 * and the selective decoder map-execute uses, which finds the element in
 * the serialized inputs and decodes only it and the bound inputs. */
#include "config.h"

#include <string.h>

#include "internal.h"
#include "pbwire.h"

int rt_select_element(struct rt_arena *a, const Flyteidl__Core__LiteralMap *in, char *const *bound,
		       size_t nbound, bool strict, size_t index, Flyteidl__Core__LiteralMap **out,
		       struct rt_msg *err)
{
	size_t n = in != NULL ? in->n_literals : 0;
	Flyteidl__Core__LiteralMap *m = rt_litmap_new(a, n);
	if (m == NULL)
		return rt_msgf(err, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const char *k = in->literals[i]->key;
		Flyteidl__Core__Literal *v = in->literals[i]->value;
		bool is_bound = false;
		for (size_t j = 0; j < nbound && !is_bound; j++)
			is_bound = strcmp(bound[j], k) == 0;
		if (!is_bound && v != NULL && v->value_case == LIT(COLLECTION) && v->collection != NULL) {
			size_t len = v->collection->n_literals;
			if (index >= len)
				return rt_msgf(err, "input '%s': index %zu is out of range "
						"(the list has %zu element%s)", k, index, len,
						len == 1 ? "" : "s");
			v = v->collection->literals[index];
		} else if (!is_bound && strict) {
			return rt_msgf(err, "input '%s': expected a list to map over "
					"(it is not a bound input), found %s", k, rt_lit_kind(v));
		}
		rt_litmap_set(m, i, k, v);
	}
	*out = m;
	return 0;
}


/* ---- the selective decoder ---------------------------------------------------------
 * It reads only the plain form of a LiteralMap, every field once: entries
 * of a key and a value, and for an unbound input a Literal holding a
 * collection (and perhaps a hash and metadata, which selection drops as
 * rt_select_element does). Anything else, and anything protobuf-c might
 * read differently, is left to the whole decoding (rt_select_wire returns
 * 1), whose results and errors it then gives, as before. */
enum { WIRE_LEN = 2 };

/* An entry's key and value, each present once and nothing else. */
static bool wire_entry(const uint8_t *p, size_t n, struct base_pbwire_field *key, struct base_pbwire_field *val)
{
	struct base_pbwire_field f;
	bool have_key = false, have_val = false;
	size_t i = 0;
	int rc;
	while ((rc = base_pbwire_next(p, n, &i, &f)) == 1) {
		if (f.wire_type != WIRE_LEN || (f.id != 1 && f.id != 2) || (f.id == 1 ? have_key : have_val))
			return false;
		if (f.id == 1) {
			*key = f;
			have_key = true;
		} else {
			*val = f;
			have_val = true;
		}
	}
	return rc == 0 && have_key && have_val;
}

/* A length-delimited field with key byte `key` spanning exactly p[*i..n):
 * its payload's start in *i. */
static bool exact_field(const uint8_t *p, size_t n, size_t *i, uint8_t key)
{
	uint64_t len;
	if (*i >= n || p[(*i)++] != key || !base_pbwire_varint(p, n, i, &len))
		return false;
	return len == n - *i;
}

/* Whether an element is a Literal holding a scalar holding a primitive
 * integer, float, string or boolean, each field once and nothing else: a
 * message the wire walk and protobuf-c both accept, recognized without
 * the walk (most elements of most lists; 1M of them would take the walk
 * ~0.25 s). */
static bool plain_primitive(const uint8_t *p, size_t n)
{
	size_t i = 0;
	uint64_t v;
	if (!exact_field(p, n, &i, 0x0a) || !exact_field(p, n, &i, 0x0a) || i >= n)
		return false;
	switch (p[i++]) {
	case 0x08: case 0x20:  /* integer, boolean: a varint */
		return base_pbwire_varint(p, n, &i, &v) && i == n;
	case 0x11:  /* float_value: 8 bytes */
		return n - i == 8;
	case 0x1a:  /* string_value */
		return base_pbwire_varint(p, n, &i, &v) && v == n - i;
	default:
		return false;
	}
}

/* Whether p[0..n) is a message of type d, depth levels down, that the
 * whole decoding would accept (the strict walk, no wire type protobuf-c
 * refuses). */
static bool walk_ok(const ProtobufCMessageDescriptor *d, const uint8_t *p, size_t n, int depth)
{
	struct base_pbwire_error e;
	return base_pbwire_check(d, p, n, RT_MAX_DEPTH - depth, BASE_PBWIRE_CHECK_TYPES, &e) == BASE_PBWIRE_OK
	       && e.type_field == NULL;
}

/* Whether the whole decoding accepts an element that is not plain, at
 * depth 4 of the inputs: the walk (for its depth limit, counted from the
 * top) and protobuf-c itself, into scratch (emptied after). */
static bool element_ok(struct rt_arena *scratch, const uint8_t *p, size_t n)
{
	if (!walk_ok(&flyteidl__core__literal__descriptor, p, n, 4))
		return false;
	ProtobufCAllocator al = rt_arena_allocator(scratch);
	void *m = protobuf_c_message_unpack(&flyteidl__core__literal__descriptor, &al, n, p);
	rt_arena_reset(scratch);
	return m != NULL;
}

/* Element `index` of an unbound input's Literal (depth 2) holding a
 * collection alone, and the number of elements, in one pass that also
 * checks every element: plain ones by recognition, the rest by the walk
 * and protobuf-c. False: not in that form, or not accepted. */
static bool wire_element(struct rt_arena *scratch, const uint8_t *p, size_t n, size_t index,
			 struct base_pbwire_field *elem, size_t *count)
{
	struct base_pbwire_field coll;
	size_t i = 0, k = 0;
	if (base_pbwire_next(p, n, &i, &coll) != 1 || coll.id != 2 || coll.wire_type != WIRE_LEN || i != n)
		return false;
	p = coll.data;
	n = coll.len;
	i = 0;
	while (i < n) {
		uint64_t len;
		if (p[i++] != 0x0a || !base_pbwire_varint(p, n, &i, &len) || len > n - i)  /* field 1, length-delimited */
			return false;
		if (!plain_primitive(p + i, (size_t)len) && !element_ok(scratch, p + i, (size_t)len))
			return false;
		if (k++ == index)
			*elem = (struct base_pbwire_field){.id = 1, .wire_type = WIRE_LEN, .data = p + i, .len = (size_t)len};
		i += (size_t)len;
	}
	*count = k;
	return true;
}

/* One entry into m[i]: 0, 1 (decode it all), or -1 with the range error
 * in err (when there was none before: *failed). */
static int select_entry(struct rt_arena *a, struct rt_arena *scratch, const struct base_pbwire_field *entry,
			char *const *bound, size_t nbound, size_t index, Flyteidl__Core__LiteralMap *m, size_t i,
			bool *failed, struct rt_msg *err)
{
	struct base_pbwire_field key = {0}, val = {0}, elem = {0};
	if (!wire_entry(entry->data, entry->len, &key, &val))
		return 1;
	char *k = rt_arena_alloc(a, key.len + 1);
	if (k == NULL)
		return 1;
	memcpy(k, key.data, key.len);
	k[key.len] = '\0';  /* protobuf-c's string: up to a NUL inside, as strcmp reads it */
	bool is_bound = false;
	for (size_t j = 0; j < nbound && !is_bound; j++)
		is_bound = strcmp(bound[j], k) == 0;
	struct rt_msg ignored;
	const struct base_pbwire_field *lit = &val;
	if (!is_bound) {
		size_t len;
		if (!wire_element(scratch, val.data, val.len, index, &elem, &len))
			return 1;
		if (index >= len) {
			if (!*failed)
				rt_msgf(err, "input '%s': index %zu is out of range (the list has %zu element%s)", k, index,
					len, len == 1 ? "" : "s");
			*failed = true;
			return -1;
		}
		lit = &elem;
	} else if (!walk_ok(&flyteidl__core__literal__descriptor, val.data, val.len, 2)) {
		return 1;
	}
	Flyteidl__Core__Literal *v = rt_unpack(a, &flyteidl__core__literal__descriptor, lit->data, lit->len, &ignored);
	if (v == NULL)
		return 1;
	rt_litmap_set(m, i, k, v);
	return 0;
}

int rt_select_wire(struct rt_arena *a, const uint8_t *data, size_t len, char *const *bound, size_t nbound,
		   size_t index, Flyteidl__Core__LiteralMap **out, struct rt_msg *err)
{
	struct base_pbwire_field f;
	size_t i = 0, n = 0;
	int rc;
	while ((rc = base_pbwire_next(data, len, &i, &f)) == 1) {
		if (f.id != 1 || f.wire_type != WIRE_LEN)
			return 1;
		n++;
	}
	if (rc != 0)
		return 1;
	Flyteidl__Core__LiteralMap *m = rt_litmap_new(a, n);
	if (m == NULL)
		return 1;
	struct rt_arena *scratch = rt_arena_new();
	if (scratch == NULL)
		return 1;
	bool failed = false;
	i = 0;
	for (size_t k = 0; base_pbwire_next(data, len, &i, &f) == 1 && rc == 0; k++)
		if (select_entry(a, scratch, &f, bound, nbound, index, m, k, &failed, err) == 1)
			rc = 1;
	rt_arena_free(scratch);
	if (rc != 0)
		return rc;
	if (failed)
		return -1;
	*out = m;
	return 0;
}
