/* options.c: task options, map options and `with { }` overrides: which
 * option goes where, their values, resources (Kubernetes quantities, whole
 * GPUs), and requests against limits across the blocks that make a
 * container's resources (flyteadmin's task_validator.go). */
#include "prelude.h"

#include "check_impl.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

bool fl_quantity_parse(const char *s, double *value)
{
	/* <number><suffix>: number is digits with an optional fraction; the
	 * suffix is a binary (Ki Mi Gi Ti Pi Ei) or decimal (n u m k M G T P E)
	 * multiplier or a decimal exponent (e3). */
	const char *p = s;
	if (*p == '+')
		p++;
	const char *num = p;
	while ((*p >= '0' && *p <= '9') || *p == '.')
		p++;
	if (p == num || (p - num == 1 && *num == '.'))
		return false;
	int dots = 0;
	for (const char *q = num; q < p; q++)
		dots += *q == '.';
	if (dots > 1)
		return false;
	/* the digits alone: strtod would also take an exponent ("1e3") */
	char digits[64];
	if ((size_t)(p - num) >= sizeof digits)
		return false;
	memcpy(digits, num, (size_t)(p - num));
	digits[p - num] = '\0';
	double v = strtod(digits, NULL);
	static const struct { const char *suf; double mul; } sufs[] = {
		{"", 1}, {"Ki", 1024.0}, {"Mi", 1048576.0}, {"Gi", 1073741824.0}, {"Ti", 1099511627776.0},
		{"Pi", 1125899906842624.0}, {"Ei", 1152921504606846976.0}, {"n", 1e-9}, {"u", 1e-6},
		{"m", 1e-3}, {"k", 1e3}, {"M", 1e6}, {"G", 1e9}, {"T", 1e12}, {"P", 1e15}, {"E", 1e18},
	};
	for (size_t i = 0; i < FL_ARRAY_LEN(sufs); i++) {
		if (strcmp(p, sufs[i].suf) == 0) {
			*value = v * sufs[i].mul;
			return true;
		}
	}
	/* an exponent is a sign and digits, nothing else (strtol would skip spaces) */
	const char *ed = p + 1 + (p[1] == '+' || p[1] == '-');
	if ((*p == 'e' || *p == 'E') && *ed >= '0' && *ed <= '9') {
		char *end;
		long ex = strtol(p + 1, &end, 10);
		if (*end == '\0' && ex > -30 && ex < 30) {
			*value = v * pow(10.0, (double)ex);
			return true;
		}
	}
	return false;
}

static const struct {
	const char *name;
	unsigned where;
} option_names[] = {
	{"retries", OPT_TASK | OPT_MAP | OPT_WITH},
	{"timeout", OPT_TASK | OPT_MAP | OPT_WITH},
	{"cache", OPT_TASK | OPT_MAP | OPT_WITH},
	{"interruptible", OPT_TASK | OPT_MAP | OPT_WITH},
	{"requests", OPT_TASK | OPT_MAP | OPT_WITH},
	{"limits", OPT_TASK | OPT_MAP | OPT_WITH},
	{"env", OPT_TASK | OPT_MAP},
	{"image", OPT_TASK | OPT_MAP | OPT_WITH},
	/* TaskNodeOverrides holds extended_resources but no pod template name */
	{"pod_template_name", OPT_TASK | OPT_MAP},
	{"accelerator", OPT_TASK | OPT_MAP | OPT_WITH},
	{"shared_memory", OPT_TASK | OPT_MAP | OPT_WITH},
	{"concurrency", OPT_MAP},
	{"min_success_ratio", OPT_MAP},
	{"min_successes", OPT_MAP},
	{"legacy", OPT_MAP},
};

static const char *const resource_keys[] = {"cpu", "mem", "gpu", "ephemeral_storage"};

/* The text of one value of a string record (a quantity's digits for an
 * int), or NULL after reporting. */
