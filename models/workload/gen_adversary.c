/*
 * `adversary`: a compute tenant that tries to reach memory that is not its own (docs/vram.md), for
 * testing isolation.  Closed loop: unit (iteration) i is `kernels` compute kernels on stream 0, work ~
 * kernel_us, each submitted launch_gap_us after the previous one; the first depends on the last kernel
 * of unit i - 1.  Every kernel touches the tenant's own buffer (buffer_mb, allocated by the very first
 * kernel).  With every = N > 0, every N-th kernel also makes one faulting access, the kinds in turn:
 *
 *   wild     a random virtual page the tenant has not mapped
 *   quota    an allocation of 1 PiB, past any quota (refused), then an access through it: the null
 *            pointer a failed allocation leaves
 *   foreign  a virtual address another vGPU of its GPU has mapped (the simulator picks one); in the
 *            tenant's own address space it is simply an address it never mapped
 *   beyond   an address past the end of the virtual address space (VGS_VA_LIMIT)
 *
 * With every = 0 it is an ordinary compute tenant: the baseline the isolation test compares with.
 * Defaults: kernel_us is the `train` generator's (the A100 DDP capture's compute kernels,
 * docs/workloads.md); launch_gap_us 0 (the host keeps the GPU busy: the adversary competes for every
 * slice it can get); kernels 100 and buffer_mb 64 are arbitrary test sizes, not hardware figures.
 */
#include <stdio.h>
#include <stdlib.h>

#include <glib.h>

#include "models/memory/vmem.h"
#include "models/workload/workload_priv.h"

static const char *const adv_keys[] = {
	"type", "kernels", "kernel_us", "launch_gap_us", "buffer_mb", "every", "units", NULL,
};

enum { AM_BUFFER = 1, AM_TOO_BIG = 2 };
enum { AF_WILD, AF_QUOTA, AF_FOREIGN, AF_BEYOND, AF_N };

struct adv_params {
	uint64_t kernels;
	struct vgs_dist kernel, launch_gap;
	uint64_t buffer;
	uint64_t every;
	uint64_t units;
	uint32_t mem_first, mem_plain, mem_fault[AF_N];
};

static int adv_parse(struct vgs_workload_spec *spec, const config_setting_t *g, const char *config_dir,
		     struct vgs_error *err)
{
	struct adv_params *p = calloc(1, sizeof(*p));
	struct vgs_mem_list l;

	if (!p)
		return -1;
	spec->priv = p;
	p->kernels = 100;
	p->kernel = vgs_dist_make(VGS_DIST_LOGNORMAL, 43.1e3, 1.55);
	p->launch_gap = vgs_dist_make(VGS_DIST_CONST, 0, 0);
	p->buffer = 64ull << 20;
	p->every = 10;
	if (vgs_wl_get_u64(g, "kernels", 1, 1u << 20, &p->kernels, err) ||
	    vgs_wl_get_dist(g, "kernel_us", 1e3, &p->kernel, err) ||
	    vgs_wl_get_dist(g, "launch_gap_us", 1e3, &p->launch_gap, err) ||
	    vgs_wl_get_mb(g, "buffer_mb", &p->buffer, err) ||
	    vgs_wl_get_u64(g, "every", 0, UINT32_MAX, &p->every, err) ||
	    vgs_wl_get_u64(g, "units", 0, UINT64_MAX / 2, &p->units, err))
		return -1;
	if (p->buffer == 0) {
		vgs_error_set(err, "%s: workload key 'buffer_mb': expected > 0", vgs_wl_where(config_setting_get_member(g, "buffer_mb")));
		return -1;
	}

