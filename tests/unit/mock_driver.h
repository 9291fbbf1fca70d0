/*
 * A mock driver for policy tests: runs the loop of policies/vgs_policy.h with the real policy ops on
 * a virtual nanosecond clock, no SimGrid, no models/.  Like drm_sched's mock scheduler in
 * drivers/gpu/drm/scheduler/tests/, it drives the real decision code against a simulated timeline.
 *
 * Tenants are described by a table of demand models:
 *   MOCK_SATURATING  always has work; submits its next command when the previous one completes.
 *   MOCK_PERIODIC    a job (unit) of job_ns of work arrives every period_ns from phase_ns, due
 *                    deadline_ns after its arrival; jobs queue in arrival order.
 *   MOCK_ONOFF       has work (like a saturating tenant) during [phase + k*(on+off), ... + on),
 *                    none otherwise; a command started while on finishes even if it crosses the edge.
 * Work runs in commands of cmd_ns (the last command of a job may be shorter); a command that has
 * started finishes, so a slice overruns by up to one command (command-granularity preemption).
 * cmd_ns = 0 runs work as a fluid, stopped exactly at the slice end or a preemption (fine-grained).
 *
 * Loop (exactly vgs_policy.h's): v = vgs_sched_pick(); NULL: idle for the slice (0: forever), waking
 * early at any demand event (arrival, on/off edge; events re-ask the policy); else pay switch_ns if v
 * differs from the previous owner (the domain keeps the last context loaded across idle), run
 * commands until the slice ends, v runs dry, or a runnable() notification asked for preemption, and
 * charge.  The run stops at the first decision point at or after duration_ns; a slice is cut at the
 * end of the run (charged "expired"), so an unlimited slice (fifo) still ends.
 *
 * Accounting, exact in integer ns: elapsed = sum(charged) + switch + idle.  Waiting time of a tenant
 * = time it is runnable and not owning the domain (from becoming runnable or from the end of its
 * slice, to its next pick).
 */
#ifndef VGS_MOCK_DRIVER_H
#define VGS_MOCK_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#include "policies/vgs_policy.h"

#define MOCK_MAX_TENANTS 32
#define MOCK_MAX_JOBS 256	/* open jobs per periodic tenant; beyond, a job is dropped as a miss */

enum mock_demand { MOCK_SATURATING, MOCK_PERIODIC, MOCK_ONOFF };

struct mock_tenant_cfg {
	enum mock_demand demand;
	uint32_t weight;	/* 0 means 1 */
	int32_t priority;
	uint32_t flags;		/* VGS_VGPU_* */
	uint64_t cmd_ns;	/* command length; 0 = fluid */
	uint64_t phase_ns;	/* periodic: first arrival; on/off: first on edge */
	uint64_t period_ns;	/* periodic */
	uint64_t job_ns;	/* periodic: work per job */
	uint64_t deadline_ns;	/* periodic: relative deadline, 0 = none */
	uint64_t on_ns, off_ns;	/* on/off; off_ns = 0: on forever after phase */
};

struct mock_cfg {
	const struct vgs_policy_ops *ops;
	uint32_t max_vgpus;			/* 0: the number of tenants */
	const struct vgs_sched_param *params;
	size_t nparams;
	const struct mock_tenant_cfg *tenants;
	uint32_t ntenants;
	uint64_t switch_ns;
	uint64_t start_ns;			/* clock origin (policies must not care) */
	uint64_t duration_ns;
	uint32_t log_cap;			/* slices to record in mock_result.log, 0 = none */
};

struct mock_tenant_stats {
	uint64_t charged_ns;	/* the mock's own tally of ran_ns */
	uint64_t sched_charged_ns; /* vgs_vgpu.charged_ns at the end: must equal charged_ns */
	uint64_t max_wait_ns;
	uint64_t total_wait_ns;
	uint64_t slices;
	uint64_t commands;
	uint64_t units_done;	/* periodic jobs completed */
	uint64_t deadline_misses; /* completed late, dropped, or open past their deadline at the end */
	uint64_t max_slice_ns;	/* longest single charge */
};

struct mock_slice {
	uint64_t pick_ns;	/* when it was picked */
	uint64_t slice_ns;	/* what the policy granted */
	uint64_t ran_ns;
	uint32_t id;
	enum vgs_charge_reason reason;
};

struct mock_result {
	uint64_t elapsed_ns;
	uint64_t idle_ns;
	uint64_t idle_runnable_ns;	/* idle while some vGPU was runnable (not work-conserving) */
	uint64_t switch_ns;
	uint64_t nswitches;
	uint64_t npicks;		/* picks that returned a vGPU */
	uint64_t npreempt_requests;
	struct mock_tenant_stats t[MOCK_MAX_TENANTS];
	struct mock_slice *log;		/* first log_cap slices, malloc'ed */
	uint32_t nlog;
};

/* Run one scenario.  0, or a negative errno (bad config, vgs_sched_init/add failure, -ENOMEM). */
int mock_run(const struct mock_cfg *cfg, struct mock_result *res);
void mock_result_fini(struct mock_result *res);

#endif
