/*
 * `game`: a cloud-gaming tenant, in one of three cadences (docs/workloads.md).
 *
 * cadence "fixed" (the default): frames arrive periodically at `fps`, open loop; frame k is
 *
 *     gfx   stream 0, UNIT_BEGIN, arrival = its tick, deadline = arrival + deadline_frames * period,
 *           work ~ gfx_ms; depends on the last command of frame k - frames_in_flight
 *     venc  stream 1, deps {gfx}, gap ~ encode_gap_us, work ~ venc_ms         (unless encode = false)
 *     copy  stream 1, class copy, d2h, copy_bytes of bitstream, deps {venc}   (when copy_bytes > 0)
 *
 * and the last of them carries UNIT_END.  When the host asks for frame k later than its tick plus
 * one period (the GPU share was too small), the missed ticks are skipped and counted as dropped
 * rather than submitted in a burst: what a game does when it cannot keep up with vsync.
 *
 * cadence "uncapped" and "vsync": closed loop, the frame rate set by the game's own CPU and GPU time.
 * Frame k's CPU part (cpu_ms) starts when the host is free (it has presented frame k - 1) and its
 * swap chain has room: frame k - frames_in_flight has been rendered (the generator returns
 * VGS_WL_WAIT on that frame's gfx, as a game waits on DXGI's frame-latency waitable object, and learns
 * from the time it is asked again when that was).  The frame is presented when its CPU part ends; with
 * vsync at the next refresh tick of refresh_hz; and no sooner than 1 / frl_fps after the previous
 * present (the frame-rate limiter, NVIDIA vGPU's FRL).  Then
 *
 *     gfx   stream 0, UNIT_BEGIN, arrival = submitted at its present, deadline = arrival +
 *           deadline_frames / fps, work ~ gfx_ms, split into gfx_commands equal command buffers
 *     venc  stream 1, work ~ venc_ms, waits for the gfx on the device (VGS_CMD_DEVICE_DEPS): the
 *           encoder takes the frame when it is rendered without holding the game's host thread
 *     copy  stream 1, d2h of copy_bytes, after the venc by stream order  (when copy_bytes > 0)
 *
 * and the last of them carries UNIT_END.  The limiter in force comes from the vGPU (game_vgpu(), from
 * the scenario: 60 fps on Q-series vGPU types, 45 on B-series, off under the equal- and fixed-share
 * schedulers; NVIDIA Virtual GPU Software User Guide, "Frame Rate Limiter"); frl_fps set in the
 * workload replaces the default but not the scheduler's switching it off.
 *
 * Defaults (docs/workloads.md cites them in full):
 *   fps 60 and gfx_ms lognormal(mean 0.912 ms, cv 0.193): PresentMon capture
 *     ../shared/traces/presentmon/test_case_4.csv, process Presenter.exe (the game; dwm.exe is the
 *     compositor): 72 frames, MsGPUBusy mean 0.9121 ms, sample sd 0.1760 ms, cv 0.193;
 *     MsBetweenPresents mean 16.16 ms (61.9 fps).  test_case_4_v2.csv (GPUBusy) gives the same figures.
 *   venc_ms 1.152 ms constant: NVIDIA Video Codec SDK 13.0 NVENC Application Note, table "NVENC
 *     encoding performance in frames/second", 1920x1080 8-bit 4:2:0 H.264, preset P1 (fastest, the
 *     low-latency streaming preset), CBR, Ampere: 868 fps per NVENC -> 1000 / 868 = 1.152 ms.  The
 *     table gives throughput only, so no spread is assumed.
 *   frames_in_flight 1: one frame queued at a time, the low-latency setting cloud-gaming hosts use.
 *   cadence "fixed": the behaviour of every config written before the closed-loop cadences.
 *   cpu_ms 0 (closed loop): the frame rate is then the GPU's alone; `vgpusim fit` measures it.
 *   refresh_hz 60: the display of the PresentMon capture above refreshed every 16.68 ms (dwm.exe's
 *     MsBetweenDisplayChange median, 59.95 Hz).
 *
 * Memory (docs/vram.md), allocated by frame 0's gfx and never freed:
 *     textures      textures_mb; read by every gfx
 *     depth         width x height x 4 bytes (D24S8: 4 bytes per pixel); every gfx
 *     swap chain    `swapchain` images of width x height x 4 (RGBA8: 4 bytes per pixel); frame k
 *                   renders into image k mod swapchain, which its venc reads
 *     bitstream     copy_bytes, when copied: written by venc, read by the copy
 *   width x height 1920 x 1080: the 1080p60 stream the workload models.
 *   swapchain 3: triple buffering (an assumption: the usual count for FIFO presentation).
 *   textures_mb 256: an assumption, sized so that one light session (256 MiB + four 7.9 MiB frame
 *     buffers) fits a 1 GiB vGPU framebuffer (A10-1B/-1Q, configs/gpus/a10.cfg) with room to spare.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "models/workload/workload_priv.h"

#define GAME_MAX_INFLIGHT 8
#define GAME_MAX_GFX_COMMANDS 64

static const char *const game_keys[] = {
	"type", "fps", "gfx_ms", "venc_ms", "encode", "encode_gap_us", "copy_bytes", "deadline_frames",
	"frames_in_flight", "units", "start", "memory", "width", "height", "swapchain", "textures_mb",
	"cadence", "cpu_ms", "refresh_hz", "frl_fps", "gfx_commands", NULL,
};

enum game_cadence { CAD_FIXED, CAD_VSYNC, CAD_UNCAPPED };
static const char *const cadences[] = { "fixed", "vsync", "uncapped", NULL };

/* Allocation ids (docs/vram.md). */
enum { GM_TEXTURES = 1, GM_DEPTH = 2, GM_BITSTREAM = 3, GM_SWAP0 = 8 };
#define GAME_MAX_SWAP 8

