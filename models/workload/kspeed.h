/*
 * The speed model of a GPU per kernel class (docs/translate.md): how long an op of a given class
 * takes on a GPU, relative to the reference GPU whose time a trace's work_ns is (the A100 40GB PCIe of
 * configs/gpus/a100.cfg).  A GPU profile fills it from its `kernels`, `roofline` and `host_speed`
 * keys (models/scenario/kernels.c); the simulator, the executor (drv_cmd_speed, models/driver) and
 * `vgpusim translate` all time an op through it, so one formula holds everywhere:
 *
 *     time on the GPU = max(0, work_ns / speed + fixed)    (an op of class kc, roofline r)
 *     speed = speed[kc] when the profile measured it, else roof[r] (the roofline prior), else the
 *             engine class's own speed factor (what every op ran at before kernel classes)
 *     fixed = fixed_ns[kc] (measured with speed[kc]), else 0: a time per op beside the throughput,
 *             signed (relative to the reference GPU's own per-op time, which work_ns includes)
 *
 * An op of a class the GPU's software stack does not emit (`omit`, e.g. the cuBLASLt workspace
 * memsets ROCm has no counterpart of) takes no time there.  Host think time (gaps) runs at
 * host_speed.  A profile that says nothing of kernel classes leaves every field 0: every op runs at
 * its engine's speed, as before.
 */
#ifndef VGS_KSPEED_H
#define VGS_KSPEED_H

#include <stdbool.h>
#include <stdint.h>

#include "models/workload/kclass.h"

struct vgs_kspeed {
	double speed[VGS_NKCLASS];       /* measured speed factor vs. the reference GPU; 0 = none */
	int64_t fixed_ns[VGS_NKCLASS];   /* measured time per op beside the throughput, with speed[] */
	double roof[VGS_NROOF];          /* roofline prior: this GPU's peak / the reference's; 0 = none */
	double host_speed;               /* the host's speed vs. the reference's host; 0 = the same */
	uint32_t omit;                   /* bit kc: the stack emits no op of class kc (it takes no time) */
};

/* The speed an op of class kc on roofline roof runs at, `engine` its engine class's speed factor. */
double vgs_kspeed_of(const struct vgs_kspeed *k, double engine, int kc, int roof);
/* The fixed time per op of class kc (0 without a measurement or for an omitted class). */
int64_t vgs_kspeed_fixed_ns(const struct vgs_kspeed *k, int kc);
/* Host speed factor (1 when the profile gives none). */
double vgs_kspeed_host(const struct vgs_kspeed *k);

/* Reference work of an op that took t_ns on this GPU: (t - fixed) x speed, at least 0. */
double vgs_kspeed_to_ref(const struct vgs_kspeed *k, double engine, int kc, int roof, double t_ns);
/* Time on this GPU of reference work w_ns: w / speed + fixed, at least 0 (omission is the caller's:
 * an op of a class the GPU omits takes no time there, but one found in a capture of it is kept). */
double vgs_kspeed_from_ref(const struct vgs_kspeed *k, double engine, int kc, int roof, double w_ns);

#endif
