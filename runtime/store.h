/*
 * store.h: object stores behind URIs (not installed).
 *
 * A URI is a local path, a file:// URI or an object-store URI
 * (s3://bucket/key, abfs://container/path, abfs://container@account.dfs.core.windows.net/path). Every operation takes the URI as the user wrote it and
 * names it in its error messages. Functions return 0 on success and -1 with
 * a message in err; rt_store_head returns 1 / 0 for present / absent.
 *
 * Transfers to and from files are streamed (an object is never held in
 * memory whole); the memory forms take a size limit. A file written by a
 * get appears whole or not at all (temporary file, fsync, rename).
 *
 * Backends: "s3" (s3.c, s3_upload.c, s3list.c); "abfs" and "abfss", Azure
 * Blob Storage (azure.c, azure_blocks.c, azure_auth.c; the authority is
 * CONTAINER or CONTAINER@ACCOUNT.dfs.SUFFIX, which the backend splits).
 * gs:// joins by adding a struct rt_store_backend and a line in store.c's
 * table.
 */
#ifndef FLYTERUN_STORE_H
#define FLYTERUN_STORE_H

#include "internal.h"

enum rt_store_kind {
	RT_STORE_LOCAL,    /* a local path or file:// URI: path */
	RT_STORE_OBJECT,   /* scheme://bucket/key: scheme, bucket, key */
};

/** A parsed URI (strings in the arena given to rt_store_parse). */
struct rt_store_uri {
	enum rt_store_kind kind;
	const char *uri;      /* as given */
	const char *path;     /* RT_STORE_LOCAL */
	const char *scheme;   /* "s3", "abfs", "abfss" */
	const char *bucket;   /* the authority: a bucket, CONTAINER or CONTAINER@HOST */
	const char *key;      /* may be "" (a bucket or prefix URI) */
	const struct rt_store_backend *backend;
};

/** What rt_store_head learns about an object. */
struct rt_store_info {
	uint64_t size;
	char etag[80];       /* without quotes; "" if unknown */
};

/** One object store. Each operation gets a parsed URI whose key is not
 *  empty. */
struct rt_store_backend {
	const char *scheme;
	bool account_in_authority;   /* "bucket@host" allowed (abfs://container@account...) */
	int (*get_file)(const struct rt_store_uri *u, const char *path, struct rt_msg *err);
	int (*get_mem)(const struct rt_store_uri *u, struct rt_arena *a, size_t limit,
		       uint8_t **data, size_t *len, struct rt_msg *err);
	int (*put_file)(const char *path, const struct rt_store_uri *u, struct rt_msg *err);
	int (*put_mem)(const void *data, size_t len, const struct rt_store_uri *u, struct rt_msg *err);
	/* 1 present (info filled), 0 absent, -1 error */
	int (*head)(const struct rt_store_uri *u, struct rt_store_info *info, struct rt_msg *err);
	/* the keys (whole) of the objects whose keys start with u->key */
	int (*list)(const struct rt_store_uri *u, struct rt_arena *a, char ***keys, size_t *n,
		    struct rt_msg *err);
};

extern const struct rt_store_backend rt_s3_backend;

/** A backend's get_file: the object downloaded into path whole or not at
 *  all (a temporary file beside it, filled by fill, fsync'd, renamed). */
int rt_store_download(const struct rt_store_uri *u, const char *path,
		      int (*fill)(const struct rt_store_uri *u, int fd, struct rt_msg *err), struct rt_msg *err);
extern const struct rt_store_backend rt_abfs_backend;
extern const struct rt_store_backend rt_abfss_backend;

/** Parses uri. Unknown schemes and malformed object URIs are errors. */
int rt_store_parse(struct rt_arena *a, const char *uri, struct rt_store_uri *u, struct rt_msg *err);
/** True when uri names an object store (scheme://…, not file://). */
bool rt_store_is_remote(const char *uri);

/** Downloads uri into the local file path (parents created). */
int rt_store_get_file(const char *uri, const char *path, struct rt_msg *err);
/** Reads uri whole into the arena (NUL-terminated); an object larger than
 *  limit bytes (0: no limit) is an error, and nothing is read past it. */
int rt_store_get_mem(struct rt_arena *a, const char *uri, size_t limit, uint8_t **data, size_t *len,
		     struct rt_msg *err);
/** Uploads the local file path to uri. */
int rt_store_put_file(const char *path, const char *uri, struct rt_msg *err);
/** Writes len bytes to uri. */
int rt_store_put_mem(const void *data, size_t len, const char *uri, struct rt_msg *err);
/** 1 when uri exists (info, which may be NULL, filled), 0 when it does
 *  not, -1 on error. */
int rt_store_head(const char *uri, struct rt_store_info *info, struct rt_msg *err);

/** The objects under the prefix uri (s3://bucket/prefix/): their URIs, in
 *  the arena, in the store's order. */
int rt_store_list(struct rt_arena *a, const char *uri, char ***uris, size_t *n, struct rt_msg *err);

#endif
