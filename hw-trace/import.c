/*
 * The import core: recorded GPU operations in, native trace out (see import.h).  What the commands
 * are -- submission order, stream order, dependencies, host gaps, units -- is reconstructed by
 * import_rec.c (DESIGN.md §3); this file holds the op list and writes the result: the commands, their
 * attributes (models/workload/trace_attr.h), @frames_in_flight, and the memory lines of recorded
 * allocations and frees before the commands that submitted them (import_mem.c).  Times are rebased
 * to the capture's first event (the earliest submit or start of any context).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "hw-trace/import.h"

void vgs_import_init(struct vgs_import *im, const char *format)
{
	memset(im, 0, sizeof(*im));
	im->ops = g_array_new(FALSE, FALSE, sizeof(struct vgs_op));
	im->mem = g_array_new(FALSE, FALSE, sizeof(struct vgs_mem_event));
	im->waits = g_array_new(FALSE, FALSE, sizeof(struct vgs_host_wait));
	im->ctx_names = g_ptr_array_new_with_free_func(g_free);
	im->units = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	im->format = g_strdup(format);
}

void vgs_import_fini(struct vgs_import *im)
{
	if (im->ops)
		g_array_free(im->ops, TRUE);
	if (im->mem)
		g_array_free(im->mem, TRUE);
	if (im->waits)
		g_array_free(im->waits, TRUE);
	if (im->ctx_names)
		g_ptr_array_free(im->ctx_names, TRUE);
	if (im->units)
		g_hash_table_destroy(im->units);
	g_free(im->source);
	g_free(im->gpu);
	g_free(im->unit);
	g_free(im->format);
	memset(im, 0, sizeof(*im));
}

/*
 * A context's name as the native format writes it: one word of the ctx column (no blank, no '#', no
 * control character; "_" when empty).  Names are made so when a context is added, so that what `trace
 * stats` prints, what `import --context` and a config's `context` key take, and what the ctx column
 * holds are the same text (two captured names that differ only there are one context).
 */
static char *ctx_word(const char *s)
{
	GString *w = g_string_new(NULL);

	for (; *s; s++)
		g_string_append_c(w, (unsigned char)*s <= ' ' || *s == '#' || *s == 0x7f ? '_' : *s);
	if (!w->len)
		g_string_append_c(w, '_');
	return g_string_free(w, FALSE);
}

uint32_t vgs_import_ctx(struct vgs_import *im, const char *name)
{
	char *word = ctx_word(name);

	for (guint i = 0; i < im->ctx_names->len; i++)
		if (strcmp(im->ctx_names->pdata[i], word) == 0) {
			g_free(word);
			return i;
		}
	g_ptr_array_add(im->ctx_names, word);
	return im->ctx_names->len - 1;
}

/* A metadata line's value: one line (a path or a GPU name may hold a line break). */
static void meta_line(FILE *out, const char *key, const char *value)
{
	fprintf(out, "@%s ", key);
	for (; *value; value++)
		fputc(*value == '\n' || *value == '\r' ? ' ' : *value, out);
	fputc('\n', out);
}

void vgs_import_add(struct vgs_import *im, const struct vgs_op *op)
{
	g_array_append_val(im->ops, *op);
}

void vgs_import_classify(struct vgs_op *op, const char *name, size_t len)
{
	int kind = op->cls == VGS_GFX ? VGS_KIND_GRAPHICS : op->cls == VGS_COPY ? VGS_KIND_COPY
			 : op->cls == VGS_COMPUTE ? VGS_KIND_KERNEL : VGS_KIND_OTHER;

	op->attr.kc = (uint8_t)vgs_kclass_of(kind, name, len, op->dir);
	op->attr.have |= VGS_ATTR_KC;
}

void vgs_import_add_mem(struct vgs_import *im, const struct vgs_mem_event *e)
{
	g_array_append_val(im->mem, *e);
}

void vgs_import_add_wait(struct vgs_import *im, const struct vgs_host_wait *w)
{
	g_array_append_val(im->waits, *w);
}

static const char *flag_text(uint8_t f)
{
	switch (f & (VGS_CMD_UNIT_BEGIN | VGS_CMD_UNIT_END)) {
	case VGS_CMD_UNIT_BEGIN:
		return "B";
	case VGS_CMD_UNIT_END:
		return "E";
	case VGS_CMD_UNIT_BEGIN | VGS_CMD_UNIT_END:
		return "BE";
	default:
		return "-";
	}
}

