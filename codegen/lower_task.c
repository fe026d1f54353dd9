/* lower_task.c: the lowering of a task: its TaskTemplate with metadata,
 * interface and container (argv, resources, env), in an admin.TaskSpec. */
#include "prelude.h"

#include "lower_impl.h"

#include <stdlib.h>
#include <string.h>

Flyteidl__Core__RetryStrategy *fl_lower_retries(struct gen *g, const struct fl_options *o)
{
	Flyteidl__Core__RetryStrategy *r = NEW(g, Flyteidl__Core__RetryStrategy, FLYTEIDL__CORE__RETRY_STRATEGY__INIT);
	if (o->has_retries)
		r->retries = (uint32_t)o->retries;
	return r;
}

Flyteidl__Core__TaskMetadata *fl_lower_task_metadata(struct gen *g, const struct fl_options *o)
{
	Flyteidl__Core__TaskMetadata *md = NEW(g, Flyteidl__Core__TaskMetadata, FLYTEIDL__CORE__TASK_METADATA__INIT);
	md->runtime = NEW(g, Flyteidl__Core__RuntimeMetadata, FLYTEIDL__CORE__RUNTIME_METADATA__INIT);
	md->runtime->type = FLYTEIDL__CORE__RUNTIME_METADATA__RUNTIME_TYPE__FLYTE_SDK;
	md->runtime->version = str(g, PACKAGE_VERSION);
	md->runtime->flavor = str(g, "c");
	if (o->has_timeout)
		md->timeout = fl_lower_duration(g, o->timeout_ns);
	md->retries = fl_lower_retries(g, o);
	if (o->cache != NULL) {
		md->discoverable = true;
		md->discovery_version = str(g, o->cache);
	}
	if (o->has_interruptible) {
		md->interruptible_value_case = FLYTEIDL__CORE__TASK_METADATA__INTERRUPTIBLE_VALUE_INTERRUPTIBLE;
		md->interruptible = o->interruptible;
	}
	md->generates_deck = NEW(g, Google__Protobuf__BoolValue, GOOGLE__PROTOBUF__BOOL_VALUE__INIT);
	md->metadata = NEW(g, Flyteidl__Core__K8sObjectMetadata, FLYTEIDL__CORE__K8S_OBJECT_METADATA__INIT);
	if (o->pod_template_name != NULL)
		md->pod_template_name = str(g, o->pod_template_name);
	return md;
}

/* flytekit's construct_extended_resources (flytekit/core/resources.py):
 * the accelerator's device and partition, shared memory mounted at
 * /dev/shm as "flyte-shared-memory" (flytekit/core/constants.py); NULL
 * when neither is set. */
Flyteidl__Core__ExtendedResources *fl_lower_extended_resources(struct gen *g, const struct fl_options *o)
{
	if (o->accel_device == NULL && !o->has_shared_memory)
		return NULL;
	Flyteidl__Core__ExtendedResources *x = NEW(g, Flyteidl__Core__ExtendedResources, FLYTEIDL__CORE__EXTENDED_RESOURCES__INIT);
	if (o->accel_device != NULL) {
		Flyteidl__Core__GPUAccelerator *a = NEW(g, Flyteidl__Core__GPUAccelerator, FLYTEIDL__CORE__GPUACCELERATOR__INIT);
		a->device = str(g, o->accel_device);
		if (o->accel_partition != NULL) {
			a->partition_size_value_case = FLYTEIDL__CORE__GPUACCELERATOR__PARTITION_SIZE_VALUE_PARTITION_SIZE;
			a->partition_size = str(g, o->accel_partition);
		} else if (o->accel_unpartitioned) {
			a->partition_size_value_case = FLYTEIDL__CORE__GPUACCELERATOR__PARTITION_SIZE_VALUE_UNPARTITIONED;
			a->unpartitioned = true;
		}
		x->gpu_accelerator = a;
	}
	if (o->has_shared_memory) {
		Flyteidl__Core__SharedMemory *m = NEW(g, Flyteidl__Core__SharedMemory, FLYTEIDL__CORE__SHARED_MEMORY__INIT);
		m->mount_path = str(g, "/dev/shm");
		m->mount_name = str(g, "flyte-shared-memory");
		m->size_limit = str(g, o->shared_memory_size != NULL ? o->shared_memory_size : "");
		x->shared_memory = m;
	}
	return x;
}

/* Entries in flytekit's order (flytekit/core/resources.py,
 * _convert_resources_to_resource_entries): CPU, MEMORY, GPU, EPHEMERAL_STORAGE. */
