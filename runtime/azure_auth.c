/*
 * azure_auth.c: the credentials of the abfs:// backend, from the
 * environment, first found wins:
 *   1. Shared Key: AZURE_STORAGE_KEY (or AZURE_STORAGE_ACCOUNT_KEY, or the
 *      AccountKey of AZURE_STORAGE_CONNECTION_STRING);
 *   2. a SAS token: AZURE_STORAGE_SAS_TOKEN (or the connection string's
 *      SharedAccessSignature);
 *   3. Azure AD, client secret: AZURE_TENANT_ID + AZURE_CLIENT_ID +
 *      AZURE_CLIENT_SECRET (each FLYTE_AZURE_* first, as flytekit names them);
 *   4. Azure AD, workload identity (AKS): AZURE_TENANT_ID + AZURE_CLIENT_ID
 *      + AZURE_FEDERATED_TOKEN_FILE (the projected service-account token).
 * AD tokens come from AZURE_AUTHORITY_HOST (https://login.microsoftonline.com/)
 * TENANT/oauth2/v2.0/token, for the scope https://storage.azure.com/.default,
 * and are kept until 5 minutes before they expire. The account is
 * FLYTE_AZURE_STORAGE_ACCOUNT_NAME, AZURE_STORAGE_ACCOUNT or
 * AZURE_STORAGE_ACCOUNT_NAME (or the connection string's AccountName)
 * unless the URI names one.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>

#include "azure.h"
#include "base64.h"
#include "json.h"

#define REFRESH_MARGIN 300
#define SCOPE "https://storage.azure.com/.default"

static const char *env(const char *name)
{
	const char *v = getenv(name);
	return v != NULL && *v != 0 ? v : NULL;
}

/* flytekit's FLYTE_AZURE_NAME ahead of the Azure SDKs' AZURE_NAME */
static const char *env_flyte(const char *name, const char **which)
{
	static const char *const flyte[][2] = {
		{ "AZURE_TENANT_ID", "FLYTE_AZURE_TENANT_ID" },
		{ "AZURE_CLIENT_ID", "FLYTE_AZURE_CLIENT_ID" },
		{ "AZURE_CLIENT_SECRET", "FLYTE_AZURE_CLIENT_SECRET" },
	};
	for (size_t i = 0; i < sizeof flyte / sizeof flyte[0]; i++)
		if (strcmp(flyte[i][0], name) == 0 && env(flyte[i][1]) != NULL) {
			*which = flyte[i][1];
			return env(flyte[i][1]);
		}
	*which = name;
	return env(name);
}

const char *rt_az_env_account(void)
{
	static const char *const vars[] = { "FLYTE_AZURE_STORAGE_ACCOUNT_NAME", "AZURE_STORAGE_ACCOUNT",
					    "AZURE_STORAGE_ACCOUNT_NAME", NULL };
	return rt_env_first(vars, NULL);
}

/* "Name=value;Name=value" (names case-insensitive; a value may hold '='). */
const char *rt_az_conn_field(const char *name, char *out, size_t n)
{
	const char *cs = env("AZURE_STORAGE_CONNECTION_STRING");
	size_t nl = strlen(name);

	for (const char *p = cs; p != NULL && *p != 0;) {
		size_t fl = strcspn(p, ";");
		if (fl > nl && p[nl] == '=' && strncasecmp(p, name, nl) == 0) {
			size_t vl = fl - nl - 1;
			if (vl == 0 || vl >= n)
				return NULL;
			memcpy(out, p + nl + 1, vl);
			out[vl] = 0;
			return out;
		}
		p += fl;
		if (*p == ';')
			p++;
	}
	return NULL;
}

/* Header- and URL-safe: no control characters, spaces or '#'. */
static bool clean(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f || *s == '#')
			return false;
	return true;
}

