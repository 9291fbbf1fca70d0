/*
 * Reading a results directory back (what `vgpusim run` wrote, docs/metrics.md): the global numbers of
 * summary.json (parsed with yajl's tree API) and tenants.csv / engines.csv as whole tables of text
 * fields.  Used by `vgpusim compare` and `vgpusim plot`; plain C + GLib + yajl.
 *
 * Numbers that summary.json or a CSV leave undefined (JSON null, an empty CSV field) read as NAN.
 */
#ifndef VGS_RESULTS_H
#define VGS_RESULTS_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "models/base/error.h"
#include "models/base/types.h"

/* A whole CSV file in memory: small files only (tenants.csv, engines.csv, compare.csv). */
struct vgs_table {
	GPtrArray *header;           /* char * */
	GPtrArray *rows;             /* GPtrArray * of char *, each as long as the header */
};

/* 0, or -1 with err set ("FILE:LINE: ..."); a row with another field count than the header is an error. */
int vgs_table_read(struct vgs_table *t, const char *path, struct vgs_error *err);
void vgs_table_fini(struct vgs_table *t);
static inline guint vgs_table_nrows(const struct vgs_table *t)
{
	return t->rows ? t->rows->len : 0;
}
/* Column index of `name`, or -1. */
int vgs_table_col(const struct vgs_table *t, const char *name);
/* Field of row `row` in column `name`: the text, or NULL when there is no such column or row. */
const char *vgs_table_get(const struct vgs_table *t, guint row, const char *name);
/* The same as a number: NAN when absent, empty or not a number ("inf" reads as infinity). */
double vgs_table_num(const struct vgs_table *t, guint row, const char *name);
/* First row whose column `col` equals `value`, or -1. */
int vgs_table_find(const struct vgs_table *t, const char *col, const char *value);

struct vgs_results {
	char *dir;
	/* summary.json */
	char *version;
	char *policy;                /* the policy's name (ops->name) */
	char *scenario;
	char *config_path;
	uint64_t seed;
	double duration_s;
	double warmup_s;
	double jain_index;           /* global.*, NAN when null */
	double utilisation;
	double switch_overhead_pct;
	double energy_j;
	double units;
	double deadline_misses;
	double commands;
	struct vgs_table tenants;    /* tenants.csv */
	struct vgs_table engines;    /* engines.csv */
};

/* Read DIR/summary.json, DIR/tenants.csv and DIR/engines.csv.  0, or -1 with err set (r is clean). */
int vgs_results_read(struct vgs_results *r, const char *dir, struct vgs_error *err);
void vgs_results_fini(struct vgs_results *r);
/* Mean `utilisation` of the engines of class `cls` (engines.csv), NAN when the run has none. */
double vgs_results_class_util(const struct vgs_results *r, int cls);

#endif
