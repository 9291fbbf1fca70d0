/*
 * Metrics accumulation and final computation.  The driver reports events as they happen; each report
 * is clipped to the measured window W = [w0, w1] = [warmup_ns, warmup_ns + duration_ns] and folded
 * into fixed-size counters (intervals by their overlap with W, point events by their time).  Units are
 * also streamed, one row each, to units.csv, so memory is independent of the run's length.  The output
 * files and the table are in metrics_write.c; every formula is in docs/metrics.md.
 *
 * A few reports carry no time (preempt, units_dropped, backpressure): they are placed at `now_ns`,
 * the latest time any report carried so far.  The driver reports in simulated-time order, so that is
 * the current simulated time to within the last event.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/results/metrics_internal.h"
#include "models/workload/workload.h"

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return UINT64_MAX - a < b ? UINT64_MAX : a + b;
}

char *vgs_metrics_csv_field(const char *s)
{
	size_t n = 0, q = 0;
	char *out, *p;

	if (!s)
		s = "";
	for (const char *c = s; *c; c++, n++)
		if (*c == '"')
			q++;
	if (!strpbrk(s, ",\"\r\n"))
		return strdup(s);
	out = malloc(n + q + 3);
	if (!out)
		return NULL;
	p = out;
	*p++ = '"';
	for (const char *c = s; *c; c++) {
		if (*c == '"')
			*p++ = '"';
		*p++ = *c;
	}
	*p++ = '"';
	*p = '\0';
	return out;
}

/* units.csv rows are formatted into this buffer and written when it fills (a row is < 256 bytes
 * besides the tenant's name). */
#define UNITS_BUF (1u << 16)

static const char *const units_header =
	"tenant,unit,arrival_ns,end_ns,latency_ns,deadline_ns,deadline_missed,measured\n";

struct vgs_metrics *vgs_metrics_new(const struct vgs_scenario *s, const char *dir, struct vgs_error *err)
{
	struct vgs_metrics *m;
	size_t nt = s->ntenants, ne = s->nengines, nd = s->ndomains;

	m = calloc(1, sizeof(*m));
	if (!m)
		goto err_oom;
	m->s = s;
	m->w0 = s->warmup_ns;
	m->w1 = sat_add(s->warmup_ns, s->duration_ns);
	m->t = calloc(nt ? nt : 1, sizeof(*m->t));
	m->e = calloc(ne ? ne : 1, sizeof(*m->e));
	m->d = calloc(nd ? nd : 1, sizeof(*m->d));
	m->g = calloc(s->ngpus ? s->ngpus : 1, sizeof(*m->g));
	m->gv = calloc(s->ngpus ? s->ngpus : 1, sizeof(*m->gv));
	m->gpu_commands = calloc(s->ngpus ? s->ngpus : 1, sizeof(*m->gpu_commands));
	m->tenant_csv_name = calloc(nt ? nt : 1, sizeof(*m->tenant_csv_name));
	m->tenant_csv_len = calloc(nt ? nt : 1, sizeof(*m->tenant_csv_len));
	m->units_buf = malloc(UNITS_BUF);
	m->units_cap = UNITS_BUF;
	if (!m->t || !m->e || !m->d || !m->g || !m->gv || !m->gpu_commands || !m->tenant_csv_name || !m->tenant_csv_len ||
	    !m->units_buf || vgs_metrics_index_build(m))
		goto err_oom;
	for (size_t i = 0; i < nt; i++) {
		vgs_hist_init(&m->t[i].queue_ns, VGS_HIST_GAMMA);
		vgs_hist_init(&m->t[i].latency_ns, VGS_HIST_GAMMA);
		m->t[i].gpu = s->tenants[i].gpu;
		m->tenant_csv_name[i] = vgs_metrics_csv_field(s->tenants[i].name);
		if (!m->tenant_csv_name[i])
			goto err_oom;
		m->tenant_csv_len[i] = (uint32_t)strlen(m->tenant_csv_name[i]);
	}

