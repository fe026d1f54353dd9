/*
 * sigv4.c: AWS Signature Version 4 (HMAC-SHA256 through OpenSSL).
 *
 * The canonical request is
 *   METHOD \n URI \n QUERY \n HEADERS \n SIGNED-HEADERS \n PAYLOAD-HASH
 * with the query parameters percent-encoded (RFC 3986) and sorted by name
 * then value, and the headers lowercase, trimmed and sorted; the string to
 * sign is "AWS4-HMAC-SHA256", the date, the scope and the hash of the
 * canonical request; the key is derived from the secret through the date,
 * region, service and "aws4_request".
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "aws.h"

#define MAX_PARAMS 64

void rt_hex(const uint8_t *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = 0;
}

void rt_sha256_hex(const void *p, size_t n, char *out)
{
	uint8_t md[SHA256_DIGEST_LENGTH];

	SHA256(p, n, md);
	rt_hex(md, sizeof md, out);
}

void rt_base64(const uint8_t *p, size_t n, char *out)
{
	EVP_EncodeBlock((unsigned char *)out, p, (int)n);
}

static bool unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.' || c == '~';
}

int rt_uri_encode(struct base_buf *b, const char *s, size_t n, bool keep_slash)
{
	static const char digits[] = "0123456789ABCDEF";

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (unreserved(c) || (keep_slash && c == '/')) {
			if (base_buf_putc(b, c) < 0)
				return -1;
		} else {
			char e[3] = { '%', digits[c >> 4], digits[c & 15] };
			if (base_buf_put(b, e, 3) < 0)
				return -1;
		}
	}
	return 0;
}

void rt_amz_date(time_t t, char *out)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

struct param {
	char *k, *v;   /* encoded */
};

static int cmp_param(const void *x, const void *y)
{
	const struct param *a = x, *b = y;
	int c = strcmp(a->k, b->k);
	return c != 0 ? c : strcmp(a->v, b->v);
}

static int cmp_header(const void *x, const void *y)
{
	const struct rt_kv *a = x, *b = y;
	return strcmp(a->k, b->k);
}

static char *encode_dup(const char *s, struct base_buf *tmp)
{
	tmp->len = 0;
	if (rt_uri_encode(tmp, s, strlen(s), false) < 0 || base_buf_putc(tmp, 0) < 0)
		return NULL;
	return strdup((const char *)tmp->data);
}

/* Appends a header value trimmed, inner runs of spaces folded to one. */
static int put_trimmed(struct base_buf *b, const char *v)
{
	while (*v == ' ' || *v == '\t')
		v++;
	size_t n = strlen(v);
	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	bool space = false;
	for (size_t i = 0; i < n; i++) {
		if (v[i] == ' ' || v[i] == '\t') {
			space = true;
			continue;
		}
		if (space && base_buf_putc(b, ' ') < 0)
			return -1;
		space = false;
		if (base_buf_putc(b, v[i]) < 0)
			return -1;
	}
	return 0;
}

static int hmac(const void *key, size_t keylen, const char *msg, uint8_t out[32])
{
	unsigned int len = 32;

	return HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)msg, strlen(msg), out,
		    &len) == NULL ? -1 : 0;
}

/* The query parameters encoded and sorted, joined into query (NUL-kept,
 * not counted); params[0..*np) hold the encoded copies (freed by the caller). */
static int canonical_query(const struct rt_sigv4 *s, struct param *params, size_t *np,
			   struct base_buf *query)
{
	struct base_buf tmp = { 0 };
	int rc = -1;

	for (; *np < s->nquery; (*np)++) {
		struct param *p = &params[*np];
		p->k = encode_dup(s->query[*np].k, &tmp);
		p->v = encode_dup(s->query[*np].v != NULL ? s->query[*np].v : "", &tmp);
		if (p->k == NULL || p->v == NULL) {
			free(p->k);
			free(p->v);
			goto out;
		}
	}
	qsort(params, *np, sizeof params[0], cmp_param);
	query->len = 0;
	for (size_t i = 0; i < *np; i++)
		if (base_buf_printf(query, "%s%s=%s", i ? "&" : "", params[i].k, params[i].v) < 0)
			goto out;
	if (base_buf_putc(query, 0) < 0)
		goto out;
	query->len--;
	rc = 0;
out:
	base_buf_free(&tmp);
	return rc;
}

/* The canonical request into cr, and the signed-headers list into
 * signed_hdrs (NUL-terminated). */
static int canonical_request(const struct rt_sigv4 *s, const struct base_buf *query,
			     struct base_buf *cr, struct base_buf *signed_hdrs)
{
	struct rt_kv headers[MAX_PARAMS];

