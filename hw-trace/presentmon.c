/*
 * PresentMon CSV (GameTechDev/PresentMon): one row per Present() per process and swap chain.  Columns
 * are found by name in the header, so every column set PresentMon has written works as long as it has
 * the ones below (first name found wins; times in ms unless the name says otherwise):
 *
 *   context       Application, ProcessID                     one context "Application-PID" per process;
 *                                                            the compositor (dwm.exe) is one like any other
 *   GPU busy      MsGPUBusy | GPUBusy | MsGPUActive          the frame's GPU work, ms
 *   video busy    MsVideoBusy | VideoBusy | MsGPUVideoActive optional, ms
 *   CPU start     CPUStartQPC (QPC ticks) | CPUStartQPCTime | CPUStartQPCTimeInMs (ms) | CPUStartTime (s)
 *   GPU latency   MsGPULatency | GPULatency                  CPU start -> GPU start, ms
 *   present time  TimeInQPC (QPC ticks) | TimeInSeconds (s)  PresentMon 1.x, when there is no CPU start
 *   render done   MsUntilRenderComplete                      optional, 1.x: present -> GPU done, ms
 *
 * Each frame becomes one gfx op on stream 0 of its context, its GPU busy time as work:
 *   start = CPU start + GPU latency                        when the capture has both (v1.10+, v2)
 *         = present + MsUntilRenderComplete - GPU busy     else (1.x: the busy time ends at render done)
 *         = present - GPU busy                             when not even that is there
 *   end   = start + GPU busy
 * GPU busy excludes the frame's GPU idle gaps (GPUTime = GPUBusy + GPUWait), so ops of one process do
 * not overlap.  The op opens the frame (VGS_OP_UNIT_BEGIN) and carries arrival = the CPU start (else
 * the GPU start): frames arrive on the capture's cadence whatever the GPU does (open loop).  A frame
 * with video busy > 0 gets a venc op of that duration on stream 1, starting when the gfx op ends.
 * Submit times are not in the capture: the core submits each op at its recorded start.
 *
 * QPC ticks are converted at 10 MHz, the QueryPerformanceFrequency of Windows 10 and later; where the
 * capture has a frame-time column (FrameTime, MsBetweenAppStart: CPU start of the next frame of the same
 * swap chain minus this one's), every step of the CPU start is checked against it, and a capture taken
 * at another frequency is refused.  Rows whose GPU busy (or a time it needs) is "NA" or empty are
 * skipped and counted in @source; any other value that is not a number is an error.
 */
#include <string.h>

#include "models/base/csv.h"
#include "hw-trace/import.h"

#define PM_QPC_NS 100                /* ns per QPC tick at 10 MHz */
#define PM_MS 1000000ull
#define PM_S 1000000000ull
/* a CPU-start step may differ from the frame-time column by rounding: 0.1% + 2 ticks */
#define PM_QPC_SLACK_NS (2 * PM_QPC_NS)

struct pm_col {
	int idx;                     /* -1: absent */
	const char *name;
	uint64_t unit_ns;            /* 0: QPC ticks */
};

struct pm_cols {
	struct pm_col app, pid, swapchain, busy, video, cpu_start, latency, present, until_done, frame_time;
};

/* The first of names[] present in the header; unit_ns of each, 0 for QPC ticks. */
static struct pm_col find(const struct vgs_csv *c, const char *const *names, const uint64_t *units)
{
	for (int i = 0; names[i]; i++) {
		int idx = vgs_csv_col(c, names[i]);

		if (idx >= 0)
			return (struct pm_col){ idx, names[i], units ? units[i] : PM_MS };
	}
	return (struct pm_col){ -1, NULL, 0 };
}

static void find_cols(const struct vgs_csv *c, struct pm_cols *k)
{
	k->app = find(c, (const char *[]){ "Application", NULL }, NULL);
	k->pid = find(c, (const char *[]){ "ProcessID", NULL }, NULL);
	k->swapchain = find(c, (const char *[]){ "SwapChainAddress", NULL }, NULL);
	k->busy = find(c, (const char *[]){ "MsGPUBusy", "GPUBusy", "MsGPUActive", NULL }, NULL);
	k->video = find(c, (const char *[]){ "MsVideoBusy", "VideoBusy", "MsGPUVideoActive", NULL }, NULL);
	k->cpu_start = find(c, (const char *[]){ "CPUStartQPC", "CPUStartQPCTime", "CPUStartQPCTimeInMs",
						"CPUStartTime", NULL },
			    (const uint64_t[]){ 0, PM_MS, PM_MS, PM_S });
	k->latency = find(c, (const char *[]){ "MsGPULatency", "GPULatency", NULL }, NULL);
	k->present = find(c, (const char *[]){ "TimeInQPC", "TimeInSeconds", NULL }, (const uint64_t[]){ 0, PM_S });
	k->until_done = find(c, (const char *[]){ "MsUntilRenderComplete", NULL }, NULL);
	k->frame_time = find(c, (const char *[]){ "FrameTime", "MsBetweenAppStart", NULL }, NULL);
}

