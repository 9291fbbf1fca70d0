/*
 * Reading a distribution from a config value (models/workload/dist.h) and writing one back: the
 * entry points vgs_dist_parse() and vgs_wl_get_dist(), which hand the two-parameter kinds to dist.c
 * and read here what real frame and kernel times need beyond them: a heavy tail (pareto), a quantile
 * table or histogram (empirical, in the config or a file) and mixtures (e.g. a bimodal lognormal).
 * vgs_dist_print_config() writes any dist as the config text vgs_dist_parse() reads back (what
 * `vgpusim fit` prints).  Calls go one way: this file -> dist.c -> keys.c.
 *
 * Every error names FILE:LINE of the offending setting (or the table file's own FILE:LINE).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "models/base/json.h"
#include "models/workload/dist.h"
#include "models/workload/workload_priv.h"

/* A table file or array may hold this many points: a quantile table, not a sample. */
#define TABLE_MAX 100000
#define MIXTURE_MAX 16

/* ---- reading --------------------------------------------------------------------------------- */

/* Numbers of an array or list setting, scaled; -1 with err set when one is not a number >= 0. */
static int read_numbers(const config_setting_t *a, const char *key, const char *name, double scale, GArray *out,
			struct vgs_error *err)
{
	int n = config_setting_length(a);

	if (!(config_setting_is_array(a) || config_setting_is_list(a)) || n < 1 || n > TABLE_MAX) {
		vgs_error_set(err, "%s: '%s.%s': expected an array [ ... ] of 1 to %d numbers", vgs_wl_where(a), key,
			      name, TABLE_MAX);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		double v;

		if (vgs_dist_number(config_setting_get_elem(a, (unsigned)i), &v) || v < 0) {
			vgs_error_set(err, "%s: '%s.%s': element %d: expected a number >= 0", vgs_wl_where(a), key,
				      name, i);
			return -1;
		}
		v *= scale;
		g_array_append_val(out, v);
	}
	return 0;
}

/* A table file: "value" or "p value" per line, in the key's unit; '#' starts a comment. */
static int read_file(const config_setting_t *fs, const char *key, double unit_ns, GArray *p, GArray *x,
		     struct vgs_error *err)
{
	const char *name = config_setting_get_string(fs), *src = config_setting_source_file(fs);
	char *dir = src ? g_path_get_dirname(src) : g_strdup("."), *path, *text = NULL, **lines;
	GError *ge = NULL;
	int rc = -1, cols = 0;

	if (!name || !*name) {
		vgs_error_set(err, "%s: '%s.file': expected a file name", vgs_wl_where(fs), key);
		g_free(dir);
		return -1;
	}
	path = g_path_is_absolute(name) ? g_strdup(name) : g_build_filename(dir, name, NULL);
	g_free(dir);
	if (!g_file_get_contents(path, &text, NULL, &ge)) {
		vgs_error_set(err, "%s: '%s.file': cannot read %s: %s", vgs_wl_where(fs), key, path, ge->message);
		g_error_free(ge);
		g_free(path);
		return -1;
	}
	lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i]; i++) {
		char *c = strchr(lines[i], '#'), *end;
		double v[2];
		int k = 0;

		if (c)
			*c = '\0';
		for (char *s = g_strstrip(lines[i]); *s && k < 3; s = end, k++) {
			errno = 0;
			if (k == 2 || (v[k] = g_ascii_strtod(s, &end), end == s) || errno || !isfinite(v[k]) || v[k] < 0) {
				vgs_error_set(err, "%s:%u: expected \"VALUE\" or \"P VALUE\" (numbers >= 0)", path, i + 1);
				goto out;
			}
			while (*end == ' ' || *end == '\t' || *end == ',')
				end++;
		}
		if (!k)
			continue;
		if ((cols && k != cols) || x->len >= TABLE_MAX) {
			vgs_error_set(err, "%s:%u: expected %s", path, i + 1,
				      x->len >= TABLE_MAX ? "at most 100000 points" : "the same number of columns on every line");
			goto out;
		}
		cols = k;
		double xv = v[k - 1] * unit_ns;

		g_array_append_val(x, xv);
		if (k == 2)
			g_array_append_val(p, v[0]);
	}
	if (!x->len) {
		vgs_error_set(err, "%s: no points", path);
		goto out;
	}
	rc = 0;
