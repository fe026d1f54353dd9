/* lower_map.c: the lowering of maps: the map task (an ArrayNode's task, or
 * the legacy array task with its ArrayJob custom) and the nodes calling a
 * map (flytekit-map-semantics.md §3, §5). The names are names.c's. */
#include "prelude.h"

#include "lower_impl.h"

#include <stdlib.h>
#include <string.h>

#include "jsonstr.h"

/* The options each element of a map runs with: the task's, overridden by
 * the map's per-element options. */
static struct fl_options map_element_options(const struct fl_entity *map)
{
	return fl_merge_options(&map->map.target->opts, &map->map.elem);
}

/* What a float32 field becomes in flytekit's MessageToDict: the shortest
 * decimal that reads back as the same float32 (protobuf's ToShortestFloat),
 * as a double: 0.271828 stays 0.271828, 0.1234567891 becomes 0.12345679. */
static double float32_json(double x)
{
	char buf[32];
	base_shortest_g((double)(float)x, 6, BASE_JSON_FLOAT32, buf, sizeof buf);
	return strtod(buf, NULL);
}

static Google__Protobuf__Value *struct_value(struct gen *g)
{
	return NEW(g, Google__Protobuf__Value, GOOGLE__PROTOBUF__VALUE__INIT);
}

/* A legacy map's custom: the ArrayJob as protobuf JSON, as a Struct. */
static Google__Protobuf__Struct *array_job(struct gen *g, const struct fl_map_info *mi)
{
	Google__Protobuf__Struct *s = NEW(g, Google__Protobuf__Struct, GOOGLE__PROTOBUF__STRUCT__INIT);
	s->fields = fl_alloc(g->a, 2 * sizeof *s->fields);
	/* keys in sorted order: minSuccessRatio, parallelism */
	Google__Protobuf__Struct__FieldsEntry *r =
		NEW(g, Google__Protobuf__Struct__FieldsEntry, GOOGLE__PROTOBUF__STRUCT__FIELDS_ENTRY__INIT);
	r->key = str(g, "minSuccessRatio");
	r->value = struct_value(g);
	r->value->kind_case = GOOGLE__PROTOBUF__VALUE__KIND_NUMBER_VALUE;
	/* the ratio passes through ArrayJob's float32 on its way to flytekit's JSON */
	r->value->number_value = float32_json(mi->has_ratio ? mi->ratio : 1.0);
	s->fields[s->n_fields++] = r;
	if (mi->has_concurrency && mi->concurrency > 0) {
		Google__Protobuf__Struct__FieldsEntry *p =
			NEW(g, Google__Protobuf__Struct__FieldsEntry, GOOGLE__PROTOBUF__STRUCT__FIELDS_ENTRY__INIT);
		p->key = str(g, "parallelism");
		p->value = struct_value(g);
		p->value->kind_case = GOOGLE__PROTOBUF__VALUE__KIND_STRING_VALUE;
		p->value->string_value = fl_sprintf(g->a, "%u", mi->concurrency);
		s->fields[s->n_fields++] = p;
	}
	return s;
}

void fl_lower_map_task(struct gen *g, const struct fl_entity *map)
{
	const char *name = fl_map_task_name(g->a, map);
	const struct fl_map_info *mi = &map->map;
	struct fl_options o = map_element_options(map);
	size_t nb;
	const char **bound = fl_map_bound_names(g->a, map, &nb);
	Flyteidl__Core__TaskTemplate *t = NEW(g, Flyteidl__Core__TaskTemplate, FLYTEIDL__CORE__TASK_TEMPLATE__INIT);
	t->id = fl_lower_ident(g, FLYTEIDL__CORE__RESOURCE_TYPE__TASK, name);
	t->type = str(g, mi->legacy ? "container_array" : "container");
	t->task_type_version = 1;
	t->metadata = fl_lower_task_metadata(g, &o);
	t->interface = fl_lower_interface(g, &map->sig);
	if (mi->legacy)
		t->custom = array_job(g, mi);
	t->target_case = FLYTEIDL__CORE__TASK_TEMPLATE__TARGET_CONTAINER;
	/* carried to the map task, which flytekit leaves out (flyte#7076) */
	t->extended_resources = fl_lower_extended_resources(g, &o);
	t->container = fl_lower_container(g, &o, mi->target, true, fl_join_names(g->a, bound, nb), mi->legacy);
	Flyteidl__Admin__TaskSpec *spec = NEW(g, Flyteidl__Admin__TaskSpec, FLYTEIDL__ADMIN__TASK_SPEC__INIT);
	spec->template_ = t;
	fl_lower_add(g, FL_ART_TASK, name, &spec->base);
}

