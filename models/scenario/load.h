/*
 * Private to the scenario loader (models/scenario/scenario.c and the files it calls: read.c, gpu.c,
 * vram_cfg.c, vgpus.c, schema.c): the loader state, the schema helpers every group is checked with,
 * and each file's entry points.  Not part of the public interface.
 *
 * Helpers returning int give -1 after setting ld->err to "FILE:LINE: message" (or "--set ...: message"
 * for a setting an override touched), 0 when an optional key is absent (out = default), 1 when it
 * was read and is valid.
 */
#ifndef VGS_SCENARIO_LOAD_H
#define VGS_SCENARIO_LOAD_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>
#include <libconfig.h>

#include "models/scenario/scenario.h"

struct vgs_ld {
	config_t cfg;
	const char *path;          /* the config file, as given */
	char *cfgdir;              /* its directory: relative trace paths resolve here */
	GPtrArray *src_files;      /* char *: the config and the files it includes, as named (include.c) */
	GArray *src_lines;         /* where each line of the expanded text came from (include.c) */
	struct vgs_error *err;
	struct vgs_scenario *s;
	void *labels;              /* GPtrArray of override labels (setting hooks) */
	/* scheduler.domain as parsed, before expansion */
	uint32_t *dgroups;         /* class mask of each explicit group */
	uint8_t (*dorder)[VGS_NCLASS]; /* classes of each group in the order written */
	uint32_t ndgroups;
	const struct vgs_preset *preset; /* scheduler.preset, once checked (preset.c) */
};

struct vgs_ld_range {
	bool required;
	double def;
	double lo;
	bool lo_open;              /* value must be > lo rather than >= lo */
	double hi;                 /* inclusive; HUGE_VAL for none */
};

