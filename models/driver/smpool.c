/*
 * The SM pool of an engine (models/driver/driver.h, docs/spatial.md): the contention model of kernels
 * that run at once on one engine's SMs -- MPS and Orion-style spatial policies, a MIG instance's slice
 * of the GPU, streams of one context there.  Shared by the simulator and the executor's host backend.
 *
 * The engine has N SMs and B, its share of the whole GPU's DRAM bandwidth (1, or a MIG instance's
 * memory slices / all slices); N_ref is the whole GPU's SM count, on which every kernel's recorded
 * time was measured.  A kernel k of reference work W_k wants d_k = min(sm_k, N_ref) SMs (sm_k = 0,
 * unknown: N_ref), may hold at most w_k = min(d_k, cap_k) of them (cap_k: its vGPU's MPS active
 * thread percentage of N) and uses, at full rate, y_k of the whole GPU's DRAM bandwidth:
 *
 *     memory-bound   y_k = min(1, (d_k / N_ref) / sigma)   it reaches the DRAM roof on sigma of the SMs
 *     compute-bound  y_k = gamma * d_k / N_ref             the roofline's I_ridge / I: small
 *     unknown        y_k = d_k / N_ref                     in proportion to its SMs
 *
 * (sigma = mem_saturation, gamma = compute_mem_use: the profile's `spatial` group.)
 *
 * SMs are held, as thread blocks are resident: the hardware block scheduler gives a kernel the SMs
 * that are free when it arrives (leftover), never takes SMs back from a running kernel, and hands
 * the SMs a kernel frees to the waiting kernels -- higher priority first (stream priority, MPS client
 * priority: the vGPU's priority), then the oldest.  A kernel holding a_k SMs runs at most at
 * a_k / d_k of its solo speed.  DRAM bandwidth is shared: the rates are the max-min fair solution of
 *
 *     sum_k r_k y_k <= B,   0 <= r_k <= a_k / d_k,
 *
 * levels in turn from the highest, each with what the ones above left, by progressive filling -- the
 * saturation algorithm of SimGrid's lmm solver and of max-min fair flow control (Bertsekas & Gallager,
 * "Data Networks", 2nd ed., sec. 6.5.2): all unfrozen rates grow by the same amount until the
 * bandwidth saturates or a kernel reaches its bound.  A kernel progresses at speed * r_k ns of
 * reference work per ns, so it ends W_left / (speed r_k) later; every start or end re-solves the
 * pool, O(n^2) in its n kernels (n <= 128 resident grids), and only pool engines pay it.
 *
 * Alone on a whole GPU a kernel runs at rate 1: its recorded time, as on an engine without a pool.
 * Alone on a MIG instance it runs at min(N / d_k, B / y_k): the instance's SM fraction for a
 * compute-bound kernel of the whole GPU's size, its memory fraction for a memory-bound one.
 */
#include <math.h>

#include "models/driver/driver.h"

#define POOL_EPS 1e-12

struct drv_pool *drv_pool_new(const struct vgs_gpu *gpu, int cls, bool spatial)
{
	struct drv_pool *p;

	if (!gpu->sms || cls != gpu->route[VGS_COMPUTE] || (!spatial && !gpu->mig_profile))
		return NULL;
	p = g_new0(struct drv_pool, 1);
	p->sms = p->free_sms = gpu->sms;
	p->bw = gpu->mem_bw_frac > 0 ? gpu->mem_bw_frac : 1.0;
	p->ref_sms = gpu->ref_sms ? gpu->ref_sms : gpu->sms;
	p->mem_saturation = gpu->mem_saturation > 0 ? gpu->mem_saturation : 1.0;
	p->compute_mem_use = gpu->compute_mem_use;
	return p;
}

void drv_pool_free(struct drv_pool *p)
{
	if (!p)
		return;
	g_free(p->k);
	g_free(p->scratch);
	g_free(p);
}

void vgs_pool_demand(const struct drv_pool *p, uint32_t sm, int bound, double *d, double *y)
{
	double want = sm && sm < p->ref_sms ? (double)sm : p->ref_sms;
	double frac = want / p->ref_sms;

	*d = want;
	if (bound == VGS_BOUND_MEMORY)
		*y = fmin(1.0, frac / p->mem_saturation);
	else if (bound == VGS_BOUND_COMPUTE)
		*y = p->compute_mem_use * frac;
	else
		*y = frac;
}

/* Hand the free SMs to the kernels that hold fewer than they may: highest level, then oldest. */
static void give_free_sms(struct drv_pool *p)
{
	while (p->free_sms > POOL_EPS * p->sms) {
		struct drv_pool_k *best = NULL;

		for (uint32_t i = 0; i < p->n; i++) {
			struct drv_pool_k *k = &p->k[i];

			if (k->alloc >= k->want - POOL_EPS)
				continue;
			if (!best || k->level > best->level || (k->level == best->level && k->order < best->order))
				best = k;
		}
		if (!best)
			return;
		double give = fmin(best->want - best->alloc, p->free_sms);

		best->alloc += give;
		p->free_sms -= give;
	}
}

uint32_t vgs_pool_add(struct drv_pool *p, uint32_t sm, int bound, double cap_sms, int32_t level, double work_ns,
		      double speed, void *owner)
{
	struct drv_pool_k *k;

	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 8;
		p->k = g_renew(struct drv_pool_k, p->k, p->cap);
		p->scratch = g_renew(double, p->scratch, p->cap);
	}
	k = &p->k[p->n];
	k->owner = owner;
	k->left = work_ns;
	k->speed = speed;
	vgs_pool_demand(p, sm, bound, &k->sms, &k->bw);
	k->want = cap_sms > 0 ? fmin(k->sms, cap_sms) : k->sms;
	k->alloc = 0;
	k->rate = 0;
	k->level = level;
	k->order = p->next_order++;
	/* Leftover: it takes what is free now; it waits for the rest only if no one else does. */
	k->alloc = fmin(k->want, p->free_sms);
	p->free_sms -= k->alloc;
	return p->n++;
}

