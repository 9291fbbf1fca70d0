/*
 * The scenario loader (models/scenario/scenario.c, read.c, gpu.c, vgpus.c, override.c): a good config
 * expands into the expected GPUs, engines, domains, tenants and policy parameters; overrides change
 * it; every bad fixture in tests/configs/ fails with one line naming the exact file:line (the line of
 * the fixture that carries a "MARK" comment) or the override at fault.  Run from the repository root.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "models/scenario/scenario.h"
#include "models/workload/workload.h"
#include "tests/unit/cunit_main.h"

#define DIR "tests/configs/"

/* Line number of the first line of file containing mark. */
static int line_of(const char *file, const char *mark)
{
	FILE *f = fopen(file, "r");
	char buf[1024];
	int n = 0, found = -1;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	while (fgets(buf, sizeof(buf), f)) {
		n++;
		if (strstr(buf, mark)) {
			found = n;
			break;
		}
	}
	fclose(f);
	CU_ASSERT_FATAL(found > 0);
	return found;
}

static int load(struct vgs_scenario *s, const char *path, const struct vgs_override *ov, size_t nov,
		struct vgs_error *err)
{
	struct vgs_load_args a = { .path = path, .overrides = ov, .noverrides = nov };

	err->msg[0] = 0;
	return vgs_scenario_load(s, &a, err);
}

static const struct vgs_domain *domain(const struct vgs_scenario *s, const char *name)
{
	for (uint32_t i = 0; i < s->ndomains; i++)
		if (strcmp(s->domains[i].name, name) == 0)
			return &s->domains[i];
	return NULL;
}

static const struct vgs_param *param(const struct vgs_scenario *s, const char *key)
{
	for (size_t i = 0; i < s->nparams; i++)
		if (strcmp(s->params[i].key, key) == 0)
			return &s->params[i];
	return NULL;
}