	size_t len = strlen(dir) + sizeof("/units.csv");
	m->units_path = malloc(len);
	if (!m->units_path)
		goto err_oom;
	snprintf(m->units_path, len, "%s/units.csv", dir);
	m->units_csv = fopen(m->units_path, "w");
	if (!m->units_csv) {
		vgs_error_set(err, "%s: cannot create: %s", m->units_path, strerror(errno));
		goto err_free;
	}
	fputs(units_header, m->units_csv);
	return m;

err_oom:
	vgs_error_set(err, "metrics: out of memory");
err_free:
	vgs_metrics_free(m);
	return NULL;
}

void vgs_metrics_free(struct vgs_metrics *m)
{
	if (!m)
		return;
	if (m->units_csv)
		fclose(m->units_csv);
	free(m->units_buf);
	free(m->units_goff);
	free(m->units_gphys);
	free(m->tenant_csv_len);
	if (m->t)
		for (uint32_t i = 0; i < m->s->ntenants; i++) {
			vgs_hist_fini(&m->t[i].queue_ns);
			vgs_hist_fini(&m->t[i].latency_ns);
		}
	if (m->tenant_csv_name)
		for (uint32_t i = 0; i < m->s->ntenants; i++)
			free(m->tenant_csv_name[i]);
	free(m->tenant_csv_name);
	free(m->units_path);
	vgs_metrics_index_free(&m->ix);
	free(m->busy_t);
	free(m->held_t);
	free(m->x_busy);
	free(m->x_held);
	free(m->t);
	free(m->e);
	free(m->d);
	free(m->g);
	free(m->gv);
	free(m->gpu_commands);
	free(m);
}

/* Reports with an out-of-range index are ignored: metrics never abort a run. */
#define TENANT_OK(m, i) ((i) < (m)->s->ntenants)
#define ENGINE_OK(m, i) ((i) < (m)->s->nengines)
#define DOMAIN_OK(m, i) ((i) < (m)->s->ndomains)

void vgs_metrics_busy(struct vgs_metrics *m, uint32_t tenant, uint32_t engine, uint64_t start_ns, uint64_t end_ns)
{
	uint64_t ns;

	if (!TENANT_OK(m, tenant) || !ENGINE_OK(m, engine))
		return;
	vgs_metrics_advance(m, end_ns);
	ns = vgs_metrics_clip(m, start_ns, end_ns);
	/* A tenant runs on its own GPU's engines, and on those of a live migration's destination. */
	if (m->s->engines[engine].gpu == m->s->tenants[tenant].gpu)
		m->busy_t[m->ix.busy_off[tenant] + m->ix.e_local[engine]] += ns;
	else if (m->ix.x_slot && m->ix.x_slot[tenant] != VGS_METRICS_NO_SLOT)
		m->x_busy[(size_t)m->ix.x_slot[tenant] * m->s->nengines + engine] += ns;
	m->t[tenant].busy_cls_ns[m->s->engines[engine].cls % VGS_NCLASS] += ns;
	m->e[engine].channel_ns += ns;
	if (vgs_metrics_in_window(m, end_ns))
		m->e[engine].pieces++;
}

void vgs_metrics_engine_busy(struct vgs_metrics *m, uint32_t engine, uint64_t start_ns, uint64_t end_ns)
{
	struct vgs_metrics_engine *e;

	if (!ENGINE_OK(m, engine))
		return;
	vgs_metrics_advance(m, end_ns);
	e = &m->e[engine];
	/* Intervals must not overlap; if a driver reports an overlap anyway, count each ns once so
	 * utilisation can never exceed 1. */
	if (start_ns < e->last_end_ns)
		start_ns = e->last_end_ns;
	if (end_ns > start_ns)
		e->busy_ns += vgs_metrics_clip(m, start_ns, end_ns);
	if (end_ns > e->last_end_ns)
		e->last_end_ns = end_ns;
}

