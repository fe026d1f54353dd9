/* azure.h: the abfs:// / abfss:// backend's internals (Azure Blob Storage),
 * shared by azure.c, azure_auth.c and azure_blocks.c (not installed). */
#ifndef FLYTERUN_AZURE_H
#define FLYTERUN_AZURE_H

#include "aws.h"
#include "store.h"

/** The Blob service version every request names (x-ms-version). */
#define RT_AZ_VERSION "2021-12-02"

enum rt_az_auth { RT_AZ_SHARED_KEY, RT_AZ_SAS, RT_AZ_BEARER };

/** How requests are authorized (azure_auth.c). */
struct rt_az_creds {
	enum rt_az_auth kind;
	uint8_t key[128];        /* RT_AZ_SHARED_KEY: the decoded account key */
	size_t keylen;
	char sas[4096];          /* RT_AZ_SAS: the query string, no '?' */
	char token[16384];       /* RT_AZ_BEARER: the access token */
	char source[200];        /* for messages: "AZURE_STORAGE_KEY", ... */
};

/** The account, container, endpoint and credentials behind one URI. */
struct rt_az {
	CURL *h;
	const struct rt_store_uri *u;
	char container[64];
	const char *blob;        /* u->key */
	char account[128];
	char scheme[8];          /* of the endpoint: http or https */
	char host[512];          /* host[:port] */
	char prefix[512];        /* a custom endpoint's path (Azurite: /ACCOUNT), no trailing '/' */
	char shown[1100];        /* the endpoint, for messages */
	const char *endpoint_var;  /* the variable that set a custom endpoint, or NULL */
	struct rt_az_creds creds;
	int max_attempts;
	long base_ms, cap_ms, connect_ms, low_speed_s;
	int attempts;            /* of the last call */
	struct rt_msg *err;
};

/* ---- one request --------------------------------------------------------------- */
struct rt_az_call {
	const char *method;
	bool container_level;        /* the container's URL, not the blob's */
	const struct rt_kv *query;   /* raw names and values (encoded here) */
	size_t nquery;
	const struct rt_kv *headers; /* more headers: x-ms-* lowercase, or Content-MD5 */
	size_t nheaders;
	const struct rt_http_body *body;
	int out_fd;
	size_t limit;
	void *md5;                   /* EVP_MD_CTX over a 2xx body */
};

/** A connection for requests about u (err receives every message). */
struct rt_az *rt_az_open(const struct rt_store_uri *u, struct rt_msg *err);
void rt_az_close(struct rt_az *z);
/** Sends c with retries; 0 with an answer in resp (any status), -1 when
 *  no answer came (message set). */
int rt_az_call(struct rt_az *z, const struct rt_az_call *c, struct rt_http_resp *resp);
/** A one-line message for a failed answer (status, the service's Code and
 *  Message, the URI, what was refused). Returns -1. */
int rt_az_fail(struct rt_az *z, const struct rt_http_resp *r, const char *what);
/** The Shared Key Authorization value for a request (azure.c; exposed for
 *  storectl's self-test): the StringToSign into sts when sts != NULL. */
int rt_az_shared_key(const char *account, const uint8_t *key, size_t keylen, const char *method,
		     const char *path, const struct rt_kv *query, size_t nq, const struct rt_kv *headers,
		     size_t nh, struct base_buf *auth, struct base_buf *sts);

/* ---- credentials (azure_auth.c) ----------------------------------------------------- */
/** The account named by the environment (AZURE_STORAGE_ACCOUNT, ...), or NULL. */
const char *rt_az_env_account(void);
/** The first credentials the environment offers, for the account (cached
 *  for AD tokens until shortly before they expire). */
int rt_az_creds_get(struct rt_az_creds *c, const char *account, struct rt_msg *err);
/** Forgets a cached AD token (after the service refused it). */
void rt_az_creds_forget(void);
/** The connection string's field name (AccountName, BlobEndpoint, ...), or
 *  NULL; from AZURE_STORAGE_CONNECTION_STRING. */
const char *rt_az_conn_field(const char *name, char *out, size_t n);

/* ---- blocks and listings (azure_blocks.c) ----------------------------------------- */
/** Uploads b as the blob: Put Blob, or Put Block + Put Block List above
 *  the block size. */
int rt_az_upload(struct rt_az *z, const struct rt_http_body *b);
/** The names of the blobs under u's key (a prefix), List Blobs. */
int rt_az_list(const struct rt_store_uri *u, struct rt_arena *a, char ***keys, size_t *n,
	       struct rt_msg *err);

#endif
