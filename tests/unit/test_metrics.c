/*
 * Metrics (models/results/metrics.c, metrics_write.c) on a hand-built scenario fed synthetic events: one GPU
 * with a gfx and a venc engine in one "gpu" domain, two tenants of weights 1 and 3; measured window
 * W = [1 ms, 11 ms].  Checks clipping to W, shares and targets, Jain's index, energy attribution,
 * utilisation <= 1, the CSV and JSON files and byte-identical output for identical input.
 */
#include <dirent.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "models/base/json.h"
#include "models/results/metrics.h"
#include "models/results/metrics_internal.h"
#include "tests/unit/cunit_main.h"

#define MS 1000000ull

/* ---- the hand-built scenario ---- */

static struct vgs_gpu gpus[1];
static struct vgs_engine engines[2];
static uint32_t dom_engines[2] = { 0, 1 };
static struct vgs_domain domains[1];
static struct vgs_tenant tenants[2];
static struct vgs_scenario scen;

static void build_scenario(void)
{
	memset(&scen, 0, sizeof(scen));
	gpus[0] = (struct vgs_gpu){ .name = "a10-0", .profile = "a10", .model = "NVIDIA A10" };
	engines[0] = (struct vgs_engine){ .gpu = 0, .cls = VGS_GFX, .index = 0, .name = "a10-0.gfx0" };
	engines[1] = (struct vgs_engine){ .gpu = 0, .cls = VGS_VENC, .index = 0, .name = "a10-0.venc0" };
	domains[0] = (struct vgs_domain){ .gpu = 0, .nengines = 2, .engines = dom_engines,
					  .class_mask = (1u << VGS_GFX) | (1u << VGS_VENC), .name = "a10-0" };
	tenants[0] = (struct vgs_tenant){ .name = "game-0", .group = "game", .gpu = 0, .weight = 1,
					  .sla = { .fps = 60 } };
	/* a name that needs quoting in CSV and escaping in JSON */
	tenants[1] = (struct vgs_tenant){ .name = "vm \"b\", 2", .group = "vm", .replica = 2, .gpu = 0,
					  .weight = 3, .sla = { .latency_ns = 5 * MS } };
	scen.path = "configs/test.cfg";
	scen.name = "metrics-test";
	scen.warmup_ns = 1 * MS;
	scen.duration_ns = 10 * MS;
	scen.seed = 7;
	scen.policy = "weighted";
	scen.domain_mode = "gpu";
	scen.gpus = gpus;
	scen.ngpus = 1;
	scen.engines = engines;
	scen.nengines = 2;
	scen.domains = domains;
	scen.ndomains = 1;
	scen.tenants = tenants;
	scen.ntenants = 2;
	scen.echo = "simulation = { name = \"metrics-test\"; };\n# tab\there, ctrl \x01, bad utf8 \xff, ok \xc3\xa9\n";
}

static char tmp_root[256];

static void make_dir(char *out, size_t size, const char *name)
{
	snprintf(out, size, "%s/%s", tmp_root, name);
	CU_ASSERT_FATAL(mkdir(out, 0755) == 0);
}

static int suite_init(void)
{
	snprintf(tmp_root, sizeof(tmp_root), "/tmp/vgs-test-metrics-XXXXXX");
	if (!mkdtemp(tmp_root))
		return 1;
	build_scenario();
	return 0;
}

static int suite_clean(void)
{
	char cmd[512];

	if (getenv("VGS_TEST_KEEP")) { /* keep the outputs for inspection */
		fprintf(stderr, "\nmetrics test outputs kept in %s\n", tmp_root);
		return 0;
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp_root);
	return system(cmd) == 0 ? 0 : 1;
}

/* ---- synthetic runs ---- */

/*
 * Domain timeline: tenant 0 holds [0, 3 ms] (2 ms in W), switch [3, 3.5] to tenant 1, tenant 1 holds
 * [3.5, 9.5] (6 ms), switch [9.5, 10] to tenant 0, tenant 0 holds [10, 12] (1 ms in W).  Held in W:
 * tenant 0: 3 ms, tenant 1: 6 ms; switch 1 ms; idle 0.  Shares 1/3, 2/3; targets 1/4, 3/4.
 */