static int shared_key(struct rt_az_creds *c, struct rt_msg *err)
{
	static const char *const vars[] = { "FLYTE_AZURE_STORAGE_ACCOUNT_KEY", "AZURE_STORAGE_KEY",
					    "AZURE_STORAGE_ACCOUNT_KEY", NULL };
	char cs[512];
	const char *which = NULL;
	const char *k = rt_env_first(vars, &which);

	if (k == NULL && (k = rt_az_conn_field("AccountKey", cs, sizeof cs)) != NULL)
		which = "AZURE_STORAGE_CONNECTION_STRING's AccountKey";
	if (k == NULL)
		return 0;
	size_t n = strlen(k);
	if (n / 4 * 3 + 3 > sizeof c->key || base_base64_decode(k, n, c->key, &c->keylen) < 0 || c->keylen == 0)
		return rt_msgf(err, "%s is not a storage account key (base64)", which);
	c->kind = RT_AZ_SHARED_KEY;
	snprintf(c->source, sizeof c->source, "%s", which);
	return 1;
}

static int sas(struct rt_az_creds *c, struct rt_msg *err)
{
	char cs[4096];
	const char *which = "AZURE_STORAGE_SAS_TOKEN";
	const char *t = env(which);

	if (t == NULL && (t = rt_az_conn_field("SharedAccessSignature", cs, sizeof cs)) != NULL)
		which = "AZURE_STORAGE_CONNECTION_STRING's SharedAccessSignature";
	if (t == NULL)
		return 0;
	if (*t == '?')
		t++;
	if (*t == 0 || strlen(t) >= sizeof c->sas || !clean(t))
		return rt_msgf(err, "%s is not a SAS query string (sv=...&sig=...)", which);
	c->kind = RT_AZ_SAS;
	snprintf(c->sas, sizeof c->sas, "%s", t);
	snprintf(c->source, sizeof c->source, "%s", which);
	return 1;
}

/* ---- Azure AD -------------------------------------------------------------------------- */
/* The token endpoint: https, or http to this machine only (a test's stand-in). */
static int token_url(const char *tenant, char *url, size_t n, struct rt_msg *err)
{
	const char *host = env("AZURE_AUTHORITY_HOST");

	if (host == NULL)
		host = "https://login.microsoftonline.com/";
	for (const char *t = tenant; *t; t++)
		if (!((*t >= 'a' && *t <= 'z') || (*t >= 'A' && *t <= 'Z') || (*t >= '0' && *t <= '9') ||
		      *t == '-' || *t == '.' || *t == '_'))
			return rt_msgf(err, "AZURE_TENANT_ID '%s' is not a tenant ID or domain", tenant);
	bool local = strncmp(host, "http://127.0.0.1:", 17) == 0 || strncmp(host, "http://localhost:", 17) == 0 ||
		     strncmp(host, "http://[::1]:", 13) == 0;
	if (strncasecmp(host, "https://", 8) != 0 && !local)
		return rt_msgf(err, "AZURE_AUTHORITY_HOST='%s' must be an https:// URL", host);
	if (!clean(host))
		return rt_msgf(err, "AZURE_AUTHORITY_HOST='%s' is not a URL", host);
	size_t hl = strlen(host);
	if (snprintf(url, n, "%s%s%s/oauth2/v2.0/token", host, hl && host[hl - 1] == '/' ? "" : "/", tenant) >= (int)n)
		return rt_msgf(err, "AZURE_AUTHORITY_HOST is too long");
	return 0;
}

static const struct rt_json *member(const struct rt_json *o, const char *key)
{
	for (size_t i = 0; o != NULL && o->k == RT_JSON_OBJ && i < o->n; i++)
		if (strcmp(o->keys[i], key) == 0)
			return o->items[i];
	return NULL;
}