static void test_good(void)
{
	struct vgs_scenario s;
	struct vgs_error err;
	const struct vgs_gpu *g;
	const struct vgs_tenant *t;
	const struct vgs_param *p;
	char *file = DIR "good.cfg";

	CU_ASSERT_EQUAL_FATAL(load(&s, file, NULL, 0, &err), 0);
	if (err.msg[0])
		fprintf(stderr, "%s\n", err.msg);
	CU_ASSERT_STRING_EQUAL(s.name, "good");
	CU_ASSERT_EQUAL(s.duration_ns, 2000000000ull);
	CU_ASSERT_EQUAL(s.warmup_ns, 500000000ull);
	CU_ASSERT_EQUAL(s.seed, 7);

	/* GPUs: two instances of the test profile, one of the compute-only profile. */
	CU_ASSERT_EQUAL_FATAL(s.ngpus, 3);
	CU_ASSERT_STRING_EQUAL(s.gpus[0].name, "tgpu-0");
	CU_ASSERT_STRING_EQUAL(s.gpus[1].name, "tgpu-1");
	CU_ASSERT_STRING_EQUAL(s.gpus[2].name, "tcomp-0");
	g = &s.gpus[1];
	CU_ASSERT_STRING_EQUAL(g->profile, "tgpu");
	CU_ASSERT_STRING_EQUAL(g->model, "Test GPU");
	CU_ASSERT_STRING_EQUAL(s.gpus[2].model, "tcomp");
	CU_ASSERT_EQUAL(g->vram_bytes, 4ull << 30);
	CU_ASSERT_EQUAL(g->max_vgpus, 4);
	CU_ASSERT_EQUAL(g->tdr_timeout_ns, 100000000ull);
	CU_ASSERT_EQUAL(s.gpus[2].tdr_timeout_ns, 2000000000ull); /* default 2 s */
	CU_ASSERT_DOUBLE_EQUAL(g->pcie_bw_Bps, 10e9, 1);
	CU_ASSERT_EQUAL(g->pcie_latency_ns, 1500);
	CU_ASSERT_EQUAL(g->cls[VGS_GFX].count, 1);
	CU_ASSERT_EQUAL(g->cls[VGS_GFX].channels, 2);
	CU_ASSERT_EQUAL(g->cls[VGS_GFX].switch_ns, 20000);
	CU_ASSERT_EQUAL(g->cls[VGS_GFX].switch_idle_ns, 4000);
	CU_ASSERT_EQUAL(g->cls[VGS_GFX].preempt, VGS_PREEMPT_FINE);
	CU_ASSERT_EQUAL(g->cls[VGS_GFX].preempt_latency_ns, 30000);
	CU_ASSERT_EQUAL(g->cls[VGS_GFX].resume_ns, 10000);
	CU_ASSERT_DOUBLE_EQUAL(g->cls[VGS_GFX].busy_w, 50.0, 1e-9);
	CU_ASSERT_EQUAL(g->cls[VGS_COPY].count, 2);
	CU_ASSERT_EQUAL(g->cls[VGS_COPY].channels, 1);             /* default */
	CU_ASSERT_EQUAL(g->cls[VGS_COPY].switch_idle_ns, 1000);    /* defaults to switch_us */
	CU_ASSERT_EQUAL(g->cls[VGS_COPY].preempt, VGS_PREEMPT_COMMAND);
	CU_ASSERT_EQUAL(g->cls[VGS_VENC].preempt, VGS_PREEMPT_NONE);
	/* same_as: compute runs on gfx, with its own speed factor. */
	CU_ASSERT_EQUAL(g->route[VGS_GFX], VGS_GFX);
	CU_ASSERT_EQUAL(g->route[VGS_COMPUTE], VGS_GFX);
	CU_ASSERT_EQUAL(g->route[VGS_COPY], VGS_COPY);
	CU_ASSERT_EQUAL(g->cls[VGS_COMPUTE].count, 0);
	CU_ASSERT_DOUBLE_EQUAL(g->cls[VGS_COMPUTE].speed, 2.0, 1e-12);
	CU_ASSERT_EQUAL(g->cls[VGS_COMPUTE].channels, 2);
	CU_ASSERT_EQUAL(s.gpus[2].route[VGS_GFX], VGS_NCLASS);
	CU_ASSERT_EQUAL(s.gpus[2].route[VGS_VENC], VGS_NCLASS);
	CU_ASSERT_EQUAL(s.gpus[2].route[VGS_COMPUTE], VGS_COMPUTE);

	/* Engines: 5 per test GPU, 2 on the compute-only one, in class order. */
	CU_ASSERT_EQUAL_FATAL(s.nengines, 12);
	CU_ASSERT_STRING_EQUAL(s.engines[0].name, "tgpu-0.gfx0");
	CU_ASSERT_STRING_EQUAL(s.engines[1].name, "tgpu-0.copy0");
	CU_ASSERT_STRING_EQUAL(s.engines[2].name, "tgpu-0.copy1");
	CU_ASSERT_EQUAL(s.engines[2].index, 1);
	CU_ASSERT_STRING_EQUAL(s.engines[4].name, "tgpu-0.vdec0");
	CU_ASSERT_STRING_EQUAL(s.engines[10].name, "tcomp-0.compute0");
	CU_ASSERT_EQUAL(s.engines[10].gpu, 2);

	/* domain = "gpu" */
	CU_ASSERT_STRING_EQUAL(s.domain_mode, "gpu");
	CU_ASSERT_EQUAL_FATAL(s.ndomains, 3);
	CU_ASSERT_STRING_EQUAL(s.domains[1].name, "tgpu-1");
	CU_ASSERT_EQUAL(s.domains[1].nengines, 5);
	CU_ASSERT_EQUAL(s.domains[1].engines[0], 5);
	CU_ASSERT_EQUAL(s.domains[2].nengines, 2);
	CU_ASSERT_EQUAL(s.domains[2].class_mask, (1u << VGS_COMPUTE) | (1u << VGS_COPY));

	/* Policy and its parameters: only the selected policy's group. */
	CU_ASSERT_STRING_EQUAL(s.policy, "timeslice");
	CU_ASSERT_STRING_EQUAL(s.policy_file, file);
	CU_ASSERT_EQUAL(s.policy_line, line_of(file, "policy = "));
	CU_ASSERT_EQUAL_FATAL(s.nparams, 4);
	CU_ASSERT_STRING_EQUAL(param(&s, "slice_us")->value, "2000");
	CU_ASSERT_STRING_EQUAL(param(&s, "variant")->value, "equal");
	CU_ASSERT_STRING_EQUAL(param(&s, "pay_back")->value, "1");
	CU_ASSERT_STRING_EQUAL(param(&s, "factor")->value, "0.5");
	p = param(&s, "slice_us");
	CU_ASSERT_STRING_EQUAL(p->file, file);
	CU_ASSERT_EQUAL(p->line, line_of(file, "MARK-slice"));
	CU_ASSERT_PTR_NULL(param(&s, "tick_us"));

	/* Tenants: names, shared workload, round-robin placement skipping the GPU without gfx. */
	CU_ASSERT_EQUAL_FATAL(s.ntenants, 5);
	t = s.tenants;
	CU_ASSERT_STRING_EQUAL(t[0].name, "game-0");
	CU_ASSERT_STRING_EQUAL(t[2].name, "game-2");
	CU_ASSERT_STRING_EQUAL(t[2].group, "game");
	CU_ASSERT_EQUAL(t[2].replica, 2);
	CU_ASSERT_STRING_EQUAL(t[3].name, "train");
	CU_ASSERT_STRING_EQUAL(t[4].name, "solo");
	CU_ASSERT_PTR_EQUAL(t[0].workload, t[1].workload);
	CU_ASSERT_PTR_EQUAL(t[0].workload, t[2].workload);
	CU_ASSERT_PTR_NOT_EQUAL(t[3].workload, t[4].workload);
	CU_ASSERT_EQUAL(t[3].gpu, 2);
	CU_ASSERT_EQUAL(t[4].gpu, 1);
	CU_ASSERT_EQUAL(t[0].gpu, 0);
	CU_ASSERT_EQUAL(t[1].gpu, 1);
	CU_ASSERT_EQUAL(t[2].gpu, 0);
	CU_ASSERT_EQUAL(t[1].weight, 2);
	CU_ASSERT_EQUAL(t[1].priority, 1);
	CU_ASSERT_EQUAL(t[4].priority, -3);
	CU_ASSERT_EQUAL(t[4].weight, 1);
	CU_ASSERT_EQUAL(t[1].vram_quota_bytes, 512ull << 20);
	CU_ASSERT_EQUAL(t[3].vram_quota_bytes, (8ull << 30) / 2); /* default: the profile's share */
	CU_ASSERT_EQUAL(t[1].queue_depth, 16);
	CU_ASSERT_EQUAL(t[3].queue_depth, 64);
	CU_ASSERT_EQUAL(t[1].submit.trap_ns, 3500);
	CU_ASSERT_EQUAL(t[1].submit.batch_max, 4);
	CU_ASSERT_EQUAL(t[1].submit.batch_window_ns, 10000);
	CU_ASSERT_EQUAL(t[3].submit.batch_max, 1);
	CU_ASSERT_DOUBLE_EQUAL(t[1].sla.fps, 60.0, 1e-12);
	CU_ASSERT_EQUAL(t[1].sla.latency_ns, 33300000ull);
	CU_ASSERT_EQUAL(t[3].sla.latency_ns, 0);

	CU_ASSERT_PTR_NOT_NULL(strstr(s.echo, "slice_us = 2000;"));
	vgs_scenario_fini(&s);
}

