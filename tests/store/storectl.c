/*
 * storectl: the object-store layer (runtime/store.c) from the command line,
 * for tests/store/s3.sh and tests/store/azure.sh.
 *
 *   storectl get URI FILE          rt_store_get_file
 *   storectl put FILE URI          rt_store_put_file
 *   storectl getmem URI FILE LIMIT rt_store_get_mem, then writes FILE
 *   storectl putmem FILE URI       reads FILE, then rt_store_put_mem
 *   storectl head URI              rt_store_head: prints "SIZE ETAG", or
 *                                  "absent" (exit 3)
 *   storectl list URI              rt_store_list: one URI a line
 *   storectl sigv4-test            signs AWS's published get-vanilla example and
 *                                  checks a canonical query string
 *
 * Exit status: 0 done, 1 failed (the message on stderr), 2 usage.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws.h"
#include "store.h"

static int usage(void)
{
	fprintf(stderr, "usage: storectl get URI FILE | put FILE URI | getmem URI FILE LIMIT | "
		"putmem FILE URI | head URI | list URI | sigv4-test\n");
	return 2;
}

/* AWS's Signature V4 test suite, "get-vanilla". */
static int sigv4_test(void)
{
	struct rt_kv headers[] = { { "host", "example.amazonaws.com" }, { "x-amz-date", "20150830T123600Z" } };
	struct rt_sigv4 s = {
		.method = "GET", .path = "/", .headers = headers, .nheaders = 2,
		.payload_hash = RT_SHA256_EMPTY, .region = "us-east-1", .service = "service",
		.access_key = "AKIDEXAMPLE", .secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
		.amz_date = "20150830T123600Z",
	};
	const char *want = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
			   "SignedHeaders=host;x-amz-date, "
			   "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";
	struct base_buf q = { 0 }, auth = { 0 };
	int rc = 1;

	if (rt_sigv4_sign(&s, &q, &auth, NULL) == 0 && strcmp((char *)auth.data, want) == 0)
		rc = 0;
	else
		fprintf(stderr, "storectl: got  %s\nstorectl: want %s\n", auth.data ? (char *)auth.data : "(null)", want);

	/* the canonical query: encoded, then sorted by name and value */
	struct rt_kv query[] = {
		{ "uploadId", "2~x y" }, { "b", "2" }, { "a/b", "" }, { "b", "1" }, { "A", "+=&" }, { "partNumber", "7" },
	};
	const char *wantq = "A=%2B%3D%26&a%2Fb=&b=1&b=2&partNumber=7&uploadId=2~x%20y";
	s.query = query;
	s.nquery = sizeof query / sizeof query[0];
	if (rt_sigv4_sign(&s, &q, &auth, NULL) < 0 || strcmp((char *)q.data, wantq) != 0) {
		fprintf(stderr, "storectl: query %s\nstorectl: want  %s\n", q.data ? (char *)q.data : "(null)", wantq);
		rc = 1;
	}
	base_buf_free(&q);
	base_buf_free(&auth);
	return rc;
}

int main(int argc, char **argv)
{
	struct rt_msg err = { "" };
	struct rt_arena *a = rt_arena_new();
	int rc = 1;

	if (argc < 2 || a == NULL)
		return usage();
	const char *cmd = argv[1];
	if (strcmp(cmd, "get") == 0 && argc == 4) {
		rc = rt_store_get_file(argv[2], argv[3], &err) < 0;
	} else if (strcmp(cmd, "put") == 0 && argc == 4) {
		rc = rt_store_put_file(argv[2], argv[3], &err) < 0;
	} else if (strcmp(cmd, "getmem") == 0 && argc == 5) {
		uint8_t *data;
		size_t len;
		rc = rt_store_get_mem(a, argv[2], strtoull(argv[4], NULL, 10), &data, &len, &err) < 0 ||
		     rt_write_file(argv[3], data, len, &err) < 0;
	} else if (strcmp(cmd, "putmem") == 0 && argc == 4) {
		uint8_t *data;
		size_t len;
		rc = rt_read_file(a, argv[2], &data, &len, &err) < 0 ||
		     rt_store_put_mem(data, len, argv[3], &err) < 0;
	} else if (strcmp(cmd, "head") == 0 && argc == 3) {
		struct rt_store_info info;
		int r = rt_store_head(argv[2], &info, &err);
		if (r == 1)
			printf("%llu %s\n", (unsigned long long)info.size, info.etag);
		else if (r == 0)
			printf("absent\n");
		rc = r == 1 ? 0 : r == 0 ? 3 : 1;
	} else if (strcmp(cmd, "list") == 0 && argc == 3) {
		char **uris;
		size_t n;
		rc = rt_store_list(a, argv[2], &uris, &n, &err) < 0;
		for (size_t i = 0; rc == 0 && i < n; i++)
			printf("%s\n", uris[i]);
	} else if (strcmp(cmd, "sigv4-test") == 0 && argc == 2) {
		rc = sigv4_test();
	} else {
		rt_arena_free(a);
		return usage();
	}
	if (rc == 1 && err.text[0] != 0)
		fprintf(stderr, "storectl: %s\n", err.text);
	rt_arena_free(a);
	return rc;
}
