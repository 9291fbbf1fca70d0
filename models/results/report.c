/*
 * report.md of `vgpusim compare` (docs/compare.md): a header that names what was compared (no date,
 * so two reports diff cleanly), the per-policy and per-tenant tables, the solo baselines, "who wins
 * on what" computed from those numbers, and links to the plots.
 *
 * Every number is printed with a fixed number of decimals (the DEC_* constants below); the winners are
 * chosen on the numbers as printed (vgs_compare_best), and tests/e2e/check_report.py reads the tables
 * back and checks each number against summary.json and tenants.csv at that precision.  Undefined
 * numbers print as "-", an infinite slowdown as "inf".
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include <glib.h>

#include "models/results/compare.h"
#include "models/base/json.h"

enum {
	DEC_RATE = 2,       /* units/s */
	DEC_LAT = 3,        /* ms */
	DEC_PCT = 2,        /* share, target, utilisation (%) */
	DEC_OVERHEAD = 3,   /* switch overhead (%) */
	DEC_JAIN = 4,
	DEC_ENERGY = 2,     /* J */
	DEC_SLOWDOWN = 2,
};

/* Number to text with `dec` decimals; "-" when undefined.  Returns buf. */
static const char *num(char *buf, size_t size, double v, int dec)
{
	char fmt[16];

	if (isnan(v))
		return "-";
	if (isinf(v))
		return v > 0 ? "inf" : "-inf";
	snprintf(fmt, sizeof(fmt), "%%.%df", dec);
	vgs_fmt_double(buf, size, fmt, v);
	if (buf[0] == '-' && strspn(buf + 1, "0.") == strlen(buf + 1))
		memmove(buf, buf + 1, strlen(buf)); /* "-0.00" -> "0.00" */
	return buf;
}

#define N(v, dec) num((char[48]){ 0 }, 48, (v), (dec))

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

/* "weighted", or "weighted (incomplete: exit 2, see [weighted.log](weighted.log))". */
static void run_label(FILE *out, const struct vgs_compare_run *r)
{
	fprintf(out, "%s", r->name);
	if (!r->complete)
		fprintf(out, " (incomplete: %s, see [%s](%s))", r->status_text ? r->status_text : "no results",
			r->log, r->log);
}

/* The last non-empty line of a run's log, for the list of incomplete runs. */
static char *log_tail(const char *dir, const char *log)
{
	char *path = g_build_filename(dir, log, NULL), *text = NULL, *line = NULL;

	if (g_file_get_contents(path, &text, NULL, NULL)) {
		char **lines = g_strsplit(text, "\n", -1);

		for (int i = (int)g_strv_length(lines) - 1; i >= 0 && !line; i--)
			if (*g_strstrip(lines[i]))
				line = g_strdup(lines[i]);
		g_strfreev(lines);
		g_free(text);
	}
	g_free(path);
	return line;
}

void vgs_report_policy_rows(const struct vgs_compare *c, FILE *out)
{
	fprintf(out, "| policies |");
	for (size_t r = 0; r < c->nruns; r++)
		fprintf(out, "%s `%s`", r ? "," : "", c->runs[r].label);
	fprintf(out, " |\n| overrides |");
	for (size_t i = 0; i < c->nsets; i++)
		fprintf(out, "%s `--set %s`", i ? "," : "", c->sets[i]);
	fprintf(out, "%s |\n", c->nsets ? "" : " none");
}

static void header(const struct vgs_compare *c, FILE *out)
{
	const char *version = NULL;

	for (size_t r = 0; r < c->nruns && !version; r++)
		if (c->runs[r].complete)
			version = c->runs[r].res.version;
	fprintf(out, "# Policy comparison: %s\n\n", c->scenario);
	fprintf(out, "| | |\n|---|---|\n");
	fprintf(out, "| config | `%s` |\n", c->config);
	fprintf(out, "| seed | %" G_GUINT64_FORMAT " |\n", c->seed);
	fprintf(out, "| measured | %s s of simulated time, after %s s of warm-up |\n", N(c->duration_s, 3),
		N(c->warmup_s, 3));
	vgs_report_policy_rows(c, out);
	fprintf(out, "| solo baselines | one instance of each vgpus entry alone on its GPU, policy `%s` |\n",
		c->solo_policy);
	fprintf(out, "| vgpusim | %s |\n\n", version ? version : "-");
	fprintf(out, "Numbers come from each run's `summary.json` and `tenants.csv` (definitions in "
		     "docs/metrics.md); `compare.csv` has every tenant column of every run.\n\n");
}

