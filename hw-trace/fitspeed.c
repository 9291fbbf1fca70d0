/*
 * `vgpusim fit-speed`: matching the ops of paired captures and fitting the per-class speed model
 * (hw-trace/fitspeed.h has the method; docs/translate.md the use).
 */
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include <glib.h>

#include "hw-trace/fitspeed.h"

/* Directions of the alignment table, two bits a cell. */
enum { DIR_DIAG = 1, DIR_UP = 2, DIR_LEFT = 3 };

int64_t vgs_align_classes(const uint8_t *a, size_t na, const uint8_t *b, size_t nb, uint32_t *ia, uint32_t *ib)
{
	uint64_t cells = (uint64_t)na * nb;
	uint8_t *dir;
	uint32_t *prev, *cur;
	int64_t n = 0;

	if (cells > VGS_ALIGN_MAX_CELLS)
		return -1;
	dir = g_malloc0(cells / 4 + 1);
	prev = g_new0(uint32_t, nb + 1);
	cur = g_new0(uint32_t, nb + 1);
	/* O(na nb) time, 2 bits a cell and two rows of lengths. */
	for (size_t i = 1; i <= na; i++) {
		for (size_t j = 1; j <= nb; j++) {
			uint64_t k = (uint64_t)(i - 1) * nb + (j - 1);
			unsigned d;

			if (a[i - 1] == b[j - 1]) {
				cur[j] = prev[j - 1] + 1;
				d = DIR_DIAG;
			} else if (prev[j] >= cur[j - 1]) {
				cur[j] = prev[j];
				d = DIR_UP;
			} else {
				cur[j] = cur[j - 1];
				d = DIR_LEFT;
			}
			dir[k / 4] |= (uint8_t)(d << (2 * (k % 4)));
		}
		memcpy(prev, cur, (nb + 1) * sizeof(*cur));
	}
	n = prev[nb];
	for (size_t i = na, j = nb, m = (size_t)n; i > 0 && j > 0;) {
		uint64_t k = (uint64_t)(i - 1) * nb + (j - 1);
		unsigned d = (dir[k / 4] >> (2 * (k % 4))) & 3;

		if (d == DIR_DIAG) {
			m--;
			ia[m] = (uint32_t)(i - 1);
			ib[m] = (uint32_t)(j - 1);
			i--, j--;
		} else if (d == DIR_UP) {
			i--;
		} else {
			j--;
		}
	}
	g_free(dir);
	g_free(prev);
	g_free(cur);
	return n;
}

static uint8_t kc_of(const struct vgs_trace *t, size_t i)
{
	return t->attr && (t->attr[i].have & VGS_ATTR_KC) ? t->attr[i].kc : VGS_KC_NONE;
}

/* Sums of one class's matched ops, weighted by 1 / t_A (fitspeed.h). */
struct sums {
	double w, x, y, xx, xy;        /* sum w, w x, w y, w x^2, w x y */
	uint8_t cls;                   /* an engine class of its ops, for the prior's speed */
};

static void add_point(struct sums *s, double x, double y)
{
	double w = 1.0 / (x > 1 ? x : 1);

	s->w += w;
	s->x += w * x;
	s->y += w * y;
	s->xx += w * x * x;
	s->xy += w * x * y;
}

/* Slope and intercept of one class: least squares, the slope drawn toward s0; below FIT_MIN_OPS ops,
 * no intercept (a line through the origin). */
#define FIT_MIN_OPS 3
static void fit_line(const struct sums *s, uint64_t n, double s0, double *slope, double *icept)
{
	double lam = s->xx / (double)n; /* the prior weighs as one average op */
	double a11 = s->xx + lam, b1 = s->xy + lam * s0, det = a11 * s->w - s->x * s->x;

	*icept = 0;
	*slope = b1 / a11;
	if (n >= FIT_MIN_OPS && det > 1e-12 * a11 * s->w) {
		*icept = (a11 * s->y - s->x * b1) / det;
		*slope = (b1 - s->x * *icept) / a11;
	}
	if (!(*slope > 0)) {
		*slope = s->y > 0 && s->w > 0 ? s->xy / s->xx : 1.0;
		*icept = 0;
	}
}

struct pairwork {
	uint32_t *ia, *ib;
	int64_t n;
};

