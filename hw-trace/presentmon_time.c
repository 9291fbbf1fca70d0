/*
 * PresentMon time bases: which unit a time-stamp column is in, taken from the data
 * (hw-trace/presentmon_priv.h).
 *
 * The same column name has been written in different units: CPUStartTime is seconds since the start
 * of the capture in the console application's CSV (README-ConsoleApplication.md) but milliseconds in
 * the files of the PresentMon capture application, where each step equals MsBetweenAppStart; read as
 * seconds, a 13 s capture becomes 3.7 hours.  So every time base is checked against the frame-interval
 * column of the same rows, whatever its name says:
 *
 *     base                                       interval (ms)                     direction
 *     CPUStartQPC (10 MHz ticks), CPUStartQPCTime,
 *     CPUStartQPCTimeInMs, CPUStartTime          FrameTime | MsBetweenAppStart     this frame -> next
 *     TimeInQPC (10 MHz ticks), TimeInSeconds    MsBetweenPresents                 previous -> this
 *
 * A step between two consecutive application frames of one swap chain fits a unit when it differs from
 * the interval by at most 0.1 % + 2 units of the base's last printed digit + one of the interval's.  A
 * QPC base must fit 10 MHz (the QueryPerformanceFrequency of Windows 10 and later); a decimal base is
 * seconds or milliseconds, whichever fits every step (the two differ 1000-fold, so one at most fits a
 * real capture).  Where no step can be checked (no interval column, one frame per swap chain), the
 * name's documented unit stands.  When no unit fits, the error names the first row that disagrees.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "hw-trace/presentmon_priv.h"

struct pm_col pm_find(const struct vgs_csv *c, const char *const *names, const uint64_t *units)
{
	for (int i = 0; names[i]; i++) {
		int idx = vgs_csv_col(c, names[i]);

		if (idx >= 0)
			return (struct pm_col){ idx, names[i], units ? units[i] : PM_MS, false };
	}
	return (struct pm_col){ -1, NULL, 0, false };
}

bool pm_is_na(const char *s)
{
	return !s || !*s || strcmp(s, "NA") == 0;
}

bool pm_app_frame(const struct vgs_csv *c, const struct pm_cols *k)
{
	static const char *const app[] = { "Application", "Unspecified", "NotSet" };
	const char *t = k->frame_type.idx >= 0 ? vgs_csv_field(c, k->frame_type.idx) : NULL;

	if (pm_is_na(t))
		return true;
	for (size_t i = 0; i < G_N_ELEMENTS(app); i++)
		if (strcmp(t, app[i]) == 0)
			return true;
	return false;
}

int pm_get_ns(const struct vgs_csv *c, const struct pm_col *col, int64_t *ns, struct vgs_error *err)
{
	const char *s = vgs_csv_field(c, col->idx);
	uint64_t ticks;

	if (col->idx < 0 || pm_is_na(s))
		return 0;
	if (col->unit_ns == 0) {
		if (vgs_csv_u64(s, &ticks) || ticks > (uint64_t)INT64_MAX / PM_QPC_NS) {
			vgs_error_set(err, "%s:%u: %s: a QPC tick count, found '%s'", c->path, c->line, col->name, s);
			return -1;
		}
		*ns = (int64_t)(ticks * PM_QPC_NS);
		return 1;
	}
	if (vgs_csv_decimal_ns(s, col->unit_ns, ns)) {
		vgs_error_set(err, "%s:%u: %s: a number of %s, found '%s'", c->path, c->line, col->name,
			      col->decimal_time ? "seconds or ms" : col->unit_ns == PM_S ? "seconds" : "ms", s);
		return -1;
	}
	return 1;
}

/* The value of the last printed digit of a decimal text of unit_ns ns per unit, in ns (at least 1). */
static uint64_t last_digit_ns(const char *s, uint64_t unit_ns)
{
	const char *dot = s ? strchr(s, '.') : NULL;
	uint64_t r = unit_ns;

	for (const char *p = dot ? dot + 1 : ""; *p >= '0' && *p <= '9' && r > 1; p++)
		r /= 10;
	return r;
}

/* Per swap chain: the previous application frame. */
struct pm_chain {
	int64_t t;                   /* base, read as ms (decimal) or ns (QPC) */
	uint64_t t_res;              /* its last digit, ns as read */
	int64_t f;                   /* its interval, ns; -1: NA */
	uint64_t f_res;
};

/* What one candidate unit made of the steps. */
struct pm_fit {
	uint64_t unit_ns;
	bool ok;
	unsigned line;               /* first row it does not fit */
	int64_t step, interval;      /* there, ns */
};