struct game_params {
	enum game_cadence cadence;
	double fps;
	struct vgs_dist gfx, venc, encode_gap, cpu;
	uint64_t refresh_ns;     /* vsync: the display's refresh period */
	double frl_fps;          /* the workload's frl_fps, NAN when absent (the vGPU's default) */
	uint64_t frl_ns;         /* the limiter in force: minimum present-to-present time, 0 = none */
	uint64_t gfx_commands;   /* closed loop: command buffers a frame's gfx work is split into */
	bool encode;
	uint64_t copy_bytes;
	double deadline_frames;
	uint64_t inflight;
	uint64_t units;          /* 0: endless */
	bool aligned;            /* every session's tick 0 at time 0, instead of a random phase */
	uint64_t period_ns;
	uint64_t deadline_ns;    /* relative to arrival */
	/* memory */
	bool memory;
	uint64_t width, height, swapchain, textures_bytes;
	uint32_t mem_gfx0;                /* frame 0's gfx: allocates everything */
	uint32_t mem_gfx[GAME_MAX_SWAP];  /* frame k's gfx, k mod swapchain */
	uint32_t mem_venc[GAME_MAX_SWAP];
	uint32_t mem_copy;
};

/* The memory lists of every command kind (see the top comment). */
static void game_memory(struct vgs_workload_spec *spec, struct game_params *p)
{
	uint64_t frame = p->width * p->height * 4;
	struct vgs_mem_list l;

	for (uint32_t i = 0; i < p->swapchain; i++) {
		l.n = 0;
		if (i == 0) {
			if (p->textures_bytes)
				vgs_mem_list_add(&l, VGS_MEM_ALLOC, GM_TEXTURES, p->textures_bytes, 0);
			vgs_mem_list_add(&l, VGS_MEM_ALLOC, GM_DEPTH, frame, 0);
			for (uint32_t k = 0; k < p->swapchain; k++)
				vgs_mem_list_add(&l, VGS_MEM_ALLOC, GM_SWAP0 + k, frame, 0);
			if (p->copy_bytes)
				vgs_mem_list_add(&l, VGS_MEM_ALLOC, GM_BITSTREAM, p->copy_bytes, 0);
		}
		uint32_t first = l.n;

		if (p->textures_bytes)
			vgs_mem_list_add(&l, VGS_MEM_TOUCH, GM_TEXTURES, 0, 0);
		vgs_mem_list_add(&l, VGS_MEM_TOUCH, GM_DEPTH, 0, 0);
		vgs_mem_list_add(&l, VGS_MEM_TOUCH, GM_SWAP0 + i, 0, 0);
		if (i == 0)
			p->mem_gfx0 = vgs_mem_table_add(spec, l.op, l.n);
		p->mem_gfx[i] = vgs_mem_table_add(spec, l.op + first, l.n - first);
		l.n = 0;
		vgs_mem_list_add(&l, VGS_MEM_TOUCH, GM_SWAP0 + i, 0, 0);
		if (p->copy_bytes)
			vgs_mem_list_add(&l, VGS_MEM_TOUCH, GM_BITSTREAM, 0, 0);
		p->mem_venc[i] = vgs_mem_table_add(spec, l.op, l.n);
	}
	l.n = 0;
	vgs_mem_list_add(&l, VGS_MEM_TOUCH, GM_BITSTREAM, 0, 0);
	p->mem_copy = vgs_mem_table_add(spec, l.op, l.n);
}