static int match_pair(const struct vgs_trace *a, const struct vgs_trace *b, struct pairwork *pw, struct vgs_error *err)
{
	uint8_t *ka = g_new(uint8_t, a->ncmds + 1), *kb = g_new(uint8_t, b->ncmds + 1);
	size_t most = MIN(a->ncmds, b->ncmds) + 1;

	for (size_t i = 0; i < a->ncmds; i++)
		ka[i] = kc_of(a, i);
	for (size_t j = 0; j < b->ncmds; j++)
		kb[j] = kc_of(b, j);
	pw->ia = g_new(uint32_t, most);
	pw->ib = g_new(uint32_t, most);
	pw->n = vgs_align_classes(ka, a->ncmds, kb, b->ncmds, pw->ia, pw->ib);
	g_free(ka);
	g_free(kb);
	if (pw->n < 0) {
		vgs_error_set(err, "%s and %s: %zu x %zu ops are too many to align (at most %llu pairs of ops); "
			      "cut the captures to a few iterations", a->path, b->path, a->ncmds, b->ncmds,
			      (unsigned long long)VGS_ALIGN_MAX_CELLS);
		return -1;
	}
	return 0;
}

/* Host gap of op k of t, with the gaps of the unmatched ops since op `from` (exclusive) added. */
static double gap_since(const struct vgs_trace *t, int64_t from, uint32_t k)
{
	double g = 0;

	for (int64_t i = from + 1; i <= (int64_t)k; i++)
		g += (double)t->cmds[i].gap_ns;
	return g;
}

int vgs_fit_speed(struct vgs_trace *const *a, struct vgs_trace *const *b, size_t npairs, const struct vgs_kspeed *from,
		  const double *from_engine, const struct vgs_kspeed *prior, const double *prior_engine, struct vgs_fit *out,
		  struct vgs_error *err)
{
	static const struct vgs_kspeed ref;
	static const double ones[VGS_NCLASS] = { 1, 1, 1, 1, 1 };
	struct sums s[VGS_NKCLASS] = { { 0 } };
	struct pairwork *pw = g_new0(struct pairwork, npairs);
	int rc = -1;

	if (!from) {
		from = &ref;
		from_engine = ones;
	}
	memset(out, 0, sizeof(*out));
	out->pairs = npairs;
	for (size_t p = 0; p < npairs; p++) {
		int64_t la = -1, lb = -1;

		if (match_pair(a[p], b[p], &pw[p], err))
			goto out;
		out->ops_a += a[p]->ncmds;
		out->ops_b += b[p]->ncmds;
		for (size_t i = 0; i < a[p]->ncmds; i++)
			out->cls[kc_of(a[p], i)].ops_a++;
		for (size_t j = 0; j < b[p]->ncmds; j++)
			out->cls[kc_of(b[p], j)].ops_b++;
		for (int64_t m = 0; m < pw[p].n; m++) {
			uint32_t i = pw[p].ia[m], j = pw[p].ib[m];
			int kc = kc_of(a[p], i);
			struct vgs_fit_class *fc = &out->cls[kc];
			double x = (double)a[p]->cmds[i].work_ns, y = (double)b[p]->cmds[j].work_ns;

			s[kc].cls = a[p]->cmds[i].cls;
			add_point(&s[kc], x, y);
			fc->n++;
			fc->busy_a += x;
			fc->busy_b += y;
			out->gap_a += gap_since(a[p], la, i);
			out->gap_b += gap_since(b[p], lb, j);
			la = i;
			lb = j;
		}
		out->matched += (uint64_t)pw[p].n;
	}
	for (int kc = 0; kc < VGS_NKCLASS; kc++) {
		struct vgs_fit_class *fc = &out->cls[kc];
		int roof = vgs_kclass_roof(kc, 0);
		double sa = vgs_kspeed_of(from, from_engine[s[kc].cls], kc, roof), s0 = fc->busy_b > 0 ? fc->busy_b / fc->busy_a : 1;

		/* Copies move data the program needs: a copy class one side lacks is a labelling difference
		 * (roctracer's DtoD for CUDA's DtoH to pinned memory), never an omission. */
		fc->omit = kc != VGS_KC_NONE && vgs_kclass_roof(kc, 0) != VGS_ROOF_LINK && kc != VGS_KC_D2D &&
			   kc != VGS_KC_P2P && kc != VGS_KC_COPY && fc->ops_a > 0 && fc->ops_b == 0;
		if (!fc->n || !(fc->busy_a > 0))
			continue;
		if (prior && vgs_kspeed_of(prior, prior_engine[s[kc].cls], kc, roof) != prior_engine[s[kc].cls])
			s0 = sa / vgs_kspeed_of(prior, prior_engine[s[kc].cls], kc, roof);
		fit_line(&s[kc], fc->n, s0, &fc->slope, &fc->intercept);
		fc->speed = sa / fc->slope;
		fc->fixed_ns = fc->intercept + fc->slope * (double)vgs_kspeed_fixed_ns(from, kc);
	}
	/* residuals over the matched ops */
	for (size_t p = 0; p < npairs; p++)
		for (int64_t m = 0; m < pw[p].n; m++) {
			struct vgs_fit_class *fc = &out->cls[kc_of(a[p], pw[p].ia[m])];
			double x = (double)a[p]->cmds[pw[p].ia[m]].work_ns, y = (double)b[p]->cmds[pw[p].ib[m]].work_ns;
			double pred = MAX(0.0, fc->slope * x + fc->intercept);

			fc->resid += pred - y;
			if (y > 0)
				fc->rms += (pred - y) * (pred - y) / (y * y);
		}
	for (int kc = 0; kc < VGS_NKCLASS; kc++) {
		struct vgs_fit_class *fc = &out->cls[kc];

		fc->resid = fc->busy_b > 0 ? fc->resid / fc->busy_b : 0;
		fc->rms = fc->n ? sqrt(fc->rms / (double)fc->n) : 0;
	}
	out->host_speed = vgs_kspeed_host(from) * (out->gap_b > 0 && out->gap_a > 0 ? out->gap_a / out->gap_b : 1.0);
	rc = 0;
out:
	for (size_t p = 0; p < npairs; p++) {
		g_free(pw[p].ia);
		g_free(pw[p].ib);
	}
	g_free(pw);
	return rc;
}

