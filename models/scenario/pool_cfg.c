/*
 * The scenario groups beyond fixed vGPUs (docs/pools.md, models/scenario/pool_cfg.h): `pool`,
 * `metering`, `migration`, `migrations` and `interconnect`, each checked against its schema with
 * FILE:LINE messages; the `requests` group is pool_req.c's.
 *
 * Every number that models hardware or a price names its source here or in docs/pools.md.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <libconfig.h>

#include "models/scenario/load.h"
#include "models/scenario/pool_cfg.h"
#include "models/scenario/policy_load.h"
#include "models/workload/workload.h"

/* ---- shared helpers -------------------------------------------------------------------------- */

/* A GPU named by index or by name (`to` of a migration): its index, or -1 after the error. */
static int gpu_ref(struct vgs_ld *ld, const config_setting_t *st, const char *ctx)
{
	const struct vgs_scenario *s = ld->s;

	if (config_setting_type(st) == CONFIG_TYPE_STRING) {
		for (uint32_t g = 0; g < s->ngpus; g++)
			if (strcmp(s->gpus[g].name, config_setting_get_string(st)) == 0)
				return (int)g;
		return vgs_ld_fail(ld, st, "%s: no GPU named '%s' (GPUs are named <profile>-<k>, e.g. %s)", ctx,
				   config_setting_get_string(st), s->gpus[0].name);
	}
	if (config_setting_type(st) == CONFIG_TYPE_INT || config_setting_type(st) == CONFIG_TYPE_INT64) {
		long long x = vgs_ld_int_of(st);

		if (x >= 0 && x < s->ngpus)
			return (int)x;
		return vgs_ld_fail(ld, st, "%s %lld out of range: the scenario has %u GPUs", ctx, x, s->ngpus);
	}
	return vgs_ld_fail(ld, st, "expected a GPU index or name for %s, got %s", ctx, vgs_ld_type_word(st));
}

/* ---- interconnect, migration, migrations ----------------------------------------------------- */

/*
 * A user's SimGrid platform file, checked before SimGrid reads it (SimGrid aborts on a bad one): well-formed
 * XML with a <platform> root, every GPU of the scenario a <host> of its name, every <link_ctn> naming a
 * <link> of the file (docs/pools.md, "Your own platform file").  0, or -1 with err set at FILE:LINE.
 */
struct plat_check {
	GHashTable *hosts, *links;   /* ids declared */
	GPtrArray *refs;             /* link_ctn ids, each with its line (GUINT_TO_POINTER after it) */
	bool root_seen, root_ok;
};

static void plat_start(GMarkupParseContext *ctx, const char *el, const char **names, const char **values,
		       gpointer user, GError **error)
{
	struct plat_check *c = user;
	const char *id = NULL;
	int line;

	for (int i = 0; names[i]; i++)
		if (!strcmp(names[i], "id"))
			id = values[i];
	if (!c->root_seen) {
		c->root_seen = true;
		c->root_ok = !strcmp(el, "platform");
	}
	if (!id)
		return;
	if (!strcmp(el, "host"))
		g_hash_table_add(c->hosts, g_strdup(id));
	else if (!strcmp(el, "link"))
		g_hash_table_add(c->links, g_strdup(id));
	else if (!strcmp(el, "link_ctn")) {
		g_markup_parse_context_get_position(ctx, &line, NULL);
		g_ptr_array_add(c->refs, g_strdup(id));
		g_ptr_array_add(c->refs, GINT_TO_POINTER(line));
	}
}