/* The one-line description, again when the vGPU's limiter is known. */
static void game_describe(struct vgs_workload_spec *spec, const struct game_params *p)
{
	char a[96], b[96], c[64], d[48], e[96], f[48];

	if (p->copy_bytes)
		snprintf(c, sizeof(c), " + d2h %llu B", (unsigned long long)p->copy_bytes);
	else
		c[0] = 0;
	g_free(spec->describe);
	if (p->cadence == CAD_FIXED) {
		spec->describe = g_strdup_printf("game %g fps, gfx %s%s%s%s, deadline %g frame%s", p->fps,
						 vgs_dist_format(&p->gfx, 1e6, "ms", a, sizeof(a)),
						 p->encode ? " + venc " : "",
						 p->encode ? vgs_dist_format(&p->venc, 1e6, "ms", b, sizeof(b)) : "", c,
						 p->deadline_frames, p->deadline_frames == 1 ? "" : "s");
		return;
	}
	if (p->frl_ns)
		snprintf(f, sizeof(f), ", FRL %g fps", 1e9 / (double)p->frl_ns);
	else
		snprintf(f, sizeof(f), ", no FRL");
	if (p->cadence == CAD_VSYNC)
		snprintf(d, sizeof(d), "vsync %g Hz", 1e9 / (double)p->refresh_ns);
	else
		snprintf(d, sizeof(d), "uncapped");
	spec->describe = g_strdup_printf("game %s, cpu %s + gfx %s%s%s%s, %llu in flight%s", d,
					 vgs_dist_format(&p->cpu, 1e6, "ms", a, sizeof(a)),
					 vgs_dist_format(&p->gfx, 1e6, "ms", e, sizeof(e)), p->encode ? " + venc " : "",
					 p->encode ? vgs_dist_format(&p->venc, 1e6, "ms", b, sizeof(b)) : "", c,
					 (unsigned long long)p->inflight, f);
}

/* A key that only one kind of cadence reads, given with the other: one message. */
static int cadence_only(const config_setting_t *g, const char *key, bool closed, struct vgs_error *err)
{
	const config_setting_t *s = config_setting_get_member(g, key);

	if (!s)
		return 0;
	vgs_error_set(err, "%s: workload key '%s': applies to cadence %s; expected it removed or cadence = %s",
		      vgs_wl_where(s), key, closed ? "\"vsync\" or \"uncapped\"" : "\"fixed\"",
		      closed ? "\"vsync\" or \"uncapped\"" : "\"fixed\"");
	return -1;
}

static int game_parse(struct vgs_workload_spec *spec, const config_setting_t *g, const char *config_dir,
		      struct vgs_error *err)
{
	struct game_params *p = calloc(1, sizeof(*p));
	double refresh_hz = 60;
	int cadence = CAD_FIXED;

