/*
 * Parameter sweeps (models/results/sweep.h): grid axes, the plan and its file, sweep.csv.  The plots'
 * data are in sweep_plot.c.  Everything written here is a function of the plan and the runs' results
 * directories alone, so a sweep run locally and the same sweep collected from a Slurm job give the same
 * bytes.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "models/base/csv.h"
#include "models/base/json.h"
#include "models/results/results.h"
#include "models/results/sweep.h"

#define SWEEP_NAME_MAX 200	/* characters of a run's directory name */

/* ---- axes ---------------------------------------------------------------------------------------- */

int vgs_sweep_axis_parse(const char *text, struct vgs_sweep_axis *ax, struct vgs_error *err)
{
	const char *eq = strchr(text, '='), *p, *start;
	GPtrArray *vals = g_ptr_array_new_with_free_func(g_free);
	int depth = 0;
	bool quoted = false;

	memset(ax, 0, sizeof(*ax));
	if (!eq || eq == text) {
		vgs_error_set(err, "--grid %s: expected PATH=VALUE1,VALUE2,... (e.g. 'vgpus.[0].count=4,8,12')", text);
		g_ptr_array_free(vals, TRUE);
		return -1;
	}
	/* Split at the commas outside quotes, braces and parentheses: a value may be a group or a list. */
	for (p = start = eq + 1;; p++) {
		if (*p == '"' && (p == start || p[-1] != '\\'))
			quoted = !quoted;
		else if (!quoted && (*p == '{' || *p == '(' || *p == '['))
			depth++;
		else if (!quoted && (*p == '}' || *p == ')' || *p == ']'))
			depth--;
		if (*p && (*p != ',' || quoted || depth > 0))
			continue;
		char *v = g_strstrip(g_strndup(start, p - start));

		if (!*v) {
			vgs_error_set(err, "--grid %s: empty value (values are separated by single commas)", text);
			g_free(v);
			g_ptr_array_free(vals, TRUE);
			return -1;
		}
		for (guint i = 0; i < vals->len; i++)
			if (strcmp(vals->pdata[i], v) == 0) {
				vgs_error_set(err, "--grid %s: value '%s' given twice", text, v);
				g_free(v);
				g_ptr_array_free(vals, TRUE);
				return -1;
			}
		g_ptr_array_add(vals, v);
		if (!*p)
			break;
		start = p + 1;
	}
	ax->path = g_strndup(text, eq - text);
	ax->nvalues = vals->len;
	g_ptr_array_add(vals, NULL);
	ax->values = (char **)g_ptr_array_free(vals, FALSE);
	return 0;
}

void vgs_sweep_axis_fini(struct vgs_sweep_axis *ax)
{
	g_free(ax->path);
	g_strfreev(ax->values);
	memset(ax, 0, sizeof(*ax));
}

/* ---- the plan ------------------------------------------------------------------------------------ */

/* Characters other than [A-Za-z0-9._=+-] become '_'. */
static void sanitize(GString *s, size_t from)
{
	for (size_t i = from; i < s->len; i++)
		if (!g_ascii_isalnum(s->str[i]) && !strchr("._=+-", s->str[i]))
			s->str[i] = '_';
}

/* "vgpus.[0].count" -> "count" */
static const char *axis_short(const char *path)
{
	const char *dot = strrchr(path, '.');

	return dot && dot[1] ? dot + 1 : path;
}

static void row_name(struct vgs_sweep_row *r, size_t index, char *const *axes, size_t naxes)
{
	GString *s = g_string_new(NULL);
	size_t from;

	g_string_printf(s, "%04zu-", index);
	from = s->len;
	g_string_append(s, r->policy);
	for (size_t a = 0; a < naxes; a++)
		g_string_append_printf(s, "-%s=%s", axis_short(axes[a]), r->values[a]);
	g_string_append_printf(s, "-s%s", r->seed);
	sanitize(s, from);
	if (s->len > SWEEP_NAME_MAX)
		g_string_truncate(s, SWEEP_NAME_MAX);
	r->name = g_string_free(s, FALSE);
}