static void feed_fair_run(struct vgs_metrics *m)
{
	vgs_metrics_slice(m, 0, 0, 0, 3 * MS, VGS_CHARGE_EXPIRED);
	vgs_metrics_switch(m, 0, 1, 3 * MS, 3 * MS + MS / 2);
	vgs_metrics_slice(m, 0, 1, 3 * MS + MS / 2, 9 * MS + MS / 2, VGS_CHARGE_EMPTY);
	vgs_metrics_switch(m, 0, 0, 9 * MS + MS / 2, 10 * MS);
	vgs_metrics_slice(m, 0, 0, 10 * MS, 12 * MS, VGS_CHARGE_EXPIRED);

	/* channel busy: tenant 0 on gfx [0, 2 ms] -> 1 ms in W; tenant 1 on gfx [4, 8] two channels
	 * (8 ms channel-time), on venc [5, 6]; tenant 0 on gfx [10.5, 12] -> 0.5 ms in W */
	vgs_metrics_busy(m, 0, 0, 0, 2 * MS);
	vgs_metrics_busy(m, 1, 0, 4 * MS, 8 * MS);
	vgs_metrics_busy(m, 1, 0, 4 * MS, 8 * MS);
	vgs_metrics_busy(m, 1, 1, 5 * MS, 6 * MS);
	vgs_metrics_busy(m, 0, 0, 10 * MS + MS / 2, 12 * MS);
	/* engine busy, with a bogus overlap [7, 8.5] that must not count twice */
	vgs_metrics_engine_busy(m, 0, 0, 2 * MS);
	vgs_metrics_engine_busy(m, 0, 4 * MS, 8 * MS);
	vgs_metrics_engine_busy(m, 0, 7 * MS, 8 * MS + MS / 2);
	vgs_metrics_engine_busy(m, 1, 5 * MS, 6 * MS);
	vgs_metrics_engine_busy(m, 0, 10 * MS + MS / 2, 12 * MS);

	/* commands: one before W (not counted), three in W, one after */
	vgs_metrics_cmd_done(m, 0, VGS_GFX, 0, 0, MS / 2);
	vgs_metrics_cmd_done(m, 0, VGS_GFX, 1 * MS, 1 * MS, 2 * MS);            /* queue 0 */
	vgs_metrics_cmd_done(m, 1, VGS_GFX, 3 * MS, 4 * MS, 8 * MS);            /* queue 1 ms */
	vgs_metrics_cmd_done(m, 1, VGS_VENC, 3 * MS, 5 * MS, 6 * MS);           /* queue 2 ms */
	vgs_metrics_cmd_done(m, 0, VGS_GFX, 10 * MS, 10 * MS + MS / 2, 12 * MS);

	/* units: tenant 0 frames, one in warm-up; tenant 1 requests, one misses its deadline */
	vgs_metrics_unit_done(m, 0, 0, 0, MS / 2, 16 * MS);
	vgs_metrics_unit_done(m, 0, 1, 1 * MS, 2 * MS, 17 * MS);               /* lat 1 ms */
	vgs_metrics_unit_done(m, 1, 0, 3 * MS, 8 * MS, 7 * MS);                /* lat 5 ms, missed */
	vgs_metrics_unit_done(m, 1, 1, 4 * MS, 6 * MS, VGS_NO_TIME);           /* lat 2 ms */
	vgs_metrics_unit_done(m, 0, 2, 10 * MS, 12 * MS, 27 * MS);             /* after W */

	vgs_metrics_preempt(m, 1, 0);     /* now = 12 ms?  no: reported after 12 ms events -> outside */
	vgs_metrics_reset(m, 1, 0, 5 * MS, 3);
	vgs_metrics_reset(m, 1, 0, 11 * MS + 1, 1); /* after W */
	vgs_metrics_engine_energy(m, 0, 10.0);
	vgs_metrics_engine_energy(m, 1, 2.0);
}

static struct vgs_metrics *run_fair(const char *dir, double wall_s)
{
	struct vgs_error err = { { 0 } };
	struct vgs_metrics *m = vgs_metrics_new(&scen, dir, &err);
	struct vgs_run_info info = { .version = "test", .driver = "simgrid", .policy = "weighted",
				     .end_ns = 11 * MS, .wall_s = wall_s, .activities = 123 };

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	feed_fair_run(m);
	vgs_metrics_finish(m, &info);
	return m;
}

