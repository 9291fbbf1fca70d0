/*
 * The command-level runs of a pool's tenant mixes (docs/pools.md, "The two levels"): each mix the pool
 * level meets is `vgpusim run` on its one-GPU scenario (models/pool/pool_mix.c), run once and kept in
 * the cache directory as <key>.mix beside its scenario <key>.cfg; a mix in the cache is never run
 * again, by this command or the next (every placement policy of a `compare` shares them).
 *
 * Child processes, not runs in this process: SimGrid's engine is a process-wide singleton that cannot
 * be started twice, and children run on every core (-j) through sim/batch.c (own process groups,
 * stopped on Ctrl-C).  A batch is as many mixes as the pool's discovery pass found; a mix found only
 * by the final pass runs alone, at once.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "models/base/interrupt.h"
#include "models/results/outdir.h"
#include "sim/batch.h"
#include "sim/pool.h"

char *sim_mixer_default_cache(void)
{
	const char *xdg = g_getenv("XDG_CACHE_HOME");

	if (xdg && *xdg)
		return g_build_filename(xdg, "vgpusim", "mix", NULL);
	return g_build_filename(g_get_home_dir(), ".cache", "vgpusim", "mix", NULL);
}

int sim_mixer_init(struct sim_mixer *mx, const struct vgs_scenario *s, const char *cache, unsigned jobs,
		   bool progress, struct vgs_error *err)
{
	memset(mx, 0, sizeof(*mx));
	mx->scn = s;
	mx->jobs = jobs ? jobs : 1;
	mx->progress = progress;
	mx->dir = cache ? g_strdup(cache) : s->pool->cache_dir ? g_strdup(s->pool->cache_dir) : sim_mixer_default_cache();
	mx->known = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)vgs_mix_entry_free);
	if (g_mkdir_with_parents(mx->dir, 0755) != 0) {
		vgs_error_set(err, "cannot create the mix cache %s: %s", mx->dir, strerror(errno));
		return -1;
	}
	return 0;
}

void sim_mixer_fini(struct sim_mixer *mx)
{
	if (mx->known)
		g_hash_table_destroy(mx->known);
	g_free(mx->dir);
	memset(mx, 0, sizeof(*mx));
}

/* A mix to run: its scenario written into the cache, its results directory beside it. */
struct job {
	struct vgs_mix *m;
	char *name, *key, *cfg, *out;
};

static void job_free(struct job *j)
{
	vgs_mix_free(j->m);
	g_free(j->name);
	g_free(j->key);
	g_free(j->cfg);
	if (j->out)
		vgs_outdir_remove(j->out);
	g_free(j->out);
	g_free(j);
}

/* Known already (this command, or the cache): the entry, else NULL and *jp the job to run it. */
static const struct vgs_mix_entry *lookup(struct sim_mixer *mx, const struct vgs_mix *m, struct job **jp,
					  struct vgs_error *err)
{
	struct job *j = g_new0(struct job, 1);
	struct vgs_mix_entry *e;
	char *text, *path;
	GError *gerr = NULL;

	*jp = NULL;
	j->name = vgs_mix_name(m);
	if ((e = g_hash_table_lookup(mx->known, j->name))) {
		job_free(j);
		return e;
	}
	text = vgs_mix_scenario(mx->scn, m, &j->key);
	path = g_strdup_printf("%s/%s.mix", mx->dir, j->key);
	e = vgs_mix_cache_read(path, m);
	g_free(path);
	if (e) {
		mx->cached++;
		g_hash_table_insert(mx->known, j->name, e);
		j->name = NULL;
		job_free(j);
		g_free(text);
		return e;
	}
	j->m = vgs_mix_copy(m);
	j->cfg = g_strdup_printf("%s/%s.cfg", mx->dir, j->key);
	if (!g_file_set_contents(j->cfg, text, -1, &gerr)) {
		vgs_error_set(err, "cannot write %s: %s", j->cfg, gerr->message);
		g_error_free(gerr);
		g_free(text);
		job_free(j);
		return NULL;
	}
	g_free(text);
	j->out = g_strdup_printf("%s/.run-%s-%d", mx->dir, j->key, (int)getpid());
	*jp = j;
	return NULL;
}

