/* cache.c: task results memoized in SQLite, for `run`, and the `cache`
 * subcommand that lists and clears them.
 *
 * A row is keyed as flytepropeller keys its datacatalog artifacts: the task
 * name, the cache version, a hash of the task's typed interface (a changed
 * signature under the same version is another dataset) and the call's inputs
 * (a deterministic LiteralMap, without the task's cache_ignore_input_vars);
 * it holds the packed outputs LiteralMap. A hit is decoded and checked
 * against the task's declared outputs before it is used (rt_cache_check).
 *
 * The database is in WAL mode, so readers never wait for a writer. Results
 * are written by a writer thread on its own connection (group commit): it
 * takes every result queued since its last transaction, inserts them and
 * commits, so a result is durable a transaction after it finished (an
 * interrupted run keeps what finished), a busy run batches many results per
 * commit, and the scheduler never waits for SQLite's write lock, which is
 * held only for one short transaction (two runs sharing the cache both make
 * progress and both store their results).
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sqlite3.h>

#include "aws.h"
#include "internal.h"

#define BUSY_MS 10000
#define MAX_QUEUED 65536   /* results waiting for the writer before a put waits */

/* interface hashes, by TypedInterface (they live as long as the run) */
struct iface_memo {
	const void *ti;
	char hex[65];
};

/* a result waiting for the writer: its key and outputs, copied */
struct row {
	struct row *next;
	struct rt_cache_key k;
	const uint8_t *out;
	size_t outlen;
};

struct rt_cache {
	sqlite3 *db;                  /* the scheduler's: lookups, list, clear */
	sqlite3_stmt *get;
	char *path;
	struct rt_arena *scratch;     /* decoded hits, reset after each check */
	struct iface_memo *memo;
	size_t nmemo;
	/* the writer thread and its connection */
	sqlite3 *wdb;
	sqlite3_stmt *put;
	pthread_t writer;
	bool started, closing;
	pthread_mutex_t mu;
	pthread_cond_t cv, room;
	struct row *queue, *tail;     /* under mu */
	size_t nqueued;
	size_t failed;                /* under mu: rows not stored */
	size_t reported;
};

static const char schema[] =
	"PRAGMA journal_mode=WAL;"
	"PRAGMA synchronous=NORMAL;"
	"CREATE TABLE IF NOT EXISTS entries ("
	"  task TEXT NOT NULL,"
	"  version TEXT NOT NULL,"
	"  interface TEXT NOT NULL,"
	"  inputs BLOB NOT NULL,"
	"  outputs BLOB NOT NULL,"
	"  created INTEGER NOT NULL,"
	"  PRIMARY KEY (task, version, interface, inputs)"
	") WITHOUT ROWID;"
	"DROP TABLE IF EXISTS results;";   /* before the interface was in the key */

static char *default_dir(void)
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

static void free_rows(struct row *r)
{
	while (r != NULL) {
		struct row *n = r->next;
		free(r);
		r = n;
	}
}

void rt_cache_close(struct rt_cache *c)
{
	if (c == NULL)
		return;
	if (c->started) {
		pthread_mutex_lock(&c->mu);
		c->closing = true;
		pthread_cond_signal(&c->cv);
		pthread_mutex_unlock(&c->mu);
		pthread_join(c->writer, NULL);
	}
	free_rows(c->queue);
	pthread_mutex_destroy(&c->mu);
	pthread_cond_destroy(&c->cv);
	pthread_cond_destroy(&c->room);
	sqlite3_finalize(c->get);
	sqlite3_finalize(c->put);
	sqlite3_close(c->db);
	sqlite3_close(c->wdb);
	rt_arena_free(c->scratch);
	free(c->memo);
	free(c->path);
	free(c);
}

