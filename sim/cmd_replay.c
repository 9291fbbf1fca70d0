/*
 * `vgpusim replay` and `vgpusim calibrate` run the executor, vgpusim-replay: a separate program without
 * SimGrid (hw-trace/exec/, docs/executor.md) installed next to this one, through vgs_cli_run_executor()
 * (sim/cli.c).  Their arguments are handed on unchanged; their help is answered from these entries,
 * without starting the executor.
 */
#include "sim/cli.h"

const struct vgs_cli_cmd vgs_cli_replay = {
	.name = "replay", .synopsis = "CONFIG --backend host|cuda [options]",
	.summary = "run the scenario for real with the same policies",
	.run = vgs_cli_run_executor,
	.help = "Run the scenario CONFIG for real with the same policy objects as the simulator, on a backend\n"
		"(the executor vgpusim-replay, docs/executor.md), and write a results directory like a run's\n"
		"plus executor.json.  Ctrl-C stops it; the results are then marked partial.\n"
		"\n"
		"options:\n"
		"      --backend NAME      what runs the commands: host (timers on the CPU, the default) or\n"
		"                          cuda (a CUDA GPU; refused with a clear message when there is none)\n"
		"  -o, --output DIR        results directory (default: results/<scenario>-<backend>)\n"
		VGS_ARGS_HELP
		"      --slices            also write slices.csv (the Gantt data of `vgpusim plot`)\n"
		"  -q, --quiet             do not print the results table\n",
};

const struct vgs_cli_cmd vgs_cli_calibrate = {
	.name = "calibrate", .synopsis = "--backend host|cuda -o PROFILE.cfg [options]",
	.summary = "measure a backend's overheads into a GPU profile",
	.run = vgs_cli_run_executor,
	.help = "Replay microbenchmarks through the executor on a backend and write what it adds to the nominal\n"
		"times (launch time per command, timer lateness, PCIe bandwidth and latency) as a GPU profile for\n"
		"the simulator (docs/executor.md, docs/validation.md).\n"
		"\n"
		"options:\n"
		"      --backend NAME      the backend to measure: host (the default) or cuda\n"
		"  -o, --output FILE       the GPU profile to write, e.g. PROFILE.cfg (required)\n"
		"      --base FILE         the profile whose other hardware figures are kept (default: a\n"
		"                          neutral one: one channel per class, speed 1, no switch cost)\n"
		"      --name NAME         the profile's name (default: the output file's stem)\n"
		"  -q, --quiet             no progress lines nor summary\n",
};
