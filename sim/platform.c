/*
 * Builds the SimGrid platform of a scenario: one host per engine (speed 1e9 flop/s x the class's
 * speed factor, so 1 flop = 1 ns of reference work; one core per channel so concurrent streams of one
 * context each run at full speed), a control host for the tenant and scheduler actors, and per
 * physical GPU two host-memory endpoints joined to every engine by one PCIe link per direction (PCIe
 * is full duplex; the MIG instances of a GPU share its link).  Routes exist only inside a GPU, so
 * the platform is linear in GPUs: the GPUs share zones of up to SIM_ZONE_HOSTS hosts, the control
 * host has one of its own -- but for a scenario's live migrations (sim/migrate.c): then each physical
 * GPU is a zone of its own with a migration endpoint <gpu>.mig and its NVLink links, the top zone
 * has the hosts' network links and a zone route between the endpoints of each pair of GPUs a
 * migration may use (sim_route()).  Power figures feed
 * the host-energy plugin: "idle:idle:busy" makes power linear in the
 * number of busy channels.  The platform is written as XML to a temporary file and loaded from there,
 * the stable way to give hosts core counts and properties through SimGrid's C interface.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <simgrid/engine.h>

#include "sim/sim.h"

/*
 * Most hosts in a zone of several GPUs.  SimGrid 3.32 seals each zone by filtering every host of the
 * engine (NetZoneImpl::get_all_hosts), so sealing is O(zones x hosts): with a zone per GPU, a fleet of
 * 1,024 GPUs spent a quarter of its run there.  A Full zone holds a table of hosts^2 route pointers
 * (8 bytes each), so 128 hosts cost 128 KiB a zone, 1 KiB a host (an A10 has 7: 18 GPUs a zone).
 */
#define SIM_ZONE_HOSTS 128

static void host_xml(GString *x, const char *id, double speed, unsigned cores, double idle_w, double busy_w)
{
	char *eid = g_markup_escape_text(id, -1);

	g_string_append_printf(x, "  <host id=\"%s\" speed=\"%.17gf\" core=\"%u\">\n", eid, speed, cores);
	g_string_append_printf(x, "   <prop id=\"wattage_per_state\" value=\"%.17g:%.17g:%.17g\"/>\n", idle_w,
			       idle_w, busy_w);
	g_string_append(x, "   <prop id=\"wattage_off\" value=\"0\"/>\n  </host>\n");
	g_free(eid);
}

