/*
 * Linux ftrace importer: the text `trace-cmd report` prints (plain or gzip, read line by line), one
 * event per line
 *     COMM-PID [CPU] [FLAGS] SECONDS.FRACTION: EVENT: FIELDS
 * (FRACTION: 6 digits = us, 9 = ns).  Blank lines, '#' comments and the report's header lines
 * ("cpus=N", "version = N", "CPU N is empty") are skipped; any other line that is not an event is an
 * error.  Events of other kinds are skipped.  Three families of GPU job events are read, each giving
 * a job a submit, a run (pushed to the hardware ring) and a done:
 *
 *   amdgpu (legacy, e.g. Linux 4.11; docs/traces.md):
 *     amdgpu_cs_ioctl       sched_job=N, timeline=RING, context=C, seqno=S, ring_name=..., num_ibs=N
 *     amdgpu_sched_run_job  (same fields)
 *     dma_fence_signaled    driver=amd_sched timeline=RING context=C seqno=S
 *   The job is (context, seqno) of its *finished* fence; the scheduled fence (context C-1) and the
 *   hardware fences (driver=amdgpu) signal too and are ignored, as is any signal of a fence no job has.
 *   Kernel jobs (e.g. sdma page moves) have a run and a done but no cs_ioctl.
 *
 *   drm_sched (gpu_scheduler_trace.h):
 *     before 6.16: drm_sched_job / drm_run_job / drm_sched_process_job
 *       entity=PTR, id=N, fence=PTR, ring=RING, job count:N, hw job count:N
 *       fence=PTR signaled
 *     6.16 on:     drm_sched_job_queue / drm_sched_job_run / drm_sched_job_done
 *       dev=DEV, fence=CTX:SEQ, ring=RING, job count:N, hw job count:N, client_id:N
 *       fence=CTX:SEQ signaled
 *   The job is its fence (pointer or CTX:SEQ); its context is entity= when printed, else the fence
 *   context CTX (one per entity).  Both spellings of each event accept both fence forms.
 *
 *   i915 (i915_trace.h; _in and _out need CONFIG_DRM_I915_LOW_LEVEL_TRACEPOINTS):
 *     i915_request_add  dev=D, engine=CLASS:INST, ctx=C, seqno=S, tail=N
 *     i915_request_in   dev=D, engine=CLASS:INST, ctx=C, seqno=S, prio=P, port=N
 *     i915_request_out  dev=D, engine=CLASS:INST, ctx=C, seqno=S, completed?=0|1
 *   (older kernels print ring=N, the engine id, instead of engine=).  An out with completed?=0 is a
 *   preemption: the request is runnable again and its op starts at its last _in (the work done before
 *   it was preempted is not kept).
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
 *
 * Frames: drm_vblank_event (crtc=N, seq=N, ...) lines.  The CRTC with the most vblanks is the display
 * that paces the capture (the 90 Hz headset in the SteamVR capture); the first op of each context
 * submitted after one of its vblanks opens a frame (VGS_OP_UNIT_BEGIN), and @unit is "frame".
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "hw-trace/ftrace.h"

enum ft_kind {
	FT_SUBMIT,
	FT_RUN,
	FT_DONE,     /* a completion that must match a job */
	FT_SIGNAL,   /* dma_fence_signaled: a completion if the fence is a job's, else ignored */
	FT_PREEMPT,  /* i915_request_out with completed?=0 */
};

struct ft_ring {
	char *name;
	uint32_t stream;
	uint8_t cls;
	bool has_end, has_sub;
	uint64_t last_end;   /* latest completion on the ring */
	uint64_t max_sub;    /* latest submission order among the jobs it ran */
	GQueue running;      /* struct ft_job *, in run order */
};

struct ft_ent {
	char *label;         /* the context id as printed */
	char *comm;          /* submitting process, NULL until a submit is seen */
	uint32_t ctx;        /* index in im->ctx_names, UINT32_MAX until its first op */
	GQueue queued;       /* struct ft_job *, submitted and not yet run, in submission order */
};