void *vgs_pool_remove(struct drv_pool *p, uint32_t slot)
{
	void *moved = NULL;

	p->free_sms += p->k[slot].alloc;
	if (slot != --p->n) {
		p->k[slot] = p->k[p->n];
		moved = p->k[slot].owner;
	}
	give_free_sms(p);
	return moved;
}

/* Progressive filling of the bandwidth within one level: scratch[i] = 1 while kernel i is unfrozen. */
static void fill_level(struct drv_pool *p, int32_t level, double *cbw)
{
	double *live = p->scratch;
	uint32_t left = 0;

	for (uint32_t i = 0; i < p->n; i++) {
		live[i] = p->k[i].level == level;
		left += live[i] > 0;
	}
	for (uint32_t round = 0; left && round <= p->n; round++) {
		double sy = 0, step = INFINITY;

		for (uint32_t i = 0; i < p->n; i++) {
			if (!live[i])
				continue;
			sy += p->k[i].bw;
			step = fmin(step, p->k[i].alloc / p->k[i].sms - p->k[i].rate);
		}
		if (sy > 0)
			step = fmin(step, *cbw / sy);
		step = fmax(step, 0);
		*cbw -= step * sy;
		for (uint32_t i = 0; i < p->n; i++) {
			struct drv_pool_k *k = &p->k[i];

			if (!live[i])
				continue;
			k->rate += step;
			if (k->rate >= k->alloc / k->sms - POOL_EPS || (k->bw > 0 && *cbw <= POOL_EPS * p->bw)) {
				live[i] = 0;
				left--;
			}
		}
	}
}

void vgs_pool_solve(struct drv_pool *p)
{
	double cbw = p->bw;
	int32_t done_above = INT32_MAX;
	bool more = true;

	for (uint32_t i = 0; i < p->n; i++)
		p->k[i].rate = 0;
	/* Levels from the highest down, each with the bandwidth the ones above left. */
	while (more) {
		int32_t level = INT32_MIN;

		more = false;
		for (uint32_t i = 0; i < p->n; i++)
			if (p->k[i].level < done_above && (!more || p->k[i].level > level)) {
				level = p->k[i].level;
				more = true;
			}
		if (!more)
			break;
		fill_level(p, level, &cbw);
		cbw = fmax(cbw, 0);
		done_above = level;
	}
}

void vgs_pool_advance(struct drv_pool *p, uint64_t now)
{
	double dt = (double)(now - p->last_ns);

	if (now > p->last_ns)
		for (uint32_t i = 0; i < p->n; i++)
			p->k[i].left = fmax(0, p->k[i].left - dt * p->k[i].speed * p->k[i].rate);
	p->last_ns = now;
}

/* ---- the driver's channels in the pool -------------------------------------------------------- */

/* Solve again and move every end; the platform re-arms those that moved, but `self`'s. */
static void resolve(struct drv_pool *p, struct drv *d, uint64_t now, const struct drv_chan *self)
{
	vgs_pool_solve(p);
	for (uint32_t i = 0; i < p->n; i++) {
		struct drv_pool_k *k = &p->k[i];
		struct drv_chan *ch = k->owner;
		uint64_t end = k->rate > 0 ? now + (uint64_t)ceil(k->left / (k->speed * k->rate)) : VGS_NO_TIME;

		if (end == ch->pool_end_ns)
			continue;
		ch->pool_end_ns = end;
		if (ch != self)
			d->ops->chan_retime(d, ch, now);
	}
}

void drv_pool_join(struct drv_chan *ch, uint64_t now)
{
	struct drv_engine *e = ch->engine;
	struct drv_pool *p = e->pool;
	struct drv *d = e->domain->drv;
	const struct drv_cmd *cmd = ch->cmd;
	const struct vgs_tenant *tc = cmd->tenant->cfg;
	double cap = tc->mps_active_thread_pct < 100 ? ceil(tc->mps_active_thread_pct / 100.0 * p->sms) : 0;

	vgs_pool_advance(p, now);
	ch->pool_end_ns = VGS_NO_TIME;
	ch->pool_slot = vgs_pool_add(p, cmd->c.sm, cmd->c.bound, cap, tc->priority, (double)cmd->remaining_ns,
				     d->scn->gpus[e->cfg->gpu].cls[cmd->c.cls].speed, ch);
	resolve(p, d, now, ch);
}

void drv_pool_leave(struct drv_chan *ch, uint64_t now)
{
	struct drv_pool *p = ch->engine->pool;
	struct drv_chan *moved;

	if (!p || ch->pool_slot == DRV_POOL_NONE)
		return;
	vgs_pool_advance(p, now);
	moved = vgs_pool_remove(p, ch->pool_slot);
	if (moved)
		moved->pool_slot = ch->pool_slot;
	ch->pool_slot = DRV_POOL_NONE;
	ch->pool_end_ns = VGS_NO_TIME;
	resolve(p, ch->engine->domain->drv, now, ch);
}

uint64_t drv_pool_left_ns(const struct drv_chan *ch, uint64_t now)
{
	const struct drv_pool *p = ch->engine->pool;
	const struct drv_pool_k *k;

	if (!p || ch->pool_slot == DRV_POOL_NONE)
		return ch->cmd->remaining_ns;
	k = &p->k[ch->pool_slot];
	return (uint64_t)llround(fmax(0, k->left - (double)(now - p->last_ns) * k->speed * k->rate));
}