void vgs_sweep_plan_build(struct vgs_sweep_plan *p, const struct vgs_sweep_axis *axes, size_t naxes,
			  const char *const *items, size_t nitems, const uint64_t *seeds, size_t nseeds)
{
	size_t combos = 1, n = 0;

	memset(p, 0, sizeof(*p));
	p->naxes = naxes;
	p->axes = g_new0(char *, naxes + 1);
	p->axis_values = g_new0(char **, naxes + 1);
	for (size_t a = 0; a < naxes; a++) {
		p->axes[a] = g_strdup(axes[a].path);
		p->axis_values[a] = g_strdupv(axes[a].values);
		combos *= axes[a].nvalues;
	}
	p->nrows = combos * nitems * nseeds;
	p->rows = g_new0(struct vgs_sweep_row, p->nrows);
	for (size_t c = 0; c < combos; c++) {
		for (size_t it = 0; it < nitems; it++) {
			for (size_t sd = 0; sd < nseeds; sd++, n++) {
				struct vgs_sweep_row *r = &p->rows[n];
				size_t rest = c;

				r->policy = g_strdup(items[it]);
				r->item = it;
				r->seed = g_strdup_printf("%llu", (unsigned long long)seeds[sd]);
				r->values = g_new0(char *, naxes + 1);
				r->value_index = g_new0(size_t, naxes + 1);
				/* first axis outermost: the last axis varies fastest */
				for (size_t a = naxes; a-- > 0;) {
					r->value_index[a] = rest % axes[a].nvalues;
					r->values[a] = g_strdup(axes[a].values[r->value_index[a]]);
					rest /= axes[a].nvalues;
				}
				row_name(r, n, p->axes, naxes);
			}
		}
	}
}

void vgs_sweep_plan_fini(struct vgs_sweep_plan *p)
{
	for (size_t i = 0; i < p->nrows; i++) {
		g_free(p->rows[i].name);
		g_free(p->rows[i].policy);
		g_free(p->rows[i].seed);
		g_strfreev(p->rows[i].values);
		g_free(p->rows[i].value_index);
	}
	g_free(p->rows);
	g_strfreev(p->axes);
	for (size_t a = 0; p->axis_values && a < p->naxes; a++)
		g_strfreev(p->axis_values[a]);
	g_free(p->axis_values);
	memset(p, 0, sizeof(*p));
}

/* One CSV field: quoted (with "" for ") when it holds a comma, quote or line break. */
void vgs_sweep_csv_field(GString *line, const char *s)
{
	if (line->len && line->str[line->len - 1] != '\n')
		g_string_append_c(line, ',');
	if (!s || !*s)
		return;
	if (strpbrk(s, ",\"\r\n")) {
		char **parts = g_strsplit(s, "\"", -1);
		char *joined = g_strjoinv("\"\"", parts);

		g_string_append_printf(line, "\"%s\"", joined);
		g_free(joined);
		g_strfreev(parts);
	} else {
		g_string_append(line, s);
	}
}

/* Replace path by the contents of text: written beside it, then renamed.  0, or -1 with err set. */
int vgs_sweep_write_file(const char *path, const GString *text, struct vgs_error *err)
{
	char *tmp = g_strdup_printf("%s.tmp-%d", path, (int)getpid());
	GError *gerr = NULL;
	int rc = 0;

	if (!g_file_set_contents(tmp, text->str, (gssize)text->len, &gerr) || rename(tmp, path) != 0) {
		vgs_error_set(err, "cannot write %s: %s", path, gerr ? gerr->message : strerror(errno));
		g_unlink(tmp);
		rc = -1;
	}
	if (gerr)
		g_error_free(gerr);
	g_free(tmp);
	return rc;
}

static void plan_header(GString *s, const struct vgs_sweep_plan *p)
{
	vgs_sweep_csv_field(s, "run");
	vgs_sweep_csv_field(s, "policy");
	vgs_sweep_csv_field(s, "seed");
	for (size_t a = 0; a < p->naxes; a++)
		vgs_sweep_csv_field(s, p->axes[a]);
}

static void plan_fields(GString *s, const struct vgs_sweep_plan *p, size_t i)
{
	const struct vgs_sweep_row *r = &p->rows[i];

	vgs_sweep_csv_field(s, r->name);
	vgs_sweep_csv_field(s, r->policy);
	vgs_sweep_csv_field(s, r->seed);
	for (size_t a = 0; a < p->naxes; a++)
		vgs_sweep_csv_field(s, r->values[a]);
}

int vgs_sweep_plan_write(const struct vgs_sweep_plan *p, const char *dir, struct vgs_error *err)
{
	GString *s = g_string_new(NULL);
	char *path = g_build_filename(dir, VGS_SWEEP_PLAN, NULL);
	int rc;

	plan_header(s, p);
	g_string_append_c(s, '\n');
	for (size_t i = 0; i < p->nrows; i++) {
		plan_fields(s, p, i);
		g_string_append_c(s, '\n');
	}
	rc = vgs_sweep_write_file(path, s, err);
	g_string_free(s, TRUE);
	g_free(path);
	return rc;
}

/* Index of v in the NULL-terminated list *vals, appending it when new. */
static size_t value_slot(char ***vals, const char *v)
{
	size_t n = 0;

	for (; (*vals)[n]; n++)
		if (strcmp((*vals)[n], v) == 0)
			return n;
	*vals = g_renew(char *, *vals, n + 2);
	(*vals)[n] = g_strdup(v);
	(*vals)[n + 1] = NULL;
	return n;
}

