/*
 * What the workload kinds build commands with (workload_priv.h): a command's defaults, periodic
 * arrivals that skip the ticks a slow tenant missed, the memory-operation lists and table, and a
 * kernel's shape (SMs, compute- or memory-bound).
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "models/workload/workload_priv.h"

void vgs_mem_list_add(struct vgs_mem_list *l, enum vgs_mem_kind kind, uint32_t id, uint64_t arg, uint64_t len)
{
	if (l->n >= VGS_MEM_LIST_MAX)
		return;
	l->op[l->n++] = (struct vgs_mem_op){ .arg = arg, .len = len, .id = id, .kind = (uint8_t)kind };
}

uint32_t vgs_mem_table_add(struct vgs_workload_spec *spec, const struct vgs_mem_op *ops, uint32_t n)
{
	struct vgs_mem_table *t = &spec->mem;

	if (n == 0)
		return 0;
	if (t->nops + n > t->cap_ops) {
		t->cap_ops = (t->nops + n) * 2;
		t->ops = g_renew(struct vgs_mem_op, t->ops, t->cap_ops);
	}
	if (t->nsets == t->cap_sets) {
		t->cap_sets = t->cap_sets ? t->cap_sets * 2 : 16;
		t->first = g_renew(uint32_t, t->first, t->cap_sets);
		t->count = g_renew(uint32_t, t->count, t->cap_sets);
	}
	memcpy(t->ops + t->nops, ops, n * sizeof(*ops));
	t->first[t->nsets] = t->nops;
	t->count[t->nsets] = n;
	t->nops += n;
	return ++t->nsets;
}

void vgs_mem_slice(uint64_t bytes, uint32_t k, uint32_t j, uint64_t *off, uint64_t *len)
{
	uint64_t a = (uint64_t)((unsigned __int128)bytes * j / k);
	uint64_t b = (uint64_t)((unsigned __int128)bytes * (j + 1) / k);

	*off = a;
	*len = b > a ? b - a : 1;
}

void vgs_cmd_clear(struct vgs_cmd *cmd)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->arrival_ns = VGS_NO_TIME;
	cmd->deadline_ns = VGS_NO_TIME;
	cmd->cls = VGS_COMPUTE;
	cmd->dir = VGS_DIR_NONE;
}

uint64_t vgs_ticker_next(struct vgs_ticker *t, uint64_t now_ns, uint64_t *dropped)
{
	uint64_t k = t->next;
	uint64_t p = t->period_ns;

	now_ns = now_ns > t->phase_ns ? now_ns - t->phase_ns : 0;
	/* Keep tick k while now <= (k+1) p; else the first k' with now <= (k'+1) p: ceil(now/p) - 1. */
	if (now_ns / p > k && now_ns > (k + 1) * p) {
		uint64_t k2 = (now_ns + p - 1) / p - 1;

		if (k2 > k) {
			*dropped += k2 - k;
			k = k2;
		}
	}
	t->next = k + 1;
	return t->phase_ns + k * p;
}

int vgs_kshape_parse(const config_setting_t *g, struct vgs_kshape *k, struct vgs_error *err)
{
	memset(k, 0, sizeof(*k));
	k->memory_frac = -1;
	if (vgs_wl_get_num(g, "memory_bound", 0, false, 1, &k->memory_frac, err))
		return -1;
	k->bound_set = k->memory_frac >= 0;
	if (!config_setting_get_member(g, "kernel_sm"))
		return 0;
	k->sm_set = true;
	return vgs_wl_get_dist(g, "kernel_sm", 1.0, &k->sm, err);
}

void vgs_kshape_draw(const struct vgs_kshape *k, struct vgs_rng *rng, struct vgs_cmd *cmd)
{
	if (k->sm_set) {
		uint64_t sm = vgs_dist_sample_ns(&k->sm, rng);

		cmd->sm = (uint16_t)(sm > UINT16_MAX ? UINT16_MAX : sm);
	}
	if (k->bound_set)
		cmd->bound = vgs_rng_uniform(rng) < k->memory_frac ? VGS_BOUND_MEMORY : VGS_BOUND_COMPUTE;
}

void vgs_kshape_describe(const struct vgs_kshape *k, char *buf, size_t n)
{
	char d[96];
	int w = 0;

	buf[0] = 0;
	if (k->sm_set)
		w = snprintf(buf, n, ", kernels want %s", vgs_dist_format(&k->sm, 1.0, "SMs", d, sizeof(d)));
	if (k->bound_set && w >= 0 && (size_t)w < n)
		snprintf(buf + w, n - (size_t)w, ", %g %% memory-bound", 100.0 * k->memory_frac);
}