/* A call of a legacy map: a task node running the array task, with the
 * element options and the call's overrides. */
Flyteidl__Core__Node *fl_lower_legacy_map_node(struct gen *g, const struct fl_wf_node *n, const struct node_parts *p)
{
	const char *name = fl_map_task_name(g->a, n->target);
	struct fl_options elem = map_element_options(n->target);
	struct fl_options o = fl_merge_options(&elem, p->ovr);
	Flyteidl__Core__NodeMetadata *md = fl_lower_node_metadata(g, short_name(name), &o, p->ovr->cache != NULL);
	return fl_lower_task_node(g, p->id, name, md, p, n);
}

/* An ArrayNode's parallelism, success criteria and bound inputs. */
static void array_node_options(struct gen *g, Flyteidl__Core__ArrayNode *an, const struct fl_entity *map)
{
	const struct fl_map_info *mi = &map->map;
	if (mi->has_concurrency) {
		an->parallelism_option_case = FLYTEIDL__CORE__ARRAY_NODE__PARALLELISM_OPTION_PARALLELISM;
		an->parallelism = mi->concurrency;
	}
	if (mi->has_min_successes) {
		an->success_criteria_case = FLYTEIDL__CORE__ARRAY_NODE__SUCCESS_CRITERIA_MIN_SUCCESSES;
		an->min_successes = (uint32_t)mi->min_successes;
	} else {
		an->success_criteria_case = FLYTEIDL__CORE__ARRAY_NODE__SUCCESS_CRITERIA_MIN_SUCCESS_RATIO;
		an->min_success_ratio = mi->has_ratio ? (float)mi->ratio : 1.0f;
	}
	size_t nb;
	const char **bound = fl_map_bound_names(g->a, map, &nb);
	an->n_bound_inputs = nb;
	an->bound_inputs = fl_alloc(g->a, (nb + 1) * sizeof(char *));
	for (size_t i = 0; i < nb; i++)
		an->bound_inputs[i] = str(g, bound[i]);
}

Flyteidl__Core__Node *fl_lower_array_node(struct gen *g, const struct fl_wf_node *n, const struct node_parts *p)
{
	const struct fl_entity *t = n->target;
	const struct fl_options *ovr = p->ovr;
	const char *name = fl_map_task_name(g->a, t);
	Flyteidl__Core__Node *node = NEW(g, Flyteidl__Core__Node, FLYTEIDL__CORE__NODE__INIT);
	node->id = str(g, p->id);
	node->n_inputs = p->nin;
	node->inputs = p->in;
	node->target_case = FLYTEIDL__CORE__NODE__TARGET_ARRAY_NODE;
	Flyteidl__Core__ArrayNode *an = NEW(g, Flyteidl__Core__ArrayNode, FLYTEIDL__CORE__ARRAY_NODE__INIT);
	node->array_node = an;
	struct fl_options none_opts = {0};
	struct fl_options elem = map_element_options(t);
	struct fl_options o = fl_merge_options(&elem, ovr);
	node->metadata = fl_lower_node_metadata(g, name, &none_opts, false);
	Flyteidl__Core__NodeMetadata *md = fl_lower_node_metadata(g, name, &o, ovr->cache != NULL);
	an->node = fl_lower_task_node(g, name, name, md, p, n);
	/* flytekit's ArrayNodeMapTask: the sub-node's interface is the map
	 * task's lifted one */
	an->is_original_sub_node_interface = NEW(g, Google__Protobuf__BoolValue, GOOGLE__PROTOBUF__BOOL_VALUE__INIT);
	an->is_original_sub_node_interface->value = false;
	array_node_options(g, an, t);
	return node;
}