	l.n = 0;
	vgs_mem_list_add(&l, VGS_MEM_ALLOC, AM_BUFFER, p->buffer, 0);
	vgs_mem_list_add(&l, VGS_MEM_TOUCH, AM_BUFFER, 0, 0);
	p->mem_first = vgs_mem_table_add(spec, l.op, l.n);
	p->mem_plain = vgs_mem_table_add(spec, l.op + 1, 1);
	for (int f = 0; f < AF_N; f++) {
		l.n = 0;
		vgs_mem_list_add(&l, VGS_MEM_TOUCH, AM_BUFFER, 0, 0);
		switch (f) {
		case AF_WILD: vgs_mem_list_add(&l, VGS_MEM_WILD, 0, 0, 0); break;
		case AF_QUOTA:
			vgs_mem_list_add(&l, VGS_MEM_ALLOC, AM_TOO_BIG, 1ull << 50, 0);
			vgs_mem_list_add(&l, VGS_MEM_TOUCH, AM_TOO_BIG, 0, 4096);
			break;
		case AF_FOREIGN: vgs_mem_list_add(&l, VGS_MEM_FOREIGN, 0, 0, 64); break;
		default: vgs_mem_list_add(&l, VGS_MEM_VA, 0, VGS_VA_LIMIT + (1ull << 30), 64); break;
		}
		p->mem_fault[f] = vgs_mem_table_add(spec, l.op, l.n);
	}

	char a[96];

	spec->unit_name = g_strdup("iteration");
	spec->class_mask = 1u << VGS_COMPUTE;
	spec->latency_sensitive = false;
	if (p->every)
		spec->describe = g_strdup_printf("adversary %llu kernels x %s, a faulting access every %llu",
						 (unsigned long long)p->kernels,
						 vgs_dist_format(&p->kernel, 1e3, "us", a, sizeof(a)),
						 (unsigned long long)p->every);
	else
		spec->describe = g_strdup_printf("adversary %llu kernels x %s, no faulting accesses",
						 (unsigned long long)p->kernels,
						 vgs_dist_format(&p->kernel, 1e3, "us", a, sizeof(a)));
	return 0;
}

static void adv_spec_fini(struct vgs_workload_spec *spec)
{
	struct adv_params *p = spec->priv;

	if (p) {
		vgs_dist_fini(&p->kernel);
		vgs_dist_fini(&p->launch_gap);
	}
	free(spec->priv);
}

struct adv_inst {
	struct vgs_rng rng;
	uint64_t seq, unit, k;   /* k: kernel within the unit */
	uint64_t faults;         /* faulting accesses made: the next kind is faults % AF_N */
};

static int adv_inst_init(struct vgs_workload *w, uint64_t seed)
{
	struct adv_inst *s = calloc(1, sizeof(*s));

	if (!s)
		return -1;
	vgs_rng_seed(&s->rng, vgs_rng_derive(seed, 1));
	w->priv = s;
	return 0;
}

static int adv_next(struct vgs_workload *w, uint64_t now_ns, struct vgs_cmd *cmd)
{
	const struct adv_params *p = w->spec->priv;
	struct adv_inst *s = w->priv;

	if (s->k == 0 && p->units && s->unit >= p->units)
		return 0;
	vgs_cmd_clear(cmd);
	cmd->work_ns = vgs_dist_sample_ns(&p->kernel, &s->rng);
	cmd->gap_ns = vgs_dist_sample_gap_ns(&p->launch_gap, &s->rng);
	cmd->unit = s->unit;
	cmd->seq = s->seq++;
	if (s->k == 0) {
		cmd->flags = VGS_CMD_UNIT_BEGIN;
		if (s->unit > 0)
			cmd->deps[cmd->ndeps++] = cmd->seq - 1;
	}
	if (cmd->seq == 0)
		cmd->mem = p->mem_first;
	else if (p->every && cmd->seq % p->every == p->every - 1)
		cmd->mem = p->mem_fault[s->faults++ % AF_N];
	else
		cmd->mem = p->mem_plain;
	if (++s->k == p->kernels) {
		cmd->flags |= VGS_CMD_UNIT_END;
		s->k = 0;
		s->unit++;
	}
	return 1;
}

static void adv_inst_fini(struct vgs_workload *w)
{
	free(w->priv);
}

const struct vgs_wl_kind vgs_wl_adversary = {
	.name = "adversary",
	.keys = adv_keys,
	.parse = adv_parse,
	.spec_fini = adv_spec_fini,
	.inst_init = adv_inst_init,
	.next = adv_next,
	.inst_fini = adv_inst_fini,
};
