/*
 * A scenario: what `vgpusim run CONFIG` simulates, loaded from a libconfig file (docs/config.md) and
 * expanded into flat arrays: GPU instances, their engines, scheduling domains and tenants (vGPU
 * instances).  Every index below is an index into these arrays.  Plain C + GLib + libconfig.
 */
#ifndef VGS_SCENARIO_H
#define VGS_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <glib.h>

#include "models/base/error.h"
#include "models/base/types.h"
#include "models/workload/kspeed.h"

struct vgs_workload_spec; /* models/workload/workload.h */
struct vgs_pool_cfg;      /* models/scenario/pool_cfg.h */
struct vgs_metering_cfg;  /* models/scenario/pool_cfg.h */


enum vgs_preempt {
	VGS_PREEMPT_COMMAND = 0, /* slice end waits for running commands; the overrun is charged */
	VGS_PREEMPT_FINE,        /* slice end preempts mid-command after preempt_latency_ns */
	VGS_PREEMPT_NONE,        /* no preemption: the owner keeps the domain until it runs dry */
};
const char *vgs_preempt_name(int p);

/* One engine class of a GPU profile (configs/gpus/<name>.cfg, `engines.<class>`). */
struct vgs_class_cfg {
	uint32_t count;              /* engines of this class; 0 = the GPU has none */
	uint32_t channels;           /* commands one context runs at once on one engine (>= 1) */
	double speed;                /* speed factor vs. the reference GPU (> 0) */
	uint64_t switch_ns;          /* context save+restore when the engine was busy */
	uint64_t switch_idle_ns;     /* ... when it was idle */
	enum vgs_preempt preempt;
	uint64_t preempt_latency_ns; /* fine: from the request to the engine being free */
	uint64_t resume_ns;          /* fine: extra work to resume a preempted command */
	uint64_t launch_ns;          /* a channel's time on each command (piece) before its work starts:
	                              * dispatch/launch overhead, measured by `vgpusim calibrate` */
	double idle_w;               /* power when idle (energy plugin) */
	double busy_w;               /* power with all channels busy */
};

/*
 * A GPU profile's MIG geometry (its `mig` group, docs/spatial.md): C compute and M memory slices, and
 * the instance profiles, each with the memory slices it may start at (bit s of `placements`).
 */
struct vgs_mig_prof {
	char *name;                  /* "1g.5gb" */
	uint32_t cslices, mslices;   /* compute and memory slices it takes */
	uint32_t sms;                /* its SMs */
	uint32_t copy, vdec, venc;   /* its engines */
	uint32_t max_count;          /* instances of it a GPU may hold, 0 = as many as fit */
	double vram_gb;              /* usable VRAM */
	uint32_t placements;         /* bit s: it may start at memory slice s */
};

struct vgs_mig_geom {
	uint32_t cslices, mslices;
	struct vgs_mig_prof *prof;
	uint32_t nprof;
};

/*
 * The libconfig list of n instances of one profile that fit the geometry -- the profile with the most
 * compute slices of which n fit, e.g. ("3g.20gb", "3g.20gb") for n = 2 on an A100 -- or NULL when no
 * profile fits n times (g_free the result).  What `compare -p ...,mig` and `leak` partition a GPU
 * into (models/scenario/mig.c).
 */
char *vgs_mig_equal_split(const struct vgs_mig_geom *g, uint32_t n);

