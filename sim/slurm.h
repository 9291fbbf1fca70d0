/*
 * Running a batch's runs as a Slurm array job (`vgpusim sweep --slurm`, docs/sweeps.md).  Slurm is the
 * scheduler: this file only writes the job script and hands it to sbatch.  Each array task runs a chunk
 * of runs, one after the other, with the same command lines a local batch would spawn (the binary named
 * by its absolute path, the working directory this process's), so the results directories are the
 * same; they must be on a file system the compute nodes share with this machine.
 */
#ifndef VGS_SLURM_H
#define VGS_SLURM_H

#include <stdbool.h>

#include <glib.h>

#include "models/base/error.h"

/* The most array tasks one job gets (Slurm's default MaxArraySize is 1001: indexes 0..1000). */
#define VGS_SLURM_MAX_TASKS 1000

struct vgs_slurm_opts {
	const char *sbatch;          /* the sbatch program: NULL = $VGS_SBATCH, else "sbatch" from PATH */
	const char *args;            /* more sbatch options, shell words ("--partition=x --time=10"), or NULL */
	bool wait;                   /* sbatch --wait: return when every task has ended */
	unsigned per_task;           /* runs per array task; 0 = 1, or more when there are over 1000 runs */
	const char *name;            /* the job's name */
};

/* The sbatch program o names (or $VGS_SBATCH, or sbatch in PATH), with its path (g_free); NULL with err
 * set when there is none.  Checked before a sweep writes anything. */
char *vgs_slurm_sbatch(const struct vgs_slurm_opts *o, struct vgs_error *err);

/*
 * Write DIR/slurm/<name>.sbatch for the runs (struct vgs_batch_run *, sim/batch.h: their argv and
 * logs) and submit it.  *jobid is set to Slurm's job id (g_free).  With o->wait, returns when the job
 * has ended; a failed task is not an error here (the caller reads what the runs left).  0, or -1 with err
 * set (sbatch missing, refused the job, or failed).
 */
int vgs_slurm_submit(const char *dir, GPtrArray *runs, const struct vgs_slurm_opts *o, char **jobid,
		     struct vgs_error *err);

#endif