int vgs_sweep_plan_read(struct vgs_sweep_plan *p, const char *dir, struct vgs_error *err)
{
	char *path = g_build_filename(dir, VGS_SWEEP_PLAN, NULL);
	struct vgs_table t = { 0 };
	int rc = -1;

	memset(p, 0, sizeof(*p));
	if (vgs_table_read(&t, path, err) < 0)
		goto out;
	if (t.header->len < 3 || strcmp(t.header->pdata[0], "run") || strcmp(t.header->pdata[1], "policy") ||
	    strcmp(t.header->pdata[2], "seed")) {
		vgs_error_set(err, "%s:1: not a sweep plan (expected the columns run,policy,seed,...)", path);
		goto out;
	}
	p->naxes = t.header->len - 3;
	p->axes = g_new0(char *, p->naxes + 1);
	p->axis_values = g_new0(char **, p->naxes + 1);
	for (size_t a = 0; a < p->naxes; a++) {
		p->axes[a] = g_strdup(t.header->pdata[3 + a]);
		p->axis_values[a] = g_new0(char *, 1);
	}
	p->nrows = vgs_table_nrows(&t);
	p->rows = g_new0(struct vgs_sweep_row, p->nrows);
	for (size_t i = 0; i < p->nrows; i++) {
		GPtrArray *f = t.rows->pdata[i];
		struct vgs_sweep_row *r = &p->rows[i];

		r->name = g_strdup(f->pdata[0]);
		r->policy = g_strdup(f->pdata[1]);
		r->seed = g_strdup(f->pdata[2]);
		r->values = g_new0(char *, p->naxes + 1);
		r->value_index = g_new0(size_t, p->naxes + 1);
		for (size_t a = 0; a < p->naxes; a++) {
			r->values[a] = g_strdup(f->pdata[3 + a]);
			r->value_index[a] = value_slot(&p->axis_values[a], r->values[a]);
		}
		if (!*r->name || strchr(r->name, '/') || r->name[0] == '.') {
			vgs_error_set(err, "%s:%zu: bad run name '%s'", path, i + 2, r->name);
			goto out;
		}
	}
	rc = 0;
out:
	if (rc < 0)
		vgs_sweep_plan_fini(p);
	vgs_table_fini(&t);
	g_free(path);
	return rc;
}

bool vgs_sweep_plan_equal(const struct vgs_sweep_plan *a, const struct vgs_sweep_plan *b)
{
	GString *x = g_string_new(NULL), *y = g_string_new(NULL);
	bool same;

	plan_header(x, a);
	plan_header(y, b);
	for (size_t i = 0; i < a->nrows; i++)
		plan_fields(x, a, i);
	for (size_t i = 0; i < b->nrows; i++)
		plan_fields(y, b, i);
	same = a->nrows == b->nrows && g_string_equal(x, y);
	g_string_free(x, TRUE);
	g_string_free(y, TRUE);
	return same;
}

bool vgs_sweep_row_done(const struct vgs_sweep_plan *p, size_t row, const char *dir)
{
	char *path = g_build_filename(dir, VGS_SWEEP_RUNS, p->rows[row].name, "summary.json", NULL), *text = NULL;
	bool done = g_file_get_contents(path, &text, NULL, NULL) && !strstr(text, "\"partial\": true");

	g_free(text);
	g_free(path);
	return done;
}

/* ---- sweep.csv ----------------------------------------------------------------------------------- */

/* The numbers of one run's tenants, overall or of one group (group NULL). */
struct tstats {
	double n, met, fps_sum, fps_min, p99_sum, p99_n, p99_max, dropped;
};

static struct tstats tenant_stats(const struct vgs_table *t, const char *group, const struct vgs_sla_spec *sla)
{
	struct tstats s = { .fps_min = NAN, .p99_max = NAN };

	for (guint i = 0; i < vgs_table_nrows(t); i++) {
		double fps = vgs_table_num(t, i, "unit_rate_per_s"), p99 = vgs_table_num(t, i, "lat_p99_ms");
		double dropped = vgs_table_num(t, i, "dropped_units");

		if (group && g_strcmp0(vgs_table_get(t, i, "group"), group) != 0)
			continue;
		s.n++;
		s.met += vgs_sla_met(t, i, sla);
		s.fps_sum += fps;
		s.fps_min = isnan(s.fps_min) || fps < s.fps_min ? fps : s.fps_min;
		if (!isnan(p99)) {
			s.p99_sum += p99;
			s.p99_n++;
			s.p99_max = isnan(s.p99_max) || p99 > s.p99_max ? p99 : s.p99_max;
		}
		s.dropped += isnan(dropped) ? 0 : dropped;
	}
	return s;
}

