/*
 * The `trace` workload kind: replays a native trace loaded by trace_load.c (vgs_trace_load), which
 * every instance of a spec shares read-only.  Memory: O(1) per instance.  Captures in other formats
 * go through the importer the program registered (vgs_trace_set_import) first.
 *
 * Replay (trace_next): command i of loop iteration L is emitted as seq L*n + i, unit L*U + unit,
 * deps and `after` shifted by L*n.  With loop = true the first command of iteration L > 0 gets one
 * extra dependency on the last command (in seq order) of iteration L-1, so iterations never overlap;
 * its own gap_ns then counts from that command's completion.
 *
 * Frames in flight (`frames_in_flight` key, else the file's @frames_in_flight; 0: no limit): the
 * command that begins unit u also waits for the command that ended unit u - F, when that one came
 * before it -- a swap chain's back-pressure, as in the `game` generator.  A command that had no deps
 * keeps its gap from the previous submission (anchor=prev: the fence is a barrier), so a capture's
 * cadence is kept until the GPU falls F frames behind; then frames are submitted as the GPU frees
 * them, and the frame rate drops instead of the latency growing.
 *
 * With sync = "unit" the host waits only between units: a unit's first command depends on the
 * command before it, every other command on nothing (its gap counts from the previous submission).
 * That is how an asynchronous framework replays a capture that recorded no launch times (Orion's
 * kernel profiles, laid back to back): it queues a whole iteration or request, then synchronises.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "models/base/interrupt.h"
#include "models/workload/kclass.h"
#include "models/workload/kspeed.h"
#include "models/workload/trace.h"
#include "models/workload/workload_priv.h"

static const char *const trace_keys[] = {
	"type", "trace", "loop", "context", "arrival", "period_ms", "rate", "deadline_ms", "copies", "format", "sync",
	"frames_in_flight", "translate", NULL,
};

struct trace_params {
	struct vgs_trace *trace;
	bool loop;
	bool copies_on_link;     /* copies = "link": host<->device copies are PCIe transfers */
	bool sync_unit;          /* sync = "unit": the host waits only between units */
	enum vgs_arrival_kind arrival;
	uint64_t arrival_ns;     /* period or mean inter-arrival */
	uint64_t deadline_ns;    /* VGS_NO_TIME: none */
	uint64_t inflight;       /* frames in flight at most, 0: no limit */
};

static vgs_trace_import_fn trace_import; /* set once at program start */

void vgs_trace_set_import(vgs_trace_import_fn fn)
{
	trace_import = fn;
}

/* Colon-separated directories; relative ones are taken relative to `base` (NULL: as they are). */
static char *search_dirs(const char *list, const char *base, const char *file)
{
	char **dirs = g_strsplit(list, ":", -1);
	char *found = NULL;

	for (char **d = dirs; *d && !found; d++) {
		char *dir = (**d && base && !g_path_is_absolute(*d)) ? g_build_filename(base, *d, NULL) : g_strdup(*d);
		char *p = g_build_filename(*dir ? dir : ".", file, NULL);

		if (g_file_test(p, G_FILE_TEST_IS_REGULAR))
			found = p;
		else
			g_free(p);
		g_free(dir);
	}
	g_strfreev(dirs);
	return found;
}

/*
 * Where a relative trace path is looked for, in order: the config's directory, the directories of
 * simulation.trace_path (relative to the config's directory), then those of $VGS_TRACE_PATH.  When
 * none has the file, the config-relative path is returned, for the error message.
 */
static char *resolve_trace(const char *file, const config_setting_t *g, const char *config_dir)
{
	const char *tp = NULL, *env = getenv("VGS_TRACE_PATH");
	char *p;

	if (g_path_is_absolute(file) || !config_dir || !*config_dir)
		return g_strdup(file);
	p = g_build_filename(config_dir, file, NULL);
	if (g_file_test(p, G_FILE_TEST_IS_REGULAR))
		return p;
	if (g->config && config_lookup_string(g->config, "simulation.trace_path", &tp) == CONFIG_TRUE) {
		char *q = search_dirs(tp, config_dir, file);

		if (q) {
			g_free(p);
			return q;
		}
	}
	if (env) {
		char *q = search_dirs(env, NULL, file);

		if (q) {
			g_free(p);
			return q;
		}
	}
	return p;
}