static int check_platform(struct vgs_ld *ld, const char *path, struct vgs_error *err)
{
	static const GMarkupParser parser = { .start_element = plat_start };
	struct plat_check c = { 0 };
	GMarkupParseContext *ctx;
	GError *gerr = NULL;
	char *text = NULL;
	gsize len;
	int line = 0, rc = -1;

	if (!g_file_get_contents(path, &text, &len, &gerr)) {
		vgs_error_set(err, "%s: cannot read the platform file: %s", path, gerr->message);
		g_error_free(gerr);
		return -1;
	}
	c.hosts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	c.links = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	c.refs = g_ptr_array_new();
	ctx = g_markup_parse_context_new(&parser, G_MARKUP_IGNORE_QUALIFIED, &c, NULL);
	if (!g_markup_parse_context_parse(ctx, text, (gssize)len, &gerr) || !g_markup_parse_context_end_parse(ctx, &gerr)) {
		g_markup_parse_context_get_position(ctx, &line, NULL);
		vgs_error_set(err, "%s:%d: not a SimGrid platform file: %s", path, line, gerr->message);
		g_error_free(gerr);
		goto out;
	}
	if (!c.root_ok) {
		vgs_error_set(err, "%s:1: expected a SimGrid platform file (a <platform version=\"4.1\"> root element)", path);
		goto out;
	}
	for (guint i = 0; i < c.refs->len; i += 2)
		if (!g_hash_table_contains(c.links, c.refs->pdata[i])) {
			vgs_error_set(err, "%s:%d: <link_ctn id=\"%s\"/> names no <link> of the file", path,
				      GPOINTER_TO_INT(c.refs->pdata[i + 1]), (char *)c.refs->pdata[i]);
			goto out;
		}
	for (uint32_t g = 0; g < ld->s->ngpus; g++)
		if (ld->s->gpus[g].phys == g && !g_hash_table_contains(c.hosts, ld->s->gpus[g].name)) {
			vgs_error_set(err, "%s: no <host id=\"%s\">: every GPU of the scenario is a host of its name in "
				      "the platform (docs/pools.md, \"Your own platform file\")", path, ld->s->gpus[g].name);
			goto out;
		}
	rc = 0;
out:
	for (guint i = 0; i < c.refs->len; i += 2)
		g_free(c.refs->pdata[i]);
	g_ptr_array_free(c.refs, TRUE);
	g_hash_table_destroy(c.hosts);
	g_hash_table_destroy(c.links);
	g_markup_parse_context_free(ctx);
	g_free(text);
	return rc;
}

/*
 * Defaults: 8 GPUs per host (NVIDIA DGX A100 / H100 and AWS p4d / p5 servers hold 8); a host's network
 * 12.5 GB/s, one 100 Gb/s Ethernet port (IEEE 802.3 100GBASE-R, the common data-centre host link:
 * engineering choice), 5 us one way (engineering estimate: NIC + one switch hop of a data-centre
 * fabric).
 */
static int load_interconnect(struct vgs_ld *ld, const config_setting_t *root)
{
	static const char *const keys[] = { "gpus_per_host", "network", "platform", NULL };
	static const char *const net_keys[] = { "bandwidth_gbps", "latency_us", NULL };
	static const struct vgs_ld_range bw = { .def = 12.5, .lo = 0, .lo_open = true, .hi = 1e6 };
	static const struct vgs_ld_range lat = { .def = 5.0, .lo = 0, .hi = 1e9 };
	struct vgs_interconnect_cfg *ic = &ld->s->interconnect;
	config_setting_t *g, *net = NULL;
	const char *platform = NULL;
	long long v = 8;
	double d;

	ic->gpus_per_host = 8;
	ic->net_bw_Bps = 12.5e9;
	ic->net_latency_ns = 5000;
	if (vgs_ld_group(ld, root, "", "interconnect", false, &g) < 0)
		return -1;
	if (!g)
		return 0;
	if (vgs_ld_check_keys(ld, g, "interconnect", keys) < 0 ||
	    vgs_ld_int(ld, g, "interconnect", "gpus_per_host", false, 8, 1, 4096, &v) < 0 ||
	    vgs_ld_group(ld, g, "interconnect", "network", false, &net) < 0 ||
	    vgs_ld_str(ld, g, "interconnect", "platform", false, NULL, &platform) < 0)
		return -1;
	ic->gpus_per_host = (uint32_t)v;
	if (net) {
		if (vgs_ld_check_keys(ld, net, "interconnect.network", net_keys) < 0 ||
		    vgs_ld_num(ld, net, "interconnect.network", "bandwidth_gbps", &bw, &d) < 0)
			return -1;
		ic->net_bw_Bps = d * 1e9;
		if (vgs_ld_num(ld, net, "interconnect.network", "latency_us", &lat, &d) < 0)
			return -1;
		ic->net_latency_ns = vgs_ld_ns(d, 1e3);
	}
	if (platform) {
		char *path = g_path_is_absolute(platform) ? g_strdup(platform)
							   : g_build_filename(ld->cfgdir, platform, NULL);

		if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
			g_free(path);
			return vgs_ld_fail(ld, config_setting_get_member(g, "platform"), "interconnect.platform: "
					   "no SimGrid platform file '%s' (relative to the config)", platform);
		}
		ic->platform = path;
		if (check_platform(ld, path, ld->err) < 0)
			return -1;
	}
	return 0;
}