static int64_t iabs(int64_t x)
{
	return x < 0 ? -x : x;
}

int pm_time_unit(const char *path, const struct pm_cols *k, struct pm_col *base, const struct pm_col *interval,
		 bool forward, struct vgs_error *err)
{
	bool qpc = base->unit_ns == 0;
	/* decimal bases are read as ms; a step in seconds is then 1000 times too small */
	struct pm_fit fit[2] = { { qpc ? 0 : PM_S, true, 0, 0, 0 }, { PM_MS, !qpc, 0, 0, 0 } };
	struct pm_col raw = *base;
	GHashTable *chains = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	uint64_t steps = 0;
	struct vgs_csv c;
	int rc;

	if (interval->idx < 0) {
		g_hash_table_destroy(chains);
		return 0;
	}
	if (vgs_csv_open(&c, path, err)) {
		g_hash_table_destroy(chains);
		return -1;
	}
	if (vgs_csv_header(&c, err))
		goto err;
	if (!qpc)
		raw.unit_ns = PM_MS;
	while ((rc = vgs_csv_next(&c, err)) > 0) {
		const char *sc = k->swapchain.idx >= 0 ? vgs_csv_field(&c, k->swapchain.idx) : "";
		int64_t t, f = -1;
		int r;

		if (c.fields->len != c.header->len) {
			vgs_error_set(err, "%s:%u: %u fields as in the header, found %u", path, c.line, c.header->len,
				      c.fields->len);
			goto err;
		}
		if (!pm_app_frame(&c, k) || (r = pm_get_ns(&c, &raw, &t, err)) == 0)
			continue;
		if (r < 0 || pm_get_ns(&c, interval, &f, err) < 0)
			goto err;
		char *key = g_strdup_printf("%s/%s", vgs_csv_field(&c, k->pid.idx), sc);
		struct pm_chain *ch = g_hash_table_lookup(chains, key);
		uint64_t t_res = qpc ? PM_QPC_NS : last_digit_ns(vgs_csv_field(&c, base->idx), PM_MS);
		uint64_t f_res = last_digit_ns(vgs_csv_field(&c, interval->idx), PM_MS);
		int64_t fi = ch ? (forward ? ch->f : f) : -1;

		if (fi >= 0) {
			uint64_t fres = forward ? ch->f_res : f_res, tres = t_res > ch->t_res ? t_res : ch->t_res;

			steps++;
			for (int u = 0; u < 2; u++) {
				int64_t scale = fit[u].unit_ns == PM_S ? 1000 : 1;
				int64_t step = (t - ch->t) * scale;
				int64_t slack = fi / 1000 + (int64_t)(2 * tres * (uint64_t)scale + fres);

				if (fit[u].ok && iabs(step - fi) > slack)
					fit[u] = (struct pm_fit){ fit[u].unit_ns, false, c.line, step, fi };
			}
		}
		if (!ch) {
			ch = g_new(struct pm_chain, 1);
			g_hash_table_insert(chains, key, ch);
		} else {
			g_free(key);
		}
		*ch = (struct pm_chain){ t, t_res, f, f_res };
	}
	if (rc < 0)
		goto err;
	vgs_csv_close(&c);
	g_hash_table_destroy(chains);
	if (qpc && !fit[0].ok) {
		vgs_error_set(err, "%s:%u: %s: a step of %.4f ms since this swap chain's previous frame (its %s) at 10 MHz, "
			      "found %.4f ms: the capture's QPC frequency is not 10 MHz (record with --qpc_time_ms)", path,
			      fit[0].line, base->name, fit[0].interval / 1e6, interval->name, fit[0].step / 1e6);
		return -1;
	}
	if (qpc || !steps || fit[0].ok == fit[1].ok) {
		if (!qpc && steps && !fit[0].ok) {
			const struct pm_fit *w = fit[0].line > fit[1].line ? &fit[0] : &fit[1];

			vgs_error_set(err, "%s:%u: %s disagrees with %s: a step since this swap chain's previous frame is "
				      "%.4f ms read as seconds and %.4f ms read as ms, and %s says %.4f ms; expected one "
				      "unit that fits every frame", path, w->line, base->name, interval->name,
				      (w->unit_ns == PM_S ? w->step : w->step * 1000) / 1e6,
				      (w->unit_ns == PM_S ? w->step / 1000 : w->step) / 1e6, interval->name, w->interval / 1e6);
			return -1;
		}
		return 0; /* nothing to decide from: the name's unit */
	}
	base->unit_ns = fit[0].ok ? PM_S : PM_MS;
	return 0;
err:
	vgs_csv_close(&c);
	g_hash_table_destroy(chains);
	return -1;
}