static bool is_na(const char *s)
{
	return !*s || strcmp(s, "NA") == 0;
}

/*
 * Field `col` of the current row in ns: 1, 0 when it is NA (or the column is absent), -1 with err set.
 * QPC ticks are converted at 10 MHz.
 */
static int get_ns(const struct vgs_csv *c, const struct pm_col *col, int64_t *ns, struct vgs_error *err)
{
	const char *s = vgs_csv_field(c, col->idx);
	uint64_t ticks;

	if (col->idx < 0 || is_na(s))
		return 0;
	if (col->unit_ns == 0) {
		if (vgs_csv_u64(s, &ticks) || ticks > (uint64_t)INT64_MAX / PM_QPC_NS) {
			vgs_error_set(err, "%s:%u: %s: a QPC tick count, found '%s'", c->path, c->line, col->name, s);
			return -1;
		}
		*ns = (int64_t)(ticks * PM_QPC_NS);
		return 1;
	}
	if (vgs_csv_decimal_ns(s, col->unit_ns, ns)) {
		vgs_error_set(err, "%s:%u: %s: a number of %s, found '%s'", c->path, c->line, col->name,
			      col->unit_ns == PM_S ? "seconds" : "ms", s);
		return -1;
	}
	return 1;
}

/* Per swap chain: the previous frame's CPU start and frame time, to check the QPC frequency. */
struct pm_chain {
	int64_t cpu_start_ns;
	int64_t frame_ns;            /* -1: NA */
};

static int check_qpc(const struct vgs_csv *c, const struct pm_cols *k, GHashTable *chains, int64_t cpu_start,
		     struct vgs_error *err)
{
	const char *sc = k->swapchain.idx >= 0 ? vgs_csv_field(c, k->swapchain.idx) : "";
	char *key = g_strdup_printf("%s/%s", vgs_csv_field(c, k->pid.idx), sc);
	struct pm_chain *ch = g_hash_table_lookup(chains, key);
	int64_t frame_ns = -1;

	if (get_ns(c, &k->frame_time, &frame_ns, err) < 0) {
		g_free(key);
		return -1;
	}
	if (ch && ch->frame_ns >= 0) {
		int64_t step = cpu_start - ch->cpu_start_ns, diff = step - ch->frame_ns;

		if (diff < 0)
			diff = -diff;
		if (diff > PM_QPC_SLACK_NS + ch->frame_ns / 1000) {
			vgs_error_set(err, "%s:%u: %s: a step of %.4f ms since this swap chain's previous frame "
				      "(its %s) at 10 MHz, found %.4f ms: the capture's QPC frequency is not 10 MHz "
				      "(record with --qpc_time_ms)", c->path, c->line, k->cpu_start.name, ch->frame_ns / 1e6,
				      k->frame_time.name, step / 1e6);
			g_free(key);
			return -1;
		}
	}
	if (!ch) {
		ch = g_new(struct pm_chain, 1);
		g_hash_table_insert(chains, key, ch);
	} else {
		g_free(key);
	}
	ch->cpu_start_ns = cpu_start;
	ch->frame_ns = frame_ns;
	return 0;
}

/* One row: 1 = frame added, 0 = skipped (NA), -1 = error. */
static int add_frame(struct vgs_import *im, const struct vgs_csv *c, const struct pm_cols *k, GHashTable *chains,
		     struct vgs_error *err)
{
	int64_t busy, video = 0, cpu_start = 0, latency = 0, present = 0, until_done = 0, start;
	int has_cpu, has_lat, has_present, has_done, r;
	char *name;

	if (c->fields->len != c->header->len) {
		vgs_error_set(err, "%s:%u: %u fields as in the header, found %u", c->path, c->line, c->header->len,
			      c->fields->len);
		return -1;
	}
	/* the QPC check first: it follows every row of a swap chain, skipped ones too */
	if ((has_cpu = get_ns(c, &k->cpu_start, &cpu_start, err)) < 0)
		return -1;
	if (has_cpu && k->cpu_start.unit_ns == 0 && k->frame_time.idx >= 0 && check_qpc(c, k, chains, cpu_start, err))
		return -1;
	if ((r = get_ns(c, &k->busy, &busy, err)) <= 0)
		return r;
	if ((has_lat = get_ns(c, &k->latency, &latency, err)) < 0 ||
	    (has_present = get_ns(c, &k->present, &present, err)) < 0 ||
	    (has_done = get_ns(c, &k->until_done, &until_done, err)) < 0 || get_ns(c, &k->video, &video, err) < 0)
		return -1;
	if (busy < 0 || video < 0) {
		vgs_error_set(err, "%s:%u: %s: a duration >= 0", c->path, c->line,
			      busy < 0 ? k->busy.name : k->video.name);
		return -1;
	}

