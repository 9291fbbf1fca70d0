/*
 * Workload specs from config text, for the unit tests of models/workload/ (tests/unit/wl_text.c).
 */
#ifndef VGS_TEST_WL_TEXT_H
#define VGS_TEST_WL_TEXT_H

#include "models/base/error.h"
#include "models/workload/workload.h"

/* Parse `workload = { ... };` from text: the spec, or NULL with err set (a syntax error included). */
struct vgs_workload_spec *vgs_test_spec(const char *text, struct vgs_error *err);
/* The same for text that must parse: a failure prints its message and fails the test (CUnit, fatal). */
struct vgs_workload_spec *vgs_test_must_spec(const char *text);

#endif
