/*
 * Moving a workload to another GPU (docs/translate.md), no simulation:
 *   vgpusim translate CAPTURE --from PROFILE --to PROFILE -o OUT.vgt   rewrite a capture for another GPU
 *   vgpusim fit-speed [--from PROFILE] [--prior PROFILE] A B [A B]...   fit B's kernel-class speeds
 *
 * Both read any capture the importers read, or a native trace, of one context.  translate keeps
 * everything of the trace but work_ns, gap_ns and the recorded times, which it rewrites line by line
 * (vgs_trace_translate, then the solo replay's times: vgs_trace_solo_times), and says in @gpu and a
 * comment what it was translated to.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "hw-trace/fitspeed.h"
#include "hw-trace/stats.h"
#include "models/scenario/scenario.h"
#include "sim/cli.h"

/* A profile as translate and fit-speed use it. */
struct profile {
	const char *path;
	struct vgs_kspeed k;
	double engine[VGS_NCLASS];
	char *model;
};

static int profile_load(struct profile *p, const char *path)
{
	struct vgs_error err = { { 0 } };

	p->path = path;
	if (vgs_gpu_profile_kspeed(path, &p->k, p->engine, &p->model, &err) == 0)
		return 0;
	fprintf(stderr, "vgpusim: %s\n", err.msg);
	return -1;
}

/*
 * A capture or native trace as a native file of one context: the file itself when native, else a
 * temporary import (*tmp, to remove) of its context `context` (NULL: its only one).
 */
static char *native_of(const char *path, const char *format, const char *context, char **tmp, struct vgs_error *err)
{
	const char *fmt = format ? format : vgs_import_detect(path, err);
	struct vgs_import im;
	int ctx = -1, fd;
	FILE *f;

	*tmp = NULL;
	if (!fmt)
		return NULL;
	if (!strcmp(fmt, "native"))
		return g_strdup(path);
	if (vgs_import_file(&im, fmt, path, err))
		return NULL;
	for (guint i = 0; i < im.ctx_names->len; i++)
		if (context ? !strcmp(im.ctx_names->pdata[i], context) : im.ctx_names->len == 1)
			ctx = (int)i;
	if (ctx < 0) {
		vgs_error_set(err, "%s: %u contexts; name the one to use with --context (%s)", path, im.ctx_names->len,
			      context ? "no such context" : "one context at a time");
		vgs_import_fini(&im);
		return NULL;
	}
	fd = g_file_open_tmp("vgpusim-translate-XXXXXX.vgt", tmp, NULL);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f || vgs_import_write(&im, ctx, f, err) || fclose(f)) {
		if (!err->msg[0])
			vgs_error_set(err, "cannot write a temporary trace: %s", strerror(errno));
		if (*tmp)
			remove(*tmp);
		g_free(*tmp);
		*tmp = NULL;
		vgs_import_fini(&im);
		return NULL;
	}
	vgs_import_fini(&im);
	return g_strdup(*tmp);
}

/* The options of both commands. */
struct opts {
	const char *from, *to, *prior, *out, *format, *context;
};

/* Parse argv into o: fit-speed takes --prior, translate --to and -o.  0, or the usage error's status. */
static int parse_opts(int argc, char **argv, bool fit, struct opts *o)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'F' }, { "to", required_argument, NULL, 'T' },
		{ "prior", required_argument, NULL, 'P' }, { "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' }, { "context", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	const char **slot[] = { ['F'] = &o->from, ['T'] = &o->to, ['P'] = &o->prior, ['o'] = &o->out,
				['f'] = &o->format, ['c'] = &o->context };
	int c;

	memset(o, 0, sizeof(*o));
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:f:c:", opts, NULL)) != -1) {
		if (c < 0 || c >= (int)G_N_ELEMENTS(slot) || !slot[c] || (fit ? c == 'T' || c == 'o' : c == 'P'))
			return vgs_args_usage_error(fit ? "bad option for 'fit-speed'" : "bad option for 'translate'", NULL);
		*slot[c] = optarg;
	}
	return 0;
}

