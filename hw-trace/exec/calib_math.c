/*
 * Calibration maths and profile writing (no I/O beyond the FILE handed in, no clock): unit-tested in
 * tests/unit/test_exec.c.
 */
#include <math.h>
#include <stdio.h>

#include "hw-trace/exec/calibrate.h"

/*
 * Ordinary least squares: slope = Sxy / Sxx, intercept = ȳ - slope x̄, with Sxy = Σ(x-x̄)(y-ȳ) and
 * Sxx = Σ(x-x̄)²; r² = 1 - SSres / SStot (1 when y is constant and fitted exactly).
 */
int ex_fit_line(const double *x, const double *y, size_t n, struct ex_fit *out)
{
	double mx = 0, my = 0, sxx = 0, sxy = 0, sst = 0, ssr = 0;

	if (n < 2)
		return -1;
	for (size_t i = 0; i < n; i++) {
		mx += x[i];
		my += y[i];
	}
	mx /= n;
	my /= n;
	for (size_t i = 0; i < n; i++) {
		sxx += (x[i] - mx) * (x[i] - mx);
		sxy += (x[i] - mx) * (y[i] - my);
		sst += (y[i] - my) * (y[i] - my);
	}
	if (!(sxx > 0))
		return -1;
	out->slope = sxy / sxx;
	out->intercept = my - out->slope * mx;
	for (size_t i = 0; i < n; i++) {
		double r = y[i] - (out->intercept + out->slope * x[i]);

		ssr += r * r;
	}
	out->r2 = sst > 0 ? 1.0 - ssr / sst : 1.0;
	return 0;
}

static const char *preempt_name(enum vgs_preempt p)
{
	return p == VGS_PREEMPT_FINE ? "fine" : p == VGS_PREEMPT_NONE ? "none" : "command";
}

int ex_profile_write(FILE *f, const struct vgs_gpu *g, const char *name, const char *comment)
{
	fprintf(f, "# %s\n", comment);
	fprintf(f, "name = \"%s\";\nmodel = \"%s\";\n", name, g->model ? g->model : name);
	fprintf(f, "vram_gb = %.6f;\nmax_vgpus = %u;\ntdr_timeout_ms = %.6f;\n", g->vram_bytes / 1073741824.0,
		g->max_vgpus, g->tdr_timeout_ns / 1e6);
	fprintf(f, "pcie = { bandwidth_gbps = %.6f; latency_us = %.3f; };\nengines = {\n", g->pcie_bw_Bps / 1e9,
		g->pcie_latency_ns / 1e3);
	for (int c = 0; c < VGS_NCLASS; c++) {
		const struct vgs_class_cfg *k = &g->cls[c];

		if (g->route[c] != c && g->route[c] < VGS_NCLASS) {
			fprintf(f, "  %s = { same_as = \"%s\"; speed = %.6f; };\n", vgs_class_name(c),
				vgs_class_name(g->route[c]), k->speed);
			continue;
		}
		if (!k->count)
			continue;
		fprintf(f,
			"  %s = { count = %u; channels = %u; speed = %.6f; switch_us = %.3f; switch_idle_us = %.3f;\n"
			"    preempt = \"%s\"; preempt_latency_us = %.3f; resume_us = %.3f; launch_us = %.3f;\n"
			"    idle_w = %.3f; busy_w = %.3f; };\n",
			vgs_class_name(c), k->count, k->channels, k->speed, k->switch_ns / 1e3, k->switch_idle_ns / 1e3,
			preempt_name(k->preempt), k->preempt_latency_ns / 1e3, k->resume_ns / 1e3, k->launch_ns / 1e3,
			k->idle_w, k->busy_w);
	}
	fputs("};\n", f);
	return ferror(f) ? -1 : 0;
}