/* A GPU profile instance (one per physical GPU after expanding `count`). */
struct vgs_gpu {
	char *name;                  /* instance name: "<profile>-<k>", e.g. "a10-0" */
	char *profile;               /* profile name, e.g. "a10" */
	char *model;                 /* human-readable model, e.g. "NVIDIA A10" */
	struct vgs_class_cfg cls[VGS_NCLASS];
	uint64_t tdr_timeout_ns;     /* a command running longer resets its vGPU's context */
	uint64_t vram_bytes;
	unsigned vram_page_shift;    /* largest GPU page allocations use: 12, 16 or 21 (vram_page_kb) */
	double overcommit;           /* quotas of its vGPUs may add up to this x vram_bytes (>= 1) */
	double pcie_bw_Bps;          /* per direction */
	uint64_t pcie_latency_ns;
	uint32_t max_vgpus;          /* vGPUs per GPU the profile allows (fixed-share denominator) */
	/* Engine class that runs commands of class c: route[c] == c, or another class when the profile
	 * says `same_as` (NVIDIA's graphics engine runs both gfx and compute work); VGS_NCLASS when the
	 * GPU has no engine for c. */
	uint8_t route[VGS_NCLASS];
	/*
	 * Spatial sharing (docs/spatial.md): the profile's `spatial` group.  The engines that run compute
	 * work (route[VGS_COMPUTE]) hold a pool of `sms` SMs and `mem_bw_frac` of the whole GPU's DRAM
	 * bandwidth, shared by the kernels that run at once; the pool is modelled on a MIG instance and
	 * under a spatial policy, never otherwise.
	 */
	uint32_t sms;                /* SMs of this GPU (a MIG instance: its own); 0 = the profile gives none */
	uint32_t ref_sms;            /* SMs of the whole GPU (the kernels' recorded times used them all) */
	double mem_bw_frac;          /* its share of the whole GPU's DRAM bandwidth: 1, or MIG memory slices */
	double mem_saturation;       /* a memory-bound kernel on this fraction of ref_sms saturates DRAM */
	double compute_mem_use;      /* DRAM bandwidth a compute-bound kernel uses, per SM fraction */
	/* MIG (docs/spatial.md): an instance of a partitioned physical GPU is a GPU of its own here. */
	const struct vgs_mig_geom *mig; /* the profile's MIG geometry (owned by the scenario), NULL if none */
	char *mig_profile;           /* "1g.5gb" for a MIG instance, NULL for a whole GPU */
	uint32_t mig_start;          /* its placement: first memory slice */
	uint32_t phys;               /* the GPU whose PCIe link it uses: itself, or its physical GPU's first
	                              * instance (MIG instances share the physical GPU's link) */
	/* Speeds per kernel class, roofline prior and host speed (`kernels`, `roofline`, `host_speed`;
	 * models/scenario/kernels.c): all zero when the profile says nothing of them. */
	struct vgs_kspeed kspeed;
	/* Pools and migration (docs/pools.md): the profile's `nvlink` group (0: none), whether a pool
	 * partitions it into MIG instances on demand (`pool_mig`), and its `gpus` entry. */
	double nvlink_bw_Bps;
	uint64_t nvlink_latency_ns;
	bool pool_mig;
	uint32_t entry;
};

/*
 * Load a GPU profile file on its own (configs/gpus/<name>.cfg, what a `gpus` entry @includes), for
 * `vgpusim translate` and the `translate` key of a trace workload: one GPU instance named after the
 * profile.  0, or -1 with err = "FILE:LINE: ...".  vgs_gpu_profile_free releases it.
 */
int vgs_gpu_profile_load(const char *path, struct vgs_gpu *out, struct vgs_error *err);
void vgs_gpu_profile_free(struct vgs_gpu *g);
/* Each engine class's speed factor, 1 for a class the GPU has no engine for (kernels.c). */
void vgs_gpu_engine_speeds(const struct vgs_gpu *g, double speed[VGS_NCLASS]);
/* Load a profile file for its speeds only: kernel classes, engine classes, and its model (g_free;
 * model may be NULL).  0, or -1 with err set. */
int vgs_gpu_profile_kspeed(const char *path, struct vgs_kspeed *k, double engine[VGS_NCLASS], char **model,
			   struct vgs_error *err);

struct vgs_engine {
	uint32_t gpu;                /* index into scenario.gpus */
	uint8_t cls;
	uint32_t index;              /* index within its class on its GPU */
	char name[64];               /* "<gpu>.<class><index>", e.g. "a10-0.gfx0" */
};

struct vgs_domain {
	uint32_t gpu;
	uint32_t nengines;
	uint32_t *engines;           /* indexes into scenario.engines */
	uint32_t class_mask;         /* bit c set: the domain has engines of class c */
	char name[96];               /* "a10-0" (gpu), "a10-0.gfx0" (engine), "a10-0.gfx+venc" (group) */
};

