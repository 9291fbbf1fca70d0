/*
 * Tenant mixes (models/pool/pool.h): what the command-level simulator is asked about a GPU of the pool.
 *
 *   the mix           a gpus entry (or one MIG instance profile of it) and the request classes of its
 *                     tenants, sorted: "e0:-:0,0,3" is two tenants of class 0 and one of class 3 on a
 *                     time-sliced GPU of the first gpus entry;
 *   its scenario      one GPU of that profile, the scenario's scheduler, one vgpus entry per class
 *                     (c0, c1, ...: the class's keys, count = its tenants), simulation = pool.mix and the
 *                     scenario's seed, written by vgs_mix_scenario();
 *   its cache key     SHA-256 of that text and VGS_MIX_FORMAT: every number the run depends on is in the
 *                     text (the GPU profile with its includes expanded, the scheduler and its parameters,
 *                     the workloads, the durations and seed), and nothing else -- the placement policy,
 *                     the arrivals, the other GPUs are not -- so every run of every placement policy, and
 *                     a second `vgpusim pool`, reuses it;
 *   its results       per class: unit rate, latency p50/p99, SLA attainment (the share of its SLA
 *                     windows in which its SLA held, vgs_window_sla_met), busy time per engine class and
 *                     energy per second; the GPU's power and load; read from the run's results directory
 *                     and kept as <cache>/<key>.mix, key = value lines.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "models/pool/pool.h"
#include "models/results/metering.h"
#include "models/results/results.h"
#include "models/results/units.h"

char *vgs_mix_name(const struct vgs_mix *m)
{
	GString *s = g_string_new(NULL);

	g_string_printf(s, "e%u:", m->entry);
	if (m->mig >= 0)
		g_string_append_printf(s, "%d:", m->mig);
	else
		g_string_append(s, "-:");
	for (uint32_t i = 0; i < m->n; i++)
		g_string_append_printf(s, "%s%u", i ? "," : "", m->cls[i]);
	return g_string_free(s, FALSE);
}

struct vgs_mix *vgs_mix_copy(const struct vgs_mix *m)
{
	struct vgs_mix *c = g_new0(struct vgs_mix, 1);

	*c = *m;
	c->cls = g_memdup2(m->cls, (m->n ? m->n : 1) * sizeof(*m->cls));
	return c;
}

void vgs_mix_free(struct vgs_mix *m)
{
	if (!m)
		return;
	g_free(m->cls);
	g_free(m);
}

/* The distinct classes of m in order, with their counts; returns how many. */
static uint32_t mix_groups(const struct vgs_mix *m, uint32_t *cls, uint32_t *count)
{
	uint32_t k = 0;

	for (uint32_t i = 0; i < m->n; i++) {
		if (k && cls[k - 1] == m->cls[i]) {
			count[k - 1]++;
			continue;
		}
		cls[k] = m->cls[i];
		count[k++] = 1;
	}
	return k;
}

static bool uses_traces(const struct vgs_pool_cfg *p, const struct vgs_mix *m)
{
	for (uint32_t i = 0; i < m->n; i++)
		if (strstr(p->classes[m->cls[i]].text, "type = \"trace\""))
			return true;
	return false;
}

