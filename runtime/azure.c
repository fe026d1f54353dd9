/*
 * azure.c: the abfs:// and abfss:// backends (Azure Blob Storage, the Blob
 * service's REST API over libcurl, http.c): the URI's account and
 * container, the endpoint, request authorization (Shared Key signed here
 * with HMAC-SHA256; SAS; a bearer token, azure_auth.c), retries, error
 * messages, and Get Blob / Get Blob Properties. Uploads and listings are in
 * azure_blocks.c.
 *
 * URIs (the authority is store.c's "bucket"):
 *   abfs[s]://CONTAINER/PATH                        the account from the environment
 *   abfs[s]://CONTAINER@ACCOUNT.dfs.SUFFIX/PATH     fsspec/adlfs's and Hadoop's form
 *   abfs[s]://CONTAINER@ACCOUNT.blob.SUFFIX/PATH
 *   abfs[s]://CONTAINER@ACCOUNT/PATH
 * The blob service is https://ACCOUNT.blob.SUFFIX (SUFFIX core.windows.net
 * unless the URI names one), unless AZURE_STORAGE_ENDPOINT or the
 * BlobEndpoint of AZURE_STORAGE_CONNECTION_STRING names another (path
 * style: ENDPOINT/CONTAINER/PATH; Azurite's is http://HOST:PORT/ACCOUNT).
 *
 * Reliability: up to FLYTEC_AZURE_MAX_ATTEMPTS attempts (5) on 5xx (not
 * 501/505), timeouts and dropped connections, with exponential backoff and
 * full jitter (FLYTEC_AZURE_RETRY_BASE_MS, 200; FLYTEC_AZURE_RETRY_MAX_MS,
 * 10000); 4xx answers are final (a refused AD token is fetched again once).
 * Connect timeout FLYTEC_AZURE_CONNECT_TIMEOUT_MS (10000); a transfer below
 * 1 byte/s for FLYTEC_AZURE_LOW_SPEED_TIME seconds (30) is abandoned.
 *
 * Integrity: uploads carry Content-MD5 (and the whole blob's MD5 as
 * x-ms-blob-content-md5); a download of a whole blob that has an MD5 is
 * checked against it and fetched again when it does not match.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "azure.h"

/* ---- the URI and the endpoint --------------------------------------------------------- */
static int parse_endpoint(struct rt_az *z, const char *var, const char *v, struct rt_msg *err)
{
	const char *sep = strstr(v, "://");

	if (sep == NULL)
		return rt_msgf(err, "%s='%s': the endpoint must be an http:// or https:// URL", var, v);
	size_t n = (size_t)(sep - v);
	if (!((n == 4 && strncasecmp(v, "http", 4) == 0) || (n == 5 && strncasecmp(v, "https", 5) == 0)))
		return rt_msgf(err, "%s='%s': the endpoint must be an http:// or https:// URL", var, v);
	snprintf(z->scheme, sizeof z->scheme, "%.*s", (int)n, v);
	for (char *c = z->scheme; *c; c++)
		*c = (char)(*c | 0x20);
	const char *p = sep + 3;
	size_t hl = strcspn(p, "/?#");
	if (hl == 0 || hl >= sizeof z->host)
		return rt_msgf(err, "%s='%s': no host in the endpoint", var, v);
	for (size_t i = 0; i < hl; i++)
		if ((unsigned char)p[i] <= ' ' || p[i] == '@' || p[i] == 0x7f)
			return rt_msgf(err, "%s='%s': the endpoint's host is not valid", var, v);
	memcpy(z->host, p, hl);
	z->host[hl] = 0;
	const char *path = p + hl;
	if (*path == '?' || *path == '#')
		return rt_msgf(err, "%s='%s': the endpoint may not hold a query", var, v);
	size_t pl = strlen(path);
	while (pl > 0 && path[pl - 1] == '/')
		pl--;
	if (pl >= sizeof z->prefix)
		return rt_msgf(err, "%s='%s': the endpoint's path is too long", var, v);
	for (size_t i = 0; i < pl; i++)
		if ((unsigned char)path[i] <= ' ' || path[i] == 0x7f)
			return rt_msgf(err, "%s='%s': the endpoint's path is not valid", var, v);
	memcpy(z->prefix, path, pl);
	z->prefix[pl] = 0;
	z->endpoint_var = var;
	return 0;
}

