/*
 * The kernel-class part of a GPU profile (docs/config.md "Kernel classes", docs/translate.md): the
 * keys `kernels`, `roofline` and `host_speed` of configs/gpus/<name>.cfg, into struct vgs_gpu.kspeed
 * (models/workload/kspeed.h).
 *
 *     host_speed = 1.15;                      # the host issues work 1.15x as fast as the reference's
 *     roofline = { tensor_tflops = 989.5; vector_tflops = 67.0; memory_gbps = 3350.0; };
 *     kernels = {
 *       omit = [ "memset" ];                  # classes this GPU's software stack emits no op for
 *       gemm = { speed = 2.42; fixed_us = -1.5; };     # signed: time per op beside the throughput
 *     };
 *
 * The roofline prior is each figure over the reference GPU's (REF_* below, the A100 40GB PCIe of
 * configs/gpus/a100.cfg, whose speed factors are 1); the link's is pcie.bandwidth_gbps over the
 * reference's.  A profile without these keys leaves kspeed zero: every op at its engine's speed.
 */
#include <math.h>
#include <string.h>

#include <glib.h>

#include "models/scenario/load.h"
#include "models/scenario/scenario.h"

/* The reference GPU: NVIDIA A100 40GB PCIe, NVIDIA A100 Tensor Core GPU datasheet
 * (nvidia.com/en-us/data-center/a100/): BF16/FP16 tensor 312 TFLOPS dense, FP32 19.5 TFLOPS,
 * 1,555 GB/s; link: configs/gpus/a100.cfg's effective PCIe Gen4 x16 25 GB/s per direction. */
#define REF_TENSOR_TFLOPS 312.0
#define REF_VECTOR_TFLOPS 19.5
#define REF_MEMORY_GBPS 1555.0
#define REF_LINK_GBPS 25.0

static const char *const roof_keys[] = { "tensor_tflops", "vector_tflops", "memory_gbps", NULL };

static int parse_roofline(struct vgs_ld *ld, const config_setting_t *g, const char *ctx, struct vgs_gpu *t)
{
	static const struct vgs_ld_range peak = { .def = 0, .lo = 0, .lo_open = true, .hi = 1e9 };
	static const double ref[] = { REF_TENSOR_TFLOPS, REF_VECTOR_TFLOPS, REF_MEMORY_GBPS };
	static const int roof[] = { VGS_ROOF_TENSOR, VGS_ROOF_VECTOR, VGS_ROOF_MEMORY };
	config_setting_t *r;
	char *sub;
	int rc = 0;

	if (vgs_ld_group(ld, g, ctx, "roofline", false, &r) < 0)
		return -1;
	if (!r)
		return 0;
	sub = vgs_ld_key(ctx, "roofline");
	if (vgs_ld_check_keys(ld, r, sub, roof_keys) < 0)
		rc = -1;
	for (int i = 0; rc == 0 && roof_keys[i]; i++) {
		double v;
		int got = vgs_ld_num(ld, r, sub, roof_keys[i], &peak, &v);

		if (got < 0)
			rc = -1;
		else if (got > 0)
			t->kspeed.roof[roof[i]] = v / ref[i];
	}
	t->kspeed.roof[VGS_ROOF_LINK] = t->pcie_bw_Bps / 1e9 / REF_LINK_GBPS;
	g_free(sub);
	return rc;
}

static int parse_omit(struct vgs_ld *ld, const config_setting_t *o, const char *ctx, struct vgs_gpu *t)
{
	if (!config_setting_is_array(o) && !config_setting_is_list(o))
		return vgs_ld_fail(ld, o, "%s.omit: expected a list of kernel classes like [ \"memset\" ], got %s", ctx,
				   vgs_ld_type_word(o));
	for (int i = 0; i < config_setting_length(o); i++) {
		const config_setting_t *e = config_setting_get_elem(o, i);
		int kc = config_setting_type(e) == CONFIG_TYPE_STRING ? vgs_kclass_parse(config_setting_get_string(e)) : -1;

		if (kc < 0)
			return vgs_ld_fail(ld, e, "%s.omit.[%d]: expected a kernel class (gemm, conv, attention, elementwise, "
					   "reduce, norm, h2d, d2h, d2d, p2p, copy, memset, collective, graphics, other)",
					   ctx, i);
		t->kspeed.omit |= 1u << kc;
	}
	return 0;
}

static int parse_class(struct vgs_ld *ld, const config_setting_t *c, const char *ctx, int kc, struct vgs_gpu *t)
{
	static const char *const keys[] = { "speed", "fixed_us", NULL };
	static const struct vgs_ld_range speed = { .required = true, .lo = 0, .lo_open = true, .hi = 1e6 };
	static const struct vgs_ld_range us = { .def = 0, .lo = -1e6, .hi = 1e6 };
	char *sub = vgs_ld_key(ctx, vgs_kclass_name(kc));
	double fixed = 0;
	int rc = -1;

	if (!config_setting_is_group(c))
		vgs_ld_fail(ld, c, "expected a group { speed = ...; fixed_us = ...; } for %s, got %s", sub,
			    vgs_ld_type_word(c));
	else if (vgs_ld_check_keys(ld, c, sub, keys) == 0 &&
		 vgs_ld_num(ld, c, sub, "speed", &speed, &t->kspeed.speed[kc]) > 0 &&
		 vgs_ld_num(ld, c, sub, "fixed_us", &us, &fixed) >= 0)
		rc = 0;
	t->kspeed.fixed_ns[kc] = (int64_t)llround(fixed * 1e3);
	g_free(sub);
	return rc;
}

int vgs_ld_kernels_parse(struct vgs_ld *ld, const config_setting_t *g, const char *ctx, struct vgs_gpu *t)
{
	static const struct vgs_ld_range host = { .def = 1.0, .lo = 0, .lo_open = true, .hi = 1e6 };
	const char *keys[VGS_NKCLASS + 1];
	config_setting_t *k;
	char *sub;
	int n = 0, rc = 0;

	memset(&t->kspeed, 0, sizeof(t->kspeed));
	if (vgs_ld_num(ld, g, ctx, "host_speed", &host, &t->kspeed.host_speed) < 0 || parse_roofline(ld, g, ctx, t) < 0 ||
	    vgs_ld_group(ld, g, ctx, "kernels", false, &k) < 0)
		return -1;
	if (!k)
		return 0;
	keys[n++] = "omit";
	for (int kc = VGS_KC_NONE + 1; kc < VGS_NKCLASS; kc++)
		keys[n++] = vgs_kclass_name(kc);
	keys[n] = NULL;
	sub = vgs_ld_key(ctx, "kernels");
	if (vgs_ld_check_keys(ld, k, sub, keys) < 0)
		rc = -1;
	for (int i = 0; rc == 0 && i < config_setting_length(k); i++) {
		const config_setting_t *c = config_setting_get_elem(k, i);
		const char *name = config_setting_name(c);

		rc = strcmp(name, "omit") == 0 ? parse_omit(ld, c, sub, t)
					       : parse_class(ld, c, sub, vgs_kclass_parse(name), t);
	}
	g_free(sub);
	return rc;
}