	if (!p)
		return -1;
	spec->priv = p;
	p->fps = 60;
	p->gfx = vgs_dist_make(VGS_DIST_LOGNORMAL, 0.912e6, 0.193);
	p->venc = vgs_dist_make(VGS_DIST_CONST, 1.152e6, 0);
	p->encode_gap = vgs_dist_make(VGS_DIST_CONST, 0, 0);
	p->cpu = vgs_dist_make(VGS_DIST_CONST, 0, 0);
	p->frl_fps = NAN;
	p->gfx_commands = 1;
	p->encode = true;
	p->deadline_frames = 1;
	p->inflight = 1;
	p->memory = true;
	p->width = 1920;
	p->height = 1080;
	p->swapchain = 3;
	p->textures_bytes = 256ull << 20;
	if (vgs_wl_get_num(g, "fps", 1e-3, false, 1e6, &p->fps, err) ||
	    vgs_wl_get_dist(g, "gfx_ms", 1e6, &p->gfx, err) ||
	    vgs_wl_get_dist(g, "venc_ms", 1e6, &p->venc, err) ||
	    vgs_wl_get_bool(g, "encode", &p->encode, err) ||
	    vgs_wl_get_dist(g, "encode_gap_us", 1e3, &p->encode_gap, err) ||
	    vgs_wl_get_u64(g, "copy_bytes", 0, UINT64_MAX / 2, &p->copy_bytes, err) ||
	    vgs_wl_get_num(g, "deadline_frames", 1e-3, false, 1e6, &p->deadline_frames, err) ||
	    vgs_wl_get_u64(g, "frames_in_flight", 1, GAME_MAX_INFLIGHT, &p->inflight, err) ||
	    vgs_wl_get_u64(g, "units", 0, UINT64_MAX / 2, &p->units, err) ||
	    vgs_wl_get_bool(g, "memory", &p->memory, err) ||
	    vgs_wl_get_u64(g, "width", 1, 65536, &p->width, err) ||
	    vgs_wl_get_u64(g, "height", 1, 65536, &p->height, err) ||
	    vgs_wl_get_u64(g, "swapchain", 1, GAME_MAX_SWAP, &p->swapchain, err) ||
	    vgs_wl_get_mb(g, "textures_mb", &p->textures_bytes, err) ||
	    vgs_wl_get_choice(g, "cadence", cadences, &cadence, err) ||
	    vgs_wl_get_dist(g, "cpu_ms", 1e6, &p->cpu, err) ||
	    vgs_wl_get_num(g, "refresh_hz", 0, true, 1000, &refresh_hz, err) ||
	    vgs_wl_get_num(g, "frl_fps", 0, false, 1000, &p->frl_fps, err) ||
	    vgs_wl_get_u64(g, "gfx_commands", 1, GAME_MAX_GFX_COMMANDS, &p->gfx_commands, err))
		return -1;
	p->cadence = (enum game_cadence)cadence;
	if (p->cadence == CAD_FIXED ? cadence_only(g, "cpu_ms", true, err) || cadence_only(g, "refresh_hz", true, err) ||
					      cadence_only(g, "frl_fps", true, err) || cadence_only(g, "gfx_commands", true, err)
				    : cadence_only(g, "encode_gap_us", false, err))
		return -1;
	static const char *const starts[] = { "random", "aligned", NULL };
	int start = 0;

	if (vgs_wl_get_choice(g, "start", starts, &start, err))
		return -1;
	p->aligned = start == 1;
	if (!p->encode && p->copy_bytes > 0) {
		const config_setting_t *s = config_setting_get_member(g, "copy_bytes");

		vgs_error_set(err, "%s: workload key 'copy_bytes': copies the encoded bitstream; expected "
			      "encode = true or copy_bytes = 0", vgs_wl_where(s));
		return -1;
	}
	p->period_ns = (uint64_t)llround(1e9 / p->fps);
	if (p->period_ns == 0)
		p->period_ns = 1;
	p->deadline_ns = (uint64_t)llround(p->deadline_frames * (double)p->period_ns);
	p->refresh_ns = (uint64_t)llround(1e9 / refresh_hz);
	/* Until the vGPU says otherwise (game_vgpu): the workload's own limit, or none. */
	p->frl_ns = p->frl_fps > 0 ? (uint64_t)llround(1e9 / p->frl_fps) : 0;
	if (p->memory)
		game_memory(spec, p);

	spec->unit_name = g_strdup("frame");
	spec->class_mask = 1u << VGS_GFX;
	/* Open loop only: a closed-loop game asks what it gets (models/scenario/offered.c). */
	if (p->cadence == CAD_FIXED) {
		spec->offered_ns_per_s[VGS_GFX] = p->fps * vgs_dist_mean_ns(&p->gfx);
		if (p->encode)
			spec->offered_ns_per_s[VGS_VENC] = p->fps * vgs_dist_mean_ns(&p->venc);
	}
	spec->latency_sensitive = true;
	if (p->encode)
		spec->class_mask |= 1u << VGS_VENC;
	if (p->copy_bytes)
		spec->class_mask |= 1u << VGS_COPY;
	game_describe(spec, p);
	return 0;
}

/* The vGPU's frame-rate limiter (closed-loop cadences only: fixed frames arrive at `fps` anyway). */
static void game_vgpu(struct vgs_workload_spec *spec, const struct vgs_wl_vgpu *v)
{
	struct game_params *p = spec->priv;
	double fps = isnan(p->frl_fps) ? v->frl_fps : p->frl_fps;

	if (p->cadence == CAD_FIXED)
		return;
	p->frl_ns = v->frl_on && fps > 0 ? (uint64_t)llround(1e9 / fps) : 0;
	game_describe(spec, p);
}