/*
 * Defaults (docs/pools.md, "Migration"): at most 30 pre-copy rounds; stop when the rest would copy in
 * 300 ms, QEMU's default `downtime-limit` (qapi/migration.json); a 64 MiB context (engineering
 * estimate: an A100's SM state, 108 SMs x (256 KB registers + 192 KB shared memory) = 49.5 MB
 * (a100.cfg, [6]), plus channel and page-table state, rounded up); 10 us per page first written in
 * a round (engineering estimate: one GPU replayable page fault serviced by the driver, tens of us per
 * batch -- Allen and Ge, "In-Depth Analyses of Unified Virtual Memory System for GPU Accelerated
 * Computing", SC '21).
 */
static int load_migration(struct vgs_ld *ld, const config_setting_t *root)
{
	static const char *const keys[] = { "max_rounds", "downtime_ms", "context_mb", "track_us", NULL };
	static const struct vgs_ld_range down = { .def = 300.0, .lo = 0, .hi = 1e7 };
	static const struct vgs_ld_range ctx = { .def = 64.0, .lo = 0, .hi = 1e7 };
	static const struct vgs_ld_range track = { .def = 10.0, .lo = 0, .hi = 1e9 };
	struct vgs_migration_cfg *m = &ld->s->migration;
	config_setting_t *g;
	long long v = 30;
	double d;

	m->max_rounds = 30;
	m->downtime_ns = 300000000;
	m->context_bytes = 64ull << 20;
	m->track_ns = 10000;
	if (vgs_ld_group(ld, root, "", "migration", false, &g) < 0)
		return -1;
	if (!g)
		return 0;
	if (vgs_ld_check_keys(ld, g, "migration", keys) < 0 ||
	    vgs_ld_int(ld, g, "migration", "max_rounds", false, 30, 0, 1000, &v) < 0 ||
	    vgs_ld_num(ld, g, "migration", "downtime_ms", &down, &d) < 0)
		return -1;
	m->max_rounds = (uint32_t)v;
	m->downtime_ns = vgs_ld_ns(d, 1e6);
	if (vgs_ld_num(ld, g, "migration", "context_mb", &ctx, &d) < 0)
		return -1;
	m->context_bytes = (uint64_t)llround(d * 1048576.0);
	if (vgs_ld_num(ld, g, "migration", "track_us", &track, &d) < 0)
		return -1;
	m->track_ns = vgs_ld_ns(d, 1e3);
	return 0;
}

static int load_migrations(struct vgs_ld *ld, const config_setting_t *root)
{
	static const char *const keys[] = { "vgpu", "at_s", "to", NULL };
	static const struct vgs_ld_range at = { .required = true, .lo = 0, .hi = 1e7 };
	struct vgs_scenario *s = ld->s;
	config_setting_t *list = config_setting_get_member(root, "migrations");
	int n;

	if (!list)
		return 0;
	if (!config_setting_is_list(list))
		return vgs_ld_fail(ld, list, "expected a list ( { vgpu = \"NAME\"; at_s = T; to = GPU; }, ... ) for "
				   "migrations, got %s", vgs_ld_type_word(list));
	n = config_setting_length(list);
	s->migrations = g_new0(struct vgs_migration_ev, n ? n : 1);
	for (int i = 0; i < n; i++) {
		config_setting_t *e = config_setting_get_elem(list, i), *to;
		char *ctx = g_strdup_printf("migrations.[%d]", i);
		struct vgs_migration_ev *ev = &s->migrations[i];
		const char *name;
		double t;
		int g, rc = -1;

		if (!config_setting_is_group(e)) {
			vgs_ld_fail(ld, e, "expected a group { ... } for %s, got %s", ctx, vgs_ld_type_word(e));
			goto next;
		}
		if (vgs_ld_check_keys(ld, e, ctx, keys) < 0 || vgs_ld_str(ld, e, ctx, "vgpu", true, NULL, &name) < 0 ||
		    vgs_ld_num(ld, e, ctx, "at_s", &at, &t) < 0)
			goto next;
		ev->tenant = UINT32_MAX;
		for (uint32_t k = 0; k < s->ntenants; k++)
			if (strcmp(s->tenants[k].name, name) == 0)
				ev->tenant = k;
		if (ev->tenant == UINT32_MAX) {
			vgs_ld_fail(ld, config_setting_get_member(e, "vgpu"), "%s.vgpu: no vGPU named '%s'", ctx, name);
			goto next;
		}
		if (!(to = config_setting_get_member(e, "to"))) {
			vgs_ld_fail(ld, e, "missing required key 'to' in %s (the destination GPU)", ctx);
			goto next;
		}
		if ((g = gpu_ref(ld, to, "migrations.to")) < 0)
			goto next;
		ev->gpu = (uint32_t)g;
		ev->at_ns = vgs_ld_ns(t, 1e9);
		{
			const struct vgs_gpu *src = &s->gpus[s->tenants[ev->tenant].gpu], *dst = &s->gpus[g];

			/* NVIDIA's vGPU migration moves a vGPU between GPUs of the same type (Virtual GPU Software
			 * User Guide, "Migrating a VM Configured with vGPU"); routing and speeds stay valid. */
			if (g == (int)s->tenants[ev->tenant].gpu || strcmp(src->profile, dst->profile) != 0 ||
			    (src->mig_profile != NULL) != (dst->mig_profile != NULL) ||
			    (src->mig_profile && strcmp(src->mig_profile, dst->mig_profile) != 0)) {
				vgs_ld_fail(ld, to, "%s.to: GPU %s cannot receive %s from %s (a vGPU migrates to another "
					    "GPU of the same profile and MIG profile)", ctx, dst->name, name, src->name);
				goto next;
			}
		}
		if (s->spatial) {
			vgs_ld_fail(ld, e, "%s: live migration needs a time-sliced policy (policy %s shares the SMs)",
				    ctx, s->policy);
			goto next;
		}
		rc = 0;
next:
		g_free(ctx);
		if (rc < 0)
			return -1;
		s->nmigrations++;
	}
	return 0;
}