/*
 * Load `path` (any format) as a trace of one context into *t, from the native file *native (a
 * temporary import when *tmp is set: the caller removes it).  0, or -1 after printing why.
 */
static int load_trace(const char *path, const struct opts *o, struct vgs_trace **t, char **native, char **tmp)
{
	struct vgs_error err = { { 0 } };

	*t = NULL;
	*native = native_of(path, o->format, o->context, tmp, &err);
	if (*native && vgs_trace_load(*native, NULL, t, &err) == 0) {
		if (*tmp) { /* the user named the capture, not the temporary file */
			g_free((*t)->path);
			(*t)->path = g_strdup(path);
		}
		return 0;
	}
	fprintf(stderr, "vgpusim: %s%s\n", err.msg, *native && !*tmp ? " (a native trace of one context: import the "
			"capture with --context NAME)" : "");
	return -1;
}

/* ---- translate -------------------------------------------------------------------------------- */

const struct vgs_cli_cmd vgs_cli_translate = {
	.name = "translate", .synopsis = "CAPTURE --from PROFILE --to PROFILE -o OUT.vgt",
	.summary = "rewrite a capture for another GPU (kernel classes, host)",
	.run = vgs_cmd_translate,
	.help = "Rewrite CAPTURE, recorded on the GPU of profile --from, as it would run on the GPU of profile\n"
		"--to (docs/translate.md): each op's duration by its kernel class through the reference GPU,\n"
		"(t - fixed_from) x speed_from / speed_to + fixed_to; ops of a class --to omits take no time;\n"
		"host gaps x host_speed_from / host_speed_to.  Recorded times become those of a solo replay of\n"
		"the result.  A profile with nothing of kernel classes times every op by its engine speed.\n"
		"CAPTURE is any capture `vgpusim import` reads, or a native trace, of one context.\n"
		"\n"
		"options:\n"
		"  --from PROFILE          the GPU profile CAPTURE was recorded on (configs/gpus/NAME.cfg)\n"
		"  --to PROFILE            the GPU profile to translate to\n"
		"  -o, --output OUT        the trace to write; written beside OUT and renamed\n"
		"  -f, --format FORMAT     how to read CAPTURE (default: auto)\n"
		"  -c, --context NAME      the context of a multi-context capture\n",
};

/* Fields of a line split on blanks (NULL-terminated; g_strfreev). */
static char **fields(const char *line)
{
	char **f = g_strsplit_set(line, " \t", -1);
	int n = 0;

	for (int i = 0; f[i]; i++) {
		if (*f[i])
			f[n++] = f[i];
		else
			g_free(f[i]);
	}
	f[n] = NULL;
	return f;
}

/* The translated file: t's lines with work_ns, gap_ns, start_ns and end_ns of t, @gpu the target. */
static int rewrite(const char *in, FILE *out, const struct vgs_trace *t, const uint64_t *start, const uint64_t *end,
		   const struct profile *from, const struct profile *to)
{
	char *text = NULL, **lines;
	int ncols = 0, times = -1;
	size_t k = 0;
	bool gpu = false;

	if (!g_file_get_contents(in, &text, NULL, NULL))
		return -1;
	lines = g_strsplit(text, "\n", -1);
	for (int i = 0; lines[i]; i++) {
		const char *l = lines[i];
		const char *s = l + strspn(l, " \t");

		if (!lines[i + 1] && !*l)
			break;
		if (i == 0) {
			fprintf(out, "%s\n# Translated by vgpusim translate from %s (%s) to %s (%s).\n", l, from->path,
				from->model, to->path, to->model);
			continue;
		}
		if (!ncols && !strncmp(s, "@gpu", 4)) {
			fprintf(out, "@gpu %s\n", to->model);
			gpu = true;
			continue;
		}
		if (!ncols && *s && *s != '#' && *s != '@') {
			char **h = fields(s);

			ncols = (int)g_strv_length(h);
			times = !strcmp(h[ncols - 1], "end_ns") ? ncols - 2 : -1;
			g_strfreev(h);
			if (!gpu)
				fprintf(out, "@gpu %s\n", to->model);
			fprintf(out, "%s\n", l);
			continue;
		}
		if (!ncols || !*s || *s == '#' || (*s == 'm' && (s[1] == ' ' || s[1] == '\t')) || k >= t->ncmds) {
			fprintf(out, "%s\n", l);
			continue;
		}
		char **f = fields(s);

		/* seq class stream work_ns bytes dir deps gap_ns ... (docs/trace-format.md) */
		g_free(f[3]);
		f[3] = g_strdup_printf("%" PRIu64, t->cmds[k].work_ns);
		g_free(f[7]);
		f[7] = g_strdup_printf("%" PRIu64, t->cmds[k].gap_ns);
		if (times >= 0) {
			g_free(f[times]);
			g_free(f[times + 1]);
			f[times] = start ? g_strdup_printf("%" PRIu64, start[k]) : g_strdup("-");
			f[times + 1] = start ? g_strdup_printf("%" PRIu64, end[k]) : g_strdup("-");
		}
		char *j = g_strjoinv("\t", f);

		fprintf(out, "%s\n", j);
		g_free(j);
		g_strfreev(f);
		k++;
	}
	g_strfreev(lines);
	g_free(text);
	return 0;
}

