/*
 * awscreds.c: AWS credentials and region, found the way the AWS SDKs find
 * them. The first source that has credentials wins:
 *
 *  1. flytekit's FLYTE_AWS_ACCESS_KEY_ID / FLYTE_AWS_SECRET_ACCESS_KEY
 *     (explicit configuration), then AWS_ACCESS_KEY_ID /
 *     AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN)
 *  2. web identity: AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE, exchanged
 *     at STS (AssumeRoleWithWebIdentity; AWS_ENDPOINT_URL_STS)
 *  3. the shared credentials file (AWS_SHARED_CREDENTIALS_FILE, else
 *     ~/.aws/credentials), profile AWS_PROFILE or "default"
 *  4. the config file (AWS_CONFIG_FILE, else ~/.aws/config), the same
 *     profile ("[profile NAME]" or "[default]")
 *  5. container credentials: AWS_CONTAINER_CREDENTIALS_FULL_URI or
 *     http://169.254.170.2 + AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, with
 *     AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE)
 *  6. the EC2 instance metadata service, IMDSv2 (unless
 *     AWS_EC2_METADATA_DISABLED=true; AWS_EC2_METADATA_SERVICE_ENDPOINT)
 *
 * Credentials are cached for the process; temporary ones are fetched again
 * five minutes before they expire.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "aws.h"
#include "json.h"

#define REFRESH_MARGIN 300

/* ---- small parsers ------------------------------------------------------------ */
void rt_xml_decode(const char *s, size_t n, char *out, size_t outn)
{
	static const struct { const char *e; char c; } ents[] = {
		{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' }, { "&quot;", '"' }, { "&apos;", '\'' },
	};
	size_t k = 0;

	for (size_t i = 0; i < n && k + 1 < outn; i++) {
		char c = s[i];
		if (c == '&') {
			for (size_t e = 0; e < sizeof ents / sizeof ents[0]; e++) {
				size_t el = strlen(ents[e].e);
				if (i + el <= n && memcmp(s + i, ents[e].e, el) == 0) {
					c = ents[e].c;
					i += el - 1;
					break;
				}
			}
		}
		out[k++] = c;
	}
	out[k] = 0;
}

int rt_xml_text(const char *xml, size_t n, const char *tag, char *out, size_t outn)
{
	char open[80], close[80];

	if (xml == NULL || outn == 0)
		return -1;
	snprintf(open, sizeof open, "<%s>", tag);
	snprintf(close, sizeof close, "</%s>", tag);
	const char *b = memmem(xml, n, open, strlen(open));
	if (b == NULL)
		return -1;
	b += strlen(open);
	const char *e = memmem(b, n - (size_t)(b - xml), close, strlen(close));
	if (e == NULL)
		return -1;
	rt_xml_decode(b, (size_t)(e - b), out, outn);
	return 0;
}

time_t rt_parse_iso8601(const char *s)
{
	struct tm tm = { 0 };
	int y, mo, d, h, mi, sec;

	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &sec) != 6)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	time_t t = timegm(&tm);
	/* an offset other than Z ("+01:00") */
	const char *z = s + 19;
	while (*z == '.' || isdigit((unsigned char)*z))
		z++;
	if ((*z == '+' || *z == '-') && isdigit((unsigned char)z[1])) {
		int oh = 0, om = 0;
		sscanf(z + 1, "%2d:%2d", &oh, &om);
		long off = oh * 3600L + om * 60L;
		t += *z == '+' ? -off : off;
	}
	return t;
}

/* ---- environment --------------------------------------------------------------- */
const char *rt_env_first(const char *const *names, const char **which)
{
	for (; *names != NULL; names++) {
		const char *v = getenv(*names);
		if (v != NULL && *v != 0) {
			if (which != NULL)
				*which = *names;
			return v;
		}
	}
	return NULL;
}

long long rt_env_ll(const char *name, long long def)
{
	const char *v = getenv(name);
	char *end;

	if (v == NULL || *v == 0)
		return def;
	errno = 0;
	long long n = strtoll(v, &end, 10);
	if (errno != 0 || *end != 0 || n < 0)
		return def;
	return n;
}

static void copy(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src != NULL ? src : "");
}