static bool valid_container(const char *c, size_t n)
{
	if (n < 3 || n > 63 || c[0] == '-' || c[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((c[i] >= 'a' && c[i] <= 'z') || (c[i] >= '0' && c[i] <= '9') ||
		      (c[i] == '-' && c[i + 1] != '-')))
			return false;
	return true;
}

static bool valid_account(const char *a)
{
	size_t n = strlen(a);
	if (n < 1 || n > 63)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((a[i] >= 'a' && a[i] <= 'z') || (a[i] >= '0' && a[i] <= '9') ||
		      (a[i] >= 'A' && a[i] <= 'Z')))
			return false;
	return true;
}

/* Splits "CONTAINER[@ACCOUNT[.dfs|.blob.SUFFIX]]"; suffix "" when not named. */
static int split_authority(struct rt_az *z, char *suffix, size_t sn, struct rt_msg *err)
{
	const char *b = z->u->bucket, *at = strchr(b, '@');
	size_t cl = at != NULL ? (size_t)(at - b) : strlen(b);

	suffix[0] = 0;
	if (!valid_container(b, cl))
		return rt_msgf(err, "'%s': the container name '%.*s' must be 3 to 63 lowercase letters, digits "
			       "and single '-' (not first or last)", z->u->uri, (int)cl, b);
	snprintf(z->container, sizeof z->container, "%.*s", (int)cl, b);
	if (at == NULL)
		return 0;
	const char *h = at + 1, *dot = strchr(h, '.');
	size_t al = dot != NULL ? (size_t)(dot - h) : strlen(h);
	snprintf(z->account, sizeof z->account, "%.*s", (int)(al < sizeof z->account ? al : 0), h);
	if (!valid_account(z->account) || al >= sizeof z->account)
		return rt_msgf(err, "'%s': the storage account name '%.*s' must be 1 to 63 letters and digits",
			       z->u->uri, (int)al, h);
	if (dot == NULL)
		return 0;
	if (strncmp(dot, ".dfs.", 5) != 0 && strncmp(dot, ".blob.", 6) != 0)
		return rt_msgf(err, "'%s': expected CONTAINER@ACCOUNT.dfs.core.windows.net (or .blob.) after "
			       "'abfs://'", z->u->uri);
	const char *s = dot[1] == 'd' ? dot + 5 : dot + 6;
	if (*s == 0 || strlen(s) >= sn)
		return rt_msgf(err, "'%s': no endpoint suffix after '%.*s'", z->u->uri, (int)(s - h), h);
	snprintf(suffix, sn, "%s", s);
	return 0;
}

