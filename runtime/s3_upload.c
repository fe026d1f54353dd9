/*
 * s3_upload.c: uploads for the s3:// backend. Every body is hashed first
 * (x-amz-content-sha256 and Content-MD5) and a plain-MD5 ETag in the
 * answer is checked against it.
 *
 * Multipart above FLYTEC_S3_MULTIPART_THRESHOLD bytes (64 MiB), in parts
 * of FLYTEC_S3_PART_SIZE bytes (16 MiB; at least 5 MiB, at most 10000
 * parts); a failed upload is aborted.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "aws.h"
#include "store.h"
#include "s3_impl.h"

#define MIB (1024ULL * 1024ULL)
#define MIN_PART (5 * MIB)
#define MAX_PARTS 10000

/* SHA-256 (hex) and MD5 (raw) of a body. */
static int hash_body(const struct rt_http_body *b, char *sha_hex, uint8_t *md5, struct rt_msg *err,
		     const char *uri)
{
	EVP_MD_CTX *sc = EVP_MD_CTX_new(), *mc = EVP_MD_CTX_new();
	uint8_t sha[32];
	int rc = -1;

	if (sc == NULL || mc == NULL || EVP_DigestInit_ex(sc, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestInit_ex(mc, EVP_md5(), NULL) != 1) {
		rt_msgf(err, "%s: cannot set up hashing", uri);
		goto out;
	}
	if (b->fd < 0) {
		EVP_DigestUpdate(sc, b->mem, b->len);
		EVP_DigestUpdate(mc, b->mem, b->len);
	} else {
		static const size_t chunk = 1 << 20;
		uint8_t *buf = malloc(chunk);
		if (buf == NULL) {
			rt_msgf(err, "out of memory");
			goto out;
		}
		uint64_t done = 0;
		while (done < b->len) {
			size_t want = b->len - done < chunk ? (size_t)(b->len - done) : chunk;
			ssize_t r = pread(b->fd, buf, want, (off_t)(b->off + done));
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				rt_msgf(err, "%s: cannot read the file to upload: %s", uri,
					r < 0 ? strerror(errno) : "it became shorter");
				free(buf);
				goto out;
			}
			EVP_DigestUpdate(sc, buf, (size_t)r);
			EVP_DigestUpdate(mc, buf, (size_t)r);
			done += (uint64_t)r;
		}
		free(buf);
	}
	EVP_DigestFinal_ex(sc, sha, NULL);
	EVP_DigestFinal_ex(mc, md5, NULL);
	rt_hex(sha, 32, sha_hex);
	rc = 0;
out:
	EVP_MD_CTX_free(sc);
	EVP_MD_CTX_free(mc);
	return rc;
}

/* ---- uploads ------------------------------------------------------------------------------ */
/* PUTs one body (a whole object, or a part when query is set); the
 * ETag the store gave into etag. */
static int put_body(struct rt_s3 *s, const struct rt_http_body *b, const struct rt_kv *query, size_t nq,
		    char *etag, size_t etagn)
{
	char sha[65], md5b64[32], md5hex[33], got[33];
	uint8_t md5[16];
	struct rt_http_resp resp = { 0 };
	int rc = -1;

	if (hash_body(b, sha, md5, s->err, s->u->uri) < 0)
		return -1;
	rt_base64(md5, 16, md5b64);
	rt_hex(md5, 16, md5hex);
	struct rt_kv extra[] = { { "content-md5", md5b64 } };
	struct rt_s3_call c = {
		.method = "PUT", .query = query, .nquery = nq, .extra = extra, .nextra = 1,
		.body = b, .payload_hash = sha, .out_fd = -1,
	};
	if (rt_s3_call(s, &c, &resp) < 0)
		goto out;
	if (resp.status != 200) {
		rt_s3_fail(s, &resp, "write");
		goto out;
	}
	if (rt_s3_plain_etag(&resp, got) && strcmp(got, md5hex) != 0) {
		rt_msgf(s->err, "%s: the store's ETag %s is not the MD5 %s of the bytes sent", s->u->uri, resp.etag, md5hex);
		goto out;
	}
	snprintf(etag, etagn, "%s", resp.etag);
	rc = 0;
out:
	rt_http_resp_free(&resp);
	return rc;
}

