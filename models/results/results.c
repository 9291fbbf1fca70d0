/* Reading a results directory back: summary.json with yajl's tree parser, the CSVs with models/base/csv.c. */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "models/base/csv.h"
#include "models/results/results.h"

/* ---- whole CSV tables ------------------------------------------------------------------------ */

int vgs_table_read(struct vgs_table *t, const char *path, struct vgs_error *err)
{
	struct vgs_csv c;
	int rc;

	memset(t, 0, sizeof(*t));
	if (vgs_csv_open(&c, path, err) < 0)
		return -1;
	if (vgs_csv_header(&c, err) < 0) {
		vgs_csv_close(&c);
		return -1;
	}
	t->header = g_ptr_array_new_with_free_func(g_free);
	t->rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
	for (guint i = 0; i < c.header->len; i++)
		g_ptr_array_add(t->header, g_strdup(c.header->pdata[i]));
	while ((rc = vgs_csv_next(&c, err)) > 0) {
		GPtrArray *row;

		if (c.fields->len != t->header->len) {
			vgs_error_set(err, "%s:%u: expected %u fields as in the header, got %u", path, c.line,
				      t->header->len, c.fields->len);
			rc = -1;
			break;
		}
		row = g_ptr_array_new_with_free_func(g_free);
		for (guint i = 0; i < c.fields->len; i++)
			g_ptr_array_add(row, g_strdup(c.fields->pdata[i]));
		g_ptr_array_add(t->rows, row);
	}
	vgs_csv_close(&c);
	if (rc < 0) {
		vgs_table_fini(t);
		return -1;
	}
	return 0;
}

void vgs_table_fini(struct vgs_table *t)
{
	if (t->header)
		g_ptr_array_free(t->header, TRUE);
	if (t->rows)
		g_ptr_array_free(t->rows, TRUE);
	memset(t, 0, sizeof(*t));
}

int vgs_table_col(const struct vgs_table *t, const char *name)
{
	for (guint i = 0; t->header && i < t->header->len; i++)
		if (strcmp(t->header->pdata[i], name) == 0)
			return (int)i;
	return -1;
}

const char *vgs_table_get(const struct vgs_table *t, guint row, const char *name)
{
	int col = vgs_table_col(t, name);

	if (col < 0 || row >= vgs_table_nrows(t))
		return NULL;
	return ((GPtrArray *)t->rows->pdata[row])->pdata[col];
}

double vgs_table_num(const struct vgs_table *t, guint row, const char *name)
{
	const char *s = vgs_table_get(t, row, name);
	char *end;
	double v;

	if (!s || !*s)
		return NAN;
	v = g_ascii_strtod(s, &end);
	return *end ? NAN : v;
}

int vgs_table_find(const struct vgs_table *t, const char *col, const char *value)
{
	for (guint r = 0; r < vgs_table_nrows(t); r++) {
		const char *s = vgs_table_get(t, r, col);

		if (s && strcmp(s, value) == 0)
			return (int)r;
	}
	return -1;
}

/* ---- summary.json ---------------------------------------------------------------------------- */

static yajl_val member(yajl_val root, const char *a, const char *b)
{
	const char *path[3] = { a, b, NULL };

	return yajl_tree_get(root, path, yajl_t_any);
}

/* A number (or null -> NAN) at a.b; -1 when the key is absent or of another type. */
static int get_num(yajl_val root, const char *a, const char *b, double *out)
{
	yajl_val v = member(root, a, b);

	if (YAJL_IS_NULL(v)) {
		*out = NAN;
		return 0;
	}
	if (!YAJL_IS_NUMBER(v))
		return -1;
	*out = YAJL_IS_DOUBLE(v) ? YAJL_GET_DOUBLE(v) : (double)YAJL_GET_INTEGER(v);
	return 0;
}

static int get_str(yajl_val root, const char *a, char **out)
{
	yajl_val v = member(root, a, NULL);

	if (!YAJL_IS_STRING(v))
		return -1;
	*out = g_strdup(YAJL_GET_STRING(v));
	return 0;
}

