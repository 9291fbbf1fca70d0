/*
 * The groups of a scenario that go beyond fixed vGPUs (docs/pools.md): a pool's `requests` stream and
 * its `pool` settings, the `metering` price sheet, live `migrations` and their `migration` parameters,
 * and the `interconnect` between GPUs.  Loaded with the rest of the scenario (models/scenario/
 * pool_cfg.c, pool_req.c), checked against their schemas with file:line messages; the pool itself
 * runs in models/pool/ and sim/.
 */
#ifndef VGS_POOL_CFG_H
#define VGS_POOL_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/scenario/scenario.h"
#include "models/workload/dist.h"

/* A request class (`requests.classes` entry): a vGPU profile and a workload, and what a request of it
 * asks for unless its CSV row says otherwise. */
struct vgs_req_class {
	char *name;
	double share;                /* its share of the arrivals drawn from the distribution */
	uint64_t fb_bytes;           /* framebuffer: vram_mb, or its MIG profile's VRAM */
	uint32_t weight;
	int32_t priority;
	int32_t mig;                 /* index into vgs_pool_cfg.mig, -1: a time-sliced vGPU */
	uint32_t class_mask;         /* engine classes its workload uses */
	bool has_duration;
	struct vgs_dist duration;    /* how long a request lives once placed (ns) */
	uint64_t units;              /* work: it leaves after this many units (0: none) */
	struct vgs_sla sla;
	double price_per_h;          /* < 0: from the price sheet */
	struct vgs_workload_spec *workload;
	char *text;                  /* the class as the members of a `vgpus` entry but its name (libconfig
	                              * text): what its mix runs are made of */
	bool latency_sensitive;
	/* A fixed vGPU beside the requests (a `vgpus` entry of a pool scenario): `count` of them arrive at
	 * 0 and never leave, on GPU `gpu` when pinned (-1: placed by the policy). */
	bool fixed;
	uint32_t count;
	int32_t gpu;
};

/* A request as a CSV row gives it (docs/pools.md, "Requests from a CSV"). */
struct vgs_req_row {
	char *id;
	uint64_t arrival_ns;
	uint32_t cls;
	uint64_t duration_ns;        /* VGS_NO_TIME: the class's */
	uint64_t units;              /* 0: the class's */
	uint64_t fb_bytes;           /* 0: the class's */
	int32_t mig;                 /* -2: the class's, -1: time-sliced, else a MIG profile */
};

struct vgs_pool_mig_prof {
	char *name;                  /* "3g.20gb" */
	uint32_t cslices, mslices, placements;
	uint64_t fb_bytes;
};

struct vgs_pool_drain {
	uint64_t at_ns;
	uint32_t host;
};

struct vgs_pool_cfg {
	bool has_group;              /* the config has a `pool` group */
	/* placement */
	char *placement;             /* a built-in name or a .so path */
	char *placement_file;        /* where it was set */
	int placement_line;
	struct vgs_param *params;    /* pool.<policy> group */
	size_t nparams;
	uint32_t gpus_per_host;
	uint64_t sample_ns;          /* time series period */
	uint64_t rebalance_ns;       /* 0: never */
	struct vgs_pool_drain *drains;
	uint32_t ndrains;
	/* the command-level runs of each tenant mix (models/pool/pool_mix.c) */
	uint64_t mix_duration_ns, mix_warmup_ns, mix_window_ns;
	char *cache_dir;             /* NULL: $XDG_CACHE_HOME/vgpusim/mix */
	/* arrivals */
	double rate_per_s;           /* Poisson arrivals from the distribution (0: none) */
	double diurnal;              /* relative amplitude of a 24 h sine on the rate, 0..1 */
	uint64_t max_requests;       /* 0: no limit */
	char *csv_path;
	struct vgs_req_row *rows;
	size_t nrows;
	struct vgs_req_class *classes;
	uint32_t nclasses;
	/* the MIG profiles of the pool's MIG GPUs, requests name them */
	struct vgs_pool_mig_prof *mig;
	uint32_t nmig;
	/* the mix runs' GPU and scheduler: the members of each gpus entry as libconfig text (no count, no
	 * pool keys), the scheduler group */
	char **gpu_text;
	uint32_t ngpu_text;
	char *scheduler_text;
	char *config_dir;            /* absolute: trace paths of mix runs */
};

/* One price of the sheet: a vGPU profile's hourly price. */
struct vgs_price {
	char *profile;               /* "a100-4gb" (time-sliced, framebuffer in GiB) or "a100-3g.20gb" */
	double per_hour;
};

struct vgs_sla_credit {
	double below_pct;            /* attainment below this ... */
	double credit_pct;           /* ... credits this % of the charge */
};

struct vgs_metering_cfg {
	char *currency;
	double gpu_hour;             /* a whole GPU's hourly price: profiles not in the sheet pay a share */
	struct vgs_price *prices;
	uint32_t nprices;
	struct vgs_sla_credit *credits; /* most lenient first: below_pct descending */
	uint32_t ncredits;
	uint64_t window_ns;          /* SLA attainment is measured per window of this length */
};

/* Parsing, called by vgs_scenario_load() (load.h has the loader's side). */
void vgs_pool_cfg_free(struct vgs_pool_cfg *p);
void vgs_metering_cfg_free(struct vgs_metering_cfg *m);
/* A price sheet with the defaults (docs/pools.md, "Metering"), for a pool without a `metering` group. */
struct vgs_metering_cfg *vgs_metering_default(void);
/* The hourly price of a vGPU of `profile` whose share of its GPU is `frac` (framebuffer or compute
 * slices): the sheet's, else gpu_hour x frac. */
double vgs_metering_price(const struct vgs_metering_cfg *m, const char *profile, double frac);
/* The SLA credit (% of the charge) for an attainment of `pct` %. */
double vgs_metering_credit_pct(const struct vgs_metering_cfg *m, double pct);
/* The profile name of a time-sliced vGPU of `fb_bytes` on GPU profile `gpu` ("a100-4gb"), or of a MIG
 * instance ("a100-3g.20gb") (g_free). */
char *vgs_vgpu_profile_name(const char *gpu, uint64_t fb_bytes, const char *mig);

#endif
