/* package.c: the registration package on disk: a byte-stable tgz (a
 * ustar archive, with a pax header for a name over 100 bytes: members in
 * registration order, mtime 0, owner 0, mode 0644; gzip'd whole by
 * libdeflate, with no name or time in the gzip header), or the loose
 * numbered .pb files; and fl_write_output, the writer of every generated
 * file. */
#include "prelude.h"

#include <errno.h>
#include <libdeflate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codegen.h"
#include "ctx.h"
#include "fileio.h"

/* libdeflate's level: measured at 10k tasks (bench/README.md). */
enum { TGZ_LEVEL = 1 };

int fl_write_output(struct fl_ctx *c, const char *path, const void *data, size_t len, bool if_changed)
{
	if (base_write_file(path, data, len, if_changed ? BASE_WRITE_IF_CHANGED : 0, BASE_WRITE_MODE_UMASK, NULL) != 0) {
		fl_error_noloc(c, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* An octal field of a ustar header: digits, zero-padded, then a NUL. */
static void octal(char *field, size_t width, uint64_t v)
{
	field[width - 1] = '\0';
	for (size_t i = width - 1; i-- > 0; v >>= 3)
		field[i] = (char)('0' + (v & 7));
}

/* A ustar header block for a regular file (type '0') or a pax extended
 * header (type 'x'). */
static void ustar_header(char h[512], const char *name, size_t size, char type)
{
	memset(h, 0, 512);
	size_t n = strlen(name);
	memcpy(h, name, n < 100 ? n : 100);
	octal(h + 100, 8, 0644);
	octal(h + 108, 8, 0);
	octal(h + 116, 8, 0);
	octal(h + 124, 12, size);
	octal(h + 136, 12, 0);
	h[156] = type;
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	octal(h + 329, 8, 0);
	octal(h + 337, 8, 0);
	memset(h + 148, ' ', 8);
	unsigned sum = 0;
	for (int i = 0; i < 512; i++)
		sum += (unsigned char)h[i];
	octal(h + 148, 7, sum);  /* six digits, a NUL, and the space left */
}

static size_t ndigits(size_t v)
{
	size_t d = 1;
	while (v >= 10) {
		v /= 10;
		d++;
	}
	return d;
}

static size_t padded(size_t n)
{
	return (n + 511) / 512 * 512;
}

/* The length of a member's pax record, "LEN path=NAME\n" (LEN counting
 * its own digits), or 0 when the name fits ustar's 100 bytes. */
static size_t pax_len(const char *name)
{
	size_t n = strlen(name);
	if (n <= 100)
		return 0;
	size_t base = n + 7, digits = 1;
	while (ndigits(base + digits) != digits)
		digits++;
	return base + digits;
}

/* The archive's size: each member's blocks, then two zero blocks. */
static size_t tar_size(const struct fl_package *p)
{
	size_t n = 1024;
	for (uint32_t i = 0; i < p->n; i++) {
		size_t pax = pax_len(p->items[i].file);
		n += 512 + padded(p->items[i].len) + (pax > 0 ? 512 + padded(pax) : 0);
	}
	return n;
}

/* One member at w (zeroed): a pax header with its path first when the
 * name does not fit ustar's 100 bytes, then the header, the data and the
 * padding to 512. Returns the end. */
static char *tar_member(char *w, const char *name, const void *data, size_t len)
{
	size_t pax = pax_len(name);
	if (pax > 0) {
		char pname[101];
		snprintf(pname, sizeof pname, "PaxHeader/%.90s", name);
		ustar_header(w, pname, pax, 'x');
		w += 512;
		int k = snprintf(w, 32, "%zu path=", pax);
		memcpy(w + k, name, strlen(name));
		w[pax - 1] = '\n';
		w += padded(pax);
	}
	ustar_header(w, name, len, '0');
	w += 512;
	if (len > 0)
		memcpy(w, data, len);
	return w + padded(len);
}

/* The arena holds the compressed archive, allocated first: the archive and
 * libdeflate's state are malloc'ed, and nothing between their malloc and
 * their free may run out of arena memory (and longjmp past the free). */
/* The arguments of the protected bodies below. */
struct package_call {
	const struct fl_package *p;
	const char *path;  /* the .tgz, or the directory */
};

static int write_tgz(struct fl_ctx *c, void *arg)
{
	const struct fl_package *p = ((struct package_call *)arg)->p;
	const char *path = ((struct package_call *)arg)->path;
	size_t n = tar_size(p);
	size_t cap = libdeflate_gzip_compress_bound(NULL, n);
	uint8_t *out = fl_alloc(c->arena, cap);
	char *tar = calloc(1, n);
	struct libdeflate_compressor *z = tar != NULL ? libdeflate_alloc_compressor(TGZ_LEVEL) : NULL;
	size_t len = 0;
	if (z != NULL) {
		char *w = tar;
		for (uint32_t i = 0; i < p->n; i++)
			w = tar_member(w, p->items[i].file, p->items[i].data, p->items[i].len);
		/* the two zero blocks that end the archive are there already */
		len = libdeflate_gzip_compress(z, tar, n, out, cap);
		libdeflate_free_compressor(z);
	}
	free(tar);
	if (len == 0) {
		fl_error_noloc(c, "%s: cannot create the archive: out of memory", path);
		return -1;
	}
	return fl_write_output(c, path, out, len, false);
}

int fl_package_write_tgz(struct fl_ctx *c, const struct fl_package *p, const char *path)
{
	struct package_call call = {p, path};
	return fl_protect(c, write_tgz, &call);
}

static int write_dir(struct fl_ctx *c, void *arg)
{
	const struct fl_package *p = ((struct package_call *)arg)->p;
	const char *dir = ((struct package_call *)arg)->path;
	for (uint32_t i = 0; i < p->n; i++) {
		const char *path = fl_sprintf(c->arena, "%s/%s", dir, p->items[i].file);
		if (fl_write_output(c, path, p->items[i].data, p->items[i].len, true) != 0)
			return -1;
	}
	return 0;
}

int fl_package_write_dir(struct fl_ctx *c, const struct fl_package *p, const char *dir)
{
	struct package_call call = {p, dir};
	return fl_protect(c, write_dir, &call);
}