static void test_minimal_defaults(void)
{
	struct vgs_scenario s;
	struct vgs_error err;

	CU_ASSERT_EQUAL_FATAL(load(&s, DIR "minimal.cfg", NULL, 0, &err), 0);
	CU_ASSERT_STRING_EQUAL(s.name, "minimal"); /* basename without .cfg */
	CU_ASSERT_EQUAL(s.duration_ns, 1000000000ull);
	CU_ASSERT_EQUAL(s.warmup_ns, 0);
	CU_ASSERT_EQUAL(s.seed, 1);
	CU_ASSERT_STRING_EQUAL(s.domain_mode, "gpu");
	CU_ASSERT_EQUAL(s.nparams, 0);
	CU_ASSERT_PTR_NOT_NULL(s.params);
	CU_ASSERT_EQUAL(s.ngpus, 1);
	CU_ASSERT_STRING_EQUAL(s.gpus[0].name, "tgpu-0");
	CU_ASSERT_EQUAL(s.ntenants, 1);
	CU_ASSERT_STRING_EQUAL(s.tenants[0].name, "t");
	CU_ASSERT_EQUAL(s.tenants[0].weight, 1);
	CU_ASSERT_EQUAL(s.tenants[0].vram_quota_bytes, (4ull << 30) / 4);
	vgs_scenario_fini(&s);
}

/* The domain modes, table-driven: --set scheduler.domain=... on good.cfg. */
static void test_domains(void)
{
	static const struct {
		const char *desc, *domain;
		uint32_t n;
		const char *names[12];
		uint32_t nengines[12];
	} cases[] = {
		{ "one per engine", "\"engine\"", 12,
		  { "tgpu-0.gfx0", "tgpu-0.copy0", "tgpu-0.copy1", "tgpu-0.venc0", "tgpu-0.vdec0", "tgpu-1.gfx0",
		    "tgpu-1.copy0", "tgpu-1.copy1", "tgpu-1.venc0", "tgpu-1.vdec0", "tcomp-0.compute0",
		    "tcomp-0.copy0" },
		  { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 } },
		{ "groups, unlisted classes one per engine", "((\"gfx\", \"venc\"), (\"copy\"))", 8,
		  { "tgpu-0.gfx+venc", "tgpu-0.copy", "tgpu-0.vdec0", "tgpu-1.gfx+venc", "tgpu-1.copy",
		    "tgpu-1.vdec0", "tcomp-0.copy", "tcomp-0.compute0" },
		  { 2, 2, 1, 2, 2, 1, 1, 1 } },
		{ "group order as written, single string group", "(\"copy\", (\"venc\", \"gfx\", \"compute\"))", 8,
		  { "tgpu-0.copy", "tgpu-0.venc+gfx+compute", "tgpu-0.vdec0", "tgpu-1.copy",
		    "tgpu-1.venc+gfx+compute", "tgpu-1.vdec0", "tcomp-0.copy", "tcomp-0.venc+gfx+compute" },
		  { 2, 2, 1, 2, 2, 1, 1, 1 } },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vgs_override ov = { "scheduler.domain", cases[i].domain };
		struct vgs_scenario s;
		struct vgs_error err;

		if (load(&s, DIR "good.cfg", &ov, 1, &err) != 0) {
			fprintf(stderr, "%s: %s\n", cases[i].desc, err.msg);
			CU_FAIL(cases[i].desc);
			continue;
		}
		CU_ASSERT_EQUAL(s.ndomains, cases[i].n);
		for (uint32_t d = 0; d < s.ndomains && d < cases[i].n; d++) {
			CU_ASSERT_STRING_EQUAL(s.domains[d].name, cases[i].names[d]);
			CU_ASSERT_EQUAL(s.domains[d].nengines, cases[i].nengines[d]);
		}
		vgs_scenario_fini(&s);
	}
	{
		struct vgs_override ov = { "scheduler.domain", "((\"gfx\", \"venc\"), (\"copy\"))" };
		struct vgs_scenario s;
		struct vgs_error err;
		const struct vgs_domain *d;

		CU_ASSERT_EQUAL_FATAL(load(&s, DIR "good.cfg", &ov, 1, &err), 0);
		CU_ASSERT_STRING_EQUAL(s.domain_mode, "groups");
		d = domain(&s, "tgpu-1.gfx+venc");
		CU_ASSERT_PTR_NOT_NULL_FATAL(d);
		CU_ASSERT_EQUAL(d->gpu, 1);
		CU_ASSERT_EQUAL(d->class_mask, (1u << VGS_GFX) | (1u << VGS_VENC));
		CU_ASSERT_STRING_EQUAL(s.engines[d->engines[0]].name, "tgpu-1.gfx0");
		CU_ASSERT_STRING_EQUAL(s.engines[d->engines[1]].name, "tgpu-1.venc0");
		vgs_scenario_fini(&s);
	}
}