int vgs_import_write(const struct vgs_import *im, int ctx, FILE *out, struct vgs_error *err)
{
	struct vgs_recon r;
	struct vgs_import_mem **mems;
	GString *line = g_string_new(NULL);
	size_t *last;
	uint32_t nctx;
	int rc = 0;

	if (vgs_import_reconstruct(im, ctx, &r, err)) {
		vgs_recon_fini(&r);
		g_string_free(line, TRUE);
		return -1;
	}
	fprintf(out, "#vgpusim-trace 1\n# Imported by vgpusim import (%s); times rebased to the capture's first event.\n",
		im->format ? im->format : "?");
	if (r.overlaps)
		fprintf(out, "# %" PRIu64 " ops start before an earlier op of their stream ends: after= keeps the overlap.\n",
			r.overlaps);
	if (im->frames_in_flight && r.frames_in_flight > im->frames_in_flight)
		fprintf(out, "# @frames_in_flight raised from %u: the capture had up to %u frames queued.\n",
			im->frames_in_flight, r.frames_in_flight);
	else if (im->frames_in_flight && !r.frames_in_flight)
		fprintf(out, "# No @frames_in_flight: the capture had more than %d frames queued.\n", VGS_TRACE_MAX_INFLIGHT);
	if (im->unit)
		fprintf(out, "@unit %s\n", im->unit); /* the importers' own word */
	if (im->source)
		meta_line(out, "source", im->source);
	if (im->gpu)
		meta_line(out, "gpu", im->gpu);
	if (r.frames_in_flight)
		fprintf(out, "@frames_in_flight %u\n", r.frames_in_flight);
	fprintf(out, "seq\tclass\tstream\twork_ns\tbytes\tdir\tdeps\tgap_ns\tunit\tflags%s\tstart_ns\tend_ns\n",
		ctx < 0 ? "\tctx" : "");
	/* Memory lines go before the command each context submitted next (import_mem.c). */
	nctx = im->ctx_names->len;
	mems = g_new0(struct vgs_import_mem *, nctx ? nctx : 1);
	last = g_new0(size_t, nctx ? nctx : 1);
	for (size_t i = 0; i < r.n; i++)
		last[r.v[i]->op->ctx] = i;
	for (uint32_t c = 0; c < nctx; c++)
		mems[c] = vgs_import_mem_new(im, c);
	for (size_t i = 0; i < r.n; i++) {
		const struct vgs_rec *x = r.v[i];
		const struct vgs_op *op = x->op;

		vgs_import_mem_lines(mems[op->ctx], x->submit, last[op->ctx] == i, out);
		g_string_printf(line, "%zu\t%s\t%" PRIu32 "\t%" PRIu64 "\t%" PRIu64 "\t%s\t", i, vgs_class_name(op->cls),
				op->stream, op->end_ns - op->start_ns, op->bytes, vgs_dir_name(op->dir));
		if (x->dep >= 0)
			g_string_append_printf(line, "%" PRId64, x->dep);
		else
			g_string_append_c(line, '-');
		g_string_append_printf(line, "\t%" PRIu64 "\t%" PRIu64 "\t%s", x->gap, x->unit, flag_text(x->flags));
		if (ctx < 0) {
			g_string_append_c(line, '\t');
			g_string_append(line, im->ctx_names->pdata[op->ctx]); /* one word (vgs_import_ctx) */
		}
		g_string_append_printf(line, "\t%" PRIu64 "\t%" PRIu64, op->start_ns - r.origin, op->end_ns - r.origin);
		vgs_trace_attr_format(&x->attr, x->flags, i, line);
		g_string_append_c(line, '\n');
		fputs(line->str, out);
	}
	for (uint32_t c = 0; c < nctx; c++)
		vgs_import_mem_free(mems[c]);
	g_free(mems);
	g_free(last);
	g_string_free(line, TRUE);
	vgs_recon_fini(&r);
	if (ferror(out)) {
		vgs_error_set(err, "cannot write the trace: %s", strerror(errno));
		rc = -1;
	}
	return rc;
}
