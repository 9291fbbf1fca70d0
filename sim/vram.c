/*
 * VRAM in the simulator (docs/vram.md): one physical allocator per GPU (models/memory/vram.h) and one memory
 * model per vGPU (models/memory/vmem.h), driven by three hooks on a command's life:
 *
 *   sim_vram_submit      (tenant, at submission) the host side of its memory list: allocations and
 *                        frees in order, and a pin on every allocation it will access, so that a free
 *                        waits for the commands already submitted (stream-ordered free);
 *   sim_vram_translate   (channel, at dispatch) every access translated through the vGPU's own
 *                        page table; pages evicted earlier, and those the vGPU must evict to make
 *                        room, then cross the GPU's PCIe link as SimGrid communications (device-to-
 *                        host, then host-to-device; sim/engine.c) while the command holds its channel,
 *                        stalled; an access outside the vGPU's allocations is handled per `vram.fault`;
 *   sim_vram_complete    (completion or drop) the pins go, and a pending free may happen.
 *
 * The transfers share the link with copy commands (the same mailboxes, sim->pcie_mb), so migrations
 * and copies slow each other down.  Nothing here runs for a command whose `mem` is 0, and a command
 * whose pages are all resident costs no simulated time and no SimGrid activity: runs whose VRAM fits
 * are timed exactly as without this file.
 *
 * Which vGPU is blamed: every counter is the faulting vGPU's own; a fault never touches another
 * vGPU's state.  An address "another vGPU has mapped" (VGS_MEM_FOREIGN) is looked up in that vGPU's
 * table only to choose the number; the access itself goes through the faulting vGPU's table.
 */
#include <errno.h>
#include <string.h>

#include "models/base/rng.h"
#include "models/memory/vmem.h"
#include "models/memory/vram.h"
#include "sim/sim.h"

/* The allocations a command in flight holds (drv_cmd.vram), on its tenant's list until it is done. */
struct pins {
	struct pins *prev, *next;
	uint32_t n;
	uint32_t cls;                /* size class: room for PINS_MIN << cls allocations (PINS_CLASSES: malloc'd) */
	struct vgs_alloc *a[];       /* one per TOUCH operation, in list order; NULL: none held */
};

/* Pin lists are reused through free lists by size class, so a command costs no allocation. */
#define PINS_MIN 4u
#define PINS_CLASSES 6u

struct sim_vram_tenant {
	struct vgs_vmem *vm;
	struct vgs_vmem_cfg cfg;     /* to make it anew when its lifetime ends */
	uint32_t gpu;                /* whose VRAM it uses now (a live migration moves it) */
	bool tracked;                /* dirty tracking on (a migration's pre-copy) */
	struct pins *pins;           /* of its commands in flight (freed with the model at the end) */
	struct vgs_vmem_stats seen;  /* counters already reported to the metrics */
	struct vgs_rng rng;          /* foreign targets */
};

struct sim_vram {
	struct vgs_vram *gpus;
	struct sim_vram_tenant *t;
	struct pins *free_pins[PINS_CLASSES]; /* linked through .next */
};

static struct pins *pins_get(struct sim_vram *v, uint32_t n)
{
	uint32_t cls = 0;
	struct pins *p;

	while (cls < PINS_CLASSES && (PINS_MIN << cls) < n)
		cls++;
	if (cls < PINS_CLASSES && v->free_pins[cls]) {
		p = v->free_pins[cls];
		v->free_pins[cls] = p->next;
	} else {
		p = g_malloc(sizeof(*p) + (cls < PINS_CLASSES ? PINS_MIN << cls : n) * sizeof(p->a[0]));
		p->cls = cls;
	}
	p->n = 0;
	return p;
}

static void pins_put(struct sim_vram *v, struct pins *p)
{
	if (p->cls >= PINS_CLASSES) {
		g_free(p);
		return;
	}
	p->next = v->free_pins[p->cls];
	v->free_pins[p->cls] = p;
}

