/*
 * Builds the SimGrid platform of a scenario: one host per engine (speed 1e9 flop/s x the class's
 * speed factor, so 1 flop = 1 ns of reference work; one core per channel so concurrent streams of one
 * context each run at full speed), a control host for the tenant and scheduler actors, and per
 * physical GPU two host-memory endpoints joined to every engine by one PCIe link per direction (PCIe
 * is full duplex; the MIG instances of a GPU share its link).  Each physical GPU is a zone of its own
 * and the control host another: routes exist only inside a GPU, so the platform is linear in GPUs.  Power figures feed the host-energy plugin: "idle:idle:busy" makes power linear in the
 * number of busy channels.  The platform is written as XML to a temporary file and loaded from there,
 * the stable way to give hosts core counts and properties through SimGrid's C interface.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <simgrid/engine.h>

#include "sim/sim.h"

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

int sim_platform_load(struct sim *sim, struct vgs_error *err)
{
	const struct vgs_scenario *scn = sim->drv.scn;
	GString *x = g_string_new("<?xml version='1.0'?>\n"
				  "<!DOCTYPE platform SYSTEM \"https://simgrid.org/simgrid.dtd\">\n"
				  "<platform version=\"4.1\">\n <zone id=\"vgpusim\" routing=\"None\">\n"
				  "  <zone id=\"vgpusim.ctl\" routing=\"Full\">\n");
	/* Each physical GPU's engines (those of its MIG instances too), in index order. */
	uint32_t *start = g_new0(uint32_t, scn->ngpus + 2), *list = g_new0(uint32_t, scn->nengines + 1);
	uint32_t *fill = g_new0(uint32_t, scn->ngpus + 1);

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
	/* One zone per physical GPU (engines, host-memory endpoints, its PCIe links and the routes over
	 * them), so the routing tables grow with a GPU's engines, not with the whole fleet: nothing is
	 * routed between GPUs.  The DTD wants every host, then every link, then the routes.  MIG
	 * instances of one physical GPU share its link: the one of its first instance (vgs_gpu.phys). */
	for (uint32_t g = 0; g < scn->ngpus; g++) {
		char *zone;

		if (scn->gpus[g].phys != g)
			continue;
		zone = g_markup_escape_text(scn->gpus[g].name, -1);
		g_string_append_printf(x, "  <zone id=\"vgpusim.gpu.%s\" routing=\"Full\">\n", zone);
		g_free(zone);
		for (uint32_t k = start[g]; k < start[g + 1]; k++) {
			const struct vgs_engine *e = &scn->engines[list[k]];
			const struct vgs_class_cfg *c = &scn->gpus[e->gpu].cls[e->cls];

			/* One core per channel: an SM engine a spatial policy shares has more than `channels`. */
			host_xml(x, e->name, 1e9 * c->speed, sim->drv.engines[list[k]].nchan, c->idle_w, c->busy_w);
		}
		for (int pass = 0; pass < 3; pass++) {
			for (int d = 0; d < 2; d++) {
				char *name = g_strdup_printf("%s.host_%s", scn->gpus[g].name, d ? "d2h" : "h2d");
				char *link = g_strdup_printf("%s.pcie_%s", scn->gpus[g].name, d ? "d2h" : "h2d");
				char *elink = g_markup_escape_text(link, -1);
				char *dst = g_markup_escape_text(name, -1);

				if (pass == 0)
					host_xml(x, name, 1e9, 1, 0, 0);
				else if (pass == 1)
					g_string_append_printf(x, "  <link id=\"%s\" bandwidth=\"%.17gBps\" latency=\"%.17gs\"/>\n",
							       elink, scn->gpus[g].pcie_bw_Bps,
							       scn->gpus[g].pcie_latency_ns * 1e-9);
				else
					for (uint32_t k = start[g]; k < start[g + 1]; k++) {
						char *src = g_markup_escape_text(scn->engines[list[k]].name, -1);

						g_string_append_printf(x, "  <route src=\"%s\" dst=\"%s\"><link_ctn id=\"%s\"/></route>\n",
								       src, dst, elink);
						g_free(src);
					}
				g_free(name);
				g_free(link);
				g_free(elink);
				g_free(dst);
			}
		}
		g_string_append(x, "  </zone>\n");
	}
	g_free(start);
	g_free(list);
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
