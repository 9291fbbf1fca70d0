/*
 * vgpusim command line: the table of sub-commands and the dispatch to them.
 *
 *   vgpusim NAME [arguments]      run the command NAME (sim/cmd_*.c, each with its table entry)
 *   vgpusim NAME --help           its usage and options (-h too, anywhere before a "--")
 *   vgpusim help [NAME]           the same, or the usage of every command
 *   vgpusim --version
 *
 * The usage, every --help and the list of commands in the unknown-command message are generated from
 * the table, so a command added to it is documented everywhere at once.  Bad input (command line,
 * config, trace) prints one line naming what and where, and exits 2 without writing any results.
 */
#include <malloc.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "hw-trace/cache.h"
#include "hw-trace/stats.h"
#include "models/base/interrupt.h"
#include "models/workload/trace.h"
#include "sim/cli.h"

#ifndef VGS_VERSION
#define VGS_VERSION "unknown"
#endif

/* The column of the summaries in the usage: "       vgpusim NAME SYNOPSIS" is padded to it, or the
 * summary goes on the next line when the synopsis is longer. */
#define USAGE_SUMMARY_COL 38

static const struct vgs_cli_cmd *const commands[] = {
	&vgs_cli_run,    &vgs_cli_compare,   &vgs_cli_sweep,     &vgs_cli_capacity, &vgs_cli_plot,
	&vgs_cli_policies, &vgs_cli_import,  &vgs_cli_trace,     &vgs_cli_fit,      &vgs_cli_translate,
	&vgs_cli_fit_speed, &vgs_cli_replay, &vgs_cli_calibrate, &vgs_cli_validate, &vgs_cli_leak,
	&vgs_cli_pool,   &vgs_cli_requests,  &vgs_cli_bench_floor, NULL,
};

static const struct vgs_cli_cmd *find(const char *name)
{
	for (int i = 0; commands[i]; i++)
		if (!strcmp(commands[i]->name, name))
			return commands[i];
	return NULL;
}

/* One line of the usage: `what` after `lead`, then the summary at USAGE_SUMMARY_COL. */
static void usage_line(FILE *out, const char *lead, const char *what, const char *summary)
{
	int n = fprintf(out, "%s %s", lead, what);

	if (n < USAGE_SUMMARY_COL)
		fprintf(out, "%*s%s\n", USAGE_SUMMARY_COL - n, "", summary);
	else
		fprintf(out, "\n%*s%s\n", USAGE_SUMMARY_COL, "", summary);
}

static void usage(FILE *out)
{
	for (int i = 0; commands[i]; i++) {
		char *what = g_strdup_printf("vgpusim %s %s", commands[i]->name, commands[i]->synopsis);

		usage_line(out, i ? "      " : "usage:", what, commands[i]->summary);
		g_free(what);
	}
	usage_line(out, "      ", "vgpusim help COMMAND", "a command's options (or: vgpusim COMMAND --help)");
	fputs("       vgpusim --version\n"
	      "\n"
	      "Configs are documented in docs/config.md, outputs and metrics in docs/metrics.md, the VRAM\n"
	      "model (page tables, quotas, faults, oversubscription; configs/oversubscribe.cfg) in docs/vram.md.\n",
	      out);
}

static void help(const struct vgs_cli_cmd *c)
{
	printf("usage: vgpusim %s %s\n%s", c->name, c->synopsis, c->help);
}

static int unknown(const char *name)
{
	GString *names = g_string_new(NULL);

	for (int i = 0; commands[i]; i++)
		g_string_append_printf(names, "%s%s", i ? ", " : "", commands[i]->name);
	fprintf(stderr, "vgpusim: unknown command '%s'; expected one of: %s\n", name, names->str);
	fprintf(stderr, "(run 'vgpusim --help' for usage)\n");
	g_string_free(names, TRUE);
	return VGS_EXIT_BAD_INPUT;
}

int main(int argc, char **argv)
{
	const struct vgs_cli_cmd *c;

	/* Blocks of 128 KiB and more are always fresh mappings, whose pages exist only once touched:
	 * glibc would otherwise raise that threshold after the first such free and carve them from the
	 * heap, so that each SimGrid actor's 512 KiB stack (two per GPU) and each zeroed table would
	 * count in full towards the peak memory of a run with thousands of GPUs and tenants. */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	/* SIGINT and SIGTERM end a command that does not poll for them cleanly (models/base/interrupt.h). */
	vgs_interrupt_init();
	/* `trace = "capture.json.gz"` in a config imports the capture on the fly, once (hw-trace/cache.h). */
	vgs_trace_set_import(vgs_import_cached);
	if (argc < 2) {
		usage(stderr);
		return VGS_EXIT_BAD_INPUT;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("vgpusim %s\n", VGS_VERSION);
		return vgs_stdout_flush(0);
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		if (argc == 2 || strcmp(argv[1], "help")) {
			usage(stdout);
			return vgs_stdout_flush(0);
		}
		if (argc > 3)
			return vgs_args_usage_error("%s", "help expects at most one COMMAND");
		if (!(c = find(argv[2])))
			return unknown(argv[2]);
		help(c);
		return vgs_stdout_flush(0);
	}
	if (!(c = find(argv[1])))
		return unknown(argv[1]);
	if (vgs_args_wants_help(argc - 1, argv + 1)) {
		help(c);
		return vgs_stdout_flush(0);
	}
	return vgs_stdout_flush(c->run(argc - 1, argv + 1));
}
