/*
 * `vgpusim calibrate`: microbenchmarks of an executor backend, written as a GPU profile the simulator
 * uses (docs/executor.md, docs/validation.md).  The maths is kept apart (calib_math.c) so that it is
 * unit-tested without running anything.
 */
#ifndef VGS_EXEC_CALIBRATE_H
#define VGS_EXEC_CALIBRATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/scenario/scenario.h"

struct ex_backend;

struct ex_calibrate_args {
	const struct ex_backend *be;
	const char *out;           /* profile file to write */
	const char *base;          /* profile whose hardware figures are kept (NULL: a neutral one) */
	const char *name;          /* profile name (default: the output file's stem) */
	bool quiet;
};

int ex_calibrate(const struct ex_calibrate_args *a, struct vgs_error *err);

/* Least-squares line y = intercept + slope x over n >= 2 points; -1 when x has no spread. */
struct ex_fit {
	double intercept;
	double slope;
	double r2;                 /* coefficient of determination */
};
int ex_fit_line(const double *x, const double *y, size_t n, struct ex_fit *out);

/* Write GPU profile g as a configs/gpus/ file (every key, so it reads on its own). */
int ex_profile_write(FILE *f, const struct vgs_gpu *g, const char *name, const char *comment);

#endif
