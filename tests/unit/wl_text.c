/* Workload specs from config text, for the unit tests (tests/unit/wl_text.h). */
#include <stdio.h>

#include <CUnit/CUnit.h>
#include <libconfig.h>

#include "tests/unit/wl_text.h"

struct vgs_workload_spec *vgs_test_spec(const char *text, struct vgs_error *err)
{
	config_t cfg;
	struct vgs_workload_spec *spec = NULL;

	config_init(&cfg);
	if (config_read_string(&cfg, text) != CONFIG_TRUE) {
		snprintf(err->msg, sizeof(err->msg), "config syntax: %s line %d", config_error_text(&cfg),
			 config_error_line(&cfg));
		config_destroy(&cfg);
		return NULL;
	}
	if (vgs_workload_spec_parse(config_lookup(&cfg, "workload"), NULL, &spec, err) != 0)
		spec = NULL;
	config_destroy(&cfg);
	return spec;
}

struct vgs_workload_spec *vgs_test_must_spec(const char *text)
{
	struct vgs_error err = { { 0 } };
	struct vgs_workload_spec *spec = vgs_test_spec(text, &err);

	if (!spec)
		fprintf(stderr, "\nunexpected error: %s\n", err.msg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(spec);
	return spec;
}
