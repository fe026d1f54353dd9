/* parse.c: runs the scanner and the parser over one source. */
#include "prelude.h"

#include "flytec.h"
#include <string.h>

#include "parser_state.h"

/* From scanner.l and parser.y (their headers are not needed elsewhere). */
int fl_yylex_init_extra(struct fl_parser *extra, void **scanner);
void *fl_yy_scan_bytes(const char *bytes, int len, void *scanner);
int fl_yyparse(struct fl_parser *p, void *scanner);

_Thread_local struct fl_arena *fl_parse_arena;

/* flex takes an int length: FL_SOURCE_MAX (source.h). */
#define SCAN_MAX FL_SOURCE_MAX

struct parse {
	int source;
	struct fl_node *program;
};

static int parse(struct fl_ctx *c, void *arg)
{
	struct parse *job = arg;
	struct fl_source *src = c->sources[job->source];
	struct fl_parser *p = FL_NEW(c->arena, struct fl_parser);
	p->ctx = c;
	p->file = (uint32_t)job->source;
	p->text = src->text;
	p->line = 1;
	p->col = 1;
	void *scanner;
	fl_yylex_init_extra(p, &scanner);
	fl_yy_scan_bytes(src->text, (int)src->len, scanner);
	fl_parse_arena = c->arena;
	fl_yyparse(p, scanner);
	/* The scanner's memory is in the arena: nothing to destroy. */
	job->program = p->program;
	return 0;
}

struct fl_node *fl_parse(struct fl_ctx *c, int source)
{
	if (source < 0 || (uint32_t)source >= c->nsources)
		return NULL;
	struct parse job = {.source = source};
	if (fl_protect(c, parse, &job) != 0)
		return NULL;
	return job.program;
}

struct source {
	const char *name, *text;
	size_t len;
};

static int add_source(struct fl_ctx *c, void *arg)
{
	const struct source *in = arg;
	if (in->len > SCAN_MAX || in->len > c->source_max) {
		fl_error_noloc(c, "%s: file is too large (%zu bytes; the limit is %zu)", in->name, in->len,
			       c->source_max);
		return -1;
	}
	struct fl_source *src = FL_NEW(c->arena, struct fl_source);
	src->name = fl_strndup(c->arena, in->name, strlen(in->name));
	src->text = fl_strndup(c->arena, in->text, in->len);
	src->len = in->len;
	if (c->nsources == c->sources_cap) {
		uint32_t ncap = c->sources_cap ? c->sources_cap * 2 : 4;
		c->sources = fl_realloc(c->arena, c->sources, c->sources_cap * sizeof *c->sources,
					ncap * sizeof *c->sources);
		c->sources_cap = ncap;
	}
	c->sources[c->nsources] = src;
	return (int)c->nsources++;
}

int fl_source_add(struct fl_ctx *c, const char *name, const char *text, size_t len)
{
	struct source in = {name, text, len};
	return fl_protect(c, add_source, &in);
}
