/*
 * aws.h: the AWS pieces behind s3:// (not installed): Signature V4
 * (sigv4.c), credentials and region (awscreds.c), HTTP through libcurl
 * (http.c).
 */
#ifndef FLYTERUN_AWS_H
#define FLYTERUN_AWS_H

#include <time.h>

#include <curl/curl.h>

#include "internal.h"

/* ---- hashing and Signature V4 (sigv4.c) ------------------------------------ */
/** SHA-256 of the empty string, in hex. */
#define RT_SHA256_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/** Lowercase hex of n bytes into out (2n + 1 bytes). */
void rt_hex(const uint8_t *p, size_t n, char *out);
/** SHA-256 of p in hex (out: 65 bytes). */
void rt_sha256_hex(const void *p, size_t n, char *out);
/** Base64 of n bytes (out: 4 * ((n + 2) / 3) + 1 bytes). */
void rt_base64(const uint8_t *p, size_t n, char *out);
/** Appends s[0..n) percent-encoded per RFC 3986 (unreserved characters
 *  kept; '/' kept when keep_slash). */
int rt_uri_encode(struct base_buf *b, const char *s, size_t n, bool keep_slash);
/** "YYYYMMDDTHHMMSSZ" (out: 17 bytes). */
void rt_amz_date(time_t t, char *out);

/** A name and a value. */
struct rt_kv {
	const char *k, *v;
};

/** What is signed. Query parameters are raw (encoded here); header names
 *  are lowercase and must include host and x-amz-date. */
struct rt_sigv4 {
	const char *method;
	const char *path;              /* the canonical URI (already encoded) */
	const struct rt_kv *query;
	size_t nquery;
	const struct rt_kv *headers;
	size_t nheaders;
	const char *payload_hash;      /* hex SHA-256, or UNSIGNED-PAYLOAD */
	const char *region, *service;
	const char *access_key, *secret_key;
	const char *amz_date;          /* rt_amz_date */
};

/** Signs: the canonical query string (to put in the URL) into query and
 *  the Authorization header's value into auth; canon (may be NULL) gets the
 *  canonical request. */
int rt_sigv4_sign(const struct rt_sigv4 *s, struct base_buf *query, struct base_buf *auth,
		  struct base_buf *canon);

/* ---- credentials and region (awscreds.c) ----------------------------------- */
struct rt_aws_creds {
	char access_key[256];
	char secret_key[256];
	char token[8192];
	time_t expires;        /* 0: never */
	char source[160];      /* "environment (AWS_ACCESS_KEY_ID)", ... */
};

/** Credentials from the first source that has them (cached; temporary
 *  credentials are fetched again some minutes before they expire). */
int rt_aws_creds_get(struct rt_aws_creds *c, struct rt_msg *err);
/** Forgets the cached credentials (after the store rejected them). */
void rt_aws_creds_forget(void);
/** The region: AWS_REGION, AWS_DEFAULT_REGION, the profile's region in the
 *  config file, else us-east-1. */
void rt_aws_region(char *out, size_t n);
/** The first non-empty variable of a NULL-terminated list (its name in
 *  *which when which != NULL), else NULL. */
const char *rt_env_first(const char *const *names, const char **which);
/** A variable as a non-negative integer, else def. */
long long rt_env_ll(const char *name, long long def);

/* ---- HTTP (http.c) ------------------------------------------------------------ */
/** A request body: n bytes of memory, or of the file fd from off. */
struct rt_http_body {
	const uint8_t *mem;
	int fd;                  /* -1: mem */
	uint64_t off, len;
};

struct rt_http_req {
	const char *method;
	const char *url;
	struct curl_slist *headers;
	const struct rt_http_body *body;   /* NULL: none */
	int out_fd;              /* >= 0: a 2xx body is written there; else kept in memory */
	size_t limit;            /* of a body kept in memory (0: 1 MiB) */
	void *md5;               /* EVP_MD_CTX updated with a 2xx body, or NULL */
	long connect_timeout_ms;
	long low_speed_time_s;   /* abort below 1 byte/s for this long */
	long timeout_ms;         /* the whole request; 0: none */
};

struct rt_http_resp {
	long status;
	struct base_buf body;      /* a body kept in memory; an error body always */
	uint64_t written;        /* bytes written to out_fd */
	bool too_big;            /* the body went past the limit */
	int write_errno;         /* out_fd failed */
	char etag[128];
	char bucket_region[64];  /* x-amz-bucket-region */
	char sse[64];            /* x-amz-server-side-encryption(-customer-algorithm) */
	char request_id[128];    /* x-amz-request-id or x-ms-request-id */
	char ms_error[128];      /* x-ms-error-code (Azure; also on bodiless answers) */
	char content_md5[64];    /* Content-MD5 (base64), or x-ms-blob-content-md5 */
	char content_range[96];  /* Content-Range */
	uint64_t content_length;
	bool has_length;
	CURLcode cc;
	char cerr[CURL_ERROR_SIZE];
};

/** One-time libcurl setup (thread-safe). */
int rt_http_init(struct rt_msg *err);
/** Performs one exchange on the handle. Returns 0 when a response came (any
 *  status), -1 on a transport failure (resp->cc, resp->cerr). resp->body
 *  must start empty. */
int rt_http_do(CURL *h, const struct rt_http_req *r, struct rt_http_resp *resp);
void rt_http_resp_free(struct rt_http_resp *resp);
/** True when a transport failure may pass (refused, reset, timeout...). */
bool rt_http_transient(CURLcode cc);

/* ---- small parsers (awscreds.c) ------------------------------------------------ */
/** The text of the first <tag>…</tag> in an XML document (entities
 *  decoded) into out; 0 found, -1 not. */
int rt_xml_text(const char *xml, size_t n, const char *tag, char *out, size_t outn);
/** s[0..n) with the five XML entities decoded into out (truncated to outn). */
void rt_xml_decode(const char *s, size_t n, char *out, size_t outn);
/** An ISO 8601 UTC time ("2026-12-01T22:00:00Z") as time_t; -1 if not one. */
time_t rt_parse_iso8601(const char *s);

#endif