/* True when the file starts like a native trace ("#vgpusim-trace", any version: the loader checks it). */
static bool is_native(const char *path)
{
	char head[sizeof(VGS_TRACE_MAGIC)] = "";
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return true; /* let the loader report it */
	n = fread(head, 1, sizeof(head) - 1, f);
	fclose(f);
	head[n] = '\0';
	return strncmp(head, "#vgpusim-trace", 14) == 0;
}

static int trace_parse(struct vgs_workload_spec *spec, const config_setting_t *g, const char *config_dir,
		       struct vgs_error *err)
{
	struct trace_params *p = calloc(1, sizeof(*p));
	const char *file = NULL, *context = NULL, *arrival = NULL, *format = NULL, *translate = NULL;
	const config_setting_t *ts = config_setting_get_member(g, "trace");
	double period_ms = 0, rate = 0, deadline_ms = 0;
	char *path;
	int rc;

	if (!p)
		return -1;
	spec->priv = p;
	p->loop = true;
	if (!ts) {
		vgs_error_set(err, "%s: workload type \"trace\": expected a 'trace' = \"FILE\" key",
			      vgs_wl_where(g));
		return -1;
	}
	if (vgs_wl_get_str(g, "trace", &file, err) || vgs_wl_get_bool(g, "loop", &p->loop, err) ||
	    vgs_wl_get_str(g, "context", &context, err) || vgs_wl_get_str(g, "arrival", &arrival, err) ||
	    vgs_wl_get_str(g, "format", &format, err) || vgs_wl_get_str(g, "translate", &translate, err) ||
	    vgs_wl_get_num(g, "period_ms", 1e-6, false, 1e9, &period_ms, err) ||
	    vgs_wl_get_num(g, "rate", 1e-3, false, 1e9, &rate, err) ||
	    vgs_wl_get_num(g, "deadline_ms", 1e-6, false, 1e9, &deadline_ms, err))
		return -1;
	static const char *const copies[] = { "recorded", "link", NULL };
	int copy_mode = 0;

	if (vgs_wl_get_choice(g, "copies", copies, &copy_mode, err))
		return -1;
	p->copies_on_link = copy_mode == 1;
	static const char *const syncs[] = { "recorded", "unit", NULL };
	int sync_mode = 0;

	if (vgs_wl_get_choice(g, "sync", syncs, &sync_mode, err))
		return -1;
	p->sync_unit = sync_mode == 1;
	path = resolve_trace(file, g, config_dir);
	/* Without a registered importer (unit tests, other drivers) every file is read as native. */
	if (trace_import && ((format && strcmp(format, "native")) || (!format && !is_native(path)))) {
		char *native;
		bool temporary = true;

		native = trace_import(path, format ? format : "auto", &temporary, err);
		if (!native) {
			char msg[sizeof(err->msg)];

			snprintf(msg, sizeof(msg), "%s", err->msg);
			vgs_error_set(err, "%s: workload key 'trace': %s", vgs_wl_where(ts), msg);
			g_free(path);
			return -1;
		}
		rc = vgs_trace_load(native, context, &p->trace, err);
		if (rc == -1 && g_str_has_prefix(err->msg, native)) {
			/* The user named the capture, not the temporary native trace made from it, whose lines are
			 * not the capture's: say so (the importers check what they write, so this is a bug). */
			char msg[sizeof(err->msg)];

			snprintf(msg, sizeof(msg), "%s", err->msg + strlen(native) + (err->msg[strlen(native)] == ':'));
			vgs_error_set(err, "%s: workload key 'trace': %s: the native trace imported from it does not "
				      "load (its line %s; an importer bug: please report it)", vgs_wl_where(ts), path, msg);
			if (temporary) {
				vgs_interrupt_file_remove(native);
				remove(native);
			}
			g_free(native);
			g_free(path);
			return -1;
		}
		if (temporary) {
			vgs_interrupt_file_remove(native);
			remove(native);
		}
		g_free(native);
	} else {
		rc = vgs_trace_load(path, context, &p->trace, err);
	}
	g_free(path);
	if (rc == -2) {
		const config_setting_t *cs = config_setting_get_member(g, "context");
		char msg[sizeof(err->msg)];

		if (!cs)
			cs = ts;
		snprintf(msg, sizeof(msg), "%s", err->msg);
		vgs_error_set(err, "%s: workload key '%s': %s", vgs_wl_where(cs),
			      config_setting_name(cs), msg);
		return -1;
	}
	if (rc != 0) {
		if (!strstr(err->msg, "cannot open") && !strstr(err->msg, "is a directory"))
			return -1;
		char msg[sizeof(err->msg)];

		snprintf(msg, sizeof(msg), "%s", err->msg);
		vgs_error_set(err, "%s: workload key 'trace': %s", vgs_wl_where(ts), msg);
		return -1;
	}

