/* emit.c: growing buffers and atomic file writes. */
#include "prelude.h"

#include "emit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"

void fl_buf_init(struct fl_buf *b, struct fl_arena *a)
{
	b->arena = a;
	b->data = NULL;
	b->len = b->cap = 0;
	b->indent = 0;
}

static void reserve(struct fl_buf *b, size_t n)
{
	if (b->len + n + 1 <= b->cap)
		return;
	size_t ncap = b->cap ? b->cap * 2 : 256;
	while (ncap < b->len + n + 1)
		ncap *= 2;
	b->data = fl_realloc(b->arena, b->data, b->cap, ncap);
	b->cap = ncap;
}

void fl_buf_put(struct fl_buf *b, const void *data, size_t n)
{
	reserve(b, n);
	memcpy(b->data + b->len, data, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void fl_buf_puts(struct fl_buf *b, const char *s)
{
	fl_buf_put(b, s, strlen(s));
}

void fl_buf_putc(struct fl_buf *b, char c)
{
	fl_buf_put(b, &c, 1);
}

void fl_buf_vprintf(struct fl_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n <= 0)
		return;
	reserve(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void fl_buf_printf(struct fl_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fl_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void fl_line(struct fl_buf *b, const char *fmt, ...)
{
	for (int i = 0; i < b->indent; i++)
		fl_buf_putc(b, '\t');
	va_list ap;
	va_start(ap, fmt);
	fl_buf_vprintf(b, fmt, ap);
	va_end(ap);
	fl_buf_putc(b, '\n');
}

void fl_buf_json_string(struct fl_buf *b, const char *s, size_t n)
{
	fl_buf_putc(b, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"': fl_buf_puts(b, "\\\""); break;
		case '\\': fl_buf_puts(b, "\\\\"); break;
		case '\n': fl_buf_puts(b, "\\n"); break;
		case '\r': fl_buf_puts(b, "\\r"); break;
		case '\t': fl_buf_puts(b, "\\t"); break;
		default:
			if (c < 0x20 || c == 0x7F)
				fl_buf_printf(b, "\\u%04x", c);
			else
				fl_buf_putc(b, (char)c);
		}
	}
	fl_buf_putc(b, '"');
}

static bool same_content(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return false;
	bool same = true;
	char buf[65536];
	size_t off = 0, n;
	while (same && (n = fread(buf, 1, sizeof buf, f)) > 0) {
		if (off + n > len || memcmp(buf, (const char *)data + off, n) != 0)
			same = false;
		off += n;
	}
	same = same && !ferror(f) && off == len;
	fclose(f);
	return same;
}

int fl_write_file(const char *path, const void *data, size_t len, bool if_changed, bool *unchanged)
{
	if (unchanged != NULL)
		*unchanged = false;
	if (if_changed && same_content(path, data, len)) {
		if (unchanged != NULL)
			*unchanged = true;
		return 0;
	}
	size_t plen = strlen(path);
	char *tmp = malloc(plen + 16);
	if (tmp == NULL) {
		errno = ENOMEM;
		return -1;
	}
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, ".tmp.XXXXXX", 12);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		int e = errno;
		free(tmp);
		errno = e;
		return -1;
	}
	const char *p = data;
	size_t left = len;
	int err = 0;
	while (left > 0) {
		ssize_t w = write(fd, p, left);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			err = errno;
			break;
		}
		p += w;
		left -= (size_t)w;
	}
	/* mkstemp makes the file 0600; generated files are ordinary ones */
	mode_t mask = umask(0);
	umask(mask);
	if (err == 0 && fchmod(fd, 0666 & ~mask) != 0)
		err = errno;
	if (close(fd) != 0 && err == 0)
		err = errno;
	if (err == 0 && rename(tmp, path) != 0)
		err = errno;
	if (err != 0) {
		unlink(tmp);
		free(tmp);
		errno = err;
		return -1;
	}
	free(tmp);
	return 0;
}