/* ~/.aws/NAME unless the variable names another file. */
static void aws_file(const char *var, const char *name, char *out, size_t n)
{
	const char *v = getenv(var);
	if (v != NULL && *v != 0) {
		if (v[0] == '~' && v[1] == '/' && getenv("HOME") != NULL)
			snprintf(out, n, "%s%s", getenv("HOME"), v + 1);
		else
			copy(out, n, v);
		return;
	}
	const char *home = getenv("HOME");
	if (home == NULL || *home == 0) {
		out[0] = 0;
		return;
	}
	snprintf(out, n, "%s/.aws/%s", home, name);
}

static const char *profile_name(void)
{
	static const char *const vars[] = { "AWS_PROFILE", "AWS_DEFAULT_PROFILE", NULL };
	const char *p = rt_env_first(vars, NULL);
	return p != NULL ? p : "default";
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = 0;
	return s;
}

/* Reads key from the INI file's section (config file: "profile NAME", or
 * "default"). 0 found, -1 not. */
static int ini_get(const char *path, const char *profile, bool config, const char *key, char *out,
		   size_t n)
{
	if (path[0] == 0)
		return -1;
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return -1;
	char line[4096];
	bool in = false;
	int rc = -1;
	while (fgets(line, sizeof line, f) != NULL) {
		char *s = trim(line);
		if (*s == '#' || *s == ';' || *s == 0)
			continue;
		if (*s == '[') {
			char *e = strchr(s, ']');
			if (e == NULL) {
				in = false;
				continue;
			}
			*e = 0;
			char *name = trim(s + 1);
			if (config && strncmp(name, "profile", 7) == 0 && isspace((unsigned char)name[7]))
				name = trim(name + 8);
			in = strcmp(name, profile) == 0;
			continue;
		}
		if (!in)
			continue;
		char *eq = strchr(s, '=');
		if (eq == NULL)
			continue;
		*eq = 0;
		if (strcmp(trim(s), key) == 0) {
			copy(out, n, trim(eq + 1));
			rc = 0;
			break;
		}
	}
	fclose(f);
	return rc;
}

void rt_aws_region(char *out, size_t n)
{
	static const char *const vars[] = { "AWS_REGION", "AWS_DEFAULT_REGION", NULL };
	const char *r = rt_env_first(vars, NULL);
	char path[4096];

	if (r != NULL) {
		copy(out, n, r);
		return;
	}
	aws_file("AWS_CONFIG_FILE", "config", path, sizeof path);
	if (ini_get(path, profile_name(), true, "region", out, n) == 0 && out[0] != 0)
		return;
	copy(out, n, "us-east-1");
}

/* ---- the sources ----------------------------------------------------------------- */
static int from_env(struct rt_aws_creds *c)
{
	const char *fk = getenv("FLYTE_AWS_ACCESS_KEY_ID"), *fs = getenv("FLYTE_AWS_SECRET_ACCESS_KEY");
	if (fk != NULL && *fk != 0 && fs != NULL && *fs != 0) {
		copy(c->access_key, sizeof c->access_key, fk);
		copy(c->secret_key, sizeof c->secret_key, fs);
		copy(c->token, sizeof c->token, getenv("FLYTE_AWS_SESSION_TOKEN"));
		copy(c->source, sizeof c->source, "the environment (FLYTE_AWS_ACCESS_KEY_ID)");
		return 1;
	}
	const char *k = getenv("AWS_ACCESS_KEY_ID"), *s = getenv("AWS_SECRET_ACCESS_KEY");
	if (k != NULL && *k != 0 && s != NULL && *s != 0) {
		copy(c->access_key, sizeof c->access_key, k);
		copy(c->secret_key, sizeof c->secret_key, s);
		copy(c->token, sizeof c->token, getenv("AWS_SESSION_TOKEN"));
		copy(c->source, sizeof c->source, "the environment (AWS_ACCESS_KEY_ID)");
		return 1;
	}
	return 0;
}

static int from_file(struct rt_aws_creds *c, const char *var, const char *name, bool config)
{
	char path[4096];
	const char *p = profile_name();

	aws_file(var, name, path, sizeof path);
	if (ini_get(path, p, config, "aws_access_key_id", c->access_key, sizeof c->access_key) < 0 ||
	    ini_get(path, p, config, "aws_secret_access_key", c->secret_key, sizeof c->secret_key) < 0 ||
	    c->access_key[0] == 0 || c->secret_key[0] == 0)
		return 0;
	if (ini_get(path, p, config, "aws_session_token", c->token, sizeof c->token) < 0)
		c->token[0] = 0;
	snprintf(c->source, sizeof c->source, "profile '%.40s' in %.100s", p, path);
	return 1;
}

