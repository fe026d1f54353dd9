/* outputs.c: the outputs of one --emit run: every kind asked for from one
 * lowering, standard output for the stream kinds, the make rule of the
 * dependencies (-M, -MD, -MF, -MT, -MQ, -MP, in GCC's format), and the
 * check that no output is one of the inputs, before anything is written. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"

const char *emit_kind_name(enum emit_kind k)
{
	static const char *const names[] = {"package", "pb", "json", "c"};
	return names[k];
}

/* A growable string of the driver's (malloc; oom sticks). */
struct text {
	char *data;
	size_t len, cap;
	bool oom;
};

static void put(struct text *t, const char *s, size_t n)
{
	if (t->oom)
		return;
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 256;
		while (cap < t->len + n + 1)
			cap *= 2;
		char *d = realloc(t->data, cap);
		if (d == NULL) {
			t->oom = true;
			return;
		}
		t->data = d;
		t->cap = cap;
	}
	memcpy(t->data + t->len, s, n);
	t->len += n;
	t->data[t->len] = '\0';
}

static void puts_text(struct text *t, const char *s)
{
	put(t, s, strlen(s));
}

/* A list of names (malloc'd copies). */
struct names {
	char **v;
	size_t n, cap;
	bool oom;
};

static void add_name(struct names *l, const char *a, const char *sep, const char *b)
{
	if (l->oom)
		return;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		char **v = realloc(l->v, cap * sizeof *v);
		if (v == NULL) {
			l->oom = true;
			return;
		}
		l->v = v;
		l->cap = cap;
	}
	size_t n = strlen(a) + strlen(sep) + strlen(b) + 1;
	char *s = malloc(n);
	if (s == NULL) {
		l->oom = true;
		return;
	}
	snprintf(s, n, "%s%s%s", a, sep, b);
	l->v[l->n++] = s;
}