out:
	g_strfreev(lines);
	g_free(text);
	g_free(path);
	return rc;
}

/* The table's points, checked: p from 0 to 1 and both ascending. */
static int check_table(const config_setting_t *s, const char *key, GArray *p, GArray *x, struct vgs_error *err)
{
	size_t n = x->len;

	if (!p->len) { /* equally spaced */
		for (size_t i = 0; i < n; i++) {
			double q = n == 1 ? 1.0 : (double)i / (double)(n - 1);

			g_array_append_val(p, q);
		}
	}
	if (p->len != n) {
		vgs_error_set(err, "%s: '%s': expected as many p as values (%u and %zu)", vgs_wl_where(s), key, p->len, n);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		double pi = g_array_index(p, double, i), xi = g_array_index(x, double, i);

		if ((i == 0 && pi != 0 && n > 1) || (i == n - 1 && pi != 1) || pi > 1 ||
		    (i && (pi < g_array_index(p, double, i - 1) || xi < g_array_index(x, double, i - 1)))) {
			vgs_error_set(err, "%s: '%s': point %zu: expected p ascending from 0 to 1 and values ascending "
				      "(a quantile table)", vgs_wl_where(s), key, i);
			return -1;
		}
	}
	return 0;
}

/* bins (n+1 edges) and counts (n): a table with a point at every edge. */
static int histogram(const config_setting_t *s, const char *key, double unit_ns, GArray *p, GArray *x,
		     struct vgs_error *err)
{
	const config_setting_t *b = config_setting_get_member(s, "bins"), *c = config_setting_get_member(s, "counts");
	GArray *counts = g_array_new(FALSE, FALSE, sizeof(double));
	double total = 0, acc = 0;
	int rc = -1;

	if (!b || !c) {
		vgs_error_set(err, "%s: '%s': a histogram needs both bins (edges) and counts", vgs_wl_where(s), key);
		goto out;
	}
	if (read_numbers(b, key, "bins", unit_ns, x, err) || read_numbers(c, key, "counts", 1, counts, err))
		goto out;
	if (x->len != counts->len + 1) {
		vgs_error_set(err, "%s: '%s': expected one more bin edge than counts (%u edges, %u counts)",
			      vgs_wl_where(b), key, x->len, counts->len);
		goto out;
	}
	for (guint i = 0; i < counts->len; i++)
		total += g_array_index(counts, double, i);
	if (!(total > 0)) {
		vgs_error_set(err, "%s: '%s.counts': expected a count > 0", vgs_wl_where(c), key);
		goto out;
	}
	g_array_append_val(p, acc);
	for (guint i = 0; i < counts->len; i++) {
		acc += g_array_index(counts, double, i);
		double q = i + 1 == counts->len ? 1.0 : acc / total;

		g_array_append_val(p, q);
	}
	rc = 0;
out:
	g_array_free(counts, TRUE);
	return rc;
}

static int parse_empirical(const config_setting_t *s, const char *key, double unit_ns, struct vgs_dist *d,
			   struct vgs_error *err)
{
	const config_setting_t *pv = config_setting_get_member(s, "p"), *vv = config_setting_get_member(s, "values"),
			       *fv = config_setting_get_member(s, "file");
	bool hist = config_setting_get_member(s, "bins") || config_setting_get_member(s, "counts");
	GArray *p = g_array_new(FALSE, FALSE, sizeof(double)), *x = g_array_new(FALSE, FALSE, sizeof(double));
	int forms = !!vv + !!fv + hist, rc = -1;