/* The endpoint and the account (the URI's, else the environment's). */
static int find_endpoint(struct rt_az *z, const char *suffix, struct rt_msg *err)
{
	char cs[1024], proto[8] = "https", sfx[256];
	const char *v = getenv("AZURE_STORAGE_ENDPOINT");

	if (z->account[0] == 0) {
		const char *a = rt_az_env_account();
		if (a == NULL && rt_az_conn_field("AccountName", cs, sizeof cs) != NULL)
			a = cs;
		if (a != NULL) {
			if (!valid_account(a))
				return rt_msgf(err, "%s: the storage account name '%s' (from the environment) must "
					       "be 1 to 63 letters and digits", z->u->uri, a);
			snprintf(z->account, sizeof z->account, "%.63s", a);
		}
	}
	if (v != NULL && *v != 0) {
		if (parse_endpoint(z, "AZURE_STORAGE_ENDPOINT", v, err) < 0)
			return -1;
	} else if (rt_az_conn_field("BlobEndpoint", cs, sizeof cs) != NULL) {
		if (parse_endpoint(z, "AZURE_STORAGE_CONNECTION_STRING's BlobEndpoint", cs, err) < 0)
			return -1;
	}
	if (z->endpoint_var != NULL) {
		/* Azurite's path-style endpoint names the account as its path */
		if (z->account[0] == 0 && z->prefix[0] == '/' && valid_account(z->prefix + 1))
			snprintf(z->account, sizeof z->account, "%s", z->prefix + 1);
		if (z->account[0] == 0)
			return rt_msgf(err, "%s: no storage account: name it in the URI (abfs://%s@ACCOUNT.dfs.core."
				       "windows.net/...) or set AZURE_STORAGE_ACCOUNT", z->u->uri, z->container);
		snprintf(z->shown, sizeof z->shown, "%s://%s%s", z->scheme, z->host, z->prefix);
		return 0;
	}
	if (z->account[0] == 0)
		return rt_msgf(err, "%s: no storage account: name it in the URI (abfs://%s@ACCOUNT.dfs.core."
			       "windows.net/...) or set AZURE_STORAGE_ACCOUNT", z->u->uri, z->container);
	if (rt_az_conn_field("DefaultEndpointsProtocol", cs, sizeof cs) != NULL && strcasecmp(cs, "http") == 0)
		snprintf(proto, sizeof proto, "http");
	if (suffix[0] == 0 && rt_az_conn_field("EndpointSuffix", sfx, sizeof sfx) != NULL)
		suffix = sfx;
	snprintf(z->scheme, sizeof z->scheme, "%s", proto);
	snprintf(z->host, sizeof z->host, "%s.blob.%s", z->account, suffix[0] ? suffix : "core.windows.net");
	z->prefix[0] = 0;
	snprintf(z->shown, sizeof z->shown, "%s://%s", z->scheme, z->host);
	return 0;
}

struct rt_az *rt_az_open(const struct rt_store_uri *u, struct rt_msg *err)
{
	char suffix[256];

	if (rt_http_init(err) < 0)
		return NULL;
	struct rt_az *z = calloc(1, sizeof *z);
	if (z == NULL) {
		rt_msgf(err, "out of memory");
		return NULL;
	}
	z->u = u;
	z->blob = u->key;
	z->err = err;
	z->max_attempts = (int)rt_env_ll("FLYTEC_AZURE_MAX_ATTEMPTS", 5);
	if (z->max_attempts < 1)
		z->max_attempts = 1;
	if (z->max_attempts > 50)
		z->max_attempts = 50;
	z->base_ms = (long)rt_env_ll("FLYTEC_AZURE_RETRY_BASE_MS", 200);
	z->cap_ms = (long)rt_env_ll("FLYTEC_AZURE_RETRY_MAX_MS", 10000);
	z->connect_ms = (long)rt_env_ll("FLYTEC_AZURE_CONNECT_TIMEOUT_MS", 10000);
	z->low_speed_s = (long)rt_env_ll("FLYTEC_AZURE_LOW_SPEED_TIME", 30);
	if (split_authority(z, suffix, sizeof suffix, err) < 0 || find_endpoint(z, suffix, err) < 0) {
		free(z);
		return NULL;
	}
	if ((z->h = curl_easy_init()) == NULL) {
		free(z);
		rt_msgf(err, "cannot make a curl handle");
		return NULL;
	}
	return z;
}

void rt_az_close(struct rt_az *z)
{
	if (z == NULL)
		return;
	curl_easy_cleanup(z->h);
	OPENSSL_cleanse(&z->creds, sizeof z->creds);
	free(z);
}

/* ---- Shared Key ---------------------------------------------------------------------------- */
static int cmp_kv(const void *a, const void *b)
{
	return strcmp(((const struct rt_kv *)a)->k, ((const struct rt_kv *)b)->k);
}

static const char *header_value(const struct rt_kv *h, size_t nh, const char *name)
{
	for (size_t i = 0; i < nh; i++)
		if (strcasecmp(h[i].k, name) == 0)
			return h[i].v;
	return "";
}

