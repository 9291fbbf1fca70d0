/*
 * Native trace files: the loader (vgs_trace_load) and the loaded form's release (vgs_trace_free).
 * The `trace` workload kind that replays a loaded trace is trace.c; memory lines are trace_mem.c.
 *
 * The loader reads the whole file line by line, validates every line strictly (the first error
 * stops it, as "FILE:LINE: what was expected"), keeps all contexts while validating -- units and
 * dependencies are checked per context -- and finally copies the selected context's commands into
 * one array, renumbering seqs 0, 1, 2, ...  Memory: O(commands).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "models/workload/trace.h"

static const char *const columns[] = { "seq", "class", "stream", "work_ns", "bytes", "dir", "deps",
				       "gap_ns", "unit", "flags", "ctx", "start_ns", "end_ns" };
#define NBASE 10
#define HEADER_HELP "seq class stream work_ns bytes dir deps gap_ns unit flags [ctx] [start_ns end_ns]"

enum { U_OPEN = 1, U_CLOSED = 2 };

struct ctx_state {
	char *name;
	GByteArray *ustate;      /* per unit: U_OPEN / U_CLOSED */
	GArray *uline;           /* per unit: line of its B (int) */
};

struct loader {
	const char *path;
	struct vgs_error *err;
	int lineno;
	bool have_ctx, have_times;
	int fif_line;            /* line of @frames_in_flight, 0 if none */
	int ncols;
	GArray *cmds;            /* struct vgs_trace_cmd, all contexts */
	GArray *ctx_of;          /* uint32 per command */
	GArray *lines;           /* uint32 per command */
	GArray *start, *end;     /* uint64 per command */
	GArray *attr;            /* struct vgs_trace_attr per command */
	bool any_attr;           /* a command has an attribute besides anchor= */
	GPtrArray *ctxs;         /* struct ctx_state * */
	struct vgs_trace_memload *mem; /* memory lines (trace_mem.c) */
};

static int fail(struct loader *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct loader *l, const char *fmt, ...)
{
	char msg[900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	vgs_error_set(l->err, "%s:%d: %s", l->path, l->lineno, msg);
	return -1;
}

/* Strict unsigned decimal: digits only, no sign, no overflow. */
static int parse_u64(const char *s, uint64_t *v)
{
	uint64_t x = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (x > (UINT64_MAX - 9) / 10)
			return -1;
		x = x * 10 + (uint64_t)(*s - '0');
	}
	*v = x;
	return 0;
}

/* Split on spaces and tabs in place; returns the number of fields (at most max). */
static int split(char *s, char **f, int max)
{
	int n = 0;

	while (*s) {
		while (*s == ' ' || *s == '\t')
			*s++ = 0;
		if (!*s)
			break;
		if (n == max)
			return max + 1;
		f[n++] = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
	}
	return n;
}

static int parse_meta(struct loader *l, struct vgs_trace *t, char *line)
{
	char *key = line + 1, *val = key;

	while (*val && *val != ' ' && *val != '\t')
		val++;
	if (*val)
		*val++ = 0;
	while (*val == ' ' || *val == '\t')
		val++;
	if (!*val)
		return fail(l, "'@%s': expected a value after the key", key);
	if (strcmp(key, "unit") == 0 || strcmp(key, "source") == 0 || strcmp(key, "gpu") == 0) {
		char **dst = key[0] == 'u' ? &t->unit_name : key[0] == 's' ? &t->source : &t->gpu;

		if (*dst)
			return fail(l, "'@%s' given twice; expected it at most once", key);
		if (key[0] == 'u' && strpbrk(val, " \t"))
			return fail(l, "'@unit %s': expected one word, e.g. '@unit frame'", val);
		*dst = g_strdup(val);
		return 0;
	}
	if (strcmp(key, "arrival") == 0) {
		char *f[3];
		int n = split(val, f, 2);
		uint64_t v;

		if (t->arrival != VGS_ARRIVAL_CLOSED || t->arrival_ns)
			return fail(l, "'@arrival' given twice; expected it at most once");
		if (n == 1 && strcmp(f[0], "closed") == 0)
			return 0;
		if (n == 2 && (strcmp(f[0], "periodic") == 0 || strcmp(f[0], "poisson") == 0) &&
		    parse_u64(f[1], &v) == 0 && v > 0) {
			t->arrival = f[0][1] == 'e' ? VGS_ARRIVAL_PERIODIC : VGS_ARRIVAL_POISSON;
			t->arrival_ns = v;
			return 0;
		}
		return fail(l, "'@arrival': expected 'closed', 'periodic PERIOD_NS' or 'poisson MEAN_NS' "
			    "(integer ns > 0)");
	}
	if (strcmp(key, "deadline_ns") == 0) {
		uint64_t v;

		if (t->deadline_ns != VGS_NO_TIME)
			return fail(l, "'@deadline_ns' given twice; expected it at most once");
		if (parse_u64(val, &v) != 0 || v == 0)
			return fail(l, "'@deadline_ns %s': expected an integer number of ns > 0", val);
		t->deadline_ns = v;
		return 0;
	}
	if (strcmp(key, "frames_in_flight") == 0) {
		uint64_t v;

		if (l->fif_line)
			return fail(l, "'@frames_in_flight' given twice (line %d); expected it at most once", l->fif_line);
		if (parse_u64(val, &v) != 0 || v > VGS_TRACE_MAX_INFLIGHT)
			return fail(l, "'@frames_in_flight %s': expected an integer in [0, %d] (0: no limit)", val,
				    VGS_TRACE_MAX_INFLIGHT);
		t->frames_in_flight = (uint32_t)v;
		l->fif_line = l->lineno;
		return 0;
	}
	return fail(l, "unknown metadata '@%s'; expected one of: @unit, @source, @gpu, @arrival, @deadline_ns, "
		    "@frames_in_flight", key);
}

