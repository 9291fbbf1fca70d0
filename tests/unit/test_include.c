/*
 * models/scenario/include.c: @include resolved by the loader (issue 14, defects 6 and 12).  Each case
 * writes a small tree of files into a temporary directory and loads its top config; the table gives
 * what the load must say.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "models/scenario/scenario.h"
#include "tests/unit/cunit_main.h"

/* The rest of a scenario around a GPU group whose body is BODY. */
#define TOP(body)                                                                                    \
	"simulation = { duration_s = 1.0; };\ngpus = ( {\n" body "\n} );\nscheduler = { policy = \"fifo\"; };\n" \
	"vgpus = ( { name = \"a\"; workload = { type = \"train\"; }; } );\n"

struct file {
	const char *name;            /* relative to the case's directory; "@ROOT@" in text is the repository */
	const char *text;
};

struct inc_case {
	const char *what;
	struct file files[4];        /* files[0] is the config loaded */
	const char *want;            /* NULL: loads; else a substring of the message ("@DIR@": the case's dir) */
};

static char *expand(const char *text, const char *dir)
{
	char *cwd = g_get_current_dir();
	char **a = g_strsplit(text, "@ROOT@", -1), *t = g_strjoinv(cwd, a), **b = g_strsplit(t, "@DIR@", -1);
	char *out = g_strjoinv(dir, b);

	g_strfreev(a);
	g_strfreev(b);
	g_free(t);
	g_free(cwd);
	return out;
}

static void remove_tree(const char *path)
{
	GDir *d = g_dir_open(path, 0, NULL);
	const char *n;

	while (d && (n = g_dir_read_name(d))) {
		char *p = g_build_filename(path, n, NULL);

		if (g_file_test(p, G_FILE_TEST_IS_DIR))
			remove_tree(p);
		else
			g_unlink(p);
		g_free(p);
	}
	if (d)
		g_dir_close(d);
	g_rmdir(path);
}

static void test_includes(void)
{
	static const struct inc_case cases[] = {
		{ "an absolute path", { { "x.cfg", TOP("@include \"@ROOT@/tests/configs/gpus/test.cfg\"") } }, NULL },
		{ "relative to the including file, nested",
		  { { "x.cfg", TOP("@include \"sub/gpu.cfg\"") }, { "sub/gpu.cfg", "@include \"real.cfg\"\n" },
		    { "sub/real.cfg", "@include \"@ROOT@/tests/configs/gpus/test.cfg\"\n" } },
		  NULL },
		{ "text after the directive follows the included text",
		  { { "x.cfg", TOP("@include \"g.cfg\" max_vgpus = 2;") },
		    { "g.cfg", "@include \"@ROOT@/tests/configs/gpus/test.cfg\"\n" } },
		  "duplicate setting" },
		{ "an empty name", { { "x.cfg", TOP("@include \"\"") } }, "x.cfg:3: @include \"\": expected a file name" },
		{ "a directory", { { "x.cfg", TOP("@include \"sub\"") }, { "sub/y", "" } }, "x.cfg:3: @DIR@/sub: is a directory" },
		{ "a missing file", { { "x.cfg", TOP("@include \"nope.cfg\"") } },
		  "x.cfg:3: cannot open include file \"nope.cfg\"" },
		{ "a cycle", { { "x.cfg", TOP("@include \"a.cfg\"") }, { "a.cfg", "@include \"b.cfg\"\n" },
			       { "b.cfg", "\n@include \"a.cfg\"\n" } },
		  "b.cfg:2: includes @DIR@/a.cfg, which is being included already" },
		{ "an unterminated name", { { "x.cfg", TOP("@include \"gpus/x.cfg") } }, "x.cfg:3: @include: expected \"FILE\"" },
		{ "a syntax error in an included file names that file",
		  { { "x.cfg", TOP("@include \"g.cfg\"") }, { "g.cfg", "name = \"g\";\nvram_gb = ;\n" } },
		  "g.cfg:2: syntax error" },
		{ "in a comment or a string, @include is text",
		  { { "x.cfg", TOP("/*\n@include \"nope.cfg\"\n*/\n@include \"@ROOT@/tests/configs/gpus/test.cfg\"") } },
		  NULL },
	};

	for (size_t k = 0; k < G_N_ELEMENTS(cases); k++) {
		const struct inc_case *c = &cases[k];
		char *dir = g_dir_make_tmp("vgs-include-XXXXXX", NULL), *top = NULL, *want;
		struct vgs_load_args a = { 0 };
		struct vgs_scenario s;
		struct vgs_error err = { { 0 } };
		int rc;

		CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
		for (int f = 0; f < 4 && c->files[f].name; f++) {
			char *path = g_build_filename(dir, c->files[f].name, NULL), *d = g_path_get_dirname(path);
			char *text = expand(c->files[f].text, dir);

			g_mkdir_with_parents(d, 0700);
			CU_ASSERT_TRUE(g_file_set_contents(path, text, -1, NULL));
			if (f == 0)
				top = g_strdup(path);
			g_free(text);
			g_free(d);
			g_free(path);
		}
		a.path = top;
		rc = vgs_scenario_load(&s, &a, &err);
		want = c->want ? expand(c->want, dir) : NULL;
		if ((rc == 0) != !want || (want && !strstr(err.msg, want)))
			fprintf(stderr, "\n  %s: rc %d, '%s'\n", c->what, rc, err.msg);
		CU_ASSERT_EQUAL(rc == 0, !want);
		if (want) {
			CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, want));
		} else if (rc == 0) {
			vgs_scenario_fini(&s);
		}
		g_free(want);
		g_free(top);
		remove_tree(dir);
		g_free(dir);
	}
}

static CU_TestInfo tests_include[] = {
	{ "@include: absolute, nested relative, empty, directory, missing, cycle", test_includes },
	CU_TEST_INFO_NULL,
};

VGS_CUNIT_MAIN({ .pName = "include", .pTests = tests_include })