char *vgs_mix_scenario(const struct vgs_scenario *s, const struct vgs_mix *m, char **key)
{
	const struct vgs_pool_cfg *p = s->pool;
	uint32_t *cls = g_new0(uint32_t, m->n + 1), *count = g_new0(uint32_t, m->n + 1), k;
	GString *t = g_string_new(NULL);
	char *name = vgs_mix_name(m);

	g_string_append_printf(t, "# vgpusim pool: the tenant mix %s of %s (docs/pools.md, \"The two levels\")\n",
			       name, s->name);
	g_string_append_printf(t, "simulation = {\n  name = \"mix\";\n  duration_s = %.17g;\n  warmup_s = %.17g;\n"
			       "  seed = %" G_GUINT64_FORMAT ";\n", p->mix_duration_ns * 1e-9, p->mix_warmup_ns * 1e-9,
			       (guint64)s->seed);
	/* A trace's relative path is the pool config's: the mix's own config lives in the cache. */
	if (uses_traces(p, m))
		g_string_append_printf(t, "  trace_path = \"%s\";\n", p->config_dir);
	g_string_append_printf(t, "};\ngpus = ( {\n%s", p->gpu_text[m->entry]);
	if (m->mig >= 0)
		g_string_append_printf(t, "  mig_instances = ( \"%s\" );\n", p->mig[m->mig].name);
	g_string_append_printf(t, "} );\nscheduler = %s;\nvgpus = (", p->scheduler_text);
	k = mix_groups(m, cls, count);
	for (uint32_t i = 0; i < k; i++)
		g_string_append_printf(t, "%s {\n  name = \"c%u\";\n  count = %u;\n%s}", i ? "," : "", i, count[i],
				       p->classes[cls[i]].text);
	g_string_append(t, " );\n");
	if (key) {
		GString *in = g_string_new(t->str);

		g_string_append(in, VGS_MIX_FORMAT);
		*key = g_compute_checksum_for_string(G_CHECKSUM_SHA256, in->str, (gssize)in->len);
		g_string_free(in, TRUE);
	}
	g_free(cls);
	g_free(count);
	g_free(name);
	return g_string_free(t, FALSE);
}

struct vgs_mix_entry *vgs_mix_entry_new(uint32_t nclasses)
{
	struct vgs_mix_entry *e = g_new0(struct vgs_mix_entry, 1);

	e->res = g_malloc0(sizeof(struct vgs_mix_result) + (nclasses ? nclasses : 1) * sizeof(struct vgs_mix_class));
	e->res->nclasses = nclasses;
	return e;
}

void vgs_mix_entry_free(struct vgs_mix_entry *e)
{
	if (!e)
		return;
	g_free(e->res);
	g_free(e);
}

/* ---- reading a mix run's results -------------------------------------------------------------- */

struct sla_scan {
	struct vgs_sla *sla;         /* per tenant */
	uint64_t window_ns, from_ns;
	uint64_t *met, *all;
};

static void sla_window(void *user, uint64_t k, uint64_t a, uint64_t b, size_t i, const struct vgs_window_stat *st)
{
	struct sla_scan *sc = user;

	if (a < sc->from_ns || b - a != sc->window_ns)
		return;
	sc->all[i]++;
	sc->met[i] += vgs_window_sla_met(&sc->sla[i], st, sc->window_ns);
}

struct vgs_mix_entry *vgs_mix_read_run(const struct vgs_scenario *s, const struct vgs_mix *m, const char *dir,
				       struct vgs_error *err)
{
	const struct vgs_pool_cfg *p = s->pool;
	uint32_t *cls = g_new0(uint32_t, m->n + 1), *count = g_new0(uint32_t, m->n + 1), k;
	struct vgs_results r;
	struct vgs_mix_entry *e = NULL;
	guint nt;
	char **names = NULL;
	struct sla_scan sc = { 0 };
	int *group = NULL;

