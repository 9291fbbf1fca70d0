/* The options of the commands that run a scenario (-o, -q, -p, --set, --seed, --duration), parsed once
 * for vgpusim and vgpusim-replay.  See args.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/scenario/args.h"

void vgs_args_init(struct vgs_args *a)
{
	memset(a, 0, sizeof(*a));
	a->overrides = g_array_new(FALSE, TRUE, sizeof(struct vgs_override));
	a->given = g_ptr_array_new_with_free_func(g_free);
	a->owned = g_ptr_array_new_with_free_func(g_free);
}

void vgs_args_fini(struct vgs_args *a)
{
	g_array_free(a->overrides, TRUE);
	g_ptr_array_free(a->given, TRUE);
	g_ptr_array_free(a->owned, TRUE);
}

bool vgs_args_parse_u64(const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	if (!*s || *s == '-')
		return false;
	*out = strtoull(s, &end, 10);
	return errno == 0 && *end == '\0';
}

/* --set PATH=VALUE: PATH up to the first '=', the value after it (it may hold '=' itself). */
static int take_set(struct vgs_args *a, const char *arg, struct vgs_error *err)
{
	char *copy, *eq = strchr(arg, '=');
	struct vgs_override ov;

	if (!eq || eq == arg) {
		vgs_error_set(err, "--set expects PATH=VALUE, got '%s'", arg);
		return -1;
	}
	copy = g_strdup(arg);
	g_ptr_array_add(a->owned, copy);
	copy[eq - arg] = '\0';
	ov.path = copy;
	ov.value = copy + (eq - arg) + 1;
	g_array_append_val(a->overrides, ov);
	a->load.overrides = (const struct vgs_override *)a->overrides->data;
	a->load.noverrides = a->overrides->len;
	return 0;
}

int vgs_args_take(struct vgs_args *a, int opt, const char *arg, struct vgs_error *err)
{
	const char *name;
	char *end;

	switch (opt) {
	case VGS_ARG_OUTPUT:
		g_ptr_array_add(a->owned, g_strdup(arg));
		a->outdir = g_ptr_array_index(a->owned, a->owned->len - 1);
		return 0;
	case VGS_ARG_QUIET:
		a->quiet = true;
		return 0;
	case VGS_ARG_NO_CACHE:
		/* In the environment, so that every process the command starts bypasses the cache too. */
		g_setenv("VGS_NO_CACHE", "1", TRUE);
		return 0;
	case VGS_ARG_POLICY:
		name = "--policy";
		g_ptr_array_add(a->owned, g_strdup(arg));
		a->load.policy = g_ptr_array_index(a->owned, a->owned->len - 1);
		break;
	case VGS_ARG_SET:
		name = "--set";
		if (take_set(a, arg, err) < 0)
			return -1;
		break;
	case VGS_ARG_SEED:
		name = "--seed";
		if (!vgs_args_parse_u64(arg, &a->load.seed)) {
			vgs_error_set(err, "--seed expects a non-negative integer, got '%s'", arg);
			return -1;
		}
		a->load.have_seed = true;
		break;
	case VGS_ARG_DURATION:
		name = "--duration";
		/* g_ascii_strtod: "0.5" whatever the locale */
		a->load.duration_s = g_ascii_strtod(arg, &end);
		if (!*arg || *end || !(a->load.duration_s > 0)) {
			vgs_error_set(err, "--duration expects a positive number of seconds, got '%s'", arg);
			return -1;
		}
		break;
	default:
		vgs_error_set(err, "option '%c' is not a scenario option", opt);
		return -1;
	}
	g_ptr_array_add(a->given, g_strdup(name));
	g_ptr_array_add(a->given, g_strdup(arg));
	return 0;
}

/* The scenario option `c` stands for in a command's table: its entry must carry our name for it. */
static bool is_ours(int c, const struct option *longopts)
{
	static const struct option ours[] = { VGS_ARGS_OPTIONS, { NULL, 0, NULL, 0 } };
	const char *name = NULL;

	for (const struct option *o = ours; o->name; o++)
		if (o->val == c)
			name = o->name;
	for (const struct option *o = longopts; name && o->name; o++)
		if (o->val == c)
			return !strcmp(o->name, name);
	return false;
}

int vgs_args_next(struct vgs_args *a, const char *cmd, int argc, char **argv, const char *shortopts,
		  const struct option *longopts)
{
	struct vgs_error err = { { 0 } };
	int c;

	if (!a->parsing) {
		optind = 1;
		a->parsing = true;
	}
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (c == '?' || c == ':') {
			vgs_args_usage_error("bad option for '%s'", cmd);
			return -1;
		}
		if (!is_ours(c, longopts))
			return c;
		if (vgs_args_take(a, c, optarg, &err) < 0) {
			vgs_args_usage_error("%s", err.msg);
			return -1;
		}
	}
	return 0;
}

int vgs_args_load(struct vgs_args *a, const char *cmd, int noperands, char **operands, struct vgs_scenario *s)
{
	struct vgs_error err = { { 0 } };

	if (noperands != 1) {
		vgs_args_usage_error(noperands < 1 ? "%s expects a CONFIG file" : "%s expects exactly one CONFIG", cmd);
		return -1;
	}
	a->load.path = operands[0];
	if (vgs_scenario_load(s, &a->load, &err) < 0) {
		fprintf(stderr, "vgpusim: %s\n", err.msg);
		return -1;
	}
	return 0;
}

int vgs_args_take_all(struct vgs_args *a, const GPtrArray *argv, struct vgs_error *err)
{
	static const struct option opts[] = { VGS_ARGS_OPTIONS, { NULL, 0, NULL, 0 } };

	for (guint i = 0; i < argv->len; i += 2) {
		const char *word = argv->pdata[i];
		const struct option *p = opts;

		while (p->name && !(g_str_has_prefix(word, "--") && !strcmp(word + 2, p->name)))
			p++;
		if (!p->name || p->has_arg != required_argument || i + 1 >= argv->len) {
			vgs_error_set(err, "%s: not a scenario option with its value", word);
			return -1;
		}
		if (vgs_args_take(a, p->val, argv->pdata[i + 1], err) < 0)
			return -1;
	}
	return 0;
}

bool vgs_args_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return true;
	return false;
}

int vgs_args_usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "vgpusim: ");
	fprintf(stderr, msg, arg ? arg : "");
	fprintf(stderr, "\n(run 'vgpusim --help' for usage)\n");
	return VGS_EXIT_BAD_INPUT;
}

int vgs_args_load_given(const char *config, const GPtrArray *given, const GPtrArray *extra, const char *policy,
			struct vgs_scenario *s, struct vgs_error *err)
{
	struct vgs_args a;
	int rc = -1;

	vgs_args_init(&a);
	if ((!given || vgs_args_take_all(&a, given, err) == 0) && (!extra || vgs_args_take_all(&a, extra, err) == 0)) {
		a.load.path = config;
		a.load.policy = policy;
		rc = vgs_scenario_load(s, &a.load, err);
	}
	vgs_args_fini(&a);
	return rc;
}