int sim_vram_init(struct sim *sim, struct vgs_error *err)
{
	const struct vgs_scenario *scn = sim->drv.scn;
	struct sim_vram *v;
	uint64_t *sum;
	bool any = false;

	for (uint32_t i = 0; i < scn->ntenants; i++)
		any |= vgs_workload_has_memory(scn->tenants[i].workload);
	if (!any && !scn->vram_check)
		return 0; /* nothing allocates: no VRAM state at all */
	v = g_new0(struct sim_vram, 1);
	v->gpus = g_new0(struct vgs_vram, scn->ngpus);
	v->t = g_new0(struct sim_vram_tenant, scn->ntenants);
	sim->vram = v;
	sum = g_new0(uint64_t, scn->ngpus);
	for (uint32_t g = 0; g < scn->ngpus; g++) {
		if (vgs_vram_init(&v->gpus[g], scn->gpus[g].vram_bytes, scn->vram_check) != 0) {
			vgs_error_set(err, "GPU %s: out of memory for the VRAM model of %.1f GiB%s", scn->gpus[g].name,
				      (double)scn->gpus[g].vram_bytes / 1073741824.0,
				      scn->vram_check ? " (simulation.vram_check needs 4 bytes per 4 KiB)" : "");
			g_free(sum);
			return -1;
		}
	}
	for (uint32_t i = 0; i < scn->ntenants; i++)
		sum[scn->tenants[i].gpu] += scn->tenants[i].vram_quota_bytes;
	for (uint32_t i = 0; i < scn->ntenants; i++) {
		const struct vgs_tenant *tc = &scn->tenants[i];
		const struct vgs_gpu *g = &scn->gpus[tc->gpu];
		struct vgs_vmem_cfg c = {
			.owner = i,
			.quota_bytes = tc->vram_quota_bytes,
			.share_bytes = vgs_vmem_share(g->vram_bytes, tc->vram_quota_bytes, sum[tc->gpu]),
			.max_shift = g->vram_page_shift,
			.evict = (enum vgs_evict)tc->vram_evict,
			.seed = vgs_rng_derive(scn->seed, 0x5652414d00000000ull + i), /* "VRAM" */
		};

		v->t[i].vm = vgs_vmem_new(&v->gpus[tc->gpu], &c);
		v->t[i].cfg = c;
		v->t[i].gpu = tc->gpu;
		vgs_rng_seed(&v->t[i].rng, vgs_rng_derive(c.seed, 1));
	}
	g_free(sum);
	return 0;
}

/* Report what changed since the last report: the resident level and the counters (at the current
 * time; the clock is read only when something changed). */
static void report(struct sim *sim, uint32_t i, uint64_t now)
{
	struct sim_vram_tenant *vt = &sim->vram->t[i];
	const struct vgs_vmem_stats *st = vgs_vmem_stats(vt->vm);
	struct vgs_vmem_stats *o = &vt->seen;
	bool events = st->page_faults != o->page_faults || st->evictions != o->evictions ||
		      st->migrated_bytes != o->migrated_bytes || st->alloc_failures != o->alloc_failures;

	if (st->resident_bytes == o->resident_bytes && !events)
		return;
	if (st->resident_bytes != o->resident_bytes)
		vgs_metrics_vram_level(sim->drv.metrics, i, now, st->resident_bytes);
	if (events)
		vgs_metrics_vram_events(sim->drv.metrics, i, now, st->page_faults - o->page_faults,
					st->invalid_faults - o->invalid_faults, st->evictions - o->evictions,
					st->migrated_bytes - o->migrated_bytes,
					st->alloc_failures - o->alloc_failures);
	*o = *st;
}