	const struct vgs_trace *t = p->trace;

	/* Arrivals: the config overrides the file's @arrival. */
	p->arrival = t->arrival;
	p->arrival_ns = t->arrival_ns;
	if (arrival) {
		const config_setting_t *as = config_setting_get_member(g, "arrival");

		if (strcmp(arrival, "closed") == 0) {
			p->arrival = VGS_ARRIVAL_CLOSED;
		} else if (strcmp(arrival, "periodic") == 0) {
			if (p->arrival != VGS_ARRIVAL_PERIODIC && period_ms <= 0) {
				vgs_error_set(err, "%s: workload key 'arrival': \"periodic\" needs period_ms (the "
					      "trace has no '@arrival periodic')", vgs_wl_where(as));
				return -1;
			}
			p->arrival = VGS_ARRIVAL_PERIODIC;
		} else if (strcmp(arrival, "poisson") == 0) {
			if (p->arrival != VGS_ARRIVAL_POISSON && rate <= 0) {
				vgs_error_set(err, "%s: workload key 'arrival': \"poisson\" needs rate (the trace "
					      "has no '@arrival poisson')", vgs_wl_where(as));
				return -1;
			}
			p->arrival = VGS_ARRIVAL_POISSON;
		} else {
			vgs_error_set(err, "%s: workload key 'arrival': expected \"closed\", \"periodic\" or "
				      "\"poisson\", got \"%s\"", vgs_wl_where(as), arrival);
			return -1;
		}
	}
	if (period_ms > 0 || rate > 0) {
		const char *k = period_ms > 0 ? "period_ms" : "rate";
		const config_setting_t *s = config_setting_get_member(g, k);
		bool fits = period_ms > 0 ? p->arrival == VGS_ARRIVAL_PERIODIC : p->arrival == VGS_ARRIVAL_POISSON;

		if (!fits || (period_ms > 0 && rate > 0)) {
			vgs_error_set(err, "%s: workload key '%s': applies to arrival = \"%s\" only", vgs_wl_where(s), k, period_ms > 0 ? "periodic" : "poisson");
			return -1;
		}
		p->arrival_ns = period_ms > 0 ? (uint64_t)llround(period_ms * 1e6) : (uint64_t)llround(1e9 / rate);
		if (p->arrival_ns == 0)
			p->arrival_ns = 1;
	}
	if (p->arrival == VGS_ARRIVAL_CLOSED)
		p->arrival_ns = 0;
	p->inflight = t->frames_in_flight;
	if (vgs_wl_get_u64(g, "frames_in_flight", 0, VGS_TRACE_MAX_INFLIGHT, &p->inflight, err))
		return -1;
	if (p->inflight)
		for (size_t i = 0; i < t->ncmds; i++)
			if ((t->cmds[i].flags & VGS_CMD_UNIT_BEGIN) && t->cmds[i].ndeps == VGS_MAX_DEPS) {
				vgs_error_set(err, "%s:%u: frames in flight: the command that begins unit %llu has %d "
					      "dependencies; expected at most %d, to add the frame fence",
					      t->path, t->line[i], (unsigned long long)t->cmds[i].unit, VGS_MAX_DEPS,
					      VGS_MAX_DEPS - 1);
				return -1;
			}
	p->deadline_ns = deadline_ms > 0 ? (uint64_t)llround(deadline_ms * 1e6) : t->deadline_ns;
	if (translate)
		spec->translate_from = g_path_is_absolute(translate) || !config_dir || !*config_dir
					       ? g_strdup(translate) : g_build_filename(config_dir, translate, NULL);