static void test_pack_and_overrides(void)
{
	struct vgs_override ov[] = {
		{ "placement", "pack" },                     /* bare word for a string setting */
		{ "vgpus.[0].weight", "5" },
		{ "vgpus[0].count", "4.0" },                 /* integral float into an int setting */
		{ "simulation.duration_s", "3" },            /* int into a float setting */
		{ "vgpus.[2].vram_mb", "100" },              /* created under an existing group */
		{ "scheduler.timeslice.slice_us", "1000" },
	};
	struct vgs_load_args a = { .path = DIR "good.cfg", .overrides = ov, .noverrides = 6,
				   .policy = "weighted", .have_seed = true, .seed = 12345678901ull };
	struct vgs_scenario s;
	struct vgs_error err = { "" };

	CU_ASSERT_EQUAL_FATAL(vgs_scenario_load(&s, &a, &err), 0);
	if (err.msg[0])
		fprintf(stderr, "%s\n", err.msg);
	CU_ASSERT_EQUAL(s.duration_ns, 3000000000ull);
	CU_ASSERT_EQUAL(s.seed, 12345678901ull);
	CU_ASSERT_EQUAL_FATAL(s.ntenants, 6);
	/* pack: game-0..3 fill tgpu-0 (max 4); solo is pinned to tgpu-1. */
	for (int i = 0; i < 4; i++) {
		CU_ASSERT_EQUAL(s.tenants[i].gpu, 0);
		CU_ASSERT_EQUAL(s.tenants[i].weight, 5);
	}
	CU_ASSERT_EQUAL(s.tenants[5].vram_quota_bytes, 100ull << 20);
	/* -p switches policy and therefore the parameter group. */
	CU_ASSERT_STRING_EQUAL(s.policy, "weighted");
	CU_ASSERT_STRING_EQUAL(s.policy_file, "-p weighted");
	CU_ASSERT_EQUAL(s.policy_line, 0);
	CU_ASSERT_EQUAL_FATAL(s.nparams, 2);
	CU_ASSERT_STRING_EQUAL(param(&s, "tick_us")->value, "1000");
	CU_ASSERT_STRING_EQUAL(param(&s, "period_ms")->value, "100");
	CU_ASSERT_EQUAL(param(&s, "tick_us")->line, line_of(DIR "good.cfg", "MARK-weighted"));
	/* The echo is the effective configuration. */
	CU_ASSERT_PTR_NOT_NULL(strstr(s.echo, "policy = \"weighted\";"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s.echo, "slice_us = 1000;"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s.echo, "placement = \"pack\";"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s.echo, "12345678901"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s.echo, "duration_s = 3.0;"));
	vgs_scenario_fini(&s);

	/* --duration, and round-robin over 2 game-capable GPUs when game has 4 replicas. */
	{
		struct vgs_override o2 = { "vgpus.[0].count", "4" };
		struct vgs_load_args b = { .path = DIR "good.cfg", .overrides = &o2, .noverrides = 1,
					   .duration_s = 0.25 };

		CU_ASSERT_EQUAL_FATAL(vgs_scenario_load(&s, &b, &err), 0);
		CU_ASSERT_EQUAL(s.duration_ns, 250000000ull);
		CU_ASSERT_EQUAL(s.tenants[0].gpu, 0);
		CU_ASSERT_EQUAL(s.tenants[1].gpu, 1);
		CU_ASSERT_EQUAL(s.tenants[2].gpu, 0);
		CU_ASSERT_EQUAL(s.tenants[3].gpu, 1);
		vgs_scenario_fini(&s);
	}
}