void sim_vram_submit(struct drv_tenant *t, struct drv_cmd *cmd)
{
	struct sim *sim = sim_of(t->drv);
	struct sim_vram_tenant *vt;
	const struct vgs_mem_op *ops;
	struct pins *p = NULL;
	uint32_t n, ntouch = 0;

	if (!sim->vram || !cmd->c.mem)
		return;
	vt = &sim->vram->t[t->idx];
	ops = vgs_workload_mem(t->wl, cmd->c.mem, &n);
	for (uint32_t k = 0; k < n; k++)
		ntouch += ops[k].kind == VGS_MEM_TOUCH;
	if (ntouch) {
		p = pins_get(sim->vram, ntouch);
		p->prev = NULL;
		p->next = vt->pins;
		if (vt->pins)
			vt->pins->prev = p;
		vt->pins = p;
		cmd->vram = p;
	}
	for (uint32_t k = 0; k < n; k++) {
		const struct vgs_mem_op *op = &ops[k];

		switch (op->kind) {
		case VGS_MEM_ALLOC:
			vgs_vmem_alloc(vt->vm, op->id, op->arg, op->shift); /* refusals are counted */
			break;
		case VGS_MEM_FREE:
			vgs_vmem_release(vt->vm, op->id);
			break;
		case VGS_MEM_TOUCH:
			p->a[p->n++] = vgs_vmem_pin(vt->vm, op->id);
			break;
		default:
			break;
		}
	}
	report(sim, t->idx, sim->clock_ns);
}

void sim_vram_complete(struct drv_tenant *t, struct drv_cmd *cmd, uint64_t now)
{
	struct sim *sim = sim_of(t->drv);
	struct sim_vram_tenant *vt;
	struct pins *p = cmd->vram;

	if (!sim->vram || !p)
		return;
	vt = &sim->vram->t[t->idx];
	for (uint32_t k = 0; k < p->n; k++)
		vgs_vmem_unpin(vt->vm, p->a[k]);
	if (p->prev)
		p->prev->next = p->next;
	else
		vt->pins = p->next;
	if (p->next)
		p->next->prev = p->prev;
	pins_put(sim->vram, p);
	cmd->vram = NULL;
	report(sim, t->idx, now);
}

/* An address another vGPU of t's GPU maps right now (that vGPU and its page chosen at random), or 0. */
static uint64_t foreign_va(struct sim *sim, const struct drv_tenant *t)
{
	const struct vgs_scenario *scn = sim->drv.scn;
	struct sim_vram_tenant *vt = &sim->vram->t[t->idx];
	uint32_t n = scn->ntenants, start = (uint32_t)(vgs_rng_u64(&vt->rng) % n);

	for (uint32_t k = 0; k < n; k++) {
		uint32_t j = (start + k) % n;
		uint64_t va;

		if (j == t->idx || sim->vram->t[j].gpu != sim->vram->t[t->idx].gpu)
			continue;
		va = vgs_vmem_some_mapped_va(sim->vram->t[j].vm, vgs_rng_u64(&vt->rng));
		if (va)
			return va;
	}
	return 0;
}

/* How long a faulting command holds its channel: the time it would have run (drv_cmd_time_ns: a
 * host<->device copy with a byte count crosses the link, anything else runs its work at the class's
 * speed), at most the TDR timeout. */
uint64_t sim_vram_fault_time_ns(const struct drv_chan *ch, const struct drv_cmd *cmd)
{
	const struct vgs_gpu *gpu = &ch->engine->domain->drv->scn->gpus[ch->engine->cfg->gpu];
	uint64_t ns = drv_cmd_time_ns(gpu, cmd);

	return gpu->tdr_timeout_ns && ns > gpu->tdr_timeout_ns ? gpu->tdr_timeout_ns : ns;
}

/* Translate cmd's accesses at now (page faults, evictions and the migrations they need in *mig). */
static enum sim_vram_verdict translate(struct drv_cmd *cmd, uint64_t now, struct vgs_migration *mig)
{
	struct drv_tenant *t = cmd->tenant;
	struct sim *sim = sim_of(t->drv);
	struct sim_vram_tenant *vt;
	const struct vgs_mem_op *ops;
	const struct pins *p;
	enum sim_vram_verdict verdict = SIM_VRAM_RUN;
	uint32_t n, k = 0;