static void test_clipping_and_counts(void)
{
	char dir[512];
	make_dir(dir, sizeof(dir), "clip");
	struct vgs_metrics *m = run_fair(dir, 1.0);

	/* busy per class, clipped: tenant 0 gfx 1 + 0.5 ms; tenant 1 gfx 8 ms channel-time, venc 1 ms */
	CU_ASSERT_EQUAL(m->t[0].busy_cls_ns[VGS_GFX], 1 * MS + MS / 2);
	CU_ASSERT_EQUAL(m->t[1].busy_cls_ns[VGS_GFX], 8 * MS);
	CU_ASSERT_EQUAL(m->t[1].busy_cls_ns[VGS_VENC], 1 * MS);
	/* engine busy: gfx [1,2] + [4,8.5] + [10.5,11] = 6 ms, overlap counted once */
	CU_ASSERT_EQUAL(m->e[0].busy_ns, 6 * MS);
	CU_ASSERT_EQUAL(m->e[1].busy_ns, 1 * MS);
	CU_ASSERT_DOUBLE_EQUAL(m->e[0].utilisation, 0.6, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(m->e[1].utilisation, 0.1, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(m->g[0].utilisation, 0.35, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(m->g[0].util_cls[VGS_GFX], 0.6, 1e-12);
	CU_ASSERT(isnan(m->g[0].util_cls[VGS_COPY]));
	/* commands by completion in W */
	CU_ASSERT_EQUAL(m->t[0].commands, 1);
	CU_ASSERT_EQUAL(m->t[1].commands, 2);
	CU_ASSERT_EQUAL(vgs_metrics_commands(m), 3);
	CU_ASSERT_DOUBLE_EQUAL(m->t[1].q_max, 2.0 * MS, 0);
	CU_ASSERT(fabs(m->t[1].q_p50 - 1.0 * MS) <= 0.005 * MS);
	/* units and latency */
	CU_ASSERT_EQUAL(m->t[0].units, 1);
	CU_ASSERT_EQUAL(m->t[1].units, 2);
	CU_ASSERT_DOUBLE_EQUAL(m->t[0].unit_rate, 100.0, 1e-9); /* 1 unit / 0.01 s */
	CU_ASSERT(m->t[0].sla_rate_set && m->t[0].sla_rate_met);
	CU_ASSERT_DOUBLE_EQUAL(m->t[1].l_max, 5.0 * MS, 0);
	CU_ASSERT(fabs(m->t[1].l_p99 - 5.0 * MS) <= 0.005 * 5 * MS);
	CU_ASSERT(m->t[1].sla_latency_set && m->t[1].sla_latency_met); /* p99 5 ms <= 5 ms */
	CU_ASSERT_EQUAL(m->t[1].deadline_misses, 1);
	CU_ASSERT_EQUAL(m->t[0].deadline_misses, 0);
	/* switches and overhead: into tenant 1 at 3.5 ms, into tenant 0 at 10 ms */
	CU_ASSERT_EQUAL(m->t[1].switches, 1);
	CU_ASSERT_EQUAL(m->t[1].switch_ns, MS / 2);
	CU_ASSERT_EQUAL(m->t[0].switch_ns, MS / 2);
	CU_ASSERT_DOUBLE_EQUAL(m->g[0].switch_pct, 10.0, 1e-9);
	CU_ASSERT_EQUAL(m->d[0].idle_ns, 0);
	/* slices by end time in W: tenant 0's first (ends 3 ms) and tenant 1's; the last ends at 12 */
	CU_ASSERT_EQUAL(m->t[0].slices[VGS_CHARGE_EXPIRED], 1);
	CU_ASSERT_EQUAL(m->t[1].slices[VGS_CHARGE_EMPTY], 1);
	/* untimed preempt reported when the latest time was 12 ms: outside W */
	CU_ASSERT_EQUAL(m->t[1].preemptions, 0);
	CU_ASSERT_EQUAL(m->t[1].resets, 1);
	CU_ASSERT_EQUAL(m->t[1].reset_dropped, 3);
	vgs_metrics_free(m);
}

static void test_shares_jain_energy(void)
{
	char dir[512];
	make_dir(dir, sizeof(dir), "share");
	struct vgs_metrics *m = run_fair(dir, 1.0);

	CU_ASSERT_EQUAL(m->t[0].held_ns, 3 * MS);
	CU_ASSERT_EQUAL(m->t[1].held_ns, 6 * MS);
	CU_ASSERT_DOUBLE_EQUAL(m->t[0].share, 1.0 / 3, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(m->t[1].share, 2.0 / 3, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(m->t[0].target, 0.25, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(m->t[1].target, 0.75, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(m->t[0].share_error, 1.0 / 3 - 0.25, 1e-12);
	/* x = (4/3, 8/9): J = (20/9)^2 / (2 (16/9 + 64/81)) = 400/416 */
	CU_ASSERT_DOUBLE_EQUAL(m->jain, 400.0 / 416.0, 1e-12);
	/* gfx 10 J split 1.5 : 8; venc 2 J all tenant 1 */
	CU_ASSERT_DOUBLE_EQUAL(m->t[0].energy_j, 10.0 * 1.5 / 9.5, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(m->t[1].energy_j, 10.0 * 8.0 / 9.5 + 2.0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(m->g[0].energy_j, 12.0, 1e-12);
	vgs_metrics_free(m);
}

/* Jain's index for known share vectors (targets 1/4, 3/4): shares equal to the targets -> 1; one
 * tenant holds everything -> x = (4, 0), J = 16 / (2 * 16) = 1/n = 0.5. */
struct jain_case {
	const char *desc;
	uint64_t held0_ms, held1_ms;
	double want;
};

static const struct jain_case jain_cases[] = {
	{ "shares equal to targets", 2, 6, 1.0 },
	{ "tenant 0 hogs the domain", 10, 0, 0.5 },
	{ "tenant 1 hogs the domain", 0, 10, 0.5 },  /* x = (0, 4/3): (4/3)^2 / (2 (16/9)) */
	{ "equal time despite weights", 5, 5, 0.8 }, /* x = (2, 2/3): (8/3)^2 / (2 (4 + 4/9)) */
	{ "nothing held", 0, 0, NAN },
};

static void test_jain_table(void)
{
	for (size_t k = 0; k < sizeof(jain_cases) / sizeof(jain_cases[0]); k++) {
		const struct jain_case *c = &jain_cases[k];
		char dir[512], name[32];
		struct vgs_error err;

		snprintf(name, sizeof(name), "jain%zu", k);
		make_dir(dir, sizeof(dir), name);
		struct vgs_metrics *m = vgs_metrics_new(&scen, dir, &err);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		uint64_t t = 1 * MS;
		if (c->held0_ms) {
			vgs_metrics_slice(m, 0, 0, t, t + c->held0_ms * MS, VGS_CHARGE_EXPIRED);
			t += c->held0_ms * MS;
		}
		if (c->held1_ms)
			vgs_metrics_slice(m, 0, 1, t, t + c->held1_ms * MS, VGS_CHARGE_EXPIRED);
		vgs_metrics_finish(m, NULL);
		if (isnan(c->want)) {
			CU_ASSERT(isnan(m->jain));
		} else {
			if (fabs(m->jain - c->want) > 1e-12)
				fprintf(stderr, "\n  %s: J=%.12f want %.12f\n", c->desc, m->jain, c->want);
			CU_ASSERT_DOUBLE_EQUAL(m->jain, c->want, 1e-12);
		}
		vgs_metrics_free(m);
	}
}

/* ---- files ---- */

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf)
		buf[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}

/* Fields of one CSV line (RFC 4180 quoting). */
static int csv_fields(const char *line, const char **next)
{
	int n = 1;
	bool q = false;
	const char *p;

	for (p = line; *p && (q || *p != '\n'); p++) {
		if (*p == '"')
			q = !q;
		else if (*p == ',' && !q)
			n++;
	}
	*next = *p ? p + 1 : p;
	return n;
}

/* Rows (header included); -1 when a row's field count differs from the header's. */
static int csv_check(const char *path, int *ncols)
{
	char *buf = slurp(path, NULL);
	const char *p, *next;
	int rows = 0, cols = -1;

	if (!buf)
		return -1;
	for (p = buf; *p; p = next) {
		int n = csv_fields(p, &next);
		if (cols < 0)
			cols = n;
		else if (n != cols) {
			free(buf);
			return -1;
		}
		rows++;
	}
	free(buf);
	*ncols = cols;
	return rows;
}

static void write_fair(const char *name, double wall_s, char *dir, size_t size)
{
	struct vgs_error err = { { 0 } };

	make_dir(dir, size, name);
	struct vgs_metrics *m = run_fair(dir, wall_s);
	CU_ASSERT_EQUAL(vgs_metrics_write(m, dir, &err), 0);
	FILE *devnull = fopen("/dev/null", "w");
	vgs_metrics_print_table(m, devnull);
	fclose(devnull);
	vgs_metrics_free(m);
}

static void test_files(void)
{
	char dir[512], path[600], cmd[1400];
	int cols;

	write_fair("files", 1.5, dir, sizeof(dir));

	snprintf(path, sizeof(path), "%s/tenants.csv", dir);
	CU_ASSERT_EQUAL(csv_check(path, &cols), 1 + 2);
	CU_ASSERT(cols >= 40);
	char *t = slurp(path, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT(strncmp(t, "tenant,group,gpu,weight,", 24) == 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "lat_p50_ms"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "busy_gfx_ms"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, ",share,"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "\n\"vm \"\"b\"\", 2\",vm,a10-0,3,"));
	CU_ASSERT_PTR_NULL(strstr(t, "wall"));
	free(t);

	snprintf(path, sizeof(path), "%s/engines.csv", dir);
	CU_ASSERT_EQUAL(csv_check(path, &cols), 1 + 2);
	char *e = slurp(path, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_PTR_NOT_NULL(strstr(e, "\na10-0.gfx0,a10-0,gfx,0,6.000000,0.600000,"));
	free(e);

	snprintf(path, sizeof(path), "%s/units.csv", dir);
	CU_ASSERT_EQUAL(csv_check(path, &cols), 1 + 5); /* every unit, in W or not */
	CU_ASSERT_EQUAL(cols, 8);
	char *u = slurp(path, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(u);
	CU_ASSERT_PTR_NOT_NULL(strstr(u, "\ngame-0,1,1000000,2000000,1000000,17000000,0,1\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(u, "\n\"vm \"\"b\"\", 2\",1,4000000,6000000,2000000,,,1\n"));
	free(u);

	snprintf(cmd, sizeof(cmd), "python3 -m json.tool '%s/summary.json' > '%s/parsed.json'", dir, dir);
	CU_ASSERT_EQUAL(system(cmd), 0);
	/* the parsed document has the fields the docs promise */
	snprintf(cmd, sizeof(cmd),
		 "python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); "
		 "assert d[\"scenario\"]==\"metrics-test\" and d[\"seed\"]==7 and d[\"commands\"]==3; "
		 "assert len(d[\"tenants\"])==2 and d[\"tenants\"][1][\"name\"]==\"vm \\\"b\\\", 2\"; "
		 "assert abs(d[\"global\"][\"jain_index\"]-400/416)<1e-6; "
		 "assert d[\"tenants\"][0][\"unit_latency_ms\"][\"count\"]==1; "
		 "assert d[\"config\"].startswith(\"simulation\") and \"\\ufffd\" in d[\"config\"]; "
		 "assert d[\"tenants\"][0][\"held_ns_by_domain\"]=={\"a10-0\":3000000}; "
		 "assert d[\"engines\"][0][\"utilisation\"]<=1 and len(d[\"gpus\"])==1 and len(d[\"domains\"])==1' "
		 "'%s/summary.json'", dir);
	CU_ASSERT_EQUAL(system(cmd), 0);
}

/* Same input, different wall clock: every file identical except the wall_* fields of summary.json. */
static void test_deterministic(void)
{
	static const char *const files[] = { "tenants.csv", "engines.csv", "units.csv" };
	char d1[512], d2[512], p1[600], p2[600];

	write_fair("det1", 1.0, d1, sizeof(d1));
	write_fair("det2", 2.5, d2, sizeof(d2));
	for (size_t k = 0; k < 3; k++) {
		size_t n1, n2;
		snprintf(p1, sizeof(p1), "%s/%s", d1, files[k]);
		snprintf(p2, sizeof(p2), "%s/%s", d2, files[k]);
		char *a = slurp(p1, &n1), *b = slurp(p2, &n2);
		CU_ASSERT_PTR_NOT_NULL_FATAL(a);
		CU_ASSERT_PTR_NOT_NULL_FATAL(b);
		CU_ASSERT(n1 == n2 && memcmp(a, b, n1) == 0);
		free(a);
		free(b);
	}
	/* summary.json: equal once lines naming wall_ fields are dropped */
	char cmd[1400];
	snprintf(cmd, sizeof(cmd), "cmp -s <(grep -v wall_ '%s/summary.json') <(grep -v wall_ '%s/summary.json')",
		 d1, d2);
	char bash[1500];
	snprintf(bash, sizeof(bash), "bash -c \"%s\"", cmd);
	CU_ASSERT_EQUAL(system(bash), 0);
	snprintf(cmd, sizeof(cmd), "cmp -s '%s/summary.json' '%s/summary.json'", d1, d2);
	CU_ASSERT_NOT_EQUAL(system(cmd), 0); /* the wall fields do differ */
}

static void test_table(void)
{
	char dir[512];
	make_dir(dir, sizeof(dir), "table");
	struct vgs_metrics *m = run_fair(dir, 0.5);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	vgs_metrics_print_table(m, f);
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "100.0/60 "));      /* rate vs SLA */
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "33.3/25.0"));      /* share/target % */
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "p99 lat/SLA"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "Jain's fairness index (share/weight): 0.9615"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "commands: 3 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "wall: 0.500 s, 6 simulated commands per wall-clock second"));
	free(buf);
	vgs_metrics_free(m);
}

static void test_bad_dir(void)
{
	struct vgs_error err = { { 0 } };
	struct vgs_metrics *m = vgs_metrics_new(&scen, "/nonexistent/dir", &err);

	CU_ASSERT_PTR_NULL(m);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "/nonexistent/dir/units.csv"));
}


/* ---- the JSON writer (models/base/json.c) ---- */

static char *json_to_string(void (*fn)(struct vgs_json *), int *rc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct vgs_json j;

	vgs_json_init(&j, f);
	fn(&j);
	*rc = vgs_json_finish(&j);
	fclose(f);
	return buf;
}

static void doc_nested(struct vgs_json *j)
{
	vgs_json_object_begin(j);
	vgs_json_kv_string(j, "s", "q\"b\\s/\n\t\x01\x7f \xe2\x82\xac \xc0\xaf \xed\xa0\x80 end");
	vgs_json_kv_double(j, "nan", NAN);
	vgs_json_kv_double(j, "inf", INFINITY);
	vgs_json_kv_double(j, "neg0", -0.0);
	vgs_json_kv_double(j, "big", 1e300);
	vgs_json_kv_u64(j, "u", UINT64_MAX);
	vgs_json_kv_i64(j, "i", INT64_MIN);
	vgs_json_kv_bool(j, "t", true);
	vgs_json_kv_u64(j, "k\"\xc3\xa9\xff", 7);
	vgs_json_kv_string(j, "null", NULL);
	vgs_json_key(j, "empty_obj");
	vgs_json_object_begin(j);
	vgs_json_object_end(j);
	vgs_json_key(j, "arr");
	vgs_json_array_begin(j);
	vgs_json_array_begin(j);
	vgs_json_array_end(j);
	vgs_json_double(j, 0.1);
	vgs_json_object_begin(j);
	vgs_json_kv_null(j, "k");
	vgs_json_object_end(j);
	vgs_json_array_end(j);
	vgs_json_object_end(j);
}

static void test_json_valid(void)
{
	int rc;
	char *out = json_to_string(doc_nested, &rc);
	char path[600], cmd[1400];

	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"s\": \"q\\\"b\\\\s/\\n\\t\\u0001\\u007f \xe2\x82\xac \\ufffd\\ufffd \\ufffd\\ufffd\\ufffd end\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"nan\": null"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"inf\": null"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"neg0\": 0,"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"u\": 18446744073709551615"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"i\": -9223372036854775808"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"empty_obj\": {}"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\n  \"k\\\"\xc3\xa9\\ufffd\": 7,\n"));
	snprintf(path, sizeof(path), "%s/writer.json", tmp_root);
	FILE *f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(out, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd),
		 "python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); "
		 "assert d[\"arr\"]==[[],0.1,{\"k\":None}] and d[\"nan\"] is None and d[\"u\"]==2**64-1 "
		 "and d[\"s\"].startswith(\"q\\\"b\\\\s/\\n\\t\\x01\\x7f \\u20ac \")' '%s'", path);
	CU_ASSERT_EQUAL(system(cmd), 0);
	free(out);
}

static void doc_value_without_key(struct vgs_json *j)
{
	vgs_json_object_begin(j);
	vgs_json_u64(j, 1);
	vgs_json_object_end(j);
}

static void doc_unbalanced(struct vgs_json *j)
{
	vgs_json_array_begin(j);
	vgs_json_object_begin(j);
	vgs_json_array_end(j);
}

static void doc_unclosed(struct vgs_json *j)
{
	vgs_json_object_begin(j);
	vgs_json_key(j, "a");
}

static void doc_key_in_array(struct vgs_json *j)
{
	vgs_json_array_begin(j);
	vgs_json_key(j, "a");
	vgs_json_array_end(j);
}

static void doc_two_top_values(struct vgs_json *j)
{
	vgs_json_u64(j, 1);
	vgs_json_u64(j, 2);
}

static void test_json_misuse(void)
{
	static void (*const docs[])(struct vgs_json *) = { doc_value_without_key, doc_unbalanced,
							     doc_unclosed, doc_key_in_array,
							     doc_two_top_values };

	for (size_t k = 0; k < sizeof(docs) / sizeof(docs[0]); k++) {
		int rc;
		char *out = json_to_string(docs[k], &rc);
		CU_ASSERT_EQUAL(rc, -1);
		free(out);
	}
}

static void test_fmt_double(void)
{
	char buf[64];

	CU_ASSERT_STRING_EQUAL(vgs_fmt_double(buf, sizeof(buf), "%.6f", 1.5), "1.500000");
	CU_ASSERT_STRING_EQUAL(vgs_metrics_fmt(buf, sizeof(buf), "%.6f", -1e-9), "0.000000");
	CU_ASSERT_STRING_EQUAL(vgs_metrics_fmt(buf, sizeof(buf), "%.6f", -0.5), "-0.500000");
	CU_ASSERT_STRING_EQUAL(vgs_metrics_fmt(buf, sizeof(buf), "%.6f", NAN), "");
}

/* vgs_fmt_fixed and vgs_fmt_u64 against printf: exact ties (k/128), values that round to -0, the
 * edges of the exact path and those past it (printf itself), subnormals. */
static void test_fmt_fixed(void)
{
	static const double vals[] = { 0.0, -0.0, 1.0 / 128, 3.0 / 128, -5.0 / 128, 0.5, 2.5, 1e-6, 5e-7, -4e-7,
				       0.1, 2.0 / 3, 123456.0000005, 999999999.9999999, 1e9, -1e9, 1e15, 1e300,
				       5e-324, 1e-300, 0x1p52 + 0.5, NAN, INFINITY, -INFINITY };
	char want[400], got[400], fmt[8];

	for (unsigned prec = 0; prec <= 10; prec++) {
		snprintf(fmt, sizeof(fmt), "%%.%uf", prec);
		for (size_t k = 0; k < sizeof(vals) / sizeof(vals[0]); k++) {
			snprintf(want, sizeof(want), fmt, vals[k]);
			CU_ASSERT_STRING_EQUAL(vgs_fmt_fixed(got, sizeof(got), prec, vals[k]), want);
		}
	}
	for (uint64_t v = 1, k = 0; k < 64; k++, v = v * 3 + k) {
		snprintf(want, sizeof(want), "%" PRIu64, v);
		CU_ASSERT_STRING_EQUAL(vgs_fmt_u64(got, v), want);
	}
	CU_ASSERT_STRING_EQUAL(vgs_fmt_u64(got, 0), "0");
	CU_ASSERT_STRING_EQUAL(vgs_fmt_u64(got, UINT64_MAX), "18446744073709551615");
}

static CU_TestInfo tests_json[] = {
	{ "nested document is valid JSON, strings escaped", test_json_valid },
	{ "misuse is reported, not written", test_json_misuse },
	{ "locale-independent number formatting", test_fmt_double },
	{ "fixed-point and integer formatting as printf's", test_fmt_fixed },
	CU_TEST_INFO_NULL,
};

/*
 * VRAM: levels, clipped to W = [1, 11] ms.  Tenant 0 holds 0 B until 0.5 ms, 4 MiB until 3 ms, 10 MiB
 * until 6 ms, 2 MiB until 13 ms, then 50 MiB (after W).  Average = (4 x 2 + 10 x 3 + 2 x 5) / 10 =
 * 4.8 MiB; peak over W = 10 MiB (the 50 MiB come after W).  Events and stalls count inside W only.
 */
static void test_vram(void)
{
	char dir[512];
	struct vgs_metrics *m;
	struct vgs_error err;
	const uint64_t MB = 1048576;

	make_dir(dir, sizeof(dir), "vram");
	m = vgs_metrics_new(&scen, dir, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	vgs_metrics_vram_level(m, 0, MS / 2, 4 * MB);
	vgs_metrics_vram_events(m, 0, MS / 2, 5, 1, 2, 3 * MB, 1);       /* before W: not counted */
	vgs_metrics_vram_level(m, 0, 3 * MS, 10 * MB);
	vgs_metrics_vram_events(m, 0, 3 * MS, 7, 2, 4, 8 * MB, 0);
	vgs_metrics_vram_stall(m, 0, MS / 2, 2 * MS);                    /* 1 ms of it in W */
	vgs_metrics_vram_level(m, 0, 6 * MS, 2 * MB);
	vgs_metrics_vram_kill(m, 0, 7 * MS);
	vgs_metrics_vram_kill(m, 0, 12 * MS);                            /* after W */
	vgs_metrics_vram_level(m, 0, 13 * MS, 50 * MB);
	vgs_metrics_vram_violations(m, 1, 2);
	vgs_metrics_gpu_vram(m, 0, 0.25, 12 * MB, 60 * MB);
	vgs_metrics_finish(m, NULL);
	CU_ASSERT_DOUBLE_EQUAL(m->t[0].vram_avg, 4.8 * MB, 1.0);
	CU_ASSERT_EQUAL(m->t[0].vram_peak, 10 * MB);
	CU_ASSERT_EQUAL(m->t[0].page_faults, 7);
	CU_ASSERT_EQUAL(m->t[0].invalid_faults, 2);
	CU_ASSERT_EQUAL(m->t[0].evictions, 4);
	CU_ASSERT_EQUAL(m->t[0].migrated_bytes, 8 * MB);
	CU_ASSERT_EQUAL(m->t[0].alloc_failures, 0);
	CU_ASSERT_EQUAL(m->t[0].fault_stall_ns, 1 * MS);
	CU_ASSERT_EQUAL(m->t[0].fault_kills, 1);
	CU_ASSERT_EQUAL(m->t[0].reset_dropped, 1);
	CU_ASSERT_EQUAL(m->t[1].vram_peak, 0);
	CU_ASSERT_EQUAL(m->isolation_violations, 2);
	CU_ASSERT_EQUAL(vgs_metrics_write(m, dir, &err), 0);
	{
		char path[600];
		size_t len;
		char *text;

		snprintf(path, sizeof(path), "%s/summary.json", dir);
		text = slurp(path, &len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(text);
		CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"vram_peak_mb\": 10"));
		CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"vram_avg_mb\": 4.8"));
		CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"isolation_violations\": 2"));
		CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"fragmentation\": 0.25"));
		CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"vram_used_peak_mb\": 60"));
		free(text);
	}
	vgs_metrics_free(m);
}

