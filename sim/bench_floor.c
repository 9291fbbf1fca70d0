/*
 * The floor of DESIGN.md §7: what SimGrid costs when every command is one activity.  One actor on one
 * host runs N back-to-back execs (each 1 µs of work: any size costs the same), with vgpusim's SimGrid
 * settings, and the wall time per exec is printed.  `make bench` runs it next to the real scenarios and
 * reports their simulated commands/s as a multiple of this floor, so the ratio holds on any machine.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <simgrid/engine.h>

#include "sim/cli.h"
#include "sim/sim.h"

const struct vgs_cli_cmd vgs_cli_bench_floor = {
	.name = "bench-floor", .synopsis = "[EXECS]",
	.summary = "SimGrid's cost of one exec per command (make bench)",
	.run = sim_bench_floor,
	.help = "Run EXECS (default 1000000) back-to-back SimGrid execs of one actor on one host, with vgpusim's\n"
		"SimGrid settings, and print the wall time per exec: the floor that `make bench` reports the\n"
		"simulator's commands/s against (bench/, docs/simulator.md).\n",
};

static unsigned long floor_n;
static double floor_wall;

static void floor_actor(int argc, char **argv)
{
	double t0 = vgs_cli_wall_s();

	for (unsigned long i = 0; i < floor_n; i++)
		sg_actor_execute(1000.0);
	floor_wall = vgs_cli_wall_s() - t0;
}

int sim_bench_floor(int argc, char **argv)
{
	struct vgs_error err = { { 0 } };
	GString *x = g_string_new("<?xml version='1.0'?>\n"
				  "<!DOCTYPE platform SYSTEM \"https://simgrid.org/simgrid.dtd\">\n"
				  "<platform version=\"4.1\">\n <zone id=\"floor\" routing=\"Full\">\n"
				  "  <host id=\"engine\" speed=\"1e9f\" core=\"1\"/>\n </zone>\n</platform>\n");
	char *end = NULL;

	floor_n = 1000000;
	if (argc > 2 || (argc == 2 && ((floor_n = strtoul(argv[1], &end, 10)) == 0 || *end))) {
		g_string_free(x, TRUE);
		fprintf(stderr, "vgpusim: usage: vgpusim bench-floor [EXECS] (a positive integer, default 1000000)\n");
		return VGS_EXIT_BAD_INPUT;
	}
	sim_simgrid_start();
	if (sim_platform_load_xml(x, &err)) {
		fprintf(stderr, "vgpusim: %s\n", err.msg);
		return 1;
	}
	sg_actor_t a = sg_actor_init("floor", sg_host_by_name("engine"));

	sg_actor_start(a, floor_actor, 0, NULL);
	simgrid_run();
	printf("floor: %lu execs in %.3f s: %.0f execs/s, %.3f us per exec\n", floor_n, floor_wall,
	       floor_n / floor_wall, floor_wall / floor_n * 1e6);
	return 0;
}
