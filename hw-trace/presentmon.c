/*
 * PresentMon CSV (GameTechDev/PresentMon): one row per Present() per process and swap chain.  Columns
 * are found by name in the header, so every column set PresentMon has written works as long as it has
 * the ones below (first name found wins; durations in ms):
 *
 *   context       Application, ProcessID                     one context "Application-PID" per process;
 *                                                            the compositor (dwm.exe) is one like any other
 *   frame type    FrameType                                  optional: Application, or a generated frame
 *   GPU busy      MsGPUBusy | GPUBusy | MsGPUActive          the frame's GPU work, ms
 *   video busy    MsVideoBusy | VideoBusy | MsGPUVideoActive optional, ms
 *   CPU start     CPUStartQPC (QPC ticks) | CPUStartQPCTime | CPUStartQPCTimeInMs | CPUStartTime
 *   GPU latency   MsGPULatency | GPULatency                  CPU start -> GPU start, ms
 *   present time  TimeInQPC (QPC ticks) | TimeInSeconds      PresentMon 1.x, when there is no CPU start
 *   render done   MsUntilRenderComplete | MsRenderPresentLatency   present -> GPU done, ms
 *
 * The unit of a time stamp (CPUStartTime is seconds in the console application's files and ms in
 * the capture application's) is taken from the data: presentmon_time.c checks every step against the
 * frame-interval column (FrameTime / MsBetweenAppStart for a CPU start, MsBetweenPresents for a
 * present time), and refuses a capture whose columns disagree.
 *
 * Each application frame becomes one gfx op on stream 0 of its context:
 *   start = CPU start + GPU latency                        when the capture has both (v1.10+, v2)
 *         = present + render done - GPU busy               else (1.x: the busy time ends at render done)
 *         = max(present, the process's previous render done)   1.x without a GPU busy column: the
 *           frame's GPU work is approximated by its render-complete interval, less what the GPU still
 *           spent on the previous frame (docs/traces.md says what this misses)
 *   end   = start + GPU busy (render done without a busy column)
 * GPU busy excludes the frame's GPU idle gaps (GPUTime = GPUBusy + GPUWait).  Ops of one process may
 * still overlap (frame generation, a busy time past the next frame's start): the core keeps the
 * overlap (after=, import_rec.c).  The op opens the frame (VGS_OP_UNIT_BEGIN) and carries arrival =
 * the CPU start (else the GPU start): frames arrive on the capture's cadence (open loop), held back
 * in replay by @frames_in_flight, DXGI's default of PM_FRAMES_IN_FLIGHT.  A frame with video busy > 0
 * gets a venc op of that duration on stream 1, starting when the gfx op ends.  Submit times are not in
 * the capture: the core submits each op at its recorded start.
 *
 * Frame generation (DLSS-FG, FSR-FG, XeSS-FG, AFMF: FrameType other than Application, Unspecified or
 * NotSet) makes frames the application did not render: they are not units.  Each is counted with the
 * application frame of its swap chain that comes next (PresentMon lists a present's generated frames
 * before its application frame), as gen=N on that frame's op, and its GPU busy, if any, is its own
 * small gfx op after that frame's op: `trace stats` counts frame rates both ways.  Generated frames
 * after the last application frame go to the last one.
 *
 * Rows whose GPU busy (or a time it needs) is "NA" or empty are skipped and counted in @source; any
 * other value that is not a number is an error.
 */
#include <stdio.h>
#include <string.h>

#include "hw-trace/presentmon_priv.h"

/* DXGI lets a program queue 3 frames unless it says otherwise: IDXGIDevice1::SetMaximumFrameLatency,
 * "The value defaults to 3, but can range from 1 to 16" (Microsoft Learn, dxgi.h). */
#define PM_FRAMES_IN_FLIGHT 3

