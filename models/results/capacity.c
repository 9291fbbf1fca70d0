/* Capacity planning: the search, the judging of one N, the outputs (models/results/capacity.h). */
#include <math.h>
#include <string.h>

#include <glib.h>

#include "models/base/json.h"
#include "models/results/capacity.h"
#include "models/results/plotdata_priv.h"
#include "models/results/results.h"
#include "models/results/sweep.h"

void vgs_capacity_init(struct vgs_capacity_search *s, const char *label, uint32_t max, bool scan)
{
	memset(s, 0, sizeof(*s));
	s->label = g_strdup(label);
	s->max = max;
	s->scan = scan;
	s->lo = 0;
	s->hi = max + 1;
	s->next_scan = 1;
	s->pts = g_new0(struct vgs_capacity_point, max + 2);
}

void vgs_capacity_fini(struct vgs_capacity_search *s)
{
	for (uint32_t n = 0; s->pts && n <= s->max + 1; n++)
		g_free(s->pts[n].seed_ok);
	g_free(s->pts);
	g_free(s->label);
	memset(s, 0, sizeof(*s));
}

uint32_t vgs_capacity_next(const struct vgs_capacity_search *s)
{
	if (s->scan)
		return s->next_scan <= s->max ? s->next_scan : 0;
	return s->hi - s->lo > 1 ? s->lo + (s->hi - s->lo) / 2 : 0;
}

void vgs_capacity_record(struct vgs_capacity_search *s, uint32_t n, struct vgs_capacity_point *pt)
{
	if (n < 1 || n > s->max)
		return;
	g_free(s->pts[n].seed_ok);
	s->pts[n] = *pt;
	s->pts[n].evaluated = true;
	memset(pt, 0, sizeof(*pt));
	if (s->scan) {
		s->next_scan = n + 1;
		if (!s->pts[n].feasible && n < s->hi)
			s->hi = n;
		if (s->pts[n].feasible && n < s->hi)
			s->lo = n;
		return;
	}
	if (s->pts[n].feasible)
		s->lo = n;
	else
		s->hi = n;
}

uint32_t vgs_capacity_answer(const struct vgs_capacity_search *s)
{
	return s->lo;
}

char *vgs_capacity_nonmonotone(const struct vgs_capacity_search *s)
{
	GString *o = g_string_new(NULL);

	for (uint32_t a = 1; a <= s->max; a++) {
		const struct vgs_capacity_point *pa = &s->pts[a];

		if (!pa->evaluated)
			continue;
		for (uint32_t b = a + 1; b <= s->max; b++) {
			const struct vgs_capacity_point *pb = &s->pts[b];

			if (!pb->evaluated)
				continue;
			for (size_t k = 0; k < pa->nseeds && k < pb->nseeds; k++)
				if (!pa->seed_ok[k] && pb->seed_ok[k])
					g_string_append_printf(o, "%s: seed #%zu meets every SLA at N = %u but not at N = %u\n",
							       s->label, k + 1, b, a);
			if (pb->total - pb->met < pa->total - pa->met)
				g_string_append_printf(o, "%s: fewer SLA misses at N = %u (%zu) than at N = %u (%zu)\n",
						       s->label, b, pb->total - pb->met, a, pa->total - pa->met);
		}
	}
	if (!o->len) {
		g_string_free(o, TRUE);
		return NULL;
	}
	return g_string_free(o, FALSE);
}

void vgs_capacity_judge(const char *const *rundirs, size_t nseeds, const struct vgs_sla_spec *sla,
			double target_pct, struct vgs_capacity_point *pt)
{
	memset(pt, 0, sizeof(*pt));
	pt->nseeds = nseeds;
	pt->seed_ok = g_new0(bool, nseeds + 1);
	for (size_t k = 0; k < nseeds; k++) {
		struct vgs_results r;
		struct vgs_error ignored = { { 0 } };
		size_t met = 0, n;

		if (vgs_results_read(&r, rundirs[k], &ignored) < 0) {
			pt->failed_runs++;
			continue;
		}
		n = vgs_table_nrows(&r.tenants);
		for (guint t = 0; t < n; t++)
			met += vgs_sla_met(&r.tenants, t, sla);
		pt->met += met;
		pt->total += n;
		pt->seed_ok[k] = met == n;
		vgs_results_fini(&r);
	}
	pt->attainment = pt->total ? (double)pt->met / pt->total : NAN;
	pt->feasible = !pt->failed_runs && pt->total && 100.0 * pt->met >= target_pct * pt->total;
}

static size_t seeds_ok(const struct vgs_capacity_point *p)
{
	size_t k = 0;

	for (size_t i = 0; i < p->nseeds; i++)
		k += p->seed_ok[i];
	return k;
}

