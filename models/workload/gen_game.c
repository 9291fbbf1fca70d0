/*
 * `game`: a cloud-gaming tenant.  Frames arrive periodically at `fps`; frame k is
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

static const char *const game_keys[] = {
	"type", "fps", "gfx_ms", "venc_ms", "encode", "encode_gap_us", "copy_bytes", "deadline_frames",
	"frames_in_flight", "units", "start", "memory", "width", "height", "swapchain", "textures_mb", NULL,
};

/* Allocation ids (docs/vram.md). */
enum { GM_TEXTURES = 1, GM_DEPTH = 2, GM_BITSTREAM = 3, GM_SWAP0 = 8 };
#define GAME_MAX_SWAP 8

struct game_params {
	double fps;
	struct vgs_dist gfx, venc, encode_gap;
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

static int game_parse(struct vgs_workload_spec *spec, const config_setting_t *g, const char *config_dir,
		      struct vgs_error *err)
{
	struct game_params *p = calloc(1, sizeof(*p));

	if (!p)
		return -1;
	spec->priv = p;
	p->fps = 60;
	p->gfx = vgs_dist_make(VGS_DIST_LOGNORMAL, 0.912e6, 0.193);
	p->venc = vgs_dist_make(VGS_DIST_CONST, 1.152e6, 0);
	p->encode_gap = vgs_dist_make(VGS_DIST_CONST, 0, 0);
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
	    vgs_wl_get_mb(g, "textures_mb", &p->textures_bytes, err))
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
	if (p->memory)
		game_memory(spec, p);

	char a[96], b[96], c[64];

	spec->unit_name = g_strdup("frame");
	spec->class_mask = 1u << VGS_GFX;
	spec->offered_ns_per_s[VGS_GFX] = p->fps * vgs_dist_mean_ns(&p->gfx);
	if (p->encode)
		spec->offered_ns_per_s[VGS_VENC] = p->fps * vgs_dist_mean_ns(&p->venc);
	spec->latency_sensitive = true;
	if (p->encode)
		spec->class_mask |= 1u << VGS_VENC;
	if (p->copy_bytes)
		spec->class_mask |= 1u << VGS_COPY;
	if (p->copy_bytes)
		snprintf(c, sizeof(c), " + d2h %llu B", (unsigned long long)p->copy_bytes);
	else
		c[0] = 0;
	spec->describe = g_strdup_printf("game %g fps, gfx %s%s%s%s, deadline %g frame%s", p->fps,
					 vgs_dist_format(&p->gfx, 1e6, "ms", a, sizeof(a)),
					 p->encode ? " + venc " : "",
					 p->encode ? vgs_dist_format(&p->venc, 1e6, "ms", b, sizeof(b)) : "", c,
					 p->deadline_frames, p->deadline_frames == 1 ? "" : "s");
	return 0;
}

static void game_spec_fini(struct vgs_workload_spec *spec)
{
	free(spec->priv);
}

enum game_phase { PH_GFX, PH_VENC, PH_COPY };

struct game_inst {
	struct vgs_rng rng;
	struct vgs_ticker tick;
	uint64_t seq;
	uint64_t frame;          /* frames begun */
	enum game_phase phase;
	uint64_t prev_seq;       /* the current frame's previous command */
	uint64_t last_seq[GAME_MAX_INFLIGHT]; /* last command of frame f, at [f % inflight] */
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
	if (!p->aligned)
		s->tick.phase_ns = vgs_rng_u64(&s->rng) % p->period_ns;
	w->priv = s;
	return 0;
}

static int game_next(struct vgs_workload *w, uint64_t now_ns, struct vgs_cmd *cmd)
{
	const struct game_params *p = w->spec->priv;
	struct game_inst *s = w->priv;
	bool last;

	vgs_cmd_clear(cmd);
	switch (s->phase) {
	case PH_GFX:
		if (p->units && s->frame >= p->units)
			return 0;
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
	case PH_VENC:
		cmd->cls = VGS_VENC;
		cmd->stream = 1;
		cmd->work_ns = vgs_dist_sample_ns(&p->venc, &s->rng);
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
		cmd->stream = 1;
		cmd->bytes = p->copy_bytes;
		cmd->work_ns = 0; /* a d2h copy takes the PCIe link's time for `bytes` */
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
		s->last_seq[s->frame % p->inflight] = cmd->seq;
		s->frame++;
		s->phase = PH_GFX;
	}
	return 1;
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
};
