/*
 * Shards of a run (metrics.h, "A run split into shards"; sim/shard.c; docs/simulator.md "Shards"):
 * a shard saves the accumulators of its GPUs' tenants, engines, domains and GPUs; the parent loads
 * them into one vgs_metrics, where each entity then holds exactly what a one-shard run would have
 * accumulated for it (the GPUs do not interact), and merges the shards' units.csv rows by end time.
 *
 * The state file is private to one build: the parent and its shards are one program (fork), so the
 * accumulators are written as they lie in memory, each histogram followed by its buckets.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "models/results/metrics_internal.h"

static const char part_magic[8] = "VGSPART1";
#define PART_END UINT32_MAX

static bool put(FILE *f, const void *p, size_t n)
{
	return n == 0 || fwrite(p, n, 1, f) == 1;
}

static bool get(FILE *f, void *p, size_t n)
{
	return n == 0 || fread(p, n, 1, f) == 1;
}

static bool put_hist(FILE *f, const struct vgs_hist *h)
{
	uint8_t has = h->counts != NULL;

	return put(f, &has, 1) && (!has || put(f, h->counts, (size_t)h->nbuckets * sizeof(*h->counts)));
}

/* h was read as raw bytes (its counts pointer the shard's): its buckets follow. */
static bool get_hist(FILE *f, struct vgs_hist *h)
{
	uint8_t has;

	h->counts = NULL;
	if (!get(f, &has, 1))
		return false;
	if (!has) {
		h->nbuckets = 0;
		return true;
	}
	h->counts = malloc((size_t)(h->nbuckets ? h->nbuckets : 1) * sizeof(*h->counts));
	return h->counts && get(f, h->counts, (size_t)h->nbuckets * sizeof(*h->counts));
}

int vgs_metrics_part_save(struct vgs_metrics *m, const bool *gpu_active, const struct vgs_metrics_part *p,
			  const char *path, struct vgs_error *err)
{
	const struct vgs_scenario *s = m->s;
	const struct vgs_metrics_index *ix = &m->ix;
	struct vgs_metrics_part q = *p;
	FILE *f;
	bool ok;

	vgs_metrics_units_flush(m);
	if (m->units_csv && (fflush(m->units_csv) != 0 || ferror(m->units_csv)))
		m->units_io_error = true;
	if (m->units_io_error) {
		vgs_error_set(err, "%s: write failed", m->units_path);
		return -1;
	}
	f = fopen(path, "wb");
	if (!f) {
		vgs_error_set(err, "%s: cannot create: %s", path, strerror(errno));
		return -1;
	}
	q.straddle = p->straddle || m->straddle;
	ok = put(f, part_magic, sizeof(part_magic)) && put(f, &q, sizeof(q)) && put(f, &m->commands, sizeof(m->commands)) &&
	     put(f, &m->units, sizeof(m->units)) && put(f, &m->deadline_misses, sizeof(m->deadline_misses));
	for (uint32_t g = 0; ok && g < s->ngpus; g++) {
		if (!gpu_active[g])
			continue;
		ok = put(f, &g, sizeof(g)) && put(f, &m->gv[g], sizeof(m->gv[g])) &&
		     put(f, &m->gpu_commands[g], sizeof(m->gpu_commands[g]));
		for (uint32_t k = ix->e_start[g]; ok && k < ix->e_start[g + 1]; k++)
			ok = put(f, &m->e[ix->e_list[k]], sizeof(m->e[0]));
		for (uint32_t k = ix->d_start[g]; ok && k < ix->d_start[g + 1]; k++)
			ok = put(f, &m->d[ix->d_list[k]], sizeof(m->d[0]));
		for (uint32_t k = ix->t_start[g]; ok && k < ix->t_start[g + 1]; k++) {
			uint32_t i = ix->t_list[k];
			const struct vgs_metrics_tenant *t = &m->t[i];

			ok = put(f, t, sizeof(*t)) && put_hist(f, &t->queue_ns) && put_hist(f, &t->latency_ns) &&
			     put(f, &m->busy_t[ix->busy_off[i]], (ix->e_start[g + 1] - ix->e_start[g]) * sizeof(uint64_t)) &&
			     put(f, &m->held_t[ix->held_off[i]], (ix->d_start[g + 1] - ix->d_start[g]) * sizeof(uint64_t));
		}
	}
	ok = ok && put(f, &(uint32_t){ PART_END }, sizeof(uint32_t));
	if (fclose(f) != 0 || !ok) {
		vgs_error_set(err, "%s: write failed", path);
		return -1;
	}
	return 0;
}

int vgs_metrics_part_load(struct vgs_metrics *m, const char *path, struct vgs_metrics_part *p,
			  struct vgs_error *err)
{
	const struct vgs_scenario *s = m->s;
	const struct vgs_metrics_index *ix = &m->ix;
	char magic[sizeof(part_magic)];
	uint64_t commands, units, misses;
	FILE *f = fopen(path, "rb");
	bool ok;
	uint32_t g;

