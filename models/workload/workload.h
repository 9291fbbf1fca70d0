/*
 * Workloads: what a tenant submits.  A spec is parsed once from a config's `workload` group (a
 * generator with its parameters, or a native trace file); each tenant then draws its own command
 * stream from an instance seeded independently.  See docs/trace-format.md and docs/config.md.
 */
#ifndef VGS_WORKLOAD_H
#define VGS_WORKLOAD_H

#include <stdbool.h>
#include <stdint.h>

#include <libconfig.h>

#include "models/base/error.h"
#include "models/base/types.h"

struct vgs_workload_spec;
struct vgs_workload;

/*
 * Parse a `workload = { type = "game"; ... }` group (or `{ trace = "file"; ... }`).  Relative trace
 * paths resolve against config_dir.  Errors name the config file:line of the offending setting, or
 * the trace file:line.  0, or -1 with err set.
 */
int vgs_workload_spec_parse(const config_setting_t *setting, const char *config_dir,
			    struct vgs_workload_spec **out, struct vgs_error *err);
void vgs_workload_spec_free(struct vgs_workload_spec *spec);

/* Its kind: the `type` ("game", "train", ..., "trace"). */
const char *vgs_workload_kind(const struct vgs_workload_spec *spec);

/*
 * What the vGPU imposes on the programs it runs, derived by the scenario loader (docs/config.md,
 * `vgpu_type`): NVIDIA vGPU's frame-rate limiter.  Told to a spec once, right after parsing.
 */
struct vgs_wl_vgpu {
	bool frl_on;                 /* the limiter is in force (off under the equal- and fixed-share schedulers) */
	double frl_fps;              /* its default limit: 60 fps (Q, C, A series), 45 (B series) */
};
void vgs_workload_spec_vgpu(struct vgs_workload_spec *spec, const struct vgs_wl_vgpu *v);

/* "frame", "request", "iteration" or "unit": what one unit of this workload is. */
const char *vgs_workload_unit_name(const struct vgs_workload_spec *spec);
/* One line, e.g. "game 60 fps, gfx lognormal(7.1 ms, cv 0.25) + venc ..." for logs and summary.json. */
const char *vgs_workload_describe(const struct vgs_workload_spec *spec);
/* Reference-GPU ns of work of class cls asked per second by an open-loop workload (frames at a rate,
 * requests arriving): the mean work of a unit times the unit rate.  0 for closed-loop workloads, which
 * ask what they get. */
double vgs_workload_offered(const struct vgs_workload_spec *spec, int cls);
/* Bit c set when the workload issues commands of engine class c. */
uint32_t vgs_workload_class_mask(const struct vgs_workload_spec *spec);
/* True when units have deadlines or open-loop arrivals whose latency matters (frames, requests). */
bool vgs_workload_latency_sensitive(const struct vgs_workload_spec *spec);
/* Source file:line of the workload group, for errors raised later (e.g. a class the GPU lacks). */
const char *vgs_workload_where(const struct vgs_workload_spec *spec);

/*
 * The seed of the workload instance of the tenant with random stream `rng_stream` in a scenario of
 * seed `scenario_seed`: one rule for every driver, so they replay the same command stream.
 */
uint64_t vgs_workload_seed(uint64_t scenario_seed, uint32_t rng_stream);
/*
 * A `victim` workload's secret (gen_sidechannel.c, `vgpusim leak`): bit k (0 or 1) of the instance
 * seeded `seed`, which it carries during [k * period, (k + 1) * period) of tenant time; -1 and 0 for a
 * workload of another kind.
 */
int vgs_workload_secret_bit(const struct vgs_workload_spec *spec, uint64_t seed, uint64_t k);
uint64_t vgs_workload_secret_period_ns(const struct vgs_workload_spec *spec);
/*
 * A trace workload's `translate = "PROFILE"` key (docs/translate.md): the GPU profile file its
 * durations and gaps were recorded on (resolved against the config's directory), NULL when none.
 * vgs_workload_translate then turns them into the reference GPU's (vgs_trace_translate, `from` the
 * profile's kernel speeds, `engine` its engine classes' speed factors), so that the GPU the tenant
 * runs on times each op by its own profile; the scenario loader does it once per spec.
 */
struct vgs_kspeed;
const char *vgs_workload_translate_from(const struct vgs_workload_spec *spec);
void vgs_workload_translate(struct vgs_workload_spec *spec, const struct vgs_kspeed *from, const double *engine);

/* An independent command stream; same spec + seed gives the same stream. */
struct vgs_workload *vgs_workload_new(const struct vgs_workload_spec *spec, uint64_t seed);
/* What vgs_workload_next() returns. */
enum {
	VGS_WL_END = 0,      /* the workload has finished */
	VGS_WL_CMD = 1,      /* *cmd is the next command */
	VGS_WL_WAIT = 2,     /* no command yet: the host waits until command cmd->deps[0] (an earlier seq)
	                      * has completed, then asks again at that time (models/base/types.h) */
};
/*
 * Next command, asked for when the tenant's host is ready for it at now_ns (tenant-relative time:
 * 0 when the tenant starts).  Open-loop generators use now_ns to place arrivals (a game late by more
 * than a frame period skips the missed ticks instead of bursting); closed-loop ones, asked again after
 * a VGS_WL_WAIT, learn from now_ns when what they waited for completed.  Returns VGS_WL_CMD with *cmd
 * filled (seq numbering is the workload's: 0, 1, 2, ...), VGS_WL_WAIT, or VGS_WL_END.
 */
int vgs_workload_next(struct vgs_workload *w, uint64_t now_ns, struct vgs_cmd *cmd);
/*
 * Memory operations of a command (docs/vram.md): the list its `mem` names, *n entries, or NULL with
 * *n = 0 for mem 0.  The table belongs to the spec and lives as long as it.
 */
const struct vgs_mem_op *vgs_workload_mem(const struct vgs_workload *w, uint32_t mem, uint32_t *n);
/* Whether any command of the workload allocates, frees or accesses memory. */
bool vgs_workload_has_memory(const struct vgs_workload_spec *spec);
/* Units skipped because the host fell more than one period behind (periodic arrivals). */
uint64_t vgs_workload_dropped_units(const struct vgs_workload *w);
void vgs_workload_free(struct vgs_workload *w);

#endif