/* One request to a credential service; body in resp. */
static int service_call(const char *method, const char *url, struct curl_slist *hdrs,
			const char *body, struct rt_http_resp *resp, long timeout_ms, int attempts,
			const char *what, struct rt_msg *err)
{
	CURL *h = curl_easy_init();
	struct rt_http_body b = { .mem = (const uint8_t *)body, .fd = -1, .len = body ? strlen(body) : 0 };
	struct rt_http_req r = {
		.method = method, .url = url, .headers = hdrs, .body = body ? &b : NULL,
		.out_fd = -1, .limit = 256 * 1024, .connect_timeout_ms = timeout_ms,
		.low_speed_time_s = 10, .timeout_ms = timeout_ms * 5,
	};
	int rc = -1;

	if (h == NULL)
		return rt_msgf(err, "%s: cannot make a curl handle", what);
	for (int attempt = 0; attempt < attempts; attempt++) {
		resp->body.len = 0;
		if (rt_http_do(h, &r, resp) < 0) {
			rt_msgf(err, "%s: %s: %s", what, url, resp->cerr);
			if (!rt_http_transient(resp->cc))
				break;
			struct timespec ts = { 0, 100000000L << attempt };
			nanosleep(&ts, NULL);
			continue;
		}
		if (resp->status >= 500 || resp->status == 429) {
			rt_msgf(err, "%s: %s answered HTTP %ld", what, url, resp->status);
			struct timespec ts = { 0, 100000000L << attempt };
			nanosleep(&ts, NULL);
			continue;
		}
		rc = 0;
		break;
	}
	curl_easy_cleanup(h);
	return rc;
}

/* The string member key of the object o into out; 0, or -1 when it is not
 * there, not a string or too long. Credentials are ASCII: any other
 * character (and NUL) becomes '?'. */
static int json_member(const struct rt_json *o, const char *key, char *out, size_t outn)
{
	for (size_t i = 0; i < o->n; i++) {
		if (strcmp(o->keys[i], key) != 0)
			continue;
		const struct rt_json *v = o->items[i];
		size_t k = 0;
		if (v->k != RT_JSON_STR)
			return -1;
		for (size_t j = 0; j < v->len; j++) {
			unsigned char c = (unsigned char)v->s[j];
			if (c >= 0x80 && c < 0xc0)
				continue;   /* a UTF-8 continuation byte */
			if (k + 1 >= outn)
				return -1;
			out[k++] = c > 0 && c < 0x80 ? (char)c : '?';
		}
		out[k] = 0;
		return 0;
	}
	return -1;
}

/* Credentials from a JSON document (container and instance metadata). */
static int parse_json_creds(struct rt_aws_creds *c, const struct rt_http_resp *r, const char *what,
			    struct rt_msg *err)
{
	struct rt_arena *a = rt_arena_new();
	struct rt_json *j = NULL;
	struct rt_msg perr;
	char exp[64];
	int rc = 0;

	if (a == NULL)
		return rt_msgf(err, "%s: out of memory", what);
	const char *text = rt_arena_strndup(a, (const char *)r->body.data, r->body.len);
	if (text == NULL || rt_json_parse(a, text, &j, &perr) < 0 || j->k != RT_JSON_OBJ ||
	    json_member(j, "AccessKeyId", c->access_key, sizeof c->access_key) < 0 ||
	    json_member(j, "SecretAccessKey", c->secret_key, sizeof c->secret_key) < 0) {
		rc = rt_msgf(err, "%s: the answer has no AccessKeyId and SecretAccessKey", what);
		goto out;
	}
	if (json_member(j, "Token", c->token, sizeof c->token) < 0)
		c->token[0] = 0;
	c->expires = 0;
	if (json_member(j, "Expiration", exp, sizeof exp) == 0) {
		c->expires = rt_parse_iso8601(exp);
		if (c->expires == -1)
			rc = rt_msgf(err, "%s: the Expiration '%s' is not an ISO 8601 time", what, exp);
	}
out:
	rt_arena_free(a);
	return rc;
}