/* The shipped profiles load, and a .so policy's parameter group is its file stem without "lib". */
static void test_real_profiles(void)
{
	struct vgs_scenario s;
	struct vgs_error err;

	if (load(&s, DIR "real.cfg", NULL, 0, &err) != 0) {
		fprintf(stderr, "%s\n", err.msg);
		CU_FAIL_FATAL("real.cfg");
	}
	CU_ASSERT_EQUAL_FATAL(s.ngpus, 3);
	CU_ASSERT_STRING_EQUAL(s.gpus[0].name, "a10-0");
	CU_ASSERT_STRING_EQUAL(s.gpus[1].name, "l4-0");
	CU_ASSERT_STRING_EQUAL(s.gpus[2].name, "a100-0");
	CU_ASSERT_EQUAL(s.gpus[0].route[VGS_COMPUTE], VGS_GFX);
	CU_ASSERT_EQUAL(s.gpus[0].cls[VGS_VENC].count, 1);
	CU_ASSERT_EQUAL(s.gpus[0].cls[VGS_VDEC].count, 2);
	CU_ASSERT_EQUAL(s.gpus[1].cls[VGS_VENC].count, 2);
	CU_ASSERT_EQUAL(s.gpus[1].cls[VGS_VDEC].count, 4);
	CU_ASSERT_EQUAL(s.gpus[2].cls[VGS_VENC].count, 0);
	CU_ASSERT_EQUAL(s.gpus[2].route[VGS_GFX], VGS_NCLASS);
	CU_ASSERT_EQUAL(s.gpus[2].route[VGS_VENC], VGS_NCLASS);
	CU_ASSERT_EQUAL(s.gpus[0].tdr_timeout_ns, 2000000000ull);
	/* Games never land on the A100 (no gfx); training goes round the three GPUs. */
	CU_ASSERT_EQUAL(s.tenants[0].gpu, 0);
	CU_ASSERT_EQUAL(s.tenants[1].gpu, 1);
	CU_ASSERT_EQUAL(s.tenants[2].gpu, 2);
	CU_ASSERT_EQUAL(s.tenants[3].gpu, 0);
	CU_ASSERT_EQUAL(s.tenants[4].gpu, 1);
	CU_ASSERT_STRING_EQUAL(s.policy, "build/examples/libmypolicy.so");
	CU_ASSERT_EQUAL_FATAL(s.nparams, 1);
	CU_ASSERT_STRING_EQUAL(s.params[0].key, "knob");
	vgs_scenario_fini(&s);
}

/* A config outside the tree finds its includes in args->include_dir. */
static void test_include_dir(void)
{
	char dir[] = "/tmp/vgs-scenario-XXXXXX";
	char *path;
	FILE *f;
	struct vgs_load_args a = { .include_dir = DIR };
	struct vgs_scenario s;
	struct vgs_error err;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	path = g_build_filename(dir, "x.cfg", NULL);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("simulation = { duration_s = 1.0; };\ngpus = ( {\n  @include \"gpus/test.cfg\"\n} );\n"
	      "scheduler = { policy = \"fifo\"; };\nvgpus = ( { name = \"a\"; workload = { type = \"train\"; }; } );\n",
	      f);
	fclose(f);
	a.path = path;
	CU_ASSERT_EQUAL(vgs_scenario_load(&s, &a, &err), 0);
	CU_ASSERT_EQUAL(s.ngpus, 1);
	vgs_scenario_fini(&s);
	a.include_dir = NULL;
	CU_ASSERT_EQUAL(vgs_scenario_load(&s, &a, &err), -1);
	{
		char *want = g_strdup_printf("%s:3: cannot open include file \"gpus/test.cfg\"", path);

		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, want));
		g_free(want);
	}
	remove(path);
	rmdir(dir);
	g_free(path);
}

/* ---- bad input -------------------------------------------------------------------------------- */

struct bad_case {
	const char *desc;
	const char *file;      /* fixture */
	const char *where;     /* file the message must name; NULL = file */
	const char *mark;      /* its line carries this; NULL: `prefix` is the whole location */
	const char *prefix;    /* when mark is NULL: the message's exact start */
	const char *text;      /* the message contains this */
	struct vgs_override ov[2];
};

