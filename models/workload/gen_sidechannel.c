/*
 * The two tenants of a side-channel measurement (`vgpusim leak`, docs/spatial.md "Leakage"):
 *
 * `victim`: time is cut into bit periods of bit_ms; period k carries secret bit b_k (drawn from the
 *   tenant's seed: vgs_workload_secret_bit) and the victim runs activity pattern b_k during it --
 *   kernels of kernel_us back to back (each after the previous completes) for the first duty0 (bit 0)
 *   or duty1 (bit 1) of the period, then nothing until the next period.  Each kernel is a unit.
 *   Defaults: bit 0 idle, bit 1 busy; 200 us kernels that want the whole GPU and are memory-bound
 *   (the strongest contention a victim can cause, docs/spatial.md); bit_ms 20.  Test sizes, not
 *   hardware figures.
 *
 * `probe`: the attacker, who sees only its own latencies: a small kernel (probe_us, default 20 us,
 *   40 SMs, memory-bound) every interval_us (default 1000 us) after the previous one completed; each
 *   probe is a unit, whose latency (submission to completion) is one observation.
 *
 * Both take the kernel-shape keys kernel_sm and memory_bound.  Closed loop, one kernel in flight each.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <glib.h>

#include "models/workload/workload_priv.h"

#define SECRET_SALT 0x5ec7e7b175ull

static const char *const victim_keys[] = {
	"type", "bit_ms", "kernel_us", "duty0", "duty1", "units", VGS_KSHAPE_KEYS, NULL,
};
static const char *const probe_keys[] = {
	"type", "probe_us", "interval_us", "units", VGS_KSHAPE_KEYS, NULL,
};

struct sc_params {
	bool victim;
	uint64_t bit_ns;
	struct vgs_dist kernel, gap;
	double duty[2];
	uint64_t units;
	struct vgs_kshape shape;
};

int vgs_workload_secret_bit(const struct vgs_workload_spec *spec, uint64_t seed, uint64_t k)
{
	const struct sc_params *p = spec->kind == &vgs_wl_victim ? spec->priv : NULL;

	return p ? (int)(vgs_rng_derive(seed ^ SECRET_SALT, k) & 1) : -1;
}

uint64_t vgs_workload_secret_period_ns(const struct vgs_workload_spec *spec)
{
	const struct sc_params *p = spec->kind == &vgs_wl_victim ? spec->priv : NULL;

	return p ? p->bit_ns : 0;
}

static int sc_parse(struct vgs_workload_spec *spec, const config_setting_t *g, bool victim, struct vgs_error *err)
{
	struct sc_params *p = calloc(1, sizeof(*p));
	double bit_ms = 20.0;
	char k[240], a[96];

	if (!p)
		return -1;
	spec->priv = p;
	p->victim = victim;
	p->kernel = vgs_dist_make(VGS_DIST_CONST, victim ? 200e3 : 20e3, 0);
	p->gap = vgs_dist_make(VGS_DIST_CONST, victim ? 0 : 1000e3, 0);
	p->duty[0] = 0.0;
	p->duty[1] = 1.0;
	if (vgs_kshape_parse(g, &p->shape, err) ||
	    vgs_wl_get_dist(g, victim ? "kernel_us" : "probe_us", 1e3, &p->kernel, err) ||
	    vgs_wl_get_u64(g, "units", 0, UINT64_MAX / 2, &p->units, err))
		return -1;
	if (!p->shape.sm_set) {
		p->shape.sm_set = !victim; /* the victim wants the whole GPU (sm 0), the probe 40 SMs */
		p->shape.sm = vgs_dist_make(VGS_DIST_CONST, 40, 0);
	}
	if (!p->shape.bound_set) {
		p->shape.bound_set = true;
		p->shape.memory_frac = 1.0;
	}
	if (victim) {
		if (vgs_wl_get_num(g, "bit_ms", 0, true, 1e6, &bit_ms, err) ||
		    vgs_wl_get_num(g, "duty0", 0, false, 1, &p->duty[0], err) ||
		    vgs_wl_get_num(g, "duty1", 0, false, 1, &p->duty[1], err))
			return -1;
		p->bit_ns = (uint64_t)llround(bit_ms * 1e6);
	} else if (vgs_wl_get_dist(g, "interval_us", 1e3, &p->gap, err)) {
		return -1;
	}
	vgs_kshape_describe(&p->shape, k, sizeof(k));
	spec->unit_name = g_strdup(victim ? "kernel" : "probe");
	spec->class_mask = 1u << VGS_COMPUTE;
	spec->latency_sensitive = !victim;
	if (victim)
		spec->describe = g_strdup_printf("victim: secret bits of %g ms, busy %g / %g of a period for bit 0 / 1, "
						 "kernels of %s%s", bit_ms, p->duty[0], p->duty[1],
						 vgs_dist_format(&p->kernel, 1e3, "us", a, sizeof(a)), k);
	else
		spec->describe = g_strdup_printf("probe: one kernel of %s every %g us%s",
						 vgs_dist_format(&p->kernel, 1e3, "us", a, sizeof(a)),
						 vgs_dist_mean_ns(&p->gap) / 1e3, k);
	return 0;
}

