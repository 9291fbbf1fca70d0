/*
 * Linux ftrace importer: the text `trace-cmd report` prints (plain or gzip), read line by line.
 * ftrace_events.c reads each line and the three families of GPU job events (amdgpu, drm_sched,
 * i915); ftrace_jobs.c turns each job's submit, run and done into an op of its ring.  Here: the file,
 * and once it is read, the frames.
 *
 * Frames: drm_vblank_event (crtc=N, seq=N, ...) lines.  The CRTC with the most vblanks is the display
 * that paces the capture (the 90 Hz headset in the SteamVR capture); the first op of each context
 * submitted after one of its vblanks opens a frame (VGS_OP_UNIT_BEGIN), and @unit is "frame".  Frames
 * are held back in replay by @frames_in_flight, FT_FRAMES_IN_FLIGHT unless the capture queued more.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "hw-trace/ftrace_priv.h"

/* --- frames --- */

/* Frames a Linux GL program may queue: Mesa's Gallium DRI frontend throttles at DRM_CONF_THROTTLE
 * frames, which Mesa of the capture's era (2017) sets to 2 for radeonsi, the driver of its Radeon, and
 * every other Gallium driver (src/gallium/auxiliary/pipe-loader/pipe_loader_drm.c, `throttle_ret`).
 * Vulkan programs choose their own count. */
#define FT_FRAMES_IN_FLIGHT 2

struct ft_opref {
	uint32_t ctx;
	uint64_t t;          /* submit, or start without one */
	guint i;
};