void vgs_metrics_cmd_done(struct vgs_metrics *m, uint32_t tenant, uint8_t cls, uint64_t submit_ns,
			  uint64_t start_ns, uint64_t end_ns)
{
	struct vgs_metrics_tenant *t;

	if (!TENANT_OK(m, tenant))
		return;
	vgs_metrics_advance(m, end_ns);
	if (!vgs_metrics_in_window(m, end_ns))
		return;
	t = &m->t[tenant];
	t->commands++;
	m->commands++;
	m->gpu_commands[t->gpu]++;
	vgs_hist_add(&t->queue_ns, start_ns > submit_ns ? start_ns - submit_ns : 0);
}

void vgs_metrics_tenant_moved(struct vgs_metrics *m, uint32_t tenant, uint32_t gpu)
{
	if (TENANT_OK(m, tenant) && gpu < m->s->ngpus)
		m->t[tenant].gpu = gpu;
}

static char *put_char(char *p, char c)
{
	*p = c;
	return p + 1;
}

/* v in decimal at p, two digits at a time; returns the end. */
static char *put_u64(char *p, uint64_t v)
{
	static const char pairs[201] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
				       "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
				       "8081828384858687888990919293949596979899";
	char tmp[20], *e = tmp + sizeof(tmp), *q = e;

	while (v >= 100) {
		unsigned r = (unsigned)(v % 100);

		v /= 100;
		q -= 2;
		q[0] = pairs[2 * r];
		q[1] = pairs[2 * r + 1];
	}
	if (v >= 10) {
		q -= 2;
		q[0] = pairs[2 * v];
		q[1] = pairs[2 * v + 1];
	} else {
		*--q = (char)('0' + v);
	}
	memcpy(p, q, (size_t)(e - q));
	return p + (e - q);
}

void vgs_metrics_units_flush(struct vgs_metrics *m)
{
	if (m->units_csv && m->units_len && fwrite(m->units_buf, 1, m->units_len, m->units_csv) != m->units_len)
		m->units_io_error = true;
	m->units_len = 0;
	m->units_gn = 0;
}

/* Room in the buffer for a row of up to `need` bytes: the rows before the current group are written
 * (the group may still be reordered), the group moved to the front, the buffer grown if still short.
 * false when out of memory (the row is then not listed: units_io_error). */
static bool units_room(struct vgs_metrics *m, size_t need)
{
	size_t g0 = m->units_gn ? m->units_goff[0] : m->units_len;

	if (m->units_len + need <= m->units_cap)
		return true;
	if (g0 && m->units_csv && fwrite(m->units_buf, 1, g0, m->units_csv) != g0)
		m->units_io_error = true;
	memmove(m->units_buf, m->units_buf + g0, m->units_len - g0);
	m->units_len -= g0;
	for (size_t k = 0; k < m->units_gn; k++)
		m->units_goff[k] -= g0;
	if (m->units_len + need > m->units_cap) {
		size_t cap = 2 * (m->units_len + need);
		char *b = realloc(m->units_buf, cap);

		if (!b)
			return false;
		m->units_buf = b;
		m->units_cap = cap;
	}
	return true;
}

/* The row just formatted at units_buf[start, units_len) joins the group of its end time, after the
 * group's rows of lower or equal physical GPU index: units that end at the same ns are listed by
 * physical GPU, then in the order they ended, whatever the order the GPUs' events ran in within the
 * instant -- the order a merge of shards reproduces (vgs_metrics_units_merge). */