	if (forms != 1 || (pv && !vv)) {
		vgs_error_set(err, "%s: '%s': expected one of: values (with optional p), bins and counts, or file",
			      vgs_wl_where(s), key);
		goto out;
	}
	if (vv) {
		if ((pv && read_numbers(pv, key, "p", 1, p, err)) || read_numbers(vv, key, "values", unit_ns, x, err))
			goto out;
	} else if (fv) {
		if (read_file(fv, key, unit_ns, p, x, err))
			goto out;
	} else if (histogram(s, key, unit_ns, p, x, err)) {
		goto out;
	}
	if (check_table(s, key, p, x, err))
		goto out;
	*d = vgs_dist_make_table((double *)p->data, (double *)x->data, x->len);
	rc = 0;
out:
	g_array_free(p, TRUE);
	g_array_free(x, TRUE);
	return rc;
}

static int parse_mixture(const config_setting_t *s, const char *key, double unit_ns, struct vgs_dist *d,
			 struct vgs_error *err)
{
	const config_setting_t *of = config_setting_get_member(s, "of");
	struct vgs_dist comp[MIXTURE_MAX];
	double w[MIXTURE_MAX];
	int n = of ? config_setting_length(of) : 0;

	if (!of || !config_setting_is_list(of) || n < 1 || n > MIXTURE_MAX) {
		vgs_error_set(err, "%s: '%s': expected of = ( { weight = W; dist = ...; }, ... ) with 1 to %d "
			      "components", vgs_wl_where(of ? of : s), key, MIXTURE_MAX);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		const config_setting_t *c = config_setting_get_elem(of, (unsigned)i);
		const config_setting_t *ws = config_setting_is_group(c) ? config_setting_get_member(c, "weight") : NULL;
		char *ckey = g_strdup_printf("%s.of.[%d]", key, i);
		int rc = 0;

		if (!ws || vgs_dist_number(ws, &w[i]) || !(w[i] > 0)) {
			vgs_error_set(err, "%s: '%s': expected a group with weight = W (a number > 0) and a dist",
				      vgs_wl_where(ws ? ws : c), ckey);
			rc = -1;
		} else {
			rc = vgs_dist_parse_as(c, ckey, unit_ns, true, &comp[i], err);
		}
		g_free(ckey);
		if (rc) {
			while (i-- > 0)
				vgs_dist_fini(&comp[i]);
			return -1;
		}
	}
	*d = vgs_dist_make_mixture(comp, w, (size_t)n);
	return 0;
}

static int parse_pareto(const config_setting_t *s, const char *key, double unit_ns, struct vgs_dist *d,
			struct vgs_error *err)
{
	const config_setting_t *a = config_setting_get_member(s, "alpha"), *m = config_setting_get_member(s, "mean"),
			       *sc = config_setting_get_member(s, "scale");
	double alpha, v;

	if (!a || vgs_dist_number(a, &alpha) || !(alpha > 1) || alpha > 1e6) {
		vgs_error_set(err, "%s: '%s': expected alpha = A, the tail index, a number > 1 (a finite mean)",
			      vgs_wl_where(a ? a : s), key);
		return -1;
	}
	if (!m == !sc || vgs_dist_number(m ? m : sc, &v) || !(v > 0)) {
		vgs_error_set(err, "%s: '%s': expected either mean or scale (the smallest value), a number > 0",
			      vgs_wl_where(m ? m : sc ? sc : s), key);
		return -1;
	}
	*d = vgs_dist_make(VGS_DIST_PARETO, m ? v * unit_ns : v * unit_ns * alpha / (alpha - 1), 0);
	d->alpha = alpha;
	return 0;
}

static int parse_table(const config_setting_t *s, const char *key, double unit_ns, bool component,
		       enum vgs_dist_kind kind, struct vgs_dist *d, struct vgs_error *err)
{
	static const char *const keys[][8] = {
		[VGS_DIST_PARETO] = { "alpha", "mean", "scale" },
		[VGS_DIST_EMPIRICAL] = { "p", "values", "bins", "counts", "file" },
		[VGS_DIST_MIXTURE] = { "of" },
	};
	const char *kname = vgs_dist_kind_name(kind);
	double lo = 0, hi = INFINITY;
	int rc;

	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *m = config_setting_get_elem(s, (unsigned)i);
		const char *name = config_setting_name(m);
		bool known = !strcmp(name, "dist") || (component && !strcmp(name, "weight"));
		GString *list;