int vgs_capacity_write_csv(const struct vgs_capacity_search *s, size_t n, const char *dir, struct vgs_error *err)
{
	GString *t = g_string_new(NULL);
	char *path = g_build_filename(dir, "capacity.csv", NULL), buf[64];
	int rc;

	g_string_append(t, "policy,n,seeds,tenants,met,attainment_pct,feasible,seeds_feasible,failed_runs,answer\n");
	for (size_t i = 0; i < n; i++)
		for (uint32_t k = 1; k <= s[i].max; k++) {
			const struct vgs_capacity_point *p = &s[i].pts[k];

			if (!p->evaluated)
				continue;
			vgs_sweep_csv_field(t, s[i].label);
			g_string_append_printf(t, ",%u,%zu,%zu,%zu,", k, p->nseeds, p->total, p->met);
			if (isfinite(p->attainment))
				g_string_append(t, vgs_fmt_double(buf, sizeof(buf), "%.3f", 100.0 * p->attainment));
			g_string_append_printf(t, ",%d,%zu,%zu,%d\n", p->feasible, seeds_ok(p), p->failed_runs,
					       k == vgs_capacity_answer(&s[i]));
		}
	rc = vgs_sweep_write_file(path, t, err);
	g_string_free(t, TRUE);
	g_free(path);
	return rc;
}

/* "100.0 %", or "-" when N was not run. */
static const char *pct(char *buf, size_t size, const struct vgs_capacity_search *s, uint32_t n)
{
	if (n < 1 || n > s->max || !s->pts[n].evaluated || !isfinite(s->pts[n].attainment))
		return "-";
	snprintf(buf, size, "%.1f %%", 100.0 * s->pts[n].attainment);
	return buf;
}

void vgs_capacity_print(FILE *f, const struct vgs_capacity_search *s, size_t n, const uint32_t *per_gpu)
{
	fprintf(f, "%-22s %8s %8s %14s %14s %5s  %s\n", "policy", "N", "per GPU", "attain. at N", "at N+1", "runs",
		"note");
	for (size_t i = 0; i < n; i++) {
		uint32_t a = vgs_capacity_answer(&s[i]), runs = 0;
		char b1[32], b2[32], pg[32];
		char *nm = vgs_capacity_nonmonotone(&s[i]);

		for (uint32_t k = 1; k <= s[i].max; k++)
			runs += s[i].pts[k].evaluated ? (uint32_t)s[i].pts[k].nseeds : 0;
		snprintf(pg, sizeof(pg), "%.3g", per_gpu && per_gpu[i] ? (double)a / per_gpu[i] : (double)a);
		fprintf(f, "%-22s %8u %8s %14s %14s %5u  %s%s%s\n", s[i].label, a, pg, a ? pct(b1, sizeof(b1), &s[i], a) : "-",
			pct(b2, sizeof(b2), &s[i], a + 1), runs,
			a == s[i].max ? "limited by placement (the most the GPU profile / VRAM allow)" : "",
			a == s[i].max && nm ? "; " : "", nm ? "non-monotone, see below" : "");
		g_free(nm);
	}
	for (size_t i = 0; i < n; i++) {
		char *nm = vgs_capacity_nonmonotone(&s[i]);

		if (nm)
			fprintf(f, "%s", nm);
		g_free(nm);
	}
}

int vgs_capacity_plot_prepare(const struct vgs_capacity_search *s, size_t n, double target_pct, const char *group,
			      const char *plotdir, GPtrArray *jobs, struct vgs_error *err)
{
	GString *none = g_string_new(NULL), *vars = g_string_new(NULL);
	struct plot_ctx ctx = { .plotdir = plotdir, .jobs = jobs, .policies = none, .err = err };
	char *path = NULL, num[64];
	size_t blocks = 0;
	FILE *f = vgs_plot_dat_open(&ctx, "capacity.dat", &path);
	int rc = -1;

	if (!f)
		goto out;
	for (size_t i = 0; i < n; i++) {
		bool any = false;

		for (uint32_t k = 1; k <= s[i].max && !any; k++)
			any = s[i].pts[k].evaluated && isfinite(s[i].pts[k].attainment);
		if (!any)
			continue;
		fprintf(f, "%s%s: %u\tattainment_pct\n", blocks++ ? "\n\n" : "", s[i].label, vgs_capacity_answer(&s[i]));
		for (uint32_t k = 1; k <= s[i].max; k++) {
			if (!s[i].pts[k].evaluated || !isfinite(s[i].pts[k].attainment))
				continue;
			fprintf(f, "%u", k);
			vgs_plot_dat_num(f, 100.0 * s[i].pts[k].attainment);
			fputc('\n', f);
		}
	}
	if (vgs_plot_dat_close(&ctx, f, path) < 0)
		goto out;
	if (blocks) {
		snprintf(num, sizeof(num), "%zu", blocks);
		vgs_plot_gp_var(vars, "nlines", num);
		vgs_plot_gp_var(vars, "group", group);
		vgs_plot_gp_var(vars, "target", vgs_fmt_double(num, sizeof(num), "%g", target_pct));
		vgs_plot_job_add(&ctx, "plot-capacity.gp", "capacity", path, vars);
	}
	rc = 0;
out:
	g_string_free(none, TRUE);
	g_string_free(vars, TRUE);
	g_free(path);
	return rc;
}
