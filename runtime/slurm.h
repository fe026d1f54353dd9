/*
 * slurm.h: the Slurm engine of `run` (slurm.c): a backend for the local
 * executor's scheduler that runs each task call as a Slurm batch job, and
 * each batch of a map's elements as one job array. The scheduler decides
 * what runs (bindings, dependencies, retries, the cache, gathering); this
 * backend decides how (sbatch, squeue, scancel, the files of the Flyte
 * contract under a shared work directory).
 */
#ifndef FLYTERUN_SLURM_H
#define FLYTERUN_SLURM_H

#include "internal.h"

struct rt_run;
struct rt_slurm;

/** What `run --engine slurm` was given. */
struct rt_slurm_opts {
	const char *work_dir;     /* --work-dir: shared by the nodes (required) */
	const char *executable;   /* --executable: what the jobs run; NULL: this one */
	double poll_s;            /* seconds between looks at the queue; 0: 0.25 */
};

/** Makes the engine for run r (its run directory under the work directory,
 *  the SIGINT/SIGTERM handlers). NULL with a message when it cannot. */
struct rt_slurm *rt_slurm_new(struct rt_run *r, const struct rt_slurm_opts *o, struct rt_msg *err);
/** Cancels whatever still runs (scancel), restores the signal handlers. */
void rt_slurm_free(struct rt_slurm *s);
/** The signal that cancelled the run, or 0. */
int rt_slurm_signal(const struct rt_slurm *s);
/** The run's directory under the work directory. */
const char *rt_slurm_run_dir(const struct rt_slurm *s);

/* the backend interface (backend.c hands these on) */
int rt_slurm_start(struct rt_slurm *s, struct rt_job *j, struct rt_msg *err);
void rt_slurm_flush(struct rt_slurm *s);
struct rt_job *rt_slurm_wait(struct rt_slurm *s);
struct rt_job *rt_slurm_poll(struct rt_slurm *s);
void rt_slurm_cancel(struct rt_slurm *s, struct rt_job *j);

/** --detach (slurm_detach.c): forks the submitter into the background.
 *  1 in the caller (the run's directory printed on stdout: its work is
 *  done), 0 in the background submitter (which goes on with the run), -1
 *  when it cannot (reported). */
int rt_slurm_detach(struct rt_slurm *s, const struct rt_io *io);
/** In the background submitter: records the run's exit status. */
void rt_slurm_detached_end(struct rt_slurm *s, int status);
/** `slurm status|collect|cancel RUNDIR`: a detached run, later. */
int rt_cmd_slurm(const flrt_module *m, int argc, char **argv, const struct rt_io *io);

/** A backend whose calls go to s (rt_backend_free frees s too). */
struct rt_backend *rt_backend_new_slurm(struct rt_slurm *s);

#endif