		for (int k = 0; !known && keys[kind][k]; k++)
			known = !strcmp(name, keys[kind][k]);
		if (!strcmp(name, "min") || !strcmp(name, "max")) {
			double v;

			if (vgs_dist_number(m, &v) || v < 0) {
				vgs_error_set(err, "%s: '%s.%s': expected a number >= 0", vgs_wl_where(m), key, name);
				return -1;
			}
			*(name[1] == 'i' ? &lo : &hi) = v * unit_ns;
			continue;
		}
		if (known)
			continue;
		list = g_string_new("dist");
		for (int k = 0; keys[kind][k]; k++)
			g_string_append_printf(list, ", %s", keys[kind][k]);
		vgs_error_set(err, "%s: unknown key '%s' in '%s' (dist \"%s\"); expected one of: %s, min, max",
			      vgs_wl_where(m), name, key, kname, list->str);
		g_string_free(list, TRUE);
		return -1;
	}
	if (hi < lo) {
		vgs_error_set(err, "%s: '%s': expected min <= max", vgs_wl_where(s), key);
		return -1;
	}
	rc = kind == VGS_DIST_PARETO ? parse_pareto(s, key, unit_ns, d, err) :
	     kind == VGS_DIST_EMPIRICAL ? parse_empirical(s, key, unit_ns, d, err) :
					  parse_mixture(s, key, unit_ns, d, err);
	if (rc == 0) {
		d->min_ns = lo;
		d->max_ns = hi;
	}
	return rc;
}

int vgs_dist_parse_as(const config_setting_t *s, const char *key, double unit_ns, bool component,
		      struct vgs_dist *d, struct vgs_error *err)
{
	const config_setting_t *km;
	const char *kname;
	double v;
	int k;

	if (!component && vgs_dist_number(s, &v) == 0) {
		if (v < 0) {
			vgs_error_set(err, "%s: workload key '%s': expected a duration >= 0, got %g",
				      vgs_wl_where(s), key, v);
			return -1;
		}
		*d = vgs_dist_make(VGS_DIST_CONST, v * unit_ns, 0);
		return 0;
	}
	if (!config_setting_is_group(s)) {
		vgs_error_set(err, "%s: workload key '%s': expected a number or a group { dist = \"lognormal\"; "
			      "mean = ...; cv = ...; }", vgs_wl_where(s), key);
		return -1;
	}
	km = config_setting_get_member(s, "dist");
	if (!km) {
		vgs_error_set(err, "%s: '%s': expected dist = \"const\" | \"normal\" | \"lognormal\" | \"exp\" | "
			      "\"uniform\" | \"pareto\" | \"empirical\" | \"mixture\"", vgs_wl_where(s), key);
		return -1;
	}
	kname = config_setting_get_string(km);
	for (k = 0; kname && k <= VGS_DIST_MIXTURE; k++)
		if (strcmp(kname, vgs_dist_kind_name((enum vgs_dist_kind)k)) == 0)
			break;
	if (!kname || k > VGS_DIST_MIXTURE) {
		vgs_error_set(err, "%s: '%s.dist': expected one of \"const\", \"normal\", \"lognormal\", "
			      "\"exp\", \"uniform\", \"pareto\", \"empirical\", \"mixture\"", vgs_wl_where(km), key);
		return -1;
	}
	if (k < VGS_DIST_PARETO)
		return vgs_dist_parse_simple(s, key, unit_ns, component, (enum vgs_dist_kind)k, d, err);
	return parse_table(s, key, unit_ns, component, (enum vgs_dist_kind)k, d, err);
}