static void find_cols(const struct vgs_csv *c, struct pm_cols *k)
{
	k->app = pm_find(c, (const char *[]){ "Application", NULL }, NULL);
	k->pid = pm_find(c, (const char *[]){ "ProcessID", NULL }, NULL);
	k->swapchain = pm_find(c, (const char *[]){ "SwapChainAddress", NULL }, NULL);
	k->frame_type = pm_find(c, (const char *[]){ "FrameType", NULL }, NULL);
	k->busy = pm_find(c, (const char *[]){ "MsGPUBusy", "GPUBusy", "MsGPUActive", NULL }, NULL);
	k->video = pm_find(c, (const char *[]){ "MsVideoBusy", "VideoBusy", "MsGPUVideoActive", NULL }, NULL);
	k->cpu_start = pm_find(c, (const char *[]){ "CPUStartQPC", "CPUStartQPCTime", "CPUStartQPCTimeInMs",
						   "CPUStartTime", NULL },
			       (const uint64_t[]){ 0, PM_MS, PM_MS, PM_S });
	k->latency = pm_find(c, (const char *[]){ "MsGPULatency", "GPULatency", NULL }, NULL);
	k->present = pm_find(c, (const char *[]){ "TimeInQPC", "TimeInSeconds", NULL }, (const uint64_t[]){ 0, PM_S });
	k->until_done = pm_find(c, (const char *[]){ "MsUntilRenderComplete", "MsRenderPresentLatency", NULL }, NULL);
	k->frame_time = pm_find(c, (const char *[]){ "FrameTime", "MsBetweenAppStart", NULL }, NULL);
	k->between_presents = pm_find(c, (const char *[]){ "MsBetweenPresents", NULL }, NULL);
	k->cpu_start.decimal_time = k->cpu_start.idx >= 0 && k->cpu_start.unit_ns;
	k->present.decimal_time = k->present.idx >= 0 && k->present.unit_ns;
}

/* Generated frames of one swap chain waiting for its next application frame. */
struct pm_chain {
	guint last_op;               /* index in im->ops of its last application frame, G_MAXUINT: none */
	GArray *busy;                /* int64 GPU busy of each waiting generated frame, ns */
};

struct pm_state {
	struct vgs_import *im;
	GHashTable *chains;          /* "pid/swapchain" -> struct pm_chain */
	GHashTable *done;            /* ctx -> int64 render done of its previous frame (1.x without busy) */
	uint64_t frames, skipped, generated;
};

static void chain_free(gpointer p)
{
	struct pm_chain *ch = p;

	g_array_free(ch->busy, TRUE);
	g_free(ch);
}

static struct pm_chain *chain_of(struct pm_state *st, const struct vgs_csv *c, const struct pm_cols *k)
{
	const char *sc = k->swapchain.idx >= 0 ? vgs_csv_field(c, k->swapchain.idx) : "";
	char *key = g_strdup_printf("%s/%s", vgs_csv_field(c, k->pid.idx), sc);
	struct pm_chain *ch = g_hash_table_lookup(st->chains, key);

	if (ch) {
		g_free(key);
		return ch;
	}
	ch = g_new(struct pm_chain, 1);
	ch->last_op = G_MAXUINT;
	ch->busy = g_array_new(FALSE, FALSE, sizeof(int64_t));
	g_hash_table_insert(st->chains, key, ch);
	return ch;
}

/* The generated frames waiting in ch go with application frame op `i`: counted, and their GPU busy
 * as small gfx ops after it. */
static void attach_generated(struct pm_state *st, struct pm_chain *ch, guint i)
{
	struct vgs_op *app = &g_array_index(st->im->ops, struct vgs_op, i), op;
	uint64_t t = app->end_ns;

	if (!ch->busy->len)
		return;
	app->attr.have |= VGS_ATTR_GEN;
	app->attr.gen += ch->busy->len;
	memset(&op, 0, sizeof(op));
	op.submit_ns = op.arrival_ns = VGS_NO_TIME;
	op.ctx = app->ctx;
	op.cls = VGS_GFX;
	for (guint k = 0; k < ch->busy->len; k++) {
		int64_t b = g_array_index(ch->busy, int64_t, k);

		if (b <= 0)
			continue;
		op.start_ns = t;
		op.end_ns = t += (uint64_t)b;
		vgs_import_classify(&op, NULL, 0);
		vgs_import_add(st->im, &op);
	}
	g_array_set_size(ch->busy, 0);
}

