/*
 * The ftrace importer's jobs (events decoded by ftrace_events.c): each job's submit, run and done
 * become one op of its ring.
 *
 * Rings, classes and streams.  A ring is the timeline / ring= name (prefixed by dev= where printed),
 * or for i915 the engine, named rcsN bcsN vcsN vecsN ccsN.  Its class comes from the name:
 *     gfx*, rcs*                                 gfx
 *     sdma*, bcs*                                copy
 *     comp*, ccs*                                compute
 *     vcn_dec*, uvd* (not uvd_enc*), jpeg*, vcs* vdec
 *     vcn_enc*, uvd_enc*, vce*, vecs*, vcn_unified*  venc  (vcn_unified rings do both; counted as
 *                                                         encode, the cloud-gaming case)
 * Any other ring name is an error.  Each ring is a stream, numbered in order of first appearance.
 *
 * Times.  submit = the submit event; hardware start = max(run, the previous completion on that
 * ring), since a ring runs its jobs one after another; end = done.  A job whose done comes before a
 * later-run job's done on the same ring never completed (lost events): it is dropped and counted
 * (`incomplete`), as is a submitted job still waiting when a later job of its context runs (one
 * context's jobs run in submission order).  So only jobs in flight are kept: memory does not grow
 * with the length of the capture, only with the ops added.
 *
 * Contexts: the submitting process's command name (blanks made '_'), '-', and the context id as
 * printed (amdgpu context=, drm entity= or fence context, i915 ctx=), e.g. "RenderThread-4929".  A
 * context seen without a submit event (kernel jobs) is "kernel-ID".  The name is fixed when the
 * context's first op is added.
 *
 * Out of order: a job counts as reordered when its ring ran it after a job submitted later than it
 * (submission order = the order of submit events in the file, all rings together).
 */
#include <ctype.h>
#include <string.h>

#include "hw-trace/ftrace_priv.h"

/* --- rings and classes --- */

static int ft_ring_class(const char *ring)
{
	static const struct {
		const char *prefix;
		int cls;
	} map[] = {
		/* longer prefixes first */
		{ "uvd_enc", VGS_VENC }, { "vcn_enc", VGS_VENC }, { "vcn_unified", VGS_VENC },
		{ "vcn_dec", VGS_VDEC }, { "vecs", VGS_VENC }, { "vce", VGS_VENC },
		{ "uvd", VGS_VDEC }, { "jpeg", VGS_VDEC }, { "vcs", VGS_VDEC },
		{ "gfx", VGS_GFX }, { "rcs", VGS_GFX },
		{ "sdma", VGS_COPY }, { "bcs", VGS_COPY },
		{ "comp", VGS_COMPUTE }, { "ccs", VGS_COMPUTE },
	};
	const char *slash = strrchr(ring, '/'); /* "DEV/RING" */

	if (slash)
		ring = slash + 1;
	for (size_t i = 0; i < G_N_ELEMENTS(map); i++)
		if (g_str_has_prefix(ring, map[i].prefix))
			return map[i].cls;
	return -1;
}

void ft_ring_free(gpointer p)
{
	struct ft_ring *r = p;

	g_queue_clear(&r->running);
	g_free(r->name);
	g_free(r);
}

void ft_ent_free(gpointer p)
{
	struct ft_ent *e = p;

	g_queue_clear(&e->queued);
	g_free(e->label);
	g_free(e->comm);
	g_free(e);
}

struct ft_ring *ft_ring_get(struct ft_state *s, const char *name, struct vgs_error *err)
{
	struct ft_ring *r = g_hash_table_lookup(s->rings, name);
	int cls;

	if (r)
		return r;
	cls = ft_ring_class(name);
	if (cls < 0) {
		vgs_error_set(err, "%s:%u: a ring of a known engine class (gfx*, rcs*, sdma*, bcs*, comp*, ccs*, "
			      "vcn_dec*, vcn_enc*, uvd*, vce*, jpeg*, vcs*, vecs*), found '%s'", s->path, s->line, name);
		return NULL;
	}
	r = g_new0(struct ft_ring, 1);
	r->name = g_strdup(name);
	r->stream = s->nrings++;
	r->cls = (uint8_t)cls;
	g_queue_init(&r->running);
	g_hash_table_insert(s->rings, r->name, r);
	return r;
}

static struct ft_ent *ft_ent_get(struct ft_state *s, const char *key, const char *label)
{
	struct ft_ent *e = g_hash_table_lookup(s->ents, key);

	if (e)
		return e;
	e = g_new0(struct ft_ent, 1);
	e->label = g_strdup(label);
	e->ctx = UINT32_MAX;
	g_queue_init(&e->queued);
	g_hash_table_insert(s->ents, g_strdup(key), e);
	return e;
}

/* --- jobs --- */

static void ft_job_drop(struct ft_state *s, struct ft_job *j)
{
	if (j->link) {
		if (j->running)
			g_queue_delete_link(&j->ring->running, j->link);
		else
			g_queue_delete_link(&j->ent->queued, j->link);
	}
	g_hash_table_remove(s->jobs, j->key);
	g_free(j->key);
	g_free(j);
}