static const struct bad_case bad_cases[] = {
	{ .desc = "misspelt key",
	  .file = DIR "bad_key.cfg",
	  .mark = "MARK",
	  .text = "unknown key 'wieght' in vgpus.[0] (did you mean 'weight'?); expected one of: name, count" },
	{ .desc = "wrong type",
	  .file = DIR "bad_type.cfg",
	  .mark = "MARK",
	  .text = "expected a number for simulation.duration_s, got a string" },
	{ .desc = "out of range",
	  .file = DIR "bad_range.cfg",
	  .mark = "MARK",
	  .text = "vgpus.[1].weight must be between 1 and 1000000 (got 0)" },
	{ .desc = "missing include",
	  .file = DIR "bad_include.cfg",
	  .mark = "gpus/nope.cfg",
	  .text = "cannot open include file \"gpus/nope.cfg\"" },
	{ .desc = "syntax error",
	  .file = DIR "bad_syntax.cfg",
	  .mark = "MARK",
	  .text = "syntax error" },
	{ .desc = "class not on the GPU",
	  .file = DIR "bad_class.cfg",
	  .mark = "MARK",
	  .text = "the workload of vGPU 'g' uses gfx, venc" },
	{ .desc = "too many vGPUs, explicit",
	  .file = DIR "bad_many.cfg",
	  .mark = "MARK",
	  .text = "too many vGPUs on GPU tgpu-0: 5 with this entry, max_vgpus is 4" },
	{ .desc = "too many vGPUs, placed",
	  .file = DIR "bad_many_auto.cfg",
	  .mark = "MARK",
	  .text = "too many vGPUs: no room for instance 3 of 'b'" },
	{ .desc = "gpu index out of range",
	  .file = DIR "bad_gpu_index.cfg",
	  .mark = "MARK",
	  .text = "vgpus.[0].gpu 1 out of range: the scenario has 1 GPU (0..0)" },
	{ .desc = "missing required key",
	  .file = DIR "bad_missing.cfg",
	  .mark = "MARK",
	  .text = "missing required key 'workload' in vgpus.[0]" },
	{ .desc = "error inside an included profile",
	  .file = DIR "bad_in_profile.cfg",
	  .where = DIR "gpus/bad_profile.cfg",
	  .mark = "MARK",
	  .text = "unknown key 'chanels' in gpus.[0].engines.gfx (did you mean 'channels'?)" },
	{ .desc = "class in two domain groups",
	  .file = DIR "bad_domain.cfg",
	  .mark = "MARK",
	  .text = "scheduler.domain: class gfx appears in two groups" },
	{ .desc = "integer beyond 32 bits without L suffix",
	  .file = DIR "bad_bigint.cfg",
	  .mark = "MARK",
	  .text = "integer 99999999999 for 'seed' does not fit in 32 bits; write it with an L suffix" },
	{ .desc = "framebuffer quotas beyond VRAM without overcommit",
	  .file = DIR "bad_quota.cfg",
	  .mark = "MARK",
	  .text = "the framebuffer quotas (vram_mb) of the vGPUs on GPU tgpu-0 add up to 5120 MiB with b, more "
		  "than its 4096 MiB of VRAM x overcommit 1" },
	{ .desc = "vram_page_kb that is not a GPU page size",
	  .file = DIR "minimal.cfg",
	  .prefix = "--set gpus.[0].vram_page_kb=8: ",
	  .text = "gpus.[0].vram_page_kb must be 4, 64 or 2048 (the GPU page sizes), got 8",
	  .ov = { { "gpus.[0].vram_page_kb", "8" } } },
	{ .desc = "overcommit below 1",
	  .file = DIR "minimal.cfg",
	  .prefix = "--set gpus.[0].overcommit=0.5: ",
	  .text = "overcommit",
	  .ov = { { "gpus.[0].overcommit", "0.5" } } },
	{ .desc = "unknown fault handling",
	  .file = DIR "minimal.cfg",
	  .prefix = "--set vgpus.[0].vram={ fault = \"halt\"; }: ",
	  .text = "vgpus.[0].vram.fault must be \"reset\", \"kill\" or \"demand\" (got \"halt\")",
	  .ov = { { "vgpus.[0].vram", "{ fault = \"halt\"; }" } } },
	{ .desc = "unknown eviction policy",
	  .file = DIR "minimal.cfg",
	  .prefix = "--set vgpus.[0].vram={ evict = \"mru\"; }: ",
	  .text = "vgpus.[0].vram.evict must be \"lru\" or \"fifo\" (got \"mru\")",
	  .ov = { { "vgpus.[0].vram", "{ evict = \"mru\"; }" } } },
	{ .desc = "vram_check not a boolean",
	  .file = DIR "minimal.cfg",
	  .prefix = "--set simulation.vram_check=1: ",
	  .text = "expected true or false for simulation.vram_check, got an integer",
	  .ov = { { "simulation.vram_check", "1" } } },
	{ .desc = "missing file",
	  .file = DIR "nonexistent.cfg",
	  .prefix = DIR "nonexistent.cfg: cannot open: ",
	  .text = "No such file" },
	{ .desc = "--set: bad path",
	  .file = DIR "good.cfg",
	  .prefix = "--set simulaton.duration_s=5: ",
	  .text = "no setting 'simulaton' in the top level",
	  .ov = { { "simulaton.duration_s", "5" } } },
	{ .desc = "--set: no such element",
	  .file = DIR "good.cfg",
	  .prefix = "--set vgpus.[7].weight=2: ",
	  .text = "no element [7] in vgpus (it has 3)",
	  .ov = { { "vgpus.[7].weight", "2" } } },
	{ .desc = "--set: malformed path",
	  .file = DIR "good.cfg",
	  .prefix = "--set vgpus..x=2: ",
	  .text = "bad setting path",
	  .ov = { { "vgpus..x", "2" } } },
	{ .desc = "--set: bad literal",
	  .file = DIR "good.cfg",
	  .prefix = "--set simulation.duration_s=abc: ",
	  .text = "bad value 'abc'",
	  .ov = { { "simulation.duration_s", "abc" } } },
	{ .desc = "--set: two values",
	  .file = DIR "good.cfg",
	  .prefix = "--set simulation.seed=1; x = 2: ",
	  .text = "bad value",
	  .ov = { { "simulation.seed", "1; x = 2" } } },
	{ .desc = "--set: value fails validation",
	  .file = DIR "good.cfg",
	  .prefix = "--set simulation.duration_s=-1: ",
	  .text = "simulation.duration_s must be > 0 and <= 1e+07 (got -1)",
	  .ov = { { "simulation.duration_s", "-1" } } },
	{ .desc = "--set: created key is misspelt",
	  .file = DIR "good.cfg",
	  .prefix = "--set vgpus.[1].wieght=2: ",
	  .text = "unknown key 'wieght' in vgpus.[1]",
	  .ov = { { "vgpus.[1].wieght", "2" } } },
	{ .desc = "--set: type change caught",
	  .file = DIR "good.cfg",
	  .prefix = "--set vgpus.[0].weight=2.5: ",
	  .text = "expected an integer for vgpus.[0].weight, got a float",
	  .ov = { { "vgpus.[0].weight", "2.5" } } },
	{ .desc = "--set: unknown policy group entry type",
	  .file = DIR "good.cfg",
	  .prefix = "--set scheduler.timeslice.slice_us=(1, 2): ",
	  .text = "expected a number, string or boolean for " "scheduler.timeslice.slice_us, got a list",
	  .ov = { { "scheduler.timeslice.slice_us", "(1, 2)" } } },
	{ .desc = "--set: placement value",
	  .file = DIR "good.cfg",
	  .prefix = "--set placement=spread: ",
	  .text = "placement must be \"round-robin\" or \"pack\"",
	  .ov = { { "placement", "spread" } } },
	{ .desc = "--set: GPU name unknown",
	  .file = DIR "good.cfg",
	  .prefix = "--set vgpus.[1].gpu=\"a10-0\": ",
	  .text = "no GPU named 'a10-0'; GPUs: tgpu-0, tgpu-1, tcomp-0",
	  .ov = { { "vgpus.[1].gpu", "\"a10-0\"" } } },
	{ .desc = "--set: same_as with count",
	  .file = DIR "good.cfg",
	  .prefix = "--set gpus.[0].engines.compute.count=1: ",
	  .text = "takes only speed",
	  .ov = { { "gpus.[0].engines.compute.count", "1" } } },
	{ .desc = "--set: game on the compute-only GPU",
	  .file = DIR "good.cfg",
	  .mark = "type = \"game\"",
	  .text = "but GPU tcomp-0 (tcomp) has no engine for it",
	  .ov = { { "vgpus.[0].gpu", "2" } } },
};