/* Where the frame's GPU work lies: 1 with *start, *end; 0 when a time it needs is NA; -1 with err. */
static int frame_span(struct pm_state *st, const struct vgs_csv *c, const struct pm_cols *k, uint32_t ctx,
		      int64_t *start, int64_t *end, int64_t *cpu_start, struct vgs_error *err)
{
	int64_t busy = 0, latency = 0, present = 0, until_done = 0;
	int has_busy, has_cpu, has_lat, has_present, has_done;

	if ((has_cpu = pm_get_ns(c, &k->cpu_start, cpu_start, err)) < 0 || (has_busy = pm_get_ns(c, &k->busy, &busy, err)) < 0 ||
	    (has_lat = pm_get_ns(c, &k->latency, &latency, err)) < 0 ||
	    (has_present = pm_get_ns(c, &k->present, &present, err)) < 0 ||
	    (has_done = pm_get_ns(c, &k->until_done, &until_done, err)) < 0)
		return -1;
	if (busy < 0) {
		vgs_error_set(err, "%s:%u: %s: a duration >= 0", c->path, c->line, k->busy.name);
		return -1;
	}
	if (k->busy.idx < 0) {
		/* 1.x without a busy column: the render-complete interval, after the previous frame's */
		gpointer key = GUINT_TO_POINTER(ctx + 1), prev;
		int64_t done = present + until_done;

		if (!has_present || !has_done)
			return 0;
		*start = present;
		if ((prev = g_hash_table_lookup(st->done, key)) && *(int64_t *)prev > *start)
			*start = *(int64_t *)prev;
		if (*start > done)
			*start = done;
		*end = done;
		if (!prev)
			g_hash_table_insert(st->done, key, prev = g_new0(int64_t, 1));
		if (*(int64_t *)prev < done)
			*(int64_t *)prev = done;
		return 1;
	}
	if (!has_busy)
		return 0;
	if (has_cpu && has_lat)
		*start = *cpu_start + latency;
	else if (has_present && k->cpu_start.idx < 0 && (has_done || k->until_done.idx < 0))
		*start = present + until_done - busy;
	else
		return 0; /* a time it needs is NA */
	*end = *start + busy;
	return 1;
}

/* One row: 1 = frame added, 2 = generated frame, 0 = skipped (NA), -1 = error. */
static int add_frame(struct pm_state *st, const struct vgs_csv *c, const struct pm_cols *k, struct vgs_error *err)
{
	struct vgs_import *im = st->im;
	int64_t video = 0, cpu_start = 0, start = 0, end = 0;
	struct pm_chain *ch;
	int r;
	char *name;

	if (c->fields->len != c->header->len) {
		vgs_error_set(err, "%s:%u: %u fields as in the header, found %u", c->path, c->line, c->header->len,
			      c->fields->len);
		return -1;
	}
	if (!pm_app_frame(c, k)) {
		int64_t busy = 0;

		if (pm_get_ns(c, &k->busy, &busy, err) < 0)
			return -1;
		ch = chain_of(st, c, k);
		g_array_append_val(ch->busy, busy);
		return 2;
	}
	name = g_strdup_printf("%s-%s", vgs_csv_field(c, k->app.idx), vgs_csv_field(c, k->pid.idx));
	uint32_t ctx = vgs_import_ctx(im, name);

	g_free(name);
	if ((r = frame_span(st, c, k, ctx, &start, &end, &cpu_start, err)) <= 0)
		return r;
	if (pm_get_ns(c, &k->video, &video, err) < 0)
		return -1;
	if (video < 0) {
		vgs_error_set(err, "%s:%u: %s: a duration >= 0", c->path, c->line, k->video.name);
		return -1;
	}
	if (start < 0)
		start = 0;
	if (end < start)
		end = start;

	struct vgs_op op;

	memset(&op, 0, sizeof(op)); /* all bytes: the tests compare ops of two column sets with memcmp */
	op.start_ns = (uint64_t)start;
	op.end_ns = (uint64_t)end;
	op.submit_ns = VGS_NO_TIME;
	op.arrival_ns = k->cpu_start.idx >= 0 && cpu_start <= start ? (uint64_t)cpu_start : (uint64_t)start;
	op.ctx = ctx;
	op.cls = VGS_GFX;
	op.dir = VGS_DIR_NONE;
	op.flags = VGS_OP_UNIT_BEGIN;
	ch = chain_of(st, c, k);
	ch->last_op = im->ops->len;
	vgs_import_classify(&op, NULL, 0);
	vgs_import_add(im, &op);
	if (video > 0) {
		op.start_ns = op.end_ns;
		op.end_ns = op.start_ns + (uint64_t)video;
		op.arrival_ns = VGS_NO_TIME;
		op.stream = 1;
		op.cls = VGS_VENC;
		op.flags = 0;
		vgs_import_classify(&op, NULL, 0);
		vgs_import_add(im, &op);
	}
	attach_generated(st, ch, ch->last_op);
	return 1;
}