	if (!sim->vram || !cmd->c.mem)
		return SIM_VRAM_RUN;
	vt = &sim->vram->t[t->idx];
	ops = vgs_workload_mem(t->wl, cmd->c.mem, &n);
	p = cmd->vram;
	for (uint32_t i = 0; i < n && verdict == SIM_VRAM_RUN; i++) {
		const struct vgs_mem_op *op = &ops[i];
		uint64_t va = 0, len = op->len;
		int rc;

		switch (op->kind) {
		case VGS_MEM_TOUCH:
			/* No allocation held: an access through a null pointer (va 0, never mappable). */
			rc = vgs_vmem_touch(vt->vm, p && k < p->n ? p->a[k] : NULL, op->arg, op->len, mig);
			k++;
			break;
		case VGS_MEM_VA:
			va = op->arg;
			rc = vgs_vmem_touch_va(vt->vm, va, len, mig);
			break;
		case VGS_MEM_WILD:
			va = vgs_vmem_wild_va(vt->vm);
			len = 1;
			rc = vgs_vmem_touch_va(vt->vm, va, len, mig);
			break;
		case VGS_MEM_FOREIGN:
			va = foreign_va(sim, t);
			rc = va ? vgs_vmem_touch_va(vt->vm, va, len, mig) : 0; /* nobody else maps anything */
			break;
		default:
			continue; /* host-side operations were done at submission */
		}
		if (rc == -EFAULT) {
			switch (t->cfg->vram_fault) {
			case VGS_VRAM_FAULT_KILL: verdict = SIM_VRAM_KILL; break;
			case VGS_VRAM_FAULT_DEMAND:
				/* Quota exhausted or nothing mappable there: escalate to a reset. */
				if (op->kind == VGS_MEM_TOUCH || vgs_vmem_demand_range(vt->vm, va, len, mig) != 0)
					verdict = SIM_VRAM_RESET;
				break;
			default: verdict = SIM_VRAM_RESET; break;
			}
		} else if (rc != 0) {
			verdict = SIM_VRAM_RESET; /* -ENOMEM: no frame even after evicting all its pages */
		}
	}
	report(sim, t->idx, now);
	return verdict;
}

enum sim_vram_verdict sim_vram_translate(struct drv_cmd *cmd, uint64_t now, uint64_t *d2h_bytes,
					 uint64_t *h2d_bytes, uint64_t *track_ns)
{
	struct vgs_migration mig = { 0, 0 };
	enum sim_vram_verdict verdict = translate(cmd, now, &mig);
	struct sim *sim = sim_of(cmd->tenant->drv);

	*d2h_bytes = mig.d2h_bytes;
	*h2d_bytes = mig.h2d_bytes;
	*track_ns = 0;
	/* Dirty tracking (a live migration's pre-copy): each page this command wrote first since its last
	 * copy took a write fault (migration.track_us, docs/pools.md). */
	if (sim->vram && sim->vram->t[cmd->tenant->idx].tracked)
		*track_ns = vgs_vmem_dirtied(sim->vram->t[cmd->tenant->idx].vm) * sim->drv.scn->migration.track_ns;
	return verdict;
}

/* ---- lifetimes and live migration (docs/pools.md) -------------------------------------------- */

void sim_vram_track(struct sim *sim, struct drv_tenant *t, bool on)
{
	if (!sim->vram)
		return;
	sim->vram->t[t->idx].tracked = on;
	vgs_vmem_track(sim->vram->t[t->idx].vm, on);
}

uint64_t sim_vram_dirty(struct sim *sim, struct drv_tenant *t, bool take)
{
	struct vgs_vmem *vm;

	if (!sim->vram)
		return 0;
	vm = sim->vram->t[t->idx].vm;
	return take ? vgs_vmem_dirty_take(vm) : vgs_vmem_dirty_bytes(vm);
}

uint64_t sim_vram_resident(struct sim *sim, struct drv_tenant *t)
{
	return sim->vram ? vgs_vmem_stats(sim->vram->t[t->idx].vm)->resident_bytes : 0;
}

void sim_vram_rehome(struct sim *sim, struct drv_tenant *t, uint32_t gpu)
{
	struct sim_vram_tenant *vt;

	if (!sim->vram)
		return;
	vt = &sim->vram->t[t->idx];
	vgs_vmem_rehome(vt->vm, &sim->vram->gpus[gpu]);
	vt->gpu = gpu;
}

