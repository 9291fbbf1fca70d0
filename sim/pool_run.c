/*
 * The pool level on SimGrid (sim/pool.h): the pool's platform, its event loop in one actor, and the
 * bytes of its live migrations as SimGrid communications between GPU hosts, so that migrations that
 * share a link (a host's network port, a GPU's PCIe link) share its bandwidth (docs/pools.md,
 * "The interconnect").
 *
 * The generated platform: one zone per host (server) of interconnect.gpus_per_host GPUs, each GPU a
 * SimGrid host named after it (a100-17) joined to the host's memory (host3.mem) by its PCIe link, one
 * link per direction, and to the other GPUs of its host by NVLink where both profiles have it; the
 * hosts' zones joined by each host's network link (one per direction, a non-blocking fabric between
 * them).  Routes are sim_route()'s (sim/platform.c), the formula the command level uses too.  With
 * interconnect.platform the user's file is loaded instead: every GPU of the pool must be a host of its
 * name there; the route between two GPU hosts is whatever the file says.
 *
 * The loop is sim/loop.c's: with no transfer in flight the pool runs ahead of SimGrid's clock, which
 * catches up before the next transfer starts; while some are, it waits in SimGrid for their ends or
 * its next event, whichever comes first.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <simgrid/actor.h>
#include <simgrid/engine.h>
#include <simgrid/host.h>
#include <simgrid/mailbox.h>
#include <simgrid/semaphore.h>

#include "models/base/interrupt.h"
#include "sim/pool.h"
#include "sim/sim.h"

struct pool_sim {
	struct vgs_pool *p;
	const struct vgs_scenario *s;
	struct sim_mixer *mx;
	sg_sem_t sem;
	GQueue done;                 /* struct pxf * whose bytes arrived */
	uint32_t inflight;
	sg_mailbox_t *mb;            /* per GPU, its receiving end once used */
	bool progress, interrupted, failed;
	struct vgs_error *err;
	double wall0, shown;
};

struct pxf {
	struct pool_sim *ps;
	void *token;
	sg_mailbox_t mb;
	uint64_t bytes, done_ns;
};

static double wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ---- the platform ------------------------------------------------------------------------------ */

static void link_xml(GString *x, const char *id, double bw, double lat_s)
{
	g_string_append_printf(x, "   <link id=\"%s\" bandwidth=\"%.17gBps\" latency=\"%.17gs\"/>\n", id, bw, lat_s);
}

static void route_xml(GString *x, const char *src, const char *dst, GPtrArray *links, const char *tag,
		      const char *gws, const char *gwd)
{
	g_string_append_printf(x, "   <%s src=\"%s\" dst=\"%s\"", tag, src, dst);
	if (gws)
		g_string_append_printf(x, " gw_src=\"%s\" gw_dst=\"%s\"", gws, gwd);
	g_string_append(x, " symmetrical=\"NO\">");
	for (guint i = 0; i < links->len; i++)
		g_string_append_printf(x, "<link_ctn id=\"%s\"/>", (char *)links->pdata[i]);
	g_string_append_printf(x, "</%s>\n", tag);
}

static uint32_t host_of(const struct vgs_scenario *s, uint32_t g)
{
	return g / s->interconnect.gpus_per_host;
}

