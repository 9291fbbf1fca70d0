/*
 * A batch of `vgpusim run` processes (sim/batch.h).  Each run is a child of models/base/child.h (its
 * own process group, killed by the kernel should this process die) of /proc/self/exe, with stdin and
 * stdout on /dev/null and stderr in its log.  The wait is O(runs) per exit: batches are a few
 * thousand runs at most.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "models/base/child.h"
#include "models/base/interrupt.h"
#include "models/scenario/args.h"
#include "models/scenario/policy_load.h"
#include "sim/batch.h"

static void run_free(struct vgs_batch_run *r)
{
	g_ptr_array_free(r->argv, TRUE);
	g_free(r->log);
	g_free(r->status_text);
	g_free(r);
}

void vgs_batch_init(struct vgs_batch *b, const char *what, unsigned max, bool progress)
{
	b->runs = g_ptr_array_new_with_free_func((GDestroyNotify)run_free);
	b->max = max ? max : 1;
	b->what = what;
	b->progress = progress;
}

void vgs_batch_fini(struct vgs_batch *b)
{
	if (b->runs)
		g_ptr_array_free(b->runs, TRUE);
	b->runs = NULL;
}

struct vgs_batch_run *vgs_batch_add(struct vgs_batch *b, GPtrArray *argv, const char *log, void *user)
{
	struct vgs_batch_run *r = g_new0(struct vgs_batch_run, 1);

	r->argv = argv;
	r->log = g_strdup(log);
	r->user = user;
	g_ptr_array_add(b->runs, r);
	return r;
}

GPtrArray *vgs_batch_argv(const char *config, const GPtrArray *given)
{
	GPtrArray *a = g_ptr_array_new_with_free_func(g_free);

	g_ptr_array_add(a, g_strdup("/proc/self/exe")); /* this same binary (a Slurm script names it) */
	g_ptr_array_add(a, g_strdup("run"));
	g_ptr_array_add(a, g_strdup(config));
	for (guint i = 0; given && i < given->len; i++)
		g_ptr_array_add(a, g_strdup(given->pdata[i]));
	/* The batch runs several at once: each run one process, not shards (docs/simulator.md). */
	g_ptr_array_add(a, g_strdup("-j"));
	g_ptr_array_add(a, g_strdup("1"));
	return a;
}

int vgs_batch_load(const char *config, const GPtrArray *given, const GPtrArray *extra, const char *policy,
		   struct vgs_scenario *s, struct vgs_error *err)
{
	const struct vgs_policy_ops *ops;
	int rc = vgs_args_load_given(config, given, extra, policy, s, err);

	if (rc < 0 || vgs_policy_is_path(s->policy))
		return rc;
	/* A built-in policy (or a preset's): its parameters are checked now, not by the first run. */
	ops = vgs_policy_load_scenario(s, err);
	if (!ops || vgs_policy_check_params(ops, s, err) < 0) {
		vgs_scenario_fini(s);
		return -1;
	}
	return 0;
}

int vgs_batch_count_opt(const char *opt, const char *arg, uint64_t lo, uint64_t hi, uint64_t *out)
{
	char msg[128];

	if (vgs_args_parse_u64(arg, out) && *out >= lo && *out <= hi)
		return 0;
	snprintf(msg, sizeof(msg), "%s expects a number from %llu to %llu, got '%%s'", opt, (unsigned long long)lo,
		 (unsigned long long)hi);
	return vgs_args_usage_error(msg, arg);
}

void vgs_batch_opts_init(struct vgs_batch_opts *b)
{
	memset(b, 0, sizeof(*b));
	b->jobs = vgs_batch_default_jobs();
	b->nseeds = 1;
}

/* Take shared option c with its argument: 1 when it is one, 0 when not, -1 after a usage error. */
static int take(struct vgs_batch_opts *b, int c, const char *arg)
{
	uint64_t u;

	switch (c) {
	case 'p':
		b->policies = arg;
		return 1;
	case 'j':
		if (vgs_batch_count_opt("-j", arg, 1, 4096, &u))
			return -1;
		b->jobs = (unsigned)u;
		return 1;
	case VGS_BATCH_OPT_SEEDS:
		return vgs_batch_count_opt("--seeds", arg, 1, 100000, &b->nseeds) ? -1 : 1;
	case VGS_BATCH_OPT_SLA:
		b->sla = arg;
		return 1;
	case VGS_BATCH_OPT_NOPLOTS:
		b->no_plots = true;
		return 1;
	}
	return 0;
}

