/* s3list.c: ListObjectsV2 for the s3:// backend (the objects under a
 * prefix, for dir inputs). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "s3_impl.h"

#define LIST_LIMIT (16u * 1024u * 1024u)   /* one page of answer; pages hold 1000 keys */

/* Decodes the five XML entities of s[0..n) into the arena. */
static char *xml_unescape(struct rt_arena *a, const char *s, size_t n)
{
	char *o = rt_arena_alloc(a, n + 1);

	if (o != NULL)
		rt_xml_decode(s, n, o, n + 1);
	return o;
}

/* Appends the <Key>s of one page; its continuation token (or NULL) in *next. */
static int page_keys(struct rt_arena *a, const struct base_buf *body, char ***keys, size_t *n,
		     size_t *cap, char **next, struct rt_msg *err)
{
	const char *p = (const char *)body->data, *end = p + body->len;
	char tok[1024], trunc[8] = "";

	*next = NULL;
	while ((p = memmem(p, (size_t)(end - p), "<Key>", 5)) != NULL) {
		p += 5;
		const char *q = memmem(p, (size_t)(end - p), "</Key>", 6);
		if (q == NULL)
			return rt_msgf(err, "a listing with an unterminated <Key>");
		if (*n == *cap) {
			size_t nc = *cap ? *cap * 2 : 64;
			char **k = rt_arena_array(a, nc, sizeof *k);
			if (k == NULL)
				return rt_msgf(err, "out of memory");
			if (*n)
				memcpy(k, *keys, *n * sizeof *k);
			*keys = k;
			*cap = nc;
		}
		if (((*keys)[(*n)++] = xml_unescape(a, p, (size_t)(q - p))) == NULL)
			return rt_msgf(err, "out of memory");
		p = q + 6;
	}
	rt_xml_text((const char *)body->data, body->len, "IsTruncated", trunc, sizeof trunc);
	if (strcmp(trunc, "true") == 0 &&
	    rt_xml_text((const char *)body->data, body->len, "NextContinuationToken", tok, sizeof tok) == 0 &&
	    tok[0] != 0 && (*next = rt_arena_strdup(a, tok)) == NULL)
		return rt_msgf(err, "out of memory");
	return 0;
}

int rt_s3_list(const struct rt_store_uri *u, struct rt_arena *a, char ***keys, size_t *n,
	       struct rt_msg *err)
{
	struct rt_store_uri bucket = *u;
	struct rt_http_resp resp = { 0 };
	char *token = NULL;
	size_t cap = 0;
	int rc = -1;

	bucket.key = "";   /* GET /bucket/?list-type=2&prefix=KEY */
	*keys = NULL;
	*n = 0;
	struct rt_s3 *s = rt_s3_open(&bucket, err);
	if (s == NULL)
		return -1;
	/* keys per page: S3's default, smaller to test the paging */
	char max_keys[24];
	long long page = rt_env_ll("FLYTEC_S3_LIST_PAGE", 1000);
	snprintf(max_keys, sizeof max_keys, "%lld", page >= 1 && page <= 1000 ? page : 1000);
	do {
		struct rt_kv q[4];
		size_t nq = 0;
		if (token != NULL)
			q[nq++] = (struct rt_kv){ "continuation-token", token };
		q[nq++] = (struct rt_kv){ "list-type", "2" };
		q[nq++] = (struct rt_kv){ "max-keys", max_keys };
		q[nq++] = (struct rt_kv){ "prefix", u->key };
		struct rt_s3_call c = { .method = "GET", .query = q, .nquery = nq, .out_fd = -1, .limit = LIST_LIMIT };
		if (rt_s3_call(s, &c, &resp) < 0)
			goto out;
		if (resp.status != 200) {
			rt_s3_fail(s, &resp, "list");
			goto out;
		}
		if (page_keys(a, &resp.body, keys, n, &cap, &token, err) < 0)
			goto out;
	} while (token != NULL);
	rc = 0;
out:
	rt_http_resp_free(&resp);
	rt_s3_close(s);
	return rc;
}