void vgs_fit_print(const struct vgs_fit *f, FILE *out)
{
	bool omit = false;

	fprintf(out, "# vgpusim fit-speed: %zu pair%s, %" PRIu64 " ops matched by order and class (A %" PRIu64
		", B %" PRIu64 " ops)\n", f->pairs, f->pairs == 1 ? "" : "s", f->matched, f->ops_a, f->ops_b);
	for (int kc = 0; kc < VGS_NKCLASS; kc++) {
		const struct vgs_fit_class *fc = &f->cls[kc];

		if (fc->ops_a > fc->n || fc->ops_b > fc->n)
			fprintf(out, "# unmatched %-11s A %" PRIu64 ", B %" PRIu64 "%s\n", kc ? vgs_kclass_name(kc) : "(none)",
				fc->ops_a - fc->n, fc->ops_b - fc->n, fc->omit ? " (B emits none: omitted)" : "");
	}
	fprintf(out, "host_speed = %.4f;          # host gaps of the matched ops: A %.3f ms, B %.3f ms\n", f->host_speed,
		f->gap_a / 1e6, f->gap_b / 1e6);
	fprintf(out, "kernels = {\n");
	for (int kc = VGS_KC_NONE + 1; kc < VGS_NKCLASS; kc++)
		omit |= f->cls[kc].omit;
	if (omit) {
		const char *sep = "";

		fprintf(out, "  omit = [ ");
		for (int kc = VGS_KC_NONE + 1; kc < VGS_NKCLASS; kc++)
			if (f->cls[kc].omit) {
				fprintf(out, "%s\"%s\"", sep, vgs_kclass_name(kc));
				sep = ", ";
			}
		fprintf(out, " ];\n");
	}
	for (int kc = VGS_KC_NONE + 1; kc < VGS_NKCLASS; kc++) {
		const struct vgs_fit_class *fc = &f->cls[kc];

		if (!fc->n || !(fc->busy_a > 0))
			continue;
		int w = fprintf(out, "  %s = { speed = %.4f; fixed_us = %.3f; };", vgs_kclass_name(kc), fc->speed,
				fc->fixed_ns / 1e3);

		fprintf(out, "%*s# %" PRIu64 " ops, %.3f -> %.3f ms, residual %+.1f %%, per op %.1f %% rms\n",
			w < 58 ? 58 - w : 1, "", fc->n, fc->busy_a / 1e6, fc->busy_b / 1e6, 100 * fc->resid, 100 * fc->rms);
	}
	fprintf(out, "};\n");
}
