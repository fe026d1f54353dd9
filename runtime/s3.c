/*
 * s3.c: the s3:// backend. Requests are signed here (Signature V4,
 * sigv4.c) and sent through libcurl (http.c).
 *
 * Endpoint: FLYTE_AWS_ENDPOINT, AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL
 * (path-style: ENDPOINT/bucket/key), else AWS itself (virtual-hosted:
 * https://bucket.s3.REGION.amazonaws.com/key; path-style for bucket names
 * with dots). A wrong-region answer is retried once in the region the
 * store names, and that region is remembered for the bucket.
 *
 * Reliability: up to FLYTEC_S3_MAX_ATTEMPTS attempts (5) on 5xx, 429,
 * SlowDown, RequestTimeout, timeouts and dropped connections, with
 * exponential backoff and full jitter (FLYTEC_S3_RETRY_BASE_MS, 200;
 * FLYTEC_S3_RETRY_MAX_MS, 10000); connect timeout
 * FLYTEC_S3_CONNECT_TIMEOUT_MS (10000); a transfer stalled below 1 byte/s
 * for FLYTEC_S3_LOW_SPEED_TIME seconds (30) is abandoned.
 *
 * Integrity: every upload carries Content-MD5 and x-amz-content-sha256 of
 * its bytes; a plain-MD5 ETag is checked after a PUT and a GET.
 * Uploads (single PUT or multipart) are in s3_upload.c.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "aws.h"
#include "store.h"
#include "s3_impl.h"

/* ---- the region of each bucket seen redirected ----------------------------------- */
#define REGION_CACHE 32
static pthread_mutex_t region_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	char bucket[64];
	char region[64];
} regions[REGION_CACHE];
static unsigned region_next;

static void region_remember(const char *bucket, const char *region)
{
	pthread_mutex_lock(&region_lock);
	unsigned i = region_next++ % REGION_CACHE;
	snprintf(regions[i].bucket, sizeof regions[i].bucket, "%s", bucket);
	snprintf(regions[i].region, sizeof regions[i].region, "%s", region);
	pthread_mutex_unlock(&region_lock);
}

static bool region_lookup(const char *bucket, char *out, size_t n)
{
	bool found = false;

	pthread_mutex_lock(&region_lock);
	for (unsigned i = 0; i < REGION_CACHE && !found; i++)
		if (regions[i].bucket[0] != 0 && strcmp(regions[i].bucket, bucket) == 0) {
			snprintf(out, n, "%s", regions[i].region);
			found = true;
		}
	pthread_mutex_unlock(&region_lock);
	return found;
}

/* ---- setup --------------------------------------------------------------------------- */
static int parse_endpoint(struct rt_s3_endpoint *ep, const char *var, const char *v, struct rt_msg *err)
{
	const char *p = v;
	const char *sep = strstr(v, "://");

	ep->custom = true;
	ep->var = var;
	if (sep != NULL) {
		size_t n = (size_t)(sep - v);
		if (!((n == 4 && strncasecmp(v, "http", 4) == 0) || (n == 5 && strncasecmp(v, "https", 5) == 0)))
			return rt_msgf(err, "%s='%s': the endpoint must be an http:// or https:// URL", var, v);
		snprintf(ep->scheme, sizeof ep->scheme, "%.*s", (int)n, v);
		for (char *c = ep->scheme; *c; c++)
			*c = (char)(*c | 0x20);
		p = sep + 3;
	} else {
		snprintf(ep->scheme, sizeof ep->scheme, "https");
	}
	size_t hl = strcspn(p, "/?#");
	if (hl == 0 || hl >= sizeof ep->host)
		return rt_msgf(err, "%s='%s': no host in the endpoint", var, v);
	for (size_t i = 0; i < hl; i++)
		if ((unsigned char)p[i] <= ' ' || p[i] == '@')
			return rt_msgf(err, "%s='%s': the endpoint's host is not valid", var, v);
	memcpy(ep->host, p, hl);
	ep->host[hl] = 0;
	const char *path = p + hl;
	if (*path == '?' || *path == '#')
		return rt_msgf(err, "%s='%s': the endpoint may not hold a query", var, v);
	size_t pl = strlen(path);
	while (pl > 0 && path[pl - 1] == '/')
		pl--;
	if (pl >= sizeof ep->prefix)
		return rt_msgf(err, "%s='%s': the endpoint's path is too long", var, v);
	memcpy(ep->prefix, path, pl);
	ep->prefix[pl] = 0;
	return 0;
}

