/* Word statistics in C: list the files of a directory, count the words of
 * each (one map element per file), and add the counts up. */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wordstats.flyte-c.h"

/* A local path from a path or file:// URI. */
static const char *local_path(const char *p)
{
	return strncmp(p, "file://", 7) == 0 ? p + 7 : p;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(((const flrt_str *)a)->data, ((const flrt_str *)b)->data);
}

int wordstats__list_files(flrt_ctx *ctx, flrt_str d, wordstats__list_file *o0)
{
	const char *dir = local_path(d.data);
	DIR *dp = opendir(dir);
	if (dp == NULL)
		return flrt_fail(ctx, FLRT_NON_RECOVERABLE, "cannot open %s: %s", dir, strerror(errno));
	size_t cap = 16, n = 0;
	flrt_str *items = flrt_alloc(ctx, cap * sizeof *items);
	struct dirent *e;
	while ((e = readdir(dp)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			flrt_str *more = flrt_alloc(ctx, 2 * cap * sizeof *more);
			memcpy(more, items, n * sizeof *items);
			items = more;
			cap *= 2;
		}
		size_t len = strlen(dir) + 1 + strlen(e->d_name);
		char *path = flrt_alloc(ctx, len + 1);
		snprintf(path, len + 1, "%s/%s", dir, e->d_name);
		items[n].data = path;
		items[n].len = len;
		n++;
	}
	closedir(dp);
	qsort(items, n, sizeof *items, cmp_str);
	o0->items = items;
	o0->len = n;
	return 0;
}

int wordstats__count_words(flrt_ctx *ctx, flrt_str path, int64_t min_len, int64_t *words, flrt_str *longest)
{
	FILE *f = fopen(local_path(path.data), "r");
	if (f == NULL)
		return flrt_fail(ctx, FLRT_RECOVERABLE, "cannot open %s: %s", path.data, strerror(errno));
	char word[256], best[256] = "";
	size_t len = 0;
	int64_t count = 0;
	int ch;
	do {
		ch = fgetc(f);
		if (ch != EOF && isalpha(ch)) {
			if (len + 1 < sizeof word)
				word[len++] = (char)tolower(ch);
			continue;
		}
		word[len] = '\0';
		if ((int64_t)len >= min_len) {
			count++;
			if (len > strlen(best) || (len == strlen(best) && strcmp(word, best) < 0))
				memcpy(best, word, len + 1);
		}
		len = 0;
	} while (ch != EOF);
	fclose(f);
	*words = count;
	*longest = flrt_strdup(ctx, best);
	return 0;
}

int wordstats__total(flrt_ctx *ctx, wordstats__list_int counts, int64_t *o0)
{
	(void)ctx;
	int64_t sum = 0;
	for (size_t i = 0; i < counts.len; i++)
		sum += counts.items[i];
	*o0 = sum;
	return 0;
}
