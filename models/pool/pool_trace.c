/*
 * Requests CSVs (docs/pools.md, "Requests from a CSV") from a public GPU-cluster trace, or from a
 * synthetic generator calibrated on it (`vgpusim requests`).
 *
 * The trace: Alibaba cluster-trace-gpu-v2023 (github.com/alibaba/clusterdata, cluster-trace-gpu-v2023/
 * csv/openb_pod_list_default.csv: 8,152 pods of a 6,212-GPU production cluster; Q. Weng et al.,
 * "Beware of Fragmentation: Scheduling GPU-Sharing Workloads with Fragmentation Gradient Descent",
 * USENIX ATC '23), whose terms allow any research or study use (the repository's README).  Columns
 * read: name, num_gpu, gpu_milli (thousandths of a GPU a GPU-sharing pod asks for), qos, creation_time
 * and deletion_time (s).  A pod becomes requests of one of six classes:
 *
 *     <qos>-<size>   qos: ls (LS, Guaranteed: latency-sensitive) or be (BE, Burstable);
 *                    size: small (gpu_milli < 500), half (500..999), full (a whole GPU);
 *
 * one per GPU it asks for (num_gpu > 1: that many whole GPUs, placed independently -- gang placement is
 * not modelled), arriving at (creation_time - from) / speedup, staying (deletion_time -
 * creation_time) / speedup, with a framebuffer of gpu_milli / 1000 of --gpu-vram-gb.  CPU-only pods
 * (num_gpu 0) are left out.
 *
 * The synthetic generator draws the same classes, sizes and durations from the trace's statistics
 * (computed from openb_pod_list_default.csv's 7,064 GPU pods; the numbers below), so that a pool can be
 * studied without the trace at hand:
 *     class shares    ls-full 45.4 %, ls-half 3.4 %, ls-small 7.4 %, be-full 10.0 %, be-half 17.6 %,
 *                     be-small 15.3 %; multi-GPU pods (1.1 %: 2, 4 or 8 GPUs in 16:15:44) are full;
 *     durations       lognormal per class, ln-seconds mean and sd: ls-full 6.826 1.772, ls-half 6.287
 *                     1.366, ls-small 6.513 2.036, be-full 5.510 1.523, be-half 5.762 1.904, be-small
 *                     6.594 2.030 (medians 893, 674, 570, 197, 264, 664 s);
 *     sizes           gpu_milli of half pods 550 4.9 %, 590 5.1 %, 650 17.1 %, 810 72.9 %; of small pods
 *                     the 16 values of the trace with their frequencies (table below);
 *     arrivals        inter-arrival times lognormal with the trace's coefficient of variation, 1.60
 *                     (its busy 776 h: 8.7 GPU pods per hour on average), at --rate-per-h.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "models/base/csv.h"
#include "models/base/rng.h"
#include "models/pool/pool.h"

static const char *const size_names[] = { "small", "half", "full" };

static int size_of(uint64_t milli)
{
	return milli >= 1000 ? 2 : milli >= 500 ? 1 : 0;
}

static void row(FILE *out, const char *id, double at, const char *qos, int size, double dur, double vram_gb)
{
	fprintf(out, "%s,%.3f,%s-%s,%.3f,,", id, at, qos, size_names[size], dur);
	if (size < 2)
		fprintf(out, "%.3f", vram_gb);
	fputs(",\n", out);
}

static void header(FILE *out)
{
	fputs("id,arrival_s,class,duration_s,units,vram_gb,mig\n", out);
}

int vgs_requests_alibaba(const char *path, const struct vgs_trace_opts *o, FILE *out, struct vgs_error *err)
{
	static const char *const need[] = { "name", "num_gpu", "gpu_milli", "qos", "creation_time", "deletion_time" };
	struct vgs_csv c;
	int col[6], rc;
	uint64_t from = o->from_s >= 0 ? (uint64_t)o->from_s : UINT64_MAX, n = 0;
	GArray *pods = g_array_new(FALSE, FALSE, sizeof(uint64_t) * 6);

	if (vgs_csv_open(&c, path, err) < 0) {
		g_array_free(pods, TRUE);
		return -1;
	}
	if ((rc = vgs_csv_header(&c, err)) < 0)
		goto out;
	for (int k = 0; k < 6; k++)
		if ((col[k] = vgs_csv_col(&c, need[k])) < 0) {
			vgs_error_set(err, "%s:1: no column '%s': not an Alibaba cluster-trace-gpu-v2023 pod list "
				      "(openb_pod_list_*.csv)", path, need[k]);
			rc = -1;
			goto out;
		}
	/* read: num_gpu, gpu_milli, ls?, creation, deletion, line */
	while ((rc = vgs_csv_next(&c, err)) > 0) {
		uint64_t v[6] = { 0 };
		const char *q = vgs_csv_field(&c, col[3]);

		if (vgs_csv_u64(vgs_csv_field(&c, col[1]), &v[0]) < 0 || vgs_csv_u64(vgs_csv_field(&c, col[2]), &v[1]) < 0 ||
		    vgs_csv_u64(vgs_csv_field(&c, col[4]), &v[3]) < 0 || vgs_csv_u64(vgs_csv_field(&c, col[5]), &v[4]) < 0 ||
		    !q || v[4] < v[3]) {
			vgs_error_set(err, "%s:%u: expected num_gpu, gpu_milli, creation_time and deletion_time as whole "
				      "numbers, deletion after creation", path, c.line);
			rc = -1;
			goto out;
		}
		if (!v[0])
			continue; /* CPU-only */
		v[2] = !strcmp(q, "LS") || !strcmp(q, "Guaranteed");
		v[5] = c.line;
		g_array_append_vals(pods, v, 1);
		if (o->from_s < 0 && v[3] < from)
			from = v[3];
	}
	if (rc < 0)
		goto out;
	header(out);
	for (guint i = 0; i < pods->len; i++) {
		const uint64_t *v = &g_array_index(pods, uint64_t, i * 6);
		double at, dur;

		if (v[3] < from || (o->hours > 0 && (double)(v[3] - from) >= o->hours * 3600))
			continue;
		at = (double)(v[3] - from) / o->speedup;
		dur = (double)(v[4] - v[3]) / o->speedup;
		if (o->max_duration_s > 0 && dur > o->max_duration_s)
			dur = o->max_duration_s;
		for (uint64_t k = 0; k < (v[0] > 1 ? v[0] : 1); k++) {
			char id[48];

			snprintf(id, sizeof(id), "pod%" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT, v[5], k);
			row(out, id, at, v[2] ? "ls" : "be", v[0] > 1 ? 2 : size_of(v[1]),
			    dur, (double)v[1] / 1000.0 * o->gpu_vram_gb);
			n++;
		}
	}
	if (!n) {
		vgs_error_set(err, "%s: no GPU pod in the window asked for (--from, --hours)", path);
		rc = -1;
	}