static void game_spec_fini(struct vgs_workload_spec *spec)
{
	struct game_params *p = spec->priv;

	if (p) {
		vgs_dist_fini(&p->gfx);
		vgs_dist_fini(&p->venc);
		vgs_dist_fini(&p->encode_gap);
		vgs_dist_fini(&p->cpu);
	}
	free(spec->priv);
}

enum game_phase { PH_GFX, PH_VENC, PH_COPY, PH_GFX_MORE };

struct game_inst {
	struct vgs_rng rng;
	struct vgs_ticker tick;
	uint64_t seq;
	uint64_t frame;          /* frames begun */
	enum game_phase phase;
	uint64_t prev_seq;       /* the current frame's previous command */
	uint64_t last_seq[GAME_MAX_INFLIGHT]; /* fixed: last command of frame f, at [f % inflight];
	                                       * closed loop: the gfx of frame f */
	/* closed loop */
	bool waited;             /* the swap-chain wait of the frame about to begin is over */
	uint64_t present_ns;     /* the previous frame's present (the limiter's reference) */
	uint64_t gfx_left_ns;    /* gfx_commands > 1: the frame's work not yet handed out */
	uint64_t pieces;         /* ... and its commands emitted */
	uint64_t phase_ns;       /* vsync: time of refresh tick 0 */
};

static int game_inst_init(struct vgs_workload *w, uint64_t seed)
{
	const struct game_params *p = w->spec->priv;
	struct game_inst *s = calloc(1, sizeof(*s));

	if (!s)
		return -1;
	vgs_rng_seed(&s->rng, vgs_rng_derive(seed, 1));
	s->tick.period_ns = p->period_ns;
	/* Sessions start independently: tick 0 falls anywhere in the first period. */
	if (!p->aligned) {
		if (p->cadence == CAD_FIXED)
			s->tick.phase_ns = vgs_rng_u64(&s->rng) % p->period_ns;
		else if (p->cadence == CAD_VSYNC)
			s->phase_ns = vgs_rng_u64(&s->rng) % p->refresh_ns;
	}
	w->priv = s;
	return 0;
}

/* The first refresh tick at or after t. */
static uint64_t vsync_tick(const struct game_params *p, const struct game_inst *s, uint64_t t)
{
	if (t <= s->phase_ns)
		return s->phase_ns;
	return s->phase_ns + (t - s->phase_ns + p->refresh_ns - 1) / p->refresh_ns * p->refresh_ns;
}

/*
 * Closed loop (the top comment): the first command buffer of a frame, after the wait for the swap
 * chain; now_ns is when the host is free.  VGS_WL_WAIT, or VGS_WL_CMD with cmd's frame fields set.
 */
static int closed_gfx(const struct game_params *p, struct game_inst *s, uint64_t now_ns, struct vgs_cmd *cmd)
{
	uint64_t present;

	if (s->frame >= p->inflight && !s->waited) {
		s->waited = true;
		cmd->deps[cmd->ndeps++] = s->last_seq[s->frame % p->inflight];
		return VGS_WL_WAIT;
	}
	s->waited = false;
	/* The CPU part starts now; the present follows it, on a refresh tick with vsync, and no sooner
	 * than 1 / frl_fps after the previous present. */
	present = now_ns + vgs_dist_sample_gap_ns(&p->cpu, &s->rng);
	if (p->cadence == CAD_VSYNC)
		present = vsync_tick(p, s, present);
	if (s->frame > 0 && p->frl_ns && present < s->present_ns + p->frl_ns) {
		present = s->present_ns + p->frl_ns;
		if (p->cadence == CAD_VSYNC)
			present = vsync_tick(p, s, present);
	}
	s->present_ns = present;
	cmd->arrival_ns = present;
	cmd->deadline_ns = cmd->arrival_ns + p->deadline_ns;
	cmd->flags = VGS_CMD_UNIT_BEGIN;
	s->gfx_left_ns = vgs_dist_sample_ns(&p->gfx, &s->rng);
	s->pieces = 0;
	return VGS_WL_CMD;
}

