/*
 * The speed a command runs at on a GPU (models/workload/kspeed.h, docs/translate.md): the leaf of the
 * driver model both chan.c (a command's time on a channel) and tenant.c (its work and host gap when the
 * tenant draws it) call, and the simulator and the executor's backends through drv_cmd_time_ns.
 */
#include <math.h>

#include "models/driver/driver.h"

/*
 * The one place a command's speed is decided (models/workload/kspeed.h): its kernel class's speed
 * when the GPU profile has one (measured, or the roofline prior), else its engine class's speed
 * factor, as before kernel classes.  A class the profile omits runs at infinite speed: no time.
 * drv_cmd_work_ns adds the class's fixed time per op, as work at that speed, when the tenant draws
 * the command: what it takes, run alone, is then work_ns / speed + fixed.
 */
double drv_cmd_speed(const struct vgs_gpu *gpu, const struct drv_cmd *cmd)
{
	const struct vgs_cmd *c = &cmd->c;

	if (c->kc && (gpu->kspeed.omit & (1u << c->kc)))
		return INFINITY;
	return vgs_kspeed_of(&gpu->kspeed, gpu->cls[c->cls].speed, c->kc, c->roof);
}

uint64_t drv_cmd_work_ns(const struct vgs_gpu *gpu, const struct drv_cmd *cmd)
{
	int64_t fixed = vgs_kspeed_fixed_ns(&gpu->kspeed, cmd->c.kc);
	double w;

	if (!fixed)
		return cmd->c.work_ns;
	/* fixed ns at the command's speed: remaining / speed = work / speed + fixed, never below 0 */
	w = (double)cmd->c.work_ns + (double)fixed * drv_cmd_speed(gpu, cmd);
	return w > 0 ? (uint64_t)llround(w) : 0;
}

uint64_t drv_cmd_gap_ns(const struct vgs_gpu *gpu, const struct vgs_cmd *c)
{
	double h = vgs_kspeed_host(&gpu->kspeed);

	if (c->kc && (gpu->kspeed.omit & (1u << c->kc)))
		return 0;
	return h == 1.0 ? c->gap_ns : (uint64_t)llround((double)c->gap_ns / h);
}