/*
 * units.csv: units that end at the same ns are listed by physical GPU, then in the order they ended
 * (the order a merge of shards reproduces).  Three GPUs, the third a MIG instance of the first
 * (physical GPU 0); tenants on GPU 1, 2 and 0 report in that order, two units each per instant, and
 * at one instant 1,500 each: a group larger than the row buffer, which it must outgrow, not write out.
 */
static void test_units_tie_order(void)
{
	static struct vgs_gpu g3[3];
	static struct vgs_tenant t3[3];
	static const uint32_t phys_of[3] = { 1, 0, 0 };   /* tenant -> physical GPU */
	struct vgs_scenario s = scen;
	struct vgs_metrics *m;
	struct vgs_error err;
	char dir[512], path[600], *text, *line, *save = NULL;
	uint64_t *want_t, *want_u, unit = 0, nrows = 0, k = 0, bad = 0;
	const uint64_t big = 1500, rounds = 40;

	make_dir(dir, sizeof(dir), "ties");
	g3[0] = (struct vgs_gpu){ .name = "g0", .profile = "a10", .model = "NVIDIA A10", .phys = 0 };
	g3[1] = (struct vgs_gpu){ .name = "g1", .profile = "a10", .model = "NVIDIA A10", .phys = 1 };
	g3[2] = (struct vgs_gpu){ .name = "g0.mig", .profile = "a10", .model = "NVIDIA A10", .phys = 0 };
	t3[0] = (struct vgs_tenant){ .name = "t1", .group = "t", .gpu = 1, .weight = 1 };
	t3[1] = (struct vgs_tenant){ .name = "t2", .group = "t", .gpu = 2, .weight = 1 };
	t3[2] = (struct vgs_tenant){ .name = "t0", .group = "t", .gpu = 0, .weight = 1 };
	s.gpus = g3;
	s.ngpus = 3;
	s.tenants = t3;
	s.ntenants = 3;
	m = vgs_metrics_new(&s, dir, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	want_t = calloc(3 * big + 6 * rounds, sizeof(*want_t));
	want_u = calloc(3 * big + 6 * rounds, sizeof(*want_u));
	CU_ASSERT_PTR_NOT_NULL_FATAL(want_t);
	CU_ASSERT_PTR_NOT_NULL_FATAL(want_u);
	for (uint64_t r = 0; r < rounds; r++) {
		uint64_t n = r == rounds / 2 ? big : 2, end = (r + 1) * MS / 10, first = unit;

		for (uint64_t i = 0; i < n; i++)
			for (uint32_t t = 0; t < 3; t++)
				vgs_metrics_unit_done(m, t, unit++, end - 1000, end, VGS_NO_TIME);
		/* the expected order: physical GPU 0's rows (tenants 1 and 2, as reported), then GPU 1's */
		for (uint32_t ph = 0; ph < 2; ph++)
			for (uint64_t u = first; u < unit; u++)
				if (phys_of[(u - first) % 3] == ph) {
					want_t[nrows] = (u - first) % 3;
					want_u[nrows++] = u;
				}
	}
	vgs_metrics_finish(m, NULL);
	CU_ASSERT_EQUAL_FATAL(vgs_metrics_write(m, dir, &err), 0);
	vgs_metrics_free(m);
	snprintf(path, sizeof(path), "%s/units.csv", dir);
	text = slurp(path, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	line = strtok_r(text, "\n", &save); /* the header */
	for (line = strtok_r(NULL, "\n", &save); line; line = strtok_r(NULL, "\n", &save), k++) {
		char name[8];
		unsigned long long u;

		if (k >= nrows || sscanf(line, "%7[^,],%llu,", name, &u) != 2 ||
		    strcmp(name, t3[want_t[k]].name) != 0 || u != want_u[k])
			bad++;
	}
	CU_ASSERT_EQUAL(k, nrows);
	CU_ASSERT_EQUAL(bad, 0);
	free(text);
	free(want_t);
	free(want_u);
}

static CU_TestInfo tests_metrics[] = {
	{ "units.csv: units ending at one ns by physical GPU, then as reported", test_units_tie_order },
	{ "VRAM level average and peak over W, events, stalls, kills", test_vram },
	{ "events clipped to the measured window", test_clipping_and_counts },
	{ "shares, targets, Jain, energy attribution", test_shares_jain_energy },
	{ "Jain's index for known share vectors", test_jain_table },
	{ "CSV rows/columns consistent, summary.json parses", test_files },
	{ "same input gives byte-identical files", test_deterministic },
	{ "end-of-run table", test_table },
	{ "unwritable directory is an error", test_bad_dir },
	CU_TEST_INFO_NULL,
};

VGS_CUNIT_MAIN({ .pName = "metrics", .pInitFunc = suite_init, .pCleanupFunc = suite_clean,
		 .pTests = tests_metrics },
	       { .pName = "json", .pInitFunc = suite_init, .pCleanupFunc = suite_clean, .pTests = tests_json })
