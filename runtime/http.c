/*
 * http.c: one HTTP exchange through libcurl, for the object stores and the
 * credential services. Bodies stream from memory or a file range; a
 * successful response body streams to a file or into memory (bounded);
 * an error body is always kept (bounded) for its error code.
 *
 * TLS peers are always verified (system CAs; AWS_CA_BUNDLE or SSL_CERT_FILE
 * name another bundle); only http and https are spoken.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "aws.h"

#define ERROR_BODY_LIMIT (64 * 1024)
#define DEFAULT_MEM_LIMIT (1024 * 1024)

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static CURLcode init_rc = CURLE_FAILED_INIT;

static void init(void)
{
	init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int rt_http_init(struct rt_msg *err)
{
	pthread_once(&init_once, init);
	if (init_rc != CURLE_OK)
		return rt_msgf(err, "cannot initialize libcurl: %s", curl_easy_strerror(init_rc));
	return 0;
}

bool rt_http_transient(CURLcode cc)
{
	switch (cc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return true;
	default:
		return false;
	}
}

struct xfer {
	CURL *h;
	const struct rt_http_req *req;
	struct rt_http_resp *resp;
	uint64_t sent;
	long status;    /* known once the body starts */
};

static size_t on_read(char *buf, size_t size, size_t nitems, void *arg)
{
	struct xfer *x = arg;
	const struct rt_http_body *b = x->req->body;
	size_t want = size * nitems;
	uint64_t left = b->len - x->sent;

	if (want > left)
		want = (size_t)left;
	if (want == 0)
		return 0;
	if (b->fd < 0) {
		memcpy(buf, b->mem + x->sent, want);
	} else {
		ssize_t r;
		do
			r = pread(b->fd, buf, want, (off_t)(b->off + x->sent));
		while (r < 0 && errno == EINTR);
		if (r <= 0)
			return CURL_READFUNC_ABORT;
		want = (size_t)r;
	}
	x->sent += want;
	return want;
}

static int on_seek(void *arg, curl_off_t offset, int origin)
{
	struct xfer *x = arg;

	if (origin != SEEK_SET || offset < 0 || (uint64_t)offset > x->req->body->len)
		return CURL_SEEKFUNC_FAIL;
	x->sent = (uint64_t)offset;
	return CURL_SEEKFUNC_OK;
}

static size_t on_write(char *p, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;
	size_t n = size * nmemb;

	if (x->status == 0)
		curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &x->status);
	bool ok = x->status >= 200 && x->status < 300;
	if (ok && x->req->out_fd >= 0) {
		size_t done = 0;
		while (done < n) {
			ssize_t w = write(x->req->out_fd, p + done, n - done);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				x->resp->write_errno = w < 0 ? errno : ENOSPC;
				return 0;
			}
			done += (size_t)w;
		}
		x->resp->written += n;
	} else {
		size_t limit = !ok ? ERROR_BODY_LIMIT : x->req->limit ? x->req->limit : DEFAULT_MEM_LIMIT;
		if (x->resp->body.len + n > limit) {
			if (!ok)
				return n;   /* the start of an error body is enough */
			x->resp->too_big = true;
			return 0;
		}
		if (base_buf_put(&x->resp->body, p, n) < 0) {
			x->resp->write_errno = ENOMEM;
			return 0;
		}
	}
	if (ok && x->req->md5 != NULL)
		EVP_DigestUpdate(x->req->md5, p, n);
	return n;
}

/* Copies a header's value (trimmed, quotes kept) when its name matches. */
static bool header_is(const char *line, size_t n, const char *name, char *out, size_t outn)
{
	size_t nl = strlen(name);

	if (n <= nl || line[nl] != ':' || strncasecmp(line, name, nl) != 0)
		return false;
	const char *v = line + nl + 1;
	const char *e = line + n;
	while (v < e && (*v == ' ' || *v == '\t'))
		v++;
	while (e > v && (e[-1] == '\r' || e[-1] == '\n' || e[-1] == ' ' || e[-1] == '\t'))
		e--;
	size_t len = (size_t)(e - v);
	if (len >= outn)
		len = outn - 1;
	memcpy(out, v, len);
	out[len] = 0;
	return true;
}