struct vgs_submit_cfg {
	uint64_t trap_ns;            /* cost of one submission (trap / doorbell) on the tenant's host */
	uint32_t batch_max;          /* merge up to this many commands into one submission (1 = off) */
	uint64_t batch_window_ns;    /* ... or those within this window of the first (0 = no window) */
	uint64_t wake_ns;            /* host timer lateness: a submission that waits for a time happens
	                              * this much after it (an OS timer fires late; `calibrate` measures it) */
};

/* What an access outside a vGPU's allocations does (docs/vram.md). */
enum vgs_vram_fault {
	VGS_VRAM_FAULT_RESET = 0,    /* reset the vGPU's context on that engine (as a TDR does) */
	VGS_VRAM_FAULT_KILL,         /* drop the faulting command */
	VGS_VRAM_FAULT_DEMAND,       /* map a fresh page there, charged to the quota (reset when full) */
};
const char *vgs_vram_fault_name(int f);

struct vgs_sla {
	double fps;                  /* target unit rate (frames/s, req/s, it/s); 0 = none */
	uint64_t latency_ns;         /* unit latency bound; 0 = none */
};

struct vgs_tenant {
	char *name;                  /* "<vgpu name>" or "<vgpu name>-<k>" when count > 1 */
	char *group;                 /* the vgpus entry's name */
	uint32_t replica;            /* k */
	uint32_t rng_stream;         /* which random stream its workload draws from: its index in the
	                              * scenario as loaded (kept by --solo, so a solo tenant draws the same
	                              * frames and arrivals as in the shared run) */
	uint32_t gpu;
	bool pinned;                 /* its vgpus entry names the GPU (`gpu`) */
	uint32_t weight;             /* >= 1 */
	int32_t priority;
	uint64_t vram_quota_bytes;
	uint8_t vram_fault;          /* enum vgs_vram_fault */
	uint8_t vram_evict;          /* enum vgs_evict (models/memory/vmem.h) */
	uint32_t queue_depth;        /* capacity of each per-(vGPU, engine class) ring */
	struct vgs_submit_cfg submit;
	struct vgs_sla sla;
	double mps_active_thread_pct; /* `mps.active_thread_pct`: its kernels hold at most this % of the
	                              * SMs under a spatial policy (CUDA_MPS_ACTIVE_THREAD_PERCENTAGE); 100 */
	struct vgs_workload_spec *workload; /* shared by the replicas of one vgpus entry */
	/* Its lifetime (`start_s`, `stop_s`): it submits nothing before start_ns and stops at stop_ns
	 * (VGS_NO_TIME: the end of the run), docs/pools.md. */
	uint64_t start_ns, stop_ns;
};

/* A policy parameter as written in the config, with where it was written (for errors). */
struct vgs_param {
	char *key;
	char *value;                 /* text form */
	char *file;
	int line;
};

/* A scheduled live migration of a fixed vGPU (`migrations` entry). */
struct vgs_migration_ev {
	uint32_t tenant;
	uint64_t at_ns;
	uint32_t gpu;                /* destination */
};

/* How a live migration proceeds (`migration` group, docs/pools.md "Migration"). */
struct vgs_migration_cfg {
	uint32_t max_rounds;         /* pre-copy rounds at most */
	uint64_t downtime_ns;        /* stop when what is left would copy within this on the route */
	uint64_t context_bytes;      /* the GPU context saved and restored at the stop */
	uint64_t track_ns;           /* dirty tracking: a page's first write of a round costs this */
};

/* How GPUs are connected (`interconnect` group): hosts of gpus_per_host GPUs, PCIe inside a host,
 * NVLink where the profile has it, a network between hosts, or the user's SimGrid platform. */
struct vgs_interconnect_cfg {
	uint32_t gpus_per_host;
	double net_bw_Bps;
	uint64_t net_latency_ns;
	char *platform;              /* a SimGrid platform file (absolute), NULL: generated */
};

