/*
 * A pool run as one command-level scenario (`vgpusim pool --level command`, docs/pools.md "The two
 * levels"): the pool's GPUs and scheduler, its price sheet, and every request the two-level run placed
 * as a vgpus entry of its class -- pinned to the GPU it went to, alive from its placement to its
 * departure (start_s, stop_s: models/scenario/vgpus.c checks capacity at every start), its live
 * migrations as `migrations`.  The command level then simulates every command of every request, on
 * the two-level run's placements: what differs is only what the two levels compute differently.  A
 * request that does an amount of work runs until the two-level departure; its units done by then are
 * the model's error.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "models/pool/pool_priv.h"

/* The class's text without its vram_mb (each request says its own). */
static void class_members(GString *t, const char *text)
{
	char **lines = g_strsplit(text, "\n", -1);

	for (char **l = lines; *l; l++) {
		if (!**l || g_str_has_prefix(*l, "  vram_mb = "))
			continue;
		g_string_append_printf(t, "%s\n", *l);
	}
	g_strfreev(lines);
}

static void metering_text(GString *t, const struct vgs_metering_cfg *m)
{
	g_string_append_printf(t, "metering = {\n  currency = \"%s\";\n  gpu_hour = %.17g;\n  window_s = %.17g;\n",
			       m->currency, m->gpu_hour, m->window_ns * 1e-9);
	g_string_append(t, "  prices = (");
	for (uint32_t i = 0; i < m->nprices; i++)
		g_string_append_printf(t, "%s { profile = \"%s\"; per_hour = %.17g; }", i ? "," : "",
				       m->prices[i].profile, m->prices[i].per_hour);
	g_string_append(t, " );\n  sla_credits = (");
	for (uint32_t i = 0; i < m->ncredits; i++)
		g_string_append_printf(t, "%s { below_pct = %.17g; credit_pct = %.17g; }", i ? "," : "",
				       m->credits[i].below_pct, m->credits[i].credit_pct);
	g_string_append(t, " );\n};\n");
}

/* The first GPU t ran on: the source of its first completed migration, else where it is. */
static int32_t home_gpu(const struct vgs_pool *p, const struct ptenant *t)
{
	for (guint i = 0; i < p->migs->len; i++) {
		const struct pmig *m = p->migs->pdata[i];

		if (m->t == t && m->resume_ns)
			return (int32_t)m->src;
	}
	return t->gpu;
}

char *vgs_pool_command_scenario(const struct vgs_pool *p, struct vgs_error *err)
{
	const struct vgs_scenario *s = p->s;
	const struct vgs_pool_cfg *cfg = p->cfg;
	GString *t = g_string_new(NULL);
	struct vgs_metering_cfg *def = s->metering ? NULL : vgs_metering_default();
	uint32_t *count = g_new0(uint32_t, cfg->ngpu_text + 1);
	bool traces = false, first = true;

	for (uint32_t c = 0; c < cfg->nclasses; c++)
		traces |= strstr(cfg->classes[c].text, "type = \"trace\"") != NULL;
	for (uint32_t g = 0; g < s->ngpus; g++)
		count[s->gpus[g].entry]++;
	g_string_append_printf(t, "# vgpusim pool --level command: %s as one command-level scenario\n", s->name);
	g_string_append_printf(t, "simulation = {\n  name = \"%s-command\";\n  duration_s = %.17g;\n  warmup_s = %.17g;\n"
			       "  seed = %" G_GUINT64_FORMAT ";\n", s->name, s->duration_ns * 1e-9, s->warmup_ns * 1e-9,
			       (guint64)s->seed);
	if (traces)
		g_string_append_printf(t, "  trace_path = \"%s\";\n", cfg->config_dir);
	g_string_append(t, "};\ngpus = (");
	for (uint32_t e = 0; e < cfg->ngpu_text; e++)
		g_string_append_printf(t, "%s {\n%s  count = %u;\n}", e ? "," : "", cfg->gpu_text[e], count[e]);
	g_string_append_printf(t, " );\nscheduler = %s;\n", cfg->scheduler_text);
	g_string_append_printf(t, "interconnect = {\n  gpus_per_host = %u;\n  network = { bandwidth_gbps = %.17g; "
			       "latency_us = %.17g; };\n};\n", s->interconnect.gpus_per_host, s->interconnect.net_bw_Bps / 1e9,
			       s->interconnect.net_latency_ns * 1e-3);
	g_string_append_printf(t, "migration = {\n  max_rounds = %u;\n  downtime_ms = %.17g;\n  context_mb = %.17g;\n"
			       "  track_us = %.17g;\n};\n", s->migration.max_rounds, s->migration.downtime_ns * 1e-6,
			       s->migration.context_bytes / 1048576.0, s->migration.track_ns * 1e-3);
	metering_text(t, s->metering ? s->metering : def);
	g_string_append(t, "vgpus = (");
	for (size_t i = 0; i < p->nt; i++) {
		const struct ptenant *r = p->t[i];

		if (r->placed_ns == VGS_NO_TIME || (r->end_ns != VGS_NO_TIME && r->end_ns <= r->placed_ns))
			continue;
		g_string_append_printf(t, "%s {\n  name = \"%s\";\n  gpu = %d;\n  vram_mb = %.17g;\n", first ? "" : ",",
				       r->name, home_gpu(p, r), r->fb_bytes / 1048576.0);
		if (r->placed_ns > 0)
			g_string_append_printf(t, "  start_s = %.9f;\n", r->placed_ns * 1e-9);
		if (r->end_ns != VGS_NO_TIME && r->end_ns < p->w1)
			g_string_append_printf(t, "  stop_s = %.9f;\n", r->end_ns * 1e-9);
		class_members(t, cfg->classes[r->cls].text);
		g_string_append(t, "}");
		first = false;
	}
	g_string_append(t, " );\n");
	if (first) {
		vgs_error_set(err, "%s: no request was placed: nothing to simulate command by command", s->path);
		g_string_free(t, TRUE);
		t = NULL;
	}
	if (t) {
		bool any = false;

		for (guint i = 0; i < p->migs->len; i++) {
			const struct pmig *m = p->migs->pdata[i];

			if (!m->t || !m->resume_ns)
				continue;
			g_string_append_printf(t, "%s { vgpu = \"%s\"; at_s = %.9f; to = %u; }", any ? "," : "migrations = (",
					       m->t->name, m->start_ns * 1e-9, m->dst);
			any = true;
		}
		if (any)
			g_string_append(t, " );\n");
	}
	vgs_metering_cfg_free(def);
	g_free(count);
	return t ? g_string_free(t, FALSE) : NULL;
}