int rt_az_shared_key(const char *account, const uint8_t *key, size_t keylen, const char *method,
		     const char *path, const struct rt_kv *query, size_t nq, const struct rt_kv *headers,
		     size_t nh, struct base_buf *auth, struct base_buf *sts)
{
	static const char *const std[] = {
		"content-encoding", "content-language", "content-length", "content-md5", "content-type",
		"date", "if-modified-since", "if-match", "if-none-match", "if-unmodified-since", "range",
	};
	struct base_buf s = { 0 };
	struct rt_kv ms[32], q[16];
	size_t nms = 0;
	uint8_t mac[32];
	unsigned maclen = 0;
	char b64[48];
	int rc = -1;

	if (nh > 32 || nq > 16)
		return -1;
	if (base_buf_printf(&s, "%s\n", method) < 0)
		goto out;
	for (size_t i = 0; i < sizeof std / sizeof std[0]; i++) {
		const char *v = header_value(headers, nh, std[i]);
		if (strcmp(std[i], "content-length") == 0 && strcmp(v, "0") == 0)
			v = "";
		if (base_buf_printf(&s, "%s\n", v) < 0)
			goto out;
	}
	for (size_t i = 0; i < nh; i++)
		if (strncmp(headers[i].k, "x-ms-", 5) == 0)
			ms[nms++] = headers[i];
	qsort(ms, nms, sizeof ms[0], cmp_kv);
	for (size_t i = 0; i < nms; i++)
		if (base_buf_printf(&s, "%s:%s\n", ms[i].k, ms[i].v) < 0)
			goto out;
	if (base_buf_printf(&s, "/%s%s", account, path) < 0)
		goto out;
	if (nq > 0)
		memcpy(q, query, nq * sizeof q[0]);
	qsort(q, nq, sizeof q[0], cmp_kv);
	for (size_t i = 0; i < nq; i++)
		if (base_buf_printf(&s, "\n%s:%s", q[i].k, q[i].v) < 0)
			goto out;
	if (HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)s.data, s.len, mac, &maclen) == NULL || maclen != 32)
		goto out;
	rt_base64(mac, 32, b64);
	if (base_buf_printf(auth, "SharedKey %s:%s", account, b64) < 0)
		goto out;
	if (sts != NULL && base_buf_put(sts, s.data, s.len) < 0)
		goto out;
	rc = 0;
out:
	OPENSSL_cleanse(mac, sizeof mac);
	base_buf_free(&s);
	return rc;
}