static void units_group(struct vgs_metrics *m, size_t start, uint64_t end_ns, uint32_t phys)
{
	size_t j, len = m->units_len - start;

	if (m->units_gn && m->units_gns != end_ns)
		m->units_gn = 0;
	if (m->units_gn == m->units_gcap) {
		size_t cap = m->units_gcap ? 2 * m->units_gcap : 64;
		size_t *off = realloc(m->units_goff, cap * sizeof(*off));

		if (off)
			m->units_goff = off;
		uint32_t *ph = off ? realloc(m->units_gphys, cap * sizeof(*ph)) : NULL;

		if (!ph) { /* out of memory: the rows so far stay as they are */
			m->units_gn = 0;
			m->units_io_error = true;
			return;
		}
		m->units_gphys = ph;
		m->units_gcap = cap;
	}
	m->units_gns = end_ns;
	for (j = m->units_gn; j > 0 && m->units_gphys[j - 1] > phys; j--)
		;
	if (j < m->units_gn) {
		/* rotate the row in front of the rows of higher physical GPUs */
		size_t at = m->units_goff[j];
		char tmp[512], *row = len <= sizeof(tmp) ? tmp : malloc(len);

		if (!row) {
			m->units_io_error = true;
			return;
		}
		memcpy(row, m->units_buf + start, len);
		memmove(m->units_buf + at + len, m->units_buf + at, start - at);
		memcpy(m->units_buf + at, row, len);
		if (row != tmp)
			free(row);
		memmove(&m->units_goff[j + 1], &m->units_goff[j], (m->units_gn - j) * sizeof(*m->units_goff));
		memmove(&m->units_gphys[j + 1], &m->units_gphys[j], (m->units_gn - j) * sizeof(*m->units_gphys));
		for (size_t k = j + 1; k <= m->units_gn; k++)
			m->units_goff[k] += len;
		start = at;
	}
	m->units_goff[j] = start;
	m->units_gphys[j] = phys;
	m->units_gn++;
}

void vgs_metrics_unit_done(struct vgs_metrics *m, uint32_t tenant, uint64_t unit, uint64_t arrival_ns,
			   uint64_t end_ns, uint64_t deadline_ns)
{
	struct vgs_metrics_tenant *t;
	uint64_t lat;
	bool has_deadline = deadline_ns != VGS_NO_TIME;
	bool missed = has_deadline && end_ns > deadline_ns;
	bool inw;

	if (!TENANT_OK(m, tenant))
		return;
	vgs_metrics_advance(m, end_ns);
	inw = vgs_metrics_in_window(m, end_ns);
	lat = (arrival_ns != VGS_NO_TIME && end_ns > arrival_ns) ? end_ns - arrival_ns : 0;
	if (m->units_csv) {
		/* One row per unit: formatted by hand into a buffer (fprintf was a fifth of a cloudgame run). */
		uint32_t nlen = m->tenant_csv_len[tenant];
		size_t start;
		char *p;

		if (!units_room(m, nlen + 160)) {
			m->units_io_error = true;
			goto counted;
		}
		start = m->units_len;
		p = m->units_buf + m->units_len;
		memcpy(p, m->tenant_csv_name[tenant], nlen);
		p += nlen;
		p = put_u64(put_char(p, ','), unit);
		p = put_char(p, ',');
		if (arrival_ns != VGS_NO_TIME)
			p = put_u64(p, arrival_ns);
		p = put_u64(put_char(p, ','), end_ns);
		p = put_char(put_u64(put_char(p, ','), lat), ',');
		if (has_deadline)
			p = put_char(put_char(put_u64(p, deadline_ns), ','), missed ? '1' : '0');
		else
			p = put_char(p, ',');
		p = put_char(put_char(put_char(p, ','), inw ? '1' : '0'), '\n');
		m->units_len = (size_t)(p - m->units_buf);
		units_group(m, start, end_ns, m->s->gpus[m->s->tenants[tenant].gpu].phys);
	}
counted:
	if (!inw)
		return;
	t = &m->t[tenant];
	t->units++;
	m->units++;
	vgs_hist_add(&t->latency_ns, lat);
	if (missed) {
		t->deadline_misses++;
		m->deadline_misses++;
	}
}

void vgs_metrics_watch_clock(struct vgs_metrics *m, const uint64_t *clock_ns)
{
	m->clock_ns = clock_ns;
}