	/* The trace's memory lists become the spec's, index for index. */
	for (uint32_t k = 0; k < t->mem.nlists; k++)
		vgs_mem_table_add(spec, t->mem.ops + t->mem.first[k], t->mem.count[k]);
	spec->unit_name = g_strdup(t->unit_name ? t->unit_name : "unit");
	spec->class_mask = t->class_mask;
	spec->latency_sensitive = p->arrival != VGS_ARRIVAL_CLOSED;
	/* Units arriving open loop ask the trace's mean work per unit at the arrival rate. */
	if (p->arrival != VGS_ARRIVAL_CLOSED && t->nunits)
		for (size_t i = 0; i < t->ncmds; i++)
			spec->offered_ns_per_s[t->cmds[i].cls] +=
				(double)t->cmds[i].work_ns / (double)t->nunits * 1e9 / (double)p->arrival_ns;

	GString *d = g_string_new(NULL);

	g_string_append_printf(d, "trace %s (%zu commands, %llu %ss", t->path, t->ncmds,
			       (unsigned long long)t->nunits, spec->unit_name);
	if (t->context)
		g_string_append_printf(d, ", context %s", t->context);
	g_string_append_printf(d, ")%s%s", p->loop ? ", looped" : "", p->sync_unit ? ", host syncs per unit" : "");
	if (p->arrival == VGS_ARRIVAL_PERIODIC)
		g_string_append_printf(d, ", periodic %g ms", p->arrival_ns / 1e6);
	else if (p->arrival == VGS_ARRIVAL_POISSON)
		g_string_append_printf(d, ", poisson %g /s", 1e9 / p->arrival_ns);
	if (p->deadline_ns != VGS_NO_TIME)
		g_string_append_printf(d, ", deadline %g ms", p->deadline_ns / 1e6);
	if (p->inflight)
		g_string_append_printf(d, ", %llu %ss in flight", (unsigned long long)p->inflight, spec->unit_name);
	spec->describe = g_string_free(d, FALSE);
	return 0;
}

static void trace_spec_fini(struct vgs_workload_spec *spec)
{
	struct trace_params *p = spec->priv;

	if (!p)
		return;
	vgs_trace_free(p->trace);
	free(p);
}

struct trace_inst {
	struct vgs_rng arr_rng;
	struct vgs_ticker tick;
	double next_arrival_ns;  /* poisson */
	uint64_t loop;
	size_t i;
	/* frames in flight: the seq that ended unit end_unit[k] - 1, k = that unit % inflight */
	uint64_t end_seq[VGS_TRACE_MAX_INFLIGHT], end_unit[VGS_TRACE_MAX_INFLIGHT];
};

static int trace_inst_init(struct vgs_workload *w, uint64_t seed)
{
	const struct trace_params *p = w->spec->priv;
	struct trace_inst *s = calloc(1, sizeof(*s));

	if (!s)
		return -1;
	vgs_rng_seed(&s->arr_rng, vgs_rng_derive(seed, 0));
	if (p->arrival == VGS_ARRIVAL_PERIODIC)
		s->tick.period_ns = p->arrival_ns;
	if (p->arrival == VGS_ARRIVAL_POISSON)
		s->next_arrival_ns = vgs_rng_exp(&s->arr_rng, (double)p->arrival_ns);
	w->priv = s;
	return 0;
}

static bool has_dep(const struct vgs_cmd *cmd, uint64_t seq)
{
	for (int d = 0; d < cmd->ndeps; d++)
		if (cmd->deps[d] == seq)
			return true;
	return false;
}

