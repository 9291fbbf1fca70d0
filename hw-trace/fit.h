/*
 * `vgpusim fit FORMAT CAPTURE`: read a real capture and print a ready-to-paste `workload` group that
 * behaves like it (docs/workloads.md, "Fitting a capture"), with the goodness of fit of every fitted
 * distribution (Kolmogorov-Smirnov distance, capture vs. fit p50/p90/p99) in comments.
 *
 *   presentmon  per process: a closed-loop `game` -- cadence (vsync when most frames were presented
 *               with SyncInterval >= 1, else uncapped), refresh_hz (the display's median refresh
 *               interval), cpu_ms (a quantile table of the frame times, so that the simulated frame
 *               time has the capture's p50/p90/p99), gfx_ms (GPU busy per frame), venc_ms (video busy,
 *               when the capture has it), frames_in_flight 2
 *   kineto      per process, per unit (ProfilerStep): a `train` (or `infer`, --as infer) group -- kernels
 *               per unit, kernel_us, launch_gap_us, iter_gap_us, all-reduces
 *   orion       one iteration per file: `infer` for *_fwd files, `train` otherwise (--as overrides)
 *
 * Fitting itself is models/workload/fit.c's; this file reads captures (through the importers of
 * hw-trace/, and PresentMon's frame columns directly) and writes the text.
 */
#ifndef VGS_HW_FIT_H
#define VGS_HW_FIT_H

#include <stdio.h>

#include "models/base/error.h"

struct vgs_fit_args {
	const char *format;          /* presentmon, kineto, orion */
	const char *path;
	const char *context;         /* only this context ("App-PID", a Kineto process), NULL: every one */
	const char *as;              /* "train" or "infer" for kineto and orion, NULL: from the capture */
};

/* Print the fitted groups to out.  0, or -1 with err set (FILE:LINE where the capture is at fault). */
int vgs_fit_capture(const struct vgs_fit_args *a, FILE *out, struct vgs_error *err);

#endif