/* Opens (creating) dir/cache.sqlite with its schema. */
static struct rt_cache *open_db(const char *dir, struct rt_msg *err)
{
	struct rt_cache *c = calloc(1, sizeof *c);
	size_t n = strlen(dir) + 16;
	if (c == NULL)
		return rt_msgf(err, "out of memory"), NULL;
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	pthread_cond_init(&c->room, NULL);
	if ((c->path = malloc(n)) == NULL || (c->scratch = rt_arena_new()) == NULL) {
		rt_msgf(err, "out of memory");
		goto fail;
	}
	if (rt_mkdirs(dir, err) < 0)
		goto fail;
	snprintf(c->path, n, "%s/cache.sqlite", dir);
	if (sqlite3_open_v2(c->path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		rt_msgf(err, "cannot open the cache %s: %s", c->path,
			 c->db != NULL ? sqlite3_errmsg(c->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(c->db, BUSY_MS);
	char *msg = NULL;
	if (sqlite3_exec(c->db, schema, NULL, NULL, &msg) != SQLITE_OK) {
		rt_msgf(err, "cannot initialize the cache %s: %s", c->path, msg != NULL ? msg : "?");
		sqlite3_free(msg);
		goto fail;
	}
	return c;
fail:
	rt_cache_close(c);
	return NULL;
}

struct rt_cache *rt_cache_open(const char *dir, struct rt_msg *err)
{
	char *d = dir != NULL ? strdup(dir) : default_dir();
	if (d == NULL)
		return rt_msgf(err, "no cache directory (use --cache-dir, or set FLYTEC_CACHE_DIR, "
			       "XDG_CACHE_HOME or HOME)"), NULL;
	struct rt_cache *c = open_db(d, err);
	free(d);
	if (c == NULL)
		return NULL;
	if (sqlite3_prepare_v2(c->db, "SELECT outputs FROM entries WHERE task=?1 AND version=?2"
			       " AND interface=?3 AND inputs=?4", -1, &c->get, NULL) != SQLITE_OK) {
		rt_msgf(err, "cannot use the cache %s: %s", c->path, sqlite3_errmsg(c->db));
		rt_cache_close(c);
		return NULL;
	}
	return c;
}

const char *rt_cache_iface(struct rt_cache *c, struct rt_arena *a,
			   const Flyteidl__Core__TypedInterface *ti, struct rt_msg *err)
{
	for (size_t i = 0; i < c->nmemo; i++)
		if (c->memo[i].ti == ti)
			return c->memo[i].hex;
	/* a canonical copy: the template's maps stay in their order */
	Flyteidl__Core__TypedInterface empty = FLYTEIDL__CORE__TYPED_INTERFACE__INIT;
	uint8_t *p;
	size_t n;
	if (rt_pack_arena_as_is(a, ti != NULL ? &ti->base : &empty.base, &p, &n, err) < 0)
		return NULL;
	ProtobufCMessage *copy = rt_unpack(a, &flyteidl__core__typed_interface__descriptor, p, n, err);
	if (copy == NULL)
		return NULL;
	rt_canonicalize(copy);
	if (rt_pack_arena_as_is(a, copy, &p, &n, err) < 0)
		return NULL;
	struct iface_memo *m = realloc(c->memo, (c->nmemo + 1) * sizeof *m);
	if (m == NULL)
		return rt_msgf(err, "out of memory"), NULL;
	c->memo = m;
	m += c->nmemo++;
	m->ti = ti;
	rt_sha256_hex(p, n, m->hex);
	return m->hex;
}

static int bind_key(sqlite3_stmt *s, const struct rt_cache_key *k)
{
	return sqlite3_bind_text(s, 1, k->task, -1, SQLITE_STATIC) == SQLITE_OK &&
	       sqlite3_bind_text(s, 2, k->version, -1, SQLITE_STATIC) == SQLITE_OK &&
	       sqlite3_bind_text(s, 3, k->iface, -1, SQLITE_STATIC) == SQLITE_OK &&
	       sqlite3_bind_blob64(s, 4, k->inputs_len ? k->inputs : (const void *)"", k->inputs_len,
				   SQLITE_STATIC) == SQLITE_OK ? 0 : -1;
}

int rt_cache_get(struct rt_cache *c, struct rt_arena *a, const struct rt_cache_key *k,
		  uint8_t **out, size_t *outlen)
{
	int rc = -1;
	sqlite3_reset(c->get);
	if (bind_key(c->get, k) < 0)
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

int rt_cache_check(struct rt_cache *c, const flrt_task *fn, const Flyteidl__Core__LiteralMap *m,
		   struct rt_msg *err)
{
	if (m->n_literals != fn->noutputs)
		return rt_msgf(err, "%zu outputs, the task declares %zu", m->n_literals, fn->noutputs);
	int rc = 0;
	uint8_t *dst = rt_arena_alloc(c->scratch, fn->outputs_size ? fn->outputs_size : 1);
	if (dst == NULL)
		return rt_msgf(err, "out of memory");
	memset(dst, 0, fn->outputs_size);
	for (size_t i = 0; i < fn->noutputs && rc == 0; i++) {
		const flrt_var *v = &fn->outputs[i];
		const Flyteidl__Core__Literal *lit = rt_litmap_get(m, v->name);
		struct rt_path p = { .role = "output", .name = v->name };
		if (lit == NULL)
			rc = rt_msgf(err, "no output '%s'", v->name);
		else
			rc = rt_decode(c->scratch, v->type, lit, dst + v->offset, &p, err);
	}
	rt_arena_reset(c->scratch);
	return rc;
}

/* One transaction: the rows, inserted and committed (freed). */
static void write_rows(struct rt_cache *c, struct row *q)
{
	size_t n = 0, bad = 0;
	bool tx = sqlite3_exec(c->wdb, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK;
	for (struct row *r = q; r != NULL; r = r->next, n++) {
		sqlite3_reset(c->put);
		if (!tx || bind_key(c->put, &r->k) < 0 ||
		    sqlite3_bind_blob64(c->put, 5, r->outlen ? r->out : (const void *)"", r->outlen,
					SQLITE_STATIC) != SQLITE_OK ||
		    sqlite3_bind_int64(c->put, 6, (sqlite3_int64)time(NULL)) != SQLITE_OK ||
		    sqlite3_step(c->put) != SQLITE_DONE)
			bad++;
	}
	sqlite3_reset(c->put);
	sqlite3_clear_bindings(c->put);
	if (tx && sqlite3_exec(c->wdb, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		sqlite3_exec(c->wdb, "ROLLBACK", NULL, NULL, NULL);
		bad = n;
	}
	free_rows(q);
	pthread_mutex_lock(&c->mu);
	c->failed += bad;
	pthread_mutex_unlock(&c->mu);
}

static void *writer_main(void *arg)
{
	struct rt_cache *c = arg;
	pthread_mutex_lock(&c->mu);
	for (;;) {
		while (c->queue == NULL && !c->closing)
			pthread_cond_wait(&c->cv, &c->mu);
		struct row *q = c->queue;
		if (q == NULL)
			break;   /* closing, and everything is written */
		c->queue = c->tail = NULL;
		c->nqueued = 0;
		pthread_cond_broadcast(&c->room);
		pthread_mutex_unlock(&c->mu);
		write_rows(c, q);
		pthread_mutex_lock(&c->mu);
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

/* The writer's connection and thread, at the first result. */
static int start_writer(struct rt_cache *c)
{
	if (sqlite3_open_v2(c->path, &c->wdb, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		return -1;
	sqlite3_busy_timeout(c->wdb, BUSY_MS);
	if (sqlite3_exec(c->wdb, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(c->wdb, "INSERT OR REPLACE INTO entries VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
			       -1, &c->put, NULL) != SQLITE_OK ||
	    pthread_create(&c->writer, NULL, writer_main, c) != 0)
		return -1;
	c->started = true;
	return 0;
}

static char *copy(char **p, const void *s, size_t n)
{
	char *d = *p;
	if (n)
		memcpy(d, s, n);
	*p += n;
	return d;
}

int rt_cache_put(struct rt_cache *c, const struct rt_cache_key *k, const uint8_t *out, size_t outlen)
{
	if (!c->started && (c->wdb != NULL || start_writer(c) < 0))
		return -1;
	size_t lt = strlen(k->task) + 1, lv = strlen(k->version) + 1, li = strlen(k->iface) + 1;
	struct row *r = malloc(sizeof *r + lt + lv + li + k->inputs_len + outlen);
	if (r == NULL)
		return -1;
	char *p = (char *)(r + 1);
	r->next = NULL;
	r->k.task = copy(&p, k->task, lt);
	r->k.version = copy(&p, k->version, lv);
	r->k.iface = copy(&p, k->iface, li);
	r->k.inputs = (const uint8_t *)copy(&p, k->inputs, k->inputs_len);
	r->k.inputs_len = k->inputs_len;
	r->out = (const uint8_t *)copy(&p, out, outlen);
	r->outlen = outlen;
	pthread_mutex_lock(&c->mu);
	while (c->nqueued >= MAX_QUEUED)   /* the writer is far behind (a busy database) */
		pthread_cond_wait(&c->room, &c->mu);
	c->nqueued++;
	if (c->tail != NULL)
		c->tail->next = r;
	else
		c->queue = r;
	c->tail = r;
	pthread_cond_signal(&c->cv);
	bool failed = c->failed > c->reported;
	c->reported = c->failed;
	pthread_mutex_unlock(&c->mu);
	return failed ? -1 : 0;
}

/* ---- the cache subcommand ------------------------------------------------------ */
struct cache_args {
	const char *dir, *task, *version;
};

static int parse_cache_args(int argc, char **argv, struct cache_args *x, const struct rt_io *io)
{
	static const char *const names[] = { "--cache-dir", "--task", "--version" };
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *eq = strchr(a, '=');
		size_t l = eq != NULL ? (size_t)(eq - a) : strlen(a);
		size_t k = 0;
		while (k < 3 && !(strlen(names[k]) == l && strncmp(a, names[k], l) == 0))
			k++;
		if (k == 3) {
			fprintf(io->err, "cache: unknown option '%s'\n", a);
			return -1;
		}
		const char *v = eq != NULL ? eq + 1 : i + 1 < argc ? argv[++i] : NULL;
		if (v == NULL) {
			fprintf(io->err, "cache: %s needs a value\n", names[k]);
			return -1;
		}
		*(k == 0 ? &x->dir : k == 1 ? &x->task : &x->version) = v;
	}
	return 0;
}

/* binds ?1 task and ?2 version, NULL (any) when not given */
static int bind_filter(sqlite3_stmt *s, const struct cache_args *x)
{
	return (x->task != NULL ? sqlite3_bind_text(s, 1, x->task, -1, SQLITE_STATIC) :
				  sqlite3_bind_null(s, 1)) == SQLITE_OK &&
	       (x->version != NULL ? sqlite3_bind_text(s, 2, x->version, -1, SQLITE_STATIC) :
				     sqlite3_bind_null(s, 2)) == SQLITE_OK ? 0 : -1;
}

#define FILTER " WHERE (?1 IS NULL OR task=?1) AND (?2 IS NULL OR version=?2)"

static int cache_list(struct rt_cache *c, const struct cache_args *x, const struct rt_io *io)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(c->db, "SELECT task, version, count(*), count(DISTINCT interface),"
			       " sum(length(inputs) + length(outputs)) FROM entries" FILTER
			       " GROUP BY task, version ORDER BY task, version", -1, &s, NULL) != SQLITE_OK ||
	    bind_filter(s, x) < 0) {
		sqlite3_finalize(s);
		return -1;
	}
	fprintf(io->err, "cache %s\n", c->path);
	long long total = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		long long n = sqlite3_column_int64(s, 2), ni = sqlite3_column_int64(s, 3);
		fprintf(io->err, "  %s  version %s  %lld entr%s  %lld bytes", sqlite3_column_text(s, 0),
			sqlite3_column_text(s, 1), n, n == 1 ? "y" : "ies",
			(long long)sqlite3_column_int64(s, 4));
		if (ni > 1)
			fprintf(io->err, "  (%lld interfaces)", ni);
		fputc('\n', io->err);
		total += n;
	}
	fprintf(io->err, "%lld entr%s\n", total, total == 1 ? "y" : "ies");
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int cache_clear(struct rt_cache *c, const struct cache_args *x, const struct rt_io *io)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(c->db, "DELETE FROM entries" FILTER, -1, &s, NULL) != SQLITE_OK ||
	    bind_filter(s, x) < 0 || sqlite3_step(s) != SQLITE_DONE) {
		sqlite3_finalize(s);
		return -1;
	}
	sqlite3_finalize(s);
	long long n = sqlite3_changes64(c->db);
	fprintf(io->err, "cleared %lld entr%s from %s\n", n, n == 1 ? "y" : "ies", c->path);
	return 0;
}

int rt_cmd_cache(int argc, char **argv, const struct rt_io *io)
{
	static const char usage[] = "usage: cache list|clear [--task T] [--version V] [--cache-dir DIR]\n";
	struct cache_args x = { 0 };
	struct rt_msg err;
	bool list = argc >= 2 && strcmp(argv[1], "list") == 0;
	if ((!list && !(argc >= 2 && strcmp(argv[1], "clear") == 0)) ||
	    parse_cache_args(argc, argv, &x, io) < 0) {
		fputs(usage, io->err);
		return 2;
	}
	char *dir = x.dir != NULL ? strdup(x.dir) : default_dir();
	struct rt_cache *c = NULL;
	if (dir == NULL)
		rt_msgf(&err, "no cache directory (use --cache-dir, or set FLYTEC_CACHE_DIR, XDG_CACHE_HOME or HOME)");
	else
		c = open_db(dir, &err);
	free(dir);
	if (c == NULL) {
		fprintf(io->err, "cache: %s\n", err.text);
		return 1;
	}
	int rc = list ? cache_list(c, &x, io) : cache_clear(c, &x, io);
	if (rc < 0)
		fprintf(io->err, "cache: %s: %s\n", c->path, sqlite3_errmsg(c->db));
	rt_cache_close(c);
	return rc < 0 ? 1 : 0;
}