/* Closed loop: the frame's next gfx command buffer of gfx_commands; true when it is the last. */
static bool closed_piece(const struct game_params *p, struct game_inst *s, struct vgs_cmd *cmd)
{
	cmd->cls = VGS_GFX;
	cmd->stream = 0;
	cmd->work_ns = s->gfx_left_ns / (p->gfx_commands - s->pieces);
	if (!cmd->work_ns)
		cmd->work_ns = 1;
	s->gfx_left_ns -= cmd->work_ns < s->gfx_left_ns ? cmd->work_ns : s->gfx_left_ns;
	if (p->memory)
		cmd->mem = s->frame == 0 && s->pieces == 0 ? p->mem_gfx0 : p->mem_gfx[s->frame % p->swapchain];
	s->last_seq[s->frame % p->inflight] = s->seq;
	return ++s->pieces == p->gfx_commands;
}

/*
 * Fixed cadence: frame k's gfx at its tick; its venc and copy wait for their predecessor on the host.
 * Closed loop: the gfx in command buffers at the present; the venc waits for it on the device, the
 * copy follows the venc by stream order.
 */
static int game_next(struct vgs_workload *w, uint64_t now_ns, struct vgs_cmd *cmd)
{
	const struct game_params *p = w->spec->priv;
	struct game_inst *s = w->priv;
	bool closed = p->cadence != CAD_FIXED, last;

	vgs_cmd_clear(cmd);
	switch (s->phase) {
	case PH_GFX:
		if (p->units && s->frame >= p->units)
			return VGS_WL_END;
		if (closed) {
			if (closed_gfx(p, s, now_ns, cmd) == VGS_WL_WAIT)
				return VGS_WL_WAIT;
			last = closed_piece(p, s, cmd) && !p->encode;
			s->phase = s->pieces < p->gfx_commands ? PH_GFX_MORE : PH_VENC;
			break;
		}
		cmd->cls = VGS_GFX;
		cmd->stream = 0;
		cmd->work_ns = vgs_dist_sample_ns(&p->gfx, &s->rng);
		cmd->arrival_ns = vgs_ticker_next(&s->tick, now_ns, &w->dropped);
		cmd->deadline_ns = cmd->arrival_ns + p->deadline_ns;
		cmd->flags = VGS_CMD_UNIT_BEGIN;
		if (p->memory)
			cmd->mem = s->frame == 0 ? p->mem_gfx0 : p->mem_gfx[s->frame % p->swapchain];
		if (s->frame >= p->inflight)
			cmd->deps[cmd->ndeps++] = s->last_seq[s->frame % p->inflight];
		last = !p->encode;
		s->phase = PH_VENC;
		break;
	case PH_GFX_MORE:
		last = closed_piece(p, s, cmd) && !p->encode;
		s->phase = s->pieces < p->gfx_commands ? PH_GFX_MORE : PH_VENC;
		break;
	case PH_VENC:
		cmd->cls = VGS_VENC;
		cmd->stream = 1;
		cmd->work_ns = vgs_dist_sample_ns(&p->venc, &s->rng);
		if (closed)
			cmd->flags = VGS_CMD_DEVICE_DEPS;
		else
			cmd->gap_ns = vgs_dist_sample_gap_ns(&p->encode_gap, &s->rng);
		cmd->deps[cmd->ndeps++] = s->prev_seq;
		if (p->memory)
			cmd->mem = p->mem_venc[s->frame % p->swapchain];
		last = p->copy_bytes == 0;
		s->phase = PH_COPY;
		break;
	case PH_COPY:
	default:
		cmd->cls = VGS_COPY;
		cmd->dir = VGS_DIR_D2H;
		cmd->stream = 1; /* closed loop: after its venc by stream order, no host wait */
		cmd->bytes = p->copy_bytes;
		cmd->work_ns = 0; /* a d2h copy takes the PCIe link's time for `bytes` */
		if (!closed)
			cmd->deps[cmd->ndeps++] = s->prev_seq;
		if (p->memory)
			cmd->mem = p->mem_copy;
		last = true;
		break;
	}
	cmd->seq = s->seq++;
	cmd->unit = s->frame;
	s->prev_seq = cmd->seq;
	if (last) {
		cmd->flags |= VGS_CMD_UNIT_END;
		if (!closed)
			s->last_seq[s->frame % p->inflight] = cmd->seq;
		s->frame++;
		s->phase = PH_GFX;
	}
	return VGS_WL_CMD;
}

static void game_inst_fini(struct vgs_workload *w)
{
	free(w->priv);
}

const struct vgs_wl_kind vgs_wl_game = {
	.name = "game",
	.keys = game_keys,
	.parse = game_parse,
	.spec_fini = game_spec_fini,
	.inst_init = game_inst_init,
	.next = game_next,
	.inst_fini = game_inst_fini,
	.vgpu = game_vgpu,
};