/* GPU names are [A-Za-z0-9_.-]: nothing to escape in the XML. */
static GString *platform_xml(const struct vgs_scenario *s)
{
	GString *x = g_string_new("<?xml version='1.0'?>\n<!DOCTYPE platform SYSTEM \"https://simgrid.org/simgrid.dtd\">\n"
				  "<platform version=\"4.1\">\n <zone id=\"pool\" routing=\"Full\">\n");
	uint32_t nh = s->ngpus ? host_of(s, s->ngpus - 1) + 1 : 0;

	for (uint32_t h = 0; h < nh; h++) {
		uint32_t a0 = h * s->interconnect.gpus_per_host, a1 = a0 + s->interconnect.gpus_per_host;

		if (a1 > s->ngpus)
			a1 = s->ngpus;
		g_string_append_printf(x, "  <zone id=\"host%u\" routing=\"Full\">\n   <host id=\"host%u.mem\" speed=\"1Gf\"/>\n",
				       h, h);
		for (uint32_t g = a0; g < a1; g++)
			g_string_append_printf(x, "   <host id=\"%s\" speed=\"1Gf\"/>\n", s->gpus[g].name);
		for (uint32_t g = a0; g < a1; g++) {
			const struct vgs_gpu *gp = &s->gpus[g];
			char *n;

			for (int d = 0; d < 2; d++) {
				n = g_strdup_printf("%s.pcie_%s", gp->name, d ? "h2d" : "d2h");
				link_xml(x, n, gp->pcie_bw_Bps, gp->pcie_latency_ns * 1e-9);
				g_free(n);
				if (gp->nvlink_bw_Bps <= 0)
					continue;
				n = g_strdup_printf("%s.nvlink_%s", gp->name, d ? "rx" : "tx");
				link_xml(x, n, gp->nvlink_bw_Bps, gp->nvlink_latency_ns * 1e-9);
				g_free(n);
			}
		}
		for (uint32_t a = a0; a < a1; a++) {
			char *mem = g_strdup_printf("host%u.mem", h);
			GPtrArray *l = g_ptr_array_new_with_free_func(g_free);

			g_ptr_array_add(l, g_strdup_printf("%s.pcie_d2h", s->gpus[a].name));
			route_xml(x, s->gpus[a].name, mem, l, "route", NULL, NULL);
			g_ptr_array_set_size(l, 0);
			g_ptr_array_add(l, g_strdup_printf("%s.pcie_h2d", s->gpus[a].name));
			route_xml(x, mem, s->gpus[a].name, l, "route", NULL, NULL);
			for (uint32_t b = a0; b < a1; b++) {
				double lat, bw;

				if (a == b)
					continue;
				g_ptr_array_set_size(l, 0);
				sim_route(s, a, b, l, &lat, &bw);
				route_xml(x, s->gpus[a].name, s->gpus[b].name, l, "route", NULL, NULL);
			}
			g_ptr_array_free(l, TRUE);
			g_free(mem);
		}
		g_string_append(x, "  </zone>\n");
	}
	for (uint32_t h = 0; h < nh; h++)
		for (int d = 0; d < 2; d++) {
			char *n = g_strdup_printf("host%u.net_%s", h, d ? "rx" : "tx");

			link_xml(x, n, s->interconnect.net_bw_Bps, s->interconnect.net_latency_ns * 1e-9);
			g_free(n);
		}
	for (uint32_t a = 0; a < nh; a++)
		for (uint32_t b = 0; b < nh; b++) {
			char *za, *zb, *ga, *gb;
			GPtrArray *l;

			if (a == b)
				continue;
			za = g_strdup_printf("host%u", a);
			zb = g_strdup_printf("host%u", b);
			ga = g_strdup_printf("host%u.mem", a);
			gb = g_strdup_printf("host%u.mem", b);
			l = g_ptr_array_new_with_free_func(g_free);
			g_ptr_array_add(l, g_strdup_printf("host%u.net_tx", a));
			g_ptr_array_add(l, g_strdup_printf("host%u.net_rx", b));
			route_xml(x, za, zb, l, "zoneRoute", ga, gb);
			g_ptr_array_free(l, TRUE);
			g_free(za);
			g_free(zb);
			g_free(ga);
			g_free(gb);
		}
	g_string_append(x, " </zone>\n</platform>\n");
	return x;
}

void sim_pool_route(void *scn, uint32_t a, uint32_t b, double *lat_s, double *bw_Bps)
{
	sim_route(scn, a, b, NULL, lat_s, bw_Bps);
}

/* ---- transfers --------------------------------------------------------------------------------- */

static void sender(int argc, char **argv)
{
	struct pxf *x = sg_actor_self_get_data();

	sg_mailbox_put(x->mb, x, (long)x->bytes);
	x->done_ns = sim_simgrid_ns();
	g_queue_push_tail(&x->ps->done, x);
	sg_sem_release(x->ps->sem);
}

static void pool_transfer(void *user, uint32_t a, uint32_t b, uint64_t bytes, void *token)
{
	struct pool_sim *ps = user;
	struct pxf *x = g_new0(struct pxf, 1);
	uint64_t now;
	sg_actor_t act;

	now = vgs_pool_now(ps->p);
	if (!ps->mb[b]) {
		char *name = g_strdup_printf("%s.mig", ps->s->gpus[b].name);

		ps->mb[b] = sg_mailbox_by_name(name);
		act = sg_actor_init(name, sg_host_by_name(ps->s->gpus[b].name));
		sg_actor_set_data(act, ps->mb[b]);
		sg_actor_start(act, sim_pcie_receiver_actor, 0, NULL);
		sg_actor_daemonize(act);
		g_free(name);
	}
	/* SimGrid's clock catches up with the pool's before the bytes leave. */
	if (sim_simgrid_ns() < now)
		sg_actor_sleep_until((double)now * 1e-9);
	x->ps = ps;
	x->token = token;
	x->mb = ps->mb[b];
	x->bytes = bytes;
	act = sg_actor_init("migrate", sg_host_by_name(ps->s->gpus[a].name));
	sg_actor_set_data(act, x);
	sg_actor_start(act, sender, 0, NULL);
	sg_actor_daemonize(act);
	ps->inflight++;
}