static int parse_header(struct loader *l, char *line)
{
	char *f[16];
	int n = split(line, f, 15);
	bool ok = n == NBASE || n == NBASE + 1 || n == NBASE + 2 || n == NBASE + 3;

	for (int i = 0; ok && i < NBASE; i++)
		ok = strcmp(f[i], columns[i]) == 0;
	if (ok && (n == NBASE + 1 || n == NBASE + 3))
		ok = strcmp(f[NBASE], "ctx") == 0;
	if (ok && n >= NBASE + 2)
		ok = strcmp(f[n - 2], "start_ns") == 0 && strcmp(f[n - 1], "end_ns") == 0;
	if (!ok)
		return fail(l, "expected the column header '" HEADER_HELP "'");
	l->ncols = n;
	l->have_ctx = n == NBASE + 1 || n == NBASE + 3;
	l->have_times = n >= NBASE + 2;
	return 0;
}

static uint32_t ctx_index(struct loader *l, const char *name)
{
	for (guint i = 0; i < l->ctxs->len; i++)
		if (strcmp(((struct ctx_state *)l->ctxs->pdata[i])->name, name) == 0)
			return i;
	struct ctx_state *c = g_new0(struct ctx_state, 1);

	c->name = g_strdup(name);
	c->ustate = g_byte_array_new();
	c->uline = g_array_new(FALSE, FALSE, sizeof(int));
	g_ptr_array_add(l->ctxs, c);
	return l->ctxs->len - 1;
}

static void ctx_free(gpointer p)
{
	struct ctx_state *c = p;

	g_free(c->name);
	g_byte_array_free(c->ustate, TRUE);
	g_array_free(c->uline, TRUE);
	g_free(c);
}

/* The attributes after the columns, f[0 .. n): into *a and c->flags, checked against the file. */
static int parse_attrs(struct loader *l, char **f, int n, uint64_t seq, uint32_t ctx, struct vgs_trace_cmd *c,
		       struct vgs_trace_attr *a)
{
	char msg[600];

	for (int i = 0; i < n; i++)
		if (vgs_trace_attr_parse(f[i], seq, a, &c->flags, msg, sizeof(msg)) != 0)
			return fail(l, "%s", msg);
	if ((a->have & VGS_ATTR_AFTER) && a->after_back != VGS_AFTER_NONE) {
		uint64_t k = seq - a->after_back;
		const struct vgs_trace_cmd *p = &g_array_index(l->cmds, struct vgs_trace_cmd, k);

		if (g_array_index(l->ctx_of, uint32_t, k) != ctx || p->stream != c->stream)
			return fail(l, "attribute 'after': command %llu is not of this command's %s; expected an earlier "
				    "command of stream %u", (unsigned long long)k,
				    p->stream != c->stream ? "stream" : "context", c->stream);
	}
	if ((a->have & VGS_ATTR_KERNEL) && c->cls != VGS_COMPUTE)
		return fail(l, "attributes sm, threads, regs, smem, occupancy and profile describe kernels; expected "
			    "them on compute commands only, got a %s command", vgs_class_name(c->cls));
	if ((a->have & VGS_ATTR_GEN) && !(c->flags & VGS_CMD_UNIT_BEGIN))
		return fail(l, "attribute 'gen': expected it on the command that begins its unit (flags B)");
	l->any_attr |= a->have != 0;
	/* What the simulator reads of a kernel (spatial sharing, docs/spatial.md): its SMs and bound. */
	if (a->have & VGS_ATTR_SM)
		c->sm = a->sm > UINT16_MAX ? UINT16_MAX : (uint16_t)a->sm;
	if (a->have & VGS_ATTR_PROFILE)
		c->bound = a->profile;
	return 0;
}

