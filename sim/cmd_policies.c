/*
 * `vgpusim policies [NAME | PATH.so]`: the scheduling policies and their parameters -- every built-in
 * and every production preset, one built-in or preset, or a user policy loaded from its shared object
 * exactly as a run would load it (so a plug-in that lists here also loads in a run) -- and the placement
 * policies of pools (policies/placement/, docs/pools.md), built in or from a shared object.
 */
#include <stdio.h>

#include <glib.h>

#include "models/scenario/policy_load.h"
#include "models/scenario/preset.h"
#include "policies/placement/vgs_place.h"
#include "policies/vgs_policy.h"
#include "sim/cli.h"

const struct vgs_cli_cmd vgs_cli_policies = {
	.name = "policies", .synopsis = "[NAME | PATH.so]",
	.summary = "list scheduling policies, presets, placement policies and their parameters",
	.run = vgs_cmd_policies,
	.help = "List the built-in scheduling policies, the production scheduler presets and the placement\n"
		"policies of pools, or only NAME (a policy, a preset or a placement policy), or the user policy\n"
		"in the shared object PATH.so (scheduling or placement; docs/policies.md, docs/presets.md,\n"
		"docs/pools.md): each one's name, summary and parameters with their defaults.\n"
		"\n"
		"A PATH.so that does not load, or lacks the ops table, is an error (exit 2).\n",
};

static void print_policy(const struct vgs_policy_ops *ops)
{
	printf("%s\n    %s\n", ops->name, ops->summary);
	for (const struct vgs_policy_param *p = ops->params; p && p->name; p++)
		printf("    %-20s default %-12s %s\n", p->name, p->def, p->help);
	printf("\n");
}

/* "placement NAME" then its summary and parameters (docs/pools.md). */
static void print_placement(const struct vgs_place_ops *ops)
{
	printf("placement %-13s %s\n", ops->name, ops->summary);
	for (const struct vgs_place_param *p = ops->params; p && p->name; p++)
		printf("    %-20s default %-12s %s\n", p->name, p->def, p->help);
	printf("\n");
}

/* "preset NAME  policy P, domain D" then its summary, parameters and source. */
static void print_preset(const struct vgs_preset *p)
{
	printf("preset %-16s policy %s, domain %s\n    %s\n", p->name, p->policy, p->domain, p->summary);
	for (size_t i = 0; i < p->nparams; i++)
		printf("    %-20s %s\n", p->params[i].key, p->params[i].value);
	printf("    source: %s\n\n", p->source);
}

int vgs_cmd_policies(int argc, char **argv)
{
	const struct vgs_preset *preset;
	const struct vgs_policy_ops *ops;
	struct vgs_error err = { { 0 } };
	char *group;

	if (argc > 2)
		return vgs_args_usage_error("%s", "policies expects at most one NAME or PATH.so");
	if (argc == 1) {
		for (int i = 0; vgs_policy_builtins[i]; i++)
			print_policy(vgs_policy_builtins[i]);
		for (preset = vgs_presets; preset->name; preset++)
			print_preset(preset);
		for (int i = 0; vgs_place_builtins[i]; i++)
			print_placement(vgs_place_builtins[i]);
		printf("Parameters go in the config's scheduler.<policy> group, e.g.\n"
		       "  scheduler = { policy = \"timeslice\"; timeslice = { slice_us = 2000; }; };\n"
		       "A preset sets the policy, its parameters and the domains: scheduler = { preset = \"nvidia-es\"; };\n"
		       "or -p nvidia-es; tune it in scheduler.<preset> (docs/presets.md).\n"
		       "A policy can also be loaded from a shared object: policy = \"./libmine.so\" (docs/policies.md).\n"
		       "Placement policies place a pool's vGPU requests: pool = { placement = \"fgd\"; }; or\n"
		       "vgpusim pool CONFIG --placement NAME|PATH.so (docs/pools.md).\n");
		return 0;
	}
	if (vgs_place_find(argv[1])) {
		print_placement(vgs_place_find(argv[1]));
		if (vgs_place_find(argv[1])->params)
			printf("Its parameters go in the config's pool.%s group (docs/pools.md).\n", argv[1]);
		return 0;
	}
	if ((preset = vgs_preset_find(argv[1]))) {
		print_preset(preset);
		print_policy(vgs_policy_find(preset->policy));
		printf("Tune it in the config's scheduler.%s group (those parameters come after the preset's).\n",
		       preset->name);
		return 0;
	}
	ops = vgs_policy_load(argv[1], &err);
	if (!ops && vgs_policy_is_path(argv[1])) {
		/* Not a scheduling policy: perhaps a placement policy (docs/pools.md). */
		struct vgs_error perr = { { 0 } };
		const struct vgs_place_ops *pl = vgs_place_load(argv[1], &perr);

		if (pl) {
			print_placement(pl);
			group = vgs_policy_group_name(argv[1]);
			printf("Parameters go in the config's pool.%s group:\n  pool = { placement = \"%s\"; %s = { ... }; };\n",
			       group, argv[1], group);
			g_free(group);
			return 0;
		}
	}
	if (!ops) {
		fprintf(stderr, "vgpusim: %s\n", err.msg);
		return VGS_EXIT_BAD_INPUT;
	}
	print_policy(ops);
	/* A .so's parameters live in the group named after its file (docs/policies.md), not its .name. */
	group = vgs_policy_group_name(argv[1]);
	printf("Parameters go in the config's scheduler.%s group:\n"
	       "  scheduler = { policy = \"%s\"; %s = { ... }; };\n",
	       group, argv[1], group);
	g_free(group);
	return 0;
}
