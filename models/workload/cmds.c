/*
 * What the workload kinds build commands with (workload_priv.h): a command's defaults, periodic
 * arrivals that skip the ticks a slow tenant missed, and the memory-operation lists and table.
 */
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