/* A number field: "%.9g" with '.' whatever the locale; empty when undefined. */
static void num_field(GString *line, double v)
{
	char buf[64];

	vgs_sweep_csv_field(line, isfinite(v) ? vgs_fmt_double(buf, sizeof(buf), "%.9g", v) : NULL);
}

static const char *const global_cols[] = {
	"units", "deadline_misses", "dropped_units", "jain_index", "utilisation", "switch_overhead_pct",
	"energy_j", "tenants", "sla_met", "sla_attainment", "fps_mean", "fps_min", "lat_p99_mean_ms",
	"lat_p99_max_ms", NULL,
};
static const char *const group_cols[] = { "fps_mean", "fps_min", "lat_p99_max_ms", "sla_attainment", NULL };

static void metric_fields(GString *line, const struct vgs_results *r, GPtrArray *groups,
			  const struct vgs_sla_spec *sla)
{
	struct tstats all = tenant_stats(&r->tenants, NULL, sla);
	double g[] = { r->units, r->deadline_misses, all.dropped, r->jain_index, r->utilisation,
		       r->switch_overhead_pct, r->energy_j, all.n, all.met, all.n ? all.met / all.n : NAN,
		       all.n ? all.fps_sum / all.n : NAN, all.fps_min, all.p99_n ? all.p99_sum / all.p99_n : NAN,
		       all.p99_max };

	for (size_t k = 0; k < G_N_ELEMENTS(g); k++)
		num_field(line, g[k]);
	for (guint k = 0; k < groups->len; k++) {
		struct tstats s = tenant_stats(&r->tenants, groups->pdata[k], sla);

		num_field(line, s.n ? s.fps_sum / s.n : NAN);
		num_field(line, s.fps_min);
		num_field(line, s.p99_max);
		num_field(line, s.n ? s.met / s.n : NAN);
	}
}

int vgs_sweep_collect(const struct vgs_sweep_plan *p, const char *dir, const struct vgs_sla_spec *sla,
		      size_t *missing, struct vgs_error *err)
{
	struct vgs_results *res = g_new0(struct vgs_results, p->nrows);
	bool *ok = g_new0(bool, p->nrows);
	GPtrArray *groups = g_ptr_array_new_with_free_func(g_free);
	GString *s = g_string_new(NULL);
	char *path = g_build_filename(dir, VGS_SWEEP_CSV, NULL);
	int rc;

	*missing = 0;
	for (size_t i = 0; i < p->nrows; i++) {
		char *rd = g_build_filename(dir, VGS_SWEEP_RUNS, p->rows[i].name, NULL);
		struct vgs_error ignored = { { 0 } };

		ok[i] = vgs_sweep_row_done(p, i, dir) && vgs_results_read(&res[i], rd, &ignored) == 0;
		*missing += !ok[i];
		for (guint t = 0; ok[i] && t < vgs_table_nrows(&res[i].tenants); t++) {
			const char *g = vgs_table_get(&res[i].tenants, t, "group");
			bool seen = false;

			for (guint k = 0; g && k < groups->len && !seen; k++)
				seen = strcmp(groups->pdata[k], g) == 0;
			if (g && !seen)
				g_ptr_array_add(groups, g_strdup(g));
		}
		g_free(rd);
	}
	plan_header(s, p);
	vgs_sweep_csv_field(s, "status");
	for (size_t k = 0; global_cols[k]; k++)
		vgs_sweep_csv_field(s, global_cols[k]);
	for (guint k = 0; k < groups->len; k++)
		for (size_t c = 0; group_cols[c]; c++) {
			char *col = g_strdup_printf("%s.%s", (char *)groups->pdata[k], group_cols[c]);

			vgs_sweep_csv_field(s, col);
			g_free(col);
		}
	g_string_append_c(s, '\n');
	for (size_t i = 0; i < p->nrows; i++) {
		plan_fields(s, p, i);
		vgs_sweep_csv_field(s, ok[i] ? "ok" : "missing");
		if (ok[i])
			metric_fields(s, &res[i], groups, sla);
		else
			for (size_t k = 0; k < G_N_ELEMENTS(global_cols) - 1 + groups->len * (G_N_ELEMENTS(group_cols) - 1); k++)
				vgs_sweep_csv_field(s, NULL);
		g_string_append_c(s, '\n');
		if (ok[i])
			vgs_results_fini(&res[i]);
	}
	rc = vgs_sweep_write_file(path, s, err);
	g_string_free(s, TRUE);
	g_ptr_array_free(groups, TRUE);
	g_free(res);
	g_free(ok);
	g_free(path);
	return rc;
}