int vgs_cmd_translate(int argc, char **argv)
{
	struct profile from = { 0 }, to = { 0 };
	struct vgs_trace *t = NULL;
	uint64_t *start = NULL, *end = NULL, busy0 = 0, busy1 = 0, span = 0;
	char *tmp = NULL, *native = NULL, *part = NULL;
	double t0 = vgs_cli_wall_s();
	int rc = VGS_EXIT_BAD_INPUT;
	struct opts o;
	FILE *f;

	if ((rc = parse_opts(argc, argv, false, &o)))
		return rc;
	rc = VGS_EXIT_BAD_INPUT;
	if (argc - optind != 1 || !o.from || !o.to || !o.out)
		return vgs_args_usage_error("translate expects CAPTURE, --from PROFILE, --to PROFILE and -o OUT", NULL);
	if (profile_load(&from, o.from) || profile_load(&to, o.to) || load_trace(argv[optind], &o, &t, &native, &tmp))
		goto out;
	for (size_t i = 0; i < t->ncmds; i++)
		busy0 += t->cmds[i].work_ns;
	vgs_trace_translate(t, &from.k, from.engine, &to.k, to.engine);
	for (size_t i = 0; i < t->ncmds; i++)
		busy1 += t->cmds[i].work_ns;
	start = g_new(uint64_t, t->ncmds + 1);
	end = g_new(uint64_t, t->ncmds + 1);
	if (!vgs_trace_solo_times(t, start, end)) {
		g_free(start);
		g_free(end);
		start = end = NULL;
	}
	part = g_strdup_printf("%s.tmp-%d", o.out, (int)getpid());
	f = fopen(part, "w");
	if (!f || rewrite(native, f, t, start, end, &from, &to) || fclose(f) || rename(part, o.out)) {
		fprintf(stderr, "vgpusim: cannot write %s: %s\n", o.out, strerror(errno));
		unlink(part);
		goto out;
	}
	for (size_t i = 0; start && i < t->ncmds; i++)
		span = MAX(span, end[i] - start[0]);
	fprintf(stderr, "vgpusim: %zu ops, busy %.3f -> %.3f ms, span %.3f ms (%s -> %s) -> %s in %.2f s\n", t->ncmds,
		busy0 / 1e6, busy1 / 1e6, span / 1e6, from.model, to.model, o.out, vgs_cli_wall_s() - t0);
	rc = 0;
out:
	if (tmp)
		remove(tmp);
	g_free(tmp);
	g_free(native);
	g_free(part);
	g_free(start);
	g_free(end);
	g_free(from.model);
	g_free(to.model);
	vgs_trace_free(t);
	return rc;
}

/* ---- fit-speed -------------------------------------------------------------------------------- */