int vgs_batch_next(struct vgs_batch_opts *b, struct vgs_args *a, const char *cmd, int argc, char **argv,
		   const char *shortopts, const struct option *longopts)
{
	int c, taken;

	while ((c = vgs_args_next(a, cmd, argc, argv, shortopts, longopts)) > 0) {
		if ((taken = take(b, c, optarg)) <= 0)
			return taken < 0 ? -1 : c;
	}
	return c;
}

bool vgs_batch_parse_jobs(const char *s, unsigned *jobs)
{
	uint64_t u;

	if (!vgs_args_parse_u64(s, &u) || u < 1 || u > 4096)
		return false;
	*jobs = (unsigned)u;
	return true;
}

unsigned vgs_batch_default_jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (unsigned)n : 1;
}

/* Start r (models/base/child.h: its own process group, dies with us): 0, or -1 with r marked failed. */
static int start(struct vgs_batch_run *r)
{
	struct vgs_error err = { { 0 } };
	char *parent = g_path_get_dirname(r->log);

	g_mkdir_with_parents(parent, 0755);	/* the run's results go beside its log */
	g_free(parent);
	if (!r->argv->len || r->argv->pdata[r->argv->len - 1])
		g_ptr_array_add(r->argv, NULL);
	if (vgs_child_start(&r->child, (char **)r->argv->pdata, r->log, &err) == 0)
		return 0;
	r->done = true;
	r->status_text = g_strdup(err.msg);
	return -1;
}

/* r ended (r->child.status). */
static void finish(struct vgs_batch_run *r)
{
	int status = r->child.status;
	GStatBuf st;

	r->done = true;
	vgs_child_fini(&r->child);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		if (g_stat(r->log, &st) == 0 && st.st_size == 0)
			g_unlink(r->log);
	} else {
		r->status_text = vgs_child_status_text(status);
	}
}

static void show(const struct vgs_batch *b, size_t done, size_t total, unsigned running)
{
	if (!b->progress)
		return;
	fprintf(stderr, "\r%s: %zu/%zu runs done, %u running\033[K", b->what, done, total, running);
	fflush(stderr);
}

int vgs_batch_run(struct vgs_batch *b)
{
	struct vgs_interrupt saved;
	struct vgs_child **cs = g_new0(struct vgs_child *, b->runs->len ? b->runs->len : 1);
	size_t total = 0, done = 0;
	guint next = 0;
	unsigned running = 0;
	int failed = 0;

	for (guint i = 0; i < b->runs->len; i++) {
		struct vgs_batch_run *r = b->runs->pdata[i];

		total += !r->done;
		cs[i] = &r->child;
	}
	vgs_interrupt_catch(&saved);
	show(b, 0, total, 0);
	for (;;) {
		/* Start what fits, unless a signal asked us to stop. */
		while (!vgs_interrupted() && running < b->max && next < b->runs->len) {
			struct vgs_batch_run *r = b->runs->pdata[next++];

			if (r->done)
				continue;
			if (start(r) == 0) {
				running++;
			} else {
				done++;
				failed++;
			}
		}
		if (!running)
			break;
		int k = vgs_child_wait(cs, b->runs->len);

		if (k == -1) {
			/* SIGINT or SIGTERM: every running run is stopped and reaped; none leaves results. */
			for (guint i = 0; i < b->runs->len; i++) {
				if (cs[i]->pid > 0) {
					vgs_child_stop(cs[i]);
					vgs_child_fini(cs[i]);
				}
			}
			break;
		}
		if (k < 0)
			break;
		finish(b->runs->pdata[k]);
		running--;
		done++;
		failed += ((struct vgs_batch_run *)b->runs->pdata[k])->status_text != NULL;
		show(b, done, total, running);
	}
	if (b->progress)
		fputs("\r\033[K", stderr);
	vgs_interrupt_release(&saved);
	g_free(cs);
	return vgs_interrupted() ? -1 : failed;
}
