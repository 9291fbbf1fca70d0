/*
 * VRAM metrics (docs/metrics.md, "VRAM"): per tenant the resident level over time (peak and
 * time-weighted average over the measured window W), faults, evictions, bytes migrated, time stalled
 * on migrations, commands killed by faults and isolation violations; per GPU the fragmentation and
 * VRAM in use.  Point events count when their time lies in W, intervals by their overlap with W, as
 * everywhere in models/results/metrics.c.
 */
#include "models/results/metrics_internal.h"

#define TENANT_OK(m, i) ((i) < (m)->s->ntenants)

/* The level held over [since, until]: its share of the average, and the peak if it was held in W. */
static void level_close(struct vgs_metrics *m, struct vgs_metrics_tenant *t, uint64_t until_ns)
{
	uint64_t ns = vgs_metrics_clip(m, t->vram_since_ns, until_ns);

	t->vram_byte_ns += (double)t->vram_level * (double)ns;
	/* Held at some instant of W: [since, until] meets [w0, w1]. */
	if (t->vram_since_ns <= m->w1 && until_ns >= m->w0 && t->vram_level > t->vram_peak)
		t->vram_peak = t->vram_level;
}

void vgs_metrics_vram_level(struct vgs_metrics *m, uint32_t tenant, uint64_t at_ns, uint64_t bytes)
{
	struct vgs_metrics_tenant *t;

	if (!TENANT_OK(m, tenant))
		return;
	vgs_metrics_advance(m, at_ns);
	t = &m->t[tenant];
	if (bytes == t->vram_level)
		return;
	level_close(m, t, at_ns);
	t->vram_level = bytes;
	t->vram_since_ns = at_ns;
}

void vgs_metrics_vram_events(struct vgs_metrics *m, uint32_t tenant, uint64_t at_ns, uint64_t faults,
			     uint64_t invalid, uint64_t evictions, uint64_t migrated, uint64_t alloc_failures)
{
	struct vgs_metrics_tenant *t;

	if (!TENANT_OK(m, tenant))
		return;
	vgs_metrics_advance(m, at_ns);
	if (!vgs_metrics_in_window(m, at_ns))
		return;
	t = &m->t[tenant];
	t->page_faults += faults;
	t->invalid_faults += invalid;
	t->evictions += evictions;
	t->migrated_bytes += migrated;
	t->alloc_failures += alloc_failures;
}

void vgs_metrics_vram_stall(struct vgs_metrics *m, uint32_t tenant, uint64_t start_ns, uint64_t end_ns)
{
	if (!TENANT_OK(m, tenant))
		return;
	vgs_metrics_advance(m, end_ns);
	m->t[tenant].fault_stall_ns += vgs_metrics_clip(m, start_ns, end_ns);
}

void vgs_metrics_vram_kill(struct vgs_metrics *m, uint32_t tenant, uint64_t at_ns)
{
	if (!TENANT_OK(m, tenant))
		return;
	vgs_metrics_advance(m, at_ns);
	if (!vgs_metrics_in_window(m, at_ns))
		return;
	m->t[tenant].fault_kills++;
	m->t[tenant].reset_dropped++;
}

void vgs_metrics_vram_violations(struct vgs_metrics *m, uint32_t tenant, uint64_t n)
{
	if (TENANT_OK(m, tenant))
		m->t[tenant].isolation_violations += n;
}

void vgs_metrics_gpu_vram(struct vgs_metrics *m, uint32_t gpu, double fragmentation, uint64_t used_bytes,
			  uint64_t used_peak_bytes)
{
	if (gpu >= m->s->ngpus)
		return;
	m->gv[gpu].fragmentation = fragmentation;
	m->gv[gpu].used_bytes = used_bytes;
	m->gv[gpu].used_peak_bytes = used_peak_bytes;
}

void vgs_metrics_vram_finish(struct vgs_metrics *m)
{
	m->isolation_violations = 0;
	for (uint32_t i = 0; i < m->s->ntenants; i++) {
		struct vgs_metrics_tenant *t = &m->t[i];

		/* avg = integral over W of the level / duration */
		level_close(m, t, m->w1);
		t->vram_since_ns = m->w1; /* closed: a second finish adds nothing */
		t->vram_avg = m->window_ns ? t->vram_byte_ns / (double)m->window_ns : 0.0;
		m->isolation_violations += t->isolation_violations;
	}
}
