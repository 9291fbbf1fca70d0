/* Workload specs from config text for the unit tests (tests/unit/wl_spec.h). */
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <libconfig.h>

#include "tests/unit/wl_spec.h"

struct vgs_workload_spec *spec_from(const char *text, struct vgs_error *err)
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

struct vgs_workload_spec *must_spec(const char *text)
{
	struct vgs_error err = { { 0 } };
	struct vgs_workload_spec *spec = spec_from(text, &err);

	if (!spec)
		fprintf(stderr, "\nunexpected error: %s\n", err.msg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(spec);
	return spec;
}

bool has_dep(const struct vgs_cmd *c, uint64_t seq)
{
	for (int i = 0; i < c->ndeps; i++)
		if (c->deps[i] == seq)
			return true;
	return false;
}

void check_bad_traces(const struct bad_trace *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char cfg[256], prefix[128];
		struct vgs_error err = { { 0 } };
		struct vgs_workload_spec *spec;
		bool ok;

		snprintf(cfg, sizeof(cfg), "workload = { trace = \"tests/traces/bad/%s.vgt\"; };", cases[i].file);
		snprintf(prefix, sizeof(prefix), "tests/traces/bad/%s.vgt:%d: ", cases[i].file, cases[i].line);
		spec = spec_from(cfg, &err);
		ok = !spec && strncmp(err.msg, prefix, strlen(prefix)) == 0 && strstr(err.msg, cases[i].what) &&
		     !strchr(err.msg, '\n');
		if (!ok)
			fprintf(stderr, "\n%s: expected '%s...%s', got '%s'\n", cases[i].file, prefix, cases[i].what,
				err.msg);
		CU_ASSERT(ok);
		vgs_workload_spec_free(spec);
	}
}