	if (has_cpu && has_lat)
		start = cpu_start + latency;
	else if (has_present && k->cpu_start.idx < 0 && (has_done || k->until_done.idx < 0))
		start = present + until_done - busy;
	else
		return 0; /* a time it needs is NA */
	if (start < 0)
		start = 0;

	name = g_strdup_printf("%s-%s", vgs_csv_field(c, k->app.idx), vgs_csv_field(c, k->pid.idx));
	struct vgs_op op = {
		.start_ns = (uint64_t)start,
		.end_ns = (uint64_t)(start + busy),
		.submit_ns = VGS_NO_TIME,
		.arrival_ns = has_cpu && cpu_start <= start ? (uint64_t)cpu_start : (uint64_t)start,
		.stream = 0,
		.ctx = vgs_import_ctx(im, name),
		.cls = VGS_GFX,
		.dir = VGS_DIR_NONE,
		.flags = VGS_OP_UNIT_BEGIN,
	};

	g_free(name);
	vgs_import_add(im, &op);
	if (video > 0) {
		op.start_ns = op.end_ns;
		op.end_ns = op.start_ns + (uint64_t)video;
		op.arrival_ns = VGS_NO_TIME;
		op.stream = 1;
		op.cls = VGS_VENC;
		op.flags = 0;
		vgs_import_add(im, &op);
	}
	return 1;
}

int vgs_import_presentmon(struct vgs_import *im, const char *path, struct vgs_error *err)
{
	struct vgs_csv c;
	struct pm_cols k;
	GHashTable *chains = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	uint64_t frames = 0, skipped = 0;
	int rc;

	if (vgs_csv_open(&c, path, err)) {
		g_hash_table_destroy(chains);
		return -1;
	}
	if (vgs_csv_header(&c, err))
		goto err_close;
	find_cols(&c, &k);
	if (k.app.idx < 0 || k.pid.idx < 0 || k.busy.idx < 0) {
		vgs_error_set(err, "%s:%u: a PresentMon header with Application, ProcessID and a GPU busy column "
			      "(MsGPUBusy, GPUBusy or MsGPUActive)", path, c.line);
		goto err_close;
	}
	if (!(k.cpu_start.idx >= 0 && k.latency.idx >= 0) && !(k.cpu_start.idx < 0 && k.present.idx >= 0)) {
		vgs_error_set(err, "%s:%u: columns that place the GPU work in time: a CPU start (CPUStartQPC, "
			      "CPUStartQPCTime, CPUStartQPCTimeInMs or CPUStartTime) with a GPU latency (MsGPULatency "
			      "or GPULatency), or a present time (TimeInQPC or TimeInSeconds)", path, c.line);
		goto err_close;
	}
	while ((rc = vgs_csv_next(&c, err)) > 0) {
		int r = add_frame(im, &c, &k, chains, err);

		if (r < 0)
			goto err_close;
		frames += r;
		skipped += !r;
	}
	if (rc < 0)
		goto err_close;
	if (frames == 0) {
		vgs_error_set(err, "%s:%u: at least one frame with a GPU busy time (%" G_GUINT64_FORMAT
			      " rows, all NA)",
			      path, c.next_line, skipped);
		goto err_close;
	}
	vgs_csv_close(&c);
	g_hash_table_destroy(chains);

	g_free(im->source);
	im->source = g_strdup_printf("%s (PresentMon: %" G_GUINT64_FORMAT " frames; %" G_GUINT64_FORMAT
				     " rows without GPU busy skipped)", path, frames, skipped);
	g_free(im->unit);
	im->unit = g_strdup("frame");
	g_hash_table_replace(im->units, g_strdup("ms"), GUINT_TO_POINTER(frames));
	if (k.cpu_start.idx >= 0 ? k.cpu_start.unit_ns == 0 : k.present.unit_ns == 0)
		g_hash_table_replace(im->units, g_strdup("qpc"), GUINT_TO_POINTER(frames));
	return 0;

err_close:
	vgs_csv_close(&c);
	g_hash_table_destroy(chains);
	return -1;
}
