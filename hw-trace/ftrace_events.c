/*
 * The ftrace importer's reading of `trace-cmd report` text (hw-trace/ftrace.c reads the file): one
 * event per line
 *     COMM-PID [CPU] [FLAGS] SECONDS.FRACTION: EVENT: FIELDS
 * (FRACTION: 6 digits = us, 9 = ns).  Blank lines, '#' comments and the report's header lines
 * ("cpus=N", "version = N", "CPU N is empty") are skipped; any other line that is not an event is an
 * error.  Events of other kinds are skipped.  Three families of GPU job events are read, each giving
 * a job a submit, a run (pushed to the hardware ring) and a done (acted on in ftrace_jobs.c):
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
 * drm_vblank_event (crtc=N, seq=N, ...) lines are kept per CRTC for the frames (ftrace.c).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw-trace/ftrace_priv.h"

/* --- line syntax --- */

bool ft_skippable(const char *s)
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
int ft_parse_line(const char *s, struct ft_line *l, int *frac_digits)
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

int ft_event(struct ft_state *s, const struct ft_line *l, struct vgs_error *err)
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