static const char *record_value(struct checker *k, const struct fl_node *val, const char *opt, const char *key,
				bool quantities)
{
	const char *text;
	if (val->kind == FL_STRING && !fl_nul_free(k, val)) {
		return NULL;
	} else if (val->kind == FL_STRING) {
		text = val->str.bytes;
	} else if (quantities && val->kind == FL_INT && val->ival >= 0) {
		text = fl_sprintf(k->a, "%" PRId64, val->ival);
	} else {
		fl_error(k->c, val->loc, "%s.%s takes a string%s, not %s", opt, key,
			 quantities ? " (a quantity such as \"500m\" or \"1Gi\")" : "", fl_literal_kind(val));
		return NULL;
	}
	double q;
	if (quantities && !fl_quantity_parse(text, &q)) {
		fl_error(k->c, val->loc, "'%s' is not a resource quantity (examples: \"500m\", \"2\", \"256Mi\", \"1Gi\")",
			 text);
		return NULL;
	}
	if (quantities && strcmp(key, "gpu") == 0 && q != floor(q)) {
		/* flyteadmin's requestedResourcesToQuantity: isWholeNumber */
		fl_error(k->c, val->loc, "%s.gpu must be a whole number of GPUs, not '%s'", opt, text);
		return NULL;
	}
	return text;
}

/* A record `{ key = "value", ... }` of strings (or ints, for quantities). */
static struct fl_kv *string_record(struct checker *k, const struct fl_node *v, const char *opt, bool quantities,
				   uint32_t *count)
{
	*count = 0;
	if (v->kind == FL_DICT && v->list.count == 0)
		return NULL;
	if (v->kind != FL_RECORD && v->kind != FL_DICT) {
		fl_error(k->c, v->loc, "%s takes a record, as in %s = { %s }", opt, opt,
			 quantities ? "cpu = \"500m\", mem = \"1Gi\"" : "NAME = \"value\"");
		return NULL;
	}
	struct fl_kv *kv = fl_zalloc(k->a, (v->list.count + 1) * sizeof *kv);
	uint32_t n = 0;
	for (const struct fl_node *f = v->list.head; f != NULL; f = f->next) {
		const char *key;
		const struct fl_node *val;
		struct fl_loc key_loc;
		if (f->kind == FL_BINDING) {
			key = f->binding.name.str;
			key_loc = f->binding.name.loc;
			val = f->binding.value;
		} else {
			if (f->pair.key->kind != FL_STRING || f->pair.key->str.len == 0) {
				fl_error(k->c, f->pair.key->loc, "%s keys must be non-empty strings", opt);
				continue;
			}
			if (!fl_nul_free(k, f->pair.key))
				continue;
			key = f->pair.key->str.bytes;
			key_loc = f->pair.key->loc;
			val = f->pair.value;
		}
		bool dup = false;
		for (uint32_t i = 0; i < n; i++)
			dup |= strcmp(kv[i].key, key) == 0;
		if (dup) {
			fl_error(k->c, key_loc, "%s gives '%s' twice", opt, key);
			continue;
		}
		if (quantities) {
			bool known = false;
			for (size_t i = 0; i < FL_ARRAY_LEN(resource_keys); i++)
				known |= strcmp(key, resource_keys[i]) == 0;
			if (!known) {
				fl_error(k->c, key_loc, "unknown resource '%s' (the resources are cpu, mem, gpu, ephemeral_storage)%s",
					 key, fl_suggest_words(k, key, resource_keys, FL_ARRAY_LEN(resource_keys)));
				continue;
			}
		}
		const char *text = record_value(k, val, opt, key, quantities);
		if (text == NULL)
			continue;
		kv[n].key = key;
		kv[n].value = text;
		kv[n].loc = val->loc;
		n++;
	}
	*count = n;
	return kv;
}