/*
 * A shard (vgs_metrics_watch_clock): an untimed report is placed at now_ns, the latest time this
 * shard reported, where a one-shard run places it at the latest time any GPU reported: somewhere in
 * [now_ns, clock].  Whether it counts (in_window) is the same wherever it lies there unless that
 * interval reaches across a window edge.
 */
static void straddle_window(struct vgs_metrics *m)
{
	uint64_t a = m->now_ns, b;

	if (!m->clock_ns || (b = *m->clock_ns) <= a)
		return;
	if (!((vgs_metrics_in_window(m, a) && vgs_metrics_in_window(m, b)) || b < m->w0 || a > m->w1))
		m->straddle = true;
}

static uint64_t blocked_in_window(const struct vgs_metrics *m, uint64_t end, uint64_t blocked_ns)
{
	return vgs_metrics_clip(m, end > blocked_ns ? end - blocked_ns : 0, end);
}

/* The same for a blocked interval ending at the placed time: its clipped length is linear between
 * the edges it may cross (w0, w1, each + blocked_ns, and blocked_ns itself), so it is the same all over
 * [now_ns, clock] when it is at both ends and no edge lies inside. */
static void straddle_blocked(struct vgs_metrics *m, uint64_t blocked_ns)
{
	uint64_t a = m->now_ns, b, edges[5] = { m->w0, m->w1, sat_add(m->w0, blocked_ns), sat_add(m->w1, blocked_ns),
					   blocked_ns };

	if (!m->clock_ns || (b = *m->clock_ns) <= a)
		return;
	if (blocked_in_window(m, a, blocked_ns) != blocked_in_window(m, b, blocked_ns))
		m->straddle = true;
	for (int k = 0; k < 5; k++)
		if (edges[k] > a && edges[k] < b)
			m->straddle = true;
}

void vgs_metrics_units_generated(struct vgs_metrics *m, uint32_t tenant, uint64_t end_ns, uint64_t n)
{
	if (TENANT_OK(m, tenant) && vgs_metrics_in_window(m, end_ns))
		m->t[tenant].gen_units += n;
}

void vgs_metrics_units_dropped(struct vgs_metrics *m, uint32_t tenant, uint64_t n)
{
	if (n)
		straddle_window(m);
	if (TENANT_OK(m, tenant) && vgs_metrics_in_window(m, m->now_ns))
		m->t[tenant].dropped_units += n;
}

void vgs_metrics_slice(struct vgs_metrics *m, uint32_t domain, uint32_t tenant, uint64_t start_ns,
		       uint64_t end_ns, int reason)
{
	uint64_t ns;

	if (!TENANT_OK(m, tenant) || !DOMAIN_OK(m, domain))
		return;
	vgs_metrics_advance(m, end_ns);
	ns = vgs_metrics_clip(m, start_ns, end_ns);
	if (m->s->domains[domain].gpu == m->s->tenants[tenant].gpu)
		m->held_t[m->ix.held_off[tenant] + m->ix.d_local[domain]] += ns;
	else if (m->ix.x_slot && m->ix.x_slot[tenant] != VGS_METRICS_NO_SLOT)
		m->x_held[(size_t)m->ix.x_slot[tenant] * m->s->ndomains + domain] += ns;
	m->d[domain].held_ns += ns;
	if (vgs_metrics_in_window(m, end_ns) && reason >= 0 && reason < VGS_CHARGE_NREASONS) {
		m->t[tenant].slices[reason]++;
		m->d[domain].slices[reason]++;
	}
}

void vgs_metrics_switch(struct vgs_metrics *m, uint32_t domain, uint32_t to, uint64_t start_ns, uint64_t end_ns)
{
	uint64_t ns;

	if (!DOMAIN_OK(m, domain))
		return;
	vgs_metrics_advance(m, end_ns);
	ns = vgs_metrics_clip(m, start_ns, end_ns);
	m->d[domain].switch_ns += ns;
	if (vgs_metrics_in_window(m, end_ns))
		m->d[domain].switches++;
	if (TENANT_OK(m, to)) {
		m->t[to].switch_ns += ns;
		if (vgs_metrics_in_window(m, end_ns))
			m->t[to].switches++;
	}
}

