/*
 * azure_blocks.c: uploads and listings of the abfs:// backend.
 *
 * A body of at most FLYTEC_AZURE_BLOCK_SIZE bytes (16 MiB; 1 MiB to 4000
 * MiB) is one Put Blob; a larger one is staged in blocks of that size (Put
 * Block, read from the file as it is sent: memory stays bounded) and
 * committed with Put Block List, which also records the whole blob's MD5.
 * Every request carries its body's Content-MD5. Blocks of a failed upload
 * stay uncommitted: the service discards them (after a week) and the blob,
 * if it existed, is unchanged.
 *
 * List Blobs pages through a prefix with its continuation marker
 * (FLYTEC_AZURE_LIST_PAGE names per page, 5000).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "azure.h"

#define MIB (1024ULL * 1024ULL)
#define MAX_BLOCKS 50000
#define LIST_LIMIT (16u * 1024u * 1024u)

/* MD5 of a body (and into whole, when not NULL). */
static int md5_body(const struct rt_http_body *b, uint8_t *md5, EVP_MD_CTX *whole, const char *uri,
		    struct rt_msg *err)
{
	EVP_MD_CTX *mc = EVP_MD_CTX_new();
	int rc = -1;

	if (mc == NULL || EVP_DigestInit_ex(mc, EVP_md5(), NULL) != 1) {
		rt_msgf(err, "%s: cannot set up hashing", uri);
		goto out;
	}
	if (b->fd < 0) {
		EVP_DigestUpdate(mc, b->mem, b->len);
		if (whole != NULL)
			EVP_DigestUpdate(whole, b->mem, b->len);
	} else {
		static const size_t chunk = 1 << 20;
		uint8_t *buf = malloc(chunk);
		if (buf == NULL) {
			rt_msgf(err, "out of memory");
			goto out;
		}
		for (uint64_t done = 0; done < b->len;) {
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
			EVP_DigestUpdate(mc, buf, (size_t)r);
			if (whole != NULL)
				EVP_DigestUpdate(whole, buf, (size_t)r);
			done += (uint64_t)r;
		}
		free(buf);
	}
	EVP_DigestFinal_ex(mc, md5, NULL);
	rc = 0;
out:
	EVP_MD_CTX_free(mc);
	return rc;
}

/* PUTs one body (query: a block, a block list, or none: the blob), with
 * its MD5 and the more headers; the service must answer 201. */
static int put(struct rt_az *z, const struct rt_http_body *b, const uint8_t *md5, const struct rt_kv *query,
	       size_t nq, const struct rt_kv *more, size_t nmore)
{
	char md5b64[32];
	struct rt_kv hdr[8];
	struct rt_http_resp resp = { 0 };
	int rc = -1;

	rt_base64(md5, 16, md5b64);
	hdr[0] = (struct rt_kv){ "content-md5", md5b64 };
	for (size_t i = 0; i < nmore && i < 7; i++)
		hdr[1 + i] = more[i];
	struct rt_az_call c = {
		.method = "PUT", .query = query, .nquery = nq, .headers = hdr, .nheaders = 1 + (nmore < 7 ? nmore : 7),
		.body = b, .out_fd = -1,
	};
	if (rt_az_call(z, &c, &resp) < 0)
		goto out;
	if (resp.status != 201) {
		rt_az_fail(z, &resp, "write");
		goto out;
	}
	if (nq == 0 && resp.content_md5[0] != 0 && strcmp(resp.content_md5, md5b64) != 0) {
		rt_msgf(z->err, "%s: the service's Content-MD5 %s is not the MD5 %s of the bytes sent", z->u->uri,
			resp.content_md5, md5b64);
		goto out;
	}
	rc = 0;
out:
	rt_http_resp_free(&resp);
	return rc;
}

/* Block IDs: base64 of one fixed-length string per block (all the same length). */
static void block_id(unsigned n, char *out)
{
	char raw[24];
	snprintf(raw, sizeof raw, "flytec-block-%06u", n);
	rt_base64((const uint8_t *)raw, strlen(raw), out);
}