/* The token and its lifetime from the endpoint's JSON answer. */
static int parse_token(struct rt_az_creds *c, time_t *expires, const struct rt_http_resp *r, const char *url,
		       const char *what, struct rt_msg *err)
{
	struct rt_arena *a = rt_arena_new();
	struct rt_json *j = NULL;
	struct rt_msg perr;
	int rc = -1;

	if (a == NULL)
		return rt_msgf(err, "out of memory");
	const char *text = rt_arena_strndup(a, r->body.len ? (const char *)r->body.data : "", r->body.len);
	if (text == NULL || rt_json_parse(a, text, &j, &perr) < 0)
		j = NULL;
	if (r->status != 200) {
		const struct rt_json *e = member(j, "error"), *d = member(j, "error_description");
		char desc[400] = "";
		if (d != NULL && d->k == RT_JSON_STR)
			snprintf(desc, sizeof desc, "%.*s", (int)strcspn(d->s, "\r\n"), d->s);
		rt_msgf(err, "%s: the token endpoint %s answered %ld%s%s%s%s", what, url, r->status,
			e != NULL && e->k == RT_JSON_STR ? " " : "", e != NULL && e->k == RT_JSON_STR ? e->s : "",
			desc[0] ? ": " : "", desc);
		goto out;
	}
	const struct rt_json *t = member(j, "access_token"), *x = member(j, "expires_in");
	if (t == NULL || t->k != RT_JSON_STR || t->len == 0 || t->len >= sizeof c->token ||
	    strlen(t->s) != t->len || !clean(t->s)) {
		rt_msgf(err, "%s: the answer of %s has no usable access_token", what, url);
		goto out;
	}
	long long secs = 3600;
	if (x != NULL && (x->k == RT_JSON_NUM || x->k == RT_JSON_STR)) {
		char *end;
		secs = strtoll(x->s, &end, 10);
		if (end == x->s || *end != 0 || secs <= 0)
			secs = 3600;
	}
	memcpy(c->token, t->s, t->len + 1);
	*expires = time(NULL) + (time_t)secs;
	rc = 0;
out:
	if (text != NULL)
		OPENSSL_cleanse((void *)text, r->body.len);
	rt_arena_free(a);
	return rc;
}

/* POSTs the form to the token endpoint (3 attempts on 5xx and dropped connections). */
static int token_request(struct rt_az_creds *c, time_t *expires, const char *url, const char *form,
			 const char *what, struct rt_msg *err)
{
	CURL *h = curl_easy_init();
	struct curl_slist *hl = curl_slist_append(NULL, "Content-Type: application/x-www-form-urlencoded");
	struct curl_slist *h2 = hl != NULL ? curl_slist_append(hl, "Accept: application/json") : NULL;
	struct rt_http_body b = { .mem = (const uint8_t *)form, .fd = -1, .len = strlen(form) };
	struct rt_http_resp resp = { 0 };
	int rc = -1;

	if (h == NULL || h2 == NULL) {
		rt_msgf(err, "%s: out of memory", what);
		goto out;
	}
	hl = h2;
	struct rt_http_req r = {
		.method = "POST", .url = url, .headers = hl, .body = &b, .out_fd = -1, .limit = 256 * 1024,
		.connect_timeout_ms = 5000, .low_speed_time_s = 10, .timeout_ms = 30000,
	};
	for (int attempt = 1;; attempt++) {
		resp.body.len = 0;
		int got = rt_http_do(h, &r, &resp) == 0;
		bool again = got ? resp.status >= 500 : rt_http_transient(resp.cc);
		if (again && attempt < 3) {
			struct timespec ts = { 0, 200000000L * attempt };
			nanosleep(&ts, NULL);
			continue;
		}
		if (!got) {
			rt_msgf(err, "%s: cannot reach the token endpoint %s: %s", what, url, resp.cerr);
			goto out;
		}
		break;
	}
	rc = parse_token(c, expires, &resp, url, what, err);
out:
	if (resp.body.data != NULL)
		OPENSSL_cleanse(resp.body.data, resp.body.len);
	rt_http_resp_free(&resp);
	curl_slist_free_all(hl);
	curl_easy_cleanup(h);
	return rc;
}

static int read_token_file(const char *path, char *out, size_t n, struct rt_msg *err)
{
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return rt_msgf(err, "AZURE_FEDERATED_TOKEN_FILE: cannot read %s: %s", path, strerror(errno));
	size_t got = fread(out, 1, n - 1, f);
	bool more = fgetc(f) != EOF;
	fclose(f);
	if (more)
		return rt_msgf(err, "AZURE_FEDERATED_TOKEN_FILE: %s is larger than %zu bytes", path, n - 1);
	while (got > 0 && (out[got - 1] == '\n' || out[got - 1] == '\r' || out[got - 1] == ' '))
		got--;
	out[got] = 0;
	if (got == 0 || !clean(out))
		return rt_msgf(err, "AZURE_FEDERATED_TOKEN_FILE: %s holds no token", path);
	return 0;
}

