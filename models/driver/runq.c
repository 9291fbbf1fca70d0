/*
 * What the driver's state machines schedule themselves on: timers and the run list.  A tenant, domain
 * or channel that has something to do at this instant goes on the run list (once); driver.c steps
 * what is on it.  The list is a ring of pointers tagged in their low bits with what they point to.
 * Also the commands' storage: blocks of DRV_CMD_BLOCK commands and a free list, so that drawing,
 * queueing and completing a command allocates nothing (the blocks go with the driver, drv_free).
 */
#include <string.h>

#include "models/driver/driver.h"

#define DRV_CMD_BLOCK 256

struct drv_cmd *drv_cmd_new(struct drv *d)
{
	struct drv_cmd *cmd = d->cmd_free;

	if (!cmd) {
		struct drv_cmd *b = g_new(struct drv_cmd, DRV_CMD_BLOCK);

		if (!d->cmd_blocks)
			d->cmd_blocks = g_ptr_array_new_with_free_func(g_free);
		g_ptr_array_add(d->cmd_blocks, b);
		for (uint32_t i = 0; i < DRV_CMD_BLOCK - 1; i++)
			b[i].next = &b[i + 1];
		b[DRV_CMD_BLOCK - 1].next = NULL;
		cmd = b;
	}
	d->cmd_free = cmd->next;
	memset(cmd, 0, sizeof(*cmd));
	return cmd;
}

void drv_cmd_free(struct drv *d, struct drv_cmd *cmd)
{
	cmd->next = d->cmd_free;
	d->cmd_free = cmd;
}

void drv_timer_add(struct drv *d, uint64_t at_ns, int kind, void *obj, uint64_t gen)
{
	vgs_timerheap_push(&d->timers, at_ns, kind, obj, gen);
}

static void runq_push(struct drv *d, uintptr_t p)
{
	if (d->runq_len == d->runq_cap) {
		size_t cap = d->runq_cap ? 2 * d->runq_cap : 64;
		uintptr_t *q = g_new(uintptr_t, cap);

		for (size_t i = 0; i < d->runq_len; i++)
			q[i] = d->runq[(d->runq_head + i) % d->runq_cap];
		g_free(d->runq);
		d->runq = q;
		d->runq_cap = cap;
		d->runq_head = 0;
	}
	d->runq[(d->runq_head + d->runq_len++) % d->runq_cap] = p;
}

uintptr_t drv_runq_pop(struct drv *d)
{
	uintptr_t p = d->runq[d->runq_head];

	d->runq_head = (d->runq_head + 1) % d->runq_cap;
	d->runq_len--;
	return p;
}

void drv_run_domain(struct drv_domain *dm)
{
	if (!dm->queued) {
		dm->queued = true;
		runq_push(dm->drv, (uintptr_t)dm | DRV_RUNQ_DOMAIN);
	}
}

void drv_run_tenant(struct drv_tenant *t)
{
	if (!t->queued) {
		t->queued = true;
		runq_push(t->drv, (uintptr_t)t | DRV_RUNQ_TENANT);
	}
}

/* A dispatched channel starts after the domain that dispatched it has run (and set its own timer). */
void drv_run_chan(struct drv_chan *ch)
{
	runq_push(ch->engine->domain->drv, (uintptr_t)ch | DRV_RUNQ_CHAN);
}

void drv_yield_domain(struct drv_domain *dm)
{
	dm->yielded = true;
	g_queue_push_tail(&dm->drv->yielded, dm);
}

bool drv_resume_yielded(struct drv *d)
{
	bool any = !g_queue_is_empty(&d->yielded);

	while (!g_queue_is_empty(&d->yielded)) {
		struct drv_domain *dm = g_queue_pop_head(&d->yielded);

		dm->yielded = false;
		drv_run_domain(dm);
	}
	return any;
}