int vgs_import_presentmon(struct vgs_import *im, const char *path, struct vgs_error *err)
{
	struct vgs_csv c;
	struct pm_cols k;
	struct pm_state st = { .im = im };
	struct pm_col *base;
	int rc;

	if (vgs_csv_open(&c, path, err))
		return -1;
	st.chains = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, chain_free);
	st.done = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	if (vgs_csv_header(&c, err))
		goto err_close;
	find_cols(&c, &k);
	if (k.app.idx < 0 || k.pid.idx < 0 ||
	    (k.busy.idx < 0 && !(k.present.idx >= 0 && k.cpu_start.idx < 0 && k.until_done.idx >= 0))) {
		vgs_error_set(err, "%s:%u: a PresentMon header with Application, ProcessID and a GPU busy column "
			      "(MsGPUBusy, GPUBusy or MsGPUActive), or a 1.x header with a present time and "
			      "MsUntilRenderComplete", path, c.line);
		goto err_close;
	}
	if (!(k.cpu_start.idx >= 0 && k.latency.idx >= 0) && !(k.cpu_start.idx < 0 && k.present.idx >= 0)) {
		vgs_error_set(err, "%s:%u: columns that place the GPU work in time: a CPU start (CPUStartQPC, "
			      "CPUStartQPCTime, CPUStartQPCTimeInMs or CPUStartTime) with a GPU latency (MsGPULatency "
			      "or GPULatency), or a present time (TimeInQPC or TimeInSeconds)", path, c.line);
		goto err_close;
	}
	/* the time base's unit, from the whole file (a second pass over it) */
	base = k.cpu_start.idx >= 0 ? &k.cpu_start : &k.present;
	if (pm_time_unit(path, &k, base, base == &k.cpu_start ? &k.frame_time : &k.between_presents,
			 base == &k.cpu_start, err))
		goto err_close;
	while ((rc = vgs_csv_next(&c, err)) > 0) {
		int r = add_frame(&st, &c, &k, err);

		if (r < 0)
			goto err_close;
		st.frames += r == 1;
		st.skipped += r == 0;
		st.generated += r == 2;
	}
	if (rc < 0)
		goto err_close;
	if (st.frames == 0) {
		vgs_error_set(err, "%s:%u: at least one frame with a GPU busy time (%" G_GUINT64_FORMAT
			      " rows, all NA)",
			      path, c.next_line, st.skipped);
		goto err_close;
	}
	/* generated frames after the last application frame of their swap chain go to that one */
	GHashTableIter it;
	gpointer key, val;

	g_hash_table_iter_init(&it, st.chains);
	while (g_hash_table_iter_next(&it, &key, &val))
		if (((struct pm_chain *)val)->last_op != G_MAXUINT)
			attach_generated(&st, val, ((struct pm_chain *)val)->last_op);
	vgs_csv_close(&c);
	g_hash_table_destroy(st.chains);
	g_hash_table_destroy(st.done);

	char gen[64] = "";

	if (st.generated)
		snprintf(gen, sizeof(gen), " + %" G_GUINT64_FORMAT " generated", st.generated);
	g_free(im->source);
	im->source = g_strdup_printf("%s (PresentMon: %" G_GUINT64_FORMAT " frames%s; %" G_GUINT64_FORMAT
				     " rows without GPU busy skipped%s)", path, st.frames, gen, st.skipped,
				     k.busy.idx < 0 ? "; GPU work from the render-complete interval" : "");
	g_free(im->unit);
	im->unit = g_strdup("frame");
	im->frames_in_flight = PM_FRAMES_IN_FLIGHT;
	im->generated_frames = st.generated;
	g_hash_table_replace(im->units, g_strdup("ms"), GUINT_TO_POINTER(st.frames));
	if (base->unit_ns != PM_MS)
		g_hash_table_replace(im->units, g_strdup(base->unit_ns ? "s" : "qpc"), GUINT_TO_POINTER(st.frames));
	return 0;

err_close:
	vgs_csv_close(&c);
	g_hash_table_destroy(st.chains);
	g_hash_table_destroy(st.done);
	return -1;
}
