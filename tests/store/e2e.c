/* e2e.c: the tasks of e2e.flyte, for tests/store/e2e.sh. */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "e2e.flyte-c.h"

int e2e__square(flrt_ctx *ctx, int64_t x, int64_t *o0)
{
	if (x < 0)
		return flrt_fail(ctx, FLRT_NON_RECOVERABLE, "negative input %lld", (long long)x);
	if (x == 666) {
		/* die by the signal even where a sanitizer catches SIGSEGV */
		signal(SIGSEGV, SIG_DFL);
		raise(SIGSEGV);
	}
	if (x == 777)
		sleep(60);
	*o0 = x * x;
	return 0;
}

/* the number of regular files under dir, recursively */
static int64_t count_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int64_t n = 0;
	char path[4096];
	struct stat st;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
			n += count_files(path);
		else if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			n++;
	}
	closedir(d);
	return n;
}

static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (f == NULL)
		return -1;
	fputs(text, f);
	return fclose(f);
}

int e2e__blobs(flrt_ctx *ctx, flrt_str f, flrt_str d, flrt_str keep, flrt_str *out_, flrt_str *outdir,
	       int64_t *n, flrt_str *kept)
{
	char line[256] = "", buf[512];
	FILE *in = fopen(f.data, "r");
	if (in == NULL)
		return flrt_fail(ctx, FLRT_NON_RECOVERABLE, "cannot open the input file %s", f.data);
	if (fgets(line, sizeof line, in) == NULL)
		line[0] = 0;
	fclose(in);
	line[strcspn(line, "\n")] = 0;
	*n = count_files(d.data);
	/* outputs in the working directory, as a task would write them */
	const char *dir = "e2e-out-dir";
	mkdir(dir, 0755);
	mkdir("e2e-out-dir/sub", 0755);
	snprintf(buf, sizeof buf, "upper: %s\n", line);
	if (write_text("e2e-result.txt", buf) < 0 || write_text("e2e-out-dir/a.txt", "A\n") < 0 ||
	    write_text("e2e-out-dir/sub/b.txt", "B\n") < 0)
		return flrt_fail(ctx, FLRT_RECOVERABLE, "cannot write the outputs");
	out_->data = "e2e-result.txt";
	out_->len = strlen(out_->data);
	outdir->data = dir;
	outdir->len = strlen(dir);
	*kept = keep;
	return 0;
}

int e2e__big(flrt_ctx *ctx, int64_t n, flrt_str *o0)
{
	char *s = flrt_alloc(ctx, (size_t)n + 1);
	memset(s, 'x', (size_t)n);
	o0->data = s;
	o0->len = (size_t)n;
	return 0;
}