int vgs_dist_parse(const config_setting_t *s, double unit_ns, struct vgs_dist *d, struct vgs_error *err)
{
	return vgs_dist_parse_as(s, config_setting_name(s) ? config_setting_name(s) : "?", unit_ns, false, d, err);
}

int vgs_wl_get_dist(const config_setting_t *g, const char *key, double unit_ns, struct vgs_dist *out,
		    struct vgs_error *err)
{
	const config_setting_t *s = config_setting_get_member(g, key);

	if (!s)
		return 0;
	vgs_dist_fini(out); /* a default it replaces may own a table */
	return vgs_dist_parse(s, unit_ns, out, err);
}

/* ---- writing --------------------------------------------------------------------------------- */

/* A float libconfig reads back as a float: 6 significant digits, always with a decimal point. */
static void put_num(GString *out, double v)
{
	char buf[64];

	if (v == 0) {
		g_string_append(out, "0.0");
		return;
	}
	vgs_fmt_double(buf, sizeof(buf), fabs(v) >= 1e-4 && fabs(v) < 1e15 ? "%.6g" : "%.6e", v);
	if (strchr(buf, 'e') && fabs(v) >= 1e-4)
		vgs_fmt_double(buf, sizeof(buf), "%.1f", v);
	if (!strpbrk(buf, ".e"))
		strcat(buf, ".0");
	g_string_append(out, buf);
}

static void print_body(const struct vgs_dist *d, double unit_ns, GString *out)
{
	const struct vgs_dist_ext *e = d->ext;

	g_string_append_printf(out, "dist = \"%s\";", vgs_dist_kind_name(d->kind));
	switch (d->kind) {
	case VGS_DIST_EMPIRICAL:
		g_string_append(out, " p = [");
		for (size_t i = 0; i < e->n; i++) {
			g_string_append(out, i ? ", " : " ");
			put_num(out, e->p[i]);
		}
		g_string_append(out, " ]; values = [");
		for (size_t i = 0; i < e->n; i++) {
			g_string_append(out, i ? ", " : " ");
			put_num(out, e->x_ns[i] / unit_ns);
		}
		g_string_append(out, " ];");
		break;
	case VGS_DIST_MIXTURE:
		g_string_append(out, " of = (");
		for (size_t i = 0; i < e->n; i++) {
			g_string_append(out, i ? ", { weight = " : " { weight = ");
			put_num(out, e->p[i] - (i ? e->p[i - 1] : 0));
			g_string_append(out, "; ");
			print_body(&e->comp[i], unit_ns, out);
			g_string_append(out, " }");
		}
		g_string_append(out, " );");
		break;
	case VGS_DIST_PARETO:
		g_string_append(out, " mean = ");
		put_num(out, d->mean_ns / unit_ns);
		g_string_append(out, "; alpha = ");
		put_num(out, d->alpha);
		g_string_append(out, ";");
		break;
	default:
		g_string_append(out, " mean = ");
		put_num(out, d->mean_ns / unit_ns);
		g_string_append(out, ";");
		if (d->kind != VGS_DIST_CONST && d->kind != VGS_DIST_EXP) {
			g_string_append(out, " cv = ");
			put_num(out, d->cv);
			g_string_append(out, ";");
		}
		break;
	}
	if (d->min_ns > 0) {
		g_string_append(out, " min = ");
		put_num(out, d->min_ns / unit_ns);
		g_string_append(out, ";");
	}
	if (isfinite(d->max_ns)) {
		g_string_append(out, " max = ");
		put_num(out, d->max_ns / unit_ns);
		g_string_append(out, ";");
	}
}

void vgs_dist_print_config(const struct vgs_dist *d, double unit_ns, GString *out)
{
	if (d->kind == VGS_DIST_CONST && d->min_ns == 0 && !isfinite(d->max_ns)) {
		put_num(out, d->mean_ns / unit_ns);
		return;
	}
	g_string_append(out, "{ ");
	print_body(d, unit_ns, out);
	g_string_append(out, " }");
}
