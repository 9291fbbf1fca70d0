/*
 * Private to the PresentMon importer: the columns it reads (presentmon.c finds them and turns rows
 * into ops) and the time bases whose unit is taken from the data (presentmon_time.c).  Calls go one
 * way: presentmon.c -> presentmon_time.c.
 */
#ifndef VGS_PRESENTMON_PRIV_H
#define VGS_PRESENTMON_PRIV_H

#include <stdint.h>

#include "models/base/csv.h"
#include "hw-trace/import.h"

#define PM_QPC_NS 100                /* ns per QPC tick at 10 MHz */
#define PM_MS 1000000ull
#define PM_S 1000000000ull

struct pm_col {
	int idx;                     /* -1: absent */
	const char *name;
	uint64_t unit_ns;            /* ns per unit; 0: QPC ticks at 10 MHz */
	bool decimal_time;           /* a time stamp in s or ms, the unit taken from the data */
};

struct pm_cols {
	struct pm_col app, pid, swapchain, frame_type, busy, video, cpu_start, latency, present, until_done,
		frame_time, between_presents;
};

/* The first of names[] present in the header; unit_ns of each (NULL: all ms). */
struct pm_col pm_find(const struct vgs_csv *c, const char *const *names, const uint64_t *units);
/* Field `col` of the current row in ns: 1, 0 when it is NA (or the column is absent), -1 with err set. */
int pm_get_ns(const struct vgs_csv *c, const struct pm_col *col, int64_t *ns, struct vgs_error *err);
bool pm_is_na(const char *s);
/* Whether the row is a frame the application rendered (FrameType Application, or no such column). */
bool pm_app_frame(const struct vgs_csv *c, const struct pm_cols *k);

/*
 * Read the whole file once and fix the unit of the time base the import uses (`base`: k->cpu_start
 * or k->present): each step between two application frames of one swap chain is checked against the
 * frame-interval column (`interval`: FrameTime / MsBetweenAppStart, this frame to the next; or
 * MsBetweenPresents, the previous frame to this one); a QPC column must be 10 MHz, a decimal one is
 * seconds or ms, whichever fits every step.  0 (base->unit_ns set), or -1 with err "FILE:LINE: ...".
 */
int pm_time_unit(const char *path, const struct pm_cols *k, struct pm_col *base, const struct pm_col *interval,
		 bool forward, struct vgs_error *err);

#endif