/* An option not taken where it is given: says where it belongs. */
static void reject_option(struct checker *k, const struct fl_node *b, unsigned where, unsigned allowed)
{
	const char *name = b->binding.name.str;
	const char *cands[FL_ARRAY_LEN(option_names)];
	size_t nc = 0;
	for (size_t i = 0; i < FL_ARRAY_LEN(option_names); i++)
		if (option_names[i].where & where)
			cands[nc++] = option_names[i].name;
	const char *place = where == OPT_TASK ? "a task" : where == OPT_MAP ? "a map" : "with { }";
	if (allowed == OPT_MAP)
		fl_error(k->c, b->binding.name.loc, "'%s' is not an option of %s; it is a map option, as in map(t, %s=...)",
			 name, place, name);
	else if (allowed != 0)
		fl_error(k->c, b->binding.name.loc, "'%s' is not an option of %s; set it on the task or the map", name,
			 place);
	else
		fl_error(k->c, b->binding.name.loc, "unknown option '%s'%s", name, fl_suggest_words(k, name, cands, nc));
}

/* A Kubernetes object name (a PodTemplate's): a DNS-1123 subdomain, at most
 * 253 lowercase letters, digits, '-' and '.', starting and ending with a
 * letter or digit (k8s.io/apimachinery IsDNS1123Subdomain). */
static bool k8s_name(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
		if (!alnum && ((ch != '-' && ch != '.') || i == 0 || i == n - 1))
			return false;
	}
	return true;
}

/* accelerator = "device" or { device = "...", partition_size = "..." }
 * or { device = "...", unpartitioned = true }: flytekit's GPUAccelerator
 * and MultiInstanceGPUAccelerator (flytekit/extras/accelerators.py). */
static void read_accelerator(struct checker *k, const struct fl_node *v, struct fl_options *o)
{
	static const char *const usage = "accelerator takes a device name (\"nvidia-l4\") or a record "
					 "{ device = \"nvidia-tesla-a100\", partition_size = \"1g.5gb\" }";
	if (v->kind == FL_STRING) {
		if (v->str.len == 0 || !fl_nul_free(k, v))
			fl_error(k->c, v->loc, "%s", usage);
		else
			o->accel_device = v->str.bytes;
		return;
	}
	if (v->kind != FL_RECORD) {
		fl_error(k->c, v->loc, "%s", usage);
		return;
	}
	const char *device = NULL, *partition = NULL;
	bool unpartitioned = false, ok = true;
	const struct fl_node *part_node = NULL;
	for (const struct fl_node *f = v->list.head; f != NULL; f = f->next) {
		const char *key = f->binding.name.str;
		const struct fl_node *val = f->binding.value;
		if (strcmp(key, "device") == 0 || strcmp(key, "partition_size") == 0) {
			if (val->kind != FL_STRING || val->str.len == 0 || !fl_nul_free(k, val)) {
				fl_error(k->c, val->loc, "accelerator.%s takes a non-empty string", key);
				ok = false;
			} else if (key[0] == 'd') {
				device = val->str.bytes;
			} else {
				partition = val->str.bytes, part_node = f;
			}
		} else if (strcmp(key, "unpartitioned") == 0) {
			if (val->kind != FL_BOOL) {
				fl_error(k->c, val->loc, "accelerator.unpartitioned takes true or false");
				ok = false;
			} else {
				unpartitioned = val->bval;
				if (unpartitioned)
					part_node = part_node != NULL ? part_node : f;
			}
		} else {
			static const char *const keys[] = {"device", "partition_size", "unpartitioned"};
			fl_error(k->c, f->binding.name.loc, "unknown accelerator field '%s' (the fields are device, "
				 "partition_size, unpartitioned)%s", key, fl_suggest_words(k, key, keys, 3));
			ok = false;
		}
	}
	if (ok && device == NULL) {
		fl_error(k->c, v->loc, "accelerator needs a device, as in { device = \"nvidia-tesla-a100\" }");
		ok = false;
	}
	if (ok && partition != NULL && unpartitioned) {
		/* GPUAccelerator's oneof partition_size_value */
		fl_error(k->c, part_node->loc, "give accelerator.partition_size or unpartitioned = true, not both "
			 "(one oneof field of GPUAccelerator)");
		ok = false;
	}
	if (ok) {
		o->accel_device = device;
		o->accel_partition = partition;
		o->accel_unpartitioned = unpartitioned;
	}
}