/* Its lifetime ended and nothing of it is in flight: its memory goes back to the GPU (a new, empty
 * model stands in for it, so the end-of-run check and the metrics see an ordinary vGPU). */
void sim_vram_release(struct drv_tenant *t, uint64_t now)
{
	struct sim *sim = sim_of(t->drv);
	struct sim_vram_tenant *vt;

	if (!sim->vram)
		return;
	vt = &sim->vram->t[t->idx];
	vgs_vmem_free(vt->vm);
	vt->vm = vgs_vmem_new(&sim->vram->gpus[vt->gpu], &vt->cfg);
	/* Its counters start again from 0 (what they counted was reported); the level drops to 0. */
	memset(&vt->seen, 0, sizeof(vt->seen));
	vt->seen.resident_bytes = 1;
	report(sim, t->idx, now);
}

void sim_vram_finish(struct sim *sim)
{
	const struct vgs_scenario *scn = sim->drv.scn;
	struct sim_vram *v = sim->vram;
	uint32_t *start, *idx, *fill;
	struct vgs_vmem **vms;
	uint64_t *per;

	if (!v)
		return;
	/* The tenants whose memory each GPU holds now (a live migration moves it), in index order (once:
	 * linear in tenants + GPUs). */
	start = g_new0(uint32_t, scn->ngpus + 1);
	fill = g_new0(uint32_t, scn->ngpus);
	idx = g_new0(uint32_t, scn->ntenants + 1);
	vms = g_new0(struct vgs_vmem *, scn->ntenants + 1);
	per = g_new0(uint64_t, scn->ntenants + 1);
	for (uint32_t i = 0; i < scn->ntenants; i++)
		start[v->t[i].gpu + 1]++;
	for (uint32_t g = 0; g < scn->ngpus; g++)
		start[g + 1] += start[g];
	for (uint32_t i = 0; i < scn->ntenants; i++) {
		uint32_t g = v->t[i].gpu, k = start[g] + fill[g]++;

		idx[k] = i;
		vms[k] = v->t[i].vm;
	}
	for (uint32_t g = 0; g < scn->ngpus; g++) {
		uint32_t s0 = start[g], n = start[g + 1] - s0;

		if (sim->drv.gpu_active && !sim->drv.gpu_active[g])
			continue; /* another shard's (sim/shard.c) */
		vgs_vmem_check(vms + s0, n, per + s0);
		for (uint32_t k = s0; k < s0 + n; k++)
			vgs_metrics_vram_violations(sim->drv.metrics, idx[k],
						    per[k] + vgs_vmem_stats(vms[k])->check_violations);
		vgs_metrics_gpu_vram(sim->drv.metrics, g, vgs_vram_fragmentation(&v->gpus[g]),
				     (v->gpus[g].frames - v->gpus[g].free_frames) << VGS_VRAM_FRAME_SHIFT,
				     v->gpus[g].used_peak_frames << VGS_VRAM_FRAME_SHIFT);
	}
	g_free(start);
	g_free(fill);
	g_free(idx);
	g_free(vms);
	g_free(per);
}

void sim_vram_free(struct sim *sim)
{
	struct sim_vram *v = sim->vram;

	if (!v)
		return;
	for (uint32_t i = 0; i < sim->drv.scn->ntenants; i++) {
		/* Commands still in flight at the end are freed without completing: their pins go here. */
		for (struct pins *p = v->t[i].pins, *next; p; p = next) {
			next = p->next;
			g_free(p);
		}
		vgs_vmem_discard(v->t[i].vm); /* every GPU's allocator goes below */
	}
	for (uint32_t c = 0; c < PINS_CLASSES; c++)
		for (struct pins *p = v->free_pins[c], *next; p; p = next) {
			next = p->next;
			g_free(p);
		}
	for (uint32_t g = 0; g < sim->drv.scn->ngpus; g++)
		vgs_vram_fini(&v->gpus[g]);
	g_free(v->t);
	g_free(v->gpus);
	g_free(v);
	sim->vram = NULL;
}
