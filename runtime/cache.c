/* cache.c: task results memoized in SQLite, for `run`.
 *
 * A row is keyed by the task name, its cache version (discovery_version) and
 * the deterministic serialization of the call's inputs (a LiteralMap with
 * every map field sorted by key); it holds the packed outputs LiteralMap.
 * Writes are batched in a transaction, committed every FLUSH_EVERY writes and
 * at the end of the run.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sqlite3.h>

#include "internal.h"

#define FLUSH_EVERY 512

struct rt_cache {
	sqlite3 *db;
	sqlite3_stmt *get, *put;
	size_t pending;
	bool in_tx;
};

static char *cache_dir(void)
{
	const char *d = getenv("FLYTEC_CACHE_DIR");
	if (d != NULL && *d)
		return strdup(d);
	const char *x = getenv("XDG_CACHE_HOME");
	char *p = NULL;
	if (x != NULL && *x) {
		size_t n = strlen(x) + 16;
		if ((p = malloc(n)) != NULL)
			snprintf(p, n, "%s/flytec", x);
		return p;
	}
	const char *h = getenv("HOME");
	if (h == NULL || !*h)
		return NULL;
	size_t n = strlen(h) + 24;
	if ((p = malloc(n)) != NULL)
		snprintf(p, n, "%s/.cache/flytec", h);
	return p;
}

void rt_cache_close(struct rt_cache *c)
{
	if (c == NULL)
		return;
	rt_cache_flush(c);
	sqlite3_finalize(c->get);
	sqlite3_finalize(c->put);
	sqlite3_close(c->db);
	free(c);
}

struct rt_cache *rt_cache_open(struct rt_msg *err)
{
	char *dir = cache_dir();
	if (dir == NULL) {
		rt_msgf(err, "no cache directory (set FLYTEC_CACHE_DIR, XDG_CACHE_HOME or HOME)");
		return NULL;
	}
	struct rt_cache *c = NULL;
	char *path = NULL;
	if (rt_mkdirs(dir, err) < 0)
		goto fail;
	size_t n = strlen(dir) + 16;
	if ((path = malloc(n)) == NULL || (c = calloc(1, sizeof *c)) == NULL) {
		rt_msgf(err, "out of memory");
		goto fail;
	}
	snprintf(path, n, "%s/cache.sqlite", dir);
	if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		rt_msgf(err, "cannot open the cache %s: %s", path,
			 c->db != NULL ? sqlite3_errmsg(c->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(c->db, 10000);
	const char *schema =
		"PRAGMA journal_mode=WAL;"
		"PRAGMA synchronous=NORMAL;"
		"CREATE TABLE IF NOT EXISTS results ("
		"  task TEXT NOT NULL,"
		"  version TEXT NOT NULL,"
		"  inputs BLOB NOT NULL,"
		"  outputs BLOB NOT NULL,"
		"  created INTEGER NOT NULL,"
		"  PRIMARY KEY (task, version, inputs)"
		") WITHOUT ROWID;";
	char *msg = NULL;
	if (sqlite3_exec(c->db, schema, NULL, NULL, &msg) != SQLITE_OK) {
		rt_msgf(err, "cannot initialize the cache %s: %s", path, msg != NULL ? msg : "?");
		sqlite3_free(msg);
		goto fail;
	}
	if (sqlite3_prepare_v2(c->db, "SELECT outputs FROM results WHERE task=?1 AND version=?2"
			       " AND inputs=?3", -1, &c->get, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(c->db, "INSERT OR REPLACE INTO results VALUES (?1, ?2, ?3, ?4, ?5)",
			       -1, &c->put, NULL) != SQLITE_OK) {
		rt_msgf(err, "cannot use the cache %s: %s", path, sqlite3_errmsg(c->db));
		goto fail;
	}
	free(dir);
	free(path);
	return c;
fail:
	rt_cache_close(c);
	free(dir);
	free(path);
	return NULL;
}

int rt_cache_get(struct rt_cache *c, struct rt_arena *a, const char *task, const char *version,
		  const uint8_t *key, size_t keylen, uint8_t **out, size_t *outlen)
{
	int rc = -1;
	sqlite3_reset(c->get);
	if (sqlite3_bind_text(c->get, 1, task, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(c->get, 2, version, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_blob64(c->get, 3, keylen ? key : (const void *)"", keylen,
				SQLITE_STATIC) != SQLITE_OK)
		goto out;
	int s = sqlite3_step(c->get);
	if (s == SQLITE_DONE) {
		rc = 0;
	} else if (s == SQLITE_ROW) {
		const void *b = sqlite3_column_blob(c->get, 0);
		size_t n = (size_t)sqlite3_column_bytes(c->get, 0);
		uint8_t *p = rt_arena_alloc(a, n ? n : 1);
		if (p != NULL) {
			if (n)
				memcpy(p, b, n);
			*out = p;
			*outlen = n;
			rc = 1;
		}
	}
out:
	sqlite3_reset(c->get);
	sqlite3_clear_bindings(c->get);
	return rc;
}

int rt_cache_put(struct rt_cache *c, const char *task, const char *version, const uint8_t *key,
		  size_t keylen, const uint8_t *out, size_t outlen)
{
	if (!c->in_tx) {
		if (sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
			return -1;
		c->in_tx = true;
	}
	int rc = -1;
	sqlite3_reset(c->put);
	if (sqlite3_bind_text(c->put, 1, task, -1, SQLITE_STATIC) == SQLITE_OK &&
	    sqlite3_bind_text(c->put, 2, version, -1, SQLITE_STATIC) == SQLITE_OK &&
	    sqlite3_bind_blob64(c->put, 3, keylen ? key : (const void *)"", keylen,
				SQLITE_STATIC) == SQLITE_OK &&
	    sqlite3_bind_blob64(c->put, 4, outlen ? out : (const void *)"", outlen,
				SQLITE_STATIC) == SQLITE_OK &&
	    sqlite3_bind_int64(c->put, 5, (sqlite3_int64)time(NULL)) == SQLITE_OK &&
	    sqlite3_step(c->put) == SQLITE_DONE)
		rc = 0;
	sqlite3_reset(c->put);
	sqlite3_clear_bindings(c->put);
	if (++c->pending >= FLUSH_EVERY)
		rt_cache_flush(c);
	return rc;
}

void rt_cache_flush(struct rt_cache *c)
{
	if (c != NULL && c->in_tx) {
		sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
		c->in_tx = false;
		c->pending = 0;
	}
}
