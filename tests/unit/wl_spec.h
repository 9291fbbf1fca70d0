/*
 * Test support shared by the workload tests (test_workload*.c, test_trace_attr.c): a workload spec
 * from config text, as a config file's `workload = { ... };` group.
 */
#ifndef VGS_TEST_WL_SPEC_H
#define VGS_TEST_WL_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/base/error.h"
#include "models/base/types.h"
#include "models/workload/workload.h"

/* Parse `workload = { ... };` from text; NULL with err set on failure. */
struct vgs_workload_spec *spec_from(const char *text, struct vgs_error *err);
/* The same, asserting (fatally) that it parses. */
struct vgs_workload_spec *must_spec(const char *text);
/* Whether c depends on seq. */
bool has_dep(const struct vgs_cmd *c, uint64_t seq);

/* A malformed native trace: a workload naming tests/traces/bad/FILE.vgt must fail with one line that
 * starts "tests/traces/bad/FILE.vgt:LINE: " and contains WHAT. */
struct bad_trace {
	const char *file;
	int line;
	const char *what;
};
void check_bad_traces(const struct bad_trace *cases, size_t n);

#endif