char *vgs_ld_file(const struct vgs_ld *ld, const char *source_file);
char *vgs_ld_where(const struct vgs_ld *ld, const config_setting_t *st);
int vgs_ld_fail(struct vgs_ld *ld, const config_setting_t *st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *vgs_ld_type_word(const config_setting_t *st);
char *vgs_ld_key(const char *ctx, const char *key);
double vgs_ld_number_of(const config_setting_t *st);
long long vgs_ld_int_of(const config_setting_t *st); /* INT or INT64 */

int vgs_ld_check_keys(struct vgs_ld *ld, const config_setting_t *g, const char *ctx,
		      const char *const *keys);
/* The typed getters: g may be NULL (a group the config leaves out), every key then at its default; a
 * required key needs its group. */
int vgs_ld_num(struct vgs_ld *ld, const config_setting_t *g, const char *ctx, const char *key,
	       const struct vgs_ld_range *r, double *out);
int vgs_ld_int(struct vgs_ld *ld, const config_setting_t *g, const char *ctx, const char *key,
	       bool required, long long def, long long lo, long long hi, long long *out);
int vgs_ld_str(struct vgs_ld *ld, const config_setting_t *g, const char *ctx, const char *key,
	       bool required, const char *def, const char **out);
int vgs_ld_group(struct vgs_ld *ld, const config_setting_t *g, const char *ctx, const char *key,
		 bool required, config_setting_t **out);
int vgs_ld_ident(struct vgs_ld *ld, const config_setting_t *g, const char *ctx, const char *key,
		 const char *v, size_t maxlen);
uint64_t vgs_ld_ns(double v, double ns_per_unit);

/* include.c: the text of ld->path with its @include directives expanded (g_free), or NULL with ld->err
 * set; the file and line of a line of that text; every setting under st given its source file and line
 * back. */
char *vgs_ld_include_expand(struct vgs_ld *ld, const char *extra_dir);
bool vgs_ld_include_locate(const struct vgs_ld *ld, unsigned line, const char **file, unsigned *src_line);
void vgs_ld_include_relocate(const struct vgs_ld *ld, config_setting_t *st);

/* read.c: parse ld->path into ld->cfg (extra_dir: where else an @include may be, or NULL); refuse
 * decimal literals libconfig wrapped to 32 bits; apply args' overrides (--set, -p, --seed,
 * --duration), each setting they touch labelled with the option's text. */
int vgs_ld_config_read(struct vgs_ld *ld, const char *extra_dir);
int vgs_ld_ints_check(struct vgs_ld *ld);
int vgs_ld_overrides_apply(struct vgs_ld *ld, const struct vgs_load_args *a);

/* preset.c: `-p NAME` sets scheduler.preset when NAME is a preset, else scheduler.policy, removing the
 * other (`quoted` is NAME as a libconfig string); after the overrides, check scheduler.preset, set
 * ld->preset and the preset's scheduler.domain.  0, or -1 with ld->err set. */
int vgs_ld_select_policy(struct vgs_ld *ld, const char *name, const char *quoted, const char *label);
int vgs_ld_preset_apply(struct vgs_ld *ld);

/* gpu.c: `gpus` -> s->gpus and s->engines; scheduler.domain -> s->domains. */
int vgs_ld_gpus_load(struct vgs_ld *ld, const config_setting_t *root);
int vgs_ld_domain_parse(struct vgs_ld *ld, const config_setting_t *domain);
int vgs_ld_domains_build(struct vgs_ld *ld);
void vgs_ld_domain_free(struct vgs_ld *ld);

/* kernels.c: a profile group's `host_speed`, `roofline` and `kernels` keys -> t->kspeed (needs
 * t->pcie_bw_Bps for the link's roofline). */
int vgs_ld_kernels_parse(struct vgs_ld *ld, const config_setting_t *g, const char *ctx, struct vgs_gpu *t);

/* vram_cfg.c: simulation.vram_check; a vGPU entry's `vram` group (enum vgs_vram_fault, enum
 * vgs_evict); the GPU's quota budget, adding tenant tn's quota to *gpu_sum (an error past VRAM x
 * overcommit, at the entry's vram_mb). */
int vgs_ld_vram_check(struct vgs_ld *ld, const config_setting_t *sim, bool *out);
int vgs_ld_vram_group(struct vgs_ld *ld, const config_setting_t *entry, const char *ctx, uint8_t *fault,
		      uint8_t *evict);
int vgs_ld_vram_quota(struct vgs_ld *ld, const config_setting_t *entry, const struct vgs_tenant *tn,
		      uint64_t *gpu_sum);

/*
 * mig.c: a profile's `spatial` group into t (sms 0 when absent), and a gpus entry's `mig_instances`
 * checked against the profile's `mig` geometry (*out NULL when the entry has none); each instance is
 * then a GPU made from the whole one by vgs_ld_mig_instance().
 */
struct vgs_ld_mig;
int vgs_ld_spatial_group(struct vgs_ld *ld, const config_setting_t *g, const char *ctx, struct vgs_gpu *t);
/* The profile's `mig` group into t->mig (kept in s->migs), NULL when absent. */
int vgs_ld_mig_geometry(struct vgs_ld *ld, const config_setting_t *g, const char *ctx, struct vgs_gpu *t);
void vgs_ld_mig_geoms_free(struct vgs_scenario *s);
int vgs_ld_mig_parse(struct vgs_ld *ld, const config_setting_t *g, const char *ctx, const struct vgs_gpu *t,
		     struct vgs_ld_mig **out);
uint32_t vgs_ld_mig_count(const struct vgs_ld_mig *m); /* instances per GPU: 1 without a partition */
void vgs_ld_mig_instance(const struct vgs_ld_mig *m, uint32_t i, const struct vgs_gpu *t, struct vgs_gpu *g);
const char *vgs_ld_mig_name(const struct vgs_ld_mig *m, uint32_t i);
void vgs_ld_mig_free(struct vgs_ld_mig *m);

/* vgpus.c: top-level `placement` and the `vgpus` list -> s->tenants (needs s->gpus); absent in a pool
 * of requests alone.  vgs_ld_req_class: a request class, a vgpus entry's keys but count, gpu and the
 * lifetime (but a fixed vGPU of a pool: count and gpu), plus `extra` (read by the caller), into c
 * (pool_cfg.h). */
int vgs_ld_vgpus_load(struct vgs_ld *ld, const config_setting_t *root);
struct vgs_req_class;
int vgs_ld_req_class(struct vgs_ld *ld, config_setting_t *st, const char *ctx, const char *const *extra,
		     struct vgs_req_class *c, bool fixed);

/* pool_cfg.c: `interconnect`, `migration`, `migrations`, `metering`; pool_req.c: `requests` and `pool`
 * (both need the tenants).  cfgtext.c, vgs_ld_setting_text: a setting as libconfig text that reads
 * back the same, members named in skip (NULL-terminated, may be NULL) left out of a group (g_free). */
int vgs_ld_pool_load(struct vgs_ld *ld, const config_setting_t *root);
int vgs_ld_requests_load(struct vgs_ld *ld, const config_setting_t *root);
char *vgs_ld_setting_text(const config_setting_t *st, const char *const *skip);

#endif