	memcpy(headers, s->headers, s->nheaders * sizeof headers[0]);
	qsort(headers, s->nheaders, sizeof headers[0], cmp_header);
	if (base_buf_printf(cr, "%s\n%s\n%s\n", s->method, s->path, query->len ? (char *)query->data : "") < 0)
		return -1;
	for (size_t i = 0; i < s->nheaders; i++)
		if (base_buf_printf(cr, "%s:", headers[i].k) < 0 || put_trimmed(cr, headers[i].v) < 0 ||
		    base_buf_putc(cr, '\n') < 0)
			return -1;
	if (base_buf_putc(cr, '\n') < 0)
		return -1;
	for (size_t i = 0; i < s->nheaders; i++)
		if (base_buf_printf(signed_hdrs, "%s%s", i ? ";" : "", headers[i].k) < 0)
			return -1;
	if (base_buf_putc(signed_hdrs, 0) < 0)
		return -1;
	return base_buf_printf(cr, "%s\n%s", (char *)signed_hdrs->data, s->payload_hash) < 0 ? -1 : 0;
}

/* "AWS4-HMAC-SHA256", the time, the scope and the canonical request's
 * hash, NUL-terminated. */
static int string_to_sign(const struct rt_sigv4 *s, const char *date, const struct base_buf *cr,
			  struct base_buf *sts)
{
	char crhash[65];

	rt_sha256_hex(cr->data, cr->len, crhash);
	if (base_buf_printf(sts, "AWS4-HMAC-SHA256\n%s\n%s/%s/%s/aws4_request\n%s", s->amz_date, date,
			  s->region, s->service, crhash) < 0)
		return -1;
	return base_buf_putc(sts, 0);
}

/* kSecret = "AWS4" + secret; kDate, kRegion, kService, kSigning; the
 * signature of sts in hex. */
static int signature(const struct rt_sigv4 *s, const char *date, const char *sts, char sighex[65])
{
	size_t sl = strlen(s->secret_key);
	char *ksecret = malloc(sl + 5);
	uint8_t k1[32], k2[32], k3[32], k4[32], sig[32];

	if (ksecret == NULL)
		return -1;
	memcpy(ksecret, "AWS4", 4);
	memcpy(ksecret + 4, s->secret_key, sl + 1);
	int h = hmac(ksecret, sl + 4, date, k1);
	OPENSSL_cleanse(ksecret, sl + 4);
	free(ksecret);
	if (h < 0 || hmac(k1, 32, s->region, k2) < 0 || hmac(k2, 32, s->service, k3) < 0 ||
	    hmac(k3, 32, "aws4_request", k4) < 0 || hmac(k4, 32, sts, sig) < 0)
		return -1;
	rt_hex(sig, 32, sighex);
	OPENSSL_cleanse(k4, sizeof k4);
	return 0;
}

/* out = p[0..n), NUL-kept and not counted. */
static int put_terminated(struct base_buf *out, const void *p, size_t n)
{
	out->len = 0;
	if (base_buf_put(out, p, n) < 0 || base_buf_putc(out, 0) < 0)
		return -1;
	out->len--;
	return 0;
}

int rt_sigv4_sign(const struct rt_sigv4 *s, struct base_buf *query, struct base_buf *auth,
		  struct base_buf *canon)
{
	struct param params[MAX_PARAMS];
	struct base_buf cr = { 0 }, signed_hdrs = { 0 }, sts = { 0 };
	size_t np = 0;
	char date[9], sighex[65];
	int rc = -1;

	if (s->nquery > MAX_PARAMS || s->nheaders > MAX_PARAMS)
		return -1;
	memcpy(date, s->amz_date, 8);
	date[8] = 0;
	if (canonical_query(s, params, &np, query) < 0 ||
	    canonical_request(s, query, &cr, &signed_hdrs) < 0 ||
	    string_to_sign(s, date, &cr, &sts) < 0 ||
	    signature(s, date, (const char *)sts.data, sighex) < 0)
		goto out;
	auth->len = 0;
	if (base_buf_printf(auth, "AWS4-HMAC-SHA256 Credential=%s/%s/%s/%s/aws4_request, "
			  "SignedHeaders=%s, Signature=%s", s->access_key, date, s->region, s->service,
			  (char *)signed_hdrs.data, sighex) < 0 || base_buf_putc(auth, 0) < 0)
		goto out;
	auth->len--;
	if (canon != NULL && put_terminated(canon, cr.data, cr.len) < 0)
		goto out;
	rc = 0;
out:
	for (size_t i = 0; i < np; i++) {
		free(params[i].k);
		free(params[i].v);
	}
	base_buf_free(&cr);
	base_buf_free(&signed_hdrs);
	base_buf_free(&sts);
	return rc;
}