static int blocks(struct rt_az *z, const struct rt_http_body *whole, uint64_t size)
{
	struct base_buf xml = { 0 };
	EVP_MD_CTX *all = EVP_MD_CTX_new();
	uint8_t md5[16], allmd5[16];
	char id[48], allb64[32];
	int rc = -1;

	if (all == NULL || EVP_DigestInit_ex(all, EVP_md5(), NULL) != 1)
		return rt_msgf(z->err, "%s: cannot set up hashing", z->u->uri);
	if ((whole->len + size - 1) / size > MAX_BLOCKS)
		size = (whole->len + MAX_BLOCKS - 1) / MAX_BLOCKS;
	if (base_buf_printf(&xml, "<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>") < 0)
		goto oom;
	unsigned n = 0;
	for (uint64_t off = 0; off < whole->len; off += size) {
		struct rt_http_body b = *whole;
		b.len = whole->len - off < size ? whole->len - off : size;
		if (b.fd < 0)
			b.mem = whole->mem + off;
		else
			b.off = whole->off + off;
		block_id(++n, id);
		struct rt_kv q[] = { { "comp", "block" }, { "blockid", id } };
		if (md5_body(&b, md5, all, z->u->uri, z->err) < 0 || put(z, &b, md5, q, 2, NULL, 0) < 0) {
			rt_msg_prefix(z->err, "block %u", n);
			goto out;
		}
		if (base_buf_printf(&xml, "<Latest>%s</Latest>", id) < 0)
			goto oom;
	}
	if (base_buf_printf(&xml, "</BlockList>") < 0)
		goto oom;
	EVP_DigestFinal_ex(all, allmd5, NULL);
	rt_base64(allmd5, 16, allb64);
	struct rt_http_body xb = { .mem = (const uint8_t *)xml.data, .fd = -1, .len = xml.len };
	struct rt_kv q[] = { { "comp", "blocklist" } };
	struct rt_kv more[] = { { "x-ms-blob-content-md5", allb64 } };
	if (md5_body(&xb, md5, NULL, z->u->uri, z->err) < 0 || put(z, &xb, md5, q, 1, more, 1) < 0)
		goto out;
	rc = 0;
	goto out;
oom:
	rt_msgf(z->err, "out of memory");
out:
	EVP_MD_CTX_free(all);
	base_buf_free(&xml);
	return rc;
}

int rt_az_upload(struct rt_az *z, const struct rt_http_body *b)
{
	uint64_t size = (uint64_t)rt_env_ll("FLYTEC_AZURE_BLOCK_SIZE", (long long)(16 * MIB));
	uint8_t md5[16];

	if (size < MIB)
		size = MIB;
	if (size > 4000 * MIB)
		size = 4000 * MIB;
	if (b->len > size)
		return blocks(z, b, size);
	struct rt_kv more[] = { { "x-ms-blob-type", "BlockBlob" } };
	if (md5_body(b, md5, NULL, z->u->uri, z->err) < 0)
		return -1;
	return put(z, b, md5, NULL, 0, more, 1);
}

/* ---- List Blobs ---------------------------------------------------------------------------- */
/* Appends the names of one page's <Blob>s; its NextMarker (or NULL) in *next. */
static int page_names(struct rt_arena *a, const struct base_buf *body, char ***keys, size_t *n, size_t *cap,
		      char **next, struct rt_msg *err)
{
	const char *p = (const char *)body->data, *end = p + body->len;
	char marker[1024] = "";

	*next = NULL;
	while (p != NULL && (p = memmem(p, (size_t)(end - p), "<Blob>", 6)) != NULL) {
		const char *s = memmem(p, (size_t)(end - p), "<Name>", 6);
		const char *e = s != NULL ? memmem(s, (size_t)(end - s), "</Name>", 7) : NULL;
		if (e == NULL)
			return rt_msgf(err, "a listing with a <Blob> without a <Name>");
		s += 6;
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
		char *name = rt_arena_alloc(a, (size_t)(e - s) + 1);
		if (name == NULL)
			return rt_msgf(err, "out of memory");
		rt_xml_decode(s, (size_t)(e - s), name, (size_t)(e - s) + 1);
		(*keys)[(*n)++] = name;
		p = e + 7;
	}
	if (rt_xml_text((const char *)body->data, body->len, "NextMarker", marker, sizeof marker) == 0 &&
	    marker[0] != 0 && (*next = rt_arena_strdup(a, marker)) == NULL)
		return rt_msgf(err, "out of memory");
	return 0;
}

int rt_az_list(const struct rt_store_uri *u, struct rt_arena *a, char ***keys, size_t *n, struct rt_msg *err)
{
	struct rt_http_resp resp = { 0 };
	char *marker = NULL, page[24];
	size_t cap = 0;
	int rc = -1;

	*keys = NULL;
	*n = 0;
	struct rt_az *z = rt_az_open(u, err);
	if (z == NULL)
		return -1;
	long long per = rt_env_ll("FLYTEC_AZURE_LIST_PAGE", 5000);
	snprintf(page, sizeof page, "%lld", per >= 1 && per <= 5000 ? per : 5000);
	do {
		struct rt_kv q[5];
		size_t nq = 0;
		q[nq++] = (struct rt_kv){ "restype", "container" };
		q[nq++] = (struct rt_kv){ "comp", "list" };
		q[nq++] = (struct rt_kv){ "prefix", u->key };
		q[nq++] = (struct rt_kv){ "maxresults", page };
		if (marker != NULL)
			q[nq++] = (struct rt_kv){ "marker", marker };
		struct rt_az_call c = { .method = "GET", .container_level = true, .query = q, .nquery = nq,
					.out_fd = -1, .limit = LIST_LIMIT };
		if (rt_az_call(z, &c, &resp) < 0)
			goto out;
		if (resp.status != 200) {
			rt_az_fail(z, &resp, "list");
			goto out;
		}
		if (page_names(a, &resp.body, keys, n, &cap, &marker, err) < 0)
			goto out;
	} while (marker != NULL);
	rc = 0;
out:
	rt_http_resp_free(&resp);
	rt_az_close(z);
	return rc;
}