struct ft_job {
	char *key;
	struct ft_ent *ent;
	struct ft_ring *ring;
	uint64_t submit_ns;  /* VGS_NO_TIME without a submit event */
	uint64_t run_ns;
	uint64_t sub;        /* submission order */
	bool running, ran;
	GList *link;         /* in ent->queued (submitted) or ring->running (running) */
};

/* One parsed event line of a job family. */
struct ft_ev {
	enum ft_kind kind;
	char *job;           /* job key */
	char *ent;           /* context key, NULL for completions */
	char *label;
	char *ring;          /* NULL for completions */
};

struct ft_state {
	struct vgs_import *im;
	const char *path;
	unsigned line;
	GHashTable *jobs;    /* key -> struct ft_job * (freed by hand) */
	GHashTable *ents;    /* key -> struct ft_ent * */
	GHashTable *rings;   /* name -> struct ft_ring * */
	uint32_t nrings;
	uint64_t nsub;
	GHashTable *vblanks; /* crtc (as printed) -> GArray of uint64_t ns */
	guint first_op;
	uint64_t n_us, n_ns;
	struct vgs_ftrace_stats st;
};

/* --- line syntax --- */

struct ft_line {
	const char *comm;
	size_t comm_len;
	uint64_t ts_ns;
	const char *event;
	size_t event_len;
	const char *fields;
};

static bool ft_skippable(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return *s == '\0' || *s == '#' || strncmp(s, "cpus=", 5) == 0 || strncmp(s, "version", 7) == 0 ||
	       (strncmp(s, "CPU", 3) == 0 && (s[3] == ' ' || isdigit((unsigned char)s[3])));
}

/* "630659.115986:" -> ns; the number of digits after the point gives the unit. */
static const char *ft_timestamp(const char *s, uint64_t *ns, int *frac_digits)
{
	uint64_t sec = 0, frac = 0;
	int nd = 0, ni = 0;

	for (; isdigit((unsigned char)*s); s++, ni++) {
		if (sec > UINT64_MAX / 10000000000ull)
			return NULL;
		sec = sec * 10 + (uint64_t)(*s - '0');
	}
	if (ni == 0 || *s++ != '.')
		return NULL;
	for (; isdigit((unsigned char)*s); s++, nd++) {
		if (nd >= 9)
			return NULL;
		frac = frac * 10 + (uint64_t)(*s - '0');
	}
	if (nd == 0 || *s != ':')
		return NULL;
	for (int i = nd; i < 9; i++)
		frac *= 10;
	*ns = sec * 1000000000ull + frac;
	*frac_digits = nd;
	return s + 1;
}

