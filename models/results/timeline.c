/*
 * slices.csv and timeline.json writers (see timeline.h).  Both are streamed: one row or one event per
 * line as the driver reports it, so a run of any length needs constant memory here.
 *
 * Track layout of timeline.json (Chrome trace-event JSON, "JSON Object Format"):
 *   pid = 1 + GPU index, named "<gpu> (<model>)";
 *   tid = per GPU, one per engine channel in scenario order: the engine's track is its channel 0
 *         (named after the engine, e.g. "gfx0"), further channels get "gfx0 ch1" ...;
 *   a (vGPU, slice) is a B/E pair on the track of every engine of its domain, named by the vGPU;
 *   commands are complete ("X") events on their channel's track, so channel-0 commands nest inside the
 *   slice that ran them (a command never outlives its slice: the loop waits for running commands before
 *   it charges); switches are X events between slices;
 *   each vGPU's queue depth is a counter ("C") event series in its GPU's process.
 * Timestamps are µs printed with three decimals, i.e. exact ns.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "models/results/timeline.h"
#include "policies/vgs_policy.h"

struct vgs_timeline {
	const struct vgs_scenario *s;
	FILE *csv;
	FILE *json;
	uint32_t *tid;             /* per engine: tid of its channel 0 */
	uint64_t *depth;           /* per tenant: last queue depth written */
	bool stopped;
};

/* A JSON string body: tenant and engine names come from configs, so escape them. */
static void put_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* ns as µs with three decimals (exact). */
static void put_us(FILE *f, const char *key, uint64_t ns)
{
	fprintf(f, "\"%s\":%" PRIu64 ".%03" PRIu64, key, ns / 1000, ns % 1000);
}

static void meta(FILE *f, const char *what, uint32_t pid, uint32_t tid, const char *name, int64_t sort)
{
	fprintf(f, ",\n{\"ph\":\"M\",\"pid\":%" PRIu32 ",\"tid\":%" PRIu32 ",\"name\":\"%s\",\"args\":{\"name\":", pid,
		tid, what);
	put_str(f, name);
	fputs("}}", f);
	if (sort >= 0) {
		fprintf(f,
			",\n{\"ph\":\"M\",\"pid\":%" PRIu32 ",\"tid\":%" PRIu32
			",\"name\":\"%s_sort_index\",\"args\":{\"sort_index\":%" PRId64 "}}",
			pid, tid, strcmp(what, "process_name") ? "thread" : "process", sort);
	}
}

static void json_header(struct vgs_timeline *tl)
{
	const struct vgs_scenario *s = tl->s;
	FILE *f = tl->json;
	uint32_t *next = g_new0(uint32_t, s->ngpus);

	fprintf(f, "{\"displayTimeUnit\":\"ms\",\"otherData\":{\"scenario\":");
	put_str(f, s->name ? s->name : "");
	fprintf(f, ",\"warmup_ns\":%" PRIu64 ",\"duration_ns\":%" PRIu64 ",\"seed\":%" PRIu64 "},\n\"traceEvents\":[\n",
		s->warmup_ns, s->duration_ns, s->seed);
	/* The first event carries no leading comma; every later one starts with ",\n". */
	fputs("{\"ph\":\"M\",\"pid\":0,\"tid\":0,\"name\":\"process_name\",\"args\":{\"name\":\"vgpusim\"}}", f);
	for (uint32_t g = 0; g < s->ngpus; g++) {
		char *name = g_strdup_printf("%s (%s)", s->gpus[g].name, s->gpus[g].model ? s->gpus[g].model : "");

		meta(f, "process_name", g + 1, 0, name, g);
		g_free(name);
	}
	for (uint32_t e = 0; e < s->nengines; e++) {
		const struct vgs_engine *en = &s->engines[e];
		uint32_t nch = s->gpus[en->gpu].cls[en->cls].channels;
		const char *shortname = strchr(en->name, '.') ? strchr(en->name, '.') + 1 : en->name;

		tl->tid[e] = next[en->gpu] + 1;
		next[en->gpu] += nch ? nch : 1;
		for (uint32_t c = 0; c < (nch ? nch : 1); c++) {
			char *name = c ? g_strdup_printf("%s ch%" PRIu32, shortname, c) : g_strdup(shortname);

			meta(f, "thread_name", en->gpu + 1, tl->tid[e] + c, name, tl->tid[e] + c);
			g_free(name);
		}
	}
	g_free(next);
}

