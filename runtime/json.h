/* json.h: the JSON reader's values (json.c), for the typed readers built on it. */
#ifndef FLYTERUN_JSON_H
#define FLYTERUN_JSON_H

#include "internal.h"

enum rt_json_kind { RT_JSON_NULL, RT_JSON_BOOL, RT_JSON_NUM, RT_JSON_STR, RT_JSON_ARR, RT_JSON_OBJ };

struct rt_json {
	enum rt_json_kind k;
	bool b;
	const char *s;      /* RT_JSON_NUM: the number's text; RT_JSON_STR: the decoded string */
	size_t len;         /* of s */
	size_t n;           /* RT_JSON_ARR, RT_JSON_OBJ */
	struct rt_json **items;
	const char **keys;  /* RT_JSON_OBJ */
};

/** Parses a whole JSON text into values in the arena (nesting bounded by
 *  RT_MAX_DEPTH). Strings are decoded; numbers keep their text. */
int rt_json_parse(struct rt_arena *a, const char *text, struct rt_json **out, struct rt_msg *err);

#endif
