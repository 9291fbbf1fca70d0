/*
 * `@include "FILE"` in configs, resolved here rather than by libconfig (docs/config.md, "Includes").
 *
 * libconfig 1.5 joins its include directory and the name with a '/', so an absolute name fails, an
 * include inside an included file resolves against the top config's directory instead of its own, and
 * an empty name or a directory is opened as a stream, which ends the whole process inside its flex
 * scanner ("input in flex scanner failed").  So the loader expands the includes itself, textually as
 * libconfig does (the directive is a line `[ \t]*@include[ \t]+"NAME"` outside comments and strings;
 * the included text takes its place, then the rest of the line), and gives libconfig the result.  A
 * relative NAME is relative to the directory of the file that includes it (then to the extra
 * directory of struct vgs_load_args), an absolute one is taken as it is; every target is checked --
 * a readable regular file, at most VGS_INCLUDE_DEPTH deep, no cycle -- with FILE:LINE of the directive.
 *
 * Every line of the expanded text remembers its file and line, and the settings libconfig builds are
 * given them back (config_setting_t.file and .line), so every message of the loader still names the
 * file the user wrote.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <glib.h>
#include <libconfig.h>

#include "models/scenario/load.h"
#include "models/scenario/scenario.h"

/* libconfig's own limit (scanctx.h, MAX_INCLUDE_DEPTH). */
#define VGS_INCLUDE_DEPTH 10

/* Where one line of the expanded text came from. */
struct src_line {
	uint32_t file;               /* index into ld->src_files */
	uint32_t line;               /* 1-based */
};

/* Lexer state carried from line to line: inside a block comment or a string. */
struct lex {
	bool comment, string;
};

struct expand {
	struct vgs_ld *ld;
	const char *extra_dir;
	GString *out;
	GPtrArray *stack;            /* char *: the canonical paths being expanded (cycles) */
};

/* One line of `text` into the output, mapped to file:line. */
static void emit(struct expand *x, uint32_t file, uint32_t line, const char *text, size_t len)
{
	struct src_line sl = { file, line };

	g_string_append_len(x->out, text, (gssize)len);
	g_string_append_c(x->out, '\n');
	g_array_append_val(x->ld->src_lines, sl);
}

/* Advance the lexer over one line (comments and strings, as libconfig's scanner sees them). */
static void lex_line(struct lex *lx, const char *p, const char *end)
{
	while (p < end) {
		if (lx->comment) {
			if (p + 1 < end && p[0] == '*' && p[1] == '/') {
				lx->comment = false;
				p += 2;
			} else {
				p++;
			}
		} else if (lx->string) {
			if (*p == '\\' && p + 1 < end)
				p += 2;
			else
				lx->string = *p++ != '"';
		} else if (*p == '"') {
			lx->string = true;
			p++;
		} else if (*p == '#' || (p + 1 < end && p[0] == '/' && p[1] == '/')) {
			return;
		} else if (p + 1 < end && p[0] == '/' && p[1] == '*') {
			lx->comment = true;
			p += 2;
		} else {
			p++;
		}
	}
}

/*
 * The include directive on this line: *name (g_free) and *rest (what follows the closing quote), true;
 * false when the line is not one.  An unterminated name is an error (-1 with *name NULL).
 */
static int directive(const char *p, const char *end, char **name, const char **rest)
{
	GString *n;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (end - p < 8 || strncmp(p, "@include", 8))
		return 0;
	p += 8;
	if (p >= end || (*p != ' ' && *p != '\t'))
		return 0;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p >= end || *p != '"')
		return 0;
	n = g_string_new(NULL);
	for (p++; p < end && *p != '"'; p++) {
		if (*p == '\\' && p + 1 < end && (p[1] == '"' || p[1] == '\\'))
			p++;
		g_string_append_c(n, *p);
	}
	if (p >= end) {
		g_string_free(n, TRUE);
		*name = NULL;
		return -1;
	}
	*name = g_string_free(n, FALSE);
	*rest = p + 1;
	return 1;
}

static int expand_file(struct expand *x, const char *path, const char *where);

/* The file an include names, from the directory of the including file `from` (or the extra one). */
static char *resolve(const struct expand *x, const char *from, const char *name)
{
	char *dir, *p;

	if (g_path_is_absolute(name))
		return g_strdup(name);
	dir = g_path_get_dirname(from);
	p = strcmp(dir, ".") ? g_build_filename(dir, name, NULL) : g_strdup(name);
	g_free(dir);
	if (x->extra_dir && !g_file_test(p, G_FILE_TEST_EXISTS)) {
		char *q = g_build_filename(x->extra_dir, name, NULL);

		if (g_file_test(q, G_FILE_TEST_EXISTS)) {
			g_free(p);
			return q;
		}
		g_free(q);
	}
	return p;
}