/* ---- metering -------------------------------------------------------------------------------- */

/*
 * Defaults: USD 4.10 per GPU-hour, AWS EC2 p4d.24xlarge on-demand in us-east-1 (USD 32.77 per hour
 * for 8 x A100 40GB, aws.amazon.com/ec2/pricing/on-demand/, 2024) / 8; SLA credits as the Amazon
 * Compute Service Level Agreement (aws.amazon.com/compute/sla/, region-level SLA, updated 2022-05-05):
 * uptime below 99.99 % credits 10 %, below 99.0 % 30 %, below 95.0 % 100 % of the charge.
 */
static const struct vgs_sla_credit aws_credits[] = { { 99.99, 10 }, { 99.0, 30 }, { 95.0, 100 } };

static int load_metering(struct vgs_ld *ld, const config_setting_t *root)
{
	static const char *const keys[] = { "currency", "gpu_hour", "prices", "sla_credits", "window_s", NULL };
	static const char *const price_keys[] = { "profile", "per_hour", NULL };
	static const char *const credit_keys[] = { "below_pct", "credit_pct", NULL };
	static const struct vgs_ld_range money = { .def = 4.10, .lo = 0, .hi = 1e9 };
	static const struct vgs_ld_range req_money = { .required = true, .lo = 0, .hi = 1e9 };
	static const struct vgs_ld_range pct = { .required = true, .lo = 0, .hi = 100 };
	static const struct vgs_ld_range win = { .def = 1.0, .lo = 0, .lo_open = true, .hi = 1e6 };
	config_setting_t *g, *list;
	struct vgs_metering_cfg *m;
	const char *cur;
	double d;

	if (vgs_ld_group(ld, root, "", "metering", false, &g) < 0)
		return -1;
	if (!g)
		return 0;
	m = ld->s->metering = g_new0(struct vgs_metering_cfg, 1);
	if (vgs_ld_check_keys(ld, g, "metering", keys) < 0 ||
	    vgs_ld_str(ld, g, "metering", "currency", false, "USD", &cur) < 0 ||
	    vgs_ld_num(ld, g, "metering", "gpu_hour", &money, &m->gpu_hour) < 0 ||
	    vgs_ld_num(ld, g, "metering", "window_s", &win, &d) < 0)
		return -1;
	m->currency = g_strdup(cur);
	m->window_ns = vgs_ld_ns(d, 1e9);
	if ((list = config_setting_get_member(g, "prices"))) {
		if (!config_setting_is_list(list))
			return vgs_ld_fail(ld, list, "expected a list ( { profile = \"NAME\"; per_hour = X; }, ... ) for "
					   "metering.prices, got %s", vgs_ld_type_word(list));
		m->prices = g_new0(struct vgs_price, config_setting_length(list) + 1);
		for (int i = 0; i < config_setting_length(list); i++) {
			config_setting_t *e = config_setting_get_elem(list, i);
			char *ctx = g_strdup_printf("metering.prices.[%d]", i);
			const char *prof;
			int rc = config_setting_is_group(e) ? 0 : vgs_ld_fail(ld, e, "expected a group for %s", ctx);

			if (rc == 0 && (vgs_ld_check_keys(ld, e, ctx, price_keys) < 0 ||
					vgs_ld_str(ld, e, ctx, "profile", true, NULL, &prof) < 0 ||
					vgs_ld_num(ld, e, ctx, "per_hour", &req_money, &d) < 0))
				rc = -1;
			g_free(ctx);
			if (rc < 0)
				return -1;
			m->prices[m->nprices].profile = g_strdup(prof);
			m->prices[m->nprices++].per_hour = d;
		}
	}
	if ((list = config_setting_get_member(g, "sla_credits"))) {
		if (!config_setting_is_list(list))
			return vgs_ld_fail(ld, list, "expected a list ( { below_pct = P; credit_pct = C; }, ... ) for "
					   "metering.sla_credits, got %s", vgs_ld_type_word(list));
		m->credits = g_new0(struct vgs_sla_credit, config_setting_length(list) + 1);
		for (int i = 0; i < config_setting_length(list); i++) {
			config_setting_t *e = config_setting_get_elem(list, i);
			char *ctx = g_strdup_printf("metering.sla_credits.[%d]", i);
			struct vgs_sla_credit *c = &m->credits[m->ncredits];
			int rc = config_setting_is_group(e) ? 0 : vgs_ld_fail(ld, e, "expected a group for %s", ctx);

			if (rc == 0 && (vgs_ld_check_keys(ld, e, ctx, credit_keys) < 0 ||
					vgs_ld_num(ld, e, ctx, "below_pct", &pct, &c->below_pct) < 0 ||
					vgs_ld_num(ld, e, ctx, "credit_pct", &pct, &c->credit_pct) < 0))
				rc = -1;
			if (rc == 0 && m->ncredits && c->below_pct >= m->credits[m->ncredits - 1].below_pct)
				rc = vgs_ld_fail(ld, e, "%s.below_pct: tiers go from the most lenient down (%g after %g)",
						 ctx, c->below_pct, m->credits[m->ncredits - 1].below_pct);
			g_free(ctx);
			if (rc < 0)
				return -1;
			m->ncredits++;
		}
	} else {
		m->credits = g_memdup2(aws_credits, sizeof(aws_credits));
		m->ncredits = G_N_ELEMENTS(aws_credits);
	}
	return 0;
}