static void test_bad(void)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct vgs_scenario s;
		struct vgs_error err;
		size_t nov = c->ov[1].path ? 2 : c->ov[0].path ? 1 : 0;
		char *prefix;
		bool ok;

		if (load(&s, c->file, c->ov, nov, &err) == 0) {
			fprintf(stderr, "\n%s: loaded, expected an error\n", c->desc);
			CU_FAIL(c->desc);
			vgs_scenario_fini(&s);
			continue;
		}
		if (c->mark) {
			const char *w = c->where ? c->where : c->file;

			prefix = g_strdup_printf("%s:%d: ", w, line_of(w, c->mark));
		} else {
			prefix = g_strdup(c->prefix);
		}
		if (getenv("VGS_TEST_VERBOSE"))
			fprintf(stderr, "  %s\n", err.msg);
		ok = g_str_has_prefix(err.msg, prefix) && strstr(err.msg, c->text) && !strchr(err.msg, '\n');
		if (!ok)
			fprintf(stderr, "\n%s:\n  got:  %s\n  want: %s... %s\n", c->desc, err.msg, prefix, c->text);
		CU_ASSERT(ok);
		g_free(prefix);
		/* A failed load leaves a clean scenario. */
		CU_ASSERT_PTR_NULL(s.gpus);
		CU_ASSERT_EQUAL(s.ntenants, 0);
		vgs_scenario_fini(&s);
	}
}

/* VRAM keys: defaults, then every key set. */
static void test_vram_keys(void)
{
	struct vgs_scenario s;
	struct vgs_error err;
	static const struct vgs_override ov[] = {
		{ "gpus.[0].vram_page_kb", "64" },
		{ "gpus.[0].overcommit", "2.5" },
		{ "vgpus.[0].vram", "{ fault = \"demand\"; evict = \"fifo\"; }" },
		{ "vgpus.[0].vram_mb", "8192" },              /* 2 x the VRAM: allowed by overcommit 2.5 */
		{ "simulation.vram_check", "true" },
	};

	CU_ASSERT_EQUAL_FATAL(load(&s, DIR "minimal.cfg", NULL, 0, &err), 0);
	CU_ASSERT_EQUAL(s.gpus[0].vram_page_shift, 21);
	CU_ASSERT_DOUBLE_EQUAL(s.gpus[0].overcommit, 1.0, 1e-12);
	CU_ASSERT_EQUAL(s.tenants[0].vram_fault, VGS_VRAM_FAULT_RESET);
	CU_ASSERT_EQUAL(s.tenants[0].vram_evict, 0);
	CU_ASSERT(!s.vram_check);
	vgs_scenario_fini(&s);
	CU_ASSERT_EQUAL_FATAL(load(&s, DIR "minimal.cfg", ov, G_N_ELEMENTS(ov), &err), 0);
	CU_ASSERT_EQUAL(s.gpus[0].vram_page_shift, 16);
	CU_ASSERT_DOUBLE_EQUAL(s.gpus[0].overcommit, 2.5, 1e-12);
	CU_ASSERT_EQUAL(s.tenants[0].vram_fault, VGS_VRAM_FAULT_DEMAND);
	CU_ASSERT_EQUAL(s.tenants[0].vram_evict, 1);
	CU_ASSERT_EQUAL(s.tenants[0].vram_quota_bytes, 8ull << 30);
	CU_ASSERT(s.vram_check);
	CU_ASSERT_STRING_EQUAL(vgs_vram_fault_name(VGS_VRAM_FAULT_KILL), "kill");
	CU_ASSERT_PTR_NULL(vgs_vram_fault_name(7));
	vgs_scenario_fini(&s);
}

