/* fileio.h: writing a file whole or not at all.
 *
 * The data goes to a temporary file in the target's directory, which is
 * then renamed over the target: readers see the old file or the new one,
 * never a part; on failure the temporary file is removed and the target is
 * untouched. The two writers this replaces differ, and the options keep
 * both byte- and behaviour-identical:
 *   compiler (flags BASE_WRITE_IF_CHANGED as asked, mode
 *     BASE_WRITE_MODE_UMASK): temp "<path>.tmp.XXXXXX", mode 0666 & ~umask,
 *     no fsync, an identical file left alone (its mtime too);
 *   runtime (BASE_WRITE_HIDDEN_TEMP | BASE_WRITE_FSYNC, mode 0644): temp
 *     "<dir>/.<name>.XXXXXX", the file fsynced before the rename and the
 *     directory after it (best effort).
 * A target that exists and is neither a regular file nor a directory (a
 * device such as /dev/null, a FIFO, a terminal) is opened and written in
 * place, never replaced; a symbolic link to a regular file stays, and the
 * file it leads to is replaced.
 * Errors: -1 with errno set and the failed step in *stage (may be NULL),
 * for the caller's own message. */
#ifndef BASE_FILEIO_H
#define BASE_FILEIO_H

#include <stdbool.h>
#include <stddef.h>

enum base_write_flags {
	BASE_WRITE_IF_CHANGED = 1,   /* leave an identical file alone */
	BASE_WRITE_HIDDEN_TEMP = 2,  /* ".<name>.XXXXXX" rather than "<path>.tmp.XXXXXX" */
	BASE_WRITE_FSYNC = 4,        /* fsync the file, and the directory after the rename */
};

#define BASE_WRITE_MODE_UMASK (-1)   /* 0666 & ~umask, as open() would make it */

enum base_write_stage {
	BASE_WRITE_OK = 0,
	BASE_WRITE_NOMEM,     /* the temporary name (errno ENOMEM) */
	BASE_WRITE_CREATE,    /* mkstemp */
	BASE_WRITE_DATA,      /* write, fchmod, fsync or close */
	BASE_WRITE_RENAME,
};

struct base_write_result {
	enum base_write_stage stage;
	bool unchanged;       /* IF_CHANGED found the same content there */
};

/* Writes data to path (mode: permission bits, or BASE_WRITE_MODE_UMASK).
 * r may be NULL. */
int base_write_file(const char *path, const void *data, size_t len, unsigned flags, int mode,
		    struct base_write_result *r);
/* Makes SIGINT, SIGTERM and SIGHUP unlink the temporary files of writes in
 * progress, then die of the signal (its default action). A signal ignored
 * at the call stays ignored. For a program's main (the compiler's driver). */
void base_write_remove_temps_on_signals(void);
/* For tests: hook(tmp) runs after the temporary file is filled and before
 * the rename (NULL: none). */
void base_write_set_hook(void (*hook)(const char *tmp));
/* Whether the file at path holds exactly data[0..len) (false when it
 * cannot be read). */
bool base_file_same(const char *path, const void *data, size_t len);

#endif