static void abort_upload(struct rt_s3 *s, const char *upload_id)
{
	struct rt_msg quiet;
	struct rt_msg *keep = s->err;
	struct rt_http_resp resp = { 0 };
	struct rt_kv q[] = { { "uploadId", upload_id } };
	struct rt_s3_call c = { .method = "DELETE", .query = q, .nquery = 1, .out_fd = -1 };

	s->err = &quiet;
	rt_s3_call(s, &c, &resp);
	s->err = keep;
	rt_http_resp_free(&resp);
}

static int multipart(struct rt_s3 *s, const struct rt_http_body *whole)
{
	uint64_t part = (uint64_t)rt_env_ll("FLYTEC_S3_PART_SIZE", (long long)(16 * MIB));
	struct rt_http_resp resp = { 0 };
	struct base_buf xml = { 0 };
	char upload_id[1024], etag[128], num[16];
	int rc = -1;

	if (part < MIN_PART)
		part = MIN_PART;
	if ((whole->len + part - 1) / part > MAX_PARTS)
		part = (whole->len + MAX_PARTS - 1) / MAX_PARTS;
	struct rt_kv q0[] = { { "uploads", "" } };
	struct rt_s3_call c = { .method = "POST", .query = q0, .nquery = 1, .out_fd = -1 };
	if (rt_s3_call(s, &c, &resp) < 0)
		goto out;
	if (resp.status != 200) {
		rt_s3_fail(s, &resp, "write");
		goto out;
	}
	if (rt_xml_text((const char *)resp.body.data, resp.body.len, "UploadId", upload_id, sizeof upload_id) < 0 ||
	    upload_id[0] == 0) {
		rt_msgf(s->err, "%s: the store started a multipart upload without an UploadId", s->u->uri);
		goto out;
	}
	if (base_buf_printf(&xml, "<CompleteMultipartUpload>") < 0)
		goto oom;
	unsigned n = 0;
	for (uint64_t off = 0; off < whole->len; off += part) {
		struct rt_http_body b = *whole;
		b.off = whole->off + off;
		b.len = whole->len - off < part ? whole->len - off : part;
		if (b.fd < 0) {
			b.mem = whole->mem + off;
			b.off = 0;
		}
		n++;
		snprintf(num, sizeof num, "%u", n);
		struct rt_kv q[] = { { "partNumber", num }, { "uploadId", upload_id } };
		if (put_body(s, &b, q, 2, etag, sizeof etag) < 0) {
			rt_msg_prefix(s->err, "part %u", n);
			goto abort;
		}
		if (base_buf_printf(&xml, "<Part><PartNumber>%u</PartNumber><ETag>%s</ETag></Part>", n, etag) < 0)
			goto oom;
	}
	if (base_buf_printf(&xml, "</CompleteMultipartUpload>") < 0)
		goto oom;
	char sha[65];
	rt_sha256_hex(xml.data, xml.len, sha);
	struct rt_http_body xb = { .mem = (const uint8_t *)xml.data, .fd = -1, .len = xml.len };
	struct rt_kv q1[] = { { "uploadId", upload_id } };
	struct rt_kv extra[] = { { "content-type", "application/xml" } };
	struct rt_s3_call cc = {
		.method = "POST", .query = q1, .nquery = 1, .extra = extra, .nextra = 1,
		.body = &xb, .payload_hash = sha, .out_fd = -1,
	};
	if (rt_s3_call(s, &cc, &resp) < 0)
		goto abort;
	/* a 200 may still carry an <Error> */
	if (resp.status != 200 || memmem(resp.body.data, resp.body.len, "<Error>", 7) != NULL) {
		rt_s3_fail(s, &resp, "write");
		goto abort;
	}
	rc = 0;
	goto out;
oom:
	rt_msgf(s->err, "out of memory");
abort:
	abort_upload(s, upload_id);
out:
	base_buf_free(&xml);
	rt_http_resp_free(&resp);
	return rc;
}

int rt_s3_upload(struct rt_s3 *s, const struct rt_http_body *b)
{
	uint64_t threshold = (uint64_t)rt_env_ll("FLYTEC_S3_MULTIPART_THRESHOLD", (long long)(64 * MIB));
	char etag[128];

	if (b->len > threshold && b->len > MIN_PART)
		return multipart(s, b);
	return put_body(s, b, NULL, 0, etag, sizeof etag);
}