void vgs_metrics_preempt(struct vgs_metrics *m, uint32_t tenant, uint32_t engine)
{
	straddle_window(m);
	if (!vgs_metrics_in_window(m, m->now_ns))
		return;
	if (TENANT_OK(m, tenant))
		m->t[tenant].preemptions++;
	if (ENGINE_OK(m, engine))
		m->e[engine].preemptions++;
}

void vgs_metrics_reset(struct vgs_metrics *m, uint32_t tenant, uint32_t engine, uint64_t at_ns, uint64_t dropped)
{
	vgs_metrics_advance(m, at_ns);
	if (!vgs_metrics_in_window(m, at_ns))
		return;
	if (TENANT_OK(m, tenant)) {
		m->t[tenant].resets++;
		m->t[tenant].reset_dropped += dropped;
	}
	if (ENGINE_OK(m, engine))
		m->e[engine].resets++;
}

void vgs_metrics_backpressure(struct vgs_metrics *m, uint32_t tenant, uint64_t blocked_ns)
{
	/* Reported when the submitter unblocks: the blocked interval ends at now_ns. */
	straddle_blocked(m, blocked_ns);
	if (TENANT_OK(m, tenant))
		m->t[tenant].backpressure_ns += blocked_in_window(m, m->now_ns, blocked_ns);
}

void vgs_metrics_engine_energy(struct vgs_metrics *m, uint32_t engine, double joules)
{
	if (ENGINE_OK(m, engine) && isfinite(joules))
		m->e[engine].energy_j += joules;
}

uint64_t vgs_metrics_commands(const struct vgs_metrics *m)
{
	return m->commands;
}

static double ratio(double num, double den)
{
	return den > 0 ? num / den : NAN;
}

static void finish_tenants(struct vgs_metrics *m)
{
	const struct vgs_scenario *s = m->s;
	const struct vgs_metrics_index *ix = &m->ix;
	uint64_t *wsum_g = calloc(s->ngpus + 1, sizeof(*wsum_g));

	/* sum_{j on g} w_j, once per GPU */
	for (uint32_t j = 0; wsum_g && j < s->ntenants; j++)
		wsum_g[s->tenants[j].gpu < s->ngpus ? s->tenants[j].gpu : s->ngpus] +=
			s->tenants[j].weight ? s->tenants[j].weight : 1;
	for (uint32_t i = 0; i < s->ntenants; i++) {
		struct vgs_metrics_tenant *t = &m->t[i];
		const struct vgs_tenant *st = &s->tenants[i];
		uint32_t g = st->gpu < s->ngpus ? st->gpu : s->ngpus;
		uint64_t held = 0, den = 0, wsum = wsum_g ? wsum_g[g] : 0;

		/* share_i = sum_{d on i's GPU} held_{i,d} / sum_{d on i's GPU} sum_j held_{j,d} */
		for (uint32_t k = ix->d_start[g]; k < ix->d_start[g + 1]; k++) {
			held += m->held_t[ix->held_off[i] + (k - ix->d_start[g])];
			den += m->d[ix->d_list[k]].held_ns;
		}
		/* ... and the domains of the GPUs a live migration took it to (docs/pools.md) */
		if (ix->x_slot && ix->x_slot[i] != VGS_METRICS_NO_SLOT) {
			const uint64_t *xh = &m->x_held[(size_t)ix->x_slot[i] * s->ndomains];

			for (uint32_t d = 0; d < s->ndomains; d++) {
				if (s->domains[d].gpu == st->gpu || !xh[d])
					continue;
				held += xh[d];
				den += m->d[d].held_ns;
			}
		}
		/* target_i = w_i / sum_{j on i's GPU} w_j */
		t->held_ns = held;
		t->share = den ? (double)held / (double)den : 0.0;
		t->target = wsum ? (double)(st->weight ? st->weight : 1) / (double)wsum : 0.0;
		t->share_error = t->share - t->target;

		t->unit_rate = ratio((double)t->units, m->duration_s);
		t->shown_rate = ratio((double)(t->units + t->gen_units), m->duration_s);
		t->sla_rate_set = st->sla.fps > 0;
		t->sla_rate_met = t->sla_rate_set && t->unit_rate >= 0.99 * st->sla.fps;

		t->q_mean = vgs_hist_mean(&t->queue_ns);
		t->q_p50 = vgs_hist_quantile(&t->queue_ns, 0.50);
		t->q_p95 = vgs_hist_quantile(&t->queue_ns, 0.95);
		t->q_p99 = vgs_hist_quantile(&t->queue_ns, 0.99);
		t->q_max = t->queue_ns.count ? (double)t->queue_ns.max : NAN;
		t->l_mean = vgs_hist_mean(&t->latency_ns);
		t->l_p50 = vgs_hist_quantile(&t->latency_ns, 0.50);
		t->l_p95 = vgs_hist_quantile(&t->latency_ns, 0.95);
		t->l_p99 = vgs_hist_quantile(&t->latency_ns, 0.99);
		t->l_max = t->latency_ns.count ? (double)t->latency_ns.max : NAN;
		t->sla_latency_set = st->sla.latency_ns > 0;
		t->sla_latency_met = t->sla_latency_set && t->latency_ns.count > 0 &&
				     t->l_p99 <= (double)st->sla.latency_ns;

		t->unit_name = st->workload ? vgs_workload_unit_name(st->workload) : "unit";
		if (!t->unit_name)
			t->unit_name = "unit";
		t->energy_j = 0.0;
	}
	free(wsum_g);
}