struct vgs_timeline *vgs_timeline_open(const struct vgs_scenario *s, const char *dir, bool slices,
				       bool timeline, struct vgs_error *err)
{
	struct vgs_timeline *tl = g_new0(struct vgs_timeline, 1);

	tl->s = s;
	tl->tid = g_new0(uint32_t, s->nengines ? s->nengines : 1);
	tl->depth = g_new0(uint64_t, s->ntenants ? s->ntenants : 1);
	if (slices) {
		char *path = g_build_filename(dir, "slices.csv", NULL);

		tl->csv = fopen(path, "w");
		g_free(path);
		if (!tl->csv)
			goto err_io;
		fputs("kind,gpu,engine,channel,tenant,start_ns,end_ns\n", tl->csv);
	}
	if (timeline) {
		char *path = g_build_filename(dir, "timeline.json", NULL);

		tl->json = fopen(path, "w");
		g_free(path);
		if (!tl->json)
			goto err_io;
		json_header(tl);
	}
	return tl;

err_io:
	vgs_error_set(err, "cannot write in %s: %s", dir, strerror(errno));
	if (tl->csv)
		fclose(tl->csv);
	g_free(tl->tid);
	g_free(tl->depth);
	g_free(tl);
	return NULL;
}

int vgs_timeline_close(struct vgs_timeline *tl, uint64_t end_ns, struct vgs_error *err)
{
	int rc = 0;

	if (!tl)
		return 0;
	if (tl->csv) {
		bool bad = ferror(tl->csv);

		if (fclose(tl->csv) != 0 || bad)
			rc = -1;
	}
	if (tl->json) {
		fputs("\n]}\n", tl->json);
		bool bad = ferror(tl->json);

		if (fclose(tl->json) != 0 || bad)
			rc = -1;
	}
	if (rc)
		vgs_error_set(err, "cannot write slices.csv or timeline.json: %s", strerror(errno));
	g_free(tl->tid);
	g_free(tl->depth);
	g_free(tl);
	return rc;
}

static void csv_row(struct vgs_timeline *tl, const char *kind, uint32_t engine, int64_t channel, uint32_t tenant,
		    uint64_t start_ns, uint64_t end_ns)
{
	const struct vgs_engine *en = &tl->s->engines[engine];

	fprintf(tl->csv, "%s,%s,%s,", kind, tl->s->gpus[en->gpu].name, en->name);
	if (channel >= 0)
		fprintf(tl->csv, "%" PRId64, channel);
	fprintf(tl->csv, ",%s,%" PRIu64 ",%" PRIu64 "\n", tl->s->tenants[tenant].name, start_ns, end_ns);
}

/* Start an event on engine's track (+ channel): `,{"ph":..,["cat":..,]"pid":..,"tid":..,"ts":..` */
static void event_begin(struct vgs_timeline *tl, const char *ph, const char *cat, uint32_t engine, uint32_t channel,
			uint64_t ts_ns)
{
	fprintf(tl->json, ",\n{\"ph\":\"%s\",", ph);
	if (cat)
		fprintf(tl->json, "\"cat\":\"%s\",", cat);
	fprintf(tl->json, "\"pid\":%" PRIu32 ",\"tid\":%" PRIu32 ",", tl->s->engines[engine].gpu + 1,
		tl->tid[engine] + channel);
	put_us(tl->json, "ts", ts_ns);
}