/* The options Flyte keeps in TaskMetadata.pod_template_name and in
 * ExtendedResources. False: not one of them. */
static bool read_pod_option(struct checker *k, const char *name, const struct fl_node *v, struct fl_options *o)
{
	if (strcmp(name, "pod_template_name") == 0) {
		if (v->kind != FL_STRING || !fl_nul_free(k, v) || !k8s_name(v->str.bytes))
			fl_error(k->c, v->loc, "pod_template_name takes the name of a PodTemplate: lowercase letters, "
				 "digits, '-' and '.', at most 253, as in \"gpu-pod\"");
		else
			o->pod_template_name = v->str.bytes;
	} else if (strcmp(name, "accelerator") == 0) {
		read_accelerator(k, v, o);
	} else if (strcmp(name, "shared_memory") == 0) {
		double q;
		if (v->kind == FL_BOOL && v->bval)
			o->has_shared_memory = true, o->shared_memory_size = NULL;
		else if (v->kind == FL_STRING && fl_nul_free(k, v) && fl_quantity_parse(v->str.bytes, &q))
			o->has_shared_memory = true, o->shared_memory_size = v->str.bytes;
		else
			fl_error(k->c, v->loc, "shared_memory takes true (as large as the container's memory) or a "
				 "size, as in \"2Gi\"");
	} else {
		return false;
	}
	return true;
}

/* The options of tasks (and maps, and most of with { }). False: not one. */
static bool read_task_option(struct checker *k, const struct fl_node *b, struct fl_options *o)
{
	const char *name = b->binding.name.str;
	const struct fl_node *v = b->binding.value;
	if (strcmp(name, "retries") == 0) {
		if (v->kind != FL_INT || v->ival < 0 || v->ival > INT32_MAX)
			fl_error(k->c, v->loc, "retries takes a whole number from 0 to %d", INT32_MAX);
		else
			o->has_retries = true, o->retries = v->ival;
	} else if (strcmp(name, "timeout") == 0) {
		if (v->kind == FL_INT)
			fl_error(k->c, v->loc, "timeout takes a duration: write %" PRId64 "s, not %" PRId64, v->ival, v->ival);
		else if (v->kind != FL_DURATION || v->ival <= 0)
			fl_error(k->c, v->loc, "timeout takes a positive duration, as in 30s or 1h");
		else
			o->has_timeout = true, o->timeout_ns = v->ival;
	} else if (strcmp(name, "cache") == 0) {
		if (v->kind != FL_STRING || v->str.len == 0)
			fl_error(k->c, v->loc, "cache takes a cache version string, as in cache = \"1.0\"");
		else if (fl_nul_free(k, v))
			o->cache = v->str.bytes;
	} else if (strcmp(name, "interruptible") == 0) {
		if (v->kind != FL_BOOL)
			fl_error(k->c, v->loc, "interruptible takes true or false");
		else
			o->has_interruptible = true, o->interruptible = v->bval;
	} else if (strcmp(name, "requests") == 0) {
		o->requests = string_record(k, v, "requests", true, &o->nrequests);
	} else if (strcmp(name, "limits") == 0) {
		o->limits = string_record(k, v, "limits", true, &o->nlimits);
	} else if (strcmp(name, "env") == 0) {
		o->env = string_record(k, v, "env", false, &o->nenv);
	} else if (strcmp(name, "image") == 0) {
		if (v->kind != FL_STRING || v->str.len == 0)
			fl_error(k->c, v->loc, "image takes a container image name, as in \"ghcr.io/org/app:1.0\"");
		else if (fl_nul_free(k, v))
			o->image = v->str.bytes;
	} else {
		return read_pod_option(k, name, v, o);
	}
	return true;
}