out:
	vgs_csv_close(&c);
	g_array_free(pods, TRUE);
	return rc < 0 ? -1 : 0;
}

/* ---- the synthetic generator ------------------------------------------------------------------ */

/* "POOLSYN": its random stream (models/base/rng.h). */
#define SYNTH_RNG 0x504f4f4c53594e00ull

struct synth_class {
	const char *qos;
	int size;
	double share, mu, sigma;
};

static const struct synth_class synth_classes[] = {
	{ "ls", 2, 45.39 + 0.74, 6.826, 1.772 }, { "ls", 1, 3.36, 6.287, 1.366 }, { "ls", 0, 7.39, 6.513, 2.036 },
	{ "be", 2, 9.98 + 0.33, 5.510, 1.523 },  { "be", 1, 17.57, 5.762, 1.904 }, { "be", 0, 15.26, 6.594, 2.030 },
};

static const struct {
	uint64_t milli;
	double p;
} small_milli[] = {
	{ 50, 0.004 },  { 110, 0.015 }, { 140, 0.001 }, { 160, 0.046 }, { 220, 0.039 }, { 230, 0.087 },
	{ 270, 0.003 }, { 290, 0.001 }, { 320, 0.205 }, { 330, 0.004 }, { 350, 0.004 }, { 370, 0.029 },
	{ 440, 0.001 }, { 460, 0.080 }, { 470, 0.469 }, { 480, 0.012 },
}, half_milli[] = {
	{ 550, 0.049 }, { 590, 0.051 }, { 650, 0.171 }, { 810, 0.729 },
};

static uint64_t pick_milli(struct vgs_rng *r, int size)
{
	double x = vgs_rng_uniform(r), acc = 0;
	size_t n = size ? G_N_ELEMENTS(half_milli) : G_N_ELEMENTS(small_milli);

	for (size_t i = 0; i < n; i++) {
		acc += size ? half_milli[i].p : small_milli[i].p;
		if (x < acc)
			return size ? half_milli[i].milli : small_milli[i].milli;
	}
	return size ? 810 : 470;
}

int vgs_requests_synth(const struct vgs_trace_opts *o, FILE *out, struct vgs_error *err)
{
	struct vgs_rng r;
	double t = 0, total = 0, mean_s;
	uint64_t n = 0;

	if (!(o->rate_per_h > 0) || !(o->hours > 0)) {
		vgs_error_set(err, "requests synth: expected --rate-per-h R > 0 and --hours H > 0");
		return -1;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(synth_classes); i++)
		total += synth_classes[i].share;
	vgs_rng_seed(&r, vgs_rng_derive(o->seed, SYNTH_RNG));
	mean_s = 3600.0 / o->rate_per_h;
	header(out);
	for (;;) {
		const struct synth_class *sc = &synth_classes[G_N_ELEMENTS(synth_classes) - 1];
		double x, acc = 0, dur;
		char id[32];

		t += vgs_rng_lognormal(&r, mean_s, 1.60);
		if (t >= o->hours * 3600)
			break;
		x = vgs_rng_uniform(&r) * total;
		for (size_t i = 0; i < G_N_ELEMENTS(synth_classes); i++) {
			acc += synth_classes[i].share;
			if (x < acc) {
				sc = &synth_classes[i];
				break;
			}
		}
		dur = exp(vgs_rng_normal(&r, sc->mu, sc->sigma)) / o->speedup;
		if (o->max_duration_s > 0 && dur > o->max_duration_s)
			dur = o->max_duration_s;
		snprintf(id, sizeof(id), "s%" G_GUINT64_FORMAT, n++);
		row(out, id, t, sc->qos, sc->size, dur,
		    sc->size < 2 ? (double)pick_milli(&r, sc->size) / 1000.0 * o->gpu_vram_gb : 0);
	}
	return ferror(out) ? (vgs_error_set(err, "requests synth: cannot write: %s", strerror(errno)), -1) : 0;
}