/* The include `name` at file:line (where = "FILE:LINE"), expanded into the output. */
static int include(struct expand *x, const char *from, const char *where, const char *name)
{
	struct vgs_ld *ld = x->ld;
	char *path, *dir;
	int rc;

	if (!*name) {
		vgs_error_set(ld->err, "%s: @include \"\": expected a file name", where);
		return -1;
	}
	if (x->stack->len >= VGS_INCLUDE_DEPTH) {
		vgs_error_set(ld->err, "%s: @include \"%s\": includes nested more than %d deep", where, name,
			      VGS_INCLUDE_DEPTH);
		return -1;
	}
	path = resolve(x, from, name);
	if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
		dir = g_path_get_dirname(from);
		vgs_error_set(ld->err, "%s: cannot open include file \"%s\" (a relative path is relative to the "
			      "including file's directory, %s%s%s)", where, name, dir, x->extra_dir ? ", or " : "",
			      x->extra_dir ? x->extra_dir : "");
		g_free(dir);
		g_free(path);
		return -1;
	}
	rc = expand_file(x, path, where);
	g_free(path);
	return rc;
}

/* The text of `path` (checked with vgs_file_check) into the output.  where: the directive, or NULL for
 * the config itself. */
static int expand_file(struct expand *x, const char *path, const char *where)
{
	struct vgs_ld *ld = x->ld;
	char *text = NULL, *canon, **lines;
	uint32_t file = ld->src_files->len;
	struct lex lx = { false, false };
	GError *ge = NULL;
	int rc = 0;

	if (vgs_file_check(path, "a config file", where, ld->err) < 0)
		return -1;
	canon = realpath(path, NULL);
	for (guint i = 0; canon && i < x->stack->len; i++) {
		if (!strcmp(canon, x->stack->pdata[i])) {
			vgs_error_set(ld->err, "%s: includes %s, which is being included already (an include cycle)",
				      where, path);
			free(canon);
			return -1;
		}
	}
	if (!g_file_get_contents(path, &text, NULL, &ge)) {
		vgs_error_set(ld->err, "%s%s%s: cannot read: %s", where ? where : "", where ? ": " : "", path,
			      ge->message);
		g_error_free(ge);
		free(canon);
		return -1;
	}
	g_ptr_array_add(x->stack, g_strdup(canon ? canon : path));
	free(canon);
	g_ptr_array_add(ld->src_files, g_strdup(path));
	lines = g_strsplit(text, "\n", -1);
	for (uint32_t i = 0; lines[i] && rc == 0; i++) {
		const char *l = lines[i], *end = l + strlen(l), *rest;
		char *name = NULL;
		int d;

		if (!lines[i + 1] && !*l)
			break; /* the text ended with a newline */
		d = lx.comment || lx.string ? 0 : directive(l, end, &name, &rest);
		if (d == 0) {
			lex_line(&lx, l, end);
			emit(x, file, i + 1, l, (size_t)(end - l));
			continue;
		}
		char *here = g_strdup_printf("%s:%u", path, i + 1);

		if (d < 0) {
			vgs_error_set(ld->err, "%s: @include: expected \"FILE\" with its closing quote on the line",
				      here);
			rc = -1;
		} else if ((rc = include(x, path, here, name)) == 0) {
			/* What follows the directive on its line comes after the included text. */
			lex_line(&lx, rest, end);
			emit(x, file, i + 1, rest, (size_t)(end - rest));
		}
		g_free(here);
		g_free(name);
	}
	g_strfreev(lines);
	g_free(text);
	g_free(g_ptr_array_steal_index(x->stack, x->stack->len - 1));
	return rc;
}

char *vgs_ld_include_expand(struct vgs_ld *ld, const char *extra_dir)
{
	struct expand x = { ld, extra_dir, g_string_new(NULL), g_ptr_array_new_with_free_func(g_free) };
	int rc = expand_file(&x, ld->path, NULL);

	g_ptr_array_free(x.stack, TRUE);
	return g_string_free(x.out, rc < 0);
}

bool vgs_ld_include_locate(const struct vgs_ld *ld, unsigned line, const char **file, unsigned *src_line)
{
	const struct src_line *sl;

	if (line < 1 || line > ld->src_lines->len)
		return false;
	sl = &g_array_index(ld->src_lines, struct src_line, line - 1);
	*file = ld->src_files->pdata[sl->file];
	*src_line = sl->line;
	return true;
}

void vgs_ld_include_relocate(const struct vgs_ld *ld, config_setting_t *st)
{
	const char *file;
	unsigned line;

	if (vgs_ld_include_locate(ld, st->line, &file, &line)) {
		st->file = file;
		st->line = line;
	}
	if (config_setting_is_aggregate(st))
		for (int i = 0; i < config_setting_length(st); i++)
			vgs_ld_include_relocate(ld, config_setting_get_elem(st, i));
}
