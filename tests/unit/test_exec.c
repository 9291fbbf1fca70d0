/*
 * Host-side logic of the executor (hw-trace/exec/), tested without running anything in real time:
 * calibration maths, the profile writer (read back by the scenario loader's libconfig), the cuda
 * backend's clock conversion, the host backend's durations and the
 * completion ring the tenants' fences read (models/driver/tenant.c).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <libconfig.h>

#include "hw-trace/exec/calibrate.h"
#include "hw-trace/exec/cuda_host.h"
#include "hw-trace/exec/exec.h"
#include "tests/unit/cunit_main.h"

static void test_fit_exact(void)
{
	/* period = 40 us + work: intercept 40000 ns, slope 1, r2 1 */
	double x[] = { 200e3, 1000e3, 5000e3 }, y[] = { 240e3, 1040e3, 5040e3 };
	struct ex_fit f;

	CU_ASSERT_EQUAL_FATAL(ex_fit_line(x, y, 3, &f), 0);
	CU_ASSERT_DOUBLE_EQUAL(f.intercept, 40e3, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(f.slope, 1.0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(f.r2, 1.0, 1e-12);
}

static void test_fit_noisy(void)
{
	/* Symmetric noise around y = 5 + 2x leaves the least-squares line on it; r2 < 1. */
	double x[] = { 0, 0, 10, 10 }, y[] = { 4, 6, 24, 26 };
	struct ex_fit f;

	CU_ASSERT_EQUAL_FATAL(ex_fit_line(x, y, 4, &f), 0);
	CU_ASSERT_DOUBLE_EQUAL(f.intercept, 5.0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(f.slope, 2.0, 1e-12);
	CU_ASSERT(f.r2 < 1.0 && f.r2 > 0.9);
}

static void test_fit_degenerate(void)
{
	double x[] = { 3, 3 }, y[] = { 1, 2 };
	struct ex_fit f;

	CU_ASSERT_EQUAL(ex_fit_line(x, y, 2, &f), -1); /* no spread in x */
	CU_ASSERT_EQUAL(ex_fit_line(x, y, 1, &f), -1); /* one point */
}

static void test_gt_offset(void)
{
	/* The tightest pairing wins: device clock = host + 1,000,000 ns, read mid-way in [100, 140]. */
	struct ex_gt_sample s[] = {
		{ 0, 1000050, 200 },          /* round trip 200 */
		{ 100, 1000120, 140 },        /* round trip 40: midpoint 120 */
		{ 500, 1000900, 1000 },       /* round trip 500 */
	};
	uint64_t err;
	int64_t off = ex_gt_offset(s, 3, &err);

	CU_ASSERT_EQUAL(off, 1000000);
	CU_ASSERT_EQUAL(err, 20);
	/* A device time maps back into the replay's time base (t0 = host 1000). */
	CU_ASSERT_EQUAL(ex_gt_to_replay(1000000 + 5000, off, 1000), 4000);
	/* ... and never before the replay started. */
	CU_ASSERT_EQUAL(ex_gt_to_replay(1000000 + 10, off, 1000), 0);
}

static void test_host_duration(void)
{
	struct vgs_gpu g = { 0 };
	struct drv_cmd cmd = { 0 };

	g.pcie_bw_Bps = 25e9;
	g.pcie_latency_ns = 2000;
	g.cls[VGS_COMPUTE].speed = 1.6;
	g.cls[VGS_COPY].speed = 0.5;
	/* compute: work / the class's speed factor, rounded up */
	cmd.c.cls = VGS_COMPUTE;
	cmd.remaining_ns = 1000;
	CU_ASSERT_EQUAL(drv_cmd_time_ns(&g, &cmd), 625);
	/* a host-to-device copy crosses the link: latency + bytes / bandwidth */
	cmd.c.cls = VGS_COPY;
	cmd.c.bytes = 25000000;
	cmd.c.dir = VGS_DIR_H2D;
	CU_ASSERT_EQUAL(drv_cmd_time_ns(&g, &cmd), 2000 + 1000000);
	/* ... unless it keeps its recorded time */
	cmd.c.flags = VGS_CMD_RECORDED_TIME;
	CU_ASSERT_EQUAL(drv_cmd_time_ns(&g, &cmd), 2000);
}

static void test_profile_roundtrip(void)
{
	struct vgs_gpu g = { 0 };
	char path[] = "/tmp/vgs-test-profile-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	config_t cfg;
	double d;
	const char *s;

	g.model = "Test GPU";
	g.vram_bytes = 16ull << 30;
	g.max_vgpus = 8;
	g.tdr_timeout_ns = 2000000000ull;
	g.pcie_bw_Bps = 25e9;
	g.pcie_latency_ns = 2000;
	for (int c = 0; c < VGS_NCLASS; c++)
		g.route[c] = (uint8_t)c;
	g.cls[VGS_GFX] = (struct vgs_class_cfg){ .count = 1, .channels = 4, .speed = 1.0, .switch_ns = 25000,
						 .switch_idle_ns = 5000, .launch_ns = 41500 };
	g.cls[VGS_COMPUTE].speed = 1.6;
	g.route[VGS_COMPUTE] = VGS_GFX; /* same_as gfx */
	CU_ASSERT_EQUAL_FATAL(ex_profile_write(f, &g, "calibrated", "test"), 0);
	fclose(f);
	config_init(&cfg);
	CU_ASSERT_FATAL(config_read_file(&cfg, path) == CONFIG_TRUE);
	CU_ASSERT(config_lookup_string(&cfg, "name", &s) && !strcmp(s, "calibrated"));
	CU_ASSERT(config_lookup_float(&cfg, "engines.gfx.launch_us", &d) && fabs(d - 41.5) < 1e-9);
	CU_ASSERT(config_lookup_float(&cfg, "engines.gfx.switch_us", &d) && fabs(d - 25.0) < 1e-9);
	CU_ASSERT(config_lookup_float(&cfg, "pcie.bandwidth_gbps", &d) && fabs(d - 25.0) < 1e-9);
	CU_ASSERT(config_lookup_string(&cfg, "engines.compute.same_as", &s) && !strcmp(s, "gfx"));
	CU_ASSERT(config_lookup(&cfg, "engines.copy") == NULL); /* classes the GPU lacks are left out */
	config_destroy(&cfg);
	remove(path);
}

static void test_done_ring(void)
{
	struct drv_tenant t = { 0 };
	struct vgs_cmd c = { .seq = 7, .unit = 3, .flags = VGS_CMD_UNIT_BEGIN, .arrival_ns = VGS_NO_TIME,
			     .deadline_ns = 5000 };
	uint64_t end;

	vgs_hostq_init(&t.hq);
	CU_ASSERT_FALSE(drv_tenant_is_done(&t, 7, &end));
	vgs_hostq_unit_open(&t.hq, &c, 100);
	CU_ASSERT_EQUAL(vgs_hostq_deadline(&t.hq), 5000);
	c.flags = 0;
	vgs_hostq_complete(&t.hq, &c, 1234, false, NULL, 0);
	CU_ASSERT(drv_tenant_is_done(&t, 7, &end) && end == 1234);
	/* A later command reused the slot: seq 7 completed long ago. */
	c.seq = 7 + VGS_DEP_WINDOW;
	vgs_hostq_complete(&t.hq, &c, 9999, false, NULL, 0);
	CU_ASSERT(drv_tenant_is_done(&t, 7, &end) && end == 0);
	/* Stream order: the second command of stream 2 follows the first. */
	c.stream = 2;
	c.seq = 20;
	CU_ASSERT_EQUAL(vgs_hostq_stream_link(&t.hq, &c), VGS_NO_TIME);
	c.seq = 21;
	CU_ASSERT_EQUAL(vgs_hostq_stream_link(&t.hq, &c), 20);
	vgs_hostq_fini(&t.hq);
}

static CU_TestInfo tests_calibration[] = {
	{ "line fit: exact line, intercept is the launch overhead", test_fit_exact },
	{ "line fit: noisy points", test_fit_noisy },
	{ "line fit: degenerate input is refused", test_fit_degenerate },
	{ "profile written by calibrate reads back", test_profile_roundtrip },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo tests_backends[] = {
	{ "globaltimer offset from the tightest pairing", test_gt_offset },
	{ "host backend durations (work/speed, PCIe)", test_host_duration },
	{ "completions, units and stream order (models/driver/hostq.c)", test_done_ring },
	CU_TEST_INFO_NULL,
};

VGS_CUNIT_MAIN({ .pName = "executor calibration", .pTests = tests_calibration },
	       { .pName = "executor backends", .pTests = tests_backends })