void vgs_timeline_slice_begin(struct vgs_timeline *tl, uint32_t domain, uint32_t tenant, uint64_t t_ns)
{
	const struct vgs_domain *d = &tl->s->domains[domain];

	if (!tl->json || tl->stopped)
		return;
	for (uint32_t k = 0; k < d->nengines; k++) {
		uint32_t e = d->engines[k];

		event_begin(tl, "B", "slice", e, 0, t_ns);
		fputs(",\"name\":", tl->json);
		put_str(tl->json, tl->s->tenants[tenant].name);
		fputs("}", tl->json);
	}
}

void vgs_timeline_slice_end(struct vgs_timeline *tl, uint32_t domain, uint32_t tenant, uint64_t start_ns,
			    uint64_t t_ns, int reason)
{
	const struct vgs_domain *d = &tl->s->domains[domain];

	if (tl->stopped)
		return;
	for (uint32_t k = 0; k < d->nengines; k++) {
		uint32_t e = d->engines[k];

		if (tl->csv)
			csv_row(tl, "slice", e, -1, tenant, start_ns, t_ns);
		if (tl->json) {
			event_begin(tl, "E", NULL, e, 0, t_ns);
			fprintf(tl->json, ",\"args\":{\"end\":\"%s\"}}",
				reason >= 0 && reason < VGS_CHARGE_NREASONS
					? vgs_charge_reason_name((enum vgs_charge_reason)reason)
					: "run end");
		}
	}
}

void vgs_timeline_switch(struct vgs_timeline *tl, uint32_t domain, uint32_t tenant, uint64_t start_ns,
			 uint64_t end_ns)
{
	const struct vgs_domain *d = &tl->s->domains[domain];

	if (tl->stopped)
		return;
	for (uint32_t k = 0; k < d->nengines; k++) {
		uint32_t e = d->engines[k];

		if (tl->csv)
			csv_row(tl, "switch", e, -1, tenant, start_ns, end_ns);
		if (tl->json) {
			event_begin(tl, "X", "switch", e, 0, start_ns);
			fputc(',', tl->json);
			put_us(tl->json, "dur", end_ns - start_ns);
			fputs(",\"name\":\"switch\",\"args\":{\"to\":", tl->json);
			put_str(tl->json, tl->s->tenants[tenant].name);
			fputs("}}", tl->json);
		}
	}
}

void vgs_timeline_busy(struct vgs_timeline *tl, uint32_t engine, uint32_t channel, uint32_t tenant, uint64_t seq,
		       int cls, uint64_t start_ns, uint64_t end_ns)
{
	if (tl->stopped)
		return;
	if (tl->csv)
		csv_row(tl, "busy", engine, channel, tenant, start_ns, end_ns);
	if (tl->json) {
		const char *tname = tl->s->tenants[tenant].name;

		event_begin(tl, "X", "command", engine, channel, start_ns);
		fputc(',', tl->json);
		put_us(tl->json, "dur", end_ns - start_ns);
		fprintf(tl->json, ",\"name\":\"%s #%" PRIu64 "\",\"args\":{\"vgpu\":", vgs_class_name(cls), seq);
		put_str(tl->json, tname);
		fprintf(tl->json, ",\"seq\":%" PRIu64 "}}", seq);
	}
}

void vgs_timeline_queue(struct vgs_timeline *tl, uint32_t tenant, uint64_t t_ns, uint64_t depth)
{
	const struct vgs_tenant *t = &tl->s->tenants[tenant];

	if (!tl->json || tl->stopped || tl->depth[tenant] == depth)
		return;
	tl->depth[tenant] = depth;
	fprintf(tl->json, ",\n{\"ph\":\"C\",\"pid\":%" PRIu32 ",", t->gpu + 1);
	put_us(tl->json, "ts", t_ns);
	fputs(",\"name\":", tl->json);
	{
		char *name = g_strdup_printf("queue %s", t->name);

		put_str(tl->json, name);
		g_free(name);
	}
	fprintf(tl->json, ",\"args\":{\"commands\":%" PRIu64 "}}", depth);
}

void vgs_timeline_stop(struct vgs_timeline *tl)
{
	tl->stopped = true;
}