struct vgs_scenario {
	char *path;
	char *name;                  /* simulation.name, else the file's basename without .cfg */
	uint64_t duration_ns;        /* measured interval, after warm-up */
	uint64_t warmup_ns;
	uint64_t seed;
	bool vram_check;             /* check isolation at every page mapped, not only at the end */
	char *policy;                /* scheduler.policy: a built-in name or a path to a .so; with a preset,
	                              * the preset's policy */
	char *preset;                /* scheduler.preset (or -p PRESET), NULL when none (docs/presets.md) */
	char *policy_file;           /* where it (or the preset) was set, for errors */
	int policy_line;
	char *domain_mode;           /* "gpu", "engine" or "groups" */
	bool spatial;                /* the policy shares engines between vGPUs (it has the admit hook) */
	struct vgs_param *params;    /* scheduler.<policy> group of the selected policy; with a preset, the
	                              * preset's parameters then the scheduler.<preset> group */
	size_t nparams;
	bool params_group;           /* that scheduler.<policy> (or .<preset>) group exists in the config */

	struct vgs_gpu *gpus;
	uint32_t ngpus;
	struct vgs_mig_geom **migs;  /* the profiles' MIG geometries, for vgs_gpu.mig */
	uint32_t nmigs;
	struct vgs_engine *engines;
	uint32_t nengines;
	struct vgs_domain *domains;
	uint32_t ndomains;
	struct vgs_tenant *tenants;
	uint32_t ntenants;

	/* Beyond fixed vGPUs (docs/pools.md): a pool of requests, a price sheet, live migrations. */
	struct vgs_pool_cfg *pool;   /* `requests` (and `pool`): a pool scenario, else NULL */
	struct vgs_metering_cfg *metering; /* `metering`, else NULL */
	struct vgs_migration_ev *migrations;
	uint32_t nmigrations;
	struct vgs_migration_cfg migration;
	struct vgs_interconnect_cfg interconnect;

	char *echo;                  /* the effective configuration (after overrides), libconfig text */
};

struct vgs_override {
	const char *path;            /* setting path, "simulation.duration_s" or "vgpus.[0].weight" */
	const char *value;           /* libconfig literal: 10, 2.5, "text", true */
};

struct vgs_load_args {
	const char *path;
	const struct vgs_override *overrides; /* --set, applied in order before validation */
	size_t noverrides;
	const char *policy;          /* -p: replaces scheduler.policy when non-NULL */
	bool have_seed;              /* --seed */
	uint64_t seed;
	double duration_s;           /* --duration when > 0 */
	const char *include_dir;     /* extra @include directory (NULL: the config's own dir) */
};

/* Load, override, validate and expand.  0, or -1 with err set ("file:line: ..."). */
int vgs_scenario_load(struct vgs_scenario *s, const struct vgs_load_args *args, struct vgs_error *err);
void vgs_scenario_fini(struct vgs_scenario *s);
/* offered.c: for each GPU and engine class that its open-loop tenants ask more than 100 % of, one line
 * "vgpusim: offered load: gfx asked 148 % of a10-0 (1 engine): expect missed SLAs" on out; how many. */
int vgs_scenario_offered_check(const struct vgs_scenario *s, FILE *out);

/*
 * `run --solo GROUP` (models/scenario/solo.c): keep only the first instance of the vgpus entry GROUP,
 * alone on its GPU (the other GPUs, their engines and domains are dropped; indexes are renumbered).
 * 0, or -1 with err set when the scenario has no such entry (s is then unchanged).
 */
int vgs_scenario_keep_solo(struct vgs_scenario *s, const char *group, struct vgs_error *err);

/*
 * The MIG variant of a loaded scenario, as --set overrides appended to argv ("--set", "PATH=VALUE"):
 * its one GPU cut into equal instances, one per vGPU (vgs_mig_equal_split), round-robin placement.
 * -1 with err set when the scenario has several GPUs, a GPU without MIG geometry or already
 * partitioned, vGPUs pinned to a GPU, or more vGPUs than instances fit.
 */
int vgs_mig_variant_args(const struct vgs_scenario *s, GPtrArray *argv, struct vgs_error *err);

#endif