static int read_summary(struct vgs_results *r, const char *path, struct vgs_error *err)
{
	static const struct { const char *a, *b; size_t off; } nums[] = {
		{ "duration_s", NULL, offsetof(struct vgs_results, duration_s) },
		{ "warmup_s", NULL, offsetof(struct vgs_results, warmup_s) },
		{ "global", "jain_index", offsetof(struct vgs_results, jain_index) },
		{ "global", "utilisation", offsetof(struct vgs_results, utilisation) },
		{ "global", "switch_overhead_pct", offsetof(struct vgs_results, switch_overhead_pct) },
		{ "global", "energy_j", offsetof(struct vgs_results, energy_j) },
		{ "global", "units", offsetof(struct vgs_results, units) },
		{ "global", "deadline_misses", offsetof(struct vgs_results, deadline_misses) },
		{ "global", "commands", offsetof(struct vgs_results, commands) },
	};
	static const struct { const char *key; size_t off; } strs[] = {
		{ "version", offsetof(struct vgs_results, version) },
		{ "policy", offsetof(struct vgs_results, policy) },
		{ "scenario", offsetof(struct vgs_results, scenario) },
		{ "config_path", offsetof(struct vgs_results, config_path) },
	};
	char *text = NULL, ebuf[256];
	GError *gerr = NULL;
	yajl_val root, seed;
	int rc = -1;

	if (!g_file_get_contents(path, &text, NULL, &gerr)) {
		vgs_error_set(err, "%s: cannot read: %s", path, gerr->message);
		g_error_free(gerr);
		return -1;
	}
	root = yajl_tree_parse(text, ebuf, sizeof(ebuf));
	g_free(text);
	if (!root) {
		/* yajl's message spans lines (it quotes the text): keep its first line. */
		ebuf[strcspn(ebuf, "\n")] = '\0';
		vgs_error_set(err, "%s: not valid JSON: %s", path, ebuf);
		return -1;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(nums); i++)
		if (get_num(root, nums[i].a, nums[i].b, (double *)((char *)r + nums[i].off)) < 0) {
			vgs_error_set(err, "%s: expected a number at %s%s%s (docs/metrics.md)", path, nums[i].a,
				      nums[i].b ? "." : "", nums[i].b ? nums[i].b : "");
			goto out;
		}
	for (size_t i = 0; i < G_N_ELEMENTS(strs); i++)
		if (get_str(root, strs[i].key, (char **)((char *)r + strs[i].off)) < 0) {
			vgs_error_set(err, "%s: expected a string at %s (docs/metrics.md)", path, strs[i].key);
			goto out;
		}
	seed = member(root, "seed", NULL);
	if (!YAJL_IS_INTEGER(seed)) {
		vgs_error_set(err, "%s: expected an integer at seed", path);
		goto out;
	}
	r->seed = (uint64_t)YAJL_GET_INTEGER(seed);
	rc = 0;
out:
	yajl_tree_free(root);
	return rc;
}

int vgs_results_read(struct vgs_results *r, const char *dir, struct vgs_error *err)
{
	char *p;
	int rc;

	memset(r, 0, sizeof(*r));
	r->dir = g_strdup(dir);
	p = g_build_filename(dir, "summary.json", NULL);
	rc = read_summary(r, p, err);
	g_free(p);
	if (rc == 0) {
		p = g_build_filename(dir, "tenants.csv", NULL);
		rc = vgs_table_read(&r->tenants, p, err);
		g_free(p);
	}
	if (rc == 0) {
		p = g_build_filename(dir, "engines.csv", NULL);
		rc = vgs_table_read(&r->engines, p, err);
		g_free(p);
	}
	if (rc == 0 && (vgs_table_col(&r->tenants, "tenant") < 0 || vgs_table_col(&r->engines, "class") < 0)) {
		vgs_error_set(err, "%s: tenants.csv or engines.csv lacks its tenant / class column", dir);
		rc = -1;
	}
	if (rc < 0)
		vgs_results_fini(r);
	return rc;
}

void vgs_results_fini(struct vgs_results *r)
{
	g_free(r->dir);
	g_free(r->version);
	g_free(r->policy);
	g_free(r->scenario);
	g_free(r->config_path);
	vgs_table_fini(&r->tenants);
	vgs_table_fini(&r->engines);
	memset(r, 0, sizeof(*r));
}

double vgs_results_class_util(const struct vgs_results *r, int cls)
{
	const char *name = vgs_class_name(cls);
	double sum = 0;
	unsigned n = 0;

	for (guint i = 0; name && i < vgs_table_nrows(&r->engines); i++) {
		if (strcmp(vgs_table_get(&r->engines, i, "class"), name) != 0)
			continue;
		sum += vgs_table_num(&r->engines, i, "utilisation");
		n++;
	}
	return n ? sum / n : NAN;
}
