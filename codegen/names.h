/* names.h: flytekit's naming rules, as the lowering needs them: map-task
 * names, DNS-1123 labels and Python's str() of a float. */
#ifndef FL_NAMES_H
#define FL_NAMES_H

#include "prelude.h"

struct fl_arena;
struct fl_entity;

/* Python's repr() of a float ("1.0", "0.75", "1e-05"), as flytekit's names hash it. */
const char *fl_py_float_repr(struct fl_arena *a, double x);
/* The TaskTemplate name flytekit gives a map ("<module>.map_<task>_<md5>-arraynode"). */
const char *fl_map_task_name(struct fl_arena *a, const struct fl_entity *map);
/* A map's bound input names, sorted; *n is their count. */
const char **fl_map_bound_names(struct fl_arena *a, const struct fl_entity *map, size_t *n);
/* The names joined with ','. */
const char *fl_join_names(struct fl_arena *a, const char **names, size_t n);
/* flytekit's _dnsify: value as a DNS-1123 label. */
char *fl_dns_label(struct fl_arena *a, const char *value);
/* qsort's comparison of two C strings (elements of a const char * array). */
int fl_cmp_str(const void *a, const void *b);

#endif
