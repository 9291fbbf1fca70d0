/*
 * The per-kernel-class speed model (models/workload/kspeed.h): the lookups the simulator, the
 * executor and `vgpusim translate` time ops with.
 *
 * Translating an op that took t_A on GPU A to GPU B goes through the reference GPU:
 *
 *     w   = (t_A - fixed_A) x speed_A             (the op's work on the reference)
 *     t_B = w / speed_B + fixed_B                 (= (t_A - fixed_A) x speed_A / speed_B + fixed_B)
 *
 * an affine map per class: a throughput ratio speed_A / speed_B and a per-op fixed time.  The fixed
 * time is what the shared H100 / MI300X VF pairs need: small kernels (1-10 us) are bound by dispatch
 * and ramp-up, not by FLOPS or bandwidth, and cost 1-4 us more per kernel on the MI300X VF while its
 * large elementwise kernels run 0.6x as long (docs/validation.md, "Moving a workload to another GPU").
 * It is signed: work_ns includes the reference GPU's own per-op time, which a GPU may have less of.
 */
#include <math.h>

#include "models/workload/kspeed.h"

static bool valid_kc(int kc)
{
	return kc > VGS_KC_NONE && kc < VGS_NKCLASS;
}

double vgs_kspeed_of(const struct vgs_kspeed *k, double engine, int kc, int roof)
{
	if (valid_kc(kc) && k->speed[kc] > 0)
		return k->speed[kc];
	if (kc != VGS_KC_NONE && roof > VGS_ROOF_NONE && roof < VGS_NROOF && k->roof[roof] > 0)
		return k->roof[roof];
	return engine;
}

int64_t vgs_kspeed_fixed_ns(const struct vgs_kspeed *k, int kc)
{
	if (!valid_kc(kc) || (k->omit & (1u << kc)) || !(k->speed[kc] > 0))
		return 0;
	return k->fixed_ns[kc];
}

double vgs_kspeed_host(const struct vgs_kspeed *k)
{
	return k->host_speed > 0 ? k->host_speed : 1.0;
}

double vgs_kspeed_to_ref(const struct vgs_kspeed *k, double engine, int kc, int roof, double t_ns)
{
	double w = t_ns - (double)vgs_kspeed_fixed_ns(k, kc);

	return w > 0 ? w * vgs_kspeed_of(k, engine, kc, roof) : 0.0;
}

double vgs_kspeed_from_ref(const struct vgs_kspeed *k, double engine, int kc, int roof, double w_ns)
{
	double t = w_ns / vgs_kspeed_of(k, engine, kc, roof) + (double)vgs_kspeed_fixed_ns(k, kc);

	return t > 0 ? t : 0.0;
}
