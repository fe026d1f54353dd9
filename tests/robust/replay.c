/* replay.c: runs the fuzz harness (tests/fuzz/fuzz_compile.c) on files, as
 * a TAP producer: one test per file, "ok" when the whole pipeline ran on it
 * (a crash, a sanitizer report or a leak under valgrind fails the program).
 *
 *   replay [FILE|DIR...]
 *
 * With no argument it runs every file under $top_srcdir/tests/robust/cases
 * (the inputs that once crashed, hung or leaked; see the README there) and
 * the examples. A crash found by `make fuzz` is added there as a file. */
#include "prelude.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char **files;
static size_t nfiles, cap;

static void add_file(const char *path)
{
	if (nfiles == cap) {
		cap = cap ? cap * 2 : 64;
		files = realloc(files, cap * sizeof *files);
		if (files == NULL) {
			puts("Bail out! out of memory");
			exit(1);
		}
	}
	files[nfiles++] = strdup(path);
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Adds a file, or the files under a directory (recursively; with
 * only_flyte, the .flyte files; else all but README.md). */
static void collect(const char *path, bool only_flyte)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		printf("Bail out! %s: %s\n", path, strerror(errno));
		exit(1);
	}
	if (!S_ISDIR(st.st_mode)) {
		add_file(path);
		return;
	}
	DIR *d = opendir(path);
	if (d == NULL) {
		printf("Bail out! %s: %s\n", path, strerror(errno));
		exit(1);
	}
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		size_t n = strlen(path) + strlen(e->d_name) + 2;
		char *sub = malloc(n);
		snprintf(sub, n, "%s/%s", path, e->d_name);
		struct stat sst;
		if (stat(sub, &sst) == 0
		    && (S_ISDIR(sst.st_mode) || (only_flyte ? ends_with(sub, ".flyte") : !ends_with(sub, "README.md"))))
			collect(sub, only_flyte);
		free(sub);
	}
	closedir(d);
}

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	size_t cap_ = 4096, n = 0;
	unsigned char *buf = malloc(cap_);
	for (;;) {
		n += fread(buf + n, 1, cap_ - n, f);
		if (n < cap_)
			break;
		cap_ *= 2;
		buf = realloc(buf, cap_);
	}
	fclose(f);
	*len = n;
	return buf;
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			collect(argv[i], false);
	} else {
		const char *top = getenv("top_srcdir");
		if (top == NULL)
			top = ".";
		char path[4096];
		snprintf(path, sizeof path, "%s/tests/robust/cases", top);
		collect(path, false);
		snprintf(path, sizeof path, "%s/examples", top);
		collect(path, true);
	}
	qsort(files, nfiles, sizeof *files, cmp);
	printf("1..%zu\n", nfiles);
	for (size_t i = 0; i < nfiles; i++) {
		size_t len = 0;
		unsigned char *data = slurp(files[i], &len);
		if (data == NULL) {
			printf("not ok %zu - %s: %s\n", i + 1, files[i], strerror(errno));
			continue;
		}
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		LLVMFuzzerTestOneInput(data, len);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
		const char *name = strrchr(files[i], '/');
		printf("ok %zu - %s (%zu bytes, %.1f ms)\n", i + 1, name ? name + 1 : files[i], len, ms);
		fflush(stdout);
		free(data);
		free(files[i]);
	}
	free(files);
	return 0;
}