static uint32_t ft_ctx(struct ft_state *s, struct ft_ent *e)
{
	if (e->ctx == UINT32_MAX) {
		char *name = g_strdup_printf("%s-%s", e->comm ? e->comm : "kernel", e->label);

		e->ctx = vgs_import_ctx(s->im, name);
		g_free(name);
	}
	return e->ctx;
}

void ft_submit(struct ft_state *s, const struct ft_ev *ev, const struct ft_line *l,
		      struct ft_ring *ring)
{
	struct ft_job *j = g_hash_table_lookup(s->jobs, ev->job);
	struct ft_ent *e = ft_ent_get(s, ev->ent, ev->label);

	if (j) { /* a fence (pointer) reused while its old job was never seen to complete */
		s->st.incomplete++;
		ft_job_drop(s, j);
	}
	if (!e->comm) {
		e->comm = g_strndup(l->comm, l->comm_len);
		g_strchomp(e->comm);
		for (char *c = e->comm; *c; c++)
			if (isspace((unsigned char)*c))
				*c = '_';
		if (!*e->comm) {
			g_free(e->comm);
			e->comm = g_strdup("unknown");
		}
	}
	j = g_new0(struct ft_job, 1);
	j->key = g_strdup(ev->job);
	j->ent = e;
	j->ring = ring;
	j->submit_ns = l->ts_ns;
	j->sub = s->nsub++;
	g_queue_push_tail(&e->queued, j);
	j->link = e->queued.tail;
	g_hash_table_insert(s->jobs, j->key, j);
}

void ft_run(struct ft_state *s, const struct ft_ev *ev, const struct ft_line *l, struct ft_ring *ring)
{
	struct ft_job *j = g_hash_table_lookup(s->jobs, ev->job);

	if (j && j->running)
		return; /* run twice (resubmitted after a reset): keep the first */
	if (!j) {
		j = g_new0(struct ft_job, 1);
		j->key = g_strdup(ev->job);
		j->ent = ft_ent_get(s, ev->ent, ev->label);
		j->submit_ns = VGS_NO_TIME;
		g_hash_table_insert(s->jobs, j->key, j);
	} else if (j->link) {
		/* one context's jobs run in submission order: those still queued before it never ran */
		struct ft_ent *e = j->ent;

		while (e->queued.head && e->queued.head->data != j) {
			s->st.incomplete++;
			ft_job_drop(s, e->queued.head->data);
		}
		g_queue_delete_link(&e->queued, j->link);
		j->link = NULL;
	}
	j->ring = ring;
	if (j->submit_ns != VGS_NO_TIME && !j->ran) {
		if (ring->has_sub && j->sub < ring->max_sub)
			s->st.reordered++;
		else {
			ring->max_sub = j->sub;
			ring->has_sub = true;
		}
	}
	j->run_ns = l->ts_ns;
	j->running = j->ran = true;
	g_queue_push_tail(&ring->running, j);
	j->link = ring->running.tail;
}

void ft_done(struct ft_state *s, const struct ft_ev *ev, const struct ft_line *l)
{
	struct ft_job *j = g_hash_table_lookup(s->jobs, ev->job);
	struct ft_ring *ring;
	struct vgs_op op = { .arrival_ns = VGS_NO_TIME, .dir = VGS_DIR_NONE };

	if (!j || !j->running) {
		if (ev->kind == FT_SIGNAL && !j)
			return; /* a fence that is no job's (scheduled or hardware fence) */
		s->st.unmatched++;
		if (j)
			ft_job_drop(s, j);
		return;
	}
	ring = j->ring;
	if (ev->kind == FT_PREEMPT) {
		g_queue_delete_link(&ring->running, j->link);
		j->link = NULL;
		j->running = false;
		s->st.preempted++;
		return;
	}
	/* a ring completes its jobs in run order: those run before it and still open were lost */
	while (ring->running.head->data != j) {
		s->st.incomplete++;
		ft_job_drop(s, ring->running.head->data);
	}
	op.end_ns = l->ts_ns;
	op.start_ns = j->run_ns;
	if (ring->has_end && ring->last_end > op.start_ns)
		op.start_ns = ring->last_end;
	if (op.start_ns > op.end_ns)
		op.start_ns = op.end_ns;
	op.submit_ns = j->submit_ns;
	if (op.submit_ns != VGS_NO_TIME && op.submit_ns > op.start_ns)
		op.submit_ns = op.start_ns;
	op.stream = ring->stream;
	op.cls = ring->cls;
	op.ctx = ft_ctx(s, j->ent);
	vgs_import_classify(&op, NULL, 0);
	vgs_import_add(s->im, &op);
	s->st.jobs++;
	if (!ring->has_end || op.end_ns > ring->last_end)
		ring->last_end = op.end_ns;
	ring->has_end = true;
	ft_job_drop(s, j);
}
