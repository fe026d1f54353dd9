/*
 * slurm_impl.h: what the Slurm engine's files share (slurm.c: the engine,
 * the queue, the results; slurm_submit.c: job scripts and sbatch).
 */
#ifndef FLYTERUN_SLURM_IMPL_H
#define FLYTERUN_SLURM_IMPL_H

#include <signal.h>

#include "run_impl.h"
#include "slurm.h"

/* one task call in Slurm: a job, or an element of a job array */
struct sl_job {
	struct sl_job *next;
	struct rt_job *j;
	char id[48];            /* "123" or "123_4" */
	const char *prefix;     /* where outputs.pb / error.pb appear */
	const char *log;        /* the job's stdout and stderr */
	char state[24];         /* as squeue last said */
	bool running, killed, timed_out;
	int missing;            /* looks at the queue that did not list it */
	int64_t deadline;       /* monotonic ns, once it runs; 0: none */
};

struct rt_slurm {
	struct rt_run *r;
	const char *exe, *dir, *name, *runid;
	const char *name_arg;                /* --name=flytec-RUNID, for squeue and scancel */
	struct sl_job *pend, *pend_tail;     /* started, not yet submitted */
	struct sl_job *active;               /* submitted, not yet finished */
	struct rt_job *done, *done_tail;     /* finished, not yet returned */
	struct base_buf cancel;              /* ids to scancel, space separated */
	int64_t poll_ns;
	unsigned seq;                        /* job scripts written */
	bool cancelled_all;                  /* after SIGINT/SIGTERM */
	bool detached;                       /* the background submitter of --detach */
	int squeue_errors;                   /* looks in a row that failed */
	int patience_s;                      /* how long they may fail */
	struct sigaction old_int, old_term;
};

static inline const struct rt_node *node_of_job(const struct rt_job *j)
{
	return j->owner;
}

int rt_sl_run_cmd(char *const argv[], struct base_buf *out, struct base_buf *errs);
const char *rt_sl_first_line(struct base_buf *b);
void rt_sl_scancel(struct rt_slurm *s, bool all);
/* j's result is set: it goes to the scheduler (sj is freed) */
void rt_sl_push_done(struct rt_slurm *s, struct sl_job *sj);

#endif
