/*
 * drm - the Linux DRM GPU scheduler's entity selection (drivers/gpu/drm/scheduler/, sched_main.c and
 * sched_rq.c): one vGPU is one drm_sched_entity, one scheduling domain one drm_gpu_scheduler (a ring;
 * the drm presets use domain = "engine").  Three modes, after the kernel's drm_sched_policy:
 *
 *   fifo  DRM_SCHED_POLICY_FIFO (drm_sched_rq_select_entity_fifo): the ready entity whose oldest job
 *         was submitted first (vgs_vgpu.oldest_submit_ns; ties: lower id).
 *   rr    DRM_SCHED_POLICY_RR (drm_sched_rq_select_entity_rr): the first ready entity after the one
 *         picked last, in id order, wrapping.
 *   fair  the fair policy (sched_rq.c, drm_sched_entity_update_vruntime, "drm/sched: Add fair
 *         scheduling policy", Tvrtko Ursulin, 2025): each entity has a virtual runtime; the ready entity
 *         with the least runs next (ties: lower id), and its GPU time is added shifted by its priority:
 *
 *             vruntime += gpu_time << shift[prio],  shift = { KERNEL 1, HIGH 2, NORMAL 4, LOW 7 }  (1)
 *
 *         so a HIGH entity's vruntime grows 4x slower than a NORMAL one's and it gets 4x the time
 *         while both are busy.  An entity that leaves the run queue (no job) keeps its distance to the
 *         queue's min_vruntime (drm_sched_entity_save_vruntime: vruntime - min_vruntime, or 0 when it
 *         was not ahead); when it comes back it is placed at min_vruntime + that distance
 *         (drm_sched_entity_restore_vruntime): idling earns no credit.
 *
 * Priorities (vgs_vgpu.priority, larger = more important) map to drm_sched_priority:
 *   >= 2 KERNEL, 1 HIGH, 0 NORMAL, <= -1 LOW.
 * fifo and rr serve the run queues in strict priority order (drm_sched_select_entity walks
 * sched_rq[KERNEL..LOW] and takes the first that has a ready entity); fair has one queue and uses (1).
 *
 * Turns.  drm_sched pushes one job per selection to the ring and selects again, so by default a pick
 * owns the domain for one dispatch (job_us = 0: a 1 ns slice; the commands it started finish under
 * command-granularity preemption, then the next selection).  job_us > 0 instead lets the owner keep
 * the ring that long.  Picks and charges are O(N).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policies/vgs_policy.h"

#define DRM_JOB_MAX_US 60000000ull	/* 60 s */
#define DRM_NONE UINT32_MAX

enum drm_mode { DRM_FIFO, DRM_RR, DRM_FAIR };
enum drm_prio { DRM_PRIO_KERNEL, DRM_PRIO_HIGH, DRM_PRIO_NORMAL, DRM_PRIO_LOW };

/* drm_sched_entity_update_vruntime(): the shift by priority, (1). */
static const unsigned drm_vruntime_shift[] = {
	[DRM_PRIO_KERNEL] = 1,
	[DRM_PRIO_HIGH] = 2,
	[DRM_PRIO_NORMAL] = 4,
	[DRM_PRIO_LOW] = 7,
};

struct drm_sched {
	enum drm_mode mode;
	uint64_t job_ns;		/* 0: one dispatch */
	uint32_t last;			/* rr: id picked last */
	uint64_t min_vruntime;		/* fair */
};

struct drm_vgpu {
	uint64_t vruntime;		/* fair: absolute while queued, relative to min_vruntime while not */
	bool queued;			/* fair: in the run queue (vruntime absolute) */
};

static const struct vgs_policy_param drm_params[] = {
	{ "mode", "fair", "fifo, rr or fair (drm_sched entity selection: DRM_SCHED_POLICY_FIFO, _RR, the fair policy)" },
	{ "job_us", "0", "how long a pick keeps the ring, in us, 0..60000000; 0 = one dispatch (drm_sched pushes one job per selection)" },
	{ NULL, NULL, NULL },
};

static enum drm_prio drm_prio_of(const struct vgs_vgpu *v)
{
	return v->priority >= 2 ? DRM_PRIO_KERNEL : v->priority == 1 ? DRM_PRIO_HIGH :
	       v->priority == 0 ? DRM_PRIO_NORMAL : DRM_PRIO_LOW;
}

static int drm_init(struct vgs_sched *s)
{
	struct drm_sched *ds = calloc(1, sizeof(*ds));

	if (!ds)
		return -ENOMEM;
	ds->mode = DRM_FAIR;
	ds->last = DRM_NONE;
	s->priv = ds;
	return 0;
}

static int drm_set_param(struct vgs_sched *s, const char *key, const char *value)
{
	struct drm_sched *ds = s->priv;
	uint64_t x;
	int ret;

	if (strcmp(key, "mode") == 0) {
		if (strcmp(value, "fifo") == 0)
			ds->mode = DRM_FIFO;
		else if (strcmp(value, "rr") == 0)
			ds->mode = DRM_RR;
		else if (strcmp(value, "fair") == 0)
			ds->mode = DRM_FAIR;
		else
			return -EINVAL;
		return 0;
	}
	if (strcmp(key, "job_us") == 0) {
		ret = vgs_param_u64(value, 0, DRM_JOB_MAX_US, &x);
		if (!ret)
			ds->job_ns = x * 1000;
		return ret;
	}
	return -ENOENT;
}