static void test_preempt_name(void)
{
	CU_ASSERT_STRING_EQUAL(vgs_preempt_name(VGS_PREEMPT_COMMAND), "command");
	CU_ASSERT_STRING_EQUAL(vgs_preempt_name(VGS_PREEMPT_FINE), "fine");
	CU_ASSERT_STRING_EQUAL(vgs_preempt_name(VGS_PREEMPT_NONE), "none");
	CU_ASSERT_PTR_NULL(vgs_preempt_name(3));
	CU_ASSERT_PTR_NULL(vgs_preempt_name(-1));
}

/*
 * --solo: on two A10s with the heavy entry pinned to the second one, keeping "heavy" leaves one tenant
 * (heavy-0) on one GPU (a10-1) whose engines and domains are renumbered from 0 and all belong to it.
 */
static void test_solo(void)
{
	const struct vgs_override ov[] = { { "gpus.[0].count", "2" }, { "vgpus.[1].gpu", "1" } };
	struct vgs_scenario s;
	struct vgs_error err;
	uint32_t engines_before;

	CU_ASSERT_EQUAL_FATAL(load(&s, "configs/cloudgame-fixed.cfg", ov, 2, &err), 0);
	CU_ASSERT_EQUAL(s.ngpus, 2);
	CU_ASSERT_EQUAL(s.ntenants, 12);
	engines_before = s.nengines;
	CU_ASSERT_EQUAL_FATAL(vgs_scenario_keep_solo(&s, "heavy", &err), 0);
	CU_ASSERT_EQUAL_FATAL(s.ntenants, 1);
	CU_ASSERT_STRING_EQUAL(s.tenants[0].name, "heavy-0");
	CU_ASSERT_STRING_EQUAL(s.tenants[0].group, "heavy");
	CU_ASSERT_EQUAL(s.tenants[0].weight, 2);
	CU_ASSERT_EQUAL(s.tenants[0].gpu, 0);
	CU_ASSERT_EQUAL(s.tenants[0].rng_stream, 10); /* draws as heavy-0 did among the 12 */
	CU_ASSERT_PTR_NOT_NULL(s.tenants[0].workload);
	CU_ASSERT_EQUAL_FATAL(s.ngpus, 1);
	CU_ASSERT_STRING_EQUAL(s.gpus[0].name, "a10-1");
	CU_ASSERT_EQUAL(s.nengines * 2, engines_before);
	for (uint32_t e = 0; e < s.nengines; e++) {
		CU_ASSERT_EQUAL(s.engines[e].gpu, 0);
		CU_ASSERT(g_str_has_prefix(s.engines[e].name, "a10-1."));
	}
	CU_ASSERT(s.ndomains > 0);
	for (uint32_t d = 0; d < s.ndomains; d++) {
		CU_ASSERT_EQUAL(s.domains[d].gpu, 0);
		CU_ASSERT(g_str_has_prefix(s.domains[d].name, "a10-1"));
		for (uint32_t k = 0; k < s.domains[d].nengines; k++) {
			CU_ASSERT_FATAL(s.domains[d].engines[k] < s.nengines);
			CU_ASSERT(g_str_has_prefix(s.engines[s.domains[d].engines[k]].name, s.domains[d].name));
		}
	}
	CU_ASSERT_PTR_NOT_NULL(strstr(s.echo, "# --solo heavy: only heavy-0, alone on GPU a10-1"));
	vgs_scenario_fini(&s);

	/* The first instance of a replicated entry; an unknown entry names the ones there are. */
	CU_ASSERT_EQUAL_FATAL(load(&s, "configs/cloudgame-fixed.cfg", NULL, 0, &err), 0);
	CU_ASSERT_EQUAL(vgs_scenario_keep_solo(&s, "nope", &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "no vgpus entry named 'nope'; its entries: light, heavy"));
	CU_ASSERT_EQUAL(s.ntenants, 12);
	CU_ASSERT_EQUAL_FATAL(vgs_scenario_keep_solo(&s, "light", &err), 0);
	CU_ASSERT_EQUAL_FATAL(s.ntenants, 1);
	CU_ASSERT_STRING_EQUAL(s.tenants[0].name, "light-0");
	CU_ASSERT_STRING_EQUAL(s.gpus[0].name, "a10-0");
	vgs_scenario_fini(&s);
}

static CU_TestInfo tests_scenario[] = {
	{ "good config expands: GPUs, engines, route, domains, params, tenants", test_good },
	{ "defaults of a minimal config", test_minimal_defaults },
	{ "domain modes gpu / engine / groups", test_domains },
	{ "pack placement, --set, -p, --seed, --duration, echo", test_pack_and_overrides },
	{ "shipped GPU profiles load", test_real_profiles },
	{ "include_dir fallback and missing include", test_include_dir },
	{ "bad configs fail with the exact file:line", test_bad },
	{ "preemption names", test_preempt_name },
	{ "--solo keeps one instance of a vgpus entry alone on its GPU", test_solo },
	{ "VRAM keys: defaults and every key set", test_vram_keys },
	CU_TEST_INFO_NULL,
};

VGS_CUNIT_MAIN({ .pName = "scenario", .pTests = tests_scenario })