static void incomplete(const struct vgs_compare *c, const char *dir, FILE *out)
{
	bool any = false;

	for (size_t k = 0; k < c->nruns + c->ngroups; k++) {
		const struct vgs_compare_run *r = k < c->nruns ? &c->runs[k] : &c->solos[k - c->nruns];
		char *tail;

		if (r->complete)
			continue;
		if (!any)
			fprintf(out, "## Incomplete runs\n\n");
		any = true;
		fprintf(out, "- ");
		run_label(out, r);
		tail = log_tail(dir, r->log);
		if (tail)
			fprintf(out, ": `%s`", tail);
		fprintf(out, "\n");
		g_free(tail);
	}
	if (any)
		fprintf(out, "\n");
}

/* Classes some complete run kept busy: the utilisation columns worth a place in the table. */
static unsigned busy_classes(const struct vgs_compare *c)
{
	unsigned mask = 0;

	for (size_t r = 0; r < c->nruns; r++)
		for (int k = 0; k < VGS_NCLASS; k++)
			if (c->sums[r].class_util[k] > 0)
				mask |= 1u << k;
	return mask;
}

static void per_policy(const struct vgs_compare *c, bool plots, FILE *out)
{
	unsigned classes = busy_classes(c);

	fprintf(out, "## Per policy\n\n| policy | Jain | Jain saturated | utilisation %% |");
	for (int k = 0; k < VGS_NCLASS; k++)
		if (classes & (1u << k))
			fprintf(out, " %s %% |", vgs_class_name(k));
	fprintf(out, " switch overhead %% | energy J | units | deadline misses | SLAs met | worst p99 ms | "
		     "worst interval p99 ms | worst slowdown |\n|---|");
	for (int k = 0; k < VGS_NCLASS; k++)
		if (classes & (1u << k))
			fprintf(out, "---:|");
	fprintf(out, "---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
	for (size_t r = 0; r < c->nruns; r++) {
		const struct vgs_compare_sum *s = &c->sums[r];

		fprintf(out, "| ");
		run_label(out, &c->runs[r]);
		fprintf(out, " | %s | %s", N(s->jain_index, DEC_JAIN), N(s->jain_saturated, DEC_JAIN));
		if (c->runs[r].complete)
			fprintf(out, " (%d)", s->nsaturated);
		fprintf(out, " | %s |", N(100 * s->utilisation, DEC_PCT));
		for (int k = 0; k < VGS_NCLASS; k++)
			if (classes & (1u << k))
				fprintf(out, " %s |", N(100 * s->class_util[k], DEC_PCT));
		fprintf(out, " %s | %s | %s | %s |", N(s->switch_overhead_pct, DEC_OVERHEAD),
			N(s->energy_j, DEC_ENERGY), N(s->units, 0), N(s->deadline_misses, 0));
		if (c->runs[r].complete)
			fprintf(out, " %d/%d |", s->slas_met, s->slas);
		else
			fprintf(out, " - |");
		fprintf(out, " %s", N(s->worst_p99_ms, DEC_LAT));
		if (s->worst_p99_tenant >= 0)
			fprintf(out, " (%s)", c->tenants[s->worst_p99_tenant]);
		fprintf(out, " | %s", N(s->worst_interval_p99_ms, DEC_LAT));
		if (s->worst_interval_tenant >= 0)
			fprintf(out, " (%s)", c->tenants[s->worst_interval_tenant]);
		fprintf(out, " | %s", N(s->worst_slowdown, DEC_SLOWDOWN));
		if (s->worst_slowdown_tenant >= 0)
			fprintf(out, " (%s)", c->tenants[s->worst_slowdown_tenant]);
		fprintf(out, " |\n");
	}
	fprintf(out, "\nJain is Jain's index of share / weight target over all tenants; Jain saturated over the "
		     "saturated tenants only (their count in brackets): those whose unit rate fell more than 1 %% "
		     "below their solo rate, i.e. that wanted more GPU time than their share gave them -- a tenant "
		     "that got all it asked for is not treated unfairly by a smaller share.  Utilisation is the mean "
		     "over all engines (per class: over that class's engines); switch overhead is the share of "
		     "domain time spent switching; worst p99 (latency) and worst interval p99 (the time between a "
		     "tenant's consecutive units: frame time) are over the tenants with a latency SLA (all tenants "
		     "when none has one); slowdown is against the solo baselines (docs/metrics.md).\n\n");
	if (plots)
		fprintf(out, "![Utilisation and switch overhead per policy](plots/util.png)\n\n");
}

static void per_tenant(const struct vgs_compare *c, bool plots, FILE *out)
{
	fprintf(out, "## Per tenant\n\n| tenant | policy | unit | rate /s | SLA /s | p50 ms | p99 ms | SLA ms | "
		     "interval p99 ms | SLAs met | share %% | target %% | deadline misses | slowdown | by rate | "
		     "by p50 |\n|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
	for (size_t i = 0; i < c->ntenants; i++) {
		for (size_t r = 0; r < c->nruns; r++) {
			const struct vgs_compare_run *run = &c->runs[r];
			const struct vgs_compare_cell *cell = &c->cells[r * c->ntenants + i];
			const struct vgs_table *t = &run->res.tenants;
			int row = run->complete ? vgs_table_find(t, "tenant", c->tenants[i]) : -1;

			fprintf(out, "| %s | ", c->tenants[i]);
			run_label(out, run);
			if (row < 0) {
				fprintf(out, " | - | - | - | - | - | - | - | - | - | - | - | - | - | - |\n");
				continue;
			}
			fprintf(out, " | %s | %s | %s | %s | %s | %s | %s |", or_dash(vgs_table_get(t, row, "unit")),
				N(cell->rate, DEC_RATE), N(vgs_table_num(t, row, "sla_rate_per_s"), DEC_RATE),
				N(cell->lat_p50_ms, DEC_LAT), N(cell->lat_p99_ms, DEC_LAT),
				N(vgs_table_num(t, row, "sla_latency_ms"), DEC_LAT), N(cell->interval_p99_ms, DEC_LAT));
			if (cell->slas)
				fprintf(out, " %d/%d |", cell->slas_met, cell->slas);
			else
				fprintf(out, " - |");
			fprintf(out, " %s | %s | %s | %s | %s | %s |\n",
				N(100 * vgs_table_num(t, row, "share"), DEC_PCT),
				N(100 * vgs_table_num(t, row, "share_target"), DEC_PCT),
				N(vgs_table_num(t, row, "deadline_misses"), 0), N(cell->slowdown, DEC_SLOWDOWN),
				N(cell->slowdown_rate, DEC_SLOWDOWN), N(cell->slowdown_lat, DEC_SLOWDOWN));
		}
	}
	fprintf(out, "\nslowdown (the \"virtualization loss\" vs. the solo baseline of the tenant's group; "
		     "docs/metrics.md): by rate = solo unit rate / unit rate, by p50 = p50 unit latency / solo p50; "
		     "slowdown is by p50 for a tenant with a rate SLA (its arrivals set its rate), by rate "
		     "otherwise.\n\n");
	if (plots)
		fprintf(out, "![Unit rate per tenant](plots/rate.png)\n\n![Share vs. weight target](plots/share.png)\n\n"
			     "![Unit latency CDF](plots/latency-cdf.png)\n\n");
}

/* Tenants per GPU in the first complete run (tenants.csv `gpu`), NAN when none completed. */
static double sessions_per_gpu(const struct vgs_compare *c, size_t *ngpus)
{
	for (size_t r = 0; r < c->nruns; r++) {
		const struct vgs_table *t = &c->runs[r].res.tenants;
		GHashTable *gpus;

		if (!c->runs[r].complete)
			continue;
		gpus = g_hash_table_new(g_str_hash, g_str_equal);
		for (guint i = 0; i < vgs_table_nrows(t); i++)
			if (vgs_table_get(t, i, "gpu")) /* a table without the column: no count */
				g_hash_table_add(gpus, (gpointer)vgs_table_get(t, i, "gpu"));
		*ngpus = g_hash_table_size(gpus);
		g_hash_table_destroy(gpus);
		return *ngpus ? (double)vgs_table_nrows(t) / (double)*ngpus : NAN;
	}
	*ngpus = 0;
	return NAN;
}

static void loss_table(const struct vgs_compare *c, FILE *out)
{
	size_t ngpus;
	double per_gpu = sessions_per_gpu(c, &ngpus);

	fprintf(out, "## Virtualization loss vs. solo\n\n%zu sessions on %zu GPU%s (%s per GPU).  Per tenant class "
		     "(vgpus entry), the loss against one of its sessions alone on its GPU (the solo baseline), "
		     "averaged over the class's sessions: rate loss = 100 (1 - unit rate / solo rate), for frames the "
		     "3D frame rate (cloud-gaming vendors claim at most 15 %% at 8-16 sessions per GPU); encode "
		     "loss = 100 (1 - encoder busy time / solo's), the encode throughput (claimed at most 8 %%); "
		     "interval p99 is the class's mean unit-interval p99 (frame time).\n\n"
		     "| class | sessions | policy | rate loss %% | encode loss %% | interval p99 ms | saturated |\n"
		     "|---|---:|---|---:|---:|---:|---:|\n", c->ntenants, ngpus, ngpus == 1 ? "" : "s",
		N(per_gpu, 1));
	for (size_t g = 0; g < c->ngroups; g++) {
		size_t n = 0;

		for (size_t i = 0; i < c->ntenants; i++)
			n += strcmp(c->tenant_groups[i], c->groups[g]) == 0;
		for (size_t r = 0; r < c->nruns; r++) {
			size_t sat = 0;

			for (size_t i = 0; i < c->ntenants; i++)
				sat += strcmp(c->tenant_groups[i], c->groups[g]) == 0 && c->cells[r * c->ntenants + i].saturated;
			fprintf(out, "| %s | %zu | ", c->groups[g], n);
			run_label(out, &c->runs[r]);
			fprintf(out, " | %s | %s | %s |", N(vgs_compare_group_mean(c, r, g, VGS_CMP_LOSS_RATE), DEC_PCT),
				N(vgs_compare_group_mean(c, r, g, VGS_CMP_LOSS_ENCODE), DEC_PCT),
				N(vgs_compare_group_mean(c, r, g, VGS_CMP_INTERVAL_P99), DEC_LAT));
			if (c->runs[r].complete)
				fprintf(out, " %zu/%zu |\n", sat, n);
			else
				fprintf(out, " - |\n");
		}
	}
	fprintf(out, "\n");
}

static void solo_table(const struct vgs_compare *c, FILE *out)
{
	fprintf(out, "## Solo baselines\n\n| group | tenant | rate /s | p50 ms | p99 ms |\n|---|---|---:|---:|---:|\n");
	for (size_t g = 0; g < c->ngroups; g++) {
		const struct vgs_compare_run *s = &c->solos[g];
		const struct vgs_table *t = &s->res.tenants;

		fprintf(out, "| %s", s->label);
		if (!s->complete)
			fprintf(out, " (incomplete: %s, see [%s](%s))", s->status_text ? s->status_text : "no results",
				s->log, s->log);
		if (!s->complete || vgs_table_nrows(t) != 1) {
			fprintf(out, " | - | - | - | - |\n");
			continue;
		}
		fprintf(out, " | %s | %s | %s | %s |\n", or_dash(vgs_table_get(t, 0, "tenant")),
			N(vgs_table_num(t, 0, "unit_rate_per_s"), DEC_RATE), N(vgs_table_num(t, 0, "lat_p50_ms"), DEC_LAT),
			N(vgs_table_num(t, 0, "lat_p99_ms"), DEC_LAT));
	}
	fprintf(out, "\n");
}

/*
 * One claim: the best of v[0..nruns) (complete runs only, NAN = no number), then every other complete
 * run's number, best first, so the reader sees the ranking and the margins.  extra[r] (may be NULL)
 * qualifies run r's number.
 */
static void claim(const struct vgs_compare *c, FILE *out, const char *what, const double *v, bool higher,
		  int dec, const char *unit, char *const *extra)
{
	bool *win = g_new0(bool, c->nruns + 1);
	size_t nwin = vgs_compare_best(v, c->nruns, higher, dec, win), k = 0;
	size_t *order = vgs_compare_rank(v, c->nruns, higher, dec);

	fprintf(out, "- **%s**: ", what);
	if (nwin == 0)
		fprintf(out, "no run has this number");
	for (size_t r = 0; r < c->nruns; r++) {
		if (!win[r])
			continue;
		fprintf(out, "%s%s (%s%s", k++ ? " and " : "", c->runs[r].name, N(v[r], dec), unit);
		if (extra && extra[r])
			fprintf(out, ", %s", extra[r]);
		fprintf(out, ")");
	}
	if (nwin > 1)
		fprintf(out, ", tie");
	k = 0;
	for (size_t j = 0; j < c->nruns; j++) {
		size_t r = order[j];

		if (win[r] || isnan(v[r]))
			continue;
		fprintf(out, "%s%s %s%s", k++ ? ", " : "; then ", c->runs[r].name, N(v[r], dec), unit);
		if (extra && extra[r])
			fprintf(out, " (%s)", extra[r]);
	}
	fprintf(out, "\n");
	g_free(win);
	g_free(order);
}

static void set_extra(char **extra, size_t n, const struct vgs_compare *c, int which)
{
	for (size_t r = 0; r < n; r++) {
		const struct vgs_compare_sum *s = &c->sums[r];

		g_free(extra[r]);
		extra[r] = NULL;
		if (which == 1 && s->worst_p99_tenant >= 0)
			extra[r] = g_strdup(c->tenants[s->worst_p99_tenant]);
		else if (which == 2 && s->worst_slowdown_tenant >= 0)
			extra[r] = g_strdup(c->tenants[s->worst_slowdown_tenant]);
		else if (which == 3)
			extra[r] = g_strdup_printf("%d/%d SLAs", s->slas_met, s->slas);
		else if (which == 4)
			extra[r] = g_strdup_printf("%d saturated", s->nsaturated);
		else if (which == 5 && s->worst_interval_tenant >= 0)
			extra[r] = g_strdup(c->tenants[s->worst_interval_tenant]);
	}
}

void vgs_report_winners(const struct vgs_compare *c, FILE *out)
{
	size_t n = c->nruns, ncomplete = 0;
	double *v = g_new0(double, n + 1);
	char **extra = g_new0(char *, n + 1);

	for (size_t r = 0; r < n; r++)
		ncomplete += c->runs[r].complete;
	if (ncomplete < 2)
		fprintf(out, "Fewer than two runs completed: nothing to compare.\n\n");
#define EACH(expr)                                                                  \
	for (size_t r = 0; r < n; r++)                                              \
		v[r] = c->runs[r].complete ? (double)(expr) : NAN
	EACH(c->sums[r].jain_saturated);
	set_extra(extra, n, c, 4);
	claim(c, out, "Fairest (Jain's index on share/weight over the saturated tenants, higher is better)", v, true,
	      DEC_JAIN, "", extra);
	EACH(c->sums[r].worst_p99_ms);
	set_extra(extra, n, c, 1);
	claim(c, out, "Best worst-tenant p99 latency", v, false, DEC_LAT, " ms", extra);
	EACH(c->sums[r].worst_interval_p99_ms);
	set_extra(extra, n, c, 5);
	claim(c, out, "Best worst-tenant unit-interval (frame time) p99", v, false, DEC_LAT, " ms", extra);
	EACH(c->sums[r].slas ? 100.0 * c->sums[r].slas_met / c->sums[r].slas : NAN);
	set_extra(extra, n, c, 3);
	claim(c, out, "Most SLAs met", v, true, 1, " %", extra);
	EACH(c->sums[r].deadline_misses);
	claim(c, out, "Fewest deadline misses", v, false, 0, "", NULL);
	EACH(c->sums[r].switch_overhead_pct);
	claim(c, out, "Lowest switch overhead", v, false, DEC_OVERHEAD, " %", NULL);
	EACH(c->sums[r].worst_slowdown);
	set_extra(extra, n, c, 2);
	claim(c, out, "Smallest worst-tenant slowdown vs. solo", v, false, DEC_SLOWDOWN, "x", extra);
	EACH(c->sums[r].units);
	claim(c, out, "Most units completed", v, true, 0, "", NULL);
	EACH(c->sums[r].energy_j);
	claim(c, out, "Lowest energy", v, false, DEC_ENERGY, " J", NULL);
	for (size_t g = 0; g < c->ngroups; g++) {
		char *what = g_strdup_printf("Highest mean unit rate of %s", c->groups[g]);

		EACH(vgs_compare_group_mean(c, r, g, VGS_CMP_RATE));
		claim(c, out, what, v, true, DEC_RATE, " /s", NULL);
		g_free(what);
		what = g_strdup_printf("Best worst p99 latency of %s", c->groups[g]);
		EACH(vgs_compare_group_worst_p99(c, r, g));
		claim(c, out, what, v, false, DEC_LAT, " ms", NULL);
		g_free(what);
		what = g_strdup_printf("Smallest unit-rate loss vs. solo of %s", c->groups[g]);
		EACH(vgs_compare_group_mean(c, r, g, VGS_CMP_LOSS_RATE));
		claim(c, out, what, v, false, DEC_PCT, " %", NULL);
		g_free(what);
	}
#undef EACH
	set_extra(extra, n, c, 0);
	g_free(extra);
	g_free(v);
}

int vgs_report_write(const struct vgs_compare *c, const char *dir, bool plots, struct vgs_error *err)
{
	char *path = g_build_filename(dir, "report.md", NULL);
	FILE *out = fopen(path, "w");
	int bad;

	if (!out) {
		vgs_error_set(err, "cannot write %s: %s", path, strerror(errno));
		g_free(path);
		return -1;
	}
	header(c, out);
	incomplete(c, dir, out);
	per_policy(c, plots, out);
	per_tenant(c, plots, out);
	loss_table(c, out);
	solo_table(c, out);
	fprintf(out, "## Who wins on what\n\nComputed from the tables above, at their printed precision (a tie "
		     "lists every policy that shares the best number).\n\n");
	vgs_report_winners(c, out);
	fprintf(out, "\n");
	if (plots) {
		fprintf(out, "## Gantt charts\n\nThe first milliseconds of the measured window: which tenant held and "
			     "ran each engine (context switches as a grey strip on top of a row).\n\n");
		for (size_t r = 0; r < c->nruns; r++)
			if (c->runs[r].complete)
				fprintf(out, "![Gantt chart, %s](plots/gantt-%s.png)\n\n", c->runs[r].name,
					c->runs[r].name);
	}
	bad = ferror(out);
	if (fclose(out) != 0 || bad) {
		vgs_error_set(err, "cannot write %s: %s", path, strerror(errno));
		g_free(path);
		return -1;
	}
	g_free(path);
	return 0;
}
