/* progress.c: the progress display of `run`'s maps (of PROGRESS_MIN elements
 * or more), on stderr.
 *
 * On a terminal: one line per running map, redrawn in place at most every
 * 100 ms ("n1 m.sq: 523/1000 done, 2 failed, 8 running, 41.2/s, ETA 12s"),
 * erased before any other message of the run (rt_progress_clear) and drawn
 * again after; a finished map's last line stays. Elsewhere, with
 * FLYTEC_PROGRESS set: a plain line per running map every N seconds
 * (FLYTEC_PROGRESS=N; 10 for another value), and each map's last line.
 * FLYTEC_PROGRESS=0 turns the display off, on a terminal too. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run_impl.h"

#define PROGRESS_MIN 20               /* maps of at least this many elements show progress */
#define DRAW_EVERY 100000000LL        /* ns between redraws on a terminal */
#define PLAIN_EVERY 10000000000LL     /* ns between plain lines by default */

void rt_progress_init(struct rt_run *r)
{
	const char *e = getenv("FLYTEC_PROGRESS");
	r->progress = RT_PROGRESS_OFF;
	if (e != NULL && strcmp(e, "0") == 0)
		return;
	if (isatty(fileno(r->io->err))) {
		r->progress = RT_PROGRESS_TTY;
		r->progress_every = DRAW_EVERY;
	} else if (e != NULL && *e) {
		char *end;
		double s = strtod(e, &end);
		r->progress = RT_PROGRESS_PLAIN;
		r->progress_every = *end == 0 && s > 0 && s < 1e6 ? (int64_t)(s * 1e9) : PLAIN_EVERY;
	}
}

static void line(struct rt_run *r, const struct rt_node *n, struct base_buf *b)
{
	const struct rt_array *ar = n->arr;
	size_t done = ar->succeeded + ar->failed + ar->cancelled;
	base_buf_printf(b, "%s %s: %zu/%zu done, %zu failed, %zu running", n->id, n->what, done, ar->n,
			ar->failed, ar->running);
	double secs = (double)(rt_now_ns() - ar->started) / 1e9;
	if (done > ar->cached && secs > 0) {
		double rate = (double)(done - ar->cached) / secs;
		base_buf_printf(b, rate >= 10 ? ", %.0f/s" : ", %.2g/s", rate);
		if (done < ar->n) {
			double eta = (double)(ar->n - done) / rate;
			if (eta < 120)
				base_buf_printf(b, ", ETA %.0fs", eta);
			else if (eta < 7200)
				base_buf_printf(b, ", ETA %.0fm%02.0fs", eta / 60, eta - 60 * (double)(int64_t)(eta / 60));
			else
				base_buf_printf(b, ", ETA %.1fh", eta / 3600);
		}
	}
	(void)r;
}

void rt_progress_clear(struct rt_run *r)
{
	if (r->progress != RT_PROGRESS_TTY || r->drawn == 0)
		return;
	fprintf(r->io->err, "\033[%zuA\r\033[J", r->drawn);   /* up to the block, erase to the end */
	r->drawn = 0;
}

static void draw(struct rt_run *r)
{
	struct base_buf b = { 0 };
	if (r->drawn)
		base_buf_printf(&b, "\033[%zuA", r->drawn);
	for (size_t i = 0; i < r->nshown; i++) {
		base_buf_putc(&b, '\r');
		line(r, r->shown[i], &b);
		base_buf_printf(&b, "\033[K\n");
	}
	base_buf_printf(&b, "\033[J");
	fputs(base_buf_str(&b), r->io->err);
	fflush(r->io->err);
	r->drawn = r->nshown;
	base_buf_free(&b);
}

static void plain(struct rt_run *r)
{
	struct base_buf b = { 0 };
	for (size_t i = 0; i < r->nshown; i++) {
		line(r, r->shown[i], &b);
		base_buf_putc(&b, '\n');
	}
	fputs(base_buf_str(&b), r->io->err);
	fflush(r->io->err);
	base_buf_free(&b);
}

/* Redraws (a terminal) or prints the plain lines when it is time. */
void rt_progress_tick(struct rt_run *r)
{
	int64_t now = rt_now_ns();
	if (r->progress == RT_PROGRESS_OFF || r->nshown == 0 || now - r->last_draw < r->progress_every)
		return;
	r->last_draw = now;
	if (r->progress == RT_PROGRESS_TTY)
		draw(r);
	else
		plain(r);
}

void rt_progress_update(struct rt_run *r, struct rt_node *n)
{
	struct rt_array *ar = n->arr;
	if (r->progress == RT_PROGRESS_OFF || ar->n < PROGRESS_MIN)
		return;
	if (!ar->shown) {
		if (rt_grow((void **)&r->shown, &r->cshown, r->nshown + 1, sizeof *r->shown) < 0)
			return;
		ar->shown = true;
		r->shown[r->nshown++] = n;
		if (r->last_draw == 0)
			r->last_draw = rt_now_ns();   /* a first plain line after a period */
	}
	rt_progress_tick(r);
}

/* The map has ended: its last line stays. */
void rt_progress_done(struct rt_run *r, struct rt_node *n)
{
	struct rt_array *ar = n->arr;
	if (!ar->shown)
		return;
	for (size_t i = 0; i < r->nshown; i++)
		if (r->shown[i] == n) {
			memmove(&r->shown[i], &r->shown[i + 1], (r->nshown - i - 1) * sizeof *r->shown);
			r->nshown--;
			break;
		}
	ar->shown = false;
	struct base_buf b = { 0 };
	rt_progress_clear(r);
	line(r, n, &b);
	base_buf_putc(&b, '\n');
	fputs(base_buf_str(&b), r->io->err);
	base_buf_free(&b);
	if (r->progress == RT_PROGRESS_TTY && r->nshown)
		draw(r);
	fflush(r->io->err);
}