/* Load a platform given as XML text (consumed). */
int sim_platform_load_xml(GString *x, struct vgs_error *err)
{
	char path[] = "/tmp/vgpusim-platform-XXXXXX.xml";
	int fd;

	fd = mkstemps(path, 4);
	if (fd < 0 || write(fd, x->str, x->len) != (ssize_t)x->len) {
		vgs_error_set(err, "cannot write the SimGrid platform to %s: %s", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		g_string_free(x, TRUE);
		return -1;
	}
	close(fd);
	g_string_free(x, TRUE);
	simgrid_load_platform(path);
	unlink(path);
	return 0;
}

/* ---- routes between GPUs: live migration (sim/migrate.c, docs/pools.md) ---------------------- */

/* The host (server) a GPU is on: its physical GPU's rank among the physical GPUs / gpus_per_host. */
static uint32_t gpu_host(const struct vgs_scenario *scn, uint32_t g)
{
	uint32_t rank = 0;

	for (uint32_t i = 0; i < scn->gpus[g].phys; i++)
		rank += scn->gpus[i].phys == i;
	return rank / scn->interconnect.gpus_per_host;
}

static void add_link(GPtrArray *links, double *lat, double *bw, char *name, double l, double b)
{
	if (links)
		g_ptr_array_add(links, name);
	else
		g_free(name);
	*lat += l;
	if (b < *bw)
		*bw = b;
}

void sim_route(const struct vgs_scenario *scn, uint32_t a, uint32_t b, GPtrArray *links, double *lat_s, double *bw_Bps)
{
	const struct vgs_gpu *ga = &scn->gpus[scn->gpus[a].phys], *gb = &scn->gpus[scn->gpus[b].phys];
	uint32_t ha = gpu_host(scn, a), hb = gpu_host(scn, b);

	*lat_s = 0;
	*bw_Bps = INFINITY;
	if (ha == hb && ga->nvlink_bw_Bps > 0 && gb->nvlink_bw_Bps > 0) {
		add_link(links, lat_s, bw_Bps, g_strdup_printf("%s.nvlink_tx", ga->name), ga->nvlink_latency_ns * 1e-9,
			 ga->nvlink_bw_Bps);
		add_link(links, lat_s, bw_Bps, g_strdup_printf("%s.nvlink_rx", gb->name), gb->nvlink_latency_ns * 1e-9,
			 gb->nvlink_bw_Bps);
		return;
	}
	add_link(links, lat_s, bw_Bps, g_strdup_printf("%s.pcie_d2h", ga->name), ga->pcie_latency_ns * 1e-9, ga->pcie_bw_Bps);
	if (ha != hb) {
		double nl = scn->interconnect.net_latency_ns * 1e-9, nb = scn->interconnect.net_bw_Bps;

		add_link(links, lat_s, bw_Bps, g_strdup_printf("host%u.net_tx", ha), nl, nb);
		add_link(links, lat_s, bw_Bps, g_strdup_printf("host%u.net_rx", hb), nl, nb);
	}
	add_link(links, lat_s, bw_Bps, g_strdup_printf("%s.pcie_h2d", gb->name), gb->pcie_latency_ns * 1e-9, gb->pcie_bw_Bps);
}

static void link_xml(GString *x, const char *id, double bw, double lat_s)
{
	char *e = g_markup_escape_text(id, -1);

	g_string_append_printf(x, "  <link id=\"%s\" bandwidth=\"%.17gBps\" latency=\"%.17gs\"/>\n", e, bw, lat_s);
	g_free(e);
}

/* The zone of physical GPU g's hosts, links and routes (escaped for XML, g_free). */
static char *gpu_zone(const struct vgs_scenario *scn, uint32_t g)
{
	char *name = g_strdup_printf("vgpusim.gpu.%s", scn->gpus[g].name);
	char *zone = g_markup_escape_text(name, -1);

	g_free(name);
	return zone;
}

/*
 * Physical GPU g's part of its zone, in the order the DTD wants them: pass 0 its hosts (engines, the
 * two host-memory endpoints and, with migrations, the endpoint <gpu>.mig), pass 1 its links (PCIe and,
 * with migrations, NVLink where its profile has it), pass 2 the routes from each engine to the two
 * endpoints.  MIG instances of one physical GPU share its link: the one of its first instance
 * (vgs_gpu.phys).  engines[] lists the engines of g (those of its MIG instances too).
 */
static void gpu_xml(GString *x, const struct sim *sim, uint32_t g, const uint32_t *engines, uint32_t nengines, int pass)
{
	const struct vgs_scenario *scn = sim->drv.scn;
	const struct vgs_gpu *gp = &scn->gpus[g];
	char *n;

	for (uint32_t k = 0; pass == 0 && k < nengines; k++) {
		const struct vgs_engine *e = &scn->engines[engines[k]];
		const struct vgs_class_cfg *c = &scn->gpus[e->gpu].cls[e->cls];

		/* One core per channel: an SM engine a spatial policy shares has more than `channels`. */
		host_xml(x, e->name, 1e9 * c->speed, sim->drv.engines[engines[k]].nchan, c->idle_w, c->busy_w);
	}
	for (int d = 0; d < 2; d++) {
		char *name = g_strdup_printf("%s.host_%s", gp->name, d ? "d2h" : "h2d");
		char *link = g_strdup_printf("%s.pcie_%s", gp->name, d ? "d2h" : "h2d");

		if (pass == 0) {
			host_xml(x, name, 1e9, 1, 0, 0);
		} else if (pass == 1) {
			link_xml(x, link, gp->pcie_bw_Bps, gp->pcie_latency_ns * 1e-9);
		} else {
			char *elink = g_markup_escape_text(link, -1), *dst = g_markup_escape_text(name, -1);

			for (uint32_t k = 0; k < nengines; k++) {
				char *src = g_markup_escape_text(scn->engines[engines[k]].name, -1);

				g_string_append_printf(x, "  <route src=\"%s\" dst=\"%s\"><link_ctn id=\"%s\"/></route>\n",
						       src, dst, elink);
				g_free(src);
			}
			g_free(elink);
			g_free(dst);
		}
		g_free(name);
		g_free(link);
	}
	if (!scn->nmigrations)
		return;
	if (pass == 0) {
		n = g_strdup_printf("%s.mig", gp->name);
		host_xml(x, n, 1e9, 1, 0, 0);
		g_free(n);
	} else if (pass == 1 && gp->nvlink_bw_Bps > 0) {
		n = g_strdup_printf("%s.nvlink_tx", gp->name);
		link_xml(x, n, gp->nvlink_bw_Bps, gp->nvlink_latency_ns * 1e-9);
		g_free(n);
		n = g_strdup_printf("%s.nvlink_rx", gp->name);
		link_xml(x, n, gp->nvlink_bw_Bps, gp->nvlink_latency_ns * 1e-9);
		g_free(n);
	}
}

/*
 * In the top zone, only when the scenario has migrations: the hosts' network links (shared by all the
 * GPUs of a host, so they belong to no GPU's zone), then a zone route for every ordered pair of
 * physical GPUs a migration may use -- from any GPU its vGPU may be on (its own, or a destination of
 * another of its migrations) to its destination -- between the two GPUs' .mig endpoints (the
 * gateways), over sim_route()'s links.  SimGrid resolves a link by name wherever it was declared, so
 * the route crosses the source GPU's PCIe link in its zone, the network here and the destination's.
 */
static void mig_top_xml(GString *x, const struct vgs_scenario *scn)
{
	uint32_t nhosts = 0, rank = 0;
	GHashTable *seen;

	if (!scn->nmigrations)
		return;
	for (uint32_t g = 0; g < scn->ngpus; g++)
		if (scn->gpus[g].phys == g)
			nhosts = rank++ / scn->interconnect.gpus_per_host + 1;
	for (uint32_t h = 0; h < nhosts; h++)
		for (int d = 0; d < 2; d++) {
			char *n = g_strdup_printf("host%u.net_%s", h, d ? "rx" : "tx");

			link_xml(x, n, scn->interconnect.net_bw_Bps, scn->interconnect.net_latency_ns * 1e-9);
			g_free(n);
		}
	seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (uint32_t m = 0; m < scn->nmigrations; m++) {
		uint32_t t = scn->migrations[m].tenant;

		for (uint32_t k = 0; k <= scn->nmigrations; k++) {
			uint32_t src = k == scn->nmigrations ? scn->tenants[t].gpu : scn->migrations[k].gpu;
			uint32_t a = scn->gpus[src].phys, b = scn->gpus[scn->migrations[m].gpu].phys;
			char *key, *za, *zb, *ga, *gb, *na, *nb;
			GPtrArray *links;
			double lat, bw;

			if ((k < scn->nmigrations && scn->migrations[k].tenant != t) || a == b)
				continue;
			key = g_strdup_printf("%u,%u", a, b);
			if (g_hash_table_contains(seen, key)) {
				g_free(key);
				continue;
			}
			g_hash_table_add(seen, key);
			links = g_ptr_array_new_with_free_func(g_free);
			sim_route(scn, a, b, links, &lat, &bw);
			za = gpu_zone(scn, a);
			zb = gpu_zone(scn, b);
			na = g_strdup_printf("%s.mig", scn->gpus[a].name);
			nb = g_strdup_printf("%s.mig", scn->gpus[b].name);
			ga = g_markup_escape_text(na, -1);
			gb = g_markup_escape_text(nb, -1);
			g_string_append_printf(x, "  <zoneRoute src=\"%s\" dst=\"%s\" gw_src=\"%s\" gw_dst=\"%s\" "
					       "symmetrical=\"NO\">", za, zb, ga, gb);
			for (guint i = 0; i < links->len; i++) {
				char *l = g_markup_escape_text(links->pdata[i], -1);

				g_string_append_printf(x, "<link_ctn id=\"%s\"/>", l);
				g_free(l);
			}
			g_string_append(x, "</zoneRoute>\n");
			g_ptr_array_free(links, TRUE);
			g_free(za);
			g_free(zb);
			g_free(na);
			g_free(nb);
			g_free(ga);
			g_free(gb);
		}
	}
	g_hash_table_destroy(seen);
}

int sim_platform_load(struct sim *sim, struct vgs_error *err)
{
	const struct vgs_scenario *scn = sim->drv.scn;
	GString *x = g_string_new("<?xml version='1.0'?>\n"
				  "<!DOCTYPE platform SYSTEM \"https://simgrid.org/simgrid.dtd\">\n"
				  "<platform version=\"4.1\">\n");
	/* Each physical GPU's engines (those of its MIG instances too), in index order. */
	uint32_t *start = g_new0(uint32_t, scn->ngpus + 2), *list = g_new0(uint32_t, scn->nengines + 1);
	uint32_t *fill = g_new0(uint32_t, scn->ngpus + 1);

	/* Nothing is routed between GPUs but a live migration's transfers (zone routes, mig_top_xml). */
	g_string_append_printf(x, " <zone id=\"vgpusim\" routing=\"%s\">\n  <zone id=\"vgpusim.ctl\" routing=\"Full\">\n",
			       scn->nmigrations ? "Full" : "None");
	host_xml(x, "ctl", 1e9, 1, 0, 0);
	g_string_append(x, "  </zone>\n");
	for (uint32_t i = 0; i < scn->nengines; i++)
		start[scn->gpus[scn->engines[i].gpu].phys + 1]++;
	for (uint32_t g = 0; g < scn->ngpus; g++)
		start[g + 1] += start[g];
	for (uint32_t i = 0; i < scn->nengines; i++) {
		uint32_t g = scn->gpus[scn->engines[i].gpu].phys;

		list[start[g] + fill[g]++] = i;
	}
	g_free(fill);
	/* Zones of physical GPUs (engines, host-memory endpoints, their PCIe links and the routes over
	 * them), so the routing tables grow with a zone's GPUs, not with the whole fleet: as many GPUs as
	 * SIM_ZONE_HOSTS allows, at least one.  A live migration's zone routes join the zones of two GPUs
	 * (mig_top_xml): then each physical GPU is a zone of its own. */
	bool per_gpu = scn->nmigrations > 0;

	for (uint32_t g0 = 0, g1, n; g0 < scn->ngpus; g0 = g1) {
		char *zone;

		/* Physical GPUs from g0 on (a MIG instance's engines are listed with its physical GPU's). */
		for (g1 = g0 + 1, n = start[g0 + 1] - start[g0] + 2; g1 < scn->ngpus; g1++) {
			uint32_t h = start[g1 + 1] - start[g1] + 2;

			if (scn->gpus[g1].phys == g1 && (per_gpu || n + h > SIM_ZONE_HOSTS))
				break;
			n += scn->gpus[g1].phys == g1 ? h : 0;
		}
		if (per_gpu) {
			zone = gpu_zone(scn, g0);
		} else {
			char *name = g_strdup_printf("vgpusim.gpus.%s", scn->gpus[g0].name);

			zone = g_markup_escape_text(name, -1);
			g_free(name);
		}
		g_string_append_printf(x, "  <zone id=\"%s\" routing=\"Full\">\n", zone);
		g_free(zone);
		for (int pass = 0; pass < 3; pass++)
			for (uint32_t g = g0; g < g1; g++)
				if (scn->gpus[g].phys == g)
					gpu_xml(x, sim, g, list + start[g], start[g + 1] - start[g], pass);
		g_string_append(x, "  </zone>\n");
	}
	g_free(start);
	g_free(list);
	mig_top_xml(x, scn);
	g_string_append(x, " </zone>\n</platform>\n");

	if (sim_platform_load_xml(x, err))
		return -1;

	/* The hosts by name, from one list of them: sg_host_by_name searches every zone (SimGrid 3.32), so
	 * looking up each GPU's hosts that way was quadratic in GPUs. */
	size_t nhosts = sg_host_count();
	sg_host_t *hosts = sg_host_list();
	GHashTable *by_name = g_hash_table_new(g_str_hash, g_str_equal);

	for (size_t i = 0; i < nhosts; i++)
		g_hash_table_insert(by_name, (gpointer)sg_host_get_name(hosts[i]), hosts[i]);
	sim->ctl_host = g_hash_table_lookup(by_name, "ctl");
	for (uint32_t i = 0; i < scn->nengines; i++)
		sim_engine(&sim->drv.engines[i])->host = g_hash_table_lookup(by_name, scn->engines[i].name);
	sim->pcie_host = g_new0(sg_host_t, 2 * (size_t)scn->ngpus);
	for (uint32_t g = 0; g < scn->ngpus; g++)
		for (int d = 0; g == scn->gpus[g].phys && d < 2; d++) {
			char *name = g_strdup_printf("%s.host_%s", scn->gpus[g].name, d ? "d2h" : "h2d");

			sim->pcie_host[2 * g + d] = g_hash_table_lookup(by_name, name);
			g_free(name);
		}
	g_hash_table_destroy(by_name);
	free(hosts); /* xbt_new: malloc */
	return 0;
}