/* "Wed, 02 Dec 2026 00:00:00 GMT", whatever the locale (out: 48 bytes). */
static void http_date(time_t t, char *out)
{
	static const char days[][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char months[][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(out, 48, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday % 7], tm.tm_mday,
		 months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* ---- one request ------------------------------------------------------------------------------ */
static int add_header(struct curl_slist **l, const char *name, const char *value)
{
	struct base_buf b = { 0 };
	if (base_buf_printf(&b, "%s: %s", name, value) < 0)
		return -1;
	struct curl_slist *n = curl_slist_append(*l, (char *)b.data);
	OPENSSL_cleanse(b.data, b.len);
	base_buf_free(&b);
	if (n == NULL)
		return -1;
	*l = n;
	return 0;
}

/* The URL's path (encoded) and query into path and url. */
static int build_url(const struct rt_az *z, const struct rt_az_call *c, struct base_buf *path,
		     struct base_buf *url)
{
	if (base_buf_printf(path, "%s/", z->prefix) < 0 ||
	    rt_uri_encode(path, z->container, strlen(z->container), false) < 0)
		return -1;
	if (!c->container_level && (base_buf_putc(path, '/') < 0 ||
				    rt_uri_encode(path, z->blob, strlen(z->blob), true) < 0))
		return -1;
	if (base_buf_printf(url, "%s://%s%s", z->scheme, z->host, (char *)path->data) < 0)
		return -1;
	for (size_t i = 0; i < c->nquery; i++)
		if (base_buf_printf(url, "%c%s=", i == 0 ? '?' : '&', c->query[i].k) < 0 ||
		    rt_uri_encode(url, c->query[i].v, strlen(c->query[i].v), false) < 0)
			return -1;
	if (z->creds.kind == RT_AZ_SAS &&
	    base_buf_printf(url, "%c%s", c->nquery ? '&' : '?', z->creds.sas) < 0)
		return -1;
	return 0;
}

/* Builds, authorizes and sends one request: 0 answered, 1 no answer, -1 failed. */
static int send_once(struct rt_az *z, const struct rt_az_call *c, struct rt_http_resp *resp)
{
	struct base_buf path = { 0 }, url = { 0 }, auth = { 0 };
	struct rt_kv hdr[24];
	size_t nh = 0;
	char date[48], len[24];
	struct curl_slist *list = NULL;
	int rc = -1;

	if (c->nheaders > 16)
		return rt_msgf(z->err, "too many headers");
	if (build_url(z, c, &path, &url) < 0)
		goto oom;
	http_date(time(NULL), date);
	hdr[nh++] = (struct rt_kv){ "x-ms-date", date };
	hdr[nh++] = (struct rt_kv){ "x-ms-version", RT_AZ_VERSION };
	if (c->body != NULL) {
		snprintf(len, sizeof len, "%llu", (unsigned long long)c->body->len);
		hdr[nh++] = (struct rt_kv){ "content-length", len };
	}
	for (size_t i = 0; i < c->nheaders; i++)
		hdr[nh++] = c->headers[i];
	if (z->creds.kind == RT_AZ_SHARED_KEY) {
		if (rt_az_shared_key(z->account, z->creds.key, z->creds.keylen, c->method, (char *)path.data,
				     c->query, c->nquery, hdr, nh, &auth, NULL) < 0)
			goto oom;
	} else if (z->creds.kind == RT_AZ_BEARER) {
		if (base_buf_printf(&auth, "Bearer %s", z->creds.token) < 0)
			goto oom;
	}
	for (size_t i = 0; i < nh; i++)
		if (strcmp(hdr[i].k, "content-length") != 0 && add_header(&list, hdr[i].k, hdr[i].v) < 0)
			goto oom;
	if (auth.len > 0 && add_header(&list, "Authorization", (char *)auth.data) < 0)
		goto oom;
	/* no 100-continue round trip; no Content-Type curl would add (it is signed) */
	struct curl_slist *n = curl_slist_append(list, "Expect:");
	if (n == NULL)
		goto oom;
	list = n;
	if ((n = curl_slist_append(list, "Content-Type:")) == NULL)
		goto oom;
	list = n;
	struct rt_http_req r = {
		.method = c->method, .url = (const char *)url.data, .headers = list, .body = c->body,
		.out_fd = c->out_fd, .limit = c->limit, .md5 = c->md5,
		.connect_timeout_ms = z->connect_ms, .low_speed_time_s = z->low_speed_s,
	};
	rc = rt_http_do(z->h, &r, resp) < 0 ? 1 : 0;
	goto out;
oom:
	rc = rt_msgf(z->err, "out of memory");
out:
	curl_slist_free_all(list);
	base_buf_free(&path);
	if (url.data != NULL)
		OPENSSL_cleanse(url.data, url.len);
	base_buf_free(&url);
	if (auth.data != NULL)
		OPENSSL_cleanse(auth.data, auth.len);
	base_buf_free(&auth);
	return rc;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Full jitter: a random time in [0, min(cap, base * 2^(attempt - 1))]. */
static void backoff(const struct rt_az *z, int attempt)
{
	long top = z->base_ms;
	for (int i = 1; i < attempt && top < z->cap_ms; i++)
		top *= 2;
	if (top > z->cap_ms)
		top = z->cap_ms;
	uint32_t r = 0;
	if (RAND_bytes((unsigned char *)&r, sizeof r) != 1)
		r = (uint32_t)rand();
	if (top > 0)
		sleep_ms((long)(r % (uint32_t)(top + 1)));
}

/* The service's error code: the x-ms-error-code header, else the body's <Code>. */
static void error_code(const struct rt_http_resp *r, char *code, size_t n)
{
	snprintf(code, n, "%s", r->ms_error);
	if (code[0] == 0)
		rt_xml_text((const char *)r->body.data, r->body.len, "Code", code, n);
}

int rt_az_call(struct rt_az *z, const struct rt_az_call *c, struct rt_http_resp *resp)
{
	bool refreshed = false;

	for (int attempt = 1;; attempt++) {
		z->attempts = attempt;
		resp->body.len = 0;
		resp->written = 0;
		resp->too_big = false;
		resp->write_errno = 0;
		resp->etag[0] = resp->request_id[0] = resp->ms_error[0] = 0;
		resp->content_md5[0] = resp->content_range[0] = 0;
		resp->has_length = false;
		if (c->out_fd >= 0 && (ftruncate(c->out_fd, 0) < 0 || lseek(c->out_fd, 0, SEEK_SET) < 0))
			return rt_msgf(z->err, "%s: cannot rewind the temporary file: %s", z->u->uri, strerror(errno));
		if (c->md5 != NULL)
			EVP_DigestInit_ex(c->md5, EVP_md5(), NULL);
		if (rt_az_creds_get(&z->creds, z->account, z->err) < 0)
			return rt_msg_prefix(z->err, "%s", z->u->uri);
		int r = send_once(z, c, resp);
		if (r < 0)
			return -1;
		if (r > 0) {
			if (resp->too_big)
				return 0;
			if (resp->write_errno != 0)
				return rt_msgf(z->err, "%s: cannot write the download: %s", z->u->uri,
					       strerror(resp->write_errno));
			if (rt_http_transient(resp->cc) && attempt < z->max_attempts) {
				backoff(z, attempt);
				continue;
			}
			return rt_msgf(z->err, "%s: cannot reach the Blob service at %s: %s (%d attempt%s)%s%s%s",
				       z->u->uri, z->shown, resp->cerr, attempt, attempt == 1 ? "" : "s",
				       z->endpoint_var ? "; check " : "", z->endpoint_var ? z->endpoint_var : "",
				       z->endpoint_var ? " and that the service is up" : "");
		}
		char code[128];
		error_code(resp, code, sizeof code);
		if (z->creds.kind == RT_AZ_BEARER && !refreshed && (resp->status == 401 || resp->status == 403) &&
		    (strcmp(code, "InvalidAuthenticationInfo") == 0 || strcmp(code, "AuthenticationFailed") == 0)) {
			refreshed = true;
			rt_az_creds_forget();
			attempt--;
			continue;
		}
		bool retry = resp->status >= 500 && resp->status != 501 && resp->status != 505;
		if (retry && attempt < z->max_attempts) {
			backoff(z, attempt);
			continue;
		}
		return 0;
	}
}

/* The first line of the service's Message (Azure appends RequestId and Time lines). */
static void first_line(char *s)
{
	s[strcspn(s, "\r\n")] = 0;
}

int rt_az_fail(struct rt_az *z, const struct rt_http_resp *r, const char *what)
{
	char code[128] = "", message[512] = "", hint[3000];
	const char *body = (const char *)r->body.data;
	const char *u = z->u->uri;

	error_code(r, code, sizeof code);
	rt_xml_text(body, r->body.len, "Message", message, sizeof message);
	first_line(message);
	if (code[0] == 0)
		snprintf(code, sizeof code, "%s", r->status == 404 ? "NotFound" : r->status == 403 ? "Forbidden" :
			 r->status == 400 ? "BadRequest" : r->status >= 500 ? "ServerError" : "Error");
	if (strcmp(code, "AuthenticationFailed") == 0 && z->creds.kind == RT_AZ_SHARED_KEY)
		snprintf(hint, sizeof hint, "the account key (from %s) is not the key of storage account '%s' at %s",
			 z->creds.source, z->account, z->shown);
	else if (strcmp(code, "AuthenticationFailed") == 0 || strcmp(code, "AuthorizationFailure") == 0 ||
		 strcmp(code, "InvalidAuthenticationInfo") == 0 || strncmp(code, "AuthorizationPermission", 23) == 0)
		snprintf(hint, sizeof hint, "the credentials from %s may not %s it at %s", z->creds.source, what,
			 z->shown);
	else if (strcmp(code, "ContainerNotFound") == 0)
		snprintf(hint, sizeof hint, "there is no container '%s' in storage account '%s' at %s",
			 z->container, z->account, z->shown);
	else if (strcmp(code, "BlobNotFound") == 0)
		snprintf(hint, sizeof hint, "there is no blob '%s' in container '%s' at %s", z->blob, z->container,
			 z->shown);
	else if (strcmp(code, "ResourceNotFound") == 0 || strcmp(code, "AccountNotFound") == 0)
		snprintf(hint, sizeof hint, "storage account '%s' or container '%s' does not exist at %s",
			 z->account, z->container, z->shown);
	else
		snprintf(hint, sizeof hint, "the Blob service at %s refused to %s it", z->shown, what);
	char m[600] = "";
	if (message[0] != 0)
		snprintf(m, sizeof m, " (\"%s\")", message);
	if (z->attempts > 1)
		return rt_msgf(z->err, "%ld %s on %s: %s%s (%d attempts)", r->status, code, u, hint, m, z->attempts);
	return rt_msgf(z->err, "%ld %s on %s: %s%s", r->status, code, u, hint, m);
}

/* ---- downloads ------------------------------------------------------------------------------- */
/* True when the answer holds the whole blob: a 200, or a 206 to the end. */
static bool whole_blob(const struct rt_http_resp *r, uint64_t got)
{
	unsigned long long a, b, total;

	if (r->status == 200)
		return true;
	return sscanf(r->content_range, "bytes %llu-%llu/%llu", &a, &b, &total) == 3 && a == 0 && got == total;
}

/* GETs into fd (>= 0) or memory (at most limit bytes; limit 0 none);
 * checks the length and the blob's MD5. */
static int get(struct rt_az *z, int fd, size_t limit, struct rt_http_resp *resp)
{
	EVP_MD_CTX *md5 = EVP_MD_CTX_new();
	char range[48], b64[32];
	uint8_t d[16];
	int rc = -1;

	if (md5 == NULL)
		return rt_msgf(z->err, "out of memory");
	struct rt_kv hdr[1];
	snprintf(range, sizeof range, "bytes=0-%zu", limit);
	hdr[0] = (struct rt_kv){ "x-ms-range", range };
	struct rt_az_call c = { .method = "GET", .out_fd = fd, .limit = limit ? limit : SIZE_MAX - 1, .md5 = md5,
				.headers = hdr, .nheaders = limit ? 1 : 0 };
	for (int tries = 1;; tries++) {
		if (rt_az_call(z, &c, resp) < 0)
			goto out;
		if (resp->status == 416 && c.nheaders == 1) {
			c.nheaders = 0;   /* an empty blob has no byte 0 */
			tries--;
			continue;
		}
		if (resp->too_big) {
			rt_msgf(z->err, "%s is larger than the limit of %zu bytes", z->u->uri, limit);
			goto out;
		}
		if (resp->status != 200 && resp->status != 206) {
			rt_az_fail(z, resp, "read");
			goto out;
		}
		uint64_t got = fd >= 0 ? resp->written : resp->body.len;
		EVP_DigestFinal_ex(md5, d, NULL);
		rt_base64(d, 16, b64);
		if (resp->has_length && got != resp->content_length)
			rt_msgf(z->err, "%s: received %llu of %llu bytes", z->u->uri, (unsigned long long)got,
				(unsigned long long)resp->content_length);
		else if (resp->content_md5[0] != 0 && whole_blob(resp, got) && strcmp(b64, resp->content_md5) != 0)
			rt_msgf(z->err, "%s: the bytes received have MD5 %s, not the blob's %s", z->u->uri, b64,
				resp->content_md5);
		else
			break;
		if (tries >= z->max_attempts) {
			struct rt_msg m = *z->err;
			rt_msgf(z->err, "%s (%d attempts)", m.text, tries);
			goto out;
		}
		backoff(z, tries);
	}
	rc = 0;
out:
	EVP_MD_CTX_free(md5);
	return rc;
}

/* The object into fd (rt_store_download makes the file). */
static int az_fill(const struct rt_store_uri *u, int fd, struct rt_msg *err)
{
	struct rt_http_resp resp = { 0 };
	struct rt_az *z = rt_az_open(u, err);
	int rc = z == NULL ? -1 : get(z, fd, 0, &resp);
	rt_http_resp_free(&resp);
	rt_az_close(z);
	return rc;
}

static int az_get_file(const struct rt_store_uri *u, const char *path, struct rt_msg *err)
{
	return rt_store_download(u, path, az_fill, err);
}

static int az_get_mem(const struct rt_store_uri *u, struct rt_arena *a, size_t limit, uint8_t **data,
		      size_t *len, struct rt_msg *err)
{
	struct rt_http_resp resp = { 0 };
	struct rt_az *z = rt_az_open(u, err);
	int rc = -1;

	if (z == NULL)
		return -1;
	if (get(z, -1, limit, &resp) == 0) {
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
	rt_az_close(z);
	return rc;
}

/* ---- uploads and properties ------------------------------------------------------------------- */
static int az_put_file(const char *path, const struct rt_store_uri *u, struct rt_msg *err)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return rt_msgf(err, "cannot upload %s to %s: %s", path, u->uri, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return rt_msgf(err, "cannot upload %s to %s: not a regular file", path, u->uri);
	}
	struct rt_az *z = rt_az_open(u, err);
	if (z == NULL) {
		close(fd);
		return -1;
	}
	struct rt_http_body b = { .fd = fd, .off = 0, .len = (uint64_t)st.st_size };
	int rc = rt_az_upload(z, &b);
	rt_az_close(z);
	close(fd);
	return rc;
}

static int az_put_mem(const void *data, size_t len, const struct rt_store_uri *u, struct rt_msg *err)
{
	struct rt_az *z = rt_az_open(u, err);
	if (z == NULL)
		return -1;
	struct rt_http_body b = { .mem = data, .fd = -1, .len = len };
	int rc = rt_az_upload(z, &b);
	rt_az_close(z);
	return rc;
}

/* Get Blob Properties: 1 present, 0 absent (no such blob), -1 error (a
 * missing container is an error: nothing could be there). */
static int az_head(const struct rt_store_uri *u, struct rt_store_info *info, struct rt_msg *err)
{
	struct rt_http_resp resp = { 0 };
	struct rt_az *z = rt_az_open(u, err);
	int rc = -1;

	if (z == NULL)
		return -1;
	struct rt_az_call c = { .method = "HEAD", .out_fd = -1 };
	if (rt_az_call(z, &c, &resp) == 0) {
		if (resp.status == 200) {
			info->size = resp.content_length;
			const char *e = resp.etag;
			size_t n = strlen(e);
			if (n >= 2 && e[0] == '"' && e[n - 1] == '"') {
				e++;
				n -= 2;
			}
			snprintf(info->etag, sizeof info->etag, "%.*s", (int)n, e);
			rc = 1;
		} else if (resp.status == 404 && strcmp(resp.ms_error, "ContainerNotFound") != 0) {
			rc = 0;
		} else {
			rt_az_fail(z, &resp, "read");
		}
	}
	rt_http_resp_free(&resp);
	rt_az_close(z);
	return rc;
}

const struct rt_store_backend rt_abfs_backend = {
	.scheme = "abfs",
	.account_in_authority = true,
	.get_file = az_get_file,
	.get_mem = az_get_mem,
	.put_file = az_put_file,
	.put_mem = az_put_mem,
	.head = az_head,
	.list = rt_az_list,
};

const struct rt_store_backend rt_abfss_backend = {
	.scheme = "abfss",
	.account_in_authority = true,
	.get_file = az_get_file,
	.get_mem = az_get_mem,
	.put_file = az_put_file,
	.put_mem = az_put_mem,
	.head = az_head,
	.list = rt_az_list,
};