	k = mix_groups(m, cls, count);
	if (vgs_results_read(&r, dir, err) < 0)
		goto out_nores;
	nt = vgs_table_nrows(&r.tenants);
	names = g_new0(char *, nt + 1);
	group = g_new0(int, nt + 1);
	sc.sla = g_new0(struct vgs_sla, nt + 1);
	sc.met = g_new0(uint64_t, nt + 1);
	sc.all = g_new0(uint64_t, nt + 1);
	sc.window_ns = p->mix_window_ns;
	sc.from_ns = p->mix_warmup_ns;
	for (guint i = 0; i < nt; i++) {
		const char *g = vgs_table_get(&r.tenants, i, "group");

		names[i] = (char *)vgs_table_get(&r.tenants, i, "tenant");
		group[i] = g && g[0] == 'c' ? atoi(g + 1) : -1;
		if (group[i] < 0 || (uint32_t)group[i] >= k) {
			vgs_error_set(err, "%s/tenants.csv: tenant %s is not of the mix %s", dir, names[i] ? names[i] : "?",
				      "(c0, c1, ...)");
			goto out;
		}
		sc.sla[i] = p->classes[cls[group[i]]].sla;
	}
	if (vgs_windows_scan(dir, names, nt, sc.window_ns, p->mix_warmup_ns + p->mix_duration_ns, sla_window, &sc,
			     err) < 0)
		goto out;
	e = vgs_mix_entry_new(k);
	e->gpu.power_w = r.duration_s > 0 ? r.energy_j / r.duration_s : 0;
	for (int c = 0; c < VGS_NCLASS; c++) {
		double u = vgs_results_class_util(&r, c);

		if (isfinite(u) && u > e->gpu.load)
			e->gpu.load = u;
	}
	for (uint32_t j = 0; j < k; j++) {
		struct vgs_mix_class *mc = &e->res->c[j];
		double sla_sum = 0;
		uint32_t n = 0, nsla = 0;

		mc->cls = cls[j];
		mc->n = count[j];
		for (guint i = 0; i < nt; i++) {
			double d = r.duration_s;

			if ((uint32_t)group[i] != j)
				continue;
			n++;
			mc->unit_rate += vgs_table_num(&r.tenants, i, "unit_rate_per_s");
			mc->lat_p50_ms += vgs_table_num(&r.tenants, i, "lat_p50_ms");
			mc->lat_p99_ms += vgs_table_num(&r.tenants, i, "lat_p99_ms");
			for (int c = 0; c < VGS_NCLASS; c++) {
				char col[32];

				snprintf(col, sizeof(col), "busy_%s_ms", vgs_class_name(c));
				mc->busy[c] += vgs_table_num(&r.tenants, i, col) * 1e-3 / d;
			}
			mc->power_w += vgs_table_num(&r.tenants, i, "energy_j") / d;
			mc->vram_mb += vgs_table_num(&r.tenants, i, "vram_avg_mb");
			if ((sc.sla[i].latency_ns || sc.sla[i].fps > 0) && sc.all[i]) {
				sla_sum += (double)sc.met[i] / (double)sc.all[i];
				nsla++;
			}
		}
		mc->unit_rate /= n;
		mc->lat_p50_ms /= n;
		mc->lat_p99_ms /= n;
		for (int c = 0; c < VGS_NCLASS; c++)
			mc->busy[c] /= n;
		mc->power_w /= n;
		mc->vram_mb = isfinite(mc->vram_mb) ? mc->vram_mb / n : 0;
		mc->sla_frac = nsla ? sla_sum / nsla : NAN;
	}
out:
	vgs_results_fini(&r);
out_nores:
	g_free(names);
	g_free(group);
	g_free(sc.sla);
	g_free(sc.met);
	g_free(sc.all);
	g_free(cls);
	g_free(count);
	return e;
}

/* ---- the cache ------------------------------------------------------------------------------------ */

static void kv(GString *s, const char *k, double v)
{
	g_string_append_printf(s, "%s=%.17g\n", k, v);
}

int vgs_mix_cache_write(const char *path, const struct vgs_mix_entry *e, struct vgs_error *err)
{
	GString *s = g_string_new("format=" VGS_MIX_FORMAT "\n");
	GError *gerr = NULL;
	char key[64];

	kv(s, "power_w", e->gpu.power_w);
	kv(s, "load", e->gpu.load);
	kv(s, "classes", e->res->nclasses);
	for (uint32_t j = 0; j < e->res->nclasses; j++) {
		const struct vgs_mix_class *c = &e->res->c[j];
		const struct { const char *k; double v; } f[] = {
			{ "cls", c->cls }, { "n", c->n }, { "unit_rate", c->unit_rate }, { "lat_p50_ms", c->lat_p50_ms },
			{ "lat_p99_ms", c->lat_p99_ms }, { "sla_frac", c->sla_frac }, { "power_w", c->power_w },
			{ "vram_mb", c->vram_mb },
		};

		for (size_t i = 0; i < G_N_ELEMENTS(f); i++) {
			snprintf(key, sizeof(key), "c%u.%s", j, f[i].k);
			kv(s, key, f[i].v);
		}
		for (int b = 0; b < VGS_NCLASS; b++) {
			snprintf(key, sizeof(key), "c%u.busy_%s", j, vgs_class_name(b));
			kv(s, key, c->busy[b]);
		}
	}
	/* g_file_set_contents writes a temporary and renames it: concurrent runs never see half a file. */
	if (!g_file_set_contents(path, s->str, (gssize)s->len, &gerr)) {
		vgs_error_set(err, "cannot write the mix cache %s: %s", path, gerr->message);
		g_error_free(gerr);
		g_string_free(s, TRUE);
		return -1;
	}
	g_string_free(s, TRUE);
	return 0;
}