static void finish_engines(struct vgs_metrics *m)
{
	const struct vgs_scenario *s = m->s;
	const struct vgs_metrics_index *ix = &m->ix;
	double util_sum = 0.0;

	m->energy_j = 0.0;
	m->energy_unattributed_j = 0.0;
	for (uint32_t e = 0; e < s->nengines; e++) {
		struct vgs_metrics_engine *en = &m->e[e];
		uint32_t g = s->engines[e].gpu < s->ngpus ? s->engines[e].gpu : s->ngpus, el = ix->e_local[e];
		uint64_t den = 0;

		en->commands = en->pieces > en->preemptions ? en->pieces - en->preemptions : 0;
		en->utilisation = m->duration_s > 0 ? (double)en->busy_ns / (double)m->window_ns : NAN;
		if (isfinite(en->utilisation))
			util_sum += en->utilisation;
		m->energy_j += en->energy_j;
		/* energy_{i} += E_e * busy_{i,e} / sum_j busy_{j,e}, over the tenants of e's GPU */
		for (uint32_t k = ix->t_start[g]; k < ix->t_start[g + 1]; k++)
			den += m->busy_t[ix->busy_off[ix->t_list[k]] + el];
		/* ... and the tenants a live migration may have brought to e's GPU */
		for (uint32_t x = 0; x < ix->nx; x++)
			den += m->x_busy[(size_t)x * s->nengines + e];
		if (!den) {
			m->energy_unattributed_j += en->energy_j;
			continue;
		}
		for (uint32_t k = ix->t_start[g]; k < ix->t_start[g + 1]; k++) {
			uint32_t i = ix->t_list[k];
			uint64_t b = m->busy_t[ix->busy_off[i] + el];
			if (b)
				m->t[i].energy_j += en->energy_j * (double)b / (double)den;
		}
		for (uint32_t x = 0; x < ix->nx; x++) {
			uint64_t b = m->x_busy[(size_t)x * s->nengines + e];

			if (b)
				m->t[ix->x_list[x]].energy_j += en->energy_j * (double)b / (double)den;
		}
	}
	m->utilisation = s->nengines ? util_sum / s->nengines : NAN;
}

