/* tables.c: validation of the generated module tables (flrt_module: tasks,
 * their variables' types and offsets, embedded entities) before use. */
#include "config.h"

#include "internal.h"

static int check_type(const flrt_type *t, int depth, struct rt_msg *err)
{
	if (t == NULL)
		return rt_msgf(err, "a variable without a type");
	if (depth > RT_MAX_DEPTH)
		return rt_msgf(err, "a type nested more than %d deep", RT_MAX_DEPTH);
	switch (t->kind) {
	case FLRT_INT: case FLRT_FLOAT: case FLRT_STR: case FLRT_BOOL: case FLRT_DATETIME:
	case FLRT_DURATION: case FLRT_BYTES: case FLRT_FILE: case FLRT_DIR:
		return 0;
	case FLRT_ENUM:
		if (!t->enum_count || t->enum_names == NULL)
			return rt_msgf(err, "enum %s has no members", t->enum_name != NULL ? t->enum_name : "");
		for (size_t i = 0; i < t->enum_count; i++)
			if (t->enum_names[i] == NULL)
				return rt_msgf(err, "enum %s: member %zu has no name",
						t->enum_name != NULL ? t->enum_name : "", i);
		return 0;
	case FLRT_LIST: case FLRT_DICT: case FLRT_OPTIONAL:
		if (t->elem == NULL)
			return rt_msgf(err, "a list, dict or optional type without an element type");
		return check_type(t->elem, depth + 1, err);
	}
	return rt_msgf(err, "unknown type kind %d", (int)t->kind);
}

static int check_vars(const flrt_var *v, size_t n, size_t size, const char *what, struct rt_msg *err)
{
	if (n && v == NULL)
		return rt_msgf(err, "%zu %s but no table", n, what);
	for (size_t i = 0; i < n; i++) {
		if (v[i].name == NULL)
			return rt_msgf(err, "%s %zu has no name", what, i);
		if (check_type(v[i].type, 0, err) < 0)
			return rt_msg_prefix(err, "%s '%s'", what, v[i].name);
		if (v[i].offset > size || flrt_type_size(v[i].type) > size - v[i].offset)
			return rt_msgf(err, "%s '%s' lies outside its struct (offset %zu, size %zu of %zu)",
					what, v[i].name, v[i].offset, flrt_type_size(v[i].type), size);
	}
	return 0;
}

int rt_check_module(const flrt_module *m, struct rt_msg *err)
{
	if (m->ntasks && m->tasks == NULL)
		return rt_msgf(err, "module %s: %zu tasks but no table", m->name != NULL ? m->name : "", m->ntasks);
	for (size_t i = 0; i < m->ntasks; i++) {
		const flrt_task *t = m->tasks[i];
		if (t == NULL || t->name == NULL || (t->invoke == NULL && (t->call == NULL || t->fn == NULL)))
			return rt_msgf(err, "module %s: task %zu has no name or function",
					m->name != NULL ? m->name : "", i);
		if (check_vars(t->inputs, t->ninputs, t->inputs_size, "input", err) < 0 ||
		    check_vars(t->outputs, t->noutputs, t->outputs_size, "output", err) < 0)
			return rt_msg_prefix(err, "task %s", t->name);
	}
	if (m->nentities && m->entities == NULL)
		return rt_msgf(err, "module %s: %zu entities but no table", m->name != NULL ? m->name : "",
				m->nentities);
	for (size_t i = 0; i < m->nentities; i++)
		if (m->entities[i].len && m->entities[i].data == NULL)
			return rt_msgf(err, "entity %zu has no data", i);
	return 0;
}