/* The options only a map takes. */
static void read_map_option(struct checker *k, const struct fl_node *b, struct fl_map_info *map)
{
	const char *name = b->binding.name.str;
	const struct fl_node *v = b->binding.value;
	if (strcmp(name, "concurrency") == 0) {
		if (v->kind != FL_INT || v->ival < 0 || v->ival > (int64_t)UINT32_MAX)
			fl_error(k->c, v->loc, "concurrency takes a whole number from 0 (no limit) to %u", UINT32_MAX);
		else
			map->has_concurrency = true, map->concurrency = (uint32_t)v->ival;
	} else if (strcmp(name, "min_success_ratio") == 0) {
		double r = v->kind == FL_FLOAT ? v->fval : v->kind == FL_INT ? (double)v->ival : NAN;
		if (v->kind != FL_FLOAT && v->kind != FL_INT)
			fl_error(k->c, v->loc, "min_success_ratio takes a number between 0 and 1");
		else if (!(r >= 0.0 && r <= 1.0))
			fl_error(k->c, v->loc, "min_success_ratio must be between 0 and 1, not %.*s", (int)(v->loc.end_off - v->loc.off),
				 k->c->sources[v->loc.file]->text + v->loc.off);
		else
			map->has_ratio = true, map->ratio = r, map->ratio_loc = b->loc, map->ratio_is_int = v->kind == FL_INT;
	} else if (strcmp(name, "min_successes") == 0) {
		if (v->kind != FL_INT || v->ival < 0)
			fl_error(k->c, v->loc, "min_successes takes a whole number >= 0");
		else
			map->has_min_successes = true, map->min_successes = v->ival, map->min_successes_loc = b->loc;
	} else if (strcmp(name, "legacy") == 0) {
		if (v->kind != FL_BOOL)
			fl_error(k->c, v->loc, "legacy takes true or false");
		else
			map->legacy = v->bval;
	}
}

/* Reads one option into `o` (or, for map-only options, into `map`). */
static void check_option(struct checker *k, const struct fl_node *b, unsigned where, struct fl_options *o,
			 struct fl_map_info *map)
{
	const char *name = b->binding.name.str;
	unsigned allowed = 0;
	for (size_t i = 0; i < FL_ARRAY_LEN(option_names); i++)
		if (strcmp(option_names[i].name, name) == 0)
			allowed = option_names[i].where;
	if ((allowed & where) == 0)
		reject_option(k, b, where, allowed);
	else if (!read_task_option(k, b, o))
		read_map_option(k, b, map);
}

/* One block of resources in the stack that makes a container's: a task's
 * options, a map's per-element options (each of whose requests and limits
 * blocks replaces the task's whole, as the map task's container is
 * written), a call's `with { }` (merged entry by entry over the
 * container's, as flytepropeller's MergeResources does). */
struct res_layer {
	const struct fl_options *o;
	bool replaces;
};

struct res_entry {
	const struct fl_kv *kv;  /* NULL: not given */
	uint32_t layer;
};

/* The entry of `key` in the requests (or limits) the stack ends up with. */
static struct res_entry effective(const struct res_layer *ls, uint32_t n, bool limits, const char *key)
{
	for (uint32_t i = n; i-- > 0;) {
		const struct fl_kv *kv = limits ? ls[i].o->limits : ls[i].o->requests;
		uint32_t m = limits ? ls[i].o->nlimits : ls[i].o->nrequests;
		for (uint32_t j = 0; j < m; j++)
			if (strcmp(kv[j].key, key) == 0)
				return (struct res_entry){&kv[j], i};
		if (m > 0 && ls[i].replaces)
			break;
	}
	return (struct res_entry){NULL, 0};
}

/* One resource's request against its limit (flyteadmin's validateResource):
 * no more than the limit, and for GPUs equal to it. Reported at the one of
 * the two the top of the stack gives, with a note at the other. */