/* Read a finished job's results into the cache and the known mixes. */
static int collect(struct sim_mixer *mx, struct job *j, const char *status, const char *log, struct vgs_error *err)
{
	struct vgs_mix_entry *e;
	char *path;

	if (status) {
		char *msg = NULL;

		g_file_get_contents(log, &msg, NULL, NULL);
		vgs_error_set(err, "the mix run of %s (%s) failed (%s): %s", j->name, j->cfg, status,
			      msg ? g_strstrip(msg) : "");
		g_free(msg);
		return -1;
	}
	e = vgs_mix_read_run(mx->scn, j->m, j->out, err);
	if (!e)
		return -1;
	path = g_strdup_printf("%s/%s.mix", mx->dir, j->key);
	if (vgs_mix_cache_write(path, e, err) < 0) {
		g_free(path);
		vgs_mix_entry_free(e);
		return -1;
	}
	g_free(path);
	mx->runs++;
	g_hash_table_insert(mx->known, j->name, e);
	j->name = NULL;
	return 0;
}

int sim_mixer_run(struct sim_mixer *mx, const GPtrArray *mixes, struct vgs_error *err)
{
	GPtrArray *jobs = g_ptr_array_new_with_free_func((GDestroyNotify)job_free);
	GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
	struct vgs_batch b;
	int rc = -1;

	vgs_batch_init(&b, "pool: mix runs", mx->jobs, mx->progress);
	for (guint i = 0; i < mixes->len; i++) {
		struct job *j;

		if (!lookup(mx, mixes->pdata[i], &j, err) && !j)
			goto out;
		if (!j)
			continue;
		if (g_hash_table_contains(seen, j->key)) {
			j->out = (g_free(j->out), NULL);
			job_free(j);
			continue;
		}
		g_hash_table_add(seen, j->key);
		g_ptr_array_add(jobs, j);
		GPtrArray *argv = vgs_batch_argv(j->cfg, NULL);
		char *log = g_strdup_printf("%s.log", j->out);

		g_ptr_array_add(argv, g_strdup("--quiet"));
		g_ptr_array_add(argv, g_strdup("-o"));
		g_ptr_array_add(argv, g_strdup(j->out));
		vgs_batch_add(&b, argv, log, j);
		g_free(log);
	}
	if (vgs_batch_run(&b) < 0) {
		vgs_error_set(err, "pool: %s: the mix runs stopped", vgs_interrupt_name());
		goto out;
	}
	for (guint i = 0; i < b.runs->len; i++) {
		struct vgs_batch_run *r = b.runs->pdata[i];
		int c = collect(mx, r->user, r->status_text, r->log, err);

		g_unlink(r->log);
		if (c < 0)
			goto out;
	}
	rc = 0;
out:
	vgs_batch_fini(&b);
	g_hash_table_destroy(seen);
	g_ptr_array_free(jobs, TRUE);
	return rc;
}

const struct vgs_mix_entry *sim_mixer_get(struct sim_mixer *mx, const struct vgs_mix *m, bool run,
					  struct vgs_error *err)
{
	struct job *j;
	const struct vgs_mix_entry *e = lookup(mx, m, &j, err);
	GPtrArray *one;

	if (e || !j)
		return e;
	job_free(j);
	if (!run)
		return NULL;
	one = g_ptr_array_new();
	g_ptr_array_add(one, (gpointer)m);
	if (sim_mixer_run(mx, one, err) < 0) {
		g_ptr_array_free(one, TRUE);
		return NULL;
	}
	g_ptr_array_free(one, TRUE);
	e = lookup(mx, m, &j, err);
	if (j)
		job_free(j);
	return e;
}
