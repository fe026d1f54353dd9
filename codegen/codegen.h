/* codegen.h: lowering a checked module to flyteidl registration artifacts,
 * the package that holds them, and the JSON view of any artifact. */
#ifndef FL_CODEGEN_H
#define FL_CODEGEN_H

#include "prelude.h"

#include <protobuf-c/protobuf-c.h>

#include "buf.h"
#include "checker.h"
#include "flytec.h"

struct fl_ctx;

enum fl_artifact_kind {
	FL_ART_TASK = 1, FL_ART_WORKFLOW = 2, FL_ART_LAUNCHPLAN = 3,
	/* for local runs only (never registered; the C tables' entity kinds 4 and 5) */
	FL_ART_MAP_NAME = 4,         /* a declared map's name; data: its map task's name */
	FL_ART_TASK_DEFAULTS = 5,    /* a task's input defaults; data: a LiteralMap */
};

struct fl_artifact {
	enum fl_artifact_kind kind;
	const char *name;            /* the entity name, e.g. "quickstart.square" */
	const char *file;            /* "<index>_<name>_<kind>.pb" */
	const ProtobufCMessage *msg; /* admin.TaskSpec, admin.WorkflowSpec or admin.LaunchPlan */
	uint8_t *data;               /* the serialized message */
	size_t len;
};

struct fl_package {
	struct fl_artifact *items;   /* in registration order */
	uint32_t n;
	struct fl_artifact *local;   /* FL_ART_MAP_NAME, FL_ART_TASK_DEFAULTS: what local runs need */
	uint32_t nlocal;             /* besides (the C tables only; no msg, no file) */
};

/* fl_lower, fl_package_write_tgz, fl_package_write_dir, fl_show_file:
 * declared in flytec.h. */

/* Writes a generated file whole (base_write_file: a temporary file renamed
 * over it, mode 0666 & ~umask; with if_changed an identical file is left
 * alone). On failure: the error "cannot write PATH: REASON" and -1. */
int fl_write_output(struct fl_ctx *c, const char *path, const void *data, size_t len, bool if_changed);

/* Protobuf's canonical JSON for any message, driven by its descriptor. */
void fl_json_message(struct base_buf *out, const ProtobufCMessage *m, int indent);
/* The whole package: {"<file>": <message>, ...} in order. */
void fl_package_json(struct base_buf *out, const struct fl_package *p);

/* The generated C of a module (the header and the .c file) into two
 * buffers; `source` is the .flyte path, whose base name names them. */
int fl_emit_c(struct fl_ctx *c, const struct fl_module *m, const struct fl_package *pkg, const char *source,
	      struct base_buf *header, struct base_buf *body);

#endif