const struct vgs_cli_cmd vgs_cli_fit_speed = {
	.name = "fit-speed", .synopsis = "[--from PROFILE] [--prior PROFILE] A B [A B]...",
	.summary = "fit a GPU's kernel-class speeds from paired captures",
	.run = vgs_cmd_fit_speed,
	.help = "From captures of the same programs on GPU A and on GPU B, given in pairs (A B A B ...), fit B's\n"
		"speed and fixed time per op for each kernel class and its host speed (docs/translate.md), and\n"
		"print them as a profile fragment to paste into B's profile, each class with its residual.  Ops\n"
		"are matched by order and class; ops one side emits and the other does not are counted as\n"
		"unmatched (a class B never emits becomes `omit`).  Captures: any format `vgpusim import`\n"
		"reads, or native traces, of one context.\n"
		"\n"
		"options:\n"
		"  --from PROFILE          A's profile: B's speeds are written relative to the reference GPU\n"
		"                          through it (default: relative to A, whose speeds are 1)\n"
		"  --prior PROFILE         B's profile whose roofline prior the fitted slopes are drawn toward\n"
		"                          (default: each class's ratio of busy times)\n"
		"  -f, --format FORMAT     how to read the captures (default: auto)\n"
		"  -c, --context NAME      the context of multi-context captures\n",
};

int vgs_cmd_fit_speed(int argc, char **argv)
{
	struct profile from = { 0 }, prior = { 0 };
	struct vgs_error err = { { 0 } };
	struct vgs_trace **tr = NULL, **a = NULL, **b = NULL;
	struct vgs_fit fit;
	size_t n = 0;
	int rc;
	struct opts o;

	if ((rc = parse_opts(argc, argv, true, &o)))
		return rc;
	rc = VGS_EXIT_BAD_INPUT;
	if (argc - optind < 2 || (argc - optind) % 2)
		return vgs_args_usage_error("fit-speed expects pairs of captures: A B [A B]...", NULL);
	if ((o.from && profile_load(&from, o.from)) || (o.prior && profile_load(&prior, o.prior)))
		goto out;
	/* tr[2p] on A, tr[2p + 1] on B */
	tr = g_new0(struct vgs_trace *, (size_t)(argc - optind));
	for (; n < (size_t)(argc - optind); n++) {
		char *native = NULL, *tmp = NULL;
		int bad = load_trace(argv[optind + (int)n], &o, &tr[n], &native, &tmp);

		if (tmp)
			remove(tmp);
		g_free(tmp);
		g_free(native);
		if (bad)
			goto out;
	}
	a = g_new(struct vgs_trace *, n / 2);
	b = g_new(struct vgs_trace *, n / 2);
	for (size_t p = 0; p < n / 2; p++) {
		a[p] = tr[2 * p];
		b[p] = tr[2 * p + 1];
	}
	if (vgs_fit_speed(a, b, n / 2, o.from ? &from.k : NULL, from.engine, o.prior ? &prior.k : NULL, prior.engine,
			  &fit, &err)) {
		fprintf(stderr, "vgpusim: %s\n", err.msg);
		goto out;
	}
	printf("# A: %s%s%s; B: %s.  Speeds relative to %s.\n", a[0]->gpu ? a[0]->gpu : "?",
	       o.from ? ", profile " : "", o.from ? o.from : "", b[0]->gpu ? b[0]->gpu : "?",
	       o.from ? "the reference GPU (configs/gpus/a100.cfg)" : "A (speed 1)");
	for (size_t p = 0; p < n / 2; p++)
		printf("#   pair %zu: %s (%zu ops) / %s (%zu ops)\n", p + 1, a[p]->path, a[p]->ncmds, b[p]->path, b[p]->ncmds);
	vgs_fit_print(&fit, stdout);
	rc = 0;
out:
	for (size_t i = 0; i < n; i++)
		vgs_trace_free(tr[i]);
	g_free(tr);
	g_free(a);
	g_free(b);
	g_free(from.model);
	g_free(prior.model);
	return rc;
}