/* GETs url (headers h) and reads the credentials from its JSON answer. */
static int get_json_creds(struct rt_aws_creds *c, const char *url, struct curl_slist *h,
			  long timeout_ms, const char *what, struct rt_msg *err)
{
	struct rt_http_resp resp = { 0 };
	int rc = -1;

	if (service_call("GET", url, h, NULL, &resp, timeout_ms, 3, what, err) < 0)
		goto out;
	if (resp.status != 200) {
		rt_msgf(err, "%s: %s answered HTTP %ld", what, url, resp.status);
		goto out;
	}
	rc = parse_json_creds(c, &resp, what, err);
out:
	rt_http_resp_free(&resp);
	return rc;
}

static int read_small_file(const char *path, char *out, size_t n, const char *what, struct rt_msg *err)
{
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return rt_msgf(err, "%s: cannot read %s: %s", what, path, strerror(errno));
	size_t got = fread(out, 1, n - 1, f);
	bool more = fgetc(f) != EOF;
	fclose(f);
	if (more)
		return rt_msgf(err, "%s: %s is larger than %zu bytes", what, path, n - 1);
	out[got] = 0;
	char *t = trim(out);
	memmove(out, t, strlen(t) + 1);
	return 0;
}

static int from_web_identity(struct rt_aws_creds *c, struct rt_msg *err)
{
	const char *role = getenv("AWS_ROLE_ARN"), *tokfile = getenv("AWS_WEB_IDENTITY_TOKEN_FILE");
	const char *what = "web identity credentials (AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE)";
	static char token[16384];
	char region[64], url[1024], exp[64];
	struct base_buf body = { 0 };
	struct rt_http_resp resp = { 0 };
	int rc = -1;

	if (role == NULL || *role == 0 || tokfile == NULL || *tokfile == 0)
		return 0;
	if (read_small_file(tokfile, token, sizeof token, what, err) < 0)
		return -1;
	const char *ep = getenv("AWS_ENDPOINT_URL_STS");
	rt_aws_region(region, sizeof region);
	if (ep != NULL && *ep != 0)
		snprintf(url, sizeof url, "%s", ep);
	else
		snprintf(url, sizeof url, "https://sts.%s.amazonaws.com/", region);
	const char *session = getenv("AWS_ROLE_SESSION_NAME");
	if (session == NULL || *session == 0)
		session = "flytec";
	if (base_buf_printf(&body, "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=") < 0 ||
	    rt_uri_encode(&body, role, strlen(role), false) < 0 ||
	    base_buf_printf(&body, "&RoleSessionName=") < 0 ||
	    rt_uri_encode(&body, session, strlen(session), false) < 0 ||
	    base_buf_printf(&body, "&WebIdentityToken=") < 0 ||
	    rt_uri_encode(&body, token, strlen(token), false) < 0) {
		rt_msgf(err, "%s: out of memory", what);
		goto out;
	}
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/x-www-form-urlencoded");
	struct curl_slist *h2 = h ? curl_slist_append(h, "Accept:") : NULL;
	if (h2 == NULL) {
		curl_slist_free_all(h);
		rt_msgf(err, "%s: out of memory", what);
		goto out;
	}
	h = h2;
	int r = service_call("POST", url, h, (const char *)body.data, &resp, 5000, 3, what, err);
	curl_slist_free_all(h);
	if (r < 0)
		goto out;
	const char *x = (const char *)resp.body.data;
	if (resp.status != 200) {
		char code[128] = "", message[512] = "";
		rt_xml_text(x, resp.body.len, "Code", code, sizeof code);
		rt_xml_text(x, resp.body.len, "Message", message, sizeof message);
		rt_msgf(err, "%s: STS at %s answered %ld %s%s%s", what, url, resp.status, code,
			message[0] ? ": " : "", message);
		goto out;
	}
	if (rt_xml_text(x, resp.body.len, "AccessKeyId", c->access_key, sizeof c->access_key) < 0 ||
	    rt_xml_text(x, resp.body.len, "SecretAccessKey", c->secret_key, sizeof c->secret_key) < 0 ||
	    rt_xml_text(x, resp.body.len, "SessionToken", c->token, sizeof c->token) < 0) {
		rt_msgf(err, "%s: the STS answer from %s has no credentials", what, url);
		goto out;
	}
	c->expires = 0;
	if (rt_xml_text(x, resp.body.len, "Expiration", exp, sizeof exp) == 0)
		c->expires = rt_parse_iso8601(exp);
	snprintf(c->source, sizeof c->source, "web identity (STS AssumeRoleWithWebIdentity, %.100s)", role);
	rc = 1;
out:
	memset(token, 0, sizeof token);
	base_buf_free(&body);
	rt_http_resp_free(&resp);
	return rc;
}