static int parse_command(struct loader *l, char *line)
{
	char *f[VGS_TRACE_MAX_FIELDS];
	int n = split(line, f, VGS_TRACE_MAX_FIELDS - 1);
	struct vgs_trace_cmd c = { 0 };
	struct vgs_trace_attr a = { 0 };
	uint64_t seq, v, start = VGS_NO_TIME, end = VGS_NO_TIME;
	uint64_t expect = l->cmds->len;
	int cls, dir;

	if (n < l->ncols || n >= VGS_TRACE_MAX_FIELDS)
		return fail(l, "expected %d columns (" HEADER_HELP "), then optional key=value attributes, got %d fields",
			    l->ncols, n);
	for (int i = l->ncols; i < n; i++)
		if (!strchr(f[i], '='))
			return fail(l, "expected %d columns (" HEADER_HELP "), then optional key=value attributes, got "
				    "'%s' after them", l->ncols, f[i]);
	if (parse_u64(f[0], &seq) != 0 || seq != expect)
		return fail(l, "column 'seq': expected %llu (seqs are 0, 1, 2, ... in order), got '%s'",
			    (unsigned long long)expect, f[0]);
	cls = vgs_class_parse(f[1]);
	if (cls < 0)
		return fail(l, "column 'class': expected gfx, compute, copy, venc or vdec, got '%s'", f[1]);
	c.cls = (uint8_t)cls;
	if (parse_u64(f[2], &v) != 0 || v > UINT32_MAX)
		return fail(l, "column 'stream': expected an integer in [0, %u], got '%s'", UINT32_MAX, f[2]);
	c.stream = (uint32_t)v;
	if (parse_u64(f[3], &c.work_ns) != 0)
		return fail(l, "column 'work_ns': expected an integer number of ns, got '%s'", f[3]);
	if (parse_u64(f[4], &c.bytes) != 0)
		return fail(l, "column 'bytes': expected an integer number of bytes, got '%s'", f[4]);
	dir = vgs_dir_parse(f[5]);
	if (dir < 0)
		return fail(l, "column 'dir': expected -, h2d, d2h or d2d, got '%s'", f[5]);
	if (dir != VGS_DIR_NONE && cls != VGS_COPY)
		return fail(l, "column 'dir': expected '-' for a %s command (only copy commands have a "
			    "direction), got '%s'", f[1], f[5]);
	c.dir = (uint8_t)dir;

	uint32_t ctx = ctx_index(l, l->have_ctx ? f[NBASE] : "");

	if (strcmp(f[6], "-") != 0) {
		char *save = NULL, *tok;

		for (tok = strtok_r(f[6], ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			uint64_t d;

			if (parse_u64(tok, &d) != 0)
				return fail(l, "column 'deps': expected '-' or a comma-separated list of seqs, "
					    "got '%s'", tok);
			if (d >= seq)
				return fail(l, "column 'deps': dependency %llu is not an earlier command; expected a "
					    "seq < %llu", (unsigned long long)d, (unsigned long long)seq);
			if (seq - d > VGS_DEP_WINDOW)
				return fail(l, "column 'deps': dependency %llu is %llu commands back; expected at "
					    "most %u (VGS_DEP_WINDOW)", (unsigned long long)d,
					    (unsigned long long)(seq - d), VGS_DEP_WINDOW);
			if (c.ndeps == VGS_MAX_DEPS)
				return fail(l, "column 'deps': expected at most %d dependencies", VGS_MAX_DEPS);
			for (int i = 0; i < c.ndeps; i++)
				if (c.dep_back[i] == seq - d)
					return fail(l, "column 'deps': dependency %llu listed twice",
						    (unsigned long long)d);
			uint32_t dctx = g_array_index(l->ctx_of, uint32_t, d);

			if (dctx != ctx)
				return fail(l, "column 'deps': dependency %llu belongs to context '%s'; expected a "
					    "command of context '%s'", (unsigned long long)d,
					    ((struct ctx_state *)l->ctxs->pdata[dctx])->name,
					    ((struct ctx_state *)l->ctxs->pdata[ctx])->name);
			c.dep_back[c.ndeps++] = (uint32_t)(seq - d);
		}
		if (c.ndeps == 0)
			return fail(l, "column 'deps': expected '-' or a comma-separated list of seqs, got ','");
	}
	if (parse_u64(f[7], &c.gap_ns) != 0)
		return fail(l, "column 'gap_ns': expected an integer number of ns, got '%s'", f[7]);
	if (parse_u64(f[8], &c.unit) != 0)
		return fail(l, "column 'unit': expected an integer unit index, got '%s'", f[8]);
	if (strcmp(f[9], "B") == 0)
		c.flags = VGS_CMD_UNIT_BEGIN;
	else if (strcmp(f[9], "E") == 0)
		c.flags = VGS_CMD_UNIT_END;
	else if (strcmp(f[9], "BE") == 0)
		c.flags = VGS_CMD_UNIT_BEGIN | VGS_CMD_UNIT_END;
	else if (strcmp(f[9], "-") != 0)
		return fail(l, "column 'flags': expected -, B, E or BE, got '%s'", f[9]);

	/* Units, per context: begin in order 0, 1, 2, ...; every command of a unit lies between its B
	 * and its E (inclusive); units may interleave (pipelined frames). */
	struct ctx_state *cs = l->ctxs->pdata[ctx];
	uint64_t nunits = cs->ustate->len;

	if (c.flags & VGS_CMD_UNIT_BEGIN) {
		if (c.unit != nunits)
			return fail(l, "column 'unit': B opens unit %llu, expected unit %llu (units begin in order "
				    "0, 1, 2, ...)", (unsigned long long)c.unit, (unsigned long long)nunits);
		guint8 open = U_OPEN;

		g_byte_array_append(cs->ustate, &open, 1);
		g_array_append_val(cs->uline, l->lineno);
	} else if (c.unit >= nunits) {
		return fail(l, "column 'unit': unit %llu has not begun; expected flags B on its first command",
			    (unsigned long long)c.unit);
	} else if (cs->ustate->data[c.unit] == U_CLOSED) {
		return fail(l, "column 'unit': unit %llu (begun on line %d) already ended; expected a unit "
			    "whose E is still to come", (unsigned long long)c.unit,
			    g_array_index(cs->uline, int, c.unit));
	}
	if (c.flags & VGS_CMD_UNIT_END)
		cs->ustate->data[c.unit] = U_CLOSED;

	if (parse_attrs(l, f + l->ncols, n - l->ncols, seq, ctx, &c, &a) != 0)
		return -1;
	if (l->have_times) {
		const char *s = f[l->ncols - 2], *e = f[l->ncols - 1];

		if (strcmp(s, "-") != 0 && parse_u64(s, &start) != 0)
			return fail(l, "column 'start_ns': expected '-' or an integer number of ns, got '%s'", s);
		if (strcmp(e, "-") != 0 && parse_u64(e, &end) != 0)
			return fail(l, "column 'end_ns': expected '-' or an integer number of ns, got '%s'", e);
		if ((start == VGS_NO_TIME) != (end == VGS_NO_TIME))
			return fail(l, "columns 'start_ns end_ns': expected both or neither ('-')");
		if (start != VGS_NO_TIME && end < start)
			return fail(l, "columns 'start_ns end_ns': expected end_ns >= start_ns, got %s < %s", e, s);
	}
	/* The memory lines before it are its own, checked against its context's allocations. */
	char msg[600];
	int mline = 0;
	int64_t list = vgs_trace_memload_attach(l->mem, ctx, &mline, msg, sizeof(msg));

	if (list < 0) {
		l->lineno = mline;
		return fail(l, "%s", msg);
	}
	c.mem = c.mem_loop = (uint32_t)list;

	uint32_t ln = (uint32_t)l->lineno;

	g_array_append_val(l->cmds, c);
	g_array_append_val(l->ctx_of, ctx);
	g_array_append_val(l->lines, ln);
	g_array_append_val(l->start, start);
	g_array_append_val(l->end, end);
	g_array_append_val(l->attr, a);
	return 0;
}

/* Keep context `sel` only, renumbered. */
static int select_context(struct loader *l, struct vgs_trace *t, uint32_t sel)
{
	size_t n = 0;
	uint64_t *newidx = g_new(uint64_t, l->cmds->len ? l->cmds->len : 1);

	for (guint i = 0; i < l->cmds->len; i++)
		newidx[i] = g_array_index(l->ctx_of, uint32_t, i) == sel ? n++ : UINT64_MAX;
	t->ncmds = n;
	t->cmds = g_new(struct vgs_trace_cmd, n ? n : 1);
	t->line = g_new(uint32_t, n ? n : 1);
	if (l->have_times) {
		t->start_ns = g_new(uint64_t, n ? n : 1);
		t->end_ns = g_new(uint64_t, n ? n : 1);
	}
	if (l->any_attr)
		t->attr = g_new0(struct vgs_trace_attr, n ? n : 1);
	for (guint i = 0; i < l->cmds->len; i++) {
		if (newidx[i] == UINT64_MAX)
			continue;
		struct vgs_trace_cmd c = g_array_index(l->cmds, struct vgs_trace_cmd, i);
		uint64_t k = newidx[i];

		for (int d = 0; d < c.ndeps; d++)
			c.dep_back[d] = (uint32_t)(k - newidx[i - c.dep_back[d]]);
		t->cmds[k] = c;
		t->line[k] = g_array_index(l->lines, uint32_t, i);
		if (l->have_times) {
			t->start_ns[k] = g_array_index(l->start, uint64_t, i);
			t->end_ns[k] = g_array_index(l->end, uint64_t, i);
		}
		if (t->attr) {
			struct vgs_trace_attr a = g_array_index(l->attr, struct vgs_trace_attr, i);

			if ((a.have & VGS_ATTR_AFTER) && a.after_back != VGS_AFTER_NONE)
				a.after_back = (uint32_t)(k - newidx[i - a.after_back]);
			t->attr[k] = a;
		}
		t->class_mask |= 1u << c.cls;
	}
	t->nunits = ((struct ctx_state *)l->ctxs->pdata[sel])->ustate->len;
	g_free(newidx);
	vgs_trace_memload_take(l->mem, &t->mem);
	vgs_trace_mem_loop(t);
	return 0;
}

const char vgs_trace_first_context[] = "";

int vgs_trace_load(const char *path, const char *context, struct vgs_trace **out, struct vgs_error *err)
{
	struct loader l = { .path = path, .err = err };
	struct vgs_trace *t = g_new0(struct vgs_trace, 1);
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int rc = -1;
	FILE *fp;

	*out = NULL;
	t->path = g_strdup(path);
	t->deadline_ns = VGS_NO_TIME;
	if (vgs_file_check(path, "a trace file", NULL, err) < 0)
		goto err_trace;
	fp = fopen(path, "r");
	if (!fp) {
		vgs_error_set(err, "%s: cannot open trace: %s", path, strerror(errno));
		goto err_trace;
	}
	l.cmds = g_array_new(FALSE, FALSE, sizeof(struct vgs_trace_cmd));
	l.ctx_of = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	l.lines = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	l.start = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	l.end = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	l.attr = g_array_new(FALSE, FALSE, sizeof(struct vgs_trace_attr));
	l.ctxs = g_ptr_array_new_with_free_func(ctx_free);
	l.mem = vgs_trace_memload_new();

	while ((len = getline(&line, &cap, fp)) >= 0) {
		l.lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = 0;
		if ((size_t)len != strlen(line)) {
			fail(&l, "expected text, found a NUL byte");
			goto err_loader;
		}
		if (l.lineno == 1) {
			char *e = line + len;

			while (e > line && (e[-1] == ' ' || e[-1] == '\t'))
				*--e = 0;
			if (strcmp(line, VGS_TRACE_MAGIC) != 0) {
				fail(&l, "expected '" VGS_TRACE_MAGIC "' as the first line (a vgpusim native trace)");
				goto err_loader;
			}
			continue;
		}
		char *p = line;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '#')
			continue;
		if (*p == '@') {
			if (l.ncols) {
				fail(&l, "metadata '%s' after the column header; expected all @lines before it", p);
				goto err_loader;
			}
			if (parse_meta(&l, t, p) != 0)
				goto err_loader;
			continue;
		}
		if (!l.ncols) {
			if (parse_header(&l, p) != 0)
				goto err_loader;
			continue;
		}
		if (p[0] == 'm' && (p[1] == ' ' || p[1] == '\t')) {
			char *f[8], msg[600];
			int n = split(p + 2, f, 7);

			if (vgs_trace_memload_line(l.mem, f, n > 7 ? 7 : n, l.lineno, msg, sizeof(msg)) != 0) {
				fail(&l, "%s", msg);
				goto err_loader;
			}
			continue;
		}
		if (parse_command(&l, p) != 0)
			goto err_loader;
	}
	if (ferror(fp)) {
		fail(&l, "read error: %s", strerror(errno));
		goto err_loader;
	}
	if (l.lineno == 0) {
		l.lineno = 1;
		fail(&l, "expected '" VGS_TRACE_MAGIC "' as the first line, got an empty file");
		goto err_loader;
	}
	if (vgs_trace_memload_pending(l.mem)) {
		l.lineno = vgs_trace_memload_pending(l.mem);
		fail(&l, "memory lines at the end of the file; expected a command line after them (memory lines "
		     "belong to the command that follows)");
		goto err_loader;
	}
	if (!l.ncols || l.cmds->len == 0) {
		l.lineno++;
		fail(&l, "expected %s, got the end of the file", l.ncols ? "at least one command" :
		     "the column header '" HEADER_HELP "'");
		goto err_loader;
	}
	/* Every unit that began must end. */
	for (guint i = 0; i < l.ctxs->len; i++) {
		struct ctx_state *c = l.ctxs->pdata[i];

		for (guint u = 0; u < c->ustate->len; u++) {
			if (c->ustate->data[u] == U_CLOSED)
				continue;
			l.lineno = g_array_index(c->uline, int, u);
			fail(&l, "unit %u%s%s begins here but never ends; expected flags E on its last command", u,
			     l.have_ctx ? " of context " : "", c->name);
			goto err_loader;
		}
	}

	t->ncontexts = l.have_ctx ? l.ctxs->len : 0;
	t->contexts = g_new0(char *, t->ncontexts + 1);
	for (size_t i = 0; i < t->ncontexts; i++)
		t->contexts[i] = g_strdup(((struct ctx_state *)l.ctxs->pdata[i])->name);

	uint32_t sel = 0;

	if (context == vgs_trace_first_context && !l.have_ctx)
		context = NULL;
	if (context && !l.have_ctx) {
		vgs_error_set(err, "context '%s' selected, but trace %s has no ctx column", context, path);
		rc = -2;
		goto err_loader;
	}
	if (l.have_ctx) {
		gchar *list = g_strjoinv(", ", t->contexts);

		if (context == vgs_trace_first_context)
			context = t->contexts[0];
		if (!context && l.ctxs->len > 1) {
			vgs_error_set(err, "trace %s holds %u contexts (%s); expected a 'context' key naming one",
				      path, l.ctxs->len, list);
			g_free(list);
			rc = -2;
			goto err_loader;
		}
		if (context) {
			for (sel = 0; sel < l.ctxs->len; sel++)
				if (strcmp(t->contexts[sel], context) == 0)
					break;
			if (sel == l.ctxs->len) {
				vgs_error_set(err, "context '%s' is not in trace %s; expected one of: %s", context, path,
					      list);
				g_free(list);
				rc = -2;
				goto err_loader;
			}
		}
		g_free(list);
		t->context = g_strdup(t->contexts[sel]);
	}
	select_context(&l, t, sel);
	rc = 0;
	*out = t;

err_loader:
	if (l.cmds) {
		g_array_free(l.cmds, TRUE);
		g_array_free(l.ctx_of, TRUE);
		g_array_free(l.lines, TRUE);
		g_array_free(l.start, TRUE);
		g_array_free(l.end, TRUE);
		g_array_free(l.attr, TRUE);
		g_ptr_array_free(l.ctxs, TRUE);
	}
	vgs_trace_memload_free(l.mem);
	free(line);
	if (fp)
		fclose(fp);
	if (rc == 0)
		return 0;
err_trace:
	vgs_trace_free(t);
	return rc;
}

void vgs_trace_free(struct vgs_trace *t)
{
	if (!t)
		return;
	g_free(t->path);
	g_free(t->unit_name);
	g_free(t->source);
	g_free(t->gpu);
	g_free(t->context);
	g_free(t->cmds);
	g_free(t->start_ns);
	g_free(t->end_ns);
	g_free(t->line);
	g_free(t->attr);
	vgs_trace_memlists_fini(&t->mem);
	g_strfreev(t->contexts);
	g_free(t);
}
