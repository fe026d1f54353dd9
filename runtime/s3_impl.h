/* s3_impl.h: the s3:// backend's internals, shared by s3.c, s3_upload.c and s3list.c
 * (not installed). */
#ifndef FLYTERUN_S3_IMPL_H
#define FLYTERUN_S3_IMPL_H

#include <openssl/evp.h>

#include "aws.h"
#include "store.h"

struct rt_s3_endpoint {
	bool custom;
	const char *var;        /* the variable that set it */
	char scheme[8];
	char host[512];         /* host[:port] */
	char prefix[512];       /* a custom endpoint's path, no trailing '/' */
};

struct rt_s3 {
	CURL *h;
	const struct rt_store_uri *u;
	struct rt_aws_creds creds;
	char region[64];
	bool region_retried;
	struct rt_s3_endpoint ep;
	char shown[1100];        /* the endpoint, for messages */
	int max_attempts;
	long base_ms, cap_ms, connect_ms, low_speed_s;
	int attempts;           /* of the last call */
	struct rt_msg *err;
};

/* ---- one request, signed, with retries ---------------------------------------------- */
struct rt_s3_call {
	const char *method;
	const struct rt_kv *query;
	size_t nquery;
	const struct rt_kv *extra;      /* more headers (lowercase names) */
	size_t nextra;
	const struct rt_http_body *body;
	const char *payload_hash;       /* of body */
	int out_fd;
	size_t limit;
	EVP_MD_CTX *md5;
};

/** A connection for requests about u (err receives every message). */
struct rt_s3 *rt_s3_open(const struct rt_store_uri *u, struct rt_msg *err);
void rt_s3_close(struct rt_s3 *s);
/** Sends c with retries; 0 with an answer in resp (any status), -1 when
 *  no answer came. */
int rt_s3_call(struct rt_s3 *s, const struct rt_s3_call *c, struct rt_http_resp *resp);
/** An error message for a failed answer, saying what was refused. -1. */
int rt_s3_fail(struct rt_s3 *s, const struct rt_http_resp *r, const char *what);
/** The MD5 hex of a plain ETag ("\"<32 hex>\"") into out[33], or false
 *  (multipart, KMS). */
bool rt_s3_plain_etag(const struct rt_http_resp *r, char *out);
/** PUTs b as u's object: one PUT, or multipart above the threshold
 *  (s3_upload.c). */
int rt_s3_upload(struct rt_s3 *s, const struct rt_http_body *b);
/** The keys under u's key (a prefix), ListObjectsV2. */
int rt_s3_list(const struct rt_store_uri *u, struct rt_arena *a, char ***keys, size_t *n,
	       struct rt_msg *err);

#endif