static bool dns_bucket(const char *b)
{
	size_t n = strlen(b);
	if (n < 3 || n > 63)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((b[i] >= 'a' && b[i] <= 'z') || (b[i] >= '0' && b[i] <= '9') || b[i] == '-'))
			return false;
	return b[0] != '-' && b[n - 1] != '-';
}

/* The endpoint for the current region. */
static void aws_endpoint(struct rt_s3 *s)
{
	snprintf(s->ep.scheme, sizeof s->ep.scheme, "https");
	if (dns_bucket(s->u->bucket))
		snprintf(s->ep.host, sizeof s->ep.host, "%s.s3.%s.amazonaws.com", s->u->bucket, s->region);
	else
		snprintf(s->ep.host, sizeof s->ep.host, "s3.%s.amazonaws.com", s->region);
	s->ep.prefix[0] = 0;
	snprintf(s->shown, sizeof s->shown, "https://%s", s->ep.host);
}

struct rt_s3 *rt_s3_open(const struct rt_store_uri *u, struct rt_msg *err)
{
	static const char *const vars[] = { "FLYTE_AWS_ENDPOINT", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", NULL };
	const char *var = NULL;

	if (rt_http_init(err) < 0)
		return NULL;
	struct rt_s3 *s = calloc(1, sizeof *s);
	if (s == NULL) {
		rt_msgf(err, "out of memory");
		return NULL;
	}
	s->u = u;
	s->err = err;
	s->max_attempts = (int)rt_env_ll("FLYTEC_S3_MAX_ATTEMPTS", 5);
	if (s->max_attempts < 1)
		s->max_attempts = 1;
	if (s->max_attempts > 50)
		s->max_attempts = 50;
	s->base_ms = (long)rt_env_ll("FLYTEC_S3_RETRY_BASE_MS", 200);
	s->cap_ms = (long)rt_env_ll("FLYTEC_S3_RETRY_MAX_MS", 10000);
	s->connect_ms = (long)rt_env_ll("FLYTEC_S3_CONNECT_TIMEOUT_MS", 10000);
	s->low_speed_s = (long)rt_env_ll("FLYTEC_S3_LOW_SPEED_TIME", 30);
	if (!region_lookup(u->bucket, s->region, sizeof s->region))
		rt_aws_region(s->region, sizeof s->region);
	const char *v = rt_env_first(vars, &var);
	if (v != NULL) {
		if (parse_endpoint(&s->ep, var, v, err) < 0) {
			free(s);
			return NULL;
		}
		snprintf(s->shown, sizeof s->shown, "%s://%s%s", s->ep.scheme, s->ep.host, s->ep.prefix);
	} else {
		aws_endpoint(s);
	}
	s->h = curl_easy_init();
	if (s->h == NULL) {
		free(s);
		rt_msgf(err, "cannot make a curl handle");
		return NULL;
	}
	return s;
}

void rt_s3_close(struct rt_s3 *s)
{
	if (s == NULL)
		return;
	curl_easy_cleanup(s->h);
	OPENSSL_cleanse(&s->creds, sizeof s->creds);
	free(s);
}

/* ---- one request, signed, with retries ---------------------------------------------- */

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Full jitter: a random time in [0, min(cap, base * 2^(attempt - 1))]. */
static void backoff(const struct rt_s3 *s, int attempt)
{
	long top = s->base_ms;
	for (int i = 1; i < attempt && top < s->cap_ms; i++)
		top *= 2;
	if (top > s->cap_ms)
		top = s->cap_ms;
	uint32_t r = 0;
	if (RAND_bytes((unsigned char *)&r, sizeof r) != 1)
		r = (uint32_t)rand();
	if (top > 0)
		sleep_ms((long)(r % (uint32_t)(top + 1)));
}

static void error_code(const struct rt_http_resp *r, char *code, size_t n)
{
	code[0] = 0;
	rt_xml_text((const char *)r->body.data, r->body.len, "Code", code, n);
}

static bool retryable(const struct rt_http_resp *r)
{
	char code[128];

	if (r->status == 501)
		return false;
	if (r->status >= 500 || r->status == 429)
		return true;
	error_code(r, code, sizeof code);
	return strcmp(code, "SlowDown") == 0 || strcmp(code, "RequestTimeout") == 0 ||
	       strcmp(code, "Throttling") == 0 || strcmp(code, "InternalError") == 0;
}

/* The region a wrong-region answer names, or "". */
static void other_region(const struct rt_s3 *s, const struct rt_http_resp *r, char *out, size_t n)
{
	out[0] = 0;
	if (r->status != 301 && r->status != 307 && r->status != 400 && r->status != 403)
		return;
	if (r->bucket_region[0] != 0) {
		snprintf(out, n, "%s", r->bucket_region);
	} else {
		char code[128];
		error_code(r, code, sizeof code);
		if (strcmp(code, "PermanentRedirect") == 0 || strcmp(code, "AuthorizationHeaderMalformed") == 0 ||
		    strcmp(code, "IllegalLocationConstraintException") == 0)
			rt_xml_text((const char *)r->body.data, r->body.len, "Region", out, n);
	}
	if (strcmp(out, s->region) == 0)
		out[0] = 0;
}

static int add_header(struct curl_slist **l, const char *name, const char *value)
{
	struct base_buf b = { 0 };
	if (base_buf_printf(&b, "%s: %s", name, value) < 0)
		return -1;
	struct curl_slist *n = curl_slist_append(*l, (char *)b.data);
	base_buf_free(&b);
	if (n == NULL)
		return -1;
	*l = n;
	return 0;
}

/* Builds, signs and sends one request. */
static int send_once(struct rt_s3 *s, const struct rt_s3_call *c, struct rt_http_resp *resp)
{
	struct base_buf path = { 0 }, query = { 0 }, auth = { 0 }, url = { 0 };
	struct rt_kv hdr[24];
	size_t nh = 0;
	char date[17];
	const char *ph = c->payload_hash != NULL ? c->payload_hash : RT_SHA256_EMPTY;
	struct curl_slist *list = NULL;
	int rc = -1;

	if (c->nextra > 16)
		return rt_msgf(s->err, "too many headers");
	if (base_buf_put(&path, s->ep.prefix, strlen(s->ep.prefix)) < 0)
		goto oom;
	if (!s->ep.custom && dns_bucket(s->u->bucket)) {
		if (base_buf_putc(&path, '/') < 0)
			goto oom;
	} else {
		if (base_buf_putc(&path, '/') < 0 ||
		    rt_uri_encode(&path, s->u->bucket, strlen(s->u->bucket), false) < 0 ||
		    base_buf_putc(&path, '/') < 0)
			goto oom;
	}
	if (rt_uri_encode(&path, s->u->key, strlen(s->u->key), true) < 0)
		goto oom;

	rt_amz_date(time(NULL), date);
	hdr[nh++] = (struct rt_kv){ "host", s->ep.host };
	hdr[nh++] = (struct rt_kv){ "x-amz-content-sha256", ph };
	hdr[nh++] = (struct rt_kv){ "x-amz-date", date };
	if (s->creds.token[0] != 0)
		hdr[nh++] = (struct rt_kv){ "x-amz-security-token", s->creds.token };
	for (size_t i = 0; i < c->nextra; i++)
		hdr[nh++] = c->extra[i];
	struct rt_sigv4 sig = {
		.method = c->method, .path = (const char *)path.data, .query = c->query, .nquery = c->nquery,
		.headers = hdr, .nheaders = nh, .payload_hash = ph, .region = s->region, .service = "s3",
		.access_key = s->creds.access_key, .secret_key = s->creds.secret_key, .amz_date = date,
	};
	if (rt_sigv4_sign(&sig, &query, &auth, NULL) < 0)
		goto oom;
	if (base_buf_printf(&url, "%s://%s%s%s%s", s->ep.scheme, s->ep.host, (char *)path.data,
			  query.len ? "?" : "", query.len ? (char *)query.data : "") < 0)
		goto oom;
	for (size_t i = 0; i < nh; i++)
		if (add_header(&list, hdr[i].k, hdr[i].v) < 0)
			goto oom;
	if (add_header(&list, "authorization", (char *)auth.data) < 0)
		goto oom;
	/* no 100-continue round trip; no Accept/Content-Type curl would add */
	struct curl_slist *n = curl_slist_append(list, "Expect:");
	if (n == NULL)
		goto oom;
	list = n;
	if (c->body != NULL && c->nextra == 0) {
		n = curl_slist_append(list, "Content-Type:");
		if (n == NULL)
			goto oom;
		list = n;
	}
	struct rt_http_req r = {
		.method = c->method, .url = (const char *)url.data, .headers = list, .body = c->body,
		.out_fd = c->out_fd, .limit = c->limit, .md5 = c->md5,
		.connect_timeout_ms = s->connect_ms, .low_speed_time_s = s->low_speed_s,
	};
	rc = rt_http_do(s->h, &r, resp) < 0 ? 1 : 0;
	goto out;
oom:
	rc = rt_msgf(s->err, "out of memory");
out:
	curl_slist_free_all(list);
	base_buf_free(&path);
	base_buf_free(&query);
	base_buf_free(&auth);
	base_buf_free(&url);
	return rc;
}

/* 0: a final response in resp (any status); -1: failed (message set). */
int rt_s3_call(struct rt_s3 *s, const struct rt_s3_call *c, struct rt_http_resp *resp)
{
	bool refreshed = false;

	s->region_retried = false;
	for (int attempt = 1;; attempt++) {
		s->attempts = attempt;
		resp->body.len = 0;
		resp->written = 0;
		resp->too_big = false;
		resp->write_errno = 0;
		resp->etag[0] = resp->request_id[0] = 0;
		if (c->out_fd >= 0 && (ftruncate(c->out_fd, 0) < 0 || lseek(c->out_fd, 0, SEEK_SET) < 0))
			return rt_msgf(s->err, "%s: cannot rewind the temporary file: %s", s->u->uri, strerror(errno));
		if (c->md5 != NULL)
			EVP_DigestInit_ex(c->md5, EVP_md5(), NULL);
		if (rt_aws_creds_get(&s->creds, s->err) < 0)
			return rt_msg_prefix(s->err, "%s", s->u->uri);
		int r = send_once(s, c, resp);
		if (r < 0)
			return -1;
		if (r > 0) {
			if (resp->too_big)
				return 0;
			if (resp->write_errno != 0)
				return rt_msgf(s->err, "%s: cannot write the download: %s", s->u->uri,
					       strerror(resp->write_errno));
			if (rt_http_transient(resp->cc) && attempt < s->max_attempts) {
				backoff(s, attempt);
				continue;
			}
			return rt_msgf(s->err, "%s: cannot reach the store at %s: %s (%d attempt%s)%s%s%s",
				       s->u->uri, s->shown, resp->cerr, attempt, attempt == 1 ? "" : "s",
				       s->ep.custom ? "; check " : "", s->ep.custom ? s->ep.var : "",
				       s->ep.custom ? " and that the store is up" : "");
		}
		char region[64];
		other_region(s, resp, region, sizeof region);
		if (region[0] != 0 && !s->region_retried) {
			s->region_retried = true;
			snprintf(s->region, sizeof s->region, "%s", region);
			region_remember(s->u->bucket, region);
			if (!s->ep.custom)
				aws_endpoint(s);
			attempt--;
			continue;
		}
		char code[128];
		error_code(resp, code, sizeof code);
		if (!refreshed && (strcmp(code, "ExpiredToken") == 0 || strcmp(code, "TokenRefreshRequired") == 0)) {
			refreshed = true;
			rt_aws_creds_forget();
			attempt--;
			continue;
		}
		if (retryable(resp) && attempt < s->max_attempts) {
			backoff(s, attempt);
			continue;
		}
		return 0;
	}
}

/* An error message for a failed response. Returns -1. */
int rt_s3_fail(struct rt_s3 *s, const struct rt_http_resp *r, const char *what)
{
	char code[128] = "", message[512] = "", hint[4096];
	const struct rt_store_uri *u = s->u;
	const char *body = (const char *)r->body.data;

	error_code(r, code, sizeof code);
	rt_xml_text(body, r->body.len, "Message", message, sizeof message);
	if (code[0] == 0) {
		const char *c = r->status == 404 ? "NotFound" : r->status == 403 ? "Forbidden" :
				r->status == 400 ? "BadRequest" : r->status == 301 ? "PermanentRedirect" :
				r->status >= 500 ? "ServerError" : "Error";
		snprintf(code, sizeof code, "%s", c);
	}
	if (strcmp(code, "SignatureDoesNotMatch") == 0)
		snprintf(hint, sizeof hint, "the secret key does not match the access key ID %s (credentials from %s); "
			 "check AWS_SECRET_ACCESS_KEY or the profile's aws_secret_access_key",
			 s->creds.access_key, s->creds.source);
	else if (strcmp(code, "InvalidAccessKeyId") == 0)
		snprintf(hint, sizeof hint, "the store at %s does not know the access key ID %s (credentials from %s)",
			 s->shown, s->creds.access_key, s->creds.source);
	else if (strcmp(code, "NoSuchBucket") == 0)
		snprintf(hint, sizeof hint, "there is no bucket '%s' at %s", u->bucket, s->shown);
	else if (strcmp(code, "NoSuchKey") == 0 || strcmp(code, "NotFound") == 0)
		snprintf(hint, sizeof hint, "there is no object '%s' in bucket '%s' at %s", u->key, u->bucket, s->shown);
	else if (strcmp(code, "AccessDenied") == 0 || strcmp(code, "Forbidden") == 0)
		snprintf(hint, sizeof hint, "the credentials from %s (access key ID %s) may not %s it; check the "
			 "bucket policy and the permissions of the user or role", s->creds.source,
			 s->creds.access_key, what);
	else if (strcmp(code, "ExpiredToken") == 0 || strcmp(code, "InvalidToken") == 0)
		snprintf(hint, sizeof hint, "the session token from %s has expired or is not valid", s->creds.source);
	else if (strcmp(code, "PermanentRedirect") == 0 || strcmp(code, "AuthorizationHeaderMalformed") == 0)
		snprintf(hint, sizeof hint, "the bucket is not in region %s; set AWS_REGION to the bucket's region",
			 s->region);
	else if (strcmp(code, "RequestTimeTooSkewed") == 0)
		snprintf(hint, sizeof hint, "this machine's clock is too far from the store's; correct the time");
	else
		snprintf(hint, sizeof hint, "the store at %s refused to %s it%s%s", s->shown, what,
			 message[0] ? ": " : "", message);
	if (s->attempts > 1)
		return rt_msgf(s->err, "%ld %s on %s: %s (%d attempts)", r->status, code, u->uri, hint, s->attempts);
	return rt_msgf(s->err, "%ld %s on %s: %s", r->status, code, u->uri, hint);
}

/* ---- integrity -------------------------------------------------------------------------- */
/* The MD5 hex of a plain ETag ("\"<32 hex>\""), or false (multipart, KMS). */
bool rt_s3_plain_etag(const struct rt_http_resp *r, char *out)
{
	const char *e = r->etag;
	size_t n = strlen(e);

	if (r->sse[0] != 0 && strcmp(r->sse, "AES256") != 0)
		return false;   /* KMS and customer keys: the ETag is no MD5 */
	if (n >= 2 && e[0] == '"' && e[n - 1] == '"') {
		e++;
		n -= 2;
	}
	if (n != 32)
		return false;
	for (size_t i = 0; i < 32; i++) {
		char c = e[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
			return false;
		out[i] = (char)(c | 0x20);
	}
	out[32] = 0;
	return true;
}

/* ---- the backend ----------------------------------------------------------------------------- */
static int s3_put_file(const char *path, const struct rt_store_uri *u, struct rt_msg *err)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return rt_msgf(err, "cannot upload %s to %s: %s", path, u->uri, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return rt_msgf(err, "cannot upload %s to %s: not a regular file", path, u->uri);
	}
	struct rt_s3 *s = rt_s3_open(u, err);
	if (s == NULL) {
		close(fd);
		return -1;
	}
	struct rt_http_body b = { .fd = fd, .off = 0, .len = (uint64_t)st.st_size };
	int rc = rt_s3_upload(s, &b);
	rt_s3_close(s);
	close(fd);
	return rc;
}

static int s3_put_mem(const void *data, size_t len, const struct rt_store_uri *u, struct rt_msg *err)
{
	struct rt_s3 *s = rt_s3_open(u, err);
	if (s == NULL)
		return -1;
	struct rt_http_body b = { .mem = data, .fd = -1, .len = len };
	int rc = rt_s3_upload(s, &b);
	rt_s3_close(s);
	return rc;
}

/* GETs into fd (>= 0) or memory; checks length and ETag. */
static int get(struct rt_s3 *s, int fd, size_t limit, struct rt_http_resp *resp)
{
	EVP_MD_CTX *md5 = EVP_MD_CTX_new();
	uint8_t d[16];
	char hex[33], want[33];
	int rc = -1;

	if (md5 == NULL)
		return rt_msgf(s->err, "out of memory");
	struct rt_s3_call c = { .method = "GET", .out_fd = fd, .limit = limit, .md5 = md5 };
	/* bytes that do not match their length or ETag are fetched again, as
	 * often as a failed request would be */
	for (int tries = 1;; tries++) {
		if (rt_s3_call(s, &c, resp) < 0)
			goto out;
		if (resp->too_big) {
			rt_msgf(s->err, "%s is larger than the limit of %zu bytes", s->u->uri, limit);
			goto out;
		}
		if (resp->status != 200) {
			rt_s3_fail(s, resp, "read");
			goto out;
		}
		uint64_t got = fd >= 0 ? resp->written : resp->body.len;
		EVP_DigestFinal_ex(md5, d, NULL);
		rt_hex(d, 16, hex);
		if (resp->has_length && got != resp->content_length)
			rt_msgf(s->err, "%s: received %llu of %llu bytes", s->u->uri, (unsigned long long)got,
				(unsigned long long)resp->content_length);
		else if (rt_s3_plain_etag(resp, want) && strcmp(hex, want) != 0)
			rt_msgf(s->err, "%s: the bytes received have MD5 %s, not the ETag %s", s->u->uri, hex, want);
		else
			break;
		if (tries >= s->max_attempts) {
			struct rt_msg m = *s->err;
			rt_msgf(s->err, "%s (%d attempts)", m.text, tries);
			goto out;
		}
		backoff(s, tries);
	}
	rc = 0;
out:
	EVP_MD_CTX_free(md5);
	return rc;
}

/* The object into fd (rt_store_download makes the file). */
static int s3_fill(const struct rt_store_uri *u, int fd, struct rt_msg *err)
{
	struct rt_http_resp resp = { 0 };
	struct rt_s3 *s = rt_s3_open(u, err);
	int rc = s == NULL ? -1 : get(s, fd, 0, &resp);
	rt_http_resp_free(&resp);
	rt_s3_close(s);
	return rc;
}

static int s3_get_file(const struct rt_store_uri *u, const char *path, struct rt_msg *err)
{
	return rt_store_download(u, path, s3_fill, err);
}

static int s3_get_mem(const struct rt_store_uri *u, struct rt_arena *a, size_t limit, uint8_t **data,
		      size_t *len, struct rt_msg *err)
{
	struct rt_http_resp resp = { 0 };
	struct rt_s3 *s = rt_s3_open(u, err);
	int rc = -1;

	if (s == NULL)
		return -1;
	if (get(s, -1, limit ? limit : SIZE_MAX - 1, &resp) == 0) {
		uint8_t *p = rt_arena_alloc(a, resp.body.len + 1);
		if (p == NULL) {
			rt_msgf(err, "out of memory");
		} else {
			if (resp.body.len)
				memcpy(p, resp.body.data, resp.body.len);
			p[resp.body.len] = 0;
			*data = p;
			*len = resp.body.len;
			rc = 0;
		}
	}
	rt_http_resp_free(&resp);
	rt_s3_close(s);
	return rc;
}

static int s3_head(const struct rt_store_uri *u, struct rt_store_info *info, struct rt_msg *err)
{
	struct rt_http_resp resp = { 0 };
	struct rt_s3 *s = rt_s3_open(u, err);
	int rc = -1;

	if (s == NULL)
		return -1;
	struct rt_s3_call c = { .method = "HEAD", .out_fd = -1 };
	if (rt_s3_call(s, &c, &resp) == 0) {
		if (resp.status == 200) {
			if (info != NULL) {
				info->size = resp.content_length;
				const char *e = resp.etag;
				size_t n = strlen(e);
				if (n >= 2 && e[0] == '"' && e[n - 1] == '"') {
					e++;
					n -= 2;
				}
				snprintf(info->etag, sizeof info->etag, "%.*s", (int)n, e);
			}
			rc = 1;
		} else if (resp.status == 404) {
			rc = 0;
		} else {
			rt_s3_fail(s, &resp, "read");
		}
	}
	rt_http_resp_free(&resp);
	rt_s3_close(s);
	return rc;
}

const struct rt_store_backend rt_s3_backend = {
	.scheme = "s3",
	.get_file = s3_get_file,
	.get_mem = s3_get_mem,
	.put_file = s3_put_file,
	.put_mem = s3_put_mem,
	.head = s3_head,
	.list = rt_s3_list,
};