static int from_container(struct rt_aws_creds *c, struct rt_msg *err)
{
	const char *full = getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	const char *rel = getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *what = "container credentials (AWS_CONTAINER_CREDENTIALS_*_URI)";
	char url[2048], auth[8192 + 32], tok[8192];
	struct curl_slist *h = NULL;
	int rc = -1;

	if (rel != NULL && *rel != 0)
		snprintf(url, sizeof url, "http://169.254.170.2%s", rel);
	else if (full != NULL && *full != 0)
		snprintf(url, sizeof url, "%s", full);
	else
		return 0;
	const char *tf = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	const char *t = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
	tok[0] = 0;
	if (tf != NULL && *tf != 0) {
		if (read_small_file(tf, tok, sizeof tok, what, err) < 0)
			return -1;
	} else if (t != NULL && *t != 0) {
		copy(tok, sizeof tok, t);
	}
	if (tok[0] != 0) {
		if (strpbrk(tok, "\r\n") != NULL)
			return rt_msgf(err, "%s: the authorization token holds a line break", what);
		snprintf(auth, sizeof auth, "Authorization: %s", tok);
		if ((h = curl_slist_append(NULL, auth)) == NULL)
			return rt_msgf(err, "%s: out of memory", what);
	}
	if (get_json_creds(c, url, h, 2000, what, err) < 0)
		goto out;
	snprintf(c->source, sizeof c->source, "container credentials (%.120s)", url);
	rc = 1;
out:
	curl_slist_free_all(h);
	return rc;
}

/* The IMDSv2 session token as a header line into hdr: 1, or 0 when no
 * instance metadata answers here (-1 instead when the endpoint was
 * asked for), -1 on an error. */
static int imds_token(const char *base, bool asked, char *hdr, size_t n, const char *what,
		      struct rt_msg *err)
{
	struct rt_http_resp resp = { 0 };
	struct rt_msg quiet;
	char url[2048];
	int rc = 0;

	snprintf(url, sizeof url, "%s/latest/api/token", base);
	struct curl_slist *h = curl_slist_append(NULL, "X-aws-ec2-metadata-token-ttl-seconds: 21600");
	if (h == NULL)
		return rt_msgf(err, "%s: out of memory", what);
	/* one quick try at the default address (as the SDKs do: most machines
	 * are not EC2 instances), three at an address asked for */
	int r = service_call("PUT", url, h, "", &resp, 1000, asked ? 3 : 1, what, &quiet);
	curl_slist_free_all(h);
	if (r < 0 || resp.status != 200 || resp.body.len == 0 || resp.body.len > 900 ||
	    memchr(resp.body.data, '\n', resp.body.len) != NULL) {
		if (asked) {
			/* asked for explicitly: say why it failed */
			rc = r < 0 ? rt_msgf(err, "%s", quiet.text)
				   : rt_msgf(err, "%s: %s answered HTTP %ld", what, url, resp.status);
		}
	} else {
		snprintf(hdr, n, "X-aws-ec2-metadata-token: %.*s", (int)resp.body.len, (char *)resp.body.data);
		rc = 1;
	}
	rt_http_resp_free(&resp);
	return rc;
}

/* The instance's role into role: 1, 0 for an instance without one, -1. */
static int imds_role(const char *base, struct curl_slist *h, char *role, size_t rn, const char *what,
		     struct rt_msg *err)
{
	struct rt_http_resp resp = { 0 };
	char url[2048];
	int rc = -1;

	snprintf(url, sizeof url, "%s/latest/meta-data/iam/security-credentials/", base);
	if (service_call("GET", url, h, NULL, &resp, 1000, 3, what, err) < 0)
		goto out;
	if (resp.status == 404) {
		rc = 0;   /* an instance without a role */
		goto out;
	}
	if (resp.status != 200 || resp.body.len == 0) {
		rt_msgf(err, "%s: %s answered HTTP %ld", what, url, resp.status);
		goto out;
	}
	size_t n = strcspn((const char *)resp.body.data, "\r\n");
	if (n == 0 || n >= rn) {
		rt_msgf(err, "%s: %s named no role", what, url);
		goto out;
	}
	memcpy(role, resp.body.data, n);
	role[n] = 0;
	rc = 1;
out:
	rt_http_resp_free(&resp);
	return rc;
}