static Flyteidl__Core__Resources__ResourceEntry **resource_entries(struct gen *g, const struct fl_kv *kv, uint32_t n,
								   size_t *count)
{
	static const struct {
		const char *key;
		Flyteidl__Core__Resources__ResourceName name;
	} order[] = {
		{"cpu", FLYTEIDL__CORE__RESOURCES__RESOURCE_NAME__CPU},
		{"mem", FLYTEIDL__CORE__RESOURCES__RESOURCE_NAME__MEMORY},
		{"gpu", FLYTEIDL__CORE__RESOURCES__RESOURCE_NAME__GPU},
		{"ephemeral_storage", FLYTEIDL__CORE__RESOURCES__RESOURCE_NAME__EPHEMERAL_STORAGE},
	};
	Flyteidl__Core__Resources__ResourceEntry **es = fl_alloc(g->a, (n + 1) * sizeof *es);
	size_t k = 0;
	for (size_t i = 0; i < FL_ARRAY_LEN(order); i++) {
		for (uint32_t j = 0; j < n; j++) {
			if (strcmp(kv[j].key, order[i].key) != 0)
				continue;
			Flyteidl__Core__Resources__ResourceEntry *e =
				NEW(g, Flyteidl__Core__Resources__ResourceEntry, FLYTEIDL__CORE__RESOURCES__RESOURCE_ENTRY__INIT);
			e->name = order[i].name;
			e->value = str(g, kv[j].value);
			es[k++] = e;
		}
	}
	*count = k;
	return es;
}

Flyteidl__Core__Resources *fl_lower_resources(struct gen *g, const struct fl_options *o)
{
	Flyteidl__Core__Resources *r = NEW(g, Flyteidl__Core__Resources, FLYTEIDL__CORE__RESOURCES__INIT);
	r->requests = resource_entries(g, o->requests, o->nrequests, &r->n_requests);
	r->limits = resource_entries(g, o->limits, o->nlimits, &r->n_limits);
	return r;
}

/* The container's argv: the task executable and Flyte's placeholders. */
Flyteidl__Core__Container *fl_lower_container(struct gen *g, const struct fl_options *o, const struct fl_entity *te,
					      bool map, const char *bound, bool legacy)
{
	Flyteidl__Core__Container *ct = NEW(g, Flyteidl__Core__Container, FLYTEIDL__CORE__CONTAINER__INIT);
	const char *task = qualified(g, te);
	ct->image = str(g, o->image != NULL ? o->image : fl_lower_image(g, te->module));
	const char *args[24];
	size_t n = 0;
	args[n++] = g->entrypoint;
	args[n++] = map ? "map-execute" : "execute";
	args[n++] = "--inputs";
	args[n++] = "{{.input}}";
	args[n++] = "--output-prefix";
	args[n++] = "{{.outputPrefix}}";
	args[n++] = "--raw-output-data-prefix";
	args[n++] = "{{.rawOutputDataPrefix}}";
	args[n++] = "--checkpoint-path";
	args[n++] = "{{.checkpointOutputPrefix}}";
	args[n++] = "--prev-checkpoint";
	args[n++] = "{{.prevCheckpointPrefix}}";
	args[n++] = "--task";
	args[n++] = task;
	if (map) {
		args[n++] = "--bound";
		args[n++] = bound;
		if (legacy)
			args[n++] = "--legacy";
	}
	ct->n_args = n;
	ct->args = fl_alloc(g->a, n * sizeof *ct->args);
	for (size_t i = 0; i < n; i++)
		ct->args[i] = str(g, args[i]);
	ct->resources = fl_lower_resources(g, o);
	ct->n_env = o->nenv;
	ct->env = fl_alloc(g->a, (o->nenv + 1) * sizeof *ct->env);
	for (uint32_t i = 0; i < o->nenv; i++) {
		ct->env[i] = NEW(g, Flyteidl__Core__KeyValuePair, FLYTEIDL__CORE__KEY_VALUE_PAIR__INIT);
		ct->env[i]->key = str(g, o->env[i].key);
		ct->env[i]->value = str(g, o->env[i].value);
	}
	return ct;
}

Flyteidl__Admin__DescriptionEntity *fl_lower_description(struct gen *g)
{
	Flyteidl__Admin__DescriptionEntity *d =
		NEW(g, Flyteidl__Admin__DescriptionEntity, FLYTEIDL__ADMIN__DESCRIPTION_ENTITY__INIT);
	d->long_description = NEW(g, Flyteidl__Admin__Description, FLYTEIDL__ADMIN__DESCRIPTION__INIT);
	d->long_description->format = FLYTEIDL__ADMIN__DESCRIPTION_FORMAT__DESCRIPTION_FORMAT_RST;
	return d;
}

void fl_lower_task(struct gen *g, const struct fl_entity *e)
{
	const char *name = qualified(g, e);
	if (fl_lower_has(g, FL_ART_TASK, name))
		return;
	Flyteidl__Core__TaskTemplate *t = NEW(g, Flyteidl__Core__TaskTemplate, FLYTEIDL__CORE__TASK_TEMPLATE__INIT);
	t->id = fl_lower_ident(g, FLYTEIDL__CORE__RESOURCE_TYPE__TASK, name);
	t->type = str(g, "container");
	t->metadata = fl_lower_task_metadata(g, &e->opts);
	t->interface = fl_lower_interface(g, &e->sig);
	t->target_case = FLYTEIDL__CORE__TASK_TEMPLATE__TARGET_CONTAINER;
	t->container = fl_lower_container(g, &e->opts, e, false, NULL, false);
	t->extended_resources = fl_lower_extended_resources(g, &e->opts);
	Flyteidl__Admin__TaskSpec *spec = NEW(g, Flyteidl__Admin__TaskSpec, FLYTEIDL__ADMIN__TASK_SPEC__INIT);
	spec->template_ = t;
	spec->description = fl_lower_description(g);
	fl_lower_add(g, FL_ART_TASK, name, &spec->base);
}