/* 0: an event line; -1: not one. */
static int ft_parse_line(const char *s, struct ft_line *l, int *frac_digits)
{
	const char *p, *q, *pid;

	for (p = strchr(s, '['); p; p = strchr(p + 1, '[')) {
		for (q = p + 1; isdigit((unsigned char)*q); q++)
			;
		if (q == p + 1 || *q != ']' || p == s || (p[-1] != ' ' && p[-1] != '\t'))
			continue;
		/* back over the blanks and the pid to the '-' after the command name */
		for (pid = p; pid > s && (pid[-1] == ' ' || pid[-1] == '\t'); pid--)
			;
		const char *end = pid;
		while (pid > s && isdigit((unsigned char)pid[-1]))
			pid--;
		if (pid == end || pid == s || pid[-1] != '-')
			continue;
		break;
	}
	if (!p)
		return -1;
	for (l->comm = s; *l->comm == ' ' || *l->comm == '\t'; l->comm++)
		;
	l->comm_len = (size_t)(pid - 1 - l->comm);
	for (q++; *q == ' '; q++)
		;
	p = ft_timestamp(q, &l->ts_ns, frac_digits);
	if (!p) { /* latency flags ("d..2") come first */
		while (*q && *q != ' ')
			q++;
		while (*q == ' ')
			q++;
		p = ft_timestamp(q, &l->ts_ns, frac_digits);
		if (!p)
			return -1;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	l->event = p;
	while (isalnum((unsigned char)*p) || *p == '_')
		p++;
	if (p == l->event || *p != ':')
		return -1;
	l->event_len = (size_t)(p - l->event);
	for (p++; *p == ' ' || *p == '\t'; p++)
		;
	l->fields = p;
	return 0;
}

/* The value of "key=" in an event's fields (up to ',', a blank or the end), or NULL. */
static char *ft_field(const char *fields, const char *key)
{
	size_t klen = strlen(key);

	for (const char *p = fields; (p = strstr(p, key)); p++) {
		if (p != fields && p[-1] != ' ' && p[-1] != ',' && p[-1] != '\t')
			continue;
		if (p[klen] != '=')
			continue;
		const char *v = p + klen + 1;
		size_t n = strcspn(v, ", \t\r\n");

		return n ? g_strndup(v, n) : NULL;
	}
	return NULL;
}

static bool ft_is_uint(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

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

static void ft_ring_free(gpointer p)
{
	struct ft_ring *r = p;

	g_queue_clear(&r->running);
	g_free(r->name);
	g_free(r);
}

static void ft_ent_free(gpointer p)
{
	struct ft_ent *e = p;

	g_queue_clear(&e->queued);
	g_free(e->label);
	g_free(e->comm);
	g_free(e);
}

static struct ft_ring *ft_ring_get(struct ft_state *s, const char *name, struct vgs_error *err)
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

static void ft_submit(struct ft_state *s, const struct ft_ev *ev, const struct ft_line *l,
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

static void ft_run(struct ft_state *s, const struct ft_ev *ev, const struct ft_line *l, struct ft_ring *ring)
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

static void ft_done(struct ft_state *s, const struct ft_ev *ev, const struct ft_line *l)
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
	vgs_import_add(s->im, &op);
	s->st.jobs++;
	if (!ring->has_end || op.end_ns > ring->last_end)
		ring->last_end = op.end_ns;
	ring->has_end = true;
	ft_job_drop(s, j);
}

/* --- event families --- */

static bool ft_event_is(const struct ft_line *l, const char *name)
{
	return strlen(name) == l->event_len && strncmp(l->event, name, l->event_len) == 0;
}

static void ft_ev_clear(struct ft_ev *ev)
{
	g_free(ev->job);
	g_free(ev->ent);
	g_free(ev->label);
	g_free(ev->ring);
	memset(ev, 0, sizeof(*ev));
}

/*
 * Fetch the named fields (NULL-terminated list) into out[]; -1 with the error naming the first one
 * missing or, for those flagged numeric, not an integer.
 */
static int ft_fields(struct ft_state *s, const struct ft_line *l, const char *const *keys, unsigned numeric,
		     char **out, struct vgs_error *err)
{
	for (unsigned i = 0; keys[i]; i++) {
		out[i] = ft_field(l->fields, keys[i]);
		if (!out[i]) {
			vgs_error_set(err, "%s:%u: %.*s without '%s='", s->path, s->line, (int)l->event_len, l->event,
				      keys[i]);
			return -1;
		}
		if ((numeric & (1u << i)) && !ft_is_uint(out[i])) {
			vgs_error_set(err, "%s:%u: %.*s: '%s=' an unsigned integer, found '%s'", s->path, s->line,
				      (int)l->event_len, l->event, keys[i], out[i]);
			return -1;
		}
	}
	return 0;
}

static void ft_free_fields(char **v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		g_free(v[i]);
}

/* amdgpu_cs_ioctl, amdgpu_sched_run_job, dma_fence_signaled */
static int ft_amdgpu(struct ft_state *s, const struct ft_line *l, enum ft_kind kind, struct ft_ev *ev,
		     struct vgs_error *err)
{
	static const char *const keys[] = { "timeline", "context", "seqno", NULL };
	char *v[3] = { NULL };
	int rc = ft_fields(s, l, keys, 6, v, err);

	if (rc == 0) {
		ev->kind = kind;
		ev->job = g_strdup_printf("a:%s:%s", v[1], v[2]);
		if (kind != FT_SIGNAL) {
			ev->ent = g_strdup_printf("a:%s", v[1]);
			ev->label = g_strdup(v[1]);
			ev->ring = g_strdup(v[0]);
		}
	}
	ft_free_fields(v, 3);
	return rc;
}

/* drm_sched_job(_queue), drm_run_job / drm_sched_job_run, drm_sched_process_job / drm_sched_job_done */
static int ft_drm_sched(struct ft_state *s, const struct ft_line *l, enum ft_kind kind, struct ft_ev *ev,
			struct vgs_error *err)
{
	static const char *const job_keys[] = { "fence", "ring", NULL };
	static const char *const done_keys[] = { "fence", NULL };
	char *v[2] = { NULL };
	int rc = ft_fields(s, l, kind == FT_DONE ? done_keys : job_keys, 0, v, err);

	if (rc == 0) {
		ev->kind = kind;
		ev->job = g_strdup_printf("d:%s", v[0]);
		if (kind != FT_DONE) {
			char *entity = ft_field(l->fields, "entity");
			char *dev = ft_field(l->fields, "dev");
			const char *colon = strchr(v[0], ':');

			if (entity)
				ev->label = entity;
			else if (colon)
				ev->label = g_strndup(v[0], (size_t)(colon - v[0]));
			else {
				vgs_error_set(err, "%s:%u: %.*s without 'entity=' or a 'fence=CONTEXT:SEQNO'", s->path,
					      s->line, (int)l->event_len, l->event);
				g_free(dev);
				rc = -1;
				goto out;
			}
			ev->ent = g_strdup_printf("d:%s", ev->label);
			ev->ring = dev ? g_strdup_printf("%s/%s", dev, v[1]) : g_strdup(v[1]);
			g_free(dev);
		}
	}
out:
	ft_free_fields(v, 2);
	return rc;
}

/* i915_request_add / _in / _out: engine=CLASS:INSTANCE (uabi class) or, older, ring=ENGINE_ID */
static int ft_i915(struct ft_state *s, const struct ft_line *l, enum ft_kind kind, struct ft_ev *ev,
		   struct vgs_error *err)
{
	static const char *const uabi[] = { "rcs", "bcs", "vcs", "vecs", "ccs" };
	static const char *const legacy[] = { "rcs0", "bcs0", "vcs0", "vcs1", "vecs0" };
	static const char *const keys[] = { "ctx", "seqno", NULL };
	char *v[2] = { NULL }, *engine = NULL, *dev = NULL, *done = NULL, *ring = NULL;
	unsigned cls, inst;
	int rc = ft_fields(s, l, keys, 3, v, err);

	if (rc)
		goto out;
	engine = ft_field(l->fields, "engine");
	if (engine) {
		char tail;

		if (sscanf(engine, "%u:%u%c", &cls, &inst, &tail) != 2 || cls >= G_N_ELEMENTS(uabi)) {
			vgs_error_set(err, "%s:%u: %.*s: 'engine=CLASS:INSTANCE' with CLASS 0-4, found '%s'", s->path,
				      s->line, (int)l->event_len, l->event, engine);
			rc = -1;
			goto out;
		}
		ring = g_strdup_printf("%s%u", uabi[cls], inst);
	} else {
		char *id = ft_field(l->fields, "ring");

		if (!id || !ft_is_uint(id) || (cls = (unsigned)atoi(id)) >= G_N_ELEMENTS(legacy)) {
			vgs_error_set(err, "%s:%u: %.*s without 'engine=CLASS:INSTANCE' (or 'ring=0..4')", s->path,
				      s->line, (int)l->event_len, l->event);
			g_free(id);
			rc = -1;
			goto out;
		}
		g_free(id);
		ring = g_strdup(legacy[cls]);
	}
	dev = ft_field(l->fields, "dev");
	ev->kind = kind;
	if (kind == FT_DONE && (done = ft_field(l->fields, "completed?")) && strcmp(done, "0") == 0)
		ev->kind = FT_PREEMPT;
	ev->job = g_strdup_printf("i:%s:%s:%s", dev ? dev : "0", v[0], v[1]);
	ev->ent = g_strdup_printf("i:%s:%s", dev ? dev : "0", v[0]);
	ev->label = g_strdup(v[0]);
	ev->ring = dev ? g_strdup_printf("%s/%s", dev, ring) : g_strdup(ring);
out:
	g_free(engine);
	g_free(dev);
	g_free(done);
	g_free(ring);
	ft_free_fields(v, 2);
	return rc;
}

static int ft_vblank(struct ft_state *s, const struct ft_line *l, struct vgs_error *err)
{
	static const char *const keys[] = { "crtc", NULL };
	char *v[1] = { NULL };
	GArray *a;

	if (ft_fields(s, l, keys, 1, v, err)) {
		g_free(v[0]);
		return -1;
	}
	a = g_hash_table_lookup(s->vblanks, v[0]);
	if (!a) {
		a = g_array_new(FALSE, FALSE, sizeof(uint64_t));
		g_hash_table_insert(s->vblanks, v[0], a);
	} else {
		g_free(v[0]);
	}
	g_array_append_val(a, l->ts_ns);
	s->st.vblanks++;
	return 0;
}

static int ft_event(struct ft_state *s, const struct ft_line *l, struct vgs_error *err)
{
	static const struct {
		const char *name;
		int (*parse)(struct ft_state *, const struct ft_line *, enum ft_kind, struct ft_ev *,
			     struct vgs_error *);
		enum ft_kind kind;
	} families[] = {
		{ "amdgpu_cs_ioctl", ft_amdgpu, FT_SUBMIT },
		{ "amdgpu_sched_run_job", ft_amdgpu, FT_RUN },
		{ "dma_fence_signaled", ft_amdgpu, FT_SIGNAL },
		{ "drm_sched_job", ft_drm_sched, FT_SUBMIT },
		{ "drm_sched_job_queue", ft_drm_sched, FT_SUBMIT },
		{ "drm_run_job", ft_drm_sched, FT_RUN },
		{ "drm_sched_job_run", ft_drm_sched, FT_RUN },
		{ "drm_sched_process_job", ft_drm_sched, FT_DONE },
		{ "drm_sched_job_done", ft_drm_sched, FT_DONE },
		{ "i915_request_add", ft_i915, FT_SUBMIT },
		{ "i915_request_in", ft_i915, FT_RUN },
		{ "i915_request_out", ft_i915, FT_DONE },
	};
	struct ft_ev ev = { 0 };
	struct ft_ring *ring = NULL;
	int rc = 0;

	if (ft_event_is(l, "drm_vblank_event"))
		return ft_vblank(s, l, err);
	for (size_t i = 0; i < G_N_ELEMENTS(families); i++) {
		if (!ft_event_is(l, families[i].name))
			continue;
		if (families[i].parse(s, l, families[i].kind, &ev, err)) {
			rc = -1;
		} else if (ev.ring && !(ring = ft_ring_get(s, ev.ring, err))) {
			rc = -1;
		} else if (ev.kind == FT_SUBMIT) {
			ft_submit(s, &ev, l, ring);
		} else if (ev.kind == FT_RUN) {
			ft_run(s, &ev, l, ring);
		} else {
			ft_done(s, &ev, l);
		}
		ft_ev_clear(&ev);
		return rc;
	}
	return 0; /* another event: not ours */
}

/* --- frames --- */

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