static void finish_gpus(struct vgs_metrics *m)
{
	const struct vgs_scenario *s = m->s;
	const struct vgs_metrics_index *ix = &m->ix;
	uint32_t ncls[VGS_NCLASS];

	m->switch_ns = 0;
	for (uint32_t d = 0; d < s->ndomains; d++) {
		struct vgs_metrics_domain *dm = &m->d[d];
		dm->idle_ns = (int64_t)m->window_ns - (int64_t)dm->held_ns - (int64_t)dm->switch_ns;
		m->switch_ns += dm->switch_ns;
	}
	m->switch_pct = ratio(100.0 * (double)m->switch_ns, (double)s->ndomains * (double)m->window_ns);

	for (uint32_t gi = 0; gi < s->ngpus; gi++) {
		struct vgs_metrics_gpu *g = &m->g[gi];
		double usum = 0.0, ucls[VGS_NCLASS] = { 0 };

		memset(g, 0, sizeof(*g));
		memset(ncls, 0, sizeof(ncls));
		for (uint32_t k = ix->e_start[gi]; k < ix->e_start[gi + 1]; k++) {
			uint32_t e = ix->e_list[k];
			uint8_t c = s->engines[e].cls % VGS_NCLASS;
			double u = isfinite(m->e[e].utilisation) ? m->e[e].utilisation : 0.0;
			g->nengines++;
			usum += u;
			ucls[c] += u;
			ncls[c]++;
			g->energy_j += m->e[e].energy_j;
		}
		g->commands = m->gpu_commands[gi];
		g->utilisation = g->nengines && m->duration_s > 0 ? usum / g->nengines : NAN;
		for (int c = 0; c < VGS_NCLASS; c++)
			g->util_cls[c] = ncls[c] && m->duration_s > 0 ? ucls[c] / ncls[c] : NAN;
		for (uint32_t k = ix->d_start[gi]; k < ix->d_start[gi + 1]; k++) {
			g->ndomains++;
			g->switch_ns += m->d[ix->d_list[k]].switch_ns;
		}
		/* switch overhead % = 100 * sum_{d on g} switch_d / (ndomains_g * duration) */
		g->switch_pct = ratio(100.0 * (double)g->switch_ns, (double)g->ndomains * (double)m->window_ns);
	}
}

/* Jain's index on x_i = share_i / target_i: (sum x)^2 / (n sum x^2); NaN when every x is 0. */
static double jain(const struct vgs_metrics *m)
{
	double sx = 0.0, sxx = 0.0;
	uint32_t n = m->s->ntenants;

	for (uint32_t i = 0; i < n; i++) {
		double x = m->t[i].target > 0 ? m->t[i].share / m->t[i].target : 0.0;
		sx += x;
		sxx += x * x;
	}
	return (n && sxx > 0) ? (sx * sx) / ((double)n * sxx) : NAN;
}

void vgs_metrics_set_wall(struct vgs_metrics *m, double finish_s, double command_s)
{
	m->info.wall_finish_s = finish_s;
	m->info.wall_command_s = command_s;
}

void vgs_metrics_finish(struct vgs_metrics *m, const struct vgs_run_info *info)
{
	if (info)
		m->info = *info;
	/* A partial run (interrupted) measured W up to where it stopped: its rates use that. */
	if (info && info->partial && info->end_ns < m->w1)
		m->w1 = info->end_ns > m->w0 ? info->end_ns : m->w0;
	m->window_ns = m->w1 - m->w0;
	m->duration_s = (double)m->window_ns / 1e9;
	m->warmup_s = (double)m->s->warmup_ns / 1e9;
	finish_tenants(m);
	finish_engines(m);
	finish_gpus(m);
	vgs_metrics_vram_finish(m);
	m->jain = jain(m);
	m->finished = true;
}