static int drm_add_vgpu(struct vgs_sched *s, struct vgs_vgpu *v)
{
	struct drm_vgpu *dv = calloc(1, sizeof(*dv));

	if (!dv)
		return -ENOMEM;
	v->priv = dv;	/* relative vruntime 0: joins level with the queue's minimum */
	return 0;
}

static void drm_remove_vgpu(struct vgs_sched *s, struct vgs_vgpu *v)
{
	free(v->priv);
	v->priv = NULL;
}

/* a before b in virtual time, wrap-safe */
static bool drm_before(uint64_t a, uint64_t b)
{
	return (int64_t)(a - b) < 0;
}

/*
 * fair: bring the run queue up to date at a decision point.  Entities in the queue that have no job
 * any more leave it (save: keep their lead over min_vruntime), entities with a job that are not in it
 * join (restore: min_vruntime + saved lead).  min_vruntime follows the least vruntime in the queue and
 * never goes back.  Done lazily here rather than in runnable()/idle(), which the loop does not call for
 * the current owner.
 */
static void drm_sync(struct vgs_sched *s)
{
	struct drm_sched *ds = s->priv;
	const struct drm_vgpu *least = NULL;

	for (uint32_t i = 0; i < s->nvgpus; i++) {
		const struct drm_vgpu *dv = s->vgpus[i]->priv;

		if (dv->queued && (!least || drm_before(dv->vruntime, least->vruntime)))
			least = dv;
	}
	if (least && drm_before(ds->min_vruntime, least->vruntime))
		ds->min_vruntime = least->vruntime;
	for (uint32_t i = 0; i < s->nvgpus; i++) {
		struct vgs_vgpu *v = s->vgpus[i];
		struct drm_vgpu *dv = v->priv;

		if (dv->queued && !v->runnable) {
			dv->vruntime = drm_before(ds->min_vruntime, dv->vruntime) ? dv->vruntime - ds->min_vruntime : 0;
			dv->queued = false;
		} else if (!dv->queued && v->runnable) {
			dv->vruntime += ds->min_vruntime;
			dv->queued = true;
		}
	}
}

/* Is a a better pick than b (b may be NULL)? */
static bool drm_better(const struct drm_sched *ds, const struct vgs_vgpu *a, const struct vgs_vgpu *b,
		       uint32_t n)
{
	uint32_t ra, rb;

	if (!b)
		return true;
	if (ds->mode == DRM_FAIR)
		return drm_before(((struct drm_vgpu *)a->priv)->vruntime, ((struct drm_vgpu *)b->priv)->vruntime);
	if (drm_prio_of(a) != drm_prio_of(b))
		return drm_prio_of(a) < drm_prio_of(b);
	if (ds->mode == DRM_FIFO)
		return a->oldest_submit_ns < b->oldest_submit_ns;
	/* rr: distance after the last pick, in id order */
	ra = (a->id + n - (ds->last == DRM_NONE ? n - 1 : ds->last) - 1) % n;
	rb = (b->id + n - (ds->last == DRM_NONE ? n - 1 : ds->last) - 1) % n;
	return ra < rb;
}

static struct vgs_vgpu *drm_pick_next(struct vgs_sched *s, uint64_t now_ns, uint64_t *slice_ns)
{
	struct drm_sched *ds = s->priv;
	struct vgs_vgpu *best = NULL;

	if (ds->mode == DRM_FAIR)
		drm_sync(s);
	for (uint32_t i = 0; i < s->nvgpus; i++)
		if (s->vgpus[i]->runnable && drm_better(ds, s->vgpus[i], best, s->nvgpus))
			best = s->vgpus[i];
	if (!best) {
		*slice_ns = 0;
		return NULL;
	}
	ds->last = best->id;
	*slice_ns = ds->job_ns ? ds->job_ns : 1;
	return best;
}

static void drm_charge(struct vgs_sched *s, struct vgs_vgpu *v, uint64_t ran_ns, uint64_t now_ns,
		       enum vgs_charge_reason reason)
{
	struct drm_sched *ds = s->priv;
	struct drm_vgpu *dv = v->priv;

	if (ds->mode != DRM_FAIR)
		return;
	/* v was queued when picked: its vruntime is absolute until the next drm_sync(). */
	dv->vruntime += ran_ns << drm_vruntime_shift[drm_prio_of(v)];
}

const struct vgs_policy_ops vgs_policy_drm = {
	.name = "drm",
	.summary = "Linux drm_sched entity selection, one job per pick: fifo, rr, or fair (vruntime shifted by priority)",
	.params = drm_params,
	.init = drm_init,
	.fini = vgs_sched_free_priv,
	.set_param = drm_set_param,
	.add_vgpu = drm_add_vgpu,
	.remove_vgpu = drm_remove_vgpu,
	.pick_next = drm_pick_next,
	.charge = drm_charge,
};