	if (!f) {
		vgs_error_set(err, "%s: cannot read: %s", path, strerror(errno));
		return -1;
	}
	ok = get(f, magic, sizeof(magic)) && !memcmp(magic, part_magic, sizeof(magic)) && get(f, p, sizeof(*p)) &&
	     get(f, &commands, sizeof(commands)) && get(f, &units, sizeof(units)) && get(f, &misses, sizeof(misses));
	if (ok) {
		m->commands += commands;
		m->units += units;
		m->deadline_misses += misses;
	}
	while (ok && get(f, &g, sizeof(g)) && g != PART_END) {
		ok = g < s->ngpus && get(f, &m->gv[g], sizeof(m->gv[g])) &&
		     get(f, &m->gpu_commands[g], sizeof(m->gpu_commands[g]));
		for (uint32_t k = ix->e_start[g]; ok && k < ix->e_start[g + 1]; k++)
			ok = get(f, &m->e[ix->e_list[k]], sizeof(m->e[0]));
		for (uint32_t k = ix->d_start[g]; ok && k < ix->d_start[g + 1]; k++)
			ok = get(f, &m->d[ix->d_list[k]], sizeof(m->d[0]));
		for (uint32_t k = ix->t_start[g]; ok && k < ix->t_start[g + 1]; k++) {
			uint32_t i = ix->t_list[k];
			struct vgs_metrics_tenant *t = &m->t[i];

			vgs_hist_fini(&t->queue_ns);
			vgs_hist_fini(&t->latency_ns);
			ok = get(f, t, sizeof(*t));
			t->unit_name = NULL;
			ok = ok && get_hist(f, &t->queue_ns);
			if (!ok)
				t->latency_ns.counts = NULL; /* not read: nothing of ours to free */
			ok = ok && get_hist(f, &t->latency_ns) &&
			     get(f, &m->busy_t[ix->busy_off[i]], (ix->e_start[g + 1] - ix->e_start[g]) * sizeof(uint64_t)) &&
			     get(f, &m->held_t[ix->held_off[i]], (ix->d_start[g + 1] - ix->d_start[g]) * sizeof(uint64_t));
		}
	}
	ok = ok && g == PART_END;
	fclose(f);
	if (!ok) {
		vgs_error_set(err, "%s: a shard's state is truncated or malformed", path);
		return -1;
	}
	return 0;
}

/* ---- units.csv ---------------------------------------------------------------------------------- */

struct urow {
	FILE *f;
	char *line;
	size_t cap;
	ssize_t len;                 /* -1 at the end */
	uint64_t end_ns;
};

/* The next row and its end_ns: the fifth field from the end (a tenant's name may hold commas, the
 * numbers after it never do). */
static bool urow_next(struct urow *r)
{
	int commas = 0;

	r->len = getline(&r->line, &r->cap, r->f);
	if (r->len <= 0) {
		r->len = -1;
		return true;
	}
	for (ssize_t k = r->len - 1; k >= 0; k--) {
		if (r->line[k] != ',' || ++commas < 5)
			continue;
		r->end_ns = strtoull(r->line + k + 1, NULL, 10);
		return true;
	}
	return false;
}

int vgs_metrics_units_merge(struct vgs_metrics *m, char *const *paths, size_t n, struct vgs_error *err)
{
	struct urow *rows = calloc(n ? n : 1, sizeof(*rows));
	int rc = -1;

	vgs_metrics_units_flush(m);
	for (size_t k = 0; rows && k < n; k++) {
		rows[k].f = fopen(paths[k], "r");
		if (!rows[k].f) {
			vgs_error_set(err, "%s: cannot read: %s", paths[k], strerror(errno));
			goto out;
		}
		/* the header, then the first row */
		if (getline(&rows[k].line, &rows[k].cap, rows[k].f) <= 0 || !urow_next(&rows[k])) {
			vgs_error_set(err, "%s: malformed", paths[k]);
			goto out;
		}
	}
	for (;;) {
		size_t best = n;

		/* the earliest end, the lowest shard at a tie: shards hold physical GPUs in index order */
		for (size_t k = 0; k < n; k++)
			if (rows[k].len >= 0 && (best == n || rows[k].end_ns < rows[best].end_ns))
				best = k;
		if (best == n)
			break;
		if (fwrite(rows[best].line, (size_t)rows[best].len, 1, m->units_csv) != 1)
			m->units_io_error = true;
		if (!urow_next(&rows[best])) {
			vgs_error_set(err, "%s: malformed", paths[best]);
			goto out;
		}
	}
	rc = 0;
out:
	for (size_t k = 0; rows && k < n; k++) {
		if (rows[k].f)
			fclose(rows[k].f);
		free(rows[k].line);
	}
	free(rows);
	return rc;
}
