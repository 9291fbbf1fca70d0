/*
 * Orion kernel profiles (eth-easl/orion, benchmarking/model_kernels): one CSV row per kernel of one
 * training or inference iteration, in launch order,
 *     Name,Profile,Memory_footprint,SM_usage,Duration
 * with Duration in ns (Nsight Systems).  There are no timestamps, so the iteration is laid end to end
 * on one compute stream from t = 0: start(i) = end(i-1), end(i) = start(i) + Duration(i).  Submit times
 * are unknown: the core then submits each kernel at its recorded start, i.e. right after the previous
 * one completes, which is the back-to-back replay the profiles describe.  One context, named after the
 * file; the first kernel opens the (single) unit, an iteration.  SM_usage and Profile become the
 * kernel keys sm=N and profile=P (docs/trace-format.md) that spatial sharing uses.
 *
 * What a spatial-sharing model needs is kept as each kernel's attributes (trace-format.md):
 * SM_usage -> sm= (thread blocks, i.e. SMs wanted; it may exceed the V100's 80 SMs), Profile ->
 * profile= (1 compute-bound, 0 memory-bound, -1 unknown: Nsight Compute's roofline).  Memory_footprint
 * (0 in nearly every row) is not read.
 *
 * The *_fb0 profiles of that repository hold a placeholder Duration (7 ns for every kernel) instead of
 * a measurement.  A kernel measured by Nsight on a real GPU takes microseconds (the shortest in the
 * real profiles is 2,688 ns), so a profile where more than half of the kernels claim at most
 * ORION_PLACEHOLDER_NS is refused rather than replayed as a workload of nothing.
 */
#include <string.h>

#include "models/base/csv.h"
#include "hw-trace/import.h"

#define ORION_PLACEHOLDER_NS 100

static const char *const orion_cols[] = { "Name", "Profile", "Memory_footprint", "SM_usage", "Duration" };
#define ORION_NCOLS G_N_ELEMENTS(orion_cols)
#define ORION_PROFILE 1
#define ORION_SM_USAGE 3
#define ORION_DURATION 4

static bool header_ok(const struct vgs_csv *c)
{
	if (c->header->len != ORION_NCOLS)
		return false;
	for (guint i = 0; i < ORION_NCOLS; i++)
		if (strcmp(c->header->pdata[i], orion_cols[i]) != 0)
			return false;
	return true;
}

/* "dir/resnet50_32_fb1.csv.gz" -> "resnet50_32_fb1" */
static char *ctx_name(const char *path)
{
	char *base = g_path_get_basename(path);

	if (g_str_has_suffix(base, ".gz"))
		base[strlen(base) - 3] = '\0';
	if (g_str_has_suffix(base, ".csv"))
		base[strlen(base) - 4] = '\0';
	return base;
}

/* SM_usage and Profile of the current row into a: 0, or -1 with err set. */
static int orion_attr(const struct vgs_csv *c, struct vgs_trace_attr *a, struct vgs_error *err)
{
	static const char *const profiles[] = { "-1", "0", "1" };
	static const uint8_t profile_of[] = { VGS_BOUND_UNKNOWN, VGS_BOUND_MEMORY, VGS_BOUND_COMPUTE };
	const char *sm = vgs_csv_field(c, ORION_SM_USAGE), *pr = vgs_csv_field(c, ORION_PROFILE);
	uint64_t v;

	if (vgs_csv_u64(sm, &v) || v > UINT32_MAX) {
		vgs_error_set(err, "%s:%u: SM_usage: an integer number of SMs (thread blocks), found '%s'", c->path,
			      c->line, sm);
		return -1;
	}
	a->sm = (uint32_t)v;
	a->have = VGS_ATTR_SM | VGS_ATTR_PROFILE;
	for (size_t i = 0; i < G_N_ELEMENTS(profiles); i++)
		if (strcmp(pr, profiles[i]) == 0) {
			a->profile = profile_of[i];
			return 0;
		}
	vgs_error_set(err, "%s:%u: Profile: 1 (compute-bound), 0 (memory-bound) or -1 (unknown), found '%s'", c->path,
		      c->line, pr);
	return -1;
}

int vgs_import_orion(struct vgs_import *im, const char *path, struct vgs_error *err)
{
	struct vgs_csv c;
	uint64_t t = 0, kernels = 0, placeholders = 0;
	char *name;
	uint32_t ctx;
	int rc;

	if (vgs_csv_open(&c, path, err))
		return -1;
	if (vgs_csv_header(&c, err))
		goto err_close;
	if (!header_ok(&c)) {
		vgs_error_set(err, "%s:%u: the Orion header Name,Profile,Memory_footprint,SM_usage,Duration", path,
			      c.line);
		goto err_close;
	}
	name = ctx_name(path);
	ctx = vgs_import_ctx(im, name);
	g_free(name);

	while ((rc = vgs_csv_next(&c, err)) > 0) {
		const char *d = vgs_csv_field(&c, ORION_DURATION);
		struct vgs_op op = {
			.submit_ns = VGS_NO_TIME,
			.arrival_ns = VGS_NO_TIME,
			.stream = 0,
			.ctx = ctx,
			.cls = VGS_COMPUTE,
			.dir = VGS_DIR_NONE,
		};
		uint64_t dur;

		if (c.fields->len != ORION_NCOLS) {
			vgs_error_set(err, "%s:%u: %u fields (Name,Profile,Memory_footprint,SM_usage,Duration), "
				      "found %u", path, c.line, (unsigned)ORION_NCOLS, c.fields->len);
			goto err_close;
		}
		if (vgs_csv_u64(d, &dur) || dur > UINT64_MAX / 2 - t) {
			vgs_error_set(err, "%s:%u: Duration: an integer number of ns, found '%s'", path, c.line, d);
			goto err_close;
		}
		if (orion_attr(&c, &op.attr, err))
			goto err_close;
		op.start_ns = t;
		op.end_ns = t + dur;
		op.flags = kernels == 0 ? VGS_OP_UNIT_BEGIN : 0;
		{
			const char *kname = vgs_csv_field(&c, 0); /* Name */

			vgs_import_classify(&op, kname, strlen(kname));
		}
		vgs_import_add(im, &op);
		t = op.end_ns;
		kernels++;
		placeholders += dur <= ORION_PLACEHOLDER_NS;
	}
	if (rc < 0)
		goto err_close;
	if (kernels == 0) {
		vgs_error_set(err, "%s:%u: at least one kernel row after the header", path, c.next_line);
		goto err_close;
	}
	if (placeholders * 2 > kernels) {
		vgs_error_set(err, "%s: durations are placeholders (<= %d ns in %" G_GUINT64_FORMAT
			      " of %" G_GUINT64_FORMAT " kernels): this is an Orion *_fb0 profile; use the matching "
			      "_fb1 file", path, ORION_PLACEHOLDER_NS, placeholders, kernels);
		goto err_close;
	}
	vgs_csv_close(&c);

	g_free(im->source);
	im->source = g_strdup_printf("%s (Orion kernel profile: %" G_GUINT64_FORMAT " kernels laid back to back)", path,
				     kernels);
	g_free(im->unit);
	im->unit = g_strdup("iteration");
	g_hash_table_replace(im->units, g_strdup("ns"), GUINT_TO_POINTER(kernels));
	return 0;

err_close:
	vgs_csv_close(&c);
	return -1;
}