static int from_imds(struct rt_aws_creds *c, struct rt_msg *err)
{
	const char *dis = getenv("AWS_EC2_METADATA_DISABLED");
	const char *what = "instance metadata credentials (IMDSv2)";
	char base[1024], url[2048], hdr[1024], role[256];
	struct curl_slist *h = NULL;
	int rc;

	if (dis != NULL && strcasecmp(dis, "true") == 0)
		return 0;
	const char *ep = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	snprintf(base, sizeof base, "%s", ep != NULL && *ep != 0 ? ep : "http://169.254.169.254");
	size_t bl = strlen(base);
	while (bl > 0 && base[bl - 1] == '/')
		base[--bl] = 0;

	/* the session token; no answer means no instance metadata here */
	if ((rc = imds_token(base, ep != NULL && *ep != 0, hdr, sizeof hdr, what, err)) <= 0)
		return rc;
	if ((h = curl_slist_append(NULL, hdr)) == NULL)
		return rt_msgf(err, "%s: out of memory", what);
	if ((rc = imds_role(base, h, role, sizeof role, what, err)) <= 0)
		goto out;
	rc = -1;
	snprintf(url, sizeof url, "%s/latest/meta-data/iam/security-credentials/%s", base, role);
	if (get_json_creds(c, url, h, 1000, what, err) < 0)
		goto out;
	snprintf(c->source, sizeof c->source, "instance metadata (IMDSv2 at %.80s, role %.40s)", base, role);
	rc = 1;
out:
	curl_slist_free_all(h);
	return rc;
}

/* ---- the chain and its cache ------------------------------------------------------ */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct rt_aws_creds cached;
static bool have_cached;

static int find_creds(struct rt_aws_creds *c, struct rt_msg *err)
{
	char cf[4096], sf[4096];
	int r;

	memset(c, 0, sizeof *c);
	if (from_env(c))
		return 0;
	if ((r = from_web_identity(c, err)) != 0)
		return r < 0 ? -1 : 0;
	if (from_file(c, "AWS_SHARED_CREDENTIALS_FILE", "credentials", false))
		return 0;
	if (from_file(c, "AWS_CONFIG_FILE", "config", true))
		return 0;
	if ((r = from_container(c, err)) != 0)
		return r < 0 ? -1 : 0;
	if ((r = from_imds(c, err)) != 0)
		return r < 0 ? -1 : 0;
	aws_file("AWS_SHARED_CREDENTIALS_FILE", "credentials", sf, sizeof sf);
	aws_file("AWS_CONFIG_FILE", "config", cf, sizeof cf);
	return rt_msgf(err, "no AWS credentials found: tried AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY "
		       "(and FLYTE_AWS_*), AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE, profile '%s' in %s "
		       "and %s, AWS_CONTAINER_CREDENTIALS_*_URI and the instance metadata service",
		       profile_name(), sf[0] ? sf : "~/.aws/credentials", cf[0] ? cf : "~/.aws/config");
}

/* Header-safe: no control characters (no header injection). */
static bool printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

int rt_aws_creds_get(struct rt_aws_creds *c, struct rt_msg *err)
{
	if (rt_http_init(err) < 0)
		return -1;
	pthread_mutex_lock(&lock);
	time_t now = time(NULL);
	if (have_cached && (cached.expires == 0 || cached.expires - REFRESH_MARGIN > now)) {
		*c = cached;
		pthread_mutex_unlock(&lock);
		return 0;
	}
	int rc = find_creds(c, err);
	if (rc == 0) {
		if (!printable(c->access_key) || !printable(c->secret_key) || !printable(c->token)) {
			rc = rt_msgf(err, "the credentials from %s hold control characters", c->source);
		} else if (c->expires != 0 && c->expires <= now) {
			rc = rt_msgf(err, "the credentials from %s expired already", c->source);
		} else {
			cached = *c;
			have_cached = true;
		}
	}
	pthread_mutex_unlock(&lock);
	return rc;
}

void rt_aws_creds_forget(void)
{
	pthread_mutex_lock(&lock);
	memset(&cached, 0, sizeof cached);
	have_cached = false;
	pthread_mutex_unlock(&lock);
}