static double get(GHashTable *h, const char *k, bool *ok)
{
	const char *v = g_hash_table_lookup(h, k);
	char *end;
	double x;

	if (!v) {
		*ok = false;
		return NAN;
	}
	x = g_ascii_strtod(v, &end);
	if (*end)
		*ok = false;
	return x;
}

struct vgs_mix_entry *vgs_mix_cache_read(const char *path, const struct vgs_mix *m)
{
	char *text = NULL, **lines;
	GHashTable *h;
	struct vgs_mix_entry *e = NULL;
	bool ok = true;
	char key[64];
	uint32_t n;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		return NULL;
	h = g_hash_table_new(g_str_hash, g_str_equal);
	lines = g_strsplit(text, "\n", -1);
	for (char **l = lines; *l; l++) {
		char *eq = strchr(*l, '=');

		if (eq) {
			*eq = '\0';
			g_hash_table_insert(h, *l, eq + 1);
		}
	}
	if (g_strcmp0(g_hash_table_lookup(h, "format"), VGS_MIX_FORMAT) != 0)
		goto out;
	n = (uint32_t)get(h, "classes", &ok);
	if (!ok || n > m->n || n == 0)
		goto out;
	e = vgs_mix_entry_new(n);
	e->gpu.power_w = get(h, "power_w", &ok);
	e->gpu.load = get(h, "load", &ok);
	for (uint32_t j = 0; j < n; j++) {
		struct vgs_mix_class *c = &e->res->c[j];

#define F(name, field)                                                                                         \
	do {                                                                                                   \
		snprintf(key, sizeof(key), "c%u." name, j);                                                    \
		c->field = get(h, key, &ok);                                                                   \
	} while (0)
		double x;

		snprintf(key, sizeof(key), "c%u.cls", j);
		x = get(h, key, &ok);
		c->cls = (uint32_t)x;
		snprintf(key, sizeof(key), "c%u.n", j);
		x = get(h, key, &ok);
		c->n = (uint32_t)x;
		F("unit_rate", unit_rate);
		F("lat_p50_ms", lat_p50_ms);
		F("lat_p99_ms", lat_p99_ms);
		F("power_w", power_w);
		F("vram_mb", vram_mb);
		snprintf(key, sizeof(key), "c%u.sla_frac", j);
		c->sla_frac = get(h, key, &ok);
		if (g_strcmp0(g_hash_table_lookup(h, key), "nan") == 0 || g_strcmp0(g_hash_table_lookup(h, key), "-nan") == 0) {
			c->sla_frac = NAN;
			ok = true;
		}
		for (int b = 0; b < VGS_NCLASS; b++) {
			snprintf(key, sizeof(key), "c%u.busy_%s", j, vgs_class_name(b));
			c->busy[b] = get(h, key, &ok);
		}
#undef F
	}
	if (!ok) {
		vgs_mix_entry_free(e);
		e = NULL;
	}
out:
	g_strfreev(lines);
	g_hash_table_destroy(h);
	g_free(text);
	return e;
}

void vgs_mix_solo(const struct vgs_scenario *s, uint32_t cls, struct vgs_mix *m, uint32_t *one)
{
	const struct vgs_req_class *c = &s->pool->classes[cls];

	m->entry = 0;
	for (uint32_t g = 0; g < s->ngpus; g++)
		if (s->gpus[g].pool_mig == (c->mig >= 0)) {
			m->entry = s->gpus[g].entry;
			break;
		}
	m->mig = c->mig;
	m->n = 1;
	*one = cls;
	m->cls = one;
}