static int victim_parse(struct vgs_workload_spec *spec, const config_setting_t *g, const char *config_dir,
			struct vgs_error *err)
{
	return sc_parse(spec, g, true, err);
}

static int probe_parse(struct vgs_workload_spec *spec, const config_setting_t *g, const char *config_dir,
		       struct vgs_error *err)
{
	return sc_parse(spec, g, false, err);
}

static void sc_spec_fini(struct vgs_workload_spec *spec)
{
	free(spec->priv);
}

struct sc_inst {
	struct vgs_rng rng, shape_rng;
	uint64_t seed;
	uint64_t seq;
};

static int sc_inst_init(struct vgs_workload *w, uint64_t seed)
{
	struct sc_inst *s = calloc(1, sizeof(*s));

	if (!s)
		return -1;
	s->seed = seed;
	vgs_rng_seed(&s->rng, vgs_rng_derive(seed, 1));
	vgs_rng_seed(&s->shape_rng, vgs_rng_derive(seed, 2));
	w->priv = s;
	return 0;
}

/* When the victim may submit its next kernel, asked at now: now while its bit's busy part lasts, else
 * the start of the next period whose pattern is busy at all. */
static uint64_t victim_when(const struct vgs_workload *w, const struct sc_params *p, uint64_t now)
{
	const struct sc_inst *s = w->priv;
	uint64_t k = now / p->bit_ns;

	for (uint64_t tries = 0; tries < 4096; tries++, k++) {
		double busy = p->duty[vgs_workload_secret_bit(w->spec, s->seed, k)] * (double)p->bit_ns;
		uint64_t start = k * p->bit_ns;

		if (busy <= 0)
			continue;
		if (now < start)
			return start;
		if ((double)(now - start) < busy)
			return now;
	}
	return now; /* no busy period in sight (duty0 = duty1 = 0 is caught below): go on */
}

static int sc_next(struct vgs_workload *w, uint64_t now_ns, struct vgs_cmd *cmd)
{
	const struct sc_params *p = w->spec->priv;
	struct sc_inst *s = w->priv;

	vgs_cmd_clear(cmd);
	if (p->units && s->seq >= p->units)
		return 0;
	if (p->victim && p->duty[0] <= 0 && p->duty[1] <= 0)
		return 0; /* never busy */
	cmd->seq = s->seq++;
	cmd->unit = cmd->seq;
	cmd->flags = VGS_CMD_UNIT_BEGIN | VGS_CMD_UNIT_END;
	if (cmd->seq > 0)
		cmd->deps[cmd->ndeps++] = cmd->seq - 1;
	cmd->work_ns = vgs_dist_sample_ns(&p->kernel, &s->rng);
	if (p->victim)
		cmd->arrival_ns = victim_when(w, p, now_ns);
	else
		cmd->gap_ns = cmd->seq > 0 ? vgs_dist_sample_gap_ns(&p->gap, &s->rng) : 0;
	vgs_kshape_draw(&p->shape, &s->shape_rng, cmd);
	return 1;
}

static void sc_inst_fini(struct vgs_workload *w)
{
	free(w->priv);
}

const struct vgs_wl_kind vgs_wl_victim = {
	.name = "victim",
	.keys = victim_keys,
	.parse = victim_parse,
	.spec_fini = sc_spec_fini,
	.inst_init = sc_inst_init,
	.next = sc_next,
	.inst_fini = sc_inst_fini,
};

const struct vgs_wl_kind vgs_wl_probe = {
	.name = "probe",
	.keys = probe_keys,
	.parse = probe_parse,
	.spec_fini = sc_spec_fini,
	.inst_init = sc_inst_init,
	.next = sc_next,
	.inst_fini = sc_inst_fini,
};
