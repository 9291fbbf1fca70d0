/*
 * `vgpusim compare`: policy items and run names, collecting the runs' results, the derived numbers
 * (slowdown vs. solo, per-policy summaries, winner selection) and compare.csv.  See compare.h.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "models/results/compare.h"
#include "models/base/json.h"
#include "models/scenario/policy_load.h"

/* ---- items ----------------------------------------------------------------------------------- */

static bool is_ident(const char *s)
{
	if (!isalpha((unsigned char)*s) && *s != '_')
		return false;
	for (s++; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

/* Directory-safe copy: [A-Za-z0-9._=+-] kept, anything else '_'. */
static void sanitise(GString *out, const char *s)
{
	for (; *s; s++)
		g_string_append_c(out, (isalnum((unsigned char)*s) || strchr("._=+-", *s)) ? *s : '_');
}

static int item_parse(const char *text, struct vgs_compare_item *it, struct vgs_error *err)
{
	char **parts = g_strsplit(text, ":", -1);
	guint n = g_strv_length(parts);
	GString *name;
	int rc = -1;

	memset(it, 0, sizeof(*it));
	it->text = g_strdup(text);
	if (n == 0 || !*parts[0]) {
		vgs_error_set(err, "-p: empty policy in '%s'; expected POLICY[:KEY=VALUE]... separated by commas",
			      text);
		goto out;
	}
	it->policy = g_strdup(parts[0]);
	it->group = vgs_policy_group_name(it->policy);
	it->keys = g_new0(char *, n);
	it->values = g_new0(char *, n);
	for (guint i = 1; i < n; i++) {
		char *eq = strchr(parts[i], '=');

		if (!eq || eq == parts[i] || !eq[1]) {
			vgs_error_set(err, "-p %s: expected KEY=VALUE after ':', got '%s'", text, parts[i]);
			goto out;
		}
		*eq = '\0';
		if (!is_ident(parts[i])) {
			vgs_error_set(err, "-p %s: parameter name '%s' is not an identifier ([A-Za-z_][A-Za-z0-9_]*)",
				      text, parts[i]);
			goto out;
		}
		for (size_t k = 0; k < it->nparams; k++)
			if (strcmp(it->keys[k], parts[i]) == 0) {
				vgs_error_set(err, "-p %s: parameter '%s' given twice", text, parts[i]);
				goto out;
			}
		it->keys[it->nparams] = g_strdup(parts[i]);
		it->values[it->nparams++] = g_strdup(eq + 1);
	}
	name = g_string_new(NULL);
	sanitise(name, it->group);
	for (size_t k = 0; k < it->nparams; k++) {
		g_string_append_printf(name, "-%s=", it->keys[k]);
		sanitise(name, it->values[k]);
	}
	it->name = g_string_free(name, FALSE);
	if (strcmp(it->policy, VGS_COMPARE_MIG_ITEM) == 0 && it->nparams) {
		vgs_error_set(err, "-p %s: the item mig takes no parameters (it runs the config's own policy)", text);
		goto out;
	}
	if (it->name[0] == '.' || !strcmp(it->name, VGS_COMPARE_SOLO_DIR) ||
	    !strcmp(it->name, VGS_COMPARE_PLOTS_DIR)) {
		vgs_error_set(err, "-p %s: its results directory would be '%s', which compare uses for something "
			      "else; rename the policy", text, it->name);
		goto out;
	}
	rc = 0;
out:
	g_strfreev(parts);
	return rc;
}

bool vgs_compare_item_is_mig(const struct vgs_compare_item *it)
{
	return strcmp(it->policy, VGS_COMPARE_MIG_ITEM) == 0;
}

static void item_free(struct vgs_compare_item *it)
{
	for (size_t k = 0; k < it->nparams; k++) {
		g_free(it->keys[k]);
		g_free(it->values[k]);
	}
	g_free(it->keys);
	g_free(it->values);
	g_free(it->text);
	g_free(it->policy);
	g_free(it->group);
	g_free(it->name);
}

int vgs_compare_items_parse(const char *list, struct vgs_compare_item **items, size_t *nitems,
			    struct vgs_error *err)
{
	char **texts = g_strsplit(list, ",", -1);
	guint n = g_strv_length(texts);
	struct vgs_compare_item *its = g_new0(struct vgs_compare_item, n ? n : 1);
	size_t done = 0;
	int rc = -1;

	if (n == 0) {
		vgs_error_set(err, "-p: expected a comma-separated list of policies, got nothing");
		goto out;
	}
	for (; done < n; done++) {
		if (item_parse(texts[done], &its[done], err) < 0) {
			done++;
			goto out;
		}
		for (size_t k = 0; k < done; k++)
			if (strcmp(its[k].name, its[done].name) == 0) {
				vgs_error_set(err, "-p: '%s' and '%s' would both write their results to '%s'; give "
					      "them different parameters", its[k].text, its[done].text, its[done].name);
				done++;
				goto out;
			}
	}
	rc = 0;
out:
	g_strfreev(texts);
	if (rc < 0) {
		vgs_compare_items_free(its, done);
		its = NULL;
		done = 0;
	}
	*items = its;
	*nitems = done;
	return rc;
}

void vgs_compare_items_free(struct vgs_compare_item *items, size_t nitems)
{
	for (size_t i = 0; items && i < nitems; i++)
		item_free(&items[i]);
	g_free(items);
}

/* A libconfig literal for VALUE: numbers, booleans and quoted strings as written, anything else quoted. */
static char *literal(const char *v)
{
	char *end;
	GString *q;

	if (v[0] == '"' || !g_ascii_strcasecmp(v, "true") || !g_ascii_strcasecmp(v, "false"))
		return g_strdup(v);
	errno = 0;
	g_ascii_strtod(v, &end);
	if (!*end && end != v && !isalpha((unsigned char)v[0]))
		return g_strdup(v);
	q = g_string_new("\"");
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			g_string_append_c(q, '\\');
		g_string_append_c(q, *v);
	}
	g_string_append_c(q, '"');
	return g_string_free(q, FALSE);
}

void vgs_compare_item_overrides(const struct vgs_compare_item *it, bool group_exists, GPtrArray *argv)
{
	GString *grp;

	if (it->nparams == 0)
		return;
	if (group_exists) {
		for (size_t k = 0; k < it->nparams; k++) {
			char *lit = literal(it->values[k]);

			g_ptr_array_add(argv, g_strdup("--set"));
			g_ptr_array_add(argv, g_strdup_printf("scheduler.%s.%s=%s", it->group, it->keys[k], lit));
			g_free(lit);
		}
		return;
	}
	grp = g_string_new(NULL);
	g_string_append_printf(grp, "scheduler.%s={", it->group);
	for (size_t k = 0; k < it->nparams; k++) {
		char *lit = literal(it->values[k]);

		g_string_append_printf(grp, " %s = %s;", it->keys[k], lit);
		g_free(lit);
	}
	g_string_append(grp, " }");
	g_ptr_array_add(argv, g_strdup("--set"));
	g_ptr_array_add(argv, g_string_free(grp, FALSE));
}

/* ---- the comparison -------------------------------------------------------------------------- */

void vgs_compare_init(struct vgs_compare *c, const struct vgs_compare_item *items, size_t nitems,
		      char *const *tenants, char *const *groups, size_t ntenants)
{
	memset(c, 0, sizeof(*c));
	c->ntenants = ntenants;
	c->tenants = g_new0(char *, ntenants + 1);
	c->tenant_groups = g_new0(char *, ntenants + 1);
	c->groups = g_new0(char *, ntenants + 1);
	for (size_t i = 0; i < ntenants; i++) {
		bool seen = false;

		c->tenants[i] = g_strdup(tenants[i]);
		c->tenant_groups[i] = g_strdup(groups[i]);
		for (size_t g = 0; g < c->ngroups; g++)
			seen |= strcmp(c->groups[g], groups[i]) == 0;
		if (!seen)
			c->groups[c->ngroups++] = g_strdup(groups[i]);
	}
	c->nruns = nitems;
	c->runs = g_new0(struct vgs_compare_run, nitems ? nitems : 1);
	for (size_t r = 0; r < nitems; r++) {
		c->runs[r].name = g_strdup(items[r].name);
		c->runs[r].label = g_strdup(items[r].text);
		c->runs[r].log = g_strdup_printf("%s.log", items[r].name);
	}
	c->solos = g_new0(struct vgs_compare_run, c->ngroups ? c->ngroups : 1);
	for (size_t g = 0; g < c->ngroups; g++) {
		c->solos[g].name = g_strdup_printf(VGS_COMPARE_SOLO_DIR "/%s", c->groups[g]);
		c->solos[g].label = g_strdup(c->groups[g]);
		c->solos[g].log = g_strdup_printf(VGS_COMPARE_SOLO_DIR "/%s.log", c->groups[g]);
	}
}

static void run_fini(struct vgs_compare_run *r)
{
	g_free(r->name);
	g_free(r->label);
	g_free(r->log);
	g_free(r->status_text);
	if (r->complete)
		vgs_results_fini(&r->res);
}

void vgs_compare_fini(struct vgs_compare *c)
{
	for (size_t r = 0; r < c->nruns; r++)
		run_fini(&c->runs[r]);
	for (size_t g = 0; g < c->ngroups; g++)
		run_fini(&c->solos[g]);
	g_strfreev(c->tenants);
	g_strfreev(c->tenant_groups);
	g_strfreev(c->groups);
	g_strfreev(c->sets);
	g_free(c->runs);
	g_free(c->solos);
	g_free(c->config);
	g_free(c->scenario);
	g_free(c->solo_policy);
	g_free(c->cells);
	g_free(c->sums);
	memset(c, 0, sizeof(*c));
}

static void read_run(struct vgs_compare_run *r, const char *dir)
{
	char *path;
	struct vgs_error err;

	if (r->status_text)
		return;
	path = g_build_filename(dir, r->name, NULL);
	if (vgs_results_read(&r->res, path, &err) == 0)
		r->complete = true;
	else
		r->status_text = g_strdup_printf("results unreadable: %s", err.msg);
	g_free(path);
}

double vgs_compare_slowdown(double solo_rate, double rate, double solo_p50, double p50, bool demand_bound,
			    double *by_rate, double *by_lat)
{
	double sr = NAN, sl = NAN;

	if (isfinite(solo_rate) && isfinite(rate) && solo_rate > 0)
		sr = rate > 0 ? solo_rate / rate : INFINITY;
	if (isfinite(solo_p50) && isfinite(p50) && solo_p50 > 0)
		sl = p50 / solo_p50;
	if (by_rate)
		*by_rate = sr;
	if (by_lat)
		*by_lat = sl;
	return demand_bound ? sl : sr;
}

/* The SLAs of row `row` of a tenants table: counts them and those met. */
static void count_slas(const struct vgs_table *t, guint row, int *slas, int *met)
{
	static const char *const cols[] = { "sla_rate_met", "sla_latency_met" };

	*slas = *met = 0;
	for (size_t k = 0; k < G_N_ELEMENTS(cols); k++) {
		const char *v = vgs_table_get(t, row, cols[k]);

		if (v && *v) {
			(*slas)++;
			*met += strcmp(v, "1") == 0;
		}
	}
}

static void derive(struct vgs_compare *c)
{
	double *solo_rate = g_new0(double, c->ngroups + 1), *solo_p50 = g_new0(double, c->ngroups + 1);

	for (size_t g = 0; g < c->ngroups; g++) {
		const struct vgs_compare_run *s = &c->solos[g];

		solo_rate[g] = solo_p50[g] = NAN;
		if (s->complete && vgs_table_nrows(&s->res.tenants) == 1) {
			solo_rate[g] = vgs_table_num(&s->res.tenants, 0, "unit_rate_per_s");
			solo_p50[g] = vgs_table_num(&s->res.tenants, 0, "lat_p50_ms");
		}
	}
	c->cells = g_new0(struct vgs_compare_cell, c->nruns * c->ntenants + 1);
	c->sums = g_new0(struct vgs_compare_sum, c->nruns + 1);
	for (size_t r = 0; r < c->nruns; r++) {
		const struct vgs_compare_run *run = &c->runs[r];
		struct vgs_compare_sum *sum = &c->sums[r];
		bool any_lat_sla = false;

		sum->jain_index = sum->utilisation = sum->switch_overhead_pct = sum->energy_j = NAN;
		sum->units = sum->deadline_misses = sum->worst_p99_ms = sum->worst_slowdown = NAN;
		sum->worst_p99_tenant = sum->worst_slowdown_tenant = -1;
		for (int k = 0; k < VGS_NCLASS; k++)
			sum->class_util[k] = NAN;
		if (run->complete) {
			sum->jain_index = run->res.jain_index;
			sum->utilisation = run->res.utilisation;
			sum->switch_overhead_pct = run->res.switch_overhead_pct;
			sum->energy_j = run->res.energy_j;
			sum->units = run->res.units;
			sum->deadline_misses = run->res.deadline_misses;
			for (int k = 0; k < VGS_NCLASS; k++)
				sum->class_util[k] = vgs_results_class_util(&run->res, k);
			for (size_t i = 0; i < c->ntenants; i++) {
				int row = vgs_table_find(&run->res.tenants, "tenant", c->tenants[i]);

				any_lat_sla |= row >= 0 && isfinite(vgs_table_num(&run->res.tenants, row,
										  "sla_latency_ms"));
			}
		}
		for (size_t i = 0; i < c->ntenants; i++) {
			struct vgs_compare_cell *cell = &c->cells[r * c->ntenants + i];
			int row = run->complete ? vgs_table_find(&run->res.tenants, "tenant", c->tenants[i]) : -1;
			size_t g = 0;

			while (g < c->ngroups && strcmp(c->groups[g], c->tenant_groups[i]) != 0)
				g++;
			cell->rate = cell->lat_p50_ms = cell->lat_p99_ms = NAN;
			cell->solo_rate = solo_rate[g];
			cell->solo_p50_ms = solo_p50[g];
			if (row >= 0) {
				const struct vgs_table *t = &run->res.tenants;

				cell->rate = vgs_table_num(t, row, "unit_rate_per_s");
				cell->lat_p50_ms = vgs_table_num(t, row, "lat_p50_ms");
				cell->lat_p99_ms = vgs_table_num(t, row, "lat_p99_ms");
				count_slas(t, row, &cell->slas, &cell->slas_met);
				sum->slas += cell->slas;
				sum->slas_met += cell->slas_met;
				if ((!any_lat_sla || isfinite(vgs_table_num(t, row, "sla_latency_ms"))) &&
				    isfinite(cell->lat_p99_ms) &&
				    (sum->worst_p99_tenant < 0 || cell->lat_p99_ms > sum->worst_p99_ms)) {
					sum->worst_p99_ms = cell->lat_p99_ms;
					sum->worst_p99_tenant = (int)i;
				}
			}
			cell->slowdown = vgs_compare_slowdown(
				cell->solo_rate, cell->rate, cell->solo_p50_ms, cell->lat_p50_ms,
				row >= 0 && isfinite(vgs_table_num(&run->res.tenants, row, "sla_rate_per_s")),
				&cell->slowdown_rate, &cell->slowdown_lat);
			if (!isnan(cell->slowdown) &&
			    (sum->worst_slowdown_tenant < 0 || cell->slowdown > sum->worst_slowdown)) {
				sum->worst_slowdown = cell->slowdown;
				sum->worst_slowdown_tenant = (int)i;
			}
		}
	}
	g_free(solo_rate);
	g_free(solo_p50);
}

void vgs_compare_collect(struct vgs_compare *c, const char *dir)
{
	for (size_t r = 0; r < c->nruns; r++)
		read_run(&c->runs[r], dir);
	for (size_t g = 0; g < c->ngroups; g++)
		read_run(&c->solos[g], dir);
	g_free(c->cells);
	g_free(c->sums);
	derive(c);
}

/* The value as the report prints it with `decimals` decimals, read back. */
static double as_printed(double v, int decimals)
{
	char buf[G_ASCII_DTOSTR_BUF_SIZE], fmt[16];

	if (!isfinite(v))
		return v;
	snprintf(fmt, sizeof(fmt), "%%.%df", decimals);
	return g_ascii_strtod(g_ascii_formatd(buf, sizeof(buf), fmt, v), NULL);
}

size_t vgs_compare_best(const double *v, size_t n, bool higher_better, int decimals, bool *win)
{
	double best = NAN;
	size_t nwin = 0;

	for (size_t i = 0; i < n; i++) {
		double x = as_printed(v[i], decimals);

		if (isnan(x))
			continue;
		if (isnan(best) || (higher_better ? x > best : x < best))
			best = x;
	}
	for (size_t i = 0; i < n; i++) {
		win[i] = !isnan(best) && as_printed(v[i], decimals) == best;
		nwin += win[i];
	}
	return nwin;
}

/* ---- compare.csv ----------------------------------------------------------------------------- */

static void csv_text(FILE *f, const char *s, bool first)
{
	if (!first)
		fputc(',', f);
	if (!s)
		return;
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void csv_num(FILE *f, double v)
{
	char buf[64];

	fputc(',', f);
	if (isinf(v))
		fputs(v > 0 ? "inf" : "-inf", f);
	else if (isfinite(v))
		fputs(vgs_fmt_double(buf, sizeof(buf), "%.6f", v), f);
}

static const struct vgs_table *first_tenants_table(const struct vgs_compare *c)
{
	for (size_t r = 0; r < c->nruns; r++)
		if (c->runs[r].complete)
			return &c->runs[r].res.tenants;
	return NULL;
}

int vgs_compare_write_csv(const struct vgs_compare *c, const char *dir, struct vgs_error *err)
{
	const struct vgs_table *hdr = first_tenants_table(c);
	char *path = g_build_filename(dir, "compare.csv", NULL);
	FILE *f = fopen(path, "w");
	int bad;

	if (!f) {
		vgs_error_set(err, "cannot write %s: %s", path, strerror(errno));
		g_free(path);
		return -1;
	}
	fputs("policy,complete", f);
	if (hdr)
		for (guint k = 0; k < hdr->header->len; k++)
			csv_text(f, hdr->header->pdata[k], false);
	else
		fputs(",tenant,group", f);
	fputs(",solo_unit_rate_per_s,solo_lat_p50_ms,slowdown_rate,slowdown_latency,slowdown\n", f);
	for (size_t r = 0; r < c->nruns; r++) {
		const struct vgs_compare_run *run = &c->runs[r];

		for (size_t i = 0; i < c->ntenants; i++) {
			const struct vgs_compare_cell *cell = &c->cells[r * c->ntenants + i];
			int row = run->complete ? vgs_table_find(&run->res.tenants, "tenant", c->tenants[i]) : -1;

			csv_text(f, run->name, true);
			fputs(run->complete ? ",1" : ",0", f);
			if (hdr) {
				for (guint k = 0; k < hdr->header->len; k++) {
					const char *col = hdr->header->pdata[k];
					const char *v = row >= 0 ? vgs_table_get(&run->res.tenants, row, col) : NULL;

					if (!v && !strcmp(col, "tenant"))
						v = c->tenants[i];
					else if (!v && !strcmp(col, "group"))
						v = c->tenant_groups[i];
					csv_text(f, v, false);
				}
			} else {
				csv_text(f, c->tenants[i], false);
				csv_text(f, c->tenant_groups[i], false);
			}
			csv_num(f, cell->solo_rate);
			csv_num(f, cell->solo_p50_ms);
			csv_num(f, cell->slowdown_rate);
			csv_num(f, cell->slowdown_lat);
			csv_num(f, cell->slowdown);
			fputc('\n', f);
		}
	}
	bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		vgs_error_set(err, "cannot write %s: %s", path, strerror(errno));
		g_free(path);
		return -1;
	}
	g_free(path);
	return 0;
}