static void check_pair(struct checker *k, const char *key, struct res_entry rq, struct res_entry lm, uint32_t top)
{
	double r, l;
	if (!fl_quantity_parse(rq.kv->value, &r) || !fl_quantity_parse(lm.kv->value, &l))
		return;
	bool gpu = strcmp(key, "gpu") == 0;
	if (gpu ? r == l : r <= l)
		return;
	bool at_request = rq.layer == top;
	struct fl_loc loc = at_request ? rq.kv->loc : lm.kv->loc;
	if (gpu)
		fl_error(k->c, loc, "requests.gpu (%s) differs from limits.gpu (%s): a GPU request must equal its limit",
			 rq.kv->value, lm.kv->value);
	else
		fl_error(k->c, loc, "requests.%s (%s) is more than limits.%s (%s)", key, rq.kv->value, key, lm.kv->value);
	fl_note(k->c, at_request ? lm.kv->loc : rq.kv->loc, "the %s is set here", at_request ? "limit" : "request");
}

void fl_check_resources(struct checker *k, const struct fl_options *task, const struct fl_options *elem,
			const struct fl_options *with)
{
	struct res_layer ls[3];
	uint32_t n = 0;
	if (task != NULL)
		ls[n++] = (struct res_layer){task, false};
	if (elem != NULL)
		ls[n++] = (struct res_layer){elem, true};
	if (with != NULL)
		ls[n++] = (struct res_layer){with, false};
	if (n == 0)
		return;
	for (size_t i = 0; i < FL_ARRAY_LEN(resource_keys); i++) {
		struct res_entry rq = effective(ls, n, false, resource_keys[i]);
		struct res_entry lm = effective(ls, n, true, resource_keys[i]);
		/* a pair below the top was reported with its own block */
		if (rq.kv != NULL && lm.kv != NULL && (rq.layer == n - 1 || lm.layer == n - 1))
			check_pair(k, resource_keys[i], rq, lm, n - 1);
	}
}

void fl_check_options(struct checker *k, const struct fl_list *opts, unsigned where, struct fl_options *o,
		      struct fl_map_info *map)
{
	for (const struct fl_node *b = opts->head; b != NULL; b = b->next) {
		for (const struct fl_node *prev = opts->head; prev != b; prev = prev->next) {
			if (prev->binding.name.str == b->binding.name.str) {
				fl_error(k->c, b->binding.name.loc, "option '%s' is given twice", b->binding.name.str);
				fl_note(k->c, prev->binding.name.loc, "first given here");
				goto next;
			}
		}
		check_option(k, b, where, o, map);
next:;
	}
}

void fl_check_call_resources(struct checker *k, const struct fl_entity *target, const struct fl_options *with)
{
	const struct fl_options *elem = NULL;
	if (target->kind == FL_E_MAP) {
		elem = &target->map.elem;
		target = target->map.target;
	}
	const struct fl_options *task = target != NULL && target->kind == FL_E_TASK ? &target->opts : NULL;
	if (task == NULL && with != NULL)
		elem = NULL;  /* no container (a map over a launch plan): each block on its own */
	fl_check_resources(k, task, elem, with);
}

struct fl_options fl_merge_options(const struct fl_options *base, const struct fl_options *over)
{
	struct fl_options r = *base;
	if (over->has_retries)
		r.has_retries = true, r.retries = over->retries;
	if (over->has_timeout)
		r.has_timeout = true, r.timeout_ns = over->timeout_ns;
	if (over->cache != NULL)
		r.cache = over->cache;
	if (over->has_interruptible)
		r.has_interruptible = true, r.interruptible = over->interruptible;
	if (over->nrequests)
		r.requests = over->requests, r.nrequests = over->nrequests;
	if (over->nlimits)
		r.limits = over->limits, r.nlimits = over->nlimits;
	if (over->nenv)
		r.env = over->env, r.nenv = over->nenv;
	if (over->image != NULL)
		r.image = over->image;
	if (over->pod_template_name != NULL)
		r.pod_template_name = over->pod_template_name;
	if (over->accel_device != NULL) {
		r.accel_device = over->accel_device;
		r.accel_partition = over->accel_partition;
		r.accel_unpartitioned = over->accel_unpartitioned;
	}
	if (over->has_shared_memory)
		r.has_shared_memory = true, r.shared_memory_size = over->shared_memory_size;
	return r;
}
