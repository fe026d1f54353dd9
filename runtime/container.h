/* container.h: what execute / map-execute need beyond a task call: the
 * supervised child (supervise.c) and blobs at remote URIs (blobs.c). Not
 * installed. */
#ifndef FLYTERUN_CONTAINER_H
#define FLYTERUN_CONTAINER_H

#include "internal.h"

/** Runs fn(arg, r) in a forked child and fills r with its result. A child
 *  that dies (a signal, the OOM killer, an exit) without reporting leaves
 *  an error document naming task and the signal or status in r. When the
 *  child cannot be forked, fn runs in this process. */
void rt_supervise(const char *task, void (*fn)(void *arg, struct rt_result *r), void *arg,
		  struct rt_result *r);

/** Downloads every file and dir blob of m whose URI is remote into a new
 *  directory under TMPDIR (*dir; NULL when none was needed) and points the
 *  literal at the local copy. */
int rt_blobs_fetch(struct rt_arena *a, Flyteidl__Core__LiteralMap *m, const char **dir,
		   struct rt_msg *err);
/** Removes dir (from rt_blobs_fetch) and everything under it; NULL: nothing. */
void rt_blobs_remove(const char *dir);
/** Uploads every local file and dir blob of the packed outputs in r under
 *  raw_prefix (a remote URI; otherwise nothing is done), with a unique name,
 *  and rewrites r with the remote URIs. */
int rt_blobs_upload(struct rt_arena *a, struct rt_result *r, const char *raw_prefix,
		    struct rt_msg *err);

#endif
