/* ast.c: node construction. */
#include "prelude.h"

#include "ast.h"

#include "arena.h"

static const char *const kind_names[] = {
#define X(kind, name) name,
#include "node_kinds.def"
#undef X
};

const char *fl_node_kind_name(enum fl_node_kind k)
{
	return (unsigned)k < FL_NODE_KIND_COUNT ? kind_names[k] : "?";
}

struct fl_node *fl_node_new(struct fl_arena *a, enum fl_node_kind kind, struct fl_loc loc)
{
	struct fl_node *n = FL_NEW(a, struct fl_node);
	n->kind = kind;
	n->loc = loc;
	return n;
}

void fl_list_append(struct fl_list *l, struct fl_node *n)
{
	if (n == NULL)
		return;
	n->next = NULL;
	if (l->tail != NULL)
		l->tail->next = n;
	else
		l->head = n;
	l->tail = n;
	l->count++;
}