static int trace_next(struct vgs_workload *w, uint64_t now_ns, struct vgs_cmd *cmd)
{
	const struct trace_params *p = w->spec->priv;
	const struct vgs_trace *t = p->trace;
	struct trace_inst *s = w->priv;

	if (s->i == t->ncmds) {
		if (!p->loop)
			return 0;
		s->loop++;
		s->i = 0;
	}
	const struct vgs_trace_cmd *c = &t->cmds[s->i];
	uint64_t base = s->loop * t->ncmds;

	vgs_cmd_clear(cmd);
	cmd->seq = base + s->i;
	cmd->work_ns = c->work_ns;
	cmd->bytes = c->bytes;
	cmd->gap_ns = c->gap_ns;
	cmd->unit = s->loop * t->nunits + c->unit;
	cmd->stream = c->stream;
	cmd->cls = c->cls;
	cmd->dir = c->dir;
	cmd->flags = c->flags;
	cmd->mem = s->loop > 0 ? c->mem_loop : c->mem;
	cmd->sm = c->sm;
	cmd->bound = c->bound;
	if (!p->copies_on_link)
		cmd->flags |= VGS_CMD_RECORDED_TIME;
	for (int d = 0; d < c->ndeps; d++)
		cmd->deps[cmd->ndeps++] = cmd->seq - c->dep_back[d];
	if (s->i == 0 && s->loop > 0)
		cmd->deps[cmd->ndeps++] = cmd->seq - 1; /* seq 0 of a file has no deps: room is left */
	if (p->sync_unit) {
		cmd->ndeps = 0;
		if ((c->flags & VGS_CMD_UNIT_BEGIN) && cmd->seq > 0)
			cmd->deps[cmd->ndeps++] = cmd->seq - 1;
	}
	if (t->attr && (c->flags & VGS_CMD_UNIT_BEGIN))
		cmd->gen = t->attr[s->i].gen;
	if (t->attr && (t->attr[s->i].have & VGS_ATTR_KC)) {
		const struct vgs_trace_attr *a = &t->attr[s->i];

		cmd->kc = a->kc;
		cmd->roof = (uint8_t)vgs_kclass_roof(a->kc, (a->have & VGS_ATTR_PROFILE) ? a->profile : 0);
	}
	if (t->attr && (t->attr[s->i].have & VGS_ATTR_AFTER)) {
		uint32_t back = t->attr[s->i].after_back;

		cmd->flags |= VGS_CMD_AFTER;
		cmd->after = back == VGS_AFTER_NONE ? VGS_NO_TIME : cmd->seq - back;
	}
	if (p->inflight && (c->flags & VGS_CMD_UNIT_BEGIN) && cmd->unit >= p->inflight) {
		uint64_t k = cmd->unit % p->inflight;

		/* parse made room; the ending command must have come first (units may interleave) */
		if (s->end_unit[k] == cmd->unit - p->inflight + 1 && !has_dep(cmd, s->end_seq[k])) {
			if (cmd->ndeps == 0)
				cmd->flags |= VGS_CMD_ANCHOR_PREV;
			cmd->deps[cmd->ndeps++] = s->end_seq[k];
		}
	}
	if (p->inflight && (c->flags & VGS_CMD_UNIT_END)) {
		s->end_seq[cmd->unit % p->inflight] = cmd->seq;
		s->end_unit[cmd->unit % p->inflight] = cmd->unit + 1;
	}
	if (c->flags & VGS_CMD_UNIT_BEGIN) {
		if (p->arrival == VGS_ARRIVAL_PERIODIC) {
			cmd->arrival_ns = vgs_ticker_next(&s->tick, now_ns, &w->dropped);
		} else if (p->arrival == VGS_ARRIVAL_POISSON) {
			cmd->arrival_ns = (uint64_t)s->next_arrival_ns;
			s->next_arrival_ns += vgs_rng_exp(&s->arr_rng, (double)p->arrival_ns);
		}
		if (p->deadline_ns != VGS_NO_TIME && cmd->arrival_ns != VGS_NO_TIME)
			cmd->deadline_ns = cmd->arrival_ns + p->deadline_ns;
	}
	s->i++;
	return 1;
}

/* The `translate` key: the recorded durations and gaps into the reference GPU's (docs/translate.md). */
static void trace_translate(struct vgs_workload_spec *spec, const struct vgs_kspeed *from, const double *engine)
{
	static const struct vgs_kspeed reference;
	static const double ones[VGS_NCLASS] = { 1, 1, 1, 1, 1 };
	const struct trace_params *p = spec->priv;

	vgs_trace_translate(p->trace, from, engine, &reference, ones);
}

static void trace_inst_fini(struct vgs_workload *w)
{
	free(w->priv);
}

const struct vgs_wl_kind vgs_wl_trace = {
	.name = "trace",
	.keys = trace_keys,
	.parse = trace_parse,
	.spec_fini = trace_spec_fini,
	.inst_init = trace_inst_init,
	.next = trace_next,
	.inst_fini = trace_inst_fini,
	.translate = trace_translate,
};