static int form_add(struct base_buf *f, const char *name, const char *value)
{
	return base_buf_printf(f, "%s%s=", f->len ? "&" : "", name) < 0 ||
	       rt_uri_encode(f, value, strlen(value), false) < 0 ? -1 : 0;
}

/* An AD token (client secret, else workload identity): 1, 0 none configured, -1. */
static int ad_token(struct rt_az_creds *c, time_t *expires, struct rt_msg *err)
{
	const char *tv, *cv, *sv;
	const char *tenant = env_flyte("AZURE_TENANT_ID", &tv), *client = env_flyte("AZURE_CLIENT_ID", &cv);
	const char *secret = env_flyte("AZURE_CLIENT_SECRET", &sv), *file = env("AZURE_FEDERATED_TOKEN_FILE");
	static char assertion[16384];
	struct base_buf form = { 0 };
	char url[1200], what[200];
	int rc = -1;

	if (tenant == NULL || client == NULL || (secret == NULL && file == NULL))
		return 0;
	snprintf(what, sizeof what, "Azure AD %s (%s, %s, %s)", secret != NULL ? "client secret" : "workload identity",
		 tv, cv, secret != NULL ? sv : "AZURE_FEDERATED_TOKEN_FILE");
	if (token_url(tenant, url, sizeof url, err) < 0)
		return -1;
	if (secret == NULL && read_token_file(file, assertion, sizeof assertion, err) < 0)
		return -1;
	if (form_add(&form, "grant_type", "client_credentials") < 0 || form_add(&form, "client_id", client) < 0 ||
	    form_add(&form, "scope", SCOPE) < 0)
		goto oom;
	if (secret != NULL) {
		if (form_add(&form, "client_secret", secret) < 0)
			goto oom;
	} else if (form_add(&form, "client_assertion_type",
			    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer") < 0 ||
		   form_add(&form, "client_assertion", assertion) < 0) {
		goto oom;
	}
	if (token_request(c, expires, url, (const char *)form.data, what, err) == 0) {
		c->kind = RT_AZ_BEARER;
		snprintf(c->source, sizeof c->source, "%s", what);
		rc = 1;
	}
	goto out;
oom:
	rt_msgf(err, "out of memory");
out:
	OPENSSL_cleanse(assertion, sizeof assertion);
	if (form.data != NULL)
		OPENSSL_cleanse(form.data, form.len);
	base_buf_free(&form);
	return rc;
}

/* ---- the chain and the token cache ------------------------------------------------------- */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct rt_az_creds cached;
static time_t cached_expires;
static bool have_cached;

int rt_az_creds_get(struct rt_az_creds *c, const char *account, struct rt_msg *err)
{
	int r;

	memset(c, 0, sizeof *c);
	if ((r = shared_key(c, err)) != 0 || (r = sas(c, err)) != 0)
		return r < 0 ? -1 : 0;
	pthread_mutex_lock(&lock);
	if (have_cached && cached_expires - REFRESH_MARGIN > time(NULL)) {
		*c = cached;
		pthread_mutex_unlock(&lock);
		return 0;
	}
	time_t expires = 0;
	r = ad_token(c, &expires, err);
	if (r > 0) {
		cached = *c;
		cached_expires = expires;
		have_cached = true;
	}
	pthread_mutex_unlock(&lock);
	if (r != 0)
		return r < 0 ? -1 : 0;
	return rt_msgf(err, "no Azure credentials for storage account '%s': tried AZURE_STORAGE_KEY (and "
		       "FLYTE_AZURE_STORAGE_ACCOUNT_KEY, AZURE_STORAGE_ACCOUNT_KEY, AZURE_STORAGE_CONNECTION_STRING), "
		       "AZURE_STORAGE_SAS_TOKEN, AZURE_TENANT_ID + AZURE_CLIENT_ID with AZURE_CLIENT_SECRET or "
		       "AZURE_FEDERATED_TOKEN_FILE (and FLYTE_AZURE_*)", account);
}

void rt_az_creds_forget(void)
{
	pthread_mutex_lock(&lock);
	OPENSSL_cleanse(&cached, sizeof cached);
	have_cached = false;
	pthread_mutex_unlock(&lock);
}