static size_t on_header(char *p, size_t size, size_t nitems, void *arg)
{
	struct xfer *x = arg;
	size_t n = size * nitems;
	struct rt_http_resp *r = x->resp;
	char len[32];

	if (n >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		/* a new response (after a redirect or 100 Continue) */
		r->etag[0] = r->bucket_region[0] = r->sse[0] = 0;
		r->ms_error[0] = r->content_md5[0] = r->content_range[0] = 0;
		r->has_length = false;
		return n;
	}
	if (header_is(p, n, "ETag", r->etag, sizeof r->etag) ||
	    header_is(p, n, "x-amz-bucket-region", r->bucket_region, sizeof r->bucket_region) ||
	    header_is(p, n, "x-amz-server-side-encryption", r->sse, sizeof r->sse) ||
	    header_is(p, n, "x-amz-server-side-encryption-customer-algorithm", r->sse, sizeof r->sse) ||
	    header_is(p, n, "x-amz-request-id", r->request_id, sizeof r->request_id) ||
	    header_is(p, n, "x-ms-request-id", r->request_id, sizeof r->request_id) ||
	    header_is(p, n, "x-ms-error-code", r->ms_error, sizeof r->ms_error) ||
	    header_is(p, n, "Content-Range", r->content_range, sizeof r->content_range))
		return n;
	/* a whole blob's MD5 in a ranged answer is x-ms-blob-content-md5 */
	if (header_is(p, n, "x-ms-blob-content-md5", r->content_md5, sizeof r->content_md5) ||
	    (r->content_md5[0] == 0 && header_is(p, n, "Content-MD5", r->content_md5, sizeof r->content_md5)))
		return n;
	if (header_is(p, n, "Content-Length", len, sizeof len)) {
		char *end;
		errno = 0;
		unsigned long long v = strtoull(len, &end, 10);
		if (errno == 0 && end != len && *end == 0) {
			r->content_length = v;
			r->has_length = true;
		}
	}
	return n;
}

int rt_http_do(CURL *h, const struct rt_http_req *r, struct rt_http_resp *resp)
{
	struct xfer x = { .h = h, .req = r, .resp = resp };
	const char *ca = getenv("AWS_CA_BUNDLE");

	if (ca == NULL || *ca == 0)
		ca = getenv("SSL_CERT_FILE");
	resp->status = 0;
	resp->cc = CURLE_OK;
	resp->cerr[0] = 0;
	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, r->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (ca != NULL && *ca != 0)
		curl_easy_setopt(h, CURLOPT_CAINFO, ca);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, resp->cerr);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, r->headers);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, r->connect_timeout_ms > 0 ? r->connect_timeout_ms : 10000L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, r->low_speed_time_s > 0 ? r->low_speed_time_s : 30L);
	if (r->timeout_ms > 0)
		curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, r->timeout_ms);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &x);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
	if (strcmp(r->method, "HEAD") == 0) {
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	} else if (r->body != NULL) {
		curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(h, CURLOPT_READDATA, &x);
		curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, on_seek);
		curl_easy_setopt(h, CURLOPT_SEEKDATA, &x);
		curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)r->body->len);
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r->method);
	} else if (strcmp(r->method, "GET") != 0) {
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r->method);
	}
	CURLcode cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
	resp->cc = cc;
	if (cc == CURLE_OK)
		return 0;
	if (resp->cerr[0] == 0)
		snprintf(resp->cerr, sizeof resp->cerr, "%s", curl_easy_strerror(cc));
	return -1;
}

void rt_http_resp_free(struct rt_http_resp *resp)
{
	base_buf_free(&resp->body);
}