static int ft_opref_cmp(const void *a, const void *b)
{
	const struct ft_opref *x = a, *y = b;

	if (x->ctx != y->ctx)
		return x->ctx < y->ctx ? -1 : 1;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* Vblanks at or before t (v sorted). */
static size_t ft_vblanks_before(const GArray *v, uint64_t t)
{
	size_t lo = 0, hi = v->len;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (g_array_index(v, uint64_t, mid) <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int ft_u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void ft_mark_frames(struct ft_state *s)
{
	GHashTableIter it;
	gpointer k, v;
	GArray *best = NULL;
	const char *best_crtc = NULL;
	guint n = s->im->ops->len - s->first_op;
	struct ft_opref *refs;

	g_hash_table_iter_init(&it, s->vblanks);
	while (g_hash_table_iter_next(&it, &k, &v)) { /* ties: the lower CRTC, for a stable choice */
		GArray *a = v;

		if (!best || a->len > best->len || (a->len == best->len && strcmp(k, best_crtc) < 0)) {
			best = a;
			best_crtc = k;
		}
	}
	if (!best || n == 0)
		return;
	g_array_sort(best, ft_u64_cmp);
	refs = g_new(struct ft_opref, n);
	for (guint i = 0; i < n; i++) {
		const struct vgs_op *op = &g_array_index(s->im->ops, struct vgs_op, s->first_op + i);

		refs[i] = (struct ft_opref){ op->ctx, op->submit_ns != VGS_NO_TIME ? op->submit_ns : op->start_ns,
					     s->first_op + i };
	}
	qsort(refs, n, sizeof(*refs), ft_opref_cmp);
	for (guint i = 0; i < n; i++) {
		size_t f = ft_vblanks_before(best, refs[i].t);
		bool first = i == 0 || refs[i - 1].ctx != refs[i].ctx;

		if ((first && f > 0) || (!first && f != ft_vblanks_before(best, refs[i - 1].t)))
			g_array_index(s->im->ops, struct vgs_op, refs[i].i).flags |= VGS_OP_UNIT_BEGIN;
	}
	g_free(refs);
}

/* --- the file --- */

/* One line into buf, without its newline: 1, 0 at the end, -1 on a read error. */
static int ft_getline(gzFile f, GString *buf)
{
	char chunk[4096];

	g_string_truncate(buf, 0);
	while (gzgets(f, chunk, sizeof(chunk))) {
		g_string_append(buf, chunk);
		if (buf->len && buf->str[buf->len - 1] == '\n') {
			g_string_truncate(buf, buf->len - 1);
			if (buf->len && buf->str[buf->len - 1] == '\r')
				g_string_truncate(buf, buf->len - 1);
			return 1;
		}
	}
	int errnum;

	gzerror(f, &errnum);
	if (errnum != Z_OK && errnum != Z_BUF_ERROR)
		return -1;
	return buf->len ? 1 : 0;
}

static void ft_vblank_free(gpointer p)
{
	g_array_free(p, TRUE);
}

int vgs_import_ftrace_stats(struct vgs_import *im, const char *path, struct vgs_ftrace_stats *st,
			    struct vgs_error *err)
{
	struct ft_state s = {
		.im = im,
		.path = path,
		.first_op = im->ops->len,
	};
	GString *buf;
	gzFile f;
	int rc = -1, r;

	errno = 0;
	f = gzopen(path, "rb");
	if (!f) {
		vgs_error_set(err, "%s: cannot open: %s", path, strerror(errno ? errno : ENOMEM));
		return -1;
	}
	gzbuffer(f, 1 << 16);
	buf = g_string_sized_new(256);
	s.jobs = g_hash_table_new(g_str_hash, g_str_equal);
	s.ents = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, ft_ent_free);
	s.rings = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, ft_ring_free);
	s.vblanks = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, ft_vblank_free);

	while ((r = ft_getline(f, buf)) > 0) {
		struct ft_line l;
		int nd;

		s.line++;
		if (ft_parse_line(buf->str, &l, &nd)) {
			if (ft_skippable(buf->str))
				continue;
			vgs_error_set(err, "%s:%u: a trace-cmd report line 'COMM-PID [CPU] SECONDS.FRACTION: EVENT: "
				      "FIELDS'", path, s.line);
			goto out;
		}
		s.st.events++;
		if (nd == 9)
			s.n_ns++;
		else
			s.n_us++;
		if (ft_event(&s, &l, err))
			goto out;
	}
	if (r < 0) {
		vgs_error_set(err, "%s:%u: cannot read (corrupt gzip?)", path, s.line + 1);
		goto out;
	}
	s.st.incomplete += g_hash_table_size(s.jobs);
	ft_mark_frames(&s);

	g_free(im->source);
	im->source = g_strdup_printf("%s (ftrace: %" PRIu64 " GPU jobs on %u rings)", path, s.st.jobs, s.nrings);
	if (s.st.vblanks) {
		g_free(im->unit);
		im->unit = g_strdup("frame");
		im->frames_in_flight = FT_FRAMES_IN_FLIGHT;
	}
	im->shared_streams = true;	/* rings are shared by the contexts: see import.h */
	if (s.n_us)
		g_hash_table_replace(im->units, g_strdup("us"), GUINT_TO_POINTER((guint)s.n_us));
	if (s.n_ns)
		g_hash_table_replace(im->units, g_strdup("ns"), GUINT_TO_POINTER((guint)s.n_ns));
	rc = 0;
out:
	{
		GHashTableIter it;
		gpointer k, v;

		g_hash_table_iter_init(&it, s.jobs);
		while (g_hash_table_iter_next(&it, &k, &v)) {
			struct ft_job *j = v;

			g_free(j->key);
			g_free(j);
		}
	}
	g_hash_table_destroy(s.jobs);
	g_hash_table_destroy(s.ents);
	g_hash_table_destroy(s.rings);
	g_hash_table_destroy(s.vblanks);
	g_string_free(buf, TRUE);
	gzclose(f);
	if (st)
		*st = s.st;
	return rc;
}

int vgs_import_ftrace_ex(struct vgs_import *im, const char *path, uint64_t *reordered, struct vgs_error *err)
{
	struct vgs_ftrace_stats st;
	int rc = vgs_import_ftrace_stats(im, path, &st, err);

	if (reordered)
		*reordered = st.reordered;
	return rc;
}

int vgs_import_ftrace(struct vgs_import *im, const char *path, struct vgs_error *err)
{
	return vgs_import_ftrace_ex(im, path, NULL, err);
}
