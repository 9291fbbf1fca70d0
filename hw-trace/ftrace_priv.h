/*
 * Private to the ftrace importer (hw-trace/ftrace*.c): the importer's state, one parsed report line,
 * one decoded job event, and the functions each part offers the others.  The calls go one way:
 * ftrace.c (the file, frames) -> ftrace_events.c (lines, event families) -> ftrace_jobs.c (rings,
 * contexts, jobs -> ops).
 */
#ifndef VGS_FTRACE_PRIV_H
#define VGS_FTRACE_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

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

/* One event line of the report; the strings point into the line's text. */
struct ft_line {
	const char *comm;
	size_t comm_len;
	uint64_t ts_ns;
	const char *event;
	size_t event_len;
	const char *fields;
};

/* ftrace_events.c */

/* Lines that are not events and are skipped: blank, '#' comments, the report's header lines. */
bool ft_skippable(const char *s);
/* One report line into *l (pointing into s); frac_digits: 6 (us) or 9 (ns).  0: an event line; -1:
 * not one. */
int ft_parse_line(const char *s, struct ft_line *l, int *frac_digits);
/* Act on one event line: a job event of a known family, a vblank, or (ignored) any other event.  0,
 * or -1 with err = "FILE:LINE: what was expected". */
int ft_event(struct ft_state *s, const struct ft_line *l, struct vgs_error *err);

/* ftrace_jobs.c */

void ft_ring_free(gpointer p);
void ft_ent_free(gpointer p);
/* The ring named `name`, made on first sight (its class from the name, the next stream number);
 * NULL with err set for a name of no known engine class. */
struct ft_ring *ft_ring_get(struct ft_state *s, const char *name, struct vgs_error *err);
/* A job event, by kind: submitted (FT_SUBMIT), pushed to its ring (FT_RUN), completed or preempted
 * (FT_DONE, FT_SIGNAL, FT_PREEMPT). */
void ft_submit(struct ft_state *s, const struct ft_ev *ev, const struct ft_line *l,
	       struct ft_ring *ring);
void ft_run(struct ft_state *s, const struct ft_ev *ev, const struct ft_line *l, struct ft_ring *ring);
void ft_done(struct ft_state *s, const struct ft_ev *ev, const struct ft_line *l);

#endif
