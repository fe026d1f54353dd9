/* intern.h: every identifier is stored once, so names compare by pointer. */
#ifndef FL_INTERN_H
#define FL_INTERN_H

#include "prelude.h"

struct fl_arena;
struct fl_strtab;

struct fl_strtab *fl_strtab_new(struct fl_arena *a);
/* The unique copy of s[0..n), NUL-terminated. */
const char *fl_intern(struct fl_strtab *t, const char *s, size_t n);
size_t fl_strtab_count(const struct fl_strtab *t);

#endif