struct vgs_metering_cfg *vgs_metering_default(void)
{
	struct vgs_metering_cfg *m = g_new0(struct vgs_metering_cfg, 1);

	m->currency = g_strdup("USD");
	m->gpu_hour = 4.10;
	m->window_ns = 1000000000ull;
	m->credits = g_memdup2(aws_credits, sizeof(aws_credits));
	m->ncredits = G_N_ELEMENTS(aws_credits);
	return m;
}

double vgs_metering_price(const struct vgs_metering_cfg *m, const char *profile, double frac)
{
	for (uint32_t i = 0; i < m->nprices; i++)
		if (strcmp(m->prices[i].profile, profile) == 0)
			return m->prices[i].per_hour;
	return m->gpu_hour * frac;
}

double vgs_metering_credit_pct(const struct vgs_metering_cfg *m, double pct)
{
	double credit = 0;

	for (uint32_t i = 0; i < m->ncredits; i++)
		if (pct < m->credits[i].below_pct)
			credit = m->credits[i].credit_pct;
	return credit;
}

char *vgs_vgpu_profile_name(const char *gpu, uint64_t fb_bytes, const char *mig)
{
	if (mig)
		return g_strdup_printf("%s-%s", gpu, mig);
	return g_strdup_printf("%s-%ggb", gpu, round(fb_bytes / 1073741824.0 * 100) / 100);
}

void vgs_metering_cfg_free(struct vgs_metering_cfg *m)
{
	if (!m)
		return;
	for (uint32_t i = 0; i < m->nprices; i++)
		g_free(m->prices[i].profile);
	g_free(m->prices);
	g_free(m->credits);
	g_free(m->currency);
	g_free(m);
}

/* ---- entry point ----------------------------------------------------------------------------- */

int vgs_ld_pool_load(struct vgs_ld *ld, const config_setting_t *root)
{
	if (load_interconnect(ld, root) < 0 || load_migration(ld, root) < 0 || load_migrations(ld, root) < 0 ||
	    load_metering(ld, root) < 0)
		return -1;
	return 0;
}