static void free_names(struct names *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

static bool to_stdout(const struct emit_out *e)
{
	return strcmp(e->path, "-") == 0;
}

/* Every file the outputs write, in the order of --emit (the C header, then
 * the C file; the .pb files in registration order). Standard output is
 * none. False when memory ran out. */
static bool output_files(struct fl_ctx *c, const struct options *o, const struct fl_package *p, const char *source,
			 struct names *files)
{
	for (unsigned i = 0; i < o->nemit; i++) {
		enum emit_kind k = o->order[i];
		const struct emit_out *e = &o->emit[k];
		switch (k) {
		case EMIT_PACKAGE:
		case EMIT_JSON:
			if (!to_stdout(e))
				add_name(files, e->path, "", "");
			break;
		case EMIT_C:
			for (int header = 1; header >= 0; header--) {
				const char *path = fl_c_output_path(c, source, e->path, header);
				if (path == NULL)
					return false;
				add_name(files, path, "", "");
			}
			break;
		case EMIT_PB:
			for (size_t j = 0; p != NULL && j < fl_package_count(p); j++)
				add_name(files, e->path, "/", fl_package_file(p, j));
			break;
		case EMIT_KINDS:
			break;
		}
	}
	return !files->oom;
}

/* -MD's depfile when there is no -MF: the first output's path with ".d"
 * (a package or JSON file: PATH.d; generated C: DIR/STEM.flyte-c.d; .pb
 * files: DIR.d beside the directory), or STEM.d in the current directory
 * when every output goes to standard output. */
static void default_depfile(struct fl_ctx *c, const struct options *o, const char *source, struct names *out)
{
	for (unsigned i = 0; i < o->nemit; i++) {
		const struct emit_out *e = &o->emit[o->order[i]];
		switch (o->order[i]) {
		case EMIT_PACKAGE:
		case EMIT_JSON:
			if (to_stdout(e))
				continue;
			add_name(out, e->path, ".d", "");
			return;
		case EMIT_C: {
			const char *h = fl_c_output_path(c, source, e->path, true);
			if (h == NULL) {
				out->oom = true;
				return;
			}
			add_name(out, h, "", "");
			if (!out->oom)
				strcpy(out->v[out->n - 1] + strlen(h) - 1, "d");  /* STEM.flyte-c.h -> .d */
			return;
		}
		case EMIT_PB: {
			size_t n = strlen(e->path);
			while (n > 1 && e->path[n - 1] == '/')
				n--;
			char *dir = strndup(e->path, n);
			if (dir == NULL) {
				out->oom = true;
				return;
			}
			add_name(out, dir, ".d", "");
			free(dir);
			return;
		}
		case EMIT_KINDS:
			break;
		}
	}
	const char *stem = fl_c_output_path(c, source, ".", true);  /* STEM.flyte-c.h */
	if (stem == NULL) {
		out->oom = true;
		return;
	}
	size_t n = strlen(stem) - strlen(".flyte-c.h");
	char *s = strndup(stem, n);
	if (s == NULL) {
		out->oom = true;
		return;
	}
	add_name(out, s, ".d", "");
	free(s);
}

/* Appends name quoted for make as GCC does: a space or a tab gets a
 * backslash (and the backslashes right before it are doubled), $ is $$,
 * # is \#. Lines wrap at 75 columns with " \" (*col is the column). */
static void put_make_name(struct text *t, const char *name, bool quote, const char *trail, size_t *col)
{
	struct text q = {0};
	for (const char *p = name; *p; p++) {
		if (quote && (*p == ' ' || *p == '\t')) {
			for (const char *b = p; b > name && b[-1] == '\\'; b--)
				put(&q, "\\", 1);
			put(&q, "\\", 1);
		} else if (quote && *p == '$') {
			put(&q, "$", 1);
		} else if (quote && *p == '#') {
			put(&q, "\\", 1);
		}
		put(&q, p, 1);
	}
	puts_text(&q, trail);
	if (q.oom) {
		t->oom = true;
		free(q.data);
		return;
	}
	if (*col > 0) {
		if (*col + q.len > 75) {
			puts_text(t, " \\\n");
			*col = 0;
		}
		puts_text(t, " ");
		(*col)++;
	}
	put(t, q.data, q.len);
	*col += q.len;
	free(q.data);
}

/* The dependencies: every source the compilation loaded from a file, each
 * once, the main input first. */
static void dependencies(const struct fl_ctx *c, struct names *deps)
{
	for (size_t i = 0; i < fl_source_count(c); i++) {
		const char *path = fl_source_path(c, i);
		bool seen = path == NULL;
		for (size_t j = 0; !seen && j < deps->n; j++)
			seen = strcmp(deps->v[j], path) == 0;
		if (!seen)
			add_name(deps, path, "", "");
	}
}

/* A name make cannot read back. */
static bool unwritable(const char *name)
{
	if (strchr(name, '\n') == NULL)
		return false;
	fprintf(stderr, "flytec: cannot write a make rule naming '%s': a make file name cannot hold a newline\n", name);
	return true;
}

/* The rule: "TARGETS: DEPS", then with -MP "DEP:" for every dependency but
 * the main input. -1 after printing why. */
static int make_rule(const struct fl_ctx *c, const struct options *o, const struct names *files, struct text *t)
{
	struct names deps = {0};
	dependencies(c, &deps);
	int rc = deps.oom ? -1 : 0;
	for (size_t i = 0; rc == 0 && i < o->deps.ntargets; i++)
		rc = unwritable(o->deps.targets[i].name) ? -1 : 0;
	for (size_t i = 0; rc == 0 && o->deps.ntargets == 0 && i < files->n; i++)
		rc = unwritable(files->v[i]) ? -1 : 0;
	for (size_t i = 0; rc == 0 && i < deps.n; i++)
		rc = unwritable(deps.v[i]) ? -1 : 0;
	if (rc == 0) {
		size_t col = 0;
		size_t nt = o->deps.ntargets > 0 ? o->deps.ntargets : files->n;
		for (size_t i = 0; i < nt; i++) {
			const char *trail = i + 1 == nt ? ":" : "";
			if (o->deps.ntargets > 0)
				put_make_name(t, o->deps.targets[i].name, o->deps.targets[i].quote, trail, &col);
			else
				put_make_name(t, files->v[i], true, trail, &col);
		}
		for (size_t i = 0; i < deps.n; i++)
			put_make_name(t, deps.v[i], true, "", &col);
		puts_text(t, "\n");
		for (size_t i = 1; o->deps.phony && i < deps.n; i++) {
			col = 0;
			put_make_name(t, deps.v[i], true, ":", &col);
			puts_text(t, "\n");
		}
		if (t->oom)
			fputs("flytec: out of memory\n", stderr);
		rc = t->oom ? -1 : 0;
	} else if (deps.oom) {
		fputs("flytec: out of memory\n", stderr);
	}
	free_names(&deps);
	return rc;
}

static int cannot(const char *what, const char *path)
{
	fprintf(stderr, "flytec: cannot %s %s: %s\n", what, path, strerror(errno));
	return -1;
}

/* One kind's output. */
static int write_kind(struct fl_ctx *c, const struct options *o, enum emit_kind k, const struct fl_package *p,
		      struct fl_module *m, const char *source)
{
	const char *path = o->emit[k].path;
	bool out = strcmp(path, "-") == 0;
	switch (k) {
	case EMIT_PACKAGE:
		return out ? fl_package_print_tgz(c, stdout, p) : fl_package_write_tgz(c, p, path);
	case EMIT_JSON:
		if (out) {
			fl_package_print_json(c, stdout, p);
			return 0;
		}
		if (fl_package_write_json(c, p, path) != 0)
			/* out of memory: reported by the caller */
			return fl_out_of_memory(c) ? -1 : cannot("write", path);
		return 0;
	case EMIT_PB:
		if (fl_make_dir(path) != 0)
			return cannot("create", path);
		return fl_package_write_dir(c, p, path);
	case EMIT_C:
		if (fl_make_dir(path) != 0)
			return cannot("create", path);
		if (p != NULL)
			return fl_write_c_package(c, m, p, source, path);
		return fl_write_c(c, m, source, path, &o->cg);
	case EMIT_KINDS:
		break;
	}
	return -1;
}

/* Writes the rule to -MF, standard output, or the default depfile. */
static int write_rule(struct fl_ctx *c, const struct options *o, const struct names *files, const char *depfile)
{
	struct text t = {0};
	int rc = make_rule(c, o, files, &t);
	if (rc == 0 && strcmp(depfile, "-") == 0)
		fwrite(t.data, 1, t.len, stdout);
	else if (rc == 0)
		rc = fl_write_file(c, depfile, t.data, t.len);
	free(t.data);
	return rc;
}

/* Whether any output must be lowered for: the registration kinds, and -M's
 * default targets of --emit=pb (the .pb files). */
static bool needs_package(const struct options *o)
{
	if (o->deps.only)
		return o->emit[EMIT_PB].asked && o->deps.ntargets == 0;
	return o->emit[EMIT_PACKAGE].asked || o->emit[EMIT_PB].asked || o->emit[EMIT_JSON].asked;
}

int emit_outputs(struct fl_ctx *c, const struct options *o, struct fl_module *m, const char *source)
{
	struct fl_package *p = NULL;
	if (needs_package(o) && (p = fl_lower(c, m, &o->cg)) == NULL)
		return -1;
	struct names files = {0}, depfile = {0};
	int rc = -1;
	if (!output_files(c, o, p, source, &files))
		goto oom;
	if (o->deps.file != NULL)
		add_name(&depfile, o->deps.file, "", "");
	else if (o->deps.side)
		default_depfile(c, o, source, &depfile);
	else if (o->deps.only)
		add_name(&depfile, "-", "", "");
	if (depfile.oom)
		goto oom;
	/* nothing is written when any output would overwrite an input */
	for (size_t i = 0; i < files.n; i++)
		if (!o->deps.only && fl_output_check(c, files.v[i]) != 0)
			goto done;
	if (depfile.n > 0 && strcmp(depfile.v[0], "-") != 0 && fl_output_check(c, depfile.v[0]) != 0)
		goto done;
	for (unsigned i = 0; !o->deps.only && i < o->nemit; i++)
		if (write_kind(c, o, o->order[i], p, m, source) != 0)
			goto done;
	rc = depfile.n > 0 ? write_rule(c, o, &files, depfile.v[0]) : 0;
	goto done;
oom:
	fputs("flytec: out of memory\n", stderr);
done:
	free_names(&files);
	free_names(&depfile);
	return rc;
}
