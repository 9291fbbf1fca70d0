/*
 * `vgpusim pool` (docs/pools.md): the pool level of models/pool/ driven by the simulator -- its mixes
 * run as child processes (sim/pool_mixer.c), its migrations' bytes moved by SimGrid on the pool's
 * platform (sim/pool_run.c: a generated one, or the user's platform file).
 */
#ifndef VGS_SIM_POOL_H
#define VGS_SIM_POOL_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "models/base/error.h"
#include "models/pool/pool.h"
#include "models/scenario/scenario.h"

/* The mixes this command knows, and the cache they are kept in. */
struct sim_mixer {
	const struct vgs_scenario *scn;
	char *dir;                   /* the cache directory */
	unsigned jobs;               /* mix runs at once */
	bool progress;
	GHashTable *known;           /* mix name -> struct vgs_mix_entry * */
	uint64_t runs, cached;       /* mixes run by this command, mixes read from the cache */
};

/* $XDG_CACHE_HOME/vgpusim/mix, else ~/.cache/vgpusim/mix (g_free). */
char *sim_mixer_default_cache(void);
/* cache NULL: pool.mix.cache, else the default.  0, or -1 with err set. */
int sim_mixer_init(struct sim_mixer *mx, const struct vgs_scenario *s, const char *cache, unsigned jobs,
		   bool progress, struct vgs_error *err);
void sim_mixer_fini(struct sim_mixer *mx);
/* Run every mix of `mixes` (struct vgs_mix *) not known yet, -j at once.  0, or -1 with err set. */
int sim_mixer_run(struct sim_mixer *mx, const GPtrArray *mixes, struct vgs_error *err);
/* Mix m: known, from the cache, or (run) run now; NULL when not known and not run (or on an error:
 * err set). */
const struct vgs_mix_entry *sim_mixer_get(struct sim_mixer *mx, const struct vgs_mix *m, bool run,
					  struct vgs_error *err);

/*
 * The pool's final pass on SimGrid (sim/pool_run.c): the platform (generated from the interconnect, or
 * interconnect.platform), the pool's event loop in an actor, the migrations' bytes as communications.
 * Mixes not known yet are run at once.  0 (the pool ran to its end, or was interrupted: *interrupted),
 * or -1 with err set.
 */
int sim_pool_run(struct vgs_pool *p, const struct vgs_scenario *s, struct sim_mixer *mx, bool progress,
		 bool *interrupted, struct vgs_error *err);
/* `vgpusim compare` on a pool scenario: its items are placement policies (sim/cmd_pool_compare.c). */
struct vgs_args;
int sim_pool_compare(const char *config, const char *policies, unsigned jobs, const struct vgs_args *args, bool plots);
/* The route between two GPUs of a pool scenario (sim_route of sim/platform.c). */
void sim_pool_route(void *scn, uint32_t a, uint32_t b, double *lat_s, double *bw_Bps);

#endif