static const struct vgs_mix_entry *need_final(void *user, const struct vgs_mix *m)
{
	struct pool_sim *ps = user;
	const struct vgs_mix_entry *e;

	if (ps->failed)
		return NULL;
	e = sim_mixer_get(ps->mx, m, true, ps->err);
	if (!e)
		ps->failed = true; /* the loop stops at its next step: the error is in ps->err */
	return e;
}

static void show(struct pool_sim *ps, bool last)
{
	uint64_t ev, arrived, now;
	double w = wall();

	if (!ps->progress)
		return;
	if (last) {
		fputs("\r\033[K", stderr);
		return;
	}
	if (w - ps->shown < 0.2)
		return;
	ps->shown = w;
	vgs_pool_progress(ps->p, &ev, &arrived, &now);
	fprintf(stderr, "\r\033[Kpool: simulated %.2f h of %.2f h, %" G_GUINT64_FORMAT " requests, %u mixes (%" G_GUINT64_FORMAT
		" run, %" G_GUINT64_FORMAT " cached)", now / 3.6e12, (ps->s->warmup_ns + ps->s->duration_ns) / 3.6e12,
		arrived, g_hash_table_size(ps->mx->known), ps->mx->runs, ps->mx->cached);
}

static void loop_actor(int argc, char **argv)
{
	struct pool_sim *ps = sg_actor_self_get_data();

	for (;;) {
		uint64_t next = vgs_pool_next_ns(ps->p);

		show(ps, false);
		if (vgs_interrupted()) {
			ps->interrupted = true;
			break;
		}
		if (ps->failed)
			break;
		if (ps->inflight) {
			struct pxf *x;
			bool any = false;

			if (g_queue_is_empty(&ps->done)) {
				if (next == UINT64_MAX)
					sg_sem_acquire(ps->sem);
				else if (sim_simgrid_ns() < next &&
					 sg_sem_acquire_timeout(ps->sem, (double)next * 1e-9 - simgrid_get_clock()) != 0)
					sg_actor_yield(); /* a transfer ending at this very instant comes first */
			}
			while ((x = g_queue_pop_head(&ps->done))) {
				ps->inflight--;
				vgs_pool_transfer_done(ps->p, x->token, x->done_ns);
				g_free(x);
				any = true;
			}
			if (any)
				continue;
		}
		if (next == UINT64_MAX)
			break;
		vgs_pool_fire(ps->p, next);
	}
	show(ps, true);
}

int sim_pool_run(struct vgs_pool *p, const struct vgs_scenario *s, struct sim_mixer *mx, bool progress,
		 bool *interrupted, struct vgs_error *err)
{
	struct pool_sim ps = { .p = p, .s = s, .mx = mx, .progress = progress, .err = err };
	sg_actor_t act;

	sim_simgrid_start();
	if (s->interconnect.platform) {
		simgrid_load_platform(s->interconnect.platform);
		for (uint32_t g = 0; g < s->ngpus; g++)
			if (!sg_host_by_name(s->gpus[g].name)) {
				vgs_error_set(err, "%s: no host named '%s': every GPU of the pool is a host of its name in "
					      "the platform (docs/pools.md, \"The interconnect\")", s->interconnect.platform,
					      s->gpus[g].name);
				return -1;
			}
	} else if (sim_platform_load_xml(platform_xml(s), err) < 0) {
		return -1;
	}
	ps.sem = sg_sem_init(0);
	ps.mb = g_new0(sg_mailbox_t, s->ngpus);
	ps.wall0 = wall();
	vgs_pool_set_ops(p, &ps, pool_transfer, need_final);
	act = sg_actor_init("pool", sg_host_by_name(s->gpus[0].name));
	sg_actor_set_data(act, &ps);
	sg_actor_start(act, loop_actor, 0, NULL);
	simgrid_run();
	*interrupted = ps.interrupted;
	g_free(ps.mb);
	g_queue_clear_full(&ps.done, g_free);
	sg_sem_destroy(ps.sem);
	return ps.failed ? -1 : 0;
}
